/*
 * Sync with a USB stick: the folders of the mounted drives that hold a repository (a bare git
 * repository: HEAD, objects/, refs/) are listed to choose from, or a path is typed. The sync is
 * the sync button's, with the same one-line outcome in the banner:
 * - a remote of this node whose URL is that folder is synced alone;
 * - else, at a node, the folder becomes the remote "stick" (sync checks the repository is this
 *   node's, and sends nothing to another centre's stick);
 * - at the office a stick is a node's remote: `hearth remote add NODE PATH` names whose it is.
 * Drives are looked for where systems mount them: /media, /run/media, /mnt (or the folders of
 * HEARTH_STICK_ROOTS, separated by ':'), two or three levels down.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/hearth_status.h"
#include "core/i18n.h"
#include "pages_int.h"
#include "sync/hearth_sync.h"

#define STICK_MAX 32     /* folders listed at most */
#define STICK_DEPTH 3    /* /run/media/USER/LABEL/node.git */

typedef struct {
	char *path[STICK_MAX];
	int n;
} stick_list;

static int is_repo(const char *dir)
{
	char p[4096];
	struct stat st;

	if (snprintf(p, sizeof(p), "%s/HEAD", dir) >= (int)sizeof(p) || stat(p, &st) ||
	    !S_ISREG(st.st_mode))
		return 0;
	snprintf(p, sizeof(p), "%s/objects", dir);
	if (stat(p, &st) || !S_ISDIR(st.st_mode))
		return 0;
	snprintf(p, sizeof(p), "%s/refs", dir);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void scan(stick_list *l, const char *dir, int depth)
{
	struct dirent *e;
	char sub[4096];
	struct stat st;
	DIR *d;

	if (depth > STICK_DEPTH || l->n >= STICK_MAX || !(d = opendir(dir)))
		return;
	while (l->n < STICK_MAX && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub) ||
		    stat(sub, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (is_repo(sub)) {
			if ((l->path[l->n] = strdup(sub)))
				l->n++;
		} else {
			scan(l, sub, depth + 1);
		}
	}
	closedir(d);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sticks_find(stick_list *l)
{
	const char *env = getenv("HEARTH_STICK_ROOTS");
	char *roots = strdup(env && *env ? env : "/media:/run/media:/mnt"), *p, *save = NULL;

	l->n = 0;
	for (p = roots ? strtok_r(roots, ":", &save) : NULL; p; p = strtok_r(NULL, ":", &save))
		scan(l, p, 1);
	free(roots);
	qsort(l->path, (size_t)l->n, sizeof(l->path[0]), by_name);
}

static void sticks_free(stick_list *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->path[i]);
	l->n = 0;
}

/* The page; with `why` (a refused path) 422 and the field marked. */
static int stick_page(const app_req *r, app_resp *out, const char *typed, const char *why)
{
	hearth_buf *b = &out->body;
	stick_list l;
	int i, rc;

	sticks_find(&l);
	out->status = why ? 422 : 200;
	hearth_buf_clear(b);
	rc = pages_open(b, r, _("Sync with a USB stick"));
	if (rc == 0)
		rc = hearth_buf_printf(b, "<p>%s</p>",
			_("Plug in the stick that carries this place's repository, choose it and "
			  "sync: the same sync as the button above, through the stick."));
	if (rc == 0 && why) {
		rc = hearth_buf_puts(b, "<p class=\"error\" role=\"alert\" id=\"path-error\">");
		if (rc == 0)
			rc = pages_esc(b, why);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</p>");
	}
	if (rc == 0)
		rc = hearth_buf_puts(b, "<form method=\"post\" action=\"/stick\">");
	if (rc == 0)
		rc = pages_csrf(b, r);
	if (rc == 0 && l.n == 0)
		rc = hearth_buf_printf(b, "<p id=\"no-stick\">%s</p>",
			_("No mounted drive holds a repository."));
	if (rc == 0 && l.n > 0)
		rc = hearth_buf_printf(b, "<fieldset><legend>%s</legend>",
			_("Repositories on the mounted drives"));
	for (i = 0; rc == 0 && i < l.n; i++) {
		rc = hearth_buf_printf(b, "<label><input type=\"radio\" name=\"stick\" value=\"");
		if (rc == 0)
			rc = pages_esc(b, l.path[i]);
		if (rc == 0)
			rc = hearth_buf_printf(b, "\"%s> ", i == 0 && !typed ? " checked" : "");
		if (rc == 0)
			rc = pages_esc(b, l.path[i]);
		if (rc == 0)
			rc = hearth_buf_puts(b, "</label>");
	}
	if (rc == 0 && l.n > 0)
		rc = hearth_buf_puts(b, "</fieldset>");
	if (rc == 0)
		rc = hearth_buf_printf(b, "<label for=\"path\">%s</label><span class=\"hint\" "
					  "id=\"path-hint\">%s</span><input id=\"path\" name=\"path\" "
					  "aria-describedby=\"path-hint%s\"%s value=\"",
			_("Or type the folder of the repository"),
			_("the full path, e.g. /media/usb/lucai.git"), why ? " path-error" : "",
			why ? " aria-invalid=\"true\"" : "");
	if (rc == 0)
		rc = pages_esc(b, typed);
	if (rc == 0)
		rc = hearth_buf_printf(b, "\"><button type=\"submit\">%s</button></form>",
			_("Sync with this stick"));
	if (rc == 0)
		rc = pages_close(b);
	sticks_free(&l);
	return rc < 0 ? -1 : 1;
}

int pages_stick(const app_req *r, app_resp *out)
{
	return stick_page(r, out, NULL, NULL);
}

/* The remote whose URL is `path`, or NULL; malloc'd. */
static char *remote_of(const app_req *r, const char *path)
{
	hearth_status *s = NULL;
	char *name = NULL;
	int i;

	if (hearth_status_read(&s, r->db) < 0)
		return NULL;
	for (i = 0; !name && i < s->nremotes; i++)
		if (s->remotes[i].url && strcmp(s->remotes[i].url, path) == 0)
			name = strdup(s->remotes[i].name);
	hearth_status_free(s);
	return name;
}

int pages_stick_post(const app_req *r, app_resp *out)
{
	const char *typed = app_form_get(r, "path"), *path = typed;
	char *remote = NULL;
	int rc = 0;

	if (r->role == APP_ROLE_VIEWER)
		return pages_denied(out, r);
	if (!path || !*path)
		path = app_form_get(r, "stick");
	if (!path || !*path)
		return stick_page(r, out, typed, _("choose a stick or type the folder of its "
						   "repository"));
	if (path[0] != '/')
		return stick_page(r, out, typed, _("type the full path, starting with /"));
	if (!is_repo(path))
		return stick_page(r, out, typed, _("this folder holds no repository"));
	if (!(remote = remote_of(r, path))) {
		if (hearth_db_is_office(r->db))
			return stick_page(r, out, typed,
				_("no node's remote is this folder: add it with 'hearth remote add "
				  "NODE PATH'"));
		if (hearth_sync_init() < 0)
			return -1;
		rc = hearth_remote_set(r->db, "stick", path, 0, NULL);
		if (rc == HEARTH_ECONFLICT)
			rc = hearth_remote_set(r->db, "stick", path, HEARTH_REMOTE_REPLACE, NULL);
		hearth_sync_shutdown();
		if (rc < 0) {
			char why[512];
			snprintf(why, sizeof(why), "%s", hearth_error_last());
			return stick_page(r, out, typed, why);
		}
		remote = strdup("stick");
	}
	rc = remote ? pages_sync_run(r, remote) : hearth_error_set(HEARTH_ERROR, _("out of memory"));
	free(remote);
	if (rc < 0)
		return -1;
	return pages_redirect(out, "/stick?synced=1");
}
