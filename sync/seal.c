/*
 * Format 3 (docs/format.md, section 10): the entries blobs sealed with XChaCha20-Poly1305 under
 * epoch keys derived from the key a node shares with the office. The blob's header is in the
 * clear and bound to the ciphertext as associated data with the commit's trailers and its
 * place (node, branch, previous commit), so a sealed blob opens only where it was sealed.
 * Everything read here comes from the network: parsed defensively.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zlib.h>

#include "sync_int.h"
#include "core/i18n.h"

#define SEAL_AD_LABEL "hearth-3"

int sync_seal_init(void)
{
	if (sodium_init() < 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot initialise libsodium"));
	return 0;
}

uint32_t sync_seal_epoch(hearth_clock clock)
{
	return (uint32_t)(HEARTH_CLOCK_MS(clock) / SYNC_EPOCH_MS);
}

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int sync_seal_head_parse(sync_seal_head *out, const void *blob, size_t n)
{
	const unsigned char *p = blob;
	size_t pos;

	memset(out, 0, sizeof(*out));
	if (n < 11 || p[0] != SYNC_SEAL_VERSION)
		return hearth_error_set(HEARTH_ECORRUPT, _("sealed blob: not a format 3 blob"));
	out->generation = get_u32(p + 1);
	out->epoch = get_u32(p + 5);
	if (p[9] > 1 || p[10] < 1 || p[10] > HEARTH_ID_MAX || out->generation == 0)
		return hearth_error_set(HEARTH_ECORRUPT, _("sealed blob: malformed header"));
	out->is_down = p[9];
	pos = 11 + p[10];
	if (n < pos + GIT_OID_RAWSZ + SYNC_SEAL_NONCE + SYNC_SEAL_TAG)
		return hearth_error_set(HEARTH_ECORRUPT, _("sealed blob: cut short"));
	memcpy(out->node, p + 11, p[10]);
	out->node[p[10]] = '\0';
	if (!hearth_id_valid(out->node))
		return hearth_error_set(HEARTH_ECORRUPT, _("sealed blob: invalid node id"));
	memcpy(out->prev, p + pos, GIT_OID_RAWSZ);
	pos += GIT_OID_RAWSZ;
	out->head_len = pos;
	out->nonce = p + pos;
	out->cipher = p + pos + SYNC_SEAL_NONCE;
	out->cipher_len = n - pos - SYNC_SEAL_NONCE;
	out->head = p;
	return 0;
}

/* The epoch key and the nonce key of (node key, epoch, direction). */
static int derive(unsigned char ek[32], unsigned char nk[32], const unsigned char key[32],
	uint32_t epoch, int is_down)
{
	uint64_t id = (uint64_t)epoch * 2 + (is_down ? 1 : 0);

	if (crypto_kdf_derive_from_key(ek, 32, id, "hearthek", key) != 0 ||
	    crypto_kdf_derive_from_key(nk, 32, id, "hearthnk", key) != 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot derive the epoch key"));
	return 0;
}

/* AD = "hearth-3" || header || u32 blob number || u32 blob count || trailers */
static int build_ad(hearth_buf *ad, const unsigned char *head, size_t head_len, uint32_t blob_no,
	uint32_t blobs, const char *trailers, size_t tlen)
{
	unsigned char nums[8];

	put_u32(nums, blob_no);
	put_u32(nums + 4, blobs);
	hearth_buf_clear(ad);
	if (hearth_buf_puts(ad, SEAL_AD_LABEL) < 0 || hearth_buf_put(ad, head, head_len) < 0 ||
	    hearth_buf_put(ad, nums, 8) < 0 || hearth_buf_put(ad, trailers, tlen) < 0)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	return 0;
}

int sync_trailers(hearth_buf *out, const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len;

	hearth_buf_clear(out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (l >= 7 && memcmp(p, "Hearth-", 7) == 0 &&
		    (hearth_buf_put(out, p, l) < 0 || hearth_buf_putc(out, '\n') < 0))
			return hearth_error_set(HEARTH_ERROR, _("out of memory"));
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* The preset dictionary of packing 2 (docs/format.md, section 10): the changeset table header
 * of each table of schema 9, in its rank ('T', n columns, the key flags 1 and 2, n - 2 zero
 * bytes, the name, NUL), then the node id of the blob's header as a changeset text value. A
 * commit's first entry starts with a table header and usually holds the node id: deflate takes
 * both from here instead of spelling them out. The list is part of the format: a later schema's
 * tables do not change it. */
static const struct {
	unsigned char ncols;
	const char *name;
} seal_dict_tables[] = {
	{ 6, "region" }, { 6, "service_type" }, { 20, "node" }, { 6, "care_class" },
	{ 7, "care_offer" }, { 9, "child" }, { 7, "enrolment" }, { 9, "health_check" },
	{ 6, "partnership" }, { 5, "volunteer_team" }, { 7, "volunteer" },
	{ 14, "service_request" }, { 11, "event" }, { 5, "request_tally" },
};

#define SEAL_DICT_MAX 512

/* The dictionary for node id `node` into d[SEAL_DICT_MAX]: its length. */
static size_t seal_dict(unsigned char *d, const char *node)
{
	size_t i, len = 0, l = strlen(node);

	for (i = 0; i < sizeof(seal_dict_tables) / sizeof(seal_dict_tables[0]); i++) {
		size_t nl = strlen(seal_dict_tables[i].name), c = seal_dict_tables[i].ncols;
		d[len++] = 'T';
		d[len++] = (unsigned char)c;
		d[len++] = 1;
		d[len++] = 2;
		memset(d + len, 0, c - 2);
		len += c - 2;
		memcpy(d + len, seal_dict_tables[i].name, nl + 1);
		len += nl + 1;
	}
	d[len++] = 0x03;
	d[len++] = (unsigned char)l;
	memcpy(d + len, node, l);
	return len + l;
}

/* Raw DEFLATE of data[n] into out[cap] at `level` and `strategy`, after dictionary dict[dlen]
 * (none if dlen is 0): *len is its length, 0 if it did not fit. */
static int deflate_into(size_t *len, unsigned char *out, size_t cap, const void *data, size_t n,
	int level, int strategy, const unsigned char *dict, size_t dlen)
{
	z_stream z;

	*len = 0;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, strategy) != Z_OK)
		return hearth_error_set(HEARTH_ERROR, _("cannot compress the entries"));
	if (dlen && deflateSetDictionary(&z, dict, (uInt)dlen) != Z_OK) {
		deflateEnd(&z);
		return hearth_error_set(HEARTH_ERROR, _("cannot compress the entries"));
	}
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) == Z_STREAM_END)
		*len = z.total_out;
	deflateEnd(&z);
	return 0;
}

