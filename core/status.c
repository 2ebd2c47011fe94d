/* The status reads (hearth_status.h): the only SQL that reports on the outbox, the remotes, the
 * peers, the conflict log and the quarantine, and the text and JSON forms the CLI prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "hearth_status.h"
#include "i18n.h"

_Static_assert(HEARTH_TYPE_INTEGER == SQLITE_INTEGER && HEARTH_TYPE_FLOAT == SQLITE_FLOAT &&
	HEARTH_TYPE_TEXT == SQLITE_TEXT && HEARTH_TYPE_BLOB == SQLITE_BLOB &&
	HEARTH_TYPE_NULL == SQLITE_NULL, "hearth_value types are SQLite's");

void hearth_age_format(char *out, size_t n, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s < 0)
		snprintf(out, n, "%s", _("in the future"));
	else if (s < 120)
		snprintf(out, n, _("%lld s"), (long long)s);
	else if (s < 7200)
		snprintf(out, n, _("%lld min"), (long long)(s / 60));
	else if (s < 172800)
		snprintf(out, n, _("%lld h"), (long long)(s / 3600));
	else
		snprintf(out, n, _("%lld days"), (long long)(s / 86400));
}

/* ---- reading rows ------------------------------------------------------------------------- */

/* A copy of column `i` (NULL stays NULL); *rc set on allocation failure. */
static char *col_dup(sqlite3_stmt *st, int i, int *rc)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	char *copy;

	if (!s)
		return NULL;
	if (!(copy = strdup(s)))
		*rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
	return copy;
}

static int64_t col_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? HEARTH_TIME_NONE
							 : sqlite3_column_int64(st, i);
}

static void col_value(hearth_value *v, sqlite3_stmt *st, int i, int *rc)
{
	const char *text;

	v->type = sqlite3_column_type(st, i);
	v->i = v->type == SQLITE_INTEGER ? sqlite3_column_int64(st, i) : 0;
	v->f = v->type == SQLITE_FLOAT ? sqlite3_column_double(st, i) : 0;
	v->n = 0;
	v->text = NULL;
	if (v->type == SQLITE_NULL || !(text = (const char *)sqlite3_column_text(st, i)))
		return;
	v->n = (size_t)sqlite3_column_bytes(st, i);
	if (!(v->text = malloc(v->n + 1))) {
		*rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		return;
	}
	memcpy(v->text, text, v->n);
	v->text[v->n] = '\0';
}

/* Grow `*items` (of `size` bytes each) to hold one more than `n`; the new one zeroed. */
static void *grow(void **items, int n, size_t size, int *rc)
{
	char *p;

	if (*rc)
		return NULL;
	if (!(p = realloc(*items, (size_t)(n + 1) * size))) {
		*rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		return NULL;
	}
	*items = p;
	memset(p + (size_t)n * size, 0, size);
	return p + (size_t)n * size;
}

