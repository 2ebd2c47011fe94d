/* The office's downs: which nodes each log entry reaches, each node's next down commits cut to
 * what it may see, and their push to the node's remote. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_int.h"
#include "core/i18n.h"

/* ---- routes: which nodes an office log entry reaches, worked out once for all nodes ---------
 *
 * Most rows go to their owner only, so cutting every log entry for every node parsed each entry
 * once per node. During the publishing of a round (the database does not change), each entry is
 * walked once, the first time a node's down reads it: the nodes it can reach (owners and
 * audiences, every node for the office's rows and for a directory table's) are noted, and whether one node (or every node)
 * gets the entry whole. A node then skips the entries that cannot reach it, takes the bytes of
 * an entry it gets whole, and cuts only the others with sync_down_filter. */

#define ROUTE_NAMES_MAX 32 /* more nodes named by one entry: cut it for every node */

void sync_routes_dispose(sync_down_routes *r)
{
	free(r->routes);
	hearth_buf_dispose(&r->names);
	memset(r, 0, sizeof(*r));
}

/* Routes for the log entries after `from` up to `last`. */
static int routes_init(sync_down_routes *r, int64_t from, int64_t last)
{
	memset(r, 0, sizeof(*r));
	hearth_buf_init(&r->names, 0);
	r->from = from;
	r->count = last > from ? last - from : 0;
	if (r->count && !(r->routes = calloc((size_t)r->count, sizeof(*r->routes))))
		return hearth_error_set(HEARTH_ERROR, _("out of memory"));
	return 0;
}

/* Note the node id t[0..len) as reached by entry `e`: its offset in names; a full list or no
 * memory puts the entry in doubt (-1). */
static int route_name_text(sync_down_routes *r, sync_down_route *e, const char *t, size_t len)
{
	const char *p = r->names.ptr + e->first;
	int i, off;

	for (i = 0; i < e->n; p += strlen(p) + 1, i++)
		if (strlen(p) == len && memcmp(p, t, len) == 0)
			return (int)(p - r->names.ptr);
	off = (int)r->names.size;
	if (e->n == ROUTE_NAMES_MAX || (size_t)off != r->names.size ||
	    hearth_buf_put(&r->names, t, len) < 0 || hearth_buf_put(&r->names, "", 1) < 0) {
		e->every = 1;
		return -1;
	}
	e->n++;
	return off;
}

/* The same for value `v`: -1 if it is no text. */
static int route_name(sync_down_routes *r, sync_down_route *e, sqlite3_value *v)
{
	const char *t;

	if (!v || sqlite3_value_type(v) != SQLITE_TEXT)
		return -1;
	t = (const char *)sqlite3_value_text(v);
	return route_name_text(r, e, t, strlen(t));
}

/* The audiences of an updated row before and after, as filter_audience_update sees them (read
 * from the database when the update does not carry the column). */
static void route_audience_update(sync_down_routes *r, sync_down_route *e, hearth_db *db,
	const hearth_table_decl *t, sqlite3_changeset_iter *it)
{
	sqlite3_value *owner = NULL, *id = NULL, *was = NULL, *now = NULL, *cur[256] = { 0 };
	int i, found = 0, a = t->audience_col;

	if (t->ncol > 256)
		return; /* filter_audience_update sends such a row to no audience */
	sqlite3changeset_old(it, a, &was);
	sqlite3changeset_new(it, a, &now);
	if (!was) {
		sqlite3changeset_old(it, 0, &owner);
		sqlite3changeset_old(it, 1, &id);
		if (!owner || !id || sync_row_load(db, t, owner, id, cur, &found) < 0)
			e->every = 1;
		was = cur[a];
	}
	route_name(r, e, was);
	route_name(r, e, now ? now : was);
	for (i = 0; i < t->ncol; i++)
		sqlite3_value_free(cur[i]);
}

typedef struct {
	sync_down_routes *r;
	sync_down_route *e;
	hearth_db *db;
	const hearth_schema *s;
	hearth_buf one;
	int whole;
} route_walk;

