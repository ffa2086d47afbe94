//! Team accounts and who may act as them.

use crate::{Conn, Result, TenantId};

pub async fn create(c: &mut Conn, t: TenantId, account: i64, now: i64) -> Result<()> {
    c.q("INSERT INTO teams (tenant_id, account_id, created_at) VALUES (?, ?, ?)")
        .bind(t.0)
        .bind(account)
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(())
}

pub async fn is_team(c: &mut Conn, t: TenantId, account: i64) -> Result<bool> {
    let n: i64 = c
        .qs("SELECT COUNT(*) FROM teams WHERE tenant_id = ? AND account_id = ?")
        .bind(t.0)
        .bind(account)
        .fetch_one(c.ex())
        .await?;
    Ok(n > 0)
}

/// The instance's team accounts: id and username, by username.
pub async fn list(c: &mut Conn, t: TenantId) -> Result<Vec<(i64, String)>> {
    Ok(c.qa(
        "SELECT a.id, a.username FROM teams tm JOIN accounts a ON a.tenant_id = tm.tenant_id AND a.id = tm.account_id \
         WHERE tm.tenant_id = ? ORDER BY a.username",
    )
    .bind(t.0)
    .fetch_all(c.ex())
    .await?)
}

/// Who may act as a team: id and username.
pub async fn members(c: &mut Conn, t: TenantId, team: i64) -> Result<Vec<(i64, String)>> {
    Ok(c.qa(
        "SELECT a.id, a.username FROM team_members m JOIN accounts a ON a.tenant_id = m.tenant_id AND a.id = m.member_account_id \
         WHERE m.tenant_id = ? AND m.team_account_id = ? ORDER BY a.username",
    )
    .bind(t.0)
    .bind(team)
    .fetch_all(c.ex())
    .await?)
}

pub async fn is_member(c: &mut Conn, t: TenantId, team: i64, member: i64) -> Result<bool> {
    let n: i64 = c
        .qs("SELECT COUNT(*) FROM team_members WHERE tenant_id = ? AND team_account_id = ? AND member_account_id = ?")
        .bind(t.0)
        .bind(team)
        .bind(member)
        .fetch_one(c.ex())
        .await?;
    Ok(n > 0)
}

/// Adds a member; false when they were one already.
pub async fn add_member(c: &mut Conn, t: TenantId, team: i64, member: i64, now: i64) -> Result<bool> {
    if is_member(c, t, team, member).await? {
        return Ok(false);
    }
    c.q("INSERT INTO team_members (tenant_id, team_account_id, member_account_id, created_at) VALUES (?, ?, ?, ?)")
        .bind(t.0)
        .bind(team)
        .bind(member)
        .bind(now)
        .execute(c.ex())
        .await?;
    Ok(true)
}

/// Removes a member; their tokens for the team stop working at once (sessions of the team
/// account are dropped from every node's cache, and the token check asks for membership).
pub async fn remove_member(c: &mut Conn, t: TenantId, team: i64, member: i64, now: i64) -> Result<bool> {
    let done = c
        .q("DELETE FROM team_members WHERE tenant_id = ? AND team_account_id = ? AND member_account_id = ?")
        .bind(t.0)
        .bind(team)
        .bind(member)
        .execute(c.ex())
        .await?;
    // Their tokens for the team end for good: adding them again later brings none back.
    c.q("UPDATE oauth_tokens SET revoked_at = ? WHERE tenant_id = ? AND account_id = ? AND delegate_account_id = ? AND revoked_at IS NULL")
        .bind(now)
        .bind(t.0)
        .bind(team)
        .bind(member)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, crate::changes::Change::User(team)).await?;
    Ok(done.rows_affected() == 1)
}
