#!/bin/bash
# `show`, `history` and `log` speak the user's language: under LC_ALL=zh_CN.UTF-8 each column
# reads as its declared Chinese label and each choice value as its label (sex f reads 女), in
# English as the English ones; JSON keeps the raw column names and values.
. "$(dirname "$0")/lib.sh" "$@"

run() {
	local node=$1
	shift
	"$HEARTH" -C "$T/$node" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
last_seq() { sq "$1" "SELECT max(seq) FROM hearth_outbox"; }

hh lucai init --node lucai --kind childcare_centre --name 潞才 || fail "lucai init"
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c1','托大一班','2-3',25)"
w lucai "INSERT INTO child (owner, id, name, sex, guardian_phone) VALUES ('lucai','k1','李小红','f','13812345678')"
w lucai "UPDATE care_class SET capacity = 20, age_band = '1-2' WHERE id = 'c1'"
upd=$(last_seq lucai)

LC_ALL=zh_CN.UTF-8 run lucai show "$upd"
is "$RC" 0 "show in Chinese exits 0"
like "$OUT" '~ care_class 托大一班: 年龄段 "2–3 岁" → "1–2 岁", 容量 25 → 20' \
	"show: the columns' Chinese labels, the choice's Chinese labels, old → new"
LC_ALL=zh_CN.UTF-8 run lucai history child k1
like "$OUT" '+ child 李小红: 幼儿姓名 "李小红", 性别 "女", 监护人电话 "13812345678"' \
	"history: an added child with 幼儿姓名, 性别 女 and 监护人电话"
LC_ALL=zh_CN.UTF-8 run lucai log -n 1
like "$OUT" '年龄段 "2–3 岁" → "1–2 岁"' "log: one line with the Chinese labels"
run lucai show "$upd"
like "$OUT" '~ care_class 托大一班: age band "2–3 years" → "1–2 years", capacity 25 → 20' \
	"in English: the English labels"
LC_ALL=zh_CN.UTF-8 run lucai show --json "$upd"
like "$OUT" '{"column": "age_band", "label": "年龄段", "old": "2-3", "new": "1-2"}' \
	"JSON: the raw column name and values beside the label"
LC_ALL=zh_CN.UTF-8 run lucai history --json child k1
like "$OUT" '"column": "sex", "label": "性别", "old": null, "new": "f"' "JSON: sex stays f"
done_testing
