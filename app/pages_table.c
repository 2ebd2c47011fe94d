/*
 * View, add, edit and delete pages for every table the node keeps, made from the schema
 * declarations (labels, hints, input kinds, choices, references): nothing here is written per
 * table (the lists and their search: pages_list.c). References are chosen and shown by name,
 * never by id; choices by their labels.
 */
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "pages_int.h"

static const hearth_table_decl *decl(const app_req *r, const char *table)
{
	return hearth_schema_table(hearth_db_schema(r->db), table);
}

/* The stored row `id` (owner, this node's first) stepped on, or NULL; a statement of the
 * handle's cache (hearth_stmt_done() when read). */
static sqlite3_stmt *row_get(const app_req *r, const hearth_table_decl *t, const char *id)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;

	if (!id || hearth_buf_printf(&sql, "SELECT * FROM \"%s\" WHERE id = ?1 "
					   "ORDER BY owner = ?2 DESC LIMIT 1", t->name) < 0 ||
	    hearth_db_stmt(r->db, &st, sql.ptr) < 0)
		goto done;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hearth_db_node(r->db), -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		hearth_stmt_done(st);
		st = NULL;
	}
done:
	hearth_buf_dispose(&sql);
	return st;
}

static int not_found(const app_req *r, app_resp *out)
{
	hearth_buf *b = &out->body;

	out->status = 404;
	hearth_buf_clear(b);
	if (pages_open(b, r, _("Not found")) < 0 ||
	    hearth_buf_printf(b, "<p>%s</p><p><a href=\"/\">%s</a></p>",
		    _("This record is not here (it may have been removed)."),
		    _("Back to today")) < 0 ||
	    pages_close(b) < 0)
		return -1;
	return 1;
}

static int message_page(const app_req *r, app_resp *out, int status, const char *msg)
{
	hearth_buf *b = &out->body;

	out->status = status;
	hearth_buf_clear(b);
	if (pages_open(b, r, status == 403 ? _("Not allowed") : _("Not saved")) < 0 ||
	    hearth_buf_puts(b, "<p class=\"error\" role=\"alert\">") < 0 || pages_esc(b, msg) < 0 ||
	    hearth_buf_printf(b, "</p><p><a href=\"/\">%s</a></p>", _("Back to today")) < 0 ||
	    pages_close(b) < 0)
		return -1;
	return 1;
}

/* One button that posts `fields` (pairs of name and value, NULL-ended) to the edit route. */
static int task_button(hearth_buf *b, const app_req *r, const char *table, const char *id,
	const char *label, const char *const *fields, int secondary)
{
	int rc = pages_form_post(b, r, table, "edit", id);

	for (; rc == 0 && fields && fields[0]; fields += 2)
		rc = pages_hidden(b, fields[0], fields[1]);
	if (rc == 0)
		rc = hearth_buf_printf(b, "<button type=\"submit\"%s>%s</button></form>",
			secondary ? " class=\"secondary\"" : "", label);
	return rc;
}

/* A request's next step, where this node may take it: a team accepts, then marks it done with
 * the resident's feedback; the station assigns it to a team. */
