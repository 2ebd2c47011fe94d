/*
 * The recorded write: BEGIN IMMEDIATE, a session on the synced tables, the caller's statements,
 * the ownership check of every change, the changeset into the outbox, COMMIT.
 * A write is either in the data and the outbox, or in neither.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

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

/* Text that enters the shared data must be clean UTF-8 without NUL bytes: every node, the site
 * and other implementations read it. */
static int check_text(sqlite3_changeset_iter *it, const hearth_table_decl *t, int ncol, int op)
{
	int i;

	if (op == SQLITE_DELETE)
		return 0;
	for (i = 0; i < ncol; i++) {
		sqlite3_value *v = NULL;
		if (sqlite3changeset_new(it, i, &v) != SQLITE_OK || !v ||
		    sqlite3_value_type(v) != SQLITE_TEXT)
			continue;
		if (!text_clean(sqlite3_value_text(v), sqlite3_value_bytes(v)))
			return hearth_error_set(HEARTH_EUSAGE,
				"'%s.%s' holds text that is not valid UTF-8 or has a NUL byte: "
				"nothing was written",
				t->name, t->cols[i].name);
	}
	return 0;
}

static int deny(const char *table, sqlite3_value *owner, sqlite3_value *id, const char *writer)
{
	const unsigned char *o = owner ? sqlite3_value_text(owner) : NULL;
	const unsigned char *i = id ? sqlite3_value_text(id) : NULL;

	return hearth_error_set(HEARTH_EDENIED,
		"cannot write '%s' row '%.60s/%.60s': it is owned by '%.60s' and this change comes "
		"from '%s' (a node writes only its own rows)",
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
		"changeset keys '%.60s' by other columns than (owner, id), or lacks the id", tab);
}

int hearth_changeset_check_owner(sqlite3 *state, const hearth_schema *s, const char *writer,
	int writer_is_office, const void *changeset, int n)
{
	sqlite3_changeset_iter *it = NULL;
	int rc = 0, step;

	if (sqlite3changeset_start(&it, n, (void *)changeset) != SQLITE_OK)
		return hearth_error_set(HEARTH_ECORRUPT, "changeset does not parse");
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
				"changeset writes '%.60s', which is not a synced table of this schema",
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
			rc = hearth_error_set(HEARTH_EDENIED, "'%s' row has an invalid owner", tab);
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
				"invalid id '%.60s' for a '%s' row: use 1-64 of letters, digits, '-' "
				"and '_', starting with a letter or digit (hearth_id() makes one)",
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
		rc = hearth_error_set(HEARTH_ECORRUPT, "changeset does not parse (sqlite error %d)",
			step);
done:
	sqlite3changeset_finalize(it);
	return rc;
}

/* ---- the write ---------------------------------------------------------------------------- */

/* While the caller's SQL runs: no schema changes, no transactions of its own, and writes only to
 * synced tables (hearth's own tables are written by hearth alone). */
