/*
 * Fuzz target for the changeset codec: hearth_changeset_validate, hearth_changeset_summary and
 * the encoder (hearth_cs_writer_append_iter), which cuts every node's `down`.
 *
 * For any bytes: validate and summary either succeed or fail with HEARTH_ECORRUPT and a one-line
 * message, and they agree (what validates also summarises). For bytes that validate:
 *   1. re-encoding every change read by SQLite's iterator gives bytes that validate, that hold
 *      the same changes value for value, and that re-encode to themselves;
 *   2. the changes are replayed as SQL into an in-memory database under a session, and the
 *      changeset SQLite itself produces, re-encoded, is byte-identical to it: the encoder writes
 *      SQLite's format exactly, not just something SQLite accepts.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hearth_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz_changeset: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                               \
		}                                                                              \
	} while (0)

#define MAX_COLS 64
#define MAX_TABLES 16

static void check_error(int rc)
{
	const char *msg = hearth_error_last();

	CHECK(rc == HEARTH_ECORRUPT);
	CHECK(hearth_error_code() == rc);
	CHECK(msg[0] != '\0' && strchr(msg, '\n') == NULL);
}

/* Re-encode every change of `cs` (which validates) into `w`; returns the number of changes. */
static int reencode(hearth_cs_writer *w, const void *cs, int n)
{
	sqlite3_changeset_iter *it = NULL;
	int count = 0;

	CHECK(sqlite3changeset_start(&it, n, (void *)cs) == SQLITE_OK);
	while (sqlite3changeset_next(it) == SQLITE_ROW) {
		hearth_cs_writer_append_iter(w, it);
		count++;
	}
	CHECK(sqlite3changeset_finalize(it) == SQLITE_OK);
	CHECK(w->rc == 0);
	return count;
}

static int same_value(sqlite3_value *a, sqlite3_value *b)
{
	int t;

	if (!a || !b)
		return a == b;
	t = sqlite3_value_type(a);
	if (t != sqlite3_value_type(b))
		return 0;
	switch (t) {
	case SQLITE_INTEGER:
		return sqlite3_value_int64(a) == sqlite3_value_int64(b);
	case SQLITE_FLOAT: {
		double x = sqlite3_value_double(a), y = sqlite3_value_double(b);
		return memcmp(&x, &y, sizeof(x)) == 0;
	}
	case SQLITE_TEXT:
	case SQLITE_BLOB: {
		int len = sqlite3_value_bytes(a);
		return len == sqlite3_value_bytes(b) &&
		       (len == 0 || memcmp(sqlite3_value_blob(a), sqlite3_value_blob(b),
					    (size_t)len) == 0);
	}
	default:
		return 1;
	}
}

/* The two changesets hold the same changes in the same order, value for value. */
static void check_same_changes(const void *a, int na, const void *b, int nb)
{
	sqlite3_changeset_iter *ia = NULL, *ib = NULL;
	int sa, sb;

	CHECK(sqlite3changeset_start(&ia, na, (void *)a) == SQLITE_OK);
	CHECK(sqlite3changeset_start(&ib, nb, (void *)b) == SQLITE_OK);
	for (;;) {
		const char *ta, *tb;
		int ca, cb, opa, opb, inda, indb, i, npa, npb;
		unsigned char *pka, *pkb;

		sa = sqlite3changeset_next(ia);
		sb = sqlite3changeset_next(ib);
		CHECK(sa == sb);
		if (sa != SQLITE_ROW)
			break;
		sqlite3changeset_op(ia, &ta, &ca, &opa, &inda);
		sqlite3changeset_op(ib, &tb, &cb, &opb, &indb);
		sqlite3changeset_pk(ia, &pka, &npa);
		sqlite3changeset_pk(ib, &pkb, &npb);
		CHECK(strcmp(ta, tb) == 0 && ca == cb && opa == opb && !inda == !indb);
		CHECK(npa == npb && memcmp(pka, pkb, (size_t)npa) == 0);
		for (i = 0; i < ca; i++) {
			sqlite3_value *va = NULL, *vb = NULL;
			if (opa != SQLITE_INSERT) {
				CHECK(sqlite3changeset_old(ia, i, &va) == SQLITE_OK);
				CHECK(sqlite3changeset_old(ib, i, &vb) == SQLITE_OK);
				CHECK(same_value(va, vb));
			}
			if (opa != SQLITE_DELETE) {
				CHECK(sqlite3changeset_new(ia, i, &va) == SQLITE_OK);
				CHECK(sqlite3changeset_new(ib, i, &vb) == SQLITE_OK);
				CHECK(same_value(va, vb));
			}
		}
	}
	CHECK(sa == SQLITE_DONE);
	sqlite3changeset_finalize(ia);
	sqlite3changeset_finalize(ib);
}

