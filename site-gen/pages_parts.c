/*
 * What several page kinds share: small writers into a scratch buffer whose errors are kept in
 * the page, and the lists of centres and events.
 */
#include "site_int.h"
#include "core/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L(key) site_l(p->lang, key)

const char *const site_age_bands[3] = { "0-1", "1-2", "2-3" };
const char *const site_care_types[3] = { "full_day", "temporary", "hourly" };

/* ---- small writers into a scratch buffer, errors kept in the page ------------------------- */

void site_put_printf(site_page *p, hearth_buf *b, const char *fmt, ...)
{
	va_list ap;

	if (p->rc)
		return;
	va_start(ap, fmt);
	if (hearth_buf_vprintf(b, fmt, ap) < 0)
		p->rc = HEARTH_ERROR;
	va_end(ap);
}

/* escaped text */
void site_put_html(site_page *p, hearth_buf *b, const char *s)
{
	if (p->rc == 0 && site_esc_html(b, s ? s : "") < 0)
		p->rc = HEARTH_ERROR;
}

/* a relative URL from this page to `to` (a path inside this page's language) */
void site_put_href(site_page *p, hearth_buf *b, const char *to)
{
	if (p->rc == 0 && (site_href(b, p->from, p->lang->prefix) < 0 || hearth_buf_puts(b, to) < 0))
		p->rc = HEARTH_ERROR;
}

/* Markdown-escaped text */
void site_put_md(site_page *p, hearth_buf *b, const char *s)
{
	if (p->rc == 0 && site_esc_md(b, s ? s : "") < 0)
		p->rc = HEARTH_ERROR;
}

/* hand a generated HTML block and its Markdown form to the page, emptying both buffers */
void site_put_block(site_page *p, hearth_buf *html, hearth_buf *md)
{
	site_page_html(p, html->ptr, md ? md->ptr : NULL);
	hearth_buf_clear(html);
	if (md)
		hearth_buf_clear(md);
}

const char *site_county_name(const site_model *m, const site_lang *l, int county)
{
	if (county < 0)
		return "";
	return site_name(l, m->regions[county].name, m->regions[county].name_en);
}

void site_event_path(hearth_buf *out, const site_event *e, const char *ext)
{
	hearth_buf_printf(out, "events/%s.%s", e->slug, ext);
}

int site_event_upcoming(const site_model *m, const site_event *e)
{
	return strncmp(e->starts_at, m->today, 10) >= 0;
}

const char *site_node_name(const site_page *p, const site_node *n)
{
	return site_name(p->lang, n->name, n->name_en);
}

int site_node_stale(const site_model *m, const site_node *n)
{
	return n->last_seen_ms < 0 ||
	       (int64_t)m->now_ms - n->last_seen_ms > (int64_t)(14 * HEARTH_DAY_MS);
}

void site_when_text(char *out, size_t n, const char *iso)
{
	size_t i;

	/* the stored form 2026-12-12T09:30:00+08:00 reads "2026-12-12 09:30" in China time; another
	 * offset is kept, so that no time is shown as what it is not */
	if (iso && strlen(iso) == 25 && iso[10] == 'T' && strcmp(iso + 19, "+08:00") == 0) {
		snprintf(out, n, "%.10s %.*s", iso, strncmp(iso + 16, ":00", 3) == 0 ? 5 : 8,
			iso + 11);
		return;
	}
	snprintf(out, n, "%s", iso ? iso : "");
	for (i = 0; out[i]; i++)
		if (out[i] == 'T')
			out[i] = ' ';
}

/* ---- lists shared by several pages -------------------------------------------------------- */

/* The centres of the directory in display order: by county id, then id (ids are unique, so
 * the order is total and qsort's is the only one). */
static const site_model *order_m;

static const char *order_county(int i)
{
	return order_m->nodes[i].county >= 0 ? order_m->regions[order_m->nodes[i].county].id : "~";
}

static int cmp_centre(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(order_county(x), order_county(y));

	return c ? c : strcmp(order_m->nodes[x].id, order_m->nodes[y].id);
}