/* plaintext = packing byte || data: 0 stored, 1 raw DEFLATE, 2 raw DEFLATE after the preset
 * dictionary of `node` (seal_dict); 2 only for a reader that opens packings up to `packing` 2.
 * A node's small pushes try two strategies for the fewest bytes; the office's small downs (one
 * per node and round) take one pass at SYNC_SEAL_DOWN_LEVEL: its round's time counts more */
static int pack_plain(hearth_buf *out, const void *data, size_t n, const char *node, int packing,
	int is_down)
{
	hearth_buf alt = HEARTH_BUF_INIT;
	unsigned char dict[SEAL_DICT_MAX];
	size_t bound, len = 0, other = 0, dlen;
	int rc;

	hearth_buf_clear(out);
	if (n > SYNC_BLOB_MAX)
		return hearth_error_set(HEARTH_ERROR, _("entries too large to seal"));
	bound = compressBound((uLong)n) + 16;
	if (hearth_buf_grow(out, bound + 1) < 0)
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	if (n >= SYNC_SEAL_SMALL || packing < 2) {
		/* the dictionary saves a few dozen bytes: nothing next to a large blob. A reader
		 * that opens packings 0 and 1 only gets a small blob as hearth wrote it before */
		int level = n >= SYNC_SEAL_SMALL ? SYNC_SEAL_DEFLATE_LEVEL : SYNC_SEAL_PLAIN_LEVEL;
		packing = 1;
		if ((rc = deflate_into(&len, (unsigned char *)out->ptr + 1, bound, data, n, level,
			     Z_DEFAULT_STRATEGY, NULL, 0)) < 0)
			return rc;
	} else {
		/* short matches of random digits (phone numbers, ids) cost more than their
		 * literals: Z_FILTERED skips them, which helps updates and hurts new rows */
		packing = 2;
		dlen = seal_dict(dict, node);
		if (!is_down && hearth_buf_grow(&alt, bound) < 0)
			return hearth_error_set(HEARTH_ERROR, _("out of memory"));
		if ((rc = deflate_into(&len, (unsigned char *)out->ptr + 1, bound, data, n,
			     is_down ? SYNC_SEAL_DOWN_LEVEL : SYNC_SEAL_SMALL_LEVEL,
			     Z_DEFAULT_STRATEGY, dict, dlen)) == 0 &&
		    !is_down && (rc = deflate_into(&other, (unsigned char *)alt.ptr, bound, data, n,
			     SYNC_SEAL_SMALL_LEVEL, Z_FILTERED, dict, dlen)) == 0 &&
		    other && (!len || other < len)) {
			memcpy(out->ptr + 1, alt.ptr, other);
			len = other;
		}
		if (alt.asize)
			sodium_memzero(alt.ptr, bound);
		hearth_buf_dispose(&alt);
		if (rc < 0)
			return rc;
	}
	if (len && len < n) {
		out->ptr[0] = (char)packing;
		out->size = 1 + len;
	} else {
		out->ptr[0] = 0;
		memcpy(out->ptr + 1, data, n);
		out->size = 1 + n;
	}
	out->ptr[out->size] = '\0';
	return 0;
}

