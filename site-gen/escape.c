/*
 * The one escaping module of the site (like cmark's houdini): every user string reaches an
 * output file through one of these functions. Each first decodes the text as UTF-8, so invalid
 * bytes and control characters never reach a page, then escapes for its format.
 */
#include "site_int.h"
#include "core/i18n.h"

#include <string.h>

/* Decode one code point at s[*i]; invalid sequences (overlong, surrogates, > U+10FFFF,
 * truncated) give U+FFFD and consume one byte. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	uint32_t cp, min;
	size_t n, k;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3, cp = c & 0x07, min = 0x10000;
	} else {
		(*i)++;
		return 0xfffd;
	}
	if (*i + n >= len) {
		(*i)++;
		return 0xfffd;
	}
	for (k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80) {
			(*i)++;
			return 0xfffd;
		}
		cp = (cp << 6) | (s[*i + k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		(*i)++;
		return 0xfffd;
	}
	*i += n + 1;
	return cp;
}

static int utf8_put(hearth_buf *out, uint32_t cp)
{
	char b[4];
	int n;

	if (cp < 0x80) {
		b[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	return hearth_buf_put(out, b, (size_t)n);
}

/* Characters that never reach a page: C0/C1 controls but tab and newline, DEL, the bidi
 * overrides (which can make a name read backwards), BOM and non-characters. */
static int dropped(uint32_t cp)
{
	if (cp == '\t' || cp == '\n')
		return 0;
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 1;
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 1;
	return cp == 0xfeff || cp == 0xfffe || cp == 0xffff;
}

/* Append u[from..to) as it is (a run of characters that need no change). */
static int put_run(hearth_buf *out, const unsigned char *u, size_t from, size_t to)
{
	return to > from ? hearth_buf_put(out, u + from, to - from) : 0;
}

int site_text_clean(hearth_buf *out, const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i = 0, from = 0, start = out->size, cut;
	int rc = 0;

	if (!s)
		return 0;
	len = strlen(s);
	/* characters that come out as they went in are copied in runs; only a changed one (CR,
	 * a dropped character, an invalid byte) ends a run */
	while (i < len && rc == 0) {
		size_t at = i;
		uint32_t cp = u[i] >= 0x20 && u[i] < 0x7f ? u[i++] : utf8_next(u, len, &i);
		int bad = cp == 0xfffd && i - at == 1, cr = cp == '\r';
		if (cp >= 0x7f || cp < 0x20) {
			if (cr || bad || dropped(cp)) {
				rc = put_run(out, u, from, at);
				from = i;
			}
			if (rc == 0 && (cr || bad))
				rc = utf8_put(out, cr ? '\n' : cp);
		}
		/* stop early on huge input; the cut below makes the length exact */
		if (max && out->size - start + (i - from) > max + 4)
			break;
	}
	if (rc == 0)
		rc = put_run(out, u, from, i);
	if (rc || !max || out->size - start <= max)
		return rc;
	/* cut at a character boundary, leaving room for the ellipsis */
	cut = start + (max > 3 ? max - 3 : 0);
	while (cut > start && ((unsigned char)out->ptr[cut] & 0xc0) == 0x80)
		cut--;
	out->size = cut;
	out->ptr[cut] = 0;
	return hearth_buf_puts(out, "\xe2\x80\xa6");
}

/* Clean `s` onto `out`, then escape what was appended byte by byte with `esc`, which returns
 * the replacement for a byte or NULL to keep it. Most text needs no escaping and is only
 * cleaned; otherwise the tail from the first byte to escape is copied aside and escaped. */
typedef const char *(*esc_fn)(unsigned char c, char tmp[3]);

static int escape_with(hearth_buf *out, const char *s, size_t max, esc_fn esc)
{
	hearth_buf tail = HEARTH_BUF_INIT;
	size_t i, from = 0, first = out->size;
	char tmp[3];
	int rc;

	rc = site_text_clean(out, s, max);
	while (rc == 0 && first < out->size && !esc((unsigned char)out->ptr[first], tmp))
		first++;
	if (rc || first == out->size)
		return rc;
	rc = hearth_buf_put(&tail, out->ptr + first, out->size - first);
	out->size = first;
	out->ptr[first] = 0;
	for (i = 0; rc == 0 && i < tail.size; i++) {
		const char *rep = esc((unsigned char)tail.ptr[i], tmp);
		if (!rep)
			continue;
		rc = hearth_buf_put(out, tail.ptr + from, i - from);
		if (rc == 0)
			rc = hearth_buf_puts(out, rep);
		from = i + 1;
	}
	if (rc == 0)
		rc = hearth_buf_put(out, tail.ptr + from, tail.size - from);
	hearth_buf_dispose(&tail);
	return rc;
}

