/* What the pages (pages*.c) and the app's write path (app_write.c) share. Private to app/. */
#ifndef HEARTH_APP_PAGES_INT_H
#define HEARTH_APP_PAGES_INT_H

#include "app_int.h"

/* ---- HTML (pages.c) ------------------------------------------------------------------------ */

/** `s` with & < > " ' escaped, appended to `b` (NULL appends nothing). */
int pages_esc(hearth_buf *b, const char *s);
/** Column `i` of the current row of `st`, escaped. */
int pages_esc_col(hearth_buf *b, sqlite3_stmt *st, int i);
/** The China-time day `days` from now as YYYY-MM-DD (`out`: 11 bytes). */
void pages_china_day(char *out, int days);
/** The page's head, the banner (sync state, sync button, language and large text) and the
 * navigation of the node's kind, then <main>; `title` is escaped. */
int pages_open(hearth_buf *b, const app_req *r, const char *title);
/** Close <main> and the page. */
int pages_close(hearth_buf *b);
/** The hidden CSRF field every form carries. */
int pages_csrf(hearth_buf *b, const app_req *r);
/** `<form method="post">` to /t/`table`/`action` (`table` NULL: to the path `action`), its CSRF
 * field and, unless `id` is NULL, a hidden `id`; the caller closes the form. */
int pages_form_post(hearth_buf *b, const app_req *r, const char *table, const char *action,
	const char *id);
/** A hidden field `name` (a literal) with `value` escaped. */
int pages_hidden(hearth_buf *b, const char *name, const char *value);
/** Column `col`'s label (marked required when `req`), its hint and the reason it was refused
 * (`why`, or NULL) into `b`; into `aria` (cleared first) the input's attributes tying it to
 * them. */
int pages_field_head(hearth_buf *b, hearth_buf *aria, const app_req *r,
	const hearth_table_decl *t, int col, int req, const char *why);
/** The input of column `col` of `t` as its declared kind asks (a select, a textarea, a date
 * picker...), holding `v`, with `aria` (the attributes from pages_field_head) inside it. */
int pages_input(hearth_buf *b, const app_req *r, const hearth_table_decl *t, int col,
	const char *v, const char *aria);
/** The opening `<a>` of a link to row `id`'s view in `table`; the caller closes it. */
int pages_view_link(hearth_buf *b, const char *table, const char *id);
/** 1 if the table is one this node's kind keeps (reads and, by role, writes). */
int pages_table_allowed(const app_req *r, const char *table);
/** The label of column `col` of `t` in the request's language. */
const char *pages_col_label(const app_req *r, const hearth_table_decl *t, int col);
/** The label of a table (its name as people say it), in the request's language. */
const char *pages_table_label(const char *table);
/** The readable name of row `id` of `table` (a class's name, a child's...), appended escaped;
 * the id itself when the table has no name column or no such row. */
int pages_ref_name(hearth_buf *b, const app_req *r, const char *table, const char *id);
/** A stored value of column `c` as people read it (a choice's label, yes/no, a reference's
 * name, a timestamp without seconds), escaped; NULL appends nothing (pages_list.c). */
int pages_value(hearth_buf *b, const app_req *r, const hearth_column_decl *c, const char *v);
/** A 303 to `path`. */
int pages_redirect(app_resp *out, const char *path);
/** A page of one line (`is_error`: an alert) with `status`; 1 or -1 (pages_publish.c). */
int pages_message(app_resp *out, const app_req *r, int status, const char *title,
	const char *line, int is_error);
/** Sync as the sync button does (`only_remote`: that remote only, NULL: all) and keep its
 * one-line outcome for the banner (meta app_sync_outcome, shown with ?synced=1); 0 or -1. */
int pages_sync_run(const app_req *r, const char *only_remote);
/** The 403 page of a role that may not make a change. */
int pages_denied(app_resp *out, const app_req *r);
/** With ?done=1, the one-line outcome kept in meta `key`, appended escaped. */
int pages_outcome(hearth_buf *b, const app_req *r, const char *key);