static int unpack_plain(hearth_buf *out, const unsigned char *p, size_t n, const char *node)
{
	z_stream z;
	unsigned char chunk[16384], dict[SEAL_DICT_MAX];
	int zrc;

	hearth_buf_clear(out);
	if (n < 1 || p[0] > HEARTH_SEAL_PACKING)
		return hearth_error_set(HEARTH_ECORRUPT, _("sealed blob: unknown packing"));
	if (p[0] == 0)
		return hearth_buf_put(out, p + 1, n - 1);
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		return hearth_error_set(HEARTH_ERROR, _("cannot inflate the entries"));
	if (p[0] == 2 && inflateSetDictionary(&z, dict, (uInt)seal_dict(dict, node)) != Z_OK) {
		inflateEnd(&z);
		return hearth_error_set(HEARTH_ERROR, _("cannot inflate the entries"));
	}
	z.next_in = (Bytef *)(uintptr_t)(p + 1);
	z.avail_in = (uInt)(n - 1);
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zrc = inflate(&z, Z_NO_FLUSH);
		if (zrc != Z_OK && zrc != Z_STREAM_END)
			break;
		if (out->size + (sizeof(chunk) - z.avail_out) > SYNC_BLOB_MAX ||
		    hearth_buf_put(out, chunk, sizeof(chunk) - z.avail_out) < 0) {
			zrc = Z_MEM_ERROR;
			break;
		}
	} while (zrc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
	inflateEnd(&z);
	if (zrc != Z_STREAM_END || z.avail_in != 0)
		return hearth_error_set(HEARTH_ECORRUPT,
			_("sealed blob: the entries do not inflate (or inflate past %u bytes)"),
			SYNC_BLOB_MAX);
	return 0;
}

