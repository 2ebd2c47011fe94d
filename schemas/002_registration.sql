-- hearth schema v2: the childcare registration number (托育机构备案号) of a node and the room a
-- class uses. Columns are only ever added at the end of a table, nullable or with a default: that
-- is what lets the office lift changes from nodes still on v1 (the new columns take their
-- defaults) instead of refusing them.
ALTER TABLE node ADD COLUMN registration_no TEXT;
ALTER TABLE care_class ADD COLUMN room TEXT;

INSERT INTO hearth_column (tbl, col, visibility) VALUES
	('node', 'registration_no', 'public'),
	('care_class', 'room', 'public');
