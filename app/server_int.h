/* What the server's files (server.c, auth.c, form.c, tls.c, account_pages.c) share. Private to
 * app/; the pages see only app_int.h. */
#ifndef HEARTH_APP_SERVER_INT_H
#define HEARTH_APP_SERVER_INT_H

#include "app_int.h"
#include "hearth_app.h"

#define APP_FORM_MAX_FIELDS 1000
#define APP_FORM_MAX_BYTES (1024 * 1024)

/** Decode an application/x-www-form-urlencoded body or query string (`len` bytes, not
 * NUL-terminated): '&'-separated name=value pairs, '+' for space, %XX escapes. Empty pairs are
 * skipped; a name without '=' has the value "". Every name and value must be UTF-8 without NUL
 * or other control characters but tab, LF and CR; more than APP_FORM_MAX_FIELDS fields is
 * refused. *out (free with app_fields_free) and *n. HEARTH_EUSAGE for a bad body. */
int app_form_decode(app_field **out, int *n, const char *s, size_t len);
void app_fields_free(app_field *f, int n);

/** Append `s` with &, <, >, " and ' escaped for HTML text and attribute values. */
int app_html_escape(hearth_buf *out, const char *s);

/* ---- accounts and sessions (auth.c) ---- */

app_role app_role_parse(const char *role);
const char *app_role_name(app_role role);

/** Check a sign-in: 0 with *role set if `name` and `password` match, HEARTH_EDENIED if not
 * (the same work either way: no one learns which names exist). */
int app_login_check(hearth_db *db, const char *name, const char *password, app_role *role);

#define APP_TOKEN_TEXT 44 /* base64url of 32 bytes, no padding, and a NUL */
#define APP_CSRF_TEXT 65  /* hex of 32 bytes and a NUL */

typedef struct {
	char account[128];
	app_role role;
	char csrf[APP_CSRF_TEXT];
} app_session;

/** A new session for `account`: the cookie's token into `token`, the session into *out. */
int app_session_new(hearth_db *db, const char *account, app_role role, char token[APP_TOKEN_TEXT],
	app_session *out);
/** The live session of cookie `token`, touched (idle expiry from now); HEARTH_ENOTFOUND if
 * there is none or it was idle longer than `idle_ms` (then it is deleted). */
int app_session_get(hearth_db *db, const char *token, int64_t idle_ms, app_session *out);
/** End the session of `token` (nothing if none). */
int app_session_end(hearth_db *db, const char *token);

/* ---- TLS (tls.c) ---- */

/** The certificate and key to serve: read from the files, or made once and kept in `dir`
 * (app-cert.pem, app-key.pem, the key readable by its owner only). PEM text into `cert` and
 * `key`, the SHA-256 fingerprint into `fp` (96 bytes), *made = 1 if made now. */
int app_tls_load(hearth_buf *cert, hearth_buf *key, char fp[96], int *made, const char *dir,
	const char *cert_file, const char *key_file);

/* ---- the server's own pages (account_pages.c) ---- */

/** The sign-in page (`error`: a message to show, or NULL), status 200 or as given. */
int app_page_login(app_resp *out, const app_req *r, const char *error, int status);
/** The accounts page for an admin; `message` (a result to show) may be NULL. */
int app_page_users(app_resp *out, const app_req *r, const char *message, int status);
/** POST /admin/users/add|passwd|remove: 303 to the page, or 422 with the reason. */
int app_page_users_post(app_resp *out, const app_req *r);
/** An error page with one line. */
int app_page_error(app_resp *out, const app_req *r, int status, const char *message);

#endif
