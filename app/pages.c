/*
 * The pages' dispatch and what every page shares: escaping, the head, the banner (when this
 * node last synced, how many changes wait, the sync button, the language and 长辈版 links), the
 * navigation of the node's kind, the stylesheet, and the sync button's POST.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hearth_status.h"
#include "core/i18n.h"
#include "pages_int.h"
#include "sync/hearth_sync.h"

int pages_esc(hearth_buf *b, const char *s)
{
	return s ? app_html_escape(b, s) : 0;
}

void pages_china_day(char *out, int days)
{
	time_t s = (time_t)(hearth_time_now_ms() / 1000) + 8 * 3600 + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int pages_esc_col(hearth_buf *b, sqlite3_stmt *st, int i)
{
	return pages_esc(b, (const char *)sqlite3_column_text(st, i));
}

int pages_csrf(hearth_buf *b, const app_req *r)
{
	int rc = hearth_buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");

	if (rc == 0)
		rc = pages_esc(b, r->csrf);
	if (rc == 0)
		rc = hearth_buf_puts(b, "\">");
	return rc;
}

int pages_form_post(hearth_buf *b, const app_req *r, const char *table, const char *action,
	const char *id)
{
	int rc = table ? hearth_buf_printf(b, "<form method=\"post\" action=\"/t/%s/%s\">", table,
				 action)
		       : hearth_buf_printf(b, "<form method=\"post\" action=\"%s\">", action);

	if (rc == 0)
		rc = pages_csrf(b, r);
	if (rc == 0 && id)
		rc = pages_hidden(b, "id", id);
	return rc;
}

int pages_hidden(hearth_buf *b, const char *name, const char *value)
{
	int rc = hearth_buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);

	if (rc == 0)
		rc = pages_esc(b, value);
	if (rc == 0)
		rc = hearth_buf_puts(b, "\">");
	return rc;
}

/* A span of `cls` with id "<pfx>-<col>" holding `text` escaped. */
static int field_note(hearth_buf *b, const char *cls, const char *pfx, const char *col,
	const char *text)
{
	int rc = hearth_buf_printf(b, "<span class=\"%s\" id=\"%s-%s\">", cls, pfx, col);

	if (rc == 0)
		rc = pages_esc(b, text);
	return rc == 0 ? hearth_buf_puts(b, "</span>") : rc;
}

int pages_field_head(hearth_buf *b, hearth_buf *aria, const app_req *r,
	const hearth_table_decl *t, int col, int req, const char *why)
{
	const hearth_column_decl *c = &t->cols[col];
	const char *hint = strcmp(r->lang, "en") == 0 ? c->hint_en : c->hint_zh;
	int rc = 0;

	hearth_buf_clear(aria);
	if (hint || why)
		rc = hearth_buf_printf(aria, " aria-describedby=\"%s%s%s%s%s\"", hint ? "h-" : "",
			hint ? c->name : "", hint && why ? " " : "", why ? "e-" : "",
			why ? c->name : "");
	if (rc == 0 && why)
		rc = hearth_buf_puts(aria, " aria-invalid=\"true\"");
	if (rc == 0 && req)
		rc = hearth_buf_puts(aria, " aria-required=\"true\"");
	if (rc == 0)
		rc = hearth_buf_printf(b, "<label for=\"f-%s\">", c->name);
	if (rc == 0)
		rc = pages_esc(b, pages_col_label(r, t, col));
	if (rc == 0 && req)
		rc = hearth_buf_printf(b, " <span class=\"hint\">(%s)</span>", _("required"));
	if (rc == 0)
		rc = hearth_buf_puts(b, "</label>");
	if (rc == 0 && hint)
		rc = field_note(b, "hint", "h", c->name, hint);
	if (rc == 0 && why)
		rc = field_note(b, "error", "e", c->name, why);
	return rc;
}

int pages_view_link(hearth_buf *b, const char *table, const char *id)
{
	int rc = hearth_buf_printf(b, "<a href=\"/t/%s/view?id=", table);

	if (rc == 0)
		rc = pages_esc(b, id);
	if (rc == 0)
		rc = hearth_buf_puts(b, "\">");
	return rc;
}

