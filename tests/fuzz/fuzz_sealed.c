/*
 * Fuzz target for format 3's sealed blobs (sync/seal.c): the header read in the clear, the
 * seal opened, the plaintext unpacked (DEFLATE) and its records decoded as format 2 does. The
 * first byte picks the case:
 *
 *   even: the rest is a sealed blob as fetched. It parses or fails with a one-line message; a
 *         blob that opens under the fixed key (only seeds made with it do) unpacks and decodes
 *         or fails the same way, never past its bounds.
 *   odd:  the rest is records to seal. Sealed with the fixed key, the blob's header parses,
 *         opens to exactly those bytes, and a blob with one bit flipped does not open.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz_sealed: %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
			abort();                                                               \
		}                                                                              \
	} while (0)

static void fixed_key(sync_seal_key *k, const char *node)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->node, sizeof(k->node), "%s", node);
	k->generation = 1;
	memset(k->key, 0x42, sizeof(k->key));
}

static void one_line(void)
{
	const char *msg = hearth_error_last();

	CHECK(msg[0] != '\0' && strchr(msg, '\n') == NULL);
}

static void opened(const hearth_buf *records)
{
	sync_commit c;
	sync_entry_head prev = { 0, 0 };
	int cap = 0, i;

	memset(&c, 0, sizeof(c));
	c.msg.count = SYNC_COMMIT_ENTRIES;
	c.msg.last_seq = INT64_MAX / 2;
	if (records->size && sync_blob_decode(&c, &cap, 1, records->ptr, records->size, &prev) < 0)
		one_line();
	for (i = 0; c.entries && i < c.msg.nentries; i++)
		hearth_buf_dispose(&c.entries[i].cs);
	free(c.entries);
	free(c.msg.entries);
}

static void as_fetched(const uint8_t *data, size_t size)
{
	hearth_buf records = HEARTH_BUF_INIT;
	sync_seal_head h;
	sync_seal_key k;
	int rc;

	if (sync_seal_head_parse(&h, data, size) < 0) {
		one_line();
		return;
	}
	CHECK(h.head_len + SYNC_SEAL_NONCE + SYNC_SEAL_TAG <= size);
	fixed_key(&k, h.node);
	rc = sync_seal_open(&records, &h, &k, 1, 1, "", 0);
	CHECK(rc == 0 || rc == HEARTH_EDENIED || rc == HEARTH_ECORRUPT);
	if (rc == 0)
		opened(&records);
	hearth_buf_dispose(&records);
}

static void round_trip(const uint8_t *data, size_t size)
{
	hearth_buf sealed = HEARTH_BUF_INIT, records = HEARTH_BUF_INIT;
	sync_seal_head h;
	sync_seal_key k;

	fixed_key(&k, "lucai");
	CHECK(sync_seal(&sealed, &k, 7, 0, "lucai", NULL, 1, 1, "Hearth-Format: 3\n", 17, data,
		      size, 2) == 0);
	CHECK(sync_seal_head_parse(&h, sealed.ptr, sealed.size) == 0);
	CHECK(sync_seal_open(&records, &h, &k, 1, 1, "Hearth-Format: 3\n", 17) == 0);
	CHECK(records.size == size && (size == 0 || memcmp(records.ptr, data, size) == 0));
	sealed.ptr[sealed.size - 1] ^= 1;
	CHECK(sync_seal_open(&records, &h, &k, 1, 1, "Hearth-Format: 3\n", 17) == HEARTH_EDENIED);
	hearth_buf_dispose(&sealed);
	hearth_buf_dispose(&records);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;

	if (!ready) {
		CHECK(sync_seal_init() == 0);
		ready = 1;
	}
	if (size == 0)
		return 0;
	if (data[0] & 1)
		round_trip(data + 1, size - 1);
	else
		as_fetched(data + 1, size - 1);
	return 0;
}
