#!/usr/bin/env bash
# hearth-gen (tests/tools/): the same seed gives byte-identical dumps and another seed does not;
# the private marker strings are in the office database and in no file of the site; a
# conflicting share of changes ends in the conflict log; two more sync rounds make every node
# equal to the office's view of it; the office-only layout holds every node in one database.
# The generator is a test tool, not a command of hearth.
set -u
hearth=$1
gen=${2:?usage: gen.sh HEARTH_BINARY HEARTH_GEN_BINARY}
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset HEARTH_DIR HEARTH_TEST_NOW_MS
h() { "$hearth" "$@"; }
g() { "$gen" "$@"; }
q() { h -C "$1" query --csv "$2" | tail -n 1 | tr -d '\r'; }

# node folders of a generated world, office last
nodes_of() { for d in "$1"/nodes/*; do b=${d##*/}; [ "$b" != office ] && echo "$b"; done; }

# ---- determinism ----------------------------------------------------------------------------
g --out "$tmp/a" --nodes 5 --changes 20 --seed 7 --sync >"$tmp/out" 2>&1
ok $? "gen 5 x 20 with --sync succeeds"
grep -q "hearth-gen: 5 nodes x 20 changes (seed 7, 0% conflicting)" "$tmp/out" &&
	grep -q "synced once: 25 merged" "$tmp/out"
ok $? "gen prints one line saying what it made ($(tail -n 1 "$tmp/out"))"
g --out "$tmp/b" --nodes 5 --changes 20 --seed 7 --sync >/dev/null 2>&1
ok $? "the same seed again succeeds"

nodes=$(nodes_of "$tmp/a")
[ "$(echo "$nodes" | wc -l)" -eq 5 ] && [ "$(nodes_of "$tmp/b")" = "$nodes" ]
ok $? "five node folders, the same ids both times"
for k in childcare_centre volunteer_station hospital community_centre special_care_centre; do
	[ "$(q "$tmp/a/nodes/office" "SELECT count(*) FROM node WHERE kind = '$k'")" -ge 1 ]
	ok $? "the world holds a $k"
done
h -C "$tmp/a/nodes/office" query --csv "SELECT name, name_en FROM node WHERE kind = 'childcare_centre'" | tr -d '\r' >"$tmp/names"
grep -q "^潞州区第1托育中心,Luzhou Childcare Centre 1$" "$tmp/names"
ok $? "centres are named by county and number in Chinese and English"

same=0
for node in $nodes office; do
	h -C "$tmp/a/nodes/$node" dump >"$tmp/da" && h -C "$tmp/b/nodes/$node" dump >"$tmp/db" &&
		[ -s "$tmp/da" ] && cmp -s "$tmp/da" "$tmp/db" && same=$((same + 1))
done
[ "$same" -eq 6 ]
ok $? "same seed: byte-identical dump at every node and at the office ($same of 6)"
rows=$(h -C "$tmp/a/nodes/office" dump | grep -vc -e '^region ' -e '^service_type ')
[ "$rows" -ge 50 ]
ok $? "the office holds the nodes' rows after the sync ($rows rows)"

g --out "$tmp/c" --nodes 5 --changes 20 --seed 8 --sync >/dev/null 2>&1
ok $? "another seed succeeds"
h -C "$tmp/a/nodes/office" dump >"$tmp/da"
h -C "$tmp/c/nodes/office" dump >"$tmp/dc"
! cmp -s "$tmp/da" "$tmp/dc"
ok $? "another seed gives another dump"

# ---- what the generated world holds ---------------------------------------------------------
office=$tmp/a/nodes/office
[ "$(q "$office" "SELECT count(*) FROM service_request WHERE status = 'done'")" -ge 1 ] &&
	[ "$(q "$office" "SELECT count(*) FROM service_request WHERE status = 'done' AND done_at IS NULL")" -eq 0 ]
