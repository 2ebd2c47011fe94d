/*
 * The output set: every file of the site is built in memory first, then written into a
 * sibling folder and swapped in, so a crash mid-build leaves the previous site whole.
 *
 * Files whose bytes did not change are hard-linked from the old output (same inode, same
 * mtime), so a rebuild "rewrites only files whose content changed" and a web server's caches
 * and rsync see only real changes. Every text file gets a `.gz` with the same mtime. A text
 * file is compared with the old one before anything is compressed: when it is the same and
 * the old .gz beside it has its mtime, both are linked and nothing is compressed.
 *
 * The set is sorted, so each folder is made once; the old tree is removed after the swap in
 * one walk that also counts the files the new set no longer has.
 *
 * Every tree holds a manifest (`.hearth-manifest`: a hash and the size of each file). After a
 * rebuild the previous tree is not removed but kept beside the site as the spare
 * (`.<name>.hearth-spare`, never served: it is outside the published folder); the next build
 * renames the spare to the scratch name, rewrites in it only the files whose hash differs from
 * its manifest (hard-linking those the published site already has), removes the files the new
 * set has not, syncs and swaps it in, and keeps the tree it replaced as the next spare. An
 * unchanged file then costs nothing on disk, and the published folder is never written into:
 * a crash leaves the previous site whole and a scratch folder the next build removes.
 */
#define _GNU_SOURCE /* syncfs */
#include "site_int.h"
#include "core/i18n.h"

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
#define MARKER_TEXT "hearth site\n"
/* The tree's own list of its files: see above. */
#define MANIFEST ".hearth-manifest"
#define MANIFEST_HEAD "hearth manifest 1\n"
#define MANIFEST_MAX (256u << 20)

hearth_buf *site_files_add(site_files *fs, const char *lastmod, const char *fmt, ...)
{
	hearth_buf path = HEARTH_BUF_INIT;
	site_file *f;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hearth_buf_vprintf(&path, fmt, ap);
	va_end(ap);
	if (n < 0) {
		hearth_buf_dispose(&path);
		hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
		return NULL;
	}
	/* two files at one path are found once, after sorting, where the set is written */
	if (fs->n == fs->alloc) {
		int alloc = fs->alloc ? fs->alloc * 2 : 256;
		site_file **p = realloc(fs->files, (size_t)alloc * sizeof *p);
		if (!p) {
			hearth_buf_dispose(&path);
			hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
			return NULL;
		}
		fs->files = p, fs->alloc = alloc;
	}
	if (!(f = calloc(1, sizeof *f))) {
		hearth_buf_dispose(&path);
		hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
		return NULL;
	}
	fs->files[fs->n] = f;
	f->path = hearth_buf_detach(&path);
	if (!f->path) {
		free(f);
		hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
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
		return io_error(_("create folder"), path);
	*slash = 0;
	rc = make_dir(path);
	*slash = '/';
	if (rc == 0 && mkdir(path, 0755) < 0 && errno != EEXIST)
		rc = io_error(_("create folder"), path);
	return rc;
}

static int same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/*
 * Remove the tree at `path` without following symlinks. With `fs`, count in *removed the
 * files (by their path `rel` under the tree) that the new set does not have.
 */
static int in_set(const site_files *fs, hearth_buf *rel);

static int remove_walk(hearth_buf *path, hearth_buf *rel, const site_files *fs, int *removed)
{
	size_t plen = path->size, rlen = rel->size;
	struct dirent *e;
	DIR *d = opendir(path->ptr);
	int rc = 0;

	if (!d)
		return io_error(_("open folder"), path->ptr);
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
			rc = io_error(_("remove"), path->ptr);
		else if (rc == 0 && fs && !in_set(fs, rel))
			(*removed)++;
		path->size = plen, path->ptr[plen] = 0;
		rel->size = rlen, rel->ptr[rlen] = 0;
	}
	closedir(d);
	if (rc == 0 && rmdir(path->ptr) < 0)
		rc = io_error(_("remove folder"), path->ptr);
	return rc;
}

static int remove_counting(const char *root, const site_files *fs, int *removed)
{
	hearth_buf path = HEARTH_BUF_INIT, rel = HEARTH_BUF_INIT;
	struct stat st;
	int rc;

	if (lstat(root, &st) < 0)
		return errno == ENOENT ? 0 : io_error(_("inspect"), root);
	if (!S_ISDIR(st.st_mode))
		return unlink(root) < 0 ? io_error(_("remove"), root) : 0;
	rc = hearth_buf_puts(&path, root);
	if (rc == 0)
		rc = remove_walk(&path, &rel, fs, removed);
	hearth_buf_dispose(&path);
	hearth_buf_dispose(&rel);
	return rc;
}

