/* Private to libhearth-core. */
#ifndef HEARTH_CORE_INT_H
#define HEARTH_CORE_INT_H

#include "hearth.h"

struct hearth_db {
	sqlite3 *sql;
	char *dir;
	char *node;
	char *kind;
	int is_office;
	int version;
	hearth_schema *schema;
	hearth_clock clock; /* last clock handed out, mirrored in hearth_meta 'clock' */
};

int hearth_schema_load(hearth_schema **out, sqlite3 *db);
void hearth_schema_free(hearth_schema *s);


#endif
