/*
 * The hospital's task page (/checks): the children its partner centres named for it
 * (child.health_partner, docs/security.md), by name and centre, with their last check here; and
 * the form that records a check for one of them, the child chosen from that list. The post is
 * one recorded write of a health_check through the app's write path (app_write_form), the
 * centre and the child filled in from the choice: nobody types an id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "pages_int.h"

/* The columns of health_check the form asks for, after the child. */
static const char *const check_cols[] = { "checked_on", "height_cm", "weight_kg", "findings",
	"next_due", NULL };

static const hearth_table_decl *checks_decl(const app_req *r)
{
	return hearth_schema_table(hearth_db_schema(r->db), "health_check");
}

/* The children whose health_partner is this node: owner, id, name, birth date, sex, the last
 * check this node recorded for them. */
static int children_stmt(const app_req *r, sqlite3_stmt **st)
{
	int rc = hearth_db_stmt(r->db, st,
		"SELECT c.owner, c.id, c.name, c.birth_date, c.sex, "
		"(SELECT max(h.checked_on) FROM health_check h WHERE h.owner = ?1 AND "
		"h.centre_id = c.owner AND h.child_id = c.id) "
		"FROM child c WHERE c.health_partner = ?1 ORDER BY c.owner, c.name, c.id");

	if (rc == 0)
		sqlite3_bind_text(*st, 1, hearth_db_node(r->db), -1, SQLITE_STATIC);
	return rc;
}

static int child_row(hearth_buf *b, const app_req *r, sqlite3_stmt *st, int sex_col)
{
	const hearth_table_decl *ct = hearth_schema_table(hearth_db_schema(r->db), "child");
	const char *sex = (const char *)sqlite3_column_text(st, 4);
	int rc = hearth_buf_puts(b, "<tr><th scope=\"row\">");

	if (rc == 0)
		rc = pages_esc_col(b, st, 2);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</th><td>");
	if (rc == 0)
		rc = pages_ref_name(b, r, "node", (const char *)sqlite3_column_text(st, 0));
	if (rc == 0)
		rc = hearth_buf_puts(b, "</td><td>");
	if (rc == 0)
		rc = pages_esc_col(b, st, 3);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</td><td>");
	if (rc == 0 && sex && ct && sex_col >= 0)
		rc = pages_esc(b, hearth_choice_label(&ct->cols[sex_col], sex));
	if (rc == 0)
		rc = hearth_buf_puts(b, "</td><td>");
	if (rc == 0)
		rc = sqlite3_column_text(st, 5) ? pages_esc_col(b, st, 5) : hearth_buf_puts(b, "—");
	if (rc == 0)
		rc = hearth_buf_puts(b, "</td></tr>");
	return rc;
}

/* The list of the children named for this hospital; *n their count. */
static int children_list(hearth_buf *b, const app_req *r, int *n)
{
	const hearth_table_decl *ct = hearth_schema_table(hearth_db_schema(r->db), "child");
	sqlite3_stmt *st = NULL;
	int rc, sex_col = ct ? hearth_table_column(ct, "sex") : -1;

	*n = 0;
	rc = hearth_buf_printf(b, "<h2>%s</h2>", _("Children the partner centres named"));
	if (rc == 0)
		rc = hearth_buf_printf(b, "<table><thead><tr><th scope=\"col\">%s</th>"
					  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
					  "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr>"
					  "</thead><tbody>",
			_("Child"), _("Centre"), _("Date of birth"), _("Sex"), _("Last check"));
	if (rc == 0)
		rc = children_stmt(r, &st);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		(*n)++;
		rc = child_row(b, r, st, sex_col);
	}
	hearth_stmt_done(st);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</tbody></table>");
	if (rc == 0 && *n == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>",
			_("No centre has named this hospital for a child yet. A centre chooses its "
			  "partner hospital on the child's record; the child appears here after the "
			  "next sync."));
	return rc;
}

