/*
 * The manifest of a tree (`.hearth-manifest`: a 128-bit hash and the size of each file, sorted
 * by path) and the rebuild of the spare tree from it: a file the spare already holds is left
 * alone, one the published site holds is hard-linked from it, the rest is written, and the
 * files the new set has not are removed. See output.c for how the spare is swapped in.
 */
#define _GNU_SOURCE /* O_NOFOLLOW, st_mtim */
#include "output_int.h"
#include "core/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

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
void site_hash128(const char *p, size_t n, uint64_t out[2])
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

void site_out_manifest_dispose(manifest *m)
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
int site_out_manifest_load(manifest *m, const char *dir)
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
	site_hash128(m->text.ptr, m->text.size, m->hash);
	p = m->text.ptr, end = p + m->text.size;
	if (m->text.size < sizeof(MANIFEST_HEAD) - 1 ||
	    memcmp(p, MANIFEST_HEAD, sizeof(MANIFEST_HEAD) - 1) != 0)
		goto done;
	p += sizeof(MANIFEST_HEAD) - 1;
	while (p < end) {
		man_entry *e;
		char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		unsigned long long size;
		if (nl && m->n > 0 && nl - p == 36 && memcmp(p, "key ", 4) == 0) {
			e = &m->e[m->n - 1];
			if (e->has_key || parse_hex64(p + 4, &e->key[0]) < 0 ||
			    parse_hex64(p + 20, &e->key[1]) < 0)
				goto done;
			e->has_key = 1;
			p = nl + 1;
			continue;
		}
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
		e->has_key = 0;
		m->n++;
		p = nl + 1;
	}
	rc = 1;
done:
	if (fd >= 0)
		close(fd);
	hearth_buf_dispose(&path);
	if (rc != 1) {
		site_out_manifest_dispose(m);
		hearth_buf_init(&m->text, 0);
	}
	if (rc < 0)
		hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
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
int site_out_manifest_has(const manifest *m, const site_file *f)
{
	const man_entry *e;

	if (strcmp(f->path, MANIFEST) == 0)
		return m->text.size == f->data.size && m->hash[0] == f->hash[0] &&
		       m->hash[1] == f->hash[1];
	e = manifest_find(m, f->path);
	return e && e->size == site_file_size(f) && e->hash[0] == f->hash[0] &&
	       e->hash[1] == f->hash[1];
}

/* Hash every file of the sorted set and add the manifest listing them, keeping the set sorted. */
/* `h` as 32 lower-case hex digits at `p` ("%016llx%016llx"); returns the end. A manifest has a
 * line per file of the site (16,000 at 500 nodes), so printf's parsing of the format was most
 * of the cost of writing it. */
static char *hex128(char *p, const uint64_t h[2])
{
	static const char digits[] = "0123456789abcdef";
	int w, i;

	for (w = 0; w < 2; w++)
		for (i = 60; i >= 0; i -= 4)
			*p++ = digits[(h[w] >> i) & 15];
	return p;
}

/* One file's line: "<hash> <size> <path>\n", then "key <key>\n" if it has one. */
static int manifest_line(hearth_buf *text, const site_file *f)
{
	char line[32 + 1 + 20 + 1], digits[20], *p = hex128(line, f->hash);
	size_t size = site_file_size(f);
	int n = 0;

	*p++ = ' ';
	do
		digits[n++] = (char)('0' + size % 10);
	while ((size /= 10) > 0);
	while (n > 0)
		*p++ = digits[--n];
	*p++ = ' ';
	if (hearth_buf_put(text, line, (size_t)(p - line)) < 0 ||
	    hearth_buf_puts(text, f->path) < 0 || hearth_buf_putc(text, '\n') < 0)
		return HEARTH_ERROR;
	if (!f->has_key)
		return 0;
	memcpy(line, "key ", 4);
	p = hex128(line + 4, f->key);
	*p++ = '\n';
	return hearth_buf_put(text, line, (size_t)(p - line));
}

int site_out_manifest_add(site_files *fs)
{
	hearth_buf *text;
	int i, n = fs->n;

	for (i = 0; i < n; i++)
		if (!fs->files[i]->kept)
			site_hash128(fs->files[i]->data.ptr, fs->files[i]->data.size, fs->files[i]->hash);
	text = site_files_add(fs, NULL, "%s", MANIFEST);
	if (!text || hearth_buf_puts(text, MANIFEST_HEAD) < 0)
		return HEARTH_ERROR;
	for (i = 0; i < n; i++) {
		const site_file *f = fs->files[i];
		if (strchr(f->path, '\n'))
			return hearth_error_set(HEARTH_ECORRUPT,
				"cannot build the site: a file name holds a line break");
		if (manifest_line(text, f) < 0)
			return HEARTH_ERROR;
	}
	site_hash128(text->ptr, text->size, fs->files[n]->hash);
	qsort(fs->files, (size_t)fs->n, sizeof *fs->files, site_out_cmp_file);
	return 0;
}

