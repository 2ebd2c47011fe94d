#!/bin/bash
# Every change can be seen and undone: the three everyday mistakes (an UPDATE without WHERE, the
# wrong child deleted, a sheet imported with a wrong column) each undone by `undo` with the
# node's dump as before, synced and merged at the office like any change; undo refused when a
# later change touched the cells and --force undoing only the others; undo of an undo; undo of a
# change partly lost in a merge; a node cannot undo the office's change; the guard on wide
# changes; show / history / log in text and JSON; purged records leave no history.
. "$(dirname "$0")/lib.sh" "$@"

export TZ=UTC
B=1700000000000 # 2023-11-14 22:13:20 UTC
at() { export HEARTH_TEST_NOW_MS=$((B + $1 * 1000)); }
# run NODE ARGS: hearth at NODE with stdout/stderr captured; sets RC, OUT, ERR
run() {
	local node=$1
	shift
	"$HEARTH" -C "$T/$node" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
dump() { "$HEARTH" -C "$T/$1" dump; }
last_seq() { sq "$1" "SELECT max(seq) FROM (SELECT seq FROM hearth_outbox UNION ALL SELECT seq FROM hearth_history)"; }

mkdir -p "$T/usb"
at 0
hh office init --node office --kind office --name 长治市卫健委 || fail "office init"
git init -q --bare "$T/usb/lucai.git"
new_node lucai childcare_centre 潞才 "$T/usb/lucai.git" || fail "lucai init"

# ---- the guard on wide changes --------------------------------------------------------------
classes="WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 30)
	INSERT INTO care_class (owner, id, name, age_band, capacity)
	SELECT 'lucai', 'c' || i, '托大' || i || '班', '2-3', 25 FROM k"
run lucai exec "$classes"
is "$RC" 1 "an exec of 30 rows without --yes exits 1"
like "$ERR" "would change 30 rows (care_class +30), more than 20: nothing was written" \
	"it says how many rows of which table, and that nothing was written"
is "$(hq lucai "SELECT count(*) FROM care_class")" 0 "the guard wrote nothing"
run lucai exec --yes "$classes"
is "$RC" 0 "with --yes the 30 classes are recorded"
run lucai config wide-change-rows 40
is "$OUT" "wide-change-rows 40" "config sets the node's limit"
run lucai exec "UPDATE care_class SET capacity = 26"
is "$RC" 0 "30 rows pass a limit of 40"
run lucai config wide-change-rows 20
run lucai config wide-change-rows x
is "$RC" 2 "config with a non-number is a usage error"
run lucai exec "UPDATE care_class SET capacity = 25"
is "$RC" 1 "back at 20, the same kind of update is refused"
run lucai exec --yes "UPDATE care_class SET capacity = 25"
is "$RC" 0 "and recorded with --yes"
w lucai "INSERT INTO child (owner, id, name, guardian_name) VALUES
	('lucai','k1','王小明','王大明'), ('lucai','k2','李小红','李大红')"
at 10
sync_all lucai office lucai
is "$SYNC_FAILED" 0 "first syncs exit 0"
is "$(sq lucai "SELECT count(*) FROM hearth_outbox")" 0 "the office acknowledged everything"
is "$(sq lucai "SELECT count(*) FROM hearth_history")" "$(last_seq lucai)" \
	"the acknowledged entries moved to the node's history"
run lucai log --json -n 50
like "$OUT" '"state": "merged", "summary": "care_class +30", "time": "2023-11-14 22:13:20", "ref": "2", "change": "care_class ' \
	"log --json gives the acknowledged change as merged, with its local time, name and line"

# ---- mistake 1: UPDATE without WHERE ---------------------------------------------------------
at 20
dump lucai >"$T/before1"
outbox=$(sq lucai "SELECT count(*) FROM hearth_outbox")
run lucai exec "UPDATE care_class SET capacity = 0"
is "$RC" 1 "the capacity=0 mistake is stopped by the guard"
like "$ERR" "30 rows (care_class ~30)" "the guard names the rows and the table"
is "$(sq lucai "SELECT count(*) FROM hearth_outbox")" "$outbox" "the outbox is unchanged"
dump lucai >"$T/after"
check "the refused exec changed nothing" cmp -s "$T/before1" "$T/after"
run lucai exec --yes "UPDATE care_class SET capacity = 0"
is "$RC" 0 "with --yes the mistake is recorded"
m1=$(last_seq lucai)
run lucai log -n 1
like "$OUT" "2023-11-14 22:13:40" "log gives the local time of the change"
like "$OUT" ": capacity 25 → 0; and 29 more rows" "log has one readable line for the change"
run lucai show "$m1"
is "$RC" 0 "show exits 0"
like "$OUT" "change $m1 · 2023-11-14 22:13:40 · up pending" "show says when and its state"
like "$OUT" "by: (not recorded)" "show says who (not recorded before the app)"
like "$OUT" "~ care_class 托大7班: capacity 25 → 0" "show gives each row, old → new"
is "$(printf '%s\n' "$OUT" | grep -c '^  ~ care_class')" 30 "show lists the 30 rows"
run lucai show --json "$m1"
like "$OUT" '"author": null' "show --json has the author, null until recorded"
like "$OUT" '"id": "c7", "name": "托大7班", "columns": [{"column": "capacity", "label": "capacity", "old": 25, "new": 0}]' \
	"show --json has the raw old and new values"
printf '%s' "$OUT" | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null
is "$?" 0 "show --json parses as JSON"
run lucai undo "$m1"
is "$RC" 0 "undo of the UPDATE without WHERE exits 0"
like "$OUT" "undo of $m1, 30 rows" "undo says what it recorded"
undo1=$(last_seq lucai)
dump lucai >"$T/after"
check "mistake 1 undone: the dump is as before" cmp -s "$T/before1" "$T/after"

# ---- mistake 2: the wrong child deleted --------------------------------------------------------
dump lucai >"$T/before2"
w lucai "DELETE FROM child WHERE id = 'k2'"
m2=$(last_seq lucai)
run lucai show "$m2"
like "$OUT" '- child 李小红: child'\''s name "李小红", guardian'\''s name "李大红"' "show gives a deleted row's values"
run lucai undo "$m2"
is "$RC" 0 "undo of the delete exits 0"
dump lucai >"$T/after"
check "mistake 2 undone: the dump is as before" cmp -s "$T/before2" "$T/after"
run lucai history child k2
like "$OUT" "change $((m2 + 1)) ·" "history of the child lists the undo"
like "$OUT" "+ child 李小红" "... which put the child back"
like "$OUT" "- child 李小红" "... and the delete"
first=$(printf '%s\n' "$OUT" | grep -m1 '^change' | cut -d' ' -f2)
run lucai history --json child lucai/k2
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["changes"]), d["changes"][1]["rows"][0]["op"])' >"$T/j" 2>&1
is "$(cat "$T/j")" "3 delete" "history --json: three changes, the second the delete"
is "$first" "$((m2 + 1))" "history is newest first"

