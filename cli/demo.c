/*
 * `hearth demo`: the whole story on an embedded default. Nodes of Changzhi work offline on their
 * own databases, sync through bare repositories inside DIR (no server), a capacity conflict ends
 * in the conflict log, a volunteer request moves new -> accepted -> done across two nodes, and the
 * office publishes the site; with --serve the app then serves 潞才 and the office on 127.0.0.1 with
 * demo accounts. Published facts are as announced; children, residents, phone
 * numbers and fees are invented and plainly fictional.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "site-gen/hearth_site.h"
#include "sync/hearth_sync.h"

typedef struct {
	const char *id, *kind, *name, *region;
	const char *sql; /* the node's first offline work */
} demo_node;

static const demo_node nodes[] = {
	{ "office", "office", "长治市卫生健康委员会", "changzhi",
		"UPDATE node SET name_en = 'Changzhi Health Commission', status = 'open' "
		"WHERE id = 'office';"
		"INSERT INTO region VALUES"
		" ('office','zijin','luzhou','street','紫金街道','Zijin Subdistrict'),"
		" ('office','taidong','luzhou','street','太东街道','Taidong Subdistrict'),"
		" ('office','luhua','lucheng','street','潞华街道','Luhua Subdistrict'),"
		" ('office','lucai-sq','luzhou','community','潞才社区','Lucai Community'),"
		" ('office','ziyuan-sq','zijin','community','紫苑社区','Ziyuan Community'),"
		" ('office','guangchangdong-sq','taidong','community','广场东社区','Guangchangdong Community'),"
		" ('office','donghua-sq','luhua','community','东华社区','Donghua Community');"
		/* the demonstration centres of the other counties, registered by the office */
		"INSERT INTO node (owner,id,kind,name,name_en,region_id,operator,affordable,status,"
		" opens_on,places) VALUES"
		" ('shangdang-tuoyu','shangdang-tuoyu','childcare_centre','上党区公办示范性综合托育机构',"
		"  'Shangdang Public Demonstration Childcare Centre','shangdang','public',1,'open','2026-03-01',120),"
		" ('tunliu-tuoyu','tunliu-tuoyu','childcare_centre','屯留区公办示范性综合托育机构',"
		"  'Tunliu Public Demonstration Childcare Centre','tunliu','public',1,'building','2027-06-01',100),"
		" ('lucheng-tuoyu','lucheng-tuoyu','childcare_centre','潞城区公办示范性综合托育机构',"
		"  'Lucheng Public Demonstration Childcare Centre','lucheng','public',1,'open','2026-05-01',90),"
		" ('xiangyuan-tuoyu','xiangyuan-tuoyu','childcare_centre','襄垣县公办示范性综合托育机构',"
		"  'Xiangyuan Public Demonstration Childcare Centre','xiangyuan','public',1,'open','2026-09-01',100),"
		" ('pingshun-tuoyu','pingshun-tuoyu','childcare_centre','平顺县公办示范性综合托育机构',"
		"  'Pingshun Public Demonstration Childcare Centre','pingshun','public',1,'building','2027-05-01',80),"
		" ('licheng-tuoyu','licheng-tuoyu','childcare_centre','黎城县公办示范性综合托育机构',"
		"  'Licheng Public Demonstration Childcare Centre','licheng','public',1,'planned','2027-09-01',80),"
		" ('huguan-tuoyu','huguan-tuoyu','childcare_centre','壶关县公办示范性综合托育机构',"
		"  'Huguan Public Demonstration Childcare Centre','huguan','public',1,'open','2026-08-01',90),"
		" ('zhangzi-tuoyu','zhangzi-tuoyu','childcare_centre','长子县公办示范性综合托育机构',"
		"  'Zhangzi Public Demonstration Childcare Centre','zhangzi','public',1,'building','2027-03-01',100),"
		" ('wuxiang-tuoyu','wuxiang-tuoyu','childcare_centre','武乡县公办示范性综合托育机构',"
		"  'Wuxiang Public Demonstration Childcare Centre','wuxiang','public',1,'planned','2027-10-01',80),"
		" ('qinxian-tuoyu','qinxian-tuoyu','childcare_centre','沁县公办示范性综合托育机构',"
		"  'Qin County Public Demonstration Childcare Centre','qinxian','public',1,'open','2026-07-01',80);" },
	{ "lucai", "childcare_centre", "潞才社区综合托育中心", "luzhou",
		"UPDATE node SET name_en = 'Lucai Community Childcare Centre', address = '潞州区潞才社区圣鑫园A区',"
		" phone = '0355-0000001', hours = '周一至周五 7:30-18:00', operator = 'public', affordable = 1,"
		" status = 'open', places = 150, floor_area_m2 = 3000,"
		" description_md = '潞州区首家公办综合托育中心，面向0-3岁婴幼儿，设有专家工作室和婴儿抚触室。"
		"提供全日托、临时托和小时托，计划开展送育上门和家庭科学育儿指导。' WHERE id = 'lucai';"
		"INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c-ru','乳儿班','0-1',15),"
		" ('lucai','c-xiao1','托小班一班','1-2',25), ('lucai','c-xiao2','托小班二班','1-2',25),"
		" ('lucai','c-da1','托大班一班','2-3',30), ('lucai','c-da2','托大班二班','2-3',30);"
		"INSERT INTO care_offer VALUES ('lucai','o-full','full_day',1800,'month','7:30-18:00',NULL),"
		" ('lucai','o-temp','temporary',120,'day','8:00-17:00',NULL),"
		" ('lucai','o-hour','hourly',30,'hour','9:00-16:00',NULL),"
		" ('lucai','o-home','home_visit',NULL,'visit',NULL,'计划中'),"
		" ('lucai','o-guide','parenting_guidance',0,'visit',NULL,'计划中，免费');"
		"INSERT INTO child (owner, id, name, birth_date, sex, guardian_name, guardian_phone, notes)"
		" VALUES ('lucai','k1','示例儿童甲','2024-05-01','f','示例家长甲','13800000001',NULL),"
		" ('lucai','k2','示例儿童乙','2025-02-11','m','示例家长乙','13800000002',NULL),"
		" ('lucai','k3','示例儿童丙','2023-12-20','f','示例家长丙','13800000003',NULL);"
		"INSERT INTO enrolment VALUES ('lucai','e1','k1','c-xiao1','full_day','2026-09-01',NULL),"
		" ('lucai','e2','k2','c-ru','full_day','2026-09-01',NULL),"
		" ('lucai','e3','k3','c-da1','temporary','2026-10-08',NULL);"
		"INSERT INTO event VALUES ('lucai','ev-guide','parenting_class','家庭科学育儿指导公开课',"
		" 'Open class: parenting guidance','2026-12-12T09:30:00+08:00','2026-12-12T11:00:00+08:00','潞才社区综合托育中心',"
		" 'parents','面向0-3岁婴幼儿家长，免费参加。',1);" },
	{ "xiaoxiangwan", "childcare_centre", "小象湾托育中心", "luzhou",
		"UPDATE node SET name_en = 'Xiaoxiangwan Childcare Centre', address = '潞州区紫金街道紫苑社区',"
		" phone = '0355-0000002', hours = '周一至周六 7:30-18:30', operator = 'public_private',"
		" affordable = 1, status = 'open', places = 80,"
		" description_md = '与长治市妇幼保健院签订**医育融合**协议：医生到园开展健康课和膳食指导，"
		"开通疫苗接种绿色通道，定期发育监测，婴幼儿健康档案由医院、中心和家长共享。'"
		" WHERE id = 'xiaoxiangwan';"
		"INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('xiaoxiangwan','c1','托小班','1-2',20),"
		" ('xiaoxiangwan','c2','托大班','2-3',25);"
		"INSERT INTO care_offer VALUES ('xiaoxiangwan','o1','full_day',1600,'month','7:30-18:30',NULL),"
		" ('xiaoxiangwan','o2','hourly',35,'hour',NULL,NULL);"
		"INSERT INTO partnership VALUES ('xiaoxiangwan','p-fuyou','fuyou','medical','2025-06-01',"
		" '健康课、膳食指导、疫苗接种绿色通道、发育监测、健康档案共享');"
		/* the centre names its partner hospital for this child: fuyou receives it */
		"INSERT INTO child (owner, id, name, birth_date, sex, guardian_name, guardian_phone, notes,"
		" health_partner) VALUES ('xiaoxiangwan','k1','示例儿童丁','2024-08-08','m','示例家长丁',"
		" '13800000004',NULL,'fuyou');"
		"INSERT INTO enrolment VALUES ('xiaoxiangwan','e1','k1','c1','full_day','2026-09-01',NULL);" },
	{ "fuyou", "hospital", "长治市妇幼保健院", "luzhou",
		"UPDATE node SET name_en = 'Changzhi Maternal and Child Health Hospital', phone = '0355-0000003'"
		" WHERE id = 'fuyou';"
		"INSERT INTO health_check VALUES ('fuyou','h1','xiaoxiangwan','k1','2026-11-20',82.5,11.2,"
		" '发育正常','2027-02-20');"
		"INSERT INTO event VALUES ('fuyou','ev-diet','health_lecture','婴幼儿膳食指导健康课',"
		" 'Health class: infant diet','2026-12-18T15:00:00+08:00','2026-12-18T16:00:00+08:00','小象湾托育中心','parents',"
		" '妇幼保健院医生到园讲解婴幼儿膳食。',1);" },
	{ "qinyuan-tuoyu", "childcare_centre", "沁源县公办示范性综合托育机构", "qinyuan",
		"UPDATE node SET name_en = 'Qinyuan County Public Demonstration Childcare Centre',"
		" address = '沁源县齐泉北街以北、莲花池幼儿园以南、官渠路以西', operator = 'public', affordable = 1,"
		" status = 'building', opens_on = '2027-07-01', places = 100, site_area_m2 = 5000,"
		" floor_area_m2 = 1700, description_md = '在建：预计5月竣工，7月开园。规划乳儿班1个、托小班2个、托大班3个。'"
		" WHERE id = 'qinyuan-tuoyu';"
		"INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('qinyuan-tuoyu','c-ru','乳儿班','0-1',10),"
		" ('qinyuan-tuoyu','c-xiao1','托小班一班','1-2',15), ('qinyuan-tuoyu','c-xiao2','托小班二班','1-2',15),"
		" ('qinyuan-tuoyu','c-da1','托大班一班','2-3',20), ('qinyuan-tuoyu','c-da2','托大班二班','2-3',20),"
		" ('qinyuan-tuoyu','c-da3','托大班三班','2-3',20);" },
	{ "qimingxing", "special_care_centre", "启明星特殊儿童托养中心", "luzhou",
		"UPDATE node SET name_en = 'Qimingxing Care Centre for Children with Special Needs',"
		" phone = '0355-0000004', operator = 'public' WHERE id = 'qimingxing';"
		"INSERT INTO event VALUES ('qimingxing','ev-drug','community_activity','禁毒宣传进托养中心',"
		" 'Drug-prevention outreach','2026-11-26T10:00:00+08:00','2026-11-26T11:30:00+08:00','启明星特殊儿童托养中心',"
		" 'children','绘画、魔术表演，并赠送图书和文具。',1);" },
	{ "donghua", "community_centre", "东华社区", "lucheng",
		"UPDATE node SET name_en = 'Donghua Community', address = '潞城区潞华街道东华社区'"
		" WHERE id = 'donghua';"
		"INSERT INTO event VALUES ('donghua','ev-bp','health_lecture','老年人高血压健康讲座',"
		" 'Health lecture: high blood pressure','2026-12-10T09:00:00+08:00','2026-12-10T10:30:00+08:00','东华社区活动室',"
		" 'elderly','讲解高血压防治，现场免费测量血压。',1);" },
	{ "guangchangdong", "volunteer_station", "广场东社区“红扳手”志愿服务站", "luzhou",
		"UPDATE node SET name_en = 'Guangchangdong \"Red Wrench\" Volunteer Station',"
		" address = '潞州区太东街道广场东社区', phone = '0355-0000005',"
		" description_md = '四级架构：1个新时代文明实践站、14个网格、64栋楼、187个单元。"
		"10支志愿服务队，300余名志愿者，已解决200多件问题。居民在群里发需求，志愿者接单。'"
		" WHERE id = 'guangchangdong';"
		"INSERT INTO volunteer_team VALUES ('guangchangdong','t-repair','维修服务队','repair',24),"
		" ('guangchangdong','t-canteen','助老食堂服务队','elderly_canteen',30),"
		" ('guangchangdong','t-clinic','爱心义诊队','charity_clinic',12),"
		" ('guangchangdong','t-ride','叫车陪送队','ride_escort',18),"
		" ('guangchangdong','t-mediation','矛盾调解队','mediation',9);"
		"INSERT INTO volunteer VALUES ('guangchangdong','v1','示例志愿者甲','13800000011','t-repair','电工',1),"
		" ('guangchangdong','v2','示例志愿者乙','13800000012','t-clinic','义诊',0);"
		"INSERT INTO service_request VALUES ('guangchangdong','r1','repair','2026-11-27T19:05:00+08:00',"
		" '示例居民甲','13800000021','英华小区3号楼','家里总是跳闸','new','t-repair',NULL,'hongbanshou-repair',"
		" NULL,NULL),"
		" ('guangchangdong','r2','ride_escort','2026-10-14T08:00:00+08:00','示例居民乙','13800000022','英华小区',"
		" '去医院复查','done','t-ride',NULL,NULL,'2026-10-14T11:00:00+08:00','准时'),"
		" ('guangchangdong','r3','elderly_canteen','2026-11-03T11:00:00+08:00','示例居民丙','13800000023','英华小区',"
		" '送餐','done','t-canteen',NULL,NULL,'2026-11-03T12:00:00+08:00',NULL);"
		"INSERT INTO event VALUES ('guangchangdong','ev-mama','volunteer_activity','“爱心妈妈”街头义演和义剪',"
		" 'Charity volunteers: street show and free haircuts','2026-12-06T09:00:00+08:00','2026-12-06T12:00:00+08:00',"
		" '广场东社区广场','all','慈善协会“爱心妈妈”志愿者表演节目、义务理发和打扫卫生。',1);" },
	{ "hongbanshou-repair", "volunteer_team", "“红扳手”维修服务队", "luzhou",
		"UPDATE node SET name_en = 'Red Wrench repair team' WHERE id = 'hongbanshou-repair';"
		/* the team's row, which every node receives (a directory): stations assign to it */
		"INSERT INTO volunteer_team VALUES ('hongbanshou-repair','team','“红扳手”维修服务队',"
		" 'repair',24);" },
};
#define NNODES (sizeof(nodes) / sizeof(nodes[0]))