/* Files of the old tree (by its manifest `m`) that the new set has not, .gz included. */
int site_out_manifest_removed(const manifest *m, const site_files *fs)
{
	int i, n = 0;

	for (i = 0; i < m->n; i++)
		if (!site_out_find_path(fs, m->e[i].path))
			n += 1 + site_out_is_text(m->e[i].path);
	return n;
}

/* Unlink w->dst (ENOENT is fine): the file may be a hard link shared with the published
 * site, so a changed file is always a new inode, never written into. */
static int unlink_dst(writer *w)
{
	if (unlink(w->dst.ptr) < 0 && errno != ENOENT)
		return site_out_io_error(_("remove"), w->dst.ptr);
	return 0;
}

/* Link the published file of `f` (and its .gz) to w->dst when it still is what the published
 * manifest says (same size; the .gz with its mtime): 0 done, else nothing was linked. */
int site_out_link_published(writer *w, const site_file *f, int text)
{
	struct stat st, gz;
	size_t n;

	hearth_buf_clear(&w->old);
	if (hearth_buf_printf(&w->old, "%s/%s", w->out_dir, f->path) < 0)
		return -1;
	if (lstat(w->old.ptr, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size != site_file_size(f))
		return -1;
	if (text) {
		n = w->old.size;
		if (hearth_buf_puts(&w->old, ".gz") < 0)
			return -1;
		if (lstat(w->old.ptr, &gz) < 0 || !S_ISREG(gz.st_mode) ||
		    !site_out_same_time(gz.st_mtim, st.st_mtim))
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
	if (site_out_is_text(rel) &&
	    (hearth_buf_puts(&w->dst, ".gz") < 0 || (rc = unlink_dst(w)) != 0))
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
int site_out_spare_update(writer *w, const site_files *fs, const manifest *pm, const manifest *sm)
{
	struct timespec mtime;
	int i, rc = 0;

	/* the written files are read again from the new manifest */
	hearth_buf_clear(&w->dir);
	for (i = 0; rc == 0 && i < fs->n; i++) {
		const site_file *f = fs->files[i];
		int text = site_out_is_text(f->path), published = site_out_manifest_has(pm, f);
		if (f->kept && !published)
			return SITE_OUT_STALE;
		if (published)
			w->stats->files_unchanged += 1 + text;
		else
			w->stats->files_written += 1 + text;
		if (site_out_manifest_has(sm, f))
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
			rc = site_out_make_parent(w, w->dst.ptr);
		if (rc || (published && site_out_link_published(w, f, text) == 0))
			continue;
		/* a kept file has no bytes to write: the pages are rendered again */
		if (f->kept)
			return SITE_OUT_STALE;
		rc = site_out_write_file(w->dst.ptr, f->data.ptr, f->data.size, NULL, &mtime);
		if (rc == 0 && text)
			rc = hearth_buf_puts(&w->dst, ".gz");
		if (rc == 0 && text)
			rc = site_out_gz_write(w, f, mtime);
	}
	for (i = 0; rc == 0 && i < sm->n; i++)
		if (!site_out_find_path(fs, sm->e[i].path))
			rc = spare_remove(w, sm->e[i].path);
	return rc;
}

/* ---- the published tree's manifest, for the pages a build keeps (keys.c) -------------------- */

int site_prev_load(site_prev **prev, const char *out_dir)
{
	site_prev *p = calloc(1, sizeof *p);
	int rc;

	*prev = NULL;
	if (!p)
		return hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
	rc = site_out_manifest_load(&p->m, out_dir);
	if (rc == 1)
		*prev = p;
	else
		free(p);
	return rc < 0 ? rc : 0;
}

void site_prev_free(site_prev *prev)
{
	if (!prev)
		return;
	site_out_manifest_dispose(&prev->m);
	free(prev);
}

int site_keep(site_ctx *ctx, const uint64_t key[2], const char *lastmod,
	const char *const *paths, int n)
{
	const site_prev *prev = ctx->keys ? ctx->keys->prev : NULL;
	const man_entry *e;
	int i;

	if (!prev || n < 1)
		return 0;
	for (i = 0; i < n; i++)
		if (!(e = manifest_find(&prev->m, paths[i])))
			return 0;
		else if (i == 0 && (!e->has_key || e->key[0] != key[0] || e->key[1] != key[1]))
			return 0;
	for (i = 0; i < n; i++) {
		site_file *f;
		e = manifest_find(&prev->m, paths[i]);
		if (!site_files_add(ctx->files, i == 0 ? lastmod : NULL, "%s", paths[i]))
			return HEARTH_ERROR;
		f = ctx->files->files[ctx->files->n - 1];
		f->kept = 1;
		f->kept_size = e->size;
		f->hash[0] = e->hash[0], f->hash[1] = e->hash[1];
		if (i == 0) {
			f->has_key = 1;
			f->key[0] = key[0], f->key[1] = key[1];
		}
	}
	return 1;
}
