/* site build: the public website from the office database. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "site-gen/hearth_site.h"

int cmd_site(cli_ctx *ctx)
{
	const char *out = cli_opt_value(ctx, "--out");
	const char *base = cli_opt_value(ctx, "--base-url");
	hearth_site_opts opts;
	hearth_site_stats stats;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "site")) != EXIT_OK)
		return rc;
	if (ctx->argc != 1 || strcmp(ctx->argv[0], "build") != 0 || !out)
		return cli_usage("site", _("use 'site build --out DIR'"));
	memset(&opts, 0, sizeof(opts));
	opts.base_url = base;
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_site_build(db, out, &opts, &stats) < 0)
		rc = cli_fail();
	else {
		printf(_("site: %d pages in %s (%d files written, %d unchanged, %d removed)\n"),
			stats.pages, out, stats.files_written, stats.files_unchanged,
			stats.files_removed);
		rc = EXIT_OK;
	}
	hearth_db_free(db);
	return rc;
}
