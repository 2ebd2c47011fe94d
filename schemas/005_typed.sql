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
-- like a CHECK's.
CREATE TRIGGER hearth_ref_node_region_id_insert BEFORE INSERT ON node
	WHEN NEW.region_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM region WHERE id = NEW.region_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: region_id');
END;
CREATE TRIGGER hearth_ref_node_region_id_update BEFORE UPDATE OF region_id ON node
	WHEN NEW.region_id IS NOT OLD.region_id AND NEW.region_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM region WHERE id = NEW.region_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: region_id');
END;
CREATE TRIGGER hearth_ref_care_offer_service_type_id_insert BEFORE INSERT ON care_offer
	WHEN NEW.service_type_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM service_type WHERE id = NEW.service_type_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: service_type_id');
END;
CREATE TRIGGER hearth_ref_care_offer_service_type_id_update BEFORE UPDATE OF service_type_id ON care_offer
	WHEN NEW.service_type_id IS NOT OLD.service_type_id AND NEW.service_type_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM service_type WHERE id = NEW.service_type_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: service_type_id');
END;
CREATE TRIGGER hearth_ref_volunteer_team_service_type_id_insert BEFORE INSERT ON volunteer_team
	WHEN NEW.service_type_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM service_type WHERE id = NEW.service_type_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: service_type_id');
END;
CREATE TRIGGER hearth_ref_volunteer_team_service_type_id_update BEFORE UPDATE OF service_type_id ON volunteer_team
	WHEN NEW.service_type_id IS NOT OLD.service_type_id AND NEW.service_type_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM service_type WHERE id = NEW.service_type_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: service_type_id');
END;
CREATE TRIGGER hearth_ref_service_request_service_type_id_insert BEFORE INSERT ON service_request
	WHEN NEW.service_type_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM service_type WHERE id = NEW.service_type_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: service_type_id');
END;
CREATE TRIGGER hearth_ref_service_request_service_type_id_update BEFORE UPDATE OF service_type_id ON service_request
	WHEN NEW.service_type_id IS NOT OLD.service_type_id AND NEW.service_type_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM service_type WHERE id = NEW.service_type_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: service_type_id');
END;
CREATE TRIGGER hearth_ref_region_parent_id_insert BEFORE INSERT ON region
	WHEN NEW.parent_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM region WHERE id = NEW.parent_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: parent_id');
END;
CREATE TRIGGER hearth_ref_region_parent_id_update BEFORE UPDATE OF parent_id ON region
	WHEN NEW.parent_id IS NOT OLD.parent_id AND NEW.parent_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM region WHERE id = NEW.parent_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: parent_id');
END;
CREATE TRIGGER hearth_ref_request_tally_service_type_id_insert BEFORE INSERT ON request_tally
	WHEN NEW.service_type_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM service_type WHERE id = NEW.service_type_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: service_type_id');
END;
CREATE TRIGGER hearth_ref_request_tally_service_type_id_update BEFORE UPDATE OF service_type_id ON request_tally
	WHEN NEW.service_type_id IS NOT OLD.service_type_id AND NEW.service_type_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
		AND NOT EXISTS (SELECT 1 FROM service_type WHERE id = NEW.service_type_id)
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: service_type_id');
END;

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
-- pull or by the office's merge) or when its row is deleted.
CREATE TRIGGER hearth_to_fix_service_type_update AFTER UPDATE ON service_type
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'service_type' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'service_type' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'domain' THEN NEW.domain IS NOT OLD.domain
			WHEN 'name' THEN NEW.name IS NOT OLD.name
			WHEN 'name_en' THEN NEW.name_en IS NOT OLD.name_en
			WHEN 'description' THEN NEW.description IS NOT OLD.description
		END;
END;
CREATE TRIGGER hearth_to_fix_service_type_delete AFTER DELETE ON service_type
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'service_type' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'service_type' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_node_update AFTER UPDATE ON node
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'node' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'node' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'kind' THEN NEW.kind IS NOT OLD.kind
			WHEN 'name' THEN NEW.name IS NOT OLD.name
			WHEN 'name_en' THEN NEW.name_en IS NOT OLD.name_en
			WHEN 'region_id' THEN NEW.region_id IS NOT OLD.region_id
			WHEN 'address' THEN NEW.address IS NOT OLD.address
			WHEN 'phone' THEN NEW.phone IS NOT OLD.phone
			WHEN 'hours' THEN NEW.hours IS NOT OLD.hours
			WHEN 'operator' THEN NEW.operator IS NOT OLD.operator
			WHEN 'affordable' THEN NEW.affordable IS NOT OLD.affordable
			WHEN 'status' THEN NEW.status IS NOT OLD.status
			WHEN 'opens_on' THEN NEW.opens_on IS NOT OLD.opens_on
			WHEN 'places' THEN NEW.places IS NOT OLD.places
			WHEN 'floor_area_m2' THEN NEW.floor_area_m2 IS NOT OLD.floor_area_m2
			WHEN 'site_area_m2' THEN NEW.site_area_m2 IS NOT OLD.site_area_m2
			WHEN 'description_md' THEN NEW.description_md IS NOT OLD.description_md
			WHEN 'lat' THEN NEW.lat IS NOT OLD.lat
			WHEN 'lon' THEN NEW.lon IS NOT OLD.lon
			WHEN 'registration_no' THEN NEW.registration_no IS NOT OLD.registration_no
		END;
