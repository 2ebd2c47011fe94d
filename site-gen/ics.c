/*
 * One iCalendar file per public event (RFC 5545): times given in China time are converted to
 * UTC, so no VTIMEZONE is needed; lines are folded at 75 octets without splitting a character.
 */
#include "site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append `line` folded at 75 octets, ending in CRLF. */
static int put_line(hearth_buf *b, const char *line)
{
	size_t n = strlen(line), i = 0, width = 0;
	int rc = 0;

	while (rc == 0 && i < n) {
		size_t len = 1;
		unsigned char c = (unsigned char)line[i];
		if (c >= 0xf0)
			len = 4;
		else if (c >= 0xe0)
			len = 3;
		else if (c >= 0xc0)
			len = 2;
		if (width + len > 75) {
			rc = hearth_buf_puts(b, "\r\n ");
			width = 1;
		}
		if (rc == 0)
			rc = hearth_buf_put(b, line + i, len);
		width += len, i += len;
	}
	return rc ? rc : hearth_buf_puts(b, "\r\n");
}

static int days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD[THH:MM[:SS]]" in China time -> "DTSTART:YYYYMMDDTHHMMSSZ" or a DATE value. */
static int put_time(hearth_buf *b, const char *name, const char *iso)
{
	int y, mo, d, h = 0, mi = 0, s = 0, oh = 8, om = 0, n;
	char when[32], line[64], sign = '+';

	/* the stored form carries its offset (+08:00); a time without one is China time */
	n = sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d", &y, &mo, &d, &h, &mi, &s, &sign, &oh, &om);
	if (n > 6 && (n != 9 || (sign != '+' && sign != '-') || oh > 14 || om > 59))
		return 1;
	if (n < 3 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59)
		return 1; /* not a time we can state: leave it out */
	if (n == 3) {
		snprintf(line, sizeof line, "%s;VALUE=DATE:%04d%02d%02d", name, y, mo, d);
	} else {
		int64_t t = (int64_t)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s -
			    (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
		/* t is UTC; site_format_time shows China time, so hand it t minus 8 hours */
		site_format_time(when, sizeof when, (t - 8 * 3600) * 1000, 0);
		snprintf(line, sizeof line, "%s:%.4s%.2s%.2sT%.2s%.2s%02dZ", name, when, when + 5,
			when + 8, when + 11, when + 14, s);
	}
	return put_line(b, line);
}

static int put_text(hearth_buf *b, const char *name, const char *value)
{
	hearth_buf line = HEARTH_BUF_INIT;
	int rc = hearth_buf_printf(&line, "%s:", name);

	if (rc == 0)
		rc = site_esc_ics(&line, value);
	if (rc == 0)
		rc = put_line(b, line.ptr);
	hearth_buf_dispose(&line);
	return rc;
}

static int ics_write(site_ctx *ctx, const site_lang *l, const site_event *e)
{
	const site_model *m = ctx->m;
	hearth_buf path = HEARTH_BUF_INIT, v = HEARTH_BUF_INIT, *b;
	char stamp[32];
	uint64_t key[2];
	int rc, has_key;

	rc = site_event_keyed(ctx, l, e, "ics", key, &has_key);
	if (rc)
		return rc > 0 ? 0 : rc;
	site_event_path(&path, e, "ics");
	b = site_files_add(ctx->files, NULL, "%s%s", l->prefix, path.ptr);
	if (b && has_key)
		site_key_file(ctx, ctx->files->files[ctx->files->n - 1]->path, key);
	hearth_buf_dispose(&path);
	if (!b)
		return HEARTH_ERROR;
	/* the start of the build's day, not its second: an .ics changes when its event does or
	 * once a day (as every page's "Data updated" date), not with every write elsewhere */
	snprintf(stamp, sizeof stamp, "DTSTAMP:%.4s%.2s%.2sT%.2s%.2s%.2sZ", m->day_utc,
		m->day_utc + 5, m->day_utc + 8, m->day_utc + 11, m->day_utc + 14, m->day_utc + 17);
	rc = hearth_buf_puts(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
				"PRODID:-//hearth//site " HEARTH_VERSION "//EN\r\n"
				"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n");
	if (rc == 0)
		rc = hearth_buf_printf(&v, "UID:%s@hearth", e->slug);
	if (rc == 0) {
		char *slash = strchr(v.ptr, '/');
		if (slash)
			*slash = '.';
		rc = put_line(b, v.ptr);
	}
	if (rc == 0)
		rc = put_line(b, stamp);
	if (rc == 0)
		rc = put_time(b, "DTSTART", e->starts_at);
	if (rc > 0) {
		/* a start that is no date: the build's day, so the file stays valid */
		hearth_buf_clear(&v);
		rc = hearth_buf_printf(&v, "DTSTART;VALUE=DATE:%.4s%.2s%.2s", m->today, m->today + 5,
			m->today + 8);
		if (rc == 0)
			rc = put_line(b, v.ptr);
	}
	if (rc == 0 && e->ends_at && put_time(b, "DTEND", e->ends_at) < 0)
		rc = HEARTH_ERROR;
	if (rc == 0)
		rc = put_text(b, "SUMMARY", site_name(l, e->title, e->title_en));
	if (rc == 0 && e->place)
		rc = put_text(b, "LOCATION", e->place);
	if (rc == 0 && e->description_md)
		rc = put_text(b, "DESCRIPTION", e->description_md);
	if (rc == 0)
		rc = hearth_buf_puts(b, "END:VEVENT\r\nEND:VCALENDAR\r\n");
	hearth_buf_dispose(&v);
	return rc;
}

int site_ics_write(site_ctx *ctx)
{
	int i, rc = 0;

	for (i = 0; rc == 0 && i < ctx->m->nevents; i++) {
		rc = ics_write(ctx, &site_zh, &ctx->m->events[i]);
		if (rc == 0)
			rc = ics_write(ctx, &site_en, &ctx->m->events[i]);
	}
	return rc;
}
