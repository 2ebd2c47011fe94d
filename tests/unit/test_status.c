/*
 * The status reads (core/hearth_status.h) on real databases made by the migrations: a node with
 * a pushed and an unpushed change, an office with two remotes, a peer, merged log entries, two
 * conflicts and a quarantined commit; every struct field, the CLI's listings, the age formatter,
 * and a failing query returning an error instead of a zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hearth_internal.h"
#include "core/hearth_status.h"
#include "tap.h"
#include "fixture.h"

#define NOW 1795140000000LL

static char tmp_root[200];

static char *tmp_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmp_root, name);
	return path;
}

static void sql(hearth_db *db, const char *text)
{
	char *msg = NULL;

	if (sqlite3_exec(hearth_db_sqlite(db), text, NULL, NULL, &msg) != SQLITE_OK)
		diag("setup failed: %s", msg ? msg : "?");
	sqlite3_free(msg);
}

static void test_age(void)
{
	static const struct {
		int64_t ms;
		const char *want;
	} cases[] = { { 0, "0 s" }, { 119999, "119 s" }, { 120000, "2 min" },
		{ 7199999, "119 min" }, { 7200000, "2 h" }, { 172800000, "2 days" },
		{ -5000, "in the future" } };
	char out[40];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hearth_age_format(out, sizeof(out), cases[i].ms);
		is_str(out, cases[i].want, "age of %lld ms", (long long)cases[i].ms);
	}
}

static void test_node(void)
{
	hearth_status *s = NULL;
	hearth_write_info w;
	hearth_db *db = NULL;
	int rc;

	rc = hearth_db_create(&db, tmp_path("lucai"), "lucai", "childcare_centre", "Lucai", NULL);
	is_int(rc, 0, "node created by the migrations");
	rc = hearth_write_exec(db, "UPDATE node SET name = 'Lucai Centre' WHERE id = 'lucai'", &w);
	is_int(rc, 0, "a second recorded write");
	sql(db, "UPDATE hearth_outbox SET pushed = 1 WHERE seq = 1;"
		"INSERT INTO hearth_remote (name, url, last_sync_ms) VALUES ('office', '/srv/o', 5)");
	rc = hearth_status_read(&s, db);
	is_int(rc, 0, "status read at the node");
	if (rc == 0) {
		is_str(s->node, "lucai", "node id");
		is_str(s->kind, "childcare_centre", "kind");
		is_int(s->office, 0, "not the office");
		is_int(s->schema_version, hearth_schema_version_max(), "schema version");
		is_int((int)s->unpushed, 1, "one change not pushed");
		is_int((int)s->pushed, 1, "one pushed, waiting for the office");
		is_int(s->nremotes, 1, "one remote");
		is_str(s->remotes[0].url, "/srv/o", "its url");
		is_int((int)s->remotes[0].last_sync_ms, 5, "its last sync");
		ok(s->remotes[0].last_seen_ms == HEARTH_TIME_NONE, "never seen: HEARTH_TIME_NONE");
		ok(s->remotes[0].last_error == NULL, "no error");
	}
	hearth_status_free(s);

	/* a broken table is an error with SQLite's message, never a count of 0 */
	sql(db, "DROP TABLE hearth_quarantine");
	s = (hearth_status *)1;
	rc = hearth_status_read(&s, db);
	ok(rc < 0, "status fails when a table is missing");
	ok(s == NULL, "and hands back nothing");
	ok(strstr(hearth_error_last(), "hearth_quarantine") != NULL, "the message names it: %s",
		hearth_error_last());
	hearth_db_free(db);
}

static void office_setup(hearth_db *db)
{
	sql(db,
		"INSERT INTO node (owner, id, kind, name) VALUES ('lucai', 'lucai', "
		" 'childcare_centre', 'Lucai Centre');"
		"INSERT INTO hearth_remote VALUES ('lucai', '/srv/lucai', 100, 90, 'unreachable', 200);"
		"INSERT INTO hearth_remote (name, url) VALUES ('zhoujia', '/srv/zhoujia');"
		"INSERT INTO hearth_peer (node, down_office_seq) VALUES ('lucai', 3);"
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) "
		"INSERT INTO hearth_log (office_seq, clock, origin, summary, changeset) "
		" SELECT i, '0000000000000001', 'office', 's', x'' FROM n;"
		"INSERT INTO hearth_conflict (tbl, owner, row_id, col, policy, kept, kept_node, "
		" kept_clock, lost, lost_node, lost_clock, at_ms) VALUES ('child', 'lucai', 'c1', "
		" 'age', 'lww', 7, 'office', '00000000000000aa', 'six', 'lucai', "
		" '00000000000000a0', 1000);"
		"INSERT INTO hearth_conflict (tbl, owner, row_id, col, policy, kept, lost, at_ms, "
		" resolved) VALUES ('child', 'lucai', 'c2', 'photo', 'office', NULL, x'0102', 2000, "
		" 'kept');"
		"INSERT INTO hearth_quarantine VALUES ('lucai', "
		" '0123456789abcdef0123456789abcdef01234567', 4, 'bad signature', 3000);");
}

