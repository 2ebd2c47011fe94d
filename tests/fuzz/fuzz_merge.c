/*
 * Fuzz target for the office's verify-and-apply of an entry from node 'lucai', the path every
 * fetched `up` changeset takes: hearth_changeset_validate, hearth_changeset_check_owner, then
 * sync_merge_entry under a session and a savepoint, then the net effect cut into downs with
 * sync_down_filter. An office database is made once per process in a temporary folder, with a
 * few rows of lucai's, of another node's with lucai as audience, and of the office's; every input
 * runs in a transaction that is rolled back, so every input starts from the same state.
 *
 * Invariants: no crash or sanitizer report; every failure is a negative HEARTH_E* code with a
 * one-line message; a merge that succeeds records a net changeset that validates, and its downs
 * validate; after the rollback the database is unchanged (canonical dump) and, checked every
 * CHECK_EVERY inputs, `PRAGMA integrity_check` is ok.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz_merge: %s:%d: %s (last error: %s)\n", __FILE__,     \
				__LINE__, #cond, hearth_error_last());                         \
			abort();                                                               \
		}                                                                              \
	} while (0)

#define CHECK_EVERY 64
#define NOW_MS 1767225600000ULL /* 2026-01-01, pinned: conflicts and clamps repeat exactly */
#define ENTRY_CLOCK ((NOW_MS - 60000) << 16)

static hearth_db *office;
static char dir[4096];
static hearth_buf initial_dump = HEARTH_BUF_INIT;
static unsigned long ninputs;
static sync_sql_cache shapes = SYNC_SQL_CACHE_INIT; /* kept across inputs, as in a round */
static int verbose;

static const char *const setup_sql =
	"INSERT INTO node (owner, id, kind, name, region_id, status, description_md) VALUES "
	"  ('lucai', 'lucai', 'childcare_centre', '潞才托育', 'luzhou', 'open', '*hi*'),"
	"  ('tunliu-1', 'tunliu-1', 'volunteer_station', 'Tunliu station', 'tunliu', 'open', NULL),"
	"  ('hosp', 'hosp', 'hospital', 'City hospital', 'changzhi', 'open', NULL);"
	"INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES "
	"  ('lucai', 'c1', 'Sunflowers', '1-2', 20), ('lucai', 'c2', 'Moons', '2-3', 15);"
	"INSERT INTO child (owner, id, name, birth_date, sex) VALUES "
	"  ('lucai', 'k1', 'Wang Xiaoming', '2024-03-01', 'm');"
	"INSERT INTO enrolment (owner, id, child_id, class_id, mode) VALUES "
	"  ('lucai', 'e1', 'k1', 'c1', 'full_day');"
	"INSERT INTO health_check (owner, id, centre_id, child_id, checked_on, height_cm) VALUES "
	"  ('hosp', 'h1', 'lucai', 'k1', '2025-06-01', 80.5);"
	"INSERT INTO service_request (owner, id, service_type_id, requested_at, status, assignee) "
	"  VALUES ('tunliu-1', 'r1', 'repair', '2025-12-01T09:00:00+08:00', 'new', 'lucai'),"
	"  ('tunliu-1', 'r2', 'repair', '2025-12-02T09:00:00+08:00', 'accepted', 'tunliu-1'),"
	"  ('lucai', 'r3', 'repair', '2025-12-03T09:00:00+08:00', 'new', 'hosp');"
	"INSERT INTO event (owner, id, kind, title, starts_at, public) VALUES "
	"  ('lucai', 'ev1', 'parenting_class', 'Reading together', '2026-01-10T10:00:00+08:00', 1);";

static void check_integrity(void)
{
	sqlite3 *h = hearth_db_sqlite(office);
	sqlite3_stmt *st = NULL;
	hearth_buf dump = HEARTH_BUF_INIT;

	CHECK(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK(strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0);
	sqlite3_finalize(st);
	CHECK(hearth_dump(office, NULL, &dump) == 0);
	CHECK(dump.size == initial_dump.size &&
	      memcmp(dump.ptr, initial_dump.ptr, dump.size) == 0);
	CHECK(hearth_sql_count(h, "SELECT count(*) FROM hearth_conflict") == 0);
	hearth_buf_dispose(&dump);
}

/* rm -r: the office folder holds the database and its journal files */
static void remove_tree(const char *path)
{
	struct stat st;
	struct dirent *e;
	char sub[4096 + 256];
	DIR *d;

	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && (d = opendir(path))) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
				remove_tree(sub);
			}
		closedir(d);
	}
	remove(path);
}

