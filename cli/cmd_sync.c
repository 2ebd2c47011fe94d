/* Commands that talk to remotes or read the merge results: remote, push, pull, sync, conflicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "cli.h"
#include "core/hearth_status.h"
#include "sync/hearth_sync.h"

static int remote_list(hearth_db *db)
{
	hearth_status *s = NULL;
	int i;

	if (hearth_status_read(&s, db) < 0)
		return cli_fail();
	for (i = 0; i < s->nremotes; i++)
		printf("%s %s\n", s->remotes[i].name, s->remotes[i].url);
	hearth_status_free(s);
	return EXIT_OK;
}

/* add and set-url: the URL as stored (a relative path made absolute) is printed back */
static int remote_set(hearth_db *db, const char *name, const char *url, unsigned flags,
	const char *key)
{
	hearth_buf stored = HEARTH_BUF_INIT;
	int rc = EXIT_OK;

	if (hearth_sync_init() < 0 || hearth_remote_set(db, name, url, flags, &stored) < 0 ||
	    (key && hearth_meta_set(db, "ssh_key", key) < 0))
		rc = cli_fail();
	else
		printf(flags & HEARTH_REMOTE_REPLACE ? _("changed remote '%s' %s\n")
						      : _("added remote '%s' %s\n"),
			name, stored.ptr);
	hearth_buf_dispose(&stored);
	hearth_sync_shutdown();
	return rc;
}

int cmd_remote(cli_ctx *ctx)
{
	const char *key = cli_opt_value(ctx, "--ssh-key");
	unsigned flags = cli_opt_flag(ctx, "--init") ? HEARTH_REMOTE_INIT : 0;
	const char *sub = ctx->argc ? ctx->argv[0] : "list";
	int set_url = strcmp(sub, "set-url") == 0;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "remote")) != EXIT_OK)
		return rc;
	if ((strcmp(sub, "add") == 0 || set_url) && ctx->argc != 3)
		return cli_usage("remote", _("'remote %s' takes a name and a URL"), sub);
	if (strcmp(sub, "remove") == 0 && ctx->argc != 2)
		return cli_usage("remote", _("'remote remove' takes a name"));
	if (strcmp(sub, "add") && !set_url && strcmp(sub, "remove") && strcmp(sub, "list"))
		return cli_usage("remote", _("unknown subcommand '%s'"), sub);
	if ((flags || key) && strcmp(sub, "add") && !set_url)
		return cli_usage("remote", _("--init and --ssh-key go with add or set-url"));
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (strcmp(sub, "add") == 0 || set_url) {
		rc = remote_set(db, ctx->argv[1], ctx->argv[2],
			flags | (set_url ? HEARTH_REMOTE_REPLACE : 0), key);
	} else if (strcmp(sub, "remove") == 0) {
		if (hearth_remote_remove(db, ctx->argv[1]) < 0)
			rc = cli_fail();
		else
			printf(_("removed remote '%s'\n"), ctx->argv[1]);
	} else {
		rc = remote_list(db);
	}
	hearth_db_free(db);
	return rc;
}

/*
 * A remote that accepts the connection and then says nothing would hold a sync for as long as
 * the server keeps the socket open (libgit2 1.5 has no transfer timeout). The command gives up
 * after a quiet spell instead: every byte of progress re-arms the alarm, so a slow 2G transfer
 * goes on; exiting at any moment is safe (the crash tests kill sync at random and lose nothing),
 * and the next sync resumes. HEARTH_NET_IDLE_SECONDS changes the spell (default 120).
 */
#define NET_IDLE_DEFAULT 120

static unsigned net_idle_seconds;
static int progress_tty;
static const char *net_idle_msg; /* translated before the alarm: a handler cannot translate */

static void on_net_idle(int sig)
{
	ssize_t w = write(STDERR_FILENO, net_idle_msg, strlen(net_idle_msg));

	(void)w;
	_exit(EXIT_NET);
}

static void net_watchdog_arm(void)
{
	const char *env = getenv("HEARTH_NET_IDLE_SECONDS");
	struct sigaction sa;

	net_idle_seconds = env && *env ? (unsigned)strtoul(env, NULL, 10) : NET_IDLE_DEFAULT;
	if (!net_idle_seconds)
		return;
	net_idle_msg = _("hearth: the remote stopped answering; nothing is lost, run the command "
			 "again when the link is better\n");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_net_idle;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(net_idle_seconds);
}

static void progress(const char *phase, unsigned done, unsigned total, void *payload)
{
	if (net_idle_seconds)
		alarm(net_idle_seconds);
	if (!progress_tty)
		return;
	if (total) {
		fputc('\r', stderr);
		fprintf(stderr, _("%s: %u/%u objects"), phase, done, total);
	}
	if (done == total)
		fprintf(stderr, "\n");
}

