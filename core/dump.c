/* The canonical dump: one stable text per row, sorted, so equal data gives equal bytes and two
 * nodes can be compared with cmp. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core_int.h"
#include "i18n.h"

static int text_value(hearth_buf *out, const unsigned char *s, int n)
{
	int i, rc = hearth_buf_putc(out, '"');

	for (i = 0; rc == 0 && i < n; i++) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\')
			rc = hearth_buf_printf(out, "\\%c", c);
		else if (c == '\n')
			rc = hearth_buf_puts(out, "\\n");
		else if (c < 0x20 || c == 0x7f)
			rc = hearth_buf_printf(out, "\\x%02x", c);
		else
			rc = hearth_buf_putc(out, (char)c);
	}
	return rc ? rc : hearth_buf_putc(out, '"');
}

int hearth_value_format(hearth_buf *out, sqlite3_value *v)
{
	int i, n, rc;

	if (!v)
		return hearth_buf_puts(out, "?");
	switch (sqlite3_value_type(v)) {
	case SQLITE_NULL:
		return hearth_buf_puts(out, "NULL");
	case SQLITE_INTEGER:
		return hearth_buf_printf(out, "%lld", (long long)sqlite3_value_int64(v));
	case SQLITE_FLOAT: {
		char num[40];
		double d = sqlite3_value_double(v);
		snprintf(num, sizeof(num), "%.17g", d);
		/* a real stays recognisably real: 25.0, not 25 */
		if (isfinite(d) && !strpbrk(num, ".e"))
			strcat(num, ".0");
		return hearth_buf_puts(out, num);
	}
	case SQLITE_TEXT:
		return text_value(out, sqlite3_value_text(v), sqlite3_value_bytes(v));
	default: {
		const unsigned char *b = sqlite3_value_blob(v);
		n = sqlite3_value_bytes(v);
		rc = hearth_buf_puts(out, "x'");
		for (i = 0; rc == 0 && i < n; i++)
			rc = hearth_buf_printf(out, "%02x", b[i]);
		return rc ? rc : hearth_buf_putc(out, '\'');
	}
	}
}

static int dump_table(hearth_db *db, const hearth_table_decl *t, const char *for_node,
	hearth_buf *out)
{
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc, i, step;

	if (for_node)
		rc = hearth_visible_select(&sql, t, for_node);
	else
		rc = hearth_buf_printf(&sql, "SELECT * FROM \"%s\"", t->name);
	if (rc == 0)
		rc = hearth_buf_puts(&sql, " ORDER BY owner, id");
	if (rc < 0 || (rc = hearth_sql_prepare(&st, hearth_db_sqlite(db), sql.ptr)) < 0)
		goto done;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		rc = hearth_buf_printf(out, "%s %s/%s", t->name, sqlite3_column_text(st, 0),
			sqlite3_column_text(st, 1));
		for (i = 2; rc == 0 && i < t->ncol; i++) {
			rc = hearth_buf_printf(out, " %s=", t->cols[i].name);
			if (rc == 0)
				rc = hearth_value_format(out, sqlite3_column_value(st, i));
		}
		if (rc == 0)
			rc = hearth_buf_putc(out, '\n');
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot dump"));
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sql);
	return rc;
}

int hearth_dump(hearth_db *db, const char *for_node, hearth_buf *out)
{
	const hearth_schema *s = hearth_db_schema(db);
	int i, rc = 0;

	if (for_node && (rc = hearth_id_check("node id", for_node)) < 0)
		return rc;
	for (i = 0; rc == 0 && i < hearth_schema_count(s); i++)
		rc = dump_table(db, hearth_schema_at(s, i), for_node, out);
	return rc;
}
