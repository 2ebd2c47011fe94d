/* Commands on the local database: init, exec, query, dump, backup (import: cmd_import.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sync/hearth_sync.h"

int cmd_init(cli_ctx *ctx)
{
	const char *node = cli_opt_value(ctx, "--node");
	const char *kind = cli_opt_value(ctx, "--kind");
	const char *name = cli_opt_value(ctx, "--name");
	const char *region = cli_opt_value(ctx, "--region");
	const char *key = cli_opt_value(ctx, "--key");
	hearth_buf code = HEARTH_BUF_INIT;
	hearth_db *db = NULL;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "init")) != EXIT_OK)
		return rc;
	if (!node || !kind || !name || ctx->argc)
		return cli_usage("init", _("--node, --kind and --name are required"));
	/* the code is read first: a bad file leaves no half-made node */
	if (key && (rc = cli_key_read(&code, key)) != EXIT_OK)
		return rc;
	if (key && hearth_key_code_check(code.ptr, node) < 0) {
		hearth_buf_dispose(&code);
		return cli_fail();
	}
	if (hearth_db_create(&db, ctx->dir, node, kind, name, region) < 0) {
		hearth_buf_dispose(&code);
		return cli_fail();
	}
	if (key && hearth_key_import(db, code.ptr) < 0) {
		rc = cli_fail();
		memset(code.ptr, 0, code.size);
		hearth_buf_dispose(&code);
		hearth_db_free(db);
		return rc;
	}
	memset(code.ptr, 0, code.size);
	hearth_buf_dispose(&code);
	printf(_("initialised %s '%s' (%s) in %s\n"), kind, node, name, ctx->dir);
	hearth_db_free(db);
	return EXIT_OK;
}

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