int pages_redirect(app_resp *out, const char *path)
{
	out->status = 303;
	hearth_buf_clear(&out->body);
	free(out->location);
	if (!(out->location = strdup(path)))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	return 1;
}

/* ---- what a node's kind keeps ---------------------------------------------------------------- */

static const struct {
	const char *table;
	const char *label;
} table_labels[] = {
	{ "care_class", N_("Classes") },
	{ "child", N_("Children") },
	{ "enrolment", N_("Enrolments") },
	{ "event", N_("Events") },
	{ "care_offer", N_("Services offered") },
	{ "health_check", N_("Health checks") },
	{ "partnership", N_("Partners") },
	{ "service_request", N_("Requests") },
	{ "volunteer_team", N_("Volunteer teams") },
	{ "volunteer", N_("Volunteers") },
	{ "node", N_("Our details") },
	{ "region", N_("Regions") },
	{ "service_type", N_("Service types") },
	{ "request_tally", N_("Solved requests by month") },
};

const char *pages_table_label(const char *table)
{
	size_t i;

	for (i = 0; i < sizeof(table_labels) / sizeof(table_labels[0]); i++)
		if (strcmp(table_labels[i].table, table) == 0)
			return _(table_labels[i].label);
	return table;
}

static const char *const centre_tables[] = { "care_class", "child", "enrolment", "event",
	"care_offer", "health_check", "partnership", "node", NULL };
static const char *const station_tables[] = { "service_request", "volunteer_team", "volunteer",
	"event", "partnership", "node", NULL };
static const char *const team_tables[] = { "service_request", "volunteer", "volunteer_team",
	"event", "node", NULL };
static const char *const hospital_tables[] = { "health_check", "partnership", "event", "node",
	NULL };
static const char *const office_tables[] = { "node", "event", "service_type", "region",
	"care_class", "child", "enrolment", "health_check", "service_request", "volunteer_team",
	"volunteer", "partnership", "care_offer", "request_tally", NULL };

static const char *const *kind_tables(const app_req *r)
{
	const char *k = hearth_db_kind(r->db);

	if (hearth_db_is_office(r->db))
		return office_tables;
	if (strcmp(k, "volunteer_station") == 0)
		return station_tables;
	if (strcmp(k, "volunteer_team") == 0)
		return team_tables;
	if (strcmp(k, "hospital") == 0)
		return hospital_tables;
	return centre_tables;
}

int pages_table_allowed(const app_req *r, const char *table)
{
	const char *const *t;

	for (t = kind_tables(r); *t; t++)
		if (strcmp(*t, table) == 0)
			return hearth_schema_table(hearth_db_schema(r->db), table) != NULL;
	return 0;
}

const char *pages_col_label(const app_req *r, const hearth_table_decl *t, int col)
{
	const hearth_column_decl *c = &t->cols[col];
	const char *l = strcmp(r->lang, "en") == 0 ? c->label_en : c->label_zh;

	return l ? l : c->name;
}

int pages_ref_name(hearth_buf *b, const app_req *r, const char *table, const char *id)
{
	static const struct {
		const char *table, *zh, *en;
	} names[] = {
		{ "care_class", "name", "name" }, { "child", "name", "name" },
		{ "volunteer_team", "name", "name" }, { "volunteer", "name", "name" },
		{ "node", "name", "coalesce(name_en, name)" },
		{ "service_type", "name", "coalesce(name_en, name)" },
		{ "region", "name", "coalesce(name_en, name)" },
		{ "event", "title", "coalesce(title_en, title)" },
	};
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	const char *shown = id;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].table, table) == 0)
			break;
	if (i < sizeof(names) / sizeof(names[0]) &&
	    hearth_buf_printf(&sql, "SELECT %s FROM \"%s\" WHERE id = ?1 LIMIT 1",
		    strcmp(r->lang, "en") == 0 ? names[i].en : names[i].zh, table) == 0 &&
	    hearth_db_stmt(r->db, &st, sql.ptr) == 0) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			shown = (const char *)sqlite3_column_text(st, 0);
	}
	/* a team node this node holds no row of: the name of its team (a directory row) */
	if (shown == id && strcmp(table, "node") == 0) {
		hearth_stmt_done(st);
		st = NULL;
		if (hearth_db_stmt(r->db, &st,
			    "SELECT name FROM volunteer_team WHERE owner = ?1 ORDER BY id LIMIT 1") == 0) {
			sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
				shown = (const char *)sqlite3_column_text(st, 0);
		}
	}
	rc = pages_esc(b, shown);
	hearth_stmt_done(st);
	hearth_buf_dispose(&sql);
	return rc;
}

