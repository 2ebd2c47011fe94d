/*
 * hearth-forge: an adversary who knows log format 3 (docs/format.md, section 10) but not the
 * node's key. It writes into a node's repository an `up` commit sealed with a key of its own,
 * as a thief or anyone with write access to the repository could; the tests show the office
 * quarantines it (tests/integration/sync_sealed.sh). It also writes the seeds of the fuzz
 * target of sealed blobs.
 *
 *   hearth-forge up REPO NODE SEQ CLOCK SCHEMA FINGERPRINT CHANGESET [KEYHEX]
 *       a format 3 commit on REPO's refs/heads/up (child of its head, if any) holding one entry,
 *       sealed with KEYHEX (64 hex digits; default: a random key); the ref moves; prints the id
 *   hearth-forge blob KEYHEX NODE RECORDS OUT
 *       the sealed blob 1 of 1 of a first `up` commit of NODE with no trailers, for RECORDS
 *   hearth-forge open REPO DB...
 *       a thief of the databases: every commit object of REPO (every branch, and what no
 *       branch holds any more) read with the keys of the tables hearth_key of DB...; what opens
 *       (the entries' changesets and the authors) goes to stdout, "opened N of M commits" to
 *       stderr (tests/integration/purge_shred.sh)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sync/sync_int.h"

static int read_all(hearth_buf *out, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (hearth_buf_put(out, chunk, n) < 0) {
			fclose(f);
			return -1;
		}
	fclose(f);
	return 0;
}

static int key_of(sync_seal_key *k, const char *node, const char *hex)
{
	size_t bin = 0;

	memset(k, 0, sizeof(*k));
	snprintf(k->node, sizeof(k->node), "%s", node);
	k->generation = 1;
	if (!hex) {
		randombytes_buf(k->key, sizeof(k->key));
		return 0;
	}
	return sodium_hex2bin(k->key, sizeof(k->key), hex, strlen(hex), NULL, &bin, NULL) == 0 &&
			       bin == sizeof(k->key)
		       ? 0
		       : -1;
}

static int forge_up(char **argv, int argc)
{
	git_repository *repo = NULL;
	git_oid parent, id;
	sync_seal_key key;
	sync_message m;
	sync_entry e, *ptr = &e;
	int have_parent, rc = 1;

	memset(&m, 0, sizeof(m));
	hearth_buf_init(&e.cs, 0);
	if (key_of(&key, argv[1], argc > 7 ? argv[7] : NULL) < 0 || read_all(&e.cs, argv[6]) < 0 ||
	    hearth_clock_parse(&e.head.clock, argv[3]) < 0 ||
	    git_repository_open_bare(&repo, argv[0]) < 0) {
		fprintf(stderr, "hearth-forge: bad arguments\n");
		goto done;
	}
	e.head.seq = strtoll(argv[2], NULL, 10);
	have_parent = git_reference_name_to_id(&parent, repo, "refs/heads/up") == 0;
	m.format = 3;
	snprintf(m.node, sizeof(m.node), "%s", argv[1]);
	m.schema = atoi(argv[4]);
	snprintf(m.fingerprint, sizeof(m.fingerprint), "%s", argv[5]);
	m.nentries = 1;
	m.entries = &e.head;
	m.seal = &key;
	if (sync_commit_write(&id, repo, have_parent ? &parent : NULL, "forged", &m, &ptr) < 0 ||
	    sync_ref_set(repo, "refs/heads/up", &id) < 0) {
		fprintf(stderr, "hearth-forge: %s\n", hearth_error_last());
		goto done;
	}
	printf("%s\n", git_oid_tostr_s(&id));
	rc = 0;
done:
	hearth_buf_dispose(&e.cs);
	git_repository_free(repo);
	return rc;
}

static int forge_blob(char **argv)
{
	hearth_buf in = HEARTH_BUF_INIT, out = HEARTH_BUF_INIT;
	sync_seal_key key;
	FILE *f = NULL;
	int rc = 1;

	if (key_of(&key, argv[1], argv[0]) < 0 || read_all(&in, argv[2]) < 0 ||
	    sync_seal(&out, &key, 0, 0, argv[1], NULL, 1, 1, "", 0, in.ptr, in.size, 2) < 0 ||
	    !(f = fopen(argv[3], "wb")) || fwrite(out.ptr, 1, out.size, f) != out.size)
		fprintf(stderr, "hearth-forge: cannot write the blob\n");
	else
		rc = 0;
	if (f && fclose(f) != 0)
		rc = 1;
	hearth_buf_dispose(&in);
	hearth_buf_dispose(&out);
	return rc;
}

/* Every row of hearth_key of the database at `path` into `r`. */
static int keys_add(sync_keyring *r, const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT node, generation, key FROM hearth_key", -1, &st, NULL) !=
		    SQLITE_OK)
		goto done;
	while (sqlite3_step(st) == SQLITE_ROW) {
		sync_seal_key *k, *grown = realloc(r->keys, (size_t)(r->n + 1) * sizeof(*grown));
		if (!grown || sqlite3_column_bytes(st, 2) != SYNC_KEY_BYTES)
			goto done;
		r->keys = grown;
		k = &r->keys[r->n++];
		memset(k, 0, sizeof(*k));
		snprintf(k->node, sizeof(k->node), "%s", sqlite3_column_text(st, 0));
		k->generation = (uint32_t)sqlite3_column_int64(st, 1);
		memcpy(k->key, sqlite3_column_blob(st, 2), SYNC_KEY_BYTES);
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

typedef struct {
	git_repository *repo;
	sync_keyring *keys;
	int commits, opened;
} open_walk;

static int open_one(const git_oid *id, void *payload)
{
	open_walk *w = payload;
	git_object *obj = NULL;
	sync_commit c;
	int i;

	if (git_object_lookup(&obj, w->repo, id, GIT_OBJECT_ANY) < 0)
		return 0;
	if (git_object_type(obj) == GIT_OBJECT_COMMIT) {
		w->commits++;
		if (sync_commit_read_keyed(&c, w->repo, id, UINT64_MAX, w->keys, -1) == 0) {
			w->opened++;
			for (i = 0; i < c.msg.nentries; i++)
				fwrite(c.entries[i].cs.ptr, 1, c.entries[i].cs.size, stdout);
			if (c.message)
				fputs(c.message, stdout);
		}
		sync_commit_dispose(&c);
	}
	git_object_free(obj);
	return 0;
}

static int forge_open(char **argv, int argc)
{
	sync_keyring keys = { NULL, 0 };
	open_walk w = { NULL, &keys, 0, 0 };
	git_odb *odb = NULL;
	int i, rc = 1;

	for (i = 1; i < argc; i++)
		if (keys_add(&keys, argv[i]) < 0) {
			fprintf(stderr, "hearth-forge: cannot read the keys of %s\n", argv[i]);
			goto done;
		}
	if (git_repository_open_bare(&w.repo, argv[0]) < 0 ||
	    git_repository_odb(&odb, w.repo) < 0 || git_odb_foreach(odb, open_one, &w) < 0) {
		fprintf(stderr, "hearth-forge: cannot read %s\n", argv[0]);
		goto done;
	}
	fprintf(stderr, "opened %d of %d commits\n", w.opened, w.commits);
	rc = 0;
done:
	git_odb_free(odb);
	git_repository_free(w.repo);
	sync_keyring_dispose(&keys);
	return rc;
}

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* The packing byte of blob entries.1 of commit `c`, opened with `keys` as the format says; -1
 * if it does not open. */
static int packing_of(git_repository *repo, git_commit *c, const sync_keyring *keys)
{
	const char *msg = git_commit_message_raw(c);
	hearth_buf ad = HEARTH_BUF_INIT, trailers = HEARTH_BUF_INIT, plain = HEARTH_BUF_INIT;
	git_tree *tree = NULL;
	git_blob *blob = NULL;
	const git_tree_entry *te;
	const sync_seal_key *k;
	sync_seal_head h;
	unsigned char ek[32], nums[8];
	unsigned long long len = 0;
	uint32_t blobs;
	int packing = -1;

	if (git_commit_tree(&tree, c) < 0 || !(te = git_tree_entry_byname(tree, "entries.1")) ||
	    git_blob_lookup(&blob, repo, git_tree_entry_id(te)) < 0 ||
	    sync_seal_head_parse(&h, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob)) < 0 ||
	    !(k = sync_keyring_find(keys, h.node, h.generation)))
		goto done;
	blobs = (uint32_t)git_tree_entrycount(tree) - (git_tree_entry_byname(tree, "authors") ? 1 : 0);
	crypto_kdf_derive_from_key(ek, 32, 2ull * h.epoch + (h.is_down ? 1 : 0), "hearthek", k->key);
	put_u32(nums, 1);
	put_u32(nums + 4, blobs);
	if (sync_trailers(&trailers, msg, strlen(msg)) < 0 || hearth_buf_puts(&ad, "hearth-3") < 0 ||
	    hearth_buf_put(&ad, h.head, h.head_len) < 0 || hearth_buf_put(&ad, nums, 8) < 0 ||
	    hearth_buf_put(&ad, trailers.ptr, trailers.size) < 0 ||
	    hearth_buf_grow(&plain, h.cipher_len) < 0)
		goto done;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain.ptr, &len, NULL,
		    h.cipher, h.cipher_len, (const unsigned char *)ad.ptr, ad.size, h.nonce, ek) == 0 &&
	    len > 0)
		packing = (unsigned char)plain.ptr[0];
