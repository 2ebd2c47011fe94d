#!/bin/bash
# A purge that forgets (docs/security.md, "A purge that forgets"): an office and two enrolled
# nodes (sealed, format 3) sync through bare repositories ("sticks"); a copy of every stick is
# kept from before the purge. The office purges records closed long ago, then everyone syncs.
# Afterwards, with the keys the office and the nodes hold (their hearth_key rows), no commit of
# the old copies opens, and what opens of the new repositories holds no purged value; no git
# object (decompressed), no database file and no -wal of the office or the nodes holds one. The
# same reading before the purge (the keys as an office without the key chain keeps them for
# ever) finds them all. The nodes keep syncing: a commit made with the old key but not pushed
# goes up again with the new one, a stick absent at the office's first sync after the purge
# keeps its key until it comes, a write after the purge goes both ways, and a device restores
# with a code of after the purge or of before it.
. "$(dirname "$0")/lib.sh" "$@"
FORGE=${2:-}
case $FORGE in
/*) ;;
*) FORGE=$PWD/$FORGE ;;
esac
[ -x "$FORGE" ] || { echo "Bail out! usage: $0 HEARTH HEARTH_FORGE"; exit 1; }

# every clock pinned: 2026-11-20 10:00 China time, so the cutoff of 3y is 2023-11-20
export HEARTH_TEST_NOW_MS=1795140000000
nodes="lucai fuyou"
mkdir -p "$T/usb" "$T/keys" "$T/old"
hh office init --node office --kind office --name 长治市卫健委 || fail "office init"
for n in lucai:childcare_centre fuyou:hospital; do
	id=${n%%:*}
	git init -q --bare "$T/usb/$id.git"
	hh office key issue "$id" --out "$T/keys/$id" &&
		hh "$id" init --node "$id" --kind "${n#*:}" --name "Node $id" --key "$T/keys/$id" &&
		hh "$id" remote add office "$T/usb/$id.git" &&
		hh office remote add "$id" "$T/usb/$id.git" || fail "init $id"
done

# k-old: its only enrolment ended in 2021 (purged, with the hospital's check of it);
# k-new: enrolled now (kept)
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c1','太阳班','1-2',10)"
w lucai "INSERT INTO child (owner, id, name, guardian_name, guardian_phone, notes) VALUES
	('lucai','k-old','PurgedChildA','PurgedGuardianA','13800009001','PurgedNoteA'),
	('lucai','k-new','KeptChildF','KeptGuardianF','13900001111','KeptNoteF')"
w lucai "INSERT INTO enrolment (owner, id, child_id, class_id, mode, starts_on, ends_on) VALUES
	('lucai','e-old','k-old','c1','full_day','2019-09-01','2021-06-30'),
	('lucai','e-new','k-new','c1','full_day','2026-09-01',NULL)"
sync_all lucai fuyou office lucai fuyou
w lucai "UPDATE child SET notes = 'PurgedNoteB' WHERE id = 'k-old'"
w fuyou "INSERT INTO health_check (owner, id, centre_id, child_id, checked_on, findings) VALUES
	('fuyou','h-old','lucai','k-old','2021-03-01','PurgedFindingB'),
	('fuyou','h-new','lucai','k-new','2026-10-01','KeptFindingE')"
sync_all lucai fuyou office lucai fuyou office lucai fuyou
is "$SYNC_FAILED" 0 "every sync before the purge exits 0"
is "$(hq lucai "SELECT findings FROM health_check ORDER BY findings")" "KeptFindingE
PurgedFindingB" "the centre holds the hospital's checks of its children"
is "$(sq lucai "SELECT count(*) FROM hearth_key")" 1 "the centre holds its key"

# the centre edits the old child once more and pushes it: the office merges it only after the
# purge (the delete wins; the value that lost must not stay in the conflict log, nor in the
# centre's history once the office confirms it)
w lucai "UPDATE child SET notes = 'PurgedNoteC' WHERE id = 'k-old'"
hh lucai sync || fail "lucai sync"
purged="PurgedChildA PurgedGuardianA 13800009001 PurgedNoteA PurgedNoteB PurgedNoteC PurgedFindingB"
kept="KeptChildF KeptGuardianF KeptNoteF KeptFindingE"
printf '%s\n' $purged >"$T/purged"
dbs() { echo "$T/office/hearth.db" "$T/lucai/hearth.db" "$T/fuyou/hearth.db"; }

# the sticks as they are: a copy kept from before the purge
for n in $nodes; do cp -a "$T/usb/$n.git" "$T/old/$n.git"; done
sq office "SELECT node, hex(key) FROM hearth_key ORDER BY node" >"$T/keys.before"

# what a thief of the databases reads of the sticks: before the purge, every purged value
opened_all() { # DIR... : every commit of each repository opened with the keys held now
	local r
	for r in "$@"; do "$FORGE" open "$r" $(dbs) 2>>"$T/opened" || fail "forge open $r"; done
}
: >"$T/opened"
opened_all "$T/old/lucai.git" "$T/old/fuyou.git" >"$T/plain.before"
miss=""
for v in $purged; do grep -a -q -F "$v" "$T/plain.before" || miss="$miss $v"; done
is "$miss" "" "before the purge, the keys held open every purged value from the copies of the sticks"
like "$(cat "$T/opened")" "opened " "... the tool reports what it opened"

# the purge, then the syncs that take it to the nodes
out=$(h office purge --older-than 3y)
is "$?" 0 "purge --older-than 3y exits 0"
like "$out" "1 health_check, 1 enrolment, 1 child row(s) removed" "... it removes the old child, its enrolment and check"
# a commit the centre makes but that never reaches the office's stick (pushed to another
# one by mistake): sealed with the key of before, it goes up again sealed with the new key
# once the centre takes the new one
git init -q --bare "$T/usb/wrong.git"
w lucai "INSERT INTO child (owner, id, name) VALUES ('lucai','k-late','LateChildBeforeRetire')"
check "the centre syncs with another stick" sh -c "'$HEARTH' -C '$T/lucai' remote set-url office '$T/usb/wrong.git' >/dev/null &&
	'$HEARTH' -C '$T/lucai' sync >/dev/null && '$HEARTH' -C '$T/lucai' remote set-url office '$T/usb/lucai.git' >/dev/null"
isnt "$(git -C "$T/usb/lucai.git" rev-parse up)" "$(sq lucai "SELECT value FROM hearth_meta WHERE key = 'up_head'")" \
	"... its commit is not on the office's stick"
# the hospital pushes a check onto its stick, which is not at the office for its first sync
# after the purge: the hospital's key waits until the office has merged what the stick holds
w fuyou "INSERT INTO health_check (owner, id, centre_id, child_id, checked_on, findings) VALUES
	('fuyou','h-late','lucai','k-new','2026-11-01','LateFindingBeforeRetire')"
sync_all fuyou
mv "$T/usb/fuyou.git" "$T/usb/fuyou.away"
fuyou_key=$(sq office "SELECT hex(key) FROM hearth_key WHERE node = 'fuyou'")
sync_all office lucai
is "$(sq office "SELECT hex(key) FROM hearth_key WHERE node = 'fuyou'")" "$fuyou_key" \
	"a node whose stick is not there keeps its key at the office"
mv "$T/usb/fuyou.away" "$T/usb/fuyou.git"
sync_all office lucai fuyou office lucai fuyou
is "$SYNC_FAILED" 0 "every sync after the purge exits 0"
is "$(hq office "SELECT findings FROM health_check WHERE id = 'h-late'")" "LateFindingBeforeRetire" \
	"what the hospital pushed with its old key is merged when its stick comes, then its key moves"
is "$(hq office "SELECT name FROM child WHERE id = 'k-late'")" "LateChildBeforeRetire" \
	"the commit made before the new key went up again, sealed with it, and merged"
is "$(hq lucai "SELECT name FROM child ORDER BY name")" "KeptChildF
LateChildBeforeRetire" "the centre holds only the kept children"
is "$(hq fuyou "SELECT findings FROM health_check ORDER BY findings")" "KeptFindingE
LateFindingBeforeRetire" "the hospital holds only the kept checks"

# the keys moved along their chain, at the office and at both nodes alike
sq office "SELECT node, hex(key) FROM hearth_key ORDER BY node" >"$T/keys.after"
is "$(grep -c '|' "$T/keys.before")" 2 "control: the office held both nodes' keys before the purge"
isnt "$(cat "$T/keys.after")" "$(cat "$T/keys.before")" "the office's keys moved on"
for n in $nodes; do
	is "$(sq "$n" "SELECT hex(key) FROM hearth_key")" \
		"$(sq office "SELECT hex(key) FROM hearth_key WHERE node = '$n'")" "$n holds the office's new key"
done

# the old keys are gone from every database file and WAL, not only from their rows
left=$(python3 - "$T/keys.before" "$T"/office/hearth.db* "$T"/lucai/hearth.db* "$T"/fuyou/hearth.db* <<'PY'
import sys
keys = [bytes.fromhex(l.split("|")[1]) for l in open(sys.argv[1]) if "|" in l]
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    for k in keys:
        if k in data:
            print(path.rsplit("/", 2)[-2] + ":" + path.rsplit("/", 1)[-1])
PY
)
is "$left" "" "no database file or WAL holds a key of before the purge"

# with the keys held now: nothing of the old copies opens, nothing purged in the new sticks
: >"$T/opened"
opened_all "$T/old/lucai.git" "$T/old/fuyou.git" >"$T/plain.old"
old_opened=$(awk '/^opened [0-9]+ of [0-9]+ commits$/ { n += $2 } END { print n + 0 }' "$T/opened")
old_total=$(awk '/^opened [0-9]+ of [0-9]+ commits$/ { n += $4 } END { print n + 0 }' "$T/opened")
is "$old_opened" 0 "no commit of the copies from before the purge opens with the keys held ($old_total commits)"
[ "${old_total:-0}" -gt 4 ] && pass "... and there were commits to open" || fail "too few old commits: $old_total"
: >"$T/opened"
opened_all "$T/usb/lucai.git" "$T/usb/fuyou.git" >"$T/plain.new"
new_opened=$(awk '/^opened [0-9]+ of [0-9]+ commits$/ { n += $2 } END { print n + 0 }' "$T/opened")
[ "${new_opened:-0}" -gt 0 ] && pass "the commits written since open ($new_opened)" ||
	fail "nothing of the new sticks opens"
cat "$T/plain.old" "$T/plain.new" >"$T/plain.after"
found=$(grep -a -o -F -f "$T/purged" "$T/plain.after" | sort -u | tr '\n' ' ')
is "$found" "" "no purged value in what opens of the old copies and the new sticks"

# every git object of every repository, raw and decompressed
objects() { # REPO
	git -C "$1" cat-file --batch-all-objects --batch
	python3 - "$1" <<'PY'
import os, sys, zlib
out = sys.stdout.buffer
for d, _, files in os.walk(os.path.join(sys.argv[1], "objects")):
    for f in files:
        data = open(os.path.join(d, f), "rb").read()
        if f.endswith(".pack"):
            for i in range(12, len(data)):
                try:
                    out.write(zlib.decompressobj().decompress(data[i:i + 65536]))
                except zlib.error:
                    pass
        elif len(f) == 38:
            out.write(zlib.decompress(data))
        out.write(data)
PY
}
for r in "$T"/old/*.git "$T"/usb/*.git "$T"/office/repo.git "$T"/lucai/repo.git "$T"/fuyou/repo.git; do
	[ -d "$r" ] && objects "$r"
done >"$T/objects"
[ -s "$T/objects" ] && pass "the objects of every repository read" || fail "no objects read"
found=$(grep -a -o -F -f "$T/purged" "$T/objects" | sort -u | tr '\n' ' ')
is "$found" "" "no purged value in any git object, raw or decompressed"

# the databases, their free pages and their WAL
for n in office $nodes; do
	files=$(ls "$T/$n"/hearth.db "$T/$n"/hearth.db-wal 2>/dev/null)
	found=$(cat $files | grep -a -o -F -f "$T/purged" | sort -u | tr '\n' ' ')
	is "$found" "" "$n: no purged value in its database file or its WAL"
done
miss=""
for v in $kept; do
	grep -a -q -F "$v" "$T/lucai/hearth.db" "$T/lucai/hearth.db-wal" 2>/dev/null || miss="$miss $v"
done
is "$miss" "" "... while the kept values are found there (the search reads these files)"
is "$(sq office "SELECT count(*) FROM hearth_log WHERE instr(changeset, 'PurgedChildA') > 0")" 0 \
	"the office's log keeps no purged value"
is "$(sq office "SELECT count(*) FROM hearth_conflict WHERE row_id = 'k-old' AND resolved = 'purged' AND lost IS NULL")" 1 \
	"the centre's late edit of the purged child lost, its value not kept in the conflict log"
is "$(sq lucai "SELECT count(*) FROM hearth_outbox")" 0 "the office confirmed the centre's late edit"

# the nodes keep syncing: a write after the purge goes up, and the office's comes down
w lucai "INSERT INTO child (owner, id, name) VALUES ('lucai','k-after','AfterPurgeChild')"
w office "INSERT INTO region (owner, id, level, name) VALUES ('office','r-after','community','AfterPurgeRegion')"
sync_all lucai office lucai fuyou
is "$SYNC_FAILED" 0 "every sync of the new writes exits 0"
is "$(hq office "SELECT name FROM child WHERE id = 'k-after'")" "AfterPurgeChild" "the centre's new write reached the office"
is "$(hq lucai "SELECT name FROM region WHERE id = 'r-after'")" "AfterPurgeRegion" "the office's new write reached the centre"
is "$(hq fuyou "SELECT name FROM region WHERE id = 'r-after'")" "AfterPurgeRegion" "... and the hospital"
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 0 "nothing was quarantined"

# a new device restores from a code issued after the purge
h office key code lucai >"$T/keys/lucai.new" 2>>"$T/log" || fail "key code"
check "a device cloned with the code of after the purge restores" \
	h lucai2 clone "$T/usb/lucai.git" --node lucai --key "$T/keys/lucai.new"
is "$(hq lucai2 "SELECT name FROM child ORDER BY name")" "AfterPurgeChild
KeptChildF
LateChildBeforeRetire" "... with the kept and the new children, not the purged one"
# the code of before the purge still restores (the clone follows the chain forward), and the
# device keeps only the new key
check "a device cloned with the code of before the purge restores" \
	h lucai3 clone "$T/usb/lucai.git" --node lucai --key "$T/keys/lucai"
is "$(sq lucai3 "SELECT hex(key) FROM hearth_key")" \
	"$(sq office "SELECT hex(key) FROM hearth_key WHERE node = 'lucai'")" "... and holds the new key only"

done_testing
