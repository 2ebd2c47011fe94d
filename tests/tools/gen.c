/*
 * hearth-gen: a deterministic world of Changzhi for tests and benchmarks. A test tool, built
 * with the tests and never installed: it writes without fsync (through a VFS of its own,
 * registered as this process's default), because a world can be made again from its seed.
 *
 *   hearth-gen --out DIR --nodes N --changes M [--seed S] [--conflicts PCT] [--sync]
 *              [--office-only] [--sealed]
 *
 * N nodes (childcare centres, special care centres, volunteer stations, community centres,
 * hospitals) spread over the 12 counties, each with M changes of its own: classes, offers,
 * children and enrolments, volunteer teams, volunteers, service requests moving
 * new -> accepted -> done, partnerships, health checks and events. Every value comes from a
 * splitmix64 stream seeded by --seed and the node's index, and the hybrid clock is pinned to a
 * fixed instant, so one seed gives byte-identical dumps. Every private string carries the marker
 * PRIV-<seed>-<node>-<n>: a leak to the site is one grep away.
 *
 * Two layouts, both through the libraries' public API only:
 *  - per node (default): DIR/nodes/<id> with its own database and a few recorded writes,
 *    DIR/remotes/<id>.git a bare repository, DIR/nodes/office the office with one remote per
 *    node. The office registers every node's row first (as an office does). With --conflicts
 *    PCT, that share of each node's changes edit its `node` row, which the office edits too
 *    (status, places, hours), so the next merge logs conflicts. With --sealed, the office
 *    issues each node a key and the node is enrolled with it before its first write, so
 *    everything it pushes is sealed (docs/format.md); the snapshot a new key makes due is
 *    left due, as after a real enrolment.
 *  - --office-only: every node's rows written by the office into its own database, in a few
 *    large recorded writes (site-build benchmarks).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/hearth_internal.h"
#include "sync/hearth_sync.h"

/* exit codes, as the hearth command's (docs/hearth.1) */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define GEN_USAGE "hearth-gen --out DIR --nodes N --changes M [--seed S] [--conflicts PCT] " \
	"[--sync] [--office-only] [--sealed]"

/* 2026-01-01T00:00:00Z: every generated change carries a clock at this instant (the counter
 * orders them), so the ids and the merge are the same on every run and every machine. */
#define GEN_EPOCH_MS 1767225600000ULL
/* Recorded writes per node (per-node layout) and nodes per recorded write (office-only). */
#define GEN_DAYS_MAX 4
#define GEN_OFFICE_BATCH 2500
#define GEN_LIMIT 1000000

/* ---- the pseudo-random stream: splitmix64, never rand() ---------------------------------- */

typedef struct {
	uint64_t s;
} gen_rng;

static uint64_t rng_next(gen_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform enough in [0, n) for these small n */
static int rng_below(gen_rng *r, int n)
{
	return n > 0 ? (int)(rng_next(r) % (uint64_t)n) : 0;
}

static int rng_range(gen_rng *r, int lo, int hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

#define PICK(r, arr) ((arr)[rng_below((r), (int)(sizeof(arr) / sizeof((arr)[0])))])

/* ---- the world --------------------------------------------------------------------------- */

typedef struct {
	const char *id, *zh, *en;
	int lat_e4, lon_e4; /* approximate seat of the county, 1e-4 degrees */
} gen_county;

static const gen_county counties[] = {
	{ "luzhou", "潞州区", "Luzhou", 361950, 1131230 },
	{ "shangdang", "上党区", "Shangdang", 360530, 1130520 },
	{ "tunliu", "屯留区", "Tunliu", 363160, 1128920 },
	{ "lucheng", "潞城区", "Lucheng", 363340, 1132280 },
	{ "xiangyuan", "襄垣县", "Xiangyuan", 365350, 1130510 },
	{ "pingshun", "平顺县", "Pingshun", 362000, 1134360 },
	{ "licheng", "黎城县", "Licheng", 365030, 1133870 },
	{ "huguan", "壶关县", "Huguan", 361150, 1132070 },
	{ "zhangzi", "长子县", "Zhangzi", 361220, 1128770 },
	{ "wuxiang", "武乡县", "Wuxiang", 368370, 1128640 },
	{ "qinxian", "沁县", "Qinxian", 367570, 1126990 },
	{ "qinyuan", "沁源县", "Qinyuan", 365000, 1123380 },
};
#define NCOUNTIES ((int)(sizeof(counties) / sizeof(counties[0])))

enum { ROLE_CENTRE, ROLE_STATION, ROLE_COMMUNITY, ROLE_HOSPITAL };

typedef struct {
	const char *kind, *slug, *zh, *en; /* 潞州区第3<zh>, Luzhou <en> 3 */
	int role, weight;
} gen_kind;

static const gen_kind kinds[] = {
	{ "childcare_centre", "tuoyu", "托育中心", "Childcare Centre", ROLE_CENTRE, 50 },
	{ "special_care_centre", "tuoyang", "特殊儿童托养中心", "Special Care Centre",
		ROLE_CENTRE, 5 },
	{ "volunteer_station", "zhiyuan", "志愿服务站", "Volunteer Station", ROLE_STATION,
		20 },
	{ "community_centre", "shequ", "社区服务中心", "Community Centre", ROLE_COMMUNITY,
		15 },
	{ "hospital", "yiyuan", "人民医院", "People's Hospital", ROLE_HOSPITAL, 10 },
};
#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

typedef struct {
	char id[HEARTH_ID_MAX + 1];
	char name[128], name_en[128];
	const gen_kind *kind;
	int county;
	int partner; /* hospitals: index of a childcare centre of the county, or -1 */
} gen_node;

typedef struct {
	uint64_t seed;
	int nodes, changes, conflicts; /* conflicts: percent of each node's changes */
	int office_only, sync;
	int sealed;                    /* every node enrolled with a key: its log is sealed */
	gen_node *node;
} gen_world;

/* The node's own stream: independent of every other node's, so the order in which nodes are
 * generated changes nothing. */
static void rng_for(gen_rng *r, const gen_world *w, int node_index, uint64_t purpose)
{
	gen_rng mix = { w->seed ^ (purpose * 0xd1b54a32d192ed03ULL) };

	mix.s += (uint64_t)node_index * 0x9e3779b97f4a7c15ULL;
	r->s = rng_next(&mix);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "hearth-gen: out of memory\n");
		exit(EXIT_FAIL);
	}
	return p;
}

