/*
 * The page kinds: home, county coverage, volunteer services, events, about, accessibility, open
 * data, search, site index, 404, and the list of every page written (site_pages_write). Each is
 * written for both languages by the same function. The centre directory and the centres' own
 * pages are in pages_centres.c, the charts in pages_charts.c, what they share in pages_parts.c.
 */
#include "site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L(key) site_l(p->lang, key)

int site_page_finish(site_page *p, const char *title, const char *desc)
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
	site_event_list(p, 1, 5);
	site_page_md(p, "## %s\n\n", L("Centres"));
	site_page_md(p, "- [%s](centres/index.html)\n- [%s](coverage.html)\n- [%s](services.html)\n",
		L("All centres"), L("County coverage"), L("Volunteer services"));
	return site_page_finish(p, L("Changzhi childcare and community services"), NULL);
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
			site_table_cell(&t, site_node_name(p, n), href, 0);
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
	site_county_chart(p);
	return site_page_finish(p, L("County coverage"), NULL);
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
		site_table_cell(&t, site_node_name(p, n), href, 0);
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
			site_table_cell(&t, o >= 0 ? site_node_name(p, &m->nodes[o]) : "", NULL, 0);
		}
		site_table_end(&t, p);
	}

	site_page_md(p, "## %s\n\n", L("Requests solved per month"));
	site_solved_chart(p);
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
	return site_page_finish(p, L("Volunteer services"), NULL);
}

