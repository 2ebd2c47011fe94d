/* purge: retention at the office, as one recorded change that reaches the nodes. */
#include <stdio.h>

#include "cli.h"

int cmd_purge(cli_ctx *ctx)
{
	const char *older = cli_opt_value(ctx, "--older-than");
	hearth_purge_info info;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "purge")) != EXIT_OK)
		return rc;
	if (ctx->argc)
		return cli_usage("purge", _("unexpected argument '%s'"), ctx->argv[0]);
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_purge(db, older, &info) < 0) {
		rc = cli_fail();
	} else {
		printf(_("purge %lld: records closed before %s: %d service_request, %d volunteer, "
			 "%d health_check, %d enrolment, %d child row(s) removed; %lld solved "
			 "request(s) kept in request_tally\n"),
			(long long)info.purge_id, info.cutoff, info.requests, info.volunteers,
			info.health_checks, info.enrolments, info.children,
			(long long)info.tallied);
		if (info.seq)
			printf(_("recorded as change %lld: the next sync takes it to the nodes\n"),
				(long long)info.seq);
		rc = EXIT_OK;
	}
	hearth_db_free(db);
	return rc;
}
