//! One instance's rows, table by table, for backups, exports and restores.
//!
//! The tables are read from the database's own catalog, not listed here, so a table a later
//! migration adds is part of every archive without anyone remembering it: every table with a
//! `tenant_id` column, and the instance's own row of `tenants`, except the few whose rows are
//! the provider's bookkeeping ([`PROVIDER_OWNED`]). Values travel as JSON (`null`, integers,
//! floats, strings), typed on the way in by the target database's column types, so an
//! archive written on SQLite loads into PostgreSQL and back. Every read and write here takes
//! the tenant id, like every other query.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;

use crate::{Conn, Dialect, Result, StoreError, TenantId, value_rows};

/// Tables with a `tenant_id` whose rows are not the instance's own: what the provider books
/// and meters, the backups themselves, caches' and replay bookkeeping, and the search index
/// (rebuilt from the posts, as each database keeps it in its own shape).
pub const PROVIDER_OWNED: &[&str] = &[
    "backups",
    "bookings",
    "cache_changes",
    "seen_signatures",
    "status_search",
    "usage_counters",
    "usage_daily",
    "user_activity_days",
];

/// Columns of the instance's `tenants` row that belong to the provider: which organization
/// it belongs to and whether it is served. An archive carries neither; a restore keeps them.
pub const TENANT_PROVIDER_COLUMNS: &[&str] = &["organization_id", "state"];

/// Columns read as NULL: a job's lease belongs to the worker that held it, not to the
/// instance, so a restored or imported job runs again.
const TRANSIENT: &[(&str, &str)] = &[("jobs", "locked_until")];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Integer,
    Real,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
}

/// A table of the instance's rows, as this database has it.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// The primary key's columns: the order rows are read in.
    pub key: Vec<String>,
    /// Columns that refer to this same table (a boost's post): loaded after the rows.
    pub self_refs: Vec<String>,
}

impl Table {
    /// The instance's own row of `tenants` rather than rows carrying `tenant_id`.
    pub fn is_tenants(&self) -> bool {
        self.name == "tenants"
    }

    fn tenant_column(&self) -> &'static str {
        if self.is_tenants() { "id" } else { "tenant_id" }
    }

    fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The tables an instance's rows live in, each after the tables it refers to (so rows load
/// in this order and delete in the reverse); `tenants` comes first.
pub async fn tables(c: &mut Conn) -> Result<Vec<Table>> {
    let names: Vec<String> = match c.dialect() {
        Dialect::Sqlite => {
            c.qs("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_sqlx%' ESCAPE '\\' ORDER BY name")
                .fetch_all(c.ex())
                .await?
        }
        Dialect::Postgres => {
            c.qs("SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_sqlx%' ORDER BY table_name")
                .fetch_all(c.ex())
                .await?
        }
    };
    let mut found = BTreeMap::new();
    let mut refs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in names {
        if PROVIDER_OWNED.contains(&name.as_str()) || name.starts_with("status_search") {
            continue;
        }
        let (columns, key) = columns(c, &name).await?;
        let is_tenants = name == "tenants";
        if !is_tenants && !columns.iter().any(|c| c.name == "tenant_id") {
            continue;
        }
        let columns: Vec<Column> = columns
            .into_iter()
            .filter(|col| !(is_tenants && TENANT_PROVIDER_COLUMNS.contains(&col.name.as_str())))
            .collect();
        if key.is_empty() {
            return Err(StoreError::Corrupt(format!("table {name} has no primary key to read it in order")));
        }
        let fks = foreign_keys(c, &name).await?;
        let self_refs = fks.iter().filter(|(t, _)| *t == name).map(|(_, col)| col.clone()).collect();
        refs.insert(name.clone(), fks.into_iter().map(|(t, _)| t).filter(|t| *t != name).collect());
        found.insert(
            name.clone(),
            Table {
                name,
                columns,
                key,
                self_refs,
            },
        );
    }
    // Each table after those it refers to (Kahn's order, by name among equals); references
    // to tables outside the set (the provider's) do not order anything.
    let mut order = Vec::with_capacity(found.len());
    let mut placed: BTreeSet<String> = BTreeSet::new();
    while placed.len() < found.len() {
        let ready: Vec<String> = found
            .keys()
            .filter(|n| !placed.contains(*n))
            .filter(|n| refs[*n].iter().all(|r| placed.contains(r) || !found.contains_key(r)))
            .cloned()
            .collect();
        if ready.is_empty() {
            let left: Vec<&String> = found.keys().filter(|n| !placed.contains(*n)).collect();
            return Err(StoreError::Corrupt(format!("tables refer to each other in a cycle: {left:?}")));
        }
        for n in ready {
            placed.insert(n.clone());
            order.push(n);
        }
    }
    Ok(order.into_iter().filter_map(|n| found.remove(&n)).collect())
}

