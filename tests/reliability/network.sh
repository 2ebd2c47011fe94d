#!/usr/bin/env bash
# Broken networks: the git daemon killed at random moments during push, pull and office sync
# (seeded, HEARTH_NETWORK_TRIALS trials of each: CI 8, full 50), a remote that cannot be reached,
# remotes that answer garbage, and a slow lossy link (tc netem in network namespaces this test
# creates, when the machine allows it). Every failure must be a clear, retryable error: exit 3,
# one line on stderr; the next sync completes; nothing is lost or duplicated.
. "$(dirname "$0")/lib.sh" "$@"

N=$(rel_size HEARTH_NETWORK_TRIALS 8 50)
ACKS=$T/acks
: >"$ACKS"

mkdir -p "$T/gitroot"
git init -q --bare "$T/gitroot/lucai.git"
if ! gitd_start "$T/gitroot"; then
	echo "Bail out! cannot start git daemon on 127.0.0.1"
	exit 1
fi
at_cleanup gitd_stop
PORT=$GITD_PORT
URL=git://127.0.0.1:$PORT/lucai.git

# SIGKILL the processes under PID (not PID itself), deepest first, by pid
kill_children() {
	local c
	for c in $(ps -o pid= --ppid "$1"); do
		kill_children "$c"
		kill -9 "$c" 2>/dev/null
	done
}

# stop the daemon and cut the connections it serves (its children's upload-pack and
# receive-pack), by pid
daemon_down() {
	local i
	kill_children "$GITD_PID"
	gitd_stop
	for i in $(seq 1 50); do
		gitd_accepts "$PORT" || return 0
		sleep 0.1
	done
}

# start it again on the same port (the URL names it); 10 s at most. A receive-pack killed while
# it moved a ref leaves that ref's lock in the served repository: a server that crashed there is
# cleaned up when it comes back (as a git host's own recovery would), or no client, git's
# included, could push again. Only locks of refs, only in this test's repositories.
daemon_up() {
	local i
	find "$T/gitroot" -path '*/refs/*' -name '*.lock' -type f -delete
	"$(git --exec-path)/git-daemon" --export-all --enable=receive-pack --base-path="$T/gitroot" \
		--listen=127.0.0.1 --port="$PORT" --reuseaddr 2>>"$T/gitd.log" &
	GITD_PID=$!
	for i in $(seq 1 100); do
		gitd_accepts "$PORT" && return 0
		kill -0 "$GITD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "Bail out! the git daemon did not come back on port $PORT"
	exit 1
}

# a failed network command: exit 3 and one line on stderr that says to retry
retryable() { # rc errfile what
	if [ "$1" != 3 ]; then
		bad "$3: exit $1, not 3: $(head -c 300 "$2")"
	elif [ "$(wc -l <"$2")" != 1 ]; then
		bad "$3: $(wc -l <"$2") lines on stderr: $(head -c 300 "$2")"
	fi
}

hh office init --node office --kind office --name "长治市卫健委" &&
	new_node lucai childcare_centre "潞才托育中心" "$URL" &&
	hh lucai sync && hh office sync && hh lucai sync ||
	{ echo "Bail out! setup failed: $(tail -n 3 "$T/log")"; exit 1; }

write() {
	if hh lucai exec "INSERT INTO care_class (owner, id, name, age_band, capacity)
		VALUES ('lucai', '$1', '$1', '2-3', 10)"; then
		echo "$1" >>"$ACKS"
	else
		bad "write $1 failed"
	fi
}

# ---- the daemon dies mid-transfer ------------------------------------------------------------

cut_count=0
for i in $(seq 1 "$N"); do
	for cmd in push pull sync office; do
		node=lucai verb=$cmd
		if [ "$cmd" = office ]; then node=office verb=sync; fi
		# enough to transfer: a few writes, and the office has something to send down
		write "$cmd-$i-a"
		write "$cmd-$i-b"
		if [ "$cmd" = pull ]; then
			hh lucai push && hh office sync || bad "$cmd trial $i: setup sync failed"
		fi
		"$HEARTH" -C "$T/$node" "$verb" >"$T/out" 2>"$T/err" &
		pid=$!
		sleep_ms $((RANDOM % 120))
		daemon_down
		{ wait "$pid"; } 2>/dev/null
		rc=$?
		if [ "$rc" != 0 ]; then
			cut_count=$((cut_count + 1))
			retryable "$rc" "$T/err" "$cmd trial $i"
			grep -q "will retry" "$T/err" || bad "$cmd trial $i: the message does not say it will retry: $(cat "$T/err")"
		fi
		why=$(db_ok "$node") || bad "$cmd trial $i: $why"
		daemon_up
		hh "$node" "$verb" || bad "$cmd trial $i: '$verb' at $node after the cut failed: $(tail -n 1 "$T/log")"
	done
