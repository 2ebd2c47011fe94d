/*
 * libhearth-site internals: the public model read from the database, the output set, the page
 * builder and the one escaping module every writer goes through.
 */
#ifndef HEARTH_SITE_INT_H
#define HEARTH_SITE_INT_H

#include "core/hearth_internal.h"
#include "hearth_site.h"

#include <stdint.h>

/* ---- escaping (escape.c): every user string reaches a file through one of these ---------- */

/* Longest user string, in bytes, that reaches a page; longer text is cut at a character
 * boundary and ends with an ellipsis. Descriptions get more room than names. */
#define SITE_NAME_MAX 300
#define SITE_TEXT_MAX 4000

/** Append `s` as clean UTF-8: invalid bytes become U+FFFD, control characters (but tab and
 * newline) are dropped, text past `max` bytes (0: no limit) is cut and ends with "…". */
int site_text_clean(hearth_buf *out, const char *s, size_t max);
/** Text for HTML element content and quoted attribute values: & < > " ' escaped. */
int site_esc_html(hearth_buf *out, const char *s);
/** Text for Markdown inline content: every ASCII punctuation character backslash-escaped,
 * line breaks turned into spaces, so cmark renders it as literal text and nothing else. */
int site_esc_md(hearth_buf *out, const char *s);
/** Text for XML (Atom, sitemap): as HTML. */
int site_esc_xml(hearth_buf *out, const char *s);
/** A JSON string literal, quotes included. */
int site_esc_json(hearth_buf *out, const char *s);
/** One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF; a leading = + - @
 * is prefixed with ' so spreadsheets never run it as a formula. */
int site_esc_csv(hearth_buf *out, const char *s);
/** iCalendar TEXT value: \ ; , escaped, newlines as \n (folding is done per line). */
int site_esc_ics(hearth_buf *out, const char *s);
/** Append the file-name slug of record id `id` ([a-z0-9_-], at most twice its length): a
 * lower-case id is its own slug; different ids never share one, even where case is ignored.
 * HEARTH_EUSAGE (nothing appended) if `id` is not a valid record id. */
int site_slug(hearth_buf *out, const char *id);
/** 1 if `s` is a phone number fit for a tel: link (digits, + - space, 3..20 characters). */
int site_phone_ok(const char *s);

/* ---- search tokens (search.c) --------------------------------------------------------------- */

/** Called once per token (NUL-terminated, valid for the call). Return non-zero to stop. */
typedef int (*site_token_fn)(const char *tok, size_t len, void *payload);
/** Tokens of `text`: each pair of adjacent CJK characters (a lone CJK character gives itself),
 * every run of Latin letters/digits lowercased. */
int site_tokenize(const char *text, site_token_fn fn, void *payload);
/** The shard (0..SITE_SHARDS-1) of a token: FNV-1a of its first character's UTF-8 bytes. */
#define SITE_SHARDS 16
unsigned site_token_shard(const char *tok);

/* ---- charts (svg.c) ------------------------------------------------------------------------- */

typedef struct {
	const char *label; /* category label (user text: escaped) */
	long a, b;         /* the series values (b ignored for single-series charts) */
} site_bar;

/** Geometry shared by the charts and checked by the tests. */
#define SITE_CHART_W 640
#define SITE_BAR_H 18
#define SITE_LABEL_W 150
/** Width in px of a bar of `value` when `max` fills the plot area (`plot_w` px). */
int site_bar_width(long value, long max, int plot_w);
/** A horizontal grouped bar chart (series a and b, or a only when `name_b` is NULL) as inline
 * SVG with role="img", <title> and <desc>, colours as attributes (no inline style). */
int site_svg_bars(hearth_buf *out, const char *id, const char *title, const char *desc,
	const char *name_a, const char *name_b, const site_bar *bars, int n);

/* ---- the public model (model.c) ------------------------------------------------------------ */

typedef struct {
	char *id, *parent_id, *level, *name, *name_en;
	int county; /* index of its county-level region, or -1 */
} site_region;

typedef struct {
	char *id, *domain, *name, *name_en, *description;
} site_stype;

