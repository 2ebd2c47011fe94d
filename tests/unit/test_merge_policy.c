/*
 * The office's merge policies, case by case: the decision alone (lww ties broken by node id,
 * office over node, state ranks and their fallback to lww), then whole entries merged into a
 * real office database with sync_merge_entry: which value stays and which conflict row is
 * written, for each policy and for an update meeting a delete both ways.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "sync_int.h"
#include "tap.h"

#define MS(ms) ((hearth_clock)(ms) << 16)

/* ---- the decision ------------------------------------------------------------------------- */

static char st_new[] = "new", st_accepted[] = "accepted", st_cancelled[] = "cancelled",
	    st_done[] = "done", col_name[] = "col";
static char *states[] = { st_new, st_accepted, st_cancelled, st_done };

struct decision_case {
	const char *name;
	hearth_policy_kind policy;
	const char *held;
	unsigned held_ms;
	const char *held_node;
	const char *incoming;
	unsigned in_ms;
	const char *in_node;
	int incoming_wins;
};

static const struct decision_case decisions[] = {
	{ "lww: later clock wins", HEARTH_POLICY_LWW, "a", 1000, "lucai", "b", 2000, "zhangz", 1 },
	{ "lww: earlier clock loses", HEARTH_POLICY_LWW, "a", 2000, "lucai", "b", 1000, "zhangz", 0 },
	{ "lww: tie, higher node id wins", HEARTH_POLICY_LWW, "a", 1000, "lucai", "b", 1000, "zhangz",
		1 },
	{ "lww: tie, lower node id loses", HEARTH_POLICY_LWW, "a", 1000, "zhangz", "b", 1000, "lucai",
		0 },
	{ "lww: tie on the office", HEARTH_POLICY_LWW, "a", 1000, "office", "b", 1000, "lucai", 0 },
	{ "office: held by the office, later node loses", HEARTH_POLICY_OFFICE, "1", 1000, "office",
		"2", 9000, "lucai", 0 },
	{ "office: office's write wins over a later node's", HEARTH_POLICY_OFFICE, "1", 9000, "lucai",
		"2", 1000, "office", 1 },
	{ "office: between nodes, lww", HEARTH_POLICY_OFFICE, "1", 1000, "lucai", "2", 2000, "zhangz",
		1 },
	{ "office: between nodes, earlier loses", HEARTH_POLICY_OFFICE, "1", 2000, "lucai", "2", 1000,
		"zhangz", 0 },
	{ "state: later state wins with an older clock", HEARTH_POLICY_STATE, "accepted", 9000,
		"office", "done", 1000, "lucai", 1 },
	{ "state: earlier state loses with a newer clock", HEARTH_POLICY_STATE, "cancelled", 1000,
		"lucai", "accepted", 9000, "office", 0 },
	{ "state: known beats unknown", HEARTH_POLICY_STATE, "archived", 1000, "lucai", "new", 500,
		"lucai", 1 },
	{ "state: unknown loses to known", HEARTH_POLICY_STATE, "new", 500, "lucai", "archived", 1000,
		"zhangz", 0 },
	{ "state: equal rank (both unknown) falls back to lww", HEARTH_POLICY_STATE, "x", 1000,
		"lucai", "y", 2000, "zhangz", 1 },
	{ "state: equal rank, earlier clock loses", HEARTH_POLICY_STATE, "x", 2000, "lucai", "y", 1000,
		"zhangz", 0 },
	{ "state: equal rank, tie broken by node id", HEARTH_POLICY_STATE, "x", 1000, "zhangz", "y",
		1000, "lucai", 0 },
};

static void test_decisions(sqlite3 *h)
{
	size_t i;

	for (i = 0; i < sizeof(decisions) / sizeof(decisions[0]); i++) {
		const struct decision_case *d = &decisions[i];
		hearth_column_decl c;
		sqlite3_stmt *st = NULL;
		int wins = -1;

		memset(&c, 0, sizeof(c));
		c.name = col_name;
		c.policy = d->policy;
		c.states = states;
		c.nstates = d->policy == HEARTH_POLICY_STATE ? 4 : 0;
		if (sqlite3_prepare_v2(h, "SELECT ?1, ?2", -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, d->held, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, d->incoming, -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW)
				wins = sync_merge_incoming_wins(&c, MS(d->held_ms), d->held_node,
					sqlite3_column_value(st, 0), MS(d->in_ms), d->in_node,
					sqlite3_column_value(st, 1));
		}
		sqlite3_finalize(st);
		is_int(wins, d->incoming_wins, "decision: %s", d->name);
	}
}

