/* The node's history of changes (history.c), how it reads (history_show.c) and undo (undo.c).
 * Private to libhearth-core. */
#ifndef HEARTH_HISTORY_INT_H
#define HEARTH_HISTORY_INT_H

#include "core_int.h"

/* One change as the node holds it. `ref` is how people name it: at a node "5" (its own change
 * 5) or "down:7" (office entry 7 as received); at the office "5" (its own change 5) or
 * "lucai:3" (node lucai's change 3 as merged). */
typedef struct {
	char ref[HEARTH_ID_MAX + 24];
	char direction[8];            /* node: up, down; office: local, merged */
	int64_t seq;                  /* outbox/history seq, or office seq */
	char clock[HEARTH_CLOCK_HEX + 1];
	char origin[HEARTH_ID_MAX + 1];
	int64_t origin_seq;           /* 0 if not known */
	char state[16];               /* pending, pushed, merged, applied */
	int own;                      /* this node may undo it */
	hearth_buf summary;
	hearth_buf author;
	int has_author;
	hearth_buf cs;
	int has_cs;                   /* 0: received before history was kept (summary only) */
} history_change;

void history_change_init(history_change *c);
void history_change_dispose(history_change *c);

/* Load the change named `ref` ("N", "down:N", "NODE:N", "office:N"). HEARTH_ENOTFOUND if the
 * node holds no such change (any more), HEARTH_EUSAGE if `ref` is no change name. */
int history_change_load(history_change *c, hearth_db *db, const char *ref);

/* Every change the node holds, newest first; a non-zero return of `fn` stops the walk and is
 * returned. */
typedef int (*history_change_fn)(const history_change *c, void *payload);
int history_each(hearth_db *db, history_change_fn fn, void *payload);

/* 1 if a change received with `clock` is the node's own change coming back merged. */
int history_is_echo(sqlite3 *h, const char *clock);

/* 1 if the row (owner, id) of `table` was purged (its changes are no longer shown). */
int history_forgotten(hearth_db *db, const char *table, sqlite3_value *owner, sqlite3_value *id);

/* The key of the change the iterator is on: owner and id (columns 0 and 1 of every synced
 * table), from the new row of an insert, else the old row. */
void history_change_key(sqlite3_changeset_iter *it, int op, sqlite3_value **owner,
	sqlite3_value **id);

/* 1 if the two values are the same (type and content); NULL (undefined) equals only NULL. */
int history_value_same(sqlite3_value *a, sqlite3_value *b);

/* Append the refs of the changes newer than `clock` that touched column `col` (-1: any) of the
 * row (owner, id) of `table`, comma-separated, to `out`. */
int history_touched_by(hearth_db *db, const char *table, sqlite3_value *owner, sqlite3_value *id,
	int col, const char *clock, hearth_buf *out);

#endif
