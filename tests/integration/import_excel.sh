#!/usr/bin/env bash
# Sheets as Excel writes them, imported into a real node: a GBK (GB18030) CSV with Chinese
# labels as headers and no id column (ids generated, owner the node's); a UTF-16LE text file
# with a byte order mark and tabs; `import --update` of an edited sheet recorded as one change of
# one row; a sheet with bad cells refused in Chinese, every bad cell listed with its line and
# label, nothing written; `hearth template child` filled in and imported back, its '#' rows
# skipped.
. "$(dirname "$0")/lib.sh" "$@"

# the bytes Excel writes: "CSV (逗号分隔)" on a zh-CN Windows is GBK with CRLF line ends
gbk() {
	iconv -f UTF-8 -t GB18030
}
crlf() {
	sed 's/$/\r/'
}
pending() {
	h "$1" status --json | sed -n 's/.*"pending": \([0-9]*\).*/\1/p'
}
# the rows of one recorded change, read back with `hearth show`
change_rows() {
	h "$1" show --json "$2" | grep -o '"op": "[a-z]*"' | sort | uniq -c | sed 's/^ *//'
}

hh lucai init --node lucai --kind childcare_centre --name 潞才 || fail "lucai init"

# ---- GBK, Chinese labels, no id and no owner column ----------------------------------------
printf '%s\n' '幼儿姓名,出生日期,性别,监护人姓名,监护人电话,备注' \
	'王小明,2025-03-18,男,王芳,13812345678,"花生过敏,不吃虾"' \
	'李玥,2024-11-02,女,李强,0355-2021234,' | crlf | gbk >"$T/gbk.csv"
check "the GBK sheet is not UTF-8 (a real GBK file)" sh -c "! iconv -f UTF-8 -t UTF-8 '$T/gbk.csv' >/dev/null 2>&1"
before=$(pending lucai)
run_out=$(h lucai import child "$T/gbk.csv" 2>&1)
is "$?" 0 "GBK sheet with Chinese labels imports"
like "$run_out" "imported 2 rows into child" "GBK sheet: says it imported 2 rows"
is "$(pending lucai)" "$((before + 1))" "GBK sheet: one recorded change"
row="name || '|' || birth_date || '|' || sex || '|' || guardian_name || '|' || guardian_phone"
is "$(hq lucai "SELECT $row || '|' || coalesce(notes, 'NULL') FROM child ORDER BY birth_date")" \
	"李玥|2024-11-02|f|李强|0355-2021234|NULL
\"王小明|2025-03-18|m|王芳|13812345678|花生过敏,不吃虾\"" \
	"GBK sheet: every label mapped to its column, 女/男 read as f/m, text decoded"
is "$(hq lucai "SELECT count(DISTINCT id) FROM child WHERE owner = 'lucai' AND id <> ''")" 2 \
	"GBK sheet: an id generated for each row, owner the node's"

# ---- UTF-16LE with BOM, tab-separated ("Unicode 文本"), English labels ---------------------
{
	printf '\xff\xfe'
	printf '%s\n' "child's name	date of birth	sex	guardian's name	guardian's phone	notes" \
		'张三	2025-01-05	female	张伟	13900001111	"milk, eggs"' | crlf |
		iconv -f UTF-8 -t UTF-16LE
} >"$T/u16.txt"
check "UTF-16 sheet imports" h lucai import child "$T/u16.txt"
is "$(hq lucai "SELECT sex || '|' || guardian_phone || '|' || notes FROM child WHERE name = '张三'")" \
	'"f|13900001111|milk, eggs"' "UTF-16 sheet: tabs split the columns, the quoted comma kept"
is "$(pending lucai)" "$((before + 2))" "UTF-16 sheet: one more recorded change"

