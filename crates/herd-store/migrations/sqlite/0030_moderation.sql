-- Moderation inside each instance, as Mastodon has it.
-- An account's restrictions: limited (silenced) and sensitized, beside `suspended_at`; where a
-- suspension came from (`local`: a moderator here; `remote`: its own server deleted it).
ALTER TABLE accounts ADD COLUMN silenced_at BIGINT;
ALTER TABLE accounts ADD COLUMN sensitized_at BIGINT;
ALTER TABLE accounts ADD COLUMN suspension_origin TEXT;

-- The report queue's work: who took a report, who resolved it, where it came from
-- (`member`, `remote`, `visitor`, `system`).
ALTER TABLE reports ADD COLUMN assigned_account_id BIGINT;
ALTER TABLE reports ADD COLUMN action_taken_by_account_id BIGINT;
ALTER TABLE reports ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN origin TEXT NOT NULL DEFAULT 'member';
CREATE INDEX reports_target ON reports (tenant_id, target_account_id, id);
CREATE INDEX reports_all ON reports (tenant_id, id);

-- Moderators' notes on a report (`subject` = 'report') or an account ('account').
CREATE TABLE moderation_notes (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX moderation_notes_subject ON moderation_notes (tenant_id, subject, subject_id, id);

-- Strikes (Mastodon's account warnings): what was done to an account and the text it is
-- shown; also the statement of reasons. `account_id` is the moderator (NULL: the operator
-- or an automatic rule).
CREATE TABLE strikes (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    target_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    status_ids TEXT NOT NULL DEFAULT '[]',
    report_id BIGINT REFERENCES reports(id) ON DELETE SET NULL,
    overruled_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX strikes_target ON strikes (tenant_id, target_account_id, id);

-- A member's appeal of a strike, one per strike, approved or rejected by a moderator.
CREATE TABLE appeals (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    strike_id BIGINT NOT NULL REFERENCES strikes(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    approved_at BIGINT,
    approved_by BIGINT,
    rejected_at BIGINT,
    rejected_by BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, strike_id)
);
CREATE INDEX appeals_open ON appeals (tenant_id, id);

-- The instance's federation policy: servers it limits or suspends (a block covers their
-- subdomains), and in allowlist mode the servers it federates with.
CREATE TABLE domain_blocks (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    severity TEXT NOT NULL,
    reject_media BIGINT NOT NULL DEFAULT 0,
    reject_reports BIGINT NOT NULL DEFAULT 0,
    private_comment TEXT,
    public_comment TEXT,
    obfuscate BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, domain)
);

CREATE TABLE domain_allows (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, domain)
);

-- What a notification is about beyond a post: the strike of a `moderation_warning`, the
-- severance of a `severed_relationships`.
ALTER TABLE notifications ADD COLUMN subject_id BIGINT;

-- Follows a member lost when a moderator suspended a server (Mastodon's
-- AccountRelationshipSeveranceEvent), one per member affected.
CREATE TABLE severed_relationships (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    target_name TEXT NOT NULL,
    followers_count BIGINT NOT NULL,
    following_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX severed_relationships_account ON severed_relationships (tenant_id, account_id, id);

-- Public timelines leave out restricted accounts; few are, so a partial index finds them.
CREATE INDEX accounts_restricted ON accounts (tenant_id, id) WHERE suspended_at IS NOT NULL OR silenced_at IS NOT NULL;
