#!/usr/bin/env bash
# Sync over smart HTTP for real: `git http-backend` behind a small CGI server on 127.0.0.1
# (servers.py, push enabled with http.receivepack), an office and two centres pushing, pulling
# and syncing through http:// URLs. Convergence is asserted with dumps.
. "$(dirname "$0")/lib.sh" "$@"

if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 is not installed"
	exit 0
fi
mkdir -p "$T/srv"
for n in lucai xiaoxiangwan; do
	git init -q --bare "$T/srv/$n.git" && git -C "$T/srv/$n.git" config http.receivepack true
done
py_server httpd http-backend "$T/srv"
diag "git http-backend on 127.0.0.1:$SRV_PORT"
http_url() {
	echo "http://127.0.0.1:$SRV_PORT/$1.git"
}

check "git ls-remote through the test server works" git ls-remote "$(http_url lucai)"

hh office init --node office --kind office --name "长治市卫健委" || fail "office init"
new_node lucai childcare_centre "潞才托育中心" "$(http_url lucai)" || fail "lucai init"
new_node xiaoxiangwan childcare_centre "小香湾托育" "$(http_url xiaoxiangwan)" || fail "xiaoxiangwan init"
w office "INSERT INTO region (owner,id,parent_id,level,name,name_en) VALUES ('office','xinqu','luzhou','street','新区街道','Xinqu')"
w lucai "INSERT INTO care_class (owner,id,name,age_band,capacity) VALUES ('lucai','lc-sun','太阳班','1-2',12)"
w lucai "INSERT INTO child (owner,id,name,sex) VALUES ('lucai','lc-k1','王小明','m')"
w xiaoxiangwan "INSERT INTO care_class (owner,id,name,age_band,capacity) VALUES ('xiaoxiangwan','xx-moon','月亮班','2-3',20)"

out=$(h lucai push 2>&1)
is "$?" 0 "lucai push over http exits 0 ($out)"
like "$out" "up 3" "lucai pushed its 3 changes"
is "$(git -C "$T/srv/lucai.git" rev-parse -q --verify refs/heads/up)" \
	"$(git -C "$T/lucai/repo.git" rev-parse -q --verify refs/heads/up)" "lucai's up is on the http server"
check "xiaoxiangwan sync over http" h xiaoxiangwan sync
out=$(h office sync 2>&1)
is "$?" 0 "office sync over http exits 0 ($out)"
like "$out" "merged 5 changes from 2 nodes" "the office merged both centres' changes"
check "the office's down for lucai is on the http server" \
	git -C "$T/srv/lucai.git" rev-parse -q --verify refs/heads/down
out=$(h lucai pull 2>&1)
is "$?" 0 "lucai pull over http exits 0 ($out)"
like "$out" "confirmed by the office 3" "the pull brought the office's confirmation of lucai's 3 changes"
is "$(hq lucai "SELECT name FROM region WHERE id = 'xinqu'")" "新区街道" "the office's region reached lucai over http"
w xiaoxiangwan "UPDATE care_class SET capacity = 22 WHERE id = 'xx-moon'"
SYNC_FAILED=0
sync_all xiaoxiangwan office lucai xiaoxiangwan office lucai xiaoxiangwan
is "$SYNC_FAILED" 0 "every later sync over http exits 0"
cmp_dump lucai
cmp_dump xiaoxiangwan
is "$(hq office "SELECT capacity FROM care_class WHERE id = 'xx-moon'")" 22 "the later update reached the office"
grep -q '"POST /lucai.git/git-receive-pack' "$T/httpd.log" && pass "the server saw a smart-http push" ||
	fail "the server saw a smart-http push" "$(tail -n 5 "$T/httpd.log")"

# a repository the server does not have: a clear error, exit 3, one line
hh lucai remote remove office && hh lucai remote add office "$(http_url nowhere)"
h lucai push >"$T/out" 2>"$T/err"
is "$?" 3 "a missing repository on the server: push exits 3"
is "$(wc -l <"$T/err")" 1 "the error is one line"
like "$(cat "$T/err")" "nowhere.git" "it names the URL"
done_testing
