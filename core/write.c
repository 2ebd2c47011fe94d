/*
 * The recorded write: BEGIN IMMEDIATE, a session on the synced tables, the caller's statements,
 * the ownership check of every change, the changeset into the outbox, COMMIT.
 * A write is either in the data and the outbox, or in neither.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "i18n.h"

/* ---- ownership ---------------------------------------------------------------------------- */

static int text_eq(sqlite3_value *v, const char *s)
{
	const unsigned char *t = v ? sqlite3_value_text(v) : NULL;

	return t && sqlite3_value_type(v) == SQLITE_TEXT && strcmp((const char *)t, s) == 0;
}

/* The audience of the row (owner, id) as it stands in `state`; 1 if it names `writer`. */
static int audience_is(sqlite3 *state, const hearth_table_decl *t, sqlite3_value *owner,
	sqlite3_value *id, const char *writer)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int yes = 0;

	if (hearth_buf_printf(&sql, "SELECT \"%s\" FROM \"%s\" WHERE owner = ?1 AND id = ?2",
		    t->cols[t->audience_col].name, t->name) < 0 ||
	    sqlite3_prepare_v2(state, sql.ptr, -1, &st, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_value(st, 1, owner);
	sqlite3_bind_value(st, 2, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *a = sqlite3_column_text(st, 0);
		yes = a && strcmp((const char *)a, writer) == 0;
	}
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sql);
	return yes;
}

/* An update by the row's audience node that touches only audience-writable columns. */
static int audience_may_update(sqlite3 *state, const hearth_table_decl *t, int ncol,
	sqlite3_changeset_iter *it, sqlite3_value *owner, sqlite3_value *id, const char *writer)
{
	int i;

	if (t->audience_col < 0)
		return 0;
	for (i = 0; i < ncol; i++) {
		sqlite3_value *v = NULL;
		if (sqlite3changeset_new(it, i, &v) != SQLITE_OK)
			return 0;
		if (v && !t->cols[i].audience_writable)
			return 0;
	}
	return audience_is(state, t, owner, id, writer);
}

/* Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF) without NUL bytes. */
static int text_clean(const unsigned char *s, int n)
{
	int i = 0;

	while (i < n) {
		unsigned char c = s[i];
		int len, k;
		uint32_t cp;
		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += len;
	}
	return 1;
}

/* A value of changeset type `type` holding n bytes at s may enter column c: text must be clean,
 * and bytes (a BLOB, which skips every text rule: x'ff00', an empty blob) enter only a column
 * declared BLOB. No synced table of hearth declares one; the rule holds without STRICT tables,
 * which old nodes lack. */
static int value_clean(const hearth_column_decl *c, int type, const unsigned char *s, int n)
{
	if (type == SQLITE_BLOB)
		return c->takes_blob;
	return type != SQLITE_TEXT || text_clean(s, n);
}

/* Text that enters the shared data must be clean UTF-8 without NUL bytes: every node, the site
 * and other implementations read it. */
static int check_text(sqlite3_changeset_iter *it, const hearth_table_decl *t, int ncol, int op)
{
	int i;

	if (op == SQLITE_DELETE)
		return 0;
	for (i = 0; i < ncol; i++) {
		sqlite3_value *v = NULL;
		int type;
		if (sqlite3changeset_new(it, i, &v) != SQLITE_OK || !v)
			continue;
		type = sqlite3_value_type(v);
		if (type == SQLITE_BLOB && !t->cols[i].takes_blob)
			return hearth_error_set(HEARTH_EUSAGE,
				_("'%s.%s' holds bytes (a BLOB) where text is expected: "
				"nothing was written"),
				t->name, t->cols[i].name);
		if (!value_clean(&t->cols[i], type, sqlite3_value_text(v), sqlite3_value_bytes(v)))
			return hearth_error_set(HEARTH_EUSAGE,
				_("'%s.%s' holds text that is not valid UTF-8 or has a NUL byte: "
				"nothing was written"),
				t->name, t->cols[i].name);
	}
	return 0;
}

