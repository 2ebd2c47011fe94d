/* Build-time helper: turns the migration files into a C array, so the hearth binary and library
 * carry their schema and never read schemas/ at run time. Lines starting "--@" are declarations
 * it expands into SQL (see emit_declaration).
 * usage: embed OUT.c IN.sql... (migration number = the file name's leading digits) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SQL text as part of a C string literal, a newline closing one literal and opening the next. */
static void emit_text(FILE *out, const char *text)
{
	const unsigned char *c;

	for (c = (const unsigned char *)text; *c; c++) {
		if (*c == '\n')
			fputs("\\n\"\n\"", out);
		else if (*c == '"' || *c == '\\')
			fprintf(out, "\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			fprintf(out, "\\%03o", *c);
		else
			fputc(*c, out);
	}
}

/* Formats `fmt` with every "%1" .. "%3" replaced by word 1..3 of `w`. */
static void emit_words(FILE *out, const char *fmt, char **w)
{
	char buf[4096];
	size_t n = 0;

	for (; *fmt && n + 128 < sizeof(buf); fmt++) {
		if (fmt[0] == '%' && fmt[1] >= '1' && fmt[1] <= '3') {
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", w[fmt[1] - '1']);
			fmt++;
		} else {
			buf[n++] = *fmt;
		}
	}
	buf[n] = 0;
	emit_text(out, buf);
}

/*
 * The declarations a migration writes once and the build expands into the triggers SQLite runs
 * (the text stored in the database is the expansion, so a database made by an older build holds
 * the same triggers):
 *   --@ reference TABLE COLUMN PARENT   the column names a row of PARENT (by id)
 *   --@ to_fix TABLE COLUMN...          the "to fix" list forgets a value once it is set again
 */
static const char reference_sql[] =
	"CREATE TRIGGER hearth_ref_%1_%2_insert BEFORE INSERT ON %1\n"
	"\tWHEN NEW.%2 IS NOT NULL\n"
	"\t\tAND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')\n"
	"\t\tAND NOT EXISTS (SELECT 1 FROM %3 WHERE id = NEW.%2)\n"
	"BEGIN\n"
	"\tSELECT RAISE(ABORT, 'unknown reference: %2');\n"
	"END;\n"
	"CREATE TRIGGER hearth_ref_%1_%2_update BEFORE UPDATE OF %2 ON %1\n"
	"\tWHEN NEW.%2 IS NOT OLD.%2 AND NEW.%2 IS NOT NULL\n"
	"\t\tAND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')\n"
	"\t\tAND NOT EXISTS (SELECT 1 FROM %3 WHERE id = NEW.%2)\n"
	"BEGIN\n"
	"\tSELECT RAISE(ABORT, 'unknown reference: %2');\n"
	"END;\n";
static const char to_fix_head_sql[] =
	"CREATE TRIGGER hearth_to_fix_%1_update AFTER UPDATE ON %1\n"
	"WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = '%1' AND owner = NEW.owner AND id = NEW.id)\n"
	"BEGIN\n"
	"\tDELETE FROM hearth_to_fix WHERE tbl = '%1' AND owner = NEW.owner AND id = NEW.id\n"
	"\t\tAND CASE col\n";
static const char to_fix_column_sql[] =
	"\t\t\tWHEN '%2' THEN NEW.%2 IS NOT OLD.%2\n";
static const char to_fix_tail_sql[] =
	"\t\tEND;\n"
	"END;\n"
	"CREATE TRIGGER hearth_to_fix_%1_delete AFTER DELETE ON %1\n"
	"WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = '%1' AND owner = OLD.owner AND id = OLD.id)\n"
	"BEGIN\n"
	"\tDELETE FROM hearth_to_fix WHERE tbl = '%1' AND owner = OLD.owner AND id = OLD.id;\n"
	"END;\n";

/* Expands one "--@" line; -1 (with a message) when it is not a declaration this build knows. */
static int emit_declaration(FILE *out, const char *path, char *line)
{
	char *w[64], *save = NULL, *tok;
	int n = 0, i;

	for (tok = strtok_r(line + 3, " \t\r\n", &save); tok && n < 64;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = tok;
	if (n == 4 && strcmp(w[0], "reference") == 0) {
		emit_words(out, reference_sql, w + 1);
		return 0;
	}
	if (n >= 3 && strcmp(w[0], "to_fix") == 0) {
		char *pair[3] = { w[1], NULL, NULL };

		emit_words(out, to_fix_head_sql, pair);
		for (i = 2; i < n; i++) {
			pair[1] = w[i];
			emit_words(out, to_fix_column_sql, pair);
		}
		emit_words(out, to_fix_tail_sql, pair);
		return 0;
	}
	fprintf(stderr, "embed: %s: unknown declaration '%s'\n", path, line);
	return -1;
}

static int emit_file(FILE *out, const char *path, int index)
{
	FILE *in = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (!in) {
		fprintf(stderr, "embed: cannot open '%s'\n", path);
		return -1;
	}
	fprintf(out, "static const char migration_%d[] =\n\"", index);
	while (rc == 0 && getline(&line, &cap, in) >= 0) {
		if (strncmp(line, "--@", 3) == 0)
			rc = emit_declaration(out, path, line);
		else
			emit_text(out, line);
	}
	fputs("\";\n", out);
	free(line);
	fclose(in);
	return rc;
}

int main(int argc, char **argv)
{
	FILE *out;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: embed OUT.c IN.sql...\n");
		return 2;
	}
	out = fopen(argv[1], "wb");
	if (!out)
		return 1;
	fputs("/* generated from the schemas/ migrations by schemas/embed.c: do not edit */\n"
	      "#include \"core/schema_int.h\"\n\n", out);
	for (i = 2; i < argc; i++)
		if (emit_file(out, argv[i], i - 2) < 0)
			return 1;
	fputs("const hearth_migration hearth_migrations[] = {\n", out);
	for (i = 2; i < argc; i++) {
		const char *base = strrchr(argv[i], '/');
		base = base ? base + 1 : argv[i];
		fprintf(out, "\t{ %d, \"%s\", migration_%d },\n", atoi(base), base, i - 2);
	}
	fprintf(out, "};\nconst int hearth_migrations_count = %d;\n", argc - 2);
	return fclose(out) ? 1 : 0;
}
