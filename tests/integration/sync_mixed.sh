#!/bin/bash
# A mixed fleet (docs/security.md): enrolled nodes (format 3) and an unenrolled one (format 2)
# sync through one office in the same rounds. Each node's rows reach the nodes that may see
# them whichever format carries them; the unenrolled node is named "unsealed" in `hearth key
# status`, `status` and the report; the author of an entry travels sealed. A revoked node's
# push is quarantined while the others merge in the same round, and `clone` with a new
# enrolment restores it.
. "$(dirname "$0")/lib.sh" "$@"

mkdir -p "$T/usb" "$T/keys"
hh office init --node office --kind office --name Office
for n in lucai plain m x; do
	git init -q --bare "$T/usb/$n.git"
done
# lucai (a centre) and x (a volunteer station) enrolled; plain (a centre) and m (a station) not
hh office key issue lucai --out "$T/keys/lucai" || fail "issue lucai"
hh office key issue x --out "$T/keys/x" || fail "issue x"
hh lucai init --node lucai --kind childcare_centre --name Lucai --key "$T/keys/lucai" &&
	hh lucai remote add office "$T/usb/lucai.git" &&
	hh office remote add lucai "$T/usb/lucai.git" || fail "init lucai"
hh x init --node x --kind volunteer_station --name X --key "$T/keys/x" &&
	hh x remote add office "$T/usb/x.git" &&
	hh office remote add x "$T/usb/x.git" || fail "init x"
new_node plain childcare_centre Plain "$T/usb/plain.git" || fail "init plain"
new_node m volunteer_station M "$T/usb/m.git" || fail "init m"

formats() { # formats NODE BRANCH: the distinct formats of the branch's commits
	git -C "$T/usb/$1.git" log --format=%B "$2" | sed -n 's/^Hearth-Format: //p' | sort -u |
		tr '\n' ' ' | sed 's/ $//'
}
request() { # request OWNER ID PHONE ASSIGNEE
	w "$1" "INSERT INTO service_request (owner, id, service_type_id, requested_at, resident_name,
		resident_phone, details, assignee) VALUES ('$1', '$2', 'repair',
		'2026-01-05T09:00:00+08:00', 'Resident $2', '$3', 'details $2', '$4')"
}

