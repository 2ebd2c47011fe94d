/*
 * The HTTP side of `hearth serve`: libmicrohttpd, one thread per connection, a pool of open
 * database handles (opened at the start, one per request in flight; a busy wait in short steps
 * makes a request wait for another's write or a running sync rather than fail), sessions and
 * CSRF checked before any page runs, the security headers on every answer, one log line per
 * request. What people see is in the pages (pages*.c) and, for the sign-in and accounts,
 * account_pages.c.
 */
#include <arpa/inet.h>
#include <locale.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/i18n.h"
#include "server_int.h"

#define THROTTLE_FREE 5       /* failed sign-ins of an account before any delay */
#define THROTTLE_FREE_ADDR 20 /* of an address (people behind one router share it) */
#define THROTTLE_SLOTS 512    /* accounts and addresses remembered */
#define THROTTLE_MAX_MS (15 * 60 * 1000)
#define HASHING_MAX 2         /* Argon2id runs at once (64 MiB each) */
#define SESSION_COOKIE "hearth_session"
#define LANG_COOKIE "hearth_lang"
#define LARGE_COOKIE "hearth_large" /* 长辈版: "1" for larger type */
#define POOL_OPEN 16          /* database handles opened before the first connection */

typedef struct {
	char key[96]; /* "a:NAME" or "i:ADDRESS" */
	int failures;
	int64_t last_ms;
} throttle_slot;

struct hearth_app_server {
	struct MHD_Daemon *daemon;
	char *dir;
	int tls, cert_made;
	int64_t idle_ms, throttle_ms;
	void (*log)(const char *line, void *payload);
	void *payload;
	hearth_buf cert, key;
	char fingerprint[96];
	char url[160];
	locale_t loc_zh, loc_en;
	pthread_mutex_t lock;
	pthread_cond_t hashing_done;
	int hashing;
	hearth_db **pool; /* idle handles */
	int npool, cap;
	app_cache *cache; /* pages kept until the data changes */
	app_ckpt *ckpt;   /* the WAL's checkpoints, off the request path */
	throttle_slot slots[THROTTLE_SLOTS];
};

/* ---- the pool of database handles -------------------------------------------------------- */

static hearth_db *pool_take(hearth_app_server *s)
{
	hearth_db *db = NULL;

	pthread_mutex_lock(&s->lock);
	if (s->npool > 0)
		db = s->pool[--s->npool];
	pthread_mutex_unlock(&s->lock);
	if (!db && app_db_open(&db, s->dir, s->ckpt) < 0)
		return NULL;
	return db;
}

