#!/bin/bash
# hearth purge --older-than 3y: an office, a childcare centre, a volunteer station and a hospital
# through bare repositories. Records closed five years ago are removed at the office and, after
# the sync, at every node; records still open or closed recently stay; the public site is
# byte-identical before and after (requests solved per type and month, vacancies); the purge is
# one recorded change and is logged with counts, never values. Only a record's owner and the
# office close it or keep it open: an assignee dating a request done in 1999, or a hospital's
# check of a centre's child due in 2999, steers neither the purge nor the public tally.
. "$(dirname "$0")/lib.sh" "$@"

# every clock pinned: 2026-11-20 10:00 China time, so the cutoff of 3y is 2023-11-20
export HEARTH_TEST_NOW_MS=1795140000000
mkdir -p "$T/usb"
hh office init --node office --kind office --name 长治市卫健委 || fail "office init"
for n in lucai:childcare_centre gcd:volunteer_station fuyou:hospital; do
	git init -q --bare "$T/usb/${n%%:*}.git"
	new_node "${n%%:*}" "${n#*:}" "Node ${n%%:*}" "$T/usb/${n%%:*}.git" || fail "init ${n%%:*}"
done

# The centre. Children: k-old (one enrolment ended 2021), k-old2 (two ended 2021, a check by the
# centre itself in 2021), k-mixed (an old enrolment and a current one), k-due (ended 2021, but the
# centre's own health check due in 2024), k-recent (ended 2025), k-new (current), k-none (no
# enrolment).
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES
	('lucai','c1','太阳班','1-2',10), ('lucai','c2','月亮班','2-3',5)"
w lucai "INSERT INTO child (owner, id, name, guardian_phone) VALUES
	('lucai','k-old','PurgedChildA','13800009001'), ('lucai','k-old2','PurgedChildB','13800009002'),
	('lucai','k-mixed','KeptChildC',NULL), ('lucai','k-due','KeptChildD',NULL),
	('lucai','k-recent','KeptChildE',NULL), ('lucai','k-new','KeptChildF',NULL),
	('lucai','k-none','KeptChildG',NULL)"
w lucai "INSERT INTO enrolment (owner, id, child_id, class_id, mode, starts_on, ends_on) VALUES
	('lucai','e-old','k-old','c1','full_day','2019-09-01','2021-06-30'),
	('lucai','e-old2a','k-old2','c2','full_day','2019-09-01','2020-06-30'),
	('lucai','e-old2b','k-old2','c1','hourly','2020-09-01','2021-07-15'),
	('lucai','e-mx1','k-mixed','c2','temporary','2021-01-04','2021-01-31'),
	('lucai','e-mx2','k-mixed','c1','full_day','2025-09-01',NULL),
	('lucai','e-due','k-due','c2','full_day','2020-09-01','2021-06-30'),
	('lucai','e-recent','k-recent','c2','full_day','2023-09-01','2025-06-30'),
	('lucai','e-new','k-new','c1','full_day','2026-09-01',NULL),
	('lucai','e-next','k-new','c2','full_day','2026-09-01','2027-06-30')"
w lucai "INSERT INTO health_check (owner, id, centre_id, child_id, checked_on, findings)
	VALUES ('lucai','h-own','lucai','k-old2','2021-05-01','PurgedFindingA')"
w lucai "INSERT INTO health_check (owner, id, centre_id, child_id, checked_on, next_due, findings)
	VALUES ('lucai','h-due','lucai','k-due','2021-03-01','2024-01-01','KeptFindingD')"
# The hospital's checks of the centre's children (the centre is their audience); one of a child
# the centre deleted long ago; one "due in 2999", which must not keep the centre's child.
w fuyou "INSERT INTO health_check (owner, id, centre_id, child_id, checked_on, next_due, findings)
	VALUES ('fuyou','h-old','lucai','k-old','2021-03-01','2021-09-01','PurgedFindingB'),
	('fuyou','h-gone','lucai','k-gone','2020-10-01',NULL,'PurgedFindingC'),
	('fuyou','h-far','lucai','k-old','2021-03-01','2999-01-01','PurgedFindingF'),
	('fuyou','h-new','lucai','k-new','2026-10-01',NULL,'KeptFindingE')"
