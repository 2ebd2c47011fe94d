/* Sheets in and out: import (CSV as Excel writes it) and template (a CSV to fill in Excel). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/i18n.h"

#define CSV_MAX (64u << 20)

int cmd_import(cli_ctx *ctx)
{
	int update = cli_opt_flag(ctx, "--update");
	hearth_buf data = HEARTH_BUF_INIT, report = HEARTH_BUF_INIT;
	hearth_import_info info;
	hearth_db *db = NULL;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "import")) != EXIT_OK)
		return rc;
	if (ctx->argc != 2)
		return cli_usage("import", _("give a table and a CSV file"));
	if (cli_read_file(&data, ctx->argv[1], CSV_MAX) < 0) {
		rc = cli_fail();
		goto done;
	}
	if (!(db = cli_open(ctx))) {
		rc = EXIT_FAIL;
		goto done;
	}
	if (hearth_import_sheet(db, ctx->argv[0], data.ptr, data.size,
		    update ? HEARTH_IMPORT_UPDATE : 0, &report, &info) < 0) {
		/* every refused cell, one line each, then "nothing imported" */
		fputs(report.ptr, stderr);
		rc = cli_fail();
	} else if (!info.rows) {
		printf(_("%s: no rows to import (only the header, '#' notes or empty rows)\n"),
			ctx->argv[0]);
		rc = EXIT_OK;
	} else if (!info.write.seq) {
		printf(P_("%s: nothing to change (%d row as it was)\n",
			       "%s: nothing to change (%d rows as they were)\n", info.rows),
			ctx->argv[0], info.rows);
		rc = EXIT_OK;
	} else if (!update) {
		printf(P_("imported %d row into %s (change %lld)\n",
			       "imported %d rows into %s (change %lld)\n", info.write.changes),
			info.write.changes, ctx->argv[0], (long long)info.write.seq);
		rc = EXIT_OK;
	} else {
		/* TRANSLATORS: table, rows added, rows updated, the change's number */
		printf(_("%s: %d added, %d updated (change %lld)\n"), ctx->argv[0], info.added,
			info.updated, (long long)info.write.seq);
		rc = EXIT_OK;
	}
done:
	hearth_buf_dispose(&data);
	hearth_buf_dispose(&report);
	hearth_db_free(db);
	return rc;
}

int cmd_template(cli_ctx *ctx)
{
	const char *lang = cli_opt_value(ctx, "--lang");
	hearth_buf out = HEARTH_BUF_INIT;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "template")) != EXIT_OK)
		return rc;
	if (ctx->argc != 1)
		return cli_usage("template", _("give a table"));
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_csv_template(db, ctx->argv[0], lang, &out) < 0)
		rc = cli_fail();
	else
		rc = cli_print(&out);
	hearth_buf_dispose(&out);
	hearth_db_free(db);
	return rc;
}
