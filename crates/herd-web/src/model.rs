//! What the templates show: page models made from the processing layer's views, in one place.
//! HTML from posts and profiles is the sanitised HTML stored with them (remote content was
//! cleaned with Mastodon's allowlist on arrival; local content is Herd's own rendering).

use herd_app::Tenant;
use herd_app::views::StatusView;
use herd_core::Timestamp;
use herd_store::accounts::AccountRow;

/// What every page carries: the instance, the page's own title and description, and the
/// links for feeds, ActivityPub and OpenGraph.
pub struct Chrome {
    pub lang: String,
    pub site: String,
    pub title: String,
    pub description: String,
    pub url: String,
    pub og_type: &'static str,
    pub image: Option<String>,
    pub feed: Option<String>,
    pub activity: Option<String>,
    pub has_privacy: bool,
    pub has_imprint: bool,
}

impl Chrome {
    pub fn new(tenant: &Tenant, title: String, description: String, url: String) -> Chrome {
        let lang = serde_json::from_str::<Vec<String>>(&tenant.row.languages)
            .ok()
            .and_then(|l| l.into_iter().next())
            .unwrap_or_else(|| "en".into());
        Chrome {
            lang,
            site: tenant.row.title.clone(),
            title,
            description: excerpt(&description, 300),
            url,
            og_type: "website",
            image: None,
            feed: None,
            activity: None,
            has_privacy: !tenant.row.privacy_policy.trim().is_empty(),
            has_imprint: !tenant.row.imprint.trim().is_empty(),
        }
    }
}

/// At most `max` characters of plain text, cut at a word.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a).to_string();
    format!("{cut}…")
}

/// Plain text cut into paragraphs at blank lines, each a list of lines.
pub fn paragraphs(text: &str) -> Vec<Vec<String>> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

pub fn date_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%-d %b %Y, %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// RFC 2822, as RSS dates are written.
pub fn rss_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.to_rfc2822())
        .unwrap_or_default()
}

pub struct Author {
    pub name: String,
    pub handle: String,
    pub url: String,
    pub avatar: String,
}

pub fn author(tenant: &Tenant, a: &AccountRow) -> Author {
    let local = a.domain.is_empty();
    Author {
        name: if a.display_name.trim().is_empty() {
            a.username.clone()
        } else {
            a.display_name.clone()
        },
        handle: if local {
            format!("@{}@{}", a.username, tenant.handle_domain())
        } else {
            format!("@{}@{}", a.username, a.domain)
        },
        url: if local {
            tenant.profile_url(&a.username)
        } else {
            a.url.clone().or_else(|| a.uri.clone()).unwrap_or_default()
        },
        avatar: match &a.avatar_key {
            Some(k) => tenant.file_url(k),
            None => format!("{}/avatars/original/missing.png", tenant.base_url()),
        },
    }
}

pub struct Media {
    pub kind: String,
    pub url: String,
    pub preview: Option<String>,
    pub alt: String,
    pub mime: String,
}

pub struct PollOption {
    pub title: String,
    pub votes: i64,
    pub percent: i64,
}

pub struct Poll {
    pub options: Vec<PollOption>,
    pub total: i64,
    pub closed: bool,
    /// Tallies hidden until the end.
    pub hidden: bool,
    pub ends: String,
}

pub struct Post {
    pub id: i64,
    pub url: String,
    pub author: Author,
    pub content: String,
    pub spoiler: Option<String>,
    pub sensitive: bool,
    pub published: i64,
    pub published_iso: String,
    pub published_text: String,
    pub published_rss: String,
    pub edited: bool,
    pub language: Option<String>,
    pub media: Vec<Media>,
    pub poll: Option<Poll>,
    pub tags: Vec<(String, String)>,
    pub replies: i64,
    pub boosts: i64,
    pub favourites: i64,
    /// Whether it answers another post.
    pub is_reply: bool,
    /// Who boosted it, when the view is a boost.
    pub boosted_by: Option<Author>,
}

impl Post {
    /// The post's words as plain text, for descriptions.
    pub fn text(&self) -> String {
        herd_core::content::plain_text(&self.content)
    }
}

