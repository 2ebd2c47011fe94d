/* The migrations compiled in from schemas/ (see schemas/embed.c). Private to core. */
#ifndef HEARTH_SCHEMA_INT_H
#define HEARTH_SCHEMA_INT_H

typedef struct {
	int version;
	const char *file;
	const char *sql;
} hearth_migration;

extern const hearth_migration hearth_migrations[];
extern const int hearth_migrations_count;

#endif
