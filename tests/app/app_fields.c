/* The field look-ups of app_int.h, for the pages' test alone (the server's form decoder has
 * them in the app). */
#include <string.h>

#include "app_int.h"

static const char *get(const app_field *f, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return f[i].value;
	return NULL;
}

const char *app_query_get(const app_req *r, const char *name)
{
	return get(r->query, r->nquery, name);
}

const char *app_form_get(const app_req *r, const char *name)
{
	return get(r->form, r->nform, name);
}
