-- hearth schema v1.
--
-- Synced tables: every one is keyed (owner, id), both NOT NULL, WITHOUT ROWID. `owner` is the node
-- that owns the row (reference data is owned by 'office'). The declarations below
-- (hearth_table, hearth_column) are what sync and site-gen read: a column is private unless it is
-- declared public; its merge policy is 'lww' unless declared otherwise.

-- Declarations -------------------------------------------------------------------------------

-- rank: order in which tables are dumped, applied and published (parents first).
-- audience_col: column naming a node that receives the row besides its owner and the office.
-- public_rows: SQL condition a row must meet to be published (NULL: every row).
CREATE TABLE hearth_table (
	name TEXT NOT NULL PRIMARY KEY,
	rank INTEGER NOT NULL UNIQUE,
	audience_col TEXT,
	public_rows TEXT
) WITHOUT ROWID;

-- visibility: 'public' may appear on the site; anything else is private.
-- policy: 'lww' | 'office' | 'state:a<b<c'.
-- audience_writable: the audience node may update this column.
CREATE TABLE hearth_column (
	tbl TEXT NOT NULL,
	col TEXT NOT NULL,
	visibility TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('public', 'private')),
	policy TEXT NOT NULL DEFAULT 'lww' CHECK (policy IN ('lww', 'office') OR policy LIKE 'state:%'),
	audience_writable INTEGER NOT NULL DEFAULT 0 CHECK (audience_writable IN (0, 1)),
	PRIMARY KEY (tbl, col)
) WITHOUT ROWID;

-- Engine state (never synced) ----------------------------------------------------------------

-- The fingerprint of the synced tables after each migration: the office accepts changes from
-- nodes still on an older schema it knows, lifting them (added columns take their defaults).
CREATE TABLE hearth_schema_history (
	version INTEGER PRIMARY KEY,
	fingerprint TEXT NOT NULL
);

CREATE TABLE hearth_meta (
	key TEXT NOT NULL PRIMARY KEY,
	value TEXT
) WITHOUT ROWID;

-- Every recorded write, as written. pushed: 1 once a commit on `up` holds it.
CREATE TABLE hearth_outbox (
	seq INTEGER PRIMARY KEY,
	clock TEXT NOT NULL,
	summary TEXT NOT NULL,
	changeset BLOB NOT NULL,
	pushed INTEGER NOT NULL DEFAULT 0
);

