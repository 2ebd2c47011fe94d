/* Build-time helper: turns the migration files into a C array, so the hearth binary and library
 * carry their schema and never read schemas/ at run time.
 * usage: embed OUT.c IN.sql... (migration number = the file name's leading digits) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int emit_file(FILE *out, const char *path, int index)
{
	FILE *in = fopen(path, "rb");
	int c;

	if (!in) {
		fprintf(stderr, "embed: cannot open '%s'\n", path);
		return -1;
	}
	fprintf(out, "static const char migration_%d[] =\n\"", index);
	while ((c = fgetc(in)) != EOF) {
		if (c == '\n') {
			fputs("\\n\"\n\"", out);
			continue;
		}
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\%03o", c);
		else
			fputc(c, out);
	}
	fputs("\";\n", out);
	fclose(in);
	return 0;
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
