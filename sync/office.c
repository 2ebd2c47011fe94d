/* The office's sync: take its own writes into the log, fetch, verify and merge every node's `up`,
 * then write and push every node's `down`, filtered to what that node may see (office_down.c).
 * Snapshots are in office_snapshot.c, the resolution of conflicts in conflict.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "core/i18n.h"

/* The next office seq is the largest one + 1: office_seq is the rowid, which SQLite hands out
 * so without a query of ours. */
static int log_append(hearth_db *db, const char *clock, const char *origin, int64_t origin_seq,
	const char *author, const void *cs, int n, int64_t *office_seq)
{
	sqlite3 *h = hearth_db_sqlite(db);
	hearth_buf sum = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	*office_seq = 0;
	if ((rc = hearth_changeset_summary(&sum, cs, n)) < 0 ||
	    (rc = hearth_db_stmt(db, &st,
		     hearth_db_schema_version(db) >= HEARTH_SCHEMA_ACCOUNTS
			     ? "INSERT INTO hearth_log (office_seq, clock, origin, origin_seq, "
			       "summary, changeset, author) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6)"
			     : "INSERT INTO hearth_log (office_seq, clock, origin, origin_seq, "
			       "summary, changeset) VALUES (NULL, ?1, ?2, ?3, ?4, ?5)")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, clock, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, origin_seq);
	sqlite3_bind_text(st, 4, sum.ptr, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, cs, n, SQLITE_STATIC);
	if (author && hearth_db_schema_version(db) >= HEARTH_SCHEMA_ACCOUNTS)
		sqlite3_bind_text(st, 6, author, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot append to the office log"));
	else
		*office_seq = sqlite3_last_insert_rowid(h);
done:
	hearth_stmt_done(st);
	hearth_buf_dispose(&sum);
	return rc;
}

/* The office's recorded writes are already in its database: note their origins, move them to
 * the log, and forget the outbox and overlay (the office is its own upstream). */
int sync_office_take_own(hearth_db *db)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_db_begin(db)) < 0)
		return rc;
	if ((rc = hearth_sql_prepare(&st, h,
		     hearth_db_schema_version(db) >= HEARTH_SCHEMA_HISTORY
			     ? "SELECT seq, clock, changeset, author FROM hearth_outbox ORDER BY seq"
			     : "SELECT seq, clock, changeset, NULL FROM hearth_outbox ORDER BY seq")) <
		0)
		goto fail;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const void *cs = sqlite3_column_blob(st, 2);
		int n = sqlite3_column_bytes(st, 2);
		const char *clock = (const char *)sqlite3_column_text(st, 1);
		int64_t office_seq;
		hearth_cs_writer logged = HEARTH_CS_WRITER_INIT;
		/* the audiences as they stand now: exact for the office's last write to each row */
		rc = sync_origin_note(db, cs, n, HEARTH_OFFICE, clock);
		if (rc == 0)
			rc = sync_log_note(&logged, db, cs, n);
		if (rc == 0)
			rc = log_append(db, clock, HEARTH_OFFICE, sqlite3_column_int64(st, 0),
				(const char *)sqlite3_column_text(st, 3), logged.buf.ptr,
				(int)logged.buf.size, &office_seq);
		hearth_cs_writer_dispose(&logged);
	}
	sqlite3_finalize(st);
	if (rc < 0 || (rc = hearth_db_seq_keep(db)) < 0 ||
	    (rc = hearth_sql_exec(h, "DELETE FROM hearth_outbox; DELETE FROM hearth_overlay;",
		     N_("cannot clear the office outbox"))) < 0 ||
	    (rc = hearth_db_commit(db)) < 0)
		goto fail;
	return 0;
fail:
	hearth_db_rollback(db);
	return rc;
}

/* ---- peers -------------------------------------------------------------------------------- */

