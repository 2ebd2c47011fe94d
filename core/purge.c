/*
 * Retention: `hearth purge` removes, at the office, the personal rows of records closed for longer
 * than a period, as one recorded write (so the deletes reach the nodes like any office change),
 * folds the solved requests it removes into `request_tally` (so the site's aggregates do not
 * change), and logs what it did in hearth_purge_log: per table, how many rows, never a value.
 *
 * What "closed before the cutoff" means, per table (dates are typed, schema 5: they compare as
 * their first 10 characters; a missing date never counts as old, and a record with a value set
 * aside to fix (hearth_to_fix, a date the migration could not read among them) is kept). Only the owner's own facts and the office's
 * close or keep open a record: another node (a request's assignee, a hospital checking a
 * centre's child) cannot date it into the past or the far future.
 * - service_request: status done or cancelled, closed (HEARTH_REQUEST_CLOSED_ON: done_at if the
 *   owner or the office wrote it, else requested_at) before the cutoff, and every value another
 *   node wrote into it reached the office before the cutoff (its clock in hearth_origin);
 * - volunteer: on no team (team_id empty), named in at least one request, and every request
 *   naming it is purged; a volunteer with no request has no date to judge by and is kept;
 * - enrolment: ends_on before the cutoff;
 * - child: at least one enrolment, every enrolment purged, and no health check of it by its own
 *   centre or the office checked or due on or after the cutoff;
 * - health_check: of a child purged now; or of a child that no longer exists, checked before the
 *   cutoff and not due on or after it.
 * Vacancies count only active enrolments, so purging ended ones leaves them as they were.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "i18n.h"

/* ---- the cutoff date ---------------------------------------------------------------------- */

/* Civil date of a day number since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int month_days(int64_t y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : n[m - 1];
}

int hearth_purge_cutoff(char *out, const char *older_than, uint64_t now_ms)
{
	int64_t y, days = (int64_t)((now_ms / 1000 + 8 * 3600) / 86400); /* China time, UTC+8 */
	long n = 0;
	char unit;
	int m, d, i;

	out[0] = '\0';
	for (i = 0; older_than && older_than[i] >= '0' && older_than[i] <= '9' && i < 6; i++)
		n = n * 10 + (older_than[i] - '0');
	unit = older_than && i > 0 ? older_than[i] : '\0';
	if (!older_than || i == 0 || older_than[i] == '\0' || older_than[i + 1] != '\0' || n < 1 ||
		(unit == 'y' && n > 200) || (unit == 'm' && n > 2400) ||
		(unit == 'd' && n > 73000) || !strchr("ymd", unit))
		return hearth_error_set(HEARTH_EUSAGE,
			_("'%.40s' is not a retention period: give a number and y, m or d, like 3y, "
			"18m "
			"or 400d"),
			older_than ? older_than : "");
	civil_from_days(days, &y, &m, &d);
	if (unit == 'd') {
		civil_from_days(days - n, &y, &m, &d);
	} else {
		int64_t months = y * 12 + (m - 1) - (unit == 'y' ? n * 12 : n);
		y = months / 12;
		m = (int)(months % 12) + 1;
		if (d > month_days(y, m))
			d = month_days(y, m);
	}
	snprintf(out, 11, "%04d-%02d-%02d", (int)y, m, d);
	return 0;
}

/* ---- the purge ---------------------------------------------------------------------------- */

/* A record with a value waiting in the "to fix" list is kept: its date may be the one set aside. */
#define UNFIXED(alias, tbl)                                                                        \
	"AND NOT EXISTS (SELECT 1 FROM hearth_to_fix f WHERE f.tbl = '" tbl "' "                  \
	"AND f.owner = " alias ".owner AND f.id = " alias ".id)"

/* The rows to purge, found table by table before anything is deleted: later rules read the
 * earlier tables' choices (a child goes only with all its enrolments). ?1 is the cutoff. */
