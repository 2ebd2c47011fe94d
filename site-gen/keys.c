/*
 * The input keys of the pages a rebuild may keep without rendering them: each centre's page,
 * each event's page and each event's .ics. A key is a 128-bit hash of everything such a page
 * reads: the program itself (the bytes of the running executable, so a new hearth re-renders
 * every page), the base URL, the day, the page's language and path, and the model rows and
 * fields the page shows (serialised whole: a field the page does not show only costs a render).
 * The key is stored in the manifest beside the page's file hashes (output_manifest.c); a page
 * whose key the published tree's manifest holds, with all its files, is kept: its files are
 * linked from the published tree, nothing is rendered. The aggregates that show a part of
 * every row are keyed the same way on the fields they show (site_group_keyed, site_page_keyed:
 * the directory pages, the events list, the search index, open data; each serialises its own
 * inputs beside the code that renders them). The home page, coverage, services, the site
 * index, the feed and the sitemap are rendered on every build.
 */
#include "site_int.h"
#include "core/i18n.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void (*site_render_hook)(const char *path);

/* ---- serialising model values without ambiguity ------------------------------------------ */

/* "N" for NULL, else "S<length>:" and the bytes (the length in a fixed 8 bytes: no printf) */
static void key_str(site_keys *k, hearth_buf *b, const char *s)
{
	char head[10];
	uint64_t len;
	size_t n;
	int rc;

	if (!s) {
		rc = hearth_buf_putc(b, 'N');
	} else {
		n = strlen(s);
		len = n;
		head[0] = 'S';
		memcpy(head + 1, &len, 8);
		head[9] = ':';
		rc = hearth_buf_put(b, head, sizeof head);
		if (rc == 0)
			rc = hearth_buf_put(b, s, n);
	}
	if (rc && !k->rc)
		k->rc = hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
}

static void key_num(site_keys *k, hearth_buf *b, long long v)
{
	char head[9];
	int64_t x = v;

	head[0] = 'I';
	memcpy(head + 1, &x, 8);
	if (hearth_buf_put(b, head, sizeof head) < 0 && !k->rc)
		k->rc = hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
}

/* What a page shows of another node: its names, kind (whether it has a page) and slug. */
static void key_node_ref(site_keys *k, hearth_buf *b, const site_model *m, int node)
{
	const site_node *n = node >= 0 ? &m->nodes[node] : NULL;

	key_num(k, b, node >= 0);
	if (!n)
		return;
	key_str(k, b, n->id);
	key_str(k, b, n->name);
	key_str(k, b, n->name_en);
	key_str(k, b, n->kind);
	key_str(k, b, n->slug);
}

static void key_stype(site_keys *k, hearth_buf *b, const site_model *m, const char *id)
{
	int st = site_model_stype(m, id);

	key_num(k, b, st >= 0);
	if (st < 0)
		return;
	key_str(k, b, m->stypes[st].id);
	key_str(k, b, m->stypes[st].domain);
	key_str(k, b, m->stypes[st].name);
	key_str(k, b, m->stypes[st].name_en);
	key_str(k, b, m->stypes[st].description);
}

static void key_region(site_keys *k, hearth_buf *b, const site_model *m, int r)
{
	key_num(k, b, r);
	if (r < 0)
		return;
	key_str(k, b, m->regions[r].id);
	key_str(k, b, m->regions[r].parent_id);
	key_str(k, b, m->regions[r].level);
	key_str(k, b, m->regions[r].name);
	key_str(k, b, m->regions[r].name_en);
}

static void key_event(site_keys *k, hearth_buf *b, const site_model *m, const site_event *e)
{
	key_str(k, b, e->owner);
	key_str(k, b, e->id);
	key_str(k, b, e->kind);
	key_str(k, b, e->title);
	key_str(k, b, e->title_en);
	key_str(k, b, e->starts_at);
	key_str(k, b, e->ends_at);
	key_str(k, b, e->place);
	key_str(k, b, e->audience);
	key_str(k, b, e->description_md);
	key_str(k, b, e->slug);
	key_num(k, b, site_event_upcoming(m, e));
}

