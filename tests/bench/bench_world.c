/* A generated world for the merge benchmarks (see bench_world.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_world.h"
#include "sync/hearth_sync.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_nodes(bench_world *w)
{
	char dir[1024];
	struct dirent *e;
	DIR *d;
	int cap = 0;

	snprintf(dir, sizeof(dir), "%s/nodes", w->root);
	if (!(d = opendir(dir)))
		bench_die("cannot list %s", dir);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "office") == 0)
			continue;
		if (w->nnodes == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(w->nodes = realloc(w->nodes, (size_t)cap * sizeof(*w->nodes))))
				bench_die("out of memory");
		}
		if (!(w->nodes[w->nnodes++] = strdup(e->d_name)))
			bench_die("out of memory");
	}
	closedir(d);
	qsort(w->nodes, (size_t)w->nnodes, sizeof(*w->nodes), cmp_str);
}

static void keep_changeset(bench_world *w, const void *cs, int n, int *cap)
{
	int changes = 0;

	if (w->ncs == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		if (!(w->cs = realloc(w->cs, (size_t)*cap * sizeof(*w->cs))) ||
		    !(w->ncs_bytes = realloc(w->ncs_bytes, (size_t)*cap * sizeof(*w->ncs_bytes))))
			bench_die("out of memory");
	}
	if (!(w->cs[w->ncs] = malloc(n ? (size_t)n : 1)))
		bench_die("out of memory");
	memcpy(w->cs[w->ncs], cs, (size_t)n);
	w->ncs_bytes[w->ncs++] = n;
	bench_check(hearth_changeset_validate(cs, n, &changes), "changeset");
	w->rows += changes;
	w->bytes += (size_t)n;
}

void bench_world_make(bench_world *w, const char *gen, const char *root, int nodes, int changes,
	int conflicts, int sealed)
{
	char dir[1024];
	int i, cap = 0;

	memset(w, 0, sizeof(*w));
	if (!(w->root = strdup(root)) || !(w->office = malloc(strlen(root) + 16)))
		bench_die("out of memory");
	sprintf(w->office, "%s/nodes/office", root);
	bench_sh("rm -rf '%s' && '%s' --out '%s' --nodes %d --changes %d --conflicts %d%s >/dev/null",
		root, gen, root, nodes, changes, conflicts, sealed ? " --sealed" : "");
	list_nodes(w);
	for (i = 0; i < w->nnodes; i++) {
		hearth_db *db = NULL;
		hearth_sync_result res;
		sqlite3_stmt *st = NULL;

		snprintf(dir, sizeof(dir), "%s/nodes/%s", root, w->nodes[i]);
		bench_check(hearth_db_open(&db, dir), "open node");
		bench_check(hearth_push(db, NULL, &res), "push");
		bench_check(hearth_sql_prepare(&st, hearth_db_sqlite(db),
				    "SELECT changeset FROM hearth_outbox ORDER BY seq"),
			"outbox");
		while (sqlite3_step(st) == SQLITE_ROW)
			keep_changeset(w, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), &cap);
		sqlite3_finalize(st);
		hearth_db_free(db);
	}
}

void bench_world_dispose(bench_world *w)
{
	int i;

	for (i = 0; i < w->nnodes; i++)
		free(w->nodes[i]);
	for (i = 0; i < w->ncs; i++)
		free(w->cs[i]);
	free(w->nodes);
	free(w->cs);
	free(w->ncs_bytes);
	free(w->root);
	free(w->office);
	memset(w, 0, sizeof(*w));
}

hearth_db *bench_world_office_copy(const bench_world *w, const char *dir)
{
	hearth_db *db = NULL;

	bench_sh("rm -rf '%s' && cp -a '%s' '%s'", dir, w->office, dir);
	bench_check(hearth_db_open(&db, dir), "open office copy");
	return db;
}

static int take_incoming(void *ctx, int type, sqlite3_changeset_iter *it)
{
	(void)ctx;
	(void)it;
	if (type == SQLITE_CHANGESET_DATA || type == SQLITE_CHANGESET_CONFLICT)
		return SQLITE_CHANGESET_REPLACE;
	return SQLITE_CHANGESET_OMIT;
}

void bench_raw_apply(sqlite3 *h, void *const *cs, const int *n, int ncs)
{
	int i;

	for (i = 0; i < ncs; i++)
		if (sqlite3changeset_apply_v2(h, n[i], cs[i], NULL, take_incoming, NULL, NULL, NULL,
			    0) != SQLITE_OK)
			bench_die("raw apply: %s", sqlite3_errmsg(h));
}
