//! Organizations (the provider's customers), their contacts and their external instances.
//! These rows sit above tenants, as the `tenants` table does; every query names the
//! organization it reads.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError, TenantId};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OrgRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub notes: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const ORG: &str = "id, slug, name, notes, created_at, updated_at";

pub async fn insert(c: &mut Conn, o: &OrgRow) -> Result<()> {
    c.q("INSERT INTO organizations (id, slug, name, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(o.id)
        .bind(o.slug.clone())
        .bind(o.name.clone())
        .bind(o.notes.clone())
        .bind(o.created_at)
        .bind(o.updated_at)
        .execute(c.ex())
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn update(c: &mut Conn, o: &OrgRow) -> Result<()> {
    c.q("UPDATE organizations SET name = ?, notes = ?, updated_at = ? WHERE id = ?")
        .bind(o.name.clone())
        .bind(o.notes.clone())
        .bind(o.updated_at)
        .bind(o.id)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn by_slug(c: &mut Conn, slug: &str) -> Result<Option<OrgRow>> {
    Ok(c.qa(&format!("SELECT {ORG} FROM organizations WHERE slug = ?"))
        .bind(slug)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn by_id(c: &mut Conn, id: i64) -> Result<Option<OrgRow>> {
    Ok(c.qa(&format!("SELECT {ORG} FROM organizations WHERE id = ?"))
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

/// Organizations by name, `limit` after `after` (a name, for paging), those whose name or
/// slug contains `q`.
pub async fn list(c: &mut Conn, q: Option<&str>, after: Option<&str>, limit: i64) -> Result<Vec<OrgRow>> {
    use crate::sql::{Arg, Sql};
    let mut sql = Sql::new(format!("SELECT {ORG} FROM organizations WHERE 1 = 1"));
    if let Some(q) = q.filter(|q| !q.is_empty()) {
        let like = format!(
            "%{}%",
            q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
        );
        sql.push(
            " AND (LOWER(name) LIKE ? ESCAPE '\\' OR slug LIKE ? ESCAPE '\\')",
            [Arg::S(like.clone()), Arg::S(like)],
        );
    }
    if let Some(a) = after {
        sql.push(" AND name > ?", [Arg::S(a.to_string())]);
    }
    sql.push(" ORDER BY name LIMIT ?", [Arg::I(limit)]);
    sql.fetch(c, false).await
}

pub async fn count(c: &mut Conn) -> Result<i64> {
    Ok(c.qs("SELECT COUNT(*) FROM organizations").fetch_one(c.ex()).await?)
}

/// The organization an instance belongs to.
pub async fn of_tenant(c: &mut Conn, t: TenantId) -> Result<Option<OrgRow>> {
    Ok(c.qa(&format!(
        "SELECT {} FROM organizations o JOIN tenants t ON t.organization_id = o.id WHERE t.id = ?",
        ORG.split(", ").map(|col| format!("o.{col}")).collect::<Vec<_>>().join(", ")
    ))
    .bind(t.0)
    .fetch_optional(c.ex())
    .await?)
}

pub async fn set_tenant_org(c: &mut Conn, t: TenantId, org: i64) -> Result<()> {
    c.q("UPDATE tenants SET organization_id = ? WHERE id = ?")
        .bind(org)
        .bind(t.0)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// The hosted instances of an organization: (id, domain, title), by domain.
pub async fn tenants_of(c: &mut Conn, org: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(
        c.qa("SELECT id, domain, title FROM tenants WHERE organization_id = ? ORDER BY domain")
            .bind(org)
            .fetch_all(c.ex())
            .await?,
    )
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ContactRow {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub created_at: i64,
}

pub async fn add_contact(c: &mut Conn, k: &ContactRow) -> Result<()> {
    c.q("INSERT INTO organization_contacts (id, organization_id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(k.id)
        .bind(k.organization_id)
        .bind(k.name.clone())
        .bind(k.email.clone())
        .bind(k.role.clone())
        .bind(k.created_at)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn contacts(c: &mut Conn, org: i64) -> Result<Vec<ContactRow>> {
    Ok(
        c.qa("SELECT id, organization_id, name, email, role, created_at FROM organization_contacts WHERE organization_id = ? ORDER BY id")
            .bind(org)
            .fetch_all(c.ex())
            .await?,
    )
}

/// Removes a contact of `org`; false if it has none with that id.
pub async fn remove_contact(c: &mut Conn, org: i64, id: i64) -> Result<bool> {
    let r = c
        .q("DELETE FROM organization_contacts WHERE organization_id = ? AND id = ?")
        .bind(org)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ExternalRow {
    pub id: i64,
    pub organization_id: i64,
    pub domain: String,
    pub url: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const EXT: &str = "id, organization_id, domain, url, created_at, updated_at";

pub async fn insert_external(c: &mut Conn, e: &ExternalRow) -> Result<()> {
    c.q("INSERT INTO external_instances (id, organization_id, domain, url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(e.id)
        .bind(e.organization_id)
        .bind(e.domain.clone())
        .bind(e.url.clone())
        .bind(e.created_at)
        .bind(e.updated_at)
        .execute(c.ex())
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

pub async fn externals_of(c: &mut Conn, org: i64) -> Result<Vec<ExternalRow>> {
    Ok(c.qa(&format!(
        "SELECT {EXT} FROM external_instances WHERE organization_id = ? ORDER BY domain"
    ))
    .bind(org)
    .fetch_all(c.ex())
    .await?)
}

pub async fn external_by_domain(c: &mut Conn, domain: &str) -> Result<Option<ExternalRow>> {
    Ok(c.qa(&format!("SELECT {EXT} FROM external_instances WHERE domain = ?"))
        .bind(domain)
        .fetch_optional(c.ex())
        .await?)
}

/// For each of `orgs`: how many hosted and external instances it has (one query each).
pub async fn instance_counts(c: &mut Conn, orgs: &[i64]) -> Result<std::collections::HashMap<i64, (i64, i64)>> {
    let mut out: std::collections::HashMap<i64, (i64, i64)> = orgs.iter().map(|o| (*o, (0, 0))).collect();
    if orgs.is_empty() {
        return Ok(out);
    }
    let marks = vec!["?"; orgs.len()].join(", ");
    for (table, external) in [("tenants", false), ("external_instances", true)] {
        let mut q = c.qa::<(i64, i64)>(&format!(
            "SELECT organization_id, COUNT(*) FROM {table} WHERE organization_id IN ({marks}) GROUP BY organization_id"
        ));
        for o in orgs {
            q = q.bind(*o);
        }
        for (org, n) in q.fetch_all(c.ex()).await? {
            let e = out.entry(org).or_default();
            if external {
                e.1 = n;
            } else {
                e.0 = n;
            }
        }
    }
    Ok(out)
}