int sync_seal(hearth_buf *out, const sync_seal_key *k, uint32_t epoch, int is_down,
	const char *node, const git_oid *prev, uint32_t blob_no, uint32_t blobs,
	const char *trailers, size_t tlen, const void *records, size_t n, int packing)
{
	unsigned char ek[32], nk[32], head[11 + HEARTH_ID_MAX + GIT_OID_RAWSZ];
	unsigned char nonce[SYNC_SEAL_NONCE];
	hearth_buf plain = HEARTH_BUF_INIT, ad = HEARTH_BUF_INIT;
	crypto_generichash_state hs;
	size_t idlen = strlen(node), hl;
	unsigned long long clen = 0;
	int rc;

	hearth_buf_clear(out);
	if (idlen < 1 || idlen > HEARTH_ID_MAX)
		return hearth_error_set(HEARTH_EUSAGE, _("invalid node id"));
	head[0] = SYNC_SEAL_VERSION;
	put_u32(head + 1, k->generation);
	put_u32(head + 5, epoch);
	head[9] = is_down ? 1 : 0;
	head[10] = (unsigned char)idlen;
	memcpy(head + 11, node, idlen);
	hl = 11 + idlen;
	if (prev)
		memcpy(head + hl, prev->id, GIT_OID_RAWSZ);
	else
		memset(head + hl, 0, GIT_OID_RAWSZ);
	hl += GIT_OID_RAWSZ;
	if ((rc = derive(ek, nk, k->key, epoch, is_down)) < 0 ||
	    (rc = pack_plain(&plain, records, n, node, packing, is_down)) < 0 ||
	    (rc = build_ad(&ad, head, hl, blob_no, blobs, trailers, tlen)) < 0)
		goto done;
	/* a nonce from the nonce key over AD and plaintext: the same entries at the same place give
	 * the same bytes (a commit is reproducible), different ones never share a nonce */
	if (crypto_generichash_init(&hs, nk, sizeof(nk), SYNC_SEAL_NONCE) != 0 ||
	    crypto_generichash_update(&hs, (const unsigned char *)ad.ptr, ad.size) != 0 ||
	    crypto_generichash_update(&hs, (const unsigned char *)plain.ptr, plain.size) != 0 ||
	    crypto_generichash_final(&hs, nonce, SYNC_SEAL_NONCE) != 0) {
		rc = hearth_error_set(HEARTH_ERROR, _("cannot make the nonce"));
		goto done;
	}
	if ((rc = hearth_buf_grow(out, hl + SYNC_SEAL_NONCE + plain.size + SYNC_SEAL_TAG)) < 0)
		goto done;
	memcpy(out->ptr, head, hl);
	memcpy(out->ptr + hl, nonce, SYNC_SEAL_NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt((unsigned char *)out->ptr + hl + SYNC_SEAL_NONCE,
		&clen, (const unsigned char *)plain.ptr, plain.size, (const unsigned char *)ad.ptr,
		ad.size, NULL, nonce, ek);
	out->size = hl + SYNC_SEAL_NONCE + (size_t)clen;
	out->ptr[out->size] = '\0';
done:
	sodium_memzero(ek, sizeof(ek));
	sodium_memzero(nk, sizeof(nk));
	sodium_memzero(plain.ptr, plain.size);
	hearth_buf_dispose(&plain);
	hearth_buf_dispose(&ad);
	return rc;
}

int sync_seal_open(hearth_buf *records, const sync_seal_head *h, const sync_seal_key *k,
	uint32_t blob_no, uint32_t blobs, const char *trailers, size_t tlen)
{
	unsigned char ek[32], nk[32];
	hearth_buf plain = HEARTH_BUF_INIT, ad = HEARTH_BUF_INIT;
	unsigned long long plen = 0;
	int rc;

	hearth_buf_clear(records);
	if ((rc = derive(ek, nk, k->key, h->epoch, h->is_down)) < 0 ||
	    (rc = build_ad(&ad, h->head, h->head_len, blob_no, blobs, trailers, tlen)) < 0 ||
	    (rc = hearth_buf_grow(&plain, h->cipher_len)) < 0)
		goto done;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain.ptr, &plen, NULL,
		    h->cipher, h->cipher_len, (const unsigned char *)ad.ptr, ad.size, h->nonce,
		    ek) != 0) {
		rc = HEARTH_EDENIED; /* the caller says why */
		goto done;
	}
	plain.size = (size_t)plen;
	rc = unpack_plain(records, (const unsigned char *)plain.ptr, plain.size, h->node);
done:
	sodium_memzero(ek, sizeof(ek));
	sodium_memzero(nk, sizeof(nk));
	if (plain.size)
		sodium_memzero(plain.ptr, plain.size);
	hearth_buf_dispose(&plain);
	hearth_buf_dispose(&ad);
	return rc;
}

