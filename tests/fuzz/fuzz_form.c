/*
 * Fuzz target for app_form_decode, the urlencoded form and query decoder of `hearth serve`.
 * Any bytes either decode or fail with HEARTH_EUSAGE and a one-line message; every decoded name
 * and value is well-formed text without NUL; and what decoded, encoded again with every byte
 * escaped, decodes to the same fields in the same order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                            \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz_form: %s:%d: %s\n", __FILE__, __LINE__, #cond);    \
			abort();                                                               \
		}                                                                              \
	} while (0)

static void encode(hearth_buf *out, const char *s)
{
	for (; *s; s++)
		CHECK(hearth_buf_printf(out, "%%%02X", (unsigned char)*s) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	app_field *f = NULL, *g = NULL;
	hearth_buf again = HEARTH_BUF_INIT;
	int n = 0, m = 0, i, rc;

	rc = app_form_decode(&f, &n, (const char *)data, size);
	if (rc < 0) {
		CHECK(rc == HEARTH_EUSAGE);
		CHECK(f == NULL && n == 0);
		CHECK(hearth_error_last()[0] && !strchr(hearth_error_last(), '\n'));
		return 0;
	}
	CHECK(n <= APP_FORM_MAX_FIELDS);
	for (i = 0; i < n; i++) {
		CHECK(f[i].name && f[i].value);
		CHECK(!strchr(f[i].name, '\1') && !strchr(f[i].value, '\1'));
		if (i)
			CHECK(hearth_buf_putc(&again, '&') == 0);
		encode(&again, f[i].name);
		CHECK(hearth_buf_putc(&again, '=') == 0);
		encode(&again, f[i].value);
	}
	/* a name that decodes empty makes a pair "=v", which decodes again as the same field */
	CHECK(app_form_decode(&g, &m, again.ptr, again.size) == 0);
	CHECK(m == n);
	for (i = 0; i < n; i++)
		CHECK(strcmp(f[i].name, g[i].name) == 0 && strcmp(f[i].value, g[i].value) == 0);
	app_fields_free(f, n);
	app_fields_free(g, m);
	hearth_buf_dispose(&again);
	return 0;
}