int sync_peer_load(hearth_db *db, const char *node, sync_peer *p)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	snprintf(p->node, sizeof(p->node), "%s", node);
	if ((rc = hearth_db_stmt(db, &st,
		     "SELECT coalesce(up_head, ''), applied_seq, coalesce(down_head, ''), "
		     "down_office_seq, down_ack, down_since_snapshot FROM hearth_peer "
		     "WHERE node = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(p->up_head, sizeof(p->up_head), "%s", sqlite3_column_text(st, 0));
		p->applied_seq = sqlite3_column_int64(st, 1);
		snprintf(p->down_head, sizeof(p->down_head), "%s", sqlite3_column_text(st, 2));
		p->down_office_seq = sqlite3_column_int64(st, 3);
		p->down_ack = sqlite3_column_int64(st, 4);
		p->down_since_snapshot = sqlite3_column_int64(st, 5);
	}
	hearth_stmt_done(st);
	return 0;
}

int sync_peer_store(hearth_db *db, const sync_peer *p)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_db_stmt(db, &st,
		     "INSERT OR REPLACE INTO hearth_peer (node, up_head, applied_seq, down_head, "
		     "down_office_seq, down_ack, down_since_snapshot) "
		     "VALUES (?1, nullif(?2, ''), ?3, nullif(?4, ''), ?5, ?6, ?7)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, p->node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->up_head, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, p->applied_seq);
	sqlite3_bind_text(st, 4, p->down_head, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, p->down_office_seq);
	sqlite3_bind_int64(st, 6, p->down_ack);
	sqlite3_bind_int64(st, 7, p->down_since_snapshot);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR,
			_("cannot record node progress"));
	hearth_stmt_done(st);
	return rc;
}

/* Refuse a commit: record why (once) and stop that node's log there. *fresh = 1 if new. */
static int quarantine(sqlite3 *h, const char *node, const git_oid *id, int64_t seq,
	const char *reason, int *fresh)
{
	sqlite3_stmt *st = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	*fresh = 0;
	git_oid_tostr(hex, sizeof(hex), id);
	if ((rc = hearth_sql_prepare(&st, h,
		     "INSERT OR IGNORE INTO hearth_quarantine (node, commit_id, seq, reason, at_ms) "
		     "VALUES (?1, ?2, ?3, ?4, ?5)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
	if (seq > 0)
		sqlite3_bind_int64(st, 3, seq);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)hearth_time_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot record quarantine"));
	else
		*fresh = sqlite3_changes(h) > 0;
	sqlite3_finalize(st);
	return rc;
}

int sync_quarantine_clear(hearth_db *db, const char *node, const char *commit_hex)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_db_stmt(db, &st,
		     "DELETE FROM hearth_quarantine WHERE node = ?1 AND commit_id = ?2")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, commit_hex, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot clear quarantine"));
	hearth_stmt_done(st);
	return rc;
}

/* 1 if the commit was refused by its verify alone (no seq: before any entry was merged), for a
 * reason an upgraded office would not lift: the same bytes fail the same checks again, so it
 * is not read again (a refused merge is: the rows it needs may have arrived since). */
static int quarantine_settled(hearth_db *db, const char *node, const char *commit_hex)
{
	sqlite3_stmt *st = NULL;
	int yes = 0;

	if (hearth_db_stmt(db, &st,
		    "SELECT 1 FROM hearth_quarantine WHERE node = ?1 AND commit_id = ?2 AND seq IS NULL "
		    "AND instr(reason, 'upgrade hearth') = 0") < 0)
		return 0;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, commit_hex, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	hearth_stmt_done(st);
	return yes;
}

static int applied_in(hearth_db *db, const char *node, int64_t seq, const char *commit_hex)
{
	sqlite3_stmt *st = NULL;
	int yes = 0;

	if (hearth_db_stmt(db, &st,
		    "SELECT 1 FROM hearth_applied WHERE node = ?1 AND seq = ?2 AND commit_id = ?3") < 0)
		return 0;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_text(st, 3, commit_hex, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	hearth_stmt_done(st);
	return yes;
}

/* ---- merging a commit --------------------------------------------------------------------- */

static int record_applied(hearth_db *db, const char *node, const sync_entry *e,
	const char *commit_hex, int64_t office_seq, int clamped)
{
	sqlite3_stmt *st = NULL;
	char hex[HEARTH_CLOCK_HEX + 1];
	int rc;

	if ((rc = hearth_db_stmt(db, &st,
		     "INSERT INTO hearth_applied (node, seq, clock, commit_id, office_seq, clamped) "
		     "VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), ?6)")) < 0)
		return rc;
	hearth_clock_format(hex, e->head.clock);
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, e->head.seq);
	sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, commit_hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, office_seq);
	sqlite3_bind_int(st, 6, clamped);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot record the merge"));
	hearth_stmt_done(st);
	return rc;
}

