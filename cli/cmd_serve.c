/* `hearth serve` (the node's own app) and `hearth user` (its accounts). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "app/hearth_app.h"
#include "cli.h"
#include "core/i18n.h"

static void log_line(const char *line, void *payload)
{
	/* one line per request, whole, even from many threads (stdout is line-buffered) */
	fprintf(stdout, "%s\n", line);
}

static int env_int(const char *name)
{
	const char *v = getenv(name);
	long n;
	char *end = NULL;

	if (!v || !*v)
		return 0;
	n = strtol(v, &end, 10);
	return end && !*end && n > 0 && n < 100000000 ? (int)n : 0;
}

int cmd_serve(cli_ctx *ctx)
{
	hearth_app_options opt;
	hearth_app_server *s = NULL;
	sigset_t set;
	const char *idle;
	int sig = 0;

	memset(&opt, 0, sizeof(opt));
	opt.listen = cli_opt_value(ctx, "--listen");
	opt.cert_file = cli_opt_value(ctx, "--cert");
	opt.key_file = cli_opt_value(ctx, "--key");
	opt.insecure_http = cli_opt_flag(ctx, "--insecure-http");
	opt.tls = cli_opt_flag(ctx, "--tls");
	idle = cli_opt_value(ctx, "--idle");
	if (cli_no_unknown_opts(ctx, "serve") != EXIT_OK)
		return EXIT_USAGE;
	if (ctx->argc > 1)
		return cli_usage("serve", _("too many arguments"));
	if (idle && (atoi(idle) <= 0 || atoi(idle) > 86400 * 30))
		return cli_usage("serve", _("--idle takes seconds, from 1 to 2592000"));
	opt.dir = ctx->argc == 1 ? ctx->argv[0] : ctx->dir;
	/* tests shorten the session's life and the sign-in delays */
	opt.idle_seconds = idle ? atoi(idle) : env_int("HEARTH_APP_IDLE_SECONDS");
	opt.throttle_ms = env_int("HEARTH_APP_THROTTLE_MS");
	opt.log = log_line;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	/* the server's threads inherit this mask: only this thread takes the signals */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (hearth_app_server_start(&s, &opt) < 0)
		return cli_fail();
	printf(_("hearth: serving the node in '%s' at %s (Ctrl-C stops)\n"), opt.dir,
		hearth_app_server_url(s));
	if (hearth_app_server_fingerprint(s))
		printf(_("hearth: certificate fingerprint (SHA-256%s): %s\n"),
			hearth_app_server_cert_new(s) ? _(", made now") : "",
			hearth_app_server_fingerprint(s));
	fflush(stdout);
	while (sigwait(&set, &sig) != 0 || (sig != SIGINT && sig != SIGTERM))
		;
	printf(_("hearth: stopping\n"));
	hearth_app_server_free(s);
	return EXIT_OK;
}

/* A password: from the terminal without echo (asked twice), or one line of stdin otherwise. */
static char *read_password(const char *prompt, int twice)
{
	char a[1024], b[1024];
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO);
	size_t n;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		if (tcgetattr(STDIN_FILENO, &old) != 0)
			return NULL;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (!fgets(a, sizeof(a), stdin))
		a[0] = '\0';
	if (tty && twice) {
		fprintf(stderr, "\n%s", _("Again: "));
		if (!fgets(b, sizeof(b), stdin))
			b[0] = '\0';
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	n = strcspn(a, "\r\n");
	a[n] = '\0';
	if (tty && twice) {
		b[strcspn(b, "\r\n")] = '\0';
		if (strcmp(a, b) != 0) {
			fprintf(stderr, _("hearth: the two passwords differ; nothing was changed\n"));
			return NULL;
		}
	}
	return strdup(a);
}

int cmd_user(cli_ctx *ctx)
{
	const char *sub = ctx->argc > 0 ? ctx->argv[0] : NULL, *role;
	hearth_db *db = NULL;
	hearth_buf out = HEARTH_BUF_INIT;
	char *pw = NULL;
	int rc = EXIT_OK;

	role = cli_opt_value(ctx, "--role");
	if (cli_no_unknown_opts(ctx, "user") != EXIT_OK)
		return EXIT_USAGE;
	if (!sub)
		return cli_usage("user", _("missing subcommand"));
	if (strcmp(sub, "list") == 0) {
		if (ctx->argc != 1)
			return cli_usage("user", _("'list' takes no argument"));
	} else if (strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0 ||
		   strcmp(sub, "remove") == 0) {
		if (ctx->argc != 2)
			return cli_usage("user", _("'%s' takes one account name"), sub);
		if (strcmp(sub, "add") == 0 && !hearth_app_role_valid(role))
			return cli_usage("user", _("give --role admin|staff|volunteer|viewer"));
		if (strcmp(sub, "add") != 0 && role)
			return cli_usage("user", _("--role is for 'add'"));
	} else {
		return cli_usage("user", _("unknown subcommand '%s'"), sub);
	}
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (strcmp(sub, "list") == 0) {
		if (hearth_app_user_list(db, &out) < 0)
			rc = cli_fail();
		else
			rc = cli_print(&out);
	} else if (strcmp(sub, "remove") == 0) {
		if (hearth_app_user_remove(db, ctx->argv[1]) < 0)
			rc = cli_fail();
	} else {
		if (!(pw = read_password(_("Password: "), 1))) {
			rc = EXIT_FAIL;
		} else if ((strcmp(sub, "add") == 0 ? hearth_app_user_add(db, ctx->argv[1], role, pw)
						    : hearth_app_user_passwd(db, ctx->argv[1], pw)) < 0)
			rc = cli_fail();
	}
	if (pw) {
		memset(pw, 0, strlen(pw));
		free(pw);
	}
	hearth_buf_dispose(&out);
	hearth_db_free(db);
	return rc;
}
