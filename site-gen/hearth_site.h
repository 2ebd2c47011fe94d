/*
 * hearth site: the public website built from the office database.
 *
 * Database -> one Markdown summary per page (written under `content/` in the output, so a person
 * can read and diff what is published) -> cmark -> HTML through one page template, plus CSS, a
 * small script (the site works without it), a Chinese-aware search index, an Atom feed, one .ics
 * per event, open data (CSV, JSON) of public columns only, sitemap.xml, robots.txt and 404.html.
 * zh-CN at `/`, English at `/en/`. A `.gz` (zlib, level 9) lies beside every text file.
 *
 * Only columns declared public in `hearth_column`, rows allowed by `hearth_table.public_rows`,
 * and aggregates of private tables (vacancies, counts) reach any output file.
 * Identical data gives byte-identical output; a rebuild rewrites only files whose content
 * changed, removes the files of deleted records, and replaces the output folder atomically.
 */
#ifndef HEARTH_SITE_H
#define HEARTH_SITE_H

#include "core/hearth.h"

typedef struct {
	/** Absolute http:// or https:// URL of the site root ("https://example.org/care"; a
	 * trailing slash is dropped), used where a format needs absolute URLs (sitemap, Atom,
	 * robots.txt); anything else (no host, a space, quote, '<', '>', '?' or '#') is
	 * HEARTH_EUSAGE before anything is built. NULL or "": the site is written with
	 * root-relative URLs there and robots.txt names no sitemap. */
	const char *base_url;
	/** "Now" in ms since the epoch for "upcoming", "this year" and the 14-day stale warning.
	 * 0: derived from the data (the newest time a centre was heard of), never the wall clock,
	 * so identical data gives identical output. */
	uint64_t now_ms;
} hearth_site_opts;

typedef struct {
	int pages;           /* HTML pages, both languages */
	int files_written;   /* files (including .gz) whose bytes are new or changed */
	int files_unchanged; /* files kept byte-for-byte (same inode and mtime) from the old output */
	int files_removed;   /* files of the old output that the new one no longer has */
} hearth_site_stats;

/**
 * Build the public site of the office database `db` into folder `out_dir` (created if missing;
 * replaced atomically: a sibling `.<name>.hearth-new` is built, then swapped in, so a crash
 * leaves the previous site whole). From the second rebuild on, the tree the site replaced is
 * kept beside it as `.<name>.hearth-spare` (outside the published folder, never served) and
 * the next build rewrites in it only the files that changed before swapping it in; each tree
 * lists its files' hashes in `.hearth-manifest`. `opts` may be NULL (defaults); `out` may be NULL.
 * Errors: HEARTH_EUSAGE (bad arguments), HEARTH_ECORRUPT (data that breaks the schema's promises),
 * -1 (I/O, SQLite, out of memory), with the message in hearth_error_last().
 */
int hearth_site_build(hearth_db *db, const char *out_dir, const hearth_site_opts *opts,
	hearth_site_stats *out);

/**
 * As hearth_site_build, for a database handle opened by the caller (read only is enough). The
 * handle must hold a hearth schema (hearth_table, hearth_column and the synced tables).
 */
int hearth_site_build_sqlite(struct sqlite3 *db, const char *out_dir, const hearth_site_opts *opts,
	hearth_site_stats *out);

/**
 * The private report for staff, appended to `out`: Markdown, or with `html` a whole HTML page
 * rendered by cmark. At a node: changes not yet at the office, each remote's last sync and its
 * age, the last error verbatim, open service requests and classes near capacity. At the office:
 * one row per node (last heard of and its age, last sync, how far behind, quarantined commits,
 * open conflicts; the nodes silent for more than 7 days first), the open conflicts with both
 * values, the quarantined commits. `now_ms` is "now" for ages (0: hearth_time_now_ms()).
 * The report holds private data: it is never part of the site. Errors: -1 (SQLite, memory).
 */
int hearth_report(hearth_buf *out, hearth_db *db, int html, uint64_t now_ms);

#endif
