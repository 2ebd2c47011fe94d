/*
 * Unit tests of the site's building blocks: escaping (HTML, Markdown through cmark, JSON, CSV,
 * iCalendar), UTF-8 cleaning, slugs, bigram tokens and shards, SVG chart geometry.
 */
#include "site-gen/site_int.h"
#include "tap.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

static char out[65536];

static const char *esc(int (*fn)(hearth_buf *, const char *), const char *s)
{
	hearth_buf b = HEARTH_BUF_INIT;

	out[0] = 0;
	if (fn(&b, s) == 0)
		snprintf(out, sizeof out, "%s", b.ptr);
	hearth_buf_dispose(&b);
	return out;
}

/* Markdown-escape `s`, render with cmark, return the HTML. */
static const char *md_roundtrip(const char *s)
{
	hearth_buf b = HEARTH_BUF_INIT;
	char *html;

	site_esc_md(&b, s);
	html = cmark_markdown_to_html(b.ptr, b.size, CMARK_OPT_DEFAULT);
	snprintf(out, sizeof out, "%s", html);
	free(html);
	hearth_buf_dispose(&b);
	return out;
}

static void test_html(void)
{
	is_str(esc(site_esc_html, "<script>alert('x')</script> & \"q\""),
		"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;",
		"html: < > & \" ' are escaped");
	is_str(esc(site_esc_html, "潞州区 托育"), "潞州区 托育", "html: Chinese passes unchanged");
	is_str(esc(site_esc_html, "a\xff" "b\xc3"), "a\xef\xbf\xbd" "b\xef\xbf\xbd",
		"html: invalid UTF-8 becomes U+FFFD");
	is_str(esc(site_esc_html, "\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd",
		"html: overlong encodings are rejected byte by byte");
	is_str(esc(site_esc_html, "\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
		"html: UTF-16 surrogates are rejected");
	is_str(esc(site_esc_html, "a\x01\x1b[31mb\xe2\x80\xae" "c"), "a[31mbc",
		"html: control characters and bidi overrides are dropped");
	is_str(esc(site_esc_xml, "<a href=\"x\">"), "&lt;a href=&quot;x&quot;&gt;", "xml as html");
}

static void test_clean_cap(void)
{
	hearth_buf b = HEARTH_BUF_INIT;
	char big[10241];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	site_text_clean(&b, big, 100);
	ok(b.size <= 100 && b.size > 90, "a 10 KB string is cut to the cap (%zu bytes)", b.size);
	ok(b.size >= 3 && memcmp(b.ptr + b.size - 3, "\xe2\x80\xa6", 3) == 0,
		"a cut string ends with an ellipsis");
	hearth_buf_clear(&b);
	site_text_clean(&b, "长治长治长治长治长治", 10);
	ok(b.size <= 10 && memcmp(b.ptr + b.size - 3, "\xe2\x80\xa6", 3) == 0 &&
		   memcmp(b.ptr, "长", 3) == 0,
		"a cut never splits a character");
	hearth_buf_dispose(&b);
}

static void test_markdown(void)
{
	is_str(md_roundtrip("*bold* _x_ [a](javascript:alert(1)) <b>raw</b>"),
		"<p>*bold* _x_ [a](javascript:alert(1)) &lt;b&gt;raw&lt;/b&gt;</p>\n",
		"md: emphasis, links and raw HTML stay literal text");
	is_str(md_roundtrip("# not a heading"), "<p># not a heading</p>\n",
		"md: a leading # is no heading");
	is_str(md_roundtrip("1. no list"), "<p>1. no list</p>\n", "md: no ordered list");
	is_str(md_roundtrip("- no list"), "<p>- no list</p>\n", "md: no bullet list");
	is_str(md_roundtrip("line one\nline two\n\n    code"), "<p>line one line two      code</p>\n",
		"md: newlines cannot start blocks");
	is_str(md_roundtrip("&lt; &amp; &#60;"), "<p>&amp;lt; &amp;amp; &amp;#60;</p>\n",
		"md: entities are not decoded");
	is_str(md_roundtrip("`code` ![img](http://x/y.png) <http://a>"),
		"<p>`code` ![img](http://x/y.png) &lt;http://a&gt;</p>\n",
		"md: code, images and autolinks stay literal");
	is_str(md_roundtrip("a | b ==="), "<p>a | b ===</p>\n", "md: table pipes stay literal");
	is_str(esc(site_esc_md, "0355-1234 长治:08:00"), "0355\\-1234 长治:08:00",
		"md: only meaningful punctuation is escaped");
}

static void test_json_csv_ics(void)
{
	is_str(esc(site_esc_json, "a\"b\\c\n</script>"), "\"a\\\"b\\\\c\\n\\u003c/script\\u003e\"",
		"json: quotes, backslashes, newlines and </script> are escaped");
	is_str(esc(site_esc_csv, "plain"), "plain", "csv: plain field unquoted");
	is_str(esc(site_esc_csv, "a,b \"c\"\nd"), "\"a,b \"\"c\"\"\nd\"", "csv: quoted and doubled");
	is_str(esc(site_esc_csv, "=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"",
		"csv: formulas are defused");
	is_str(esc(site_esc_csv, "@SUM(1)"), "\"'@SUM(1)\"", "csv: @ formulas are defused");
	is_str(esc(site_esc_ics, "a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne", "ics: text escaped");
}

static void test_slug(void)
{
	is_str(esc(site_slug, "lucai"), "lucai", "slug: a hearth id is its own slug");
	is_str(esc(site_slug, "qinyuan-demo"), "qinyuan-demo", "slug: dashes kept");
	is_str(esc(site_slug, "Elderly_Canteen"), "_elderly___canteen",
		"slug: capitals and underscores are spelled out in lower case");
	{
		hearth_buf b = HEARTH_BUF_INIT;
		static const char *const bad[] = { "../etc/passwd", "长治", "", "a b", "-a" };
		size_t i;
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
			ok(site_slug(&b, bad[i]) == HEARTH_EUSAGE && b.size == 0,
				"slug: '%s' is no id: refused, nothing appended", bad[i]);
		hearth_buf_dispose(&b);
	}
	{
		/* ids whose old slugs collided: a_b and its hash slug (itself an id), the same
		 * letters in other case, ids sharing their first 60 characters, dashes doubled */
		static const char *const ids[] = { "a_b", "a-b-1ba46871", "a-b", "A_b", "a_B", "A-b",
			"ab", "Ab", "aB", "a__b", "a--b", "a_", "a-", "a_a", "a0", "A0", "a-0",
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabbbb",
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
		char slugs[sizeof ids / sizeof ids[0]][160];
		size_t i, j, n = sizeof ids / sizeof ids[0], same = 0, bad = 0;
		for (i = 0; i < n; i++) {
			snprintf(slugs[i], sizeof slugs[i], "%s", esc(site_slug, ids[i]));
			bad += !*slugs[i] || strspn(slugs[i], "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
							 strlen(slugs[i]);
		}
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				same += strcmp(slugs[i], slugs[j]) == 0;
		is_int((int)same, 0, "slug: no two of %zu look-alike ids share a slug", n);
		is_int((int)bad, 0, "slug: every slug is lower case [a-z0-9_-]");
		is_str(esc(site_slug, "a-b-1ba46871"), "a-b-1ba46871", "slug: 'a-b-1ba46871' is itself");
		is_str(esc(site_slug, "a_b"), "a__b", "slug: 'a_b' is another");
	}
	ok(site_phone_ok("0355-0000001") && site_phone_ok("+86 138 0000 0001"),
		"phone: numbers accepted for tel:");
	ok(!site_phone_ok("javascript:alert(1)") && !site_phone_ok("12") &&
		   !site_phone_ok("1+2"),
		"phone: anything else refused");
}

typedef struct {
	char toks[64][80];
	int n;
} toklist;

static int collect(const char *tok, size_t len, void *payload)
{
	toklist *t = payload;

	if (t->n < 64)
		snprintf(t->toks[t->n++], 80, "%.*s", (int)len, tok);
	return 0;
}

static const char *joined(const char *text)
{
	toklist t;
	int i;

	t.n = 0;
	site_tokenize(text, collect, &t);
	out[0] = 0;
	for (i = 0; i < t.n; i++) {
		strcat(out, i ? " " : "");
		strcat(out, t.toks[i]);
	}
	return out;
}

static void test_tokens(void)
{
	is_str(joined("长治市潞州区"), "长治 治市 市潞 潞州 州区", "bigrams of a Chinese run");
	is_str(joined("沁"), "沁", "a lone character is its own token");
	is_str(joined("小象湾 Xiaoxiangwan Centre-2"), "小象 象湾 xiaoxiangwan centre 2",
		"Latin words whole and lowercased, Chinese as bigrams");
	is_str(joined("托育，中心"), "托育 中心", "punctuation breaks a run");
	is_str(joined("0–1岁"), "0 1 岁", "digits, a dash and a lone character");
	ok(site_token_shard("长治") == site_token_shard("长子"),
		"tokens starting with the same character share a shard");
	ok(site_token_shard("长治") < SITE_SHARDS && site_token_shard("luzhou") < SITE_SHARDS,
		"shards are in range");
	{
		/* FNV-1a of "长" (e9 95 bf), the same function the script computes */
		uint32_t h = 2166136261u;
		h = (h ^ 0xe9) * 16777619u;
		h = (h ^ 0x95) * 16777619u;
		h = (h ^ 0xbf) * 16777619u;
		is_int(site_token_shard("长治"), h % SITE_SHARDS, "shard is FNV-1a of the first char");
	}
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

static int rect_width(const char *svg, int k)
{
	const char *p = svg;
	int i;

	for (i = 0; i <= k; i++) {
		p = strstr(p, "<rect x=\"150\"");
		if (!p)
			return -1;
		p++;
	}
	p = strstr(p, "width=\"");
	return p ? atoi(p + 7) : -1;
}

static void test_svg(void)
{
	site_bar bars[3] = { { "潞州区", 150, 45 }, { "<b>", 75, 0 }, { "沁源县", 0, 0 } };
	hearth_buf b = HEARTH_BUF_INIT;
	int plot = SITE_CHART_W - SITE_LABEL_W - 70;

	is_int(site_bar_width(150, 150, 400), 400, "the largest value fills the plot");
	is_int(site_bar_width(75, 150, 400), 200, "half the value, half the width");
	is_int(site_bar_width(1, 100000, 400), 1, "a non-zero value stays visible");
	is_int(site_bar_width(0, 150, 400), 0, "zero draws nothing");
	is_int(site_bar_width(5, 0, 400), 0, "no data draws nothing");
	ok(site_svg_bars(&b, "c", "Places", "Places per county", "Places", "Vacancies", bars, 3) == 0,
		"chart renders");
	ok(count(b.ptr, "role=\"img\"") == 1 && count(b.ptr, "<title id=\"c-t\">Places</title>") == 1,
		"chart has role img and a title");
	ok(strstr(b.ptr, "aria-labelledby=\"c-t c-d\"") != NULL, "chart is labelled by title and desc");
	ok(strstr(b.ptr, "潞州区 150 / 45") != NULL, "the description carries the data as text");
	ok(strstr(b.ptr, "<b>") == NULL && strstr(b.ptr, "&lt;b&gt;") != NULL, "labels are escaped");
	ok(strstr(b.ptr, "style=") == NULL && strstr(b.ptr, "href") == NULL,
		"no inline style, no link, no external reference");
	is_int(count(b.ptr, "<rect x=\"150\""), 6, "two bars per category");
	is_int(rect_width(b.ptr, 0), plot, "first bar spans the plot");
	is_int(rect_width(b.ptr, 1), site_bar_width(45, 150, plot), "second bar is to scale");
	is_int(rect_width(b.ptr, 2), plot / 2, "half value, half bar");
	if (!ok(strstr(b.ptr, "viewBox=\"0 0 640 182\"") != NULL,
		    "height = legend + rows × (2 bars + gap) + gap"))
		diag("%.40s", strstr(b.ptr, "viewBox") ? strstr(b.ptr, "viewBox") : "no viewBox");
	hearth_buf_dispose(&b);
}

int main(void)
{
	diag("site unit tests");
	test_html();
	test_clean_cap();
	test_markdown();
	test_json_csv_ics();
	test_slug();
	test_tokens();
	test_svg();
	return done_testing();
}
