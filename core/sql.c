/* The small SQL helpers every part of hearth uses on a plain sqlite3 handle: prepare, run,
 * read one number; each failure is a one-line hearth error. */
#include "core_int.h"
#include "i18n.h"

#include <pthread.h>

int hearth_sql_prepare(sqlite3_stmt **out, sqlite3 *db, const char *sql)
{
	*out = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, out, NULL) != SQLITE_OK)
		return hearth_error_sqlite(db, HEARTH_ERROR, _("cannot prepare statement"));
	return 0;
}

int hearth_sql_exec(sqlite3 *db, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		hearth_error_set(HEARTH_ERROR, "%s: %s", _(what), msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return HEARTH_ERROR;
	}
	return 0;
}

int hearth_sql_exec_i64(sqlite3 *db, const char *sql, int64_t arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_prepare(&st, db, sql)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(db, HEARTH_ERROR, _("statement failed"));
	sqlite3_finalize(st);
	return rc;
}

int hearth_sql_scalar(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	*out = 0;
	if ((rc = hearth_sql_prepare(&st, db, sql)) < 0)
		return rc;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (step != SQLITE_DONE)
		rc = hearth_error_sqlite(db, HEARTH_ERROR, _("query failed"));
	sqlite3_finalize(st);
	return rc;
}

int64_t hearth_sql_count(sqlite3 *db, const char *sql)
{
	int64_t n;

	return hearth_sql_scalar(db, sql, &n) < 0 ? -1 : n;
}

const char *hearth_sqlite_version(void)
{
	return sqlite3_libversion();
}

/* A statement journal holds the pages an open savepoint may have to put back: the office
 * merges each entry under one (and sqlite3changeset_apply opens one too). SQLite's default
 * keeps 64 KiB in memory, then writes the journal to a new file in the temporary folder: in an
 * office round that was three writes in four (13,569 pwrite calls, 10,000 of them to such
 * files). Up to 16 MiB now stays in memory (the largest of that round's journals was 3.3 MiB);
 * past it, a file as before, so memory stays bounded. */
#define STMT_JOURNAL_SPILL (16 << 20)

/*
 * SQLite counts every allocation it makes for sqlite3_status() and the heap limits, under one
 * process-wide mutex: an office round made 746,000 allocations and as many frees, each with a
 * lock, an unlock and the counting, about 10% of the round's instructions; the app's threads
 * queue on that mutex. hearth reads neither the counters nor a heap limit, so they are off
 * (what SQLite's own list of recommended options advises).
 */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STMT_JOURNAL_SPILL);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Once per process, before SQLite is first used; where the process used SQLite before
 * (SQLITE_MISUSE), SQLite's defaults stay: only speed differs. */
void hearth_sqlite_setup(void)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;

	pthread_once(&configured, configure_sqlite);
}
