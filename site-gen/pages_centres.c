/*
 * The centre directory (index, county, age band and care type pages, with facet navigation)
 * and one page per centre, station, hospital or community.
 */
#include "site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L(key) site_l(p->lang, key)

/* The directory's own pages (centres_write): index, county-<region>, age-<band>, care-<type>. */
int site_centre_page_reserved(const char *slug)
{
	return strcmp(slug, "index") == 0 || strncmp(slug, "county-", 7) == 0 ||
	       strncmp(slug, "age-", 4) == 0 || strncmp(slug, "care-", 5) == 0;
}
/* Facet navigation: plain links to one page per facet value (works without JavaScript), and a
 * form the script reveals on the directory page to combine facets. */
static void facet_nav(site_page *p, int with_form)
{
	const site_model *m = p->ctx->m;
	hearth_buf h = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT;
	char href[120];
	int i, k;

	site_put_printf(p, &h, "<nav class=\"facets\" aria-label=\"");
	site_put_html(p, &h, L("Filter"));
	site_put_printf(p, &h, "\">\n<h2>");
	site_put_html(p, &h, L("Filter"));
	site_put_printf(p, &h, "</h2>\n<p><a href=\"");
	site_put_href(p, &h, "centres/index.html");
	site_put_printf(p, &h, "\">");
	site_put_html(p, &h, L("All centres"));
	site_put_printf(p, &h, "</a></p>\n<h3>");
	site_put_html(p, &h, L("County"));
	site_put_printf(p, &h, "</h3>\n<ul>\n");
	site_put_printf(p, &md, "## %s\n\n", L("Filter"));
	for (i = 0; i < m->nregions; i++) {
		if (!m->regions[i].level || strcmp(m->regions[i].level, "county") != 0)
			continue;
		snprintf(href, sizeof href, "centres/county-%s.html", m->regions[i].id);
		site_put_printf(p, &h, "<li><a href=\"");
		site_put_href(p, &h, href);
		site_put_printf(p, &h, "\">");
		site_put_html(p, &h, site_county_name(m, p->lang, i));
		site_put_printf(p, &h, "</a></li>\n");
		site_put_printf(p, &md, "- [");
		site_put_md(p, &md, site_county_name(m, p->lang, i));
		site_put_printf(p, &md, "](%s)\n", href + 8);
	}
	site_put_printf(p, &h, "</ul>\n<h3>");
	site_put_html(p, &h, L("Age band with vacancies"));
	site_put_printf(p, &h, "</h3>\n<ul>\n");
	for (k = 0; k < 3; k++) {
		snprintf(href, sizeof href, "centres/age-%s.html", site_age_bands[k]);
		site_put_printf(p, &h, "<li><a href=\"");
		site_put_href(p, &h, href);
		site_put_printf(p, &h, "\">");
		site_put_html(p, &h, site_enum(p->lang, "band", site_age_bands[k]));
		site_put_printf(p, &h, "</a></li>\n");
		site_put_printf(p, &md, "- [%s](%s)\n", site_enum(p->lang, "band", site_age_bands[k]), href + 8);
	}
	site_put_printf(p, &h, "</ul>\n<h3>");
	site_put_html(p, &h, L("Care type"));
	site_put_printf(p, &h, "</h3>\n<ul>\n");
	for (k = 0; k < 3; k++) {
		snprintf(href, sizeof href, "centres/care-%s.html", site_care_types[k]);
		site_put_printf(p, &h, "<li><a href=\"");
		site_put_href(p, &h, href);
		site_put_printf(p, &h, "\">");
		site_put_html(p, &h, site_enum(p->lang, "care", site_care_types[k]));
		site_put_printf(p, &h, "</a></li>\n");
		site_put_printf(p, &md, "- [%s](%s)\n", site_enum(p->lang, "care", site_care_types[k]), href + 8);
	}
	site_put_printf(p, &h, "</ul>\n</nav>\n");
	if (with_form) {
		/* hidden until the script runs: without JavaScript the links above are the facets */
		site_put_printf(p, &h, "<form class=\"facet-form\" id=\"facet-form\" hidden>\n"
			"<label for=\"f-county\">");
		site_put_html(p, &h, L("County"));
		site_put_printf(p, &h, "</label>\n<select id=\"f-county\" name=\"county\"><option value=\"\">");
		site_put_html(p, &h, L("any"));
		site_put_printf(p, &h, "</option>\n");
		for (i = 0; i < m->nregions; i++) {
			if (!m->regions[i].level || strcmp(m->regions[i].level, "county") != 0)
				continue;
			site_put_printf(p, &h, "<option value=\"%s\">", m->regions[i].id);
			site_put_html(p, &h, site_county_name(m, p->lang, i));
			site_put_printf(p, &h, "</option>\n");
		}
		site_put_printf(p, &h, "</select>\n<label for=\"f-age\">");
		site_put_html(p, &h, L("Age band with vacancies"));
		site_put_printf(p, &h, "</label>\n<select id=\"f-age\" name=\"age\"><option value=\"\">");
		site_put_html(p, &h, L("any"));
		site_put_printf(p, &h, "</option>\n");
		for (k = 0; k < 3; k++) {
			site_put_printf(p, &h, "<option value=\"%s\">", site_age_bands[k]);
			site_put_html(p, &h, site_enum(p->lang, "band", site_age_bands[k]));
			site_put_printf(p, &h, "</option>\n");
		}
		site_put_printf(p, &h, "</select>\n<label for=\"f-care\">");
		site_put_html(p, &h, L("Care type"));
		site_put_printf(p, &h, "</label>\n<select id=\"f-care\" name=\"care\"><option value=\"\">");
		site_put_html(p, &h, L("any"));
		site_put_printf(p, &h, "</option>\n");
		for (k = 0; k < 3; k++) {
			site_put_printf(p, &h, "<option value=\"%s\">", site_care_types[k]);
			site_put_html(p, &h, site_enum(p->lang, "care", site_care_types[k]));
			site_put_printf(p, &h, "</option>\n");
		}
		site_put_printf(p, &h, "</select>\n<button type=\"submit\">");
		site_put_html(p, &h, L("Show"));
		site_put_printf(p, &h, "</button>\n</form>\n");
	}
	site_put_block(p, &h, &md);
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

/* The key of a directory page: the regions (its facets and the county names of its cards) and
 * the cards of its list. 1 kept, 0 render it (*has_key: `key` set), <0 error. */
static int directory_keyed(site_ctx *ctx, const site_lang *l, const char *path,
	int (*keep)(const site_node *, int), int arg, uint64_t key[2], int *has_key)
{
	hearth_buf data = HEARTH_BUF_INIT;
	int i, rc;

	*has_key = 0;
	if (!site_keys_on(ctx))
		return 0;
	for (i = 0; i < ctx->m->nregions; i++)
		site_key_region(ctx, &data, i);
	rc = site_centre_list_key(ctx, &data, keep, arg);
	if (rc == 0)
		rc = site_page_keyed(ctx, l, path, &data, key, has_key);
	hearth_buf_dispose(&data);
	return rc;
}

int site_directory_pages(site_ctx *ctx, const site_lang *l)
{
	const site_model *m = ctx->m;
	hearth_buf title = HEARTH_BUF_INIT;
	char path[120];
	site_page pg, *p = &pg;
	uint64_t key[2];
	int i, k, rc, has_key;

	rc = directory_keyed(ctx, l, "centres/index.html", NULL, 0, key, &has_key);
	if (rc == 0) {
		site_page_begin(p, ctx, l, "centres/index.html", NULL);
		p->has_key = has_key;
		memcpy(p->key, key, sizeof p->key);
		facet_nav(p, 1);
		site_page_md(p, "## %s\n\n", L("All centres"));
		site_centre_list(p, NULL, 0);
		rc = site_page_finish(p, L("Centres"), NULL);
	}
	rc = rc > 0 ? 0 : rc;
	for (i = 0; rc == 0 && i < m->nregions; i++) {
		if (!m->regions[i].level || strcmp(m->regions[i].level, "county") != 0)
			continue;
		snprintf(path, sizeof path, "centres/county-%s.html", m->regions[i].id);
		rc = directory_keyed(ctx, l, path, keep_county, i, key, &has_key);
		if (rc) {
			rc = rc > 0 ? 0 : rc;
			continue;
		}
		site_page_begin(p, ctx, l, path, NULL);
		p->has_key = has_key;
		memcpy(p->key, key, sizeof p->key);
		facet_nav(p, 0);
		hearth_buf_clear(&title);
		hearth_buf_printf(&title, "%s: %s", L("Centres"), site_county_name(m, l, i));
		site_page_md(p, "## %s\n\n", L("Centres"));
		site_centre_list(p, keep_county, i);
		rc = site_page_finish(p, title.ptr, NULL);
	}
	for (k = 0; rc == 0 && k < 6; k++) {
		if (k < 3)
			snprintf(path, sizeof path, "centres/age-%s.html", site_age_bands[k]);
		else
			snprintf(path, sizeof path, "centres/care-%s.html", site_care_types[k - 3]);
		rc = directory_keyed(ctx, l, path, k < 3 ? keep_band : keep_care, k < 3 ? k : k - 3,
			key, &has_key);
		if (rc) {
			rc = rc > 0 ? 0 : rc;
			continue;
		}
		site_page_begin(p, ctx, l, path, NULL);
		p->has_key = has_key;
		memcpy(p->key, key, sizeof p->key);
		facet_nav(p, 0);
		hearth_buf_clear(&title);
		hearth_buf_printf(&title, "%s: %s", k < 3 ? L("Age band with vacancies") : L("Care type"),
			k < 3 ? site_enum(l, "band", site_age_bands[k]) : site_enum(l, "care", site_care_types[k - 3]));
		site_page_md(p, "## %s\n\n", L("Centres"));
		site_centre_list(p, k < 3 ? keep_band : keep_care, k < 3 ? k : k - 3);
		rc = site_page_finish(p, title.ptr, NULL);
	}
	hearth_buf_dispose(&title);
	return rc;
}

/* The contact block: first thing under the title, the same place on every centre page. */
static void contact_block(site_page *p, const site_node *n)
{
	hearth_buf h = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT;
	size_t i;

	site_put_printf(p, &h, "<dl class=\"contact\">\n<dt>");
	site_put_html(p, &h, L("Phone"));
	site_put_printf(p, &h, "</dt><dd>");
	if (n->phone && site_phone_ok(n->phone)) {
		site_put_printf(p, &h, "<a class=\"tel\" href=\"tel:");
		for (i = 0; n->phone[i]; i++)
			if (n->phone[i] != ' ')
				site_put_printf(p, &h, "%c", n->phone[i]);
		site_put_printf(p, &h, "\">");
		/* the number must not wrap across lines: non-breaking hyphens and spaces */
		for (i = 0; n->phone[i]; i++) {
			if (n->phone[i] == '-')
				site_put_printf(p, &h, "&#8209;");
			else if (n->phone[i] == ' ')
				site_put_printf(p, &h, "&nbsp;");
			else
				site_put_printf(p, &h, "%c", n->phone[i]); /* digits and '+': site_phone_ok */
		}
		site_put_printf(p, &h, "</a>");
	} else {
		site_put_html(p, &h, n->phone ? n->phone : "—");
	}
	site_put_printf(p, &h, "</dd>\n<dt>");
	site_put_html(p, &h, L("Address"));
	site_put_printf(p, &h, "</dt><dd>");
	site_put_html(p, &h, n->address ? n->address : "—");
	site_put_printf(p, &h, "</dd>\n<dt>");
	site_put_html(p, &h, L("Hours"));
	site_put_printf(p, &h, "</dt><dd>");
	site_put_html(p, &h, n->hours ? n->hours : "—");
	site_put_printf(p, &h, "</dd>\n</dl>\n");
	site_put_printf(p, &md, "- %s: ", L("Phone"));
	site_put_md(p, &md, n->phone ? n->phone : "—");
	site_put_printf(p, &md, "\n- %s: ", L("Address"));
	site_put_md(p, &md, n->address ? n->address : "—");
	site_put_printf(p, &md, "\n- %s: ", L("Hours"));
	site_put_md(p, &md, n->hours ? n->hours : "—");
	site_put_printf(p, &md, "\n");
	site_put_block(p, &h, &md);
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

/* A section of a node's page holding one table: its heading, then the table under it. */
static void node_table_begin(site_table *t, site_page *p, const char *title, int ncol,
	const char *const *heads)
{
	site_page_md(p, "## %s\n\n", title);
	site_table_begin(t, p->from, title, ncol, heads, NULL);
}

static void node_classes(site_page *p, const site_node *n)
{
	const site_model *m = p->ctx->m;
	const char *heads[4];
	site_table t;
	int i;

	for (i = 0; i < m->nclasses && strcmp(m->classes[i].owner, n->id) != 0; i++)
		;
	if (i == m->nclasses)
		return;
	heads[0] = L("Class"), heads[1] = L("Age band"), heads[2] = L("Capacity");
	heads[3] = L("Vacancies");
	node_table_begin(&t, p, L("Classes"), 4, heads);
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
		site_table_cell(&t, o >= 0 ? site_node_name(p, &m->nodes[o]) : other,
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
	int i;

	for (i = 0; i < m->nteams && strcmp(m->teams[i].owner, n->id) != 0; i++)
		;
	if (i == m->nteams)
		return;
	heads[0] = L("Team"), heads[1] = L("Service"), heads[2] = L("Members");
	node_table_begin(&t, p, L("Teams"), 3, heads);
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
		if (strcmp(e->owner, n->id) != 0 || !site_event_upcoming(m, e))
			continue;
		if (!any) {
			site_put_printf(p, &h, "<h2>");
			site_put_html(p, &h, L("Upcoming events"));
			site_put_printf(p, &h, "</h2>\n<ul class=\"events\">\n");
			site_put_printf(p, &md, "## %s\n\n", L("Upcoming events"));
		}
		any = 1;
		hearth_buf_clear(&path);
		site_event_path(&path, e, "html");
		site_when_text(when, sizeof when, e->starts_at);
		site_put_printf(p, &h, "<li>");
		site_put_html(p, &h, when);
		site_put_printf(p, &h, " <a href=\"");
		site_put_href(p, &h, path.ptr);
		site_put_printf(p, &h, "\">");
		site_put_html(p, &h, site_name(p->lang, e->title, e->title_en));
		site_put_printf(p, &h, "</a></li>\n");
		site_put_printf(p, &md, "- ");
		site_put_md(p, &md, when);
		site_put_printf(p, &md, " ");
		site_put_md(p, &md, site_name(p->lang, e->title, e->title_en));
		site_put_printf(p, &md, "\n");
	}
	if (any) {
		site_put_printf(p, &h, "</ul>\n");
		site_put_block(p, &h, &md);
	}
	hearth_buf_dispose(&h);
	hearth_buf_dispose(&md);
	hearth_buf_dispose(&path);
}

int site_node_page(site_ctx *ctx, const site_lang *l, const site_node *n)
{
	const site_model *m = ctx->m;
	hearth_buf h = HEARTH_BUF_INIT;
	char path[200], lastmod[16];
	uint64_t key[2];
	site_page pg, *p = &pg;
	int rc, has_key;

	snprintf(path, sizeof path, "centres/%s.html", n->slug);
	if (n->last_seen_ms >= 0)
		site_format_time(lastmod, sizeof lastmod, n->last_seen_ms, 1);
	else
		snprintf(lastmod, sizeof lastmod, "%s", m->today);
	lastmod[10] = 0;
	rc = site_node_keyed(ctx, l, n, lastmod, key, &has_key);
	if (rc)
		return rc > 0 ? 0 : rc;
	site_page_begin(p, ctx, l, path, lastmod);
	p->has_key = has_key;
	memcpy(p->key, key, sizeof p->key);
	contact_block(p, n);
	if (site_node_stale(m, n)) {
		const char *w = n->last_seen_ms < 0 ?
			L("Warning: this centre has never synced its data; figures come from registration only. Please phone to confirm.") :
			L("Warning: this centre has not synced its data for more than 14 days; figures may be out of date. Please phone to confirm.");
		hearth_buf md = HEARTH_BUF_INIT;
		site_put_printf(p, &h, "<p class=\"warning\" role=\"note\">");
		site_put_html(p, &h, w);
		site_put_printf(p, &h, "</p>\n");
		site_put_printf(p, &md, "> ");
		site_put_md(p, &md, w);
		site_put_printf(p, &md, "\n\n");
		site_put_block(p, &h, &md);
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
	return site_page_finish(p, site_node_name(p, n), NULL);
}
