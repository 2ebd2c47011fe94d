/* Two copies of one node: a folder copied to a second PC, a restored backup, an old device back
 * after `clone`. Each is a fork of the node's `up`. A fork is found before anything is applied
 * or sent, told in one line, and resolved by `hearth rejoin`: the copy's pending entries are
 * re-recorded on top of the remote's chain (new seqs, their clocks kept), so the writes of both
 * copies reach the office and any clash goes through the merge and its conflict log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "core/i18n.h"

/* The last seq of the commit `id` and the node it names (`node` may be NULL). */
static int commit_head(int64_t *last, char *node, git_repository *repo, const git_oid *id)
{
	git_commit *c = NULL;
	sync_message m;
	const char *msg;
	int rc;

	*last = 0;
	if (git_commit_lookup(&c, repo, id) < 0)
		return hearth_error_set(HEARTH_ECORRUPT, _("cannot read commit on 'up'"));
	msg = git_commit_message_raw(c);
	if ((rc = sync_message_parse(&m, msg, strlen(msg))) == 0) {
		*last = m.count > 0 ? m.last_seq : 0;
		if (node)
			snprintf(node, HEARTH_ID_MAX + 1, "%s", m.node);
		sync_message_dispose(&m);
	}
	git_commit_free(c);
	return rc;
}

int sync_commit_last_seq(int64_t *out, git_repository *repo, const git_oid *id)
{
	return commit_head(out, NULL, repo, id);
}

int sync_fork_check(hearth_db *db, git_repository *repo, int *forked, int64_t *remote_last,
	git_oid *remote_head)
{
	char node[HEARTH_ID_MAX + 1] = "";
	git_oid remote, ours;
	int have_ours, rc;

	*forked = 0;
	*remote_last = 0;
	if ((rc = sync_ref_get(&remote, repo, SYNC_REMOTE_UP_REF)) == HEARTH_ENOTFOUND)
		return 0; /* nothing pushed there yet (or a new, empty repository) */
	if (rc < 0 || (rc = sync_meta_oid(db, "up_head", &ours, &have_ours)) < 0 ||
	    (rc = commit_head(remote_last, node, repo, &remote)) < 0)
		return rc;
	if (strcmp(node, hearth_db_node(db)) != 0)
		return hearth_error_set(HEARTH_ECONFLICT,
			_("the remote holds the repository of node '%s', not of '%s': nothing was "
			"applied or sent; point it at this node's with 'hearth remote set-url'"),
			node, hearth_db_node(db));
	if (remote_head)
		git_oid_cpy(remote_head, &remote);
	/* only this copy writes its `up`: a remote head that is not ours, nor behind ours, was
	 * written by another copy of the node */
	if (!have_ours)
		*forked = 1;
	else if (!git_oid_equal(&remote, &ours) && git_graph_descendant_of(repo, &ours, &remote) != 1)
		*forked = 1;
	return 0;
}

int sync_fork_error(hearth_db *db)
{
	int64_t pending = hearth_sql_count(hearth_db_sqlite(db), "SELECT count(*) FROM hearth_outbox");

	return hearth_error_set(HEARTH_ECONFLICT,
		_("another copy of node '%s' has synced since this copy last did; nothing was sent and "
		"nothing is lost; run 'hearth rejoin' to send this copy's %lld pending change%s on "
		"top of it"),
		hearth_db_node(db), (long long)pending, pending == 1 ? "" : "s");
}

/* The last seq the two histories share: that of their merge base (0 when they share none). */
static int shared_last_seq(int64_t *out, hearth_db *db, git_repository *repo,
	const git_oid *remote)
{
	git_oid ours, base;
	int have, grc, rc;

	*out = 0;
	if ((rc = sync_meta_oid(db, "up_head", &ours, &have)) < 0 || !have)
		return rc;
	grc = git_merge_base(&base, repo, &ours, remote);
	if (grc == GIT_ENOTFOUND)
		return 0;
	if (grc < 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot compare this copy's history with the "
						      "remote's"));
	return sync_commit_last_seq(out, repo, &base);
}

/* Move this copy's entries after the shared history to follow the remote's last seq, in one
 * transaction: the outbox (as not yet pushed), the overlay's mark, the next seq, and `up` now
 * the remote's. *moved counts the entries re-recorded. */
