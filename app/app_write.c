/*
 * Each form post is one recorded write through core's write path (hearth_write_run): the
 * values normalised and checked by the same rules as `hearth exec` and the import, the
 * changeset checked for ownership and values, kept in the outbox, in one transaction. The role
 * is checked here, server side, against every column the post would change: the form a
 * person saw decides nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "pages_int.h"

void app_refusal_dispose(app_refusal *f)
{
	int i;

	for (i = 0; f->why && i < f->ncol; i++)
		free(f->why[i]);
	free(f->why);
	f->why = NULL;
	f->ncol = 0;
	hearth_buf_dispose(&f->message);
}

/* One column's new value: its canonical text, or NULL. */
typedef struct {
	int col;
	char *text;
} new_value;

struct body {
	const hearth_table_decl *t;
	app_write_op op;
	const char *owner, *id;
	new_value *vals;
	int nvals;
	char *new_id;
};

int app_col_required(hearth_db *db, const char *table, const char *col, int on_insert)
{
	sqlite3_stmt *st = NULL;
	int req = 0;

	if (hearth_sql_prepare(&st, hearth_db_sqlite(db),
		    "SELECT \"notnull\", dflt_value IS NULL FROM pragma_table_info(?1) "
		    "WHERE name = ?2") < 0)
		return 0;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		req = sqlite3_column_int(st, 0) && (!on_insert || sqlite3_column_int(st, 1));
	sqlite3_finalize(st);
	return req;
}

static void bind_value(sqlite3_stmt *st, int i, const hearth_column_decl *c, const char *text)
{
	if (!text)
		sqlite3_bind_null(st, i);
	else if (c->kind == HEARTH_KIND_INTEGER || c->kind == HEARTH_KIND_FLAG)
		sqlite3_bind_int64(st, i, strtoll(text, NULL, 10));
	else if (c->kind == HEARTH_KIND_DECIMAL)
		sqlite3_bind_double(st, i, strtod(text, NULL));
	else
		sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
}

/* SQLite's refusal inside the body, as a hearth error: a constraint is a conflict. */
static int step_error(sqlite3 *h, const hearth_table_decl *t)
{
	const char *msg = sqlite3_errmsg(h);

	if ((sqlite3_errcode(h) & 0xff) != SQLITE_CONSTRAINT)
		return hearth_error_sqlite(h, HEARTH_ERROR, "cannot write");
	if (strstr(msg, "FOREIGN KEY"))
		return hearth_error_set(HEARTH_ECONFLICT,
			_("%s: a row this change names does not exist; nothing was written"), t->name);
	return hearth_error_set(HEARTH_ECONFLICT, "%s", msg);
}

static int run_body(hearth_db *db, void *payload)
{
	struct body *b = payload;
	sqlite3 *h = hearth_db_sqlite(db);
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int i, rc = 0, n = 1;

	if (b->op == APP_WRITE_INSERT) {
		if ((rc = hearth_sql_prepare(&st, h, "SELECT hearth_id()")) < 0)
			goto done;
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = hearth_error_sqlite(h, HEARTH_ERROR, "cannot make an id");
			goto done;
		}
		if (!(b->new_id = strdup((const char *)sqlite3_column_text(st, 0)))) {
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
			goto done;
		}
		sqlite3_finalize(st);
		st = NULL;
		rc = hearth_buf_printf(&sql, "INSERT INTO \"%s\" (owner, id", b->t->name);
		for (i = 0; rc == 0 && i < b->nvals; i++)
			rc = hearth_buf_printf(&sql, ", \"%s\"", b->t->cols[b->vals[i].col].name);
		if (rc == 0)
			rc = hearth_buf_puts(&sql, ") VALUES (hearth_node(), ?1");
		for (i = 0; rc == 0 && i < b->nvals; i++)
			rc = hearth_buf_printf(&sql, ", ?%d", i + 2);
		if (rc == 0)
			rc = hearth_buf_puts(&sql, ")");
	} else if (b->op == APP_WRITE_UPDATE) {
		rc = hearth_buf_printf(&sql, "UPDATE \"%s\" SET ", b->t->name);
		for (i = 0; rc == 0 && i < b->nvals; i++)
			rc = hearth_buf_printf(&sql, "%s\"%s\" = ?%d", i ? ", " : "",
				b->t->cols[b->vals[i].col].name, i + 3);
		if (rc == 0)
			rc = hearth_buf_puts(&sql, " WHERE owner = ?1 AND id = ?2");
	} else {
		rc = hearth_buf_printf(&sql, "DELETE FROM \"%s\" WHERE owner = ?1 AND id = ?2",
			b->t->name);
	}
	if (rc < 0 || (rc = hearth_sql_prepare(&st, h, sql.ptr)) < 0)
		goto done;
	if (b->op == APP_WRITE_INSERT) {
		sqlite3_bind_text(st, 1, b->new_id, -1, SQLITE_STATIC);
		n = 2;
	} else {
		sqlite3_bind_text(st, 1, b->owner, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, b->id, -1, SQLITE_STATIC);
		n = 3;
	}
	for (i = 0; b->op != APP_WRITE_DELETE && i < b->nvals; i++)
		bind_value(st, n + i, &b->t->cols[b->vals[i].col], b->vals[i].text);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = step_error(h, b->t);
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sql);
	return rc;
}

