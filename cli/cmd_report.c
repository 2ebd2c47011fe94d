/* report: the private summary for staff, as Markdown or HTML, on stdout or into a file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "site-gen/hearth_site.h"

static int write_file(const char *path, const hearth_buf *b)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f) {
		fprintf(stderr, _("hearth report: cannot write '%s': %s\n"), path, strerror(errno));
		return EXIT_FAIL;
	}
	ok = fwrite(b->ptr, 1, b->size, f) == b->size;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok) {
		fprintf(stderr, _("hearth report: cannot write '%s': %s\n"), path, strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cmd_report(cli_ctx *ctx)
{
	int html = cli_opt_flag(ctx, "--html");
	const char *out = cli_opt_value(ctx, "--out");
	hearth_buf b = HEARTH_BUF_INIT;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "report")) != EXIT_OK)
		return rc;
	if (ctx->argc)
		return cli_usage("report", _("unexpected argument '%s'"), ctx->argv[0]);
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_report(&b, db, html, hearth_time_now_ms()) < 0)
		rc = cli_fail();
	else
		rc = out ? write_file(out, &b) : cli_print(&b);
	hearth_buf_dispose(&b);
	hearth_db_free(db);
	return rc;
}