typedef int (*sync_fn)(hearth_db *, const hearth_sync_opts *, hearth_sync_result *);

static int run_sync(cli_ctx *ctx, const char *name, sync_fn fn)
{
	hearth_sync_opts opts = { NULL, NULL, NULL };
	hearth_sync_result res;
	hearth_buf line = HEARTH_BUF_INIT;
	hearth_db *db;
	int rc, ret;

	if ((rc = cli_no_unknown_opts(ctx, name)) != EXIT_OK)
		return rc;
	if (ctx->argc > 1)
		return cli_usage(name, _("at most one remote"));
	opts.only_remote = ctx->argc ? ctx->argv[0] : NULL;
	progress_tty = isatty(STDERR_FILENO);
	opts.progress = progress;
	net_watchdog_arm();
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_sync_init() < 0) {
		hearth_db_free(db);
		return cli_fail();
	}
	ret = fn(db, &opts, &res);
	hearth_sync_result_format(&line, &res, hearth_db_is_office(db));
	if (ret < 0 && hearth_error_code() != HEARTH_ENET) {
		rc = cli_fail();
	} else {
		printf("%s: %s\n", name, line.ptr);
		rc = ret < 0 ? cli_fail() : EXIT_OK;
	}
	hearth_buf_dispose(&line);
	hearth_db_free(db);
	hearth_sync_shutdown();
	return rc;
}

int cmd_push(cli_ctx *ctx)
{
	return run_sync(ctx, "push", hearth_push);
}

int cmd_pull(cli_ctx *ctx)
{
	return run_sync(ctx, "pull", hearth_pull);
}

int cmd_sync(cli_ctx *ctx)
{
	return run_sync(ctx, "sync", hearth_sync);
}

static int rerecorded;

static int rejoin_fn(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *res)
{
	return hearth_rejoin(db, opts, res, &rerecorded);
}

int cmd_rejoin(cli_ctx *ctx)
{
	int rc = run_sync(ctx, "rejoin", rejoin_fn);

	if (rc == EXIT_OK)
		printf(rerecorded ? P_("rejoin: %d change of this copy re-recorded after the other "
				       "copy's, both on their way to the office\n",
				       "rejoin: %d changes of this copy re-recorded after the other "
				       "copy's, both on their way to the office\n",
				       rerecorded)
				  : _("rejoin: the repository holds every change of this copy already: "
				      "nothing to re-record\n"),
			rerecorded);
	return rc;
}

/* list (`id` 0) and show */
static int conflicts_print(hearth_db *db, int64_t id, int json, int all)
{
	hearth_format format = json ? HEARTH_FORMAT_JSON : HEARTH_FORMAT_TEXT;
	hearth_buf out = HEARTH_BUF_INIT;
	hearth_conflicts *list = NULL;
	int rc;

	if (hearth_conflicts_read(&list, db, id, all) < 0 ||
	    hearth_conflicts_format(&out, list, id > 0, format) < 0)
		rc = cli_fail();
	else
		rc = cli_print(&out);
	hearth_conflicts_free(list);
	hearth_buf_dispose(&out);
	return rc;
}

static int conflicts_show(hearth_db *db, const char *id, int json)
{
	char *end;
	long long n = strtoll(id, &end, 10);

	if (*end || n <= 0)
		return cli_usage("conflicts", _("'%s' is not a conflict id"), id);
	return conflicts_print(db, n, json, 0);
}

int cmd_conflicts(cli_ctx *ctx)
{
	int json = cli_opt_flag(ctx, "--json");
	int all = cli_opt_flag(ctx, "--all");
	int restore = cli_opt_flag(ctx, "--restore");
	const char *sub = ctx->argc ? ctx->argv[0] : "list";
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "conflicts")) != EXIT_OK)
		return rc;
	if ((strcmp(sub, "show") == 0 || strcmp(sub, "resolve") == 0) && ctx->argc != 2)
		return cli_usage("conflicts", _("'%s' takes a conflict id"), sub);
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "resolve"))
		return cli_usage("conflicts", _("unknown subcommand '%s'"), sub);
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (strcmp(sub, "list") == 0)
		rc = conflicts_print(db, 0, json, all);
	else if (strcmp(sub, "show") == 0)
		rc = conflicts_show(db, ctx->argv[1], json);
	else {
		char *end;
		long long id = strtoll(ctx->argv[1], &end, 10);
		if (*end || id <= 0)
			rc = cli_usage("conflicts", _("'%s' is not a conflict id"), ctx->argv[1]);
		else if (hearth_conflict_resolve(db, id, restore) < 0)
			rc = cli_fail();
		else {
			printf(restore ? _("conflict %lld resolved: the lost value is restored as a new "
					   "change\n")
				       : _("conflict %lld resolved: the kept value stays\n"),
				id);
			rc = EXIT_OK;
		}
	}
	hearth_db_free(db);
	return rc;
}