static void test_office_status(hearth_db *db)
{
	hearth_status *s = NULL;
	hearth_buf json = HEARTH_BUF_INIT;
	int rc = hearth_status_read(&s, db);

	is_int(rc, 0, "status read at the office");
	if (rc < 0)
		return;
	is_int(s->office, 1, "the office");
	is_int((int)s->open_conflicts, 1, "one open conflict (the resolved one not counted)");
	is_int((int)s->quarantined, 1, "one quarantined commit");
	is_int(s->nremotes, 2, "two remotes");
	if (s->nremotes == 2) {
		const hearth_status_remote *l = &s->remotes[0], *z = &s->remotes[1];
		is_str(l->name, "lucai", "remotes by name");
		is_str(l->node_name, "Lucai Centre", "the node's own name");
		is_int((int)l->last_seen_ms, 90, "last seen");
		is_str(l->last_error, "unreachable", "last error");
		is_int((int)l->last_error_ms, 200, "last error time");
		is_int((int)l->behind, 2, "2 log entries not yet on its down");
		is_int((int)l->quarantined, 1, "its quarantined commit");
		is_int((int)l->open_conflicts, 1, "its open conflict");
		ok(z->node_name == NULL, "a node never merged has no name");
		is_int((int)z->behind, 5, "a node without a peer row is behind the whole log");
		ok(z->last_sync_ms == HEARTH_TIME_NONE, "never synced");
		is_int((int)z->open_conflicts, 0, "no conflict of its own");
	}
	rc = hearth_status_json(&json, s);
	is_int(rc, 0, "status as JSON");
	ok(strstr(json.ptr, "\"pending\": 1, \"unpushed\": 1, \"pushed_unacked\": 0, "
			    "\"open_conflicts\": 1, \"quarantined\": 1, \"remotes\": [\n  "
			    "{\"name\": \"lucai\", \"url\": \"/srv/lucai\", \"last_sync_ms\": 100, "
			    "\"last_seen_ms\": 90, \"last_error\": \"unreachable\", "
			    "\"last_error_ms\": 200},\n  {\"name\": \"zhoujia\", \"url\": "
			    "\"/srv/zhoujia\", \"last_sync_ms\": null, \"last_seen_ms\": null, "
			    "\"last_error\": null, \"last_error_ms\": null}\n]}\n") != NULL,
		"JSON as status --json prints it");
	hearth_buf_dispose(&json);
	hearth_status_free(s);
}

