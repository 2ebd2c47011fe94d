/*
 * Wire figures: the bytes a node's push really sends through a `git daemon` on 127.0.0.1,
 * counted both ways by a relay in this process, per changed row:
 *   7  against zlib level 9 of the raw changeset bytes of the same changes (one stream);
 *   8  against CouchDB-style replication of the same rows as JSON documents: the _bulk_docs
 *      body (whole documents with _id, _rev and _revisions, new_edits false), gzip -9.
 *      For new rows, where no encoding of whole rows reaches that target, the figure is against
 *      the floor instead: the same rows' values alone as CSV, gzip -9 (CouchDB's is printed as
 *      information).
 * Two shapes: a one-column update of an existing row, and a new row; each change is its own
 * recorded write (one row an entry, as staff enter them), all pushed at once. The node is
 * enrolled, so its log is sealed (format 3); --unsealed measures an unenrolled node (format 2).
 * Before the pushes measured, the node and its office sync once (the node pulls a down), as in
 * the field: a node seals with packing 2 once the office's down said it opens it.
 *
 *   bench_wire --gitd-port PORT --gitd-root DIR [--quick] [--unsealed]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "bench.h"
#include "sync/hearth_sync.h"

static const char *arg_value(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/* ---- the counting relay ------------------------------------------------------------------- */

typedef struct {
	int listen_fd;
	int upstream_port;
	pthread_mutex_t lock;
	unsigned long long bytes;
} relay;

static void relay_pipe(relay *r, int a, int b)
{
	struct pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };
	char buf[65536];

	for (;;) {
		int i;
		if (poll(p, 2, 60000) <= 0)
			return;
		for (i = 0; i < 2; i++) {
			if (p[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				ssize_t n = read(p[i].fd, buf, sizeof(buf)), off = 0;
				if (n <= 0)
					return;
				pthread_mutex_lock(&r->lock);
				r->bytes += (unsigned long long)n;
				pthread_mutex_unlock(&r->lock);
				while (off < n) {
					ssize_t w = write(p[1 - i].fd, buf + off, (size_t)(n - off));
					if (w <= 0)
						return;
					off += w;
				}
			}
		}
	}
}

