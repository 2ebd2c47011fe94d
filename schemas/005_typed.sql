-- hearth schema v5: typed tables. Every synced table is rebuilt STRICT (a value has the declared
-- type or is refused: '二十' is no longer stored in an INTEGER column), with one CHECK per
-- checked column, named after the column so that a refusal names it. Same columns in the same
-- order: the fingerprint (docs/format.md section 4) does not change, so nodes still on v1-v4
-- are lifted as before. The rows are copied by core/typed.c after this file ran: a value that
-- fails a check is converted when it can be ('30' -> 30, '2026/12/02' -> '2026-12-02', a local
-- time -> '+08:00') and otherwise set aside in hearth_to_fix, never dropped.

-- Values set aside: by this migration, or at the office when a node still on schema 4 or older
-- sends them (origin = that node). `placed` is what the column took instead (NULL, its default,
-- or for a NOT NULL column without default the safe value named in `reason`). An entry is listed
-- (`hearth report`, "to fix") while the row still holds `placed` there; setting the value again
-- clears it. Never synced.
CREATE TABLE hearth_to_fix (
	tbl TEXT NOT NULL,
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	col TEXT NOT NULL,
	original TEXT,
	placed,
	reason TEXT NOT NULL,
	origin TEXT NOT NULL,
	at_ms INTEGER NOT NULL,
	PRIMARY KEY (tbl, owner, id, col)
) WITHOUT ROWID;

-- The v4 tables step aside; core/typed.c copies their rows into the new ones and drops them.
ALTER TABLE region RENAME TO hearth_v4_region;
ALTER TABLE service_type RENAME TO hearth_v4_service_type;
ALTER TABLE node RENAME TO hearth_v4_node;
ALTER TABLE care_class RENAME TO hearth_v4_care_class;
ALTER TABLE care_offer RENAME TO hearth_v4_care_offer;
ALTER TABLE child RENAME TO hearth_v4_child;
ALTER TABLE enrolment RENAME TO hearth_v4_enrolment;
ALTER TABLE health_check RENAME TO hearth_v4_health_check;
ALTER TABLE partnership RENAME TO hearth_v4_partnership;
ALTER TABLE volunteer_team RENAME TO hearth_v4_volunteer_team;
ALTER TABLE volunteer RENAME TO hearth_v4_volunteer;
ALTER TABLE service_request RENAME TO hearth_v4_service_request;
ALTER TABLE event RENAME TO hearth_v4_event;
ALTER TABLE request_tally RENAME TO hearth_v4_request_tally;