static int note_seen(hearth_db *db, const char *node, hearth_clock c)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_db_stmt(db, &st,
		     "UPDATE hearth_remote SET last_seen_ms = max(coalesce(last_seen_ms, 0), ?2) "
		     "WHERE name = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)HEARTH_CLOCK_MS(c));
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR,
			_("cannot note the node's time"));
	hearth_stmt_done(st);
	return rc;
}

/* SAVEPOINT, RELEASE or ROLLBACK TO around one entry of a commit's transaction. */
static int entry_mark(hearth_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_db_stmt(db, &st, sql)) < 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot mark the entry"));
	hearth_stmt_done(st);
	return rc;
}

/* A commit being merged: its transaction's progress. */
typedef struct {
	const char *hex;      /* commit id */
	int merged;           /* entries merged in this transaction */
	int conflicts;
	hearth_clock seen;    /* the latest (clamped) entry clock merged */
	int schema;           /* the schema version the commit was written with (Hearth-Schema) */
	const char *message;  /* the commit's raw message (its Author lines) */
} commit_merge;

/* The values of an entry against the declared rules. A node on a schema that declares them
 * (HEARTH_SCHEMA_VALUES) checked them when it wrote: a value refused here comes from a copy that
 * skipped the check, and its commit is quarantined with the row, label and value named. An older
 * node never checked: its values are not refused here but lifted (set aside "to fix") by the
 * merge; `schema` is what tells the two apart. */
static int entry_values(hearth_db *db, int schema, const sync_entry *e)
{
	if (schema < HEARTH_SCHEMA_VALUES)
		return 0;
	return hearth_changeset_check_values(db, e->cs.ptr, (int)e->cs.size);
}

/* One entry, inside its commit's transaction: ownership check, merge under a session, log,
 * applied. Its foreign keys must hold when it ends, as if it were committed alone. */