static void *relay_main(void *arg)
{
	relay *r = arg;

	for (;;) {
		struct sockaddr_in up;
		int c = accept(r->listen_fd, NULL, NULL), u;
		if (c < 0)
			return NULL;
		memset(&up, 0, sizeof(up));
		up.sin_family = AF_INET;
		up.sin_port = htons((unsigned short)r->upstream_port);
		up.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((u = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
		    connect(u, (struct sockaddr *)&up, sizeof(up)) < 0) {
			close(c);
			if (u >= 0)
				close(u);
			continue;
		}
		relay_pipe(r, c, u);
		close(c);
		close(u);
	}
}

static int relay_start(relay *r, int upstream_port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	pthread_t th;

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->upstream_port = upstream_port;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((r->listen_fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(r->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(r->listen_fd, 8) < 0 ||
	    getsockname(r->listen_fd, (struct sockaddr *)&a, &len) < 0)
		bench_die("cannot start the relay on 127.0.0.1");
	if (pthread_create(&th, NULL, relay_main, r) != 0)
		bench_die("cannot start the relay thread");
	pthread_detach(th);
	return ntohs(a.sin_port);
}

static unsigned long long relay_take(relay *r)
{
	unsigned long long n;

	pthread_mutex_lock(&r->lock);
	n = r->bytes;
	r->bytes = 0;
	pthread_mutex_unlock(&r->lock);
	return n;
}

/* ---- compression baselines ---------------------------------------------------------------- */

static size_t zlib9(const void *data, size_t len, int gzip)
{
	z_stream z;
	unsigned char *out;
	size_t cap = compressBound((uLong)len) + 64, n;

	memset(&z, 0, sizeof(z));
	if (!(out = malloc(cap)) ||
	    deflateInit2(&z, 9, Z_DEFLATED, gzip ? 31 : 15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		bench_die("zlib");
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		bench_die("zlib deflate");
	n = z.total_out;
	deflateEnd(&z);
	free(out);
	return n;
}

/* The outbox changesets after `from_seq`, concatenated. */
static void changesets_after(hearth_buf *out, hearth_db *db, int64_t from_seq)
{
	sqlite3_stmt *st = NULL;

	hearth_buf_clear(out);
	bench_check(hearth_sql_prepare(&st, hearth_db_sqlite(db),
			    "SELECT changeset FROM hearth_outbox WHERE seq > ?1 ORDER BY seq"),
		"outbox");
	sqlite3_bind_int64(st, 1, from_seq);
	while (sqlite3_step(st) == SQLITE_ROW)
		hearth_buf_put(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
}

static void hex32(char *out, uint64_t *rng)
{
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)bench_rand(rng),
		(unsigned long long)bench_rand(rng));
}

/* Append to `out` the rows ids c%08d first, first+step, ... (n of them) as CouchDB documents
 * of revision `generation`, comma-separated. */
static void couch_docs(hearth_buf *out, hearth_db *db, int first, int n, int step, int generation)
{
	sqlite3_stmt *st = NULL;
	uint64_t rng = 7;
	int i, k;

	bench_check(hearth_sql_prepare(&st, hearth_db_sqlite(db),
			    "SELECT * FROM child WHERE owner = ?1 AND id = ?2"),
		"select");
	for (i = 0; i < n; i++) {
		char id[32], h1[33], h2[33];

		snprintf(id, sizeof(id), "c%08d", first + i * step);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, hearth_db_node(db), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_ROW)
			bench_die("row %s missing", id);
		hex32(h1, &rng);
		hex32(h2, &rng);
		hearth_buf_printf(out, "%s{\"_id\":\"child/%s/%s\",\"_rev\":\"%d-%s\",", i ? "," : "",
			sqlite3_column_text(st, 0), sqlite3_column_text(st, 1), generation, h1);
		if (generation == 1)
			hearth_buf_printf(out, "\"_revisions\":{\"start\":1,\"ids\":[\"%s\"]}", h1);
		else
			hearth_buf_printf(out, "\"_revisions\":{\"start\":2,\"ids\":[\"%s\",\"%s\"]}", h1,
				h2);
		for (k = 0; k < sqlite3_column_count(st); k++) {
			hearth_buf_printf(out, ",\"%s\":", sqlite3_column_name(st, k));
			if (sqlite3_column_type(st, k) == SQLITE_NULL)
				hearth_buf_puts(out, "null");
			else
				hearth_json_string(out, (const char *)sqlite3_column_text(st, k),
					(size_t)sqlite3_column_bytes(st, k));
		}
		hearth_buf_putc(out, '}');
	}
	sqlite3_finalize(st);
}

/* gzip -9 size of the _bulk_docs body of those documents, per document. */
static double couch_bytes(hearth_db *db, int first, int n, int step, int generation)
{
	hearth_buf body = HEARTH_BUF_INIT;
	double per;

	hearth_buf_puts(&body, "{\"new_edits\":false,\"docs\":[");
	couch_docs(&body, db, first, n, step, generation);
	hearth_buf_puts(&body, "]}");
	per = (double)zlib9(body.ptr, body.size, 1) / n;
	hearth_buf_dispose(&body);
	return per;
}

/* gzip -9 size per row of rows c<first>..c<first+n-1>'s values alone, as CSV without its
 * header: the floor of any encoding of whole new rows. */
static double csv_bytes(hearth_db *db, int first, int n)
{
	hearth_buf sql = HEARTH_BUF_INIT, csv = HEARTH_BUF_INIT;
	const char *rows;
	double per;

	bench_check(hearth_buf_printf(&sql, "SELECT * FROM child WHERE owner = '%s' AND id >= "
		"'c%08d' AND id < 'c%08d' ORDER BY id", hearth_db_node(db), first, first + n),
		"csv sql");
	bench_check(hearth_query(db, sql.ptr, HEARTH_FORMAT_CSV, &csv), "csv rows");
	rows = memchr(csv.ptr, '\n', csv.size);
	rows = rows ? rows + 1 : csv.ptr + csv.size;
	per = (double)zlib9(rows, csv.size - (size_t)(rows - csv.ptr), 1) / n;
	hearth_buf_dispose(&sql);
	hearth_buf_dispose(&csv);
	return per;
}

/* ---- one run ------------------------------------------------------------------------------ */

typedef struct {
	double git, zlib, couch, csv; /* bytes per changed row */
} wire;

struct update_one {
	int id;
	const char *phone;
};

static int update_body(hearth_db *db, void *payload)
{
	struct update_one *u = payload;
	sqlite3_stmt *st = NULL;
	char id[32];
	int rc;

	snprintf(id, sizeof(id), "c%08d", u->id);
	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "UPDATE child SET guardian_phone = ?1 WHERE owner = ?2 AND id = ?3")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, u->phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hearth_db_node(db), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, "update");
	sqlite3_finalize(st);
	return rc;
}

/* An office for node `node` (db) under `root`, with a remote to its repository at `url`; with
 * `sealed`, it issues the node a key, which the node imports: it seals (format 3). */
static hearth_db *office_for(hearth_db *db, const char *root, const char *node, const char *url,
	int sealed)
{
	hearth_db *office = NULL;
	hearth_buf code = HEARTH_BUF_INIT;
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s/office-%s", root, node);
	bench_sh("rm -rf '%s'", dir);
	bench_check(hearth_db_create(&office, dir, "office", "office", "Office", NULL), "office");
	bench_check(hearth_remote_add(office, node, url), "office remote");
	if (sealed) {
		bench_check(hearth_key_issue(office, node, 0, &code), "key issue");
		bench_check(hearth_key_import(db, code.ptr), "key import");
	}
	hearth_buf_dispose(&code);
	return office;
}

static void one_run(relay *rl, const char *root, const char *gitd_root, int relay_port, int n,
	int run, int unsealed, wire *upd, wire *ins)
{
	hearth_db *db = NULL, *office = NULL;
	hearth_sync_result res;
	hearth_write_info info;
	hearth_buf cs = HEARTH_BUF_INIT;
	char dir[1024], repo[1024], url[1024], node[32];
	uint64_t rng = 1000 + (uint64_t)run;
	int64_t seq0;
	const int base = 1000;
	int i;

	snprintf(node, sizeof(node), "wire-%d", run);
	snprintf(dir, sizeof(dir), "%s/%s", root, node);
	snprintf(repo, sizeof(repo), "%s/%s.git", gitd_root, node);
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/%s.git", relay_port, node);
	bench_sh("rm -rf '%s' '%s'", dir, repo);
	bench_check(hearth_repo_init_bare(repo), "bare repository");
	bench_check(hearth_db_create(&db, dir, node, "childcare_centre", "线路托育中心", "luzhou"),
		"create node");
	bench_check(hearth_remote_add(db, "office", url), "remote");
	office = office_for(db, root, node, url, !unsealed);
	/* the rows that already travelled, and one sync round: the office merges them and writes
	 * the node's down, which the node pulls. Its down says the office opens packing 2 (the
	 * preset dictionary): the node seals with it from then on, as in the field after one round */
	bench_check(bench_write_children(db, 0, base, 40, &rng), "base rows");
	bench_check(hearth_push(db, NULL, &res), "first push");
	bench_check(hearth_sync(office, NULL, &res), "office sync");
	bench_check(hearth_pull(db, NULL, &res), "first pull");
	relay_take(rl);

	/* one-column updates, one a recorded write */
	seq0 = hearth_sql_count(hearth_db_sqlite(db), "SELECT max(seq) FROM hearth_outbox");
	for (i = 0; i < n; i++) {
		char phone[32];
		struct update_one u = { i * (base / n), phone };
		bench_phone(phone, sizeof(phone), &rng);
		bench_check(hearth_write_run(db, update_body, &u, NULL, &info), "update");
	}
	bench_check(hearth_push(db, NULL, &res), "push updates");
	upd->git = (double)relay_take(rl) / n;
	changesets_after(&cs, db, seq0);
	upd->zlib = (double)zlib9(cs.ptr, cs.size, 0) / n;
	/* the same rows as whole documents, second revision */
	upd->couch = couch_bytes(db, 0, n, base / n, 2);

	/* new rows, one a recorded write */
	seq0 = hearth_sql_count(hearth_db_sqlite(db), "SELECT max(seq) FROM hearth_outbox");
	for (i = 0; i < n; i++)
		bench_check(bench_write_children(db, base + i, 1, 40, &rng), "new row");
	bench_check(hearth_push(db, NULL, &res), "push new rows");
	ins->git = (double)relay_take(rl) / n;
	changesets_after(&cs, db, seq0);
	ins->zlib = (double)zlib9(cs.ptr, cs.size, 0) / n;
	ins->couch = couch_bytes(db, base, n, 1, 1);
	ins->csv = csv_bytes(db, base, n);

	hearth_buf_dispose(&cs);
	hearth_db_free(db);
	hearth_db_free(office);
	bench_sh("rm -rf '%s' '%s' '%s/office-%s'", dir, repo, root, node);
}

static void figures(const char *shape, const wire *w, int new_rows)
{
	double git[BENCH_RUNS], z[BENCH_RUNS], c[BENCH_RUNS], v[BENCH_RUNS], mg, mz, mc, mv;
	char name[64], base[256];
	int r;

	for (r = 0; r < BENCH_RUNS; r++) {
		git[r] = w[r].git;
		z[r] = w[r].zlib;
		c[r] = w[r].couch;
		v[r] = w[r].csv;
	}
	mg = bench_median(git, BENCH_RUNS);
	mz = bench_median(z, BENCH_RUNS);
	mc = bench_median(c, BENCH_RUNS);
	mv = bench_median(v, BENCH_RUNS);
	snprintf(name, sizeof(name), "wire_%s_vs_zlib9", shape);
	snprintf(base, sizeof(base), "zlib -9 of the raw changesets %.1f B/row, hearth over git %.1f "
				     "B/row",
		mz, mg);
	if (bench_selected(name))
		bench_figure(name, mg / mz, "x", base, BENCH_AT_MOST, 1.3);
	snprintf(name, sizeof(name), "wire_%s_vs_couchdb_json", shape);
	snprintf(base, sizeof(base), "CouchDB-style JSON documents gzip -9 %.1f B/row, hearth over "
				     "git %.1f B/row",
		mc, mg);
	if (!new_rows) {
		if (bench_selected(name))
			bench_figure(name, mg / mc, "x", base, BENCH_AT_MOST, 0.25);
		return;
	}
	/* new rows: CouchDB's figure is information; the target is against the floor */
	if (bench_selected(name))
		printf("info %s = %.3f x (baseline %s)\n", name, mg / mc, base);
	snprintf(name, sizeof(name), "wire_%s_vs_csv_gzip9", shape);
	snprintf(base, sizeof(base), "the rows' values alone as CSV gzip -9 %.1f B/row, hearth over "
				     "git %.1f B/row",
		mv, mg);
	if (bench_selected(name))
		bench_figure(name, mg / mv, "x", base, BENCH_AT_MOST, 1.3);
}

int main(int argc, char **argv)
{
	const char *port = arg_value(argc, argv, "--gitd-port");
	const char *gitd_root = arg_value(argc, argv, "--gitd-root");
	int quick = bench_quick(argc, argv), n = quick ? 300 : 500, r, relay_port;
	int unsealed = 0;
	wire upd[BENCH_RUNS], ins[BENCH_RUNS];
	relay rl;
	char *root;

	for (r = 1; r < argc; r++)
		unsealed |= strcmp(argv[r], "--unsealed") == 0;
	if (!port || !gitd_root)
		bench_die("usage: bench_wire --gitd-port PORT --gitd-root DIR [--quick] [--unsealed]");
	bench_check(hearth_sync_init(), "sync init");
	relay_port = relay_start(&rl, atoi(port));
	root = bench_tmpdir("hearth-bench-wire");
	for (r = 0; r < BENCH_RUNS; r++)
		one_run(&rl, root, gitd_root, relay_port, n, r, unsealed, &upd[r], &ins[r]);
	figures("update_1col", upd, 0);
	figures("new_row", ins, 1);
	bench_sh("rm -rf '%s'", root);
	hearth_sync_shutdown();
	return 0;
}
