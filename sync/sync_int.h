/* Private to libhearth-sync. */
#ifndef HEARTH_SYNC_INT_H
#define HEARTH_SYNC_INT_H

#include <git2.h>

#include "core/hearth_internal.h"
#include "hearth_sync.h"
#include "transport.h"

#define SYNC_ENTRY_MAX (16u << 20)   /* one changeset */
#define SYNC_BLOB_MAX (64u << 20)    /* one blob of entries (format 2) */
#define SYNC_COMMIT_ENTRIES 524288   /* entries a reader accepts in one commit */
#define SYNC_BATCH_ENTRIES 256       /* entries per commit */
#define SYNC_BATCH_BYTES (4u << 20)  /* changeset bytes per commit */
/* the entries blobs of one `up` commit, together: the most hearth writes (its changesets stop
 * past SYNC_BATCH_BYTES, and the last may be a whole SYNC_ENTRY_MAX) and their record headers;
 * the office refuses a larger one before it loads any of it */
#define SYNC_UP_COMMIT_MAX (SYNC_BATCH_BYTES + SYNC_ENTRY_MAX + (64u << 10))
/* how far ahead of the office's clock, when it merges an entry, the entry's clock may be: a
 * clock further ahead counts as this far ahead for conflicts (docs/format.md, section 7) */
#define SYNC_CLOCK_AHEAD_MS (5u * 60 * 1000)
#define SYNC_WALK_MAX 10000000       /* commits walked looking for the last one seen */

typedef struct {
	int64_t seq;
	hearth_clock clock;
} sync_entry_head;

/* A parsed commit message (docs/format.md). */
typedef struct {
	int format;
	int is_down;
	char node[HEARTH_ID_MAX + 1];
	int schema;
	char fingerprint[HEARTH_CLOCK_HEX + 1];
	int64_t range_from, range_to; /* down */
	int64_t ack;                  /* down */
	int is_snapshot;              /* down: entries are parts 1..k of the full state */
	hearth_clock stamp;           /* commit time when there are no entries (not written) */
	int count;                    /* entries of the commit, 0 if none */
	int64_t first_seq, last_seq;  /* the seqs of its first and last entry */
	/* the entries' seqs and clocks, in ascending seq: format 1 lists them in the message;
	 * format 2 keeps them in the blob, so a parsed message has none (nentries 0) until
	 * sync_commit_read decodes the blob. A writer fills them, and count/first/last follow. */
	int nentries;
	sync_entry_head *entries;
	/* format 3, writing: the key that seals the blobs; epoch from the commit's clock */
	const struct sync_seal_key_ *seal;
	/* format 3, writing: the Author lines (NUL-terminated, or NULL), sealed as blob 0 */
	const char *authors;
	/* format 3, writing: the newest packing the reader opens (sync_peer_packing); 2 lets a
	 * small blob use the preset dictionary, anything else packs as hearth did before it */
	int packing;
	/* the newest packing the writer says it opens (`Opens-Packing: N`, docs/format.md,
	 * section 2), 0 if it says none; sync_commit_write announces HEARTH_SEAL_PACKING */
	int opens;
} sync_message;

/* ---- format 3: sealed blobs and the keys that seal them (seal.c) ------------------------- */

/* The newest packing of a sealed blob's plaintext this hearth opens and writes (docs/format.md,
 * section 10). It writes packing 2 only to a reader that announced it opens it (`Opens-Packing`,
 * section 2): a hearth built with 1 is one from before packing 2 (tests/integration). */
#ifndef HEARTH_SEAL_PACKING
#define HEARTH_SEAL_PACKING 2
#endif

/* How a sealed blob's records are deflated, fitted to their size (docs/format.md, section 10;
 * docs/performance.md, "The sealed log"); any level and strategy opens. Below SYNC_SEAL_SMALL
 * bytes (a commit of small entries: what a push sends) the bytes count and the time does not:
 * packing 2 (the preset dictionary) at level 9, with and without Z_FILTERED, the shorter kept,
 * when the reader opens it (an office's down: one pass at SYNC_SEAL_DOWN_LEVEL), else packing 1
 * at level 5 as before. From SYNC_SEAL_SMALL on (bulk
 * writes, snapshots) the time counts: packing 1 at level 4, two thirds of level 5's time for 8%
 * more bytes (every reader opens any level). */
