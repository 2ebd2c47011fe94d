/*
 * The node's history of changes, kept without adding work to the recorded write: the outbox
 * holds a node's changes until the office acknowledges them, then hearth_history_keep_acked
 * moves them to hearth_history (one INSERT ... SELECT at pull); the entries received on `down`
 * keep their changesets in hearth_received. At the office the merged log (hearth_log) is the
 * history. Nothing here is synced. Purged records are forgotten: their keys go to
 * hearth_forgotten and their changes are cut out of the stored changesets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_int.h"
#include "i18n.h"

void history_change_init(history_change *c)
{
	memset(c, 0, sizeof(*c));
	hearth_buf_init(&c->summary, 0);
	hearth_buf_init(&c->author, 0);
	hearth_buf_init(&c->cs, 0);
}

void history_change_dispose(history_change *c)
{
	hearth_buf_dispose(&c->summary);
	hearth_buf_dispose(&c->author);
	hearth_buf_dispose(&c->cs);
}

/* Every change of the node as one relation: ref, direction, seq, clock, origin, origin_seq,
 * state, summary, author, changeset, own. With `keyed`, each part holds only the seq ?2 (the
 * number of the ref looked up: one row read by its key, not every row's ref computed). */
static int history_sql(hearth_buf *sql, hearth_db *db, int keyed)
{
	const char *by_seq = keyed ? " WHERE seq = ?2" : "";

	if (hearth_db_is_office(db))
		return hearth_buf_printf(sql,
			"SELECT CAST(seq AS TEXT) AS ref, 'local' AS direction, seq, clock, "
			" 'office' AS origin, seq AS origin_seq, 'pending' AS state, summary, author,"
			" changeset, 1 AS own FROM hearth_outbox%s"
			" UNION ALL SELECT CASE origin WHEN 'office' THEN CAST(origin_seq AS TEXT)"
			" ELSE origin || ':' || origin_seq END, 'merged', office_seq, clock, origin,"
			" origin_seq, 'merged', summary, %s, changeset, 1 FROM hearth_log%s",
			by_seq,
			hearth_db_schema_version(db) >= HEARTH_SCHEMA_ACCOUNTS ? "author" : "NULL",
			keyed ? " WHERE origin_seq = ?2" : "");
	return hearth_buf_printf(sql,
		"SELECT CAST(seq AS TEXT) AS ref, 'up' AS direction, seq, clock, '%s' AS origin,"
		" seq AS origin_seq, CASE pushed WHEN 1 THEN 'pushed' ELSE 'pending' END AS state,"
		" summary, author, changeset, 1 AS own FROM hearth_outbox%s"
		" UNION ALL SELECT CAST(seq AS TEXT), 'up', seq, clock, '%s', seq, 'merged', summary,"
		" author, changeset, 1 FROM hearth_history%s"
		" UNION ALL SELECT 'down:' || office_seq, 'down', office_seq, clock, 'office', 0,"
		" 'applied', summary, NULL, changeset, 0 FROM hearth_received%s",
		hearth_db_node(db), by_seq, hearth_db_node(db), by_seq,
		keyed ? " WHERE office_seq = ?2" : "");
}

static int change_read(history_change *c, sqlite3_stmt *st)
{
	const char *t;
	int rc;

	hearth_buf_clear(&c->summary);
	hearth_buf_clear(&c->author);
	hearth_buf_clear(&c->cs);
	snprintf(c->ref, sizeof(c->ref), "%s", sqlite3_column_text(st, 0));
	snprintf(c->direction, sizeof(c->direction), "%s", sqlite3_column_text(st, 1));
	c->seq = sqlite3_column_int64(st, 2);
	snprintf(c->clock, sizeof(c->clock), "%s", sqlite3_column_text(st, 3));
	snprintf(c->origin, sizeof(c->origin), "%s", sqlite3_column_text(st, 4));
	c->origin_seq = sqlite3_column_int64(st, 5);
	snprintf(c->state, sizeof(c->state), "%s", sqlite3_column_text(st, 6));
	t = (const char *)sqlite3_column_text(st, 7);
	if ((rc = hearth_buf_puts(&c->summary, t ? t : "")) < 0)
		return rc;
	c->has_author = sqlite3_column_type(st, 8) != SQLITE_NULL;
	if (c->has_author &&
	    (rc = hearth_buf_puts(&c->author, (const char *)sqlite3_column_text(st, 8))) < 0)
		return rc;
	c->has_cs = sqlite3_column_type(st, 9) != SQLITE_NULL;
	if (c->has_cs && (rc = hearth_buf_put(&c->cs, sqlite3_column_blob(st, 9),
				  (size_t)sqlite3_column_bytes(st, 9))) < 0)
		return rc;
	c->own = sqlite3_column_int(st, 10);
	return 0;
}

