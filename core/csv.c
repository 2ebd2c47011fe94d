/*
 * CSV (RFC 4180) parsing, and import of a CSV file into a synced table as one recorded write.
 *
 * The files come from phones, old PCs and spreadsheets, so the parser refuses rather than
 * guesses, and says where: a quote inside an unquoted field, text after a closing quote, a quote
 * never closed, a NUL byte (usually a UTF-16 file), invalid UTF-8 (usually GBK), a CR without
 * LF, a record whose field count differs from the header's, more than CSV_MAX_COLS columns or
 * CSV_MAX_INPUT bytes. Lines end in LF or CRLF; a UTF-8 BOM at the start is skipped; blank lines
 * are skipped (editors and spreadsheets leave them at the end). The first record is the header:
 * its names label the columns in messages ("line 7, column 3 ('capacity'): ...").
 */
#include "hearth_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_INPUT ((size_t)64 << 20)
#define CSV_MAX_COLS 1024
#define CSV_LABEL_MAX 40 /* bytes of a header name quoted in a message */

struct csv {
	const unsigned char *p, *end;
	int line;          /* physical line of p, 1-based */
	int rec_line;      /* line where the current record starts */
	int nfields;
	hearth_buf bytes;  /* the current record's fields, each NUL-terminated */
	size_t off[CSV_MAX_COLS];
	size_t lens[CSV_MAX_COLS];
	char *fields[CSV_MAX_COLS];
	unsigned char quoted[CSV_MAX_COLS]; /* import tells "" (empty text) from nothing (NULL) */
	int nheader;       /* fields of the first record, 0 until it is read */
	hearth_buf header; /* its fields, each NUL-terminated */
	size_t header_off[CSV_MAX_COLS];
};

typedef int (*csv_fn)(struct csv *cs, void *payload);

/* ---- messages ----------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (n bytes available), or 0: refuses overlong forms,
 * surrogates and code points above U+10FFFF, as SQLite and browsers would mangle them. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0) {
		len = 2;
	} else if (c < 0xf0) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c < 0xf5) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* The header name of column `col` made fit for a one-line message: control characters become
 * '?', long names are cut (on a character boundary) and end in "...". */
static void csv_label(const struct csv *cs, int col, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)cs->header.ptr + cs->header_off[col];
	size_t n = 0, len;

	while (*s) {
		/* 4: the names were checked, and a NUL stops utf8_seq at the end */
		len = utf8_seq(s, 4);
		if (n + len > CSV_LABEL_MAX || n + len + 4 > size) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (*s < 0x20 || *s == 0x7f)
			out[n] = '?';
		else
			memcpy(out + n, s, len);
		n += len;
		s += len;
	}
	out[n] = '\0';
}

/* Set the error "line L, column C ('name'): what" (col < 0: no column) and return `code`. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int csv_error(const struct csv *cs, int code, int line, int col, const char *fmt, ...)
{
	char where[128], label[CSV_LABEL_MAX + 8], what[512];
	va_list ap;

	if (col < 0)
		snprintf(where, sizeof(where), "line %d", line);
	else if (col >= cs->nheader)
		snprintf(where, sizeof(where), "line %d, column %d", line, col + 1);
	else {
		csv_label(cs, col, label, sizeof(label));
		snprintf(where, sizeof(where), "line %d, column %d ('%s')", line, col + 1, label);
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return hearth_error_set(code, "%s: %s", where, what);
}

/* ---- the parser --------------------------------------------------------------------------- */

/* Take field bytes up to the next byte that means something to CSV (a quote; outside quotes
 * also comma, CR and LF), validating each character. */
