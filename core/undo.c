/*
 * `undo`: the inverse of a change, recorded as a new change through the normal write path (the
 * same ownership and audience checks; it syncs like any other; nothing is rewritten). Each cell
 * is put back only if it still holds the value the change wrote; cells changed since are listed
 * and, unless forced, nothing is written. An undo of an undo redoes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_int.h"
#include "i18n.h"

enum { UNDO_DELETE, UNDO_UPDATE, UNDO_INSERT }; /* what undoing an insert, update, delete does */

typedef struct {
	const hearth_table_decl *t;
	int kind, ncol;
	sqlite3_value **vals; /* ncol values to write (NULL: leave); vals[0], vals[1]: the key */
} undo_op;

typedef struct {
	hearth_db *db;
	const history_change *c;
	undo_op *ops;
	int n, cap;
	int skipped;         /* cells (or whole rows) left as they are */
	int force;           /* write the rest anyway */
	hearth_buf *report;  /* one line per skipped cell */
} undo_plan;

static void plan_dispose(undo_plan *p)
{
	int i, k;

	for (i = 0; i < p->n; i++) {
		for (k = 0; k < p->ops[i].ncol; k++)
			sqlite3_value_free(p->ops[i].vals[k]);
		free(p->ops[i].vals);
	}
	free(p->ops);
}

static undo_op *plan_add(undo_plan *p, const hearth_table_decl *t, int kind, int ncol)
{
	undo_op *op;

	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 16;
		undo_op *ops = realloc(p->ops, (size_t)cap * sizeof(*ops));
		if (!ops)
			return NULL;
		p->ops = ops;
		p->cap = cap;
	}
	op = &p->ops[p->n];
	op->t = t;
	op->kind = kind;
	op->ncol = ncol;
	if (!(op->vals = calloc((size_t)ncol, sizeof(*op->vals))))
		return NULL;
	p->n++;
	return op;
}

static int set_val(undo_op *op, int i, sqlite3_value *v)
{
	if (v && !(op->vals[i] = sqlite3_value_dup(v)))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	return 0;
}

/* The row (owner, id) of `t` as it stands: `ncol` values into `cur` (free each), *found. */
static int row_now(hearth_db *db, const hearth_table_decl *t, int ncol, sqlite3_value *owner,
	sqlite3_value *id, sqlite3_value **cur, int *found)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int i, rc;

	*found = 0;
	if ((rc = hearth_buf_printf(&sql, "SELECT * FROM \"%s\" WHERE owner = ?1 AND id = ?2",
		     t->name)) < 0 ||
	    (rc = hearth_sql_prepare(&st, hearth_db_sqlite(db), sql.ptr)) < 0)
		goto done;
	sqlite3_bind_value(st, 1, owner);
	sqlite3_bind_value(st, 2, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*found = 1;
		for (i = 0; i < ncol && i < sqlite3_column_count(st); i++)
			if (!(cur[i] = sqlite3_value_dup(sqlite3_column_value(st, i))))
				rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
	}
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sql);
	return rc;
}

/* One line for a cell (col >= 0) or a row (col < 0) the undo leaves as it is. */
static int skip(undo_plan *p, const hearth_table_decl *t, sqlite3_value *owner, sqlite3_value *id,
	int col, const char *what, sqlite3_value *now)
{
	hearth_buf by = HEARTH_BUF_INIT;
	int rc;

	p->skipped++;
	if ((rc = history_touched_by(p->db, t->name, owner, id, col, p->c->clock, &by)) < 0)
		goto done;
	rc = hearth_buf_printf(p->report, "  %s %s/%s", t->name, sqlite3_value_text(owner),
		sqlite3_value_text(id));
	if (rc == 0 && col >= 0)
		rc = hearth_buf_printf(p->report, " %s", hearth_column_label(t, col));
	if (rc == 0)
		rc = hearth_buf_printf(p->report, ": %s", what);
	if (rc == 0 && now)
		rc = hearth_value_format(p->report, now);
	if (rc == 0 && by.size)
		rc = hearth_buf_printf(p->report, _(" (changed by %s)"), by.ptr);
	if (rc == 0)
		rc = hearth_buf_putc(p->report, '\n');
done:
	hearth_buf_dispose(&by);
	return rc;
}

