/* The server's own pages: sign-in, the error page and the accounts page for an admin. Every
 * value a person typed goes out through app_html_escape. */
#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "server_int.h"

static int head(hearth_buf *b, const app_req *r, const char *title)
{
	int rc = hearth_buf_printf(b,
		"<!doctype html>\n<html lang=\"%s\"%s><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		"<link rel=\"stylesheet\" href=\"/app.css\"><title>",
		strcmp(r->lang, "en") == 0 ? "en" : "zh-CN", r->large_text ? " class=\"large\"" : "");

	if (rc == 0)
		rc = app_html_escape(b, title);
	if (rc == 0)
		rc = hearth_buf_puts(b, " · hearth</title></head><body><main>");
	return rc;
}

static int foot(hearth_buf *b, const app_req *r)
{
	/* the other language and the text size, one tap away */
	return hearth_buf_printf(b,
		"<p class=\"prefs\"><a href=\"?lang=%s\" lang=\"%s\">%s</a> · "
		"<a id=\"large-text\" href=\"?large=%d\">%s</a></p></main></body></html>\n",
		strcmp(r->lang, "en") == 0 ? "zh" : "en", strcmp(r->lang, "en") == 0 ? "zh-CN" : "en",
		strcmp(r->lang, "en") == 0 ? "中文" : "English", r->large_text ? 0 : 1,
		r->large_text ? _("Normal text") : _("Large text"));
}

int app_message(hearth_buf *b, const char *msg, int is_error)
{
	int rc;

	if (!msg)
		return 0;
	rc = hearth_buf_puts(b, is_error ? "<p class=\"error\" role=\"alert\">"
					 : "<p class=\"notice\" role=\"status\">");
	if (rc == 0)
		rc = app_html_escape(b, msg);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</p>");
	return rc;
}

int app_page_error(app_resp *out, const app_req *r, int status, const char *msg)
{
	hearth_buf *b = &out->body;
	int rc;

	out->status = status;
	hearth_buf_clear(b);
	if ((rc = head(b, r, _("hearth"))) < 0 || (rc = app_message(b, msg, 1)) < 0 ||
	    (rc = hearth_buf_printf(b, "<p><a href=\"/\">%s</a></p>", _("Back to the start"))) < 0 ||
	    (rc = foot(b, r)) < 0)
		return rc;
	return 1;
}

int app_page_login(app_resp *out, const app_req *r, const char *error, int status)
{
	hearth_buf *b = &out->body;
	const char *name = app_form_get(r, "name");
	int rc;

	out->status = status;
	hearth_buf_clear(b);
	if ((rc = head(b, r, _("Sign in"))) < 0 ||
	    (rc = hearth_buf_printf(b, "<h1>%s</h1>", _("Sign in"))) < 0 ||
	    (rc = app_message(b, error, 1)) < 0 ||
	    (rc = hearth_buf_printf(b,
		     "<form method=\"post\" action=\"/login\">"
		     "<p><label for=\"name\">%s</label><br>"
		     "<input id=\"name\" name=\"name\" autocomplete=\"username\" required value=\"",
		     _("Account name"))) < 0 ||
	    (rc = app_html_escape(b, name ? name : "")) < 0 ||
	    (rc = hearth_buf_printf(b,
		     "\"></p><p><label for=\"password\">%s</label><br>"
		     "<input id=\"password\" name=\"password\" type=\"password\" "
		     "autocomplete=\"current-password\" required></p>"
		     "<p><button type=\"submit\">%s</button></p></form>",
		     _("Password"), _("Sign in"))) < 0 ||
	    (rc = foot(b, r)) < 0)
		return rc;
	return 1;
}

static int hidden_csrf(hearth_buf *b, const app_req *r)
{
	return hearth_buf_printf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", r->csrf);
}

