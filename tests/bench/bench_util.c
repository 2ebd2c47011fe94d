/* Helpers shared by the benchmark programs (see bench.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

void bench_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

void bench_check(int rc, const char *what)
{
	if (rc < 0)
		bench_die("%s: %s", what, hearth_error_last());
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int bench_runs(void)
{
	const char *v = getenv("BENCH_RUNS");
	int n = v ? atoi(v) : BENCH_RUNS;

	return n >= 1 && n <= BENCH_RUNS ? n : BENCH_RUNS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(const double *v, int n)
{
	double *c, m;

	if (n <= 0)
		return 0;
	if (!(c = malloc((size_t)n * sizeof(*c))))
		bench_die("out of memory");
	memcpy(c, v, (size_t)n * sizeof(*c));
	qsort(c, (size_t)n, sizeof(*c), cmp_double);
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

static void print_value(double v)
{
	if (v != 0 && (v < 0.01 || v >= 1e6))
		printf("%.3g", v);
	else if (v < 10)
		printf("%.3g", v);
	else
		printf("%.1f", v);
}

void bench_figure(const char *name, double value, const char *unit, const char *baseline,
	int cmp, double target)
{
	int met = cmp == BENCH_AT_MOST ? value <= target : value >= target;

	printf("figure %s = ", name);
	print_value(value);
	printf("%s%s (baseline %s; target %s ", unit && *unit ? " " : "", unit ? unit : "", baseline,
		cmp == BENCH_AT_MOST ? "<=" : ">=");
	print_value(target);
	printf("%s%s) %s\n", unit && *unit ? " " : "", unit ? unit : "", met ? "met" : "missed");
	fflush(stdout);
}

char *bench_tmpdir(const char *prefix)
{
	const char *root = getenv("BENCH_TMP");
	char *p;
	size_t n;

	if (!root || !*root)
		root = "/tmp";
	n = strlen(root) + strlen(prefix) + 16;
	if (!(p = malloc(n)))
		bench_die("out of memory");
	snprintf(p, n, "%s/%s-XXXXXX", root, prefix);
	if (!mkdtemp(p))
		bench_die("cannot create a scratch folder under %s", root);
	return p;
}

void bench_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	if ((rc = system(cmd)) != 0)
		bench_die("command failed (%d): %s", rc, cmd);
}

double bench_sh_double(const char *cmd)
{
	char line[256] = "";
	FILE *p;
	double v;

	fflush(stdout);
	if (!(p = popen(cmd, "r")))
		bench_die("cannot run: %s", cmd);
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	while (fgetc(p) != EOF)
		;
	if (pclose(p) != 0 || sscanf(line, "%lf", &v) != 1)
		bench_die("command failed or printed no number: %s", cmd);
	return v;
}

int bench_quick(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--quick") == 0)
			return 1;
	return 0;
}

int bench_selected(const char *figure)
{
	const char *only = getenv("BENCH_ONLY");

	return !only || !*only || strstr(figure, only) != NULL;
}

uint64_t bench_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
	"徐", "孙", "马", "胡", "郭", "何", "高", "林", "罗", "郑" };
static const char *const given[] = { "子轩", "欣怡", "浩然", "梓涵", "宇航", "雨桐", "一诺", "思远",
	"若汐", "沐宸", "嘉怡", "俊熙", "诗涵", "梓睿", "佳琪", "明轩" };
static const char *const words[] = { "午睡", "良好", "饮食", "正常", "家长", "已告知", "需要",
	"关注", "过敏", "花生", "体温", "36.8", "今日", "情绪", "稳定", "参加", "户外", "活动",
	"语言", "发展", "接送", "奶奶", "疫苗", "按时" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void bench_child_name(char *out, size_t n, uint64_t *rng)
{
	snprintf(out, n, "%s%s", surnames[bench_rand(rng) % COUNT(surnames)],
		given[bench_rand(rng) % COUNT(given)]);
}

void bench_phone(char *out, size_t n, uint64_t *rng)
{
	snprintf(out, n, "138%08llu", (unsigned long long)(bench_rand(rng) % 100000000ULL));
}

void bench_note(hearth_buf *out, size_t len, uint64_t *rng)
{
	hearth_buf_clear(out);
	while (out->size < len) {
		if (hearth_buf_puts(out, words[bench_rand(rng) % COUNT(words)]) < 0 ||
		    hearth_buf_puts(out, bench_rand(rng) % 5 ? "，" : "。") < 0)
			bench_die("out of memory");
	}
}

struct children {
	int start, nrows;
	size_t note_len;
	uint64_t *rng;
};

static int children_body(hearth_db *db, void *payload)
{
	struct children *c = payload;
	sqlite3 *h = hearth_db_sqlite(db);
	sqlite3_stmt *st = NULL;
	hearth_buf note = HEARTH_BUF_INIT;
	char id[32], name[64], gname[64], phone[32], birth[16];
	int i, rc = 0;

	if ((rc = hearth_sql_prepare(&st, h,
		     "INSERT INTO child (owner, id, name, birth_date, sex, guardian_name, "
		     "guardian_phone, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")) < 0)
		return rc;
	for (i = 0; rc == 0 && i < c->nrows; i++) {
		snprintf(id, sizeof(id), "c%08d", c->start + i);
		bench_child_name(name, sizeof(name), c->rng);
		bench_child_name(gname, sizeof(gname), c->rng);
		bench_phone(phone, sizeof(phone), c->rng);
		snprintf(birth, sizeof(birth), "20%02d-%02d-%02d", 22 + (int)(bench_rand(c->rng) % 3),
			1 + (int)(bench_rand(c->rng) % 12), 1 + (int)(bench_rand(c->rng) % 28));
		bench_note(&note, c->note_len, c->rng);
		sqlite3_bind_text(st, 1, hearth_db_node(db), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, birth, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, bench_rand(c->rng) % 2 ? "f" : "m", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, gname, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, phone, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, note.ptr, (int)note.size, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = hearth_error_sqlite(h, HEARTH_ERROR, "insert child");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	hearth_buf_dispose(&note);
	return rc;
}

int bench_write_children(hearth_db *db, int start, int nrows, size_t note_len, uint64_t *rng)
{
	struct children c = { start, nrows, note_len, rng };
	hearth_write_info info;

	return hearth_write_run(db, children_body, &c, NULL, &info);
}