fn column_type(table: &str, column: &str, declared: &str) -> Result<ColumnType> {
    let d = declared.to_ascii_lowercase();
    if d.contains("int") {
        Ok(ColumnType::Integer)
    } else if d.contains("real") || d.contains("double") || d.contains("float") || d == "numeric" {
        Ok(ColumnType::Real)
    } else if d.is_empty() || d.contains("text") || d.contains("char") {
        Ok(ColumnType::Text)
    } else {
        Err(StoreError::Corrupt(format!(
            "column {table}.{column} has type {declared}, which archives do not carry yet"
        )))
    }
}

/// A table's columns (generated ones left out) and its primary key.
async fn columns(c: &mut Conn, table: &str) -> Result<(Vec<Column>, Vec<String>)> {
    let mut cols = Vec::new();
    let mut key: Vec<(i64, String)> = Vec::new();
    match c.dialect() {
        Dialect::Sqlite => {
            let rows: Vec<(String, String, i64)> = c
                .qa("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid")
                .bind(table.to_string())
                .fetch_all(c.ex())
                .await?;
            for (name, ty, pk) in rows {
                if pk > 0 {
                    key.push((pk, name.clone()));
                }
                let ty = column_type(table, &name, &ty)?;
                cols.push(Column { name, ty });
            }
        }
        Dialect::Postgres => {
            let rows: Vec<(String, String, String)> = c
                .qa("SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT), CAST(is_generated AS TEXT) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position")
                .bind(table.to_string())
                .fetch_all(c.ex())
                .await?;
            for (name, ty, generated) in rows {
                if generated == "ALWAYS" {
                    continue;
                }
                let ty = column_type(table, &name, &ty)?;
                cols.push(Column { name, ty });
            }
            let pk: Vec<(String, i64)> = c
                .qa("SELECT CAST(k.column_name AS TEXT), CAST(k.ordinal_position AS BIGINT) FROM information_schema.table_constraints t JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema AND k.table_name = t.table_name WHERE t.table_schema = current_schema() AND t.table_name = ? AND t.constraint_type = 'PRIMARY KEY'")
                .bind(table.to_string())
                .fetch_all(c.ex())
                .await?;
            key = pk.into_iter().map(|(n, p)| (p, n)).collect();
        }
    }
    key.sort();
    Ok((cols, key.into_iter().map(|(_, n)| n).collect()))
}

/// The tables `table` refers to, with the referring column.
async fn foreign_keys(c: &mut Conn, table: &str) -> Result<Vec<(String, String)>> {
    let sql = match c.dialect() {
        Dialect::Sqlite => "SELECT \"table\", \"from\" FROM pragma_foreign_key_list(?)",
        Dialect::Postgres => {
            "SELECT CAST(u.table_name AS TEXT), CAST(k.column_name AS TEXT) FROM information_schema.table_constraints t JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema JOIN information_schema.constraint_column_usage u ON u.constraint_name = t.constraint_name AND u.table_schema = t.table_schema WHERE t.table_schema = current_schema() AND t.table_name = ? AND t.constraint_type = 'FOREIGN KEY'"
        }
    };
    Ok(c.qa(sql).bind(table.to_string()).fetch_all(c.ex()).await?)
}

