#!/bin/bash
# A child's partner hospital (docs/security.md, "A child's partner hospital"). A centre and an
# office on hearth at schema v3 hold two children; after the upgrade both are kept, neither names
# a hospital and the hospital holds none. The centre names its medical partner for one child:
# after the syncs the hospital holds exactly that child, with the declared columns only (no
# guardian phone, guardian name or notes in its database, its repositories or anything it can
# fetch, snapshots included). The hospital records a check; the centre receives it. The centre
# clears the column: the hospital no longer holds the child, and keeps its own check. A centre
# cannot name a node it has no medical partnership with.
# usage: sync_health_partner.sh HEARTH HEARTH_V3
. "$(dirname "$0")/lib.sh" "$1"
V3=$2
case $V3 in /*) ;; *) V3=$PWD/$V3 ;; esac

v3() {
	local node=$1
	shift
	echo "+ hearth-v3 -C $node $*" >>"$T/log"
	"$V3" -C "$T/$node" "$@" >>"$T/log" 2>&1
}

PHONE="139$(printf %08d $$)"   # the guardian's phone: never at the hospital
NOTE="Nut7allergy$$"            # the centre's notes: never at the hospital
GUARD="Guard3ian$$"             # the guardian's name: never at the hospital
PHONE2="137$(printf %08d $$)"   # a later phone, written while the hospital sees the child

mkdir -p "$T/usb"
for n in lucai fuyou; do
	git init -q --bare "$T/usb/$n.git"
done
# the field before this page: schema v3
v3 office init --node office --kind office --name Office || fail "v3 office init"
for n in lucai:childcare_centre fuyou:hospital; do
	v3 "${n%%:*}" init --node "${n%%:*}" --kind "${n#*:}" --name "${n%%:*}" ||
		fail "v3 ${n%%:*} init"
	v3 "${n%%:*}" remote add office "$T/usb/${n%%:*}.git"
	v3 office remote add "${n%%:*}" "$T/usb/${n%%:*}.git"
done
v3 lucai exec "INSERT INTO child (owner, id, name, birth_date, sex, guardian_name, guardian_phone,
	notes) VALUES ('lucai', 'k1', '王小明', '2024-05-01', 'm', '$GUARD', '$PHONE', '$NOTE'),
	('lucai', 'k2', '李小红', '2024-07-09', 'f', NULL, NULL, NULL)" || fail "v3 children"
v3 lucai exec "INSERT INTO partnership (owner, id, partner_id, kind) VALUES
	('lucai', 'p1', 'fuyou', 'medical'), ('lucai', 'p2', 'yiyuan2', 'education')" ||
	fail "v3 partnerships"
for n in lucai office fuyou; do
	v3 "$n" sync || fail "v3 sync at $n"
done

# the upgrade keeps every row; no child names a hospital, the hospital holds none
sync_all lucai office fuyou office lucai fuyou
is "$SYNC_FAILED" 0 "the upgraded nodes synced"
for n in lucai office; do
	is "$(hq "$n" "SELECT group_concat(id || ':' || coalesce(health_partner, '-'), ' ')
		AS r FROM (SELECT * FROM child ORDER BY id)")" "k1:- k2:-" \
		"$n: both children kept by the upgrade, neither names a hospital"
done
is "$(hq fuyou "SELECT count(*) FROM child")" 0 "the hospital holds no child before the consent"

# a node the centre has no medical partnership with cannot be named
check_not "a node that is only an education partner is refused" \
	h lucai exec "UPDATE child SET health_partner = 'yiyuan2' WHERE id = 'k2'"
OUT=$(h lucai exec "UPDATE child SET health_partner = 'nobody' WHERE id = 'k2'" 2>&1)
isnt "$?" 0 "a node that is no partner is refused"
like "$OUT" "partner hospital" "the refusal names the column by its label"

# consent for one child of two
w lucai "UPDATE child SET health_partner = 'fuyou' WHERE id = 'k1'"
sync_all lucai office fuyou
is "$SYNC_FAILED" 0 "syncs after the consent exited 0"
is "$(hq fuyou "SELECT owner || '/' || id || ' ' || name || ' ' || birth_date || ' ' || sex ||
	' ' || health_partner AS r FROM child")" "lucai/k1 王小明 2024-05-01 m fuyou" \
	"the hospital holds exactly the child named for it, with its name, birth date and sex"
is "$(hq fuyou "SELECT count(*) FROM child WHERE guardian_name IS NOT NULL OR
	guardian_phone IS NOT NULL OR notes IS NOT NULL")" 0 \
	"the columns withheld from the hospital are empty there"
cmp_dump fuyou "fuyou: dump equals the office's view, withheld columns empty"

# later edits: the hospital follows the name, never the phone
w lucai "UPDATE child SET name = '王晓明', guardian_phone = '$PHONE2' WHERE id = 'k1'"
w lucai "UPDATE child SET notes = '$NOTE again' WHERE id = 'k1'"
sync_all lucai office fuyou
is "$(hq fuyou "SELECT name || ' ' || coalesce(guardian_phone, '-') FROM child")" "王晓明 -" \
	"the hospital received the new name and no phone"
# a new copy of the hospital starts from a snapshot: it carries the declared columns only
check "the office writes the hospital a snapshot" h office snapshot fuyou
sync_all fuyou
is "$(hq fuyou "SELECT count(*) FROM child")" 1 "after the snapshot the hospital holds the child"

# lines holding $2 in every object of repository $1, decompressed
obj_hits() {
	git -C "$1" cat-file --batch-all-objects --batch 2>/dev/null | grep -a -c -F "$2"
}
# every byte the hospital holds or can fetch
hospital_hits() {
	local n
	n=$(($(obj_hits "$T/usb/fuyou.git" "$1") + $(obj_hits "$T/fuyou/repo.git" "$1")))
	n=$((n + $(cat "$T"/fuyou/hearth.db* 2>/dev/null | grep -a -c -F "$1")))
	echo "$n"
}
isnt "$(obj_hits "$T/usb/lucai.git" "$PHONE2")" 0 "control: lucai's up carries the new phone"
isnt "$(hospital_hits 王晓明)" 0 "control: the hospital's copies hold the child's name"
for v in "$PHONE" "$PHONE2" "$NOTE" "$GUARD"; do
	is "$(hospital_hits "$v")" 0 "nothing the hospital holds or can fetch has '$v'"
done

# the hospital records a check; the centre receives it
w fuyou "INSERT INTO health_check (owner, id, centre_id, child_id, checked_on, height_cm,
	weight_kg, findings) VALUES ('fuyou', 'h1', 'lucai', 'k1', '2026-11-02', 88.5, 12.4, '发育正常')"
sync_all fuyou office lucai
is "$(hq lucai "SELECT child_id || ' ' || checked_on || ' ' || height_cm || ' ' || findings
	AS r FROM health_check")" "k1 2026-11-02 88.5 发育正常" "the centre received the hospital's check"

# the centre withdraws: the hospital no longer holds the child, keeps its own check
w lucai "UPDATE child SET health_partner = NULL WHERE id = 'k1'"
SYNC_FAILED=0
sync_all lucai office fuyou office lucai fuyou
is "$SYNC_FAILED" 0 "syncs after the withdrawal exited 0"
is "$(hq fuyou "SELECT count(*) FROM child")" 0 "the hospital no longer holds the child"
is "$(hq fuyou "SELECT count(*) FROM health_check")" 1 "the hospital keeps the check it wrote"
is "$(hq lucai "SELECT count(*) FROM child")" 2 "the centre keeps both children"
cmp_dump fuyou "fuyou: dump equals the office's view after the withdrawal"
cmp_dump lucai "lucai: dump equals the office's view"
# a later edit of the withdrawn child reaches the hospital in no form
w lucai "UPDATE child SET name = 'Later$$' WHERE id = 'k1'"
SYNC_FAILED=0
sync_all lucai office fuyou
is "$SYNC_FAILED" 0 "the syncs after the later edit exited 0"
is "$(hq office "SELECT name FROM child WHERE owner = 'lucai' AND id = 'k1'")" "Later$$" \
	"control: the office holds the later edit"
is "$(hospital_hits "Later$$")" 0 "a later edit of the withdrawn child never reaches the hospital"
done_testing