END;
CREATE TRIGGER hearth_to_fix_node_delete AFTER DELETE ON node
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'node' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'node' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_care_class_update AFTER UPDATE ON care_class
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'care_class' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'care_class' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'name' THEN NEW.name IS NOT OLD.name
			WHEN 'age_band' THEN NEW.age_band IS NOT OLD.age_band
			WHEN 'capacity' THEN NEW.capacity IS NOT OLD.capacity
			WHEN 'room' THEN NEW.room IS NOT OLD.room
		END;
END;
CREATE TRIGGER hearth_to_fix_care_class_delete AFTER DELETE ON care_class
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'care_class' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'care_class' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_care_offer_update AFTER UPDATE ON care_offer
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'care_offer' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'care_offer' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'service_type_id' THEN NEW.service_type_id IS NOT OLD.service_type_id
			WHEN 'fee_yuan' THEN NEW.fee_yuan IS NOT OLD.fee_yuan
			WHEN 'fee_unit' THEN NEW.fee_unit IS NOT OLD.fee_unit
			WHEN 'hours' THEN NEW.hours IS NOT OLD.hours
			WHEN 'notes' THEN NEW.notes IS NOT OLD.notes
		END;
END;
CREATE TRIGGER hearth_to_fix_care_offer_delete AFTER DELETE ON care_offer
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'care_offer' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'care_offer' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_child_update AFTER UPDATE ON child
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'child' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'child' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'name' THEN NEW.name IS NOT OLD.name
			WHEN 'birth_date' THEN NEW.birth_date IS NOT OLD.birth_date
			WHEN 'sex' THEN NEW.sex IS NOT OLD.sex
			WHEN 'guardian_name' THEN NEW.guardian_name IS NOT OLD.guardian_name
			WHEN 'guardian_phone' THEN NEW.guardian_phone IS NOT OLD.guardian_phone
			WHEN 'notes' THEN NEW.notes IS NOT OLD.notes
		END;
END;
CREATE TRIGGER hearth_to_fix_child_delete AFTER DELETE ON child
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'child' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'child' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_enrolment_update AFTER UPDATE ON enrolment
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'enrolment' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'enrolment' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'child_id' THEN NEW.child_id IS NOT OLD.child_id
			WHEN 'class_id' THEN NEW.class_id IS NOT OLD.class_id
			WHEN 'mode' THEN NEW.mode IS NOT OLD.mode
			WHEN 'starts_on' THEN NEW.starts_on IS NOT OLD.starts_on
			WHEN 'ends_on' THEN NEW.ends_on IS NOT OLD.ends_on
		END;
END;
CREATE TRIGGER hearth_to_fix_enrolment_delete AFTER DELETE ON enrolment
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'enrolment' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'enrolment' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_health_check_update AFTER UPDATE ON health_check
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'health_check' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'health_check' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'centre_id' THEN NEW.centre_id IS NOT OLD.centre_id
			WHEN 'child_id' THEN NEW.child_id IS NOT OLD.child_id
			WHEN 'checked_on' THEN NEW.checked_on IS NOT OLD.checked_on
			WHEN 'height_cm' THEN NEW.height_cm IS NOT OLD.height_cm
			WHEN 'weight_kg' THEN NEW.weight_kg IS NOT OLD.weight_kg
			WHEN 'findings' THEN NEW.findings IS NOT OLD.findings
			WHEN 'next_due' THEN NEW.next_due IS NOT OLD.next_due
		END;
END;
CREATE TRIGGER hearth_to_fix_health_check_delete AFTER DELETE ON health_check
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'health_check' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'health_check' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_partnership_update AFTER UPDATE ON partnership
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'partnership' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'partnership' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'partner_id' THEN NEW.partner_id IS NOT OLD.partner_id
			WHEN 'kind' THEN NEW.kind IS NOT OLD.kind
			WHEN 'since' THEN NEW.since IS NOT OLD.since
			WHEN 'services' THEN NEW.services IS NOT OLD.services
		END;
