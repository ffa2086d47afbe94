//! What moderators do to accounts and record about them: restrictions (limited, sensitive,
//! disabled, suspended), the admin account list, notes on reports and accounts, strikes (what
//! the member is told) and their appeals.

use sqlx::FromRow;

use crate::accounts::AccountRow;
use crate::changes::{Change, record_many};
use crate::sql::{Arg, Sql};
use crate::users::UserRow;
use crate::{Conn, Page, Result, TenantId, placeholders};

/// One of an account's restrictions, each set or lifted on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    Silenced,
    Sensitized,
    Suspended,
}

/// Sets (`Some(now)`) or lifts (`None`) a restriction. A suspension records its origin.
pub async fn restrict(c: &mut Conn, t: TenantId, account: i64, r: Restriction, at: Option<i64>, origin: &str) -> Result<()> {
    let sql = match r {
        Restriction::Silenced => "UPDATE accounts SET silenced_at = ? WHERE tenant_id = ? AND id = ?",
        Restriction::Sensitized => "UPDATE accounts SET sensitized_at = ? WHERE tenant_id = ? AND id = ?",
        Restriction::Suspended => "UPDATE accounts SET suspended_at = ?, suspension_origin = ? WHERE tenant_id = ? AND id = ?",
    };
    let mut q = c.q(sql).bind(at);
    if r == Restriction::Suspended {
        q = q.bind(at.map(|_| origin.to_string()));
    }
    q.bind(t.0).bind(account).execute(c.ex()).await?;
    // A suspension changes every feed that shows the account, and its sessions.
    record_many(c, t, &[Change::Account(account), Change::User(account), Change::Posted(account)]).await?;
    Ok(())
}

/// Refuses or allows a local account's sign-in (Mastodon's disable).
pub async fn set_disabled(c: &mut Conn, t: TenantId, account: i64, disabled: bool) -> Result<()> {
    c.q("UPDATE users SET disabled = ? WHERE tenant_id = ? AND account_id = ?")
        .bind(i64::from(disabled))
        .bind(t.0)
        .bind(account)
        .execute(c.ex())
        .await?;
    record_many(c, t, &[Change::User(account)]).await?;
    Ok(())
}

/// The admin account list's filters (Mastodon's `AccountFilter`).
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// `Some(true)` local accounts only, `Some(false)` remote only.
    pub local: Option<bool>,
    /// `active`, `pending`, `disabled`, `silenced`, `suspended`, `sensitized`.
    pub status: Option<String>,
    pub by_domain: Option<String>,
    /// Prefix of the username, any case.
    pub username: Option<String>,
    /// Part of the display name, any case.
    pub display_name: Option<String>,
    /// Part of the e-mail address, any case.
    pub email: Option<String>,
    /// Only members holding one of these roles.
    pub roles: Vec<String>,
    /// An address accounts signed in from; Herd keeps none, so this matches no account.
    pub ip: Option<String>,
}

fn like(s: &str) -> String {
    let escaped = s.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Accounts as the admin API lists them, newest first.
pub async fn accounts(c: &mut Conn, t: TenantId, f: &AccountFilter, page: &Page) -> Result<Vec<AccountRow>> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM accounts a LEFT JOIN users u ON u.tenant_id = a.tenant_id AND u.account_id = a.id \
         WHERE a.tenant_id = ?",
        crate::accounts::COLS
    ));
    sql.args.push(Arg::I(t.0));
    match f.local {
        Some(true) => {
            sql.push(" AND a.domain = ''", []);
        }
        Some(false) => {
            sql.push(" AND a.domain <> ''", []);
        }
        None => {}
    }
    match f.status.as_deref() {
        Some("active") => sql.push(" AND a.suspended_at IS NULL", []),
        Some("pending") => sql.push(" AND u.approved = 0", []),
        Some("disabled") => sql.push(" AND u.disabled = 1", []),
        Some("silenced") => sql.push(" AND a.silenced_at IS NOT NULL", []),
        Some("suspended") => sql.push(" AND a.suspended_at IS NOT NULL", []),
        Some("sensitized") => sql.push(" AND a.sensitized_at IS NOT NULL", []),
        _ => &mut sql,
    };
    if let Some(d) = &f.by_domain {
        sql.push(" AND a.domain = ?", [Arg::S(d.to_ascii_lowercase())]);
    }
    if let Some(u) = &f.username {
        let prefix = u.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        sql.push(" AND a.username_key LIKE ? ESCAPE '\\'", [Arg::S(format!("{prefix}%"))]);
    }
    if let Some(n) = &f.display_name {
        sql.push(" AND LOWER(a.display_name) LIKE ? ESCAPE '\\'", [Arg::S(like(n))]);
    }
    if let Some(e) = &f.email {
        sql.push(" AND u.email_key LIKE ? ESCAPE '\\'", [Arg::S(like(e))]);
    }
    if f.ip.is_some() {
        sql.push(" AND 1 = 0", []);
    }
    if !f.roles.is_empty() {
        sql.push(
            &format!(" AND u.role IN ({})", placeholders(f.roles.len())),
            f.roles.iter().map(|r| Arg::S(r.clone())),
        );
    }
    let asc = sql.page_on("a.id", page);
    sql.fetch(c, asc).await
}