static int path_of(char *out, size_t n, const char *dir, const char *sub, const char *id,
	const char *suffix)
{
	return snprintf(out, n, "%s/%s/%s%s", dir, sub, id, suffix) >= (int)n ? -1 : 0;
}

static int demo_exec(hearth_db *db, const char *sql)
{
	hearth_write_info info;

	if (hearth_write_exec(db, sql, &info) < 0) {
		fprintf(stderr, _("hearth demo: %s: %s\n"), hearth_db_node(db), hearth_error_last());
		return -1;
	}
	return info.changes;
}

static int sync_node(hearth_db *db, hearth_sync_result *total)
{
	hearth_sync_result r;

	if (hearth_sync(db, NULL, &r) < 0) {
		fprintf(stderr, _("hearth demo: sync at '%s': %s\n"), hearth_db_node(db),
			hearth_error_last());
		return -1;
	}
	total->merged += r.merged;
	total->conflicts += r.conflicts;
	return 0;
}

/* office, then every node: the order a real day has */
static int round_all(hearth_db **dbs, hearth_sync_result *total)
{
	size_t i;

	for (i = 1; i < NNODES; i++)
		if (sync_node(dbs[i], total) < 0)
			return -1;
	if (sync_node(dbs[0], total) < 0)
		return -1;
	for (i = 1; i < NNODES; i++)
		if (sync_node(dbs[i], total) < 0)
			return -1;
	return 0;
}

