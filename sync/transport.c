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
#include "transport.h"

#include "hearth.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* How often the credential callback may be asked before giving up: libgit2 asks again after every
 * refused credential, so an unbounded answer would loop forever on a bad key. */
#define AUTH_CALLS_MAX 6
/* Bytes read back from `git credential fill` at most. */
#define CREDENTIAL_OUTPUT_MAX 65536
#define MSG_MAX 512
#define NOT_FAST_FORWARD "the remote has commits this repository does not (not a fast-forward)"

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
} transfer;

/* ---- messages ----------------------------------------------------------------------------- */

int hearth_url_check(const char *url)
{
	static const char *const schemes[] = { "file", "git", "ssh", "http", "https" };
	const char *sep = strstr(url, "://"), *host, *end, *colon, *p;
	size_t i, n;
	long port = 0;

	for (p = url; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return hearth_error_set(HEARTH_EUSAGE, "remote URL has a control character");
	if (!*url)
		return hearth_error_set(HEARTH_EUSAGE, "remote URL is empty");
	/* git's TRANSPORT::ADDRESS runs a remote helper (ext:: runs any command): never ours */
	n = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	if (n > 0 && strncmp(url + n, "::", 2) == 0)
		return hearth_error_set(HEARTH_EUSAGE,
			"remote URL: '%.*s::' is not a transport hearth uses (use file, git, ssh, "
			"http, https or a path)",
			(int)(n > 20 ? 20 : n), url);
	if (!sep)
		return 0; /* a path, or scp-like user@host:path: git's own syntax */
	n = (size_t)(sep - url);
	for (i = 0; i < sizeof(schemes) / sizeof(*schemes); i++)
		if (strlen(schemes[i]) == n && strncmp(url, schemes[i], n) == 0)
			break;
	if (i == sizeof(schemes) / sizeof(*schemes))
		return hearth_error_set(HEARTH_EUSAGE,
			"remote URL: unknown scheme '%.*s' (use file, git, ssh, http, https or a path)",
			(int)(n > 20 ? 20 : n), url);
	host = sep + 3;
	if (i == 0)
		return *host ? 0 : hearth_error_set(HEARTH_EUSAGE, "remote URL has no path");
	end = host + strcspn(host, "/");
	if ((p = memchr(host, '@', (size_t)(end - host))))
		host = p + 1; /* user[:password]@ */
	colon = host < end && *host == '[' ? memchr(host, ']', (size_t)(end - host)) : host;
	colon = colon ? memchr(colon, ':', (size_t)(end - colon)) : NULL;
	if ((colon ? colon : end) == host)
		return hearth_error_set(HEARTH_EUSAGE, "remote URL has no host");
	if (colon) {
		for (p = colon + 1; p < end && *p >= '0' && *p <= '9' && port <= 65535; p++)
			port = port * 10 + (*p - '0');
		if (p != end || port < 1 || port > 65535)
			return hearth_error_set(HEARTH_EUSAGE,
				"remote URL: the port must be a number from 1 to 65535");
	}
	if (!*end || !end[1])
		return hearth_error_set(HEARTH_EUSAGE, "remote URL has no path after the host");
	return 0;
}

/* The URL as it may appear in a message: without a password. */
static void url_redact(char *out, size_t size, const char *url)
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

static void git_message(char *out, size_t size)
{
	const git_error *e = git_error_last();

	condense(out, size, e ? e->message : NULL);
}

/* The remote could not be reached, refused us, or answered something that is not git. */
static int fail_net(const transfer *t, const char *url, int gitrc)
{
	char where[MSG_MAX], why[MSG_MAX];

	url_redact(where, sizeof(where), url);
	if (t->auth_failure[0] || gitrc == GIT_EAUTH) {
		if (t->auth_failure[0])
			snprintf(why, sizeof(why), "%s", t->auth_failure);
		else
			git_message(why, sizeof(why));
		return hearth_error_set(HEARTH_ENET,
			"cannot reach '%s': authentication failed: %s (check the ssh key, "
			"ssh-agent or git credential helper)",
			where, why);
	}
	git_message(why, sizeof(why));
	/* retrying does not help a host key that is unknown or changed: somebody has to look */
	if (strstr(why, "hostkey") || strstr(why, "host key") || strstr(why, "known_hosts"))
		return hearth_error_set(HEARTH_ENET,
			"cannot reach '%s': %s (the server's ssh host key is not the one in "
			"~/.ssh/known_hosts: verify it with the server's keeper, then add it)",
			where, why);
	return hearth_error_set(HEARTH_ENET, "cannot reach '%s': %s (will retry on next sync)",
		where, why);
}

/* ---- credentials -------------------------------------------------------------------------- */

static int give_up(transfer *t, const char *why)
{
	snprintf(t->auth_failure, sizeof(t->auth_failure), "%s", why);
	git_error_set_str(GIT_ERROR_NET, why);
	return GIT_EAUTH;
}

static const char *default_user(const char *from_url)
{
	const char *user = from_url && *from_url ? from_url : getenv("USER");

	return user && *user ? user : "git";
}

static int ssh_key_file(git_credential **out, const char *user, const char *key)
{
	char pub[4096];

	if (snprintf(pub, sizeof(pub), "%s.pub", key) >= (int)sizeof(pub) || access(pub, R_OK) != 0)
		return git_credential_ssh_key_new(out, user, NULL, key, NULL);
	return git_credential_ssh_key_new(out, user, pub, key, NULL);
}

/* An attribute value for `git credential`: a newline would start another attribute. */
static int credential_value_ok(const char *s)
{
	return strchr(s, '\n') == NULL;
}

/* The request for `git credential fill`: protocol, host[:port], path, username if known. */
static int credential_request(hearth_buf *out, const char *url, const char *user)
{
	const char *scheme_end = strstr(url, "://");
	const char *host, *host_end, *at, *path;

	if (!scheme_end)
		return -1;
	host = scheme_end + 3;
	host_end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(host_end - host));
	if (at)
		host = at + 1;
	path = *host_end == '/' ? host_end + 1 : host_end;
	if (!credential_value_ok(url))
		return -1;
	if (hearth_buf_printf(out, "protocol=%.*s\nhost=%.*s\n", (int)(scheme_end - url), url,
		    (int)(host_end - host), host) < 0)
		return -1;
	if (*path && *path != '?' && *path != '#' &&
		hearth_buf_printf(out, "path=%.*s\n", (int)strcspn(path, "?#"), path) < 0)
		return -1;
	if (user && *user && credential_value_ok(user) &&
		hearth_buf_printf(out, "username=%s\n", user) < 0)
		return -1;
	return hearth_buf_puts(out, "\n");
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

static int pipe_cloexec(int fds[2])
{
	if (pipe(fds) < 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

/* Run `git credential fill` with `request` on its stdin; its stdout into `reply`. */
static int run_credential_fill(hearth_buf *reply, const hearth_buf *request)
{
	char git[] = "git", credential[] = "credential", fill[] = "fill";
	char *argv[] = { git, credential, fill, NULL };
	posix_spawn_file_actions_t fa;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	int fa_ready = 0, status = -1, rc = -1;
	pid_t pid = -1;
	char chunk[4096];

	/* close-on-exec, or the child would hold its own stdin open and never see EOF */
	if (pipe_cloexec(in) < 0 || pipe_cloexec(out) < 0)
		goto done;
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto done;
	fa_ready = 1;
	if (posix_spawn_file_actions_adddup2(&fa, in[0], 0) != 0 ||
		posix_spawn_file_actions_adddup2(&fa, out[1], 1) != 0)
		goto done;
	if (posix_spawnp(&pid, "git", &fa, NULL, argv, environ) != 0) {
		pid = -1;
		goto done;
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	if (write_all(in[1], request->ptr, request->size) < 0)
		goto done;
	close(in[1]);
	in[1] = -1;
	for (;;) {
		ssize_t r = read(out[0], chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto done;
		if (r == 0)
			break;
		if (hearth_buf_put(reply, chunk, (size_t)r) < 0)
			goto done;
	}
	rc = 0;
done:
	explicit_bzero(chunk, sizeof(chunk));
	if (fa_ready)
		posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			rc = -1;
	}
	return rc;
}

/* Point `user` and `password` at their values in `git credential` output (cut in place). */
static void credential_parse(char *reply, char **user, char **password)
{
	*user = *password = NULL;
	for (char *line = reply; line && *line;) {
		char *next = strchr(line, '\n');

		if (next)
			*next++ = '\0';
		if (strncmp(line, "username=", 9) == 0)
			*user = line + 9;
		else if (strncmp(line, "password=", 9) == 0)
			*password = line + 9;
		line = next;
	}
}

/*
 * Ask git's credential helpers, as `git fetch` would. Nothing is kept: the reply is wiped as soon
 * as libgit2 holds its own copy, and neither `approve` nor `reject` is sent.
 */
static int credential_fill(git_credential **out, transfer *t, const char *url, const char *user)
{
	hearth_buf request = HEARTH_BUF_INIT, reply = HEARTH_BUF_INIT;
	char *username, *password;
	int rc;

	hearth_buf_init(&reply, CREDENTIAL_OUTPUT_MAX);
	/* room up front, so no realloc leaves a copy of the password behind */
	if (hearth_buf_grow(&reply, 4096) < 0 || credential_request(&request, url, user) < 0) {
		rc = give_up(t, "cannot ask the git credential helper about this url");
		goto done;
	}
	if (run_credential_fill(&reply, &request) < 0) {
		rc = give_up(t, "'git credential fill' gave no credentials");
		goto done;
	}
	credential_parse(reply.ptr, &username, &password);
	if (!password || !username) {
		rc = give_up(t, "the git credential helper gave no username and password");
		goto done;
	}
	rc = git_credential_userpass_plaintext_new(out, username, password);
done:
	explicit_bzero(reply.ptr, reply.size);
	hearth_buf_dispose(&reply);
	hearth_buf_dispose(&request);
	return rc;
}

static int is_http(const char *url)
{
	return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

/*
 * ssh: the agent first, then the configured key file, then give up. https: the credential
 * helper once; if the server refuses what it gave, give up. libgit2 calls again after every
 * refusal, hence the counters.
 */
static int credentials(git_credential **out, const char *url, const char *user_from_url,
	unsigned int allowed, void *payload)
{
	transfer *t = payload;
	const char *user = default_user(user_from_url);

	*out = NULL;
	if (++t->auth_calls > AUTH_CALLS_MAX)
		return give_up(t, "too many authentication attempts");
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user);
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		if (!t->agent_tried && getenv("SSH_AUTH_SOCK")) {
			t->agent_tried = 1;
			return git_credential_ssh_key_from_agent(out, user);
		}
		t->agent_tried = 1;
		if (!t->key_tried && t->opts && t->opts->ssh_key) {
			t->key_tried = 1;
			return ssh_key_file(out, user, t->opts->ssh_key);
		}
		if (t->opts && t->opts->ssh_key)
			return give_up(t,
				"the server refused the ssh-agent's keys and the key file");
		return give_up(t, "the server refused the ssh-agent's keys and no key file is set");
	}
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && is_http(url)) {
		if (t->helper_tried)
			return give_up(t,
				"the server refused the git credential helper's password");
		t->helper_tried = 1;
		return credential_fill(out, t, url, user_from_url);
	}
	return give_up(t, "the server asks for a kind of credential hearth does not offer");
}

/* ---- callbacks ---------------------------------------------------------------------------- */

static int fetch_progress(const git_indexer_progress *stats, void *payload)
{
	transfer *t = payload;

	if (t->opts && t->opts->progress)
		t->opts->progress(t->phase, stats->received_objects, stats->total_objects,
			t->opts->payload);
	return 0;
}

static int push_progress(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	transfer *t = payload;

	(void)bytes;
	if (t->opts && t->opts->progress)
		t->opts->progress(t->phase, current, total, t->opts->payload);
	return 0;
}

static int push_status(const char *refname, const char *status, void *payload)
{
	transfer *t = payload;

	if (status && !t->rejected_ref[0]) {
		snprintf(t->rejected_ref, sizeof(t->rejected_ref), "%s", refname);
		condense(t->rejected_status, sizeof(t->rejected_status), status);
	}
	return 0;
}

static void callbacks_init(git_remote_callbacks *cb, transfer *t)
{
	cb->credentials = credentials;
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
	char where[MSG_MAX], why[MSG_MAX];

	git_remote_create_options_init(&o, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	o.repository = repo;
	o.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if (url && *url && git_remote_create_with_opts(out, url, &o) == 0)
		return 0;
	url_redact(where, sizeof(where), url ? url : "");
	git_message(why, sizeof(why));
	return hearth_error_set(HEARTH_EUSAGE, "invalid remote url '%s': %s", where, why);
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
		git_message(why, size);
		bare = -2;
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	return bare;
}

static int repository_create(const char *path, const char *where)
{
	git_repository *repo = NULL;
	char why[MSG_MAX];

	git_libgit2_init();
	if (git_repository_init(&repo, path, 1) < 0) {
		git_message(why, sizeof(why));
		git_libgit2_shutdown();
		return hearth_error_set(HEARTH_ERROR, "cannot create a repository at '%s': %s",
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
	char where[MSG_MAX], why[MSG_MAX];
	struct stat st;
	int bare;

	if (!path)
		return 0;
	url_redact(where, sizeof(where), url);
	if (stat(path, &st) != 0) {
		if (create)
			return repository_create(path, where);
		return hearth_error_set(HEARTH_ENET,
			"cannot reach '%s': no such folder (will retry on next sync)", where);
	}
	if (S_ISDIR(st.st_mode) && folder_is_empty(path)) {
		if (create)
			return repository_create(path, where);
		return hearth_error_set(HEARTH_ERROR,
			"'%s' is an empty folder, not a repository: 'hearth remote set-url NAME URL "
			"--init' creates one there",
			where);
	}
	if (!S_ISDIR(st.st_mode))
		return hearth_error_set(HEARTH_ERROR, "'%s' is a file, not a repository", where);
	if ((bare = repository_bare(path, why, sizeof(why))) == 1)
		return 0;
	if (bare == -2)
		return hearth_error_set(HEARTH_ERROR, "cannot open the repository at '%s': %s",
			where, why);
	if (bare == 0)
		return hearth_error_set(HEARTH_ERROR,
			"'%s' is a git repository with a working folder: hearth needs a bare "
			"repository (give a new or empty folder with --init)",
			where);
	return hearth_error_set(HEARTH_ERROR,
		"'%s' is a folder with other files in it, not a repository: give a new or empty "
		"folder with --init, or a bare repository",
		where);
}

/* Create the remote and connect it for `dir`; HEARTH_ENET if it cannot be reached. */
static int remote_connect(git_remote **out, transfer *t, git_repository *repo, const char *url,
	git_direction dir, const git_remote_callbacks *cb)
{
	int rc, grc;

	if ((rc = remote_open(out, repo, url)) < 0)
		return rc;
	if ((rc = hearth_transport_local_check(url, 0)) < 0)
		return rc;
	if ((grc = git_remote_connect(*out, dir, cb, NULL, NULL)) < 0)
		return fail_net(t, url, grc);
	return 0;
}

static int refspecs_check(const char **refspecs, size_t n, int is_fetch)
{
	for (size_t i = 0; i < n; i++) {
		git_refspec *spec = NULL;

		if (!refspecs[i] || git_refspec_parse(&spec, refspecs[i], is_fetch) < 0)
			return hearth_error_set(HEARTH_EUSAGE, "invalid %s refspec '%s'",
				is_fetch ? "fetch" : "push", refspecs[i] ? refspecs[i] : "(null)");
		git_refspec_free(spec);
	}
	return 0;
}

static const git_remote_head *head_find(const git_remote_head **heads, size_t nheads,
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
	return head_find(heads, nheads, src) != NULL;
}

static int conflict(const char *ref, const char *url, const char *why)
{
	char where[MSG_MAX];

	url_redact(where, sizeof(where), url);
	return hearth_error_set(HEARTH_ECONFLICT, "cannot push '%s' to '%s': %s", ref, where, why);
}

/* ---- local remotes ------------------------------------------------------------------------ */

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
	transfer *t;
	git_repository *from;
	git_odb *from_odb;
	git_odb *to_odb;
	unsigned copied;
} local_copy;

/* The folder of a path or file:// remote, or 0 for a URL libgit2 has to handle. */
static int local_path(char *out, size_t size, const char *url)
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
static int local_bare(const char *path)
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
		git_error_set_str(GIT_ERROR_ODB, "an object changed while it was copied");
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
static int local_copy_open(local_copy *c, transfer *t, git_repository *from, git_repository *to)
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
static int local_specs_plain(const char **refspecs, size_t n, int is_fetch)
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
static int local_fetch(git_repository *repo, const char *path, const char *url,
	const git_strarray *wanted, const git_remote_head **heads, size_t nheads, transfer *t)
{
	git_repository *from = NULL;
	local_copy c;
	int grc, rc = 0;

	memset(&c, 0, sizeof(c));
	c.t = t;
	if ((grc = local_open(&from, path)) < 0 ||
	    (grc = local_copy_open(&c, t, from, repo)) < 0) {
		rc = fail_net(t, url, grc);
		goto done;
	}
	for (size_t i = 0; i < wanted->count && rc == 0; i++) {
		git_refspec *spec = NULL;
		const git_remote_head *h;
		git_reference *ref = NULL;

		if (git_refspec_parse(&spec, wanted->strings[i], 1) < 0) {
			rc = hearth_error_set(HEARTH_EUSAGE, "invalid fetch refspec '%s'",
				wanted->strings[i]);
			break;
		}
		h = head_find(heads, nheads, git_refspec_src(spec));
		if (h && (grc = copy_history(&c, &h->oid)) < 0)
			rc = fail_net(t, url, grc);
		else if (h && git_reference_create(&ref, repo, git_refspec_dst(spec), &h->oid, 1,
				      "hearth: fetch") < 0) {
			char where[MSG_MAX], why[MSG_MAX];

			url_redact(where, sizeof(where), url);
			git_message(why, sizeof(why));
			rc = hearth_error_set(HEARTH_ERROR,
				"cannot update refs fetched from '%s': %s", where, why);
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
static int local_push(git_repository *repo, const char *path, const char *url,
	const git_strarray *send, const git_remote_head **heads, size_t nheads, transfer *t)
{
	git_repository *to = NULL;
	local_copy c;
	char where[MSG_MAX], why[MSG_MAX];
	int grc, rc = 0;

	memset(&c, 0, sizeof(c));
	c.t = t;
	url_redact(where, sizeof(where), url);
	if ((grc = local_open(&to, path)) < 0 || (grc = local_copy_open(&c, t, repo, to)) < 0) {
		rc = fail_net(t, url, grc);
		goto done;
	}
	for (size_t i = 0; i < send->count && rc == 0; i++) {
		git_refspec *spec = NULL;
		const char *dst;
		git_oid ours;

		if (git_refspec_parse(&spec, send->strings[i], 0) < 0) {
			rc = hearth_error_set(HEARTH_EUSAGE, "invalid push refspec '%s'",
				send->strings[i]);
			break;
		}
		dst = git_refspec_dst(spec);
		if (git_reference_name_to_id(&ours, repo, git_refspec_src(spec)) < 0)
			rc = hearth_error_set(HEARTH_ENOTFOUND, "cannot push '%s': no such ref here",
				git_refspec_src(spec));
		else if ((grc = copy_history(&c, &ours)) < 0)
			rc = fail_net(t, url, grc);
		else if ((grc = local_ref_move(to, dst, &ours, head_find(heads, nheads, dst),
				  git_refspec_force(spec))) == GIT_EMODIFIED || grc == GIT_EEXISTS)
			/* the remote moved between our listing and the push */
			rc = conflict(dst, url, NOT_FAST_FORWARD);
		else if (grc < 0) {
			git_message(why, sizeof(why));
			rc = hearth_error_set(HEARTH_ERROR,
				"cannot push '%s' to '%s': the remote refused it (%s)", dst, where, why);
		}
		git_refspec_free(spec);
	}
done:
	local_copy_close(&c);
	git_repository_free(to);
	return rc;
}

/* ---- fetch -------------------------------------------------------------------------------- */

static int fetch_run(git_repository *repo, const char *url, const char **refspecs, size_t n,
	const hearth_transport_opts *opts)
{
	transfer t = { .opts = opts, .phase = "fetch" };
	git_fetch_options fo;
	git_remote *remote = NULL;
	const git_remote_head **heads = NULL;
	size_t nheads = 0;
	git_strarray wanted = { NULL, 0 };
	char path[PATH_MAX];
	int rc, grc;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	if ((rc = refspecs_check(refspecs, n, 1)) < 0)
		goto done;
	callbacks_init(&fo.callbacks, &t);
	fo.prune = GIT_FETCH_NO_PRUNE;
	fo.update_fetchhead = 0;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	if ((rc = remote_connect(&remote, &t, repo, url, GIT_DIRECTION_FETCH, &fo.callbacks)) < 0)
		goto done;
	if ((grc = git_remote_ls(&heads, &nheads, remote)) < 0) {
		rc = fail_net(&t, url, grc);
		goto done;
	}
	wanted.strings = calloc(n ? n : 1, sizeof(char *));
	if (!wanted.strings) {
		rc = hearth_error_set(HEARTH_ERROR, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		git_refspec *spec = NULL;

		if (git_refspec_parse(&spec, refspecs[i], 1) < 0) {
			rc = hearth_error_set(HEARTH_EUSAGE, "invalid fetch refspec '%s'",
				refspecs[i]);
			goto done;
		}
		if (fetch_source_present(spec, heads, nheads))
			wanted.strings[wanted.count++] = (char *)refspecs[i];
		git_refspec_free(spec);
	}
	/* nothing the remote has: done (an empty list would mean the remote's configured specs) */
	if (wanted.count == 0)
		goto done;
	if (local_path(path, sizeof(path), url) && local_specs_plain(refspecs, n, 1)) {
		rc = local_fetch(repo, path, url, &wanted, heads, nheads, &t);
		goto done;
	}
	if ((grc = git_remote_download(remote, &wanted, &fo)) < 0) {
		rc = fail_net(&t, url, grc);
		goto done;
	}
	if (git_remote_update_tips(remote, &fo.callbacks, 0, GIT_REMOTE_DOWNLOAD_TAGS_NONE,
		    "hearth: fetch") < 0) {
		char where[MSG_MAX], why[MSG_MAX];

		url_redact(where, sizeof(where), url);
		git_message(why, sizeof(why));
		rc = hearth_error_set(HEARTH_ERROR, "cannot update refs fetched from '%s': %s",
			where, why);
		goto done;
	}
done:
	free(wanted.strings);
	git_remote_free(remote);
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
		return hearth_error_set(HEARTH_EUSAGE, "invalid push refspec '%s'", refspec);
	src = git_refspec_src(spec);
	dst = git_refspec_dst(spec);
	if (!dst || !*dst)
		dst = src;
	theirs = head_find(heads, nheads, dst);
	if (!src || !*src) {
		/* a deletion: only if there is something to delete */
		rc = theirs != NULL;
		goto done;
	}
	if (git_reference_name_to_id(&ours, repo, src) < 0) {
		rc = hearth_error_set(HEARTH_ENOTFOUND, "cannot push '%s': no such ref here", src);
		goto done;
	}
	if (!theirs)
		rc = 1;
	else if (git_oid_equal(&ours, &theirs->oid))
		rc = 0;
	else if (git_refspec_force(spec) || fast_forward(repo, &ours, &theirs->oid))
		rc = 1;
	else
		rc = conflict(dst, url, NOT_FAST_FORWARD);
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
	transfer t = { .opts = opts, .phase = "push" };
	git_push_options po;
	git_remote *remote = NULL;
	const git_remote_head **heads = NULL;
	size_t nheads = 0;
	git_strarray send = { NULL, 0 };
	char path[PATH_MAX];
	int rc, grc;

	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	if ((rc = refspecs_check(refspecs, n, 0)) < 0)
		goto done;
	callbacks_init(&po.callbacks, &t);
	if ((rc = remote_connect(&remote, &t, repo, url, GIT_DIRECTION_PUSH, &po.callbacks)) < 0)
		goto done;
	if ((grc = git_remote_ls(&heads, &nheads, remote)) < 0) {
		rc = fail_net(&t, url, grc);
		goto done;
	}
	send.strings = calloc(n ? n : 1, sizeof(char *));
	if (!send.strings) {
		rc = hearth_error_set(HEARTH_ERROR, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = push_plan_one(repo, url, refspecs[i], heads, nheads)) < 0)
			goto done;
		if (rc == 1)
			send.strings[send.count++] = (char *)refspecs[i];
	}
	rc = 0;
	/* everything is there already: a completed push re-run sends nothing */
	if (send.count == 0)
		goto done;
	if (local_path(path, sizeof(path), url) && local_specs_plain(refspecs, n, 0) &&
	    local_bare(path)) {
		rc = local_push(repo, path, url, &send, heads, nheads, &t);
		goto done;
	}
	grc = git_remote_upload(remote, &send, &po);
	if (grc == GIT_ENONFASTFORWARD) {
		/* the remote moved between our listing and the push */
		char ref[256];

		refspec_dst(ref, sizeof(ref), send.count == 1 ? send.strings[0] : NULL);
		rc = conflict(ref, url, NOT_FAST_FORWARD);
		goto done;
	}
	if (grc < 0) {
		rc = fail_net(&t, url, grc);
		goto done;
	}
	if (t.rejected_ref[0]) {
		const char *s = t.rejected_status;
		char where[MSG_MAX];

		if (strstr(s, "fast-forward") || strstr(s, "fetch first") || strstr(s, "stale")) {
			rc = conflict(t.rejected_ref, url, s);
			goto done;
		}
		url_redact(where, sizeof(where), url);
		rc = hearth_error_set(HEARTH_ERROR,
			"cannot push '%s' to '%s': the remote refused it (%s)", t.rejected_ref,
			where, s);
		goto done;
	}
done:
	free(send.strings);
	git_remote_free(remote);
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