static void pool_give(hearth_app_server *s, hearth_db *db)
{
	sqlite3_stmt *st;

	/* no read transaction outlives its request: a kept statement left stepping would keep
	 * the handle on an old snapshot, and the next page (and the cache) would show old data */
	for (st = sqlite3_next_stmt(hearth_db_sqlite(db), NULL); st;
	     st = sqlite3_next_stmt(hearth_db_sqlite(db), st))
		sqlite3_reset(st);
	hearth_db_set_author(db, NULL);
	pthread_mutex_lock(&s->lock);
	if (s->npool == s->cap) {
		int ncap = s->cap ? s->cap * 2 : 16;
		hearth_db **n = realloc(s->pool, (size_t)ncap * sizeof(*n));
		if (n) {
			s->pool = n;
			s->cap = ncap;
		}
	}
	if (s->npool < s->cap) {
		s->pool[s->npool++] = db;
		db = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	hearth_db_free(db);
}

/* ---- failed sign-ins --------------------------------------------------------------------- */

static throttle_slot *slot_find(hearth_app_server *s, const char *key, int create, int64_t now)
{
	throttle_slot *oldest = &s->slots[0];
	int i;

	for (i = 0; i < THROTTLE_SLOTS; i++) {
		if (s->slots[i].key[0] && strcmp(s->slots[i].key, key) == 0)
			return &s->slots[i];
		if (s->slots[i].last_ms < oldest->last_ms)
			oldest = &s->slots[i];
	}
	if (!create)
		return NULL;
	/* full: forget the quietest (an attacker filling the table only forgets himself sooner
	 * than an account he keeps failing on) */
	snprintf(oldest->key, sizeof(oldest->key), "%s", key);
	oldest->failures = 0;
	oldest->last_ms = now;
	return oldest;
}

/* Milliseconds until `key` may try again (0: now). */
static int64_t throttle_wait(hearth_app_server *s, const char *key, int64_t now)
{
	throttle_slot *t = slot_find(s, key, 0, now);
	int64_t delay;
	int over;

	int free_tries = key[0] == 'i' ? THROTTLE_FREE_ADDR : THROTTLE_FREE;

	if (!t || t->failures < free_tries)
		return 0;
	over = t->failures - free_tries;
	delay = over > 20 ? THROTTLE_MAX_MS : s->throttle_ms << over;
	if (delay > THROTTLE_MAX_MS)
		delay = THROTTLE_MAX_MS;
	return t->last_ms + delay > now ? t->last_ms + delay - now : 0;
}

static void throttle_note(hearth_app_server *s, const char *key, int failed, int64_t now)
{
	throttle_slot *t = slot_find(s, key, failed, now);

	if (!t)
		return;
	if (!failed) {
		t->key[0] = '\0';
		t->failures = 0;
		t->last_ms = 0;
		return;
	}
	/* failures long ago are forgiven */
	if (now - t->last_ms > THROTTLE_MAX_MS)
		t->failures = 0;
	t->failures++;
	t->last_ms = now;
}

/* ---- one request ------------------------------------------------------------------------- */

typedef struct {
	hearth_buf body;
	int too_big;
	struct timespec start;
} conn_state;

typedef struct {
	app_field *f;
	int n, cap, oom;
} field_vec;

typedef struct {
	app_resp resp;
	char cookies[4][256];
	int ncookies;
	int cache; /* may be cached (the stylesheet) */
} reply;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
	const char *value)
{
	field_vec *v = cls;

	if (v->n == v->cap) {
		int ncap = v->cap ? v->cap * 2 : 8;
		app_field *n = ncap > APP_FORM_MAX_FIELDS ? NULL : realloc(v->f, (size_t)ncap * sizeof(*n));
		if (!n) {
			v->oom = 1;
			return MHD_NO;
		}
		v->f = n;
		v->cap = ncap;
	}
	v->f[v->n].name = strdup(key ? key : "");
	v->f[v->n].value = strdup(value ? value : "");
	if (!v->f[v->n].name || !v->f[v->n].value) {
		free(v->f[v->n].name);
		free(v->f[v->n].value);
		v->oom = 1;
		return MHD_NO;
	}
	v->n++;
	return MHD_YES;
}

/* A cookie for this site only: `attrs` after the value ("; HttpOnly; SameSite=Strict..."). */
static void add_cookie(reply *rp, const char *name, const char *value, const char *attrs,
	int secure)
{
	if (rp->ncookies < 4)
		snprintf(rp->cookies[rp->ncookies++], sizeof(rp->cookies[0]), "%s=%s; Path=/%s%s",
			name, value, attrs, secure ? "; Secure" : "");
}

#define SESSION_ATTRS "; HttpOnly; SameSite=Strict"
#define SESSION_GONE "; HttpOnly; SameSite=Strict; Max-Age=0"

static int64_t ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int redirect(app_resp *out, const char *where)
{
	out->status = 303;
	if (!(out->location = strdup(where)))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	return 1;
}

