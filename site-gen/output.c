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
 *
 * The .gz files are compressed on a second thread while this one writes the text files, then
 * by both (output_write.c); the tree is synced and swapped only after both are done.
 *
 * This file holds the set and the swap; writing, compressing and removing files are in
 * output_write.c, the manifest and the rebuild of the spare in output_manifest.c.
 */
#define _GNU_SOURCE /* syscall */
#include "output_int.h"
#include "core/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

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

int site_out_cmp_file(const void *a, const void *b)
{
	return strcmp((*(const site_file *const *)a)->path, (*(const site_file *const *)b)->path);
}

int site_out_find_path(const site_files *fs, const char *path)
{
	site_file key;
	const site_file *keyp = &key;

	key.path = (char *)path;
	return bsearch(&keyp, fs->files, (size_t)fs->n, sizeof keyp, site_out_cmp_file) != NULL;
}

/* 1 if the sorted set has the file at `rel`, or the text file whose .gz `rel` is. */
int site_out_in_set(const site_files *fs, hearth_buf *rel)
{
	int found;

	if (rel->size > 3 && strcmp(rel->ptr + rel->size - 3, ".gz") == 0) {
		rel->ptr[rel->size - 3] = 0;
		found = site_out_is_text(rel->ptr) && site_out_find_path(fs, rel->ptr);
		rel->ptr[rel->size - 3] = '.';
		return found;
	}
	return site_out_find_path(fs, rel->ptr);
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
		return errno == ENOENT ? 0 : site_out_io_error(_("inspect"), out_dir);
	if (!S_ISDIR(st.st_mode))
		return hearth_error_set(HEARTH_EUSAGE,
			_("cannot build the site in '%s': not a folder (choose a new or empty folder)"),
			out_dir);
	d = opendir(out_dir);
	if (!d)
		return site_out_io_error(_("open folder"), out_dir);
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
	return site_out_remove_counting(dir, keep ? NULL : fs, removed);
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
		return rename(tmp, out) < 0 ? site_out_io_error(_("publish"), out) : 0;
	if (exchange(tmp, out) == 0)
		return retire(fs, tmp, keep, removed);
	/* no atomic exchange here: two renames, the old site kept until the new is in */
	rc = hearth_buf_printf(&old, "%s.old", tmp);
	if (rc == 0)
		rc = site_out_remove_tree(old.ptr);
	if (rc == 0 && rename(out, old.ptr) < 0)
		rc = site_out_io_error(_("move aside"), out);
	if (rc == 0 && rename(tmp, out) < 0) {
		rc = site_out_io_error(_("publish"), out);
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
		rc = site_out_manifest_load(sm, spare);
	if (ours && rc == 0)
		rc = site_out_remove_tree(spare);
	return rc;
}

/* Write the set into the spare tree, swap it in and keep the old site as the next spare. On
 * failure before the swap the published site is untouched; the caller removes w->tmp_dir. */
static int commit_spare(writer *w, site_files *fs, const manifest *pm, const manifest *sm,
	const char *spare, int *removed)
{
	gz_queue q;
	int rc, grc;

	if (rename(spare, w->tmp_dir) < 0)
		return site_out_io_error(_("move"), spare);
	site_out_gz_start(w, &q);
	rc = site_out_spare_update(w, fs, pm, sm);
	grc = site_out_gz_finish(w);
	if (rc == 0)
		rc = grc;
	if (rc == 0)
		rc = site_out_sync_tree(w->tmp_dir);
	if (rc == 0)
		rc = publish(fs, w->tmp_dir, w->out_dir, spare, removed);
	return rc;
}

int site_files_commit(site_files *fs, const char *out_arg, hearth_site_stats *stats)
{
	hearth_buf out = HEARTH_BUF_INIT, tmp = HEARTH_BUF_INIT, spare = HEARTH_BUF_INIT;
	manifest pm, sm;
	writer w;
	gz_queue gzq;
	hearth_buf *marker;
	const char *base;
	struct stat st;
	int rc, grc, i, removed = 0, have_pm = 0, have_sm = 0;

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
	qsort(fs->files, (size_t)fs->n, sizeof *fs->files, site_out_cmp_file);
	for (i = 1; i < fs->n; i++)
		if (strcmp(fs->files[i - 1]->path, fs->files[i]->path) == 0) {
			rc = hearth_error_set(HEARTH_ECORRUPT, _("cannot build the site: two files at '%s'"),
				fs->files[i]->path);
			goto done;
		}
	if ((rc = site_out_manifest_add(fs)) != 0)
		goto done;
	/* a folder left by a build that crashed is only ever our own scratch space */
	rc = site_out_remove_tree(tmp.ptr);
	if (rc)
		goto done;
	w.out_dir = out.ptr, w.tmp_dir = tmp.ptr;
	w.have_old = lstat(out.ptr, &st) == 0;
	if (w.have_old && (rc = have_pm = site_out_manifest_load(&pm, out.ptr)) < 0)
		goto done;
	/* the pages kept without rendering must still be in the published tree as they were
	 * when the set was made; else the caller renders them */
	for (i = 0, rc = 0; i < fs->n; i++)
		if (fs->files[i]->kept && !(have_pm && site_out_manifest_has(&pm, fs->files[i]))) {
			rc = SITE_OUT_STALE;
			goto done;
		}
	/* a spare belongs to the site it was replaced by: without that site it is stale */
	if ((rc = have_sm = spare_open(&sm, spare.ptr)) < 0)
		goto done;
	if (have_sm && have_pm) {
		rc = commit_spare(&w, fs, &pm, &sm, spare.ptr, &removed);
		if (rc == 0)
			goto published;
		if (rc == SITE_OUT_STALE)
			goto done;
		/* the published site is untouched: build a whole new tree instead */
		stats->files_written = stats->files_unchanged = 0;
		if ((rc = site_out_remove_tree(tmp.ptr)) != 0)
			goto done;
	} else if (have_sm) {
		site_out_manifest_dispose(&sm);
		if ((rc = site_out_remove_tree(spare.ptr)) != 0)
			goto done;
	}
	rc = 0;
	if (mkdir(tmp.ptr, 0755) < 0)
		rc = site_out_io_error("create folder", tmp.ptr);
	hearth_buf_clear(&w.dir);
	if (rc == 0)
		site_out_gz_start(&w, &gzq);
	for (i = 0; rc == 0 && i < fs->n; i++)
		rc = site_out_write_one(&w, fs->files[i]);
	grc = site_out_gz_finish(&w);
	if (rc == 0)
		rc = grc;
	if (rc == 0)
		rc = site_out_sync_tree(tmp.ptr);
	/* the old site becomes the spare when its manifest says what it holds, and no foreign
	 * folder has the spare's name */
	if (rc == 0)
		rc = publish(fs, tmp.ptr, out.ptr,
			have_pm && lstat(spare.ptr, &st) < 0 ? spare.ptr : NULL, &removed);
published:
	if (rc == 0)
		stats->files_removed = have_pm ? site_out_manifest_removed(&pm, fs) : removed;
done:
	/* the second thread writes into the new tree: it has stopped before the tree goes */
	site_out_gz_finish(&w);
	if (rc && tmp.size)
		site_out_remove_tree(tmp.ptr);
	if (w.z_ready)
		deflateEnd(&w.z);
	site_out_manifest_dispose(&pm);
	site_out_manifest_dispose(&sm);
	hearth_buf_dispose(&w.dst);
	hearth_buf_dispose(&w.old);
	hearth_buf_dispose(&w.gz);
	hearth_buf_dispose(&w.dir);
	hearth_buf_dispose(&out);
	hearth_buf_dispose(&tmp);
	hearth_buf_dispose(&spare);
	return rc;
}
