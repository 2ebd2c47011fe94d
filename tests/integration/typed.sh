#!/usr/bin/env bash
# Typed tables (schema 5) and the field's values. An office and a centre on hearth at schema v3
# hold the values centres typed before anything was checked ('二十' places, '12月6日', a
# service type 'repaair', an enrolment ending "01/07/2027"). After the upgrade nothing is lost:
# each value is in the "to fix" list, the report shows it, the site shows none of them, and the
# purge keeps the current child. A centre still on v3 sending such values merges at the upgraded
# office with them set aside, never skipped or quarantined. The current hearth refuses each
# value at exec and writes nothing.
# usage: typed.sh HEARTH HEARTH_V3
. "$(dirname "$0")/lib.sh" "$1"
V3=$2
case $V3 in /*) ;; *) V3=$PWD/$V3 ;; esac

v3() {
	local node=$1
	shift
	echo "+ hearth-v3 -C $node $*" >>"$T/log"
	"$V3" -C "$T/$node" "$@" >>"$T/log" 2>&1
}
# the clock of the story: 2026-11-20 10:00 China time
export HEARTH_TEST_NOW_MS=1795140000000

git init -q --bare "$T/lucai.git"
git init -q --bare "$T/gcd.git"
v3 office init --node office --kind office --name 长治市卫健委 || fail "v3 office init"
v3 office remote add lucai "$T/lucai.git"
v3 office remote add gcd "$T/gcd.git"
v3 lucai init --node lucai --kind childcare_centre --name 潞才 --region luzhou ||
	fail "v3 centre init"
v3 lucai remote add office "$T/lucai.git"

# ---- what the field holds: written at v3, merged by the v3 office -----------------------------
v3 lucai exec "UPDATE node SET places = '三十', lon = 'abc' WHERE id = 'lucai';
	INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES
		('lucai', 'k1', '托小班', '1-2', '二十'), ('lucai', 'k2', '托大班', '2-3', '30');
	INSERT INTO child (owner, id, name, birth_date) VALUES
		('lucai', 'ch1', '示例儿童甲', '2025/03/04'), ('lucai', 'ch2', '示例儿童乙', '2019-01-01');
	INSERT INTO enrolment (owner, id, child_id, class_id, starts_on, ends_on) VALUES
		('lucai', 'e1', 'ch1', 'k1', '2020-09-01', '01/07/2027'),
		('lucai', 'e2', 'ch2', 'k2', '2019-09-01', '2020-07-01');
	INSERT INTO health_check (owner, id, centre_id, child_id, checked_on, height_cm, weight_kg,
		next_due) VALUES ('lucai', 'hc1', 'lucai', 'doesnotexist', '2026-11-01', 925, -3, 'soon');
	INSERT INTO service_request (owner, id, service_type_id, requested_at, status, done_at) VALUES
		('lucai', 'r1', 'repair', '2026-12-01 09:00', 'done', '12月6日'),
		('lucai', 'r2', 'repair', '2026-11-30T09:00', 'done', '2026/12/02'),
		('lucai', 'r3', 'repaair', '2026-11-29T09:00', 'done', '06-12-2026'),
		('lucai', 'r4', 'repair', '2026-11-28T09:00', 'new', NULL)" ||
	fail "the v3 centre writes the field's values"
v3 lucai sync
v3 office sync
is "$("$V3" -C "$T/office" query --csv "SELECT capacity FROM care_class WHERE id = 'k1'" |
	tail -n 1 | tr -d '\r')" 二十 "the v3 office merged the free-text values"

# ---- the upgrade: the current hearth migrates both -------------------------------------------
check "the office opens with the current hearth (the migration runs)" h office status
check "the centre migrates too" h lucai status
check "the office is on schema 5 or later" test "$(sq office "PRAGMA user_version")" -ge 5

fixed() { hq "$1" "SELECT tbl || '.' || id || '.' || col || '=' || original FROM hearth_to_fix
	ORDER BY tbl, id, col" | tr '\n' ' '; }
want="care_class.k1.capacity=二十 enrolment.e1.ends_on=01/07/2027 health_check.hc1.height_cm=925.0 health_check.hc1.next_due=soon health_check.hc1.weight_kg=-3.0 node.lucai.lon=abc node.lucai.places=三十 service_request.r1.done_at=12月6日 service_request.r2.done_at=2026/12/02 service_request.r3.done_at=06-12-2026 service_request.r3.service_type_id=repaair "
is "$(fixed office)" "$want" "every refused value is in the office's to-fix list, as it was typed"
is "$(fixed lucai)" "$want" "and in the centre's"
is "$(hq office "SELECT count(*) FROM care_class") $(hq office "SELECT count(*) FROM service_request") $(hq office "SELECT count(*) FROM health_check")" \
	"2 4 1" "no row was dropped"
is "$(hq office "SELECT quote(capacity) FROM care_class WHERE id = 'k1'")" 0 \
	"a NOT NULL number takes the safe value 0"
is "$(hq office "SELECT quote(places) || quote(lon) FROM node WHERE id = 'lucai'")" NULLNULL \
	"a nullable one takes NULL"
is "$(hq office "SELECT reason FROM hearth_to_fix WHERE id = 'k1'")" \
	"cannot store TEXT value in INTEGER column care_class.capacity; set to the safe value 0" \
	"the entry says why and what the column took"
is "$(hq office "SELECT service_type_id FROM service_request WHERE id = 'r3'")" bp_screening \
	"a required reference takes the first service type (named in the entry)"
is "$(hq office "SELECT capacity FROM care_class WHERE id = 'k2'")" 30 "'30' became the number 30"
is "$(hq office "SELECT typeof(capacity) FROM care_class WHERE id = 'k2'")" integer \
	"stored as an integer"
is "$(hq office "SELECT birth_date FROM child WHERE id = 'ch1'")" 2025-03-04 \
	"'2025/03/04' became 2025-03-04"
is "$(hq office "SELECT requested_at FROM service_request WHERE id = 'r1'")" \
	2026-12-01T09:00:00+08:00 "a local time became China time with its offset"
is "$(hq office "SELECT child_id FROM health_check WHERE id = 'hc1'")" doesnotexist \
	"a reference the centre cannot see is kept (well-formed)"

# ---- the report and the site -------------------------------------------------------------------
out=$(h office report | sed 's/\\\(.\)/\1/g')
like "$out" "## To fix" "the report has a 'to fix' section"
like "$out" "| care_class | lucai | k1 | capacity | 二十 | migration |" "it lists the capacity"
like "$out" "| enrolment | lucai | e1 | ends_on | 01/07/2027 | migration |" "and the end date"
check "the site builds from the migrated office" h office site build --out "$T/site"
leaked=
for v in 二十 三十 12月6日 2026/12/02 06-12-2026 01/07/2027 repaair soon 925; do
	grep -rqF --exclude=.hearth-manifest -- "$v" "$T/site" && leaked="$leaked $v"
done
is "$leaked" "" "the site shows none of the set-aside values"

# ---- purge: decided on typed dates only --------------------------------------------------------
check "purge --older-than 3y runs" h office purge --older-than 3y
is "$(hq office "SELECT group_concat(id) FROM child ORDER BY id")" ch1 \
	"the current child (enrolment ends '01/07/2027', set aside) is kept; the old one purged"
is "$(hq office "SELECT count(*) FROM hearth_to_fix WHERE id = 'e1'")" 1 \
	"its enrolment is still listed to fix"

# ---- fixing: setting the value again clears the entry ----------------------------------------
hh lucai sync
hh lucai exec "UPDATE enrolment SET ends_on = '2027-07-01' WHERE id = 'e1'"
is "$(hq lucai "SELECT count(*) FROM hearth_to_fix WHERE id = 'e1'")" 0 \
	"setting the value again clears the centre's entry"
hh lucai sync
hh office sync
is "$(hq office "SELECT count(*) FROM hearth_to_fix WHERE id = 'e1'")" 0 \
	"and the office's, when the fix merges"
is "$(hq office "SELECT ends_on FROM enrolment WHERE id = 'e1'")" 2027-07-01 "the fix merged"

# ---- a centre still on v3 sends the values to the upgraded office -----------------------------
v3 gcd init --node gcd --kind volunteer_station --name 广场东 --region luzhou
v3 gcd remote add office "$T/gcd.git"
h office remote add gcd "$T/gcd.git" >/dev/null 2>&1
v3 gcd exec "UPDATE node SET places = '三十', phone = '12345' WHERE id = 'gcd';
	INSERT INTO volunteer_team (owner, id, name, service_type_id, members) VALUES
		('gcd', 't1', '维修队', 'repaair', '五');
	INSERT INTO service_request (owner, id, service_type_id, requested_at, status, done_at) VALUES
		('gcd', 'q1', 'repair', '2026-12-01 09:00', 'done', '12月6日')" ||
	fail "the v3 station writes the values"
v3 gcd sync
check "the office syncs" h office sync
is "$(hq office "SELECT count(*) FROM hearth_quarantine WHERE node = 'gcd'")" 0 \
	"nothing of the v3 station is quarantined"
is "$(hq office "SELECT count(*) FROM hearth_applied WHERE node = 'gcd'")" 2 \
	"both its changes merged (its registration and the values)"
is "$(hq office "SELECT count(*) FROM volunteer_team WHERE id = 't1'") $(hq office "SELECT count(*) FROM service_request WHERE id = 'q1'")" \
	"1 1" "its rows are at the office"
is "$(hq office "SELECT tbl || '.' || id || '.' || col || '=' || original FROM hearth_to_fix
	WHERE origin = 'gcd' ORDER BY tbl, id, col" | tr '\n' ' ')" \
	"node.gcd.phone=12345 node.gcd.places=三十 service_request.q1.done_at=12月6日 volunteer_team.t1.members=五 volunteer_team.t1.service_type_id=repaair " \
	"its values are set aside at the office, naming the node"
is "$(hq office "SELECT requested_at FROM service_request WHERE id = 'q1'")" \
	2026-12-01T09:00:00+08:00 "its local time was converted"
is "$(hq office "SELECT quote(members) || quote(service_type_id) FROM volunteer_team WHERE id = 't1'")" \
	"NULLNULL" "the refused values are not at the office"

# ---- the current hearth refuses each value at exec ---------------------------------------------
refuses() {
	local sql=$1 desc=$2 before after
	before=$(hq lucai "SELECT count(*) FROM hearth_outbox")
	hh lucai exec "$sql"
	is "$?" 1 "exec refuses $desc"
	after=$(hq lucai "SELECT count(*) FROM hearth_outbox")
	is "$after" "$before" "and records nothing ($desc)"
}
refuses "UPDATE care_class SET capacity = '二十' WHERE id = 'k2'" "capacity '二十'"
refuses "UPDATE node SET places = '三十' WHERE id = 'lucai'" "places '三十'"
refuses "UPDATE node SET lon = 'abc' WHERE id = 'lucai'" "lon 'abc'"
refuses "UPDATE node SET lon = 150 WHERE id = 'lucai'" "a longitude outside Changzhi"
refuses "UPDATE service_request SET done_at = '12月6日' WHERE id = 'r4'" "done_at '12月6日'"
refuses "UPDATE service_request SET done_at = '2026/12/02' WHERE id = 'r4'" "done_at '2026/12/02'"
refuses "UPDATE service_request SET done_at = '06-12-2026' WHERE id = 'r4'" "done_at '06-12-2026'"
refuses "UPDATE enrolment SET ends_on = '01/07/2027' WHERE id = 'e1'" "ends_on '01/07/2027'"
refuses "UPDATE health_check SET weight_kg = -3 WHERE id = 'hc1'" "weight -3"
refuses "UPDATE health_check SET height_cm = 925 WHERE id = 'hc1'" "height 925"
refuses "UPDATE health_check SET next_due = 'soon' WHERE id = 'hc1'" "next_due 'soon'"
refuses "UPDATE service_request SET service_type_id = 'repaair' WHERE id = 'r4'" \
	"service type 'repaair'"
refuses "UPDATE child SET sex = '女' WHERE id = 'ch1'" "sex '女'"
refuses "UPDATE child SET guardian_phone = '12345' WHERE id = 'ch1'" "a phone '12345'"
like "$(h lucai exec "UPDATE care_class SET capacity = 300 WHERE id = 'k2'" 2>&1)" capacity \
	"the refusal names the column"

# ---- a request's status moves only forward -----------------------------------------------------
check "new -> accepted" h lucai exec "UPDATE service_request SET status = 'accepted' WHERE id = 'r4'"
refuses "UPDATE service_request SET status = 'new' WHERE id = 'r4'" "accepted -> new at a node"
like "$(h lucai exec "UPDATE service_request SET status = 'new' WHERE id = 'r4'" 2>&1)" \
	"status moves only forward" "the refusal says why"
check "accepted -> done" h lucai exec "UPDATE service_request SET status = 'done' WHERE id = 'r4'"
refuses "UPDATE service_request SET status = 'accepted' WHERE id = 'r4'" "done -> accepted"
hh lucai sync
hh office sync
check "the office may reopen a request" \
	h office exec "UPDATE service_request SET status = 'new' WHERE owner = 'lucai' AND id = 'r4'"
hh office sync
hh lucai sync
is "$(hq lucai "SELECT status FROM service_request WHERE id = 'r4'")" new \
	"the reopening reaches the centre (a pull is not refused)"

# ---- fixing the "to fix" list with a sheet: export, correct in Excel, import --update -----------
v3 fixer init --node fixer --kind childcare_centre --name 修 || fail "fixer init at v3"
v3 fixer exec "INSERT INTO care_class (owner, id, name, age_band, capacity)
	VALUES ('fixer', 'f1', '托大一班', '2-3', '二十')" || fail "v3 write"
like "$(h fixer report | sed 's/\\\(.\)/\1/g')" "| care_class | fixer | f1 | capacity | 二十 |" \
	"the migrated value is to fix"
h fixer query --csv "SELECT * FROM care_class" | sed 's/,2-3,0,/,2-3,20,/' |
	iconv -f UTF-8 -t GB18030 >"$T/fix.csv"
check "the corrected sheet imports with --update" h fixer import --update care_class "$T/fix.csv"
is "$(hq fixer "SELECT capacity FROM care_class WHERE id = 'f1'")" 20 "the corrected value is there"
is "$(h fixer report | sed -n '/^## To fix/,/^## /p' | grep -c '^| care')" 0 \
	"and the to-fix list is empty"

done_testing
