/*
 * Typed tables (schema 5), the lifting half: a change written before the checks (an older
 * node's or office's, or one stored before the migration) has each value the checks refuse
 * converted or replaced before it applies. A value is checked alone against a TEMP table made
 * from its table's own SQL (types and CHECKs, no keys), so the checks are never written twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "i18n.h"
#include "typed_int.h"

/* ---- lifting changesets: one value at a time ----------------------------------------------- */

/* References to reference data (the triggers of 005_typed.sql): checked here on a value alone. */
static const struct {
	const char *tbl, *col, *ref;
} typed_refs[] = {
	{ "node", "region_id", "region" },
	{ "care_offer", "service_type_id", "service_type" },
	{ "volunteer_team", "service_type_id", "service_type" },
	{ "service_request", "service_type_id", "service_type" },
	{ "region", "parent_id", "region" },
	{ "request_tally", "service_type_id", "service_type" },
};

/* A TEMP table with the columns, types and CHECKs of `t` and nothing else (no key, no NOT NULL,
 * no foreign key): one value inserted alone meets exactly its own column's checks. Made from the
 * table's own SQL, so the checks are never written twice. */
static int shadow_ensure(sqlite3 *h, const typed_table *t)
{
	sqlite3_stmt *st = NULL;
	hearth_buf sql = HEARTH_BUF_INIT;
	const char *def, *p, *start;
	int depth = 0, rc, quote = 0;

	if ((rc = hearth_sql_prepare(&st, h,
		     "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW || !(def = (const char *)sqlite3_column_text(st, 0)) ||
	    !(p = strchr(def, '('))) {
		sqlite3_finalize(st);
		return hearth_error_set(HEARTH_ECORRUPT, _("no definition of table '%s'"), t->name);
	}
	hearth_buf_printf(&sql, "CREATE TEMP TABLE IF NOT EXISTS \"hearth_check_%s\" (", t->name);
	for (start = ++p; *p; p++) {
		if (*p == '\'')
			quote = !quote;
		if (quote)
			continue;
		if (*p == '(')
			depth++;
		else if ((*p == ',' && depth == 0) || (*p == ')' && depth-- == 0)) {
			/* one column definition or table constraint: [start, p) */
			const char *s = start, *nn;
			while (*s == ' ' || *s == '\t' || *s == '\n')
				s++;
			if (strncmp(s, "PRIMARY KEY", 11) != 0 && strncmp(s, "FOREIGN KEY", 11) != 0) {
				hearth_buf_puts(&sql, sql.ptr[sql.size - 1] == '(' ? "" : ", ");
				/* drop NOT NULL: the other columns of the probe row are NULL */
				while ((nn = strstr(s, " NOT NULL")) != NULL && nn < p) {
					hearth_buf_put(&sql, s, (size_t)(nn - s));
					s = nn + 9;
				}
				hearth_buf_put(&sql, s, (size_t)(p - s));
			}
			start = p + 1;
			if (*p == ')')
				break;
		}
	}
	hearth_buf_puts(&sql, ") STRICT");
	sqlite3_finalize(st);
	rc = hearth_sql_exec(h, sql.ptr, N_("cannot make a check table"));
	hearth_buf_dispose(&sql);
	return rc;
}

/* 1 if `v` passes the checks of t.col alone, 0 if not (why into `why`), <0 on error. */
static int value_ok(sqlite3 *h, const typed_table *t, int col, sqlite3_value *v, hearth_buf *why)
{
	char sql[200];
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc, step;

	hearth_buf_clear(why);
	if (sqlite3_value_type(v) == SQLITE_NULL) {
		if (!t->cols[col].notnull)
			return 1;
		hearth_buf_printf(why, "NOT NULL constraint failed: %s.%s", t->name, t->cols[col].name);
		return 0;
	}
	snprintf(sql, sizeof(sql), "INSERT INTO temp.\"hearth_check_%s\" (\"%s\") VALUES (?1)",
		t->name, t->cols[col].name);
	if ((rc = hearth_sql_prepare(&st, h, sql)) < 0)
		return rc;
	sqlite3_bind_value(st, 1, v);
	step = sqlite3_step(st);
	if (step != SQLITE_DONE)
		hearth_buf_puts(why, sqlite3_errmsg(h));
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql), "DELETE FROM temp.\"hearth_check_%s\"", t->name);
	if ((rc = hearth_sql_exec(h, sql, N_("cannot clear a check table"))) < 0)
		return rc;
	if (step != SQLITE_DONE)
		return (step & 0xff) == SQLITE_CONSTRAINT ? 0 :
							    hearth_error_set(HEARTH_ERROR, "%s", why->ptr);
	for (i = 0; i < sizeof(typed_refs) / sizeof(*typed_refs); i++) {
		if (strcmp(typed_refs[i].tbl, t->name) || strcmp(typed_refs[i].col, t->cols[col].name))
			continue;
		snprintf(sql, sizeof(sql), "SELECT EXISTS (SELECT 1 FROM \"%s\" WHERE id = ?1)",
			typed_refs[i].ref);
		if ((rc = hearth_sql_prepare(&st, h, sql)) < 0)
			return rc;
		sqlite3_bind_value(st, 1, v);
		rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
		sqlite3_finalize(st);
		if (rc < 0)
			return hearth_error_sqlite(h, HEARTH_ERROR, _("cannot check a reference"));
		if (rc == 0)
			hearth_buf_printf(why, "unknown reference: %s", t->cols[col].name);
		return rc;
	}
	return 1;
}

