#!/bin/bash
# Hostile format 2 commits: the entries blob is untrusted bytes. Commits crafted with the git CLI
# (entries_blob and craft2 in lib.sh, written from docs/format.md) whose blob is cut short, lists
# more or fewer entries than the message, uses a non-minimal varint, claims a huge length,
# carries a changeset that does not parse or another node's rows, or whose tree is not
# entries.1 ... entries.k; a format 2 message with format 1 trailers; a newer format with
# trailers this build does not know. Each is quarantined with a clear reason and nothing of it is
# applied; commits crafted by the document's rules merge (one blob and two blobs); a node refuses
# a hostile down commit, keeps its database, and still pushes after an "upgrade hearth".
. "$(dirname "$0")/lib.sh" "$@"

attackers="a-foreign b-trunc c-fewer d-more e-seq f-varint g-huge h-badcs i-nonul j-extra
k-v1tree l-v1lines m-format3 n-empty"
good="p-handmade q-twoblobs"
mkdir -p "$T/usb"
hh office init --node office --kind office --name Office
for n in lucai xiaoxiangwan $attackers $good; do
	git init -q --bare "$T/usb/$n.git"
	new_node "$n" childcare_centre "Centre $n" "$T/usb/$n.git" || fail "init $n"
done
for n in $attackers $good xiaoxiangwan; do
	w "$n" "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('$n','c1','Legit','1-2',10)"
done
w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','lk','HostileLucaiRow')"
sync_all $attackers $good xiaoxiangwan office
is "$SYNC_FAILED" 0 "legit syncs exit 0"

head_msg=$(git -C "$T/usb/xiaoxiangwan.git" log -1 --format=%B up)
like "$head_msg" "Hearth-Format: 2" "hearth writes format 2"
like "$head_msg" "Hearth-Entries: 2 1 2" "an up commit lists its count, first and last seq"
unlike "$head_msg" "Hearth-Entry:" "and no Hearth-Entry lines"
is "$(git -C "$T/usb/xiaoxiangwan.git" ls-tree --name-only up)" "entries.1" \
	"the tree holds the two entries in one blob"
fingerprint=$(printf '%s\n' "$head_msg" | sed -n 's/^Hearth-Fingerprint: //p')
schema=$(printf '%s\n' "$head_msg" | sed -n 's/^Hearth-Schema: //p')
clock=$(sq lucai "SELECT clock FROM hearth_outbox WHERE seq = 2")
isnt "$fingerprint" "" "the real fingerprint is read from a real commit"

# the blob hearth wrote decodes by the document's rules: re-encoding its entries gives its bytes
sq xiaoxiangwan "SELECT writefile('$T/x' || seq || '.cs', changeset) FROM hearth_outbox" >/dev/null
git -C "$T/usb/xiaoxiangwan.git" cat-file blob up:entries.1 >"$T/real.blob"
entries_blob "$T/again.blob" 0 0 \
	1 "$(sq xiaoxiangwan "SELECT clock FROM hearth_outbox WHERE seq = 1")" "$T/x1.cs" \
	2 "$(sq xiaoxiangwan "SELECT clock FROM hearth_outbox WHERE seq = 2")" "$T/x2.cs"
check "the document's encoding of the two entries is byte for byte hearth's blob" \
	cmp "$T/real.blob" "$T/again.blob"

sq lucai "SELECT writefile('$T/lucai.cs', changeset) FROM hearth_outbox WHERE seq = 2" >/dev/null
cs() { own_changeset "$1" "$2"; }
declare -A commit_of
b() { entries_blob "$T/$1.blob" 0 0 "${@:2}"; echo "$T/$1.blob"; }

commit_of[a-foreign]=$(craft2 a-foreign "1 3 3" a-foreign "$(b a 3 "$clock" "$T/lucai.cs")")
f=$(b b-full 3 "$clock" "$(cs b-trunc HostileTrunc)") && head -c -3 "$f" >"$T/b.blob"
commit_of[b-trunc]=$(craft2 b-trunc "1 3 3" b-trunc "$T/b.blob")
commit_of[c-fewer]=$(craft2 c-fewer "2 3 4" c-fewer "$(b c 3 "$clock" "$(cs c-fewer HostileFewer)")")
f=$(cs d-more HostileMore)
commit_of[d-more]=$(craft2 d-more "1 3 3" d-more "$(b d 3 "$clock" "$f" 4 "$clock" "$f")")
commit_of[e-seq]=$(craft2 e-seq "1 3 3" e-seq "$(b e 4 "$clock" "$(cs e-seq HostileSeq)")")
# seq step 3 written in two bytes (0x80 0x03): a second encoding of the same value
f=$(b f-ok 3 "$clock" "$(cs f-varint HostileVarint)") &&
	{ printf '\200'; cat "$f"; } >"$T/f.blob"
