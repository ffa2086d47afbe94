-- Domains a user hides (Mastodon's user-level domain blocks): their accounts' posts and
-- notifications stay out of that user's timelines, and their followers of the user go.
CREATE TABLE user_domain_blocks (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, account_id, domain)
);
