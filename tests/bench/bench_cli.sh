#!/usr/bin/env bash
# Figure 3: one recorded write through the CLI (`hearth exec`, a whole process each) against
# the sqlite3 CLI running the same SQL on a database of the same schema (a copy of a fresh
# node's database: WAL, and synchronous=NORMAL set as hearth sets it), no session.
#
#   bench_cli.sh HEARTH [--quick]
set -euo pipefail
hearth=$1
n=100
[ "${2:-}" = --quick ] && n=20
command -v sqlite3 >/dev/null || { echo "skip write_cli_vs_sqlite3_cli: no sqlite3 CLI (apt-get install sqlite3)"; exit 0; }
tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/hearth-bench-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$hearth" -C "$tmp/template" init --node bench --kind childcare_centre --name 基准托育中心 --region luzhou >/dev/null

sql() { # the i-th INSERT, the same text for both
	printf "INSERT INTO child (owner, id, name, birth_date, sex, guardian_name, guardian_phone, notes) VALUES ('bench', 'c%08d', '王子轩', '2024-03-01', 'f', '王芳', '13800001234', '午睡良好，饮食正常。')" "$1"
}

now() { date +%s.%N; }

run_hearth() {
	rm -rf "$tmp/h" && cp -a "$tmp/template" "$tmp/h"
	local t0 i
	t0=$(now)
	for ((i = 0; i < n; i++)); do
		"$hearth" -C "$tmp/h" exec "$(sql "$i")" >/dev/null
	done
	awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.6f\n", b - a }'
}

run_sqlite() {
	rm -rf "$tmp/s" && cp -a "$tmp/template" "$tmp/s"
	local t0 i
	t0=$(now)
	for ((i = 0; i < n; i++)); do
		sqlite3 "$tmp/s/hearth.db" "PRAGMA synchronous = NORMAL; $(sql "$i")" >/dev/null
	done
	awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.6f\n", b - a }'
}

th=() ts=()
for r in 1 2 3 4 5; do
	th+=("$(run_hearth)")
	ts+=("$(run_sqlite)")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 3p; }
mh=$(median "${th[@]}")
ms=$(median "${ts[@]}")
awk -v h="$mh" -v s="$ms" -v n="$n" 'BEGIN {
	r = h / s
	printf "figure write_cli_vs_sqlite3_cli = %.3g x (baseline sqlite3 CLI %.2f ms/write, hearth exec %.2f ms/write; %d processes each; target <= 1.5 x) %s\n",
		r, s / n * 1000, h / n * 1000, n, (r <= 1.5 ? "met" : "missed")
}'