/* Step through `st` calling `one` per row while *rc is 0; finalizes `st`. */
static int each_row(hearth_db *db, sqlite3_stmt *st, int rc,
	void (*one)(sqlite3_stmt *st, void *payload, int *rc), void *payload)
{
	int step = SQLITE_DONE;

	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		one(st, payload, &rc);
	if (rc == 0 && step != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot read the status"));
	sqlite3_finalize(st);
	return rc;
}

/* ---- status ------------------------------------------------------------------------------- */

static const char counts_sql[] =
	"SELECT (SELECT count(*) FROM hearth_outbox WHERE pushed = 0), "
	"(SELECT count(*) FROM hearth_outbox WHERE pushed = 1), "
	"(SELECT count(*) FROM hearth_conflict WHERE resolved IS NULL), "
	"(SELECT count(*) FROM hearth_quarantine)";

/* At the office a remote is a node: what the office holds for it comes along. */
static const char remotes_sql[] =
	"SELECT m.name, m.url, m.last_sync_ms, m.last_seen_ms, m.last_error, m.last_error_ms, "
	" n.name, "
	" max(0, (SELECT coalesce(max(office_seq), 0) FROM hearth_log) "
	"  - coalesce(p.down_office_seq, 0)), "
	" (SELECT count(*) FROM hearth_quarantine q WHERE q.node = m.name), "
	" (SELECT count(*) FROM hearth_conflict c WHERE c.resolved IS NULL "
	"  AND (c.owner = m.name OR c.lost_node = m.name OR c.kept_node = m.name)) "
	"FROM hearth_remote m LEFT JOIN hearth_peer p ON p.node = m.name "
	"LEFT JOIN node n ON n.owner = m.name AND n.id = m.name ORDER BY m.name";

static void remote_row(sqlite3_stmt *st, void *payload, int *rc)
{
	hearth_status *s = payload;
	hearth_status_remote *r = grow((void **)&s->remotes, s->nremotes, sizeof(*r), rc);

	if (!r)
		return;
	s->nremotes++;
	r->name = col_dup(st, 0, rc);
	r->url = col_dup(st, 1, rc);
	r->last_sync_ms = col_time(st, 2);
	r->last_seen_ms = col_time(st, 3);
	r->last_error = col_dup(st, 4, rc);
	r->last_error_ms = col_time(st, 5);
	r->node_name = col_dup(st, 6, rc);
	r->behind = sqlite3_column_int64(st, 7);
	r->quarantined = sqlite3_column_int64(st, 8);
	r->open_conflicts = sqlite3_column_int64(st, 9);
}

static int status_counts(hearth_status *s, hearth_db *db)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db), counts_sql)) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		s->unpushed = sqlite3_column_int64(st, 0);
		s->pushed = sqlite3_column_int64(st, 1);
		s->open_conflicts = sqlite3_column_int64(st, 2);
		s->quarantined = sqlite3_column_int64(st, 3);
	} else {
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot read the status"));
	}
	sqlite3_finalize(st);
	return rc;
}

void hearth_status_free(hearth_status *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->nremotes; i++) {
		free(s->remotes[i].name);
		free(s->remotes[i].url);
		free(s->remotes[i].last_error);
		free(s->remotes[i].node_name);
	}
	free(s->remotes);
	free(s->node);
	free(s->kind);
	free(s);
}

int hearth_status_read(hearth_status **out, hearth_db *db)
{
	hearth_status *s;
	sqlite3_stmt *st = NULL;
	int rc = 0;

	*out = NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	s->office = hearth_db_is_office(db);
	s->schema_version = hearth_db_schema_version(db);
	if (!(s->node = strdup(hearth_db_node(db))) || !(s->kind = strdup(hearth_db_kind(db))))
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
	if (rc == 0)
		rc = hearth_db_clock_get(db, &s->clock);
	if (rc == 0)
		rc = status_counts(s, db);
	if (rc == 0 && (rc = hearth_sql_prepare(&st, hearth_db_sqlite(db), remotes_sql)) == 0)
		rc = each_row(db, st, rc, remote_row, s);
	if (rc < 0) {
		hearth_status_free(s);
		s = NULL;
	}
	*out = s;
	return rc < 0 ? rc : 0;
}

/* ---- cells: the struct fields in hearth_query's forms ---------------------------------------- */

typedef struct {
	hearth_cell cells[16];
	char num[16][24]; /* the text of integer cells */
	int n;
} row_cells;

static void cell_text(row_cells *r, const char *name, const char *text)
{
	hearth_cell *c = &r->cells[r->n++];

	c->name = name;
	c->type = text ? SQLITE_TEXT : SQLITE_NULL;
	c->text = text;
	c->n = text ? strlen(text) : 0;
}

