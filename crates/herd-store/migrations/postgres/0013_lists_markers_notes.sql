-- Lists of followed accounts, each with its own timeline (Mastodon's lists). An exclusive
-- list's members are left out of its owner's home timeline.
CREATE TABLE lists (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    replies_policy TEXT NOT NULL DEFAULT 'list',
    exclusive BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX lists_owner ON lists (tenant_id, account_id);

CREATE TABLE list_accounts (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    UNIQUE (tenant_id, list_id, account_id)
);
CREATE INDEX list_accounts_member ON list_accounts (tenant_id, account_id);

-- Where an account stopped reading its home timeline and notifications, shared by its apps.
CREATE TABLE markers (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    timeline TEXT NOT NULL,
    last_read_id BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id, timeline)
);

-- A private note an account keeps about another.
CREATE TABLE account_notes (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    comment TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id, target_account_id)
);

-- Posting defaults (Mastodon's source[privacy], source[sensitive], source[language]).
ALTER TABLE users ADD COLUMN default_visibility TEXT NOT NULL DEFAULT 'public';
ALTER TABLE users ADD COLUMN default_sensitive BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN default_language TEXT;