int sync_ratchet(unsigned char out[SYNC_KEY_BYTES], const unsigned char key[SYNC_KEY_BYTES])
{
	static const char label[] = "hearth-ratchet";
	unsigned char next[SYNC_KEY_BYTES];

	if (crypto_generichash(next, sizeof(next), (const unsigned char *)label, sizeof(label) - 1,
		    key, SYNC_KEY_BYTES) != 0)
		return hearth_error_set(HEARTH_ERROR, _("cannot derive the epoch key"));
	memcpy(out, next, sizeof(next));
	sodium_memzero(next, sizeof(next));
	return 0;
}

int sync_seal_open_ratchet(hearth_buf *records, const sync_seal_head *h, sync_seal_key *k,
	uint32_t blob_no, uint32_t blobs, const char *trailers, size_t tlen)
{
	sync_seal_key next = *k;
	int rc, step;

	rc = sync_seal_open(records, h, k, blob_no, blobs, trailers, tlen);
	for (step = 1; rc == HEARTH_EDENIED && step <= SYNC_RATCHET_MAX; step++) {
		if ((rc = sync_ratchet(next.key, next.key)) < 0)
			break;
		rc = sync_seal_open(records, h, &next, blob_no, blobs, trailers, tlen);
		if (rc != HEARTH_EDENIED) {
			/* the office moved the chain on (a purge): so does this reader */
			memcpy(k->key, next.key, SYNC_KEY_BYTES);
			k->ratcheted += step;
		}
	}
	sodium_memzero(&next, sizeof(next));
	return rc;
}

/* ---- keyrings ----------------------------------------------------------------------------- */

void sync_keyring_dispose(sync_keyring *r)
{
	if (r->keys)
		sodium_memzero(r->keys, (size_t)r->n * sizeof(*r->keys));
	free(r->keys);
	memset(r, 0, sizeof(*r));
}

int sync_keyring_load(sync_keyring *out, hearth_db *db, const char *node)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	/* a build of an older schema (the tests' hearth-v1, hearth-v3) has no keys */
	if (hearth_sql_count(hearth_db_sqlite(db),
		    "SELECT count(*) FROM sqlite_master WHERE name = 'hearth_key'") != 1)
		return 0;
	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "SELECT node, generation, key, state, in_use FROM hearth_key "
		     "WHERE ?1 IS NULL OR node = ?1 ORDER BY node, generation")) < 0)
		return rc;
	if (node)
		sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		sync_seal_key *k, *nk;
		const char *state = (const char *)sqlite3_column_text(st, 3);
		if (sqlite3_column_bytes(st, 2) != 32)
			continue;
		if (!(nk = realloc(out->keys, (size_t)(out->n + 1) * sizeof(*nk)))) {
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
			break;
		}
		out->keys = nk;
		k = &out->keys[out->n++];
		memset(k, 0, sizeof(*k));
		snprintf(k->node, sizeof(k->node), "%s", sqlite3_column_text(st, 0));
		k->generation = (uint32_t)sqlite3_column_int64(st, 1);
		memcpy(k->key, sqlite3_column_blob(st, 2), 32);
		k->state = strcmp(state, "revoked") == 0 ? SYNC_KEY_REVOKED
			 : strcmp(state, "retired") == 0 ? SYNC_KEY_RETIRED
							 : SYNC_KEY_ACTIVE;
		k->in_use = sqlite3_column_int(st, 4);
	}
	sqlite3_finalize(st);
	if (rc < 0)
		sync_keyring_dispose(out);
	return rc;
}

const sync_seal_key *sync_keyring_find(const sync_keyring *r, const char *node, uint32_t gen)
{
	int i;

	for (i = 0; r && i < r->n; i++)
		if (r->keys[i].generation == gen && strcmp(r->keys[i].node, node) == 0)
			return &r->keys[i];
	return NULL;
}