/* The paths the pages answer (app_int.h): anything else is 404 before any session check. */
static int page_route(const char *path)
{
	const char *t, *slash;

	if (strcmp(path, "/") == 0 || strcmp(path, "/sync") == 0 || strcmp(path, "/app.css") == 0)
		return 1;
	/* the office's pages (app/pages_office.c), the hospital's checks (app/pages_checks.c) */
	if (strcmp(path, "/conflicts") == 0 || strcmp(path, "/conflicts/resolve") == 0 ||
	    strcmp(path, "/quarantine") == 0 || strcmp(path, "/checks") == 0)
		return 1;
	/* publishing and the purge (app/pages_publish.c), the USB stick (app/pages_stick.c) */
	if (strcmp(path, "/publish") == 0 || strcmp(path, "/purge") == 0 ||
	    strcmp(path, "/stick") == 0 || strncmp(path, "/site/", 6) == 0)
		return 1;
	if (strncmp(path, "/t/", 3) != 0)
		return 0;
	t = path + 3;
	if (!*t || *t == '/')
		return 0;
	if (!(slash = strchr(t, '/')))
		return 1;
	return strcmp(slash, "/new") == 0 || strcmp(slash, "/view") == 0 ||
		strcmp(slash, "/edit") == 0 || strcmp(slash, "/delete") == 0 ||
		strcmp(slash, "/assign") == 0 || strcmp(slash, "/search") == 0;
}

/* A POST that only reads: a list's search (app/pages_list.c), open to a viewer. */
static int post_reads(const char *path)
{
	size_t n = strlen(path);

	return strncmp(path, "/t/", 3) == 0 && n > 7 && strcmp(path + n - 7, "/search") == 0;
}

static int csrf_ok(const app_req *r, const app_session *ses)
{
	const char *given = app_form_get(r, "csrf");

	return given && strlen(given) == strlen(ses->csrf) &&
		sodium_memcmp(given, ses->csrf, strlen(ses->csrf)) == 0;
}

static void hashing_enter(hearth_app_server *s)
{
	pthread_mutex_lock(&s->lock);
	while (s->hashing >= HASHING_MAX)
		pthread_cond_wait(&s->hashing_done, &s->lock);
	s->hashing++;
	pthread_mutex_unlock(&s->lock);
}

static void hashing_leave(hearth_app_server *s)
{
	pthread_mutex_lock(&s->lock);
	s->hashing--;
	pthread_cond_signal(&s->hashing_done);
	pthread_mutex_unlock(&s->lock);
}

static int login_post(hearth_app_server *s, app_req *r, reply *rp, const char *addr)
{
	const char *name = app_form_get(r, "name"), *pw = app_form_get(r, "password");
	char akey[96], ikey[96], token[APP_TOKEN_TEXT];
	int64_t now = (int64_t)hearth_time_now_ms(), wait;
	app_session ses;
	app_role role;
	int rc;

	if (!name || !pw || !*name)
		return app_page_login(&rp->resp, r, _("enter your account name and password"), 422);
	snprintf(akey, sizeof(akey), "a:%.90s", name);
	snprintf(ikey, sizeof(ikey), "i:%.90s", addr);
	pthread_mutex_lock(&s->lock);
	wait = throttle_wait(s, akey, now);
	if (throttle_wait(s, ikey, now) > wait)
		wait = throttle_wait(s, ikey, now);
	pthread_mutex_unlock(&s->lock);
	if (wait > 0) {
		char msg[256];
		long secs = (long)((wait + 999) / 1000);
		snprintf(msg, sizeof(msg),
			P_("too many failed sign-ins: try again in %ld second",
				"too many failed sign-ins: try again in %ld seconds", secs),
			secs);
		return app_page_login(&rp->resp, r, msg, 429);
	}
	hashing_enter(s);
	rc = app_login_check(r->db, name, pw, &role);
	hashing_leave(s);
	pthread_mutex_lock(&s->lock);
	throttle_note(s, akey, rc == HEARTH_EDENIED, now);
	throttle_note(s, ikey, rc == HEARTH_EDENIED, now);
	pthread_mutex_unlock(&s->lock);
	if (rc == HEARTH_EDENIED)
		return app_page_login(&rp->resp, r, _("wrong account name or password"), 403);
	if (rc < 0 || (rc = app_session_new(r->db, name, role, token, &ses)) < 0)
		return rc;
	add_cookie(rp, SESSION_COOKIE, token, SESSION_ATTRS, s->tls);
	return redirect(&rp->resp, "/");
}

