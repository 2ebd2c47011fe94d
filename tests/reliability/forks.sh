#!/usr/bin/env bash
# Two copies of one centre and the office, at random: each round writes on either copy or syncs
# either copy or the office. A copy told it was forked follows its one line ('hearth rejoin'),
# at once or some rounds later. After the rounds and a few final syncs, checks:
# - every write acknowledged on either copy is at the office, exactly once (the office merged
#   exactly one entry per acknowledged write, and no other);
# - both copies hold exactly the office's view of the centre;
# - integrity_check and foreign_key_check on the three databases, git fsck on the four
#   repositories.
#
# HEARTH_FORK_ROUNDS rounds (default 200; the sanitizer build runs fewer), at most
# HEARTH_FORK_SECONDS seconds of rounds (default 300). The seed is printed at the start and
# with any failure: HEARTH_RELIABILITY_SEED=S replays a run.
. "$(dirname "$0")/lib.sh" "$@"

ROUNDS=$(rel_size HEARTH_FORK_ROUNDS 200 200)
BUDGET_S=$(rel_size HEARTH_FORK_SECONDS 300 300)
ACKS=$T/acks
: >"$ACKS"

git init -q --bare "$T/stick.git"
hh office init --node office --kind office --name O &&
	hh office remote add c "$T/stick.git" &&
	hh pc1 init --node c --kind childcare_centre --name C &&
	hh pc1 remote add office "$T/stick.git" &&
	hh pc1 sync && hh office sync && hh pc1 sync && cp -a "$T/pc1" "$T/pc2" ||
	{ echo "Bail out! setup failed: $(tail -n 3 "$T/log")"; exit 1; }

writes=0 syncs=0 forks=0 rejoins=0 office_syncs=0
declare -A owes_rejoin=([pc1]=0 [pc2]=0)

write() { # COPY
	local id=w$1-$2
	if hh "$1" exec "INSERT INTO child (owner, id, name) VALUES ('c', '$id', '$id')"; then
		echo "$id" >>"$ACKS"
		writes=$((writes + 1))
	else
		bad "round $2: write on $1 failed: $(tail -n 1 "$T/log")"
	fi
}

node_sync() { # COPY ROUND: sync, or rejoin when told to (now or some rounds later)
	local copy=$1
	if [ "${owes_rejoin[$copy]}" = 1 ] && [ $((RANDOM % 2)) = 0 ]; then
		if hh "$copy" rejoin; then
			rejoins=$((rejoins + 1))
			owes_rejoin[$copy]=0
		else
			tail -n 1 "$T/log" | grep -q "another copy of node 'c'" ||
				bad "round $2: rejoin on $copy failed: $(tail -n 1 "$T/log")"
		fi
		return
	fi
	syncs=$((syncs + 1))
	if ! hh "$copy" sync; then
		if tail -n 1 "$T/log" | grep -q "another copy of node 'c' has synced since this copy"; then
			forks=$((forks + 1))
			owes_rejoin[$copy]=1
		else
			bad "round $2: sync on $copy failed: $(tail -n 1 "$T/log")"
		fi
	fi
}

t0=$(ms_now)
round=0
while [ "$round" -lt "$ROUNDS" ] && [ $(($(ms_now) - t0)) -lt $((BUDGET_S * 1000)) ]; do
	round=$((round + 1))
	copy=pc$((RANDOM % 2 + 1))
	case $((RANDOM % 10)) in
	0 | 1 | 2 | 3) write "$copy" "$round" ;;
	4 | 5 | 6 | 7) node_sync "$copy" "$round" ;;
	*)
		office_syncs=$((office_syncs + 1))
		hh office sync || bad "round $round: office sync failed: $(tail -n 1 "$T/log")"
		;;
	esac
done
rounds_ms=$(($(ms_now) - t0))
verdict "$round rounds: every unforked command succeeds (seed $REL_SEED)"

# the person follows every message: sync, or rejoin when told, until nothing moves
for i in 1 2 3 4; do
	for copy in pc1 pc2; do
		hh "$copy" sync || hh "$copy" rejoin || bad "final round $i: $copy: $(tail -n 1 "$T/log")"
	done
	hh office sync || bad "final round $i: office sync failed: $(tail -n 1 "$T/log")"
done
verdict "the final syncs succeed (seed $REL_SEED)"

acked=$(wc -l <"$ACKS")
at_office=$(hq office "SELECT id FROM child WHERE owner = 'c' ORDER BY id")
missing=$(sort "$ACKS" | comm -23 - <(printf '%s\n' "$at_office" | sort))
[ -z "$missing" ] || bad "acknowledged but not at the office: $(echo $missing | head -c 300)"
[ "$(printf '%s\n' "$at_office" | grep -c .)" = "$acked" ] ||
	bad "the office holds $(printf '%s\n' "$at_office" | grep -c .) rows of c, $acked acknowledged"
# one entry a write, and the node row: the office merged each exactly once
merged=$(sq office "SELECT count(*) FROM hearth_applied WHERE node = 'c'")
[ "$merged" = $((acked + 1)) ] || bad "the office merged $merged entries of c, expected $((acked + 1))"
logged=$(sq office "SELECT count(*) FROM hearth_log WHERE origin = 'c'")
[ "$logged" = $((acked + 1)) ] || bad "the office logged $logged entries of c, expected $((acked + 1))"
verdict "$acked acknowledged writes of both copies at the office, each exactly once (seed $REL_SEED)"

for copy in pc1 pc2; do
	[ "$(h "$copy" dump)" = "$(h office dump --for c)" ] || bad "$copy differs from the office"
	[ "$(sq "$copy" "SELECT count(*) FROM hearth_outbox")" = 0 ] || bad "$copy still has pending"
done
verdict "both copies converge with the office (seed $REL_SEED)"

for n in office pc1 pc2; do
	db_ok "$n" >/dev/null || bad "$(db_ok "$n")"
	fsck_ok "$T/$n/repo.git" >/dev/null || bad "$(fsck_ok "$T/$n/repo.git")"
done
fsck_ok "$T/stick.git" >/dev/null || bad "$(fsck_ok "$T/stick.git")"
verdict "integrity_check and git fsck clean (seed $REL_SEED)"

diag "figures: seed $REL_SEED, $round rounds in $rounds_ms ms: $writes writes, $syncs copy syncs" \
	"($forks told forked), $rejoins rejoins, $office_syncs office syncs; $acked acknowledged," \
	"$merged entries merged at the office"
done_testing
