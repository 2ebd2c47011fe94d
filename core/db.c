/* Opening, creating and migrating a node database; meta values and the persisted clock. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_int.h"
#include "schema_int.h"
#include "i18n.h"

#define DB_FILE "hearth.db"
#define BUSY_TIMEOUT_MS 30000

int hearth_schema_version_max(void)
{
	return hearth_migrations[hearth_migrations_count - 1].version;
}

static char *path_join(const char *dir, const char *file)
{
	size_t n = strlen(dir) + strlen(file) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, file);
	return p;
}

/* SQL functions for recorded writes: hearth_node() is this node's id, hearth_id() a new
 * time-ordered record id (the clock in hex: ids that grow in order keep inserts fast). */
static void fn_node(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	hearth_db *db = sqlite3_user_data(ctx);

	sqlite3_result_text(ctx, db->node ? db->node : "", -1, SQLITE_STATIC);
}

static void fn_id(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	hearth_db *db = sqlite3_user_data(ctx);
	char hex[HEARTH_CLOCK_HEX + 1];

	db->clock = hearth_clock_next(db->clock, hearth_time_now_ms());
	hearth_clock_format(hex, db->clock);
	sqlite3_result_text(ctx, hex, -1, SQLITE_TRANSIENT);
}

static int connect(hearth_db *db, const char *dir, int create)
{
	char *path = path_join(dir, DB_FILE);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	int rc = 0;

	if (!path)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	hearth_sqlite_setup();
	if (!create && access(path, F_OK) != 0) {
		rc = hearth_error_set(HEARTH_ENOTFOUND,
			_("no hearth node in '%s': run 'hearth init' there, or pass -C DIR"), dir);
		goto done;
	}
	if (sqlite3_open_v2(path, &db->sql, flags, NULL) != SQLITE_OK) {
		rc = hearth_error_sqlite(db->sql, HEARTH_ERROR, _("cannot open database"));
		goto done;
	}
	sqlite3_extended_result_codes(db->sql, 1);
	sqlite3_busy_timeout(db->sql, BUSY_TIMEOUT_MS);
	/* secure_delete: what is deleted is overwritten with zeros, so a purged value does not
	 * stay in a free page (docs/security.md, "A purge that forgets") */
	/* every `hearth` command is one process: a checkpoint at each close would cost several
	 * fsyncs per command; the WAL is checkpointed as it grows (every 1000 pages) instead */
	sqlite3_db_config(db->sql, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if ((rc = hearth_sql_exec(db->sql,
		     "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		     "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;",
		     N_("cannot configure database"))) < 0)
		goto done;
	sqlite3_set_authorizer(db->sql, hearth_authorize, db);
	if (sqlite3_create_function(db->sql, "hearth_node", 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
		    db, fn_node, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db->sql, "hearth_id", 0, SQLITE_UTF8, db, fn_id, NULL,
		    NULL) != SQLITE_OK)
		rc = hearth_error_sqlite(db->sql, HEARTH_ERROR, _("cannot register functions"));
done:
	free(path);
	return rc;
}

static int user_version(sqlite3 *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = 0;
	if ((rc = hearth_sql_prepare(&st, sql, "PRAGMA user_version")) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	else
		rc = hearth_error_sqlite(sql, HEARTH_ERROR, _("cannot read schema version"));
	sqlite3_finalize(st);
	return rc;
}

static int record_fingerprint(sqlite3 *sql, int version)
{
	hearth_schema *s = NULL;
	sqlite3_stmt *st = NULL;
	char fp[HEARTH_CLOCK_HEX + 1];
	int rc;

	if ((rc = hearth_schema_load(&s, sql)) < 0)
		return rc;
	hearth_schema_fingerprint(s, fp);
	hearth_schema_free(s);
	if ((rc = hearth_sql_prepare(&st, sql,
		     "INSERT OR REPLACE INTO hearth_schema_history (version, fingerprint) "
		     "VALUES (?1, ?2)")) < 0)
		return rc;
	sqlite3_bind_int(st, 1, version);
	sqlite3_bind_text(st, 2, fp, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(sql, HEARTH_ERROR, _("cannot record the schema fingerprint"));
	sqlite3_finalize(st);
	return rc;
}

int hearth_schema_known(hearth_db *db, int version, const char *fingerprint)
{
	sqlite3_stmt *st = NULL;
	int yes = 0;

	if (hearth_sql_prepare(&st, db->sql,
		    "SELECT 1 FROM hearth_schema_history WHERE version = ?1 AND fingerprint = ?2") < 0)
		return 0;
	sqlite3_bind_int(st, 1, version);
	sqlite3_bind_text(st, 2, fingerprint, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* Migrations from HEARTH_MIGRATION_GAPS on were written in parallel branches (006, 007): a
 * database may have reached a later number before an earlier one was merged in. Each of them is
 * applied when hearth_schema_history does not list it, whatever user_version says. */
#define HEARTH_MIGRATION_GAPS 6

static int migration_done(sqlite3 *sql, int version)
{
	sqlite3_stmt *st = NULL;
	int yes;

	if (hearth_sql_prepare(&st, sql, "SELECT 1 FROM hearth_schema_history WHERE version = ?1") < 0)
		return 1;
	sqlite3_bind_int(st, 1, version);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* 1 if a migration numbered at most `version` was skipped (merged in after the database moved
 * past its number) */
static int migration_missing(sqlite3 *sql, int version)
{
	int i;

	for (i = 0; i < hearth_migrations_count; i++)
		if (hearth_migrations[i].version >= HEARTH_MIGRATION_GAPS &&
		    hearth_migrations[i].version <= version &&
		    !migration_done(sql, hearth_migrations[i].version))
			return 1;
	return 0;
}

/* Bring the database to the newest schema in one transaction; refuse a newer one. */
static int migrate(hearth_db *db)
{
	int version, i, rc;
	char pragma[64];

	if ((rc = user_version(db->sql, &version)) < 0)
		return rc;
	if (version > hearth_schema_version_max())
		return hearth_error_set(HEARTH_ENEWER,
			_("database in '%s' has schema version %d, newer than this hearth (%d): "
			"upgrade hearth"),
			db->dir, version, hearth_schema_version_max());
	if (version == hearth_schema_version_max() && !migration_missing(db->sql, version)) {
		db->version = version;
		return 0;
	}
	if ((rc = hearth_db_begin(db)) < 0)
		return rc;
	/* re-read under the write lock: another process may have migrated meanwhile */
	if ((rc = user_version(db->sql, &version)) < 0)
		goto fail;
	for (i = 0; i < hearth_migrations_count; i++) {
		const hearth_migration *m = &hearth_migrations[i];
		if (m->version <= version && !(m->version >= HEARTH_MIGRATION_GAPS &&
						 !migration_done(db->sql, m->version)))
			continue;
		if ((rc = hearth_sql_exec(db->sql, m->sql, m->file)) < 0 ||
		    (m->version == HEARTH_SCHEMA_TYPED && (rc = hearth_typed_migrate(db->sql)) < 0) ||
		    (rc = record_fingerprint(db->sql, m->version)) < 0)
			goto fail;
		if (m->version > version)
			version = m->version;
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", version);
	if ((rc = hearth_sql_exec(db->sql, pragma, N_("cannot set schema version"))) < 0)
		goto fail;
	if ((rc = hearth_db_commit(db)) < 0)
		goto fail;
	db->version = version;
	return 0;
fail:
	hearth_db_rollback(db);
	return rc;
}

static int load_identity(hearth_db *db)
{
	hearth_buf v = HEARTH_BUF_INIT;
	int64_t seq;
	int rc;

	if ((rc = hearth_meta_get(db, "node", &v)) < 0) {
		if (rc == HEARTH_ENOTFOUND)
			hearth_error_set(HEARTH_ENOTFOUND,
				_("'%s' holds a database but no node identity: run 'hearth init'"),
				db->dir);
		goto done;
	}
	db->node = hearth_buf_detach(&v);
	if ((rc = hearth_meta_get(db, "kind", &v)) < 0)
		goto done;
	db->kind = hearth_buf_detach(&v);
	if (!db->node || !db->kind) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	db->is_office = strcmp(db->kind, "office") == 0;
	rc = hearth_db_seq_clock_read(db, &seq);
done:
	hearth_buf_dispose(&v);
	return rc;
}

static int db_alloc(hearth_db **out, const char *dir)
{
	hearth_db *db = calloc(1, sizeof(*db));

	*out = NULL;
	if (!db || !(db->dir = strdup(dir))) {
		free(db);
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	}
	db->sql_limit_ms = HEARTH_SQL_LIMIT_MS;
	*out = db;
	return 0;
}

int hearth_db_open(hearth_db **out, const char *dir)
{
	hearth_db *db = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_alloc(&db, dir)) < 0)
		return rc;
	if ((rc = connect(db, dir, 0)) < 0 || (rc = migrate(db)) < 0 ||
	    (rc = load_identity(db)) < 0 || (rc = hearth_schema_load(&db->schema, db->sql)) < 0)
		goto done;
	*out = db;
	db = NULL;
done:
	hearth_db_free(db);
	return rc;
}

static int make_dir(const char *dir)
{
	if (mkdir(dir, 0777) == 0 || errno == EEXIST)
		return 0;
	return hearth_error_set(HEARTH_ERROR, _("cannot create folder '%s': %s"), dir,
		strerror(errno));
}

struct node_row {
	const char *kind, *name, *region;
};

static int insert_node_row(hearth_db *db, void *payload)
{
	struct node_row *r = payload;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_prepare(&st, db->sql,
		     "INSERT INTO node (owner, id, kind, name, region_id) VALUES (?1, ?1, ?2, ?3, ?4)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, db->node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->name, -1, SQLITE_STATIC);
	if (r->region)
		sqlite3_bind_text(st, 4, r->region, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(db->sql, HEARTH_EUSAGE, _("cannot record the node"));
	sqlite3_finalize(st);
	return rc;
}

static int region_exists(hearth_db *db, const char *region)
{
	sqlite3_stmt *st = NULL;
	int found;

	if (hearth_sql_prepare(&st, db->sql, "SELECT 1 FROM region WHERE id = ?1") < 0)
		return 0;
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int db_create(hearth_db **out, const char *dir, const char *node_id, const char *kind,
	const char *name, const char *region, int record);

int hearth_db_create(hearth_db **out, const char *dir, const char *node_id, const char *kind,
	const char *name, const char *region)
{
	return db_create(out, dir, node_id, kind, name, region, 1);
}

int hearth_db_create_restored(hearth_db **out, const char *dir, const char *node_id,
	const char *kind)
{
	return db_create(out, dir, node_id, kind, "-", NULL, 0);
}

static int db_create(hearth_db **out, const char *dir, const char *node_id, const char *kind,
	const char *name, const char *region, int record)
{
	hearth_db *db = NULL;
	struct node_row row = { kind, name, region };
	char *path = NULL;
	int rc;

	*out = NULL;
	if ((rc = hearth_id_check("node id", node_id)) < 0)
		return rc;
	if (!hearth_kind_valid(kind))
		return hearth_error_set(HEARTH_EUSAGE,
			_("unknown node kind '%.40s': use office, childcare_centre, volunteer_station, "
			"volunteer_team, community_centre, hospital or special_care_centre"),
			kind ? kind : "");
	if (!name || !*name)
		return hearth_error_set(HEARTH_EUSAGE, _("a node needs a name (--name)"));
	if ((rc = make_dir(dir)) < 0)
		return rc;
	if (!(path = path_join(dir, DB_FILE)))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	if (access(path, F_OK) == 0) {
		rc = hearth_error_set(HEARTH_ECONFLICT, _("'%s' already holds a hearth node"), dir);
		goto done;
	}
	if ((rc = db_alloc(&db, dir)) < 0 || (rc = connect(db, dir, 1)) < 0 ||
	    (rc = migrate(db)) < 0 || (rc = hearth_schema_load(&db->schema, db->sql)) < 0)
		goto done;
	if (region && !region_exists(db, region)) {
		rc = hearth_error_set(HEARTH_EUSAGE,
			_("unknown region '%.40s': see 'hearth query \"SELECT id, name FROM region\"'"),
			region);
		goto done;
	}
	if (!(db->node = strdup(node_id)) || !(db->kind = strdup(kind))) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	db->is_office = strcmp(kind, "office") == 0;
	if ((rc = hearth_db_begin(db)) < 0)
		goto done;
	if ((rc = hearth_meta_set(db, "node", node_id)) < 0 ||
	    (rc = hearth_meta_set(db, "kind", kind)) < 0 ||
	    (rc = hearth_meta_set(db, "seq", "0")) < 0 || (rc = hearth_db_commit(db)) < 0) {
		hearth_db_rollback(db);
		goto done;
	}
	if (record && (rc = hearth_write_run(db, insert_node_row, &row, NULL, NULL)) < 0)
		goto done;
	*out = db;
	db = NULL;
done:
	if (db && rc < 0) {
		/* a half-made node is worse than none: remove what this call created */
		hearth_db_free(db);
		db = NULL;
		if (path) {
			size_t n = strlen(path) + 8;
			char *side = malloc(n);
			unlink(path);
			if (side) {
				snprintf(side, n, "%s-wal", path);
				unlink(side);
				snprintf(side, n, "%s-shm", path);
				unlink(side);
				free(side);
			}
		}
	}
	free(path);
	return rc;
}

int hearth_db_set_kind(hearth_db *db, const char *kind)
{
	char *k;
	int rc;

	if (!hearth_kind_valid(kind))
		return hearth_error_set(HEARTH_EUSAGE, _("unknown node kind '%.40s'"), kind);
	if ((rc = hearth_meta_set(db, "kind", kind)) < 0)
		return rc;
	if (!(k = strdup(kind)))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	free(db->kind);
	db->kind = k;
	db->is_office = strcmp(kind, "office") == 0;
	return 0;
}

void hearth_db_free(hearth_db *db)
{
	if (!db)
		return;
	hearth_schema_free(db->schema);
	hearth_db_stmt_clear(db);
	sqlite3_close_v2(db->sql);
	free(db->dir);
	free(db->node);
	free(db->kind);
	free(db->author);
	free(db);
}

int hearth_db_set_author(hearth_db *db, const char *author)
{
	char *copy = NULL;

	if (author && !(copy = strdup(author)))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	free(db->author);
	db->author = copy;
	return 0;
}

const char *hearth_db_author(const hearth_db *db)
{
	return db->author;
}

sqlite3 *hearth_db_sqlite(hearth_db *db)
{
	return db->sql;
}

const char *hearth_db_dir(const hearth_db *db)
{
	return db->dir;
}

const char *hearth_db_node(const hearth_db *db)
{
	return db->node;
}

const char *hearth_db_kind(const hearth_db *db)
{
	return db->kind;
}

int hearth_db_is_office(const hearth_db *db)
{
	return db->is_office;
}

int hearth_db_schema_version(const hearth_db *db)
{
	return db->version;
}

const hearth_schema *hearth_db_schema(hearth_db *db)
{
	return db->schema;
}

int hearth_meta_get(hearth_db *db, const char *key, hearth_buf *out)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	hearth_buf_clear(out);
	if ((rc = hearth_db_stmt(db, &st, "SELECT value FROM hearth_meta WHERE key = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		rc = hearth_buf_put(out, sqlite3_column_text(st, 0),
			(size_t)sqlite3_column_bytes(st, 0));
	else if (step == SQLITE_ROW || step == SQLITE_DONE)
		rc = hearth_error_set(HEARTH_ENOTFOUND, _("no meta value '%s'"), key);
	else
		rc = hearth_error_sqlite(db->sql, HEARTH_ERROR, _("cannot read meta"));
	hearth_stmt_done(st);
	return rc;
}

int hearth_meta_set(hearth_db *db, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_db_stmt(db, &st,
		     value ? "INSERT INTO hearth_meta (key, value) VALUES (?1, ?2) "
			     "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
			   : "DELETE FROM hearth_meta WHERE key = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (value)
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(db->sql, HEARTH_ERROR, _("cannot write meta"));
	hearth_stmt_done(st);
	return rc;
}

static int clock_store(hearth_db *db)
{
	char hex[HEARTH_CLOCK_HEX + 1];

	hearth_clock_format(hex, db->clock);
	return hearth_meta_set(db, "clock", hex);
}

/* Re-read the stored clock first: another process may have ticked it since we opened. */
static int clock_refresh(hearth_db *db)
{
	int64_t seq;

	return hearth_db_seq_clock_read(db, &seq);
}

int hearth_db_clock_tick(hearth_db *db, hearth_clock *out)
{
	int rc;

	*out = 0;
	if ((rc = clock_refresh(db)) < 0)
		return rc;
	db->clock = hearth_clock_next(db->clock, hearth_time_now_ms());
	if ((rc = clock_store(db)) < 0)
		return rc;
	*out = db->clock;
	return 0;
}

int hearth_db_clock_observe(hearth_db *db, hearth_clock remote, hearth_clock *out)
{
	int rc;

	*out = 0;
	if ((rc = clock_refresh(db)) < 0)
		return rc;
	db->clock = hearth_clock_merge(db->clock, remote, hearth_time_now_ms());
	if ((rc = clock_store(db)) < 0)
		return rc;
	*out = db->clock;
	return 0;
}

int hearth_db_clock_get(hearth_db *db, hearth_clock *out)
{
	int rc = clock_refresh(db);

	*out = db->clock;
	return rc;
}

/* The seq and the clock of the last recorded write are in its outbox row: a write does not
 * store them again in hearth_meta (one page less in the WAL per write). hearth_meta holds them
 * as of the last time outbox rows left (hearth_db_seq_keep), and the clock's ticks outside
 * writes. The stored values are the larger of the two; all four in one statement, by key and
 * by the outbox's rowid (the newest row has the newest clock: each write ticks above it). */
int hearth_db_seq_clock_read(hearth_db *db, int64_t *seq)
{
	sqlite3_stmt *st = NULL;
	int64_t top;
	int rc, i;

	*seq = 0;
	if ((rc = hearth_db_stmt(db, &st,
		     "SELECT (SELECT value FROM hearth_meta WHERE key = 'seq'), "
		     "(SELECT value FROM hearth_meta WHERE key = 'clock'), "
		     "(SELECT seq FROM hearth_outbox ORDER BY seq DESC LIMIT 1), "
		     "(SELECT clock FROM hearth_outbox ORDER BY seq DESC LIMIT 1)")) < 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = hearth_error_sqlite(db->sql, HEARTH_ERROR, _("cannot read meta"));
		goto done;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		*seq = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 2) != SQLITE_NULL && (top = sqlite3_column_int64(st, 2)) > *seq)
		*seq = top;
	for (i = 1; i <= 3 && rc == 0; i += 2) {
		const char *v = (const char *)sqlite3_column_text(st, i);
		hearth_clock stored;

		if (v && (rc = hearth_clock_parse(&stored, v)) == 0 && stored > db->clock)
			db->clock = stored;
	}
done:
	hearth_stmt_done(st);
	return rc;
}

void hearth_db_clock_next(hearth_db *db, hearth_clock *clock)
{
	db->clock = hearth_clock_next(db->clock, hearth_time_now_ms());
	*clock = db->clock;
}

/* Before outbox rows are deleted: their seq and clock must stay the floor of the next write's. */
int hearth_db_seq_keep(hearth_db *db)
{
	sqlite3_stmt *st = NULL;
	char num[32], hex[HEARTH_CLOCK_HEX + 1];
	int64_t seq;
	int rc;

	if ((rc = hearth_db_seq_clock_read(db, &seq)) < 0)
		return rc;
	snprintf(num, sizeof(num), "%lld", (long long)seq);
	hearth_clock_format(hex, db->clock);
	if ((rc = hearth_db_stmt(db, &st,
		     "INSERT INTO hearth_meta (key, value) VALUES ('seq', ?1), ('clock', ?2) "
		     "ON CONFLICT (key) DO UPDATE SET value = excluded.value")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, num, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(db->sql, HEARTH_ERROR, _("cannot write meta"));
	hearth_stmt_done(st);
	return rc;
}

/* Transaction control through the statement cache: parsing BEGIN and COMMIT again was a tenth
 * of a one-row write. */
static int db_step_cached(hearth_db *db, const char *sql, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_db_stmt(db, &st, sql)) < 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(db->sql, HEARTH_ERROR, what);
	hearth_stmt_done(st);
	return rc;
}

int hearth_db_begin(hearth_db *db)
{
	return db_step_cached(db, "BEGIN IMMEDIATE", "cannot start a transaction");
}

int hearth_db_commit(hearth_db *db)
{
	return db_step_cached(db, "COMMIT", "cannot commit");
}

void hearth_db_rollback(hearth_db *db)
{
	if (!sqlite3_get_autocommit(db->sql))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

/* Empty the WAL. A reader still holding old frames makes it SQLITE_BUSY (the pragma's form
 * would report that only in its result row and succeed). */
static int wal_truncate(hearth_db *db)
{
	if (sqlite3_wal_checkpoint_v2(db->sql, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) !=
	    SQLITE_OK)
		return hearth_error_sqlite(db->sql, HEARTH_ERROR,
			_("cannot rewrite the database after a purge"));
	return 0;
}

int hearth_db_forget_finish(hearth_db *db)
{
	/* the old pages of the WAL and the free pages of the file hold what was deleted: the
	 * file is rewritten (VACUUM) and the WAL emptied, before and after; busy (another
	 * connection reading), it stays due and the next sync tries again */
	int rc = wal_truncate(db);

	if (rc == 0)
		rc = hearth_sql_exec(db->sql, "VACUUM", N_("cannot rewrite the database after a purge"));
	if (rc == 0)
		rc = wal_truncate(db);
	if (rc == 0)
		rc = hearth_sql_exec(db->sql, "DELETE FROM hearth_meta WHERE key = 'forget_due'",
			N_("cannot rewrite the database after a purge"));
	return rc;
}

int hearth_db_forget_due(hearth_db *db)
{
	return hearth_sql_count(db->sql,
		       "SELECT count(*) FROM hearth_meta WHERE key = 'forget_due' AND value = '1'") > 0;
}
