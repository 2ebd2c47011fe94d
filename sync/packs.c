/* A repository's packs kept few: every fetch over git://, ssh or https adds one.
 *
 * libgit2 keeps each fetched pack as it came, and before it writes an object it does not have
 * (every commit, tree and blob of a down) it reads the pack folder again and stats every pack in
 * it (git_odb_write's freshen, then git_odb_refresh). An office fetches one pack per node and
 * round, a node one per pull: after a few hundred rounds each object written cost a walk of
 * hundreds of files, and a round of 1,000 centres grew with the square of their number
 * (docs/performance.md, figure 13). After a fetch, when the folder holds more than
 * SYNC_PACKS_MAX packs, the small ones are rolled into one as `git repack --geometric=2` does:
 * sorted by size, the packs that do not form a doubling progression from the largest down are
 * merged, so each object is copied a logarithmic number of times over the repository's life.
 *
 * Nothing is lost: the new pack holds every object of the packs it replaces (reachable or not,
 * quarantined commits included) and is on disk, synced, before any of them is removed; a crash in
 * between leaves both, which git reads as one. A pack holding an object larger than a blob may
 * be (a hostile node's, quarantined) is left as it is, so that the merge never holds such an
 * object in memory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/odb_backend.h>

#include "sync_int.h"
#include "core/i18n.h"

typedef struct {
	char *name; /* "pack-<hex>", without .idx or .pack */
	uint64_t size;
} pack_file;

static int by_size(const void *a, const void *b)
{
	const pack_file *x = a, *y = b;

	return x->size < y->size ? -1 : x->size > y->size;
}

static void packs_free(pack_file *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].name);
	free(p);
}

/* The packs of `dir` (an .idx with its .pack), sorted by the .pack's size; -1 on no memory. */
static int packs_list(pack_file **out, size_t *n, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	pack_file *p = NULL;
	size_t cap = 0;
	char path[PATH_MAX];
	struct stat st;

	*out = NULL;
	*n = 0;
	if (!d)
		return 0; /* no pack folder: nothing to merge */
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".idx") != 0 ||
		    strncmp(e->d_name, "pack-", 5) != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%.*s.pack", dir, (int)(len - 4), e->d_name) >=
			    (int)sizeof(path) ||
		    stat(path, &st) < 0)
			continue;
		if (*n == cap) {
			pack_file *q = realloc(p, (cap = cap ? 2 * cap : 32) * sizeof(*p));
			if (!q)
				goto oom;
			p = q;
		}
		if (!(p[*n].name = strndup(e->d_name, len - 4)))
			goto oom;
		p[(*n)++].size = (uint64_t)st.st_size;
	}
	closedir(d);
	if (*n > 1)
		qsort(p, *n, sizeof(*p), by_size);
	*out = p;
	return 0;
oom:
	closedir(d);
	packs_free(p, *n);
	*n = 0;
	return -1;
}

/* How many of the smallest packs to merge (git repack --geometric=2): 0 or at least 2. */
static size_t packs_split(const pack_file *p, size_t n)
{
	uint64_t total = 0;
	size_t i, split;

	for (i = n - 1; i > 0; i--)
		if (p[i].size / 2 < p[i - 1].size)
			break;
	split = i ? i + 1 : 0;
	for (i = 0; i < split; i++)
		total += p[i].size;
	for (; split < n && p[split].size / 2 < total; split++)
		total += p[split].size;
	return split >= 2 ? split : 0;
}

typedef struct {
	git_packbuilder *pb;
	git_odb *odb; /* the merged packs only */
	int big;      /* an object over SYNC_BLOB_MAX: leave this pack */
} merge_ctx;

static int insert_object(const git_oid *id, void *payload)
{
	merge_ctx *m = payload;
	git_object_t type;
	size_t size;

	if (git_odb_read_header(&size, &type, m->odb, id) < 0)
		return -1;
	if (size > SYNC_BLOB_MAX) {
		m->big = 1;
		return GIT_EUSER;
	}
	return git_packbuilder_insert(m->pb, id, NULL);
}

