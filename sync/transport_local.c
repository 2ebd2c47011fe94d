/* Fetch and push between repositories on this machine (a path or file:// remote). */
#include "sync_int.h"
#include "core/i18n.h"

#include <stdio.h>
#include <string.h>

/*
 * A path or file:// remote is a repository on this machine (a USB stick). For those, libgit2
 * builds a pack of every missing object with a delta search across them, which costs memory and
 * time in proportion to what is copied (the office's round of 1 GB of changesets). hearth copies
 * the missing objects one at a time instead, database to database, and then moves the ref. The
 * order keeps what git keeps for a pack: an object the destination has comes with everything it
 * references. Commits go oldest first, each after its tree and blobs, so a copy cut half-way is
 * completed by the next one, which skips what is there.
 */

/* Deepest tree nesting copied (hearth's trees are flat; this bounds a hostile repository). */
#define LOCAL_TREE_DEPTH 32

typedef struct {
	sync_transfer *t;
	git_repository *from;
	git_odb *from_odb;
	git_odb *to_odb;
	unsigned copied;
} local_copy;

/* The folder of a path or file:// remote, or 0 for a URL libgit2 has to handle. */
int sync_local_path(char *out, size_t size, const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/'), *path = NULL;

	if (strncmp(url, "file://", 7) == 0 && url[7] == '/' && !strchr(url, '%'))
		path = url + 7;
	else if (*url && !strstr(url, "://") && (!colon || (slash && slash < colon)))
		path = url;
	if (!path || strlen(path) >= size)
		return 0;
	snprintf(out, size, "%s", path);
	return 1;
}

static int local_open(git_repository **out, const char *path)
{
	return git_repository_open_ext(out, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
}

/* libgit2 refuses to push into a repository with a work tree; so does hearth (through it). */
int sync_local_bare(const char *path)
{
	git_repository *r = NULL;
	int bare = local_open(&r, path) == 0 && git_repository_is_bare(r);

	git_repository_free(r);
	return bare;
}

static int copy_object(local_copy *c, const git_oid *id)
{
	git_odb_object *o = NULL;
	git_oid got;
	int grc;

	if (git_odb_exists(c->to_odb, id))
		return 0;
	if ((grc = git_odb_read(&o, c->from_odb, id)) < 0)
		return grc;
	grc = git_odb_write(&got, c->to_odb, git_odb_object_data(o), git_odb_object_size(o),
		git_odb_object_type(o));
	git_odb_object_free(o);
	if (grc == 0 && !git_oid_equal(&got, id)) {
		/* the one check of a copied object's bytes (libgit2 does not hash what it reads) */
		git_error_set_str(GIT_ERROR_ODB, "an object's bytes do not match its id");
		grc = -1;
	}
	/* every object copied re-arms the caller's idle watchdog, like the bytes of a transfer */
	c->copied++;
	if (grc == 0 && c->t->opts && c->t->opts->progress)
		c->t->opts->progress(c->t->phase, c->copied, 0, c->t->opts->payload);
	return grc;
}

/* 1 if the blobs of `tree` take more than c->t->opts->commit_blobs_max bytes together */
static int blobs_over(local_copy *c, git_tree *tree)
{
	uint64_t max = c->t->opts ? c->t->opts->commit_blobs_max : 0, total = 0;
	size_t i, n = git_tree_entrycount(tree), size;
	git_object_t type;

	for (i = 0; max && i < n && total <= max; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);

		if (git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
		    git_odb_read_header(&size, &type, c->from_odb, git_tree_entry_id(e)) == 0)
			total += size;
	}
	return max && total > max;
}

static int copy_tree(local_copy *c, const git_oid *id, int depth)
{
	git_tree *tree = NULL;
	size_t i, n;
	int grc = 0, skip_blobs;

	if (git_odb_exists(c->to_odb, id))
		return 0;
	if (depth > LOCAL_TREE_DEPTH) {
		git_error_set_str(GIT_ERROR_INVALID, "trees nested too deep");
		return -1;
	}
	if ((grc = git_tree_lookup(&tree, c->from, id)) < 0)
		return grc;
	n = git_tree_entrycount(tree);
	skip_blobs = blobs_over(c, tree);
	for (i = 0; i < n && grc == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);

		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			grc = copy_tree(c, git_tree_entry_id(e), depth + 1);
		else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB && !skip_blobs)
			grc = copy_object(c, git_tree_entry_id(e));
	}
	git_tree_free(tree);
	return grc < 0 ? grc : copy_object(c, id);
}

