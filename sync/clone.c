/*
 * Restoring a node (a lost or replaced device) from its own repository: the newest snapshot on
 * `down` and the commits after it give the office state the node may see; the entries on `up`
 * that the office has not acknowledged yet go back into the outbox, so nothing the centre had
 * sent is lost.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync_int.h"
#include "core/i18n.h"

#define CLONE_DOWN "refs/remotes/office/down"
#define CLONE_UP "refs/heads/up"

static int count_rows(const sync_entry *e)
{
	int n = 0;

	return hearth_changeset_validate(e->cs.ptr, (int)e->cs.size, &n) < 0 ? 0 : n;
}

static int restore_down(hearth_db *db, git_repository *repo, const sync_keyring *keys,
	hearth_clone_info *info, int64_t *ack)
{
	sqlite3 *h = hearth_db_sqlite(db);
	git_oid head, *ids = NULL;
	size_t n = 0, i;
	int64_t office_seq = 0;
	char hex[GIT_OID_HEXSZ + 1], num[32];
	int j, rc, opens = 0;

	*ack = 0;
	if ((rc = sync_ref_get(&head, repo, CLONE_DOWN)) == HEARTH_ENOTFOUND)
		return 0; /* the office never wrote to this node: only its own pushed changes */
	if (rc < 0 || (rc = sync_walk(&ids, &n, repo, &head, NULL, 1)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		sync_commit c;
		hearth_clock clk;
		if ((rc = sync_commit_read_keyed(&c, repo, &ids[i], UINT64_MAX, keys, -1)) < 0)
			goto done;
		if (!c.msg.is_down || strcmp(c.msg.node, hearth_db_node(db)) != 0) {
			rc = hearth_error_set(HEARTH_ECORRUPT,
				_("the repository's down branch is not for node '%s'"), hearth_db_node(db));
			sync_commit_dispose(&c);
			goto done;
		}
		info->down_commits_read++;
		for (j = 0; rc == 0 && j < c.msg.nentries; j++) {
			sync_entry *e = &c.entries[j];
			/* a snapshot in the middle of the chain is only ever the first commit read */
			if (c.msg.is_snapshot && i > 0)
				break;
			rc = sync_apply(h, e->cs.ptr, (int)e->cs.size, SYNC_APPLY_OFFICE_WINS);
			if (rc == 0 && c.msg.is_snapshot)
				info->snapshot_rows += count_rows(e);
			else if (rc == 0) {
				info->received++;
				rc = sync_record_received(h, e);
			}
			if (rc == 0)
				rc = hearth_db_clock_observe(db, e->head.clock, &clk);
		}
		office_seq = c.msg.range_to;
		*ack = c.msg.ack;
		opens = c.msg.opens;
		sync_commit_dispose(&c);
		if (rc < 0)
			goto done;
	}
	git_oid_tostr(hex, sizeof(hex), &head);
	snprintf(num, sizeof(num), "%lld", (long long)office_seq);
	/* the newest down says which packings the office opens (as a pull learns it) */
	if ((rc = hearth_meta_set(db, "down_head", hex)) == 0 &&
	    (rc = hearth_meta_set(db, "office_seq", num)) == 0)
		rc = sync_peer_packing_note(db, HEARTH_OFFICE, opens);
done:
	free(ids);
	return rc;
}

static int outbox_put(sqlite3 *h, const sync_entry *e)
{
	hearth_buf sum = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	char hex[HEARTH_CLOCK_HEX + 1];
	int rc;

	if ((rc = hearth_changeset_summary(&sum, e->cs.ptr, (int)e->cs.size)) < 0 ||
	    (rc = hearth_sql_prepare(&st, h,
		     "INSERT OR REPLACE INTO hearth_outbox (seq, clock, summary, changeset, pushed) "
		     "VALUES (?1, ?2, ?3, ?4, 1)")) < 0)
		goto done;
	hearth_clock_format(hex, e->head.clock);
	sqlite3_bind_int64(st, 1, e->head.seq);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sum.ptr, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, e->cs.ptr, (int)e->cs.size, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot restore an outbox entry"));
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sum);
	return rc;
}