/* One change of the entry, read from its bytes (SQLite's iterator for an audience UPDATE). */
static int route_change(void *ctx, const hearth_cs_change *c)
{
	route_walk *rw = ctx;
	sync_down_route *e = rw->e;
	const hearth_table_decl *t = hearth_schema_table(rw->s, c->table);
	sqlite3_changeset_iter *it = NULL;
	int rec = c->op == SQLITE_INSERT, off = -1;
	const char *owner, *aud;
	size_t len;

	if (!t) {
		rw->whole = 0; /* a change no node gets */
		return 0;
	}
	owner = hearth_cs_change_text(c, rec, 0, &len);
	if (owner && len == strlen(HEARTH_OFFICE) && memcmp(owner, HEARTH_OFFICE, len) == 0) {
		e->every = 1;
		return 0;
	}
	if (t->directory)
		e->every = 1; /* its owner may still get the entry whole */
	if (owner)
		off = route_name_text(rw->r, e, owner, len);
	if (off < 0 || (e->owner >= 0 && off != e->owner))
		rw->whole = 0;
	e->owner = off;
	if (t->audience_col < 0)
		return 0;
	if (c->op == SQLITE_UPDATE) {
		rw->whole = 0; /* its log form carries the audience: cut for every node */
		if (hearth_cs_change_iter(&it, &rw->one, c) < 0)
			e->every = 1;
		else
			route_audience_update(rw->r, e, rw->db, t, it);
		sqlite3changeset_finalize(it);
		return 0;
	}
	if ((aud = hearth_cs_change_text(c, rec, t->audience_col, &len)))
		route_name_text(rw->r, e, aud, len);
	return 0;
}

/* Walk one log entry once and note its route. */
static void route_entry(sync_down_routes *r, sync_down_route *e, hearth_db *db, const void *cs,
	int n)
{
	route_walk rw = { r, e, db, hearth_db_schema(db), HEARTH_BUF_INIT, 1 };

	memset(e, 0, sizeof(*e));
	e->known = 1;
	e->owner = -1;
	e->first = (int)r->names.size;
	if (hearth_changeset_each(cs, n, route_change, &rw) < 0) {
		e->every = 1; /* sync_down_filter reports it */
		rw.whole = 0;
	}
	hearth_buf_dispose(&rw.one);
	e->whole = (unsigned char)rw.whole;
}

#define ROUTES_MAX (1 << 18) /* entries routed in a round; older ones are cut for each node */

/* Routes for the entries the nodes of `remotes` have not received yet. */
int sync_routes_start(sync_down_routes *r, hearth_db *db, const sync_remote *remotes, int n)
{
	int64_t from = INT64_MAX, last = 0;
	sync_peer p;
	int i, rc;

	for (i = 0; i < n; i++) {
		if ((rc = sync_peer_load(db, remotes[i].name, &p)) < 0)
			return rc;
		if (p.down_office_seq < from)
			from = p.down_office_seq;
	}
	if ((rc = hearth_sql_scalar(hearth_db_sqlite(db),
		     "SELECT coalesce(max(office_seq), 0) FROM hearth_log", &last)) < 0)
		return rc;
	if (from == INT64_MAX || from > last)
		from = last;
	if (last - from > ROUTES_MAX)
		from = last - ROUTES_MAX;
	return routes_init(r, from, last);
}

/* 1 if `node` is among the nodes `e` can reach. */
static int route_reaches(const sync_down_routes *r, const sync_down_route *e, const char *node)
{
	const char *p = r->names.ptr + e->first;
	int i;

	for (i = 0; i < e->n; p += strlen(p) + 1, i++)
		if (strcmp(p, node) == 0)
			return 1;
	return 0;
}

/* What `node` gets of log entry `seq`: appended to `w`, like sync_down_filter. */
static int down_cut(hearth_cs_writer *w, sync_down_routes *r, hearth_db *db, const char *node,
	int64_t seq, const void *cs, int n)
{
	sync_down_route *e;

	if (!r || seq <= r->from || seq - r->from > r->count)
		return sync_down_filter(w, db, node, cs, n);
	e = &r->routes[seq - r->from - 1];
	if (!e->known)
		route_entry(r, e, db, cs, n);
	if (e->whole && (e->owner < 0 || strcmp(r->names.ptr + e->owner, node) == 0)) {
		w->rc = hearth_buf_put(&w->buf, cs, (size_t)n);
		return w->rc;
	}
	if (e->every || route_reaches(r, e, node))
		return sync_down_filter(w, db, node, cs, n);
	return 0;
}

