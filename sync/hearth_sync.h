/*
 * hearth sync: the log in git (branches `up` and `down` of one repository per node), push and
 * pull at a node, and the office merge with per-column policies and the conflict log.
 * The wire format is documented in docs/format.md.
 *
 * Same conventions as core/hearth.h: int returns (0 or a negative HEARTH_E* code), message in
 * hearth_error_last(), out-parameters first and zeroed, no printing, no exit.
 */
#ifndef HEARTH_SYNC_H
#define HEARTH_SYNC_H

#include "core/hearth.h"

/** The newest git log format version this build writes; it reads every version from 1 up to
 * it. Format 3 (sealed) is written once the node is enrolled (it holds a key shared with the
 * office), format 2 until then. (Builds of hearth as it was at formats 1 and 2, for the tests of
 * mixed repositories, define it.) */
#ifndef HEARTH_FORMAT_VERSION
#define HEARTH_FORMAT_VERSION 3
#endif
/** The format written for a node without a key. */
#define HEARTH_FORMAT_UNSEALED (HEARTH_FORMAT_VERSION < 2 ? HEARTH_FORMAT_VERSION : 2)

/** Call once before any other sync function (initialises libgit2); pair with shutdown. */
int hearth_sync_init(void);
void hearth_sync_shutdown(void);

/** Progress of a transfer: phase ("fetch", "push"), objects done and total. */
typedef void (*hearth_progress_fn)(const char *phase, unsigned done, unsigned total,
	void *payload);

typedef struct {
	hearth_progress_fn progress; /* NULL: silent */
	void *payload;
	const char *only_remote;     /* sync only this remote (NULL: all) */
} hearth_sync_opts;

/** What one push, pull or sync did. */
typedef struct {
	int pushed;          /* outbox entries sent on `up` */
	int received;        /* office log entries applied from `down` */
	int acked;           /* outbox entries the office confirmed (dropped) */
	int pending;         /* outbox entries still waiting for the office */
	int merged;          /* office: node entries merged */
	int conflicts;       /* office: values that lost and went to the conflict log */
	int quarantined;     /* office: commits refused this time */
	int nodes;           /* office: remotes synced */
	int failed_remotes;  /* remotes that could not be reached (see status) */
	int skipped_remotes; /* local remotes whose folder is missing (a stick not plugged in) */
} hearth_sync_result;

/** Add a remote. At the office, `name` is the node id the remote belongs to. */
int hearth_remote_add(hearth_db *db, const char *name, const char *url);

/* flags of hearth_remote_set */
#define HEARTH_REMOTE_REPLACE 1u /* change the URL of an existing remote (else add a new one) */
#define HEARTH_REMOTE_INIT 2u    /* create a bare repository at a local path that is missing or
				  * an empty folder */
/**
 * Add a remote, or with HEARTH_REMOTE_REPLACE change its URL (and forget the old URL's last
 * error). A relative path is stored absolute, resolved against the current folder. A local
 * path that can never be synced with (an empty folder without HEARTH_REMOTE_INIT, a file, a
 * repository with a working folder, a folder of other files) is refused with HEARTH_ERROR; a
 * missing one is accepted (a USB stick not plugged in). `stored`, if not NULL, receives the
 * URL as stored. HEARTH_ECONFLICT if adding a name that exists, HEARTH_ENOTFOUND if replacing
 * one that does not, HEARTH_EUSAGE for a URL hearth does not support.
 */
int hearth_remote_set(hearth_db *db, const char *name, const char *url, unsigned flags,
	hearth_buf *stored);
/** Create an empty bare repository at `path` (a node's repository on a USB stick or a local
 * folder); an existing repository there is left as it is. */
int hearth_repo_init_bare(const char *path);
/** Remove a remote; HEARTH_ENOTFOUND if there is none by that name. */
int hearth_remote_remove(hearth_db *db, const char *name);

/** Node: write pending outbox entries as commits on `up` and push them. */
int hearth_push(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out);
/** Node: fetch `down` and apply it (invert overlay, apply, drop acked, replay pending). */
int hearth_pull(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out);
/**
 * Node: pull then push. Office: take its own writes into the log, fetch every node's `up`,
 * verify and merge, write and push every node's `down`. A remote that cannot be reached is
 * recorded (status) and the others go on; then HEARTH_ENET is returned.
 */
int hearth_sync(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out);

/**
 * Node: bring back a copy that another copy of the node overtook (a folder copied to a second
 * PC, a restored backup, an old device back after hearth_clone). Fetch the remote's `up`,
 * re-record this copy's entries that the remote does not hold after its last seq (new seqs,
 * their clocks kept), then sync: the office merges both copies' writes, clashes going to the
 * conflict log. *rerecorded counts the entries re-recorded (0 if the copy was not forked, when
 * this is an ordinary sync).
 */