/// The users of these accounts (local ones have one).
pub async fn users_of(c: &mut Conn, t: TenantId, accounts: &[i64]) -> Result<Vec<UserRow>> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {} FROM users WHERE tenant_id = ? AND account_id IN ({})",
        crate::users::COLS,
        placeholders(accounts.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for a in accounts {
        q = q.bind(*a);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub subject: String,
    pub subject_id: i64,
    pub account_id: Option<i64>,
    pub content: String,
    pub created_at: i64,
}

/// What a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Report(i64),
    Account(i64),
}

impl Subject {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Subject::Report(id) => ("report", id),
            Subject::Account(id) => ("account", id),
        }
    }
}

pub async fn add_note(c: &mut Conn, t: TenantId, id: i64, on: Subject, author: Option<i64>, content: &str, now: i64) -> Result<()> {
    let (kind, subject) = on.parts();
    c.q("INSERT INTO moderation_notes (id, tenant_id, subject, subject_id, account_id, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(id)
        .bind(t.0)
        .bind(kind)
        .bind(subject)
        .bind(author)
        .bind(content)
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn notes(c: &mut Conn, t: TenantId, on: Subject) -> Result<Vec<NoteRow>> {
    let (kind, subject) = on.parts();
    Ok(c.qa(
        "SELECT id, subject, subject_id, account_id, content, created_at FROM moderation_notes \
         WHERE tenant_id = ? AND subject = ? AND subject_id = ? ORDER BY id",
    )
    .bind(t.0)
    .bind(kind)
    .bind(subject)
    .fetch_all(c.ex())
    .await?)
}

pub async fn note(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<NoteRow>> {
    Ok(
        c.qa("SELECT id, subject, subject_id, account_id, content, created_at FROM moderation_notes WHERE tenant_id = ? AND id = ?")
            .bind(t.0)
            .bind(id)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn delete_note(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    c.q("DELETE FROM moderation_notes WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct StrikeRow {
    pub id: i64,
    pub account_id: Option<i64>,
    pub target_account_id: i64,
    pub action: String,
    pub text: String,
    pub status_ids: String,
    pub report_id: Option<i64>,
    pub overruled_at: Option<i64>,
    pub created_at: i64,
}

const STRIKE_COLS: &str = "id, account_id, target_account_id, action, text, status_ids, report_id, overruled_at, created_at";

pub struct NewStrike<'a> {
    pub id: i64,
    pub moderator: Option<i64>,
    pub target: i64,
    pub action: &'a str,
    pub text: &'a str,
    pub status_ids: &'a [i64],
    pub report_id: Option<i64>,
    pub now: i64,
}

pub async fn add_strike(c: &mut Conn, t: TenantId, s: NewStrike<'_>) -> Result<()> {
    c.q(
        "INSERT INTO strikes (id, tenant_id, account_id, target_account_id, action, text, status_ids, report_id, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(s.id)
    .bind(t.0)
    .bind(s.moderator)
    .bind(s.target)
    .bind(s.action)
    .bind(s.text)
    .bind(serde_json::to_string(s.status_ids).unwrap_or_else(|_| "[]".into()))
    .bind(s.report_id)
    .bind(s.now)
    .execute(c.ex())
    .await?;
    Ok(())
}

pub async fn strike(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<StrikeRow>> {
    Ok(c.qa(&format!("SELECT {STRIKE_COLS} FROM strikes WHERE tenant_id = ? AND id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

/// An account's strikes, newest first.
pub async fn strikes_of(c: &mut Conn, t: TenantId, account: i64) -> Result<Vec<StrikeRow>> {
    Ok(c.qa(&format!(
        "SELECT {STRIKE_COLS} FROM strikes WHERE tenant_id = ? AND target_account_id = ? ORDER BY id DESC LIMIT 200"
    ))
    .bind(t.0)
    .bind(account)
    .fetch_all(c.ex())
    .await?)
}

pub async fn strikes_by_ids(c: &mut Conn, t: TenantId, ids: &[i64]) -> Result<Vec<StrikeRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {STRIKE_COLS} FROM strikes WHERE tenant_id = ? AND id IN ({})",
        placeholders(ids.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

pub async fn overrule(c: &mut Conn, t: TenantId, strike: i64, now: i64) -> Result<()> {
    c.q("UPDATE strikes SET overruled_at = ? WHERE tenant_id = ? AND id = ?")
        .bind(now)
        .bind(t.0)
        .bind(strike)
        .execute(c.ex())
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AppealRow {
    pub id: i64,
    pub strike_id: i64,
    pub account_id: i64,
    pub text: String,
    pub approved_at: Option<i64>,
    pub approved_by: Option<i64>,
    pub rejected_at: Option<i64>,
    pub rejected_by: Option<i64>,
    pub created_at: i64,
}

const APPEAL_COLS: &str = "id, strike_id, account_id, text, approved_at, approved_by, rejected_at, rejected_by, created_at";

/// Files an appeal; `false` when the strike was appealed already.
pub async fn add_appeal(c: &mut Conn, t: TenantId, id: i64, strike: i64, account: i64, text: &str, now: i64) -> Result<bool> {
    let r = c
        .q(
            "INSERT INTO appeals (id, tenant_id, strike_id, account_id, text, created_at) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (tenant_id, strike_id) DO NOTHING",
        )
        .bind(id)
        .bind(t.0)
        .bind(strike)
        .bind(account)
        .bind(text)
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn appeal(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<AppealRow>> {
    Ok(c.qa(&format!("SELECT {APPEAL_COLS} FROM appeals WHERE tenant_id = ? AND id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn appeals_of_strikes(c: &mut Conn, t: TenantId, strikes: &[i64]) -> Result<Vec<AppealRow>> {
    if strikes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {APPEAL_COLS} FROM appeals WHERE tenant_id = ? AND strike_id IN ({})",
        placeholders(strikes.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for s in strikes {
        q = q.bind(*s);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// Appeals, newest first: undecided ones (`pending`), or all.
pub async fn appeals(c: &mut Conn, t: TenantId, pending: bool, page: &Page) -> Result<Vec<AppealRow>> {
    let mut sql = Sql::new(format!("SELECT {APPEAL_COLS} FROM appeals WHERE tenant_id = ?"));
    sql.args.push(Arg::I(t.0));
    if pending {
        sql.push(" AND approved_at IS NULL AND rejected_at IS NULL", []);
    }
    let asc = sql.page_on("id", page);
    sql.fetch(c, asc).await
}

/// Records a moderator's decision on an appeal.
pub async fn decide_appeal(c: &mut Conn, t: TenantId, id: i64, approve: bool, by: Option<i64>, now: i64) -> Result<()> {
    let sql = if approve {
        "UPDATE appeals SET approved_at = ?, approved_by = ? WHERE tenant_id = ? AND id = ?"
    } else {
        "UPDATE appeals SET rejected_at = ?, rejected_by = ? WHERE tenant_id = ? AND id = ?"
    };
    c.q(sql).bind(now).bind(by).bind(t.0).bind(id).execute(c.ex()).await?;
    Ok(())
}

/// Follows a member lost when the instance suspended a server.
#[derive(Debug, Clone, FromRow)]
pub struct SeveranceRow {
    pub id: i64,
    pub account_id: i64,
    /// `domain_block` (Mastodon also has `user_domain_block` and `account_suspension`).
    pub kind: String,
    pub target_name: String,
    pub followers_count: i64,
    pub following_count: i64,
    pub created_at: i64,
}

pub async fn add_severance(c: &mut Conn, t: TenantId, s: &SeveranceRow) -> Result<()> {
    c.q(
        "INSERT INTO severed_relationships (id, tenant_id, account_id, kind, target_name, followers_count, following_count, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(s.id)
    .bind(t.0)
    .bind(s.account_id)
    .bind(s.kind.clone())
    .bind(s.target_name.clone())
    .bind(s.followers_count)
    .bind(s.following_count)
    .bind(s.created_at)
    .execute(c.ex())
    .await?;
    Ok(())
}

pub async fn severances_by_ids(c: &mut Conn, t: TenantId, ids: &[i64]) -> Result<Vec<SeveranceRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, account_id, kind, target_name, followers_count, following_count, created_at FROM severed_relationships \
         WHERE tenant_id = ? AND id IN ({})",
        placeholders(ids.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// Accounts of a server and of its subdomains (on any port, unless `domain` names one).
pub async fn accounts_of_domain(c: &mut Conn, t: TenantId, domain: &str) -> Result<Vec<i64>> {
    Ok(
        c.qs("SELECT id FROM accounts WHERE tenant_id = ? AND (domain = ? OR domain LIKE ? OR domain LIKE ? OR domain LIKE ?)")
            .bind(t.0)
            .bind(domain)
            .bind(format!("%.{domain}"))
            .bind(format!("{domain}:%"))
            .bind(format!("%.{domain}:%"))
            .fetch_all(c.ex())
            .await?,
    )
}

/// Follows and follow requests between this instance's own accounts and `remote` accounts:
/// (follower, followed, is_request).
pub async fn edges_with(c: &mut Conn, t: TenantId, remote: &[i64]) -> Result<Vec<(i64, i64, bool)>> {
    let mut out = Vec::new();
    for chunk in remote.chunks(500) {
        let list = placeholders(chunk.len());
        for (table, request) in [("follows", false), ("follow_requests", true)] {
            let sql = format!(
                "SELECT account_id, target_account_id FROM {table} WHERE tenant_id = ? AND (account_id IN ({list}) OR target_account_id IN ({list}))"
            );
            let mut q = c.qa::<(i64, i64)>(&sql).bind(t.0);
            for _ in 0..2 {
                for id in chunk {
                    q = q.bind(*id);
                }
            }
            out.extend(q.fetch_all(c.ex()).await?.into_iter().map(|(a, b)| (a, b, request)));
        }
    }
    Ok(out)
}

/// Sets or lifts a restriction on every account of a server (a domain block), returning
/// how many changed. Lifting touches only accounts restricted since `since` (by the block).
pub async fn restrict_domain(c: &mut Conn, t: TenantId, accounts: &[i64], r: Restriction, at: Option<i64>, since: i64) -> Result<u64> {
    let col = match r {
        Restriction::Silenced => "silenced_at",
        Restriction::Sensitized => "sensitized_at",
        Restriction::Suspended => "suspended_at",
    };
    let mut n = 0;
    for chunk in accounts.chunks(500) {
        let cond = if at.is_some() {
            format!("{col} IS NULL")
        } else {
            format!("{col} >= ?")
        };
        let origin = if r == Restriction::Suspended {
            if at.is_some() {
                ", suspension_origin = 'local'"
            } else {
                ", suspension_origin = NULL"
            }
        } else {
            ""
        };
        let sql = format!(
            "UPDATE accounts SET {col} = ?{origin} WHERE tenant_id = ? AND {cond} AND id IN ({})",
            placeholders(chunk.len())
        );
        let mut q = c.q(&sql).bind(at).bind(t.0);
        if at.is_none() {
            q = q.bind(since);
        }
        for id in chunk {
            q = q.bind(*id);
        }
        n += q.execute(c.ex()).await?.rows_affected();
        let changes: Vec<Change> = chunk.iter().flat_map(|id| [Change::Account(*id), Change::Posted(*id)]).collect();
        record_many(c, t, &changes).await?;
    }
    Ok(n)
}
