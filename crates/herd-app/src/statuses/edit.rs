use herd_core::{Id, Timestamp, content};
use herd_store::statuses::{self, EditRow, StatusRow};
use herd_store::{media, tags};

use crate::notifications::notify;
use crate::{App, AppError, Result, Tenant};

pub struct StatusEdit {
    pub text: String,
    pub spoiler_text: Option<String>,
    pub sensitive: Option<bool>,
    pub language: Option<String>,
    /// `None` keeps the attachments; `Some` replaces them.
    pub media_ids: Option<Vec<i64>>,
    /// The poll after the edit: `None` takes it off, as on Mastodon.
    pub poll: Option<crate::polls::NewPoll>,
    /// Who may quote it from now on; `None` keeps it. (What it quotes stays: Mastodon does
    /// not change a post's quote by an edit.)
    pub quote_policy: Option<herd_core::QuotePolicy>,
    /// The member who edits it when the author is a team account.
    pub made_by: Option<i64>,
}

/// A version of a post for its history; `poll` is its option titles as a JSON list.
pub(crate) fn snapshot(row: &StatusRow, media_ids: &[i64], poll: Option<String>, at: i64) -> EditRow {
    EditRow {
        id: Id::generate().0,
        status_id: row.id,
        text: row.text.clone(),
        spoiler_text: row.spoiler_text.clone(),
        content_html: row.content_html.clone(),
        sensitive: row.sensitive,
        media_ids: serde_json::to_string(media_ids).unwrap_or_else(|_| "[]".into()),
        poll_options: poll,
        created_at: at,
    }
}

/// Edits a post by its author. The first edit also records the original, so the history
/// holds every version; those who boosted it are told.
pub async fn edit(app: &App, tenant: &Tenant, author: i64, id: i64, e: StatusEdit) -> Result<()> {
    crate::federation::resolve::mentions(app, tenant, &e.text).await;
    let mut tx = app.db.begin().await?;
    let mut row = statuses::by_id(&mut tx, tenant.id, id)
        .await?
        .ok_or(AppError::NotFound("Record not found"))?;
    if row.account_id != author || row.reblog_of_id.is_some() {
        return Err(AppError::NotFound("Record not found"));
    }
    let old_media: Vec<i64> = media::for_statuses(&mut tx, tenant.id, &[id]).await?.iter().map(|m| m.id).collect();
    let new_media = match &e.media_ids {
        Some(ids) => super::own_media(&mut tx, tenant, author, ids, Some(id), None)
            .await?
            .iter()
            .map(|m| m.id)
            .collect(),
        None => old_media.clone(),
    };
    if e.poll.is_some() && !new_media.is_empty() {
        return Err(AppError::Invalid(
            "Validation failed: a post cannot have both media and a poll".into(),
        ));
    }
    let old_poll = crate::polls::titles_json(herd_store::polls::for_statuses(&mut tx, tenant.id, &[id]).await?.first());
    let spoiler = e.spoiler_text.unwrap_or_else(|| row.spoiler_text.clone());
    let text = e.text.trim_end().to_string();
    let quote = herd_store::quotes::of_status(&mut tx, tenant.id, id).await?;
    if text.trim().is_empty() && new_media.is_empty() && quote.is_none() {
        return Err(AppError::Invalid("Validation failed: Text can't be blank".into()));
    }
    if (content::length(&text) + spoiler.chars().count()) as i64 > tenant.row.max_post_chars {
        return Err(AppError::Invalid(format!(
            "Validation failed: Text character limit of {} exceeded",
            tenant.row.max_post_chars
        )));
    }
    let now = Timestamp::now().0;
    if statuses::edits(&mut tx, tenant.id, id).await?.is_empty() {
        statuses::insert_edit(&mut tx, tenant.id, &snapshot(&row, &old_media, old_poll, row.created_at)).await?;
    }
    let (html, mentioned, tag_names) = crate::accounts::render_text(&mut tx, tenant, &text).await?;
    let before_mentions: Vec<i64> = tags::mentions_for(&mut tx, tenant.id, &[id])
        .await?
        .iter()
        .map(|(_, a)| *a)
        .collect();
    row.text = text;
    row.content_html = html;
    row.sensitive = i64::from(
        e.sensitive
            .map(|s| s || !spoiler.is_empty())
            .unwrap_or(row.sensitive != 0 || !spoiler.is_empty()),
    );
    row.spoiler_text = spoiler;
    if let Some(l) = e.language.filter(|l| !l.trim().is_empty()) {
        row.language = Some(l);
    }
    row.edited_at = Some(now);
    statuses::update_content(&mut tx, tenant.id, &row).await?;
    if e.media_ids.is_some() {
        for m in old_media.iter().filter(|m| !new_media.contains(m)) {
            media::attach(&mut tx, tenant.id, *m, None, 0).await?;
        }
        for (i, m) in new_media.iter().enumerate() {
            media::attach(&mut tx, tenant.id, *m, Some(id), i as i64).await?;
        }
    }
    super::link_text(&mut tx, tenant, id, &mentioned, &tag_names).await?;
    crate::polls::edit(&mut tx, tenant, id, author, e.poll.as_ref()).await?;
    let poll_titles: Vec<&str> = e.poll.iter().flat_map(|p| p.options.iter().map(String::as_str)).collect();
    let texts: Vec<&str> = [row.text.as_str(), row.spoiler_text.as_str()]
        .into_iter()
        .chain(poll_titles)
        .collect();
    crate::emojis::link_local(&mut tx, tenant.id, id, &texts).await?;
    crate::cards::link(&mut tx, tenant.id, id, &row.content_html, true).await?;
    // The poll after the edit is the one the edit asked for.
    let new_poll = e
        .poll
        .as_ref()
        .map(|p| serde_json::to_string(&p.options).unwrap_or_else(|_| "[]".into()));
    statuses::insert_edit(&mut tx, tenant.id, &snapshot(&row, &new_media, new_poll, now)).await?;
    for m in mentioned.iter().filter(|m| !before_mentions.contains(&m.id)) {
        notify(&mut tx, tenant.id, m.id, author, "mention", Some(id)).await?;
    }
    for (_, booster) in statuses::reblogs_of(&mut tx, tenant.id, id).await? {
        notify(&mut tx, tenant.id, booster, author, "update", Some(id)).await?;
    }
    if let Some(policy) = e.quote_policy {
        let visibility = herd_core::Visibility::parse(&row.visibility).unwrap_or(herd_core::Visibility::Direct);
        let (automatic, manual) = crate::quotes::flags(policy, visibility);
        statuses::set_quote_policy(&mut tx, tenant.id, id, automatic, manual).await?;
    }
    crate::quotes::notify_quoters(&mut tx, tenant.id, author, id).await?;
    herd_jobs::enqueue(
        &mut tx,
        tenant.id,
        &crate::federation::outgoing::FanOut {
            status: id,
            update: true,
            poll: false,
        },
    )
    .await?;
    super::team_action(&mut tx, tenant, e.made_by, "team.status.edit", author, id).await?;
    tx.commit().await?;
    app.waker.wake();
    Ok(())
}
