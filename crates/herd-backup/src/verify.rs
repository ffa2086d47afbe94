//! `herd backup verify`: a backup restored into a scratch database of the same kind and
//! compared, table by table, with what its manifest says was snapshotted.

use std::path::Path;

use herd_app::{Actor, App, AppError, Result, Tenant, audit};
use herd_core::Timestamp;
use herd_store::snapshot::{self, Table};
use herd_store::{Db, Dialect, backups};

use crate::BackupConfig;
use crate::archive::{Manifest, Tally};

/// What a verification found.
#[derive(Debug)]
pub struct Verified {
    pub passed: bool,
    pub detail: String,
}

/// Verifies backup `id` of `tenant` and records the result on it (and in the audit log).
/// A failed check is a result, not an error: it is recorded and logged as an error.
pub async fn verify(app: &App, cfg: &BackupConfig, database_url: &str, tenant: &Tenant, id: i64, actor: &Actor) -> Result<Verified> {
    let row = {
        let mut c = app.db.conn().await?;
        backups::get(&mut c, tenant.id, id)
            .await?
            .ok_or(AppError::NotFound("No backup of this instance has that id"))?
    };
    if row.state != "done" {
        return Err(AppError::Invalid(format!(
            "backup {id} is {}, not complete; it cannot be verified",
            row.state
        )));
    }
    let identity = cfg.identity()?;
    let scratch = cfg.dir.join(format!(".verify-{id}"));
    let outcome = in_scratch(app, database_url, tenant, Path::new(&row.location), identity, &scratch).await;
    let _ = tokio::fs::remove_dir_all(&scratch).await;
    let v = match outcome {
        Ok(m) => Verified {
            passed: true,
            detail: format!(
                "{} tables, {} rows and {} media files restored and compared",
                m.tables.len(),
                m.rows(),
                m.files.len()
            ),
        },
        Err(e) => Verified {
            passed: false,
            detail: e.to_string(),
        },
    };
    if !v.passed {
        tracing::error!(tenant = %tenant.domain, backup = id, detail = %v.detail, "backup verification failed");
    }
    let mut tx = app.db.begin().await?;
    backups::verified(&mut tx, tenant.id, id, v.passed, &v.detail, Timestamp::now().0).await?;
    audit(
        &mut tx,
        tenant.id,
        actor,
        "backup.verify",
        &id.to_string(),
        serde_json::json!({"passed": v.passed, "detail": v.detail}),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// Restores the archive into a fresh database beside the live one and compares.
async fn in_scratch(
    app: &App,
    database_url: &str,
    tenant: &Tenant,
    archive: &Path,
    identity: crate::Identity,
    scratch: &Path,
) -> Result<Manifest> {
    tokio::fs::create_dir_all(scratch)
        .await
        .map_err(|e| AppError::Internal(format!("creating {}: {e}", scratch.display())))?;
    let (url, pg_name) = match app.db.dialect() {
        Dialect::Sqlite => (format!("sqlite://{}", scratch.join("scratch.db").display()), None),
        Dialect::Postgres => {
            let name = format!("herd_verify_{:016x}", rand::random::<u64>());
            let mut c = app.db.conn().await?;
            sqlx::Executor::execute(c.ex(), sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .map_err(|e| AppError::Internal(format!("creating the scratch database {name}: {e}")))?;
            (with_database(database_url, &name)?, Some(name))
        }
    };
    let result = compare(&url, tenant, archive, identity, scratch).await;
    if let Some(name) = pg_name {
        let mut c = app.db.conn().await?;
        if let Err(e) = sqlx::Executor::execute(c.ex(), sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await {
            tracing::warn!(database = %name, error = %e, "could not drop the scratch database");
        }
    }
    result
}

async fn compare(url: &str, tenant: &Tenant, archive: &Path, identity: crate::Identity, scratch: &Path) -> Result<Manifest> {
    let db = Db::connect(url, 2).await?;
    db.migrate().await?;
    let result = async {
        {
            let mut c = db.conn().await?;
            snapshot::bare_tenant(&mut c, tenant.id, tenant.domain.as_str(), Timestamp::now().0).await?;
        }
        let m = crate::load::load(&db, tenant.id, archive, identity, scratch.join("files")).await?;
        let mut c = db.snapshot().await?;
        let read = tallies(&mut c, tenant.id, &m).await?;
        c.commit().await?;
        for (entry, (_, rows, sha)) in m.tables.iter().zip(read) {
            if rows != entry.rows || sha != entry.sha256 {
                return Err(AppError::Invalid(format!(
                    "table {}: {rows} rows restored (checksum {sha}), the snapshot had {} (checksum {})",
                    entry.name, entry.rows, entry.sha256
                )));
            }
        }
        Ok(m)
    }
    .await;
    db.close().await;
    result
}

/// The instance's rows as the database holds them now, table by table as the manifest lists
/// them (read with the archive's columns): each table's name, row count and SHA-256, as the
/// manifest counts them.
pub async fn tallies(c: &mut herd_store::Conn, t: herd_store::TenantId, m: &Manifest) -> Result<Vec<(String, u64, String)>> {
    let local: Vec<Table> = snapshot::tables(c).await?;
    let mut out = Vec::with_capacity(m.tables.len());
    for entry in &m.tables {
        let Some(table) = local.iter().find(|t| t.name == entry.name) else {
            return Err(AppError::Invalid(format!("table {} is missing after the restore", entry.name)));
        };
        let as_archived = Table {
            columns: entry.columns.clone(),
            ..table.clone()
        };
        let mut tally = Tally::default();
        let mut line = Vec::new();
        snapshot::read(c, t, &as_archived, |values| {
            line.clear();
            serde_json::to_writer(&mut line, &values).map_err(|e| herd_store::StoreError::Corrupt(e.to_string()))?;
            tally.line(&line);
            Ok(())
        })
        .await?;
        let (rows, sha) = tally.finish();
        out.push((entry.name.clone(), rows, sha));
    }
    Ok(out)
}

/// `url` with its database name replaced (PostgreSQL URLs: `postgres://host/NAME?...`).
fn with_database(url: &str, name: &str) -> Result<String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let rest = base
        .split_once("://")
        .map(|(_, r)| r)
        .ok_or_else(|| AppError::Internal("the database URL has no scheme".into()))?;
    let base = match rest.find('/') {
        Some(i) => &base[..base.len() - rest.len() + i],
        None => base,
    };
    Ok(match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            super::with_database("postgres://u@h:5432/herd", "x").ok().as_deref(),
            Some("postgres://u@h:5432/x")
        );
        assert_eq!(
            super::with_database("postgres://u@h:5432", "x").ok().as_deref(),
            Some("postgres://u@h:5432/x")
        );
        assert_eq!(
            super::with_database("postgres://h/db?sslmode=disable", "x").ok().as_deref(),
            Some("postgres://h/x?sslmode=disable")
        );
    }
}
