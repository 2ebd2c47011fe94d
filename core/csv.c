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

#include "csv_int.h"
#include "i18n.h"

#define CSV_MAX_INPUT ((size_t)64 << 20)
#define CSV_LABEL_MAX 40 /* bytes of a header name quoted in a message */

/* ---- messages ----------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (n bytes available), or 0: refuses overlong forms,
 * surrogates and code points above U+10FFFF, as SQLite and browsers would mangle them. */
size_t csv_utf8_seq(const unsigned char *p, size_t n)
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
		len = csv_utf8_seq(s, 4);
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
int csv_error(const struct csv *cs, int code, int line, int col, const char *fmt, ...)
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
		n = csv_utf8_seq(cs->p, (size_t)(cs->end - cs->p));
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
int csv_note(const struct csv *cs)
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
int csv_run(const char *data, size_t len, int sheet, csv_fn fn, void *payload)
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
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
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
		if (!(k = csv_utf8_seq(p + i, n - i)))
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
