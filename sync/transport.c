/*
 * Fetch and push over any git remote with libgit2: a path or file:// URL (a bare repository on a
 * USB stick), git://, ssh:// and scp-like user@host:path, http(s)://.
 *
 * Each call uses an anonymous in-memory remote, so nothing is written to the repository's config.
 * Both directions connect once, list the remote's refs, decide what to transfer from that list
 * and transfer over the same connection:
 * - fetch skips refspecs whose source the remote does not have (a node that has not written yet
 *   has no `up`): not an error, and the local destination is left as it is;
 * - push skips refs the remote already has (re-running a push that completed sends nothing) and
 *   refuses a non-fast-forward itself, naming the ref, before any object is sent.
 */
#include "sync_int.h"

#include "hearth_internal.h"
#include "core/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- messages ----------------------------------------------------------------------------- */

int hearth_url_check(const char *url)
{
	static const char *const schemes[] = { "file", "git", "ssh", "http", "https" };
	const char *sep = strstr(url, "://"), *host, *end, *colon, *p;
	size_t i, n;
	long port = 0;

	for (p = url; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return hearth_error_set(HEARTH_EUSAGE, _("remote URL has a control character"));
	if (!*url)
		return hearth_error_set(HEARTH_EUSAGE, _("remote URL is empty"));
	/* git's TRANSPORT::ADDRESS runs a remote helper (ext:: runs any command): never ours */
	n = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	if (n > 0 && strncmp(url + n, "::", 2) == 0)
		return hearth_error_set(HEARTH_EUSAGE,
			_("remote URL: '%.*s::' is not a transport hearth uses (use file, git, ssh, "
			"http, https or a path)"),
			(int)(n > 20 ? 20 : n), url);
	if (!sep)
		return 0; /* a path, or scp-like user@host:path: git's own syntax */
	n = (size_t)(sep - url);
	for (i = 0; i < sizeof(schemes) / sizeof(*schemes); i++)
		if (strlen(schemes[i]) == n && strncmp(url, schemes[i], n) == 0)
			break;
	if (i == sizeof(schemes) / sizeof(*schemes))
		return hearth_error_set(HEARTH_EUSAGE,
			_("remote URL: unknown scheme '%.*s' (use file, git, ssh, http, https or a path)"),
			(int)(n > 20 ? 20 : n), url);
	host = sep + 3;
	if (i == 0)
		return *host ? 0 : hearth_error_set(HEARTH_EUSAGE, _("remote URL has no path"));
	end = host + strcspn(host, "/");
	if ((p = memchr(host, '@', (size_t)(end - host))))
		host = p + 1; /* user[:password]@ */
	colon = host < end && *host == '[' ? memchr(host, ']', (size_t)(end - host)) : host;
	colon = colon ? memchr(colon, ':', (size_t)(end - colon)) : NULL;
	if ((colon ? colon : end) == host)
		return hearth_error_set(HEARTH_EUSAGE, _("remote URL has no host"));
	if (colon) {
		for (p = colon + 1; p < end && *p >= '0' && *p <= '9' && port <= 65535; p++)
			port = port * 10 + (*p - '0');
		if (p != end || port < 1 || port > 65535)
			return hearth_error_set(HEARTH_EUSAGE,
				_("remote URL: the port must be a number from 1 to 65535"));
	}
	if (!*end || !end[1])
		return hearth_error_set(HEARTH_EUSAGE, _("remote URL has no path after the host"));
	return 0;
}

/* The URL as it may appear in a message: without a password. */
void sync_url_redact(char *out, size_t size, const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *host, *at, *colon, *slash;

	snprintf(out, size, "%s", url);
	if (!scheme)
		return;
	host = scheme + 3;
	slash = strchr(host, '/');
	at = memchr(host, '@', slash ? (size_t)(slash - host) : strlen(host));
	if (!at)
		return;
	colon = memchr(host, ':', (size_t)(at - host));
	if (!colon)
		return;
	snprintf(out, size, "%.*s%s", (int)(colon - url), url, at);
}

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/*
 * libgit2's message on one line in hearth's voice: whitespace runs (newlines from a server's
 * answer included) become one space, no trailing full stop, and a capitalised word opening the
 * message or a ": " part is lower-cased ("Connection refused"), leaving acronyms ("SSL") alone.
 */
static void condense(char *out, size_t size, const char *msg)
{
	size_t n = 0;
	int space = 0;

	if (!msg || !*msg)
		msg = "unknown error";
	for (; *msg && n + 2 < size; msg++) {
		char c = *msg;

		if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
			space = n > 0;
			continue;
		}
		if ((unsigned char)c < 0x20 || c == 0x7f)
			c = '?';
		if (space) {
			out[n++] = ' ';
			space = 0;
		}
		if ((n == 0 || (n >= 2 && out[n - 1] == ' ' && out[n - 2] == ':')) && is_upper(c) &&
			is_lower(msg[1]))
			c = (char)(c - 'A' + 'a');
		out[n++] = c;
	}
	while (n > 0 && (out[n - 1] == '.' || out[n - 1] == ' '))
		n--;
	out[n] = '\0';
}

