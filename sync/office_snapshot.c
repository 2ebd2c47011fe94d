/* Snapshots: every row a node may see, written as the parts of one down commit, so a node (or a
 * new copy of it) starts from the office's state instead of the whole log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "core/i18n.h"

#define SNAPSHOT_PART_BYTES (8u << 20)

/* Every row `node` may see, as INSERTs, cut into parts of at most ~8 MiB. */
static int snapshot_parts(hearth_db *db, const char *node, sync_entry **out, int *nparts)
{
	const hearth_schema *s = hearth_db_schema(db);
	sqlite3 *h = hearth_db_sqlite(db);
	hearth_cs_writer w = HEARTH_CS_WRITER_INIT;
	sync_entry *parts = NULL;
	int n = 0, i, rc = 0;

	*out = NULL;
	*nparts = 0;
	for (i = 0; rc == 0 && i < hearth_schema_count(s); i++) {
		const hearth_table_decl *t = hearth_schema_at(s, i);
		hearth_buf sql = HEARTH_BUF_INIT;
		sqlite3_stmt *st = NULL;
		unsigned char pk[256];
		sqlite3_value *vals[256];
		int c, k = 0;

		if (t->ncol > 256) {
			rc = hearth_error_set(HEARTH_ERROR, _("table '%s' is too wide"), t->name);
			break;
		}
		for (c = 0; c < t->ncol; c++)
			pk[c] = t->cols[c].is_pk ? (unsigned char)++k : 0;
		rc = hearth_visible_select(&sql, t, node);
		if (rc == 0)
			rc = hearth_buf_puts(&sql, " ORDER BY owner, id");
		if (rc == 0)
			rc = hearth_sql_prepare(&st, h, sql.ptr);
		hearth_buf_dispose(&sql);
		while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
			for (c = 0; c < t->ncol; c++)
				vals[c] = sqlite3_column_value(st, c);
			hearth_cs_writer_table(&w, t->name, t->ncol, pk);
			hearth_cs_writer_change(&w, SQLITE_INSERT, 0, NULL, vals);
			rc = w.rc;
			if (rc == 0 && (w.buf.size >= SNAPSHOT_PART_BYTES)) {
				sync_entry *np = realloc(parts, (size_t)(n + 1) * sizeof(*np));
				if (!np) {
					rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
					break;
				}
				parts = np;
				memset(&parts[n], 0, sizeof(parts[n]));
				parts[n].cs = w.buf;
				hearth_buf_init(&w.buf, 0);
				free(w.table);
				w.table = NULL; /* the next part repeats its table header */
				n++;
			}
		}
		sqlite3_finalize(st);
	}
	if (rc == 0 && w.buf.size > 0) {
		sync_entry *np = realloc(parts, (size_t)(n + 1) * sizeof(*np));
		if (!np)
			rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		else {
			parts = np;
			memset(&parts[n], 0, sizeof(parts[n]));
			parts[n].cs = w.buf;
			hearth_buf_init(&w.buf, 0);
			n++;
		}
	}
	hearth_cs_writer_dispose(&w);
	if (rc < 0) {
		for (i = 0; i < n; i++)
			hearth_buf_dispose(&parts[i].cs);
		free(parts);
		return rc;
	}
	*out = parts;
	*nparts = n;
	return 0;
}

