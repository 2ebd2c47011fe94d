/*
 * The packing of a sealed blob's plaintext (docs/format.md, section 10), checked against the
 * format as written there rather than against seal.c: blobs are opened and made here with
 * libsodium and zlib alone. A small blob is packed with the preset dictionary (packing 2) and
 * comes out shorter than deflate at level 9 without it; a large one is plain DEFLATE (packing 1);
 * blobs of the older packings (stored, plain DEFLATE, as every hearth before wrote them) still
 * open; an unknown packing is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zlib.h>

#include "sync_int.h"
#include "tap.h"

static const char node[] = "lucai";
static const char trailers[] = "Hearth-Format: 3\nHearth-Direction: up\nHearth-Node: lucai\n";

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* n bytes of records like a commit of one-column updates of `child`: a table header, the node
 * id and a row id, then random phone numbers */
static void update_records(hearth_buf *out, size_t n, uint32_t seed)
{
	static const unsigned char head[] = { 'T', 9, 1, 2, 0, 0, 0, 0, 0, 0, 0, 'c', 'h', 'i',
		'l', 'd', 0, 0x17, 0, 0x03, 5, 'l', 'u', 'c', 'a', 'i' };
	char text[64];
	int i = 0;

	hearth_buf_clear(out);
	while (out->size < n) {
		seed = seed * 1103515245u + 12345u;
		hearth_buf_put(out, "\x01\x83\x80\x00\x4e", 5);
		hearth_buf_put(out, head, sizeof(head));
		snprintf(text, sizeof(text), "\x03\x09" "c%08d\x03\x0b" "138%08u", i++,
			(seed >> 4) % 100000000u);
		hearth_buf_puts(out, text);
	}
	out->size = n;
}

/* The dictionary of packing 2 as docs/format.md gives it. */
static size_t format_dict(unsigned char *d, const char *id)
{
	static const struct {
		int ncols;
		const char *name;
	} t[] = { { 6, "region" }, { 6, "service_type" }, { 20, "node" }, { 6, "care_class" },
		{ 7, "care_offer" }, { 9, "child" }, { 7, "enrolment" }, { 9, "health_check" },
		{ 6, "partnership" }, { 5, "volunteer_team" }, { 7, "volunteer" },
		{ 14, "service_request" }, { 11, "event" }, { 5, "request_tally" } };
	size_t i, len = 0;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		d[len++] = 'T';
		d[len++] = (unsigned char)t[i].ncols;
		d[len++] = 1;
		d[len++] = 2;
		memset(d + len, 0, (size_t)t[i].ncols - 2);
		len += (size_t)t[i].ncols - 2;
		memcpy(d + len, t[i].name, strlen(t[i].name) + 1);
		len += strlen(t[i].name) + 1;
	}
	d[len++] = 0x03;
	d[len++] = (unsigned char)strlen(id);
	memcpy(d + len, id, strlen(id));
	return len + strlen(id);
}

static void keys(unsigned char ek[32], unsigned char nk[32], const sync_seal_key *k)
{
	crypto_kdf_derive_from_key(ek, 32, 2 * 700, "hearthek", k->key);
	crypto_kdf_derive_from_key(nk, 32, 2 * 700, "hearthnk", k->key);
}

/* AD of blob 1 of 1 with the header head[hl] */
static void make_ad(hearth_buf *ad, const unsigned char *head, size_t hl)
{
	unsigned char nums[8];

	put_u32(nums, 1);
	put_u32(nums + 4, 1);
	hearth_buf_clear(ad);
	hearth_buf_puts(ad, "hearth-3");
	hearth_buf_put(ad, head, hl);
	hearth_buf_put(ad, nums, 8);
	hearth_buf_puts(ad, trailers);
}

/* The plaintext of a sealed blob, opened as the format says; -1 if it does not open. */
static int format_open(hearth_buf *plain, const hearth_buf *blob, const sync_seal_key *k)
{
	unsigned char ek[32], nk[32];
	hearth_buf ad = HEARTH_BUF_INIT;
	size_t hl = 11 + strlen(node) + 20;
	unsigned long long len = 0;
	int rc;

	keys(ek, nk, k);
	make_ad(&ad, (const unsigned char *)blob->ptr, hl);
	hearth_buf_clear(plain);
	hearth_buf_grow(plain, blob->size);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain->ptr, &len, NULL,
		(const unsigned char *)blob->ptr + hl + 24, blob->size - hl - 24,
		(const unsigned char *)ad.ptr, ad.size, (const unsigned char *)blob->ptr + hl, ek);
	plain->size = (size_t)len;
	hearth_buf_dispose(&ad);
	return rc;
}