/* Kinds by weight, counties in turn, numbered within county and kind: 潞州区第3托育中心. */
static void world_plan(gen_world *w)
{
	static const int first_kinds[NKINDS] = { 0, 2, 4, 3, 1 };
	int (*count)[NKINDS] = xcalloc(NCOUNTIES, sizeof(*count));
	int *first_centre = xcalloc(NCOUNTIES, sizeof(int));
	int total = 0, i, k;

	for (k = 0; k < NKINDS; k++)
		total += kinds[k].weight;
	for (i = 0; i < NCOUNTIES; i++)
		first_centre[i] = -1;
	w->node = xcalloc((size_t)w->nodes, sizeof(gen_node));
	for (i = 0; i < w->nodes; i++) {
		gen_node *n = &w->node[i];
		const gen_county *c;
		gen_rng r;
		int x, num;

		rng_for(&r, w, i, 1);
		x = rng_below(&r, total);
		for (k = 0; x >= kinds[k].weight; k++)
			x -= kinds[k].weight;
		if (i < NKINDS) /* a small world still holds every kind */
			k = first_kinds[i];
		n->kind = &kinds[k];
		n->county = i % NCOUNTIES;
		c = &counties[n->county];
		num = ++count[n->county][k];
		snprintf(n->id, sizeof(n->id), "%s-%s-%d", c->id, n->kind->slug, num);
		snprintf(n->name, sizeof(n->name), "%s第%d%s", c->zh, num, n->kind->zh);
		snprintf(n->name_en, sizeof(n->name_en), "%s %s %d", c->en, n->kind->en, num);
		if (k == 0 && first_centre[n->county] < 0)
			first_centre[n->county] = i;
		n->partner = -1;
	}
	/* a hospital partners the first childcare centre of its county, else node 0 (always one) */
	for (i = 0; i < w->nodes; i++)
		if (w->node[i].kind->role == ROLE_HOSPITAL)
			w->node[i].partner = first_centre[w->node[i].county] >= 0
				? first_centre[w->node[i].county] : 0;
	free(count);
	free(first_centre);
}

/* ---- statements -------------------------------------------------------------------------- */

enum {
	S_ID,
	S_NODE_REG,
	S_NODE_DETAILS,
	S_NODE_EDIT,
	S_CLASS,
	S_CLASS_CAP,
	S_OFFER,
	S_OFFER_FEE,
	S_CHILD,
	S_CHILD_NOTES,
	S_ENROL,
	S_ENROL_END,
	S_TEAM,
	S_VOLUNTEER,
	S_REQUEST,
	S_REQ_ACCEPT,
	S_REQ_DONE,
	S_PARTNER,
	S_CHECK,
	S_EVENT,
	S_COUNT
};