const sync_seal_key *sync_keyring_sealing(const sync_keyring *r, const char *node, int in_use)
{
	const sync_seal_key *best = NULL, *used = NULL;
	int i;

	for (i = 0; r && i < r->n; i++) {
		const sync_seal_key *k = &r->keys[i];
		if (strcmp(k->node, node) != 0 || k->state != SYNC_KEY_ACTIVE)
			continue;
		if (!best || k->generation > best->generation)
			best = k;
		if (k->in_use && (!used || k->generation > used->generation))
			used = k;
	}
	return in_use && used ? used : best;
}

int sync_keyring_required(const sync_keyring *r, const char *node)
{
	int i;

	for (i = 0; r && i < r->n; i++)
		if (strcmp(r->keys[i].node, node) == 0 && r->keys[i].in_use)
			return 1;
	return 0;
}

int sync_keyring_has(const sync_keyring *r, const char *node)
{
	int i;

	for (i = 0; r && i < r->n; i++)
		if (strcmp(r->keys[i].node, node) == 0)
			return 1;
	return 0;
}

int sync_keyring_revoked(const sync_keyring *r, const char *node)
{
	int i, any = 0;

	for (i = 0; r && i < r->n; i++) {
		if (strcmp(r->keys[i].node, node) != 0)
			continue;
		if (r->keys[i].state != SYNC_KEY_REVOKED)
			return 0;
		any = 1;
	}
	return any;
}

int sync_key_mark_used(hearth_db *db, const char *node, uint32_t gen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	/* the first commit sealed with a newer key retires the older ones */
	if ((rc = hearth_sql_prepare(&st, hearth_db_sqlite(db),
		     "UPDATE hearth_key SET in_use = CASE WHEN generation = ?2 THEN 1 ELSE in_use END, "
		     "state = CASE WHEN generation < ?2 AND state = 'active' THEN 'retired' "
		     "ELSE state END WHERE node = ?1 AND generation <= ?2")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, gen);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = hearth_error_sqlite(hearth_db_sqlite(db), HEARTH_ERROR, _("cannot record the key"));
	sqlite3_finalize(st);
	return rc;
}

int sync_seal_choose(sync_keyring *keys, sync_message *m, hearth_db *db, int prefer_in_use)
{
	int rc;

	m->format = HEARTH_FORMAT_UNSEALED;
	m->seal = NULL;
	if ((rc = sync_keyring_load(keys, db, m->node)) < 0)
		return rc;
	if (HEARTH_FORMAT_VERSION < 3 || !keys->n)
		return 0;
	if (!(m->seal = sync_keyring_sealing(keys, m->node, prefer_in_use)))
		return hearth_error_set(HEARTH_EDENIED,
			_("the key of '%s' is revoked: nothing is written for it until a new one is "
			"issued (hearth key issue %s)"), m->node, m->node);
	m->format = 3;
	/* the dictionary of packing 2 only once the node said it opens it */
	m->packing = sync_peer_packing(db, m->node);
	return 0;
}

/* ---- which packing the other side opens ---------------------------------------------------- */

int sync_peer_packing(hearth_db *db, const char *peer)
{
	hearth_buf v = HEARTH_BUF_INIT;
	char key[HEARTH_ID_MAX + 32];
	long opens = 1;

	snprintf(key, sizeof(key), "opens_packing.%s", peer);
	if (hearth_meta_get(db, key, &v) == 0)
		opens = strtol(v.ptr, NULL, 10);
	hearth_buf_dispose(&v);
	if (opens < 1)
		opens = 1;
	return opens < HEARTH_SEAL_PACKING ? (int)opens : HEARTH_SEAL_PACKING;
}

int sync_peer_packing_note(hearth_db *db, const char *peer, int opens)
{
	char key[HEARTH_ID_MAX + 32], num[16];

	/* a hearth from before packing 2 kept no record; from then on the newest commit decides:
	 * a peer that went back to an older hearth stops getting what only the newer opens */
	if (HEARTH_SEAL_PACKING < 2)
		return 0;
	snprintf(key, sizeof(key), "opens_packing.%s", peer);
	snprintf(num, sizeof(num), "%d", opens > 1 ? opens : 1);
	return hearth_meta_set(db, key, num);
}
