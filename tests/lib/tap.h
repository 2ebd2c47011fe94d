/*
 * A minimal TAP producer for hearth's C tests (meson runs them with protocol: 'tap').
 * ok(cond, fmt...) records one assertion; done_testing() prints the plan and returns the exit
 * code. Assertions go on after a failure so one run shows everything that broke.
 */
#ifndef HEARTH_TAP_H
#define HEARTH_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

/* ok() for strings, printing both on mismatch */
#define is_str(got, want, ...)                                                                 \
	do {                                                                                   \
		const char *g_ = (got), *w_ = (want);                                          \
		if (!ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__))                         \
			printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)",           \
				w_ ? w_ : "(null)");                                           \
	} while (0)

#define is_int(got, want, ...)                                                                 \
	do {                                                                                   \
		long long g_ = (long long)(got), w_ = (long long)(want);                       \
		if (!ok(g_ == w_, __VA_ARGS__))                                                \
			printf("#   got:  %lld\n#   want: %lld\n", g_, w_);                        \
	} while (0)

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