/* ---- the head and the banner ------------------------------------------------------------- */

static int age_text(hearth_buf *b, int64_t ms)
{
	long long s = ms / 1000;

	if (s < 120)
		return hearth_buf_puts(b, _("just now"));
	if (s < 7200)
		return hearth_buf_printf(b, P_("%lld minute ago", "%lld minutes ago", s / 60),
			s / 60);
	if (s < 172800)
		return hearth_buf_printf(b, P_("%lld hour ago", "%lld hours ago", s / 3600),
			s / 3600);
	return hearth_buf_printf(b, P_("%lld day ago", "%lld days ago", s / 86400), s / 86400);
}

/* Query text, percent-encoded but for the unreserved characters (safe in an attribute too). */
static int url_part(hearth_buf *b, const char *s)
{
	int rc = 0;

	for (; rc == 0 && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			rc = hearth_buf_putc(b, (char)c);
		else
			rc = hearth_buf_printf(b, "%%%02X", c);
	}
	return rc;
}

/* This page with `name` set to `value` and its other query fields kept (a record's id), so
 * that switching the language or the text size stays on the page. */
static int pref_href(hearth_buf *b, const app_req *r, const char *name, const char *value)
{
	int i, rc = hearth_buf_putc(b, '?');

	for (i = 0; rc == 0 && i < r->nquery; i++) {
		const char *n = r->query[i].name;
		if (strcmp(n, "lang") == 0 || strcmp(n, "large") == 0 || strcmp(n, "synced") == 0)
			continue;
		rc = url_part(b, n);
		if (rc == 0)
			rc = hearth_buf_putc(b, '=');
		if (rc == 0)
			rc = url_part(b, r->query[i].value);
		if (rc == 0)
			rc = hearth_buf_puts(b, "&amp;");
	}
	if (rc == 0)
		rc = hearth_buf_printf(b, "%s=%s", name, value);
	return rc;
}

