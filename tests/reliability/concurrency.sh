#!/usr/bin/env bash
# Concurrency on one node: two `exec` loops, an `import` loop and a `sync` loop (the node's sync
# and the office's, through a bare repository) run together for HEARTH_CONCURRENCY_SECONDS
# (CI 8, full 30). Every acknowledged write must be in the data, then at the office exactly once;
# no "database is locked" / SQLITE_BUSY may reach a user, and no command may fail.
. "$(dirname "$0")/lib.sh" "$@"

SECS=$(rel_size HEARTH_CONCURRENCY_SECONDS 8 30)
MAX_ITER=5000 # per loop, a bound beside the time

mkdir -p "$T/srv" "$T/loops"
git init -q --bare "$T/srv/lucai.git"
hh office init --node office --kind office --name "长治市卫健委" &&
	new_node lucai childcare_centre "潞才托育中心" "$T/srv/lucai.git" &&
	hh lucai sync && hh office sync && hh lucai sync ||
	{ echo "Bail out! setup failed: $(tail -n 3 "$T/log")"; exit 1; }

deadline=$(($(ms_now) + SECS * 1000))

# every loop: OUT has one line per run "name rc", stderr of every run appended to ERR
exec_loop() { # name
	local k=0 out
	while [ "$k" -lt "$MAX_ITER" ] && [ "$(ms_now)" -lt "$deadline" ]; do
		k=$((k + 1))
		out=$("$HEARTH" -C "$T/lucai" exec "INSERT INTO care_class (owner, id, name, age_band, capacity)
			VALUES ('lucai', '$1-$k', '$1', '2-3', $k)" 2>>"$T/loops/$1.err")
		echo "$1-$k $?" >>"$T/loops/$1.runs"
		case $out in "recorded change "*) echo "$1-$k" >>"$T/loops/$1.acks" ;; esac
	done
}

import_loop() {
	local k=0 j f out
	while [ "$k" -lt "$MAX_ITER" ] && [ "$(ms_now)" -lt "$deadline" ]; do
		k=$((k + 1))
		f=$T/loops/imp-$k.csv
		{
			echo "owner,id,name,age_band,capacity"
			for j in 1 2 3 4 5 6 7 8 9 10; do echo "lucai,imp-$k-$j,imp-$k,0-1,$j"; done
		} >"$f"
		out=$("$HEARTH" -C "$T/lucai" import care_class "$f" 2>>"$T/loops/import.err")
		echo "imp-$k $?" >>"$T/loops/import.runs"
		case $out in "imported 10 rows"*) echo "imp-$k" >>"$T/loops/import.acks" ;; esac
	done
}

sync_loop() {
	local k=0
	while [ "$k" -lt "$MAX_ITER" ] && [ "$(ms_now)" -lt "$deadline" ]; do
		k=$((k + 1))
		"$HEARTH" -C "$T/lucai" sync >/dev/null 2>>"$T/loops/sync.err"
		echo "sync-$k $?" >>"$T/loops/sync.runs"
		"$HEARTH" -C "$T/office" sync >/dev/null 2>>"$T/loops/sync.err"
		echo "office-$k $?" >>"$T/loops/sync.runs"
	done
}

exec_loop ea &
p1=$!
exec_loop eb &
p2=$!
import_loop &
p3=$!
sync_loop &
p4=$!
at_cleanup "kill $p1 $p2 $p3 $p4"
wait $p1 $p2 $p3 $p4

runs=$(cat "$T"/loops/*.runs | wc -l)
failed=$(cat "$T"/loops/*.runs | awk '$2 != 0' | wc -l)
execs=$(cat "$T"/loops/e?.runs | wc -l)
imports=$(wc -l <"$T/loops/import.runs")
syncs=$(wc -l <"$T/loops/sync.runs")
diag "$SECS s: $runs commands ($execs exec, $imports import, $syncs sync), $failed failed"
[ "$execs" -gt 4 ] && [ "$imports" -gt 1 ] && [ "$syncs" -gt 1 ] && pass "the loops ran together" ||
	fail "the loops ran together" "$execs exec, $imports import, $syncs sync"
is "$(cat "$T"/loops/*.err | grep -ci -e 'database is locked' -e 'sqlite_busy' -e 'busy')" 0 \
	"no 'database is locked' nor SQLITE_BUSY reached a user"
is "$failed" 0 "no command failed ($(cat "$T"/loops/*.err | head -n 3 | tr '\n' ' '))"

cat "$T"/loops/e?.acks >"$T/acks" 2>/dev/null
acked=$(wc -l <"$T/acks")
ids=$(sed "s/.*/'&'/" "$T/acks" | paste -sd, -)
is "$(sq lucai "SELECT count(*) FROM care_class WHERE id IN ($ids)")" "$acked" \
	"all $acked acknowledged exec writes are in lucai's data"
groups=$(sed "s/.*/'&'/" "$T/loops/import.acks" | paste -sd, -)
nimp=$(wc -l <"$T/loops/import.acks")
is "$(sq lucai "SELECT count(*) FROM care_class WHERE name IN ($groups)")" "$((nimp * 10))" \
	"all $nimp acknowledged imports are in lucai's data, whole"
seq=$(node_seq lucai)
# the outbox holds a contiguous run of seqs ending at the node's last one; every seq before it
# is merged at the office
read -r n lo hi <<<"$(sq lucai "SELECT count(*), coalesce(min(seq), $seq + 1), coalesce(max(seq), $seq)
	FROM hearth_outbox" | tr '|' ' ')"
is "$n $hi" "$((hi - lo + 1)) $seq" "lucai's outbox holds seqs $lo..$seq without a gap"
is "$(sq office "SELECT count(DISTINCT seq) FROM hearth_applied WHERE node = 'lucai' AND seq < $lo")" \
	"$((lo - 1))" "every change before them (1..$((lo - 1))) is merged at the office: none is in neither"

SYNC_FAILED=0
sync_all lucai office lucai office lucai
is "$SYNC_FAILED" 0 "the final syncs complete"
is "$(sq office "SELECT count(*) FROM care_class WHERE id IN ($ids)")" "$acked" \
	"all acknowledged exec writes reached the office"
is "$(sq office "SELECT count(*) FROM care_class WHERE name IN ($groups)")" "$((nimp * 10))" \
	"all acknowledged imports reached the office, whole"
is "$(sq office "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq)
	FROM hearth_applied WHERE node = 'lucai'")" "$seq $seq 1 $seq" \
	"the office merged each of lucai's $seq changes exactly once"
cmp_dump lucai "lucai holds exactly the office's view"
for n in lucai office; do
	why=$(db_ok "$n") && pass "$n: database whole" || fail "$n: database whole" "$why"
done
done_testing