static int merge_one(hearth_db *db, sync_sql_cache *sql, sync_peer *p, sync_entry *e,
	int schema, commit_merge *cm)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_session *sess = NULL;
	hearth_cs_writer logged = HEARTH_CS_WRITER_INIT;
	void *net = NULL;
	int nnet = 0, conflicts = 0, clamped, fks = 0, hi = 0, rc;
	int64_t office_seq = 0;
	char hex[HEARTH_CLOCK_HEX + 1], author[SYNC_AUTHOR_MAX + 1];
	hearth_clock c;

	if ((rc = hearth_changeset_validate(e->cs.ptr, (int)e->cs.size, NULL)) < 0 ||
	    (rc = hearth_changeset_check_owner(h, hearth_db_schema(db), p->node, 0, e->cs.ptr,
		     (int)e->cs.size)) < 0 ||
	    (rc = entry_values(db, cm->schema, e)) < 0 ||
	    (rc = hearth_session_new(&sess, db)) < 0)
		goto done;
	/* a node still on schema 4 or older: values the checks refuse are set aside, listed to fix
	 * with the node's name once merged, never a reason to skip the change */
	if (schema < HEARTH_SCHEMA_TYPED && hearth_db_schema_version(db) >= HEARTH_SCHEMA_TYPED &&
	    (rc = hearth_typed_lift(h, e->cs.ptr, (int)e->cs.size, p->node, &e->cs)) < 0)
		goto done;
	if ((clamped = rc = sync_merge_entry(db, sql, p->node, e, &conflicts)) < 0 ||
	    (rc = hearth_typed_fix_commit(h)) < 0)
		goto done;
	rc = clamped;
	/* an entry may take 16 MiB: each copy of it is let go as soon as the next one is made */
	hearth_buf_dispose(&e->cs);
	if (sqlite3session_changeset(sess, &nnet, &net) != SQLITE_OK) {
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot record the merge"));
		goto done;
	}
	sqlite3session_delete(sess);
	sess = NULL;
	/* a clock far ahead was clamped for the merge: the log and the office's own clock take the
	 * clamped value too, or it would spread to every node */
	c = e->head.clock;
	if (clamped)
		c = (hearth_time_now_ms() + SYNC_CLOCK_AHEAD_MS) << 16;
	hearth_clock_format(hex, c);
	if (nnet > 0 && (rc = sync_log_note(&logged, db, net, nnet)) < 0)
		goto done;
	sqlite3_free(net);
	net = NULL;
	if (!cm->message || !sync_message_author(author, cm->message, e->head.seq))
		author[0] = '\0';
	if ((nnet > 0 && ((rc = log_append(db, hex, p->node, e->head.seq,
				      author[0] ? author : NULL, logged.buf.ptr,
				      (int)logged.buf.size, &office_seq)) < 0)) ||
	    (rc = record_applied(db, p->node, e, cm->hex, office_seq, clamped)) < 0)
		goto done;
	/* deferred foreign keys are counted over the transaction; the entries before held theirs */
	if (sqlite3_db_status(h, SQLITE_DBSTATUS_DEFERRED_FKS, &fks, &hi, 0) != SQLITE_OK || fks) {
		rc = hearth_error_set(HEARTH_ECORRUPT, _("FOREIGN KEY constraint failed"));
		goto done;
	}
	p->applied_seq = e->head.seq;
	cm->merged++;
	cm->conflicts += conflicts;
	if (c > cm->seen)
		cm->seen = c;
done:
	if (sess)
		sqlite3session_delete(sess);
	sqlite3_free(net);
	hearth_cs_writer_dispose(&logged);
	return rc < 0 ? rc : 0;
}

/* Close a commit's transaction: the node's time and the office clock from the latest entry,
 * the node's progress, and (when the commit was merged whole) its quarantine lifted. */
static int merge_finish(hearth_db *db, sync_peer *p, const commit_merge *cm, int whole,
	hearth_sync_result *res)
{
	hearth_clock c;
	int rc;

	if ((cm->seen && ((rc = note_seen(db, p->node, cm->seen)) < 0 ||
			     (rc = hearth_db_clock_observe(db, cm->seen, &c)) < 0)) ||
	    (rc = sync_peer_store(db, p)) < 0 ||
	    (whole && (rc = sync_quarantine_clear(db, p->node, cm->hex)) < 0) ||
	    (rc = hearth_db_commit(db)) < 0)
		return rc;
	res->merged += cm->merged;
	res->conflicts += cm->conflicts;
	return 0;
}

/* 1 (with the reason) if the message of commit `id` on `node`'s up names another node or the
 * down branch: a commit moved from elsewhere, said before its seal is judged. */
static int moved_here(git_repository *repo, const git_oid *id, const char *node, char *reason,
	size_t size)
{
	git_commit *gc = NULL;
	sync_message m;
	const char *raw;
	int moved = 0;

	if (git_commit_lookup(&gc, repo, id) < 0)
		return 0;
	raw = git_commit_message_raw(gc);
	if (sync_message_parse(&m, raw, strlen(raw)) == 0) {
		if ((moved = m.is_down || strcmp(m.node, node) != 0))
			snprintf(reason, size,
				"moved from %s: commit says it is from '%s' but arrived on the branch "
				"of '%s'%s", m.is_down ? "another branch" : "another node", m.node,
				node, m.is_down ? " (it is a down commit)" : "");
		sync_message_dispose(&m);
	}
	git_commit_free(gc);
	return moved;
}