typedef struct {
	sqlite3 *h;
	typed_table *tabs;
	int ntabs;
	const char *origin; /* who sent the values (NULL: record nothing) */
} lift_ctx;

static const typed_table *lift_table(lift_ctx *c, const char *name)
{
	typed_table *grown;
	int i;

	for (i = 0; i < c->ntabs; i++)
		if (strcmp(c->tabs[i].name, name) == 0)
			return &c->tabs[i];
	if (!(grown = realloc(c->tabs, (size_t)(c->ntabs + 1) * sizeof(*grown))))
		return NULL;
	c->tabs = grown;
	if (typed_table_load(&c->tabs[c->ntabs], c->h, name) < 0 ||
	    shadow_ensure(c->h, &c->tabs[c->ntabs]) < 0) {
		typed_table_dispose(&c->tabs[c->ntabs]);
		return NULL;
	}
	return &c->tabs[c->ntabs++];
}

/* Make *v pass the checks of t.col: converted if its form is clear, else replaced by the
 * column's default, NULL or a safe value (recorded as to fix when `row` is given). */
static int lift_value(lift_ctx *c, const typed_table *t, int col, sqlite3_value **v,
	sqlite3_value *owner, sqlite3_value *id)
{
	hearth_buf why = HEARTH_BUF_INIT, what = HEARTH_BUF_INIT, reason = HEARTH_BUF_INIT;
	sqlite3_value *vals[64] = { 0 }, *original = NULL;
	const char *text;
	char conv[64];
	int rc, tries = 0;

	if ((rc = value_ok(c->h, t, col, *v, &why)) != 0) {
		rc = rc > 0 ? 0 : rc; /* fine as it is */
		goto done;
	}
	if (!(original = sqlite3_value_dup(*v))) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	hearth_buf_printf(&reason, "%s", why.ptr);
	vals[col] = sqlite3_value_dup(*v);
	text = (const char *)sqlite3_value_text(*v);
	if (sqlite3_value_type(*v) == SQLITE_TEXT && text && typed_convert_text(text, conv, sizeof conv) &&
	    (rc = typed_replace_by(c->h, vals, col, "SELECT ?1", conv)) == 0 &&
	    (rc = value_ok(c->h, t, col, vals[col], &why)) != 0)
		goto take;
	while ((rc = typed_next_placed(c->h, t, vals, col, &tries, &what)) == 0)
		if ((rc = value_ok(c->h, t, col, vals[col], &why)) != 0)
			break;
	if (rc <= 0) {
		if (rc == 0)
			rc = hearth_error_set(HEARTH_ERROR, _("no value of '%s.%s' passes its checks"),
				t->name, t->cols[col].name);
		goto done;
	}
	if (owner && c->origin) {
		hearth_buf_printf(&reason, "; %s", what.ptr);
		if ((rc = typed_set_aside(c->h, "temp.hearth_to_fix_pending", t->name, owner, id,
			     t->cols[col].name, original, vals[col], reason.ptr, c->origin)) < 0)
			goto done;
		rc = 1;
	}
take:
	if (rc > 0) {
		sqlite3_value_free(*v);
		*v = vals[col];
		vals[col] = NULL;
		rc = 0;
	}
done:
	sqlite3_value_free(vals[col]);
	sqlite3_value_free(original);
	hearth_buf_dispose(&why);
	hearth_buf_dispose(&what);
	hearth_buf_dispose(&reason);
	return rc < 0 ? rc : 0;
}

