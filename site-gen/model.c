/*
 * The public model: everything the site shows, read once from the office database.
 *
 * Privacy is enforced here, at the only place the site reads tables: every column is selected
 * only if `hearth_column` declares it public (otherwise NULL is read in its place), rows are
 * filtered by `hearth_table.public_rows`, and private tables are read only through aggregates
 * (vacancies per class, requests solved per type and month).
 */
#include "site_int.h"
#include "core/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct site_arena {
	struct site_arena *next;
	size_t used, size;
	char data[];
};

static char *arena_strdup(site_model *m, const char *s, int *rc)
{
	size_t n;
	char *p;

	if (!s || *rc)
		return NULL;
	n = strlen(s) + 1;
	if (!m->arena || m->arena->size - m->arena->used < n) {
		size_t size = n > 65536 ? n : 65536;
		site_arena *a = malloc(sizeof *a + size);
		if (!a) {
			*rc = hearth_error_set(HEARTH_ERROR, _("cannot read the site data: out of memory"));
			return NULL;
		}
		a->next = m->arena, a->used = 0, a->size = size;
		m->arena = a;
	}
	p = m->arena->data + m->arena->used;
	memcpy(p, s, n);
	m->arena->used += n;
	return p;
}

/* Grow an array of `*n` elements of `size` bytes by one; returns the new zeroed element. */
static void *array_push(void **arr, int *n, size_t size, int *rc)
{
	char *p;

	if (*rc)
		return NULL;
	p = realloc(*arr, (size_t)(*n + 1) * size);
	if (!p) {
		*rc = hearth_error_set(HEARTH_ERROR, _("cannot read the site data: out of memory"));
		return NULL;
	}
	*arr = p;
	memset(p + (size_t)*n * size, 0, size);
	return p + (size_t)(*n)++ * size;
}

/* A reader of one table's public columns. */
typedef struct {
	site_model *m;
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;
} reader;

static int is_public(sqlite3 *db, const char *table, const char *col, int *rc)
{
	sqlite3_stmt *st = NULL;
	int pub = 0;

	if (*rc)
		return 0;
	if (sqlite3_prepare_v2(db,
		    "SELECT 1 FROM hearth_column WHERE tbl = ?1 AND col = ?2 AND visibility = 'public'",
		    -1, &st, NULL) != SQLITE_OK) {
		*rc = hearth_error_sqlite(db, HEARTH_ERROR, _("cannot read column declarations"));
		return 0;
	}
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
	pub = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return pub;
}

int site_public_rows_where(hearth_buf *sql, sqlite3 *db, const char *table)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	/* fail closed: a filter that cannot be read must not become "every row" */
	if (sqlite3_prepare_v2(db, "SELECT public_rows FROM hearth_table WHERE name = ?1", -1, &st,
		    NULL) != SQLITE_OK)
		return hearth_error_sqlite(db, HEARTH_ERROR, _("cannot read which rows are public"));
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_text(st, 0))
		rc = hearth_buf_printf(sql, " WHERE (%s)", (const char *)sqlite3_column_text(st, 0));
	else if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = hearth_error_sqlite(db, HEARTH_ERROR, _("cannot read which rows are public"));
	sqlite3_finalize(st);
	return rc;
}

/* Prepare SELECT of `cols` (space-separated) from `table`: private columns read as NULL, rows
 * limited by the table's public_rows condition, ordered by `order`. */