static int csv_take_run(struct csv *cs, int in_quotes)
{
	const unsigned char *start = cs->p;
	size_t n;

	while (cs->p < cs->end) {
		unsigned char c = *cs->p;

		if (c == '"')
			break;
		if (!in_quotes && (c == ',' || c == '\n' || c == '\r'))
			break;
		if (c == '\0')
			return csv_error(cs, HEARTH_ECORRUPT, cs->line, cs->nfields,
				"NUL byte (is the file UTF-16? save it as UTF-8)");
		n = utf8_seq(cs->p, (size_t)(cs->end - cs->p));
		if (!n)
			return csv_error(cs, HEARTH_ECORRUPT, cs->line, cs->nfields,
				"invalid UTF-8 (save the file as UTF-8)");
		if (c == '\n')
			cs->line++;
		cs->p += n;
	}
	if (cs->p == start)
		return 0;
	return hearth_buf_put(&cs->bytes, start, (size_t)(cs->p - start));
}

static int csv_unquoted(struct csv *cs)
{
	int rc = csv_take_run(cs, 0);

	if (rc)
		return rc;
	if (cs->p < cs->end && *cs->p == '"')
		return csv_error(cs, HEARTH_ECORRUPT, cs->line, cs->nfields,
			"quote inside an unquoted field "
			"(quote the whole field and double the quote)");
	return 0;
}

static int csv_quoted(struct csv *cs)
{
	int line = cs->line, rc;

	cs->p++;
	for (;;) {
		if ((rc = csv_take_run(cs, 1)))
			return rc;
		if (cs->p == cs->end)
			return csv_error(cs, HEARTH_ECORRUPT, line, cs->nfields,
				"quoted field never closed");
		if (cs->p + 1 < cs->end && cs->p[1] == '"') {
			if ((rc = hearth_buf_putc(&cs->bytes, '"')))
				return rc;
			cs->p += 2;
			continue;
		}
		cs->p++;
		break;
	}
	if (cs->p < cs->end && *cs->p != ',' && *cs->p != '\n' && *cs->p != '\r')
		return csv_error(cs, HEARTH_ECORRUPT, cs->line, cs->nfields,
			"text after the closing quote (double a quote inside a field)");
	return 0;
}

static int csv_field(struct csv *cs)
{
	int col = cs->nfields, rc;

	if (col == CSV_MAX_COLS)
		return csv_error(cs, HEARTH_ECORRUPT, cs->line, col, "more than %d columns",
			CSV_MAX_COLS);
	cs->off[col] = cs->bytes.size;
	cs->quoted[col] = cs->p < cs->end && *cs->p == '"';
	rc = cs->quoted[col] ? csv_quoted(cs) : csv_unquoted(cs);
	if (rc)
		return rc;
	cs->lens[col] = cs->bytes.size - cs->off[col];
	if ((rc = hearth_buf_putc(&cs->bytes, '\0')))
		return rc;
	cs->nfields++;
	return 0;
}

/* Read one record, up to and including its line end. */
static int csv_record(struct csv *cs)
{
	int rc, i;

	cs->nfields = 0;
	cs->rec_line = cs->line;
	hearth_buf_clear(&cs->bytes);
	for (;;) {
		if ((rc = csv_field(cs)))
			return rc;
		if (cs->p == cs->end)
			break;
		if (*cs->p == ',') {
			cs->p++;
			continue;
		}
		if (*cs->p == '\r') {
			if (cs->p + 1 == cs->end || cs->p[1] != '\n')
				return csv_error(cs, HEARTH_ECORRUPT, cs->line, cs->nfields - 1,
					"carriage return without line feed "
					"(lines must end in LF or CRLF)");
			cs->p++;
		}
		cs->p++;
		cs->line++;
		break;
	}
	/* only now: the buffer may have moved while it grew */
	for (i = 0; i < cs->nfields; i++)
		cs->fields[i] = cs->bytes.ptr + cs->off[i];
	return 0;
}