static void cell_int(row_cells *r, const char *name, int64_t v)
{
	hearth_cell *c = &r->cells[r->n];

	snprintf(r->num[r->n], sizeof(r->num[0]), "%lld", (long long)v);
	cell_text(r, name, r->num[r->n]);
	c->type = SQLITE_INTEGER;
	c->i = v;
}

static void cell_time(row_cells *r, const char *name, int64_t ms)
{
	if (ms == HEARTH_TIME_NONE)
		cell_text(r, name, NULL);
	else
		cell_int(r, name, ms);
}

static void cell_value(row_cells *r, const char *name, const hearth_value *v)
{
	hearth_cell *c = &r->cells[r->n++];

	c->name = name;
	c->type = v->type;
	c->i = v->i;
	c->f = v->f;
	c->text = v->text;
	c->n = v->n;
}

int hearth_status_json(hearth_buf *out, const hearth_status *s)
{
	char hex[HEARTH_CLOCK_HEX + 1];
	int rc, i, first_row = 1;

	hearth_clock_format(hex, s->clock);
	rc = hearth_buf_puts(out, "{\"node\": ");
	if (rc == 0)
		rc = hearth_json_string(out, s->node, strlen(s->node));
	if (rc == 0)
		rc = hearth_buf_puts(out, ", \"kind\": ");
	if (rc == 0)
		rc = hearth_json_string(out, s->kind, strlen(s->kind));
	if (rc == 0)
		rc = hearth_buf_printf(out,
			", \"schema_version\": %d, \"clock\": \"%s\", \"pending\": %lld, "
			"\"unpushed\": %lld, \"pushed_unacked\": %lld, \"open_conflicts\": %lld, "
			"\"quarantined\": %lld, \"remotes\": ",
			s->schema_version, hex, (long long)(s->unpushed + s->pushed),
			(long long)s->unpushed, (long long)s->pushed, (long long)s->open_conflicts,
			(long long)s->quarantined);
	if (rc == 0)
		rc = hearth_cells_begin(out, HEARTH_FORMAT_JSON);
	for (i = 0; rc == 0 && i < s->nremotes; i++) {
		const hearth_status_remote *m = &s->remotes[i];
		row_cells r = { .n = 0 };

		cell_text(&r, "name", m->name);
		cell_text(&r, "url", m->url);
		cell_time(&r, "last_sync_ms", m->last_sync_ms);
		cell_time(&r, "last_seen_ms", m->last_seen_ms);
		cell_text(&r, "last_error", m->last_error);
		cell_time(&r, "last_error_ms", m->last_error_ms);
		rc = hearth_cells_row(out, r.cells, r.n, HEARTH_FORMAT_JSON, &first_row);
	}
	if (rc == 0)
		rc = hearth_buf_puts(out, first_row ? "]}\n" : "\n]}\n");
	return rc;
}

/* ---- the conflict log --------------------------------------------------------------------- */

static void conflict_row(sqlite3_stmt *st, void *payload, int *rc)
{
	hearth_conflicts *list = payload;
	hearth_conflict *c = grow((void **)&list->items, list->n, sizeof(*c), rc);

	if (!c)
		return;
	list->n++;
	c->id = sqlite3_column_int64(st, 0);
	c->table = col_dup(st, 1, rc);
	c->owner = col_dup(st, 2, rc);
	c->row_id = col_dup(st, 3, rc);
	c->col = col_dup(st, 4, rc);
	c->policy = col_dup(st, 5, rc);
	col_value(&c->kept, st, 6, rc);
	c->kept_node = col_dup(st, 7, rc);
	c->kept_clock = col_dup(st, 8, rc);
	col_value(&c->lost, st, 9, rc);
	c->lost_node = col_dup(st, 10, rc);
	c->lost_clock = col_dup(st, 11, rc);
	c->at_ms = sqlite3_column_int64(st, 12);
	c->resolved = col_dup(st, 13, rc);
}

