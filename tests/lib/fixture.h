/*
 * Fixtures shared by the C tests: temporary folders, one value from SQL, and a canonical dump
 * of a whole database to compare before and after an operation that must change nothing.
 */
#ifndef HEARTH_TEST_FIXTURE_H
#define HEARTH_TEST_FIXTURE_H

#include <stddef.h>

#include "hearth_internal.h"

/** Make a fresh folder from `tmpl` (ending in XXXXXX, rewritten in place); 0 or -1. */
int fixture_tmpdir(char *tmpl);
/** Make a fresh folder `${TMPDIR:-/tmp}/NAME-XXXXXX` and write its path into `out`; 0 or -1. */
int fixture_tmpdir_named(char *out, size_t size, const char *name);
/** Remove `path` and everything under it; accepts a path that does not exist. */
void fixture_rm_rf(const char *path);
/** One integer from SQL (-1 on failure). */
long long fixture_sql_int(hearth_db *db, const char *sql);
/** One text from SQL into `out` ("(null)" for NULL, "(error)" on failure). */
const char *fixture_sql_text(hearth_db *db, const char *sql, char *out, size_t size);
/** Every row of every table of the database file `path` (opened on its own connection), in
 * table order and key order, as text: two databases with equal dumps hold the same data.
 * Appended to `out`; 0 or -1. */
int fixture_dump(const char *path, hearth_buf *out);

#endif
