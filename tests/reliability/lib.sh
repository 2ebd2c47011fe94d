# Shared helpers for the reliability tests (bash TAP scripts). Source it from a test:
#
#   . "$(dirname "$0")/lib.sh" "$@"      # $1: the hearth binary
#
# It sources the integration helpers (../integration/lib.sh: HEARTH, T, h, hh, hq, sq, pass,
# fail, is, like, check, cmp_dump, at_cleanup, done_testing) and the git daemon helpers
# (gitd_start, gitd_stop), seeds RANDOM, and adds:
#
#   rel_size VAR CI FULL    the trial count from env VAR, else CI; HEARTH_RELIABILITY_FULL=1
#                           makes FULL the default (docs/reliability.md gives the full figures)
#   ms_now                  wall time in ms
#   sleep_ms MS             sleep MS milliseconds
#   kill_after MAX OUT CMD...
#                           run CMD in the background (stdout to OUT, stderr to OUT.err), SIGKILL
#                           it after a random 0..MAX ms; sets KILL_MS, KILL_RC (137 = killed
#                           while running) and KILLED (1 if so)
#   db_ok NODE [SQL]        PRAGMA integrity_check is "ok" and foreign_key_check is empty
#                           (sqlite3 CLI on $T/NODE/hearth.db); prints what is wrong otherwise;
#                           the output of SQL, run in the same sqlite3 process, is in DB_OUT
#   fsck_ok REPO            git fsck exits 0 on REPO; prints its complaint otherwise
#   py_server NAME MODE ARG start tests/reliability/servers.py MODE ARG; sets SRV_PORT, SRV_PID
#   bad MSG                 note a broken invariant for the current property (first 10 kept)
#   verdict DESC            ok/not ok for the property, with the noted failures; resets them
#
# Every loop in these tests is bounded in count and time; every process a test starts is
# stopped on exit.

. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh" "$@"
. "$LIB_DIR/gitd.sh"
REL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

REL_SEED=${HEARTH_RELIABILITY_SEED:-20240817}
RANDOM=$REL_SEED
diag "seed $REL_SEED (set HEARTH_RELIABILITY_SEED to replay another run)"

rel_size() {
	local var=$1 ci=$2 full=$3 v
	v=${!var:-}
	if [ -z "$v" ]; then
		if [ -n "${HEARTH_RELIABILITY_FULL:-}" ]; then v=$full; else v=$ci; fi
	fi
	case $v in
	'' | *[!0-9]*) echo "Bail out! $var must be a number, not '$v'"; exit 1 ;;
	esac
	echo "$v"
}

ms_now() {
	echo $(($(date +%s%N) / 1000000))
}

sleep_ms() {
	sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"
}

KILL_MS=0 KILL_RC=0 KILLED=0
kill_after() {
	local max=$1 out=$2 pid
	shift 2
	"$@" >"$out" 2>"$out.err" &
	pid=$!
	KILL_MS=$((RANDOM % (max + 1)))
	sleep_ms "$KILL_MS"
	kill -9 "$pid" 2>/dev/null
	# braces: bash's "Killed" job report goes to the redirected stderr
	{ wait "$pid"; } 2>/dev/null
	KILL_RC=$?
	KILLED=0
	if [ "$KILL_RC" -eq 137 ]; then
		KILLED=1
	fi
}

db_ok() {
	local db=$T/$1/hearth.db r
	# one sqlite3 run: the checks, a marker, then the caller's query
	r=$(sqlite3 "$db" "PRAGMA integrity_check; PRAGMA foreign_key_check; SELECT '--';${2:-}" 2>&1)
	DB_OUT=${r#*--}
	DB_OUT=${DB_OUT#$'\n'}
	if [ "${r%%--*}" = $'ok\n' ]; then
		return 0
	fi
	echo "$1: integrity_check and foreign_key_check: '${r%%--*}'" | head -c 400
	return 1
}

fsck_ok() {
	local out
	if out=$(git -C "$1" fsck --no-progress 2>&1); then
		return 0
	fi
	echo "git fsck ${1#"$T"/}: $(printf '%s' "$out" | head -n 3 | tr '\n' ' ')"
	return 1
}

REL_BAD=()
REL_BAD_N=0
bad() {
	REL_BAD_N=$((REL_BAD_N + 1))
	if [ "${#REL_BAD[@]}" -lt 10 ]; then
		REL_BAD+=("$1")
	fi
}

verdict() {
	if [ "$REL_BAD_N" -eq 0 ]; then
		pass "$1"
	else
		fail "$1" "$REL_BAD_N broken: $(printf '%s; ' "${REL_BAD[@]}")"
	fi
	REL_BAD=()
	REL_BAD_N=0
}

# py_server NAME MODE ARG: start servers.py (see its header) in the background; sets SRV_PORT
# and SRV_PID, and stops it on exit. 10 s at most to listen.
py_server() {
	local name=$1 pf=$T/$1.port i
	rm -f "$pf"
	python3 "$REL_DIR/servers.py" "$2" "$3" "$pf" 2>>"$T/$name.log" &
	SRV_PID=$!
	at_cleanup "kill $SRV_PID; wait $SRV_PID"
	for i in $(seq 1 100); do
		if [ -s "$pf" ]; then
			SRV_PORT=$(cat "$pf")
			return 0
		fi
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "Bail out! cannot start servers.py $2: $(tail -n 3 "$T/$name.log")"
	exit 1
}
