-- Hashtags an account follows: their public posts join its home timeline.
CREATE TABLE tag_follows (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, account_id, tag_id)
);
CREATE INDEX tag_follows_tag ON tag_follows (tenant_id, tag_id);
