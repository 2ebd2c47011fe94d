/*
 * Typed tables (schema v5): placing a row written before the checks existed. The migration
 * copies every v4 row into the STRICT tables through here (typed_lift.c lifts the changes written
 * before the checks with the same rules): a value the checks refuse is first converted
 * when a person's form of it is clear ('2026/12/02', '2026-12-10 09:00', ' 30 ', '+86 138...'),
 * else set aside in hearth_to_fix (table, row, column, original text) and the column takes its
 * default, NULL, or for a NOT NULL column without default a safe value. A row is never dropped.
 *
 * Which column a refusal is about is read from SQLite's message: every CHECK of 005_typed.sql is
 * named after its column, STRICT names "table.column", the reference triggers name the column.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "i18n.h"
#include "typed_int.h"

/* the safe values a NOT NULL column without default takes, first one the checks accept */
static const char *const safe_text[] = { "", "1970-01-01T00:00:00+08:00", "1970-01-01", "1970-01" };
static const char *const safe_refs[] = { "service_type", "region" };


void typed_table_dispose(typed_table *t)
{
	int i;

	for (i = 0; i < t->ncol; i++) {
		free(t->cols[i].name);
		free(t->cols[i].type);
		free(t->cols[i].dflt);
	}
	free(t->cols);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? strdup(s) : NULL;
}