static void reader_open(reader *r, const char *table, const char *cols, const char *order)
{
	hearth_buf sql = HEARTH_BUF_INIT, col = HEARTH_BUF_INIT;
	const char *p = cols;
	int first = 1;

	if (r->rc)
		return;
	r->rc = hearth_buf_puts(&sql, "SELECT ");
	while (r->rc == 0 && *p) {
		size_t n = strcspn(p, " ");
		hearth_buf_clear(&col);
		r->rc = hearth_buf_put(&col, p, n);
		p += n + (p[n] == ' ');
		if (r->rc == 0)
			r->rc = hearth_buf_printf(&sql, "%s%s", first ? "" : ", ",
				is_public(r->db, table, col.ptr, &r->rc) ? col.ptr : "NULL");
		first = 0;
	}
	if (r->rc == 0)
		r->rc = hearth_buf_printf(&sql, " FROM \"%s\"", table);
	if (r->rc == 0)
		r->rc = site_public_rows_where(&sql, r->db, table);
	if (r->rc == 0)
		r->rc = hearth_buf_printf(&sql, " ORDER BY %s", order);
	if (r->rc == 0 && sqlite3_prepare_v2(r->db, sql.ptr, -1, &r->st, NULL) != SQLITE_OK)
		r->rc = hearth_error_sqlite(r->db, HEARTH_ERROR, _("cannot read the site data"));
	hearth_buf_dispose(&sql);
	hearth_buf_dispose(&col);
}

static int reader_next(reader *r)
{
	int step;

	if (r->rc || !r->st)
		return 0;
	step = sqlite3_step(r->st);
	if (step == SQLITE_ROW)
		return 1;
	if (step != SQLITE_DONE)
		r->rc = hearth_error_sqlite(r->db, HEARTH_ERROR, _("cannot read the site data"));
	sqlite3_finalize(r->st);
	r->st = NULL;
	return 0;
}

/* Leave out the row just read (the last element of an array of `*n`): it is listed instead. */
static void skip_row(reader *r, int *n, const char *table, const char *owner, const char *id,
	const char *reason)
{
	site_model *m = r->m;
	site_skipped *s = array_push((void **)&m->skipped, &m->nskipped, sizeof *s, &r->rc);

	(*n)--;
	if (!s)
		return;
	s->table = table, s->reason = reason;
	s->owner = arena_strdup(m, owner ? owner : "", &r->rc);
	s->id = arena_strdup(m, id ? id : "", &r->rc);
}

/* Every column in `cols` (space-separated) must be public for `table` to be published at all:
 * a declaration that hides one is the office's mistake, not a row's, and stops the build. */
static void require_public(reader *r, const char *table, const char *cols)
{
	char col[32];
	const char *p = cols;

	while (r->rc == 0 && *p) {
		size_t n = strcspn(p, " ");
		snprintf(col, sizeof col, "%.*s", (int)n, p);
		p += n + (p[n] == ' ');
		if (!is_public(r->db, table, col, &r->rc) && r->rc == 0)
			r->rc = hearth_error_set(HEARTH_ECORRUPT,
				_("cannot publish '%s': its column '%s' must be public"), table, col);
	}
}

/* 1 if every one of the `n` required values is there and not empty. */
static int present(const char *const *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!v[i] || !*v[i])
			return 0;
	return 1;
}

static char *col_text(reader *r, int i)
{
	return arena_strdup(r->m, (const char *)sqlite3_column_text(r->st, i), &r->rc);
}

static long col_long(reader *r, int i)
{
	if (sqlite3_column_type(r->st, i) == SQLITE_NULL)
		return -1;
	return (long)sqlite3_column_int64(r->st, i);
}

static void load_regions(reader *r)
{
	site_model *m = r->m;
	int i, j, k;

	reader_open(r, "region", "id parent_id level name name_en", "id");
	while (reader_next(r)) {
		site_region *g = array_push((void **)&m->regions, &m->nregions, sizeof *g, &r->rc);
		if (!g)
			break;
		g->id = col_text(r, 0), g->parent_id = col_text(r, 1), g->level = col_text(r, 2);
		g->name = col_text(r, 3), g->name_en = col_text(r, 4);
	}
	for (i = 0; r->rc == 0 && i < m->nregions; i++) {
		m->regions[i].county = -1;
		for (j = i, k = 0; j >= 0 && k < 8; k++) {
			if (m->regions[j].level && strcmp(m->regions[j].level, "county") == 0) {
				m->regions[i].county = j;
				break;
			}
			j = m->regions[j].parent_id ? site_model_region(m, m->regions[j].parent_id) : -1;
		}
	}
}

