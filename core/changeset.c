/*
 * The changeset codec. SQLite 3.40 can iterate a changeset but cannot build one from chosen
 * entries (sqlite3changegroup_add_change is 3.46+), and a node's `down` is a filtered changeset.
 * So this writes the format documented at the top of SQLite's sqlite3session.c:
 *
 *   table header: 'T', varint ncol, ncol PK-flag bytes, table name, NUL
 *   change:       op byte (SQLITE_INSERT/UPDATE/DELETE), indirect byte, record(s)
 *                 DELETE: old record; INSERT: new record; UPDATE: old record then new record
 *   record:       one value per column: type byte, then
 *                 0 undefined (nothing), 5 NULL (nothing), 1 INTEGER (8 bytes big-endian),
 *                 2 REAL (8 bytes big-endian IEEE 754), 3 TEXT / 4 BLOB (varint length, bytes)
 *   varint:       SQLite's: 1-9 bytes, big-endian 7-bit groups, high bit = more; a 9th byte
 *                 carries 8 bits.
 * Round-trip tests check it against SQLite's own iterator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "i18n.h"

static void put(hearth_cs_writer *w, const void *p, size_t n)
{
	if (w->rc == 0)
		w->rc = hearth_buf_put(&w->buf, p, n);
}

static void put_byte(hearth_cs_writer *w, unsigned char b)
{
	put(w, &b, 1);
}

int hearth_varint_put(unsigned char out[9], uint64_t v)
{
	unsigned char tmp[9];
	int i, n = 0;

	if (v & (0xff000000ULL << 32)) {
		out[8] = (unsigned char)v;
		v >>= 8;
		for (i = 7; i >= 0; i--) {
			out[i] = (unsigned char)((v & 0x7f) | 0x80);
			v >>= 7;
		}
		return 9;
	}
	do {
		tmp[n++] = (unsigned char)((v & 0x7f) | 0x80);
		v >>= 7;
	} while (v != 0);
	tmp[0] &= 0x7f;
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

static void put_varint(hearth_cs_writer *w, uint64_t v)
{
	unsigned char out[9];

	put(w, out, (size_t)hearth_varint_put(out, v));
}

static void put_u64be(hearth_cs_writer *w, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)v;
		v >>= 8;
	}
	put(w, b, 8);
}

static void put_value(hearth_cs_writer *w, sqlite3_value *v)
{
	if (!v) {
		put_byte(w, 0);
		return;
	}
	switch (sqlite3_value_type(v)) {
	case SQLITE_INTEGER:
		put_byte(w, SQLITE_INTEGER);
		put_u64be(w, (uint64_t)sqlite3_value_int64(v));
		break;
	case SQLITE_FLOAT: {
		double d = sqlite3_value_double(v);
		uint64_t bits;
		memcpy(&bits, &d, sizeof(bits));
		put_byte(w, SQLITE_FLOAT);
		put_u64be(w, bits);
		break;
	}
	case SQLITE_TEXT: {
		const unsigned char *t = sqlite3_value_text(v);
		int n = sqlite3_value_bytes(v);
		put_byte(w, SQLITE_TEXT);
		put_varint(w, (uint64_t)n);
		put(w, t, (size_t)n);
		break;
	}
	case SQLITE_BLOB: {
		const void *b = sqlite3_value_blob(v);
		int n = sqlite3_value_bytes(v);
		put_byte(w, SQLITE_BLOB);
		put_varint(w, (uint64_t)n);
		put(w, b, (size_t)n);
		break;
	}
	default:
		put_byte(w, SQLITE_NULL);
	}
}

void hearth_cs_writer_table(hearth_cs_writer *w, const char *table, int ncol,
	const unsigned char *pk)
{
	if (w->rc)
		return;
	/* the same name with other PK flags is another block: merging them would change the key
	 * SQLite applies the second block's changes by */
	if (w->table && strcmp(w->table, table) == 0 && w->ncol == ncol &&
	    memcmp(w->pk, pk, (size_t)ncol) == 0)
		return;
	free(w->table);
	free(w->pk);
	w->pk = NULL;
	if (!(w->table = strdup(table)) || !(w->pk = malloc(ncol > 0 ? (size_t)ncol : 1))) {
		w->rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		return;
	}
	memcpy(w->pk, pk, (size_t)ncol);
	w->ncol = ncol;
	put_byte(w, 'T');
	put_varint(w, (uint64_t)ncol);
	put(w, pk, (size_t)ncol);
	put(w, table, strlen(table) + 1);
}