/* A blob sealed as the format says, of plaintext plain[n] (packing byte included). */
static void format_seal(hearth_buf *blob, const unsigned char *plain, size_t n,
	const sync_seal_key *k)
{
	unsigned char ek[32], nk[32], head[64], nonce[24];
	hearth_buf ad = HEARTH_BUF_INIT;
	crypto_generichash_state hs;
	size_t hl = 0;
	unsigned long long clen = 0;

	head[hl++] = 3;
	put_u32(head + hl, k->generation);
	put_u32(head + hl + 4, 700);
	hl += 8;
	head[hl++] = 0;
	head[hl++] = (unsigned char)strlen(node);
	memcpy(head + hl, node, strlen(node));
	hl += strlen(node);
	memset(head + hl, 0x5a, 20);
	hl += 20;
	keys(ek, nk, k);
	make_ad(&ad, head, hl);
	crypto_generichash_init(&hs, nk, 32, 24);
	crypto_generichash_update(&hs, (const unsigned char *)ad.ptr, ad.size);
	crypto_generichash_update(&hs, plain, n);
	crypto_generichash_final(&hs, nonce, 24);
	hearth_buf_clear(blob);
	hearth_buf_grow(blob, hl + 24 + n + 16);
	memcpy(blob->ptr, head, hl);
	memcpy(blob->ptr + hl, nonce, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt((unsigned char *)blob->ptr + hl + 24, &clen,
		plain, n, (const unsigned char *)ad.ptr, ad.size, NULL, nonce, ek);
	blob->size = hl + 24 + (size_t)clen;
	hearth_buf_dispose(&ad);
}

/* raw DEFLATE of data[n] at `level`, after dict[dlen] when dlen > 0 */
static size_t deflated(unsigned char *out, size_t cap, const void *data, size_t n, int level,
	const unsigned char *dict, size_t dlen)
{
	z_stream z;
	size_t len;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
	if (dlen)
		deflateSetDictionary(&z, dict, (uInt)dlen);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	len = deflate(&z, Z_FINISH) == Z_STREAM_END ? z.total_out : 0;
	deflateEnd(&z);
	return len;
}

/* plain[n] (packing byte 1 or 2) inflated as the format says equals want */
static int inflates_to(const hearth_buf *plain, const hearth_buf *want)
{
	unsigned char dict[512];
	z_stream z;
	unsigned char *out = malloc(want->size + 1);
	int ok_ = 0;

	memset(&z, 0, sizeof(z));
	inflateInit2(&z, -15);
	if (plain->ptr[0] == 2)
		inflateSetDictionary(&z, dict, (uInt)format_dict(dict, node));
	z.next_in = (Bytef *)plain->ptr + 1;
	z.avail_in = (uInt)(plain->size - 1);
	z.next_out = out;
	z.avail_out = (uInt)want->size + 1;
	if (inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == want->size)
		ok_ = memcmp(out, want->ptr, want->size) == 0;
	inflateEnd(&z);
	free(out);
	return ok_;
}

/* sync_seal_open of blob opens to want */
static int opens_to(const hearth_buf *blob, const sync_seal_key *k, const hearth_buf *want)
{
	hearth_buf out = HEARTH_BUF_INIT;
	sync_seal_head h;
	int rc;

	if (sync_seal_head_parse(&h, blob->ptr, blob->size) < 0)
		return 0;
	rc = sync_seal_open(&out, &h, k, 1, 1, trailers, sizeof(trailers) - 1) == 0 &&
	     out.size == want->size && memcmp(out.ptr, want->ptr, want->size) == 0;
	hearth_buf_dispose(&out);
	return rc;
}

int main(void)
{
	hearth_buf rec = HEARTH_BUF_INIT, blob = HEARTH_BUF_INIT, plain = HEARTH_BUF_INIT;
	hearth_buf old = HEARTH_BUF_INIT, got = HEARTH_BUF_INIT;
	unsigned char dict[512], *z;
	sync_seal_key k;
	sync_seal_head h;
	git_oid prev;
	size_t zl, cap = 1 << 20;

	if (sync_seal_init() < 0)
		return 1;
	memset(&k, 0, sizeof(k));
	snprintf(k.node, sizeof(k.node), "%s", node);
	k.generation = 1;
	memset(k.key, 0x42, sizeof(k.key));
	memset(&prev, 0x5a, sizeof(prev));
	z = malloc(cap);
	diag("records like one-column updates of child at node %s", node);

	/* a small blob: packing 2, shorter than level 9 without the dictionary */
	update_records(&rec, 20000, 1);
	is_int(sync_seal(&blob, &k, 700, 0, node, &prev, 1, 1, trailers, sizeof(trailers) - 1,
		       rec.ptr, rec.size, 2),
		0, "a blob of 20,000 bytes of records seals");
	ok(format_open(&plain, &blob, &k) == 0, "it opens as the format says");
	is_int(plain.size ? plain.ptr[0] : -1, 2, "its packing is 2 (the preset dictionary)");
	ok(plain.size && inflates_to(&plain, &rec), "it inflates after the format's dictionary");
	zl = deflated(z, cap, rec.ptr, rec.size, 9, NULL, 0);
	ok(plain.size - 1 < zl, "it is shorter than deflate at level 9 without it (%zu < %zu bytes)",
		plain.size - 1, zl);
	zl = deflated(z, cap, rec.ptr, rec.size, 9, dict, format_dict(dict, node));
	ok(plain.size - 1 <= zl, "and no longer than level 9 with it (%zu <= %zu bytes)",
		plain.size - 1, zl);
	ok(opens_to(&blob, &k, &rec), "hearth opens it to its records");

	/* one short entry: the dictionary is most of what it shares */
	update_records(&rec, 70, 2);
	sync_seal(&blob, &k, 700, 0, node, &prev, 1, 1, trailers, sizeof(trailers) - 1, rec.ptr,
		rec.size, 2);
	format_open(&plain, &blob, &k);
	zl = deflated(z, cap, rec.ptr, rec.size, 9, NULL, 0);
	ok(plain.size && plain.ptr[0] == 2 && plain.size - 1 + 12 <= zl,
		"one entry of 70 bytes packs to %zu bytes, at least 12 fewer than without the "
		"dictionary (%zu)", plain.size - 1, zl);
	ok(opens_to(&blob, &k, &rec), "and opens");

	/* a large blob: plain DEFLATE */
	update_records(&rec, SYNC_SEAL_SMALL + 1000, 3);
	sync_seal(&blob, &k, 700, 0, node, &prev, 1, 1, trailers, sizeof(trailers) - 1, rec.ptr,
		rec.size, 2);
	ok(format_open(&plain, &blob, &k) == 0 && plain.size && plain.ptr[0] == 1,
		"a blob of %u bytes is packed 1 (DEFLATE, no dictionary)", SYNC_SEAL_SMALL + 1000);
	ok(plain.size && inflates_to(&plain, &rec), "it inflates without one");
	ok(opens_to(&blob, &k, &rec), "hearth opens it");

	/* for a reader that has not said it opens packing 2 (older than it): a small blob is
	 * packed as every hearth before wrote it, DEFLATE at level 5 */
	update_records(&rec, 20000, 6);
	is_int(sync_seal(&blob, &k, 700, 0, node, &prev, 1, 1, trailers, sizeof(trailers) - 1,
		       rec.ptr, rec.size, 1),
		0, "for a reader of packings 0 and 1, a small blob seals");
	zl = deflated(z, cap, rec.ptr, rec.size, 5, NULL, 0);
	ok(format_open(&plain, &blob, &k) == 0 && plain.size == zl + 1 && plain.ptr[0] == 1 &&
			memcmp(plain.ptr + 1, z, zl) == 0,
		"packed 1, byte for byte DEFLATE at level 5 as before packing 2 (%zu bytes)", zl);
	ok(opens_to(&blob, &k, &rec), "hearth opens it");
	sync_seal(&blob, &k, 700, 0, node, &prev, 1, 1, trailers, sizeof(trailers) - 1, rec.ptr,
		70, 1);
	ok(format_open(&plain, &blob, &k) == 0 && plain.size && plain.ptr[0] < 2,
		"one short entry too: packing %d", plain.size ? plain.ptr[0] : -1);
	rec.size = 70;
	ok(opens_to(&blob, &k, &rec), "and opens");

	/* the packings written before: stored and plain DEFLATE at level 5 */
	update_records(&rec, 5000, 4);
	hearth_buf_putc(&old, 1);
	zl = deflated(z, cap, rec.ptr, rec.size, 5, NULL, 0);
	hearth_buf_put(&old, z, zl);
	format_seal(&blob, (const unsigned char *)old.ptr, old.size, &k);
	ok(opens_to(&blob, &k, &rec), "an older blob packed 1 (DEFLATE at level 5) opens");
	hearth_buf_clear(&old);
	hearth_buf_putc(&old, 0);
	hearth_buf_put(&old, rec.ptr, rec.size);
	format_seal(&blob, (const unsigned char *)old.ptr, old.size, &k);
	ok(opens_to(&blob, &k, &rec), "an older blob packed 0 (stored) opens");

	/* packing 2 data read without the dictionary would not be the records: a blob whose
	 * stream needs it opens only with it */
	update_records(&rec, 3000, 5);
	hearth_buf_clear(&old);
	hearth_buf_putc(&old, 2);
	zl = deflated(z, cap, rec.ptr, rec.size, 9, dict, format_dict(dict, node));
	hearth_buf_put(&old, z, zl);
	format_seal(&blob, (const unsigned char *)old.ptr, old.size, &k);
	ok(opens_to(&blob, &k, &rec), "a blob packed 2 by another writer opens");

	/* an unknown packing */
	old.ptr[0] = 3;
	format_seal(&blob, (const unsigned char *)old.ptr, old.size, &k);
	sync_seal_head_parse(&h, blob.ptr, blob.size);
	is_int(sync_seal_open(&got, &h, &k, 1, 1, trailers, sizeof(trailers) - 1), HEARTH_ECORRUPT,
		"packing 3 is refused");
	ok(strstr(hearth_error_last(), "unknown packing") != NULL, "as an unknown packing: %s",
		hearth_error_last());

	free(z);
	hearth_buf_dispose(&rec);
	hearth_buf_dispose(&blob);
	hearth_buf_dispose(&plain);
	hearth_buf_dispose(&old);
	hearth_buf_dispose(&got);
	return done_testing();
}