static int authorize(void *payload, int action, const char *a, const char *b, const char *dbname,
	const char *trigger)
{
	const hearth_schema *s = payload;

	switch (action) {
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE:
		return hearth_schema_table(s, a) ? SQLITE_OK : SQLITE_DENY;
	case SQLITE_PRAGMA:
		/* the session reads table layouts lazily, on the first change to a table */
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

struct sql_body {
	const char *sql;
};

static int run_sql(hearth_db *db, void *payload)
{
	struct sql_body *b = payload;
	const hearth_schema *s = hearth_db_schema(db);
	sqlite3 *h = hearth_db_sqlite(db);
	char *msg = NULL;
	int rc = 0;

	sqlite3_set_authorizer(h, authorize, (void *)s);
	if (sqlite3_exec(h, b->sql, NULL, NULL, &msg) != SQLITE_OK) {
		int code = sqlite3_errcode(h) == SQLITE_AUTH ? HEARTH_EDENIED : HEARTH_EUSAGE;
		rc = hearth_error_set(code, "%s%s", msg ? msg : sqlite3_errmsg(h),
			code == HEARTH_EDENIED
				? " (only rows of synced tables may be changed; no schema changes or "
				  "transactions)"
				: "");
	}
	sqlite3_set_authorizer(h, NULL, NULL);
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
		return hearth_error_sqlite(h, HEARTH_ERROR, "cannot create session");
	for (i = 0; i < hearth_schema_count(s); i++)
		if (sqlite3session_attach(*out, hearth_schema_at(s, i)->name) != SQLITE_OK) {
			int rc = hearth_error_sqlite(h, HEARTH_ERROR, "cannot attach session");
			sqlite3session_delete(*out);
			*out = NULL;
			return rc;
		}
	return 0;
}

static int next_seq(hearth_db *db, int64_t *out)
{
	hearth_buf v = HEARTH_BUF_INIT;
	char num[32];
	int rc;

	*out = 0;
	if ((rc = hearth_meta_get(db, "seq", &v)) < 0 && rc != HEARTH_ENOTFOUND)
		goto done;
	*out = (rc == 0 ? strtoll(v.ptr, NULL, 10) : 0) + 1;
	snprintf(num, sizeof(num), "%lld", (long long)*out);
	rc = hearth_meta_set(db, "seq", num);
done:
	hearth_buf_dispose(&v);
	return rc;
}

static int outbox_add(hearth_db *db, const void *cs, int n, const char *summary,
	hearth_write_info *info)
{
	sqlite3 *h = hearth_db_sqlite(db);
	hearth_buf sum = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	char hex[HEARTH_CLOCK_HEX + 1];
	int rc;

	if ((rc = next_seq(db, &info->seq)) < 0 || (rc = hearth_db_clock_tick(db, &info->clock)) < 0)
		goto done;
	if (summary)
		rc = hearth_buf_puts(&sum, summary);
	else
		rc = hearth_changeset_summary(&sum, cs, n);
	if (rc < 0)
		goto done;
	hearth_clock_format(hex, info->clock);
	if ((rc = hearth_sql_prepare(&st, h,
		     "INSERT INTO hearth_outbox (seq, clock, summary, changeset) "
		     "VALUES (?1, ?2, ?3, ?4)")) < 0)
		goto done;
	sqlite3_bind_int64(st, 1, info->seq);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sum.ptr, (int)sum.size, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, cs, n, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(h, HEARTH_ERROR, "cannot write the outbox");
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sum);
	return rc;
}

static int count_changes(const void *cs, int n)
{
	int count = 0;

	return hearth_changeset_validate(cs, n, &count) < 0 ? 0 : count;
}

int hearth_write_run(hearth_db *db, hearth_write_fn fn, void *payload, const char *summary,
	hearth_write_info *out)
{
	sqlite3 *h = hearth_db_sqlite(db);
	const hearth_schema *s = hearth_db_schema(db);
	sqlite3_session *sess = NULL;
	hearth_write_info info = { 0, 0, 0 };
	void *cs = NULL;
	int n = 0, rc;

	if (out)
		memset(out, 0, sizeof(*out));
	if ((rc = hearth_db_begin(db)) < 0)
		return rc;
	/* another process may have ticked the clock: hearth_id() must start above it */
	if ((rc = hearth_db_clock_get(db, &info.clock)) < 0)
		goto done;
	if ((rc = hearth_session_new(&sess, db)) < 0 || (rc = fn(db, payload)) < 0)
		goto done;
	if (sqlite3session_changeset(sess, &n, &cs) != SQLITE_OK) {
		rc = hearth_error_sqlite(h, HEARTH_ERROR, "cannot collect the changes");
		goto done;
	}
	/* the session must not record hearth's own bookkeeping below */
	sqlite3session_delete(sess);
	sess = NULL;
	if (n > 0) {
		if ((rc = hearth_changeset_check_owner(h, s, hearth_db_node(db),
			     hearth_db_is_office(db), cs, n)) < 0 ||
		    (rc = outbox_add(db, cs, n, summary, &info)) < 0)
			goto done;
		info.changes = count_changes(cs, n);
	}
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
		return hearth_error_set(HEARTH_ERROR, "out of memory");
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
				rc = hearth_error_set(HEARTH_ECORRUPT, "the stored overlay does not parse");
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
			rc = hearth_error_set(HEARTH_ECORRUPT, "an outbox entry does not parse");
			goto done;
		}
	}
	if (!any)
		goto done;
	if (sqlite3changegroup_output(g, &nmerged, &merged) != SQLITE_OK) {
		rc = hearth_error_set(HEARTH_ERROR, "cannot combine the overlay");
		goto done;
	}
	rc = hearth_buf_put(out, merged, (size_t)nmerged);
done:
	sqlite3_finalize(st);
	sqlite3_free(merged);
	sqlite3changegroup_delete(g);
	return rc;
}