static const char *const find_sql[] = {
"INSERT INTO temp.hearth_purge_set SELECT 'service_request', r.owner, r.id "
	"FROM service_request r WHERE r.status IN ('done', 'cancelled') "
	"AND nullif(" HEARTH_REQUEST_CLOSED_ON ", '') IS NOT NULL "
	"AND substr(" HEARTH_REQUEST_CLOSED_ON ", 1, 10) < ?1 "
	"AND NOT EXISTS (SELECT 1 FROM hearth_origin o WHERE o.tbl = 'service_request' "
	" AND o.owner = r.owner AND o.id = r.id AND o.node NOT IN (r.owner, 'office') "
	" AND o.clock >= ?2) " UNFIXED("r", "service_request"),

	"INSERT INTO temp.hearth_purge_set SELECT 'volunteer', v.owner, v.id FROM volunteer v "
	"WHERE coalesce(v.team_id, '') = '' "
	"AND EXISTS (SELECT 1 FROM service_request r WHERE r.owner = v.owner "
	" AND r.volunteer_id = v.id) "
	"AND NOT EXISTS (SELECT 1 FROM service_request r WHERE r.owner = v.owner "
	" AND r.volunteer_id = v.id AND NOT EXISTS (SELECT 1 FROM temp.hearth_purge_set p "
	"  WHERE p.tbl = 'service_request' AND p.owner = r.owner AND p.id = r.id))",

	"INSERT INTO temp.hearth_purge_set SELECT 'enrolment', owner, id "
	"FROM enrolment e WHERE nullif(ends_on, '') IS NOT NULL AND substr(ends_on, 1, 10) < ?1 "
	UNFIXED("e", "enrolment"),

	"INSERT INTO temp.hearth_purge_set SELECT 'child', c.owner, c.id FROM child c "
	"WHERE EXISTS (SELECT 1 FROM enrolment e WHERE e.owner = c.owner AND e.child_id = c.id) "
	"AND NOT EXISTS (SELECT 1 FROM enrolment e WHERE e.owner = c.owner AND e.child_id = c.id "
	" AND NOT EXISTS (SELECT 1 FROM temp.hearth_purge_set p "
	"  WHERE p.tbl = 'enrolment' AND p.owner = e.owner AND p.id = e.id)) "
	"AND NOT EXISTS (SELECT 1 FROM health_check h WHERE h.centre_id = c.owner "
	" AND h.child_id = c.id AND h.owner IN (c.owner, 'office') AND (substr(coalesce(h.checked_on, ''), 1, 10) >= ?1 "
	"  OR substr(coalesce(h.next_due, ''), 1, 10) >= ?1))",

	"INSERT INTO temp.hearth_purge_set SELECT 'health_check', h.owner, h.id "
	"FROM health_check h WHERE EXISTS (SELECT 1 FROM temp.hearth_purge_set p "
	" WHERE p.tbl = 'child' AND p.owner = h.centre_id AND p.id = h.child_id) "
	"OR (NOT EXISTS (SELECT 1 FROM child c WHERE c.owner = h.centre_id AND c.id = h.child_id) "
	" AND nullif(h.checked_on, '') IS NOT NULL AND substr(h.checked_on, 1, 10) < ?1 "
	" AND (nullif(h.next_due, '') IS NULL OR substr(h.next_due, 1, 10) < ?1) "
	UNFIXED("h", "health_check") ")",
};

/* The solved requests about to go, added to the tally the site reads beside service_request:
 * the same rows and months the site counts (status done, done_at given). */
static const char tally_sql[] =
	"INSERT INTO request_tally (owner, id, service_type_id, month, solved) "
	"SELECT 'office', substr(" HEARTH_REQUEST_CLOSED_ON ", 1, 7) || '-' || r.service_type_id, "
	"r.service_type_id, substr(" HEARTH_REQUEST_CLOSED_ON ", 1, 7), COUNT(*) FROM service_request r JOIN temp.hearth_purge_set p "
	"ON p.tbl = 'service_request' AND p.owner = r.owner AND p.id = r.id "
	"WHERE r.status = 'done' AND r.done_at IS NOT NULL GROUP BY 2 "
	"ON CONFLICT (owner, id) DO UPDATE SET solved = solved + excluded.solved";

/* Children last: their enrolments point at them. */
static const char *const purge_tables[] = { "service_request", "volunteer", "health_check",
	"enrolment", "child" };
#define NTABLES (sizeof(purge_tables) / sizeof(purge_tables[0]))

int hearth_purge_table(const char *table)
{
	size_t i;

	for (i = 0; i < NTABLES; i++)
		if (strcmp(purge_tables[i], table) == 0)
			return 1;
	return 0;
}

