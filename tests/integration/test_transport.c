/*
 * sync/transport.c against real repositories: a path, file://, and git:// served by a real
 * `git daemon` on 127.0.0.1 (run_transport.sh starts it and sets GITD_URL and GITD_ROOT; without
 * them the git:// part is skipped). Small TCP servers inside this test play the unreachable, the
 * garbage-answering and the password-asking remote, and a proxy that cuts a transfer half-way.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include "hearth_internal.h"
#include "hearth_sync.h"
#include "tap.h"
#include "transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmp[PATH_MAX];

/* ---- repositories ------------------------------------------------------------------------- */

static void path_in(char *out, const char *dir, const char *name)
{
	if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		diag("path too long: %s/%s", dir, name);
}

static git_repository *bare_new(const char *path)
{
	git_repository *repo = NULL;

	if (git_repository_init(&repo, path, 1) < 0) {
		diag("cannot create '%s': %s", path, git_error_last()->message);
		return NULL;
	}
	return repo;
}

/* A commit on `ref` (child of its current tip, if any) holding one file `content`. */
static int commit_on(git_oid *out, git_repository *repo, const char *ref, const void *content,
	size_t len, const char *message)
{
	git_oid blob_id, tree_id, parent_id;
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	const git_commit *parents[1];
	int rc = -1, nparents = 0;

	if (git_reference_name_to_id(&parent_id, repo, ref) == 0) {
		if (git_commit_lookup(&parent, repo, &parent_id) < 0)
			goto done;
		parents[nparents++] = parent;
	}
	if (git_blob_create_from_buffer(&blob_id, repo, content, len) < 0 ||
		git_treebuilder_new(&tb, repo, NULL) < 0 ||
		git_treebuilder_insert(NULL, tb, "changeset", &blob_id, GIT_FILEMODE_BLOB) < 0 ||
		git_treebuilder_write(&tree_id, tb) < 0 ||
		git_tree_lookup(&tree, repo, &tree_id) < 0 ||
		git_signature_new(&sig, "test", "test@example.org", 1700000000, 0) < 0 ||
		git_commit_create(out, repo, ref, sig, sig, NULL, message, tree, (size_t)nparents,
			parents) < 0)
		goto done;
	rc = 0;
done:
	if (rc < 0)
		diag("commit failed: %s", git_error_last() ? git_error_last()->message : "?");
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_commit_free(parent);
	return rc;
}

static int commit_text(git_oid *out, git_repository *repo, const char *ref, const char *text)
{
	return commit_on(out, repo, ref, text, strlen(text), text);
}

/* The id of `ref` in the repository at `path`, read afresh; -1 if absent. */
static int ref_at(git_oid *out, const char *path, const char *ref)
{
	git_repository *repo = NULL;
	int rc;

	if (git_repository_open(&repo, path) < 0)
		return -1;
	rc = git_reference_name_to_id(out, repo, ref) < 0 ? -1 : 0;
	git_repository_free(repo);
	return rc;
}

static int ref_is(const char *path, const char *ref, const git_oid *want)
{
	git_oid got;

	return ref_at(&got, path, ref) == 0 && git_oid_equal(&got, want);
}

static int ref_absent(const char *path, const char *ref)
{
	git_oid got;

	return ref_at(&got, path, ref) < 0;
}

static int has_object(const char *path, const git_oid *id)
{
	git_repository *repo = NULL;
	git_odb *odb = NULL;
	int rc = 0;

	if (git_repository_open(&repo, path) == 0 && git_repository_odb(&odb, repo) == 0)
		rc = git_odb_exists(odb, id);
	git_odb_free(odb);
	git_repository_free(repo);
	return rc;
}

static int nfiles;

static int count_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)p, (void)st, (void)ftw;
	if (flag == FTW_F)
		nfiles++;
	return 0;
}

