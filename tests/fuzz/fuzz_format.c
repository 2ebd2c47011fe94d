/*
 * Fuzz target for sync_message_parse, the commit-message trailers every fetched commit goes
 * through. Any bytes either parse or fail with a negative code and a one-line message, leaving
 * the message zeroed; what parsed, formatted again with sync_message_format, parses to the same
 * fields, and formatting that again gives the same bytes (the format is canonical).
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

static void check_same(const sync_message *a, const sync_message *b)
{
	int i;

	CHECK(a->format == b->format && a->format == HEARTH_FORMAT_VERSION);
	CHECK(a->is_down == b->is_down);
	CHECK(strcmp(a->node, b->node) == 0 && hearth_id_valid(a->node));
	CHECK(a->schema == b->schema && a->schema >= 0);
	CHECK(strcmp(a->fingerprint, b->fingerprint) == 0);
	CHECK(strlen(a->fingerprint) == HEARTH_CLOCK_HEX);
	CHECK(a->range_from == b->range_from && a->range_to == b->range_to);
	CHECK(a->ack == b->ack);
	CHECK(a->nentries == b->nentries);
	for (i = 0; i < a->nentries; i++) {
		CHECK(a->entries[i].seq == b->entries[i].seq && a->entries[i].seq >= 1);
		CHECK(a->entries[i].clock == b->entries[i].clock);
		CHECK(i == 0 || a->entries[i].seq > a->entries[i - 1].seq);
	}
	/* an up commit lists contiguous entries; a down one keeps them inside its range */
	if (!a->is_down) {
		CHECK(a->nentries >= 1);
		CHECK(a->entries[a->nentries - 1].seq - a->entries[0].seq == a->nentries - 1);
	} else {
		CHECK(a->range_from <= a->range_to);
		CHECK(a->nentries == 0 || (a->entries[0].seq > a->range_from &&
			a->entries[a->nentries - 1].seq <= a->range_to));
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
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
		return 0;
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
	return 0;
}