static void test_conflicts(hearth_db *db)
{
	hearth_conflicts *c = NULL;
	hearth_buf out = HEARTH_BUF_INIT;
	int rc = hearth_conflicts_read(&c, db, 0, 0);

	is_int(rc, 0, "open conflicts read");
	is_int(rc == 0 ? c->n : -1, 1, "one open");
	if (rc == 0 && c->n == 1) {
		const hearth_conflict *k = &c->items[0];
		is_str(k->table, "child", "table");
		is_str(k->owner, "lucai", "owner");
		is_str(k->row_id, "c1", "row");
		is_str(k->col, "age", "column");
		is_str(k->policy, "lww", "policy");
		is_int(k->kept.type, SQLITE_INTEGER, "kept value keeps its type");
		is_int((int)k->kept.i, 7, "kept value");
		is_str(k->kept_node, "office", "kept from");
		is_str(k->kept_clock, "00000000000000aa", "kept clock");
		is_int(k->lost.type, SQLITE_TEXT, "lost value is text");
		is_str(k->lost.text, "six", "lost value");
		is_str(k->lost_node, "lucai", "lost from");
		is_int((int)k->at_ms, 1000, "logged at");
		ok(k->resolved == NULL, "open: resolved is NULL");
		rc = hearth_conflicts_format(&out, c, 0, HEARTH_FORMAT_TEXT);
		is_str(out.ptr,
			"id\ttbl\trow\tcol\tpolicy\tkept\tkept_node\tlost\tlost_node\tstate\n"
			"1\tchild\tlucai/c1\tage\tlww\t7\toffice\tsix\tlucai\topen\n",
			"conflicts list as text");
	}
	hearth_conflicts_free(c);
	c = NULL;

	rc = hearth_conflicts_read(&c, db, 2, 0);
	is_int(rc, 0, "conflict 2 read by id although resolved");
	if (rc == 0 && c->n == 1) {
		is_str(c->items[0].resolved, "kept", "how it was resolved");
		is_int(c->items[0].kept.type, SQLITE_NULL, "a NULL kept value");
		is_int(c->items[0].lost.type, SQLITE_BLOB, "a blob lost value");
		is_int((int)c->items[0].lost.n, 2, "of 2 bytes");
		hearth_buf_clear(&out);
		hearth_conflicts_format(&out, c, 1, HEARTH_FORMAT_JSON);
		ok(strstr(out.ptr, "\"kept\": null, \"kept_node\": null, \"kept_clock\": null, ") &&
			   strstr(out.ptr, "\"at_ms\": 2000, \"state\": \"kept\"}\n]\n"),
			"conflicts show as JSON");
	}
	hearth_conflicts_free(c);
	c = NULL;
	rc = hearth_conflicts_read(&c, db, 0, 1);
	is_int(rc == 0 ? c->n : -1, 2, "--all reads both");
	hearth_conflicts_free(c);
	c = (hearth_conflicts *)1;
	rc = hearth_conflicts_read(&c, db, 99, 0);
	is_int(rc, HEARTH_ENOTFOUND, "an unknown id is not found");
	ok(c == NULL, "and hands back nothing");

	hearth_buf_clear(&out);
	sql(db, "DELETE FROM hearth_conflict WHERE resolved IS NULL");
	rc = hearth_conflicts_read(&c, db, 0, 0);
	if (rc == 0)
		hearth_conflicts_format(&out, c, 0, HEARTH_FORMAT_TEXT);
	is_str(out.ptr, "id\ttbl\trow\tcol\tpolicy\tkept\tkept_node\tlost\tlost_node\tstate\n",
		"no open conflict: the header alone, as before");
	hearth_conflicts_free(c);
	hearth_buf_dispose(&out);
}

static void test_quarantine(hearth_db *db)
{
	hearth_quarantine *q = NULL;
	hearth_buf out = HEARTH_BUF_INIT;
	int rc = hearth_quarantine_read(&q, db);

	is_int(rc, 0, "quarantine read");
	is_int(rc == 0 ? q->n : -1, 1, "one commit");
	if (rc == 0 && q->n == 1) {
		is_str(q->items[0].node, "lucai", "its node");
		is_str(q->items[0].commit_id, "0123456789abcdef0123456789abcdef01234567", "commit");
		is_int((int)q->items[0].seq, 4, "seq");
		is_str(q->items[0].reason, "bad signature", "reason");
		is_int((int)q->items[0].at_ms, 3000, "since");
		hearth_quarantine_format(&out, q, HEARTH_FORMAT_TEXT);
		is_str(out.ptr,
			"node\tcommit_id\tseq\treason\tat_ms\n"
			"lucai\t0123456789abcdef0123456789abcdef01234567\t4\tbad signature\t3000\n",
			"quarantine list as text");
	}
	hearth_quarantine_free(q);
	hearth_buf_dispose(&out);
}

int main(void)
{
	hearth_db *db = NULL;
	char cmd[300];

	if (fixture_tmpdir_named(tmp_root, sizeof(tmp_root), "hearth-status") < 0)
		return 1;
	hearth_time_override(NOW);
	test_age();
	test_node();
	if (hearth_db_create(&db, tmp_path("office"), "office", "office", "Office", NULL) < 0) {
		ok(0, "office created: %s", hearth_error_last());
	} else {
		office_setup(db);
		test_office_status(db);
		test_conflicts(db);
		test_quarantine(db);
	}
	hearth_db_free(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
	if (system(cmd) != 0)
		diag("could not remove %s", tmp_root);
	return done_testing();
}
