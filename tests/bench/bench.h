/*
 * Shared helpers of the benchmark programs (tests/bench/run runs them; not a test suite):
 * timing, medians, the figure line, scratch folders and the data every figure writes.
 *
 * A figure is measured as the median of BENCH_RUNS runs, each run of hearth followed by a run
 * of its baseline, and printed as one line:
 *   figure NAME = VALUE (baseline ...; target ...) met|missed
 */
#ifndef HEARTH_BENCH_H
#define HEARTH_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/hearth_internal.h"

#define BENCH_RUNS 5

/* Runs per figure: BENCH_RUNS, or fewer with the environment's BENCH_RUNS (1 to 5) for a
 * by-hand run at the sizes (bench_merge). */
int bench_runs(void);

/* Abort the benchmark with a message (a benchmark is not a library: it may exit). */
void bench_die(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2), noreturn))
#endif
	;
/* Die with hearth's last error if rc < 0. */
void bench_check(int rc, const char *what);

/* Monotonic seconds. */
double bench_now(void);
/* Median of n values (sorts a copy). */
double bench_median(const double *v, int n);

/* Target comparisons for bench_figure. */
enum { BENCH_AT_MOST, BENCH_AT_LEAST };
/* Print the figure line; `baseline` is free text (what was compared, its value). */
void bench_figure(const char *name, double value, const char *unit, const char *baseline,
	int cmp, double target);

/* A fresh scratch folder under $BENCH_TMP (default /tmp): "<root>/<prefix>-XXXXXX". */
char *bench_tmpdir(const char *prefix);
/* Run a shell command; die unless it exits 0 (quiet: stdout/stderr of cp, rm only). */
void bench_sh(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;
/* Run a shell command and return its first stdout line parsed as a double (die on failure). */
double bench_sh_double(const char *cmd);

/* 1 if argv holds "--quick". */
int bench_quick(int argc, char **argv);

/* 1 unless $BENCH_ONLY is set and does not occur in `figure` (to run or profile one figure). */
int bench_selected(const char *figure);

/* Deterministic pseudo-random numbers (xorshift64*). */
uint64_t bench_rand(uint64_t *state);

/* Plausible row content: a Chinese child name, a phone number, a note of about `len` bytes. */
void bench_child_name(char *out, size_t n, uint64_t *rng);
void bench_phone(char *out, size_t n, uint64_t *rng);
void bench_note(hearth_buf *out, size_t len, uint64_t *rng);

/*
 * Insert `nrows` child rows at node `db` as one recorded write; ids are "c<start+i>" in 8
 * digits so the same rows can be written anywhere (plain SQLite, JSON documents).
 */
int bench_write_children(hearth_db *db, int start, int nrows, size_t note_len, uint64_t *rng);

#endif
