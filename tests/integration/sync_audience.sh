#!/bin/bash
# A row's audience hands over (docs/format.md, section 7): a node receives a value only if it was
# in the row's audience when the value was written. lucai assigns its request req1 to m; offline
# it writes a detail for m, reassigns req1 to x, then writes a new phone and details; after the
# syncs m's `down` holds none of the new values (in no git object: the delete it gets carries only
# the key) and x's holds no value written while m was the assignee and overwritten since. Then
# the same with the office syncing one remote at a time (`sync REMOTE`), which writes the other
# nodes' downs later, when the office's row holds newer values still.
. "$(dirname "$0")/lib.sh" "$@"

mkdir -p "$T/usb"
hh office init --node office --kind office --name Office
for n in lucai m x; do
	git init -q --bare "$T/usb/$n.git"
done
new_node lucai childcare_centre Lucai "$T/usb/lucai.git"
new_node m volunteer_station M "$T/usb/m.git"
new_node x volunteer_station X "$T/usb/x.git"

# lines holding $2 in every object of repository $1, decompressed
obj_hits() {
	git -C "$1" cat-file --batch-all-objects --batch 2>/dev/null | grep -a -c -F "$2"
}
# objects of everything node $1 holds or can fetch holding $2
node_hits() {
	echo $(($(obj_hits "$T/usb/$1.git" "$2") + $(obj_hits "$T/$1/repo.git" "$2")))
}

OLD="137$(printf %08d $$)"          # written while m is the assignee: m may see it, x never
PHONE="138$(printf %08d $$)"        # written after the hand-over to x: x may see it, m never
DETAILS="New5details$$"

w lucai "INSERT INTO service_request (owner, id, service_type_id, requested_at, resident_name,
	resident_phone, details, assignee) VALUES ('lucai', 'req1', 'repair', '2026-01-05T09:00:00+08:00',
	'Resident', '13900000000', 'first', 'm')"
sync_all lucai office m x lucai
is "$(hq m "SELECT resident_phone FROM service_request WHERE id = 'req1'")" 13900000000 \
	"m, the assignee, received the request"

# offline at lucai: a value for m, the hand-over to x, then values for x
w lucai "UPDATE service_request SET resident_phone = '$OLD' WHERE id = 'req1'"
w lucai "UPDATE service_request SET resident_phone = '13911111111' WHERE id = 'req1'"
w lucai "UPDATE service_request SET assignee = 'x' WHERE id = 'req1'"
w lucai "UPDATE service_request SET resident_phone = '$PHONE', details = '$DETAILS' WHERE id = 'req1'"
SYNC_FAILED=0
sync_all lucai office m x m x
is "$SYNC_FAILED" 0 "every sync exited 0"
is "$(hq m "SELECT count(*) FROM service_request")" 0 "m, no longer the assignee, lost the row"
is "$(hq x "SELECT resident_phone || ' ' || details FROM service_request WHERE id = 'req1'")" \
	"$PHONE $DETAILS" "x, the new assignee, holds the row with the values written for it"
isnt "$(obj_hits "$T/usb/lucai.git" "$PHONE")" 0 "control: lucai's up carries the new phone"
isnt "$(node_hits m "$OLD")" 0 "control: m received the value written while it was the assignee"
for v in "$PHONE" "$DETAILS"; do
	is "$(node_hits m "$v")" 0 "no object m holds or can fetch has '$v', written after its removal"
done
is "$(node_hits x "$OLD")" 0 "no object x holds or can fetch has '$OLD', written before it was assigned"
cmp_dump m
cmp_dump x

# `sync REMOTE` at the office: lucai hands req2 over and writes on; the office merges lucai alone
# twice before m's down is written
PHONE2="139$(printf %08d $$)"
w lucai "INSERT INTO service_request (owner, id, service_type_id, requested_at, resident_name,
	resident_phone, assignee) VALUES ('lucai', 'req2', 'repair', '2026-01-06T09:00:00+08:00', 'R2',
	'13922222222', 'm')"
SYNC_FAILED=0
sync_all lucai office m x lucai
w lucai "UPDATE service_request SET assignee = 'x' WHERE id = 'req2'"
sync_all lucai
hh office sync lucai || SYNC_FAILED=$((SYNC_FAILED + 1))
w lucai "UPDATE service_request SET resident_phone = '$PHONE2' WHERE id = 'req2'"
sync_all lucai
hh office sync lucai || SYNC_FAILED=$((SYNC_FAILED + 1))
sync_all office m x
is "$SYNC_FAILED" 0 "the syncs one remote at a time exited 0"
is "$(hq m "SELECT count(*) FROM service_request")" 0 "m lost req2 too"
is "$(hq x "SELECT resident_phone FROM service_request WHERE id = 'req2'")" "$PHONE2" \
	"x holds req2 with its later phone"
is "$(node_hits m "$PHONE2")" 0 "m's down, written after two merges of lucai, has no later phone"
cmp_dump m "m: dump equals the office's view after the second hand-over"
done_testing
