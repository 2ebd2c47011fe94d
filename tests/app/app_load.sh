#!/bin/bash
# Reliability of the app under a bounded load: 16 clients post writes over real HTTP for
# $APP_LOAD_SECONDS (10 s) while the node and the office sync over and over. No answer may be
# an error (5xx, or anything but the 303 of a write), and every acknowledged write is in the
# node exactly once: its row, and one recorded entry by its author. Then a steady stream of
# posts: the WAL stays bounded (the server's checkpointer), and SIGTERM stops the server cleanly.
. "$(dirname "$0")/../integration/lib.sh" "$@"
. "$(dirname "$0")/lib_app.sh"

SECS=${APP_LOAD_SECONDS:-10}
hh office init --node office --kind office --name Office >/dev/null
git init -q --bare "$T/lucai.git"
new_node lucai childcare_centre Lucai "$T/lucai.git" >/dev/null
printf 'staffpass1\n' | h lucai user add bob --role staff
serve U lucai
# before any request: the pool's 16 handles are open (and the cache's own), so no request of
# the first busy moment pays for opening one
handles=$(for f in /proc/"$U_PID"/fd/*; do readlink "$f"; done 2>/dev/null | grep -c '/hearth\.db$')
check "the server opened its database handles before the first request ($handles)" \
	test "$handles" -ge 17
J="$T/bob.jar"
is "$(login "$U" "$J" bob staffpass1)" 303 "the staff member signs in"
K=$(csrf "$U" "$J")

# a form posted while another process holds the write lock (1 s) waits for it, then is written
sqlite3 "$T/lucai/hearth.db" "BEGIN IMMEDIATE;" ".shell touch '$T/locked'" ".shell sleep 1" \
	"COMMIT;" >/dev/null &
locker=$!
for i in $(seq 1 100); do [ -e "$T/locked" ] && break; sleep 0.05; done
read -r st where took < <(curl -s -o /dev/null --max-time 60 \
	-w '%{http_code} %{redirect_url} %{time_total}\n' -b "$J" \
	-d "csrf=$K&name=waited&age_band=2-3&capacity=5" "$U/t/care_class/new")
wait "$locker"
diag "the post behind the lock: $st in $took s"
is "$st" 303 "a post behind another process's write lock waits and is written"
check "it waited for the lock" awk -v t="$took" 'BEGIN { exit !(t >= 0.3) }'
is "$(hq lucai "SELECT count(*) FROM care_class WHERE name = 'waited'")" 1 "its row is there"
echo "$st $where" >"$T/client.0" # counted with the clients' writes below

client() { # N: post until the deadline; one line per answer: status and where it sent us
	local n=$1 i=0 end=$((SECONDS + SECS))
	while [ $SECONDS -lt $end ] && [ $i -lt 100000 ]; do
		i=$((i + 1))
		curl -s -o /dev/null --max-time 60 -w '%{http_code} %{redirect_url}\n' -b "$J" \
			-d "csrf=$K&name=c$n-$i&age_band=2-3&capacity=$((i % 200))" \
			"$U/t/care_class/new" || echo "000 curl-failed"
	done >"$T/client.$n"
}

syncer() { # sync the node and the office over and over until the deadline
	local end=$((SECONDS + SECS)) i=0
	while [ $SECONDS -lt $end ] && [ $i -lt 1000 ]; do
		i=$((i + 1))
		h lucai sync >/dev/null 2>&1 || echo "node sync $i failed" >>"$T/sync.err"
		h office sync >/dev/null 2>&1 || echo "office sync $i failed" >>"$T/sync.err"
	done
	echo "$i" >"$T/syncs"
}

pids=()
for n in $(seq 1 16); do
	client "$n" &
	pids+=($!)
done
syncer &
pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done

cat "$T"/client.* >"$T/all"
total=$(wc -l <"$T/all")
acked=$(grep -c '^303 .*/t/care_class/view?id=' "$T/all")
diag "$total requests, $acked writes acknowledged, $(cat "$T/syncs") sync rounds in ${SECS}s"
check "the clients made requests" test "$total" -gt 16
is "$(grep -vc '^303 ' "$T/all")" 0 "every answer is the 303 of a write (no 5xx, no error page)"
check_not "no sync failed" test -s "$T/sync.err"
sed -n 's/.*view?id=//p' "$T/all" | sort >"$T/ids"
is "$(sort -u "$T/ids" | wc -l)" "$acked" "every acknowledged write has its own id"
hq lucai "SELECT id FROM care_class" | sort >"$T/rows"
is "$(comm -23 "$T/ids" "$T/rows" | wc -l)" 0 "every acknowledged write's row is at the node"
is "$(wc -l <"$T/rows")" "$acked" "and no other row"
is "$(sq lucai "SELECT (SELECT count(*) FROM hearth_outbox WHERE author = 'bob') +
	(SELECT count(*) FROM hearth_history WHERE author = 'bob')")" "$acked" \
	"each acknowledged write is one recorded entry by its author"
h lucai sync >/dev/null 2>&1; h office sync >/dev/null 2>&1; h lucai sync >/dev/null 2>&1
is "$(hq office "SELECT count(*) FROM care_class WHERE owner = 'lucai'")" "$acked" \
	"after a last sync the office holds every write once"

# The WAL stays bounded under a steady stream of form posts (no sync to checkpoint it): the
# server's checkpointer copies it as it grows and restarts it at 4,000 pages (16 MiB); without
# it the WAL of these writes grows past 60 MiB. The largest -wal seen, sampled every 50 ms.
N=${APP_LOAD_WAL_POSTS:-6000}
BOUND=$((32 * 1024 * 1024))
wal="$T/lucai/hearth.db-wal"
salt() { od -An -tu4 --endian=big -j16 -N4 "$wal" | tr -d ' '; } # salt-1: +1 at each restart
s0=$(salt)
(
	while [ ! -e "$T/posted" ]; do stat -c %s "$wal" 2>/dev/null; sleep 0.05; done |
		sort -n | tail -1 >"$T/walmax"
) &
sampler=$!
curl -s -b "$J" -o /dev/null -w '%{http_code}\n' --parallel --parallel-max 16 --max-time 60 \
	-d "csrf=$K&name=steady&age_band=2-3&capacity=9" "$U/t/care_class/new?n=[1-$N]" \
	>"$T/steady" 2>/dev/null
touch "$T/posted"
wait "$sampler"
walmax=$(cat "$T/walmax")
restarts=$(( $(salt) - s0 ))
diag "$N posts: the -wal file at most $walmax bytes, restarted $restarts times"
is "$(grep -c '^303$' "$T/steady")" "$N" "every steady post is the 303 of a write"
is "$(hq lucai "SELECT count(*) FROM care_class WHERE name = 'steady'")" "$N" "each one is written"
check "the -wal file stayed under 32 MiB ($walmax bytes)" test "$walmax" -lt "$BOUND"
check "the WAL was restarted while the posts came ($restarts times)" test "$restarts" -ge 2

# SIGTERM stops the server, its checkpointer too: at once, status 0, nothing reported
kill -TERM "$U_PID"
for i in $(seq 1 100); do kill -0 "$U_PID" 2>/dev/null || break; sleep 0.05; done
check_not "the server stopped within 5 s of SIGTERM" kill -0 "$U_PID"
wait "$U_PID"
is "$?" 0 "it exits with status 0"
check_not "nothing reported on stopping (no sanitizer's report)" \
	grep -E 'Sanitizer|runtime error|leak' "$T/serve-U.log"
done_testing
