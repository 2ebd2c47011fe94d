/*
 * The app's pages on a real centre database made by the migrations, called as the server calls
 * them (app_pages_handle): forms made from the declarations, a refused value back on its form
 * with 422 and nothing written, a viewer's and a volunteer's posts refused, an enrolment that
 * takes one free place off the today page, the English pages.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sync/hearth_sync.h"

#include "app_int.h"
#include "core/i18n.h"
#include "fixture.h"
#include "tap.h"

static char tmp_root[1024];
static hearth_db *db;
static locale_t loc_zh, loc_en;

/* One request: `fields` is "name=value&..." (not encoded), as query (GET) or form (POST). */
static int call(app_resp *out, const char *method, const char *path, const char *fields,
	app_role role, const char *lang)
{
	app_field f[32];
	char buf[2048], *p, *save = NULL;
	int n = 0, rc;
	app_req r;
	locale_t old;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	hearth_buf_init(&out->body, 0);
	snprintf(buf, sizeof(buf), "%s", fields ? fields : "");
	for (p = strtok_r(buf, "&", &save); p && n < 32; p = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(p, '=');
		if (!eq)
			continue;
		*eq = '\0';
		f[n].name = p;
		f[n].value = eq + 1;
		n++;
	}
	r.db = db;
	r.method = method;
	r.path = path;
	if (strcmp(method, "POST") == 0) {
		r.form = f;
		r.nform = n;
	} else {
		r.query = f;
		r.nquery = n;
	}
	r.user = "tester";
	r.role = role;
	r.lang = lang;
	r.csrf = "token-abc";
	old = uselocale(strcmp(lang, "en") == 0 ? loc_en : loc_zh);
	rc = app_pages_handle(&r, out);
	uselocale(old);
	if (rc < 0)
		diag("%s %s: %s", method, path, hearth_error_last());
	return rc;
}

static void resp_dispose(app_resp *r)
{
	hearth_buf_dispose(&r->body);
	free(r->location);
}

static long long outbox(void)
{
	return fixture_sql_int(db, "SELECT count(*) FROM hearth_outbox");
}

static int has(const app_resp *r, const char *s)
{
	return strstr(r->body.ptr, s) != NULL;
}

static char class_id[64], child_id[64];

static void id_from(const app_resp *r, char *out, size_t n)
{
	const char *p = r->location ? strstr(r->location, "id=") : NULL;

	snprintf(out, n, "%s", p ? p + 3 : "");
}

static void test_forms(void)
{
	app_resp r;
	int rc;

	rc = call(&r, "GET", "/t/care_class/new", NULL, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 200, "the add form of a class is a page");
	ok(has(&r, "<label for=\"f-capacity\">容量"), "capacity has its Chinese label, bound");
	ok(has(&r, "id=\"f-capacity\" name=\"capacity\" type=\"text\" inputmode=\"numeric\""),
		"an integer takes a numeric keyboard");
	ok(has(&r, "aria-describedby=\"h-capacity\"") && has(&r, "id=\"h-capacity\""),
		"the hint describes its field");
	ok(has(&r, "<select id=\"f-age_band\"") && has(&r, "name=\"csrf\" value=\"token-abc\""),
		"a choice is a select; the form carries the CSRF token");
	ok(!has(&r, "name=\"owner\"") && !has(&r, "name=\"id\""), "owner and id are not typed");
	ok(has(&r, "<html lang=\"zh-CN\"") && has(&r, "id=\"sync-state\""),
		"Chinese by default, with the sync banner");
	if (!ok(has(&r, "从未同步 · 1 条更改待发送"), "the banner in Chinese: never synced, 1 waiting (the node row)"))
		diag("%.600s", r.body.ptr);
	resp_dispose(&r);

	rc = call(&r, "GET", "/t/event/new", NULL, APP_ROLE_STAFF, "en");
	ok(rc == 1 && has(&r, "name=\"starts_at\" type=\"datetime-local\"") &&
		   has(&r, "<html lang=\"en\"") && has(&r, "<label for=\"f-title\">title"),
		"a timestamp takes a datetime-local input; English labels in English");
	resp_dispose(&r);
	rc = call(&r, "GET", "/t/child/new", NULL, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && has(&r, "name=\"guardian_phone\" type=\"tel\"") &&
		   has(&r, "name=\"birth_date\" type=\"date\""),
		"a phone takes type=tel, a date type=date");
	resp_dispose(&r);
}

