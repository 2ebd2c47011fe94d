/* The office's sync: take its own writes into the log, fetch, verify and merge every node's `up`,
 * then write and push every node's `down`, filtered to what that node may see. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"

/* The next office seq is the largest one + 1: office_seq is the rowid, which SQLite hands out
 * so without a query of ours. */
static int log_append(hearth_db *db, const char *clock, const char *origin, int64_t origin_seq,
	const void *cs, int n, int64_t *office_seq)
{
	sqlite3 *h = hearth_db_sqlite(db);
	hearth_buf sum = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	*office_seq = 0;
	if ((rc = hearth_changeset_summary(&sum, cs, n)) < 0 ||
	    (rc = hearth_db_stmt(db, &st,
		     "INSERT INTO hearth_log (office_seq, clock, origin, origin_seq, summary, "
		     "changeset) VALUES (NULL, ?1, ?2, ?3, ?4, ?5)")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, clock, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, origin_seq);
	sqlite3_bind_text(st, 4, sum.ptr, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, cs, n, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(h, HEARTH_ERROR, "cannot append to the office log");
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
		     "SELECT seq, clock, changeset FROM hearth_outbox ORDER BY seq")) < 0)
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
				logged.buf.ptr, (int)logged.buf.size, &office_seq);
		hearth_cs_writer_dispose(&logged);
	}
	sqlite3_finalize(st);
	if (rc < 0 ||
	    (rc = hearth_sql_exec(h, "DELETE FROM hearth_outbox; DELETE FROM hearth_overlay;",
		     "cannot clear the office outbox")) < 0 ||
	    (rc = hearth_db_commit(db)) < 0)
		goto fail;
	return 0;
fail:
	hearth_db_rollback(db);
	return rc;
}

/* ---- peers -------------------------------------------------------------------------------- */

typedef struct {
	char node[HEARTH_ID_MAX + 1];
	char up_head[GIT_OID_HEXSZ + 1];
	int64_t applied_seq;
	char down_head[GIT_OID_HEXSZ + 1];
	int64_t down_office_seq;
	int64_t down_ack;
	int64_t down_since_snapshot;
} peer;

static int peer_load(hearth_db *db, const char *node, peer *p)
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

static int peer_store(hearth_db *db, const peer *p)
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
			"cannot record node progress");
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
		rc = hearth_error_sqlite(h, HEARTH_ERROR, "cannot record quarantine");
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
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, "cannot clear quarantine");
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
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, "cannot record the merge");
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
			"cannot note the node's time");
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
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, "cannot mark the entry");
	hearth_stmt_done(st);
	return rc;
}

/* A commit being merged: its transaction's progress. */
typedef struct {
	const char *hex;      /* commit id */
	int merged;           /* entries merged in this transaction */
	int conflicts;
	hearth_clock seen;    /* the latest (clamped) entry clock merged */
} commit_merge;

/* One entry, inside its commit's transaction: ownership check, merge under a session, log,
 * applied. Its foreign keys must hold when it ends, as if it were committed alone. */
