/* Audiences: which node receives what of an office log entry (docs/format.md, section 7).
 *
 * A node may receive a value only if it was in the row's audience when the value was written.
 * The downs are cut long after (at the next publish, or later for a node synced one remote at a
 * time), when the office's row may have moved on: so the log entry itself keeps, for each UPDATE
 * of a row with an audience, the audience at the time (the audience column set to itself when
 * the update did not change it) and, when the update moves the audience, the whole row as this
 * update left it (every column set, unchanged ones to themselves). SQLite's iterator drops an
 * old value that has no new one, hence old = new rather than an old value alone. sync_log_note
 * writes that into the entry when it is logged; sync_down_filter reads it back and never the
 * office's current row, except for entries logged before (no audience in the update). What a
 * node receives of such an update is the update as SQLite's session wrote it: the columns set
 * to themselves left out (a session never records a column whose value did not change).
 *
 * An audience node receives only the columns declared for it (hearth_column.audience_sees):
 * the others are left out of its UPDATEs, NULL in its INSERTs, and its DELETEs carry the key
 * alone, so no value of a withheld column reaches it in any form. */
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "core/i18n.h"

#define ROW_COLS_MAX 256

int sync_text_is(sqlite3_value *v, const char *s)
{
	const unsigned char *t = v ? sqlite3_value_text(v) : NULL;

	return t && sqlite3_value_type(v) == SQLITE_TEXT && strcmp((const char *)t, s) == 0;
}

/* The values of the UPDATE at `it` (ncol <= ROW_COLS_MAX) into old/nw. */
static void update_read(sqlite3_changeset_iter *it, int ncol, sqlite3_value **old,
	sqlite3_value **nw)
{
	int i;

	for (i = 0; i < ncol; i++) {
		old[i] = nw[i] = NULL;
		sqlite3changeset_old(it, i, &old[i]);
		sqlite3changeset_new(it, i, &nw[i]);
	}
}

/* Start the block of the table of the change at `it`. */
static void table_start(hearth_cs_writer *w, sqlite3_changeset_iter *it,
	const hearth_table_decl *t)
{
	unsigned char *pk;
	int npk;

	sqlite3changeset_pk(it, &pk, &npk);
	hearth_cs_writer_table(w, t->name, t->ncol, pk);
}

/* 1 if a and b are the same value: same type, same bytes. */
static int value_same(sqlite3_value *a, sqlite3_value *b)
{
	int t = sqlite3_value_type(a), n;

	if (t != sqlite3_value_type(b))
		return 0;
	switch (t) {
	case SQLITE_INTEGER:
		return sqlite3_value_int64(a) == sqlite3_value_int64(b);
	case SQLITE_FLOAT:
		return memcmp(&(double){ sqlite3_value_double(a) },
			       &(double){ sqlite3_value_double(b) }, sizeof(double)) == 0;
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		n = sqlite3_value_bytes(a);
		return n == sqlite3_value_bytes(b) &&
		       (n == 0 || memcmp(sqlite3_value_blob(a), sqlite3_value_blob(b), (size_t)n) == 0);
	default:
		return 1;
	}
}

/* The columns `t`'s audience node receives (1) and those withheld from it (0). */
static void audience_mask(const hearth_table_decl *t, unsigned char *send)
{
	int i;

	for (i = 0; i < t->ncol && i < ROW_COLS_MAX; i++)
		send[i] = (unsigned char)(t->cols[i].audience_sees != 0);
}

/* An INSERT of `row` for the row's audience node: the withheld columns NULL. */
static void append_insert_for_audience(hearth_cs_writer *w, const hearth_table_decl *t,
	sqlite3_changeset_iter *it, sqlite3_value **row)
{
	unsigned char send[ROW_COLS_MAX];

	audience_mask(t, send);
	table_start(w, it, t);
	hearth_cs_writer_insert_masked(w, row, send);
}

/* An UPDATE as the session wrote it: the columns set to themselves left out, and for the row's
 * audience node (`audience`) the columns withheld from it. Nothing if no column is left (an
 * update that only carried its audience, or changed only what the audience is not sent). */
static void append_update_plain(hearth_cs_writer *w, const hearth_table_decl *t,
	sqlite3_changeset_iter *it, int audience)
{
	sqlite3_value *old[ROW_COLS_MAX], *nw[ROW_COLS_MAX];
	int i, changed = 0;

	if (t->ncol > ROW_COLS_MAX)
		return;
	update_read(it, t->ncol, old, nw);
	for (i = 2; i < t->ncol; i++) {
		if ((old[i] && nw[i] && value_same(old[i], nw[i])) ||
		    (audience && !t->cols[i].audience_sees))
			old[i] = nw[i] = NULL;
		changed += nw[i] != NULL;
	}
	if (changed) {
		table_start(w, it, t);
		hearth_cs_writer_change(w, SQLITE_UPDATE, 0, old, nw);
	}
}