static void key_node(site_keys *k, hearth_buf *b, const site_model *m, const site_node *n)
{
	int i;

	key_str(k, b, n->id);
	key_str(k, b, n->kind);
	key_str(k, b, n->name);
	key_str(k, b, n->name_en);
	key_str(k, b, n->region_id);
	key_str(k, b, n->address);
	key_str(k, b, n->phone);
	key_str(k, b, n->hours);
	key_str(k, b, n->operator_);
	key_str(k, b, n->status);
	key_str(k, b, n->opens_on);
	key_str(k, b, n->description_md);
	key_str(k, b, n->slug);
	key_num(k, b, n->affordable);
	key_num(k, b, n->places);
	key_num(k, b, n->floor_area_m2);
	key_num(k, b, n->site_area_m2);
	key_num(k, b, n->has_latlon);
	if ((hearth_buf_put(b, &n->lat, sizeof n->lat) < 0 ||
	     hearth_buf_put(b, &n->lon, sizeof n->lon) < 0) && !k->rc)
		k->rc = hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
	key_num(k, b, n->last_seen_ms);
	key_num(k, b, n->capacity);
	key_num(k, b, n->vacancies);
	for (i = 0; i < 3; i++) {
		key_num(k, b, n->band_vac[i]);
		key_num(k, b, n->care[i]);
	}
	key_num(k, b, site_node_stale(m, n));
	key_region(k, b, m, n->county);
}

/* ---- the keys of a build ------------------------------------------------------------------ */