static int *centre_order(const site_model *m, int *count)
{
	int *ord = malloc(sizeof(int) * (size_t)(m->nnodes + 1)), n = 0, i;

	if (!ord)
		return NULL;
	for (i = 0; i < m->nnodes; i++)
		if (site_node_is_centre(&m->nodes[i]))
			ord[n++] = i;
	order_m = m;
	qsort(ord, (size_t)n, sizeof *ord, cmp_centre);
	order_m = NULL;
	*count = n;
	return ord;
}

static void centre_card(site_page *p, hearth_buf *h, hearth_buf *md, const site_node *n)
{
	const site_model *m = p->ctx->m;
	char href[200];
	int k, first;

	snprintf(href, sizeof href, "centres/%s.html", n->slug);
	site_put_printf(p, h, "<li data-county=\"%s\" data-age=\"",
		n->county >= 0 ? m->regions[n->county].id : "");
	for (k = 0, first = 1; k < 3; k++)
		if (n->band_vac[k] > 0)
			site_put_printf(p, h, "%s%s", first ? "" : " ", site_age_bands[k]), first = 0;
	site_put_printf(p, h, "\" data-care=\"");
	for (k = 0, first = 1; k < 3; k++)
		if (n->care[k])
			site_put_printf(p, h, "%s%s", first ? "" : " ", site_care_types[k]), first = 0;
	site_put_printf(p, h, "\"><a href=\"");
	site_put_href(p, h, href);
	site_put_printf(p, h, "\">");
	site_put_html(p, h, site_node_name(p, n));
	site_put_printf(p, h, "</a><br><span class=\"meta\">");
	site_put_html(p, h, site_county_name(m, p->lang, n->county));
	site_put_printf(p, h, " · ");
	site_put_html(p, h, site_enum(p->lang, "status", n->status));
	if (n->affordable == 1) {
		site_put_printf(p, h, " · ");
		site_put_html(p, h, L("Affordable (普惠)"));
	}
	site_put_printf(p, h, "</span><br>");
	site_put_html(p, h, L("Vacancies"));
	site_put_printf(p, h, " <strong>%ld</strong> / ", n->vacancies);
	site_put_html(p, h, L("Places"));
	site_put_printf(p, h, " %ld</li>\n", n->places >= 0 ? n->places : n->capacity);

	site_put_printf(p, md, "- [");
	site_put_md(p, md, site_node_name(p, n));
	site_put_printf(p, md, "](%s) — ", href + strlen("centres/"));
	site_put_md(p, md, site_county_name(m, p->lang, n->county));
	site_put_printf(p, md, ", ");
	site_put_md(p, md, site_enum(p->lang, "status", n->status));
	site_put_printf(p, md, ", %s %ld / %s %ld\n", L("Vacancies"), n->vacancies, L("Places"),
		n->places >= 0 ? n->places : n->capacity);
}

/* What centre_card shows of each centre site_centre_list would list, in its order. */
int site_centre_list_key(site_ctx *ctx, hearth_buf *b, int (*keep)(const site_node *, int),
	int arg)
{
	const site_model *m = ctx->m;
	int *ord, n, i, k;

	ord = centre_order(m, &n);
	if (!ord)
		return hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
	for (i = 0; i < n; i++) {
		const site_node *x = &m->nodes[ord[i]];
		if (keep && !keep(x, arg))
			continue;
		site_key_str(ctx, b, x->slug);
		site_key_str(ctx, b, x->name);
		site_key_str(ctx, b, x->name_en);
		site_key_num(ctx, b, x->county);
		site_key_str(ctx, b, x->status);
		site_key_num(ctx, b, x->affordable == 1);
		site_key_num(ctx, b, x->vacancies);
		site_key_num(ctx, b, x->places >= 0 ? x->places : x->capacity);
		for (k = 0; k < 3; k++) {
			site_key_num(ctx, b, x->band_vac[k] > 0);
			site_key_num(ctx, b, x->care[k] != 0);
		}
	}
	free(ord);
	return 0;
}