/* ---- the differential: SQLite's own changeset of the same changes ------------------------- */

struct table {
	char name[64];
	int ncol;
};

static int table_create(sqlite3 *db, struct table *tabs, int *ntabs, const char *name, int ncol,
	const unsigned char *pk)
{
	char sql[8192];
	size_t len;
	int i, npk = 0;

	for (i = 0; i < *ntabs; i++)
		if (strcmp(tabs[i].name, name) == 0)
			return tabs[i].ncol == ncol ? 0 : -1;
	if (*ntabs == MAX_TABLES || ncol < 1 || ncol > MAX_COLS || strlen(name) >= 64 ||
	    strchr(name, '"'))
		return -1;
	for (i = 0; i < ncol; i++)
		npk += pk[i] != 0;
	if (npk == 0)
		return -1;
	len = (size_t)snprintf(sql, sizeof(sql), "CREATE TABLE \"%s\" (", name);
	for (i = 0; i < ncol; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "c%d, ", i);
	len += (size_t)snprintf(sql + len, sizeof(sql) - len, "PRIMARY KEY (");
	for (i = 0, npk = 0; i < ncol; i++)
		if (pk[i])
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%sc%d",
				npk++ ? ", " : "", i);
	snprintf(sql + len, sizeof(sql) - len, "))");
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	snprintf(tabs[*ntabs].name, sizeof(tabs[*ntabs].name), "%s", name);
	tabs[*ntabs].ncol = ncol;
	(*ntabs)++;
	return 0;
}

