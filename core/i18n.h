/* Messages in the user's language: one gettext catalogue ("hearth", po/ at the top of the tree)
 * for every user-facing string of every library and the CLI. English is the source language.
 *
 * Libraries translate where they make a message (_("...") in hearth_error_set calls and the
 * like) and never print; the program picks the language once with hearth_i18n_init(), or per
 * thread with uselocale() (the app answers each request in its own language). */
#ifndef HEARTH_I18N_H
#define HEARTH_I18N_H

#include <libintl.h>

#define HEARTH_TEXTDOMAIN "hearth"

/* A string translated now, in the current thread's language. */
#define _(s) dgettext(HEARTH_TEXTDOMAIN, s)
/* A string marked for the catalogue but translated later (tables of messages). */
#define N_(s) (s)
/* Singular or plural by n (Chinese has one form; English two). */
#define P_(s, p, n) dngettext(HEARTH_TEXTDOMAIN, s, p, (unsigned long)(n))

/** Sets the process's message language from the environment (LANG, LC_ALL, LC_MESSAGES,
 * LANGUAGE) and binds the catalogue: $HEARTH_LOCALEDIR if set (the tests use the build tree's),
 * else the installed one. Only LC_MESSAGES and LC_CTYPE follow the environment: numbers, times
 * and sorting stay in the C locale so files and the site do not depend on who runs hearth. */
void hearth_i18n_init(void);

/** "zh" when the messages in effect for this thread are the Chinese catalogue's, else "en".
 * Picks which of a column's declared labels people read. */
const char *hearth_ui_lang(void);

#endif
