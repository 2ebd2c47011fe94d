-- A small Changzhi world for the site tests, run on a database migrated to schema v1.
-- Every private value holds a MARK... string: the privacy test checks none reaches the site.
-- Names of people are roles or plainly fictional; phone numbers are 1380000xxxx.

INSERT INTO region (owner, id, parent_id, level, name, name_en) VALUES
	('office', 'zijin', 'luzhou', 'street', '紫金街道', 'Zijin Subdistrict'),
	('office', 'ziyuan', 'zijin', 'community', '紫苑社区', 'Ziyuan Community'),
	('office', 'taidong', 'luzhou', 'street', '太东街道', 'Taidong Subdistrict'),
	('office', 'guangchangdong-c', 'taidong', 'community', '广场东社区', 'Guangchangdong Community'),
	('office', 'luhua', 'lucheng', 'street', '潞华街道', 'Luhua Subdistrict'),
	('office', 'donghua-c', 'luhua', 'community', '东华社区', 'Donghua Community'),
	('office', 'lucai-c', 'luzhou', 'community', '潞才社区', 'Lucai Community');

INSERT INTO node (owner, id, kind, name, name_en, region_id, address, phone, hours, operator,
	affordable, status, opens_on, places, floor_area_m2, site_area_m2, description_md) VALUES
	('office', 'office', 'office', '长治市卫生健康委员会', 'Changzhi Health Commission', 'changzhi',
	 NULL, NULL, NULL, 'public', 0, 'open', NULL, NULL, NULL, NULL, NULL),
	('lucai', 'lucai', 'childcare_centre', '潞才社区综合托育中心', 'Lucai Community Childcare Centre',
	 'lucai-c', '潞州区潞才社区圣鑫园A区', '0355-0000001', '周一至周五 7:30–18:00', 'public', 1,
	 'open', '2025-09-01', 150, 3000, NULL,
	 '潞州区首家公办综合托育中心，设有**专家工作室**和婴儿抚触室。

提供全日托、临时托和小时托，计划开展送育上门和家庭科学育儿指导。'),
	('xiaoxiangwan', 'xiaoxiangwan', 'childcare_centre', '小象湾托育中心', NULL, 'ziyuan',
	 '潞州区紫金街道紫苑社区', '0355-0000002', '周一至周六 8:00–17:30', 'public_private', 1,
	 'open', NULL, 45, NULL, NULL,
	 '与长治市妇幼保健院签订医育融合协议：医生定期到园开展健康课堂和膳食指导。'),
	('qinyuan-demo', 'qinyuan-demo', 'childcare_centre', '沁源县公办示范性综合托育机构',
	 'Qinyuan County Demonstration Childcare Centre', 'qinyuan',
	 '沁源县齐泉北街以北、莲花池幼儿园以南、官渠路以西', NULL, NULL, 'public', 1,
	 'building', '2027-07-01', 100, 1700, 5000, NULL),
	('qimingxing', 'qimingxing', 'special_care_centre', '启明星特殊儿童托养中心', NULL, 'luzhou',
	 '潞州区', '0355-0000004', NULL, 'private', 0, 'open', NULL, 30, NULL, NULL, NULL),
	('donghua', 'donghua', 'community_centre', '东华社区', 'Donghua Community', 'donghua-c',
	 '潞城区潞华街道东华社区', '0355-0000005', NULL, 'public', 0, 'open', NULL, NULL, NULL, NULL,
	 NULL),
	('guangchangdong', 'guangchangdong', 'volunteer_station', '广场东社区新时代文明实践站', NULL,
	 'guangchangdong-c', '潞州区太东街道广场东社区', '0355-0000006', '每天 8:00–20:00', 'public',
	 0, 'open', NULL, NULL, NULL, NULL,
	 '“红扳手”志愿服务：1个实践站、14个网格、64栋楼、187个单元。'),
	('fuyou', 'fuyou', 'hospital', '长治市妇幼保健院', 'Changzhi Maternal and Child Health Hospital',
	 'luzhou', '潞州区', '0355-0000007', NULL, 'public', 0, 'open', NULL, NULL, NULL, NULL, NULL);

INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES
	('lucai', 'c01', '乳儿班', '0-1', 2),
	('lucai', 'c02', '托小班一班', '1-2', 20),
	('lucai', 'c03', '托大班一班', '2-3', 25),
	('xiaoxiangwan', 'c01', '托小班', '1-2', 20),
	('xiaoxiangwan', 'c02', '托大班', '2-3', 25),
	('qinyuan-demo', 'c01', '乳儿班', '0-1', 10),
	('qinyuan-demo', 'c02', '托小班', '1-2', 15),
	('qimingxing', 'c01', '康复班', '2-3', 10);

INSERT INTO care_offer (owner, id, service_type_id, fee_yuan, fee_unit, hours, notes) VALUES
	('lucai', 'o01', 'full_day', 1200, 'month', '7:30–18:00', '含午餐和午睡'),
	('lucai', 'o02', 'temporary', 80, 'day', NULL, '需提前一天预约'),
	('lucai', 'o03', 'hourly', 20, 'hour', NULL, NULL),
	('xiaoxiangwan', 'o01', 'full_day', 1500, 'month', NULL, NULL),
	('qimingxing', 'o01', 'full_day', 0, 'month', NULL, '公益托养');

INSERT INTO child (owner, id, name, birth_date, sex, guardian_name, guardian_phone, notes) VALUES
	('lucai', 'k01', 'MARKCHILD甲', '2025-06-01', 'f', 'MARKGUARDIAN甲', '13800009991', 'MARKNOTE'),
	('lucai', 'k02', 'MARKCHILD乙', '2025-08-01', 'm', 'MARKGUARDIAN乙', '13800009992', NULL),
	('lucai', 'k03', 'MARKCHILD丙', '2024-05-01', 'm', 'MARKGUARDIAN丙', '13800009993', NULL),
	('xiaoxiangwan', 'k01', 'MARKCHILD丁', '2024-02-01', 'f', 'MARKGUARDIAN丁', '13800009994', NULL);

-- lucai's infant class is full (2 of 2); one enrolment has ended, one is hourly (not counted)
INSERT INTO enrolment (owner, id, child_id, class_id, mode, starts_on, ends_on) VALUES
	('lucai', 'e01', 'k01', 'c01', 'full_day', '2026-03-01', NULL),
	('lucai', 'e02', 'k02', 'c01', 'full_day', '2026-03-01', NULL),
	('lucai', 'e03', 'k03', 'c02', 'full_day', '2025-03-01', '2026-01-31'),
	('lucai', 'e04', 'k03', 'c03', 'hourly', '2026-02-01', NULL),
	('xiaoxiangwan', 'e01', 'k01', 'c02', 'full_day', '2026-01-01', NULL);

INSERT INTO health_check (owner, id, centre_id, child_id, checked_on, height_cm, weight_kg,
	findings, next_due) VALUES
	('fuyou', 'h01', 'xiaoxiangwan', 'k01', '2026-10-10', 88.5, 12.1, 'MARKFINDINGS', '2027-01-10');

INSERT INTO partnership (owner, id, partner_id, kind, since, services) VALUES
	('xiaoxiangwan', 'p01', 'fuyou', 'medical', '2025-05',
	 '健康课堂、膳食指导、疫苗接种绿色通道、定期发育监测、共享婴幼儿健康档案');

INSERT INTO volunteer_team (owner, id, name, service_type_id, members) VALUES
	('guangchangdong', 't01', '红扳手维修队', 'repair', 35),
	('guangchangdong', 't02', '助老食堂服务队', 'elderly_canteen', 20);

INSERT INTO volunteer (owner, id, name, phone, team_id, skills, party_member) VALUES
	('guangchangdong', 'v01', 'MARKVOLUNTEER', '13800008881', 't01', 'MARKSKILL电工', 1);

INSERT INTO service_request (owner, id, service_type_id, requested_at, resident_name,
	resident_phone, address, details, status, team_id, volunteer_id, assignee, done_at, feedback)
	VALUES
	('guangchangdong', 'r01', 'repair', '2026-09-02T08:00:00+08:00', 'MARKRESIDENT甲', '13800007771',
	 'MARKHOME英华小区1号楼', 'MARKDETAILS总是跳闸', 'done', 't01', 'v01', NULL,
	 '2026-09-02T15:00:00+08:00', 'MARKFEEDBACK'),
	('guangchangdong', 'r02', 'repair', '2026-10-05T08:00:00+08:00', 'MARKRESIDENT乙', '13800007772',
	 'MARKHOME2', 'MARKDETAILS水管', 'done', 't01', 'v01', NULL, '2026-10-06T10:00:00+08:00', NULL),
	('guangchangdong', 'r03', 'elderly_canteen', '2026-10-07T08:00:00+08:00', 'MARKRESIDENT丙',
	 '13800007773', NULL, NULL, 'done', 't02', NULL, NULL, '2026-10-07T12:00:00+08:00', NULL),
	('guangchangdong', 'r04', 'ride_escort', '2026-11-20T08:00:00+08:00', 'MARKRESIDENT丁', '13800007774',
	 NULL, NULL, 'accepted', NULL, NULL, NULL, NULL, NULL),
	('guangchangdong', 'r05', 'MARKTYPE', '2026-11-20T08:00:00+08:00', 'MARKRESIDENT戊', '13800007775',
	 NULL, NULL, 'done', NULL, NULL, NULL, '2026-11-21', NULL);

INSERT INTO event (owner, id, kind, title, title_en, starts_at, ends_at, place, audience,
	description_md, public) VALUES
	('donghua', 'ev01', 'health_lecture', '高血压防治健康讲座', 'Talk on high blood pressure',
	 '2026-12-05T09:00:00+08:00', '2026-12-05T10:30:00+08:00', '东华社区活动室', 'elderly',
	 '讲解高血压的预防和用药，现场免费测量血压。', 1),
	('qimingxing', 'ev01', 'community_activity', '禁毒宣传进托养中心', NULL, '2026-06-26T09:30:00+08:00',
	 NULL, '启明星特殊儿童托养中心', 'children',
	 '绘画、魔术表演，并赠送图书和文具。', 1),
	('guangchangdong', 'ev01', 'volunteer_activity', '爱心妈妈志愿服务进社区', NULL,
	 '2026-12-12T09:00:00+08:00', NULL, '广场东社区广场', 'all', '文艺表演、义务理发和清洁。', 1),
	('guangchangdong', 'ev02', 'volunteer_activity', 'MARKPRIVATEEVENT', NULL, '2026-12-20T09:00:00+08:00',
	 NULL, 'MARKPRIVATEPLACE', 'all', NULL, 0);

-- the office last heard from lucai yesterday, from xiaoxiangwan four weeks ago; the others
-- have no remote yet
INSERT INTO hearth_remote (name, url, last_sync_ms, last_seen_ms) VALUES
	('lucai', 'ssh://git.example/hearth.git', 1795831200000, 1795831200000),
	('xiaoxiangwan', 'ssh://git.example/hearth.git', 1793494800000, 1793494800000);
