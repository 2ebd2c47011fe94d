/*
 * The typed tables (schema 5) and the declarations (schema 4) say the same: for every column a
 * rule is declared for (a range, a form, a choice, a flag, a reference to reference data), the
 * database's own checks and hearth_value_check agree on the edges (min, max, min-1, max+1), on
 * good and bad forms, on every choice and on a wrong one. A disagreement names the column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tap.h"

static char tmp_root[200];
static hearth_db *db;
static int disagreements, probes;

/* one probe: the value as SQL (a literal), both verdicts compared */
static void probe(const hearth_table_decl *t, int col, const char *literal)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	hearth_buf why = HEARTH_BUF_INIT, why_db = HEARTH_BUF_INIT;
	char sql[200];
	int decl, base;

	snprintf(sql, sizeof sql, "SELECT %s", literal);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		ok(0, "cannot evaluate %s", literal);
		sqlite3_finalize(st);
		return;
	}
	decl = hearth_value_check(db, t, col, sqlite3_column_value(st, 0), &why);
	base = hearth_typed_check(h, t->name, t->cols[col].name, sqlite3_column_value(st, 0),
		&why_db);
	probes++;
	if (decl < 0 || base < 0 || (decl == 0) != (base == 1)) {
		disagreements++;
		diag("%s.%s = %s: declarations %s (%s), database %s (%s)", t->name,
			t->cols[col].name, literal, decl == 0 ? "accept" : "refuse", why.ptr,
			base == 1 ? "accepts" : "refuses", why_db.ptr);
	}
	sqlite3_finalize(st);
	hearth_buf_dispose(&why);
	hearth_buf_dispose(&why_db);
}

static void probe_num(const hearth_table_decl *t, int col, double v)
{
	char lit[64];

	if (t->cols[col].kind == HEARTH_KIND_INTEGER)
		snprintf(lit, sizeof lit, "%lld", (long long)v);
	else
		snprintf(lit, sizeof lit, "%.17g", v);
	probe(t, col, lit);
}

static void probe_column(const hearth_table_decl *t, int col)
{
	static const char *const dates[] = { "'2026-02-28'", "'2024-02-29'", "'2026-02-30'",
		"'2026/12/02'", "'06-12-2026'", "'01/07/2027'", "'soon'", "'2026-1-2'", "20261202" };
	static const char *const stamps[] = { "'2026-12-10T09:00:00+08:00'",
		"'2026-12-10T09:00:00-05:30'", "'2026-12-10T09:00'", "'2026-12-10 09:00:00+08:00'",
		"'2026-12-10T09:00:00Z'", "'2026-12-10T09:00:00.5+08:00'", "'2026-12-10T25:00:00+08:00'",
		"'12月6日'", "'2026/12/02'" };
	static const char *const phones[] = { "'13800000000'", "'0355-2021234'", "'03552021234'",
		"'010-12345678'", "'12345'", "'+86 13800000000'", "'1380000000'", "'0355-20212'",
		"'abc'" };
	static const char *const months[] = { "'2026-12'", "'2026-13'", "'2026/12'", "'2026-12-01'" };
	static const char *const flags[] = { "0", "1", "2", "-1", "'是'" };
	const hearth_column_decl *c = &t->cols[col];
	size_t i;

	switch (c->kind) {
	case HEARTH_KIND_INTEGER:
	case HEARTH_KIND_DECIMAL:
		if (c->has_min) {
			probe_num(t, col, c->min);
			probe_num(t, col, c->min - 1);
		}
		if (c->has_max) {
			probe_num(t, col, c->max);
			probe_num(t, col, c->max + 1);
		}
		probe(t, col, "'二十'");
		probe(t, col, "'abc'");
		break;
	case HEARTH_KIND_DATE:
		for (i = 0; i < sizeof dates / sizeof *dates; i++)
			probe(t, col, dates[i]);
		break;
	case HEARTH_KIND_TIMESTAMP:
		for (i = 0; i < sizeof stamps / sizeof *stamps; i++)
			probe(t, col, stamps[i]);
		break;
	case HEARTH_KIND_PHONE:
		for (i = 0; i < sizeof phones / sizeof *phones; i++)
			probe(t, col, phones[i]);
		break;
	case HEARTH_KIND_MONTH:
		for (i = 0; i < sizeof months / sizeof *months; i++)
			probe(t, col, months[i]);
		break;
	case HEARTH_KIND_FLAG:
		for (i = 0; i < sizeof flags / sizeof *flags; i++)
			probe(t, col, flags[i]);
		break;
	case HEARTH_KIND_CHOICE: {
		char lit[80];
		int k;
		for (k = 0; k < c->nchoices; k++) {
			snprintf(lit, sizeof lit, "'%s'", c->choices[k].value);
			probe(t, col, lit);
		}
		probe(t, col, "'zzz'");
		probe(t, col, "'女'");
		break;
	}
	case HEARTH_KIND_REFERENCE:
		if (c->ref_checked) {
			probe(t, col, strcmp(c->ref_table, "region") == 0 ? "'luzhou'" : "'repair'");
			probe(t, col, "'repaair'");
		}
		break;
	default:
		break;
	}
}

int main(void)
{
	const hearth_schema *s;
	int i, j, kinds = 0;

	if (fixture_tmpdir_named(tmp_root, sizeof(tmp_root), "hearth-typed") < 0 ||
	    hearth_db_create(&db, tmp_root, "lucai", "childcare_centre", "潞才", "luzhou") < 0) {
		printf("Bail out! cannot create a database: %s\n", hearth_error_last());
		return 1;
	}
	is_int(hearth_db_schema_version(db) >= HEARTH_SCHEMA_TYPED, 1, "the database is typed");
	s = hearth_db_schema(db);
	for (i = 0; i < hearth_schema_count(s); i++) {
		const hearth_table_decl *t = hearth_schema_at(s, i);
		for (j = 0; j < t->ncol; j++) {
			int before = probes;
			probe_column(t, j);
			kinds += probes > before;
		}
	}
	diag("%d probes on %d columns", probes, kinds);
	ok(kinds >= 40, "every ruled column was probed (%d)", kinds);
	is_int(disagreements, 0, "the declarations and the database agree on every probe");
	hearth_db_free(db);
	fixture_rm_rf(tmp_root);
	return done_testing();
}
