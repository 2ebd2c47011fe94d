#!/usr/bin/env bash
# hearth demo: the whole story runs, converges, logs the capacity conflict, publishes the facts,
# keeps private strings off the site, and refuses to overwrite without --force.
set -u
hearth=$1
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/demo

"$hearth" demo --out "$out" >"$tmp/stdout" 2>"$tmp/stderr"
ok $? "demo succeeds"
grep -q "8 of 8 nodes hold exactly the office's view" "$tmp/stdout"
ok $? "demo reports every node converged"
grep -q "python3 -m http.server -d $out/site" "$tmp/stdout"
ok $? "demo says how to open the site"

site=$out/site
grep -q "150" "$site/centres/lucai.html"
ok $? "潞才 page shows 150 places"
for t in 全日托 临时托 小时托; do
	grep -q "$t" "$site/centres/lucai.html"
	ok $? "潞才 page lists $t"
done
grep -q "150" "$site/index.html" || grep -q "潞才" "$site/index.html"
ok $? "home page holds the published facts"
counties=0
for c in 潞州区 上党区 屯留区 潞城区 襄垣县 平顺县 黎城县 壶关县 长子县 武乡县 沁县 沁源县; do
	grep -q "$c" "$site/coverage.html" && counties=$((counties + 1))
done
[ "$counties" -eq 12 ]
ok $? "coverage page lists all 12 counties ($counties)"

conf=$("$hearth" -C "$out/nodes/office" conflicts list --json)
echo "$conf" | grep -q '"col": "capacity"' && echo "$conf" | grep -q '"kept": 28' &&
	echo "$conf" | grep -q '"lost": 32'
ok $? "conflict log holds the capacity conflict with both values"

for node in lucai xiaoxiangwan fuyou qinyuan-tuoyu qimingxing donghua guangchangdong hongbanshou-repair; do
	"$hearth" -C "$out/nodes/$node" dump >"$tmp/a"
	"$hearth" -C "$out/nodes/office" dump --for "$node" >"$tmp/b"
	cmp -s "$tmp/a" "$tmp/b"
	ok $? "dump at $node equals the office's dump --for $node"
done

status=$("$hearth" -C "$out/nodes/guangchangdong" query "SELECT status, feedback FROM service_request WHERE id = 'r1'")
echo "$status" | grep -q "^done	更换了老化的空气开关"
ok $? "the request moved to done with the team's feedback at the station"

log=$("$hearth" -C "$out/nodes/lucai" log -n 50)
echo "$log" | grep -q "^down	[0-9]*	[0-9a-f]*	applied	care_class ~1"
ok $? "log at a centre shows what came down (the office's capacity correction)"
log=$("$hearth" -C "$out/nodes/office" log -n 50)
echo "$log" | grep -q "	hongbanshou-repair	sent down	service_request ~1"
ok $? "log at the office shows merged entries with their origin"

# free places are one figure everywhere: none at a centre still being built (沁源), never more
# than a centre's places, and the home page's total is the sum of the centres' pages
fig() { grep -o "$1</td><td class=\"num\">[0-9]*" "$2" | head -n 1 | sed 's/.*>//'; }
[ "$(fig 空位 "$site/centres/qinyuan-tuoyu.html")" = 0 ] &&
	! grep -q qinyuan-tuoyu "$site/centres/age-0-1.html" "$site/centres/age-1-2.html" \
		"$site/centres/age-2-3.html"
ok $? "a centre being built has no free places and is in no free-places filter"
over=0 sum=0
for f in "$site"/centres/*.html; do
	case ${f##*/} in index.html | age-* | care-* | county-*) continue ;; esac
	v=$(fig 空位 "$f") p=$(fig 托位 "$f")
	[ -n "$v" ] && sum=$((sum + v))
	[ -n "$v" ] && [ -n "$p" ] && [ "$v" -gt "$p" ] && over=$((over + 1))
done
[ "$over" -eq 0 ]
ok $? "no centre shows more free places than places"
[ "$(fig 现有空位 "$site/index.html")" = "$sum" ]
ok $? "the home page's free places are the sum of the centres' ($sum)"

leaked=$(grep -rl -e 示例儿童 -e 示例家长 -e 示例居民 -e 13800000001 -e 13800000021 "$site" | wc -l)
[ "$leaked" -eq 0 ]
ok $? "no private demo string on the site ($leaked files)"
leaked=$(for f in $(find "$site" -name '*.gz'); do zcat "$f"; done | grep -c -e 示例儿童 -e 13800000001)
[ "$leaked" -eq 0 ]
ok $? "nor in the precompressed files"

"$hearth" demo --out "$out" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q -- "--force" "$tmp/err"
ok $? "re-running on an existing folder refuses and names --force"
"$hearth" demo --out "$out" --force >/dev/null 2>&1
ok $? "--force replaces it"

echo "1..$n"
[ "$failed" -eq 0 ]
