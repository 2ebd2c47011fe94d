/*
 * The output set: every file of the site is built in memory first, then written into a
 * sibling folder and swapped in, so a crash mid-build leaves the previous site whole.
 *
 * Files whose bytes did not change are hard-linked from the old output (same inode, same
 * mtime), so a rebuild "rewrites only files whose content changed" and a web server's caches
 * and rsync see only real changes. Every text file gets a `.gz` with the same mtime.
 */
#define _GNU_SOURCE /* syncfs */
#include "site_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

/* Present in every output folder hearth wrote: a non-empty folder without it is never
 * replaced, so a mistyped --out cannot delete someone's files. */
#define MARKER ".hearth-site"

hearth_buf *site_files_add(site_files *fs, const char *lastmod, const char *fmt, ...)
{
	hearth_buf path = HEARTH_BUF_INIT;
	site_file *f;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || hearth_buf_grow(&path, (size_t)n + 1) < 0) {
		hearth_error_set(HEARTH_ERROR, "cannot build the site: out of memory");
		return NULL;
	}
	va_start(ap, fmt);
	vsnprintf(path.ptr, (size_t)n + 1, fmt, ap);
	va_end(ap);
	path.size = (size_t)n;
	/* two files at one path are found once, after sorting, where the set is written */
	if (fs->n == fs->alloc) {
		int alloc = fs->alloc ? fs->alloc * 2 : 256;
		site_file **p = realloc(fs->files, (size_t)alloc * sizeof *p);
		if (!p) {
			hearth_buf_dispose(&path);
			hearth_error_set(HEARTH_ERROR, "cannot build the site: out of memory");
			return NULL;
		}
		fs->files = p, fs->alloc = alloc;
	}
	if (!(f = calloc(1, sizeof *f))) {
		hearth_buf_dispose(&path);
		hearth_error_set(HEARTH_ERROR, "cannot build the site: out of memory");
		return NULL;
	}
	fs->files[fs->n] = f;
	f->path = hearth_buf_detach(&path);
	if (!f->path) {
		free(f);
		hearth_error_set(HEARTH_ERROR, "cannot build the site: out of memory");
		return NULL;
	}
	hearth_buf_init(&f->data, 0);
	if (lastmod)
		snprintf(f->lastmod, sizeof f->lastmod, "%s", lastmod);
	fs->n++;
	return &f->data;
}

void site_files_dispose(site_files *fs)
{
	int i;

	for (i = 0; i < fs->n; i++) {
		free(fs->files[i]->path);
		hearth_buf_dispose(&fs->files[i]->data);
		free(fs->files[i]);
	}
	free(fs->files);
	memset(fs, 0, sizeof *fs);
}

int site_gzip(hearth_buf *out, const char *data, size_t len)
{
	z_stream z;
	gz_header h;
	int rc = 0, zr;

	memset(&z, 0, sizeof z);
	memset(&h, 0, sizeof h);
	/* windowBits 15 + 16: gzip wrapper; the header carries no name and mtime 0, so equal
	 * input gives equal bytes */
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return hearth_error_set(HEARTH_ERROR, "cannot compress: zlib init failed");
	h.os = 255;
	deflateSetHeader(&z, &h);
	rc = hearth_buf_grow(out, deflateBound(&z, (uLong)len) + 32);
	if (rc == 0) {
		z.next_in = (Bytef *)data;
		z.avail_in = (uInt)len;
		z.next_out = (Bytef *)out->ptr + out->size;
		z.avail_out = (uInt)(out->asize - out->size - 1);
		zr = deflate(&z, Z_FINISH);
		if (zr != Z_STREAM_END)
			rc = hearth_error_set(HEARTH_ERROR, "cannot compress: zlib error %d", zr);
		else
			out->size += z.total_out, out->ptr[out->size] = 0;
	}
	deflateEnd(&z);
	return rc;
}

static int is_text(const char *path)
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

static int io_error(const char *what, const char *path)
{
	return hearth_error_set(HEARTH_ERROR, "cannot %s '%s': %s", what, path, strerror(errno));
}

