/* Values as people type them and as they arrive: the rules of each column's declared kind
 * (schema v4: hearth_column.kind, min, max, ref_table; hearth_choice), the same on the way in
 * (hearth_value_normalize: a form's or a sheet's text) and on a stored or incoming value
 * (hearth_value_check: exec, import, the office's verify). Migration 005's CHECKs say the same
 * thing in SQL; a unit test holds the two together. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core_int.h"
#include "i18n.h"

static int lang_zh(void)
{
	return strcmp(hearth_ui_lang(), "zh") == 0;
}

const char *hearth_choice_label(const hearth_column_decl *c, const char *value)
{
	int i;

	for (i = 0; value && i < c->nchoices; i++)
		if (strcmp(c->choices[i].value, value) == 0)
			return lang_zh() ? c->choices[i].label_zh : c->choices[i].label_en;
	return value;
}

/* ---- forms ------------------------------------------------------------------------------- */

static int digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int num(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int calendar_day(int y, int m, int d)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return y >= 0 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
		d <= days[m - 1] + (m == 2 && leap);
}

/* YYYY-MM-DD, a real day */
static int is_date(const char *s, size_t n)
{
	return n == 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' &&
		digits(s + 8, 2) && calendar_day(num(s, 4), num(s + 5, 2), num(s + 8, 2));
}

/* YYYY-MM */
static int is_month(const char *s, size_t n)
{
	return n == 7 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) &&
		calendar_day(num(s, 4), num(s + 5, 2), 1);
}

static int is_clock(const char *s, int secs)
{
	return digits(s, 2) && s[2] == ':' && digits(s + 3, 2) && num(s, 2) < 24 &&
		num(s + 3, 2) < 60 && (!secs || (s[5] == ':' && digits(s + 6, 2) && num(s + 6, 2) < 60));
}

/* YYYY-MM-DDTHH:MM:SS±HH:MM */
static int is_timestamp(const char *s, size_t n)
{
	return n == 25 && is_date(s, 10) && s[10] == 'T' && is_clock(s + 11, 1) &&
		(s[19] == '+' || s[19] == '-') && is_clock(s + 20, 0);
}

/* mainland mobile 1[3-9]xxxxxxxxx, or landline 0 + 2-3 digit area code, optional '-', 7-8
 * digits */
static int is_phone(const char *s, size_t n)
{
	size_t area;

	if (n == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && digits(s, 11))
		return 1;
	if (n < 10 || s[0] != '0')
		return 0;
	for (area = 3; area <= 4; area++) {
		size_t rest = n - area - (s[area] == '-');
		if (digits(s, (int)area) && rest >= 7 && rest <= 8 &&
		    digits(s + n - rest, (int)rest) && n - rest - area <= 1)
			return 1;
	}
	return 0;
}

/* `s` is one of the values of `c` (not a label: a stored value is the value) */
static int choice_value(const hearth_column_decl *c, const char *s)
{
	int i;

	for (i = 0; i < c->nchoices; i++)
		if (strcmp(c->choices[i].value, s) == 0)
			return 1;
	return 0;
}

static const hearth_choice *choice_find(const hearth_column_decl *c, const char *s)
{
	int i;

	for (i = 0; i < c->nchoices; i++)
		if (strcmp(c->choices[i].value, s) == 0)
			return &c->choices[i];
	for (i = 0; i < c->nchoices; i++)
		if (strcmp(c->choices[i].label_zh, s) == 0 || strcasecmp(c->choices[i].label_en, s) == 0)
			return &c->choices[i];
	return NULL;
}

/* ---- what is expected ------------------------------------------------------------------ */

static int expect_range(hearth_buf *why, const hearth_column_decl *c)
{
	int whole = c->kind == HEARTH_KIND_INTEGER;

	if (c->has_min && c->has_max)
		return hearth_buf_printf(why, whole ? _("expected a whole number from %g to %g") :
						      _("expected a number from %g to %g"),
			c->min, c->max);
	if (c->has_min)
		return hearth_buf_printf(why, whole ? _("expected a whole number of at least %g") :
						      _("expected a number of at least %g"),
			c->min);
	return hearth_buf_puts(why, whole ? _("expected a whole number") : _("expected a number"));
}

