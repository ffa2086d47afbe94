-- Announcements an instance's staff make to its members, who dismiss them and react with
-- emoji.
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    content_html TEXT NOT NULL,
    starts_at INTEGER,
    ends_at INTEGER,
    all_day INTEGER NOT NULL DEFAULT 0,
    published_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX announcements_tenant ON announcements (tenant_id, published_at);

CREATE TABLE announcement_reads (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, announcement_id, account_id)
);

CREATE TABLE announcement_reactions (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, announcement_id, account_id, name)
);
CREATE INDEX announcement_reactions_announcement ON announcement_reactions (tenant_id, announcement_id);