-- The overlay: what takes the office's last known state to this node's current state. Stored
-- as of the last pull (covering the node's writes up to upto_seq); the writes since are the
-- outbox entries above upto_seq, combined in only when a pull needs the whole overlay, so a
-- recorded write never rewrites it.
CREATE TABLE hearth_overlay (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	changeset BLOB NOT NULL,
	upto_seq INTEGER NOT NULL DEFAULT 0
);

-- Remotes: at a node usually one ('office'); at the office one per node, named by the node id.
-- last_sync_ms: the last sync that completed; last_seen_ms (office): clock time of the newest
-- change merged from that node, i.e. when the node was last heard of.
CREATE TABLE hearth_remote (
	name TEXT NOT NULL PRIMARY KEY,
	url TEXT NOT NULL,
	last_sync_ms INTEGER,
	last_seen_ms INTEGER,
	last_error TEXT,
	last_error_ms INTEGER
) WITHOUT ROWID;

-- Office: every node entry merged (idempotency: a (node, seq) is applied once).
CREATE TABLE hearth_applied (
	node TEXT NOT NULL,
	seq INTEGER NOT NULL,
	clock TEXT NOT NULL,
	commit_id TEXT NOT NULL,
	office_seq INTEGER,
	clamped INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (node, seq)
) WITHOUT ROWID;

-- Office: per node, how far its `up` was read and its `down` written.
CREATE TABLE hearth_peer (
	node TEXT NOT NULL PRIMARY KEY,
	up_head TEXT,
	applied_seq INTEGER NOT NULL DEFAULT 0,
	down_head TEXT,
	down_office_seq INTEGER NOT NULL DEFAULT 0,
	down_ack INTEGER NOT NULL DEFAULT 0,
	down_since_snapshot INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Office: the merged log, net effect of each merged entry (what the downs are cut from).
CREATE TABLE hearth_log (
	office_seq INTEGER PRIMARY KEY,
	clock TEXT NOT NULL,
	origin TEXT NOT NULL,
	origin_seq INTEGER,
	summary TEXT NOT NULL,
	changeset BLOB NOT NULL
);

-- Office: the clock and node of each value held (col '' = the whole row, overridden per column).
CREATE TABLE hearth_origin (
	tbl TEXT NOT NULL,
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	col TEXT NOT NULL,
	clock TEXT NOT NULL,
	node TEXT NOT NULL,
	PRIMARY KEY (tbl, owner, id, col)
) WITHOUT ROWID;

-- Office: commits refused, with the reason; the node's log stops at the first one.
CREATE TABLE hearth_quarantine (
	node TEXT NOT NULL,
	commit_id TEXT NOT NULL,
	seq INTEGER,
	reason TEXT NOT NULL,
	at_ms INTEGER NOT NULL,
	PRIMARY KEY (node, commit_id)
) WITHOUT ROWID;

-- Office: every value that lost a merge. kept/lost keep their SQLite type (no affinity).
CREATE TABLE hearth_conflict (
	id INTEGER PRIMARY KEY,
	tbl TEXT NOT NULL,
	owner TEXT NOT NULL,
	row_id TEXT NOT NULL,
	col TEXT NOT NULL,
	policy TEXT NOT NULL,
	kept,
	kept_node TEXT,
	kept_clock TEXT,
	lost,
	lost_node TEXT,
	lost_clock TEXT,
	at_ms INTEGER NOT NULL,
	resolved TEXT
);

-- Office: every retention purge (`hearth purge`), one row per table purged from: what, when, by
-- whom and how many rows. Never the purged values.
CREATE TABLE hearth_purge_log (
	id INTEGER NOT NULL,
	at_ms INTEGER NOT NULL,
	by_node TEXT NOT NULL,
	older_than TEXT NOT NULL,
	cutoff TEXT NOT NULL,
	tbl TEXT NOT NULL,
	rows INTEGER NOT NULL,
	PRIMARY KEY (id, tbl)
) WITHOUT ROWID;

-- Node: entries received on `down`, for `log`.
CREATE TABLE hearth_received (
	office_seq INTEGER PRIMARY KEY,
	clock TEXT NOT NULL,
	summary TEXT NOT NULL
);

-- Synced tables ------------------------------------------------------------------------------

CREATE TABLE region (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	parent_id TEXT,
	level TEXT NOT NULL CHECK (level IN ('city', 'county', 'street', 'community', 'grid')),
	name TEXT NOT NULL,
	name_en TEXT,
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE service_type (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	domain TEXT NOT NULL CHECK (domain IN ('childcare', 'volunteer', 'health', 'community')),
	name TEXT NOT NULL,
	name_en TEXT,
	description TEXT,
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE node (
	owner TEXT NOT NULL,
	id TEXT NOT NULL CHECK (id = owner),
	kind TEXT NOT NULL CHECK (kind IN ('office', 'childcare_centre', 'volunteer_station',
		'volunteer_team', 'community_centre', 'hospital', 'special_care_centre')),
	name TEXT NOT NULL,
	name_en TEXT,
	region_id TEXT,
	address TEXT,
	phone TEXT,
	hours TEXT,
	operator TEXT CHECK (operator IN ('public', 'private', 'public_private')),
	affordable INTEGER NOT NULL DEFAULT 0 CHECK (affordable IN (0, 1)),
	status TEXT NOT NULL DEFAULT 'open'
		CHECK (status IN ('planned', 'building', 'open', 'paused', 'closed')),
	opens_on TEXT,
	places INTEGER CHECK (places >= 0),
	floor_area_m2 INTEGER,
	site_area_m2 INTEGER,
	description_md TEXT,
	lat REAL,
	lon REAL,
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE care_class (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	age_band TEXT NOT NULL CHECK (age_band IN ('0-1', '1-2', '2-3')),
	capacity INTEGER NOT NULL CHECK (capacity >= 0),
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE care_offer (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	service_type_id TEXT NOT NULL,
	fee_yuan INTEGER CHECK (fee_yuan >= 0),
	fee_unit TEXT CHECK (fee_unit IN ('month', 'day', 'hour', 'visit')),
	hours TEXT,
	notes TEXT,
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE child (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	birth_date TEXT,
	sex TEXT CHECK (sex IN ('f', 'm')),
	guardian_name TEXT,
	guardian_phone TEXT,
	notes TEXT,
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE enrolment (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	child_id TEXT NOT NULL,
	class_id TEXT NOT NULL,
	mode TEXT NOT NULL DEFAULT 'full_day' CHECK (mode IN ('full_day', 'temporary', 'hourly')),
	starts_on TEXT,
	ends_on TEXT,
	PRIMARY KEY (owner, id),
	FOREIGN KEY (owner, child_id) REFERENCES child (owner, id),
	FOREIGN KEY (owner, class_id) REFERENCES care_class (owner, id)
) WITHOUT ROWID;

CREATE TABLE health_check (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	centre_id TEXT NOT NULL,
	child_id TEXT NOT NULL,
	checked_on TEXT,
	height_cm REAL,
	weight_kg REAL,
	findings TEXT,
	next_due TEXT,
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE partnership (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	partner_id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('medical', 'education', 'volunteer')),
	since TEXT,
	services TEXT,
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE volunteer_team (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	service_type_id TEXT,
	members INTEGER CHECK (members >= 0),
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE volunteer (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	phone TEXT,
	team_id TEXT,
	skills TEXT,
	party_member INTEGER NOT NULL DEFAULT 0 CHECK (party_member IN (0, 1)),
	PRIMARY KEY (owner, id),
	FOREIGN KEY (owner, team_id) REFERENCES volunteer_team (owner, id)
) WITHOUT ROWID;

CREATE TABLE service_request (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	service_type_id TEXT NOT NULL,
	requested_at TEXT NOT NULL,
	resident_name TEXT,
	resident_phone TEXT,
	address TEXT,
	details TEXT,
	status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'cancelled', 'done')),
	team_id TEXT,
	volunteer_id TEXT,
	assignee TEXT,
	done_at TEXT,
	feedback TEXT,
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

CREATE TABLE event (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('health_lecture', 'free_clinic', 'parenting_class',
		'volunteer_activity', 'community_activity')),
	title TEXT NOT NULL,
	title_en TEXT,
	starts_at TEXT NOT NULL,
	ends_at TEXT,
	place TEXT,
	audience TEXT CHECK (audience IN ('parents', 'elderly', 'children', 'all')),
	description_md TEXT,
	public INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

-- Requests solved per service type and month (YYYY-MM of done_at) whose rows `hearth purge`
-- removed: the site adds these to the requests it counts, so its aggregates survive the purge.
-- Written by the office only.
CREATE TABLE request_tally (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	service_type_id TEXT NOT NULL,
	month TEXT NOT NULL,
	solved INTEGER NOT NULL DEFAULT 0 CHECK (solved >= 0),
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;

-- Declarations of the synced tables -----------------------------------------------------------

INSERT INTO hearth_table (name, rank, audience_col, public_rows) VALUES
	('region', 1, NULL, NULL),
	('service_type', 2, NULL, NULL),
	('node', 3, NULL, NULL),
	('care_class', 4, NULL, NULL),
	('care_offer', 5, NULL, NULL),
	('child', 6, NULL, NULL),
	('enrolment', 7, NULL, NULL),
	('health_check', 8, 'centre_id', NULL),
	('partnership', 9, 'partner_id', NULL),
	('volunteer_team', 10, NULL, NULL),
	('volunteer', 11, NULL, NULL),
	('service_request', 12, 'assignee', NULL),
	('event', 13, NULL, 'public = 1'),
	('request_tally', 14, NULL, NULL);

-- Public columns (everything not listed here is private).
INSERT INTO hearth_column (tbl, col, visibility) VALUES
	('region', 'owner', 'public'), ('region', 'id', 'public'), ('region', 'parent_id', 'public'),
	('region', 'level', 'public'), ('region', 'name', 'public'), ('region', 'name_en', 'public'),
	('service_type', 'owner', 'public'), ('service_type', 'id', 'public'),
	('service_type', 'domain', 'public'), ('service_type', 'name', 'public'),
	('service_type', 'name_en', 'public'), ('service_type', 'description', 'public'),
	('node', 'owner', 'public'), ('node', 'id', 'public'), ('node', 'kind', 'public'),
	('node', 'name', 'public'), ('node', 'name_en', 'public'), ('node', 'region_id', 'public'),
	('node', 'address', 'public'), ('node', 'phone', 'public'), ('node', 'hours', 'public'),
	('node', 'operator', 'public'), ('node', 'affordable', 'public'),
	('node', 'status', 'public'), ('node', 'opens_on', 'public'), ('node', 'places', 'public'),
	('node', 'floor_area_m2', 'public'), ('node', 'site_area_m2', 'public'),
	('node', 'description_md', 'public'), ('node', 'lat', 'public'), ('node', 'lon', 'public'),
	('care_class', 'owner', 'public'), ('care_class', 'id', 'public'),
	('care_class', 'name', 'public'), ('care_class', 'age_band', 'public'),
	('care_class', 'capacity', 'public'),
	('care_offer', 'owner', 'public'), ('care_offer', 'id', 'public'),
	('care_offer', 'service_type_id', 'public'), ('care_offer', 'fee_yuan', 'public'),
	('care_offer', 'fee_unit', 'public'), ('care_offer', 'hours', 'public'),
	('care_offer', 'notes', 'public'),
	('partnership', 'owner', 'public'), ('partnership', 'id', 'public'),
	('partnership', 'partner_id', 'public'), ('partnership', 'kind', 'public'),
	('partnership', 'since', 'public'), ('partnership', 'services', 'public'),
	('volunteer_team', 'owner', 'public'), ('volunteer_team', 'id', 'public'),
	('volunteer_team', 'name', 'public'), ('volunteer_team', 'service_type_id', 'public'),
	('volunteer_team', 'members', 'public'),
	('event', 'owner', 'public'), ('event', 'id', 'public'), ('event', 'kind', 'public'),
	('event', 'title', 'public'), ('event', 'title_en', 'public'),
	('event', 'starts_at', 'public'), ('event', 'ends_at', 'public'),
	('event', 'place', 'public'), ('event', 'audience', 'public'),
	('event', 'description_md', 'public'), ('event', 'public', 'public'),
	('request_tally', 'owner', 'public'), ('request_tally', 'id', 'public'),
	('request_tally', 'service_type_id', 'public'), ('request_tally', 'month', 'public'),
	('request_tally', 'solved', 'public');

-- Merge policies other than lww.
INSERT INTO hearth_column (tbl, col, policy) VALUES
	('care_class', 'capacity', 'office')
	ON CONFLICT (tbl, col) DO UPDATE SET policy = excluded.policy;
INSERT INTO hearth_column (tbl, col, policy) VALUES
	('node', 'status', 'office')
	ON CONFLICT (tbl, col) DO UPDATE SET policy = excluded.policy;
INSERT INTO hearth_column (tbl, col, policy, audience_writable) VALUES
	('service_request', 'status', 'state:new<accepted<cancelled<done', 1),
	('service_request', 'volunteer_id', 'lww', 1),
	('service_request', 'done_at', 'lww', 1),
	('service_request', 'feedback', 'lww', 1);

-- Reference data, owned by the office ---------------------------------------------------------

INSERT INTO region (owner, id, parent_id, level, name, name_en) VALUES
	('office', 'changzhi', NULL, 'city', '长治市', 'Changzhi'),
	('office', 'luzhou', 'changzhi', 'county', '潞州区', 'Luzhou District'),
	('office', 'shangdang', 'changzhi', 'county', '上党区', 'Shangdang District'),
	('office', 'tunliu', 'changzhi', 'county', '屯留区', 'Tunliu District'),
	('office', 'lucheng', 'changzhi', 'county', '潞城区', 'Lucheng District'),
	('office', 'xiangyuan', 'changzhi', 'county', '襄垣县', 'Xiangyuan County'),
	('office', 'pingshun', 'changzhi', 'county', '平顺县', 'Pingshun County'),
	('office', 'licheng', 'changzhi', 'county', '黎城县', 'Licheng County'),
	('office', 'huguan', 'changzhi', 'county', '壶关县', 'Huguan County'),
	('office', 'zhangzi', 'changzhi', 'county', '长子县', 'Zhangzi County'),
	('office', 'wuxiang', 'changzhi', 'county', '武乡县', 'Wuxiang County'),
	('office', 'qinxian', 'changzhi', 'county', '沁县', 'Qin County'),
	('office', 'qinyuan', 'changzhi', 'county', '沁源县', 'Qinyuan County');

INSERT INTO service_type (owner, id, domain, name, name_en, description) VALUES
	('office', 'full_day', 'childcare', '全日托', 'Full-day care', NULL),
	('office', 'half_day', 'childcare', '半日托', 'Half-day care', NULL),
	('office', 'temporary', 'childcare', '临时托', 'Temporary care', NULL),
	('office', 'hourly', 'childcare', '小时托', 'Hourly care', NULL),
	('office', 'home_visit', 'childcare', '送育上门', 'Home visits', NULL),
	('office', 'parenting_guidance', 'childcare', '家庭科学育儿指导', 'Parenting guidance', NULL),
	('office', 'mediation', 'volunteer', '矛盾调解', 'Dispute mediation', NULL),
	('office', 'elderly_canteen', 'volunteer', '助老食堂', 'Elderly canteen', NULL),
	('office', 'repair', 'volunteer', '维修服务', 'Repairs', NULL),
	('office', 'charity_clinic', 'volunteer', '爱心义诊', 'Charity clinic', NULL),
	('office', 'ride_escort', 'volunteer', '叫车陪送', 'Ride booking and escort', NULL),
	('office', 'policy_outreach', 'volunteer', '政策宣传', 'Policy outreach', NULL),
	('office', 'property_watch', 'volunteer', '物业监管', 'Property management watch', NULL),
	('office', 'opinion_collection', 'volunteer', '社情民意收集', 'Collecting residents'' views', NULL),
	('office', 'health_lecture', 'health', '健康讲座', 'Health lecture', NULL),
	('office', 'bp_screening', 'health', '血压测量', 'Blood-pressure check', NULL),
	('office', 'vaccination', 'health', '预防接种', 'Vaccination', NULL),
	('office', 'development_check', 'health', '发育监测', 'Development monitoring', NULL);
