/*
 * CSV: the parser's edge cases and exact error messages, then import into a real node database
 * (one recorded write, nothing applied on a bad row, ownership, SQL in fields is data).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hearth_internal.h"
#include "fixture.h"
#include "tap.h"

/* ---- parser ------------------------------------------------------------------------------- */

/* Records rendered as "L<line>[f1|f2]" with \n, \r, | and \ escaped, so a case is one string. */
struct render {
	hearth_buf out;
	int calls;
	int stop_at; /* return 7 from this call (1-based), 0: never */
};

static int render_record(int line, int nfields, char **fields, size_t *lens, void *payload)
{
	struct render *r = payload;
	size_t j;
	int i;

	r->calls++;
	hearth_buf_printf(&r->out, "L%d[", line);
	for (i = 0; i < nfields; i++) {
		if (i)
			hearth_buf_putc(&r->out, '|');
		if (fields[i][lens[i]] != '\0' || strlen(fields[i]) != lens[i])
			hearth_buf_puts(&r->out, "<BADLEN>");
		for (j = 0; j < lens[i]; j++) {
			char c = fields[i][j];

			if (c == '\n')
				hearth_buf_puts(&r->out, "\\n");
			else if (c == '\r')
				hearth_buf_puts(&r->out, "\\r");
			else if (c == '|' || c == '\\')
				hearth_buf_printf(&r->out, "\\%c", c);
			else
				hearth_buf_putc(&r->out, c);
		}
	}
	hearth_buf_putc(&r->out, ']');
	return r->stop_at && r->calls == r->stop_at ? 7 : 0;
}

/* Parse `len` bytes of `in` (-1: strlen) and compare the rendering with `want`. */
static void parses(const char *name, const char *in, long len, const char *want)
{
	struct render r = { HEARTH_BUF_INIT, 0, 0 };
	size_t n = len < 0 ? strlen(in) : (size_t)len;
	int rc = hearth_csv_parse(in, n, render_record, &r);

	if (!ok(rc == 0, "parse: %s", name))
		diag("rc %d: %s", rc, hearth_error_last());
	is_str(r.out.ptr, want, "parse: %s: records", name);
	hearth_buf_dispose(&r.out);
}

/* Parse and expect HEARTH_ECORRUPT with exactly `msg`. */
static void refuses(const char *name, const char *in, long len, const char *msg)
{
	struct render r = { HEARTH_BUF_INIT, 0, 0 };
	size_t n = len < 0 ? strlen(in) : (size_t)len;
	int rc = hearth_csv_parse(in, n, render_record, &r);

	is_int(rc, HEARTH_ECORRUPT, "refuse: %s", name);
	is_str(hearth_error_last(), msg, "refuse: %s: message", name);
	hearth_buf_dispose(&r.out);
}

