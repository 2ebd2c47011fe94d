#!/usr/bin/env bash
# The app's start page (`hearth serve`, signed in, the page built from the node's database on
# every request) against nginx serving the same page saved as a static file: wrk, 16
# connections, 10 s each (--quick: 3 s), loopback, one after the other in the same run.
#
#   bench_app.sh HEARTH [--quick]
set -euo pipefail
hearth=$1
secs=10
[ "${2:-}" = --quick ] && secs=3
for t in wrk nginx curl; do
	command -v $t >/dev/null || [ -x /usr/sbin/$t ] ||
		{ echo "skip app_today_vs_nginx: no $t (apt-get install wrk nginx-light curl)"; exit 0; }
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)
tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/hearth-bench-app-XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

"$hearth" -C "$tmp/node" init --node bench --kind childcare_centre --name 基准托育中心 >/dev/null
printf 'benchpass1\n' | "$hearth" -C "$tmp/node" user add bench --role staff
"$hearth" -C "$tmp/node" serve --listen 127.0.0.1:0 >"$tmp/serve.log" 2>&1 &
pids+=($!)
url=
for _ in $(seq 1 100); do
	url=$(sed -n 's/.* at \(http:\/\/127\.0\.0\.1:[0-9]*\)\/.*/\1/p' "$tmp/serve.log" | head -1)
	[ -n "$url" ] && break
	sleep 0.1
done
[ -n "$url" ] || { echo "bench_app: hearth serve did not start"; exit 1; }
curl -s -c "$tmp/jar" -o /dev/null -d 'name=bench&password=benchpass1' "$url/login"
cookie=$(awk '/hearth_session/ { print $NF }' "$tmp/jar")
mkdir -p "$tmp/www" "$tmp/ng/logs"
curl -s -H "Cookie: hearth_session=$cookie" "$url/" >"$tmp/www/index.html"
grep -q '<html' "$tmp/www/index.html" || { echo "bench_app: the start page did not load"; exit 1; }

port=$((20000 + RANDOM % 20000))
cat >"$tmp/ng/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $tmp/ng/nginx.pid;
error_log $tmp/ng/logs/error.log;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $tmp/ng/body;
	proxy_temp_path $tmp/ng/proxy;
	fastcgi_temp_path $tmp/ng/fastcgi;
	uwsgi_temp_path $tmp/ng/uwsgi;
	scgi_temp_path $tmp/ng/scgi;
	server {
		listen 127.0.0.1:$port;
		root $tmp/www;
		default_type text/html;
	}
}
CONF
"$nginx" -p "$tmp/ng" -c "$tmp/ng/nginx.conf" 2>>"$tmp/ng/logs/error.log" &
pids+=($!)
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

bench() { # URL [HEADER]: "requests/s p99ms"
	local out
	if [ -n "${2:-}" ]; then
		out=$(wrk -t 2 -c 16 -d "${secs}s" --latency -H "$2" "$1")
	else
		out=$(wrk -t 2 -c 16 -d "${secs}s" --latency "$1")
	fi
	local rps p99
	rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
		else if (v ~ /ms$/) sub(/ms$/, "", v); else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
		print v }' <<<"$out")
	echo "${rps:-0} ${p99:-0}"
}

read -r h_rps h_p99 < <(bench "$url/" "Cookie: hearth_session=$cookie")
read -r n_rps n_p99 < <(bench "http://127.0.0.1:$port/")
awk -v h="$h_rps" -v n="$n_rps" -v p="$h_p99" -v np="$n_p99" -v s="$secs" 'BEGIN {
	r = n > 0 ? h / n : 0
	printf "figure app_today_vs_nginx = %.3g x (baseline nginx static %.0f req/s p99 %.2f ms, hearth serve %.0f req/s p99 %.2f ms; wrk 16 connections %d s; target >= 0.25 x and p99 <= 20 ms) %s\n",
		r, n, np, h, p, s, (r >= 0.25 && p <= 20) ? "met" : "missed"
}'