static void load_stypes(reader *r)
{
	site_model *m = r->m;

	reader_open(r, "service_type", "id domain name name_en description", "id");
	while (reader_next(r)) {
		site_stype *t = array_push((void **)&m->stypes, &m->nstypes, sizeof *t, &r->rc);
		if (!t)
			break;
		t->id = col_text(r, 0), t->domain = col_text(r, 1), t->name = col_text(r, 2);
		t->name_en = col_text(r, 3), t->description = col_text(r, 4);
	}
}

/* Both lists are in id order (SQLite's BINARY collation is strcmp's): one merge walk. */
static void node_heard(const char *node, int64_t ms, void *payload)
{
	site_model *m = payload;
	int c = 1;

	while (m->heard_next < m->nnodes &&
	       (c = strcmp(m->nodes[m->heard_next].id, node)) < 0)
		m->heard_next++;
	if (c == 0)
		m->nodes[m->heard_next].last_seen_ms = ms;
}

static void load_nodes(reader *r)
{
	site_model *m = r->m;
	int i;

	require_public(r, "node", "id kind name status");
	reader_open(r, "node",
		"id kind name name_en region_id address phone hours operator affordable status "
		"opens_on places floor_area_m2 site_area_m2 description_md lat lon",
		"id");
	while (reader_next(r)) {
		site_node *n = array_push((void **)&m->nodes, &m->nnodes, sizeof *n, &r->rc);
		if (!n)
			break;
		n->id = col_text(r, 0), n->kind = col_text(r, 1), n->name = col_text(r, 2);
		n->name_en = col_text(r, 3), n->region_id = col_text(r, 4);
		n->address = col_text(r, 5), n->phone = col_text(r, 6), n->hours = col_text(r, 7);
		n->operator_ = col_text(r, 8), n->affordable = col_long(r, 9);
		n->status = col_text(r, 10), n->opens_on = col_text(r, 11);
		n->places = col_long(r, 12), n->floor_area_m2 = col_long(r, 13);
		n->site_area_m2 = col_long(r, 14), n->description_md = col_text(r, 15);
		n->has_latlon = sqlite3_column_type(r->st, 16) != SQLITE_NULL &&
				sqlite3_column_type(r->st, 17) != SQLITE_NULL;
		n->lat = sqlite3_column_double(r->st, 16), n->lon = sqlite3_column_double(r->st, 17);
		const char *need[] = { n->id, n->kind, n->name, n->status };
		if (!hearth_id_valid(n->id))
			skip_row(r, &m->nnodes, "node", n->id, n->id, "the id is no node id");
		else if (!present(need, 4))
			skip_row(r, &m->nnodes, "node", n->id, n->id,
				"kind, name or status is empty");
	}
	for (i = 0; i < m->nnodes; i++)
		m->nodes[i].last_seen_ms = -1;
	if (r->rc == 0)
		r->rc = hearth_status_heard(r->db, node_heard, m);
	for (i = 0; r->rc == 0 && i < m->nnodes; i++) {
		site_node *n = &m->nodes[i];
		hearth_buf slug = HEARTH_BUF_INIT;
		int reg = n->region_id ? site_model_region(m, n->region_id) : -1;

		n->county = reg >= 0 ? m->regions[reg].county : -1;
		/* a centre named like a directory page gets the slug no node id can have */
		if (site_centre_page_reserved(n->id))
			r->rc = hearth_buf_putc(&slug, '_');
		if (r->rc == 0)
			r->rc = site_slug(&slug, n->id);
		n->slug = arena_strdup(m, slug.ptr, &r->rc);
		hearth_buf_dispose(&slug);
	}
}

static int band_index(const char *band)
{
	if (!band)
		return -1;
	if (strcmp(band, "0-1") == 0)
		return 0;
	if (strcmp(band, "1-2") == 0)
		return 1;
	return strcmp(band, "2-3") == 0 ? 2 : -1;
}

/* Vacancies = capacity minus full-day enrolments active today: read as counts per class, the
 * only thing the site ever reads from `enrolment`. */
