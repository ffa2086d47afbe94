-- Auto-moderation rules of an instance: a keyword, a regular expression or a link domain,
-- applied to local posts and to posts that arrive; the action is `flag` (a report from the
-- system), `hide` (the post held from everyone but its author until a moderator reviews
-- it, and a report) or `reject` (not stored at all).
CREATE TABLE automod_rules (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    pattern TEXT NOT NULL,
    action TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT 'all',
    created_at BIGINT NOT NULL
);
CREATE INDEX automod_rules_tenant ON automod_rules (tenant_id, id);

-- A post held by a rule until a moderator reviews it.
ALTER TABLE statuses ADD COLUMN held_at BIGINT;
