#!/bin/bash
# Values a current node would have refused, arriving anyway: a well-formed format 2 commit from a
# node on the current schema whose changeset (the bytes of a real INSERT of a child) carries a
# date of birth "12月6日". A current node checks its values when it writes (exec, import, the
# app), so such a change comes from a copy that skipped the check: the office quarantines it
# with a reason naming the table, the row, the column's label and the value, and applies
# nothing of it. The same bytes from a node on an older schema (3, before the declarations) are
# not refused: that node never checked, and its values are lifted at the office instead.
# An honest node syncing beside them is unaffected.
. "$(dirname "$0")/lib.sh" "$@"

nodes="o-bad o-zh o-old honest"
mkdir -p "$T/usb"
hh office init --node office --kind office --name Office
for n in $nodes; do
	git init -q --bare "$T/usb/$n.git"
	new_node "$n" childcare_centre "Centre $n" "$T/usb/$n.git" || fail "init $n"
	w "$n" "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('$n','c1','Legit','1-2',10)"
done
sync_all $nodes office
is "$SYNC_FAILED" 0 "legit syncs exit 0"
head_msg=$(git -C "$T/usb/o-bad.git" log -1 --format=%B up)
fingerprint=$(printf '%s\n' "$head_msg" | sed -n 's/^Hearth-Fingerprint: //p')
current=$(printf '%s\n' "$head_msg" | sed -n 's/^Hearth-Schema: //p')
check "a node writes with the schema that declares the value rules ($current)" test "$current" -ge 4
clock=$(sq o-bad "SELECT clock FROM hearth_outbox WHERE seq = 2")

# with_birth NODE MARKER VALUE: NODE's own INSERT of a child named MARKER, its date of birth
# (NULL, type 5, right after the name) turned into the text VALUE; prints the changeset's file
with_birth() {
	local f
	f=$(own_changeset "$1" "$2") &&
		M=$2 V=$3 perl -0777 -pi -e '
			my $from = "\x03" . chr(length $ENV{M}) . $ENV{M} . "\x05";
			my $i = index($_, $from);
			die "no marker" if $i < 0;
			substr($_, $i, length $from) = "\x03" . chr(length $ENV{M}) . $ENV{M} .
				"\x03" . chr(length $ENV{V}) . $ENV{V};' "$f" 2>>"$T/log" &&
		echo "$f"
}
declare -A commit_of
for n in o-bad o-zh o-old; do
	f=$(with_birth "$n" "Marker$n" '12月6日') && entries_blob "$T/$n.blob" 0 0 3 "$clock" "$f"
	schema=$current
	[ "$n" = o-old ] && schema=3
	commit_of[$n]=$(craft2 "$n" "1 3 3" "$n" "$T/$n.blob")
	isnt "${commit_of[$n]}" "" "crafted a commit holding a child born '12月6日' on $n's up"
done
w honest "INSERT INTO child (owner, id, name, birth_date, sex) VALUES ('honest','k1','Honest','2025-03-18','f')"
hh honest sync

HH_TIMEOUT=60 hh office sync o-bad
is "$?" 0 "the office sync with a refused value exits 0"
reason=$(sq office "SELECT reason FROM hearth_quarantine WHERE node = 'o-bad' AND commit_id = '${commit_of[o-bad]}'")
like "$reason" 'child o-bad/hk, "date of birth": expected a date like 2026-12-02, got "12月6日"' \
	"o-bad: quarantined, the reason naming table, row, label, what is expected and the value"
like "$reason" "seq 3" "and the entry"
LC_ALL=zh_CN.UTF-8 HH_TIMEOUT=60 hh office sync o-zh
like "$(sq office "SELECT reason FROM hearth_quarantine WHERE node = 'o-zh'")" \
	'child o-zh/hk「出生日期」：应为日期，如 2026-12-02，收到「12月6日」' \
	"an office speaking Chinese words the reason in Chinese"
HH_TIMEOUT=60 hh office sync
is "$(sq office "SELECT count(*) FROM child WHERE owner IN ('o-bad', 'o-zh')")" 0 \
	"no child of the refused commits is applied"
is "$(sq office "SELECT count(*) FROM hearth_log WHERE origin IN ('o-bad', 'o-zh') AND origin_seq = 3")" 0 \
	"and nothing of them reached the office log"
is "$(sq office "SELECT count(*) FROM hearth_quarantine WHERE node = 'o-old'")" 0 \
	"a node on schema 3 never checked its values: not quarantined for them"
is "$(sq office "SELECT count(*) FROM child WHERE owner = 'o-old'")" 1 \
	"its child is merged (its values are the lifting's business, not refused)"
is "$(sq office "SELECT name || ' ' || birth_date || ' ' || sex FROM child WHERE owner = 'honest'")" \
	"Honest 2025-03-18 f" "the honest node's child is merged"
is "$(sq office "SELECT count(*) FROM hearth_quarantine WHERE node = 'honest'")" 0 \
	"and nothing of it is quarantined"
done_testing