/* The undo of one change of the changeset (the iterator is on it). */
static int plan_change(undo_plan *p, sqlite3_changeset_iter *it)
{
	const char *tab;
	const hearth_table_decl *t;
	sqlite3_value *owner, *id, *cur[128] = { 0 };
	int ncol, op, ind, found = 0, i, differ = 0, rc;
	undo_op *u;

	sqlite3changeset_op(it, &tab, &ncol, &op, &ind);
	if (!(t = hearth_schema_table(hearth_db_schema(p->db), tab)) || ncol > t->ncol || ncol > 128)
		return hearth_error_set(HEARTH_ECORRUPT, _("change %s writes '%.60s', not a synced table"),
			p->c->ref, tab);
	history_change_key(it, op, &owner, &id);
	if ((rc = row_now(p->db, t, ncol, owner, id, cur, &found)) < 0)
		goto done;
	if (op == SQLITE_DELETE) {
		if (found) {
			rc = skip(p, t, owner, id, -1, "the deleted record exists again", NULL);
			goto done;
		}
		if (!(u = plan_add(p, t, UNDO_INSERT, ncol)))
			goto oom;
		for (i = 0; rc == 0 && i < ncol; i++) {
			sqlite3_value *v = NULL;
			sqlite3changeset_old(it, i, &v);
			rc = set_val(u, i, v);
		}
		goto done;
	}
	if (!found) {
		rc = skip(p, t, owner, id, -1, "the record was deleted since", NULL);
		goto done;
	}
	if (op == SQLITE_INSERT) {
		for (i = 2; rc == 0 && i < ncol; i++) {
			sqlite3_value *v = NULL;
			sqlite3changeset_new(it, i, &v);
			if (!history_value_same(v, cur[i]) && ++differ)
				rc = skip(p, t, owner, id, i, "holds ", cur[i]);
		}
		if (rc == 0 && !differ) {
			if (!(u = plan_add(p, t, UNDO_DELETE, ncol)))
				goto oom;
			rc = set_val(u, 0, owner) < 0 ? -1 : set_val(u, 1, id);
		}
		goto done;
	}
	if (!(u = plan_add(p, t, UNDO_UPDATE, ncol)))
		goto oom;
	if ((rc = set_val(u, 0, owner)) < 0 || (rc = set_val(u, 1, id)) < 0)
		goto done;
	for (i = 2; rc == 0 && i < ncol; i++) {
		sqlite3_value *o = NULL, *v = NULL;
		sqlite3changeset_new(it, i, &v);
		if (!v)
			continue;
		sqlite3changeset_old(it, i, &o);
		if (history_value_same(v, cur[i]))
			rc = set_val(u, i, o);
		else
			rc = skip(p, t, owner, id, i, "holds ", cur[i]);
	}
	goto done;
oom:
	rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
done:
	for (i = 0; i < ncol; i++)
		sqlite3_value_free(cur[i]);
	return rc;
}

static int plan_build(undo_plan *p)
{
	sqlite3_changeset_iter *it = NULL;
	int rc = 0;

	if (!p->c->has_cs)
		return hearth_error_set(HEARTH_ENOTFOUND,
			_("change %s was received before this node kept history: it cannot be undone"),
			p->c->ref);
	if (sqlite3changeset_start(&it, (int)p->c->cs.size, p->c->cs.ptr) != SQLITE_OK)
		return hearth_error_set(HEARTH_ECORRUPT, _("change %s does not parse"), p->c->ref);
	while (rc == 0 && sqlite3changeset_next(it) == SQLITE_ROW)
		rc = plan_change(p, it);
	sqlite3changeset_finalize(it);
	return rc;
}

/* ---- writing the undo ------------------------------------------------------------------------ */

