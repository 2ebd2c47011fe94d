/*
 * The static search index. Chinese has no spaces, so text is indexed by character bigrams
 * (a query of n characters looks up its n-1 bigrams; a one-character query matches the bigrams
 * that start with it), plus whole Latin words (pinyin ids, English names). Postings are split
 * into SITE_SHARDS files by the first character of the token, so a phone downloads only the
 * shards its query needs. assets.c holds the script that reads it: same tokens, same hash.
 *
 * Files, per language root: search/docs.json {"label": ..., "docs": [[url, title, kind]...]},
 * search/s/XX.json {"token": [doc, ...], ...}, docs numbered by their position in docs.json.
 */
#include "site_int.h"
#include "core/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_MAX 64

static int cjk(uint32_t cp)
{
	return (cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0x20000 && cp <= 0x2ffff) || (cp >= 0x3040 && cp <= 0x30ff) ||
	       (cp >= 0xac00 && cp <= 0xd7af);
}

/* Decode one code point of clean UTF-8; *n gets its length. */
static uint32_t decode(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80)
		return *n = 1, s[0];
	if (s[0] < 0xe0)
		return *n = 2, ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	if (s[0] < 0xf0)
		return *n = 3, ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) |
			       (s[2] & 0x3f);
	return *n = 4, ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
		       ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

int site_tokenize(const char *text, site_token_fn fn, void *payload)
{
	hearth_buf clean = HEARTH_BUF_INIT;
	char word[WORD_MAX + 1], tok[9];
	const unsigned char *s;
	size_t i = 0, n, wlen = 0, prev_len = 0;
	const char *prev = NULL; /* the previous CJK character of the current run */
	int rc, run = 0;

	rc = site_text_clean(&clean, text, 0);
	s = (const unsigned char *)clean.ptr;
	while (rc == 0 && i <= clean.size) {
		uint32_t cp = i < clean.size ? decode(s + i, &n) : (n = 1, 0);
		int is_cjk = cp && cjk(cp);
		int is_word = cp < 0x80 && ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
					    (cp >= '0' && cp <= '9'));

		if (!is_word && wlen) {
			/* a word longer than WORD_MAX is no word anyone types: not indexed */
			if (wlen <= WORD_MAX) {
				word[wlen] = 0;
				rc = fn(word, wlen, payload);
			}
			wlen = 0;
		}
		if (!is_cjk && run) {
			if (run == 1 && rc == 0) {
				memcpy(tok, prev, prev_len);
				tok[prev_len] = 0;
				rc = fn(tok, prev_len, payload);
			}
			run = 0;
		}
		if (rc)
			break;
		if (is_cjk) {
			if (run) {
				memcpy(tok, prev, prev_len);
				memcpy(tok + prev_len, s + i, n);
				tok[prev_len + n] = 0;
				rc = fn(tok, prev_len + n, payload);
			}
			prev = (const char *)s + i, prev_len = n, run++;
		} else if (is_word) {
			if (wlen < WORD_MAX)
				word[wlen] = (char)(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
			wlen++;
		}
		i += n;
	}
	hearth_buf_dispose(&clean);
	return rc;
}

unsigned site_token_shard(const char *tok)
{
	const unsigned char *s = (const unsigned char *)tok;
	size_t n = 0, i;
	uint32_t h = 2166136261u;

	if (!*s)
		return 0;
	decode(s, &n);
	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 16777619u;
	}
	return h % SITE_SHARDS;
}

/* ---- the index ---------------------------------------------------------------------------- */

typedef struct {
	char tok[WORD_MAX + 1];
	int doc;
} posting;

typedef struct {
	posting *p;
	int n, alloc, doc, rc;
} postings;