static int find(const char *id)
{
	size_t i;

	for (i = 0; i < NNODES; i++)
		if (strcmp(nodes[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The demo's accounts (one password, printed: a demo on this computer only). */
static const struct {
	const char *node, *name, *role;
} demo_accounts[] = {
	{ "lucai", "director", "admin" },
	{ "lucai", "teacher", "staff" },
	{ "office", "clerk", "staff" },
};
#define DEMO_PASSWORD "hearth-demo"

/* `--serve`: accounts at 潞才 and the office, then both served on 127.0.0.1 until Ctrl-C. */
static int demo_serve(const char *abs)
{
	static char dirs[2][4200];
	hearth_app_options opts[2];
	size_t i;

	snprintf(dirs[0], sizeof(dirs[0]), "%s/nodes/lucai", abs);
	snprintf(dirs[1], sizeof(dirs[1]), "%s/nodes/office", abs);
	for (i = 0; i < sizeof(demo_accounts) / sizeof(demo_accounts[0]); i++) {
		hearth_db *db = NULL;
		int rc = hearth_db_open(&db, dirs[strcmp(demo_accounts[i].node, "office") == 0]);
		if (rc == 0)
			rc = hearth_app_user_add(db, demo_accounts[i].name, demo_accounts[i].role,
				DEMO_PASSWORD);
		hearth_db_free(db);
		if (rc < 0)
			return cli_fail();
		printf(_("hearth demo: account '%s' (%s) at %s, password %s\n"),
			demo_accounts[i].name, demo_accounts[i].role, demo_accounts[i].node,
			DEMO_PASSWORD);
	}
	memset(opts, 0, sizeof(opts));
	for (i = 0; i < 2; i++) {
		opts[i].dir = dirs[i];
		opts[i].listen = "127.0.0.1:0";
	}
	return cli_serve(opts, 2);
}

int cmd_demo(cli_ctx *ctx)
{
	const char *out = cli_opt_value(ctx, "--out");
	int force = cli_opt_flag(ctx, "--force");
	int serve = cli_opt_flag(ctx, "--serve");
	hearth_db *dbs[NNODES] = { 0 };
	hearth_sync_result total;
	hearth_site_stats stats;
	char path[8192], url[8192], site[8192], abs[4096];
	int rc = EXIT_FAIL, changes = 0, converged = 0;
	size_t i;

	if ((rc = cli_no_unknown_opts(ctx, "demo")) != EXIT_OK)
		return rc;
	rc = EXIT_FAIL;
	if (ctx->argc)
		return cli_usage("demo", _("unexpected argument '%s'"), ctx->argv[0]);
	if (!out)
		out = "hearth-demo";
	if (exists(out)) {
		if (!force) {
			fprintf(stderr, _("hearth demo: '%s' exists already: pass --force to replace "
					  "it, or --out DIR\n"), out);
			return EXIT_FAIL;
		}
		snprintf(path, sizeof(path), "rm -rf -- '%s'", out);
		if (strchr(out, '\'') || system(path) != 0) {
			fprintf(stderr, _("hearth demo: cannot remove '%s'\n"), out);
			return EXIT_FAIL;
		}
	}
	memset(&total, 0, sizeof(total));
	if (mkdir(out, 0777) < 0 || hearth_sync_init() < 0) {
		fprintf(stderr, _("hearth demo: cannot create '%s': %s\n"), out, strerror(errno));
		return EXIT_FAIL;
	}
	if (!realpath(out, abs)) {
		fprintf(stderr, _("hearth demo: cannot resolve '%s'\n"), out);
		goto done;
	}
	snprintf(path, sizeof(path), "%s/remotes", abs);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/nodes", abs);
	mkdir(path, 0777);

	/* every node on its own database, offline */
	for (i = 0; i < NNODES; i++) {
		int n;
		if (path_of(path, sizeof(path), abs, "nodes", nodes[i].id, "") < 0 ||
		    hearth_db_create(&dbs[i], path, nodes[i].id, nodes[i].kind, nodes[i].name,
			    nodes[i].region) < 0) {
			cli_fail();
			goto done;
		}
		if ((n = demo_exec(dbs[i], nodes[i].sql)) < 0)
			goto done;
		changes += n + 1;
		if (i == 0)
			continue;
		path_of(url, sizeof(url), abs, "remotes", nodes[i].id, ".git");
		if (hearth_repo_init_bare(url) < 0 || hearth_remote_add(dbs[i], "office", url) < 0 ||
		    hearth_remote_add(dbs[0], nodes[i].id, url) < 0) {
			cli_fail();
			goto done;
		}
	}
	if (round_all(dbs, &total) < 0)
		goto done;

	/* a real conflict: the office corrects a class's capacity while the centre, offline,
	 * changes it too; the office's value wins by policy and the centre's is kept in the log */
	if (demo_exec(dbs[0], "UPDATE care_class SET capacity = 28 WHERE owner = 'lucai' AND id = 'c-da1'") < 0 ||
	    demo_exec(dbs[find("lucai")],
		    "UPDATE care_class SET capacity = 32 WHERE owner = 'lucai' AND id = 'c-da1'") < 0)
		goto done;
	changes += 2;
	/* the request travels: the repair team's phone accepts it, then closes it */
	if (round_all(dbs, &total) < 0 ||
	    demo_exec(dbs[find("hongbanshou-repair")],
		    "UPDATE service_request SET status = 'accepted', volunteer_id = 'v1' "
		    "WHERE owner = 'guangchangdong' AND id = 'r1'") < 0 ||
	    round_all(dbs, &total) < 0 ||
	    demo_exec(dbs[find("hongbanshou-repair")],
		    "UPDATE service_request SET status = 'done', done_at = '2026-11-28T09:40:00+08:00', "
		    "feedback = '更换了老化的空气开关' WHERE owner = 'guangchangdong' AND id = 'r1'") < 0 ||
	    round_all(dbs, &total) < 0 || round_all(dbs, &total) < 0)
		goto done;
	changes += 2;

	for (i = 1; i < NNODES; i++) {
		hearth_buf a = HEARTH_BUF_INIT, b = HEARTH_BUF_INIT;
		if (hearth_dump(dbs[i], NULL, &a) == 0 &&
		    hearth_dump(dbs[0], nodes[i].id, &b) == 0 && a.size == b.size &&
		    memcmp(a.ptr, b.ptr, a.size) == 0)
			converged++;
		hearth_buf_dispose(&a);
		hearth_buf_dispose(&b);
	}

	snprintf(site, sizeof(site), "%s/site", abs);
	if (hearth_site_build(dbs[0], site, NULL, &stats) < 0) {
		cli_fail();
		goto done;
	}
	printf(_("hearth demo: %zu nodes of Changzhi worked offline and synced through bare "
		 "repositories in %s/remotes\n"), NNODES, abs);
	printf(P_("  %d recorded changes, %d merged at the office, %d conflict kept in the log "
		  "(the office and 潞才 both changed a class's capacity)\n",
		  "  %d recorded changes, %d merged at the office, %d conflicts kept in the log "
		  "(the office and 潞才 both changed a class's capacity)\n", total.conflicts),
		changes, total.merged, total.conflicts);
	printf(_("  service request r1 went new -> accepted -> done between the station and the "
		 "repair team's phone\n"));
	printf(_("  %d of %zu nodes hold exactly the office's view of their rows\n"), converged,
		NNODES - 1);
	printf(_("  site: %d pages in %s\n"), stats.pages, site);
	printf(_("  open it: file://%s/index.html  or  python3 -m http.server -d %s\n"), site, site);
	printf(_("next: hearth -C %s/nodes/office conflicts list\n"
		 "      hearth -C %s/nodes/lucai status\n"
		 "      hearth -C %s/nodes/lucai query \"SELECT name, capacity FROM care_class\"\n"),
		abs, abs, abs);
	rc = converged == (int)NNODES - 1 ? EXIT_OK : EXIT_FAIL;
	if (rc != EXIT_OK)
		fprintf(stderr, _("hearth demo: %d node(s) did not converge\n"),
			(int)NNODES - 1 - converged);
done:
	for (i = 0; i < NNODES; i++)
		hearth_db_free(dbs[i]);
	hearth_sync_shutdown();
	if (rc == EXIT_OK && serve)
		rc = demo_serve(abs);
	return rc;
}