static void put_record(hearth_cs_writer *w, sqlite3_value **vals)
{
	int i;

	for (i = 0; i < w->ncol; i++)
		put_value(w, vals ? vals[i] : NULL);
}

/* The head of one change (its operation and indirect flag); -1 when the writer has failed or no
 * table was started. */
static int change_start(hearth_cs_writer *w, int op, int indirect)
{
	if (w->rc)
		return -1;
	if (!w->table) {
		w->rc = hearth_error_set(HEARTH_ERROR, _("changeset writer: change before table"));
		return -1;
	}
	put_byte(w, (unsigned char)op);
	put_byte(w, indirect ? 1 : 0);
	return 0;
}

void hearth_cs_writer_change(hearth_cs_writer *w, int op, int indirect, sqlite3_value **old,
	sqlite3_value **new_)
{
	if (change_start(w, op, indirect) < 0)
		return;
	if (op == SQLITE_DELETE || op == SQLITE_UPDATE)
		put_record(w, old);
	if (op == SQLITE_INSERT || op == SQLITE_UPDATE)
		put_record(w, new_);
}

/* An INSERT of `vals`: a NULL pointer, or a column whose send[i] is 0, is an SQL NULL. */
static void insert_row(hearth_cs_writer *w, sqlite3_value **vals, const unsigned char *send)
{
	int i;

	if (change_start(w, SQLITE_INSERT, 0) < 0)
		return;
	for (i = 0; i < w->ncol; i++) {
		if (vals[i] && (!send || send[i]))
			put_value(w, vals[i]);
		else
			put_byte(w, SQLITE_NULL);
	}
}

void hearth_cs_writer_insert(hearth_cs_writer *w, sqlite3_value **new_)
{
	insert_row(w, new_, NULL);
}

void hearth_cs_writer_delete_key(hearth_cs_writer *w, sqlite3_value **old)
{
	hearth_cs_writer_delete_key_and(w, old, -1);
}

void hearth_cs_writer_delete_key_and(hearth_cs_writer *w, sqlite3_value **old, int keep)
{
	int i;

	if (change_start(w, SQLITE_DELETE, 0) < 0)
		return;
	for (i = 0; i < w->ncol; i++) {
		if (w->pk[i] || i == keep)
			put_value(w, old[i]);
		else
			put_byte(w, SQLITE_NULL);
	}
}

void hearth_cs_writer_insert_masked(hearth_cs_writer *w, sqlite3_value **vals,
	const unsigned char *send)
{
	insert_row(w, vals, send);
}

void hearth_cs_writer_append_iter(hearth_cs_writer *w, sqlite3_changeset_iter *it)
{
	const char *tab;
	int ncol, op, indirect, i, npk;
	unsigned char *pk;
	sqlite3_value *stack_old[64], *stack_new[64];
	sqlite3_value **old = stack_old, **nw = stack_new;

	if (w->rc)
		return;
	sqlite3changeset_op(it, &tab, &ncol, &op, &indirect);
	sqlite3changeset_pk(it, &pk, &npk);
	if (ncol > 64) {
		old = calloc((size_t)ncol, sizeof(*old));
		nw = calloc((size_t)ncol, sizeof(*nw));
		if (!old || !nw) {
			w->rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
			goto done;
		}
	}
	for (i = 0; i < ncol; i++) {
		old[i] = nw[i] = NULL;
		if (op != SQLITE_INSERT)
			sqlite3changeset_old(it, i, &old[i]);
		if (op != SQLITE_DELETE)
			sqlite3changeset_new(it, i, &nw[i]);
	}
	hearth_cs_writer_table(w, tab, ncol, pk);
	hearth_cs_writer_change(w, op, indirect, old, nw);
done:
	if (old != stack_old)
		free(old);
	if (nw != stack_new)
		free(nw);
}

void hearth_cs_writer_dispose(hearth_cs_writer *w)
{
	hearth_buf_dispose(&w->buf);
	free(w->table);
	free(w->pk);
	w->table = NULL;
	w->pk = NULL;
	w->ncol = 0;
	w->rc = 0;
}

/* ---- reading ------------------------------------------------------------------------------ */

/* SQLite's varint (see the top of this file) at p[*pos..n); -1 if it runs past the end. */
int hearth_varint_get(const unsigned char *p, size_t n, size_t *pos, uint64_t *out)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 9; i++) {
		if (*pos >= n)
			return -1;
		if (i == 8) {
			*out = (v << 8) | p[(*pos)++];
			return 0;
		}
		v = (v << 7) | (p[*pos] & 0x7f);
		if (!(p[(*pos)++] & 0x80))
			break;
	}
	*out = v;
	return 0;
}

