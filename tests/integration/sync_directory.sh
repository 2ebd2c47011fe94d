#!/bin/bash
# Directory tables (schema v8, docs/format.md section 7): every node holds the public columns of
# every volunteer team, and nothing else of the other nodes. Real nodes through the office: a
# team node keeps its team row, a centre its classes and children, a station logs a resident's
# call. After the syncs the station holds the teams' public columns and no private column of any
# team (the office here declares `members` private, as a deployment may), no other centre's
# classes, children or partners, and no team's volunteers; it assigns the call to the team, the
# team receives it and accepts it, the station sees that. A team's later changes reach every
# node (its public columns only); its delete reaches them as a key. Every node's database equals
# the office's view for it.
. "$(dirname "$0")/lib.sh" "$@"

mkdir -p "$T/usb"
hh office init --node office --kind office --name Office
for n in gcd redwrench lucai; do
	git init -q --bare "$T/usb/$n.git"
done
new_node gcd volunteer_station "Guangchangdong station" "$T/usb/gcd.git"
new_node redwrench volunteer_team "Red Wrench" "$T/usb/redwrench.git"
new_node lucai childcare_centre Lucai "$T/usb/lucai.git"

# the office keeps a team's head count private (an office-side declaration: what it sends)
sq office "UPDATE hearth_column SET visibility = 'private'
	WHERE tbl = 'volunteer_team' AND col = 'members'"
is "$(sq office "SELECT directory FROM hearth_table WHERE name = 'volunteer_team'")" 1 \
	"volunteer_team is declared a directory"
is "$(sq office "SELECT group_concat(name) FROM hearth_table WHERE directory = 1")" \
	"volunteer_team" "and nothing else is"

PHONE="139$(printf %08d $$)"     # a volunteer's phone at the team: the team's private row
KID="Kq3child$$z"               # a child at lucai
w redwrench "INSERT INTO volunteer_team (owner, id, name, service_type_id, members)
	VALUES (hearth_node(), 'repair', '红扳手维修队', 'repair', 24)"
w redwrench "INSERT INTO volunteer (owner, id, name, phone, team_id)
	VALUES (hearth_node(), 'v1', 'Volunteer', '$PHONE', 'repair')"
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity)
	VALUES ('lucai', 'c1', 'Sun', '1-2', 10)"
w lucai "INSERT INTO child (owner, id, name) VALUES ('lucai', 'k1', '$KID')"
w lucai "INSERT INTO partnership (owner, id, partner_id, kind) VALUES ('lucai', 'p1', 'fuyou', 'medical')"
w gcd "INSERT INTO volunteer_team (owner, id, name, service_type_id, members)
	VALUES (hearth_node(), 'mediation', '调解队', 'mediation', 9)"
w gcd "INSERT INTO service_request (owner, id, service_type_id, requested_at, resident_name,
	resident_phone, details) VALUES (hearth_node(), 'r1', 'repair', '2026-12-01T09:00:00+08:00',
	'Resident', '13800000000', 'the lights trip')"
sync_all redwrench lucai gcd office gcd redwrench lucai
is "$SYNC_FAILED" 0 "every sync exited 0"

# ---- what the station holds -----------------------------------------------------------------
is "$(hq gcd "SELECT name || ' ' || service_type_id FROM volunteer_team WHERE owner = 'redwrench'")" \
	"红扳手维修队 repair" "the station holds the team's name and service type"
is "$(hq gcd "SELECT quote(members) FROM volunteer_team WHERE owner = 'redwrench'")" NULL \
	"and not its private column"
is "$(hq office "SELECT members FROM volunteer_team WHERE owner = 'redwrench'")" 24 \
	"control: the office holds the private column"
is "$(hq redwrench "SELECT members FROM volunteer_team WHERE id = 'repair'")" 24 \
	"control: the team holds its own private column"
is "$(hq redwrench "SELECT quote(members) FROM volunteer_team WHERE owner = 'gcd'")" NULL \
	"the team holds the station's team without its private column"
is "$(hq gcd "SELECT count(*) FROM care_class WHERE owner = 'lucai'")" 0 \
	"the station holds no class of another centre"
is "$(hq gcd "SELECT count(*) FROM child WHERE owner = 'lucai'") $(hq gcd "SELECT count(*) FROM partnership")" \
	"0 0" "nor its children, nor its partners"
is "$(hq gcd "SELECT count(*) FROM volunteer")" 0 "nor the team's volunteers"
is "$(hq lucai "SELECT count(*) FROM volunteer_team")" 2 "every node holds every team"
is "$(hq lucai "SELECT count(*) FROM service_request")" 0 "but no request"
is "$(hq redwrench "SELECT count(*) FROM care_class")" 0 "the team holds no class either"
cmp_dump gcd
cmp_dump redwrench
cmp_dump lucai

# ---- the station assigns the call to the team by the team's row ----------------------------
w gcd "UPDATE service_request SET team_id = 'repair', assignee = 'redwrench' WHERE id = 'r1'"
SYNC_FAILED=0
sync_all gcd office redwrench
is "$(hq redwrench "SELECT resident_phone || ' ' || details FROM service_request WHERE id = 'r1'")" \
	"13800000000 the lights trip" "the team received the request assigned to it"
