-- Filters (Mastodon's v2): keywords and posts an account does not want to see, or wants a
-- warning on, in the contexts it names.
CREATE TABLE filters (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    contexts TEXT NOT NULL,
    action TEXT NOT NULL DEFAULT 'warn',
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX filters_owner ON filters (tenant_id, account_id);

CREATE TABLE filter_keywords (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    filter_id BIGINT NOT NULL REFERENCES filters(id) ON DELETE CASCADE,
    keyword TEXT NOT NULL,
    whole_word BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX filter_keywords_filter ON filter_keywords (tenant_id, filter_id);

CREATE TABLE filter_statuses (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    filter_id BIGINT NOT NULL REFERENCES filters(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    UNIQUE (tenant_id, filter_id, status_id)
);
