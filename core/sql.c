/* The small SQL helpers every part of hearth uses on a plain sqlite3 handle: prepare, run,
 * read one number; each failure is a one-line hearth error. */
#include "core_int.h"
#include "i18n.h"

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
