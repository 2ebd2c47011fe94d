/*
 * The office merge of one node entry, column by column under the declared policies:
 *   lww     the later hybrid logical clock wins, ties broken by node id;
 *   office  the office's value wins over a node's (between nodes: lww);
 *   state   the value later in the declared order wins (equal rank: lww);
 *   delete  an update meeting a delete loses; a delete meeting an update wins.
 * A column changes without conflict when the node's old value is what the office holds.
 * Every losing value goes to hearth_conflict. The entry is applied by this code, not by
 * sqlite3changeset_apply, under a session on the office database: what the session records is
 * the exact net effect, which becomes the office log entry the downs are cut from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "core/i18n.h"

typedef struct {
	hearth_db *db;
	sqlite3 *h;
	sync_sql_cache *sql;   /* the round's statement shapes (NULL: none) */
	const char *node;      /* writer of the entry */
	hearth_clock clock;    /* its clock (clamped) */
	char clock_hex[HEARTH_CLOCK_HEX + 1];
	int conflicts;
} merge_ctx;

typedef struct {
	hearth_clock clock;
	char node[HEARTH_ID_MAX + 1];
} origin;

/* 1 if equal, 0 if not, -1 out of memory: a changeset's text is not NUL-terminated, so its
 * first read as text allocates. */
static int values_equal(sqlite3_value *a, sqlite3_value *b)
{
	int ta = sqlite3_value_type(a), tb = sqlite3_value_type(b);

	if ((ta == SQLITE_INTEGER || ta == SQLITE_FLOAT) &&
	    (tb == SQLITE_INTEGER || tb == SQLITE_FLOAT)) {
		if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER)
			return sqlite3_value_int64(a) == sqlite3_value_int64(b);
		return sqlite3_value_double(a) == sqlite3_value_double(b);
	}
	if (ta != tb)
		return 0;
	if (ta == SQLITE_NULL)
		return 1;
	if (ta == SQLITE_TEXT) {
		const unsigned char *x = sqlite3_value_text(a), *y = sqlite3_value_text(b);
		int n = sqlite3_value_bytes(a);
		if (!x || !y)
			return -1;
		return n == sqlite3_value_bytes(b) && memcmp(x, y, (size_t)n) == 0;
	} else {
		int n = sqlite3_value_bytes(a);
		return n == sqlite3_value_bytes(b) &&
		       (n == 0 || memcmp(sqlite3_value_blob(a), sqlite3_value_blob(b), (size_t)n) == 0);
	}
}

/* sqlite3_bind_value copies the value, which can fail: a parameter left NULL would match
 * nothing or write NULL, so a statement with one is not run. */
static void bind_value(sqlite3_stmt *st, int i, sqlite3_value *v, int *unbound)
{
	if (sqlite3_bind_value(st, i, v) != SQLITE_OK)
		*unbound = 1;
}

static int step(sqlite3_stmt *st, int unbound)
{
	return unbound ? SQLITE_NOMEM : sqlite3_step(st);
}

