-- hearth schema v8: directory tables. A node receives the office's reference data, its own rows
-- and the rows whose audience column names it; a table declared a directory is sent besides,
-- every row of it to every node, but only its public columns (its private columns arrive NULL
-- and a delete carries the key only). What is declared a directory is what every node needs to
-- address the others: the volunteer teams (each team node keeps its own volunteer_team row:
-- its name, its service type, how many members), so that a station can assign a resident's
-- request to a team by name. Nothing else: a centre's classes, offers, partners and tallies
-- stay with their owner and the office.
--
-- The synced tables' columns do not change, so neither does the fingerprint. A directory
-- table has no audience column, and its private columns allow NULL (checked when the schema
-- is loaded). A row written before this version does not reach the other nodes, not even when
-- it changes later: they receive only an UPDATE of a row they do not hold, which applying skips
-- (nothing sends them the rows that were there already).
ALTER TABLE hearth_table ADD COLUMN directory INTEGER NOT NULL DEFAULT 0
	CHECK (directory IN (0, 1));

UPDATE hearth_table SET directory = 1 WHERE name = 'volunteer_team';