/* INSERT OR REPLACE one row: `vals` (NULL entries: SQL NULL). */
static void row_put(sqlite3 *db, const char *name, int ncol, sqlite3_value **vals)
{
	char sql[1024];
	size_t len;
	sqlite3_stmt *st = NULL;
	int i;

	len = (size_t)snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO \"%s\" VALUES (", name);
	for (i = 0; i < ncol; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s?", i ? ", " : "");
	snprintf(sql + len, sizeof(sql) - len, ")");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	for (i = 0; i < ncol; i++)
		if (vals[i])
			sqlite3_bind_value(st, i + 1, vals[i]);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

static void row_delete(sqlite3 *db, const char *name, int ncol, const unsigned char *pk,
	sqlite3_value **vals)
{
	char sql[2048];
	size_t len;
	sqlite3_stmt *st = NULL;
	int i, n = 0;

	len = (size_t)snprintf(sql, sizeof(sql), "DELETE FROM \"%s\" WHERE 1", name);
	for (i = 0; i < ncol; i++)
		if (pk[i])
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND c%d IS ?", i);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	for (i = 0; i < ncol; i++)
		if (pk[i] && vals[i])
			sqlite3_bind_value(st, ++n, vals[i]);
		else if (pk[i])
			n++;
	sqlite3_step(st);
	sqlite3_finalize(st);
}

/*
 * Replay the changes of `cs` as SQL: first the old rows they assume (no session), then the
 * changes themselves under a session. The session's changeset is SQLite's own encoding of
 * whatever took effect; the encoder must reproduce it byte for byte.
 */
/* hearth_changeset_each: every change passed once, in order; copied as its bytes it is the
 * same changeset, and SQLite's iterator on each change alone sees that change. */
struct raw_copy {
	hearth_cs_writer w;
	hearth_buf one;
	int count;
};

static int raw_copy_change(void *ctx, const hearth_cs_change *c)
{
	struct raw_copy *rc = ctx;
	sqlite3_changeset_iter *it = NULL;
	const char *tab;
	int ncol, op, ind, i;

	hearth_cs_writer_append_raw(&rc->w, c);
	CHECK(rc->w.rc == 0);
	CHECK(hearth_cs_change_iter(&it, &rc->one, c) == 0);
	CHECK(sqlite3changeset_op(it, &tab, &ncol, &op, &ind) == SQLITE_OK);
	CHECK(strcmp(tab, c->table) == 0 && ncol == c->ncol && op == c->op &&
	      (ind != 0) == c->indirect);
	for (i = 0; i < ncol; i++) { /* hearth_cs_change_text_is reads a text as SQLite does */
		sqlite3_value *v = NULL;
		int rec = op != SQLITE_DELETE;

		if ((rec ? sqlite3changeset_new(it, i, &v) : sqlite3changeset_old(it, i, &v)) ==
			    SQLITE_OK &&
		    v && sqlite3_value_type(v) == SQLITE_TEXT)
			CHECK(hearth_cs_change_text_is(c, rec, i,
				(const char *)sqlite3_value_text(v)) == 1);
		CHECK(hearth_cs_change_text_is(c, rec, i, "\x7f(no such text)") == 0);
	}
	CHECK(sqlite3changeset_next(it) == SQLITE_DONE);
	sqlite3changeset_finalize(it);
	rc->count++;
	return 0;
}

static void check_raw_copy(const void *cs, int n, int nchanges)
{
	struct raw_copy rc = { HEARTH_CS_WRITER_INIT, HEARTH_BUF_INIT, 0 };

	CHECK(hearth_changeset_each(cs, n, raw_copy_change, &rc) == 0);
	CHECK(rc.count == nchanges);
	CHECK(rc.w.buf.size <= (size_t)n);
	check_same_changes(cs, n, rc.w.buf.ptr, (int)rc.w.buf.size);
	hearth_cs_writer_dispose(&rc.w);
	hearth_buf_dispose(&rc.one);
}

/* What hearth_changeset_validate passes, SQLite's iterator walks to its end, every old and
 * new value read, as many changes (validate walks the bytes only, without SQLite). */
static void check_sqlite_walks(const void *cs, int n, int nchanges)
{
	sqlite3_changeset_iter *it = NULL;
	int step, count = 0;

	CHECK(sqlite3changeset_start(&it, n, (void *)cs) == SQLITE_OK);
	while ((step = sqlite3changeset_next(it)) == SQLITE_ROW) {
		const char *tab;
		int ncol, op, ind, i;
		sqlite3_value *v;

		CHECK(sqlite3changeset_op(it, &tab, &ncol, &op, &ind) == SQLITE_OK);
		for (i = 0; i < ncol; i++) {
			if (op != SQLITE_INSERT)
				CHECK(sqlite3changeset_old(it, i, &v) == SQLITE_OK);
			if (op != SQLITE_DELETE)
				CHECK(sqlite3changeset_new(it, i, &v) == SQLITE_OK);
		}
		count++;
	}
	CHECK(step == SQLITE_DONE);
	CHECK(count == nchanges);
	sqlite3changeset_finalize(it);
}

static void check_sqlite_differential(const void *cs, int n)
{
	sqlite3 *db = NULL;
	sqlite3_session *sess = NULL;
	sqlite3_changeset_iter *it = NULL;
	hearth_cs_writer w = HEARTH_CS_WRITER_INIT;
	struct table tabs[MAX_TABLES];
	int ntabs = 0, pass, nout = 0;
	void *out = NULL;

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			CHECK(sqlite3session_create(db, "main", &sess) == SQLITE_OK);
			CHECK(sqlite3session_attach(sess, NULL) == SQLITE_OK);
		}
		CHECK(sqlite3changeset_start(&it, n, (void *)cs) == SQLITE_OK);
		while (sqlite3changeset_next(it) == SQLITE_ROW) {
			const char *tab;
			int ncol, op, ind, npk, i;
			unsigned char *pk;
			sqlite3_value *old[MAX_COLS], *nw[MAX_COLS], *row[MAX_COLS];

			sqlite3changeset_op(it, &tab, &ncol, &op, &ind);
			sqlite3changeset_pk(it, &pk, &npk);
			if (table_create(db, tabs, &ntabs, tab, ncol, pk) < 0)
				continue;
			for (i = 0; i < ncol; i++) {
				old[i] = nw[i] = NULL;
				if (op != SQLITE_INSERT)
					sqlite3changeset_old(it, i, &old[i]);
				if (op != SQLITE_DELETE)
					sqlite3changeset_new(it, i, &nw[i]);
				row[i] = nw[i] ? nw[i] : old[i];
			}
			if (pass == 0) {
				if (op != SQLITE_INSERT)
					row_put(db, tab, ncol, old);
			} else if (op == SQLITE_DELETE) {
				row_delete(db, tab, ncol, pk, old);
			} else {
				row_put(db, tab, ncol, op == SQLITE_INSERT ? nw : row);
			}
		}
		sqlite3changeset_finalize(it);
		it = NULL;
	}
	CHECK(sqlite3session_changeset(sess, &nout, &out) == SQLITE_OK);
	if (nout > 0) {
		CHECK(hearth_changeset_validate(out, nout, NULL) == 0);
		reencode(&w, out, nout);
		if (w.buf.size != (size_t)nout || memcmp(w.buf.ptr, out, (size_t)nout) != 0)
			fprintf(stderr, "fuzz_changeset: SQLite wrote %d bytes, the encoder %zu\n",
				nout, w.buf.size);
		CHECK(w.buf.size == (size_t)nout && memcmp(w.buf.ptr, out, (size_t)nout) == 0);
	}
	sqlite3_free(out);
	hearth_cs_writer_dispose(&w);
	sqlite3session_delete(sess);
	sqlite3_close(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hearth_buf sum = HEARTH_BUF_INIT;
	hearth_cs_writer w = HEARTH_CS_WRITER_INIT, w2 = HEARTH_CS_WRITER_INIT;
	int n, nchanges = -1, rc, rcsum, count;

	if (size > (1u << 20))
		return 0;
	n = (int)size;
	hearth_error_clear();
	rc = hearth_changeset_validate(data, n, &nchanges);
	if (rc) {
		check_error(rc);
		CHECK(nchanges == 0);
	}
	hearth_error_clear();
	rcsum = hearth_changeset_summary(&sum, data, n);
	if (rcsum)
		check_error(rcsum);
	if (rc)
		goto done;
	/* what validates also summarises, as one line naming something */
	CHECK(rcsum == 0 && sum.size > 0);
	CHECK(nchanges > 0 || strcmp(sum.ptr, "no changes") == 0);
	check_sqlite_walks(data, n, nchanges);
	check_raw_copy(data, n, nchanges);

	count = reencode(&w, data, n);
	CHECK(count == nchanges);
	CHECK(w.buf.size <= (size_t)INT32_MAX);
	CHECK(hearth_changeset_validate(w.buf.ptr, (int)w.buf.size, &count) == 0);
	CHECK(count == nchanges);
	check_same_changes(data, n, w.buf.ptr, (int)w.buf.size);
	reencode(&w2, w.buf.ptr, (int)w.buf.size);
	CHECK(w2.buf.size == w.buf.size && memcmp(w2.buf.ptr, w.buf.ptr, w.buf.size) == 0);

	check_sqlite_differential(data, n);
done:
	hearth_buf_dispose(&sum);
	hearth_cs_writer_dispose(&w);
	hearth_cs_writer_dispose(&w2);
	return 0;
}
