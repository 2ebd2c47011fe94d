/*
 * The commits of the log (docs/format.md): written with their entries in blobs, read back and
 * checked against their message, walked along the first-parent chain. Everything read here
 * comes from the network: parsed defensively.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "core/i18n.h"

int sync_git_fail(int code, const char *what)
{
	const git_error *e = git_error_last();

	return hearth_error_set(code, "%s: %s", what, e && e->message ? e->message : _("git error"));
}

static void entry_name(char *out, int64_t seq)
{
	snprintf(out, 21, "%020lld", (long long)seq);
}

static int tree_add(git_treebuilder *tb, git_repository *repo, const char *name, const void *p,
	size_t n)
{
	git_oid blob;

	if (git_blob_create_from_buffer(&blob, repo, p, n) < 0 ||
	    git_treebuilder_insert(NULL, tb, name, &blob, GIT_FILEMODE_BLOB) < 0)
		return sync_git_fail(HEARTH_ERROR, _("cannot write entry"));
	return 0;
}

/* Format 1: one blob per entry, named by its seq. */
static int tree_fill_v1(git_treebuilder *tb, git_repository *repo, const sync_message *m,
	sync_entry *const *entries)
{
	int i, rc = 0;

	for (i = 0; rc == 0 && i < m->nentries; i++) {
		char name[21];
		entry_name(name, entries[i]->head.seq);
		rc = tree_add(tb, repo, name, entries[i]->cs.ptr, entries[i]->cs.size);
	}
	return rc;
}

/* Format 2: the entries in order in blobs entries.1 ... entries.k, each up to SYNC_BLOB_MAX,
 * so that git compresses them as one stream. */
static int tree_fill_v2(git_treebuilder *tb, git_repository *repo, const sync_message *m,
	sync_entry *const *entries)
{
	hearth_buf blob = HEARTH_BUF_INIT;
	sync_entry_head prev = { 0, 0 };
	char name[32];
	int i, k = 0, rc = 0;

	for (i = 0; rc == 0 && i < m->nentries; i++) {
		if (blob.size &&
		    blob.size + sync_blob_record_size(entries[i], &prev) > SYNC_BLOB_MAX) {
			snprintf(name, sizeof(name), "entries.%d", ++k);
			rc = tree_add(tb, repo, name, blob.ptr, blob.size);
			hearth_buf_clear(&blob);
		}
		if (rc == 0)
			rc = sync_blob_append(&blob, entries[i], &prev);
	}
	if (rc == 0 && blob.size) {
		snprintf(name, sizeof(name), "entries.%d", ++k);
		rc = tree_add(tb, repo, name, blob.ptr, blob.size);
	}
	hearth_buf_dispose(&blob);
	return rc;
}

int sync_commit_write(git_oid *out, git_repository *repo, const git_oid *parent_id,
	const char *subject, const sync_message *m, sync_entry *const *entries)
{
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	hearth_buf msg = HEARTH_BUF_INIT;
	sync_message w = *m;
	git_oid tree_id;
	int rc = 0;
	uint64_t ms = m->nentries ? HEARTH_CLOCK_MS(m->entries[m->nentries - 1].clock) : 0;
	char email[HEARTH_ID_MAX + 32];
	const char *who = m->is_down ? HEARTH_OFFICE : m->node;

	/* the commit time comes from the clock, never the wall: equal logs give equal commits */
	if (!m->nentries)
		ms = HEARTH_CLOCK_MS(m->stamp);
	w.count = m->nentries;
	w.first_seq = m->nentries ? m->entries[0].seq : 0;
	w.last_seq = m->nentries ? m->entries[m->nentries - 1].seq : 0;
	if (git_treebuilder_new(&tb, repo, NULL) < 0) {
		rc = sync_git_fail(HEARTH_ERROR, _("cannot build tree"));
		goto done;
	}
	rc = m->format == 1 ? tree_fill_v1(tb, repo, m, entries)
			    : tree_fill_v2(tb, repo, m, entries);
	if (rc < 0)
		goto done;
	snprintf(email, sizeof(email), "%s@hearth.invalid", who);
	if (git_treebuilder_write(&tree_id, tb) < 0 || git_tree_lookup(&tree, repo, &tree_id) < 0 ||
	    git_signature_new(&sig, who, email, (git_time_t)(ms / 1000), 0) < 0 ||
	    (parent_id && git_commit_lookup(&parent, repo, parent_id) < 0)) {
		rc = sync_git_fail(HEARTH_ERROR, _("cannot write commit"));
		goto done;
	}
	if ((rc = sync_message_format(&msg, subject, &w)) < 0)
		goto done;
	if (git_commit_create(out, repo, NULL, sig, sig, NULL, msg.ptr, tree, parent ? 1 : 0,
		    (const git_commit **)&parent) < 0)
		rc = sync_git_fail(HEARTH_ERROR, _("cannot write commit"));
done:
	git_treebuilder_free(tb);
	git_tree_free(tree);
	git_commit_free(parent);
	git_signature_free(sig);
	hearth_buf_dispose(&msg);
	return rc;
}