static void test_refused(void)
{
	long long before = outbox(), rows = fixture_sql_int(db, "SELECT count(*) FROM care_class");
	app_resp r;
	int rc;

	rc = call(&r, "POST", "/t/care_class/new", "csrf=token-abc&name=托大一班&age_band=2-3&"
						 "capacity=二十",
		APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 422, "a capacity of 二十 is refused with 422 (%d)", r.status);
	ok(has(&r, "id=\"f-capacity\" name=\"capacity\" type=\"text\" inputmode=\"numeric\" "
		   "aria-describedby=\"h-capacity e-capacity\" aria-invalid=\"true\""),
		"the field is marked and described by its reason");
	ok(has(&r, "id=\"e-capacity\"") && has(&r, "value=\"二十\"") && has(&r, "value=\"托大一班\""),
		"the reason is beside it and what was typed stays");
	ok(has(&r, "<span class=\"error\" id=\"e-capacity\">应为 0–200 的整数"),
		"the reason in the request's language");
	ok(outbox() == before && fixture_sql_int(db, "SELECT count(*) FROM care_class") == rows,
		"nothing written");
	resp_dispose(&r);

	rc = call(&r, "POST", "/t/care_class/new", "name=托大一班&age_band=2-3&capacity=",
		APP_ROLE_STAFF, "en");
	ok(rc == 1 && r.status == 422 && has(&r, "id=\"e-capacity\"") &&
		   has(&r, "<html lang=\"en\""),
		"an empty required value is refused in English too");
	ok(outbox() == before, "nothing written");
	resp_dispose(&r);
}

static void test_write_and_enrol(void)
{
	long long before = outbox();
	char path[256], fields[512];
	app_resp r;
	int rc;

	rc = call(&r, "POST", "/t/care_class/new", "name=托大一班&age_band=2-3&capacity=20",
		APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303 && r.location &&
		   strncmp(r.location, "/t/care_class/view?id=", 22) == 0,
		"a class added: 303 to its page (%s)", r.location ? r.location : "");
	id_from(&r, class_id, sizeof(class_id));
	ok(outbox() == before + 1, "one recorded write in the outbox");
	resp_dispose(&r);

	rc = call(&r, "POST", "/t/child/new", "name=王小明&sex=女&birth_date=2024/03/18&"
					    "guardian_phone=+86 13800138000",
		APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303, "a child registered (%d)", r.status);
	id_from(&r, child_id, sizeof(child_id));
	resp_dispose(&r);
	{
		char q[256], got[64];
		snprintf(q, sizeof(q), "SELECT sex || ' ' || birth_date || ' ' || guardian_phone "
				       "FROM child WHERE id = '%s'", child_id);
		is_str(fixture_sql_text(db, q, got, sizeof(got)), "f 2024-03-18 13800138000",
			"values stored as core normalises them (label, date, phone)");
	}

	rc = call(&r, "GET", "/", NULL, APP_ROLE_STAFF, "en");
	ok(rc == 1 && has(&r, "<strong class=\"free\">free 20</strong>"),
		"the today page shows 20 free places");
	resp_dispose(&r);

	/* step 1: the class's "enrol" link; step 2: the child and the date */
	snprintf(path, sizeof(path), "class_id=%s", class_id);
	rc = call(&r, "GET", "/t/enrolment/new", path, APP_ROLE_STAFF, "zh");
	snprintf(fields, sizeof(fields), "<option value=\"%s\">王小明</option>", child_id);
	ok(rc == 1 && has(&r, fields), "the child is chosen by name, not by id");
	snprintf(fields, sizeof(fields), "<option value=\"%s\" selected>托大一班</option>", class_id);
	ok(has(&r, fields), "the class of step 1 is chosen already");
	resp_dispose(&r);
	snprintf(fields, sizeof(fields), "class_id=%s&child_id=%s&mode=full_day&starts_on=2026-09-01",
		class_id, child_id);
	rc = call(&r, "POST", "/t/enrolment/new", fields, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303, "enrolled (%d)", r.status);
	resp_dispose(&r);
	rc = call(&r, "GET", "/", NULL, APP_ROLE_STAFF, "en");
	ok(rc == 1 && has(&r, "<strong class=\"free\">free 19</strong>"),
		"the enrolment drops the free places by one");
	ok(r.body.size < 50 * 1024, "the today page is small (%zu bytes)", r.body.size);
	resp_dispose(&r);

	/* one tap: a place more */
	before = outbox();
	snprintf(fields, sizeof(fields), "id=%s&capacity=21&next=/", class_id);
	rc = call(&r, "POST", "/t/care_class/edit", fields, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303 && r.location && strcmp(r.location, "/") == 0 &&
		   outbox() == before + 1,
		"one tap changes the places and goes back to today");
	resp_dispose(&r);
	rc = call(&r, "GET", "/", NULL, APP_ROLE_STAFF, "en");
	ok(has(&r, "<strong class=\"free\">free 20</strong>"), "and the free places follow");
	resp_dispose(&r);

	/* an event at a local time is stored with China's offset */
	rc = call(&r, "POST", "/t/event/new", "kind=parenting_class&title=亲子课&"
					    "starts_at=2026-12-10T09:00&public=1",
		APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303, "an event published (%d)", r.status);
	resp_dispose(&r);
	{
		char got[64];
		is_str(fixture_sql_text(db, "SELECT starts_at FROM event WHERE title = '亲子课'", got,
			       sizeof(got)),
			"2026-12-10T09:00:00+08:00", "datetime-local stored as the typed schema wants");
	}

	snprintf(path, sizeof(path), "id=%s", child_id);
	rc = call(&r, "GET", "/t/child/view", path, APP_ROLE_VIEWER, "zh");
	ok(rc == 1 && r.status == 200 && has(&r, "王小明") && has(&r, ">女<") &&
		   !has(&r, "/t/child/edit"),
		"a viewer reads a child by its labels and gets no edit button");
	resp_dispose(&r);
}