static int mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			int rc = io_error("create folder", path);
			*p = '/';
			return rc;
		}
		*p = '/';
	}
	return 0;
}

/* Remove a tree without following symlinks. */
static int remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : io_error("inspect", path);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? io_error("remove", path) : 0;
	d = opendir(path);
	if (!d)
		return io_error("open folder", path);
	while (rc == 0 && (e = readdir(d)) != NULL) {
		hearth_buf child = HEARTH_BUF_INIT;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		rc = hearth_buf_printf(&child, "%s/%s", path, e->d_name);
		if (rc == 0)
			rc = remove_tree(child.ptr);
		hearth_buf_dispose(&child);
	}
	closedir(d);
	if (rc == 0 && rmdir(path) < 0)
		rc = io_error("remove folder", path);
	return rc;
}

/* 1 if the file at `path` holds exactly `data`. */
static int same_bytes(const char *path, const char *data, size_t len)
{
	struct stat st;
	char buf[65536];
	size_t off = 0;
	ssize_t r;
	int fd, same = 1;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
		return 0;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	while (same && (r = read(fd, buf, sizeof buf)) > 0) {
		if (off + (size_t)r > len || memcmp(buf, data + off, (size_t)r) != 0)
			same = 0;
		off += (size_t)r;
	}
	close(fd);
	return same && off == len;
}

static int write_file(const char *path, const char *data, size_t len)
{
	size_t off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		return io_error("create", path);
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int rc = io_error("write", path);
			close(fd);
			return rc;
		}
		off += (size_t)w;
	}
	/* no fsync per file: one syncfs of the whole new tree before the swap (below) is what
	 * makes the swap safe, at the cost of one flush instead of thousands */
	if (close(fd) < 0)
		return io_error("write", path);
	return 0;
}

/* Everything written under `dir` reaches the disk before the folder is swapped in: a crash
 * then leaves the old site or the whole new one. */
static int sync_tree(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int rc = 0;

	if (fd < 0)
		return io_error("open", dir);
	if (syncfs(fd) < 0)
		rc = io_error("sync", dir);
	close(fd);
	return rc;
}

/* Keep the old file (hard link: same inode and mtime) or copy it keeping its times. */
static int keep_file(const char *old, const char *path, const char *data, size_t len)
{
	struct stat st;
	struct timespec ts[2];
	int rc;

	if (link(old, path) == 0)
		return 0;
	if (lstat(old, &st) < 0)
		return io_error("inspect", old);
	rc = write_file(path, data, len);
	ts[0] = st.st_atim, ts[1] = st.st_mtim;
	if (rc == 0 && utimensat(AT_FDCWD, path, ts, 0) < 0)
		rc = io_error("set the time of", path);
	return rc;
}

/* Give `path` the mtime of `src`. */
static int same_mtime(const char *path, const char *src)
{
	struct stat st;
	struct timespec ts[2];

	if (stat(src, &st) < 0)
		return io_error("inspect", src);
	ts[0] = st.st_mtim, ts[1] = st.st_mtim;
	return utimensat(AT_FDCWD, path, ts, 0) < 0 ? io_error("set the time of", path) : 0;
}

typedef struct {
	hearth_buf dst, old;
	const char *out_dir, *tmp_dir;
	hearth_site_stats *stats;
} writer;

/* Write one file (or keep the old one) at `rel`; returns 1 in *kept when kept. */
static int put_file(writer *w, const char *rel, const char *data, size_t len, int *kept)
{
	int rc;

	hearth_buf_clear(&w->dst);
	hearth_buf_clear(&w->old);
	rc = hearth_buf_printf(&w->dst, "%s/%s", w->tmp_dir, rel);
	if (rc == 0)
		rc = hearth_buf_printf(&w->old, "%s/%s", w->out_dir, rel);
	if (rc == 0)
		rc = mkdirs(w->dst.ptr);
	if (rc)
		return rc;
	*kept = same_bytes(w->old.ptr, data, len);
	if (*kept) {
		w->stats->files_unchanged++;
		return keep_file(w->old.ptr, w->dst.ptr, data, len);
	}
	w->stats->files_written++;
	return write_file(w->dst.ptr, data, len);
}

