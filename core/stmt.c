/* The statement cache of a hearth_db: a statement is prepared once per connection and reused.
 *
 * Every recorded write and every merged row used to prepare its statements again; preparing was
 * a third of the office merge's instructions. The cache is keyed by the SQL text (so SQL built
 * per table is cached too), holds persistent statements, and is finalized with the database.
 * A statement handed out is reset and its bindings cleared; the caller resets it when done
 * (hearth_stmt_done) so that no read transaction outlives its use. */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "i18n.h"

struct hearth_stmt_slot {
	uint64_t hash;
	char *sql;
	sqlite3_stmt *st;
};

static uint64_t sql_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int cache_grow(hearth_db *db)
{
	size_t cap = db->stmt_cap ? db->stmt_cap * 2 : 64, i, j;
	struct hearth_stmt_slot *n = calloc(cap, sizeof(*n));

	if (!n)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	for (i = 0; i < db->stmt_cap; i++) {
		if (!db->stmts[i].sql)
			continue;
		for (j = db->stmts[i].hash & (cap - 1); n[j].sql; j = (j + 1) & (cap - 1))
			;
		n[j] = db->stmts[i];
	}
	free(db->stmts);
	db->stmts = n;
	db->stmt_cap = cap;
	return 0;
}

int hearth_db_stmt(hearth_db *db, sqlite3_stmt **out, const char *sql)
{
	uint64_t h = sql_hash(sql);
	size_t i;
	int rc;

	*out = NULL;
	if ((db->stmt_n + 1) * 4 > db->stmt_cap * 3 && (rc = cache_grow(db)) < 0)
		return rc;
	for (i = h & (db->stmt_cap - 1); db->stmts[i].sql; i = (i + 1) & (db->stmt_cap - 1)) {
		if (db->stmts[i].hash == h && strcmp(db->stmts[i].sql, sql) == 0) {
			sqlite3_reset(db->stmts[i].st);
			sqlite3_clear_bindings(db->stmts[i].st);
			*out = db->stmts[i].st;
			return 0;
		}
	}
	if (sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
		return hearth_error_sqlite(db->sql, HEARTH_ERROR, _("cannot prepare statement"));
	if (!(db->stmts[i].sql = strdup(sql))) {
		sqlite3_finalize(*out);
		*out = NULL;
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	}
	db->stmts[i].hash = h;
	db->stmts[i].st = *out;
	db->stmt_n++;
	return 0;
}

void hearth_stmt_done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

void hearth_db_stmt_clear(hearth_db *db)
{
	size_t i;

	for (i = 0; i < db->stmt_cap; i++) {
		if (db->stmts[i].sql) {
			sqlite3_finalize(db->stmts[i].st);
			free(db->stmts[i].sql);
		}
	}
	free(db->stmts);
	db->stmts = NULL;
	db->stmt_cap = db->stmt_n = 0;
}