/* The child select: "name · centre", valued "centre/child"; `chosen` selected. */
static int child_select(hearth_buf *b, const app_req *r, const char *chosen, const char *aria)
{
	sqlite3_stmt *st = NULL;
	hearth_buf key = HEARTH_BUF_INIT;
	int rc = hearth_buf_printf(b, "<select id=\"f-child\" name=\"child\" "
				      "aria-required=\"true\"%s>",
		aria);

	if (rc == 0)
		rc = hearth_buf_puts(b, "<option value=\"\">—</option>");
	if (rc == 0)
		rc = children_stmt(r, &st);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		hearth_buf_clear(&key);
		rc = hearth_buf_printf(&key, "%s/%s", (const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1));
		if (rc == 0)
			rc = hearth_buf_puts(b, "<option value=\"");
		if (rc == 0)
			rc = pages_esc(b, key.ptr);
		if (rc == 0)
			rc = hearth_buf_printf(b, "\"%s>",
				chosen && strcmp(chosen, key.ptr) == 0 ? " selected" : "");
		if (rc == 0)
			rc = pages_esc_col(b, st, 2);
		if (rc == 0)
			rc = hearth_buf_puts(b, " · ");
		if (rc == 0)
			rc = pages_ref_name(b, r, "node", (const char *)sqlite3_column_text(st, 0));
		if (rc == 0)
			rc = hearth_buf_puts(b, "</option>");
	}
	hearth_stmt_done(st);
	hearth_buf_dispose(&key);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</select>");
	return rc;
}

/* One labelled input of health_check column `col` (a date picker or a decimal), with its hint
 * and the reason it was refused (`why`, or NULL). */
static int check_input(hearth_buf *b, const app_req *r, const hearth_table_decl *t, int col,
	const char *value, const char *why)
{
	hearth_buf aria = HEARTH_BUF_INIT;
	int rc = pages_field_head(b, &aria, r, t, col, 0, why);

	if (rc == 0)
		rc = pages_input(b, r, t, col, value, aria.ptr);
	hearth_buf_dispose(&aria);
	return rc;
}

/* The form; `ref` (a refused post) puts back what was posted, with the reasons. */
static int check_form(hearth_buf *b, const app_req *r, const app_refusal *ref,
	const char *child_why)
{
	const hearth_table_decl *t = checks_decl(r);
	char today[11];
	int i, col, rc;

	pages_china_day(today, 0);
	rc = hearth_buf_printf(b, "<h2>%s</h2>", _("Record a check"));
	if (rc == 0 && ref && ref->message.size > 0)
		rc = app_message(b, ref->message.ptr, 1);
	if (rc == 0)
		rc = hearth_buf_puts(b, "<form method=\"post\" action=\"/checks\" novalidate>");
	if (rc == 0)
		rc = pages_csrf(b, r);
	if (rc == 0)
		rc = hearth_buf_printf(b, "<label for=\"f-child\">%s <span class=\"hint\">(%s)</span>"
					  "</label>",
			_("Child"), _("required"));
	if (rc == 0 && child_why) {
		rc = hearth_buf_puts(b, "<span class=\"error\" id=\"e-child\">");
		if (rc == 0)
			rc = pages_esc(b, child_why);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</span>");
	}
	if (rc == 0)
		rc = child_select(b, r, ref ? app_form_get(r, "child") : NULL,
			child_why ? " aria-describedby=\"e-child\" aria-invalid=\"true\"" : "");
	for (i = 0; rc == 0 && check_cols[i]; i++) {
		if ((col = hearth_table_column(t, check_cols[i])) < 0)
			continue;
		rc = check_input(b, r, t, col,
			ref ? app_form_get(r, check_cols[i]) : i == 0 ? today : NULL,
			ref && ref->why && col < ref->ncol ? ref->why[col] : NULL);
	}
	if (rc == 0)
		rc = hearth_buf_printf(b, "<p><button type=\"submit\">%s</button></p></form>",
			_("Save"));
	return rc;
}

