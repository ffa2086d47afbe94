-- An instance's report queue: reports by its own accounts (later, `POST /api/v1/reports`) and
-- reports other servers send about its accounts (ActivityPub Flag). The moderation issue
-- builds the tools to work through it.
CREATE TABLE reports (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_ids TEXT NOT NULL DEFAULT '[]',
    comment TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT 'other',
    uri TEXT,
    action_taken_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX reports_open ON reports (tenant_id, action_taken_at, id);
