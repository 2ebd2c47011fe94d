#!/bin/bash
# An unreachable remote: `hearth sync` against git://127.0.0.1:<closed port>/x.git exits 3 with
# one line containing "cannot reach", and `hearth status --json` then holds that error verbatim
# in remotes[].last_error. At the office, the reachable nodes still sync in the same run.
. "$(dirname "$0")/lib.sh" "$@"
. "$LIB_DIR/gitd.sh"

port=
for try in $(seq 1 20); do
	p=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
	if ! gitd_accepts "$p"; then
		port=$p
		break
	fi
done
if [ -z "$port" ]; then
	echo "Bail out! no closed port found on 127.0.0.1"
	exit 1
fi
url="git://127.0.0.1:$port/x.git"

hh lucai init --node lucai --kind childcare_centre --name Lucai
hh lucai remote add office "$url"
w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','k1','One')"
timeout 60 "$HEARTH" -C "$T/lucai" sync >"$T/out" 2>"$T/err"
is "$?" 3 "node: sync against a closed port exits 3"
is "$(wc -l <"$T/err" | tr -d ' ')" 1 "node: the error is one line"
like "$(cat "$T/err")" "cannot reach" "node: the error says it cannot reach the remote"
like "$(cat "$T/err")" "127.0.0.1:$port" "node: the error names the remote"
msg=$(sed 's/^hearth: //' "$T/err")
h lucai status --json >"$T/status.json"
is "$(sqlite3 :memory: "SELECT json_extract(value, '\$.last_error') FROM json_each(json_extract(readfile('$T/status.json'), '\$.remotes'))")" \
	"$msg" "node: status --json holds the error verbatim in remotes[].last_error"
is "$(sq lucai "SELECT count(*) FROM hearth_outbox WHERE pushed = 0")" 2 "node: both changes (node row, child) stay pending"

# the office: one node unreachable, one reachable through a folder
hh office init --node office --kind office --name Office
git init -q --bare "$T/xx.git"
hh xiaoxiangwan init --node xiaoxiangwan --kind childcare_centre --name X
hh xiaoxiangwan remote add office "$T/xx.git"
hh office remote add xiaoxiangwan "$T/xx.git"
hh office remote add lucai "$url"
w xiaoxiangwan "INSERT INTO child (owner,id,name) VALUES ('xiaoxiangwan','x1','Ex')"
hh xiaoxiangwan sync
timeout 60 "$HEARTH" -C "$T/office" sync >"$T/out" 2>"$T/err"
is "$?" 3 "office: sync with one closed port exits 3"
is "$(wc -l <"$T/err" | tr -d ' ')" 1 "office: the error is one line"
like "$(cat "$T/err")" "cannot reach" "office: the error says it cannot reach the remote"
is "$(hq office "SELECT name FROM child WHERE id = 'x1'")" Ex "office: the reachable node merged in the same run"
msg=$(sed 's/^hearth: //' "$T/err")
h office status --json >"$T/status.json"
is "$(sqlite3 :memory: "SELECT json_extract(value, '\$.last_error') FROM json_each(json_extract(readfile('$T/status.json'), '\$.remotes')) WHERE json_extract(value, '\$.name') = 'lucai'")" \
	"$msg" "office: status --json holds the error verbatim for that remote"
is "$(sqlite3 :memory: "SELECT quote(json_extract(value, '\$.last_error')) FROM json_each(json_extract(readfile('$T/status.json'), '\$.remotes')) WHERE json_extract(value, '\$.name') = 'xiaoxiangwan'")" \
	"NULL" "office: the reachable remote has no error"
# a table status cannot read is an error, never a count of 0
sq office "ALTER TABLE hearth_quarantine RENAME TO quarantine_away"
h office status >"$T/out" 2>"$T/err"
is "$?" 1 "office: status with its quarantine unreadable exits 1"
like "$(cat "$T/err")" "hearth_quarantine" "office: the error names the table"
unlike "$(cat "$T/out")" "quarantined commits: 0" "office: no count of 0 stands in for the failure"
sq office "ALTER TABLE quarantine_away RENAME TO hearth_quarantine"
check "office: status reads again once the table is back" h office status
done_testing