/* Verify and merge one commit of a node's `up`, all its entries in one transaction (each under
 * a savepoint, with the applied rows that make a second merge a no-op). A refused commit keeps
 * the entries before the refused one, is quarantined and returns 1 (stop this node); errors of
 * our own (disk, memory) roll the commit back and return < 0. */
static int merge_commit(hearth_db *db, sync_sql_cache *sql, git_repository *repo, sync_peer *p,
	const git_oid *id, const sync_keyring *keys, hearth_sync_result *res)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sync_commit c;
	commit_merge cm;
	sync_peer before = *p;
	char fp[HEARTH_CLOCK_HEX + 1], hex[GIT_OID_HEXSZ + 1], reason[1200];
	int i, fresh, rc;
	int64_t bad_seq = 0;

	/* a quarantined commit is verified again each time the office may have changed its mind
	 * (an upgrade, rows merged since), and a refusal that still holds is recorded once */
	git_oid_tostr(hex, sizeof(hex), id);
	if (quarantine_settled(db, p->node, hex))
		return 1;
	memset(&cm, 0, sizeof(cm));
	cm.hex = hex;
	hearth_schema_fingerprint(hearth_db_schema(db), fp);
	if (sync_keyring_revoked(keys, p->node)) {
		snprintf(reason, sizeof(reason),
			_("the key of '%s' is revoked: nothing it pushes is merged until it is "
			"enrolled again"), p->node);
		memset(&c, 0, sizeof(c));
		goto refuse_read;
	}
	if (moved_here(repo, id, p->node, reason, sizeof(reason))) {
		memset(&c, 0, sizeof(c));
		goto refuse_read;
	}
	if ((rc = sync_commit_read_keyed(&c, repo, id, SYNC_UP_COMMIT_MAX, keys,
		     p->applied_seq)) < 0) {
		snprintf(reason, sizeof(reason), "%s", hearth_error_last());
		goto refuse;
	}
	/* once the node has sealed, an unsealed commit is not the node's */
	if (c.msg.format < 3 && sync_keyring_required(keys, p->node)) {
		snprintf(reason, sizeof(reason),
			_("not sealed: '%s' seals its entries since it was enrolled, and this commit "
			"is format %d"), p->node, c.msg.format);
		goto refuse_read;
	}
	if (c.msg.is_down || strcmp(c.msg.node, p->node) != 0) {
		snprintf(reason, sizeof(reason),
			"commit says it is from '%s' but arrived on the branch of '%s'", c.msg.node,
			p->node);
		goto refuse_read;
	}
	if (strcmp(c.msg.fingerprint, fp) != 0 &&
	    !hearth_schema_known(db, c.msg.schema, c.msg.fingerprint)) {
		snprintf(reason, sizeof(reason),
			"schema version %d (fingerprint %s) is unknown to the office, which runs %d: "
			"upgrade hearth at the office",
			c.msg.schema, c.msg.fingerprint, hearth_db_schema_version(db));
		goto refuse_read;
	}
	cm.schema = c.msg.schema;
	cm.message = c.message;
	if ((rc = hearth_db_begin(db)) < 0) {
		sync_commit_dispose(&c);
		return rc;
	}
	/* the node's newest commit says which packings it opens: its downs follow */
	if ((rc = hearth_sql_exec(h, "PRAGMA defer_foreign_keys = ON", N_("merge"))) < 0 ||
	    (rc = sync_peer_packing_note(db, p->node, c.msg.opens)) < 0)
		goto fail;
	for (i = 0; i < c.msg.nentries; i++) {
		sync_entry *e = &c.entries[i];
		bad_seq = e->head.seq;
		if (e->head.seq <= p->applied_seq) {
			if (applied_in(db, p->node, e->head.seq, hex))
				continue; /* resuming a commit merged in part before a crash */
			snprintf(reason, sizeof(reason), "duplicate seq %lld (already merged up to %lld)",
				(long long)e->head.seq, (long long)p->applied_seq);
			goto refuse_part;
		}
		if (e->head.seq != p->applied_seq + 1) {
			snprintf(reason, sizeof(reason), "seq gap: expected %lld, got %lld",
				(long long)p->applied_seq + 1, (long long)e->head.seq);
			goto refuse_part;
		}
		if ((rc = entry_mark(db, "SAVEPOINT hearth_entry")) < 0)
			goto fail;
		if ((rc = merge_one(db, sql, p, e, c.msg.schema, &cm)) < 0) {
			snprintf(reason, sizeof(reason), "seq %lld: %s", (long long)e->head.seq,
				hearth_error_last());
			if (rc == HEARTH_ERROR && !strstr(hearth_error_last(), "FOREIGN KEY"))
				goto fail;
			if ((rc = entry_mark(db, "ROLLBACK TO hearth_entry")) < 0 ||
			    (rc = entry_mark(db, "RELEASE hearth_entry")) < 0)
				goto fail;
			goto refuse_part;
		}
		if ((rc = entry_mark(db, "RELEASE hearth_entry")) < 0)
			goto fail;
	}
	snprintf(p->up_head, sizeof(p->up_head), "%s", hex);
	if ((c.key_gen && (rc = sync_key_mark_used(db, p->node, c.key_gen)) < 0) ||
	    (rc = merge_finish(db, p, &cm, 1, res)) < 0)
		goto fail;
	sync_commit_dispose(&c);
	return 0;
