/*
 * Whole-site tests on a real schema-v1 database holding a small Changzhi world (fixture.sql):
 * byte-identical rebuilds, minimal rewrites when one centre changes, removal of deleted
 * records, atomic replacement, .gz companions, privacy (no private marker in any file, content/
 * and .gz included), hostile text, internal links, page size.
 *
 * usage: test_site_build SCHEMA.sql FIXTURE.sql
 *        test_site_build --emit DIR SCHEMA.sql FIXTURE.sql   (build the fixture site into DIR,
 *                                                             for the browser test)
 */
#include "site-gen/site_int.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char *schema_path, *fixture_path;
static char scratch[512];

/* ---- helpers ------------------------------------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	if (len)
		*len = (size_t)n;
	fclose(f);
	return buf;
}

static sqlite3 *open_world(const char *extra_sql)
{
	sqlite3 *db = NULL;
	char *err = NULL, *schema = slurp(schema_path, NULL), *fixture = slurp(fixture_path, NULL);

	if (!schema || !fixture || sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, schema, NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(db, fixture, NULL, NULL, &err) != SQLITE_OK ||
	    (extra_sql && sqlite3_exec(db, extra_sql, NULL, NULL, &err) != SQLITE_OK)) {
		diag("cannot make the fixture database: %s", err ? err : "missing file");
		sqlite3_free(err);
		exit(1);
	}
	free(schema);
	free(fixture);
	return db;
}

static void run(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		diag("sql failed: %s", err);
		exit(1);
	}
}

static int build(sqlite3 *db, const char *dir, hearth_site_stats *st)
{
	hearth_site_opts opts = { "https://care.example", 0 };
	int rc = hearth_site_build_sqlite(db, dir, &opts, st);

	if (rc)
		diag("build failed: %d %s", rc, hearth_error_last());
	return rc;
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", scratch, name);
}

typedef struct {
	char path[600];
	ino_t ino;
	struct timespec mtime;
	off_t size;
} entry;

typedef struct {
	entry *e;
	int n, alloc;
} tree;

static void walk(tree *t, const char *root, const char *rel)
{
	char dir[4096], child[4096], sub[600];
	struct dirent *d;
	DIR *h;

	snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel);
	h = opendir(dir);
	while (h && (d = readdir(h)) != NULL) {
		struct stat st;
		if (d->d_name[0] == '.' && (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
			continue;
		snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", d->d_name);
		snprintf(child, sizeof child, "%s/%s", root, sub);
		if (lstat(child, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(t, root, sub);
			continue;
		}
		if (t->n == t->alloc) {
			t->alloc = t->alloc ? t->alloc * 2 : 512;
			t->e = realloc(t->e, sizeof *t->e * (size_t)t->alloc);
		}
		snprintf(t->e[t->n].path, sizeof t->e[t->n].path, "%s", sub);
		t->e[t->n].ino = st.st_ino;
		t->e[t->n].mtime = st.st_mtim;
		t->e[t->n].size = st.st_size;
		t->n++;
	}
	if (h)
		closedir(h);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

static tree scan(const char *root)
{
	tree t = { NULL, 0, 0 };

	walk(&t, root, "");
	qsort(t.e, (size_t)t.n, sizeof *t.e, cmp_entry);
	return t;
}

static const entry *find(const tree *t, const char *path)
{
	entry key;

	snprintf(key.path, sizeof key.path, "%s", path);
	return bsearch(&key, t->e, (size_t)t->n, sizeof key, cmp_entry);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char *read_rel(const char *root, const char *rel, size_t *len)
{
	char p[4096];

	snprintf(p, sizeof p, "%s/%s", root, rel);
	return slurp(p, len);
}

/* gunzip a whole .gz file; NULL if it is not valid gzip */
static char *gunzip(const char *data, size_t len, size_t *out_len)
{
	size_t cap = len * 4 + 1024;
	char *out = malloc(cap + 1);
	z_stream z;
	int r = Z_OK;

	memset(&z, 0, sizeof z);
	if (!out || inflateInit2(&z, 15 + 16) != Z_OK)
		return NULL;
	z.next_in = (Bytef *)data, z.avail_in = (uInt)len;
	while (r == Z_OK) {
		char *grown;
		z.next_out = (Bytef *)out + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		r = inflate(&z, Z_NO_FLUSH);
		if (r == Z_OK || (r == Z_BUF_ERROR && z.avail_out == 0)) {
			cap *= 2;
			grown = realloc(out, cap + 1);
			if (!grown)
				break;
			out = grown;
			r = Z_OK;
		}
	}
	*out_len = z.total_out;
	inflateEnd(&z);
	if (r != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	out[*out_len] = 0;
	return out;
}

static int same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static int is_text(const char *p)
{
	static const char *const ext[] = { ".html", ".css", ".js", ".json", ".csv", ".xml", ".ics",
		".txt", ".svg", ".md", ".atom" };
	size_t i;

	for (i = 0; i < sizeof ext / sizeof ext[0]; i++)
		if (ends_with(p, ext[i]))
			return 1;
	return 0;
}

static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t k, len;
		uint32_t cp;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 1, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 2, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 3, cp = s[i] & 0x07;
		else
			return 0;
		if (i + len >= n)
			return 0;
		for (k = 1; k <= len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x800) || (len == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += len + 1;
	}
	return 1;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_deterministic(void)
{
	char a[600], b[600];
	hearth_site_stats s1, s2, s3;
	sqlite3 *db = open_world(NULL);
	tree ta, tb, ta2;
	int i, same = 1, gz_ok = 1, gz_time = 1, kept = 1;

	path_of(a, sizeof a, "a");
	path_of(b, sizeof b, "b");
	ok(build(db, a, &s1) == 0, "first build succeeds");
	ok(s1.pages > 50 && s1.files_written > 100 && s1.files_unchanged == 0,
		"first build writes everything (%d pages, %d files)", s1.pages, s1.files_written);
	ok(build(db, b, &s2) == 0, "second build into another folder succeeds");
	ta = scan(a);
	tb = scan(b);
	is_int(ta.n, tb.n, "both builds have the same files");
	for (i = 0; i < ta.n && i < tb.n; i++) {
		size_t la, lb;
		char *x = read_rel(a, ta.e[i].path, &la), *y = read_rel(b, tb.e[i].path, &lb);
		if (strcmp(ta.e[i].path, tb.e[i].path) != 0 || !x || !y || la != lb ||
		    memcmp(x, y, la) != 0) {
			if (same)
				diag("differs: %s", ta.e[i].path);
			same = 0;
		}
		free(x);
		free(y);
	}
	ok(same, "identical data gives byte-identical output");

	/* every text file has a .gz of the same bytes and the same mtime */
	for (i = 0; i < ta.n; i++) {
		char gzp[700];
		const entry *g;
		size_t lsrc, lgz, lun;
		char *src, *gz, *un;
		if (!is_text(ta.e[i].path))
			continue;
		snprintf(gzp, sizeof gzp, "%s.gz", ta.e[i].path);
		g = find(&ta, gzp);
		if (!g) {
			if (gz_ok)
				diag("no .gz for %s", ta.e[i].path);
			gz_ok = 0;
			continue;
		}
		if (!same_time(g->mtime, ta.e[i].mtime))
			gz_time = 0;
		src = read_rel(a, ta.e[i].path, &lsrc);
		gz = read_rel(a, gzp, &lgz);
		un = gz ? gunzip(gz, lgz, &lun) : NULL;
		if (!un || lun != lsrc || memcmp(un, src, lsrc) != 0 || (unsigned char)gz[8] != 2) {
			if (gz_ok)
				diag("bad .gz for %s", ta.e[i].path);
			gz_ok = 0;
		}
		free(src);
		free(gz);
		free(un);
	}
	ok(gz_ok, "every text file has a .gz holding its bytes, compressed at level 9");
	ok(gz_time, "every .gz has its source's mtime");

	sleep(1); /* so a rewritten file would show a new mtime */
	ok(build(db, a, &s3) == 0, "rebuild in place succeeds");
	is_int(s3.files_written, 0, "rebuild of identical data writes nothing");
	is_int(s3.files_unchanged, ta.n, "rebuild keeps every file");
	is_int(s3.files_removed, 0, "rebuild removes nothing");
	ta2 = scan(a);
	for (i = 0; i < ta2.n; i++) {
		const entry *o = find(&ta, ta2.e[i].path);
		if (!o || o->ino != ta2.e[i].ino || !same_time(o->mtime, ta2.e[i].mtime))
			kept = 0;
	}
	ok(kept && ta2.n == ta.n, "unchanged files keep their inode and mtime");
	free(ta.e);
	free(tb.e);
	free(ta2.e);
	sqlite3_close(db);
}

/* Paths allowed to change when centre xiaoxiangwan changes its name: its own pages, the
 * listings and indexes that show it, the open data of `node`, and their .gz and content/. */
static int allowed_change(const char *p)
{
	static const char *const allowed[] = { "centres/index.html", "centres/county-luzhou.html",
		"centres/age-1-2.html", "centres/age-2-3.html", "centres/care-full_day.html",
		"site-index.html", "coverage.html", "data/node.csv", "data/node-excel.csv",
		"data/node.json", "fuyou.html", NULL };
	char base[700];
	size_t i;

	snprintf(base, sizeof base, "%s", p);
	if (ends_with(base, ".gz"))
		base[strlen(base) - 3] = 0;
	if (strncmp(base, "content/", 8) == 0) {
		memmove(base, base + 8, strlen(base + 8) + 1);
		if (ends_with(base, ".md"))
			strcpy(base + strlen(base) - 3, ".html");
	}
	if (strncmp(base, "en/", 3) == 0)
		memmove(base, base + 3, strlen(base + 3) + 1);
	if (strstr(base, "xiaoxiangwan") || strncmp(base, "search/", 7) == 0 ||
	    strcmp(base, ".hearth-manifest") == 0)
		return 1;
	for (i = 0; allowed[i]; i++)
		if (ends_with(base, allowed[i]))
			return 1;
	return 0;
}

static void test_minimal_rewrite(void)
{
	char a[600];
	hearth_site_stats s1, s2;
	sqlite3 *db = open_world(NULL);
	tree before, after;
	int i, only_allowed = 1, changed = 0;
	const char *must_change[] = { "centres/xiaoxiangwan.html", "centres/xiaoxiangwan.html.gz",
		"en/centres/xiaoxiangwan.html", "centres/index.html", "centres/county-luzhou.html",
		"content/centres/xiaoxiangwan.md", "data/node.csv", NULL };
	const char *must_stay[] = { "centres/lucai.html", "centres/lucai.html.gz", "about.html",
		"assets/site.css", "events/index.html", "centres/county-qinyuan.html", "index.html",
		"centres/age-0-1.html", "data/event.json", NULL };

	path_of(a, sizeof a, "m");
	ok(build(db, a, &s1) == 0, "build before the change");
	before = scan(a);
	sleep(1);
	run(db, "UPDATE node SET name = '小象湾托育中心（紫苑园）' WHERE id = 'xiaoxiangwan'");
	ok(build(db, a, &s2) == 0, "build after renaming one centre");
	after = scan(a);
	is_int(after.n, before.n, "same number of files");
	for (i = 0; i < after.n; i++) {
		const entry *o = find(&before, after.e[i].path);
		if (o && o->ino == after.e[i].ino && same_time(o->mtime, after.e[i].mtime))
			continue;
		changed++;
		if (!allowed_change(after.e[i].path)) {
			diag("changed but should not have: %s", after.e[i].path);
			only_allowed = 0;
		}
	}
	ok(only_allowed, "only its pages, the listings and indexes showing it changed (%d files)",
		changed);
	is_int(s2.files_written, changed, "stats count the rewritten files");
	for (i = 0; must_change[i]; i++) {
		const entry *o = find(&before, must_change[i]), *n = find(&after, must_change[i]);
		ok(o && n && (o->ino != n->ino || !same_time(o->mtime, n->mtime)), "changed: %s",
			must_change[i]);
	}
	for (i = 0; must_stay[i]; i++) {
		const entry *o = find(&before, must_stay[i]), *n = find(&after, must_stay[i]);
		ok(o && n && o->ino == n->ino && same_time(o->mtime, n->mtime), "kept: %s",
			must_stay[i]);
	}
	free(before.e);
	free(after.e);

	/* deleting a record removes its pages */
	run(db, "DELETE FROM event WHERE owner = 'qimingxing'; DELETE FROM care_class WHERE owner = "
		"'qimingxing'; DELETE FROM care_offer WHERE owner = 'qimingxing'; DELETE FROM node WHERE "
		"id = 'qimingxing'");
	ok(build(db, a, &s2) == 0, "build after deleting a centre");
	after = scan(a);
	ok(!find(&after, "centres/qimingxing.html") && !find(&after, "en/centres/qimingxing.html") &&
		   !find(&after, "centres/qimingxing.html.gz") &&
		   !find(&after, "content/centres/qimingxing.md") &&
		   !find(&after, "events/qimingxing/ev01.html") &&
		   !find(&after, "events/qimingxing/ev01.ics"),
		"pages, summaries and .ics of deleted records are removed");
	ok(s2.files_removed >= 10, "stats count removed files (%d)", s2.files_removed);
	free(after.e);
	sqlite3_close(db);
}

static void remove_tree(const char *path);

/* A rebuild through the spare tree (the third build into a folder on) gives the same bytes as
 * a build from nothing, touches only the files the change shows in, and leaves the spare
 * beside the site, outside it. */
static int same_trees(const char *a, const char *b)
{
	tree ta = scan(a), tb = scan(b);
	int i, same = ta.n == tb.n;

	if (!same)
		diag("%d files against %d", ta.n, tb.n);
	for (i = 0; same && i < ta.n; i++) {
		size_t la, lb;
		char *x = read_rel(a, ta.e[i].path, &la), *y = read_rel(b, tb.e[i].path, &lb);
		if (strcmp(ta.e[i].path, tb.e[i].path) != 0 || !x || !y || la != lb ||
		    memcmp(x, y, la) != 0) {
			diag("differs: %s", ta.e[i].path);
			same = 0;
		}
		free(x);
		free(y);
	}
	free(ta.e);
	free(tb.e);
	return same;
}

static void test_incremental(void)
{
	char a[600], b[600], spare[600];
	hearth_site_stats st, sb;
	sqlite3 *db = open_world(NULL);
	tree before, after;
	int i, r, changed, only_allowed = 1;

	path_of(a, sizeof a, "inc");
	path_of(b, sizeof b, "inc-full");
	path_of(spare, sizeof spare, ".inc.hearth-spare");
	ok(build(db, a, &st) == 0 && access(spare, F_OK) != 0, "a first build leaves no spare");
	for (r = 0; r < 4; r++) {
		char sql[300];
		before = scan(a);
		sleep(1);
		snprintf(sql, sizeof sql,
			"UPDATE node SET name = '小象湾托育中心 %d' WHERE id = 'xiaoxiangwan'", r);
		run(db, sql);
		ok(build(db, a, &st) == 0, "rebuild %d after renaming one centre", r + 1);
		ok(access(spare, F_OK) == 0, "rebuild %d keeps the previous site as the spare", r + 1);
		after = scan(a);
		changed = 0;
		for (i = 0; i < after.n; i++) {
			const entry *o = find(&before, after.e[i].path);
			if (o && o->ino == after.e[i].ino && same_time(o->mtime, after.e[i].mtime))
				continue;
			changed++;
			if (!allowed_change(after.e[i].path)) {
				diag("rebuild %d changed %s", r + 1, after.e[i].path);
				only_allowed = 0;
			}
		}
		ok(changed > 10 && changed == st.files_written,
			"rebuild %d rewrote %d files and counted %d", r + 1, changed, st.files_written);
		is_int(st.files_unchanged, after.n - changed, "rebuild %d counts the kept files", r + 1);
		free(before.e);
		free(after.e);
		remove_tree(b);
		ok(build(db, b, &sb) == 0 && same_trees(a, b),
			"rebuild %d gives the bytes of a build from nothing", r + 1);
	}
	ok(only_allowed, "only the pages showing the centre changed, in every rebuild");
	/* deleting a centre through the spare */
	run(db, "DELETE FROM event WHERE owner = 'qimingxing'; DELETE FROM care_class WHERE owner = "
		"'qimingxing'; DELETE FROM care_offer WHERE owner = 'qimingxing'; DELETE FROM node WHERE "
		"id = 'qimingxing'");
	ok(build(db, a, &st) == 0, "rebuild after deleting a centre");
	ok(st.files_removed >= 10, "it removes %d files", st.files_removed);
	remove_tree(b);
	ok(build(db, b, &sb) == 0 && same_trees(a, b), "and gives the bytes of a build from nothing");
	/* identical data: nothing written, and the spare path keeps every inode */
	before = scan(a);
	ok(build(db, a, &st) == 0, "rebuild of identical data");
	ok(st.files_written == 0 && st.files_unchanged == before.n,
		"it writes nothing (%d kept, %d written, %d files)", st.files_unchanged,
		st.files_written, before.n);
	after = scan(a);
	changed = 0;
	for (i = 0; i < after.n; i++) {
		const entry *o = find(&before, after.e[i].path);
		if (!o || o->ino != after.e[i].ino || !same_time(o->mtime, after.e[i].mtime))
			changed++;
	}
	is_int(changed, 0, "and every file keeps its inode and mtime");
	free(before.e);
	free(after.e);
	sqlite3_close(db);
}

/* ---- pages kept by their input key ------------------------------------------------------ */

/* The keyed pages and .ics a build rendered (site_render_hook): the rest were kept. */
static char rendered[512][200];
static int nrendered;

static void on_render(const char *path)
{
	if (nrendered < 512)
		snprintf(rendered[nrendered++], sizeof rendered[0], "%s", path);
}

static int was_rendered(const char *path)
{
	int i;

	for (i = 0; i < nrendered; i++)
		if (strcmp(rendered[i], path) == 0)
			return 1;
	return 0;
}

/* The aggregates keyed on what they show (the directory, the events list, the search index,
 * open data): not one page per row. */
static int is_aggregate(const char *path)
{
	if (strncmp(path, "en/", 3) == 0)
		path += 3;
	return strncmp(path, "search/", 7) == 0 || strncmp(path, "data/", 5) == 0 ||
	       strcmp(path, "centres/index.html") == 0 || strcmp(path, "events/index.html") == 0 ||
	       strncmp(path, "centres/county-", 15) == 0 || strncmp(path, "centres/age-", 12) == 0 ||
	       strncmp(path, "centres/care-", 13) == 0;
}

/* The pages of one row (a centre, an event) and .ics the last build rendered. */
static int rendered_rows(void)
{
	int i, n = 0;

	for (i = 0; i < nrendered; i++)
		n += !is_aggregate(rendered[i]);
	return n;
}

static int build_at(sqlite3 *db, const char *dir, uint64_t now_ms)
{
	hearth_site_opts opts = { "https://care.example", now_ms };
	hearth_site_stats st;
	int rc;

	nrendered = 0;
	rc = hearth_site_build_sqlite(db, dir, &opts, &st);
	if (rc)
		diag("build failed: %d %s", rc, hearth_error_last());
	return rc;
}

/* 2026-11-28 12:00 China time: a day the fixture's data is fresh in */
#define KEY_NOW 1795838400000ULL

/* How many pages and .ics the manifest of the tree at `dir` holds a key for. */
static int count_keys(const char *dir)
{
	char *text = read_rel(dir, ".hearth-manifest", NULL), *p;
	int n = 0;

	for (p = text; p && (p = strstr(p, "\nkey ")) != NULL; p++)
		n++;
	free(text);
	return n;
}

typedef struct {
	const char *what, *sql;
	const char *render[8];  /* keyed pages that must be rendered (both languages) */
	const char *keep[8];    /* keyed pages that must be kept */
} key_change;

static void test_render_keys(void)
{
	static const key_change changes[] = {
		{ "rename a centre", "UPDATE node SET name = '小象湾托育中心（新）' WHERE id = 'xiaoxiangwan'",
		  { "centres/xiaoxiangwan.html", "centres/fuyou.html", NULL },
		  { "centres/lucai.html", "centres/donghua.html", "events/donghua/ev01.html",
		    "events/donghua/ev01.ics", NULL } },
		{ "change a vacancy", "INSERT INTO enrolment (owner, id, child_id, class_id, mode, "
		  "starts_on, ends_on) VALUES ('lucai', 'e05', 'k02', 'c02', 'full_day', '2026-03-01', NULL)",
		  { "centres/lucai.html", NULL },
		  { "centres/xiaoxiangwan.html", "centres/fuyou.html", "events/qimingxing/ev01.html", NULL } },
		{ "add an event", "INSERT INTO event (owner, id, kind, title, title_en, starts_at, ends_at, "
		  "place, audience, description_md, public) VALUES ('lucai', 'ev09', 'health_lecture', "
		  "'科学育儿讲座', NULL, '2026-12-28T09:00:00+08:00', NULL, NULL, 'all', NULL, 1)",
		  { "centres/lucai.html", "events/lucai/ev09.html", "events/lucai/ev09.ics", NULL },
		  { "centres/xiaoxiangwan.html", "events/donghua/ev01.html", "events/donghua/ev01.ics",
		    NULL } },
		{ "remove an event", "DELETE FROM event WHERE owner = 'guangchangdong' AND id = 'ev01'",
		  { "centres/guangchangdong.html", NULL },
		  { "centres/lucai.html", "events/lucai/ev09.html", "events/donghua/ev01.ics", NULL } },
		{ "move an event", "UPDATE event SET starts_at = '2026-12-06T09:00:00+08:00' "
		  "WHERE owner = 'donghua' AND id = 'ev01'",
		  { "centres/donghua.html", "events/donghua/ev01.html", "events/donghua/ev01.ics", NULL },
		  { "centres/lucai.html", "events/lucai/ev09.html", "events/lucai/ev09.ics", NULL } },
		{ "rename a county", "UPDATE region SET name = '潞州城区', name_en = 'Luzhou City' "
		  "WHERE id = 'luzhou'",
		  { "centres/lucai.html", "centres/xiaoxiangwan.html", "centres/qimingxing.html",
		    "centres/fuyou.html", NULL },
		  { "centres/donghua.html", "events/lucai/ev09.html", "events/lucai/ev09.ics", NULL } },
		{ "rename a service type", "UPDATE service_type SET name = '全日托育', name_en = 'Full day' "
		  "WHERE id = 'full_day'",
		  { "centres/lucai.html", "centres/xiaoxiangwan.html", "centres/qimingxing.html", NULL },
		  { "centres/fuyou.html", "centres/donghua.html", "events/donghua/ev01.html", NULL } },
		{ "rename a team", "UPDATE volunteer_team SET name = '红扳手维修服务队' WHERE id = 't01'",
		  { "centres/guangchangdong.html", NULL },
		  { "centres/lucai.html", "centres/donghua.html", NULL } },
		{ "rename a partner's partner", "UPDATE node SET name_en = 'Changzhi MCH Hospital' "
		  "WHERE id = 'fuyou'",
		  { "centres/fuyou.html", "centres/xiaoxiangwan.html", NULL },
		  { "centres/lucai.html", NULL } },
		{ "rename an organiser", "UPDATE node SET name_en = 'Donghua' WHERE id = 'donghua'",
		  { "centres/donghua.html", "events/donghua/ev01.html", NULL },
		  { "events/donghua/ev01.ics", "centres/lucai.html", "events/lucai/ev09.html", NULL } },
	};
	char a[600], b[600], spare[600], victim[700];
	sqlite3 *db = open_world(NULL);
	size_t c;
	int i, k, first, all_kept = 1;

	site_render_hook = on_render;
	path_of(a, sizeof a, "keys");
	path_of(b, sizeof b, "keys-full");
	path_of(spare, sizeof spare, ".keys.hearth-spare");
	ok(build_at(db, a, KEY_NOW) == 0, "first build");
	first = rendered_rows();
	ok(first > 10 && nrendered == count_keys(a) && was_rendered("centres/lucai.html") && was_rendered("en/events/donghua/ev01.ics"),
		"a build from nothing renders every keyed page (%d)", first);
	ok(build_at(db, a, KEY_NOW) == 0 && nrendered == 0,
		"a rebuild of identical data renders no keyed page (%d)", nrendered);
	ok(build_at(db, a, KEY_NOW) == 0 && nrendered == 0 && access(spare, F_OK) == 0,
		"nor does one through the spare (%d)", nrendered);
	for (c = 0; c < sizeof changes / sizeof changes[0]; c++) {
		const key_change *ch = &changes[c];
		int good = 1;
		run(db, ch->sql);
		ok(build_at(db, a, KEY_NOW) == 0, "%s: rebuild", ch->what);
		for (i = 0; ch->render[i]; i++)
			for (k = 0; k < 2; k++) {
				char path[300];
				snprintf(path, sizeof path, "%s%s", k ? "en/" : "", ch->render[i]);
				if (!was_rendered(path)) {
					diag("%s: %s was kept", ch->what, path);
					good = 0;
				}
			}
		ok(good, "%s: the pages that show it are rendered", ch->what);
		good = 1;
		for (i = 0; ch->keep[i]; i++)
			for (k = 0; k < 2; k++) {
				char path[300];
				snprintf(path, sizeof path, "%s%s", k ? "en/" : "", ch->keep[i]);
				if (was_rendered(path)) {
					diag("%s: %s was rendered", ch->what, path);
					good = 0;
				}
			}
		ok(good && rendered_rows() < first / 2, "%s: the others are kept (%d rendered)",
			ch->what, rendered_rows());
		remove_tree(b);
		ok(build_at(db, b, KEY_NOW) == 0 && same_trees(a, b),
			"%s: the rebuilt site is byte-identical to a build from nothing", ch->what);
	}
	/* the next day every page shows the new date: nothing is kept */
	ok(build_at(db, a, KEY_NOW + HEARTH_DAY_MS) == 0 && nrendered == count_keys(a),
		"the next day every keyed page is rendered (%d of %d)", nrendered, count_keys(a));
	remove_tree(b);
	ok(build_at(db, b, KEY_NOW + HEARTH_DAY_MS) == 0 && same_trees(a, b),
		"and the site is byte-identical to a build from nothing");
	/* a kept page whose file is gone from the published tree (and no spare holds it): every
	 * page is rendered again. The damaged tree becomes the spare, which is trusted to hold
	 * what its manifest says: it is removed here. */
	remove_tree(spare);
	snprintf(victim, sizeof victim, "%s/centres/lucai.html", a);
	unlink(victim);
	ok(build_at(db, a, KEY_NOW + HEARTH_DAY_MS) == 0 && nrendered == count_keys(a),
		"a kept page missing from the published tree makes the build render all (%d)", nrendered);
	remove_tree(spare);
	remove_tree(b);
	ok(build_at(db, b, KEY_NOW + HEARTH_DAY_MS) == 0 && same_trees(a, b),
		"and gives the bytes of a build from nothing");
	/* a random walk of small changes, each rebuild compared with a build from nothing */
	srand(18);
	for (c = 0; c < 12; c++) {
		static const char *const ids[] = { "lucai", "xiaoxiangwan", "qimingxing", "donghua",
			"guangchangdong", "fuyou", "qinyuan-demo" };
		char sql[400];
		const char *id = ids[rand() % 7];
		switch (rand() % 6) {
		case 0:
			snprintf(sql, sizeof sql, "UPDATE node SET phone = '0355-%07d' WHERE id = '%s'",
				rand() % 10000000, id);
			break;
		case 1:
			snprintf(sql, sizeof sql, "UPDATE care_class SET capacity = capacity + 1 "
				"WHERE owner = '%s'", id);
			break;
		case 2:
			snprintf(sql, sizeof sql, "INSERT INTO event (owner, id, kind, title, starts_at, "
				"audience, public) VALUES ('%s', 'r%zu', 'community_activity', '活动 %zu', "
				"'2026-12-%02dT10:00:00+08:00', 'all', 1)", id, c, c, 1 + rand() % 28);
			break;
		case 3:
			snprintf(sql, sizeof sql, "DELETE FROM event WHERE owner = '%s' AND id IN "
				"(SELECT id FROM event WHERE owner = '%s' LIMIT 1)", id, id);
			break;
		case 4:
			snprintf(sql, sizeof sql, "UPDATE node SET status = CASE status WHEN 'open' THEN "
				"'paused' ELSE 'open' END WHERE id = '%s'", id);
			break;
		default:
			snprintf(sql, sizeof sql, "UPDATE region SET name_en = name_en || '.' WHERE id = "
				"(SELECT CASE WHEN r.level = 'county' THEN r.id ELSE 'luzhou' END FROM node n "
				"JOIN region r ON r.id = n.region_id WHERE n.id = '%s')", id);
			break;
		}
		run(db, sql);
		if (build_at(db, a, KEY_NOW + HEARTH_DAY_MS) != 0)
			all_kept = 0;
		remove_tree(b);
		if (build_at(db, b, KEY_NOW + HEARTH_DAY_MS) != 0 || !same_trees(a, b)) {
			diag("after: %s", sql);
			all_kept = 0;
		}
	}
	ok(all_kept, "12 random small changes: every rebuild is byte-identical to a build from nothing");
	site_render_hook = NULL;
	sqlite3_close(db);
}

typedef struct {
	const char *what, *sql;
	const char *render[10]; /* aggregates that must be rendered (exact paths) */
	const char *keep[10];   /* aggregates that must be kept */
} agg_change;

/* The aggregates are keyed on the fields they show: a change renders exactly those that show
 * it, and the rebuilt tree is the bytes of a build from nothing. */
static void test_render_aggregates(void)
{
	static const agg_change changes[] = {
		{ "more places at a centre", "UPDATE node SET places = 151 WHERE id = 'lucai'",
		  { "data/node.csv", "centres/index.html", "en/centres/index.html",
		    "centres/county-luzhou.html", "en/centres/county-luzhou.html", NULL },
		  { "search/docs.json", "data/region.csv", "data/vacancies.csv", "data/event.csv",
		    "events/index.html", "en/events/index.html", "centres/county-qinyuan.html",
		    "en/centres/county-qinyuan.html", NULL } },
		{ "rename a centre", "UPDATE node SET name_en = 'Xiaoxiangwan' WHERE id = 'xiaoxiangwan'",
		  { "search/docs.json", "data/node.csv", "en/centres/index.html",
		    "en/centres/county-luzhou.html", NULL },
		  { "events/index.html", "data/region.csv", "data/care_class.csv",
		    "en/centres/county-qinyuan.html", NULL } },
		{ "retitle an event", "UPDATE event SET title_en = 'Blood pressure talk' "
		  "WHERE owner = 'donghua' AND id = 'ev01'",
		  { "en/events/index.html", "search/docs.json", "data/event.csv", NULL },
		  { "centres/index.html", "en/centres/index.html", "data/node.csv", "data/region.csv",
		    NULL } },
		{ "a class grows", "UPDATE care_class SET capacity = 30 WHERE owner = 'xiaoxiangwan' "
		  "AND id = 'c02'",
		  { "data/care_class.csv", "data/vacancies.csv", "centres/index.html",
		    "centres/county-luzhou.html", NULL },
		  { "search/docs.json", "data/event.csv", "data/node.csv", "events/index.html",
		    "centres/county-qinyuan.html", NULL } },
		{ "rename a county", "UPDATE region SET name_en = 'Qinyuan' WHERE id = 'qinyuan'",
		  { "data/region.csv", "search/docs.json", "en/centres/index.html",
		    "en/centres/county-luzhou.html", "en/centres/age-2-3.html", NULL },
		  { "data/node.csv", "events/index.html", "en/events/index.html", NULL } },
		{ "rename a volunteer service", "UPDATE service_type SET name_en = 'Mediation' "
		  "WHERE id = 'mediation'",
		  { "data/service_type.csv", "search/docs.json", NULL },
		  { "centres/index.html", "en/centres/index.html", "data/node.csv",
		    "events/index.html", NULL } },
		{ "a new address", "UPDATE node SET address = '潞州区紫金街道' WHERE id = 'xiaoxiangwan'",
		  { "search/docs.json", "data/node.csv", NULL },
		  { "centres/index.html", "en/centres/county-luzhou.html", "events/index.html",
		    "data/region.csv", NULL } },
		{ "a centre paused", "UPDATE node SET status = 'paused' WHERE id = 'qinyuan-demo'",
		  { "centres/index.html", "en/centres/county-qinyuan.html", "data/node.csv", NULL },
		  { "search/docs.json", "centres/county-luzhou.html", "events/index.html", NULL } },
	};
	char a[600], b[600];
	sqlite3 *db = open_world(NULL);
	size_t c;
	int i, aggs = 0;

	site_render_hook = on_render;
	path_of(a, sizeof a, "aggs");
	path_of(b, sizeof b, "aggs-full");
	ok(build_at(db, a, KEY_NOW) == 0, "first build");
	for (i = 0; i < nrendered; i++)
		aggs += is_aggregate(rendered[i]);
	ok(aggs > 20 && was_rendered("search/docs.json") && was_rendered("data/node.csv") &&
		was_rendered("data/vacancies.csv") && was_rendered("en/centres/age-2-3.html") &&
		was_rendered("events/index.html"),
		"a build from nothing renders every aggregate (%d)", aggs);
	ok(build_at(db, a, KEY_NOW) == 0 && nrendered == 0,
		"a rebuild of identical data renders no aggregate (%d)", nrendered);
	for (c = 0; c < sizeof changes / sizeof changes[0]; c++) {
		const agg_change *ch = &changes[c];
		int good = 1;
		run(db, ch->sql);
		ok(build_at(db, a, KEY_NOW) == 0, "%s: rebuild", ch->what);
		for (i = 0; ch->render[i]; i++)
			if (!was_rendered(ch->render[i])) {
				diag("%s: %s was kept", ch->what, ch->render[i]);
				good = 0;
			}
		ok(good, "%s: the aggregates that show it are rendered", ch->what);
		good = 1;
		for (i = 0; ch->keep[i]; i++)
			if (was_rendered(ch->keep[i])) {
				diag("%s: %s was rendered", ch->what, ch->keep[i]);
				good = 0;
			}
		ok(good, "%s: the others are kept", ch->what);
		remove_tree(b);
		ok(build_at(db, b, KEY_NOW) == 0 && same_trees(a, b),
			"%s: the rebuilt site is byte-identical to a build from nothing", ch->what);
	}
	site_render_hook = NULL;
	sqlite3_close(db);
}

/* "Now" moves with every write the office hears of. The .ics files stamp the start of the
 * build's day (China time), and the feed's times are when its entries last changed (or that
 * day's start), so a later write elsewhere the same day rewrites neither; the next day every
 * .ics and the feed get the new day. */
static void test_ics_stamp(void)
{
	const char *ics = "events/donghua/ev01.ics", *en_ics = "en/events/donghua/ev01.ics";
	char a[600];
	hearth_site_stats s1, s2;
	sqlite3 *db = open_world(NULL);
	tree before, after;
	const entry *o, *n;
	size_t len;
	char *page;
	int i, ics_kept = 1, pairs = 1;

	path_of(a, sizeof a, "stamp");
	ok(build(db, a, &s1) == 0, "build before a later write");
	page = read_rel(a, ics, &len);
	ok(page && strstr(page, "\r\nDTSTAMP:20261127T160000Z\r\n"),
		"DTSTAMP is the start of the build's day in China time (2026-11-28 00:00 +08)");
	free(page);
	before = scan(a);
	sleep(1);
	/* an hour later the same day (10:00 -> 11:00 China time) */
	run(db, "UPDATE hearth_remote SET last_seen_ms = last_seen_ms + 3600000 WHERE name = 'lucai'");
	ok(build(db, a, &s2) == 0, "rebuild an hour later");
	after = scan(a);
	for (i = 0; i < after.n; i++) {
		if (!ends_with(after.e[i].path, ".ics") && !ends_with(after.e[i].path, ".ics.gz"))
			continue;
		o = find(&before, after.e[i].path);
		if (!o || o->ino != after.e[i].ino) {
			if (ics_kept)
				diag("rewritten: %s", after.e[i].path);
			ics_kept = 0;
		}
	}
	ok(ics_kept, "no .ics is rewritten by a later write the same day");
	o = find(&before, "events.atom"), n = find(&after, "events.atom");
	ok(o && n && o->ino == n->ino, "nor the feed (no event changed)");
	o = find(&before, "en/events.atom.gz"), n = find(&after, "en/events.atom.gz");
	ok(o && n && o->ino == n->ino, "nor its .gz");
	/* a rewritten text file and its .gz stay a pair: same mtime */
	for (i = 0; i < after.n; i++) {
		char gzp[700];
		const entry *g;
		if (!is_text(after.e[i].path))
			continue;
		snprintf(gzp, sizeof gzp, "%s.gz", after.e[i].path);
		g = find(&after, gzp);
		if (!g || !same_time(g->mtime, after.e[i].mtime))
			pairs = 0;
	}
	ok(pairs, "after a partial rewrite every .gz still has its source's mtime");
	free(before.e);
	free(after.e);

	before = scan(a);
	run(db, "UPDATE hearth_remote SET last_seen_ms = last_seen_ms + 86400000 WHERE name = 'lucai'");
	ok(build(db, a, &s2) == 0, "rebuild the next day");
	after = scan(a);
	o = find(&before, en_ics), n = find(&after, en_ics);
	ok(o && n && o->ino != n->ino, "the next day the .ics are stamped again");
	page = read_rel(a, ics, &len);
	ok(page && strstr(page, "\r\nDTSTAMP:20261128T160000Z\r\n"), "with the new day");
	free(page);
	page = read_rel(a, "events.atom", &len);
	ok(page && strstr(page, "<updated>2026-11-28T16:00:00Z</updated>") &&
		   !strstr(page, "<updated>2026-11-27T16:00:00Z</updated>"),
		"and the feed, whose events have no origins, is stamped with the new day");
	free(page);
	free(before.e);
	free(after.e);
	sqlite3_close(db);
}

static void test_atomic(void)
{
	char a[600], stale[600], junk[700], user[600], p[700];
	hearth_site_stats st;
	sqlite3 *db = open_world(NULL);
	struct stat s1, s2;
	FILE *f;

	path_of(a, sizeof a, "atomic");
	path_of(stale, sizeof stale, ".atomic.hearth-new");
	mkdir(stale, 0755);
	snprintf(junk, sizeof junk, "%s/junk.html", stale);
	f = fopen(junk, "w");
	if (f)
		fclose(f);
	ok(build(db, a, &st) == 0, "build succeeds over the leftovers of a crashed build");
	ok(access(stale, F_OK) != 0, "the crashed build's folder is gone");
	snprintf(p, sizeof p, "%s/junk.html", a);
	ok(access(p, F_OK) != 0, "nothing of the crashed build is published");

	snprintf(p, sizeof p, "%s/index.html", a);
	stat(p, &s1);
	/* a build that fails half-way (the event table is unreadable) */
	run(db, "ALTER TABLE event RENAME TO event_gone");
	ok(build(db, a, &st) != 0, "a build that fails reports the failure");
	ok(stat(p, &s2) == 0 && s1.st_ino == s2.st_ino, "the previous site is left whole");
	ok(access(stale, F_OK) != 0, "a failed build leaves no folder behind");
	run(db, "ALTER TABLE event_gone RENAME TO event");

	path_of(user, sizeof user, "userfiles");
	mkdir(user, 0755);
	snprintf(p, sizeof p, "%s/thesis.txt", user);
	f = fopen(p, "w");
	if (f)
		fclose(f);
	ok(hearth_site_build_sqlite(db, user, NULL, &st) == HEARTH_EUSAGE,
		"refuses to replace a folder hearth did not write");
	ok(access(p, F_OK) == 0, "and leaves its files alone");
	ok(strstr(hearth_error_last(), "userfiles") != NULL, "the error names the folder: %s",
		hearth_error_last());
	sqlite3_close(db);
}

/* Every file of the site, .gz files decompressed. Calls fn(path, bytes, len). */
static void each_file(const char *root, void (*fn)(const char *, const char *, size_t, void *),
	void *payload)
{
	tree t = scan(root);
	int i;

	for (i = 0; i < t.n; i++) {
		size_t len, ulen;
		char *data = read_rel(root, t.e[i].path, &len), *un;
		if (!data)
			continue;
		if (ends_with(t.e[i].path, ".gz") && (un = gunzip(data, len, &ulen)) != NULL) {
			free(data);
			data = un, len = ulen;
		}
		fn(t.e[i].path, data, len, payload);
		free(data);
	}
	free(t.e);
}

static int contains(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n && i + n <= len; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

typedef struct {
	const char *const *needles;
	int hits, files;
} leak;

static void find_leaks(const char *path, const char *data, size_t len, void *payload)
{
	leak *l = payload;
	int i;

	l->files++;
	for (i = 0; l->needles[i]; i++) {
		if (contains(data, len, l->needles[i])) {
			if (l->hits < 5)
				diag("'%s' found in %s", l->needles[i], path);
			l->hits++;
		}
	}
}

static void test_privacy(void)
{
	static const char *const markers[] = { "MARK", "13800009", "13800008", "13800007",
		"英华小区", NULL };
	char a[600];
	hearth_site_stats st;
	leak l = { markers, 0, 0 };
	sqlite3 *db = open_world(
		/* a public table's column declared private must not reach the site either */
		"UPDATE hearth_column SET visibility = 'private' WHERE tbl = 'node' AND col = 'lat';"
		"UPDATE node SET lat = 36.123456789, lon = 113.1 WHERE id = 'lucai';"
		"UPDATE hearth_column SET visibility = 'private' WHERE tbl = 'care_offer' AND "
		"col = 'notes';"
		"UPDATE care_offer SET notes = 'MARKOFFERNOTE' WHERE owner = 'lucai' AND id = 'o01';");
	tree t;

	path_of(a, sizeof a, "privacy");
	ok(build(db, a, &st) == 0, "build with private markers in every private column");
	each_file(a, find_leaks, &l);
	ok(l.files > 300, "scanned every file, .gz decompressed (%d)", l.files);
	is_int(l.hits, 0, "no child, guardian, volunteer, resident or phone marker in any file");
	{
		size_t len;
		char *csv = read_rel(a, "data/node.csv", &len);
		ok(csv && strstr(csv, "36.12345") == NULL && strstr(csv, "lat") == NULL,
			"a column declared private is left out of open data");
		ok(csv && strncmp(csv, "owner,id,kind,name,name_en", 26) == 0,
			"open data has the public columns in table order");
		free(csv);
		csv = read_rel(a, "data/event.csv", &len);
		ok(csv && strstr(csv, "高血压") && !strstr(csv, "MARKPRIVATEEVENT"),
			"open data has public events only");
		free(csv);
		csv = read_rel(a, "data/vacancies.csv", &len);
		ok(csv && strstr(csv, "lucai,c01,0-1,2,0\r\n") && strstr(csv, "lucai,c02,1-2,20,20\r\n"),
			"vacancies = capacity minus active full-day enrolments");
		free(csv);
		csv = read_rel(a, "data/requests_solved.csv", &len);
		ok(csv && strstr(csv, "2026-10,elderly_canteen,1\r\n") &&
			   strstr(csv, "2026-10,repair,1\r\n") && !strstr(csv, "ride_escort"),
			"requests solved per type and month; unknown types never become labels");
		free(csv);
		csv = read_rel(a, "data/node-excel.csv", &len);
		ok(csv && memcmp(csv, "\xef\xbb\xbfowner,", 9) == 0, "the Excel variant starts with a BOM");
		free(csv);
	}
	t = scan(a);
	ok(find(&t, "content/centres/lucai.md") && find(&t, "content/en/index.md"),
		"Markdown summaries are written under content/");
	ok(!find(&t, "events/guangchangdong/ev02.html"), "a non-public event gets no page");
	free(t.e);
	sqlite3_close(db);
}

typedef struct {
	int bad_tag, bad_utf8, files;
	const char *why;
} hostile_scan;

/* 1 if a (lower-cased) tag is a script other than the site's, an image or frame, carries an
 * event handler or style attribute, or a URL with a scheme that runs or embeds. Attribute
 * values are double-quoted and escaped, so names are what lies outside quotes. */
static int hostile_tag(const char *tag)
{
	char names[4096];
	const char *p = tag, *q;
	size_t n = 0;

	if ((strncmp(tag, "<script", 7) == 0 && !strstr(tag, "assets/site.js\"")) ||
	    strncmp(tag, "<img", 4) == 0 || strncmp(tag, "<iframe", 7) == 0 ||
	    strncmp(tag, "<object", 7) == 0 || strncmp(tag, "<embed", 6) == 0)
		return 1;
	while (*p && n < sizeof names - 1) {
		if (*p == '"') {
			q = strchr(p + 1, '"');
			if (!q)
				return 1;
			if ((n >= 5 && strncmp(names + n - 5, "href=", 5) == 0) ||
			    (n >= 4 && strncmp(names + n - 4, "src=", 4) == 0)) {
				if (!strncmp(p + 1, "javascript:", 11) || !strncmp(p + 1, "data:", 5) ||
				    !strncmp(p + 1, "vbscript:", 9))
					return 1;
			}
			p = q + 1;
			continue;
		}
		names[n++] = *p++;
	}
	names[n] = 0;
	return strstr(names, " on") != NULL || strstr(names, "style=") != NULL;
}

/* In HTML, every tag must be one hearth writes: no script but the site's own, no image, no
 * event handler, no javascript: URL. Escaped user text never contains a raw '<'. */
static void scan_tags(const char *path, const char *data, size_t len, void *payload)
{
	hostile_scan *h = payload;
	const char *p = data, *end = data + len;

	h->files++;
	if (is_text(path) && !utf8_valid((const unsigned char *)data, len)) {
		diag("invalid UTF-8 in %s", path);
		h->bad_utf8++;
	}
	if (!ends_with(path, ".html") || ends_with(path, ".gz"))
		return;
	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		const char *close = memchr(p, '>', (size_t)(end - p));
		char tag[4096];
		size_t n = close ? (size_t)(close - p) + 1 : (size_t)(end - p), i;
		if (n >= sizeof tag)
			n = sizeof tag - 1;
		for (i = 0; i < n; i++)
			tag[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] - 'A' + 'a' : p[i]);
		tag[n] = 0;
		if (hostile_tag(tag)) {
			if (h->bad_tag < 5)
				diag("hostile tag in %s: %.120s", path, tag);
			h->bad_tag++;
		}
		p += n;
	}
}

