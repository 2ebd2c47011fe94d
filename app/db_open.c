/*
 * The server's database handles, made ready before a request needs them: a busy wait in short
 * steps, and the statements nearly every request asks prepared. server.c keeps them in its pool
 * and opens them all when it starts, before it takes a connection.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server_int.h"

static _Thread_local struct timespec busy_since; /* when this thread's handle began to wait */

/* The write lock is held (another request's write, the checkpointer's restart, a sync): try
 * again after 1 ms, then 2, 4, 8 and at most 10 ms, until APP_BUSY_TIMEOUT_MS have passed on
 * the clock. SQLite's own handler sleeps 50 and then 100 ms once a wait is long, so a writer
 * could stay asleep up to 100 ms after the lock was free (figure 18, docs/performance.md). */
static int busy_wait(void *payload, int count)
{
	struct timespec now, nap = { 0, 0 };
	int64_t waited_ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (count == 0)
		busy_since = now;
	waited_ms = (int64_t)(now.tv_sec - busy_since.tv_sec) * 1000 +
		(now.tv_nsec - busy_since.tv_nsec) / 1000000;
	if (waited_ms >= APP_BUSY_TIMEOUT_MS)
		return 0;
	nap.tv_nsec = count < 4 ? 1000000L << count : 10000000L;
	nanosleep(&nap, NULL);
	return 1;
}

void app_db_ready(hearth_db *db, app_ckpt *ck)
{
	char token[APP_TOKEN_TEXT];
	app_session ses;
	app_req r;
	app_resp resp;

	sqlite3_busy_handler(hearth_db_sqlite(db), busy_wait, NULL);
	app_ckpt_attach(ck, db);
	/* a token no session has: the lookup is prepared and finds nothing */
	memset(token, 'A', sizeof(token) - 1);
	token[sizeof(token) - 1] = '\0';
	app_session_get(db, token, APP_BUSY_TIMEOUT_MS, &ses);
	/* the start page rendered once and thrown away: its queries and the banner's prepared */
	memset(&r, 0, sizeof(r));
	memset(&resp, 0, sizeof(resp));
	r.db = db;
	r.method = "GET";
	r.path = "/";
	r.lang = "zh";
	r.role = APP_ROLE_STAFF;
	r.csrf = "";
	hearth_buf_init(&resp.body, 0);
	app_pages_handle(&r, &resp);
	free(resp.location);
	hearth_buf_dispose(&resp.body);
	/* a failure here is reported to the request that meets it again */
	hearth_error_clear();
}

int app_db_open(hearth_db **out, const char *dir, app_ckpt *ck)
{
	int rc = hearth_db_open(out, dir);

	if (rc == 0)
		app_db_ready(*out, ck);
	return rc;
}