# The station. v-gone left the teams and served only old requests; v-active is on a team;
# v-idle left the teams but served no request (no date to judge by).
w gcd "INSERT INTO volunteer_team (owner, id, name, service_type_id, members)
	VALUES ('gcd','t1','维修服务队','repair',5)"
w gcd "INSERT INTO volunteer (owner, id, name, phone, team_id) VALUES
	('gcd','v-gone','PurgedVolunteer','13800009011',NULL),
	('gcd','v-active','KeptVolunteerA',NULL,'t1'), ('gcd','v-idle','KeptVolunteerB',NULL,NULL)"
w gcd "INSERT INTO service_request (owner, id, service_type_id, requested_at, resident_name,
	resident_phone, status, volunteer_id, done_at) VALUES
	('gcd','r-old1','repair','2021-04-09T10:00:00+08:00','PurgedResidentA','13800009021','done','v-gone','2021-04-10T12:00:00+08:00'),
	('gcd','r-old2','repair','2021-04-19T10:00:00+08:00','PurgedResidentB',NULL,'done','v-active','2021-04-20T12:00:00+08:00'),
	('gcd','r-old3','ride_escort','2021-05-01T08:00:00+08:00','PurgedResidentC',NULL,'cancelled',NULL,NULL),
	('gcd','r-old4','elderly_canteen','2023-11-19T11:00:00+08:00','PurgedResidentD',NULL,'done',NULL,'2023-11-19T12:00:00+08:00'),
	('gcd','r-open','repair','2021-02-01T09:00:00+08:00','KeptResidentA',NULL,'new',NULL,NULL),
	('gcd','r-edge','elderly_canteen','2023-11-19T11:00:00+08:00','KeptResidentB',NULL,'done',NULL,'2023-11-20T09:00:00+08:00'),
	('gcd','r-new','repair','2026-10-05T09:00:00+08:00','KeptResidentC',NULL,'done','v-active','2026-10-05T15:00:00+08:00')"
# Assigned to the centre: r-steer is new, r-late was requested in 2021 and is still open.
w gcd "INSERT INTO service_request (owner, id, service_type_id, requested_at, resident_name,
	status, assignee) VALUES
	('gcd','r-steer','repair','2026-10-01T09:00:00+08:00','KeptResidentD','accepted','lucai'),
	('gcd','r-late','ride_escort','2021-03-01T09:00:00+08:00','KeptResidentE','accepted','lucai')"

settle() {
	sync_all lucai gcd fuyou office lucai gcd fuyou office lucai gcd fuyou
}
settle
# the assignee closes both, dating them back: a done_at it wrote is not the owner's date, and its
# write reached the office today (after the cutoff)
w lucai "UPDATE service_request SET status = 'done', done_at = '1999-01-01T12:00:00+08:00' WHERE id = 'r-steer'"
w lucai "UPDATE service_request SET status = 'done', done_at = '2021-05-01T12:00:00+08:00' WHERE id = 'r-late'"
settle
is "$SYNC_FAILED" 0 "every sync exits 0"
is "$(hq office "SELECT count(*) FROM child") $(hq office "SELECT count(*) FROM service_request")" \
	"7 9" "the office holds every child and request"
is "$(hq office "SELECT done_at FROM service_request WHERE id = 'r-steer'")" 1999-01-01T12:00:00+08:00 \
	"the assignee's done_at reached the office"

check "site build before" h office site build --out "$T/site-before"

hh lucai purge
is "$?" 1 "purge at a node is refused"
like "$(h lucai purge 2>&1)" "office only" "and the error says it runs at the office"
hh office purge --older-than 3x
is "$?" 2 "a malformed period is a usage error"

out=$(h office purge --older-than 3y)
is "$?" 0 "purge --older-than 3y exits 0"
like "$out" "records closed before 2023-11-20" "the cutoff is 3 years before now"
like "$(h office log)" "purge: personal records closed before 2023-11-20 (older than 3y)" \
	"the purge is one recorded change in hearth log"
is "$(sq office "SELECT count(*) FROM hearth_outbox")" 1 "exactly one recorded change"

settle
is "$SYNC_FAILED" 0 "every sync after the purge exits 0"

purged="child:k-old child:k-old2 enrolment:e-old enrolment:e-old2a enrolment:e-old2b
	enrolment:e-mx1 enrolment:e-due health_check:h-own health_check:h-old health_check:h-gone
	health_check:h-far volunteer:v-gone service_request:r-old1 service_request:r-old2 service_request:r-old3
	service_request:r-old4"