# ---- mistake 3: a sheet imported with a wrong column -----------------------------------------
dump lucai >"$T/before3"
printf 'owner,id,name,notes\nlucai,k3,13800000001,张三\nlucai,k4,13800000002,李四\n' >"$T/kids.csv"
run lucai import child "$T/kids.csv"
is "$RC" 0 "the sheet with the phone in the name column is imported"
m3=$(last_seq lucai)
run lucai undo "$m3"
is "$RC" 0 "undo of the import exits 0"
dump lucai >"$T/after"
check "mistake 3 undone: the dump is as before" cmp -s "$T/before3" "$T/after"
run lucai undo --force "$m3"
is "$RC" 1 "undoing the import twice has nothing left to undo"
like "$ERR" "child lucai/k3: the record was deleted since (changed by $((m3 + 1)))" \
	"and names the change that deleted the rows"

# ---- the undos sync and merge like any change --------------------------------------------------
at 30
sync_all lucai office lucai
is "$SYNC_FAILED" 0 "syncs after the undos exit 0"
cmp_dump lucai "after the undos, the node holds exactly the office's view"
run office log -n 50
like "$OUT" "lucai:$undo1" "the office log names the undo by its origin"
run office show "lucai:$undo1"
like "$OUT" "origin: lucai change $undo1" "show at the office gives the origin"
like "$OUT" "merge: merged" "and what the merge did"
run office show --json "lucai:$undo1"
like "$OUT" '"merge": "merged"' "show --json at the office says merged"