static int page(const app_req *r, app_resp *out, int status, const app_refusal *ref,
	const char *child_why)
{
	hearth_buf *b = &out->body;
	int n = 0, rc;

	out->status = status;
	hearth_buf_clear(b);
	rc = pages_open(b, r, _("Health checks for partner centres"));
	if (rc == 0 && !ref && app_query_get(r, "done"))
		rc = hearth_buf_printf(b, "<p role=\"status\">%s</p>",
			_("The check was recorded; the centre receives it at the next sync."));
	if (rc == 0)
		rc = children_list(b, r, &n);
	if (rc == 0 && r->role >= APP_ROLE_STAFF && (n > 0 || ref))
		rc = check_form(b, r, ref, child_why);
	if (rc == 0)
		rc = pages_close(b);
	return rc < 0 ? -1 : 1;
}

/* 1 if `key` ("centre/child") names a child whose health_partner is this node; its two parts
 * into centre and child. */
static int child_named(const app_req *r, const char *key, char *centre, size_t nc, char *child,
	size_t nk)
{
	const char *slash = key ? strchr(key, '/') : NULL;
	sqlite3_stmt *st = NULL;
	int found;

	if (!slash || (size_t)(slash - key) >= nc || strlen(slash + 1) >= nk)
		return 0;
	snprintf(centre, nc, "%.*s", (int)(slash - key), key);
	snprintf(child, nk, "%s", slash + 1);
	if (hearth_db_stmt(r->db, &st,
		    "SELECT 1 FROM child WHERE owner = ?1 AND id = ?2 AND health_partner = ?3") < 0)
		return 0;
	sqlite3_bind_text(st, 1, centre, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, child, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hearth_db_node(r->db), -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	hearth_stmt_done(st);
	return found;
}

/* The posted form with the child's choice turned into centre_id and child_id. */
static int post_fields(const app_req *r, app_field *f, int max, char *centre, char *child)
{
	static char centre_name[] = "centre_id", child_name[] = "child_id";
	int i, n = 0;

	for (i = 0; i < r->nform && n < max - 2; i++)
		if (strcmp(r->form[i].name, "child") && strcmp(r->form[i].name, "centre_id") &&
		    strcmp(r->form[i].name, "child_id"))
			f[n++] = r->form[i];
	f[n].name = centre_name;
	f[n++].value = centre;
	f[n].name = child_name;
	f[n++].value = child;
	return n;
}

int pages_checks_post(const app_req *r, app_resp *out)
{
	const hearth_table_decl *t = checks_decl(r);
	char centre[64], child[128], *new_id = NULL;
	app_field fields[40];
	app_refusal ref;
	app_req with_ids;
	int rc;

	memset(&ref, 0, sizeof(ref));
	if (!t)
		return 0;
	if (r->role < APP_ROLE_STAFF)
		return pages_denied(out, r);
	if (!child_named(r, app_form_get(r, "child"), centre, sizeof(centre), child,
		    sizeof(child))) {
		hearth_buf_init(&ref.message, 0);
		rc = hearth_buf_puts(&ref.message, _("some values were not accepted: nothing was "
						     "saved"));
		rc = rc < 0 ? -1 : page(r, out, 422, &ref, _("choose a child from the list"));
		app_refusal_dispose(&ref);
		return rc;
	}
	with_ids = *r;
	with_ids.form = fields;
	with_ids.nform = post_fields(r, fields, (int)(sizeof(fields) / sizeof(fields[0])), centre,
		child);
	rc = app_write_form(&with_ids, t, APP_WRITE_INSERT, NULL, &ref, &new_id);
	if (rc == 1)
		rc = page(r, out, 422, &ref, NULL);
	else if (rc == HEARTH_EDENIED)
		rc = pages_denied(out, r);
	else if (rc == 0)
		rc = pages_redirect(out, "/checks?done=1");
	else
		rc = -1;
	app_refusal_dispose(&ref);
	free(new_id);
	return rc;
}

int pages_checks(const app_req *r, app_resp *out)
{
	return checks_decl(r) ? page(r, out, 200, NULL, NULL) : 0;
}
