/*
 * hearth core: a node's local database, identity, hybrid logical clock, recorded writes,
 * the changeset codec and the canonical dump.
 *
 * Conventions (the same in every hearth library):
 * - functions return int: 0 on success, a negative HEARTH_E* code on failure; the message of the
 *   last failure on this thread is hearth_error_last();
 * - out-parameters come first and are zeroed on entry;
 * - every function that returns something to free says with which function.
 * The library never prints, never exits, and keeps no global state but the thread-local error.
 */
#ifndef HEARTH_H
#define HEARTH_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define HEARTH_VERSION "0.1.0"

/* ---- errors ------------------------------------------------------------------------------- */

enum {
	HEARTH_OK = 0,
	HEARTH_ERROR = -1,     /* anything a caller cannot act on specifically */
	HEARTH_ENOTFOUND = -3, /* no such node, table, row, remote, conflict */
	HEARTH_ECONFLICT = -4, /* already exists / state does not allow it */
	HEARTH_ECORRUPT = -5,  /* bytes that do not parse: changeset, commit, CSV, database */
	HEARTH_EDENIED = -6,   /* ownership or visibility refuses the change */
	HEARTH_EUSAGE = -7,    /* bad argument from the user */
	HEARTH_ENET = -8,      /* a remote that cannot be reached (retry later) */
	HEARTH_ENEWER = -9,    /* data from a newer hearth or schema: upgrade hearth */
};

/** The message of the last failure on this thread ("" if none). Owned by the library. */
const char *hearth_error_last(void);
/** The code of the last failure on this thread (HEARTH_OK if none). */
int hearth_error_code(void);
/** Forget the thread's error. */
void hearth_error_clear(void);

/* ---- buffers ------------------------------------------------------------------------------ */

/**
 * A growable byte buffer. `ptr` is never NULL and always NUL-terminated (binary-safe: `size`
 * counts the bytes). With `cap` > 0, growing past `cap` bytes fails (untrusted input).
 * Initialise with HEARTH_BUF_INIT or hearth_buf_init(); release with hearth_buf_dispose().
 */
typedef struct {
	char *ptr;
	size_t size;
	size_t asize;
	size_t cap;
} hearth_buf;

extern char hearth_buf__empty[];
#define HEARTH_BUF_INIT { hearth_buf__empty, 0, 0, 0 }

void hearth_buf_init(hearth_buf *buf, size_t cap);
int hearth_buf_grow(hearth_buf *buf, size_t extra);
int hearth_buf_put(hearth_buf *buf, const void *data, size_t len);
int hearth_buf_puts(hearth_buf *buf, const char *s);
int hearth_buf_putc(hearth_buf *buf, char c);
/** Append formatted text (printf's rules): 0, or an error with nothing appended. */
int hearth_buf_printf(hearth_buf *buf, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/** hearth_buf_printf with a va_list, for the builders of the other libraries (ap is used up). */
int hearth_buf_vprintf(hearth_buf *buf, const char *fmt, va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 0)))
#endif
	;
/** Empty the buffer, keeping its memory. */
void hearth_buf_clear(hearth_buf *buf);
/** Free the memory; the buffer is empty and usable again. */
void hearth_buf_dispose(hearth_buf *buf);
/** Hand the bytes over (free() them); the buffer is empty again. Returns NULL on OOM. */
char *hearth_buf_detach(hearth_buf *buf);

/* ---- identity ----------------------------------------------------------------------------- */

#define HEARTH_ID_MAX 40
#define HEARTH_OFFICE "office"

/** 1 if `id` is a valid node/record id: [a-z0-9][a-z0-9-]{0,39}, else 0. */
int hearth_id_valid(const char *id);
/** As hearth_id_valid, but sets HEARTH_EUSAGE naming `what` when invalid. */
int hearth_id_check(const char *what, const char *id);
#define HEARTH_RECORD_ID_MAX 64
/** 1 if `id` is a valid record id: [A-Za-z0-9][A-Za-z0-9_-]{0,63} (service types such as
 * 'elderly_canteen' have underscores; no '/', '.', spaces: ids become file names). */