static void load_classes(reader *r)
{
	site_model *m = r->m;
	sqlite3_stmt *st = NULL;
	int i;

	reader_open(r, "care_class", "owner id name age_band capacity", "owner, id");
	while (reader_next(r)) {
		site_class *c = array_push((void **)&m->classes, &m->nclasses, sizeof *c, &r->rc);
		if (!c)
			break;
		c->owner = col_text(r, 0), c->id = col_text(r, 1), c->name = col_text(r, 2);
		c->age_band = col_text(r, 3), c->capacity = col_long(r, 4);
		c->vacancies = c->capacity;
	}
	if (r->rc == 0 &&
	    sqlite3_prepare_v2(r->db,
		    "SELECT COUNT(*) FROM enrolment WHERE owner = ?1 AND class_id = ?2 "
		    "AND mode = 'full_day' "
		    "AND (starts_on IS NULL OR starts_on = '' OR substr(starts_on, 1, 10) <= ?3) "
		    "AND (ends_on IS NULL OR ends_on = '' OR substr(ends_on, 1, 10) >= ?3)",
		    -1, &st, NULL) != SQLITE_OK)
		r->rc = hearth_error_sqlite(r->db, HEARTH_ERROR, _("cannot count enrolments"));
	for (i = 0; r->rc == 0 && i < m->nclasses; i++) {
		site_class *c = &m->classes[i];
		int node = site_model_node(m, c->owner), band = band_index(c->age_band);

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, c->owner, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, m->today, -1, SQLITE_STATIC);
		if (c->capacity >= 0 && sqlite3_step(st) == SQLITE_ROW) {
			c->vacancies = c->capacity - (long)sqlite3_column_int64(st, 0);
			if (c->vacancies < 0)
				c->vacancies = 0;
		}
		if (node < 0 || c->capacity < 0)
			continue;
		m->nodes[node].capacity += c->capacity;
		m->nodes[node].vacancies += c->vacancies;
		if (band >= 0)
			m->nodes[node].band_vac[band] += c->vacancies;
	}
	sqlite3_finalize(st);
}

/* A centre's free places, one way for every page, filter and total: none unless it is open
 * (a centre being planned or built takes no child), and never more than its places when it
 * declares them (its classes may add up to more than its registered places). */
static void settle_vacancies(site_model *m)
{
	int i, k;

	for (i = 0; i < m->nnodes; i++) {
		site_node *n = &m->nodes[i];
		long cap = n->status && strcmp(n->status, "open") != 0 ? 0 : n->places;
		if (cap < 0)
			continue; /* open, no places declared: its classes say */
		if (n->vacancies > cap)
			n->vacancies = cap;
		for (k = 0; k < 3; k++)
			if (n->band_vac[k] > n->vacancies)
				n->band_vac[k] = n->vacancies;
	}
}

static void load_offers(reader *r)
{
	static const char *const care[3] = { "full_day", "temporary", "hourly" };
	site_model *m = r->m;
	int i, k;

	reader_open(r, "care_offer", "owner id service_type_id fee_yuan fee_unit hours notes",
		"owner, id");
	while (reader_next(r)) {
		site_offer *o = array_push((void **)&m->offers, &m->noffers, sizeof *o, &r->rc);
		if (!o)
			break;
		o->owner = col_text(r, 0), o->id = col_text(r, 1), o->service_type_id = col_text(r, 2);
		o->fee_yuan = col_long(r, 3), o->fee_unit = col_text(r, 4), o->hours = col_text(r, 5);
		o->notes = col_text(r, 6);
	}
	for (i = 0; r->rc == 0 && i < m->noffers; i++) {
		int node = site_model_node(m, m->offers[i].owner);
		for (k = 0; node >= 0 && m->offers[i].service_type_id && k < 3; k++)
			if (strcmp(m->offers[i].service_type_id, care[k]) == 0)
				m->nodes[node].care[k] = 1;
	}
}

