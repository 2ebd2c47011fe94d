/*
 * Allocation failures, in the manner of SQLite's faultsim: a countdown fails the Nth allocation
 * (then lets the others through), looped over N until an operation runs without reaching its
 * countdown. Operations: a recorded write, a CSV import, the merge of one entry at the office,
 * a site build. Every failure must return an error with a message and leave the database as it
 * was (a canonical dump compared before and after); in the sanitizer build LeakSanitizer checks
 * at exit that no failure leaked.
 *
 * What fails: SQLite's allocations (SQLITE_CONFIG_MALLOC) and hearth's own malloc, calloc,
 * realloc, strdup and strndup (the test is linked with --wrap, so the libraries carry no hook).
 * libgit2, cmark and zlib allocate through their own shared libraries, out of reach here: the
 * operations chosen do not use libgit2, and cmark aborts on allocation failure by design.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "hearth_site.h"
#include "sync_int.h"
#include "tap.h"

/* ---- the countdown ------------------------------------------------------------------------ */

static long alloc_calls, alloc_fail_at; /* fail the alloc_fail_at-th call; 0: none */
static int alloc_failed;

static int fault(void)
{
	if (!alloc_fail_at || ++alloc_calls != alloc_fail_at)
		return 0;
	alloc_failed = 1;
	return 1;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n)
{
	return fault() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fault() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fault() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return fault() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return fault() ? NULL : __real_strndup(s, n);
}

static sqlite3_mem_methods sqlite_mem;

static void *sqlite_malloc(int n)
{
	return fault() ? NULL : sqlite_mem.xMalloc(n);
}

static void *sqlite_realloc(void *p, int n)
{
	return fault() ? NULL : sqlite_mem.xRealloc(p, n);
}

static int faultsim_install(void)
{
	sqlite3_mem_methods m;

	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem) != SQLITE_OK)
		return -1;
	m = sqlite_mem;
	m.xMalloc = sqlite_malloc;
	m.xRealloc = sqlite_realloc;
	return sqlite3_config(SQLITE_CONFIG_MALLOC, &m) == SQLITE_OK ? 0 : -1;
}

/* ---- the loop ----------------------------------------------------------------------------- */

static char tmp[200];
static char pristine[300], work[300], site_dir[300];
static sync_entry merge_entry;

typedef int (*operation)(hearth_db *db);

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char b[65536];
	size_t n;
	int rc = in && out ? 0 : -1;

	while (rc == 0 && (n = fread(b, 1, sizeof(b), in)) > 0)
		if (fwrite(b, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out))
		rc = -1;
	return rc;
}

static int dump_work(hearth_buf *out)
{
	char path[400];

	hearth_buf_clear(out);
	snprintf(path, sizeof(path), "%s/hearth.db", work);
	return fixture_dump(path, out);
}

/* The work database as the pristine one (its WAL too, if it kept one), opened. */
static int work_open(hearth_db **db)
{
	static const char *const files[] = { "hearth.db", "hearth.db-wal", "hearth.db-shm" };
	char from[400], to[400];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(from, sizeof(from), "%s/%s", pristine, files[i]);
		snprintf(to, sizeof(to), "%s/%s", work, files[i]);
		unlink(to);
		if (stat(from, &st) == 0 && copy_file(from, to) < 0)
			return -1;
	}
	return hearth_db_open(db, work);
}

static int site_left_nothing(void)
{
	char sibling[400];
	struct stat st;

	snprintf(sibling, sizeof(sibling), "%s/.site.hearth-new", tmp);
	return stat(site_dir, &st) != 0 && stat(sibling, &st) != 0;
}

/* Run `op` with the Nth allocation failing, for N = 1, 2, ... until it runs without reaching N:
 * every N if the operation makes at most `budget` allocations, else `budget` of them evenly
 * spread (and the last ones); at most LOOP_SECONDS. */