int hearth_record_id_valid(const char *id);
/** 1 if `kind` is one of the node kinds of the schema. */
int hearth_kind_valid(const char *kind);

/* ---- time and the hybrid logical clock ---------------------------------------------------- */

/**
 * A hybrid logical clock value: the high 48 bits are milliseconds since the Unix epoch, the low
 * 16 a counter. Written as 16 lower-case hex digits, so the text sorts like the number.
 */
typedef uint64_t hearth_clock;
#define HEARTH_CLOCK_HEX 16
#define HEARTH_CLOCK_MS(c) ((c) >> 16)
#define HEARTH_DAY_MS 86400000ULL

/** Wall time in ms; tests may pin it with hearth_time_override(). */
uint64_t hearth_time_now_ms(void);
/** Pin the wall clock to `ms` for this process (0 restores the real clock). Tests only. */
void hearth_time_override(uint64_t ms);

/** Format `c` into `out` (17 bytes: 16 hex digits and a NUL). */
void hearth_clock_format(char *out, hearth_clock c);
/** Parse 16 hex digits; HEARTH_ECORRUPT if `s` is anything else. */
int hearth_clock_parse(hearth_clock *out, const char *s);

/* ---- the node database -------------------------------------------------------------------- */

typedef struct hearth_db hearth_db;

/** Current schema version this build knows (the highest migration). */
int hearth_schema_version_max(void);
/** The version of the SQLite library linked in ("3.40.1"). */
const char *hearth_sqlite_version(void);
/** Configure SQLite for hearth once per process, before its first use (hearth_db_open does). */
void hearth_sqlite_setup(void);

/**
 * Create a new node in folder `dir` (created if missing; must not already hold a node):
 * migrate, store identity, and record the node's own `node` row as its first change.
 * `region` may be NULL. Free with hearth_db_free().
 */
int hearth_db_create(hearth_db **out, const char *dir, const char *node_id, const char *kind,
	const char *name, const char *region);

/** Open the node in `dir`, migrating it if older; HEARTH_ENEWER if it is newer than this build,
 * HEARTH_ENOTFOUND if `dir` holds no node. Free with hearth_db_free(). */
int hearth_db_open(hearth_db **out, const char *dir);

/** Close; accepts NULL. */
void hearth_db_free(hearth_db *db);

/** Write a copy of the node's database to the file `path`, consistent as of one moment while
 * the node may be in use (SQLite's online backup), as one file that reads back whole.
 * HEARTH_ECONFLICT if `path` exists and `replace` is 0; nothing is left at `path` on failure. */
int hearth_db_backup(hearth_db *db, const char *path, int replace);

const char *hearth_db_dir(const hearth_db *db);
const char *hearth_db_node(const hearth_db *db);
const char *hearth_db_kind(const hearth_db *db);
/** 1 if this node is the office (kind 'office'). */
int hearth_db_is_office(const hearth_db *db);
int hearth_db_schema_version(const hearth_db *db);

/* ---- schema declarations ------------------------------------------------------------------ */

typedef enum {
	HEARTH_POLICY_LWW = 0,
	HEARTH_POLICY_OFFICE = 1,
	HEARTH_POLICY_STATE = 2,
} hearth_policy_kind;

/* How a column's value is typed, read and checked (hearth_column.kind). */
typedef enum {
	HEARTH_KIND_TEXT = 0,
	HEARTH_KIND_INTEGER,
	HEARTH_KIND_DECIMAL,
	HEARTH_KIND_DATE,      /* YYYY-MM-DD, a real calendar date */
	HEARTH_KIND_TIMESTAMP, /* YYYY-MM-DDTHH:MM:SS+08:00 */
	HEARTH_KIND_PHONE,
	HEARTH_KIND_CHOICE,
	HEARTH_KIND_FLAG,      /* 0 or 1 (是/否) */
	HEARTH_KIND_MARKDOWN,
	HEARTH_KIND_REFERENCE,
	HEARTH_KIND_ID,
	HEARTH_KIND_MONTH,     /* YYYY-MM */
} hearth_input_kind;

