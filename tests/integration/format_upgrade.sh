#!/bin/bash
# Log format 1 -> 2 in the field: repositories already hold format 1 commits (one blob per entry)
# written by the hearth before format 2, built here as hearth-format1 (the same code at format 1).
# An office and two centres start on it; a centre upgrades first (the old office quarantines its
# format 2 commit asking for an upgrade), then the office (it merges the format 1 and the
# quarantined format 2 commits and writes format 2 downs, which the old centre refuses with
# "upgrade hearth" while its pushes still merge), then the other centre. A clone reads both
# formats on down (a format 1 snapshot, then both) and on up (pending entries in both), and
# everyone converges.
. "$(dirname "$0")/lib.sh" "$@"
OLD=${2:-}
case $OLD in
/*) ;;
*) OLD=$PWD/$OLD ;;
esac
[ -x "$OLD" ] || { echo "Bail out! usage: $0 HEARTH HEARTH_FORMAT1"; exit 1; }

# old NODE ARGS...: hearth-format1, quietly (like hh)
old() {
	local node=$1
	shift
	echo "+ hearth-format1 -C $node $*" >>"$T/log"
	timeout 120 "$OLD" -C "$T/$node" "$@" >>"$T/log" 2>&1
}
# formats BRANCH NODE: the formats of the commits on the branch, oldest first, e.g. "1 1 2"
formats() {
	git -C "$T/usb/$2.git" log --reverse --format=%B "$1" | sed -n 's/^Hearth-Format: //p' |
		tr '\n' ' ' | sed 's/ $//'
}

mkdir -p "$T/usb"
git init -q --bare "$T/usb/lucai.git"
git init -q --bare "$T/usb/xiaoxiangwan.git"
old office init --node office --kind office --name Office
for n in lucai xiaoxiangwan; do
	old "$n" init --node "$n" --kind childcare_centre --name "Centre $n" &&
		old "$n" remote add office "$T/usb/$n.git" &&
		old office remote add "$n" "$T/usb/$n.git" || fail "init $n"
done

# ---- everyone on format 1 -----------------------------------------------------------------------
old office exec "INSERT INTO region (owner,id,parent_id,level,name) VALUES ('office','r1','luzhou','community','社区一')"
old lucai exec "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c1','托大班','2-3',25)"
old lucai exec "INSERT INTO child (owner,id,name) VALUES ('lucai','k1','王小明')"
old xiaoxiangwan exec "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('xiaoxiangwan','c1','月亮班','1-2',20)"
for n in lucai xiaoxiangwan office lucai xiaoxiangwan; do
	old "$n" sync || fail "format 1 sync at $n"
done
old office snapshot lucai || fail "format 1 snapshot"
old office exec "INSERT INTO region (owner,id,parent_id,level,name) VALUES ('office','r2','luzhou','community','社区二')"
old office sync
is "$(formats up lucai)" "1" "the old hearth writes format 1 on up"
is "$(formats down lucai)" "1 1 1" "... and on down, with a snapshot"
like "$(git -C "$T/usb/lucai.git" ls-tree --name-only up)" "00000000000000000001" \
	"... one blob per entry, named by its seq"

# ---- a centre upgrades before the office --------------------------------------------------------
hh xiaoxiangwan exec "UPDATE care_class SET capacity = 21 WHERE id = 'c1'"
hh xiaoxiangwan sync
is "$?" 0 "the upgraded centre pulls the format 1 down and pushes"
is "$(formats up xiaoxiangwan)" "1 2" "it writes format 2 after the format 1 commits"
old office sync
like "$(sq office "SELECT reason FROM hearth_quarantine WHERE node = 'xiaoxiangwan'")" "upgrade hearth" \
	"the old office quarantines the format 2 commit asking for an upgrade"
is "$(hq office "SELECT capacity FROM care_class WHERE owner = 'xiaoxiangwan'")" 20 "... and merges nothing of it"
# the old centre pushes format 1 entries the office has not merged yet
old lucai exec "INSERT INTO child (owner,id,name) VALUES ('lucai','k2','L1')"
old lucai push

# ---- the office upgrades ------------------------------------------------------------------------
hh office sync
is "$?" 0 "the upgraded office syncs"
is "$(hq office "SELECT capacity FROM care_class WHERE owner = 'xiaoxiangwan'")" 21 \
	"it merges the quarantined format 2 commit"
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 0 "... and clears the quarantine"
is "$(hq office "SELECT name FROM child WHERE id = 'k2'")" L1 "it merges the old centre's format 1 commit"
is "$(formats down lucai)" "1 1 1 2" "it writes format 2 on down after format 1"
old lucai exec "INSERT INTO child (owner,id,name) VALUES ('lucai','k3','L2')"
old lucai sync
isnt "$?" 0 "the old centre refuses to pull a format 2 down"
like "$(tail -n 3 "$T/log")" "upgrade hearth" "... saying 'upgrade hearth'"
is "$(formats up lucai)" "1 1 1" "... and still pushes its change in format 1"

# ---- the last centre upgrades; a clone reads both formats -------------------------------------------
hh lucai exec "INSERT INTO child (owner,id,name) VALUES ('lucai','k4','L3')"
hh lucai push
is "$(formats up lucai)" "1 1 1 2" "the upgraded centre pushes format 2 after its format 1 commits"
mv "$T/lucai" "$T/lucai.lost"
h lucai clone "$T/usb/lucai.git" --node lucai >"$T/clone.out" 2>&1
is "$?" 0 "a clone reads a format 1 snapshot, format 1 and 2 downs, format 1 and 2 ups"
like "$(cat "$T/clone.out")" "3 down commits read" "the clone starts at the format 1 snapshot and reads the two commits after it"
like "$(cat "$T/clone.out")" "2 of its own changes waiting" \
	"the unmerged entries of both formats are back in the outbox"
is "$(hq lucai "SELECT group_concat(name, '|') FROM (SELECT name FROM child ORDER BY id)")" "王小明|L1|L2|L3" \
	"the clone holds the merged and the pending children"

# ---- everyone on format 2 ------------------------------------------------------------------------
sync_all office lucai xiaoxiangwan office lucai xiaoxiangwan
is "$SYNC_FAILED" 0 "every sync exits 0 once everyone is upgraded"
cmp_dump lucai
cmp_dump xiaoxiangwan
is "$(hq office "SELECT group_concat(name, '|') FROM (SELECT name FROM child ORDER BY id)")" "王小明|L1|L2|L3" \
	"the office holds every change, whichever format carried it"
is "$(sq office "SELECT count(*) || ' ' || count(DISTINCT node || '/' || seq) FROM hearth_applied")" \
	"$(sq office "SELECT count(*) || ' ' || count(*) FROM hearth_applied")" "nothing merged twice"
hh office snapshot xiaoxiangwan
like "$(git -C "$T/usb/xiaoxiangwan.git" log -1 --format=%B down)" "Hearth-Entries: 1 1 1" \
	"a format 2 snapshot lists its parts"
mv "$T/xiaoxiangwan" "$T/xiaoxiangwan.lost"
hh xiaoxiangwan clone "$T/usb/xiaoxiangwan.git" --node xiaoxiangwan
is "$?" 0 "a clone from a format 2 snapshot"
cmp_dump xiaoxiangwan "the clone from a format 2 snapshot equals the office's view"
done_testing
