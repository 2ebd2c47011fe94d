/* A stand-in for the pages (the app-pages branch replaces this file): a start page that says
 * who is signed in, POST /t/TABLE/new as one recorded INSERT of the form's fields (the author
 * recorded with it), GET /t/TABLE/view showing one row, and the stylesheet. Enough for the
 * server's tests to run over real HTTP. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "server_int.h"

static int page_start(hearth_buf *b, const app_req *r, const char *title)
{
	int rc = hearth_buf_printf(b,
		"<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		"<link rel=\"stylesheet\" href=\"/app.css\"><title>%s</title></head><body><main>",
		strcmp(r->lang, "en") == 0 ? "en" : "zh-CN", title);

	return rc;
}

static int home(const app_req *r, app_resp *out)
{
	hearth_buf *b = &out->body;
	int rc;

	out->status = 200;
	if ((rc = page_start(b, r, "hearth")) < 0 ||
	    (rc = hearth_buf_printf(b, "<h1>%s</h1><p class=\"user\">", hearth_db_node(r->db))) < 0 ||
	    (rc = app_html_escape(b, r->user)) < 0 ||
	    (rc = hearth_buf_printf(b, "</p><form method=\"post\" action=\"/logout\">"
				       "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
				       "<button type=\"submit\">%s</button></form>",
		     r->csrf, _("Sign out"))) < 0)
		return rc;
	if (r->role == APP_ROLE_ADMIN &&
	    (rc = hearth_buf_printf(b, "<p><a href=\"/admin/users\">%s</a></p>", _("Accounts"))) < 0)
		return rc;
	if ((rc = hearth_buf_puts(b, "</main></body></html>\n")) < 0)
		return rc;
	return 1;
}

static int insert(const app_req *r, app_resp *out, const hearth_table_decl *t)
{
	hearth_buf sql = HEARTH_BUF_INIT, cols = HEARTH_BUF_INIT, vals = HEARTH_BUF_INIT;
	hearth_write_info info;
	char *id = NULL, *part;
	int i, rc = 0;

	for (i = 0; i < r->nform && rc == 0; i++) {
		const char *n = r->form[i].name;
		if (strcmp(n, "csrf") == 0 || strcmp(n, "owner") == 0 ||
		    hearth_table_column(t, n) < 0)
			continue;
		if (strcmp(n, "id") == 0 && !(id = strdup(r->form[i].value))) {
			rc = hearth_error_set(HEARTH_ERROR, "out of memory");
			break;
		}
		if (!(part = sqlite3_mprintf("%s\"%w\"", cols.size ? ", " : "", n)))
			rc = hearth_error_set(HEARTH_ERROR, "out of memory");
		else
			rc = hearth_buf_puts(&cols, part);
		sqlite3_free(part);
		if (rc == 0 && !(part = sqlite3_mprintf("%s%Q", vals.size ? ", " : "",
					  r->form[i].value)))
			rc = hearth_error_set(HEARTH_ERROR, "out of memory");
		else if (rc == 0)
			rc = hearth_buf_puts(&vals, part);
		if (rc == 0)
			sqlite3_free(part);
	}
	if (rc < 0)
		goto done;
	if (!id) {
		unsigned char raw[8];
		char tmp[32];
		randombytes_buf(raw, sizeof(raw));
		tmp[0] = 'a';
		sodium_bin2hex(tmp + 1, sizeof(tmp) - 1, raw, sizeof(raw));
		if (!(id = strdup(tmp))) {
			rc = hearth_error_set(HEARTH_ERROR, "out of memory");
			goto done;
		}
		if (!(part = sqlite3_mprintf("%s\"id\"", cols.size ? ", " : "")) ||
		    hearth_buf_puts(&cols, part) < 0) {
			sqlite3_free(part);
			rc = hearth_error_set(HEARTH_ERROR, "out of memory");
			goto done;
		}
		sqlite3_free(part);
		if (!(part = sqlite3_mprintf("%s%Q", vals.size ? ", " : "", id)) ||
		    hearth_buf_puts(&vals, part) < 0) {
			sqlite3_free(part);
			rc = hearth_error_set(HEARTH_ERROR, "out of memory");
			goto done;
		}
		sqlite3_free(part);
	}
	if (!(part = sqlite3_mprintf("INSERT INTO \"%w\" (owner, %s) VALUES (hearth_node(), %s)",
		      t->name, cols.ptr, vals.ptr))) {
		rc = hearth_error_set(HEARTH_ERROR, "out of memory");
		goto done;
	}
	rc = hearth_write_exec(r->db, part, &info);
	sqlite3_free(part);
	if (rc == HEARTH_EUSAGE || rc == HEARTH_ECONFLICT || rc == HEARTH_EDENIED) {
		out->status = 422;
		hearth_buf_clear(&out->body);
		if ((rc = page_start(&out->body, r, "hearth")) < 0 ||
		    (rc = hearth_buf_puts(&out->body, "<p class=\"error\">")) < 0 ||
		    (rc = app_html_escape(&out->body, hearth_error_last())) < 0 ||
		    (rc = hearth_buf_puts(&out->body, "</p></main></body></html>\n")) < 0)
			goto done;
		rc = 1;
		goto done;
	}
	if (rc < 0)
		goto done;
	out->status = 303;
	if (!(part = sqlite3_mprintf("/t/%s/view?id=%s", t->name, id)) ||
	    !(out->location = strdup(part)))
		rc = hearth_error_set(HEARTH_ERROR, "out of memory");
	else
		rc = 1;
	sqlite3_free(part);
done:
	free(id);
	hearth_buf_dispose(&sql);
	hearth_buf_dispose(&cols);
	hearth_buf_dispose(&vals);
	return rc;
}

static int view(const app_req *r, app_resp *out, const hearth_table_decl *t)
{
	const char *id = app_query_get(r, "id");
	sqlite3_stmt *st = NULL;
	char *sql;
	int i, rc;

	if (!id)
		return 0;
	if (!(sql = sqlite3_mprintf("SELECT * FROM \"%w\" WHERE owner = hearth_node() AND id = ?1",
		      t->name)))
		return hearth_error_set(HEARTH_ERROR, "out of memory");
	rc = hearth_sql_prepare(&st, hearth_db_sqlite(r->db), sql);
	sqlite3_free(sql);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return 0;
	}
	out->status = 200;
	rc = page_start(&out->body, r, "hearth");
	if (rc == 0)
		rc = hearth_buf_puts(&out->body, "<dl>");
	for (i = 0; i < sqlite3_column_count(st) && rc == 0; i++) {
		const char *v = (const char *)sqlite3_column_text(st, i);
		if ((rc = hearth_buf_puts(&out->body, "<dt>")) < 0 ||
		    (rc = app_html_escape(&out->body, sqlite3_column_name(st, i))) < 0 ||
		    (rc = hearth_buf_puts(&out->body, "</dt><dd>")) < 0 ||
		    (rc = app_html_escape(&out->body, v ? v : "")) < 0)
			break;
		rc = hearth_buf_puts(&out->body, "</dd>");
	}
	sqlite3_finalize(st);
	if (rc == 0)
		rc = hearth_buf_puts(&out->body, "</dl></main></body></html>\n");
	return rc < 0 ? rc : 1;
}

int app_pages_handle(const app_req *r, app_resp *out)
{
	const hearth_table_decl *t;
	char table[64];
	const char *slash;
	size_t n;

	if (strcmp(r->path, "/app.css") == 0) {
		out->status = 200;
		out->content_type = "text/css; charset=utf-8";
		return hearth_buf_puts(&out->body,
			       "body{font:1rem/1.5 sans-serif;margin:0 auto;max-width:40rem;padding:1rem}"
			       ".error{color:#a00}input,select,button{font:inherit}\n") < 0
			? -1
			: 1;
	}
	if (strcmp(r->path, "/") == 0 && strcmp(r->method, "GET") == 0)
		return home(r, out);
	if (strncmp(r->path, "/t/", 3) != 0 || !(slash = strchr(r->path + 3, '/')))
		return 0;
	n = (size_t)(slash - (r->path + 3));
	if (n == 0 || n >= sizeof(table))
		return 0;
	memcpy(table, r->path + 3, n);
	table[n] = '\0';
	if (!(t = hearth_schema_table(hearth_db_schema(r->db), table)))
		return 0;
	if (strcmp(slash, "/new") == 0 && strcmp(r->method, "POST") == 0)
		return insert(r, out, t);
	if (strcmp(slash, "/view") == 0 && strcmp(r->method, "GET") == 0)
		return view(r, out, t);
	return 0;
}
