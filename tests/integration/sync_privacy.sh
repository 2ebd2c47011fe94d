#!/bin/bash
# Privacy: a child row with a unique marker in its name, written at lucai, reaches the office
# and lucai and never xiaoxiangwan: not its database (hearth.db and any -wal/-journal), not its
# `down` (every object of its remote repository), not any object of its local repo.git. Rows
# whose audience names xiaoxiangwan do reach it; when the audience moves away it gets a delete.
. "$(dirname "$0")/lib.sh" "$@"

MARK="Zq7marker$$x"      # in lucai's child
MARK2="Hx9finding$$y"    # in a health check for lucai's child (audience: lucai)
MARK3="Mv4moved$$z"      # in a health check first for xiaoxiangwan, then moved to lucai

mkdir -p "$T/usb"
hh office init --node office --kind office --name Office
for n in lucai xiaoxiangwan fuyou; do
	git init -q --bare "$T/usb/$n.git"
done
new_node lucai childcare_centre Lucai "$T/usb/lucai.git"
new_node xiaoxiangwan childcare_centre Xiaoxiangwan "$T/usb/xiaoxiangwan.git"
new_node fuyou hospital Fuyou "$T/usb/fuyou.git"

w lucai "INSERT INTO child (owner,id,name,guardian_phone) VALUES ('lucai','k1','$MARK 王','13900000000')"
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c1','Sun','1-2',10)"
w xiaoxiangwan "INSERT INTO child (owner,id,name) VALUES ('xiaoxiangwan','x1','Plain')"
w fuyou "INSERT INTO health_check (owner,id,centre_id,child_id,findings) VALUES ('fuyou','h1','lucai','k1','$MARK2')"
w fuyou "INSERT INTO health_check (owner,id,centre_id,child_id,findings) VALUES ('fuyou','h2','xiaoxiangwan','x1','visible to x')"
sync_all lucai fuyou xiaoxiangwan office lucai fuyou xiaoxiangwan
# later edits of the private row: an update that carries the marker again, at lucai and the office
w lucai "UPDATE child SET notes = '$MARK again' WHERE id = 'k1'"
w office "UPDATE child SET guardian_name = '$MARK guardian' WHERE owner = 'lucai' AND id = 'k1'"
w fuyou "UPDATE health_check SET findings = '$MARK2 follow-up' WHERE id = 'h1'"
sync_all lucai fuyou office lucai xiaoxiangwan fuyou office xiaoxiangwan lucai
is "$SYNC_FAILED" 0 "every sync exited 0"

is "$(hq office "SELECT count(*) FROM child WHERE name LIKE '$MARK%'")" 1 "the office holds lucai's child"
is "$(hq lucai "SELECT notes FROM child WHERE id = 'k1'")" "$MARK again" "lucai holds its child, updated"
is "$(hq lucai "SELECT guardian_name FROM child WHERE id = 'k1'")" "$MARK guardian" \
	"lucai received the office's edit of its child"
is "$(hq lucai "SELECT findings FROM health_check WHERE id = 'h1'")" "$MARK2 follow-up" \
	"lucai received the health check naming it"
is "$(hq xiaoxiangwan "SELECT findings FROM health_check")" "visible to x" \
	"xiaoxiangwan received only the health check naming it"
is "$(hq xiaoxiangwan "SELECT count(*) FROM child WHERE owner = 'lucai'")" 0 \
	"xiaoxiangwan's database has no lucai child"
cmp_dump lucai
cmp_dump xiaoxiangwan

# the audience of a row moves away from xiaoxiangwan: it gets a delete, lucai the whole row
w fuyou "UPDATE health_check SET findings = '$MARK3' WHERE id = 'h2'"
sync_all fuyou office xiaoxiangwan lucai
w fuyou "UPDATE health_check SET centre_id = 'lucai' WHERE id = 'h2'"
SYNC_FAILED=0
sync_all fuyou office xiaoxiangwan lucai fuyou office xiaoxiangwan lucai
is "$SYNC_FAILED" 0 "syncs around the audience move exited 0"
is "$(hq xiaoxiangwan "SELECT count(*) FROM health_check")" 0 \
	"a row whose audience moved away is deleted at its old audience"
is "$(hq lucai "SELECT findings FROM health_check WHERE id = 'h2'")" "$MARK3" \
	"its new audience received the whole row"
cmp_dump lucai "lucai: dump equals the office's view after the audience move"
cmp_dump xiaoxiangwan "xiaoxiangwan: dump equals the office's view after the audience move"