static void test_hostile(void)
{
	char a[600], big[12000], sql[30000];
	hearth_site_stats st;
	hostile_scan h = { 0, 0, 0, NULL };
	sqlite3 *db = open_world(NULL);
	size_t len;
	char *page, *gz;

	memset(big, 0, sizeof big);
	memset(big, 'A', 10240);
	run(db, "INSERT INTO node (owner, id, kind, name, name_en, region_id, address, phone, "
		"hours, status, places, description_md) VALUES ('evil', 'evil', "
		"'childcare_centre', '<script>alert(1)</script>恶意', "
		"'\"><img src=x onerror=alert(2)>', 'luzhou', "
		"'<a href=\"javascript:alert(3)\">addr</a>', 'javascript:alert(4)', "
		"'[x](javascript:alert(5))', 'open', 10, "
		"'<script>alert(6)</script>\n\n<div onclick=\"alert(7)\">raw block</div>\n\n"
		"[click](javascript:alert(8)) [data](data:text/html;base64,PHNjcmlwdD4=) "
		"![pixel](http://tracker.example/p.png \"t\") <img src=x onerror=alert(9)>\n\n"
		"# big heading\n\n[ref]: javascript:alert(10)\n\n[ref] "
		"<javascript:alert(11)> [a](<javascript:alert(12)>) "
		"[b](jav&#x61;script:alert(13))');"
		"INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES "
		"('evil', 'c1', '<b onmouseover=alert(14)>班</b>', '0-1', 5);"
		"INSERT INTO event (owner, id, kind, title, starts_at, place, description_md, public) "
		"VALUES ('evil', 'e1', 'health_lecture', '</title><script>alert(15)</script>', "
		"'2026-12-30T09:00:00+08:00', 'a,b;c\\d', '<iframe src=\"http://x\"></iframe>', 1);"
		"INSERT INTO event (owner, id, kind, title, starts_at, public) VALUES ('evil', 'e2', "
		"'health_lecture', CAST(X'E8AEB2FF3C7363726970743EC0AF' AS TEXT), 'not a date', 1);");
	snprintf(sql, sizeof sql,
		"INSERT INTO node (owner, id, kind, name, region_id, status, description_md) VALUES "
		"('huge', 'huge', 'childcare_centre', '%s', 'luzhou', 'open', '%s')",
		big, big);
	run(db, sql);
	path_of(a, sizeof a, "hostile");
	ok(build(db, a, &st) == 0, "hostile text builds (escaped or rejected, never executed)");
	each_file(a, scan_tags, &h);
	is_int(h.bad_tag, 0, "no script, image, event handler or javascript:/data: URL in any tag");
	is_int(h.bad_utf8, 0, "every text file is valid UTF-8 (invalid bytes replaced)");
	page = read_rel(a, "centres/evil.html", &len);
	ok(page && strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;恶意"),
		"a hostile name is shown as text");
	ok(page && !strstr(page, "href=\"tel:javascript"), "a hostile phone is no tel: link");
	ok(page && strstr(page, "<h3>big heading</h3>"), "user headings are demoted below the page's");
	ok(page && strstr(page, "raw HTML omitted") && !strstr(page, "raw block</div>"),
		"raw HTML blocks are omitted");
	ok(page && strstr(page, "pixel") && !strstr(page, "tracker.example/p.png\""),
		"images become their text: no request leaves the site");
	free(page);
	page = read_rel(a, "centres/huge.html", &len);
	ok(page && len < 60000, "a 10 KB name and description are cut (%zu bytes)", len);
	free(page);
	gz = read_rel(a, "events/evil/e2.ics", &len);
	ok(gz && strstr(gz, "DTSTART;VALUE=DATE:") && strstr(gz, "\xef\xbf\xbd"),
		"an event with a broken date and bytes still gives a valid .ics");
	free(gz);
	gz = read_rel(a, "events/evil/e1.ics", &len);
	ok(gz && strstr(gz, "LOCATION:a\\,b\\;c\\\\d\r\n") && strstr(gz, "DTSTART:20261230T010000Z"),
		"ics text is escaped and China time converted to UTC");
	free(gz);
	sqlite3_close(db);
}