static void test_parse_shapes(void)
{
	parses("plain", "a,b,c\n1,2,3\n", -1, "L1[a|b|c]L2[1|2|3]");
	parses("no final newline", "a,b\n1,2", -1, "L1[a|b]L2[1|2]");
	parses("crlf", "a,b\r\n1,2\r\n", -1, "L1[a|b]L2[1|2]");
	parses("crlf, no final newline", "a,b\r\n1,2", -1, "L1[a|b]L2[1|2]");
	parses("mixed lf and crlf", "a,b\n1,2\r\n3,4\n", -1, "L1[a|b]L2[1|2]L3[3|4]");
	parses("bom", "\xef\xbb\xbf" "a,b\n1,2\n", -1, "L1[a|b]L2[1|2]");
	parses("bom only", "\xef\xbb\xbf", -1, "");
	parses("bom later is data", "a\n\xef\xbb\xbfx\n", -1, "L1[a]L2[\xef\xbb\xbfx]");
	parses("empty input", "", 0, "");
	parses("empty fields", "a,b,c\n,,\n", -1, "L1[a|b|c]L2[||]");
	parses("trailing comma is an empty field", "a,b\nx,\n", -1, "L1[a|b]L2[x|]");
	parses("quoted comma", "a,b\n\"x,y\",z\n", -1, "L1[a|b]L2[x,y|z]");
	parses("doubled quotes", "a\n\"say \"\"hi\"\"\"\n", -1, "L1[a]L2[say \"hi\"]");
	parses("only a quote", "a\n\"\"\"\"\n", -1, "L1[a]L2[\"]");
	parses("quoted empty", "a,b\n\"\",\"\"\n", -1, "L1[a|b]L2[|]");
	parses("quoted at end of input", "a\n\"x\"", -1, "L1[a]L2[x]");
	/* lines count physical lines: the record after a two-line field starts on line 5 */
	parses("newlines inside quotes", "a,b\n\"l1\nl2\",\"c\r\nd\"\nz,w\n", -1,
		"L1[a|b]L2[l1\\nl2|c\\r\\nd]L5[z|w]");
	parses("blank lines skipped", "a,b\n\n1,2\n\r\n\n3,4\n\n", -1, "L1[a|b]L3[1|2]L6[3|4]");
	parses("spaces kept", "a,b\n x , y \n", -1, "L1[a|b]L2[ x | y ]");
	parses("chinese", "名称,年龄段,容量\n托小班,1-2,20\n\"乳儿班，上午\",0-1,\"十\"\n", -1,
		"L1[名称|年龄段|容量]L2[托小班|1-2|20]L3[乳儿班，上午|0-1|十]");
	parses("utf-8 edges", "a\n\xe0\xa0\x80\xed\x9f\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\n", -1,
		"L1[a]L2[\xe0\xa0\x80\xed\x9f\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf]");
	parses("four-byte utf-8", "a\n\xf0\x9f\x98\x80\n", -1, "L1[a]L2[\xf0\x9f\x98\x80]");
	parses("sql is data", "a\n\"x'); DROP TABLE child; --\"\n", -1,
		"L1[a]L2[x'); DROP TABLE child; --]");
}

