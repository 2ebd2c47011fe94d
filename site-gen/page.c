/*
 * The page builder and the one page template.
 *
 * A page is a sequence of blocks: generated Markdown (rendered by cmark), generated HTML
 * (tables, charts, forms: structure that never comes from user strings, each with a Markdown
 * form for the summary) and user-written Markdown (rendered by cmark on its own, without raw
 * HTML, so a user's unclosed fence or list cannot swallow the page around it). The Markdown
 * summary of every page is kept under content/ for people to read and diff.
 */
#include "site_int.h"
#include "core/i18n.h"

#include <cmark.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	    "connect-src 'self'; form-action 'self'; base-uri 'none'"

static void prc(site_page *p, int rc)
{
	if (p->rc == 0 && rc)
		p->rc = rc;
}

int site_href(hearth_buf *out, const char *from, const char *to)
{
	const char *s;
	int rc = 0;

	if (from[0] == '/')
		return hearth_buf_printf(out, "/%s", to);
	for (s = strchr(from, '/'); rc == 0 && s; s = strchr(s + 1, '/'))
		rc = hearth_buf_puts(out, "../");
	if (rc == 0)
		rc = hearth_buf_puts(out, to);
	return rc;
}

void site_page_begin(site_page *p, site_ctx *ctx, const site_lang *l, const char *path,
	const char *lastmod)
{
	hearth_buf b = HEARTH_BUF_INIT;

	memset(p, 0, sizeof *p);
	p->ctx = ctx, p->lang = l, p->lastmod = lastmod;
	hearth_buf_init(&p->md, 0);
	hearth_buf_init(&p->pending, 0);
	hearth_buf_init(&p->body, 0);
	prc(p, hearth_buf_printf(&b, "%s%s", l->prefix, path));
	p->path = hearth_buf_detach(&b);
	prc(p, hearth_buf_printf(&b, "%s%s", l->en ? site_zh.prefix : site_en.prefix, path));
	p->alt_path = hearth_buf_detach(&b);
	p->from = p->path;
	if (!p->path || !p->alt_path)
		prc(p, hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory")));
}

void site_page_md(site_page *p, const char *fmt, ...)
{
	size_t at = p->pending.size;
	va_list ap;

	if (p->rc)
		return;
	va_start(ap, fmt);
	prc(p, hearth_buf_vprintf(&p->pending, fmt, ap));
	va_end(ap);
	if (!p->rc)
		prc(p, hearth_buf_put(&p->md, p->pending.ptr + at, p->pending.size - at));
}

void site_page_mdtext(site_page *p, const char *s)
{
	hearth_buf b = HEARTH_BUF_INIT;

	prc(p, site_esc_md(&b, s));
	site_page_md(p, "%s", b.ptr);
	hearth_buf_dispose(&b);
}

/* Render the generated Markdown so far. Generated Markdown holds no raw HTML either, so it
 * goes through the same safe renderer. */
static void flush(site_page *p)
{
	char *html;

	if (p->rc || p->pending.size == 0)
		return;
	html = cmark_markdown_to_html(p->pending.ptr, p->pending.size, CMARK_OPT_DEFAULT);
	if (!html) {
		prc(p, hearth_error_set(HEARTH_ERROR, _("cannot render '%s': cmark failed"), p->path));
		return;
	}
	prc(p, hearth_buf_puts(&p->body, html));
	free(html);
	hearth_buf_clear(&p->pending);
}

void site_page_html(site_page *p, const char *html, const char *md_alt)
{
	flush(p);
	if (p->rc)
		return;
	prc(p, hearth_buf_puts(&p->body, html));
	if (md_alt && *md_alt) {
		prc(p, hearth_buf_puts(&p->md, md_alt));
		prc(p, hearth_buf_puts(&p->md, "\n"));
	}
}

/* User headings start at h3: the page owns h1 and h2. Images become their text: an image is a
 * request, possibly to another site. */
static int tame_user_tree(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_node **images = NULL;
	cmark_event_type ev;
	size_t n = 0, alloc = 0, i;
	int rc = 0;

	if (!it)
		return -1;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (cmark_node_get_type(node) == CMARK_NODE_HEADING) {
			int level = cmark_node_get_heading_level(node) + 2;
			cmark_node_set_heading_level(node, level > 6 ? 6 : level);
		} else if (cmark_node_get_type(node) == CMARK_NODE_IMAGE) {
			if (n == alloc) {
				cmark_node **grown;
				alloc = alloc ? alloc * 2 : 8;
				grown = realloc(images, alloc * sizeof *images);
				if (!grown) {
					rc = -1;
					break;
				}
				images = grown;
			}
			images[n++] = node;
		}
	}
	cmark_iter_free(it);
	/* innermost last: an image inside another image's text is handled before its parent */
	for (i = n; rc == 0 && i-- > 0;) {
		cmark_node *child;
		while ((child = cmark_node_first_child(images[i])) != NULL)
			cmark_node_insert_before(images[i], child);
		cmark_node_free(images[i]);
	}
	free(images);
	return rc;
}

