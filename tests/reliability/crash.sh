#!/usr/bin/env bash
# Crash injection: SIGKILL hearth at random moments during exec, import, push, pull, office sync
# and site build, then check what a crash must never break:
# - the database: PRAGMA integrity_check and foreign_key_check (sqlite3 CLI);
# - every repository: git fsck;
# - every write the user was told about ("recorded change N", "imported N rows") is in the data
#   and in the outbox (or already confirmed by the office); an unacknowledged write is there
#   whole or not at all: rows and outbox entries move together;
# - a push, pull or sync cut by the kill completes when simply run again;
# - after the final sync rounds every row is at the office exactly once, the office merged every
#   seq of the node exactly once (hearth_applied 1..N, no gap, no duplicate) and logged it once;
# - the site folder is the old build or the new one, never a mix.
#
# HEARTH_CRASH_TRIALS trials per command (CI: 15; HEARTH_RELIABILITY_FULL=1: 200). The kill
# comes after a random 0..W ms, W = max(50, the command's own duration measured once unkilled),
# so a slow command (a site build) is hit in all its phases, not only in its first 50 ms.
. "$(dirname "$0")/lib.sh" "$@"

N=$(rel_size HEARTH_CRASH_TRIALS 15 200)
PHASES=${HEARTH_CRASH_PHASES:-exec import push pull office site} # a subset replays one faster
phase() { case " $PHASES " in *" $1 "*) return 0 ;; esac; return 1; }
IMPORT_ROWS=40
ACKS=$T/acks            # ids of rows whose write was acknowledged to the user
ACK_GROUPS=$T/ackgroups # import groups acknowledged
: >"$ACKS"
: >"$ACK_GROUPS"
FIGURES=()

# ---- setup: an office and one centre syncing through a bare repository (a USB stick) ---------

mkdir -p "$T/srv"
git init -q --bare "$T/srv/lucai.git"
hh office init --node office --kind office --name "长治市卫健委" &&
	hh lucai init --node lucai --kind childcare_centre --name "潞才托育中心" &&
	hh lucai remote add office "$T/srv/lucai.git" &&
	hh office remote add lucai "$T/srv/lucai.git" &&
	hh lucai sync && hh office sync && hh lucai sync ||
	{ echo "Bail out! setup failed: $(tail -n 3 "$T/log")"; exit 1; }


# a write that must succeed (acknowledged: its id goes to the ack list)
ack_write() {
	local id=$1
	if hh lucai exec "INSERT INTO care_class (owner, id, name, age_band, capacity)
		VALUES ('lucai', '$id', '$id', '2-3', 10)"; then
		echo "$id" >>"$ACKS"
	else
		bad "unkilled write $id failed: $(tail -n 1 "$T/log")"
	fi
}

# the window for a command: max(50, its duration in ms)
window_for() {
	local t0 t1
	t0=$(ms_now)
	"$@" >/dev/null 2>&1
	t1=$(ms_now)
	echo $((t1 - t0 > 50 ? t1 - t0 : 50))
}

# after a kill: the database whole (DB_OUT: the output of SQL, run by the same sqlite3)
db_whole() {
	db_ok "$1" "${2:-}" >"$T/why" || bad "trial $i: $(cat "$T/why")"
}

# after a kill: database and repositories whole
whole() {
	local n why
	for n in "$@"; do
		db_whole "$n"
		why=$(fsck_ok "$T/$n/repo.git") || bad "trial $i: $why"
	done
	why=$(fsck_ok "$T/srv/lucai.git") || bad "trial $i: $why"
}

# rerun a cut command: it must complete
rerun() {
	hh "$@" || bad "trial $i: '$*' run again after the kill failed: $(tail -n 1 "$T/log")"
}

killed_count=0
phase_t0=$(ms_now)
faults() { # phase name: record the figure
	local secs=$((($(ms_now) - phase_t0) / 1000))
	FIGURES+=("$1: $N trials, $killed_count killed while running")
	diag "$1: $N trials, $killed_count killed while running (the rest had finished), ${secs} s"
	killed_count=0
	phase_t0=$(ms_now)
}

