/*
 * The commits of the log (docs/format.md): written with their entries in blobs, read back and
 * checked against their message, walked along the first-parent chain. Everything read here
 * comes from the network: parsed defensively.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

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

/* Format 3: as format 2, each blob sealed (seal.c) for this commit's trailers and place; a
 * commit without entries holds one sealed blob of no records, so that its range and ack are
 * sealed too. */
static int tree_fill_v3(git_treebuilder *tb, git_repository *repo, const sync_message *m,
	sync_entry *const *entries, const git_oid *parent, const hearth_buf *msg)
{
	hearth_buf trailers = HEARTH_BUF_INIT, sealed = HEARTH_BUF_INIT;
	hearth_buf *blobs = NULL;
	sync_entry_head prev = { 0, 0 };
	hearth_clock clock = m->nentries ? m->entries[m->nentries - 1].clock : m->stamp;
	uint32_t k = 1, j;
	char name[32];
	int i, rc = 0;

	if (!m->seal)
		return hearth_error_set(HEARTH_ERROR, _("format 3 commit without a key"));
	if (!(blobs = calloc((size_t)(m->nentries ? m->nentries : 1), sizeof(*blobs))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	for (i = 0; i < (m->nentries ? m->nentries : 1); i++)
		hearth_buf_init(&blobs[i], 0);
	for (i = 0; rc == 0 && i < m->nentries; i++) {
		if (blobs[k - 1].size &&
		    blobs[k - 1].size + sync_blob_record_size(entries[i], &prev) > SYNC_BLOB_MAX)
			k++;
		rc = sync_blob_append(&blobs[k - 1], entries[i], &prev);
	}
	if (rc == 0)
		rc = sync_trailers(&trailers, msg->ptr, msg->size);
	for (j = 0; rc == 0 && j < k; j++) {
		snprintf(name, sizeof(name), "entries.%u", j + 1);
		if ((rc = sync_seal(&sealed, m->seal, sync_seal_epoch(clock), m->is_down, m->node,
			     parent, j + 1, k, trailers.ptr, trailers.size, blobs[j].ptr,
			     blobs[j].size, m->packing)) == 0)
			rc = tree_add(tb, repo, name, sealed.ptr, sealed.size);
	}
	/* who wrote the entries: blob 0, sealed like the others (names are personal data) */
	if (rc == 0 && m->authors && m->authors[0] &&
	    (rc = sync_seal(&sealed, m->seal, sync_seal_epoch(clock), m->is_down, m->node, parent,
		     0, k, trailers.ptr, trailers.size, m->authors, strlen(m->authors),
		     m->packing)) == 0)
		rc = tree_add(tb, repo, "authors", sealed.ptr, sealed.size);
	for (i = 0; i < (m->nentries ? m->nentries : 1); i++)
		hearth_buf_dispose(&blobs[i]);
	free(blobs);
	hearth_buf_dispose(&trailers);
	hearth_buf_dispose(&sealed);
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
	/* every commit says which packings its writer opens (docs/format.md, section 2): the
	 * reader seals to it with the newest of them from then on */
	w.opens = HEARTH_SEAL_PACKING >= 2 ? HEARTH_SEAL_PACKING : 0;
	if (git_treebuilder_new(&tb, repo, NULL) < 0) {
		rc = sync_git_fail(HEARTH_ERROR, _("cannot build tree"));
		goto done;
	}
	/* the message first: format 3 seals the blobs for its trailers */
	if ((rc = sync_message_format(&msg, subject, &w)) < 0)
		goto done;
	rc = m->format == 1   ? tree_fill_v1(tb, repo, m, entries)
	     : m->format == 2 ? tree_fill_v2(tb, repo, m, entries)
			      : tree_fill_v3(tb, repo, m, entries, parent_id, &msg);
	if (rc < 0)
		goto done;
	snprintf(email, sizeof(email), "%s@hearth.invalid", who);
	if (git_treebuilder_write(&tree_id, tb) < 0 || git_tree_lookup(&tree, repo, &tree_id) < 0 ||
	    git_signature_new(&sig, who, email, (git_time_t)(ms / 1000), 0) < 0 ||
	    (parent_id && git_commit_lookup(&parent, repo, parent_id) < 0)) {
		rc = sync_git_fail(HEARTH_ERROR, _("cannot write commit"));
		goto done;
	}
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

/* Why a sealed blob that does not open where it is opens where it was sealed: the header's
 * claims, authenticated by opening with them under the key of the node they name. */
static int misplaced(const sync_commit *c, const sync_seal_head *h, const char *actual_prev,
	int64_t done_seq)
{
	char claimed[GIT_OID_HEXSZ + 1];
	git_oid o;
	int64_t pos = c->msg.is_down ? c->msg.range_from + 1 : c->msg.first_seq;

	if (strcmp(h->node, c->msg.node) != 0)
		return hearth_error_set(HEARTH_ECORRUPT,
			_("moved from another node: its entries were sealed by '%s', not '%s'"), h->node,
			c->msg.node);
	if (h->is_down != c->msg.is_down)
		return hearth_error_set(HEARTH_ECORRUPT,
			_("moved from another branch: its entries were sealed for '%s'"),
			h->is_down ? "down" : "up");
	git_oid_fromraw(&o, h->prev);
	git_oid_tostr(claimed, sizeof(claimed), &o);
	return hearth_error_set(HEARTH_ECORRUPT,
		_("%s: its entries were sealed to follow commit %.12s, not %.12s"),
		pos <= done_seq ? _("replayed") : _("reordered"), claimed, actual_prev);
}

/* `trailers` with the Hearth-Direction and Hearth-Node lines the header `h` claims. */
static int claimed_trailers(hearth_buf *out, const hearth_buf *trailers, const sync_seal_head *h)
{
	const char *p = trailers->ptr, *end = trailers->ptr + trailers->size;
	int rc = 0;

	while (rc == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
		if (l >= 13 && memcmp(p, "Hearth-Node: ", 13) == 0)
			rc = hearth_buf_printf(out, "Hearth-Node: %s\n", h->node);
		else if (l >= 18 && memcmp(p, "Hearth-Direction: ", 18) == 0)
			rc = hearth_buf_printf(out, "Hearth-Direction: %s\n", h->is_down ? "down" : "up");
		else
			rc = hearth_buf_put(out, p, l);
		p += l;
	}
	return rc;
}

/* Open sealed blob `i` of `k` of commit `c` (parent `parent`, NULL if none) into `records`. */
static int open_blob(hearth_buf *records, sync_commit *c, const git_oid *parent,
	const sync_keyring *keys, const void *blob, size_t n, uint32_t i, uint32_t k,
	const hearth_buf *trailers, int64_t done_seq)
{
	sync_seal_head h;
	const sync_seal_key *key;
	unsigned char zero[GIT_OID_RAWSZ] = { 0 };
	char actual[GIT_OID_HEXSZ + 1] = "(none)";
	int rc, placed;

	if ((rc = sync_seal_head_parse(&h, blob, n)) < 0)
		return rc;
	if (parent)
		git_oid_tostr(actual, sizeof(actual), parent);
	placed = strcmp(h.node, c->msg.node) == 0 && h.is_down == c->msg.is_down &&
		 memcmp(h.prev, parent ? parent->id : zero, GIT_OID_RAWSZ) == 0;
	if (!sync_keyring_has(keys, c->msg.node))
		return hearth_error_set(HEARTH_EDENIED,
			_("sealed entries, but there is no key for '%s' here: enrol the node "
			"(hearth key import)"), c->msg.node);
	if (!placed && (key = sync_keyring_find(keys, h.node, h.generation))) {
		/* as sealed: the trailers naming the node and branch of the header */
		hearth_buf alt = HEARTH_BUF_INIT;
		int opened = claimed_trailers(&alt, trailers, &h) == 0 &&
			     sync_seal_open(records, &h, key, i, k, alt.ptr, alt.size) == 0;
		hearth_buf_dispose(&alt);
		if (opened)
			return misplaced(c, &h, actual, done_seq);
	}
	if (!placed || !(key = sync_keyring_find(keys, c->msg.node, h.generation)))
		return hearth_error_set(HEARTH_EDENIED,
			_("not sealed with the key of '%s' (forged, or sealed with a key the office "
			"never issued)"), c->msg.node);
	if (key->state == SYNC_KEY_REVOKED)
		return hearth_error_set(HEARTH_EDENIED,
			_("sealed with a revoked key of '%s' (generation %u): the device was shut out"),
			c->msg.node, h.generation);
	/* on `down`, a key the office moved along its chain at a purge is followed (seal.c) */
	rc = c->msg.is_down ? sync_seal_open_ratchet(records, &h, (sync_seal_key *)key, i, k,
				      trailers->ptr, trailers->size)
			    : sync_seal_open(records, &h, key, i, k, trailers->ptr, trailers->size);
	if (rc == HEARTH_EDENIED)
		return hearth_error_set(HEARTH_EDENIED,
			_("not sealed with the key of '%s' (forged or altered: the seal does not open)"),
			c->msg.node);
	if (rc == 0)
		c->key_gen = h.generation;
	return rc;
}

/* Format 3: the Author lines of commit `c`, opened from its tree entry `who` (blob 0; NULL if
 * none) into c->message, which holds nothing else. */
static int open_authors(sync_commit *c, git_repository *repo, git_odb *odb,
	const git_tree_entry *who, const git_oid *parent, const sync_keyring *keys, size_t k,
	const hearth_buf *trailers, int64_t done_seq)
{
	hearth_buf lines = HEARTH_BUF_INIT;
	git_blob *blob = NULL;
	size_t size;
	int rc;

	c->message[0] = '\0';
	if (!who)
		return 0;
	if (git_tree_entry_filemode(who) != GIT_FILEMODE_BLOB)
		return hearth_error_set(HEARTH_ECORRUPT, _("commit tree of %zu files lacks the blob '%s'"),
			k + 1, "authors");
	if ((rc = blob_header(&size, odb, who, "blob 'authors'", SYNC_BLOB_MAX)) < 0)
		return rc;
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(who)) < 0)
		return sync_git_fail(HEARTH_ECORRUPT, _("cannot read entries"));
	rc = open_blob(&lines, c, parent, keys, git_blob_rawcontent(blob),
		(size_t)git_blob_rawsize(blob), 0, (uint32_t)k, trailers, done_seq);
	git_blob_free(blob);
	if (rc == 0 && lines.size) {
		free(c->message);
		if (!(c->message = strdup(lines.ptr)))
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
	}
	hearth_buf_dispose(&lines);
	return rc;
}

/* Format 3: the tree holds sealed blobs entries.1 ... entries.k (1 <= k, k <= count when there
 * are entries, k = 1 of no records when there are none), sizes checked before any is loaded;
 * each is opened and decoded as format 2. */
static int read_v3(sync_commit *out, git_repository *repo, git_commit *commit, git_tree *tree,
	uint64_t max_bytes, const sync_keyring *keys, int64_t done_seq)
{
	size_t k = git_tree_entrycount(tree), i, size;
	uint64_t total = 0;
	sync_entry_head prev = { 0, 0 };
	const git_tree_entry *te;
	const git_oid *parent = git_commit_parentcount(commit) ? git_commit_parent_id(commit, 0)
							       : NULL;
	hearth_buf trailers = HEARTH_BUF_INIT, records = HEARTH_BUF_INIT;
	const char *raw = git_commit_message_raw(commit);
	git_odb *odb = NULL;
	int cap = 0, rc = 0;

	const git_tree_entry *who = git_tree_entry_byname(tree, "authors");

	if (who)
		k--; /* blob 0: the Author lines, sealed */
	if (k < 1 || k > (size_t)(out->msg.count ? out->msg.count : 1))
		return hearth_error_set(HEARTH_ECORRUPT,
			_("commit tree holds %zu files for %d entries"), k, out->msg.count);
	if (git_repository_odb(&odb, repo) < 0)
		return sync_git_fail(HEARTH_ERROR, _("cannot read the object database"));
	for (i = 1; rc == 0 && i <= k; i++)
		if ((rc = blob_size(&te, &size, odb, tree, i, k)) == 0)
			total += size;
	if (rc == 0)
		rc = bound_check(total, max_bytes);
	if (rc == 0)
		rc = sync_trailers(&trailers, raw, strlen(raw));
	for (i = 1; rc == 0 && i <= k; i++) {
		git_blob *blob = NULL;

		if ((rc = blob_size(&te, &size, odb, tree, i, k)) < 0)
			break;
		if (git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0)
			rc = sync_git_fail(HEARTH_ECORRUPT, _("cannot read entries"));
		else if ((rc = open_blob(&records, out, parent, keys, git_blob_rawcontent(blob),
				  (size_t)git_blob_rawsize(blob), (uint32_t)i, (uint32_t)k, &trailers,
				  done_seq)) == 0) {
			if (out->msg.count == 0 && records.size)
				rc = hearth_error_set(HEARTH_ECORRUPT,
					_("a commit without entries holds sealed entries"));
			else if (out->msg.count)
				rc = sync_blob_decode(out, &cap, (int)i, records.ptr, records.size,
					&prev);
		}
		if (records.size)
			sodium_memzero(records.ptr, records.size);
		git_blob_free(blob);
	}
	/* format 3 takes Author lines only from inside the seal, never from the clear message */
	if (rc == 0)
		rc = open_authors(out, repo, odb, who, parent, keys, k, &trailers, done_seq);
	git_odb_free(odb);
	hearth_buf_dispose(&trailers);
	hearth_buf_dispose(&records);
	return rc < 0 ? rc : sync_blob_finish(out);
}

int sync_commit_read_bounded(sync_commit *out, git_repository *repo, const git_oid *id,
	uint64_t max_bytes)
{
	return sync_commit_read_keyed(out, repo, id, max_bytes, NULL, -1);
}

int sync_commit_read_keyed(sync_commit *out, git_repository *repo, const git_oid *id,
	uint64_t max_bytes, const sync_keyring *keys, int64_t done_seq)
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
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	rc = out->msg.format == 1   ? read_v1(out, repo, tree, max_bytes)
	     : out->msg.format == 2 ? read_v2(out, repo, tree, max_bytes)
				    : read_v3(out, repo, commit, tree, max_bytes, keys, done_seq);
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