#define SNAPSHOT_EVERY_DEFAULT 1000

/* Down commits between automatic snapshots: meta 'snapshot_every' (0 turns them off). */
static int64_t snapshot_every(hearth_db *db)
{
	hearth_buf v = HEARTH_BUF_INIT;
	int64_t every = SNAPSHOT_EVERY_DEFAULT;

	if (hearth_meta_get(db, "snapshot_every", &v) == 0)
		every = strtoll(v.ptr, NULL, 10);
	hearth_buf_dispose(&v);
	return every > 0 ? every : INT64_MAX;
}

/* Write the node's next down commits (the database records each before its ref moves), each
 * of at most SYNC_BATCH_ENTRIES entries and, past its first entry, SYNC_BATCH_BYTES bytes.
 * `routes` (or NULL) tell which entries the node gets. */
int sync_down_write(hearth_db *db, git_repository *repo, const char *node, const char *ref,
	sync_down_routes *routes)
{
	sqlite3 *h = hearth_db_sqlite(db);
	sync_message m;
	sync_keyring keys = { NULL, 0 };
	sync_entry *entries = NULL, **ptrs = NULL;
	sqlite3_stmt *st = NULL;
	int64_t max_log = 0;
	sync_peer p;
	int rc, i, n;

	if ((rc = sync_peer_load(db, node, &p)) < 0 ||
	    (rc = hearth_sql_scalar(h, "SELECT coalesce(max(office_seq), 0) FROM hearth_log",
		     &max_log)) < 0)
		return rc;
	if (p.down_head[0]) {
		git_oid head;
		if (git_oid_fromstr(&head, p.down_head) < 0)
			return hearth_error_set(HEARTH_ECORRUPT, _("bad stored down head for '%s'"), node);
		if ((rc = sync_ref_set(repo, ref, &head)) < 0)
			return rc;
	}
	if (p.down_head[0] && max_log == p.down_office_seq && p.applied_seq == p.down_ack &&
	    !sync_snapshot_due(db, node, 0))
		return 0;
	if (!(entries = calloc(SYNC_BATCH_ENTRIES, sizeof(*entries))) ||
	    !(ptrs = calloc(SYNC_BATCH_ENTRIES, sizeof(*ptrs)))) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	memset(&m, 0, sizeof(m));
	if (!(m.entries = calloc(SYNC_BATCH_ENTRIES, sizeof(*m.entries)))) {
		rc = hearth_error_set(HEARTH_ERROR, _("out of memory"));
		goto done;
	}
	do {
		git_oid parent, id;
		char hex[GIT_OID_HEXSZ + 1], subject[160];
		int64_t to = p.down_office_seq;
		size_t bytes = 0;
		int scanned = 0;

		for (i = 0; i < SYNC_BATCH_ENTRIES; i++)
			hearth_buf_clear(&entries[i].cs);
		m.is_down = 1;
		snprintf(m.node, sizeof(m.node), "%s", node);
		sync_keyring_dispose(&keys);
		if ((rc = sync_seal_choose(&keys, &m, db, 1)) < 0)
			goto done;
		m.schema = hearth_db_schema_version(db);
		hearth_schema_fingerprint(hearth_db_schema(db), m.fingerprint);
		m.nentries = 0;
		if ((rc = hearth_sql_prepare(&st, h,
			     "SELECT office_seq, clock, changeset FROM hearth_log WHERE office_seq > ?1 "
			     "ORDER BY office_seq LIMIT 1024")) < 0)
			goto done;
		sqlite3_bind_int64(st, 1, p.down_office_seq);
		n = 0;
		while (n < SYNC_BATCH_ENTRIES && bytes < SYNC_BATCH_BYTES &&
		       sqlite3_step(st) == SQLITE_ROW) {
			hearth_cs_writer w = HEARTH_CS_WRITER_INIT;
			to = sqlite3_column_int64(st, 0);
			scanned++;
			rc = down_cut(&w, routes, db, node, to, sqlite3_column_blob(st, 2),
				sqlite3_column_bytes(st, 2));
			bytes += w.buf.size;
			if (rc == 0 && w.buf.size > 0) {
				sync_entry *e = &entries[n];
				e->head.seq = to;
				rc = hearth_clock_parse(&e->head.clock,
					(const char *)sqlite3_column_text(st, 1));
				if (rc == 0) { /* the cut bytes move to the entry, not copied */
					hearth_buf empty = e->cs;
					e->cs = w.buf;
					w.buf = empty;
				}
				m.entries[n] = e->head;
				ptrs[n] = e;
				n++;
			}
			hearth_cs_writer_dispose(&w);
			if (rc < 0)
				goto done;
		}
		sqlite3_finalize(st);
		st = NULL;
		m.nentries = n;
		m.range_from = p.down_office_seq;
		m.range_to = to;
		m.ack = p.applied_seq;
		if ((rc = hearth_db_clock_get(db, &m.stamp)) < 0)
			goto done;
		snprintf(subject, sizeof(subject), "office -> %s: %d change%s, acked up to %lld", node,
			n, n == 1 ? "" : "s", (long long)p.applied_seq);
		if (p.down_head[0])
			git_oid_fromstr(&parent, p.down_head);
		if ((rc = sync_commit_write(&id, repo, p.down_head[0] ? &parent : NULL, subject, &m,
			     ptrs)) < 0)
			goto done;
		git_oid_tostr(hex, sizeof(hex), &id);
		snprintf(p.down_head, sizeof(p.down_head), "%s", hex);
		p.down_office_seq = to;
		p.down_ack = p.applied_seq;
		p.down_since_snapshot++;
		if ((rc = sync_peer_store(db, &p)) < 0 || (rc = sync_ref_set(repo, ref, &id)) < 0)
			goto done;
		if (scanned == 0)
			break;
	} while (p.down_office_seq < max_log);
	/* a restored device starts from the newest snapshot instead of replaying years */
	if (p.down_since_snapshot >= snapshot_every(db) || sync_snapshot_due(db, node, 0))
		rc = sync_snapshot_write(db, repo, node, ref);
done:
	sqlite3_finalize(st);
	for (i = 0; entries && i < SYNC_BATCH_ENTRIES; i++)
		hearth_buf_dispose(&entries[i].cs);
	free(entries);
	free(ptrs);
	free(m.entries);
	sync_keyring_dispose(&keys);
	return rc;
}

