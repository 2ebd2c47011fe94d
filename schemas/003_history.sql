-- hearth schema v3: every change can be seen and undone (`show`, `history`, `undo`). Local
-- tables only: nothing here is synced, so the synced tables' fingerprint does not change.

-- Node: recorded writes the office acknowledged, moved here from the outbox when the ack
-- arrives (the write path itself does no extra work). Never synced; scrubbed by purges.
CREATE TABLE hearth_history (
	seq INTEGER PRIMARY KEY,
	clock TEXT NOT NULL,
	summary TEXT NOT NULL,
	changeset BLOB NOT NULL,
	author TEXT
);

-- Who made a change: the app's account, once the app records authors (NULL until then).
ALTER TABLE hearth_outbox ADD COLUMN author TEXT;

-- Node: the changesets received on `down`, beside their summary (NULL for entries received
-- before v4), so that `history` and `show` can say what came down.
ALTER TABLE hearth_received ADD COLUMN changeset BLOB;

-- The keys of purged records (never their values): their changes are scrubbed from the stored
-- history and no longer shown; the purge's own entry is shown as counts per table.
CREATE TABLE hearth_forgotten (
	tbl TEXT NOT NULL,
	owner TEXT NOT NULL,
	id TEXT NOT NULL,
	PRIMARY KEY (tbl, owner, id)
) WITHOUT ROWID;
