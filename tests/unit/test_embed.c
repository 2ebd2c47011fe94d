/*
 * An embedder's program: built against the public headers alone (core/hearth.h,
 * core/hearth_status.h, sync/hearth_sync.h), it records a write, syncs to a folder (a bare
 * repository, as on a USB stick), lets the office merge it, and reads the status. If the public
 * headers stop being enough for that, or start pulling in the internal one, this stops building.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hearth.h"
#include "core/hearth_status.h"
#include "sync/hearth_sync.h"

#ifdef HEARTH_INTERNAL_H
#error "a public header includes core/hearth_internal.h"
#endif
#ifdef SQLITE_VERSION
#error "a public header includes sqlite3.h"
#endif

#include "tap.h"

int main(void)
{
	char tmpl[512], node_dir[600], office_dir[600], repo[600];
	char cmd[700];
	hearth_db *node = NULL, *office = NULL;
	hearth_write_info w;
	hearth_sync_result r;
	hearth_status *st = NULL;
	const char *base = getenv("TMPDIR");
	const char *tmp;

	snprintf(tmpl, sizeof(tmpl), "%s/hearth-embed-XXXXXX", base && *base ? base : "/tmp");
	tmp = mkdtemp(tmpl);

	if (!tmp || hearth_sync_init() < 0)
		return 1;
	snprintf(node_dir, sizeof(node_dir), "%s/c1", tmp);
	snprintf(office_dir, sizeof(office_dir), "%s/office", tmp);
	snprintf(repo, sizeof(repo), "%s/stick/c1.git", tmp);

	ok(hearth_db_create(&node, node_dir, "c1", "childcare_centre", "Centre", NULL) == 0,
		"a node is created: %s", hearth_error_last());
	ok(hearth_write_exec(node, "INSERT INTO care_class (owner, id, name, age_band, capacity) "
		"VALUES ('c1', 'k1', 'Class', '2-3', 20)", &w) == 0 && w.changes == 1 && w.seq > 0,
		"a write is recorded: %s", hearth_error_last());
	ok(hearth_repo_init_bare(repo) == 0 && hearth_remote_add(node, "office", repo) == 0,
		"a folder remote: %s", hearth_error_last());
	memset(&r, 0, sizeof(r));
	ok(hearth_sync(node, NULL, &r) == 0, "sync to the folder: %s", hearth_error_last());
	ok(r.pushed == 2, "it sent the node's own row and the write (%d)", r.pushed);
	if (!ok(hearth_status_read(&st, node) == 0 && st->unpushed == 0 && st->pushed >= 2 &&
		st->nremotes == 1 && st->remotes[0].last_sync_ms != HEARTH_TIME_NONE,
		"status: nothing unpushed, waiting for the office, the remote synced") && st)
		diag("unpushed %lld, pushed %lld, remotes %d", (long long)st->unpushed,
			(long long)st->pushed, st->nremotes);
	hearth_status_free(st);
	st = NULL;

	ok(hearth_db_create(&office, office_dir, "office", "office", "Office", NULL) == 0 &&
		hearth_remote_add(office, "c1", repo) == 0, "an office with the node's remote");
	ok(hearth_sync(office, NULL, &r) == 0, "the office syncs: %s", hearth_error_last());
	ok(r.merged == 2, "it merged both entries (%d)", r.merged);
	ok(hearth_sync(node, NULL, &r) == 0, "the node syncs again: %s", hearth_error_last());
	ok(r.acked == 2 && r.pending == 0, "both acknowledged (%d), none pending", r.acked);
	ok(hearth_status_read(&st, node) == 0 && st->pushed == 0 && st->unpushed == 0,
		"status: nothing pending");
	hearth_status_free(st);

	hearth_db_free(node);
	hearth_db_free(office);
	hearth_sync_shutdown();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", tmp);
	return done_testing();
}
