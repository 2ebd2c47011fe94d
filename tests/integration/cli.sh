#!/usr/bin/env bash
# The command-line contract: every command's exit codes (0 ok, 1 failure, 2 usage) and one-line
# error messages, -C DIR and $HEARTH_DIR, and the foundation's "done when" story.
. "$(dirname "$0")/lib.sh" "$@"

# run: hearth with stdout/stderr captured; sets RC, OUT, ERR
run() {
	"$HEARTH" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
# run_bounded: run, stopped by the test after 20 s (a hearth without the limit would never end)
run_bounded() {
	timeout 20 "$HEARTH" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
one_line() { [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && [ -n "$ERR" ]; }
D=$T/lucai

# --- the foundation story --------------------------------------------------------------------
run -C "$D" init --node lucai --kind childcare_centre --name 潞才社区综合托育中心 --region luzhou
is "$RC" 0 "init succeeds"
run -C "$D" exec "INSERT INTO care_class(owner,id,name,age_band,capacity) VALUES('lucai','c1','托大班','2-3',25)"
is "$RC" 0 "exec of an own row succeeds"
like "$OUT" "recorded change 2: 1 row" "exec says what was recorded"
run -C "$D" query --json "SELECT name, capacity FROM care_class"
is "$RC" 0 "query --json succeeds"
like "$OUT" '{"name": "托大班", "capacity": 25}' "query --json prints the row as JSON"
run -C "$D" status --json
like "$OUT" '"pending": 2' "status --json counts the node row and the class as pending"
like "$OUT" '"node": "lucai"' "status --json names the node"
like "$OUT" "\"schema_version\": $("$HEARTH" --version | sed -n 's/.*(schema \([0-9]*\),.*/\1/p')" \
	"status --json gives the schema version"
like "$OUT" '"clock": "' "status --json gives the clock"

"$HEARTH" -C "$D" dump >"$T/dump.before"
"$HEARTH" -C "$D" log >"$T/log.before"
outbox_before=$(sq lucai "SELECT count(*), coalesce(max(seq), 0) FROM hearth_outbox")
run -C "$D" exec "INSERT INTO care_class(owner,id,name,age_band,capacity) VALUES('xiaoxiangwan','c1','托大班','2-3',25)"
is "$RC" 1 "exec of another node's row exits 1"
one_line && pass "with one line on stderr" || fail "with one line on stderr" "$ERR"
like "$ERR" "'care_class'" "the error names the table"
like "$ERR" "'xiaoxiangwan'" "the error names the owner"
"$HEARTH" -C "$D" dump >"$T/dump.after"
"$HEARTH" -C "$D" log >"$T/log.after"
check "dump unchanged by the refused write" cmp -s "$T/dump.before" "$T/dump.after"
check "log unchanged by the refused write" cmp -s "$T/log.before" "$T/log.after"
is "$(sq lucai "SELECT count(*), coalesce(max(seq), 0) FROM hearth_outbox")" "$outbox_before" \
	"outbox unchanged by the refused write"

# --- -C and HEARTH_DIR --------------------------------------------------------------------------
is "$(HEARTH_DIR=$D "$HEARTH" query "SELECT count(*) AS n FROM care_class" | tail -n 1)" 1 \
	"HEARTH_DIR chooses the node"
is "$(cd "$D" && "$HEARTH" query "SELECT count(*) AS n FROM care_class" | tail -n 1)" 1 \
	"the current folder is the default"
is "$(HEARTH_DIR=/nonexistent "$HEARTH" -C "$D" query "SELECT 1 AS x" | tail -n 1)" 1 \
	"-C wins over HEARTH_DIR"

# --- a runaway statement is stopped: it cannot hold the write lock for ever --------------------
forever="WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)"
outbox_before=$(sq lucai "SELECT count(*), coalesce(max(seq), 0) FROM hearth_outbox")
start=$(date +%s)
HEARTH_SQL_LIMIT_SECONDS=0.5 run_bounded -C "$D" query "$forever SELECT count(*) FROM r"
is "$RC" 2 "a query that never ends is stopped and exits 2 (the SQL given is at fault)"
one_line && pass "with one line" || fail "with one line" "$ERR"
like "$ERR" "stopped after 500 ms, the time limit (HEARTH_SQL_LIMIT_SECONDS)" "naming the limit"
HEARTH_SQL_LIMIT_SECONDS=0.5 run_bounded -C "$D" exec \
	"INSERT INTO child (owner, id, name) $forever SELECT 'lucai', 'r' || x, 'n' FROM r"
is "$RC" 2 "a write that never ends is stopped and exits 2"
like "$ERR" "nothing was changed" "saying that nothing was changed"
is "$(sq lucai "SELECT (SELECT count(*) FROM child) || ' ' || (SELECT count(*) || '|' || coalesce(max(seq), 0) FROM hearth_outbox)")" \
	"0 $outbox_before" "no row and no outbox entry stays from it"
ok_fast=$(( $(date +%s) - start ))
check "both were stopped within seconds ($ok_fast s)" [ "$ok_fast" -lt 15 ]
run -C "$D" exec "UPDATE care_class SET capacity = 26 WHERE id = 'c1'"
is "$RC" 0 "the write lock was released: the next write succeeds"
run -C "$D" exec "UPDATE care_class SET capacity = 25 WHERE id = 'c1'"
HEARTH_SQL_LIMIT_SECONDS=0 run -C "$D" query "$forever, n(c) AS (SELECT count(*) FROM (SELECT x FROM r LIMIT 300000)) SELECT c FROM n"
like "$OUT" "300000" "HEARTH_SQL_LIMIT_SECONDS=0 lets a long query finish"

# --- exit codes and messages of each command ------------------------------------------------------
run --version
is "$RC" 0 "--version exits 0"
like "$OUT" "hearth 0." "--version names hearth and its version"
run help
is "$RC" 0 "help exits 0"
for c in init exec query import remote push pull sync status log conflicts dump site report clone demo snapshot purge; do
	like "$OUT" "hearth $c" "help lists '$c'"
done
run help exec
is "$RC" 0 "help COMMAND exits 0"
run help frobnicate
is "$RC" 2 "help of an unknown command exits 2"
run frobnicate
is "$RC" 2 "an unknown command exits 2"
one_line && pass "with one line" || fail "with one line" "$ERR"
run
is "$RC" 2 "no command exits 2"
run --frob
is "$RC" 2 "an unknown global option exits 2"

run -C "$T/x" init --node x --kind childcare_centre
is "$RC" 2 "init without --name exits 2"
run -C "$T/x" init --node Bad --kind childcare_centre --name x
is "$RC" 2 "init with an invalid id exits 2"
like "$ERR" "invalid node id 'Bad'" "and names the id"
run -C "$T/x" init --node ok-id --kind castle --name x
is "$RC" 2 "init with an unknown kind exits 2"
run -C "$D" init --node lucai --kind childcare_centre --name x
is "$RC" 1 "init over an existing node exits 1"
like "$ERR" "already holds a hearth node" "and says so"

run -C "$T/nowhere" status
is "$RC" 1 "a folder without a node exits 1"
like "$ERR" "no hearth node in" "and says what to do"
one_line && pass "with one line" || fail "with one line" "$ERR"

run -C "$D" exec
is "$RC" 2 "exec without SQL exits 2"
run -C "$D" exec "INSERT INTO nosuch VALUES (1)"
is "$RC" 2 "exec of bad SQL exits 2"
like "$ERR" "no such table" "and passes SQLite's reason on"
run -C "$D" exec "DROP TABLE child"
is "$RC" 1 "exec of a schema change exits 1"
run -C "$D" exec "UPDATE care_class SET capacity = 25"
is "$RC" 0 "exec changing nothing exits 0"
like "$OUT" "no rows changed" "and says nothing changed"

run -C "$D" query "DELETE FROM care_class"
is "$RC" 2 "query refuses a write with exit 2"
like "$ERR" "read-only" "and says query is read-only"
is "$(sq lucai "SELECT count(*) FROM care_class")" 1 "and nothing was deleted"
run -C "$D" query --json --csv "SELECT 1"
is "$RC" 2 "query with two formats exits 2"
run -C "$D" query --csv "SELECT name, capacity FROM care_class"
is "$OUT" "$(printf 'name,capacity\r\n托大班,25\r')" "query --csv prints RFC 4180 with a header"
run -C "$D" query "SELECT name, capacity FROM care_class"
is "$OUT" "$(printf 'name\tcapacity\n托大班\t25')" "query prints tab-separated text with a header"

printf 'owner,id,name,age_band,capacity\nlucai,c2,"托小班, 一班",1-2,20\n' >"$T/ok.csv"
run -C "$D" import care_class "$T/ok.csv"
is "$RC" 0 "import of a good CSV exits 0"
like "$OUT" "imported 1 row into care_class" "and says how many rows"
printf 'owner,id,name,age_band,capacity\nlucai,c3,a,1-2,20\nlucai,c4,b,1-2,many\n' >"$T/bad.csv"
before=$(sq lucai "SELECT count(*) FROM hearth_outbox")
run -C "$D" import care_class "$T/bad.csv"
is "$RC" 1 "import of a bad CSV (a refused value) exits 1"
like "$ERR" "line 3" "the error names the line"
like "$ERR" "capacity" "and the column"
is "$(sq lucai "SELECT count(*) FROM care_class WHERE id IN ('c3', 'c4')")" 0 "nothing from it was applied"
is "$(sq lucai "SELECT count(*) FROM hearth_outbox")" "$before" "and nothing reached the outbox"
run -C "$D" import care_class "$T/missing.csv"
is "$RC" 2 "import of a missing file exits 2"
run -C "$D" import nosuch "$T/ok.csv"
is "$RC" 2 "import into an unknown table exits 2"
run -C "$D" import care_class
is "$RC" 2 "import without a file exits 2"

run -C "$D" dump
is "$RC" 0 "dump exits 0"
like "$OUT" 'care_class lucai/c1 name="托大班" age_band="2-3" capacity=25' "dump shows the row canonically"
run -C "$D" dump --for "../x"
is "$RC" 2 "dump --for an invalid id exits 2"
run -C "$D" dump extra
is "$RC" 2 "dump with an extra argument exits 2"

run -C "$D" log -n 1
is "$RC" 0 "log exits 0"
is "$(printf '%s\n' "$OUT" | wc -l)" 2 "log -n 1 shows a header and one entry"
run -C "$D" log -n x
is "$RC" 2 "log -n with a non-number exits 2"
run -C "$D" log --json
like "$OUT" '"direction": "up"' "log --json is JSON"

run -C "$D" remote add office
is "$RC" 2 "remote add without a URL exits 2"
run -C "$D" remote add ../x /tmp/x.git
is "$RC" 2 "remote add with an invalid name exits 2"
for bad in 'git://host:/x' 'git://host:99999/x' 'git:///x' 'ssh://host' 'ftp://host/x' \
	"$(printf 'ssh://host/x\tb')"; do
	run -C "$D" remote add office "$bad"
	is "$RC" 2 "remote add '$bad' (malformed) exits 2"
	like "$ERR" 'hearth: remote URL' "  and says what is wrong with the URL"
	one_line && pass "  in one line" || fail "  in one line" "$ERR"
done
for good in 'git://127.0.0.1:9418/x.git' 'ssh://git@[::1]:22/x' 'https://u:p@host/x' \
	"file://$T/not-plugged-in/x" 'git@host:x.git' 'relative/x.git'; do
	run -C "$D" remote add probe "$good"
	is "$RC" 0 "remote add '$good' is accepted"
	run -C "$D" remote remove probe
done
run -C "$D" remote add office "$T/office.git"
is "$RC" 0 "remote add exits 0"
run -C "$D" remote add office "$T/office.git"
is "$RC" 1 "adding it twice exits 1"
run -C "$D" remote list
is "$OUT" "office $T/office.git" "remote list prints 'name url'"
run -C "$D" remote remove nosuch
is "$RC" 1 "removing an unknown remote exits 1"
run -C "$D" remote frob
is "$RC" 2 "an unknown remote subcommand exits 2"

run -C "$D" push
is "$RC" 0 "push while the remote's folder is missing (a USB stick not plugged in) exits 0"
like "$OUT" "USB stick not inserted: skipped" "saying the stick was skipped"
run -C "$D" push office
is "$RC" 1 "push to that remote by name exits 1"
one_line && pass "with one line" || fail "with one line" "$ERR"
like "$ERR" "is not there" "saying its folder is not there"
run -C "$D" conflicts resolve 1
is "$RC" 2 "conflicts resolve at a node exits 2 (office only)"
run -C "$D" conflicts frob
is "$RC" 2 "an unknown conflicts subcommand exits 2"
run -C "$D" site
is "$RC" 2 "site without build exits 2"
run -C "$D" clone
is "$RC" 2 "clone without a URL exits 2"
run -C "$D" snapshot --all
is "$RC" 2 "snapshot at a node exits 2 (office only)"

done_testing
