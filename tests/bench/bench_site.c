/*
 * Site figures, on an office written by `hearth-gen --office-only` (tests/tools/):
 *   10  full build (hearth_site_build into an empty folder) against a baseline program that
 *       renders the same Markdown (the content/ folder of the build) with libcmark into each
 *       page and writes the same files as hearth: every page, its Markdown, the other files
 *       of the build (.ics, search index, open data, feed, assets, copied as they are) and a
 *       .gz (zlib level 9) beside each; without hearth's model, template, escaping, search
 *       indexing, atomic swap or syncfs;
 *   11  `hearth site build` (whole process) against Hugo building the same Markdown to disk
 *       and then `gzip -9 -k` of every text file Hugo wrote (what a Hugo user does to serve
 *       precompressed files, as hearth's build does); Hugo alone is printed as information
 *       (--hugo PATH; skipped without it);
 *   12  rebuild after one centre changed against the full build; and, as information, the
 *       floor it is measured against: the baseline program of figure 10 writing just
 *       the files that rebuild had to change (every file whose bytes differ after it: the
 *       centre's pages, the lists and open data that show every centre), from their Markdown.
 *       The rebuild's other costs (loading the data, finding what changed) are not in it.
 *
 *   bench_site --hearth PATH [--hugo PATH] [--nodes N] [--quick]
 */
#include <cmark.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "bench.h"
#include "site-gen/hearth_site.h"

static const char *arg_value(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/* One file the baseline writes: `data` as it is, or rendered by cmark when `render`. */
typedef struct {
	char *rel;     /* path under the output folder */
	char *data;
	size_t len;
	int render;    /* a page: `data` is its Markdown */
} page;

typedef struct {
	page *p;
	int n, cap, pages;
} pages;

static void read_file(hearth_buf *out, const char *path)
{
	char chunk[65536];
	size_t k;
	FILE *f = fopen(path, "rb");

	if (!f)
		bench_die("cannot read %s", path);
	hearth_buf_clear(out);
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (hearth_buf_put(out, chunk, k) < 0)
			bench_die("out of memory");
	fclose(f);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void add(pages *ps, const char *rel, const char *data, size_t len, int render)
{
	page *p;

	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 1024;
		if (!(ps->p = realloc(ps->p, (size_t)ps->cap * sizeof(*ps->p))))
			bench_die("out of memory");
	}
	p = &ps->p[ps->n++];
	p->len = len;
	p->render = render;
	if (!(p->rel = strdup(rel)) || !(p->data = malloc(len + 1)))
		bench_die("out of memory");
	memcpy(p->data, data, len);
	p->data[len] = 0;
}

/* Every file of a built site but the .gz, hearth's marker and the HTML pages, in memory; each
 * content/X.md also gives the page X.html that the baseline renders from it. */
static void collect(pages *ps, const char *dir, const char *rel)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		bench_die("cannot list %s", dir);
	while ((e = readdir(d))) {
		char path[2048], sub[1024];
		hearth_buf b = HEARTH_BUF_INIT;
		struct stat sb;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		if (stat(path, &sb) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			collect(ps, path, sub);
			continue;
		}
		if (ends_with(sub, ".gz") || ends_with(sub, ".html"))
			continue;
		read_file(&b, path);
		add(ps, sub, b.ptr, b.size, 0);
		if (strncmp(sub, "content/", 8) == 0 && ends_with(sub, ".md")) {
			char html[1024];
			snprintf(html, sizeof(html), "%.*s.html", (int)strlen(sub) - 11, sub + 8);
			add(ps, html, b.ptr, b.size, 1);
			ps->pages++;
		}
		hearth_buf_dispose(&b);
	}
	closedir(d);
}

static int cmp_page(const void *a, const void *b)
{
	return strcmp(((const page *)a)->rel, ((const page *)b)->rel);
}

static void pages_free(pages *ps)
{
	int i;

	for (i = 0; i < ps->n; i++) {
		free(ps->p[i].rel);
		free(ps->p[i].data);
	}
	free(ps->p);
	memset(ps, 0, sizeof(*ps));
}

/* The files of `after` that are not in `before` or whose bytes differ (both sorted). */
static void pages_changed(const pages *before, const pages *after, pages *out)
{
	int i, j = 0;

	for (i = 0; i < after->n; i++) {
		const page *a = &after->p[i];
		int c = 1;

		while (j < before->n && (c = strcmp(before->p[j].rel, a->rel)) < 0)
			j++;
		if (j < before->n && c == 0 && before->p[j].len == a->len &&
		    before->p[j].render == a->render && memcmp(before->p[j].data, a->data, a->len) == 0)
			continue;
		add(out, a->rel, a->data, a->len, a->render);
		out->pages += a->render;
	}
}