fail:
	hearth_db_rollback(db);
	sync_commit_dispose(&c);
	*p = before;
	return rc;
refuse_part:
	if ((rc = merge_finish(db, p, &cm, 0, res)) < 0)
		goto fail;
refuse_read:
	sync_commit_dispose(&c);
refuse:
	if ((rc = quarantine(h, p->node, id, bad_seq, reason, &fresh)) < 0)
		return rc;
	res->quarantined += fresh;
	return 1;
}

/* The node's `up` no longer holds the commit merged last: another copy of the node (or an
 * older hearth, which forced its pushes) wrote over it. Name both histories. */
static void rewritten_reason(git_repository *repo, const sync_peer *p, const git_oid *head)
{
	char hex[GIT_OID_HEXSZ + 1];
	int64_t head_seq = 0;

	git_oid_tostr(hex, sizeof(hex), head);
	sync_commit_last_seq(&head_seq, repo, head);
	hearth_error_set(HEARTH_ECONFLICT,
		_("history rewritten: '%s' up is now %.12s (up to seq %lld), which does not hold "
		"%.12s (up to seq %lld) merged before; another copy of the node wrote over it: "
		"that copy runs 'hearth rejoin', then 'hearth quarantine drop %.12s' here"),
		p->node, hex, (long long)head_seq, p->up_head, (long long)p->applied_seq, hex);
}

/* Reload the keyring (in_use and states move as commits merge). */
static int keyring_reload(hearth_db *db, sync_keyring *keys)
{
	sync_keyring_dispose(keys);
	return sync_keyring_load(keys, db, NULL);
}

