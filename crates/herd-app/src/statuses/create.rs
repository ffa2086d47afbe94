use herd_core::{Id, Timestamp, Visibility, content};
use herd_store::statuses::{self, StatusRow};
use herd_store::{accounts, media, relationships};

use crate::notifications::notify;
use crate::{App, AppError, Result, Tenant, views};

pub struct NewStatus {
    pub text: String,
    pub spoiler_text: String,
    /// `None`: the author's default (Mastodon's `source[privacy]`), as the next two.
    pub visibility: Option<Visibility>,
    pub sensitive: Option<bool>,
    pub language: Option<String>,
    pub in_reply_to_id: Option<i64>,
    pub media_ids: Vec<i64>,
    pub idempotency_key: Option<String>,
    pub app_id: Option<i64>,
    pub poll: Option<crate::polls::NewPoll>,
    /// The scheduled post this publishes (its uploads are held for it).
    pub scheduled: Option<i64>,
    /// The post this one quotes (Mastodon 4.5's `quoted_status_id`).
    pub quoted_status_id: Option<i64>,
    /// Who may quote this post; `None`: the author's default.
    pub quote_policy: Option<herd_core::QuotePolicy>,
    /// The member who writes it when the author is a team account (`Viewer::delegate`).
    pub made_by: Option<i64>,
}

/// Posts a status: text rendered to HTML, mentions and tags linked, media attached,
/// counters and notifications written, all in one transaction. With an idempotency key
/// seen before, returns the post made then.
pub async fn create(app: &App, tenant: &Tenant, author: i64, n: NewStatus) -> Result<i64> {
    let (text, language) = check(tenant, &n)?;
    let policy = crate::federation_policy::policy(app, tenant.id).await?;
    crate::federation::resolve::mentions(app, tenant, &text).await;
    let mut tx = app.db.begin().await?;
    if let Some(key) = &n.idempotency_key
        && let Some(id) = statuses::idempotent_status(&mut tx, tenant.id, author, key).await?
    {
        return Ok(id);
    }
    let parent = match n.in_reply_to_id {
        Some(pid) => Some(views::visible_status(&mut tx, tenant.id, Some(author), pid).await?),
        None => None,
    };
    let defaults = herd_store::users::by_account(&mut tx, tenant.id, author).await?;
    let quoted = match n.quoted_status_id {
        Some(q) => Some(crate::quotes::check_quotable(&mut tx, tenant, author, q).await?),
        None => None,
    };
    let mut visibility = n.visibility.unwrap_or_else(|| {
        defaults
            .as_ref()
            .and_then(|u| Visibility::parse(&u.default_visibility).ok())
            .unwrap_or(Visibility::Public)
    });
    // Quoting a followers-only post (one's own) keeps the quote followers-only, as on Mastodon.
    if quoted.as_ref().is_some_and(|(q, _)| q.visibility == "private") && matches!(visibility, Visibility::Public | Visibility::Unlisted) {
        visibility = Visibility::Private;
    }
    let quote_policy = n
        .quote_policy
        .or_else(|| {
            defaults
                .as_ref()
                .and_then(|u| herd_core::QuotePolicy::parse(&u.default_quote_policy).ok())
        })
        .unwrap_or(herd_core::QuotePolicy::Public);
    let (quote_automatic, quote_manual) = crate::quotes::flags(quote_policy, visibility);
    let sensitive = n.sensitive.unwrap_or_else(|| {
        defaults
            .as_ref()
            .is_some_and(|u| u.default_sensitive != 0 && !n.media_ids.is_empty())
    });
    let language = language.or_else(|| defaults.and_then(|u| u.default_language));
    let id = Id::generate().0;
    let media_rows = super::own_media(&mut tx, tenant, author, &n.media_ids, None, n.scheduled).await?;
    let (html, mentioned, tag_names) = crate::accounts::render_text(&mut tx, tenant, &text).await?;
    // A private mention may quote only a post of someone it mentions (or one's own).
    if let Some((q, _)) = &quoted
        && visibility == Visibility::Direct
        && q.account_id != author
        && !mentioned.iter().any(|m| m.id == q.account_id)
    {
        return Err(AppError::Invalid(
            "Validation failed: Cannot quote a non-mentioned user in a Private Mention post.".into(),
        ));
    }
    let hit = policy.rules.check(&n.spoiler_text, &html, true);
    if let Some(h) = hit.as_ref().filter(|h| h.action == crate::automod::Action::Reject) {
        drop(tx);
        let mut tx = app.db.begin().await?;
        crate::automod::record_hit(&mut tx, tenant.id, h, None, author, None).await?;
        tx.commit().await?;
        return Err(AppError::Invalid(
            "Validation failed: this post breaks a rule of this instance and was not published".into(),
        ));
    }
    let held = hit.as_ref().is_some_and(|h| h.action == crate::automod::Action::Hide);
    let now = Timestamp::now().0;
    let row = StatusRow {
        id,
        tenant_id: tenant.id.0,
        account_id: author,
        uri: None,
        in_reply_to_id: parent.as_ref().map(|p| p.id),
        in_reply_to_account_id: parent.as_ref().map(|p| p.account_id),
        reblog_of_id: None,
        text: text.clone(),
        spoiler_text: n.spoiler_text.clone(),
        content_html: html,
        visibility: visibility.as_str().to_string(),
        sensitive: i64::from(sensitive || !n.spoiler_text.is_empty()),
        language,
        app_id: n.app_id,
        replies_count: 0,
        reblogs_count: 0,
        favourites_count: 0,
        created_at: now,
        edited_at: None,
        quote_automatic,
        quote_manual,
        quotes_count: 0,
        held_at: held.then_some(now),
    };
    statuses::insert(&mut tx, tenant.id, &row).await?;
    if let Some(h) = &hit {
        crate::automod::record_hit(&mut tx, tenant.id, h, Some(id), author, None).await?;
    }
    if let Some((q, approval)) = &quoted {
        crate::quotes::attach(&mut tx, tenant, &row, q, *approval).await?;
    }
    super::link_text(&mut tx, tenant, id, &mentioned, &tag_names).await?;
    let poll_titles: Vec<&str> = n.poll.iter().flat_map(|p| p.options.iter().map(String::as_str)).collect();
    let texts: Vec<&str> = [text.as_str(), n.spoiler_text.as_str()].into_iter().chain(poll_titles).collect();
    crate::emojis::link_local(&mut tx, tenant.id, id, &texts).await?;
    crate::cards::link(&mut tx, tenant.id, id, &row.content_html, false).await?;
    let me = accounts::by_id(&mut tx, tenant.id, author).await?;
    crate::conversations::record(&mut tx, tenant.id, &row, &me, &mentioned).await?;
    for (i, m) in media_rows.iter().enumerate() {
        media::attach(&mut tx, tenant.id, m.id, Some(id), i as i64).await?;
    }
    if let Some(p) = &n.poll {
        crate::polls::attach(&mut tx, tenant, id, author, p).await?;
    }
    accounts::posted(&mut tx, tenant.id, author, 1, now).await?;
    if let Some(p) = &parent {
        statuses::bump(&mut tx, tenant.id, p.id, statuses::Counter::Replies, 1).await?;
    }
    // A held post tells no one until a moderator releases it.
    for m in mentioned.iter().filter(|_| !held) {
        if !relationships::exists(&mut tx, tenant.id, relationships::Edge::Block, m.id, author).await? {
            notify(&mut tx, tenant.id, m.id, author, "mention", Some(id)).await?;
        }
    }
    if matches!(visibility, Visibility::Public | Visibility::Unlisted | Visibility::Private) && parent.is_none() && !held {
        let subscribers: Vec<i64> = relationships::among_notify(&mut tx, tenant.id, author).await?;
        for s in subscribers {
            if !mentioned.iter().any(|m| m.id == s) {
                notify(&mut tx, tenant.id, s, author, "status", Some(id)).await?;
            }
        }
    }
    if let Some(key) = &n.idempotency_key {
        statuses::remember_idempotent(&mut tx, tenant.id, author, key, id, now).await?;
    }
    herd_jobs::enqueue(
        &mut tx,
        tenant.id,
        &crate::federation::outgoing::FanOut {
            status: id,
            update: false,
            poll: false,
        },
    )
    .await?;
    super::team_action(&mut tx, tenant, n.made_by, "team.status.create", author, id).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(id)
}

