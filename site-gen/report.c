/*
 * The private report for staff (`hearth report`): Markdown, or HTML rendered by cmark.
 *
 * At a node: changes not yet at the office, each remote's last sync and last error, open
 * service requests and classes near capacity. At the office: one row per node (the nodes silent
 * for more than 7 days first), open conflicts with both values, quarantined commits, rows the
 * public site leaves out.
 *
 * The report is built as generated Markdown blocks and tables. Plain cmark has no tables, so in
 * HTML the tables are written as HTML and only the blocks between them go through cmark. Every
 * string from the database goes through the site's escaping module (site_esc_md, site_esc_html),
 * and every table through the site's table builder (site_table, without caption or page).
 */
#include "site_int.h"
#include "core/i18n.h"
#include "core/hearth_status.h"

#include <cmark.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SILENT_MS (7 * HEARTH_DAY_MS)

/* the widest table of the report has 9 columns */
#define RP_MAX_COLS 12

typedef struct {
	hearth_buf *out;
	int html;
	hearth_buf md; /* generated Markdown not yet written (HTML: not yet rendered) */
	site_table table; /* the table being written */
	int rc;
} report;

/* ---- the builder -------------------------------------------------------------------------- */

static void rp_md(report *r, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void rp_md(report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->rc)
		return;
	va_start(ap, fmt);
	r->rc = hearth_buf_vprintf(&r->md, fmt, ap);
	va_end(ap);
}

/* A string from the database into the Markdown: escaped, so it is text and nothing else. */
static void rp_text(report *r, const char *s)
{
	if (r->rc == 0)
		r->rc = site_esc_md(&r->md, s ? s : "");
}

/* HTML: render the pending Markdown with cmark into the output. Markdown: copy it. */
static void rp_flush(report *r)
{
	char *html;

	if (r->rc || r->md.size == 0)
		return;
	if (!r->html) {
		r->rc = hearth_buf_put(r->out, r->md.ptr, r->md.size);
	} else {
		html = cmark_markdown_to_html(r->md.ptr, r->md.size, CMARK_OPT_DEFAULT);
		if (!html)
			r->rc = hearth_error_set(
				HEARTH_ERROR, _("cannot render the report: cmark failed"));
		else
			r->rc = hearth_buf_puts(r->out, html);
		free(html);
	}
	hearth_buf_clear(&r->md);
}

/* A table of the report: the site's table builder (site_table) without a caption or a page.
 * `heads` are messages to translate. */
static void rp_table_begin(report *r, int ncol, const char *const *heads)
{
	const char *translated[RP_MAX_COLS];
	int i;

	rp_flush(r);
	for (i = 0; i < ncol && i < RP_MAX_COLS; i++)
		translated[i] = _(heads[i]);
	site_table_begin(&r->table, "", NULL, i, translated, NULL);
}

static void rp_cell(report *r, const char *text)
{
	site_table_cell(&r->table, text, NULL, 0);
}