static void test_parse_errors(void)
{
	char *big, *wide;
	size_t i, n;
	int rc;
	struct render r = { HEARTH_BUF_INIT, 0, 0 };

	refuses("quote in unquoted field", "a,b\n1,x\"y\n", -1,
		"line 2, column 2 ('b'): quote inside an unquoted field "
		"(quote the whole field and double the quote)");
	refuses("quote never closed", "a,b\n1,\"open\nmore\n", -1,
		"line 2, column 2 ('b'): quoted field never closed");
	refuses("text after closing quote", "a,b\n\"x\"y,2\n", -1,
		"line 2, column 1 ('a'): text after the closing quote "
		"(double a quote inside a field)");
	refuses("error after a multi-line field names the physical line", "a,b\n1,\"x\ny\"z\n", -1,
		"line 3, column 2 ('b'): text after the closing quote "
		"(double a quote inside a field)");
	refuses("nul byte", "a,b\n1,2\0\n", 9,
		"line 2, column 2 ('b'): NUL byte (is the file UTF-16? save it as UTF-8)");
	refuses("utf-16", "\xff\xfe" "a\0,\0b\0", 8,
		"line 1, column 1: invalid UTF-8 (save the file as UTF-8)");
	refuses("gbk", "a,b\n1,\xc3\xfb\xb3\xc6\n", -1,
		"line 2, column 2 ('b'): invalid UTF-8 (save the file as UTF-8)");
	refuses("overlong", "a\n\xc0\xaf\n", -1,
		"line 2, column 1 ('a'): invalid UTF-8 (save the file as UTF-8)");
	refuses("overlong, three bytes", "a\n\xe0\x80\xaf\n", -1,
		"line 2, column 1 ('a'): invalid UTF-8 (save the file as UTF-8)");
	refuses("overlong, four bytes", "a\n\xf0\x80\x80\xaf\n", -1,
		"line 2, column 1 ('a'): invalid UTF-8 (save the file as UTF-8)");
	refuses("surrogate", "a\n\xed\xa0\x80\n", -1,
		"line 2, column 1 ('a'): invalid UTF-8 (save the file as UTF-8)");
	refuses("above U+10FFFF", "a\n\xf4\x90\x80\x80\n", -1,
		"line 2, column 1 ('a'): invalid UTF-8 (save the file as UTF-8)");
	refuses("lead byte above f4", "a\n\xf5\x80\x80\x80\n", -1,
		"line 2, column 1 ('a'): invalid UTF-8 (save the file as UTF-8)");
	refuses("truncated at end", "a\n\xe6\x89", -1,
		"line 2, column 1 ('a'): invalid UTF-8 (save the file as UTF-8)");
	refuses("invalid utf-8 inside quotes", "a\n\"ok\n\x80\"\n", -1,
		"line 3, column 1 ('a'): invalid UTF-8 (save the file as UTF-8)");
	refuses("more fields than the header", "a,b\n1,2\n1,2,3\n", -1,
		"line 3, column 3: record has 3 fields, the header 2 "
		"(quote fields that hold commas)");
	refuses("fewer fields than the header", "id,name,capacity\n1,x\n", -1,
		"line 2, column 3 ('capacity'): record has 2 fields, the header 3");
	refuses("field count of a multi-line record names its first line", "a,b\n\"x\ny\"\n", -1,
		"line 2, column 2 ('b'): record has 1 fields, the header 2");
	refuses("bare cr", "a,b\r1,2\n", -1,
		"line 1, column 2: carriage return without line feed "
		"(lines must end in LF or CRLF)");
	refuses("bare cr at end", "a,b\n1,2\r", -1,
		"line 2, column 2 ('b'): carriage return without line feed "
		"(lines must end in LF or CRLF)");
	refuses("header label made one line", "\"x\ny\",b\n\"q\"z,1\n", -1,
		"line 3, column 1 ('x?y'): text after the closing quote "
		"(double a quote inside a field)");
	refuses("long header label cut",
		"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn,b\nx\"\n", -1,
		"line 2, column 1 ('nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...'): quote inside an "
		"unquoted field (quote the whole field and double the quote)");
	refuses("chinese label cut on a character boundary",
		"一二三四五六七八九十一二三四五六七八九十,b\nx\"\n", -1,
		"line 2, column 1 ('一二三四五六七八九十一二三...'): quote inside an "
		"unquoted field (quote the whole field and double the quote)");

	/* 1024 columns are fine, 1025 are not: "c,c,...,c\n" */
	n = 1025;
	wide = malloc(2 * n + 1);
	for (i = 0; i < n; i++) {
		wide[2 * i] = 'c';
		wide[2 * i + 1] = ',';
	}
	wide[2 * n - 1] = '\n';
	wide[2 * n] = '\0';
	refuses("1025 columns", wide, (long)(2 * n), "line 1, column 1025: more than 1024 columns");
	wide[2 * (n - 1) - 1] = '\n';
	r.calls = 0;
	rc = hearth_csv_parse(wide, 2 * (n - 1), render_record, &r);
	ok(rc == 0 && r.calls == 1, "1024 columns parse (rc %d)", rc);
	free(wide);

	/* 64 MiB parse, one byte more is refused before reading */
	n = (size_t)64 << 20;
	big = malloc(n + 1);
	memset(big, 'a', n + 1);
	big[1] = '\n';
	r.calls = 0;
	rc = hearth_csv_parse(big, n, render_record, &r);
	ok(rc == 0 && r.calls == 2, "64 MiB parse (rc %d, %d records)", rc, r.calls);
	rc = hearth_csv_parse(big, n + 1, render_record, &r);
	is_int(rc, HEARTH_ECORRUPT, "64 MiB + 1 refused");
	is_str(hearth_error_last(),
		"CSV input of 67108865 bytes is over the limit of 64 MiB (split the file)",
		"64 MiB + 1: message");
	free(big);
	hearth_buf_dispose(&r.out);
}

static void test_parse_callback(void)
{
	struct render r = { HEARTH_BUF_INIT, 0, 2 };
	int rc = hearth_csv_parse("a\n1\n2\n3\n", 8, render_record, &r);

	is_int(rc, 7, "callback's non-zero return stops the parse and is returned");
	is_int(r.calls, 2, "no record after the stop");
	hearth_buf_dispose(&r.out);
	is_int(hearth_csv_parse("a\n", 2, NULL, NULL), HEARTH_EUSAGE, "no callback: EUSAGE");
}

/* ---- import ------------------------------------------------------------------------------- */

static char tmp[256];

static int import(hearth_db *db, const char *table, const char *csv, hearth_write_info *info)
{
	hearth_error_clear();
	return hearth_import_csv(db, table, csv, strlen(csv), info);
}