#define A60 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define A64 A60 "aaaa"

/* Rows no node should be able to stop a build with: ids whose old hash slugs collided
 * (site_slug("a_b") was a-b-1ba46871, itself a valid id; ids sharing their first 60 characters),
 * a node named like a page of the directory, an empty BLOB where text must be, an id that is
 * not one. Each publishable row gets its own page; each other row is left out and listed. */
static void test_hostile_rows(void)
{
	/* path, text it must hold ("" for: must not exist) */
	static const char *const pages[][2] = {
		{ "events/evil/a__b.html", "Underscore" },
		{ "events/evil/a-b-1ba46871.html", "Hash look-alike" },
		{ "events/evil/_a__b.html", "Capital" },
		{ "events/evil/" A64 ".html", "Long A" },
		{ "events/evil/" A60 "bbbb.html", "Long B" },
		{ "centres/_index.html", "Index centre" },
		{ "centres/index.html", "_index.html" },
		{ "centres/_county-luzhou.html", "County" },
		{ "events/evil/empty.html", "" },
		{ "centres/blank.html", "" },
	};
	char a[600], b[600];
	hearth_site_stats st;
	site_model m;
	sqlite3 *db = open_world(NULL);
	size_t i, len;
	int k;

	run(db, "INSERT INTO node (owner, id, kind, name, region_id, status) VALUES "
		"('evil', 'evil', 'childcare_centre', 'Evil', 'luzhou', 'open'), "
		"('index', 'index', 'childcare_centre', 'Index centre', 'luzhou', 'open'), "
		"('county-luzhou', 'county-luzhou', 'childcare_centre', 'County', 'luzhou', 'open'), "
		"('blank', 'blank', 'childcare_centre', x'', 'luzhou', 'open'), "
		"('Bad/Id', 'Bad/Id', 'childcare_centre', 'Bad', 'luzhou', 'open');"
		"INSERT INTO event (owner, id, kind, title, starts_at, public) VALUES "
		"('evil', 'a_b', 'health_lecture', 'Underscore', '2026-12-01T09:00:00+08:00', 1), "
		"('evil', 'a-b-1ba46871', 'health_lecture', 'Hash look-alike', '2026-12-01T09:00:00+08:00', 1), "
		"('evil', 'A_b', 'health_lecture', 'Capital', '2026-12-01T09:00:00+08:00', 1), "
		"('evil', '" A64 "', 'health_lecture', 'Long A', '2026-12-02T09:00:00+08:00', 1), "
		"('evil', '" A60 "bbbb', 'health_lecture', 'Long B', '2026-12-02T09:00:00+08:00', 1), "
		"('evil', 'empty', 'health_lecture', x'', '2026-12-03T09:00:00+08:00', 1), "
		"('evil', 'no/id', 'health_lecture', 'Slash', '2026-12-03T09:00:00+08:00', 1);");
	path_of(a, sizeof a, "rows1");
	path_of(b, sizeof b, "rows2");
	ok(build(db, a, &st) == 0, "colliding ids, an empty BLOB and a bad id do not stop the build");
	ok(build(db, b, &st) == 0, "nor the next one");
	for (i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		char *page = read_rel(a, pages[i][0], &len);
		if (*pages[i][1])
			ok(page && strstr(page, pages[i][1]), "%s holds '%s'", pages[i][0], pages[i][1]);
		else
			ok(!page, "%s is left out", pages[i][0]);
		free(page);
	}
	ok(site_model_load(&m, db, 0) == 0, "the model loads");
	is_int(m.nskipped, 4, "and lists the four rows it left out");
	for (k = 0; k < m.nskipped; k++)
		diag("left out: %s '%s/%s': %s", m.skipped[k].table, m.skipped[k].owner,
			m.skipped[k].id, m.skipped[k].reason);
	site_model_free(&m);
	sqlite3_close(db);
}