/* The first record is the header; every other must have as many fields. */
static int csv_check_shape(struct csv *cs)
{
	if (!cs->nheader) {
		memcpy(cs->header_off, cs->off, sizeof(size_t) * (size_t)cs->nfields);
		hearth_buf_clear(&cs->header);
		cs->nheader = cs->nfields;
		return hearth_buf_put(&cs->header, cs->bytes.ptr, cs->bytes.size);
	}
	if (cs->nfields > cs->nheader)
		return csv_error(cs, HEARTH_ECORRUPT, cs->rec_line, cs->nheader,
			"record has %d fields, the header %d (quote fields that hold commas)",
			cs->nfields, cs->nheader);
	if (cs->nfields < cs->nheader)
		return csv_error(cs, HEARTH_ECORRUPT, cs->rec_line, cs->nfields,
			"record has %d fields, the header %d", cs->nfields, cs->nheader);
	return 0;
}

static int csv_run(const char *data, size_t len, csv_fn fn, void *payload)
{
	struct csv *cs = NULL;
	int rc = 0;

	if (!data && len)
		return hearth_error_set(HEARTH_EUSAGE, "CSV data is NULL");
	if (len > CSV_MAX_INPUT)
		return hearth_error_set(HEARTH_ECORRUPT,
			"CSV input of %zu bytes is over the limit of %zu MiB (split the file)", len,
			CSV_MAX_INPUT >> 20);
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return hearth_error_set(HEARTH_ERROR, "out of memory");
	/* a record never holds more than the input and a NUL per field */
	hearth_buf_init(&cs->bytes, len + CSV_MAX_COLS + 1);
	hearth_buf_init(&cs->header, len + CSV_MAX_COLS + 1);
	cs->p = (const unsigned char *)data;
	cs->end = cs->p + len;
	cs->line = 1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		cs->p += 3;
	while (cs->p < cs->end) {
		if (*cs->p == '\n' || (*cs->p == '\r' && cs->p + 1 < cs->end && cs->p[1] == '\n')) {
			cs->p += *cs->p == '\r' ? 2 : 1;
			cs->line++;
			continue;
		}
		if ((rc = csv_record(cs)) || (rc = csv_check_shape(cs)) || (rc = fn(cs, payload)))
			goto done;
	}
done:
	hearth_buf_dispose(&cs->bytes);
	hearth_buf_dispose(&cs->header);
	free(cs);
	return rc;
}

struct csv_public {
	hearth_csv_record_fn fn;
	void *payload;
};

static int csv_public_record(struct csv *cs, void *payload)
{
	struct csv_public *pub = payload;

	return pub->fn(cs->rec_line, cs->nfields, cs->fields, cs->lens, pub->payload);
}

int hearth_csv_parse(const char *data, size_t len, hearth_csv_record_fn fn, void *payload)
{
	struct csv_public pub = { fn, payload };

	if (!fn)
		return hearth_error_set(HEARTH_EUSAGE, "hearth_csv_parse needs a record callback");
	return csv_run(data, len, csv_public_record, &pub);
}

/* ---- import ------------------------------------------------------------------------------- */

enum { AFF_TEXT, AFF_INTEGER, AFF_REAL, AFF_OTHER };

struct import {
	hearth_db *db;
	const hearth_table_decl *t;
	const char *data;
	size_t len;
	unsigned char *affinity; /* per table column */
	int have_header;
	int map[CSV_MAX_COLS];   /* header column -> table column */
	int ncol;
	int rows;
	int write;               /* 0: the checking pass, 1: inside the recorded write */
	sqlite3_stmt *stmt;
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
	const char *name, *type;
	int rc = 0, c, s;

	im->affinity = calloc((size_t)im->t->ncol, 1);
	if (!im->affinity)
		return hearth_error_set(HEARTH_ERROR, "out of memory");
	if (sqlite3_prepare_v2(db, "SELECT name, upper(type) FROM pragma_table_info(?1)", -1,
		    &stmt, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(stmt, 1, im->t->name, -1, SQLITE_STATIC) != SQLITE_OK) {
		rc = hearth_error_sqlite(db, HEARTH_ERROR, "cannot read column types");
		goto done;
	}
	while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(stmt, 0);
		type = (const char *)sqlite3_column_text(stmt, 1);
		c = name ? hearth_table_column(im->t, name) : -1;
		if (c >= 0)
			im->affinity[c] = (unsigned char)affinity_of(type ? type : "");
	}
	if (s != SQLITE_DONE)
		rc = hearth_error_sqlite(db, HEARTH_ERROR, "cannot read column types");
done:
	sqlite3_finalize(stmt);
	return rc;
}