static int deny(const char *table, sqlite3_value *owner, sqlite3_value *id, const char *writer)
{
	const unsigned char *o = owner ? sqlite3_value_text(owner) : NULL;
	const unsigned char *i = id ? sqlite3_value_text(id) : NULL;

	return hearth_error_set(HEARTH_EDENIED,
		_("cannot write '%s' row '%.60s/%.60s': it is owned by '%.60s' and this change comes "
		"from '%s' (a node writes only its own rows)"),
		table, o ? (const char *)o : "", i ? (const char *)i : "", o ? (const char *)o : "",
		writer);
}

/* The changeset's primary-key flags are the schema's, and the change carries its id. */
static int check_key(sqlite3_changeset_iter *it, const hearth_table_decl *t, int ncol,
	const char *tab, sqlite3_value *id)
{
	unsigned char *pk = NULL;
	int npk = 0, i;

	if (sqlite3changeset_pk(it, &pk, &npk) != SQLITE_OK || npk != ncol)
		goto bad;
	for (i = 0; i < ncol; i++)
		if (!pk[i] != !t->cols[i].is_pk)
			goto bad;
	if (!id)
		goto bad;
	return 0;
bad:
	return hearth_error_set(HEARTH_ECORRUPT,
		_("changeset keys '%.60s' by other columns than (owner, id), or lacks the id"), tab);
}

/* ---- the same walk over the bytes --------------------------------------------------------- */

/* The walk above iterates with SQLite, which makes a value object of every value: 17,000
 * instructions per row of a write. Below, the same checks read the changeset's bytes; they only
 * accept: whatever they cannot accept (a refusal, an audience update, anything unusual) goes to
 * the walk above, which decides and words the refusal. */

int hearth_raw_value(const unsigned char *p, size_t n, size_t *pos,
	struct hearth_raw_value *v)
{
	uint64_t len;

	if (*pos >= n)
		return -1;
	v->type = p[(*pos)++];
	v->p = NULL;
	v->n = 0;
	switch (v->type) {
	case 0:
	case SQLITE_NULL:
		return 0;
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		len = 8;
		break;
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		if (hearth_varint_get(p, n, pos, &len) < 0)
			return -1;
		break;
	default:
		return -1;
	}
	if (len > n - *pos)
		return -1;
	v->p = p + *pos;
	v->n = (size_t)len;
	*pos += (size_t)len;
	return 0;
}

/* A text value without NUL bytes as a C string in buf[RAW_CSTR], or NULL. */
#define RAW_CSTR 128
static const char *raw_cstr(const struct hearth_raw_value *v, char *buf)
{
	if (v->type != SQLITE_TEXT || v->n >= RAW_CSTR || memchr(v->p, 0, v->n))
		return NULL;
	memcpy(buf, v->p, v->n);
	buf[v->n] = '\0';
	return buf;
}

/* One change at p[*pos] (after its op and indirect bytes): 1 if it passes. The key is in the
 * first record (the new row of an insert, else the old row); the new values are checked for
 * UTF-8. */
static int raw_change(const hearth_table_decl *t, int op, int ncol, const char *writer,
	int writer_is_office, const unsigned char *p, size_t n, size_t *pos)
{
	struct hearth_raw_value owner = { 0, NULL, 0 }, id = { 0, NULL, 0 }, v;
	char ob[RAW_CSTR], ib[RAW_CSTR];
	const char *o, *i;
	int rec, col, nrec = op == SQLITE_UPDATE ? 2 : 1;

	for (rec = 0; rec < nrec; rec++) {
		int is_new = op == SQLITE_INSERT || rec == 1;
		for (col = 0; col < ncol; col++) {
			if (hearth_raw_value(p, n, pos, &v) < 0)
				return 0;
			if (rec == 0 && col < 2)
				*(col == 0 ? &owner : &id) = v;
			if (is_new && op != SQLITE_DELETE &&
			    !value_clean(&t->cols[col], v.type, v.p, (int)v.n))
				return 0;
		}
	}
	if (!(o = raw_cstr(&owner, ob)) || !hearth_id_valid(o) || id.type == 0)
		return 0;
	if (op == SQLITE_INSERT && (!(i = raw_cstr(&id, ib)) || !hearth_record_id_valid(i)))
		return 0;
	return writer_is_office || strcmp(o, writer) == 0;
}

