#!/bin/bash
# Issue #15's list of values, each refused at `exec` with one line naming the row, the column's
# label (the declarations of schema v4), what is expected and the value; nothing is written
# (the node's dump and outbox unchanged). The same in Chinese under LC_ALL=zh_CN.UTF-8. Values a
# person types in the forms the rules normalize are not exec's business: exec stores what SQL
# says, so '2026/12/02' is refused here too.
. "$(dirname "$0")/lib.sh" "$@"

run() {
	local node=$1
	shift
	"$HEARTH" -C "$T/$node" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

hh lucai init --node lucai --kind childcare_centre --name 潞才 --region luzhou
hh fuyou init --node fuyou --kind hospital --name 妇幼
hh gcd init --node gcd --kind volunteer_station --name 广场东
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c1','托大一班','2-3',20)"
w lucai "INSERT INTO child (owner, id, name) VALUES ('lucai','k1','李小红')"
w lucai "INSERT INTO enrolment (owner, id, child_id, class_id) VALUES ('lucai','e1','k1','c1')"
w fuyou "INSERT INTO health_check (owner, id, centre_id, child_id) VALUES ('fuyou','h1','lucai','k1')"
w gcd "INSERT INTO service_request (owner, id, service_type_id, requested_at) VALUES ('gcd','r1','repair','2026-12-01T09:00:00+08:00')"

# refused NODE SQL EXPECTED-PART DESCRIPTION: exits 1, says EXPECTED-PART, writes nothing
refused() {
	local node=$1 sql=$2 want=$3 desc=$4 before
	before=$("$HEARTH" -C "$T/$node" dump; sq "$node" "SELECT count(*) FROM hearth_outbox")
	run "$node" exec "$sql"
	is "$RC" 1 "$desc: exits 1"
	like "$ERR" "$want" "$desc: the message names the label and the value"
	is "$("$HEARTH" -C "$T/$node" dump; sq "$node" "SELECT count(*) FROM hearth_outbox")" "$before" \
		"$desc: nothing written"
}

refused lucai "UPDATE care_class SET capacity='二十'" \
	'care_class "capacity": expected a whole number from 0 to 200; nothing was written' \
	"capacity '二十'"
refused lucai "UPDATE node SET places='三十'" '"places": expected a whole number from 0 to 2000' \
	"places '三十'"
refused lucai "UPDATE node SET lon='abc'" '"longitude": expected a number from 111.8 to 113.9' \
	"lon 'abc'"
refused gcd "UPDATE service_request SET done_at='12月6日'" '"done at": expected a date and time like 2026-12-10 09:00' \
	"done_at '12月6日'"
refused gcd "UPDATE service_request SET done_at='2026/12/02'" '"done at":' "done_at '2026/12/02'"
refused gcd "UPDATE service_request SET done_at='06-12-2026'" '"done at":' "done_at '06-12-2026'"
refused lucai "UPDATE enrolment SET ends_on='01/07/2027'" '"ends on": expected a date like 2026-12-02' \
	"ends_on '01/07/2027'"
refused fuyou "UPDATE health_check SET weight_kg=-3" '"weight (kg)": expected a number from 1 to 100' \
	"weight -3"
refused fuyou "UPDATE health_check SET height_cm=925" '"height (cm)": expected a number from 30 to 200' \
	"height 925"
refused fuyou "UPDATE health_check SET next_due='soon'" '"next check due": expected a date like 2026-12-02' \
	"next_due 'soon'"
refused gcd "UPDATE service_request SET service_type_id='repaair'" '"service type": expected the id of an existing service_type' \
	"service type 'repaair'"
refused lucai "UPDATE child SET sex='女'" 'child "sex": expected one of: female / male; nothing was written' "sex '女' (the table's CHECK)"
refused lucai "INSERT INTO enrolment (owner, id, child_id, class_id) VALUES ('lucai','e2','doesnotexist','c1')" \
	'enrolment: a row this change names does not exist; nothing was written' \
	"an enrolment of child 'doesnotexist' (the centre sees its children)"
refused lucai "INSERT INTO care_class (owner, id, age_band, capacity) VALUES ('lucai','c2','2-3',5)" \
	'care_class "class name": a value is required; nothing was written' "a class without a name"

# in Chinese
before=$("$HEARTH" -C "$T/lucai" dump)
LC_ALL=zh_CN.UTF-8 run lucai exec "UPDATE care_class SET capacity='二十'"
is "$RC" 1 "in Chinese: exits 1"
like "$ERR" 'care_class「容量」：应为 0–200 的整数；未写入任何数据' \
	"in Chinese: the label 容量 and what is expected"
LC_ALL=zh_CN.UTF-8 run lucai exec "UPDATE child SET sex='女'"
like "$ERR" 'child「性别」：应为以下之一：女 / 男；未写入任何数据' "in Chinese: a choice lists its labels"
is "$("$HEARTH" -C "$T/lucai" dump)" "$before" "in Chinese: nothing written"

# what the rules accept is written
w lucai "UPDATE care_class SET capacity=25"
w lucai "UPDATE child SET sex='f', birth_date='2025-03-18', guardian_phone='13812345678'"
w gcd "UPDATE service_request SET status='done', done_at='2026-12-06T10:00:00+08:00'"
w fuyou "UPDATE health_check SET weight_kg=12.5, height_cm=88, next_due='2027-06-02'"
is "$(sq lucai "SELECT capacity FROM care_class WHERE id = 'c1'")" 25 "a good value is written"
done_testing