#define SYNC_SEAL_SMALL (64u << 10)
#define SYNC_SEAL_SMALL_LEVEL 9
#ifndef SYNC_SEAL_DOWN_LEVEL
#define SYNC_SEAL_DOWN_LEVEL 6
#endif
#define SYNC_SEAL_PLAIN_LEVEL 5
#define SYNC_SEAL_DEFLATE_LEVEL 4

#define SYNC_SEAL_VERSION 3
#define SYNC_SEAL_NONCE 24
#define SYNC_SEAL_TAG 16
#define SYNC_KEY_BYTES 32
/* an epoch is a period of 30 days of the commit's clock: each has its own keys */
#define SYNC_EPOCH_MS (30ull * 24 * 3600 * 1000)

enum { SYNC_KEY_ACTIVE, SYNC_KEY_RETIRED, SYNC_KEY_REVOKED };

/* One key a node shares with the office (a row of hearth_key). */
typedef struct sync_seal_key_ {
	char node[HEARTH_ID_MAX + 1];
	uint32_t generation;
	unsigned char key[SYNC_KEY_BYTES];
	int state;
	int in_use;
	int ratcheted; /* steps the key moved forward while reading (to be stored) */
} sync_seal_key;

/* The keys of one node (a node's own), or of every node (the office). */
typedef struct {
	sync_seal_key *keys;
	int n;
} sync_keyring;

/* A sealed blob's header, in the clear (pointers into the blob). */
typedef struct {
	uint32_t generation;
	uint32_t epoch;
	int is_down;
	char node[HEARTH_ID_MAX + 1];
	unsigned char prev[GIT_OID_RAWSZ];
	const unsigned char *head;
	size_t head_len;
	const unsigned char *nonce;
	const unsigned char *cipher;
	size_t cipher_len;
} sync_seal_head;

int sync_seal_init(void);
uint32_t sync_seal_epoch(hearth_clock clock);
/* Parse the header of a sealed blob (untrusted: HEARTH_ECORRUPT with the reason). */
int sync_seal_head_parse(sync_seal_head *out, const void *blob, size_t n);
/* The lines of a commit message that begin with `Hearth-`, each with its LF: the part of the
 * associated data that binds a sealed blob to its commit's trailers. */
int sync_trailers(hearth_buf *out, const char *msg, size_t len);
/* Seal `records` (the format 2 records of the blob) as blob `blob_no` of `blobs` of a commit
 * whose trailers are `trailers`, placed after `prev` (NULL: the first commit), for a reader
 * that opens packings up to `packing` (sync_peer_packing). */
int sync_seal(hearth_buf *out, const sync_seal_key *k, uint32_t epoch, int is_down,
	const char *node, const git_oid *prev, uint32_t blob_no, uint32_t blobs,
	const char *trailers, size_t tlen, const void *records, size_t n, int packing);
/* The newest packing `peer` (the office at a node, a node at the office) opens, as the newest
 * commit read from it announced (meta 'opens_packing.PEER'), at most HEARTH_SEAL_PACKING: 1 if
 * it announced none. */
int sync_peer_packing(hearth_db *db, const char *peer);
/* Record what the newest commit read from `peer` announced (sync_message.opens), inside the
 * transaction that takes the commit. */
int sync_peer_packing_note(hearth_db *db, const char *peer, int opens);
/* Open a sealed blob whose header is `h` with key `k`: HEARTH_EDENIED (no message set) if it
 * does not open, HEARTH_ECORRUPT if what opens does not unpack. */
int sync_seal_open(hearth_buf *records, const sync_seal_head *h, const sync_seal_key *k,
	uint32_t blob_no, uint32_t blobs, const char *trailers, size_t tlen);