/* Everything the server answers itself, then the pages. 1 answered, 0 not found, <0 error. */
static int route(hearth_app_server *s, app_req *r, reply *rp, const char *addr,
	const char *token, app_session *ses)
{
	int is_post = strcmp(r->method, "POST") == 0;
	int rc, has_session;

	if (strcmp(r->path, "/login") == 0) {
		if (is_post)
			return login_post(s, r, rp, addr);
		return app_page_login(&rp->resp, r, NULL, 200);
	}
	if (strcmp(r->path, "/logout") != 0 && strcmp(r->path, "/admin/users") != 0 &&
	    strncmp(r->path, "/admin/users/", 13) != 0 && !page_route(r->path))
		return 0;
	if (strcmp(r->path, "/app.css") == 0)
		return app_pages_handle(r, &rp->resp);
	rc = app_session_get(r->db, token, s->idle_ms, ses);
	if (rc < 0 && rc != HEARTH_ENOTFOUND)
		return rc;
	has_session = rc == 0;
	if (!has_session) {
		if (token)
			add_cookie(rp, SESSION_COOKIE, "", SESSION_GONE, s->tls);
		if (is_post)
			return app_page_error(&rp->resp, r, 403,
				_("your session has ended: sign in again (nothing was saved)"));
		return redirect(&rp->resp, "/login");
	}
	r->user = ses->account;
	r->role = ses->role;
	r->csrf = ses->csrf;
	if (is_post && !csrf_ok(r, ses))
		return app_page_error(&rp->resp, r, 403,
			_("this form is out of date: open the page again (nothing was saved)"));
	if (strcmp(r->path, "/logout") == 0) {
		if (!is_post)
			return 0;
		if ((rc = app_session_end(r->db, token)) < 0)
			return rc;
		add_cookie(rp, SESSION_COOKIE, "", SESSION_GONE, s->tls);
		return redirect(&rp->resp, "/login");
	}
	if (strncmp(r->path, "/admin/users", 12) == 0) {
		if (r->role != APP_ROLE_ADMIN)
			return app_page_error(&rp->resp, r, 403,
				_("only an admin may manage accounts"));
		if (!is_post)
			return strcmp(r->path, "/admin/users") == 0
				? app_page_users(&rp->resp, r, NULL, 200)
				: 0;
		return app_page_users_post(&rp->resp, r);
	}
	if (is_post && r->role == APP_ROLE_VIEWER && !post_reads(r->path))
		return app_page_error(&rp->resp, r, 403,
			_("your account may only read: nothing was saved"));
	if ((rc = hearth_db_set_author(r->db, r->user)) < 0)
		return rc;
	if (!is_post)
		return app_cache_page(s->cache, r, &rp->resp);
	r->queue = s->ckpt; /* the forms' writes one at a time, in order (checkpoint.c) */
	return app_pages_handle(r, &rp->resp);
}

static const char *pick_lang(struct MHD_Connection *c, reply *rp)
{
	const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
	const char *k = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, LANG_COOKIE);

	if (q && (strcmp(q, "en") == 0 || strcmp(q, "zh") == 0)) {
		add_cookie(rp, LANG_COOKIE, strcmp(q, "en") == 0 ? "en" : "zh",
			"; SameSite=Strict; Max-Age=31536000", 0);
		return strcmp(q, "en") == 0 ? "en" : "zh";
	}
	return k && strcmp(k, "en") == 0 ? "en" : "zh";
}