# ---- undo refused when a later change touched the cells; --force -------------------------------
at 40
w lucai "UPDATE care_class SET capacity = capacity + 1 WHERE id IN ('c1', 'c2')"
a=$(last_seq lucai)
w lucai "UPDATE care_class SET capacity = 50 WHERE id = 'c1'"
b=$(last_seq lucai)
dump lucai >"$T/before4"
run lucai undo "$a"
is "$RC" 1 "undo is refused when a later change touched a cell"
like "$ERR" "care_class lucai/c1 capacity: holds 50 (changed by $b)" \
	"the refusal lists the cell, its value and the change that touched it"
like "$ERR" "nothing was written" "and says nothing was written"
dump lucai >"$T/after"
check "the refused undo changed nothing" cmp -s "$T/before4" "$T/after"
run lucai undo --force "$a"
is "$RC" 0 "undo --force exits 0"
like "$OUT" "skipped 1 (changed since)" "it says how many cells it skipped"
like "$OUT" "care_class lucai/c1 capacity" "and which"
is "$(hq lucai "SELECT capacity FROM care_class WHERE id = 'c1'")" 50 "the touched cell is kept"
is "$(hq lucai "SELECT capacity FROM care_class WHERE id = 'c2'")" 25 "the untouched one is undone"

# ---- undo of an undo redoes ----------------------------------------------------------------------
undo2=$((m2 + 1))
run lucai undo "$undo2"
is "$RC" 0 "undo of the undo exits 0"
is "$(hq lucai "SELECT count(*) FROM child WHERE id = 'k2'")" 0 "undo of the undo redid the delete"
redo=$(last_seq lucai)
run lucai undo "$redo"
is "$(hq lucai "SELECT name FROM child WHERE id = 'k2'")" 李小红 "and undoing that puts the child back"

# ---- a node undoes only its own changes -----------------------------------------------------------
at 50
w office "UPDATE care_class SET capacity = 20 WHERE owner = 'lucai' AND id = 'c3'"
sync_all lucai office lucai
down=down:$(sq office "SELECT max(office_seq) FROM hearth_log WHERE origin = 'office'")
run lucai show "$down"
like "$OUT" "~ care_class 托大3班: capacity 25 → 20" "show at a node gives what came down"
dump lucai >"$T/before5"
run lucai undo "$down"
is "$RC" 1 "a node cannot undo the office's change"
like "$ERR" "a node undoes only its own changes" "and says why"
dump lucai >"$T/after"
check "the refused undo changed nothing" cmp -s "$T/before5" "$T/after"
run lucai undo 9999
is "$RC" 1 "undo of a change the node does not hold exits 1"
run lucai undo x1
is "$RC" 2 "undo of something that names no change is a usage error"

# ---- undo of a change partly lost in a merge at the office ------------------------------------------
at 60
w office "UPDATE care_class SET capacity = 5 WHERE owner = 'lucai' AND id = 'c4'"
at 61
w lucai "UPDATE care_class SET capacity = 9, name = '新名' WHERE id = 'c4'"
p=$(last_seq lucai)
sync_all lucai office
run office show "lucai:$p"
like "$OUT" "care_class lucai/c4 capacity: 9 lost to office's 5 (office" 	"show at the office says which value lost, to whom"
run office show --json "lucai:$p"
like "$OUT" '"merge": "conflict"' "show --json says conflict"
like "$OUT" '"result": "lost", "table": "care_class"' "with the conflict's result"
run office history care_class lucai/c4
like "$OUT" "change lucai:$p" "history at the office lists the node's change"
like "$OUT" "capacity: 9 from lucai lost to 5 from office (office)" 	"and the conflict log beside the merged log"
run office history --json care_class c4
like "$OUT" '"conflicts": [{"conflict"' "history --json has the conflicts"
run office undo "lucai:$p"
is "$RC" 0 "the office undoes the node's change as merged"
is "$(hq office "SELECT name || ' ' || capacity FROM care_class WHERE id = 'c4'")" "托大4班 5" 	"the merged part (the name) is undone, the value that won stays"
sync_all office lucai
cmp_dump lucai "the office's undo reached the node"
run lucai undo "$p"
is "$RC" 1 "at the node, the change partly lost at the office cannot be undone as it was"
like "$ERR" "care_class lucai/c4 capacity: holds 5" "the refusal names the value the office kept"
like "$ERR" "care_class lucai/c4 class name: holds \"托大4班\"" "and the name the office's undo put back"