/* ---- the pages --------------------------------------------------------------------------- */

int pages_today(const app_req *r, app_resp *out);
int pages_table(const app_req *r, app_resp *out, const char *table, const char *action);
/** The list of `t` (GET, ?page=N) or a search in it (POST q, page): pages_list.c. */
int pages_list(const app_req *r, app_resp *out, const hearth_table_decl *t);
int pages_sync_post(const app_req *r, app_resp *out);
int pages_conflicts(const app_req *r, app_resp *out);
int pages_conflict_resolve(const app_req *r, app_resp *out);
int pages_quarantine(const app_req *r, app_resp *out);
int pages_css(app_resp *out);
int pages_publish(const app_req *r, app_resp *out);
int pages_publish_post(const app_req *r, app_resp *out);
int pages_site_file(const app_req *r, app_resp *out);
int pages_purge(const app_req *r, app_resp *out);
int pages_purge_post(const app_req *r, app_resp *out);
int pages_stick(const app_req *r, app_resp *out);
int pages_stick_post(const app_req *r, app_resp *out);
int pages_checks(const app_req *r, app_resp *out);
int pages_checks_post(const app_req *r, app_resp *out);

/* ---- the station's assign (pages_assign.c) ----------------------------------------------- */

/** The form that assigns request `id` to a volunteer team, chosen by name and service type
 * among the teams this node holds (`current`: the team_id now set, or NULL). */
int pages_assign_form(hearth_buf *b, const app_req *r, const char *id, const char *current);

/** The assign post as the edit it is: `req` is the request with the chosen team ("owner/id")
 * turned into the fields team_id and assignee. */
typedef struct {
	app_req req;
	app_field *fields;
	char *team;
} pages_assign;

/** Fill `a` from the post `r`: 0, HEARTH_ENOTFOUND (no team, or one this node does not hold),
 * or an error. Dispose of `a` whatever it returns. */
int pages_assign_prepare(pages_assign *a, const app_req *r);
void pages_assign_dispose(pages_assign *a);

/* ---- writes (app_write.c) ----------------------------------------------------------------- */

typedef enum { APP_WRITE_INSERT, APP_WRITE_UPDATE, APP_WRITE_DELETE } app_write_op;

/** What a refused write says: per column the reason (NULL: accepted), and a line for the form. */
typedef struct {
	char **why;    /* t->ncol entries, malloc'd, each NULL or malloc'd */
	int ncol;
	hearth_buf message;
} app_refusal;

void app_refusal_dispose(app_refusal *f);

/**
 * One form post as one recorded write of table `t`: every form field named after a column of
 * `t` (owner and id aside) is normalised by core's rules (hearth_value_normalize); an empty
 * field is NULL. The role is checked against every changed column: a viewer writes nothing; a
 * volunteer only the audience-writable columns of a row whose audience is this node; staff and
 * admin every write the node may make (core checks ownership again). `id` names the row (UPDATE,
 * DELETE); an INSERT takes a new id (hearth_id()), returned in *new_id (malloc'd).
 * Returns 0 written (or nothing to change), 1 refused by the values (`ref` says why per column;
 * nothing written), or a negative error: HEARTH_EDENIED (the role or the node may not),
 * HEARTH_ENOTFOUND (no such row), HEARTH_ECONFLICT (the database refused it).
 */
int app_write_form(const app_req *r, const hearth_table_decl *t, app_write_op op, const char *id,
	app_refusal *ref, char **new_id);

/** 1 if column `col` of `table` must hold a value (NOT NULL; on insert, without a default). */
int app_col_required(hearth_db *db, const char *table, const char *col, int on_insert);

/** The owner of row `id` of `t` as this node holds it (its own row first), or NULL; malloc'd. */
char *app_row_owner(const app_req *r, const hearth_table_decl *t, const char *id);

#endif
