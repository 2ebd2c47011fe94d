/* A node's pull: fetch `down`, check each commit, apply it and rebuild the overlay. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "core/i18n.h"

static int invert_overlay(hearth_db *db)
{
	hearth_buf ov = HEARTH_BUF_INIT;
	void *inv = NULL;
	int ninv = 0, rc;

	if ((rc = hearth_overlay_current(db, &ov)) < 0 || ov.size == 0)
		goto done;
	if (sqlite3changeset_invert((int)ov.size, ov.ptr, &ninv, &inv) != SQLITE_OK) {
		rc = hearth_error_set(HEARTH_ECORRUPT, _("the overlay does not parse"));
		goto done;
	}
	rc = sync_apply(hearth_db_sqlite(db), inv, ninv, SYNC_APPLY_OFFICE_WINS);
done:
	sqlite3_free(inv);
	hearth_buf_dispose(&ov);
	return rc;
}

/* Replay the still-pending outbox over the office state under a session: the recording is the
 * new overlay. */
int sync_replay_pending(hearth_db *db)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_session *sess = NULL;
	sqlite3_stmt *st = NULL;
	void *cs = NULL;
	int64_t upto = 0;
	int n = 0, rc = 0;

	if ((rc = hearth_db_seq_clock_read(db, &upto)) < 0 || (rc = hearth_session_new(&sess, db)) < 0)
		return rc;
	if ((rc = hearth_sql_prepare(&st, h,
		     "SELECT changeset FROM hearth_outbox ORDER BY seq")) < 0)
		goto done;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		rc = sync_apply(h, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0),
			SYNC_APPLY_LOCAL_WINS);
	sqlite3_finalize(st);
	st = NULL;
	if (rc < 0)
		goto done;
	if (sqlite3session_changeset(sess, &n, &cs) != SQLITE_OK) {
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot record the overlay"));
		goto done;
	}
	sqlite3session_delete(sess);
	sess = NULL;
	/* the recording covers every write so far: later writes are added at the next pull */
	if ((rc = hearth_sql_prepare(&st, h,
		     "INSERT OR REPLACE INTO hearth_overlay (id, changeset, upto_seq) "
		     "VALUES (1, ?1, ?2)")) < 0)
		goto done;
	sqlite3_bind_blob(st, 1, n > 0 ? cs : "", n, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, upto);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot store the overlay"));
done:
	sqlite3_finalize(st);
	if (sess)
		sqlite3session_delete(sess);
	sqlite3_free(cs);
	return rc;
}

static int check_down(hearth_db *db, const sync_commit *c, int64_t expect_from)
{
	char fp[HEARTH_CLOCK_HEX + 1];

	hearth_schema_fingerprint(hearth_db_schema(db), fp);
	if (!c->msg.is_down || strcmp(c->msg.node, hearth_db_node(db)) != 0)
		return hearth_error_set(HEARTH_ECORRUPT,
			_("the office's down branch holds a commit for '%s', not for this node"),
			c->msg.node);
	/* an office on an older schema this node passed through is fine: SQLite applies a
	 * changeset with fewer columns, the added ones taking their defaults */
	if (c->msg.schema > hearth_db_schema_version(db) ||
	    (strcmp(c->msg.fingerprint, fp) != 0 &&
		    !hearth_schema_known(db, c->msg.schema, c->msg.fingerprint)))
		return hearth_error_set(HEARTH_ENEWER,
			_("the office runs schema version %d, this node %d: upgrade hearth to pull "
			"(your changes stay safe in the outbox and keep being pushed)"),
			c->msg.schema, hearth_db_schema_version(db));
	if (c->msg.range_from != expect_from)
		return hearth_error_set(HEARTH_ECORRUPT,
			_("down commit covers office entries after %lld, expected after %lld"),
			(long long)c->msg.range_from, (long long)expect_from);
	return 0;
}

int sync_record_received(sqlite3 *h, const sync_entry *e)
{
	return hearth_history_received(h, e->head.seq, e->head.clock, e->cs.ptr, (int)e->cs.size);
}

/* Apply the commits `ids` (oldest first) in one transaction. The office's ack counts for this
 * copy's entries up to `remote_last` only: the last seq on the remote's `up`, which the caller
 * has checked is this copy's own history (sync_fork_check), so an ack names these very
 * entries and never those another copy wrote under the same seqs. */