/// Reads the instance's rows of `table` in key order, each as its values in the order of
/// `table.columns`, handing each to `each` (which may stop the walk with an error).
pub async fn read(c: &mut Conn, t: TenantId, table: &Table, mut each: impl FnMut(Vec<Value>) -> Result<()>) -> Result<u64> {
    let pg = c.dialect() == Dialect::Postgres;
    let select: Vec<String> = table
        .columns
        .iter()
        .map(|col| {
            let name = quote(&col.name);
            if TRANSIENT.contains(&(table.name.as_str(), col.name.as_str())) {
                format!("NULL AS {name}")
            } else if pg && col.ty == ColumnType::Integer {
                format!("CAST({name} AS BIGINT)")
            } else if pg && col.ty == ColumnType::Real {
                format!("CAST({name} AS DOUBLE PRECISION)")
            } else {
                name
            }
        })
        .collect();
    let order: Vec<String> = table.key.iter().map(|k| quote(k)).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {} = ? ORDER BY {}",
        select.join(", "),
        quote(&table.name),
        table.tenant_column(),
        order.join(", ")
    );
    let q = c.q(&sql).bind(t.0);
    let mut rows = q.fetch(c.ex());
    let mut n = 0;
    while let Some(row) = rows.try_next().await? {
        let mut values = Vec::with_capacity(table.columns.len());
        for (i, col) in table.columns.iter().enumerate() {
            let bad = |e: sqlx::Error| StoreError::Corrupt(format!("{}.{}: {e}", table.name, col.name));
            let v = match col.ty {
                ColumnType::Integer => row.try_get::<Option<i64>, _>(i).map_err(bad)?.map(Value::from),
                ColumnType::Real => row.try_get::<Option<f64>, _>(i).map_err(bad)?.map(Value::from),
                ColumnType::Text => row.try_get::<Option<String>, _>(i).map_err(bad)?.map(Value::from),
            };
            values.push(v.unwrap_or(Value::Null));
        }
        n += 1;
        each(values)?;
    }
    Ok(n)
}

/// Inserts rows of `table` (values in the order of `columns`, as an archive holds them) for
/// the instance `t`: its id replaces the one the rows carry. Columns this database has and
/// the archive lacks take their defaults; a column the archive has and this database lacks is
/// refused. Columns that refer to the same table are filled in once the rows are in.
pub async fn insert(c: &mut Conn, t: TenantId, table: &Table, columns: &[String], rows: &[Vec<Value>]) -> Result<()> {
    if table.is_tenants() {
        return Err(StoreError::Corrupt("the instance's own row is written by `put_tenant`".into()));
    }
    let mut types = Vec::with_capacity(columns.len());
    for name in columns {
        let col = table.column(name).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "the archive has a column {}.{name} that this version of Herd does not know",
                table.name
            ))
        })?;
        types.push(col.ty);
    }
    let tenant_at = columns.iter().position(|c| c == "tenant_id");
    let deferred: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| table.self_refs.contains(c))
        .map(|(i, _)| i)
        .collect();
    let key_at = if deferred.is_empty() {
        None
    } else {
        match table.key.as_slice() {
            [k] => Some(
                columns
                    .iter()
                    .position(|c| c == k)
                    .ok_or_else(|| StoreError::Corrupt(format!("the archive's {} rows lack their key {k}", table.name)))?,
            ),
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "{} refers to itself without a one-column key",
                    table.name
                )));
            }
        }
    };
    let names: Vec<String> = columns.iter().map(|c| quote(c)).collect();
    let per = (30_000 / columns.len().max(1)).clamp(1, 500);
    for chunk in rows.chunks(per) {
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            quote(&table.name),
            names.join(", "),
            value_rows(chunk.len(), columns.len())
        );
        let mut q = c.q(&sql);
        for row in chunk {
            if row.len() != columns.len() {
                return Err(StoreError::Corrupt(format!(
                    "a row of {} has {} values for {} columns",
                    table.name,
                    row.len(),
                    columns.len()
                )));
            }
            for (i, v) in row.iter().enumerate() {
                let v = if Some(i) == tenant_at {
                    &Value::from(t.0)
                } else if deferred.contains(&i) {
                    &Value::Null
                } else {
                    v
                };
                q = bind(q, types[i], v).map_err(|e| StoreError::Corrupt(format!("{}.{}: {e}", table.name, columns[i])))?;
            }
        }
        q.execute(c.ex()).await.map_err(StoreError::from_sqlx)?;
    }
    if let Some(key_at) = key_at {
        for &i in &deferred {
            let sql = format!(
                "UPDATE {} SET {} = ? WHERE {} = ? AND {} = ?",
                quote(&table.name),
                quote(&columns[i]),
                table.tenant_column(),
                quote(&columns[key_at])
            );
            for row in rows.iter().filter(|r| !r[i].is_null()) {
                let q = bind(c.q(&sql), types[i], &row[i]).map_err(StoreError::Corrupt)?;
                let q = bind(q.bind(t.0), types[key_at], &row[key_at]).map_err(StoreError::Corrupt)?;
                q.execute(c.ex()).await?;
            }
        }
    }
    Ok(())
}