#define LOOP_SECONDS 240
static void faultsim_loop(const char *name, operation op, long budget)
{
	hearth_buf before = HEARTH_BUF_INIT, after = HEARTH_BUF_INIT, done = HEARTH_BUF_INIT;
	hearth_db *db = NULL;
	long n, runs = 0, errors = 0, benign = 0, bad_rc = 0, bad_msg = 0, changed = 0, leftover = 0;
	long first_bad = 0, total = 0, stride;
	time_t start = time(NULL);
	int rc;

	if (!ok(work_open(&db) == 0 && dump_work(&before) == 0, "%s: pristine copy", name)) {
		diag("%s", hearth_error_last());
		goto out;
	}
	alloc_calls = 0;
	alloc_fail_at = LONG_MAX;
	rc = op(db);
	alloc_fail_at = 0;
	total = alloc_calls;
	stride = total > budget ? total / budget : 1;
	hearth_db_free(db);
	db = NULL;
	if (!ok(rc == 0 && dump_work(&done) == 0 && strcmp(done.ptr, before.ptr) != 0,
		    "%s: runs and changes the database without a fault", name)) {
		diag("rc %d: %s", rc, hearth_error_last());
		goto out;
	}
	fixture_rm_rf(site_dir);
	for (n = 1; time(NULL) - start < LOOP_SECONDS; n += n + stride < total ? stride : 1) {
		if (work_open(&db) < 0) {
			ok(0, "%s: reopen before N=%ld", name, n);
			break;
		}
		hearth_error_clear();
		alloc_calls = 0;
		alloc_failed = 0;
		alloc_fail_at = n;
		rc = op(db);
		alloc_fail_at = 0;
		hearth_db_free(db);
		db = NULL;
		runs++;
		if (!alloc_failed)
			break;
		dump_work(&after);
		if (rc < 0) {
			errors++;
			if (!hearth_error_last() || !*hearth_error_last())
				bad_msg++, first_bad = first_bad ? first_bad : n;
			if (strcmp(after.ptr, before.ptr) != 0) {
				if (!changed)
					diag("%s: N=%ld changed the database: %s", name, n,
						hearth_error_last());
				changed++, first_bad = first_bad ? first_bad : n;
			}
			if (!site_left_nothing())
				leftover++, first_bad = first_bad ? first_bad : n;
		} else {
			/* a failure SQLite or hearth recovered from: the operation took effect whole */
			benign++;
			if (strcmp(after.ptr, done.ptr) != 0)
				bad_rc++, first_bad = first_bad ? first_bad : n;
		}
		fixture_rm_rf(site_dir);
	}
	diag("%s: %ld allocations, %ld runs (every %ld), %ld errors, %ld recovered", name, total,
		runs, stride, errors, benign);
	if (first_bad)
		diag("%s: first bad run at N=%ld", name, first_bad);
	ok(runs > 1 && !alloc_failed, "%s: the loop reached the end of the operation", name);
	is_int(bad_msg, 0, "%s: every failure returns an error with a message", name);
	is_int(changed, 0, "%s: every failure leaves the database as it was", name);
	is_int(leftover, 0, "%s: every failure leaves no site and no half-built folder", name);
	is_int(bad_rc, 0, "%s: a recovered failure completes the operation whole", name);
out:
	hearth_db_free(db);
	hearth_buf_dispose(&before);
	hearth_buf_dispose(&after);
	hearth_buf_dispose(&done);
}

/* ---- the operations ----------------------------------------------------------------------- */

static int op_write(hearth_db *db)
{
	hearth_write_info info;

	return hearth_write_exec(db,
		"INSERT INTO care_class (owner, id, name, age_band, capacity) "
		"VALUES ('office', 'w1', '托班', '2-3', 20); "
		"UPDATE care_class SET capacity = 15 WHERE id = 'r1'", &info);
}

static int op_import(hearth_db *db)
{
	static const char csv[] = "owner,id,name,age_band,capacity\n"
				  "office,c1,乳儿班,0-1,6\n"
				  "office,c2,\"托小班, 上午\",1-2,12\n"
				  "office,c3,托大班,2-3,20\n";
	hearth_write_info info;

	return hearth_import_csv(db, "care_class", csv, sizeof(csv) - 1, &info);
}

/* As the office does for each entry (office.c, merge_one): inside a transaction, under a
 * session, sync_merge_entry, the session's changeset taken; then commit. */
static int op_merge(hearth_db *db)
{
	sync_sql_cache cache = SYNC_SQL_CACHE_INIT;
	sqlite3_session *sess = NULL;
	void *net = NULL;
	int nnet = 0, conflicts = 0, rc;

	if ((rc = hearth_db_begin(db)) < 0)
		return rc;
	if ((rc = hearth_session_new(&sess, db)) < 0 ||
	    (rc = sync_merge_entry(db, &cache, "lucai", &merge_entry, &conflicts)) < 0)
		goto done;
	if (sqlite3session_changeset(sess, &nnet, &net) != SQLITE_OK) {
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, "cannot record the merge");
		goto done;
	}
	if (conflicts != 1)
		rc = hearth_error_set(HEARTH_ERROR, "%d conflicts, not 1", conflicts);