/* Every href/src in every page resolves to a file of the site. */
typedef struct {
	const char *root;
	int links, broken;
} link_scan;

static void check_links(const char *path, const char *data, size_t len, void *payload)
{
	link_scan *ls = payload;
	const char *p = data, *end = data + len;

	if (!ends_with(path, ".html") || ends_with(path, ".gz"))
		return;
	while (p < end) {
		const char *h = strstr(p, "href=\""), *s = strstr(p, "src=\""), *v, *q;
		char url[512], target[4096], dir[700];
		if (!h && !s)
			break;
		v = (h && (!s || h < s)) ? h + 6 : s + 5;
		q = strchr(v, '"');
		if (!q)
			break;
		snprintf(url, sizeof url, "%.*s", (int)(q - v), v);
		p = q;
		if (!strncmp(url, "tel:", 4) || !strncmp(url, "https://", 8) ||
		    !strncmp(url, "http://", 7) || url[0] == '#' || !strncmp(url, "mailto:", 7))
			continue;
		url[strcspn(url, "#?")] = 0;
		snprintf(dir, sizeof dir, "%s", path);
		if (strrchr(dir, '/'))
			strrchr(dir, '/')[1] = 0;
		else
			dir[0] = 0;
		if (url[0] == '/')
			snprintf(target, sizeof target, "%s%s", ls->root, url);
		else
			snprintf(target, sizeof target, "%s/%s%s", ls->root, dir, url);
		ls->links++;
		{
			char real[4096];
			if (!realpath(target, real) || strncmp(real, ls->root, strlen(ls->root)) != 0) {
				if (ls->broken < 5)
					diag("broken link in %s: %s", path, url);
				ls->broken++;
			}
		}
	}
}

