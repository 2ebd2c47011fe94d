/*
 * The Atom feed of public events, one per language (events.atom, en/events.atom). Times come
 * from the data, never the wall clock: an entry's <updated> is when what it shows last changed
 * (site_event.updated), the feed's the newest of those or the start of the build's day. So the
 * feed changes when its events do, or once a day, not with every write elsewhere (it was
 * stamped with the build's second: every entry looked updated to a feed reader, and every
 * rebuild compressed both feeds again).
 */
#include "site_int.h"

#include <string.h>

/* An absolute URL where the site has a base URL, else a URL relative to the feed. */
static int put_url(hearth_buf *b, const site_ctx *ctx, const site_lang *l, const char *path)
{
	if (*ctx->base_url)
		return hearth_buf_printf(b, "%s/%s%s", ctx->base_url, l->prefix, path);
	return hearth_buf_puts(b, path);
}

static int feed_entry(hearth_buf *b, const site_ctx *ctx, const site_lang *l, const site_event *e)
{
	const site_model *m = ctx->m;
	hearth_buf path = HEARTH_BUF_INIT;
	int rc;

	site_event_path(&path, e, "html");
	rc = hearth_buf_puts(b, "<entry>\n<title>");
	if (rc == 0)
		rc = site_esc_xml(b, site_name(l, e->title, e->title_en));
	if (rc == 0)
		rc = hearth_buf_puts(b, "</title>\n<id>urn:hearth:event:");
	if (rc == 0)
		rc = site_esc_xml(b, e->slug);
	if (rc == 0)
		rc = hearth_buf_printf(b, ":%s</id>\n<updated>%s</updated>\n<link href=\"", l->code,
			e->updated);
	if (rc == 0)
		rc = put_url(b, ctx, l, path.ptr);
	if (rc == 0)
		rc = hearth_buf_puts(b, "\"/>\n<summary>");
	if (rc == 0)
		rc = site_esc_xml(b, e->starts_at);
	if (rc == 0)
		rc = hearth_buf_puts(b, " · ");
	if (rc == 0)
		rc = site_esc_xml(b, site_enum(l, "event", e->kind));
	if (rc == 0 && e->place) {
		rc = hearth_buf_puts(b, " · ");
		if (rc == 0)
			rc = site_esc_xml(b, e->place);
	}
	if (rc == 0 && e->node >= 0) {
		rc = hearth_buf_puts(b, " · ");
		if (rc == 0)
			rc = site_esc_xml(b, site_name(l, m->nodes[e->node].name,
						     m->nodes[e->node].name_en));
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, "</summary>\n</entry>\n");
	hearth_buf_dispose(&path);
	return rc;
}

static int feed_write(site_ctx *ctx, const site_lang *l)
{
	const site_model *m = ctx->m;
	hearth_buf *b = site_files_add(ctx->files, NULL, "%sevents.atom", l->prefix);
	const char *updated = m->day_utc;
	int rc, i;

	for (i = 0; i < m->nevents; i++)
		if (strcmp(m->events[i].updated, updated) > 0)
			updated = m->events[i].updated;
	if (!b)
		return HEARTH_ERROR;
	rc = hearth_buf_printf(b,
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n<title>",
		l->code);
	if (rc == 0)
		rc = site_esc_xml(b, site_l(l, "Events"));
	if (rc == 0)
		rc = hearth_buf_puts(b, " - ");
	if (rc == 0)
		rc = site_esc_xml(b, site_l(l, "Changzhi childcare and community services"));
	if (rc == 0)
		rc = hearth_buf_printf(b,
			"</title>\n<id>urn:hearth:events:%s</id>\n<updated>%s</updated>\n"
			"<author><name>",
			l->code, updated);
	if (rc == 0)
		rc = site_esc_xml(b, site_l(l, "Changzhi childcare and community services"));
	if (rc == 0)
		rc = hearth_buf_puts(b, "</name></author>\n<link rel=\"self\" href=\"");
	if (rc == 0)
		rc = put_url(b, ctx, l, "events.atom");
	if (rc == 0)
		rc = hearth_buf_puts(b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	if (rc == 0)
		rc = put_url(b, ctx, l, "events/index.html");
	if (rc == 0)
		rc = hearth_buf_puts(b, "\"/>\n");
	/* newest first */
	for (i = m->nevents - 1; rc == 0 && i >= 0; i--)
		rc = feed_entry(b, ctx, l, &m->events[i]);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</feed>\n");
	return rc;
}

int site_feed_write(site_ctx *ctx)
{
	int rc = feed_write(ctx, &site_zh);

	return rc ? rc : feed_write(ctx, &site_en);
}
