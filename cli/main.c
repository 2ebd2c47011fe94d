/* hearth's entry point: global options, then one command from the table below. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/i18n.h"

/* `hearth` itself links only core/ and SQLite, so that a command on the local database (exec,
 * query, log, ...) starts without loading libgit2, libmicrohttpd, cmark and the TLS and crypto
 * libraries under them (docs/performance.md, figure 3). A command marked FULL runs in
 * hearth-full, installed next to it, which holds every command: cli_companion_exec() hands it
 * the same argv. The test-only builds of hearth (tests/integration) hold every command too. */
#ifdef HEARTH_CLI_LEAN
#define FULL(fn) NULL
#else
#define FULL(fn) fn
#endif

const cli_command cli_commands[] = {
	{ "init", FULL(cmd_init),
		"init --node ID --kind KIND --name NAME [--region REGION] [--key FILE]",
		N_("create a node in DIR") },
	{ "exec", cmd_exec, "exec [--yes] SQL",
		N_("one recorded, atomic change; refuses foreign owners and, without --yes, wide ones") },
	{ "query", cmd_query, "query [--json|--csv] SQL", N_("read-only query") },
	{ "import", cmd_import, "import [--update] TABLE FILE.csv",
		N_("import CSV rows (as Excel saves them) as one recorded change") },
	{ "template", cmd_template, "template TABLE [--lang zh|en]",
		N_("a CSV to fill in Excel for TABLE, with its labels and allowed values") },
	{ "status", FULL(cmd_status), "status [--json]",
		N_("node, pending changes, clock, sync state") },
	{ "log", cmd_log, "log [--json] [-n N]", N_("recorded changes, newest first") },
	{ "show", cmd_show, "show [--json] CHANGE", N_("one change: when, who, each row old -> new") },
	{ "history", cmd_history, "history [--json] TABLE [OWNER/]ID",
		N_("every change that touched one record, newest first") },
	{ "undo", cmd_undo, "undo [--force] CHANGE", N_("record the inverse of a change as a new one") },
	{ "config", cmd_config, "config wide-change-rows [N]",
		N_("rows an exec may change without --yes (default 20; 0: no guard)") },
	{ "remote", FULL(cmd_remote), "remote add|set-url|remove|list [NAME [URL]] [--init]",
		N_("manage remotes (at the office, NAME is the node id)") },
	{ "push", FULL(cmd_push), "push [REMOTE]",
		N_("send pending changes on the node's `up` branch") },
	{ "pull", FULL(cmd_pull), "pull [REMOTE]",
		N_("apply the office's merged changes from `down`") },
	{ "sync", FULL(cmd_sync), "sync [REMOTE]",
		N_("node: pull then push; office: fetch all, merge, publish all") },
	{ "rejoin", FULL(cmd_rejoin), "rejoin [REMOTE]",
		N_("bring back a copy of this node that another copy overtook, losing nothing") },
	{ "quarantine", FULL(cmd_quarantine), "quarantine [list|show|release|drop COMMIT]",
		N_("office: commits refused by the merge, and what was done with them") },
	{ "conflicts", FULL(cmd_conflicts),
		"conflicts [list|show ID|resolve ID [--restore]] [--json]",
		N_("values that lost a merge, kept for review") },
	{ "snapshot", FULL(cmd_snapshot), "snapshot NODE|--all",
		N_("office: write a full-state commit on a node's down (for restores)") },
	{ "clone", FULL(cmd_clone), "clone URL --node ID [--key FILE]",
		N_("restore a lost or replaced node from its repository into DIR") },
	{ "key", FULL(cmd_key),
		"key [status|issue|rotate|revoke|code NODE [--out FILE]|import FILE]",
		N_("office: the keys that seal each node's log; node: take an enrolment code") },
	{ "backup", cmd_backup, "backup FILE [--force]",
		N_("a consistent copy of the node's database, taken while it is in use") },
	{ "dump", cmd_dump, "dump [--for NODE]", N_("canonical sorted text of the synced rows") },
	{ "site", FULL(cmd_site), "site build --out DIR [--base-url URL]",
		N_("build the public website from the office database") },
	{ "report", FULL(cmd_report), "report [--html] [--out FILE]",
		N_("private summary for staff: sync state, conflicts, requests, full classes") },
	{ "purge", cmd_purge, "purge [--older-than DURATION]",
		N_("office: remove personal rows of records closed longer ago (default 3y)") },
	{ "serve", FULL(cmd_serve),
		"serve [--listen ADDR:PORT] [--cert FILE --key FILE] [--insecure-http] [DIR]",
		N_("the node's own app for browsers and phones (127.0.0.1:8080 by default)") },
	{ "user", FULL(cmd_user), "user add NAME --role ROLE | list | passwd NAME | remove NAME",
		N_("accounts of the app (admin, staff, volunteer, viewer); never synced") },
	{ "demo", FULL(cmd_demo), "demo [--out DIR] [--force] [--serve]",
		N_("the whole story on an embedded default, no server") },
	{ "help", cmd_help, "help [COMMAND]", N_("show help") },
	{ NULL, NULL, NULL, NULL },
};

const cli_command *cli_command_find(const char *name)
{
	const cli_command *c;

	for (c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void usage_all(FILE *f)
{
	const cli_command *c;

	fprintf(f, _("usage: hearth [-C DIR] COMMAND [ARGS]\n\n"));
	for (c = cli_commands; c->name; c++)
		fprintf(f, "  hearth %-52s %s\n", c->usage, _(c->summary));
	fprintf(f, _("\nDIR defaults to $HEARTH_DIR, else the current folder. "
		   "'hearth help COMMAND' for one command; 'man hearth' for all.\n"));
}

int cmd_help(cli_ctx *ctx)
{
	const cli_command *c;

	if (ctx->argc == 0) {
		usage_all(stdout);
		return EXIT_OK;
	}
	if (!(c = cli_command_find(ctx->argv[0])))
		return cli_usage("help", _("unknown command '%s'"), ctx->argv[0]);
	printf(_("usage: hearth [-C DIR] %s\n%s\n"), c->usage, _(c->summary));
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	cli_ctx ctx = { NULL, 0, NULL };
	const cli_command *c;
	const char *fake_now = getenv("HEARTH_TEST_NOW_MS");
	int i = 1;

	hearth_i18n_init();
	if (fake_now && *fake_now)
		hearth_time_override(strtoull(fake_now, NULL, 10));
	ctx.dir = getenv("HEARTH_DIR");
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) {
			ctx.dir = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("hearth %s (schema %d, sqlite %s)\n", HEARTH_VERSION,
				hearth_schema_version_max(), hearth_sqlite_version());
			return EXIT_OK;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage_all(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, _("hearth: unknown option '%s'\n"), argv[i]);
			usage_all(stderr);
			return EXIT_USAGE;
		}
	}
	if (!ctx.dir || !*ctx.dir)
		ctx.dir = ".";
	if (i >= argc) {
		usage_all(stderr);
		return EXIT_USAGE;
	}
	if (!(c = cli_command_find(argv[i]))) {
		fprintf(stderr, _("hearth: unknown command '%s' (see 'hearth help')\n"), argv[i]);
		return EXIT_USAGE;
	}
	if (!c->run)
		return cli_companion_exec(c->name, argv);
	ctx.argc = argc - i - 1;
	ctx.argv = argv + i + 1;
	return c->run(&ctx);
}
