/*
 * The office's publishing pages: build the public site into the node's folder (`site/`, as
 * `hearth site build --out site` there) and look at it through the app (/site/...), and the
 * purge: what it would remove, by name and count, then a confirm step that runs it
 * (hearth_purge_preview, hearth_purge: the same rules, no SQL here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/i18n.h"
#include "pages_int.h"
#include "site-gen/hearth_site.h"

/* ---- what the pages share ------------------------------------------------------------------- */

int pages_message(app_resp *out, const app_req *r, int status, const char *title,
	const char *line, int is_error)
{
	hearth_buf *b = &out->body;

	out->status = status;
	hearth_buf_clear(b);
	if (pages_open(b, r, title) < 0 ||
	    hearth_buf_printf(b, "<p class=\"%s\" role=\"%s\">", is_error ? "error" : "notice",
		    is_error ? "alert" : "status") < 0 ||
	    pages_esc(b, line) < 0 || hearth_buf_puts(b, "</p>") < 0 || pages_close(b) < 0)
		return -1;
	return 1;
}

int pages_denied(app_resp *out, const app_req *r)
{
	return pages_message(out, r, 403, _("Not allowed"),
		_("your account may not make this change: nothing was saved"), 1);
}

/* The one-line outcome kept in meta `key`, shown when the page is reached with ?done=1. */
int pages_outcome(hearth_buf *b, const app_req *r, const char *key)
{
	hearth_buf line = HEARTH_BUF_INIT;
	int rc = 0;

	if (app_query_get(r, "done") && hearth_meta_get(r->db, key, &line) == 0 && line.size) {
		rc = hearth_buf_puts(b, "<p class=\"notice\" role=\"status\" id=\"outcome\">");
		if (rc == 0)
			rc = pages_esc(b, line.ptr);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</p>");
	}
	hearth_buf_dispose(&line);
	return rc;
}

/* `path` under the node's folder, into `out`. */
static int node_path(hearth_buf *out, const app_req *r, const char *path)
{
	hearth_buf_clear(out);
	return hearth_buf_printf(out, "%s/%s", hearth_db_dir(r->db), path);
}

/* ---- the site ------------------------------------------------------------------------------ */

static int site_built(const app_req *r)
{
	hearth_buf p = HEARTH_BUF_INIT;
	struct stat st;
	int yes = node_path(&p, r, "site/index.html") == 0 && stat(p.ptr, &st) == 0;

	hearth_buf_dispose(&p);
	return yes;
}

int pages_publish(const app_req *r, app_resp *out)
{
	hearth_buf *b = &out->body;
	int rc;

	out->status = 200;
	hearth_buf_clear(b);
	rc = pages_open(b, r, _("Public site"));
	if (rc == 0)
		rc = pages_outcome(b, r, "app_site_outcome");
	if (rc == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>",
			_("The public site shows what the declarations make public: centres, free "
			  "places, events and services, never a child or a resident."));
	if (rc == 0 && site_built(r))
		rc = hearth_buf_printf(b, "<p><a href=\"/site/index.html\" id=\"site-preview\">%s</a>"
					  "</p>",
			_("Look at the site as it was last built"));
	if (rc == 0 && r->role >= APP_ROLE_STAFF) {
		rc = pages_form_post(b, r, NULL, "/publish", NULL);
		if (rc == 0)
			rc = hearth_buf_printf(b, "<button type=\"submit\">%s</button></form>",
				_("Build the public site"));
	}
	if (rc == 0)
		rc = hearth_buf_printf(b, "<h2>%s</h2><p><a href=\"/purge\">%s</a></p>",
			_("Old records"), _("See what a purge would remove"));
	if (rc == 0)
		rc = pages_close(b);
	return rc < 0 ? -1 : 1;
}

int pages_publish_post(const app_req *r, app_resp *out)
{
	hearth_site_stats stats;
	hearth_buf dir = HEARTH_BUF_INIT, line = HEARTH_BUF_INIT;
	int rc;

	if (r->role < APP_ROLE_STAFF)
		return pages_denied(out, r);
	memset(&stats, 0, sizeof(stats));
	if ((rc = node_path(&dir, r, "site")) == 0) {
		if (hearth_site_build(r->db, dir.ptr, NULL, &stats) < 0)
			rc = hearth_buf_printf(&line, _("site not built: %s"), hearth_error_last());
		else
			rc = hearth_buf_printf(&line,
				_("site built: %d pages (%d files written, %d unchanged, %d removed)"),
				stats.pages, stats.files_written, stats.files_unchanged,
				stats.files_removed);
	}
	if (rc == 0)
		rc = hearth_meta_set(r->db, "app_site_outcome", line.ptr);
	hearth_buf_dispose(&dir);
	hearth_buf_dispose(&line);
	if (rc < 0)
		return -1;
	return pages_redirect(out, "/publish?done=1");
}

