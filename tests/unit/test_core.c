/* Core: ids, buffers, the clock, migrations, recorded writes and their atomicity, dump. */
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hearth_internal.h"
#include "tap.h"
#include "fixture.h"

static char tmp_root[200];

static char *tmp_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmp_root, name);
	return path;
}

static long long count(hearth_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(hearth_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_ids(void)
{
	char long_id[64];

	ok(hearth_id_valid("lucai"), "plain id is valid");
	ok(hearth_id_valid("0-a-9"), "digits and dashes are valid");
	ok(!hearth_id_valid("-a"), "leading dash is invalid");
	ok(!hearth_id_valid("Lucai"), "upper case is invalid");
	ok(!hearth_id_valid("../x"), "path is invalid");
	ok(!hearth_id_valid("a/b"), "slash is invalid");
	ok(!hearth_id_valid(""), "empty is invalid");
	memset(long_id, 'a', 40);
	long_id[40] = '\0';
	ok(hearth_id_valid(long_id), "40 characters are valid");
	long_id[40] = 'a';
	long_id[41] = '\0';
	ok(!hearth_id_valid(long_id), "41 characters are invalid");
	is_int(hearth_id_check("node id", "x y"), HEARTH_EUSAGE, "id_check reports usage");
	ok(strstr(hearth_error_last(), "'x y'") != NULL, "id_check names the id");
}

static void test_buf(void)
{
	hearth_buf b = HEARTH_BUF_INIT, capped;
	int i;

	ok(b.ptr && b.ptr[0] == '\0', "empty buffer is an empty string");
	for (i = 0; i < 1000; i++)
		hearth_buf_printf(&b, "%d,", i);
	ok(b.size == strlen(b.ptr), "printf keeps NUL termination");
	ok(strncmp(b.ptr, "0,1,2,", 6) == 0, "contents in order");
	hearth_buf_put(&b, "\0x", 2);
	ok(b.ptr[b.size - 1] == 'x' && b.ptr[b.size - 2] == '\0', "binary safe");
	hearth_buf_dispose(&b);
	ok(b.size == 0 && b.ptr[0] == '\0', "dispose empties");
	hearth_buf_init(&capped, 8);
	ok(hearth_buf_puts(&capped, "12345678") == 0, "cap allows exactly cap bytes");
	is_int(hearth_buf_putc(&capped, '9'), HEARTH_ECORRUPT, "growing past the cap fails");
	hearth_buf_dispose(&capped);
}

static void test_clock(void)
{
	char hex[17];
	hearth_clock c, p, a, b;

	c = hearth_clock_next(0, 1000);
	is_int(HEARTH_CLOCK_MS(c), 1000, "first tick takes wall time");
	p = hearth_clock_next(c, 900);
	ok(p > c, "wall clock going back still advances the clock");
	is_int(HEARTH_CLOCK_MS(p), 1000, "and keeps the millisecond part");
	a = hearth_clock_merge(p, (5000ULL << 16) | 7, 2000);
	ok(a > ((5000ULL << 16) | 7), "merge moves past a remote clock ahead of us");
	b = hearth_clock_merge(a, 1, 1500);
	ok(b > a, "merge with an old remote still ticks");
	hearth_clock_format(hex, 0x0123456789abcdefULL);
	is_str(hex, "0123456789abcdef", "clock formats as 16 hex digits");
	ok(hearth_clock_parse(&c, hex) == 0 && c == 0x0123456789abcdefULL, "parse round-trips");
	is_int(hearth_clock_parse(&c, "0123"), HEARTH_ECORRUPT, "short clock refused");
	is_int(hearth_clock_parse(&c, "0123456789abcdeG"), HEARTH_ECORRUPT, "bad digit refused");
}

static void test_create_and_write(void)
{
	hearth_db *db = NULL;
	hearth_write_info info;
	hearth_buf dump1 = HEARTH_BUF_INIT, dump2 = HEARTH_BUF_INIT, q = HEARTH_BUF_INIT;
	hearth_clock before, after;
	int rc;

	rc = hearth_db_create(&db, tmp_path("lucai"), "lucai", "childcare_centre",
		"潞才社区综合托育中心", "luzhou");
	ok(rc == 0, "create a node (%s)", hearth_error_last());
	if (!db)
		return;
	is_int(hearth_db_schema_version(db), hearth_schema_version_max(), "migrated to newest");
	is_int(count(db, "SELECT count(*) FROM region WHERE level = 'county'"), 12,
		"12 county-level units shipped");
	is_int(count(db, "SELECT count(*) FROM service_type"), 18, "18 service types shipped");
	is_int(count(db, "SELECT count(*) FROM hearth_outbox"), 1, "node row is the first change");
	is_int(count(db, "SELECT count(*) FROM node WHERE id = 'lucai' AND region_id = 'luzhou'"), 1,
		"node row recorded");

	rc = hearth_write_exec(db,
		"INSERT INTO care_class(owner,id,name,age_band,capacity) "
		"VALUES('lucai','c1','托大班','2-3',25)",
		&info);
	ok(rc == 0, "recorded write (%s)", hearth_error_last());
	is_int(info.seq, 2, "second outbox seq");
	is_int(info.changes, 1, "one row changed");
	is_int(count(db, "SELECT count(*) FROM hearth_outbox"), 2, "outbox holds both writes");
	{
		hearth_buf ov = HEARTH_BUF_INIT;
		int nch = 0;
		ok(hearth_overlay_current(db, &ov) == 0 && ov.size > 0 &&
				hearth_changeset_validate(ov.ptr, (int)ov.size, &nch) == 0 && nch == 2,
			"the overlay holds the net change of both writes (%d)", nch);
		hearth_buf_dispose(&ov);
	}

	hearth_dump(db, NULL, &dump1);
	rc = hearth_write_exec(db,
		"INSERT INTO care_class(owner,id,name,age_band,capacity) "
		"VALUES('xiaoxiangwan','c9','托小班','1-2',20)",
		&info);
	is_int(rc, HEARTH_EDENIED, "foreign owner refused");
	ok(strstr(hearth_error_last(), "'care_class'") && strstr(hearth_error_last(),
								 "'xiaoxiangwan'"),
		"refusal names table and owner: %s", hearth_error_last());
	is_int(count(db, "SELECT count(*) FROM hearth_outbox"), 2, "outbox unchanged by refusal");
	hearth_dump(db, NULL, &dump2);
	ok(dump1.size == dump2.size && memcmp(dump1.ptr, dump2.ptr, dump1.size) == 0,
		"dump unchanged by refusal");

	/* half-way failure: the first statement succeeds, the second violates a CHECK */
	rc = hearth_write_exec(db,
		"INSERT INTO care_class(owner,id,name,age_band,capacity) VALUES('lucai','c2','a','0-1',5);"
		"INSERT INTO care_class(owner,id,name,age_band,capacity) VALUES('lucai','c3','b','9-9',5);",
		&info);
	ok(rc < 0, "failing statement fails the write");
	is_int(count(db, "SELECT count(*) FROM care_class WHERE id = 'c2'"), 0,
		"first statement rolled back");
	is_int(count(db, "SELECT count(*) FROM hearth_outbox"), 2, "no outbox row");

	rc = hearth_write_exec(db, "DELETE FROM hearth_outbox", &info);
	is_int(rc, HEARTH_EDENIED, "writing hearth's own tables refused");
	rc = hearth_write_exec(db, "DROP TABLE child", &info);
	is_int(rc, HEARTH_EDENIED, "schema change refused");
	rc = hearth_write_exec(db, "COMMIT; INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES('lucai','c4','x','0-1',1)",
		&info);
	ok(rc < 0, "transaction control refused");
	is_int(count(db, "SELECT count(*) FROM care_class"), 1, "still one class");

	/* bytes skip the text rule unless refused as such: no synced column is declared BLOB */
	{
		static const char *const blobs[] = { "UPDATE node SET name = x'ff00'",
			"UPDATE node SET address = x''",
			"UPDATE care_class SET name = CAST('班' AS BLOB) WHERE id = 'c1'",
			"INSERT INTO child (owner, id, name) VALUES ('lucai', 'b1', zeroblob(0))" };
		size_t k;
		for (k = 0; k < sizeof blobs / sizeof blobs[0]; k++) {
			rc = hearth_write_exec(db, blobs[k], &info);
			/* STRICT tables refuse it before the recording's own rule */
			ok(rc < 0 && (strstr(hearth_error_last(), "BLOB") ||
				strstr(hearth_error_last(), "expected text")),
				"a BLOB in a text column is refused: %s (%s)", blobs[k],
				hearth_error_last());
		}
		is_int(count(db, "SELECT count(*) FROM hearth_outbox"), 2, "no outbox row for them");
		is_int(count(db, "SELECT count(*) FROM node WHERE typeof(name) = 'blob' OR "
				 "typeof(address) = 'blob'") + count(db, "SELECT count(*) FROM child"),
			0, "and no BLOB stored");
	}

	rc = hearth_write_exec(db, "UPDATE care_class SET capacity = 25 WHERE id = 'c1'", &info);
	ok(rc == 0 && info.seq == 0 && info.changes == 0, "no-op write records nothing");

	hearth_db_clock_get(db, &before);
	rc = hearth_write_exec(db,
		"INSERT INTO child(owner,id,name) VALUES(hearth_node(), hearth_id(), '测试')", &info);
	ok(rc == 0, "hearth_node() and hearth_id() usable in SQL (%s)", hearth_error_last());
	hearth_db_clock_get(db, &after);
	ok(after > before, "clock advanced by the write");
	is_int(count(db, "SELECT count(*) FROM child WHERE owner = 'lucai' AND length(id) = 16"), 1,
		"generated id is 16 hex digits");

	rc = hearth_query(db, "SELECT name, capacity FROM care_class", HEARTH_FORMAT_JSON, &q);
	ok(rc == 0 && strstr(q.ptr, "\"name\": \"托大班\", \"capacity\": 25"), "query json has the row%s",
		q.size ? "" : " (empty)");
	hearth_buf_clear(&q);
	rc = hearth_query(db, "DELETE FROM care_class", HEARTH_FORMAT_TEXT, &q);
	is_int(rc, HEARTH_EUSAGE, "query refuses writes");
	is_int(count(db, "SELECT count(*) FROM care_class"), 1, "and nothing was deleted");

	hearth_db_free(db);
	db = NULL;
	rc = hearth_db_open(&db, tmp_path("lucai"));
	ok(rc == 0, "reopen");
	if (db) {
		hearth_clock again;
		hearth_db_clock_get(db, &again);
		ok(again >= after, "clock persisted across restart");
		hearth_buf_clear(&dump2);
		hearth_buf_clear(&dump1);
		hearth_dump(db, NULL, &dump1);
		hearth_dump(db, NULL, &dump2);
		ok(dump1.size > 0 && strcmp(dump1.ptr, dump2.ptr) == 0, "dump is deterministic");
		ok(strstr(dump1.ptr, "care_class lucai/c1 name=\"托大班\" age_band=\"2-3\" capacity=25 room=NULL\n") !=
			NULL, "dump line format");
		hearth_buf_clear(&dump2);
		hearth_dump(db, "xiaoxiangwan", &dump2);
		ok(!strstr(dump2.ptr, "lucai/") && strstr(dump2.ptr, "region office/luzhou"),
			"dump --for another node shows reference data only");
	}
	hearth_db_free(db);
	hearth_buf_dispose(&dump1);
	hearth_buf_dispose(&dump2);
	hearth_buf_dispose(&q);
}

static void test_open_errors(void)
{
	hearth_db *db = NULL;
	sqlite3 *raw = NULL;
	int rc;

	rc = hearth_db_open(&db, tmp_path("nothing"));
	is_int(rc, HEARTH_ENOTFOUND, "open of a folder without a node");
	rc = hearth_db_create(&db, tmp_path("lucai"), "lucai", "childcare_centre", "x", NULL);
	is_int(rc, HEARTH_ECONFLICT, "create refuses an existing node");
	rc = hearth_db_create(&db, tmp_path("bad"), "Bad", "childcare_centre", "x", NULL);
	is_int(rc, HEARTH_EUSAGE, "create refuses an invalid id");
	rc = hearth_db_create(&db, tmp_path("bad"), "bad", "castle", "x", NULL);
	is_int(rc, HEARTH_EUSAGE, "create refuses an unknown kind");
	rc = hearth_db_create(&db, tmp_path("bad2"), "bad", "hospital", "x", "atlantis");
	is_int(rc, HEARTH_EUSAGE, "create refuses an unknown region");
	ok(access(tmp_path("bad2/hearth.db"), F_OK) != 0, "and leaves no database behind");

	/* a database from a newer hearth */
	sqlite3_open(tmp_path("lucai/hearth.db"), &raw);
	sqlite3_exec(raw, "PRAGMA user_version = 999", NULL, NULL, NULL);
	sqlite3_close(raw);
	rc = hearth_db_open(&db, tmp_path("lucai"));
	is_int(rc, HEARTH_ENEWER, "newer database refused");
	ok(strstr(hearth_error_last(), "upgrade hearth") != NULL, "with advice: %s",
		hearth_error_last());
}

static void test_migrate_older(void)
{
	hearth_db *db = NULL;
	sqlite3 *raw = NULL;
	int rc;

	/* an empty database file (version 0) is migrated on open once identity exists */
	mkdir(tmp_path("old"), 0777);
	sqlite3_open(tmp_path("old/hearth.db"), &raw);
	sqlite3_close(raw);
	rc = hearth_db_open(&db, tmp_path("old"));
	is_int(rc, HEARTH_ENOTFOUND, "empty database migrates but has no identity");
	sqlite3_open(tmp_path("old/hearth.db"), &raw);
	sqlite3_stmt *st = NULL;
	int version = -1;
	sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	is_int(version, hearth_schema_version_max(), "empty database brought to newest schema");
	hearth_db_free(db);
}

static void test_stmt_cache(void)
{
	hearth_db *db = NULL;
	sqlite3_stmt *a = NULL, *b = NULL, *c = NULL;
	char sql[64];
	int rc, i, pass, same = 1, rows = 0;

	rc = hearth_db_create(&db, tmp_path("cache"), "cache", "childcare_centre", "cache", "luzhou");
	ok(rc == 0, "create a node for the statement cache (%s)", hearth_error_last());
	if (!db)
		return;
	ok(hearth_db_stmt(db, &a, "SELECT ?1 + 1") == 0 && a, "first use prepares");
	sqlite3_bind_int(a, 1, 41);
	ok(sqlite3_step(a) == SQLITE_ROW && sqlite3_column_int(a, 0) == 42, "the statement runs");
	/* left mid-step on purpose: the next fetch must reset it and clear its bindings */
	ok(hearth_db_stmt(db, &b, "SELECT ?1 + 1") == 0 && b == a, "same SQL, same statement");
	ok(sqlite3_step(b) == SQLITE_ROW && sqlite3_column_type(b, 0) == SQLITE_NULL,
		"handed out reset, with bindings cleared");
	hearth_stmt_done(b);
	ok(hearth_db_stmt(db, &c, "SELECT ?1 + 2") == 0 && c && c != a, "other SQL, other statement");
	/* enough distinct statements to grow the table several times (pass 0), each still found
	 * after it grew (pass 1) */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < 300 && same; i++) {
			snprintf(sql, sizeof(sql), "SELECT %d", i);
			if (hearth_db_stmt(db, &a, sql) < 0 || sqlite3_step(a) != SQLITE_ROW ||
			    sqlite3_column_int(a, 0) != i)
				same = 0;
			hearth_stmt_done(a);
		}
		ok(same, pass ? "and found again after the table grew"
			      : "300 distinct statements each prepared and run");
	}
	ok(hearth_db_stmt(db, &a, "SELECT nope FROM nowhere") == HEARTH_ERROR && !a,
		"bad SQL is an error, not a cached statement");
	/* a cached statement survives a schema change (SQLite re-prepares it) */
	ok(hearth_db_stmt(db, &a, "SELECT count(*) FROM region") == 0 && sqlite3_step(a) == SQLITE_ROW,
		"count before a schema change");
	rows = sqlite3_column_int(a, 0);
	hearth_stmt_done(a);
	sqlite3_exec(hearth_db_sqlite(db), "CREATE TABLE scratch(x)", NULL, NULL, NULL);
	ok(hearth_db_stmt(db, &a, "SELECT count(*) FROM region") == 0 && sqlite3_step(a) == SQLITE_ROW &&
		sqlite3_column_int(a, 0) == rows, "and after it");
	hearth_stmt_done(a);
	hearth_stmt_done(NULL);
	hearth_db_free(db); /* finalizes the cache; ASan and valgrind see leaks if it did not */
}