static int expect_choice(hearth_buf *why, const hearth_column_decl *c)
{
	int i, rc = hearth_buf_puts(why, _("expected one of: "));

	for (i = 0; rc >= 0 && i < c->nchoices; i++)
		rc = hearth_buf_printf(why, "%s%s", i ? " / " : "",
			lang_zh() ? c->choices[i].label_zh : c->choices[i].label_en);
	return rc;
}

/* What column `c` expects, appended to `why`; returns 1 (refused) or a negative error. */
static int expected(hearth_buf *why, const hearth_column_decl *c)
{
	int rc;

	switch (c->kind) {
	case HEARTH_KIND_INTEGER:
	case HEARTH_KIND_DECIMAL:
		rc = expect_range(why, c);
		break;
	case HEARTH_KIND_DATE:
		rc = hearth_buf_puts(why, _("expected a date like 2026-12-02"));
		break;
	case HEARTH_KIND_MONTH:
		rc = hearth_buf_puts(why, _("expected a month like 2026-12"));
		break;
	case HEARTH_KIND_TIMESTAMP:
		rc = hearth_buf_puts(why, _("expected a date and time like 2026-12-10 09:00"));
		break;
	case HEARTH_KIND_PHONE:
		rc = hearth_buf_puts(why,
			_("expected a mobile (13812345678) or landline (0355-2021234) number"));
		break;
	case HEARTH_KIND_CHOICE:
		rc = expect_choice(why, c);
		break;
	case HEARTH_KIND_FLAG:
		rc = hearth_buf_puts(why, _("expected yes or no (1 or 0)"));
		break;
	case HEARTH_KIND_REFERENCE:
	case HEARTH_KIND_ID:
		rc = hearth_buf_puts(why, _("expected an id: letters, digits, '-' and '_'"));
		break;
	default:
		rc = hearth_buf_puts(why, _("expected text"));
		break;
	}
	return rc < 0 ? rc : 1;
}

int hearth_value_expected(const hearth_column_decl *c, hearth_buf *why)
{
	return expected(why, c);
}

/* ---- the rules, on text ---------------------------------------------------------------- */

static int reference_exists(hearth_db *db, const hearth_column_decl *c, const char *id)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_buf_printf(&sql, "SELECT 1 FROM \"%s\" WHERE owner = 'office' AND id = ?1",
		     c->ref_table)) < 0 ||
	    (rc = hearth_db_stmt(db, &st, sql.ptr)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW;
	hearth_stmt_done(st);
done:
	hearth_buf_dispose(&sql);
	return rc;
}

static int check_reference(hearth_db *db, const hearth_column_decl *c, const char *s,
	hearth_buf *why)
{
	int rc;

	if (!hearth_record_id_valid(s))
		return expected(why, c);
	if (!c->ref_checked || !c->ref_table || !db)
		return 0;
	if ((rc = reference_exists(db, c, s)) < 0)
		return rc;
	if (rc == 1)
		return 0;
	/* TRANSLATORS: %s is a table name such as service_type */
	return (rc = hearth_buf_printf(why, _("expected the id of an existing %s"), c->ref_table)) < 0
		? rc : 1;
}

/* Text `s` (length n) against the rules of `c`; numbers are checked by check_number. */
static int check_text(hearth_db *db, const hearth_column_decl *c, const char *s, size_t n,
	hearth_buf *why)
{
	int ok = 1;

	switch (c->kind) {
	case HEARTH_KIND_DATE:
		ok = is_date(s, n);
		break;
	case HEARTH_KIND_MONTH:
		ok = is_month(s, n);
		break;
	case HEARTH_KIND_TIMESTAMP:
		ok = is_timestamp(s, n);
		break;
	case HEARTH_KIND_PHONE:
		ok = is_phone(s, n);
		break;
	case HEARTH_KIND_CHOICE:
		ok = c->nchoices == 0 || choice_value(c, s);
		break;
	case HEARTH_KIND_ID:
		ok = hearth_record_id_valid(s);
		break;
	case HEARTH_KIND_REFERENCE:
		return check_reference(db, c, s, why);
	case HEARTH_KIND_INTEGER:
	case HEARTH_KIND_DECIMAL:
	case HEARTH_KIND_FLAG:
		ok = 0; /* text where a number belongs */
		break;
	default:
		break;
	}
	return ok ? 0 : expected(why, c);
}