# ---- --update: export, edit one cell in Excel (saved as GBK), import again -----------------
h lucai query --csv "SELECT * FROM child ORDER BY id" >"$T/export.csv"
sed 's/花生过敏,不吃虾/花生、鸡蛋过敏/' "$T/export.csv" | gbk >"$T/edited.csv"
check "the edited sheet differs from the export in one line" \
	test "$(iconv -f GB18030 -t UTF-8 "$T/edited.csv" | diff - "$T/export.csv" | grep -c '^<')" = 1
dump_before=$(h lucai dump)
before=$(pending lucai)
out=$(h lucai import --update child "$T/edited.csv" 2>&1)
is "$?" 0 "--update of the edited sheet succeeds"
like "$out" "child: 0 added, 1 updated" "--update: says 0 added, 1 updated"
is "$(pending lucai)" "$((before + 1))" "--update: exactly one outbox entry"
seq=$(h lucai log --json -n 1 | sed -n 's/.*"seq": \([0-9]*\).*/\1/p')
is "$(change_rows lucai "$seq")" "1 \"op\": \"update\"" "--update: the change holds one row, an update"
like "$(h lucai show --json "$seq")" '"old": "花生过敏,不吃虾", "new": "花生、鸡蛋过敏"' \
	"--update: the changed cell, old and new"
is "$(h lucai dump | diff <(printf '%s\n' "$dump_before") - | grep -c '^[<>]')" 2 \
	"--update: one row differs in the dump, nothing else"
is "$(hq lucai "SELECT count(*) FROM child")" 3 "--update: no row added"
out=$(h lucai import --update child "$T/edited.csv" 2>&1)
like "$out" "nothing to change (3 rows as they were)" "--update again: nothing to change"
is "$(pending lucai)" "$((before + 1))" "--update again: no new outbox entry"
check_not "import of rows already there, without --update, is refused" \
	h lucai import child "$T/edited.csv"

# ---- bad cells: every one listed in Chinese, nothing written -------------------------------
printf '%s\n' '幼儿姓名,出生日期,性别,监护人姓名,监护人电话,备注' \
	'#这一行以 # 开头，不检查：2025-99-99,男孩' \
	'甲,2025-13-01,女,,138,' \
	'乙,2025-01-01,男孩,,,' \
	',2025-02-01,女,,,' \
	'丙,2025-02-02,男,,,' | crlf | gbk >"$T/bad.csv"
dump_before=$(h lucai dump)
outbox_before=$(sq lucai "SELECT count(*) || '/' || coalesce(max(seq), 0) FROM hearth_outbox")
err=$(env -u LC_ALL LANG=zh_CN.UTF-8 "$HEARTH" -C "$T/lucai" import child "$T/bad.csv" 2>&1 >/dev/null)
is "$?" 1 "bad sheet: refused (exit 1)"
like "$err" "第 3 行「出生日期」：应为日期，如 2026-12-02，收到「2025-13-01」" "bad sheet: a bad date, its line and label"
like "$err" "第 3 行「监护人电话」：应为手机号" "bad sheet: a bad phone on the same line"
like "$err" "第 4 行「性别」：应为以下之一：女 / 男，收到「男孩」" "bad sheet: a bad choice on the next line"
like "$err" "第 5 行「幼儿姓名」" "bad sheet: a missing required cell"
is "$(printf '%s\n' "$err" | grep -c '^第 [0-9]* 行「')" 4 "bad sheet: every bad cell, one line each"
unlike "$err" "第 2 行" "bad sheet: the '#' row is not checked"
like "$(printf '%s\n' "$err" | tail -n 1)" "未导入任何行" "bad sheet: ends with 未导入任何行"
unlike "$err" "expected" "bad sheet: no English left"
is "$(h lucai dump)" "$dump_before" "bad sheet: the tables are unchanged"
is "$(sq lucai "SELECT count(*) || '/' || coalesce(max(seq), 0) FROM hearth_outbox")" \
	"$outbox_before" "bad sheet: the outbox is unchanged"