static int add_token(const char *tok, size_t len, void *payload)
{
	postings *ps = payload;

	if (len > WORD_MAX)
		return 0;
	if (ps->n == ps->alloc) {
		int alloc = ps->alloc ? ps->alloc * 2 : 1024;
		posting *grown = realloc(ps->p, (size_t)alloc * sizeof *grown);
		if (!grown)
			return ps->rc = hearth_error_set(HEARTH_ERROR, _("cannot index: out of memory"));
		ps->p = grown, ps->alloc = alloc;
	}
	memcpy(ps->p[ps->n].tok, tok, len + 1);
	ps->p[ps->n++].doc = ps->doc;
	return 0;
}

static void index_text(postings *ps, const char *text)
{
	if (ps->rc == 0 && text)
		site_tokenize(text, add_token, ps);
}

static int cmp_posting(const void *a, const void *b)
{
	const posting *x = a, *y = b;
	int c = strcmp(x->tok, y->tok);
	return c ? c : x->doc - y->doc;
}

/* One document per page worth finding: nodes with a page, events, the services page. */
typedef struct {
	int kind; /* 0 node, 1 event, 2 services, 3 coverage */
	int index;
} doc_ref;

static int collect_docs(const site_model *m, doc_ref **out)
{
	doc_ref *d = malloc(sizeof *d * (size_t)(m->nnodes + m->nevents + 2));
	int n = 0, i;

	*out = d;
	if (!d)
		return -1;
	for (i = 0; i < m->nnodes; i++)
		if (site_node_has_page(&m->nodes[i]))
			d[n].kind = 0, d[n++].index = i;
	for (i = 0; i < m->nevents; i++)
		d[n].kind = 1, d[n++].index = i;
	d[n].kind = 2, d[n++].index = 0;
	d[n].kind = 3, d[n++].index = 0;
	return n;
}

static void index_doc(postings *ps, const site_model *m, const doc_ref *d)
{
	int i;

	if (d->kind == 0) {
		const site_node *n = &m->nodes[d->index];
		index_text(ps, n->id); /* pinyin, so Latin keyboards find Chinese names */
		index_text(ps, n->name);
		index_text(ps, n->name_en);
		index_text(ps, n->address);
		index_text(ps, site_enum(&site_zh, "kind", n->kind));
		index_text(ps, site_enum(&site_en, "kind", n->kind));
		index_text(ps, site_county_name(m, &site_zh, n->county));
		index_text(ps, site_county_name(m, &site_en, n->county));
		if (n->county >= 0)
			index_text(ps, m->regions[n->county].id);
		for (i = 0; n->region_id && i < m->nregions; i++)
			if (strcmp(m->regions[i].id, n->region_id) == 0 && i != n->county) {
				index_text(ps, m->regions[i].name);
				index_text(ps, m->regions[i].name_en);
			}
		for (i = 0; i < 3; i++) {
			static const char *const care[3] = { "full_day", "temporary", "hourly" };
			if (n->care[i]) {
				index_text(ps, site_enum(&site_zh, "care", care[i]));
				index_text(ps, site_enum(&site_en, "care", care[i]));
			}
		}
	} else if (d->kind == 1) {
		const site_event *e = &m->events[d->index];
		index_text(ps, e->title);
		index_text(ps, e->title_en);
		index_text(ps, e->place);
		index_text(ps, site_enum(&site_zh, "event", e->kind));
		index_text(ps, site_enum(&site_en, "event", e->kind));
		if (e->node >= 0) {
			index_text(ps, m->nodes[e->node].name);
			index_text(ps, m->nodes[e->node].name_en);
		}
	} else if (d->kind == 2) {
		index_text(ps, site_l(&site_zh, "Volunteer services"));
		index_text(ps, "Volunteer services");
		for (i = 0; i < m->nstypes; i++)
			if (m->stypes[i].domain && strcmp(m->stypes[i].domain, "volunteer") == 0) {
				index_text(ps, m->stypes[i].name);
				index_text(ps, m->stypes[i].name_en);
			}
	} else {
		index_text(ps, site_l(&site_zh, "County coverage"));
		index_text(ps, "County coverage");
		index_text(ps, site_l(&site_zh, "Demonstration centre"));
	}
}

