/*
 * The pages people read most (today, the lists, a row's view), kept as rendered until the
 * node's database changes. Each entry is keyed by everything a page depends on besides the
 * data: its path and query, the account, its role, its session's form token, the language. The
 * database's change mark is SQLite's data_version read on a handle of the cache's own that
 * never writes: it moves with every commit of any other connection, the server's own handles
 * and other processes alike (a `hearth exec`, a sync from the command line). The mark is read
 * before a page is rendered, so an entry can only be newer than its mark, never older: a write
 * acknowledged before a request began is always in the page that request gets.
 *
 * Pages also show the clock (how long ago the last sync was, the day's date): an entry lives
 * at most APP_CACHE_TICK_MS of wall time, on boundaries of that step (so never across a day).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "server_int.h"

#define CACHE_SLOTS 64
#define CACHE_FILLING 16       /* pages being rendered at once that others may wait for */
#define CACHE_WAIT_MS 2000     /* the longest a request waits for another's rendering */
#define CACHE_BODY_MAX (1024 * 1024) /* a larger page is rendered for each request */

typedef struct {
	char *key;         /* NULL: free */
	app_cache_mark mark;
	int status;
	hearth_buf body;
	uint64_t used;     /* for the least recently used */
} cache_entry;

/* A page one request is rendering: requests for the same page and mark wait for it rather
 * than render it again (when a step of the clock ends, every open connection asks at once). */
typedef struct {
	char *key;         /* NULL: free */
	app_cache_mark mark;
} cache_filling;

struct app_cache {
	pthread_mutex_t lock;
	pthread_cond_t filled; /* a filling entry was released */
	cache_filling filling[CACHE_FILLING];
	sqlite3 *watch;    /* reads data_version only */
	sqlite3_stmt *version;
	uint64_t clock;
	uint64_t rendered; /* app_cache_rendered() */
	cache_entry e[CACHE_SLOTS];
};