static int banner(hearth_buf *b, const app_req *r, int large)
{
	hearth_status *st = NULL;
	hearth_buf line = HEARTH_BUF_INIT, outcome = HEARTH_BUF_INIT;
	int64_t last = HEARTH_TIME_NONE, pending;
	int i, rc;

	if ((rc = hearth_status_read(&st, r->db)) < 0)
		return rc;
	for (i = 0; i < st->nremotes; i++)
		if (st->remotes[i].last_sync_ms > last)
			last = st->remotes[i].last_sync_ms;
	pending = st->unpushed + st->pushed;
	if (last == HEARTH_TIME_NONE)
		rc = hearth_buf_puts(&line, _("never synced"));
	else if ((rc = hearth_buf_printf(&line, "%s ", _("last sync"))) == 0)
		rc = age_text(&line, (int64_t)hearth_time_now_ms() - last);
	if (rc == 0)
		rc = hearth_buf_printf(&line, " · ");
	if (rc == 0)
		rc = hearth_buf_printf(&line,
			P_("%lld change waiting to be sent", "%lld changes waiting to be sent", pending),
			(long long)pending);
	if (app_query_get(r, "synced"))
		hearth_meta_get(r->db, "app_sync_outcome", &outcome);
	if (rc == 0)
		rc = hearth_buf_puts(b, "<header class=\"banner\"><p id=\"sync-state\">");
	if (rc == 0)
		rc = pages_esc(b, line.ptr);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</p>");
	if (rc == 0 && app_query_get(r, "synced") && outcome.size > 0) {
		rc = hearth_buf_puts(b, "<p role=\"status\" class=\"notice\">");
		if (rc == 0)
			rc = pages_esc(b, outcome.ptr);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</p>");
	}
	if (rc == 0 && st->nremotes > 0 && r->role != APP_ROLE_VIEWER) {
		rc = hearth_buf_puts(b, "<form method=\"post\" action=\"/sync\">");
		if (rc == 0)
			rc = pages_csrf(b, r);
		if (rc == 0)
			rc = hearth_buf_printf(b, "<button type=\"submit\">%s</button></form>",
				_("Sync now"));
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, "<p class=\"prefs\"><a href=\"");
	if (rc == 0)
		rc = pref_href(b, r, "lang", strcmp(r->lang, "en") == 0 ? "zh" : "en");
	if (rc == 0)
		rc = hearth_buf_printf(b, "\" lang=\"%s\">%s</a> · <a id=\"large-text\" href=\"",
			strcmp(r->lang, "en") == 0 ? "zh-CN" : "en",
			strcmp(r->lang, "en") == 0 ? "中文" : "English");
	if (rc == 0)
		rc = pref_href(b, r, "large", large ? "0" : "1");
	if (rc == 0)
		rc = hearth_buf_printf(b, "\">%s</a></p><form method=\"post\" action=\"/logout\">",
			large ? _("Normal text") : _("Large text"));
	if (rc == 0)
		rc = pages_csrf(b, r);
	/* who is signed in, beside the button that signs them out */
	if (rc == 0 && r->user) {
		rc = hearth_buf_puts(b, "<span class=\"who\">");
		if (rc == 0)
			rc = pages_esc(b, r->user);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</span> ");
	}
	if (rc == 0)
		rc = hearth_buf_printf(b, "<button type=\"submit\" class=\"secondary\">%s</button>"
					  "</form></header>",
			_("Sign out"));
	hearth_buf_dispose(&line);
	hearth_buf_dispose(&outcome);
	hearth_status_free(st);
	return rc;
}

static int nav(hearth_buf *b, const app_req *r)
{
	const char *const *t;
	int rc = hearth_buf_printf(b, "<nav aria-label=\"%s\"><ul><li><a href=\"/\">%s</a></li>",
		_("Main"), _("Today"));

	for (t = kind_tables(r); rc == 0 && *t; t++)
		if (hearth_schema_table(hearth_db_schema(r->db), *t))
			rc = hearth_buf_printf(b, "<li><a href=\"/t/%s\">%s</a></li>", *t,
				pages_table_label(*t));
	if (rc == 0 && strcmp(hearth_db_kind(r->db), "hospital") == 0)
		rc = hearth_buf_printf(b, "<li><a href=\"/checks\">%s</a></li>",
			_("Partner centres' children"));
	if (rc == 0 && hearth_db_is_office(r->db))
		rc = hearth_buf_printf(b,
			"<li><a href=\"/conflicts\">%s</a></li><li><a href=\"/quarantine\">%s</a></li>"
			"<li><a href=\"/publish\">%s</a></li>",
			_("Conflicts"), _("Quarantine"), _("Public site"));
	if (rc == 0 && r->role != APP_ROLE_VIEWER)
		rc = hearth_buf_printf(b, "<li><a href=\"/stick\">%s</a></li>", _("USB stick"));
	if (rc == 0 && r->role == APP_ROLE_ADMIN)
		rc = hearth_buf_printf(b, "<li><a href=\"/admin/users\">%s</a></li>", _("Accounts"));
	if (rc == 0)
		rc = hearth_buf_puts(b, "</ul></nav>");
	return rc;
}