static int lift_change(lift_ctx *c, hearth_cs_writer *w, sqlite3_changeset_iter *it)
{
	const char *tab;
	const typed_table *t;
	unsigned char *pk;
	sqlite3_value *old[64] = { 0 }, *nw[64] = { 0 }, *v;
	int ncol, op, indirect, npk, i, rc = 0;

	sqlite3changeset_op(it, &tab, &ncol, &op, &indirect);
	sqlite3changeset_pk(it, &pk, &npk);
	if (op == SQLITE_DELETE || !(t = lift_table(c, tab)) || ncol > t->ncol || ncol > 64) {
		hearth_cs_writer_append_iter(w, it);
		return w->rc;
	}
	for (i = 0; i < ncol && rc == 0; i++) {
		if (op == SQLITE_UPDATE && sqlite3changeset_old(it, i, &v) == SQLITE_OK && v &&
		    !(old[i] = sqlite3_value_dup(v)))
			rc = -1;
		if (sqlite3changeset_new(it, i, &v) == SQLITE_OK && v && !(nw[i] = sqlite3_value_dup(v)))
			rc = -1;
	}
	if (rc < 0) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	for (i = 0; i < ncol && rc == 0; i++) {
		sqlite3_value **key = op == SQLITE_UPDATE ? old : nw;
		if (pk[i])
			continue;
		if (old[i])
			rc = lift_value(c, t, i, &old[i], NULL, NULL);
		if (rc == 0 && nw[i])
			rc = lift_value(c, t, i, &nw[i], key[t->owner_col], key[t->id_col]);
	}
	if (rc == 0) {
		hearth_cs_writer_table(w, tab, ncol, pk);
		hearth_cs_writer_change(w, op, indirect, op == SQLITE_UPDATE ? old : NULL, nw);
		rc = w->rc;
	}
done:
	for (i = 0; i < ncol; i++) {
		sqlite3_value_free(old[i]);
		sqlite3_value_free(nw[i]);
	}
	return rc;
}

int hearth_typed_lift(sqlite3 *h, const void *cs, int n, const char *origin, hearth_buf *out)
{
	lift_ctx c = { h, NULL, 0, origin };
	hearth_cs_writer w = HEARTH_CS_WRITER_INIT;
	sqlite3_changeset_iter *it = NULL;
	int rc = 0, i;

	if (origin && (rc = hearth_sql_exec(h,
			       "CREATE TEMP TABLE IF NOT EXISTS hearth_to_fix_pending AS "
			       "SELECT * FROM hearth_to_fix WHERE 0",
			       N_("cannot list the values to fix"))) < 0)
		return rc;
	if (sqlite3changeset_start(&it, n, (void *)cs) != SQLITE_OK)
		return hearth_error_set(HEARTH_ECORRUPT, _("cannot read a changeset to lift"));
	while (rc == 0 && sqlite3changeset_next(it) == SQLITE_ROW)
		rc = lift_change(&c, &w, it);
	if (sqlite3changeset_finalize(it) != SQLITE_OK && rc == 0)
		rc = hearth_error_set(HEARTH_ECORRUPT, _("cannot read a changeset to lift"));
	if (rc == 0) {
		hearth_buf_dispose(out);
		*out = w.buf;
		w.buf = (hearth_buf)HEARTH_BUF_INIT;
	}
	hearth_cs_writer_dispose(&w);
	for (i = 0; i < c.ntabs; i++)
		typed_table_dispose(&c.tabs[i]);
	free(c.tabs);
	return rc;
}

int hearth_typed_fix_commit(sqlite3 *h)
{
	if (hearth_sql_count(h, "SELECT count(*) FROM temp.sqlite_schema "
				"WHERE name = 'hearth_to_fix_pending'") <= 0)
		return 0;
	return hearth_sql_exec(h,
		"INSERT OR REPLACE INTO hearth_to_fix SELECT * FROM temp.hearth_to_fix_pending; "
		"DELETE FROM temp.hearth_to_fix_pending",
		N_("cannot record the values to fix"));
}

/* The stored changes (outbox, overlay, history, received, the office's log) were recorded
 * before the checks: lifted like an older node's, so that what a pull or an undo applies
 * passes the checks and matches the rows the migration kept. */