/* A cell of hearth's own text, printf-style: digits, dates and words, shown as they are. */
static void rp_cellf(report *r, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void rp_cellf(report *r, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	site_table_cell_own(&r->table, tmp, 0);
}

/* HTML: the table into the output. Markdown: into the pending text, a blank line after it. */
static void rp_table_end(report *r)
{
	int rc = site_table_finish(&r->table);

	if (r->rc == 0)
		r->rc = rc;
	if (r->rc == 0 && r->html)
		r->rc = hearth_buf_put(r->out, r->table.html.ptr, r->table.html.size);
	else if (r->rc == 0)
		r->rc = hearth_buf_put(&r->md, r->table.md.ptr, r->table.md.size);
	site_table_dispose(&r->table);
	rp_md(r, "\n");
}

/* ---- formatting --------------------------------------------------------------------------- */

/* "2026-12-01 09:00" and its age, or "never" */
static void when_text(char *when, char *age, size_t n, int64_t ms, uint64_t now)
{
	if (ms == HEARTH_TIME_NONE) {
		snprintf(when, n, "%s", _("never"));
		snprintf(age, n, "-");
		return;
	}
	site_format_time(when, n, ms, 0);
	hearth_age_format(age, n, (int64_t)now - ms);
}

/* A conflict value as text: NULL, numbers, text, or the size of a blob. */
static void value_cell(report *r, const hearth_value *v)
{
	switch (v->type) {
	case SQLITE_NULL:
		rp_cellf(r, "NULL");
		break;
	case SQLITE_INTEGER:
		rp_cellf(r, "%lld", (long long)v->i);
		break;
	case SQLITE_FLOAT:
		rp_cellf(r, "%g", v->f);
		break;
	case SQLITE_BLOB:
		rp_cellf(r, _("(%zu bytes)"), v->n);
		break;
	default:
		rp_cell(r, v->text);
	}
}

static const char *col_str(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? s : "";
}

static sqlite3_stmt *rp_prepare(report *r, sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (r->rc == 0 && sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		r->rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot read the report's data"));
	return r->rc ? NULL : st;
}

static int64_t rp_count(report *r, sqlite3 *h, const char *sql)
{
	int64_t n = 0;

	if (r->rc == 0)
		r->rc = hearth_sql_scalar(h, sql, &n);
	return n;
}

/* ---- sections ----------------------------------------------------------------------------- */

static void section_pending(report *r, const hearth_status *s)
{
	int office = s->office;
	int64_t unpushed = s->unpushed, pushed = s->pushed;

	rp_md(r,
		office ? _("## Changes not yet in the office log\n\n")
		       : _("## Changes not yet at the office\n\n"));
	if (office)
		rp_md(r,
			_("%lld change(s) made here are not yet in the office log: the next sync "
			"takes them in and sends them to the nodes.\n\n"),
			(long long)(unpushed + pushed));
	else
		rp_md(r,
			_("%lld change(s) not yet pushed, %lld pushed and waiting for the office to "
			"merge them.\n\n"),
			(long long)unpushed, (long long)pushed);
}

static void section_remotes(report *r, const hearth_status *s, uint64_t now)
{
	static const char *const heads[] = { N_("Remote"), N_("Last sync"), N_("Age"), N_("Last error") };
	int i;

	rp_md(r, _("## Sync\n\n"));
	for (i = 0; r->rc == 0 && i < s->nremotes; i++) {
		const hearth_status_remote *m = &s->remotes[i];
		char when[40], age[40], ewhen[40], eage[40];
		hearth_buf err = HEARTH_BUF_INIT;

		if (i == 0)
			rp_table_begin(r, 4, heads);
		when_text(when, age, sizeof(when), m->last_sync_ms, now);
		rp_cell(r, m->name);
		rp_cellf(r, "%s", when);
		rp_cellf(r, "%s", age);
		if (!m->last_error) {
			rp_cellf(r, _("none"));
		} else {
			when_text(ewhen, eage, sizeof(ewhen), m->last_error_ms, now);
			if (hearth_buf_printf(&err, "%s (%s, %s%s)", m->last_error, ewhen, eage,
				    (int64_t)now >= m->last_error_ms ? _(" ago") : "") < 0)
				r->rc = HEARTH_ERROR;
			rp_cell(r, err.ptr);
		}
		hearth_buf_dispose(&err);
	}
	if (s->nremotes)
		rp_table_end(r);
	else
		rp_md(r, _("No remote yet: `hearth remote add office URL`.\n\n"));
}

static void section_requests(report *r, sqlite3 *h)
{
	static const char *const heads[] = { N_("Requested"), N_("Service"), N_("Status"), N_("Team"), N_("Details") };
	sqlite3_stmt *st;
	int rows = 0;

	if (rp_count(r, h, "SELECT count(*) FROM service_request") == 0)
		return;
	st = rp_prepare(r, h,
		"SELECT r.requested_at, coalesce(t.name, r.service_type_id), r.status, "
		"coalesce(v.name, w.name, r.team_id), r.details FROM service_request r "
		"LEFT JOIN service_type t ON t.id = r.service_type_id AND t.owner = 'office' "
		"LEFT JOIN volunteer_team v ON v.owner = r.owner AND v.id = r.team_id "
		/* a team of the team node the request went to (a directory row) */
		"LEFT JOIN volunteer_team w ON w.owner = r.assignee AND w.id = r.team_id "
		"WHERE r.status IN ('new', 'accepted') ORDER BY r.requested_at, r.owner, r.id");
	rp_md(r, _("## Open service requests\n\n"));
	while (st && r->rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		if (rows++ == 0) {
			rp_md(r, _("Requests that are new or accepted, oldest first.\n\n"));
			rp_table_begin(r, 5, heads);
		}
		char when[64];
		site_when_text(when, sizeof when, col_str(st, 0));
		rp_cell(r, when);
		rp_cell(r, col_str(st, 1));
		rp_cell(r, col_str(st, 2));
		rp_cell(r, col_str(st, 3));
		rp_cell(r, col_str(st, 4));
	}
	sqlite3_finalize(st);
	if (rows)
		rp_table_end(r);
	else
		rp_md(r, _("None: every request is done or cancelled.\n\n"));
}

/* Full-day enrolments active on `today`, counted as the public site counts vacancies. */
static void section_classes(report *r, sqlite3 *h, const char *node, const char *today)
{
	static const char *const heads[] = { N_("Class"), N_("Age band"), N_("Capacity"), N_("Enrolled"), N_("Free") };
	sqlite3_stmt *st;
	int rows = 0, listed = 0;

	st = rp_prepare(r, h,
		"SELECT c.name, c.age_band, c.capacity, (SELECT count(*) FROM enrolment e "
		" WHERE e.owner = c.owner AND e.class_id = c.id AND e.mode = 'full_day' "
		" AND (e.starts_on IS NULL OR e.starts_on = '' OR substr(e.starts_on, 1, 10) <= "
		"?2) "
		" AND (e.ends_on IS NULL OR e.ends_on = '' OR substr(e.ends_on, 1, 10) >= ?2)) AS "
		"n "
		"FROM care_class c WHERE c.owner = ?1 ORDER BY c.name, c.id");
	if (!st)
		return;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
	while (r->rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		int64_t cap = sqlite3_column_int64(st, 2), n = sqlite3_column_int64(st, 3);
		int64_t free_ = cap - n;

		if (rows++ == 0)
			rp_md(r,
				_("## Classes near capacity\n\n"
				"Free places = capacity minus the full-day enrolments active today "
				"(as "
				"the public site counts vacancies); a class is listed when 2 or "
				"fewer, "
				"or "
				"10%% of its capacity or fewer, are free.\n\n"));
		if (free_ > 2 && free_ * 10 > cap)
			continue;
		if (listed++ == 0)
			rp_table_begin(r, 5, heads);
		rp_cell(r, col_str(st, 0));
		rp_cell(r, col_str(st, 1));
		rp_cellf(r, "%lld", (long long)cap);
		rp_cellf(r, "%lld", (long long)n);
		rp_cellf(r, "%lld", (long long)(free_ < 0 ? 0 : free_));
	}
	sqlite3_finalize(st);
	if (listed)
		rp_table_end(r);
	else if (rows)
		rp_md(r, _("None: every class has more free places.\n\n"));
}

static uint64_t silent_now; /* the report's now, for the order of the nodes */

static int is_silent(const hearth_status_remote *m, uint64_t now)
{
	return m->last_seen_ms == HEARTH_TIME_NONE || (int64_t)now - m->last_seen_ms > (int64_t)SILENT_MS;
}

/* The silent nodes first, the longest silent first; then by id. */
static int node_order(const void *pa, const void *pb)
{
	const hearth_status_remote *a = *(const hearth_status_remote *const *)pa;
	const hearth_status_remote *b = *(const hearth_status_remote *const *)pb;
	int sa = is_silent(a, silent_now), sb = is_silent(b, silent_now);
	int64_t ta = a->last_seen_ms < 0 ? 0 : a->last_seen_ms;
	int64_t tb = b->last_seen_ms < 0 ? 0 : b->last_seen_ms;

	if (sa != sb)
		return sb - sa;
	if (sa && ta != tb)
		return ta < tb ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void node_row(report *r, const hearth_status_remote *m, uint64_t now)
{
	char when[40], age[40], swhen[40], sage[40], agecell[64];

	when_text(when, age, sizeof(when), m->last_seen_ms, now);
	when_text(swhen, sage, sizeof(swhen), m->last_sync_ms, now);
	snprintf(agecell, sizeof(agecell), "%s%s", age, is_silent(m, now) ? _(", silent") : "");
	rp_cell(r, m->name);
	rp_cell(r, m->node_name ? m->node_name : "");
	rp_cellf(r, "%s", when);
	rp_cellf(r, "%s", agecell);
	rp_cellf(r, "%s", swhen);
	rp_cellf(r, "%lld", (long long)m->behind);
	rp_cellf(r, "%lld", (long long)m->quarantined);
	rp_cellf(r, "%lld", (long long)m->open_conflicts);
	rp_cell(r, m->last_error ? m->last_error : _("none"));
}

static void section_nodes(report *r, const hearth_status *s, uint64_t now)
{
	static const char *const heads[] = { N_("Node"), N_("Name"), N_("Last heard of"), N_("Age"), N_("Last sync"),
		N_("Behind"), N_("Quarantined"), N_("Open conflicts"), N_("Last error") };
	const hearth_status_remote **order = NULL;
	int i, silent = 0;

	rp_md(r,
		_("## Nodes\n\n"
		"One row per node the office syncs with. *Last heard of* is the time of the newest "
		"change merged from the node (by its clock); a node not heard of for more than 7 "
		"days is **silent** and listed first, the longest silent first. *Last sync* is the "
		"office's last completed exchange with the node's repository. *Behind* counts the "
		"entries of the office log not yet written to the node's `down` branch (the node "
		"receives only those it may see); the office cannot see changes the node has not "
		"pushed, nor count the commits held back behind a quarantined one. *Quarantined* "
		"counts the node's refused commits; *Open conflicts* the unresolved conflicts on "
		"the node's rows or with its values.\n\n"));
	if (r->rc)
		return;
	if (!s->nremotes) {
		rp_md(r, _("No node yet: `hearth remote add NODE URL`.\n\n"));
		return;
	}
	if (!(order = calloc((size_t)s->nremotes, sizeof(*order)))) {
		r->rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		return;
	}
	for (i = 0; i < s->nremotes; i++)
		order[i] = &s->remotes[i];
	silent_now = now;
	qsort(order, (size_t)s->nremotes, sizeof(*order), node_order);
	rp_table_begin(r, 9, heads);
	for (i = 0; r->rc == 0 && i < s->nremotes; i++) {
		silent += is_silent(order[i], now);
		node_row(r, order[i], now);
	}
	free(order);
	rp_table_end(r);
	rp_md(r, _("%d of %d node(s) silent for more than 7 days.\n\n"), silent, s->nremotes);
}

static void section_conflicts(report *r, const hearth_conflicts *list)
{
	static const char *const heads[] = { N_("Id"), N_("Table"), N_("Row"), N_("Column"), N_("Kept"), N_("Kept from"),
		N_("Lost"), N_("Lost from"), N_("Policy") };
	int i;

	rp_md(r, _("## Open conflicts\n\n"));
	for (i = 0; r->rc == 0 && i < list->n; i++) {
		const hearth_conflict *c = &list->items[i];
		char row[2 * HEARTH_RECORD_ID_MAX + 2];

		if (i == 0) {
			rp_md(r,
				_("Each value that lost a merge, beside the value kept. "
				"`hearth conflicts resolve ID` accepts the merge, `--restore` puts "
				"the lost value back.\n\n"));
			rp_table_begin(r, 9, heads);
		}
		snprintf(row, sizeof(row), "%s/%s", c->owner, c->row_id);
		rp_cellf(r, "%lld", (long long)c->id);
		rp_cell(r, c->table);
		rp_cell(r, row);
		rp_cell(r, c->col);
		value_cell(r, &c->kept);
		rp_cell(r, c->kept_node ? c->kept_node : "");
		value_cell(r, &c->lost);
		rp_cell(r, c->lost_node ? c->lost_node : "");
		rp_cell(r, c->policy);
	}
	if (list->n)
		rp_table_end(r);
	else
		rp_md(r, _("None.\n\n"));
}

static void section_quarantine(report *r, const hearth_quarantine *list)
{
	static const char *const heads[] = { N_("Node"), N_("Commit"), N_("Seq"), N_("Since"), N_("Reason") };
	int i;

	rp_md(r, _("## Quarantined commits\n\n"));
	for (i = 0; r->rc == 0 && i < list->n; i++) {
		const hearth_quarantined *q = &list->items[i];
		char when[40], commit[13], seq[24] = "";

		if (i == 0) {
			rp_md(r,
				_("Commits that failed the office's checks; the node's later changes "
				"wait behind them.\n\n"));
			rp_table_begin(r, 5, heads);
		}
		site_format_time(when, sizeof(when), q->at_ms, 0);
		snprintf(commit, sizeof(commit), "%s", q->commit_id);
		if (q->seq >= 0)
			snprintf(seq, sizeof(seq), "%lld", (long long)q->seq);
		rp_cell(r, q->node);
		rp_cell(r, commit);
		rp_cell(r, seq);
		rp_cellf(r, "%s", when);
		rp_cell(r, q->reason);
	}
	if (list->n)
		rp_table_end(r);
	else
		rp_md(r, _("None.\n\n"));
}

/* Each node's key (docs/security.md): whether its log travels sealed or in the clear. */
static void section_keys(report *r, sqlite3 *h)
{
	static const char *const heads[] = { N_("Node"), N_("Key"), N_("State") };
	sqlite3_stmt *st;
	int n = 0, unsealed = 0;

	if (r->rc || rp_count(r, h, "SELECT count(*) FROM sqlite_master WHERE name = 'hearth_key'") != 1)
		return;
	rp_md(r, _("## Keys\n\n"
		   "Each node's key and whether its log is sealed with it. An **unsealed** node's "
		   "log travels in the clear: enrol it with `hearth key issue NODE`.\n\n"));
	if (!(st = rp_prepare(r, h, HEARTH_KEY_STATES_SQL)))
		return;
	while (r->rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *state = col_str(st, 2);

		if (n++ == 0)
			rp_table_begin(r, 3, heads);
		unsealed += strcmp(state, "unsealed") == 0;
		rp_cell(r, col_str(st, 0));
		rp_cellf(r, "%lld", (long long)sqlite3_column_int64(st, 1));
		rp_cellf(r, "%s", state);
	}
	sqlite3_finalize(st);
	if (n)
		rp_table_end(r);
	rp_md(r, _("%d of %d node(s) unsealed.\n\n"), unsealed, n);
}

/* The office's sections on sync: nodes, keys, open conflicts, quarantine. */
static void sections_office(report *r, hearth_db *db, const hearth_status *s, uint64_t now)
{
	hearth_conflicts *conflicts = NULL;
	hearth_quarantine *quarantine = NULL;

	section_nodes(r, s, now);
	section_keys(r, hearth_db_sqlite(db));
	if (r->rc == 0)
		r->rc = hearth_conflicts_read(&conflicts, db, 0, 0);
	if (r->rc == 0)
		section_conflicts(r, conflicts);
	if (r->rc == 0)
		r->rc = hearth_quarantine_read(&quarantine, db);
	if (r->rc == 0)
		section_quarantine(r, quarantine);
	hearth_conflicts_free(conflicts);
	hearth_quarantine_free(quarantine);
}

/* The rows the public site leaves out (site_model_load lists them): each would have stopped
 * every build; staff fix or remove them at their node. */
static void section_unpublished(report *r, sqlite3 *h, uint64_t now)
{
	static const char *const heads[] = { N_("Table"), N_("Owner"), N_("Id"), N_("Why") };
	site_model m;
	int i;

	if (r->rc)
		return;
	rp_md(r, _("## Rows left out of the public site\n\n"));
	if (site_model_load(&m, h, now) < 0) {
		/* the report still tells the rest: say why the site cannot be read */
		rp_md(r, _("The site cannot be built: "));
		rp_text(r, hearth_error_last());
		rp_md(r, "\n\n");
		return;
	}
	if (m.nskipped) {
		rp_md(r, _("The site cannot publish these rows: it builds without them. Ask the owner "
			 "to correct or delete them.\n\n"));
		rp_table_begin(r, 4, heads);
	} else {
		rp_md(r, _("None.\n\n"));
	}
	for (i = 0; i < m.nskipped; i++) {
		rp_cell(r, m.skipped[i].table);
		rp_cell(r, m.skipped[i].owner);
		rp_cell(r, m.skipped[i].id);
		rp_cell(r, m.skipped[i].reason);
	}
	if (m.nskipped)
		rp_table_end(r);
	site_model_free(&m);
}

/* Values set aside because the checks refuse them (a migration's, an older node's): listed
 * until someone sets the value again, which clears the entry (schemas/005_typed.sql). */
static void section_to_fix(report *r, sqlite3 *h)
{
	const char *heads[] = { _("Table"), _("Owner"), _("Id"), _("Column"), _("Value set aside"),
		_("From"), _("Why") };
	sqlite3_stmt *st;
	int rows = 0, i;

	/* a database before schema 5 has no such list */
	if (r->rc || rp_count(r, h, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
				    "AND name = 'hearth_to_fix'") == 0)
		return;
	st = rp_prepare(r, h,
		"SELECT tbl, owner, id, col, original, origin, reason FROM hearth_to_fix "
		"ORDER BY tbl, owner, id, col");
	rp_md(r, "## %s\n\n", _("To fix"));
	while (st && r->rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		if (rows++ == 0) {
			rp_md(r, "%s\n\n",
				_("Values the checks refuse, set aside: the column holds its default or "
				  "nothing until the value is set again (hearth exec), which clears the "
				  "entry."));
			rp_table_begin(r, 7, heads);
		}
		for (i = 0; i < 7; i++)
			rp_cell(r, col_str(st, i));
	}
	if (rows)
		rp_table_end(r);
	else
		rp_md(r, "%s\n\n", _("None."));
	sqlite3_finalize(st);
}

/* ---- the report --------------------------------------------------------------------------- */

static void node_name(report *r, sqlite3 *h, const char *node, hearth_buf *out)
{
	sqlite3_stmt *st = rp_prepare(r, h, "SELECT name FROM node WHERE owner = ?1 AND id = ?1");

	if (!st)
		return;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		r->rc = hearth_buf_puts(out, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

int hearth_report(hearth_buf *out, hearth_db *db, int html, uint64_t now_ms)
{
	report r = { .out = out, .html = html, .md = HEARTH_BUF_INIT };
	sqlite3 *h = hearth_db_sqlite(db);
	const char *node = hearth_db_node(db);
	int office = hearth_db_is_office(db);
	hearth_buf name = HEARTH_BUF_INIT;
	hearth_status *status = NULL;
	char now_text[40], today[16];

	if (!now_ms)
		now_ms = hearth_time_now_ms();
	site_format_time(now_text, sizeof(now_text), (int64_t)now_ms, 0);
	site_format_time(today, sizeof(today), (int64_t)now_ms, 1);
	node_name(&r, h, node, &name);
	if (html && r.rc == 0) {
		r.rc = hearth_buf_puts(out,
			"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			"<meta charset=\"utf-8\">\n<title>hearth report: ");
		if (r.rc == 0)
			r.rc = site_esc_html(out, name.size ? name.ptr : node);
		if (r.rc == 0)
			r.rc = hearth_buf_puts(out, "</title>\n</head>\n<body>\n");
	}
	rp_md(&r, _("# hearth report: "));
	rp_text(&r, name.size ? name.ptr : node);
	rp_md(&r, " (");
	rp_text(&r, node);
	rp_md(&r, _(")\n\nPrivate, for staff: do not publish. Generated %s (China time), %s.\n\n"),
		now_text, office ? _("at the office") : _("at this node"));
	if (r.rc == 0)
		r.rc = hearth_status_read(&status, db);
	if (r.rc == 0)
		section_pending(&r, status);
	if (r.rc == 0 && office) {
		sections_office(&r, db, status, now_ms);
		section_unpublished(&r, h, now_ms);
	} else if (r.rc == 0) {
		section_remotes(&r, status, now_ms);
		section_requests(&r, h);
		section_classes(&r, h, node, today);
	}
	section_to_fix(&r, h);
	rp_flush(&r);
	if (html && r.rc == 0)
		r.rc = hearth_buf_puts(out, "</body>\n</html>\n");
	hearth_status_free(status);
	hearth_buf_dispose(&r.md);
	hearth_buf_dispose(&name);
	return r.rc;
}
