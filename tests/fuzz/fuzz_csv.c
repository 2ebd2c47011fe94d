/*
 * Fuzz target for hearth_csv_parse. Any bytes either parse or fail with HEARTH_ECORRUPT and a
 * one-line message naming a line; every record has the header's field count, NUL-terminated
 * fields of the stated length, and a start line after the previous one; and what parsed, written
 * back with every field quoted, parses to the same fields.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hearth_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz_csv: %s:%d: %s\n", __FILE__, __LINE__, #cond);     \
			abort();                                                               \
		}                                                                              \
	} while (0)

struct collect {
	hearth_buf csv;  /* the records written back, every field quoted */
	hearth_buf flat; /* the fields as "<len>:<bytes>", records ended by ';' */
	int nfields;
	int line;
};

static int collect_record(int line, int nfields, char **fields, size_t *lens, void *payload)
{
	struct collect *c = payload;
	size_t j;
	int i;

	CHECK(nfields >= 1 && nfields <= 1024);
	CHECK(c->nfields == 0 || nfields == c->nfields);
	CHECK(line > c->line);
	c->nfields = nfields;
	c->line = line;
	for (i = 0; i < nfields; i++) {
		CHECK(fields[i] != NULL);
		CHECK(fields[i][lens[i]] == '\0' && strlen(fields[i]) == lens[i]);
		CHECK(hearth_buf_printf(&c->flat, "%zu:", lens[i]) == 0);
		CHECK(hearth_buf_put(&c->flat, fields[i], lens[i]) == 0);
		CHECK(hearth_buf_puts(&c->csv, i ? ",\"" : "\"") == 0);
		for (j = 0; j < lens[i]; j++) {
			if (fields[i][j] == '"')
				CHECK(hearth_buf_putc(&c->csv, '"') == 0);
			CHECK(hearth_buf_putc(&c->csv, fields[i][j]) == 0);
		}
		CHECK(hearth_buf_putc(&c->csv, '"') == 0);
	}
	CHECK(hearth_buf_puts(&c->csv, "\r\n") == 0);
	CHECK(hearth_buf_putc(&c->flat, ';') == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct collect first = { HEARTH_BUF_INIT, HEARTH_BUF_INIT, 0, 0 };
	struct collect again = { HEARTH_BUF_INIT, HEARTH_BUF_INIT, 0, 0 };
	const char *msg;
	int rc;

	hearth_error_clear();
	rc = hearth_csv_parse((const char *)data, size, collect_record, &first);
	if (rc) {
		msg = hearth_error_last();
		CHECK(rc == HEARTH_ECORRUPT || rc == HEARTH_ERROR);
		CHECK(hearth_error_code() == rc);
		CHECK(rc != HEARTH_ECORRUPT || strncmp(msg, "line ", 5) == 0 ||
			strncmp(msg, "CSV input", 9) == 0);
		CHECK(strchr(msg, '\n') == NULL);
		goto done;
	}
	rc = hearth_csv_parse(first.csv.ptr, first.csv.size, collect_record, &again);
	CHECK(rc == 0);
	CHECK(again.flat.size == first.flat.size);
	CHECK(memcmp(again.flat.ptr, first.flat.ptr, first.flat.size) == 0);
done:
	hearth_buf_dispose(&first.csv);
	hearth_buf_dispose(&first.flat);
	hearth_buf_dispose(&again.csv);
	hearth_buf_dispose(&again.flat);
	return 0;
}
