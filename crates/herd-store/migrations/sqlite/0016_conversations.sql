-- Direct messages as each participant sees them (Mastodon's conversations): one row per
-- account and set of other participants, pointing at the newest post.
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    participants TEXT NOT NULL,
    last_status_id INTEGER NOT NULL,
    unread INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, account_id, participants)
);
CREATE INDEX conversations_owner ON conversations (tenant_id, account_id, last_status_id);