/* One record of `ncol` values at p[*pos..n); -1 if it does not fit or a type is unknown. */
static int skip_record(const unsigned char *p, size_t n, size_t *pos, uint64_t ncol)
{
	uint64_t i, len;

	for (i = 0; i < ncol; i++) {
		if (*pos >= n)
			return -1;
		switch (p[(*pos)++]) {
		case 0:
		case SQLITE_NULL:
			break;
		case SQLITE_INTEGER:
		case SQLITE_FLOAT:
			if (n - *pos < 8)
				return -1;
			*pos += 8;
			break;
		case SQLITE_TEXT:
		case SQLITE_BLOB:
			if (hearth_varint_get(p, n, pos, &len) < 0 || len > n - *pos)
				return -1;
			*pos += (size_t)len;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/*
 * Walk the framing of a changeset (table headers, changes, records) within its n bytes, before
 * SQLite sees it: SQLite 3.40's iterator loops forever on a table header whose name has no NUL
 * before the end of the buffer ("T\x01\x01abc"), and reads a byte past the end after a header
 * that ends the buffer. Stricter than SQLite where hearth never writes such bytes: patchsets,
 * unknown value types, a header not followed by a change.
 */
/* "table +ins ~upd -del" appended to a summary (", " before it unless it is the first). */
static int summary_table(hearth_buf *out, int *first, const char *table, const int tally[3])
{
	int rc = hearth_buf_printf(out, "%s%s", *first ? "" : ", ", table);

	if (rc == 0 && tally[0])
		rc = hearth_buf_printf(out, " +%d", tally[0]);
	if (rc == 0 && tally[1])
		rc = hearth_buf_printf(out, " ~%d", tally[1]);
	if (rc == 0 && tally[2])
		rc = hearth_buf_printf(out, " -%d", tally[2]);
	*first = 0;
	return rc;
}

/* The framing walk; with `sum`, the summary of the changes is appended to it, and with `count`,
 * their number is stored there (a byte walk costs a fraction of SQLite's iterator, which makes
 * a value object of every value). */
static int framing_walk(const void *cs, int n, hearth_buf *sum, int *count,
	hearth_cs_each_fn each, void *ctx)
{
	const unsigned char *p = cs, *nul;
	size_t len = (size_t)n, pos = 0, start;
	uint64_t ncol = 0;
	int change_due = 0, tally[3] = { 0, 0, 0 }, first = 1, total = 0, rc;
	char table[128] = "";
	hearth_cs_change c;

	memset(&c, 0, sizeof(c));
	while (pos < len) {
		unsigned char op = p[pos++];
		if (op == 'T') {
			start = pos - 1;
			if (change_due || hearth_varint_get(p, len, &pos, &ncol) < 0 || ncol < 1 ||
			    ncol > 65536 || ncol > len - pos)
				goto corrupt;
			c.pk = p + pos;
			pos += (size_t)ncol;
			if (!(nul = memchr(p + pos, 0, len - pos)))
				goto corrupt;
			c.table = (const char *)p + pos;
			c.ncol = (int)ncol;
			c.head = p + start;
			c.nhead = (size_t)(nul - p) + 1 - start;
			if (sum && (!table[0] || strncmp(table, (const char *)p + pos, sizeof(table) - 1))) {
				if (table[0] && (rc = summary_table(sum, &first, table, tally)) < 0)
					return rc;
				snprintf(table, sizeof(table), "%s", (const char *)p + pos);
				tally[0] = tally[1] = tally[2] = 0;
			}
			pos = (size_t)(nul - p) + 1;
			change_due = 1;
			continue;
		}
		if (!ncol || (op != SQLITE_INSERT && op != SQLITE_UPDATE && op != SQLITE_DELETE) ||
		    pos >= len)
			goto corrupt;
		start = pos - 1;
		c.indirect = p[pos++] != 0;
		if (skip_record(p, len, &pos, ncol) < 0 ||
		    (op == SQLITE_UPDATE && skip_record(p, len, &pos, ncol) < 0))
			goto corrupt;
		if (each) {
			c.op = op;
			c.p = p + start;
			c.n = pos - start;
			if ((rc = each(ctx, &c)) < 0)
				return rc;
		}
		tally[op == SQLITE_INSERT ? 0 : op == SQLITE_UPDATE ? 1 : 2]++;
		total++;
		change_due = 0;
	}
	if (change_due)
		goto corrupt;
	if (sum && table[0] && (rc = summary_table(sum, &first, table, tally)) < 0)
		return rc;
	if (sum && first && (rc = hearth_buf_puts(sum, "no changes")) < 0)
		return rc;
	if (count)
		*count = total;
	return 0;
corrupt:
	return hearth_error_set(HEARTH_ECORRUPT, _("changeset does not parse (byte %zu)"), pos);
}

static int framing_check(const void *cs, int n)
{
	return framing_walk(cs, n, NULL, NULL, NULL, NULL);
}

int hearth_changeset_summary_count(hearth_buf *sum, int *count, const void *cs, int n)
{
	if (n < 0 || (n > 0 && !cs))
		return hearth_error_set(HEARTH_ECORRUPT, _("changeset does not parse"));
	return framing_walk(cs, n, sum, count, NULL, NULL);
}

int hearth_changeset_each(const void *cs, int n, hearth_cs_each_fn each, void *ctx)
{
	if (n < 0 || (n > 0 && !cs))
		return hearth_error_set(HEARTH_ECORRUPT, _("changeset does not parse"));
	return framing_walk(cs, n, NULL, NULL, each, ctx);
}

int hearth_changeset_wellformed(const void *cs, size_t n)
{
	return n <= INT32_MAX && (n == 0 || cs) && framing_check(cs, (int)n) == 0;
}

/* The byte walk alone: it checks every table header, op and record against the buffer's end
 * and every value's type, which is all SQLite's iterator checks on a changeset (3.40), so what
 * passes it also iterates to the end (tests/fuzz/fuzz_changeset.c checks this on every input).
 * SQLite's iterator, which makes a value object of every value, walked it a second time. */
int hearth_changeset_validate(const void *cs, int n, int *nchanges)
{
	int count = 0, rc;

	if (nchanges)
		*nchanges = 0;
	if (n < 0 || (n > 0 && !cs))
		return hearth_error_set(HEARTH_ECORRUPT, _("changeset does not parse"));
	if ((rc = framing_walk(cs, n, NULL, &count, NULL, NULL)) < 0)
		return rc;
	if (nchanges)
		*nchanges = count;
	return 0;
}

int hearth_changeset_summary(hearth_buf *out, const void *cs, int n)
{
	return hearth_changeset_summary_count(out, NULL, cs, n);
}

void hearth_cs_writer_append_raw(hearth_cs_writer *w, const hearth_cs_change *c)
{
	hearth_cs_writer_table(w, c->table, c->ncol, c->pk);
	if (w->rc == 0 && w->table)
		put(w, c->p, c->n);
}

const char *hearth_cs_change_text(const hearth_cs_change *c, int new_record, int col,
	size_t *len)
{
	size_t pos = 2;
	struct hearth_raw_value v;
	const unsigned char *nul;

	if (col < 0 || col >= c->ncol ||
	    (new_record ? c->op == SQLITE_DELETE : c->op == SQLITE_INSERT))
		return NULL;
	if (new_record && c->op == SQLITE_UPDATE &&
	    skip_record(c->p, c->n, &pos, (uint64_t)c->ncol) < 0)
		return NULL;
	if (skip_record(c->p, c->n, &pos, (uint64_t)col) < 0 ||
	    hearth_raw_value(c->p, c->n, &pos, &v) < 0 || v.type != SQLITE_TEXT)
		return NULL;
	/* as sqlite3_value_text() and strlen() see it: up to its first NUL */
	*len = (nul = memchr(v.p, 0, v.n)) ? (size_t)(nul - v.p) : v.n;
	return v.n ? (const char *)v.p : "";
}

int hearth_cs_change_text_is(const hearth_cs_change *c, int new_record, int col, const char *s)
{
	size_t len;
	const char *t = hearth_cs_change_text(c, new_record, col, &len);

	return t && len == strlen(s) && memcmp(t, s, len) == 0;
}

int hearth_cs_change_iter(sqlite3_changeset_iter **out, hearth_buf *one, const hearth_cs_change *c)
{
	*out = NULL;
	hearth_buf_clear(one);
	if (hearth_buf_put(one, c->head, c->nhead) < 0 || hearth_buf_put(one, c->p, c->n) < 0)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	if (sqlite3changeset_start(out, (int)one->size, one->ptr) != SQLITE_OK ||
	    sqlite3changeset_next(*out) != SQLITE_ROW) {
		sqlite3changeset_finalize(*out);
		*out = NULL;
		return hearth_error_set(HEARTH_ECORRUPT, _("changeset does not parse"));
	}
	return 0;
}