void sync_commit_dispose(sync_commit *c)
{
	int i;

	for (i = 0; c->entries && i < c->msg.nentries; i++)
		hearth_buf_dispose(&c->entries[i].cs);
	free(c->entries);
	sync_message_dispose(&c->msg);
	free(c->message);
	c->entries = NULL;
	c->message = NULL;
}

/* The size of the blob `te` (named `name`), from the object's header: the blob is not loaded.
 * Refused if over `limit`. */
static int blob_header(size_t *size, git_odb *odb, const git_tree_entry *te, const char *name,
	size_t limit)
{
	git_object_t type;

	if (!git_odb_exists(odb, git_tree_entry_id(te)))
		return hearth_error_set(HEARTH_ECORRUPT,
			_("%s is absent (the office fetches a commit whose entries take more than it "
			"accepts without them)"), name);
	if (git_odb_read_header(size, &type, odb, git_tree_entry_id(te)) < 0 ||
	    type != GIT_OBJECT_BLOB)
		return sync_git_fail(HEARTH_ECORRUPT, _("cannot read entries"));
	if (*size > limit)
		return hearth_error_set(HEARTH_ECORRUPT, _("%s is larger than the limit of %zu bytes"),
			name, limit);
	return 0;
}

/* The blob entries.i of a format 2 tree, and its size (blob_header). */
static int blob_size(const git_tree_entry **out, size_t *size, git_odb *odb, git_tree *tree,
	size_t i, size_t k)
{
	const git_tree_entry *te;
	char name[48];

	snprintf(name, sizeof(name), "entries.%zu", i);
	*out = te = git_tree_entry_byname(tree, name);
	if (!te || git_tree_entry_filemode(te) != GIT_FILEMODE_BLOB)
		return hearth_error_set(HEARTH_ECORRUPT, _("commit tree of %zu files lacks the blob '%s'"),
			k, name);
	snprintf(name, sizeof(name), "blob 'entries.%zu'", i);
	return blob_header(size, odb, te, name, SYNC_BLOB_MAX);
}

static int bound_check(uint64_t total, uint64_t max_bytes)
{
	if (total <= max_bytes)
		return 0;
	return hearth_error_set(HEARTH_ECORRUPT,
		_("the entries of the commit take %llu bytes, more than the limit of %llu"),
		(unsigned long long)total, (unsigned long long)max_bytes);
}

/* Format 1: the tree holds exactly one blob per listed entry, named by its seq. Sizes first, as
 * in format 2. */
