/*
 * Fuzz target for the site's handling of hostile user strings: every function of the escaping
 * module (escape.c), generated Markdown with an escaped user string in the places the pages put
 * one (heading, bold list item, link text), and user-written Markdown (description_md) through
 * site_page_user_md, on arbitrary bytes.
 *
 * Invariants: every output is valid UTF-8 without control characters; HTML text has no raw
 * & < > " '; JSON, CSV and iCalendar values are well formed (CSV parses back to the text); an
 * escaped string renders as literal text, exactly the text; and rendered HTML holds only cmark's
 * own tags and attributes: no <script, no event-handler attribute (on...=), no img, no h1/h2, no
 * javascript:/vbscript:/file:/data: URL in an href or src, no raw < from the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz_site_text: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                               \
		}                                                                              \
	} while (0)

/* 1 if s[0..len) is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
/* Read a slug back: '_' and a letter is that capital, "__" is '_'. A slug that reads back to
 * its id is one no other id has. */
static int slug_decodes_to(const char *slug, const char *id)
{
	size_t i, k = 0;

	for (i = 0; slug[i]; i++, k++) {
		char c = slug[i];
		if (c == '_') {
			c = slug[++i];
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			else if (c != '_')
				return 0;
		}
		if (id[k] != c)
			return 0;
	}
	return id[k] == '\0';
}

static int utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, k;
	uint32_t cp, min;

	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		if (i + n >= len)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Valid UTF-8, no control characters but tab and newline, no NUL before `len`. */
static void check_text(const hearth_buf *b)
{
	size_t i;

	CHECK(b->ptr[b->size] == '\0');
	CHECK(utf8_valid(b->ptr, b->size));
	for (i = 0; i < b->size; i++) {
		unsigned char c = (unsigned char)b->ptr[i];
		CHECK(c >= 0x20 || c == '\t' || c == '\n');
		CHECK(c != 0x7f);
	}
}

static int has_prefix_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if ((*s | 0x20) != *prefix)
			return 0;
	return 1;
}

/* Decode the entities cmark and escape.c write (&amp; &lt; &gt; &quot; &#39; &#NN; &#xNN;). */
static void decode_entities(hearth_buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		const char *semi;
		if (s[i] != '&' || !(semi = memchr(s + i, ';', len - i)) || semi - (s + i) > 10) {
			CHECK(hearth_buf_putc(out, s[i]) == 0);
			continue;
		}
		if (strncmp(s + i, "&amp;", 5) == 0)
			CHECK(hearth_buf_putc(out, '&') == 0);
		else if (strncmp(s + i, "&lt;", 4) == 0)
			CHECK(hearth_buf_putc(out, '<') == 0);
		else if (strncmp(s + i, "&gt;", 4) == 0)
			CHECK(hearth_buf_putc(out, '>') == 0);
		else if (strncmp(s + i, "&quot;", 6) == 0)
			CHECK(hearth_buf_putc(out, '"') == 0);
		else if (s[i + 1] == '#') {
			long cp = s[i + 2] == 'x' || s[i + 2] == 'X' ? strtol(s + i + 3, NULL, 16)
								      : strtol(s + i + 2, NULL, 10);
			CHECK(cp > 0 && cp < 0x80); /* nothing else is written as a number */
			CHECK(hearth_buf_putc(out, (char)cp) == 0);
		} else {
			CHECK(!"unknown entity");
		}
		i = (size_t)(semi - s);
	}
}

/* A URL a browser would run or load from outside: after entity decoding, with the tabs and
 * newlines browsers ignore removed and leading spaces and controls skipped. */
static int url_dangerous(const char *v, size_t len)
{
	hearth_buf dec = HEARTH_BUF_INIT, url = HEARTH_BUF_INIT;
	size_t i;
	int bad;

	decode_entities(&dec, v, len);
	for (i = 0; i < dec.size; i++) {
		unsigned char c = (unsigned char)dec.ptr[i];
		if (c == '\t' || c == '\n' || c == '\r' || (url.size == 0 && c <= 0x20))
			continue;
		CHECK(hearth_buf_putc(&url, (char)c) == 0);
	}
	bad = has_prefix_ci(url.ptr, "javascript:") || has_prefix_ci(url.ptr, "vbscript:") ||
	      has_prefix_ci(url.ptr, "file:") ||
	      (has_prefix_ci(url.ptr, "data:") && !has_prefix_ci(url.ptr, "data:image/png") &&
		      !has_prefix_ci(url.ptr, "data:image/gif") &&
		      !has_prefix_ci(url.ptr, "data:image/jpeg") &&
		      !has_prefix_ci(url.ptr, "data:image/webp"));
	hearth_buf_dispose(&dec);
	hearth_buf_dispose(&url);
	return bad;
}