/* The one-way key chain (docs/format.md, section 10, "Retiring keys"): the next chain key
 * after `key`, BLAKE2b-256 keyed with it over "hearth-ratchet". */
#define SYNC_RATCHET_MAX 8 /* steps a reader of `down` tries past the key it holds */
int sync_ratchet(unsigned char out[SYNC_KEY_BYTES], const unsigned char key[SYNC_KEY_BYTES]);
/* As sync_seal_open; if it does not open, try the next SYNC_RATCHET_MAX keys of the chain, and
 * on success move `k` there (k->ratcheted counts the steps). For `down` read at a node only: the
 * office moves first, at a purge (sync_keys_retire). */
int sync_seal_open_ratchet(hearth_buf *records, const sync_seal_head *h, sync_seal_key *k,
	uint32_t blob_no, uint32_t blobs, const char *trailers, size_t tlen);
/* Office, after a purge, once the node's pushed entries are merged: move every key of `node`
 * one step along its chain (the older keys are overwritten: what they sealed no longer opens)
 * and make its next down start with a snapshot sealed with the new key. Inside the caller's
 * transaction. */
int sync_keys_retire(hearth_db *db, const char *node);
/* Office: 1 if a purge asked for the retirement of `node`'s keys (meta 'retire_due.NODE', set
 * by core/purge.c for every node with a key). */
int sync_retire_due(hearth_db *db, const char *node);
/* Node: store the keys of `r` that moved forward while reading `down`. */
int sync_keyring_store_ratcheted(hearth_db *db, const sync_keyring *r);
/* 1 if some key of `r` moved forward. */
int sync_keyring_ratcheted(const sync_keyring *r);

/* Keys of `node` (NULL: every node's) from hearth_key; dispose wipes them. */
int sync_keyring_load(sync_keyring *out, hearth_db *db, const char *node);
void sync_keyring_dispose(sync_keyring *r);
const sync_seal_key *sync_keyring_find(const sync_keyring *r, const char *node, uint32_t gen);
/* The key that seals for `node`: its newest active one, or with `in_use` the newest active one
 * the other side has used already (so that a rotated key is used once the node has it). */
const sync_seal_key *sync_keyring_sealing(const sync_keyring *r, const char *node, int in_use);
/* 1 once a commit sealed with one of `node`'s keys was accepted: unsealed ones are refused. */
int sync_keyring_required(const sync_keyring *r, const char *node);
int sync_keyring_has(const sync_keyring *r, const char *node);
/* 1 if `node` has keys and every one is revoked. */
int sync_keyring_revoked(const sync_keyring *r, const char *node);
/* Record that a commit sealed with generation `gen` of `node` was accepted (older ones retire). */
int sync_key_mark_used(hearth_db *db, const char *node, uint32_t gen);
/* Set m->format and m->seal for a commit to m->node: format 3 with its sealing key (loaded
 * into `keys`, which the caller disposes) once it has one, else format 2; HEARTH_EDENIED if
 * every key of the node is revoked. */
int sync_seal_choose(sync_keyring *keys, sync_message *m, hearth_db *db, int prefer_in_use);
/* Office: 1 if `node`'s next down must start with a snapshot (a key was issued); with `clear`,
 * forget it (0 or < 0). */
int sync_snapshot_due(hearth_db *db, const char *node, int clear);

int sync_message_parse(sync_message *out, const char *msg, size_t len);
int sync_message_format(hearth_buf *out, const char *subject, const sync_message *m);
void sync_message_dispose(sync_message *m);

#define SYNC_AUTHOR_MAX 64 /* bytes of an author's name (an account of the node's app) */
/** The author of entry `seq` from the `Author: FIRST LAST NAME` lines of an up commit's raw
 * message (docs/format.md): 1 with the name in `out`, 0 if none names it (or the line is
 * not well-formed: a name is 1-64 bytes, none of them a space or a control character). */