typedef struct {
	hearth_cs_writer *w;
	hearth_db *db;
	const hearth_schema *s;
	hearth_buf one;
} log_note_walk;

/* The UPDATE of a row with an audience at `it`, with the audience and, when it moves, the row. */
static void log_note_update(hearth_cs_writer *w, hearth_db *db, const hearth_table_decl *t,
	sqlite3_changeset_iter *it)
{
	sqlite3_value *old[ROW_COLS_MAX], *nw[ROW_COLS_MAX], *cur[ROW_COLS_MAX] = { 0 };
	const char *tab;
	int ncol, op, indirect, i, found = 0, a = t->audience_col;

	sqlite3changeset_op(it, &tab, &ncol, &op, &indirect);
	update_read(it, ncol, old, nw);
	table_start(w, it, t);
	/* the row as it stands is the row right after this change */
	if ((w->rc = sync_row_load(db, t, old[0], old[1], cur, &found)) == 0 && found) {
		for (i = 2; i < ncol; i++)
			if (!nw[i] && (i == a || nw[a]))
				old[i] = nw[i] = cur[i];
	}
	hearth_cs_writer_change(w, SQLITE_UPDATE, indirect, old, nw);
	for (i = 0; i < ncol; i++)
		sqlite3_value_free(cur[i]);
}

/* Every other change is logged as its bytes, without SQLite's iterator. */
static int log_note_change(void *ctx, const hearth_cs_change *c)
{
	log_note_walk *lw = ctx;
	const hearth_table_decl *t = hearth_schema_table(lw->s, c->table);
	sqlite3_changeset_iter *it = NULL;

	if (c->op != SQLITE_UPDATE || !t || t->audience_col < 0 || t->ncol != c->ncol ||
	    c->ncol > ROW_COLS_MAX) {
		hearth_cs_writer_append_raw(lw->w, c);
		return lw->w->rc;
	}
	if (lw->w->rc == 0 && (lw->w->rc = hearth_cs_change_iter(&it, &lw->one, c)) == 0)
		log_note_update(lw->w, lw->db, t, it);
	sqlite3changeset_finalize(it);
	return lw->w->rc;
}

int sync_log_note(hearth_cs_writer *w, hearth_db *db, const void *cs, int n)
{
	log_note_walk lw = { w, db, hearth_db_schema(db), HEARTH_BUF_INIT };
	int rc;

	if (w->rc)
		return w->rc;
	rc = hearth_changeset_each(cs, n, log_note_change, &lw);
	hearth_buf_dispose(&lw.one);
	if (rc == HEARTH_ECORRUPT)
		rc = hearth_error_set(HEARTH_ERROR, _("cannot read the merged changes"));
	if (rc < 0 && w->rc == 0)
		w->rc = rc;
	return w->rc;
}

/* An UPDATE of a row with an audience, for a node that is not its owner. */
static void filter_audience_update(hearth_cs_writer *w, hearth_db *db, const hearth_table_decl *t,
	sqlite3_changeset_iter *it, const char *node)
{
	sqlite3_value *old[ROW_COLS_MAX], *nw[ROW_COLS_MAX], *cur[ROW_COLS_MAX] = { 0 };
	sqlite3_value **row = nw;
	int i, found = 1, whole = 1, was, now, a = t->audience_col;
	sqlite3_value *old_aud, *new_aud;

	if (t->ncol > ROW_COLS_MAX)
		return;
	update_read(it, t->ncol, old, nw);
	for (i = 0; i < t->ncol; i++)
		whole = whole && nw[i];
	/* an entry logged before the audience was kept in it: the row as it stands */
	if (!old[a] || (nw[a] && !whole)) {
		if (sync_row_load(db, t, old[0], old[1], cur, &found) < 0)
			return;
		row = cur;
	}
	old_aud = old[a] ? old[a] : cur[a];
	new_aud = nw[a] ? nw[a] : old_aud;
	was = sync_text_is(old_aud, node);
	now = sync_text_is(new_aud, node);
	if (was && now) {
		append_update_plain(w, t, it, 1);
	} else if (was && !now) {
		/* the row left this node's audience: a delete that carries the key only */
		table_start(w, it, t);
		hearth_cs_writer_delete_key(w, old);
	} else if (!was && now && found) {
		/* the row joined this node's audience: the row as this change left it, the columns
		 * withheld from the audience NULL */
		append_insert_for_audience(w, t, it, row);
	}
	for (i = 0; i < t->ncol; i++)
		sqlite3_value_free(cur[i]);
}

/* A change of a directory row for a node that is not its owner: its public columns only. An
 * insert carries the row with its private columns NULL, an update the public columns it
 * changed (nothing if it changed only private ones), a delete the key only. */