static int request_tasks(hearth_buf *b, const app_req *r, const hearth_table_decl *t,
	sqlite3_stmt *row)
{
	const char *node = hearth_db_node(r->db);
	const char *id = (const char *)sqlite3_column_text(row, t->id_col);
	const char *owner = (const char *)sqlite3_column_text(row, t->owner_col);
	int st_col = hearth_table_column(t, "status");
	int as_col = hearth_table_column(t, "assignee");
	int tm_col = hearth_table_column(t, "team_id");
	const char *status = st_col >= 0 ? (const char *)sqlite3_column_text(row, st_col) : NULL;
	const char *assignee = as_col >= 0 ? (const char *)sqlite3_column_text(row, as_col) : NULL;
	static const char *const accept[] = { "status", "accepted", NULL };
	int rc = 0;

	if (r->role < APP_ROLE_VOLUNTEER || !status)
		return 0;
	if (assignee && strcmp(assignee, node) == 0) {
		if (strcmp(status, "new") == 0)
			rc = task_button(b, r, "service_request", id, _("Accept"), accept, 0);
		else if (strcmp(status, "accepted") == 0) {
			rc = hearth_buf_printf(b, "<h2>%s</h2>", _("Mark as done"));
			if (rc == 0)
				rc = pages_form_post(b, r, "service_request", "edit", id);
			if (rc == 0)
				rc = hearth_buf_printf(b,
					"<input type=\"hidden\" name=\"status\" value=\"done\">"
					"<label for=\"f-feedback\">%s</label><textarea id=\"f-feedback\" "
					"name=\"feedback\" rows=\"3\"></textarea>"
					"<button type=\"submit\">%s</button></form>",
					_("What did the resident say?"), _("Done"));
		}
	}
	if (rc == 0 && owner && strcmp(owner, node) == 0 && r->role >= APP_ROLE_STAFF &&
	    strcmp(status, "new") == 0 && as_col >= 0 && tm_col >= 0)
		/* the station: assign to a team, by its name */
		rc = pages_assign_form(b, r, id,
			(const char *)sqlite3_column_text(row, tm_col));
	return rc;
}

static int page_view(const app_req *r, app_resp *out, const hearth_table_decl *t)
{
	hearth_buf *b = &out->body;
	sqlite3_stmt *row = row_get(r, t, app_query_get(r, "id"));
	const char *id;
	int i, rc;

	if (!row)
		return not_found(r, out);
	id = (const char *)sqlite3_column_text(row, t->id_col);
	out->status = 200;
	rc = pages_open(b, r, pages_table_label(t->name));
	if (rc == 0)
		rc = hearth_buf_puts(b, "<dl>");
	for (i = 0; rc == 0 && i < t->ncol; i++) {
		const char *v = (const char *)sqlite3_column_text(row, i);
		if (i == t->id_col || (i == t->owner_col && !hearth_db_is_office(r->db)))
			continue;
		rc = hearth_buf_puts(b, "<dt>");
		if (rc == 0)
			rc = pages_esc(b, pages_col_label(r, t, i));
		if (rc == 0)
			rc = hearth_buf_puts(b, "</dt><dd>");
		if (rc == 0)
			rc = i == t->owner_col ? pages_ref_name(b, r, "node", v)
					       : pages_value(b, r, &t->cols[i], v);
		if (rc == 0 && !v)
			rc = hearth_buf_puts(b, "—");
		if (rc == 0)
			rc = hearth_buf_puts(b, "</dd>");
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, "</dl>");
	if (rc == 0 && strcmp(t->name, "service_request") == 0)
		rc = request_tasks(b, r, t, row);
	if (rc == 0 && r->role >= APP_ROLE_STAFF) {
		rc = hearth_buf_printf(b, "<p class=\"row-actions\"><a class=\"button\" "
					  "href=\"/t/%s/edit?id=", t->name);
		if (rc == 0)
			rc = pages_esc(b, id);
		if (rc == 0)
			rc = hearth_buf_printf(b, "\">%s</a> ", _("Edit"));
		if (rc == 0 && strcmp(t->name, "node") != 0) {
			rc = pages_form_post(b, r, t->name, "delete", id);
			if (rc == 0)
				rc = hearth_buf_printf(b, "<button type=\"submit\" "
							  "class=\"secondary\">%s</button></form>",
					_("Delete"));
		}
		if (rc == 0)
			rc = hearth_buf_puts(b, "</p>");
	}
	if (rc == 0)
		rc = hearth_buf_printf(b, "<p><a href=\"/t/%s\">%s</a></p>", t->name,
			_("Back to the list"));
	if (rc == 0)
		rc = pages_close(b);
	hearth_stmt_done(row);
	return rc < 0 ? -1 : 1;
}

/* ---- forms ------------------------------------------------------------------------------- */

/* The value an input shows: what was posted (a refused form), else the stored row's, else a
 * value given in the query (the step before: enrol in this class). */
static const char *field_value(const app_req *r, sqlite3_stmt *row, int posted, int col,
	const char *name)
{
	if (posted)
		return app_form_get(r, name);
	if (row)
		return (const char *)sqlite3_column_text(row, col);
	return app_query_get(r, name);
}

