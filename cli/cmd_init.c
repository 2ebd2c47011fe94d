/* init: a new node, with its key when given one (hence sync/, and hearth-full). */
#include <stdio.h>
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