/* Owner is always ?1 and bound explicitly: the office writes other nodes' rows with these too. */
static const char *const stmt_sql[S_COUNT] = {
	[S_ID] = "SELECT hearth_id()",
	[S_NODE_REG] = "INSERT INTO node (owner, id, kind, name, region_id) "
		"VALUES (?1, ?1, ?2, ?3, ?4)",
	[S_NODE_DETAILS] = "UPDATE node SET name_en = ?2, address = ?3, phone = ?4, hours = ?5, "
		"operator = ?6, affordable = ?7, status = ?8, opens_on = ?9, places = ?10, "
		"floor_area_m2 = ?11, description_md = ?12, lat = ?13, lon = ?14 "
		"WHERE owner = ?1 AND id = ?1",
	[S_NODE_EDIT] = "UPDATE node SET status = coalesce(?2, status), "
		"places = coalesce(?3, places), hours = coalesce(?4, hours), "
		"phone = coalesce(?5, phone) WHERE owner = ?1 AND id = ?1",
	[S_CLASS] = "INSERT INTO care_class (owner, id, name, age_band, capacity) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_CLASS_CAP] = "UPDATE care_class SET capacity = ?3 WHERE owner = ?1 AND id = ?2",
	[S_OFFER] = "INSERT INTO care_offer (owner, id, service_type_id, fee_yuan, fee_unit, "
		"hours, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_OFFER_FEE] = "UPDATE care_offer SET fee_yuan = ?3 WHERE owner = ?1 AND id = ?2",
	[S_CHILD] = "INSERT INTO child (owner, id, name, birth_date, sex, guardian_name, "
		"guardian_phone, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[S_CHILD_NOTES] = "UPDATE child SET notes = ?3 WHERE owner = ?1 AND id = ?2",
	[S_ENROL] = "INSERT INTO enrolment (owner, id, child_id, class_id, mode, starts_on) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_ENROL_END] = "UPDATE enrolment SET ends_on = ?3 WHERE owner = ?1 AND id = ?2",
	[S_TEAM] = "INSERT INTO volunteer_team (owner, id, name, service_type_id, members) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_VOLUNTEER] = "INSERT INTO volunteer (owner, id, name, phone, team_id, skills, "
		"party_member) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_REQUEST] = "INSERT INTO service_request (owner, id, service_type_id, requested_at, "
		"resident_name, resident_phone, address, details, status, team_id) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'new', ?9)",
	[S_REQ_ACCEPT] = "UPDATE service_request SET status = 'accepted', volunteer_id = ?3 "
		"WHERE owner = ?1 AND id = ?2",
	[S_REQ_DONE] = "UPDATE service_request SET status = 'done', done_at = ?3, feedback = ?4 "
		"WHERE owner = ?1 AND id = ?2",
	[S_PARTNER] = "INSERT INTO partnership (owner, id, partner_id, kind, since, services) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_CHECK] = "INSERT INTO health_check (owner, id, centre_id, child_id, checked_on, "
		"height_cm, weight_kg, findings, next_due) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_EVENT] = "INSERT INTO event (owner, id, kind, title, title_en, starts_at, ends_at, "
		"place, audience, description_md, public) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
};

/* Statements of one database, prepared on first use and kept across its recorded writes. */
typedef struct {
	sqlite3 *h;
	sqlite3_stmt *st[S_COUNT];
} gen_stmts;

static void stmts_dispose(gen_stmts *s)
{
	int i;

	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	memset(s, 0, sizeof(*s));
}

/*
 * Run statement `which` with parameters described by `types`, one letter each, bound as ?1, ?2...:
 * 's' text (NULL pointer: NULL), 'i' int, 'I' int where 0 is NULL, 'd' double.
 */
static int run(gen_stmts *s, int which, const char *types, ...)
{
	sqlite3_stmt *st = s->st[which];
	va_list ap;
	int i, rc = 0, step;

	if (!st && (rc = hearth_sql_prepare(&s->st[which], s->h, stmt_sql[which])) < 0)
		return rc;
	st = s->st[which];
	va_start(ap, types);
	for (i = 0; types[i]; i++) {
		if (types[i] == 's') {
			const char *v = va_arg(ap, const char *);
			if (v)
				sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, i + 1);
		} else if (types[i] == 'i' || types[i] == 'I') {
			int v = va_arg(ap, int);
			if (v || types[i] == 'i')
				sqlite3_bind_int(st, i + 1, v);
			else
				sqlite3_bind_null(st, i + 1);
		} else {
			sqlite3_bind_double(st, i + 1, va_arg(ap, double));
		}
	}
	va_end(ap);
	step = sqlite3_step(st);
	if (step != SQLITE_DONE && step != SQLITE_ROW)
		rc = hearth_error_sqlite(s->h, HEARTH_ERROR, "cannot write generated rows");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* A new record id from the writing node's clock (hearth_id(): time-ordered hex). */
static int new_id(gen_stmts *s, char *out)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (!s->st[S_ID] && (rc = hearth_sql_prepare(&s->st[S_ID], s->h, stmt_sql[S_ID])) < 0)
		return rc;
	st = s->st[S_ID];
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == HEARTH_CLOCK_HEX)
		memcpy(out, sqlite3_column_text(st, 0), HEARTH_CLOCK_HEX + 1);
	else
		rc = hearth_error_sqlite(s->h, HEARTH_ERROR, "cannot allocate a record id");
	sqlite3_reset(st);
	return rc;
}

/* ---- what one node does ------------------------------------------------------------------ */

typedef struct {
	char id[HEARTH_CLOCK_HEX + 1];
	int tag; /* classes: capacity; teams: service index; requests: team index */
} gen_key;

typedef struct {
	gen_key *v;
	int n;
} gen_list;

/* The node's state while its changes are generated: what it has written so far. */
typedef struct {
	const gen_world *w;
	const gen_node *node;
	int index;
	gen_rng r;
	int marker;
	int row_edits;
	int places;
	const char *status;
	int want_classes, want_offers, want_teams;
	gen_list classes, offers, children, enrolments, teams, volunteers, requests;
	int enrolled, ended, accepted, done, partnered;
	char text[4][512];
} gen_state;

static void state_init(gen_state *st, const gen_world *w)
{
	size_t cap = (size_t)w->changes + 1;

	memset(st, 0, sizeof(*st));
	st->w = w;
	st->classes.v = xcalloc(cap, sizeof(gen_key));
	st->offers.v = xcalloc(cap, sizeof(gen_key));
	st->children.v = xcalloc(cap, sizeof(gen_key));
	st->enrolments.v = xcalloc(cap, sizeof(gen_key));
	st->teams.v = xcalloc(cap, sizeof(gen_key));
	st->volunteers.v = xcalloc(cap, sizeof(gen_key));
	st->requests.v = xcalloc(cap, sizeof(gen_key));
}

static void state_dispose(gen_state *st)
{
	free(st->classes.v);
	free(st->offers.v);
	free(st->children.v);
	free(st->enrolments.v);
	free(st->teams.v);
	free(st->volunteers.v);
	free(st->requests.v);
}

static void state_start(gen_state *st, int index)
{
	gen_list *lists[] = { &st->classes, &st->offers, &st->children, &st->enrolments,
		&st->teams, &st->volunteers, &st->requests };
	size_t i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		lists[i]->n = 0;
	st->index = index;
	st->node = &st->w->node[index];
	rng_for(&st->r, st->w, index, 2);
	st->marker = st->row_edits = st->places = 0;
	st->enrolled = st->ended = st->accepted = st->done = st->partnered = 0;
	st->status = "open";
	st->want_classes = rng_range(&st->r, 3, 6);
	st->want_offers = rng_range(&st->r, 2, 4);
	st->want_teams = st->node->kind->role == ROLE_STATION ? rng_range(&st->r, 3, 5) : 1;
}

/* "<text> PRIV-<seed>-<node>-<n>" into slot `slot` of st->text: every private string has one. */
static const char *priv(gen_state *st, int slot, const char *text)
{
	snprintf(st->text[slot], sizeof(st->text[slot]), "%s PRIV-%" PRIu64 "-%d-%d", text,
		st->w->seed, st->index, st->marker++);
	return st->text[slot];
}

static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周",
	"吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗", "申", "牛", "郝", "常",
	"秦", "段", "韩", "冯", "武", "史" };
static const char *const given_child[] = { "子涵", "梓萱", "浩宇", "欣怡", "一诺", "宇轩",
	"诗涵", "雨泽", "嘉怡", "思远", "佳琪", "晨曦", "博文", "昊然", "若汐", "睿", "铭", "婷",
	"安然", "乐乐", "沐阳", "梓睿", "语桐", "天佑" };
static const char *const given_adult[] = { "建国", "丽娟", "志强", "秀英", "海燕", "伟",
	"静", "军", "敏", "磊", "芳", "勇", "艳", "杰", "霞", "涛", "红梅", "晓东", "卫东", "桂兰" };
static const char *const streets[] = { "英雄中路", "太行东街", "府后西街", "长兴路", "延安南路",
	"紫金西街", "西大街", "漳泽路", "桃园路", "解放东街", "城隍庙街", "八一路" };

static void person(gen_state *st, char *out, size_t n, int child)
{
	const char *surname = PICK(&st->r, surnames);

	snprintf(out, n, "%s%s", surname,
		child ? PICK(&st->r, given_child) : PICK(&st->r, given_adult));
}

static void phone(gen_state *st, char *out, size_t n)
{
	snprintf(out, n, "1380000%04d", rng_below(&st->r, 10000));
}

static const char *owner(const gen_state *st)
{
	return st->node->id;
}

static int add_key(gen_stmts *s, gen_list *l, int tag)
{
	int rc = new_id(s, l->v[l->n].id);

	if (rc == 0)
		l->v[l->n++].tag = tag;
	return rc;
}

/* The node's public details: the first edit of its own row. */
static int op_details(gen_state *st, gen_stmts *s)
{
	const gen_node *n = st->node;
	const gen_county *c = &counties[n->county];
	int role = n->kind->role, x = rng_below(&st->r, 100);
	char address[160], tel[32], opens[16] = "";
	const char *hours, *desc, *op, *street;
	double lat, lon;
	int floor = 0;

	street = PICK(&st->r, streets);
	snprintf(address, sizeof(address), "%s%s%d号", c->zh, street, rng_range(&st->r, 1, 300));
	snprintf(tel, sizeof(tel), "0355-%07d", rng_below(&st->r, 10000000));
	op = role == ROLE_CENTRE ? (x < 55 ? "public" : x < 80 ? "public_private" : "private")
				 : "public";
	if (role == ROLE_CENTRE) {
		st->places = strcmp(n->kind->kind, "childcare_centre") == 0
			? rng_range(&st->r, 6, 15) * 10 : rng_range(&st->r, 2, 6) * 10;
		floor = st->places * rng_range(&st->r, 10, 20);
		if (x % 10 == 0)
			st->status = "building";
		else if (x % 20 == 5)
			st->status = "planned";
		if (strcmp(st->status, "open") != 0)
			snprintf(opens, sizeof(opens), "2027-%02d-01", rng_range(&st->r, 1, 12));
	}
	switch (role) {
	case ROLE_CENTRE:
		hours = "周一至周五 7:30-18:00";
		desc = strcmp(n->kind->kind, "childcare_centre") == 0
			? "面向0-3岁婴幼儿，提供**全日托**、临时托和小时托，开展家庭科学育儿指导。"
			: "为有特殊需要的儿童提供托养、康复训练和家长支持。";
		break;
	case ROLE_STATION:
		hours = "每天 8:00-20:00";
		desc = "居民在群里发需求，志愿者接单：维修、助老食堂、叫车陪送、矛盾调解等。";
		break;
	case ROLE_COMMUNITY:
		hours = "周一至周五 8:30-17:30";
		desc = "社区健康讲座、老年人血压测量和邻里活动。";
		break;
	default:
		hours = "全天";
		desc = "与托育机构开展**医育融合**：健康课、膳食指导、发育监测。";
		break;
	}
	lat = (c->lat_e4 + rng_range(&st->r, -500, 500)) / 1e4;
	lon = (c->lon_e4 + rng_range(&st->r, -500, 500)) / 1e4;
	return run(s, S_NODE_DETAILS, "ssssssissIIsdd", owner(st), n->name_en, address, tel, hours,
		op, role == ROLE_CENTRE && x % 3 != 0, st->status, opens[0] ? opens : NULL,
		st->places, floor, desc, lat, lon);
}

/* A later edit of the node's own row: places, hours, phone or status, each time a new value. */
static int op_row_edit(gen_state *st, gen_stmts *s)
{
	int k = st->row_edits - 1, centre = st->node->kind->role == ROLE_CENTRE;
	char hours[64], tel[32];

	switch (k % 3) {
	case 1:
		if (centre) {
			st->places = (st->places ? st->places : 60) + rng_range(&st->r, 1, 5);
			return run(s, S_NODE_EDIT, "ssIss", owner(st), NULL, st->places, NULL,
				NULL);
		}
		snprintf(tel, sizeof(tel), "0355-%07d", rng_below(&st->r, 10000000));
		return run(s, S_NODE_EDIT, "ssIss", owner(st), NULL, 0, NULL, tel);
	case 2:
		snprintf(hours, sizeof(hours), "周一至周五 7:%02d-18:00", (k * 7) % 60);
		return run(s, S_NODE_EDIT, "ssIss", owner(st), NULL, 0, hours, NULL);
	default:
		st->status = strcmp(st->status, "open") == 0 ? "paused" : "open";
		return run(s, S_NODE_EDIT, "ssIss", owner(st), st->status, 0, NULL, NULL);
	}
}

enum { FOR_CENTRE = 1, FOR_STATION = 2, FOR_COMMUNITY = 4, FOR_HOSPITAL = 8 };

typedef struct {
	const char *kind, *zh, *en, *audience;
	int roles;
} gen_event;

static const gen_event events[] = {
	{ "parenting_class", "家庭科学育儿指导公开课", "Open class: parenting guidance", "parents",
		FOR_CENTRE },
	{ "parenting_class", "婴幼儿早期阅读亲子课", "Parent and child reading hour", "parents",
		FOR_CENTRE },
	{ "health_lecture", "婴幼儿膳食指导健康课", "Health class: feeding infants", "parents",
		FOR_CENTRE | FOR_HOSPITAL },
	{ "health_lecture", "老年人高血压健康讲座", "Health lecture: high blood pressure", "elderly",
		FOR_COMMUNITY | FOR_HOSPITAL },
	{ "health_lecture", "秋冬季传染病预防讲座", "Preventing winter infections", "all",
		FOR_COMMUNITY | FOR_HOSPITAL },
	{ "free_clinic", "社区爱心义诊", "Free community clinic", "all", FOR_HOSPITAL | FOR_STATION },
	{ "free_clinic", "儿童发育监测义诊", "Free child development check", "parents", FOR_HOSPITAL },
	{ "volunteer_activity", "“爱心妈妈”义剪活动", "Free haircuts by volunteer mothers", "all",
		FOR_STATION },
	{ "volunteer_activity", "家电义务维修", "Free appliance repairs", "all", FOR_STATION },
	{ "community_activity", "邻里文化节", "Neighbourhood festival", "all",
		FOR_COMMUNITY | FOR_STATION },
	{ "community_activity", "禁毒宣传进社区", "Drug-prevention outreach", "children",
		FOR_COMMUNITY | FOR_CENTRE },
	{ "community_activity", "重阳节敬老活动", "Double Ninth visit to the elderly", "elderly",
		FOR_COMMUNITY | FOR_STATION },
};

static int op_event(gen_state *st, gen_stmts *s)
{
	static const int role_bit[] = { FOR_CENTRE, FOR_STATION, FOR_COMMUNITY, FOR_HOSPITAL };
	int bit = role_bit[st->node->kind->role], pub = rng_below(&st->r, 100) < 85;
	int month = rng_range(&st->r, 1, 12), day = rng_range(&st->r, 1, 28);
	int hour = rng_range(&st->r, 8, 19);
	char id[HEARTH_CLOCK_HEX + 1], starts[32], ends[32], place[192], title[128];
	const gen_event *e;
	int rc;

	do
		e = &PICK(&st->r, events);
	while (!(e->roles & bit));
	snprintf(starts, sizeof(starts), "2027-%02d-%02dT%02d:00:00+08:00", month, day, hour);
	snprintf(ends, sizeof(ends), "2027-%02d-%02dT%02d:30:00+08:00", month, day, hour + 1);
	snprintf(place, sizeof(place), "%s活动室", st->node->name);
	if ((rc = new_id(s, id)) < 0)
		return rc;
	if (pub)
		return run(s, S_EVENT, "ssssssssssi", owner(st), id, e->kind, e->zh, e->en, starts,
			ends, place, e->audience, "免费参加，请提前报名。", 1);
	/* an internal event: never published, so its strings are private markers too */
	snprintf(title, sizeof(title), "内部培训：%s", e->zh);
	priv(st, 0, title);
	priv(st, 1, e->en);
	priv(st, 2, "仅限工作人员");
	return run(s, S_EVENT, "ssssssssssi", owner(st), id, e->kind, st->text[0], st->text[1],
		starts, ends, place, "all", st->text[2], 0);
}

/* ---- centres ---- */

static const char *const bands[] = { "0-1", "1-2", "2-3", "2-3", "1-2", "2-3" };
static const char *const band_names[] = { "乳儿班", "托小班", "托大班" };
static const char *const ordinals[] = { "一", "二", "三", "四", "五", "六" };

static int op_class(gen_state *st, gen_stmts *s)
{
	const char *band = bands[st->classes.n % 6];
	int b = band[0] - '0', same = 0, i, cap, rc;
	char name[64];

	for (i = 0; i < st->classes.n; i++)
		same += bands[i % 6][0] == band[0];
	snprintf(name, sizeof(name), "%s%s班", band_names[b], ordinals[same % 6]);
	cap = b == 0 ? rng_range(&st->r, 8, 15) : b == 1 ? rng_range(&st->r, 15, 25)
							 : rng_range(&st->r, 20, 30);
	if ((rc = add_key(s, &st->classes, cap)) < 0)
		return rc;
	return run(s, S_CLASS, "ssssi", owner(st), st->classes.v[st->classes.n - 1].id, name, band,
		cap);
}

static int op_class_capacity(gen_state *st, gen_stmts *s)
{
	gen_key *k = &st->classes.v[rng_below(&st->r, st->classes.n)];

	k->tag += rng_below(&st->r, 2) ? rng_range(&st->r, 1, 5) : -rng_range(&st->r, 1, 3);
	if (k->tag < 5)
		k->tag = 5 + rng_range(&st->r, 1, 3);
	if (k->tag > 200) /* the declared range is 0-200: a long walk upwards stays inside it */
		k->tag = 200 - rng_range(&st->r, 1, 3);
	return run(s, S_CLASS_CAP, "ssi", owner(st), k->id, k->tag);
}

typedef struct {
	const char *service, *unit, *hours, *notes;
	int lo, hi, step;
} gen_offer;

static const gen_offer offers[] = {
	{ "full_day", "month", "7:30-18:00", NULL, 1200, 2400, 100 },
	{ "temporary", "day", "8:00-17:00", NULL, 80, 150, 10 },
	{ "hourly", "hour", "9:00-16:00", NULL, 25, 45, 5 },
	{ "half_day", "month", "8:00-12:00", NULL, 700, 1300, 100 },
	{ "home_visit", "visit", NULL, "提前一周预约", 100, 200, 20 },
	{ "parenting_guidance", "visit", NULL, "免费", 0, 0, 1 },
};

static int op_offer(gen_state *st, gen_stmts *s)
{
	const gen_offer *o = &offers[st->offers.n % 6];
	int fee = o->lo + o->step * rng_below(&st->r, (o->hi - o->lo) / o->step + 1), rc;

	if ((rc = add_key(s, &st->offers, fee)) < 0)
		return rc;
	return run(s, S_OFFER, "sssisss", owner(st), st->offers.v[st->offers.n - 1].id, o->service,
		fee, o->unit, o->hours, o->notes);
}

static int op_offer_fee(gen_state *st, gen_stmts *s)
{
	gen_key *k = &st->offers.v[rng_below(&st->r, st->offers.n)];

	k->tag += 10 * rng_range(&st->r, 1, 10);
	return run(s, S_OFFER_FEE, "ssi", owner(st), k->id, k->tag);
}

static const char *const child_notes[] = { "对花生过敏", "午睡需要安抚", "早产儿，注意体重",
	"需要定期复查视力", "乳糖不耐受", "家长要求每日反馈饮食" };

static int op_child(gen_state *st, gen_stmts *s)
{
	char name[64], guardian[64], tel[16], born[16];
	const char *sex, *notes = NULL;
	int year, month, rc;

	/* one value after the other: argument order is unspecified in C, the stream's is not */
	person(st, name, sizeof(name), 1);
	person(st, guardian, sizeof(guardian), 0);
	phone(st, tel, sizeof(tel));
	year = rng_range(&st->r, 2023, 2025);
	month = rng_range(&st->r, 1, 12);
	snprintf(born, sizeof(born), "%d-%02d-%02d", year, month, rng_range(&st->r, 1, 28));
	sex = rng_below(&st->r, 2) ? "f" : "m";
	priv(st, 0, name);
	priv(st, 1, guardian);
	if (rng_below(&st->r, 5) == 0)
		notes = priv(st, 2, PICK(&st->r, child_notes));
	if ((rc = add_key(s, &st->children, 0)) < 0)
		return rc;
	return run(s, S_CHILD, "ssssssss", owner(st), st->children.v[st->children.n - 1].id,
		st->text[0], born, sex, st->text[1], tel, notes);
}

static int op_child_notes(gen_state *st, gen_stmts *s)
{
	gen_key *k = &st->children.v[rng_below(&st->r, st->children.n)];

	return run(s, S_CHILD_NOTES, "sss", owner(st), k->id,
		priv(st, 0, PICK(&st->r, child_notes)));
}

static int op_enrol(gen_state *st, gen_stmts *s)
{
	static const char *const modes[] = { "full_day", "full_day", "full_day", "full_day",
		"full_day", "full_day", "full_day", "full_day", "temporary", "hourly" };
	const char *child = st->children.v[st->enrolled++].id;
	const char *cls = st->classes.v[rng_below(&st->r, st->classes.n)].id;
	char starts[32];
	int rc;

	snprintf(starts, sizeof(starts), "2026-%02d-01", rng_range(&st->r, 1, 11));
	if ((rc = add_key(s, &st->enrolments, 0)) < 0)
		return rc;
	return run(s, S_ENROL, "ssssss", owner(st), st->enrolments.v[st->enrolments.n - 1].id,
		child, cls, PICK(&st->r, modes), starts);
}

static int op_enrol_end(gen_state *st, gen_stmts *s)
{
	char ends[32];
	int month = rng_range(&st->r, 11, 12);

	snprintf(ends, sizeof(ends), "2026-%02d-%02d", month, rng_range(&st->r, 1, 28));
	return run(s, S_ENROL_END, "sss", owner(st), st->enrolments.v[st->ended++].id, ends);
}

static int centre_op(gen_state *st, gen_stmts *s)
{
	int x;

	if (st->classes.n < st->want_classes)
		return op_class(st, s);
	if (st->offers.n < st->want_offers)
		return op_offer(st, s);
	if (st->enrolled < st->children.n)
		return op_enrol(st, s);
	x = rng_below(&st->r, 100);
	if (x < 15)
		return op_event(st, s);
	if (x < 23 && st->children.n)
		return op_child_notes(st, s);
	if (x < 31 && st->ended < st->enrolments.n)
		return op_enrol_end(st, s);
	if (x < 38)
		return op_class_capacity(st, s);
	if (x < 44)
		return op_offer_fee(st, s);
	return op_child(st, s);
}

/* ---- volunteer stations and community centres ---- */

typedef struct {
	const char *service, *team, *need, *feedback;
} gen_service;

static const gen_service services[] = {
	{ "mediation", "矛盾调解队", "邻里纠纷，需要调解", "双方达成一致" },
	{ "elderly_canteen", "助老食堂服务队", "老人行动不便，需要送餐", "已送餐上门" },
	{ "repair", "维修服务队", "家里总是跳闸", "更换了老化的空气开关" },
	{ "charity_clinic", "爱心义诊队", "血压偏高，想请医生看看", "已上门测量血压" },
	{ "ride_escort", "叫车陪送队", "去医院复查，需要叫车陪同", "已陪同就医" },
	{ "policy_outreach", "政策宣传队", "想了解托育补贴政策", "已上门讲解" },
	{ "property_watch", "物业监督队", "楼道灯坏了，物业没人管", "已督促物业修好" },
	{ "opinion_collection", "民情收集队", "建议小区增设休息座椅", "已转交社区" },
};
#define NSERVICES ((int)(sizeof(services) / sizeof(services[0])))

/* "2026-MM-DDTHH:MM:00+08:00", drawn in a fixed order */
static void timestamp(gen_state *st, char *out, size_t n)
{
	int month = rng_range(&st->r, 1, 11), day = rng_range(&st->r, 1, 28);
	int hour = rng_range(&st->r, 7, 21);

	snprintf(out, n, "2026-%02d-%02dT%02d:%02d:00+08:00", month, day, hour, rng_below(&st->r, 60));
}

static const char *const skills[] = { "电工", "水暖", "义诊", "理发", "调解", "驾驶", "烹饪",
	"法律咨询" };
static const char *const compounds[] = { "英华小区", "幸福里", "康馨园", "紫苑小区", "圣鑫园",
	"太行苑" };

static int op_team(gen_state *st, gen_stmts *s)
{
	int svc = (st->index + st->teams.n * 3) % NSERVICES, rc;

	if ((rc = add_key(s, &st->teams, svc)) < 0)
		return rc;
	return run(s, S_TEAM, "ssssi", owner(st), st->teams.v[st->teams.n - 1].id,
		services[svc].team, services[svc].service, rng_range(&st->r, 5, 40));
}

static int op_volunteer(gen_state *st, gen_stmts *s)
{
	char name[64], tel[16];
	const char *team, *skill;
	int party, rc;

	person(st, name, sizeof(name), 0);
	phone(st, tel, sizeof(tel));
	team = st->teams.v[rng_below(&st->r, st->teams.n)].id;
	skill = PICK(&st->r, skills);
	party = rng_below(&st->r, 3) == 0;
	if ((rc = add_key(s, &st->volunteers, 0)) < 0)
		return rc;
	return run(s, S_VOLUNTEER, "ssssssi", owner(st), st->volunteers.v[st->volunteers.n - 1].id,
		priv(st, 0, name), tel, team, skill, party);
}

static int op_request(gen_state *st, gen_stmts *s)
{
	int t = rng_below(&st->r, st->teams.n), building, rc;
	const gen_service *svc = &services[st->teams.v[t].tag];
	char name[64], tel[16], at[32], addr[96];
	const char *compound;

	person(st, name, sizeof(name), 0);
	phone(st, tel, sizeof(tel));
	timestamp(st, at, sizeof(at));
	compound = PICK(&st->r, compounds);
	building = rng_range(&st->r, 1, 30);
	snprintf(addr, sizeof(addr), "%s%d号楼%d单元", compound, building, rng_range(&st->r, 1, 6));
	priv(st, 0, name);
	priv(st, 1, addr);
	priv(st, 2, svc->need);
	if ((rc = add_key(s, &st->requests, t)) < 0)
		return rc;
	return run(s, S_REQUEST, "sssssssss", owner(st), st->requests.v[st->requests.n - 1].id,
		svc->service, at, st->text[0], tel, st->text[1], st->text[2], st->teams.v[t].id);
}

static int op_accept(gen_state *st, gen_stmts *s)
{
	return run(s, S_REQ_ACCEPT, "sss", owner(st), st->requests.v[st->accepted++].id,
		st->volunteers.v[rng_below(&st->r, st->volunteers.n)].id);
}

static int op_done(gen_state *st, gen_stmts *s)
{
	const gen_key *k = &st->requests.v[st->done++];
	char at[32];

	timestamp(st, at, sizeof(at));
	return run(s, S_REQ_DONE, "ssss", owner(st), k->id, at,
		priv(st, 0, services[st->teams.v[k->tag].tag].feedback));
}

static int station_op(gen_state *st, gen_stmts *s)
{
	int events_from = st->node->kind->role == ROLE_COMMUNITY ? 70 : 88, x;

	if (st->teams.n < st->want_teams)
		return op_team(st, s);
	if (st->volunteers.n < 2)
		return op_volunteer(st, s);
	x = rng_below(&st->r, 100);
	if (st->done < st->accepted && x < 25)
		return op_done(st, s);
	if (st->accepted < st->requests.n && x < 50)
		return op_accept(st, s);
	if (x < events_from - 10)
		return op_request(st, s);
	if (x < events_from)
		return op_volunteer(st, s);
	return op_event(st, s);
}

/* ---- hospitals ---- */

static const char *const findings[] = { "发育正常", "体重偏低，建议加强营养", "贫血筛查阳性，复查",
	"视力筛查正常", "龋齿一颗，建议就诊", "身高增长偏慢，三个月后复查" };

static int op_partnership(gen_state *st, gen_stmts *s)
{
	char id[HEARTH_CLOCK_HEX + 1], since[16];
	int rc;

	st->partnered = 1;
	snprintf(since, sizeof(since), "2025-%02d-01", rng_range(&st->r, 1, 12));
	if ((rc = new_id(s, id)) < 0)
		return rc;
	return run(s, S_PARTNER, "ssssss", owner(st), id, st->w->node[st->node->partner].id,
		"medical", since, "健康课、膳食指导、疫苗接种绿色通道、发育监测");
}

static int op_check(gen_state *st, gen_stmts *s)
{
	char id[HEARTH_CLOCK_HEX + 1], child[HEARTH_CLOCK_HEX + 1], on[16], due[16];
	int month = rng_range(&st->r, 1, 9), rc;
	double height, weight;

	snprintf(on, sizeof(on), "2026-%02d-%02d", month, rng_range(&st->r, 1, 28));
	snprintf(due, sizeof(due), "2026-%02d-%02d", month + 3, rng_range(&st->r, 1, 28));
	height = rng_range(&st->r, 600, 1000) / 10.0;
	weight = rng_range(&st->r, 60, 160) / 10.0;
	priv(st, 0, PICK(&st->r, findings));
	/* the hospital's own record of the child: the centre's ids are not its to know */
	if ((rc = new_id(s, id)) < 0 || (rc = new_id(s, child)) < 0)
		return rc;
	return run(s, S_CHECK, "sssssddss", owner(st), id, st->w->node[st->node->partner].id,
		child, on, height, weight, st->text[0], due);
}

static int hospital_op(gen_state *st, gen_stmts *s)
{
	if (st->node->partner < 0)
		return op_event(st, s);
	if (!st->partnered)
		return op_partnership(st, s);
	return rng_below(&st->r, 100) < 60 ? op_check(st, s) : op_event(st, s);
}

/* ---- one change ---- */

/* Change j edits the node's own row: spread evenly, that share of changes; else only the first. */
static int is_row_edit(const gen_world *w, int j)
{
	if (w->conflicts == 0)
		return j == 0;
	return (j + 1) * w->conflicts / 100 > j * w->conflicts / 100;
}

static int do_op(gen_state *st, gen_stmts *s, int j)
{
	if (is_row_edit(st->w, j))
		return st->row_edits++ == 0 ? op_details(st, s) : op_row_edit(st, s);
	switch (st->node->kind->role) {
	case ROLE_CENTRE:
		return centre_op(st, s);
	case ROLE_HOSPITAL:
		return hospital_op(st, s);
	default:
		return station_op(st, s);
	}
}

/* ---- recorded writes ---------------------------------------------------------------------- */

typedef struct {
	gen_state *st;
	gen_stmts *s;
	int from, to; /* per node: its changes [from, to); office-only: nodes [from, to) */
} gen_span;

static int body_changes(hearth_db *db, void *payload)
{
	gen_span *sp = payload;
	int j, rc = 0;

	for (j = sp->from; rc == 0 && j < sp->to; j++)
		rc = do_op(sp->st, sp->s, j);
	return rc;
}

static int register_node(gen_stmts *s, const gen_node *n)
{
	return run(s, S_NODE_REG, "ssss", n->id, n->kind->kind, n->name, counties[n->county].id);
}

/* Office-only: the office registers each node and writes all its changes. */
static int body_office_nodes(hearth_db *db, void *payload)
{
	gen_span *sp = payload;
	int i, j, rc = 0;

	for (i = sp->from; rc == 0 && i < sp->to; i++) {
		state_start(sp->st, i);
		rc = register_node(sp->s, &sp->st->w->node[i]);
		for (j = 0; rc == 0 && j < sp->st->w->changes; j++)
			rc = do_op(sp->st, sp->s, j);
	}
	return rc;
}

/* Per node: the office registers every node as it would (the same row the node records when it
 * is created, so no conflict by itself). */
static int body_register(hearth_db *db, void *payload)
{
	gen_span *sp = payload;
	int i, rc = 0;

	for (i = sp->from; rc == 0 && i < sp->to; i++)
		rc = register_node(sp->s, &sp->st->w->node[i]);
	return rc;
}

/* With --conflicts: the office's own edit of every node's row (after an inspection), which the
 * nodes' edits of the same columns then meet in the merge. */
static int body_office_edits(hearth_db *db, void *payload)
{
	gen_span *sp = payload;
	int i, rc = 0;

	for (i = sp->from; rc == 0 && i < sp->to; i++) {
		const gen_node *n = &sp->st->w->node[i];
		rc = run(sp->s, S_NODE_EDIT, "ssIss", n->id, "paused",
			n->kind->role == ROLE_CENTRE ? 30 : 0, "整改期间暂停开放", NULL);
	}
	return rc;
}

/* ---- no fsync while generating ------------------------------------------------------------ */

/*
 * Generated data is reproducible from its seed, so durability buys nothing while it is written,
 * and every fsync costs 5-80 ms on a virtual disk (a node's creation does eight). This VFS is
 * the default one with xSync a no-op; it is installed for this process only, by `gen`.
 */
static sqlite3_vfs nosync_vfs;
static sqlite3_vfs *real_vfs;
static sqlite3_io_methods nosync_io[4];
static const sqlite3_io_methods *real_io[4];
static int nosync_nio;

static int nosync_sync(sqlite3_file *f, int flags)
{
	return SQLITE_OK;
}

static int nosync_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
	int *out_flags)
{
	int rc = real_vfs->xOpen(real_vfs, name, f, flags, out_flags), i;

	if (rc != SQLITE_OK || !f->pMethods)
		return rc;
	/* the file stays the default VFS's own object; only its method table is swapped for a
	 * copy whose xSync does nothing */
	for (i = 0; i < nosync_nio && real_io[i] != f->pMethods; i++)
		;
	if (i == nosync_nio && i < 4) {
		real_io[i] = f->pMethods;
		nosync_io[i] = *f->pMethods;
		nosync_io[i].xSync = nosync_sync;
		nosync_nio++;
	}
	if (i < nosync_nio)
		f->pMethods = &nosync_io[i];
	return rc;
}