static int remove_tree(const char *path)
{
	return remove_counting(path, NULL, NULL);
}

/* Everything written under `dir` reaches the disk before the folder is swapped in: a crash
 * then leaves the old site or the whole new one. */
static int sync_tree(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	int rc = 0;

	if (fd < 0)
		return io_error(_("open"), dir);
	if (syncfs(fd) < 0)
		rc = io_error(_("sync"), dir);
	close(fd);
	return rc;
}

/*
 * Create `path` holding `data`. `times` (may be NULL) sets its access and modification times;
 * `mtime` (may be NULL) receives the modification time it got. No fsync per file: one syncfs of
 * the whole new tree before the swap (above) makes the swap safe, at the cost of one flush.
 */
static int write_file(const char *path, const char *data, size_t len,
	const struct timespec times[2], struct timespec *mtime)
{
	size_t off = 0;
	struct stat st;
	int rc = 0, fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		return io_error(_("create"), path);
	while (rc == 0 && off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			rc = io_error(_("write"), path);
		else
			off += (size_t)w;
	}
	if (rc == 0 && times && futimens(fd, times) < 0)
		rc = io_error(_("set the time of"), path);
	if (rc == 0 && mtime && fstat(fd, &st) < 0)
		rc = io_error(_("inspect"), path);
	if (rc == 0 && mtime)
		*mtime = st.st_mtim;
	if (close(fd) < 0 && rc == 0)
		rc = io_error(_("write"), path);
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

typedef struct {
	hearth_buf dst, old, gz;
	hearth_buf dir; /* the folder made last, under tmp_dir */
	const char *out_dir, *tmp_dir;
	int have_old;   /* there is an old output to keep files from */
	z_stream z;
	int z_ready;
	hearth_site_stats *stats;
} writer;

static int writer_gzip(writer *w, const char *data, size_t len)
{
	int rc;

	hearth_buf_clear(&w->gz);
	if (!w->z_ready) {
		if ((rc = gzip_init(&w->z)) != 0)
			return rc;
		w->z_ready = 1;
	} else if (deflateReset(&w->z) != Z_OK) {
		return hearth_error_set(HEARTH_ERROR, _("cannot compress: zlib reset failed"));
	}
	return gzip_on(&w->z, &w->gz, data, len);
}

/* Make the folder of file `path` (under tmp_dir) unless it is the one made last: the set is
 * sorted, so a folder's files come together. */
static int make_parent(writer *w, const char *path)
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
	return write_file(w->dst.ptr, data, len, ts, NULL);
}

/* Compress `f` into the file at w->dst (its .gz path), with its source's mtime. */
static int gz_write(writer *w, const site_file *f, struct timespec mtime)
{
	struct timespec ts[2];
	int rc = writer_gzip(w, f->data.ptr, f->data.size);

	ts[0] = mtime, ts[1] = mtime;
	if (rc == 0)
		rc = write_file(w->dst.ptr, w->gz.ptr, w->gz.size, ts, NULL);
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
	       same_time(st.st_mtim, mtime);
	if (kept)
		w->stats->files_unchanged++;
	else
		w->stats->files_written++;
	if (kept && link(w->old.ptr, w->dst.ptr) == 0)
		return 0;
	/* a new .gz, or a copy of the kept one where links do not work */
	return gz_write(w, f, mtime);
}

/* Write one file of the set, or keep the old one when its bytes are the same; a text file's
 * .gz follows it, so an unchanged page costs a read and links, not a compression. */
static int write_one(writer *w, const site_file *f)
{
	struct timespec mtime;
	struct stat st;
	int rc, kept = 0;

	hearth_buf_clear(&w->dst);
	rc = hearth_buf_printf(&w->dst, "%s/%s", w->tmp_dir, f->path);
	if (rc == 0)
		rc = make_parent(w, w->dst.ptr);
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
		rc = write_file(w->dst.ptr, f->data.ptr, f->data.size, NULL, &mtime);
	}
	/* the .gz always carries its source's mtime, so a server can tell them paired */
	if (rc == 0 && is_text(f->path))
		rc = put_gz(w, f, kept, mtime);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp((*(const site_file *const *)a)->path, (*(const site_file *const *)b)->path);
}

