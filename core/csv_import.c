/*
 * Import of a sheet (CSV as Excel writes it, decoded by csv.c) into a synced table as one
 * recorded write: headers by column name or label, generated ids, defaults, every bad cell
 * listed, --update, and the checks alone (HEARTH_IMPORT_CHECK).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_int.h"
#include "i18n.h"

enum { AFF_TEXT, AFF_INTEGER, AFF_REAL, AFF_OTHER };

struct import {
	hearth_db *db;
	const hearth_table_decl *t;
	const char *data;
	size_t len;
	unsigned flags;
	hearth_buf *report;      /* every refused cell, one line each (may be NULL) */
	hearth_buf first;        /* the first refusal, for the error message */
	unsigned char *affinity; /* per table column */
	unsigned char *notnull;  /* per table column */
	char **dflt;             /* per table column: its DEFAULT expression, or NULL */
	int have_header;
	int map[CSV_MAX_COLS];   /* header column -> table column */
	int ncol;
	int owner_at, id_at;     /* header columns of owner and id, or -1 */
	int rows, added, updated, bad;
	int write;               /* 0: the checking pass, 1: inside the recorded write */
	hearth_buf vals;         /* the current row's normalized values, each NUL-terminated */
	size_t voff[CSV_MAX_COLS];
	unsigned char vempty[CSV_MAX_COLS]; /* the cell is empty: the column's default */
	hearth_buf sql;
};

/* SQLite's rules for a declared type's affinity (datatype3.html, 3.1). */
static int affinity_of(const char *type)
{
	if (strstr(type, "INT"))
		return AFF_INTEGER;
	if (strstr(type, "CHAR") || strstr(type, "CLOB") || strstr(type, "TEXT"))
		return AFF_TEXT;
	if (strstr(type, "REAL") || strstr(type, "FLOA") || strstr(type, "DOUB"))
		return AFF_REAL;
	return AFF_OTHER;
}

static int import_load_types(struct import *im)
{
	sqlite3 *db = hearth_db_sqlite(im->db);
	sqlite3_stmt *stmt = NULL;
	const char *name, *type, *dflt;
	int rc = 0, c, s;

	im->affinity = calloc((size_t)im->t->ncol, 1);
	im->notnull = calloc((size_t)im->t->ncol, 1);
	im->dflt = calloc((size_t)im->t->ncol, sizeof(char *));
	if (!im->affinity || !im->notnull || !im->dflt)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	if (sqlite3_prepare_v2(db,
		    "SELECT name, upper(type), \"notnull\", dflt_value FROM pragma_table_info(?1)",
		    -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(stmt, 1, im->t->name, -1, SQLITE_STATIC) != SQLITE_OK) {
		rc = hearth_error_sqlite(db, HEARTH_ERROR, "cannot read column types");
		goto done;
	}
	while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(stmt, 0);
		type = (const char *)sqlite3_column_text(stmt, 1);
		dflt = (const char *)sqlite3_column_text(stmt, 3);
		c = name ? hearth_table_column(im->t, name) : -1;
		if (c < 0)
			continue;
		im->affinity[c] = (unsigned char)affinity_of(type ? type : "");
		im->notnull[c] = sqlite3_column_int(stmt, 2) != 0;
		if (dflt && !(im->dflt[c] = strdup(dflt))) {
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
			goto done;
		}
	}
	if (s != SQLITE_DONE)
		rc = hearth_error_sqlite(db, HEARTH_ERROR, "cannot read column types");
done:
	sqlite3_finalize(stmt);
	return rc;
}

/* `s` without the spaces around it (in place: the fields are the parser's copies). */
static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* The column a header names: its name, its Chinese label, or its English label in any case. */
static int header_column(const hearth_table_decl *t, const char *h)
{
	int c;

	if ((c = hearth_table_column(t, h)) >= 0)
		return c;
	for (c = 0; c < t->ncol; c++)
		if ((t->cols[c].label_zh && strcmp(t->cols[c].label_zh, h) == 0) ||
		    (t->cols[c].label_en && strcasecmp(t->cols[c].label_en, h) == 0))
			return c;
	return -1;
}

static int import_unknown_header(struct import *im, struct csv *cs, int i)
{
	hearth_buf list = HEARTH_BUF_INIT;
	int c, rc = 0;

	for (c = 0; c < im->t->ncol && rc >= 0; c++)
		rc = hearth_buf_printf(&list, "%s%s (%s)", c ? ", " : "",
			hearth_column_label(im->t, c), im->t->cols[c].name);
	if (rc >= 0)
		rc = csv_error(cs, HEARTH_EUSAGE, cs->rec_line, i,
			_("no such column in %s; the columns are: %s"), im->t->name, list.ptr);
	hearth_buf_dispose(&list);
	return rc;
}

