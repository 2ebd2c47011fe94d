/*
 * Writing the files of a set into a tree: each file created new (never written into, so a
 * hard link shared with the published site is never changed), or kept from the old output by
 * a hard link when its bytes are the same; the .gz of every text file (level 9, mtime 0 in
 * its header, one zlib stream reset per file) with its source's mtime; removing a tree and
 * syncing one to disk before the swap (output.c).
 */
#define _GNU_SOURCE /* syncfs */
#include "output_int.h"
#include "core/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Compress `data` into `out` on a stream set up (or reset) by the caller: the same bytes as a
 * fresh stream, without allocating and clearing zlib's tables for every file. */
static int gzip_on(z_stream *z, hearth_buf *out, const char *data, size_t len)
{
	gz_header h;
	int rc, zr;

	/* the header carries no name and mtime 0, so equal input gives equal bytes */
	memset(&h, 0, sizeof h);
	h.os = 255;
	deflateSetHeader(z, &h);
	rc = hearth_buf_grow(out, deflateBound(z, (uLong)len) + 32);
	if (rc)
		return rc;
	z->next_in = (Bytef *)data;
	z->avail_in = (uInt)len;
	z->next_out = (Bytef *)out->ptr + out->size;
	z->avail_out = (uInt)(out->asize - out->size - 1);
	zr = deflate(z, Z_FINISH);
	if (zr != Z_STREAM_END)
		return hearth_error_set(HEARTH_ERROR, _("cannot compress: zlib error %d"), zr);
	out->size += z->total_out;
	out->ptr[out->size] = 0;
	return 0;
}