/* `down` only moves forward: a repository whose `down` holds commits this office did not
 * write is refused, not overwritten (the nodes would lose what it holds). */
int sync_down_refused(const char *node)
{
	return hearth_error_set(HEARTH_ECONFLICT,
		_("the repository of '%s' holds down commits this office did not write (another "
		"node's repository, or an office restored from an older backup?): nothing was sent "
		"there; check the remote's URL, or restore the office's newest state, then sync "
		"again"),
		node);
}

int sync_office_publish(hearth_db *db, git_repository *repo, const sync_remote *r,
	const hearth_sync_opts *opts, sync_down_routes *routes)
{
	hearth_buf ref = HEARTH_BUF_INIT, spec = HEARTH_BUF_INIT;
	hearth_transport_opts topts;
	const char *specs[1];
	int rc;

	if ((rc = hearth_buf_printf(&ref, "refs/nodes/%s/down", r->name)) < 0 ||
	    (rc = hearth_buf_printf(&spec, "%s:refs/heads/down", ref.ptr)) < 0)
		goto done;
	if ((rc = hearth_db_begin(db)) < 0)
		goto done;
	if ((rc = sync_down_write(db, repo, r->name, ref.ptr, routes)) < 0) {
		hearth_db_rollback(db);
		goto done;
	}
	if ((rc = hearth_db_commit(db)) < 0)
		goto done;
	specs[0] = spec.ptr;
	sync_transport_opts(&topts, opts, db);
	if ((rc = hearth_transport_push(repo, r->url, specs, 1, &topts)) < 0) {
		if (rc == HEARTH_ECONFLICT)
			sync_down_refused(r->name);
		sync_remote_record(db, r->name, 0, hearth_error_last());
	}
done:
	hearth_buf_dispose(&ref);
	hearth_buf_dispose(&spec);
	return rc;
}
