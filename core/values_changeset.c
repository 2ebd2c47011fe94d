/* The value rules (values.c) on every new value a changeset carries: the one gate of a
 * recorded write (exec, import, the app) and of a current node's change at the office. One walk
 * over the bytes, without SQLite's value objects; the refusal is worded only when there is one. */
#include <stdio.h>
#include <string.h>

#include "core_int.h"
#include "i18n.h"

/* A raw value as people read it in a refusal. */
static int raw_text(hearth_buf *out, const struct hearth_raw_value *v)
{
	int64_t i;
	double d;

	switch (v->type) {
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		d = hearth_raw_number(v, &i);
		return v->type == SQLITE_INTEGER ? hearth_buf_printf(out, "%lld", (long long)i)
						 : hearth_buf_printf(out, "%g", d);
	case SQLITE_TEXT:
		return hearth_buf_printf(out, "%.*s", v->n > 200 ? 200 : (int)v->n,
			(const char *)v->p);
	case SQLITE_BLOB:
		return hearth_buf_printf(out, "x'%zu bytes'", v->n);
	default:
		return 0;
	}
}

/* The refusal of value `v` of column `col` of the row keyed (owner, id), as the error. */
static int refuse(const hearth_table_decl *t, int col, const struct hearth_raw_value *owner,
	const struct hearth_raw_value *id, const struct hearth_raw_value *v, const hearth_buf *why)
{
	hearth_buf where = HEARTH_BUF_INIT, value = HEARTH_BUF_INIT, line = HEARTH_BUF_INIT;
	int rc;

	if ((rc = hearth_buf_printf(&where, "%s ", t->name)) < 0 || (rc = raw_text(&where, owner)) < 0 ||
	    (rc = hearth_buf_putc(&where, '/')) < 0 || (rc = raw_text(&where, id)) < 0 ||
	    (rc = raw_text(&value, v)) < 0 ||
	    (rc = hearth_refusal_format(&line, where.ptr, t, col, value.ptr, why->ptr)) < 0)
		goto done;
	rc = hearth_error_set(HEARTH_ECONFLICT, "%s", line.ptr);
done:
	hearth_buf_dispose(&where);
	hearth_buf_dispose(&value);
	hearth_buf_dispose(&line);
	return rc;
}

/* One change at p[*pos] (after its op and indirect bytes): its new values checked. 0, a refusal
 * (< 0), or 1 when the bytes do not parse (left to the framing check). */
static int change_values(hearth_db *db, const hearth_table_decl *t, int op, int ncol,
	const unsigned char *p, size_t n, size_t *pos, hearth_buf *why)
{
	struct hearth_raw_value owner = { 0, NULL, 0 }, id = { 0, NULL, 0 }, v;
	int rec, col, rc, nrec = op == SQLITE_UPDATE ? 2 : 1;

	for (rec = 0; rec < nrec; rec++) {
		int is_new = op == SQLITE_INSERT || rec == 1;
		for (col = 0; col < ncol; col++) {
			if (hearth_raw_value(p, n, pos, &v) < 0)
				return 1;
			if (rec == 0 && col < 2)
				*(col == 0 ? &owner : &id) = v;
			if (!is_new || op == SQLITE_DELETE || v.type == 0 || v.type == SQLITE_NULL)
				continue;
			if ((rc = hearth_value_check_raw(db, &t->cols[col], &v, why)) < 0)
				return rc;
			if (rc == 1)
				return refuse(t, col, &owner, &id, &v, why);
		}
	}
	return 0;
}

int hearth_changeset_check_values(hearth_db *db, const void *changeset, int n)
{
	const hearth_schema *s = hearth_db_schema(db);
	const unsigned char *p = changeset, *nul;
	const hearth_table_decl *t = NULL;
	hearth_buf why = HEARTH_BUF_INIT;
	uint64_t ncol = 0;
	size_t pos = 0;
	int rc = 0;

	while (rc == 0 && p && pos < (size_t)n) {
		unsigned char op = p[pos++];
		if (op == 'T') {
			if (hearth_varint_get(p, (size_t)n, &pos, &ncol) < 0 || ncol > (size_t)n - pos)
				break;
			pos += (size_t)ncol;
			if (!(nul = memchr(p + pos, 0, (size_t)n - pos)))
				break;
			t = hearth_schema_table(s, (const char *)p + pos);
			pos = (size_t)(nul - p) + 1;
			if (!t || ncol < 2 || ncol > (uint64_t)t->ncol)
				break;
			continue;
		}
		if (!t || (op != SQLITE_INSERT && op != SQLITE_UPDATE && op != SQLITE_DELETE) ||
		    pos >= (size_t)n)
			break;
		pos++; /* indirect */
		rc = change_values(db, t, op, (int)ncol, p, (size_t)n, &pos, &why);
	}
	hearth_buf_dispose(&why);
	return rc < 0 ? rc : 0;
}
