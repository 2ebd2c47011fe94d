/*
 * Remotes as the user names them: adding one or correcting its URL (a relative path stored
 * absolute, a USB stick's repository created on request, a folder that can never work refused
 * at once), and the check that a remote's repository is this node's before anything moves.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync_int.h"
#include "core/i18n.h"

#define PROBE_UP "refs/hearth/probe/up"
#define PROBE_DOWN "refs/hearth/probe/down"

/* Append `rel` to `out` (an absolute folder) component by component: "." is dropped, ".." goes
 * up one, repeated slashes are one. */
static int path_join(hearth_buf *out, const char *rel)
{
	const char *p = rel;
	int rc = 0;

	while (rc == 0 && *p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *last = strrchr(out->ptr, '/');
			if (last) {
				out->size = last == out->ptr ? 1 : (size_t)(last - out->ptr);
				out->ptr[out->size] = '\0';
			}
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (out->size == 0 || out->ptr[out->size - 1] != '/')
				rc = hearth_buf_putc(out, '/');
			if (rc == 0)
				rc = hearth_buf_put(out, p, n);
		}
		p += n;
		p += strspn(p, "/");
	}
	return rc;
}

/* The URL as stored: a relative path is made absolute against the current folder (the one the
 * command was run from), so a later sync run from elsewhere finds the same repository. */
static int url_absolute(hearth_buf *out, const char *url)
{
	const char *path = hearth_transport_local_path(url);
	char cwd[4096];

	if (!path || path != url || url[0] == '/')
		return hearth_buf_puts(out, url);
	if (!getcwd(cwd, sizeof(cwd)))
		return hearth_error_set(HEARTH_ERROR, _("cannot read the current folder: %s"),
			strerror(errno));
	if (hearth_buf_puts(out, cwd) < 0 || path_join(out, url) < 0)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	return 0;
}

