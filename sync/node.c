/* A node's side of sync: push the outbox on `up`, and the driver of push, pull (pull.c) and
 * sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "core/i18n.h"

/* at most this much of the pack files is mapped at once, in windows of PACK_WINDOW_BYTES */
#define PACK_WINDOW_BYTES (8u << 20)
#define PACK_MAPPED_BYTES (64u << 20)

int hearth_sync_init(void)
{
	if (git_libgit2_init() < 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot initialise libgit2"));
	if (sync_seal_init() < 0)
		return -1;
	/* pack files are read through mappings that count in the resident size until unmapped:
	 * libgit2 maps 1 GiB windows up to 8 GiB by default, so reading a year of packs would keep
	 * them resident; small windows under a small limit keep a round's memory flat */
	if (git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)PACK_WINDOW_BYTES) < 0 ||
	    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)PACK_MAPPED_BYTES) < 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot set libgit2's pack window sizes"));
	/* libgit2 hashes every object it reads again to compare it with its id (git does not): an
	 * office round hashed each changeset three times, 5.5% of its instructions. An object is
	 * hashed once, as it enters a repository: written here, indexed from a fetched pack, or
	 * copied from a stick (transport_local.c compares the id its write computes); its bytes on
	 * disk are zlib streams whose checksum inflate still checks on every read. */
	if (git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0) < 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot configure libgit2"));
	return 0;
}

void hearth_sync_shutdown(void)
{
	git_libgit2_shutdown();
}

/* ---- remotes ------------------------------------------------------------------------------ */

int hearth_repo_init_bare(const char *path)
{
	git_repository *repo = NULL;

	if (git_repository_open_bare(&repo, path) < 0 && git_repository_init(&repo, path, 1) < 0) {
		const git_error *e = git_error_last();
		return hearth_error_set(HEARTH_ERROR, _("cannot create repository '%s': %s"), path,
			e && e->message ? e->message : _("git error"));
	}
	git_repository_free(repo);
	return 0;
}

int hearth_remote_remove(hearth_db *db, const char *name)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(h, "DELETE FROM hearth_remote WHERE name = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return hearth_error_sqlite(h, HEARTH_ERROR, _("cannot remove remote"));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot remove remote"));
	else if (sqlite3_changes(h) == 0)
		rc = hearth_error_set(HEARTH_ENOTFOUND, _("no remote '%s'"), name);
	sqlite3_finalize(st);
	return rc;
}

void sync_remotes_free(sync_remote *r, int n)
{
	int i;

	for (i = 0; r && i < n; i++) {
		free(r[i].name);
		free(r[i].url);
	}
	free(r);
}

int sync_remotes_load(sync_remote **out, int *n, hearth_db *db, const char *only)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	sync_remote *r = NULL;
	int count = 0, cap = 0, rc = 0;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(h,
		    "SELECT name, url FROM hearth_remote WHERE ?1 IS NULL OR name = ?1 ORDER BY name",
		    -1, &st, NULL) != SQLITE_OK)
		return hearth_error_sqlite(h, HEARTH_ERROR, _("cannot read remotes"));
	if (only)
		sqlite3_bind_text(st, 1, only, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (count == cap) {
			int ncap = cap ? cap * 2 : 8;
			sync_remote *nr = realloc(r, (size_t)ncap * sizeof(*nr));
			if (!nr) {
				rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
				goto done;
			}
			r = nr;
			cap = ncap;
		}
		r[count].name = strdup((const char *)sqlite3_column_text(st, 0));
		r[count].url = strdup((const char *)sqlite3_column_text(st, 1));
		count++;
		if (!r[count - 1].name || !r[count - 1].url) {
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
			goto done;
		}
	}
	if (only && count == 0)
		rc = hearth_error_set(HEARTH_ENOTFOUND, _("no remote '%s' (see 'hearth remote list')"),
			only);
	else if (count == 0)
		rc = hearth_error_set(HEARTH_EUSAGE,
			_("no remote to sync with: 'hearth remote add NAME URL' first"));
done:
	sqlite3_finalize(st);
	if (rc < 0) {
		sync_remotes_free(r, count);
		return rc;
	}
	*out = r;
	*n = count;
	return 0;
}

/* Keep the outcome of talking to a remote: status shows the last error verbatim with its time,
 * until a sync succeeds (the error is then no longer the latest outcome, and is forgotten).
 * The error message is saved and restored around the bookkeeping. */