commit_of[f-varint]=$(craft2 f-varint "1 3 3" f-varint "$T/f.blob")
# a length of 2^63 right after a valid seq step and clock step
printf '\003\000\300\200\200\200\200\200\200\200\000' >"$T/g.blob"
commit_of[g-huge]=$(craft2 g-huge "1 3 3" g-huge "$T/g.blob")
head -c -5 "$(cs h-badcs HostileBadCs)" >"$T/h.cs"
commit_of[h-badcs]=$(craft2 h-badcs "1 3 3" h-badcs "$(b h 3 "$clock" "$T/h.cs")")
# a table header that never ends: SQLite 3.40's iterator would loop forever on it
printf 'T\003\001\002\000care_class-but-no-terminator' >"$T/nonul.cs"
commit_of[i-nonul]=$(craft2 i-nonul "1 3 3" i-nonul "$(b i 3 "$clock" "$T/nonul.cs")")
f=$(b j 3 "$clock" "$(cs j-extra HostileExtra)")
commit_of[j-extra]=$(craft2 j-extra "2 3 4" j-extra "$f" "notes=$f")
commit_of[k-v1tree]=$(craft2 k-v1tree "1 3 3" k-v1tree "00000000000000000003=$(cs k-v1tree HostileV1Tree)")
commit_of[l-v1lines]=$(CRAFT_TRAILERS="Hearth-Entry: 3 $clock" craft2 l-v1lines "1 3 3" l-v1lines \
	"$(b l 3 "$clock" "$(cs l-v1lines HostileV1Lines)")")
commit_of[m-format3]=$(CRAFT_FORMAT=4 CRAFT_TRAILERS="Hearth-Blobs: 1" craft2 m-format3 "1 3 3" \
	m-format3 "$(b m 3 "$clock" "$(cs m-format3 HostileFormat3)")")
: >"$T/empty.blob"
commit_of[n-empty]=$(craft2 n-empty "1 3 3" n-empty "$T/empty.blob")
# by the document: one entry in one blob, and two entries in two blobs (the clock steps go on
# from the first blob's last entry)
commit_of[p-handmade]=$(craft2 p-handmade "1 3 3" p-handmade \
	"$(b p 3 "$clock" "$(cs p-handmade HandmadeRow)")")
f=$(cs q-twoblobs TwoBlobsA)
hh scratch-q-twoblobs exec "INSERT INTO child (owner,id,name) VALUES ('q-twoblobs','hk2','TwoBlobsB')"
sq scratch-q-twoblobs "SELECT writefile('$T/q2.cs', changeset) FROM hearth_outbox WHERE seq = 3" >/dev/null
clock_b=$(sq scratch-q-twoblobs "SELECT clock FROM hearth_outbox WHERE seq = 3")
entries_blob "$T/q1.blob" 0 0 3 "$clock" "$f"
entries_blob "$T/q2.blob" 3 "$clock" 4 "$clock_b" "$T/q2.cs"
commit_of[q-twoblobs]=$(craft2 q-twoblobs "2 3 4" q-twoblobs "$T/q1.blob" "$T/q2.blob")
for n in $attackers $good; do
	isnt "${commit_of[$n]}" "" "crafted a format 2 commit on $n's up"
done

w xiaoxiangwan "INSERT INTO child (owner,id,name) VALUES ('xiaoxiangwan','xk','HonestRow')"
hh xiaoxiangwan sync
log_before=$(sq office "SELECT count(*) FROM hearth_log")
HH_TIMEOUT=60 hh office sync
is "$?" 0 "the office sync with hostile format 2 commits exits 0 (and does not hang)"

reason() { # the quarantine reason of NODE's crafted commit
	sq office "SELECT reason FROM hearth_quarantine WHERE node = '$1' AND commit_id = '${commit_of[$1]}'"
}
like "$(reason a-foreign)" "owned by 'lucai'" "another node's rows in a blob: quarantined naming the owner"
like "$(reason b-trunc)" "length runs past the end of the blob" "a blob cut short: quarantined"
like "$(reason c-fewer)" "Hearth-Entries lists 2 entries (3 to 4), the blobs hold 1" \
	"fewer entries than listed: quarantined with both counts"
like "$(reason d-more)" "more entries than Hearth-Entries lists" "more entries than listed: quarantined"
like "$(reason e-seq)" "seq not ascending or beyond Hearth-Entries" "an entry outside the listed seqs: quarantined"
like "$(reason f-varint)" "not minimal" "a non-minimal varint: quarantined"
like "$(reason g-huge)" "larger than the limit" "a length of 2^63: quarantined as over the limit"
like "$(reason h-badcs)" "does not parse" "a changeset that does not parse: quarantined"
like "$(reason i-nonul)" "does not parse" "an unterminated table name: quarantined, no hang"
like "$(reason j-extra)" "lacks the blob 'entries.2'" "a file besides the entries blob: quarantined"
like "$(reason k-v1tree)" "lacks the blob 'entries.1'" "a format 1 tree under a format 2 message: quarantined"
like "$(reason l-v1lines)" "Hearth-Entry in a format 2 commit" "format 1 trailers in format 2: quarantined"
like "$(reason m-format3)" "upgrade hearth" "a newer format with unknown trailers: quarantined, asking for an upgrade"
like "$(reason n-empty)" "the blob is empty" "an empty blob: quarantined"
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 14 "exactly the fourteen hostile commits are quarantined"
is "$(sq office "SELECT group_concat(reason, '') FROM hearth_quarantine WHERE reason LIKE '%' || char(10) || '%'")" "" \
	"every reason is one line"

