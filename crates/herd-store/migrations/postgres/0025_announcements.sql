-- Announcements an instance's staff make to its members, who dismiss them and react with
-- emoji.
CREATE TABLE announcements (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    content_html TEXT NOT NULL,
    starts_at BIGINT,
    ends_at BIGINT,
    all_day INTEGER NOT NULL DEFAULT 0,
    published_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX announcements_tenant ON announcements (tenant_id, published_at);

CREATE TABLE announcement_reads (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    announcement_id BIGINT NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, announcement_id, account_id)
);

CREATE TABLE announcement_reactions (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    announcement_id BIGINT NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, announcement_id, account_id, name)
);
CREATE INDEX announcement_reactions_announcement ON announcement_reactions (tenant_id, announcement_id);