typedef struct {
	char *owner, *id, *name, *age_band;
	long capacity, vacancies;
} site_class;

typedef struct {
	char *owner, *id, *service_type_id, *fee_unit, *hours, *notes;
	long fee_yuan; /* -1: not given */
} site_offer;

typedef struct {
	char *owner, *id, *partner_id, *kind, *since, *services;
} site_partner;

typedef struct {
	char *owner, *id, *name, *service_type_id;
	long members; /* -1: not given */
} site_team;

typedef struct {
	char *id, *kind, *name, *name_en, *region_id, *address, *phone, *hours, *operator_;
	char *status, *opens_on, *description_md;
	long affordable, places, floor_area_m2, site_area_m2; /* -1: not given */
	double lat, lon;
	int has_latlon;
	int county;            /* region index of its county, or -1 */
	int64_t last_seen_ms;  /* -1: never heard of */
	long capacity, vacancies;
	long band_vac[3];      /* vacancies per age band 0-1, 1-2, 2-3 */
	int care[3];           /* offers full_day, temporary, hourly */
	char *slug;
} site_node;

typedef struct {
	char *owner, *id, *kind, *title, *title_en, *starts_at, *ends_at, *place, *audience;
	char *description_md;
	int node; /* index of the owner's node, or -1 */
	char *slug; /* "<owner>/<id>" made of slugs */
	char updated[21]; /* the feed's <updated>: when what its entry shows last changed */
} site_event;

typedef struct {
	char *service_type_id;
	char month[8]; /* YYYY-MM */
	long count;
} site_solved;

/* A row the site cannot publish (an id that is no id, an empty required value): left out of
 * the site and listed in the office's report, so that no single row stops a build. */
typedef struct {
	const char *table, *owner, *id, *reason;
} site_skipped;

typedef struct site_arena site_arena;

typedef struct {
	site_arena *arena;
	site_region *regions; int nregions;
	site_stype *stypes; int nstypes;
	site_node *nodes; int nnodes;
	int heard_next;        /* loading: the merge walk of when each node was last heard of */
	site_class *classes; int nclasses;
	site_offer *offers; int noffers;
	site_partner *partners; int npartners;
	site_team *teams; int nteams;
	site_event *events; int nevents; /* sorted by starts_at, owner, id */
	site_solved *solved; int nsolved; /* sorted by month, type */
	site_skipped *skipped; int nskipped; /* in the order read */
	uint64_t now_ms;
	char today[11];   /* YYYY-MM-DD in China time (UTC+8) */
	char now_local[17]; /* YYYY-MM-DDTHH:MM */
	char day_utc[21];  /* the start of `today` (China time) in UTC, YYYY-MM-DDTHH:MM:SSZ */
} site_model;

/** Read the public model; now_ms 0 derives "now" from the data. Free with site_model_free. */
int site_model_load(site_model *m, sqlite3 *db, uint64_t now_ms);
/* Append " WHERE (condition)" of `table`'s public_rows declaration to `sql` (nothing when it
 * has none). A declaration that cannot be read is an error, never "every row". */
int site_public_rows_where(hearth_buf *sql, sqlite3 *db, const char *table);
void site_model_free(site_model *m);
/** Index of the node / region / service type with that id, or -1. */
int site_model_node(const site_model *m, const char *id);
int site_model_region(const site_model *m, const char *id);
int site_model_stype(const site_model *m, const char *id);
/** 1 for the kinds listed in the centre directory (childcare and special care centres). */
int site_node_is_centre(const site_node *n);
/** 1 for the nodes that get a page of their own (all but the office and team phones). */
int site_node_has_page(const site_node *n);
/** 1 if `slug` names a page of the centre directory itself (centres/index.html and its facet
 * pages), which a centre's own page must not take. */
int site_centre_page_reserved(const char *slug);
/** Format `ms` as China time (UTC+8): "YYYY-MM-DD" (date_only) or "YYYY-MM-DD HH:MM". */
void site_format_time(char *out, size_t outsz, int64_t ms, int date_only);

/* ---- languages (lang.c) -------------------------------------------------------------------- */