for m in HostileLucaiRow HostileTrunc HostileFewer HostileMore HostileSeq HostileVarint HostileBadCs \
	HostileExtra HostileV1Tree HostileV1Lines HostileFormat3; do
	is "$(h office dump | grep -c -F "$m")" 0 "nothing of the crafted commit is applied ($m)"
done
is "$(hq office "SELECT name FROM child WHERE owner = 'p-handmade'")" HandmadeRow \
	"a commit crafted by the document's rules merges"
is "$(hq office "SELECT group_concat(name, '|') FROM (SELECT name FROM child WHERE owner = 'q-twoblobs' ORDER BY name)")" \
	"TwoBlobsA|TwoBlobsB" "a commit whose entries span two blobs merges both"
is "$(hq office "SELECT name FROM child WHERE owner = 'xiaoxiangwan'")" HonestRow \
	"the honest node's change merged in the same sync"
is "$(sq office "SELECT count(*) FROM hearth_log")" $((log_before + 4)) \
	"the office log grew by the honest entry and the three hand-made ones only"

hh office sync
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 14 "a second sync adds no quarantine"
is "$(sq office "SELECT count(*) FROM hearth_log")" $((log_before + 4)) "and leaves the log unchanged"

# ---- a node reading a hostile down ---------------------------------------------------------------
# xiaoxiangwan's down, as the office wrote it: a node pulls it normally
hh xiaoxiangwan sync
cmp_dump xiaoxiangwan "the honest node pulls the office's format 2 down"
down_msg=$(git -C "$T/usb/xiaoxiangwan.git" log -1 --format=%B down)
like "$down_msg" "Hearth-Entries: " "a down commit lists its entries by count, first and last seq"
office_seq=$(sq xiaoxiangwan "SELECT value FROM hearth_meta WHERE key = 'office_seq'")
ack=$(printf '%s\n' "$down_msg" | sed -n 's/^Hearth-Ack: //p')
# craft_down FORMAT BLOB ENTRIES: a down commit for xiaoxiangwan after the office's last
craft_down() {
	local repo="$T/usb/xiaoxiangwan.git" blob tree parent
	blob=$(git -C "$repo" hash-object -w "$2") &&
		tree=$(printf '100644 blob %s\tentries.1\n' "$blob" | git -C "$repo" mktree) &&
		parent=$(git -C "$repo" rev-parse refs/heads/down) &&
		printf 'office -> xiaoxiangwan: crafted\n\nHearth-Format: %s\nHearth-Direction: down\nHearth-Node: xiaoxiangwan\nHearth-Schema: %s\nHearth-Fingerprint: %s\nHearth-Range: %s %s\nHearth-Ack: %s\nHearth-Entries: %s\n' \
			"$1" "$schema" "$fingerprint" "$office_seq" $((office_seq + 5)) "$ack" "$3" >"$T/msg" &&
		git -C "$repo" update-ref refs/heads/down \
			"$(git -C "$repo" commit-tree "$tree" -p "$parent" -F "$T/msg")" "$parent"
}
entries_blob "$T/down.blob" 0 0 $((office_seq + 1)) "$clock" "$(own_changeset scratch-down HostileDownRow)"
head -c -2 "$T/down.blob" >"$T/down-cut.blob"
craft_down 2 "$T/down-cut.blob" "1 $((office_seq + 1)) $((office_seq + 1))"
h xiaoxiangwan dump >"$T/x.before"
h xiaoxiangwan sync >"$T/out" 2>"$T/err"
isnt "$?" 0 "a node refuses a down commit whose blob is cut short"
like "$(cat "$T/err")" "length runs past the end of the blob" "... saying why"
h xiaoxiangwan dump >"$T/x.after"
check "... and its database is unchanged" cmp -s "$T/x.before" "$T/x.after"

# a newer format on down: "upgrade hearth", and the node's own changes still go up
git -C "$T/usb/xiaoxiangwan.git" update-ref refs/heads/down refs/heads/down~1
craft_down 4 "$T/down.blob" "1 $((office_seq + 1)) $((office_seq + 1))"
w xiaoxiangwan "INSERT INTO child (owner,id,name) VALUES ('xiaoxiangwan','xk2','PushedAnyway')"
h xiaoxiangwan sync >"$T/out" 2>"$T/err"
isnt "$?" 0 "a down commit in a newer format refuses the pull"
like "$(cat "$T/err")" "upgrade hearth" "... asking for an upgrade"
is "$(h xiaoxiangwan dump | grep -c HostileDownRow)" 0 "... applying nothing of it"
hh office sync
is "$(hq office "SELECT name FROM child WHERE id = 'xk2'")" PushedAnyway \
	"the node's own change was still pushed and merged"
done_testing
