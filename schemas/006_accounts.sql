-- hearth schema v6: the node's own app (`hearth serve`). Accounts, their sessions and the
-- authors of changes. Local tables only: none is declared in hearth_table, so no session
-- records them, no outbox entry, commit or dump carries them, and the synced tables'
-- fingerprint does not change. Accounts never leave the node.

-- The people who may sign in to this node's app. `pwhash` is libsodium's Argon2id string
-- (crypto_pwhash_str: algorithm, limits, salt and hash); the password itself is never kept.
CREATE TABLE hearth_account (
	name TEXT PRIMARY KEY,
	role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'volunteer', 'viewer')),
	pwhash TEXT NOT NULL,
	created_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- Signed-in sessions: the BLAKE2b hash of the 256-bit token the browser holds (a stolen copy
-- of the database cannot be replayed as a cookie), the form token (CSRF) and the last use,
-- for the idle expiry.
CREATE TABLE hearth_app_session (
	token_hash TEXT PRIMARY KEY,
	account TEXT NOT NULL REFERENCES hearth_account (name) ON DELETE CASCADE,
	csrf TEXT NOT NULL,
	created_ms INTEGER NOT NULL,
	last_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX hearth_app_session_account ON hearth_app_session (account);

-- Office: the author of each merged entry (the app's account at the node that wrote it; NULL
-- for changes made at a terminal, and for entries merged before v6). The node's own authors are
-- in hearth_outbox.author and hearth_history.author (003).
ALTER TABLE hearth_log ADD COLUMN author TEXT;