int pages_open(hearth_buf *b, const app_req *r, const char *title)
{
	int large = r->large_text, rc;

	rc = hearth_buf_printf(b,
		"<!doctype html>\n<html lang=\"%s\"%s><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		"<link rel=\"stylesheet\" href=\"/app.css\"><title>",
		strcmp(r->lang, "en") == 0 ? "en" : "zh-CN", large ? " class=\"large\"" : "");
	if (rc == 0)
		rc = pages_esc(b, title);
	if (rc == 0)
		rc = hearth_buf_printf(b, " · hearth</title></head><body>"
					  "<a class=\"skip\" href=\"#main\">%s</a>",
			_("Skip to the content"));
	if (rc == 0)
		rc = banner(b, r, large);
	if (rc == 0)
		rc = nav(b, r);
	if (rc == 0)
		rc = hearth_buf_puts(b, "<main id=\"main\"><h1>");
	if (rc == 0)
		rc = pages_esc(b, title);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</h1>");
	return rc;
}

int pages_close(hearth_buf *b)
{
	return hearth_buf_puts(b, "</main></body></html>\n");
}

/* ---- the stylesheet ------------------------------------------------------------------------ */

static const char css[] =
	":root{--fg:#1a1a1a;--bg:#fff;--accent:#0b5394;--warn:#a61b1b;--muted:#555}\n"
	"*{box-sizing:border-box}\n"
	"html{font-size:100%}html.large{font-size:131.25%}\n"
	"body{margin:0 auto;max-width:48rem;padding:0 .75rem 2rem;color:var(--fg);"
	"background:var(--bg);font-family:system-ui,\"Noto Sans CJK SC\",\"PingFang SC\","
	"sans-serif;line-height:1.6}\n"
	"a{color:var(--accent)}a:focus,button:focus,input:focus,select:focus,textarea:focus"
	"{outline:3px solid #f0a500;outline-offset:2px}\n"
	".skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff}\n"
	".banner{border-bottom:1px solid #ccc;padding:.5rem 0}.banner p{margin:.25rem 0}\n"
	".banner form{display:inline}.prefs{font-size:.9rem}\n"
	"nav ul{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.25rem .75rem}\n"
	"nav a{display:inline-block;min-height:44px;padding:.6rem .1rem}\n"
	"h1{font-size:1.5rem;margin:.75rem 0}h2{font-size:1.2rem;margin:1.25rem 0 .5rem}\n"
	"label{display:block;font-weight:600;margin-top:.75rem}\n"
	".hint{display:block;color:var(--muted);font-size:.9rem}\n"
	"input,select,textarea{font:inherit;width:100%;min-height:44px;padding:.4rem;"
	"border:1px solid #767676;border-radius:4px}\n"
	"input[type=checkbox]{width:auto}\n"
	"button,.button{font:inherit;min-height:44px;min-width:44px;padding:.5rem 1rem;"
	"border:0;border-radius:4px;background:var(--accent);color:#fff;cursor:pointer;"
	"text-decoration:none;display:inline-block;margin:.25rem 0}\n"
	"button.secondary{background:#fff;color:var(--accent);border:2px solid var(--accent)}\n"
	"[aria-invalid=true]{border:2px solid var(--warn)}\n"
	".error{color:var(--warn);font-weight:600}.notice{color:#1d5e20}\n"
	"table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;"
	"border-bottom:1px solid #ddd;vertical-align:top}\n"
	".cards{list-style:none;padding:0}.cards li{border:1px solid #ccc;border-radius:6px;"
	"padding:.5rem .75rem;margin:.5rem 0}\n"
	".row-actions form,.pager form{display:inline}\n"
	"dl{margin:0}dt{font-weight:600;margin-top:.5rem}dd{margin:0}\n";

int pages_css(app_resp *out)
{
	out->status = 200;
	out->content_type = "text/css; charset=utf-8";
	hearth_buf_clear(&out->body);
	return hearth_buf_put(&out->body, css, sizeof(css) - 1) < 0 ? -1 : 1;
}

/* ---- the sync button ------------------------------------------------------------------------ */

