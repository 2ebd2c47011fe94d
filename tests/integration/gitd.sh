# A real `git daemon` on 127.0.0.1 for integration tests. Source this file, then:
#
#   gitd_start ROOT   serve the repositories under ROOT (push enabled) on a free port;
#                     exports GITD_PORT and GITD_PID, and stops the daemon on EXIT
#   gitd_stop         stop it (safe to call twice)
#
# Every loop is bounded: 20 ports tried, 5 s for each to accept, 5 s to stop.

gitd_log() {
	printf 'gitd: %s\n' "$*" >&2
}

# 0 if something accepts connections on 127.0.0.1:$1
gitd_accepts() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

gitd_start() {
	local root=$1 exec_path port pid try i
	if [ -z "$root" ] || [ ! -d "$root" ]; then
		gitd_log "usage: gitd_start ROOT (an existing folder)"
		return 2
	fi
	exec_path=$(git --exec-path) || return 1
	for try in $(seq 1 20); do
		port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40001 ))
		if gitd_accepts "$port"; then
			continue
		fi
		# the daemon itself, not the `git` wrapper, so that GITD_PID is what listens
		"$exec_path/git-daemon" --export-all --enable=receive-pack --base-path="$root" \
			--listen=127.0.0.1 --port="$port" --reuseaddr &
		pid=$!
		for i in $(seq 1 50); do
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if gitd_accepts "$port"; then
				GITD_PORT=$port
				GITD_PID=$pid
				export GITD_PORT GITD_PID
				trap gitd_stop EXIT
				return 0
			fi
			sleep 0.1
		done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		gitd_log "port $port did not work, trying another"
	done
	gitd_log "could not start git daemon on 127.0.0.1 after 20 ports"
	return 1
}

gitd_stop() {
	local i
	if [ -n "$GITD_PID" ]; then
		kill "$GITD_PID" 2>/dev/null
		for i in $(seq 1 50); do
			kill -0 "$GITD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$GITD_PID" 2>/dev/null
		wait "$GITD_PID" 2>/dev/null
		unset GITD_PID GITD_PORT
	fi
	return 0
}