static int owner_fast(const hearth_schema *s, const char *writer, int writer_is_office,
	const unsigned char *p, size_t n)
{
	const hearth_table_decl *t = NULL;
	const unsigned char *nul;
	size_t pos = 0;
	uint64_t ncol = 0, i;

	while (pos < n) {
		unsigned char op = p[pos++];
		if (op == 'T') {
			const unsigned char *pk;
			if (hearth_varint_get(p, n, &pos, &ncol) < 0 || ncol < 2 || ncol > n - pos)
				return 0;
			pk = p + pos;
			pos += (size_t)ncol;
			if (!(nul = memchr(p + pos, 0, n - pos)))
				return 0;
			t = hearth_schema_table(s, (const char *)p + pos);
			pos = (size_t)(nul - p) + 1;
			if (!t || ncol > (uint64_t)t->ncol)
				return 0;
			for (i = 0; i < ncol; i++)
				if (!pk[i] != !t->cols[i].is_pk)
					return 0;
			continue;
		}
		if (!t || (op != SQLITE_INSERT && op != SQLITE_UPDATE && op != SQLITE_DELETE) ||
		    pos >= n)
			return 0;
		pos++; /* indirect */
		if (!raw_change(t, op, (int)ncol, writer, writer_is_office, p, n, &pos))
			return 0;
	}
	return 1;
}

int hearth_changeset_check_owner(sqlite3 *state, const hearth_schema *s, const char *writer,
	int writer_is_office, const void *changeset, int n)
{
	sqlite3_changeset_iter *it = NULL;
	int rc = 0, step;

	if (n >= 0 && (n == 0 || changeset) &&
	    owner_fast(s, writer, writer_is_office, changeset, (size_t)n))
		return 0;
	if (sqlite3changeset_start(&it, n, (void *)changeset) != SQLITE_OK)
		return hearth_error_set(HEARTH_ECORRUPT, _("changeset does not parse"));
	while ((step = sqlite3changeset_next(it)) == SQLITE_ROW) {
		const char *tab;
		int ncol, op, indirect;
		const hearth_table_decl *t;
		sqlite3_value *owner = NULL, *id = NULL;

		sqlite3changeset_op(it, &tab, &ncol, &op, &indirect);
		t = hearth_schema_table(s, tab);
		/* fewer columns than ours: a node on an older schema (its changes are lifted) */
		if (!t || ncol > t->ncol || ncol < 2) {
			rc = hearth_error_set(HEARTH_EDENIED,
				_("changeset writes '%.60s', which is not a synced table of this schema"),
				tab);
			goto done;
		}
		if (op == SQLITE_INSERT) {
			sqlite3changeset_new(it, 0, &owner);
			sqlite3changeset_new(it, 1, &id);
		} else {
			sqlite3changeset_old(it, 0, &owner);
			sqlite3changeset_old(it, 1, &id);
		}
		if (!owner || sqlite3_value_type(owner) != SQLITE_TEXT ||
		    !hearth_id_valid((const char *)sqlite3_value_text(owner))) {
			rc = hearth_error_set(HEARTH_EDENIED, _("'%s' row has an invalid owner"), tab);
			goto done;
		}
		/* the key is (owner, id) whatever the changeset's PK flags claim: with `id` flagged
		 * as no key, SQLite hands out no old id for an UPDATE, and the audience lookup below
		 * would bind a NULL pointer (a crafted entry crashed the office: found by fuzzing) */
		if ((rc = check_key(it, t, ncol, tab, id)) < 0)
			goto done;
		/* record ids become file names on the site and keys everywhere: the same rule as node
		 * ids, checked on the way in (a key never changes after insert) */
		if (op == SQLITE_INSERT && (!id || sqlite3_value_type(id) != SQLITE_TEXT ||
						   !hearth_record_id_valid((const char *)sqlite3_value_text(id)))) {
			rc = hearth_error_set(HEARTH_EUSAGE,
				_("invalid id '%.60s' for a '%s' row: use 1-64 of letters, digits, '-' "
				"and '_', starting with a letter or digit (hearth_id() makes one)"),
				id ? (const char *)sqlite3_value_text(id) : "", tab);
			goto done;
		}
		if ((rc = check_text(it, t, ncol, op)) < 0)
			goto done;
		if (writer_is_office || text_eq(owner, writer))
			continue;
		if (op == SQLITE_UPDATE && audience_may_update(state, t, ncol, it, owner, id, writer))
			continue;
		rc = deny(tab, owner, id, writer);
		goto done;
	}
	if (step != SQLITE_DONE)
		rc = hearth_error_set(HEARTH_ECORRUPT, _("changeset does not parse (sqlite error %d)"),
			step);
done:
	sqlite3changeset_finalize(it);
	return rc;
}

