-- Blocklists an instance subscribes to (Mastodon's domain-block CSV, or a FIRES dataset),
-- what each list holds now, and which domain blocks a list made (a moderator's own blocks
-- have no subscription).
CREATE TABLE blocklist_subscriptions (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    format TEXT NOT NULL,
    every_ms BIGINT NOT NULL,
    -- FIRES: where changes are read and the last change applied.
    changes_url TEXT,
    cursor TEXT,
    last_synced_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, url)
);

CREATE TABLE blocklist_entries (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    subscription_id BIGINT NOT NULL REFERENCES blocklist_subscriptions(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    severity TEXT NOT NULL,
    reject_media BIGINT NOT NULL DEFAULT 0,
    reject_reports BIGINT NOT NULL DEFAULT 0,
    public_comment TEXT,
    obfuscate BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, subscription_id, domain)
);
CREATE INDEX blocklist_entries_domain ON blocklist_entries (tenant_id, domain);

ALTER TABLE domain_blocks ADD COLUMN subscription_id BIGINT;
