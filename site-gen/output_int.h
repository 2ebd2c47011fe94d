/*
 * Internals of the output set, shared by its three files and no other: output.c (the set and
 * the swap), output_write.c (writing, compressing and removing files) and output_manifest.c
 * (the manifest of a tree and the rebuild of the spare tree from it).
 */
#ifndef HEARTH_SITE_OUTPUT_INT_H
#define HEARTH_SITE_OUTPUT_INT_H

#include "site_int.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

/* Present in every output folder hearth wrote: a non-empty folder without it is never
 * replaced, so a mistyped --out cannot delete someone's files. */
#define MARKER ".hearth-site"
#define MARKER_TEXT "hearth site\n"
/* The tree's own list of its files: see output.c. Each line "<hash> <size> <path>", sorted by
 * path; a line "key <hash>" after a page's (or .ics's) line is its input key (keys.c). */
#define MANIFEST ".hearth-manifest"
#define MANIFEST_HEAD "hearth manifest 2\n"
#define MANIFEST_MAX (256u << 20)

/* One .gz to compress and write: the text file's bytes, where its .gz goes and the text
 * file's mtime, which the .gz gets. */
typedef struct {
	const site_file *f;
	char *path;
	struct timespec mtime;
} gz_job;

/* The .gz files of a tree, compressed on a second thread while the first writes the text
 * files (each .gz depends only on its text, so the bytes are the same), then by both. */
typedef struct {
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t more;
	gz_job *jobs;
	int n, alloc, next; /* queued, allocated, taken */
	int closed;         /* no job comes any more */
	int rc;             /* the first failure, its message in `err` */
	char err[512];
	z_stream z;         /* the worker's own stream */
	int z_ready;
} gz_queue;

/* Where the files of a set go: the tree being written (tmp_dir) beside the published one. */
typedef struct {
	hearth_buf dst, old, gz;
	hearth_buf dir; /* the folder made last, under tmp_dir */
	const char *out_dir, *tmp_dir;
	int have_old;   /* there is an old output to keep files from */
	z_stream z;
	int z_ready;
	gz_queue *gzq;  /* NULL: each .gz compressed where it is written */
	hearth_site_stats *stats;
} writer;

/* A tree's manifest as read: one entry per file, sorted by path. */
typedef struct {
	const char *path; /* into the manifest's text */
	uint64_t hash[2];
	size_t size;
	int has_key;
	uint64_t key[2];
} man_entry;

typedef struct {
	hearth_buf text; /* its lines cut into the entries' paths */
	uint64_t hash[2]; /* of the text as read */
	man_entry *e;
	int n;
} manifest;

struct site_prev {
	manifest m;
};

/* output.c: the set, sorted by path */
int site_out_cmp_file(const void *a, const void *b);
/* 1 if the sorted set has a file at `path`. */
int site_out_find_path(const site_files *fs, const char *path);
/* 1 if the sorted set has the file at `rel`, or the text file whose .gz `rel` is. */
int site_out_in_set(const site_files *fs, hearth_buf *rel);

/* output_write.c */
/* 1 if the file at `path` gets a .gz beside it. */
int site_out_is_text(const char *path);
/* Set the error "cannot <what> '<path>': <errno's text>" and return it. */
int site_out_io_error(const char *what, const char *path);
int site_out_same_time(struct timespec a, struct timespec b);
/* Remove the tree at `root`; with `fs`, count in *removed the files `fs` has not. */
int site_out_remove_counting(const char *root, const site_files *fs, int *removed);
int site_out_remove_tree(const char *path);
int site_out_sync_tree(const char *dir);
int site_out_write_file(const char *path, const char *data, size_t len,
	const struct timespec times[2], struct timespec *mtime);
int site_out_make_parent(writer *w, const char *path);
int site_out_gz_write(writer *w, const site_file *f, struct timespec mtime);
/* Start the second thread that compresses the .gz of the tree; without it (no thread could
 * be made), site_out_gz_write compresses in place. */
void site_out_gz_start(writer *w, gz_queue *q);
/* Compress what is left (both threads), wait for the second one and return the first failure.
 * Called before the tree is synced, and on every way out once started. */
int site_out_gz_finish(writer *w);
int site_out_write_one(writer *w, const site_file *f);
/* Link the published file of `f` (and its .gz) to w->dst: 0 done, else nothing was linked. */
int site_out_link_published(writer *w, const site_file *f, int text);

/* output_manifest.c */
void site_out_manifest_dispose(manifest *m);
int site_out_manifest_load(manifest *m, const char *dir);
int site_out_manifest_add(site_files *fs);
/* 1 if the tree of manifest `m` holds file `f` with its bytes. */
int site_out_manifest_has(const manifest *m, const site_file *f);
int site_out_manifest_removed(const manifest *m, const site_files *fs);
int site_out_spare_update(writer *w, const site_files *fs, const manifest *pm,
	const manifest *sm);

#endif
