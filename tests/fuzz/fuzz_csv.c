/*
 * Fuzz target for CSV: the parser, the decoding of sheets and the importer's checks.
 *
 * hearth_csv_parse: any bytes either parse or fail with HEARTH_ECORRUPT and a one-line message
 * naming a line; every record has the header's field count, NUL-terminated fields of the stated
 * length, and a start line after the previous one; and what parsed, written back with every
 * field quoted, parses to the same fields.
 *
 * hearth_csv_decode (BOMs, UTF-16, GB18030 through iconv): the result is valid UTF-8,
 * valid UTF-8 without a BOM is kept byte for byte, and decoding the result again
 * changes nothing (but a BOM the text itself began with).
 *
 * hearth_import_sheet with HEARTH_IMPORT_CHECK (separator detection, headers by name or label,
 * every cell checked, rows already there), on a node made once in ${TMPDIR:-/tmp}: it succeeds,
 * or fails with a known code and a one-line message; a refusal lists one "line N, ..." line per
 * bad cell; nothing is ever written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---- decoding ------------------------------------------------------------------------------ */

/* Written from RFC 3629, not from csv.c: shortest forms, no surrogates, at most U+10FFFF. */
static int utf8_ok(const unsigned char *p, size_t n)
{
	size_t i = 0, len, k;
	unsigned long cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0)
			len = 2, cp = p[i] & 0x1f;
		else if ((p[i] & 0xf0) == 0xe0)
			len = 3, cp = p[i] & 0x0f;
		else if ((p[i] & 0xf8) == 0xf0)
			len = 4, cp = p[i] & 0x07;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
			(cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += len;
	}
	return 1;
}

static void check_decode(const uint8_t *data, size_t size)
{
	hearth_buf out = HEARTH_BUF_INIT, again = HEARTH_BUF_INIT;
	const char *enc = NULL, *enc2 = NULL;
	size_t skip;
	int rc, bom;

	hearth_error_clear();
	rc = hearth_csv_decode(&out, (const char *)data, size, &enc);
	if (rc) {
		CHECK(rc == HEARTH_ECORRUPT || rc == HEARTH_ERROR);
		CHECK(enc == NULL && strchr(hearth_error_last(), '\n') == NULL);
		goto done;
	}
	CHECK(enc && (strcmp(enc, "UTF-8") == 0 || strcmp(enc, "GB18030") == 0 ||
			     strcmp(enc, "UTF-16LE") == 0 || strcmp(enc, "UTF-16BE") == 0));
	CHECK(utf8_ok((const unsigned char *)out.ptr, out.size));
	bom = size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0;
	if (utf8_ok(data, size) && !bom) {
		CHECK(strcmp(enc, "UTF-8") == 0);
		CHECK(out.size == size && (!size || memcmp(out.ptr, data, size) == 0));
	}
	if (strcmp(enc, "GB18030") == 0)
		CHECK(!utf8_ok(data, size));
	/* UTF-8 in, UTF-8 out: a second decoding drops at most a BOM the text began with */
	rc = hearth_csv_decode(&again, out.ptr, out.size, &enc2);
	CHECK(rc == 0 && strcmp(enc2, "UTF-8") == 0);
	skip = out.size >= 3 && memcmp(out.ptr, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	CHECK(again.size == out.size - skip);
	CHECK(!again.size || memcmp(again.ptr, out.ptr + skip, again.size) == 0);
done:
	hearth_buf_dispose(&out);
	hearth_buf_dispose(&again);
}

/* ---- the importer's checks -------------------------------------------------------------- */

#define SHEET(s) s, strlen(s)

static hearth_db *sheet_db;
static char sheet_dir[256];

static void sheet_cleanup(void)
{
	static const char *const files[] = { "hearth.db", "hearth.db-wal", "hearth.db-shm",
		"hearth.db-journal" };
	char path[300];
	size_t i;

	hearth_db_free(sheet_db);
	sheet_db = NULL;
	for (i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(path, sizeof(path), "%s/node/%s", sheet_dir, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/node", sheet_dir);
	rmdir(path);
	rmdir(sheet_dir);
}

/* A childcare centre holding child k1 and class c1, so "already there" and --update have rows
 * to find. */
static hearth_db *sheet_node(void)
{
	const char *tmp = getenv("TMPDIR");
	char node[300];

	if (sheet_db)
		return sheet_db;
	snprintf(sheet_dir, sizeof(sheet_dir), "%s/hearth-fuzz-csv-XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(sheet_dir) != NULL);
	atexit(sheet_cleanup);
	snprintf(node, sizeof(node), "%s/node", sheet_dir);
	CHECK(hearth_db_create(&sheet_db, node, "lucai", "childcare_centre", "lucai", "luzhou") == 0);
	CHECK(hearth_import_sheet(sheet_db, "child", SHEET("id,name,sex\nk1,A,f\n"), 0, NULL,
		      NULL) == 0);
	CHECK(hearth_import_sheet(sheet_db, "care_class",
		      SHEET("id,name,age_band,capacity\nc1,A,0-1,10\n"), 0, NULL, NULL) == 0);
	return sheet_db;
}

static long long outbox_count(hearth_db *db)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	CHECK(sqlite3_prepare_v2(hearth_db_sqlite(db),
		      "SELECT count(*) + coalesce(sum(length(changeset)), 0) FROM hearth_outbox", -1,
		      &st, NULL) == SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void check_sheet(hearth_db *db, const char *table, unsigned flags, const uint8_t *data,
	size_t size)
{
	hearth_buf report = HEARTH_BUF_INIT;
	hearth_import_info info;
	const char *p, *nl;
	int rc, lines = 0;

	hearth_error_clear();
	rc = hearth_import_sheet(db, table, (const char *)data, size, flags | HEARTH_IMPORT_CHECK,
		&report, &info);
	if (rc == 0) {
		CHECK(info.rows >= 0 && info.write.seq == 0 && info.encoding != NULL);
		CHECK(report.size == 0);
		goto done;
	}
	CHECK(rc == HEARTH_ECORRUPT || rc == HEARTH_EUSAGE || rc == HEARTH_ECONFLICT ||
		rc == HEARTH_ERROR);
	CHECK(hearth_error_code() == rc);
	CHECK(strchr(hearth_error_last(), '\n') == NULL);
	if (rc != HEARTH_ECONFLICT)
		goto done;
	/* every refused cell on a line of its own, naming its line */
	CHECK(strcmp(hearth_error_last(), "nothing imported") == 0);
	CHECK(report.size > 0 && report.ptr[report.size - 1] == '\n');
	for (p = report.ptr; p < report.ptr + report.size; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(report.ptr + report.size - p));
		CHECK(nl != NULL && nl > p);
		CHECK(strncmp(p, "line ", 5) == 0);
		lines++;
	}
	CHECK(lines >= 1);
done:
	hearth_buf_dispose(&report);
}

static void check_sheets(const uint8_t *data, size_t size)
{
	hearth_db *db = sheet_node();
	long long before = outbox_count(db);

	check_sheet(db, "child", HEARTH_IMPORT_UPDATE, data, size);
	check_sheet(db, "care_class", 0, data, size);
	check_sheet(db, "health_check", 0, data, size);
	CHECK(outbox_count(db) == before);
}

/* ---- the parser ------------------------------------------------------------------------------ */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct collect first = { HEARTH_BUF_INIT, HEARTH_BUF_INIT, 0, 0 };
	struct collect again = { HEARTH_BUF_INIT, HEARTH_BUF_INIT, 0, 0 };
	const char *msg;
	int rc;

	check_decode(data, size);
	check_sheets(data, size);
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