typedef struct {
	char *value;
	char *label_zh, *label_en;
} hearth_choice;

typedef struct {
	char *name;
	int is_pk;            /* position in the primary key (1-based), 0 if not part of it */
	int is_public;
	int audience_writable;
	int audience_sees;    /* the row's audience node receives this column (keys always) */
	int not_null;         /* declared NOT NULL */
	int takes_blob;       /* declared BLOB (or no type): the only columns a BLOB value may enter */
	hearth_policy_kind policy;
	char *policy_text;    /* as declared: "lww", "office", "state:a<b<c" */
	char **states;        /* for HEARTH_POLICY_STATE: the order, lowest first */
	int nstates;
	/* What a person reads (schema v4; NULL labels on an older database): */
	char *label_zh, *label_en;
	char *hint_zh, *hint_en;  /* may be NULL */
	hearth_input_kind kind;
	int has_min, has_max;     /* for integer and decimal: the inclusive range */
	double min, max;
	char *ref_table;          /* for HEARTH_KIND_REFERENCE: the table whose `id` it names */
	int ref_checked;          /* ref_table is reference data: the row must exist */
	hearth_choice *choices;   /* for HEARTH_KIND_CHOICE, in the order a form lists them */
	int nchoices;
} hearth_column_decl;

typedef struct {
	char *name;
	int rank;
	int ncol;
	hearth_column_decl *cols; /* in table order (the order changesets use) */
	int owner_col;            /* index of `owner` */
	int id_col;               /* index of `id` */
	int audience_col;         /* index, or -1 */
	int audience_withheld;    /* some column is withheld from the audience (audience_sees 0) */
	char *public_rows;        /* SQL condition for publishing, or NULL */
	int directory;            /* schema v8: its public columns go to every node */
} hearth_table_decl;

typedef struct hearth_schema hearth_schema;

/** The synced tables and their declarations, read from the database. */
const hearth_schema *hearth_db_schema(hearth_db *db);
int hearth_schema_count(const hearth_schema *s);
/** Tables in rank order (parents first). */
const hearth_table_decl *hearth_schema_at(const hearth_schema *s, int i);
/** NULL if `name` is not a synced table. */
const hearth_table_decl *hearth_schema_table(const hearth_schema *s, const char *name);
/** Index of column `col` in `t`, or -1. */
int hearth_table_column(const hearth_table_decl *t, const char *col);
/** Rank of `state` in a state policy, or -1 if unknown. */
int hearth_column_state_rank(const hearth_column_decl *c, const char *state);

/* ---- recorded writes ---------------------------------------------------------------------- */

typedef struct {
	int64_t seq;          /* outbox seq of this write, 0 if it changed nothing */
	int changes;          /* changed rows */
	hearth_clock clock;
} hearth_write_info;

/**
 * Run arbitrary SQL as one recorded write: BEGIN IMMEDIATE, a session on the synced tables,
 * the statements, the ownership check of every changed row, the changeset into the outbox,
 * COMMIT. On any failure nothing stays: no data, no outbox entry.
 * HEARTH_EDENIED names the table and owner of a refused row. Schema changes and writes to
 * hearth's own tables are refused.
 */
int hearth_write_exec(hearth_db *db, const char *sql, hearth_write_info *out);

/**
 * The author of the recorded writes made through `db` from now on (hearth_write_exec, imports,
 * undo...): the app's account that made them, kept with each outbox entry, shown by `log` and
 * `show`, carried to the office in the commit (an "Authors:" trailer, docs/format.md) and kept
 * in its merged log. NULL (the default) records no author: a change typed at a terminal.
 * The string is copied. 0, or an error (out of memory) with the author unchanged.
 */