/* ---- whole entries at the office ---------------------------------------------------------- */

enum { NODE_UPDATES, NODE_DELETES, UPDATE_MEETS_DELETE };

/* Values are SQL literals; the row is (owner 'lucai', id 'r1'); the node saw `seen`, the office
 * holds `held` written by `held_node` at `held_ms`, the node sends `incoming`. want: the value
 * the office holds afterwards ("(absent)": no row); conflict: "policy|kept_node|lost_node" of
 * the one conflict row, NULL if none. */
struct merge_case {
	const char *name;
	int op;
	const char *table, *col;
	const char *seen, *held;
	unsigned held_ms;
	const char *held_node;
	const char *incoming;
	unsigned in_ms;
	const char *in_node;
	const char *want, *conflict;
};

static const struct merge_case merges[] = {
	{ "lww: the node saw what the office holds: no conflict", NODE_UPDATES, "care_class", "name",
		"'A'", "'A'", 9000, "office", "'B'", 1000, "lucai", "'B'", NULL },
	{ "lww: later incoming wins, conflict keeps it", NODE_UPDATES, "care_class", "name", "'A'",
		"'H'", 1000, "office", "'B'", 2000, "lucai", "'B'", "lww|lucai|office" },
	{ "lww: earlier incoming loses", NODE_UPDATES, "care_class", "name", "'A'", "'H'", 2000,
		"office", "'B'", 1000, "lucai", "'H'", "lww|office|lucai" },
	{ "lww: tie, node id 'zhangz' beats 'lucai'", NODE_UPDATES, "care_class", "name", "'A'", "'H'",
		1000, "lucai", "'B'", 1000, "zhangz", "'B'", "lww|zhangz|lucai" },
	{ "lww: tie, node id 'lucai' loses to 'zhangz'", NODE_UPDATES, "care_class", "name", "'A'",
		"'H'", 1000, "zhangz", "'B'", 1000, "lucai", "'H'", "lww|zhangz|lucai" },
	{ "office: the office's capacity stays against a later node", NODE_UPDATES, "care_class",
		"capacity", "10", "12", 1000, "office", "20", 9000, "lucai", "12",
		"office|office|lucai" },
	{ "office: between nodes, later wins", NODE_UPDATES, "care_class", "capacity", "10", "12", 1000,
		"zhangz", "20", 2000, "lucai", "20", "office|lucai|zhangz" },
	{ "state: 'done' beats 'accepted' with an older clock", NODE_UPDATES, "service_request",
		"status", "'new'", "'accepted'", 9000, "office", "'done'", 1000, "lucai", "'done'",
		"state:new<accepted<cancelled<done|lucai|office" },
	{ "state: 'accepted' loses to 'cancelled' with a newer clock", NODE_UPDATES,
		"service_request", "status", "'new'", "'cancelled'", 1000, "office", "'accepted'", 9000,
		"lucai", "'cancelled'", "state:new<accepted<cancelled<done|office|lucai" },
	{ "update meets delete: the delete wins, the update's value is kept", UPDATE_MEETS_DELETE,
		"care_class", "name", "'A'", NULL, 1000, "office", "'B'", 2000, "lucai", "(absent)",
		"delete||lucai" },
	{ "delete meets update: the delete wins, the changed value is kept", NODE_DELETES,
		"care_class", "name", "'A'", "'H'", 2000, "office", NULL, 1000, "lucai", "(absent)",
		"delete|lucai|office" },
	{ "delete of what the office holds: no conflict", NODE_DELETES, "care_class", "name", "'A'",
		"'A'", 2000, "office", NULL, 1000, "lucai", "(absent)", NULL },
};

static int exec(hearth_db *db, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int exec(hearth_db *db, const char *fmt, ...)
{
	char sql[1024], *err = NULL;
	va_list ap;
	int rc = 0;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_exec(hearth_db_sqlite(db), sql, NULL, NULL, &err) != SQLITE_OK) {
		diag("%s: %s", sql, err);
		rc = -1;
	}
	sqlite3_free(err);
	return rc;
}

static int insert_row(hearth_db *db, const char *table, const char *col, const char *v)
{
	if (strcmp(table, "care_class") == 0)
		return exec(db, "INSERT INTO care_class (owner, id, name, age_band, capacity) "
			"VALUES ('lucai', 'r1', 'A', '1-2', 10); UPDATE care_class SET %s = %s", col, v);
	return exec(db, "INSERT INTO service_request (owner, id, service_type_id, requested_at) "
		"VALUES ('lucai', 'r1', 'repair', '2026-01-01T00:00:00+08:00'); UPDATE service_request SET %s = %s",
		col, v);
}

