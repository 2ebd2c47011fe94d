/* Private to libhearth-core. */
#ifndef HEARTH_CORE_INT_H
#define HEARTH_CORE_INT_H

#include "hearth_internal.h"

struct hearth_db {
	sqlite3 *sql;
	char *dir;
	char *node;
	char *kind;
	int is_office;
	int version;
	hearth_schema *schema;
	hearth_clock clock; /* last clock handed out (stored: hearth_db_seq_clock_read) */
	struct hearth_stmt_slot *stmts; /* the statement cache (stmt.c), open addressing */
	size_t stmt_cap, stmt_n;
	int guard;              /* the caller's SQL of a recorded write is running */
	const hearth_table_decl *written; /* the synced table the caller's SQL last wrote */
	int wide_limit;         /* refuse a write of more rows (0: no limit) */
	int64_t sql_limit_ms;   /* hearth_db_set_sql_limit (HEARTH_SQL_LIMIT_MS until set) */
	int64_t sql_deadline;   /* monotonic ms at which the caller's SQL is stopped, 0: none */
	char *author;           /* hearth_db_set_author: kept with each recorded write, or NULL */
	int keys_only;          /* the recorded write keeps its deletes as keys only (a purge) */
};

/** Start / end the time limit on the caller's SQL (SQLite's progress handler). Around every
 * statement a caller hands in: a runaway one would otherwise hold the write lock for ever. */
void hearth_sql_limit_begin(hearth_db *db);
void hearth_sql_limit_end(hearth_db *db);
/** After SQLite failed: HEARTH_EUSAGE naming the limit if it stopped the SQL, else 0. */
int hearth_sql_limit_error(hearth_db *db);

/** The authorizer of the connection, installed once at open (setting an authorizer expires
 * every prepared statement, the cached ones too): while db->guard is set, it allows writes to
 * synced tables only, no schema changes and no transactions; otherwise everything. */
int hearth_authorize(void *db, int action, const char *a, const char *b, const char *dbname,
	const char *trigger);

/** Finalize every cached statement (before the connection closes). */
void hearth_db_stmt_clear(hearth_db *db);

/** Tick the clock for a recorded write (its outbox row stores it); the new clock into *clock. */
void hearth_db_clock_next(hearth_db *db, hearth_clock *clock);

/** The summary (hearth_changeset_summary) appended to `sum` unless NULL, and the number of
 * changes into *count unless NULL, from one walk of the bytes (the framing check). */
int hearth_changeset_summary_count(hearth_buf *sum, int *count, const void *cs, int n);

/** One field of a result row in the forms of hearth_query (query.c), for the readers that
 * print rows they hold as structs (status.c). `text` is SQLite's text form, NULL for NULL. */
typedef struct {
	const char *name;
	int type; /* SQLITE_NULL ... SQLITE_BLOB */
	int64_t i;
	double f;
	const char *text;
	size_t n;
} hearth_cell;

/** JSON's opening bracket (nothing in the other formats). */
int hearth_cells_begin(hearth_buf *out, hearth_format f);
/** TEXT and CSV: the header line of the cells' names (none in JSON). */
int hearth_cells_header(hearth_buf *out, const hearth_cell *cells, int n, hearth_format f);
/** One row; *first_row is 1 before the first (JSON separates rows). */
int hearth_cells_row(hearth_buf *out, const hearth_cell *cells, int n, hearth_format f,
	int *first_row);
/** JSON's closing bracket and newline, `first_row` still 1 if there was no row. */
int hearth_cells_end(hearth_buf *out, hearth_format f, int first_row);

/** One value of a changeset's record at p[*pos] (its type byte, then its bytes), read without
 * SQLite's value objects (write.c): 0, or -1 if it does not parse. */
struct hearth_raw_value {
	int type; /* the changeset's type byte: 0 undefined, else SQLITE_INTEGER ... SQLITE_NULL */
	const unsigned char *p;
	size_t n;
};
int hearth_raw_value(const unsigned char *p, size_t n, size_t *pos, struct hearth_raw_value *v);

/** An INTEGER or FLOAT raw value (8 bytes, big-endian): its number, and its bits as an integer
 * into *i (the value itself for an INTEGER). */
double hearth_raw_number(const struct hearth_raw_value *v, int64_t *i);

/** The values rules (values.c) on one raw value of column `c`: 0 ok, 1 refused (`why`
 * appended), or a negative error. */
int hearth_value_check_raw(hearth_db *db, const hearth_column_decl *c,
	const struct hearth_raw_value *v, hearth_buf *why);

/** What column `c` expects ("expected a whole number from 0 to 200"), appended to `why`:
 * 1, or a negative error. */
int hearth_value_expected(const hearth_column_decl *c, hearth_buf *why);

int hearth_schema_load(hearth_schema **out, sqlite3 *db);

/** After 005_typed.sql ran: copy the rows of the v4 tables into the typed ones, converting or
 * setting aside (hearth_to_fix) what the checks refuse, and drop the v4 tables (typed.c). */
int hearth_typed_migrate(sqlite3 *h);
void hearth_schema_free(hearth_schema *s);


#endif
