/*
 * Fuzz target for sync_message_parse, the commit-message trailers every fetched commit goes
 * through. Any bytes either parse or fail with a negative code and a one-line message, leaving
 * the message zeroed; what parsed, formatted again with sync_message_format, parses to the same
 * fields, and formatting that again gives the same bytes (the format is canonical).
 *
 * Format 2 keeps the entries in a blob: an input holding a NUL byte is also read as a message,
 * the NUL, then one entries blob (a message itself never holds a NUL, so the whole input still
 * fails as a message). The blob is decoded against the message as sync_commit_read does: it
 * fails with a one-line message, or gives exactly the entries the message lists, each a
 * well-formed changeset, which encoded again give the same bytes (one encoding per entries).
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
			fprintf(stderr, "fuzz_format: %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
			abort();                                                               \
		}                                                                              \
	} while (0)

static void check_error(int rc)
{
	const char *msg = hearth_error_last();

	CHECK(rc == HEARTH_ECORRUPT || rc == HEARTH_ENEWER || rc == HEARTH_ERROR);
	CHECK(hearth_error_code() == rc);
	CHECK(msg[0] != '\0' && strchr(msg, '\n') == NULL && strchr(msg, '\r') == NULL);
}

static void check_seqs(const sync_message *a);

static void check_same(const sync_message *a, const sync_message *b)
{
	int i;

	CHECK(a->format == b->format && a->format >= 1 && a->format <= HEARTH_FORMAT_VERSION);
	CHECK(a->is_down == b->is_down);
	CHECK(strcmp(a->node, b->node) == 0 && hearth_id_valid(a->node));
	CHECK(a->schema == b->schema && a->schema >= 0);
	CHECK(strcmp(a->fingerprint, b->fingerprint) == 0);
	CHECK(strlen(a->fingerprint) == HEARTH_CLOCK_HEX);
	CHECK(a->range_from == b->range_from && a->range_to == b->range_to);
	CHECK(a->ack == b->ack);
	/* the announcement of the packings the writer opens (not a trailer) is kept */
	CHECK(a->opens == b->opens && a->opens >= 0 && a->opens <= 1000000);
	CHECK(a->nentries == b->nentries);
	CHECK(a->count == b->count && a->first_seq == b->first_seq && a->last_seq == b->last_seq);
	/* format 1 lists its entries in the message, format 2 in the blob */
	CHECK(a->format == 1 ? a->nentries == a->count : a->nentries == 0);
	CHECK(a->count == 0 || (a->first_seq >= 1 && a->last_seq - a->first_seq >= a->count - 1));
	for (i = 0; i < a->nentries; i++) {
		CHECK(a->entries[i].seq == b->entries[i].seq && a->entries[i].seq >= 1);
		CHECK(a->entries[i].clock == b->entries[i].clock);
		CHECK(i == 0 || a->entries[i].seq > a->entries[i - 1].seq);
	}
	check_seqs(a);
}

/* An up commit lists contiguous entries; a down one keeps them inside its range. */
static void check_seqs(const sync_message *a)
{
	if (!a->is_down) {
		CHECK(a->count >= 1);
		CHECK(a->last_seq - a->first_seq == a->count - 1);
	} else {
		CHECK(a->range_from <= a->range_to);
		CHECK(a->count == 0 || a->is_snapshot ||
			(a->first_seq > a->range_from && a->last_seq <= a->range_to));
	}
	if (a->nentries) {
		CHECK(a->entries[0].seq == a->first_seq);
		CHECK(a->entries[a->nentries - 1].seq == a->last_seq);
	}
}

/* The number written after `key` on the line of the raw message that carries it. */
static long long raw_number(const uint8_t *data, size_t size, const char *key)
{
	size_t klen = strlen(key), i = 0;
	long long v = 0;

	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t end = nl ? (size_t)(nl - data) : size;
		if (end - i > klen && memcmp(data + i, key, klen) == 0) {
			for (i += klen; i < end; i++)
				v = v * 10 + (data[i] - '0');
			return v;
		}
		i = end + 1;
	}
	return -1;
}

static void check_message(const uint8_t *data, size_t size)
{
	sync_message first, again;
	hearth_buf text = HEARTH_BUF_INIT, text2 = HEARTH_BUF_INIT;
	int rc;

	hearth_error_clear();
	rc = sync_message_parse(&first, (const char *)data, size);
	if (rc) {
		check_error(rc);
		/* a failed parse leaves nothing to free */
		CHECK(first.entries == NULL && first.nentries == 0);
		return;
	}
	CHECK(hearth_error_code() == 0);
	/* the numbers are the ones written, not wrapped into an int */
	CHECK(raw_number(data, size, "Hearth-Format: ") == first.format);
	CHECK(raw_number(data, size, "Hearth-Schema: ") == first.schema);
	CHECK(sync_message_format(&text, "fuzz: reformatted", &first) == 0);
	rc = sync_message_parse(&again, text.ptr, text.size);
	if (rc)
		fprintf(stderr, "fuzz_format: reformatted message does not parse: %s\n%s",
			hearth_error_last(), text.ptr);
	CHECK(rc == 0);
	check_same(&first, &again);
	CHECK(sync_message_format(&text2, "fuzz: reformatted", &again) == 0);
	CHECK(text2.size == text.size && memcmp(text2.ptr, text.ptr, text.size) == 0);
	sync_message_dispose(&first);
	sync_message_dispose(&again);
	hearth_buf_dispose(&text);
	hearth_buf_dispose(&text2);
}

/* What decoded: the listed entries, in order, well-formed, and encoded again the same bytes. */
static void check_decoded(const sync_commit *c, const uint8_t *blob, size_t n)
{
	hearth_buf again = HEARTH_BUF_INIT;
	sync_entry_head prev = { 0, 0 };
	int i;

	CHECK(c->msg.count >= 1 && c->msg.nentries == c->msg.count);
	check_seqs(&c->msg);
	for (i = 0; i < c->msg.nentries; i++) {
		const sync_entry *e = &c->entries[i];
		CHECK(e->head.seq == c->msg.entries[i].seq && e->head.clock == c->msg.entries[i].clock);
		CHECK(i == 0 || e->head.seq > c->entries[i - 1].head.seq);
		CHECK(e->cs.size <= SYNC_ENTRY_MAX && hearth_changeset_wellformed(e->cs.ptr, e->cs.size));
		CHECK(sync_blob_append(&again, e, &prev) == 0);
	}
	CHECK(again.size == n && memcmp(again.ptr, blob, n) == 0);
	hearth_buf_dispose(&again);
}

static void check_blob(const uint8_t *msg, size_t mlen, const uint8_t *blob, size_t n)
{
	sync_commit c;
	sync_entry_head prev = { 0, 0 };
	int cap = 0, rc;

	memset(&c, 0, sizeof(c));
	hearth_error_clear();
	if (sync_message_parse(&c.msg, (const char *)msg, mlen) < 0)
		return; /* the message alone went through check_message */
	if (c.msg.format == 1) {
		sync_message_dispose(&c.msg);
		return;
	}
	rc = sync_blob_decode(&c, &cap, 1, blob, n, &prev);
	if (rc == 0)
		rc = sync_blob_finish(&c);
	if (rc)
		check_error(rc);
	else
		check_decoded(&c, blob, n);
	sync_commit_dispose(&c);
	CHECK(c.entries == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);

	check_message(data, size);
	if (nul) {
		check_message(data, (size_t)(nul - data));
		check_blob(data, (size_t)(nul - data), nul + 1, size - (size_t)(nul - data) - 1);
	}
	return 0;
}
