#!/bin/bash
# Idempotence: merging the same commits again changes nothing (a second office sync; the office
# forgetting its copy of a node's `up` and fetching it again), a push whose database mark was
# lost is simply run again, and syncs killed (-9) at random points and re-run leave every write
# applied exactly once.
. "$(dirname "$0")/lib.sh" "$@"

mkdir -p "$T/usb"
hh office init --node office --kind office --name Office
for n in lucai xiaoxiangwan; do
	git init -q --bare "$T/usb/$n.git"
	new_node "$n" childcare_centre "Centre $n" "$T/usb/$n.git"
done
w lucai "INSERT INTO care_class (owner,id,name,age_band,capacity) VALUES ('lucai','c1','Sun','1-2',10)"
w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','k1','One')"
w xiaoxiangwan "INSERT INTO child (owner,id,name) VALUES ('xiaoxiangwan','x1','Ex')"
w office "INSERT INTO region (owner,id,parent_id,level,name) VALUES ('office','r9','luzhou','street','R9')"
sync_all lucai xiaoxiangwan office lucai xiaoxiangwan
is "$SYNC_FAILED" 0 "first syncs exit 0"

counts() { sq office "SELECT (SELECT count(*) FROM hearth_log) || ' ' || (SELECT count(*) FROM hearth_applied) || ' ' || (SELECT count(*) FROM hearth_quarantine) || ' ' || (SELECT count(*) FROM hearth_conflict)"; }
h office dump >"$T/d1"
c1=$(counts)
hh office sync
is "$?" 0 "a second office sync exits 0"
h office dump >"$T/d2"
check "a second office sync leaves the dump unchanged" cmp -s "$T/d1" "$T/d2"
is "$(counts)" "$c1" "a second office sync leaves log, applied, quarantine and conflicts unchanged"

check "the office forgets its copy of lucai's up" git -C "$T/office/repo.git" update-ref -d refs/nodes/lucai/up
hh office sync
is "$?" 0 "fetching lucai's up again exits 0"
h office dump >"$T/d3"
check "re-fetching the same commits leaves the dump unchanged" cmp -s "$T/d1" "$T/d3"
is "$(counts)" "$c1" "re-fetching the same commits leaves log, applied, quarantine and conflicts unchanged"

# ---- a push whose database mark was lost ---------------------------------------------------
head_before=$(sq lucai "SELECT value FROM hearth_meta WHERE key = 'up_head'")
seq_before=$(sq lucai "SELECT max(seq) FROM hearth_outbox")
w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','k2','Two')"
w lucai "UPDATE child SET notes = 'n' WHERE id = 'k1'"
hh lucai push
is "$?" 0 "lucai pushes two changes"
pushed=$(git -C "$T/usb/lucai.git" rev-parse refs/heads/up)
hh office sync
# as if the push had broken before the database recorded it
sq lucai "UPDATE hearth_outbox SET pushed = 0 WHERE seq > ${seq_before:-0}; UPDATE hearth_meta SET value = '$head_before' WHERE key = 'up_head'"
hh lucai push
is "$?" 0 "the push is simply run again"
is "$(git -C "$T/usb/lucai.git" rev-parse refs/heads/up)" "$pushed" \
	"the re-run writes the very same commit (entries make identical commits)"
hh office sync
is "$(sq office "SELECT count(*) FROM hearth_applied WHERE node = 'lucai'")" \
	"$(node_seq lucai)" \
	"every lucai write is applied exactly once"
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 0 "nothing quarantined"

# ---- syncs killed at random points ----------------------------------------------------------
killed=0
{ for i in 1 2 3 4 5 6 7 8; do
	w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','kk$i','Killed $i')"
	w xiaoxiangwan "UPDATE child SET notes = 'round $i' WHERE id = 'x1'"
	delay=$(printf '0.%02d' $((RANDOM % 40 + 1)))
	timeout -s KILL "$delay" "$HEARTH" -C "$T/lucai" sync >/dev/null 2>&1 || killed=$((killed + 1))
	delay=$(printf '0.%02d' $((RANDOM % 40 + 1)))
	timeout -s KILL "$delay" "$HEARTH" -C "$T/office" sync >/dev/null 2>&1 || killed=$((killed + 1))
	timeout -s KILL "$delay" "$HEARTH" -C "$T/xiaoxiangwan" sync >/dev/null 2>&1 || killed=$((killed + 1))
done; } 2>/dev/null   # bash's "Killed" notices
diag "$killed syncs were killed"
SYNC_FAILED=0
sync_all lucai xiaoxiangwan office lucai xiaoxiangwan office lucai xiaoxiangwan
is "$SYNC_FAILED" 0 "syncs after the kills exit 0"
is "$(sq office "SELECT count(*) FROM hearth_applied WHERE node = 'lucai'")" \
	"$(node_seq lucai)" \
	"after the kills, every lucai write is applied exactly once"
is "$(sq office "SELECT count(*) FROM hearth_applied WHERE node = 'xiaoxiangwan'")" \
	"$(node_seq xiaoxiangwan)" \
	"after the kills, every xiaoxiangwan write is applied exactly once"
is "$(sq office "SELECT count(*) FROM hearth_log WHERE origin = 'lucai'")" \
	"$(sq office "SELECT count(DISTINCT origin_seq) FROM hearth_log WHERE origin = 'lucai'")" \
	"no lucai entry is in the office log twice"
is "$(hq office "SELECT count(*) FROM child WHERE owner = 'lucai'")" 10 "the office holds lucai's 10 children once"
is "$(hq office "SELECT notes FROM child WHERE id = 'x1'")" "round 8" "the last xiaoxiangwan edit won"
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 0 "nothing quarantined after the kills"
cmp_dump lucai
cmp_dump xiaoxiangwan

# ---- the office's own writes: each sync empties its outbox into the log; the seq goes on ------
w office "INSERT INTO region (owner,id,parent_id,level,name) VALUES ('office','r10','luzhou','street','R10')"
hh office sync
w office "UPDATE region SET name = 'R10b' WHERE id = 'r10'"
hh office sync
is "$(sq office "SELECT count(*) FROM hearth_outbox")" 0 "the office's outbox is in its log"
is "$(sq office "SELECT count(*) - count(DISTINCT origin_seq) FROM hearth_log WHERE origin = 'office'")" \
	0 "no seq of the office's own writes is used twice"
is "$(sq office "SELECT max(origin_seq) FROM hearth_log WHERE origin = 'office'")" "$(node_seq office)" \
	"the office's last seq is that of its last write"
done_testing
