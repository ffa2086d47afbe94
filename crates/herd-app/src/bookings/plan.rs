use herd_core::{Id, Service, Terms, Timestamp};
use herd_store::StoreError;
use herd_store::bookings::{self, PlanRow};

use crate::{Actor, App, AppError, Result};

/// Adds a plan to the catalog, or gives an existing plan of the same service new terms
/// (bookings on it follow at once).
pub async fn define_plan(app: &App, actor: &Actor, name: &str, service: Service, terms: &Terms) -> Result<PlanRow> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Invalid("a plan's name is 1 to 100 characters".into()));
    }
    terms.check_for(service)?;
    let now = Timestamp::now().0;
    let mut tx = app.db.begin().await?;
    let row = match bookings::plan_by_name(&mut tx, name).await? {
        Some(p) if p.service != service.as_str() => {
            return Err(AppError::Conflict(format!("the plan {name:?} is a {} plan", p.service)));
        }
        Some(mut p) => {
            p.terms = terms.to_json();
            p.retired_at = None;
            p.updated_at = now;
            bookings::update_plan(&mut tx, &p).await?;
            p
        }
        None => {
            let p = PlanRow {
                id: Id::generate().0,
                name: name.to_string(),
                service: service.as_str().to_string(),
                terms: terms.to_json(),
                retired_at: None,
                created_at: now,
                updated_at: now,
            };
            match bookings::insert_plan(&mut tx, &p).await {
                Err(StoreError::Conflict) => return Err(AppError::Conflict(format!("the plan {name:?} exists already"))),
                r => r?,
            }
            p
        }
    };
    crate::organizations::audit(
        &mut tx,
        None,
        actor,
        "plan.define",
        &row.name,
        serde_json::json!({"service": row.service, "terms": terms}),
    )
    .await?;
    tx.commit().await?;
    app.entitlements.forget_all();
    Ok(row)
}

/// Takes a plan out of the catalog for new bookings; bookings on it keep its terms.
pub async fn retire_plan(app: &App, actor: &Actor, name: &str) -> Result<PlanRow> {
    let mut tx = app.db.begin().await?;
    let mut p = bookings::plan_by_name(&mut tx, name.trim())
        .await?
        .ok_or_else(|| AppError::Invalid(format!("no plan {name:?}; see `herd plan list`")))?;
    let now = Timestamp::now().0;
    p.retired_at = Some(now);
    p.updated_at = now;
    bookings::update_plan(&mut tx, &p).await?;
    crate::organizations::audit(&mut tx, None, actor, "plan.retire", &p.name, serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(p)
}