/* 长辈版: `?large=1` or `?large=0` sets the cookie (no script needed), else the cookie says. */
static int pick_large(struct MHD_Connection *c, reply *rp)
{
	const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "large");
	const char *k = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, LARGE_COOKIE);

	if (q && (strcmp(q, "1") == 0 || strcmp(q, "0") == 0)) {
		add_cookie(rp, LARGE_COOKIE, q, "; SameSite=Strict; Max-Age=31536000", 0);
		return strcmp(q, "1") == 0;
	}
	return k && strcmp(k, "1") == 0;
}

static void client_addr(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, n, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			(socklen_t)n);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
			(socklen_t)n);
}

static enum MHD_Result send_reply(hearth_app_server *s, struct MHD_Connection *c, reply *rp)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;
	int i;

	resp = MHD_create_response_from_buffer(rp->resp.body.size, rp->resp.body.ptr,
		MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type",
		rp->resp.content_type ? rp->resp.content_type : "text/html; charset=utf-8");
	MHD_add_response_header(resp, "Content-Security-Policy",
		"default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cache-Control", rp->cache ? "max-age=300" : "no-store");
	if (s->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (rp->resp.location)
		MHD_add_response_header(resp, "Location", rp->resp.location);
	for (i = 0; i < rp->ncookies; i++)
		MHD_add_response_header(resp, "Set-Cookie", rp->cookies[i]);
	ok = MHD_queue_response(c, (unsigned int)rp->resp.status, resp);
	MHD_destroy_response(resp);
	return ok;
}

static int form_content_type(struct MHD_Connection *c)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");

	return !ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

static void log_line(hearth_app_server *s, const char *method, const char *path, int status,
	int64_t ms)
{
	char line[256];

	if (!s->log)
		return;
	/* the path only: a query string may hold what a person typed */
	snprintf(line, sizeof(line), "%s %.160s %d %lldms", method, path, status, (long long)ms);
	s->log(line, s->payload);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
	const char *method, const char *version, const char *upload, size_t *upload_size,
	void **con_cls)
{
	hearth_app_server *s = cls;
	conn_state *cs = *con_cls;
	field_vec q = { NULL, 0, 0, 0 };
	app_field *form = NULL;
	int nform = 0, rc;
	reply rp;
	app_req r;
	app_session ses;
	char addr[64];
	const char *token;
	locale_t old = (locale_t)0;
	enum MHD_Result ok;

	if (!cs) {
		if (!(cs = calloc(1, sizeof(*cs))))
			return MHD_NO;
		hearth_buf_init(&cs->body, APP_FORM_MAX_BYTES);
		clock_gettime(CLOCK_MONOTONIC, &cs->start);
		*con_cls = cs;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!cs->too_big && hearth_buf_put(&cs->body, upload, *upload_size) < 0)
			cs->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&rp, 0, sizeof(rp));
	memset(&r, 0, sizeof(r));
	hearth_buf_init(&rp.resp.body, 0);
	r.method = strcmp(method, "HEAD") == 0 ? "GET" : method;
	r.path = url;
	r.lang = pick_lang(c, &rp);
	r.large_text = pick_large(c, &rp);
	old = uselocale(strcmp(r.lang, "en") == 0 ? s->loc_en : s->loc_zh);
	hearth_error_clear();
	if (strcmp(r.method, "GET") != 0 && strcmp(r.method, "POST") != 0) {
		rc = app_page_error(&rp.resp, &r, 405, _("this address does not take that request"));
		goto answer;
	}
	if (cs->too_big) {
		rc = app_page_error(&rp.resp, &r, 413, _("the form is too large"));
		goto answer;
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
	if (q.oom) {
		rc = app_page_error(&rp.resp, &r, 400, _("the address is not well-formed"));
		goto answer;
	}
	r.query = q.f;
	r.nquery = q.n;
	if (strcmp(r.method, "POST") == 0) {
		if (!form_content_type(c)) {
			rc = app_page_error(&rp.resp, &r, 415, _("the form is not in a known encoding"));
			goto answer;
		}
		if (app_form_decode(&form, &nform, cs->body.ptr, cs->body.size) < 0) {
			rc = app_page_error(&rp.resp, &r, 400, hearth_error_last());
			goto answer;
		}
		r.form = form;
		r.nform = nform;
	}
	if (!(r.db = pool_take(s))) {
		rc = -1;
		goto answer;
	}
	client_addr(c, addr, sizeof(addr));
	token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, SESSION_COOKIE);
	rc = route(s, &r, &rp, addr, token && *token ? token : NULL, &ses);
	rp.cache = strcmp(url, "/app.css") == 0 && rc > 0 && rp.resp.status == 200;
	pool_give(s, r.db);