static int find_path(const site_files *fs, const char *path)
{
	site_file key;
	const site_file *keyp = &key;

	key.path = (char *)path;
	return bsearch(&keyp, fs->files, (size_t)fs->n, sizeof keyp, cmp_file) != NULL;
}

/* 1 if the sorted set has the file at `rel`, or the text file whose .gz `rel` is. */
static int in_set(const site_files *fs, hearth_buf *rel)
{
	int found;

	if (rel->size > 3 && strcmp(rel->ptr + rel->size - 3, ".gz") == 0) {
		rel->ptr[rel->size - 3] = 0;
		found = is_text(rel->ptr) && find_path(fs, rel->ptr);
		rel->ptr[rel->size - 3] = '.';
		return found;
	}
	return find_path(fs, rel->ptr);
}

/* ---- the manifest ------------------------------------------------------------------------ */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* 128 bits of a file's bytes, two independent lanes of 8-byte words: equal bytes give equal
 * hashes; the manifest also keeps the size. Not a defence against someone who crafts data to
 * collide (a collision would only keep a page's previous version), but fast: a rebuild hashes
 * every file it produces. */
static void content_hash(const char *p, size_t n, uint64_t out[2])
{
	uint64_t a = 0x9e3779b97f4a7c15ULL ^ n, b = 0x6a09e667f3bcc909ULL + n, v;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&v, p + i, 8);
		a = (a ^ v) * 0x87c37b91114253d5ULL;
		a = (a << 31) | (a >> 33);
		b = (b + v) * 0x4cf5ad432745937fULL;
		b = (b << 27) | (b >> 37);
	}
	v = 0;
	memcpy(&v, p + i, n - i);
	a ^= v;
	b += v ^ 0xa5;
	out[0] = mix64(a ^ mix64(b));
	out[1] = mix64(b + out[0]);
}

typedef struct {
	const char *path; /* into the manifest's text */
	uint64_t hash[2];
	size_t size;
} man_entry;

typedef struct {
	hearth_buf text; /* its lines cut into the entries' paths */
	uint64_t hash[2]; /* of the text as read */
	man_entry *e;
	int n;
} manifest;

static void manifest_dispose(manifest *m)
{
	hearth_buf_dispose(&m->text);
	free(m->e);
	m->e = NULL, m->n = 0;
}

