-- Domains a user hides (Mastodon's user-level domain blocks): their accounts' posts and
-- notifications stay out of that user's timelines, and their followers of the user go.
CREATE TABLE user_domain_blocks (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, account_id, domain)
);