int sync_message_author(char out[SYNC_AUTHOR_MAX + 1], const char *msg, int64_t seq);
/** Append the line for entries first..last written by `author` ("Author: 3 5 NAME\n"). */
int sync_message_author_line(hearth_buf *out, int64_t first, int64_t last, const char *author);

/* One entry's bytes. */
typedef struct {
	sync_entry_head head;
	hearth_buf cs;
} sync_entry;

/* A commit read back: message plus the entries' changesets in order. */
typedef struct {
	git_oid id;
	sync_message msg;
	sync_entry *entries;
	uint32_t key_gen; /* format 3: the generation of the key that sealed it */
	char *message; /* the raw message, for its Author lines (sync_message_author) */
} sync_commit;

void sync_commit_dispose(sync_commit *c);

/* Format 2: the entries of a commit, in the blobs of its tree. A writer appends each entry
 * with sync_blob_append (prev: the previous entry's head, zeroed before the first). A reader
 * decodes each blob in turn with sync_blob_decode, into c->entries and c->msg.entries (the
 * message parsed already, prev and *cap zeroed before the first blob), then checks the whole
 * against the message with sync_blob_finish. Untrusted bytes: HEARTH_ECORRUPT with the reason. */
int sync_blob_append(hearth_buf *blob, const sync_entry *e, sync_entry_head *prev);
size_t sync_blob_record_size(const sync_entry *e, const sync_entry_head *prev);
int sync_blob_decode(sync_commit *c, int *cap, int blob_no, const void *blob, size_t n,
	sync_entry_head *prev);
int sync_blob_finish(const sync_commit *c);

/* Write a commit object (no ref moves) with `entries` in blobs (format 1: one per entry;
 * format 2: as few as fit SYNC_BLOB_MAX). m->count/first_seq/last_seq are taken from the
 * entries. */
int sync_commit_write(git_oid *out, git_repository *repo, const git_oid *parent,
	const char *subject, const sync_message *m, sync_entry *const *entries);
/* Read and check a commit: one parent at most, message parses, tree holds exactly the listed
 * entries. _bounded: refused (HEARTH_ECORRUPT) before any blob is loaded if the blobs of a
 * format 2 commit take more than `max_bytes` together. */
int sync_commit_read(sync_commit *out, git_repository *repo, const git_oid *id);
/* As sync_commit_read_bounded, opening format 3 blobs with `keys` (NULL: none). A blob sealed
 * for another place is refused naming it: "replayed" when its commit's first seq (up) or first
 * office entry (down) is at most `done_seq`, the last the reader has taken, else "reordered";
 * sealed for another node or branch, "moved". */
int sync_commit_read_keyed(sync_commit *out, git_repository *repo, const git_oid *id,
	uint64_t max_bytes, const sync_keyring *keys, int64_t done_seq);
int sync_commit_read_bounded(sync_commit *out, git_repository *repo, const git_oid *id,
	uint64_t max_bytes);

/* Commits after `stop` up to `head`, oldest first (first-parent chain). `stop` NULL: all, or
 * with `to_snapshot` from the newest snapshot commit on. HEARTH_ECONFLICT if `stop` is not on
 * the chain (history rewritten). Free with free(). */
int sync_walk(git_oid **out, size_t *n, git_repository *repo, const git_oid *head,
	const git_oid *stop, int to_snapshot);

/* HEARTH_ERROR-like `code` with "what: libgit2's last message". */
int sync_git_fail(int code, const char *what);

/* The node's repository (DIR/repo.git, created bare when missing). */
int sync_repo_open(git_repository **out, hearth_db *db);
/* Remove `<name>.lock` in hearth's own repository: a killed hearth's, stale (repo.c). */
void sync_lock_remove_stale(git_repository *repo, const char *name);
/* Point `ref` at `id` (creating or moving it). */
int sync_ref_set(git_repository *repo, const char *ref, const git_oid *id);
/* Resolve `ref`; HEARTH_ENOTFOUND if absent. */
int sync_ref_get(git_oid *out, git_repository *repo, const char *ref);

