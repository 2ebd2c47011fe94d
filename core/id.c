/* Node and record ids: they become git ref names, folder names and SQL literals, so they are
 * checked wherever they enter. */
#include <string.h>

#include "hearth_internal.h"
#include "i18n.h"

int hearth_id_valid(const char *id)
{
	size_t i;

	if (!id || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= '0' && id[0] <= '9')))
		return 0;
	for (i = 1; id[i]; i++) {
		char c = id[i];
		if (i >= HEARTH_ID_MAX)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

int hearth_id_check(const char *what, const char *id)
{
	if (hearth_id_valid(id))
		return 0;
	return hearth_error_set(HEARTH_EUSAGE,
		_("invalid %s '%.60s': use 1-40 of a-z, 0-9 and '-', starting with a letter or digit"),
		what, id ? id : "");
}

int hearth_record_id_valid(const char *id)
{
	size_t i;

	if (!id || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z') ||
		    (id[0] >= '0' && id[0] <= '9')))
		return 0;
	for (i = 1; id[i]; i++) {
		char c = id[i];
		if (i >= HEARTH_RECORD_ID_MAX)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int hearth_kind_valid(const char *kind)
{
	static const char *const kinds[] = { "office", "childcare_centre", "volunteer_station",
		"volunteer_team", "community_centre", "hospital", "special_care_centre" };
	size_t i;

	for (i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}
