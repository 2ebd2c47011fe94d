/*
 * The office's pages: the conflict log with both values and who wrote them, each resolved by
 * keeping or restoring (`hearth conflicts resolve [--restore]`), and the quarantine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hearth_status.h"
#include "core/i18n.h"
#include "pages_int.h"
#include "sync/hearth_sync.h"

static int value_text(hearth_buf *b, const app_req *r, const hearth_conflict *c,
	const hearth_value *v)
{
	const hearth_table_decl *t = hearth_schema_table(hearth_db_schema(r->db), c->table);
	int col = t ? hearth_table_column(t, c->col) : -1;
	char num[32];

	if (v->type == HEARTH_TYPE_NULL)
		return hearth_buf_puts(b, "—");
	if (v->type == HEARTH_TYPE_INTEGER) {
		snprintf(num, sizeof(num), "%lld", (long long)v->i);
		return pages_esc(b, num);
	}
	if (v->type == HEARTH_TYPE_FLOAT) {
		snprintf(num, sizeof(num), "%g", v->f);
		return pages_esc(b, num);
	}
	if (col >= 0 && t->cols[col].kind == HEARTH_KIND_CHOICE)
		return pages_esc(b, hearth_choice_label(&t->cols[col], v->text));
	return pages_esc(b, v->text);
}

static int who(hearth_buf *b, const app_req *r, const char *node)
{
	if (!node)
		return hearth_buf_puts(b, _("unknown"));
	return pages_ref_name(b, r, "node", node);
}

static int resolve_button(hearth_buf *b, const app_req *r, int64_t id, int restore)
{
	int rc = hearth_buf_puts(b, "<form method=\"post\" action=\"/conflicts/resolve\">");

	if (rc == 0)
		rc = pages_csrf(b, r);
	if (rc == 0)
		rc = hearth_buf_printf(b, "<input type=\"hidden\" name=\"id\" value=\"%lld\">"
					  "%s<button type=\"submit\"%s>%s</button></form> ",
			(long long)id,
			restore ? "<input type=\"hidden\" name=\"restore\" value=\"1\">" : "",
			restore ? "" : " class=\"secondary\"",
			restore ? _("Restore the lost value") : _("Keep the kept value"));
	return rc;
}

int pages_conflicts(const app_req *r, app_resp *out)
{
	hearth_buf *b = &out->body;
	hearth_conflicts *list = NULL;
	const char *done = app_query_get(r, "done");
	int i, rc;

	out->status = 200;
	hearth_buf_clear(b);
	if ((rc = hearth_conflicts_read(&list, r->db, 0, 0)) < 0)
		return -1;
	rc = pages_open(b, r, _("Conflicts"));
	if (rc == 0 && done)
		rc = hearth_buf_printf(b, "<p class=\"notice\" role=\"status\">%s</p>",
			_("Conflict resolved."));
	if (rc == 0 && list->n == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>", _("No open conflicts."));
	if (rc == 0)
		rc = hearth_buf_puts(b, "<ul class=\"cards\">");
	for (i = 0; rc == 0 && i < list->n; i++) {
		const hearth_conflict *c = &list->items[i];
		const hearth_table_decl *t = hearth_schema_table(hearth_db_schema(r->db), c->table);
		int col = t ? hearth_table_column(t, c->col) : -1;
		rc = hearth_buf_printf(b, "<li id=\"conflict-%lld\"><h2>", (long long)c->id);
		if (rc == 0)
			rc = pages_esc(b, pages_table_label(c->table));
		if (rc == 0)
			rc = hearth_buf_puts(b, " · ");
		if (rc == 0)
			rc = pages_esc(b, col >= 0 ? pages_col_label(r, t, col) : c->col);
		if (rc == 0)
			rc = hearth_buf_printf(b, "</h2><p>%s: ", _("Record"));
		if (rc == 0)
			rc = pages_ref_name(b, r, c->table, c->row_id);
		if (rc == 0)
			rc = hearth_buf_printf(b, "</p><dl><dt>%s</dt><dd>", _("Kept"));
		if (rc == 0)
			rc = value_text(b, r, c, &c->kept);
		if (rc == 0)
			rc = hearth_buf_printf(b, " (%s ", _("written by"));
		if (rc == 0)
			rc = who(b, r, c->kept_node);
		if (rc == 0)
			rc = hearth_buf_printf(b, ")</dd><dt>%s</dt><dd>", _("Lost"));
		if (rc == 0)
			rc = value_text(b, r, c, &c->lost);
		if (rc == 0)
			rc = hearth_buf_printf(b, " (%s ", _("written by"));
		if (rc == 0)
			rc = who(b, r, c->lost_node);
		if (rc == 0)
			rc = hearth_buf_puts(b, ")</dd></dl>");
		if (rc == 0 && r->role >= APP_ROLE_STAFF) {
			rc = resolve_button(b, r, c->id, 1);
			if (rc == 0)
				rc = resolve_button(b, r, c->id, 0);
		}
		if (rc == 0)
			rc = hearth_buf_puts(b, "</li>");
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, "</ul>");
	if (rc == 0)
		rc = pages_close(b);
	hearth_conflicts_free(list);
	return rc < 0 ? -1 : 1;
}

int pages_conflict_resolve(const app_req *r, app_resp *out)
{
	const char *id = app_form_get(r, "id"), *restore = app_form_get(r, "restore");
	hearth_buf *b = &out->body;
	char *end = NULL;
	long long n = id ? strtoll(id, &end, 10) : 0;
	int rc;

	if (r->role < APP_ROLE_STAFF) {
		out->status = 403;
		hearth_buf_clear(b);
		if (pages_open(b, r, _("Not allowed")) < 0 ||
		    hearth_buf_printf(b, "<p class=\"error\" role=\"alert\">%s</p>",
			    _("your account may not make this change: nothing was saved")) < 0 ||
		    pages_close(b) < 0)
			return -1;
		return 1;
	}
	if (!id || *end || n <= 0)
		return 0;
	rc = hearth_conflict_resolve(r->db, n, restore && strcmp(restore, "1") == 0);
	if (rc == HEARTH_ENOTFOUND || rc == HEARTH_ECONFLICT) {
		out->status = 422;
		hearth_buf_clear(b);
		if (pages_open(b, r, _("Conflicts")) < 0 ||
		    hearth_buf_puts(b, "<p class=\"error\" role=\"alert\">") < 0 ||
		    pages_esc(b, hearth_error_last()) < 0 ||
		    hearth_buf_printf(b, "</p><p><a href=\"/conflicts\">%s</a></p>",
			    _("Back to the list")) < 0 ||
		    pages_close(b) < 0)
			return -1;
		return 1;
	}
	if (rc < 0)
		return -1;
	return pages_redirect(out, "/conflicts?done=1");
}

int pages_quarantine(const app_req *r, app_resp *out)
{
	hearth_buf *b = &out->body;
	hearth_quarantine *q = NULL;
	char age[64];
	int i, rc;

	out->status = 200;
	hearth_buf_clear(b);
	if (hearth_quarantine_read(&q, r->db) < 0)
		return -1;
	rc = pages_open(b, r, _("Quarantine"));
	if (rc == 0 && q->n == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>", _("Nothing in quarantine."));
	if (rc == 0 && q->n > 0)
		rc = hearth_buf_printf(b, "<table><thead><tr><th scope=\"col\">%s</th>"
					  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
					  "<th scope=\"col\">%s</th></tr></thead><tbody>",
			_("Node"), _("Commit"), _("Refused"), _("Reason"));
	for (i = 0; rc == 0 && i < q->n; i++) {
		const hearth_quarantined *e = &q->items[i];
		hearth_age_format(age, sizeof(age), (int64_t)hearth_time_now_ms() - e->at_ms);
		rc = hearth_buf_puts(b, "<tr><td>");
		if (rc == 0)
			rc = pages_ref_name(b, r, "node", e->node);
		if (rc == 0)
			rc = hearth_buf_printf(b, "</td><td><code>%.12s</code></td><td>", e->commit_id);
		if (rc == 0)
			rc = pages_esc(b, age);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</td><td>");
		if (rc == 0)
			rc = pages_esc(b, e->reason);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</td></tr>");
	}
	if (rc == 0 && q->n > 0)
		rc = hearth_buf_puts(b, "</tbody></table>");
	if (rc == 0)
		rc = hearth_buf_printf(b, "<p>%s <code>hearth quarantine</code></p>",
			_("To release or drop a commit, use"));
	if (rc == 0)
		rc = pages_close(b);
	hearth_quarantine_free(q);
	return rc < 0 ? -1 : 1;
}