static int role_select(hearth_buf *b, const char *id)
{
	static const char *const roles[] = { "staff", "volunteer", "viewer", "admin" };
	const char *labels[] = { _("staff: every record of this place"),
		_("volunteer: only the requests given to this team"), _("viewer: reads only"),
		_("admin: also manages accounts") };
	int i, rc = hearth_buf_printf(b, "<select id=\"%s\" name=\"role\">", id);

	for (i = 0; i < 4 && rc == 0; i++)
		rc = hearth_buf_printf(b, "<option value=\"%s\">%s</option>", roles[i], labels[i]);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</select>");
	return rc;
}

static int name_options(hearth_buf *b, const app_req *r, const char *id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(r->db),
		     "SELECT name FROM hearth_account ORDER BY name")) < 0)
		return rc;
	rc = hearth_buf_printf(b, "<select id=\"%s\" name=\"name\">", id);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		if ((rc = hearth_buf_puts(b, "<option value=\"")) < 0 || (rc = app_html_escape(b, n)) < 0 ||
		    (rc = hearth_buf_puts(b, "\">")) < 0 || (rc = app_html_escape(b, n)) < 0)
			break;
		rc = hearth_buf_puts(b, "</option>");
	}
	sqlite3_finalize(st);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</select>");
	return rc;
}

/* The head of a form that names an account: its heading, the form to /admin/users/ACTION, the
 * CSRF field and the list of accounts (the select `id`). */
static int account_form_head(hearth_buf *b, const app_req *r, const char *action,
	const char *heading, const char *id)
{
	int rc = hearth_buf_printf(b, "<h2>%s</h2><form method=\"post\" action=\"/admin/users/%s\">",
		heading, action);

	if (rc == 0)
		rc = hidden_csrf(b, r);
	if (rc == 0)
		rc = hearth_buf_printf(b, "<p><label for=\"%s\">%s</label><br>", id,
			_("Account name"));
	if (rc == 0)
		rc = name_options(b, r, id);
	return rc;
}

static const char *role_label(const char *role)
{
	if (strcmp(role, "admin") == 0)
		return _("admin");
	if (strcmp(role, "staff") == 0)
		return _("staff");
	if (strcmp(role, "volunteer") == 0)
		return _("volunteer");
	return _("viewer");
}

static int account_table(hearth_buf *b, const app_req *r)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(r->db),
		     "SELECT name, role FROM hearth_account ORDER BY name")) < 0)
		return rc;
	rc = hearth_buf_printf(b, "<table><caption>%s</caption><thead><tr><th scope=\"col\">%s</th>"
				  "<th scope=\"col\">%s</th></tr></thead><tbody>",
		_("Accounts of this place"), _("Account name"), _("Role"));
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		if ((rc = hearth_buf_puts(b, "<tr><td>")) < 0 ||
		    (rc = app_html_escape(b, (const char *)sqlite3_column_text(st, 0))) < 0 ||
		    (rc = hearth_buf_puts(b, "</td><td>")) < 0 ||
		    (rc = app_html_escape(b, role_label((const char *)sqlite3_column_text(st, 1)))) < 0)
			break;
		rc = hearth_buf_puts(b, "</td></tr>");
	}
	sqlite3_finalize(st);
	if (rc == 0)
		rc = hearth_buf_puts(b, "</tbody></table>");
	return rc;
}