static int apply_down(hearth_db *db, git_repository *repo, const git_oid *ids, size_t n,
	int64_t remote_last, const git_oid *remote_head, hearth_sync_result *res)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sync_commit *commits = NULL;
	sync_keyring keys = { NULL, 0 };
	int64_t office_seq = 0, ack = -1, before = 0;
	char hex[GIT_OID_HEXSZ + 1];
	uint32_t sealed_gen = 0;
	size_t i;
	int j, rc;

	if ((rc = sync_meta_i64(db, "office_seq", &office_seq)) < 0)
		return rc;
	if (!(commits = calloc(n, sizeof(*commits))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	if ((rc = sync_keyring_load(&keys, db, hearth_db_node(db))) < 0)
		goto done;
	/* read and check everything before touching the database */
	for (i = 0; i < n; i++) {
		if ((rc = sync_commit_read_keyed(&commits[i], repo, &ids[i], UINT64_MAX, &keys,
			     office_seq)) < 0 ||
		    (rc = check_down(db, &commits[i], office_seq)) < 0)
			goto done;
		/* once the office has sealed for this node, it takes only what is sealed */
		if (commits[i].msg.format < 3 && (sealed_gen ||
			sync_keyring_required(&keys, hearth_db_node(db)))) {
			rc = hearth_error_set(HEARTH_EDENIED,
				_("down commit %.12s is not sealed, but the office seals what it sends "
				"this node: refused (nothing applied)"), git_oid_tostr_s(&ids[i]));
			goto done;
		}
		if (commits[i].key_gen)
			sealed_gen = commits[i].key_gen;
		for (j = 0; j < commits[i].msg.nentries; j++)
			if ((rc = hearth_changeset_validate(commits[i].entries[j].cs.ptr,
				     (int)commits[i].entries[j].cs.size, NULL)) < 0)
				goto done;
		office_seq = commits[i].msg.range_to;
		ack = commits[i].msg.ack;
	}
	if ((rc = hearth_db_begin(db)) < 0)
		goto done;
	if ((rc = hearth_sql_exec(h, "PRAGMA defer_foreign_keys = ON", N_("pull"))) < 0 ||
	    (rc = sync_applying_down(db, 1)) < 0 || (rc = invert_overlay(db)) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		for (j = 0; !commits[i].msg.is_snapshot && j < commits[i].msg.nentries; j++) {
			sync_entry *e = &commits[i].entries[j];
			hearth_clock c;
			/* an office still on schema 4 or older sent it: its values are lifted */
			if (commits[i].msg.schema < HEARTH_SCHEMA_TYPED &&
			    hearth_db_schema_version(db) >= HEARTH_SCHEMA_TYPED &&
			    (rc = hearth_typed_lift(h, e->cs.ptr, (int)e->cs.size, "office", &e->cs)) <
				    0)
				goto fail;
			if ((rc = sync_apply(h, e->cs.ptr, (int)e->cs.size, SYNC_APPLY_OFFICE_WINS)) <
				    0 ||
			    (rc = hearth_typed_fix_commit(h)) < 0 ||
			    (rc = sync_record_received(h, e)) < 0 ||
			    (rc = hearth_db_clock_observe(db, e->head.clock, &c)) < 0)
				goto fail;
			res->received++;
		}
	before = hearth_sql_count(h, "SELECT count(*) FROM hearth_outbox");
	/* history: the acknowledged entries are kept (core/history.c) before they leave */
	if (ack > remote_last)
		ack = remote_last;
	if ((rc = hearth_history_keep_acked(db, ack)) < 0 || (rc = hearth_db_seq_keep(db)) < 0)
		goto fail;
	if ((rc = hearth_sql_exec_i64(h, "DELETE FROM hearth_outbox WHERE seq <= ?1", ack)) < 0)
		goto fail;
	res->acked += (int)(before - hearth_sql_count(h, "SELECT count(*) FROM hearth_outbox"));
	if ((rc = sync_replay_pending(db)) < 0)
		goto fail;
	git_oid_tostr(hex, sizeof(hex), &ids[n - 1]);
	/* the office retired its keys after a purge: so does this node, in the same transaction */
	if ((rc = sync_keyring_store_ratcheted(db, &keys)) < 0 ||
	    (sync_keyring_ratcheted(&keys) &&
		    ((rc = sync_up_reseal(db, remote_head, remote_last)) < 0 ||
			    (rc = hearth_meta_set(db, "forget_due", "1")) < 0)) ||
	    (sealed_gen && (rc = sync_key_mark_used(db, hearth_db_node(db), sealed_gen)) < 0) ||
	    (rc = sync_peer_packing_note(db, HEARTH_OFFICE, commits[n - 1].msg.opens)) < 0 ||
	    (rc = hearth_meta_set(db, "down_head", hex)) < 0 ||
	    (rc = sync_meta_set_i64(db, "office_seq", office_seq)) < 0 ||
	    (rc = sync_applying_down(db, 0)) < 0 || (rc = hearth_db_commit(db)) < 0)
		goto fail;
	/* the old key and the purged values leave the file and the WAL (if the database is busy,
	 * the next pull tries again: forget_due stays) */
	if (hearth_db_forget_due(db) && hearth_db_forget_finish(db) < 0)
		hearth_error_clear();
	goto done;
fail:
	hearth_db_rollback(db);
done:
	for (i = 0; i < n; i++)
		sync_commit_dispose(&commits[i]);
	free(commits);
	sync_keyring_dispose(&keys);
	return rc;
}

int sync_applying_down(hearth_db *db, int on)
{
	return hearth_sql_exec(hearth_db_sqlite(db),
		on ? "INSERT OR REPLACE INTO hearth_meta (key, value) VALUES ('applying_down', '1')"
		   : "DELETE FROM hearth_meta WHERE key = 'applying_down'",
		N_("cannot mark the office's changes"));
}

int sync_node_fetch(hearth_db *db, git_repository *repo, const sync_remote *r,
	const hearth_sync_opts *opts)
{
	/* `up` too: an ack is taken only for entries on the remote's `up` that are this copy's */
	const char *specs[] = { "+refs/heads/down:" SYNC_DOWN_REF,
		"+refs/heads/up:" SYNC_REMOTE_UP_REF };
	hearth_transport_opts topts;
	int rc;

	sync_transport_opts(&topts, opts, db);
	if ((rc = hearth_transport_fetch(repo, r->url, specs, 2, &topts)) < 0)
		sync_remote_record(db, r->name, 0, hearth_error_last());
	return rc;
}

int sync_node_pull_remote(hearth_db *db, git_repository *repo, const sync_remote *r,
	const hearth_sync_opts *opts, hearth_sync_result *res)
{
	git_oid head, last, remote_head, *ids = NULL;
	int64_t remote_last = 0;
	size_t n = 0;
	int have_last, forked, rc;

	if ((rc = sync_node_fetch(db, repo, r, opts)) < 0)
		return rc;
	memset(&remote_head, 0, sizeof(remote_head));
	if ((rc = sync_fork_check(db, repo, &forked, &remote_last, &remote_head)) < 0 ||
	    (forked && (rc = sync_fork_error(db)) < 0)) {
		sync_remote_record(db, r->name, 0, hearth_error_last());
		return rc;
	}
	if ((rc = sync_ref_get(&head, repo, SYNC_DOWN_REF)) == HEARTH_ENOTFOUND)
		return 0; /* the office has not written to this node yet */
	if (rc < 0 || (rc = sync_meta_oid(db, "down_head", &last, &have_last)) < 0)
		return rc;
	if (have_last && git_oid_equal(&head, &last))
		return 0;
	if ((rc = sync_walk(&ids, &n, repo, &head, have_last ? &last : NULL, 0)) < 0) {
		if (rc == HEARTH_ECONFLICT) {
			rc = hearth_error_set(HEARTH_ECONFLICT,
				_("the office's down branch no longer holds what this node last received "
				"(an office restored from an older backup?): nothing was applied or sent "
				"and this node's changes are kept; the office must sync from its newest "
				"state, then run 'hearth sync' here again"));
			sync_remote_record(db, r->name, 0, hearth_error_last());
		}
		goto done;
	}
	if (n > 0)
		rc = apply_down(db, repo, ids, n, remote_last,
			git_oid_is_zero(&remote_head) ? NULL : &remote_head, res);
done:
	free(ids);
	return rc;
}