int cmd_snapshot(cli_ctx *ctx)
{
	int all = cli_opt_flag(ctx, "--all");
	hearth_db *db;
	int rc, written = 0;

	if ((rc = cli_no_unknown_opts(ctx, "snapshot")) != EXIT_OK)
		return rc;
	if ((all && ctx->argc) || (!all && ctx->argc != 1))
		return cli_usage("snapshot", _("name one node, or --all"));
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_sync_init() < 0 ||
	    hearth_snapshot(db, all ? NULL : ctx->argv[0], NULL, &written) < 0)
		rc = cli_fail();
	else
		printf(_("snapshot: %d written and pushed\n"), written);
	hearth_db_free(db);
	hearth_sync_shutdown();
	return rc;
}

int cmd_clone(cli_ctx *ctx)
{
	const char *node = cli_opt_value(ctx, "--node");
	const char *key = cli_opt_value(ctx, "--key");
	hearth_buf code = HEARTH_BUF_INIT;
	hearth_clone_info info;
	hearth_db *db = NULL;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "clone")) != EXIT_OK)
		return rc;
	if (ctx->argc != 1 || !node)
		return cli_usage("clone", _("give the node's repository URL and --node ID"));
	if (key && (rc = cli_key_read(&code, key)) != EXIT_OK)
		return rc;
	net_watchdog_arm();
	if (hearth_sync_init() < 0 ||
	    hearth_clone_enrolled(&db, ctx->dir, ctx->argv[0], node, key ? code.ptr : NULL, NULL,
		    &info) < 0)
		rc = cli_fail();
	else {
		printf(P_("restored '%s' (%s) in %s: %d down commit read, %d rows from the snapshot, ",
			       "restored '%s' (%s) in %s: %d down commits read, %d rows from the snapshot, ",
			       info.down_commits_read),
			node, hearth_db_kind(db), ctx->dir, info.down_commits_read, info.snapshot_rows);
		printf(P_("%d later change, %d of its own changes waiting for the office\n",
			       "%d later changes, %d of its own changes waiting for the office\n",
			       info.received),
			info.received, info.pending_restored);
	}
	if (code.size)
		memset(code.ptr, 0, code.size);
	hearth_buf_dispose(&code);
	hearth_db_free(db);
	hearth_sync_shutdown();
	return rc;
}

int cmd_quarantine(cli_ctx *ctx)
{
	int json = cli_opt_flag(ctx, "--json");
	const char *by = cli_opt_value(ctx, "--by");
	const char *sub = ctx->argc ? ctx->argv[0] : "list";
	hearth_buf out = HEARTH_BUF_INIT;
	char node[HEARTH_ID_MAX + 1];
	hearth_db *db;
	int rc, drop = strcmp(sub, "drop") == 0;

	if ((rc = cli_no_unknown_opts(ctx, "quarantine")) != EXIT_OK)
		return rc;
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "release") && !drop)
		return cli_usage("quarantine", _("unknown subcommand '%s'"), sub);
	if (strcmp(sub, "list") ? ctx->argc != 2 : ctx->argc > 1)
		return cli_usage("quarantine", _("'%s' takes %s"), sub,
			strcmp(sub, "list") ? _("a commit id") : _("no argument"));
	if (!by)
		by = getenv("USER") ? getenv("USER") : getenv("LOGNAME");
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_sync_init() < 0) {
		rc = cli_fail();
	} else if (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0) {
		rc = hearth_quarantine_list(db, ctx->argc == 2 ? ctx->argv[1] : NULL, json, &out) < 0
			? cli_fail()
			: cli_print(&out);
	} else if (hearth_quarantine_handle(db, ctx->argv[1], drop, by, node) < 0) {
		rc = cli_fail();
	} else {
		printf(drop ? _("quarantine: dropped; '%s' goes on after commit %s, whose unmerged "
				"entries are never merged\n")
			    : _("quarantine: released; the next sync verifies '%s' commit %s again\n"),
			node, ctx->argv[1]);
		rc = EXIT_OK;
	}
	hearth_sync_shutdown();
	hearth_buf_dispose(&out);
	hearth_db_free(db);
	return rc;
}