/* ---- a recorded write against a plain SQLite session ------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void canon_value(hearth_buf *b, sqlite3_value *v)
{
	int i, n;
	const unsigned char *p;

	if (!v) {
		hearth_buf_puts(b, " -");
		return;
	}
	switch (sqlite3_value_type(v)) {
	case SQLITE_INTEGER:
		hearth_buf_printf(b, " i:%lld", (long long)sqlite3_value_int64(v));
		break;
	case SQLITE_FLOAT:
		hearth_buf_printf(b, " f:%.17g", sqlite3_value_double(v));
		break;
	case SQLITE_TEXT:
		hearth_buf_printf(b, " t:%s", (const char *)sqlite3_value_text(v));
		break;
	case SQLITE_BLOB:
		p = sqlite3_value_blob(v);
		n = sqlite3_value_bytes(v);
		hearth_buf_puts(b, " b:");
		for (i = 0; i < n; i++)
			hearth_buf_printf(b, "%02x", p[i]);
		break;
	default:
		hearth_buf_puts(b, " null");
	}
}

/* A changeset as its tables in order, then every change as a line, sorted (the order of rows
 * within a table is a hash order in SQLite's output, and means nothing). */
static void canon(const void *cs, int n, hearth_buf *out)
{
	sqlite3_changeset_iter *it = NULL;
	char *lines[512];
	int nlines = 0, i;
	char last[64] = "";

	hearth_buf_clear(out);
	if (n == 0)
		return;
	if (sqlite3changeset_start(&it, n, (void *)cs) != SQLITE_OK) {
		hearth_buf_puts(out, "unparsable");
		return;
	}
	while (sqlite3changeset_next(it) == SQLITE_ROW && nlines < 512) {
		hearth_buf line = HEARTH_BUF_INIT;
		const char *tab;
		int ncol, op, ind, npk, c;
		unsigned char *pk;
		sqlite3changeset_op(it, &tab, &ncol, &op, &ind);
		sqlite3changeset_pk(it, &pk, &npk);
		if (strcmp(tab, last) != 0) {
			hearth_buf_printf(out, "%s ", tab);
			snprintf(last, sizeof(last), "%s", tab);
		}
		hearth_buf_printf(&line, "%s op=%d indirect=%d pk=", tab, op, ind);
		for (c = 0; c < npk; c++)
			hearth_buf_printf(&line, "%d", pk[c]);
		for (c = 0; c < ncol; c++) {
			sqlite3_value *v = NULL;
			if (op != SQLITE_INSERT)
				sqlite3changeset_old(it, c, &v);
			canon_value(&line, v);
		}
		hearth_buf_puts(&line, " |");
		for (c = 0; c < ncol; c++) {
			sqlite3_value *v = NULL;
			if (op != SQLITE_DELETE)
				sqlite3changeset_new(it, c, &v);
			canon_value(&line, v);
		}
		lines[nlines++] = hearth_buf_detach(&line);
	}
	sqlite3changeset_finalize(it);
	qsort(lines, (size_t)nlines, sizeof(*lines), cmp_str);
	for (i = 0; i < nlines; i++) {
		hearth_buf_printf(out, "; %s", lines[i]);
		free(lines[i]);
	}
}