/// The rules a post must meet however it is published (now or scheduled): its text (trimmed)
/// and language.
pub(super) fn check(tenant: &Tenant, n: &NewStatus) -> Result<(String, Option<String>)> {
    let text = n.text.trim_end().to_string();
    if text.trim().is_empty() && n.media_ids.is_empty() && n.quoted_status_id.is_none() {
        return Err(AppError::Invalid("Validation failed: Text can't be blank".into()));
    }
    if n.poll.is_some() && !n.media_ids.is_empty() {
        return Err(AppError::Invalid(
            "Validation failed: a post cannot have both media and a poll".into(),
        ));
    }
    if n.poll.is_some() && text.trim().is_empty() {
        return Err(AppError::Invalid("Validation failed: Text can't be blank".into()));
    }
    let len = content::length(&text) + n.spoiler_text.chars().count();
    if len as i64 > tenant.row.max_post_chars {
        return Err(AppError::Invalid(format!(
            "Validation failed: Text character limit of {} exceeded",
            tenant.row.max_post_chars
        )));
    }
    let language = n.language.clone().filter(|l| !l.trim().is_empty());
    if let Some(l) = &language
        && (l.len() > 16 || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(AppError::Invalid("Validation failed: Language is not a valid language code".into()));
    }
    Ok((text, language))
}
