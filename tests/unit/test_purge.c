/*
 * Retention periods: the cutoff date of "3y", "18m", "400d" counted back from now in China time,
 * across month ends, leap days and the UTC+8 date line, and the periods refused.
 */
#include <stdio.h>
#include <string.h>

#include "hearth_internal.h"
#include "tap.h"

/* ms of YYYY-MM-DD hh:mm UTC, computed the same way on every platform */
static uint64_t utc_ms(int y, int m, int d, int hh, int mm)
{
	static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	long long days = 365LL * (y - 1970) + (y - 1969) / 4 + before[m - 1] + d - 1;

	if (m > 2 && y % 4 == 0)
		days++;
	return (uint64_t)((days * 86400 + hh * 3600 + mm * 60) * 1000);
}

static void cutoff_is(const char *period, uint64_t now, const char *want)
{
	char out[11];
	int rc = hearth_purge_cutoff(out, period, now);

	is_int(rc, 0, "'%s' is a period", period);
	is_str(out, want, "'%s' back from now is %s", period, want);
}

int main(void)
{
	uint64_t now = utc_ms(2026, 11, 20, 2, 0); /* 2026-11-20 10:00 in China */
	static const char *const bad[] = { "", "3", "y", "3x", "3yy", "-3y", "0d", "3 y", "201y",
		"2401m", "73001d", "1234567d" };
	char out[11];
	size_t i;

	diag("now: 2026-11-20 10:00 China time (%llu ms)", (unsigned long long)now);
	cutoff_is("3y", now, "2023-11-20");
	cutoff_is("18m", now, "2025-05-20");
	cutoff_is("400d", now, "2025-10-16");
	cutoff_is("1d", now, "2026-11-19");
	cutoff_is("3y", utc_ms(2026, 11, 19, 16, 30), "2023-11-20"); /* already the 20th in China */
	cutoff_is("3y", utc_ms(2026, 11, 19, 15, 59), "2023-11-19");
	cutoff_is("1y", utc_ms(2024, 2, 29, 4, 0), "2023-02-28"); /* no 29 February */
	cutoff_is("4y", utc_ms(2024, 2, 29, 4, 0), "2020-02-29");
	cutoff_is("1m", utc_ms(2026, 3, 31, 4, 0), "2026-02-28");  /* no 31 February */
	cutoff_is("13m", utc_ms(2026, 1, 15, 4, 0), "2024-12-15"); /* across the year */
	cutoff_is("2d", utc_ms(2024, 3, 1, 4, 0), "2024-02-28");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = hearth_purge_cutoff(out, bad[i], now);
		is_int(rc, HEARTH_EUSAGE, "'%s' is refused", bad[i]);
	}
	is_int(hearth_purge_cutoff(out, NULL, now), HEARTH_EUSAGE, "no period is refused");
	ok(strstr(hearth_error_last(), "like 3y, 18m or 400d") != NULL,
		"the message shows what a period looks like");
	return done_testing();
}
