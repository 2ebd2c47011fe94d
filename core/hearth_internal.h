/*
 * hearth's plumbing shared between its libraries (core, sync, site-gen, app) and the CLI: the
 * SQLite handle and statements, the clock's persistence, the changeset codec, the pieces of the
 * write path that sync reuses. Not for embedders: core/hearth.h is the public API (this header
 * includes it). The conventions of hearth.h hold here too.
 */
#ifndef HEARTH_INTERNAL_H
#define HEARTH_INTERNAL_H

/* Debian's libsqlite3 has the session extension compiled in; its header hides the API unless
 * these are defined. */
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>

#include "hearth.h"

/** Set the thread's error (printf-style) and return `code`. */
int hearth_error_set(int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/** Copy SQLite's message for `db` in, prefixed by `what`; returns `code`. */
int hearth_error_sqlite(sqlite3 *db, int code, const char *what);

/** The next clock after `last` for a local event at wall time `now_ms`. */
hearth_clock hearth_clock_next(hearth_clock last, uint64_t now_ms);
/** The clock after receiving `remote`, given our `last` and wall time `now_ms`. */
hearth_clock hearth_clock_merge(hearth_clock last, hearth_clock remote, uint64_t now_ms);

/** As hearth_db_create, for restoring a node whose data comes from its repository (clone):
 * identity only, no recorded change. */
int hearth_db_create_restored(hearth_db **out, const char *dir, const char *node_id,
	const char *kind);
/** Change the stored node kind (clone learns it from the restored node row). */
int hearth_db_set_kind(hearth_db *db, const char *kind);

/** The SQLite handle (owned by `db`); for reads and for sync's own transactions. */
sqlite3 *hearth_db_sqlite(hearth_db *db);

/** Read a meta value into `out` (cleared first); HEARTH_ENOTFOUND if absent. */
int hearth_meta_get(hearth_db *db, const char *key, hearth_buf *out);
/** Set a meta value (inside the caller's transaction if one is open). NULL value deletes. */
int hearth_meta_set(hearth_db *db, const char *key, const char *value);

/** Tick the node's clock for a local event and persist it (call inside a write transaction). */
int hearth_db_clock_tick(hearth_db *db, hearth_clock *out);
/** Merge a received clock into the node's clock and persist it. */
int hearth_db_clock_observe(hearth_db *db, hearth_clock remote, hearth_clock *out);
/** The node's current clock without ticking it. */
int hearth_db_clock_get(hearth_db *db, hearth_clock *out);
/** The seq of the last recorded write (0 if none) into *seq: the larger of hearth_meta 'seq'
 * and the newest outbox row's (a write stores it only there); the clock moves up to the stored
 * one likewise (another process may have ticked it). */
int hearth_db_seq_clock_read(hearth_db *db, int64_t *seq);
/** Store the seq and clock of hearth_db_seq_clock_read in hearth_meta: call it in the
 * transaction that deletes outbox rows, before the delete, so the seq never goes back. */
int hearth_db_seq_keep(hearth_db *db);

/** BEGIN IMMEDIATE / COMMIT / ROLLBACK with hearth's error reporting. */
int hearth_db_begin(hearth_db *db);
int hearth_db_commit(hearth_db *db);
/** After a purge (or a purge received, or keys retired): rewrite the file (VACUUM) and empty the
 * WAL, so no deleted value stays in a free page or an old frame. Outside any transaction. */
int hearth_db_forget_finish(hearth_db *db);
/** 1 if the database received a purge since the last hearth_db_forget_finish. */
int hearth_db_forget_due(hearth_db *db);
void hearth_db_rollback(hearth_db *db);

/* ---- small SQL helpers (errors through hearth_error) -------------------------------------- */

/** Prepare `sql`; free with sqlite3_finalize(). */
int hearth_sql_prepare(sqlite3_stmt **out, sqlite3 *db, const char *sql);
/** Run statements without results; the error names `what`. */
int hearth_sql_exec(sqlite3 *db, const char *sql, const char *what);
/** Run one statement with ?1 bound to `arg`. */
int hearth_sql_exec_i64(sqlite3 *db, const char *sql, int64_t arg);
/** The first column of the first row as an integer (0 if no row). */
int hearth_sql_scalar(sqlite3 *db, const char *sql, int64_t *out);
/** As hearth_sql_scalar, returning the value, or -1 on error. */
int64_t hearth_sql_count(sqlite3 *db, const char *sql);

/** A statement from the database's cache, prepared on first use, reset with its bindings
 *  cleared. Do not finalize it; call hearth_stmt_done() when its rows are read, so that no
 *  read transaction outlives its use. Valid until hearth_db_free(). */
int hearth_db_stmt(hearth_db *db, sqlite3_stmt **out, const char *sql);
/** Reset a cached statement and clear its bindings (NULL is allowed). */
void hearth_stmt_done(sqlite3_stmt *st);

/** Fingerprint of the synced tables' names and columns: 16 hex digits + NUL into `out`. */
void hearth_schema_fingerprint(const hearth_schema *s, char *out);
/** 1 if this database passed through schema `version` with `fingerprint` (an older node's
 * changes can then be lifted: columns added since take their defaults), else 0. */
int hearth_schema_known(hearth_db *db, int version, const char *fingerprint);

/**
 * The SQL condition (over the table's own columns) for the rows of `t` that node `node` may see:
 * reference data (owner 'office'), its own rows, rows whose audience column names it, every row
 * of a directory table (schema v8; only its public columns: hearth_visible_select).
 * Appended to `out`. The node id must be valid (it is embedded quoted).
 */
int hearth_visible_sql(hearth_buf *out, const hearth_table_decl *t, const char *node);
/**
 * The SELECT of what node `node` holds of `t`: the visible rows (hearth_visible_sql; every row
 * of a directory table), every column in table order; NULL in the rows `node` does not own: a
 * directory row's private columns, and the columns withheld from the table's audience
 * (hearth_column.audience_sees 0). Appended to `out`, ending in the condition.
 */
int hearth_visible_select(hearth_buf *out, const hearth_table_decl *t, const char *node);

/** A session attached to every synced table of `db` (the recording of a write, a merge, a
 * replay). Free with sqlite3session_delete(). */
int hearth_session_new(sqlite3_session **out, hearth_db *db);

/** A write body for hearth_write_run: runs statements on `db`'s handle; returns 0 or an error
 * (set with hearth_error_set). */
typedef int (*hearth_write_fn)(hearth_db *db, void *payload);

/** As hearth_write_exec, for a body in C (CSV import, demo, generators). `summary` is the
 * one-line description kept with the outbox entry (NULL: derived from the changes). */
int hearth_write_run(hearth_db *db, hearth_write_fn fn, void *payload, const char *summary,
	hearth_write_info *out);

/**
 * Check that this node may write every change of `changeset` (ownership, audience columns);
 * used by the write path and, with `writer` set to another node, by the office's verify.
 * `state` is read for audience rows (the row as it stands). HEARTH_EDENIED with a message naming
 * table and owner otherwise.
 */
int hearth_changeset_check_owner(sqlite3 *state, const hearth_schema *s, const char *writer,
	int writer_is_office, const void *changeset, int n);

/**
 * The overlay as it stands: one changeset taking the office's last known state to this node's
 * current state (the stored overlay of the last pull combined with the writes since). Into
 * `out` (cleared first; empty if the node holds nothing the office has not seen).
 */
int hearth_overlay_current(hearth_db *db, hearth_buf *out);

/** Called for each record: `line` is the 1-based line where it starts. Return non-zero to stop
 * (that value is returned by hearth_csv_parse). Fields are NUL-terminated, valid for the call. */
typedef int (*hearth_csv_record_fn)(int line, int nfields, char **fields, size_t *lens,
	void *payload);

/** Parse RFC 4180 CSV (quotes, doubled quotes, separators and newlines inside quotes, CRLF or LF,
 * an optional UTF-8 BOM). The importer alone also reads tab or ';' separators (the one the
 * header line uses most). HEARTH_ECORRUPT with line and column on malformed input. */
int hearth_csv_parse(const char *data, size_t len, hearth_csv_record_fn fn, void *payload);

/** CSV bytes as Excel writes them -> UTF-8 in `out` (cleared first): a UTF-8 BOM dropped,
 * UTF-16LE/BE (with a BOM) converted, bytes that are not UTF-8 read as GB18030. `*encoding`
 * (may be NULL) names what was read. HEARTH_ECORRUPT naming the line if conversion fails. */
int hearth_csv_decode(hearth_buf *out, const char *data, size_t len, const char **encoding);

/** Append `s` (length `len`) as a JSON string literal. */
int hearth_json_string(hearth_buf *out, const char *s, size_t len);

/** Append one value in the dump's text form. */
int hearth_value_format(hearth_buf *out, sqlite3_value *v);

/* ---- changesets --------------------------------------------------------------------------- */

/**
 * A changeset encoder (the format of SQLite's sqlite3session.c): for building filtered copies of
 * changesets, which SQLite 3.40 cannot do itself. Initialise with HEARTH_CS_WRITER_INIT, add
 * tables and changes, take the bytes from `buf`, dispose with hearth_cs_writer_dispose().
 * Helpers are no-ops once `rc` holds an error.
 */
typedef struct {
	hearth_buf buf;
	int rc;
	int ncol;            /* columns of the current table */
	char *table;         /* current table name */
	unsigned char *pk;   /* its ncol primary-key flags */
} hearth_cs_writer;

#define HEARTH_CS_WRITER_INIT { HEARTH_BUF_INIT, 0, 0, NULL, NULL }

/** Start a table block (only written if name, column count or primary-key flags differ from the
 * current one). */
void hearth_cs_writer_table(hearth_cs_writer *w, const char *table, int ncol,
	const unsigned char *pk);
/** Append a change; `old`/`new_` are arrays of ncol values where NULL means "undefined" (not
 * present). op is SQLITE_INSERT, SQLITE_UPDATE or SQLITE_DELETE. */
void hearth_cs_writer_change(hearth_cs_writer *w, int op, int indirect, sqlite3_value **old,
	sqlite3_value **new_);
/** Append a DELETE of the current table's row whose key is in `old` (ncol values, only the
 * key columns read): every other column NULL, so the delete carries no value but the key. */
void hearth_cs_writer_delete_key(hearth_cs_writer *w, sqlite3_value **old);
/** An INSERT whose NULL pointers are SQL NULLs (a directory row's private columns). */
void hearth_cs_writer_insert(hearth_cs_writer *w, sqlite3_value **new_);
/** Append an INSERT of the current table's row `vals` (ncol values) where `send[i]` is 0 for a
 * column the reader must not receive: that column is NULL (used for what an audience node
 * receives of a row: hearth_column.audience_sees). */
void hearth_cs_writer_insert_masked(hearth_cs_writer *w, sqlite3_value **vals,
	const unsigned char *send);
/** As hearth_cs_writer_delete_key, keeping column `keep` too (an audience: a node id), -1 none. */
void hearth_cs_writer_delete_key_and(hearth_cs_writer *w, sqlite3_value **old, int keep);
/** `cs` with every DELETE reduced to the key of its row (and its audience column, a node id):
 * what a purge records and keeps, so its log holds no purged value (core/history.c). */
int hearth_cs_deletes_keys_only(hearth_buf *out, sqlite3 *h, const void *cs, int n);
/** Append the iterator's current change under its table. */
void hearth_cs_writer_append_iter(hearth_cs_writer *w, sqlite3_changeset_iter *it);
void hearth_cs_writer_dispose(hearth_cs_writer *w);

/** One change of a changeset as its bytes (hearth_changeset_each), without SQLite's iterator,
 * which makes a value object of every value: its table header and the change itself. */
typedef struct {
	const char *table;       /* NUL-terminated, inside the changeset */
	int ncol;
	const unsigned char *pk; /* ncol primary-key flags */
	int op, indirect;
	const unsigned char *head; /* its table header: 'T' ... NUL */
	size_t nhead;
	const unsigned char *p; /* the change: op, indirect flag, record(s) */
	size_t n;
} hearth_cs_change;
typedef int (*hearth_cs_each_fn)(void *ctx, const hearth_cs_change *c);
/** The framing walk of hearth_changeset_validate, calling `each` on every change once its bytes
 * are checked: 0, HEARTH_ECORRUPT (the changes before the bad one were passed), or the first
 * negative return of `each`. */
int hearth_changeset_each(const void *cs, int n, hearth_cs_each_fn each, void *ctx);
/** Append change `c` as it is, under its table. */
void hearth_cs_writer_append_raw(hearth_cs_writer *w, const hearth_cs_change *c);
/** Column `col` of the old (new_record 0) or new record of change `c` if it is TEXT: its bytes,
 * not NUL-terminated, *len of them up to its first NUL (as strlen() on sqlite3_value_text()
 * sees it); NULL for any other value. */
const char *hearth_cs_change_text(const hearth_cs_change *c, int new_record, int col,
	size_t *len);
/** 1 if column `col` of the old (new_record 0) or new record of change `c` is TEXT and equal
 * to `s` as strcmp() on sqlite3_value_text() sees it (up to its first NUL), else 0. */
int hearth_cs_change_text_is(const hearth_cs_change *c, int new_record, int col, const char *s);
/** SQLite's iterator on change `c` alone (copied into `one`), already on it: 0 or an error;
 * finalize *out. */
int hearth_cs_change_iter(sqlite3_changeset_iter **out, hearth_buf *one, const hearth_cs_change *c);

/** SQLite's varint (as in changesets: big-endian groups of 7 bits, a 9th byte of 8) of `v` into
 * out[0..9); returns its length, 1 to 9. */
int hearth_varint_put(unsigned char out[9], uint64_t v);
/** The varint at p[*pos..n) into *out, *pos moved past it; -1 if it runs past the end. */
int hearth_varint_get(const unsigned char *p, size_t n, size_t *pos, uint64_t *out);

/** 1 if the bytes have the shape of a changeset (headers, ops, complete records), checked
 * without SQLite: SQLite 3.40's iterator never returns on some truncated input, so untrusted
 * bytes pass this before they reach it. 0 otherwise. */
int hearth_changeset_wellformed(const void *cs, size_t n);
/** Walk the whole changeset's bytes once, without SQLite's value objects: HEARTH_ECORRUPT if it
 * does not parse (then SQLite's iterator would not walk it to the end either). Sets *nchanges. */
int hearth_changeset_validate(const void *cs, int n, int *nchanges);

/** One-line summary like "care_class +1 ~2, child -1" appended to `out`. */
int hearth_changeset_summary(hearth_buf *out, const void *cs, int n);

/**
 * SQL for the date a service request `r` was closed, by its owner's facts and the office's: its
 * done_at if the owner or the office wrote it (hearth_origin), else its requested_at. An assignee
 * may close a request, not date it: a done_at of 1999 or 2999 would purge the owner's record
 * at once, or never, and show in the public tally. The purge and the site's solved tally use it.
 */
#define HEARTH_REQUEST_CLOSED_ON                                                                   \
	"(CASE WHEN coalesce((SELECT o.node FROM hearth_origin o WHERE o.tbl = 'service_request' "  \
	"AND o.owner = r.owner AND o.id = r.id AND o.col IN ('done_at', '') ORDER BY o.col DESC "   \
	"LIMIT 1), r.owner) IN (r.owner, 'office') "                                                \
	"THEN coalesce(nullif(r.done_at, ''), r.requested_at) ELSE r.requested_at END)"

/** 1 if purges apply to `table` (the personal records: children, enrolments, ...), else 0. */
int hearth_purge_table(const char *table);

/** Node pull, inside its transaction, before the acknowledged entries leave the outbox: keep
 * the entries up to `ack` in the node's history (never synced). */
int hearth_history_keep_acked(hearth_db *db, int64_t ack);

/** Node pull: record office entry `office_seq` as received, with its changeset. An entry that
 * deletes records purges apply to, and is not the node's own change coming back, is a purge:
 * those records are forgotten (hearth_history_forget). */
int hearth_history_received(sqlite3 *h, int64_t office_seq, hearth_clock clock, const void *cs,
	int n);

/** Forget the records listed in table `keys_table` (columns tbl, owner, id): their keys are
 * kept in hearth_forgotten, never shown again, and their changes are cut out of the stored
 * history (at the office: of the merged log entries every node has received). */
int hearth_history_forget(sqlite3 *h, const char *keys_table);

/* ---- sync's tables, read by the site (which holds a handle, not a node; core/status.c) ----- */

/** For each remote heard of (office: named by its node id), in name order, fn(name, the clock
 * time in ms of the newest change merged from it). */
int hearth_status_heard(sqlite3 *db, void (*fn)(const char *node, int64_t ms, void *payload),
	void *payload);
/** "Now" as the data says it, never the wall clock (identical data, identical site): the newest
 * time any node was heard of, else the newest recorded write's clock time, else 0. */
int hearth_status_data_now(sqlite3 *db, uint64_t *out);

/* ---- values (core/values.c) ---------------------------------------------------------------- */

/** The same rules on a stored or incoming value (type, range, form, choice, reference exists):
 * 0 ok (NULL is ok: NOT NULL is the table's), 1 refused with `why`, or a negative error. */
int hearth_value_check(hearth_db *db, const hearth_table_decl *t, int col, sqlite3_value *v,
	hearth_buf *why);

/* ---- typed tables (schema 5) ---------------------------------------------------------------- */

/** The schema that made the synced tables STRICT and checked (schemas/005_typed.sql): changes
 * written under an older one are lifted (hearth_typed_lift) before they apply. */
#define HEARTH_SCHEMA_TYPED 5

/** The schema that keeps authors: hearth_outbox.author and hearth_history (003), and the
 * office's hearth_log.author with the app's accounts (006). A build carrying fewer migrations
 * (the tests' older binaries) writes and reads no author. */
#define HEARTH_SCHEMA_HISTORY 3
#define HEARTH_SCHEMA_ACCOUNTS 6

/** Each node's key state, one row (node, generation, state) per node: its newest key and
 * whether the log is sealed with it ('sealing', 'rotating', 'issued', 'revoked'); at the
 * office, each node it syncs with but holds no key of is 'unsealed' (generation 0: its log
 * travels in format 2, in the clear). Needs hearth_key (schema 7). */
#define HEARTH_KEY_STATES_SQL \
	"SELECT node, max(generation), " \
	"CASE WHEN sum(state = 'active') = 0 THEN 'revoked' " \
	"WHEN max(in_use * generation) = max(generation) THEN 'sealing' " \
	"WHEN max(in_use) = 1 THEN 'rotating' ELSE 'issued' END " \
	"FROM hearth_key GROUP BY node " \
	"UNION ALL SELECT name, 0, 'unsealed' FROM hearth_remote " \
	"WHERE (SELECT value FROM hearth_meta WHERE key = 'kind') = 'office' " \
	"AND name NOT IN (SELECT node FROM hearth_key) ORDER BY 1"

/**
 * Lift a changeset written before the checks of schema 5 (a node or an office on schema 4 or
 * older, or a change stored before the migration): every value the checks refuse is converted
 * when its form is clear ('2026/12/02', a local time, '+86 138...') or else replaced by the
 * column's default, NULL or a safe value, so that the change applies. With `origin` (the node
 * that sent it), each value replaced is listed to fix once hearth_typed_fix_commit() runs, after
 * the change was applied. The lifted bytes replace `out`'s content.
 */
int hearth_typed_lift(sqlite3 *h, const void *cs, int n, const char *origin, hearth_buf *out);
/** What the database itself says of value `v` in tbl.col (its STRICT type, its CHECK, the
 * reference it names): 1 accepted, 0 refused (SQLite's message into `why`), or an error. The
 * checks are the table's own, applied to the value alone (NOT NULL aside for a non-NULL one). */
int hearth_typed_check(sqlite3 *h, const char *tbl, const char *col, sqlite3_value *v,
	hearth_buf *why);
/** Record the values the lifts since the last call set aside (hearth_to_fix). */
int hearth_typed_fix_commit(sqlite3 *h);

#endif