/// Writes the instance's own `tenants` row from an archive (its settings and texts), keeping
/// its id, domain and the provider's columns.
pub async fn put_tenant(c: &mut Conn, t: TenantId, table: &Table, columns: &[String], row: &[Value]) -> Result<()> {
    let mut sets = Vec::new();
    let mut values = Vec::new();
    for (name, v) in columns.iter().zip(row) {
        if name == "id" || name == "domain" {
            continue;
        }
        let col = table.column(name).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "the archive has a column tenants.{name} that this version of Herd does not know"
            ))
        })?;
        sets.push(format!("{} = ?", quote(name)));
        values.push((col.ty, v));
    }
    if sets.is_empty() {
        return Ok(());
    }
    let sql = format!("UPDATE tenants SET {} WHERE id = ?", sets.join(", "));
    let mut q = c.q(&sql);
    for (ty, v) in values {
        q = bind(q, ty, v).map_err(StoreError::Corrupt)?;
    }
    q.bind(t.0).execute(c.ex()).await?;
    Ok(())
}

/// Deletes the instance's rows of `table` (not its `tenants` row).
pub async fn remove(c: &mut Conn, t: TenantId, table: &Table) -> Result<u64> {
    if table.is_tenants() {
        return Ok(0);
    }
    let sql = format!("DELETE FROM {} WHERE tenant_id = ?", quote(&table.name));
    Ok(c.q(&sql).bind(t.0).execute(c.ex()).await?.rows_affected())
}

fn bind(q: crate::db::Query, ty: ColumnType, v: &Value) -> std::result::Result<crate::db::Query, String> {
    Ok(match (ty, v) {
        (ColumnType::Integer, Value::Null) => q.bind(None::<i64>),
        (ColumnType::Real, Value::Null) => q.bind(None::<f64>),
        (ColumnType::Text, Value::Null) => q.bind(None::<String>),
        (ColumnType::Integer, Value::Number(n)) => q.bind(n.as_i64().ok_or_else(|| format!("{n} is not a 64-bit integer"))?),
        (ColumnType::Real, Value::Number(n)) => q.bind(n.as_f64().ok_or_else(|| format!("{n} is not a number"))?),
        (ColumnType::Text, Value::String(s)) => q.bind(s.clone()),
        (ty, v) => return Err(format!("{v} does not fit a column of type {ty:?}")),
    })
}

/// A table or column name in double quotes (they come from the catalog, never from input).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The newest migration this database has applied: an archive's schema version.
pub async fn schema_version(c: &mut Conn) -> Result<i64> {
    Ok(
        c.qs("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(c.ex())
            .await?,
    )
}

/// An instance row with nothing but its id and domain, in a scratch database a backup is
/// verified in (where no organization exists); the archive's row then fills it.
pub async fn bare_tenant(c: &mut Conn, t: TenantId, domain: &str, now: i64) -> Result<()> {
    c.q("INSERT INTO tenants (id, domain, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
        .bind(t.0)
        .bind(domain.to_string())
        .bind(domain.to_string())
        .bind(now)
        .bind(now)
        .execute(c.ex())
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}
