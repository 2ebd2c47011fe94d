/* Helpers every command uses: errors to exit codes, option parsing, reading files. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_fail(void)
{
	int code = hearth_error_code();

	fprintf(stderr, _("hearth: %s\n"), hearth_error_last()[0] ? hearth_error_last() : _("failed"));
	if (code == HEARTH_EUSAGE)
		return EXIT_USAGE;
	if (code == HEARTH_ENET)
		return EXIT_NET;
	return EXIT_FAIL;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	const cli_command *c = cli_command_find(cmd);
	va_list ap;

	fprintf(stderr, _("hearth %s: "), cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (c)
		fprintf(stderr, _(" (usage: hearth [-C DIR] %s)"), c->usage);
	fprintf(stderr, "\n");
	return EXIT_USAGE;
}

hearth_db *cli_open(cli_ctx *ctx)
{
	const char *limit = getenv("HEARTH_SQL_LIMIT_SECONDS");
	hearth_db *db = NULL;

	if (hearth_db_open(&db, ctx->dir) < 0) {
		cli_fail();
		return NULL;
	}
	/* seconds, fractions allowed; 0 runs the SQL for ever; anything else keeps the default */
	if (limit && *limit) {
		char *end = NULL;
		double s = strtod(limit, &end);
		if (end && !*end && s >= 0 && s < 1e9)
			hearth_db_set_sql_limit(db, (int64_t)(s * 1000 + 0.5));
	}
	return db;
}

int cli_print(const hearth_buf *b)
{
	if (b->size && fwrite(b->ptr, 1, b->size, stdout) != b->size) {
		fprintf(stderr, _("hearth: cannot write output: %s\n"), strerror(errno));
		return EXIT_FAIL;
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

int cli_read_file(hearth_buf *out, const char *path, size_t cap)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int rc = 0;

	hearth_buf_init(out, cap);
	if (!f)
		return hearth_error_set(HEARTH_EUSAGE, _("cannot open '%s': %s"), path, strerror(errno));
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = hearth_buf_put(out, chunk, n);
	if (rc == 0 && ferror(f))
		rc = hearth_error_set(HEARTH_ERROR, _("cannot read '%s': %s"), path, strerror(errno));
	if (f != stdin)
		fclose(f);
	return rc;
}

static void remove_args(cli_ctx *ctx, int at, int n)
{
	int i;

	for (i = at; i + n < ctx->argc; i++)
		ctx->argv[i] = ctx->argv[i + n];
	ctx->argc -= n;
}

const char *cli_opt_value(cli_ctx *ctx, const char *name)
{
	int i;

	for (i = 0; i < ctx->argc; i++) {
		size_t len = strlen(name);
		if (strcmp(ctx->argv[i], "--") == 0)
			return NULL;
		if (strcmp(ctx->argv[i], name) == 0 && i + 1 < ctx->argc) {
			const char *v = ctx->argv[i + 1];
			remove_args(ctx, i, 2);
			return v;
		}
		if (strncmp(ctx->argv[i], name, len) == 0 && ctx->argv[i][len] == '=') {
			const char *v = ctx->argv[i] + len + 1;
			remove_args(ctx, i, 1);
			return v;
		}
	}
	return NULL;
}

int cli_opt_flag(cli_ctx *ctx, const char *name)
{
	int i;

	for (i = 0; i < ctx->argc; i++) {
		if (strcmp(ctx->argv[i], "--") == 0)
			return 0;
		if (strcmp(ctx->argv[i], name) == 0) {
			remove_args(ctx, i, 1);
			return 1;
		}
	}
	return 0;
}

int cli_no_unknown_opts(cli_ctx *ctx, const char *cmd)
{
	int i;

	for (i = 0; i < ctx->argc; i++) {
		if (strcmp(ctx->argv[i], "--") == 0) {
			remove_args(ctx, i, 1);
			return EXIT_OK;
		}
		if (strncmp(ctx->argv[i], "--", 2) == 0)
			return cli_usage(cmd, _("unknown option '%s'"), ctx->argv[i]);
	}
	return EXIT_OK;
}
