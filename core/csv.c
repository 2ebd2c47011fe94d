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

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"

#define CSV_MAX_INPUT ((size_t)64 << 20)
#define CSV_MAX_COLS 1024
#define CSV_LABEL_MAX 40 /* bytes of a header name quoted in a message */

struct csv {
	const unsigned char *p, *end;
	unsigned char sep; /* ',', '\t' or ';' (the header line says which) */
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
		snprintf(where, sizeof(where), _("line %d"), line);
	else if (col >= cs->nheader)
		snprintf(where, sizeof(where), _("line %d, column %d"), line, col + 1);
	else {
		csv_label(cs, col, label, sizeof(label));
		snprintf(where, sizeof(where), _("line %d, column %d ('%s')"), line, col + 1, label);
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* TRANSLATORS: where in the file ("line 3, column 2 ('name')"), then what is wrong */
	return hearth_error_set(code, _("%s: %s"), where, what);
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
		if (!in_quotes && (c == cs->sep || c == '\n' || c == '\r'))
			break;
		if (c == '\0')
			return csv_error(cs, HEARTH_ECORRUPT, cs->line, cs->nfields,
				_("NUL byte (is the file UTF-16? save it as UTF-8)"));
		n = utf8_seq(cs->p, (size_t)(cs->end - cs->p));
		if (!n)
			return csv_error(cs, HEARTH_ECORRUPT, cs->line, cs->nfields,
				_("invalid UTF-8 (save the file as UTF-8)"));
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
			_("quote inside an unquoted field "
			  "(quote the whole field and double the quote)"));
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
				_("quoted field never closed"));
		if (cs->p + 1 < cs->end && cs->p[1] == '"') {
			if ((rc = hearth_buf_putc(&cs->bytes, '"')))
				return rc;
			cs->p += 2;
			continue;
		}
		cs->p++;
		break;
	}
	if (cs->p < cs->end && *cs->p != cs->sep && *cs->p != '\n' && *cs->p != '\r')
		return csv_error(cs, HEARTH_ECORRUPT, cs->line, cs->nfields,
			_("text after the closing quote (double a quote inside a field)"));
	return 0;
}

