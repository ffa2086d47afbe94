-- Polls attached to posts (local and remote), their options with tallies, and votes.
-- Tallies are counters updated in place (votes_count = votes_count + 1), so concurrent votes
-- on PostgreSQL need no lock; a remote poll's tallies are what its server last said.
CREATE TABLE polls (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    multiple INTEGER NOT NULL DEFAULT 0,
    hide_totals INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER,
    votes_count INTEGER NOT NULL DEFAULT 0,
    voters_count INTEGER,
    -- A local poll's new tallies are sent to other servers at most once a minute: when.
    distribute_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, status_id)
);
CREATE INDEX polls_account ON polls (tenant_id, account_id);

CREATE TABLE poll_options (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    poll_id INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    votes_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, poll_id, position)
);

CREATE TABLE poll_votes (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    poll_id INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    choice INTEGER NOT NULL,
    -- The vote's ActivityPub id when it came from another server.
    uri TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, poll_id, account_id, choice)
);
CREATE INDEX poll_votes_account ON poll_votes (tenant_id, account_id, poll_id);

-- The poll's options in each version of an edited post (a JSON list of titles).
ALTER TABLE status_edits ADD COLUMN poll_options TEXT;