/* ---- the write ---------------------------------------------------------------------------- */

/* While the caller's SQL runs: no schema changes, no transactions of its own, and writes only to
 * synced tables (hearth's own tables are written by hearth alone). */
int hearth_authorize(void *payload, int action, const char *a, const char *b, const char *dbname,
	const char *trigger)
{
	const hearth_db *db = payload;
	const hearth_schema *s = db->schema;

	if (!db->guard)
		return SQLITE_OK;
	switch (action) {
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE:
		/* the table a constraint's refusal is about (refusal_said) */
		if (hearth_schema_table(s, a))
			((hearth_db *)db)->written = hearth_schema_table(s, a);
		/* the schema's own triggers clear a "to fix" entry once its value is set again
		 * (005_typed.sql); a caller cannot create a trigger under the guard */
		if (action == SQLITE_DELETE && trigger && a && strcmp(a, "hearth_to_fix") == 0 &&
		    strncmp(trigger, "hearth_to_fix_", 14) == 0)
			return SQLITE_OK;
		return hearth_schema_table(s, a) ? SQLITE_OK : SQLITE_DENY;
	case SQLITE_PRAGMA:
		/* reading a table's layout changes nothing */
		return a && (strcmp(a, "table_info") == 0 || strcmp(a, "table_xinfo") == 0 ||
				    strcmp(a, "index_list") == 0 || strcmp(a, "index_info") == 0 ||
				    strcmp(a, "index_xinfo") == 0)
			? SQLITE_OK
			: SQLITE_DENY;
	case SQLITE_READ:
	case SQLITE_SELECT:
	case SQLITE_FUNCTION:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	default:
		return SQLITE_DENY;
	}
}

/* SQLite's refusal of a value as people read it: the column's label and what it expects (the
 * declarations), in one line. Migration 005 names each column's CHECK after the column
 * ("CONSTRAINT capacity CHECK (...)"), so "CHECK constraint failed: capacity" names it (as
 * the unnamed CHECKs before it begin with their column: "capacity >= 0"); the
 * table is the one the failing statement writes (the authorizer notes it). "NOT NULL constraint
 * failed: t.c" and "cannot store TEXT value in INTEGER column t.c" name both; the reference
 * triggers of 005 say "unknown reference: c". Returns the error
 * if `msg` is one of these, else 0. */