/* fsync `path` (a file or a folder); -1 if it cannot be opened or synced. */
static int sync_path(const char *path, int flags)
{
	int fd = open(path, flags), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Merge packs p[0..n) of `dir` into one, then remove them: 1 if merged, 0 if nothing was to
 * merge, -1 on an error (every pack left as it was). */
static int packs_merge(git_repository *repo, const char *dir, pack_file *p, size_t n)
{
	merge_ctx m = { NULL, NULL, 0 };
	char path[PATH_MAX];
	const char *name;
	size_t i, merged = 0;
	int rc = -1;

	if (git_packbuilder_new(&m.pb, repo) < 0)
		goto done;
	git_packbuilder_set_threads(m.pb, 1);
	for (i = 0; i < n; i++) {
		git_odb_backend *b = NULL;

		snprintf(path, sizeof(path), "%s/%s.idx", dir, p[i].name);
		m.big = 0;
		if (git_odb_new(&m.odb) < 0 || git_odb_backend_one_pack(&b, path) < 0)
			goto done;
		if (git_odb_add_backend(m.odb, b, 1) < 0) {
			b->free(b);
			goto done;
		}
		if (git_odb_foreach(m.odb, insert_object, &m) < 0 && !m.big)
			goto done;
		git_odb_free(m.odb);
		m.odb = NULL;
		/* a pack with a huge object stays as it is (see above); what of it was inserted
		 * is in both, which git reads as one */
		if (m.big)
			p[i].size = UINT64_MAX;
		else
			merged++;
	}
	if (merged < 2) {
		rc = 0;
		goto done;
	}
	if (git_packbuilder_write(m.pb, dir, 0, NULL, NULL) < 0 || !(name = git_packbuilder_name(m.pb)))
		goto done;
	/* the new pack is on disk before any old one goes */
	snprintf(path, sizeof(path), "%s/pack-%s.pack", dir, name);
	if (sync_path(path, O_RDONLY) < 0)
		goto done;
	snprintf(path, sizeof(path), "%s/pack-%s.idx", dir, name);
	if (sync_path(path, O_RDONLY) < 0 || sync_path(dir, O_RDONLY | O_DIRECTORY) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		if (p[i].size == UINT64_MAX || strcmp(p[i].name + 5, name) == 0)
			continue;
		/* the index first: a pack without one is not read */
		snprintf(path, sizeof(path), "%s/%s.idx", dir, p[i].name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s.pack", dir, p[i].name);
		unlink(path);
	}
	sync_path(dir, O_RDONLY | O_DIRECTORY);
	rc = 1;
done:
	git_packbuilder_free(m.pb);
	git_odb_free(m.odb);
	return rc;
}

/* Each fetch lists every ref of the repository to tell the remote what it has (libgit2's
 * negotiation): at the office, two per node (its up and its down), each a file of its own, so a
 * round of n nodes read n * 2n files. Packed into packed-refs, they are read from one file;
 * a ref moved since is one loose file again. */
static int refs_compress(git_repository *repo)
{
	git_refdb *refdb = NULL;
	int err = git_repository_refdb(&refdb, repo);

	if (err == 0)
		err = git_refdb_compress(refdb);
	git_refdb_free(refdb);
	return err;
}

int sync_repo_pack_refs(git_repository *repo)
{
	int rc = 0, err = refs_compress(repo);

	hearth_buf dir = HEARTH_BUF_INIT;
	DIR *d;
	struct dirent *e;

	/* a packed-refs.lock left by a hearth killed while packing would refuse every later round */
	if (err == GIT_ELOCKED) {
		sync_lock_remove_stale(repo, "packed-refs");
		err = refs_compress(repo);
	}
	if (err < 0)
		rc = sync_git_fail(HEARTH_ERROR, _("cannot pack the repository's refs"));
	/* the folders the refs were in stay behind, and a listing still opens each: the empty
	 * ones go (a folder that still holds a ref is not removed) */
	if (rc == 0 && hearth_buf_printf(&dir, "%srefs/nodes", git_repository_path(repo)) == 0 &&
	    (d = opendir(dir.ptr))) {
		size_t len = dir.size;

		while ((e = readdir(d)))
			if (e->d_name[0] != '.' && hearth_buf_printf(&dir, "/%s", e->d_name) == 0) {
				rmdir(dir.ptr);
				dir.size = len;
				dir.ptr[len] = '\0';
			}
		closedir(d);
	}
	hearth_buf_dispose(&dir);
	return rc;
}

int sync_repo_tidy(git_repository **repo)
{
	pack_file *p = NULL;
	size_t n = 0, split;
	hearth_buf dir = HEARTH_BUF_INIT, root = HEARTH_BUF_INIT;
	int rc = 0;

	if (hearth_buf_printf(&dir, "%sobjects/pack", git_repository_path(*repo)) < 0 ||
	    packs_list(&p, &n, dir.ptr) < 0) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	if (n <= SYNC_PACKS_MAX || !(split = packs_split(p, n)))
		goto done;
	/* a merge that fails leaves every pack as it was: the repository reads as before, and the
	 * next fetch tries again */
	if (packs_merge(*repo, dir.ptr, p, split) <= 0) {
		git_error_clear();
		goto done;
	}
	/* libgit2 keeps the removed packs in its list: open the repository again */
	if ((rc = hearth_buf_puts(&root, git_repository_path(*repo))) < 0)
		goto done;
	git_repository_free(*repo);
	*repo = NULL;
	if (git_repository_open_bare(repo, root.ptr) < 0)
		rc = sync_git_fail(HEARTH_ERROR, _("cannot open the node's repository"));
done:
	packs_free(p, n);
	hearth_buf_dispose(&dir);
	hearth_buf_dispose(&root);
	return rc;
}
