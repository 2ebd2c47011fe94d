/*
 * Runs a fuzz target without libFuzzer, so its corpus runs under meson test with any compiler:
 * every file named on the command line, and every file in a directory named there, goes once
 * through LLVMFuzzerTestOneInput. TAP output, one line per input. A crash or sanitizer report
 * fails the run, and so does finding no input at all (a wrong corpus path must not pass).
 * Link with exactly one fuzz_<target>.c.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ninputs;

/* Read `path` into a buffer of exactly its size, so a sanitizer sees any read past the end. */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;
	int rc = -1;

	if (!f)
		goto done;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto done;
	data = malloc(size ? (size_t)size : 1);
	if (!data || fread(data, 1, (size_t)size, f) != (size_t)size)
		goto done;
	LLVMFuzzerTestOneInput(data, (size_t)size);
	rc = 0;
done:
	ninputs++;
	printf("%sok %d - %s\n", rc ? "not " : "", ninputs, path);
	fflush(stdout);
	free(data);
	if (f)
		fclose(f);
	return rc;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of `dir`, in name order (runs repeat exactly). */
static int run_dir(const char *dir)
{
	struct dirent *e;
	char **names = NULL, **grown, path[4096];
	size_t n = 0, i;
	int failed = 0;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d) {
		printf("not ok %d - cannot read directory %s\n", ++ninputs, dir);
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown || !(grown[n] = strdup(e->d_name))) {
			names = grown ? grown : names;
			failed = -1;
			break;
		}
		names = grown;
		n++;
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), compare_names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && run_file(path))
			failed = -1;
		free(names[i]);
	}
	free(names);
	return failed;
}

int main(int argc, char **argv)
{
	struct stat st;
	int i, failed = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i]))
				failed = 1;
		} else if (run_file(argv[i])) {
			failed = 1;
		}
	}
	if (!ninputs) {
		printf("not ok 1 - no input found in the corpus paths given\n");
		ninputs = 1;
		failed = 1;
	}
	printf("1..%d\n", ninputs);
	return failed;
}