/* windowBits 15 + 16: gzip wrapper; level 9, memLevel 9 */
static int gzip_init(z_stream *z)
{
	memset(z, 0, sizeof *z);
	if (deflateInit2(z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return hearth_error_set(HEARTH_ERROR, _("cannot compress: zlib init failed"));
	return 0;
}

int site_gzip(hearth_buf *out, const char *data, size_t len)
{
	z_stream z;
	int rc = gzip_init(&z);

	if (rc)
		return rc;
	rc = gzip_on(&z, out, data, len);
	deflateEnd(&z);
	return rc;
}

int site_out_is_text(const char *path)
{
	static const char *const ext[] = { ".html", ".css", ".js", ".json", ".csv", ".xml",
		".ics", ".txt", ".svg", ".md", ".atom" };
	size_t i, n = strlen(path);

	for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t e = strlen(ext[i]);
		if (n > e && strcmp(path + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

int site_out_io_error(const char *what, const char *path)
{
	return hearth_error_set(HEARTH_ERROR, _("cannot %s '%s': %s"), what, path, strerror(errno));
}

/* Create folder `path` and any missing parent: one mkdir for a folder whose parent exists. */
static int make_dir(char *path)
{
	char *slash;
	int rc;

	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	slash = strrchr(path, '/');
	if (errno != ENOENT || !slash || slash == path)
		return site_out_io_error(_("create folder"), path);
	*slash = 0;
	rc = make_dir(path);
	*slash = '/';
	if (rc == 0 && mkdir(path, 0755) < 0 && errno != EEXIST)
		rc = site_out_io_error(_("create folder"), path);
	return rc;
}

int site_out_same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/*
 * Remove the tree at `path` without following symlinks. With `fs`, count in *removed the
 * files (by their path `rel` under the tree) that the new set does not have.
 */
static int remove_walk(hearth_buf *path, hearth_buf *rel, const site_files *fs, int *removed)
{
	size_t plen = path->size, rlen = rel->size;
	struct dirent *e;
	DIR *d = opendir(path->ptr);
	int rc = 0;

	if (!d)
		return site_out_io_error(_("open folder"), path->ptr);
	while (rc == 0 && (e = readdir(d)) != NULL) {
		int dir = e->d_type == DT_DIR;
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_type == DT_UNKNOWN)
			dir = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			      S_ISDIR(st.st_mode);
		rc = hearth_buf_printf(path, "/%s", e->d_name);
		if (rc == 0)
			rc = hearth_buf_printf(rel, "%s%s", rlen ? "/" : "", e->d_name);
		if (rc == 0 && dir)
			rc = remove_walk(path, rel, fs, removed);
		else if (rc == 0 && unlinkat(dirfd(d), e->d_name, 0) < 0)
			rc = site_out_io_error(_("remove"), path->ptr);
		else if (rc == 0 && fs && !site_out_in_set(fs, rel))
			(*removed)++;
		path->size = plen, path->ptr[plen] = 0;
		rel->size = rlen, rel->ptr[rlen] = 0;
	}
	closedir(d);
	if (rc == 0 && rmdir(path->ptr) < 0)
		rc = site_out_io_error(_("remove folder"), path->ptr);
	return rc;
}

int site_out_remove_counting(const char *root, const site_files *fs, int *removed)
{
	hearth_buf path = HEARTH_BUF_INIT, rel = HEARTH_BUF_INIT;
	struct stat st;
	int rc;

	if (lstat(root, &st) < 0)
		return errno == ENOENT ? 0 : site_out_io_error(_("inspect"), root);
	if (!S_ISDIR(st.st_mode))
		return unlink(root) < 0 ? site_out_io_error(_("remove"), root) : 0;
	rc = hearth_buf_puts(&path, root);
	if (rc == 0)
		rc = remove_walk(&path, &rel, fs, removed);
	hearth_buf_dispose(&path);
	hearth_buf_dispose(&rel);
	return rc;
}

int site_out_remove_tree(const char *path)
{
	return site_out_remove_counting(path, NULL, NULL);
}

/* Everything written under `dir` reaches the disk before the folder is swapped in: a crash
 * then leaves the old site or the whole new one. */
int site_out_sync_tree(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int rc = 0;

	if (fd < 0)
		return site_out_io_error(_("open"), dir);
	if (syncfs(fd) < 0)
		rc = site_out_io_error(_("sync"), dir);
	close(fd);
	return rc;
}

/*
 * Create `path` holding `data`. `times` (may be NULL) sets its access and modification times;
 * `mtime` (may be NULL) receives the modification time it got. No fsync per file: one syncfs of
 * the whole new tree before the swap (above) makes the swap safe, at the cost of one flush.
 */
int site_out_write_file(const char *path, const char *data, size_t len,
	const struct timespec times[2], struct timespec *mtime)
{
	size_t off = 0;
	struct stat st;
	int rc = 0, fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		return site_out_io_error(_("create"), path);
	while (rc == 0 && off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			rc = site_out_io_error(_("write"), path);
		else
			off += (size_t)w;
	}
	if (rc == 0 && times && futimens(fd, times) < 0)
		rc = site_out_io_error(_("set the time of"), path);
	if (rc == 0 && mtime && fstat(fd, &st) < 0)
		rc = site_out_io_error(_("inspect"), path);
	if (rc == 0 && mtime)
		*mtime = st.st_mtim;
	if (close(fd) < 0 && rc == 0)
		rc = site_out_io_error(_("write"), path);
	return rc;
}

/* 1 if the file at `path` holds exactly `data`; its status in *st. */
static int same_bytes(const char *path, const char *data, size_t len, struct stat *st)
{
	char buf[65536];
	size_t off = 0;
	ssize_t r;
	int fd, same;

	/* O_NONBLOCK: a FIFO put in the old output must not hang the build */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	same = fstat(fd, st) == 0 && S_ISREG(st->st_mode) && (size_t)st->st_size == len;
	while (same && off < len && (r = read(fd, buf, sizeof buf)) > 0) {
		if (off + (size_t)r > len || memcmp(buf, data + off, (size_t)r) != 0)
			same = 0;
		off += (size_t)r;
	}
	close(fd);
	return same && off == len;
}

/* Make the folder of file `path` (under tmp_dir) unless it is the one made last: the set is
 * sorted, so a folder's files come together. */
int site_out_make_parent(writer *w, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = (size_t)(slash - path);

	if (w->dir.size == n && memcmp(w->dir.ptr, path, n) == 0)
		return 0;
	hearth_buf_clear(&w->dir);
	if (hearth_buf_put(&w->dir, path, n) < 0)
		return HEARTH_ERROR;
	return make_dir(w->dir.ptr);
}

/* Keep the old file at w->old as w->dst: a hard link (same inode and mtime), or where links
 * do not work a copy of `data` with the old file's times. */
static int keep_file(writer *w, const char *data, size_t len, const struct stat *st)
{
	struct timespec ts[2];

	if (link(w->old.ptr, w->dst.ptr) == 0)
		return 0;
	ts[0] = st->st_atim, ts[1] = st->st_mtim;
	return site_out_write_file(w->dst.ptr, data, len, ts, NULL);
}

/* Compress `data` on stream `z` (set up on first use, else reset) into `out`. */
static int gzip_stream(z_stream *z, int *ready, hearth_buf *out, const char *data, size_t len)
{
	int rc;

	hearth_buf_clear(out);
	if (!*ready) {
		if ((rc = gzip_init(z)) != 0)
			return rc;
		*ready = 1;
	} else if (deflateReset(z) != Z_OK) {
		return hearth_error_set(HEARTH_ERROR, _("cannot compress: zlib reset failed"));
	}
	return gzip_on(z, out, data, len);
}

/* Compress job `j` on stream `z` and write its .gz with its source's mtime. */
static int gz_job_run(z_stream *z, int *ready, hearth_buf *gz, const gz_job *j)
{
	struct timespec ts[2];
	int rc = gzip_stream(z, ready, gz, j->f->data.ptr, j->f->data.size);

	ts[0] = j->mtime, ts[1] = j->mtime;
	if (rc == 0)
		rc = site_out_write_file(j->path, gz->ptr, gz->size, ts, NULL);
	return rc;
}

/* Take a copy of the next job (the array may move while it runs), waiting for one while
 * the queue is open: 1, or 0 when none is left or a job failed. */
static int gz_take(gz_queue *q, int wait, gz_job *j)
{
	int got = 0;

	pthread_mutex_lock(&q->lock);
	while (wait && q->next == q->n && !q->closed && !q->rc)
		pthread_cond_wait(&q->more, &q->lock);
	if (q->next < q->n && !q->rc)
		*j = q->jobs[q->next++], got = 1;
	pthread_mutex_unlock(&q->lock);
	return got;
}

static void gz_fail(gz_queue *q, int rc)
{
	pthread_mutex_lock(&q->lock);
	if (!q->rc) {
		q->rc = rc;
		snprintf(q->err, sizeof q->err, "%s", hearth_error_last());
	}
	pthread_mutex_unlock(&q->lock);
}

static void *gz_worker(void *arg)
{
	gz_queue *q = arg;
	hearth_buf gz = HEARTH_BUF_INIT;
	gz_job j;
	int rc;

	while (gz_take(q, 1, &j))
		if ((rc = gz_job_run(&q->z, &q->z_ready, &gz, &j)) != 0)
			gz_fail(q, rc);
	hearth_buf_dispose(&gz);
	return NULL;
}

void site_out_gz_start(writer *w, gz_queue *q)
{
	memset(q, 0, sizeof *q);
	if (pthread_mutex_init(&q->lock, NULL) != 0)
		return;
	if (pthread_cond_init(&q->more, NULL) != 0) {
		pthread_mutex_destroy(&q->lock);
		return;
	}
	if (pthread_create(&q->thread, NULL, gz_worker, q) != 0) {
		pthread_cond_destroy(&q->more);
		pthread_mutex_destroy(&q->lock);
		return;
	}
	q->started = 1;
	w->gzq = q;
}

int site_out_gz_finish(writer *w)
{
	gz_queue *q = w->gzq;
	gz_job j;
	int i, rc;

	if (!q)
		return 0;
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->more);
	pthread_mutex_unlock(&q->lock);
	/* this thread compresses too, from the same queue */
	while (gz_take(q, 0, &j))
		if ((rc = gz_job_run(&w->z, &w->z_ready, &w->gz, &j)) != 0)
			gz_fail(q, rc);
	pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
	rc = q->rc;
	if (rc)
		hearth_error_set(rc, "%s", q->err);
	for (i = 0; i < q->n; i++)
		free(q->jobs[i].path);
	free(q->jobs);
	if (q->z_ready)
		deflateEnd(&q->z);
	w->gzq = NULL;
	return rc;
}

/* Compress `f` into the file at w->dst (its .gz path), with its source's mtime: queued for
 * the second thread when there is one. */
int site_out_gz_write(writer *w, const site_file *f, struct timespec mtime)
{
	gz_queue *q = w->gzq;
	gz_job j;
	int rc = 0;

	j.f = f, j.mtime = mtime;
	if (!q) {
		j.path = w->dst.ptr;
		return gz_job_run(&w->z, &w->z_ready, &w->gz, &j);
	}
	if (!(j.path = strdup(w->dst.ptr)))
		return hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
	pthread_mutex_lock(&q->lock);
	if (q->rc) {
		/* a .gz failed: stop writing, with its failure */
		rc = q->rc;
		hearth_error_set(rc, "%s", q->err);
	} else if (q->n == q->alloc) {
		int alloc = q->alloc ? q->alloc * 2 : 1024;
		gz_job *grown = realloc(q->jobs, (size_t)alloc * sizeof *grown);
		if (grown)
			q->jobs = grown, q->alloc = alloc;
		else
			rc = hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
	}
	if (rc == 0) {
		q->jobs[q->n++] = j;
		pthread_cond_signal(&q->more);
	}
	pthread_mutex_unlock(&q->lock);
	if (rc)
		free(j.path);
	return rc;
}

/* The .gz of a text file at w->dst + ".gz": kept from the old output when its source was kept
 * and the old .gz has the source's mtime (the pair is whole), else compressed and given the
 * source's mtime `mtime`. */
static int put_gz(writer *w, const site_file *f, int kept, struct timespec mtime)
{
	struct stat st;
	int rc = hearth_buf_puts(&w->dst, ".gz");

	if (rc == 0 && kept)
		rc = hearth_buf_puts(&w->old, ".gz");
	if (rc)
		return rc;
	kept = kept && lstat(w->old.ptr, &st) == 0 && S_ISREG(st.st_mode) &&
	       site_out_same_time(st.st_mtim, mtime);
	if (kept)
		w->stats->files_unchanged++;
	else
		w->stats->files_written++;
	if (kept && link(w->old.ptr, w->dst.ptr) == 0)
		return 0;
	/* a new .gz, or a copy of the kept one where links do not work */
	return site_out_gz_write(w, f, mtime);
}

/* Write one file of the set, or keep the old one when its bytes are the same; a text file's
 * .gz follows it, so an unchanged page costs a read and links, not a compression. */
int site_out_write_one(writer *w, const site_file *f)
{
	struct timespec mtime;
	struct stat st;
	int rc, kept = 0;

	hearth_buf_clear(&w->dst);
	rc = hearth_buf_printf(&w->dst, "%s/%s", w->tmp_dir, f->path);
	if (rc == 0)
		rc = site_out_make_parent(w, w->dst.ptr);
	if (rc == 0 && f->kept) {
		/* not rendered: the published file, which the manifest read when the set was made
		 * says has these bytes; when it is gone the pages are rendered again */
		int text = site_out_is_text(f->path);
		if (!w->have_old || site_out_link_published(w, f, text) != 0)
			return SITE_OUT_STALE;
		w->stats->files_unchanged += 1 + text;
		return 0;
	}
	if (rc == 0 && w->have_old) {
		hearth_buf_clear(&w->old);
		rc = hearth_buf_printf(&w->old, "%s/%s", w->out_dir, f->path);
		kept = rc == 0 && same_bytes(w->old.ptr, f->data.ptr, f->data.size, &st);
	}
	if (rc)
		return rc;
	if (kept) {
		w->stats->files_unchanged++;
		rc = keep_file(w, f->data.ptr, f->data.size, &st);
		mtime = st.st_mtim;
	} else {
		w->stats->files_written++;
		rc = site_out_write_file(w->dst.ptr, f->data.ptr, f->data.size, NULL, &mtime);
	}
	/* the .gz always carries its source's mtime, so a server can tell them paired */
	if (rc == 0 && site_out_is_text(f->path))
		rc = put_gz(w, f, kept, mtime);
	return rc;
}