static int exec_body(hearth_db *db, void *payload)
{
	return sqlite3_exec(hearth_db_sqlite(db), payload, NULL, NULL, NULL) == SQLITE_OK
		? 0
		: hearth_error_set(HEARTH_EUSAGE, "%s", sqlite3_errmsg(hearth_db_sqlite(db)));
}

/* A body that goes on after a failed statement: the enrolment names no child, so its insert is
 * undone at the end of the statement, after the pre-update hook saw it. */
static int partial_body(hearth_db *db, void *payload)
{
	sqlite3 *h = hearth_db_sqlite(db);

	if (sqlite3_exec(h, "UPDATE care_class SET capacity = 7 WHERE id = 'k3'", NULL, NULL,
		    NULL) != SQLITE_OK)
		return hearth_error_set(HEARTH_ERROR, "update failed");
	if (sqlite3_exec(h, "INSERT INTO enrolment (owner, id, child_id, class_id) "
			    "VALUES ('lucai', 'e9', 'nobody', 'k3')",
		    NULL, NULL, NULL) == SQLITE_OK)
		return hearth_error_set(HEARTH_ERROR, "the enrolment should have failed");
	return sqlite3_exec(h, "DELETE FROM child WHERE id = 'ch2'", NULL, NULL, NULL) == SQLITE_OK
		? 0
		: hearth_error_set(HEARTH_ERROR, "delete failed");
}

