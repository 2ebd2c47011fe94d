/*
 * Declarations a person reads (schema v4) and the value rules built on them, on a real database
 * made by the migrations: every column of every synced table has labels and a kind; normalize
 * and check on every kind, the exact values that issue #15 found recorded, and the refusal line
 * in English and in Chinese.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "core/i18n.h"
#include "fixture.h"
#include "tap.h"

static char tmp_root[200];
static hearth_db *db;

static const hearth_table_decl *table(const char *name)
{
	return hearth_schema_table(hearth_db_schema(db), name);
}

/* normalize `text` for tbl.col: "=RESULT" when accepted, "!" when refused */
static const char *norm(const char *tbl, const char *col, const char *text)
{
	static char res[256];
	const hearth_table_decl *t = table(tbl);
	hearth_buf out = HEARTH_BUF_INIT, why = HEARTH_BUF_INIT;
	int rc = hearth_value_normalize(db, t, hearth_table_column(t, col), text, &out, &why);

	snprintf(res, sizeof(res), rc == 0 ? "=%s" : rc == 1 ? "!" : "error", out.ptr);
	if (rc == 1 && why.size == 0)
		snprintf(res, sizeof(res), "refused without a reason");
	hearth_buf_dispose(&out);
	hearth_buf_dispose(&why);
	return res;
}