done:
	if (sess)
		sqlite3session_delete(sess);
	sqlite3_free(net);
	sync_sql_cache_dispose(&cache);
	if (rc < 0)
		hearth_db_rollback(db);
	else
		rc = hearth_db_commit(db);
	return rc;
}

/* A site build writes files, not the database: the database dump changes only through the
 * pristine copy; "changes the database" is asked of the site folder instead. */
static int op_site(hearth_db *db)
{
	hearth_site_opts opts = { NULL, 1767225600000ull };
	hearth_site_stats stats;
	int rc = hearth_site_build(db, site_dir, &opts, &stats);

	/* mark the success in the database, outside the countdown, so the loop sees it */
	if (rc == 0) {
		long at = alloc_fail_at;
		alloc_fail_at = 0;
		rc = hearth_sql_exec(hearth_db_sqlite(db),
			"INSERT INTO hearth_meta (key, value) VALUES ('test_site_built', '1')",
			"mark the build");
		alloc_fail_at = at;
	}
	return rc;
}

/* ---- the fixture -------------------------------------------------------------------------- */

/* The office with one class 'r1' (named 'H' by the office) and the entry of node 'lucai' that
 * renames it from 'A' (so it conflicts) and adds class 'r2'. */
static int fixture(void)
{
	hearth_db *db = NULL;
	hearth_write_info info;
	sqlite3_session *s = NULL;
	void *cs = NULL;
	int n = 0, rc;
	sqlite3 *h;

	snprintf(pristine, sizeof(pristine), "%s/office", tmp);
	snprintf(work, sizeof(work), "%s/work", tmp);
	snprintf(site_dir, sizeof(site_dir), "%s/site", tmp);
	if ((rc = hearth_db_create(&db, pristine, HEARTH_OFFICE, "office", "office", NULL)) < 0 ||
	    (rc = hearth_write_exec(db,
		     "INSERT INTO care_class (owner, id, name, age_band, capacity) "
		     "VALUES ('lucai', 'r1', 'H', '1-2', 10)", &info)) < 0)
		goto done;
	h = hearth_db_sqlite(db);
	if ((rc = hearth_sql_exec(h, "BEGIN; UPDATE care_class SET name = 'A'", "begin")) < 0 ||
	    (rc = hearth_session_new(&s, db)) < 0 ||
	    (rc = hearth_sql_exec(h, "UPDATE care_class SET name = 'B', capacity = 11; "
		     "INSERT INTO care_class (owner, id, name, age_band, capacity) "
		     "VALUES ('lucai', 'r2', 'K', '0-1', 4)", "change")) < 0)
		goto done;
	if (sqlite3session_changeset(s, &n, &cs) != SQLITE_OK)
		rc = -1;
	else
		rc = hearth_buf_put(&merge_entry.cs, cs, (size_t)n);
	merge_entry.head.seq = 1;
	merge_entry.head.clock = (hearth_clock)1767225600000ull << 16;
	hearth_sql_exec(h, "ROLLBACK", "rollback");
done:
	if (rc < 0)
		diag("fixture: %s", hearth_error_last());
	if (s)
		sqlite3session_delete(s);
	sqlite3_free(cs);
	hearth_db_free(db);
	if (rc == 0)
		rc = mkdir(work, 0700);
	return rc;
}

int main(void)
{
	if (!ok(faultsim_install() == 0, "SQLite allocations go through the countdown") ||
	    !ok(fixture_tmpdir_named(tmp, sizeof(tmp), "hearth-alloc") == 0, "temp dir"))
		return done_testing();
	hearth_time_override(1767225600000ull + 3600000);
	if (ok(fixture() == 0, "office database from the migrations, with one node entry")) {
		faultsim_loop("recorded write", op_write, 100000);
		faultsim_loop("csv import", op_import, 100000);
		faultsim_loop("merge of one entry", op_merge, 100000);
		faultsim_loop("site build", op_site, 150);
	}
	hearth_buf_dispose(&merge_entry.cs);
	fixture_rm_rf(tmp);
	return done_testing();
}