/* Files under the repository's objects/: unchanged when a push sent nothing. */
static int object_files(const char *repo_path)
{
	char objects[PATH_MAX];

	path_in(objects, repo_path, "objects");
	nfiles = 0;
	nftw(objects, count_one, 16, FTW_PHYS);
	return nfiles;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static int one_line(const char *msg)
{
	return msg && *msg && !strchr(msg, '\n') && !strchr(msg, '\r');
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- progress ----------------------------------------------------------------------------- */

typedef struct {
	int calls;
	char phase[16];
} progress_log;

static void progress(const char *phase, unsigned done, unsigned total, void *payload)
{
	progress_log *log = payload;

	(void)done, (void)total;
	log->calls++;
	snprintf(log->phase, sizeof(log->phase), "%s", phase);
}

/* ---- tiny TCP servers on 127.0.0.1 -------------------------------------------------------- */

enum { SERVE_GARBAGE, SERVE_HTTP_AUTH, SERVE_PROXY };

typedef struct {
	int mode;
	int listen_fd;
	int port;
	int max_conns;
	size_t cut_after;   /* SERVE_PROXY: bytes forwarded (both ways) before cutting; 0: never */
	int target_port;    /* SERVE_PROXY: where to forward */
	volatile int stop;
	pthread_t thread;
	/* SERVE_HTTP_AUTH: what the client sent */
	int auth_seen;
	char auth[128];
	int conns;
} server;

static int listen_loopback(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0 ||
		getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A port on 127.0.0.1 where nothing listens: bound, then closed. */
static int closed_port(void)
{
	int port = 0, fd = listen_loopback(&port);

	if (fd >= 0)
		close(fd);
	return port;
}

static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

/* Read what the client says first (bounded in bytes and time). */
static size_t read_some(int fd, char *buf, size_t size, const char *until)
{
	size_t n = 0;

	for (int i = 0; i < 40 && n + 1 < size && wait_readable(fd, 50); i++) {
		ssize_t r = recv(fd, buf + n, size - 1 - n, 0);

		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if (until && strstr(buf, until))
			break;
	}
	buf[n] = '\0';
	return n;
}

static void serve_garbage(int fd)
{
	static const char junk[] = "HTTP/1.0 418 teapot\r\n\r\n"
				   "this is not git at all\n\xff\xfe\x01";
	char buf[4096];

	read_some(fd, buf, sizeof(buf), NULL);
	send(fd, junk, sizeof(junk) - 1, MSG_NOSIGNAL);
}

static void serve_http_auth(server *s, int fd)
{
	static const char deny[] = "HTTP/1.1 401 Unauthorized\r\n"
				   "WWW-Authenticate: Basic realm=\"hearth-test\"\r\n"
				   "Content-Length: 0\r\nConnection: close\r\n\r\n";
	char buf[8192], *auth;

	read_some(fd, buf, sizeof(buf), "\r\n\r\n");
	if ((auth = strstr(buf, "Authorization: Basic ")) != NULL) {
		s->auth_seen++;
		snprintf(s->auth, sizeof(s->auth), "%.*s", (int)strcspn(auth + 21, "\r\n"),
			auth + 21);
	}
	send(fd, deny, sizeof(deny) - 1, MSG_NOSIGNAL);
}

static int connect_loopback(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Forward between the client and the daemon until EOF, 20 s, or `cut_after` bytes. */
static void serve_proxy(server *s, int client)
{
	int up = connect_loopback(s->target_port);
	size_t moved = 0;
	time_t until = time(NULL) + 20;
	char buf[16384];

	if (up < 0)
		return;
	while (!s->stop && time(NULL) < until) {
		struct pollfd p[2] = { { .fd = client, .events = POLLIN },
			{ .fd = up, .events = POLLIN } };
		int eof = 0;

		if (poll(p, 2, 100) <= 0)
			continue;
		for (int i = 0; i < 2 && !eof; i++) {
			ssize_t r;
			size_t len;

			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = recv(p[i].fd, buf, sizeof(buf), 0);
			if (r <= 0) {
				eof = 1;
				break;
			}
			len = (size_t)r;
			if (s->cut_after && moved + len > s->cut_after)
				len = s->cut_after - moved;
			if (len > 0 && send(p[!i].fd, buf, len, MSG_NOSIGNAL) < 0)
				eof = 1;
			moved += len;
			if (s->cut_after && moved >= s->cut_after)
				eof = 1;
		}
		if (eof)
			break;
	}
	close(up);
}

static void *server_main(void *arg)
{
	server *s = arg;
	time_t until = time(NULL) + 60;

	while (!s->stop && s->conns < s->max_conns && time(NULL) < until) {
		int fd;

		if (!wait_readable(s->listen_fd, 100))
			continue;
		if ((fd = accept(s->listen_fd, NULL, NULL)) < 0)
			continue;
		s->conns++;
		if (s->mode == SERVE_GARBAGE)
			serve_garbage(fd);
		else if (s->mode == SERVE_HTTP_AUTH)
			serve_http_auth(s, fd);
		else
			serve_proxy(s, fd);
		shutdown(fd, SHUT_RDWR);
		close(fd);
	}
	return NULL;
}

static int server_start(server *s, int mode)
{
	s->mode = mode;
	if (!s->max_conns)
		s->max_conns = 16;
	if ((s->listen_fd = listen_loopback(&s->port)) < 0)
		return -1;
	if (pthread_create(&s->thread, NULL, server_main, s) != 0) {
		close(s->listen_fd);
		return -1;
	}
	return 0;
}

static void server_stop(server *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
}

/* ---- the round trip, the same over every transport ---------------------------------------- */

/*
 * `remote_path` is a fresh bare repository that `url` names. A node pushes `up` to it, the office
 * fetches it, both re-run, a missing `down` is fetched, and non-fast-forwards are refused.
 */
static void round_trip(const char *label, const char *url, const char *remote_path)
{
	char node_path[PATH_MAX], office_path[PATH_MAX], rival_path[PATH_MAX], name[64];
	git_repository *node = NULL, *office = NULL, *rival = NULL;
	git_oid c1, c2, c3, r1;
	git_reference *ref = NULL;
	progress_log log = { 0 };
	hearth_transport_opts opts = { .progress = progress, .payload = &log };
	const char *push_up[] = { "refs/heads/up:refs/heads/up" };
	const char *force_up[] = { "+refs/heads/up:refs/heads/up" };
	const char *fetch_both[] = { "+refs/heads/up:refs/nodes/n1/up",
		"+refs/heads/down:refs/nodes/n1/down" };
	const char *fetch_down[] = { "+refs/heads/down:refs/x" };
	int rc, before;

	snprintf(name, sizeof(name), "%s-node.git", label);
	path_in(node_path, tmp, name);
	snprintf(name, sizeof(name), "%s-office.git", label);
	path_in(office_path, tmp, name);
	snprintf(name, sizeof(name), "%s-rival.git", label);
	path_in(rival_path, tmp, name);
	node = bare_new(node_path);
	office = bare_new(office_path);
	rival = bare_new(rival_path);
	if (!node || !office || !rival || commit_text(&c1, node, "refs/heads/up", "seq 1") < 0) {
		ok(0, "%s: set up repositories", label);
		goto done;
	}

	rc = hearth_transport_push(node, url, push_up, 1, &opts);
	is_int(rc, 0, "%s: push up to an empty remote", label);
	if (rc)
		diag("%s", hearth_error_last());
	ok(ref_is(remote_path, "refs/heads/up", &c1), "%s: the remote's up is the node's commit",
		label);
	ok(has_object(remote_path, &c1), "%s: the commit object arrived", label);
	if (log.calls)
		is_str(log.phase, "push", "%s: progress reported as 'push'", label);

	before = object_files(remote_path);
	is_int(hearth_transport_push(node, url, push_up, 1, &opts), 0,
		"%s: re-running a completed push succeeds", label);
	ok(ref_is(remote_path, "refs/heads/up", &c1), "%s: ... and leaves up as it was", label);
	is_int(object_files(remote_path), before, "%s: ... and writes no object", label);

	rc = hearth_transport_fetch(office, url, fetch_both, 2, &opts);
	is_int(rc, 0, "%s: fetch up and a missing down in one call", label);
	if (rc)
		diag("%s", hearth_error_last());
	ok(ref_is(office_path, "refs/nodes/n1/up", &c1), "%s: the office got up", label);
	ok(has_object(office_path, &c1), "%s: ... with its commit", label);
	ok(ref_absent(office_path, "refs/nodes/n1/down"), "%s: the missing down made no ref",
		label);

	rc = hearth_transport_fetch(office, url, fetch_down, 1, NULL);
	is_int(rc, 0, "%s: fetching only a missing branch is not an error", label);
	if (rc)
		diag("%s", hearth_error_last());
	ok(ref_absent(office_path, "refs/x"), "%s: ... and leaves refs/x absent", label);

	is_int(hearth_transport_fetch(office, url, fetch_both, 2, NULL), 0,
		"%s: re-running a completed fetch succeeds", label);

	if (commit_text(&c2, node, "refs/heads/up", "seq 2") < 0)
		goto done;
	is_int(hearth_transport_push(node, url, push_up, 1, NULL), 0,
		"%s: push a fast-forward", label);
	ok(ref_is(remote_path, "refs/heads/up", &c2), "%s: ... the remote moved on", label);
	is_int(hearth_transport_fetch(office, url, fetch_both, 2, NULL), 0,
		"%s: fetch the fast-forward", label);
	ok(ref_is(office_path, "refs/nodes/n1/up", &c2), "%s: ... the office moved on", label);

	/* a rewind: the remote is ahead of what we push, and we have its commits */
	if (git_reference_create(&ref, node, "refs/heads/first", &c1, 0, NULL) < 0)
		goto done;
	git_reference_free(ref);
	ref = NULL;
	{
		const char *rewind[] = { "refs/heads/first:refs/heads/up" };

		rc = hearth_transport_push(node, url, rewind, 1, NULL);
		is_int(rc, HEARTH_ECONFLICT, "%s: pushing an older commit is refused", label);
		ok(strstr(hearth_error_last(), "'refs/heads/up'") && one_line(hearth_error_last()),
			"%s: ... naming the ref on one line: %s", label, hearth_error_last());
		ok(ref_is(remote_path, "refs/heads/up", &c2), "%s: ... the remote kept its up",
			label);
	}

	/* another device wrote up (forced): the remote holds commits we never saw */
	if (commit_text(&r1, rival, "refs/heads/up", "rival seq 1") < 0)
		goto done;
	is_int(hearth_transport_push(rival, url, force_up, 1, NULL), 0,
		"%s: a forced push replaces up", label);
	ok(ref_is(remote_path, "refs/heads/up", &r1), "%s: ... with the rival's commit", label);
	if (commit_text(&c3, node, "refs/heads/up", "seq 3") < 0)
		goto done;
	rc = hearth_transport_push(node, url, push_up, 1, NULL);
	is_int(rc, HEARTH_ECONFLICT, "%s: pushing over commits we do not have is refused", label);
	ok(strstr(hearth_error_last(), "'refs/heads/up'") && one_line(hearth_error_last()),
		"%s: ... naming the ref on one line: %s", label, hearth_error_last());
	ok(ref_is(remote_path, "refs/heads/up", &r1), "%s: ... the remote kept the rival's up",
		label);
done:
	git_repository_free(node);
	git_repository_free(office);
	git_repository_free(rival);
}

/* ---- local remotes ------------------------------------------------------------------------ */

/* A pack file in the repository at `path` (a local copy writes objects one by one, no pack). */
static int has_pack(const char *path)
{
	char dir[PATH_MAX + 32];

	snprintf(dir, sizeof(dir), "%s/objects/pack", path);
	nfiles = 0;
	nftw(dir, count_one, 8, FTW_PHYS);
	return nfiles > 0;
}

/* The id of the first blob of commit `c` in `repo`, or -1. */
static int first_blob(git_oid *out, git_repository *repo, const git_oid *c)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	int rc = -1;

	if (git_commit_lookup(&commit, repo, c) == 0 && git_commit_tree(&tree, commit) == 0 &&
	    git_tree_entrycount(tree) > 0) {
		git_oid_cpy(out, git_tree_entry_id(git_tree_entry_byindex(tree, 0)));
		rc = 0;
	}
	git_tree_free(tree);
	git_commit_free(commit);
	return rc;
}

/* In the repository at `path`, the loose file of commit `to`'s first blob now holds the bytes
 * of commit `from`'s (a valid object of another id). */
static int loose_swap(const char *path, git_repository *repo, const git_oid *from,
	const git_oid *to)
{
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1], pa[PATH_MAX + 64], pb[PATH_MAX + 64];
	char buf[4096];
	git_oid ia, ib;
	ssize_t n;
	int in, out, rc = 0;

	if (first_blob(&ia, repo, from) < 0 || first_blob(&ib, repo, to) < 0 ||
	    git_oid_equal(&ia, &ib))
		return -1;
	git_oid_tostr(a, sizeof(a), &ia);
	git_oid_tostr(b, sizeof(b), &ib);
	snprintf(pa, sizeof(pa), "%s/objects/%.2s/%s", path, a, a + 2);
	snprintf(pb, sizeof(pb), "%s/objects/%.2s/%s", path, b, b + 2);
	if ((in = open(pa, O_RDONLY)) < 0)
		return -1;
	unlink(pb);
	if ((out = open(pb, O_CREAT | O_WRONLY | O_TRUNC, 0444)) < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			rc = -1;
	if (n < 0)
		rc = -1;
	close(in);
	close(out);
	return rc;
}

/* Pushes and fetches to a path copy the missing objects one at a time, oldest commit first, so a
 * copy cut half-way leaves objects without a ref, which the next copy completes. */
static void local_copies(void)
{
	char node_path[PATH_MAX], remote_path[PATH_MAX], office_path[PATH_MAX], lock[PATH_MAX + 32];
	git_repository *node = NULL, *remote = NULL, *office = NULL;
	const char *push_up[] = { "refs/heads/up:refs/heads/up" };
	const char *fetch_up[] = { "+refs/heads/up:refs/nodes/n1/up" };
	git_oid c1, c2, c3;
	git_commit *commit = NULL;
	git_odb *odb = NULL;
	git_tree *tree = NULL;
	git_oid copied;
	int fd;

	path_in(node_path, tmp, "local-node.git");
	path_in(remote_path, tmp, "local-remote.git");
	path_in(office_path, tmp, "local-office.git");
	node = bare_new(node_path);
	remote = bare_new(remote_path);
	office = bare_new(office_path);
	if (!node || !remote || !office || commit_text(&c1, node, "refs/heads/up", "seq 1") < 0 ||
	    commit_text(&c2, node, "refs/heads/up", "seq 2") < 0 ||
	    commit_text(&c3, node, "refs/heads/up", "seq 3") < 0) {
		ok(0, "local: set up repositories");
		goto done;
	}
	if (git_commit_lookup(&commit, node, &c2) < 0 || git_commit_tree(&tree, commit) < 0) {
		ok(0, "local: read c2");
		goto done;
	}
	is_int(hearth_transport_push(node, remote_path, push_up, 1, NULL), 0, "local: push");
	ok(ref_is(remote_path, "refs/heads/up", &c3), "local: ... moves the remote's up");
	ok(has_object(remote_path, &c1) && has_object(remote_path, &c2) &&
			has_object(remote_path, &c3),
		"local: ... with every commit");
	ok(!has_pack(remote_path), "local: ... copied one object at a time, without a pack");

	/* cut half-way: the office holds c2's blob and tree, but neither commit c2 nor a ref */
	if (git_repository_odb(&odb, office) < 0) {
		ok(0, "local: partial copy");
		goto done;
	}
	{
		git_odb *from = NULL;
		git_odb_object *o = NULL;
		size_t i;
		int bad = git_repository_odb(&from, node) < 0;

		for (i = 0; !bad && i < git_tree_entrycount(tree); i++) {
			const git_oid *id = git_tree_entry_id(git_tree_entry_byindex(tree, i));

			bad = git_odb_read(&o, from, id) < 0 ||
			      git_odb_write(&copied, odb, git_odb_object_data(o),
				      git_odb_object_size(o), GIT_OBJECT_BLOB) < 0;
			git_odb_object_free(o);
		}
		bad = bad || git_odb_read(&o, from, git_tree_id(tree)) < 0 ||
		      git_odb_write(&copied, odb, git_odb_object_data(o), git_odb_object_size(o),
			      GIT_OBJECT_TREE) < 0;
		if (!bad)
			git_odb_object_free(o);
		git_odb_free(from);
		ok(!bad && !has_object(office_path, &c2), "local: a copy cut after c2's tree");
	}
	is_int(hearth_transport_fetch(office, remote_path, fetch_up, 1, NULL), 0,
		"local: the fetch after it");
	ok(ref_is(office_path, "refs/nodes/n1/up", &c3), "local: ... moves the office's ref");
	ok(has_object(office_path, &c1) && has_object(office_path, &c2) &&
			has_object(office_path, &c3),
		"local: ... and completes the copy");
	ok(!has_pack(office_path), "local: ... without a pack");

	/* a push killed while it held the remote's ref lock: the next push removes the stale lock */
	if (commit_text(&c1, node, "refs/heads/up", "seq 4") < 0)
		goto done;
	snprintf(lock, sizeof(lock), "%s/refs/heads/up.lock", remote_path);
	if ((fd = open(lock, O_CREAT | O_WRONLY, 0644)) < 0) {
		ok(0, "local: make a stale lock");
		goto done;
	}
	close(fd);
	is_int(hearth_transport_push(node, remote_path, push_up, 1, NULL), 0,
		"local: a push over a stale ref lock: %s", hearth_error_last());
	ok(ref_is(remote_path, "refs/heads/up", &c1), "local: ... moves up");

	/* an object on the stick whose bytes are another object's: the copy compares the id its
	 * write computes with the one it asked for, so it is refused */
	if (commit_text(&c2, node, "refs/heads/up", "seq 5") < 0 ||
	    hearth_transport_push(node, remote_path, push_up, 1, NULL) < 0 ||
	    loose_swap(remote_path, node, &c1, &c2) < 0) {
		ok(0, "local: a stick whose blob holds another blob's bytes");
		goto done;
	}
	ok(hearth_transport_fetch(office, remote_path, fetch_up, 1, NULL) < 0,
		"local: a fetch of an object that does not match its id fails");
	ok(strstr(hearth_error_last(), "do not match its id") != NULL,
		"local: ... and says why: %s", hearth_error_last());
	ok(ref_is(office_path, "refs/nodes/n1/up", &c3), "local: ... the office's ref stays");
	ok(!has_object(office_path, &c2), "local: ... and the commit is not copied");
	/* that copy's write is the one hash of the object: libgit2 reads it back without one */
	{
		git_repository *stick = NULL;
		git_odb *stick_odb = NULL;
		git_odb_object *o = NULL;
		git_oid swapped;

		ok(first_blob(&swapped, node, &c2) == 0 &&
				git_repository_open_bare(&stick, remote_path) == 0 &&
				git_repository_odb(&stick_odb, stick) == 0 &&
				git_odb_read(&o, stick_odb, &swapped) == 0,
			"local: ... a read from the stick does not hash the object again");
		git_odb_object_free(o);
		git_odb_free(stick_odb);
		git_repository_free(stick);
	}
done:
	git_odb_free(odb);
	git_tree_free(tree);
	git_commit_free(commit);
	git_repository_free(node);
	git_repository_free(remote);
	git_repository_free(office);
}

/* ---- failures ----------------------------------------------------------------------------- */

static git_repository *scratch(const char *name)
{
	char path[PATH_MAX];
	git_repository *repo;
	git_oid id;

	path_in(path, tmp, name);
	repo = bare_new(path);
	if (repo && commit_text(&id, repo, "refs/heads/up", "seq 1") < 0) {
		git_repository_free(repo);
		return NULL;
	}
	return repo;
}

static void expect_net(int rc, const char *what, const char *url)
{
	char prefix[PATH_MAX + 32];
	const char *msg = hearth_error_last();

	snprintf(prefix, sizeof(prefix), "cannot reach '%s': ", url);
	is_int(rc, HEARTH_ENET, "%s gives HEARTH_ENET", what);
	ok(one_line(msg) && starts_with(msg, prefix), "... with one line naming the remote: %s",
		msg);
	ok(strstr(msg, "(will retry on next sync)") != NULL, "... saying it will retry");
}

static void failures(void)
{
	git_repository *repo = scratch("failures.git");
	const char *push_up[] = { "refs/heads/up:refs/heads/up" };
	const char *fetch_up[] = { "+refs/heads/up:refs/nodes/n1/up" };
	char url[PATH_MAX + 64], what[128], path[PATH_MAX];
	server garbage = { 0 };
	int port, rc;

	if (!repo) {
		ok(0, "failures: set up a repository");
		return;
	}

	port = closed_port();
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/x.git", port);
	expect_net(hearth_transport_fetch(repo, url, fetch_up, 1, NULL),
		"fetch, connection refused", url);
	ok(strstr(hearth_error_last(), "connection refused") != NULL,
		"... and says 'connection refused'");
	expect_net(hearth_transport_push(repo, url, push_up, 1, NULL), "push, connection refused",
		url);
	snprintf(url, sizeof(url), "ssh://git@127.0.0.1:%d/x.git", port);
	expect_net(hearth_transport_fetch(repo, url, fetch_up, 1, NULL),
		"fetch over ssh, connection refused", url);

	if (server_start(&garbage, SERVE_GARBAGE) == 0) {
		snprintf(url, sizeof(url), "git://127.0.0.1:%d/x.git", garbage.port);
		expect_net(hearth_transport_fetch(repo, url, fetch_up, 1, NULL),
			"fetch, a server answering garbage", url);
		expect_net(hearth_transport_push(repo, url, push_up, 1, NULL),
			"push, a server answering garbage", url);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/x.git", garbage.port);
		expect_net(hearth_transport_fetch(repo, url, fetch_up, 1, NULL),
			"fetch over http, a server answering garbage", url);
		snprintf(url, sizeof(url), "ssh://git@127.0.0.1:%d/x.git", garbage.port);
		expect_net(hearth_transport_push(repo, url, push_up, 1, NULL),
			"push over ssh, a server answering garbage", url);
		server_stop(&garbage);
	} else {
		ok(0, "start the garbage server");
	}

	path_in(path, tmp, "no-such-repository.git");
	snprintf(what, sizeof(what), "fetch from a missing path");
	expect_net(hearth_transport_fetch(repo, path, fetch_up, 1, NULL), what, path);
	snprintf(url, sizeof(url), "file://%s", path);
	expect_net(hearth_transport_push(repo, url, push_up, 1, NULL),
		"push to a missing file:// repository", url);

	/* a password in the URL never reaches a message */
	snprintf(url, sizeof(url), "http://someone:s3cret@127.0.0.1:%d/x.git", port);
	rc = hearth_transport_fetch(repo, url, fetch_up, 1, NULL);
	is_int(rc, HEARTH_ENET, "fetch from an http url with a password, refused");
	ok(!strstr(hearth_error_last(), "s3cret") && strstr(hearth_error_last(), "someone@127"),
		"... the message shows the user but not the password: %s", hearth_error_last());

	{
		const char *bad[] = { "refs/heads/up:refs/heads/bad name" };

		is_int(hearth_transport_push(repo, "/nowhere", bad, 1, NULL), HEARTH_EUSAGE,
			"an invalid refspec is a usage error");
		is_int(hearth_transport_fetch(repo, "", fetch_up, 1, NULL), HEARTH_EUSAGE,
			"an empty url is a usage error");
	}
	{
		const char *missing[] = { "refs/heads/nothing:refs/heads/nothing" };

		path_in(path, tmp, "failures-remote.git");
		git_repository_free(bare_new(path));
		is_int(hearth_transport_push(repo, path, missing, 1, NULL), HEARTH_ENOTFOUND,
			"pushing a ref we do not have is HEARTH_ENOTFOUND");
	}
	git_repository_free(repo);
}

/* https credentials come from `git credential fill`; a refused password ends the attempt */
static void credential_helper(void)
{
	git_repository *repo = scratch("credentials.git");
	const char *fetch_up[] = { "+refs/heads/up:refs/nodes/n1/up" };
	server http = { 0 };
	char url[128];
	int rc;

	if (!repo || server_start(&http, SERVE_HTTP_AUTH) < 0) {
		ok(0, "credentials: set up");
		git_repository_free(repo);
		return;
	}
	/* only this helper: no user's or system's config, no prompt */
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_TERMINAL_PROMPT", "0", 1);
	setenv("GIT_CONFIG_COUNT", "1", 1);
	setenv("GIT_CONFIG_KEY_0", "credential.helper", 1);
	setenv("GIT_CONFIG_VALUE_0", "!f() { echo username=u; echo password=p; }; f", 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x.git", http.port);
	rc = hearth_transport_fetch(repo, url, fetch_up, 1, NULL);
	server_stop(&http);
	unsetenv("GIT_CONFIG_COUNT");
	unsetenv("GIT_CONFIG_KEY_0");
	unsetenv("GIT_CONFIG_VALUE_0");

	is_int(rc, HEARTH_ENET, "http: a refused password gives HEARTH_ENET");
	ok(one_line(hearth_error_last()) && strstr(hearth_error_last(), "authentication failed"),
		"... saying authentication failed: %s", hearth_error_last());
	is_str(http.auth, "dTpw", "... after sending the helper's u:p");
	ok(http.auth_seen == 1, "... exactly once (seen %d), no endless retry", http.auth_seen);
	git_repository_free(repo);
}

/* ---- git:// specifics --------------------------------------------------------------------- */

static void git_url(char *out, const char *base, const char *name)
{
	if (snprintf(out, PATH_MAX + 64, "%s/%s", base, name) >= PATH_MAX + 64)
		diag("url too long: %s/%s", base, name);
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode);
}

/* Incompressible bytes, so a transfer of them takes many packets. */
static void fill_random(unsigned char *buf, size_t len, uint64_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		buf[i] = (unsigned char)seed;
	}
}

static void daemon_specifics(const char *base, const char *root, const char *dir)
{
	char remote_path[PATH_MAX], office_path[PATH_MAX], url[PATH_MAX + 64], hook[PATH_MAX];
	char name[128];
	git_repository *node = scratch("gitd-extra-node.git"), *office = NULL;
	const char *push_up[] = { "refs/heads/up:refs/heads/up" };
	const char *fetch_up[] = { "+refs/heads/up:refs/nodes/n1/up" };
	unsigned char *big = NULL;
	server proxy = { 0 };
	progress_log log = { 0 };
	hearth_transport_opts opts = { .progress = progress, .payload = &log };
	git_oid id;
	int rc, gitd_port;

	if (!node) {
		ok(0, "git://: set up");
		return;
	}
	snprintf(name, sizeof(name), "%s/no-such-repository.git", dir);
	git_url(url, base, name);
	expect_net(hearth_transport_fetch(node, url, fetch_up, 1, NULL),
		"fetch of a repository the daemon does not have", url);

	/* a server-side refusal that is not about fast-forwards */
	snprintf(name, sizeof(name), "%s/hooked.git", dir);
	path_in(remote_path, root, name);
	git_repository_free(bare_new(remote_path));
	path_in(hook, remote_path, "hooks/pre-receive");
	write_file(hook, "#!/bin/sh\nexit 1\n", 0755);
	git_url(url, base, name);
	rc = hearth_transport_push(node, url, push_up, 1, NULL);
	ok(rc == HEARTH_ERROR && strstr(hearth_error_last(), "'refs/heads/up'") &&
			strstr(hearth_error_last(), "declined") && one_line(hearth_error_last()),
		"a push the remote's hook declines fails naming the ref: %s", hearth_error_last());

	/* a push cut half-way, then simply run again */
	big = malloc(1 << 21);
	if (!big)
		goto done;
	fill_random(big, 1 << 21, 88172645463325252ULL);
	if (commit_on(&id, node, "refs/heads/up", big, 1 << 21, "a big one") < 0)
		goto done;
	snprintf(name, sizeof(name), "%s/interrupted.git", dir);
	path_in(remote_path, root, name);
	git_repository_free(bare_new(remote_path));
	gitd_port = atoi(strrchr(base, ':') + 1);
	proxy.target_port = gitd_port;
	proxy.cut_after = 256 * 1024;
	if (server_start(&proxy, SERVE_PROXY) < 0) {
		ok(0, "start the proxy");
		goto done;
	}
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/%s", proxy.port, name);
	rc = hearth_transport_push(node, url, push_up, 1, NULL);
	is_int(rc, HEARTH_ENET, "a push cut after 256 KiB gives HEARTH_ENET");
	ok(one_line(hearth_error_last()), "... with one line: %s", hearth_error_last());
	ok(ref_absent(remote_path, "refs/heads/up"), "... and the remote has no up");
	git_url(url, base, name);
	is_int(hearth_transport_push(node, url, push_up, 1, &opts), 0, "the same push run again");
	ok(ref_is(remote_path, "refs/heads/up", &id), "... completes");
	ok(log.calls > 0 && strcmp(log.phase, "push") == 0, "... reporting 'push' progress (%d)",
		log.calls);

	/* a fetch cut half-way, then simply run again */
	path_in(office_path, tmp, "gitd-extra-office.git");
	office = bare_new(office_path);
	if (!office)
		goto done;
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/%s", proxy.port, name);
	rc = hearth_transport_fetch(office, url, fetch_up, 1, NULL);
	is_int(rc, HEARTH_ENET, "a fetch cut after 256 KiB gives HEARTH_ENET");
	ok(ref_absent(office_path, "refs/nodes/n1/up"), "... and makes no ref");
	git_url(url, base, name);
	log.calls = 0;
	is_int(hearth_transport_fetch(office, url, fetch_up, 1, &opts), 0,
		"the same fetch run again");
	ok(ref_is(office_path, "refs/nodes/n1/up", &id), "... completes");
	ok(log.calls > 0 && strcmp(log.phase, "fetch") == 0, "... reporting 'fetch' progress (%d)",
		log.calls);
done:
	if (proxy.listen_fd > 0)
		server_stop(&proxy);
	free(big);
	git_repository_free(office);
	git_repository_free(node);
}

int main(void)
{
	const char *tmpdir = getenv("TMPDIR");
	const char *gitd_url = getenv("GITD_URL"), *gitd_root = getenv("GITD_ROOT");
	char remote_path[PATH_MAX], url[PATH_MAX + 64];

	/* libgit2 set up as hearth sets it up (its pack windows, reads not hashed again) */
	if (hearth_sync_init() < 0) {
		ok(0, "hearth_sync_init: %s", hearth_error_last());
		return done_testing();
	}
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	snprintf(tmp, sizeof(tmp), "%s/hearth-transport-XXXXXX", tmpdir);
	if (!mkdtemp(tmp)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}

	path_in(remote_path, tmp, "by-path.git");
	git_repository_free(bare_new(remote_path));
	round_trip("path", remote_path, remote_path);

	path_in(remote_path, tmp, "by-file-url.git");
	git_repository_free(bare_new(remote_path));
	snprintf(url, sizeof(url), "file://%s", remote_path);
	round_trip("file", url, remote_path);

	local_copies();
	failures();
	credential_helper();

	if (gitd_url && *gitd_url && gitd_root && *gitd_root) {
		char dir[PATH_MAX], name[PATH_MAX];

		/* a folder of our own under the daemon's root */
		snprintf(dir, sizeof(dir), "%s/hearth-transport-XXXXXX", gitd_root);
		if (!mkdtemp(dir)) {
			ok(0, "mkdtemp under GITD_ROOT: %s", strerror(errno));
		} else {
			const char *rel = dir + strlen(gitd_root) + 1;

			snprintf(name, sizeof(name), "%s/by-daemon.git", rel);
			path_in(remote_path, gitd_root, name);
			git_repository_free(bare_new(remote_path));
			git_url(url, gitd_url, name);
			round_trip("git", url, remote_path);
			daemon_specifics(gitd_url, gitd_root, rel);
			nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		}
	} else {
		printf("ok %d # skip git:// tests: GITD_URL and GITD_ROOT not set "
		       "(run through run_transport.sh)\n",
			++tap_n);
	}

	if (!getenv("HEARTH_KEEP_TMP"))
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	git_libgit2_shutdown();
	return done_testing();
}
