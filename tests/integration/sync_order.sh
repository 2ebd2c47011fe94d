#!/bin/bash
# The merge does not depend on arrival order or rounds: the same node logs (three nodes with
# conflicting lww edits and inserts, written offline and pushed once) merged by fresh offices in
# every order of `hearth sync REMOTE` (each office a copy of the same office before the merge), in one round, and in two rounds (the logs arriving in two
# parts) give byte-identical office dumps and the same conflict log.
. "$(dirname "$0")/lib.sh" "$@"

B=1700000000000
at() { export HEARTH_TEST_NOW_MS=$((B + $1 * 1000)); }
nodes="lucai team1 zhan"

# ---- the node logs, written once ------------------------------------------------------------
mkdir -p "$T/usb"
at 0
hh office0 init --node office --kind office --name Office
for n in $nodes; do
	git init -q --bare "$T/usb/$n.git"
done
hh zhan init --node zhan --kind volunteer_station --name Zhan && hh zhan remote add office "$T/usb/zhan.git"
hh team1 init --node team1 --kind volunteer_team --name Team && hh team1 remote add office "$T/usb/team1.git"
hh lucai init --node lucai --kind childcare_centre --name Lucai && hh lucai remote add office "$T/usb/lucai.git"
for n in $nodes; do hh office0 remote add "$n" "$T/usb/$n.git"; done
w zhan "INSERT INTO service_request (owner,id,service_type_id,requested_at,assignee) VALUES ('zhan','r1','repair','2024-05-01T09:00:00+08:00','team1'), ('zhan','r2','mediation','2024-05-02T09:00:00+08:00','team1')"
at 1
sync_all zhan office0 team1     # team1 needs the requests to edit them
# every fresh office starts from this office: an audience node's edit of a row depends on the
# office having merged the row's insert (that is how the node got the row)
cp -a "$T/office0" "$T/base-office"
# part one of the logs, offline
at 10; w zhan "UPDATE service_request SET feedback = 'zhan-10', volunteer_id = 'vz' WHERE id = 'r1'"
at 11; w team1 "UPDATE service_request SET feedback = 'team1-11', status = 'accepted' WHERE owner = 'zhan' AND id = 'r1'"
at 12; w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','k1','One'), ('lucai','k2','Two')"
at 13; sync_all zhan team1 lucai
cp -a "$T/usb" "$T/part1"
# part two, offline again: later edits on both sides
at 20; w team1 "UPDATE service_request SET volunteer_id = 'vt', done_at = '2024-05-03T09:00:00+08:00' WHERE owner = 'zhan' AND id = 'r1'"
at 21; w zhan "UPDATE service_request SET feedback = 'zhan-21' WHERE id = 'r2'"
at 22; w team1 "UPDATE service_request SET feedback = 'team1-22', status = 'done' WHERE owner = 'zhan' AND id = 'r2'"
at 23; w zhan "UPDATE service_request SET status = 'cancelled' WHERE id = 'r2'"
at 24; w lucai "UPDATE child SET notes = 'n' WHERE id = 'k1'"
at 25; w lucai "DELETE FROM child WHERE id = 'k2'"
at 26; sync_all zhan team1 lucai
is "$SYNC_FAILED" 0 "writing the node logs: every sync exits 0"
cp -a "$T/usb" "$T/part2"

# fresh_office NAME PARTDIR: an office whose remotes point at copies of the node repositories
fresh_office() {
	rm -rf "$T/copy-$1"
	cp -a "$T/$2" "$T/copy-$1"
	rm -rf "$T/$1"
	cp -a "$T/base-office" "$T/$1"
	for n in $nodes; do
		hh "$1" remote remove "$n"
		hh "$1" remote add "$n" "$T/copy-$1/$n.git" || fail "remote $n at office $1"
	done
}
result() { # result OFFICE: its dump and conflict log (without ids and times)
	h "$1" dump
	sq "$1" "SELECT node, reason FROM hearth_quarantine"
	sq "$1" "SELECT tbl, owner, row_id, col, policy, quote(kept), kept_node, kept_clock, quote(lost), lost_node, lost_clock FROM hearth_conflict ORDER BY tbl, owner, row_id, col, lost_node"
}

at 100
fresh_office one part2
hh one sync
is "$?" 0 "one round: the office sync exits 0"
result one >"$T/result.one"
isnt "$(sq one "SELECT count(*) FROM hearth_conflict")" 0 "the logs do conflict"
is "$(sq one "SELECT count(*) FROM hearth_quarantine")" 0 "nothing is quarantined"
is "$(hq one "SELECT feedback || ' ' || volunteer_id || ' ' || status FROM service_request WHERE id = 'r1'")" \
	"team1-11 vt accepted" "r1: the later feedback and volunteer win, the state order keeps accepted"
is "$(hq one "SELECT feedback || ' ' || status FROM service_request WHERE id = 'r2'")" \
	"team1-22 done" "r2: the later feedback wins, done beats a later cancelled"
is "$(hq one "SELECT group_concat(id || ':' || coalesce(notes, '-'), ' ') FROM child")" "k1:n" \
	"lucai's inserts, update and delete merged"

i=0
for order in "lucai team1 zhan" "lucai zhan team1" "team1 lucai zhan" "team1 zhan lucai" \
	"zhan lucai team1" "zhan team1 lucai"; do
	i=$((i + 1))
	fresh_office "perm$i" part2
	rc=0
	for n in $order; do
		hh "perm$i" sync "$n" || rc=1
	done
	is "$rc" 0 "order $order: every sync exits 0"
	result "perm$i" >"$T/result.perm$i"
	if cmp -s "$T/result.one" "$T/result.perm$i"; then
		pass "order $order: the same dump and conflicts as one round"
	else
		fail "order $order: the same dump and conflicts as one round" \
			"$(diff "$T/result.one" "$T/result.perm$i" | head -n 20)"
	fi
done

# two rounds: first the logs' first parts (in reverse order), then the rest
fresh_office rounds part1
rc=0
for n in zhan team1 lucai; do hh rounds sync "$n" || rc=1; done
rm -rf "$T/copy-rounds" && cp -a "$T/part2" "$T/copy-rounds"
hh rounds sync team1 || rc=1
hh rounds sync || rc=1
is "$rc" 0 "two rounds: every sync exits 0"
result rounds >"$T/result.rounds"
if cmp -s "$T/result.one" "$T/result.rounds"; then
	pass "two rounds: the same dump and conflicts as one round"
else
	fail "two rounds: the same dump and conflicts as one round" \
		"$(diff "$T/result.one" "$T/result.rounds" | head -n 20)"
fi
done_testing