/* What a session records of the same body, in a transaction rolled back afterwards. */
static int session_canon(hearth_db *db, hearth_write_fn fn, void *payload, hearth_buf *out)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_session *sess = NULL;
	void *cs = NULL;
	int n = 0, rc = -1;

	if (sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (hearth_session_new(&sess, db) == 0 && fn(db, payload) == 0 &&
	    sqlite3session_changeset(sess, &n, &cs) == SQLITE_OK) {
		canon(cs, n, out);
		rc = 0;
	}
	if (sess)
		sqlite3session_delete(sess);
	sqlite3_free(cs);
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* The recorded changeset of a write equals the session's of the same statements, its summary
 * and count are the changeset's, and the write is kept. */
static void same_as_session(hearth_db *db, hearth_write_fn fn, void *payload, const char *what)
{
	hearth_buf want = HEARTH_BUF_INIT, got = HEARTH_BUF_INIT, sum = HEARTH_BUF_INIT;
	hearth_write_info info;
	sqlite3_stmt *st = NULL;
	int nch = -1;

	ok(session_canon(db, fn, payload, &want) == 0, "%s: the session records it (%s)", what,
		hearth_error_last());
	ok(hearth_write_run(db, fn, payload, NULL, &info) == 0, "%s: recorded (%s)", what,
		hearth_error_last());
	if (info.seq > 0 &&
	    sqlite3_prepare_v2(hearth_db_sqlite(db),
		    "SELECT changeset, summary FROM hearth_outbox WHERE seq = ?1", -1, &st,
		    NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, info.seq);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const void *cs = sqlite3_column_blob(st, 0);
			int n = sqlite3_column_bytes(st, 0);
			canon(cs, n, &got);
			hearth_changeset_summary(&sum, cs, n);
			is_str((const char *)sqlite3_column_text(st, 1), sum.ptr,
				"%s: the summary is the changeset's", what);
			if (hearth_changeset_validate(cs, n, &nch) < 0)
				nch = -1;
			is_int(nch, info.changes, "%s: the count is the changeset's", what);
		}
		sqlite3_finalize(st);
	}
	ok(want.size > 0, "%s: the session saw changes", what);
	is_str(got.ptr, want.ptr, "%s: the same changes as SQLite's session", what);
	hearth_buf_dispose(&want);
	hearth_buf_dispose(&got);
	hearth_buf_dispose(&sum);
}