# a sealed centre asks the unsealed station, the unsealed centre asks the sealed one
request lucai r1 13911110001 m
request plain r2 13922220002 x
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c1','SealedClass','2-3',25)"
w plain "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('plain','c1','PlainClass','2-3',20)"
# an entry by an account of lucai's app: its author travels sealed
AUTHOR="Author$$Secret"
authored=$(sqlite3 "$T/lucai/hearth.db" "UPDATE hearth_outbox SET author = '$AUTHOR' WHERE pushed = 0;
	SELECT changes()")
isnt "${authored:-0}" 0 "(entries by an account of lucai's app waiting to be pushed)"
# the same rounds for all: two, every node each round
for round in 1 2; do
	sync_all lucai plain m x office lucai plain m x
done
is "$SYNC_FAILED" 0 "every sync of the mixed fleet exits 0"
is "$(formats lucai up) / $(formats x up)" "3 / 3" "the enrolled nodes write format 3"
is "$(formats plain up) / $(formats m up)" "2 / 2" "the unenrolled nodes write format 2"
is "$(formats m down) / $(formats x down)" "2 / 3" "each receives its down in its own format"
is "$(hq m "SELECT resident_phone FROM service_request WHERE id = 'r1'")" 13911110001 \
	"the unsealed station received the sealed centre's request"
is "$(hq x "SELECT resident_phone FROM service_request WHERE id = 'r2'")" 13922220002 \
	"the sealed station received the unsealed centre's request"
is "$(hq x "SELECT count(*) FROM service_request WHERE id = 'r1'")" 0 "(x is not r1's audience)"
is "$(hq office "SELECT group_concat(name, ' ') FROM (SELECT name FROM care_class ORDER BY name)")" \
	"PlainClass SealedClass" "the office merged both centres' rows"
for n in lucai plain m x; do
	cmp_dump "$n"
done

# ---- the author: at the office, not in the clear in lucai's repository ------------------------------
is "$(sq office "SELECT count(*) FROM hearth_log WHERE author = '$AUTHOR'")" "$authored" \
	"the office keeps the sealed author with each merged entry"
hits() { git -C "$T/usb/$1.git" cat-file --batch-all-objects --batch | grep -a -c -F "$2"; }
is "$(hits lucai "$AUTHOR")" 0 "the author's name is in no object of lucai's repository"
is "$(hits lucai 13911110001)" 0 "... nor the request's phone"
isnt "$(hits plain 13922220002)" 0 "(the unsealed centre's phone is in the clear: the grep finds it)"

# ---- key states -------------------------------------------------------------------------------------
is "$(h office key status)" "$(printf 'lucai\t1\tsealing\nm\t0\tunsealed\nplain\t0\tunsealed\nx\t1\tsealing')" \
	"key status names the unenrolled nodes unsealed"
like "$(h office status)" "plain 0 unsealed" "status at the office names the unsealed node"
h office report >"$T/report.md" || fail "report"
like "$(cat "$T/report.md")" "## Keys" "the report has a section on keys"
like "$(grep -F '| plain |' "$T/report.md")" "unsealed" "... naming the unsealed node"
like "$(cat "$T/report.md")" "2 of 4 node(s) unsealed" "... and counting them"

# ---- a revoked node in the same round as the others --------------------------------------------------
check "revoke x's keys" h office key revoke x
request plain r3 13933330003 x
w x "INSERT INTO volunteer (owner, id, name) VALUES ('x', 'v1', 'ThiefVolunteer')"
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c2','AfterRevoke','1-2',10)"
sync_all lucai plain m x office
like "$(sq office "SELECT reason FROM hearth_quarantine WHERE node = 'x'")" "revoked" \
	"the revoked node's push is quarantined as revoked"
is "$(hq office "SELECT count(*) FROM volunteer WHERE name = 'ThiefVolunteer'")" 0 \
	"... and nothing of it applied"
is "$(hq office "SELECT count(*) FROM care_class WHERE name = 'AfterRevoke'") $(hq office "SELECT count(*) FROM service_request WHERE id = 'r3'")" \
	"1 1" "the others merged in the same round"
sync_all m lucai plain
cmp_dump m "the unsealed station still converges"
cmp_dump plain "the unsealed centre still converges"
like "$(h office key status | grep '^x')" "revoked" "key status: x revoked"

# ---- clone onto a new device with a new enrolment --------------------------------------------------
check "drop the revoked device's commit" h office quarantine drop \
	"$(sq office "SELECT commit_id FROM hearth_quarantine WHERE node = 'x'")" --by test
check "issue a new key for x" h office key issue x --out "$T/keys/x2"
hh office sync
check "clone x onto a new device with the new enrolment" \
	h newx clone "$T/usb/x.git" --node x --key "$T/keys/x2"
is "$(hq newx "SELECT resident_phone FROM service_request WHERE id = 'r3'")" 13933330003 \
	"the new device holds what the office sent x since"
is "$(hq newx "SELECT count(*) FROM volunteer WHERE name = 'ThiefVolunteer'")" 0 \
	"... and nothing of the revoked device's push"
w newx "INSERT INTO volunteer (owner, id, name) VALUES ('x', 'v2', 'NewDevice')"
sync_all newx office newx plain
is "$(hq office "SELECT name FROM volunteer WHERE id = 'v2'")" NewDevice \
	"the new device's entries merge"
is "$(h office key status | grep '^x')" "$(printf 'x\t2\tsealing')" "key status: x seals with key 2"
h newx dump >"$T/newx.dump"
h office dump --for x >"$T/newx.office"
check "the new device converges" cmp -s "$T/newx.dump" "$T/newx.office"
done_testing