answer:
	if (rc == 0 || (rc > 0 && rp.resp.status == 0)) {
		free(rp.resp.location);
		rp.resp.location = NULL;
		hearth_buf_clear(&rp.resp.body);
		rc = app_page_error(&rp.resp, &r, 404, _("there is no such page"));
	}
	if (rc < 0) {
		free(rp.resp.location);
		rp.resp.location = NULL;
		hearth_buf_clear(&rp.resp.body);
		if (app_page_error(&rp.resp, &r, 500,
			    _("something went wrong: nothing was saved; try again")) < 0)
			rp.resp.status = 500;
	}
	ok = send_reply(s, c, &rp);
	log_line(s, method, url, rp.resp.status, ms_since(&cs->start));
	if (old)
		uselocale(old);
	free(rp.resp.location);
	hearth_buf_dispose(&rp.resp.body);
	app_fields_free(q.f, q.n);
	app_fields_free(form, nform);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
	enum MHD_RequestTerminationCode toe)
{
	conn_state *cs = *con_cls;

	if (cs) {
		hearth_buf_dispose(&cs->body);
		free(cs);
		*con_cls = NULL;
	}
}

/* ---- start and stop ---------------------------------------------------------------------- */

static int parse_listen(struct sockaddr_storage *ss, socklen_t *len, int *loopback,
	const char *listen)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	long port;
	char *end = NULL;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (!colon || colon == listen)
		goto bad;
	hl = (size_t)(colon - listen);
	if (listen[0] == '[' && colon[-1] == ']') {
		listen++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (!end || *end || end == colon + 1 || port < 0 || port > 65535)
		goto bad;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
		*loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		*loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
		return 0;
	}
bad:
	return hearth_error_set(HEARTH_EUSAGE,
		_("invalid listen address '%.100s': use ADDRESS:PORT, e.g. 0.0.0.0:8443"), listen);
}

