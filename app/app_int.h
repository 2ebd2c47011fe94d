/* The node's own app (`hearth serve`): what the HTTP server (server.c, auth.c) hands to the
 * pages (pages_*.c) and what they hand back. Private to app/.
 *
 * The server owns HTTP, TLS, accounts, sessions and CSRF: by the time a page sees a request,
 * the session is valid and, for a POST, the form's CSRF token has been checked. The pages own
 * what people see and every write they make; a page never trusts the form to decide who may
 * write what (app_write.c checks the role against every changed column). */
#ifndef HEARTH_APP_INT_H
#define HEARTH_APP_INT_H

#include "core/hearth_internal.h"

typedef enum {
	APP_ROLE_VIEWER = 0,    /* reads */
	APP_ROLE_VOLUNTEER = 1, /* only the audience-writable columns of requests assigned here */
	APP_ROLE_STAFF = 2,     /* every write the node may make */
	APP_ROLE_ADMIN = 3,     /* staff, plus accounts and settings */
} app_role;

typedef struct {
	char *name;
	char *value;
} app_field;

/* The forms' write queue (checkpoint.c): a write takes its turn, one at a time, in order. */
typedef struct app_ckpt app_ckpt;
void app_ckpt_enter(app_ckpt *c); /* NULL: no queue, nothing waited for */
void app_ckpt_leave(app_ckpt *c);

typedef struct app_req {
	hearth_db *db;          /* the node's database, open for this request */
	app_ckpt *queue;        /* the forms' write queue, or NULL */
	const char *method;     /* "GET" or "POST" */
	const char *path;       /* e.g. "/t/child/view" (no query string) */
	const app_field *query; /* decoded query-string fields, in order */
	int nquery;
	const app_field *form;  /* decoded POST body, in order (repeated names repeat) */
	int nform;
	const char *user;       /* the signed-in account, NULL on the login page */
	app_role role;
	const char *lang;       /* "zh" (the default) or "en"; this thread's messages follow it */
	const char *csrf;       /* the session's token: every form carries it as the field "csrf" */
	int large_text;         /* 长辈版: larger type and targets */
} app_req;

typedef struct {
	int status;             /* 200, 303, 403, 404, 422, ... */
	hearth_buf body;        /* the page; text/html; charset=utf-8 unless content_type is set */
	const char *content_type;
	char *location;         /* with 303: where to go (a path of the app), malloc'd */
} app_resp;

/** The first value of query or form field `name`, or NULL. */
const char *app_query_get(const app_req *r, const char *name);
const char *app_form_get(const app_req *r, const char *name);

/** Append `s` with &, <, >, " and ' escaped for HTML text and attribute values. */
int app_html_escape(hearth_buf *out, const char *s);
/** A message paragraph, escaped: an error (role=alert) or a notice (role=status); nothing for
 * NULL. */
int app_message(hearth_buf *b, const char *msg, int is_error);

/** Answers a request for the pages: 1 if a page answered (out filled), 0 if no page has this
 * path (the server answers 404), -1 on an internal error (the server answers 500, logs it). */
int app_pages_handle(const app_req *r, app_resp *out);

#endif
