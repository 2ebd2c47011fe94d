/* Typed tables (schema 5): what typed.c (the migration's copy) and typed_lift.c (lifting
 * changes written before the checks) share. Private to core. */
#ifndef HEARTH_TYPED_INT_H
#define HEARTH_TYPED_INT_H

#include "core_int.h"

typedef struct {
	char *name;
	char *type;
	char *dflt; /* SQL expression, NULL if none */
	int notnull;
} typed_col;

typedef struct {
	char *name;
	int ncol;
	typed_col *cols;
	int owner_col, id_col;
} typed_table;

/** The columns of table `name` (type, default, NOT NULL) into `t`; dispose with
 * typed_table_dispose() even on failure. */
int typed_table_load(typed_table *t, sqlite3 *h, const char *name);
void typed_table_dispose(typed_table *t);
/** A person's form of a date, time or phone in the stored form into `out`; 1 if converted. */
int typed_convert_text(const char *in, char *out, size_t cap);
/** Replace vals[col] by the one value `sql` returns (?1 bound to `arg` if given). */
int typed_replace_by(sqlite3 *h, sqlite3_value **vals, int col, const char *sql, const char *arg);
/** The next value a refused column takes (default, NULL, safe values), what it is into `what`;
 * 1 once there is none left. */
int typed_next_placed(sqlite3 *h, const typed_table *t, sqlite3_value **vals, int col, int *tries,
	hearth_buf *what);
/** Record a value set aside into `into` (hearth_to_fix or the pending list of a lift). */
int typed_set_aside(sqlite3 *h, const char *into, const char *tbl, sqlite3_value *owner,
	sqlite3_value *id, const char *col, sqlite3_value *original, sqlite3_value *placed,
	const char *reason, const char *origin);
/** The migration's last steps: references to reference data checked once every table is
 * copied, and the stored changes (outbox, overlay, history, received, log) lifted. */
int typed_lift_references(sqlite3 *h);
int typed_lift_stored(sqlite3 *h);

#endif
