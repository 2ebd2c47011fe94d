/*
 * The station's "assign": a request given to a volunteer team chosen by its name and service
 * type. The teams are the rows of volunteer_team, a directory table (schema v8): every node
 * holds the public columns of every team, so a station lists the teams of the team nodes
 * beside its own. Choosing one sets the request's team (team_id) and its audience (assignee,
 * the node that keeps the team's row, which then receives the request) in one recorded write;
 * a team of the station's own leaves the request with the station (no assignee).
 */
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "pages_int.h"

/* The option of one team: "owner/id", its name and its service type. */
static int team_option(hearth_buf *b, const app_req *r, sqlite3_stmt *st, const char *current)
{
	const char *owner = (const char *)sqlite3_column_text(st, 0);
	const char *id = (const char *)sqlite3_column_text(st, 1);
	const char *name = (const char *)sqlite3_column_text(st, 2);
	const char *type = (const char *)sqlite3_column_text(st, strcmp(r->lang, "en") == 0 ? 4 : 3);
	int rc = hearth_buf_puts(b, "<option value=\"");

	if (rc == 0)
		rc = pages_esc(b, owner);
	if (rc == 0)
		rc = hearth_buf_putc(b, '/');
	if (rc == 0)
		rc = pages_esc(b, id);
	if (rc == 0)
		rc = hearth_buf_printf(b, "\"%s>", current && strcmp(current, id) == 0 ? " selected" : "");
	if (rc == 0)
		rc = pages_esc(b, name && name[0] ? name : id);
	if (rc == 0 && type) {
		rc = hearth_buf_puts(b, " · ");
		if (rc == 0)
			rc = pages_esc(b, type);
	}
	return rc ? rc : hearth_buf_puts(b, "</option>");
}

int pages_assign_form(hearth_buf *b, const app_req *r, const char *id, const char *current)
{
	sqlite3_stmt *st = NULL;
	int rc = hearth_buf_printf(b, "<h2>%s</h2>", _("Assign to a team"));

	if (rc == 0)
		rc = pages_form_post(b, r, "service_request", "assign", id);
	if (rc == 0)
		rc = hearth_buf_printf(b, "<label for=\"f-team\">%s</label>"
					  "<select id=\"f-team\" name=\"team\" required>",
			_("Team"));
	if (rc == 0 && (rc = hearth_db_stmt(r->db, &st,
				"SELECT t.owner, t.id, t.name, s.name, coalesce(s.name_en, s.name) "
				"FROM volunteer_team t LEFT JOIN service_type s "
				"ON s.owner = 'office' AND s.id = t.service_type_id "
				"ORDER BY t.owner = ?1, t.name, t.owner, t.id LIMIT 500")) == 0) {
		sqlite3_bind_text(st, 1, hearth_db_node(r->db), -1, SQLITE_STATIC);
		while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
			rc = team_option(b, r, st, current);
		hearth_stmt_done(st);
	}
	if (rc == 0)
		rc = hearth_buf_printf(b, "</select><button type=\"submit\">%s</button></form>",
			_("Assign"));
	return rc;
}

void pages_assign_dispose(pages_assign *a)
{
	free(a->fields);
	free(a->team);
	memset(a, 0, sizeof(*a));
}

/* 1 if this node holds the team `owner`/`id`. */
static int team_known(const app_req *r, const char *owner, const char *id)
{
	sqlite3_stmt *st = NULL;
	int found = 0;

	if (hearth_db_stmt(r->db, &st, "SELECT 1 FROM volunteer_team WHERE owner = ?1 AND id = ?2") < 0)
		return 0;
	sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	hearth_stmt_done(st);
	return found;
}

int pages_assign_prepare(pages_assign *a, const app_req *r)
{
	const char *team = app_form_get(r, "team");
	char *slash, *owner, *id;
	int i, n = 0;

	memset(a, 0, sizeof(*a));
	if (!team || !(a->team = strdup(team)))
		return team ? hearth_error_set(HEARTH_ERROR, _("out of memory")) : HEARTH_ENOTFOUND;
	if (!(slash = strchr(a->team, '/')))
		return HEARTH_ENOTFOUND;
	*slash = '\0';
	owner = a->team;
	id = slash + 1;
	if (!hearth_id_valid(owner) || !hearth_record_id_valid(id) || !team_known(r, owner, id))
		return HEARTH_ENOTFOUND;
	if (!(a->fields = calloc((size_t)r->nform + 2, sizeof(*a->fields))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	/* the posted fields but the team's and what it sets: team_id and assignee */
	for (i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].name, "team") && strcmp(r->form[i].name, "team_id") &&
		    strcmp(r->form[i].name, "assignee"))
			a->fields[n++] = r->form[i];
	a->fields[n].name = (char *)"team_id";
	a->fields[n++].value = id;
	a->fields[n].name = (char *)"assignee";
	a->fields[n++].value = strcmp(owner, hearth_db_node(r->db)) == 0 ? (char *)"" : owner;
	a->req = *r;
	a->req.form = a->fields;
	a->req.nform = n;
	return 0;
}