static void load_partners(reader *r)
{
	site_model *m = r->m;

	reader_open(r, "partnership", "owner id partner_id kind since services", "owner, id");
	while (reader_next(r)) {
		site_partner *p = array_push((void **)&m->partners, &m->npartners, sizeof *p, &r->rc);
		if (!p)
			break;
		p->owner = col_text(r, 0), p->id = col_text(r, 1), p->partner_id = col_text(r, 2);
		p->kind = col_text(r, 3), p->since = col_text(r, 4), p->services = col_text(r, 5);
	}
}

static void load_teams(reader *r)
{
	site_model *m = r->m;

	reader_open(r, "volunteer_team", "owner id name service_type_id members", "owner, id");
	while (reader_next(r)) {
		site_team *t = array_push((void **)&m->teams, &m->nteams, sizeof *t, &r->rc);
		if (!t)
			break;
		t->owner = col_text(r, 0), t->id = col_text(r, 1), t->name = col_text(r, 2);
		t->service_type_id = col_text(r, 3), t->members = col_long(r, 4);
	}
}

static void format_ms(char *out, size_t outsz, int64_t ms, int offset_h, int mode);

static int cmp_event_key(const void *a, const void *b)
{
	const site_event *x = *(site_event *const *)a, *y = *(site_event *const *)b;
	int c = strcmp(x->owner, y->owner);

	return c ? c : strcmp(x->id, y->id);
}

/*
 * When what an event's feed entry shows last changed: the newest origin (the office's record
 * of which write last set a column) of its insert or of the public columns the entry shows,
 * never later than the build's "now". An event with no origin (a database the office did not
 * merge into) gets the start of the build's day, as an .ics's DTSTAMP: either way the feed
 * changes when its events do, or once a day, not with every write elsewhere. Only public
 * columns count, so the feed's times say nothing about private ones.
 */
static void event_times(reader *r)
{
	static const char *const shown[] = { "title", "title_en", "starts_at", "kind", "place" };
	site_model *m = r->m;
	hearth_buf sql = HEARTH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	site_event **by_key = NULL;
	hearth_clock c;
	size_t i;
	int e;

	for (e = 0; e < m->nevents; e++)
		snprintf(m->events[e].updated, sizeof m->events[e].updated, "%s", m->day_utc);
	if (r->rc || !m->nevents)
		return;
	/* one pass over the events' origins (in key order), not a lookup per event */
	r->rc = hearth_buf_puts(&sql, "SELECT owner, id, max(clock) FROM hearth_origin "
				      "WHERE tbl = 'event' AND col IN (''");
	for (i = 0; r->rc == 0 && i < sizeof shown / sizeof *shown; i++)
		if (is_public(r->db, "event", shown[i], &r->rc))
			r->rc = hearth_buf_printf(&sql, ", '%s'", shown[i]);
	if (r->rc == 0)
		r->rc = hearth_buf_puts(&sql, ") GROUP BY owner, id");
	/* no origins to read (not a hearth database's full schema): the day's start stays */
	if (r->rc == 0 && sqlite3_prepare_v2(r->db, sql.ptr, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			site_event key = { 0 }, *kp = &key, **hit;
			const char *v = (const char *)sqlite3_column_text(st, 2);
			int64_t ms;

			key.owner = (char *)sqlite3_column_text(st, 0);
			key.id = (char *)sqlite3_column_text(st, 1);
			if (!key.owner || !key.id || !v || hearth_clock_parse(&c, v) != 0)
				continue;
			if (!by_key) {
				if (!(by_key = malloc((size_t)m->nevents * sizeof *by_key))) {
					r->rc = hearth_error_set(HEARTH_ERROR,
						_("cannot read the site data: out of memory"));
					break;
				}
				for (e = 0; e < m->nevents; e++)
					by_key[e] = &m->events[e];
				qsort(by_key, (size_t)m->nevents, sizeof *by_key, cmp_event_key);
			}
			hit = bsearch(&kp, by_key, (size_t)m->nevents, sizeof *by_key, cmp_event_key);
			if (!hit)
				continue;
			ms = (int64_t)HEARTH_CLOCK_MS(c);
			if (ms > (int64_t)m->now_ms)
				ms = (int64_t)m->now_ms;
			format_ms((*hit)->updated, sizeof (*hit)->updated, ms, 0, 3);
		}
	}
	sqlite3_finalize(st);
	free(by_key);
	hearth_buf_dispose(&sql);
}

