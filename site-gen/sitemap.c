/*
 * sitemap.xml: every HTML page but the 404s, with lastmod from the data (a centre's page: when
 * the centre was last heard of; other pages: the build's "now").
 */
#include "site_int.h"

#include <string.h>

int site_sitemap_write(site_ctx *ctx)
{
	hearth_buf *b;
	int i, n, rc;

	/* the pages exist already; adding the sitemap must not move them */
	n = ctx->files->n;
	b = site_files_add(ctx->files, NULL, "sitemap.xml");
	if (!b)
		return HEARTH_ERROR;
	rc = hearth_buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
				"<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (i = 0; rc == 0 && i < n; i++) {
		const site_file *f = ctx->files->files[i];
		size_t len = strlen(f->path);
		if (len < 5 || strcmp(f->path + len - 5, ".html") != 0 ||
		    strncmp(f->path, "content/", 8) == 0 || strcmp(f->path, "404.html") == 0 ||
		    strcmp(f->path, "en/404.html") == 0)
			continue;
		rc = hearth_buf_printf(b, "<url><loc>%s/", ctx->base_url);
		if (rc == 0)
			rc = site_esc_xml(b, f->path);
		if (rc == 0)
			rc = hearth_buf_printf(b, "</loc><lastmod>%s</lastmod></url>\n", f->lastmod);
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, "</urlset>\n");
	return rc;
}