static int renumber(hearth_db *db, git_repository *repo, const git_oid *remote,
	int64_t remote_last, int64_t shared, int *moved)
{
	sqlite3 *h = hearth_db_sqlite(db);
	int64_t offset = remote_last - shared, seq = 0;
	char hex[GIT_OID_HEXSZ + 1];
	sqlite3_stmt *st = NULL;
	int rc;

	*moved = 0;
	git_oid_tostr(hex, sizeof(hex), remote);
	if ((rc = hearth_db_begin(db)) < 0)
		return rc;
	/* the last seq as stored, before the outbox's seqs move: the larger of hearth_meta's and
	 * the newest outbox row's (a write stores it only there) */
	if ((rc = hearth_db_seq_clock_read(db, &seq)) < 0)
		goto fail;
	/* negated first: the seqs are a primary key, and the two ranges may overlap */
	if ((rc = hearth_sql_exec_i64(h, "UPDATE hearth_outbox SET seq = -seq WHERE seq > ?1",
		     shared)) < 0)
		goto fail;
	*moved = sqlite3_changes(h);
	if ((rc = hearth_sql_exec_i64(h,
		     "UPDATE hearth_outbox SET seq = ?1 - seq, pushed = 0 WHERE seq < 0", offset)) < 0 ||
	    (rc = hearth_sql_prepare(&st, h,
		     "UPDATE hearth_overlay SET upto_seq = upto_seq + ?1 WHERE upto_seq > ?2")) < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, offset);
	sqlite3_bind_int64(st, 2, shared);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot re-record the pending changes"));
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	seq = seq > shared ? seq + offset : remote_last;
	if ((rc = sync_meta_set_i64(db, "seq", seq)) < 0 ||
	    (rc = hearth_meta_set(db, "up_head", hex)) < 0 ||
	    (rc = sync_meta_set_i64(db, "remote_up_seq", remote_last)) < 0 ||
	    (rc = hearth_db_commit(db)) < 0)
		goto fail;
	return sync_ref_set(repo, SYNC_UP_REF, remote);
fail:
	sqlite3_finalize(st);
	hearth_db_rollback(db);
	*moved = 0;
	return rc;
}

int hearth_rejoin(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out,
	int *rerecorded)
{
	git_repository *repo = NULL;
	sync_remote *remotes = NULL;
	git_oid remote;
	int64_t remote_last = 0, shared = 0;
	int n = 0, forked = 0, rc;

	*rerecorded = 0;
	if (out)
		memset(out, 0, sizeof(*out));
	if (hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EUSAGE, _("the office is never a copy: 'hearth sync'"));
	if ((rc = sync_remotes_load(&remotes, &n, db, opts ? opts->only_remote : NULL)) < 0 ||
	    (rc = sync_repo_open(&repo, db)) < 0 ||
	    (rc = sync_node_fetch(db, repo, &remotes[0], opts)) < 0 ||
	    (rc = sync_fork_check(db, repo, &forked, &remote_last, &remote)) < 0)
		goto done;
	if (forked && ((rc = shared_last_seq(&shared, db, repo, &remote)) < 0 ||
			      (rc = renumber(db, repo, &remote, remote_last, shared, rerecorded)) < 0))
		goto done;
	git_repository_free(repo);
	repo = NULL;
	/* now an ordinary sync: pull the office's view (the re-recorded entries replayed over it),
	 * push them on top of the remote's chain */
	rc = hearth_sync(db, opts, out);
done:
	git_repository_free(repo);
	sync_remotes_free(remotes, n);
	return rc;
}

/* The office retired the keys (a purge): the commits this node made but did not push yet are
 * sealed with the old key, which the office no longer holds. They are dropped (the ref is
 * re-derived from up_head) and their entries go again with the next push, sealed with the new
 * key. `remote_head` (NULL: none) holds this copy's entries up to `remote_last`. */
int sync_up_reseal(hearth_db *db, const git_oid *remote_head, int64_t remote_last)
{
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if ((rc = hearth_sql_exec_i64(hearth_db_sqlite(db),
		     "UPDATE hearth_outbox SET pushed = 0 WHERE seq > ?1", remote_last)) < 0)
		return rc;
	if (!remote_head)
		return hearth_sql_exec(hearth_db_sqlite(db),
			"DELETE FROM hearth_meta WHERE key = 'up_head'", N_("pull"));
	git_oid_tostr(hex, sizeof(hex), remote_head);
	return hearth_meta_set(db, "up_head", hex);
}
