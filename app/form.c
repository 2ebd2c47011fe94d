/* The urlencoded form and query decoder: the one parser of a request's untrusted bytes that is
 * hearth's own (libmicrohttpd parses HTTP itself). Fuzzed: tests/fuzz/fuzz_form.c. */
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "server_int.h"

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF) without control
 * characters other than tab, LF and CR. */
static int text_ok(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t k, len;
		unsigned int cp;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += len;
	}
	return 1;
}

/* One name or value: '+' and %XX decoded into a new string (NULL: out of memory, or *bad set
 * for a broken escape or text). */
static char *decode_part(const char *s, size_t n, int *bad)
{
	char *out = malloc(n + 1);
	size_t i, j = 0;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+') {
			out[j++] = ' ';
		} else if (c == '%') {
			int hi = -1, lo = -1;
			if (n - i < 3 || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0) {
				*bad = 1;
				free(out);
				return NULL;
			}
			out[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[j++] = (char)c;
		}
	}
	out[j] = '\0';
	if (!text_ok((const unsigned char *)out, j)) {
		*bad = 1;
		free(out);
		return NULL;
	}
	return out;
}

void app_fields_free(app_field *f, int n)
{
	int i;

	if (!f)
		return;
	for (i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].value);
	}
	free(f);
}

int app_form_decode(app_field **out, int *n, const char *s, size_t len)
{
	app_field *f = NULL;
	size_t pos = 0;
	int count = 0, cap = 0, bad = 0, rc = 0;

	*out = NULL;
	*n = 0;
	while (pos < len) {
		const char *pair = s + pos, *amp = memchr(pair, '&', len - pos), *eq;
		size_t plen = amp ? (size_t)(amp - pair) : len - pos;

		pos += plen + 1;
		if (plen == 0)
			continue;
		if (count == APP_FORM_MAX_FIELDS) {
			rc = hearth_error_set(HEARTH_EUSAGE, _("the form has too many fields"));
			goto done;
		}
		if (count == cap) {
			int ncap = cap ? cap * 2 : 8;
			app_field *nf = realloc(f, (size_t)ncap * sizeof(*nf));
			if (!nf) {
				rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
				goto done;
			}
			f = nf;
			cap = ncap;
		}
		eq = memchr(pair, '=', plen);
		f[count].value = NULL;
		f[count].name = decode_part(pair, eq ? (size_t)(eq - pair) : plen, &bad);
		if (f[count].name)
			f[count].value = eq ? decode_part(eq + 1, plen - (size_t)(eq - pair) - 1, &bad)
					    : decode_part("", 0, &bad);
		if (!f[count].name || !f[count].value) {
			free(f[count].name);
			free(f[count].value);
			rc = bad ? hearth_error_set(HEARTH_EUSAGE,
					   _("the form's data is not well-formed text"))
				 : hearth_error_set(HEARTH_ERROR, _("out of memory"));
			goto done;
		}
		count++;
	}
	*out = f;
	*n = count;
	f = NULL;
	count = 0;
done:
	app_fields_free(f, count);
	return rc;
}

static const char *field_get(const app_field *f, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return f[i].value;
	return NULL;
}

const char *app_query_get(const app_req *r, const char *name)
{
	return field_get(r->query, r->nquery, name);
}

const char *app_form_get(const app_req *r, const char *name)
{
	return field_get(r->form, r->nform, name);
}

int app_html_escape(hearth_buf *out, const char *s)
{
	int rc = 0;

	for (; *s && rc == 0; s++) {
		switch (*s) {
		case '&': rc = hearth_buf_puts(out, "&amp;"); break;
		case '<': rc = hearth_buf_puts(out, "&lt;"); break;
		case '>': rc = hearth_buf_puts(out, "&gt;"); break;
		case '"': rc = hearth_buf_puts(out, "&quot;"); break;
		case '\'': rc = hearth_buf_puts(out, "&#39;"); break;
		default: rc = hearth_buf_putc(out, *s);
		}
	}
	return rc;
}