static int nosync_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	return real_vfs->xDelete(real_vfs, name, 0);
}

static int nosync_install(void)
{
	if (!(real_vfs = sqlite3_vfs_find(NULL)))
		return hearth_error_set(HEARTH_ERROR, "no SQLite VFS");
	nosync_vfs = *real_vfs;
	nosync_vfs.zName = "hearth-gen-nosync";
	nosync_vfs.pNext = NULL;
	nosync_vfs.xOpen = nosync_open;
	nosync_vfs.xDelete = nosync_delete;
	if (sqlite3_vfs_register(&nosync_vfs, 1) != SQLITE_OK)
		return hearth_error_set(HEARTH_ERROR, "cannot register the generator's VFS");
	return 0;
}

/* ---- the layouts -------------------------------------------------------------------------- */

static int path_join(char *out, size_t n, const char *root, const char *a, const char *b,
	const char *suffix)
{
	if (snprintf(out, n, "%s/%s/%s%s", root, a, b, suffix) >= (int)n)
		return hearth_error_set(HEARTH_EUSAGE, "path too long under '%s'", root);
	return 0;
}

static int days_of(int changes)
{
	int days = (changes + 4) / 5;

	return days > GEN_DAYS_MAX ? GEN_DAYS_MAX : days;
}

/* One node: its database, its changes in a few recorded writes, its bare repository and the
 * remote 'office'. */