# one office write mixing reference data and lucai's private row, merged in the same round as
# entries of lucai and fuyou: the office routes each log entry once for all nodes, and each node
# still gets exactly its share
MARK4="Rf5mixed$$w"
w office "INSERT INTO service_type (owner, id, domain, name) VALUES ('office', 'mixed', 'health', 'Mixed');
	UPDATE child SET notes = '$MARK4' WHERE owner = 'lucai' AND id = 'k1'"
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c2','Moon','2-3',12)"
w fuyou "UPDATE health_check SET centre_id = 'xiaoxiangwan' WHERE id = 'h2'"
SYNC_FAILED=0
sync_all lucai fuyou office xiaoxiangwan lucai fuyou
is "$SYNC_FAILED" 0 "syncs around the mixed office write exited 0"
is "$(hq xiaoxiangwan "SELECT name FROM service_type WHERE id = 'mixed'")" "Mixed" \
	"xiaoxiangwan received the reference row of the mixed write"
is "$(hq fuyou "SELECT name FROM service_type WHERE id = 'mixed'")" "Mixed" \
	"fuyou received the reference row of the mixed write"
is "$(hq lucai "SELECT notes FROM child WHERE id = 'k1'")" "$MARK4" \
	"lucai received its row of the mixed write"
is "$(hq xiaoxiangwan "SELECT count(*) FROM health_check WHERE id = 'h2'")" 1 \
	"the health check moved back to xiaoxiangwan reached it whole"
is "$(hq lucai "SELECT count(*) FROM health_check WHERE id = 'h2'")" 0 \
	"... and left lucai with a delete"
is "$(hq lucai "SELECT count(*) FROM care_class WHERE id = 'c2'")" 1 "lucai's own entry came back"
cmp_dump lucai "lucai: dump equals the office's view after the mixed write"
cmp_dump xiaoxiangwan "xiaoxiangwan: dump equals the office's view after the mixed write"
cmp_dump fuyou "fuyou: dump equals the office's view after the mixed write"

# ---- bytes: grep everything xiaoxiangwan holds or can fetch --------------------------------
# count of files among $@ whose raw bytes contain $1
raw_hits() {
	local m=$1 f n=0
	shift
	for f in "$@"; do
		[ -f "$f" ] && grep -a -q -F "$m" "$f" && n=$((n + 1))
	done
	echo "$n"
}
# lines holding $2 in every object of repository $1, decompressed
obj_hits() {
	git -C "$1" cat-file --batch-all-objects --batch 2>/dev/null | grep -a -c -F "$2"
}
db_files() {
	echo "$T/$1/hearth.db" "$T/$1/hearth.db-wal" "$T/$1/hearth.db-journal" "$T/$1/hearth.db-shm"
}
# positive controls: the methods do find the marker where it belongs
isnt "$(raw_hits "$MARK" $(db_files office))" 0 "control: the marker is visible in the office's database file"
isnt "$(obj_hits "$T/usb/lucai.git" "$MARK")" 0 "control: the marker is visible in lucai's repository objects"
isnt "$(obj_hits "$T/lucai/repo.git" "$MARK2")" 0 "control: lucai's down carries the health check naming it"
isnt "$(obj_hits "$T/xiaoxiangwan/repo.git" "visible to x")" 0 "control: xiaoxiangwan's down carries its health check"
for m in "$MARK" "$MARK2" "$MARK4"; do
	is "$(raw_hits "$m" $(db_files xiaoxiangwan))" 0 "xiaoxiangwan's database files never held '$m'"
	is "$(obj_hits "$T/usb/xiaoxiangwan.git" "$m")" 0 "no object of xiaoxiangwan's remote repository holds '$m'"
	is "$(obj_hits "$T/xiaoxiangwan/repo.git" "$m")" 0 "no object of xiaoxiangwan's local repo.git holds '$m'"
	is "$(git -C "$T/usb/xiaoxiangwan.git" log -p down 2>/dev/null | grep -a -c -F "$m")" 0 \
		"git log -p of xiaoxiangwan's down does not show '$m'"
	unlike "$(h office dump --for xiaoxiangwan)" "$m" "the office's view for xiaoxiangwan has no '$m'"
done
is "$(obj_hits "$T/usb/fuyou.git" "$MARK")" 0 "the hospital's repository has no lucai child"
is "$(raw_hits "$MARK" $(db_files fuyou))" 0 "the hospital's database never held lucai's child"
done_testing