struct tag_count {
	int a, strong, other;
};

static const char *const allowed_tags[] = {
	"p", "blockquote", "ul", "ol", "li", "pre", "code", "h2", "h3", "h4", "h5", "h6", "hr", "br",
	"em", "strong", "a", "div", NULL
};

/*
 * Rendered HTML holds nothing but cmark's own tags with cmark's own attributes: every < opens
 * an allowed tag (or cmark's "raw HTML omitted" comment), attribute values are quoted and hold
 * no quote or <, and no raw > stands in text.
 */
static void check_html(const hearth_buf *b, struct tag_count *count)
{
	const char *s = b->ptr, *end = b->ptr + b->size;
	static const char omitted[] = "<!-- raw HTML omitted -->";

	CHECK(utf8_valid(b->ptr, b->size));
	memset(count, 0, sizeof(*count));
	while (s < end) {
		const char *name;
		size_t nlen;
		int i, known = 0;

		CHECK(*s != '>');
		if (*s != '<') {
			s++;
			continue;
		}
		if ((size_t)(end - s) >= sizeof(omitted) - 1 &&
		    memcmp(s, omitted, sizeof(omitted) - 1) == 0) {
			s += sizeof(omitted) - 1;
			continue;
		}
		CHECK(!has_prefix_ci(s, "<script"));
		s++;
		if (*s == '/')
			s++;
		name = s;
		while (s < end && ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			s++;
		nlen = (size_t)(s - name);
		for (i = 0; allowed_tags[i]; i++)
			if (strlen(allowed_tags[i]) == nlen && memcmp(allowed_tags[i], name, nlen) == 0)
				known = 1;
		if (!known)
			fprintf(stderr, "fuzz_site_text: tag '%.*s' in: %s\n", (int)nlen, name, b->ptr);
		CHECK(known);
		if (name[-1] != '/') {
			if (nlen == 1 && name[0] == 'a')
				count->a++;
			else if (nlen == 6 && memcmp(name, "strong", 6) == 0)
				count->strong++;
			else
				count->other++;
		}
		/* attributes: ` name="value"` */
		while (s < end && *s == ' ' && s[1] != '/') {
			const char *an = ++s, *v;
			size_t alen;
			while (s < end && *s >= 'a' && *s <= 'z')
				s++;
			alen = (size_t)(s - an);
			CHECK(!(alen > 2 && an[0] == 'o' && an[1] == 'n')); /* event handler */
			CHECK((alen == 4 && memcmp(an, "href", 4) == 0) ||
			      (alen == 5 && memcmp(an, "title", 5) == 0) ||
			      (alen == 5 && memcmp(an, "start", 5) == 0) ||
			      (alen == 5 && memcmp(an, "class", 5) == 0));
			CHECK(s + 1 < end && s[0] == '=' && s[1] == '"');
			v = s += 2;
			while (s < end && *s != '"') {
				CHECK(*s != '<' && *s != '>');
				s++;
			}
			CHECK(s < end);
			if (alen == 4 && url_dangerous(v, (size_t)(s - v))) {
				fprintf(stderr, "fuzz_site_text: dangerous URL in: %s\n", b->ptr);
				CHECK(!"dangerous href");
			}
			s++;
		}
		if (s < end && *s == ' ' && s[1] == '/')
			s += 2;
		CHECK(s < end && *s == '>');
		s++;
	}
}

/* ---- the escaping module --------------------------------------------------------------- */

static void check_escapes(const char *s)
{
	hearth_buf clean = HEARTH_BUF_INIT, out = HEARTH_BUF_INIT;
	size_t i;

	CHECK(site_text_clean(&clean, s, SITE_TEXT_MAX) == 0);
	check_text(&clean);
	CHECK(clean.size <= SITE_TEXT_MAX);
	for (i = 0; i + 2 < clean.size; i++) {
		/* no bidi overrides or isolates (U+202A..U+202E, U+2066..U+2069) */
		const unsigned char *u = (const unsigned char *)clean.ptr + i;
		CHECK(!(u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0xaa && u[2] <= 0xae));
		CHECK(!(u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9));
	}

	CHECK(site_esc_html(&out, s) == 0);
	check_text(&out);
	CHECK(strpbrk(out.ptr, "<>\"'") == NULL);
	for (i = 0; i < out.size; i++)
		if (out.ptr[i] == '&')
			CHECK(strncmp(out.ptr + i, "&amp;", 5) == 0 || strncmp(out.ptr + i, "&lt;", 4) == 0 ||
			      strncmp(out.ptr + i, "&gt;", 4) == 0 || strncmp(out.ptr + i, "&quot;", 6) == 0 ||
			      strncmp(out.ptr + i, "&#39;", 5) == 0);
	{
		/* and it is exactly the clean text */
		hearth_buf dec = HEARTH_BUF_INIT;
		decode_entities(&dec, out.ptr, out.size);
		CHECK(dec.size == clean.size && memcmp(dec.ptr, clean.ptr, dec.size) == 0);
		hearth_buf_dispose(&dec);
	}
	hearth_buf_clear(&out);

	CHECK(site_esc_xml(&out, s) == 0);
	check_text(&out);
	CHECK(strpbrk(out.ptr, "<>\"'") == NULL);
	hearth_buf_clear(&out);

	CHECK(site_esc_json(&out, s) == 0);
	check_text(&out);
	CHECK(out.size >= 2 && out.ptr[0] == '"' && out.ptr[out.size - 1] == '"');
	for (i = 1; i + 1 < out.size; i++) {
		unsigned char c = (unsigned char)out.ptr[i];
		CHECK(c != '"' && c != '<' && c != '>' && c != '&' && c >= 0x20);
		if (c == '\\') {
			i++;
			CHECK(i + 1 < out.size && strchr("\"\\nt/u", out.ptr[i]) != NULL);
		}
	}
	hearth_buf_clear(&out);

	CHECK(site_esc_ics(&out, s) == 0);
	check_text(&out);
	CHECK(strchr(out.ptr, '\n') == NULL && strchr(out.ptr, '\t') == NULL);
	for (i = 0; i < out.size; i++) {
		if (out.ptr[i] == '\\') {
			i++;
			CHECK(i < out.size && strchr("\\;,n", out.ptr[i]) != NULL);
		} else {
			CHECK(out.ptr[i] != ';' && out.ptr[i] != ',');
		}
	}
	hearth_buf_clear(&out);

	if (hearth_record_id_valid(s)) {
		CHECK(site_slug(&out, s) == 0);
		CHECK(out.size > 0 && out.size <= 2 * strlen(s) && out.ptr[0] != '-');
		CHECK(strspn(out.ptr, "abcdefghijklmnopqrstuvwxyz0123456789_-") == out.size);
		CHECK(slug_decodes_to(out.ptr, s));
	} else {
		CHECK(site_slug(&out, s) == HEARTH_EUSAGE && out.size == 0);
	}
	hearth_buf_clear(&out);

	if (site_phone_ok(s))
		CHECK(strspn(s, "0123456789+- ") == strlen(s));

	hearth_buf_dispose(&clean);
	hearth_buf_dispose(&out);
}

/* CSV: one field that parses back to the clean text (with the formula guard). */
struct csv_back {
	hearth_buf field;
	int records;
};

static int csv_record(int line, int nfields, char **fields, size_t *lens, void *payload)
{
	struct csv_back *b = payload;

	b->records++;
	CHECK(nfields == 1);
	CHECK(hearth_buf_put(&b->field, fields[0], lens[0]) == 0);
	return 0;
}

static void check_csv(const char *s)
{
	hearth_buf clean = HEARTH_BUF_INIT, out = HEARTH_BUF_INIT, want = HEARTH_BUF_INIT;
	struct csv_back back = { HEARTH_BUF_INIT, 0 };

	CHECK(site_text_clean(&clean, s, 0) == 0);
	CHECK(site_esc_csv(&out, s) == 0);
	check_text(&out);
	CHECK(out.size == 0 || strchr("=+-@", out.ptr[0]) == NULL);
	if (clean.size && strchr("=+-@", clean.ptr[0]))
		CHECK(hearth_buf_putc(&want, '\'') == 0);
	CHECK(hearth_buf_put(&want, clean.ptr, clean.size) == 0);
	/* a record line that is empty is no record: add a second field to compare */
	CHECK(hearth_buf_puts(&out, "\n") == 0);
	CHECK(hearth_csv_parse(out.ptr, out.size, csv_record, &back) == 0);
	if (want.size) {
		CHECK(back.records == 1);
		CHECK(back.field.size == want.size && memcmp(back.field.ptr, want.ptr, want.size) == 0);
	}
	hearth_buf_dispose(&clean);
	hearth_buf_dispose(&out);
	hearth_buf_dispose(&want);
	hearth_buf_dispose(&back.field);
}

/* ---- rendering ---------------------------------------------------------------------------- */

/* Length of the whitespace code point at s[0..len) in cmark's sense (space, Unicode Zs,
 * U+2028, U+2029), decoded here independently of escape.c; 0 if none. */
static size_t space_len(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp;
	size_t n;

	if (len == 0)
		return 0;
	if (s[0] < 0x80)
		return s[0] == ' ';
	if ((s[0] & 0xe0) == 0xc0 && len >= 2)
		cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f), n = 2;
	else if ((s[0] & 0xf0) == 0xe0 && len >= 3)
		cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f), n = 3;
	else
		return 0;
	if (cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
	    cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return n;
	return 0;
}