static int option(hearth_buf *b, const char *value, const char *label, int selected)
{
	int rc = hearth_buf_puts(b, "<option value=\"");

	if (rc == 0)
		rc = pages_esc(b, value);
	if (rc == 0)
		rc = hearth_buf_printf(b, "\"%s>", selected ? " selected" : "");
	if (rc == 0)
		rc = pages_esc(b, label);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</option>");
	return rc;
}

/* The nodes a node's audience column may name, at a node (which holds no other node's row):
 * its partners, both ways, and the value the row holds now. The office lists every node. */
#define PARTNER_IDS                                                                                \
	"SELECT id FROM (SELECT partner_id AS id FROM partnership WHERE owner = ?1 UNION "        \
	"SELECT owner FROM partnership WHERE partner_id = ?1 UNION SELECT ?2 WHERE ?2 <> '') "    \
	"ORDER BY id LIMIT 500"

static int ref_options(hearth_buf *b, const app_req *r, const hearth_table_decl *t, int col,
	const char *v)
{
	const hearth_column_decl *c = &t->cols[col];
	const hearth_table_decl *rt = c->ref_table ? decl(r, c->ref_table) : NULL;
	const hearth_schema *s = hearth_db_schema(r->db);
	hearth_buf sql = HEARTH_BUF_INIT, name = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc, i, partners = rt && col == t->audience_col && strcmp(rt->name, "node") == 0 &&
				  !hearth_db_is_office(r->db);

	if (!rt)
		return 0;
	if (partners) {
		rc = hearth_buf_puts(&sql, PARTNER_IDS);
	} else {
		rc = hearth_buf_printf(&sql, "SELECT DISTINCT id FROM \"%s\"", rt->name);
		/* a node reference: the nodes that keep a directory row (the teams) too */
		for (i = 0; rc == 0 && strcmp(rt->name, "node") == 0 &&
			    i < hearth_schema_count(s); i++)
			if (hearth_schema_at(s, i)->directory)
				rc = hearth_buf_printf(&sql, " UNION SELECT owner FROM \"%s\"",
					hearth_schema_at(s, i)->name);
		if (rc == 0)
			rc = hearth_buf_puts(&sql, " ORDER BY 1 DESC LIMIT 500");
	}
	if (rc < 0 || (rc = hearth_db_stmt(r->db, &st, sql.ptr)) < 0)
		goto done;
	if (partners) {
		sqlite3_bind_text(st, 1, hearth_db_node(r->db), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, v ? v : "", -1, SQLITE_STATIC);
	}
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		hearth_buf_clear(&name);
		if ((rc = pages_ref_name(&name, r, rt->name, id)) == 0) {
			/* the name is escaped already: write the option by hand */
			rc = hearth_buf_puts(b, "<option value=\"");
			if (rc == 0)
				rc = pages_esc(b, id);
			if (rc == 0)
				rc = hearth_buf_printf(b, "\"%s>%s</option>",
					v && strcmp(v, id) == 0 ? " selected" : "", name.ptr);
		}
	}
done:
	hearth_stmt_done(st);
	hearth_buf_dispose(&sql);
	hearth_buf_dispose(&name);
	return rc;
}