/* Entries on `up` after `ack`: walk back from the head only until the acknowledged ones. */
static int restore_pending(hearth_db *db, git_repository *repo, const sync_keyring *keys,
	int64_t ack, hearth_clone_info *info)
{
	sqlite3 *h = hearth_db_sqlite(db);
	git_oid head, cur;
	int64_t top = ack;
	char hex[GIT_OID_HEXSZ + 1], num[32];
	int rc, j;

	if ((rc = sync_ref_get(&head, repo, CLONE_UP)) == HEARTH_ENOTFOUND)
		goto mark;
	if (rc < 0)
		return rc;
	git_oid_cpy(&cur, &head);
	for (;;) {
		sync_commit c;
		git_commit *gc = NULL;
		int more;
		if ((rc = sync_commit_read_keyed(&c, repo, &cur, UINT64_MAX, keys, -1)) ==
			    HEARTH_EDENIED && keys->n) {
			/* sealed with a key this enrolment does not hold (a revoked one): the office
			 * does not take those entries, and the new ones are numbered after them */
			int64_t last = 0;
			if ((rc = sync_commit_last_seq(&last, repo, &cur)) < 0)
				return rc;
			if (last > top)
				top = last;
			break;
		}
		if (rc < 0)
			return rc;
		if (c.msg.is_down || strcmp(c.msg.node, hearth_db_node(db)) != 0) {
			sync_commit_dispose(&c);
			return hearth_error_set(HEARTH_ECORRUPT,
				_("the repository's up branch is not from node '%s'"), hearth_db_node(db));
		}
		for (j = 0; rc == 0 && j < c.msg.nentries; j++) {
			hearth_clock clk;
			if (c.entries[j].head.seq <= ack)
				continue;
			if ((rc = outbox_put(h, &c.entries[j])) == 0)
				rc = hearth_db_clock_observe(db, c.entries[j].head.clock, &clk);
			info->pending_restored++;
			if (c.entries[j].head.seq > top)
				top = c.entries[j].head.seq;
		}
		more = c.msg.nentries > 0 && c.msg.entries[0].seq > ack + 1;
		sync_commit_dispose(&c);
		if (rc < 0)
			return rc;
		if (!more || git_commit_lookup(&gc, repo, &cur) < 0 || git_commit_parentcount(gc) == 0) {
			git_commit_free(gc);
			break;
		}
		git_oid_cpy(&cur, git_commit_parent_id(gc, 0));
		git_commit_free(gc);
	}
	git_oid_tostr(hex, sizeof(hex), &head);
	if ((rc = hearth_meta_set(db, "up_head", hex)) < 0)
		return rc;
mark:
	snprintf(num, sizeof(num), "%lld", (long long)top);
	if ((rc = hearth_meta_set(db, "seq", num)) == 0)
		rc = hearth_meta_set(db, "remote_up_seq", num);
	return rc;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

/* A failed restore leaves the folder as it found it: no half-made node to trip over. */
static void undo_restore(const char *dir)
{
	hearth_buf p = HEARTH_BUF_INIT;
	static const char *const files[] = { "hearth.db", "hearth.db-wal", "hearth.db-shm" };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		hearth_buf_clear(&p);
		if (hearth_buf_printf(&p, "%s/%s", dir, files[i]) == 0)
			unlink(p.ptr);
	}
	hearth_buf_clear(&p);
	if (hearth_buf_printf(&p, "%s/repo.git", dir) == 0)
		nftw(p.ptr, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(dir); /* only if it is empty: a folder that held other things keeps them */
	hearth_buf_dispose(&p);
}

/* The transport's advice suits sync, which runs again; a clone is run again by hand. */
static int fetch_failed(int rc)
{
	static const char retry[] = " (will retry on next sync)";
	char msg[1024], *at;

	snprintf(msg, sizeof(msg), "%s", hearth_error_last());
	if ((at = strstr(msg, retry)))
		memmove(at, at + sizeof(retry) - 1, strlen(at + sizeof(retry) - 1) + 1);
	return hearth_error_set(rc, _("%s (nothing was restored: run clone again once it can be "
				   "reached)"), msg);
}

int hearth_clone(hearth_db **out, const char *dir, const char *url, const char *node,
	const hearth_sync_opts *opts, hearth_clone_info *info)
{
	return hearth_clone_enrolled(out, dir, url, node, NULL, opts, info);
}

int hearth_clone_enrolled(hearth_db **out, const char *dir, const char *url, const char *node,
	const char *code, const hearth_sync_opts *opts, hearth_clone_info *info)
{
	sync_keyring keys = { NULL, 0 };
	const char *specs[] = { "+refs/heads/down:" CLONE_DOWN, "+refs/heads/up:" CLONE_UP };
	hearth_clone_info local;
	hearth_transport_opts topts;
	git_repository *repo = NULL;
	hearth_db *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t ack = 0;
	int rc, created = 0;

	*out = NULL;
	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	if ((rc = hearth_id_check("node id", node)) < 0)
		return rc;
	if (strcmp(node, HEARTH_OFFICE) == 0)
		return hearth_error_set(HEARTH_EUSAGE, _("the office is not restored by clone"));
	if ((rc = hearth_url_check(url)) < 0)
		return rc;
	/* the kind is corrected from the restored node row below */
	if ((rc = hearth_db_create_restored(&db, dir, node, "childcare_centre")) < 0)
		return rc;
	created = 1;
	if ((code && (rc = hearth_key_import(db, code)) < 0) ||
	    (rc = sync_keyring_load(&keys, db, node)) < 0)
		goto done;
	if ((rc = sync_repo_open_dir(&repo, dir)) < 0)
		goto done;
	sync_transport_opts(&topts, opts, db);
	if ((rc = hearth_transport_fetch(repo, url, specs, 2, &topts)) < 0) {
		rc = fetch_failed(rc);
		goto done;
	}
	if ((rc = hearth_db_begin(db)) < 0)
		goto done;
	if ((rc = hearth_sql_exec(hearth_db_sqlite(db), "PRAGMA defer_foreign_keys = ON", N_("clone"))) <
		    0 ||
	    (rc = sync_applying_down(db, 1)) < 0 || (rc = restore_down(db, repo, &keys, info, &ack)) < 0 ||
	    (rc = restore_pending(db, repo, &keys, ack, info)) < 0 || (rc = sync_replay_pending(db)) < 0 ||
	    (rc = hearth_remote_add(db, "office", url)) < 0)
		goto fail;
	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "SELECT kind FROM node WHERE id = ?1")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (rc = hearth_db_set_kind(db, (const char *)sqlite3_column_text(st, 0))) < 0)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	/* a code issued before a purge: the key moved on with the down it opened (seal.c) */
	if ((rc = sync_keyring_store_ratcheted(db, &keys)) < 0 ||
	    (sync_keyring_ratcheted(&keys) && (rc = hearth_meta_set(db, "forget_due", "1")) < 0) ||
	    (rc = sync_applying_down(db, 0)) < 0 || (rc = hearth_db_commit(db)) < 0)
		goto fail;
	/* the old key leaves the file and the WAL (busy: the next pull does it) */
	if (hearth_db_forget_due(db) && hearth_db_forget_finish(db) < 0)
		hearth_error_clear();
	*out = db;
	db = NULL;
	goto done;
fail:
	sqlite3_finalize(st);
	st = NULL;
	hearth_db_rollback(db);
done:
	sqlite3_finalize(st);
	git_repository_free(repo);
	hearth_db_free(db);
	sync_keyring_dispose(&keys);
	if (rc < 0 && created)
		undo_restore(dir);
	return rc;
}