static void test_roles(void)
{
	long long before = outbox();
	char fields[256], q[256], got[32];
	app_resp r;
	int rc;

	rc = call(&r, "POST", "/t/child/new", "name=不该写", APP_ROLE_VIEWER, "zh");
	ok(rc == 1 && r.status == 403, "a viewer's post is refused (%d)", r.status);
	resp_dispose(&r);
	snprintf(fields, sizeof(fields), "id=%s&capacity=5", class_id);
	rc = call(&r, "POST", "/t/care_class/edit", fields, APP_ROLE_VOLUNTEER, "zh");
	ok(rc == 1 && r.status == 403, "a volunteer's post to a column not audience-writable is "
				      "refused (%d)", r.status);
	resp_dispose(&r);
	rc = call(&r, "POST", "/t/child/new", "name=也不该写", APP_ROLE_VOLUNTEER, "en");
	ok(rc == 1 && r.status == 403, "a volunteer adds nothing");
	resp_dispose(&r);
	snprintf(q, sizeof(q), "SELECT capacity FROM care_class WHERE id = '%s'", class_id);
	ok(outbox() == before && strcmp(fixture_sql_text(db, q, got, sizeof(got)), "21") == 0 &&
		   fixture_sql_int(db, "SELECT count(*) FROM child WHERE name LIKE '%该写'") == 0,
		"nothing written");
	rc = call(&r, "GET", "/t/child/new", NULL, APP_ROLE_VIEWER, "zh");
	ok(rc == 1 && r.status == 403, "a viewer gets no add form");
	resp_dispose(&r);
}

static void test_routes(void)
{
	app_resp r;
	long long before;
	char fields[128];
	int rc;

	ok(call(&r, "GET", "/t/nosuch", NULL, APP_ROLE_STAFF, "zh") == 0, "an unknown table: 404");
	resp_dispose(&r);
	ok(call(&r, "GET", "/t/service_request", NULL, APP_ROLE_STAFF, "zh") == 0,
		"a table a centre does not keep: 404");
	resp_dispose(&r);
	ok(call(&r, "GET", "/conflicts", NULL, APP_ROLE_STAFF, "zh") == 0,
		"the office's pages are not a centre's");
	resp_dispose(&r);
	rc = call(&r, "GET", "/t/child/view", "id=nope", APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 404, "an unknown record: 404 page");
	resp_dispose(&r);
	rc = call(&r, "GET", "/app.css", NULL, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.content_type && strncmp(r.content_type, "text/css", 8) == 0,
		"the stylesheet");
	resp_dispose(&r);
	rc = call(&r, "GET", "/t/child", NULL, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && has(&r, "王小明") && !has(&r, "13800138000"), "the list of children");
	resp_dispose(&r);

	/* a class with a child enrolled cannot go; an empty one can */
	before = outbox();
	snprintf(fields, sizeof(fields), "id=%s", class_id);
	rc = call(&r, "POST", "/t/care_class/delete", fields, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 422 && outbox() == before,
		"a class a child is enrolled in is not deleted (%d)", r.status);
	resp_dispose(&r);
	rc = call(&r, "POST", "/t/care_class/new", "name=临时班&age_band=1-2&capacity=3",
		APP_ROLE_STAFF, "zh");
	id_from(&r, fields + 3, sizeof(fields) - 3);
	resp_dispose(&r);
	memcpy(fields, "id=", 3);
	rc = call(&r, "POST", "/t/care_class/delete", fields, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303 && r.location && strcmp(r.location, "/t/care_class") == 0 &&
		   fixture_sql_int(db, "SELECT count(*) FROM care_class WHERE name = '临时班'") == 0,
		"an empty class deleted: 303 to the list");
	resp_dispose(&r);
}

