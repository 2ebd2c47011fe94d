/*
 * Seal figure: the cost per MB of sealing and opening format 3 blobs (docs/format.md, section
 * 10: epoch key derivation, deflate, the nonce over AD and plaintext, XChaCha20-Poly1305)
 * against libsodium's own crypto_aead_xchacha20poly1305_ietf encrypt and decrypt of the same
 * plaintext buffers with the same associated data, in the same run. The plaintext is the
 * changesets of real recorded writes (child rows), cut into blobs of 1 MiB as a push of many
 * entries would.
 *
 *   bench_seal [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zlib.h>

#include "bench.h"
#include "sync/sync_int.h"

#define CHUNK (1u << 20)

typedef struct {
	hearth_buf *plain;  /* the blobs' plaintext */
	hearth_buf *sealed; /* sync_seal's output, per blob */
	hearth_buf *boxed;  /* libsodium's ciphertext, per blob */
	int n;
	size_t bytes;
} blobs;

static const char trailers[] = "Hearth-Format: 3\nHearth-Direction: up\nHearth-Node: seal-bench\n"
			       "Hearth-Schema: 7\nHearth-Entries: 1 256\n";

/* The changesets of `rows` child rows written 50 a transaction, cut into blobs of CHUNK. */
static void make_blobs(blobs *b, const char *dir, int rows)
{
	hearth_db *db = NULL;
	sqlite3_stmt *st = NULL;
	hearth_buf all = HEARTH_BUF_INIT;
	uint64_t rng = 7;
	size_t off;
	int i;

	bench_check(hearth_db_create(&db, dir, "seal-bench", "childcare_centre", "封存托育中心",
			    "luzhou"),
		"create node");
	for (i = 0; i < rows; i += 50)
		bench_check(bench_write_children(db, i, 50, 40, &rng), "rows");
	bench_check(hearth_sql_prepare(&st, hearth_db_sqlite(db),
			    "SELECT changeset FROM hearth_outbox ORDER BY seq"),
		"outbox");
	while (sqlite3_step(st) == SQLITE_ROW)
		hearth_buf_put(&all, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
	hearth_db_free(db);
	memset(b, 0, sizeof(*b));
	b->n = (int)((all.size + CHUNK - 1) / CHUNK);
	if (!(b->plain = calloc((size_t)b->n, sizeof(hearth_buf))) ||
	    !(b->sealed = calloc((size_t)b->n, sizeof(hearth_buf))) ||
	    !(b->boxed = calloc((size_t)b->n, sizeof(hearth_buf))))
		bench_die("out of memory");
	for (i = 0, off = 0; i < b->n; i++, off += CHUNK) {
		size_t len = all.size - off < CHUNK ? all.size - off : CHUNK;
		hearth_buf_init(&b->plain[i], 0);
		hearth_buf_init(&b->sealed[i], 0);
		hearth_buf_init(&b->boxed[i], 0);
		hearth_buf_put(&b->plain[i], all.ptr + off, len);
		b->bytes += len;
	}
	hearth_buf_dispose(&all);
}

/* Seconds to seal every blob as hearth does, then to open them. */
static void hearth_run(blobs *b, const sync_seal_key *k, double *seal_s, double *open_s)
{
	hearth_buf out = HEARTH_BUF_INIT;
	git_oid prev;
	double t0;
	int i;

	memset(&prev, 0x5a, sizeof(prev));
	t0 = bench_now();
	for (i = 0; i < b->n; i++)
		bench_check(sync_seal(&b->sealed[i], k, 700, 0, k->node, &prev, (uint32_t)i + 1,
				    (uint32_t)b->n, trailers, sizeof(trailers) - 1, b->plain[i].ptr,
				    b->plain[i].size, HEARTH_SEAL_PACKING),
			"seal");
	*seal_s = bench_now() - t0;
	t0 = bench_now();
	for (i = 0; i < b->n; i++) {
		sync_seal_head h;
		bench_check(sync_seal_head_parse(&h, b->sealed[i].ptr, b->sealed[i].size), "head");
		bench_check(sync_seal_open(&out, &h, k, (uint32_t)i + 1, (uint32_t)b->n, trailers,
				    sizeof(trailers) - 1),
			"open");
		if (out.size != b->plain[i].size || memcmp(out.ptr, b->plain[i].ptr, out.size) != 0)
			bench_die("blob %d does not open to its plaintext", i);
	}
	*open_s = bench_now() - t0;
	hearth_buf_dispose(&out);
}

/* Seconds for libsodium's AEAD alone to encrypt, then decrypt, the same buffers. */
static void sodium_run(blobs *b, const unsigned char *key, double *enc_s, double *dec_s)
{
	unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	hearth_buf out = HEARTH_BUF_INIT;
	unsigned long long len;
	double t0;
	int i;

	randombytes_buf(nonce, sizeof(nonce));
	t0 = bench_now();
	for (i = 0; i < b->n; i++) {
		hearth_buf *c = &b->boxed[i];
		if (hearth_buf_grow(c, b->plain[i].size + crypto_aead_xchacha20poly1305_ietf_ABYTES) < 0)
			bench_die("out of memory");
		crypto_aead_xchacha20poly1305_ietf_encrypt((unsigned char *)c->ptr, &len,
			(const unsigned char *)b->plain[i].ptr, b->plain[i].size,
			(const unsigned char *)trailers, sizeof(trailers) - 1, NULL, nonce, key);
		c->size = (size_t)len;
	}
	*enc_s = bench_now() - t0;
	if (hearth_buf_grow(&out, CHUNK) < 0)
		bench_die("out of memory");
	t0 = bench_now();
	for (i = 0; i < b->n; i++)
		if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out.ptr, &len, NULL,
			    (const unsigned char *)b->boxed[i].ptr, b->boxed[i].size,
			    (const unsigned char *)trailers, sizeof(trailers) - 1, nonce, key) != 0)
			bench_die("libsodium: blob %d does not decrypt", i);
	*dec_s = bench_now() - t0;
	hearth_buf_dispose(&out);
}