void sync_git_message(char *out, size_t size)
{
	const git_error *e = git_error_last();

	condense(out, size, e ? e->message : NULL);
}

/* The remote could not be reached, refused us, or answered something that is not git. */
int sync_transport_fail_net(const sync_transfer *t, const char *url, int gitrc)
{
	char where[SYNC_MSG_MAX], why[SYNC_MSG_MAX];

	sync_url_redact(where, sizeof(where), url);
	if (t->auth_failure[0] || gitrc == GIT_EAUTH) {
		if (t->auth_failure[0])
			snprintf(why, sizeof(why), "%s", t->auth_failure);
		else
			sync_git_message(why, sizeof(why));
		return hearth_error_set(HEARTH_ENET,
			_("cannot reach '%s': authentication failed: %s (check the ssh key, "
			"ssh-agent or git credential helper)"),
			where, why);
	}
	sync_git_message(why, sizeof(why));
	/* retrying does not help a host key that is unknown or changed: somebody has to look */
	if (strstr(why, "hostkey") || strstr(why, "host key") || strstr(why, "known_hosts"))
		return hearth_error_set(HEARTH_ENET,
			_("cannot reach '%s': %s (the server's ssh host key is not the one in "
			"~/.ssh/known_hosts: verify it with the server's keeper, then add it)"),
			where, why);
	return hearth_error_set(HEARTH_ENET, _("cannot reach '%s': %s (will retry on next sync)"),
		where, why);
}

/* ---- callbacks ---------------------------------------------------------------------------- */

static int fetch_progress(const git_indexer_progress *stats, void *payload)
{
	sync_transfer *t = payload;

	if (t->opts && t->opts->progress)
		t->opts->progress(t->phase, stats->received_objects, stats->total_objects,
			t->opts->payload);
	return 0;
}

static int push_progress(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	sync_transfer *t = payload;

	(void)bytes;
	if (t->opts && t->opts->progress)
		t->opts->progress(t->phase, current, total, t->opts->payload);
	return 0;
}

static int push_status(const char *refname, const char *status, void *payload)
{
	sync_transfer *t = payload;

	if (status && !t->rejected_ref[0]) {
		snprintf(t->rejected_ref, sizeof(t->rejected_ref), "%s", refname);
		condense(t->rejected_status, sizeof(t->rejected_status), status);
	}
	return 0;
}

static void callbacks_init(git_remote_callbacks *cb, sync_transfer *t)
{
	cb->credentials = sync_transport_credentials;
	cb->transfer_progress = fetch_progress;
	cb->push_transfer_progress = push_progress;
	cb->push_update_reference = push_status;
	cb->payload = t;
}

/* ---- SIGPIPE ------------------------------------------------------------------------------ */

/*
 * A connection cut half-way makes libgit2's next write raise SIGPIPE, which kills the process by
 * default. The library must not die nor change the application's signal dispositions, so SIGPIPE
 * is blocked for the calling thread during a transfer (the signal of a failed write goes to the
 * thread that wrote; the write then fails with EPIPE), and one we raised is consumed before the
 * mask is restored.
 */
typedef struct {
	sigset_t old;
	int was_pending;
} sigpipe_guard;

static void sigpipe_block(sigpipe_guard *g)
{
	sigset_t pipe_set, pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigemptyset(&pending);
	sigpending(&pending);
	g->was_pending = sigismember(&pending, SIGPIPE) == 1;
	pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old);
}

