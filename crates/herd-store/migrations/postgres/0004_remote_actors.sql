-- What federation needs of a remote account beside its `accounts` row: where to deliver,
-- its followers collection, its key, and where its profile page and pictures are.
CREATE TABLE remote_actors (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    inbox_url TEXT NOT NULL,
    shared_inbox_url TEXT,
    followers_url TEXT,
    profile_url TEXT,
    avatar_url TEXT,
    header_url TEXT,
    key_id TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id),
    FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE
);
CREATE INDEX remote_actors_key ON remote_actors (tenant_id, key_id);
