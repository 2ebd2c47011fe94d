/* status: what this node holds, what is pending, how syncing went. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/hearth_status.h"
#include "core/i18n.h"
#include "sync/hearth_sync.h"

static int quarantine_text(hearth_buf *out, hearth_db *db)
{
	hearth_quarantine *q = NULL;
	int i, rc = hearth_quarantine_read(&q, db);

	for (i = 0; rc == 0 && i < q->n; i++) {
		char seq[24] = "";

		if (q->items[i].seq >= 0)
			snprintf(seq, sizeof(seq), "%lld", (long long)q->items[i].seq);
		rc = hearth_buf_printf(out, _("  quarantined %s commit %.12s seq %s: %s\n"),
			q->items[i].node, q->items[i].commit_id, seq, q->items[i].reason);
	}
	hearth_quarantine_free(q);
	return rc;
}

static int remote_text(hearth_buf *out, const hearth_status_remote *m, uint64_t now)
{
	char age[40];
	int rc;

	snprintf(age, sizeof(age), "%s", _("never"));
	if (m->last_sync_ms != HEARTH_TIME_NONE) {
		hearth_age_format(age, sizeof(age) - 4, (int64_t)now - m->last_sync_ms);
		if ((int64_t)now >= m->last_sync_ms) /* else "in the future": a clock set back */
			strcat(age, _(" ago"));
	}
	rc = hearth_buf_printf(out, _("remote %s %s: last sync %s\n"), m->name, m->url, age);
	if (rc == 0 && m->last_error) {
		hearth_age_format(age, sizeof(age), (int64_t)now - m->last_error_ms);
		rc = hearth_buf_printf(out, _("  last error (%s%s): %s\n"), age,
			(int64_t)now >= m->last_error_ms ? _(" ago") : "", m->last_error);
	}
	return rc;
}

/* Each node's key: "keys: lucai 2 sealing, plain 0 unsealed, ..." (nothing when no log is
 * sealed). */
static int keys_text(hearth_buf *out, hearth_db *db)
{
	hearth_buf k = HEARTH_BUF_INIT;
	char *p, *save = NULL;
	int rc, n = 0;

	/* an office that seals for no node says nothing of keys here (hearth key status does) */
	if ((rc = hearth_key_status(db, &k)) < 0 || !k.size ||
	    !(strstr(k.ptr, "\tsealing") || strstr(k.ptr, "\trotating") ||
		    strstr(k.ptr, "\tissued") || strstr(k.ptr, "\trevoked")))
		goto done;
	rc = hearth_buf_puts(out, _("keys:"));
	for (p = strtok_r(k.ptr, "\n", &save); rc == 0 && p; p = strtok_r(NULL, "\n", &save)) {
		char *t;
		while ((t = strchr(p, '\t')))
			*t = ' ';
		rc = hearth_buf_printf(out, "%s %s", n++ ? "," : "", p);
	}
	if (rc == 0)
		rc = hearth_buf_putc(out, '\n');
done:
	hearth_buf_dispose(&k);
	return rc;
}

static int status_text(hearth_buf *out, hearth_db *db, const hearth_status *s)
{
	uint64_t now = hearth_time_now_ms();
	int i, rc;

	rc = hearth_buf_printf(out, _("node %s (%s), schema %d\n"), s->node, s->kind,
		s->schema_version);
	if (rc == 0)
		rc = hearth_buf_printf(out, _("pending: %lld change(s) not yet pushed, %lld pushed and "
					      "waiting for the office\n"),
			(long long)s->unpushed, (long long)s->pushed);
	if (rc == 0 && s->office)
		rc = hearth_buf_printf(out,
			_("open conflicts: %lld (hearth conflicts list); quarantined commits: %lld\n"),
			(long long)s->open_conflicts, (long long)s->quarantined);
	if (rc == 0 && s->office)
		rc = quarantine_text(out, db);
	for (i = 0; rc == 0 && i < s->nremotes; i++)
		rc = remote_text(out, &s->remotes[i], now);
	if (rc == 0)
		rc = keys_text(out, db);
	return rc;
}

int cmd_status(cli_ctx *ctx)
{
	int json = cli_opt_flag(ctx, "--json");
	hearth_buf out = HEARTH_BUF_INIT;
	hearth_status *s = NULL;
	hearth_db *db;
	int rc;

	if ((rc = cli_no_unknown_opts(ctx, "status")) != EXIT_OK)
		return rc;
	if (ctx->argc)
		return cli_usage("status", _("unexpected argument '%s'"), ctx->argv[0]);
	if (!(db = cli_open(ctx)))
		return EXIT_FAIL;
	if (hearth_status_read(&s, db) < 0 ||
	    (json ? hearth_status_json(&out, s) : status_text(&out, db, s)) < 0)
		rc = cli_fail();
	else
		rc = cli_print(&out);
	hearth_status_free(s);
	hearth_buf_dispose(&out);
	hearth_db_free(db);
	return rc;
}