/* A team node: the station's request assigned to it, as a pull applies it (outside the write
 * path, so not in this node's outbox). A volunteer accepts it and marks it done; the columns
 * that are not audience-writable stay the station's. */
static void test_team(void)
{
	hearth_db *station_db = db;
	char dir[1100];
	long long before;
	app_resp r;
	int rc;

	snprintf(dir, sizeof(dir), "%s/team1", tmp_root);
	if (!ok(hearth_db_create(&db, dir, "team1", "volunteer_team", "Team", NULL) == 0,
		    "a team node (%s)", hearth_error_last()))
		return;
	ok(hearth_sql_exec(hearth_db_sqlite(db),
		   "INSERT INTO hearth_meta (key, value) VALUES ('applying_down', 'test');"
		   "INSERT INTO service_request (owner, id, service_type_id, requested_at, "
		   "resident_name, status, assignee) VALUES ('station1', 'req1', 'full_day', "
		   "'2026-12-01T09:00:00+08:00', '李奶奶', 'new', 'team1');"
		   "DELETE FROM hearth_meta WHERE key = 'applying_down'",
		   "fixture") == 0, "the station's request, as received");
	before = outbox();
	rc = call(&r, "GET", "/", NULL, APP_ROLE_VOLUNTEER, "zh");
	ok(rc == 1 && has(&r, "/t/service_request/view?id=req1") && has(&r, "value=\"accepted\"") &&
		   !has(&r, "李奶奶"),
		"the team's today page lists the request with its accept button, no name");
	resp_dispose(&r);
	rc = call(&r, "POST", "/t/service_request/edit", "id=req1&details=改了", APP_ROLE_VOLUNTEER,
		"zh");
	ok(rc == 1 && r.status == 403 && outbox() == before,
		"a volunteer may not change a column that is not audience-writable (%d)", r.status);
	resp_dispose(&r);
	rc = call(&r, "POST", "/t/service_request/edit", "id=req1&status=accepted&next=/",
		APP_ROLE_VOLUNTEER, "zh");
	ok(rc == 1 && r.status == 303 && outbox() == before + 1, "accepted in one tap (%d)",
		r.status);
	resp_dispose(&r);
	rc = call(&r, "GET", "/t/service_request/view", "id=req1", APP_ROLE_VOLUNTEER, "zh");
	ok(rc == 1 && has(&r, "name=\"feedback\"") && has(&r, "value=\"done\""),
		"then the done form with the feedback");
	resp_dispose(&r);
	rc = call(&r, "POST", "/t/service_request/edit", "id=req1&status=done&feedback=很满意",
		APP_ROLE_VOLUNTEER, "zh");
	ok(rc == 1 && r.status == 303 && outbox() == before + 2 &&
		   fixture_sql_int(db, "SELECT count(*) FROM service_request WHERE status = 'done' "
				       "AND feedback = '很满意'") == 1,
		"done with feedback: the third tap");
	resp_dispose(&r);
	rc = call(&r, "POST", "/t/service_request/edit", "id=req1&feedback=差", APP_ROLE_VIEWER,
		"zh");
	ok(rc == 1 && r.status == 403 && outbox() == before + 2, "a viewer changes nothing");
	resp_dispose(&r);
	hearth_db_free(db);
	db = station_db;
}

/* A hospital's task page: the children its partner centres named for it (as received: the
 * withheld columns NULL), listed by name and centre; a check recorded for one chosen from the
 * list is one recorded write with the centre and the child filled in. */
