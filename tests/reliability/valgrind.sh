#!/usr/bin/env bash
# Every hearth command of a small sync story (an office and two centres through bare repositories
# in folders: writes, an import, syncs in several orders, a conflict, a restore, dumps, status,
# log, the site) runs under valgrind's memcheck: no invalid read or write, no use of
# uninitialised memory, no definite leak. Suppressions, if any, are in valgrind.supp, each with
# the reason. Skipped for a sanitizer build (valgrind cannot run AddressSanitizer binaries).
. "$(dirname "$0")/lib.sh" "$@"

if ! command -v valgrind >/dev/null; then
	echo "1..0 # SKIP valgrind is not installed"
	exit 0
fi
if ldd "$HEARTH" 2>/dev/null | grep -q -e libasan -e libubsan -e libtsan; then
	echo "1..0 # SKIP $HEARTH is built with sanitizers; valgrind runs the plain build"
	exit 0
fi

REAL=$HEARTH
mkdir -p "$T/vg"
# every command below goes through valgrind: h, hh, hq and cmp_dump call $HEARTH; valgrind follows
# hearth into hearth-full (cli/main.c), which runs the sync, site and key commands
HEARTH=$T/hearth-vg
cat >"$HEARTH" <<EOF
#!/bin/sh
# one log per run, kept open across hearth's hand-over to hearth-full (a --log-file would start
# again at the exec)
exec 3>>"$T/vg/\$\$.log"
exec valgrind -q --trace-children=yes --trace-children-skip='*/git,git' --log-fd=3 \\
	--error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \\
	--show-leak-kinds=definite --suppressions="$REL_DIR/valgrind.supp" "$REAL" "\$@"
EOF
chmod +x "$HEARTH"

mkdir -p "$T/srv"
for n in lucai xiaoxiangwan; do
	git init -q --bare "$T/srv/$n.git"
done
hh office init --node office --kind office --name "长治市卫健委" || fail "office init"
new_node lucai childcare_centre "潞才托育中心" "$T/srv/lucai.git" || fail "lucai init"
new_node xiaoxiangwan childcare_centre "小香湾托育" "$T/srv/xiaoxiangwan.git" || fail "xiaoxiangwan init"

w office "INSERT INTO region (owner,id,parent_id,level,name,name_en) VALUES ('office','xinqu','luzhou','street','新区街道','Xinqu')"
w lucai "INSERT INTO care_class (owner,id,name,age_band,capacity) VALUES ('lucai','lc-sun','太阳班','1-2',12)"
w lucai "INSERT INTO child (owner,id,name,sex) VALUES ('lucai','lc-k1','王小明','m'), ('lucai','lc-k2','李小红','f')"
printf 'owner,id,name,age_band,capacity\nxiaoxiangwan,xx-moon,月亮班,2-3,20\nxiaoxiangwan,xx-star,"星星班, 小",0-1,8\n' >"$T/classes.csv"
check "xiaoxiangwan import" h xiaoxiangwan import care_class "$T/classes.csv"
SYNC_FAILED=0
sync_all lucai xiaoxiangwan office lucai xiaoxiangwan
# a conflict: both sides edit lucai's class capacity (office policy), and lucai deletes a child
w office "UPDATE care_class SET capacity = 10 WHERE id = 'lc-sun'"
w lucai "UPDATE care_class SET capacity = 14, name = '太阳一班' WHERE id = 'lc-sun'"
w lucai "DELETE FROM child WHERE id = 'lc-k2'"
w xiaoxiangwan "UPDATE care_class SET capacity = 22 WHERE id = 'xx-moon'"
check "lucai push" h lucai push
sync_all office xiaoxiangwan
check "lucai pull" h lucai pull
sync_all office lucai xiaoxiangwan office lucai xiaoxiangwan
is "$SYNC_FAILED" 0 "every sync exited 0"
cmp_dump lucai
cmp_dump xiaoxiangwan
is "$(hq office "SELECT capacity || ' ' || name FROM care_class WHERE id = 'lc-sun'")" "10 太阳一班" \
	"the office's capacity won, lucai's name change stayed"
id=$(hq office "SELECT id FROM hearth_conflict ORDER BY id LIMIT 1")
check "the conflict is listed" h office conflicts list --json
check "the conflict shows" h office conflicts show "$id"
check "the conflict is restored" h office conflicts resolve "$id" --restore
check "status at lucai" h lucai status --json
check "status at the office" h office status
check "log at lucai" h lucai log -n 5
check "report at the office" h office report
check "site build" h office site build --out "$T/site" --base-url https://care.example
check "site rebuild" h office site build --out "$T/site" --base-url https://care.example
check_not "a refused foreign write" h lucai exec "INSERT INTO child (owner,id,name) VALUES ('xiaoxiangwan','x','x')"

runs=$(find "$T/vg" -name '*.log' | wc -l)
dirty=$(find "$T/vg" -name '*.log' -size +0 | wc -l) # -q: a clean run leaves an empty log
[ "$runs" -ge 30 ] && pass "$runs hearth runs went through valgrind" ||
	fail "$runs hearth runs went through valgrind" "expected 30 or more"
if [ "$dirty" -eq 0 ]; then
	pass "valgrind reported nothing in any run"
else
	fail "valgrind reported nothing in any run" "$dirty runs with reports: $(find "$T/vg" -name '*.log' -size +0 | head -n 2 | xargs -r head -n 40)"
fi
done_testing
