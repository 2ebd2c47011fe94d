-- hearth schema v4: declarations a person reads. Every column of every synced table gets a
-- Chinese and an English label, a short hint, its input kind, its range (integers and decimals,
-- inclusive) and the table a reference names; every value of an enumeration gets its labels.
-- Error messages, the CSV importer's headers, the report and the app's forms all read them.
-- Only the declaration tables change: the synced tables' fingerprint stays that of v2.
--
-- kind: text | integer | decimal | date (YYYY-MM-DD) | month (YYYY-MM) | timestamp
-- (YYYY-MM-DDTHH:MM:SS+08:00) | phone | choice | flag (0/1) | markdown | reference | id.
-- A reference names the `id` of a row of ref_table; when that table is reference data (held
-- whole by every node: hearth_table.reference_data = 1) the row must exist, otherwise the id is
-- only checked well-formed (within one owner a foreign key checks it; a hospital cannot see the
-- child of a health check).
ALTER TABLE hearth_table ADD COLUMN reference_data INTEGER NOT NULL DEFAULT 0
	CHECK (reference_data IN (0, 1));
ALTER TABLE hearth_column ADD COLUMN label_zh TEXT;
ALTER TABLE hearth_column ADD COLUMN label_en TEXT;
ALTER TABLE hearth_column ADD COLUMN hint_zh TEXT;
ALTER TABLE hearth_column ADD COLUMN hint_en TEXT;
ALTER TABLE hearth_column ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'
	CHECK (kind IN ('text', 'integer', 'decimal', 'date', 'month', 'timestamp', 'phone',
		'choice', 'flag', 'markdown', 'reference', 'id'));
ALTER TABLE hearth_column ADD COLUMN min REAL;
ALTER TABLE hearth_column ADD COLUMN max REAL;
ALTER TABLE hearth_column ADD COLUMN ref_table TEXT;

-- The values of a choice column, in the order a form lists them.
CREATE TABLE hearth_choice (
	tbl TEXT NOT NULL,
	col TEXT NOT NULL,
	value TEXT NOT NULL,
	label_zh TEXT NOT NULL,
	label_en TEXT NOT NULL,
	rank INTEGER NOT NULL,
	PRIMARY KEY (tbl, col, value)
) WITHOUT ROWID;

UPDATE hearth_table SET reference_data = 1 WHERE name IN ('region', 'service_type');

CREATE TEMP TABLE decl (tbl, col, label_zh, label_en, hint_zh, hint_en, kind, min, max,
	ref_table);
