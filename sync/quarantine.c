/* The office's quarantine worked off: list and show what the merge refused, release a commit
 * (verified again at the next sync) or drop it (the node's log goes on after it, its entries
 * not merged), each action kept with who did it, when, and the reason it answered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "core/hearth_status.h"
#include "core/i18n.h"

/* Created when first needed rather than by a migration: it is the office's own bookkeeping,
 * and a migration would raise the schema version every node exchanges. */
static const char log_table[] =
	"CREATE TABLE IF NOT EXISTS hearth_quarantine_log ("
	"id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, node TEXT NOT NULL, "
	"commit_id TEXT NOT NULL, seq INTEGER, reason TEXT NOT NULL, action TEXT NOT NULL, "
	"by TEXT NOT NULL)";

/* One quarantined commit (still open) and what was done with it before. */
#define QUARANTINE_ROWS                                                                     \
	"SELECT 'open' AS action, '' AS by, node, commit_id, coalesce(seq, '') AS seq, "    \
	"reason, at_ms FROM hearth_quarantine WHERE substr(commit_id, 1, %d) = '%s' "       \
	"UNION ALL SELECT action, by, node, commit_id, coalesce(seq, ''), reason, at_ms "  \
	"FROM hearth_quarantine_log WHERE substr(commit_id, 1, %d) = '%s'"

typedef struct {
	char node[HEARTH_ID_MAX + 1];
	char commit[GIT_OID_HEXSZ + 1];
} quarantined;

static int hex_prefix_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 4 && n <= GIT_OID_HEXSZ && strspn(s, "0123456789abcdef") == n;
}

/* The one quarantined commit whose id begins with `prefix`. */
static int find(quarantined *out, hearth_db *db, const char *prefix)
{
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	memset(out, 0, sizeof(*out));
	if (!hex_prefix_ok(prefix))
		return hearth_error_set(HEARTH_EUSAGE,
			_("'%s' is not a commit id (4 to 40 lower-case hex digits)"), prefix);
	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "SELECT node, commit_id FROM hearth_quarantine "
		     "WHERE substr(commit_id, 1, length(?1)) = ?1 ORDER BY node")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && n++ == 0) {
		snprintf(out->node, sizeof(out->node), "%s", sqlite3_column_text(st, 0));
		snprintf(out->commit, sizeof(out->commit), "%s", sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (n == 0)
		return hearth_error_set(HEARTH_ENOTFOUND,
			_("no quarantined commit '%s' (see 'hearth quarantine list')"), prefix);
	if (n > 1)
		return hearth_error_set(HEARTH_EUSAGE,
			_("'%s' names more than one quarantined commit: give more of the id"), prefix);
	return 0;
}

static int office_only(hearth_db *db)
{
	if (!hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EUSAGE, _("the quarantine is the office's"));
	return hearth_sql_exec(hearth_db_sqlite(db), log_table, N_("cannot keep the quarantine log"));
}

/* every commit still in quarantine, read through core's status API */
static int list_all(hearth_db *db, hearth_format format, hearth_buf *out)
{
	hearth_quarantine *q = NULL;
	int rc = hearth_quarantine_read(&q, db);

	if (rc == 0)
		rc = hearth_quarantine_format(out, q, format);
	hearth_quarantine_free(q);
	return rc;
}

int hearth_quarantine_list(hearth_db *db, const char *commit, int json, hearth_buf *out)
{
	hearth_buf sql = HEARTH_BUF_INIT, count = HEARTH_BUF_INIT;
	int rc;

	hearth_buf_clear(out);
	if ((rc = office_only(db)) < 0)
		return rc;
	if (!commit)
		return list_all(db, json ? HEARTH_FORMAT_JSON : HEARTH_FORMAT_TEXT, out);
	if (!hex_prefix_ok(commit))
		return hearth_error_set(HEARTH_EUSAGE,
			_("'%s' is not a commit id (4 to 40 lower-case hex digits)"), commit);
	/* the commit's quarantine if it is still open, and what was done with it before (the
	 * prefix is hex digits only, checked above) */
	if ((rc = hearth_buf_printf(&sql, QUARANTINE_ROWS, (int)strlen(commit), commit,
		     (int)strlen(commit), commit)) < 0 ||
	    (rc = hearth_buf_printf(&count, "SELECT count(*) FROM (%s)", sql.ptr)) < 0 ||
	    (rc = hearth_buf_puts(&sql, " ORDER BY at_ms")) < 0)
		goto done;
	if (hearth_sql_count(hearth_db_sqlite(db), count.ptr) <= 0)
		rc = hearth_error_set(HEARTH_ENOTFOUND,
			_("no quarantined commit '%s' (see 'hearth quarantine list')"), commit);
	else
		rc = hearth_query(db, sql.ptr, json ? HEARTH_FORMAT_JSON : HEARTH_FORMAT_TEXT, out);
done:
	hearth_buf_dispose(&sql);
	hearth_buf_dispose(&count);
	return rc;
}

static int log_action(hearth_db *db, const quarantined *q, const char *action, const char *by)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "INSERT INTO hearth_quarantine_log (at_ms, node, commit_id, seq, reason, action, "
		     "by) SELECT ?4, node, commit_id, seq, reason, ?3, ?5 FROM hearth_quarantine "
		     "WHERE node = ?1 AND commit_id = ?2")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, q->node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, q->commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)hearth_time_now_ms());
	sqlite3_bind_text(st, 5, by && *by ? by : "unknown", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR,
			_("cannot record the quarantine action"));
	sqlite3_finalize(st);
	return rc < 0 ? rc : sync_quarantine_clear(db, q->node, q->commit);
}

/* Drop: the node's log goes on after the commit; what it held beyond what was merged is not
 * merged, and a later entry with one of its seqs is refused as a duplicate, so nothing is
 * merged twice. */
static int skip_past(hearth_db *db, const quarantined *q)
{
	git_repository *repo = NULL;
	sqlite3_stmt *st = NULL;
	git_oid id;
	int64_t last = 0;
	int rc;

	if (git_oid_fromstr(&id, q->commit) < 0)
		return hearth_error_set(HEARTH_ECORRUPT, _("quarantined commit id '%s'"), q->commit);
	if ((rc = sync_repo_open(&repo, db)) < 0 ||
	    (rc = sync_commit_last_seq(&last, repo, &id)) < 0 ||
	    (rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "INSERT INTO hearth_peer (node, up_head, applied_seq) VALUES (?1, ?2, ?3) "
		     "ON CONFLICT (node) DO UPDATE SET up_head = excluded.up_head, "
		     "applied_seq = max(applied_seq, excluded.applied_seq)")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, q->node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, q->commit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, last);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR,
			_("cannot record node progress"));
done:
	sqlite3_finalize(st);
	git_repository_free(repo);
	return rc;
}

int hearth_quarantine_handle(hearth_db *db, const char *commit, int drop, const char *by,
	char node_out[HEARTH_ID_MAX + 1])
{
	quarantined q;
	int rc;

	node_out[0] = '\0';
	if ((rc = office_only(db)) < 0 || (rc = find(&q, db, commit)) < 0 ||
	    (rc = hearth_db_begin(db)) < 0)
		return rc;
	if ((drop && (rc = skip_past(db, &q)) < 0) ||
	    (rc = log_action(db, &q, drop ? "dropped" : "released", by)) < 0 ||
	    (rc = hearth_db_commit(db)) < 0) {
		hearth_db_rollback(db);
		return rc;
	}
	snprintf(node_out, HEARTH_ID_MAX + 1, "%s", q.node);
	return 0;
}