static void test_recorder(void)
{
	hearth_db *db = NULL;
	static const char *const writes[][2] = {
		{ "two tables, written children first",
			"INSERT INTO child (owner, id, name, birth_date, sex, notes) VALUES "
			"('lucai', 'ch1', '王小明', '2023-05-01', 'm', '过敏：花生'), "
			"('lucai', 'ch2', '李小红', NULL, 'f', '');"
			"INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES "
			"('lucai', 'k1', '托大班', '2-3', 25), ('lucai', 'k2', '托小班', '1-2', 15)" },
		{ "one row updated twice",
			"UPDATE care_class SET capacity = capacity + 1 WHERE id = 'k1';"
			"UPDATE care_class SET name = name || '一' WHERE id = 'k1'" },
		{ "an update undone and another kept",
			"UPDATE care_class SET capacity = 99 WHERE id = 'k2';"
			"UPDATE care_class SET capacity = 15 WHERE id = 'k2';"
			"UPDATE child SET notes = NULL WHERE id = 'ch1'" },
		{ "inserted and deleted in the same write",
			"INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES "
			"('lucai', 'k9', 'x', '0-1', 1);"
			"DELETE FROM care_class WHERE id = 'k9';"
			"UPDATE child SET sex = 'f' WHERE id = 'ch1'" },
		{ "deleted and inserted again with other values",
			"DELETE FROM child WHERE id = 'ch1';"
			"INSERT INTO child (owner, id, name, sex) VALUES ('lucai', 'ch1', '王小明', 'm')" },
		{ "a key changed", "UPDATE care_class SET id = 'k3' WHERE id = 'k1'" },
		{ "replaced",
			"INSERT OR REPLACE INTO care_class (owner, id, name, age_band, capacity) VALUES "
			"('lucai', 'k2', '托小班', '0-1', 12)" },
		{ "real, integer and null values",
			"INSERT INTO health_check (owner, id, centre_id, child_id, checked_on, height_cm, "
			"weight_kg) VALUES ('lucai', 'h1', 'lucai', 'ch1', '2024-03-01', 95.5, 14), "
			"('lucai', 'h2', 'lucai', 'ch2', NULL, 100.0, NULL);"
			"UPDATE health_check SET weight_kg = 14.25 WHERE id = 'h1'" },
		{ "several rows deleted",
			"DELETE FROM health_check; UPDATE care_class SET capacity = 0" },
	};
	size_t i;
	int rc;

	rc = hearth_db_create(&db, tmp_path("rec"), "lucai", "childcare_centre", "潞才", "luzhou");
	ok(rc == 0, "create a node for the recorded-write comparison (%s)", hearth_error_last());
	if (!db)
		return;
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
		same_as_session(db, exec_body, (void *)writes[i][1], writes[i][0]);
	same_as_session(db, partial_body, NULL, "a statement undone in a body that goes on");
	is_int(count(db, "SELECT count(*) FROM enrolment"), 0, "the undone insert is not there");
	ok(count(db, "SELECT count(*) FROM hearth_outbox WHERE summary LIKE '%enrolment%'") == 0,
		"nor in the outbox");
	{
		hearth_write_info info;
		rc = hearth_write_exec(db, "UPDATE care_class SET capacity = capacity", &info);
		ok(rc == 0 && info.seq == 0 && info.changes == 0, "an unchanged row records nothing");
	}
	hearth_db_free(db);
}