/* Render the generated Markdown `before` + escaped `s` + `after` as the pages do. */
static void render_generated(site_page *p, const char *before, const char *s, const char *after)
{
	hearth_buf_clear(&p->body);
	site_page_md(p, "%s", before);
	site_page_mdtext(p, s);
	site_page_md(p, "%s", after);
	site_page_html(p, "", NULL);
	CHECK(p->rc == 0);
}

/* The text of the only element of `html`, entities decoded, must be `want`. */
static void check_literal(const hearth_buf *html, const char *open, const char *close,
	const hearth_buf *want)
{
	hearth_buf dec = HEARTH_BUF_INIT;
	const char *a = strstr(html->ptr, open), *b;

	CHECK(a != NULL);
	a += strlen(open);
	b = strstr(a, close);
	CHECK(b != NULL);
	decode_entities(&dec, a, (size_t)(b - a));
	if (dec.size != want->size || memcmp(dec.ptr, want->ptr, dec.size) != 0)
		fprintf(stderr, "fuzz_site_text: rendered '%s', want '%s'\n", dec.ptr, want->ptr);
	CHECK(dec.size == want->size && memcmp(dec.ptr, want->ptr, dec.size) == 0);
	hearth_buf_dispose(&dec);
}

static void check_rendering(const char *s)
{
	site_ctx ctx;
	site_page p;
	struct tag_count n;
	hearth_buf clean = HEARTH_BUF_INIT, want = HEARTH_BUF_INIT;
	size_t i, from, to, n1;

	memset(&ctx, 0, sizeof(ctx));
	site_page_begin(&p, &ctx, &site_zh, "fuzz.html", "");
	CHECK(p.rc == 0);

	/* the literal text: clean, line breaks and tabs as spaces, without whitespace at the ends
	 * (which would stop "**" from making bold) */
	CHECK(site_text_clean(&clean, s, SITE_TEXT_MAX) == 0);
	for (i = 0; i < clean.size; i++)
		if (clean.ptr[i] == '\n' || clean.ptr[i] == '\t')
			clean.ptr[i] = ' ';
	for (from = 0; from < clean.size && (n1 = space_len(clean.ptr + from, clean.size - from));)
		from += n1;
	for (to = clean.size; to > from;) {
		for (n1 = 1; n1 <= 3 && n1 <= to - from; n1++)
			if (space_len(clean.ptr + to - n1, n1) == n1)
				break;
		if (n1 > 3 || n1 > to - from)
			break;
		to -= n1;
	}
	CHECK(hearth_buf_put(&want, clean.ptr + from, to - from) == 0);

	render_generated(&p, "## ", s, "\n");
	check_html(&p.body, &n);
	CHECK(n.a == 0 && n.strong == 0 && n.other == 1 && strncmp(p.body.ptr, "<h2>", 4) == 0);
	check_literal(&p.body, "<h2>", "</h2>", &want);

	render_generated(&p, "- [", s, "](centres/x.html)\n");
	check_html(&p.body, &n);
	CHECK(n.a == 1 && n.strong == 0 && n.other == 2);
	CHECK(strstr(p.body.ptr, "<a href=\"centres/x.html\">") != NULL);

	render_generated(&p, "- **", s, "**: text\n");
	check_html(&p.body, &n);
	CHECK(n.a == 0 && n.other == 2);
	CHECK(n.strong == (want.size ? 1 : 0));

	/* user Markdown: anything cmark makes of it, minus raw HTML, images and big headings */
	hearth_buf_clear(&p.body);
	site_page_user_md(&p, s);
	CHECK(p.rc == 0);
	check_html(&p.body, &n);
	CHECK(strstr(p.body.ptr, "<h1") == NULL && strstr(p.body.ptr, "<h2") == NULL);

	site_page_dispose(&p);
	hearth_buf_dispose(&clean);
	hearth_buf_dispose(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 16384)
		return 0;
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_escapes(s);
	check_csv(s);
	check_rendering(s);
	free(s);
	return 0;
}
