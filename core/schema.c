/* The synced tables and their declarations (schemas/: hearth_table, hearth_column), loaded once
 * per open; sync and site-gen read them from here. */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "i18n.h"

struct hearth_schema {
	int ntables;
	hearth_table_decl *tables;
	char fingerprint[17];
};

static void column_dispose(hearth_column_decl *c)
{
	int i;

	free(c->name);
	free(c->policy_text);
	for (i = 0; i < c->nstates; i++)
		free(c->states[i]);
	free(c->states);
	free(c->label_zh);
	free(c->label_en);
	free(c->hint_zh);
	free(c->hint_en);
	free(c->ref_table);
	for (i = 0; i < c->nchoices; i++) {
		free(c->choices[i].value);
		free(c->choices[i].label_zh);
		free(c->choices[i].label_en);
	}
	free(c->choices);
}

static void table_dispose(hearth_table_decl *t)
{
	int i;

	for (i = 0; i < t->ncol; i++)
		column_dispose(&t->cols[i]);
	free(t->cols);
	free(t->name);
	free(t->public_rows);
}

void hearth_schema_free(hearth_schema *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->ntables; i++)
		table_dispose(&s->tables[i]);
	free(s->tables);
	free(s);
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

/* "state:new<accepted<done" -> ["new", "accepted", "done"] */
static int parse_states(hearth_column_decl *c)
{
	const char *p = c->policy_text + strlen("state:");
	int n = 1;
	const char *q;

	for (q = p; *q; q++)
		n += *q == '<';
	if (!(c->states = calloc((size_t)n, sizeof(char *))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	while (c->nstates < n) {
		size_t len = strcspn(p, "<");
		if (len == 0)
			return hearth_error_set(HEARTH_ECORRUPT, _("empty state in policy '%s'"),
				c->policy_text);
		if (!(c->states[c->nstates] = strndup(p, len)))
			return hearth_error_set(HEARTH_ERROR, _("out of memory"));
		c->nstates++;
		p += len + (p[len] == '<');
	}
	return 0;
}

/* Room for one more element in an array of `n` elements of `size` bytes holding `*cap`: the
 * array (moved when it grew), or NULL with the error set (the old array is still valid). */
static void *grow_array(void *arr, int *cap, int n, size_t size)
{
	int ncap;
	void *grown;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	grown = realloc(arr, (size_t)ncap * size);
	if (!grown) {
		hearth_error_set(HEARTH_ERROR, _("out of memory"));
		return NULL;
	}
	*cap = ncap;
	return grown;
}

/* The statements of one load, each prepared once and bound again for every table (preparing
 * them per table was a quarter of the instructions of opening a node). */
typedef struct {
	sqlite3 *db;
	sqlite3_stmt *columns, *labels, *choices, *directory, *directory_private;
} schema_stmts;

static int schema_stmt(sqlite3_stmt **out, schema_stmts *q, sqlite3_stmt **slot, const char *sql)
{
	int rc;

	if (*slot) {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
	} else if ((rc = hearth_sql_prepare(slot, q->db, sql)) < 0) {
		return rc;
	}
	*out = *slot;
	return 0;
}

static void schema_stmts_dispose(schema_stmts *q)
{
	sqlite3_finalize(q->columns);
	sqlite3_finalize(q->labels);
	sqlite3_finalize(q->choices);
	sqlite3_finalize(q->directory);
	sqlite3_finalize(q->directory_private);
}

static int load_columns(hearth_table_decl *t, schema_stmts *q)
{
	sqlite3 *db = q->db;
	sqlite3_stmt *st = NULL;
	int rc = 0, cap = 0;

	/* before audience_sees was declared (the migration adding child.health_partner), an
	 * audience received every column */
	int sees = sqlite3_table_column_metadata(db, NULL, "hearth_column", "audience_sees", NULL,
			   NULL, NULL, NULL, NULL) == SQLITE_OK;

	if ((rc = schema_stmt(&st, q, &q->columns,
		     sees ? "SELECT p.name, p.pk, coalesce(c.visibility, 'private'), "
			    "coalesce(c.policy, 'lww'), coalesce(c.audience_writable, 0), "
			    "p.type = '' OR instr(upper(p.type), 'BLOB') > 0, "
			    "coalesce(c.audience_sees, 0), p.\"notnull\" "
			    "FROM pragma_table_info(?1) p "
			    "LEFT JOIN hearth_column c ON c.tbl = ?1 AND c.col = p.name ORDER BY p.cid"
			  : "SELECT p.name, p.pk, coalesce(c.visibility, 'private'), "
			    "coalesce(c.policy, 'lww'), coalesce(c.audience_writable, 0), "
			    "p.type = '' OR instr(upper(p.type), 'BLOB') > 0, 1, p.\"notnull\" "
			    "FROM pragma_table_info(?1) p "
			    "LEFT JOIN hearth_column c ON c.tbl = ?1 AND c.col = p.name ORDER BY p.cid")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	t->owner_col = t->id_col = -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		hearth_column_decl *c;
		void *grown = grow_array(t->cols, &cap, t->ncol, sizeof *t->cols);
		if (!grown) {
			rc = HEARTH_ERROR;
			goto done;
		}
		t->cols = grown;
		c = &t->cols[t->ncol++];
		memset(c, 0, sizeof(*c));
		c->name = dup_col(st, 0);
		c->is_pk = sqlite3_column_int(st, 1);
		c->is_public = strcmp((const char *)sqlite3_column_text(st, 2), "public") == 0;
		c->policy_text = dup_col(st, 3);
		c->audience_writable = sqlite3_column_int(st, 4);
		c->takes_blob = sqlite3_column_int(st, 5);
		c->audience_sees = c->is_pk || sqlite3_column_int(st, 6);
		c->not_null = sqlite3_column_int(st, 7);
		if (!c->name || !c->policy_text) {
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
			goto done;
		}
		if (strcmp(c->policy_text, "office") == 0)
			c->policy = HEARTH_POLICY_OFFICE;
		else if (strncmp(c->policy_text, "state:", 6) == 0) {
			c->policy = HEARTH_POLICY_STATE;
			if ((rc = parse_states(c)) < 0)
				goto done;
		}
		if (strcmp(c->name, "owner") == 0)
			t->owner_col = t->ncol - 1;
		else if (strcmp(c->name, "id") == 0)
			t->id_col = t->ncol - 1;
	}
	if (t->owner_col != 0 || t->id_col != 1)
		rc = hearth_error_set(HEARTH_ECORRUPT,
			_("synced table '%s' must begin with columns owner, id"), t->name);
done:
	sqlite3_reset(st);
	return rc;
}

static const char *const kind_names[] = { "text", "integer", "decimal", "date", "timestamp",
	"phone", "choice", "flag", "markdown", "reference", "id", "month" };

static hearth_input_kind kind_of(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcmp(name, kind_names[i]) == 0)
			return (hearth_input_kind)i;
	return HEARTH_KIND_TEXT;
}

static int add_choice(hearth_column_decl *c, sqlite3_stmt *st)
{
	hearth_choice *n = realloc(c->choices, (size_t)(c->nchoices + 1) * sizeof(*n));

	if (!n)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	c->choices = n;
	n = &c->choices[c->nchoices++];
	n->value = dup_col(st, 1);
	n->label_zh = dup_col(st, 2);
	n->label_en = dup_col(st, 3);
	if (!n->value || !n->label_zh || !n->label_en)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	return 0;
}

/* Schema v4's declarations a person reads (labels, hints, kinds, ranges, choices); an older
 * database (a node's copy not yet migrated, a v1 test build) has none and keeps the defaults. */
static int load_labels(hearth_table_decl *t, schema_stmts *q)
{
	sqlite3 *db = q->db;
	sqlite3_stmt *st = NULL;
	int rc = 0, i;

	if (sqlite3_table_column_metadata(db, NULL, "hearth_choice", "value", NULL, NULL, NULL,
		    NULL, NULL) != SQLITE_OK)
		return 0;
	if ((rc = schema_stmt(&st, q, &q->labels,
		     "SELECT c.col, c.label_zh, c.label_en, c.hint_zh, c.hint_en, c.kind, c.min, c.max, "
		     "c.ref_table, coalesce(r.reference_data, 0) FROM hearth_column c "
		     "LEFT JOIN hearth_table r ON r.name = c.ref_table WHERE c.tbl = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		hearth_column_decl *c;
		if ((i = hearth_table_column(t, (const char *)sqlite3_column_text(st, 0))) < 0)
			continue;
		c = &t->cols[i];
		c->label_zh = dup_col(st, 1);
		c->label_en = dup_col(st, 2);
		c->hint_zh = dup_col(st, 3);
		c->hint_en = dup_col(st, 4);
		c->kind = kind_of((const char *)sqlite3_column_text(st, 5));
		if ((c->has_min = sqlite3_column_type(st, 6) != SQLITE_NULL))
			c->min = sqlite3_column_double(st, 6);
		if ((c->has_max = sqlite3_column_type(st, 7) != SQLITE_NULL))
			c->max = sqlite3_column_double(st, 7);
		c->ref_table = dup_col(st, 8);
		c->ref_checked = sqlite3_column_int(st, 9);
	}
	sqlite3_reset(st);
	if (rc < 0 || (rc = schema_stmt(&st, q, &q->choices,
			       "SELECT col, value, label_zh, label_en FROM hearth_choice "
			       "WHERE tbl = ?1 ORDER BY col, rank")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		if ((i = hearth_table_column(t, (const char *)sqlite3_column_text(st, 0))) >= 0)
			rc = add_choice(&t->cols[i], st);
	sqlite3_reset(st);
	return rc;
}

/* The audience column, and what its node is not sent. A withheld column reaches the audience as
 * NULL, so it must be one that may be NULL (else the audience could not hold the row). */
static int find_audience(hearth_table_decl *t, const char *col)
{
	int i;

	t->audience_col = col ? hearth_table_column(t, col) : -1;
	if (col && t->audience_col < 0)
		return hearth_error_set(HEARTH_ECORRUPT, _("audience column '%s' of '%s' does not exist"),
			col, t->name);
	t->audience_withheld = 0;
	for (i = 0; col && i < t->ncol; i++) {
		if (t->cols[i].audience_sees)
			continue;
		if (t->cols[i].not_null)
			return hearth_error_set(HEARTH_ECORRUPT,
				_("column '%s' of '%s' is required, so its audience must receive it"),
				t->cols[i].name, t->name);
		t->audience_withheld = 1;
	}
	return 0;
}

/* Schema v8's directory flag (an older database has none: no directory). A directory table's
 * rows reach every node with their private columns NULL: so it has no audience (a row is sent
 * to everyone or to its owner, not in between) and its private columns allow NULL. */
static int load_directory(hearth_table_decl *t, schema_stmts *q)
{
	sqlite3 *db = q->db;
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_table_column_metadata(db, NULL, "hearth_table", "directory", NULL, NULL, NULL,
		    NULL, NULL) != SQLITE_OK)
		return 0;
	if ((rc = schema_stmt(&st, q, &q->directory,
		     "SELECT directory FROM hearth_table WHERE name = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	t->directory = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
	sqlite3_reset(st);
	if (!t->directory)
		return 0;
	if (t->audience_col >= 0)
		return hearth_error_set(HEARTH_ECORRUPT,
			_("directory table '%s' must not have an audience column"), t->name);
	if ((rc = schema_stmt(&st, q, &q->directory_private,
		     "SELECT p.name FROM pragma_table_info(?1) p LEFT JOIN hearth_column c "
		     "ON c.tbl = ?1 AND c.col = p.name WHERE p.pk = 0 AND p.\"notnull\" "
		     "AND coalesce(c.visibility, 'private') <> 'public'")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = hearth_error_set(HEARTH_ECORRUPT,
			_("private column '%s' of directory table '%s' must allow NULL"),
			(const char *)sqlite3_column_text(st, 0), t->name);
	sqlite3_reset(st);
	return rc;
}

/* FNV-1a over "table:col,col;..." in rank order: two nodes agree on the shape of every synced
 * table iff their fingerprints match. */
static void fingerprint(hearth_schema *s)
{
	uint64_t h = 14695981039346656037ULL;
	int i, j;

#define MIX(str)                                                                                   \
	do {                                                                                       \
		const unsigned char *p_ = (const unsigned char *)(str);                            \
		for (; *p_; p_++) {                                                                \
			h ^= *p_;                                                                  \
			h *= 1099511628211ULL;                                                     \
		}                                                                                  \
	} while (0)
	for (i = 0; i < s->ntables; i++) {
		MIX(s->tables[i].name);
		MIX(":");
		for (j = 0; j < s->tables[i].ncol; j++) {
			MIX(s->tables[i].cols[j].name);
			MIX(",");
		}
		MIX(";");
	}
#undef MIX
	hearth_clock_format(s->fingerprint, h);
}

int hearth_schema_load(hearth_schema **out, sqlite3 *db)
{
	hearth_schema *s = calloc(1, sizeof(*s));
	sqlite3_stmt *st = NULL;
	schema_stmts q = { db, NULL, NULL, NULL, NULL, NULL };
	int rc = 0, cap = 0;

	*out = NULL;
	if (!s)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	if ((rc = hearth_sql_prepare(&st, db,
		     "SELECT name, rank, audience_col, public_rows FROM hearth_table ORDER BY rank")) < 0)
		goto done;
	while (sqlite3_step(st) == SQLITE_ROW) {
		hearth_table_decl *t;
		void *grown = grow_array(s->tables, &cap, s->ntables, sizeof *s->tables);
		if (!grown) {
			rc = HEARTH_ERROR;
			goto done;
		}
		s->tables = grown;
		t = &s->tables[s->ntables++];
		memset(t, 0, sizeof(*t));
		t->name = dup_col(st, 0);
		t->rank = sqlite3_column_int(st, 1);
		t->public_rows = dup_col(st, 3);
		if (!t->name) {
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
			goto done;
		}
		if ((rc = load_columns(t, &q)) < 0 || (rc = load_labels(t, &q)) < 0 ||
		    (rc = find_audience(t, (const char *)sqlite3_column_text(st, 2))) < 0 ||
		    (rc = load_directory(t, &q)) < 0)
			goto done;
	}
	fingerprint(s);
	*out = s;
	s = NULL;
done:
	schema_stmts_dispose(&q);
	sqlite3_finalize(st);
	hearth_schema_free(s);
	return rc;
}

int hearth_schema_count(const hearth_schema *s)
{
	return s->ntables;
}

const hearth_table_decl *hearth_schema_at(const hearth_schema *s, int i)
{
	return i >= 0 && i < s->ntables ? &s->tables[i] : NULL;
}

const hearth_table_decl *hearth_schema_table(const hearth_schema *s, const char *name)
{
	int i;

	for (i = 0; name && i < s->ntables; i++)
		if (strcmp(s->tables[i].name, name) == 0)
			return &s->tables[i];
	return NULL;
}

int hearth_table_column(const hearth_table_decl *t, const char *col)
{
	int i;

	for (i = 0; i < t->ncol; i++)
		if (strcmp(t->cols[i].name, col) == 0)
			return i;
	return -1;
}

void hearth_schema_fingerprint(const hearth_schema *s, char *out)
{
	memcpy(out, s->fingerprint, sizeof(s->fingerprint));
}

int hearth_column_state_rank(const hearth_column_decl *c, const char *state)
{
	int i;

	for (i = 0; state && i < c->nstates; i++)
		if (strcmp(c->states[i], state) == 0)
			return i;
	return -1;
}

/* 1 if column i of `t` is kept from a node that does not own the row: a directory row's
 * private columns, and the columns withheld from a table's audience (audience_sees 0). */
static int withheld(const hearth_table_decl *t, int i)
{
	if (t->directory)
		return i >= 2 && !t->cols[i].is_public;
	return t->audience_col >= 0 && !t->cols[i].audience_sees;
}

int hearth_visible_select(hearth_buf *out, const hearth_table_decl *t, const char *node)
{
	int i, rc;

	if (!hearth_id_valid(node))
		return hearth_id_check("node id", node);
	rc = hearth_buf_puts(out, "SELECT ");
	for (i = 0; rc == 0 && i < t->ncol; i++) {
		const char *c = t->cols[i].name;
		if (!withheld(t, i))
			rc = hearth_buf_printf(out, "%s\"%s\"", i ? ", " : "", c);
		else
			rc = hearth_buf_printf(out, "%sCASE WHEN owner IN ('office', '%s') THEN \"%s\" "
						    "END AS \"%s\"",
				i ? ", " : "", node, c, c);
	}
	if (rc == 0)
		rc = hearth_buf_printf(out, " FROM \"%s\" WHERE ", t->name);
	return rc == 0 ? hearth_visible_sql(out, t, node) : rc;
}

int hearth_visible_sql(hearth_buf *out, const hearth_table_decl *t, const char *node)
{
	if (t->directory && hearth_id_valid(node))
		return hearth_buf_puts(out, "1");
	if (!hearth_id_valid(node))
		return hearth_id_check("node id", node);
	if (t->audience_col >= 0)
		return hearth_buf_printf(out, "(owner IN ('office', '%s') OR \"%s\" = '%s')", node,
			t->cols[t->audience_col].name, node);
	return hearth_buf_printf(out, "(owner IN ('office', '%s'))", node);
}