typedef struct {
	int big, pages;
	size_t max;
	char max_path[256];
} size_scan;

static void check_sizes(const char *root)
{
	tree t = scan(root);
	size_scan s = { 0, 0, 0, "" };
	int i;

	for (i = 0; i < t.n; i++) {
		if (!ends_with(t.e[i].path, ".html.gz"))
			continue;
		s.pages++;
		if ((size_t)t.e[i].size > s.max)
			s.max = (size_t)t.e[i].size, snprintf(s.max_path, sizeof s.max_path, "%s",
							    t.e[i].path);
		if (t.e[i].size >= 100 * 1024)
			s.big++;
	}
	ok(s.pages > 50 && s.big == 0, "every page is under 100 KB compressed (largest %zu B: %s)",
		s.max, s.max_path);
	free(t.e);
}

/* Insert the origin the office's merge writes when a node's write sets a column. */
static void origin_at(sqlite3 *db, const char *owner, const char *id, const char *col,
	int64_t ms)
{
	char clock[HEARTH_CLOCK_HEX + 1], sql[400];

	hearth_clock_format(clock, (hearth_clock)ms << 16);
	snprintf(sql, sizeof sql,
		"INSERT OR REPLACE INTO hearth_origin (tbl, owner, id, col, clock, node) "
		"VALUES ('event', '%s', '%s', '%s', '%s', '%s')", owner, id, col, clock, owner);
	run(db, sql);
}