static int make_node(hearth_db *office, gen_state *st, const char *root, int index)
{
	const gen_world *w = st->w;
	const gen_node *n = &w->node[index];
	char dir[4096 + 256], url[4096 + 256];
	gen_stmts s;
	hearth_db *db = NULL;
	hearth_buf code = HEARTH_BUF_INIT;
	int days = days_of(w->changes), d, rc;

	memset(&s, 0, sizeof(s));
	if ((rc = path_join(dir, sizeof(dir), root, "nodes", n->id, "")) < 0 ||
	    (rc = path_join(url, sizeof(url), root, "remotes", n->id, ".git")) < 0 ||
	    (rc = hearth_db_create(&db, dir, n->id, n->kind->kind, n->name,
		     counties[n->county].id)) < 0)
		goto done;
	if (w->sealed && ((rc = hearth_key_issue(office, n->id, 0, &code)) < 0 ||
			     (rc = hearth_key_import(db, code.ptr)) < 0))
		goto done;
	s.h = hearth_db_sqlite(db);
	state_start(st, index);
	for (d = 0; d < days; d++) {
		gen_span sp = { st, &s, d * w->changes / days, (d + 1) * w->changes / days };
		if ((rc = hearth_write_run(db, body_changes, &sp, NULL, NULL)) < 0)
			goto done;
	}
	if ((rc = hearth_repo_init_bare(url)) < 0)
		goto done;
	rc = hearth_remote_add(db, "office", url);
done:
	hearth_buf_dispose(&code);
	stmts_dispose(&s);
	hearth_db_free(db);
	return rc;
}