static int copy_commit(local_copy *c, const git_oid *id)
{
	git_commit *commit = NULL;
	int grc;

	if ((grc = git_commit_lookup(&commit, c->from, id)) < 0)
		return grc;
	grc = copy_tree(c, git_commit_tree_id(commit), 0);
	git_commit_free(commit);
	return grc < 0 ? grc : copy_object(c, id);
}

/* The walk stops at a commit the destination has: it has its history too. */
static int hide_present(const git_oid *id, void *payload)
{
	local_copy *c = payload;

	return git_odb_exists(c->to_odb, id);
}

/* Copy `tip` and what it needs from c->from into c->to_odb, oldest commit first. */
static int copy_history(local_copy *c, const git_oid *tip)
{
	git_revwalk *walk = NULL;
	git_oid id;
	int grc;

	if (git_odb_exists(c->to_odb, tip))
		return 0;
	if ((grc = git_revwalk_new(&walk, c->from)) < 0)
		return grc;
	if ((grc = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE)) < 0 ||
	    (grc = git_revwalk_add_hide_cb(walk, hide_present, c)) < 0 ||
	    (grc = git_revwalk_push(walk, tip)) < 0)
		goto done;
	while ((grc = git_revwalk_next(&id, walk)) == 0)
		if ((grc = copy_commit(c, &id)) < 0)
			goto done;
	if (grc == GIT_ITEROVER)
		grc = 0;
done:
	git_revwalk_free(walk);
	return grc;
}

/* Open both object databases of a copy from `from` into `to`. */
static int local_copy_open(local_copy *c, sync_transfer *t, git_repository *from,
	git_repository *to)
{
	int grc;

	memset(c, 0, sizeof(*c));
	c->t = t;
	c->from = from;
	if ((grc = git_repository_odb(&c->from_odb, from)) < 0 ||
	    (grc = git_repository_odb(&c->to_odb, to)) < 0)
		return grc;
	return 0;
}

static void local_copy_close(local_copy *c)
{
	if (c->copied && c->t->opts && c->t->opts->progress)
		c->t->opts->progress(c->t->phase, c->copied, c->copied, c->t->opts->payload);
	git_odb_free(c->from_odb);
	git_odb_free(c->to_odb);
}

/*
 * 1 if every refspec is one the local copy handles: forced (fetch) or any (push), full ref names
 * on both sides, no pattern, not a deletion. Anything else goes through libgit2.
 */
int sync_local_specs_plain(const char **refspecs, size_t n, int is_fetch)
{
	for (size_t i = 0; i < n; i++) {
		git_refspec *spec = NULL;
		const char *src, *dst;
		int ok;

		if (git_refspec_parse(&spec, refspecs[i], is_fetch) < 0)
			return 0;
		src = git_refspec_src(spec);
		dst = git_refspec_dst(spec);
		ok = src && dst && strncmp(src, "refs/", 5) == 0 && strncmp(dst, "refs/", 5) == 0 &&
		     !strchr(src, '*') && !strchr(dst, '*') && (!is_fetch || git_refspec_force(spec));
		git_refspec_free(spec);
		if (!ok)
			return 0;
	}
	return 1;
}

/* Fetch the `wanted` refspecs (their sources all listed in `heads`) from the repository at
 * `path`, already opened by libgit2's connection. */