static int read_v1(sync_commit *out, git_repository *repo, git_tree *tree, uint64_t max_bytes)
{
	git_odb *odb = NULL;
	uint64_t total = 0;
	size_t size;
	int i, rc = 0;

	if (git_tree_entrycount(tree) != (size_t)out->msg.nentries)
		return hearth_error_set(HEARTH_ECORRUPT,
			_("commit tree holds %zu files but lists %d entries"), git_tree_entrycount(tree),
			out->msg.nentries);
	if (out->msg.nentries &&
	    !(out->entries = calloc((size_t)out->msg.nentries, sizeof(*out->entries))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	if (out->msg.nentries && git_repository_odb(&odb, repo) < 0)
		return sync_git_fail(HEARTH_ERROR, _("cannot read the object database"));
	for (i = 0; rc == 0 && i < out->msg.nentries; i++) {
		sync_entry *e = &out->entries[i];
		const git_tree_entry *te;
		char name[21], what[48];

		hearth_buf_init(&e->cs, SYNC_ENTRY_MAX);
		e->head = out->msg.entries[i];
		entry_name(name, e->head.seq);
		snprintf(what, sizeof(what), "entry %lld", (long long)e->head.seq);
		te = git_tree_entry_byname(tree, name);
		if (!te || git_tree_entry_type(te) != GIT_OBJECT_BLOB)
			rc = hearth_error_set(HEARTH_ECORRUPT, _("entry %lld missing from the commit tree"),
				(long long)e->head.seq);
		else if ((rc = blob_header(&size, odb, te, what, SYNC_ENTRY_MAX)) == 0)
			total += size;
	}
	if (rc == 0)
		rc = bound_check(total, max_bytes);
	for (i = 0; rc == 0 && i < out->msg.nentries; i++) {
		sync_entry *e = &out->entries[i];
		git_blob *blob = NULL;
		char name[21];

		entry_name(name, e->head.seq);
		if (git_blob_lookup(&blob, repo, git_tree_entry_id(git_tree_entry_byname(tree, name))) < 0)
			rc = sync_git_fail(HEARTH_ECORRUPT, _("cannot read entry"));
		else
			rc = hearth_buf_put(&e->cs, git_blob_rawcontent(blob),
				(size_t)git_blob_rawsize(blob));
		if (rc == 0 && !hearth_changeset_wellformed(e->cs.ptr, e->cs.size))
			rc = hearth_error_set(HEARTH_ECORRUPT,
				_("entry %lld: changeset does not parse (malformed bytes)"),
				(long long)e->head.seq);
		git_blob_free(blob);
	}
	git_odb_free(odb);
	return rc;
}

/* Format 2: the tree holds blobs entries.1 ... entries.k (k <= count) and nothing else. Every
 * blob's size is read from its header, and their sum checked against `max_bytes`, before any
 * blob is loaded; then each is loaded, decoded and freed in turn. */
static int read_v2(sync_commit *out, git_repository *repo, git_tree *tree, uint64_t max_bytes)
{
	size_t k = git_tree_entrycount(tree), i, size;
	uint64_t total = 0;
	sync_entry_head prev = { 0, 0 };
	const git_tree_entry *te;
	git_odb *odb = NULL;
	int cap = 0, rc = 0;

	/* the message lists no entries (it parsed as format 2): they come from the blobs */
	if ((out->msg.count == 0) != (k == 0) || k > (size_t)out->msg.count)
		return hearth_error_set(HEARTH_ECORRUPT,
			_("commit tree holds %zu files for %d entries"), k, out->msg.count);
	if (k && git_repository_odb(&odb, repo) < 0)
		return sync_git_fail(HEARTH_ERROR, _("cannot read the object database"));
	for (i = 1; rc == 0 && i <= k; i++)
		if ((rc = blob_size(&te, &size, odb, tree, i, k)) == 0)
			total += size;
	if (rc == 0)
		rc = bound_check(total, max_bytes);
	for (i = 1; rc == 0 && i <= k; i++) {
		git_blob *blob = NULL;

		if ((rc = blob_size(&te, &size, odb, tree, i, k)) < 0)
			break;
		if (git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0)
			rc = sync_git_fail(HEARTH_ECORRUPT, _("cannot read entries"));
		else
			rc = sync_blob_decode(out, &cap, (int)i, git_blob_rawcontent(blob),
				(size_t)git_blob_rawsize(blob), &prev);
		git_blob_free(blob);
	}
	git_odb_free(odb);
	return rc < 0 ? rc : sync_blob_finish(out);
}

int sync_commit_read_bounded(sync_commit *out, git_repository *repo, const git_oid *id,
	uint64_t max_bytes)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	const char *raw;
	unsigned int parents;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	git_oid_cpy(&out->id, id);
	if (git_commit_lookup(&commit, repo, id) < 0 || git_commit_tree(&tree, commit) < 0) {
		rc = sync_git_fail(HEARTH_ECORRUPT, _("cannot read commit"));
		goto done;
	}
	if ((parents = git_commit_parentcount(commit)) > 1) {
		rc = hearth_error_set(HEARTH_ECORRUPT,
			_("commit has %u parents: a branch is a chain of commits with one parent each"),
			parents);
		goto done;
	}
	raw = git_commit_message_raw(commit);
	if ((rc = sync_message_parse(&out->msg, raw, strlen(raw))) < 0)
		goto done;
	if (!(out->message = strdup(raw))) {
		rc = hearth_error_set(HEARTH_ERROR, "out of memory");
		goto done;
	}
	rc = out->msg.format == 1 ? read_v1(out, repo, tree, max_bytes) : read_v2(out, repo, tree, max_bytes);
done:
	git_tree_free(tree);
	git_commit_free(commit);
	if (rc < 0)
		sync_commit_dispose(out);
	return rc;
}

int sync_commit_read(sync_commit *out, git_repository *repo, const git_oid *id)
{
	return sync_commit_read_bounded(out, repo, id, UINT64_MAX);
}

/* 1 if commit `c` is a snapshot (its message says so; a message that does not parse is not) */
static int is_snapshot(git_commit *c)
{
	const char *raw = git_commit_message_raw(c);
	sync_message m;
	int yes;

	if (sync_message_parse(&m, raw, strlen(raw)) < 0)
		return 0;
	yes = m.is_snapshot;
	sync_message_dispose(&m);
	return yes;
}

int sync_walk(git_oid **out, size_t *n, git_repository *repo, const git_oid *head,
	const git_oid *stop, int to_snapshot)
{
	git_oid *ids = NULL, cur;
	size_t count = 0, cap = 0, i;
	int rc = 0;

	*out = NULL;
	*n = 0;
	git_oid_cpy(&cur, head);
	for (;;) {
		git_commit *c = NULL;
		if (stop && git_oid_equal(&cur, stop))
			break;
		if (count >= SYNC_WALK_MAX) {
			rc = hearth_error_set(HEARTH_ECORRUPT, _("history too long to walk"));
			goto done;
		}
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			git_oid *nids = realloc(ids, ncap * sizeof(*ids));
			if (!nids) {
				rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
				goto done;
			}
			ids = nids;
			cap = ncap;
		}
		git_oid_cpy(&ids[count++], &cur);
		if (git_commit_lookup(&c, repo, &cur) < 0) {
			rc = sync_git_fail(HEARTH_ECORRUPT, _("cannot read commit"));
			goto done;
		}
		if (to_snapshot && is_snapshot(c)) {
			git_commit_free(c);
			break;
		}
		if (git_commit_parentcount(c) == 0) {
			git_commit_free(c);
			if (stop) {
				rc = hearth_error_set(HEARTH_ECONFLICT,
					_("history was rewritten: the last commit seen is not on the branch"));
				goto done;
			}
			break;
		}
		git_oid_cpy(&cur, git_commit_parent_id(c, 0));
		git_commit_free(c);
	}
	for (i = 0; i < count / 2; i++) {
		git_oid t = ids[i];
		ids[i] = ids[count - 1 - i];
		ids[count - 1 - i] = t;
	}
	*out = ids;
	*n = count;
	ids = NULL;
done:
	free(ids);
	return rc;
}