/* A built site as the baseline program reads it, sorted */
static void site_read(pages *ps, const char *dir)
{
	pages_free(ps);
	collect(ps, dir, "");
	qsort(ps->p, (size_t)ps->n, sizeof(*ps->p), cmp_page);
}

static int is_text(const char *rel)
{
	static const char *const ext[] = { ".html", ".css", ".js", ".json", ".csv", ".xml",
		".ics", ".txt", ".svg", ".md", ".atom" };
	size_t i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (ends_with(rel, ext[i]))
			return 1;
	return 0;
}

static void write_gz(const char *path, const char *data, size_t len)
{
	gzFile g = gzopen(path, "wb9");

	if (!g || gzwrite(g, data, (unsigned)len) != (int)len || gzclose(g) != Z_OK)
		bench_die("cannot write %s", path);
}

/* The baseline program: cmark for the pages, every file and its .gz written, each folder made
 * once. Returns the seconds taken; *files gets the number of files written. */
static double baseline_round(const pages *ps, const char *out, int *files)
{
	char path[2048], last_dir[2048] = "";
	double t0;
	int i;

	bench_sh("rm -rf '%s'", out);
	*files = 0;
	t0 = bench_now();
	for (i = 0; i < ps->n; i++) {
		char *html = ps->p[i].render ?
			cmark_markdown_to_html(ps->p[i].data, ps->p[i].len, CMARK_OPT_DEFAULT) : NULL;
		const char *data = html ? html : ps->p[i].data;
		size_t len = html ? strlen(html) : ps->p[i].len;
		char *slash;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", out, ps->p[i].rel);
		if ((slash = strrchr(path, '/'))) {
			*slash = '\0';
			if (strcmp(path, last_dir) != 0) {
				char *q;
				for (q = path + 1; *q; q++)
					if (*q == '/') {
						*q = '\0';
						mkdir(path, 0777);
						*q = '/';
					}
				mkdir(path, 0777);
				snprintf(last_dir, sizeof(last_dir), "%s", path);
			}
			*slash = '/';
		}
		if (!(f = fopen(path, "wb")) || fwrite(data, 1, len, f) != len || fclose(f) != 0)
			bench_die("cannot write %s", path);
		(*files)++;
		if (is_text(ps->p[i].rel)) {
			strcat(path, ".gz");
			write_gz(path, data, len);
			(*files)++;
		}
		free(html);
	}
	return bench_now() - t0;
}

static double full_build(hearth_db *db, const char *out, hearth_site_stats *st)
{
	double t0;

	/* from nothing: neither the site nor the spare tree a rebuild keeps beside it */
	bench_sh("rm -rf '%s' \"$(dirname '%s')/.$(basename '%s').hearth-spare\"", out, out, out);
	t0 = bench_now();
	bench_check(hearth_site_build(db, out, NULL, st), "site build");
	return bench_now() - t0;
}

/* Change one centre (its places), as the office would, and rebuild into the same folder. */
static double rebuild_one(hearth_db *db, const char *out, int run, hearth_site_stats *st)
{
	hearth_write_info info;
	char sql[512];
	double t0;

	snprintf(sql, sizeof(sql),
		"UPDATE node SET places = coalesce(places, 0) + %d WHERE id = (SELECT id FROM node "
		"WHERE kind = 'childcare_centre' ORDER BY id LIMIT 1 OFFSET 7)",
		run + 1);
	bench_check(hearth_write_exec(db, sql, &info), "change one centre");
	if (info.changes != 1)
		bench_die("changing one centre changed %d rows", info.changes);
	t0 = bench_now();
	bench_check(hearth_site_build(db, out, NULL, st), "site rebuild");
	return bench_now() - t0;
}

/* A Hugo site over a copy of the content folder: one plain template, no lists beyond what
 * the sections need, no taxonomies, feeds or sitemap (hearth's own extras are not asked of
 * Hugo). Each index.md becomes _index.md: to Hugo an index.md makes its folder a leaf bundle
 * whose other Markdown files are resources, not pages, and content/index.md alone would leave
 * Hugo one page to render out of 686. */