int hearth_db_set_author(hearth_db *db, const char *author);
/** The author set with hearth_db_set_author, or NULL. Owned by `db`. */
const char *hearth_db_author(const hearth_db *db);

/* ---- CSV ---------------------------------------------------------------------------------- */

/** Import CSV `data` into synced table `table` as one recorded write: the header row names the
 * columns; a bad row names its line and column and nothing is applied. As hearth_import_sheet
 * with no flags and no report. */
int hearth_import_csv(hearth_db *db, const char *table, const char *data, size_t len,
	hearth_write_info *out);

/** hearth_import_sheet: rows whose (owner, id) is there are updated, the others added. */
#define HEARTH_IMPORT_UPDATE 1u
/** hearth_import_sheet: decode and check every cell as an import would, write nothing. */
#define HEARTH_IMPORT_CHECK 2u

typedef struct {
	hearth_write_info write; /* the recorded change (seq 0: nothing changed) */
	int rows;                /* rows of the sheet (notes and empty rows aside) */
	int added, updated;      /* the rest were as the sheet says */
	const char *encoding;    /* what the file was read as: "UTF-8", "GB18030", "UTF-16LE"... */
} hearth_import_info;

/**
 * Import a sheet as Excel writes it into synced table `table`, as one recorded write:
 * - bytes in UTF-8 (with or without BOM), UTF-16LE/BE with BOM, else GB18030 (GBK), converted;
 *   cells separated by ',', tab or ';' (the header line says which);
 * - headers by column name, Chinese label or English label (any case);
 * - `owner` defaults to the node, `id` to a new time-ordered id; an empty cell takes the
 *   column's default; values as people type them (hearth_value_normalize: 女, 2026/12/10);
 * - rows whose first cell starts with '#' (notes, the template's) and empty rows are skipped.
 * All or nothing: every refused cell is one line in `report` (cleared first; may be NULL) and
 * the call fails with HEARTH_ECONFLICT ("nothing imported"; without a report, the first line)
 * writing nothing. A row already there is refused unless `flags` has HEARTH_IMPORT_UPDATE;
 * then only its changed cells are written, and an unchanged sheet records nothing.
 */
int hearth_import_sheet(hearth_db *db, const char *table, const char *data, size_t len,
	unsigned flags, hearth_buf *report, hearth_import_info *out);

/**
 * A CSV a person fills in Excel for `table`, appended to `out`: UTF-8 with a BOM; the header of
 * column labels in `lang` ("zh" or "en"; NULL: "zh"), owner and id left out (the importer makes
 * them); a note row with what each column takes (required, the choices, the hint) and an example
 * row, both starting with '#' so that the importer skips them. HEARTH_EUSAGE for an unknown
 * table or language.
 */
int hearth_csv_template(hearth_db *db, const char *table, const char *lang, hearth_buf *out);

/* ---- reading ------------------------------------------------------------------------------ */

typedef enum { HEARTH_FORMAT_TEXT, HEARTH_FORMAT_JSON, HEARTH_FORMAT_CSV } hearth_format;

/** Run read-only SQL and append its result to `out` in `format` (TEXT: tab-separated with a
 * header). A statement that would write is refused with HEARTH_EUSAGE. */
int hearth_query(hearth_db *db, const char *sql, hearth_format format, hearth_buf *out);

#define HEARTH_SQL_LIMIT_MS 60000
/**
 * How long the caller's SQL of hearth_write_exec and hearth_query may run (wall time, in ms)
 * before SQLite stops it: the call fails with HEARTH_EUSAGE, a write changes nothing, and the
 * write lock is released. 0 lets it run for ever. HEARTH_SQL_LIMIT_MS until set.
 */
void hearth_db_set_sql_limit(hearth_db *db, int64_t ms);