static const char *mime(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" }, { ".json", "application/json" },
		{ ".svg", "image/svg+xml" }, { ".xml", "application/xml" },
		{ ".csv", "text/csv; charset=utf-8" }, { ".ics", "text/calendar; charset=utf-8" },
		{ ".txt", "text/plain; charset=utf-8" }, { ".md", "text/plain; charset=utf-8" },
		{ ".png", "image/png" }, { ".ico", "image/x-icon" },
	};
	size_t i, n = strlen(path);

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);
		if (n > e && strcmp(path + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

/* A path under /site/ is served only when every part of it is a plain name: no "..", no hidden
 * file (the manifest, the site's mark), no empty part. */
static int site_path_ok(const char *rel)
{
	const char *p = rel;

	if (!*p)
		return 0;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || p[0] == '.')
			return 0;
		p += n;
		if (*p == '/')
			p++;
	}
	return strchr(rel, '\\') == NULL;
}

int pages_site_file(const app_req *r, app_resp *out)
{
	const char *rel = r->path + strlen("/site/");
	hearth_buf path = HEARTH_BUF_INIT;
	char chunk[8192];
	struct stat st;
	size_t n;
	FILE *f = NULL;
	int rc = 0;

	if (!site_path_ok(rel) ||
	    node_path(&path, r, "site/") < 0 || hearth_buf_puts(&path, rel) < 0) {
		hearth_buf_dispose(&path);
		return 0;
	}
	if (stat(path.ptr, &st) == 0 && S_ISDIR(st.st_mode) &&
	    hearth_buf_puts(&path, "/index.html") < 0) {
		hearth_buf_dispose(&path);
		return -1;
	}
	if (stat(path.ptr, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fopen(path.ptr, "rb"))) {
		hearth_buf_dispose(&path);
		return 0;
	}
	out->status = 200;
	out->content_type = mime(path.ptr);
	hearth_buf_clear(&out->body);
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = hearth_buf_put(&out->body, chunk, n);
	fclose(f);
	hearth_buf_dispose(&path);
	return rc < 0 ? -1 : 1;
}

/* ---- the purge ----------------------------------------------------------------------------- */

static const char *period_of(const app_req *r, int post)
{
	const char *p = post ? app_form_get(r, "older_than") : app_query_get(r, "older_than");

	return p && *p ? p : HEARTH_PURGE_DEFAULT;
}

/* The period field, marked with `why` when refused. */
static int period_form(hearth_buf *b, const char *period, const char *why)
{
	int rc = hearth_buf_printf(b,
		"<form method=\"get\" action=\"/purge\"><label for=\"older_than\">%s</label>"
		"<span class=\"hint\" id=\"older_than-hint\">%s</span>",
		_("Records closed longer ago than"),
		_("a number and y, m or d: 3y is three years, 18m eighteen months, 400d 400 days"));

	if (rc == 0 && why) {
		rc = hearth_buf_puts(b, "<span class=\"error\" id=\"older_than-error\">");
		if (rc == 0)
			rc = pages_esc(b, why);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</span>");
	}
	if (rc == 0)
		rc = hearth_buf_printf(b, "<input id=\"older_than\" name=\"older_than\" "
					  "aria-describedby=\"older_than-hint%s\"%s value=\"",
			why ? " older_than-error" : "", why ? " aria-invalid=\"true\"" : "");
	if (rc == 0)
		rc = pages_esc(b, period);
	if (rc == 0)
		rc = hearth_buf_printf(b, "\"><button type=\"submit\" class=\"secondary\">%s</button>"
					  "</form>",
			_("Show what would be removed"));
	return rc;
}