/* check the value SQL expression `expr` for tbl.col: 0 ok, 1 refused, -1 error; `why` kept */
static int check(const char *tbl, const char *col, const char *expr, hearth_buf *why)
{
	const hearth_table_decl *t = table(tbl);
	sqlite3_stmt *st = NULL;
	char sql[256];
	int rc = -1;

	hearth_buf_clear(why);
	snprintf(sql, sizeof(sql), "SELECT %s", expr);
	if (sqlite3_prepare_v2(hearth_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		rc = hearth_value_check(db, t, hearth_table_column(t, col), sqlite3_column_value(st, 0),
			why);
	sqlite3_finalize(st);
	return rc;
}

static void test_every_column_declared(void)
{
	const hearth_schema *s = hearth_db_schema(db);
	int i, j, missing = 0, choices = 0;

	for (i = 0; i < hearth_schema_count(s); i++) {
		const hearth_table_decl *t = hearth_schema_at(s, i);
		for (j = 0; j < t->ncol; j++) {
			const hearth_column_decl *c = &t->cols[j];
			if (!c->label_zh || !c->label_en || !*c->label_zh) {
				diag("no label: %s.%s", t->name, c->name);
				missing++;
			}
			if (c->kind == HEARTH_KIND_CHOICE && c->nchoices < 2) {
				diag("choice without values: %s.%s", t->name, c->name);
				missing++;
			}
			if (c->kind == HEARTH_KIND_REFERENCE && !c->ref_table)
				missing++;
			choices += c->nchoices;
		}
	}
	is_int(missing, 0, "every column of every synced table has labels, choices and references");
	ok(choices >= 50, "the enumerations' values are declared (%d)", choices);
	is_str(table("care_class")->cols[hearth_table_column(table("care_class"), "capacity")].label_zh,
		"容量", "capacity reads 容量");
	is_str(table("child")->cols[hearth_table_column(table("child"), "guardian_phone")].label_zh,
		"监护人电话", "guardian_phone reads 监护人电话");
	ok(table("node")->cols[hearth_table_column(table("node"), "region_id")].ref_checked,
		"node.region_id is checked against reference data");
	ok(!table("health_check")->cols[hearth_table_column(table("health_check"), "child_id")]
		    .ref_checked,
		"health_check.child_id (a child the hospital cannot see) is only checked well-formed");
}

/* What an audience receives is declared per column: a hospital gets a child's key, name,
 * birth date, sex and the column naming it; the audiences declared before keep every column;
 * a required column cannot be withheld (the schema refuses to load). */
static void test_audience_columns(void)
{
	const hearth_table_decl *c = table("child");
	static const char *const audiences[] = { "health_check", "partnership", "service_request" };
	hearth_buf seen = HEARTH_BUF_INIT;
	hearth_schema *s = NULL;
	size_t k;
	int i;

	is_str(c->cols[c->audience_col].name, "health_partner", "child's audience: health_partner");
	for (i = 0; i < c->ncol; i++)
		if (c->cols[i].audience_sees)
			hearth_buf_printf(&seen, "%s%s", seen.size ? " " : "", c->cols[i].name);
	is_str(seen.ptr, "owner id name birth_date sex health_partner",
		"a child's audience receives its key, name, birth date, sex and partner");
	ok(c->audience_withheld, "child withholds columns from its audience");
	for (k = 0; k < sizeof(audiences) / sizeof(audiences[0]); k++)
		ok(!table(audiences[k])->audience_withheld, "%s's audience receives every column",
			audiences[k]);
	hearth_buf_dispose(&seen);
	ok(hearth_sql_exec(hearth_db_sqlite(db), "UPDATE hearth_column SET audience_sees = 0 "
						 "WHERE tbl = 'service_request' AND col = "
						 "'requested_at'", "fixture") == 0, "withhold a required column");
	ok(hearth_schema_load(&s, hearth_db_sqlite(db)) == HEARTH_ECORRUPT && !s,
		"a required column withheld from the audience: the schema refuses to load");
	ok(strstr(hearth_error_last(), "requested_at") != NULL, "the error names the column (%s)",
		hearth_error_last());
	hearth_sql_exec(hearth_db_sqlite(db), "UPDATE hearth_column SET audience_sees = 1 WHERE "
					      "tbl = 'service_request' AND col = 'requested_at'", "fixture");
}

static void test_fingerprint_unchanged(void)
{
	char fp[17], v2[17], v4[17];

	/* the fingerprint each migration left: v4 (declarations only) as v2 */
	fixture_sql_text(db, "SELECT fingerprint FROM hearth_schema_history WHERE version = 2", v2,
		sizeof(v2));
	fixture_sql_text(db, "SELECT fingerprint FROM hearth_schema_history WHERE version = 4", v4,
		sizeof(v4));
	is_str(v2, "fcf7c3b96568c42a", "v2's fingerprint is the one the field knows");
	is_str(v4, v2, "declarations leave the synced tables' fingerprint as v2's");
	/* child.health_partner (a later migration) is a column of a synced table: a new shape */
	hearth_schema_fingerprint(hearth_db_schema(db), fp);
	ok(strcmp(fp, v2) != 0, "a synced column added since gives a new fingerprint (%s)", fp);
	ok(hearth_schema_version_max() >= 4, "schema v4 is built in");
}

static void test_normalize(void)
{
	/* the list, as a person would type it */
	is_str(norm("care_class", "capacity", "二十"), "!", "capacity '二十' refused");
	is_str(norm("care_class", "capacity", " 20 "), "=20", "capacity ' 20 ' -> 20");
	is_str(norm("care_class", "capacity", "201"), "!", "capacity 201 refused (0–200)");
	is_str(norm("node", "places", "三十"), "!", "places '三十' refused");
	is_str(norm("node", "lon", "abc"), "!", "lon 'abc' refused");
	is_str(norm("node", "lon", "113.12"), "=113.12", "lon in Changzhi accepted");
	is_str(norm("node", "lon", "116.4"), "!", "lon outside Changzhi refused");
	is_str(norm("service_request", "done_at", "12月6日"), "!", "done_at '12月6日' refused");
	is_str(norm("service_request", "done_at", "2026/12/02"), "!",
		"done_at '2026/12/02' (a date without a time) refused");
	is_str(norm("service_request", "done_at", "2026-12-10T09:00"),
		"=2026-12-10T09:00:00+08:00", "local time -> +08:00");
	is_str(norm("service_request", "done_at", "2026-12-10 09:00:30"),
		"=2026-12-10T09:00:30+08:00", "local time with seconds -> +08:00");
	is_str(norm("service_request", "done_at", "2026-12-10T09:00:00+08:00"),
		"=2026-12-10T09:00:00+08:00", "a full timestamp stays");
	is_str(norm("service_request", "done_at", "2026-12-10T25:00"), "!", "hour 25 refused");
	is_str(norm("enrolment", "ends_on", "2026/12/02"), "=2026-12-02", "'2026/12/02' -> ISO");
	is_str(norm("enrolment", "ends_on", "2026.1.5"), "=2026-01-05", "'2026.1.5' -> ISO");
	is_str(norm("enrolment", "ends_on", "06-12-2026"), "!", "'06-12-2026' refused");
	is_str(norm("enrolment", "ends_on", "01/07/2027"), "!", "'01/07/2027' refused");
	is_str(norm("enrolment", "ends_on", "2027-02-29"), "!", "no 29 February in 2027");
	is_str(norm("enrolment", "ends_on", "2028-02-29"), "=2028-02-29", "29 February 2028");
	is_str(norm("health_check", "weight_kg", "-3"), "!", "weight -3 refused");
	is_str(norm("health_check", "weight_kg", "12.5"), "=12.5", "weight 12.5 accepted");
	is_str(norm("health_check", "height_cm", "925"), "!", "height 925 refused");
	is_str(norm("health_check", "next_due", "soon"), "!", "next_due 'soon' refused");
	is_str(norm("care_offer", "service_type_id", "repaair"), "!", "service type 'repaair' refused");
	is_str(norm("care_offer", "service_type_id", "repair"), "=repair", "service type 'repair'");
	is_str(norm("child", "sex", "女"), "=f", "sex '女' -> f");
	is_str(norm("child", "sex", "Male"), "=m", "sex 'Male' -> m");
	is_str(norm("child", "sex", "x"), "!", "sex 'x' refused");
	is_str(norm("health_check", "child_id", "doesnotexist"), "=doesnotexist",
		"a child the hospital cannot see: well-formed is enough");
	is_str(norm("health_check", "child_id", "no such child"), "!", "a malformed child id refused");
	/* the other kinds */
	is_str(norm("node", "affordable", "是"), "=1", "flag 是 -> 1");
	is_str(norm("node", "affordable", "no"), "=0", "flag no -> 0");
	is_str(norm("node", "affordable", "2"), "!", "flag 2 refused");
	is_str(norm("child", "guardian_phone", "+86 138 1234 5678"), "=13812345678",
		"+86 mobile -> 11 digits");
	is_str(norm("child", "guardian_phone", "0355-2021234"), "=0355-2021234", "landline");
	is_str(norm("child", "guardian_phone", "12345"), "!", "phone '12345' refused");
	is_str(norm("request_tally", "month", "2026-12"), "=2026-12", "month");
	is_str(norm("request_tally", "month", "2026-13"), "!", "month 13 refused");
	is_str(norm("node", "region_id", "luzhou"), "=luzhou", "region luzhou exists");
	is_str(norm("node", "region_id", "atlantis"), "!", "region atlantis refused");
	is_str(norm("care_class", "id", "class_1"), "=class_1", "record id");
	is_str(norm("node", "description_md", "  **开放** "), "=**开放**", "markdown trimmed");
	is_str(norm("request_tally", "solved", "-1"), "!", "solved -1 refused");
}

static void test_check(void)
{
	hearth_buf why = HEARTH_BUF_INIT;

	is_int(check("care_class", "capacity", "'二十'", &why), 1, "check: capacity text refused");
	is_str(why.ptr, "expected a whole number from 0 to 200", "... saying what is expected");
	is_int(check("care_class", "capacity", "25", &why), 0, "check: capacity 25");
	is_int(check("care_class", "capacity", "2.5", &why), 1, "check: capacity 2.5 refused");
	is_int(check("node", "lon", "'abc'", &why), 1, "check: lon 'abc'");
	is_int(check("node", "lat", "36.19", &why), 0, "check: lat 36.19");
	is_int(check("node", "lat", "NULL", &why), 0, "check: NULL is the table's business");
	is_int(check("service_request", "done_at", "'12月6日'", &why), 1, "check: done_at '12月6日'");
	is_int(check("service_request", "done_at", "'2026-12-10T09:00'", &why), 1,
		"check: a stored timestamp must carry its offset");
	is_int(check("service_request", "done_at", "'2026-12-10T09:00:00+08:00'", &why), 0,
		"check: full timestamp");
	is_int(check("enrolment", "ends_on", "'2026/12/02'", &why), 1,
		"check: a stored date must be ISO");
	is_int(check("enrolment", "ends_on", "'01/07/2027'", &why), 1, "check: '01/07/2027'");
	is_int(check("health_check", "weight_kg", "-3", &why), 1, "check: weight -3");
	is_str(why.ptr, "expected a number from 1 to 100", "... weight 1–100");
	is_int(check("health_check", "height_cm", "925", &why), 1, "check: height 925");
	is_int(check("health_check", "next_due", "'soon'", &why), 1, "check: next_due 'soon'");
	is_int(check("service_request", "service_type_id", "'repaair'", &why), 1,
		"check: 'repaair'");
	is_int(check("child", "sex", "'女'", &why), 1, "check: a stored sex is the value, not the label");
	is_str(why.ptr, "expected one of: female / male", "... listing the labels");
	is_int(check("child", "sex", "'f'", &why), 0, "check: sex f");
	is_int(check("node", "affordable", "1", &why), 0, "check: flag 1");
	is_int(check("node", "affordable", "'yes'", &why), 1, "check: a stored flag is 0/1");
	is_int(check("node", "name", "x'00ff'", &why), 1, "check: a BLOB in a text column");
	is_int(check("node", "registration_no", "123", &why), 0, "check: digits in a text column");
	is_int(check("child", "guardian_phone", "'13812345678'", &why), 0, "check: mobile");
	is_int(check("child", "guardian_phone", "'138'", &why), 1, "check: short phone");
	hearth_buf_dispose(&why);
}

static void test_labels_and_refusal(void)
{
	const hearth_table_decl *t = table("care_class");
	int cap = hearth_table_column(t, "capacity");
	const hearth_column_decl *sex = &table("child")->cols[hearth_table_column(table("child"), "sex")];
	hearth_buf out = HEARTH_BUF_INIT;

	is_str(hearth_column_label(t, cap), "capacity", "English label");
	is_str(hearth_choice_label(sex, "f"), "female", "English choice label");
	hearth_refusal_format(&out, "line 3", t, cap, "二十", "expected a whole number from 0 to 200");
	is_str(out.ptr, "line 3, \"capacity\": expected a whole number from 0 to 200, got \"二十\"",
		"the refusal line in English");

	setenv("LC_ALL", "zh_CN.UTF-8", 1);
	hearth_i18n_init();
	if (strcmp(hearth_ui_lang(), "zh") != 0) {
		diag("no Chinese catalogue or locale here: skipping the Chinese half");
		ok(getenv("HEARTH_LOCALEDIR") == NULL, "the Chinese catalogue is given to this test");
		hearth_buf_dispose(&out);
		return;
	}
	is_str(hearth_column_label(t, cap), "容量", "Chinese label");
	is_str(hearth_choice_label(sex, "f"), "女", "Chinese choice label");
	hearth_buf_clear(&out);
	is_str(norm("care_class", "capacity", "二十"), "!", "still refused in Chinese");
	{
		hearth_buf why = HEARTH_BUF_INIT;
		hearth_value_normalize(db, t, cap, "二十", &out, &why);
		hearth_refusal_format(&out, "第 3 行", t, cap, "二十", why.ptr);
		is_str(out.ptr, "第 3 行「容量」：应为 0–200 的整数，收到「二十」",
			"the refusal line in Chinese, as the issue asks");
		hearth_buf_dispose(&why);
	}
	unsetenv("LC_ALL");
	hearth_i18n_init();
	hearth_buf_dispose(&out);
}

int main(void)
{
	char dir[300];

	setenv("LC_ALL", "C.UTF-8", 1);
	hearth_i18n_init();
	if (fixture_tmpdir_named(tmp_root, sizeof(tmp_root), "hearth-values") < 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/lucai", tmp_root);
	if (hearth_db_create(&db, dir, "lucai", "childcare_centre", "Lucai", NULL) < 0) {
		diag("cannot create: %s", hearth_error_last());
		return 1;
	}
	test_every_column_declared();
	test_audience_columns();
	test_fingerprint_unchanged();
	test_normalize();
	test_check();
	test_labels_and_refusal();
	hearth_db_free(db);
	fixture_rm_rf(tmp_root);
	return done_testing();
}
