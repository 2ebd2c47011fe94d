/*
 * hearth status: what a node's sync bookkeeping says (its outbox, remotes, and at the office
 * the peers, the conflict log and the quarantine), read as C structs by every reader: the
 * `hearth status`, `conflicts`, `quarantine` and `remote` commands, the staff report and an app.
 * Every statement that reads hearth_outbox, hearth_remote, hearth_peer, hearth_conflict and
 * hearth_quarantine for them is in core/status.c: renaming a column changes that one file and
 * the fields below, and a reader that used the old name no longer compiles.
 *
 * Why in core and not in sync, which writes these tables: the report is built by site-gen,
 * and site-gen links core only (cli -> sync, site-gen -> core; only sync links libgit2), so a
 * read API in sync would pull libgit2 into the site generator. Core owns the schema that
 * creates these tables (schemas/001_init.sql) and already reads the outbox (history, purge).
 *
 * Ownership: each *_read allocates one result object holding all its strings; free it with
 * the matching *_free (NULL accepted). On failure *out is NULL and nothing is to be freed.
 * Conventions as in hearth.h: 0 or a negative HEARTH_E* code, message in hearth_error_last().
 */
#ifndef HEARTH_STATUS_H
#define HEARTH_STATUS_H

#include "hearth.h"

/** A time that was never reached (a remote never synced, an error never seen). */
#define HEARTH_TIME_NONE (-1)

/** Age `ms` as a short human string into `out` (`n` bytes): "45 s", "3 min", "2 h",
 * "8 days"; "in the future" when negative (a clock ahead of this one). */
void hearth_age_format(char *out, size_t n, int64_t ms);

/* ---- status --------------------------------------------------------------------------------- */

typedef struct {
	char *name;             /* at the office: the node id the remote belongs to */
	char *url;
	int64_t last_sync_ms;   /* the last sync that completed, or HEARTH_TIME_NONE */
	int64_t last_seen_ms;   /* office: clock time of the newest change merged from the node,
				 * or HEARTH_TIME_NONE */
	char *last_error;       /* the last failure's message, NULL if none since the last sync */
	int64_t last_error_ms;  /* when, or HEARTH_TIME_NONE */
	/* what the office knows of the node `name` (0 / NULL at a node) */
	char *node_name;        /* the name in the node's own `node` row, NULL if not yet merged */
	int64_t behind;         /* office log entries not yet written to the node's `down` */
	int64_t quarantined;    /* the node's commits in quarantine */
	int64_t open_conflicts; /* unresolved conflicts on the node's rows or with its values */
} hearth_status_remote;

typedef struct {
	char *node;               /* this node's id */
	char *kind;
	int office;               /* 1 at the office */
	int schema_version;
	hearth_clock clock;       /* the node's clock, not ticked */
	int64_t unpushed;         /* outbox entries not yet pushed */
	int64_t pushed;           /* outbox entries pushed, waiting for the office */
	int64_t open_conflicts;   /* conflict log entries not resolved (office) */
	int64_t quarantined;      /* commits in quarantine (office) */
	hearth_status_remote *remotes; /* by name */
	int nremotes;
} hearth_status;

/** Read the node's status into a new *out; free it with hearth_status_free(). */
int hearth_status_read(hearth_status **out, hearth_db *db);
void hearth_status_free(hearth_status *s);
/** Append `s` as the JSON object of `hearth status --json` (docs/hearth.1), with a newline. */
int hearth_status_json(hearth_buf *out, const hearth_status *s);

/* ---- the conflict log ------------------------------------------------------------------------- */

/* A value's type: the same numbers as SQLite's fundamental datatypes (SQLITE_INTEGER, ...). */
enum {
	HEARTH_TYPE_INTEGER = 1,
	HEARTH_TYPE_FLOAT = 2,
	HEARTH_TYPE_TEXT = 3,
	HEARTH_TYPE_BLOB = 4,
	HEARTH_TYPE_NULL = 5,
};

/** A value as SQLite held it. `text` is its text form as SQLite gives it (a blob's bytes), NUL
 * terminated, `n` bytes long; NULL for HEARTH_TYPE_NULL. */
typedef struct {
	int type; /* HEARTH_TYPE_* */
	int64_t i;
	double f;
	char *text;
	size_t n;
} hearth_value;

typedef struct {
	int64_t id;
	char *table, *owner, *row_id, *col;
	char *policy;            /* the policy that decided: "lww", "office", "state:..." */
	hearth_value kept;       /* the value the merge kept */
	char *kept_node;         /* who wrote it and when (NULL if unknown) */
	char *kept_clock;
	hearth_value lost;       /* the value that lost */
	char *lost_node;
	char *lost_clock;
	int64_t at_ms;           /* when the merge logged it */
	char *resolved;          /* how it was resolved, NULL while open */
} hearth_conflict;

typedef struct {
	hearth_conflict *items; /* by id */
	int n;
} hearth_conflicts;

/**
 * Read the conflict log into a new *out: the open conflicts, every one with `all`, or with
 * `id` > 0 only conflict `id` (HEARTH_ENOTFOUND if there is none). Free with
 * hearth_conflicts_free().
 */
int hearth_conflicts_read(hearth_conflicts **out, hearth_db *db, int64_t id, int all);
void hearth_conflicts_free(hearth_conflicts *c);
/** Append `c` as `hearth conflicts list` prints it (TEXT, tab-separated with a header, or
 * JSON); with `detail` every field, as `hearth conflicts show` prints one. */
int hearth_conflicts_format(hearth_buf *out, const hearth_conflicts *c, int detail,
	hearth_format format);

/* ---- the quarantine --------------------------------------------------------------------------- */

typedef struct {
	char *node;
	char *commit_id;  /* 40 hex digits */
	int64_t seq;      /* the first entry it held that was refused, or -1 if unknown */
	char *reason;
	int64_t at_ms;    /* when it was refused */
} hearth_quarantined;

typedef struct {
	hearth_quarantined *items; /* by node, then time */
	int n;
} hearth_quarantine;

/** Read the commits in quarantine into a new *out; free with hearth_quarantine_free(). */
int hearth_quarantine_read(hearth_quarantine **out, hearth_db *db);
void hearth_quarantine_free(hearth_quarantine *q);
/** Append `q` as `hearth quarantine list` prints it (TEXT or JSON). */
int hearth_quarantine_format(hearth_buf *out, const hearth_quarantine *q, hearth_format format);

#endif