static int plan_list(hearth_buf *b, const app_req *r, const hearth_purge_plan *pv)
{
	const hearth_purge_info *in = &pv->info;
	int i, rc;

	rc = hearth_buf_printf(b, "<p id=\"purge-counts\">");
	if (rc == 0)
		rc = hearth_buf_printf(b,
			_("Records closed before %s: %d requests, %d volunteers, %d health checks, "
			  "%d enrolments, %d children."),
			in->cutoff, in->requests, in->volunteers, in->health_checks, in->enrolments,
			in->children);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</p>");
	if (rc == 0 && pv->n > 0)
		rc = hearth_buf_printf(b, "<table id=\"purge-list\"><caption>%s</caption><thead><tr>"
					  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
					  "<th scope=\"col\">%s</th></tr></thead><tbody>",
			_("What the purge would remove"), _("Kind"), _("Record"), _("Kept by"));
	for (i = 0; rc == 0 && i < pv->n; i++) {
		const hearth_purge_item *it = &pv->items[i];
		rc = hearth_buf_puts(b, "<tr><td>");
		if (rc == 0)
			rc = pages_esc(b, pages_table_label(it->table));
		if (rc == 0)
			rc = hearth_buf_puts(b, "</td><td>");
		if (rc == 0)
			rc = pages_esc(b, it->name);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</td><td>");
		if (rc == 0)
			rc = pages_ref_name(b, r, "node", it->owner);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</td></tr>");
	}
	if (rc == 0 && pv->n > 0)
		rc = hearth_buf_puts(b, "</tbody></table>");
	return rc;
}

/* The preview page; with `why` (a refused period) 422, the field marked, nothing listed. */
static int purge_page(const app_req *r, app_resp *out, const char *period, const char *why)
{
	hearth_buf *b = &out->body;
	hearth_purge_plan *pv = NULL;
	char msg[512];
	int rc;

	if (!why && hearth_purge_preview(r->db, period, &pv) < 0) {
		if (hearth_error_code() != HEARTH_EUSAGE)
			return -1;
		why = hearth_error_last();
	}
	if (why) { /* kept: what the page reads below may set another error */
		snprintf(msg, sizeof(msg), "%s", why);
		why = msg;
	}
	out->status = why ? 422 : 200;
	hearth_buf_clear(b);
	rc = pages_open(b, r, _("Purge old records"));
	if (rc == 0)
		rc = pages_outcome(b, r, "app_purge_outcome");
	if (rc == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>",
			_("A purge removes the personal records (children, enrolments, health checks, "
			  "requests, volunteers) closed for longer than the period, here and, with the "
			  "next sync, at every node. Solved requests stay counted on the site."));
	if (rc == 0)
		rc = period_form(b, period, why);
	if (rc == 0 && pv)
		rc = plan_list(b, r, pv);
	if (rc == 0 && pv && pv->n == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>", _("Nothing is old enough to purge."));
	if (rc == 0 && pv && pv->n > 0 && r->role >= APP_ROLE_STAFF) {
		rc = pages_form_post(b, r, NULL, "/purge", NULL);
		if (rc == 0)
			rc = pages_hidden(b, "older_than", period);
		if (rc == 0)
			rc = hearth_buf_printf(b, "<input type=\"hidden\" name=\"cutoff\" "
						  "value=\"%s\"><button type=\"submit\">%s</button>"
						  "</form>",
				pv->info.cutoff, _("Remove these records"));
	}
	if (rc == 0)
		rc = pages_close(b);
	hearth_purge_plan_free(pv);
	return rc < 0 ? -1 : 1;
}

int pages_purge(const app_req *r, app_resp *out)
{
	return purge_page(r, out, period_of(r, 0), NULL);
}

int pages_purge_post(const app_req *r, app_resp *out)
{
	const char *period = period_of(r, 1), *seen = app_form_get(r, "cutoff");
	hearth_purge_info info;
	hearth_buf line = HEARTH_BUF_INIT;
	char cutoff[11];
	int rc;

	if (r->role < APP_ROLE_STAFF)
		return pages_denied(out, r);
	if (hearth_purge_cutoff(cutoff, period, hearth_time_now_ms()) < 0)
		return purge_page(r, out, period, hearth_error_last());
	/* the confirm removes what the preview showed: a day later the cutoff moved */
	if (!seen || strcmp(seen, cutoff) != 0)
		return purge_page(r, out, period,
			_("the day changed since the preview: look at the list again"));
	if (hearth_purge(r->db, period, &info) < 0)
		return -1;
	rc = hearth_buf_printf(&line,
		_("purged: %d requests, %d volunteers, %d health checks, %d enrolments, %d children "
		  "closed before %s"),
		info.requests, info.volunteers, info.health_checks, info.enrolments, info.children,
		info.cutoff);
	if (rc == 0)
		rc = hearth_meta_set(r->db, "app_purge_outcome", line.ptr);
	hearth_buf_dispose(&line);
	if (rc < 0)
		return -1;
	return pages_redirect(out, "/purge?done=1");
}
