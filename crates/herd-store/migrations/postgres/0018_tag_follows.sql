-- Hashtags an account follows: their public posts join its home timeline.
CREATE TABLE tag_follows (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, account_id, tag_id)
);
CREATE INDEX tag_follows_tag ON tag_follows (tenant_id, tag_id);