static int origin_get(merge_ctx *m, const hearth_table_decl *t, sqlite3_value *owner,
	sqlite3_value *id, const char *col, origin *out)
{
	sqlite3_stmt *st = NULL;
	int unbound = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = hearth_db_stmt(m->db, &st,
		     "SELECT clock, node FROM hearth_origin WHERE tbl = ?1 AND owner = ?2 AND id = ?3 "
		     "AND col IN (?4, '') ORDER BY col DESC LIMIT 1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	bind_value(st, 2, owner, &unbound);
	bind_value(st, 3, id, &unbound);
	sqlite3_bind_text(st, 4, col, -1, SQLITE_STATIC);
	/* a failed read is an error, not "no origin": that would decide on a clock of 0 */
	if ((rc = step(st, unbound)) == SQLITE_ROW) {
		const char *clock = (const char *)sqlite3_column_text(st, 0);
		const char *node = (const char *)sqlite3_column_text(st, 1);
		if (clock && node) {
			hearth_clock_parse(&out->clock, clock);
			snprintf(out->node, sizeof(out->node), "%s", node);
			rc = SQLITE_DONE;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : hearth_error_sqlite(m->h, HEARTH_ERROR, _("cannot read origin"));
	hearth_stmt_done(st);
	return rc;
}

/* col '' = the whole row (an insert); a per-column entry overrides it. */
static int origin_set(hearth_db *db, const char *tbl, sqlite3_value *owner, sqlite3_value *id,
	const char *col, const char *clock_hex, const char *node)
{
	sqlite3_stmt *st = NULL;
	int unbound = 0;
	int rc;

	if ((rc = hearth_db_stmt(db, &st,
		     "INSERT OR REPLACE INTO hearth_origin (tbl, owner, id, col, clock, node) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	bind_value(st, 2, owner, &unbound);
	bind_value(st, 3, id, &unbound);
	sqlite3_bind_text(st, 4, col, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, clock_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, node, -1, SQLITE_STATIC);
	if (step(st, unbound) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot record origin"));
	hearth_stmt_done(st);
	return rc;
}

static int origin_clear(hearth_db *db, const char *tbl, sqlite3_value *owner, sqlite3_value *id)
{
	sqlite3_stmt *st = NULL;
	int unbound = 0;
	int rc;

	if ((rc = hearth_db_stmt(db, &st,
		     "DELETE FROM hearth_origin WHERE tbl = ?1 AND owner = ?2 AND id = ?3")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	bind_value(st, 2, owner, &unbound);
	bind_value(st, 3, id, &unbound);
	if (step(st, unbound) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot clear origin"));
	hearth_stmt_done(st);
	return rc;
}

static int log_conflict(merge_ctx *m, const hearth_table_decl *t, sqlite3_value *owner,
	sqlite3_value *id, const char *col, const char *policy, sqlite3_value *kept,
	const char *kept_node, const char *kept_clock, sqlite3_value *lost, const char *lost_node,
	const char *lost_clock)
{
	sqlite3_stmt *st = NULL;
	int unbound = 0;
	int rc;

	if ((rc = hearth_db_stmt(m->db, &st,
		     "INSERT INTO hearth_conflict (tbl, owner, row_id, col, policy, kept, kept_node, "
		     "kept_clock, lost, lost_node, lost_clock, at_ms) "
		     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	bind_value(st, 2, owner, &unbound);
	bind_value(st, 3, id, &unbound);
	sqlite3_bind_text(st, 4, col, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, policy, -1, SQLITE_STATIC);
	if (kept)
		bind_value(st, 6, kept, &unbound);
	if (kept_node && *kept_node)
		sqlite3_bind_text(st, 7, kept_node, -1, SQLITE_STATIC);
	if (kept_clock && *kept_clock)
		sqlite3_bind_text(st, 8, kept_clock, -1, SQLITE_STATIC);
	if (lost)
		bind_value(st, 9, lost, &unbound);
	if (lost_node && *lost_node)
		sqlite3_bind_text(st, 10, lost_node, -1, SQLITE_STATIC);
	if (lost_clock && *lost_clock)
		sqlite3_bind_text(st, 11, lost_clock, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)hearth_time_now_ms());
	if (step(st, unbound) != SQLITE_DONE)
		rc = hearth_error_sqlite(m->h, HEARTH_ERROR, _("cannot write the conflict log"));
	else
		m->conflicts++;
	hearth_stmt_done(st);
	return rc;
}

/* 1 if (clock a, node a) is later than (clock b, node b) */
static int later(hearth_clock ca, const char *na, hearth_clock cb, const char *nb)
{
	if (ca != cb)
		return ca > cb;
	return strcmp(na, nb) > 0;
}

/* Does the incoming value beat the one held, under the column's policy? */
int sync_merge_incoming_wins(const hearth_column_decl *c, hearth_clock held_clock,
	const char *held_node, sqlite3_value *cur, hearth_clock clock, const char *node,
	sqlite3_value *nw)
{
	if (c->policy == HEARTH_POLICY_OFFICE) {
		if (strcmp(held_node, HEARTH_OFFICE) == 0)
			return 0;
		if (strcmp(node, HEARTH_OFFICE) == 0)
			return 1;
	} else if (c->policy == HEARTH_POLICY_STATE) {
		int rc_cur = hearth_column_state_rank(c, (const char *)sqlite3_value_text(cur));
		int rc_new = hearth_column_state_rank(c, (const char *)sqlite3_value_text(nw));
		if (rc_cur != rc_new)
			return rc_new > rc_cur;
	}
	return later(clock, node, held_clock, held_node);
}

/* ---- row statements ----------------------------------------------------------------------- */

/* SQL text of one shape: a table, an operation and the set of columns it writes. */
struct sync_sql_shape {
	const hearth_table_decl *t;
	int op;
	uint64_t cols;
	char *sql;
};

void sync_sql_cache_dispose(sync_sql_cache *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		free(c->shapes[i].sql);
	free(c->shapes);
	memset(c, 0, sizeof(*c));
}

/* "INSERT INTO t (a, b) VALUES (?1, ?2)" or "UPDATE t SET a = ?3 ... WHERE owner = ?1 AND
 * id = ?2" for the columns whose value in `vals` is defined. */
static int shape_build(hearth_buf *sql, const hearth_table_decl *t, int op, sqlite3_value **vals)
{
	int i, n = 0, rc;

	if (op == SQLITE_INSERT) {
		rc = hearth_buf_printf(sql, "INSERT INTO \"%s\" (", t->name);
		for (i = 0; rc == 0 && i < t->ncol; i++)
			if (vals[i])
				rc = hearth_buf_printf(sql, "%s\"%s\"", n++ ? ", " : "", t->cols[i].name);
		if (rc == 0)
			rc = hearth_buf_puts(sql, ") VALUES (");
		for (i = 0, n = 0; rc == 0 && i < t->ncol; i++)
			if (vals[i])
				rc = hearth_buf_printf(sql, "%s?%d", n++ ? ", " : "", i + 1);
		return rc == 0 ? hearth_buf_putc(sql, ')') : rc;
	}
	rc = hearth_buf_printf(sql, "UPDATE \"%s\" SET ", t->name);
	for (i = 0; rc == 0 && i < t->ncol; i++)
		if (vals[i])
			rc = hearth_buf_printf(sql, "%s\"%s\" = ?%d", n++ ? ", " : "", t->cols[i].name,
				i + 3);
	return rc == 0 ? hearth_buf_puts(sql, " WHERE owner = ?1 AND id = ?2") : rc;
}

/* The statement writing the defined values of `vals`. The first SYNC_SQL_SHAPES shapes of a
 * round are built once and their statements cached (*cached = 1: hearth_stmt_done); any further
 * one (a crafted entry can make thousands) is prepared for this row alone (*cached = 0:
 * sqlite3_finalize), so neither cache grows without bound. */
static int shape_stmt(merge_ctx *m, const hearth_table_decl *t, int op, sqlite3_value **vals,
	sqlite3_stmt **st, int *cached)
{
	sync_sql_cache *c = m->sql;
	struct sync_sql_shape *s;
	hearth_buf sql = HEARTH_BUF_INIT;
	uint64_t cols = 0;
	int i, rc;

	*cached = 0;
	for (i = 0; i < t->ncol && i < 64; i++)
		if (vals[i])
			cols |= (uint64_t)1 << i;
	for (i = 0; c && t->ncol <= 64 && i < c->n; i++)
		if (c->shapes[i].t == t && c->shapes[i].op == op && c->shapes[i].cols == cols) {
			*cached = 1;
			return hearth_db_stmt(m->db, st, c->shapes[i].sql);
		}
	if ((rc = shape_build(&sql, t, op, vals)) < 0)
		goto done;
	if (!c || t->ncol > 64 || c->n >= SYNC_SQL_SHAPES) {
		rc = hearth_sql_prepare(st, m->h, sql.ptr);
		goto done;
	}
	if (c->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 16;
		if (!(s = realloc(c->shapes, (size_t)cap * sizeof(*s)))) {
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
			goto done;
		}
		c->shapes = s;
		c->cap = cap;
	}
	if ((rc = hearth_db_stmt(m->db, st, sql.ptr)) < 0)
		goto done;
	*cached = 1;
	s = &c->shapes[c->n];
	s->t = t;
	s->op = op;
	s->cols = cols;
	if ((s->sql = hearth_buf_detach(&sql)))
		c->n++;
done:
	hearth_buf_dispose(&sql);
	return rc;
}

static void stmt_release(sqlite3_stmt *st, int cached)
{
	if (cached)
		hearth_stmt_done(st);
	else
		sqlite3_finalize(st);
}

/* A cached statement on one table: `head`, the quoted table name, `tail`. */
static int table_stmt(hearth_db *db, const hearth_table_decl *t, const char *head,
	const char *tail, sqlite3_stmt **st)
{
	char sql[512];
	int n = snprintf(sql, sizeof(sql), "%s\"%s\"%s", head, t->name, tail);

	*st = NULL;
	if (n < 0 || (size_t)n >= sizeof(sql))
		return hearth_error_set(HEARTH_ERROR, _("table name '%.60s' is too long"), t->name);
	return hearth_db_stmt(db, st, sql);
}

int sync_row_load(hearth_db *db, const hearth_table_decl *t, sqlite3_value *owner,
	sqlite3_value *id, sqlite3_value **cur, int *found)
{
	sqlite3_stmt *st = NULL;
	int unbound = 0;
	int i, rc;

	*found = 0;
	if ((rc = table_stmt(db, t, "SELECT * FROM ", " WHERE owner = ?1 AND id = ?2", &st)) < 0)
		return rc;
	bind_value(st, 1, owner, &unbound);
	bind_value(st, 2, id, &unbound);
	/* a failed read is an error, not "no row": that would take an update for one meeting a
	 * delete */
	if ((rc = step(st, unbound)) == SQLITE_ROW) {
		*found = 1;
		rc = 0;
		for (i = 0; i < t->ncol; i++)
			if (!(cur[i] = sqlite3_value_dup(sqlite3_column_value(st, i)))) {
				rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
				break;
			}
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot read the row"));
	}
	hearth_stmt_done(st);
	return rc;
}

static int row_insert(merge_ctx *m, const hearth_table_decl *t, sqlite3_value **vals)
{
	sqlite3_stmt *st = NULL;
	int unbound = 0;
	int i, cached, rc;

	if ((rc = shape_stmt(m, t, SQLITE_INSERT, vals, &st, &cached)) < 0)
		return rc;
	for (i = 0; i < t->ncol; i++)
		if (vals[i])
			bind_value(st, i + 1, vals[i], &unbound);
	if (step(st, unbound) != SQLITE_DONE)
		rc = hearth_error_sqlite(m->h, HEARTH_ECORRUPT, _("change refused by the schema"));
	stmt_release(st, cached);
	return rc;
}

static int row_update(merge_ctx *m, const hearth_table_decl *t, sqlite3_value *owner,
	sqlite3_value *id, sqlite3_value **set)
{
	sqlite3_stmt *st = NULL;
	int unbound = 0;
	int i, n = 0, cached, rc;

	for (i = 0; i < t->ncol; i++)
		n += set[i] != NULL;
	if (n == 0)
		return 0;
	if ((rc = shape_stmt(m, t, SQLITE_UPDATE, set, &st, &cached)) < 0)
		return rc;
	bind_value(st, 1, owner, &unbound);
	bind_value(st, 2, id, &unbound);
	for (i = 0; i < t->ncol; i++)
		if (set[i])
			bind_value(st, i + 3, set[i], &unbound);
	if (step(st, unbound) != SQLITE_DONE)
		rc = hearth_error_sqlite(m->h, HEARTH_ECORRUPT, _("change refused by the schema"));
	stmt_release(st, cached);
	return rc;
}

static int row_delete(merge_ctx *m, const hearth_table_decl *t, sqlite3_value *owner,
	sqlite3_value *id)
{
	sqlite3_stmt *st = NULL;
	int unbound = 0;
	int rc;

	if ((rc = table_stmt(m->db, t, "DELETE FROM ", " WHERE owner = ?1 AND id = ?2", &st)) < 0)
		return rc;
	bind_value(st, 1, owner, &unbound);
	bind_value(st, 2, id, &unbound);
	if (step(st, unbound) != SQLITE_DONE)
		rc = hearth_error_sqlite(m->h, HEARTH_ECORRUPT, _("delete refused by the schema"));
	hearth_stmt_done(st);
	return rc == 0 ? origin_clear(m->db, t->name, owner, id) : rc;
}

/* Decide column by column for a change meeting an existing row (UPDATE, or INSERT of a key that
 * exists). old[i] NULL = the node did not say what it saw. */
static int merge_columns(merge_ctx *m, const hearth_table_decl *t, sqlite3_value **cur,
	sqlite3_value **old, sqlite3_value **nw, sqlite3_value **set)
{
	int i, eq, rc = 0;

	for (i = 0; rc == 0 && i < t->ncol; i++) {
		const hearth_column_decl *c = &t->cols[i];
		origin held;
		char held_hex[HEARTH_CLOCK_HEX + 1] = "";

		if (c->is_pk || !nw[i] || (eq = values_equal(cur[i], nw[i])) > 0)
			continue;
		if (eq < 0 || (old && old[i] && (eq = values_equal(cur[i], old[i])) < 0)) {
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
			break;
		}
		if (old && old[i] && eq) {
			set[i] = nw[i]; /* the node saw what we hold: no conflict */
			rc = origin_set(m->db, t->name, cur[0], cur[1], c->name, m->clock_hex,
				m->node);
			continue;
		}
		if ((rc = origin_get(m, t, cur[0], cur[1], c->name, &held)) < 0)
			break;
		if (held.clock)
			hearth_clock_format(held_hex, held.clock);
		if (sync_merge_incoming_wins(c, held.clock, held.node, cur[i], m->clock, m->node,
			    nw[i])) {
			set[i] = nw[i];
			rc = log_conflict(m, t, cur[0], cur[1], c->name, c->policy_text, nw[i],
				m->node, m->clock_hex, cur[i], held.node, held_hex);
			if (rc == 0)
				rc = origin_set(m->db, t->name, cur[0], cur[1], c->name, m->clock_hex,
					m->node);
		} else {
			rc = log_conflict(m, t, cur[0], cur[1], c->name, c->policy_text, cur[i],
				held.node, held_hex, nw[i], m->node, m->clock_hex);
		}
	}
	return rc;
}

static int merge_change(merge_ctx *m, sqlite3_changeset_iter *it)
{
	const hearth_schema *s = hearth_db_schema(m->db);
	const hearth_table_decl *t;
	const char *tab;
	int ncol, op, indirect, i, eq, found = 0, rc = 0;
	sqlite3_value **old = NULL, **nw = NULL, **cur = NULL, **set = NULL;
	sqlite3_value *owner, *id;

	sqlite3changeset_op(it, &tab, &ncol, &op, &indirect);
	/* fewer columns: a node still on an older schema; the columns added since are lifted
	 * (undefined: inserts take their defaults, updates leave them) */
	if (!(t = hearth_schema_table(s, tab)) || ncol > t->ncol || ncol < 2)
		return hearth_error_set(HEARTH_ECORRUPT,
			_("entry changes '%.60s' with %d columns, not a table of this schema"), tab, ncol);
	old = calloc((size_t)t->ncol, sizeof(*old));
	nw = calloc((size_t)t->ncol, sizeof(*nw));
	cur = calloc((size_t)t->ncol, sizeof(*cur));
	set = calloc((size_t)t->ncol, sizeof(*set));
	if (!old || !nw || !cur || !set) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	for (i = 0; i < ncol; i++) {
		if (op != SQLITE_INSERT)
			sqlite3changeset_old(it, i, &old[i]);
		if (op != SQLITE_DELETE)
			sqlite3changeset_new(it, i, &nw[i]);
	}
	owner = op == SQLITE_INSERT ? nw[0] : old[0];
	id = op == SQLITE_INSERT ? nw[1] : old[1];
	if (!owner || !id)
		goto corrupt;
	if ((rc = sync_row_load(m->db, t, owner, id, cur, &found)) < 0)
		goto done;
	if (op == SQLITE_INSERT) {
		for (i = 0; i < ncol; i++)
			if (!nw[i])
				goto corrupt;
		/* one origin row for the new row: a key that is not there has no origins left, as
		 * every delete clears them (row_delete, sync_origin_note) */
		if (!found) {
			if ((rc = row_insert(m, t, nw)) == 0)
				rc = origin_set(m->db, t->name, owner, id, "", m->clock_hex, m->node);
		} else if ((rc = merge_columns(m, t, cur, NULL, nw, set)) == 0)
			rc = row_update(m, t, owner, id, set);
	} else if (op == SQLITE_UPDATE) {
		if (!found) {
			/* update meets delete: the delete wins, every value of the update is kept */
			for (i = 2; rc == 0 && i < ncol; i++)
				if (nw[i])
					rc = log_conflict(m, t, owner, id, t->cols[i].name, "delete",
						NULL, NULL, NULL, nw[i], m->node, m->clock_hex);
		} else if ((rc = merge_columns(m, t, cur, old, nw, set)) == 0)
			rc = row_update(m, t, owner, id, set);
	} else if (found) {
		/* delete meets update: the delete wins, the values changed since are kept */
		for (i = 2; rc == 0 && i < t->ncol; i++)
			if (old[i] && (eq = values_equal(old[i], cur[i])) != 1) {
				origin held;
				char held_hex[HEARTH_CLOCK_HEX + 1] = "";
				if (eq < 0) {
					rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
					break;
				}
				if ((rc = origin_get(m, t, owner, id, t->cols[i].name, &held)) < 0)
					break;
				if (held.clock)
					hearth_clock_format(held_hex, held.clock);
				rc = log_conflict(m, t, owner, id, t->cols[i].name, "delete", NULL,
					m->node, m->clock_hex, cur[i], held.node, held_hex);
			}
		if (rc == 0)
			rc = row_delete(m, t, owner, id);
	}
	goto done;
corrupt:
	rc = hearth_error_set(HEARTH_ECORRUPT, _("entry for '%s' lacks values it must carry"), tab);
done:
	for (i = 0; cur && i < t->ncol; i++)
		sqlite3_value_free(cur[i]);
	free(old);
	free(nw);
	free(cur);
	free(set);
	return rc;
}

/* Apply `cs` from `node` at `clock` to the office database (inside the caller's transaction and
 * session). */
static int merge_changeset(merge_ctx *m, const void *cs, int n)
{
	sqlite3_changeset_iter *it = NULL;
	int step, rc = 0;

	if (sqlite3changeset_start(&it, n, (void *)cs) != SQLITE_OK)
		return hearth_error_set(HEARTH_ECORRUPT, _("changeset does not parse"));
	while (rc == 0 && (step = sqlite3changeset_next(it)) == SQLITE_ROW)
		rc = merge_change(m, it);
	if (rc == 0 && step != SQLITE_DONE)
		rc = hearth_error_set(HEARTH_ECORRUPT, _("changeset does not parse"));
	sqlite3changeset_finalize(it);
	return rc;
}

int sync_merge_entry(hearth_db *db, sync_sql_cache *sql, const char *node, const sync_entry *e,
	int *conflicts)
{
	merge_ctx m;
	uint64_t limit = hearth_time_now_ms() + SYNC_CLOCK_AHEAD_MS;
	int clamped = 0;

	memset(&m, 0, sizeof(m));
	m.db = db;
	m.h = hearth_db_sqlite(db);
	m.sql = sql;
	m.node = node;
	m.clock = e->head.clock;
	/* a device clock far ahead must not win every future conflict */
	if (HEARTH_CLOCK_MS(m.clock) > limit) {
		m.clock = limit << 16;
		clamped = 1;
	}
	hearth_clock_format(m.clock_hex, m.clock);
	*conflicts = 0;
	{
		int rc = merge_changeset(&m, e->cs.ptr, (int)e->cs.size);
		*conflicts = m.conflicts;
		return rc < 0 ? rc : clamped;
	}
}

/* The office's own writes are applied already; only their origins are noted. */
int sync_origin_note(hearth_db *db, const void *cs, int n, const char *node, const char *clock)
{
	sqlite3_changeset_iter *it = NULL;
	int step, rc = 0;

	if (sqlite3changeset_start(&it, n, (void *)cs) != SQLITE_OK)
		return hearth_error_set(HEARTH_ECORRUPT, _("changeset does not parse"));
	while (rc == 0 && (step = sqlite3changeset_next(it)) == SQLITE_ROW) {
		const char *tab;
		int ncol, op, indirect, i;
		sqlite3_value *owner = NULL, *id = NULL, *v;

		sqlite3changeset_op(it, &tab, &ncol, &op, &indirect);
		if (op == SQLITE_INSERT) {
			sqlite3changeset_new(it, 0, &owner);
			sqlite3changeset_new(it, 1, &id);
			if ((rc = origin_clear(db, tab, owner, id)) == 0)
				rc = origin_set(db, tab, owner, id, "", clock, node);
		} else if (op == SQLITE_DELETE) {
			sqlite3changeset_old(it, 0, &owner);
			sqlite3changeset_old(it, 1, &id);
			rc = origin_clear(db, tab, owner, id);
		} else {
			const hearth_table_decl *t = hearth_schema_table(hearth_db_schema(db), tab);
			sqlite3changeset_old(it, 0, &owner);
			sqlite3changeset_old(it, 1, &id);
			for (i = 2; t && rc == 0 && i < ncol && i < t->ncol; i++)
				if (sqlite3changeset_new(it, i, &v) == SQLITE_OK && v)
					rc = origin_set(db, tab, owner, id, t->cols[i].name, clock, node);
		}
	}
	sqlite3changeset_finalize(it);
	return rc;
}