static void test_hospital(void)
{
	hearth_db *centre_db = db;
	char dir[1100];
	long long before;
	app_resp r;
	int rc;

	snprintf(dir, sizeof(dir), "%s/fuyou", tmp_root);
	if (!ok(hearth_db_create(&db, dir, "fuyou", "hospital", "Fuyou", NULL) == 0,
		    "a hospital node (%s)", hearth_error_last()))
		return;
	ok(hearth_sql_exec(hearth_db_sqlite(db),
		   "INSERT INTO hearth_meta (key, value) VALUES ('applying_down', 'test');"
		   "INSERT INTO child (owner, id, name, birth_date, sex, health_partner) VALUES "
		   "('lucai', 'c0ffee01', '王小明', '2024-05-01', 'm', 'fuyou'), "
		   "('xiaoxiangwan', 'c0ffee01', '张小花', '2024-02-11', 'f', 'fuyou');"
		   "INSERT INTO partnership (owner, id, partner_id, kind) VALUES "
		   "('lucai', 'p1', 'fuyou', 'medical');"
		   "DELETE FROM hearth_meta WHERE key = 'applying_down'",
		   "fixture") == 0, "two centres' children, as received");
	rc = call(&r, "GET", "/", NULL, APP_ROLE_STAFF, "en");
	ok(rc == 1 && has(&r, "href=\"/checks\"") &&
		   has(&r, "2 children named for this hospital"),
		"the hospital's start page links its task page");
	resp_dispose(&r);
	rc = call(&r, "GET", "/checks", NULL, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 200 && has(&r, "王小明") && has(&r, "张小花") &&
		   has(&r, "value=\"lucai/c0ffee01\"") &&
		   has(&r, "name=\"checked_on\" type=\"date\" aria-describedby=\"h-checked_on\" "
			   "value=\"20") &&
		   !has(&r, ">c0ffee01<"),
		"the task page lists both children by name, chosen from a select, never by id");
	resp_dispose(&r);
	before = outbox();
	rc = call(&r, "POST", "/checks", "child=lucai/nosuch&checked_on=2026-12-01",
		APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 422 && outbox() == before && has(&r, "aria-invalid"),
		"a child not named for this hospital is refused, nothing written (%d)", r.status);
	resp_dispose(&r);
	rc = call(&r, "POST", "/checks", "child=lucai/c0ffee01&checked_on=2026-12-01&height_cm=500",
		APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 422 && outbox() == before && has(&r, "e-height_cm") &&
		   has(&r, "value=\"500\"") && has(&r, "lucai/c0ffee01\" selected"),
		"a refused height comes back on the form with the child still chosen (%d)", r.status);
	resp_dispose(&r);
	rc = call(&r, "POST", "/checks", "child=lucai/c0ffee01&checked_on=2026-12-01&"
					  "height_cm=88.5&weight_kg=12.4&findings=发育正常&next_due=2027-06-01",
		APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303 && outbox() == before + 1 &&
		   fixture_sql_int(db, "SELECT count(*) FROM health_check WHERE owner = 'fuyou' AND "
				       "centre_id = 'lucai' AND child_id = 'c0ffee01' AND "
				       "checked_on = '2026-12-01' AND height_cm = 88.5 AND "
				       "weight_kg = 12.4 AND findings = '发育正常' AND "
				       "next_due = '2027-06-01'") == 1 &&
		   fixture_sql_int(db, "SELECT count(*) FROM health_check") == 1,
		"the check is one recorded write naming the centre and the child (%d)", r.status);
	resp_dispose(&r);
	rc = call(&r, "GET", "/checks", "done=1", APP_ROLE_STAFF, "en");
	ok(rc == 1 && has(&r, "2026-12-01") && has(&r, "The check was recorded"),
		"the list shows the last check");
	resp_dispose(&r);
	rc = call(&r, "POST", "/checks", "child=lucai/c0ffee01&checked_on=2026-12-02",
		APP_ROLE_VIEWER, "zh");
	ok(rc == 1 && r.status == 403 && outbox() == before + 1, "a viewer records nothing");
	resp_dispose(&r);
	rc = call(&r, "GET", "/t/health_check/new", NULL, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && has(&r, "<option value=\"lucai\""),
		"the generic form offers the partner centres for centre_id");
	resp_dispose(&r);
	hearth_db_free(db);
	db = centre_db;
	rc = call(&r, "GET", "/checks", NULL, APP_ROLE_STAFF, "zh");
	ok(rc == 0, "a centre has no hospital task page");
	resp_dispose(&r);
}

/* A centre names its partner hospital on the child's form, from its medical partners. */
static void test_health_partner(void)
{
	app_resp r;
	int rc;

	ok(fixture_sql_int(db, "SELECT count(*) FROM partnership") == 0, "no partner yet");
	rc = call(&r, "POST", "/t/partnership/new", "partner_id=fuyou&kind=medical", APP_ROLE_STAFF,
		"zh");
	ok(rc == 1 && r.status == 303, "a medical partnership with fuyou (%d)", r.status);
	resp_dispose(&r);
	rc = call(&r, "GET", "/t/child/new", NULL, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && has(&r, "name=\"health_partner\"") && has(&r, "<option value=\"fuyou\""),
		"the child's form offers the partner hospital");
	resp_dispose(&r);
	rc = call(&r, "POST", "/t/child/new", "name=赵小雨&health_partner=other", APP_ROLE_STAFF,
		"zh");
	ok(rc == 1 && r.status == 422 &&
		   fixture_sql_int(db, "SELECT count(*) FROM child WHERE name = '赵小雨'") == 0,
		"a node that is no medical partner is refused (%d)", r.status);
	resp_dispose(&r);
	rc = call(&r, "POST", "/t/child/new", "name=赵小雨&health_partner=fuyou", APP_ROLE_STAFF,
		"zh");
	ok(rc == 1 && r.status == 303 &&
		   fixture_sql_int(db, "SELECT count(*) FROM child WHERE name = '赵小雨' AND "
				       "health_partner = 'fuyou'") == 1,
		"the centre names its partner hospital for the child (%d)", r.status);
	resp_dispose(&r);
}