/* "office:5" at the office is its own change 5, "5"; anything else is taken as written. */
static int ref_normalise(char *out, size_t size, hearth_db *db, const char *ref)
{
	const char *colon = strchr(ref, ':');
	const char *num = colon ? colon + 1 : ref;
	size_t i;

	if (!*num || strlen(ref) >= size)
		goto bad;
	for (i = 0; num[i]; i++)
		if (num[i] < '0' || num[i] > '9')
			goto bad;
	if (colon && hearth_db_is_office(db) && strncmp(ref, "office:", 7) == 0)
		ref = num;
	snprintf(out, size, "%s", ref);
	return 0;
bad:
	return hearth_error_set(HEARTH_EUSAGE,
		_("'%.60s' names no change: give its number as 'hearth log' shows it (5, down:7, "
		"lucai:3)"),
		ref);
}

int history_change_load(history_change *c, hearth_db *db, const char *ref)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	char name[sizeof(c->ref)];
	int rc;

	if ((rc = ref_normalise(name, sizeof(name), db, ref)) < 0 ||
	    (rc = hearth_buf_puts(&sql, "SELECT * FROM (")) < 0 ||
	    (rc = history_sql(&sql, db, 1)) < 0 ||
	    (rc = hearth_buf_puts(&sql, ") WHERE ref = ?1")) < 0 ||
	    (rc = hearth_sql_prepare(&st, hearth_db_sqlite(db), sql.ptr)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, strtoll(strchr(name, ':') ? strchr(name, ':') + 1 : name, NULL, 10));
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = change_read(c, st);
	else
		rc = hearth_error_set(HEARTH_ENOTFOUND,
			_("no change '%s' at '%s' ('hearth log' lists the changes this node holds)"),
			name, hearth_db_node(db));
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sql);
	return rc;
}

int history_each(hearth_db *db, history_change_fn fn, void *payload)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	history_change c;
	int rc;

	history_change_init(&c);
	if ((rc = hearth_buf_puts(&sql, "SELECT * FROM (")) < 0 ||
	    (rc = history_sql(&sql, db, 0)) < 0 ||
	    (rc = hearth_buf_puts(&sql, ") ORDER BY clock DESC, direction, seq DESC")) < 0 ||
	    (rc = hearth_sql_prepare(&st, hearth_db_sqlite(db), sql.ptr)) < 0)
		goto done;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		if ((rc = change_read(&c, st)) == 0)
			rc = fn(&c, payload);
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sql);
	history_change_dispose(&c);
	return rc;
}

/* ---- small helpers shared with show and undo ---------------------------------------------- */

void history_change_key(sqlite3_changeset_iter *it, int op, sqlite3_value **owner,
	sqlite3_value **id)
{
	*owner = *id = NULL;
	if (op == SQLITE_INSERT) {
		sqlite3changeset_new(it, 0, owner);
		sqlite3changeset_new(it, 1, id);
	} else {
		sqlite3changeset_old(it, 0, owner);
		sqlite3changeset_old(it, 1, id);
	}
}

int history_value_same(sqlite3_value *a, sqlite3_value *b)
{
	int t;

	if (!a || !b)
		return !a && !b;
	if ((t = sqlite3_value_type(a)) != sqlite3_value_type(b))
		return 0;
	switch (t) {
	case SQLITE_NULL:
		return 1;
	case SQLITE_INTEGER:
		return sqlite3_value_int64(a) == sqlite3_value_int64(b);
	case SQLITE_FLOAT:
		return sqlite3_value_double(a) == sqlite3_value_double(b);
	default:
		return sqlite3_value_bytes(a) == sqlite3_value_bytes(b) &&
			memcmp(sqlite3_value_blob(a), sqlite3_value_blob(b),
				(size_t)sqlite3_value_bytes(a)) == 0;
	}
}

