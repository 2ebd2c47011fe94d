/*
 * The page kinds: home, county coverage, centre directory with facet pages, one page per
 * centre, volunteer services, events, about, accessibility, open data, search, 404. Each is
 * written for both languages by the same function.
 */
#include "site_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L(key) site_l(p->lang, key)

static const char *const bands[3] = { "0-1", "1-2", "2-3" };
static const char *const cares[3] = { "full_day", "temporary", "hourly" };

/* The directory's own pages (centres_write): index, county-<region>, age-<band>, care-<type>. */
int site_centre_page_reserved(const char *slug)
{
	return strcmp(slug, "index") == 0 || strncmp(slug, "county-", 7) == 0 ||
	       strncmp(slug, "age-", 4) == 0 || strncmp(slug, "care-", 5) == 0;
}

/* ---- small writers into a scratch buffer, errors kept in the page ------------------------- */

static void H(site_page *p, hearth_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void H(site_page *p, hearth_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	/* format straight into the buffer's spare room; only a longer result formats twice */
	if (p->rc || hearth_buf_grow(b, 128) < 0) {
		p->rc = p->rc ? p->rc : HEARTH_ERROR;
		return;
	}
	room = b->asize - b->size;
	va_start(ap, fmt);
	n = vsnprintf(b->ptr + b->size, room, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= room) {
		if (hearth_buf_grow(b, (size_t)n) < 0) {
			p->rc = HEARTH_ERROR;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(b->ptr + b->size, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (n < 0) {
		p->rc = HEARTH_ERROR;
		b->ptr[b->size] = 0;
		return;
	}
	b->size += (size_t)n;
}

/* escaped text */
static void E(site_page *p, hearth_buf *b, const char *s)
{
	if (p->rc == 0 && site_esc_html(b, s ? s : "") < 0)
		p->rc = HEARTH_ERROR;
}

/* a relative URL from this page to `to` (a path inside this page's language) */
static void A(site_page *p, hearth_buf *b, const char *to)
{
	if (p->rc == 0 && (site_href(b, p->from, p->lang->prefix) < 0 || hearth_buf_puts(b, to) < 0))
		p->rc = HEARTH_ERROR;
}

/* Markdown-escaped text */
static void M(site_page *p, hearth_buf *b, const char *s)
{
	if (p->rc == 0 && site_esc_md(b, s ? s : "") < 0)
		p->rc = HEARTH_ERROR;
}

/* hand a generated HTML block and its Markdown form to the page, emptying both buffers */
static void block(site_page *p, hearth_buf *html, hearth_buf *md)
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

static int event_upcoming(const site_model *m, const site_event *e)
{
	return strncmp(e->starts_at, m->today, 10) >= 0;
}

static const char *node_name(const site_page *p, const site_node *n)
{
	return site_name(p->lang, n->name, n->name_en);
}

static int is_stale(const site_model *m, const site_node *n)
{
	return n->last_seen_ms < 0 ||
	       (int64_t)m->now_ms - n->last_seen_ms > (int64_t)(14 * HEARTH_DAY_MS);
}

static void when_text(char *out, size_t n, const char *iso)
{
	size_t i;

	snprintf(out, n, "%s", iso ? iso : "");
	for (i = 0; out[i]; i++)
		if (out[i] == 'T')
			out[i] = ' ';
}

/* ---- lists shared by several pages -------------------------------------------------------- */

/* The centres of the directory in display order: by county id, then id. */
static int *centre_order(const site_model *m, int *count)
{
	int *ord = malloc(sizeof(int) * (size_t)(m->nnodes + 1)), n = 0, i, j;

	if (!ord)
		return NULL;
	for (i = 0; i < m->nnodes; i++)
		if (site_node_is_centre(&m->nodes[i]))
			ord[n++] = i;
	for (i = 1; i < n; i++) {
		int x = ord[i];
		const char *cx = m->nodes[x].county >= 0 ? m->regions[m->nodes[x].county].id : "~";
		for (j = i; j > 0; j--) {
			int y = ord[j - 1];
			const char *cy = m->nodes[y].county >= 0 ? m->regions[m->nodes[y].county].id : "~";
			int c = strcmp(cy, cx);
			if (c < 0 || (c == 0 && strcmp(m->nodes[y].id, m->nodes[x].id) < 0))
				break;
			ord[j] = y;
		}
		ord[j] = x;
	}
	*count = n;
	return ord;
}

static void centre_card(site_page *p, hearth_buf *h, hearth_buf *md, const site_node *n)
{
	const site_model *m = p->ctx->m;
	char href[200];
	int k, first;

	snprintf(href, sizeof href, "centres/%s.html", n->slug);
	H(p, h, "<li data-county=\"%s\" data-age=\"", n->county >= 0 ? m->regions[n->county].id : "");
	for (k = 0, first = 1; k < 3; k++)
		if (n->band_vac[k] > 0)
			H(p, h, "%s%s", first ? "" : " ", bands[k]), first = 0;
	H(p, h, "\" data-care=\"");
	for (k = 0, first = 1; k < 3; k++)
		if (n->care[k])
			H(p, h, "%s%s", first ? "" : " ", cares[k]), first = 0;
	H(p, h, "\"><a href=\"");
	A(p, h, href);
	H(p, h, "\">");
	E(p, h, node_name(p, n));
	H(p, h, "</a><br><span class=\"meta\">");
	E(p, h, site_county_name(m, p->lang, n->county));
	H(p, h, " · ");
	E(p, h, site_enum(p->lang, "status", n->status));
	if (n->affordable == 1) {
		H(p, h, " · ");
		E(p, h, L("Affordable (普惠)"));
	}
	H(p, h, "</span><br>");
	E(p, h, L("Vacancies"));
	H(p, h, " <strong>%ld</strong> / ", n->vacancies);
	E(p, h, L("Places"));
	H(p, h, " %ld</li>\n", n->places >= 0 ? n->places : n->capacity);

	H(p, md, "- [");
	M(p, md, node_name(p, n));
	H(p, md, "](%s) — ", href + strlen("centres/"));
	M(p, md, site_county_name(m, p->lang, n->county));
	H(p, md, ", ");
	M(p, md, site_enum(p->lang, "status", n->status));
	H(p, md, ", %s %ld / %s %ld\n", L("Vacancies"), n->vacancies, L("Places"),
		n->places >= 0 ? n->places : n->capacity);
}

/* A list of centres; `keep` selects (NULL: all). */
static void centre_list(site_page *p, int (*keep)(const site_node *, int), int arg)
{
	const site_model *m = p->ctx->m;
	hearth_buf h = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT;
	int *ord, n, i, shown = 0;

	ord = centre_order(m, &n);
	if (!ord) {
		p->rc = hearth_error_set(HEARTH_ERROR, "cannot build the site: out of memory");
		return;
	}
	H(p, &h, "<ul class=\"cards\" id=\"centre-list\">\n");
	for (i = 0; i < n; i++) {
		if (keep && !keep(&m->nodes[ord[i]], arg))
			continue;
		centre_card(p, &h, &md, &m->nodes[ord[i]]);
		shown++;
	}
	H(p, &h, "</ul>\n");
	if (!shown) {
		hearth_buf_clear(&h);
		H(p, &h, "<p>");
		E(p, &h, L("No centre matches."));
		H(p, &h, "</p>\n");
		H(p, &md, "%s\n", L("No centre matches."));
	}
	H(p, &h, "<p id=\"match-count\" class=\"meta\" aria-live=\"polite\" data-label=\"");
	E(p, &h, L("centres match"));
	H(p, &h, "\">%d ", shown);
	E(p, &h, L("centres match"));
	H(p, &h, "</p>\n");
	block(p, &h, &md);
	hearth_buf_dispose(&h);
	hearth_buf_dispose(&md);
	free(ord);
}

static void event_list(site_page *p, int upcoming, int limit)
{
	const site_model *m = p->ctx->m;
	hearth_buf h = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT, path = HEARTH_BUF_INIT;
	int i, shown = 0;

	H(p, &h, "<ul class=\"events\">\n");
	for (i = 0; i < m->nevents && (!limit || shown < limit); i++) {
		/* upcoming soonest first, past most recent first */
		const site_event *e = &m->events[upcoming ? i : m->nevents - 1 - i];
		char when[40];
		if (event_upcoming(m, e) != upcoming)
			continue;
		hearth_buf_clear(&path);
		site_event_path(&path, e, "html");
		when_text(when, sizeof when, e->starts_at);
		H(p, &h, "<li><time datetime=\"");
		E(p, &h, e->starts_at);
		H(p, &h, "\">");
		E(p, &h, when);
		H(p, &h, "</time> <a href=\"");
		A(p, &h, path.ptr);
		H(p, &h, "\">");
		E(p, &h, site_name(p->lang, e->title, e->title_en));
		H(p, &h, "</a> <span class=\"meta\">");
		E(p, &h, site_enum(p->lang, "event", e->kind));
		if (e->node >= 0) {
			H(p, &h, " · ");
			E(p, &h, node_name(p, &m->nodes[e->node]));
		}
		H(p, &h, "</span></li>\n");
		H(p, &md, "- ");
		M(p, &md, when);
		H(p, &md, " [");
		M(p, &md, site_name(p->lang, e->title, e->title_en));
		H(p, &md, "](/%s%s)\n", p->lang->prefix, path.ptr);
		shown++;
	}
	H(p, &h, "</ul>\n");
	if (!shown) {
		hearth_buf_clear(&h);
		H(p, &h, "<p>");
		E(p, &h, L("No upcoming events."));
		H(p, &h, "</p>\n");
		H(p, &md, "%s\n", L("No upcoming events."));
	}
	block(p, &h, &md);
	hearth_buf_dispose(&h);
	hearth_buf_dispose(&md);
	hearth_buf_dispose(&path);
}

/* ---- charts with their data tables -------------------------------------------------------- */

static void county_chart(site_page *p)
{
	const site_model *m = p->ctx->m;
	hearth_buf h = HEARTH_BUF_INIT;
	site_bar *bars = calloc((size_t)m->nregions + 1, sizeof *bars);
	const char *heads[3];
	site_table t;
	int i, j, n = 0;

	if (!bars) {
		p->rc = hearth_error_set(HEARTH_ERROR, "cannot build the site: out of memory");
		return;
	}
	for (i = 0; i < m->nregions; i++) {
		if (!m->regions[i].level || strcmp(m->regions[i].level, "county") != 0)
			continue;
		bars[n].label = site_county_name(m, p->lang, i);
		for (j = 0; j < m->nnodes; j++) {
			const site_node *c = &m->nodes[j];
			if (!site_node_is_centre(c) || c->county != i || strcmp(c->status, "open") != 0)
				continue;
			bars[n].a += c->places >= 0 ? c->places : c->capacity;
			bars[n].b += c->vacancies;
		}
		n++;
	}
	H(p, &h, "<figure class=\"chart\">\n");
	if (p->rc == 0 && site_svg_bars(&h, "chart-county", L("Places and vacancies per county"),
				  L("Places and vacancies per county"), L("Places"), L("Vacancies"),
				  bars, n) < 0)
		p->rc = HEARTH_ERROR;
	H(p, &h, "<figcaption>");
	E(p, &h, L("Places and vacancies per county"));
	H(p, &h, "</figcaption>\n</figure>\n");
	block(p, &h, NULL);
	heads[0] = L("County"), heads[1] = L("Places"), heads[2] = L("Vacancies");
	site_table_begin(&t, p->from, L("Places and vacancies per county"), 3, heads, NULL);
	for (i = 0; i < n; i++) {
		site_table_cell(&t, bars[i].label, NULL, 0);
		site_table_cellf(&t, 1, "%ld", bars[i].a);
		site_table_cellf(&t, 1, "%ld", bars[i].b);
	}
	site_table_end(&t, p);
	hearth_buf_dispose(&h);
	free(bars);
}

/* The last 12 months ending with this month, oldest first, as "YYYY-MM". */
static void last_months(const site_model *m, char months[12][12])
{
	int y = atoi(m->today), mo = atoi(m->today + 5), i;

	for (i = 11; i >= 0; i--) {
		snprintf(months[i], sizeof months[i], "%04d-%02d", y % 10000, mo % 100);
		if (--mo == 0)
			mo = 12, y--;
	}
}

static void solved_chart(site_page *p)
{
	const site_model *m = p->ctx->m;
	hearth_buf h = HEARTH_BUF_INIT;
	site_bar bars[12];
	char months[12][12];
	const char *heads[2];
	site_table t;
	int i, j;

	last_months(m, months);
	memset(bars, 0, sizeof bars);
	for (i = 0; i < 12; i++) {
		bars[i].label = months[i];
		for (j = 0; j < m->nsolved; j++)
			if (strcmp(m->solved[j].month, months[i]) == 0)
				bars[i].a += m->solved[j].count;
	}
	H(p, &h, "<figure class=\"chart\">\n");
	if (p->rc == 0 && site_svg_bars(&h, "chart-solved", L("Requests solved per month"),
				  L("Requests solved per month"), L("Solved"), NULL, bars, 12) < 0)
		p->rc = HEARTH_ERROR;
	H(p, &h, "<figcaption>");
	E(p, &h, L("Requests solved per month"));
	H(p, &h, "</figcaption>\n</figure>\n");
	block(p, &h, NULL);
	heads[0] = L("Month"), heads[1] = L("Solved");
	site_table_begin(&t, p->from, L("Requests solved per month"), 2, heads, NULL);
	for (i = 0; i < 12; i++) {
		site_table_cell(&t, months[i], NULL, 0);
		site_table_cellf(&t, 1, "%ld", bars[i].a);
	}
	site_table_end(&t, p);
	hearth_buf_dispose(&h);
}

/* ---- pages -------------------------------------------------------------------------------- */

static int finish(site_page *p, const char *title, const char *desc)
{
	int rc = site_page_end(p, title, desc);
	site_page_dispose(p);
	return rc;
}

static int page_home(site_ctx *ctx, const site_lang *l)
{
	const site_model *m = ctx->m;
	long open = 0, places = 0, vac = 0, aff = 0, solved = 0;
	char href[64];
	const char *heads[2];
	site_table t;
	site_page pg, *p = &pg;
	int i;

	for (i = 0; i < m->nnodes; i++) {
		const site_node *n = &m->nodes[i];
		long pl = n->places >= 0 ? n->places : n->capacity;
		if (!site_node_is_centre(n) || strcmp(n->status, "open") != 0)
			continue;
		open++, places += pl, vac += n->vacancies;
		if (n->affordable == 1)
			aff += pl;
	}
	for (i = 0; i < m->nsolved; i++)
		if (strncmp(m->solved[i].month, m->today, 4) == 0)
			solved += m->solved[i].count;
	site_page_begin(p, ctx, l, "index.html", NULL);
	site_page_md(p, "%s\n\n", l->en ?
		"Childcare centres with free places, volunteer help for residents and upcoming "
		"lectures and clinics in Changzhi, from the centres' own records." :
		"长治市托育机构的空余托位、社区志愿服务和近期讲座义诊，数据来自各机构的日常记录。");
	heads[0] = L("Figure"), heads[1] = L("Value");
	site_table_begin(&t, p->from, L("Figures"), 2, heads, "figures");
	snprintf(href, sizeof href, "%scentres/index.html", l->prefix);
	site_table_cell(&t, L("Centres open"), href, 0);
	site_table_cellf(&t, 1, "%ld", open);
	site_table_cell(&t, L("Places"), NULL, 0);
	site_table_cellf(&t, 1, "%ld", places);
	site_table_cell(&t, L("Vacancies now"), NULL, 0);
	site_table_cellf(&t, 1, "%ld", vac);
	site_table_cell(&t, L("Affordable share"), NULL, 0);
	site_table_cellf(&t, 1, "%ld%%", places ? (aff * 100 + places / 2) / places : 0);
	snprintf(href, sizeof href, "%sservices.html", l->prefix);
	site_table_cell(&t, L("Requests solved this year"), href, 0);
	site_table_cellf(&t, 1, "%ld", solved);
	site_table_end(&t, p);
	site_page_md(p, "## %s\n\n", L("Upcoming events"));
	event_list(p, 1, 5);
	site_page_md(p, "## %s\n\n", L("Centres"));
	site_page_md(p, "- [%s](centres/index.html)\n- [%s](coverage.html)\n- [%s](services.html)\n",
		L("All centres"), L("County coverage"), L("Volunteer services"));
	return finish(p, L("Changzhi childcare and community services"), NULL);
}

static int page_coverage(site_ctx *ctx, const site_lang *l)
{
	const site_model *m = ctx->m;
	const char *heads[5];
	site_table t;
	site_page pg, *p = &pg;
	int i, j;

	site_page_begin(p, ctx, l, "coverage.html", NULL);
	site_page_md(p, "%s\n\n", l->en ?
		"Every county and district of Changzhi builds one public demonstration childcare "
		"centre of 80 to 150 places, which also guides the community and family childcare "
		"points of its county. One row per county:" :
		"按照市里的部署，每个县区建设一所80至150个托位的公办示范性综合托育机构，"
		"并指导本县区的社区和家庭托育点。各县区情况如下：");
	heads[0] = L("County"), heads[1] = L("Demonstration centre"), heads[2] = L("Status");
	heads[3] = L("Places"), heads[4] = L("Opening date");
	site_table_begin(&t, p->from, L("County coverage"), 5, heads, NULL);
	for (i = 0; i < m->nregions; i++) {
		int best = -1, best_rank = 99;
		if (!m->regions[i].level || strcmp(m->regions[i].level, "county") != 0)
			continue;
		/* the county's public centre furthest along: open, building, planned */
		for (j = 0; j < m->nnodes; j++) {
			const site_node *n = &m->nodes[j];
			int rank;
			if (strcmp(n->kind, "childcare_centre") != 0 || n->county != i ||
			    !n->operator_ || strcmp(n->operator_, "public") != 0)
				continue;
			rank = strcmp(n->status, "open") == 0 ? 0 :
			       strcmp(n->status, "building") == 0 ? 1 :
			       strcmp(n->status, "planned") == 0 ? 2 : 3;
			if (rank < best_rank)
				best = j, best_rank = rank;
		}
		site_table_cell(&t, site_county_name(m, l, i), NULL, 0);
		if (best < 0) {
			site_table_cell(&t, L("not registered yet"), NULL, 0);
			site_table_cell(&t, "", NULL, 0);
			site_table_cell(&t, "", NULL, 1);
			site_table_cell(&t, "", NULL, 0);
		} else {
			const site_node *n = &m->nodes[best];
			char href[200];
			snprintf(href, sizeof href, "%scentres/%s.html", l->prefix, n->slug);
			site_table_cell(&t, node_name(p, n), href, 0);
			site_table_cell(&t, site_enum(l, "status", n->status), NULL, 0);
			if (n->places >= 0)
				site_table_cellf(&t, 1, "%ld", n->places);
			else
				site_table_cell(&t, "", NULL, 1);
			site_table_cell(&t, n->opens_on, NULL, 0);
		}
	}
	site_table_end(&t, p);
	site_page_md(p, "## %s\n\n", L("Places and vacancies per county"));
	county_chart(p);
	return finish(p, L("County coverage"), NULL);
}

/* Facet navigation: plain links to one page per facet value (works without JavaScript), and a
 * form the script reveals on the directory page to combine facets. */
static void facet_nav(site_page *p, int with_form)
{
	const site_model *m = p->ctx->m;
	hearth_buf h = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT;
	char href[120];
	int i, k;

	H(p, &h, "<nav class=\"facets\" aria-label=\"");
	E(p, &h, L("Filter"));
	H(p, &h, "\">\n<h2>");
	E(p, &h, L("Filter"));
	H(p, &h, "</h2>\n<p><a href=\"");
	A(p, &h, "centres/index.html");
	H(p, &h, "\">");
	E(p, &h, L("All centres"));
	H(p, &h, "</a></p>\n<h3>");
	E(p, &h, L("County"));
	H(p, &h, "</h3>\n<ul>\n");
	H(p, &md, "## %s\n\n", L("Filter"));
	for (i = 0; i < m->nregions; i++) {
		if (!m->regions[i].level || strcmp(m->regions[i].level, "county") != 0)
			continue;
		snprintf(href, sizeof href, "centres/county-%s.html", m->regions[i].id);
		H(p, &h, "<li><a href=\"");
		A(p, &h, href);
		H(p, &h, "\">");
		E(p, &h, site_county_name(m, p->lang, i));
		H(p, &h, "</a></li>\n");
		H(p, &md, "- [");
		M(p, &md, site_county_name(m, p->lang, i));
		H(p, &md, "](%s)\n", href + 8);
	}
	H(p, &h, "</ul>\n<h3>");
	E(p, &h, L("Age band with vacancies"));
	H(p, &h, "</h3>\n<ul>\n");
	for (k = 0; k < 3; k++) {
		snprintf(href, sizeof href, "centres/age-%s.html", bands[k]);
		H(p, &h, "<li><a href=\"");
		A(p, &h, href);
		H(p, &h, "\">");
		E(p, &h, site_enum(p->lang, "band", bands[k]));
		H(p, &h, "</a></li>\n");
		H(p, &md, "- [%s](%s)\n", site_enum(p->lang, "band", bands[k]), href + 8);
	}
	H(p, &h, "</ul>\n<h3>");
	E(p, &h, L("Care type"));
	H(p, &h, "</h3>\n<ul>\n");
	for (k = 0; k < 3; k++) {
		snprintf(href, sizeof href, "centres/care-%s.html", cares[k]);
		H(p, &h, "<li><a href=\"");
		A(p, &h, href);
		H(p, &h, "\">");
		E(p, &h, site_enum(p->lang, "care", cares[k]));
		H(p, &h, "</a></li>\n");
		H(p, &md, "- [%s](%s)\n", site_enum(p->lang, "care", cares[k]), href + 8);
	}
	H(p, &h, "</ul>\n</nav>\n");
	if (with_form) {
		/* hidden until the script runs: without JavaScript the links above are the facets */
		H(p, &h, "<form class=\"facet-form\" id=\"facet-form\" hidden>\n<label for=\"f-county\">");
		E(p, &h, L("County"));
		H(p, &h, "</label>\n<select id=\"f-county\" name=\"county\"><option value=\"\">");
		E(p, &h, L("any"));
		H(p, &h, "</option>\n");
		for (i = 0; i < m->nregions; i++) {
			if (!m->regions[i].level || strcmp(m->regions[i].level, "county") != 0)
				continue;
			H(p, &h, "<option value=\"%s\">", m->regions[i].id);
			E(p, &h, site_county_name(m, p->lang, i));
			H(p, &h, "</option>\n");
		}
		H(p, &h, "</select>\n<label for=\"f-age\">");
		E(p, &h, L("Age band with vacancies"));
		H(p, &h, "</label>\n<select id=\"f-age\" name=\"age\"><option value=\"\">");
		E(p, &h, L("any"));
		H(p, &h, "</option>\n");
		for (k = 0; k < 3; k++) {
			H(p, &h, "<option value=\"%s\">", bands[k]);
			E(p, &h, site_enum(p->lang, "band", bands[k]));
			H(p, &h, "</option>\n");
		}
		H(p, &h, "</select>\n<label for=\"f-care\">");
		E(p, &h, L("Care type"));
		H(p, &h, "</label>\n<select id=\"f-care\" name=\"care\"><option value=\"\">");
		E(p, &h, L("any"));
		H(p, &h, "</option>\n");
		for (k = 0; k < 3; k++) {
			H(p, &h, "<option value=\"%s\">", cares[k]);
			E(p, &h, site_enum(p->lang, "care", cares[k]));
			H(p, &h, "</option>\n");
		}
		H(p, &h, "</select>\n<button type=\"submit\">");
		E(p, &h, L("Show"));
		H(p, &h, "</button>\n</form>\n");
	}
	block(p, &h, &md);
	hearth_buf_dispose(&h);
	hearth_buf_dispose(&md);
}

static int keep_county(const site_node *n, int county)
{
	return n->county == county;
}

static int keep_band(const site_node *n, int band)
{
	return n->band_vac[band] > 0;
}

static int keep_care(const site_node *n, int care)
{
	return n->care[care];
}

static int page_directory(site_ctx *ctx, const site_lang *l)
{
	const site_model *m = ctx->m;
	hearth_buf title = HEARTH_BUF_INIT;
	char path[120];
	site_page pg, *p = &pg;
	int i, k, rc;

	site_page_begin(p, ctx, l, "centres/index.html", NULL);
	facet_nav(p, 1);
	site_page_md(p, "## %s\n\n", L("All centres"));
	centre_list(p, NULL, 0);
	rc = finish(p, L("Centres"), NULL);
	for (i = 0; rc == 0 && i < m->nregions; i++) {
		if (!m->regions[i].level || strcmp(m->regions[i].level, "county") != 0)
			continue;
		snprintf(path, sizeof path, "centres/county-%s.html", m->regions[i].id);
		site_page_begin(p, ctx, l, path, NULL);
		facet_nav(p, 0);
		hearth_buf_clear(&title);
		hearth_buf_printf(&title, "%s: %s", L("Centres"), site_county_name(m, l, i));
		site_page_md(p, "## %s\n\n", L("Centres"));
		centre_list(p, keep_county, i);
		rc = finish(p, title.ptr, NULL);
	}
	for (k = 0; rc == 0 && k < 6; k++) {
		if (k < 3)
			snprintf(path, sizeof path, "centres/age-%s.html", bands[k]);
		else
			snprintf(path, sizeof path, "centres/care-%s.html", cares[k - 3]);
		site_page_begin(p, ctx, l, path, NULL);
		facet_nav(p, 0);
		hearth_buf_clear(&title);
		hearth_buf_printf(&title, "%s: %s", k < 3 ? L("Age band with vacancies") : L("Care type"),
			k < 3 ? site_enum(l, "band", bands[k]) : site_enum(l, "care", cares[k - 3]));
		site_page_md(p, "## %s\n\n", L("Centres"));
		centre_list(p, k < 3 ? keep_band : keep_care, k < 3 ? k : k - 3);
		rc = finish(p, title.ptr, NULL);
	}
	hearth_buf_dispose(&title);
	return rc;
}

/* The contact block: first thing under the title, the same place on every centre page. */
static void contact_block(site_page *p, const site_node *n)
{
	hearth_buf h = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT;
	size_t i;

	H(p, &h, "<dl class=\"contact\">\n<dt>");
	E(p, &h, L("Phone"));
	H(p, &h, "</dt><dd>");
	if (n->phone && site_phone_ok(n->phone)) {
		H(p, &h, "<a class=\"tel\" href=\"tel:");
		for (i = 0; n->phone[i]; i++)
			if (n->phone[i] != ' ')
				H(p, &h, "%c", n->phone[i]);
		H(p, &h, "\">");
		/* the number must not wrap across lines: non-breaking hyphens and spaces */
		for (i = 0; n->phone[i]; i++) {
			if (n->phone[i] == '-')
				H(p, &h, "&#8209;");
			else if (n->phone[i] == ' ')
				H(p, &h, "&nbsp;");
			else
				H(p, &h, "%c", n->phone[i]); /* digits and '+': site_phone_ok */
		}
		H(p, &h, "</a>");
	} else {
		E(p, &h, n->phone ? n->phone : "—");
	}
	H(p, &h, "</dd>\n<dt>");
	E(p, &h, L("Address"));
	H(p, &h, "</dt><dd>");
	E(p, &h, n->address ? n->address : "—");
	H(p, &h, "</dd>\n<dt>");
	E(p, &h, L("Hours"));
	H(p, &h, "</dt><dd>");
	E(p, &h, n->hours ? n->hours : "—");
	H(p, &h, "</dd>\n</dl>\n");
	H(p, &md, "- %s: ", L("Phone"));
	M(p, &md, n->phone ? n->phone : "—");
	H(p, &md, "\n- %s: ", L("Address"));
	M(p, &md, n->address ? n->address : "—");
	H(p, &md, "\n- %s: ", L("Hours"));
	M(p, &md, n->hours ? n->hours : "—");
	H(p, &md, "\n");
	block(p, &h, &md);
	hearth_buf_dispose(&h);
	hearth_buf_dispose(&md);
}

static void node_facts(site_page *p, const site_node *n)
{
	const site_model *m = p->ctx->m;
	const char *heads[2];
	char seen[32];
	site_table t;

	heads[0] = L("Figure"), heads[1] = L("Value");
	site_table_begin(&t, p->from, L("Figures"), 2, heads, "facts");
	site_table_cell(&t, L("Kind"), NULL, 0);
	site_table_cell(&t, site_enum(p->lang, "kind", n->kind), NULL, 0);
	if (n->county >= 0) {
		char href[120];
		snprintf(href, sizeof href, "%scentres/county-%s.html", p->lang->prefix,
			m->regions[n->county].id);
		site_table_cell(&t, L("County"), NULL, 0);
		site_table_cell(&t, site_county_name(m, p->lang, n->county),
			site_node_is_centre(n) ? href : NULL, 0);
	}
	site_table_cell(&t, L("Status"), NULL, 0);
	site_table_cell(&t, site_enum(p->lang, "status", n->status), NULL, 0);
	if (n->opens_on && strcmp(n->status, "open") != 0) {
		site_table_cell(&t, L("Opening date"), NULL, 0);
		site_table_cell(&t, n->opens_on, NULL, 0);
	}
	if (n->operator_) {
		site_table_cell(&t, L("Operator"), NULL, 0);
		site_table_cell(&t, site_enum(p->lang, "operator", n->operator_), NULL, 0);
	}
	if (site_node_is_centre(n)) {
		site_table_cell(&t, L("Affordable (普惠)"), NULL, 0);
		site_table_cell(&t, n->affordable == 1 ? L("yes") : L("no"), NULL, 0);
		site_table_cell(&t, L("Places"), NULL, 0);
		site_table_cellf(&t, 1, "%ld", n->places >= 0 ? n->places : n->capacity);
		site_table_cell(&t, L("Vacancies now"), NULL, 0);
		site_table_cellf(&t, 1, "%ld", n->vacancies);
	}
	if (n->floor_area_m2 >= 0) {
		site_table_cell(&t, L("Floor area"), NULL, 0);
		site_table_cellf(&t, 1, "%ld m²", n->floor_area_m2);
	}
	if (n->site_area_m2 >= 0) {
		site_table_cell(&t, L("Site area"), NULL, 0);
		site_table_cellf(&t, 1, "%ld m²", n->site_area_m2);
	}
	if (n->last_seen_ms >= 0)
		site_format_time(seen, sizeof seen, n->last_seen_ms, 1);
	else
		snprintf(seen, sizeof seen, "%s", L("never"));
	site_table_cell(&t, L("Data updated"), NULL, 0);
	site_table_cell(&t, seen, NULL, 0);
	site_table_end(&t, p);
}

static void node_classes(site_page *p, const site_node *n)
{
	const site_model *m = p->ctx->m;
	const char *heads[4];
	site_table t;
	int i, any = 0;

	for (i = 0; i < m->nclasses; i++)
		any |= strcmp(m->classes[i].owner, n->id) == 0;
	if (!any)
		return;
	site_page_md(p, "## %s\n\n", L("Classes"));
	heads[0] = L("Class"), heads[1] = L("Age band"), heads[2] = L("Capacity");
	heads[3] = L("Vacancies");
	site_table_begin(&t, p->from, L("Classes"), 4, heads, NULL);
	for (i = 0; i < m->nclasses; i++) {
		const site_class *c = &m->classes[i];
		if (strcmp(c->owner, n->id) != 0)
			continue;
		site_table_cell(&t, c->name, NULL, 0);
		site_table_cell(&t, site_enum(p->lang, "band", c->age_band), NULL, 0);
		site_table_cellf(&t, 1, "%ld", c->capacity);
		site_table_cellf(&t, 1, "%ld", c->vacancies);
	}
	site_table_end(&t, p);
}

static void node_offers(site_page *p, const site_node *n)
{
	const site_model *m = p->ctx->m;
	const char *heads[4];
	site_table t;
	int i, any = 0;

	for (i = 0; i < m->noffers; i++)
		any |= strcmp(m->offers[i].owner, n->id) == 0;
	if (!any)
		return;
	site_page_md(p, "## %s\n\n", L("Care offers and fees"));
	heads[0] = L("Service"), heads[1] = L("Fee"), heads[2] = L("Hours"), heads[3] = L("Notes");
	site_table_begin(&t, p->from, L("Care offers and fees"), 4, heads, NULL);
	for (i = 0; i < m->noffers; i++) {
		const site_offer *o = &m->offers[i];
		int st = site_model_stype(m, o->service_type_id);
		if (strcmp(o->owner, n->id) != 0)
			continue;
		site_table_cell(&t, st >= 0 ? site_name(p->lang, m->stypes[st].name,
						     m->stypes[st].name_en) : o->service_type_id,
			NULL, 0);
		if (o->fee_yuan >= 0 && o->fee_unit)
			site_table_cellf(&t, 1, "%s%ld / %s", p->lang->en ? "¥" : "¥", o->fee_yuan,
				site_enum(p->lang, "unit", o->fee_unit));
		else if (o->fee_yuan >= 0)
			site_table_cellf(&t, 1, "¥%ld", o->fee_yuan);
		else
			site_table_cell(&t, "—", NULL, 1);
		site_table_cell(&t, o->hours, NULL, 0);
		site_table_cell(&t, o->notes, NULL, 0);
	}
	site_table_end(&t, p);
}

static void node_partners(site_page *p, const site_node *n)
{
	const site_model *m = p->ctx->m;
	const char *heads[4];
	site_table t;
	int i, any = 0;

	for (i = 0; i < m->npartners; i++)
		any |= strcmp(m->partners[i].owner, n->id) == 0 ||
		       (m->partners[i].partner_id && strcmp(m->partners[i].partner_id, n->id) == 0);
	if (!any)
		return;
	site_page_md(p, "## %s\n\n", L("Partners"));
	heads[0] = L("Partner"), heads[1] = L("Kind"), heads[2] = L("Since"), heads[3] = L("Services");
	site_table_begin(&t, p->from, L("Partners"), 4, heads, NULL);
	for (i = 0; i < m->npartners; i++) {
		const site_partner *s = &m->partners[i];
		const char *other = strcmp(s->owner, n->id) == 0 ? s->partner_id : s->owner;
		int o = site_model_node(m, other);
		char href[200];
		if (strcmp(s->owner, n->id) != 0 && !(s->partner_id && strcmp(s->partner_id, n->id) == 0))
			continue;
		if (o >= 0 && site_node_has_page(&m->nodes[o]))
			snprintf(href, sizeof href, "%scentres/%s.html", p->lang->prefix,
				m->nodes[o].slug);
		site_table_cell(&t, o >= 0 ? node_name(p, &m->nodes[o]) : other,
			o >= 0 && site_node_has_page(&m->nodes[o]) ? href : NULL, 0);
		site_table_cell(&t, site_enum(p->lang, "partner", s->kind), NULL, 0);
		site_table_cell(&t, s->since, NULL, 0);
		site_table_cell(&t, s->services, NULL, 0);
	}
	site_table_end(&t, p);
}

static void node_teams(site_page *p, const site_node *n)
{
	const site_model *m = p->ctx->m;
	const char *heads[3];
	site_table t;
	int i, any = 0;

	for (i = 0; i < m->nteams; i++)
		any |= strcmp(m->teams[i].owner, n->id) == 0;
	if (!any)
		return;
	site_page_md(p, "## %s\n\n", L("Teams"));
	heads[0] = L("Team"), heads[1] = L("Service"), heads[2] = L("Members");
	site_table_begin(&t, p->from, L("Teams"), 3, heads, NULL);
	for (i = 0; i < m->nteams; i++) {
		const site_team *tm = &m->teams[i];
		int st = site_model_stype(m, tm->service_type_id);
		if (strcmp(tm->owner, n->id) != 0)
			continue;
		site_table_cell(&t, tm->name, NULL, 0);
		site_table_cell(&t, st >= 0 ? site_name(p->lang, m->stypes[st].name, m->stypes[st].name_en)
					    : "", NULL, 0);
		if (tm->members >= 0)
			site_table_cellf(&t, 1, "%ld", tm->members);
		else
			site_table_cell(&t, "", NULL, 1);
	}
	site_table_end(&t, p);
}

static void node_events(site_page *p, const site_node *n)
{
	const site_model *m = p->ctx->m;
	hearth_buf h = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT, path = HEARTH_BUF_INIT;
	int i, any = 0;

	for (i = 0; i < m->nevents; i++) {
		const site_event *e = &m->events[i];
		char when[40];
		if (strcmp(e->owner, n->id) != 0 || !event_upcoming(m, e))
			continue;
		if (!any) {
			H(p, &h, "<h2>");
			E(p, &h, L("Upcoming events"));
			H(p, &h, "</h2>\n<ul class=\"events\">\n");
			H(p, &md, "## %s\n\n", L("Upcoming events"));
		}
		any = 1;
		hearth_buf_clear(&path);
		site_event_path(&path, e, "html");
		when_text(when, sizeof when, e->starts_at);
		H(p, &h, "<li>");
		E(p, &h, when);
		H(p, &h, " <a href=\"");
		A(p, &h, path.ptr);
		H(p, &h, "\">");
		E(p, &h, site_name(p->lang, e->title, e->title_en));
		H(p, &h, "</a></li>\n");
		H(p, &md, "- ");
		M(p, &md, when);
		H(p, &md, " ");
		M(p, &md, site_name(p->lang, e->title, e->title_en));
		H(p, &md, "\n");
	}
	if (any) {
		H(p, &h, "</ul>\n");
		block(p, &h, &md);
	}
	hearth_buf_dispose(&h);
	hearth_buf_dispose(&md);
	hearth_buf_dispose(&path);
}

static int page_node(site_ctx *ctx, const site_lang *l, const site_node *n)
{
	const site_model *m = ctx->m;
	hearth_buf h = HEARTH_BUF_INIT;
	char path[200], lastmod[16];
	site_page pg, *p = &pg;

	snprintf(path, sizeof path, "centres/%s.html", n->slug);
	if (n->last_seen_ms >= 0)
		site_format_time(lastmod, sizeof lastmod, n->last_seen_ms, 1);
	else
		snprintf(lastmod, sizeof lastmod, "%s", m->today);
	lastmod[10] = 0;
	site_page_begin(p, ctx, l, path, lastmod);
	contact_block(p, n);
	if (is_stale(m, n)) {
		const char *w = n->last_seen_ms < 0 ?
			L("Warning: this centre has never synced its data; figures come from registration only. Please phone to confirm.") :
			L("Warning: this centre has not synced its data for more than 14 days; figures may be out of date. Please phone to confirm.");
		hearth_buf md = HEARTH_BUF_INIT;
		H(p, &h, "<p class=\"warning\" role=\"note\">");
		E(p, &h, w);
		H(p, &h, "</p>\n");
		H(p, &md, "> ");
		M(p, &md, w);
		H(p, &md, "\n\n");
		block(p, &h, &md);
		hearth_buf_dispose(&md);
	}
	node_facts(p, n);
	if (n->description_md && *n->description_md) {
		site_page_md(p, "## %s\n\n", L("Description"));
		site_page_user_md(p, n->description_md);
	}
	node_classes(p, n);
	node_offers(p, n);
	node_partners(p, n);
	node_teams(p, n);
	node_events(p, n);
	hearth_buf_dispose(&h);
	return finish(p, node_name(p, n), NULL);
}

static int page_services(site_ctx *ctx, const site_lang *l)
{
	const site_model *m = ctx->m;
	hearth_buf h = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT;
	const char *heads[5];
	site_table t;
	site_page pg, *p = &pg;
	int i, any;

	site_page_begin(p, ctx, l, "services.html", NULL);
	site_page_md(p, "## %s\n\n", L("How to ask for help"));
	site_page_md(p, "%s\n\n", l->en ?
		"Phone your community's volunteer station (numbers below) or tell your grid worker. "
		"Your request is posted to the volunteers' group; a volunteer with the right skill "
		"takes it and comes to you, for example an electrician when the power keeps "
		"tripping. The service is free." :
		"拨打所在社区志愿服务站的电话（见下表），或告诉您的网格员。求助会发到志愿者群里，"
		"有相应技能的志愿者接单后上门服务，例如家里总是跳闸，电工志愿者会来检查。服务免费。");
	site_page_md(p, "## %s\n\n", L("Service types"));
	for (i = 0; i < m->nstypes; i++) {
		const site_stype *s = &m->stypes[i];
		if (!s->domain || strcmp(s->domain, "volunteer") != 0)
			continue;
		site_page_md(p, "- **");
		site_page_mdtext(p, site_name(l, s->name, s->name_en));
		site_page_md(p, "**");
		if (s->description) {
			site_page_md(p, ": ");
			site_page_mdtext(p, s->description);
		}
		site_page_md(p, "\n");
	}
	site_page_md(p, "\n## %s\n\n", L("Stations"));
	heads[0] = L("Stations"), heads[1] = L("County"), heads[2] = L("Address");
	heads[3] = L("Phone"), heads[4] = L("Hours");
	site_table_begin(&t, p->from, L("Stations"), 5, heads, NULL);
	for (i = any = 0; i < m->nnodes; i++) {
		const site_node *n = &m->nodes[i];
		char href[200];
		if (strcmp(n->kind, "volunteer_station") != 0)
			continue;
		snprintf(href, sizeof href, "%scentres/%s.html", l->prefix, n->slug);
		site_table_cell(&t, node_name(p, n), href, 0);
		site_table_cell(&t, site_county_name(m, l, n->county), NULL, 0);
		site_table_cell(&t, n->address, NULL, 0);
		site_table_cell(&t, n->phone, NULL, 0);
		site_table_cell(&t, n->hours, NULL, 0);
		any = 1;
	}
	if (!any)
		for (i = 0; i < 5; i++)
			site_table_cell(&t, i ? "" : L("No data yet."), NULL, 0);
	site_table_end(&t, p);

	if (m->nteams) {
		site_page_md(p, "## %s\n\n", L("Teams"));
		heads[0] = L("Team"), heads[1] = L("Service"), heads[2] = L("Members");
		heads[3] = L("Stations");
		site_table_begin(&t, p->from, L("Teams"), 4, heads, NULL);
		for (i = 0; i < m->nteams; i++) {
			const site_team *tm = &m->teams[i];
			int st = site_model_stype(m, tm->service_type_id), o = site_model_node(m, tm->owner);
			site_table_cell(&t, tm->name, NULL, 0);
			site_table_cell(&t, st >= 0 ? site_name(l, m->stypes[st].name, m->stypes[st].name_en)
						    : "", NULL, 0);
			if (tm->members >= 0)
				site_table_cellf(&t, 1, "%ld", tm->members);
			else
				site_table_cell(&t, "", NULL, 1);
			site_table_cell(&t, o >= 0 ? node_name(p, &m->nodes[o]) : "", NULL, 0);
		}
		site_table_end(&t, p);
	}

	site_page_md(p, "## %s\n\n", L("Requests solved per month"));
	solved_chart(p);
	site_page_md(p, "## %s\n\n", L("Requests solved per type and month"));
	heads[0] = L("Month"), heads[1] = L("Service"), heads[2] = L("Solved");
	site_table_begin(&t, p->from, L("Requests solved per type and month"), 3, heads, NULL);
	for (i = m->nsolved - 1; i >= 0; i--) {
		int st = site_model_stype(m, m->solved[i].service_type_id);
		site_table_cell(&t, m->solved[i].month, NULL, 0);
		site_table_cell(&t, st >= 0 ? site_name(l, m->stypes[st].name, m->stypes[st].name_en)
					    : "", NULL, 0);
		site_table_cellf(&t, 1, "%ld", m->solved[i].count);
	}
	if (!m->nsolved)
		for (i = 0; i < 3; i++)
			site_table_cell(&t, i ? "" : L("No data yet."), NULL, 0);
	site_table_end(&t, p);
	hearth_buf_dispose(&h);
	hearth_buf_dispose(&md);
	return finish(p, L("Volunteer services"), NULL);
}

static int page_events(site_ctx *ctx, const site_lang *l)
{
	const site_model *m = ctx->m;
	hearth_buf path = HEARTH_BUF_INIT, ics = HEARTH_BUF_INIT, h = HEARTH_BUF_INIT;
	const char *heads[2];
	site_table t;
	site_page pg, *p = &pg;
	int i, rc;

	site_page_begin(p, ctx, l, "events/index.html", NULL);
	site_page_md(p, "## %s\n\n", L("Upcoming events"));
	event_list(p, 1, 0);
	site_page_md(p, "## %s\n\n", L("Past events"));
	event_list(p, 0, 50);
	site_page_md(p, "[%s](../events.atom)\n", L("Events feed (Atom)"));
	rc = finish(p, L("Events"), NULL);

	for (i = 0; rc == 0 && i < m->nevents; i++) {
		const site_event *e = &m->events[i];
		char when[40], href[200];
		hearth_buf_clear(&path);
		hearth_buf_clear(&ics);
		site_event_path(&path, e, "html");
		site_event_path(&ics, e, "ics");
		site_page_begin(p, ctx, l, path.ptr, NULL);
		heads[0] = L("Figure"), heads[1] = L("Value");
		site_table_begin(&t, p->from, L("Events"), 2, heads, "facts");
		site_table_cell(&t, L("Kind"), NULL, 0);
		site_table_cell(&t, site_enum(l, "event", e->kind), NULL, 0);
		when_text(when, sizeof when, e->starts_at);
		site_table_cell(&t, L("Starts"), NULL, 0);
		site_table_cell(&t, when, NULL, 0);
		if (e->ends_at) {
			when_text(when, sizeof when, e->ends_at);
			site_table_cell(&t, L("Ends"), NULL, 0);
			site_table_cell(&t, when, NULL, 0);
		}
		if (e->place) {
			site_table_cell(&t, L("Place"), NULL, 0);
			site_table_cell(&t, e->place, NULL, 0);
		}
		if (e->audience) {
			site_table_cell(&t, L("Audience"), NULL, 0);
			site_table_cell(&t, site_enum(l, "audience", e->audience), NULL, 0);
		}
		if (e->node >= 0) {
			const site_node *n = &m->nodes[e->node];
			snprintf(href, sizeof href, "%scentres/%s.html", l->prefix, n->slug);
			site_table_cell(&t, L("Organiser"), NULL, 0);
			site_table_cell(&t, node_name(p, n), site_node_has_page(n) ? href : NULL, 0);
		}
		site_table_end(&t, p);
		if (e->description_md && *e->description_md)
			site_page_user_md(p, e->description_md);
		hearth_buf_clear(&h);
		H(p, &h, "<p><a href=\"");
		A(p, &h, ics.ptr);
		H(p, &h, "\" download>");
		E(p, &h, L("Add to calendar (.ics)"));
		H(p, &h, "</a></p>\n");
		site_page_html(p, h.ptr, NULL);
		site_page_md(p, "[%s](%s)\n", L("Add to calendar (.ics)"), strrchr(ics.ptr, '/') + 1);
		rc = finish(p, site_name(l, e->title, e->title_en), NULL);
	}
	hearth_buf_dispose(&path);
	hearth_buf_dispose(&ics);
	hearth_buf_dispose(&h);
	return rc;
}

static int page_about(site_ctx *ctx, const site_lang *l)
{
	site_page pg, *p = &pg;

	site_page_begin(p, ctx, l, "about.html", NULL);
	if (l->en) {
		site_page_md(p,
			"This site shows the public information of Changzhi's community care "
			"centres: childcare centres with their places, vacancies, care offers and "
			"fees; volunteer services for residents; and public lectures, clinics and "
			"community events.\n\n"
			"## %s\n\n"
			"Each city district and county builds one public demonstration childcare "
			"centre of 80 to 150 places. The [county coverage](coverage.html) page "
			"follows the programme.\n\n"
			"## Where the figures come from\n\n"
			"Every centre keeps its own records, on a phone or a PC, and sends them to "
			"the health office whenever it has a connection. The site is rebuilt from "
			"the office's copy. Each centre page says when its data last arrived, and "
			"warns when that was more than 14 days ago.\n\n"
			"## Privacy\n\n"
			"Only information declared public is published. Nothing about children, "
			"guardians, volunteers or residents asking for help is shown: only counts, "
			"such as vacancies and requests solved.\n\n"
			"## Open data\n\n"
			"The public tables are available as [CSV and JSON](data.html).\n",
			L("Programme"));
	} else {
		site_page_md(p,
			"本站公开长治市社区托育与服务机构的信息：托育机构的托位、空位、服务与收费，"
			"面向居民的志愿服务，以及公开的讲座、义诊和社区活动。\n\n"
			"## %s\n\n"
			"每个县区建设一所80至150个托位的公办示范性综合托育机构。"
			"[各县覆盖](coverage.html)页面展示这一项目的进展。\n\n"
			"## 数据来源\n\n"
			"各机构在手机或电脑上记录自己的数据，有网络时同步到卫健部门。本站根据卫健部门汇总的数据生成。"
			"每个机构页面都注明数据更新时间，超过14天未同步会显示提示。\n\n"
			"## 隐私\n\n"
			"只公开声明为公开的信息。不公开任何关于儿童、监护人、志愿者和求助居民的个人信息，"
			"只公开空位数、解决求助数等汇总数字。\n\n"
			"## 开放数据\n\n"
			"公开数据表提供 [CSV 和 JSON 格式下载](data.html)。\n",
			L("Programme"));
	}
	return finish(p, L("About"), NULL);
}

static int page_accessibility(site_ctx *ctx, const site_lang *l)
{
	site_page pg, *p = &pg;

	site_page_begin(p, ctx, l, "accessibility.html", NULL);
	if (l->en)
		site_page_md(p,
			"This site aims to meet WCAG 2.2 level AA and is checked automatically on every "
			"page type in both languages.\n\n"
			"- **Large text**: tick \"Large text\" at the top of any page for bigger text "
			"with higher contrast (it also follows your system's high-contrast setting).\n"
			"- **Works without JavaScript**: every list and filter is a plain page; the "
			"script only combines filters and runs the search.\n"
			"- **Small and fast**: no web fonts, no external resources; every page is under "
			"100 KB compressed, for slow mobile connections.\n"
			"- **Charts** have a text description and a data table beside them.\n"
			"- **Printing** uses a print stylesheet without menus.\n\n"
			"If something is hard to use, phone the centre listed on its page or your "
			"community office, and tell us what happened.\n");
	else
		site_page_md(p,
			"本站以 WCAG 2.2 AA 级为目标，每类页面的中英文版本都经过自动检测。\n\n"
			"- **长辈版**：在任意页面顶部勾选“长辈版（大字）”，文字更大、对比更强"
			"（也会跟随系统的高对比度设置）。\n"
			"- **不依赖 JavaScript**：所有列表和筛选都是普通页面，脚本只用于组合筛选和搜索。\n"
			"- **小而快**：不使用网络字体，不加载任何外部资源，每个页面压缩后小于100 KB，"
			"适合较慢的手机网络。\n"
			"- **图表**配有文字说明和数据表。\n"
			"- **打印**时使用专门的打印样式，不打印菜单。\n\n"
			"如有使用困难，请拨打相关机构页面上的电话或联系所在社区，告诉我们遇到的问题。\n");
	return finish(p, L("Accessibility"), NULL);
}

static int page_data(site_ctx *ctx, const site_lang *l)
{
	const char *heads[2];
	site_table t;
	site_page pg, *p = &pg;
	size_t i;
	const char *tables[16];
	size_t ntables = 0;

	for (i = 0; site_open_tables[i] && ntables < 14; i++)
		tables[ntables++] = site_open_tables[i];
	tables[ntables++] = "vacancies";
	tables[ntables++] = "requests_solved";
	site_page_begin(p, ctx, l, "data.html", NULL);
	site_page_md(p, "%s\n\n", l->en ?
		"Public columns only, as UTF-8 CSV, as CSV with a byte-order mark for Excel, and "
		"as JSON. Vacancies and requests solved are aggregates." :
		"仅含公开字段。提供 UTF-8 编码的 CSV、适合 Excel 打开的带 BOM 的 CSV，以及 JSON。"
		"空位和已解决求助为汇总数据。");
	heads[0] = L("File"), heads[1] = L("Format");
	site_table_begin(&t, p->from, L("Open data"), 2, heads, NULL);
	for (i = 0; i < ntables; i++) {
		char href[3][80];
		snprintf(href[0], sizeof href[0], "data/%s.csv", tables[i]);
		snprintf(href[1], sizeof href[1], "data/%s-excel.csv", tables[i]);
		snprintf(href[2], sizeof href[2], "data/%s.json", tables[i]);
		site_table_cell(&t, href[0], href[0], 0);
		site_table_cell(&t, "CSV (UTF-8)", NULL, 0);
		site_table_cell(&t, href[1], href[1], 0);
		site_table_cell(&t, "CSV (UTF-8, BOM, Excel)", NULL, 0);
		site_table_cell(&t, href[2], href[2], 0);
		site_table_cell(&t, "JSON", NULL, 0);
	}
	site_table_end(&t, p);
	return finish(p, L("Open data"), NULL);
}

static int page_search(site_ctx *ctx, const site_lang *l)
{
	hearth_buf h = HEARTH_BUF_INIT;
	site_page pg, *p = &pg;
	int rc;

	site_page_begin(p, ctx, l, "search.html", NULL);
	H(p, &h, "<form role=\"search\" class=\"search\" action=\"search.html\" method=\"get\" "
		 "id=\"search-form\" data-index=\"");
	A(p, &h, "search/");
	H(p, &h, "\">\n<label for=\"q\">");
	E(p, &h, L("Search words"));
	H(p, &h, "</label>\n<input type=\"search\" id=\"q\" name=\"q\" autocomplete=\"off\">\n"
		 "<button type=\"submit\">");
	E(p, &h, L("Search"));
	H(p, &h, "</button>\n</form>\n<div id=\"results\" aria-live=\"polite\"></div>\n"
		 "<p class=\"nojs\">");
	E(p, &h, L("Without JavaScript, browse the full list:"));
	H(p, &h, " <a href=\"");
	A(p, &h, "site-index.html");
	H(p, &h, "\">");
	E(p, &h, L("Everything on this site"));
	H(p, &h, "</a></p>\n");
	site_page_html(p, h.ptr, "");
	site_page_md(p, "[%s](site-index.html)\n", L("Everything on this site"));
	rc = finish(p, L("Search centres, events and services"), NULL);
	hearth_buf_dispose(&h);
	return rc;
}

/* The generated page the search falls back to: every centre, place and event, grouped. */
static int page_site_index(site_ctx *ctx, const site_lang *l)
{
	const site_model *m = ctx->m;
	hearth_buf path = HEARTH_BUF_INIT;
	site_page pg, *p = &pg;
	int i, c;

	site_page_begin(p, ctx, l, "site-index.html", NULL);
	for (c = -1; c < m->nregions; c++) {
		int any = 0;
		if (c >= 0 && (!m->regions[c].level || strcmp(m->regions[c].level, "county") != 0))
			continue;
		for (i = 0; i < m->nnodes; i++) {
			const site_node *n = &m->nodes[i];
			if (!site_node_has_page(n) || n->county != c)
				continue;
			if (!any) {
				site_page_md(p, "\n## ");
				site_page_mdtext(p, c >= 0 ? site_county_name(m, l, c) : L("Other places"));
				site_page_md(p, "\n\n");
			}
			any = 1;
			site_page_md(p, "- [");
			site_page_mdtext(p, node_name(p, n));
			site_page_md(p, "](centres/%s.html) — ", n->slug);
			site_page_mdtext(p, site_enum(l, "kind", n->kind));
			site_page_md(p, "\n");
		}
	}
	site_page_md(p, "\n## %s\n\n", L("Events"));
	for (i = 0; i < m->nevents; i++) {
		hearth_buf_clear(&path);
		site_event_path(&path, &m->events[i], "html");
		site_page_md(p, "- [");
		site_page_mdtext(p, site_name(l, m->events[i].title, m->events[i].title_en));
		site_page_md(p, "](%s)\n", path.ptr);
	}
	site_page_md(p, "\n## %s\n\n- [%s](services.html)\n- [%s](coverage.html)\n",
		L("Services"), L("Volunteer services"), L("County coverage"));
	hearth_buf_dispose(&path);
	return finish(p, L("Everything on this site"), NULL);
}

static int page_404(site_ctx *ctx, const site_lang *l)
{
	site_page pg, *p = &pg;

	site_page_begin(p, ctx, l, "404.html", NULL);
	/* served for any missing path: links must not depend on where it is shown */
	p->from = "/";
	site_page_md(p, "%s\n\n- [%s](%sindex.html)\n- [%s](%ssite-index.html)\n",
		l->en ? "This page does not exist, or its record was removed." :
			"此页面不存在，或相关记录已删除。",
		L("Back to the home page"), l->en ? "/en/" : "/", L("Everything on this site"),
		l->en ? "/en/" : "/");
	return finish(p, L("Page not found"), NULL);
}

int site_pages_write(site_ctx *ctx)
{
	const site_lang *langs[2] = { &site_zh, &site_en };
	int rc = 0, k, i;

	for (k = 0; rc == 0 && k < 2; k++) {
		const site_lang *l = langs[k];
		rc = page_home(ctx, l);
		if (rc == 0)
			rc = page_coverage(ctx, l);
		if (rc == 0)
			rc = page_directory(ctx, l);
		for (i = 0; rc == 0 && i < ctx->m->nnodes; i++)
			if (site_node_has_page(&ctx->m->nodes[i]))
				rc = page_node(ctx, l, &ctx->m->nodes[i]);
		if (rc == 0)
			rc = page_services(ctx, l);
		if (rc == 0)
			rc = page_events(ctx, l);
		if (rc == 0)
			rc = page_about(ctx, l);
		if (rc == 0)
			rc = page_accessibility(ctx, l);
		if (rc == 0)
			rc = page_data(ctx, l);
		if (rc == 0)
			rc = page_search(ctx, l);
		if (rc == 0)
			rc = page_site_index(ctx, l);
		if (rc == 0)
			rc = page_404(ctx, l);
	}
	return rc;
}