/* An entry's <updated> is when what it shows last changed; the feed's is the newest. The
 * fixture's "now" is 2026-11-28T02:00:00Z (10:00 in China). */
static void test_feed_times(void)
{
	char a[600];
	hearth_site_stats st;
	sqlite3 *db = open_world(NULL);
	tree before, after;
	const entry *o, *n;
	size_t len;
	char *page;

	origin_at(db, "donghua", "ev01", "title", 1795829400000LL);           /* 01:30Z */
	origin_at(db, "guangchangdong", "ev01", "description_md", 1795830300000LL); /* 01:45Z */
	origin_at(db, "qimingxing", "ev01", "", 1798588800000LL);             /* 2026-12-30 */
	path_of(a, sizeof a, "feed-times");
	ok(build(db, a, &st) == 0, "build with origins");
	page = read_rel(a, "events.atom", &len);
	ok(page && strstr(page, "<id>urn:hearth:event:donghua/ev01:zh-CN</id>\n"
				"<updated>2026-11-28T01:30:00Z</updated>"),
		"a title set at 01:30Z: the entry's time");
	ok(page && strstr(page, "<id>urn:hearth:event:guangchangdong/ev01:zh-CN</id>\n"
				"<updated>2026-11-27T16:00:00Z</updated>"),
		"a description the entry does not show: still the day's start");
	ok(page && strstr(page, "<id>urn:hearth:event:qimingxing/ev01:zh-CN</id>\n"
				"<updated>2026-11-28T02:00:00Z</updated>"),
		"an origin after the data's now: no later than now");
	ok(page && strstr(page, "<id>urn:hearth:events:zh-CN</id>\n<updated>2026-11-28T02:00:00Z"),
		"the feed's time is its newest entry's");
	free(page);
	page = read_rel(a, "en/events.atom", &len);
	ok(page && strstr(page, "<id>urn:hearth:event:donghua/ev01:en</id>\n"
				"<updated>2026-11-28T01:30:00Z</updated>"),
		"the English feed has the same times");
	free(page);
	/* a write elsewhere keeps the feed; a shown change of an event rewrites it (without the
	 * origin after now, whose entry would move with now) */
	run(db, "DELETE FROM hearth_origin WHERE owner = 'qimingxing'");
	ok(build(db, a, &st) == 0, "rebuild without the origin after now");
	before = scan(a);
	run(db, "UPDATE hearth_remote SET last_seen_ms = last_seen_ms + 60000 WHERE name = 'lucai'");
	run(db, "UPDATE node SET places = coalesce(places, 0) + 1 WHERE id = 'lucai'");
	ok(build(db, a, &st) == 0, "rebuild after a write elsewhere");
	after = scan(a);
	o = find(&before, "events.atom"), n = find(&after, "events.atom");
	ok(o && n && o->ino == n->ino, "the feed is kept");
	free(before.e);
	free(after.e);
	before = scan(a);
	run(db, "UPDATE event SET title = '高血压防治讲座' WHERE owner = 'donghua' AND id = 'ev01'");
	origin_at(db, "donghua", "ev01", "title", 1795830360000LL); /* 01:46Z */
	ok(build(db, a, &st) == 0, "rebuild after an event's title changed");
	after = scan(a);
	o = find(&before, "events.atom"), n = find(&after, "events.atom");
	ok(o && n && o->ino != n->ino, "the feed is rewritten");
	page = read_rel(a, "events.atom", &len);
	ok(page && strstr(page, "高血压防治讲座</title>\n<id>urn:hearth:event:donghua/ev01:zh-CN</id>\n"
				"<updated>2026-11-28T01:46:00Z</updated>"),
		"with the entry's new title and time");
	free(page);
	free(before.e);
	free(after.e);
	sqlite3_close(db);
}