static int write_one(writer *w, const site_file *f)
{
	hearth_buf gz = HEARTH_BUF_INIT, gzrel = HEARTH_BUF_INIT, src = HEARTH_BUF_INIT;
	int rc, kept = 0, gzkept = 0;

	rc = put_file(w, f->path, f->data.ptr, f->data.size, &kept);
	if (rc || !is_text(f->path))
		goto done;
	rc = site_gzip(&gz, f->data.ptr, f->data.size);
	if (rc == 0)
		rc = hearth_buf_printf(&gzrel, "%s.gz", f->path);
	if (rc == 0)
		rc = hearth_buf_printf(&src, "%s/%s", w->tmp_dir, f->path);
	if (rc == 0)
		rc = put_file(w, gzrel.ptr, gz.ptr, gz.size, &gzkept);
	/* the .gz always carries its source's mtime, so a server can tell them paired */
	if (rc == 0 && !(kept && gzkept))
		rc = same_mtime(w->dst.ptr, src.ptr);
done:
	hearth_buf_dispose(&gz);
	hearth_buf_dispose(&gzrel);
	hearth_buf_dispose(&src);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp((*(const site_file *const *)a)->path, (*(const site_file *const *)b)->path);
}

static int in_set(const site_files *fs, const char *rel)
{
	site_file key;
	const site_file *keyp = &key;
	size_t n = strlen(rel);
	char *base;
	int found;

	if (n > 3 && strcmp(rel + n - 3, ".gz") == 0) {
		base = strdup(rel);
		if (!base)
			return 1;
		base[n - 3] = 0;
		key.path = base;
		found = bsearch(&keyp, fs->files, (size_t)fs->n, sizeof keyp, cmp_file) != NULL &&
			is_text(base);
		free(base);
		return found;
	}
	key.path = (char *)rel;
	return bsearch(&keyp, fs->files, (size_t)fs->n, sizeof keyp, cmp_file) != NULL;
}

