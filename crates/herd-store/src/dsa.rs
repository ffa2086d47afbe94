//! What the Digital Services Act asks an instance to keep: visitors' notices and their
//! decisions, and the figures of its transparency report.

use sqlx::FromRow;

use crate::{Conn, Result, TenantId};

#[derive(Debug, Clone, FromRow)]
pub struct NoticeRow {
    pub id: i64,
    pub report_id: Option<i64>,
    pub item_url: String,
    pub ground: String,
    pub explanation: String,
    pub contact: Option<String>,
    pub reference_hash: String,
    pub decision: Option<String>,
    pub decided_at: Option<i64>,
    pub notified_at: Option<i64>,
    pub created_at: i64,
}

const COLS: &str = "id, report_id, item_url, ground, explanation, contact, reference_hash, decision, decided_at, notified_at, created_at";

pub async fn add_notice(c: &mut Conn, t: TenantId, n: &NoticeRow) -> Result<()> {
    c.q(
        "INSERT INTO notices (id, tenant_id, report_id, item_url, ground, explanation, contact, reference_hash, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(n.id)
    .bind(t.0)
    .bind(n.report_id)
    .bind(n.item_url.clone())
    .bind(n.ground.clone())
    .bind(n.explanation.clone())
    .bind(n.contact.clone())
    .bind(n.reference_hash.clone())
    .bind(n.created_at)
    .execute(c.ex())
    .await?;
    Ok(())
}

pub async fn notice_by_reference(c: &mut Conn, t: TenantId, hash: &str) -> Result<Option<NoticeRow>> {
    Ok(
        c.qa(&format!("SELECT {COLS} FROM notices WHERE tenant_id = ? AND reference_hash = ?"))
            .bind(t.0)
            .bind(hash)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn notices_of_report(c: &mut Conn, t: TenantId, report: i64) -> Result<Vec<NoticeRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM notices WHERE tenant_id = ? AND report_id = ?"))
        .bind(t.0)
        .bind(report)
        .fetch_all(c.ex())
        .await?)
}

/// Records the decision on a notice and that its sender was told.
pub async fn decide_notice(c: &mut Conn, t: TenantId, id: i64, decision: &str, now: i64, notified: bool) -> Result<()> {
    c.q("UPDATE notices SET decision = ?, decided_at = ?, notified_at = ? WHERE tenant_id = ? AND id = ?")
        .bind(decision)
        .bind(now)
        .bind(notified.then_some(now))
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

/// Counts of rows grouped by one text column within `[from, to)` of an instant column.
async fn grouped(c: &mut Conn, t: TenantId, sql: &str, from: i64, to: i64) -> Result<Vec<(String, i64)>> {
    Ok(c.qa(sql).bind(t.0).bind(from).bind(to).fetch_all(c.ex()).await?)
}

/// The figures of a transparency report over `[from, to)`.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// Notices by ground.
    pub notices: Vec<(String, i64)>,
    /// Reports by origin (member, remote, visitor, system).
    pub reports_by_origin: Vec<(String, i64)>,
    /// Reports by category.
    pub reports_by_category: Vec<(String, i64)>,
    /// Restrictions (strikes) by action and by the category of the report behind them
    /// (`none` without a report).
    pub actions: Vec<(String, String, i64)>,
    /// Auto-moderation hits by action (`automod.flag`, ...).
    pub automated: Vec<(String, i64)>,
    /// Time from report to resolution of each report resolved in the period (ms).
    pub handling_ms: Vec<i64>,
    /// Appeals filed in the period by outcome (approved, rejected, pending).
    pub appeals: Vec<(String, i64)>,
}

pub async fn figures(c: &mut Conn, t: TenantId, from: i64, to: i64) -> Result<Figures> {
    let actions: Vec<(String, String, i64)> = c
        .qa(
            "SELECT s.action, COALESCE(r.category, 'none'), COUNT(*) FROM strikes s LEFT JOIN reports r \
             ON r.tenant_id = s.tenant_id AND r.id = s.report_id WHERE s.tenant_id = ? AND s.created_at >= ? AND s.created_at < ? \
             GROUP BY s.action, COALESCE(r.category, 'none') ORDER BY 1, 2",
        )
        .bind(t.0)
        .bind(from)
        .bind(to)
        .fetch_all(c.ex())
        .await?;
    let handling_ms: Vec<i64> = c
        .qs(
            "SELECT action_taken_at - created_at FROM reports WHERE tenant_id = ? AND action_taken_at >= ? AND action_taken_at < ? \
             ORDER BY 1",
        )
        .bind(t.0)
        .bind(from)
        .bind(to)
        .fetch_all(c.ex())
        .await?;
    Ok(Figures {
        notices: grouped(c, t, "SELECT ground, COUNT(*) FROM notices WHERE tenant_id = ? AND created_at >= ? AND created_at < ? GROUP BY ground ORDER BY 1", from, to).await?,
        reports_by_origin: grouped(c, t, "SELECT origin, COUNT(*) FROM reports WHERE tenant_id = ? AND created_at >= ? AND created_at < ? GROUP BY origin ORDER BY 1", from, to).await?,
        reports_by_category: grouped(c, t, "SELECT category, COUNT(*) FROM reports WHERE tenant_id = ? AND created_at >= ? AND created_at < ? GROUP BY category ORDER BY 1", from, to).await?,
        actions,
        automated: grouped(c, t, "SELECT action, COUNT(*) FROM audit_log WHERE tenant_id = ? AND created_at >= ? AND created_at < ? AND action LIKE 'automod.%' GROUP BY action ORDER BY 1", from, to).await?,
        handling_ms,
        appeals: grouped(
            c,
            t,
            "SELECT CASE WHEN approved_at IS NOT NULL THEN 'approved' WHEN rejected_at IS NOT NULL THEN 'rejected' ELSE 'pending' END, COUNT(*) \
             FROM appeals WHERE tenant_id = ? AND created_at >= ? AND created_at < ? GROUP BY 1 ORDER BY 1",
            from,
            to,
        )
        .await?,
    })
}

/// A strike in a statement of reasons: with the report it answers (its category and origin).
#[derive(Debug, Clone, FromRow)]
pub struct StatementRow {
    pub id: i64,
    pub target_account_id: i64,
    pub action: String,
    pub text: String,
    pub status_ids: String,
    pub created_at: i64,
    pub category: Option<String>,
    pub origin: Option<String>,
    pub report_created_at: Option<i64>,
}

/// The restrictions (every strike but a plain warning) decided in `[from, to)`.
pub async fn statements(c: &mut Conn, t: TenantId, from: i64, to: i64) -> Result<Vec<StatementRow>> {
    Ok(c.qa(
        "SELECT s.id, s.target_account_id, s.action, s.text, s.status_ids, s.created_at, r.category, r.origin, \
         r.created_at AS report_created_at FROM strikes s LEFT JOIN reports r ON r.tenant_id = s.tenant_id AND r.id = s.report_id \
         WHERE s.tenant_id = ? AND s.created_at >= ? AND s.created_at < ? AND s.action <> 'none' ORDER BY s.id",
    )
    .bind(t.0)
    .bind(from)
    .bind(to)
    .fetch_all(c.ex())
    .await?)
}

/// The statements of one account's strikes (for the member they concern).
pub async fn statements_of(c: &mut Conn, t: TenantId, account: i64) -> Result<Vec<StatementRow>> {
    Ok(c.qa(
        "SELECT s.id, s.target_account_id, s.action, s.text, s.status_ids, s.created_at, r.category, r.origin, \
         r.created_at AS report_created_at FROM strikes s LEFT JOIN reports r ON r.tenant_id = s.tenant_id AND r.id = s.report_id \
         WHERE s.tenant_id = ? AND s.target_account_id = ? ORDER BY s.id DESC LIMIT 200",
    )
    .bind(t.0)
    .bind(account)
    .fetch_all(c.ex())
    .await?)
}