static int merge_one(hearth_db *db, sync_sql_cache *sql, peer *p, sync_entry *e,
	commit_merge *cm)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_session *sess = NULL;
	hearth_cs_writer logged = HEARTH_CS_WRITER_INIT;
	void *net = NULL;
	int nnet = 0, conflicts = 0, clamped, fks = 0, hi = 0, rc;
	int64_t office_seq = 0;
	char hex[HEARTH_CLOCK_HEX + 1];
	hearth_clock c;

	if ((rc = hearth_changeset_validate(e->cs.ptr, (int)e->cs.size, NULL)) < 0 ||
	    (rc = hearth_changeset_check_owner(h, hearth_db_schema(db), p->node, 0, e->cs.ptr,
		     (int)e->cs.size)) < 0 ||
	    (rc = hearth_session_new(&sess, db)) < 0)
		goto done;
	if ((clamped = rc = sync_merge_entry(db, sql, p->node, e, &conflicts)) < 0)
		goto done;
	/* an entry may take 16 MiB: each copy of it is let go as soon as the next one is made */
	hearth_buf_dispose(&e->cs);
	if (sqlite3session_changeset(sess, &nnet, &net) != SQLITE_OK) {
		rc = hearth_error_sqlite(h, HEARTH_ERROR, "cannot record the merge");
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
	if ((nnet > 0 && ((rc = log_append(db, hex, p->node, e->head.seq, logged.buf.ptr,
				      (int)logged.buf.size, &office_seq)) < 0)) ||
	    (rc = record_applied(db, p->node, e, cm->hex, office_seq, clamped)) < 0)
		goto done;
	/* deferred foreign keys are counted over the transaction; the entries before held theirs */
	if (sqlite3_db_status(h, SQLITE_DBSTATUS_DEFERRED_FKS, &fks, &hi, 0) != SQLITE_OK || fks) {
		rc = hearth_error_set(HEARTH_ECORRUPT, "FOREIGN KEY constraint failed");
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
static int merge_finish(hearth_db *db, peer *p, const commit_merge *cm, int whole,
	hearth_sync_result *res)
{
	hearth_clock c;
	int rc;

	if ((cm->seen && ((rc = note_seen(db, p->node, cm->seen)) < 0 ||
			     (rc = hearth_db_clock_observe(db, cm->seen, &c)) < 0)) ||
	    (rc = peer_store(db, p)) < 0 || (whole && (rc = sync_quarantine_clear(db, p->node, cm->hex)) < 0) ||
	    (rc = hearth_db_commit(db)) < 0)
		return rc;
	res->merged += cm->merged;
	res->conflicts += cm->conflicts;
	return 0;
}

/* Verify and merge one commit of a node's `up`, all its entries in one transaction (each under
 * a savepoint, with the applied rows that make a second merge a no-op). A refused commit keeps
 * the entries before the refused one, is quarantined and returns 1 (stop this node); errors of
 * our own (disk, memory) roll the commit back and return < 0. */
static int merge_commit(hearth_db *db, sync_sql_cache *sql, git_repository *repo, peer *p,
	const git_oid *id, hearth_sync_result *res)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sync_commit c;
	commit_merge cm;
	peer before = *p;
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
	if ((rc = sync_commit_read_bounded(&c, repo, id, SYNC_UP_COMMIT_MAX)) < 0) {
		snprintf(reason, sizeof(reason), "%s", hearth_error_last());
		goto refuse;
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
	if ((rc = hearth_db_begin(db)) < 0) {
		sync_commit_dispose(&c);
		return rc;
	}
	if ((rc = hearth_sql_exec(h, "PRAGMA defer_foreign_keys = ON", "merge")) < 0)
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
		if ((rc = merge_one(db, sql, p, e, &cm)) < 0) {
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
	if ((rc = merge_finish(db, p, &cm, 1, res)) < 0)
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
static void rewritten_reason(git_repository *repo, const peer *p, const git_oid *head)
{
	char hex[GIT_OID_HEXSZ + 1];
	int64_t head_seq = 0;

	git_oid_tostr(hex, sizeof(hex), head);
	sync_commit_last_seq(&head_seq, repo, head);
	hearth_error_set(HEARTH_ECONFLICT,
		"history rewritten: '%s' up is now %.12s (up to seq %lld), which does not hold "
		"%.12s (up to seq %lld) merged before; another copy of the node wrote over it: "
		"that copy runs 'hearth rejoin', then 'hearth quarantine drop %.12s' here",
		p->node, hex, (long long)head_seq, p->up_head, (long long)p->applied_seq, hex);
}

static int office_fetch_merge(hearth_db *db, sync_sql_cache *sql, git_repository *repo,
	const sync_remote *r, const hearth_sync_opts *opts, hearth_sync_result *res)
{
	hearth_buf ref = HEARTH_BUF_INIT, spec = HEARTH_BUF_INIT;
	hearth_transport_opts topts;
	git_oid head, last, *ids = NULL;
	const char *specs[1];
	size_t n = 0, i;
	peer p;
	int rc, fresh;

	if ((rc = peer_load(db, r->name, &p)) < 0 ||
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
		rc = hearth_error_set(HEARTH_ECORRUPT, "bad stored head for '%s'", r->name);
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
	for (i = 0; i < n; i++) {
		if ((rc = merge_commit(db, sql, repo, &p, &ids[i], res)) != 0)
			break;
	}
	if (rc > 0)
		rc = 0;
done:
	free(ids);
	hearth_buf_dispose(&ref);
	hearth_buf_dispose(&spec);
	return rc;
}

/* ---- downs -------------------------------------------------------------------------------- */

/* ---- routes: which nodes an office log entry reaches, worked out once for all nodes ---------
 *
 * Most rows go to their owner only, so cutting every log entry for every node parsed each entry
 * once per node. During the publishing of a round (the database does not change), each entry is
 * walked once, the first time a node's down reads it: the nodes it can reach (owners and
 * audiences, every node for the office's rows) are noted, and whether one node (or every node)
 * gets the entry whole. A node then skips the entries that cannot reach it, takes the bytes of
 * an entry it gets whole, and cuts only the others with sync_down_filter. */

#define ROUTE_NAMES_MAX 32 /* more nodes named by one entry: cut it for every node */

typedef struct {
	unsigned char known;
	unsigned char every;  /* holds the office's rows, or its route is in doubt: cut for all */
	unsigned char whole;  /* one node gets it whole (`owner`), or every node if owner < 0 */
	int owner;            /* offset in names of the one owner of its rows, -1 none */
	int first, n;         /* offsets in names of the nodes it can reach: names + first .. */
} down_route;

typedef struct {
	int64_t from;         /* routes[i] is office seq from + 1 + i */
	int64_t count;
	down_route *routes;
	hearth_buf names;     /* NUL-terminated node ids, each entry's after the one before */
} down_routes;

static void routes_dispose(down_routes *r)
{
	free(r->routes);
	hearth_buf_dispose(&r->names);
	memset(r, 0, sizeof(*r));
}

/* Routes for the log entries after `from` up to `last`. */
static int routes_init(down_routes *r, int64_t from, int64_t last)
{
	memset(r, 0, sizeof(*r));
	hearth_buf_init(&r->names, 0);
	r->from = from;
	r->count = last > from ? last - from : 0;
	if (r->count && !(r->routes = calloc((size_t)r->count, sizeof(*r->routes))))
		return hearth_error_set(HEARTH_ERROR, "out of memory");
	return 0;
}

/* Note the node id `v` as reached by entry `e`: its offset in names, -1 if `v` is no text; a
 * full list or no memory puts the entry in doubt. */
static int route_name(down_routes *r, down_route *e, sqlite3_value *v)
{
	const char *t, *p = r->names.ptr + e->first;
	int i, off;

	if (!v || sqlite3_value_type(v) != SQLITE_TEXT)
		return -1;
	t = (const char *)sqlite3_value_text(v);
	for (i = 0; i < e->n; p += strlen(p) + 1, i++)
		if (strcmp(p, t) == 0)
			return (int)(p - r->names.ptr);
	off = (int)r->names.size;
	if (e->n == ROUTE_NAMES_MAX || (size_t)off != r->names.size ||
	    hearth_buf_put(&r->names, t, strlen(t) + 1) < 0) {
		e->every = 1;
		return -1;
	}
	e->n++;
	return off;
}

/* The audiences of an updated row before and after, as filter_audience_update sees them (read
 * from the database when the update does not carry the column). */
static void route_audience_update(down_routes *r, down_route *e, hearth_db *db,
	const hearth_table_decl *t, sqlite3_changeset_iter *it)
{
	sqlite3_value *owner = NULL, *id = NULL, *was = NULL, *now = NULL, *cur[256] = { 0 };
	int i, found = 0, a = t->audience_col;

	if (t->ncol > 256)
		return; /* filter_audience_update sends such a row to no audience */
	sqlite3changeset_old(it, a, &was);
	sqlite3changeset_new(it, a, &now);
	if (!was) {
		sqlite3changeset_old(it, 0, &owner);
		sqlite3changeset_old(it, 1, &id);
		if (!owner || !id || sync_row_load(db, t, owner, id, cur, &found) < 0)
			e->every = 1;
		was = cur[a];
	}
	route_name(r, e, was);
	route_name(r, e, now ? now : was);
	for (i = 0; i < t->ncol; i++)
		sqlite3_value_free(cur[i]);
}

/* Walk one log entry once and note its route. */
static void route_entry(down_routes *r, down_route *e, hearth_db *db, const void *cs, int n)
{
	const hearth_schema *s = hearth_db_schema(db);
	sqlite3_changeset_iter *it = NULL;
	int whole = 1, step = SQLITE_ERROR;

	memset(e, 0, sizeof(*e));
	e->known = 1;
	e->owner = -1;
	e->first = (int)r->names.size;
	if (sqlite3changeset_start(&it, n, (void *)cs) == SQLITE_OK) {
		while ((step = sqlite3changeset_next(it)) == SQLITE_ROW) {
			const char *tab;
			int ncol, op, indirect, off;
			sqlite3_value *owner = NULL, *aud = NULL;
			const hearth_table_decl *t;

			sqlite3changeset_op(it, &tab, &ncol, &op, &indirect);
			if (!(t = hearth_schema_table(s, tab))) {
				whole = 0; /* a change no node gets */
				continue;
			}
			if (op == SQLITE_INSERT)
				sqlite3changeset_new(it, 0, &owner);
			else
				sqlite3changeset_old(it, 0, &owner);
			if (sync_text_is(owner, HEARTH_OFFICE)) {
				e->every = 1;
				continue;
			}
			if ((off = route_name(r, e, owner)) < 0 || (e->owner >= 0 && off != e->owner))
				whole = 0;
			e->owner = off;
			if (t->audience_col < 0)
				continue;
			if (op == SQLITE_UPDATE) {
				whole = 0; /* its log form carries the audience: cut for every node */
				route_audience_update(r, e, db, t, it);
				continue;
			}
			if (op == SQLITE_INSERT)
				sqlite3changeset_new(it, t->audience_col, &aud);
			else
				sqlite3changeset_old(it, t->audience_col, &aud);
			route_name(r, e, aud);
		}
		sqlite3changeset_finalize(it);
	}
	if (step != SQLITE_DONE) {
		e->every = 1; /* sync_down_filter reports it */
		whole = 0;
	}
	e->whole = (unsigned char)whole;
}

#define ROUTES_MAX (1 << 18) /* entries routed in a round; older ones are cut for each node */

/* Routes for the entries the nodes of `remotes` have not received yet. */
static int routes_start(down_routes *r, hearth_db *db, const sync_remote *remotes, int n)
{
	int64_t from = INT64_MAX, last = 0;
	peer p;
	int i, rc;

	for (i = 0; i < n; i++) {
		if ((rc = peer_load(db, remotes[i].name, &p)) < 0)
			return rc;
		if (p.down_office_seq < from)
			from = p.down_office_seq;
	}
	if ((rc = hearth_sql_scalar(hearth_db_sqlite(db),
		     "SELECT coalesce(max(office_seq), 0) FROM hearth_log", &last)) < 0)
		return rc;
	if (from == INT64_MAX || from > last)
		from = last;
	if (last - from > ROUTES_MAX)
		from = last - ROUTES_MAX;
	return routes_init(r, from, last);
}

/* 1 if `node` is among the nodes `e` can reach. */
static int route_reaches(const down_routes *r, const down_route *e, const char *node)
{
	const char *p = r->names.ptr + e->first;
	int i;

	for (i = 0; i < e->n; p += strlen(p) + 1, i++)
		if (strcmp(p, node) == 0)
			return 1;
	return 0;
}

/* What `node` gets of log entry `seq`: appended to `w`, like sync_down_filter. */
static int down_cut(hearth_cs_writer *w, down_routes *r, hearth_db *db, const char *node,
	int64_t seq, const void *cs, int n)
{
	down_route *e;

	if (!r || seq <= r->from || seq - r->from > r->count)
		return sync_down_filter(w, db, node, cs, n);
	e = &r->routes[seq - r->from - 1];
	if (!e->known)
		route_entry(r, e, db, cs, n);
	if (e->whole && (e->owner < 0 || strcmp(r->names.ptr + e->owner, node) == 0)) {
		w->rc = hearth_buf_put(&w->buf, cs, (size_t)n);
		return w->rc;
	}
	if (e->every || route_reaches(r, e, node))
		return sync_down_filter(w, db, node, cs, n);
	return 0;
}

#define SNAPSHOT_EVERY_DEFAULT 1000

/* Down commits between automatic snapshots: meta 'snapshot_every' (0 turns them off). */
static int64_t snapshot_every(hearth_db *db)
{
	hearth_buf v = HEARTH_BUF_INIT;
	int64_t every = SNAPSHOT_EVERY_DEFAULT;

	if (hearth_meta_get(db, "snapshot_every", &v) == 0)
		every = strtoll(v.ptr, NULL, 10);
	hearth_buf_dispose(&v);
	return every > 0 ? every : INT64_MAX;
}

/* Write the node's next down commits (the database records each before its ref moves), each
 * of at most SYNC_BATCH_ENTRIES entries and, past its first entry, SYNC_BATCH_BYTES bytes.
 * `routes` (or NULL) tell which entries the node gets. */
static int write_down(hearth_db *db, git_repository *repo, const char *node, const char *ref,
	down_routes *routes)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sync_message m;
	sync_entry *entries = NULL, **ptrs = NULL;
	sqlite3_stmt *st = NULL;
	int64_t max_log = 0;
	peer p;
	int rc, i, n;

	if ((rc = peer_load(db, node, &p)) < 0 ||
	    (rc = hearth_sql_scalar(h, "SELECT coalesce(max(office_seq), 0) FROM hearth_log",
		     &max_log)) < 0)
		return rc;
	if (p.down_head[0]) {
		git_oid head;
		if (git_oid_fromstr(&head, p.down_head) < 0)
			return hearth_error_set(HEARTH_ECORRUPT, "bad stored down head for '%s'", node);
		if ((rc = sync_ref_set(repo, ref, &head)) < 0)
			return rc;
	}
	if (p.down_head[0] && max_log == p.down_office_seq && p.applied_seq == p.down_ack)
		return 0;
	if (!(entries = calloc(SYNC_BATCH_ENTRIES, sizeof(*entries))) ||
	    !(ptrs = calloc(SYNC_BATCH_ENTRIES, sizeof(*ptrs)))) {
		rc = hearth_error_set(HEARTH_ERROR, "out of memory");
		goto done;
	}
	memset(&m, 0, sizeof(m));
	if (!(m.entries = calloc(SYNC_BATCH_ENTRIES, sizeof(*m.entries)))) {
		rc = hearth_error_set(HEARTH_ERROR, "out of memory");
		goto done;
	}
	do {
		git_oid parent, id;
		char hex[GIT_OID_HEXSZ + 1], subject[160];
		int64_t to = p.down_office_seq;
		size_t bytes = 0;
		int scanned = 0;

		for (i = 0; i < SYNC_BATCH_ENTRIES; i++)
			hearth_buf_clear(&entries[i].cs);
		m.format = HEARTH_FORMAT_VERSION;
		m.is_down = 1;
		snprintf(m.node, sizeof(m.node), "%s", node);
		m.schema = hearth_db_schema_version(db);
		hearth_schema_fingerprint(hearth_db_schema(db), m.fingerprint);
		m.nentries = 0;
		if ((rc = hearth_sql_prepare(&st, h,
			     "SELECT office_seq, clock, changeset FROM hearth_log WHERE office_seq > ?1 "
			     "ORDER BY office_seq LIMIT 1024")) < 0)
			goto done;
		sqlite3_bind_int64(st, 1, p.down_office_seq);
		n = 0;
		while (n < SYNC_BATCH_ENTRIES && bytes < SYNC_BATCH_BYTES &&
		       sqlite3_step(st) == SQLITE_ROW) {
			hearth_cs_writer w = HEARTH_CS_WRITER_INIT;
			to = sqlite3_column_int64(st, 0);
			scanned++;
			rc = down_cut(&w, routes, db, node, to, sqlite3_column_blob(st, 2),
				sqlite3_column_bytes(st, 2));
			bytes += w.buf.size;
			if (rc == 0 && w.buf.size > 0) {
				sync_entry *e = &entries[n];
				e->head.seq = to;
				rc = hearth_clock_parse(&e->head.clock,
					(const char *)sqlite3_column_text(st, 1));
				if (rc == 0) { /* the cut bytes move to the entry, not copied */
					hearth_buf empty = e->cs;
					e->cs = w.buf;
					w.buf = empty;
				}
				m.entries[n] = e->head;
				ptrs[n] = e;
				n++;
			}
			hearth_cs_writer_dispose(&w);
			if (rc < 0)
				goto done;
		}
		sqlite3_finalize(st);
		st = NULL;
		m.nentries = n;
		m.range_from = p.down_office_seq;
		m.range_to = to;
		m.ack = p.applied_seq;
		if ((rc = hearth_db_clock_get(db, &m.stamp)) < 0)
			goto done;
		snprintf(subject, sizeof(subject), "office -> %s: %d change%s, acked up to %lld", node,
			n, n == 1 ? "" : "s", (long long)p.applied_seq);
		if (p.down_head[0])
			git_oid_fromstr(&parent, p.down_head);
		if ((rc = sync_commit_write(&id, repo, p.down_head[0] ? &parent : NULL, subject, &m,
			     ptrs)) < 0)
			goto done;
		git_oid_tostr(hex, sizeof(hex), &id);
		snprintf(p.down_head, sizeof(p.down_head), "%s", hex);
		p.down_office_seq = to;
		p.down_ack = p.applied_seq;
		p.down_since_snapshot++;
		if ((rc = peer_store(db, &p)) < 0 || (rc = sync_ref_set(repo, ref, &id)) < 0)
			goto done;
		if (scanned == 0)
			break;
	} while (p.down_office_seq < max_log);
	/* a restored device starts from the newest snapshot instead of replaying years */
	if (p.down_since_snapshot >= snapshot_every(db))
		rc = sync_snapshot_write(db, repo, node, ref);
done:
	sqlite3_finalize(st);
	for (i = 0; entries && i < SYNC_BATCH_ENTRIES; i++)
		hearth_buf_dispose(&entries[i].cs);
	free(entries);
	free(ptrs);
	free(m.entries);
	return rc;
}

/* `down` only moves forward: a repository whose `down` holds commits this office did not
 * write is refused, not overwritten (the nodes would lose what it holds). */
static int down_refused(const char *node)
{
	return hearth_error_set(HEARTH_ECONFLICT,
		"the repository of '%s' holds down commits this office did not write (another "
		"node's repository, or an office restored from an older backup?): nothing was sent "
		"there; check the remote's URL, or restore the office's newest state, then sync "
		"again",
		node);
}

static int office_publish(hearth_db *db, git_repository *repo, const sync_remote *r,
	const hearth_sync_opts *opts, down_routes *routes)
{
	hearth_buf ref = HEARTH_BUF_INIT, spec = HEARTH_BUF_INIT;
	hearth_transport_opts topts;
	const char *specs[1];
	int rc;

	if ((rc = hearth_buf_printf(&ref, "refs/nodes/%s/down", r->name)) < 0 ||
	    (rc = hearth_buf_printf(&spec, "%s:refs/heads/down", ref.ptr)) < 0)
		goto done;
	if ((rc = hearth_db_begin(db)) < 0)
		goto done;
	if ((rc = write_down(db, repo, r->name, ref.ptr, routes)) < 0) {
		hearth_db_rollback(db);
		goto done;
	}
	if ((rc = hearth_db_commit(db)) < 0)
		goto done;
	specs[0] = spec.ptr;
	sync_transport_opts(&topts, opts, db);
	if ((rc = hearth_transport_push(repo, r->url, specs, 1, &topts)) < 0) {
		if (rc == HEARTH_ECONFLICT)
			down_refused(r->name);
		sync_remote_record(db, r->name, 0, hearth_error_last());
	}
done:
	hearth_buf_dispose(&ref);
	hearth_buf_dispose(&spec);
	return rc;
}

int sync_office(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out)
{
	git_repository *repo = NULL;
	sync_remote *remotes = NULL;
	hearth_sync_result res;
	sync_sql_cache sql = SYNC_SQL_CACHE_INIT;
	down_routes routes;
	char first_error[1024] = "";
	int n = 0, i, rc, failed_rc = 0;

	memset(&res, 0, sizeof(res));
	memset(&routes, 0, sizeof(routes));
	if ((rc = sync_office_take_own(db)) < 0 ||
	    (rc = sync_remotes_load(&remotes, &n, db, opts ? opts->only_remote : NULL)) < 0 ||
	    (rc = sync_repo_open(&repo, db)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		if ((rc = hearth_id_check("node id (remote name)", remotes[i].name)) < 0)
			goto done;
		res.nodes++;
		rc = office_fetch_merge(db, &sql, repo, &remotes[i], opts, &res);
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
	/* downs after all merges, so every node gets everything merged this round */
	if ((rc = routes_start(&routes, db, remotes, n)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		rc = office_publish(db, repo, &remotes[i], opts, &routes);
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
	rc = failed_rc;
	if (rc < 0)
		hearth_error_set(rc, "%s", first_error);
done:
	if (out)
		*out = res;
	sync_sql_cache_dispose(&sql);
	routes_dispose(&routes);
	git_repository_free(repo);
	sync_remotes_free(remotes, n);
	return rc;
}

/* ---- snapshots ---------------------------------------------------------------------------- */

#define SNAPSHOT_PART_BYTES (8u << 20)

/* Every row `node` may see, as INSERTs, cut into parts of at most ~8 MiB. */
static int snapshot_parts(hearth_db *db, const char *node, sync_entry **out, int *nparts)
{
	const hearth_schema *s = hearth_db_schema(db);
	sqlite3 *h = hearth_db_sqlite(db);
	hearth_cs_writer w = HEARTH_CS_WRITER_INIT;
	sync_entry *parts = NULL;
	int n = 0, i, rc = 0;

	*out = NULL;
	*nparts = 0;
	for (i = 0; rc == 0 && i < hearth_schema_count(s); i++) {
		const hearth_table_decl *t = hearth_schema_at(s, i);
		hearth_buf sql = HEARTH_BUF_INIT;
		sqlite3_stmt *st = NULL;
		unsigned char pk[256];
		sqlite3_value *vals[256];
		int c, k = 0;

		if (t->ncol > 256) {
			rc = hearth_error_set(HEARTH_ERROR, "table '%s' is too wide", t->name);
			break;
		}
		for (c = 0; c < t->ncol; c++)
			pk[c] = t->cols[c].is_pk ? (unsigned char)++k : 0;
		rc = hearth_buf_printf(&sql, "SELECT * FROM \"%s\" WHERE ", t->name);
		if (rc == 0)
			rc = hearth_visible_sql(&sql, t, node);
		if (rc == 0)
			rc = hearth_buf_puts(&sql, " ORDER BY owner, id");
		if (rc == 0)
			rc = hearth_sql_prepare(&st, h, sql.ptr);
		hearth_buf_dispose(&sql);
		while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
			for (c = 0; c < t->ncol; c++)
				vals[c] = sqlite3_column_value(st, c);
			hearth_cs_writer_table(&w, t->name, t->ncol, pk);
			hearth_cs_writer_change(&w, SQLITE_INSERT, 0, NULL, vals);
			rc = w.rc;
			if (rc == 0 && (w.buf.size >= SNAPSHOT_PART_BYTES)) {
				sync_entry *np = realloc(parts, (size_t)(n + 1) * sizeof(*np));
				if (!np) {
					rc = hearth_error_set(HEARTH_ERROR, "out of memory");
					break;
				}
				parts = np;
				memset(&parts[n], 0, sizeof(parts[n]));
				parts[n].cs = w.buf;
				hearth_buf_init(&w.buf, 0);
				free(w.table);
				w.table = NULL; /* the next part repeats its table header */
				n++;
			}
		}
		sqlite3_finalize(st);
	}
	if (rc == 0 && w.buf.size > 0) {
		sync_entry *np = realloc(parts, (size_t)(n + 1) * sizeof(*np));
		if (!np)
			rc = hearth_error_set(HEARTH_ERROR, "out of memory");
		else {
			parts = np;
			memset(&parts[n], 0, sizeof(parts[n]));
			parts[n].cs = w.buf;
			hearth_buf_init(&w.buf, 0);
			n++;
		}
	}
	hearth_cs_writer_dispose(&w);
	if (rc < 0) {
		for (i = 0; i < n; i++)
			hearth_buf_dispose(&parts[i].cs);
		free(parts);
		return rc;
	}
	*out = parts;
	*nparts = n;
	return 0;
}

int sync_snapshot_write(hearth_db *db, git_repository *repo, const char *node, const char *ref)
{
	sync_entry *parts = NULL, **ptrs = NULL;
	sync_message m;
	hearth_clock now;
	git_oid parent, id;
	char hex[GIT_OID_HEXSZ + 1], subject[160];
	int n = 0, i, rc;
	peer p;

	memset(&m, 0, sizeof(m));
	if ((rc = peer_load(db, node, &p)) < 0 || (rc = hearth_db_clock_tick(db, &now)) < 0 ||
	    (rc = snapshot_parts(db, node, &parts, &n)) < 0)
		goto done;
	if (!(ptrs = calloc((size_t)n + 1, sizeof(*ptrs))) ||
	    !(m.entries = calloc((size_t)n + 1, sizeof(*m.entries)))) {
		rc = hearth_error_set(HEARTH_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		parts[i].head.seq = i + 1;
		parts[i].head.clock = now;
		m.entries[i] = parts[i].head;
		ptrs[i] = &parts[i];
	}
	m.format = HEARTH_FORMAT_VERSION;
	m.is_down = 1;
	m.is_snapshot = 1;
	snprintf(m.node, sizeof(m.node), "%s", node);
	m.schema = hearth_db_schema_version(db);
	hearth_schema_fingerprint(hearth_db_schema(db), m.fingerprint);
	m.range_from = m.range_to = p.down_office_seq;
	m.ack = p.down_ack;
	m.nentries = n;
	snprintf(subject, sizeof(subject), "office -> %s: snapshot at office entry %lld", node,
		(long long)p.down_office_seq);
	if (p.down_head[0] && git_oid_fromstr(&parent, p.down_head) < 0) {
		rc = hearth_error_set(HEARTH_ECORRUPT, "bad stored down head for '%s'", node);
		goto done;
	}
	if ((rc = sync_commit_write(&id, repo, p.down_head[0] ? &parent : NULL, subject, &m,
		     ptrs)) < 0)
		goto done;
	git_oid_tostr(hex, sizeof(hex), &id);
	snprintf(p.down_head, sizeof(p.down_head), "%s", hex);
	p.down_since_snapshot = 0;
	if ((rc = peer_store(db, &p)) == 0)
		rc = sync_ref_set(repo, ref, &id);
done:
	for (i = 0; parts && i < n; i++)
		hearth_buf_dispose(&parts[i].cs);
	free(parts);
	free(ptrs);
	free(m.entries);
	return rc;
}

int hearth_snapshot(hearth_db *db, const char *node, const hearth_sync_opts *opts, int *written)
{
	git_repository *repo = NULL;
	sync_remote *remotes = NULL;
	hearth_buf ref = HEARTH_BUF_INIT, spec = HEARTH_BUF_INIT;
	hearth_transport_opts topts;
	int n = 0, i, rc;

	*written = 0;
	if (!hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EUSAGE, "snapshots are written by the office");
	if ((rc = sync_remotes_load(&remotes, &n, db, node)) < 0 ||
	    (rc = sync_repo_open(&repo, db)) < 0)
		goto done;
	sync_transport_opts(&topts, opts, db);
	for (i = 0; i < n; i++) {
		const char *specs[1];
		hearth_buf_clear(&ref);
		hearth_buf_clear(&spec);
		if ((rc = hearth_buf_printf(&ref, "refs/nodes/%s/down", remotes[i].name)) < 0 ||
		    (rc = hearth_buf_printf(&spec, "%s:refs/heads/down", ref.ptr)) < 0 ||
		    (rc = hearth_db_begin(db)) < 0)
			goto done;
		/* pending down commits first, so the snapshot sits on top of everything */
		if ((rc = write_down(db, repo, remotes[i].name, ref.ptr, NULL)) < 0 ||
		    (rc = sync_snapshot_write(db, repo, remotes[i].name, ref.ptr)) < 0 ||
		    (rc = hearth_db_commit(db)) < 0) {
			hearth_db_rollback(db);
			goto done;
		}
		(*written)++;
		specs[0] = spec.ptr;
		if ((rc = hearth_transport_push(repo, remotes[i].url, specs, 1, &topts)) < 0) {
			if (rc == HEARTH_ECONFLICT)
				down_refused(remotes[i].name);
			sync_remote_record(db, remotes[i].name, 0, hearth_error_last());
			goto done;
		}
	}
done:
	hearth_buf_dispose(&ref);
	hearth_buf_dispose(&spec);
	git_repository_free(repo);
	sync_remotes_free(remotes, n);
	return rc;
}

int hearth_conflict_resolve(hearth_db *db, int64_t id, int restore)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	hearth_buf sql = HEARTH_BUF_INIT;
	int rc = 0;

	if (!hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EUSAGE, "conflicts are resolved at the office");
	if ((rc = hearth_sql_prepare(&st, h,
		     "SELECT tbl, col, resolved, quote(lost), quote(owner), quote(row_id) "
		     "FROM hearth_conflict WHERE id = ?1")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = hearth_error_set(HEARTH_ENOTFOUND, "no conflict %lld (see 'hearth conflicts list')",
			(long long)id);
		goto done;
	}
	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		rc = hearth_error_set(HEARTH_ECONFLICT, "conflict %lld is already resolved (%s)",
			(long long)id, sqlite3_column_text(st, 2));
		goto done;
	}
	if (restore) {
		hearth_write_info info;
		const hearth_table_decl *t =
			hearth_schema_table(hearth_db_schema(db), (const char *)sqlite3_column_text(st, 0));
		const char *col = (const char *)sqlite3_column_text(st, 1);
		if (!t || hearth_table_column(t, col) < 2) {
			rc = hearth_error_set(HEARTH_ECORRUPT, "conflict %lld names an unknown column",
				(long long)id);
			goto done;
		}
		rc = hearth_buf_printf(&sql, "UPDATE \"%s\" SET \"%s\" = %s WHERE owner = %s AND id = %s",
			t->name, col, sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
			sqlite3_column_text(st, 5));
		if (rc == 0)
			rc = hearth_write_exec(db, sql.ptr, &info);
		if (rc == 0 && info.changes == 0)
			rc = hearth_error_set(HEARTH_ECONFLICT,
				"conflict %lld cannot be restored: the row no longer exists", (long long)id);
		if (rc < 0)
			goto done;
	}
	rc = hearth_sql_exec_i64(h,
		restore ? "UPDATE hearth_conflict SET resolved = 'restored' WHERE id = ?1"
			: "UPDATE hearth_conflict SET resolved = 'dismissed' WHERE id = ?1",
		id);
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&sql);
	return rc;
}
