/* status and log: what this node holds, what is pending, how syncing went. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static long long scalar(hearth_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = 0;

	if (sqlite3_prepare_v2(hearth_db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Age as a short human string: "3 min", "2 h", "8 days". */
static void age_text(char *out, size_t n, long long ms)
{
	long long s = ms / 1000;

	if (s < 120)
		snprintf(out, n, "%lld s", s);
	else if (s < 7200)
		snprintf(out, n, "%lld min", s / 60);
	else if (s < 172800)
		snprintf(out, n, "%lld h", s / 3600);
	else
		snprintf(out, n, "%lld days", s / 86400);
}

static int status_json(hearth_db *db, hearth_buf *out)
{
	hearth_clock clock;
	char hex[HEARTH_CLOCK_HEX + 1];
	hearth_buf remotes = HEARTH_BUF_INIT;
	int rc;

	hearth_db_clock_get(db, &clock);
	hearth_clock_format(hex, clock);
	rc = hearth_buf_puts(out, "{\"node\": ");
	if (rc == 0)
		rc = hearth_json_string(out, hearth_db_node(db), strlen(hearth_db_node(db)));
	if (rc == 0)
		rc = hearth_buf_puts(out, ", \"kind\": ");
	if (rc == 0)
		rc = hearth_json_string(out, hearth_db_kind(db), strlen(hearth_db_kind(db)));
	if (rc == 0)
		rc = hearth_buf_printf(out,
			", \"schema_version\": %d, \"clock\": \"%s\", \"pending\": %lld, "
			"\"unpushed\": %lld, \"pushed_unacked\": %lld, \"open_conflicts\": %lld, "
			"\"quarantined\": %lld, \"remotes\": ",
			hearth_db_schema_version(db), hex,
			scalar(db, "SELECT count(*) FROM hearth_outbox"),
			scalar(db, "SELECT count(*) FROM hearth_outbox WHERE pushed = 0"),
			scalar(db, "SELECT count(*) FROM hearth_outbox WHERE pushed = 1"),
			scalar(db, "SELECT count(*) FROM hearth_conflict WHERE resolved IS NULL"),
			scalar(db, "SELECT count(*) FROM hearth_quarantine"));
	if (rc == 0)
		rc = hearth_query(db,
			"SELECT name, url, last_sync_ms, last_seen_ms, last_error, last_error_ms "
			"FROM hearth_remote ORDER BY name",
			HEARTH_FORMAT_JSON, &remotes);
	if (rc == 0) {
		while (remotes.size && remotes.ptr[remotes.size - 1] == '\n')
			remotes.ptr[--remotes.size] = '\0';
		rc = hearth_buf_put(out, remotes.ptr, remotes.size);
	}
	if (rc == 0)
		rc = hearth_buf_puts(out, "}\n");
	hearth_buf_dispose(&remotes);
	return rc;
}

static int status_text(hearth_db *db, hearth_buf *out)
{
	sqlite3_stmt *st = NULL;
	uint64_t now = hearth_time_now_ms();
	int rc;

	rc = hearth_buf_printf(out, "node %s (%s), schema %d\n", hearth_db_node(db),
		hearth_db_kind(db), hearth_db_schema_version(db));
	if (rc == 0)
		rc = hearth_buf_printf(out, "pending: %lld change(s) not yet pushed, %lld pushed and "
					    "waiting for the office\n",
			scalar(db, "SELECT count(*) FROM hearth_outbox WHERE pushed = 0"),
			scalar(db, "SELECT count(*) FROM hearth_outbox WHERE pushed = 1"));
	if (rc == 0 && hearth_db_is_office(db))
		rc = hearth_buf_printf(out,
			"open conflicts: %lld (hearth conflicts list); quarantined commits: %lld\n",
			scalar(db, "SELECT count(*) FROM hearth_conflict WHERE resolved IS NULL"),
			scalar(db, "SELECT count(*) FROM hearth_quarantine"));
	if (rc == 0 && hearth_db_is_office(db)) {
		sqlite3_stmt *q = NULL;
		if (sqlite3_prepare_v2(hearth_db_sqlite(db),
			    "SELECT node, commit_id, coalesce(seq, ''), reason FROM hearth_quarantine "
			    "ORDER BY node, at_ms", -1, &q, NULL) == SQLITE_OK)
			while (rc == 0 && sqlite3_step(q) == SQLITE_ROW)
				rc = hearth_buf_printf(out, "  quarantined %s commit %.12s seq %s: %s\n",
					sqlite3_column_text(q, 0), sqlite3_column_text(q, 1),
					sqlite3_column_text(q, 2), sqlite3_column_text(q, 3));
		sqlite3_finalize(q);
	}
	if (rc < 0 || sqlite3_prepare_v2(hearth_db_sqlite(db),
			      "SELECT name, url, last_sync_ms, last_error, last_error_ms "
			      "FROM hearth_remote ORDER BY name",
			      -1, &st, NULL) != SQLITE_OK)
		return rc < 0 ? rc : hearth_error_sqlite(hearth_db_sqlite(db), -1, "status");
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		char age[32] = "never";
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			age_text(age, sizeof(age), (long long)now - sqlite3_column_int64(st, 2));
			strcat(age, " ago");
		}
		rc = hearth_buf_printf(out, "remote %s %s: last sync %s\n",
			sqlite3_column_text(st, 0), sqlite3_column_text(st, 1), age);
		if (rc == 0 && sqlite3_column_type(st, 3) != SQLITE_NULL) {
			char eage[32];
			age_text(eage, sizeof(eage), (long long)now - sqlite3_column_int64(st, 4));
			rc = hearth_buf_printf(out, "  last error (%s ago): %s\n", eage,
				sqlite3_column_text(st, 3));
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int cmd_status(cli_ctx *ctx)
{
	int json = cli_opt_flag(ctx, "--json");
	hearth_buf out = HEARTH_BUF_INIT;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "status")) != EXIT_OK)
		return rc;
	if (ctx->argc)
		return cli_usage("status", "unexpected argument '%s'", ctx->argv[0]);
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if ((json ? status_json(db, &out) : status_text(db, &out)) < 0)
		rc = cli_fail();
	else
		rc = cli_print(&out);
	hearth_buf_dispose(&out);
	hearth_db_free(db);
	return rc;
}

int cmd_log(cli_ctx *ctx)
{
	int json = cli_opt_flag(ctx, "--json");
	const char *n = cli_opt_value(ctx, "-n");
	hearth_buf out = HEARTH_BUF_INIT;
	hearth_db *db;
	long limit = 20;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "log")) != EXIT_OK)
		return rc;
	if (n) {
		char *end;
		limit = strtol(n, &end, 10);
		if (*end || limit < 0)
			return cli_usage("log", "-n takes a number");
	}
	if (ctx->argc)
		return cli_usage("log", "unexpected argument '%s'", ctx->argv[0]);
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_history_log(db, limit, json ? HEARTH_FORMAT_JSON : HEARTH_FORMAT_TEXT, &out) < 0)
		rc = cli_fail();
	else
		rc = cli_print(&out);
	hearth_buf_dispose(&out);
	hearth_db_free(db);
	return rc;
}
