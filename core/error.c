/* The thread-local last error: every hearth library reports failures through it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hearth_internal.h"

#define ERROR_MAX 1024

static _Thread_local char error_msg[ERROR_MAX];
static _Thread_local int error_code;

const char *hearth_error_last(void)
{
	return error_msg;
}

int hearth_error_code(void)
{
	return error_code;
}

/* Messages are one line: a newline from a lower layer (SQLite, libgit2) would break that. */
static void flatten(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

int hearth_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_msg, sizeof(error_msg), fmt, ap);
	va_end(ap);
	flatten(error_msg);
	error_code = code;
	return code;
}

int hearth_error_sqlite(sqlite3 *db, int code, const char *what)
{
	const char *msg = db ? sqlite3_errmsg(db) : "out of memory";

	return hearth_error_set(code, "%s: %s", what, msg);
}

void hearth_error_clear(void)
{
	error_msg[0] = '\0';
	error_code = 0;
}