int history_forgotten(hearth_db *db, const char *table, sqlite3_value *owner, sqlite3_value *id)
{
	sqlite3_stmt *st = NULL;
	int yes;

	if (!owner || !id ||
	    hearth_db_stmt(db, &st,
		    "SELECT 1 FROM hearth_forgotten WHERE tbl = ?1 AND owner = ?2 AND id = ?3") < 0)
		return 0;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_value(st, 2, owner);
	sqlite3_bind_value(st, 3, id);
	yes = sqlite3_step(st) == SQLITE_ROW;
	hearth_stmt_done(st);
	return yes;
}

typedef struct {
	const char *table;
	sqlite3_value *owner, *id;
	int col;
	const char *clock;
	hearth_buf *out;
	int n;
} touch_walk;

/* 1 if the changeset changes column `col` (-1: any) of the row. */
static int cs_touches(const hearth_buf *cs, const char *table, sqlite3_value *owner,
	sqlite3_value *id, int col)
{
	sqlite3_changeset_iter *it = NULL;
	int found = 0;

	if (sqlite3changeset_start(&it, (int)cs->size, cs->ptr) != SQLITE_OK)
		return 0;
	while (!found && sqlite3changeset_next(it) == SQLITE_ROW) {
		const char *tab;
		int ncol, op, ind;
		sqlite3_value *o, *i, *v = NULL;
		sqlite3changeset_op(it, &tab, &ncol, &op, &ind);
		history_change_key(it, op, &o, &i);
		if (strcmp(tab, table) != 0 || !history_value_same(o, owner) ||
		    !history_value_same(i, id))
			continue;
		found = op != SQLITE_UPDATE || col < 0 || col >= ncol ||
			(sqlite3changeset_new(it, col, &v) == SQLITE_OK && v);
	}
	sqlite3changeset_finalize(it);
	return found;
}

static int touch_one(const history_change *c, void *payload)
{
	touch_walk *w = payload;

	if (strcmp(c->clock, w->clock) <= 0)
		return 1; /* newest first: the rest are older */
	if (!c->has_cs || !cs_touches(&c->cs, w->table, w->owner, w->id, w->col))
		return 0;
	return hearth_buf_printf(w->out, "%s%s", w->n++ ? ", " : "", c->ref);
}

int history_touched_by(hearth_db *db, const char *table, sqlite3_value *owner, sqlite3_value *id,
	int col, const char *clock, hearth_buf *out)
{
	touch_walk w = { table, owner, id, col, clock, out, 0 };
	int rc = history_each(db, touch_one, &w);

	return rc > 0 ? 0 : rc;
}

/* ---- keeping history ---------------------------------------------------------------------- */

/* 1 if the database has the history tables (schema 3): a build of an older schema (the field
 * tests run one) keeps no history and pulls as it did. */
static int history_kept(sqlite3 *h)
{
	return sqlite3_table_column_metadata(h, "main", "hearth_forgotten", "tbl", NULL, NULL, NULL,
		       NULL, NULL) == SQLITE_OK;
}

static int scrub_table(sqlite3 *h, const char *table, const char *key, const char *col,
	const char *where);

int hearth_history_keep_acked(hearth_db *db, int64_t ack)
{
	sqlite3 *h = hearth_db_sqlite(db);
	char where[96];
	int rc;

	if (!history_kept(h))
		return 0;
	/* a hearth built with a schema before 6 (the field's, in the tests) keeps no author */
	if (sqlite3_table_column_metadata(h, "main", "hearth_outbox", "author", NULL, NULL, NULL,
		    NULL, NULL) != SQLITE_OK)
		rc = hearth_sql_exec_i64(h,
			"INSERT OR REPLACE INTO hearth_history (seq, clock, summary, changeset) "
			"SELECT seq, clock, summary, changeset FROM hearth_outbox WHERE seq <= ?1",
			ack);
	else
		rc = hearth_sql_exec_i64(h,
			"INSERT OR REPLACE INTO hearth_history (seq, clock, summary, changeset, "
			"author) SELECT seq, clock, summary, changeset, author FROM hearth_outbox "
			"WHERE seq <= ?1",
			ack);
	if (rc < 0 || hearth_sql_count(h, "SELECT count(*) FROM hearth_forgotten") == 0)
		return rc;
	/* what this node wrote of a record purged since keeps no value in its history */
	snprintf(where, sizeof(where), "seq IN (SELECT seq FROM hearth_outbox WHERE seq <= %lld)",
		(long long)ack);
	return scrub_table(h, "hearth_history", "seq", "changeset", where);
}

