/* CSV internals shared by the parser and decoder (csv.c) and the importer (csv_import.c). */
#ifndef HEARTH_CSV_INT_H
#define HEARTH_CSV_INT_H

#include "hearth_internal.h"

#define CSV_MAX_COLS 1024

struct csv {
	const unsigned char *p, *end;
	unsigned char sep; /* ',', '\t' or ';' (the header line says which) */
	int line;          /* physical line of p, 1-based */
	int rec_line;      /* line where the current record starts */
	int nfields;
	hearth_buf bytes;  /* the current record's fields, each NUL-terminated */
	size_t off[CSV_MAX_COLS];
	size_t lens[CSV_MAX_COLS];
	char *fields[CSV_MAX_COLS];
	unsigned char quoted[CSV_MAX_COLS]; /* import tells "" (empty text) from nothing (NULL) */
	int nheader;       /* fields of the first record, 0 until it is read */
	hearth_buf header; /* its fields, each NUL-terminated */
	size_t header_off[CSV_MAX_COLS];
};

typedef int (*csv_fn)(struct csv *cs, void *payload);

/* Length of the valid UTF-8 sequence at p (n bytes available), or 0. */
size_t csv_utf8_seq(const unsigned char *p, size_t n);

/* Set the error "line L, column C ('name'): what" (col < 0: no column) and return `code`. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
int csv_error(const struct csv *cs, int code, int line, int col, const char *fmt, ...);

/* The current record is a sheet's note row: its first cell starts with '#' after any spaces. */
int csv_note(const struct csv *cs);

/* Parse `data`, calling `fn` for each record (the header first). sheet: a spreadsheet's file,
 * for import (its separator detected, its note rows skipped); else plain CSV with commas. */
int csv_run(const char *data, size_t len, int sheet, csv_fn fn, void *payload);

#endif
