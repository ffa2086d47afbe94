-- Posts written to be published later: their parameters as the client gave them (JSON),
-- published by a job due at scheduled_at.
CREATE TABLE scheduled_statuses (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scheduled_at INTEGER NOT NULL,
    params TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX scheduled_statuses_account ON scheduled_statuses (tenant_id, account_id, id);

-- Uploads a scheduled post will attach: kept by the sweep of unattached uploads, and not
-- attached elsewhere meanwhile.
ALTER TABLE media ADD COLUMN scheduled_status_id INTEGER REFERENCES scheduled_statuses(id) ON DELETE SET NULL;