int hearth_rejoin(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out,
	int *rerecorded);

/**
 * Office: the quarantine as text or JSON into `out`: every commit refused and not yet handled
 * (`commit` NULL), or the one whose id begins with `commit` with what was done with it.
 * HEARTH_ENOTFOUND for an unknown commit, HEARTH_EUSAGE at a node or for a malformed id.
 */
int hearth_quarantine_list(hearth_db *db, const char *commit, int json, hearth_buf *out);
/**
 * Office: handle the quarantined commit whose id begins with `commit`, recording the action,
 * `by` whom, and the reason it answered. Release (`drop` 0): verified again at the next sync
 * (after an upgrade or a fix). Drop: the node's log goes on after the commit, whose entries
 * not yet merged are never merged. `node_out` receives the node's id.
 */
int hearth_quarantine_handle(hearth_db *db, const char *commit, int drop, const char *by,
	char node_out[HEARTH_ID_MAX + 1]);

/**
 * Office: resolve conflict `id`. With `restore`, the lost value is written back as a new
 * recorded change (it then flows down like any office edit); otherwise it is only marked
 * resolved. HEARTH_ENOTFOUND for an unknown id, HEARTH_ECONFLICT if already resolved.
 */
int hearth_conflict_resolve(hearth_db *db, int64_t id, int restore);

/**
 * Office: write a snapshot commit on the `down` of node `node` (NULL: every node) holding every
 * row that node may see, and push it. A restored device (hearth_clone) starts from the newest
 * snapshot instead of replaying all of `down`. The office also writes one by itself every
 * 'snapshot_every' down commits (meta value, default 1000). *written counts the snapshots.
 */
int hearth_snapshot(hearth_db *db, const char *node, const hearth_sync_opts *opts, int *written);

typedef struct {
	int down_commits_read;  /* the snapshot and the commits after it */
	int snapshot_rows;      /* rows restored from the snapshot */
	int received;           /* office log entries applied after it */
	int pending_restored;   /* own entries pushed but not yet merged, back in the outbox */
} hearth_clone_info;

/**
 * Restore node `node` into folder `dir` (a lost or replaced device) from its repository at
 * `url`: the office state it may see (newest snapshot on `down`, then the commits after it) plus
 * its own changes that were pushed on `up` but not yet merged, which go back into the outbox.
 * The remote is added as 'office'. Free the returned node with hearth_db_free().
 */
int hearth_clone(hearth_db **out, const char *dir, const char *url, const char *node,
	const hearth_sync_opts *opts, hearth_clone_info *info);

/**
 * Keys (docs/security.md). At the office: issue `node`'s first key (or a new one after a
 * revoke; `rotate` 0), or rotate its key in use (`rotate` 1: a new generation; the older ones
 * retire once the node seals with it). `code` receives the node's enrolment code (every key of
 * it not revoked), which `init --key` or `clone --key` at the node take. HEARTH_ECONFLICT if
 * issuing for a node that has an active key, HEARTH_ENOTFOUND if rotating one that has none.
 */
int hearth_key_issue(hearth_db *db, const char *node, int rotate, hearth_buf *code);
/** Office: the enrolment code of `node` again. */
int hearth_key_code(hearth_db *db, const char *node, hearth_buf *code);
/** Office: revoke every key of `node` (a lost device): its pushes are quarantined, nothing is
 * written to it until a new key is issued. HEARTH_ENOTFOUND if it has none. */
int hearth_key_revoke(hearth_db *db, const char *node);
/** Node: store the keys of an enrolment code for this node (HEARTH_EUSAGE if it is not one,
 * or is for another node). */
int hearth_key_import(hearth_db *db, const char *code);
/** HEARTH_EUSAGE unless `code` looks like an enrolment code for `node` (checked before a node
 * is created for it). */
int hearth_key_code_check(const char *code, const char *node);
/** Each node's key state, one line each: "node TAB generation TAB state", state one of
 * issued (not used yet), sealing, rotating (a newer one is not used yet), revoked; at the
 * office also unsealed (generation 0), for each node it syncs with but holds no key of. */
int hearth_key_status(hearth_db *db, hearth_buf *out);

/** hearth_clone, enrolling the restored node with `code` (NULL: none) before anything is read,
 * so that its sealed log opens. */
int hearth_clone_enrolled(hearth_db **out, const char *dir, const char *url, const char *node,
	const char *code, const hearth_sync_opts *opts, hearth_clone_info *info);

/** Append a one-line summary of `r` ("up 3, down 5, acked 3, pending 0, nothing lost"). */
int hearth_sync_result_format(hearth_buf *out, const hearth_sync_result *r, int office);
/** Append the note on skipped remotes ("; USB stick not inserted: skipped"), or nothing. */
int hearth_sync_skipped_format(hearth_buf *out, const hearth_sync_result *r);

#endif