static int check_number(const hearth_column_decl *c, int is_int, double v, hearth_buf *why)
{
	switch (c->kind) {
	case HEARTH_KIND_INTEGER:
		if (!is_int || (c->has_min && v < c->min) || (c->has_max && v > c->max))
			return expected(why, c);
		return 0;
	case HEARTH_KIND_DECIMAL:
		if (isnan(v) || (c->has_min && v < c->min) || (c->has_max && v > c->max))
			return expected(why, c);
		return 0;
	case HEARTH_KIND_FLAG:
		return is_int && (v == 0 || v == 1) ? 0 : expected(why, c);
	case HEARTH_KIND_TEXT:
	case HEARTH_KIND_MARKDOWN:
		return 0; /* a number in a text column reads as its digits */
	default:
		return expected(why, c);
	}
}

int hearth_value_check(hearth_db *db, const hearth_table_decl *t, int col, sqlite3_value *v,
	hearth_buf *why)
{
	const hearth_column_decl *c = &t->cols[col];

	switch (sqlite3_value_type(v)) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_INTEGER:
		return check_number(c, 1, (double)sqlite3_value_int64(v), why);
	case SQLITE_FLOAT:
		return check_number(c, 0, sqlite3_value_double(v), why);
	case SQLITE_BLOB:
		return c->takes_blob ? 0 : expected(why, c);
	default:
		return check_text(db, c, (const char *)sqlite3_value_text(v),
			(size_t)sqlite3_value_bytes(v), why);
	}
}

double hearth_raw_number(const struct hearth_raw_value *v, int64_t *i)
{
	uint64_t u = 0;
	double d;
	int k;

	for (k = 0; k < 8; k++)
		u = (u << 8) | v->p[k];
	*i = (int64_t)u;
	if (v->type == SQLITE_INTEGER)
		return (double)*i;
	memcpy(&d, &u, sizeof(d));
	return d;
}

int hearth_value_check_raw(hearth_db *db, const hearth_column_decl *c,
	const struct hearth_raw_value *v, hearth_buf *why)
{
	char text[256];
	int64_t i;

	switch (v->type) {
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		return check_number(c, v->type == SQLITE_INTEGER, hearth_raw_number(v, &i), why);
	case SQLITE_TEXT:
		if (c->kind == HEARTH_KIND_TEXT || c->kind == HEARTH_KIND_MARKDOWN)
			return 0;
		/* every other kind is short: a long text cannot be one */
		if (v->n >= sizeof(text) || memchr(v->p, 0, v->n))
			return expected(why, c);
		memcpy(text, v->p, v->n);
		text[v->n] = '\0';
		return check_text(db, c, text, v->n, why);
	case SQLITE_BLOB:
		return c->takes_blob ? 0 : expected(why, c);
	default:
		return 0;
	}
}

/* ---- normalizing a person's text -------------------------------------------------------- */

/* "2026/12/2", "2026.12.02", "2026-12-02" -> "2026-12-02" into out; 0 if not a date */
static int date_form(char out[11], const char *s, size_t *used)
{
	const char *p = s;
	char *end;
	long y, m, d;
	char sep;

	if (!isdigit((unsigned char)*p))
		return 0;
	y = strtol(p, &end, 10);
	/* Excel's Chinese long date: 2026年12月10日 */
	if (end - p == 4 && strncmp(end, "年", 3) == 0) {
		p = end + 3;
		if (!isdigit((unsigned char)*p) || (m = strtol(p, &end, 10), end - p > 2) ||
		    strncmp(end, "月", 3) != 0)
			return 0;
		p = end + 3;
		if (!isdigit((unsigned char)*p) || (d = strtol(p, &end, 10), end - p > 2) ||
		    strncmp(end, "日", 3) != 0)
			return 0;
		end += 3;
		goto check;
	}
	if (end - p != 4 || (*end != '-' && *end != '/' && *end != '.'))
		return 0;
	sep = *end;
	p = end + 1;
	if (!isdigit((unsigned char)*p) || (m = strtol(p, &end, 10), end - p > 2) || *end != sep)
		return 0;
	p = end + 1;
	if (!isdigit((unsigned char)*p) || (d = strtol(p, &end, 10), end - p > 2))
		return 0;
check:
	if (!calendar_day((int)y, (int)m, (int)d))
		return 0;
	snprintf(out, 11, "%04ld-%02ld-%02ld", y, m, d);
	*used = (size_t)(end - s);
	return 1;
}

