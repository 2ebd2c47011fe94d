/* Conflicts at the office: restore what a merge overwrote, or dismiss it. */
#include <stdio.h>

#include "sync_int.h"
#include "core/i18n.h"

int hearth_conflict_resolve(hearth_db *db, int64_t id, int restore)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	hearth_buf sql = HEARTH_BUF_INIT;
	int rc = 0;

	if (!hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EUSAGE, _("conflicts are resolved at the office"));
	if ((rc = hearth_sql_prepare(&st, h,
		     "SELECT tbl, col, resolved, quote(lost), quote(owner), quote(row_id) "
		     "FROM hearth_conflict WHERE id = ?1")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = hearth_error_set(HEARTH_ENOTFOUND, _("no conflict %lld (see 'hearth conflicts list')"),
			(long long)id);
		goto done;
	}
	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		rc = hearth_error_set(HEARTH_ECONFLICT, _("conflict %lld is already resolved (%s)"),
			(long long)id, sqlite3_column_text(st, 2));
		goto done;
	}
	if (restore) {
		hearth_write_info info;
		const hearth_table_decl *t =
			hearth_schema_table(hearth_db_schema(db), (const char *)sqlite3_column_text(st, 0));
		const char *col = (const char *)sqlite3_column_text(st, 1);
		if (!t || hearth_table_column(t, col) < 2) {
			rc = hearth_error_set(HEARTH_ECORRUPT, _("conflict %lld names an unknown column"),
				(long long)id);
			goto done;
		}
		rc = hearth_buf_printf(&sql, "UPDATE \"%s\" SET \"%s\" = %s WHERE owner = %s AND id = %s",
			t->name, col, sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
			sqlite3_column_text(st, 5));
		if (rc == 0)
			rc = hearth_write_exec(db, sql.ptr, &info);
		if (rc == 0 && info.changes == 0)
			rc = hearth_error_set(HEARTH_ECONFLICT,
				_("conflict %lld cannot be restored: the row no longer exists"), (long long)id);
		if (rc < 0)
			goto done;
	}
	rc = hearth_sql_exec_i64(h,
		restore ? "UPDATE hearth_conflict SET resolved = 'restored' WHERE id = ?1"
			: "UPDATE hearth_conflict SET resolved = 'dismissed' WHERE id = ?1",
		id);
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sql);
	return rc;
}