int pages_sync_run(const app_req *r, const char *only_remote)
{
	hearth_sync_opts opts = { NULL, NULL, only_remote };
	hearth_sync_result res;
	hearth_buf line = HEARTH_BUF_INIT;
	int rc;

	memset(&res, 0, sizeof(res));
	if (hearth_sync_init() < 0)
		return -1;
	rc = hearth_sync(r->db, &opts, &res);
	if (rc < 0)
		rc = hearth_buf_printf(&line, _("sync failed: %s"), hearth_error_last());
	else
		rc = hearth_buf_printf(&line, _("sync done: %d sent, %d received, %d waiting"),
			res.pushed, res.received, res.pending);
	if (rc == 0)
		rc = hearth_sync_skipped_format(&line, &res); /* a stick not plugged in */
	hearth_sync_shutdown();
	if (rc == 0)
		rc = hearth_meta_set(r->db, "app_sync_outcome", line.ptr);
	hearth_buf_dispose(&line);
	return rc < 0 ? -1 : 0;
}

int pages_sync_post(const app_req *r, app_resp *out)
{
	if (r->role == APP_ROLE_VIEWER) {
		/* a viewer reads; a sync writes what the office sent */
		out->status = 403;
		hearth_buf_clear(&out->body);
		if (pages_open(&out->body, r, _("Sync")) < 0 ||
		    hearth_buf_printf(&out->body, "<p class=\"error\" role=\"alert\">%s</p>",
			    _("an account that only reads does not sync")) < 0 ||
		    pages_close(&out->body) < 0)
			return -1;
		return 1;
	}
	if (pages_sync_run(r, NULL) < 0)
		return -1;
	return pages_redirect(out, "/?synced=1");
}

/* ---- dispatch ------------------------------------------------------------------------------- */

int app_pages_handle(const app_req *r, app_resp *out)
{
	int post = strcmp(r->method, "POST") == 0;
	const char *p = r->path;

	if (strcmp(p, "/app.css") == 0)
		return pages_css(out);
	if (strcmp(p, "/") == 0 && !post)
		return pages_today(r, out);
	if (strcmp(p, "/sync") == 0 && post)
		return pages_sync_post(r, out);
	if (strcmp(p, "/conflicts") == 0 && !post && hearth_db_is_office(r->db))
		return pages_conflicts(r, out);
	if (strcmp(p, "/conflicts/resolve") == 0 && post && hearth_db_is_office(r->db))
		return pages_conflict_resolve(r, out);
	if (strcmp(p, "/quarantine") == 0 && !post && hearth_db_is_office(r->db))
		return pages_quarantine(r, out);
	if (strcmp(p, "/publish") == 0 && hearth_db_is_office(r->db))
		return post ? pages_publish_post(r, out) : pages_publish(r, out);
	if (strncmp(p, "/site/", 6) == 0 && !post && hearth_db_is_office(r->db))
		return pages_site_file(r, out);
	if (strcmp(p, "/purge") == 0 && hearth_db_is_office(r->db))
		return post ? pages_purge_post(r, out) : pages_purge(r, out);
	if (strcmp(p, "/stick") == 0)
		return post ? pages_stick_post(r, out) : pages_stick(r, out);
	if (strcmp(p, "/checks") == 0 && strcmp(hearth_db_kind(r->db), "hospital") == 0)
		return post ? pages_checks_post(r, out) : pages_checks(r, out);
	if (strncmp(p, "/t/", 3) == 0) {
		char table[64];
		const char *slash = strchr(p + 3, '/');
		size_t n = slash ? (size_t)(slash - (p + 3)) : strlen(p + 3);
		const char *action = slash ? slash + 1 : "";

		if (n == 0 || n >= sizeof(table))
			return 0;
		memcpy(table, p + 3, n);
		table[n] = '\0';
		if (!pages_table_allowed(r, table))
			return 0;
		if ((post && strcmp(action, "new") && strcmp(action, "edit") &&
			    strcmp(action, "delete") && strcmp(action, "assign") &&
			    strcmp(action, "search")) ||
		    (!post && strcmp(action, "") && strcmp(action, "new") &&
			    strcmp(action, "view") && strcmp(action, "edit")))
			return 0;
		return pages_table(r, out, table, action);
	}
	return 0;
}