int app_page_users(app_resp *out, const app_req *r, const char *msg, int status)
{
	hearth_buf *b = &out->body;
	const char *done = app_query_get(r, "done");
	int rc, is_error = status >= 400;

	if (!msg && done)
		msg = strcmp(done, "added") == 0	     ? _("The account was added.")
			: strcmp(done, "passwd") == 0 ? _("The password was changed.")
			: strcmp(done, "removed") == 0 ? _("The account was removed.")
						       : NULL;
	out->status = status;
	hearth_buf_clear(b);
	if ((rc = head(b, r, _("Accounts"))) < 0 ||
	    (rc = hearth_buf_printf(b, "<p><a href=\"/\">%s</a></p><h1>%s</h1>",
		     _("Back to the start"), _("Accounts"))) < 0 ||
	    (rc = app_message(b, msg, is_error)) < 0 || (rc = account_table(b, r)) < 0 ||
	    /* add */
	    (rc = hearth_buf_printf(b, "<h2>%s</h2><form method=\"post\" action=\"/admin/users/add\">",
		     _("Add an account"))) < 0 ||
	    (rc = hidden_csrf(b, r)) < 0 ||
	    (rc = hearth_buf_printf(b,
		     "<p><label for=\"add-name\">%s</label><br><input id=\"add-name\" name=\"name\" "
		     "required autocomplete=\"off\"></p><p><label for=\"add-role\">%s</label><br>",
		     _("Account name"), _("Role"))) < 0 ||
	    (rc = role_select(b, "add-role")) < 0 ||
	    (rc = hearth_buf_printf(b,
		     "</p><p><label for=\"add-password\">%s</label><br><input id=\"add-password\" "
		     "name=\"password\" type=\"password\" autocomplete=\"new-password\" required "
		     "minlength=\"%d\"></p><p><button type=\"submit\">%s</button></p></form>",
		     _("Password (at least 8 characters)"), HEARTH_APP_PASSWORD_MIN,
		     _("Add the account"))) < 0 ||
	    /* change a password */
	    (rc = account_form_head(b, r, "passwd", _("Change a password"), "pw-name")) < 0 ||
	    (rc = hearth_buf_printf(b,
		     "</p><p><label for=\"pw-password\">%s</label><br><input id=\"pw-password\" "
		     "name=\"password\" type=\"password\" autocomplete=\"new-password\" required "
		     "minlength=\"%d\"></p><p><button type=\"submit\">%s</button></p></form>",
		     _("New password (at least 8 characters)"), HEARTH_APP_PASSWORD_MIN,
		     _("Change the password"))) < 0 ||
	    /* remove */
	    (rc = account_form_head(b, r, "remove", _("Remove an account"), "rm-name")) < 0 ||
	    (rc = hearth_buf_printf(b, "</p><p><button type=\"submit\">%s</button></p></form>",
		     _("Remove the account"))) < 0 ||
	    (rc = foot(b, r)) < 0)
		return rc;
	return 1;
}

int app_page_users_post(app_resp *out, const app_req *r)
{
	const char *name = app_form_get(r, "name"), *pw = app_form_get(r, "password");
	const char *role = app_form_get(r, "role"), *done;
	int rc;

	if (strcmp(r->path, "/admin/users/add") == 0) {
		rc = hearth_app_user_add(r->db, name ? name : "", role ? role : "", pw ? pw : "");
		done = "added";
	} else if (strcmp(r->path, "/admin/users/passwd") == 0) {
		rc = hearth_app_user_passwd(r->db, name ? name : "", pw ? pw : "");
		done = "passwd";
	} else if (strcmp(r->path, "/admin/users/remove") == 0) {
		if (name && strcmp(name, r->user) == 0)
			return app_page_users(out, r, _("you cannot remove your own account"), 422);
		rc = hearth_app_user_remove(r->db, name ? name : "");
		done = "removed";
	} else {
		return 0;
	}
	if (rc == HEARTH_EUSAGE || rc == HEARTH_ECONFLICT || rc == HEARTH_ENOTFOUND) {
		hearth_buf why = HEARTH_BUF_INIT;
		if ((rc = hearth_buf_puts(&why, hearth_error_last())) == 0)
			rc = app_page_users(out, r, why.ptr, 422);
		hearth_buf_dispose(&why);
		return rc;
	}
	if (rc < 0)
		return rc;
	out->status = 303;
	if (!(out->location = strdup(strcmp(done, "added") == 0	 ? "/admin/users?done=added"
					      : strcmp(done, "passwd") == 0 ? "/admin/users?done=passwd"
									    : "/admin/users?done=removed")))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	return 1;
}
