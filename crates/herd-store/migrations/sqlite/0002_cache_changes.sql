-- What changed, for the in-memory caches of every node (and of CLI processes' neighbours):
-- each write that makes a cached value stale adds a row in its own transaction; every node
-- reads rows past the last it saw and drops what they name. Rows are pruned after an hour.
CREATE TABLE cache_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind BIGINT NOT NULL,
    subject BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX cache_changes_created ON cache_changes (created_at);