# ---- exec ------------------------------------------------------------------------------------
phase_exec() {
	base_seq=$(node_seq lucai)
	win=$(window_for "$HEARTH" -C "$T/lucai" exec "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai', 'calib-exec', 'calib', '2-3', 1)")
	echo calib-exec >>"$ACKS"
	base_seq=$((base_seq + 1))
	for i in $(seq 1 "$N"); do
		kill_after "$win" "$T/out" "$HEARTH" -C "$T/lucai" exec \
			"INSERT INTO care_class (owner, id, name, age_band, capacity)
			 VALUES ('lucai', 'exec-$i', 'exec-$i', '2-3', $i)"
		killed_count=$((killed_count + KILLED))
		acked=0
		if grep -q "^recorded change [0-9]*: 1 row" "$T/out"; then
			acked=1
			echo "exec-$i" >>"$ACKS"
		fi
		# nothing syncs in this phase: every row present has its own outbox entry and seq
		db_whole lucai "SELECT count(*) FROM care_class WHERE id = 'exec-$i';
			SELECT count(*) FROM care_class WHERE id LIKE 'exec-%';
			SELECT count(*) FROM hearth_outbox WHERE seq > $base_seq;
			SELECT $SEQ_SQL - $base_seq;"
		read -r -d '' present rows entries advanced <<<"$DB_OUT"
		if [ "$acked" = 1 ] && [ "$present" != 1 ]; then
			bad "trial $i: exec printed 'recorded change' but exec-$i is not in the data"
		fi
		if [ "$rows" != "$entries" ] || [ "$advanced" != "$rows" ]; then
			bad "trial $i: $rows exec rows, $entries outbox entries, seq advanced by $advanced"
		fi
	done
	verdict "exec: every kill left the row and its outbox entry together or neither, acknowledged rows present, database whole"
	faults exec
}
if phase exec; then phase_exec; fi

# ---- import ------------------------------------------------------------------------------------
phase_import() {
	csv_for() {
		local f=$T/import-$1.csv j
		{
			echo "owner,id,name,age_band,capacity"
			for j in $(seq 1 "$IMPORT_ROWS"); do
				echo "lucai,imp-$1-$j,imp-$1,1-2,$j"
			done
		} >"$f"
		echo "$f"
	}
	base_seq=$(node_seq lucai)
	win=$(window_for "$HEARTH" -C "$T/lucai" import care_class "$(csv_for 0)")
	echo imp-0 >>"$ACK_GROUPS"
	base_seq=$((base_seq + 1))
	for i in $(seq 1 "$N"); do
		kill_after "$win" "$T/out" "$HEARTH" -C "$T/lucai" import care_class "$(csv_for "$i")"
		killed_count=$((killed_count + KILLED))
		db_whole lucai "SELECT count(*) FROM care_class WHERE name = 'imp-$i';
			SELECT count(DISTINCT name) FROM care_class WHERE name LIKE 'imp-%' AND name <> 'imp-0';
			SELECT count(*) FROM hearth_outbox WHERE seq > $base_seq;
			SELECT count(*) FROM (SELECT name FROM care_class WHERE name LIKE 'imp-%'
				GROUP BY name HAVING count(*) <> $IMPORT_ROWS);"
		read -r -d '' present groups entries partial <<<"$DB_OUT"
		if grep -q "^imported $IMPORT_ROWS rows" "$T/out"; then
			echo "imp-$i" >>"$ACK_GROUPS"
			[ "$present" = "$IMPORT_ROWS" ] ||
				bad "trial $i: import acknowledged but only $present of its rows are there"
		fi
		[ "$partial" = 0 ] || bad "trial $i: $partial imports are in part only"
		[ "$groups" = "$entries" ] || bad "trial $i: $groups imports in the data, $entries outbox entries"
	done
	verdict "import: every kill left all $IMPORT_ROWS rows of a file with one outbox entry, or nothing"
	faults import
}
if phase import; then phase_import; fi

