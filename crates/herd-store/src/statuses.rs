//! Posts (and boosts, which are posts with `reblog_of_id`), their edit history, and the
//! timeline queries that select them.

use crate::sql::{Arg, Sql};
use sqlx::FromRow;

use crate::changes::Change;
use crate::events::EventKind;
use crate::{Conn, Page, Result, StoreError, TenantId, placeholders};

#[derive(Debug, Clone, Default, FromRow)]
pub struct StatusRow {
    pub id: i64,
    pub tenant_id: i64,
    pub account_id: i64,
    pub uri: Option<String>,
    pub in_reply_to_id: Option<i64>,
    pub in_reply_to_account_id: Option<i64>,
    pub reblog_of_id: Option<i64>,
    pub text: String,
    pub spoiler_text: String,
    pub content_html: String,
    pub visibility: String,
    pub sensitive: i64,
    pub language: Option<String>,
    pub app_id: Option<i64>,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    /// Who may quote it: [`quote_flags`] of the automatic and the manual approval policy.
    pub quote_automatic: i64,
    pub quote_manual: i64,
    pub quotes_count: i64,
    /// Held by an auto-moderation rule until a moderator reviews it: shown to its author only.
    pub held_at: Option<i64>,
}

/// Flags of a quote approval policy, as Mastodon keeps them.
pub mod quote_flags {
    pub const UNSUPPORTED: i64 = 1;
    pub const PUBLIC: i64 = 2;
    pub const FOLLOWERS: i64 = 4;
    pub const FOLLOWING: i64 = 8;
}

const COLS: &str = "s.id, s.tenant_id, s.account_id, s.uri, s.in_reply_to_id, s.in_reply_to_account_id, \
    s.reblog_of_id, s.text, s.spoiler_text, s.content_html, s.visibility, s.sensitive, s.language, \
    s.app_id, s.replies_count, s.reblogs_count, s.favourites_count, s.created_at, s.edited_at, \
    s.quote_automatic, s.quote_manual, s.quotes_count, s.held_at";

pub async fn insert(c: &mut Conn, t: TenantId, s: &StatusRow) -> Result<()> {
    if insert_new(c, t, std::slice::from_ref(s)).await?.is_empty() {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// Inserts posts that may already be stored (received twice, or from two servers at once):
/// those whose id or URI is taken are skipped. Returns the ids inserted.
pub async fn insert_new(c: &mut Conn, t: TenantId, rows: &[StatusRow]) -> Result<Vec<i64>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // SQLite hands a statement's rows over 50 at a time, each handover waiting for the
    // caller's task to run, so there the insert returns nothing and, only when it skipped
    // some rows, one query finds which of the new ids are rows it wrote.
    let returning = match c.dialect() {
        crate::Dialect::Postgres => " RETURNING id",
        crate::Dialect::Sqlite => "",
    };
    let sql = format!(
        "INSERT INTO statuses (id, tenant_id, account_id, uri, in_reply_to_id, in_reply_to_account_id, \
         reblog_of_id, text, spoiler_text, content_html, visibility, sensitive, language, app_id, \
         created_at, quote_automatic, quote_manual, held_at) VALUES {} ON CONFLICT DO NOTHING{returning}",
        crate::value_rows(rows.len(), 18)
    );
    let mut q = c.q(&sql);
    for s in rows {
        q = q
            .bind(s.id)
            .bind(t.0)
            .bind(s.account_id)
            .bind(s.uri.clone())
            .bind(s.in_reply_to_id)
            .bind(s.in_reply_to_account_id)
            .bind(s.reblog_of_id)
            .bind(s.text.clone())
            .bind(s.spoiler_text.clone())
            .bind(s.content_html.clone())
            .bind(s.visibility.clone())
            .bind(s.sensitive)
            .bind(s.language.clone())
            .bind(s.app_id)
            .bind(s.created_at)
            .bind(s.quote_automatic)
            .bind(s.quote_manual)
            .bind(s.held_at);
    }
    let inserted: Vec<i64> = match c.dialect() {
        crate::Dialect::Postgres => {
            use sqlx::Row;
            let found = q.fetch_all(c.ex()).await?;
            found
                .iter()
                .map(|r| r.try_get::<i64, _>(0))
                .collect::<std::result::Result<_, _>>()?
        }
        crate::Dialect::Sqlite => {
            let written = q.execute(c.ex()).await?.rows_affected();
            if written == rows.len() as u64 {
                rows.iter().map(|r| r.id).collect()
            } else {
                written_rows(c, t, rows).await?
            }
        }
    };
    let fresh: Vec<&StatusRow> = rows.iter().filter(|r| inserted.contains(&r.id)).collect();
    crate::search::index_new(c, t, &fresh).await?;
    let mut authors: Vec<i64> = fresh.iter().map(|r| r.account_id).collect();
    authors.sort_unstable();
    authors.dedup();
    let changes: Vec<Change> = authors.into_iter().map(Change::Posted).collect();
    crate::changes::record_many(c, t, &changes).await?;
    let events: Vec<(i64, i64)> = fresh.iter().map(|r| (r.id, r.account_id)).collect();
    crate::events::publish_many(c, t, EventKind::Status, &events).await?;
    Ok(inserted)
}

/// Which of these rows an insert that skipped some wrote: those whose id now names a row with
/// their author and URI (a skipped row's id names nothing, or an older row of other content).
async fn written_rows(c: &mut Conn, t: TenantId, rows: &[StatusRow]) -> Result<Vec<i64>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let found: Vec<(i64, i64, Option<String>)> = {
        let sql = format!(
            "SELECT id, account_id, uri FROM statuses WHERE tenant_id = ? AND id IN ({})",
            placeholders(ids.len())
        );
        let mut q = c.qa(&sql).bind(t.0);
        for id in &ids {
            q = q.bind(*id);
        }
        q.fetch_all(c.ex()).await?
    };
    Ok(rows
        .iter()
        .filter(|r| {
            found
                .iter()
                .any(|(id, account, uri)| *id == r.id && *account == r.account_id && *uri == r.uri)
        })
        .map(|r| r.id)
        .collect())
}

