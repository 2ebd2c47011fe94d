/* The `hearth` command: parses arguments, calls the libraries, prints. Private to cli/. */
#ifndef HEARTH_CLI_H
#define HEARTH_CLI_H

#include "core/hearth_internal.h"
#include "core/i18n.h"
#include "app/hearth_app.h"

/* exit codes (docs/hearth.1) */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_NET 3

typedef struct {
	const char *dir; /* -C DIR, $HEARTH_DIR, or "." */
	int argc;        /* arguments after the command name */
	char **argv;
} cli_ctx;

typedef struct {
	const char *name;
	int (*run)(cli_ctx *ctx);
	const char *usage;
	const char *summary;
} cli_command;

/* Print "hearth: <message>" for the library's last error and map its code to an exit code. */
int cli_fail(void);
/* Print a usage error for `cmd` and return EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Open the node in ctx->dir or print the error; returns NULL on failure. */
hearth_db *cli_open(cli_ctx *ctx);
/* Write a buffer to stdout; returns EXIT_OK or EXIT_FAIL. */
int cli_print(const hearth_buf *b);
/* Read a whole file (or "-" for stdin) into `out`, capped at `cap` bytes. */
int cli_read_file(hearth_buf *out, const char *path, size_t cap);
/* Find "--name VALUE" style options: returns the value and removes both from ctx, or NULL. */
const char *cli_opt_value(cli_ctx *ctx, const char *name);
/* Find a flag like "--json": returns 1 and removes it from ctx, else 0. */
int cli_opt_flag(cli_ctx *ctx, const char *name);
/* Any argument left that starts with "--" is unknown: print usage error. */
int cli_no_unknown_opts(cli_ctx *ctx, const char *cmd);

/* Run `cmd` in hearth-full, next to this program, with the same argv (main.c): returns only on
 * failure, having printed why, with EXIT_FAIL. */
int cli_companion_exec(const char *cmd, char **argv);

extern const cli_command cli_commands[];
const cli_command *cli_command_find(const char *name);

int cmd_init(cli_ctx *ctx);
int cmd_exec(cli_ctx *ctx);
int cmd_query(cli_ctx *ctx);
int cmd_import(cli_ctx *ctx);
int cmd_template(cli_ctx *ctx);
int cmd_dump(cli_ctx *ctx);
int cmd_status(cli_ctx *ctx);
int cmd_log(cli_ctx *ctx);
int cmd_help(cli_ctx *ctx);
int cmd_remote(cli_ctx *ctx);
int cmd_push(cli_ctx *ctx);
int cmd_pull(cli_ctx *ctx);
int cmd_sync(cli_ctx *ctx);
int cmd_conflicts(cli_ctx *ctx);
int cmd_site(cli_ctx *ctx);
int cmd_snapshot(cli_ctx *ctx);
int cmd_clone(cli_ctx *ctx);
int cmd_rejoin(cli_ctx *ctx);
int cmd_quarantine(cli_ctx *ctx);
int cmd_demo(cli_ctx *ctx);
int cmd_report(cli_ctx *ctx);
int cmd_purge(cli_ctx *ctx);
int cmd_show(cli_ctx *ctx);
int cmd_history(cli_ctx *ctx);
int cmd_undo(cli_ctx *ctx);
int cmd_config(cli_ctx *ctx);
int cmd_backup(cli_ctx *ctx);
int cmd_key(cli_ctx *ctx);
/* Read an enrolment code from FILE ("-": stdin) into `out`: EXIT_OK or EXIT_USAGE. */
int cli_key_read(hearth_buf *out, const char *path);
int cmd_serve(cli_ctx *ctx);
/** Serve the nodes of `opts` (1 to 4, each on its own address) until SIGINT or SIGTERM,
 * printing each address (and a certificate's fingerprint); an exit code. */
int cli_serve(hearth_app_options *opts, int n);
int cmd_user(cli_ctx *ctx);

#endif