/* Columns that must have a value and have no default must be in the sheet: said once, at the
 * header, rather than as a database error on the first row. */
static int import_missing_columns(struct import *im, struct csv *cs)
{
	const hearth_table_decl *t = im->t;
	hearth_buf list = HEARTH_BUF_INIT;
	int c, i, rc = 0;

	for (c = 0; c < t->ncol && rc >= 0; c++) {
		if (c == t->owner_col || c == t->id_col || !im->notnull[c] || im->dflt[c])
			continue;
		for (i = 0; i < im->ncol && im->map[i] != c; i++)
			;
		if (i == im->ncol)
			/* TRANSLATORS: a column's label in a list of them, after the others if any */
			rc = hearth_buf_printf(&list, list.size ? _(", \"%s\"") : _("\"%s\""),
				hearth_column_label(t, c));
	}
	if (rc >= 0 && list.size)
		rc = csv_error(cs, HEARTH_EUSAGE, cs->rec_line, -1,
			_("required columns missing from the sheet: %s (add them, with a value on "
			  "every row)"),
			list.ptr);
	hearth_buf_dispose(&list);
	return rc;
}

static int import_header(struct import *im, struct csv *cs)
{
	const hearth_table_decl *t = im->t;
	int i, j, c;

	im->owner_at = im->id_at = -1;
	for (i = 0; i < cs->nfields; i++) {
		c = header_column(t, trim(cs->fields[i]));
		if (c < 0)
			return import_unknown_header(im, cs, i);
		for (j = 0; j < i; j++)
			if (im->map[j] == c)
				return csv_error(cs, HEARTH_EUSAGE, cs->rec_line, i,
					_("column named twice (also column %d)"), j + 1);
		im->map[i] = c;
		if (c == t->owner_col)
			im->owner_at = i;
		if (c == t->id_col)
			im->id_at = i;
	}
	im->ncol = cs->nfields;
	im->have_header = 1;
	return import_missing_columns(im, cs);
}

/* One refused cell: a line for the report, the first kept for the error message. */
static int import_refuse(struct import *im, int line, int col, const char *value, const char *why)
{
	char where[64], shown[128];
	size_t n = 0, k;
	int rc;

	/* the value as one short line */
	while (*value && n + 8 < sizeof(shown)) {
		k = csv_utf8_seq((const unsigned char *)value, 4);
		if (!k)
			k = 1;
		if ((unsigned char)*value < 0x20)
			shown[n] = ' ';
		else
			memcpy(shown + n, value, k);
		n += (unsigned char)*value < 0x20 ? 1 : k;
		value += k;
	}
	if (*value) {
		memcpy(shown + n, "...", 3);
		n += 3;
	}
	shown[n] = '\0';
	snprintf(where, sizeof(where), _("line %d"), line);
	im->bad++;
	if (!im->first.size &&
	    (rc = hearth_refusal_format(&im->first, where, im->t, col, shown, why)) < 0)
		return rc;
	if (!im->report)
		return 0;
	if ((rc = hearth_refusal_format(im->report, where, im->t, col, shown, why)) < 0)
		return rc;
	return hearth_buf_putc(im->report, '\n');
}

/* A cell with nothing in it takes the column's default; "" stays empty text in a text column. */
static int cell_empty(const struct import *im, const struct csv *cs, int i, const char *v)
{
	int c = im->map[i];
	hearth_input_kind kind = im->t->cols[c].kind;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v)
		return 0;
	if (cs->quoted[i] && (kind == HEARTH_KIND_TEXT || kind == HEARTH_KIND_MARKDOWN) &&
	    c != im->t->owner_col && c != im->t->id_col)
		return 0;
	return 1;
}

static int import_cell(struct import *im, struct csv *cs, int i)
{
	hearth_buf why = HEARTH_BUF_INIT;
	int c = im->map[i], rc;

	im->voff[i] = im->vals.size;
	im->vempty[i] = (unsigned char)cell_empty(im, cs, i, cs->fields[i]);
	if (im->vempty[i]) {
		if (c == im->t->owner_col || c == im->t->id_col || !im->notnull[c] || im->dflt[c])
			return hearth_buf_putc(&im->vals, '\0');
		rc = import_refuse(im, cs->rec_line, c, "", _("a value is required"));
		goto done;
	}
	rc = hearth_value_normalize(im->db, im->t, c, cs->fields[i], &im->vals, &why);
	if (rc == 1)
		rc = import_refuse(im, cs->rec_line, c, cs->fields[i], why.ptr);
	if (rc >= 0)
		rc = hearth_buf_putc(&im->vals, '\0');
done:
	hearth_buf_dispose(&why);
	return rc;
}

