/* Read-only queries in three output forms, the JSON string escaper everything shares, and the
 * time limit on a caller's SQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_int.h"
#include "i18n.h"

int hearth_json_string(hearth_buf *out, const char *s, size_t len)
{
	size_t i;
	int rc = hearth_buf_putc(out, '"');

	for (i = 0; rc == 0 && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			rc = hearth_buf_printf(out, "\\%c", c);
		else if (c == '\n')
			rc = hearth_buf_puts(out, "\\n");
		else if (c == '\r')
			rc = hearth_buf_puts(out, "\\r");
		else if (c == '\t')
			rc = hearth_buf_puts(out, "\\t");
		else if (c < 0x20)
			rc = hearth_buf_printf(out, "\\u%04x", c);
		else
			rc = hearth_buf_putc(out, (char)c);
	}
	return rc ? rc : hearth_buf_putc(out, '"');
}

static int json_value(hearth_buf *out, const hearth_cell *c)
{
	switch (c->type) {
	case SQLITE_NULL:
		return hearth_buf_puts(out, "null");
	case SQLITE_INTEGER:
		return hearth_buf_printf(out, "%lld", (long long)c->i);
	case SQLITE_FLOAT:
		return hearth_buf_printf(out, "%.17g", c->f);
	default:
		return hearth_json_string(out, c->text ? c->text : "", c->n);
	}
}

static int csv_field(hearth_buf *out, const char *s, size_t len)
{
	size_t i;
	int rc;

	if (strcspn(s, ",\"\r\n") >= len)
		return hearth_buf_put(out, s, len);
	rc = hearth_buf_putc(out, '"');
	for (i = 0; rc == 0 && i < len; i++)
		rc = s[i] == '"' ? hearth_buf_puts(out, "\"\"") : hearth_buf_putc(out, s[i]);
	return rc ? rc : hearth_buf_putc(out, '"');
}

static int text_field(hearth_buf *out, const char *s, size_t len)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < len; i++) {
		char c = s[i];
		rc = c == '\t' ? hearth_buf_puts(out, "\\t")
		   : c == '\n' ? hearth_buf_puts(out, "\\n")
		   : c == '\\' ? hearth_buf_puts(out, "\\\\")
			       : hearth_buf_putc(out, c);
	}
	return rc;
}

int hearth_cells_header(hearth_buf *out, const hearth_cell *cells, int n, hearth_format f)
{
	int i, rc = 0;

	if (f == HEARTH_FORMAT_JSON || n == 0)
		return 0;
	for (i = 0; rc == 0 && i < n; i++) {
		const char *name = cells[i].name;
		if (i)
			rc = hearth_buf_putc(out, f == HEARTH_FORMAT_CSV ? ',' : '\t');
		if (rc == 0)
			rc = f == HEARTH_FORMAT_CSV ? csv_field(out, name, strlen(name))
						    : text_field(out, name, strlen(name));
	}
	return rc ? rc : hearth_buf_puts(out, f == HEARTH_FORMAT_CSV ? "\r\n" : "\n");
}

int hearth_cells_row(hearth_buf *out, const hearth_cell *cells, int n, hearth_format f,
	int *first_row)
{
	int i, rc = 0;

	if (f == HEARTH_FORMAT_JSON) {
		rc = hearth_buf_puts(out, *first_row ? "\n  {" : ",\n  {");
		for (i = 0; rc == 0 && i < n; i++) {
			if (i)
				rc = hearth_buf_puts(out, ", ");
			if (rc == 0)
				rc = hearth_json_string(out, cells[i].name, strlen(cells[i].name));
			if (rc == 0)
				rc = hearth_buf_puts(out, ": ");
			if (rc == 0)
				rc = json_value(out, &cells[i]);
		}
		*first_row = 0;
		return rc ? rc : hearth_buf_putc(out, '}');
	}
	for (i = 0; rc == 0 && i < n; i++) {
		const char *v = cells[i].text;
		if (i)
			rc = hearth_buf_putc(out, f == HEARTH_FORMAT_CSV ? ',' : '\t');
		if (rc == 0 && v)
			rc = f == HEARTH_FORMAT_CSV ? csv_field(out, v, cells[i].n)
						    : text_field(out, v, cells[i].n);
		else if (rc == 0 && f == HEARTH_FORMAT_TEXT)
			rc = hearth_buf_puts(out, "NULL");
	}
	*first_row = 0;
	return rc ? rc : hearth_buf_puts(out, f == HEARTH_FORMAT_CSV ? "\r\n" : "\n");
}

int hearth_cells_begin(hearth_buf *out, hearth_format f)
{
	return f == HEARTH_FORMAT_JSON ? hearth_buf_putc(out, '[') : 0;
}

int hearth_cells_end(hearth_buf *out, hearth_format f, int first_row)
{
	if (f != HEARTH_FORMAT_JSON)
		return 0;
	return hearth_buf_puts(out, first_row ? "]\n" : "\n]\n");
}

/* The cells of the statement's current row: its type read first, then the numbers only where
 * they are the value (a conversion would change what sqlite3_column_text returns). */