/**
 * The canonical dump: every synced row sorted by table rank, owner, id; one line per row,
 * `table owner/id col=value ...` with values in one stable text form (NULL, integers, reals
 * as %.17g, text and blobs escaped). With `for_node`, only the rows that node may see.
 */
int hearth_dump(hearth_db *db, const char *for_node, hearth_buf *out);

/* ---- retention ---------------------------------------------------------------------------- */

#define HEARTH_PURGE_DEFAULT "3y"

/** What one purge did. Row counts are per table; no value of a purged row is kept anywhere. */
typedef struct {
	char cutoff[11];  /* YYYY-MM-DD (China time): records closed before this day were purged */
	int64_t seq;      /* outbox seq of the recorded write, 0 if nothing was purged */
	int64_t purge_id; /* the purge's id in hearth_purge_log */
	int requests, volunteers, health_checks, enrolments, children;
	int64_t tallied;  /* solved requests folded into request_tally before their rows went */
} hearth_purge_info;

/**
 * The cutoff date for a retention period `older_than` ("3y", "18m", "400d": a number and y, m or
 * d) counted back from `now_ms`, in China time, into `out` (11 bytes: YYYY-MM-DD and a NUL).
 * A day past the end of the month lands on its last day (2024-02-29 minus 1y is 2023-02-28).
 * HEARTH_EUSAGE if `older_than` is not such a period.
 */
int hearth_purge_cutoff(char *out, const char *older_than, uint64_t now_ms);

/**
 * Office only: purge the personal rows (service_request, volunteer, health_check, enrolment,
 * child) of records closed before the cutoff of `older_than` (NULL: HEARTH_PURGE_DEFAULT) from
 * now (hearth_time_now_ms()), as one recorded write that reaches the nodes with the next sync.
 * Solved requests are added to `request_tally` in the same write, so the site's aggregates do
 * not change; values the conflict log kept of purged rows are cleared; hearth_purge_log gets one
 * row per table (when, by which node, the period, the cutoff, how many rows), even when nothing
 * was old enough. "Closed" per table is defined in core/purge.c and the manual.
 * HEARTH_EDENIED at a node, HEARTH_EUSAGE for a bad period. `out` may be NULL.
 */
int hearth_purge(hearth_db *db, const char *older_than, hearth_purge_info *out);

/** One row a purge would remove, named as a clerk reads it. */
typedef struct {
	char *table;      /* service_request, volunteer, health_check, enrolment or child */
	char *owner, *id;
	char *name;       /* a child's or volunteer's name; whose enrolment or check and its day;
			   * a request's service and day */
} hearth_purge_item;

/** What hearth_purge would remove now: the cutoff and counts (`info`, seq and purge_id 0, tallied
 * not counted) and each row, in the order the purge removes them. */
typedef struct {
	hearth_purge_info info;
	int n;
	hearth_purge_item *items;
} hearth_purge_plan;

/**
 * The rows hearth_purge(db, older_than, ...) would remove if it ran now, found by the same rules;
 * nothing is written. Office only (HEARTH_EDENIED at a node); HEARTH_EUSAGE for a bad period.
 * Free *out with hearth_purge_plan_free().
 */
int hearth_purge_preview(hearth_db *db, const char *older_than, hearth_purge_plan **out);
void hearth_purge_plan_free(hearth_purge_plan *pv);

/* ---- history and undo (core/history.c, history_show.c, undo.c) ----------------------------- */

/*
 * A change is named as `hearth log` shows it: at a node "5" (its own change 5) or "down:7"
 * (office entry 7 as received); at the office "5" (its own change 5) or "lucai:3" (node lucai's
 * change 3 as merged). Only what the node still holds: purged records leave no history.
 */

/** The label people read for column `col` of `t`, in the language in effect (hearth_ui_lang());
 * its name when no label is declared. */
const char *hearth_column_label(const hearth_table_decl *t, int col);

/* ---- values as people type them (core/values.c) ------------------------------------------ */

