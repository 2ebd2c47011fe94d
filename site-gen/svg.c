/*
 * Inline SVG bar charts, drawn by hearth: no chart library, no script, no request. Colours are
 * presentation attributes (the page's CSP allows no inline style). Every chart has role="img",
 * a title and a description, and the page puts a data table beside it.
 */
#include "site_int.h"

#define TOP 34   /* legend height */
#define GAP 10   /* between categories */
#define RIGHT 70 /* room for the value after the longest bar */

static const char *const fill[2] = { "#1d5a85", "#b34d00" };

int site_bar_width(long value, long max, int plot_w)
{
	long w;

	if (max <= 0 || value <= 0)
		return 0;
	if (value >= max)
		return plot_w;
	w = (value * plot_w + max / 2) / max;
	return w < 1 ? 1 : (int)w;
}

static void legend(hearth_buf *b, int *rc, int i, int x, const char *name)
{
	if (*rc)
		return;
	*rc = hearth_buf_printf(b,
		"<rect x=\"%d\" y=\"8\" width=\"14\" height=\"14\" fill=\"%s\"/>"
		"<text x=\"%d\" y=\"20\">",
		x, fill[i], x + 20);
	if (*rc == 0)
		*rc = site_esc_xml(b, name);
	if (*rc == 0)
		*rc = hearth_buf_puts(b, "</text>\n");
}

int site_svg_bars(hearth_buf *out, const char *id, const char *title, const char *desc,
	const char *name_a, const char *name_b, const site_bar *bars, int n)
{
	int series = name_b ? 2 : 1, row = series * SITE_BAR_H + GAP;
	int plot_w = SITE_CHART_W - SITE_LABEL_W - RIGHT, height = TOP + n * row + GAP;
	long max = 0;
	int i, s, rc = 0;

	for (i = 0; i < n; i++) {
		if (bars[i].a > max)
			max = bars[i].a;
		if (series == 2 && bars[i].b > max)
			max = bars[i].b;
	}
	rc = hearth_buf_printf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 %d %d\" "
		"role=\"img\" aria-labelledby=\"%s-t %s-d\" font-size=\"13\" fill=\"#222\">\n"
		"<title id=\"%s-t\">",
		SITE_CHART_W, height, id, id, id);
	if (rc == 0)
		rc = site_esc_xml(out, title);
	if (rc == 0)
		rc = hearth_buf_printf(out, "</title>\n<desc id=\"%s-d\">", id);
	if (rc == 0)
		rc = site_esc_xml(out, desc);
	for (i = 0; rc == 0 && i < n; i++) {
		rc = hearth_buf_puts(out, i ? "; " : ": ");
		if (rc == 0)
			rc = site_esc_xml(out, bars[i].label);
		if (rc == 0)
			rc = hearth_buf_printf(out, series == 2 ? " %ld / %ld" : " %ld", bars[i].a,
				bars[i].b);
	}
	if (rc == 0)
		rc = hearth_buf_puts(out, "</desc>\n");
	legend(out, &rc, 0, 10, name_a);
	if (series == 2)
		legend(out, &rc, 1, 170, name_b);
	for (i = 0; rc == 0 && i < n; i++) {
		int y = TOP + i * row;
		rc = hearth_buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			SITE_LABEL_W - 8, y + series * SITE_BAR_H / 2 + 5);
		if (rc == 0)
			rc = site_esc_xml(out, bars[i].label);
		if (rc == 0)
			rc = hearth_buf_puts(out, "</text>\n");
		for (s = 0; rc == 0 && s < series; s++) {
			long v = s ? bars[i].b : bars[i].a;
			int w = site_bar_width(v, max, plot_w), by = y + s * SITE_BAR_H;
			rc = hearth_buf_printf(out,
				"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
				"<text x=\"%d\" y=\"%d\">%ld</text>\n",
				SITE_LABEL_W, by + 1, w, SITE_BAR_H - 2, fill[s], SITE_LABEL_W + w + 4,
				by + SITE_BAR_H - 5, v);
		}
	}
	if (rc == 0)
		rc = hearth_buf_puts(out, "</svg>\n");
	return rc;
}