/* The cutoff the preview page offers to confirm (the hidden field "cutoff"). */
static void form_cutoff(const app_resp *r, char *out, size_t n)
{
	const char *p = strstr(r->body.ptr, "name=\"cutoff\" value=\"");

	snprintf(out, n, "%.10s", p ? p + strlen("name=\"cutoff\" value=\"") : "");
}

/* The office: the site built into its folder and seen through the app; the purge previewed by
 * name and count, then confirmed, removing exactly what the preview listed. */
static void test_office(void)
{
	hearth_db *centre_db = db;
	hearth_purge_plan *plan = NULL;
	char dir[1100], path[1200], fields[256], cutoff[16], q[512];
	long long before, kids;
	struct stat st;
	app_resp r;
	int rc, i, gone;

	snprintf(dir, sizeof(dir), "%s/office", tmp_root);
	if (!ok(hearth_db_create(&db, dir, "office", "office", "Office", NULL) == 0,
		    "an office node (%s)", hearth_error_last()))
		return;
	ok(hearth_sql_exec(hearth_db_sqlite(db),
		   "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai', 'cls1', '小一班', '1-2', 10);"
		   "INSERT INTO child (owner, id, name) VALUES ('lucai', 'kid1', '王小明'),"
		   " ('lucai', 'kid2', '李小红');"
		   "INSERT INTO enrolment (owner, id, child_id, class_id, starts_on, ends_on) VALUES"
		   " ('lucai', 'e1', 'kid1', 'cls1', '2018-09-01', '2019-06-30'),"
		   " ('lucai', 'e2', 'kid2', 'cls1', '2024-09-01', NULL);",
		   "fixture") == 0,
		"the office holds a centre's children, one left in 2019");

	/* the site */
	rc = call(&r, "POST", "/publish", "csrf=token-abc", APP_ROLE_VIEWER, "zh");
	snprintf(path, sizeof(path), "%s/site/index.html", dir);
	ok(rc == 1 && r.status == 403 && stat(path, &st) != 0, "a viewer builds no site");
	resp_dispose(&r);
	rc = call(&r, "POST", "/publish", "csrf=token-abc", APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303 && stat(path, &st) == 0,
		"the clerk builds the site into the office's folder");
	resp_dispose(&r);
	rc = call(&r, "GET", "/publish", "done=1", APP_ROLE_STAFF, "zh");
	if (!ok(rc == 1 && has(&r, "id=\"outcome\"") && has(&r, "站点已生成") &&
		    has(&r, "href=\"/site/index.html\""),
		    "the page says what was built in one line and links the preview"))
		diag("%.2000s", r.body.ptr);
	resp_dispose(&r);
	rc = call(&r, "GET", "/site/index.html", NULL, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 200 && r.content_type &&
		   strncmp(r.content_type, "text/html", 9) == 0 && has(&r, "<html"),
		"the app serves the built site");
	resp_dispose(&r);
	ok(call(&r, "GET", "/site/../office.db", NULL, APP_ROLE_STAFF, "zh") == 0 &&
		   call(&r, "GET", "/site/.hearth-manifest", NULL, APP_ROLE_STAFF, "zh") == 0,
		"nothing outside the site, no hidden file: 404");
	resp_dispose(&r);

	/* the purge */
	ok(hearth_purge_preview(db, "3y", &plan) == 0 && plan->n == 2 &&
		   plan->info.children == 1 && plan->info.enrolments == 1,
		"the library's preview: one child and one enrolment");
	rc = call(&r, "GET", "/purge", "older_than=3y", APP_ROLE_STAFF, "zh");
	if (!ok(rc == 1 && r.status == 200 && has(&r, "王小明") && !has(&r, "李小红") &&
		    has(&r, "1 个入托记录") && has(&r, "1 名儿童"),
		    "the preview names the child and counts what would go, in Chinese"))
		diag("%.3000s", r.body.ptr);
	ok(has(&r, "name=\"older_than\" value=\"3y\"><input type=\"hidden\" name=\"cutoff\""),
		"the confirm form's hidden fields follow each other, no stray text between them");
	form_cutoff(&r, cutoff, sizeof(cutoff));
	resp_dispose(&r);

	before = outbox();
	kids = fixture_sql_int(db, "SELECT count(*) FROM child");
	rc = call(&r, "GET", "/purge", "older_than=3x", APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 422 && has(&r, "aria-invalid=\"true\"") && !has(&r, "王小明"),
		"a bad period: 422, the field marked");
	resp_dispose(&r);
	rc = call(&r, "POST", "/purge", "csrf=token-abc&older_than=3x&cutoff=2020-01-01",
		APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 422 && has(&r, "aria-invalid=\"true\"") && outbox() == before,
		"a bad period posted: 422, nothing written");
	resp_dispose(&r);
	rc = call(&r, "POST", "/purge", "csrf=token-abc&older_than=3y&cutoff=1999-01-01",
		APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 422 && outbox() == before &&
		   fixture_sql_int(db, "SELECT count(*) FROM child") == kids,
		"a confirm of another day's preview: 422, nothing removed");
	resp_dispose(&r);
	snprintf(fields, sizeof(fields), "csrf=token-abc&older_than=3y&cutoff=%s", cutoff);
	rc = call(&r, "POST", "/purge", fields, APP_ROLE_VIEWER, "zh");
	ok(rc == 1 && r.status == 403 && outbox() == before, "a viewer purges nothing");
	resp_dispose(&r);
	rc = call(&r, "POST", "/purge", fields, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303 && outbox() == before + 1, "the confirm: one recorded write");
	resp_dispose(&r);
	for (i = 0, gone = 0; plan && i < plan->n; i++) {
		snprintf(q, sizeof(q), "SELECT count(*) FROM \"%s\" WHERE owner = '%s' AND id = '%s'",
			plan->items[i].table, plan->items[i].owner, plan->items[i].id);
		gone += fixture_sql_int(db, q) == 0;
	}
	ok(plan && gone == plan->n && fixture_sql_int(db, "SELECT count(*) FROM child") == kids - 1 &&
		   fixture_sql_int(db, "SELECT count(*) FROM enrolment") == 1,
		"exactly what the preview listed is gone, nothing else");
	hearth_purge_plan_free(plan);
	rc = call(&r, "GET", "/purge", "done=1", APP_ROLE_STAFF, "zh");
	ok(rc == 1 && has(&r, "id=\"outcome\"") && has(&r, "没有可清除的记录"),
		"the outcome in one line; nothing is left to purge");
	resp_dispose(&r);
	rc = call(&r, "GET", "/purge", NULL, APP_ROLE_STAFF, "zh");
	resp_dispose(&r);
	hearth_db_free(db);
	db = centre_db;
	ok(call(&r, "GET", "/publish", NULL, APP_ROLE_STAFF, "zh") == 0 &&
		   call(&r, "GET", "/purge", NULL, APP_ROLE_STAFF, "zh") == 0,
		"a centre has no publishing or purge pages");
	resp_dispose(&r);
}