void sync_remote_record(hearth_db *db, const char *name, int ok, const char *error)
{
	sqlite3_stmt *st = NULL;
	char saved[1024];
	int code = hearth_error_code();

	snprintf(saved, sizeof(saved), "%s", hearth_error_last());
	if (sqlite3_prepare_v2(hearth_db_sqlite(db),
		    ok ? "UPDATE hearth_remote SET last_sync_ms = ?2, last_error = NULL, "
			 "last_error_ms = NULL WHERE name = ?1"
		       : "UPDATE hearth_remote SET last_error = ?3, last_error_ms = ?2 WHERE name = ?1",
		    -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)hearth_time_now_ms());
		if (!ok)
			sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (!ok)
		hearth_error_set(code, "%s", saved);
}

void sync_transport_opts(hearth_transport_opts *t, const hearth_sync_opts *opts, hearth_db *db)
{
	hearth_buf key = HEARTH_BUF_INIT;

	memset(t, 0, sizeof(*t));
	if (opts) {
		t->progress = opts->progress;
		t->payload = opts->payload;
	}
	/* an ssh key file named in the node's config ('hearth remote add ... --ssh-key FILE');
	 * the key itself is never copied into the database */
	if (db && hearth_meta_get(db, "ssh_key", &key) == 0 && key.size < sizeof(t->ssh_key_buf)) {
		memcpy(t->ssh_key_buf, key.ptr, key.size + 1);
		t->ssh_key = t->ssh_key_buf;
	}
	hearth_buf_dispose(&key);
	hearth_error_clear();
}

/* ---- applying changesets at a node -------------------------------------------------------- */

static int force_office(void *ctx, int type, sqlite3_changeset_iter *it)
{
	/* the office's state is the truth: overwrite what differs, skip what is gone */
	if (type == SQLITE_CHANGESET_DATA || type == SQLITE_CHANGESET_CONFLICT)
		return SQLITE_CHANGESET_REPLACE;
	return SQLITE_CHANGESET_OMIT;
}

static int force_local(void *ctx, int type, sqlite3_changeset_iter *it)
{
	/* replaying our pending writes over the office state: ours win, except over a delete
	 * (the office merge lets the delete win too) */
	if (type == SQLITE_CHANGESET_DATA || type == SQLITE_CHANGESET_CONFLICT)
		return SQLITE_CHANGESET_REPLACE;
	return SQLITE_CHANGESET_OMIT;
}

int sync_apply(sqlite3 *db, const void *cs, int n, int mode)
{
	if (n == 0)
		return 0;
	if (sqlite3changeset_apply_v2(db, n, (void *)cs, NULL,
		    mode == SYNC_APPLY_OFFICE_WINS ? force_office : force_local, NULL, NULL, NULL,
		    SQLITE_CHANGESETAPPLY_NOSAVEPOINT) != SQLITE_OK)
		return hearth_error_sqlite(db, HEARTH_ERROR, _("cannot apply changes"));
	return 0;
}

/* ---- push --------------------------------------------------------------------------------- */

int sync_meta_i64(hearth_db *db, const char *key, int64_t *out)
{
	hearth_buf v = HEARTH_BUF_INIT;
	int rc = hearth_meta_get(db, key, &v);

	*out = rc == 0 ? strtoll(v.ptr, NULL, 10) : 0;
	hearth_buf_dispose(&v);
	return rc == HEARTH_ENOTFOUND ? 0 : rc;
}

int sync_meta_set_i64(hearth_db *db, const char *key, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	return hearth_meta_set(db, key, num);
}

int sync_meta_oid(hearth_db *db, const char *key, git_oid *out, int *found)
{
	hearth_buf v = HEARTH_BUF_INIT;
	int rc = hearth_meta_get(db, key, &v);

	*found = 0;
	if (rc == 0) {
		if (git_oid_fromstr(out, v.ptr) < 0)
			rc = hearth_error_set(HEARTH_ECORRUPT, _("meta '%s' is not a commit id"), key);
		else
			*found = 1;
	} else if (rc == HEARTH_ENOTFOUND)
		rc = 0;
	hearth_buf_dispose(&v);
	return rc;
}