/* Remotes. */
typedef struct {
	char *name;
	char *url;
} sync_remote;
int sync_remotes_load(sync_remote **out, int *n, hearth_db *db, const char *only);
void sync_remotes_free(sync_remote *r, int n);
/* Drop the local remotes whose folder is missing (a USB stick not plugged in), counted in
 * *skipped; with `only` (a remote named alone) refuse instead, HEARTH_ENOTFOUND. */
int sync_remotes_present(sync_remote *r, int *n, const char *only, int *skipped);
void sync_remote_record(hearth_db *db, const char *name, int ok, const char *error);
void sync_transport_opts(hearth_transport_opts *t, const hearth_sync_opts *opts, hearth_db *db);
/* Refuse (HEARTH_ECONFLICT, recorded for status) a local remote (a path or file://: a USB
 * stick) whose branches were written for another node, before anything is pulled or pushed. */
int sync_remote_owner_check(hearth_db *db, git_repository *repo, const sync_remote *r,
	const hearth_sync_opts *opts);

/* Office */
int sync_office(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out);
int sync_office_take_own(hearth_db *db);
/* The row (owner, id) of `t` as it stands: ncol values dup'd into `cur` (free each with
 * sqlite3_value_free), *found 0 if there is none. */
int sync_row_load(hearth_db *db, const hearth_table_decl *t, sqlite3_value *owner,
	sqlite3_value *id, sqlite3_value **cur, int *found);
/* The SQL of the merge's row statements, built once per table, operation and set of columns
 * for a round (the statements themselves are in the database's cache), for the first
 * SYNC_SQL_SHAPES of them. */
#define SYNC_SQL_SHAPES 256
typedef struct {
	struct sync_sql_shape *shapes;
	int n, cap;
} sync_sql_cache;
#define SYNC_SQL_CACHE_INIT { NULL, 0, 0 }
void sync_sql_cache_dispose(sync_sql_cache *c);
/* Merge one entry of `node` (inside the caller's transaction and session); `sql` may be NULL.
 * Returns 1 if the entry's clock was clamped, 0, or < 0. */
int sync_merge_entry(hearth_db *db, sync_sql_cache *sql, const char *node, const sync_entry *e,
	int *conflicts);
/* Does the incoming value `nw` of `node` at `clock` beat the value `cur` held (written by
 * `held_node` at `held_clock`) under column `c`'s policy? 1 or 0 (merge.c). */
int sync_merge_incoming_wins(const hearth_column_decl *c, hearth_clock held_clock,
	const char *held_node, sqlite3_value *cur, hearth_clock clock, const char *node,
	sqlite3_value *nw);
int sync_origin_note(hearth_db *db, const void *cs, int n, const char *node, const char *clock);
/* Audiences (audience.c). sync_log_note: the merged changes `cs` as the office logs them, each
 * UPDATE of a row with an audience keeping the audience at the time (the whole row when the
 * update moves it). sync_down_filter: what `node` may see of a log entry, appended to `w`. */
int sync_text_is(sqlite3_value *v, const char *s);
int sync_log_note(hearth_cs_writer *w, hearth_db *db, const void *cs, int n);
int sync_down_filter(hearth_cs_writer *w, hearth_db *db, const char *node, const void *cs, int n);

/* A node's refs: its own `up`, and the office's `down` and the remote's `up` as fetched. */
#define SYNC_UP_REF "refs/heads/up"
#define SYNC_DOWN_REF "refs/remotes/office/down"
#define SYNC_REMOTE_UP_REF "refs/remotes/office/up"

/* A node's meta values: a number (0 when absent), a commit id (*found 0 when absent). */
int sync_meta_i64(hearth_db *db, const char *key, int64_t *out);
int sync_meta_set_i64(hearth_db *db, const char *key, int64_t v);
int sync_meta_oid(hearth_db *db, const char *key, git_oid *out, int *found);

