/*
 * Office merge figures:
 *   4  merge without conflicts, rows/s, against raw sqlite3changeset_apply_v2 of the same
 *      changesets into the same schema (no git, no policies);
 *   5  the same with 10% of the changes conflicting under lww and office policies;
 *   6  against PouchDB replicating the same rows as documents (--pouch CMD: a command that
 *      prints the seconds its replication took; skipped without it);
 *  13  end to end (--gitd-port, --gitd-root: a `git daemon` serving that folder on 127.0.0.1):
 *      one office sync round over git:// against the sum of `git fetch` (git CLI) of the same
 *      commits and the raw apply of the same changesets;
 *  20  the same round as figure 4 with every node enrolled (its `up` sealed, its `down` sealed
 *      for it) against the same world unenrolled: the cost of the sealed log to the office;
 *   9  peak RSS of the office merging a large amount of pending changesets (a `hearth sync`
 *      process, measured with wait4), against the pending bytes and a raw-apply process.
 *
 * The office's time is one whole `hearth_sync` round: fetch every node's `up` from its bare
 * repository (local path), verify, merge, log, and write and push every node's `down`.
 *
 *   bench_merge --hearth PATH --gen PATH [--quick] [--pouch CMD] [--gitd-port P --gitd-root DIR]
 *               [--pending-mb N]   (figure 9 at N MB of pending changesets instead of its size)
 *               [--centres N]      (figure 13 with N centres instead of 50)
 *   The environment's BENCH_RUNS (1 to 5) takes fewer runs per figure, for the sizes.
 *   bench_merge --raw-apply OFFICE NODE_DIR...     (internal: the raw process of figure 9)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_world.h"
#include "sync/hearth_sync.h"

static const char *arg_value(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/* Each round writes and pushes every down, as the first one did: the same round writes the same
 * commits, so with the downs of an earlier round left on the remotes, the push sent nothing.
 * `sealed`: a world whose nodes are enrolled, without the snapshot each new key makes due
 * (written once per enrolment, not per round: see docs/performance.md). */
static double office_round(const bench_world *w, const char *dir, hearth_sync_result *res,
	int sealed)
{
	hearth_db *db;
	double t0, t;

	bench_sh("for r in '%s'/remotes/*.git; do git -C \"$r\" update-ref -d refs/heads/down "
		 "2>/dev/null; done; true",
		w->root);
	db = bench_world_office_copy(w, dir);
	if (sealed)
		bench_check(hearth_sql_exec(hearth_db_sqlite(db),
				    "DELETE FROM hearth_meta WHERE key LIKE 'snapshot_due.%'",
				    "snapshot"),
			"clear the snapshots due");
	t0 = bench_now();
	bench_check(hearth_sync(db, NULL, res), "office sync");
	t = bench_now() - t0;
	hearth_db_free(db);
	return t;
}

static double raw_round(const bench_world *w, const char *dir)
{
	hearth_db *db = bench_world_office_copy(w, dir);
	double t0 = bench_now(), t;

	bench_raw_apply(hearth_db_sqlite(db), w->cs, w->ncs_bytes, w->ncs);
	t = bench_now() - t0;
	hearth_db_free(db);
	return t;
}

/* ---- documents for the peer --------------------------------------------------------------- */