static void fill_message(sync_message *m, hearth_db *db, int is_down, const char *node)
{
	memset(m, 0, sizeof(*m));
	m->format = HEARTH_FORMAT_UNSEALED;
	m->is_down = is_down;
	snprintf(m->node, sizeof(m->node), "%s", node);
	m->schema = hearth_db_schema_version(db);
	hearth_schema_fingerprint(hearth_db_schema(db), m->fingerprint);
}

/* Consecutive entries of one author, written as one Author line. */
typedef struct {
	int64_t first, last;
	char name[SYNC_AUTHOR_MAX + 1];
} author_span;

/* Entry `seq` by `author` (NULL: none recorded); seq 0 ends the last run. */
static int author_run(hearth_buf *out, author_span *run, int64_t seq, const char *author)
{
	int rc = 0;

	if (run->name[0] && seq && author && strcmp(author, run->name) == 0 &&
	    seq == run->last + 1) {
		run->last = seq;
		return 0;
	}
	if (run->name[0])
		rc = sync_message_author_line(out, run->first, run->last, run->name);
	run->name[0] = '\0';
	if (rc == 0 && seq && author && strlen(author) <= SYNC_AUTHOR_MAX) {
		run->first = run->last = seq;
		snprintf(run->name, sizeof(run->name), "%s", author);
	}
	return rc;
}

/* Commit the next batch of unpushed outbox entries; *made = 0 when there are none. The commit
 * object is written first, then the database records it (up_head), then the ref moves: the
 * database is the truth and the ref is re-derived from it, so a crash anywhere is harmless. */
static int commit_batch(hearth_db *db, git_repository *repo, int *made)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	sync_keyring keys = { NULL, 0 };
	sync_message m;
	sync_entry *entries = NULL, **ptrs = NULL;
	hearth_buf subject = HEARTH_BUF_INIT, authors = HEARTH_BUF_INIT;
	author_span run = { 0, 0, "" };
	git_oid parent, id;
	char hex[GIT_OID_HEXSZ + 1];
	int have_parent, n = 0, i, rc;
	size_t bytes = 0;

	*made = 0;
	fill_message(&m, db, 0, hearth_db_node(db));
	if ((rc = sync_meta_oid(db, "up_head", &parent, &have_parent)) < 0 ||
	    (rc = sync_keyring_load(&keys, db, hearth_db_node(db))) < 0)
		return rc;
	/* enrolled: sealed with the node's newest key (format 3) */
	if (HEARTH_FORMAT_VERSION >= 3 && (m.seal = sync_keyring_sealing(&keys, m.node, 0))) {
		m.format = 3;
		/* the dictionary of packing 2 only once the office said it opens it */
		m.packing = sync_peer_packing(db, HEARTH_OFFICE);
	}
	if (!(entries = calloc(SYNC_BATCH_ENTRIES, sizeof(*entries))) ||
	    !(ptrs = calloc(SYNC_BATCH_ENTRIES, sizeof(*ptrs))) ||
	    !(m.entries = calloc(SYNC_BATCH_ENTRIES, sizeof(*m.entries)))) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	if ((rc = hearth_sql_prepare(&st, h,
		     hearth_db_schema_version(db) >= HEARTH_SCHEMA_HISTORY
			     ? "SELECT seq, clock, changeset, summary, author FROM hearth_outbox "
			       "WHERE pushed = 0 ORDER BY seq"
			     : "SELECT seq, clock, changeset, summary, NULL FROM hearth_outbox "
			       "WHERE pushed = 0 ORDER BY seq")) < 0)
		goto done;
	while (n < SYNC_BATCH_ENTRIES && bytes < SYNC_BATCH_BYTES && sqlite3_step(st) == SQLITE_ROW) {
		sync_entry *e = &entries[n];
		e->head.seq = sqlite3_column_int64(st, 0);
		if ((rc = hearth_clock_parse(&e->head.clock,
			     (const char *)sqlite3_column_text(st, 1))) < 0 ||
		    (rc = hearth_buf_put(&e->cs, sqlite3_column_blob(st, 2),
			     (size_t)sqlite3_column_bytes(st, 2))) < 0)
			goto done;
		if (n == 0 && m.format < 3)
			rc = hearth_buf_printf(&subject, "%s: %s", hearth_db_node(db),
				sqlite3_column_text(st, 3));
		if (rc == 0 && (rc = author_run(&authors, &run, e->head.seq,
					(const char *)sqlite3_column_text(st, 4))) < 0)
			goto done;
		bytes += e->cs.size;
		m.entries[n] = e->head;
		ptrs[n] = e;
		n++;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (n == 0)
		goto done;
	m.nentries = n;
	/* format 3: the summary names no table (nothing of the records is in the clear) */
	if (m.format >= 3)
		hearth_buf_printf(&subject, "%s: %d entr%s", hearth_db_node(db), n,
			n > 1 ? "ies" : "y");
	else if (n > 1)
		hearth_buf_printf(&subject, " and %d more change%s", n - 1, n > 2 ? "s" : "");
	/* who wrote them, between the summary and the trailers (docs/format.md) */
	if ((rc = author_run(&authors, &run, 0, NULL)) < 0)
		goto done;
	/* format 3 seals them (docs/format.md, section 10): names are not in the clear */
	if (m.format >= 3 && authors.size)
		m.authors = authors.ptr;
	else if (authors.size && ((rc = hearth_buf_puts(&subject, "\n\n")) < 0 ||
				     (rc = hearth_buf_put(&subject, authors.ptr, authors.size - 1)) < 0))
		goto done;
	if ((rc = sync_commit_write(&id, repo, have_parent ? &parent : NULL, subject.ptr, &m,
		     ptrs)) < 0)
		goto done;
	git_oid_tostr(hex, sizeof(hex), &id);
	if ((rc = hearth_db_begin(db)) < 0)
		goto done;
	if ((rc = hearth_meta_set(db, "up_head", hex)) < 0 ||
	    (rc = hearth_sql_exec_i64(h, "UPDATE hearth_outbox SET pushed = 1 WHERE seq <= ?1",
		     entries[n - 1].head.seq)) < 0 ||
	    (rc = hearth_db_commit(db)) < 0) {
		hearth_db_rollback(db);
		goto done;
	}
	rc = sync_ref_set(repo, SYNC_UP_REF, &id);
	*made = n;
done:
	sqlite3_finalize(st);
	for (i = 0; entries && i < SYNC_BATCH_ENTRIES; i++)
		hearth_buf_dispose(&entries[i].cs);
	free(entries);
	free(ptrs);
	free(m.entries);
	hearth_buf_dispose(&authors);
	hearth_buf_dispose(&subject);
	sync_keyring_dispose(&keys);
	return rc;
}