int hearth_app_server_start(hearth_app_server **out, const hearth_app_options *opt)
{
	hearth_app_server *s = NULL;
	hearth_db *db = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	int loopback = 1, rc, i;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
	char host[64];

	*out = NULL;
	if ((rc = parse_listen(&ss, &sslen, &loopback, opt->listen ? opt->listen : "127.0.0.1:8080")) <
		0)
		return rc;
	if (!opt->cert_file != !opt->key_file)
		return hearth_error_set(HEARTH_EUSAGE, _("give both --cert and --key, or neither"));
	if (sodium_init() < 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot initialise libsodium"));
	/* the node must open (and migrate) before anyone is told where to go */
	if ((rc = hearth_db_open(&db, opt->dir)) < 0)
		return rc;
	if (!(s = calloc(1, sizeof(*s))) || !(s->dir = strdup(opt->dir))) {
		free(s);
		hearth_db_free(db);
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->hashing_done, NULL);
	hearth_buf_init(&s->cert, 0);
	hearth_buf_init(&s->key, 0);
	s->idle_ms = (int64_t)(opt->idle_seconds > 0 ? opt->idle_seconds : HEARTH_APP_IDLE_DEFAULT) *
		1000;
	s->throttle_ms = opt->throttle_ms > 0 ? opt->throttle_ms : 1000;
	/* sessions left to expire while the server was down go now */
	rc = hearth_sql_exec_i64(hearth_db_sqlite(db),
		"DELETE FROM hearth_app_session WHERE last_ms < ?1",
		(int64_t)hearth_time_now_ms() - s->idle_ms);
	if (rc == 0)
		rc = app_cache_new(&s->cache, db);
	if (rc == 0)
		rc = app_ckpt_start(&s->ckpt, db);
	if (rc == 0)
		app_db_ready(db, s->ckpt);
	pool_give(s, db);
	/* the handles of a busy moment are open and prepared before anyone is told where to go:
	 * no request pays for opening one (100-400 ms under load) */
	for (i = 1; rc == 0 && i < POOL_OPEN; i++)
		if ((rc = app_db_open(&db, s->dir, s->ckpt)) == 0)
			pool_give(s, db);
	if (rc < 0)
		goto fail;
	s->log = opt->log;
	s->payload = opt->payload;
	s->tls = opt->tls || opt->cert_file || (!loopback && !opt->insecure_http);
	/* messages per request: each thread takes the request's language with uselocale() */
	s->loc_zh = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, "zh_CN.UTF-8", (locale_t)0);
	s->loc_en = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!s->loc_en)
		s->loc_en = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (!s->loc_zh)
		s->loc_zh = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (!s->loc_zh || !s->loc_en) {
		rc = hearth_error_set(HEARTH_ERROR, _("cannot make the languages' locales"));
		goto fail;
	}
	if (s->tls && (rc = app_tls_load(&s->cert, &s->key, s->fingerprint, &s->cert_made, s->dir,
			       opt->cert_file, opt->key_file)) < 0)
		goto fail;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (s->tls)
		flags |= MHD_USE_TLS;
	s->daemon = s->tls
		? MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &ss,
			  MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
			  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
			  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)256,
			  MHD_OPTION_HTTPS_MEM_CERT, s->cert.ptr, MHD_OPTION_HTTPS_MEM_KEY, s->key.ptr,
			  MHD_OPTION_END)
		: MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &ss,
			  MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
			  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
			  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)256, MHD_OPTION_END);
	if (!s->daemon) {
		rc = hearth_error_set(HEARTH_ENET,
			_("cannot listen on '%.100s': the address is in use or not this machine's"),
			opt->listen ? opt->listen : "127.0.0.1:8080");
		goto fail;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
		snprintf(s->url, sizeof(s->url), "%s://[%s]:%u/", s->tls ? "https" : "http", host,
			info ? info->port : 0);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
		snprintf(s->url, sizeof(s->url), "%s://%s:%u/", s->tls ? "https" : "http", host,
			info ? info->port : 0);
	}
	*out = s;
	return 0;
fail:
	hearth_app_server_free(s);
	return rc;
}

const char *hearth_app_server_url(const hearth_app_server *s)
{
	return s->url;
}

const char *hearth_app_server_fingerprint(const hearth_app_server *s)
{
	return s->tls ? s->fingerprint : NULL;
}

int hearth_app_server_cert_new(const hearth_app_server *s)
{
	return s->cert_made;
}

void hearth_app_server_free(hearth_app_server *s)
{
	int i;

	if (!s)
		return;
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	app_ckpt_stop(s->ckpt);
	for (i = 0; i < s->npool; i++)
		hearth_db_free(s->pool[i]);
	free(s->pool);
	app_cache_free(s->cache);
	if (s->loc_zh)
		freelocale(s->loc_zh);
	if (s->loc_en)
		freelocale(s->loc_en);
	sodium_memzero(s->key.ptr, s->key.size);
	hearth_buf_dispose(&s->key);
	hearth_buf_dispose(&s->cert);
	pthread_cond_destroy(&s->hashing_done);
	pthread_mutex_destroy(&s->lock);
	free(s->dir);
	free(s);
}
