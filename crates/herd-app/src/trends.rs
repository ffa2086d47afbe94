//! Trends of one instance, as Mastodon's explore tab shows them: hashtags and links several
//! accounts used in the last two days, and the posts of the last two days others interact
//! with most.
//! Each hashtag carries its use per day for the last week.

use std::collections::HashMap;

use herd_core::Timestamp;
use herd_store::trends::{self, Day};
use herd_store::{Conn, TenantId};

use crate::Result;
use crate::views::{self, StatusView};

const DAY_MS: i64 = 86_400_000;
/// How far back a trend looks.
const WINDOW_MS: i64 = 2 * DAY_MS;

/// The last seven days of each hashtag's use, newest first, days without use included.
pub async fn tag_history(c: &mut Conn, t: TenantId, tag_ids: &[i64]) -> Result<HashMap<i64, Vec<Day>>> {
    let today = Timestamp::now().0.div_euclid(DAY_MS);
    let found = trends::history(c, t, trends::Used::Tags, tag_ids, (today - 6) * DAY_MS).await?;
    Ok(week(tag_ids, &found, today))
}

/// Seven days for each id, newest first, filled from `found`.
fn week(ids: &[i64], found: &[Day], today: i64) -> HashMap<i64, Vec<Day>> {
    ids.iter()
        .map(|&id| {
            let days = (0..7)
                .map(|back| {
                    let day = today - back;
                    found.iter().find(|d| d.id == id && d.day == day).cloned().unwrap_or(Day {
                        id,
                        day,
                        uses: 0,
                        accounts: 0,
                    })
                })
                .collect();
            (id, days)
        })
        .collect()
}

/// Trending links: their preview cards with a week of use each.
pub async fn links(c: &mut Conn, t: TenantId, limit: i64, offset: i64) -> Result<Vec<(herd_store::cards::CardRow, Vec<Day>)>> {
    let now = Timestamp::now().0;
    let cards = herd_store::cards::trending(c, t, now - WINDOW_MS, limit, offset).await?;
    let ids: Vec<i64> = cards.iter().map(|c| c.id).collect();
    let today = now.div_euclid(DAY_MS);
    let found = trends::history(c, t, trends::Used::Links, &ids, (today - 6) * DAY_MS).await?;
    let mut weeks = week(&ids, &found, today);
    Ok(cards
        .into_iter()
        .map(|card| {
            let days = weeks.remove(&card.id).unwrap_or_default();
            (card, days)
        })
        .collect())
}

/// Trending hashtags: (id, name), most accounts first.
pub async fn tags(c: &mut Conn, t: TenantId, limit: i64, offset: i64) -> Result<Vec<(i64, String)>> {
    Ok(trends::tags(c, t, Timestamp::now().0 - WINDOW_MS, limit, offset).await?)
}

/// Trending posts as `viewer` may see them, with the viewer's filters for public timelines.
pub async fn statuses(c: &mut Conn, t: TenantId, viewer: Option<i64>, limit: i64, offset: i64) -> Result<Vec<StatusView>> {
    let rows = trends::statuses(c, t, Timestamp::now().0 - WINDOW_MS, limit, offset).await?;
    let rows = views::filter_visible(c, t, viewer, rows).await?;
    let filters = crate::filters::Active::load(c, t, viewer, "public").await?;
    Ok(filters.apply(views::statuses(c, t, viewer, rows).await?))
}