/* A write keeps its seq and clock in its outbox row only; when outbox rows leave (the pull
 * deletes the acknowledged ones) hearth_db_seq_keep stores them first, so neither goes back. */
static hearth_clock outbox_clock(hearth_db *db, int64_t seq)
{
	sqlite3_stmt *st = NULL;
	hearth_clock c = 0;

	if (sqlite3_prepare_v2(hearth_db_sqlite(db), "SELECT clock FROM hearth_outbox WHERE seq = ?1",
		    -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, seq);
		if (sqlite3_step(st) != SQLITE_ROW ||
		    hearth_clock_parse(&c, (const char *)sqlite3_column_text(st, 0)) < 0)
			c = 0;
	}
	sqlite3_finalize(st);
	return c;
}

static void test_seq_after_outbox_leaves(void)
{
	hearth_db *db = NULL, *other = NULL;
	hearth_write_info info = { 0, 0, 0 }, info2 = { 0, 0, 0 };
	hearth_clock last;
	int rc;

	rc = hearth_db_create(&db, tmp_path("seq"), "seq", "childcare_centre", "seq", "luzhou");
	ok(rc == 0, "create a node for the seq (%s)", hearth_error_last());
	if (!db)
		return;
	rc = hearth_write_exec(db, "INSERT INTO care_class(owner,id,name,age_band,capacity) "
				   "VALUES('seq','a','A','2-3',9)", &info);
	if (rc == 0)
		rc = hearth_write_exec(db, "INSERT INTO care_class(owner,id,name,age_band,capacity) "
					   "VALUES('seq','b','B','2-3',9)", &info);
	ok(rc == 0 && info.seq == 3, "two writes after the node row: seq 3 (%lld)", (long long)info.seq);
	is_int(count(db, "SELECT value FROM hearth_meta WHERE key = 'seq'"), 0,
		"a write does not store its seq in hearth_meta");
	last = outbox_clock(db, 3);
	ok(last != 0 && last == info.clock, "the outbox row holds the write's clock");
	ok(hearth_db_begin(db) == 0 && hearth_db_seq_keep(db) == 0 &&
			sqlite3_exec(hearth_db_sqlite(db), "DELETE FROM hearth_outbox", NULL, NULL, NULL) ==
				SQLITE_OK &&
			hearth_db_commit(db) == 0,
		"the outbox emptied as a pull does (%s)", hearth_error_last());
	is_int(count(db, "SELECT value FROM hearth_meta WHERE key = 'seq'"), 3,
		"hearth_meta holds the seq of the rows that left");
	hearth_db_free(db);
	db = NULL;
	ok(hearth_db_open(&db, tmp_path("seq")) == 0 && hearth_db_open(&other, tmp_path("seq")) == 0,
		"reopen, twice");
	if (!db || !other)
		goto done;
	rc = hearth_write_exec(other, "UPDATE care_class SET name = 'A2' WHERE id = 'a'", &info2);
	ok(rc == 0 && info2.seq == 4 && info2.clock > last,
		"after the outbox emptied: seq 4 and a later clock (%lld)", (long long)info2.seq);
	rc = hearth_write_exec(db, "UPDATE care_class SET name = 'B2' WHERE id = 'b'", &info);
	ok(rc == 0 && info.seq == 5 && info.clock > info2.clock,
		"the other handle goes on from the first's write: seq 5, a later clock");
done:
	hearth_db_free(other);
	hearth_db_free(db);
}