/* Import that must fail with `code` and `msg`, leaving table and outbox as they were. */
static void import_refused(hearth_db *db, const char *name, const char *table, const char *csv,
	int code, const char *msg)
{
	long long rows = fixture_sql_int(db, "SELECT count(*) FROM care_class");
	long long outbox = fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox");
	char dump_before[64], dump_after[64];
	hearth_write_info info;
	int rc;

	fixture_sql_text(db, "SELECT group_concat(id || ':' || capacity) FROM care_class", dump_before,
		sizeof(dump_before));
	rc = import(db, table, csv, &info);
	is_int(rc, code, "import refused: %s", name);
	if (msg)
		is_str(hearth_error_last(), msg, "import refused: %s: message", name);
	is_int(fixture_sql_int(db, "SELECT count(*) FROM care_class"), rows,
		"import refused: %s: no row added", name);
	is_int(fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox"), outbox,
		"import refused: %s: no outbox entry", name);
	is_str(fixture_sql_text(db, "SELECT group_concat(id || ':' || capacity) FROM care_class",
		       dump_after, sizeof(dump_after)),
		dump_before, "import refused: %s: rows unchanged", name);
	is_int(info.seq, 0, "import refused: %s: no seq", name);
}

static void test_import_good(hearth_db *db)
{
	long long outbox = fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox");
	hearth_write_info info;
	char s[256];
	int rc;

	rc = import(db, "care_class",
		"\xef\xbb\xbfowner,id,name,age_band,capacity\r\n"
		"lucai,c1,乳儿班,0-1,15\r\n"
		"lucai,c2,\"托小班, 上午\",1-2,20\r\n"
		"lucai,c3,\"托大班\n(二)\",2-3,25\r\n",
		&info);
	if (!ok(rc == 0, "good import"))
		diag("rc %d: %s", rc, hearth_error_last());
	is_int(fixture_sql_int(db, "SELECT count(*) FROM care_class"), 3, "good import: 3 rows");
	is_int(fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox"), outbox + 1,
		"good import: exactly one outbox entry");
	is_int(info.changes, 3, "good import: info.changes");
	ok(info.seq > 0 && info.seq == fixture_sql_int(db, "SELECT max(seq) FROM hearth_outbox"),
		"good import: info.seq is the new outbox entry (%lld)", (long long)info.seq);
	is_str(fixture_sql_text(db, "SELECT summary FROM hearth_outbox ORDER BY seq DESC LIMIT 1", s,
		       sizeof(s)),
		"import 3 rows into care_class", "good import: outbox summary");
	is_str(fixture_sql_text(db, "SELECT name FROM care_class WHERE id = 'c2'", s, sizeof(s)),
		"托小班, 上午", "good import: quoted comma and Chinese stored");
	is_str(fixture_sql_text(db, "SELECT name FROM care_class WHERE id = 'c3'", s, sizeof(s)),
		"托大班\n(二)", "good import: newline inside quotes stored");
	is_str(fixture_sql_text(db, "SELECT typeof(capacity) || capacity FROM care_class WHERE id = 'c1'",
		       s, sizeof(s)),
		"integer15", "good import: INTEGER column holds an integer");

	outbox = fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox");
	rc = import(db, "care_class", "owner,id,name,age_band,capacity\n", &info);
	ok(rc == 0 && info.seq == 0 && info.changes == 0, "header only: nothing to write (rc %d)",
		rc);
	is_int(fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox"), outbox,
		"header only: no outbox entry");

	/* an empty field is NULL, a quoted empty field is empty text; REAL columns get reals */
	rc = import(db, "care_offer",
		"owner,id,service_type_id,fee_yuan,fee_unit,hours,notes\n"
		"lucai,o1,full_day,1800,month,,\"\"\n"
		"lucai,o2,hourly,,,\"\",\n",
		&info);
	if (!ok(rc == 0, "import with empty fields"))
		diag("rc %d: %s", rc, hearth_error_last());
	is_str(fixture_sql_text(db, "SELECT typeof(hours) || '/' || typeof(notes) FROM care_offer "
			    "WHERE id = 'o1'", s, sizeof(s)),
		"null/text", "empty field is NULL, \"\" is text (o1)");
	is_str(fixture_sql_text(db, "SELECT typeof(fee_yuan) || '/' || typeof(hours) || '/' || "
			    "typeof(notes) FROM care_offer WHERE id = 'o2'", s, sizeof(s)),
		"null/text/null", "empty field is NULL, \"\" is text (o2)");
	is_str(fixture_sql_text(db, "SELECT notes = '' FROM care_offer WHERE id = 'o1'", s, sizeof(s)),
		"1", "quoted empty field is the empty string");

	rc = import(db, "health_check",
		"owner,id,centre_id,child_id,height_cm,weight_kg\n"
		"lucai,h1,lucai,k1,85.5,12\n"
		"lucai,h2,lucai,k2,+1.5e2,+.5e1\n",
		&info);
	if (!ok(rc == 0, "import of real numbers"))
		diag("rc %d: %s", rc, hearth_error_last());
	is_str(fixture_sql_text(db, "SELECT typeof(height_cm) || height_cm || typeof(weight_kg) || "
			    "weight_kg FROM health_check WHERE id = 'h1'", s, sizeof(s)),
		"real85.5real12.0", "REAL columns hold reals");
	is_str(fixture_sql_text(db, "SELECT height_cm || '/' || weight_kg FROM health_check "
			    "WHERE id = 'h2'", s, sizeof(s)),
		"150.0/5.0", "signs and exponents read as numbers");
}

