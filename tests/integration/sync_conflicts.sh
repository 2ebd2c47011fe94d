#!/bin/bash
# Conflicts at the office merge, with pinned wall clocks (HEARTH_TEST_NOW_MS) so that the order
# of edits is known: different columns of one row both survive; lww (the later clock wins, the
# loser is logged with both values and both nodes); policy office; update vs delete; a state
# order; `conflicts resolve --restore`, `conflicts show`, and their exit codes.
. "$(dirname "$0")/lib.sh" "$@"

B=1700000000000
at() { # at SECONDS: pin every following command's wall clock to B + SECONDS
	export HEARTH_TEST_NOW_MS=$((B + $1 * 1000))
}
everyone="lucai zhan team1"

mkdir -p "$T/usb"
at 0
hh office init --node office --kind office --name Office
for n in $everyone; do
	git init -q --bare "$T/usb/$n.git"
done
new_node lucai childcare_centre Lucai "$T/usb/lucai.git"
new_node zhan volunteer_station "Zhan" "$T/usb/zhan.git"
new_node team1 volunteer_team "Team one" "$T/usb/team1.git"

w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c1','Sun','1-2',10)"
w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','k1','Mei'), ('lucai','k2','Lei')"
w zhan "INSERT INTO service_request (owner,id,service_type_id,requested_at,details,assignee) VALUES ('zhan','r1','repair','2024-05-01T09:00:00+08:00','leaking tap','team1')"
at 1
sync_all lucai zhan office lucai zhan team1
is "$SYNC_FAILED" 0 "first syncs exit 0"
is "$(hq team1 "SELECT status FROM service_request WHERE id = 'r1'")" new \
	"the assignee received the request"
is "$(hq office "SELECT count(*) FROM hearth_conflict")" 0 "no conflicts yet"

# ---- offline, conflicting edits (each node's clock moves forward) ---------------------------
at 10; w office "UPDATE child SET guardian_phone = '13800000000' WHERE owner = 'lucai' AND id = 'k1'"
at 11; w lucai "UPDATE child SET birth_date = '2022-05-01' WHERE id = 'k1'"
at 20; w office "UPDATE care_class SET name = 'office-name' WHERE owner = 'lucai' AND id = 'c1'"
at 21; w lucai "UPDATE child SET notes = 'lucai-note' WHERE id = 'k1'"
at 30; w office "UPDATE child SET notes = 'office-note' WHERE owner = 'lucai' AND id = 'k1'"
at 40; w lucai "UPDATE care_class SET name = 'lucai-name' WHERE id = 'c1'"
at 45; w office "UPDATE care_class SET capacity = 8 WHERE owner = 'lucai' AND id = 'c1'"
at 50; w lucai "UPDATE care_class SET capacity = 15 WHERE id = 'c1'"
at 65; w lucai "DELETE FROM child WHERE id = 'k2'"
at 70; w office "UPDATE child SET name = 'Lei-renamed' WHERE owner = 'lucai' AND id = 'k2'"
at 80; w zhan "UPDATE service_request SET status = 'done', done_at = '2024-05-02T09:00:00+08:00' WHERE id = 'r1'"
at 90; w team1 "UPDATE service_request SET status = 'accepted', volunteer_id = 'v7' WHERE owner = 'zhan' AND id = 'r1'"

at 100
SYNC_FAILED=0
sync_all office lucai zhan team1 office lucai zhan team1 office lucai zhan team1
is "$SYNC_FAILED" 0 "conflict syncs exit 0"
for n in $everyone; do
	cmp_dump "$n"
done

# different columns of one row: both survive, nothing logged
is "$(hq office "SELECT guardian_phone || ' ' || birth_date FROM child WHERE id = 'k1'")" \
	"13800000000 2022-05-01" "office: edits of different columns of one row both survive"
is "$(hq lucai "SELECT guardian_phone || ' ' || birth_date FROM child WHERE id = 'k1'")" \
	"13800000000 2022-05-01" "lucai: edits of different columns of one row both survive"
is "$(hq office "SELECT count(*) FROM hearth_conflict WHERE col IN ('guardian_phone', 'birth_date')")" \
	0 "different columns are not a conflict"

