/*
 * Credentials for a transfer: ssh-agent, then the node's key file for ssh; `git credential fill`
 * once for http(s). Every answer is bounded: a refused credential is asked again by libgit2, so
 * the counters in the transfer end the loop.
 */
#include "sync_int.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* How often the credential callback may be asked before giving up: libgit2 asks again after every
 * refused credential, so an unbounded answer would loop forever on a bad key. */
#define AUTH_CALLS_MAX 6
/* Bytes read back from `git credential fill` at most. */
#define CREDENTIAL_OUTPUT_MAX 65536

static int give_up(sync_transfer *t, const char *why)
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
static int credential_fill(git_credential **out, sync_transfer *t, const char *url,
	const char *user)
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
int sync_transport_credentials(git_credential **out, const char *url, const char *user_from_url,
	unsigned int allowed, void *payload)
{
	sync_transfer *t = payload;
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