done
verdict "daemon killed mid-transfer: every cut push, pull and sync exited 3 with one line, and the next run completed"
diag "daemon stopped during $((N * 4)) transfers: $cut_count were cut (the others had finished)"

# ---- unreachable and garbage remotes -------------------------------------------------------------

# point lucai and the office at URL
point_at() { # url desc
	hh lucai remote remove office && hh lucai remote add office "$1" &&
		hh office remote remove lucai && hh office remote add lucai "$1" ||
		bad "$2: cannot set the remote to $1"
}

# point lucai and the office at URL for one check, then back
with_url() { # url desc
	local url=$1 desc=$2
	point_at "$url" "$desc"
	for cmd in "lucai push" "lucai pull" "lucai sync" "office sync"; do
		# shellcheck disable=SC2086
		timeout 60 "$HEARTH" -C "$T/${cmd% *}" ${cmd#* } >"$T/out" 2>"$T/err"
		retryable "$?" "$T/err" "$desc: $cmd"
	done
	point_at "$URL" "$desc"
}

# a USB stick not plugged in: a sync of every remote skips it (exit 0, said in the outcome
# line); the remote named alone fails with one line
stick_out() {
	local rc cmd
	point_at "$T/no-such-stick/lucai.git" "stick out"
	for cmd in "lucai push" "lucai pull" "lucai sync" "office sync"; do
		# shellcheck disable=SC2086
		timeout 60 "$HEARTH" -C "$T/${cmd% *}" ${cmd#* } >"$T/out" 2>"$T/err"
		rc=$?
		[ "$rc" = 0 ] && grep -q "USB stick not inserted: skipped" "$T/out" && [ ! -s "$T/err" ] ||
			bad "stick out: $cmd: exit $rc: $(head -c 300 "$T/out" "$T/err")"
	done
	for cmd in "lucai push office" "lucai sync office" "office sync lucai"; do
		# shellcheck disable=SC2086
		timeout 60 "$HEARTH" -C "$T/${cmd%% *}" ${cmd#* } >"$T/out" 2>"$T/err"
		rc=$?
		[ "$rc" = 1 ] && [ "$(wc -l <"$T/err")" = 1 ] ||
			bad "stick out: $cmd: exit $rc, not 1 with one line: $(head -c 300 "$T/err")"
	done
	point_at "$URL" "stick out"
}

write unreachable-1
daemon_down
with_url "$URL" "the daemon is down"
verdict "an unreachable remote (nothing listens): push, pull and sync exit 3 with one line"
daemon_up
stick_out
verdict "a stick not plugged in: skipped by push, pull and sync; named alone, exit 1 in one line"

for kind in bytes pktline http close; do
	py_server "garbage-$kind" garbage "$kind"
	write "garbage-$kind"
	with_url "git://127.0.0.1:$SRV_PORT/lucai.git" "git:// answering $kind"
	with_url "http://127.0.0.1:$SRV_PORT/lucai.git" "http:// answering $kind"
	verdict "a remote answering garbage ($kind) over git:// and http://: exit 3, one line"
	kill "$SRV_PID"
	wait "$SRV_PID" 2>/dev/null
done

SYNC_FAILED=0
sync_all lucai office lucai office lucai
is "$SYNC_FAILED" 0 "after the faults, the next syncs complete"
cmp_dump lucai "lucai holds exactly the office's view"
acked=$(sort -u "$ACKS" | wc -l)
ids=$(sort -u "$ACKS" | sed "s/.*/'&'/" | paste -sd, -)
is "$(sq office "SELECT count(*) FROM care_class WHERE owner = 'lucai' AND id IN ($ids)")" "$acked" \
	"all $acked acknowledged writes are at the office"
seq=$(node_seq lucai)
is "$(sq office "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq)
	FROM hearth_applied WHERE node = 'lucai'")" "$seq $seq 1 $seq" \
	"the office merged each of lucai's $seq changes exactly once"
is "$(sq office "SELECT count(*) FROM (SELECT origin_seq FROM hearth_log WHERE origin = 'lucai'
	GROUP BY origin_seq HAVING count(*) > 1)")" 0 "no change is in the office log twice"
is "$(sq lucai "SELECT count(*) FROM hearth_outbox")" 0 "lucai's outbox is empty"
why=$(fsck_ok "$T/gitroot/lucai.git") && pass "the served repository is whole" ||
	fail "the served repository is whole" "$why"

# ---- a remote that accepts and never answers -------------------------------------------------------

py_server silent garbage silent
hh lucai remote remove office && hh lucai remote add office "git://127.0.0.1:$SRV_PORT/lucai.git"
t0=$(ms_now)
HEARTH_NET_IDLE_SECONDS=3 timeout 30 "$HEARTH" -C "$T/lucai" push >"$T/out" 2>"$T/err"
rc=$?
secs=$((($(ms_now) - t0) / 1000))
is "$rc" 3 "a remote that never answers: push gives up with exit 3 (${secs} s)"
[ "$secs" -lt 20 ] && pass "it gives up after the quiet spell, not the test's own timeout" ||
	fail "it gives up after the quiet spell" "took ${secs} s"
like "$(cat "$T/err")" "stopped answering" "and says so in one line"
kill "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
hh lucai remote remove office && hh lucai remote add office "$URL"

# ---- a slow, lossy link: netem in two namespaces this test creates ----------------------------------

netem_test() {
	local ns=hearth-rel-$$ c s i t0 secs
	c=${ns}-c s=${ns}-s
	if [ "$(id -u)" != 0 ] || ! ip netns add "$s" 2>/dev/null; then
		echo "ok $((TAP_N + 1)) # SKIP network namespaces need root and CAP_NET_ADMIN"
		TAP_N=$((TAP_N + 1))
		return
	fi
	at_cleanup "ip netns del $s; ip netns del $c"
	ip netns add "$c" &&
		ip link add hrc$$ netns "$c" type veth peer name hrs$$ netns "$s" &&
		ip -n "$c" addr add 10.200.0.1/24 dev hrc$$ && ip -n "$s" addr add 10.200.0.2/24 dev hrs$$ &&
		ip -n "$c" link set hrc$$ up && ip -n "$s" link set hrs$$ up &&
		ip -n "$c" link set lo up && ip -n "$s" link set lo up || {
		echo "ok $((TAP_N + 1)) # SKIP cannot set up a veth pair between namespaces"
		TAP_N=$((TAP_N + 1))
		return
	}
	if ! ip netns exec "$c" tc qdisc add dev hrc$$ root netem delay 300ms loss 5% 2>/dev/null ||
		! ip netns exec "$s" tc qdisc add dev hrs$$ root netem delay 300ms loss 5% 2>/dev/null; then
		echo "ok $((TAP_N + 1)) # SKIP tc netem is not available (kernel module sch_netem)"
		TAP_N=$((TAP_N + 1))
		return
	fi
	git init -q --bare "$T/gitroot/slow.git"
	ip netns exec "$s" "$(git --exec-path)/git-daemon" --export-all --enable=receive-pack \
		--base-path="$T/gitroot" --listen=10.200.0.2 --port=9418 --reuseaddr 2>>"$T/gitd-slow.log" &
	local dpid=$!
	at_cleanup "kill $dpid"
	for i in $(seq 1 100); do
		ip netns exec "$c" bash -c 'exec 3<>/dev/tcp/10.200.0.2/9418' 2>/dev/null && break
		sleep 0.2
	done
	hh slow init --node slow --kind childcare_centre --name "慢网中心" &&
		hh slow remote add office git://10.200.0.2/slow.git &&
		hh office remote add slow "$T/gitroot/slow.git" || bad "slow node setup"
	for i in $(seq 1 20); do
		hh slow exec "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('slow', 's$i', 's$i', '1-2', $i)" ||
			bad "slow write $i"
	done
	t0=$(ms_now)
	timeout 300 ip netns exec "$c" "$HEARTH" -C "$T/slow" push >>"$T/log" 2>&1 || bad "push over the lossy link failed"
	hh office sync || bad "office sync failed"
	timeout 300 ip netns exec "$c" "$HEARTH" -C "$T/slow" pull >>"$T/log" 2>&1 || bad "pull over the lossy link failed"
	secs=$((($(ms_now) - t0) / 1000))
	[ "$(hq slow "SELECT count(*) FROM hearth_outbox")" = 0 ] || bad "the slow node's changes were not confirmed"
	verdict "netem delay 300ms loss 5%: push and pull complete within 300 s each (${secs} s)"
	cmp_dump slow "the slow node holds exactly the office's view"
}
netem_test
done_testing