/* A stick: found among the mounted folders, synced with; the commits are on the stick. */
static void test_stick(void)
{
	char media[1100], repo[1200], notrepo[1200], fields[1400], cmd[1400], line[64];
	long long before = outbox();
	app_resp r;
	FILE *p;
	int rc;

	snprintf(media, sizeof(media), "%s/media", tmp_root);
	snprintf(repo, sizeof(repo), "%s/usb/lucai.git", media);
	snprintf(notrepo, sizeof(notrepo), "%s/usb", media);
	setenv("HEARTH_STICK_ROOTS", media, 1);
	rc = call(&r, "GET", "/stick", NULL, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && has(&r, "id=\"no-stick\""), "no stick: the page says so");
	resp_dispose(&r);
	rc = hearth_sync_init() < 0 ? -1 : hearth_repo_init_bare(repo);
	hearth_sync_shutdown();
	if (!ok(rc == 0, "a stick with an empty repository"))
		return;
	rc = call(&r, "GET", "/stick", NULL, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && has(&r, repo) && has(&r, "type=\"radio\" name=\"stick\""),
		"the stick's repository is in the list");
	resp_dispose(&r);
	rc = call(&r, "POST", "/stick", "csrf=token-abc&path=usb/lucai.git", APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 422 && has(&r, "aria-invalid=\"true\""),
		"a relative path: 422, the field marked");
	resp_dispose(&r);
	snprintf(fields, sizeof(fields), "csrf=token-abc&path=%s", notrepo);
	rc = call(&r, "POST", "/stick", fields, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 422 &&
		   fixture_sql_int(db, "SELECT count(*) FROM hearth_remote") == 0,
		"a folder without a repository: 422, no remote added");
	resp_dispose(&r);
	snprintf(fields, sizeof(fields), "csrf=token-abc&stick=%s", repo);
	rc = call(&r, "POST", "/stick", fields, APP_ROLE_VIEWER, "zh");
	ok(rc == 1 && r.status == 403, "a viewer does not sync");
	resp_dispose(&r);
	rc = call(&r, "POST", "/stick", fields, APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303 && r.location && strcmp(r.location, "/stick?synced=1") == 0,
		"the chosen stick is synced");
	resp_dispose(&r);
	rc = call(&r, "GET", "/stick", "synced=1", APP_ROLE_STAFF, "zh");
	if (!ok(rc == 1 && has(&r, "同步完成"), "the sync's one line, as the sync button's"))
		diag("%.1500s", r.body.ptr);
	resp_dispose(&r);
	snprintf(cmd, sizeof(cmd), "git --git-dir='%s' rev-list --count up 2>/dev/null", repo);
	line[0] = '\0';
	if ((p = popen(cmd, "r"))) {
		if (!fgets(line, sizeof(line), p))
			line[0] = '\0';
		pclose(p);
	}
	ok(atoi(line) >= 1 && before > 0, "the node's changes are commits on the stick (%d)",
		atoi(line));
	unsetenv("HEARTH_STICK_ROOTS");
}