static int node_push_remote(hearth_db *db, git_repository *repo, const sync_remote *r,
	const hearth_sync_opts *opts, hearth_sync_result *res)
{
	/* fast-forward only: a copy of this node that synced in between is told, not overwritten */
	const char *spec[] = { SYNC_UP_REF ":refs/heads/up" };
	hearth_transport_opts topts;
	int64_t committed = 0, on_remote = 0;
	int made, rc;
	git_oid head;
	int have;

	/* re-derive the ref from the database (a crash may have left it behind) */
	if ((rc = sync_meta_oid(db, "up_head", &head, &have)) < 0)
		return rc;
	if (have && (rc = sync_ref_set(repo, SYNC_UP_REF, &head)) < 0)
		return rc;
	do {
		if ((rc = commit_batch(db, repo, &made)) < 0)
			return rc;
	} while (made > 0);
	if ((rc = sync_meta_oid(db, "up_head", &head, &have)) < 0 || !have)
		return rc;
	if ((rc = hearth_sql_scalar(hearth_db_sqlite(db),
		     "SELECT coalesce(max(seq), 0) FROM hearth_outbox WHERE pushed = 1", &committed)) <
		    0 ||
	    (rc = sync_meta_i64(db, "remote_up_seq", &on_remote)) < 0)
		return rc;
	sync_transport_opts(&topts, opts, db);
	if ((rc = hearth_transport_push(repo, r->url, spec, 1, &topts)) < 0) {
		if (rc == HEARTH_ECONFLICT)
			rc = sync_fork_error(db);
		sync_remote_record(db, r->name, 0, hearth_error_last());
		return rc;
	}
	if (committed > on_remote) {
		res->pushed += (int)(committed - on_remote);
		rc = sync_meta_set_i64(db, "remote_up_seq", committed);
	}
	return rc;
}

enum { NODE_PULL = 1, NODE_PUSH = 2 };