static int normalize_text(const hearth_column_decl *c, const char *s, size_t n, hearth_buf *out)
{
	char date[11];
	size_t used = 0;
	const hearth_choice *ch;

	switch (c->kind) {
	case HEARTH_KIND_DATE:
		if (date_form(date, s, &used) && used == n)
			return hearth_buf_puts(out, date);
		break;
	case HEARTH_KIND_TIMESTAMP:
		if (is_timestamp(s, n))
			break;
		/* local time, China: date, 'T' or ' ', HH:MM[:SS] */
		if (date_form(date, s, &used) && (s[used] == 'T' || s[used] == ' ')) {
			/* Excel writes 9:00 for 09:00 */
			char clock[9];
			size_t k = n - used - 1;
			const char *h = s + used + 1;

			if ((k == 4 || k == 7) && isdigit((unsigned char)h[0]) && h[1] == ':') {
				clock[0] = '0';
				memcpy(clock + 1, h, k);
				h = clock;
				k++;
			}
			if ((k == 5 || k == 8) && is_clock(h, k == 8))
				return hearth_buf_printf(out, "%sT%.5s:%.2s+08:00", date, h,
					k == 8 ? h + 6 : "00");
		}
		break;
	case HEARTH_KIND_PHONE: {
		char d[32];
		size_t k = 0, i = strncmp(s, "+86", 3) == 0 ? 3 : 0;
		for (; i < n && k + 1 < sizeof(d); i++)
			if (s[i] != ' ' && !(s[i] == '-' && s[0] == '1'))
				d[k++] = s[i];
		d[k] = '\0';
		if (is_phone(d, k))
			return hearth_buf_puts(out, d);
		break;
	}
	case HEARTH_KIND_CHOICE:
		if ((ch = choice_find(c, s)))
			return hearth_buf_puts(out, ch->value);
		break;
	case HEARTH_KIND_FLAG:
		if (!strcmp(s, "是") || !strcasecmp(s, "yes") || !strcasecmp(s, "true") ||
		    !strcmp(s, "1"))
			return hearth_buf_puts(out, "1");
		if (!strcmp(s, "否") || !strcasecmp(s, "no") || !strcasecmp(s, "false") ||
		    !strcmp(s, "0"))
			return hearth_buf_puts(out, "0");
		break;
	default:
		break;
	}
	return hearth_buf_put(out, s, n);
}

static int number_text(const char *s, int *is_int, double *v)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return 0;
	*v = strtod(s, &end);
	if (*end || !isfinite(*v))
		return 0;
	*is_int = strspn(s + (*s == '-' || *s == '+'), "0123456789") ==
		strlen(s + (*s == '-' || *s == '+'));
	return 1;
}

int hearth_value_normalize(hearth_db *db, const hearth_table_decl *t, int col, const char *text,
	hearth_buf *out, hearth_buf *why)
{
	const hearth_column_decl *c = &t->cols[col];
	size_t start = 0, n = strlen(text), from = out->size;
	int rc, is_int;
	double v;

	while (start < n && isspace((unsigned char)text[start]))
		start++;
	while (n > start && isspace((unsigned char)text[n - 1]))
		n--;
	if ((rc = normalize_text(c, text + start, n - start, out)) < 0)
		return rc;
	if (c->kind == HEARTH_KIND_INTEGER || c->kind == HEARTH_KIND_DECIMAL ||
	    c->kind == HEARTH_KIND_FLAG) {
		if (!number_text(out->ptr + from, &is_int, &v))
			rc = expected(why, c);
		else
			rc = check_number(c, is_int, v, why);
	} else {
		rc = check_text(db, c, out->ptr + from, out->size - from, why);
	}
	if (rc != 0) {
		out->size = from;
		out->ptr[from] = '\0';
	}
	return rc;
}

/* ---- the line people read -------------------------------------------------------------- */

int hearth_refusal_format(hearth_buf *out, const char *where, const hearth_table_decl *t, int col,
	const char *value_text, const char *why)
{
	const char *label = hearth_column_label(t, col);

	if (!value_text)
		value_text = "";
	if (where)
		/* TRANSLATORS: where (line 3 / a row), column label, what is expected, the value */
		return hearth_buf_printf(out, _("%s, \"%s\": %s, got \"%s\""), where, label, why,
			value_text);
	/* TRANSLATORS: column label, what is expected, the value */
	return hearth_buf_printf(out, _("\"%s\": %s, got \"%s\""), label, why, value_text);
}