static void test_import_sql_is_data(hearth_db *db)
{
	static const char *evil[] = {
		"x'); DROP TABLE care_class; --",
		"\"); DELETE FROM hearth_outbox; --",
		"'; UPDATE care_class SET capacity = 0; SELECT '",
		"Robert'); DROP TABLE child;--",
	};
	hearth_write_info info;
	char s[256], q[128];
	size_t i;
	int rc;

	rc = import(db, "child",
		"owner,id,name,notes\n"
		"lucai,e1,\"x'); DROP TABLE care_class; --\","
		"\"\"\"); DELETE FROM hearth_outbox; --\"\n"
		"lucai,e2,'; UPDATE care_class SET capacity = 0; SELECT ',"
		"Robert'); DROP TABLE child;--\n",
		&info);
	if (!ok(rc == 0, "import of SQL-looking text"))
		diag("rc %d: %s", rc, hearth_error_last());
	for (i = 0; i < 4; i++) {
		snprintf(q, sizeof(q), "SELECT %s FROM child WHERE id = 'e%zu'",
			i % 2 ? "notes" : "name", i / 2 + 1);
		is_str(fixture_sql_text(db, q, s, sizeof(s)), evil[i], "SQL text stored verbatim (%zu)", i);
	}
	is_int(fixture_sql_int(db, "SELECT count(*) FROM care_class WHERE capacity > 0"), 3,
		"care_class untouched by SQL in fields");
	ok(fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox") > 1, "outbox untouched");
	is_int(fixture_sql_int(db, "SELECT count(*) FROM child"), 2, "child table still there");
}

static void test_import_refused(hearth_db *db)
{
	/* line 4 is the third row: the second row spans lines 2-3 */
	import_refused(db, "check constraint", "care_class",
		"owner,id,name,age_band,capacity\n"
		"lucai,n1,\"two\nlines\",0-1,5\n"
		"lucai,n2,bad,1-2,-1\n",
		HEARTH_ECONFLICT,
		"line 4, \"capacity\": expected a whole number from 0 to 200, got \"-1\"; "
		"nothing imported");
	import_refused(db, "not null", "care_class",
		"owner,id,name,age_band,capacity\n"
		"lucai,n1,ok,0-1,5\n"
		"lucai,n2,,1-2,5\n",
		HEARTH_ECONFLICT,
		"line 3, \"class name\": a value is required, got \"\"; nothing imported");
	import_refused(db, "key already there", "care_class",
		"owner,id,name,age_band,capacity\n"
		"lucai,n1,ok,0-1,5\n"
		"lucai,c1,dup,1-2,5\n",
		HEARTH_ECONFLICT,
		"line 3, \"id\": already there (import with --update to change it), got \"c1\"; "
		"nothing imported");
	import_refused(db, "key twice in the file", "care_class",
		"owner,id,name,age_band,capacity\n"
		"lucai,n1,ok,0-1,5\n"
		"lucai,n1,again,1-2,5\n",
		HEARTH_ECONFLICT, NULL);
	import_refused(db, "not a whole number", "care_class",
		"owner,id,name,age_band,capacity\n"
		"lucai,n1,ok,0-1,5\n"
		"lucai,n2,x,1-2,abc\n",
		HEARTH_ECONFLICT, "line 3, \"capacity\": expected a whole number from 0 to 200, "
		"got \"abc\"; nothing imported");
	import_refused(db, "a decimal is not a whole number", "care_class",
		"owner,id,name,age_band,capacity\nlucai,n1,ok,0-1,5.5\n",
		HEARTH_ECONFLICT, "line 2, \"capacity\": expected a whole number from 0 to 200, "
		"got \"5.5\"; nothing imported");
	import_refused(db, "integer overflow", "care_class",
		"owner,id,name,age_band,capacity\nlucai,n1,ok,0-1,9223372036854775808\n",
		HEARTH_ECONFLICT, "line 2, \"capacity\": expected a whole number from 0 to 200, "
		"got \"9223372036854775808\"; nothing imported");
	import_refused(db, "decimal comma unquoted", "health_check",
		"owner,id,centre_id,child_id,height_cm\nlucai,h9,lucai,k1,85,5\n",
		HEARTH_ECORRUPT,
		"line 2, column 6: record has 6 fields, the header 5 "
		"(quote fields that hold commas)");
	import_refused(db, "not a number", "health_check",
		"owner,id,centre_id,child_id,height_cm\nlucai,h9,lucai,k1,\"85,5\"\n",
		HEARTH_ECONFLICT, "line 2, \"height (cm)\": expected a number from 30 to 200, "
		"got \"85,5\"; nothing imported");
	import_refused(db, "malformed CSV", "care_class",
		"owner,id,name,age_band,capacity\n"
		"lucai,n1,ok,0-1,5\n"
		"lucai,n2,x\"y,1-2,5\n",
		HEARTH_ECORRUPT,
		"line 3, column 3 ('name'): quote inside an unquoted field "
		"(quote the whole field and double the quote)");
	import_refused(db, "unknown column", "care_class",
		"owner,id,name,age_band,capcity\nlucai,n1,ok,0-1,5\n",
		HEARTH_EUSAGE,
		"line 1, column 5 ('capcity'): no such column in care_class; the columns are: "
		"owner (owner), id (id), class name (name), age band (age_band), "
		"capacity (capacity), room (room)");
	import_refused(db, "column named twice", "care_class",
		"owner,id,name,name,age_band,capacity\nlucai,n1,a,b,0-1,5\n",
		HEARTH_EUSAGE, "line 1, column 4 ('name'): column named twice (also column 3)");
	import_refused(db, "empty file", "care_class", "", HEARTH_EUSAGE,
		"CSV for 'care_class' is empty (the first line must name the columns)");
	import_refused(db, "engine table", "hearth_outbox", "seq,clock,summary,changeset\n",
		HEARTH_EUSAGE, "cannot import into 'hearth_outbox': not a synced table");
	import_refused(db, "sqlite_master", "sqlite_master", "type,name\ntable,x\n",
		HEARTH_EUSAGE, "cannot import into 'sqlite_master': not a synced table");
	import_refused(db, "table name with SQL", "care_class\"; DROP TABLE child; --",
		"owner,id\n", HEARTH_EUSAGE, NULL);
	/* the write path refuses rows of another node: ownership is not the importer's call */
	import_refused(db, "another node's rows", "care_class",
		"owner,id,name,age_band,capacity\n"
		"lucai,n1,ours,0-1,5\n"
		"xiaoxiangwan,n2,theirs,1-2,5\n",
		HEARTH_EDENIED, NULL);
	ok(strstr(hearth_error_last(), "xiaoxiangwan") != NULL,
		"another node's rows: message names the owner (%s)", hearth_error_last());
	is_int(fixture_sql_int(db, "SELECT count(*) FROM child"), 2, "child table survived it all");
}


#define SHEET(s) s, strlen(s)

/* Sheets as Excel writes them: encodings, separators, labels, generated ids, dates, --update. */
static void test_import_excel(hearth_db *db)
{
	/* 幼儿姓名,出生日期,性别 / 王小红,2025/3/18,女 in GB18030 */
	static const char gbk[] = "\xd3\xd7\xb6\xf9\xd0\xd5\xc3\xfb,\xb3\xf6\xc9\xfa\xc8\xd5"
				  "\xc6\xda,\xd0\xd4\xb1\xf0\r\n\xcd\xf5\xd0\xa1\xba\xec,2025/3/18,"
				  "\xc5\xae\r\n";
	/* "name\tsex\r\nA\tm\r\n" in UTF-16LE with its BOM */
	static const char u16[] = "\xff\xfen\0a\0m\0e\0\t\0s\0e\0x\0\r\0\n\0A\0\t\0m\0\r\0\n\0";
	hearth_buf text = HEARTH_BUF_INIT, report = HEARTH_BUF_INIT;
	hearth_import_info info;
	const char *enc = NULL;
	long long kids = fixture_sql_int(db, "SELECT count(*) FROM child");
	long long outbox;
	char s[256];
	int rc;

	rc = hearth_csv_decode(&text, gbk, sizeof(gbk) - 1, &enc);
	ok(rc == 0 && enc && strcmp(enc, "GB18030") == 0, "decode: bytes not UTF-8 read as GB18030");
	is_str(text.ptr, "幼儿姓名,出生日期,性别\r\n王小红,2025/3/18,女\r\n", "decode: GBK to UTF-8");
	rc = hearth_csv_decode(&text, u16, sizeof(u16) - 1, &enc);
	ok(rc == 0 && enc && strcmp(enc, "UTF-16LE") == 0, "decode: UTF-16LE by its BOM");
	is_str(text.ptr, "name\tsex\r\nA\tm\r\n", "decode: UTF-16LE to UTF-8");
	rc = hearth_csv_decode(&text, "\xef\xbb\xbf" "a,b\n", 7, &enc);
	ok(rc == 0 && strcmp(enc, "UTF-8") == 0 && strcmp(text.ptr, "a,b\n") == 0,
		"decode: UTF-8 BOM dropped");
	rc = hearth_csv_decode(&text, "\xff\xfe\x00\xd8", 4, &enc);
	is_int(rc, HEARTH_ECORRUPT, "decode: a lone UTF-16 surrogate is refused");
	rc = hearth_csv_decode(&text, SHEET("\xef\xbb\xbf" "a,b\nc,\x8d\n"), &enc);
	ok(rc == HEARTH_ECORRUPT && strncmp(hearth_error_last(), "line 2: ", 8) == 0,
		"decode: a UTF-8 BOM then bytes that are not UTF-8: refused, naming line 2 (%s)",
		hearth_error_last());

	rc = hearth_import_sheet(db, "child", gbk, sizeof(gbk) - 1, 0, &report, &info);
	if (!ok(rc == 0, "GBK sheet with Chinese headers and no owner/id imports"))
		diag("rc %d: %s %s", rc, hearth_error_last(), report.ptr);
	ok(info.encoding && strcmp(info.encoding, "GB18030") == 0, "read as GB18030");
	is_str(fixture_sql_text(db, "SELECT owner || '|' || birth_date || '|' || sex || '|' || "
			    "length(id) FROM child WHERE name = '王小红'", s, sizeof(s)),
		"lucai|2025-03-18|f|16", "owner is the node, id a clock, 2025/3/18 and 女 normalized");
	rc = hearth_import_sheet(db, "child", u16, sizeof(u16) - 1, 0, &report, &info);
	if (!ok(rc == 0, "UTF-16LE tab-separated sheet imports"))
		diag("rc %d: %s %s", rc, hearth_error_last(), report.ptr);
	is_int(fixture_sql_int(db, "SELECT count(*) FROM child"), kids + 2, "two children added");

	/* by English labels, any case, with ';' */
	rc = hearth_import_sheet(db, "child",
		SHEET("Child ID;CHILD'S NAME;Date of birth\nx1;B;2026年1月5日\n"), 0, &report, &info);
	if (!ok(rc == 0, "English labels, ';' separated"))
		diag("rc %d: %s %s", rc, hearth_error_last(), report.ptr);
	is_str(fixture_sql_text(db, "SELECT birth_date FROM child WHERE id = 'x1'", s, sizeof(s)),
		"2026-01-05", "2026年1月5日 read as a date");

	/* every bad cell listed, nothing written */
	outbox = fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox");
	rc = hearth_import_sheet(db, "care_class",
		"name,age_band,capacity\nA,0-1,二十\nB,9-9,5\nC,1-2,300\n",
		strlen("name,age_band,capacity\nA,0-1,二十\nB,9-9,5\nC,1-2,300\n"), 0, &report, &info);
	is_int(rc, HEARTH_ECONFLICT, "three bad cells: refused");
	is_str(report.ptr,
		"line 2, \"capacity\": expected a whole number from 0 to 200, got \"二十\"\n"
		"line 3, \"age band\": expected one of: 0–1 years / 1–2 years / 2–3 years, got \"9-9\"\n"
		"line 4, \"capacity\": expected a whole number from 0 to 200, got \"300\"\n",
		"three bad cells: each on its line with its label");
	is_str(hearth_error_last(), "nothing imported", "then: nothing imported");
	is_int(fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox"), outbox,
		"three bad cells: no outbox entry");

	/* --update: one changed cell is one change of one row; unchanged, nothing */
	rc = hearth_import_sheet(db, "child", SHEET("id,name,sex\nu1,A,f\nu2,B,m\n"), 0, &report,
		&info);
	ok(rc == 0 && info.added == 2, "sheet with ids imports (rc %d)", rc);
	outbox = fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox");
	rc = hearth_import_sheet(db, "child", SHEET("id,name,sex\nu1,A,f\nu2,B,m\n"),
		HEARTH_IMPORT_UPDATE, &report, &info);
	ok(rc == 0 && info.write.seq == 0 && info.updated == 0, "unchanged sheet records nothing");
	rc = hearth_import_sheet(db, "child", SHEET("id,name,sex\nu1,A,f\nu2,B,女\nu3,C,m\n"),
		HEARTH_IMPORT_UPDATE, &report, &info);
	ok(rc == 0 && info.updated == 1 && info.added == 1 && info.write.changes == 2,
		"update: one row changed, one added (rc %d, %d/%d)", rc, info.updated, info.added);
	is_int(fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox"), outbox + 1,
		"update: one outbox entry");
	is_str(fixture_sql_text(db, "SELECT sex FROM child WHERE id = 'u2'", s, sizeof(s)), "f",
		"update: the changed cell written");
	rc = hearth_import_sheet(db, "child", SHEET("id,name,sex\nu1,A,f\n"), 0, &report, &info);
	is_int(rc, HEARTH_ECONFLICT, "without --update a row already there is refused");

	/* note rows ('#' first) are skipped whatever their cell count; a short row is not */
	rc = hearth_import_sheet(db, "child",
		SHEET("id,name,sex\n#note, with a comma,and,more,cells\n  #x\nn1,N,m\n"), 0,
		&report, &info);
	ok(rc == 0 && info.added == 1, "note rows of any width skipped (rc %d: %s)", rc,
		rc ? hearth_error_last() : "");
	rc = hearth_import_sheet(db, "child", SHEET("id,name,sex\nn2,N\n"), 0, &report, &info);
	is_int(rc, HEARTH_ECORRUPT, "a short row that is no note is refused");
	/* a required column missing from the sheet is said at the header, every one of them */
	rc = hearth_import_sheet(db, "care_class", SHEET("name\nA\n"), 0, &report, &info);
	is_int(rc, HEARTH_EUSAGE, "required columns missing: refused");
	is_str(hearth_error_last(), "line 1: required columns missing from the sheet: \"age band\", "
		"\"capacity\" (add them, with a value on every row)", "required columns missing: named");
	hearth_buf_dispose(&text);
	hearth_buf_dispose(&report);
}

static void test_import(void)
{
	const char *base = getenv("TMPDIR");
	hearth_db *db = NULL;
	char dir[300];
	int rc;

	snprintf(tmp, sizeof(tmp), "%s/hearth-csv-XXXXXX", base && *base ? base : "/tmp");
	if (!ok(mkdtemp(tmp) != NULL, "temp dir"))
		return;
	snprintf(dir, sizeof(dir), "%s/lucai", tmp);
	rc = hearth_db_create(&db, dir, "lucai", "childcare_centre", "潞才社区综合托育中心",
		"luzhou");
	if (!ok(rc == 0, "create node 'lucai'")) {
		diag("rc %d: %s", rc, hearth_error_last());
		return;
	}
	test_import_good(db);
	test_import_sql_is_data(db);
	test_import_refused(db);
	test_import_excel(db);
	hearth_db_free(db);
	if (!tap_failed)
		fixture_rm_rf(tmp);
	else
		diag("left %s for a look", tmp);
}

int main(void)
{
	test_parse_shapes();
	test_parse_errors();
	test_parse_callback();
	test_import();
	return done_testing();
}
