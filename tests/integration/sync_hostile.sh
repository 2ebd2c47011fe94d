#!/bin/bash
# Hostile `up` branches in format 1 (which repositories still hold; sync_hostile_v2.sh has the
# format 2 cases): commits crafted with the git CLI (hash-object, mktree, commit-tree,
# update-ref in the node's bare repository) that write another node's rows, carry a corrupt
# changeset, skip a seq, repeat a seq, use an unknown schema fingerprint, claim another node id
# or a newer format. Each is quarantined with a clear reason, nothing of it is applied, other
# nodes still merge in the same sync, and syncing again changes nothing.
. "$(dirname "$0")/lib.sh" "$@"

# one attacker node per case (a quarantined commit stops that node's log); the honest
# xiaoxiangwan sorts between them, so the office meets attackers before and after it
attackers="a-foreign b-corrupt c-gap d-dup e-fingerprint f-format zz-claim"
mkdir -p "$T/usb"
hh office init --node office --kind office --name Office
for n in lucai xiaoxiangwan $attackers; do
	git init -q --bare "$T/usb/$n.git"
	new_node "$n" childcare_centre "Centre $n" "$T/usb/$n.git" || fail "init $n"
done
for n in $attackers xiaoxiangwan; do
	w "$n" "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('$n','c1','Legit','1-2',10)"
done
# lucai writes a child offline and does not sync yet: its changeset is what a-foreign replays
w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','lk','HostileLucaiRow')"
sync_all $attackers xiaoxiangwan office
is "$SYNC_FAILED" 0 "legit syncs exit 0"
is "$(hq office "SELECT count(*) FROM care_class")" 8 "the office merged every legit class"

fingerprint=$(git -C "$T/usb/xiaoxiangwan.git" log -1 --format=%B up | sed -n 's/^Hearth-Fingerprint: //p')
schema=$(git -C "$T/usb/xiaoxiangwan.git" log -1 --format=%B up | sed -n 's/^Hearth-Schema: //p')
clock=$(sq lucai "SELECT clock FROM hearth_outbox WHERE seq = 2")
isnt "$fingerprint" "" "the real fingerprint is read from a real commit"

sq lucai "SELECT writefile('$T/lucai.cs', changeset) FROM hearth_outbox WHERE seq = 2" >/dev/null
# a truncated changeset: the last record stops half-way
head -c -5 "$T/lucai.cs" >"$T/corrupt.cs"
declare -A commit_of
commit_of[a-foreign]=$(craft a-foreign "$T/lucai.cs" 3)
commit_of[b-corrupt]=$(craft b-corrupt "$T/corrupt.cs" 3)
commit_of[c-gap]=$(craft c-gap "$(own_changeset c-gap HostileGap)" 5)
commit_of[d-dup]=$(craft d-dup "$(own_changeset d-dup HostileDup)" 2)
commit_of[e-fingerprint]=$(craft e-fingerprint "$(own_changeset e-fingerprint HostileFp)" 3 \
	e-fingerprint 0123456789abcdef)
# format 4: one newer than this hearth writes and reads
commit_of[f-format]=$(craft f-format "$(own_changeset f-format HostileFormat)" 3 f-format \
	"$fingerprint" 4)
commit_of[zz-claim]=$(craft zz-claim "$(own_changeset zz-claim HostileClaim)" 3 lucai)
for n in $attackers; do
	isnt "${commit_of[$n]}" "" "crafted a commit on $n's up"
done

# the honest node writes in the same round
w xiaoxiangwan "INSERT INTO child (owner,id,name) VALUES ('xiaoxiangwan','xk','HonestRow')"
hh xiaoxiangwan sync
h office dump >"$T/dump.before"
log_before=$(sq office "SELECT count(*) FROM hearth_log")
hh office sync
is "$?" 0 "the office sync with hostile commits exits 0"