/* The commits on the stick's `up`, -1 if it cannot be read. */
static int stick_ups(const char *repo)
{
	char cmd[1400], line[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "git --git-dir='%s' rev-list --count up 2>/dev/null", repo);
	if (!(p = popen(cmd, "r")))
		return -1;
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	pclose(p);
	return line[0] ? atoi(line) : -1;
}

/* The sync button after the stick is pulled out: skipped with a note, no failure; back in, it
 * is synced again. */
static void test_stick_out(void)
{
	char usb[1100], away[1100], repo[1200];
	app_resp r;
	int ups, rc;

	snprintf(usb, sizeof(usb), "%s/media/usb", tmp_root);
	snprintf(away, sizeof(away), "%s/media/away", tmp_root);
	snprintf(repo, sizeof(repo), "%s/lucai.git", usb);
	ups = stick_ups(repo);
	rc = call(&r, "POST", "/t/care_class/new", "name=托小二班&age_band=1-2&capacity=8",
		APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303 && ups >= 1, "a class waiting to be sent");
	resp_dispose(&r);
	if (!ok(rename(usb, away) == 0, "the stick pulled out"))
		return;
	rc = call(&r, "POST", "/sync", "csrf=token-abc", APP_ROLE_STAFF, "zh");
	ok(rc == 1 && r.status == 303, "the sync button with the stick out");
	resp_dispose(&r);
	rc = call(&r, "GET", "/", "synced=1", APP_ROLE_STAFF, "zh");
	if (!ok(rc == 1 && has(&r, "U 盘未插入，已跳过") && !has(&r, "同步失败"),
		    "its one line says the stick was skipped, no failure"))
		diag("%.1500s", r.body.ptr);
	resp_dispose(&r);
	ok(fixture_sql_int(db, "SELECT count(*) FROM hearth_remote WHERE last_error IS NOT NULL") ==
		   0,
		"no failure recorded for the stick");
	if (!ok(rename(away, usb) == 0, "the stick back in"))
		return;
	rc = call(&r, "POST", "/sync", "csrf=token-abc", APP_ROLE_STAFF, "en");
	resp_dispose(&r);
	rc = call(&r, "GET", "/", "synced=1", APP_ROLE_STAFF, "en");
	ok(rc == 1 && has(&r, "sync done") && !has(&r, "skipped"), "the sync button syncs it again");
	resp_dispose(&r);
	ok(stick_ups(repo) > ups, "the class written meanwhile is on the stick (%d > %d)",
		stick_ups(repo), ups);
}

int main(void)
{
	char dir[1100];

	setenv("LC_ALL", "zh_CN.UTF-8", 1);
	hearth_i18n_init();
	loc_zh = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, "zh_CN.UTF-8", (locale_t)0);
	loc_en = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!loc_zh || !loc_en || fixture_tmpdir_named(tmp_root, sizeof(tmp_root), "hearth-app-pages") < 0) {
		printf("Bail out! no zh_CN.UTF-8 locale or temporary folder\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/lucai", tmp_root);
	if (hearth_db_create(&db, dir, "lucai", "childcare_centre", "Lucai", NULL) < 0) {
		printf("Bail out! %s\n", hearth_error_last());
		return 1;
	}
	test_forms();
	test_refused();
	test_write_and_enrol();
	test_roles();
	test_routes();
	test_team();
	test_hospital();
	test_health_partner();
	test_office();
	test_stick();
	test_stick_out();
	hearth_db_free(db);
	fixture_rm_rf(tmp_root);
	freelocale(loc_zh);
	freelocale(loc_en);
	return done_testing();
}
