use herd_core::{Id, Timestamp};
use herd_store::filters::{self, FilterRow, KeywordRow};

use super::{CONTEXTS, Filter, owned};
use crate::{App, AppError, Result, Tenant};

/// The most filters an account keeps, and keywords one filter holds.
const MAX_FILTERS: usize = 100;
pub(super) const MAX_KEYWORDS: usize = 100;

/// What a client sets on a filter; `None` keeps a value.
#[derive(Debug, Default)]
pub struct FilterSettings {
    pub title: Option<String>,
    pub contexts: Option<Vec<String>>,
    pub action: Option<String>,
    /// Seconds from now; `Some(None)` for never.
    pub expires_in: Option<Option<i64>>,
    pub keywords: Vec<KeywordChange>,
}

/// A keyword added (`id` none), changed or removed (`destroy`) with its filter.
#[derive(Debug, Default)]
pub struct KeywordChange {
    pub id: Option<i64>,
    pub keyword: Option<String>,
    pub whole_word: Option<bool>,
    pub destroy: bool,
}

fn apply(row: &mut FilterRow, s: &FilterSettings) -> Result<()> {
    if let Some(title) = &s.title {
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 256 {
            return Err(AppError::Invalid("Validation failed: Title can't be blank".into()));
        }
        row.title = title.to_string();
    }
    if let Some(cs) = &s.contexts {
        if cs.is_empty() {
            return Err(AppError::Invalid("Validation failed: Context can't be blank".into()));
        }
        if let Some(bad) = cs.iter().find(|c| !CONTEXTS.contains(&c.as_str())) {
            return Err(AppError::Invalid(format!(
                "Validation failed: Context {bad:?} is none of {}",
                CONTEXTS.join(", ")
            )));
        }
        let mut cs = cs.clone();
        cs.dedup();
        row.contexts = serde_json::to_string(&cs).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    if let Some(a) = &s.action {
        if !["warn", "hide", "blur"].contains(&a.as_str()) {
            return Err(AppError::Invalid(
                "Validation failed: Filter action must be warn, hide or blur".into(),
            ));
        }
        row.action = a.clone();
    }
    if let Some(e) = s.expires_in {
        row.expires_at = match e {
            Some(secs) if secs > 0 => Some(Timestamp::now().plus_secs(secs).0),
            Some(_) => {
                return Err(AppError::Invalid(
                    "Validation failed: expires_in must be a positive number of seconds".into(),
                ));
            }
            None => None,
        };
    }
    Ok(())
}

pub(super) fn keyword_text(k: &str) -> Result<String> {
    let k = k.trim();
    if k.is_empty() || k.chars().count() > 200 {
        return Err(AppError::Invalid("Validation failed: Keyword can't be blank".into()));
    }
    Ok(k.to_string())
}

/// A keyword with the text and flag a client sent (`None` keeps each).
pub(super) fn edited(old: &KeywordRow, keyword: Option<&str>, whole_word: Option<bool>) -> Result<KeywordRow> {
    Ok(KeywordRow {
        keyword: match keyword {
            Some(text) => keyword_text(text)?,
            None => old.keyword.clone(),
        },
        whole_word: whole_word.map_or(old.whole_word, i64::from),
        ..old.clone()
    })
}

/// Applies keyword changes of a filter being saved, in its transaction.
async fn keywords(c: &mut herd_store::Conn, tenant: &Tenant, f: &Filter, changes: &[KeywordChange]) -> Result<()> {
    let mut count = f.keywords.len();
    for k in changes {
        match k.id {
            Some(id) => {
                let Some(old) = f.keywords.iter().find(|x| x.id == id) else {
                    return Err(AppError::NotFound("Record not found"));
                };
                if k.destroy {
                    filters::delete_keyword(c, tenant.id, id).await?;
                    count -= 1;
                    continue;
                }
                filters::save_keyword(c, tenant.id, &edited(old, k.keyword.as_deref(), k.whole_word)?).await?;
            }
            None if k.destroy => {}
            None => {
                count += 1;
                if count > MAX_KEYWORDS {
                    return Err(AppError::Invalid(format!(
                        "Validation failed: at most {MAX_KEYWORDS} keywords per filter"
                    )));
                }
                let row = KeywordRow {
                    id: Id::generate().0,
                    filter_id: f.row.id,
                    keyword: keyword_text(k.keyword.as_deref().unwrap_or_default())?,
                    whole_word: i64::from(k.whole_word.unwrap_or(true)),
                };
                filters::save_keyword(c, tenant.id, &row).await?;
            }
        }
    }
    Ok(())
}

/// Creates a filter with its keywords; a title and contexts are required.
pub async fn create(app: &App, tenant: &Tenant, owner: i64, s: FilterSettings) -> Result<Filter> {
    if s.title.is_none() {
        return Err(AppError::Invalid("Validation failed: Title can't be blank".into()));
    }
    if s.contexts.is_none() {
        return Err(AppError::Invalid("Validation failed: Context can't be blank".into()));
    }
    let mut row = FilterRow {
        id: Id::generate().0,
        tenant_id: tenant.id.0,
        account_id: owner,
        title: String::new(),
        contexts: "[]".into(),
        action: "warn".into(),
        expires_at: None,
        created_at: Timestamp::now().0,
    };
    apply(&mut row, &s)?;
    let mut tx = app.db.begin().await?;
    if filters::of_owner(&mut tx, tenant.id, owner, None).await?.len() >= MAX_FILTERS {
        return Err(AppError::Invalid(format!("Validation failed: at most {MAX_FILTERS} filters")));
    }
    filters::save(&mut tx, tenant.id, &row).await?;
    let f = Filter {
        row,
        keywords: Vec::new(),
        statuses: Vec::new(),
    };
    keywords(&mut tx, tenant, &f, &s.keywords).await?;
    let f = owned(&mut tx, tenant.id, owner, f.row.id).await?;
    super::changed(&mut tx, tenant.id, owner).await?;
    tx.commit().await?;
    Ok(f)
}

/// Changes one of `owner`'s filters and its keywords.
pub async fn update(app: &App, tenant: &Tenant, owner: i64, id: i64, s: FilterSettings) -> Result<Filter> {
    let mut tx = app.db.begin().await?;
    let mut f = owned(&mut tx, tenant.id, owner, id).await?;
    apply(&mut f.row, &s)?;
    filters::save(&mut tx, tenant.id, &f.row).await?;
    keywords(&mut tx, tenant, &f, &s.keywords).await?;
    let f = owned(&mut tx, tenant.id, owner, id).await?;
    super::changed(&mut tx, tenant.id, owner).await?;
    tx.commit().await?;
    Ok(f)
}

pub async fn delete(app: &App, tenant: &Tenant, owner: i64, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    owned(&mut tx, tenant.id, owner, id).await?;
    filters::delete(&mut tx, tenant.id, id).await?;
    super::changed(&mut tx, tenant.id, owner).await?;
    tx.commit().await?;
    Ok(())
}