int pages_input(hearth_buf *b, const app_req *r, const hearth_table_decl *t, int col,
	const char *v, const char *aria)
{
	const hearth_column_decl *c = &t->cols[col];
	char local[20];
	int i, rc;

	switch (c->kind) {
	case HEARTH_KIND_CHOICE:
	case HEARTH_KIND_FLAG:
	case HEARTH_KIND_REFERENCE:
		rc = hearth_buf_printf(b, "<select id=\"f-%s\" name=\"%s\"%s>", c->name, c->name,
			aria);
		if (rc == 0)
			rc = option(b, "", "—", !v || !*v);
		if (c->kind == HEARTH_KIND_CHOICE)
			for (i = 0; rc == 0 && i < c->nchoices; i++)
				rc = option(b, c->choices[i].value,
					strcmp(r->lang, "en") == 0 ? c->choices[i].label_en
								   : c->choices[i].label_zh,
					v && strcmp(v, c->choices[i].value) == 0);
		else if (c->kind == HEARTH_KIND_FLAG) {
			if (rc == 0)
				rc = option(b, "1", _("yes"), v && strcmp(v, "1") == 0);
			if (rc == 0)
				rc = option(b, "0", _("no"), v && strcmp(v, "0") == 0);
		} else if (rc == 0)
			rc = ref_options(b, r, t, col, v);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</select>");
		return rc;
	case HEARTH_KIND_MARKDOWN:
		rc = hearth_buf_printf(b, "<textarea id=\"f-%s\" name=\"%s\" rows=\"5\"%s>", c->name,
			c->name, aria);
		if (rc == 0)
			rc = pages_esc(b, v);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</textarea>");
		return rc;
	default:
		break;
	}
	if (c->kind == HEARTH_KIND_TIMESTAMP && v && strlen(v) >= 16 && v[10] == 'T') {
		/* datetime-local shows local time without the offset; the stored +08:00 is China's */
		memcpy(local, v, 16);
		local[16] = '\0';
		v = local;
	}
	rc = hearth_buf_printf(b, "<input id=\"f-%s\" name=\"%s\" %s%s value=\"", c->name, c->name,
		c->kind == HEARTH_KIND_DATE		 ? "type=\"date\""
		: c->kind == HEARTH_KIND_MONTH	 ? "type=\"month\""
		: c->kind == HEARTH_KIND_TIMESTAMP ? "type=\"datetime-local\""
		: c->kind == HEARTH_KIND_PHONE	 ? "type=\"tel\" autocomplete=\"off\""
		: c->kind == HEARTH_KIND_INTEGER   ? "type=\"text\" inputmode=\"numeric\""
		: c->kind == HEARTH_KIND_DECIMAL   ? "type=\"text\" inputmode=\"decimal\""
						   : "type=\"text\"",
		aria);
	if (rc == 0)
		rc = pages_esc(b, v);
	if (rc == 0)
		rc = hearth_buf_puts(b, "\">");
	return rc;
}

/* The columns a role may fill: staff every column, a volunteer the audience-writable ones. */
static int col_in_form(const app_req *r, const hearth_table_decl *t, int col)
{
	if (col == t->owner_col || col == t->id_col)
		return 0;
	if (r->role == APP_ROLE_VOLUNTEER)
		return t->cols[col].audience_writable;
	return 1;
}