static void test_links_and_content(void)
{
	char a[600], real[4096];
	hearth_site_stats st;
	sqlite3 *db = open_world(NULL);
	link_scan ls = { NULL, 0, 0 };
	size_t len;
	char *page;

	path_of(a, sizeof a, "links");
	ok(build(db, a, &st) == 0, "build for the link check");
	ls.root = realpath(a, real) ? real : a;
	each_file(a, check_links, &ls);
	ok(ls.links > 1000 && ls.broken == 0, "every internal link resolves (%d links, %d broken)",
		ls.links, ls.broken);
	check_sizes(a);

	page = read_rel(a, "centres/xiaoxiangwan.html", &len);
	ok(page && strstr(page, "class=\"warning\"") && strstr(page, "超过14天未同步"),
		"a centre not heard of for 4 weeks shows the stale warning");
	ok(page && strstr(page, "长治市妇幼保健院") && strstr(page, "医育结合"),
		"the partner hospital is shown");
	free(page);
	page = read_rel(a, "centres/lucai.html", &len);
	ok(page && !strstr(page, "class=\"warning\""), "a centre heard of yesterday shows none");
	ok(page && strstr(page, "<a class=\"tel\" href=\"tel:0355-0000001\">"),
		"the phone is a tel: link");
	ok(page && strstr(page, "<dt>数据更新于") == NULL && strstr(page, "数据更新于</td><td>2026-11-28"),
		"数据更新于 comes from the data");
	ok(page && strstr(page, "lang=\"zh-CN\"") && strstr(page, "Content-Security-Policy"),
		"lang and CSP are set");
	ok(page && strstr(page, "¥1200 / 月"), "fees are shown");
	free(page);
	page = read_rel(a, "en/centres/lucai.html", &len);
	ok(page && strstr(page, "<html lang=\"en\">") &&
		   strstr(page, "<h1>Lucai Community Childcare Centre</h1>"),
		"the English page uses the English name");
	free(page);
	page = read_rel(a, "en/centres/xiaoxiangwan.html", &len);
	ok(page && strstr(page, "<h1>小象湾托育中心</h1>"), "Chinese where no English name exists");
	free(page);
	page = read_rel(a, "index.html", &len);
	/* open centres: lucai 150 + xiaoxiangwan 45 + qimingxing 30 places; affordable 195 */
	ok(page && strstr(page, "开放的托育机构</a></td><td class=\"num\">3<") &&
		   strstr(page, "托位</td><td class=\"num\">225<") &&
		   strstr(page, "普惠托位占比</td><td class=\"num\">87%<"),
		"home figures: centres open, places, affordable share");
	ok(page && strstr(page, "今年解决的求助</a></td><td class=\"num\">3<"),
		"requests solved this year");
	ok(page && strstr(page, "高血压防治健康讲座") && !strstr(page, "禁毒宣传"),
		"home lists upcoming events only");
	free(page);
	page = read_rel(a, "coverage.html", &len);
	ok(page && strstr(page, "沁源县公办示范性综合托育机构") && strstr(page, "建设中") &&
		   strstr(page, "2027-07-01") && strstr(page, "尚未登记"),
		"coverage: one row per county with status, places, opening date");
	ok(page && strstr(page, "<svg") && strstr(page, "<table"), "coverage has a chart and its table");
	free(page);
	page = read_rel(a, "centres/age-0-1.html", &len);
	ok(page && !strstr(page, "qinyuan-demo.html") && !strstr(page, "lucai.html\""),
		"facet page: age 0-1 with vacancies excludes the full infant class and the centre "
		"still being built (no free places until it opens)");
	free(page);
	page = read_rel(a, "centres/care-hourly.html", &len);
	ok(page && strstr(page, "href=\"../centres/lucai.html\"") &&
		   !strstr(page, "xiaoxiangwan.html"),
		"facet page: hourly care lists only centres offering it");
	free(page);
	page = read_rel(a, "search/docs.json", &len);
	ok(page && strstr(page, "[\"centres/lucai.html\",\"潞才社区综合托育中心\""),
		"the search documents list the centre");
	free(page);
	{
		char shard[64];
		snprintf(shard, sizeof shard, "search/s/%02x.json", site_token_shard("潞才"));
		page = read_rel(a, shard, &len);
		ok(page && strstr(page, "\"潞才\":["), "the bigram 潞才 is in its shard");
		free(page);
	}
	page = read_rel(a, "sitemap.xml", &len);
	ok(page && strstr(page, "<loc>https://care.example/centres/lucai.html</loc><lastmod>2026-11-28") &&
		   strstr(page, "<loc>https://care.example/centres/xiaoxiangwan.html</loc><lastmod>2026-11-01") &&
		   !strstr(page, "404.html"),
		"sitemap with lastmod from the data");
	free(page);
	page = read_rel(a, "robots.txt", &len);
	ok(page && strstr(page, "Sitemap: https://care.example/sitemap.xml"), "robots.txt names it");
	free(page);
	page = read_rel(a, "events.atom", &len);
	ok(page && strstr(page, "<feed xmlns=\"http://www.w3.org/2005/Atom\"") &&
		   strstr(page, "高血压防治健康讲座") && !strstr(page, "MARKPRIVATE") &&
		   strstr(page, "<updated>2026-11-27T16:00:00Z</updated>"),
		"Atom feed of public events, times from the data (no origins: the day's start)");
	free(page);
	page = read_rel(a, "events/donghua/ev01.ics", &len);
	ok(page && strstr(page, "BEGIN:VEVENT\r\n") && strstr(page, "DTSTART:20261205T010000Z\r\n") &&
		   strstr(page, "SUMMARY:高血压防治健康讲座\r\n"),
		"one .ics per event");
	free(page);
	page = read_rel(a, "404.html", &len);
	ok(page && strstr(page, "href=\"/assets/site.css\""), "404 links are root-absolute");
	free(page);
	sqlite3_close(db);
}

