-- Signatures already accepted at an inbox, so a replayed request is refused; kept for twice
-- the window in which a signature's Date is accepted.
CREATE TABLE seen_signatures (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, digest)
);
CREATE INDEX seen_signatures_expiry ON seen_signatures (expires_at);
CREATE INDEX statuses_uri ON statuses (tenant_id, uri);
-- Jobs are leased instance by instance (round robin), oldest first within each.
CREATE INDEX jobs_tenant_due ON jobs (tenant_id, run_at, id);
