/* The commands that need libgit2, libmicrohttpd or cmark run in hearth-full, installed next to
 * hearth (see main.c): find it beside the running program and replace this process with it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define COMPANION "hearth-full"

int cli_companion_exec(const char *cmd, char **argv)
{
	char path[4096] = "";
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (n > 0)
		path[n] = '\0';
	else if (strlen(argv[0]) < sizeof(path)) /* no /proc: the path this program was run by */
		strcpy(path, argv[0]);
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) + sizeof("/" COMPANION) > sizeof(path)) {
		fprintf(stderr,
			_("hearth: '%s' needs %s, and the folder hearth runs from is unknown\n"),
			cmd, COMPANION);
		return EXIT_FAIL;
	}
	strcpy(slash + 1, COMPANION);
	argv[0] = path;
	fflush(NULL);
	execv(path, argv);
	fprintf(stderr, _("hearth: '%s' needs %s, which cannot be run (%s): reinstall hearth\n"),
		cmd, path, strerror(errno));
	return EXIT_FAIL;
}
