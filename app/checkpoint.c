/*
 * The server's WAL checkpoints, off the request path. The server's handles never checkpoint
 * (their WAL hook replaces SQLite's autocheckpoint): their commits only tell the WAL's size
 * here. A thread of its own copies the WAL into the database (PASSIVE: no writer waits for it)
 * each time the WAL grew by APP_CKPT_PAGES, and once the WAL holds APP_CKPT_RESTART_PAGES it
 * takes its turn in the forms' queue and restarts the WAL from its beginning (RESTART): what
 * is left to copy then is only what came since the last copy, so the writes behind it wait a
 * few ms, and the WAL stays bounded however steady the stream of writes.
 *
 * The queue: the forms' writes (a POST under /t/) run one at a time, in the order they came
 * (a ticket each, the next one woken alone). Left to SQLite's lock, 16 writers polled it in
 * sleeps and the unlucky ones waited on; in order, none waits for more than the writes ahead.
 * Another process's writes (the CLI, a sync) still checkpoint on their own commits as before.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "server_int.h"

struct app_ckpt {
	sqlite3 *h;    /* the checkpointer's own connection */
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t wake;   /* the WAL grew past `due`, or stop */
	/* the forms' writes one at a time, in the order they came, and the WAL's restart: a
	 * ticket each, the turn passed on by the condition of the next ticket's slot */
	pthread_cond_t turn[APP_CKPT_SLOTS];
	uint64_t next, serving;
	int stop;
	int pages, due;        /* the WAL's pages at the last commit; checkpoint at `due` */
	struct timespec busy_since;
};

static void deadline_in(struct timespec *t, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += (time_t)(ms / 1000);
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static int64_t ms_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* A commit of one of the server's handles: the WAL's size, and the thread woken when due. */
static int on_commit(void *payload, sqlite3 *h, const char *name, int pages)
{
	app_ckpt *c = payload;

	pthread_mutex_lock(&c->lock);
	if (pages < c->pages) /* the WAL began again from its start */
		c->due = APP_CKPT_PAGES;
	c->pages = pages;
	if (pages >= c->due)
		pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	return SQLITE_OK;
}

/* The checkpointer waits for the write lock and for readers at most APP_CKPT_BUSY_MS: another
 * process's long write (a sync) is not waited out, the restart is tried again later. */
static int busy_short(void *payload, int count)
{
	app_ckpt *c = payload;
	struct timespec now, nap = { 0, 200000L };

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (count == 0)
		c->busy_since = now;
	if (ms_between(&c->busy_since, &now) >= APP_CKPT_BUSY_MS)
		return 0;
	nanosleep(&nap, NULL);
	return 1;
}

/* Wait for this thread's turn (a ticket, served in order). */
static void turn_take(app_ckpt *c)
{
	uint64_t mine;

	pthread_mutex_lock(&c->lock);
	mine = c->next++;
	while (c->serving != mine)
		pthread_cond_wait(&c->turn[mine % APP_CKPT_SLOTS], &c->lock);
	pthread_mutex_unlock(&c->lock);
}

/* Give the turn to the next ticket (more waiting than slots: some wake and wait again). */
static void turn_pass(app_ckpt *c)
{
	pthread_mutex_lock(&c->lock);
	c->serving++;
	pthread_cond_broadcast(&c->turn[c->serving % APP_CKPT_SLOTS]);
	pthread_mutex_unlock(&c->lock);
}

/* One round: copy what the WAL holds, and restart it once it is long. */
static void checkpoint(app_ckpt *c)
{
	int log = 0, done = 0, rc;

	rc = sqlite3_wal_checkpoint_v2(c->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	pthread_mutex_lock(&c->lock);
	/* busy: another process's checkpoint runs; tried again a quarter of the way on */
	if (rc == SQLITE_OK && log < 0)
		rc = SQLITE_ERROR; /* the connection had not read the WAL yet */
	c->due = rc == SQLITE_OK ? log + APP_CKPT_PAGES : c->pages + APP_CKPT_PAGES / 4;
	pthread_mutex_unlock(&c->lock);
	if (rc != SQLITE_OK || log < APP_CKPT_RESTART_PAGES)
		return;
	/* the write running ends first; the writes after it wait for the restart */
	turn_take(c);
	rc = sqlite3_wal_checkpoint_v2(c->h, NULL, SQLITE_CHECKPOINT_RESTART, &log, &done);
	turn_pass(c);
	pthread_mutex_lock(&c->lock);
	if (rc == SQLITE_OK) {
		c->due = APP_CKPT_PAGES;
		c->pages = 0;
	}
	pthread_mutex_unlock(&c->lock);
}

static void *run(void *payload)
{
	app_ckpt *c = payload;
	struct timespec until;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		if (c->pages < c->due) {
			/* a second's wait at most: the stop is seen at once, through `wake` */
			deadline_in(&until, 1000);
			pthread_cond_timedwait(&c->wake, &c->lock, &until);
			continue;
		}
		pthread_mutex_unlock(&c->lock);
		checkpoint(c);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int app_ckpt_start(app_ckpt **out, hearth_db *db)
{
	const char *path = sqlite3_db_filename(hearth_db_sqlite(db), "main");
	pthread_condattr_t ca;
	app_ckpt *c;
	int rc, i;

	*out = NULL;
	if (!(c = calloc(1, sizeof(*c))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	c->due = APP_CKPT_PAGES;
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the waits' deadlines are on it */
	pthread_cond_init(&c->wake, &ca);
	for (i = 0; i < APP_CKPT_SLOTS; i++)
		pthread_cond_init(&c->turn[i], &ca);
	pthread_condattr_destroy(&ca);
	/* a plain connection: it only checkpoints, and never checkpoints when it closes (the
	 * server's stop is not made to wait for one) */
	if (sqlite3_open_v2(path ? path : "", &c->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
		    NULL) != SQLITE_OK ||
	    sqlite3_db_config(c->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) != SQLITE_OK ||
	    sqlite3_busy_handler(c->h, busy_short, c) != SQLITE_OK ||
	    /* one read, and the connection knows the WAL (a checkpoint before it does nothing) */
	    sqlite3_exec(c->h, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) !=
		    SQLITE_OK) {
		rc = hearth_error_sqlite(c->h, HEARTH_ERROR, _("cannot open database"));
		app_ckpt_stop(c);
		return rc;
	}
	if (pthread_create(&c->thread, NULL, run, c) != 0) {
		app_ckpt_stop(c);
		return hearth_error_set(HEARTH_ERROR, _("cannot start the checkpoint thread"));
	}
	c->started = 1;
	*out = c;
	return 0;
}

void app_ckpt_stop(app_ckpt *c)
{
	int i;

	if (!c)
		return;
	if (c->started) {
		pthread_mutex_lock(&c->lock);
		c->stop = 1;
		pthread_cond_signal(&c->wake);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->thread, NULL);
	}
	sqlite3_close(c->h);
	for (i = 0; i < APP_CKPT_SLOTS; i++)
		pthread_cond_destroy(&c->turn[i]);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void app_ckpt_attach(app_ckpt *c, hearth_db *db)
{
	/* replaces SQLite's own hook: this handle's commits never checkpoint */
	if (c)
		sqlite3_wal_hook(hearth_db_sqlite(db), on_commit, c);
}

void app_ckpt_enter(app_ckpt *c)
{
	if (c)
		turn_take(c);
}

void app_ckpt_leave(app_ckpt *c)
{
	if (c)
		turn_pass(c);
}