int app_cache_new(app_cache **out, hearth_db *db)
{
	const char *path = sqlite3_db_filename(hearth_db_sqlite(db), "main");
	app_cache *c;
	int rc, i;

	*out = NULL;
	if (!(c = calloc(1, sizeof(*c))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	/* a plain connection to the same file: it only reads a pragma, so neither the node's
	 * schema nor its functions are needed (and the server starts sooner) */
	if (sqlite3_open_v2(path ? path : "", &c->watch, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
		    NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(c->watch, 30000) != SQLITE_OK ||
	    sqlite3_prepare_v3(c->watch, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
		    &c->version, NULL) != SQLITE_OK) {
		rc = hearth_error_sqlite(c->watch, HEARTH_ERROR,
			_("cannot read the database's change mark"));
		sqlite3_close(c->watch);
		free(c);
		return rc;
	}
	for (i = 0; i < CACHE_SLOTS; i++)
		hearth_buf_init(&c->e[i].body, 0);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->filled, NULL);
	*out = c;
	return 0;
}

void app_cache_free(app_cache *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < CACHE_SLOTS; i++) {
		free(c->e[i].key);
		hearth_buf_dispose(&c->e[i].body);
	}
	sqlite3_finalize(c->version);
	sqlite3_close(c->watch);
	for (i = 0; i < CACHE_FILLING; i++)
		free(c->filling[i].key);
	pthread_cond_destroy(&c->filled);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int app_cache_mark_now(app_cache *c, app_cache_mark *m)
{
	int rc = 0;

	/* the clock first: a page rendered after both were read is at least this new */
	m->tick = (int64_t)(hearth_time_now_ms() / APP_CACHE_TICK_MS);
	pthread_mutex_lock(&c->lock);
	if (sqlite3_step(c->version) == SQLITE_ROW)
		m->version = sqlite3_column_int64(c->version, 0);
	else
		rc = hearth_error_sqlite(c->watch, HEARTH_ERROR,
			_("cannot read the database's change mark"));
	sqlite3_reset(c->version);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static int key_field(hearth_buf *k, const char *what, const char *s)
{
	/* lengths first: no value can pass for another's boundary */
	return hearth_buf_printf(k, "%s%zu:%s", what, s ? strlen(s) : 0, s ? s : "");
}

int app_cache_key(hearth_buf *k, const app_req *r)
{
	int rc = key_field(k, "p", r->path), i;

	if (rc == 0)
		rc = key_field(k, "l", r->lang);
	if (rc == 0)
		rc = key_field(k, "u", r->user);
	if (rc == 0)
		rc = key_field(k, "c", r->csrf);
	if (rc == 0)
		rc = hearth_buf_printf(k, "r%d:t%d", (int)r->role, r->large_text);
	for (i = 0; rc == 0 && i < r->nquery; i++) {
		rc = key_field(k, "n", r->query[i].name);
		if (rc == 0)
			rc = key_field(k, "v", r->query[i].value);
	}
	return rc;
}

static int same(const app_cache_mark *a, const app_cache_mark *b)
{
	return a->version == b->version && a->tick == b->tick;
}

int app_cache_get(app_cache *c, const char *key, const app_cache_mark *m, app_resp *out)
{
	int i, rc = 0;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < CACHE_SLOTS; i++) {
		cache_entry *e = &c->e[i];
		if (!e->key || !same(&e->mark, m) || strcmp(e->key, key) != 0)
			continue;
		hearth_buf_clear(&out->body);
		if (hearth_buf_put(&out->body, e->body.ptr, e->body.size) == 0) {
			out->status = e->status;
			e->used = ++c->clock;
			rc = 1;
		}
		break;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void app_cache_put(app_cache *c, const char *key, const app_cache_mark *m, const app_resp *resp)
{
	cache_entry *e = NULL;
	char *k;
	int i;

	if (resp->body.size > CACHE_BODY_MAX || !(k = strdup(key)))
		return;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < CACHE_SLOTS; i++) {
		cache_entry *x = &c->e[i];
		if (x->key && strcmp(x->key, key) == 0) {
			e = x;
			break;
		}
		/* a free slot, else one left by an older mark or tick, else the least used */
		if (!e || (e->key && (!x->key || !same(&x->mark, m) ||
				(same(&e->mark, m) && x->used < e->used))))
			e = x;
	}
	hearth_buf_clear(&e->body);
	if (hearth_buf_put(&e->body, resp->body.ptr, resp->body.size) < 0) {
		free(e->key);
		e->key = NULL;
		free(k);
	} else {
		free(e->key);
		e->key = k;
		e->mark = *m;
		e->status = resp->status;
		e->used = ++c->clock;
	}
	pthread_mutex_unlock(&c->lock);
}

/* The pages kept until the data changes: today, the lists and a row's view (what people
 * read most); never a form (it is filled from the query) nor a page the server answers. */
static int cacheable(const char *path)
{
	const char *slash;

	if (strcmp(path, "/") == 0)
		return 1;
	if (strncmp(path, "/t/", 3) != 0)
		return 0;
	slash = strchr(path + 3, '/');
	return !slash || strcmp(slash, "/view") == 0;
}

static cache_filling *filling_find(app_cache *c, const char *key, const app_cache_mark *m)
{
	int i;

	for (i = 0; i < CACHE_FILLING; i++)
		if (c->filling[i].key && same(&c->filling[i].mark, m) &&
		    strcmp(c->filling[i].key, key) == 0)
			return &c->filling[i];
	return NULL;
}

/* Either waits (at most CACHE_WAIT_MS) while another request renders this page at this mark
 * and returns NULL, or claims the rendering and returns the claim (NULL too when every claim is
 * taken or memory is short: the page is then rendered without one). */
static cache_filling *filling_claim(app_cache *c, const char *key, const app_cache_mark *m)
{
	cache_filling *f = NULL;
	struct timespec until;
	int i;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += CACHE_WAIT_MS / 1000;
	pthread_mutex_lock(&c->lock);
	if (filling_find(c, key, m)) {
		while (filling_find(c, key, m) &&
		       pthread_cond_timedwait(&c->filled, &c->lock, &until) == 0)
			;
		pthread_mutex_unlock(&c->lock);
		return NULL;
	}
	for (i = 0; i < CACHE_FILLING && !f; i++)
		if (!c->filling[i].key && (c->filling[i].key = strdup(key))) {
			f = &c->filling[i];
			f->mark = *m;
		}
	pthread_mutex_unlock(&c->lock);
	return f;
}

static void filling_release(app_cache *c, cache_filling *f)
{
	pthread_mutex_lock(&c->lock);
	free(f->key);
	f->key = NULL;
	pthread_cond_broadcast(&c->filled);
	pthread_mutex_unlock(&c->lock);
}

uint64_t app_cache_rendered(app_cache *c)
{
	return __atomic_load_n(&c->rendered, __ATOMIC_RELAXED);
}

/* A kept page if the data and the clock's step are those it was made at, else the page
 * rendered now (and kept); any other page is rendered. A request that finds the same page
 * being rendered at the same mark waits for it (or renders it itself after CACHE_WAIT_MS):
 * the same mark means no commit came between, so that page is as new as its own would be.
 * Without a mark (the database did not answer) the page is rendered and not kept. */
int app_cache_page(app_cache *c, const app_req *r, app_resp *out)
{
	hearth_buf key = HEARTH_BUF_INIT;
	cache_filling *claim = NULL;
	app_cache_mark m;
	int rc, keep;

	if (!cacheable(r->path))
		return app_pages_handle(r, out);
	keep = app_cache_mark_now(c, &m) == 0 && app_cache_key(&key, r) == 0;
	hearth_error_clear();
	if (keep && (app_cache_get(c, key.ptr, &m, out) ||
		     (!(claim = filling_claim(c, key.ptr, &m)) &&
			     app_cache_get(c, key.ptr, &m, out)))) {
		hearth_buf_dispose(&key);
		return 1;
	}
	rc = app_pages_handle(r, out);
	if (keep)
		__atomic_fetch_add(&c->rendered, 1, __ATOMIC_RELAXED);
	if (keep && rc == 1 && out->status == 200 && !out->location && !out->content_type)
		app_cache_put(c, key.ptr, &m, out);
	if (claim)
		filling_release(c, claim);
	hearth_buf_dispose(&key);
	return rc;
}