fn poll(v: &StatusView) -> Option<Poll> {
    let p = v.poll.as_ref()?;
    let now = Timestamp::now().0;
    let closed = herd_app::polls::expired(&p.row, now);
    let hidden = p.row.hide_totals != 0 && !closed;
    let total: i64 = p.options.iter().map(|o| o.votes_count).sum();
    Some(Poll {
        options: p
            .options
            .iter()
            .map(|o| PollOption {
                title: o.title.clone(),
                votes: o.votes_count,
                percent: if total > 0 { o.votes_count * 100 / total } else { 0 },
            })
            .collect(),
        total: p.row.voters_count.unwrap_or(total),
        closed,
        hidden,
        ends: p.row.expires_at.map(date_text).unwrap_or_default(),
    })
}

/// A post (or the post a boost carries) for the page.
pub fn post(tenant: &Tenant, v: &StatusView) -> Post {
    let (shown, boosted_by) = match &v.reblog {
        Some(target) => (target.as_ref(), Some(author(tenant, &v.account))),
        None => (v, None),
    };
    let r = &shown.row;
    let a = &shown.account;
    Post {
        id: r.id,
        url: match (&r.uri, a.domain.is_empty()) {
            (Some(uri), false) => uri.clone(),
            _ => tenant.status_url(&a.username, r.id),
        },
        author: author(tenant, a),
        content: r.content_html.clone(),
        spoiler: Some(r.spoiler_text.clone()).filter(|s| !s.trim().is_empty()),
        sensitive: r.sensitive != 0,
        published: r.created_at,
        published_iso: Timestamp(r.created_at).to_rfc3339(),
        published_text: date_text(r.created_at),
        published_rss: rss_date(r.created_at),
        edited: r.edited_at.is_some(),
        language: r.language.clone(),
        media: shown
            .media
            .iter()
            .map(|m| Media {
                kind: m.kind.clone(),
                url: m
                    .file_key
                    .as_deref()
                    .map(|k| tenant.file_url(k))
                    .or_else(|| m.remote_url.clone())
                    .unwrap_or_default(),
                preview: m.thumb_key.as_deref().map(|k| tenant.file_url(k)),
                alt: m.description.clone(),
                mime: m.mime.clone(),
            })
            .filter(|m| !m.url.is_empty())
            .collect(),
        poll: poll(shown),
        tags: shown.tags.iter().map(|t| (t.to_lowercase(), tenant.tag_url(t))).collect(),
        replies: r.replies_count,
        boosts: r.reblogs_count,
        favourites: r.favourites_count,
        is_reply: r.in_reply_to_id.is_some(),
        boosted_by,
    }
}

pub struct Field {
    pub name: String,
    /// HTML (links made by Herd from the field's text).
    pub value: String,
    pub verified: bool,
}

pub struct Profile {
    pub author: Author,
    pub note: String,
    pub header: Option<String>,
    pub fields: Vec<Field>,
    pub posts_count: i64,
    pub followers_count: i64,
    pub following_count: i64,
    pub joined: String,
    pub bot: bool,
    pub featured_tags: Vec<(String, String)>,
}

pub fn profile(tenant: &Tenant, a: &AccountRow, featured: &[herd_store::featured::FeaturedTagRow]) -> Profile {
    let verified: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&a.verified_links).unwrap_or_default();
    Profile {
        author: author(tenant, a),
        note: a.note_html.clone(),
        header: a.header_key.as_deref().map(|k| tenant.file_url(k)),
        fields: herd_core::content::profile_fields(&a.fields)
            .into_iter()
            .map(|(name, value)| Field {
                verified: verified.contains_key(value.trim()),
                value: herd_core::content::field_html(&value),
                name,
            })
            .collect(),
        posts_count: a.statuses_count,
        followers_count: a.followers_count,
        following_count: a.following_count,
        joined: chrono::DateTime::from_timestamp_millis(a.created_at)
            .map(|d| d.format("%B %Y").to_string())
            .unwrap_or_default(),
        bot: a.bot != 0,
        featured_tags: featured
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    format!("{}/tagged/{}", tenant.profile_url(&a.username), f.name.to_lowercase()),
                )
            })
            .collect(),
    }
}