static int csv_field(struct csv *cs)
{
	int col = cs->nfields, rc;

	if (col == CSV_MAX_COLS)
		return csv_error(cs, HEARTH_ECORRUPT, cs->line, col, _("more than %d columns"),
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
		if (*cs->p == cs->sep) {
			cs->p++;
			continue;
		}
		if (*cs->p == '\r') {
			if (cs->p + 1 == cs->end || cs->p[1] != '\n')
				return csv_error(cs, HEARTH_ECORRUPT, cs->line, cs->nfields - 1,
					_("carriage return without line feed "
					  "(lines must end in LF or CRLF)"));
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
			_("record has %d fields, the header %d (quote fields that hold commas)"),
			cs->nfields, cs->nheader);
	if (cs->nfields < cs->nheader)
		return csv_error(cs, HEARTH_ECORRUPT, cs->rec_line, cs->nfields,
			_("record has %d fields, the header %d"), cs->nfields, cs->nheader);
	return 0;
}

/* A note row of a sheet: its first cell starts with '#' (the template's hint and example rows,
 * or a person's remark), after any spaces. */
static int csv_note(const struct csv *cs)
{
	const char *f = cs->fields[0];

	f += strspn(f, " \t");
	return *f == '#';
}

/* The separator the first line uses: Excel writes ',' (or ';' where the decimal point is a
 * comma) for "CSV" and tabs for "Unicode text". The most frequent of the three outside quotes;
 * ',' when none, or on a tie with it. */
static unsigned char csv_separator(const unsigned char *p, const unsigned char *end)
{
	size_t comma = 0, tab = 0, semi = 0;
	int in_quotes = 0;

	for (; p < end; p++) {
		if (*p == '"')
			in_quotes = !in_quotes;
		else if (in_quotes)
			continue;
		else if (*p == '\n')
			break;
		else if (*p == ',')
			comma++;
		else if (*p == '\t')
			tab++;
		else if (*p == ';')
			semi++;
	}
	if (tab > comma && tab >= semi)
		return '\t';
	if (semi > comma && semi > tab)
		return ';';
	return ',';
}

/* sheet: a spreadsheet's file, for import (its separator detected, its note rows skipped);
 * else plain CSV with commas. */
static int csv_run(const char *data, size_t len, int sheet, csv_fn fn, void *payload)
{
	struct csv *cs = NULL;
	int rc = 0;

	if (!data && len)
		return hearth_error_set(HEARTH_EUSAGE, "CSV data is NULL");
	if (len > CSV_MAX_INPUT)
		return hearth_error_set(HEARTH_ECORRUPT,
			_("CSV input of %zu bytes is over the limit of %zu MiB (split the file)"), len,
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
	cs->sep = sheet ? csv_separator(cs->p, cs->end) : ',';
	while (cs->p < cs->end) {
		if (*cs->p == '\n' || (*cs->p == '\r' && cs->p + 1 < cs->end && cs->p[1] == '\n')) {
			cs->p += *cs->p == '\r' ? 2 : 1;
			cs->line++;
			continue;
		}
		if ((rc = csv_record(cs)))
			goto done;
		/* a sheet's note row may have any number of cells: Excel keeps them as typed */
		if (sheet && cs->nheader && csv_note(cs))
			continue;
		if ((rc = csv_check_shape(cs)) || (rc = fn(cs, payload)))
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
	return csv_run(data, len, 0, csv_public_record, &pub);
}


/* ---- encodings ---------------------------------------------------------------------------- */

/* Bytes of p that are valid UTF-8 from the start (n when all are). */
static size_t utf8_valid_prefix(const unsigned char *p, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (!(k = utf8_seq(p + i, n - i)))
			break;
		i += k;
	}
	return i;
}

static int count_lines(const char *p, size_t len)
{
	int n = 1;
	size_t i;

	for (i = 0; i < len; i++)
		n += p[i] == '\n';
	return n;
}

/* `len` bytes in encoding `from` -> UTF-8 appended to `out`. */
static int csv_iconv(hearth_buf *out, const char *from, const char *in, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", from);
	char chunk[4096], *ip = (char *)in, *op;
	size_t il = len, ol, r;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return hearth_error_set(HEARTH_ERROR, _("cannot convert text from %s"), from);
	while (il > 0) {
		op = chunk;
		ol = sizeof(chunk);
		r = iconv(cd, &ip, &il, &op, &ol);
		if ((rc = hearth_buf_put(out, chunk, (size_t)(op - chunk))) < 0)
			break;
		if (r == (size_t)-1 && errno != E2BIG) {
			/* TRANSLATORS: %s is an encoding such as GB18030 or UTF-16LE */
			rc = hearth_error_set(HEARTH_ECORRUPT,
				_("line %d: the file is neither UTF-8 nor %s (save it as CSV UTF-8)"),
				count_lines(out->ptr, out->size), from);
			break;
		}
	}
	iconv_close(cd);
	return rc;
}

int hearth_csv_decode(hearth_buf *out, const char *data, size_t len, const char **encoding)
{
	const unsigned char *p = (const unsigned char *)data;
	const char *enc = "UTF-8";
	size_t ok;
	int rc;

	hearth_buf_clear(out);
	if (encoding)
		*encoding = NULL;
	if (!data && len)
		return hearth_error_set(HEARTH_EUSAGE, "CSV data is NULL");
	if (len > CSV_MAX_INPUT)
		return hearth_error_set(HEARTH_ECORRUPT,
			_("CSV input of %zu bytes is over the limit of %zu MiB (split the file)"), len,
			CSV_MAX_INPUT >> 20);
	if (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff))) {
		enc = p[0] == 0xff ? "UTF-16LE" : "UTF-16BE";
		data += 2;
		len -= 2;
	} else if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
		if ((ok = utf8_valid_prefix((const unsigned char *)data, len)) < len) {
			return hearth_error_set(HEARTH_ECORRUPT,
				_("line %d: the file says it is UTF-8 but is not (save it as CSV "
				  "UTF-8 again)"),
				count_lines(data, ok));
		}
	} else if (utf8_valid_prefix(p, len) < len) {
		/* what zh-CN Excel writes as "CSV"; a superset of GBK and GB2312 */
		enc = "GB18030";
	}
	if (strcmp(enc, "UTF-8") == 0)
		rc = len ? hearth_buf_put(out, data, len) : 0;
	else
		rc = csv_iconv(out, enc, data, len);
	if (rc == 0 && encoding)
		*encoding = enc;
	return rc;
}

/* ---- import ------------------------------------------------------------------------------- */

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
		return hearth_error_set(HEARTH_ERROR, "out of memory");
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
			rc = hearth_error_set(HEARTH_ERROR, "out of memory");
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
		k = utf8_seq((const unsigned char *)value, 4);
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
		return hearth_error_set(HEARTH_ERROR, "out of memory");
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