h office conflicts list --json >"$T/conflicts.json"
check "conflicts list --json exits 0" test -s "$T/conflicts.json"
pick() { # pick TBL COL -> "kept|kept_node|lost|lost_node|policy" of that conflict
	sqlite3 :memory: "SELECT $(for k in kept kept_node lost lost_node; do printf "coalesce(json_extract(value,'\$.%s'), 'NULL') || '|' || " $k; done) json_extract(value,'\$.policy') FROM json_each(readfile('$T/conflicts.json')) WHERE json_extract(value,'\$.tbl') = '$1' AND json_extract(value,'\$.col') = '$2' ORDER BY json_extract(value,'\$.id')"
}

# lww, the office's edit is later
is "$(hq office "SELECT notes FROM child WHERE id = 'k1'")" office-note "lww: the later edit (office) wins"
is "$(hq lucai "SELECT notes FROM child WHERE id = 'k1'")" office-note "lww: lucai holds the winner"
is "$(pick child notes)" "office-note|office|lucai-note|lucai|lww" \
	"lww: the loser is logged with both values and both nodes"
# lww, the node's edit is later
is "$(hq office "SELECT name FROM care_class WHERE id = 'c1'")" lucai-name "lww: the later edit (lucai) wins"
is "$(pick care_class name)" "lucai-name|lucai|office-name|office|lww" \
	"lww: the office's losing value is logged"
# policy office
is "$(hq office "SELECT capacity FROM care_class WHERE id = 'c1'")" 8 \
	"policy office: the office's capacity wins over a later node edit"
is "$(hq lucai "SELECT capacity FROM care_class WHERE id = 'c1'")" 8 "policy office: lucai holds it"
is "$(pick care_class capacity)" "8|office|15|lucai|office" "policy office: the node's value is logged"
# update vs delete
is "$(hq office "SELECT count(*) FROM child WHERE id = 'k2'")" 0 "update vs delete: the delete wins at the office"
is "$(hq lucai "SELECT count(*) FROM child WHERE id = 'k2'")" 0 "update vs delete: the row stays deleted at lucai"
is "$(pick child name)" "NULL|lucai|Lei-renamed|office|delete" "update vs delete: the update's value is in the conflict log"
# state order
for n in office zhan team1; do
	is "$(hq "$n" "SELECT status FROM service_request WHERE id = 'r1'")" done \
		"state order: done beats a later accepted ($n)"
done
is "$(hq team1 "SELECT volunteer_id || ' ' || done_at FROM service_request WHERE id = 'r1'")" \
	"v7 2024-05-02T09:00:00+08:00" "state order: the other columns of both edits survive"
like "$(pick service_request status)" "done|zhan|accepted|team1|state:" \
	"state order: the assignee's accepted is logged"

# ---- show, resolve --restore ----------------------------------------------------------------
cid=$(sqlite3 :memory: "SELECT json_extract(value,'\$.id') FROM json_each(readfile('$T/conflicts.json')) WHERE json_extract(value,'\$.col') = 'notes'")
isnt "$cid" "" "the notes conflict has an id"
out=$(h office conflicts show "$cid" 2>&1)
is "$?" 0 "conflicts show ID exits 0"
like "$out" "lucai-note" "conflicts show names the lost value"
like "$out" "office-note" "conflicts show names the kept value"
h office conflicts show 99999 >/dev/null 2>"$T/err"
is "$?" 1 "conflicts show of an unknown id exits 1"
like "$(cat "$T/err")" "no conflict 99999" "... and says so"
h office conflicts show nonsense >/dev/null 2>&1
is "$?" 2 "conflicts show of a non-number exits 2"
h office conflicts resolve 99999 >/dev/null 2>&1
is "$?" 1 "conflicts resolve of an unknown id exits 1"

at 200
check "conflicts resolve --restore exits 0" h office conflicts resolve "$cid" --restore
is "$(hq office "SELECT notes FROM child WHERE id = 'k1'")" lucai-note "restore: the office holds the lost value"
is "$(hq office "SELECT resolved FROM hearth_conflict WHERE id = $cid")" restored "restore: the conflict is marked restored"
h office conflicts resolve "$cid" --restore >/dev/null 2>&1
is "$?" 1 "resolving twice is refused"
unlike "$(h office conflicts list)" "lucai-note" "a resolved conflict leaves the open list"
at 210
SYNC_FAILED=0
sync_all office lucai office lucai
is "$SYNC_FAILED" 0 "syncs after the restore exit 0"
is "$(hq lucai "SELECT notes FROM child WHERE id = 'k1'")" lucai-note "restore: the value reached the node"
cmp_dump lucai "lucai: dump equals the office's view after the restore"
done_testing