/** The label of choice `value` of `c` in the language in effect, or `value` itself if it is not
 * one of the declared choices (NULL gives NULL). */
const char *hearth_choice_label(const hearth_column_decl *c, const char *value);

/**
 * A person's typed `text` for column `col` of `t` -> the canonical stored text, into `out`:
 * trims; dates "2026/12/02" -> "2026-12-02"; local times "2026-12-10T09:00" or
 * "2026-12-10 09:00[:SS]" -> "2026-12-10T09:00:00+08:00"; a choice by value or by its label in
 * either language ("女" -> "f"); flags 是/否/yes/no/1/0 -> "1"/"0"; "+86 " dropped from mobiles.
 * Returns 0 (normalized), 1 (refused: `why` says what is expected, in the user's language) or
 * a negative hearth error. References to reference data must exist in `db`.
 */
int hearth_value_normalize(hearth_db *db, const hearth_table_decl *t, int col, const char *text,
	hearth_buf *out, hearth_buf *why);

/** Every new value of a changeset (`n` bytes) against its column's rules (hearth_value_check):
 * 0, or HEARTH_ECONFLICT with one line naming the table, the row's key, the column's label, what
 * is expected and the value. Bytes that do not parse pass here: the framing check refuses them. */
int hearth_changeset_check_values(hearth_db *db, const void *changeset, int n);
/** The first schema version that declares the value rules: a node on it (or later) checks its
 * values when it writes, and the office refuses its changes that break them; an older node's
 * values are lifted at the office instead. */
#define HEARTH_SCHEMA_VALUES 4

/**
 * One line naming where (`where`: "第 3 行", a row key, or NULL), the column's label, what is
 * expected and the value received, appended to `out`:
 *   第 3 行「容量」：应为 0–200 的整数，收到「二十」
 *   line 3, "capacity": expected a whole number from 0 to 200, got "二十"
 * `value_text` NULL reads as empty.
 */
int hearth_refusal_format(hearth_buf *out, const char *where, const hearth_table_decl *t, int col,
	const char *value_text, const char *why);

/** One change (`ref`) as people read it, or as JSON with the raw values, appended to `out`: when
 * (local time), who, which rows, each column old -> new; at the office the origin and what the
 * merge did (merged, conflicts lost or won, quarantined). HEARTH_ENOTFOUND if not held. */
int hearth_history_show(hearth_db *db, const char *ref, hearth_format format, hearth_buf *out);

/** Every change the node holds that touched record `key` ("ID" or "OWNER/ID") of `table`, newest
 * first; at the office also the conflicts of that record. Appended to `out`. */
int hearth_history_record(hearth_db *db, const char *table, const char *key,
	hearth_format format, hearth_buf *out);

/** The newest `limit` changes (both directions) with their local time, one readable line and
 * their author (the app's account that made them; empty/null when not recorded). */
int hearth_history_log(hearth_db *db, long limit, hearth_format format, hearth_buf *out);

/**
 * Record the inverse of change `ref` as a new change (the write path's checks apply). Each cell
 * is put back only if it still holds the value the change wrote; the others are appended to
 * `report` (one line each, with the changes that touched them) and, unless `force`, nothing is
 * written (HEARTH_ECONFLICT). A node undoes only its own changes (HEARTH_EDENIED).
 */
int hearth_undo(hearth_db *db, const char *ref, int force, hearth_buf *report,
	hearth_write_info *out);

/* ---- the guard on wide changes -------------------------------------------------------------- */

#define HEARTH_WIDE_ROWS_DEFAULT 20

/** The node's wide-change limit: meta 'wide_change_rows', else HEARTH_WIDE_ROWS_DEFAULT. */
int hearth_wide_rows(hearth_db *db);

/** While set (> 0), a recorded write that changes more rows than `rows` is refused with
 * HEARTH_ECONFLICT naming its rows per table, and writes nothing. 0 turns it off. */
void hearth_db_set_wide_limit(hearth_db *db, int rows);

#endif
