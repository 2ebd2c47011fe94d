/* The hybrid logical clock: wall time in the high 48 bits, a counter in the low 16. It never goes
 * backwards: a wall clock set back (dead battery, SIM swap) only advances the counter. */
#include <time.h>

#include "hearth_internal.h"
#include "i18n.h"

static uint64_t time_pinned;

uint64_t hearth_time_now_ms(void)
{
	struct timespec ts;

	if (time_pinned)
		return time_pinned;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void hearth_time_override(uint64_t ms)
{
	time_pinned = ms;
}

void hearth_clock_format(char *out, hearth_clock c)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = HEARTH_CLOCK_HEX - 1; i >= 0; i--) {
		out[i] = hex[c & 0xf];
		c >>= 4;
	}
	out[HEARTH_CLOCK_HEX] = '\0';
}

int hearth_clock_parse(hearth_clock *out, const char *s)
{
	hearth_clock c = 0;
	int i;

	*out = 0;
	for (i = 0; i < HEARTH_CLOCK_HEX; i++) {
		char ch = s ? s[i] : '\0';
		int d;
		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10;
		else
			return hearth_error_set(HEARTH_ECORRUPT, _("invalid clock '%.20s'"), s ? s : "");
		c = (c << 4) | (hearth_clock)d;
	}
	if (s[HEARTH_CLOCK_HEX] != '\0')
		return hearth_error_set(HEARTH_ECORRUPT, _("invalid clock '%.20s'"), s);
	*out = c;
	return 0;
}

static hearth_clock make(uint64_t ms, uint64_t counter)
{
	return (ms << 16) | (counter & 0xffff);
}

hearth_clock hearth_clock_next(hearth_clock last, uint64_t now_ms)
{
	uint64_t last_ms = HEARTH_CLOCK_MS(last);

	now_ms &= (1ULL << 48) - 1;
	if (now_ms > last_ms)
		return make(now_ms, 0);
	/* counter overflow spills into the millisecond part: still monotonic */
	return last + 1;
}

hearth_clock hearth_clock_merge(hearth_clock last, hearth_clock remote, uint64_t now_ms)
{
	hearth_clock top = last > remote ? last : remote;

	return hearth_clock_next(top, now_ms);
}