/* Node: fetch the office's `down` and the remote's `up` (the error recorded for status). */
int sync_node_fetch(hearth_db *db, git_repository *repo, const sync_remote *r,
	const hearth_sync_opts *opts);
/* Node, after sync_node_fetch: *forked = 1 when the remote's `up` holds commits this copy did
 * not write (another copy of the node synced). *remote_last: the last seq on the remote's `up`
 * (0 if it has none); `remote_head` (may be NULL) its commit. */
int sync_fork_check(hearth_db *db, git_repository *repo, int *forked, int64_t *remote_last,
	git_oid *remote_head);
/* Node, when its key moved on (the office retired its keys after a purge): the entries after
 * `remote_last` go up again sealed with the new key, from `remote_head` (NULL: none) (fork.c). */
int sync_up_reseal(hearth_db *db, const git_oid *remote_head, int64_t remote_last);
/* Set (and return) the one-line HEARTH_ECONFLICT that tells the person this copy is forked. */
int sync_fork_error(hearth_db *db);
/* The last seq of the commit `id` (0 if it holds no entries), from its message. */
int sync_commit_last_seq(int64_t *out, git_repository *repo, const git_oid *id);

/* Node pull pieces, shared with clone. */
int sync_replay_pending(hearth_db *db);
int sync_record_received(sqlite3 *h, const sync_entry *e);
int sync_repo_open_dir(git_repository **out, const char *dir);
/* Past SYNC_PACKS_MAX packs (a fetch over a network adds one), merge the small ones into one
 * and open *repo again (packs.c); a merge that fails leaves the packs as they were. */
#define SYNC_PACKS_MAX 16
int sync_repo_tidy(git_repository **repo);
/* Move the repository's loose refs into packed-refs (packs.c). */
int sync_repo_pack_refs(git_repository *repo);

/* Node: mark (on = 1) or unmark the transaction as applying what the office sent (a pull, a
 * clone): the schema's reference and status triggers let it through (005_typed.sql), since the
 * office accepted it. Inside the transaction only, so a failure leaves no mark. */
int sync_applying_down(hearth_db *db, int on);

/* Office: lift the quarantine of a node's commit. */
int sync_quarantine_clear(hearth_db *db, const char *node, const char *commit_hex);

/* Office: write a snapshot commit on `node`'s down ref (inside the caller's transaction). */
int sync_snapshot_write(hearth_db *db, git_repository *repo, const char *node, const char *ref);

/* Apply a changeset with a fixed conflict answer (node pull). */
enum { SYNC_APPLY_OFFICE_WINS, SYNC_APPLY_LOCAL_WINS };
int sync_apply(sqlite3 *db, const void *cs, int n, int mode);
/* A node's pull from remote `r` of the open `repo` (sync/pull.c), counted in `res`. */
int sync_node_pull_remote(hearth_db *db, git_repository *repo, const sync_remote *r,
	const hearth_sync_opts *opts, hearth_sync_result *res);

/* ---- transport internals (transport.c, transport_credentials.c, transport_local.c) ------- */

/* Room for a redacted URL or a condensed libgit2 message. */
#define SYNC_MSG_MAX 512
#define SYNC_NOT_FAST_FORWARD "the remote has commits this repository does not (not a fast-forward)"

/* One fetch or push: its options, and what libgit2's callbacks learnt on the way. */
typedef struct {
	const hearth_transport_opts *opts;
	const char *phase;
	int auth_calls;
	int agent_tried;
	int key_tried;
	int helper_tried;
	/* why the credential callback gave up ("" while it has not) */
	char auth_failure[160];
	/* the first ref the remote refused in a push, with its status */
	char rejected_ref[256];
	char rejected_status[160];
} sync_transfer;