static void cleanup(void)
{
	if (office)
		check_integrity();
	hearth_db_free(office);
	office = NULL;
	hearth_buf_dispose(&initial_dump);
	if (dir[0])
		remove_tree(dir);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	hearth_write_info info;

	hearth_time_override(NOW_MS);
	snprintf(dir, sizeof(dir), "%s/hearth-fuzz-merge-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(dir) != NULL);
	atexit(cleanup);
	CHECK(hearth_db_create(&office, dir, HEARTH_OFFICE, "office", "Office", NULL) == 0);
	CHECK(hearth_write_exec(office, setup_sql, &info) == 0 && info.changes > 0);
	/* as after a sync: the office's own writes noted with their origins, moved to the log */
	CHECK(sync_office_take_own(office) == 0);
	CHECK(hearth_dump(office, NULL, &initial_dump) == 0);
	check_integrity();
}

static void check_error(int rc)
{
	const char *msg = hearth_error_last();

	/* one of the HEARTH_E* codes (the office quarantines on any but HEARTH_ERROR) */
	CHECK(rc == HEARTH_ERROR || (rc <= HEARTH_ENOTFOUND && rc >= HEARTH_ENEWER));
	CHECK(hearth_error_code() == rc);
	CHECK(msg[0] != '\0' && strchr(msg, '\n') == NULL && strchr(msg, '\r') == NULL);
}

/* The downs of log entry `cs` for every node validate. */
static void check_downs(const void *cs, int n)
{
	static const char *const nodes[] = { "lucai", "tunliu-1", "hosp", "nobody" };
	size_t i;

	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		hearth_cs_writer w = HEARTH_CS_WRITER_INIT;
		int rc = sync_down_filter(&w, office, nodes[i], cs, n);
		if (rc)
			check_error(rc);
		else if (w.buf.size)
			CHECK(hearth_changeset_validate(w.buf.ptr, (int)w.buf.size, NULL) == 0);
		hearth_cs_writer_dispose(&w);
	}
}

/* The net changeset of a merge validates, summarises, and cuts into downs that validate, both
 * as it is (a log entry written before the log kept audiences) and in the form the office logs
 * (sync_log_note), which validates too. */
static void check_net(const void *net, int nnet)
{
	hearth_cs_writer logged = HEARTH_CS_WRITER_INIT;
	hearth_buf sum = HEARTH_BUF_INIT;

	CHECK(hearth_changeset_validate(net, nnet, NULL) == 0);
	CHECK(hearth_changeset_summary(&sum, net, nnet) == 0);
	check_downs(net, nnet);
	CHECK(sync_log_note(&logged, office, net, nnet) == 0);
	CHECK(hearth_changeset_validate(logged.buf.ptr, (int)logged.buf.size, NULL) == 0);
	check_downs(logged.buf.ptr, (int)logged.buf.size);
	hearth_cs_writer_dispose(&logged);
	hearth_buf_dispose(&sum);
}

static int attach_session(sqlite3_session **out, sqlite3 *h)
{
	const hearth_schema *s = hearth_db_schema(office);
	int i;

	CHECK(sqlite3session_create(h, "main", out) == SQLITE_OK);
	for (i = 0; i < hearth_schema_count(s); i++)
		CHECK(sqlite3session_attach(*out, hearth_schema_at(s, i)->name) == SQLITE_OK);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sqlite3 *h;
	sqlite3_session *sess = NULL;
	sync_entry e;
	void *net = NULL;
	int rc, conflicts = 0, nnet = 0;

	if (size > SYNC_ENTRY_MAX)
		return 0;
	if (!office) {
		/* FUZZ_MERGE_VERBOSE=1: one line per input saying how far it got */
		verbose = getenv("FUZZ_MERGE_VERBOSE") != NULL;
		setup();
	}
	h = hearth_db_sqlite(office);
	memset(&e, 0, sizeof(e));
	hearth_buf_init(&e.cs, SYNC_ENTRY_MAX);
	e.head.seq = 1;
	e.head.clock = ENTRY_CLOCK;
	CHECK(hearth_buf_put(&e.cs, data, size) == 0);

	hearth_error_clear();
	CHECK(hearth_db_begin(office) == 0);
	CHECK(hearth_sql_exec(h, "PRAGMA defer_foreign_keys = ON", "merge") == 0);
	/* the order of the office's merge: parse, ownership, then the merge itself */
	rc = hearth_changeset_validate(e.cs.ptr, (int)e.cs.size, NULL);
	if (rc == 0)
		rc = hearth_changeset_check_owner(h, hearth_db_schema(office), "lucai", 0, e.cs.ptr,
			(int)e.cs.size);
	if (rc == 0) {
		CHECK(hearth_sql_exec(h, "SAVEPOINT fuzz_merge", "savepoint") == 0);
		attach_session(&sess, h);
		rc = sync_merge_entry(office, &shapes, "lucai", &e, &conflicts);
		CHECK(rc <= 1);        /* 1: the clock was clamped, which the fixed clock never is */
		CHECK(rc != 1);
		CHECK(conflicts >= 0);
		if (rc == 0) {
			CHECK(sqlite3session_changeset(sess, &nnet, &net) == SQLITE_OK);
			sqlite3session_delete(sess);
			sess = NULL;
			if (nnet > 0)
				check_net(net, nnet);
			CHECK(hearth_sql_exec(h, "RELEASE fuzz_merge", "savepoint") == 0);
		} else {
			check_error(rc);
			sqlite3session_delete(sess);
			sess = NULL;
			CHECK(hearth_sql_exec(h, "ROLLBACK TO fuzz_merge; RELEASE fuzz_merge",
				      "savepoint") == 0);
		}
	} else {
		check_error(rc);
	}
	hearth_db_rollback(office);
	CHECK(sqlite3_get_autocommit(h));
	if (verbose)
		fprintf(stderr, "fuzz_merge: rc %d, %d conflicts, net %d bytes: %s\n", rc, conflicts,
			nnet, rc ? hearth_error_last() : "merged");
	if (++ninputs % CHECK_EVERY == 0)
		check_integrity();
	sqlite3_free(net);
	hearth_buf_dispose(&e.cs);
	return 0;
}