static void sigpipe_restore(sigpipe_guard *g)
{
	sigset_t pipe_set, pending;
	struct timespec zero = { 0, 0 };

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigemptyset(&pending);
	sigpending(&pending);
	if (!g->was_pending && sigismember(&pending, SIGPIPE) == 1)
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* ---- shared steps ------------------------------------------------------------------------- */

/*
 * An in-memory remote for `url` alone: no config is written, and no insteadOf rewriting is
 * applied, so the URL used is the URL the messages name.
 */
static int remote_open(git_remote **out, git_repository *repo, const char *url)
{
	git_remote_create_options o;
	char where[SYNC_MSG_MAX], why[SYNC_MSG_MAX];

	git_remote_create_options_init(&o, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	o.repository = repo;
	o.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if (url && *url && git_remote_create_with_opts(out, url, &o) == 0)
		return 0;
	sync_url_redact(where, sizeof(where), url ? url : "");
	sync_git_message(why, sizeof(why));
	return hearth_error_set(HEARTH_EUSAGE, _("invalid remote url '%s': %s"), where, why);
}

const char *hearth_transport_local_path(const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');

	if (strncmp(url, "file://", 7) == 0)
		return url + 7;
	if (!strstr(url, "://") && (!colon || (slash && slash < colon)))
		return url;
	return NULL;
}

static int folder_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return 0;
	while (empty && (e = readdir(d)))
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* A bare repository at `path`: 1, a repository with a working folder: 0, none: -1, one that
 * cannot be opened (another owner, damaged): -2 with git's reason in `why`. */
static int repository_bare(const char *path, char *why, size_t size)
{
	git_repository *repo = NULL;
	int bare = -1, err;

	git_libgit2_init();
	err = git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (err == 0)
		bare = git_repository_is_bare(repo) ? 1 : 0;
	else if (err != GIT_ENOTFOUND) {
		sync_git_message(why, size);
		bare = -2;
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	return bare;
}

static int repository_create(const char *path, const char *where)
{
	git_repository *repo = NULL;
	char why[SYNC_MSG_MAX];

	git_libgit2_init();
	if (git_repository_init(&repo, path, 1) < 0) {
		sync_git_message(why, sizeof(why));
		git_libgit2_shutdown();
		return hearth_error_set(HEARTH_ERROR, _("cannot create a repository at '%s': %s"),
			where, why);
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	return 0;
}

/*
 * A path whose folder is not there (a USB stick not plugged in) is a remote that cannot be
 * reached, worth retrying; anything else there that is not a bare repository never will be,
 * however often the sync is run, so it is an error with what to do.
 */
int hearth_transport_local_check(const char *url, int create)
{
	const char *path = hearth_transport_local_path(url);
	char where[SYNC_MSG_MAX], why[SYNC_MSG_MAX];
	struct stat st;
	int bare;

	if (!path)
		return 0;
	sync_url_redact(where, sizeof(where), url);
	if (stat(path, &st) != 0) {
		if (create)
			return repository_create(path, where);
		return hearth_error_set(HEARTH_ENET,
			_("cannot reach '%s': no such folder (will retry on next sync)"), where);
	}
	if (S_ISDIR(st.st_mode) && folder_is_empty(path)) {
		if (create)
			return repository_create(path, where);
		return hearth_error_set(HEARTH_ERROR,
			_("'%s' is an empty folder, not a repository: 'hearth remote set-url NAME URL "
			"--init' creates one there"),
			where);
	}
	if (!S_ISDIR(st.st_mode))
		return hearth_error_set(HEARTH_ERROR, _("'%s' is a file, not a repository"), where);
	if ((bare = repository_bare(path, why, sizeof(why))) == 1)
		return 0;
	if (bare == -2)
		return hearth_error_set(HEARTH_ERROR, _("cannot open the repository at '%s': %s"),
			where, why);
	if (bare == 0)
		return hearth_error_set(HEARTH_ERROR,
			_("'%s' is a git repository with a working folder: hearth needs a bare "
			"repository (give a new or empty folder with --init)"),
			where);
	return hearth_error_set(HEARTH_ERROR,
		_("'%s' is a folder with other files in it, not a repository: give a new or empty "
		"folder with --init, or a bare repository"),
		where);
}

/* Create the remote and connect it for `dir`; HEARTH_ENET if it cannot be reached. */
static int remote_connect(git_remote **out, sync_transfer *t, git_repository *repo, const char *url,
	git_direction dir, const git_remote_callbacks *cb)
{
	int rc, grc;

	if ((rc = remote_open(out, repo, url)) < 0)
		return rc;
	if ((rc = hearth_transport_local_check(url, 0)) < 0)
		return rc;
	if ((grc = git_remote_connect(*out, dir, cb, NULL, NULL)) < 0)
		return sync_transport_fail_net(t, url, grc);
	return 0;
}

static int refspecs_check(const char **refspecs, size_t n, int is_fetch)
{
	for (size_t i = 0; i < n; i++) {
		git_refspec *spec = NULL;

		if (!refspecs[i] || git_refspec_parse(&spec, refspecs[i], is_fetch) < 0)
			return hearth_error_set(HEARTH_EUSAGE, _("invalid %s refspec '%s'"),
				is_fetch ? "fetch" : "push", refspecs[i] ? refspecs[i] : "(null)");
		git_refspec_free(spec);
	}
	return 0;
}

const git_remote_head *sync_remote_head_find(const git_remote_head **heads, size_t nheads,
	const char *name)
{
	for (size_t i = 0; i < nheads; i++)
		if (strcmp(heads[i]->name, name) == 0)
			return heads[i];
	return NULL;
}

/* Does the remote have what the fetch refspec asks for? Patterns and short names are left to
 * libgit2 (it matches them against the same list); full ref names must be listed. */
static int fetch_source_present(const git_refspec *spec, const git_remote_head **heads,
	size_t nheads)
{
	const char *src = git_refspec_src(spec);

	if (strchr(src, '*') || strncmp(src, "refs/", 5) != 0)
		return 1;
	return sync_remote_head_find(heads, nheads, src) != NULL;
}

int sync_push_conflict(const char *ref, const char *url, const char *why)
{
	char where[SYNC_MSG_MAX];

	sync_url_redact(where, sizeof(where), url);
	return hearth_error_set(HEARTH_ECONFLICT, _("cannot push '%s' to '%s': %s"), ref, where, why);
}

/* ---- fetch -------------------------------------------------------------------------------- */

/* One fetch or push in progress: the connection, the heads the remote listed, and the refspecs
 * that will travel (room for all of them). */
typedef struct {
	sync_transfer t;
	git_remote *remote;
	const git_remote_head **heads;
	size_t nheads;
	git_strarray refs;
} transfer_conn;

/* The start of every fetch and push: check the refspecs, connect to `url`, list its heads. On
 * failure what was opened is left for transfer_close(). */
static int transfer_open(transfer_conn *c, git_repository *repo, const char *url,
	const char **refspecs, size_t n, int fetch, const git_remote_callbacks *callbacks)
{
	int rc, grc;

	if ((rc = refspecs_check(refspecs, n, fetch)) < 0 ||
	    (rc = remote_connect(&c->remote, &c->t, repo, url,
		     fetch ? GIT_DIRECTION_FETCH : GIT_DIRECTION_PUSH, callbacks)) < 0)
		return rc;
	if ((grc = git_remote_ls(&c->heads, &c->nheads, c->remote)) < 0)
		return sync_transport_fail_net(&c->t, url, grc);
	if (!(c->refs.strings = calloc(n ? n : 1, sizeof(char *))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	return 0;
}

static void transfer_close(transfer_conn *c)
{
	free(c->refs.strings);
	git_remote_free(c->remote);
}

static int fetch_run(git_repository *repo, const char *url, const char **refspecs, size_t n,
	const hearth_transport_opts *opts)
{
	transfer_conn c = { .t = { .opts = opts, .phase = "fetch" } };
	git_fetch_options fo;
	char path[PATH_MAX];
	int rc, grc;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	callbacks_init(&fo.callbacks, &c.t);
	fo.prune = GIT_FETCH_NO_PRUNE;
	fo.update_fetchhead = 0;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	if ((rc = transfer_open(&c, repo, url, refspecs, n, 1, &fo.callbacks)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		git_refspec *spec = NULL;

		if (git_refspec_parse(&spec, refspecs[i], 1) < 0) {
			rc = hearth_error_set(HEARTH_EUSAGE, _("invalid fetch refspec '%s'"),
				refspecs[i]);
			goto done;
		}
		if (fetch_source_present(spec, c.heads, c.nheads))
			c.refs.strings[c.refs.count++] = (char *)refspecs[i];
		git_refspec_free(spec);
	}
	/* nothing the remote has: done (an empty list would mean the remote's configured specs) */
	if (c.refs.count == 0)
		goto done;
	if (sync_local_path(path, sizeof(path), url) && sync_local_specs_plain(refspecs, n, 1)) {
		rc = sync_local_fetch(repo, path, url, &c.refs, c.heads, c.nheads, &c.t);
		goto done;
	}
	if ((grc = git_remote_download(c.remote, &c.refs, &fo)) < 0) {
		rc = sync_transport_fail_net(&c.t, url, grc);
		goto done;
	}
	if (git_remote_update_tips(c.remote, &fo.callbacks, 0, GIT_REMOTE_DOWNLOAD_TAGS_NONE,
		    "hearth: fetch") < 0) {
		char where[SYNC_MSG_MAX], why[SYNC_MSG_MAX];

		sync_url_redact(where, sizeof(where), url);
		sync_git_message(why, sizeof(why));
		rc = hearth_error_set(HEARTH_ERROR, _("cannot update refs fetched from '%s': %s"),
			where, why);
		goto done;
	}
done:
	transfer_close(&c);
	return rc;
}

/* ---- push --------------------------------------------------------------------------------- */

/* 1 if `remote_id` is `local_id` or an ancestor of it that we have. */
static int fast_forward(git_repository *repo, const git_oid *local_id, const git_oid *remote_id)
{
	git_odb *odb = NULL;
	int have;

	if (git_oid_equal(local_id, remote_id))
		return 1;
	if (git_repository_odb(&odb, repo) < 0)
		return 0;
	have = git_odb_exists(odb, remote_id);
	git_odb_free(odb);
	/* a remote tip we do not have holds commits we do not have */
	return have && git_graph_descendant_of(repo, local_id, remote_id) == 1;
}

/*
 * Decide for one push refspec against the remote's refs: 1 to send it, 0 if the remote already
 * has it, or an error (ECONFLICT for a non-fast-forward, ENOTFOUND for a missing local ref).
 */
static int push_plan_one(git_repository *repo, const char *url, const char *refspec,
	const git_remote_head **heads, size_t nheads)
{
	git_refspec *spec = NULL;
	const git_remote_head *theirs;
	const char *src, *dst;
	git_oid ours;
	int rc;

	if (git_refspec_parse(&spec, refspec, 0) < 0)
		return hearth_error_set(HEARTH_EUSAGE, _("invalid push refspec '%s'"), refspec);
	src = git_refspec_src(spec);
	dst = git_refspec_dst(spec);
	if (!dst || !*dst)
		dst = src;
	theirs = sync_remote_head_find(heads, nheads, dst);
	if (!src || !*src) {
		/* a deletion: only if there is something to delete */
		rc = theirs != NULL;
		goto done;
	}
	if (git_reference_name_to_id(&ours, repo, src) < 0) {
		rc = hearth_error_set(HEARTH_ENOTFOUND, _("cannot push '%s': no such ref here"), src);
		goto done;
	}
	if (!theirs)
		rc = 1;
	else if (git_oid_equal(&ours, &theirs->oid))
		rc = 0;
	else if (git_refspec_force(spec) || fast_forward(repo, &ours, &theirs->oid))
		rc = 1;
	else
		rc = sync_push_conflict(dst, url, SYNC_NOT_FAST_FORWARD);
done:
	git_refspec_free(spec);
	return rc;
}

/* The destination of push refspec `refspec` for a message ("the refs" for several, NULL). */
static void refspec_dst(char *out, size_t size, const char *refspec)
{
	git_refspec *spec = NULL;

	snprintf(out, size, "the refs");
	if (refspec && git_refspec_parse(&spec, refspec, 0) == 0)
		snprintf(out, size, "%s", git_refspec_dst(spec) ? git_refspec_dst(spec) : refspec);
	git_refspec_free(spec);
}

static int push_run(git_repository *repo, const char *url, const char **refspecs, size_t n,
	const hearth_transport_opts *opts)
{
	transfer_conn c = { .t = { .opts = opts, .phase = "push" } };
	git_push_options po;
	char path[PATH_MAX];
	int rc, grc;

	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	callbacks_init(&po.callbacks, &c.t);
	if ((rc = transfer_open(&c, repo, url, refspecs, n, 0, &po.callbacks)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		if ((rc = push_plan_one(repo, url, refspecs[i], c.heads, c.nheads)) < 0)
			goto done;
		if (rc == 1)
			c.refs.strings[c.refs.count++] = (char *)refspecs[i];
	}
	rc = 0;
	/* everything is there already: a completed push re-run sends nothing */
	if (c.refs.count == 0)
		goto done;
	if (sync_local_path(path, sizeof(path), url) && sync_local_specs_plain(refspecs, n, 0) &&
	    sync_local_bare(path)) {
		rc = sync_local_push(repo, path, url, &c.refs, c.heads, c.nheads, &c.t);
		goto done;
	}
	grc = git_remote_upload(c.remote, &c.refs, &po);
	if (grc == GIT_ENONFASTFORWARD) {
		/* the remote moved between our listing and the push */
		char ref[256];

		refspec_dst(ref, sizeof(ref), c.refs.count == 1 ? c.refs.strings[0] : NULL);
		rc = sync_push_conflict(ref, url, SYNC_NOT_FAST_FORWARD);
		goto done;
	}
	if (grc < 0) {
		rc = sync_transport_fail_net(&c.t, url, grc);
		goto done;
	}
	if (c.t.rejected_ref[0]) {
		const char *s = c.t.rejected_status;
		char where[SYNC_MSG_MAX];

		if (strstr(s, "fast-forward") || strstr(s, "fetch first") || strstr(s, "stale")) {
			rc = sync_push_conflict(c.t.rejected_ref, url, s);
			goto done;
		}
		sync_url_redact(where, sizeof(where), url);
		rc = hearth_error_set(HEARTH_ERROR,
			_("cannot push '%s' to '%s': the remote refused it (%s)"), c.t.rejected_ref,
			where, s);
		goto done;
	}
done:
	transfer_close(&c);
	return rc;
}

/* ---- the API ------------------------------------------------------------------------------ */

static int remove_stale_lock(const char *root);

int hearth_transport_fetch(git_repository *repo, const char *url, const char **refspecs,
	size_t n, const hearth_transport_opts *opts)
{
	sigpipe_guard g;
	int rc;

	sigpipe_block(&g);
	rc = fetch_run(repo, url, refspecs, n, opts);
	/* a fetch killed while it moved a ref of our own repository left its lock: only hearth
	 * writes this repository, so the lock is stale */
	if (rc < 0 && remove_stale_lock(git_repository_path(repo)))
		rc = fetch_run(repo, url, refspecs, n, opts);
	sigpipe_restore(&g);
	return rc;
}

/*
 * A push into a local repository (a USB stick) that was killed or unplugged half-way leaves the
 * remote's ref lock behind ("failed to lock file '<ref>.lock'"), and every later push would fail
 * on it. Only hearth writes a node's repository, so the lock is stale: remove it, once, and try
 * again. Servers (git://, ssh, https) clean up their own locks.
 */
/* Remove the lock named in the last error if it lies inside `root`; 1 if one was removed. */
static int remove_stale_lock(const char *root)
{
	const char *msg = hearth_error_last(), *start, *end;
	char path[PATH_MAX];
	size_t len;

	if (!(start = strstr(msg, "failed to lock file '")))
		return 0;
	start += strlen("failed to lock file '");
	if (!(end = strstr(start, ".lock'")))
		return 0;
	len = (size_t)(end - start) + strlen(".lock");
	if (len >= sizeof(path))
		return 0;
	memcpy(path, start, len);
	path[len] = '\0';
	if (strncmp(path, root, strlen(root)) != 0 || strstr(path, "/../"))
		return 0;
	return unlink(path) == 0;
}

static int remove_stale_remote_lock(const char *url)
{
	if (strncmp(url, "file://", 7) == 0)
		return remove_stale_lock(strchr(url, ':') + 3);
	if (!strstr(url, "://") && url[0] == '/')
		return remove_stale_lock(url);
	return 0;
}

int hearth_transport_push(git_repository *repo, const char *url, const char **refspecs,
	size_t n, const hearth_transport_opts *opts)
{
	sigpipe_guard g;
	int rc;

	sigpipe_block(&g);
	rc = push_run(repo, url, refspecs, n, opts);
	if (rc < 0 && remove_stale_remote_lock(url))
		rc = push_run(repo, url, refspecs, n, opts);
	sigpipe_restore(&g);
	return rc;
}
