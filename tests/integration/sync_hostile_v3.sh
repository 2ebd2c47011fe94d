#!/bin/bash
# Hostile nodes, second round (office side): a push of kilobytes that stands for gigabytes
# (flood_commit in lib.sh: blobs of 16 MiB entries of one repeated byte, the last malformed) is
# refused by the sizes in its objects' headers, without being copied into the office or loaded;
# a commit that stays quarantined is not read again at every sync; a commit with two parents is
# refused; a node whose clock runs hours ahead does not win the conflicts of the next hours.
. "$(dirname "$0")/lib.sh" "$@"

mkdir -p "$T/usb"
hh office init --node office --kind office --name Office
for n in lucai fl big two fast lc; do
	git init -q --bare "$T/usb/$n.git"
	new_node "$n" childcare_centre "Centre $n" "$T/usb/$n.git" || fail "init $n"
	w "$n" "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('$n','c1','Legit','1-2',10)"
done
sync_all lucai fl big two fast lc office
is "$SYNC_FAILED" 0 "legit syncs exit 0"
head_msg=$(git -C "$T/usb/fl.git" log -1 --format=%B up)
fingerprint=$(printf '%s\n' "$head_msg" | sed -n 's/^Hearth-Fingerprint: //p')
schema=$(printf '%s\n' "$head_msg" | sed -n 's/^Hearth-Schema: //p')
clock=$(sq fl "SELECT clock FROM hearth_outbox WHERE seq = 2")
seq=2

# peak RSS in MB of `hearth -C office sync` (empty if /usr/bin/time is missing)
office_sync_mb() {
	[ -x /usr/bin/time ] || return 0
	/usr/bin/time -f '%M' -o "$T/rss" "$HEARTH" -C "$T/office" sync >>"$T/log" 2>&1
	echo $(($(tail -n 1 "$T/rss") / 1024))
}
rss_below() { # MB LIMIT DESC
	if [ -z "$1" ]; then
		pass "# SKIP $3 (no /usr/bin/time)"
	elif [ "$1" -le "$2" ]; then
		pass "$3 ($1 MB)"
	else
		fail "$3" "peak RSS $1 MB, limit $2 MB"
	fi
}
quarantined() { sq office "SELECT reason FROM hearth_quarantine WHERE node = '$1'"; }
base=$(office_sync_mb)

# ---- a flood: 4 blobs of 4 entries of 16 MiB (256 MiB), a push of a few hundred KB -------------
node=fl
flood=$(flood_commit fl 4 4 16777000)
isnt "$flood" "" "the flood commit is crafted"
mb=$(office_sync_mb)
rss_below "$mb" "$((${base:-0} + 32))" "the office refuses the flood with little more memory than an idle sync"
like "$(quarantined fl)" "absent (the office fetches a commit whose entries take more than it accepts" \
	"the flood is quarantined for its size"
check_not "the office did not copy the flood's blobs" \
	git -C "$T/office/repo.git" cat-file -e "$flood:entries.1"