static void load_events(reader *r)
{
	site_model *m = r->m;
	int i;

	require_public(r, "event", "owner id title starts_at");
	reader_open(r, "event",
		"owner id kind title title_en starts_at ends_at place audience description_md",
		"starts_at, owner, id");
	while (reader_next(r)) {
		site_event *e = array_push((void **)&m->events, &m->nevents, sizeof *e, &r->rc);
		if (!e)
			break;
		e->owner = col_text(r, 0), e->id = col_text(r, 1), e->kind = col_text(r, 2);
		e->title = col_text(r, 3), e->title_en = col_text(r, 4), e->starts_at = col_text(r, 5);
		e->ends_at = col_text(r, 6), e->place = col_text(r, 7), e->audience = col_text(r, 8);
		e->description_md = col_text(r, 9);
		const char *need[] = { e->title, e->starts_at };
		if (!hearth_id_valid(e->owner) || !hearth_record_id_valid(e->id))
			skip_row(r, &m->nevents, "event", e->owner, e->id,
				"the owner or id is no id");
		else if (!present(need, 2))
			skip_row(r, &m->nevents, "event", e->owner, e->id,
				"title or starts_at is empty");
	}
	for (i = 0; r->rc == 0 && i < m->nevents; i++) {
		site_event *e = &m->events[i];
		hearth_buf slug = HEARTH_BUF_INIT;

		e->node = site_model_node(m, e->owner);
		r->rc = site_slug(&slug, e->owner);
		if (r->rc == 0)
			r->rc = hearth_buf_putc(&slug, '/');
		if (r->rc == 0)
			r->rc = site_slug(&slug, e->id);
		e->slug = arena_strdup(m, slug.ptr, &r->rc);
		hearth_buf_dispose(&slug);
	}
	event_times(r);
}

static int month_ok(const char *s)
{
	return s && strlen(s) == 7 && s[4] == '-' && strspn(s, "0123456789-") == 7;
}

/* Requests solved per service type and month: the only thing read from service_request, plus
 * the tally `hearth purge` keeps of the solved requests it removed (request_tally). */
static void load_solved(reader *r)
{
	site_model *m = r->m;
	sqlite3_stmt *st = NULL;

	if (r->rc)
		return;
	if (sqlite3_prepare_v2(r->db,
		    "SELECT service_type_id, month, SUM(n) FROM ("
		    "SELECT r.service_type_id, substr(" HEARTH_REQUEST_CLOSED_ON ", 1, 7) AS month, "
		    "COUNT(*) AS n FROM service_request r "
		    "WHERE r.status = 'done' AND r.done_at IS NOT NULL GROUP BY 1, 2 UNION ALL SELECT service_type_id, month, solved FROM request_tally) "
		    "GROUP BY 1, 2 ORDER BY 2, 1",
		    -1, &st, NULL) != SQLITE_OK) {
		r->rc = hearth_error_sqlite(r->db, HEARTH_ERROR, _("cannot count service requests"));
		return;
	}
	while (r->rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *month = (const char *)sqlite3_column_text(st, 1);
		int t = type ? site_model_stype(m, type) : -1;
		site_solved *s;

		/* a type that is not public reference data never becomes a label */
		if (t < 0 || !month_ok(month))
			continue;
		s = array_push((void **)&m->solved, &m->nsolved, sizeof *s, &r->rc);
		if (!s)
			break;
		s->service_type_id = m->stypes[t].id;
		memcpy(s->month, month, 8);
		s->count = (long)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil(int64_t days, int *y, int *mo, int *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*mo <= 2));
}

