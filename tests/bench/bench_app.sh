#!/usr/bin/env bash
# The app (`hearth serve`, signed in) against nginx serving the same pages saved as static
# files: wrk, 16 connections, 10 s each (--quick: 3 s) after a warm-up of 2 s (--quick: 1 s)
# that is not counted, loopback, one after the other in the same run.
#
#   app_today_vs_nginx     the start page of a new childcare centre
#   app_children_vs_nginx  the list of children of a centre with 10,000 children (hearth-gen);
#                          the first page of the list: the newest 50, with the pages after it
#   app_post_p99           a form POST, one recorded write (a class added, with the session
#                          cookie and the form's CSRF token), 16 connections posting at once
#
#   bench_app.sh HEARTH [--quick] [--gen HEARTH-GEN]
#   (HEARTH-GEN: by default tests/tools/hearth-gen of HEARTH's build)
set -euo pipefail
hearth=$1
shift
secs=10 warm=2
gen=$(dirname "$hearth")/../tests/tools/hearth-gen
while [ $# -gt 0 ]; do
	case $1 in
	--quick) secs=3 warm=1 ;;
	--gen) gen=$2; shift ;;
	*) echo "usage: bench_app.sh HEARTH [--quick] [--gen HEARTH-GEN]" >&2; exit 2 ;;
	esac
	shift
done
for t in wrk nginx curl; do
	command -v $t >/dev/null || [ -x /usr/sbin/$t ] ||
		{ echo "skip app_today_vs_nginx: no $t (apt-get install wrk nginx-light curl)"; exit 0; }
done
[ -x "$gen" ] || { echo "bench_app: no hearth-gen at $gen (give --gen)"; exit 1; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
tmp=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/hearth-bench-app-XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

# serve NAME DIR: `hearth serve` on DIR with the account bench signed in; sets URL_NAME and
# COOKIE_NAME
serve() {
	local name=$1 dir=$2 url= i
	printf 'benchpass1\n' | "$hearth" -C "$dir" user add bench --role staff
	"$hearth" -C "$dir" serve --listen 127.0.0.1:0 >"$tmp/serve-$name.log" 2>&1 &
	pids+=($!)
	for i in $(seq 1 100); do
		url=$(sed -n 's/.* at \(http:\/\/127\.0\.0\.1:[0-9]*\)\/.*/\1/p' "$tmp/serve-$name.log" | head -1)
		[ -n "$url" ] && break
		sleep 0.1
	done
	[ -n "$url" ] || { echo "bench_app: hearth serve did not start"; exit 1; }
	curl -s -c "$tmp/jar-$name" -o /dev/null -d 'name=bench&password=benchpass1' "$url/login"
	eval "URL_$name=\$url"
	eval "COOKIE_$name=\$(awk '/hearth_session/ { print \$NF }' \"\$tmp/jar-\$name\")"
}

"$hearth" -C "$tmp/node" init --node bench --kind childcare_centre --name 基准托育中心 >/dev/null
serve today "$tmp/node"
# a centre with 10,000 children or more: about 36 of every 100 changes of a centre register one
"$gen" --out "$tmp/world" --nodes 1 --changes 28200 >/dev/null
big=$(find "$tmp/world/nodes" -mindepth 1 -maxdepth 1 -name '*tuoyu*' | head -1)
[ -n "$big" ] || { echo "bench_app: hearth-gen made no centre"; exit 1; }
children=$("$hearth" -C "$big" query --csv "SELECT count(*) FROM child" | tail -n 1 | tr -d '\r')
serve big "$big"

mkdir -p "$tmp/www" "$tmp/ng/logs"
curl -s -H "Cookie: hearth_session=$COOKIE_today" "$URL_today/" >"$tmp/www/today.html"
curl -s -H "Cookie: hearth_session=$COOKIE_big" "$URL_big/t/child" >"$tmp/www/children.html"
grep -q '<html' "$tmp/www/today.html" || { echo "bench_app: the start page did not load"; exit 1; }
grep -q '/t/child/view' "$tmp/www/children.html" ||
	{ echo "bench_app: the list of children did not load"; exit 1; }
rows=$(grep -o '/t/child/view' "$tmp/www/children.html" | wc -l)
csrf=$(curl -s -H "Cookie: hearth_session=$COOKIE_big" "$URL_big/" |
	sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)

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
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/today.html" && break; sleep 0.1; done

bench() { # URL [wrk options...]: "requests/s p99ms non-2xx-3xx", after an uncounted warm-up
	local url=$1 out rps p99 bad
	shift
	wrk -t 2 -c 16 -d "${warm}s" "$@" "$url" >/dev/null
	out=$(wrk -t 2 -c 16 -d "${secs}s" --latency "$@" "$url")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
		else if (v ~ /ms$/) sub(/ms$/, "", v); else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
		print v }' <<<"$out")
	bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
	echo "${rps:-0} ${p99:-0} ${bad:-0}"
}

figure() { # NAME WHAT HEARTH-URL COOKIE NGINX-URL
	local h_rps h_p99 h_bad n_rps n_p99 n_bad
	read -r h_rps h_p99 h_bad < <(bench "$3" -H "Cookie: hearth_session=$4")
	read -r n_rps n_p99 n_bad < <(bench "$5")
	awk -v name="$1" -v what="$2" -v h="$h_rps" -v n="$n_rps" -v p="$h_p99" -v np="$n_p99" \
		-v bad="$h_bad" -v s="$secs" 'BEGIN {
		r = n > 0 ? h / n : 0
		printf "figure %s = %.3g x (baseline nginx static %.0f req/s p99 %.2f ms, hearth serve %.0f req/s p99 %.2f ms, %d errors; %s; wrk 16 connections %d s; target >= 0.25 x and p99 <= 20 ms) %s\n",
			name, r, n, np, h, p, bad, what, s, (r >= 0.25 && p <= 20 && bad == 0) ? "met" : "missed"
	}'
}

figure app_today_vs_nginx "the start page, $(wc -c <"$tmp/www/today.html") bytes" \
	"$URL_today/" "$COOKIE_today" "http://127.0.0.1:$port/today.html"
figure app_children_vs_nginx "$children children, the list shows $rows, $(wc -c <"$tmp/www/children.html") bytes" \
	"$URL_big/t/child" "$COOKIE_big" "http://127.0.0.1:$port/children.html"

cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = "csrf=$csrf&name=bench-class&age_band=2-3&capacity=20"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "hearth_session=$COOKIE_big"
LUA
before=$("$hearth" -C "$big" query --csv "SELECT count(*) FROM care_class" | tail -n 1 | tr -d '\r')
read -r p_rps p_p99 p_bad < <(bench "$URL_big/t/care_class/new" -s "$tmp/post.lua")
after=$("$hearth" -C "$big" query --csv "SELECT count(*) FROM care_class" | tail -n 1 | tr -d '\r')
awk -v rps="$p_rps" -v p="$p_p99" -v bad="$p_bad" -v n=$((after - before)) -v s="$secs" 'BEGIN {
	printf "figure app_post_p99 = %.2f ms (baseline none: %.0f writes/s, %d errors, %d classes written, warm-up included; a form POST, one recorded write, at the centre of 10,000 children; wrk 16 connections %d s; target <= 50 ms) %s\n",
		p, rps, bad, n, s, (p <= 50 && bad == 0 && n > 0) ? "met" : "missed"
}'
