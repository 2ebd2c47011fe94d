/* Commands on the local database: exec, query, dump, backup (import: cmd_import.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_exec(cli_ctx *ctx)
{
	int yes = cli_opt_flag(ctx, "--yes");
	hearth_write_info info;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "exec")) != EXIT_OK)
		return rc;
	if (ctx->argc != 1)
		return cli_usage("exec", _("give the SQL as one argument"));
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (!yes)
		hearth_db_set_wide_limit(db, hearth_wide_rows(db));
	if (hearth_write_exec(db, ctx->argv[0], &info) < 0) {
		rc = cli_fail();
	} else {
		if (info.seq)
			printf(P_("recorded change %lld: %d row\n", "recorded change %lld: %d rows\n",
				       info.changes),
				(long long)info.seq, info.changes);
		else
			printf(_("no rows changed\n"));
		rc = EXIT_OK;
	}
	hearth_db_free(db);
	return rc;
}

int cmd_query(cli_ctx *ctx)
{
	int json = cli_opt_flag(ctx, "--json");
	int csv = cli_opt_flag(ctx, "--csv");
	hearth_buf out = HEARTH_BUF_INIT;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "query")) != EXIT_OK)
		return rc;
	if (ctx->argc != 1 || (json && csv))
		return cli_usage("query", _("give the SQL as one argument and at most one format"));
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_query(db, ctx->argv[0],
		    json ? HEARTH_FORMAT_JSON : csv ? HEARTH_FORMAT_CSV : HEARTH_FORMAT_TEXT, &out) < 0)
		rc = cli_fail();
	else
		rc = cli_print(&out);
	hearth_buf_dispose(&out);
	hearth_db_free(db);
	return rc;
}

int cmd_dump(cli_ctx *ctx)
{
	const char *for_node = cli_opt_value(ctx, "--for");
	hearth_buf out = HEARTH_BUF_INIT;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "dump")) != EXIT_OK)
		return rc;
	if (ctx->argc)
		return cli_usage("dump", _("unexpected argument '%s'"), ctx->argv[0]);
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_dump(db, for_node, &out) < 0)
		rc = cli_fail();
	else
		rc = cli_print(&out);
	hearth_buf_dispose(&out);
	hearth_db_free(db);
	return rc;
}

int cmd_backup(cli_ctx *ctx)
{
	int force = cli_opt_flag(ctx, "--force");
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "backup")) != EXIT_OK)
		return rc;
	if (ctx->argc != 1)
		return cli_usage("backup", _("give the backup's file name"));
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_db_backup(db, ctx->argv[0], force) < 0)
		rc = cli_fail();
	else
		printf(_("backup of '%s' written to %s (restoring it: see BACKUP in 'man hearth')\n"),
			hearth_db_node(db), ctx->argv[0]);
	hearth_db_free(db);
	return rc;
}