/* The office's remotes, one per node, in one transaction (not one commit per node). */
static int add_remotes(hearth_db *office, const gen_world *w, const char *root)
{
	char url[4096 + 256];
	int i, rc;

	if ((rc = hearth_db_begin(office)) < 0)
		return rc;
	for (i = 0; i < w->nodes; i++) {
		const char *id = w->node[i].id;
		if ((rc = path_join(url, sizeof(url), root, "remotes", id, ".git")) < 0 ||
		    (rc = hearth_remote_add(office, id, url)) < 0)
			break;
	}
	if (rc == 0)
		return hearth_db_commit(office);
	hearth_db_rollback(office);
	return rc;
}

/* Every node pushes, the office syncs once, every node pulls. */
static int sync_round(hearth_db *office, const gen_world *w, const char *root,
	hearth_sync_result *out)
{
	char dir[4096 + 256];
	hearth_sync_result r;
	hearth_db *db = NULL;
	int pass, i, rc = 0;

	memset(out, 0, sizeof(*out));
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < w->nodes; i++) {
			const char *id = w->node[i].id;
			if ((rc = path_join(dir, sizeof(dir), root, "nodes", id, "")) < 0 ||
			    (rc = hearth_db_open(&db, dir)) < 0)
				return rc;
			rc = pass == 0 ? hearth_push(db, NULL, &r) : hearth_pull(db, NULL, &r);
			hearth_db_free(db);
			if (rc < 0)
				return rc;
		}
		if (pass == 0) {
			if ((rc = hearth_sync(office, NULL, &r)) < 0)
				return rc;
			out->merged = r.merged;
			out->conflicts = r.conflicts;
		}
	}
	return 0;
}