static int import_prepare(struct import *im, struct csv *cs)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3 *db = hearth_db_sqlite(im->db);
	int rc = 0, i;

	/* names come from the schema, not the file; quoted all the same */
	rc = hearth_buf_printf(&sql, "INSERT INTO \"%s\"(", im->t->name);
	for (i = 0; i < im->ncol && !rc; i++)
		rc = hearth_buf_printf(&sql, "%s\"%s\"", i ? ", " : "",
			im->t->cols[im->map[i]].name);
	if (!rc)
		rc = hearth_buf_puts(&sql, ") VALUES (");
	for (i = 0; i < im->ncol && !rc; i++)
		rc = hearth_buf_printf(&sql, "%s?%d", i ? ", " : "", i + 1);
	if (!rc)
		rc = hearth_buf_puts(&sql, ")");
	if (rc)
		goto done;
	if (sqlite3_prepare_v2(db, sql.ptr, (int)sql.size, &im->stmt, NULL) != SQLITE_OK)
		rc = csv_error(cs, HEARTH_ERROR, cs->rec_line, -1, "cannot prepare the insert: %s",
			sqlite3_errmsg(db));
done:
	hearth_buf_dispose(&sql);
	return rc;
}

static int import_header(struct import *im, struct csv *cs)
{
	const hearth_table_decl *t = im->t;
	int i, j, c;

	for (i = 0; i < cs->nfields; i++) {
		c = hearth_table_column(t, cs->fields[i]);
		if (c < 0)
			return csv_error(cs, HEARTH_EUSAGE, cs->rec_line, i,
				"table '%s' has no such column", t->name);
		for (j = 0; j < i; j++)
			if (im->map[j] == c)
				return csv_error(cs, HEARTH_EUSAGE, cs->rec_line, i,
					"column named twice (also column %d)", j + 1);
		im->map[i] = c;
	}
	im->ncol = cs->nfields;
	for (i = 0; i < 2; i++) {
		c = i ? t->id_col : t->owner_col;
		for (j = 0; j < im->ncol && im->map[j] != c; j++)
			;
		if (j == im->ncol)
			return csv_error(cs, HEARTH_EUSAGE, cs->rec_line, -1,
				"the header has no '%s' column (every row needs owner and id)",
				t->cols[c].name);
	}
	im->have_header = 1;
	return im->write ? import_prepare(im, cs) : 0;
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

/* A decimal number SQLite's REAL affinity converts: [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?; checked
 * by hand because strtod follows the locale's decimal point. */
static int is_decimal(const char *s)
{
	int digits = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
	if (!digits)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* Bind field i: nothing (an empty unquoted field) is NULL, "" is empty text; numbers for
 * INTEGER and REAL columns must be numbers, so 'abc' never slips past a CHECK (x >= 0). */
static int import_bind(struct import *im, struct csv *cs, int i)
{
	const char *v = cs->fields[i];
	sqlite3_int64 n = 0;
	int aff = im->affinity[im->map[i]], rc = SQLITE_OK;

	if (!cs->quoted[i] && !cs->lens[i]) {
		if (im->stmt)
			rc = sqlite3_bind_null(im->stmt, i + 1);
	} else if (aff == AFF_INTEGER) {
		if (parse_integer(v, &n))
			return csv_error(cs, HEARTH_EUSAGE, cs->rec_line, i, "not a whole number");
		if (im->stmt)
			rc = sqlite3_bind_int64(im->stmt, i + 1, n);
	} else {
		if (aff == AFF_REAL && !is_decimal(v))
			return csv_error(cs, HEARTH_EUSAGE, cs->rec_line, i, "not a number");
		/* REAL affinity turns the checked text into a number, without the locale */
		if (im->stmt)
			rc = sqlite3_bind_text(im->stmt, i + 1, v, (int)cs->lens[i], SQLITE_STATIC);
	}
	if (rc != SQLITE_OK)
		return csv_error(cs, HEARTH_ERROR, cs->rec_line, i, "cannot bind: %s",
			sqlite3_errmsg(hearth_db_sqlite(im->db)));
	return 0;
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

static int import_row(struct import *im, struct csv *cs)
{
	sqlite3 *db = hearth_db_sqlite(im->db);
	int i, rc = 0, s, code;

	for (i = 0; i < cs->nfields; i++)
		if ((rc = import_bind(im, cs, i)))
			goto done;
	im->rows++;
	if (!im->stmt)
		return 0;
	s = sqlite3_step(im->stmt);
	if (s == SQLITE_DONE)
		goto done;
	code = HEARTH_ERROR;
	if ((s & 0xff) == SQLITE_CONSTRAINT) {
		s = sqlite3_extended_errcode(db);
		/* the data refused (exit 1), not the command misused (exit 2) */
		code = s == SQLITE_CONSTRAINT_PRIMARYKEY || s == SQLITE_CONSTRAINT_UNIQUE ?
			HEARTH_ECONFLICT : HEARTH_ERROR;
	}
	rc = csv_error(cs, code, cs->rec_line, constraint_column(im, sqlite3_errmsg(db)), "%s",
		sqlite3_errmsg(db));
done:
	if (im->stmt) {
		sqlite3_reset(im->stmt);
		sqlite3_clear_bindings(im->stmt);
	}
	return rc;
}

static int import_record(struct csv *cs, void *payload)
{
	struct import *im = payload;

	return im->have_header ? import_row(im, cs) : import_header(im, cs);
}

/* One pass over the file: checks only, or (inside the write) inserts. */
static int import_pass(struct import *im)
{
	int rc;

	im->have_header = 0;
	im->rows = 0;
	rc = csv_run(im->data, im->len, import_record, im);
	sqlite3_finalize(im->stmt);
	im->stmt = NULL;
	if (!rc && !im->have_header)
		rc = hearth_error_set(HEARTH_EUSAGE,
			"CSV for '%s' is empty (the first line must name the columns)",
			im->t->name);
	return rc;
}

static int import_write(hearth_db *db, void *payload)
{
	struct import *im = payload;

	im->write = 1;
	return import_pass(im);
}

int hearth_import_csv(hearth_db *db, const char *table, const char *data, size_t len,
	hearth_write_info *out)
{
	struct import *im = NULL;
	const hearth_schema *s;
	char summary[128];
	int rc = 0;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!db || !table)
		return hearth_error_set(HEARTH_EUSAGE,
			"hearth_import_csv needs a database and a table");
	s = hearth_db_schema(db);
	if (!s)
		return hearth_error_code() ? hearth_error_code() : HEARTH_ERROR;
	im = calloc(1, sizeof(*im));
	if (!im)
		return hearth_error_set(HEARTH_ERROR, "out of memory");
	im->db = db;
	im->data = data;
	im->len = len;
	im->t = hearth_schema_table(s, table);
	if (!im->t) {
		rc = hearth_error_set(HEARTH_EUSAGE,
			"cannot import into '%.60s': not a synced table", table);
		goto done;
	}
	/* check the whole file before taking the write lock, so a bad file costs no transaction
	 * and constraint failures are the only errors left for the write */
	if ((rc = import_load_types(im)) || (rc = import_pass(im)))
		goto done;
	snprintf(summary, sizeof(summary), "import %d rows into %s", im->rows, im->t->name);
	rc = hearth_write_run(db, import_write, im, summary, out);
done:
	if (im)
		free(im->affinity);
	free(im);
	return rc;
}