# the same flood taken from the office's own copy: the sizes in the headers refuse it before any
# blob is loaded
node=big
git -C "$T/usb/big.git" fetch -q "$T/usb/fl.git" "$flood" 2>>"$T/log"
git -C "$T/office/repo.git" hash-object -w "$T/flood1" "$T/flood2" "$T/flood3" >/dev/null
big=$(git -C "$T/usb/big.git" commit-tree "$flood^{tree}" -p "$(git -C "$T/usb/big.git" rev-parse up)" \
	-m "big: crafted

Hearth-Format: 2
Hearth-Direction: up
Hearth-Node: big
Hearth-Schema: $schema
Hearth-Fingerprint: $fingerprint
Hearth-Entries: 16 3 18") && git -C "$T/usb/big.git" update-ref refs/heads/up "$big"
mb=$(office_sync_mb)
rss_below "$mb" "$((${base:-0} + 32))" "a flood the office holds already is refused by its size"
like "$(quarantined big)" "the entries of the commit take 268" "... with the size and the limit"
is "$(hq office "SELECT count(*) FROM child WHERE owner IN ('fl', 'big')")" 0 "nothing of the floods merged"

# ---- a quarantined commit of 20 MiB (under the limit) is not read again at every sync ---------
node=lucai
clock=$(sq lucai "SELECT clock FROM hearth_outbox WHERE seq = 2")
flood_blob "$T/one.blob" 3 "$clock" 2 10000000 bad
heavy=$(craft2 lucai "2 3 4" lucai "$T/one.blob")
first=$(office_sync_mb)
like "$(quarantined lucai)" "changeset does not parse" "a 20 MB commit whose last entry is malformed is quarantined"
again=$(office_sync_mb)
rss_below "$again" "$((${base:-0} + 12))" "the next sync does not load the quarantined commit again"
is "$(sq office "SELECT count(*) FROM hearth_quarantine WHERE node = 'lucai'")" 1 "it stays quarantined, once"

# ---- two parents ---------------------------------------------------------------------------
node=two
clock=$(sq two "SELECT clock FROM hearth_outbox WHERE seq = 2")
own=$(own_changeset two TwoParents)
entries_blob "$T/two.blob" 0 0 3 "$clock" "$own"
git -C "$T/usb/two.git" fetch -q "$T/usb/lucai.git" up:refs/other 2>>"$T/log"
merge=$(craft2 two "1 3 3" two "$T/two.blob")
tree=$(git -C "$T/usb/two.git" rev-parse "$merge^{tree}")
git -C "$T/usb/two.git" log -1 --format=%B "$merge" >"$T/msg"
m2=$(git -C "$T/usb/two.git" commit-tree "$tree" -p "$merge^" -p refs/other -F "$T/msg") &&
	git -C "$T/usb/two.git" update-ref refs/heads/up "$m2"
hh office sync
like "$(quarantined two)" "commit has 2 parents" "a commit with two parents is quarantined, with the reason"
is "$(hq office "SELECT count(*) FROM child WHERE name = 'TwoParents'")" 0 "and nothing of it merged"

# ---- a clock hours ahead ----------------------------------------------------------------------
# lc's request is assigned to `fast`, whose device clock runs 2 hours ahead (not lucai's: its up
# holds the crafted commits above, so lucai is now told it is a forked copy). At t0 the office
# merges fast's feedback (stamped t0 + 2 h); at t0 + 30 min lc writes its own feedback, which
# is the later write: it wins (lww), as it would have had fast's clock been right.
t0=$(($(date +%s) * 1000 + 3600000))
at() { local ms=$1; shift; HEARTH_TEST_NOW_MS=$ms "$@"; }
at "$t0" hh lc exec "INSERT INTO service_request (owner, id, service_type_id, requested_at,
	resident_name, assignee) VALUES ('lc', 'rq', 'repair', '2026-01-05T09:00:00+08:00', 'R', 'fast')"
SYNC_FAILED=0
for n in lc office fast; do at "$t0" hh $n sync || SYNC_FAILED=$((SYNC_FAILED + 1)); done
at $((t0 + 7200000)) hh fast exec "UPDATE service_request SET feedback = 'fast-ahead' WHERE id = 'rq'"
at "$t0" hh fast sync || SYNC_FAILED=$((SYNC_FAILED + 1))
at "$t0" hh office sync || SYNC_FAILED=$((SYNC_FAILED + 1))
is "$(sq office "SELECT clamped FROM hearth_applied WHERE node = 'fast' ORDER BY seq DESC LIMIT 1")" 1 \
	"the office flags the entry whose clock is 2 hours ahead"
at $((t0 + 1800000)) hh lc exec "UPDATE service_request SET feedback = 'lc-later' WHERE id = 'rq'"
for n in lc office; do at $((t0 + 1800000)) hh $n sync || SYNC_FAILED=$((SYNC_FAILED + 1)); done
is "$SYNC_FAILED" 0 "the syncs around the fast clock exit 0"
is "$(hq office "SELECT feedback FROM service_request WHERE id = 'rq'")" "lc-later" \
	"a write 30 minutes after the office received one stamped 2 hours ahead wins"
done_testing