static int write_docs(site_ctx *ctx, const site_lang *l, const doc_ref *docs, int ndocs)
{
	const site_model *m = ctx->m;
	hearth_buf *b = site_files_add(ctx->files, NULL, "%ssearch/docs.json", l->prefix);
	int i, rc;

	if (!b)
		return HEARTH_ERROR;
	rc = hearth_buf_puts(b, "{\"label\":");
	if (rc == 0)
		rc = site_esc_json(b, site_l(l, "Results"));
	if (rc == 0)
		rc = hearth_buf_puts(b, ",\"docs\":[\n");
	for (i = 0; rc == 0 && i < ndocs; i++) {
		const char *title, *kind;
		hearth_buf url = HEARTH_BUF_INIT;
		if (docs[i].kind == 0) {
			const site_node *n = &m->nodes[docs[i].index];
			rc = hearth_buf_printf(&url, "centres/%s.html", n->slug);
			title = site_name(l, n->name, n->name_en);
			kind = site_enum(l, "kind", n->kind);
		} else if (docs[i].kind == 1) {
			const site_event *e = &m->events[docs[i].index];
			site_event_path(&url, e, "html");
			title = site_name(l, e->title, e->title_en);
			kind = site_enum(l, "event", e->kind);
		} else {
			rc = hearth_buf_puts(&url, docs[i].kind == 2 ? "services.html" : "coverage.html");
			title = site_l(l, docs[i].kind == 2 ? "Volunteer services" : "County coverage");
			kind = "";
		}
		if (rc == 0)
			rc = hearth_buf_puts(b, i ? ",\n[" : "[");
		if (rc == 0)
			rc = site_esc_json(b, url.ptr);
		if (rc == 0)
			rc = hearth_buf_putc(b, ',');
		if (rc == 0)
			rc = site_esc_json(b, title);
		if (rc == 0)
			rc = hearth_buf_putc(b, ',');
		if (rc == 0)
			rc = site_esc_json(b, kind);
		if (rc == 0)
			rc = hearth_buf_putc(b, ']');
		hearth_buf_dispose(&url);
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, "\n]}\n");
	return rc;
}

static int write_shards(site_ctx *ctx, const site_lang *l, const postings *ps)
{
	unsigned s;
	int i, rc = 0;

	for (s = 0; rc == 0 && s < SITE_SHARDS; s++) {
		hearth_buf *b = site_files_add(ctx->files, NULL, "%ssearch/s/%02x.json", l->prefix, s);
		const char *last = NULL;
		if (!b)
			return HEARTH_ERROR;
		rc = hearth_buf_putc(b, '{');
		for (i = 0; rc == 0 && i < ps->n; i++) {
			const posting *p = &ps->p[i];
			if (site_token_shard(p->tok) != s)
				continue;
			if (last && strcmp(last, p->tok) == 0) {
				rc = hearth_buf_printf(b, ",%d", p->doc);
				continue;
			}
			if (last)
				rc = hearth_buf_puts(b, "],\n");
			if (rc == 0)
				rc = site_esc_json(b, p->tok);
			if (rc == 0)
				rc = hearth_buf_printf(b, ":[%d", p->doc);
			last = p->tok;
		}
		if (rc == 0)
			rc = hearth_buf_puts(b, last ? "]}\n" : "}\n");
	}
	return rc;
}