/* `url` as a message may show it: without a password. */
void sync_url_redact(char *out, size_t size, const char *url);
/* libgit2's last error on one line. */
void sync_git_message(char *out, size_t size);
/* HEARTH_ENET naming the redacted URL and why: unreachable, authentication, host key. */
int sync_transport_fail_net(const sync_transfer *t, const char *url, int gitrc);
/* HEARTH_ECONFLICT: the push of `ref` to `url` was refused for `why`. */
int sync_push_conflict(const char *ref, const char *url, const char *why);
/* The remote's head named `name`, or NULL. */
const git_remote_head *sync_remote_head_find(const git_remote_head **heads, size_t nheads,
	const char *name);
/* libgit2's credential callback; `payload` is the sync_transfer. */
int sync_transport_credentials(git_credential **out, const char *url, const char *user_from_url,
	unsigned int allowed, void *payload);

/* Local remotes (a path or file:// URL): objects copied one at a time, then the ref moved.
 * sync_local_path: the folder of such a remote into `out`, 0 for a URL libgit2 handles.
 * sync_local_specs_plain: 1 if the copy handles every refspec (full names, no pattern).
 * sync_local_bare: 1 if a bare repository is at `path`. */
int sync_local_path(char *out, size_t size, const char *url);
int sync_local_specs_plain(const char **refspecs, size_t n, int is_fetch);
int sync_local_bare(const char *path);
/* Fetch the `wanted` refspecs (their sources all in `heads`) from the repository at `path`. */
int sync_local_fetch(git_repository *repo, const char *path, const char *url,
	const git_strarray *wanted, const git_remote_head **heads, size_t nheads, sync_transfer *t);
/* Push the `send` refspecs (planned against `heads`) into the bare repository at `path`. */
int sync_local_push(git_repository *repo, const char *path, const char *url,
	const git_strarray *send, const git_remote_head **heads, size_t nheads, sync_transfer *t);

/* ---- the office's round (office.c, office_down.c, office_snapshot.c) --------------------- */

/* What the office knows of a node: its row of hearth_peer. */
typedef struct {
	char node[HEARTH_ID_MAX + 1];
	char up_head[GIT_OID_HEXSZ + 1];
	int64_t applied_seq;
	char down_head[GIT_OID_HEXSZ + 1];
	int64_t down_office_seq;
	int64_t down_ack;
	int64_t down_since_snapshot;
} sync_peer;
/* Load `node`'s row (zeros when it has none) / store it. */
int sync_peer_load(hearth_db *db, const char *node, sync_peer *p);
int sync_peer_store(hearth_db *db, const sync_peer *p);

/* Routes: which nodes each office log entry reaches, worked out once for all nodes in a round
 * (office_down.c). */
typedef struct {
	unsigned char known;
	unsigned char every;  /* holds the office's rows, or its route is in doubt: cut for all */
	unsigned char whole;  /* one node gets it whole (`owner`), or every node if owner < 0 */
	int owner;            /* offset in names of the one owner of its rows, -1 none */
	int first, n;         /* offsets in names of the nodes it can reach: names + first .. */
} sync_down_route;

typedef struct {
	int64_t from;         /* routes[i] is office seq from + 1 + i */
	int64_t count;
	sync_down_route *routes;
	hearth_buf names;     /* NUL-terminated node ids, each entry's after the one before */
} sync_down_routes;
/* Routes for the entries the nodes of `remotes` have not received yet; dispose accepts a zeroed
 * struct. */
int sync_routes_start(sync_down_routes *r, hearth_db *db, const sync_remote *remotes, int n);
void sync_routes_dispose(sync_down_routes *r);
/* Write `node`'s next down commits on `ref` (inside the caller's transaction); `routes` may be
 * NULL. */
int sync_down_write(hearth_db *db, git_repository *repo, const char *node, const char *ref,
	sync_down_routes *routes);
/* Write and push the node of `r`'s down, the error recorded for status. */
int sync_office_publish(hearth_db *db, git_repository *repo, const sync_remote *r,
	const hearth_sync_opts *opts, sync_down_routes *routes);
/* Set (and return) the HEARTH_ECONFLICT of a remote whose down this office did not write. */
int sync_down_refused(const char *node);

#endif
