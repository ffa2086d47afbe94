//! Conversations: direct posts grouped, for each local participant, by the other people in
//! them (Mastodon groups by thread and participants; Herd by participants alone, so a new
//! thread among the same people continues the conversation).

use herd_core::Id;
use herd_store::accounts::AccountRow;
use herd_store::conversations::{self, ConversationRow};
use herd_store::statuses::StatusRow;
use herd_store::{Conn, Page, TenantId, accounts, statuses};

use crate::views::{self, StatusView};
use crate::{App, AppError, Result, Tenant};

/// A conversation as its owner sees it.
pub struct ConversationView {
    pub row: ConversationRow,
    /// The other participants (the owner alone when writing to nobody else).
    pub accounts: Vec<AccountRow>,
    pub last_status: Option<StatusView>,
}

/// Files a direct post in the conversation of each local participant, in the caller's
/// transaction: unread for all but its author.
pub(crate) async fn record(c: &mut Conn, t: TenantId, row: &StatusRow, author: &AccountRow, mentioned: &[AccountRow]) -> Result<()> {
    if row.visibility != "direct" {
        return Ok(());
    }
    let mut everyone: Vec<&AccountRow> = std::iter::once(author).chain(mentioned).collect();
    everyone.sort_by_key(|a| a.id);
    everyone.dedup_by_key(|a| a.id);
    for p in everyone.iter().filter(|a| a.domain.is_empty()) {
        let others: Vec<i64> = everyone.iter().filter(|o| o.id != p.id).map(|o| o.id).collect();
        conversations::touch(c, t, Id::generate().0, p.id, &others, row.id, p.id != author.id).await?;
    }
    Ok(())
}

async fn view(c: &mut Conn, t: TenantId, viewer: i64, rows: Vec<ConversationRow>) -> Result<Vec<ConversationView>> {
    let last_ids: Vec<i64> = rows.iter().map(|r| r.last_status_id).collect();
    let last_rows = statuses::by_ids(c, t, &last_ids).await?;
    let last_rows = views::filter_visible(c, t, Some(viewer), last_rows).await?;
    let lasts = views::statuses(c, t, Some(viewer), last_rows).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let ids: Vec<i64> = serde_json::from_str(&row.participants).unwrap_or_default();
        let ids = if ids.is_empty() { vec![viewer] } else { ids };
        let found = accounts::by_ids(c, t, &ids).await?;
        out.push(ConversationView {
            accounts: ids.iter().filter_map(|id| found.iter().find(|a| a.id == *id).cloned()).collect(),
            last_status: lasts.iter().find(|v| v.row.id == row.last_status_id).cloned(),
            row,
        });
    }
    Ok(out)
}

/// A page of the viewer's conversations, newest first.
pub async fn list(c: &mut Conn, t: TenantId, viewer: i64, page: &Page) -> Result<Vec<ConversationView>> {
    let rows = conversations::of_account(c, t, viewer, page).await?;
    view(c, t, viewer, rows).await
}

/// One of the viewer's conversations, or 404.
pub async fn get(c: &mut Conn, t: TenantId, viewer: i64, id: i64) -> Result<ConversationView> {
    let row = conversations::owned(c, t, viewer, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    view(c, t, viewer, vec![row])
        .await?
        .pop()
        .ok_or(AppError::NotFound("Record not found"))
}

/// Marks one of the viewer's conversations read.
pub async fn read(app: &App, tenant: &Tenant, viewer: i64, id: i64) -> Result<ConversationView> {
    let mut tx = app.db.begin().await?;
    get(&mut tx, tenant.id, viewer, id).await?;
    conversations::mark_read(&mut tx, tenant.id, id).await?;
    let v = get(&mut tx, tenant.id, viewer, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// Removes one of the viewer's conversations (its posts stay; a new one brings it back).
pub async fn remove(app: &App, tenant: &Tenant, viewer: i64, id: i64) -> Result<()> {
    let mut tx = app.db.begin().await?;
    get(&mut tx, tenant.id, viewer, id).await?;
    conversations::remove(&mut tx, tenant.id, id).await?;
    tx.commit().await?;
    Ok(())
}