END;
CREATE TRIGGER hearth_to_fix_partnership_delete AFTER DELETE ON partnership
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'partnership' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'partnership' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_volunteer_team_update AFTER UPDATE ON volunteer_team
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'volunteer_team' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'volunteer_team' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'name' THEN NEW.name IS NOT OLD.name
			WHEN 'service_type_id' THEN NEW.service_type_id IS NOT OLD.service_type_id
			WHEN 'members' THEN NEW.members IS NOT OLD.members
		END;
END;
CREATE TRIGGER hearth_to_fix_volunteer_team_delete AFTER DELETE ON volunteer_team
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'volunteer_team' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'volunteer_team' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_volunteer_update AFTER UPDATE ON volunteer
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'volunteer' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'volunteer' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'name' THEN NEW.name IS NOT OLD.name
			WHEN 'phone' THEN NEW.phone IS NOT OLD.phone
			WHEN 'team_id' THEN NEW.team_id IS NOT OLD.team_id
			WHEN 'skills' THEN NEW.skills IS NOT OLD.skills
			WHEN 'party_member' THEN NEW.party_member IS NOT OLD.party_member
		END;
END;
CREATE TRIGGER hearth_to_fix_volunteer_delete AFTER DELETE ON volunteer
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'volunteer' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'volunteer' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_service_request_update AFTER UPDATE ON service_request
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'service_request' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'service_request' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'service_type_id' THEN NEW.service_type_id IS NOT OLD.service_type_id
			WHEN 'requested_at' THEN NEW.requested_at IS NOT OLD.requested_at
			WHEN 'resident_name' THEN NEW.resident_name IS NOT OLD.resident_name
			WHEN 'resident_phone' THEN NEW.resident_phone IS NOT OLD.resident_phone
			WHEN 'address' THEN NEW.address IS NOT OLD.address
			WHEN 'details' THEN NEW.details IS NOT OLD.details
			WHEN 'status' THEN NEW.status IS NOT OLD.status
			WHEN 'team_id' THEN NEW.team_id IS NOT OLD.team_id
			WHEN 'volunteer_id' THEN NEW.volunteer_id IS NOT OLD.volunteer_id
			WHEN 'assignee' THEN NEW.assignee IS NOT OLD.assignee
			WHEN 'done_at' THEN NEW.done_at IS NOT OLD.done_at
			WHEN 'feedback' THEN NEW.feedback IS NOT OLD.feedback
		END;
END;
CREATE TRIGGER hearth_to_fix_service_request_delete AFTER DELETE ON service_request
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'service_request' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'service_request' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_event_update AFTER UPDATE ON event
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'event' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'event' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'kind' THEN NEW.kind IS NOT OLD.kind
			WHEN 'title' THEN NEW.title IS NOT OLD.title
			WHEN 'title_en' THEN NEW.title_en IS NOT OLD.title_en
			WHEN 'starts_at' THEN NEW.starts_at IS NOT OLD.starts_at
			WHEN 'ends_at' THEN NEW.ends_at IS NOT OLD.ends_at
			WHEN 'place' THEN NEW.place IS NOT OLD.place
			WHEN 'audience' THEN NEW.audience IS NOT OLD.audience
			WHEN 'description_md' THEN NEW.description_md IS NOT OLD.description_md
			WHEN 'public' THEN NEW.public IS NOT OLD.public
		END;
END;
CREATE TRIGGER hearth_to_fix_event_delete AFTER DELETE ON event
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'event' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'event' AND owner = OLD.owner AND id = OLD.id;
END;
CREATE TRIGGER hearth_to_fix_request_tally_update AFTER UPDATE ON request_tally
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'request_tally' AND owner = NEW.owner AND id = NEW.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'request_tally' AND owner = NEW.owner AND id = NEW.id
		AND CASE col
			WHEN 'service_type_id' THEN NEW.service_type_id IS NOT OLD.service_type_id
			WHEN 'month' THEN NEW.month IS NOT OLD.month
			WHEN 'solved' THEN NEW.solved IS NOT OLD.solved
		END;
END;
CREATE TRIGGER hearth_to_fix_request_tally_delete AFTER DELETE ON request_tally
WHEN EXISTS (SELECT 1 FROM hearth_to_fix WHERE tbl = 'request_tally' AND owner = OLD.owner AND id = OLD.id)
BEGIN
	DELETE FROM hearth_to_fix WHERE tbl = 'request_tally' AND owner = OLD.owner AND id = OLD.id;
END;
