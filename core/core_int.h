/* Private to libhearth-core. */
#ifndef HEARTH_CORE_INT_H
#define HEARTH_CORE_INT_H

#include "hearth.h"

struct hearth_db {
	sqlite3 *sql;
	char *dir;
	char *node;
	char *kind;
	int is_office;
	int version;
	hearth_schema *schema;
	hearth_clock clock; /* last clock handed out, mirrored in hearth_meta 'clock' */
	struct hearth_stmt_slot *stmts; /* the statement cache (stmt.c), open addressing */
	size_t stmt_cap, stmt_n;
};

/** Finalize every cached statement (before the connection closes). */
void hearth_db_stmt_clear(hearth_db *db);

int hearth_schema_load(hearth_schema **out, sqlite3 *db);
void hearth_schema_free(hearth_schema *s);


#endif
