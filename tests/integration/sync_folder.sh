#!/bin/bash
# Sync through bare repositories in a folder (a USB stick), no server: an office, two childcare
# centres and a hospital edit offline, sync in several orders, and end up each holding exactly
# the office's view of what it may see.
. "$(dirname "$0")/lib.sh" "$@"

mkdir -p "$T/usb"
for n in $STORY_NODES; do
	git init -q --bare "$T/usb/$n.git"
done
usb_url() {
	echo "$T/usb/$1.git"
}
story usb_url

# the stick holds each node's branches, and nothing else
for n in $STORY_NODES; do
	check "$n: the stick holds up" git -C "$T/usb/$n.git" rev-parse --verify -q refs/heads/up
	check "$n: the stick holds down" git -C "$T/usb/$n.git" rev-parse --verify -q refs/heads/down
done

# ---- a stick that is not plugged in: skipped by a sync of every remote, refused by name ------
git init -q --bare "$T/sticks/qiaodong.git"
new_node qiaodong childcare_centre Qiaodong "$T/sticks/qiaodong.git"
hh qiaodong remote remove office
hh qiaodong remote add stick "$T/sticks/qiaodong.git"
w qiaodong "INSERT INTO child (owner,id,name) VALUES ('qiaodong','q1','Qone')"
check "stick: the first sync through the stick" hh qiaodong sync
ups() { git -C "$T/sticks/qiaodong.git" rev-list --count up; }
up0=$(ups)
w qiaodong "INSERT INTO child (owner,id,name) VALUES ('qiaodong','q2','Qtwo')"
mv "$T/sticks" "$T/sticks.away"
h qiaodong sync >"$T/out" 2>"$T/err"
is "$?" 0 "stick pulled out: the node's sync succeeds"
like "$(cat "$T/out")" "USB stick not inserted: skipped" "and says the stick was skipped"
is "$(wc -c <"$T/err" | tr -d ' ')" 0 "with no error line"
like "$(LC_ALL=zh_CN.UTF-8 h qiaodong sync 2>&1)" "U 盘未插入，已跳过" "in Chinese too"
is "$(sq qiaodong "SELECT quote(last_error) FROM hearth_remote WHERE name = 'stick'")" NULL \
	"no failure recorded for the stick"
h office sync >"$T/out" 2>"$T/err"
is "$?" 0 "office: a node's stick pulled out, the others sync, no failure"
like "$(cat "$T/out")" "USB stick not inserted: skipped" "office: the stick is noted as skipped"
sq qiaodong .dump >"$T/before.sql"
h qiaodong sync stick >"$T/out" 2>"$T/err"
is "$?" 1 "the stick named alone while it is out: sync fails"
is "$(wc -l <"$T/err" | tr -d ' ')" 1 "with one line"
like "$(cat "$T/err")" "is not there" "saying its folder is not there"
is "$(wc -c <"$T/out" | tr -d ' ')" 0 "and nothing on stdout"
sq qiaodong .dump >"$T/after.sql"
check "and the node's database is unchanged" cmp -s "$T/before.sql" "$T/after.sql"
check_not "and no folder was created for the stick" test -e "$T/sticks"
mv "$T/sticks.away" "$T/sticks"
h qiaodong sync >"$T/out" 2>"$T/err"
is "$?" 0 "the stick back: the node syncs"
unlike "$(cat "$T/out")" "skipped" "nothing skipped"
check "the new change is on the stick" test "$(ups)" -gt "$up0"
check "the stick named alone syncs too" hh qiaodong sync stick
check "office: syncs the stick again" hh office sync
is "$(hq office "SELECT name FROM child WHERE id = 'q2'")" Qtwo \
	"office: the change made while the stick was out is merged"
done_testing