pub async fn by_id(c: &mut Conn, t: TenantId, id: i64) -> Result<Option<StatusRow>> {
    Ok(c.qa(&format!("SELECT {COLS} FROM statuses s WHERE s.tenant_id = ? AND s.id = ?"))
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?)
}

pub async fn by_ids(c: &mut Conn, t: TenantId, ids: &[i64]) -> Result<Vec<StatusRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLS} FROM statuses s WHERE s.tenant_id = ? AND s.id IN ({})",
        placeholders(ids.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

/// The boost of `target` by `account`, if there is one.
pub async fn reblog_by(c: &mut Conn, t: TenantId, account: i64, target: i64) -> Result<Option<StatusRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM statuses s WHERE s.tenant_id = ? AND s.reblog_of_id = ? AND s.account_id = ?"
    ))
    .bind(t.0)
    .bind(target)
    .bind(account)
    .fetch_optional(c.ex())
    .await?)
}

pub async fn update_content(c: &mut Conn, t: TenantId, s: &StatusRow) -> Result<()> {
    c.q("UPDATE statuses SET text = ?, spoiler_text = ?, content_html = ?, sensitive = ?, \
         language = ?, edited_at = ? WHERE tenant_id = ? AND id = ?")
        .bind(s.text.clone())
        .bind(s.spoiler_text.clone())
        .bind(s.content_html.clone())
        .bind(s.sensitive)
        .bind(s.language.clone())
        .bind(s.edited_at)
        .bind(t.0)
        .bind(s.id)
        .execute(c.ex())
        .await?;
    crate::search::index(c, t, &[s]).await?;
    crate::changes::record(c, t, crate::changes::Change::Status(s.id)).await?;
    crate::events::publish(c, t, EventKind::StatusUpdate, s.id, s.account_id).await?;
    Ok(())
}

/// Who may quote a post from now on (its author's choice, or a remote post's new policy).
pub async fn set_quote_policy(c: &mut Conn, t: TenantId, id: i64, automatic: i64, manual: i64) -> Result<()> {
    c.q("UPDATE statuses SET quote_automatic = ?, quote_manual = ? WHERE tenant_id = ? AND id = ?")
        .bind(automatic)
        .bind(manual)
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    crate::changes::record(c, t, Change::Status(id)).await?;
    Ok(())
}