typedef struct {
	const char *code;   /* "zh-CN", "en" */
	const char *prefix; /* "" or "en/" */
	int en;
} site_lang;

extern const site_lang site_zh, site_en;

/** The label of message `key` (an English word or phrase) in `l`. */
const char *site_l(const site_lang *l, const char *key);
/** Label of an enumerated value (`what`: "status", "kind", "operator", "band", "audience",
 * "event", "unit", "partner") in `l`; the value itself if unknown. */
const char *site_enum(const site_lang *l, const char *what, const char *value);
/** The name to show: name_en in English when present, else name. */
const char *site_name(const site_lang *l, const char *name, const char *name_en);

/* ---- output set (output.c) ----------------------------------------------------------------- */

typedef struct {
	char *path; /* relative to the output root, '/'-separated */
	hearth_buf data;
	char lastmod[11]; /* for HTML pages listed in the sitemap; "" otherwise */
	uint64_t hash[2]; /* of `data`, set where the set is committed (the manifest's) */
	int kept;         /* not rendered: `data` is empty, the published tree holds the file
			   * with `hash` and `kept_size` (site_keep) */
	size_t kept_size;
	int has_key;      /* the input key of the page this file starts (keys.c) */
	uint64_t key[2];
} site_file;

typedef struct {
	site_file **files; /* each file allocated on its own: pointers into it stay valid */
	int n, alloc;
} site_files;

