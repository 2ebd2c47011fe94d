#!/usr/bin/env bash
# Figures 14 and 15: what one hostile node costs the office. The node pushes one `up` commit of
# K blobs (K = 32 and K = 256), each of 4 entries of 16 MiB of one repeated byte, the last entry
# malformed (flood_commit in tests/integration/lib.sh): a push of about a megabyte standing for
# 2 and 16 GiB. The office's `hearth sync` (a folder remote, as on a USB stick) is measured for
# peak RSS and time, against an honest round: the same office syncing after an honest node
# pushed one commit of 256 one-row writes. Then the next sync, with the commit quarantined.
#
#   bench_hostile.sh HEARTH [--quick]     (--quick: entries of 1 per blob, 5 runs)
#
# A round takes 40-150 ms here: its wall time is read to the microsecond around the process
# (`/usr/bin/time` gives the peak RSS, and its own elapsed time only to 10 ms), and the median
# of 9 runs (5 with --quick) is taken.
set -uo pipefail
hearth=$1
per_blob=4 runs=9
[ "${2:-}" = --quick ] && per_blob=1 runs=5
case "office_sync_rss_hostile office_sync_time_hostile_vs_honest" in
*"${BENCH_ONLY:-}"*) ;;
*) exit 0 ;;
esac
command -v /usr/bin/time >/dev/null || { echo "skip office_sync_rss_hostile: no /usr/bin/time"; exit 0; }
export TMPDIR=${BENCH_TMP:-/tmp}
# shellcheck source=../integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh" "$hearth"

# one office and the nodes fl32 and fl256 (the floods) and honest, each with one commit merged
mkdir -p "$T/usb"
hh office init --node office --kind office --name Office
for n in honest fl32 fl256; do
	git init -q --bare "$T/usb/$n.git"
	new_node "$n" childcare_centre "Centre $n" "$T/usb/$n.git"
	w "$n" "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('$n','c1','Legit','1-2',10)"
	hh "$n" sync
done
hh office sync
head_msg=$(git -C "$T/usb/fl32.git" log -1 --format=%B up)
fingerprint=$(printf '%s\n' "$head_msg" | sed -n 's/^Hearth-Fingerprint: //p')
schema=$(printf '%s\n' "$head_msg" | sed -n 's/^Hearth-Schema: //p')
seq=2
for k in 32 256; do
	node=fl$k
	clock=$(sq "$node" "SELECT clock FROM hearth_outbox WHERE seq = 2")
	flood_commit "$node" "$k" "$per_blob" 16777000 >/dev/null || { echo "bench_hostile: cannot craft"; exit 1; }
done
cp -a "$T/office" "$T/office0"

# peak KB and seconds of `hearth -C DIR sync [REMOTE]`
measure() {
	local t0 t1
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$T/m" "$hearth" -C "$@" >>"$T/log" 2>&1 || echo "sync failed: $*" >&2
	t1=$(date +%s%N)
	echo "$(tail -n 1 "$T/m") $(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.6f", d / 1e9 }')"
}
# one run of a round: a fresh copy of the office, then ROUND
run() { # run NAME: prints "kb s [kb s]" for the first (and second) office sync
	rm -rf "$T/o" && cp -a "$T/office0" "$T/o"
	case $1 in
	honest)
		# the honest node and its repository copied, so every run pushes the same commit
		rm -rf "$T/honest-run" "$T/usb/honest-run.git"
		cp -a "$T/honest" "$T/honest-run" && cp -a "$T/usb/honest.git" "$T/usb/honest-run.git"
		sq honest-run "UPDATE hearth_remote SET url = '$T/usb/honest-run.git' WHERE name = 'office'"
		sq o "UPDATE hearth_remote SET url = '$T/usb/honest-run.git' WHERE name = 'honest'"
		"$hearth" -C "$T/honest-run" exec "$honest_sql" >>"$T/log" 2>&1
		"$hearth" -C "$T/honest-run" sync >>"$T/log" 2>&1
		measure "$T/o" sync honest
		;;
	*)
		echo "$(measure "$T/o" sync "$1") $(measure "$T/o" sync "$1")"
		;;
	esac
}
honest_sql=
for ((i = 0; i < 256; i++)); do
	honest_sql="$honest_sql INSERT INTO child (owner, id, name) VALUES ('honest', 'k$i', 'Child $i');"
done
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
declare -A kb s kb2 s2
for name in honest fl32 fl256; do
	a=() b=() c=() d=()
	for ((r = 0; r < runs; r++)); do
		read -r x y z v <<<"$(run "$name")"
		a+=("$x") b+=("$y") c+=("${z:-0}") d+=("${v:-0}")
	done
	kb[$name]=$(median "${a[@]}") s[$name]=$(median "${b[@]}")
	kb2[$name]=$(median "${c[@]}") s2[$name]=$(median "${d[@]}")
done
is_quarantined=$(sq o "SELECT count(*) FROM hearth_quarantine WHERE node = 'fl256'")
[ "$is_quarantined" = 1 ] || echo "bench_hostile: the flood was not quarantined" >&2
awk -v hk="${kb[honest]}" -v hs="${s[honest]}" -v ak="${kb[fl32]}" -v as="${s[fl32]}" \
	-v bk="${kb[fl256]}" -v bs="${s[fl256]}" -v ak2="${kb2[fl32]}" -v bk2="${kb2[fl256]}" \
	-v as2="${s2[fl32]}" -v bs2="${s2[fl256]}" -v per="$per_blob" 'BEGIN {
	mb = (ak > bk ? ak : bk) / 1024
	printf "figure office_sync_rss_hostile = %.1f MB (baseline honest round %.1f MB; K=32 %.1f MB then %.1f MB, K=256 %.1f MB then %.1f MB, blobs of %d x 16 MiB; target <= 64 MB) %s\n",
		mb, hk / 1024, ak / 1024, ak2 / 1024, bk / 1024, bk2 / 1024, per, (mb <= 64 ? "met" : "missed")
	t = (as > bs ? as : bs); t = (t > as2 ? t : as2); t = (t > bs2 ? t : bs2)
	hs = hs > 0.001 ? hs : 0.001
	r = t / hs
	printf "figure office_sync_time_hostile_vs_honest = %.2g x (baseline honest round %.3f s; K=32 %.3f s then %.3f s, K=256 %.3f s then %.3f s; target <= 2 x) %s\n",
		r, hs, as, as2, bs, bs2, (r <= 2 ? "met" : "missed")
}'