reason() { # the quarantine reason of NODE's crafted commit
	sq office "SELECT reason FROM hearth_quarantine WHERE node = '$1' AND commit_id = '${commit_of[$1]}'"
}
like "$(reason a-foreign)" "owned by 'lucai'" "another node's rows: quarantined, the reason names the owner"
like "$(reason a-foreign)" "comes from 'a-foreign'" "another node's rows: the reason names the writer"
like "$(reason b-corrupt)" "does not parse" "a corrupt changeset: quarantined as not parsing"
like "$(reason c-gap)" "seq gap: expected 3, got 5" "a seq gap: quarantined as a gap"
like "$(reason d-dup)" "duplicate seq 2" "a duplicate seq: quarantined as a duplicate"
like "$(reason e-fingerprint)" "fingerprint 0123456789abcdef" \
	"an unknown schema fingerprint: quarantined naming it"
like "$(reason f-format)" "upgrade hearth" "a newer log format: quarantined, asking for an upgrade"
like "$(reason zz-claim)" "says it is from 'lucai' but arrived on the branch of 'zz-claim'" \
	"a commit claiming another node id: quarantined"
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 7 "exactly the seven crafted commits are quarantined"
is "$(sq office "SELECT group_concat(node || ':' || seq, ' ') FROM (SELECT node, seq FROM hearth_quarantine WHERE node IN ('c-gap', 'd-dup') ORDER BY node)")" \
	"c-gap:5 d-dup:2" "the quarantine records the offending seq"

h office dump >"$T/dump.after"
for m in HostileLucaiRow HostileGap HostileDup HostileFp HostileFormat HostileClaim; do
	is "$(grep -c -F "$m" "$T/dump.after")" 0 "nothing of the crafted commit is applied ($m)"
done
is "$(hq office "SELECT name FROM child WHERE owner = 'xiaoxiangwan'")" HonestRow \
	"the honest node's change merged in the same sync"
is "$(diff "$T/dump.before" "$T/dump.after" | grep -c '^>')" 1 \
	"the office dump changed by the honest row only"
is "$(sq office "SELECT count(*) FROM hearth_log")" $((log_before + 1)) "the office log grew by the honest entry only"
is "$(sq office "SELECT count(*) FROM hearth_applied WHERE node <> 'xiaoxiangwan' AND seq > 2")" 0 \
	"no attacker entry is recorded as applied"
like "$(h office status)" "office" "status still works"

# syncing again is a no-op
hh office sync
is "$?" 0 "a second office sync exits 0"
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 7 "a second sync adds no quarantine"
h office dump >"$T/dump.again"
check "a second sync leaves the dump unchanged" cmp -s "$T/dump.after" "$T/dump.again"
is "$(sq office "SELECT count(*) FROM hearth_log")" $((log_before + 1)) "a second sync leaves the log unchanged"

# a changeset whose table header never ends (no NUL after the table name): SQLite 3.40's
# changeset iterator loops forever on it unless hearth checks the bytes first. Bounded by
# `timeout` so that a hang fails here instead of stalling the suite.
printf 'T\003\001\002\000care_class-but-no-terminator' >"$T/nonul.cs"
git init -q --bare "$T/usb/g-nonul.git"
new_node g-nonul childcare_centre "Centre g" "$T/usb/g-nonul.git" &&
	w g-nonul "INSERT INTO care_class (owner,id,name,age_band,capacity) VALUES ('g-nonul','c1','Legit','1-2',10)" &&
	hh g-nonul sync && hh office sync g-nonul
commit_of[g-nonul]=$(craft g-nonul "$T/nonul.cs" 3)
timeout 30 "$HEARTH" -C "$T/office" sync g-nonul >>"$T/log" 2>&1
is "$?" 0 "a changeset with an unterminated table name does not hang the office"
like "$(reason g-nonul)" "does not parse" "... and is quarantined as not parsing"

# the real lucai still syncs: its row arrives through its own branch
hh lucai sync && hh office sync
is "$(hq office "SELECT name FROM child WHERE owner = 'lucai'")" HostileLucaiRow \
	"lucai's own change merges from its own branch"
hh xiaoxiangwan sync
cmp_dump xiaoxiangwan "xiaoxiangwan is unaffected: its dump equals the office's view"
done_testing