w redwrench "UPDATE service_request SET status = 'accepted' WHERE id = 'r1'"
sync_all redwrench office gcd
is "$SYNC_FAILED" 0 "the syncs around the assignment exited 0"
is "$(hq gcd "SELECT status FROM service_request WHERE id = 'r1'")" accepted \
	"the station sees the team accept it"
is "$(hq lucai "SELECT count(*) FROM service_request")" 0 "the centre never sees the request"
like "$(h gcd report)" "| accepted | 红扳手维修队 | the lights trip |" \
	"the station's report names the team the request went to"

# ---- later changes of a team: public columns only; a delete as a key -------------------------
w redwrench "UPDATE volunteer_team SET members = 31 WHERE id = 'repair'"
w redwrench "UPDATE volunteer_team SET name = '红扳手维修服务队' WHERE id = 'repair'"
w gcd "DELETE FROM volunteer_team WHERE id = 'mediation'"
SYNC_FAILED=0
sync_all redwrench gcd office gcd redwrench lucai
is "$SYNC_FAILED" 0 "the syncs after the teams' changes exited 0"
is "$(hq lucai "SELECT name || ' ' || quote(members) FROM volunteer_team WHERE owner = 'redwrench'")" \
	"红扳手维修服务队 NULL" "a renamed team reaches every node, its private column does not"
is "$(hq lucai "SELECT count(*) FROM volunteer_team WHERE owner = 'gcd'")" 0 \
	"a deleted team is gone at every node"
cmp_dump gcd "gcd: dump equals the office's view after the teams' changes"
cmp_dump lucai "lucai: dump equals the office's view after the teams' changes"

# ---- a snapshot carries the same: the station restored on a new device ----------------------
hh office snapshot gcd
mv "$T/gcd" "$T/gcd.lost"
hh gcd clone "$T/usb/gcd.git" --node gcd
is "$?" 0 "the station is restored from its snapshot"
is "$(hq gcd "SELECT name || ' ' || quote(members) FROM volunteer_team WHERE owner = 'redwrench'")" \
	"红扳手维修服务队 NULL" "the snapshot holds the team's public columns, not its private one"
is "$(hq gcd "SELECT count(*) FROM care_class") $(hq gcd "SELECT count(*) FROM child")" "0 0" \
	"and nothing of the centre"
cmp_dump gcd "gcd: the restored station equals the office's view"

# ---- bytes: the team's private values never reach the station or the centre ----------------
obj_hits() {
	git -C "$1" cat-file --batch-all-objects --batch 2>/dev/null | grep -a -c -F "$2"
}
raw_hits() {
	local m=$1 f n=0
	shift
	for f in "$@"; do
		[ -f "$f" ] && grep -a -q -F "$m" "$f" && n=$((n + 1))
	done
	echo "$n"
}
isnt "$(obj_hits "$T/usb/redwrench.git" "$PHONE")" 0 "control: the team's up carries its volunteer's phone"
for n in gcd gcd.lost lucai; do
	[ -d "$T/usb/$n.git" ] &&
		is "$(obj_hits "$T/usb/$n.git" "$PHONE")" 0 "no object of $n's repository holds the team's volunteer"
	is "$(raw_hits "$PHONE" "$T/$n/hearth.db" "$T/$n/hearth.db-wal")" 0 "$n's database never held it"
done
is "$(obj_hits "$T/usb/gcd.git" "$KID")" 0 "no object of the station's repository holds lucai's child"
unlike "$(h office dump --for gcd)" "$KID" "the office's view for the station has no child of lucai"

# ---- the declaration is checked: a directory's private column must allow NULL ---------------
mkdir -p "$T/bad"
cp "$T/office/hearth.db" "$T/bad/hearth.db"
sqlite3 "$T/bad/hearth.db" "UPDATE hearth_column SET visibility = 'private'
	WHERE tbl = 'volunteer_team' AND col = 'name'"
like "$("$HEARTH" -C "$T/bad" query "SELECT 1" 2>&1)" \
	"private column 'name' of directory table 'volunteer_team' must allow NULL" \
	"a directory table whose private column is NOT NULL is refused"
cp "$T/office/hearth.db" "$T/bad/hearth.db"
sqlite3 "$T/bad/hearth.db" "UPDATE hearth_column SET audience_sees = 1 WHERE tbl = 'volunteer_team';
	UPDATE hearth_table SET audience_col = 'owner' WHERE name = 'volunteer_team'"
like "$("$HEARTH" -C "$T/bad" query "SELECT 1" 2>&1)" \
	"directory table 'volunteer_team' must not have an audience column" \
	"a directory table with an audience column is refused"
# and an audience may be denied only a column that may be NULL (it holds the row without it)
cp "$T/office/hearth.db" "$T/bad/hearth.db"
sqlite3 "$T/bad/hearth.db" "UPDATE hearth_column SET audience_sees = 0
	WHERE tbl = 'child' AND col = 'name'"
like "$("$HEARTH" -C "$T/bad" query "SELECT 1" 2>&1)" \
	"column 'name' of 'child' is required, so its audience must receive it" \
	"an audience denied a required column is refused"
is "$(sqlite3 "$T/office/hearth.db" "SELECT audience_sees FROM hearth_column
	WHERE tbl = 'child' AND col = 'name'")" 1 "control: the shipped schema lets the audience see it"
done_testing