ok $? "service requests reached 'done', each with its done_at"
[ "$(q "$office" "SELECT count(*) FROM enrolment e JOIN child c ON c.owner = e.owner AND c.id = e.child_id JOIN care_class k ON k.owner = e.owner AND k.id = e.class_id")" -ge 1 ]
ok $? "enrolments link a child and a class of the same centre"
[ "$(q "$office" "SELECT count(*) FROM child WHERE guardian_phone NOT GLOB '1380000[0-9][0-9][0-9][0-9]'")" -eq 0 ]
ok $? "guardian phones are plainly fictional (1380000xxxx)"
ids=$(q "$office" "SELECT count(*) FROM care_class WHERE length(id) = 16 AND id GLOB '[0-9a-f]*'")
[ "$ids" -ge 1 ] && [ "$ids" = "$(q "$office" "SELECT count(*) FROM care_class")" ]
ok $? "record ids are the writing node's clock in hex ($ids classes)"

# ---- privacy: markers in the office database, none on the site ------------------------------
in_db=$(q "$office" "SELECT (SELECT count(*) FROM child WHERE name LIKE '%PRIV-7-%' AND guardian_name LIKE '%PRIV-7-%') || ' ' || (SELECT count(*) FROM service_request WHERE resident_name LIKE '%PRIV-7-%') || ' ' || (SELECT count(*) FROM volunteer WHERE name LIKE '%PRIV-7-%') || ' ' || (SELECT count(*) FROM health_check WHERE findings LIKE '%PRIV-7-%') || ' ' || (SELECT count(*) FROM event WHERE public = 0 AND title LIKE '%PRIV-7-%')")
read -r kids residents volunteers checks internal <<<"$in_db"
[ "$kids" -ge 1 ] && [ "$residents" -ge 1 ] && [ "$volunteers" -ge 1 ] && [ "$checks" -ge 1 ]
ok $? "private markers are in the office database (children $kids, residents $residents, volunteers $volunteers, health checks $checks, internal events $internal)"
[ "$(q "$office" "SELECT count(*) FROM child WHERE name NOT LIKE '%PRIV-%'")" -eq 0 ]
ok $? "every child's name carries a marker"

h -C "$office" site build --out "$tmp/site" >/dev/null 2>&1
ok $? "the office builds the site"
files=$(find "$tmp/site" -type f | wc -l)
gz=$(find "$tmp/site" -name '*.gz' | wc -l)
[ "$files" -gt 20 ] && [ "$gz" -gt 5 ]
ok $? "the site has files to check ($files, $gz of them .gz)"
grep -rq "潞州区第1托育中心" "$tmp/site"
ok $? "the site shows the generated centres (so the leak check reads real pages)"
leaked=$(grep -rl -e "PRIV-" -e "1380000" "$tmp/site" | wc -l)
[ "$leaked" -eq 0 ]
ok $? "no private marker nor private phone in any file of the site ($leaked files)"
leaked=$(find "$tmp/site" -name '*.gz' -exec zcat {} + | grep -c -e "PRIV-" -e "1380000")
[ "$leaked" -eq 0 ]
ok $? "nor inside the precompressed files ($leaked lines)"

# ---- conflicts, then convergence -------------------------------------------------------------
g --out "$tmp/x" --nodes 5 --changes 20 --seed 3 --sync >/dev/null 2>&1
h -C "$tmp/x/nodes/office" conflicts list --json >"$tmp/none"
! grep -q '"col"' "$tmp/none"
ok $? "without --conflicts the sync logs no conflict"
g --out "$tmp/w" --nodes 5 --changes 20 --seed 3 --conflicts 20 --sync >"$tmp/out" 2>&1
ok $? "gen --conflicts 20 --sync succeeds"
h -C "$tmp/w/nodes/office" conflicts list --json >"$tmp/conf"
count=$(grep -c '"col"' "$tmp/conf")
[ "$count" -ge 5 ] && grep -q '"tbl": "node"' "$tmp/conf" && grep -q '"col": "status"' "$tmp/conf" &&
	grep -q '"kept": "paused"' "$tmp/conf"
ok $? "--conflicts 20: the office logged conflicts on the nodes' rows ($count), its status kept"