# ---- push --------------------------------------------------------------------------------------
phase_push() {
	win=$(window_for "$HEARTH" -C "$T/lucai" push)
	for i in $(seq 1 "$N"); do
		ack_write "push-$i-a"
		ack_write "push-$i-b"
		kill_after "$win" "$T/out" "$HEARTH" -C "$T/lucai" push
		killed_count=$((killed_count + KILLED))
		whole lucai
		rerun lucai push
		whole lucai
		up_here=$(git -C "$T/lucai/repo.git" rev-parse -q --verify refs/heads/up)
		up_there=$(git -C "$T/srv/lucai.git" rev-parse -q --verify refs/heads/up)
		[ -n "$up_here" ] && [ "$up_here" = "$up_there" ] ||
			bad "trial $i: after the re-run the remote's up is '$up_there', ours '$up_here'"
	done
	verdict "push: killed pushes leave database and repositories whole; the re-run completes and the remote holds our up"
	faults push
}
if phase push; then phase_push; fi

# ---- pull --------------------------------------------------------------------------------------
phase_pull() {
	win=$(window_for "$HEARTH" -C "$T/lucai" pull)
	for i in $(seq 1 "$N"); do
		# something to receive (an office edit, our own merged rows) and something pending to replay
		hh office exec "INSERT INTO region (owner, id, level, name) VALUES ('office', 'pull-$i', 'street', 'pull-$i')" ||
			bad "trial $i: office write failed"
		hh lucai push || bad "trial $i: push failed"
		hh office sync || bad "trial $i: office sync failed"
		ack_write "pull-$i"
		kill_after "$win" "$T/out" "$HEARTH" -C "$T/lucai" pull
		killed_count=$((killed_count + KILLED))
		whole lucai
		[ "$(sq lucai "SELECT count(*) FROM care_class WHERE id = 'pull-$i'")" = 1 ] ||
			bad "trial $i: the pending write pull-$i is gone after the killed pull"
		rerun lucai pull
		whole lucai
		[ "$(sq lucai "SELECT count(*) FROM region WHERE id = 'pull-$i'")" = 1 ] ||
			bad "trial $i: the office's region pull-$i did not arrive"
		[ "$(sq lucai "SELECT count(*) FROM care_class WHERE id = 'pull-$i'")" = 1 ] ||
			bad "trial $i: the pending write pull-$i is gone after the pull"
	done
	verdict "pull: killed pulls leave the database whole and pending writes in place; the re-run applies the office's changes"
	faults pull
}
if phase pull; then phase_pull; fi

# ---- office sync -------------------------------------------------------------------------------
phase_office() {
	win=$(window_for "$HEARTH" -C "$T/office" sync)
	for i in $(seq 1 "$N"); do
		ack_write "osync-$i"
		hh lucai push || bad "trial $i: push failed"
		hh office exec "INSERT INTO region (owner, id, level, name) VALUES ('office', 'osync-$i', 'street', 'osync-$i')" ||
			bad "trial $i: office write failed"
		kill_after "$win" "$T/out" "$HEARTH" -C "$T/office" sync
		killed_count=$((killed_count + KILLED))
		whole office
		rerun office sync
		whole office
		[ "$(sq office "SELECT count(*) FROM care_class WHERE id = 'osync-$i'")" = 1 ] ||
			bad "trial $i: osync-$i did not reach the office"
		dup=$(sq office "SELECT count(*) FROM (SELECT origin, origin_seq FROM hearth_log
			GROUP BY 1, 2 HAVING count(*) > 1)")
		[ "$dup" = 0 ] || bad "trial $i: $dup entries logged twice"
	done
	verdict "office sync: killed syncs leave database and repositories whole; the re-run merges, nothing logged twice"
	faults "office sync"
}
if phase office; then phase_office; fi