/* The list of events: keyed on what site_event_list shows of each event. */
static int events_index(site_ctx *ctx, const site_lang *l)
{
	const site_model *m = ctx->m;
	hearth_buf data = HEARTH_BUF_INIT;
	site_page pg, *p = &pg;
	uint64_t key[2];
	int i, rc = 0, has_key = 0;

	if (site_keys_on(ctx)) {
		for (i = 0; i < m->nevents; i++) {
			const site_event *e = &m->events[i];
			site_key_num(ctx, &data, site_event_upcoming(m, e));
			site_key_str(ctx, &data, e->starts_at);
			site_key_str(ctx, &data, e->slug);
			site_key_str(ctx, &data, e->title);
			site_key_str(ctx, &data, e->title_en);
			site_key_str(ctx, &data, e->kind);
			site_key_num(ctx, &data, e->node);
			if (e->node >= 0) {
				site_key_str(ctx, &data, m->nodes[e->node].name);
				site_key_str(ctx, &data, m->nodes[e->node].name_en);
			}
		}
		rc = site_page_keyed(ctx, l, "events/index.html", &data, key, &has_key);
		hearth_buf_dispose(&data);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	site_page_begin(p, ctx, l, "events/index.html", NULL);
	p->has_key = has_key;
	memcpy(p->key, key, sizeof p->key);
	site_page_md(p, "## %s\n\n", L("Upcoming events"));
	site_event_list(p, 1, 0);
	site_page_md(p, "## %s\n\n", L("Past events"));
	site_event_list(p, 0, 50);
	site_page_md(p, "[%s](../events.atom)\n", L("Events feed (Atom)"));
	return site_page_finish(p, L("Events"), NULL);
}

static int page_events(site_ctx *ctx, const site_lang *l)
{
	const site_model *m = ctx->m;
	hearth_buf path = HEARTH_BUF_INIT, ics = HEARTH_BUF_INIT, h = HEARTH_BUF_INIT;
	const char *heads[2];
	site_table t;
	site_page pg, *p = &pg;
	int i, rc;

	rc = events_index(ctx, l);

	for (i = 0; rc == 0 && i < m->nevents; i++) {
		const site_event *e = &m->events[i];
		char when[40], href[200];
		uint64_t key[2];
		int has_key;
		rc = site_event_keyed(ctx, l, e, "html", key, &has_key);
		if (rc) {
			rc = rc > 0 ? 0 : rc;
			continue;
		}
		hearth_buf_clear(&path);
		hearth_buf_clear(&ics);
		site_event_path(&path, e, "html");
		site_event_path(&ics, e, "ics");
		site_page_begin(p, ctx, l, path.ptr, NULL);
		p->has_key = has_key;
		memcpy(p->key, key, sizeof p->key);
		heads[0] = L("Figure"), heads[1] = L("Value");
		site_table_begin(&t, p->from, L("Events"), 2, heads, "facts");
		site_table_cell(&t, L("Kind"), NULL, 0);
		site_table_cell(&t, site_enum(l, "event", e->kind), NULL, 0);
		site_when_text(when, sizeof when, e->starts_at);
		site_table_cell(&t, L("Starts"), NULL, 0);
		site_table_cell(&t, when, NULL, 0);
		if (e->ends_at) {
			site_when_text(when, sizeof when, e->ends_at);
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
			site_table_cell(&t, site_node_name(p, n), site_node_has_page(n) ? href : NULL, 0);
		}
		site_table_end(&t, p);
		if (e->description_md && *e->description_md)
			site_page_user_md(p, e->description_md);
		hearth_buf_clear(&h);
		site_put_printf(p, &h, "<p><a href=\"");
		site_put_href(p, &h, ics.ptr);
		site_put_printf(p, &h, "\" download>");
		site_put_html(p, &h, L("Add to calendar (.ics)"));
		site_put_printf(p, &h, "</a></p>\n");
		site_page_html(p, h.ptr, NULL);
		site_page_md(p, "[%s](%s)\n", L("Add to calendar (.ics)"), strrchr(ics.ptr, '/') + 1);
		rc = site_page_finish(p, site_name(l, e->title, e->title_en), NULL);
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
	return site_page_finish(p, L("About"), NULL);
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
	return site_page_finish(p, L("Accessibility"), NULL);
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
	return site_page_finish(p, L("Open data"), NULL);
}

static int page_search(site_ctx *ctx, const site_lang *l)
{
	hearth_buf h = HEARTH_BUF_INIT;
	site_page pg, *p = &pg;
	int rc;

	site_page_begin(p, ctx, l, "search.html", NULL);
	site_put_printf(p, &h, "<form role=\"search\" class=\"search\" action=\"search.html\" "
		"method=\"get\" id=\"search-form\" data-index=\"");
	site_put_href(p, &h, "search/");
	site_put_printf(p, &h, "\">\n<label for=\"q\">");
	site_put_html(p, &h, L("Search words"));
	site_put_printf(p, &h, "</label>\n<input type=\"search\" id=\"q\" name=\"q\" "
		"autocomplete=\"off\">\n<button type=\"submit\">");
	site_put_html(p, &h, L("Search"));
	site_put_printf(p, &h, "</button>\n</form>\n<div id=\"results\" aria-live=\"polite\"></div>\n"
		 "<p class=\"nojs\">");
	site_put_html(p, &h, L("Without JavaScript, browse the full list:"));
	site_put_printf(p, &h, " <a href=\"");
	site_put_href(p, &h, "site-index.html");
	site_put_printf(p, &h, "\">");
	site_put_html(p, &h, L("Everything on this site"));
	site_put_printf(p, &h, "</a></p>\n");
	site_page_html(p, h.ptr, "");
	site_page_md(p, "[%s](site-index.html)\n", L("Everything on this site"));
	rc = site_page_finish(p, L("Search centres, events and services"), NULL);
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
			site_page_mdtext(p, site_node_name(p, n));
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
	return site_page_finish(p, L("Everything on this site"), NULL);
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
	return site_page_finish(p, L("Page not found"), NULL);
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
			rc = site_directory_pages(ctx, l);
		for (i = 0; rc == 0 && i < ctx->m->nnodes; i++)
			if (site_node_has_page(&ctx->m->nodes[i]))
				rc = site_node_page(ctx, l, &ctx->m->nodes[i]);
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