int typed_table_load(typed_table *t, sqlite3 *h, const char *name)
{
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	memset(t, 0, sizeof(*t));
	t->owner_col = t->id_col = -1;
	if (!(t->name = strdup(name)))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	if ((rc = hearth_sql_prepare(&st, h,
		     "SELECT name, type, dflt_value, \"notnull\" FROM pragma_table_info(?1)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		typed_col *grown = realloc(t->cols, (size_t)(n + 1) * sizeof(*grown));
		if (!grown)
			break;
		t->cols = grown;
		memset(&t->cols[n], 0, sizeof(t->cols[n]));
		t->cols[n].name = dup_col(st, 0);
		t->cols[n].type = dup_col(st, 1);
		t->cols[n].dflt = dup_col(st, 2);
		t->cols[n].notnull = sqlite3_column_int(st, 3);
		t->ncol = ++n;
		if (!t->cols[n - 1].name || !t->cols[n - 1].type)
			break;
		if (strcmp(t->cols[n - 1].name, "owner") == 0)
			t->owner_col = n - 1;
		else if (strcmp(t->cols[n - 1].name, "id") == 0)
			t->id_col = n - 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return hearth_error_sqlite(h, HEARTH_ERROR, _("cannot read the columns of a table"));
	if (t->owner_col < 0 || t->id_col < 0)
		return hearth_error_set(HEARTH_ECORRUPT, _("table '%s' has no owner and id"), name);
	return 0;
}

/* The column a constraint message is about: its last word, after "table." if any. */
static int refused_column(const typed_table *t, const char *msg)
{
	const char *w = strrchr(msg, ' '), *dot;
	int i;

	w = w ? w + 1 : msg;
	if ((dot = strrchr(w, '.')) != NULL)
		w = dot + 1;
	for (i = 0; i < t->ncol; i++)
		if (strcmp(t->cols[i].name, w) == 0)
			return i;
	return -1;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* A person's form of a date, time or phone, in the stored form; 1 if it converted. Local times
 * are China time (+08:00). Ambiguous forms ('06-12-2026', '01/07/2027', '12月6日') stay. */
int typed_convert_text(const char *in, char *out, size_t cap)
{
	char s[64], sep1, sep2, t = 0, extra;
	int y, mo, d, hh, mm, ss = 0;
	size_t n;

	while (isspace((unsigned char)*in))
		in++;
	n = strlen(in);
	while (n && isspace((unsigned char)in[n - 1]))
		n--;
	if (n == 0 || n >= sizeof(s))
		return 0;
	memcpy(s, in, n);
	s[n] = '\0';
	if (sscanf(s, "%4d%c%2d%c%2d%c", &y, &sep1, &mo, &sep2, &d, &extra) == 5 &&
	    sep1 == sep2 && (sep1 == '/' || sep1 == '.' || sep1 == '-') && s[4] == sep1)
		snprintf(out, cap, "%04d-%02d-%02d", y, mo, d);
	else if ((sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%c", &y, &mo, &d, &t, &hh, &mm, &ss, &extra) ==
			 7 ||
		     (ss = 0, sscanf(s, "%4d-%2d-%2d%c%2d:%2d%c", &y, &mo, &d, &t, &hh, &mm, &extra) ==
				      6)) &&
		 (t == 'T' || t == ' ') && n >= 16)
		snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, mo, d, hh, mm, ss);
	else {
		/* a mobile with +86, spaces or dashes: the 11 digits */
		char digits[16];
		size_t i, k = 0;
		const char *p = strncmp(s, "+86", 3) == 0 ? s + 3 : s;
		for (i = 0; p[i] && k < sizeof(digits) - 1; i++)
			if (isdigit((unsigned char)p[i]))
				digits[k++] = p[i];
			else if (p[i] != ' ' && p[i] != '-')
				return 0;
		digits[k] = '\0';
		if (p[i] || k != 11 || digits[0] != '1' || !all_digits(digits, k))
			return 0;
		snprintf(out, cap, "%s", digits);
	}
	return strcmp(out, in) != 0;
}

/* A value set aside into `into` (hearth_to_fix, or the pending list of a lift). */
int typed_set_aside(sqlite3 *h, const char *into, const char *tbl, sqlite3_value *owner,
	sqlite3_value *id, const char *col, sqlite3_value *original, sqlite3_value *placed,
	const char *reason, const char *origin)
{
	sqlite3_stmt *st = NULL;
	char sql[300];
	int rc;

	snprintf(sql, sizeof(sql),
		"INSERT OR REPLACE INTO %s (tbl, owner, id, col, original, placed, reason, origin, "
		"at_ms) VALUES (?1, ?2, ?3, ?4, CAST(?5 AS TEXT), ?6, ?7, ?8, ?9)",
		into);
	if ((rc = hearth_sql_prepare(&st, h, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	sqlite3_bind_value(st, 2, owner);
	sqlite3_bind_value(st, 3, id);
	sqlite3_bind_text(st, 4, col, -1, SQLITE_STATIC);
	sqlite3_bind_value(st, 5, original);
	sqlite3_bind_value(st, 6, placed);
	sqlite3_bind_text(st, 7, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (int64_t)hearth_time_now_ms());
	rc = sqlite3_step(st) == SQLITE_DONE ?
		     0 :
		     hearth_error_sqlite(h, HEARTH_ERROR, _("cannot record a value to fix"));
	sqlite3_finalize(st);
	return rc;
}

/* Replace vals[col] by the result of `sql` (one value, ?1 bound to `arg` if given). */
int typed_replace_by(sqlite3 *h, sqlite3_value **vals, int col, const char *sql, const char *arg)
{
	sqlite3_stmt *st = NULL;
	sqlite3_value *v = NULL;
	int rc;

	if ((rc = hearth_sql_prepare(&st, h, sql)) < 0)
		return rc;
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && (v = sqlite3_value_dup(sqlite3_column_value(st, 0)))) {
		sqlite3_value_free(vals[col]);
		vals[col] = v;
	} else
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot compute a column's value"));
	sqlite3_finalize(st);
	return rc;
}

/* The value a refused column takes: its default, else NULL, else (NOT NULL) the next safe
 * candidate; `tries` counts the candidates used. The reason names what was placed. */
int typed_next_placed(sqlite3 *h, const typed_table *t, sqlite3_value **vals, int col, int *tries,
	hearth_buf *what)
{
	const typed_col *c = &t->cols[col];
	int k = (*tries)++, numeric = strcmp(c->type, "INTEGER") == 0 || strcmp(c->type, "REAL") == 0;
	char sql[160];

	hearth_buf_clear(what);
	if (c->dflt) {
		if (k > 0)
			return 1;
		snprintf(sql, sizeof(sql), "SELECT %s", c->dflt);
		hearth_buf_puts(what, "set to its default");
		return typed_replace_by(h, vals, col, sql, NULL);
	}
	if (!c->notnull) {
		if (k > 0)
			return 1;
		hearth_buf_puts(what, "set to NULL");
		return typed_replace_by(h, vals, col, "SELECT NULL", NULL);
	}
	if (numeric) {
		if (k > 0)
			return 1;
		hearth_buf_puts(what, "set to the safe value 0");
		return typed_replace_by(h, vals, col, "SELECT 0", NULL);
	}
	if (k < (int)(sizeof(safe_text) / sizeof(*safe_text))) {
		hearth_buf_printf(what, "set to the safe value '%s'", safe_text[k]);
		return typed_replace_by(h, vals, col, "SELECT ?1", safe_text[k]);
	}
	k -= (int)(sizeof(safe_text) / sizeof(*safe_text));
	if (k < (int)(sizeof(safe_refs) / sizeof(*safe_refs))) {
		hearth_buf_printf(what, "set to the first %s by id", safe_refs[k]);
		snprintf(sql, sizeof(sql), "SELECT coalesce(min(id), '') FROM %s", safe_refs[k]);
		return typed_replace_by(h, vals, col, sql, NULL);
	}
	return 1;
}

static int run(sqlite3_stmt *write, const typed_table *t, sqlite3_value **vals)
{
	int i, rc;

	sqlite3_reset(write);
	for (i = 0; i < t->ncol; i++)
		if (sqlite3_bind_value(write, i + 1, vals[i]) != SQLITE_OK)
			return SQLITE_NOMEM;
	rc = sqlite3_step(write);
	sqlite3_reset(write);
	return rc;
}

/* Convert, or set aside, vals[col] after `msg` refused it; 1 if nothing more can be tried. */
static int mend(sqlite3 *h, const typed_table *t, sqlite3_value **vals, int col, const char *msg,
	sqlite3_value **original, int *tries, const char *origin)
{
	hearth_buf what = HEARTH_BUF_INIT, reason = HEARTH_BUF_INIT;
	char conv[64];
	int rc;

	if (!original[col]) {
		const char *text = (const char *)sqlite3_value_text(vals[col]);
		if (!(original[col] = sqlite3_value_dup(vals[col])))
			return hearth_error_set(HEARTH_ERROR, _("out of memory"));
		if (sqlite3_value_type(vals[col]) == SQLITE_TEXT && text &&
		    typed_convert_text(text, conv, sizeof(conv)))
			return typed_replace_by(h, vals, col, "SELECT ?1", conv);
	}
	if ((rc = typed_next_placed(h, t, vals, col, &tries[col], &what)) != 0)
		return rc;
	hearth_buf_printf(&reason, "%s; %s", msg, what.ptr);
	rc = typed_set_aside(h, "hearth_to_fix", t->name, vals[t->owner_col], vals[t->id_col],
		t->cols[col].name, original[col], vals[col], reason.ptr, origin);
	hearth_buf_dispose(&what);
	hearth_buf_dispose(&reason);
	return rc;
}

/* Run `write` (?1..?ncol = the row) until the checks accept the row, mending one refused
 * column at a time; bounded: every column converts once and takes at most a few candidates. */
static int place_row(sqlite3 *h, const typed_table *t, sqlite3_stmt *write, sqlite3_value **vals,
	const char *origin)
{
	sqlite3_value *original[64] = { 0 };
	int tries[64] = { 0 };
	int rc = -1, step, col, round;

	if (t->ncol > 64)
		return hearth_error_set(HEARTH_ERROR, _("table '%s' has too many columns"), t->name);
	for (round = 0; round < 8 * t->ncol + 1; round++) {
		if ((step = run(write, t, vals)) == SQLITE_DONE) {
			rc = 0;
			break;
		}
		col = (step & 0xff) == SQLITE_CONSTRAINT ? refused_column(t, sqlite3_errmsg(h)) : -1;
		if (col < 0 || col == t->owner_col || col == t->id_col) {
			rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot place a row"));
			break;
		}
		if ((rc = mend(h, t, vals, col, sqlite3_errmsg(h), original, tries, origin)) != 0) {
			if (rc > 0)
				rc = hearth_error_set(HEARTH_ERROR,
					_("no value of '%s.%s' passes its checks"), t->name,
					t->cols[col].name);
			break;
		}
		rc = -1;
	}
	for (col = 0; col < t->ncol; col++)
		sqlite3_value_free(original[col]);
	return rc;
}

static int copy_table(sqlite3 *h, const char *name)
{
	typed_table t;
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *rd = NULL, *wr = NULL;
	sqlite3_value **vals = NULL;
	int i, rc;

	if ((rc = typed_table_load(&t, h, name)) < 0)
		goto done;
	hearth_buf_printf(&sql, "INSERT INTO \"%s\" VALUES (?1", name);
	for (i = 1; i < t.ncol; i++)
		hearth_buf_printf(&sql, ", ?%d", i + 1);
	hearth_buf_puts(&sql, ")");
	if ((rc = hearth_sql_prepare(&wr, h, sql.ptr)) < 0)
		goto done;
	hearth_buf_clear(&sql);
	hearth_buf_printf(&sql, "SELECT * FROM \"hearth_v4_%s\"", name);
	if ((rc = hearth_sql_prepare(&rd, h, sql.ptr)) < 0)
		goto done;
	if (sqlite3_column_count(rd) != t.ncol) {
		rc = hearth_error_set(HEARTH_ECORRUPT, _("table '%s' changed its columns"), name);
		goto done;
	}
	if (!(vals = calloc((size_t)t.ncol, sizeof(*vals)))) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	while ((rc = sqlite3_step(rd)) == SQLITE_ROW) {
		for (i = 0; i < t.ncol; i++)
			if (!(vals[i] = sqlite3_value_dup(sqlite3_column_value(rd, i))))
				rc = SQLITE_NOMEM;
		if (rc == SQLITE_NOMEM) {
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
			goto done;
		}
		rc = place_row(h, &t, wr, vals, "migration");
		for (i = 0; i < t.ncol; i++) {
			sqlite3_value_free(vals[i]);
			vals[i] = NULL;
		}
		if (rc < 0)
			goto done;
	}
	rc = rc == SQLITE_DONE ? 0 : hearth_error_sqlite(h, HEARTH_ERROR, _("cannot read a v4 table"));
done:
	if (vals)
		for (i = 0; i < t.ncol; i++)
			sqlite3_value_free(vals[i]);
	free(vals);
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	hearth_buf_dispose(&sql);
	typed_table_dispose(&t);
	return rc;
}

int hearth_typed_migrate(sqlite3 *h)
{
	hearth_schema *s = NULL;
	hearth_buf sql = HEARTH_BUF_INIT;
	int i, rc;

	if ((rc = hearth_schema_load(&s, h)) < 0)
		return rc;
	/* references are checked once every table is there: a region's parent may come after it */
	rc = hearth_sql_exec(h, "INSERT OR REPLACE INTO hearth_meta (key, value) "
				"VALUES ('applying_down', 'migration')", N_("cannot migrate"));
	for (i = 0; i < hearth_schema_count(s) && rc == 0; i++)
		rc = copy_table(h, hearth_schema_at(s, i)->name);
	if (rc == 0)
		rc = hearth_sql_exec(h, "DELETE FROM hearth_meta WHERE key = 'applying_down'",
			N_("cannot migrate"));
	if (rc == 0)
		rc = typed_lift_references(h);
	/* children first: a parent's implicit DELETE would meet their foreign keys */
	for (i = hearth_schema_count(s) - 1; i >= 0 && rc == 0; i--) {
		hearth_buf_clear(&sql);
		hearth_buf_printf(&sql, "DROP TABLE \"hearth_v4_%s\"", hearth_schema_at(s, i)->name);
		rc = hearth_sql_exec(h, sql.ptr, N_("cannot drop a v4 table"));
	}
	if (rc == 0)
		rc = typed_lift_stored(h);
	hearth_buf_dispose(&sql);
	hearth_schema_free(s);
	return rc;
}