void hearth_conflicts_free(hearth_conflicts *list)
{
	int i;

	if (!list)
		return;
	for (i = 0; i < list->n; i++) {
		hearth_conflict *c = &list->items[i];
		free(c->table);
		free(c->owner);
		free(c->row_id);
		free(c->col);
		free(c->policy);
		free(c->kept.text);
		free(c->kept_node);
		free(c->kept_clock);
		free(c->lost.text);
		free(c->lost_node);
		free(c->lost_clock);
		free(c->resolved);
	}
	free(list->items);
	free(list);
}

int hearth_conflicts_read(hearth_conflicts **out, hearth_db *db, int64_t id, int all)
{
	hearth_conflicts *list;
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	if (!(list = calloc(1, sizeof(*list))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		"SELECT id, tbl, owner, row_id, col, policy, kept, kept_node, kept_clock, lost, "
		"lost_node, lost_clock, at_ms, resolved FROM hearth_conflict "
		"WHERE (?1 > 0 AND id = ?1) OR (?1 <= 0 AND (?2 OR resolved IS NULL)) ORDER BY id");
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, all != 0);
		rc = each_row(db, st, rc, conflict_row, list);
	}
	if (rc == 0 && id > 0 && list->n == 0)
		rc = hearth_error_set(HEARTH_ENOTFOUND, _("no conflict %lld (see 'hearth conflicts list')"),
			(long long)id);
	if (rc < 0) {
		hearth_conflicts_free(list);
		list = NULL;
	}
	*out = list;
	return rc < 0 ? rc : 0;
}

/* The columns of `conflicts list` (`detail` 0) and `conflicts show`. */
static void conflict_cells(row_cells *r, const hearth_conflict *c, int detail, hearth_buf *row)
{
	cell_int(r, "id", c->id);
	cell_text(r, "tbl", c->table);
	if (detail) {
		cell_text(r, "owner", c->owner);
		cell_text(r, "row_id", c->row_id);
	} else {
		cell_text(r, "row", row->ptr);
	}
	cell_text(r, "col", c->col);
	cell_text(r, "policy", c->policy);
	cell_value(r, "kept", &c->kept);
	cell_text(r, "kept_node", c->kept_node);
	if (detail)
		cell_text(r, "kept_clock", c->kept_clock);
	cell_value(r, "lost", &c->lost);
	cell_text(r, "lost_node", c->lost_node);
	if (detail) {
		cell_text(r, "lost_clock", c->lost_clock);
		cell_int(r, "at_ms", c->at_ms);
	}
	cell_text(r, "state", c->resolved ? c->resolved : "open");
}

int hearth_conflicts_format(hearth_buf *out, const hearth_conflicts *list, int detail,
	hearth_format format)
{
	hearth_buf row = HEARTH_BUF_INIT;
	const hearth_conflict none = { 0 };
	row_cells names = { .n = 0 };
	int i, rc, first_row = 1;

	/* the header names the columns even when there is no row, as a query does */
	conflict_cells(&names, &none, detail, &row);
	rc = hearth_cells_begin(out, format);
	if (rc == 0)
		rc = hearth_cells_header(out, names.cells, names.n, format);
	for (i = 0; rc == 0 && i < list->n; i++) {
		const hearth_conflict *c = &list->items[i];
		row_cells r = { .n = 0 };

		hearth_buf_clear(&row);
		if ((rc = hearth_buf_printf(&row, "%s/%s", c->owner, c->row_id)) < 0)
			break;
		conflict_cells(&r, c, detail, &row);
		rc = hearth_cells_row(out, r.cells, r.n, format, &first_row);
	}
	hearth_buf_dispose(&row);
	return rc ? rc : hearth_cells_end(out, format, first_row);
}

/* ---- the quarantine ----------------------------------------------------------------------- */