/* Seconds for raw deflate alone (the level sealing uses for blobs of this size) over the same
 * buffers. */
static double deflate_run(const blobs *b)
{
	hearth_buf out = HEARTH_BUF_INIT;
	double t0 = bench_now();
	int i;

	for (i = 0; i < b->n; i++) {
		z_stream z;
		uLong bound = compressBound((uLong)b->plain[i].size);
		memset(&z, 0, sizeof(z));
		if (hearth_buf_grow(&out, bound) < 0 ||
		    deflateInit2(&z, SYNC_SEAL_DEFLATE_LEVEL, Z_DEFLATED, -15, 8,
			Z_DEFAULT_STRATEGY) != Z_OK)
			bench_die("deflate");
		z.next_in = (Bytef *)b->plain[i].ptr;
		z.avail_in = (uInt)b->plain[i].size;
		z.next_out = (Bytef *)out.ptr;
		z.avail_out = (uInt)bound;
		if (deflate(&z, Z_FINISH) != Z_STREAM_END)
			bench_die("deflate");
		deflateEnd(&z);
	}
	hearth_buf_dispose(&out);
	return bench_now() - t0;
}

static void figure(const char *name, const char *what, const double *h, const double *s,
	double mb, double target)
{
	double mh = bench_median(h, BENCH_RUNS), ms = bench_median(s, BENCH_RUNS);
	char base[256];

	snprintf(base, sizeof(base), "libsodium %s %.2f ms/MB, hearth %.2f ms/MB (%.1f MB in "
				     "blobs of 1 MiB)",
		what, ms * 1000 / mb, mh * 1000 / mb, mb);
	if (bench_selected(name))
		bench_figure(name, mh / ms, "x", base, BENCH_AT_MOST, target);
}

int main(int argc, char **argv)
{
	int quick = bench_quick(argc, argv), rows = quick ? 20000 : 100000, r, i;
	double seal[BENCH_RUNS], open[BENCH_RUNS], enc[BENCH_RUNS], dec[BENCH_RUNS], mb;
	double zip[BENCH_RUNS];
	sync_seal_key k;
	blobs b;
	char *root;

	if (sodium_init() < 0)
		bench_die("cannot initialise libsodium");
	root = bench_tmpdir("hearth-bench-seal");
	make_blobs(&b, root, rows);
	memset(&k, 0, sizeof(k));
	snprintf(k.node, sizeof(k.node), "seal-bench");
	k.generation = 1;
	randombytes_buf(k.key, sizeof(k.key));
	for (r = 0; r < BENCH_RUNS; r++) {
		hearth_run(&b, &k, &seal[r], &open[r]);
		sodium_run(&b, k.key, &enc[r], &dec[r]);
		zip[r] = deflate_run(&b);
	}
	mb = (double)b.bytes / 1e6;
	/* sealing deflates first (the entries compress 3-4x): most of its cost, and of the saving
	 * on the wire; opening inflates */
	figure("seal_per_mb_vs_libsodium_aead", "encrypt", seal, enc, mb, 20);
	figure("open_per_mb_vs_libsodium_aead", "decrypt", open, dec, mb, 5);
	if (bench_selected("seal_per_mb_vs_libsodium_aead"))
		printf("info seal_deflate_alone = %.2f ms/MB (of sealing's %.2f ms/MB)\n",
			bench_median(zip, BENCH_RUNS) * 1000 / mb, bench_median(seal, BENCH_RUNS) * 1000 / mb);
	for (i = 0; i < b.n; i++) {
		hearth_buf_dispose(&b.plain[i]);
		hearth_buf_dispose(&b.sealed[i]);
		hearth_buf_dispose(&b.boxed[i]);
	}
	free(b.plain);
	free(b.sealed);
	free(b.boxed);
	sodium_memzero(&k, sizeof(k));
	bench_sh("rm -rf '%s'", root);
	return 0;
}
