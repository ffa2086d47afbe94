-- Custom emoji: an instance's own (domain '') and those other servers' posts use (domain
-- set; their image copied here by a job, shown from its remote address until then).
CREATE TABLE custom_emojis (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    shortcode TEXT NOT NULL,
    domain TEXT NOT NULL DEFAULT '',
    file_key TEXT,
    static_key TEXT,
    remote_url TEXT,
    uri TEXT,
    category TEXT,
    visible_in_picker INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, shortcode, domain)
);

-- The custom emoji a post's text uses.
CREATE TABLE status_emojis (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    emoji_id BIGINT NOT NULL REFERENCES custom_emojis(id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, status_id, emoji_id)
);