static int refusal_said(hearth_db *db, const char *msg)
{
	static const char *const heads[] = { "CHECK constraint failed: ",
		"NOT NULL constraint failed: ", " column ", "unknown reference: " };
	const hearth_table_decl *t = db->written;
	hearth_buf why = HEARTH_BUF_INIT;
	const char *col = NULL, *p, *dot;
	char name[128];
	size_t k;
	int i, rc;

	if (strstr(msg, "FOREIGN KEY constraint failed") && t)
		return hearth_error_set(HEARTH_ECONFLICT,
			_("%s: a row this change names does not exist; nothing was written"), t->name);
	for (k = 0; !col && k < sizeof(heads) / sizeof(heads[0]); k++)
		if ((p = strstr(msg, heads[k])) && (k != 2 || strstr(msg, "cannot store ")))
			col = p + strlen(heads[k]);
	if (!col)
		return 0;
	/* the leading name: an unnamed CHECK (before 005) reads "capacity >= 0" */
	snprintf(name, sizeof(name), "%.*s", (int)strspn(col, "abcdefghijklmnopqrstuvwxyz"
								  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_."),
		col);
	col = name;
	if ((dot = strchr(name, '.'))) {
		name[dot - name] = '\0';
		t = hearth_schema_table(hearth_db_schema(db), name);
		col = dot + 1;
	}
	if (!t || (i = hearth_table_column(t, col)) < 0)
		return 0;
	if (strstr(msg, "NOT NULL"))
		rc = hearth_buf_puts(&why, _("a value is required"));
	else if (k == 4 && t->cols[i].ref_table)
		/* TRANSLATORS: %s is a table name such as service_type */
		rc = hearth_buf_printf(&why, _("expected the id of an existing %s"),
			t->cols[i].ref_table);
	else
		rc = hearth_value_expected(&t->cols[i], &why);
	if (rc >= 0)
		/* TRANSLATORS: table, column label, what is expected */
		rc = hearth_error_set(HEARTH_ECONFLICT, _("%s \"%s\": %s; nothing was written"),
			t->name, hearth_column_label(t, i), why.ptr);
	hearth_buf_dispose(&why);
	return rc;
}

struct sql_body {
	const char *sql;
};

static int run_sql(hearth_db *db, void *payload)
{
	struct sql_body *b = payload;
	sqlite3 *h = hearth_db_sqlite(db);
	char *msg = NULL;
	int rc = 0;

	db->guard = 1;
	db->written = NULL;
	hearth_sql_limit_begin(db);
	if (sqlite3_exec(h, b->sql, NULL, NULL, &msg) != SQLITE_OK &&
	    (rc = hearth_sql_limit_error(db)) == 0) {
		/* a constraint refusing the data is a failure (exit 1), not a usage error */
		int err = sqlite3_errcode(h) & 0xff;
		int code = err == SQLITE_AUTH ? HEARTH_EDENIED
			: err == SQLITE_CONSTRAINT ? HEARTH_ECONFLICT
						   : HEARTH_EUSAGE;
		if ((rc = refusal_said(db, msg ? msg : sqlite3_errmsg(h))) == 0)
			rc = hearth_error_set(code, "%s%s", msg ? msg : sqlite3_errmsg(h),
				code == HEARTH_EDENIED
					? _(" (only rows of synced tables may be changed; no schema "
					    "changes or transactions)")
					: "");
	}
	hearth_sql_limit_end(db);
	db->guard = 0;
	sqlite3_free(msg);
	return rc;
}

int hearth_write_exec(hearth_db *db, const char *sql, hearth_write_info *out)
{
	struct sql_body b = { sql };

	return hearth_write_run(db, run_sql, &b, NULL, out);
}

int hearth_session_new(sqlite3_session **out, hearth_db *db)
{
	const hearth_schema *s = hearth_db_schema(db);
	sqlite3 *h = hearth_db_sqlite(db);
	int i;

	*out = NULL;
	if (sqlite3session_create(h, "main", out) != SQLITE_OK)
		return hearth_error_sqlite(h, HEARTH_ERROR, _("cannot create session"));
	for (i = 0; i < hearth_schema_count(s); i++)
		if (sqlite3session_attach(*out, hearth_schema_at(s, i)->name) != SQLITE_OK) {
			int rc = hearth_error_sqlite(h, HEARTH_ERROR, "cannot attach session");
			sqlite3session_delete(*out);
			*out = NULL;
			return rc;
		}
	return 0;
}

static int outbox_add(hearth_db *db, const void *cs, int n, const hearth_buf *summary,
	hearth_write_info *info)
{
	sqlite3_stmt *st = NULL;
	char hex[HEARTH_CLOCK_HEX + 1];
	int rc;

	hearth_clock_format(hex, info->clock);
	if ((rc = hearth_db_stmt(db, &st,
		     db->version >= HEARTH_SCHEMA_HISTORY
			     ? "INSERT INTO hearth_outbox (seq, clock, summary, changeset, author) "
			       "VALUES (?1, ?2, ?3, ?4, ?5)"
			     : "INSERT INTO hearth_outbox (seq, clock, summary, changeset) "
			       "VALUES (?1, ?2, ?3, ?4)")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, info->seq);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, summary->ptr, (int)summary->size, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, cs, n, SQLITE_STATIC);
	if (db->author && db->version >= HEARTH_SCHEMA_HISTORY)
		sqlite3_bind_text(st, 5, db->author, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot write the outbox"));
	hearth_stmt_done(st);
	return rc;
}

static int wide_refuse(hearth_db *db, int changes, const hearth_buf *sum)
{
	return hearth_error_set(HEARTH_ECONFLICT,
		_("this change would change %d rows (%s), more than %d: nothing was written "
		"(run it again with --yes to record it)"),
		changes, sum->ptr, db->wide_limit);
}

/* A refused value of a recorded write, said as such: nothing of the write stays. */
static int nothing_written(int rc)
{
	hearth_buf line = HEARTH_BUF_INIT;

	if (rc >= 0 || hearth_buf_puts(&line, hearth_error_last()) < 0)
		return rc;
	rc = hearth_error_set(rc, _("%s; nothing was written"), line.ptr);
	hearth_buf_dispose(&line);
	return rc;
}

/* The changes the session captured, checked, and kept in the outbox with the next seq and a
 * new clock. */
static int write_record(hearth_db *db, const void *cs, int n, const char *summary, int64_t seq,
	hearth_write_info *info)
{
	hearth_buf sum = HEARTH_BUF_INIT, keys = HEARTH_BUF_INIT;
	int rc;

	/* the session's own bytes: one walk counts them and, unless given, sums them up */
	if ((rc = hearth_changeset_summary_count(summary ? NULL : &sum, &info->changes, cs, n)) < 0 ||
	    (summary && (rc = hearth_buf_puts(&sum, summary)) < 0) ||
	    (db->wide_limit > 0 && info->changes > db->wide_limit &&
		    (rc = wide_refuse(db, info->changes, &sum)) < 0) ||
	    (rc = hearth_changeset_check_owner(hearth_db_sqlite(db), hearth_db_schema(db),
		     hearth_db_node(db), hearth_db_is_office(db), cs, n)) < 0 ||
	    (rc = nothing_written(hearth_changeset_check_values(db, cs, n))) < 0)
		goto done;
	hearth_db_clock_next(db, &info->clock);
	info->seq = seq + 1;
	/* a purge keeps no value of what it deletes (docs/security.md) */
	if (db->keys_only) {
		if ((rc = hearth_cs_deletes_keys_only(&keys, hearth_db_sqlite(db), cs, n)) < 0)
			goto done;
		cs = keys.ptr;
		n = (int)keys.size;
	}
	rc = outbox_add(db, cs, n, &sum, info);
done:
	hearth_buf_dispose(&keys);
	hearth_buf_dispose(&sum);
	return rc;
}

int hearth_write_run(hearth_db *db, hearth_write_fn fn, void *payload, const char *summary,
	hearth_write_info *out)
{
	hearth_write_info info = { 0, 0, 0 };
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_session *sess = NULL;
	int64_t last_seq = 0;
	void *cs = NULL;
	int n = 0, rc;

	if (out)
		memset(out, 0, sizeof(*out));
	if ((rc = hearth_db_begin(db)) < 0)
		return rc;
	/* another process may have written since: the seq goes on from the stored one, and
	 * hearth_id() must start above the stored clock */
	if ((rc = hearth_db_seq_clock_read(db, &last_seq)) < 0 ||
	    (rc = hearth_session_new(&sess, db)) < 0)
		goto done;
	info.clock = db->clock;
	if ((rc = fn(db, payload)) < 0)
		goto done;
	if (sqlite3session_changeset(sess, &n, &cs) != SQLITE_OK) {
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot collect the changes"));
		goto done;
	}
	/* the session must not record hearth's own bookkeeping below */
	sqlite3session_delete(sess);
	sess = NULL;
	if (n > 0 && (rc = write_record(db, cs, n, summary, last_seq, &info)) < 0)
		goto done;
	rc = hearth_db_commit(db);
done:
	if (sess)
		sqlite3session_delete(sess);
	sqlite3_free(cs);
	if (rc < 0)
		hearth_db_rollback(db);
	else if (out)
		*out = info;
	return rc;
}

/* ---- the overlay ------------------------------------------------------------------------- */

int hearth_overlay_current(hearth_db *db, hearth_buf *out)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_changegroup *g = NULL;
	sqlite3_stmt *st = NULL;
	void *merged = NULL;
	int nmerged = 0, rc = 0, any = 0;
	int64_t upto = 0;

	hearth_buf_clear(out);
	if (sqlite3changegroup_new(&g) != SQLITE_OK)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	if ((rc = hearth_sql_prepare(&st, h,
		     "SELECT changeset, upto_seq FROM hearth_overlay WHERE id = 1")) < 0)
		goto done;
	if (sqlite3_step(st) == SQLITE_ROW) {
		upto = sqlite3_column_int64(st, 1);
		if (sqlite3_column_bytes(st, 0) > 0) {
			any = 1;
			if (!hearth_changeset_wellformed(sqlite3_column_blob(st, 0),
				    (size_t)sqlite3_column_bytes(st, 0)) ||
			    sqlite3changegroup_add(g, sqlite3_column_bytes(st, 0),
				    (void *)sqlite3_column_blob(st, 0)) != SQLITE_OK) {
				rc = hearth_error_set(HEARTH_ECORRUPT, _("the stored overlay does not parse"));
				goto done;
			}
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = hearth_sql_prepare(&st, h,
		     "SELECT changeset FROM hearth_outbox WHERE seq > ?1 ORDER BY seq")) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, upto);
	while (sqlite3_step(st) == SQLITE_ROW) {
		any = 1;
		if (sqlite3changegroup_add(g, sqlite3_column_bytes(st, 0),
			    (void *)sqlite3_column_blob(st, 0)) != SQLITE_OK) {
			rc = hearth_error_set(HEARTH_ECORRUPT, _("an outbox entry does not parse"));
			goto done;
		}
	}
	if (!any)
		goto done;
	if (sqlite3changegroup_output(g, &nmerged, &merged) != SQLITE_OK) {
		rc = hearth_error_set(HEARTH_ERROR, _("cannot combine the overlay"));
		goto done;
	}
	rc = hearth_buf_put(out, merged, (size_t)nmerged);
done:
	sqlite3_finalize(st);
	sqlite3_free(merged);
	sqlite3changegroup_delete(g);
	return rc;
}