int sync_snapshot_write(hearth_db *db, git_repository *repo, const char *node, const char *ref)
{
	sync_entry *parts = NULL, **ptrs = NULL;
	sync_message m;
	hearth_clock now;
	git_oid parent, id;
	char hex[GIT_OID_HEXSZ + 1], subject[160];
	int n = 0, i, rc;
	sync_peer p;
	sync_keyring keys = { NULL, 0 };

	memset(&m, 0, sizeof(m));
	if ((rc = sync_peer_load(db, node, &p)) < 0 || (rc = hearth_db_clock_tick(db, &now)) < 0 ||
	    (rc = snapshot_parts(db, node, &parts, &n)) < 0)
		goto done;
	if (!(ptrs = calloc((size_t)n + 1, sizeof(*ptrs))) ||
	    !(m.entries = calloc((size_t)n + 1, sizeof(*m.entries)))) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	for (i = 0; i < n; i++) {
		parts[i].head.seq = i + 1;
		parts[i].head.clock = now;
		m.entries[i] = parts[i].head;
		ptrs[i] = &parts[i];
	}
	m.is_down = 1;
	m.is_snapshot = 1;
	snprintf(m.node, sizeof(m.node), "%s", node);
	if ((rc = sync_seal_choose(&keys, &m, db, 1)) < 0)
		goto done;
	m.schema = hearth_db_schema_version(db);
	hearth_schema_fingerprint(hearth_db_schema(db), m.fingerprint);
	m.range_from = m.range_to = p.down_office_seq;
	m.ack = p.down_ack;
	m.nentries = n;
	snprintf(subject, sizeof(subject), "office -> %s: snapshot at office entry %lld", node,
		(long long)p.down_office_seq);
	if (p.down_head[0] && git_oid_fromstr(&parent, p.down_head) < 0) {
		rc = hearth_error_set(HEARTH_ECORRUPT, _("bad stored down head for '%s'"), node);
		goto done;
	}
	if ((rc = sync_commit_write(&id, repo, p.down_head[0] ? &parent : NULL, subject, &m,
		     ptrs)) < 0)
		goto done;
	git_oid_tostr(hex, sizeof(hex), &id);
	snprintf(p.down_head, sizeof(p.down_head), "%s", hex);
	p.down_since_snapshot = 0;
	if (sync_snapshot_due(db, node, 0) && (rc = sync_snapshot_due(db, node, 1)) < 0)
		goto done;
	if ((rc = sync_peer_store(db, &p)) == 0)
		rc = sync_ref_set(repo, ref, &id);
done:
	for (i = 0; parts && i < n; i++)
		hearth_buf_dispose(&parts[i].cs);
	free(parts);
	free(ptrs);
	free(m.entries);
	sync_keyring_dispose(&keys);
	return rc;
}

int hearth_snapshot(hearth_db *db, const char *node, const hearth_sync_opts *opts, int *written)
{
	git_repository *repo = NULL;
	sync_remote *remotes = NULL;
	hearth_buf ref = HEARTH_BUF_INIT, spec = HEARTH_BUF_INIT;
	hearth_transport_opts topts;
	int n = 0, i, rc;

	*written = 0;
	if (!hearth_db_is_office(db))
		return hearth_error_set(HEARTH_EUSAGE, _("snapshots are written by the office"));
	if ((rc = sync_remotes_load(&remotes, &n, db, node)) < 0 ||
	    (rc = sync_repo_open(&repo, db)) < 0)
		goto done;
	sync_transport_opts(&topts, opts, db);
	for (i = 0; i < n; i++) {
		const char *specs[1];
		hearth_buf_clear(&ref);
		hearth_buf_clear(&spec);
		if ((rc = hearth_buf_printf(&ref, "refs/nodes/%s/down", remotes[i].name)) < 0 ||
		    (rc = hearth_buf_printf(&spec, "%s:refs/heads/down", ref.ptr)) < 0 ||
		    (rc = hearth_db_begin(db)) < 0)
			goto done;
		/* pending down commits first, so the snapshot sits on top of everything */
		if ((rc = sync_down_write(db, repo, remotes[i].name, ref.ptr, NULL)) < 0 ||
		    (rc = sync_snapshot_write(db, repo, remotes[i].name, ref.ptr)) < 0 ||
		    (rc = hearth_db_commit(db)) < 0) {
			hearth_db_rollback(db);
			goto done;
		}
		(*written)++;
		specs[0] = spec.ptr;
		if ((rc = hearth_transport_push(repo, remotes[i].url, specs, 1, &topts)) < 0) {
			if (rc == HEARTH_ECONFLICT)
				sync_down_refused(remotes[i].name);
			sync_remote_record(db, remotes[i].name, 0, hearth_error_last());
			goto done;
		}
	}
done:
	hearth_buf_dispose(&ref);
	hearth_buf_dispose(&spec);
	git_repository_free(repo);
	sync_remotes_free(remotes, n);
	return rc;
}
