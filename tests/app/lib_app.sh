# Helpers for the app's tests over real HTTP on 127.0.0.1 (sourced after tests/integration/lib.sh).
#
#   serve VAR NODE [ARGS...]  start `hearth serve` on a free port; VAR gets its base URL,
#                             VAR_PID its process id (stopped on exit)
#   login URL JAR NAME PW     sign in, cookies into JAR; prints the HTTP status
#   csrf URL JAR              the session's form token, read from the start page
#   code ARGS...              curl's HTTP status for a request (ARGS as curl's)

serve() {
	local var=$1 node=$2 log i url
	shift 2
	log="$T/serve-$var.log"
	"$HEARTH" -C "$T/$node" serve --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
	eval "${var}_PID=$!"
	at_cleanup "kill $! 2>/dev/null"
	url=
	for i in $(seq 1 100); do
		url=$(sed -n 's/.* at \(https\{0,1\}:\/\/127\.0\.0\.1:[0-9]*\/\).*/\1/p' "$log" | head -1)
		[ -n "$url" ] && break
		sleep 0.1
	done
	eval "$var=\${url%/}"
	[ -n "$url" ] || diag "serve did not start: $(cat "$log")"
}

login() {
	curl -sk -o /dev/null -w '%{http_code}' -c "$2" -b "$2" --data-urlencode "name=$3" \
		--data-urlencode "password=$4" "$1/login"
}

csrf() {
	curl -sk -b "$2" "$1/" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1
}

code() {
	curl -sk -o /dev/null -w '%{http_code}' --max-time 20 "$@"
}
