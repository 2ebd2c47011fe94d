/* Charts with their data tables: centres per county, requests solved per month. */
#include "site_int.h"
#include "core/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L(key) site_l(p->lang, key)

void site_county_chart(site_page *p)
{
	const site_model *m = p->ctx->m;
	hearth_buf h = HEARTH_BUF_INIT;
	site_bar *bars = calloc((size_t)m->nregions + 1, sizeof *bars);
	const char *heads[3];
	site_table t;
	int i, j, n = 0;

	if (!bars) {
		p->rc = hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
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
	site_put_printf(p, &h, "<figure class=\"chart\">\n");
	if (p->rc == 0 && site_svg_bars(&h, "chart-county", L("Places and vacancies per county"),
				  L("Places and vacancies per county"), L("Places"), L("Vacancies"),
				  bars, n) < 0)
		p->rc = HEARTH_ERROR;
	site_put_printf(p, &h, "<figcaption>");
	site_put_html(p, &h, L("Places and vacancies per county"));
	site_put_printf(p, &h, "</figcaption>\n</figure>\n");
	site_put_block(p, &h, NULL);
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

void site_solved_chart(site_page *p)
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
	site_put_printf(p, &h, "<figure class=\"chart\">\n");
	if (p->rc == 0 && site_svg_bars(&h, "chart-solved", L("Requests solved per month"),
				  L("Requests solved per month"), L("Solved"), NULL, bars, 12) < 0)
		p->rc = HEARTH_ERROR;
	site_put_printf(p, &h, "<figcaption>");
	site_put_html(p, &h, L("Requests solved per month"));
	site_put_printf(p, &h, "</figcaption>\n</figure>\n");
	site_put_block(p, &h, NULL);
	heads[0] = L("Month"), heads[1] = L("Solved");
	site_table_begin(&t, p->from, L("Requests solved per month"), 2, heads, NULL);
	for (i = 0; i < 12; i++) {
		site_table_cell(&t, months[i], NULL, 0);
		site_table_cellf(&t, 1, "%ld", bars[i].a);
	}
	site_table_end(&t, p);
	hearth_buf_dispose(&h);
}