int typed_lift_stored(sqlite3 *h)
{
	static const char *const stores[][2] = { { "hearth_outbox", "seq" },
		{ "hearth_overlay", "id" }, { "hearth_history", "seq" },
		{ "hearth_received", "office_seq" }, { "hearth_log", "office_seq" } };
	hearth_buf sql = HEARTH_BUF_INIT, lifted = HEARTH_BUF_INIT;
	sqlite3_stmt *rd = NULL, *wr = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(stores) / sizeof(*stores) && rc == 0; i++) {
		hearth_buf_clear(&sql);
		hearth_buf_printf(&sql, "SELECT %s, changeset FROM %s WHERE changeset IS NOT NULL",
			stores[i][1], stores[i][0]);
		if ((rc = hearth_sql_prepare(&rd, h, sql.ptr)) < 0)
			break;
		hearth_buf_clear(&sql);
		hearth_buf_printf(&sql, "UPDATE %s SET changeset = ?2 WHERE %s = ?1", stores[i][0],
			stores[i][1]);
		if ((rc = hearth_sql_prepare(&wr, h, sql.ptr)) < 0)
			break;
		while (rc == 0 && sqlite3_step(rd) == SQLITE_ROW) {
			if ((rc = hearth_typed_lift(h, sqlite3_column_blob(rd, 1),
				     sqlite3_column_bytes(rd, 1), NULL, &lifted)) < 0)
				break;
			sqlite3_bind_int64(wr, 1, sqlite3_column_int64(rd, 0));
			sqlite3_bind_blob(wr, 2, lifted.ptr, (int)lifted.size, SQLITE_STATIC);
			if (sqlite3_step(wr) != SQLITE_DONE)
				rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot store a lifted change"));
			sqlite3_reset(wr);
		}
		sqlite3_finalize(rd);
		sqlite3_finalize(wr);
		rd = wr = NULL;
	}
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	hearth_buf_dispose(&sql);
	hearth_buf_dispose(&lifted);
	return rc;
}

int hearth_typed_check(sqlite3 *h, const char *tbl, const char *col, sqlite3_value *v,
	hearth_buf *why)
{
	typed_table t;
	int rc, i;

	if ((rc = typed_table_load(&t, h, tbl)) == 0 && (rc = shadow_ensure(h, &t)) == 0) {
		for (i = 0; i < t.ncol && strcmp(t.cols[i].name, col) != 0; i++)
			;
		rc = i < t.ncol ? value_ok(h, &t, i, v, why) :
				  hearth_error_set(HEARTH_ENOTFOUND, _("no column '%s.%s'"), tbl, col);
	}
	typed_table_dispose(&t);
	return rc;
}

/* After the copy: a reference to reference data that names nothing is set aside like any value
 * the checks refuse. */
int typed_lift_references(sqlite3 *h)
{
	lift_ctx c = { h, NULL, 0, "migration" };
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL, *up = NULL;
	const typed_table *t;
	size_t i;
	int rc = 0, col;

	if ((rc = hearth_sql_exec(h,
		     "CREATE TEMP TABLE IF NOT EXISTS hearth_to_fix_pending AS "
		     "SELECT * FROM hearth_to_fix WHERE 0",
		     N_("cannot list the values to fix"))) < 0)
		return rc;
	for (i = 0; i < sizeof(typed_refs) / sizeof(*typed_refs) && rc == 0; i++) {
		if (!(t = lift_table(&c, typed_refs[i].tbl))) {
			rc = -1;
			break;
		}
		for (col = 0; col < t->ncol && strcmp(t->cols[col].name, typed_refs[i].col); col++)
			;
		hearth_buf_clear(&sql);
		hearth_buf_printf(&sql,
			"SELECT owner, id, \"%s\" FROM \"%s\" x WHERE \"%s\" IS NOT NULL AND NOT EXISTS "
			"(SELECT 1 FROM \"%s\" r WHERE r.id = x.\"%s\")",
			typed_refs[i].col, typed_refs[i].tbl, typed_refs[i].col, typed_refs[i].ref,
			typed_refs[i].col);
		if ((rc = hearth_sql_prepare(&st, h, sql.ptr)) < 0)
			break;
		hearth_buf_clear(&sql);
		hearth_buf_printf(&sql, "UPDATE \"%s\" SET \"%s\" = ?3 WHERE owner = ?1 AND id = ?2",
			typed_refs[i].tbl, typed_refs[i].col);
		if ((rc = hearth_sql_prepare(&up, h, sql.ptr)) < 0)
			break;
		while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
			sqlite3_value *v = sqlite3_value_dup(sqlite3_column_value(st, 2));
			if (!v) {
				rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
				break;
			}
			if ((rc = lift_value(&c, t, col, &v, sqlite3_column_value(st, 0),
				     sqlite3_column_value(st, 1))) == 0) {
				sqlite3_bind_value(up, 1, sqlite3_column_value(st, 0));
				sqlite3_bind_value(up, 2, sqlite3_column_value(st, 1));
				sqlite3_bind_value(up, 3, v);
				if (sqlite3_step(up) != SQLITE_DONE)
					rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot place a row"));
				sqlite3_reset(up);
			}
			sqlite3_value_free(v);
		}
		sqlite3_finalize(st);
		sqlite3_finalize(up);
		st = up = NULL;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	hearth_buf_dispose(&sql);
	for (col = 0; col < c.ntabs; col++)
		typed_table_dispose(&c.tabs[col]);
	free(c.tabs);
	return rc < 0 ? rc : hearth_typed_fix_commit(h);
}