/** A new empty file at `path` (printf-style); NULL on OOM or duplicate (error set). */
hearth_buf *site_files_add(site_files *fs, const char *lastmod, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
void site_files_dispose(site_files *fs);
/** Write the set into `out_dir` atomically (see hearth_site_build), with .gz companions. */
int site_files_commit(site_files *fs, const char *out_dir, hearth_site_stats *stats);
/** What site_files_commit returns when a kept file is no longer in the published tree as its
 * manifest said: the caller renders every page and commits again. */
#define SITE_OUT_STALE 1
/** The size of a file of the set (kept or rendered). */
static inline size_t site_file_size(const site_file *f)
{
	return f->kept ? f->kept_size : f->data.size;
}
/** 128 bits of `n` bytes (not cryptographic: equal bytes give equal hashes). */
void site_hash128(const char *p, size_t n, uint64_t out[2]);

/* The published tree's manifest, as keys.c asks it (output_manifest.c). */
typedef struct site_prev site_prev;
/** Read the manifest of the published tree at `out_dir`; *prev NULL when it has none. */
int site_prev_load(site_prev **prev, const char *out_dir);
void site_prev_free(site_prev *prev);

/** gzip `data` (zlib level 9, no name, mtime 0) into `out`. */
int site_gzip(hearth_buf *out, const char *data, size_t len);

/* ---- pages (page.c: builder and template; pages.c: the page kinds) ------------------------- */

/* The input keys of a build (keys.c). */
typedef struct {
	int on;             /* keys are computed and stored (the program could be read) */
	site_prev *prev;    /* the published tree's manifest: pages to keep; NULL: render all */
	hearth_buf base;    /* what every key holds: the program, base URL, the day */
	hearth_buf *node;   /* per node: every model row and field its page reads */
	int *by_id, nnodes; /* node indexes sorted by id */
	hearth_buf scratch;
	int rc;
} site_keys;

typedef struct {
	site_files *files;
	const site_model *m;
	const char *base_url; /* "" if none */
	site_keys *keys;      /* NULL: every page rendered, no key stored */
	int rc;
} site_ctx;

/** Compute the keys of the model's pages; with `keep`, read the published tree's manifest
 * from `out_dir` so that pages whose key it holds are kept. */
int site_keys_init(site_keys *k, const site_model *m, const char *base_url, const char *out_dir,
	int keep);
void site_keys_dispose(site_keys *k);
/** The key of a node's page / an event's page ("html") or .ics ("ics") in language `l`:
 * 1 when the published tree holds the page under that key (its files were added to the set
 * as kept: do not render it), 0 to render it (then *has_key says whether `key` is set), <0
 * on error. */
int site_node_keyed(site_ctx *ctx, const site_lang *l, const site_node *n, const char *lastmod,
	uint64_t key[2], int *has_key);
int site_event_keyed(site_ctx *ctx, const site_lang *l, const site_event *e, const char *ext,
	uint64_t key[2], int *has_key);
/** Add the files `paths` (the first one keyed `key`, with `lastmod`) to the set as kept when
 * the published tree's manifest holds them all, the first under `key`: 1 kept, 0 not. */
int site_keep(site_ctx *ctx, const uint64_t key[2], const char *lastmod,
	const char *const *paths, int n);
/** Store `key` on the file just added at `path` (the page or .ics just rendered). */
void site_key_file(site_ctx *ctx, const char *path, const uint64_t key[2]);
/* Aggregates (a group of files, or a page, that reads more than one row): the caller
 * serialises every field the group shows with these (no-ops when keys are off), then asks. */
void site_key_str(site_ctx *ctx, hearth_buf *b, const char *s);
void site_key_num(site_ctx *ctx, hearth_buf *b, long long v);
/** A region whole (`r` < 0: none). */
void site_key_region(site_ctx *ctx, hearth_buf *b, int r);
/** 1 when this build computes keys (else an aggregate need not serialise its inputs). */
int site_keys_on(const site_ctx *ctx);
/** The group of files `paths` (the first one keyed, with `lastmod`) whose inputs are `data`:
 * 1 kept (its files joined the set), 0 render it (*has_key: `key` set), <0 error. */
int site_group_keyed(site_ctx *ctx, const hearth_buf *data, const char *lastmod,
	const char *const *paths, int n, uint64_t key[2], int *has_key);
/** The key of the page at `path` (without the language prefix; its lastmod the day) whose
 * inputs are `data`, as site_node_keyed. */
int site_page_keyed(site_ctx *ctx, const site_lang *l, const char *path, const hearth_buf *data,
	uint64_t key[2], int *has_key);
/** The group rendered from file index `first` on: store `key` on that file (its path is the
 * group's first), and tell site_render_hook. */
void site_group_rendered(site_ctx *ctx, int first, const uint64_t key[2]);
/** Called with the path of every keyed page or .ics rendered (tests; NULL: none). */
extern void (*site_render_hook)(const char *path);

typedef struct {
	site_ctx *ctx;
	const site_lang *lang;
	char *path;        /* path of the page (with the language prefix) */
	char *alt_path;    /* the same page in the other language */
	const char *from;  /* where links are relative to: path, or "/" for root-absolute links */
	const char *lastmod;
	hearth_buf md;     /* the Markdown summary (content/) */
	hearth_buf pending; /* generated Markdown not yet rendered */
	hearth_buf body;   /* rendered HTML of <main> */
	int has_key;       /* the page's input key (keys.c), stored with its HTML file */
	uint64_t key[2];
	int rc;
} site_page;

/** Start a page at `path` (without language prefix, e.g. "centres/x.html"). */
void site_page_begin(site_page *p, site_ctx *ctx, const site_lang *l, const char *path,
	const char *lastmod);
/** Generated Markdown (printf-style; user strings must come through site_esc_md). */
void site_page_md(site_page *p, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/** A Markdown-escaped user string into the generated Markdown. */
void site_page_mdtext(site_page *p, const char *s);
/** A block of generated HTML, with `md_alt` as its form in the Markdown summary. */
void site_page_html(site_page *p, const char *html, const char *md_alt);
/** User-written Markdown: cmark without raw HTML, headings demoted below the page's,
 * images reduced to their text (no request leaves the site). */
void site_page_user_md(site_page *p, const char *md);
/** Render the template and add the page (HTML and its content/ summary) to the output. */
int site_page_end(site_page *p, const char *title, const char *description);
void site_page_dispose(site_page *p);
/** Append the relative URL from page `from` to site path `to` (both from the site root). */
int site_href(hearth_buf *out, const char *from, const char *to);

/* A table written both as HTML and as a Markdown pipe table. */
typedef struct {
	hearth_buf html, md;
	int ncol, col, rc;
	int captioned;    /* in a named region with its caption (a table of the site's pages) */
	const char *from; /* page path, for links */
} site_table;

/** Start a table. `caption` NULL: a bare table (no caption, no region, no class), as the
 * staff report writes them. */
void site_table_begin(site_table *t, const char *from, const char *caption, int ncol,
	const char *const *headers, const char *cls);
/** Next cell: user text `text` (escaped), linked to site path `href` when not NULL;
 * `num` right-aligns it. */
void site_table_cell(site_table *t, const char *text, const char *href, int num);
void site_table_cellf(site_table *t, int num, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/** Next cell: text hearth formatted itself (dates, ages, numbers): HTML-escaped, and as it is
 * in the Markdown. */
void site_table_cell_own(site_table *t, const char *text, int num);
/** Finish and hand the table to the page. */
void site_table_end(site_table *t, site_page *p);
/** Finish the table without a page: its HTML in t->html, its Markdown in t->md (each ending
 * with a line break); returns the first error. Free both with site_table_dispose. */
int site_table_finish(site_table *t);
void site_table_dispose(site_table *t);

int site_pages_write(site_ctx *ctx);
int site_assets_write(site_ctx *ctx);
int site_search_write(site_ctx *ctx);
int site_feed_write(site_ctx *ctx);
int site_ics_write(site_ctx *ctx);
int site_opendata_write(site_ctx *ctx, sqlite3 *db);
int site_sitemap_write(site_ctx *ctx);
/** The tables exported as open data, NULL-terminated (opendata.c). */
extern const char *const site_open_tables[];

/** Helpers shared by the page kinds. */
const char *site_county_name(const site_model *m, const site_lang *l, int county);
void site_event_path(hearth_buf *out, const site_event *e, const char *ext);

/* ---- what the page kinds share (pages_parts.c, pages_charts.c, pages_centres.c) ----------- */

/** The facet values of the directory: age bands and care types, as stored. */
extern const char *const site_age_bands[3];
extern const char *const site_care_types[3];

/* Small writers into a scratch buffer `b`: once the page holds an error (p->rc) they do
 * nothing, and a failure is kept there, checked once when the page ends. */
/** Formatted text, as is. */
void site_put_printf(site_page *p, hearth_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/** Text escaped for HTML (NULL: nothing). */
void site_put_html(site_page *p, hearth_buf *b, const char *s);
/** A relative URL from this page to `to`, a path inside this page's language. */
void site_put_href(site_page *p, hearth_buf *b, const char *to);
/** Text escaped for Markdown (NULL: nothing). */
void site_put_md(site_page *p, hearth_buf *b, const char *s);
/** Hand a generated HTML block and its Markdown form (`md` may be NULL) to the page, emptying
 * both buffers. */
void site_put_block(site_page *p, hearth_buf *html, hearth_buf *md);

/** 1 if the event starts today or later (the model's day). */
int site_event_upcoming(const site_model *m, const site_event *e);
/** The node's name in the page's language. */
const char *site_node_name(const site_page *p, const site_node *n);
/** 1 if the node has not synced for 14 days (or never). */
int site_node_stale(const site_model *m, const site_node *n);
/** An ISO time as a page shows it ("T" turned into a space), into `out`. */
void site_when_text(char *out, size_t n, const char *iso);
/** A list of centres; `keep` selects with `arg` (NULL: all). */
void site_centre_list(site_page *p, int (*keep)(const site_node *, int), int arg);
/** The key of that list: every field it shows of each centre it lists, in its order. */
int site_centre_list_key(site_ctx *ctx, hearth_buf *b, int (*keep)(const site_node *, int),
	int arg);
/** A list of events, upcoming or past, at most `limit` (0: all). */
void site_event_list(site_page *p, int upcoming, int limit);
/** Charts with their data tables: centres per county, requests solved in the last 12 months. */
void site_county_chart(site_page *p);
void site_solved_chart(site_page *p);
/** End the page (site_page_end), dispose it, and return the result. */
int site_page_finish(site_page *p, const char *title, const char *desc);
/** The directory's pages: index, one per county, age band and care type. */
int site_directory_pages(site_ctx *ctx, const site_lang *l);
/** The page of one centre. */
int site_node_page(site_ctx *ctx, const site_lang *l, const site_node *n);

#endif
