-- Schema v7: the keys that seal the log (docs/format.md, format 3; docs/security.md).
-- Each node shares a key with the office, issued at enrolment. At the office this table holds
-- every node's keys; at a node, its own. Keys live only here: never in git, never in the outbox.
-- A local table (not in hearth_table): it is never synced and not in the schema fingerprint.
CREATE TABLE hearth_key (
  node TEXT NOT NULL,
  generation INTEGER NOT NULL CHECK (generation BETWEEN 1 AND 4294967295),
  key BLOB NOT NULL CHECK (length(key) = 32),
  -- active: seals and opens; retired: a newer generation is in use, opens old commits only;
  -- revoked: opens nothing new (the device was lost or stolen)
  state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'retired', 'revoked')),
  -- 1 once a commit sealed with this key was accepted: from then on the node's (or, at a node,
  -- the office's) unsealed commits are refused
  in_use INTEGER NOT NULL DEFAULT 0,
  issued TEXT NOT NULL,
  PRIMARY KEY (node, generation)
) STRICT;
