/*
 * A generated world for the merge benchmarks: hearth-gen (tests/tools/) makes the nodes, their bare
 * repositories and the office; every node pushes its outbox; the changesets are kept in memory
 * (node-id order, as the office merges them) for the raw-apply baselines.
 */
#ifndef HEARTH_BENCH_WORLD_H
#define HEARTH_BENCH_WORLD_H

#include "bench.h"

typedef struct {
	char *root;         /* the world's folder (gen --out) */
	char *office;       /* root/nodes/office: the office as generated, never synced here */
	int nnodes;
	char **nodes;       /* node ids, sorted */
	int ncs;
	void **cs;          /* every node's outbox changesets, node by node, in seq order */
	int *ncs_bytes;
	long rows;          /* row changes in all changesets */
	size_t bytes;       /* changeset bytes */
} bench_world;

/* Run hearth-gen (binary `gen`) into `root` and push every node; `sealed`: every node enrolled
 * with a key, so its `up` is sealed (the changesets kept are the outboxes', in clear). */
void bench_world_make(bench_world *w, const char *gen, const char *root, int nodes, int changes,
	int conflicts, int sealed);
void bench_world_dispose(bench_world *w);

/* Copy the generated office to `dir` (replacing it) and open it. */
hearth_db *bench_world_office_copy(const bench_world *w, const char *dir);

/* Apply every changeset with sqlite3changeset_apply_v2 (each its own transaction; conflicting
 * rows take the incoming values) into `h`. */
void bench_raw_apply(sqlite3 *h, void *const *cs, const int *n, int ncs);

#endif