static void json_value(hearth_buf *out, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		hearth_buf_puts(out, "null");
		break;
	case SQLITE_INTEGER:
		hearth_buf_printf(out, "%lld", (long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		hearth_buf_printf(out, "%.17g", sqlite3_column_double(st, i));
		break;
	default:
		hearth_json_string(out, (const char *)sqlite3_column_text(st, i),
			(size_t)sqlite3_column_bytes(st, i));
	}
}

/* Every row a node owns, as one JSON document a line ({"_id": "table/owner/id", ...}). */
static long export_docs(const bench_world *w, const char *docs_dir)
{
	long ndocs = 0;
	int i, t, c;

	bench_sh("rm -rf '%s' && mkdir -p '%s'", docs_dir, docs_dir);
	for (i = 0; i < w->nnodes; i++) {
		hearth_db *db = NULL;
		hearth_buf line = HEARTH_BUF_INIT, sql = HEARTH_BUF_INIT;
		char path[1100];
		const hearth_schema *s;
		FILE *f;

		snprintf(path, sizeof(path), "%s/nodes/%s", w->root, w->nodes[i]);
		bench_check(hearth_db_open(&db, path), "open node");
		snprintf(path, sizeof(path), "%s/%04d.jsonl", docs_dir, i);
		if (!(f = fopen(path, "w")))
			bench_die("cannot write %s", path);
		s = hearth_db_schema(db);
		for (t = 0; t < hearth_schema_count(s); t++) {
			const hearth_table_decl *td = hearth_schema_at(s, t);
			sqlite3_stmt *st = NULL;

			hearth_buf_clear(&sql);
			hearth_buf_printf(&sql, "SELECT * FROM \"%s\" WHERE owner = ?1", td->name);
			bench_check(hearth_sql_prepare(&st, hearth_db_sqlite(db), sql.ptr), "select");
			sqlite3_bind_text(st, 1, w->nodes[i], -1, SQLITE_STATIC);
			while (sqlite3_step(st) == SQLITE_ROW) {
				hearth_buf_clear(&line);
				hearth_buf_printf(&line, "{\"_id\":\"%s/%s/%s\",\"table\":\"%s\"", td->name,
					sqlite3_column_text(st, 0), sqlite3_column_text(st, 1), td->name);
				for (c = 0; c < sqlite3_column_count(st); c++) {
					hearth_buf_printf(&line, ",\"%s\":", sqlite3_column_name(st, c));
					json_value(&line, st, c);
				}
				hearth_buf_puts(&line, "}\n");
				fwrite(line.ptr, 1, line.size, f);
				ndocs++;
			}
			sqlite3_finalize(st);
		}
		fclose(f);
		hearth_buf_dispose(&line);
		hearth_buf_dispose(&sql);
		hearth_db_free(db);
	}
	return ndocs;
}

/* ---- figures 4, 5, 6 ---------------------------------------------------------------------- */

static void merge_figures(const char *gen, const char *root, int quick, const char *pouch,
	int conflicts)
{
	bench_world w;
	hearth_sync_result res;
	double th[BENCH_RUNS], tr[BENCH_RUNS], tp[BENCH_RUNS], mh, mr, mp;
	char world[1024], run[1024], docs[1024], cmd[4096], base[512];
	long ndocs = 0;
	int r, nodes = quick ? 4 : 10, changes = quick ? 300 : 1000;

	snprintf(world, sizeof(world), "%s/world-%d", root, conflicts);
	snprintf(run, sizeof(run), "%s/run", root);
	snprintf(docs, sizeof(docs), "%s/docs", root);
	bench_world_make(&w, gen, world, nodes, changes, conflicts, 0);
	if (pouch && !conflicts)
		ndocs = export_docs(&w, docs);
	memset(&res, 0, sizeof(res));
	for (r = 0; r < bench_runs(); r++) {
		th[r] = office_round(&w, run, &res, 0);
		tr[r] = raw_round(&w, run);
		if (pouch && !conflicts) {
			snprintf(cmd, sizeof(cmd), "%s '%s' '%s/pouch'", pouch, docs, root);
			tp[r] = bench_sh_double(cmd);
		}
	}
	mh = bench_median(th, bench_runs());
	mr = bench_median(tr, bench_runs());
	snprintf(base, sizeof(base),
		"raw sqlite3changeset_apply_v2 %.0f rows/s, hearth office sync %.0f rows/s; %d nodes, "
		"%ld row changes in %d changesets, %d merged, %d conflicts logged",
		w.rows / mr, w.rows / mh, w.nnodes, w.rows, w.ncs, res.merged, res.conflicts);
	bench_figure(conflicts ? "merge_10pct_conflicts_vs_raw_apply" : "merge_vs_raw_apply",
		mr / mh, "x", base, BENCH_AT_LEAST, conflicts ? 0.3 : 0.5);
	if (!conflicts && pouch) {
		mp = bench_median(tp, bench_runs());
		snprintf(base, sizeof(base),
			"PouchDB 9 leveldb local replication %.0f docs/s, hearth %.0f rows/s; the same "
			"%ld rows as documents",
			ndocs / mp, ndocs / mh, ndocs);
		bench_figure("merge_vs_pouchdb", mp / mh, "x faster", base, BENCH_AT_LEAST, 10);
	} else if (!conflicts && bench_selected("merge_vs_pouchdb")) {
		printf("skip merge_vs_pouchdb: npm or PouchDB unavailable (see tests/bench/run)\n");
	}
	bench_sh("rm -rf '%s' '%s' '%s'", world, run, docs);
	bench_world_dispose(&w);
}

/* ---- figure 20: the sealed log's cost to the office ------------------------------------- */

static void sealed_figure(const char *gen, const char *root, int quick)
{
	bench_world plain, sealed;
	hearth_sync_result rp, rs;
	double tp[BENCH_RUNS], ts[BENCH_RUNS], mp, ms;
	char world_p[1024], world_s[1024], run[1024], base[512];
	int r, nodes = quick ? 4 : 10, changes = quick ? 300 : 1000;

	snprintf(world_p, sizeof(world_p), "%s/world-plain", root);
	snprintf(world_s, sizeof(world_s), "%s/world-sealed", root);
	snprintf(run, sizeof(run), "%s/run", root);
	bench_world_make(&plain, gen, world_p, nodes, changes, 0, 0);
	bench_world_make(&sealed, gen, world_s, nodes, changes, 0, 1);
	memset(&rp, 0, sizeof(rp));
	memset(&rs, 0, sizeof(rs));
	/* alternate which goes first, so neither always runs on a warmer machine */
	for (r = 0; r < bench_runs(); r++) {
		if (r % 2) {
			ts[r] = office_round(&sealed, run, &rs, 1);
			tp[r] = office_round(&plain, run, &rp, 0);
		} else {
			tp[r] = office_round(&plain, run, &rp, 0);
			ts[r] = office_round(&sealed, run, &rs, 1);
		}
	}
	if (rp.merged != rs.merged || rp.conflicts != rs.conflicts)
		bench_die("the sealed world merged %d entries (%d conflicts), the plain one %d (%d)",
			rs.merged, rs.conflicts, rp.merged, rp.conflicts);
	mp = bench_median(tp, bench_runs());
	ms = bench_median(ts, bench_runs());
	snprintf(base, sizeof(base),
		"unenrolled nodes %.0f rows/s, enrolled (sealed) %.0f rows/s; %d nodes, %ld row "
		"changes, %d merged",
		plain.rows / mp, sealed.rows / ms, plain.nnodes, plain.rows, rs.merged);
	bench_figure("merge_sealed_vs_unsealed", ms / mp, "x", base, BENCH_AT_MOST, 1.1);
	bench_sh("rm -rf '%s' '%s' '%s'", world_p, world_s, run);
	bench_world_dispose(&plain);
	bench_world_dispose(&sealed);
}

/* ---- figure 13: end to end through a git daemon ------------------------------------------ */

static void e2e_figure(const char *gen, const char *root, const char *port,
	const char *gitd_root, int quick, const char *centres)
{
	bench_world w;
	hearth_sync_result res;
	hearth_db *db = NULL;
	double th[BENCH_RUNS], tf[BENCH_RUNS], ta[BENCH_RUNS], mh, mf, ma, t0;
	char world[1024], office[1100], run[1024], fetch_repo[1024], script[1024], sql[512],
		base[512];
	int r, i, nodes = centres ? atoi(centres) : quick ? 10 : 50;
	FILE *f;

	if (nodes < 1)
		bench_die("--centres takes a count of at least 1");
	snprintf(world, sizeof(world), "%s/e2e", gitd_root);
	snprintf(office, sizeof(office), "%s/office-gitd", world);
	snprintf(run, sizeof(run), "%s/run", root);
	snprintf(fetch_repo, sizeof(fetch_repo), "%s/fetch.git", root);
	snprintf(script, sizeof(script), "%s/fetch.sh", root);
	bench_world_make(&w, gen, world, nodes, 100, 0, 0);
	/* the office reaches every node's repository through the daemon */
	bench_sh("cp -a '%s' '%s'", w.office, office);
	bench_check(hearth_db_open(&db, office), "open office");
	snprintf(sql, sizeof(sql),
		"UPDATE hearth_remote SET url = 'git://127.0.0.1:%s/e2e/remotes/' || name || '.git'",
		port);
	bench_check(hearth_sql_exec(hearth_db_sqlite(db), sql, "remote urls"), "remote urls");
	hearth_db_free(db);
	free(w.office);
	if (!(w.office = strdup(office)))
		bench_die("out of memory");
	/* the git CLI fetching the same branches into one repository, as the office does */
	if (!(f = fopen(script, "w")))
		bench_die("cannot write %s", script);
	fprintf(f, "set -e\n");
	for (i = 0; i < w.nnodes; i++)
		fprintf(f, "git -C '%s' fetch -q git://127.0.0.1:%s/e2e/remotes/%s.git "
			   "+refs/heads/up:refs/nodes/%s/up\n",
			fetch_repo, port, w.nodes[i], w.nodes[i]);
	fclose(f);
	memset(&res, 0, sizeof(res));
	for (r = 0; r < bench_runs(); r++) {
		th[r] = office_round(&w, run, &res, 0);
		bench_sh("rm -rf '%s' && git init -q --bare '%s'", fetch_repo, fetch_repo);
		t0 = bench_now();
		bench_sh("sh '%s'", script);
		tf[r] = bench_now() - t0;
		ta[r] = raw_round(&w, run);
	}
	mh = bench_median(th, bench_runs());
	mf = bench_median(tf, bench_runs());
	ma = bench_median(ta, bench_runs());
	snprintf(base, sizeof(base),
		"git fetch %.2f s + raw apply %.2f s = %.2f s, hearth office sync round %.2f s; %d "
		"nodes x 100 changes, %ld row changes, %d entries merged",
		mf, ma, mf + ma, mh, w.nnodes, w.rows, res.merged);
	bench_figure("sync_round_gitd_vs_git_fetch_raw_apply", mh / (mf + ma), "x", base,
		BENCH_AT_MOST, 2);
	bench_sh("rm -rf '%s' '%s' '%s'", world, run, fetch_repo);
	bench_world_dispose(&w);
}

/* ---- figure 9: memory --------------------------------------------------------------------- */

/* The pending changesets of figure 9's full size, in MB. */
#define MEMORY_FULL_MB 128

/* Wait for `pid` and return its peak RSS in bytes (die unless it exited 0). */
static double child_rss(pid_t pid)
{
	struct rusage ru;
	int status = 0;

	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bench_die("measured process failed (status %d)", status);
	return (double)ru.ru_maxrss * 1024.0;
}

static pid_t spawn(char *const argv[])
{
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) < 0)
		bench_die("fork failed");
	if (pid == 0) {
		FILE *null = freopen("/dev/null", "w", stdout);
		(void)null;
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* The raw process of figure 9: apply every node's outbox into OFFICE, one changeset at a time. */
static int raw_apply_main(int argc, char **argv, int at)
{
	hearth_db *office = NULL;
	int i;

	bench_check(hearth_db_open(&office, argv[at]), "open office");
	for (i = at + 1; i < argc; i++) {
		hearth_db *db = NULL;
		sqlite3_stmt *st = NULL;

		bench_check(hearth_db_open(&db, argv[i]), "open node");
		bench_check(hearth_sql_prepare(&st, hearth_db_sqlite(db),
				    "SELECT changeset FROM hearth_outbox ORDER BY seq"),
			"outbox");
		while (sqlite3_step(st) == SQLITE_ROW) {
			void *cs = (void *)sqlite3_column_blob(st, 0);
			int n = sqlite3_column_bytes(st, 0);
			bench_raw_apply(hearth_db_sqlite(office), &cs, &n, 1);
		}
		sqlite3_finalize(st);
		hearth_db_free(db);
	}
	hearth_db_free(office);
	return 0;
}

static void memory_figure(const char *hearth, const char *self, const char *root, int quick,
	const char *pending_mb)
{
	/* 2 KB rows in recorded writes of 512 rows (about 1 MB each), spread over 8 nodes */
	const int nnodes = 8, rows_per_write = 512;
	const size_t note_len = 2000;
	size_t mb = pending_mb ? strtoul(pending_mb, NULL, 10) : quick ? 8 : MEMORY_FULL_MB;
	size_t target = mb << 20, per_node = target / nnodes, bytes = 0;
	double rss_h[BENCH_RUNS], rss_r[BENCH_RUNS], t_h[BENCH_RUNS], mh, mr;
	char dir[1024], office[1024], run[1024], base[512];
	char *node_dirs[8];
	uint64_t rng = 42;
	hearth_db *off = NULL;
	int i, r;

	snprintf(office, sizeof(office), "%s/mem/office", root);
	snprintf(run, sizeof(run), "%s/mem/run", root);
	bench_sh("rm -rf '%s/mem' && mkdir -p '%s/mem'", root, root);
	bench_check(hearth_db_create(&off, office, "office", "office", "长治市卫生健康委员会",
			    "changzhi"),
		"create office");
	for (i = 0; i < nnodes; i++) {
		hearth_db *db = NULL;
		hearth_sync_result res;
		char id[32], repo[1024];
		size_t mine = 0;
		int start = 0;

		snprintf(id, sizeof(id), "mem-%d", i);
		snprintf(dir, sizeof(dir), "%s/mem/%s", root, id);
		snprintf(repo, sizeof(repo), "%s/mem/%s.git", root, id);
		if (!(node_dirs[i] = strdup(dir)))
			bench_die("out of memory");
		bench_check(hearth_db_create(&db, dir, id, "childcare_centre", "内存托育中心", "luzhou"),
			"create node");
		while (mine < per_node) {
			bench_check(bench_write_children(db, start, rows_per_write, note_len, &rng),
				"write");
			start += rows_per_write;
			mine += (size_t)rows_per_write * (note_len + 100);
		}
		bytes += (size_t)hearth_sql_count(hearth_db_sqlite(db),
			"SELECT sum(length(changeset)) FROM hearth_outbox");
		bench_check(hearth_repo_init_bare(repo), "bare repository");
		bench_check(hearth_remote_add(db, "office", repo), "remote");
		bench_check(hearth_push(db, NULL, &res), "push");
		bench_check(hearth_remote_add(off, id, repo), "office remote");
		hearth_db_free(db);
	}
	hearth_db_free(off);
	for (r = 0; r < bench_runs(); r++) {
		char c_opt[] = "-C", sync_cmd[] = "sync", raw_opt[] = "--raw-apply";
		char *hargv[] = { (char *)hearth, c_opt, run, sync_cmd, NULL };
		char *rargv[12];
		double t0;
		int k = 0;

		/* as in office_round: every run pushes its downs */
		bench_sh("rm -rf '%s' && cp -a '%s' '%s' && for r in '%s'/mem/*.git; do git -C \"$r\" "
			 "update-ref -d refs/heads/down 2>/dev/null; done; true",
			run, office, run, root);
		t0 = bench_now();
		rss_h[r] = child_rss(spawn(hargv));
		t_h[r] = bench_now() - t0;
		bench_sh("rm -rf '%s' && cp -a '%s' '%s'", run, office, run);
		rargv[k++] = (char *)self;
		rargv[k++] = raw_opt;
		rargv[k++] = run;
		for (i = 0; i < nnodes; i++)
			rargv[k++] = node_dirs[i];
		rargv[k] = NULL;
		rss_r[r] = child_rss(spawn(rargv));
	}
	mh = bench_median(rss_h, bench_runs());
	mr = bench_median(rss_r, bench_runs());
	snprintf(base, sizeof(base),
		"%.0f MB of pending changesets from %d nodes; raw apply process %.1f MB; office sync "
		"%.1f s",
		bytes / 1048576.0, nnodes, mr / 1048576.0, bench_median(t_h, bench_runs()));
	bench_figure("merge_peak_rss", mh / 1048576.0, "MB", base, BENCH_AT_MOST, 256);
	for (i = 0; i < nnodes; i++)
		free(node_dirs[i]);
	bench_sh("rm -rf '%s/mem'", root);
}

int main(int argc, char **argv)
{
	const char *hearth = arg_value(argc, argv, "--hearth");
	const char *gen = arg_value(argc, argv, "--gen");
	const char *pouch = arg_value(argc, argv, "--pouch");
	const char *gitd_port = arg_value(argc, argv, "--gitd-port");
	const char *gitd_root = arg_value(argc, argv, "--gitd-root");
	int quick = bench_quick(argc, argv), i;
	char *root;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--raw-apply") == 0 && i + 1 < argc)
			return raw_apply_main(argc, argv, i + 1);
	if (!hearth || !gen)
		bench_die("usage: bench_merge --hearth PATH --gen PATH [--quick] [--pouch CMD]");
	bench_check(hearth_sync_init(), "sync init");
	root = bench_tmpdir("hearth-bench-merge");
	if (pouch && !*pouch)
		pouch = NULL;
	if (bench_selected("merge_vs_raw_apply") || bench_selected("merge_vs_pouchdb"))
		merge_figures(gen, root, quick, bench_selected("merge_vs_pouchdb") ? pouch : NULL,
			0);
	if (bench_selected("merge_10pct_conflicts_vs_raw_apply"))
		merge_figures(gen, root, quick, NULL, 10);
	if (bench_selected("merge_sealed_vs_unsealed"))
		sealed_figure(gen, root, quick);
	if (gitd_port && gitd_root && bench_selected("sync_round_gitd_vs_git_fetch_raw_apply"))
		e2e_figure(gen, root, gitd_port, gitd_root, quick,
			arg_value(argc, argv, "--centres"));
	if (bench_selected("merge_peak_rss"))
		memory_figure(hearth, "/proc/self/exe", root, quick,
			arg_value(argc, argv, "--pending-mb"));
	bench_sh("rm -rf '%s'", root);
	hearth_sync_shutdown();
	return 0;
}