/* Fault injection: the statement reading a table's public_rows filter is refused (as a damaged
 * declaration or a locked schema would make it fail), and the build must fail closed. */
static int deny_public_rows(void *payload, int action, const char *table, const char *col,
	const char *db, const char *trigger)
{
	(void)payload, (void)db, (void)trigger;
	return action == SQLITE_READ && table && col && strcmp(table, "hearth_table") == 0 &&
			strcmp(col, "public_rows") == 0
		? SQLITE_DENY
		: SQLITE_OK;
}

static void test_public_rows_unreadable(void)
{
	static const char *const markers[] = { "MARKPRIVATEEVENT", NULL };
	char a[600];
	hearth_site_stats st;
	leak l = { markers, 0, 0 };
	sqlite3 *db = open_world(NULL);
	struct stat s;

	path_of(a, sizeof a, "public-rows-denied");
	sqlite3_set_authorizer(db, deny_public_rows, NULL);
	ok(hearth_site_build_sqlite(db, a, NULL, &st) < 0,
		"an unreadable public_rows filter fails the build (%s)", hearth_error_last());
	ok(lstat(a, &s) < 0, "and nothing is written");
	if (lstat(a, &s) == 0)
		each_file(a, find_leaks, &l);
	is_int(l.hits, 0, "no private event in any file");
	sqlite3_close(db);
}

/* The public entry point on a real node database made by core. */
static void test_hearth_db(void)
{
	char dir[600], out[600], page[700];
	hearth_site_stats st;
	hearth_db *db = NULL;
	char *fixture = slurp(fixture_path, NULL), *err = NULL;
	struct stat s;
	int rc;

	path_of(dir, sizeof dir, "office-node");
	path_of(out, sizeof out, "office-site");
	rc = hearth_db_create(&db, dir, "office", "office", "长治市卫生健康委员会", NULL);
	ok(rc == 0, "core creates an office database (%s)", rc ? hearth_error_last() : "ok");
	if (rc)
		return;
	/* the office's own node row exists already: the fixture brings its own */
	if (sqlite3_exec(hearth_db_sqlite(db), "DELETE FROM node WHERE id = 'office'", NULL, NULL,
		    &err) != SQLITE_OK ||
	    sqlite3_exec(hearth_db_sqlite(db), fixture, NULL, NULL, &err) != SQLITE_OK)
		diag("fixture: %s", err ? err : "?");
	sqlite3_free(err);
	rc = hearth_site_build(db, out, NULL, &st);
	ok(rc == 0 && st.pages > 50, "hearth_site_build on a core database (%d pages) %s", st.pages,
		rc ? hearth_error_last() : "");
	snprintf(page, sizeof page, "%s/centres/lucai.html", out);
	ok(stat(page, &s) == 0, "the centre page is there");
	ok(hearth_site_build(NULL, out, NULL, &st) == HEARTH_EUSAGE, "no database: usage error");
	ok(hearth_site_build(db, "", NULL, &st) == HEARTH_EUSAGE, "no folder: usage error");
	hearth_db_free(db);
	free(fixture);
}

static int emit(const char *dir)
{
	hearth_site_stats st;
	sqlite3 *db = open_world(NULL);
	int rc = build(db, dir, &st);

	sqlite3_close(db);
	return rc ? 1 : 0;
}

static void remove_tree(const char *path)
{
	struct stat st;
	struct dirent *d;
	DIR *h;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	h = opendir(path);
	while (h && (d = readdir(h)) != NULL) {
		char child[1024];
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(child, sizeof child, "%s/%s", path, d->d_name);
		remove_tree(child);
	}
	if (h)
		closedir(h);
	rmdir(path);
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");

	if (argc == 5 && strcmp(argv[1], "--emit") == 0) {
		schema_path = argv[3], fixture_path = argv[4];
		return emit(argv[2]);
	}
	if (argc != 3) {
		fprintf(stderr, "usage: test_site_build SCHEMA.sql FIXTURE.sql\n");
		return 2;
	}
	schema_path = argv[1], fixture_path = argv[2];
	snprintf(scratch, sizeof scratch, "%s/hearth-site-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	test_deterministic();
	test_minimal_rewrite();
	test_incremental();
	test_render_keys();
	test_render_aggregates();
	test_ics_stamp();
	test_atomic();
	test_feed_times();
	test_privacy();
	test_public_rows_unreadable();
	test_hostile();
	test_hostile_rows();
	test_links_and_content();
	test_hearth_db();
	remove_tree(scratch);
	return done_testing();
}
