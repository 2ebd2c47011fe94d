-- hearth schema: a centre names, child by child, the partner hospital that checks the child
-- (docs/security.md, "A child's partner hospital"). child.health_partner is the child table's
-- audience column: the hospital it names receives that child, and no other node does. It starts
-- NULL for every child already recorded: no child reaches any hospital until its centre chooses.
-- Clearing it (or naming another hospital) takes the child back: the old hospital receives a
-- delete of the row.
--
-- What an audience receives is declared per column (hearth_column.audience_sees): the key and
-- the columns declared here, never the others. A column added later to a table with an audience
-- is withheld from that audience until a migration declares it. A hospital receives a child's
-- name, date of birth, sex and the column naming it; the guardian's name and phone and the
-- centre's notes stay at the centre and the office.
ALTER TABLE child ADD COLUMN health_partner TEXT;

ALTER TABLE hearth_column ADD COLUMN audience_sees INTEGER NOT NULL DEFAULT 0
	CHECK (audience_sees IN (0, 1));
-- the audiences declared before this migration received whole rows: they keep every column
UPDATE hearth_column SET audience_sees = 1
	WHERE tbl IN (SELECT name FROM hearth_table WHERE audience_col IS NOT NULL);

UPDATE hearth_table SET audience_col = 'health_partner' WHERE name = 'child';
INSERT INTO hearth_column (tbl, col, label_zh, label_en, hint_zh, hint_en, kind, ref_table)
	VALUES ('child', 'health_partner', '体检医院', 'partner hospital',
		'签约医育结合的医院；选中后该医院可看到幼儿姓名、出生日期和性别',
		'a hospital with a medical partnership; it then sees the child''s name, birth date and sex',
		'reference', 'node');
UPDATE hearth_column SET audience_sees = 1
	WHERE tbl = 'child' AND col IN ('owner', 'id', 'name', 'birth_date', 'sex', 'health_partner');

-- The centre's consent names a hospital it has a medical partnership with, nothing else: a
-- mistyped id never sends a child to another node. Not when a pull applies what the office sent
-- (hearth_meta 'applying_down') nor at the office: the centre's write was checked where it was
-- made, and a partnership ended since must not stop a merge or a down.
CREATE TRIGGER hearth_child_health_partner_insert BEFORE INSERT ON child
	WHEN NEW.health_partner IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM partnership WHERE owner = NEW.owner
			AND partner_id = NEW.health_partner AND kind = 'medical')
		AND (SELECT value FROM hearth_meta WHERE key = 'kind') IS NOT 'office'
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: health_partner');
END;
CREATE TRIGGER hearth_child_health_partner_update BEFORE UPDATE OF health_partner ON child
	WHEN NEW.health_partner IS NOT NULL AND NEW.health_partner IS NOT OLD.health_partner
		AND NOT EXISTS (SELECT 1 FROM partnership WHERE owner = NEW.owner
			AND partner_id = NEW.health_partner AND kind = 'medical')
		AND (SELECT value FROM hearth_meta WHERE key = 'kind') IS NOT 'office'
		AND NOT EXISTS (SELECT 1 FROM hearth_meta WHERE key = 'applying_down')
BEGIN
	SELECT RAISE(ABORT, 'unknown reference: health_partner');
END;