/* After a purge the WAL and the free pages are rewritten (hearth_db_forget_finish); a reader
 * that keeps the WAL from being emptied must leave the work due, not mark it done. */
static void test_forget_waits_for_readers(void)
{
	hearth_db *db = NULL, *reader = NULL;
	int rc;

	rc = hearth_db_create(&db, tmp_path("forget"), "fg", "childcare_centre", "fg", "luzhou");
	ok(rc == 0 && hearth_db_open(&reader, tmp_path("forget")) == 0, "a node and a second handle");
	if (!db || !reader)
		goto done;
	sqlite3_busy_timeout(hearth_db_sqlite(db), 50);
	ok(hearth_write_exec(db, "INSERT INTO care_class(owner,id,name,age_band,capacity) "
				 "VALUES('fg','a','A','2-3',9)", NULL) == 0 &&
			sqlite3_exec(hearth_db_sqlite(db),
				"INSERT INTO hearth_meta (key, value) VALUES ('forget_due', '1')", NULL,
				NULL, NULL) == SQLITE_OK,
		"a write, and the rewrite due");
	ok(sqlite3_exec(hearth_db_sqlite(reader), "BEGIN; SELECT count(*) FROM care_class;", NULL,
		   NULL, NULL) == SQLITE_OK,
		"the other handle holds a read transaction");
	ok(hearth_db_forget_finish(db) < 0, "the rewrite cannot empty the WAL while it reads");
	ok(hearth_db_forget_due(db), "... and stays due for the next sync");
	sqlite3_exec(hearth_db_sqlite(reader), "COMMIT", NULL, NULL, NULL);
	ok(hearth_db_forget_finish(db) == 0, "once the reader is gone the rewrite runs (%s)",
		hearth_error_last());
	ok(!hearth_db_forget_due(db), "... and is no longer due");
done:
	hearth_db_free(reader);
	hearth_db_free(db);
}