static void quarantined_row(sqlite3_stmt *st, void *payload, int *rc)
{
	hearth_quarantine *list = payload;
	hearth_quarantined *q = grow((void **)&list->items, list->n, sizeof(*q), rc);

	if (!q)
		return;
	list->n++;
	q->node = col_dup(st, 0, rc);
	q->commit_id = col_dup(st, 1, rc);
	q->seq = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2);
	q->reason = col_dup(st, 3, rc);
	q->at_ms = sqlite3_column_int64(st, 4);
}

void hearth_quarantine_free(hearth_quarantine *list)
{
	int i;

	if (!list)
		return;
	for (i = 0; i < list->n; i++) {
		free(list->items[i].node);
		free(list->items[i].commit_id);
		free(list->items[i].reason);
	}
	free(list->items);
	free(list);
}

int hearth_quarantine_read(hearth_quarantine **out, hearth_db *db)
{
	hearth_quarantine *list;
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	if (!(list = calloc(1, sizeof(*list))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		"SELECT node, commit_id, seq, reason, at_ms FROM hearth_quarantine "
		"ORDER BY node, at_ms, commit_id");
	if (rc == 0)
		rc = each_row(db, st, rc, quarantined_row, list);
	if (rc < 0) {
		hearth_quarantine_free(list);
		list = NULL;
	}
	*out = list;
	return rc < 0 ? rc : 0;
}

/* The columns of `quarantine list`: an unknown seq is '' as the list always showed it. */
static void quarantined_cells(row_cells *r, const hearth_quarantined *q)
{
	cell_text(r, "node", q->node);
	cell_text(r, "commit_id", q->commit_id);
	if (q->seq < 0)
		cell_text(r, "seq", "");
	else
		cell_int(r, "seq", q->seq);
	cell_text(r, "reason", q->reason);
	cell_int(r, "at_ms", q->at_ms);
}

int hearth_quarantine_format(hearth_buf *out, const hearth_quarantine *list, hearth_format format)
{
	const hearth_quarantined none = { NULL, NULL, -1, NULL, 0 };
	row_cells names = { .n = 0 };
	int i, rc, first_row = 1;

	quarantined_cells(&names, &none);
	rc = hearth_cells_begin(out, format);
	if (rc == 0)
		rc = hearth_cells_header(out, names.cells, names.n, format);
	for (i = 0; rc == 0 && i < list->n; i++) {
		row_cells r = { .n = 0 };

		quarantined_cells(&r, &list->items[i]);
		rc = hearth_cells_row(out, r.cells, r.n, format, &first_row);
	}
	return rc ? rc : hearth_cells_end(out, format, first_row);
}

/* ---- for the site --------------------------------------------------------------------------- */

int hearth_status_heard(sqlite3 *db, void (*fn)(const char *node, int64_t ms, void *payload),
	void *payload)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_prepare(&st, db, "SELECT name, last_seen_ms FROM hearth_remote "
		"WHERE last_seen_ms IS NOT NULL ORDER BY name")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1), payload);
	rc = rc == SQLITE_DONE ? 0 : hearth_error_sqlite(db, HEARTH_ERROR, _("cannot read remotes"));
	sqlite3_finalize(st);
	return rc;
}

int hearth_status_data_now(sqlite3 *db, uint64_t *out)
{
	int64_t ms = 0;
	int rc;

	*out = 0;
	if ((rc = hearth_sql_scalar(db, "SELECT coalesce(MAX(last_seen_ms), 0) FROM hearth_remote",
		&ms)) < 0)
		return rc;
	if (ms <= 0) {
		sqlite3_stmt *st = NULL;
		hearth_clock c;

		if ((rc = hearth_sql_prepare(&st, db, "SELECT MAX(clock) FROM hearth_outbox")) < 0)
			return rc;
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
		    hearth_clock_parse(&c, (const char *)sqlite3_column_text(st, 0)) == 0)
			ms = (int64_t)HEARTH_CLOCK_MS(c);
		sqlite3_finalize(st);
	}
	*out = (uint64_t)ms;
	return 0;
}