void site_page_user_md(site_page *p, const char *md)
{
	hearth_buf clean = HEARTH_BUF_INIT;
	cmark_node *doc = NULL;
	char *html = NULL;

	flush(p);
	if (p->rc || !md || !*md)
		return;
	prc(p, site_text_clean(&clean, md, SITE_TEXT_MAX));
	if (p->rc)
		goto done;
	/* CMARK_OPT_DEFAULT: raw HTML is omitted and javascript:/vbscript:/file:/data: links are
	 * emptied; CMARK_OPT_UNSAFE is never used */
	doc = cmark_parse_document(clean.ptr, clean.size, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
	if (!doc || tame_user_tree(doc) < 0 ||
	    !(html = cmark_render_html(doc, CMARK_OPT_DEFAULT))) {
		prc(p, hearth_error_set(HEARTH_ERROR, _("cannot render '%s': cmark failed"), p->path));
		goto done;
	}
	prc(p, hearth_buf_puts(&p->body, "<div class=\"user-text\">\n"));
	prc(p, hearth_buf_puts(&p->body, html));
	prc(p, hearth_buf_puts(&p->body, "</div>\n"));
	prc(p, hearth_buf_puts(&p->md, clean.ptr));
	prc(p, hearth_buf_puts(&p->md, "\n\n"));
done:
	free(html);
	if (doc)
		cmark_node_free(doc);
	hearth_buf_dispose(&clean);
}

static const struct {
	const char *path, *label;
} nav[] = {
	{ "index.html", "Home" },
	{ "centres/index.html", "Centres" },
	{ "coverage.html", "County coverage" },
	{ "services.html", "Volunteer services" },
	{ "events/index.html", "Events" },
	{ "search.html", "Search" },
	{ "about.html", "About" },
};

static void put_href(site_page *p, hearth_buf *b, const char *to_in_lang, int in_lang)
{
	prc(p, site_href(b, p->from, in_lang ? p->lang->prefix : ""));
	prc(p, hearth_buf_puts(b, to_in_lang));
}

static void put_text(site_page *p, hearth_buf *b, const char *s)
{
	prc(p, site_esc_html(b, s));
}

static void template_head(site_page *p, hearth_buf *b, const char *title, const char *desc)
{
	const site_lang *l = p->lang, *other = l->en ? &site_zh : &site_en;
	const char *site = site_l(l, "Changzhi childcare and community services");

	prc(p, hearth_buf_printf(b,
		"<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n<title>",
		l->code, CSP));
	put_text(p, b, title);
	if (strcmp(title, site) != 0) {
		prc(p, hearth_buf_puts(b, " - "));
		put_text(p, b, site);
	}
	prc(p, hearth_buf_puts(b, "</title>\n<meta name=\"description\" content=\""));
	put_text(p, b, desc ? desc : title);
	prc(p, hearth_buf_puts(b, "\">\n<link rel=\"stylesheet\" href=\""));
	put_href(p, b, "assets/site.css", 0);
	prc(p, hearth_buf_puts(b, "\">\n<link rel=\"icon\" href=\""));
	put_href(p, b, "assets/icon.svg", 0);
	prc(p, hearth_buf_printf(b, "\" type=\"image/svg+xml\">\n<link rel=\"alternate\" hreflang=\"%s\" href=\"",
		other->code));
	prc(p, site_href(b, p->from, p->alt_path));
	prc(p, hearth_buf_puts(b, "\">\n<link rel=\"alternate\" type=\"application/atom+xml\" href=\""));
	put_href(p, b, "events.atom", 1);
	prc(p, hearth_buf_puts(b, "\" title=\""));
	put_text(p, b, site_l(l, "Events feed (Atom)"));
	prc(p, hearth_buf_puts(b, "\">\n</head>\n"));
}

static void template_header(site_page *p, hearth_buf *b)
{
	const site_lang *l = p->lang, *other = l->en ? &site_zh : &site_en;
	size_t i;

	prc(p, hearth_buf_puts(b, "<body>\n<a class=\"skip\" href=\"#main\">"));
	put_text(p, b, site_l(l, "Skip to content"));
	prc(p, hearth_buf_puts(b, "</a>\n<header class=\"site\">\n<div class=\"bar\"><a class=\"brand\" href=\""));
	put_href(p, b, "index.html", 1);
	prc(p, hearth_buf_puts(b, "\">"));
	put_text(p, b, site_l(l, "Changzhi childcare and community services"));
	prc(p, hearth_buf_puts(b, "</a>\n<span class=\"tools\"><input type=\"checkbox\" id=\"elder\">"
				  "<label for=\"elder\">"));
	put_text(p, b, site_l(l, "Large text"));
	prc(p, hearth_buf_printf(b, "</label> <a class=\"lang\" lang=\"%s\" hreflang=\"%s\" href=\"",
		other->code, other->code));
	prc(p, site_href(b, p->from, p->alt_path));
	prc(p, hearth_buf_puts(b, "\">"));
	put_text(p, b, l->en ? "中文" : "English");
	prc(p, hearth_buf_puts(b, "</a></span></div>\n<nav aria-label=\""));
	put_text(p, b, site_l(l, "Main menu"));
	prc(p, hearth_buf_puts(b, "\"><ul>\n"));
	for (i = 0; i < sizeof nav / sizeof nav[0]; i++) {
		int here = strcmp(p->path + strlen(l->prefix), nav[i].path) == 0;
		prc(p, hearth_buf_puts(b, "<li><a href=\""));
		put_href(p, b, nav[i].path, 1);
		prc(p, hearth_buf_printf(b, "\"%s>", here ? " aria-current=\"page\"" : ""));
		put_text(p, b, site_l(l, nav[i].label));
		prc(p, hearth_buf_puts(b, "</a></li>\n"));
	}
	prc(p, hearth_buf_puts(b, "</ul></nav>\n</header>\n"));
}

static void template_footer(site_page *p, hearth_buf *b)
{
	static const char *const links[][2] = {
		{ "about.html", "About" },
		{ "accessibility.html", "Accessibility" },
		{ "data.html", "Open data" },
		{ "events.atom", "Events feed (Atom)" },
	};
	const site_lang *l = p->lang;
	size_t i;

	prc(p, hearth_buf_puts(b, "<footer class=\"site\">\n<p>"));
	put_text(p, b, site_l(l, "Data updated"));
	prc(p, hearth_buf_puts(b, l->en ? ": " : "："));
	prc(p, hearth_buf_printf(b, "<time datetime=\"%s\">%s</time></p>\n<ul>", p->ctx->m->today,
		p->ctx->m->today));
	for (i = 0; i < sizeof links / sizeof links[0]; i++) {
		prc(p, hearth_buf_puts(b, "<li><a href=\""));
		put_href(p, b, links[i][0], 1);
		prc(p, hearth_buf_puts(b, "\">"));
		put_text(p, b, site_l(l, links[i][1]));
		prc(p, hearth_buf_puts(b, "</a></li>"));
	}
	prc(p, hearth_buf_puts(b, "</ul>\n</footer>\n<script src=\""));
	put_href(p, b, "assets/site.js", 0);
	prc(p, hearth_buf_puts(b, "\" defer></script>\n</body>\n</html>\n"));
}

int site_page_end(site_page *p, const char *title, const char *description)
{
	hearth_buf *html, *md;
	size_t n;

	flush(p);
	if (p->rc)
		return p->rc;
	html = site_files_add(p->ctx->files, p->lastmod ? p->lastmod : p->ctx->m->today, "%s",
		p->path);
	if (!html)
		return p->rc = HEARTH_ERROR;
	if (p->has_key)
		site_key_file(p->ctx, p->path, p->key);
	template_head(p, html, title, description);
	template_header(p, html);
	prc(p, hearth_buf_puts(html, "<main id=\"main\">\n<h1>"));
	put_text(p, html, title);
	prc(p, hearth_buf_puts(html, "</h1>\n"));
	prc(p, hearth_buf_put(html, p->body.ptr, p->body.size));
	prc(p, hearth_buf_puts(html, "</main>\n"));
	template_footer(p, html);

	n = strlen(p->path);
	md = site_files_add(p->ctx->files, NULL, "content/%.*s.md", (int)(n > 5 ? n - 5 : n),
		p->path);
	if (!md)
		return p->rc = HEARTH_ERROR;
	prc(p, hearth_buf_puts(md, "# "));
	prc(p, site_esc_md(md, title));
	prc(p, hearth_buf_puts(md, "\n\n"));
	prc(p, hearth_buf_put(md, p->md.ptr, p->md.size));
	return p->rc;
}

void site_page_dispose(site_page *p)
{
	free(p->path);
	free(p->alt_path);
	hearth_buf_dispose(&p->md);
	hearth_buf_dispose(&p->pending);
	hearth_buf_dispose(&p->body);
	p->path = p->alt_path = NULL;
}

/* ---- tables ------------------------------------------------------------------------------- */

static void trc(site_table *t, int rc)
{
	if (t->rc == 0 && rc)
		t->rc = rc;
}

void site_table_begin(site_table *t, const char *from, const char *caption, int ncol,
	const char *const *headers, const char *cls)
{
	int i;

	memset(t, 0, sizeof *t);
	hearth_buf_init(&t->html, 0);
	hearth_buf_init(&t->md, 0);
	t->ncol = ncol, t->from = from, t->captioned = caption != NULL;
	if (!caption) {
		trc(t, hearth_buf_puts(&t->html, "<table>\n<thead><tr>"));
		trc(t, hearth_buf_puts(&t->md, "|"));
	} else {
		/* a focusable, named region: a narrow screen scrolls the table, keyboards included */
		trc(t, hearth_buf_puts(&t->html,
			"<section class=\"table-wrap\" tabindex=\"0\" aria-label=\""));
		trc(t, site_esc_html(&t->html, caption));
		trc(t, hearth_buf_printf(&t->html, "\">\n<table%s%s%s>\n<caption>",
			cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : ""));
		trc(t, site_esc_html(&t->html, caption));
		trc(t, hearth_buf_puts(&t->html, "</caption>\n<thead><tr>"));
		trc(t, hearth_buf_puts(&t->md, "\n"));
		trc(t, site_esc_md(&t->md, caption));
		trc(t, hearth_buf_puts(&t->md, "\n\n|"));
	}
	for (i = 0; i < ncol; i++) {
		trc(t, hearth_buf_puts(&t->html, "<th scope=\"col\">"));
		trc(t, site_esc_html(&t->html, headers[i]));
		trc(t, hearth_buf_puts(&t->html, "</th>"));
		trc(t, hearth_buf_puts(&t->md, " "));
		trc(t, site_esc_md(&t->md, headers[i]));
		trc(t, hearth_buf_puts(&t->md, " |"));
	}
	trc(t, hearth_buf_puts(&t->html, "</tr></thead>\n<tbody>\n"));
	trc(t, hearth_buf_puts(&t->md, "\n|"));
	for (i = 0; i < ncol; i++)
		trc(t, hearth_buf_puts(&t->md, " --- |"));
}

/* A cell; `own` marks text hearth formatted itself, which the Markdown shows as it is. */
static void table_cell(site_table *t, const char *text, const char *href, int num, int own)
{
	if (t->col == 0) {
		trc(t, hearth_buf_puts(&t->html, "<tr>"));
		trc(t, hearth_buf_puts(&t->md, "\n|"));
	}
	trc(t, hearth_buf_puts(&t->html, num ? "<td class=\"num\">" : "<td>"));
	if (href) {
		trc(t, hearth_buf_puts(&t->html, "<a href=\""));
		trc(t, site_href(&t->html, t->from, href));
		trc(t, hearth_buf_puts(&t->html, "\">"));
	}
	trc(t, site_esc_html(&t->html, text ? text : ""));
	trc(t, hearth_buf_puts(&t->html, href ? "</a></td>" : "</td>"));
	trc(t, hearth_buf_puts(&t->md, " "));
	trc(t, (own ? hearth_buf_puts : site_esc_md)(&t->md, text ? text : ""));
	trc(t, hearth_buf_puts(&t->md, " |"));
	if (++t->col == t->ncol) {
		trc(t, hearth_buf_puts(&t->html, "</tr>\n"));
		t->col = 0;
	}
}

void site_table_cell(site_table *t, const char *text, const char *href, int num)
{
	table_cell(t, text, href, num, 0);
}

void site_table_cell_own(site_table *t, const char *text, int num)
{
	table_cell(t, text, NULL, num, 1);
}

void site_table_cellf(site_table *t, int num, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	site_table_cell(t, tmp, NULL, num);
}

int site_table_finish(site_table *t)
{
	trc(t, hearth_buf_puts(&t->html,
		t->captioned ? "</tbody>\n</table>\n</section>\n" : "</tbody>\n</table>\n"));
	trc(t, hearth_buf_puts(&t->md, "\n"));
	return t->rc;
}

void site_table_dispose(site_table *t)
{
	hearth_buf_dispose(&t->html);
	hearth_buf_dispose(&t->md);
}

void site_table_end(site_table *t, site_page *p)
{
	prc(p, site_table_finish(t));
	site_page_html(p, t->html.ptr, t->md.ptr);
	site_table_dispose(t);
}
