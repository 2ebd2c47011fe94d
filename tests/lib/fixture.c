/* Fixtures shared by the C tests (fixture.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"

int fixture_tmpdir(char *tmpl)
{
	return mkdtemp(tmpl) ? 0 : -1;
}

int fixture_tmpdir_named(char *out, size_t size, const char *name)
{
	const char *base = getenv("TMPDIR");
	int n = snprintf(out, size, "%s/%s-XXXXXX", base && *base ? base : "/tmp", name);

	if (n < 0 || (size_t)n >= size)
		return -1;
	return fixture_tmpdir(out);
}

void fixture_rm_rf(const char *path)
{
	struct stat st;
	struct dirent *e;
	char sub[1024];
	DIR *d;

	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path))) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			fixture_rm_rf(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

long long fixture_sql_int(hearth_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(hearth_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

const char *fixture_sql_text(hearth_db *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;

	snprintf(out, size, "(error)");
	if (sqlite3_prepare_v2(hearth_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		snprintf(out, size, "%s", t ? t : "(null)");
	}
	sqlite3_finalize(st);
	return out;
}

/* The rows of one table, each as its quoted values (SQLite's quote()), in key order. */
static int dump_table(sqlite3 *h, const char *table, hearth_buf *out)
{
	sqlite3_stmt *st = NULL;
	char sql[300];
	int i, rc = 0;

	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY 1, 2, 3", table);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		/* tables of fewer than three columns */
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY 1", table);
		if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
			return -1;
	}
	hearth_buf_printf(out, "[%s]\n", table);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++) {
			sqlite3_value *v = sqlite3_column_value(st, i);
			if (i)
				hearth_buf_putc(out, '|');
			rc = hearth_value_format(out, v);
		}
		hearth_buf_putc(out, '\n');
	}
	sqlite3_finalize(st);
	return rc;
}

int fixture_dump(const char *path, hearth_buf *out)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_prepare_v2(h,
		    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
		    "ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		goto done;
	rc = 0;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		rc = dump_table(h, (const char *)sqlite3_column_text(st, 0), out);
done:
	sqlite3_finalize(st);
	sqlite3_close(h);
	return rc;
}
