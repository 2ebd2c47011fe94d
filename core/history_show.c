/*
 * How a change reads: `show` (one change, every row and column with old -> new), `history`
 * (every change to one record, newest first; at the office with its conflicts) and the one-line
 * description of `log`. Text for people (local time, labels), JSON with the raw values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history_int.h"
#include "i18n.h"

const char *hearth_column_label(const hearth_table_decl *t, int col)
{
	const hearth_column_decl *c;
	const char *l;

	if (!t || col < 0 || col >= t->ncol)
		return "?";
	c = &t->cols[col];
	l = strcmp(hearth_ui_lang(), "zh") == 0 ? c->label_zh : c->label_en;
	return l && *l ? l : c->name;
}

/* The local time of clock text `hex` (or of `ms` when hex is NULL): "2026-12-06 10:31:02". */
static void local_time(char out[32], const char *hex, uint64_t ms)
{
	hearth_clock c = 0;
	struct tm tm;
	time_t s;

	if (hex && hearth_clock_parse(&c, hex) == 0)
		ms = HEARTH_CLOCK_MS(c);
	s = (time_t)(ms / 1000);
	if (!localtime_r(&s, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, 32, "?");
}

static uint64_t clock_ms(const char *hex)
{
	hearth_clock c = 0;

	return hearth_clock_parse(&c, hex) == 0 ? HEARTH_CLOCK_MS(c) : 0;
}

static int json_value(hearth_buf *out, sqlite3_value *v)
{
	if (!v || sqlite3_value_type(v) == SQLITE_NULL)
		return hearth_buf_puts(out, "null");
	switch (sqlite3_value_type(v)) {
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		return hearth_value_format(out, v);
	case SQLITE_TEXT:
		return hearth_json_string(out, (const char *)sqlite3_value_text(v),
			(size_t)sqlite3_value_bytes(v));
	default: {
		hearth_buf hex = HEARTH_BUF_INIT; /* a blob as its x'..' text, quoted */
		int rc = hearth_value_format(&hex, v);
		if (rc == 0)
			rc = hearth_json_string(out, hex.ptr, hex.size);
		hearth_buf_dispose(&hex);
		return rc;
	}
	}
}

/* ---- one row of a change ------------------------------------------------------------------- */

typedef struct {
	const char *tab;
	const hearth_table_decl *t;
	int op, ncol;
	sqlite3_value *owner, *id;
	sqlite3_changeset_iter *it;
} row_view;

static sqlite3_value *row_old(const row_view *r, int i)
{
	sqlite3_value *v = NULL;

	if (r->op != SQLITE_INSERT)
		sqlite3changeset_old(r->it, i, &v);
	return v;
}

static sqlite3_value *row_new(const row_view *r, int i)
{
	sqlite3_value *v = NULL;

	if (r->op != SQLITE_DELETE)
		sqlite3changeset_new(r->it, i, &v);
	return v;
}

/* The name people know the row by: its `name` column in the change, else as it stands now. */
static int row_name(hearth_buf *out, hearth_db *db, const row_view *r)
{
	int col = r->t ? hearth_table_column(r->t, "name") : -1;
	sqlite3_value *v = NULL;
	sqlite3_stmt *st = NULL;
	hearth_buf sql = HEARTH_BUF_INIT;
	int rc = 0;

	if (col < 0 || col >= r->ncol)
		return 0;
	if ((v = row_new(r, col)) || (v = row_old(r, col))) {
		if (sqlite3_value_type(v) == SQLITE_TEXT)
			return hearth_buf_puts(out, (const char *)sqlite3_value_text(v));
		return 0;
	}
	if (hearth_buf_printf(&sql, "SELECT name FROM \"%s\" WHERE owner = ?1 AND id = ?2",
		    r->t->name) == 0 &&
	    sqlite3_prepare_v2(hearth_db_sqlite(db), sql.ptr, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_value(st, 1, r->owner);
		sqlite3_bind_value(st, 2, r->id);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
			rc = hearth_buf_puts(out, (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	hearth_buf_dispose(&sql);
	return rc;
}

static const char *op_word(int op)
{
	return op == SQLITE_INSERT ? "insert" : op == SQLITE_DELETE ? "delete" : "update";
}

/* "care_class 托大一班" or "care_class lucai/c1". */
static int row_title(hearth_buf *out, hearth_db *db, const row_view *r)
{
	hearth_buf name = HEARTH_BUF_INIT;
	int rc = row_name(&name, db, r);

	if (rc == 0 && name.size)
		rc = hearth_buf_printf(out, "%s %s", r->tab, name.ptr);
	else if (rc == 0)
		rc = hearth_buf_printf(out, "%s %s/%s", r->tab,
			r->owner ? (const char *)sqlite3_value_text(r->owner) : "?",
			r->id ? (const char *)sqlite3_value_text(r->id) : "?");
	hearth_buf_dispose(&name);
	return rc;
}

/* A value as people read it: a choice by its label in the language in effect (sex "女"). */
static int cell_format(hearth_buf *out, const row_view *r, int col, sqlite3_value *v)
{
	const char *s, *l;

	if (!r->t || !v || sqlite3_value_type(v) != SQLITE_TEXT ||
	    r->t->cols[col].kind != HEARTH_KIND_CHOICE)
		return hearth_value_format(out, v);
	s = (const char *)sqlite3_value_text(v);
	l = hearth_choice_label(&r->t->cols[col], s);
	return l != s ? hearth_buf_printf(out, "\"%s\"", l) : hearth_value_format(out, v);
}

/* The columns of the row: "capacity 25 → 0, name ..." (updates), "added" / "deleted" when
 * `brief`, else every value an insert wrote or a delete removed. */
static int row_cells_text(hearth_buf *out, const row_view *r, int brief)
{
	int i, n = 0, rc = 0;

	if (brief && r->op != SQLITE_UPDATE)
		return hearth_buf_puts(out, r->op == SQLITE_INSERT ? "added" : "deleted");
	for (i = 2; rc == 0 && i < r->ncol; i++) {
		sqlite3_value *o = row_old(r, i), *v = row_new(r, i);
		if (r->op == SQLITE_UPDATE && !v)
			continue;
		if (r->op != SQLITE_UPDATE && (!(v = v ? v : o) || sqlite3_value_type(v) == SQLITE_NULL))
			continue;
		rc = hearth_buf_printf(out, "%s%s ", n++ ? ", " : "", hearth_column_label(r->t, i));
		if (rc == 0 && r->op == SQLITE_UPDATE)
			rc = cell_format(out, r, i, o) < 0 || hearth_buf_puts(out, " → ") < 0 ? -1 : 0;
		if (rc == 0)
			rc = cell_format(out, r, i, v);
	}
	return rc;
}

static int row_json(hearth_buf *out, hearth_db *db, const row_view *r)
{
	hearth_buf name = HEARTH_BUF_INIT;
	int i, n = 0, rc = row_name(&name, db, r);

	if (rc == 0)
		rc = hearth_buf_printf(out, "{\"table\": \"%s\", \"op\": \"%s\", \"owner\": ", r->tab,
			op_word(r->op));
	if (rc == 0)
		rc = json_value(out, r->owner);
	if (rc == 0)
		rc = hearth_buf_puts(out, ", \"id\": ");
	if (rc == 0)
		rc = json_value(out, r->id);
	if (rc == 0)
		rc = hearth_buf_puts(out, ", \"name\": ");
	if (rc == 0)
		rc = name.size ? hearth_json_string(out, name.ptr, name.size)
			       : hearth_buf_puts(out, "null");
	if (rc == 0)
		rc = hearth_buf_puts(out, ", \"columns\": [");
	for (i = 2; rc == 0 && i < r->ncol; i++) {
		sqlite3_value *o = row_old(r, i), *v = row_new(r, i);
		if (r->op == SQLITE_UPDATE && !v)
			continue;
		rc = hearth_buf_printf(out, "%s{\"column\": \"%s\", \"label\": ", n++ ? ", " : "",
			r->t ? r->t->cols[i].name : "?");
		if (rc == 0) {
			const char *l = hearth_column_label(r->t, i);
			rc = hearth_json_string(out, l, strlen(l));
		}
		if (rc == 0)
			rc = hearth_buf_puts(out, ", \"old\": ");
		if (rc == 0)
			rc = json_value(out, r->op == SQLITE_INSERT ? NULL : o);
		if (rc == 0)
			rc = hearth_buf_puts(out, ", \"new\": ");
		if (rc == 0)
			rc = json_value(out, r->op == SQLITE_DELETE ? NULL : v);
		if (rc == 0)
			rc = hearth_buf_putc(out, '}');
	}
	if (rc == 0)
		rc = hearth_buf_puts(out, "]}");
	hearth_buf_dispose(&name);
	return rc;
}

/* ---- walking a change's rows --------------------------------------------------------------- */

typedef struct {
	hearth_db *db;
	const char *table, *owner, *id; /* only this record (NULL: every row) */
	int json;
	hearth_buf *out;
	int rows;                       /* rows written */
	int more;                       /* rows after the first (brief) */
	int brief;                      /* log: the first row only, "; and N more rows" */
	const char *purged[8];          /* purge tables whose forgotten rows the change held */
	int npurged[8];
} rows_walk;

static int text_is(sqlite3_value *v, const char *s)
{
	return v && sqlite3_value_type(v) == SQLITE_TEXT &&
		strcmp((const char *)sqlite3_value_text(v), s) == 0;
}

static void count_purged(rows_walk *w, const char *tab)
{
	int i;

	for (i = 0; i < 8 && w->purged[i]; i++)
		if (strcmp(w->purged[i], tab) == 0)
			break;
	if (i == 8)
		return;
	w->purged[i] = w->purged[i] ? w->purged[i] : tab;
	w->npurged[i]++;
}

static int one_row(rows_walk *w, const row_view *r)
{
	int rc;

	if (w->brief && w->rows) {
		w->more++;
		return 0;
	}
	if (w->json)
		return hearth_buf_puts(w->out, w->rows++ ? ", " : "") < 0 ? -1 : row_json(w->out, w->db, r);
	if (!w->brief && (rc = hearth_buf_printf(w->out, "  %c ", r->op == SQLITE_INSERT ? '+'
				      : r->op == SQLITE_DELETE ? '-' : '~')) < 0)
		return rc;
	if ((rc = row_title(w->out, w->db, r)) < 0 || (rc = hearth_buf_puts(w->out, ": ")) < 0 ||
	    (rc = row_cells_text(w->out, r, w->brief)) < 0)
		return rc;
	w->rows++;
	return w->brief ? 0 : hearth_buf_putc(w->out, '\n');
}

/* Every row of the change (or of one record), skipping the rows of purged records (counted). */
static int walk_rows(rows_walk *w, const history_change *c)
{
	const hearth_schema *s = hearth_db_schema(w->db);
	sqlite3_changeset_iter *it = NULL;
	row_view r;
	int ind, rc = 0;

	if (!c->has_cs || c->cs.size == 0)
		return 0;
	if (sqlite3changeset_start(&it, (int)c->cs.size, c->cs.ptr) != SQLITE_OK)
		return hearth_error_set(HEARTH_ECORRUPT, _("change %s does not parse"), c->ref);
	r.it = it;
	while (rc == 0 && sqlite3changeset_next(it) == SQLITE_ROW) {
		sqlite3changeset_op(it, &r.tab, &r.ncol, &r.op, &ind);
		r.t = hearth_schema_table(s, r.tab);
		history_change_key(it, r.op, &r.owner, &r.id);
		if (w->table && (strcmp(r.tab, w->table) != 0 || !text_is(r.id, w->id) ||
				    (w->owner && !text_is(r.owner, w->owner))))
			continue;
		if (history_forgotten(w->db, r.tab, r.owner, r.id)) {
			count_purged(w, r.tab);
			continue;
		}
		rc = one_row(w, &r);
	}
	sqlite3changeset_finalize(it);
	return rc;
}

static int purged_text(hearth_buf *out, const rows_walk *w, int json)
{
	int i, rc = 0;

	if (!w->purged[0])
		return 0;
	rc = hearth_buf_puts(out, json ? ", \"purged\": {" : _("purged records: "));
	for (i = 0; rc == 0 && i < 8 && w->purged[i]; i++)
		rc = hearth_buf_printf(out, json ? "%s\"%s\": %d" : _("%s%s %d rows"), i ? ", " : "",
			w->purged[i], w->npurged[i]);
	return rc ? rc : hearth_buf_puts(out, json ? "}" : "");
}

/* The one-line description of `log`: the first row, "; and N more rows". */
static int change_line(hearth_buf *out, hearth_db *db, const history_change *c)
{
	rows_walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.db = db;
	w.out = out;
	w.brief = 1;
	if ((rc = walk_rows(&w, c)) < 0)
		return rc;
	if (w.more)
		rc = hearth_buf_printf(out, P_("; and %d more row", "; and %d more rows", w.more),
			w.more);
	if (rc == 0 && !w.rows && w.purged[0])
		rc = purged_text(out, &w, 0);
	if (rc == 0 && !w.rows && !w.purged[0])
		rc = hearth_buf_puts(out, c->summary.ptr);
	return rc;
}

/* ---- the office: what the merge did -------------------------------------------------------- */

static int merge_result(hearth_buf *out, hearth_db *db, const history_change *c, int json)
{
	hearth_buf items = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int n = 0, rc;

	if (!hearth_db_is_office(db) || strcmp(c->direction, "merged") != 0)
		return 0;
	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "SELECT id, tbl, owner, row_id, col, policy, kept, kept_node, lost, lost_node, "
		     "lost_node = ?1 AND lost_clock = ?2 FROM hearth_conflict WHERE "
		     "(lost_node = ?1 AND lost_clock = ?2) OR (kept_node = ?1 AND kept_clock = ?2) "
		     "ORDER BY id")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, c->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->clock, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		int lost = sqlite3_column_int(st, 10);
		sqlite3_value *mine = sqlite3_column_value(st, lost ? 8 : 6);
		sqlite3_value *other = sqlite3_column_value(st, lost ? 6 : 8);
		const char *other_node = (const char *)sqlite3_column_text(st, lost ? 7 : 9);
		if (json) {
			rc = hearth_buf_printf(&items,
				"%s{\"conflict\": %lld, \"result\": \"%s\", \"table\": \"%s\", "
				"\"owner\": \"%s\", \"id\": \"%s\", \"column\": \"%s\", "
				"\"policy\": \"%s\", \"other_node\": \"%s\", \"value\": ",
				n ? ", " : "", (long long)sqlite3_column_int64(st, 0),
				lost ? "lost" : "won", sqlite3_column_text(st, 1),
				sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
				sqlite3_column_text(st, 4), sqlite3_column_text(st, 5), other_node);
			if (rc == 0)
				rc = json_value(&items, mine);
			if (rc == 0)
				rc = hearth_buf_puts(&items, ", \"other_value\": ");
			if (rc == 0)
				rc = json_value(&items, other);
			if (rc == 0)
				rc = hearth_buf_putc(&items, '}');
		} else {
			rc = hearth_buf_printf(&items, "%s%s %s/%s %s: ", n ? "; " : "",
				sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
				sqlite3_column_text(st, 3), sqlite3_column_text(st, 4));
			if (rc == 0)
				rc = hearth_value_format(&items, mine);
			if (rc == 0)
				rc = hearth_buf_printf(&items,
					lost ? _(" lost to %s's ") : _(" won over %s's "), other_node);
			if (rc == 0)
				rc = hearth_value_format(&items, other);
			if (rc == 0)
				rc = hearth_buf_printf(&items, _(" (%s, conflict %lld)"),
					sqlite3_column_text(st, 5), (long long)sqlite3_column_int64(st, 0));
		}
		n++;
	}
	sqlite3_finalize(st);
	if (rc == 0 && json)
		rc = n ? hearth_buf_printf(out, ", \"merge\": \"conflict\", \"conflicts\": [%s]",
			       items.ptr)
		       : hearth_buf_puts(out, ", \"merge\": \"merged\"");
	else if (rc == 0)
		rc = hearth_buf_printf(out, _("merge: %s\n"), n ? items.ptr : _("merged"));
	hearth_buf_dispose(&items);
	return rc;
}

/* A quarantined change of a node (office): it never reached the merged log. */
static int show_quarantined(hearth_db *db, const char *ref, int json, hearth_buf *out)
{
	const char *colon = strchr(ref, ':');
	sqlite3_stmt *st = NULL;
	int rc;

	if (!colon || !hearth_db_is_office(db) ||
	    hearth_sql_prepare(&st, hearth_db_sqlite(db),
		    "SELECT reason, at_ms FROM hearth_quarantine WHERE node = ?1 AND seq = ?2") < 0)
		return HEARTH_ENOTFOUND;
	sqlite3_bind_text(st, 1, ref, (int)(colon - ref), SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, strtoll(colon + 1, NULL, 10));
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = HEARTH_ENOTFOUND;
	} else if (json) {
		const char *why = (const char *)sqlite3_column_text(st, 0);
		rc = hearth_buf_printf(out, "{\"ref\": \"%s\", \"merge\": \"quarantined\", \"reason\": ",
			ref);
		if (rc == 0)
			rc = hearth_json_string(out, why, strlen(why));
		if (rc == 0)
			rc = hearth_buf_puts(out, "}\n");
	} else {
		char when[32];
		local_time(when, NULL, (uint64_t)sqlite3_column_int64(st, 1));
		rc = hearth_buf_printf(out, _("change %s\nmerge: quarantined %s: %s\n"), ref, when,
			sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- show ----------------------------------------------------------------------------------- */

static int change_head(hearth_buf *out, hearth_db *db, const history_change *c, int json)
{
	char when[32];
	int rc;

	local_time(when, c->clock, 0);
	if (!json) {
		rc = hearth_buf_printf(out, _("change %s · %s · %s %s\nby: %s\n"), c->ref, when,
			c->direction, c->state, c->has_author ? c->author.ptr : _("(not recorded)"));
		if (rc == 0 && hearth_db_is_office(db))
			rc = hearth_buf_printf(out, _("origin: %s change %lld\n"), c->origin,
				(long long)c->origin_seq);
		if (rc == 0)
			rc = merge_result(out, db, c, 0);
		return rc ? rc : hearth_buf_printf(out, _("summary: %s\n"), c->summary.ptr);
	}
	rc = hearth_buf_printf(out,
		"{\"ref\": \"%s\", \"direction\": \"%s\", \"seq\": %lld, \"state\": \"%s\", "
		"\"clock\": \"%s\", \"time\": \"%s\", \"time_ms\": %llu, \"author\": ",
		c->ref, c->direction, (long long)c->seq, c->state, c->clock, when,
		(unsigned long long)clock_ms(c->clock));
	if (rc == 0)
		rc = c->has_author ? hearth_json_string(out, c->author.ptr, c->author.size)
				   : hearth_buf_puts(out, "null");
	if (rc == 0)
		rc = hearth_buf_printf(out, ", \"origin\": \"%s\", \"origin_seq\": %lld, \"own\": %s, "
					    "\"summary\": ",
			c->origin, (long long)c->origin_seq, c->own ? "true" : "false");
	if (rc == 0)
		rc = hearth_json_string(out, c->summary.ptr, c->summary.size);
	return rc ? rc : merge_result(out, db, c, 1);
}

static int change_body(hearth_buf *out, hearth_db *db, const history_change *c, int json,
	const char *table, const char *owner, const char *id)
{
	rows_walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.db = db;
	w.out = out;
	w.json = json;
	w.table = table;
	w.owner = owner;
	w.id = id;
	if (json && (rc = hearth_buf_puts(out, ", \"rows\": [")) < 0)
		return rc;
	if ((rc = walk_rows(&w, c)) < 0)
		return rc;
	if (json && (rc = hearth_buf_putc(out, ']')) < 0)
		return rc;
	if ((rc = purged_text(out, &w, json)) < 0)
		return rc;
	if (!json && w.purged[0])
		rc = hearth_buf_putc(out, '\n');
	if (rc == 0 && json)
		rc = hearth_buf_putc(out, '}');
	return rc;
}

int hearth_history_show(hearth_db *db, const char *ref, hearth_format format, hearth_buf *out)
{
	int json = format == HEARTH_FORMAT_JSON;
	history_change c;
	int rc;

	history_change_init(&c);
	rc = history_change_load(&c, db, ref);
	if (rc == HEARTH_ENOTFOUND && show_quarantined(db, ref, json, out) == 0)
		rc = 0;
	else if (rc == 0 && (rc = change_head(out, db, &c, json)) == 0 &&
		 (rc = change_body(out, db, &c, json, NULL, NULL, NULL)) == 0 && json)
		rc = hearth_buf_putc(out, '\n');
	history_change_dispose(&c);
	return rc;
}

/* ---- history of one record ------------------------------------------------------------------ */

typedef struct {
	hearth_db *db;
	const char *table, *owner, *id;
	int json, n;
	hearth_buf *out;
} record_walk;

static int record_one(const history_change *c, void *payload)
{
	record_walk *r = payload;
	hearth_buf body = HEARTH_BUF_INIT;
	rows_walk probe;
	int rc;

	/* only the changes that touched the record; the node's own changes once (not again as
	 * they came back merged) */
	if (strcmp(c->direction, "down") == 0 && history_is_echo(hearth_db_sqlite(r->db), c->clock))
		return 0;
	memset(&probe, 0, sizeof(probe));
	probe.db = r->db;
	probe.out = &body;
	probe.table = r->table;
	probe.owner = r->owner;
	probe.id = r->id;
	probe.brief = 1;
	if ((rc = walk_rows(&probe, c)) < 0 || !probe.rows)
		goto done;
	hearth_buf_clear(&body);
	if (r->json && (rc = hearth_buf_puts(r->out, r->n ? ",\n " : "")) < 0)
		goto done;
	if ((rc = change_head(r->out, r->db, c, r->json)) == 0)
		rc = change_body(r->out, r->db, c, r->json, r->table, r->owner, r->id);
	if (rc == 0 && !r->json)
		rc = hearth_buf_putc(r->out, '\n');
	r->n++;
done:
	hearth_buf_dispose(&body);
	return rc;
}

/* The office's conflicts of the record, after its changes. */
static int record_conflicts(record_walk *r)
{
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	if (!hearth_db_is_office(r->db))
		return 0;
	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(r->db),
		     "SELECT id, col, policy, kept, kept_node, lost, lost_node, at_ms, "
		     "coalesce(resolved, 'open') FROM hearth_conflict WHERE tbl = ?1 AND row_id = ?2 "
		     "AND (?3 IS NULL OR owner = ?3) ORDER BY at_ms DESC, id DESC")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, r->table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
	if (r->owner)
		sqlite3_bind_text(st, 3, r->owner, -1, SQLITE_STATIC);
	if (r->json)
		rc = hearth_buf_puts(r->out, "], \"conflicts\": [");
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		char when[32];
		local_time(when, NULL, (uint64_t)sqlite3_column_int64(st, 7));
		if (r->json) {
			rc = hearth_buf_printf(r->out,
				"%s{\"conflict\": %lld, \"time\": \"%s\", \"column\": \"%s\", "
				"\"policy\": \"%s\", \"kept_node\": \"%s\", \"lost_node\": \"%s\", "
				"\"state\": \"%s\", \"kept\": ",
				n ? ", " : "", (long long)sqlite3_column_int64(st, 0), when,
				sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
				sqlite3_column_text(st, 4), sqlite3_column_text(st, 6),
				sqlite3_column_text(st, 8));
			if (rc == 0)
				rc = json_value(r->out, sqlite3_column_value(st, 3));
			if (rc == 0)
				rc = hearth_buf_puts(r->out, ", \"lost\": ");
			if (rc == 0)
				rc = json_value(r->out, sqlite3_column_value(st, 5));
			if (rc == 0)
				rc = hearth_buf_putc(r->out, '}');
		} else {
			rc = hearth_buf_printf(r->out, _("conflict %lld · %s · %s\n  %s: "),
				(long long)sqlite3_column_int64(st, 0), when, sqlite3_column_text(st, 8),
				sqlite3_column_text(st, 1));
			if (rc == 0)
				rc = hearth_value_format(r->out, sqlite3_column_value(st, 5));
			if (rc == 0)
				rc = hearth_buf_printf(r->out, _(" from %s lost to "),
					sqlite3_column_text(st, 6));
			if (rc == 0)
				rc = hearth_value_format(r->out, sqlite3_column_value(st, 3));
			if (rc == 0)
				rc = hearth_buf_printf(r->out, _(" from %s (%s)\n\n"),
					sqlite3_column_text(st, 4), sqlite3_column_text(st, 2));
		}
		n++;
	}
	sqlite3_finalize(st);
	return rc;
}

int hearth_history_record(hearth_db *db, const char *table, const char *key,
	hearth_format format, hearth_buf *out)
{
	record_walk r = { db, table, NULL, key, format == HEARTH_FORMAT_JSON, 0, out };
	char owner[HEARTH_ID_MAX + 1];
	const char *slash = strchr(key, '/');
	int rc;

	if (!hearth_schema_table(hearth_db_schema(db), table))
		return hearth_error_set(HEARTH_EUSAGE, _("'%.60s' is not a synced table"), table);
	if (slash) {
		if ((size_t)(slash - key) > HEARTH_ID_MAX)
			return hearth_error_set(HEARTH_EUSAGE, _("'%.60s' is no record"), key);
		snprintf(owner, sizeof(owner), "%.*s", (int)(slash - key), key);
		r.owner = owner;
		r.id = slash + 1;
	}
	if (r.json && (rc = hearth_buf_puts(out, "{\"changes\": [")) < 0)
		return rc;
	if ((rc = history_each(db, record_one, &r)) < 0 || (rc = record_conflicts(&r)) < 0)
		return rc;
	if (r.json)
		return hearth_buf_puts(out, "]}\n");
	if (r.n == 0 && !out->size)
		rc = hearth_buf_printf(out,
			_("no change to %s %s is kept at '%s' (a purged record leaves no history)\n"),
			table, key, hearth_db_node(db));
	return rc;
}

/* ---- log ------------------------------------------------------------------------------------- */

static void fn_local_time(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char when[32];

	(void)argc;
	local_time(when, (const char *)sqlite3_value_text(argv[0]), 0);
	sqlite3_result_text(ctx, when, -1, SQLITE_TRANSIENT);
}

/* hearth_change_line(ref): the readable line of change `ref`. */
static void fn_change_line(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	hearth_db *db = sqlite3_user_data(ctx);
	hearth_buf line = HEARTH_BUF_INIT;
	history_change c;

	(void)argc;
	history_change_init(&c);
	if (history_change_load(&c, db, (const char *)sqlite3_value_text(argv[0])) == 0 &&
	    change_line(&line, db, &c) == 0)
		sqlite3_result_text(ctx, line.ptr, (int)line.size, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(ctx);
	history_change_dispose(&c);
	hearth_buf_dispose(&line);
}

int hearth_history_log(hearth_db *db, long limit, hearth_format format, hearth_buf *out)
{
	sqlite3 *h = hearth_db_sqlite(db);
	hearth_buf sql = HEARTH_BUF_INIT;
	int rc;

	if (sqlite3_create_function(h, "hearth_local_time", 1, SQLITE_UTF8, NULL, fn_local_time,
		    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(h, "hearth_change_line", 1, SQLITE_UTF8, db, fn_change_line,
		    NULL, NULL) != SQLITE_OK)
		return hearth_error_sqlite(h, HEARTH_ERROR, _("cannot read the log"));
	/* both directions, newest first: at a node what it wrote (up) and what the office sent
	 * (down); at the office its own pending writes and the merged log with each origin */
	if (hearth_db_is_office(db))
		rc = hearth_buf_printf(&sql,
			"SELECT direction, seq, clock, origin, state, summary, time, ref, "
			"hearth_change_line(ref) AS change, author FROM ("
			" SELECT 'local' AS direction, seq, clock, 'office' AS origin, 'pending' AS state,"
			"  summary, hearth_local_time(clock) AS time, CAST(seq AS TEXT) AS ref, author"
			"  FROM hearth_outbox"
			" UNION ALL SELECT 'merged', office_seq, clock, origin, 'sent down', summary,"
			"  hearth_local_time(clock), CASE origin WHEN 'office' THEN CAST(origin_seq AS"
			"  TEXT) ELSE origin || ':' || origin_seq END, %s FROM hearth_log)"
			" ORDER BY clock DESC, direction LIMIT %ld",
			hearth_db_schema_version(db) >= HEARTH_SCHEMA_ACCOUNTS ? "author" : "NULL",
			limit);
	else
		rc = hearth_buf_printf(&sql,
			"SELECT direction, seq, clock, state, summary, time, ref, "
			"hearth_change_line(ref) AS change, author FROM ("
			" SELECT 'up' AS direction, seq, clock, CASE pushed WHEN 1 THEN 'pushed'"
			"  ELSE 'pending' END AS state, summary, hearth_local_time(clock) AS time,"
			"  CAST(seq AS TEXT) AS ref, author FROM hearth_outbox"
			" UNION ALL SELECT 'up', seq, clock, 'merged', summary, hearth_local_time(clock),"
			"  CAST(seq AS TEXT), author FROM hearth_history"
			" UNION ALL SELECT 'down', office_seq, clock, 'applied', summary,"
			"  hearth_local_time(clock), 'down:' || office_seq, NULL FROM hearth_received)"
			" ORDER BY clock DESC, direction DESC LIMIT %ld",
			limit);
	if (rc == 0)
		rc = hearth_query(db, sql.ptr, format, out);
	hearth_buf_dispose(&sql);
	return rc;
}
