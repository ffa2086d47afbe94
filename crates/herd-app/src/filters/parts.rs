//! A filter's keywords and posts, each changed on its own (`/api/v2/filters/keywords/:id`,
//! `/api/v2/filters/statuses/:id`).

use herd_core::Id;
use herd_store::filters::{self, FilterStatusRow, KeywordRow, Part};
use herd_store::{Conn, TenantId};

use super::change::{MAX_KEYWORDS, edited, keyword_text};
use super::owned;
use crate::{App, AppError, Result, Tenant, views};

/// The filter holding a keyword or post, when it is `owner`'s.
async fn filter_of(c: &mut Conn, t: TenantId, owner: i64, part: Part, id: i64) -> Result<i64> {
    match filters::owner_of(c, t, part, id).await? {
        Some((filter, o)) if o == owner => Ok(filter),
        _ => Err(AppError::NotFound("Record not found")),
    }
}

pub async fn add_keyword(app: &App, tenant: &Tenant, owner: i64, filter: i64, keyword: &str, whole_word: bool) -> Result<KeywordRow> {
    let mut tx = app.db.begin().await?;
    let f = owned(&mut tx, tenant.id, owner, filter).await?;
    if f.keywords.len() >= MAX_KEYWORDS {
        return Err(AppError::Invalid(format!(
            "Validation failed: at most {MAX_KEYWORDS} keywords per filter"
        )));
    }
    let row = KeywordRow {
        id: Id::generate().0,
        filter_id: f.row.id,
        keyword: keyword_text(keyword)?,
        whole_word: i64::from(whole_word),
    };
    filters::save_keyword(&mut tx, tenant.id, &row).await?;
    super::changed(&mut tx, tenant.id, owner).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn change_keyword(
    app: &App,
    tenant: &Tenant,
    owner: i64,
    id: i64,
    keyword: Option<&str>,
    whole_word: Option<bool>,
) -> Result<KeywordRow> {
    let mut tx = app.db.begin().await?;
    let filter = filter_of(&mut tx, tenant.id, owner, Part::Keyword, id).await?;
    let f = owned(&mut tx, tenant.id, owner, filter).await?;
    let old = f
        .keywords
        .into_iter()
        .find(|k| k.id == id)
        .ok_or(AppError::NotFound("Record not found"))?;
    let row = edited(&old, keyword, whole_word)?;
    filters::save_keyword(&mut tx, tenant.id, &row).await?;
    super::changed(&mut tx, tenant.id, owner).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn remove_keyword(app: &App, tenant: &Tenant, owner: i64, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    filter_of(&mut tx, tenant.id, owner, Part::Keyword, id).await?;
    filters::delete_keyword(&mut tx, tenant.id, id).await?;
    super::changed(&mut tx, tenant.id, owner).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a post the owner can see to a filter.
pub async fn add_status(app: &App, tenant: &Tenant, owner: i64, filter: i64, status: i64) -> Result<FilterStatusRow> {
    let mut tx = app.db.begin().await?;
    let f = owned(&mut tx, tenant.id, owner, filter).await?;
    views::visible_status(&mut tx, tenant.id, Some(owner), status).await?;
    let row = FilterStatusRow {
        id: Id::generate().0,
        filter_id: f.row.id,
        status_id: status,
    };
    if !filters::add_status(&mut tx, tenant.id, &row).await? {
        return Err(AppError::Invalid("Validation failed: Status has already been taken".into()));
    }
    super::changed(&mut tx, tenant.id, owner).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn remove_status(app: &App, tenant: &Tenant, owner: i64, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    filter_of(&mut tx, tenant.id, owner, Part::Status, id).await?;
    filters::delete_status(&mut tx, tenant.id, id).await?;
    super::changed(&mut tx, tenant.id, owner).await?;
    tx.commit().await?;
    Ok(())
}
