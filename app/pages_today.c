/*
 * The first page a person sees, by the node's kind: a centre's classes with their free places,
 * health checks due and this week's events; a station's new calls; a team's requests, new
 * first; the office's sync dashboard. Each daily job is a tap or two from here. Its queries
 * are prepared once per database handle (hearth_db_stmt), and the server keeps the page until
 * the data changes (app/cache.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hearth_status.h"
#include "core/i18n.h"
#include "pages_int.h"

/* A one-tap form to the edit route: fields as name/value pairs, then back to `next`. */
static int tap(hearth_buf *b, const app_req *r, const char *table, const char *id,
	const char *name, const char *value, const char *label, const char *next)
{
	int rc = pages_form_post(b, r, table, "edit", id);

	if (rc == 0)
		rc = pages_hidden(b, name, value);
	if (rc == 0)
		rc = pages_hidden(b, "next", next);
	if (rc == 0)
		rc = hearth_buf_puts(b, "<button type=\"submit\" class=\"secondary\">");
	if (rc == 0)
		rc = pages_esc(b, label);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</button></form> ");
	return rc;
}

static int centre_classes(hearth_buf *b, const app_req *r)
{
	sqlite3_stmt *st = NULL;
	char today[11], value[24], label[64];
	int rc, n = 0;

	pages_china_day(today, 0);
	rc = hearth_buf_printf(b, "<h2>%s</h2><ul class=\"cards\">", _("Classes"));
	if (rc == 0 && (rc = hearth_db_stmt(r->db, &st,
				"SELECT c.id, c.name, c.capacity, "
				"(SELECT count(*) FROM enrolment e WHERE e.owner = c.owner AND "
				"e.class_id = c.id AND (e.ends_on IS NULL OR e.ends_on >= ?2)) "
				"FROM care_class c WHERE c.owner = ?1 ORDER BY c.name")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, hearth_db_node(r->db), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		long long cap = sqlite3_column_int64(st, 2), in = sqlite3_column_int64(st, 3);
		n++;
		rc = hearth_buf_puts(b, "<li><h3>");
		if (rc == 0)
			rc = pages_view_link(b, "care_class", id);
		if (rc == 0)
			rc = pages_esc_col(b, st, 1);
		if (rc == 0)
			rc = hearth_buf_printf(b, "</a></h3><p>%s %lld · %s %lld · "
						  "<strong class=\"free\">%s %lld</strong></p>",
				_("places"), cap, _("enrolled"), in, _("free"), cap - in);
		if (rc == 0 && r->role >= APP_ROLE_STAFF) {
			rc = hearth_buf_puts(b, "<p><a class=\"button\" "
						"href=\"/t/enrolment/new?class_id=");
			if (rc == 0)
				rc = pages_esc(b, id);
			if (rc == 0)
				rc = hearth_buf_printf(b, "\">%s</a></p><p>", _("Enrol a child"));
			snprintf(value, sizeof(value), "%lld", cap + 1);
			snprintf(label, sizeof(label), "%s", _("One place more"));
			if (rc == 0)
				rc = tap(b, r, "care_class", id, "capacity", value, label, "/");
			if (rc == 0 && cap > 0) {
				snprintf(value, sizeof(value), "%lld", cap - 1);
				snprintf(label, sizeof(label), "%s", _("One place fewer"));
				rc = tap(b, r, "care_class", id, "capacity", value, label, "/");
			}
			if (rc == 0)
				rc = hearth_buf_puts(b, "</p>");
		}
		if (rc == 0)
			rc = hearth_buf_puts(b, "</li>");
	}
	hearth_stmt_done(st);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</ul>");
	if (rc == 0 && n == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>", _("No classes yet."));
	if (rc == 0 && r->role >= APP_ROLE_STAFF)
		rc = hearth_buf_printf(b, "<p><a href=\"/t/care_class/new\">%s</a> · "
					  "<a href=\"/t/child/new\">%s</a></p>",
			_("Add a class"), _("Register a child"));
	return rc;
}

/* Rows as links to their view: column 0 the id, 1 the name, the others after " · ", spaced;
 * `none` when there are none. */
static int row_links(hearth_buf *b, sqlite3_stmt *st, const char *table, const char *none)
{
	int rc = hearth_buf_puts(b, "<ul>"), n = 0, i, ncol = sqlite3_column_count(st);

	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		n++;
		rc = hearth_buf_puts(b, "<li>");
		if (rc == 0)
			rc = pages_view_link(b, table, (const char *)sqlite3_column_text(st, 0));
		if (rc == 0)
			rc = pages_esc_col(b, st, 1);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</a> · ");
		for (i = 2; rc == 0 && i < ncol; i++) {
			if (i > 2)
				rc = hearth_buf_puts(b, " ");
			if (rc == 0)
				rc = pages_esc_col(b, st, i);
		}
		if (rc == 0)
			rc = hearth_buf_puts(b, "</li>");
	}
	hearth_stmt_done(st);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</ul>");
	if (rc == 0 && n == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>", none);
	return rc;
}

/* The rows of `sql` (its ?1 this node, ?2 and ?3 the days `from` and `to`, `to` NULL when it
 * has no ?3) as links under the heading `title`. */
static int day_links(hearth_buf *b, const app_req *r, const char *title, const char *sql,
	const char *from, const char *to, const char *table, const char *none)
{
	sqlite3_stmt *st = NULL;
	int rc = hearth_buf_printf(b, "<h2>%s</h2>", title);

	if (rc == 0 && (rc = hearth_db_stmt(r->db, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, hearth_db_node(r->db), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
	if (to)
		sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
	return row_links(b, st, table, none);
}

static int centre_checks(hearth_buf *b, const app_req *r)
{
	char until[11];

	pages_china_day(until, 30);
	return day_links(b, r, _("Health checks due in 30 days"),
		"SELECT h.id, coalesce(c.name, h.child_id), h.next_due "
		"FROM health_check h LEFT JOIN child c ON c.id = h.child_id "
		"AND c.owner = h.centre_id WHERE h.centre_id = ?1 "
		"AND h.next_due IS NOT NULL AND h.next_due <= ?2 "
		"ORDER BY h.next_due LIMIT 50",
		until, NULL, "health_check", _("None due."));
}

static int week_events(hearth_buf *b, const app_req *r)
{
	char from[11], to[11];
	int rc;

	pages_china_day(from, 0);
	pages_china_day(to, 7);
	rc = day_links(b, r, _("Events this week"),
		"SELECT id, title, substr(starts_at, 1, 10), substr(starts_at, 12, 5) "
		"FROM event WHERE owner = ?1 AND substr(starts_at, 1, 10) >= ?2 "
		"AND substr(starts_at, 1, 10) <= ?3 ORDER BY starts_at LIMIT 50",
		from, to, "event", _("No events this week."));
	if (rc == 0 && r->role >= APP_ROLE_STAFF)
		rc = hearth_buf_printf(b, "<p><a class=\"button\" href=\"/t/event/new?public=1\">%s"
					  "</a></p>",
			_("Publish an event"));
	return rc;
}

/* Requests: at a station its own new calls; at a team those assigned to it, new first. */
static int requests(hearth_buf *b, const app_req *r, int team)
{
	sqlite3_stmt *st = NULL;
	const hearth_table_decl *t =
		hearth_schema_table(hearth_db_schema(r->db), "service_request");
	int status_col = t ? hearth_table_column(t, "status") : -1;
	int rc, n = 0;

	if (!t || status_col < 0)
		return 0;
	rc = hearth_buf_printf(b, "<h2>%s</h2>", team ? _("My requests") : _("New calls"));
	if (rc == 0 && !team && r->role >= APP_ROLE_STAFF)
		rc = hearth_buf_printf(b, "<p><a class=\"button\" href=\"/t/service_request/new\">"
					  "%s</a></p>",
			_("Log a call"));
	if (rc == 0)
		rc = hearth_buf_puts(b, "<ul class=\"cards\">");
	if (rc == 0 &&
	    (rc = hearth_db_stmt(r->db, &st,
		     team ? "SELECT id, status, substr(requested_at, 1, 16), service_type_id "
			    "FROM service_request WHERE assignee = ?1 AND status IN ('new', "
			    "'accepted') ORDER BY status = 'new' DESC, requested_at DESC LIMIT 100"
			  : "SELECT id, status, substr(requested_at, 1, 16), service_type_id "
			    "FROM service_request WHERE owner = ?1 AND status = 'new' "
			    "ORDER BY requested_at DESC LIMIT 100")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, hearth_db_node(r->db), -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *status = (const char *)sqlite3_column_text(st, 1);
		char when[17];
		n++;
		snprintf(when, sizeof(when), "%s", (const char *)sqlite3_column_text(st, 2));
		if (strlen(when) > 10)
			when[10] = ' ';
		rc = hearth_buf_puts(b, "<li><a href=\"/t/service_request/view?id=");
		if (rc == 0)
			rc = pages_esc(b, id);
		if (rc == 0)
			rc = hearth_buf_puts(b, "\">");
		if (rc == 0)
			rc = pages_ref_name(b, r, "service_type",
				(const char *)sqlite3_column_text(st, 3));
		if (rc == 0)
			rc = hearth_buf_puts(b, "</a> · ");
		if (rc == 0)
			rc = pages_esc(b, when);
		if (rc == 0)
			rc = hearth_buf_puts(b, " · ");
		if (rc == 0)
			rc = pages_esc(b, hearth_choice_label(&t->cols[status_col], status));
		if (rc == 0 && team && strcmp(status, "new") == 0 && r->role >= APP_ROLE_VOLUNTEER)
			rc = tap(b, r, "service_request", id, "status", "accepted", _("Accept"), "/");
		if (rc == 0)
			rc = hearth_buf_puts(b, "</li>");
	}
	hearth_stmt_done(st);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</ul>");
	if (rc == 0 && n == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>", _("Nothing waiting."));
	return rc;
}

/* A hospital: how many children its partner centres named for it, and the way to record a
 * check for one of them (app/pages_checks.c). */
static int hospital_today(hearth_buf *b, const app_req *r)
{
	sqlite3_stmt *st = NULL;
	long long n = 0;
	int rc = hearth_db_stmt(r->db, &st, "SELECT count(*) FROM child WHERE health_partner = ?1");

	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, hearth_db_node(r->db), -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	hearth_stmt_done(st);
	rc = hearth_buf_printf(b, "<h2>%s</h2><p>", _("Partner centres' children"));
	if (rc == 0)
		rc = hearth_buf_printf(b, P_("%lld child named for this hospital",
					       "%lld children named for this hospital", n),
			n);
	if (rc == 0)
		rc = hearth_buf_printf(b, "</p><p><a class=\"button\" href=\"/checks\">%s</a></p>",
			r->role >= APP_ROLE_STAFF ? _("Record a check") : _("See the children"));
	return rc;
}

/* The office: each node's last sync, what waits for it, its last error. */
static int dashboard(hearth_buf *b, const app_req *r)
{
	hearth_status *s = NULL;
	char at[64];
	int i, rc;

	if ((rc = hearth_status_read(&s, r->db)) < 0)
		return rc;
	rc = hearth_buf_printf(b, "<h2>%s</h2><p><a href=\"/conflicts\">%s</a>: %lld · "
				  "<a href=\"/quarantine\">%s</a>: %lld</p>",
		_("Sync"), _("Conflicts"), (long long)s->open_conflicts, _("Quarantine"),
		(long long)s->quarantined);
	if (rc == 0)
		rc = hearth_buf_printf(b, "<table><thead><tr><th scope=\"col\">%s</th>"
					  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
					  "<th scope=\"col\">%s</th></tr></thead><tbody>",
			_("Node"), _("Last heard"), _("Waiting for it"), _("Last error"));
	for (i = 0; rc == 0 && i < s->nremotes; i++) {
		const hearth_status_remote *m = &s->remotes[i];
		rc = hearth_buf_puts(b, "<tr><td>");
		if (rc == 0)
			rc = pages_esc(b, m->node_name ? m->node_name : m->name);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</td><td>");
		if (rc == 0 && m->last_sync_ms != HEARTH_TIME_NONE) {
			hearth_age_format(at, sizeof(at),
				(int64_t)hearth_time_now_ms() - m->last_sync_ms);
			rc = pages_esc(b, at);
		} else if (rc == 0)
			rc = hearth_buf_puts(b, _("never"));
		if (rc == 0)
			rc = hearth_buf_printf(b, "</td><td>%lld</td><td>", (long long)m->behind);
		if (rc == 0)
			rc = pages_esc(b, m->last_error ? m->last_error : "—");
		if (rc == 0)
			rc = hearth_buf_puts(b, "</td></tr>");
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, "</tbody></table>");
	hearth_status_free(s);
	return rc;
}

int pages_today(const app_req *r, app_resp *out)
{
	hearth_buf *b = &out->body;
	const char *kind = hearth_db_kind(r->db);
	int rc;

	out->status = 200;
	hearth_buf_clear(b);
	rc = pages_open(b, r, _("Today"));
	if (rc == 0 && hearth_db_is_office(r->db))
		rc = dashboard(b, r);
	else if (rc == 0 && strcmp(kind, "volunteer_station") == 0)
		rc = requests(b, r, 0);
	else if (rc == 0 && strcmp(kind, "volunteer_team") == 0)
		rc = requests(b, r, 1);
	else if (rc == 0 && strcmp(kind, "hospital") == 0)
		rc = hospital_today(b, r);
	else if (rc == 0) {
		rc = centre_classes(b, r);
		if (rc == 0)
			rc = centre_checks(b, r);
	}
	if (rc == 0 && !hearth_db_is_office(r->db))
		rc = week_events(b, r);
	if (rc == 0)
		rc = pages_close(b);
	return rc < 0 ? -1 : 1;
}