/* The node's change as a changeset: made on the office's own tables under a session, so it has
 * exactly the shape a node's session records. */
static int node_change(hearth_db *db, const struct merge_case *c, hearth_buf *cs)
{
	sqlite3_session *s = NULL;
	void *p = NULL;
	int n = 0, rc;

	if ((rc = insert_row(db, c->table, c->col, c->seen)) < 0 ||
	    (rc = hearth_session_new(&s, db)) < 0)
		return rc;
	if (c->op == NODE_DELETES)
		rc = exec(db, "DELETE FROM %s", c->table);
	else
		rc = exec(db, "UPDATE %s SET %s = %s", c->table, c->col, c->incoming);
	if (rc == 0 && sqlite3session_changeset(s, &n, &p) != SQLITE_OK)
		rc = -1;
	if (rc == 0)
		rc = hearth_buf_put(cs, p, (size_t)n);
	sqlite3_free(p);
	sqlite3session_delete(s);
	return rc;
}

/* What the office holds before the entry arrives. */
static int office_state(hearth_db *db, const struct merge_case *c)
{
	char hex[HEARTH_CLOCK_HEX + 1];

	hearth_clock_format(hex, MS(c->held_ms));
	if (c->op == UPDATE_MEETS_DELETE)
		return exec(db, "DELETE FROM %s", c->table);
	if (c->op == NODE_DELETES && insert_row(db, c->table, c->col, c->held) < 0)
		return -1;
	if (c->op == NODE_UPDATES && exec(db, "UPDATE %s SET %s = %s", c->table, c->col, c->held))
		return -1;
	return exec(db, "INSERT INTO hearth_origin (tbl, owner, id, col, clock, node) "
		"VALUES ('%s', 'lucai', 'r1', '%s', '%s', '%s')", c->table, c->col, hex, c->held_node);
}

static void test_merge_case(hearth_db *db, const struct merge_case *c)
{
	sync_entry e;
	char sql[300], got[200];
	int conflicts = -1, rc;

	memset(&e, 0, sizeof(e));
	e.head.seq = 1;
	e.head.clock = MS(c->in_ms);
	if (exec(db, "BEGIN") < 0)
		return;
	rc = node_change(db, c, &e.cs);
	if (rc == 0)
		rc = office_state(db, c);
	if (rc == 0)
		rc = sync_merge_entry(db, NULL, c->in_node, &e, &conflicts);
	if (!ok(rc == 0, "%s: merged", c->name))
		diag("rc %d: %s", rc, hearth_error_last());
	snprintf(sql, sizeof(sql), "SELECT coalesce((SELECT quote(%s) FROM %s), '(absent)')", c->col,
		c->table);
	is_str(fixture_sql_text(db, sql, got, sizeof(got)), c->want, "%s: value", c->name);
	is_int(conflicts, c->conflict ? 1 : 0, "%s: conflicts counted", c->name);
	is_int(fixture_sql_int(db, "SELECT count(*) FROM hearth_conflict"), c->conflict ? 1 : 0,
		"%s: conflict rows", c->name);
	if (c->conflict) {
		snprintf(sql, sizeof(sql), "SELECT policy || '|' || coalesce(kept_node, '') || '|' || "
			"coalesce(lost_node, '') FROM hearth_conflict WHERE col = '%s'", c->col);
		is_str(fixture_sql_text(db, sql, got, sizeof(got)), c->conflict,
			"%s: conflict row (policy|kept|lost)", c->name);
	}
	exec(db, "ROLLBACK");
	hearth_buf_dispose(&e.cs);
}

int main(void)
{
	char tmp[200], dir[300];
	hearth_db *db = NULL;
	size_t i;
	int rc;

	if (!ok(fixture_tmpdir_named(tmp, sizeof(tmp), "hearth-merge") == 0, "temp dir"))
		return done_testing();
	snprintf(dir, sizeof(dir), "%s/office", tmp);
	rc = hearth_db_create(&db, dir, HEARTH_OFFICE, "office", "office", NULL);
	if (ok(rc == 0, "office database from the migrations")) {
		test_decisions(hearth_db_sqlite(db));
		for (i = 0; i < sizeof(merges) / sizeof(merges[0]); i++)
			test_merge_case(db, &merges[i]);
	} else {
		diag("rc %d: %s", rc, hearth_error_last());
	}
	hearth_db_free(db);
	fixture_rm_rf(tmp);
	return done_testing();
}