static void hugo_site(const char *dir, const char *content)
{
	FILE *f;
	char path[1100];

	bench_sh("rm -rf '%s' && mkdir -p '%s/layouts/_default' && cp -a '%s' '%s/content' && "
		 "find '%s/content' -name '*.gz' -delete && "
		 "find '%s/content' -name index.md -execdir mv index.md _index.md ';'",
		dir, dir, content, dir, dir, dir);
	snprintf(path, sizeof(path), "%s/hugo.toml", dir);
	if (!(f = fopen(path, "w")))
		bench_die("cannot write %s", path);
	fputs("baseURL = 'https://care.example.org/'\n"
	      "disableKinds = ['taxonomy', 'term', 'RSS', 'sitemap', 'robotsTXT', '404']\n",
		f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/layouts/_default/single.html", dir);
	if (!(f = fopen(path, "w")))
		bench_die("cannot write %s", path);
	fputs("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{{ .Title }}</title>"
	      "</head><body>{{ .Content }}</body></html>\n",
		f);
	fclose(f);
	bench_sh("cp '%s' '%s/layouts/_default/list.html'", path, dir);
}

int main(int argc, char **argv)
{
	const char *hearth = arg_value(argc, argv, "--hearth");
	const char *gen = arg_value(argc, argv, "--gen");
	const char *hugo = arg_value(argc, argv, "--hugo");
	const char *nodes_arg = arg_value(argc, argv, "--nodes");
	int quick = bench_quick(argc, argv);
	int nodes = nodes_arg ? atoi(nodes_arg) : quick ? 100 : 500;
	double tf[BENCH_RUNS], tb[BENCH_RUNS], trb[BENCH_RUNS], tc[BENCH_RUNS], tg[BENCH_RUNS], tz[BENCH_RUNS];
	double tfl[BENCH_RUNS], mf, mb, mrb, mc, mg, mz, mfl;
	char world[1024], office[1024], out[1024], bout[1024], cout[1024], hsite[1024], hout[1024];
	char fout[1024];
	char content[1100], cmd[8192], base[1024];
	hearth_site_stats st, rst;
	hearth_db *db = NULL;
	pages ps = { NULL, 0, 0, 0 }, before = { NULL, 0, 0, 0 }, after = { NULL, 0, 0, 0 };
	pages changed = { NULL, 0, 0, 0 };
	int bfiles = 0, ffiles = 0, fpages = 0;
	char *root;
	int r;

	if (!hearth || !gen)
		bench_die("usage: bench_site --hearth PATH --gen PATH [--hugo PATH] [--nodes N] "
			  "[--quick]");
	if (hugo && !*hugo)
		hugo = NULL;
	root = bench_tmpdir("hearth-bench-site");
	snprintf(world, sizeof(world), "%s/world", root);
	snprintf(office, sizeof(office), "%s/world/nodes/office", root);
	snprintf(out, sizeof(out), "%s/site", root);
	snprintf(bout, sizeof(bout), "%s/baseline", root);
	snprintf(cout, sizeof(cout), "%s/site-cli", root);
	snprintf(hsite, sizeof(hsite), "%s/hugo", root);
	snprintf(hout, sizeof(hout), "%s/hugo-out", root);
	snprintf(fout, sizeof(fout), "%s/floor", root);
	snprintf(content, sizeof(content), "%s/content", out);
	bench_sh("'%s' --out '%s' --nodes %d --changes 20 --office-only >/dev/null", gen, world,
		nodes);
	bench_check(hearth_db_open(&db, office), "open office");
	/* a first build gives the Markdown the baselines render */
	full_build(db, out, &st);
	collect(&ps, out, "");
	qsort(ps.p, (size_t)ps.n, sizeof(*ps.p), cmp_page);
	if (hugo)
		hugo_site(hsite, content);
	memset(&rst, 0, sizeof(rst));
	for (r = 0; r < BENCH_RUNS; r++) {
		tf[r] = full_build(db, out, &st);
		tb[r] = baseline_round(&ps, bout, &bfiles);
		/* the steady state of an office: the site was rebuilt before (the rebuild keeps
		 * the tree it replaced as the spare the next one updates) */
		bench_check(hearth_site_build(db, out, NULL, &rst), "site rebuild, unchanged data");
		site_read(&before, out);
		trb[r] = rebuild_one(db, out, r, &rst);
		/* the floor: the baseline program writing only what that rebuild had to change */
		site_read(&after, out);
		pages_free(&changed);
		pages_changed(&before, &after, &changed);
		tfl[r] = baseline_round(&changed, fout, &ffiles);
		fpages = changed.pages;
		if (hugo && bench_selected("site_build_vs_hugo")) {
			bench_sh("rm -rf '%s'", cout);
			snprintf(cmd, sizeof(cmd), "'%s' -C '%s' site build --out '%s' >/dev/null", hearth,
				office, cout);
			tc[r] = bench_now();
			bench_sh("%s", cmd);
			tc[r] = bench_now() - tc[r];
			bench_sh("rm -rf '%s'", hout);
			snprintf(cmd, sizeof(cmd), "'%s' --quiet -s '%s' -d '%s' >/dev/null", hugo, hsite,
				hout);
			tg[r] = bench_now();
			bench_sh("%s", cmd);
			tg[r] = bench_now() - tg[r];
			/* what a Hugo user does to serve precompressed files as hearth does */
			tz[r] = bench_now();
			bench_sh("find '%s' -type f \\( -name '*.html' -o -name '*.xml' -o -name '*.css' "
				 "-o -name '*.js' -o -name '*.json' -o -name '*.txt' -o -name '*.svg' "
				 "-o -name '*.ics' \\) -print0 | xargs -0 -r gzip -9 -k", hout);
			tz[r] = bench_now() - tz[r];
		}
	}
	mf = bench_median(tf, BENCH_RUNS);
	mb = bench_median(tb, BENCH_RUNS);
	mrb = bench_median(trb, BENCH_RUNS);
	snprintf(base, sizeof(base),
		"cmark for %d Markdown pages + write the same files and .gz %.2f s (%d files), hearth "
		"full build %.2f s (%d pages, %d files); %d nodes",
		ps.pages, mb, bfiles, mf, st.pages, st.files_written, nodes);
	if (bench_selected("site_build_vs_cmark"))
		bench_figure("site_build_vs_cmark", mf / mb, "x", base, BENCH_AT_MOST, 2);
	if (hugo && bench_selected("site_build_vs_hugo")) {
		mc = bench_median(tc, BENCH_RUNS);
		mg = bench_median(tg, BENCH_RUNS);
		snprintf(cmd, sizeof(cmd), "find '%s' -name '*.html' | wc -l", hout);
		snprintf(base, sizeof(base),
			"Hugo %.2f s for the same %d Markdown pages (%.0f HTML files, no .gz), hearth "
			"site build %.2f s (%d files); %d nodes",
			mg, ps.pages, bench_sh_double(cmd), mc, st.files_written, nodes);
		/* information only since the second performance round: Hugo writes no .gz */
		printf("info site_build_vs_hugo = %.2f x faster (baseline %s)\n", mg / mc, base);
		mz = bench_median(tz, BENCH_RUNS);
		snprintf(base, sizeof(base),
			"Hugo %.2f s + gzip -9 of every text file it wrote %.2f s, same %d Markdown pages; "
			"hearth site build %.2f s (%d files, .gz included); %d nodes",
			mg, mz, ps.pages, mc, st.files_written, nodes);
		bench_figure("site_build_vs_hugo_gzip9", (mg + mz) / mc, "x faster", base,
			BENCH_AT_LEAST, 3);
	} else if (bench_selected("site_build_vs_hugo")) {
		printf("skip site_build_vs_hugo_gzip9: hugo is not installed (apt-get install hugo)\n");
	}
	snprintf(base, sizeof(base),
		"full build %.2f s, rebuild %.3f s after one centre changed (%d files written, %d "
		"unchanged); %d nodes",
		mf, mrb, rst.files_written, rst.files_unchanged, nodes);
	mfl = bench_median(tfl, BENCH_RUNS);
	snprintf(base + strlen(base), sizeof(base) - strlen(base),
		"; floor: cmark and gzip -9 of the %d files that changed %.3f s = %.3f x of the full "
		"build",
		ffiles, mfl, mfl / mf);
	if (bench_selected("site_rebuild_one_vs_full"))
		bench_figure("site_rebuild_one_vs_full", mrb / mf, "x", base, BENCH_AT_MOST, 0.05);
	snprintf(base, sizeof(base),
		"the baseline program of figure 10 writing only the %d files (%d pages from their "
		"Markdown) whose bytes that rebuild changed %.3f s, hearth rebuild %.3f s; %d nodes",
		ffiles, fpages, mfl, mrb, nodes);
	/* information: how far the rebuild is from its floor */
	if (bench_selected("site_rebuild_one_vs_full"))
		printf("info site_rebuild_one_vs_floor = %.2f x (baseline %s)\n", mrb / mfl, base);
	hearth_db_free(db);
	pages_free(&ps);
	pages_free(&before);
	pages_free(&after);
	pages_free(&changed);
	bench_sh("rm -rf '%s'", root);
	return 0;
}