/* Every field index_doc and write_docs read, document by document (the key of the index). */
static void key_docs(site_ctx *ctx, hearth_buf *b, const doc_ref *docs, int ndocs)
{
	const site_model *m = ctx->m;
	int i, k;

	for (i = 0; i < m->nregions; i++)
		site_key_region(ctx, b, i);
	for (i = 0; i < m->nstypes; i++) {
		site_key_str(ctx, b, m->stypes[i].domain);
		site_key_str(ctx, b, m->stypes[i].name);
		site_key_str(ctx, b, m->stypes[i].name_en);
	}
	for (i = 0; i < ndocs; i++) {
		site_key_num(ctx, b, docs[i].kind);
		if (docs[i].kind == 0) {
			const site_node *n = &m->nodes[docs[i].index];
			site_key_str(ctx, b, n->id);
			site_key_str(ctx, b, n->name);
			site_key_str(ctx, b, n->name_en);
			site_key_str(ctx, b, n->address);
			site_key_str(ctx, b, n->kind);
			site_key_str(ctx, b, n->slug);
			site_key_str(ctx, b, n->region_id);
			site_key_num(ctx, b, n->county);
			for (k = 0; k < 3; k++)
				site_key_num(ctx, b, n->care[k] != 0);
		} else if (docs[i].kind == 1) {
			const site_event *e = &m->events[docs[i].index];
			site_key_str(ctx, b, e->slug);
			site_key_str(ctx, b, e->title);
			site_key_str(ctx, b, e->title_en);
			site_key_str(ctx, b, e->place);
			site_key_str(ctx, b, e->kind);
			site_key_num(ctx, b, e->node);
			if (e->node >= 0) {
				site_key_str(ctx, b, m->nodes[e->node].name);
				site_key_str(ctx, b, m->nodes[e->node].name_en);
			}
		}
	}
}

/* The index's files, docs.json first (the group's key is stored with it). */
static int search_paths(char paths[][24], const char **ptrs)
{
	int k, s, n = 0;

	for (k = 0; k < 2; k++)
		snprintf(paths[n], 24, "%ssearch/docs.json", k ? "en/" : ""), n++;
	for (k = 0; k < 2; k++)
		for (s = 0; s < SITE_SHARDS; s++)
			snprintf(paths[n], 24, "%ssearch/s/%02x.json", k ? "en/" : "", s), n++;
	for (k = 0; k < n; k++)
		ptrs[k] = paths[k];
	return n;
}

int site_search_write(site_ctx *ctx)
{
	postings ps = { NULL, 0, 0, 0, 0 };
	doc_ref *docs = NULL;
	char paths[2 + 2 * SITE_SHARDS][24];
	const char *ptrs[2 + 2 * SITE_SHARDS];
	hearth_buf data = HEARTH_BUF_INIT;
	uint64_t key[2];
	int ndocs, i, j, rc, has_key = 0, first = ctx->files->n;

	ndocs = collect_docs(ctx->m, &docs);
	if (ndocs < 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot index: out of memory"));
	if (site_keys_on(ctx)) {
		key_docs(ctx, &data, docs, ndocs);
		rc = site_group_keyed(ctx, &data, NULL, ptrs, search_paths(paths, ptrs), key,
			&has_key);
		hearth_buf_dispose(&data);
		if (rc) {
			free(docs);
			return rc < 0 ? rc : 0;
		}
	}
	for (i = 0; ps.rc == 0 && i < ndocs; i++) {
		ps.doc = i;
		index_doc(&ps, ctx->m, &docs[i]);
	}
	rc = ps.rc;
	if (rc == 0 && ps.n) {
		qsort(ps.p, (size_t)ps.n, sizeof *ps.p, cmp_posting);
		for (i = j = 1; i < ps.n; i++)
			if (cmp_posting(&ps.p[i], &ps.p[j - 1]) != 0)
				ps.p[j++] = ps.p[i];
		ps.n = j;
	}
	if (rc == 0)
		rc = write_docs(ctx, &site_zh, docs, ndocs);
	if (rc == 0)
		rc = write_docs(ctx, &site_en, docs, ndocs);
	if (rc == 0)
		rc = write_shards(ctx, &site_zh, &ps);
	if (rc == 0)
		rc = write_shards(ctx, &site_en, &ps);
	if (rc == 0 && has_key)
		site_group_rendered(ctx, first, key);
	free(ps.p);
	free(docs);
	return rc;
}