static int remote_exists(sqlite3 *h, const char *name, int *found)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*found = 0;
	if ((rc = hearth_sql_prepare(&st, h, "SELECT 1 FROM hearth_remote WHERE name = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	*found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return 0;
}

int hearth_remote_set(hearth_db *db, const char *name, const char *url, unsigned flags,
	hearth_buf *stored)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	hearth_buf abs = HEARTH_BUF_INIT;
	int replace = (flags & HEARTH_REMOTE_REPLACE) != 0, found, rc;

	if ((rc = hearth_id_check("remote name", name)) < 0)
		return rc;
	if (!url || !*url || strchr(url, '\n'))
		return hearth_error_set(HEARTH_EUSAGE, _("remote '%s' needs a URL"), name);
	if ((rc = hearth_url_check(url)) < 0 || (rc = url_absolute(&abs, url)) < 0 ||
	    (rc = remote_exists(h, name, &found)) < 0)
		goto done;
	/* the names are checked before anything is created on disk */
	if (found && !replace) {
		rc = hearth_error_set(HEARTH_ECONFLICT,
			_("remote '%s' exists already: 'hearth remote set-url %s URL' changes it"), name,
			name);
		goto done;
	}
	if (!found && replace) {
		rc = hearth_error_set(HEARTH_ENOTFOUND, _("no remote '%s' (see 'hearth remote list')"),
			name);
		goto done;
	}
	/* nothing there yet is fine (a USB stick not plugged in); what can never work is not */
	rc = hearth_transport_local_check(abs.ptr, (flags & HEARTH_REMOTE_INIT) != 0);
	if (rc < 0 && rc != HEARTH_ENET)
		goto done;
	hearth_error_clear();
	/* a new URL starts a new history of outcomes: the old URL's error is not this one's */
	if ((rc = hearth_sql_prepare(&st, h,
		     replace ? "UPDATE hearth_remote SET url = ?2, last_error = NULL, "
			       "last_error_ms = NULL WHERE name = ?1"
			     : "INSERT INTO hearth_remote (name, url) VALUES (?1, ?2)")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, abs.ptr, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(h, HEARTH_ERROR, _("cannot save remote"));
	else if (stored)
		rc = hearth_buf_puts(stored, abs.ptr);
done:
	sqlite3_finalize(st);
	hearth_buf_dispose(&abs);
	return rc;
}

int hearth_remote_add(hearth_db *db, const char *name, const char *url)
{
	return hearth_remote_set(db, name, url, 0, NULL);
}

/* The node a branch's newest commit was written for; "" when the branch is absent or its tip
 * is not a hearth commit (the sync that follows says what is wrong with it). */
static int tip_node(char *node, size_t size, int *is_down, git_repository *repo, const char *ref)
{
	git_commit *c = NULL;
	sync_message m;
	git_oid id;
	const char *msg;

	node[0] = '\0';
	if (sync_ref_get(&id, repo, ref) < 0 || git_commit_lookup(&c, repo, &id) < 0)
		return 0;
	msg = git_commit_message(c);
	if (sync_message_parse(&m, msg, strlen(msg)) == 0) {
		snprintf(node, size, "%s", m.node);
		*is_down = m.is_down;
		sync_message_dispose(&m);
	}
	git_commit_free(c);
	return 0;
}

static void probe_refs_remove(git_repository *repo)
{
	git_reference_remove(repo, PROBE_UP);
	git_reference_remove(repo, PROBE_DOWN);
}

/*
 * Before a node pulls or pushes through a local remote, the remote's branches are fetched aside
 * and their newest commits read: a repository whose commits name another node (the wrong USB
 * stick) is refused before anything is applied, sent or remembered, so correcting the URL is
 * all it takes. A local fetch of what is mostly there already costs nothing measurable; over
 * the network it would be one more connection per sync (+70 ms a sync against a git daemon on
 * 127.0.0.1), and there each node's repository is guarded by the host's access control.
 */
int sync_remote_owner_check(hearth_db *db, git_repository *repo, const sync_remote *r,
	const hearth_sync_opts *opts)
{
	const char *specs[] = { "+refs/heads/up:" PROBE_UP, "+refs/heads/down:" PROBE_DOWN };
	const char *refs[] = { PROBE_UP, PROBE_DOWN };
	const char *me = hearth_db_node(db);
	hearth_transport_opts topts;
	char node[HEARTH_ID_MAX + 1];
	int i, is_down = 0, rc;

	if (!hearth_transport_local_path(r->url))
		return 0;
	probe_refs_remove(repo);
	sync_transport_opts(&topts, opts, db);
	if ((rc = hearth_transport_fetch(repo, r->url, specs, 2, &topts)) < 0) {
		sync_remote_record(db, r->name, 0, hearth_error_last());
		return rc;
	}
	for (i = 0; rc == 0 && i < 2; i++) {
		tip_node(node, sizeof(node), &is_down, repo, refs[i]);
		if (node[0] && strcmp(node, me) != 0)
			rc = hearth_error_set(HEARTH_ECONFLICT,
				_("remote '%s' holds the repository of node '%s', not of '%s': nothing "
				"was sent; point it at this node's with 'hearth remote set-url %s URL'"),
				r->name, node, me, r->name);
	}
	probe_refs_remove(repo);
	if (rc < 0)
		sync_remote_record(db, r->name, 0, hearth_error_last());
	return rc;
}

/* A local remote whose folder is not there right now: a USB stick not plugged in. */
static int remote_absent(const sync_remote *r)
{
	const char *path = hearth_transport_local_path(r->url);
	struct stat st;

	return path && stat(path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR);
}

/*
 * A stick that is not plugged in is no failure of the daily sync: syncing every remote, the
 * local ones whose folder is missing are dropped from `r` and counted in *skipped, nothing
 * recorded for them. A remote named alone (`only`) is refused instead, before anything moves.
 */
int sync_remotes_present(sync_remote *r, int *n, const char *only, int *skipped)
{
	int i, kept = 0;

	for (i = 0; i < *n; i++) {
		if (!remote_absent(&r[i])) {
			r[kept++] = r[i];
			continue;
		}
		if (only)
			return hearth_error_set(HEARTH_ENOTFOUND,
				_("remote '%s': the folder %s is not there (is the USB stick plugged "
				  "in?); nothing was synced"),
				r[i].name, hearth_transport_local_path(r[i].url));
		(*skipped)++;
		free(r[i].name);
		free(r[i].url);
	}
	*n = kept;
	return 0;
}