for round in 1 2; do
	for node in $(nodes_of "$tmp/w"); do h -C "$tmp/w/nodes/$node" sync >/dev/null 2>&1 || echo "sync $node failed"; done
	h -C "$tmp/w/nodes/office" sync >/dev/null 2>&1 || echo "office sync failed"
	for node in $(nodes_of "$tmp/w"); do h -C "$tmp/w/nodes/$node" sync >/dev/null 2>&1 || echo "sync $node failed"; done
done >"$tmp/rounds"
[ ! -s "$tmp/rounds" ]
ok $? "two more sync rounds without writes succeed everywhere"
for node in $(nodes_of "$tmp/w"); do
	h -C "$tmp/w/nodes/$node" dump >"$tmp/dn"
	h -C "$tmp/w/nodes/office" dump --for "$node" >"$tmp/do"
	grep -q "^node $node/$node " "$tmp/dn" && cmp -s "$tmp/dn" "$tmp/do"
	ok $? "$node holds exactly the office's view of it"
done
[ "$(q "$tmp/w/nodes/office" "SELECT count(*) FROM node WHERE owner <> 'office' AND status <> 'paused'")" -eq 0 ]
ok $? "the office's status won everywhere (policy office)"

# ---- office-only ------------------------------------------------------------------------------
g --out "$tmp/o1" --nodes 40 --changes 20 --seed 5 --office-only >"$tmp/out" 2>&1
ok $? "gen --office-only succeeds"
g --out "$tmp/o2" --nodes 40 --changes 20 --seed 5 --office-only >/dev/null 2>&1
[ "$(ls "$tmp/o1/nodes")" = office ] && [ ! -e "$tmp/o1/remotes" ]
ok $? "--office-only makes one database and no repositories"
[ "$(q "$tmp/o1/nodes/office" "SELECT count(*) FROM node WHERE owner <> 'office'")" -eq 40 ] &&
	[ "$(q "$tmp/o1/nodes/office" "SELECT count(DISTINCT region_id) FROM node WHERE owner <> 'office'")" -eq 12 ]
ok $? "40 nodes over the 12 counties in the office database"
h -C "$tmp/o1/nodes/office" dump >"$tmp/d1"
h -C "$tmp/o2/nodes/office" dump >"$tmp/d2"
cmp -s "$tmp/d1" "$tmp/d2"
ok $? "--office-only is deterministic too"
[ "$(h -C "$tmp/o1/nodes/office" log | wc -l)" -le 5 ]
ok $? "--office-only writes in a few recorded writes"
h -C "$tmp/o1/nodes/office" site build --out "$tmp/osite" >/dev/null 2>&1 &&
	[ "$(grep -rl -e "PRIV-" -e "1380000" "$tmp/osite" | wc -l)" -eq 0 ] &&
	[ "$(q "$tmp/o1/nodes/office" "SELECT count(*) FROM child WHERE name LIKE '%PRIV-5-%'")" -ge 1 ]
ok $? "its site builds, without the markers its database holds"

# ---- usage ------------------------------------------------------------------------------------
g --out "$tmp/a" --nodes 5 --changes 20 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "cannot create" "$tmp/err"
ok $? "an existing folder is refused"
g --out "$tmp/u" --nodes 0 --changes 20 >/dev/null 2>&1
[ $? -eq 2 ] && [ ! -e "$tmp/u" ]
ok $? "--nodes 0 is a usage error and creates nothing"
g --out "$tmp/u" --nodes 3 --changes 5 --conflicts 101 >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "--conflicts above 100 is a usage error"
g --out "$tmp/u" --nodes 3 --changes 5 --office-only --sync >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "--office-only with --sync is a usage error"

# ---- not a user command ---------------------------------------------------------------------
h --help >"$tmp/help" 2>&1
! grep -q "hearth gen" "$tmp/help"
ok $? "hearth --help does not list gen"
h gen --out "$tmp/u" --nodes 3 --changes 5 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "unknown command 'gen'" "$tmp/err" && [ ! -e "$tmp/u" ]
ok $? "hearth gen is an unknown command"

echo "1..$n"
[ "$failed" -eq 0 ]