/* The office merges each entry under a savepoint, whose journal keeps the pages it may have to
 * put back. It stays in memory (core/db.c): SQLite's default wrote it to a new file in the
 * temporary folder past 64 KiB, most of a merge round's writes. SQLite's temporary folder is
 * the one main() set, watched here for any file made while a savepoint changes 1 MiB. */
static void test_savepoint_journal_in_memory(const char *sqltmp)
{
	hearth_db *db = NULL;
	sqlite3 *h;
	char buf[4096];
	int fd, wd, made = 0, rc;
	ssize_t n;

	rc = hearth_db_create(&db, tmp_path("journal"), "jr", "childcare_centre", "jr", "luzhou");
	ok(rc == 0, "a node for the savepoint (%s)", hearth_error_last());
	if (!db)
		return;
	h = hearth_db_sqlite(db);
	rc = hearth_write_exec(db,
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) "
		"INSERT INTO care_class(owner,id,name,age_band,capacity) "
		"SELECT 'jr', 'c' || i, printf('%0200d', i), '2-3', 9 FROM n",
		NULL);
	ok(rc == 0, "4,000 classes of 200 bytes (%s)", hearth_error_last());
	fd = inotify_init1(IN_NONBLOCK);
	wd = fd < 0 ? -1 : inotify_add_watch(fd, sqltmp, IN_CREATE);
	ok(wd >= 0, "SQLite's temporary folder watched");
	rc = sqlite3_exec(h,
		"BEGIN; SAVEPOINT s; UPDATE care_class SET name = upper(name) || 'x'; "
		"ROLLBACK TO s; RELEASE s;",
		NULL, NULL, NULL);
	ok(rc == SQLITE_OK, "a savepoint changes every page of the table, then rolls back (%s)",
		sqlite3_errmsg(h));
	while (wd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
		const char *p = buf;
		while (p < buf + n) {
			const struct inotify_event *ev = (const void *)p;
			made++;
			p += sizeof(*ev) + ev->len;
		}
	}
	is_int(made, 0, "no file made for the savepoint's journal");
	is_int(count(db, "SELECT count(*) FROM care_class WHERE name LIKE '%x'"), 0,
		"the rollback put every page back");
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	if (fd >= 0)
		close(fd);
	hearth_db_free(db);
}

/* SQLite's allocation counters are off (core/sql.c): each allocation took a process-wide mutex
 * to count itself, about 10% of an office round. With them off, SQLite reports no memory in use
 * while a node is open and has just written 4,000 rows. */
static void test_sqlite_allocations_uncounted(void)
{
	hearth_db *db = NULL;
	sqlite3_int64 used = -1, peak = -1;
	int rc;

	rc = hearth_db_create(&db, tmp_path("uncounted"), "uc", "childcare_centre", "uc", "luzhou");
	ok(rc == 0, "a node for the counters (%s)", hearth_error_last());
	if (!db)
		return;
	rc = hearth_write_exec(db,
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) "
		"INSERT INTO care_class(owner,id,name,age_band,capacity) "
		"SELECT 'uc', 'c' || i, printf('class %d', i), '2-3', 9 FROM n",
		NULL);
	ok(rc == 0, "4,000 recorded rows (%s)", hearth_error_last());
	ok(sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &used, &peak, 0) == SQLITE_OK,
		"SQLite answers its status");
	ok(used == 0 && peak == 0, "SQLite counted no allocation (in use %lld, peak %lld)",
		(long long)used, (long long)peak);
	hearth_db_free(db);
}

int main(void)
{
	char sqltmp[256];

	if (fixture_tmpdir_named(tmp_root, sizeof(tmp_root), "hearth-core") < 0)
		return 1;
	/* SQLite reads its temporary folder once, before its first use */
	snprintf(sqltmp, sizeof(sqltmp), "%s/sqlite-tmp", tmp_root);
	if (mkdir(sqltmp, 0700) != 0 || setenv("SQLITE_TMPDIR", sqltmp, 1) != 0)
		return 1;
	test_ids();
	test_buf();
	test_clock();
	test_create_and_write();
	test_open_errors();
	test_migrate_older();
	test_stmt_cache();
	test_forget_waits_for_readers();
	test_recorder();
	test_seq_after_outbox_leaves();
	test_savepoint_journal_in_memory(sqltmp);
	test_sqlite_allocations_uncounted();
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
		if (system(cmd) != 0)
			diag("could not remove %s", tmp_root);
	}
	return done_testing();
}
