use herd_store::{Page, quotes, statuses};

use crate::views::{self, StatusView};
use crate::{App, Result, Tenant};

/// The posts quoting a post, newest quote first, with the quote ids for paging: the accepted
/// quotes the viewer may see, as on Mastodon 4.5 (a page may come back short when some are
/// hidden from the viewer). 404 for a post the viewer cannot see.
pub async fn quotes_of(app: &App, tenant: &Tenant, viewer: Option<i64>, quoted: i64, page: &Page) -> Result<(Vec<StatusView>, Vec<i64>)> {
    let t = tenant.id;
    let mut c = app.db.conn().await?;
    let row = views::visible_status(&mut c, t, viewer, quoted).await?;
    let found = quotes::of_quoted(&mut c, t, row.id, page).await?;
    let ids: Vec<i64> = found.iter().map(|(_, s)| *s).collect();
    let rows = statuses::by_ids(&mut c, t, &ids).await?;
    let mut ordered = Vec::with_capacity(rows.len());
    for id in &ids {
        if let Some(r) = rows.iter().find(|r| r.id == *id) {
            ordered.push(r.clone());
        }
    }
    let visible = views::filter_visible(&mut c, t, viewer, ordered).await?;
    let keys: Vec<i64> = found.iter().map(|(q, _)| *q).collect();
    Ok((views::statuses(&mut c, t, viewer, visible).await?, keys))
}
