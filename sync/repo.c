/* The node's repository and its refs. */
#include <stdio.h>

#include "sync_int.h"
#include "core/i18n.h"

int sync_repo_open(git_repository **out, hearth_db *db)
{
	return sync_repo_open_dir(out, hearth_db_dir(db));
}

int sync_repo_open_dir(git_repository **out, const char *dir)
{
	hearth_buf path = HEARTH_BUF_INIT;
	int rc = 0;

	*out = NULL;
	if ((rc = hearth_buf_printf(&path, "%s/repo.git", dir)) < 0)
		return rc;
	if (git_repository_open_bare(out, path.ptr) < 0 &&
	    git_repository_init(out, path.ptr, 1) < 0)
		rc = sync_git_fail(HEARTH_ERROR, _("cannot open the node's repository"));
	hearth_buf_dispose(&path);
	return rc;
}

/* A `.lock` left by a hearth process that was killed while it held it would refuse every later
 * write of `name` (a ref, packed-refs): the repository is hearth's own (no other git works in
 * it) and its writes happen under the database's write lock or after it, so such a lock is
 * stale. Its caller removes it and tries once more. */
void sync_lock_remove_stale(git_repository *repo, const char *name)
{
	hearth_buf lock = HEARTH_BUF_INIT;

	if (hearth_buf_printf(&lock, "%s%s.lock", git_repository_path(repo), name) == 0)
		remove(lock.ptr);
	hearth_buf_dispose(&lock);
}

/* Point `ref` at `id`; a stale lock of the ref is removed and the move tried once more. */
int sync_ref_set(git_repository *repo, const char *ref, const git_oid *id)
{
	git_reference *r = NULL;
	int err = git_reference_create(&r, repo, ref, id, 1, "hearth");

	if (err == GIT_ELOCKED) {
		sync_lock_remove_stale(repo, ref);
		err = git_reference_create(&r, repo, ref, id, 1, "hearth");
	}
	if (err < 0)
		return sync_git_fail(HEARTH_ERROR, _("cannot move ref"));
	git_reference_free(r);
	return 0;
}

int sync_ref_get(git_oid *out, git_repository *repo, const char *ref)
{
	int err = git_reference_name_to_id(out, repo, ref);

	if (err == GIT_ENOTFOUND)
		return hearth_error_set(HEARTH_ENOTFOUND, _("no ref '%s'"), ref);
	if (err < 0)
		return sync_git_fail(HEARTH_ERROR, _("cannot read ref"));
	return 0;
}