/* Index of the node with id `id` through the sorted order, or -1. */
static int node_by_id(const site_keys *k, const site_model *m, const char *id)
{
	int lo = 0, hi = m->nnodes - 1;

	while (id && lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(m->nodes[k->by_id[mid]].id, id);
		if (c == 0)
			return k->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static const site_model *sort_m;

static int cmp_node_id(const void *a, const void *b)
{
	return strcmp(sort_m->nodes[*(const int *)a].id, sort_m->nodes[*(const int *)b].id);
}

/* The bytes of the running program: a page rendered by another build of hearth is never kept.
 * Read once per process (the app's threads may publish). */
static uint64_t program_hash[2];
static int program_state; /* 1 read, -1 unreadable */
static pthread_once_t program_once = PTHREAD_ONCE_INIT;

static void program_read(void)
{
	hearth_buf b = HEARTH_BUF_INIT;
	char chunk[65536];
	ssize_t r = -1;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	program_state = -1;
	while (fd >= 0 && (r = read(fd, chunk, sizeof chunk)) > 0)
		if (hearth_buf_put(&b, chunk, (size_t)r) < 0)
			break;
	if (fd >= 0 && r == 0 && b.size > 0) {
		site_hash128(b.ptr, b.size, program_hash);
		program_state = 1;
	}
	if (fd >= 0)
		close(fd);
	hearth_buf_dispose(&b);
}

/* 0 when the program cannot be read (then nothing is kept and no key is stored). */
static int program_id(uint64_t out[2])
{
	pthread_once(&program_once, program_read);
	memcpy(out, program_hash, sizeof program_hash);
	return program_state == 1;
}

int site_keys_init(site_keys *k, const site_model *m, const char *base_url, const char *out_dir,
	int keep)
{
	uint64_t prog[2];
	int i, owner;

	memset(k, 0, sizeof *k);
	hearth_buf_init(&k->base, 0);
	hearth_buf_init(&k->scratch, 0);
	if (!program_id(prog))
		return 0;
	if (hearth_buf_printf(&k->base, "hearth site keys 1;%016llx%016llx;",
		    (unsigned long long)prog[0], (unsigned long long)prog[1]) < 0)
		goto oom;
	key_str(k, &k->base, base_url);
	key_str(k, &k->base, m->today);
	key_str(k, &k->base, m->day_utc);
	k->node = calloc((size_t)m->nnodes + 1, sizeof *k->node);
	k->by_id = malloc(sizeof *k->by_id * ((size_t)m->nnodes + 1));
	if (!k->node || !k->by_id)
		goto oom;
	k->nnodes = m->nnodes;
	for (i = 0; i < m->nnodes; i++) {
		hearth_buf_init(&k->node[i], 0);
		k->by_id[i] = i;
	}
	sort_m = m;
	qsort(k->by_id, (size_t)m->nnodes, sizeof *k->by_id, cmp_node_id);
	sort_m = NULL;
	/* what each node's page reads, in the order the page reads it */
	for (i = 0; i < m->nnodes; i++)
		key_node(k, &k->node[i], m, &m->nodes[i]);
	for (i = 0; i < m->nclasses; i++) {
		const site_class *c = &m->classes[i];
		if ((owner = node_by_id(k, m, c->owner)) < 0)
			continue;
		key_str(k, &k->node[owner], "class");
		key_str(k, &k->node[owner], c->id);
		key_str(k, &k->node[owner], c->name);
		key_str(k, &k->node[owner], c->age_band);
		key_num(k, &k->node[owner], c->capacity);
		key_num(k, &k->node[owner], c->vacancies);
	}
	for (i = 0; i < m->noffers; i++) {
		const site_offer *o = &m->offers[i];
		if ((owner = node_by_id(k, m, o->owner)) < 0)
			continue;
		key_str(k, &k->node[owner], "offer");
		key_str(k, &k->node[owner], o->id);
		key_str(k, &k->node[owner], o->service_type_id);
		key_str(k, &k->node[owner], o->fee_unit);
		key_str(k, &k->node[owner], o->hours);
		key_str(k, &k->node[owner], o->notes);
		key_num(k, &k->node[owner], o->fee_yuan);
		key_stype(k, &k->node[owner], m, o->service_type_id);
	}
	for (i = 0; i < m->npartners; i++) {
		const site_partner *s = &m->partners[i];
		int side, ends[2];
		ends[0] = node_by_id(k, m, s->owner);
		ends[1] = node_by_id(k, m, s->partner_id);
		for (side = 0; side < 2; side++) {
			hearth_buf *b;
			if (ends[side] < 0 || (side == 1 && ends[1] == ends[0]))
				continue;
			b = &k->node[ends[side]];
			key_str(k, b, "partner");
			key_str(k, b, s->owner);
			key_str(k, b, s->id);
			key_str(k, b, s->partner_id);
			key_str(k, b, s->kind);
			key_str(k, b, s->since);
			key_str(k, b, s->services);
			key_node_ref(k, b, m, ends[!side]);
		}
	}
	for (i = 0; i < m->nteams; i++) {
		const site_team *t = &m->teams[i];
		if ((owner = node_by_id(k, m, t->owner)) < 0)
			continue;
		key_str(k, &k->node[owner], "team");
		key_str(k, &k->node[owner], t->id);
		key_str(k, &k->node[owner], t->name);
		key_str(k, &k->node[owner], t->service_type_id);
		key_num(k, &k->node[owner], t->members);
		key_stype(k, &k->node[owner], m, t->service_type_id);
	}
	for (i = 0; i < m->nevents; i++) {
		const site_event *e = &m->events[i];
		if ((owner = node_by_id(k, m, e->owner)) < 0)
			continue;
		key_str(k, &k->node[owner], "event");
		key_event(k, &k->node[owner], m, e);
	}
	if (k->rc)
		return k->rc;
	k->on = 1;
	if (keep && site_prev_load(&k->prev, out_dir) < 0)
		return HEARTH_ERROR;
	return 0;
oom:
	return hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
}

void site_keys_dispose(site_keys *k)
{
	int i;

	for (i = 0; k->node && i < k->nnodes; i++)
		hearth_buf_dispose(&k->node[i]);
	free(k->node);
	free(k->by_id);
	hearth_buf_dispose(&k->base);
	hearth_buf_dispose(&k->scratch);
	site_prev_free(k->prev);
	memset(k, 0, sizeof *k);
}

/* The key of the file group at `path` (language prefix included) whose own data is `data`. */
static int key_of(site_keys *k, const char *path, const char *data, size_t len, uint64_t key[2])
{
	hearth_buf_clear(&k->scratch);
	if (hearth_buf_put(&k->scratch, k->base.ptr, k->base.size) < 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
	key_str(k, &k->scratch, path);
	if (!k->rc && hearth_buf_put(&k->scratch, data, len) < 0)
		k->rc = hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
	if (k->rc)
		return k->rc;
	site_hash128(k->scratch.ptr, k->scratch.size, key);
	return 0;
}

/* Key the group and keep it when the published tree has it: 1 kept, 0 render it, <0 error. */
static int keyed(site_ctx *ctx, const char *path, const char *md_path, const char *lastmod,
	const hearth_buf *data, uint64_t key[2], int *has_key)
{
	site_keys *k = ctx->keys;
	const char *paths[2];
	int rc;

	*has_key = 0;
	if (!k || !k->on)
		return 0;
	if ((rc = key_of(k, path, data->ptr, data->size, key)) != 0)
		return rc;
	*has_key = 1;
	paths[0] = path, paths[1] = md_path;
	return site_keep(ctx, key, lastmod, paths, md_path ? 2 : 1);
}

/* The concatenation of six strings into `b`. */
static int path_of(hearth_buf *b, const char *a, const char *c, const char *d, const char *e,
	const char *f, const char *g)
{
	const char *parts[6] = { a, c, d, e, f, g };
	int i, rc = 0;

	for (i = 0; rc == 0 && i < 6; i++)
		rc = hearth_buf_puts(b, parts[i]);
	return rc;
}

int site_node_keyed(site_ctx *ctx, const site_lang *l, const site_node *n, const char *lastmod,
	uint64_t key[2], int *has_key)
{
	hearth_buf path = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT;
	int rc;

	*has_key = 0;
	if (!ctx->keys || !ctx->keys->on)
		return 0;
	rc = path_of(&path, "", l->prefix, "centres/", n->slug, ".html", "");
	if (rc == 0)
		rc = path_of(&md, "content/", l->prefix, "centres/", n->slug, ".md", "");
	if (rc == 0)
		rc = keyed(ctx, path.ptr, md.ptr, lastmod, &ctx->keys->node[n - ctx->m->nodes], key,
			has_key);
	else
		rc = hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
	hearth_buf_dispose(&path);
	hearth_buf_dispose(&md);
	return rc;
}

/* An event's page and its .ics: the event, and the organiser its page names. */
int site_event_keyed(site_ctx *ctx, const site_lang *l, const site_event *e, const char *ext,
	uint64_t key[2], int *has_key)
{
	site_keys *k = ctx->keys;
	hearth_buf path = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT, data = HEARTH_BUF_INIT;
	int html = strcmp(ext, "html") == 0, rc;

	*has_key = 0;
	if (!k || !k->on)
		return 0;
	/* pieces, not printf: this runs for every event, twice per language */
	rc = path_of(&path, "", l->prefix, "events/", e->slug, ".", ext);
	if (rc == 0 && html)
		rc = path_of(&md, "content/", l->prefix, "events/", e->slug, ".md", "");
	if (rc) {
		rc = hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
		goto done;
	}
	key_event(k, &data, ctx->m, e);
	if (html)
		key_node_ref(k, &data, ctx->m, e->node);
	if ((rc = k->rc) == 0)
		rc = keyed(ctx, path.ptr, html ? md.ptr : NULL, html ? ctx->m->today : NULL, &data,
			key, has_key);
done:
	hearth_buf_dispose(&path);
	hearth_buf_dispose(&md);
	hearth_buf_dispose(&data);
	return rc;
}

void site_key_file(site_ctx *ctx, const char *path, const uint64_t key[2])
{
	site_files *fs = ctx->files;
	site_file *f = fs->n ? fs->files[fs->n - 1] : NULL;

	if (f && strcmp(f->path, path) == 0) {
		f->has_key = 1;
		memcpy(f->key, key, sizeof f->key);
	}
	if (site_render_hook)
		site_render_hook(path);
}

/* ---- aggregates: groups of files keyed on the fields they show ----------------------------- */

void site_key_str(site_ctx *ctx, hearth_buf *b, const char *s)
{
	if (ctx->keys)
		key_str(ctx->keys, b, s);
}

void site_key_num(site_ctx *ctx, hearth_buf *b, long long v)
{
	if (ctx->keys)
		key_num(ctx->keys, b, v);
}

void site_key_region(site_ctx *ctx, hearth_buf *b, int r)
{
	if (ctx->keys)
		key_region(ctx->keys, b, ctx->m, r);
}

int site_keys_on(const site_ctx *ctx)
{
	return ctx->keys && ctx->keys->on;
}

int site_group_keyed(site_ctx *ctx, const hearth_buf *data, const char *lastmod,
	const char *const *paths, int n, uint64_t key[2], int *has_key)
{
	site_keys *k = ctx->keys;
	int rc;

	*has_key = 0;
	if (!k || !k->on || n < 1)
		return 0;
	if ((rc = key_of(k, paths[0], data->ptr, data->size, key)) != 0)
		return rc;
	*has_key = 1;
	return site_keep(ctx, key, lastmod, paths, n);
}

void site_group_rendered(site_ctx *ctx, int first, const uint64_t key[2])
{
	site_file *f;

	if (first < 0 || first >= ctx->files->n)
		return;
	f = ctx->files->files[first];
	f->has_key = 1;
	memcpy(f->key, key, sizeof f->key);
	if (site_render_hook)
		site_render_hook(f->path);
}

int site_page_keyed(site_ctx *ctx, const site_lang *l, const char *path, const hearth_buf *data,
	uint64_t key[2], int *has_key)
{
	hearth_buf full = HEARTH_BUF_INIT, md = HEARTH_BUF_INIT;
	size_t n = strlen(path);
	int rc;

	*has_key = 0;
	if (!ctx->keys || !ctx->keys->on)
		return 0;
	rc = hearth_buf_printf(&full, "%s%s", l->prefix, path);
	if (rc == 0)
		rc = hearth_buf_printf(&md, "content/%s%.*s.md", l->prefix, (int)(n > 5 ? n - 5 : n),
			path);
	if (rc == 0)
		rc = keyed(ctx, full.ptr, md.ptr, ctx->m->today, data, key, has_key);
	else
		rc = hearth_error_set(HEARTH_ERROR, _("cannot build the site: out of memory"));
	hearth_buf_dispose(&full);
	hearth_buf_dispose(&md);
	return rc;
}
