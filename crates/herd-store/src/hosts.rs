//! Other servers' health for delivery (a breaker per host). Not tenant data: see the
//! migration `0006_delivery_hosts`.

use crate::{Conn, Result};

/// Failures in a row after which a server is left alone for a while.
pub const TRIP_AFTER: i64 = 5;

/// Failures in a row, and until when (epoch ms) a host is left alone (0 if it is not).
pub async fn health(c: &mut Conn, host: &str) -> Result<(i64, i64)> {
    let v: Option<(i64, i64)> = c
        .qa("SELECT failures, down_until FROM delivery_hosts WHERE host = ?")
        .bind(host)
        .fetch_optional(c.ex())
        .await?;
    Ok(v.unwrap_or((0, 0)))
}

/// A delivery to the host worked: it is healthy again.
pub async fn succeeded(c: &mut Conn, host: &str, now: i64) -> Result<()> {
    c.q("UPDATE delivery_hosts SET failures = 0, down_until = 0, updated_at = ? WHERE host = ? AND failures > 0")
        .bind(now)
        .bind(host)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// A delivery to the host failed. From the [`TRIP_AFTER`]th failure in a row on, the host is
/// left alone for a minute, doubling with each further failure up to a day.
pub async fn failed(c: &mut Conn, host: &str, now: i64) -> Result<i64> {
    c.q(
        "INSERT INTO delivery_hosts (host, failures, down_until, updated_at) VALUES (?, 1, 0, ?) \
         ON CONFLICT (host) DO UPDATE SET failures = delivery_hosts.failures + 1, updated_at = excluded.updated_at",
    )
    .bind(host)
    .bind(now)
    .execute(c.ex())
    .await?;
    let failures: i64 = c
        .qs("SELECT failures FROM delivery_hosts WHERE host = ?")
        .bind(host)
        .fetch_one(c.ex())
        .await?;
    if failures < TRIP_AFTER {
        return Ok(0);
    }
    let pause = (60_000i64 << (failures - TRIP_AFTER).clamp(0, 20)).min(86_400_000);
    let until = now + pause;
    c.q("UPDATE delivery_hosts SET down_until = ? WHERE host = ?")
        .bind(until)
        .bind(host)
        .execute(c.ex())
        .await?;
    Ok(until)
}