static int parse_hex64(const char *p, uint64_t *out)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 16; i++) {
		int c = p[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* Read the manifest of the tree at `dir`: 1 when it is there and well formed (its paths
 * sorted and unique), 0 when it is not (the tree is then treated as having none), -1 on
 * out of memory. */
static int manifest_load(manifest *m, const char *dir)
{
	hearth_buf path = HEARTH_BUF_INIT;
	struct stat st;
	char *p, *end;
	int fd = -1, rc = 0, alloc = 0;

	hearth_buf_init(&m->text, 0);
	m->e = NULL, m->n = 0;
	if (hearth_buf_printf(&path, "%s/%s", dir, MANIFEST) < 0)
		return -1;
	fd = open(path.ptr, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > MANIFEST_MAX)
		goto done;
	if (hearth_buf_grow(&m->text, (size_t)st.st_size + 1) < 0) {
		rc = -1;
		goto done;
	}
	while (m->text.size < (size_t)st.st_size) {
		ssize_t r = read(fd, m->text.ptr + m->text.size, (size_t)st.st_size - m->text.size);
		if (r <= 0)
			goto done;
		m->text.size += (size_t)r;
	}
	m->text.ptr[m->text.size] = 0;
	content_hash(m->text.ptr, m->text.size, m->hash);
	p = m->text.ptr, end = p + m->text.size;
	if (m->text.size < sizeof(MANIFEST_HEAD) - 1 ||
	    memcmp(p, MANIFEST_HEAD, sizeof(MANIFEST_HEAD) - 1) != 0)
		goto done;
	p += sizeof(MANIFEST_HEAD) - 1;
	while (p < end) {
		man_entry *e;
		char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		unsigned long long size;
		if (!nl || nl - p < 36 || p[32] != ' ')
			goto done;
		*nl = 0;
		if (m->n == alloc) {
			int na = alloc ? alloc * 2 : 1024;
			man_entry *ne = realloc(m->e, (size_t)na * sizeof *ne);
			if (!ne) {
				rc = -1;
				goto done;
			}
			m->e = ne, alloc = na;
		}
		e = &m->e[m->n];
		if (parse_hex64(p, &e->hash[0]) < 0 || parse_hex64(p + 16, &e->hash[1]) < 0)
			goto done;
		size = strtoull(p + 33, &sp, 10);
		if (sp == p + 33 || *sp != ' ' || !sp[1] ||
		    (m->n > 0 && strcmp(m->e[m->n - 1].path, sp + 1) >= 0))
			goto done;
		e->size = (size_t)size;
		e->path = sp + 1;
		m->n++;
		p = nl + 1;
	}
	rc = 1;
done:
	if (fd >= 0)
		close(fd);
	hearth_buf_dispose(&path);
	if (rc != 1) {
		manifest_dispose(m);
		hearth_buf_init(&m->text, 0);
	}
	if (rc < 0)
		hearth_error_set(HEARTH_ERROR, "cannot build the site: out of memory");
	return rc;
}

static int cmp_entry(const void *key, const void *e)
{
	return strcmp((const char *)key, ((const man_entry *)e)->path);
}

static const man_entry *manifest_find(const manifest *m, const char *path)
{
	return m->n ? bsearch(path, m->e, (size_t)m->n, sizeof *m->e, cmp_entry) : NULL;
}

/* 1 if the tree of manifest `m` holds file `f` with its bytes. The manifest is not listed in
 * itself: it is compared with the text read. */
static int manifest_has(const manifest *m, const site_file *f)
{
	const man_entry *e;

	if (strcmp(f->path, MANIFEST) == 0)
		return m->text.size == f->data.size && m->hash[0] == f->hash[0] &&
		       m->hash[1] == f->hash[1];
	e = manifest_find(m, f->path);
	return e && e->size == f->data.size && e->hash[0] == f->hash[0] &&
	       e->hash[1] == f->hash[1];
}

/* Hash every file of the sorted set and add the manifest listing them, keeping the set sorted. */
static int manifest_add(site_files *fs)
{
	hearth_buf *text;
	int i, n = fs->n;

	for (i = 0; i < n; i++)
		content_hash(fs->files[i]->data.ptr, fs->files[i]->data.size, fs->files[i]->hash);
	text = site_files_add(fs, NULL, "%s", MANIFEST);
	if (!text || hearth_buf_puts(text, MANIFEST_HEAD) < 0)
		return HEARTH_ERROR;
	for (i = 0; i < n; i++) {
		const site_file *f = fs->files[i];
		if (strchr(f->path, '\n'))
			return hearth_error_set(HEARTH_ECORRUPT,
				"cannot build the site: a file name holds a line break");
		if (hearth_buf_printf(text, "%016llx%016llx %zu %s\n", (unsigned long long)f->hash[0],
			    (unsigned long long)f->hash[1], f->data.size, f->path) < 0)
			return HEARTH_ERROR;
	}
	content_hash(text->ptr, text->size, fs->files[n]->hash);
	qsort(fs->files, (size_t)fs->n, sizeof *fs->files, cmp_file);
	return 0;
}

/* Files of the old tree (by its manifest `m`) that the new set has not, .gz included. */
static int manifest_removed(const manifest *m, const site_files *fs)
{
	int i, n = 0;

	for (i = 0; i < m->n; i++)
		if (!find_path(fs, m->e[i].path))
			n += 1 + is_text(m->e[i].path);
	return n;
}

/* Unlink w->dst (ENOENT is fine): the file may be a hard link shared with the published
 * site, so a changed file is always a new inode, never written into. */
static int unlink_dst(writer *w)
{
	if (unlink(w->dst.ptr) < 0 && errno != ENOENT)
		return io_error("remove", w->dst.ptr);
	return 0;
}

/* Link the published file of `f` (and its .gz) to w->dst when it still is what the published
 * manifest says (same size; the .gz with its mtime): 0 done, else nothing was linked. */
static int link_published(writer *w, const site_file *f, int text)
{
	struct stat st, gz;
	size_t n;

	hearth_buf_clear(&w->old);
	if (hearth_buf_printf(&w->old, "%s/%s", w->out_dir, f->path) < 0)
		return -1;
	if (lstat(w->old.ptr, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != f->data.size)
		return -1;
	if (text) {
		n = w->old.size;
		if (hearth_buf_puts(&w->old, ".gz") < 0)
			return -1;
		if (lstat(w->old.ptr, &gz) < 0 || !S_ISREG(gz.st_mode) ||
		    !same_time(gz.st_mtim, st.st_mtim))
			return -1;
		w->old.size = n, w->old.ptr[n] = 0;
	}
	if (link(w->old.ptr, w->dst.ptr) < 0)
		return -1;
	if (!text)
		return 0;
	n = w->dst.size;
	if (hearth_buf_puts(&w->old, ".gz") < 0 || hearth_buf_puts(&w->dst, ".gz") < 0 ||
	    link(w->old.ptr, w->dst.ptr) < 0) {
		w->dst.size = n, w->dst.ptr[n] = 0;
		unlink(w->dst.ptr);
		return -1;
	}
	return 0;
}

/* Remove file `rel` of the spare (w->tmp_dir) and its .gz, then its folders left empty. */
static int spare_remove(writer *w, const char *rel)
{
	size_t root;
	char *slash;
	int rc;

	hearth_buf_clear(&w->dst);
	if (hearth_buf_printf(&w->dst, "%s/", w->tmp_dir) < 0)
		return HEARTH_ERROR;
	root = w->dst.size;
	if (hearth_buf_puts(&w->dst, rel) < 0)
		return HEARTH_ERROR;
	if ((rc = unlink_dst(w)) != 0)
		return rc;
	if (is_text(rel) && (hearth_buf_puts(&w->dst, ".gz") < 0 || (rc = unlink_dst(w)) != 0))
		return rc ? rc : HEARTH_ERROR;
	while ((slash = strrchr(w->dst.ptr + root, '/')) != NULL) {
		*slash = 0;
		if (rmdir(w->dst.ptr) < 0)
			break;
	}
	return 0;
}

/*
 * Make the spare tree (renamed to w->tmp_dir; its manifest `sm`) hold the set `fs`: a file it
 * already holds is left alone; one the published site (manifest `pm`) holds is linked from it;
 * the rest is written (and compressed). The stats count against the published site, as a
 * build from it would.
 */
static int spare_update(writer *w, const site_files *fs, const manifest *pm, const manifest *sm)
{
	struct timespec mtime;
	int i, rc = 0;

	/* the written files are read again from the new manifest */
	hearth_buf_clear(&w->dir);
	for (i = 0; rc == 0 && i < fs->n; i++) {
		const site_file *f = fs->files[i];
		int text = is_text(f->path), published = manifest_has(pm, f);
		if (published)
			w->stats->files_unchanged += 1 + text;
		else
			w->stats->files_written += 1 + text;
		if (manifest_has(sm, f))
			continue;
		hearth_buf_clear(&w->dst);
		rc = hearth_buf_printf(&w->dst, "%s/%s", w->tmp_dir, f->path);
		if (rc == 0)
			rc = unlink_dst(w);
		if (rc == 0 && text) {
			size_t n = w->dst.size;
			rc = hearth_buf_puts(&w->dst, ".gz");
			if (rc == 0)
				rc = unlink_dst(w);
			w->dst.size = n, w->dst.ptr[n] = 0;
		}
		if (rc == 0)
			rc = make_parent(w, w->dst.ptr);
		if (rc || (published && link_published(w, f, text) == 0))
			continue;
		rc = write_file(w->dst.ptr, f->data.ptr, f->data.size, NULL, &mtime);
		if (rc == 0 && text)
			rc = hearth_buf_puts(&w->dst, ".gz");
		if (rc == 0 && text)
			rc = gz_write(w, f, mtime);
	}
	for (i = 0; rc == 0 && i < sm->n; i++)
		if (!find_path(fs, sm->e[i].path))
			rc = spare_remove(w, sm->e[i].path);
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

/* 1 if `path` is a marker as hearth writes it: a planted or empty file proves nothing. */
static int marker_is_hearths(const char *path)
{
	char text[sizeof(MARKER_TEXT) + 1];
	struct stat st;
	FILE *f;
	size_t n;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != (off_t)(sizeof(MARKER_TEXT) - 1) || !(f = fopen(path, "rb")))
		return 0;
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	return n == sizeof(MARKER_TEXT) - 1 && memcmp(text, MARKER_TEXT, n) == 0;
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
		return errno == ENOENT ? 0 : io_error(_("inspect"), out_dir);
	if (!S_ISDIR(st.st_mode))
		return hearth_error_set(HEARTH_EUSAGE,
			_("cannot build the site in '%s': not a folder (choose a new or empty folder)"),
			out_dir);
	d = opendir(out_dir);
	if (!d)
		return io_error(_("open folder"), out_dir);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	rc = hearth_buf_printf(&marker, "%s/%s", out_dir, MARKER);
	if (rc == 0 && !empty && !marker_is_hearths(marker.ptr))
		rc = hearth_error_set(HEARTH_EUSAGE,
			_("cannot build the site in '%s': the folder holds files hearth did not write "
			"(choose a new or empty folder)"),
			out_dir);
	hearth_buf_dispose(&marker);
	return rc;
}

/* The tree `dir` that the new site replaced: kept as the spare at `keep` when given (its
 * manifest is then valid), else removed, counting in *removed the files it had that `fs` has
 * not. */
static int retire(const site_files *fs, const char *dir, const char *keep, int *removed)
{
	if (keep && rename(dir, keep) == 0)
		return 0;
	return remove_counting(dir, keep ? NULL : fs, removed);
}

/* Move the new tree `tmp` to `out`, the old one aside and then to `keep` or away:
 * atomically where the system can exchange two folders. */
static int publish(const site_files *fs, const char *tmp, const char *out, const char *keep,
	int *removed)
{
	hearth_buf old = HEARTH_BUF_INIT;
	struct stat st;
	int rc;

	if (lstat(out, &st) < 0)
		return rename(tmp, out) < 0 ? io_error(_("publish"), out) : 0;
	if (exchange(tmp, out) == 0)
		return retire(fs, tmp, keep, removed);
	/* no atomic exchange here: two renames, the old site kept until the new is in */
	rc = hearth_buf_printf(&old, "%s.old", tmp);
	if (rc == 0)
		rc = remove_tree(old.ptr);
	if (rc == 0 && rename(out, old.ptr) < 0)
		rc = io_error(_("move aside"), out);
	if (rc == 0 && rename(tmp, out) < 0) {
		rc = io_error(_("publish"), out);
		rename(old.ptr, out);
	}
	if (rc == 0)
		rc = retire(fs, old.ptr, keep, removed);
	hearth_buf_dispose(&old);
	return rc;
}

/* The sibling folder `.<name>.<suffix>` of `out` (no trailing slash). */
static int sibling(hearth_buf *to, const hearth_buf *out, const char *suffix)
{
	const char *base = strrchr(out->ptr, '/');

	if (base)
		return hearth_buf_printf(to, "%.*s/.%s.%s", (int)(base - out->ptr), out->ptr, base + 1,
			suffix);
	return hearth_buf_printf(to, ".%s.%s", out->ptr, suffix);
}

/* 1 if there is a spare tree at `spare` that hearth wrote, with a valid manifest in *sm. A
 * spare that is hearth's but unusable is removed; anything else there is left alone. */
static int spare_open(manifest *sm, const char *spare)
{
	hearth_buf marker = HEARTH_BUF_INIT;
	struct stat st;
	int rc = 0, ours;

	if (lstat(spare, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	if (hearth_buf_printf(&marker, "%s/%s", spare, MARKER) < 0)
		return -1;
	ours = marker_is_hearths(marker.ptr);
	hearth_buf_dispose(&marker);
	if (ours)
		rc = manifest_load(sm, spare);
	if (ours && rc == 0)
		rc = remove_tree(spare);
	return rc;
}

/* Write the set into the spare tree, swap it in and keep the old site as the next spare. On
 * failure before the swap the published site is untouched; the caller removes w->tmp_dir. */
static int commit_spare(writer *w, site_files *fs, const manifest *pm, const manifest *sm,
	const char *spare, int *removed)
{
	int rc;

	if (rename(spare, w->tmp_dir) < 0)
		return io_error("move", spare);
	rc = spare_update(w, fs, pm, sm);
	if (rc == 0)
		rc = sync_tree(w->tmp_dir);
	if (rc == 0)
		rc = publish(fs, w->tmp_dir, w->out_dir, spare, removed);
	return rc;
}

int site_files_commit(site_files *fs, const char *out_arg, hearth_site_stats *stats)
{
	hearth_buf out = HEARTH_BUF_INIT, tmp = HEARTH_BUF_INIT, spare = HEARTH_BUF_INIT;
	manifest pm, sm;
	writer w;
	hearth_buf *marker;
	const char *base;
	struct stat st;
	int rc, i, removed = 0, have_pm = 0, have_sm = 0;

	memset(&w, 0, sizeof w);
	memset(&pm, 0, sizeof pm);
	memset(&sm, 0, sizeof sm);
	hearth_buf_init(&pm.text, 0);
	hearth_buf_init(&sm.text, 0);
	hearth_buf_init(&w.dst, 0);
	hearth_buf_init(&w.old, 0);
	hearth_buf_init(&w.gz, 0);
	hearth_buf_init(&w.dir, 0);
	w.stats = stats;
	rc = hearth_buf_puts(&out, out_arg);
	while (rc == 0 && out.size > 1 && out.ptr[out.size - 1] == '/')
		out.ptr[--out.size] = 0;
	if (rc)
		goto done;
	base = strrchr(out.ptr, '/');
	rc = sibling(&tmp, &out, "hearth-new");
	if (rc == 0)
		rc = sibling(&spare, &out, "hearth-spare");
	if (rc == 0 && (base ? base[1] == 0 : out.size == 0))
		rc = hearth_error_set(HEARTH_EUSAGE, _("cannot build the site in '%s': give a folder"),
			out_arg);
	if (rc == 0)
		rc = check_replaceable(out.ptr);
	if (rc)
		goto done;
	marker = site_files_add(fs, NULL, "%s", MARKER);
	if (!marker || hearth_buf_puts(marker, MARKER_TEXT) < 0) {
		rc = HEARTH_ERROR;
		goto done;
	}
	qsort(fs->files, (size_t)fs->n, sizeof *fs->files, cmp_file);
	for (i = 1; i < fs->n; i++)
		if (strcmp(fs->files[i - 1]->path, fs->files[i]->path) == 0) {
			rc = hearth_error_set(HEARTH_ECORRUPT, _("cannot build the site: two files at '%s'"),
				fs->files[i]->path);
			goto done;
		}
	if ((rc = manifest_add(fs)) != 0)
		goto done;
	/* a folder left by a build that crashed is only ever our own scratch space */
	rc = remove_tree(tmp.ptr);
	if (rc)
		goto done;
	w.out_dir = out.ptr, w.tmp_dir = tmp.ptr;
	w.have_old = lstat(out.ptr, &st) == 0;
	if (w.have_old && (rc = have_pm = manifest_load(&pm, out.ptr)) < 0)
		goto done;
	/* a spare belongs to the site it was replaced by: without that site it is stale */
	if ((rc = have_sm = spare_open(&sm, spare.ptr)) < 0)
		goto done;
	if (have_sm && have_pm) {
		rc = commit_spare(&w, fs, &pm, &sm, spare.ptr, &removed);
		if (rc == 0)
			goto published;
		/* the published site is untouched: build a whole new tree instead */
		stats->files_written = stats->files_unchanged = 0;
		if ((rc = remove_tree(tmp.ptr)) != 0)
			goto done;
	} else if (have_sm) {
		manifest_dispose(&sm);
		if ((rc = remove_tree(spare.ptr)) != 0)
			goto done;
	}
	rc = 0;
	if (mkdir(tmp.ptr, 0755) < 0)
		rc = io_error("create folder", tmp.ptr);
	hearth_buf_clear(&w.dir);
	for (i = 0; rc == 0 && i < fs->n; i++)
		rc = write_one(&w, fs->files[i]);
	if (rc == 0)
		rc = sync_tree(tmp.ptr);
	/* the old site becomes the spare when its manifest says what it holds, and no foreign
	 * folder has the spare's name */
	if (rc == 0)
		rc = publish(fs, tmp.ptr, out.ptr,
			have_pm && lstat(spare.ptr, &st) < 0 ? spare.ptr : NULL, &removed);
published:
	if (rc == 0)
		stats->files_removed = have_pm ? manifest_removed(&pm, fs) : removed;
done:
	if (rc && tmp.size)
		remove_tree(tmp.ptr);
	if (w.z_ready)
		deflateEnd(&w.z);
	manifest_dispose(&pm);
	manifest_dispose(&sm);
	hearth_buf_dispose(&w.dst);
	hearth_buf_dispose(&w.old);
	hearth_buf_dispose(&w.gz);
	hearth_buf_dispose(&w.dir);
	hearth_buf_dispose(&out);
	hearth_buf_dispose(&tmp);
	hearth_buf_dispose(&spare);
	return rc;
}