# ---- retention: purged records leave no history ------------------------------------------------------
at 70
w lucai "INSERT INTO child (owner, id, name, guardian_phone) VALUES ('lucai','k-old','旧童甲','13800009001')"
w lucai "INSERT INTO enrolment (owner, id, child_id, class_id, mode, starts_on, ends_on)
	VALUES ('lucai','e-old','k-old','c1','full_day','2015-09-01','2016-06-30')"
w lucai "UPDATE child SET notes = '旧童甲的备注' WHERE id = 'k-old'"
sync_all lucai office lucai
is "$(sq lucai "SELECT count(*) FROM hearth_history WHERE instr(changeset, CAST('旧童甲' AS BLOB))")" 2 \
	"the node's history holds the child's changes before the purge"
at 80
run office purge --older-than 3y
is "$RC" 0 "the office purges"
sync_all office lucai
is "$(hq lucai "SELECT count(*) FROM child WHERE id = 'k-old'")" 0 "the purge reached the node"
is "$(sq lucai "SELECT count(*) FROM hearth_history WHERE instr(changeset, CAST('旧童甲' AS BLOB))")" 0 \
	"no value of the purged child is left in the node's history"
is "$(sq lucai "SELECT count(*) FROM hearth_received WHERE instr(changeset, CAST('旧童甲' AS BLOB))")" 0 \
	"nor in what it received"
run lucai history child k-old
like "$OUT" "no change to child k-old is kept" "history of a purged record is empty"
run lucai log -n 1
like "$OUT" "applied	child -1, enrolment -1	" "the purge's entry says what kind and how many"
run office history child k-old
unlike "$OUT" "旧童甲" "at the office, history shows no value of the purged child"

# ---- show at the office: a quarantined change ------------------------------------------------------
git init -q --bare "$T/usb/qn.git"
new_node qn childcare_centre 问题中心 "$T/usb/qn.git" || fail "qn init"
sync_all qn
fingerprint=$(git -C "$T/usb/qn.git" log -1 --format=%B up | sed -n 's/^Hearth-Fingerprint: //p')
schema=$(git -C "$T/usb/qn.git" log -1 --format=%B up | sed -n 's/^Hearth-Schema: //p')
clock=$(sq qn "SELECT clock FROM hearth_outbox WHERE seq = 1")
craft qn "$(own_changeset qn GapChild)" 5 >/dev/null || fail "crafting a commit with a seq gap"
hh office sync
run office show qn:5
like "$OUT" "merge: quarantined" "show at the office says a change was quarantined"
like "$OUT" "seq gap" "with its reason"
run office show --json qn:5
like "$OUT" '"merge": "quarantined", "reason": ' "and in JSON"

# ---- the manual documents show, history, undo and the guard ---------------------------------------
man=$(dirname "$0")/../../docs/hearth.1
for c in 'show \fR' 'history \fR' 'undo \fR' 'config wide\-change\-rows' 'exec \fR[\fP\-\-yes'; do
	grep -qF ".B $c" "$man"
	ok_=$?
	is "$ok_" 0 "the manual documents '.B $c'"
done
grep -q "The guard on wide changes" "$man"
is "$?" 0 "the manual explains the guard"

done_testing
