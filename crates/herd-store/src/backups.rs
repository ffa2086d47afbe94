//! The backups of each instance: where each archive is, whether it was written whole, and
//! what its verification found.

use crate::{Conn, Result, TenantId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BackupRow {
    pub id: i64,
    pub tenant_id: i64,
    /// `running` while it is written, then `done` or `failed`. A backup whose process died
    /// stays `running` and is never offered for a restore.
    pub state: String,
    /// The archive's path.
    pub location: String,
    pub size_bytes: i64,
    pub row_count: i64,
    pub file_count: i64,
    pub error: Option<String>,
    /// `pending`, `passed` or `failed`.
    pub verify_state: String,
    pub verify_detail: Option<String>,
    pub verified_at: Option<i64>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

const COLS: &str = "id, tenant_id, state, location, size_bytes, row_count, file_count, error, verify_state, verify_detail, verified_at, started_at, finished_at";

pub async fn start(c: &mut Conn, t: TenantId, id: i64, location: &str, now: i64) -> Result<()> {
    c.q("INSERT INTO backups (id, tenant_id, state, location, started_at) VALUES (?, ?, 'running', ?, ?)")
        .bind(id)
        .bind(t.0)
        .bind(location.to_string())
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn finish(c: &mut Conn, t: TenantId, id: i64, size: i64, rows: i64, files: i64, now: i64) -> Result<()> {
    c.q("UPDATE backups SET state = 'done', size_bytes = ?, row_count = ?, file_count = ?, finished_at = ? WHERE tenant_id = ? AND id = ?")
        .bind(size)
        .bind(rows)
        .bind(files)
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn fail(c: &mut Conn, t: TenantId, id: i64, error: &str, now: i64) -> Result<()> {
    c.q("UPDATE backups SET state = 'failed', error = ?, finished_at = ? WHERE tenant_id = ? AND id = ?")
        .bind(error.to_string())
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn verified(c: &mut Conn, t: TenantId, id: i64, passed: bool, detail: &str, now: i64) -> Result<()> {
    c.q("UPDATE backups SET verify_state = ?, verify_detail = ?, verified_at = ? WHERE tenant_id = ? AND id = ?")
        .bind(if passed { "passed" } else { "failed" })
        .bind(detail.to_string())
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn get(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<BackupRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM backups WHERE tenant_id = ? AND id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

/// The instance's backups, newest first.
pub async fn list(c: &mut Conn, t: TenantId, limit: i64) -> Result<Vec<BackupRow>> {
    Ok(
        c.qa(&format!("SELECT {COLS} FROM backups WHERE tenant_id = ? ORDER BY id DESC LIMIT ?"))
            .bind(t.0)
            .bind(limit)
            .fetch_all(c.ex())
            .await?,
    )
}

pub async fn delete(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM backups WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}