/// Deletes a post; its boosts, favourites, bookmarks, pins, mentions, tags and notifications
/// go with it (foreign keys cascade).
pub async fn delete(c: &mut Conn, t: TenantId, id: i64) -> Result<()> {
    let author: Option<i64> = c
        .qs("SELECT account_id FROM statuses WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .fetch_optional(c.ex())
        .await?;
    // Its boosts go with it, out of their boosters' followers' feeds.
    let boosts: Vec<(i64, i64)> = c
        .qa("SELECT id, account_id FROM statuses WHERE tenant_id = ? AND reblog_of_id = ?")
        .bind(t.0)
        .bind(id)
        .fetch_all(c.ex())
        .await?;
    // Its quote stops counting on the quoted post; posts quoting it show it gone.
    crate::quotes::remove(c, t, id).await?;
    let quoting = crate::quotes::quoting_ids(c, t, id).await?;
    c.q("DELETE FROM statuses WHERE tenant_id = ? AND id = ?")
        .bind(t.0)
        .bind(id)
        .execute(c.ex())
        .await?;
    for q in quoting {
        crate::changes::record(c, t, Change::Status(q)).await?;
    }
    // SQLite's full-text table has no foreign keys to cascade.
    crate::search::unindex(c, t, &[id]).await?;
    let mut posters: Vec<i64> = boosts.iter().map(|b| b.1).chain(author).collect();
    posters.sort_unstable();
    posters.dedup();
    let gone: Vec<(i64, i64)> = author.map(|a| (id, a)).into_iter().chain(boosts.iter().copied()).collect();
    crate::events::publish_many(c, t, EventKind::Delete, &gone).await?;
    crate::conversations::forget_status(c, t, id).await?;
    for s in std::iter::once(id).chain(boosts.iter().map(|b| b.0)) {
        crate::changes::record(c, t, Change::Status(s)).await?;
    }
    for a in posters {
        crate::changes::record(c, t, Change::Posted(a)).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub enum Counter {
    Replies,
    Reblogs,
    Favourites,
    Quotes,
}

/// Links a reply to the post it answers, found after the reply arrived; false when the reply
/// is gone or already linked.
pub async fn set_parent(c: &mut Conn, t: TenantId, reply: &StatusRow, parent: &StatusRow) -> Result<bool> {
    let r = c
        .q("UPDATE statuses SET in_reply_to_id = ?, in_reply_to_account_id = ? \
            WHERE tenant_id = ? AND id = ? AND in_reply_to_id IS NULL")
        .bind(parent.id)
        .bind(parent.account_id)
        .bind(t.0)
        .bind(reply.id)
        .execute(c.ex())
        .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    // Home feeds show a reply by whom it answers: those showing its author's posts change.
    let changes = [
        crate::changes::Change::Status(reply.id),
        crate::changes::Change::Posted(reply.account_id),
    ];
    crate::changes::record_many(c, t, &changes).await?;
    bump(c, t, parent.id, Counter::Replies, 1).await?;
    Ok(true)
}

pub async fn bump(c: &mut Conn, t: TenantId, id: i64, counter: Counter, delta: i64) -> Result<()> {
    let col = match counter {
        Counter::Replies => "replies_count",
        Counter::Reblogs => "reblogs_count",
        Counter::Favourites => "favourites_count",
        Counter::Quotes => "quotes_count",
    };
    c.q(&format!(
        "UPDATE statuses SET {col} = CASE WHEN {col} + ? < 0 THEN 0 ELSE {col} + ? END \
         WHERE tenant_id = ? AND id = ?"
    ))
    .bind(delta)
    .bind(delta)
    .bind(t.0)
    .bind(id)
    .execute(c.ex())
    .await?;
    crate::changes::record(c, t, crate::changes::Change::Status(id)).await?;
    Ok(())
}

/// A subquery of the accounts a viewer does not want to see: those they mute (while the mute
/// lasts), block, or are blocked by.
fn unwanted(t: TenantId, v: i64) -> (String, [Arg; 10]) {
    (
        format!(
            "SELECT mu.target_account_id FROM mutes mu WHERE mu.tenant_id = ? AND mu.account_id = ? AND (mu.expires_at IS NULL OR mu.expires_at > ?) \
             UNION SELECT b.target_account_id FROM blocks b WHERE b.tenant_id = ? AND b.account_id = ? \
             UNION SELECT b2.account_id FROM blocks b2 WHERE b2.tenant_id = ? AND b2.target_account_id = ? \
             UNION {}",
            crate::domain_blocks::BLOCKED_ACCOUNTS
        ),
        [
            Arg::I(t.0),
            Arg::I(v),
            Arg::I(herd_core::Timestamp::now().0),
            Arg::I(t.0),
            Arg::I(v),
            Arg::I(t.0),
            Arg::I(v),
            Arg::I(t.0),
            Arg::I(t.0),
            Arg::I(v),
        ],
    )
}

/// Leaves out posts of suspended accounts and, unless the viewer follows them, of limited
/// (silenced) ones: what public and hashtag timelines show, as on Mastodon.
fn exclude_restricted(sql: &mut Sql, t: TenantId, viewer: Option<i64>) {
    match viewer {
        Some(v) => sql.push(
            " AND s.account_id NOT IN (SELECT ra.id FROM accounts ra WHERE ra.tenant_id = ? AND (ra.suspended_at IS NOT NULL \
               OR (ra.silenced_at IS NOT NULL AND ra.id <> ? AND ra.id NOT IN (SELECT rf.target_account_id FROM follows rf \
               WHERE rf.tenant_id = ? AND rf.account_id = ?))))",
            [Arg::I(t.0), Arg::I(v), Arg::I(t.0), Arg::I(v)],
        ),
        None => sql.push(
            " AND s.account_id NOT IN (SELECT ra.id FROM accounts ra WHERE ra.tenant_id = ? AND (ra.suspended_at IS NOT NULL \
               OR ra.silenced_at IS NOT NULL))",
            [Arg::I(t.0)],
        ),
    };
}

/// Leaves out posts by unwanted accounts, and boosts of their posts.
fn exclude_unwanted(sql: &mut Sql, t: TenantId, viewer: Option<i64>) {
    if let Some(v) = viewer {
        let (sub, args) = unwanted(t, v);
        sql.push(&format!(" AND s.account_id NOT IN ({sub})"), args);
        let (sub, args) = unwanted(t, v);
        sql.push(
            &format!(" AND (s.reblog_of_id IS NULL OR NOT EXISTS (SELECT 1 FROM statuses o WHERE o.tenant_id = ? AND o.id = s.reblog_of_id AND o.account_id IN ({sub})))"),
            std::iter::once(Arg::I(t.0)).chain(args),
        );
    }
}

/// The home timeline: the viewer's own posts and those of accounts they follow (boosts
/// included unless hidden per follow), direct posts only where the viewer is mentioned, and
/// replies only to people the viewer follows, as Mastodon's home feed does; members of the
/// viewer's exclusive lists are left out.
pub async fn home(c: &mut Conn, t: TenantId, viewer: i64, page: &Page) -> Result<Vec<StatusRow>> {
    let v = viewer;
    let mut sql = Sql::new(format!("SELECT {COLS} FROM statuses s WHERE s.tenant_id = ?"));
    sql.args.push(Arg::I(t.0));
    // Public posts carrying a hashtag the viewer follows join the posts of followed accounts.
    let tags = if crate::tags::follows_any(c, t, v).await? {
        " OR (s.visibility = 'public' AND s.reblog_of_id IS NULL AND EXISTS (SELECT 1 FROM status_tags st JOIN tag_follows tf \
              ON tf.tag_id = st.tag_id WHERE st.tenant_id = ? AND tf.tenant_id = ? AND st.status_id = s.id AND tf.account_id = ?))"
    } else {
        ""
    };
    sql.push(
        &format!(" AND (s.account_id = ? OR s.account_id IN (SELECT f.target_account_id FROM follows f WHERE f.tenant_id = ? AND f.account_id = ?){tags})"),
        [v, t.0, v].map(Arg::I),
    );
    if !tags.is_empty() {
        sql.args.extend([t.0, t.0, v].map(Arg::I));
    }
    sql.push(
        " \
          AND (s.visibility <> 'direct' OR s.account_id = ? OR EXISTS (SELECT 1 FROM mentions m WHERE m.tenant_id = ? AND m.status_id = s.id AND m.account_id = ?)) \
          AND (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id = s.account_id OR s.in_reply_to_account_id = ? \
               OR s.in_reply_to_account_id IN (SELECT f.target_account_id FROM follows f WHERE f.tenant_id = ? AND f.account_id = ?)) \
          AND (s.reblog_of_id IS NULL OR s.account_id NOT IN (SELECT f.target_account_id FROM follows f WHERE f.tenant_id = ? AND f.account_id = ? AND f.show_reblogs = 0)) \
          AND s.account_id NOT IN (SELECT la.account_id FROM list_accounts la JOIN lists l ON l.id = la.list_id \
               WHERE la.tenant_id = ? AND l.tenant_id = ? AND l.account_id = ? AND l.exclusive = 1)",
        [v, t.0, v, v, t.0, v, t.0, v, t.0, t.0, v].map(Arg::I),
    );
    exclude_unwanted(&mut sql, t, Some(v));
    let asc = sql.page(page);
    sql.fetch(c, asc).await
}

/// A list's timeline for its owner `viewer`: posts and boosts by its members that the owner
/// may see, replies as the list's `replies_policy` says (a member answering itself or the
/// owner is always shown).
pub async fn list(c: &mut Conn, t: TenantId, viewer: i64, list: &crate::lists::ListRow, page: &Page) -> Result<Vec<StatusRow>> {
    let v = viewer;
    let mut sql = Sql::new(format!("SELECT {COLS} FROM statuses s WHERE s.tenant_id = ?"));
    sql.args.push(Arg::I(t.0));
    sql.push(
        " AND s.account_id IN (SELECT la.account_id FROM list_accounts la WHERE la.tenant_id = ? AND la.list_id = ?) \
          AND (s.visibility <> 'direct' OR EXISTS (SELECT 1 FROM mentions m WHERE m.tenant_id = ? AND m.status_id = s.id AND m.account_id = ?)) \
          AND (s.visibility <> 'private' OR s.account_id IN (SELECT f.target_account_id FROM follows f WHERE f.tenant_id = ? AND f.account_id = ?))",
        [t.0, list.id, t.0, v, t.0, v].map(Arg::I),
    );
    let own = " AND (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id = s.account_id OR s.in_reply_to_account_id = ?";
    match list.replies_policy.as_str() {
        "followed" => sql.push(
            &format!("{own} OR s.in_reply_to_account_id IN (SELECT f.target_account_id FROM follows f WHERE f.tenant_id = ? AND f.account_id = ?))"),
            [v, t.0, v].map(Arg::I),
        ),
        "list" => sql.push(
            &format!("{own} OR s.in_reply_to_account_id IN (SELECT la.account_id FROM list_accounts la WHERE la.tenant_id = ? AND la.list_id = ?))"),
            [v, t.0, list.id].map(Arg::I),
        ),
        _ => sql.push(&format!("{own})"), [Arg::I(v)]),
    };
    exclude_unwanted(&mut sql, t, Some(v));
    let asc = sql.page(page);
    sql.fetch(c, asc).await
}

/// The page holding only post `id` (to ask whether a timeline shows it).
fn only(id: i64) -> Page {
    Page {
        max_id: Some(id + 1),
        since_id: Some(id - 1),
        min_id: None,
        limit: 1,
    }
}

/// Whether the viewer's home timeline shows post `id` (see [`home`]).
pub async fn home_has(c: &mut Conn, t: TenantId, viewer: i64, id: i64) -> Result<bool> {
    Ok(!home(c, t, viewer, &only(id)).await?.is_empty())
}

/// Whether a list's timeline shows post `id` (see [`list`]).
pub async fn list_has(c: &mut Conn, t: TenantId, viewer: i64, l: &crate::lists::ListRow, id: i64) -> Result<bool> {
    Ok(!list(c, t, viewer, l, &only(id)).await?.is_empty())
}

/// Whether the viewer mutes, blocks or is blocked by `account`.
pub async fn unwanted_by(c: &mut Conn, t: TenantId, viewer: i64, account: i64) -> Result<bool> {
    let (sub, args) = unwanted(t, viewer);
    let mut q = c.qs::<i64>(&format!("SELECT COUNT(*) FROM ({sub}) u WHERE u.target_account_id = ?"));
    for a in args {
        q = match a {
            Arg::I(i) => q.bind(i),
            Arg::S(s) => q.bind(s),
        };
    }
    Ok(q.bind(account).fetch_one(c.ex()).await? > 0)
}

#[derive(Debug, Clone, Copy, Default)]
pub struct PublicFilter {
    pub local_only: bool,
    pub remote_only: bool,
    pub only_media: bool,
}

fn public_filters(sql: &mut Sql, t: TenantId, f: &PublicFilter) {
    if f.local_only {
        sql.push(
            " AND s.account_id IN (SELECT a.id FROM accounts a WHERE a.tenant_id = ? AND a.domain = '')",
            [Arg::I(t.0)],
        );
    }
    if f.remote_only {
        sql.push(
            " AND s.account_id IN (SELECT a.id FROM accounts a WHERE a.tenant_id = ? AND a.domain <> '')",
            [Arg::I(t.0)],
        );
    }
    if f.only_media {
        sql.push(
            " AND EXISTS (SELECT 1 FROM media md WHERE md.tenant_id = ? AND md.status_id = s.id)",
            [Arg::I(t.0)],
        );
    }
}

/// Public posts (no boosts, no replies to others), newest first.
pub async fn public(c: &mut Conn, t: TenantId, viewer: Option<i64>, f: &PublicFilter, page: &Page) -> Result<Vec<StatusRow>> {
    let mut sql = Sql::new(format!(
        "SELECT {COLS} FROM statuses s WHERE s.tenant_id = ? AND s.visibility = 'public' AND s.reblog_of_id IS NULL \
         AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id)"
    ));
    sql.args.push(Arg::I(t.0));
    public_filters(&mut sql, t, f);
    exclude_unwanted(&mut sql, t, viewer);
    exclude_restricted(&mut sql, t, viewer);
    let asc = sql.page(page);
    sql.fetch(c, asc).await
}

/// Public posts carrying a hashtag.
/// Which hashtags a tag timeline shows: posts with any of `any`, each of `all` and none of
/// `none` (names in their key form, lower case).
#[derive(Debug, Clone, Default)]
pub struct TagQuery {
    pub any: Vec<String>,
    pub all: Vec<String>,
    pub none: Vec<String>,
}

impl TagQuery {
    /// Posts with this one hashtag.
    pub fn one(key: &str) -> TagQuery {
        TagQuery {
            any: vec![key.to_string()],
            ..TagQuery::default()
        }
    }
}

pub async fn tagged(
    c: &mut Conn,
    t: TenantId,
    viewer: Option<i64>,
    tags: &TagQuery,
    f: &PublicFilter,
    page: &Page,
) -> Result<Vec<StatusRow>> {
    let mut sql = Sql::new(format!(
        "SELECT {COLS} FROM statuses s WHERE s.tenant_id = ? AND s.visibility = 'public' AND s.reblog_of_id IS NULL"
    ));
    sql.args.push(Arg::I(t.0));
    let with = |keys: &[String]| {
        format!(
            "s.id IN (SELECT st.status_id FROM status_tags st JOIN tags tg ON tg.id = st.tag_id \
             WHERE st.tenant_id = ? AND tg.tenant_id = ? AND tg.name_key IN ({}))",
            placeholders(keys.len())
        )
    };
    let args = |keys: &[String]| {
        [Arg::I(t.0), Arg::I(t.0)]
            .into_iter()
            .chain(keys.iter().map(|k| Arg::S(k.clone())))
            .collect::<Vec<_>>()
    };
    sql.push(&format!(" AND {}", with(&tags.any)), args(&tags.any));
    for key in &tags.all {
        let one = std::slice::from_ref(key);
        sql.push(&format!(" AND {}", with(one)), args(one));
    }
    if !tags.none.is_empty() {
        sql.push(&format!(" AND NOT {}", with(&tags.none)), args(&tags.none));
    }
    public_filters(&mut sql, t, f);
    exclude_unwanted(&mut sql, t, viewer);
    exclude_restricted(&mut sql, t, viewer);
    let asc = sql.page(page);
    sql.fetch(c, asc).await
}

#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Visibilities the viewer may see on this account.
    pub visibilities: Vec<&'static str>,
    pub exclude_replies: bool,
    pub exclude_reblogs: bool,
    pub only_media: bool,
    pub pinned: bool,
    pub tagged: Option<String>,
    /// The viewer, for direct posts that mention them.
    pub viewer: Option<i64>,
}

/// One account's posts as a given viewer may see them.
pub async fn by_account(c: &mut Conn, t: TenantId, account: i64, f: &AccountFilter, page: &Page) -> Result<Vec<StatusRow>> {
    let mut sql = Sql::new(format!("SELECT {COLS} FROM statuses s WHERE s.tenant_id = ? AND s.account_id = ?"));
    sql.args.extend([Arg::I(t.0), Arg::I(account)]);
    sql.text
        .push_str(&format!(" AND (s.visibility IN ({})", placeholders(f.visibilities.len())));
    sql.args.extend(f.visibilities.iter().map(|v| Arg::S(v.to_string())));
    if let Some(v) = f.viewer {
        sql.push(
            " OR (s.visibility IN ('private', 'direct') AND EXISTS (SELECT 1 FROM mentions m WHERE m.tenant_id = ? AND m.status_id = s.id AND m.account_id = ?))",
            [Arg::I(t.0), Arg::I(v)],
        );
    }
    sql.text.push(')');
    if f.exclude_replies {
        sql.text
            .push_str(" AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id)");
    }
    if f.exclude_reblogs {
        sql.text.push_str(" AND s.reblog_of_id IS NULL");
    }
    if f.only_media {
        sql.push(
            " AND EXISTS (SELECT 1 FROM media md WHERE md.tenant_id = ? AND md.status_id = s.id)",
            [Arg::I(t.0)],
        );
    }
    if f.pinned {
        sql.push(
            " AND s.id IN (SELECT p.status_id FROM pins p WHERE p.tenant_id = ? AND p.account_id = ?)",
            [Arg::I(t.0), Arg::I(account)],
        );
    }
    if let Some(tag) = &f.tagged {
        sql.push(
            " AND s.id IN (SELECT st.status_id FROM status_tags st JOIN tags tg ON tg.id = st.tag_id WHERE st.tenant_id = ? AND tg.name_key = ?)",
            [Arg::I(t.0), Arg::S(tag.to_lowercase())],
        );
    }
    let asc = sql.page(page);
    sql.fetch(c, asc).await
}

/// Direct replies to any of `parents`.
pub async fn replies_to(c: &mut Conn, t: TenantId, parents: &[i64]) -> Result<Vec<StatusRow>> {
    if parents.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLS} FROM statuses s WHERE s.tenant_id = ? AND s.in_reply_to_id IN ({}) ORDER BY s.id LIMIT 100",
        placeholders(parents.len())
    );
    let mut q = c.qa(&sql).bind(t.0);
    for p in parents {
        q = q.bind(*p);
    }
    Ok(q.fetch_all(c.ex()).await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct EditRow {
    pub id: i64,
    pub status_id: i64,
    pub text: String,
    pub spoiler_text: String,
    pub content_html: String,
    pub sensitive: i64,
    pub media_ids: String,
    /// The poll's option titles in this version (a JSON list), if it had a poll.
    pub poll_options: Option<String>,
    pub created_at: i64,
}

pub async fn insert_edit(c: &mut Conn, t: TenantId, e: &EditRow) -> Result<()> {
    c.q(
        "INSERT INTO status_edits (id, tenant_id, status_id, text, spoiler_text, content_html, sensitive, \
         media_ids, poll_options, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(e.id)
    .bind(t.0)
    .bind(e.status_id)
    .bind(e.text.clone())
    .bind(e.spoiler_text.clone())
    .bind(e.content_html.clone())
    .bind(e.sensitive)
    .bind(e.media_ids.clone())
    .bind(e.poll_options.clone())
    .bind(e.created_at)
    .execute(c.ex())
    .await?;
    Ok(())
}

pub async fn edits(c: &mut Conn, t: TenantId, status_id: i64) -> Result<Vec<EditRow>> {
    Ok(c.qa(
        "SELECT id, status_id, text, spoiler_text, content_html, sensitive, media_ids, poll_options, created_at \
             FROM status_edits WHERE tenant_id = ? AND status_id = ? ORDER BY id",
    )
    .bind(t.0)
    .bind(status_id)
    .fetch_all(c.ex())
    .await?)
}

pub async fn idempotent_status(c: &mut Conn, t: TenantId, account: i64, key: &str) -> Result<Option<i64>> {
    Ok(
        c.qs("SELECT status_id FROM idempotency_keys WHERE tenant_id = ? AND account_id = ? AND key = ?")
            .bind(t.0)
            .bind(account)
            .bind(key)
            .fetch_optional(c.ex())
            .await?,
    )
}

pub async fn remember_idempotent(c: &mut Conn, t: TenantId, account: i64, key: &str, status_id: i64, now: i64) -> Result<()> {
    c.q("INSERT INTO idempotency_keys (tenant_id, account_id, key, status_id, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(t.0)
        .bind(account)
        .bind(key)
        .bind(status_id)
        .bind(now)
        .execute(c.ex())
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(())
}

/// Boosts of a post: `(boost id, booster id)`.
pub async fn reblogs_of(c: &mut Conn, t: TenantId, target: i64) -> Result<Vec<(i64, i64)>> {
    Ok(c.qa("SELECT id, account_id FROM statuses WHERE tenant_id = ? AND reblog_of_id = ?")
        .bind(t.0)
        .bind(target)
        .fetch_all(c.ex())
        .await?)
}

/// The post with this ActivityPub id, if stored here.
pub async fn id_by_uri(c: &mut Conn, t: TenantId, uri: &str) -> Result<Option<i64>> {
    Ok(c.qs("SELECT id FROM statuses WHERE tenant_id = ? AND uri = ?")
        .bind(t.0)
        .bind(uri)
        .fetch_optional(c.ex())
        .await?)
}

/// A full-text search of posts: its words, and Mastodon's operators beside them.
#[derive(Debug, Clone, Default)]
pub struct TextSearch {
    pub terms: crate::search::Terms,
    /// `from:` (or the `account_id` parameter).
    pub from_account: Option<i64>,
    /// `has:media`, `has:poll`, `is:reply`, `is:sensitive`.
    pub has_media: bool,
    pub has_poll: bool,
    pub is_reply: bool,
    pub is_sensitive: bool,
    /// `language:`.
    pub language: Option<String>,
    /// `before:` and `after:` (epoch milliseconds), and `during:` as both.
    pub before: Option<i64>,
    pub after: Option<i64>,
}

/// Posts matching a full-text search, newest first, in Mastodon's scope: public posts of
/// accounts that let themselves be indexed, and posts the viewer wrote, favourited,
/// bookmarked or was mentioned in; never boosts, nor posts of accounts the viewer does not
/// want to see. Visibility is checked again by the caller.
pub async fn search(c: &mut Conn, t: TenantId, viewer: i64, q: &TextSearch, page: &Page, offset: i64) -> Result<Vec<StatusRow>> {
    if q.terms.all.is_empty() {
        return Ok(Vec::new());
    }
    let (matching, words, tenant) = crate::search::matching(c.dialect(), t, &q.terms);
    let mut sql = Sql::new(format!(
        "SELECT {COLS} FROM statuses s WHERE s.tenant_id = ? AND s.reblog_of_id IS NULL AND s.id IN ({matching})"
    ));
    sql.args.push(Arg::I(t.0));
    sql.args.extend(words.into_iter().map(Arg::S));
    sql.args.push(Arg::I(tenant));
    sql.push(
        " AND ((s.visibility = 'public' AND EXISTS (SELECT 1 FROM accounts a WHERE a.tenant_id = s.tenant_id \
              AND a.id = s.account_id AND a.indexable = 1)) \
           OR s.account_id = ? \
           OR EXISTS (SELECT 1 FROM favourites f WHERE f.tenant_id = s.tenant_id AND f.status_id = s.id AND f.account_id = ?) \
           OR EXISTS (SELECT 1 FROM bookmarks b WHERE b.tenant_id = s.tenant_id AND b.status_id = s.id AND b.account_id = ?) \
           OR EXISTS (SELECT 1 FROM mentions m WHERE m.tenant_id = s.tenant_id AND m.status_id = s.id AND m.account_id = ?))",
        [Arg::I(viewer), Arg::I(viewer), Arg::I(viewer), Arg::I(viewer)],
    );
    if let Some(a) = q.from_account {
        sql.push(" AND s.account_id = ?", [Arg::I(a)]);
    }
    if q.has_media {
        sql.push(
            " AND EXISTS (SELECT 1 FROM media md WHERE md.tenant_id = s.tenant_id AND md.status_id = s.id)",
            [],
        );
    }
    if q.has_poll {
        sql.push(
            " AND EXISTS (SELECT 1 FROM polls p WHERE p.tenant_id = s.tenant_id AND p.status_id = s.id)",
            [],
        );
    }
    if q.is_reply {
        sql.push(" AND s.in_reply_to_id IS NOT NULL", []);
    }
    if q.is_sensitive {
        sql.push(" AND s.sensitive = 1", []);
    }
    if let Some(l) = &q.language {
        sql.push(" AND s.language = ?", [Arg::S(l.clone())]);
    }
    if let Some(b) = q.before {
        sql.push(" AND s.created_at < ?", [Arg::I(b)]);
    }
    if let Some(a) = q.after {
        sql.push(" AND s.created_at >= ?", [Arg::I(a)]);
    }
    exclude_unwanted(&mut sql, t, Some(viewer));
    let asc = sql.page(page);
    if offset > 0 {
        sql.push(" OFFSET ?", [Arg::I(offset)]);
    }
    sql.fetch(c, asc).await
}

/// Some of an account's posts and boosts, in no particular order (for purging them).
pub async fn of_author(c: &mut Conn, t: TenantId, account: i64, limit: i64) -> Result<Vec<StatusRow>> {
    Ok(c.qa(&format!(
        "SELECT {COLS} FROM statuses s WHERE s.tenant_id = ? AND s.account_id = ? LIMIT ?"
    ))
    .bind(t.0)
    .bind(account)
    .bind(limit)
    .fetch_all(c.ex())
    .await?)
}

/// Releases posts a rule held (a moderator reviewed them).
pub async fn release(c: &mut Conn, t: TenantId, ids: &[i64]) -> Result<()> {
    for id in ids {
        let r = c
            .q("UPDATE statuses SET held_at = NULL WHERE tenant_id = ? AND id = ? AND held_at IS NOT NULL")
            .bind(t.0)
            .bind(*id)
            .execute(c.ex())
            .await?;
        if r.rows_affected() > 0 {
            crate::changes::record(c, t, Change::Status(*id)).await?;
        }
    }
    Ok(())
}