/* A list of centres; `keep` selects (NULL: all). */
void site_centre_list(site_page *p, int (*keep)(const site_node *, int), int arg)
{
	const site_model *m = p->ctx->m;
	hearth_buf h = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT;
	int *ord, n, i, shown = 0;

	ord = centre_order(m, &n);
	if (!ord) {
		p->rc = hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
		return;
	}
	site_put_printf(p, &h, "<ul class=\"cards\" id=\"centre-list\">\n");
	for (i = 0; i < n; i++) {
		if (keep && !keep(&m->nodes[ord[i]], arg))
			continue;
		centre_card(p, &h, &md, &m->nodes[ord[i]]);
		shown++;
	}
	site_put_printf(p, &h, "</ul>\n");
	if (!shown) {
		hearth_buf_clear(&h);
		site_put_printf(p, &h, "<p>");
		site_put_html(p, &h, L("No centre matches."));
		site_put_printf(p, &h, "</p>\n");
		site_put_printf(p, &md, "%s\n", L("No centre matches."));
	}
	site_put_printf(p, &h, "<p id=\"match-count\" class=\"meta\" aria-live=\"polite\" data-label=\"");
	site_put_html(p, &h, L("centres match"));
	site_put_printf(p, &h, "\">%d ", shown);
	site_put_html(p, &h, L("centres match"));
	site_put_printf(p, &h, "</p>\n");
	site_put_block(p, &h, &md);
	hearth_buf_dispose(&h);
	hearth_buf_dispose(&md);
	free(ord);
}

void site_event_list(site_page *p, int upcoming, int limit)
{
	const site_model *m = p->ctx->m;
	hearth_buf h = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT, path = HEARTH_BUF_INIT;
	int i, shown = 0;

	site_put_printf(p, &h, "<ul class=\"events\">\n");
	for (i = 0; i < m->nevents && (!limit || shown < limit); i++) {
		/* upcoming soonest first, past most recent first */
		const site_event *e = &m->events[upcoming ? i : m->nevents - 1 - i];
		char when[40];
		if (site_event_upcoming(m, e) != upcoming)
			continue;
		hearth_buf_clear(&path);
		site_event_path(&path, e, "html");
		site_when_text(when, sizeof when, e->starts_at);
		site_put_printf(p, &h, "<li><time datetime=\"");
		site_put_html(p, &h, e->starts_at);
		site_put_printf(p, &h, "\">");
		site_put_html(p, &h, when);
		site_put_printf(p, &h, "</time> <a href=\"");
		site_put_href(p, &h, path.ptr);
		site_put_printf(p, &h, "\">");
		site_put_html(p, &h, site_name(p->lang, e->title, e->title_en));
		site_put_printf(p, &h, "</a> <span class=\"meta\">");
		site_put_html(p, &h, site_enum(p->lang, "event", e->kind));
		if (e->node >= 0) {
			site_put_printf(p, &h, " · ");
			site_put_html(p, &h, site_node_name(p, &m->nodes[e->node]));
		}
		site_put_printf(p, &h, "</span></li>\n");
		site_put_printf(p, &md, "- ");
		site_put_md(p, &md, when);
		site_put_printf(p, &md, " [");
		site_put_md(p, &md, site_name(p->lang, e->title, e->title_en));
		site_put_printf(p, &md, "](/%s%s)\n", p->lang->prefix, path.ptr);
		shown++;
	}
	site_put_printf(p, &h, "</ul>\n");
	if (!shown) {
		hearth_buf_clear(&h);
		site_put_printf(p, &h, "<p>");
		site_put_html(p, &h, L("No upcoming events."));
		site_put_printf(p, &h, "</p>\n");
		site_put_printf(p, &md, "%s\n", L("No upcoming events."));
	}
	site_put_block(p, &h, &md);
	hearth_buf_dispose(&h);
	hearth_buf_dispose(&md);
	hearth_buf_dispose(&path);
}