static void format_ms(char *out, size_t outsz, int64_t ms, int offset_h, int mode)
{
	int64_t s = ms / 1000 + offset_h * 3600, days = s / 86400, rem = s % 86400;
	int y, mo, d;

	if (rem < 0)
		rem += 86400, days--;
	civil(days, &y, &mo, &d);
	if (mode == 0)
		snprintf(out, outsz, "%04d-%02d-%02d", y, mo, d);
	else if (mode == 1)
		snprintf(out, outsz, "%04d-%02d-%02d %02d:%02d", y, mo, d, (int)(rem / 3600),
			(int)(rem / 60 % 60));
	else if (mode == 2)
		snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d", y, mo, d, (int)(rem / 3600),
			(int)(rem / 60 % 60));
	else
		snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, (int)(rem / 3600),
			(int)(rem / 60 % 60), (int)(rem % 60));
}

/* The start of the China-time (UTC+8) day holding `ms`. */
static int64_t day_start_ms(int64_t ms)
{
	int64_t day = (int64_t)HEARTH_DAY_MS, local = ms + 8 * 3600 * 1000;
	int64_t days = local / day - (local % day < 0);

	return days * day - 8 * 3600 * 1000;
}

void site_format_time(char *out, size_t outsz, int64_t ms, int date_only)
{
	format_ms(out, outsz, ms, 8, date_only ? 0 : 1);
}

int site_model_load(site_model *m, sqlite3 *db, uint64_t now_ms)
{
	reader r = { m, db, NULL, 0 };

	memset(m, 0, sizeof *m);
	if (!now_ms && hearth_status_data_now(db, &now_ms) < 0)
		now_ms = 0;
	m->now_ms = now_ms;
	format_ms(m->today, sizeof m->today, (int64_t)m->now_ms, 8, 0);
	format_ms(m->now_local, sizeof m->now_local, (int64_t)m->now_ms, 8, 2);
	format_ms(m->day_utc, sizeof m->day_utc, day_start_ms((int64_t)m->now_ms), 0, 3);
	load_regions(&r);
	load_stypes(&r);
	load_nodes(&r);
	load_classes(&r);
	if (r.rc == 0)
		settle_vacancies(m);
	load_offers(&r);
	load_partners(&r);
	load_teams(&r);
	load_events(&r);
	load_solved(&r);
	sqlite3_finalize(r.st);
	if (r.rc)
		site_model_free(m);
	return r.rc;
}

void site_model_free(site_model *m)
{
	while (m->arena) {
		site_arena *next = m->arena->next;
		free(m->arena);
		m->arena = next;
	}
	free(m->regions);
	free(m->stypes);
	free(m->nodes);
	free(m->classes);
	free(m->offers);
	free(m->partners);
	free(m->teams);
	free(m->events);
	free(m->solved);
	free(m->skipped);
	memset(m, 0, sizeof *m);
}

int site_model_node(const site_model *m, const char *id)
{
	int i, lo = 0, hi = m->nnodes - 1;

	/* the nodes are read ORDER BY id (binary collation: strcmp's order); a miss is looked
	 * for again one by one, so a model in another order is only slower */
	while (id && lo <= hi) {
		int mid = lo + (hi - lo) / 2, c = strcmp(m->nodes[mid].id, id);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	for (i = 0; id && i < m->nnodes; i++)
		if (strcmp(m->nodes[i].id, id) == 0)
			return i;
	return -1;
}

int site_model_region(const site_model *m, const char *id)
{
	int i;

	for (i = 0; id && i < m->nregions; i++)
		if (m->regions[i].id && strcmp(m->regions[i].id, id) == 0)
			return i;
	return -1;
}

int site_model_stype(const site_model *m, const char *id)
{
	int i;

	for (i = 0; id && i < m->nstypes; i++)
		if (m->stypes[i].id && strcmp(m->stypes[i].id, id) == 0)
			return i;
	return -1;
}

int site_node_is_centre(const site_node *n)
{
	return strcmp(n->kind, "childcare_centre") == 0 ||
	       strcmp(n->kind, "special_care_centre") == 0;
}

int site_node_has_page(const site_node *n)
{
	return strcmp(n->kind, "office") != 0 && strcmp(n->kind, "volunteer_team") != 0;
}