int sync_local_fetch(git_repository *repo, const char *path, const char *url,
	const git_strarray *wanted, const git_remote_head **heads, size_t nheads, sync_transfer *t)
{
	git_repository *from = NULL;
	local_copy c;
	int grc, rc = 0;

	memset(&c, 0, sizeof(c));
	c.t = t;
	if ((grc = local_open(&from, path)) < 0 ||
	    (grc = local_copy_open(&c, t, from, repo)) < 0) {
		rc = sync_transport_fail_net(t, url, grc);
		goto done;
	}
	for (size_t i = 0; i < wanted->count && rc == 0; i++) {
		git_refspec *spec = NULL;
		const git_remote_head *h;
		git_reference *ref = NULL;

		if (git_refspec_parse(&spec, wanted->strings[i], 1) < 0) {
			rc = hearth_error_set(HEARTH_EUSAGE, _("invalid fetch refspec '%s'"),
				wanted->strings[i]);
			break;
		}
		h = sync_remote_head_find(heads, nheads, git_refspec_src(spec));
		if (h && (grc = copy_history(&c, &h->oid)) < 0)
			rc = sync_transport_fail_net(t, url, grc);
		else if (h && git_reference_create(&ref, repo, git_refspec_dst(spec), &h->oid, 1,
				      "hearth: fetch") < 0) {
			char where[SYNC_MSG_MAX], why[SYNC_MSG_MAX];

			sync_url_redact(where, sizeof(where), url);
			sync_git_message(why, sizeof(why));
			rc = hearth_error_set(HEARTH_ERROR,
				_("cannot update refs fetched from '%s': %s"), where, why);
		}
		git_reference_free(ref);
		git_refspec_free(spec);
	}
done:
	local_copy_close(&c);
	git_repository_free(from);
	return rc;
}

/* Move the remote's `dst` to `ours`: over `theirs` only (a non-forced push), or whatever it is. */
static int local_ref_move(git_repository *to, const char *dst, const git_oid *ours,
	const git_remote_head *theirs, int force)
{
	git_reference *ref = NULL;
	int grc;

	if (force)
		grc = git_reference_create(&ref, to, dst, ours, 1, "hearth: push");
	else if (theirs)
		grc = git_reference_create_matching(&ref, to, dst, ours, 1, &theirs->oid,
			"hearth: push");
	else
		grc = git_reference_create(&ref, to, dst, ours, 0, "hearth: push");
	git_reference_free(ref);
	return grc;
}

/* Push the `send` refspecs (planned against `heads`) into the bare repository at `path`. */
int sync_local_push(git_repository *repo, const char *path, const char *url,
	const git_strarray *send, const git_remote_head **heads, size_t nheads, sync_transfer *t)
{
	git_repository *to = NULL;
	local_copy c;
	char where[SYNC_MSG_MAX], why[SYNC_MSG_MAX];
	int grc, rc = 0;

	memset(&c, 0, sizeof(c));
	c.t = t;
	sync_url_redact(where, sizeof(where), url);
	if ((grc = local_open(&to, path)) < 0 || (grc = local_copy_open(&c, t, repo, to)) < 0) {
		rc = sync_transport_fail_net(t, url, grc);
		goto done;
	}
	for (size_t i = 0; i < send->count && rc == 0; i++) {
		git_refspec *spec = NULL;
		const char *dst;
		git_oid ours;

		if (git_refspec_parse(&spec, send->strings[i], 0) < 0) {
			rc = hearth_error_set(HEARTH_EUSAGE, _("invalid push refspec '%s'"),
				send->strings[i]);
			break;
		}
		dst = git_refspec_dst(spec);
		if (git_reference_name_to_id(&ours, repo, git_refspec_src(spec)) < 0)
			rc = hearth_error_set(HEARTH_ENOTFOUND, _("cannot push '%s': no such ref here"),
				git_refspec_src(spec));
		else if ((grc = copy_history(&c, &ours)) < 0)
			rc = sync_transport_fail_net(t, url, grc);
		else if ((grc = local_ref_move(to, dst, &ours, sync_remote_head_find(heads, nheads, dst),
				  git_refspec_force(spec))) == GIT_EMODIFIED || grc == GIT_EEXISTS)
			/* the remote moved between our listing and the push */
			rc = sync_push_conflict(dst, url, SYNC_NOT_FAST_FORWARD);
		else if (grc < 0) {
			sync_git_message(why, sizeof(why));
			rc = hearth_error_set(HEARTH_ERROR,
				_("cannot push '%s' to '%s': the remote refused it (%s)"), dst, where, why);
		}
		git_refspec_free(spec);
	}
done:
	local_copy_close(&c);
	git_repository_free(to);
	return rc;
}