static void filter_directory(hearth_cs_writer *w, const hearth_table_decl *t,
	sqlite3_changeset_iter *it, int op)
{
	sqlite3_value *old[ROW_COLS_MAX], *nw[ROW_COLS_MAX];
	int i, changed = 0;

	if (t->ncol > ROW_COLS_MAX)
		return;
	update_read(it, t->ncol, old, nw);
	if (op == SQLITE_DELETE) {
		table_start(w, it, t);
		hearth_cs_writer_delete_key(w, old);
		return;
	}
	for (i = 2; i < t->ncol; i++) {
		if (!t->cols[i].is_public)
			old[i] = nw[i] = NULL;
		changed += nw[i] != NULL;
	}
	if (op == SQLITE_UPDATE && !changed)
		return;
	table_start(w, it, t);
	if (op == SQLITE_INSERT)
		hearth_cs_writer_insert(w, nw);
	else
		hearth_cs_writer_change(w, SQLITE_UPDATE, 0, old, nw);
}

/* An INSERT or a DELETE of a row whose audience is the node receiving it; with columns
 * withheld from the audience, the INSERT holds them NULL and the DELETE carries the key alone
 * (its old values would carry them). */
static void append_for_audience(hearth_cs_writer *w, const hearth_table_decl *t,
	sqlite3_changeset_iter *it, int op)
{
	sqlite3_value *v[ROW_COLS_MAX];
	int i;

	if (!t->audience_withheld) {
		hearth_cs_writer_append_iter(w, it);
		return;
	}
	if (t->ncol > ROW_COLS_MAX)
		return;
	for (i = 0; i < t->ncol; i++) {
		v[i] = NULL;
		if (op == SQLITE_INSERT)
			sqlite3changeset_new(it, i, &v[i]);
		else
			sqlite3changeset_old(it, i, &v[i]);
	}
	if (op == SQLITE_INSERT) {
		append_insert_for_audience(w, t, it, v);
	} else {
		table_start(w, it, t);
		hearth_cs_writer_delete_key(w, v);
	}
}

typedef struct {
	hearth_cs_writer *w;
	hearth_db *db;
	const hearth_schema *s;
	const char *node;
	hearth_buf one;
} down_filter_walk;

/* What the node gets of a change that is not its own nor the office's, or an audience UPDATE of
 * one that is: SQLite's iterator on that change alone. */
static int down_filter_slow(down_filter_walk *fw, const hearth_table_decl *t,
	const hearth_cs_change *c, int own)
{
	hearth_cs_writer *w = fw->w;
	sqlite3_changeset_iter *it = NULL;

	if ((w->rc = hearth_cs_change_iter(&it, &fw->one, c)) < 0)
		return w->rc;
	if (own)
		append_update_plain(w, t, it, 0);
	else if (t->directory)
		filter_directory(w, t, it, c->op);
	else if (c->op == SQLITE_UPDATE)
		filter_audience_update(w, fw->db, t, it, fw->node);
	else
		append_for_audience(w, t, it, c->op);
	sqlite3changeset_finalize(it);
	return w->rc;
}

/* One change, read from its bytes: most are the node's own rows or the office's, taken whole, or
 * rows it is not in the audience of, left out. */
static int down_filter_change(void *ctx, const hearth_cs_change *c)
{
	down_filter_walk *fw = ctx;
	const hearth_table_decl *t = hearth_schema_table(fw->s, c->table);
	int rec = c->op == SQLITE_INSERT;

	if (fw->w->rc || !t)
		return fw->w->rc;
	if (hearth_cs_change_text_is(c, rec, 0, HEARTH_OFFICE) ||
	    hearth_cs_change_text_is(c, rec, 0, fw->node)) {
		if (c->op == SQLITE_UPDATE && t->audience_col >= 0)
			return down_filter_slow(fw, t, c, 1);
		hearth_cs_writer_append_raw(fw->w, c);
		return fw->w->rc;
	}
	if (t->directory || (t->audience_col >= 0 &&
				    (c->op == SQLITE_UPDATE ||
					    hearth_cs_change_text_is(c, rec, t->audience_col, fw->node))))
		return down_filter_slow(fw, t, c, 0);
	return 0;
}

int sync_down_filter(hearth_cs_writer *w, hearth_db *db, const char *node, const void *cs, int n)
{
	down_filter_walk fw = { w, db, hearth_db_schema(db), node, HEARTH_BUF_INIT };
	int rc;

	if (w->rc)
		return w->rc;
	rc = hearth_changeset_each(cs, n, down_filter_change, &fw);
	hearth_buf_dispose(&fw.one);
	if (rc == HEARTH_ECORRUPT && w->rc == 0)
		rc = hearth_error_set(HEARTH_ECORRUPT, _("office log entry does not parse"));
	if (rc < 0 && w->rc == 0)
		w->rc = rc;
	return w->rc;
}