is "$(hq lucai "SELECT count(*) FROM child WHERE name = '丙'")" 0 "bad sheet: not even its good row"
printf '%s\n' '班级名称,教室' '托小班,一楼' | crlf | gbk >"$T/class.csv"
err=$(env -u LC_ALL LANG=zh_CN.UTF-8 "$HEARTH" -C "$T/lucai" import care_class "$T/class.csv" 2>&1)
is "$?" 2 "a sheet without a required column: refused as a usage error"
like "$err" "表中缺少必填的列：「年龄段」、「容量」" "a sheet without required columns: each named in Chinese"
is "$(h lucai dump)" "$dump_before" "a sheet without required columns: nothing written"

# ---- hearth template child: filled in and imported back ------------------------------------
h lucai template child >"$T/template.csv" || fail "template child"
head -c 3 "$T/template.csv" | od -An -tx1 | tr -d ' \n' >"$T/bom"
is "$(cat "$T/bom")" "efbbbf" "template: UTF-8 with a BOM (Excel reads it as UTF-8)"
is "$(sed -n 1p "$T/template.csv" | tr -d '\r' | sed 's/^\xef\xbb\xbf//')" \
	"幼儿姓名,出生日期,性别,监护人姓名,监护人电话,备注,体检医院" \
	"template: the Chinese labels as headers (the partner hospital last, left empty below)"
is "$(grep -c '^#' "$T/template.csv")" 2 "template: a note row and an example row, both '#'"
like "$(sed -n 2p "$T/template.csv")" "女 / 男" "template: the allowed values listed"
dump_before=$(h lucai dump)
out=$(h lucai import child "$T/template.csv" 2>&1)
is "$?" 0 "the template as it is imports"
like "$out" "child: no rows to import" "the template as it is: its '#' rows are no rows"
is "$(h lucai dump)" "$dump_before" "the template as it is: nothing written"

# filled in under its rows, the example rows left in; saved once as UTF-8, once by Excel as GBK
cp "$T/template.csv" "$T/filled.csv"
printf '%s\n' '赵一,2025-04-01,女,赵大,13700000001,,' '钱二,2025-05-02,男,钱大,0355-3030303,午睡要抱,' |
	crlf >>"$T/filled.csv"
check "the filled template imports" h lucai import child "$T/filled.csv"
is "$(hq lucai "SELECT $row || '|' || coalesce(notes, '') FROM child WHERE name IN ('赵一', '钱二') ORDER BY birth_date")" \
	"赵一|2025-04-01|f|赵大|13700000001|
钱二|2025-05-02|m|钱大|0355-3030303|午睡要抱" "the filled template: the rows as typed"
is "$(hq lucai "SELECT count(*) FROM child WHERE name IN ('文字', 'text') OR name LIKE '#%'")" 0 \
	"the filled template: the example row is not imported"
tail -n +1 "$T/filled.csv" | sed '1s/^\xef\xbb\xbf//; s/赵一/孙三/; s/钱二/周四/' | gbk >"$T/filled-gbk.csv"
check "the filled template, saved by Excel as GBK, imports" h lucai import child "$T/filled-gbk.csv"
is "$(hq lucai "SELECT count(*) FROM child WHERE name IN ('孙三', '周四')")" 2 \
	"the GBK template: both rows"
h lucai template child --lang en >"$T/template-en.csv" || fail "template child --lang en"
like "$(sed -n 1p "$T/template-en.csv")" "child's name,date of birth,sex" "template --lang en: English labels"
{ cat "$T/template-en.csv"; printf '%s\r\n' '吴五,2025-06-03,male,吴大,,,'; } >"$T/filled-en.csv"
check "the English template, filled in, imports" h lucai import child "$T/filled-en.csv"
is "$(hq lucai "SELECT sex FROM child WHERE name = '吴五'")" m "the English template: male read as m"
is "$(hq lucai "SELECT count(*) FROM child")" 8 "every imported row is there, no more"

done_testing