static int run_op(hearth_db *db, const undo_op *u)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int i, k = 0, rc;

	if (u->kind == UNDO_DELETE) {
		rc = hearth_buf_printf(&sql, "DELETE FROM \"%s\" WHERE owner = ?1 AND id = ?2",
			u->t->name);
	} else if (u->kind == UNDO_INSERT) {
		rc = hearth_buf_printf(&sql, "INSERT INTO \"%s\" (", u->t->name);
		for (i = 0; rc == 0 && i < u->ncol; i++)
			rc = hearth_buf_printf(&sql, "%s\"%s\"", i ? ", " : "", u->t->cols[i].name);
		for (i = 0; rc == 0 && i < u->ncol; i++)
			rc = hearth_buf_printf(&sql, "%s?%d", i ? ", " : ") VALUES (", i + 1);
		if (rc == 0)
			rc = hearth_buf_putc(&sql, ')');
	} else {
		rc = hearth_buf_printf(&sql, "UPDATE \"%s\" SET ", u->t->name);
		for (i = 2; rc == 0 && i < u->ncol; i++)
			if (u->vals[i])
				rc = hearth_buf_printf(&sql, "%s\"%s\" = ?%d", k++ ? ", " : "",
					u->t->cols[i].name, i + 1);
		if (rc == 0 && k == 0)
			goto done; /* every cell skipped */
		if (rc == 0)
			rc = hearth_buf_puts(&sql, " WHERE owner = ?1 AND id = ?2");
	}
	if (rc < 0 || (rc = hearth_sql_prepare(&st, hearth_db_sqlite(db), sql.ptr)) < 0)
		goto done;
	for (i = 0; i < u->ncol; i++)
		if (u->vals[i] && (u->kind != UNDO_DELETE || i < 2))
			sqlite3_bind_value(st, i + 1, u->vals[i]);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_EUSAGE, _("cannot undo"));
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sql);
	return rc;
}

/* Deletes children first, then updates, then inserts parents first: the foreign keys hold at
 * every step. */
static int undo_body(hearth_db *db, void *payload)
{
	undo_plan *p = payload;
	const hearth_schema *s = hearth_db_schema(db);
	int kind, r, i, rc;

	/* planned inside the write's transaction: no write can slip in between */
	if ((rc = plan_build(p)) < 0)
		return rc;
	if (p->skipped && !p->force)
		return hearth_error_set(HEARTH_ECONFLICT,
			P_("cannot undo change %s: %d cell was changed since (listed above): nothing "
			   "was written (--force undoes only the cells that still hold its values)",
				"cannot undo change %s: %d cells were changed since (listed above): nothing "
				"was written (--force undoes only the cells that still hold its values)",
				p->skipped),
			p->c->ref, p->skipped);
	if (p->skipped && p->n == 0)
		return hearth_error_set(HEARTH_ECONFLICT,
			_("nothing to undo in change %s: every cell it wrote was changed since"), p->c->ref);
	if ((rc = hearth_sql_exec(hearth_db_sqlite(db), "PRAGMA defer_foreign_keys = ON", N_("undo"))) < 0)
		return rc;
	for (kind = UNDO_DELETE; kind <= UNDO_INSERT; kind++)
		for (r = 0; r < hearth_schema_count(s); r++) {
			const hearth_table_decl *t =
				hearth_schema_at(s, kind == UNDO_DELETE ? hearth_schema_count(s) - 1 - r : r);
			for (i = 0; rc == 0 && i < p->n; i++)
				if (p->ops[i].kind == kind && p->ops[i].t == t)
					rc = run_op(db, &p->ops[i]);
			if (rc < 0)
				return rc;
		}
	return 0;
}

int hearth_undo(hearth_db *db, const char *ref, int force, hearth_buf *report,
	hearth_write_info *out)
{
	undo_plan p;
	history_change c;
	char summary[160];
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	history_change_init(&c);
	p.db = db;
	p.c = &c;
	p.report = report;
	p.force = force;
	if ((rc = history_change_load(&c, db, ref)) < 0)
		goto done;
	if (!c.own) {
		rc = hearth_error_set(HEARTH_EDENIED,
			_("change %s came from the office: a node undoes only its own changes (ask the "
			"office)"),
			c.ref);
		goto done;
	}
	snprintf(summary, sizeof(summary), "undo of change %s", c.ref);
	rc = hearth_write_run(db, undo_body, &p, summary, out);
done:
	plan_dispose(&p);
	history_change_dispose(&c);
	return rc;
}