-- The value rules (one per column kind; core's declarations say the same, tests prove it):
--   date       YYYY-MM-DD, a real calendar date ('+0 days' makes SQLite normalise 2026-02-30,
--              which date() alone returns as it is)
--   timestamp  YYYY-MM-DDTHH:MM:SS+HH:MM (or -HH:MM), seconds always, no Z, no fractions
--   phone      a mainland mobile (1[3-9] and 9 digits) or a landline (0, a 2-3 digit area code,
--              an optional '-', 7-8 digits)

CREATE TABLE region (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	parent_id TEXT,
	level TEXT NOT NULL CONSTRAINT level
		CHECK (level IN ('city', 'county', 'street', 'community', 'grid')),
	name TEXT NOT NULL,
	name_en TEXT,
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE service_type (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	domain TEXT NOT NULL CONSTRAINT domain
		CHECK (domain IN ('childcare', 'volunteer', 'health', 'community')),
	name TEXT NOT NULL,
	name_en TEXT,
	description TEXT,
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE node (
	owner TEXT NOT NULL,
	id TEXT NOT NULL CONSTRAINT id CHECK (id = owner),
	kind TEXT NOT NULL CONSTRAINT kind CHECK (kind IN ('office', 'childcare_centre',
		'volunteer_station', 'volunteer_team', 'community_centre', 'hospital',
		'special_care_centre')),
	name TEXT NOT NULL,
	name_en TEXT,
	region_id TEXT,
	address TEXT,
	phone TEXT CONSTRAINT phone CHECK (phone IS NULL
		OR phone GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
		OR (phone GLOB '0[0-9]*' AND phone NOT GLOB '*[^0-9]*'
			AND length(phone) BETWEEN 10 AND 12)
		OR ((phone GLOB '0[0-9][0-9]-*' OR phone GLOB '0[0-9][0-9][0-9]-*')
			AND substr(phone, instr(phone, '-') + 1) NOT GLOB '*[^0-9]*'
			AND length(phone) - instr(phone, '-') IN (7, 8))),
	hours TEXT,
	operator TEXT CONSTRAINT operator CHECK (operator IN ('public', 'private', 'public_private')),
	affordable INTEGER NOT NULL DEFAULT 0 CONSTRAINT affordable CHECK (affordable IN (0, 1)),
	status TEXT NOT NULL DEFAULT 'open' CONSTRAINT status
		CHECK (status IN ('planned', 'building', 'open', 'paused', 'closed')),
	opens_on TEXT CONSTRAINT opens_on CHECK (opens_on IS NULL OR (opens_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
		AND date(opens_on, '+0 days') IS opens_on)),
	places INTEGER CONSTRAINT places CHECK (places BETWEEN 0 AND 2000),
	floor_area_m2 INTEGER CONSTRAINT floor_area_m2 CHECK (floor_area_m2 BETWEEN 0 AND 1000000),
	site_area_m2 INTEGER CONSTRAINT site_area_m2 CHECK (site_area_m2 BETWEEN 0 AND 1000000),
	description_md TEXT,
	lat REAL CONSTRAINT lat CHECK (lat BETWEEN 35.6 AND 37.2),
	lon REAL CONSTRAINT lon CHECK (lon BETWEEN 111.8 AND 113.9),
	registration_no TEXT,
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE care_class (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	age_band TEXT NOT NULL CONSTRAINT age_band CHECK (age_band IN ('0-1', '1-2', '2-3')),
	capacity INTEGER NOT NULL CONSTRAINT capacity CHECK (capacity BETWEEN 0 AND 200),
	room TEXT,
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE care_offer (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	service_type_id TEXT NOT NULL,
	fee_yuan INTEGER CONSTRAINT fee_yuan CHECK (fee_yuan BETWEEN 0 AND 100000),
	fee_unit TEXT CONSTRAINT fee_unit CHECK (fee_unit IN ('month', 'day', 'hour', 'visit')),
	hours TEXT,
	notes TEXT,
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE child (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	birth_date TEXT CONSTRAINT birth_date CHECK (birth_date IS NULL OR (birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
		AND date(birth_date, '+0 days') IS birth_date)),
	sex TEXT CONSTRAINT sex CHECK (sex IN ('f', 'm')),
	guardian_name TEXT,
	guardian_phone TEXT CONSTRAINT guardian_phone CHECK (guardian_phone IS NULL
		OR guardian_phone GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
		OR (guardian_phone GLOB '0[0-9]*' AND guardian_phone NOT GLOB '*[^0-9]*'
			AND length(guardian_phone) BETWEEN 10 AND 12)
		OR ((guardian_phone GLOB '0[0-9][0-9]-*' OR guardian_phone GLOB '0[0-9][0-9][0-9]-*')
			AND substr(guardian_phone, instr(guardian_phone, '-') + 1) NOT GLOB '*[^0-9]*'
			AND length(guardian_phone) - instr(guardian_phone, '-') IN (7, 8))),
	notes TEXT,
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE enrolment (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	child_id TEXT NOT NULL,
	class_id TEXT NOT NULL,
	mode TEXT NOT NULL DEFAULT 'full_day' CONSTRAINT mode
		CHECK (mode IN ('full_day', 'temporary', 'hourly')),
	starts_on TEXT CONSTRAINT starts_on CHECK (starts_on IS NULL OR (starts_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
		AND date(starts_on, '+0 days') IS starts_on)),
	ends_on TEXT CONSTRAINT ends_on CHECK (ends_on IS NULL OR (ends_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
		AND date(ends_on, '+0 days') IS ends_on)),
	PRIMARY KEY (owner, id),
	FOREIGN KEY (owner, child_id) REFERENCES child (owner, id),
	FOREIGN KEY (owner, class_id) REFERENCES care_class (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE health_check (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	centre_id TEXT NOT NULL,
	child_id TEXT NOT NULL,
	checked_on TEXT CONSTRAINT checked_on CHECK (checked_on IS NULL OR (checked_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
		AND date(checked_on, '+0 days') IS checked_on)),
	height_cm REAL CONSTRAINT height_cm CHECK (height_cm BETWEEN 30 AND 200),
	weight_kg REAL CONSTRAINT weight_kg CHECK (weight_kg BETWEEN 1 AND 100),
	findings TEXT,
	next_due TEXT CONSTRAINT next_due CHECK (next_due IS NULL OR (next_due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
		AND date(next_due, '+0 days') IS next_due)),
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE partnership (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	partner_id TEXT NOT NULL,
	kind TEXT NOT NULL CONSTRAINT kind CHECK (kind IN ('medical', 'education', 'volunteer')),
	since TEXT CONSTRAINT since CHECK (since IS NULL OR (since GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
		AND date(since, '+0 days') IS since)),
	services TEXT,
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE volunteer_team (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	service_type_id TEXT,
	members INTEGER CONSTRAINT members CHECK (members BETWEEN 0 AND 10000),
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE volunteer (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	phone TEXT CONSTRAINT phone CHECK (phone IS NULL
		OR phone GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
		OR (phone GLOB '0[0-9]*' AND phone NOT GLOB '*[^0-9]*'
			AND length(phone) BETWEEN 10 AND 12)
		OR ((phone GLOB '0[0-9][0-9]-*' OR phone GLOB '0[0-9][0-9][0-9]-*')
			AND substr(phone, instr(phone, '-') + 1) NOT GLOB '*[^0-9]*'
			AND length(phone) - instr(phone, '-') IN (7, 8))),
	team_id TEXT,
	skills TEXT,
	party_member INTEGER NOT NULL DEFAULT 0 CONSTRAINT party_member
		CHECK (party_member IN (0, 1)),
	PRIMARY KEY (owner, id),
	FOREIGN KEY (owner, team_id) REFERENCES volunteer_team (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE service_request (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	service_type_id TEXT NOT NULL,
	requested_at TEXT NOT NULL CONSTRAINT requested_at CHECK (requested_at IS NULL OR (requested_at GLOB
		'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][+-][0-9][0-9]:[0-9][0-9]'
		AND date(substr(requested_at, 1, 10), '+0 days') IS substr(requested_at, 1, 10) AND time(substr(requested_at, 12, 8)) IS substr(requested_at, 12, 8)
		AND substr(requested_at, 21, 2) <= '14' AND substr(requested_at, 24, 2) < '60')),
	resident_name TEXT,
	resident_phone TEXT CONSTRAINT resident_phone CHECK (resident_phone IS NULL
		OR resident_phone GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
		OR (resident_phone GLOB '0[0-9]*' AND resident_phone NOT GLOB '*[^0-9]*'
			AND length(resident_phone) BETWEEN 10 AND 12)
		OR ((resident_phone GLOB '0[0-9][0-9]-*' OR resident_phone GLOB '0[0-9][0-9][0-9]-*')
			AND substr(resident_phone, instr(resident_phone, '-') + 1) NOT GLOB '*[^0-9]*'
			AND length(resident_phone) - instr(resident_phone, '-') IN (7, 8))),
	address TEXT,
	details TEXT,
	status TEXT NOT NULL DEFAULT 'new' CONSTRAINT status
		CHECK (status IN ('new', 'accepted', 'cancelled', 'done')),
	team_id TEXT,
	volunteer_id TEXT,
	assignee TEXT,
	done_at TEXT CONSTRAINT done_at CHECK (done_at IS NULL OR (done_at GLOB
		'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][+-][0-9][0-9]:[0-9][0-9]'
		AND date(substr(done_at, 1, 10), '+0 days') IS substr(done_at, 1, 10) AND time(substr(done_at, 12, 8)) IS substr(done_at, 12, 8)
		AND substr(done_at, 21, 2) <= '14' AND substr(done_at, 24, 2) < '60')),
	feedback TEXT,
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE event (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	kind TEXT NOT NULL CONSTRAINT kind CHECK (kind IN ('health_lecture', 'free_clinic',
		'parenting_class', 'volunteer_activity', 'community_activity')),
	title TEXT NOT NULL,
	title_en TEXT,
	starts_at TEXT NOT NULL CONSTRAINT starts_at CHECK (starts_at IS NULL OR (starts_at GLOB
		'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][+-][0-9][0-9]:[0-9][0-9]'
		AND date(substr(starts_at, 1, 10), '+0 days') IS substr(starts_at, 1, 10) AND time(substr(starts_at, 12, 8)) IS substr(starts_at, 12, 8)
		AND substr(starts_at, 21, 2) <= '14' AND substr(starts_at, 24, 2) < '60')),
	ends_at TEXT CONSTRAINT ends_at CHECK (ends_at IS NULL OR (ends_at GLOB
		'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][+-][0-9][0-9]:[0-9][0-9]'
		AND date(substr(ends_at, 1, 10), '+0 days') IS substr(ends_at, 1, 10) AND time(substr(ends_at, 12, 8)) IS substr(ends_at, 12, 8)
		AND substr(ends_at, 21, 2) <= '14' AND substr(ends_at, 24, 2) < '60')),
	place TEXT,
	audience TEXT CONSTRAINT audience CHECK (audience IN ('parents', 'elderly', 'children', 'all')),
	description_md TEXT,
	public INTEGER NOT NULL DEFAULT 0 CONSTRAINT public CHECK (public IN (0, 1)),
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE request_tally (
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	service_type_id TEXT NOT NULL,
	month TEXT NOT NULL CONSTRAINT month
		CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]' AND date(month || '-01', '+0 days') IS month || '-01'),
	solved INTEGER NOT NULL DEFAULT 0 CONSTRAINT solved CHECK (solved >= 0),
	PRIMARY KEY (owner, id)
) STRICT, WITHOUT ROWID;

-- References to reference data, checked against the tables every node holds. Not when a pull
-- applies what the office sent (hearth_meta 'applying_down', set inside the pull's
-- transaction): the office accepted it, and a reference the office removed since must not stop
-- a node's down. An update checks only a reference it changes. The message names the column,
-- like a CHECK's. Each "--@ reference TABLE COLUMN PARENT" line stands for the two triggers
-- (hearth_ref_TABLE_COLUMN_insert and _update) that the build writes in its place
-- (schemas/embed.c): the text a database stores is the expansion.
--@ reference node region_id region
--@ reference care_offer service_type_id service_type
--@ reference volunteer_team service_type_id service_type
--@ reference service_request service_type_id service_type
--@ reference region parent_id region
--@ reference request_tally service_type_id service_type

-- A request's status moves only forward: new -> accepted -> done, or -> cancelled. The office
-- may reopen (set it back); a pull applies what the office decided. Concurrent writes are
-- settled by the merge's state: policy, which never moves a status back.
CREATE TRIGGER hearth_request_status_forward BEFORE UPDATE OF status ON service_request
	WHEN NEW.status IS NOT OLD.status
		AND NOT (OLD.status = 'new' OR (OLD.status = 'accepted' AND NEW.status IN ('done', 'cancelled')))
		AND (SELECT value FROM hearth_meta WHERE key = 'kind') IS NOT 'office'
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
BEGIN
	SELECT RAISE(ABORT, 'status moves only forward: status');
END;

-- The "to fix" list clears itself: an entry goes when its value is set again (here, by a
-- pull or by the office's merge) or when its row is deleted. Each "--@ to_fix TABLE COLUMN..."
-- line stands for hearth_to_fix_TABLE_update (which forgets an entry whose column was set) and
-- hearth_to_fix_TABLE_delete, written by the build like the references.
--@ to_fix service_type domain name name_en description
--@ to_fix node kind name name_en region_id address phone hours operator affordable status opens_on places floor_area_m2 site_area_m2 description_md lat lon registration_no
--@ to_fix care_class name age_band capacity room
--@ to_fix care_offer service_type_id fee_yuan fee_unit hours notes
--@ to_fix child name birth_date sex guardian_name guardian_phone notes
--@ to_fix enrolment child_id class_id mode starts_on ends_on
--@ to_fix health_check centre_id child_id checked_on height_cm weight_kg findings next_due
--@ to_fix partnership partner_id kind since services
--@ to_fix volunteer_team name service_type_id members
--@ to_fix volunteer name phone team_id skills party_member
--@ to_fix service_request service_type_id requested_at resident_name resident_phone address details status team_id volunteer_id assignee done_at feedback
--@ to_fix event kind title title_en starts_at ends_at place audience description_md public
--@ to_fix request_tally service_type_id month solved