# ---- site build --------------------------------------------------------------------------------
phase_site() {
	manifest() { # the file set and every file's hash, as one line
		if [ -d "$1" ]; then
			(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
		else
			echo missing
		fi
	}
	SITE=$T/site
	hh office site build --out "$SITE" || bad "first site build failed"
	win=$(window_for "$HEARTH" -C "$T/office" site build --out "$SITE")
	saw_old=0 saw_new=0
	for i in $(seq 1 "$N"); do
		old=$(manifest "$SITE")
		hh office exec "UPDATE node SET name = 'site-$i' WHERE id = 'lucai'" || bad "trial $i: office write failed"
		kill_after "$win" "$T/out" "$HEARTH" -C "$T/office" site build --out "$SITE"
		killed_count=$((killed_count + KILLED))
		after=$(manifest "$SITE")
		whole office
		rerun office site build --out "$SITE"
		new=$(manifest "$SITE")
		[ "$old" != "$new" ] || bad "trial $i: the edit did not change the site (the check would prove nothing)"
		grep -q "site-$i" "$SITE/centres/lucai.html" || bad "trial $i: the rebuilt site lacks the edit"
		if [ "$after" = "$old" ]; then
			saw_old=$((saw_old + 1))
		elif [ "$after" = "$new" ]; then
			saw_new=$((saw_new + 1))
		else
			bad "trial $i: killed after ${KILL_MS} ms the site was neither the old nor the new build ($after)"
		fi
		left=$(find "$T" -maxdepth 1 -name '.site.hearth-new*' | wc -l)
		[ "$left" = 0 ] || bad "trial $i: $left temporary site folders left after a completed build"
	done
	verdict "site build: after every kill the output folder was the old site or the new one, never a mix"
	diag "site build: $saw_old kills left the old site, $saw_new the new one"
	faults "site build"
}
if phase site; then phase_site; fi

# ---- the end: every acknowledged write at the office exactly once -------------------------------

rounds_failed=0
for n in lucai office lucai office lucai; do
	hh "$n" sync || rounds_failed=$((rounds_failed + 1))
done
is "$rounds_failed" 0 "final sync rounds complete"
cmp_dump lucai "lucai holds exactly the office's view after the crashes"
for n in lucai office; do
	why=$(db_ok "$n") && pass "$n: database whole at the end" || fail "$n: database whole at the end" "$why"
	why=$(fsck_ok "$T/$n/repo.git") && pass "$n: repository whole at the end" ||
		fail "$n: repository whole at the end" "$why"
done
why=$(fsck_ok "$T/srv/lucai.git") && pass "the bare remote is whole at the end" ||
	fail "the bare remote is whole at the end" "$why"

acked=$(sort -u "$ACKS" | wc -l)
ids=$( (echo; sort -u "$ACKS") | sed "s/.*/'&'/" | paste -sd, -) # '' first: never an empty list
is "$(sq office "SELECT count(*) FROM care_class WHERE owner = 'lucai' AND id IN ($ids)")" "$acked" \
	"all $acked acknowledged exec writes are at the office"
groups=$( (echo; sort -u "$ACK_GROUPS") | sed "s/.*/'&'/" | paste -sd, -)
is "$(sq office "SELECT count(DISTINCT name) || ' ' || count(*) FROM care_class WHERE name IN ($groups)")" \
	"$(sort -u "$ACK_GROUPS" | wc -l) $(($(sort -u "$ACK_GROUPS" | wc -l) * IMPORT_ROWS))" \
	"every acknowledged import is at the office whole"
is "$(sq office "SELECT count(*) FROM care_class WHERE owner = 'lucai'")" \
	"$(sq lucai "SELECT count(*) FROM care_class WHERE owner = 'lucai'")" \
	"the office holds as many of lucai's rows as lucai"
seq=$(node_seq lucai)
is "$(sq office "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq)
	FROM hearth_applied WHERE node = 'lucai'")" "$seq $seq 1 $seq" \
	"the office merged each of lucai's $seq changes exactly once (hearth_applied 1..$seq)"
is "$(sq office "SELECT count(*) FROM (SELECT origin_seq FROM hearth_log WHERE origin = 'lucai'
	GROUP BY origin_seq HAVING count(*) > 1)")" 0 "no change of lucai is in the office log twice"
is "$(sq lucai "SELECT count(*) FROM hearth_outbox")" 0 "lucai's outbox is empty: everything confirmed"
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 0 "nothing quarantined"

diag "figures: $(printf '%s; ' "${FIGURES[@]}")acknowledged: $acked exec writes, $(sort -u "$ACK_GROUPS" | wc -l) imports of $IMPORT_ROWS rows; lucai seq $seq"
done_testing
