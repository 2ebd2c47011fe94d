/*
 * Moving refs between a local repository and a remote: the only place hearth talks to the
 * network. Private to libhearth-sync.
 */
#ifndef HEARTH_SYNC_TRANSPORT_H
#define HEARTH_SYNC_TRANSPORT_H

#include <stdint.h>

#include <git2.h>

/** How a transfer reports progress; NULL fields are skipped. The CLI prints on a TTY only. */
typedef struct {
	/* called with a short phase name ("fetch", "push") and objects done/total */
	void (*progress)(const char *phase, unsigned done, unsigned total, void *payload);
	void *payload;
	/* a private key file for ssh (from the node's config), or NULL for ssh-agent */
	const char *ssh_key;
	char ssh_key_buf[1024]; /* storage for ssh_key when it comes from the node's config */
	/* fetch from a folder: a commit whose tree's blobs take more bytes than this together
	 * (sizes from the objects' headers) is copied without them, so the reader refuses it
	 * without the work of copying them; 0 for no limit */
	uint64_t commit_blobs_max;
} hearth_transport_opts;

/**
 * Fetch `refspecs` (e.g. "+refs/heads/up:refs/nodes/lucai/up") from `url` into `repo`.
 * A missing remote branch is not an error (nothing was written there yet).
 * HEARTH_ENET when the remote cannot be reached or answers garbage, with a one-line message.
 */
int hearth_transport_fetch(git_repository *repo, const char *url, const char **refspecs,
	size_t n, const hearth_transport_opts *opts);

/** Push `refspecs` (e.g. "refs/heads/up:refs/heads/up") to `url`. HEARTH_ENET as above;
 * HEARTH_ECONFLICT when the remote refused a non-fast-forward. */
int hearth_transport_push(git_repository *repo, const char *url, const char **refspecs,
	size_t n, const hearth_transport_opts *opts);

/** 0 if `url` is a remote hearth can use: a path, scp-like user@host:path, or a file://,
 * git://, ssh://, http:// or https:// URL with a host, an optional numeric port and a path;
 * else HEARTH_EUSAGE with a one-line reason. Checked when a remote is added, so a typing
 * mistake is a usage error at once rather than a network error at every later sync. */
int hearth_url_check(const char *url);

/** The folder of a local remote (a path or a file:// URL, pointing into `url`), or NULL for a
 * remote over the network. */
const char *hearth_transport_local_path(const char *url);

/**
 * For a local remote, 0 when a bare repository is there. Nothing there: HEARTH_ENET (a USB
 * stick not plugged in: retry later). An empty folder, a file, a repository with a working
 * folder or a folder of other files: HEARTH_ERROR naming it (retrying never helps). With
 * `create`, a bare repository is made where there is nothing or an empty folder. 0 for a
 * remote over the network (nothing to look at here).
 */
int hearth_transport_local_check(const char *url, int create);

#endif