static void cells_of(hearth_cell *cells, sqlite3_stmt *st, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		hearth_cell *c = &cells[i];
		c->name = sqlite3_column_name(st, i);
		c->type = sqlite3_column_type(st, i);
		c->i = c->type == SQLITE_INTEGER ? sqlite3_column_int64(st, i) : 0;
		c->f = c->type == SQLITE_FLOAT ? sqlite3_column_double(st, i) : 0;
		c->text = (const char *)sqlite3_column_text(st, i);
		c->n = (size_t)sqlite3_column_bytes(st, i);
	}
}

/* ---- the time limit on a caller's SQL ------------------------------------------------------- */

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SQLite calls this every few thousand instructions; non-zero stops the statement. */
static int past_deadline(void *payload)
{
	hearth_db *db = payload;

	return db->sql_deadline && monotonic_ms() >= db->sql_deadline;
}

void hearth_db_set_sql_limit(hearth_db *db, int64_t ms)
{
	db->sql_limit_ms = ms > 0 ? ms : 0;
}

void hearth_sql_limit_begin(hearth_db *db)
{
	db->sql_deadline = db->sql_limit_ms ? monotonic_ms() + db->sql_limit_ms : 0;
	if (db->sql_deadline)
		sqlite3_progress_handler(db->sql, 4000, past_deadline, db);
}

void hearth_sql_limit_end(hearth_db *db)
{
	sqlite3_progress_handler(db->sql, 0, NULL, NULL);
}

int hearth_sql_limit_error(hearth_db *db)
{
	if (sqlite3_errcode(db->sql) != SQLITE_INTERRUPT || !past_deadline(db))
		return 0;
	return hearth_error_set(HEARTH_EUSAGE,
		_("the SQL was stopped after %lld ms, the time limit (HEARTH_SQL_LIMIT_SECONDS): "
		"nothing was changed"),
		(long long)db->sql_limit_ms);
}

int hearth_query(hearth_db *db, const char *sql, hearth_format format, hearth_buf *out)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	const char *tail = sql;
	hearth_cell *cells = NULL;
	int rc = 0, first_row = 1, step, ncol, i;

	if ((rc = hearth_cells_begin(out, format)) < 0)
		return rc;
	while (rc == 0 && tail && *tail) {
		if (sqlite3_prepare_v2(h, tail, -1, &st, &tail) != SQLITE_OK) {
			rc = hearth_error_sqlite(h, HEARTH_EUSAGE, _("query failed"));
			break;
		}
		if (!st)
			continue; /* whitespace or a comment */
		if (!sqlite3_stmt_readonly(st)) {
			rc = hearth_error_set(HEARTH_EUSAGE,
				_("query is read-only: use 'hearth exec' to change data"));
			break;
		}
		ncol = sqlite3_column_count(st);
		free(cells);
		if (!(cells = calloc((size_t)ncol + 1, sizeof(*cells)))) {
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
			break;
		}
		for (i = 0; i < ncol; i++)
			cells[i].name = sqlite3_column_name(st, i);
		rc = hearth_cells_header(out, cells, ncol, format);
		hearth_sql_limit_begin(db);
		while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
			cells_of(cells, st, ncol);
			rc = hearth_cells_row(out, cells, ncol, format, &first_row);
		}
		if (rc == 0 && step != SQLITE_DONE && (rc = hearth_sql_limit_error(db)) == 0)
			rc = hearth_error_sqlite(h, HEARTH_EUSAGE, _("query failed"));
		hearth_sql_limit_end(db);
		sqlite3_finalize(st);
		st = NULL;
	}
	sqlite3_finalize(st);
	free(cells);
	if (rc == 0)
		rc = hearth_cells_end(out, format, first_row);
	return rc;
}
