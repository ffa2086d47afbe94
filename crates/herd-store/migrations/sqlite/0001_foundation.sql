-- Herd's foundation schema. Every row carries tenant_id; every query filters on it.
-- Flags are INTEGER 0/1 and instants are milliseconds since the Unix epoch, so that the
-- SQLite and PostgreSQL schemas (same version numbers) read back identically.

CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    local_domain TEXT,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '["en"]',
    registrations TEXT NOT NULL DEFAULT 'approval',
    max_post_chars INTEGER NOT NULL DEFAULT 500,
    max_media_attachments INTEGER NOT NULL DEFAULT 4,
    max_image_bytes INTEGER NOT NULL DEFAULT 16777216,
    max_image_pixels INTEGER NOT NULL DEFAULT 33177600,
    state TEXT NOT NULL DEFAULT 'active',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    hint TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX rules_tenant ON rules (tenant_id, position);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
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
    locked INTEGER NOT NULL DEFAULT 0,
    bot INTEGER NOT NULL DEFAULT 0,
    discoverable INTEGER NOT NULL DEFAULT 1,
    indexable INTEGER NOT NULL DEFAULT 0,
    followers_count INTEGER NOT NULL DEFAULT 0,
    following_count INTEGER NOT NULL DEFAULT 0,
    statuses_count INTEGER NOT NULL DEFAULT 0,
    last_status_at INTEGER,
    suspended_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, domain, username_key)
);
CREATE INDEX accounts_tenant ON accounts (tenant_id, id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL UNIQUE REFERENCES accounts(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    password_hash TEXT,
    role TEXT NOT NULL DEFAULT 'member',
    approved INTEGER NOT NULL DEFAULT 1,
    confirmed_at INTEGER,
    disabled INTEGER NOT NULL DEFAULT 0,
    locale TEXT NOT NULL DEFAULT 'en',
    reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, email_key)
);

CREATE TABLE oauth_apps (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    website TEXT,
    redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE oauth_codes (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    app_id INTEGER NOT NULL REFERENCES oauth_apps(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

CREATE TABLE oauth_tokens (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    app_id INTEGER REFERENCES oauth_apps(id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX oauth_tokens_account ON oauth_tokens (tenant_id, account_id);

CREATE TABLE statuses (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    uri TEXT,
    in_reply_to_id INTEGER,
    in_reply_to_account_id INTEGER,
    reblog_of_id INTEGER REFERENCES statuses(id) ON DELETE CASCADE,
    text TEXT NOT NULL DEFAULT '',
    spoiler_text TEXT NOT NULL DEFAULT '',
    content_html TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL,
    sensitive INTEGER NOT NULL DEFAULT 0,
    language TEXT,
    app_id INTEGER,
    replies_count INTEGER NOT NULL DEFAULT 0,
    reblogs_count INTEGER NOT NULL DEFAULT 0,
    favourites_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    edited_at INTEGER
);
CREATE INDEX statuses_account ON statuses (tenant_id, account_id, id);
CREATE INDEX statuses_tenant ON statuses (tenant_id, id);
CREATE INDEX statuses_reply ON statuses (tenant_id, in_reply_to_id);
CREATE INDEX statuses_reblog ON statuses (tenant_id, reblog_of_id, account_id);
-- One boost per account and post, even under concurrent requests.
CREATE UNIQUE INDEX statuses_one_reblog ON statuses (tenant_id, account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL;

CREATE TABLE status_edits (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    spoiler_text TEXT NOT NULL,
    content_html TEXT NOT NULL,
    sensitive INTEGER NOT NULL,
    media_ids TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL
);
CREATE INDEX status_edits_status ON status_edits (tenant_id, status_id, id);

CREATE TABLE media (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id INTEGER REFERENCES statuses(id) ON DELETE SET NULL,
    -- When first attached to a post; media an edit took off stays in the edit history.
    attached_at INTEGER,
    position INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL DEFAULT 'image',
    state TEXT NOT NULL DEFAULT 'processing',
    original_key TEXT NOT NULL,
    file_key TEXT,
    thumb_key TEXT,
    mime TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    focus_x REAL NOT NULL DEFAULT 0,
    focus_y REAL NOT NULL DEFAULT 0,
    blurhash TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX media_status ON media (tenant_id, status_id, position);
CREATE INDEX media_account ON media (tenant_id, account_id);
CREATE INDEX media_tenant ON media (tenant_id, id);

CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    UNIQUE (tenant_id, status_id, account_id)
);
CREATE INDEX mentions_account ON mentions (tenant_id, account_id, status_id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, name_key)
);

CREATE TABLE status_tags (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, status_id, tag_id)
);
CREATE INDEX status_tags_tag ON status_tags (tenant_id, tag_id, status_id);

CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    show_reblogs INTEGER NOT NULL DEFAULT 1,
    notify INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, account_id, target_account_id)
);
CREATE INDEX follows_target ON follows (tenant_id, target_account_id);

CREATE TABLE follow_requests (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    show_reblogs INTEGER NOT NULL DEFAULT 1,
    notify INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, account_id, target_account_id)
);
CREATE INDEX follow_requests_target ON follow_requests (tenant_id, target_account_id, id);

CREATE TABLE blocks (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, account_id, target_account_id)
);
CREATE INDEX blocks_target ON blocks (tenant_id, target_account_id);

CREATE TABLE mutes (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    notifications INTEGER NOT NULL DEFAULT 1,
    expires_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, account_id, target_account_id)
);

CREATE TABLE favourites (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, account_id, status_id)
);
CREATE INDEX favourites_status ON favourites (tenant_id, status_id);

CREATE TABLE bookmarks (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, account_id, status_id)
);

CREATE TABLE pins (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, account_id, status_id)
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    from_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    status_id INTEGER REFERENCES statuses(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX notifications_account ON notifications (tenant_id, account_id, id);

CREATE TABLE idempotency_keys (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, account_id, key)
);

-- Durable side effects: written in the transaction that causes them, leased by workers.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    run_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    locked_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at);

-- Every privileged action, readable by the organization it concerns.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);