/* Count the old output's files that the new set does not have. */
static int count_removed(const site_files *fs, const char *root, const char *rel, int *count)
{
	hearth_buf path = HEARTH_BUF_INIT, sub = HEARTH_BUF_INIT;
	struct dirent *e;
	DIR *d;
	int rc = hearth_buf_printf(&path, "%s%s%s", root, *rel ? "/" : "", rel);

	d = rc == 0 ? opendir(path.ptr) : NULL;
	while (d && rc == 0 && (e = readdir(d)) != NULL) {
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		hearth_buf_clear(&sub);
		rc = hearth_buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		if (rc)
			break;
		hearth_buf_clear(&path);
		rc = hearth_buf_printf(&path, "%s/%s", root, sub.ptr);
		if (rc || lstat(path.ptr, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = count_removed(fs, root, sub.ptr, count);
		else if (!in_set(fs, sub.ptr))
			(*count)++;
	}
	if (d)
		closedir(d);
	hearth_buf_dispose(&path);
	hearth_buf_dispose(&sub);
	return rc;
}

static int exchange(const char *a, const char *b)
{
#if defined(__linux__) && defined(SYS_renameat2)
	/* RENAME_EXCHANGE: both names always exist, so readers never see a missing site */
	if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EPERM)
		return -1;
#endif
	errno = ENOSYS;
	return -1;
}

/* Refuse to replace a non-empty folder hearth did not write. */
static int check_replaceable(const char *out_dir)
{
	hearth_buf marker = HEARTH_BUF_INIT;
	struct stat st;
	struct dirent *e;
	DIR *d;
	int rc = 0, empty = 1;

	if (lstat(out_dir, &st) < 0)
		return errno == ENOENT ? 0 : io_error("inspect", out_dir);
	if (!S_ISDIR(st.st_mode))
		return hearth_error_set(HEARTH_EUSAGE,
			"cannot build the site in '%s': not a folder (choose a new or empty folder)",
			out_dir);
	d = opendir(out_dir);
	if (!d)
		return io_error("open folder", out_dir);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	rc = hearth_buf_printf(&marker, "%s/%s", out_dir, MARKER);
	if (rc == 0 && !empty && lstat(marker.ptr, &st) < 0)
		rc = hearth_error_set(HEARTH_EUSAGE,
			"cannot build the site in '%s': the folder holds files hearth did not write "
			"(choose a new or empty folder)",
			out_dir);
	hearth_buf_dispose(&marker);
	return rc;
}

int site_files_commit(site_files *fs, const char *out_arg, hearth_site_stats *stats)
{
	hearth_buf out = HEARTH_BUF_INIT, tmp = HEARTH_BUF_INIT;
	writer w = { HEARTH_BUF_INIT, HEARTH_BUF_INIT, NULL, NULL, stats };
	hearth_buf *marker;
	const char *base;
	struct stat st;
	int rc, i, exists, removed = 0;

	rc = hearth_buf_puts(&out, out_arg);
	while (rc == 0 && out.size > 1 && out.ptr[out.size - 1] == '/')
		out.ptr[--out.size] = 0;
	if (rc)
		goto done;
	base = strrchr(out.ptr, '/');
	if (base)
		rc = hearth_buf_printf(&tmp, "%.*s/.%s.hearth-new", (int)(base - out.ptr), out.ptr,
			base + 1);
	else
		rc = hearth_buf_printf(&tmp, ".%s.hearth-new", out.ptr);
	if (rc == 0 && (base ? base[1] == 0 : out.size == 0))
		rc = hearth_error_set(HEARTH_EUSAGE, "cannot build the site in '%s': give a folder",
			out_arg);
	if (rc == 0)
		rc = check_replaceable(out.ptr);
	if (rc)
		goto done;
	marker = site_files_add(fs, NULL, "%s", MARKER);
	if (!marker || hearth_buf_puts(marker, "hearth site\n") < 0) {
		rc = HEARTH_ERROR;
		goto done;
	}
	qsort(fs->files, (size_t)fs->n, sizeof *fs->files, cmp_file);
	for (i = 1; i < fs->n; i++)
		if (strcmp(fs->files[i - 1]->path, fs->files[i]->path) == 0) {
			rc = hearth_error_set(HEARTH_ECORRUPT, "cannot build the site: two files at '%s'",
				fs->files[i]->path);
			goto done;
		}
	/* a folder left by a build that crashed is only ever our own scratch space */
	rc = remove_tree(tmp.ptr);
	if (rc == 0 && mkdir(tmp.ptr, 0755) < 0)
		rc = io_error("create folder", tmp.ptr);
	w.out_dir = out.ptr, w.tmp_dir = tmp.ptr;
	for (i = 0; rc == 0 && i < fs->n; i++)
		rc = write_one(&w, fs->files[i]);
	if (rc == 0)
		rc = sync_tree(tmp.ptr);
	exists = lstat(out.ptr, &st) == 0;
	if (rc == 0 && exists)
		rc = count_removed(fs, out.ptr, "", &removed);
	if (rc)
		goto done;
	stats->files_removed = removed;
	if (!exists) {
		if (rename(tmp.ptr, out.ptr) < 0)
			rc = io_error("publish", out.ptr);
	} else if (exchange(tmp.ptr, out.ptr) == 0) {
		rc = remove_tree(tmp.ptr);
	} else {
		/* no atomic exchange here: two renames, the old site kept until the new is in */
		hearth_buf old = HEARTH_BUF_INIT;
		rc = hearth_buf_printf(&old, "%s.old", tmp.ptr);
		if (rc == 0)
			rc = remove_tree(old.ptr);
		if (rc == 0 && rename(out.ptr, old.ptr) < 0)
			rc = io_error("move aside", out.ptr);
		if (rc == 0 && rename(tmp.ptr, out.ptr) < 0) {
			rc = io_error("publish", out.ptr);
			rename(old.ptr, out.ptr);
		}
		if (rc == 0)
			rc = remove_tree(old.ptr);
		hearth_buf_dispose(&old);
	}
done:
	if (rc && tmp.size)
		remove_tree(tmp.ptr);
	hearth_buf_dispose(&w.dst);
	hearth_buf_dispose(&w.old);
	hearth_buf_dispose(&out);
	hearth_buf_dispose(&tmp);
	return rc;
}
