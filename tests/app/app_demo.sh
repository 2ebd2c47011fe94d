#!/bin/bash
# `hearth demo --serve`: the demo's world, then the app of 潞才 and of the office on 127.0.0.1
# with the demo accounts it prints; a teacher signs in and sees the centre's classes, the clerk
# sees the office's publishing page; SIGTERM stops both. Every wait is bounded.
. "$(dirname "$0")/../integration/lib.sh" "$@"
. "$(dirname "$0")/lib_app.sh"

LOG="$T/demo.log"
timeout 550 "$HEARTH" demo --out "$T/d" --serve >"$LOG" 2>&1 &
PID=$!
at_cleanup "kill $PID 2>/dev/null"
for i in $(seq 1 2400); do # at most 240 s: the demo itself runs first (slow under ASan)
	[ "$(grep -c ' at http://127\.0\.0\.1:' "$LOG")" -ge 2 ] && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
done
LUCAI=$(sed -n "s|.*nodes/lucai' at \(http://127\.0\.0\.1:[0-9]*\)/.*|\1|p" "$LOG" | head -1)
OFFICE=$(sed -n "s|.*nodes/office' at \(http://127\.0\.0\.1:[0-9]*\)/.*|\1|p" "$LOG" | head -1)
check "the demo serves 潞才 on 127.0.0.1" test -n "$LUCAI"
check "and the office" test -n "$OFFICE"
like "$(cat "$LOG")" "account 'teacher' (staff) at lucai, password hearth-demo" \
	"the demo prints its accounts"
[ -n "$LUCAI" ] && [ -n "$OFFICE" ] || { diag "$(cat "$LOG")"; done_testing; }

is "$(code "$LUCAI/")" 303 "a stranger is sent to sign in first"
is "$(login "$LUCAI" "$T/jar" teacher hearth-demo)" 303 "the teacher signs in"
PAGE=$(curl -s --max-time 20 -b "$T/jar" "$LUCAI/")
like "$PAGE" "乳儿班" "the first page is the centre's classes, in Chinese"
is "$(login "$OFFICE" "$T/jar2" clerk hearth-demo)" 303 "the clerk signs in at the office"
like "$(curl -s --max-time 20 -b "$T/jar2" "$OFFICE/publish")" 'action="/publish"' \
	"the clerk can build the public site"
isnt "$(login "$OFFICE" "$T/jar3" teacher hearth-demo)" 303 "accounts are per node: the teacher is no one at the office"

kill -TERM "$PID"
for i in $(seq 1 100); do
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
done
check_not "SIGTERM stops the demo's servers" kill -0 "$PID"
wait "$PID"
is "$?" 0 "and it exits 0"
like "$(cat "$LOG")" "hearth: stopping" "it says it stops"
done_testing