INSERT INTO decl VALUES
	('region', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('region', 'id', '编号', 'id', '小写字母、数字和“-”', 'letters, digits and "-"', 'id', NULL, NULL, NULL),
	('region', 'parent_id', '上级区划', 'parent region', NULL, NULL, 'reference', NULL, NULL, 'region'),
	('region', 'level', '区划级别', 'level', NULL, NULL, 'choice', NULL, NULL, NULL),
	('region', 'name', '名称', 'name', NULL, NULL, 'text', NULL, NULL, NULL),
	('region', 'name_en', '英文名称', 'name in English', NULL, NULL, 'text', NULL, NULL, NULL),

	('service_type', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('service_type', 'id', '编号', 'id', '小写字母、数字和“-”', 'letters, digits and "-"', 'id', NULL, NULL, NULL),
	('service_type', 'domain', '服务领域', 'domain', NULL, NULL, 'choice', NULL, NULL, NULL),
	('service_type', 'name', '服务名称', 'name', NULL, NULL, 'text', NULL, NULL, NULL),
	('service_type', 'name_en', '英文名称', 'name in English', NULL, NULL, 'text', NULL, NULL, NULL),
	('service_type', 'description', '说明', 'description', NULL, NULL, 'text', NULL, NULL, NULL),

	('node', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('node', 'id', '机构编号', 'id', '与所属节点相同', 'the same as the owner', 'id', NULL, NULL, NULL),
	('node', 'kind', '机构类型', 'kind', NULL, NULL, 'choice', NULL, NULL, NULL),
	('node', 'name', '机构名称', 'name', NULL, NULL, 'text', NULL, NULL, NULL),
	('node', 'name_en', '英文名称', 'name in English', NULL, NULL, 'text', NULL, NULL, NULL),
	('node', 'region_id', '所在区县', 'region', '行政区划编号，如 luzhou', 'region id, e.g. luzhou', 'reference', NULL, NULL, 'region'),
	('node', 'address', '地址', 'address', NULL, NULL, 'text', NULL, NULL, NULL),
	('node', 'phone', '联系电话', 'phone', '手机号或座机号，如 0355-2021234', 'mobile or landline, e.g. 0355-2021234', 'phone', NULL, NULL, NULL),
	('node', 'hours', '开放时间', 'opening hours', '如 周一至周五 7:30–17:30', 'e.g. Mon–Fri 7:30–17:30', 'text', NULL, NULL, NULL),
	('node', 'operator', '举办性质', 'operator', NULL, NULL, 'choice', NULL, NULL, NULL),
	('node', 'affordable', '普惠性', 'affordable', '是 或 否', 'yes or no', 'flag', NULL, NULL, NULL),
	('node', 'status', '运营状态', 'status', NULL, NULL, 'choice', NULL, NULL, NULL),
	('node', 'opens_on', '开业日期', 'opens on', '如 2026-12-02', 'e.g. 2026-12-02', 'date', NULL, NULL, NULL),
	('node', 'places', '托位', 'places', '0–2000 的整数', 'whole number, 0–2000', 'integer', 0, 2000, NULL),
	('node', 'floor_area_m2', '建筑面积（平方米）', 'floor area (m²)', '整数', 'whole number', 'integer', 0, 1000000, NULL),
	('node', 'site_area_m2', '占地面积（平方米）', 'site area (m²)', '整数', 'whole number', 'integer', 0, 1000000, NULL),
	('node', 'description_md', '机构介绍', 'description', '可用 Markdown', 'Markdown allowed', 'markdown', NULL, NULL, NULL),
	('node', 'lat', '纬度', 'latitude', '长治市范围内，如 36.19', 'within Changzhi, e.g. 36.19', 'decimal', 35.6, 37.2, NULL),
	('node', 'lon', '经度', 'longitude', '长治市范围内，如 113.12', 'within Changzhi, e.g. 113.12', 'decimal', 111.8, 113.9, NULL),
	('node', 'registration_no', '托育机构备案号', 'registration number', NULL, NULL, 'text', NULL, NULL, NULL),

	('care_class', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('care_class', 'id', '编号', 'id', '字母、数字、“-”和“_”', 'letters, digits, "-" and "_"', 'id', NULL, NULL, NULL),
	('care_class', 'name', '班级名称', 'class name', '如 托大一班', 'e.g. Toddlers 1', 'text', NULL, NULL, NULL),
	('care_class', 'age_band', '年龄段', 'age band', NULL, NULL, 'choice', NULL, NULL, NULL),
	('care_class', 'capacity', '容量', 'capacity', '0–200 的整数', 'whole number, 0–200', 'integer', 0, 200, NULL),
	('care_class', 'room', '教室', 'room', NULL, NULL, 'text', NULL, NULL, NULL),

	('care_offer', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('care_offer', 'id', '编号', 'id', '字母、数字、“-”和“_”', 'letters, digits, "-" and "_"', 'id', NULL, NULL, NULL),
	('care_offer', 'service_type_id', '服务类型', 'service type', '服务类型编号，如 full_day', 'service type id, e.g. full_day', 'reference', NULL, NULL, 'service_type'),
	('care_offer', 'fee_yuan', '收费（元）', 'fee (yuan)', '0–100000 的整数', 'whole number, 0–100000', 'integer', 0, 100000, NULL),
	('care_offer', 'fee_unit', '计费单位', 'fee per', NULL, NULL, 'choice', NULL, NULL, NULL),
	('care_offer', 'hours', '服务时间', 'hours', NULL, NULL, 'text', NULL, NULL, NULL),
	('care_offer', 'notes', '备注', 'notes', NULL, NULL, 'text', NULL, NULL, NULL),

	('child', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('child', 'id', '幼儿编号', 'child id', '字母、数字、“-”和“_”', 'letters, digits, "-" and "_"', 'id', NULL, NULL, NULL),
	('child', 'name', '幼儿姓名', 'child''s name', NULL, NULL, 'text', NULL, NULL, NULL),
	('child', 'birth_date', '出生日期', 'date of birth', '如 2025-03-18', 'e.g. 2025-03-18', 'date', NULL, NULL, NULL),
	('child', 'sex', '性别', 'sex', '女 或 男', 'female or male', 'choice', NULL, NULL, NULL),
	('child', 'guardian_name', '监护人姓名', 'guardian''s name', NULL, NULL, 'text', NULL, NULL, NULL),
	('child', 'guardian_phone', '监护人电话', 'guardian''s phone', '手机号或座机号', 'mobile or landline', 'phone', NULL, NULL, NULL),
	('child', 'notes', '备注', 'notes', '过敏、饮食等', 'allergies, diet and the like', 'text', NULL, NULL, NULL),

	('enrolment', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('enrolment', 'id', '编号', 'id', '字母、数字、“-”和“_”', 'letters, digits, "-" and "_"', 'id', NULL, NULL, NULL),
	('enrolment', 'child_id', '幼儿', 'child', '幼儿编号', 'child id', 'reference', NULL, NULL, 'child'),
	('enrolment', 'class_id', '班级', 'class', '班级编号', 'class id', 'reference', NULL, NULL, 'care_class'),
	('enrolment', 'mode', '入托方式', 'mode', NULL, NULL, 'choice', NULL, NULL, NULL),
	('enrolment', 'starts_on', '入托日期', 'starts on', '如 2026-09-01', 'e.g. 2026-09-01', 'date', NULL, NULL, NULL),
	('enrolment', 'ends_on', '离托日期', 'ends on', '如 2027-07-01', 'e.g. 2027-07-01', 'date', NULL, NULL, NULL),

	('health_check', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('health_check', 'id', '编号', 'id', '字母、数字、“-”和“_”', 'letters, digits, "-" and "_"', 'id', NULL, NULL, NULL),
	('health_check', 'centre_id', '托育机构', 'childcare centre', '机构编号', 'centre id', 'reference', NULL, NULL, 'node'),
	('health_check', 'child_id', '幼儿', 'child', '幼儿编号（由托育机构提供）', 'child id (from the centre)', 'reference', NULL, NULL, 'child'),
	('health_check', 'checked_on', '体检日期', 'checked on', '如 2026-12-02', 'e.g. 2026-12-02', 'date', NULL, NULL, NULL),
	('health_check', 'height_cm', '身高（厘米）', 'height (cm)', '30–200', '30–200', 'decimal', 30, 200, NULL),
	('health_check', 'weight_kg', '体重（千克）', 'weight (kg)', '1–100', '1–100', 'decimal', 1, 100, NULL),
	('health_check', 'findings', '检查结果', 'findings', NULL, NULL, 'text', NULL, NULL, NULL),
	('health_check', 'next_due', '下次体检日期', 'next check due', '如 2027-06-02', 'e.g. 2027-06-02', 'date', NULL, NULL, NULL),

	('partnership', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('partnership', 'id', '编号', 'id', '字母、数字、“-”和“_”', 'letters, digits, "-" and "_"', 'id', NULL, NULL, NULL),
	('partnership', 'partner_id', '合作机构', 'partner', '机构编号', 'node id', 'reference', NULL, NULL, 'node'),
	('partnership', 'kind', '合作类型', 'kind', NULL, NULL, 'choice', NULL, NULL, NULL),
	('partnership', 'since', '合作开始日期', 'since', '如 2026-01-15', 'e.g. 2026-01-15', 'date', NULL, NULL, NULL),
	('partnership', 'services', '合作内容', 'services', NULL, NULL, 'text', NULL, NULL, NULL),

	('volunteer_team', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('volunteer_team', 'id', '编号', 'id', '字母、数字、“-”和“_”', 'letters, digits, "-" and "_"', 'id', NULL, NULL, NULL),
	('volunteer_team', 'name', '队伍名称', 'team name', NULL, NULL, 'text', NULL, NULL, NULL),
	('volunteer_team', 'service_type_id', '服务类型', 'service type', '服务类型编号，如 repair', 'service type id, e.g. repair', 'reference', NULL, NULL, 'service_type'),
	('volunteer_team', 'members', '队员人数', 'members', '0–10000 的整数', 'whole number, 0–10000', 'integer', 0, 10000, NULL),

	('volunteer', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('volunteer', 'id', '编号', 'id', '字母、数字、“-”和“_”', 'letters, digits, "-" and "_"', 'id', NULL, NULL, NULL),
	('volunteer', 'name', '志愿者姓名', 'volunteer''s name', NULL, NULL, 'text', NULL, NULL, NULL),
	('volunteer', 'phone', '联系电话', 'phone', '手机号或座机号', 'mobile or landline', 'phone', NULL, NULL, NULL),
	('volunteer', 'team_id', '所属队伍', 'team', '队伍编号', 'team id', 'reference', NULL, NULL, 'volunteer_team'),
	('volunteer', 'skills', '特长', 'skills', NULL, NULL, 'text', NULL, NULL, NULL),
	('volunteer', 'party_member', '党员', 'party member', '是 或 否', 'yes or no', 'flag', NULL, NULL, NULL),

	('service_request', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('service_request', 'id', '编号', 'id', '字母、数字、“-”和“_”', 'letters, digits, "-" and "_"', 'id', NULL, NULL, NULL),
	('service_request', 'service_type_id', '服务类型', 'service type', '服务类型编号，如 repair', 'service type id, e.g. repair', 'reference', NULL, NULL, 'service_type'),
	('service_request', 'requested_at', '求助时间', 'requested at', '如 2026-12-10 09:00', 'e.g. 2026-12-10 09:00', 'timestamp', NULL, NULL, NULL),
	('service_request', 'resident_name', '居民姓名', 'resident''s name', NULL, NULL, 'text', NULL, NULL, NULL),
	('service_request', 'resident_phone', '居民电话', 'resident''s phone', '手机号或座机号', 'mobile or landline', 'phone', NULL, NULL, NULL),
	('service_request', 'address', '地址', 'address', NULL, NULL, 'text', NULL, NULL, NULL),
	('service_request', 'details', '需求详情', 'details', NULL, NULL, 'text', NULL, NULL, NULL),
	('service_request', 'status', '办理状态', 'status', NULL, NULL, 'choice', NULL, NULL, NULL),
	('service_request', 'team_id', '服务队伍', 'team', '队伍编号', 'team id', 'reference', NULL, NULL, 'volunteer_team'),
	('service_request', 'volunteer_id', '志愿者', 'volunteer', '志愿者编号', 'volunteer id', 'reference', NULL, NULL, 'volunteer'),
	('service_request', 'assignee', '承接机构', 'assigned to', '机构编号', 'node id', 'reference', NULL, NULL, 'node'),
	('service_request', 'done_at', '完成时间', 'done at', '如 2026-12-10 16:30', 'e.g. 2026-12-10 16:30', 'timestamp', NULL, NULL, NULL),
	('service_request', 'feedback', '居民评价', 'feedback', NULL, NULL, 'text', NULL, NULL, NULL),

	('event', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('event', 'id', '编号', 'id', '字母、数字、“-”和“_”', 'letters, digits, "-" and "_"', 'id', NULL, NULL, NULL),
	('event', 'kind', '活动类型', 'kind', NULL, NULL, 'choice', NULL, NULL, NULL),
	('event', 'title', '活动名称', 'title', NULL, NULL, 'text', NULL, NULL, NULL),
	('event', 'title_en', '英文名称', 'title in English', NULL, NULL, 'text', NULL, NULL, NULL),
	('event', 'starts_at', '开始时间', 'starts at', '如 2026-12-10 09:00', 'e.g. 2026-12-10 09:00', 'timestamp', NULL, NULL, NULL),
	('event', 'ends_at', '结束时间', 'ends at', '如 2026-12-10 11:00', 'e.g. 2026-12-10 11:00', 'timestamp', NULL, NULL, NULL),
	('event', 'place', '地点', 'place', NULL, NULL, 'text', NULL, NULL, NULL),
	('event', 'audience', '面向人群', 'audience', NULL, NULL, 'choice', NULL, NULL, NULL),
	('event', 'description_md', '活动介绍', 'description', '可用 Markdown', 'Markdown allowed', 'markdown', NULL, NULL, NULL),
	('event', 'public', '公开发布', 'public', '是 或 否', 'yes or no', 'flag', NULL, NULL, NULL),

	('request_tally', 'owner', '所属节点', 'owner', '维护这一行的节点编号', 'node that keeps this row', 'id', NULL, NULL, NULL),
	('request_tally', 'id', '编号', 'id', NULL, NULL, 'id', NULL, NULL, NULL),
	('request_tally', 'service_type_id', '服务类型', 'service type', NULL, NULL, 'reference', NULL, NULL, 'service_type'),
	('request_tally', 'month', '月份', 'month', '如 2026-12', 'e.g. 2026-12', 'month', NULL, NULL, NULL),
	('request_tally', 'solved', '已解决数', 'solved', '不小于 0 的整数', 'whole number, 0 or more', 'integer', 0, NULL, NULL);

INSERT INTO hearth_column (tbl, col, label_zh, label_en, hint_zh, hint_en, kind, min, max, ref_table)
	SELECT tbl, col, label_zh, label_en, hint_zh, hint_en, kind, min, max, ref_table FROM decl
		WHERE true
	ON CONFLICT (tbl, col) DO UPDATE SET label_zh = excluded.label_zh,
		label_en = excluded.label_en, hint_zh = excluded.hint_zh, hint_en = excluded.hint_en,
		kind = excluded.kind, min = excluded.min, max = excluded.max,
		ref_table = excluded.ref_table;
DROP TABLE decl;

INSERT INTO hearth_choice (tbl, col, value, label_zh, label_en, rank) VALUES
	('region', 'level', 'city', '市', 'city', 1),
	('region', 'level', 'county', '县（区）', 'county', 2),
	('region', 'level', 'street', '街道（乡镇）', 'street', 3),
	('region', 'level', 'community', '社区（村）', 'community', 4),
	('region', 'level', 'grid', '网格', 'grid', 5),
	('service_type', 'domain', 'childcare', '托育', 'childcare', 1),
	('service_type', 'domain', 'volunteer', '志愿服务', 'volunteering', 2),
	('service_type', 'domain', 'health', '医疗健康', 'health', 3),
	('service_type', 'domain', 'community', '社区服务', 'community', 4),
	('node', 'kind', 'office', '主管部门', 'office', 1),
	('node', 'kind', 'childcare_centre', '托育机构', 'childcare centre', 2),
	('node', 'kind', 'volunteer_station', '志愿服务站', 'volunteer station', 3),
	('node', 'kind', 'volunteer_team', '志愿服务队', 'volunteer team', 4),
	('node', 'kind', 'community_centre', '社区服务中心', 'community centre', 5),
	('node', 'kind', 'hospital', '医院', 'hospital', 6),
	('node', 'kind', 'special_care_centre', '特殊儿童照护机构', 'special care centre', 7),
	('node', 'operator', 'public', '公办', 'public', 1),
	('node', 'operator', 'private', '民办', 'private', 2),
	('node', 'operator', 'public_private', '公建民营', 'public-private', 3),
	('node', 'status', 'planned', '规划中', 'planned', 1),
	('node', 'status', 'building', '建设中', 'being built', 2),
	('node', 'status', 'open', '运营中', 'open', 3),
	('node', 'status', 'paused', '暂停服务', 'paused', 4),
	('node', 'status', 'closed', '已关闭', 'closed', 5),
	('care_class', 'age_band', '0-1', '0–1 岁', '0–1 years', 1),
	('care_class', 'age_band', '1-2', '1–2 岁', '1–2 years', 2),
	('care_class', 'age_band', '2-3', '2–3 岁', '2–3 years', 3),
	('care_offer', 'fee_unit', 'month', '每月', 'per month', 1),
	('care_offer', 'fee_unit', 'day', '每天', 'per day', 2),
	('care_offer', 'fee_unit', 'hour', '每小时', 'per hour', 3),
	('care_offer', 'fee_unit', 'visit', '每次', 'per visit', 4),
	('child', 'sex', 'f', '女', 'female', 1),
	('child', 'sex', 'm', '男', 'male', 2),
	('enrolment', 'mode', 'full_day', '全日托', 'full day', 1),
	('enrolment', 'mode', 'temporary', '临时托', 'temporary', 2),
	('enrolment', 'mode', 'hourly', '计时托', 'hourly', 3),
	('partnership', 'kind', 'medical', '医育结合', 'medical', 1),
	('partnership', 'kind', 'education', '教育合作', 'education', 2),
	('partnership', 'kind', 'volunteer', '志愿服务', 'volunteering', 3),
	('service_request', 'status', 'new', '待受理', 'new', 1),
	('service_request', 'status', 'accepted', '已受理', 'accepted', 2),
	('service_request', 'status', 'cancelled', '已取消', 'cancelled', 3),
	('service_request', 'status', 'done', '已完成', 'done', 4),
	('event', 'kind', 'health_lecture', '健康讲座', 'health lecture', 1),
	('event', 'kind', 'free_clinic', '义诊', 'free clinic', 2),
	('event', 'kind', 'parenting_class', '育儿课堂', 'parenting class', 3),
	('event', 'kind', 'volunteer_activity', '志愿活动', 'volunteer activity', 4),
	('event', 'kind', 'community_activity', '社区活动', 'community activity', 5),
	('event', 'audience', 'parents', '家长', 'parents', 1),
	('event', 'audience', 'elderly', '老年人', 'older people', 2),
	('event', 'audience', 'children', '儿童', 'children', 3),
	('event', 'audience', 'all', '所有人', 'everyone', 4);