/* 1 if the entry deletes records of the tables purges apply to and is not this node's own
 * change coming back merged (same clock): then it is a purge, and its rows are forgotten. */
int history_is_echo(sqlite3 *h, const char *clock)
{
	sqlite3_stmt *st = NULL;
	int own;

	if (hearth_sql_prepare(&st, h,
		    "SELECT 1 FROM hearth_outbox WHERE clock = ?1 UNION ALL "
		    "SELECT 1 FROM hearth_history WHERE clock = ?1") < 0)
		return 0;
	sqlite3_bind_text(st, 1, clock, -1, SQLITE_STATIC);
	own = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return own;
}

static int received_purges(sqlite3 *h, const char *clock, const void *cs, int n)
{
	sqlite3_changeset_iter *it = NULL;
	int purges = 0;

	if (history_is_echo(h, clock) || sqlite3changeset_start(&it, n, (void *)cs) != SQLITE_OK)
		return 0;
	while (!purges && sqlite3changeset_next(it) == SQLITE_ROW) {
		const char *tab;
		int ncol, op, ind;
		sqlite3changeset_op(it, &tab, &ncol, &op, &ind);
		purges = op == SQLITE_DELETE && hearth_purge_table(tab);
	}
	sqlite3changeset_finalize(it);
	return purges;
}

/* The rows of the purge tables the entry deletes, into temp.hearth_forget_set. */
static int purge_keys(sqlite3 *h, const void *cs, int n)
{
	sqlite3_changeset_iter *it = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_exec(h,
		     "CREATE TEMP TABLE IF NOT EXISTS hearth_forget_set (tbl TEXT NOT NULL, "
		     "owner TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (tbl, owner, id)); "
		     "DELETE FROM temp.hearth_forget_set;",
		     _("cannot forget purged records"))) < 0 ||
	    (rc = hearth_sql_prepare(&st, h,
		     "INSERT OR IGNORE INTO temp.hearth_forget_set VALUES (?1, ?2, ?3)")) < 0)
		return rc;
	if (sqlite3changeset_start(&it, n, (void *)cs) != SQLITE_OK)
		rc = hearth_error_set(HEARTH_ECORRUPT, _("changeset does not parse"));
	while (rc == 0 && sqlite3changeset_next(it) == SQLITE_ROW) {
		const char *tab;
		int ncol, op, ind;
		sqlite3_value *o, *i;
		sqlite3changeset_op(it, &tab, &ncol, &op, &ind);
		if (op != SQLITE_DELETE || !hearth_purge_table(tab))
			continue;
		history_change_key(it, op, &o, &i);
		sqlite3_bind_text(st, 1, tab, -1, SQLITE_STATIC);
		sqlite3_bind_value(st, 2, o);
		sqlite3_bind_value(st, 3, i);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot forget purged records"));
		sqlite3_reset(st);
	}
	sqlite3changeset_finalize(it);
	sqlite3_finalize(st);
	return rc;
}

int hearth_history_received(sqlite3 *h, int64_t office_seq, hearth_clock clock, const void *cs,
	int n)
{
	sqlite3_stmt *st = NULL;
	hearth_buf sum = HEARTH_BUF_INIT;
	char hex[HEARTH_CLOCK_HEX + 1];
	int rc;

	hearth_clock_format(hex, clock);
	if ((rc = hearth_changeset_summary(&sum, cs, n)) < 0 ||
	    (rc = hearth_sql_prepare(&st, h,
		     history_kept(h) ? "INSERT OR REPLACE INTO hearth_received (office_seq, clock, "
				       "summary, changeset) VALUES (?1, ?2, ?3, ?4)"
				     : "INSERT OR REPLACE INTO hearth_received (office_seq, clock, "
				       "summary) VALUES (?1, ?2, ?3)")) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, office_seq);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sum.ptr, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) == 4)
		sqlite3_bind_blob(st, 4, n > 0 ? cs : "", n, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot record received entry"));
		goto done;
	}
	if (history_kept(h) && received_purges(h, hex, cs, n) &&
	    ((rc = purge_keys(h, cs, n)) < 0 ||
		    (rc = hearth_history_forget(h, "temp.hearth_forget_set")) < 0 ||
		    (rc = hearth_sql_exec(h,
			     "INSERT OR REPLACE INTO hearth_meta (key, value) VALUES ('forget_due', '1')",
			     N_("cannot forget purged records"))) < 0))
		goto done;
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sum);
	return rc;
}

