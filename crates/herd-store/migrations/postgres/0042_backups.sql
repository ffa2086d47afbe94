-- Backups of one instance: each archive written (to the backup directory), whether it was
-- verified by a restore into a scratch database, and what the check found. A row outlives
-- nothing it describes: an instance restored in place keeps its list of backups (this table
-- is not part of any archive).
CREATE TABLE backups (
    id BIGINT NOT NULL PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    location TEXT NOT NULL,
    size_bytes BIGINT NOT NULL DEFAULT 0,
    row_count BIGINT NOT NULL DEFAULT 0,
    file_count BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    verify_state TEXT NOT NULL DEFAULT 'pending',
    verify_detail TEXT,
    verified_at BIGINT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX backups_tenant ON backups (tenant_id, id);