done:
	sodium_memzero(ek, sizeof(ek));
	hearth_buf_dispose(&ad);
	hearth_buf_dispose(&trailers);
	hearth_buf_dispose(&plain);
	git_blob_free(blob);
	git_tree_free(tree);
	return packing;
}

static int forge_packings(char **argv)
{
	sync_keyring keys = { NULL, 0 };
	git_repository *repo = NULL;
	git_oid head, *ids = NULL;
	size_t n = 0, i;
	int rc = 1;

	if (keys_add(&keys, argv[2]) < 0 || git_repository_open_bare(&repo, argv[0]) < 0 ||
	    git_reference_name_to_id(&head, repo, argv[1]) < 0 ||
	    sync_walk(&ids, &n, repo, &head, NULL, 0) < 0) {
		fprintf(stderr, "hearth-forge: cannot read %s of %s with the keys of %s\n", argv[1],
			argv[0], argv[2]);
		goto done;
	}
	for (i = 0; i < n; i++) {
		git_commit *c = NULL;
		if (git_commit_lookup(&c, repo, &ids[i]) < 0)
			goto done;
		printf("%s%d", i ? " " : "", packing_of(repo, c, &keys));
		git_commit_free(c);
	}
	printf("\n");
	rc = 0;
done:
	free(ids);
	git_repository_free(repo);
	sync_keyring_dispose(&keys);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (hearth_sync_init() < 0)
		return 1;
	if (argc >= 9 && strcmp(argv[1], "up") == 0)
		rc = forge_up(argv + 2, argc - 2);
	else if (argc == 6 && strcmp(argv[1], "blob") == 0)
		rc = forge_blob(argv + 2);
	else if (argc >= 4 && strcmp(argv[1], "open") == 0)
		rc = forge_open(argv + 2, argc - 2);
	else if (argc == 5 && strcmp(argv[1], "packings") == 0)
		rc = forge_packings(argv + 2);
	else
		fprintf(stderr, "usage: hearth-forge up REPO NODE SEQ CLOCK SCHEMA FINGERPRINT "
				"CHANGESET [KEYHEX] | blob KEYHEX NODE RECORDS OUT | open REPO DB... | "
				"packings REPO REF DB\n");
	hearth_sync_shutdown();
	return rc;
}