static int gen_per_node(hearth_db *office, gen_state *st, const char *root,
	hearth_sync_result *synced)
{
	const gen_world *w = st->w;
	gen_stmts s;
	gen_span all = { st, &s, 0, w->nodes };
	int i, rc;

	memset(&s, 0, sizeof(s));
	s.h = hearth_db_sqlite(office);
	if ((rc = hearth_write_run(office, body_register, &all, "register the nodes", NULL)) < 0 ||
	    (w->conflicts && (rc = hearth_write_run(office, body_office_edits, &all,
				      "inspection: centres paused", NULL)) < 0))
		goto done;
	for (i = 0; i < w->nodes; i++)
		if ((rc = make_node(office, st, root, i)) < 0) {
			hearth_error_set(hearth_error_code(), "node '%s': %s", w->node[i].id,
				hearth_error_last());
			goto done;
		}
	if ((rc = add_remotes(office, w, root)) < 0)
		goto done;
	if (w->sync)
		rc = sync_round(office, w, root, synced);
done:
	stmts_dispose(&s);
	return rc;
}

static int gen_office_only(hearth_db *office, gen_state *st)
{
	const gen_world *w = st->w;
	gen_stmts s;
	int from, rc;

	memset(&s, 0, sizeof(s));
	s.h = hearth_db_sqlite(office);
	/* a large write touches every table's pages again and again: keep them in memory */
	rc = hearth_sql_exec(s.h, "PRAGMA cache_size = -1048576", "cannot size the cache");
	if (rc < 0)
		return rc;
	for (from = 0; rc == 0 && from < w->nodes; from += GEN_OFFICE_BATCH) {
		gen_span sp = { st, &s, from,
			from + GEN_OFFICE_BATCH < w->nodes ? from + GEN_OFFICE_BATCH : w->nodes };
		rc = hearth_write_run(office, body_office_nodes, &sp, "generated nodes", NULL);
	}
	stmts_dispose(&s);
	return rc;
}

