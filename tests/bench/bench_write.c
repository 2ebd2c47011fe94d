/*
 * Figures 1 and 2: recorded writes through the library (in process) against the same SQL on
 * plain SQLite with no session. Both sides use a node database made by hearth_db_create (so
 * the schema, WAL and synchronous=NORMAL are the same); the baseline only borrows its SQLite
 * handle and runs "BEGIN IMMEDIATE; <sql>; COMMIT" with sqlite3_exec.
 *
 *   bench_write [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* The SQL of transaction `t` with `rows` child rows (ids continue from t * rows). */
static char *make_sql(int t, int rows, uint64_t *rng)
{
	hearth_buf sql = HEARTH_BUF_INIT, note = HEARTH_BUF_INIT;
	char name[64], gname[64], phone[32];
	int i;

	for (i = 0; i < rows; i++) {
		bench_child_name(name, sizeof(name), rng);
		bench_child_name(gname, sizeof(gname), rng);
		bench_phone(phone, sizeof(phone), rng);
		bench_note(&note, 40, rng);
		if (hearth_buf_printf(&sql,
			    "INSERT INTO child (owner, id, name, birth_date, sex, guardian_name, "
			    "guardian_phone, notes) VALUES ('bench', 'c%08d', '%s', '2024-03-%02d', "
			    "'%s', '%s', '%s', '%s');\n",
			    t * rows + i, name, 1 + i % 28, i % 2 ? "f" : "m", gname, phone,
			    note.ptr) < 0)
			bench_die("out of memory");
	}
	hearth_buf_dispose(&note);
	return hearth_buf_detach(&sql);
}

static hearth_db *fresh_node(const char *root, const char *name)
{
	hearth_db *db = NULL;
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	bench_sh("rm -rf '%s'", dir);
	bench_check(hearth_db_create(&db, dir, "bench", "childcare_centre", "基准托育中心", "luzhou"),
		"create node");
	return db;
}

static double run_hearth(const char *root, char **sqls, int ntx)
{
	hearth_db *db = fresh_node(root, "hearth");
	hearth_write_info info;
	double t0 = bench_now(), t;
	int i;

	for (i = 0; i < ntx; i++)
		bench_check(hearth_write_exec(db, sqls[i], &info), "recorded write");
	t = bench_now() - t0;
	hearth_db_free(db);
	return t;
}

static double run_plain(const char *root, char **sqls, int ntx)
{
	hearth_db *db = fresh_node(root, "plain");
	sqlite3 *h = hearth_db_sqlite(db);
	double t0 = bench_now(), t;
	char *msg = NULL;
	int i;

	for (i = 0; i < ntx; i++) {
		if (sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(h, sqls[i], NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(h, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
			bench_die("plain sqlite write: %s", msg ? msg : "?");
	}
	t = bench_now() - t0;
	hearth_db_free(db);
	return t;
}

static void figure(const char *root, const char *name, int ntx, int rows, double target)
{
	double th[BENCH_RUNS], tp[BENCH_RUNS], mh, mp;
	char **sqls = calloc((size_t)ntx, sizeof(*sqls)), base[256];
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	int r, i;

	if (!sqls)
		bench_die("out of memory");
	for (i = 0; i < ntx; i++)
		sqls[i] = make_sql(i, rows, &rng);
	for (r = 0; r < BENCH_RUNS; r++) {
		th[r] = run_hearth(root, sqls, ntx);
		tp[r] = run_plain(root, sqls, ntx);
	}
	mh = bench_median(th, BENCH_RUNS);
	mp = bench_median(tp, BENCH_RUNS);
	snprintf(base, sizeof(base),
		"plain SQLite %.1f us/transaction, hearth %.1f us/transaction; %d transactions of %d "
		"row%s",
		mp / ntx * 1e6, mh / ntx * 1e6, ntx, rows, rows == 1 ? "" : "s");
	bench_figure(name, mh / mp, "x", base, BENCH_AT_MOST, target);
	for (i = 0; i < ntx; i++)
		free(sqls[i]);
	free(sqls);
}

int main(int argc, char **argv)
{
	int quick = bench_quick(argc, argv);
	char *root = bench_tmpdir("hearth-bench-write");

	if (bench_selected("write_1row_tx_vs_sqlite"))
		figure(root, "write_1row_tx_vs_sqlite", quick ? 300 : 2000, 1, 1.2);
	if (bench_selected("write_1000row_tx_vs_sqlite"))
		figure(root, "write_1000row_tx_vs_sqlite", quick ? 5 : 20, 1000, 1.5);
	bench_sh("rm -rf '%s'", root);
	return 0;
}
