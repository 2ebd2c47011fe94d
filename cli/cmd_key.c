/* The keys that seal the log: issue, rotate, revoke and show them at the office, import an
 * enrolment code at a node (docs/security.md). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/i18n.h"
#include "sync/hearth_sync.h"

#define CODE_MAX 65536

/* Write the code to `path`, readable by its owner only, or print it. */
static int code_out(const hearth_buf *code, const char *node, const char *path)
{
	int fd;

	if (!path) {
		printf("%s\n", code->ptr);
		return EXIT_OK;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, code->ptr, code->size) != (ssize_t)code->size ||
	    write(fd, "\n", 1) != 1) {
		if (fd >= 0)
			close(fd);
		fprintf(stderr, _("hearth: cannot write the enrolment code to '%s'\n"), path);
		return EXIT_FAIL;
	}
	close(fd);
	printf(_("wrote the enrolment code of '%s' to %s: give it to the node "
		 "(hearth init --key FILE, hearth clone --key FILE or hearth key import FILE)\n"),
		node, path);
	return EXIT_OK;
}

int cli_key_read(hearth_buf *out, const char *path)
{
	if (cli_read_file(out, path, CODE_MAX) < 0) {
		fprintf(stderr, _("hearth: cannot read the enrolment code from '%s'\n"), path);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int key_status(hearth_db *db)
{
	hearth_buf out = HEARTH_BUF_INIT;
	int rc;

	if (hearth_key_status(db, &out) < 0)
		rc = cli_fail();
	else {
		if (!out.size)
			printf("%s\n", _("no keys: the log is not sealed (format 2)"));
		rc = cli_print(&out);
	}
	hearth_buf_dispose(&out);
	return rc;
}

int cmd_key(cli_ctx *ctx)
{
	const char *path = cli_opt_value(ctx, "--out");
	const char *sub = ctx->argc ? ctx->argv[0] : "status";
	hearth_buf code = HEARTH_BUF_INIT;
	hearth_db *db = NULL;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "key")) != EXIT_OK)
		return rc;
	if (strcmp(sub, "status") == 0 ? ctx->argc > 1 : ctx->argc != 2)
		return cli_usage("key", "%s", _("give issue, rotate, revoke or code with a NODE, "
						"import with a FILE, or status"));
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (strcmp(sub, "status") == 0)
		rc = key_status(db);
	else if (strcmp(sub, "issue") == 0 || strcmp(sub, "rotate") == 0)
		rc = hearth_key_issue(db, ctx->argv[1], sub[0] == 'r', &code) < 0
			? cli_fail()
			: code_out(&code, ctx->argv[1], path);
	else if (strcmp(sub, "code") == 0)
		rc = hearth_key_code(db, ctx->argv[1], &code) < 0 ? cli_fail()
								  : code_out(&code, ctx->argv[1], path);
	else if (strcmp(sub, "revoke") == 0) {
		rc = hearth_key_revoke(db, ctx->argv[1]) < 0 ? cli_fail() : EXIT_OK;
		if (rc == EXIT_OK)
			printf(_("revoked the keys of '%s': its pushes are quarantined and nothing is "
				 "sent to it until a new key is issued (hearth key issue %s)\n"),
				ctx->argv[1], ctx->argv[1]);
	} else if (strcmp(sub, "import") == 0) {
		if ((rc = cli_key_read(&code, ctx->argv[1])) == EXIT_OK) {
			rc = hearth_key_import(db, code.ptr) < 0 ? cli_fail() : EXIT_OK;
			if (rc == EXIT_OK)
				printf(_("enrolled '%s': its log is sealed from the next push\n"),
					hearth_db_node(db));
		}
	} else
		rc = cli_usage("key", _("unknown subcommand '%s'"), sub);
	if (code.size)
		memset(code.ptr, 0, code.size);
	hearth_buf_dispose(&code);
	hearth_db_free(db);
	return rc;
}