static int office_fetch_merge(hearth_db *db, sync_sql_cache *sql, git_repository *repo,
	const sync_remote *r, const hearth_sync_opts *opts, hearth_sync_result *res)
{
	sync_keyring keys = { NULL, 0 };
	hearth_buf ref = HEARTH_BUF_INIT, spec = HEARTH_BUF_INIT;
	hearth_transport_opts topts;
	git_oid head, last, *ids = NULL;
	const char *specs[1];
	size_t n = 0, i;
	sync_peer p;
	int rc, fresh;

	if ((rc = sync_peer_load(db, r->name, &p)) < 0 ||
	    (rc = hearth_buf_printf(&ref, "refs/nodes/%s/up", r->name)) < 0 ||
	    (rc = hearth_buf_printf(&spec, "+refs/heads/up:%s", ref.ptr)) < 0)
		goto done;
	specs[0] = spec.ptr;
	sync_transport_opts(&topts, opts, db);
	topts.commit_blobs_max = SYNC_UP_COMMIT_MAX;
	if ((rc = hearth_transport_fetch(repo, r->url, specs, 1, &topts)) < 0) {
		sync_remote_record(db, r->name, 0, hearth_error_last());
		goto done;
	}
	if ((rc = sync_ref_get(&head, repo, ref.ptr)) == HEARTH_ENOTFOUND) {
		rc = 0;
		goto done;
	}
	if (rc < 0)
		goto done;
	if (p.up_head[0] && git_oid_fromstr(&last, p.up_head) < 0) {
		rc = hearth_error_set(HEARTH_ECORRUPT, _("bad stored head for '%s'"), r->name);
		goto done;
	}
	if (p.up_head[0] && git_oid_equal(&head, &last))
		goto done;
	if ((rc = sync_walk(&ids, &n, repo, &head, p.up_head[0] ? &last : NULL, 0)) < 0) {
		if (rc == HEARTH_ECONFLICT)
			rewritten_reason(repo, &p, &head);
		if (rc == HEARTH_ECONFLICT || rc == HEARTH_ECORRUPT) {
			rc = quarantine(hearth_db_sqlite(db), r->name, &head, 0, hearth_error_last(),
				&fresh);
			res->quarantined += fresh;
		}
		goto done;
	}
	/* every node's keys: a blob moved from another node is named as such */
	if ((rc = sync_keyring_load(&keys, db, NULL)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		/* a commit merged marks its key in use: later ones take the keyring as it is now */
		if (i > 0 && (rc = keyring_reload(db, &keys)) < 0)
			break;
		if ((rc = merge_commit(db, sql, repo, &p, &ids[i], &keys, res)) != 0)
			break;
	}
	if (rc > 0)
		rc = 0;
done:
	free(ids);
	hearth_buf_dispose(&ref);
	hearth_buf_dispose(&spec);
	sync_keyring_dispose(&keys);
	return rc;
}

/* A value of a purged record that lost a merge this round (a node's update, written before the
 * node took the purge: conflicts after `from`) is not kept in the conflict log. */
static int office_forget_conflicts(hearth_db *db, int64_t from)
{
	sqlite3 *h = hearth_db_sqlite(db);

	if (hearth_sql_count(h, "SELECT count(*) FROM sqlite_master "
				"WHERE name = 'hearth_forgotten'") != 1)
		return 0;
	return hearth_sql_exec_i64(h,
		"UPDATE hearth_conflict SET kept = NULL, lost = NULL, "
		"resolved = coalesce(resolved, 'purged') WHERE id > ?1 "
		"AND (tbl, owner, row_id) IN (SELECT tbl, owner, id FROM hearth_forgotten)",
		from);
}

/* Retire the keys after a purge, of each node whose pushed entries were merged this round
 * (`merged[i]` for remotes[i]): what was merged since the purge is scrubbed of the purged rows
 * too (its log entries and conflicts), then every key of those nodes moves one step on its
 * chain. A node whose repository was not there keeps its key until it is. */
static int office_retire(hearth_db *db, const sync_remote *remotes, const char *merged, int n,
	int64_t conflicts_from)
{
	int i, rc, any = 0;

	for (i = 0; i < n; i++)
		any |= merged[i] && sync_retire_due(db, remotes[i].name);
	if (!any)
		return office_forget_conflicts(db, conflicts_from);
	if ((rc = hearth_db_begin(db)) < 0)
		return rc;
	if ((rc = hearth_history_forget(hearth_db_sqlite(db), "hearth_forgotten")) < 0 ||
	    (rc = office_forget_conflicts(db, conflicts_from)) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (merged[i] && sync_retire_due(db, remotes[i].name) &&
		    (rc = sync_keys_retire(db, remotes[i].name)) < 0)
			goto fail;
	if ((rc = hearth_meta_set(db, "forget_due", "1")) < 0 || (rc = hearth_db_commit(db)) < 0)
		goto fail;
	return 0;
fail:
	hearth_db_rollback(db);
	return rc;
}

int sync_office(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out)
{
	git_repository *repo = NULL;
	sync_remote *remotes = NULL;
	hearth_sync_result res;
	sync_sql_cache sql = SYNC_SQL_CACHE_INIT;
	sync_down_routes routes;
	char first_error[1024] = "", *merged = NULL;
	int64_t conflicts_from = 0;
	int n = 0, i, rc, failed_rc = 0;

	memset(&res, 0, sizeof(res));
	memset(&routes, 0, sizeof(routes));
	if ((rc = sync_office_take_own(db)) < 0 ||
	    (rc = sync_remotes_load(&remotes, &n, db, opts ? opts->only_remote : NULL)) < 0 ||
	    (rc = sync_remotes_present(remotes, &n, opts ? opts->only_remote : NULL,
		     &res.skipped_remotes)) < 0 ||
	    (rc = sync_repo_open(&repo, db)) < 0)
		goto done;
	if (!(merged = calloc((size_t)n + 1, 1))) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	if ((rc = hearth_sql_scalar(hearth_db_sqlite(db),
		     "SELECT coalesce(max(id), 0) FROM hearth_conflict", &conflicts_from)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		if ((rc = hearth_id_check("node id (remote name)", remotes[i].name)) < 0)
			goto done;
		res.nodes++;
		rc = office_fetch_merge(db, &sql, repo, &remotes[i], opts, &res);
		merged[i] = rc == 0;
		/* each node's fetch over a network adds a pack and moves a ref: keep both few
		 * (packs.c) */
		if (rc == 0 && ((rc = sync_repo_tidy(&repo)) < 0 ||
				       ((i + 1) % SYNC_PACKS_MAX == 0 &&
					       (rc = sync_repo_pack_refs(repo)) < 0)))
			goto done;
		if (rc == HEARTH_ENET) {
			res.failed_remotes++;
			if (!first_error[0])
				snprintf(first_error, sizeof(first_error), "%s", hearth_error_last());
			failed_rc = rc;
			continue;
		}
		if (rc < 0)
			goto done;
	}
	/* after a purge, once every node's pushed entries are merged: the keys move on, so that
	 * nothing sealed before opens with what is kept (docs/security.md) */
	if ((rc = office_retire(db, remotes, merged, n, conflicts_from)) < 0)
		goto done;
	/* downs after all merges, so every node gets everything merged this round */
	if ((rc = sync_routes_start(&routes, db, remotes, n)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		rc = sync_office_publish(db, repo, &remotes[i], opts, &routes);
		if (rc == HEARTH_ENET || rc == HEARTH_ECONFLICT) {
			res.failed_remotes++;
			if (!first_error[0])
				snprintf(first_error, sizeof(first_error), "%s", hearth_error_last());
			failed_rc = rc;
			continue;
		}
		if (rc < 0)
			goto done;
		sync_remote_record(db, remotes[i].name, 1, NULL);
	}
	/* the next round's fetches list the refs the downs moved */
	if ((rc = sync_repo_pack_refs(repo)) < 0)
		goto done;
	/* the old keys and the purged values leave the file and the WAL (if the database is busy,
	 * the next sync tries again: forget_due stays) */
	if (hearth_db_forget_due(db) && hearth_db_forget_finish(db) < 0)
		hearth_error_clear();
	rc = failed_rc;
	if (rc < 0)
		hearth_error_set(rc, "%s", first_error);
done:
	if (out)
		*out = res;
	sync_sql_cache_dispose(&sql);
	sync_routes_dispose(&routes);
	git_repository_free(repo);
	sync_remotes_free(remotes, n);
	free(merged);
	return rc;
}

