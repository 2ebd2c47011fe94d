/* Seeing and undoing changes: log, show, history, undo; and the node's settings (config). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* show and history: `nargs` arguments, then the library's text or JSON printed. */
static int print_history(cli_ctx *ctx, const char *cmd, int nargs, const char *what)
{
	hearth_format format = cli_opt_flag(ctx, "--json") ? HEARTH_FORMAT_JSON : HEARTH_FORMAT_TEXT;
	hearth_buf out = HEARTH_BUF_INIT;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, cmd)) != EXIT_OK)
		return rc;
	if (ctx->argc != nargs)
		return cli_usage(cmd, _("give %s"), what);
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if ((nargs == 1 ? hearth_history_show(db, ctx->argv[0], format, &out)
			: hearth_history_record(db, ctx->argv[0], ctx->argv[1], format, &out)) < 0)
		rc = cli_fail();
	else
		rc = cli_print(&out);
	hearth_buf_dispose(&out);
	hearth_db_free(db);
	return rc;
}

int cmd_show(cli_ctx *ctx)
{
	return print_history(ctx, "show", 1, _("one change, as 'hearth log' names it"));
}

int cmd_history(cli_ctx *ctx)
{
	return print_history(ctx, "history", 2, _("a table and a record id"));
}

static int count_lines(const hearth_buf *b)
{
	int n = 0;
	size_t i;

	for (i = 0; i < b->size; i++)
		n += b->ptr[i] == '\n';
	return n;
}

int cmd_undo(cli_ctx *ctx)
{
	int force = cli_opt_flag(ctx, "--force");
	hearth_buf skipped = HEARTH_BUF_INIT;
	hearth_write_info info;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "undo")) != EXIT_OK)
		return rc;
	if (ctx->argc != 1)
		return cli_usage("undo", _("give one change, as 'hearth log' names it"));
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_undo(db, ctx->argv[0], force, &skipped, &info) < 0) {
		if (skipped.size)
			fprintf(stderr, _("changed since:\n%s"), skipped.ptr);
		rc = cli_fail();
	} else if (!info.seq) {
		fprintf(stderr, _("%shearth: nothing to undo in change %s: it changes nothing any more\n"),
			skipped.ptr, ctx->argv[0]);
		rc = EXIT_FAIL;
	} else {
		if (skipped.size)
			printf(_("skipped %d (changed since):\n%s"), count_lines(&skipped), skipped.ptr);
		printf(P_("recorded change %lld: undo of %s, %d row\n",
			       "recorded change %lld: undo of %s, %d rows\n", info.changes),
			(long long)info.seq, ctx->argv[0], info.changes);
		rc = EXIT_OK;
	}
	hearth_buf_dispose(&skipped);
	hearth_db_free(db);
	return rc;
}

/* The node's settings, kept in its database (never synced). */
int cmd_config(cli_ctx *ctx)
{
	hearth_db *db;
	char *end = NULL;
	long rows;
	int rc = EXIT_OK;

	if ((rc = cli_no_unknown_opts(ctx, "config")) != EXIT_OK)
		return rc;
	if (ctx->argc < 1 || ctx->argc > 2 || strcmp(ctx->argv[0], "wide-change-rows") != 0)
		return cli_usage("config", _("the setting is wide-change-rows"));
	if (ctx->argc == 2) {
		rows = strtol(ctx->argv[1], &end, 10);
		if (!*ctx->argv[1] || *end || rows < 0 || rows > 1000000000)
			return cli_usage("config", _("wide-change-rows takes a number of rows (0: no guard)"));
	}
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (ctx->argc == 2 && hearth_meta_set(db, "wide_change_rows", ctx->argv[1]) < 0)
		rc = cli_fail();
	else
		printf("wide-change-rows %d\n", hearth_wide_rows(db));
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
			return cli_usage("log", _("-n takes a number"));
	}
	if (ctx->argc)
		return cli_usage("log", _("unexpected argument '%s'"), ctx->argv[0]);
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