char *app_row_owner(const app_req *r, const hearth_table_decl *t, const char *id)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	char *owner = NULL;

	if (!id || hearth_buf_printf(&sql,
			   "SELECT owner FROM \"%s\" WHERE id = ?1 ORDER BY owner = ?2 DESC LIMIT 1",
			   t->name) < 0 ||
	    hearth_sql_prepare(&st, hearth_db_sqlite(r->db), sql.ptr) < 0)
		goto done;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hearth_db_node(r->db), -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		owner = strdup((const char *)sqlite3_column_text(st, 0));
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sql);
	return owner;
}

/* The stored row (owner, id) of `t` on *out (a stepped statement), or HEARTH_ENOTFOUND. */
static int row_read(sqlite3_stmt **out, const app_req *r, const hearth_table_decl *t,
	const char *owner, const char *id)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = hearth_buf_printf(&sql, "SELECT * FROM \"%s\" WHERE owner = ?1 AND id = ?2",
		     t->name)) < 0 ||
	    (rc = hearth_sql_prepare(out, hearth_db_sqlite(r->db), sql.ptr)) < 0)
		goto done;
	sqlite3_bind_text(*out, 1, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(*out, 2, id, -1, SQLITE_STATIC);
	if (sqlite3_step(*out) != SQLITE_ROW) {
		sqlite3_finalize(*out);
		*out = NULL;
		rc = hearth_error_set(HEARTH_ENOTFOUND, _("no such record"));
	}
done:
	hearth_buf_dispose(&sql);
	return rc;
}

/* The stored value equals the new one (NULL for NULL, numbers as numbers). */
static int same_value(sqlite3_stmt *row, int col, const hearth_column_decl *c, const char *text)
{
	const char *old = (const char *)sqlite3_column_text(row, col);

	if (!old || !text)
		return !old && !text;
	if (c->kind == HEARTH_KIND_INTEGER || c->kind == HEARTH_KIND_FLAG ||
	    c->kind == HEARTH_KIND_DECIMAL)
		return sqlite3_column_type(row, col) != SQLITE_TEXT &&
		       sqlite3_column_double(row, col) == strtod(text, NULL);
	return strcmp(old, text) == 0;
}

static int refuse_col(app_refusal *ref, int col, const char *why)
{
	free(ref->why[col]);
	if (!(ref->why[col] = strdup(why)))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	return 0;
}

/* Every posted column of `t` normalised into vals; refusals into `ref`. Returns the count of
 * refusals or an error. */
static int read_values(const app_req *r, const hearth_table_decl *t, app_write_op op,
	new_value *vals, int *nvals, app_refusal *ref)
{
	hearth_buf out = HEARTH_BUF_INIT, why = HEARTH_BUF_INIT;
	int i, rc = 0, refused = 0;

	*nvals = 0;
	for (i = 0; rc >= 0 && i < t->ncol; i++) {
		const char *v = app_form_get(r, t->cols[i].name);
		if (i == t->owner_col || i == t->id_col)
			continue;
		if (!v) {
			if (op == APP_WRITE_INSERT &&
			    app_col_required(r->db, t->name, t->cols[i].name, 1)) {
				rc = refuse_col(ref, i, _("a value is required"));
				refused++;
			}
			continue;
		}
		while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
			v++;
		vals[*nvals].col = i;
		vals[*nvals].text = NULL;
		if (!*v) {
			if (app_col_required(r->db, t->name, t->cols[i].name, op == APP_WRITE_INSERT)) {
				rc = refuse_col(ref, i, _("a value is required"));
				refused++;
				continue;
			}
			if (op == APP_WRITE_INSERT)
				continue; /* its default */
			(*nvals)++;
			continue;
		}
		hearth_buf_clear(&out);
		hearth_buf_clear(&why);
		rc = hearth_value_normalize(r->db, t, i, v, &out, &why);
		if (rc == 1) {
			rc = refuse_col(ref, i, why.ptr);
			refused++;
		} else if (rc == 0 && !(vals[(*nvals)++].text = strdup(out.ptr))) {
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		}
	}
	hearth_buf_dispose(&out);
	hearth_buf_dispose(&why);
	return rc < 0 ? rc : refused;
}