/* ---- the command -------------------------------------------------------------------------- */

static int parse_count(const char *s, uint64_t max, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* "hearth-gen: <message> (usage: ...)" on stderr; EXIT_USAGE. */
static int usage(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

static int usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hearth-gen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (usage: %s)\n", GEN_USAGE);
	return EXIT_USAGE;
}

/* The library's last error on stderr; EXIT_FAIL. */
static int fail(void)
{
	fprintf(stderr, "hearth-gen: %s\n", hearth_error_last()[0] ? hearth_error_last() : "failed");
	return EXIT_FAIL;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *nodes = NULL, *changes = NULL, *seed = NULL, *conflicts = NULL;
	const char **valued[] = { &out, &nodes, &changes, &seed, &conflicts };
	static const char *const valued_names[] = { "--out", "--nodes", "--changes", "--seed",
		"--conflicts" };
	int office_only = 0, sync = 0, sealed = 0, i, k;
	gen_world w;
	gen_state st;
	hearth_sync_result synced;
	hearth_db *office = NULL;
	struct timespec t0;
	char root[4096], dir[4096 + 256];
	uint64_t v;
	int rc;

	for (i = 1; i < argc; i++) {
		for (k = 0; k < 5 && strcmp(argv[i], valued_names[k]) != 0; k++)
			;
		if (k < 5 && i + 1 < argc)
			*valued[k] = argv[++i];
		else if (k < 5)
			return usage("%s takes a value", argv[i]);
		else if (strcmp(argv[i], "--office-only") == 0)
			office_only = 1;
		else if (strcmp(argv[i], "--sync") == 0)
			sync = 1;
		else if (strcmp(argv[i], "--sealed") == 0)
			sealed = 1;
		else if (strncmp(argv[i], "--", 2) == 0)
			return usage("unknown option '%s'", argv[i]);
		else
			return usage("unexpected argument '%s'", argv[i]);
	}
	memset(&w, 0, sizeof(w));
	memset(&synced, 0, sizeof(synced));
	w.seed = 1;
	if (!out || !nodes || !changes)
		return usage("--out, --nodes and --changes are required");
	if (parse_count(nodes, GEN_LIMIT, &v) < 0 || v == 0)
		return usage("--nodes takes a number from 1 to %d", GEN_LIMIT);
	w.nodes = (int)v;
	if (parse_count(changes, GEN_LIMIT, &v) < 0)
		return usage("--changes takes a number from 0 to %d", GEN_LIMIT);
	w.changes = (int)v;
	if (seed && parse_count(seed, UINT64_MAX, &w.seed) < 0)
		return usage("--seed takes a non-negative integer");
	if (conflicts && parse_count(conflicts, 100, &v) < 0)
		return usage("--conflicts takes a percentage from 0 to 100");
	w.conflicts = conflicts ? (int)v : 0;
	w.office_only = office_only;
	w.sync = sync;
	w.sealed = sealed;
	if (office_only && (w.conflicts || sync || sealed))
		return usage("--conflicts, --sync and --sealed need nodes of their own: drop "
					"--office-only");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (mkdir(out, 0777) < 0) {
		fprintf(stderr, "hearth-gen: cannot create '%s': %s (choose a new folder)\n", out,
			strerror(errno));
		return EXIT_FAIL;
	}
	if (!realpath(out, root) || path_join(dir, sizeof(dir), root, "nodes", "office", "") < 0) {
		fprintf(stderr, "hearth-gen: cannot resolve '%s'\n", out);
		return EXIT_FAIL;
	}
	snprintf(dir, sizeof(dir), "%s/nodes", root);
	if (mkdir(dir, 0777) == 0 && !office_only) {
		snprintf(dir, sizeof(dir), "%s/remotes", root);
		mkdir(dir, 0777);
	}
	if (access(dir, F_OK) != 0) {
		fprintf(stderr, "hearth-gen: cannot create '%s': %s\n", dir, strerror(errno));
		return EXIT_FAIL;
	}
	hearth_time_override(GEN_EPOCH_MS);
	/* SQLite's allocation statistics cost a mutex per malloc; gen has no use for them */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (nosync_install() < 0 || hearth_sync_init() < 0)
		return fail();
	world_plan(&w);
	state_init(&st, &w);
	path_join(dir, sizeof(dir), root, "nodes", "office", "");
	rc = hearth_db_create(&office, dir, HEARTH_OFFICE, "office", "长治市卫生健康委员会",
		"changzhi");
	if (rc == 0)
		rc = office_only ? gen_office_only(office, &st)
				 : gen_per_node(office, &st, root, &synced);
	if (rc < 0) {
		rc = fail();
		goto done;
	}
	if (sync)
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir),
			"; synced once: %d merged, %d conflict%s logged", synced.merged,
			synced.conflicts, synced.conflicts == 1 ? "" : "s");
	if (office_only)
		printf("hearth-gen: %d nodes x %d changes (seed %" PRIu64 ") written by the office "
		       "into %s in %.1f s\n",
			w.nodes, w.changes, w.seed, dir, seconds_since(&t0));
	else
		printf("hearth-gen: %d nodes x %d changes (seed %" PRIu64 ", %d%% conflicting) in "
		       "%s/nodes, bare repositories in %s/remotes, office %s in %.1f s\n",
			w.nodes, w.changes, w.seed, w.conflicts, root, root, dir,
			seconds_since(&t0));
	rc = EXIT_OK;
done:
	hearth_db_free(office);
	hearth_sync_shutdown();
	state_dispose(&st);
	free(w.node);
	return rc;
}