static int page_form(const app_req *r, app_resp *out, const hearth_table_decl *t, int edit,
	const app_refusal *ref, int status)
{
	hearth_buf *b = &out->body;
	hearth_buf aria = HEARTH_BUF_INIT;
	const char *id = edit ? (ref ? app_form_get(r, "id") : app_query_get(r, "id")) : NULL;
	sqlite3_stmt *row = NULL;
	int i, rc;

	if (edit && !(row = row_get(r, t, id)))
		return not_found(r, out);
	out->status = status;
	hearth_buf_clear(b);
	rc = pages_open(b, r, edit ? _("Edit") : _("Add"));
	if (rc == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>", pages_table_label(t->name));
	if (rc == 0 && ref && ref->message.size > 0)
		rc = app_message(b, ref->message.ptr, 1);
	if (rc == 0)
		rc = hearth_buf_printf(b, "<form method=\"post\" action=\"/t/%s/%s\" novalidate>",
			t->name, edit ? "edit" : "new");
	if (rc == 0)
		rc = pages_csrf(b, r);
	if (rc == 0 && edit)
		rc = pages_hidden(b, "id", id);
	for (i = 0; rc == 0 && i < t->ncol; i++) {
		const hearth_column_decl *c = &t->cols[i];
		const char *why = ref && ref->why ? ref->why[i] : NULL;
		int req;
		if (!col_in_form(r, t, i))
			continue;
		req = app_col_required(r->db, t->name, c->name, !edit);
		rc = pages_field_head(b, &aria, r, t, i, req, why);
		if (rc == 0)
			rc = pages_input(b, r, t, i, field_value(r, row, ref != NULL, i, c->name), aria.ptr);
	}
	if (rc == 0)
		rc = hearth_buf_printf(b, "<p><button type=\"submit\">%s</button></p></form>",
			_("Save"));
	if (rc == 0)
		rc = pages_close(b);
	hearth_stmt_done(row);
	hearth_buf_dispose(&aria);
	return rc < 0 ? -1 : 1;
}

/* Where to go after a write: the form's "next" when it is a path of the app. */
static const char *next_path(const app_req *r)
{
	const char *n = app_form_get(r, "next");

	if (n && n[0] == '/' && n[1] != '/' && !strpbrk(n, "\\\r\n"))
		return n;
	return NULL;
}

static int post_write(const app_req *r, app_resp *out, const hearth_table_decl *t,
	const char *action)
{
	app_write_op op = strcmp(action, "new") == 0 ? APP_WRITE_INSERT
			  : strcmp(action, "edit") == 0 ? APP_WRITE_UPDATE
							  : APP_WRITE_DELETE;
	const char *id = app_form_get(r, "id");
	app_refusal ref;
	hearth_buf path = HEARTH_BUF_INIT;
	char *new_id = NULL;
	int rc;

	memset(&ref, 0, sizeof(ref));
	if (op != APP_WRITE_INSERT && (!id || !hearth_record_id_valid(id)))
		return not_found(r, out);
	if (op == APP_WRITE_INSERT && strcmp(t->name, "node") == 0)
		return 0;
	rc = app_write_form(r, t, op, id, &ref, &new_id);
	if (rc == 1) {
		rc = op == APP_WRITE_DELETE ? message_page(r, out, 422, ref.message.ptr)
					    : page_form(r, out, t, op == APP_WRITE_UPDATE, &ref, 422);
	} else if (rc == HEARTH_EDENIED) {
		rc = message_page(r, out, 403, hearth_error_last());
	} else if (rc == HEARTH_ENOTFOUND) {
		rc = not_found(r, out);
	} else if (rc == 0) {
		if (next_path(r))
			rc = hearth_buf_puts(&path, next_path(r));
		else if (op == APP_WRITE_DELETE)
			rc = hearth_buf_printf(&path, "/t/%s", t->name);
		else
			rc = hearth_buf_printf(&path, "/t/%s/view?id=%s", t->name,
				new_id ? new_id : id);
		rc = rc < 0 ? -1 : pages_redirect(out, path.ptr);
	} else {
		rc = -1;
	}
	app_refusal_dispose(&ref);
	hearth_buf_dispose(&path);
	free(new_id);
	return rc;
}

/* A post: new, edit, delete; or a request's assign, which is the edit of its team and
 * assignee (pages_assign.c). */
static int post(const app_req *r, app_resp *out, const hearth_table_decl *t, const char *action)
{
	pages_assign a;
	int rc;

	if (strcmp(action, "assign") != 0)
		return post_write(r, out, t, action);
	if (strcmp(t->name, "service_request") != 0)
		return 0;
	if ((rc = pages_assign_prepare(&a, r)) == 0)
		rc = post_write(&a.req, out, t, "edit");
	else if (rc == HEARTH_ENOTFOUND)
		rc = message_page(r, out, 422, _("no such team: nothing was saved"));
	else
		rc = -1;
	pages_assign_dispose(&a);
	return rc;
}

int pages_table(const app_req *r, app_resp *out, const char *table, const char *action)
{
	const hearth_table_decl *t = decl(r, table);

	if (!t)
		return 0;
	if (strcmp(r->method, "POST") == 0)
		return strcmp(action, "search") == 0 ? pages_list(r, out, t) : post(r, out, t, action);
	if (strcmp(action, "") == 0)
		return pages_list(r, out, t);
	if (strcmp(action, "view") == 0)
		return page_view(r, out, t);
	if (r->role < APP_ROLE_VOLUNTEER || (r->role == APP_ROLE_VOLUNTEER &&
						    strcmp(action, "edit") != 0))
		return message_page(r, out, 403,
			_("your account may not make this change: nothing was saved"));
	if (strcmp(action, "new") == 0 && strcmp(table, "node") == 0)
		return 0;
	return page_form(r, out, t, strcmp(action, "edit") == 0, NULL, 200);
}