typedef struct {
	const char *older_than;
	uint64_t now_ms;
	hearth_purge_info *info;
	char cutoff_clock[HEARTH_CLOCK_HEX + 1]; /* the cutoff's first clock (China time midnight) */
} purge_run;

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The clock of the cutoff's midnight in China time, compared as text with hearth_origin's. */
static void cutoff_clock(char *out, const char *cutoff)
{
	int64_t days = days_from_civil(atoi(cutoff), atoi(cutoff + 5), atoi(cutoff + 8));
	int64_t ms = days * (int64_t)HEARTH_DAY_MS - 8 * 3600 * 1000;

	hearth_clock_format(out, ms > 0 ? (hearth_clock)ms << 16 : 0);
}

static int step_sql(sqlite3 *h, const purge_run *p, const char *sql, int *changes)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = hearth_sql_prepare(&st, h, sql)) < 0)
		return rc;
	if (p && sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_text(st, 1, p->info->cutoff, -1, SQLITE_STATIC);
	if (p && sqlite3_bind_parameter_count(st) > 1)
		sqlite3_bind_text(st, 2, p->cutoff_clock, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot purge"));
	else if (changes)
		*changes = sqlite3_changes(h);
	sqlite3_finalize(st);
	return rc;
}

static int *count_of(hearth_purge_info *info, const char *tbl)
{
	if (strcmp(tbl, "service_request") == 0)
		return &info->requests;
	if (strcmp(tbl, "volunteer") == 0)
		return &info->volunteers;
	if (strcmp(tbl, "health_check") == 0)
		return &info->health_checks;
	if (strcmp(tbl, "enrolment") == 0)
		return &info->enrolments;
	return &info->children;
}

static int log_purge(sqlite3 *h, const purge_run *p, const char *node)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	if ((rc = hearth_sql_scalar(h, "SELECT coalesce(max(id), 0) + 1 FROM hearth_purge_log",
		     &p->info->purge_id)) < 0 ||
		(rc = hearth_sql_prepare(&st, h,
			 "INSERT INTO hearth_purge_log (id, at_ms, by_node, older_than, cutoff, "
			 "tbl, rows) "
			 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")) < 0)
		return rc;
	for (i = 0; rc == 0 && i < NTABLES; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, p->info->purge_id);
		sqlite3_bind_int64(st, 2, (int64_t)p->now_ms);
		sqlite3_bind_text(st, 3, node, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, p->older_than, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, p->info->cutoff, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, purge_tables[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, *count_of(p->info, purge_tables[i]));
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot write the purge log"));
	}
	sqlite3_finalize(st);
	return rc;
}

/* The rows to purge into temp.hearth_purge_set (what the purge removes, what its preview lists). */
static int find_set(sqlite3 *h, const purge_run *p)
{
	size_t i;
	int rc;

	if ((rc = hearth_sql_exec(h,
		     "CREATE TEMP TABLE IF NOT EXISTS hearth_purge_set (tbl TEXT NOT NULL, "
		     "owner TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (tbl, owner, id)); "
		     "DELETE FROM temp.hearth_purge_set;",
		     _("cannot purge"))) < 0)
		return rc;
	for (i = 0; rc == 0 && i < sizeof(find_sql) / sizeof(find_sql[0]); i++)
		rc = step_sql(h, p, find_sql[i], NULL);
	return rc;
}

/* The write body: find, tally, delete, then forget the values the conflict log kept of the
 * purged rows (the conflict stays, marked 'purged') and log the purge. */
static int purge_body(hearth_db *db, void *payload)
{
	purge_run *p = payload;
	sqlite3 *h = hearth_db_sqlite(db);
	hearth_buf sql = HEARTH_BUF_INIT;
	size_t i;
	int rc;

	if ((rc = find_set(h, p)) < 0)
		goto done;
	if (rc == 0)
		rc = hearth_sql_scalar(h,
			"SELECT COUNT(*) FROM service_request r JOIN temp.hearth_purge_set p "
			"ON p.tbl = 'service_request' AND p.owner = r.owner AND p.id = r.id "
			"WHERE r.status = 'done' AND r.done_at IS NOT NULL",
			&p->info->tallied);
	if (rc == 0)
		rc = step_sql(h, NULL, tally_sql, NULL);
	for (i = 0; rc == 0 && i < NTABLES; i++) {
		hearth_buf_clear(&sql);
		if ((rc = hearth_buf_printf(&sql,
			     "DELETE FROM \"%s\" WHERE (owner, id) IN (SELECT owner, id FROM "
			     "temp.hearth_purge_set WHERE tbl = '%s')",
			     purge_tables[i], purge_tables[i])) == 0)
			rc = step_sql(h, NULL, sql.ptr, count_of(p->info, purge_tables[i]));
	}
	if (rc == 0)
		rc = hearth_sql_exec(h,
			"UPDATE hearth_conflict SET kept = NULL, lost = NULL, "
			"resolved = coalesce(resolved, 'purged') WHERE (tbl, owner, row_id) IN "
			"(SELECT tbl, owner, id FROM temp.hearth_purge_set)",
			N_("cannot purge the conflict log"));
	if (rc == 0) /* history keeps no change of a purged record */
		rc = hearth_history_forget(h, "temp.hearth_purge_set");
	if (rc == 0)
		rc = log_purge(h, p, hearth_db_node(db));
	/* the office's next sync with each node retires the keys that sealed what was purged
	 * (sync/keys.c), once it merged what the node pushed with them */
	if (rc == 0 && hearth_sql_count(h, "SELECT count(*) FROM sqlite_master "
					   "WHERE name = 'hearth_key'") == 1)
		rc = hearth_sql_exec(h,
			"INSERT OR REPLACE INTO hearth_meta (key, value) "
			"SELECT DISTINCT 'retire_due.' || node, '1' FROM hearth_key",
			N_("cannot purge"));
	if (rc == 0) /* until the file is rewritten (below, or at the next sync) */
		rc = hearth_meta_set(db, "forget_due", "1");
	if (rc == 0)
		rc = hearth_sql_exec(h, "DROP TABLE temp.hearth_purge_set", N_("cannot purge"));
done:
	hearth_buf_dispose(&sql);
	return rc;
}

int hearth_purge(hearth_db *db, const char *older_than, hearth_purge_info *out)
{
	hearth_purge_info info;
	hearth_write_info w;
	purge_run p;
	char summary[128];
	int rc;

	memset(&info, 0, sizeof(info));
	if (out)
		memset(out, 0, sizeof(*out));
	if (!older_than)
		older_than = HEARTH_PURGE_DEFAULT;
	p.older_than = older_than;
	p.now_ms = hearth_time_now_ms();
	p.info = &info;
	if (!hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EDENIED,
			_("purge runs at the office only: this is node '%s' (the purge reaches the "
			"nodes with the next sync)"),
			hearth_db_node(db));
	if ((rc = hearth_purge_cutoff(info.cutoff, older_than, p.now_ms)) < 0)
		return rc;
	cutoff_clock(p.cutoff_clock, info.cutoff);
	snprintf(summary, sizeof(summary),
		"purge: personal records closed before %s (older than %s)", info.cutoff,
		older_than);
	db->keys_only = 1;
	rc = hearth_write_run(db, purge_body, &p, summary, &w);
	db->keys_only = 0;
	if (rc < 0)
		return rc;
	/* no purged value stays in a free page or in the WAL; if another connection holds the
	 * database now, the next sync does it (forget_due stays) */
	hearth_db_forget_finish(db);
	hearth_error_clear();
	info.seq = w.seq;
	if (out)
		*out = info;
	return 0;
}

/* ---- the preview ---------------------------------------------------------------------------- */

/* Each row to purge with the words a clerk reads: a child's name, whose enrolment or check, the
 * service and day of a request; in the order the purge removes them. */
static const char preview_sql[] =
	"SELECT p.tbl, p.owner, p.id, CASE p.tbl "
	"WHEN 'child' THEN (SELECT c.name FROM child c WHERE c.owner = p.owner AND c.id = p.id) "
	"WHEN 'volunteer' THEN (SELECT v.name FROM volunteer v WHERE v.owner = p.owner "
	" AND v.id = p.id) "
	"WHEN 'enrolment' THEN (SELECT coalesce((SELECT c.name FROM child c WHERE c.owner = e.owner "
	" AND c.id = e.child_id), e.child_id) || ' · ' || coalesce(e.ends_on, '') FROM enrolment e "
	" WHERE e.owner = p.owner AND e.id = p.id) "
	"WHEN 'health_check' THEN (SELECT coalesce((SELECT c.name FROM child c "
	" WHERE c.owner = h.centre_id AND c.id = h.child_id), h.child_id) || ' · ' || "
	" coalesce(h.checked_on, '') FROM health_check h WHERE h.owner = p.owner AND h.id = p.id) "
	"ELSE (SELECT coalesce((SELECT s.name FROM service_type s WHERE s.id = r.service_type_id), "
	" r.service_type_id) || ' · ' || substr(r.requested_at, 1, 10) FROM service_request r "
	" WHERE r.owner = p.owner AND r.id = p.id) END "
	"FROM temp.hearth_purge_set p ORDER BY CASE p.tbl WHEN 'service_request' THEN 1 "
	"WHEN 'volunteer' THEN 2 WHEN 'health_check' THEN 3 WHEN 'enrolment' THEN 4 ELSE 5 END, "
	"p.owner, p.id";

static char *dup_col(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return strdup(t ? t : "");
}

static int preview_read(sqlite3 *h, hearth_purge_plan *pv)
{
	sqlite3_stmt *st = NULL;
	int rc, cap = 0;

	if ((rc = hearth_sql_prepare(&st, h, preview_sql)) < 0)
		return rc;
	while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		hearth_purge_item *it;
		rc = 0;
		if (pv->n == cap) {
			hearth_purge_item *grown = realloc(pv->items, (size_t)(cap ? cap * 2 : 16) *
							 sizeof(*grown));
			if (!grown) {
				rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
				break;
			}
			pv->items = grown;
			cap = cap ? cap * 2 : 16;
		}
		it = &pv->items[pv->n];
		it->table = dup_col(st, 0);
		it->owner = dup_col(st, 1);
		it->id = dup_col(st, 2);
		it->name = dup_col(st, 3);
		pv->n++;
		if (!it->table || !it->owner || !it->id || !it->name)
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		else
			(*count_of(&pv->info, it->table))++;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot purge"));
	sqlite3_finalize(st);
	return rc;
}

int hearth_purge_preview(hearth_db *db, const char *older_than, hearth_purge_plan **out)
{
	sqlite3 *h = hearth_db_sqlite(db);
	hearth_purge_plan *pv;
	purge_run p;
	int rc;

	*out = NULL;
	if (!older_than)
		older_than = HEARTH_PURGE_DEFAULT;
	if (!hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EDENIED,
			_("purge runs at the office only: this is node '%s' (the purge reaches the "
			"nodes with the next sync)"),
			hearth_db_node(db));
	if (!(pv = calloc(1, sizeof(*pv))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	p.older_than = older_than;
	p.now_ms = hearth_time_now_ms();
	p.info = &pv->info;
	if ((rc = hearth_purge_cutoff(pv->info.cutoff, older_than, p.now_ms)) < 0) {
		hearth_purge_plan_free(pv);
		return rc;
	}
	cutoff_clock(p.cutoff_clock, pv->info.cutoff);
	/* one read of one snapshot; the temporary set goes with the rollback */
	if ((rc = hearth_sql_exec(h, "SAVEPOINT hearth_purge_preview", _("cannot purge"))) < 0) {
		hearth_purge_plan_free(pv);
		return rc;
	}
	rc = find_set(h, &p);
	if (rc == 0)
		rc = preview_read(h, pv);
	sqlite3_exec(h, "DROP TABLE IF EXISTS temp.hearth_purge_set; "
			"ROLLBACK TO hearth_purge_preview; RELEASE hearth_purge_preview",
		NULL, NULL, NULL);
	if (rc < 0) {
		hearth_purge_plan_free(pv);
		return rc;
	}
	*out = pv;
	return 0;
}

void hearth_purge_plan_free(hearth_purge_plan *pv)
{
	int i;

	if (!pv)
		return;
	for (i = 0; i < pv->n; i++) {
		free(pv->items[i].table);
		free(pv->items[i].owner);
		free(pv->items[i].id);
		free(pv->items[i].name);
	}
	free(pv->items);
	free(pv);
}
