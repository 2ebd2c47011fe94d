/*
 * hearth backup: one self-contained copy of a node's database, taken with SQLite's online
 * backup while the node may be in use. Copying hearth.db by hand is not a backup: most recent
 * writes live in hearth.db-wal until a checkpoint.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_int.h"
#include "i18n.h"

/* a writer holding the lock is waited for this long, in steps, before giving up */
#define BACKUP_BUSY_STEPS 100
#define BACKUP_BUSY_STEP_MS 100

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
		sa.st_ino == sb.st_ino;
}

/* Copy every page of `src` into `dst` in one step: the copy is read under one read
 * transaction, so it is the database as of one moment, whatever is written meanwhile. */
static int copy_pages(sqlite3 *dst, sqlite3 *src)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int step = SQLITE_BUSY, tries;

	if (!b)
		return hearth_error_sqlite(dst, HEARTH_ERROR, _("cannot start the backup"));
	for (tries = 0; tries < BACKUP_BUSY_STEPS; tries++) {
		step = sqlite3_backup_step(b, -1);
		if (step != SQLITE_BUSY && step != SQLITE_LOCKED)
			break;
		sqlite3_sleep(BACKUP_BUSY_STEP_MS);
	}
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE)
		return hearth_error_set(HEARTH_ERROR, _("cannot copy the database: %s"),
			sqlite3_errstr(step));
	return 0;
}

/* The copy is one file (no WAL beside it) and reads back whole. */
static int seal(sqlite3 *dst)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_exec(dst, "PRAGMA journal_mode = DELETE", N_("backup"))) < 0 ||
	    (rc = hearth_sql_prepare(&st, dst, "PRAGMA quick_check")) < 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
		rc = hearth_error_set(HEARTH_ECORRUPT, _("the backup does not read back: %s"),
			sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0)
						   : sqlite3_errmsg(dst));
	sqlite3_finalize(st);
	return rc;
}

/* The finished copy appears under its name at once. Without `replace`, a file that appeared
 * meanwhile is not overwritten: a hard link cannot replace one (where the file system has no
 * hard links, a USB stick's FAT, the name is looked at just before the rename). */
static int publish(const char *tmp, const char *path, int replace)
{
	struct stat st;

	if (!replace && link(tmp, path) == 0)
		return 0;
	if (!replace && (errno == EEXIST || lstat(path, &st) == 0))
		return hearth_error_set(HEARTH_ECONFLICT, _("'%s' exists already"), path);
	if (rename(tmp, path) < 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot write '%s': %s"), path,
			strerror(errno));
	return 0;
}

int hearth_db_backup(hearth_db *db, const char *path, int replace)
{
	hearth_buf tmp = HEARTH_BUF_INIT, live = HEARTH_BUF_INIT;
	sqlite3 *dst = NULL;
	struct stat st;
	int rc;

	if (!path || !*path)
		return hearth_error_set(HEARTH_EUSAGE, _("give the backup's file name"));
	if ((rc = hearth_buf_printf(&tmp, "%s.hearth-part", path)) < 0 ||
	    (rc = hearth_buf_printf(&live, "%s/hearth.db", hearth_db_dir(db))) < 0)
		goto done;
	if (same_file(path, live.ptr)) {
		rc = hearth_error_set(HEARTH_EUSAGE, _("'%s' is the node's own database"), path);
		goto done;
	}
	if (!replace && lstat(path, &st) == 0) {
		rc = hearth_error_set(HEARTH_ECONFLICT,
			_("'%s' exists already: choose another name, or --force to replace it"), path);
		goto done;
	}
	unlink(tmp.ptr);
	if (sqlite3_open_v2(tmp.ptr, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		rc = hearth_error_set(HEARTH_ERROR, _("cannot create '%s': %s"), path,
			dst ? sqlite3_errmsg(dst) : "out of memory");
		goto done;
	}
	if ((rc = copy_pages(dst, hearth_db_sqlite(db))) < 0 || (rc = seal(dst)) < 0)
		goto done;
	if (sqlite3_close(dst) != SQLITE_OK) {
		rc = hearth_error_set(HEARTH_ERROR, _("cannot finish '%s'"), path);
		dst = NULL;
		goto done;
	}
	dst = NULL;
	if ((rc = publish(tmp.ptr, path, replace)) < 0)
		goto done;
done:
	sqlite3_close(dst);
	if (tmp.size)
		unlink(tmp.ptr);
	hearth_buf_dispose(&tmp);
	hearth_buf_dispose(&live);
	return rc;
}
