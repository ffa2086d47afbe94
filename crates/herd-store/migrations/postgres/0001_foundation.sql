-- Herd's foundation schema. Every row carries tenant_id; every query filters on it.
-- Flags are BIGINT 0/1 and instants are milliseconds since the Unix epoch, so that the
-- SQLite and PostgreSQL schemas (same version numbers) read back identically.

CREATE TABLE tenants (
    id BIGINT PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    local_domain TEXT,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '["en"]',
    registrations TEXT NOT NULL DEFAULT 'approval',
    max_post_chars BIGINT NOT NULL DEFAULT 500,
    max_media_attachments BIGINT NOT NULL DEFAULT 4,
    max_image_bytes BIGINT NOT NULL DEFAULT 16777216,
    max_image_pixels BIGINT NOT NULL DEFAULT 33177600,
    state TEXT NOT NULL DEFAULT 'active',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE rules (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    hint TEXT NOT NULL DEFAULT '',
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX rules_tenant ON rules (tenant_id, position);

CREATE TABLE accounts (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL,
    domain TEXT NOT NULL DEFAULT '',
    uri TEXT,
    display_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    note_html TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL DEFAULT '[]',
    avatar_key TEXT,
    header_key TEXT,
    locked BIGINT NOT NULL DEFAULT 0,
    bot BIGINT NOT NULL DEFAULT 0,
    discoverable BIGINT NOT NULL DEFAULT 1,
    indexable BIGINT NOT NULL DEFAULT 0,
    followers_count BIGINT NOT NULL DEFAULT 0,
    following_count BIGINT NOT NULL DEFAULT 0,
    statuses_count BIGINT NOT NULL DEFAULT 0,
    last_status_at BIGINT,
    suspended_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, domain, username_key)
);
CREATE INDEX accounts_tenant ON accounts (tenant_id, id);

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL UNIQUE REFERENCES accounts(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    password_hash TEXT,
    role TEXT NOT NULL DEFAULT 'member',
    approved BIGINT NOT NULL DEFAULT 1,
    confirmed_at BIGINT,
    disabled BIGINT NOT NULL DEFAULT 0,
    locale TEXT NOT NULL DEFAULT 'en',
    reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, email_key)
);

CREATE TABLE oauth_apps (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    website TEXT,
    redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE oauth_codes (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    app_id BIGINT NOT NULL REFERENCES oauth_apps(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE oauth_tokens (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    app_id BIGINT REFERENCES oauth_apps(id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX oauth_tokens_account ON oauth_tokens (tenant_id, account_id);

CREATE TABLE statuses (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    uri TEXT,
    in_reply_to_id BIGINT,
    in_reply_to_account_id BIGINT,
    reblog_of_id BIGINT REFERENCES statuses(id) ON DELETE CASCADE,
    text TEXT NOT NULL DEFAULT '',
    spoiler_text TEXT NOT NULL DEFAULT '',
    content_html TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL,
    sensitive BIGINT NOT NULL DEFAULT 0,
    language TEXT,
    app_id BIGINT,
    replies_count BIGINT NOT NULL DEFAULT 0,
    reblogs_count BIGINT NOT NULL DEFAULT 0,
    favourites_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    edited_at BIGINT
);
CREATE INDEX statuses_account ON statuses (tenant_id, account_id, id);
CREATE INDEX statuses_tenant ON statuses (tenant_id, id);
CREATE INDEX statuses_reply ON statuses (tenant_id, in_reply_to_id);
CREATE INDEX statuses_reblog ON statuses (tenant_id, reblog_of_id, account_id);
-- One boost per account and post, even under concurrent requests.
CREATE UNIQUE INDEX statuses_one_reblog ON statuses (tenant_id, account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL;

CREATE TABLE status_edits (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    spoiler_text TEXT NOT NULL,
    content_html TEXT NOT NULL,
    sensitive BIGINT NOT NULL,
    media_ids TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);
CREATE INDEX status_edits_status ON status_edits (tenant_id, status_id, id);

CREATE TABLE media (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id BIGINT REFERENCES statuses(id) ON DELETE SET NULL,
    -- When first attached to a post; media an edit took off stays in the edit history.
    attached_at BIGINT,
    position BIGINT NOT NULL DEFAULT 0,
    kind TEXT NOT NULL DEFAULT 'image',
    state TEXT NOT NULL DEFAULT 'processing',
    original_key TEXT NOT NULL,
    file_key TEXT,
    thumb_key TEXT,
    mime TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    focus_x DOUBLE PRECISION NOT NULL DEFAULT 0,
    focus_y DOUBLE PRECISION NOT NULL DEFAULT 0,
    blurhash TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX media_status ON media (tenant_id, status_id, position);
CREATE INDEX media_account ON media (tenant_id, account_id);
CREATE INDEX media_tenant ON media (tenant_id, id);

CREATE TABLE mentions (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    UNIQUE (tenant_id, status_id, account_id)
);
CREATE INDEX mentions_account ON mentions (tenant_id, account_id, status_id);

CREATE TABLE tags (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name_key)
);

CREATE TABLE status_tags (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, status_id, tag_id)
);
CREATE INDEX status_tags_tag ON status_tags (tenant_id, tag_id, status_id);

CREATE TABLE follows (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    show_reblogs BIGINT NOT NULL DEFAULT 1,
    notify BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, account_id, target_account_id)
);
CREATE INDEX follows_target ON follows (tenant_id, target_account_id);

CREATE TABLE follow_requests (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    show_reblogs BIGINT NOT NULL DEFAULT 1,
    notify BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, account_id, target_account_id)
);
CREATE INDEX follow_requests_target ON follow_requests (tenant_id, target_account_id, id);

CREATE TABLE blocks (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, account_id, target_account_id)
);
CREATE INDEX blocks_target ON blocks (tenant_id, target_account_id);

CREATE TABLE mutes (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    notifications BIGINT NOT NULL DEFAULT 1,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, account_id, target_account_id)
);

CREATE TABLE favourites (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, account_id, status_id)
);
CREATE INDEX favourites_status ON favourites (tenant_id, status_id);

CREATE TABLE bookmarks (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, account_id, status_id)
);

CREATE TABLE pins (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, account_id, status_id)
);

CREATE TABLE notifications (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    from_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    status_id BIGINT REFERENCES statuses(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX notifications_account ON notifications (tenant_id, account_id, id);

CREATE TABLE idempotency_keys (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id, key)
);

-- Durable side effects: written in the transaction that causes them, leased by workers.
CREATE TABLE jobs (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL DEFAULT 10,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at);

-- Every privileged action, readable by the organization it concerns.
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);