kept="child:k-mixed child:k-due child:k-recent child:k-new child:k-none enrolment:e-mx2
	enrolment:e-recent enrolment:e-new enrolment:e-next health_check:h-due health_check:h-new
	volunteer:v-active volunteer:v-idle service_request:r-open service_request:r-edge
	service_request:r-new service_request:r-steer service_request:r-late"
for node in office lucai gcd fuyou; do
	left=""
	for r in $purged; do
		[ "$(hq $node "SELECT count(*) FROM ${r%%:*} WHERE id = '${r#*:}'")" = 0 ] || left="$left $r"
	done
	is "$left" "" "$node: no purged row remains"
done
for r in $kept; do
	is "$(hq office "SELECT count(*) FROM ${r%%:*} WHERE id = '${r#*:}'")" 1 "office keeps ${r#*:}"
done
is "$(hq lucai "SELECT group_concat(id, '|') FROM (SELECT id FROM child ORDER BY id)")" \
	"k-due|k-mixed|k-new|k-none|k-recent" "the centre keeps its other children"
is "$(hq fuyou "SELECT group_concat(id, '|') FROM (SELECT id FROM health_check ORDER BY id)")" \
	"h-new" "the hospital keeps its other check (its check due in 2999 went with the child)"
is "$(hq gcd "SELECT group_concat(id, '|') FROM (SELECT id FROM volunteer ORDER BY id)")" \
	"v-active|v-idle" "the station keeps its other volunteers"
for n in lucai gcd fuyou; do
	cmp_dump $n
done

is "$(hq office "SELECT group_concat(id || '=' || solved, ' ') FROM (SELECT * FROM request_tally ORDER BY id)")" \
	"2021-04-repair=2 2023-11-elderly_canteen=1" "the solved requests are tallied per type and month"
is "$(hq gcd "SELECT sum(solved) FROM request_tally")" 3 "the tally reaches the nodes"

check "site build after" h office site build --out "$T/site-after"
for f in data/requests_solved.json data/requests_solved.csv data/vacancies.json \
	centres/lucai.html services.html index.html; do
	check "$f is byte-identical after the purge" cmp "$T/site-before/$f" "$T/site-after/$f"
done
like "$(cat "$T/site-after/data/requests_solved.csv")" "2021-04,repair,2" \
	"the site still counts the purged requests solved in 2021-04"
unlike "$(cat "$T/site-after/data/requests_solved.csv")" "1999-01" \
	"an assignee's done_at of 1999 is no month of the public tally"
like "$(cat "$T/site-after/data/requests_solved.csv")" "2026-10,repair,2" \
	"the request it closed counts in the month its owner dated (requested)"
like "$(cat "$T/site-after/data/vacancies.csv")" "lucai,c1,1-2,10,8" \
	"vacancies count the current enrolments only"
check "the whole site is byte-identical" diff -r "$T/site-before" "$T/site-after"

log=$(sq office "SELECT id, by_node, older_than, cutoff, tbl, rows FROM hearth_purge_log ORDER BY tbl")
is "$log" "1|office|3y|2023-11-20|child|2
1|office|3y|2023-11-20|enrolment|5
1|office|3y|2023-11-20|health_check|4
1|office|3y|2023-11-20|service_request|4
1|office|3y|2023-11-20|volunteer|1" "the purge log says what, by whom and how many rows"
is "$(sq office "SELECT at_ms FROM hearth_purge_log GROUP BY at_ms")" "$HEARTH_TEST_NOW_MS" \
	"and when"
values=$(sq office ".dump hearth_purge_log" | grep -c -e Purged -e 138000090)
is "$values" 0 "and no purged value"
for node in office lucai gcd fuyou; do
	is "$(h $node dump | grep -c -e Purged -e 138000090)" 0 "$node: no purged value in its data"
done

out=$(h office purge)
like "$out" "0 service_request, 0 volunteer, 0 health_check, 0 enrolment, 0 child" \
	"a second purge (default 3y) finds nothing more"
is "$(sq office "SELECT count(*) FROM hearth_purge_log WHERE id = 2 AND rows = 0")" 5 \
	"and is logged too"
done_testing