/* The replacements of the fixed escapers, by byte (NULL: kept as it is). */
static const char *const html_map[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};
/* "</script>" and "<!--" stay inert should the JSON ever be inlined */
static const char *const json_map[256] = {
	['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n", ['\t'] = "\\t",
	['<'] = "\\u003c", ['>'] = "\\u003e", ['&'] = "\\u0026",
};
static const char *const ics_map[256] = {
	['\\'] = "\\\\", [';'] = "\\;", [','] = "\\,", ['\n'] = "\\n", ['\t'] = " ",
};

static const char *html_rep(unsigned char c, char tmp[3])
{
	return html_map[c];
}

int site_esc_html(hearth_buf *out, const char *s)
{
	return escape_with(out, s, SITE_TEXT_MAX, html_rep);
}

int site_esc_xml(hearth_buf *out, const char *s)
{
	return escape_with(out, s, SITE_TEXT_MAX, html_rep);
}

static const char *md_rep(unsigned char c, char tmp[3])
{
	if (c == '\n' || c == '\t')
		return " ";
	/* the characters CommonMark gives a meaning (: / @ ? , ; and the like have none) */
	if (!c || !strchr("!\"#&'()*+-.<=>[\\]_`{|}~", c))
		return NULL;
	tmp[0] = '\\', tmp[1] = (char)c, tmp[2] = 0;
	return tmp;
}

/* Length of the whitespace character (as cmark sees it: ASCII and Unicode Zs, U+2028/9) at
 * s[0..len), or 0. */
static size_t md_space(const unsigned char *s, size_t len)
{
	if (len >= 1 && s[0] == ' ')
		return 1;
	if (len >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (len >= 3 && ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||
			    (s[0] == 0xe2 && s[1] == 0x80 && (s[2] <= 0x8a || s[2] == 0xa8 ||
				    s[2] == 0xa9 || s[2] == 0xaf)) ||
			    (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||
			    (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)))
		return 3;
	return 0;
}

int site_esc_md(hearth_buf *out, const char *s)
{
	size_t start = out->size, from = start, to, n;
	int rc = escape_with(out, s, SITE_TEXT_MAX, md_rep);

	if (rc)
		return rc;
	/* no whitespace at either end: the generated Markdown puts delimiters around the text
	 * ("**name**", "[name](...)"), and cmark does not take "** name **" for emphasis */
	while ((n = md_space((unsigned char *)out->ptr + from, out->size - from)) > 0)
		from += n;
	for (to = out->size; to > from;) {
		size_t back = to - from < 3 ? to - from : 3;
		while (back > 0 && md_space((unsigned char *)out->ptr + to - back, back) != back)
			back--;
		if (!back)
			break;
		to -= back;
	}
	memmove(out->ptr + start, out->ptr + from, to - from);
	out->size = start + (to - from);
	out->ptr[out->size] = '\0';
	return 0;
}

static const char *json_rep(unsigned char c, char tmp[3])
{
	return json_map[c];
}

int site_esc_json(hearth_buf *out, const char *s)
{
	int rc = hearth_buf_putc(out, '"');

	if (rc == 0)
		rc = escape_with(out, s, 0, json_rep);
	if (rc == 0)
		rc = hearth_buf_putc(out, '"');
	return rc;
}

int site_esc_csv(hearth_buf *out, const char *s)
{
	hearth_buf clean = HEARTH_BUF_INIT;
	size_t i;
	int rc, formula, quote;

	rc = site_text_clean(&clean, s, 0);
	formula = clean.size && strchr("=+-@", clean.ptr[0]);
	quote = formula || strpbrk(clean.ptr, ",\"\n\r") != NULL;
	if (rc == 0 && quote)
		rc = hearth_buf_putc(out, '"');
	if (rc == 0 && formula)
		rc = hearth_buf_putc(out, '\'');
	for (i = 0; rc == 0 && i < clean.size; i++) {
		if (clean.ptr[i] == '"')
			rc = hearth_buf_putc(out, '"');
		if (rc == 0)
			rc = hearth_buf_putc(out, clean.ptr[i]);
	}
	if (rc == 0 && quote)
		rc = hearth_buf_putc(out, '"');
	hearth_buf_dispose(&clean);
	return rc;
}

static const char *ics_rep(unsigned char c, char tmp[3])
{
	return ics_map[c];
}

int site_esc_ics(hearth_buf *out, const char *s)
{
	return escape_with(out, s, SITE_TEXT_MAX, ics_rep);
}

int site_slug(hearth_buf *out, const char *id)
{
	size_t i, start = out->size;
	int rc = 0;

	if (!hearth_record_id_valid(id))
		return hearth_error_set(HEARTH_EUSAGE, _("'%.60s' is no record id: it has no page"),
			id ? id : "");
	/* one code per character, none a prefix of another: a-z 0-9 - as themselves, A-Z as '_' and
	 * the lower-case letter, '_' as "__". Different ids never share a slug (a file system that
	 * ignores case included), and a hearth id (lower case) is its own slug. */
	for (i = 0; rc == 0 && id[i]; i++) {
		char c = id[i];
		if (c >= 'A' && c <= 'Z')
			rc = hearth_buf_putc(out, '_'), c = (char)(c - 'A' + 'a');
		else if (c == '_')
			rc = hearth_buf_putc(out, '_');
		if (rc == 0)
			rc = hearth_buf_putc(out, c);
	}
	if (rc && out->asize)
		out->size = start, out->ptr[start] = '\0';
	return rc;
}

int site_phone_ok(const char *s)
{
	size_t i, digits = 0, n = s ? strlen(s) : 0;

	if (n < 3 || n > 20)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (!(s[i] == '+' && i == 0) && s[i] != '-' && s[i] != ' ')
			return 0;
	}
	return digits >= 3;
}