/* ---- forgetting purged records ------------------------------------------------------------ */

/* The column of `tab` that names its audience (a node id), -1 if none. */
static int audience_index(sqlite3 *h, const char *tab)
{
	sqlite3_stmt *st = NULL;
	int col = -1;

	if (hearth_sql_prepare(&st, h,
		    "SELECT c.cid FROM hearth_table t, pragma_table_info(t.name) c "
		    "WHERE t.name = ?1 AND c.name = t.audience_col") < 0)
		return -1;
	sqlite3_bind_text(st, 1, tab, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		col = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return col;
}

/* The iterator's DELETE, reduced to its key and audience, into `w`. */
static void delete_keys_only(hearth_cs_writer *w, sqlite3 *h, sqlite3_changeset_iter *it)
{
	const char *tab;
	int ncol, op, ind, npk, c;
	unsigned char *pk;
	sqlite3_value *old[256];

	sqlite3changeset_op(it, &tab, &ncol, &op, &ind);
	sqlite3changeset_pk(it, &pk, &npk);
	if (ncol > 256) {
		w->rc = hearth_error_set(HEARTH_ERROR, _("table '%s' is too wide"), tab);
		return;
	}
	for (c = 0; c < ncol; c++)
		if (sqlite3changeset_old(it, c, &old[c]) != SQLITE_OK)
			old[c] = NULL;
	hearth_cs_writer_table(w, tab, ncol, pk);
	hearth_cs_writer_delete_key_and(w, old, audience_index(h, tab));
}

int hearth_cs_deletes_keys_only(hearth_buf *out, sqlite3 *h, const void *cs, int n)
{
	hearth_cs_writer w = HEARTH_CS_WRITER_INIT;
	sqlite3_changeset_iter *it = NULL;
	int rc;

	if (sqlite3changeset_start(&it, n, (void *)cs) != SQLITE_OK)
		return hearth_error_set(HEARTH_ECORRUPT, _("a stored changeset does not parse"));
	while (w.rc == 0 && sqlite3changeset_next(it) == SQLITE_ROW) {
		const char *tab;
		int ncol, op, ind;
		sqlite3changeset_op(it, &tab, &ncol, &op, &ind);
		if (op == SQLITE_DELETE)
			delete_keys_only(&w, h, it);
		else
			hearth_cs_writer_append_iter(&w, it);
	}
	sqlite3changeset_finalize(it);
	rc = w.rc;
	if (rc == 0) {
		hearth_buf_clear(out);
		rc = hearth_buf_put(out, w.buf.ptr, w.buf.size);
	}
	hearth_cs_writer_dispose(&w);
	return rc;
}

/* `cs` without the changes of forgotten rows into `w`; *cut counts the changes left out. With
 * `keep_deletes` (the office's log, which the downs are cut from), a forgotten row's DELETE
 * stays, reduced to its key: a node that still holds the row deletes it. */
static int cs_without_forgotten(hearth_cs_writer *w, sqlite3 *h, sqlite3_stmt *forgotten,
	const void *cs, int n, int keep_deletes, int *cut)
{
	sqlite3_changeset_iter *it = NULL;

	*cut = 0;
	if (sqlite3changeset_start(&it, n, (void *)cs) != SQLITE_OK)
		return hearth_error_set(HEARTH_ECORRUPT, _("a stored changeset does not parse"));
	while (w->rc == 0 && sqlite3changeset_next(it) == SQLITE_ROW) {
		const char *tab;
		int ncol, op, ind, gone;
		sqlite3_value *o, *i;
		sqlite3changeset_op(it, &tab, &ncol, &op, &ind);
		history_change_key(it, op, &o, &i);
		sqlite3_bind_text(forgotten, 1, tab, -1, SQLITE_STATIC);
		sqlite3_bind_value(forgotten, 2, o);
		sqlite3_bind_value(forgotten, 3, i);
		gone = sqlite3_step(forgotten) == SQLITE_ROW;
		sqlite3_reset(forgotten);
		if (gone)
			(*cut)++;
		if (gone && keep_deletes && op == SQLITE_DELETE)
			delete_keys_only(w, h, it);
		else if (!gone)
			hearth_cs_writer_append_iter(w, it);
	}
	sqlite3changeset_finalize(it);
	return w->rc;
}

/* Rewrite the changesets of `table` (rowid `key`, blob `col`) selected by `where` without the
 * changes of forgotten rows. */
static int scrub_table(sqlite3 *h, const char *table, const char *key, const char *col,
	const char *where)
{
	int keep_deletes = strcmp(table, "hearth_log") == 0;
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *sel = NULL, *upd = NULL, *forgotten = NULL;
	int rc;

	if ((rc = hearth_buf_printf(&sql, "SELECT %s, %s FROM %s WHERE %s IS NOT NULL AND %s", key,
		     col, table, col, where)) < 0 ||
	    (rc = hearth_sql_prepare(&sel, h, sql.ptr)) < 0)
		goto done;
	hearth_buf_clear(&sql);
	if ((rc = hearth_buf_printf(&sql, "UPDATE %s SET %s = ?1 WHERE %s = ?2", table, col, key)) <
		    0 ||
	    (rc = hearth_sql_prepare(&upd, h, sql.ptr)) < 0 ||
	    (rc = hearth_sql_prepare(&forgotten, h,
		     "SELECT 1 FROM hearth_forgotten WHERE tbl = ?1 AND owner = ?2 AND id = ?3")) < 0)
		goto done;
	while (rc == 0 && sqlite3_step(sel) == SQLITE_ROW) {
		hearth_cs_writer w = HEARTH_CS_WRITER_INIT;
		int cut = 0;
		rc = cs_without_forgotten(&w, h, forgotten, sqlite3_column_blob(sel, 1),
			sqlite3_column_bytes(sel, 1), keep_deletes, &cut);
		if (rc == 0 && cut > 0) {
			sqlite3_bind_blob(upd, 1, w.buf.ptr, (int)w.buf.size, SQLITE_STATIC);
			sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0));
			if (sqlite3_step(upd) != SQLITE_DONE)
				rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot scrub the history"));
			sqlite3_reset(upd);
		}
		hearth_cs_writer_dispose(&w);
	}
done:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	sqlite3_finalize(forgotten);
	hearth_buf_dispose(&sql);
	return rc;
}

int hearth_history_forget(sqlite3 *h, const char *keys_table)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	int rc;

	if (!history_kept(h))
		return 0;
	if ((rc = hearth_buf_printf(&sql,
		     "INSERT OR IGNORE INTO hearth_forgotten (tbl, owner, id) "
		     "SELECT tbl, owner, id FROM %s",
		     keys_table)) < 0 ||
	    (rc = hearth_sql_exec(h, sql.ptr, N_("cannot forget purged records"))) < 0 ||
	    (rc = scrub_table(h, "hearth_history", "seq", "changeset", "1")) < 0 ||
	    (rc = scrub_table(h, "hearth_received", "office_seq", "changeset", "1")) < 0)
		goto done;
	/* at the office, the merged log is what the downs are cut from: every entry is scrubbed,
	 * a forgotten row's deletes kept as keys (a node that never got the row loses nothing, one
	 * that holds it deletes it), so the log keeps no purged value (docs/security.md) */
	rc = scrub_table(h, "hearth_log", "office_seq", "changeset", "1");
done:
	hearth_buf_dispose(&sql);
	return rc;
}

/* ---- the guard on wide changes -------------------------------------------------------------- */

int hearth_wide_rows(hearth_db *db)
{
	hearth_buf v = HEARTH_BUF_INIT;
	long rows = HEARTH_WIDE_ROWS_DEFAULT;

	if (hearth_meta_get(db, "wide_change_rows", &v) == 0)
		rows = strtol(v.ptr, NULL, 10);
	hearth_buf_dispose(&v);
	return rows > 0 && rows < 1000000000 ? (int)rows : 0;
}

void hearth_db_set_wide_limit(hearth_db *db, int rows)
{
	db->wide_limit = rows > 0 ? rows : 0;
}
