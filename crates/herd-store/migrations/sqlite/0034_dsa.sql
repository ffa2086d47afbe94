-- Notices of illegal content from visitors without an account (DSA Art. 16): what they
-- name, why, how to reach them, the report they opened and the decision they were sent.
-- `reference_hash` is the SHA-256 of the secret reference the visitor keeps to look the
-- notice up.
CREATE TABLE notices (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    report_id BIGINT REFERENCES reports(id) ON DELETE SET NULL,
    item_url TEXT NOT NULL,
    ground TEXT NOT NULL,
    explanation TEXT NOT NULL,
    contact TEXT,
    reference_hash TEXT NOT NULL,
    decision TEXT,
    decided_at BIGINT,
    notified_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, reference_hash)
);
CREATE INDEX notices_report ON notices (tenant_id, report_id);
CREATE INDEX notices_created ON notices (tenant_id, created_at);
CREATE INDEX strikes_created ON strikes (tenant_id, created_at);
