-- Posts written to be published later: their parameters as the client gave them (JSON),
-- published by a job due at scheduled_at.
CREATE TABLE scheduled_statuses (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scheduled_at BIGINT NOT NULL,
    params TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX scheduled_statuses_account ON scheduled_statuses (tenant_id, account_id, id);

-- Uploads a scheduled post will attach: kept by the sweep of unattached uploads, and not
-- attached elsewhere meanwhile.
ALTER TABLE media ADD COLUMN scheduled_status_id BIGINT REFERENCES scheduled_statuses(id) ON DELETE SET NULL;