static const char *cell_value(const struct import *im, int i)
{
	return im->vals.ptr + im->voff[i];
}

/* 1 if the row (owner, id) is there, 0 if not, or an error. */
static int row_exists(struct import *im, const char *owner, const char *id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	hearth_buf_clear(&im->sql);
	if ((rc = hearth_buf_printf(&im->sql,
		     "SELECT 1 FROM \"%s\" WHERE owner = ?1 AND id = ?2", im->t->name)) < 0 ||
	    (rc = hearth_db_stmt(im->db, &st, im->sql.ptr)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	hearth_stmt_done(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return hearth_error_sqlite(hearth_db_sqlite(im->db), HEARTH_ERROR, "cannot read a row");
}

/* A whole number: [+-]?[0-9]+ that fits 64 bits. */
static int parse_integer(const char *s, sqlite3_int64 *out)
{
	int neg = *s == '-';
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;

	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (limit - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = neg ? (sqlite3_int64)(0 - v) : (sqlite3_int64)v;
	return 0;
}

/* Bind cell i as parameter i + 1: whole numbers as integers, the rest as text (REAL affinity
 * turns the checked text into a number, without the locale). */
static int import_bind(struct import *im, sqlite3_stmt *st, int i)
{
	const char *v = cell_value(im, i);
	sqlite3_int64 n = 0;

	if (im->affinity[im->map[i]] == AFF_INTEGER && parse_integer(v, &n) == 0)
		return sqlite3_bind_int64(st, i + 1, n);
	return sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT);
}

/* The header column SQLite's message is about: the first word of the message that names one
 * ("NOT NULL constraint failed: child.name", "CHECK constraint failed: capacity >= 0"). */
static int constraint_column(const struct import *im, const char *msg)
{
	const char *s = msg, *w;
	size_t n;
	int i;

	while (*s) {
		for (w = s; *s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			    (*s >= '0' && *s <= '9');
			s++)
			;
		n = (size_t)(s - w);
		for (i = 0; n && i < im->ncol; i++) {
			const char *name = im->t->cols[im->map[i]].name;

			if (strlen(name) == n && memcmp(name, w, n) == 0)
				return i;
		}
		if (!n)
			s++;
	}
	return -1;
}

/* INSERT of the row's cells that hold something; owner and id, when the sheet has none, are the
 * node and a new time-ordered id (hearth_id(), as exec's SQL would write). */
static int insert_sql(struct import *im)
{
	hearth_buf *sql = &im->sql;
	const hearth_table_decl *t = im->t;
	int i, rc, n = 0;

	hearth_buf_clear(sql);
	rc = hearth_buf_printf(sql, "INSERT INTO \"%s\" (", t->name);
	for (i = 0; i < im->ncol && rc >= 0; i++)
		if (!im->vempty[i])
			rc = hearth_buf_printf(sql, "%s\"%s\"", n++ ? ", " : "", t->cols[im->map[i]].name);
	if (rc >= 0 && (im->owner_at < 0 || im->vempty[im->owner_at]))
		rc = hearth_buf_printf(sql, "%s\"owner\"", n++ ? ", " : "");
	if (rc >= 0 && (im->id_at < 0 || im->vempty[im->id_at]))
		rc = hearth_buf_printf(sql, "%s\"id\"", n++ ? ", " : "");
	if (rc >= 0)
		rc = hearth_buf_puts(sql, ") VALUES (");
	n = 0;
	for (i = 0; i < im->ncol && rc >= 0; i++)
		if (!im->vempty[i])
			rc = hearth_buf_printf(sql, "%s?%d", n++ ? ", " : "", i + 1);
	if (rc >= 0 && (im->owner_at < 0 || im->vempty[im->owner_at]))
		rc = hearth_buf_printf(sql, "%shearth_node()", n++ ? ", " : "");
	if (rc >= 0 && (im->id_at < 0 || im->vempty[im->id_at]))
		rc = hearth_buf_printf(sql, "%shearth_id()", n++ ? ", " : "");
	return rc >= 0 ? hearth_buf_puts(sql, ")") : rc;
}

/* UPDATE of the sheet's columns, only if one of them differs (so an unchanged row records
 * nothing); an empty cell puts the column's default back. Key: ?ncol+1, ?ncol+2. 0 if the sheet
 * has no column to set. */
static int update_sql(struct import *im, int *any)
{
	hearth_buf *sql = &im->sql;
	const hearth_table_decl *t = im->t;
	int i, c, rc, pass, n;
	char val[32];

	*any = 0;
	hearth_buf_clear(sql);
	rc = hearth_buf_printf(sql, "UPDATE \"%s\" SET ", t->name);
	for (pass = 0; pass < 2 && rc >= 0; pass++) {
		if (pass)
			rc = hearth_buf_printf(sql, " WHERE owner = ?%d AND id = ?%d AND (",
				im->ncol + 1, im->ncol + 2);
		for (i = 0, n = 0; i < im->ncol && rc >= 0; i++) {
			c = im->map[i];
			if (c == t->owner_col || c == t->id_col)
				continue;
			snprintf(val, sizeof(val), "?%d", i + 1);
			rc = hearth_buf_printf(sql, pass ? "%s\"%s\" IS NOT (%s)" : "%s\"%s\" = (%s)",
				n++ ? (pass ? " OR " : ", ") : "", t->cols[c].name,
				!im->vempty[i] ? val : im->dflt[c] ? im->dflt[c] : "NULL");
		}
		*any = n > 0;
	}
	return rc >= 0 ? hearth_buf_puts(sql, ")") : rc;
}

static int import_step(struct import *im, struct csv *cs, int exists, const char *owner,
	const char *id)
{
	sqlite3 *db = hearth_db_sqlite(im->db);
	sqlite3_stmt *st = NULL;
	int i, rc, s, code, any = 1;

	rc = exists ? update_sql(im, &any) : insert_sql(im);
	if (rc < 0 || !any || (rc = hearth_db_stmt(im->db, &st, im->sql.ptr)) < 0)
		return rc;
	for (i = 0; i < im->ncol; i++)
		if (!im->vempty[i] && import_bind(im, st, i) != SQLITE_OK)
			goto fail;
	if (exists && (sqlite3_bind_text(st, im->ncol + 1, owner, -1, SQLITE_TRANSIENT) ||
			      sqlite3_bind_text(st, im->ncol + 2, id, -1, SQLITE_TRANSIENT)))
		goto fail;
	s = sqlite3_step(st);
	if (s == SQLITE_DONE) {
		if (!exists)
			im->added++;
		else if (sqlite3_changes(db) > 0)
			im->updated++;
		hearth_stmt_done(st);
		return 0;
	}
	code = HEARTH_ERROR;
	if ((s & 0xff) == SQLITE_CONSTRAINT) {
		s = sqlite3_extended_errcode(db);
		/* the data refused (exit 1), not the command misused (exit 2) */
		code = s == SQLITE_CONSTRAINT_PRIMARYKEY || s == SQLITE_CONSTRAINT_UNIQUE ?
			HEARTH_ECONFLICT : HEARTH_ERROR;
	}
	rc = csv_error(cs, code, cs->rec_line, constraint_column(im, sqlite3_errmsg(db)), "%s",
		sqlite3_errmsg(db));
	hearth_stmt_done(st);
	return rc;
fail:
	rc = csv_error(cs, HEARTH_ERROR, cs->rec_line, -1, "cannot bind: %s", sqlite3_errmsg(db));
	hearth_stmt_done(st);
	return rc;
}

/* A note (first cell starting with '#', as the template's) or a row of empty cells (Excel
 * leaves them where a cell was once formatted). */
static int row_skipped(const struct csv *cs)
{
	int i;

	if (csv_note(cs))
		return 1;
	for (i = 0; i < cs->nfields; i++)
		if (cs->lens[i] && strspn(cs->fields[i], " \t") != cs->lens[i])
			return 0;
	return 1;
}

static int import_row(struct import *im, struct csv *cs)
{
	const char *owner, *id = NULL;
	int i, rc, bad = im->bad, exists = 0;

	if (row_skipped(cs))
		return 0;
	hearth_buf_clear(&im->vals);
	for (i = 0; i < cs->nfields; i++)
		if ((rc = import_cell(im, cs, i)) < 0)
			return rc;
	im->rows++;
	if (im->bad > bad)
		return 0; /* the next rows are checked all the same: every bad cell is listed */
	owner = im->owner_at >= 0 && !im->vempty[im->owner_at] ? cell_value(im, im->owner_at) :
								   hearth_db_node(im->db);
	if (im->id_at >= 0 && !im->vempty[im->id_at])
		id = cell_value(im, im->id_at);
	if (id && (exists = row_exists(im, owner, id)) < 0)
		return exists;
	if (exists && !(im->flags & HEARTH_IMPORT_UPDATE))
		return import_refuse(im, cs->rec_line, im->t->id_col, id,
			_("already there (import with --update to change it)"));
	return im->write ? import_step(im, cs, exists, owner, id) : 0;
}

static int import_record(struct csv *cs, void *payload)
{
	struct import *im = payload;

	return im->have_header ? import_row(im, cs) : import_header(im, cs);
}

/* One pass over the file: checks only, or (inside the write) the inserts and updates. */
static int import_pass(struct import *im)
{
	int rc;

	im->have_header = 0;
	im->rows = im->added = im->updated = im->bad = 0;
	hearth_buf_clear(&im->first);
	if (im->report)
		hearth_buf_clear(im->report);
	rc = csv_run(im->data, im->len, 1, import_record, im);
	if (!rc && !im->have_header)
		rc = hearth_error_set(HEARTH_EUSAGE,
			_("CSV for '%s' is empty (the first line must name the columns)"),
			im->t->name);
	if (!rc && im->bad) {
		if (im->report)
			rc = hearth_error_set(HEARTH_ECONFLICT, "%s", _("nothing imported"));
		else if (im->bad == 1)
			/* TRANSLATORS: the refused cell, then "nothing imported" */
			rc = hearth_error_set(HEARTH_ECONFLICT, _("%s; nothing imported"),
				im->first.ptr);
		else
			rc = hearth_error_set(HEARTH_ECONFLICT,
				_("%s (and %d more); nothing imported"), im->first.ptr, im->bad - 1);
	}
	return rc;
}

static int import_write(hearth_db *db, void *payload)
{
	struct import *im = payload;

	(void)db;
	im->write = 1;
	return import_pass(im);
}

int hearth_import_sheet(hearth_db *db, const char *table, const char *data, size_t len,
	unsigned flags, hearth_buf *report, hearth_import_info *out)
{
	struct import *im = NULL;
	const hearth_schema *s;
	hearth_buf text = HEARTH_BUF_INIT;
	char summary[160];
	const char *enc = NULL;
	int rc = 0, c;

	if (out)
		memset(out, 0, sizeof(*out));
	if (report)
		hearth_buf_clear(report);
	if (!db || !table)
		return hearth_error_set(HEARTH_EUSAGE,
			"hearth_import_sheet needs a database and a table");
	s = hearth_db_schema(db);
	if (!s)
		return hearth_error_code() ? hearth_error_code() : HEARTH_ERROR;
	im = calloc(1, sizeof(*im));
	if (!im)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	hearth_buf_init(&im->first, 0);
	hearth_buf_init(&im->vals, 0);
	hearth_buf_init(&im->sql, 0);
	im->db = db;
	im->flags = flags;
	im->report = report;
	im->t = hearth_schema_table(s, table);
	if (!im->t) {
		rc = hearth_error_set(HEARTH_EUSAGE,
			_("cannot import into '%.60s': not a synced table"), table);
		goto done;
	}
	if ((rc = hearth_csv_decode(&text, data, len, &enc)) < 0)
		goto done;
	im->data = text.ptr;
	im->len = text.size;
	/* check the whole file before taking the write lock, so a bad file costs no transaction
	 * and constraint failures are the only errors left for the write */
	if ((rc = import_load_types(im)) || (rc = import_pass(im)))
		goto done;
	if (flags & HEARTH_IMPORT_CHECK) {
		if (out) {
			out->rows = im->rows;
			out->encoding = enc;
		}
		goto done;
	}
	if (flags & HEARTH_IMPORT_UPDATE)
		snprintf(summary, sizeof(summary), "import into %s (update)", im->t->name);
	else
		snprintf(summary, sizeof(summary), "import %d rows into %s", im->rows, im->t->name);
	rc = hearth_write_run(db, import_write, im, summary, out ? &out->write : NULL);
	if (rc >= 0 && out) {
		out->rows = im->rows;
		out->added = im->added;
		out->updated = im->updated;
		out->encoding = enc;
	}
done:
	if (im) {
		for (c = 0; im->dflt && c < im->t->ncol; c++)
			free(im->dflt[c]);
		free(im->dflt);
		free(im->affinity);
		free(im->notnull);
		hearth_buf_dispose(&im->first);
		hearth_buf_dispose(&im->vals);
		hearth_buf_dispose(&im->sql);
	}
	free(im);
	hearth_buf_dispose(&text);
	return rc;
}

int hearth_import_csv(hearth_db *db, const char *table, const char *data, size_t len,
	hearth_write_info *out)
{
	hearth_import_info info;
	int rc = hearth_import_sheet(db, table, data, len, 0, NULL, &info);

	if (out)
		*out = info.write;
	return rc;
}
