/*
 * hearth_site_build: read the public model, produce every file in memory, commit the set
 * atomically. Each output kind lives in its own file (pages.c, search.c, feed.c, ics.c,
 * opendata.c, sitemap.c, assets.c); the order here only matters for the sitemap, which lists
 * the pages already produced.
 */
#include "site_int.h"
#include "core/i18n.h"

#include <string.h>

/* The base URL as the pages join it ("%s/path"): absolute http(s) with a host, nothing that
 * would need escaping in an attribute, no query or fragment, without the trailing slash. */
static int base_url_clean(hearth_buf *out, const char *url)
{
	const char *host;
	size_t n;

	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return hearth_error_set(HEARTH_EUSAGE,
			_("the base URL '%s' is not an absolute http:// or https:// URL"), url);
	if (!*host || *host == '/')
		return hearth_error_set(HEARTH_EUSAGE, _("the base URL '%s' has no host"), url);
	for (n = 0; url[n]; n++)
		if ((unsigned char)url[n] <= ' ' || url[n] == 0x7f || strchr("\"'<>\\`?#", url[n]))
			return hearth_error_set(HEARTH_EUSAGE,
				_("the base URL '%s' may hold no spaces, quotes, '<', '>', '?' or '#'"), url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	return hearth_buf_put(out, url, n);
}

int hearth_site_build_sqlite(sqlite3 *db, const char *out_dir, const hearth_site_opts *opts,
	hearth_site_stats *out)
{
	site_model m;
	site_files files = { NULL, 0, 0 };
	site_ctx ctx;
	hearth_site_stats stats;
	hearth_buf base = HEARTH_BUF_INIT;
	int rc, i, attempt, loaded = 0;

	memset(&stats, 0, sizeof stats);
	if (out)
		memset(out, 0, sizeof *out);
	if (!db || !out_dir || !*out_dir)
		return hearth_error_set(HEARTH_EUSAGE, _("cannot build the site: no database or folder"));
	if (opts && opts->base_url && *opts->base_url &&
	    (rc = base_url_clean(&base, opts->base_url)) < 0)
		return rc;
	rc = site_model_load(&m, db, opts ? opts->now_ms : 0);
	if (rc)
		goto done;
	loaded = 1;
	ctx.m = &m;
	ctx.base_url = base.ptr;
	/* pages whose input key the published tree holds are kept, not rendered; if one of them
	 * is gone from it by the time the set is written, every page is rendered again */
	for (attempt = 0; attempt < 2; attempt++) {
		site_keys keys;
		memset(&stats, 0, sizeof stats);
		site_files_dispose(&files);
		ctx.files = &files;
		ctx.keys = &keys;
		ctx.rc = 0;
		rc = site_keys_init(&keys, &m, ctx.base_url, out_dir, attempt == 0);
		if (rc == 0)
			rc = site_pages_write(&ctx);
		if (rc == 0)
			rc = site_assets_write(&ctx);
		if (rc == 0)
			rc = site_search_write(&ctx);
		if (rc == 0)
			rc = site_feed_write(&ctx);
		if (rc == 0)
			rc = site_ics_write(&ctx);
		if (rc == 0)
			rc = site_opendata_write(&ctx, db);
		if (rc == 0)
			rc = site_sitemap_write(&ctx);
		for (i = 0; rc == 0 && i < files.n; i++) {
			size_t n = strlen(files.files[i]->path);
			if (n > 5 && strcmp(files.files[i]->path + n - 5, ".html") == 0)
				stats.pages++;
		}
		if (rc == 0)
			rc = site_files_commit(&files, out_dir, &stats);
		site_keys_dispose(&keys);
		ctx.keys = NULL;
		if (rc != SITE_OUT_STALE)
			break;
	}
	if (rc == 0 && out)
		*out = stats;
done:
	if (loaded)
		site_model_free(&m);
	site_files_dispose(&files);
	hearth_buf_dispose(&base);
	return rc;
}

int hearth_site_build(hearth_db *db, const char *out_dir, const hearth_site_opts *opts,
	hearth_site_stats *out)
{
	if (out)
		memset(out, 0, sizeof *out);
	if (!db)
		return hearth_error_set(HEARTH_EUSAGE, _("cannot build the site: no database"));
	return hearth_site_build_sqlite(hearth_db_sqlite(db), out_dir, opts, out);
}
