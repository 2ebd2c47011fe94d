/* The message catalogue: see i18n.h. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

#ifndef HEARTH_LOCALEDIR
#define HEARTH_LOCALEDIR "/usr/local/share/locale"
#endif

void hearth_i18n_init(void)
{
	const char *dir = getenv("HEARTH_LOCALEDIR");

	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	bindtextdomain(HEARTH_TEXTDOMAIN, dir && *dir ? dir : HEARTH_LOCALEDIR);
	bind_textdomain_codeset(HEARTH_TEXTDOMAIN, "UTF-8");
}

const char *hearth_ui_lang(void)
{
	/* TRANSLATORS: the language of this catalogue, as a code: "zh" for Chinese. Only that. */
	const char *l = _("language-code:en");

	return strcmp(l, "language-code:zh") == 0 ? "zh" : "en";
}
