//! Reads an archive back: [`check`] reads it through and changes nothing; [`load`] writes
//! its rows into a database for an instance. Both hold every table and file to what the
//! manifest says, so a changed, cut or mixed-up archive is refused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use herd_app::{AppError, Result};
use herd_store::snapshot::{self, Column, Table};
use herd_store::{Db, TenantId};

use crate::archive::{ArchiveError, FORMAT, FileEntry, Header, Item, Manifest, Reader, TableEntry, Tally, VERSION, parse_rows};

fn damaged(why: impl Into<String>) -> AppError {
    ArchiveError::Damaged(why.into()).into()
}

/// The walk through an archive's entries, checking their order and tallies.
#[derive(Default)]
struct Walk {
    header: Option<Header>,
    tables: Vec<(String, Vec<Column>, Tally)>,
    files: Vec<FileEntry>,
    manifest: Option<Manifest>,
}

impl Walk {
    fn header(&mut self, h: Header) -> Result<()> {
        if h.format != FORMAT {
            return Err(damaged(format!("it is a {:?} file, not a {FORMAT}", h.format)));
        }
        if h.version != VERSION {
            return Err(AppError::Invalid(format!(
                "the archive is of format version {}; this Herd reads version {VERSION}",
                h.version
            )));
        }
        self.header = Some(h);
        Ok(())
    }

    fn columns(&mut self, table: String, cols: Vec<Column>) -> Result<()> {
        if self.tables.iter().any(|(n, _, _)| *n == table) {
            return Err(damaged(format!("table {table} appears twice")));
        }
        self.tables.push((table, cols, Tally::default()));
        Ok(())
    }

    /// Parses a chunk of the current table's rows.
    fn rows(&mut self, table: &str, bytes: &[u8]) -> Result<(Vec<Column>, Vec<Vec<serde_json::Value>>)> {
        let Some((name, cols, tally)) = self.tables.last_mut() else {
            return Err(damaged("rows come before their columns"));
        };
        if name != table {
            return Err(damaged(format!("rows of {table} come among those of {name}")));
        }
        let rows = parse_rows(table, bytes, cols.len(), tally)?;
        Ok((cols.clone(), rows))
    }

    /// Compares what was read with the manifest; returns the manifest.
    fn finish(self) -> Result<Manifest> {
        let Some(m) = self.manifest else {
            return Err(damaged("it ends before its manifest"));
        };
        if Some(&m.header) != self.header.as_ref() {
            return Err(damaged("the manifest names another archive"));
        }
        let read: Vec<TableEntry> = self
            .tables
            .into_iter()
            .map(|(name, columns, tally)| {
                let (rows, sha256) = tally.finish();
                TableEntry {
                    name,
                    columns,
                    rows,
                    sha256,
                }
            })
            .collect();
        if read.len() != m.tables.len() {
            return Err(damaged(format!("{} tables, the manifest lists {}", read.len(), m.tables.len())));
        }
        for (got, want) in read.iter().zip(&m.tables) {
            if got != want {
                return Err(damaged(format!(
                    "table {} has {} rows (checksum {}), the manifest says {} of {} (checksum {})",
                    got.name, got.rows, got.sha256, want.rows, want.name, want.sha256
                )));
            }
        }
        if self.files != m.files {
            return Err(damaged(format!(
                "{} media files do not match the {} the manifest lists",
                self.files.len(),
                m.files.len()
            )));
        }
        Ok(m)
    }
}

/// Reads the archive at `path` through and checks it whole, changing nothing.
pub async fn check(path: &Path, identity: crate::Identity) -> Result<Manifest> {
    let mut r = Reader::open(path, identity, None)?;
    let mut walk = Walk::default();
    while let Some(item) = r.next().await {
        match item? {
            Item::Header(h) => walk.header(h)?,
            Item::Columns(t, c) => walk.columns(t, c)?,
            Item::Rows(t, bytes) => {
                walk.rows(&t, &bytes)?;
            }
            Item::File(f, _) => walk.files.push(f),
            Item::Manifest(m) => walk.manifest = Some(m),
        }
    }
    walk.finish()
}

/// Writes the archive's rows into `db` as instance `t` (whose `tenants` row exists: its
/// settings are overwritten from the archive, its id, domain, organization and state kept)
/// and its media files under `files_to`. Each chunk of rows is its own transaction; callers
/// [`check`] the archive first and keep the instance unserved until this returns.
pub async fn load(db: &Db, t: TenantId, path: &Path, identity: crate::Identity, files_to: PathBuf) -> Result<Manifest> {
    let (local, ours) = {
        let mut c = db.conn().await?;
        let local: HashMap<String, Table> = snapshot::tables(&mut c).await?.into_iter().map(|t| (t.name.clone(), t)).collect();
        (local, snapshot::schema_version(&mut c).await?)
    };
    let mut r = Reader::open(path, identity, Some(files_to))?;
    let mut walk = Walk::default();
    while let Some(item) = r.next().await {
        match item? {
            Item::Header(h) => {
                if h.schema > ours {
                    return Err(AppError::Invalid(format!(
                        "the archive was written by a newer Herd (database schema {}, this one has {ours}); update this Herd first",
                        h.schema
                    )));
                }
                walk.header(h)?;
            }
            Item::Columns(name, cols) => {
                if !local.contains_key(&name) {
                    return Err(AppError::Invalid(format!(
                        "the archive has a table {name} that this Herd does not know"
                    )));
                }
                walk.columns(name, cols)?;
            }
            Item::Rows(name, bytes) => {
                let (cols, rows) = walk.rows(&name, &bytes)?;
                let Some(table) = local.get(&name) else {
                    return Err(damaged(format!("rows of an unknown table {name}")));
                };
                let names: Vec<String> = cols.into_iter().map(|c| c.name).collect();
                let mut tx = db.begin().await?;
                if table.is_tenants() {
                    let [row] = rows.as_slice() else {
                        return Err(damaged(format!("{} rows of the instance itself", rows.len())));
                    };
                    snapshot::put_tenant(&mut tx, t, table, &names, row).await?;
                } else {
                    snapshot::insert(&mut tx, t, table, &names, &rows).await?;
                }
                tx.commit().await?;
            }
            Item::File(f, _) => walk.files.push(f),
            Item::Manifest(m) => walk.manifest = Some(m),
        }
    }
    let m = walk.finish()?;
    reindex(db, t).await?;
    Ok(m)
}

/// Rebuilds the instance's part of the full-text index from its posts (the index is not in
/// archives: each database keeps it in its own shape). The instance's part is empty here.
pub async fn reindex(db: &Db, t: TenantId) -> Result<()> {
    let mut after = i64::MIN;
    loop {
        let mut tx = db.begin().await?;
        let last = herd_store::search::index_after(&mut tx, t, after, 1000).await?;
        tx.commit().await?;
        match last {
            Some(id) => after = id,
            None => return Ok(()),
        }
    }
}