/* The office's remote, then pull and/or push: one driver for the three node commands. */
static int node_run(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out,
	int what)
{
	git_repository *repo = NULL;
	sync_remote *remotes = NULL;
	hearth_sync_result res;
	int n = 0, rc = 0;

	memset(&res, 0, sizeof(res));
	if ((rc = sync_remotes_load(&remotes, &n, db, opts ? opts->only_remote : NULL)) < 0 ||
	    (rc = sync_remotes_present(remotes, &n, opts ? opts->only_remote : NULL,
		     &res.skipped_remotes)) < 0 ||
	    n == 0 || /* only sticks, none plugged in: nothing to do, nothing failed */
	    (rc = sync_repo_open(&repo, db)) < 0 ||
	    (rc = sync_remote_owner_check(db, repo, &remotes[0], opts)) < 0)
		goto done;
	if (what & NODE_PULL)
		rc = sync_node_pull_remote(db, repo, &remotes[0], opts, &res);
	if (rc == HEARTH_ENEWER && (what & NODE_PUSH)) {
		/* the office runs a newer schema: this node cannot read its down yet, but its own
		 * changes still go up (the office lifts them), so nothing waits on the upgrade */
		char saved[1024];
		snprintf(saved, sizeof(saved), "%s", hearth_error_last());
		sync_remote_record(db, remotes[0].name, 0, saved);
		if ((rc = node_push_remote(db, repo, &remotes[0], opts, &res)) == 0)
			rc = hearth_error_set(HEARTH_ENEWER, "%s", saved);
		goto done;
	}
	if (rc == 0 && (what & NODE_PUSH))
		rc = node_push_remote(db, repo, &remotes[0], opts, &res);
	if (rc == 0 && what == (NODE_PULL | NODE_PUSH))
		sync_remote_record(db, remotes[0].name, 1, NULL);
	/* each pull over a network adds a pack: keep them few (packs.c) */
	if (rc == 0 && (what & NODE_PULL))
		rc = sync_repo_tidy(&repo);
done:
	res.pending = (int)hearth_sql_count(hearth_db_sqlite(db), "SELECT count(*) FROM hearth_outbox");
	if (out)
		*out = res;
	git_repository_free(repo);
	sync_remotes_free(remotes, n);
	return rc;
}

int hearth_push(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EUSAGE,
			_("the office does not push: 'hearth sync' merges and publishes"));
	return node_run(db, opts, out, NODE_PUSH);
}

int hearth_pull(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EUSAGE,
			_("the office does not pull: 'hearth sync' merges and publishes"));
	return node_run(db, opts, out, NODE_PULL);
}

int hearth_sync(hearth_db *db, const hearth_sync_opts *opts, hearth_sync_result *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (hearth_db_is_office(db))
		return sync_office(db, opts, out);
	return node_run(db, opts, out, NODE_PULL | NODE_PUSH);
}

int hearth_sync_result_format(hearth_buf *out, const hearth_sync_result *r, int office)
{
	int rc;

	if (!office) {
		rc = hearth_buf_printf(out,
			_("up %d, down %d, confirmed by the office %d, still pending %d: nothing lost"),
			r->pushed, r->received, r->acked, r->pending);
		return rc < 0 ? rc : hearth_sync_skipped_format(out, r);
	}
	/* one piece per number: each takes its own plural */
	rc = hearth_buf_printf(out, P_("merged %d change", "merged %d changes", r->merged),
		r->merged);
	if (rc == 0)
		rc = hearth_buf_printf(out, P_(" from %d node", " from %d nodes", r->nodes), r->nodes);
	if (rc == 0)
		rc = hearth_buf_printf(out,
			P_(", %d conflict logged (losing values kept)",
				", %d conflicts logged (losing values kept)", r->conflicts),
			r->conflicts);
	if (rc == 0)
		rc = hearth_buf_printf(out,
			P_(", %d commit quarantined", ", %d commits quarantined", r->quarantined),
			r->quarantined);
	if (rc == 0 && r->failed_remotes)
		rc = hearth_buf_printf(out, "%s", _(", some nodes unreachable (see status)"));
	return rc < 0 ? rc : hearth_sync_skipped_format(out, r);
}

int hearth_sync_skipped_format(hearth_buf *out, const hearth_sync_result *r)
{
	if (!r->skipped_remotes)
		return 0;
	if (r->skipped_remotes == 1)
		return hearth_buf_printf(out, "%s", _("; USB stick not inserted: skipped"));
	return hearth_buf_printf(out,
		P_("; %d USB stick not inserted: skipped", "; %d USB sticks not inserted: skipped",
			r->skipped_remotes),
		r->skipped_remotes);
}
