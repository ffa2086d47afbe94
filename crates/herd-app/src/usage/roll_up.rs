use herd_core::Timestamp;

use super::day_of;
use crate::{App, Result};

/// Writes every instance's row for `day` (again, if it was written before). Returns how
/// many instances it wrote.
pub async fn roll_up(app: &App, day: i64) -> Result<u64> {
    super::flush(app).await?;
    let mut tx = app.db.begin().await?;
    let n = herd_store::usage::roll_up(&mut tx, day).await?;
    tx.commit().await?;
    Ok(n)
}

/// What housekeeping runs: today's rows (so far), and yesterday's once for good by
/// whichever node claims it first.
pub async fn roll_up_due(app: &App) -> Result<()> {
    let now = Timestamp::now().0;
    let today = day_of(now);
    let claimed = {
        let mut c = app.db.conn().await?;
        herd_store::usage::claim_day(&mut c, today - 1, now, 3_600_000).await?
    };
    if claimed {
        roll_up(app, today - 1).await?;
        let mut c = app.db.conn().await?;
        herd_store::usage::finish_day(&mut c, today - 1, Timestamp::now().0).await?;
    }
    roll_up(app, today).await?;
    Ok(())
}
