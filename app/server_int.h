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

/* ---- rendered pages kept until the data changes (cache.c) ---- */

#define APP_CACHE_TICK_MS 10000 /* a kept page is never older than this on the wall clock */

typedef struct app_cache app_cache;

/** What a kept page was made from: the database's change mark and the wall clock's step. */
typedef struct {
	int64_t version, tick;
} app_cache_mark;

/** A cache for the node whose database `db` has open (the cache opens a connection of its own
 * to the same file, and never writes on it). */
int app_cache_new(app_cache **out, hearth_db *db);
void app_cache_free(app_cache *c);
/** The mark now: read it before the page is rendered. */
int app_cache_mark_now(app_cache *c, app_cache_mark *m);
/** The key of the page `r` asks for: path, query, account, role, form token, language. */
int app_cache_key(hearth_buf *key, const app_req *r);
/** 1 and the kept page's status and body in `out` if `key` was kept at mark `m`, else 0. */
int app_cache_get(app_cache *c, const char *key, const app_cache_mark *m, app_resp *out);
/** Keep a rendered page (a 200 of HTML, at most 1 MiB) under `key`, made at mark `m`. */
void app_cache_put(app_cache *c, const char *key, const app_cache_mark *m, const app_resp *resp);
/** A GET of the pages (app_pages_handle's contract): today, the lists and a row's view from
 * the cache while the data and the clock's step are unchanged; any other page rendered. */
int app_cache_page(app_cache *c, const app_req *r, app_resp *out);
/** How many pages app_cache_page() has rendered to keep: a request answered from the cache,
 * or by waiting for another's rendering of the same page, adds none (the tests see the single
 * rendering in it). */
uint64_t app_cache_rendered(app_cache *c);

/* ---- the WAL's checkpoints, off the request path (checkpoint.c) ---- */

#define APP_CKPT_PAGES 1000         /* the WAL copied into the database each time it grew so */
#define APP_CKPT_RESTART_PAGES 4000 /* the WAL restarted once it holds this many pages */
#define APP_CKPT_SLOTS 64           /* writes waiting their turn, each woken alone */
#define APP_CKPT_BUSY_MS 20         /* the restart waits this long for another process's lock */

/** Start the checkpointer of the node whose database `db` has open (a connection and a thread
 * of its own). */
int app_ckpt_start(app_ckpt **out, hearth_db *db);
/** Stop its thread (the stop waits at most for a checkpoint running), close and free (NULL:
 * none). Call it when no request runs. */
void app_ckpt_stop(app_ckpt *c);
/** The server's handle `db` never checkpoints: its commits tell `c` the WAL's size. */
void app_ckpt_attach(app_ckpt *c, hearth_db *db);
/* app_ckpt_enter and app_ckpt_leave (app_int.h), around a form's write: enter waits for its
 * turn (the writes before it, and the WAL's restart if the checkpointer came first), leave
 * gives the turn on. */

/* ---- the server's database handles (db_open.c) ---- */

#define APP_BUSY_TIMEOUT_MS 30000 /* a request waits this long for the write lock (as core) */

/** Make an open handle ready for requests: a busy wait that tries again after 1 ms growing to
 * 10 ms (up to APP_BUSY_TIMEOUT_MS), its checkpoints left to `ck`, the session lookup and the
 * start page's queries prepared. A failure while preparing is left to the request that meets
 * it. */
void app_db_ready(hearth_db *db, app_ckpt *ck);
/** hearth_db_open() of the node in `dir`, then app_db_ready(). */
int app_db_open(hearth_db **out, const char *dir, app_ckpt *ck);

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