/* A volunteer writes only the audience-writable columns of a row whose audience is here. */
static int volunteer_may(const app_req *r, const hearth_table_decl *t, sqlite3_stmt *row,
	const new_value *vals, int nvals)
{
	const char *aud;
	int i;

	if (t->audience_col < 0 || !row)
		return 0;
	aud = (const char *)sqlite3_column_text(row, t->audience_col);
	if (!aud || strcmp(aud, hearth_db_node(r->db)) != 0)
		return 0;
	for (i = 0; i < nvals; i++)
		if (!t->cols[vals[i].col].audience_writable)
			return 0;
	return 1;
}

static int denied(void)
{
	return hearth_error_set(HEARTH_EDENIED, _("your account may not make this change: nothing "
						  "was saved"));
}

int app_write_form(const app_req *r, const hearth_table_decl *t, app_write_op op, const char *id,
	app_refusal *ref, char **new_id)
{
	struct body b;
	sqlite3_stmt *row = NULL;
	char *owner = NULL;
	hearth_write_info info;
	int i, k, rc;

	memset(&b, 0, sizeof(b));
	*new_id = NULL;
	hearth_buf_init(&ref->message, 0);
	ref->ncol = t->ncol;
	if (!(ref->why = calloc((size_t)t->ncol, sizeof(char *))) ||
	    !(b.vals = calloc((size_t)t->ncol, sizeof(new_value))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	b.t = t;
	b.op = op;
	if (r->role == APP_ROLE_VIEWER) {
		rc = denied();
		goto done;
	}
	if (op != APP_WRITE_INSERT) {
		if (!(owner = app_row_owner(r, t, id))) {
			rc = hearth_error_set(HEARTH_ENOTFOUND, _("no such record"));
			goto done;
		}
		if ((rc = row_read(&row, r, t, owner, id)) < 0)
			goto done;
		b.owner = owner;
		b.id = id;
	}
	if (op != APP_WRITE_DELETE) {
		if ((rc = read_values(r, t, op, b.vals, &b.nvals, ref)) != 0) {
			if (rc > 0) {
				hearth_buf_puts(&ref->message,
					_("some values were not accepted: nothing was saved"));
				rc = 1;
			}
			goto done;
		}
	}
	/* only what changes is written, and only that is checked against the role */
	if (op == APP_WRITE_UPDATE) {
		for (i = 0, k = 0; i < b.nvals; i++) {
			if (same_value(row, b.vals[i].col, &t->cols[b.vals[i].col], b.vals[i].text))
				free(b.vals[i].text);
			else
				b.vals[k++] = b.vals[i];
		}
		b.nvals = k;
		if (k == 0) {
			rc = 0;
			goto done;
		}
	}
	if (r->role == APP_ROLE_VOLUNTEER &&
	    (op != APP_WRITE_UPDATE || !volunteer_may(r, t, row, b.vals, b.nvals))) {
		rc = denied();
		goto done;
	}
	sqlite3_finalize(row);
	row = NULL;
	app_ckpt_enter(r->queue); /* its turn: no busy wait for SQLite's lock (checkpoint.c) */
	rc = hearth_write_run(r->db, run_body, &b, NULL, &info);
	app_ckpt_leave(r->queue);
	if (rc == HEARTH_ECONFLICT) {
		/* the database or core's value rules refused it: said on the form */
		hearth_buf_puts(&ref->message, hearth_error_last());
		rc = 1;
	} else if (rc == 0 && op == APP_WRITE_INSERT) {
		*new_id = b.new_id;
		b.new_id = NULL;
	}
done:
	sqlite3_finalize(row);
	for (i = 0; i < b.nvals; i++)
		free(b.vals[i].text);
	free(b.vals);
	free(b.new_id);
	free(owner);
	return rc;
}
