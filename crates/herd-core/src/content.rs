//! Turning a post's plain text into the HTML Mastodon clients expect: paragraphs and line
//! breaks, links, `@mentions` and `#hashtags`, with everything else escaped.

use std::sync::LazyLock;

use linkify::{LinkFinder, LinkKind};
use regex::Regex;

/// `@user` or `@user@domain`, not preceded by a word character or `/` (so e-mail addresses and
/// URL paths are left alone). The first group is that preceding character.
static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[^/\w@])@([a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(?:@([\w.-]*\w(?::\d+)?))?").expect("mention pattern")
});

/// `#tag`, with at least one letter, not preceded by a word character, `/`, `)` or `#`.
static HASHTAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(^|[^/)\w#&])#(\w*[\p{Alphabetic}_·]\w*)").expect("hashtag pattern"));

/// A mention as written: the username and, for `@user@domain`, the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionRef {
    pub username: String,
    pub domain: Option<String>,
}

/// Everything in a text that needs looking up before it can be rendered.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub mentions: Vec<MentionRef>,
    /// Hashtag names as written (without `#`), first spelling of each wins.
    pub tags: Vec<String>,
}

enum Piece<'a> {
    Text(&'a str),
    Url(&'a str),
    Mention { lead: &'a str, whole: &'a str, m: MentionRef },
    Tag { lead: &'a str, name: &'a str },
}

fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]);
    let mut last = 0;
    for link in finder.links(text) {
        if !(link.as_str().starts_with("http://") || link.as_str().starts_with("https://")) {
            continue;
        }
        split_words(&text[last..link.start()], &mut out);
        out.push(Piece::Url(link.as_str()));
        last = link.end();
    }
    split_words(&text[last..], &mut out);
    out
}

/// Finds mentions and hashtags in a stretch of text that has no URL in it.
fn split_words<'a>(text: &'a str, out: &mut Vec<Piece<'a>>) {
    let mut found: Vec<(usize, usize, Piece<'a>)> = Vec::new();
    for c in MENTION.captures_iter(text) {
        let (Some(all), Some(lead), Some(user)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let m = MentionRef {
            username: user.as_str().to_string(),
            domain: c.get(3).map(|d| d.as_str().to_ascii_lowercase()),
        };
        let whole = &text[lead.end()..all.end()];
        found.push((
            all.start(),
            all.end(),
            Piece::Mention {
                lead: lead.as_str(),
                whole,
                m,
            },
        ));
    }
    for c in HASHTAG.captures_iter(text) {
        let (Some(all), Some(lead), Some(name)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        if found.iter().any(|(s, e, _)| all.start() < *e && *s < all.end()) {
            continue;
        }
        found.push((
            all.start(),
            all.end(),
            Piece::Tag {
                lead: lead.as_str(),
                name: name.as_str(),
            },
        ));
    }
    found.sort_by_key(|(s, _, _)| *s);
    let mut last = 0;
    for (s, e, p) in found {
        if s > last {
            out.push(Piece::Text(&text[last..s]));
        }
        out.push(p);
        last = e;
    }
    if last < text.len() {
        out.push(Piece::Text(&text[last..]));
    }
}

/// The mentions and hashtags in `text`, each once.
pub fn extract(text: &str) -> Extracted {
    let mut ex = Extracted::default();
    for p in pieces(text) {
        match p {
            Piece::Mention { m, .. } if !ex.mentions.contains(&m) => ex.mentions.push(m),
            Piece::Tag { name, .. } if !ex.tags.iter().any(|t| t.to_lowercase() == name.to_lowercase()) => {
                ex.tags.push(name.to_string());
            }
            _ => {}
        }
    }
    ex
}

static START_TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?is)<([a-z]+)\b([^>]*)>").expect("tag pattern"));
static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)(?:^|\s)([a-z][a-z0-9:_-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#).expect("attribute pattern")
});

/// The start tags named `names` in an HTML page, in order, each with its attributes (names
/// lowercased, values with character references decoded). For reading what another site's
/// page says of itself (link previews, `rel="me"` links), not for sanitising.
pub fn start_tags(html: &str, names: &[&str]) -> Vec<(String, Vec<(String, String)>)> {
    START_TAG
        .captures_iter(html)
        .filter_map(|c| {
            let name = c.get(1)?.as_str().to_ascii_lowercase();
            if !names.contains(&name.as_str()) {
                return None;
            }
            let attrs = ATTRIBUTE
                .captures_iter(c.get(2).map_or("", |m| m.as_str()))
                .filter_map(|a| {
                    let value = a.get(2).or_else(|| a.get(3)).or_else(|| a.get(4))?.as_str();
                    Some((a.get(1)?.as_str().to_ascii_lowercase(), decode_entities(value)))
                })
                .collect();
            Some((name, attrs))
        })
        .collect()
}

/// One attribute of a tag from [`start_tags`].
pub fn attribute<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The words of a post's (sanitised) HTML as plain text, for search: tags dropped, line and
/// paragraph breaks as spaces, character references decoded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..start]));
        match rest[start..].find('>') {
            Some(end) => {
                let tag = &rest[start + 1..start + end];
                let name = tag
                    .trim_start_matches('/')
                    .split([' ', '/'])
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if matches!(name.as_str(), "br" | "p" | "li" | "div" | "blockquote") {
                    out.push(' ');
                }
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(&decode_entities(rest));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let name = &after[..end];
        let ch = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse::<u32>().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Escapes text and turns newlines into `<br />` (for a paragraph's inside).
fn escape_lines(s: &str) -> String {
    escape(s).replace("\r\n", "\n").replace('\n', "<br />")
}

/// Renders `text` as Mastodon-style HTML. `mention_url` gives the profile URL of a mentioned
/// account, or `None` when it is unknown (the text is then left as written); `tag_url` gives
/// the URL of a hashtag's page.
pub fn render(text: &str, mention_url: impl Fn(&MentionRef) -> Option<String>, tag_url: impl Fn(&str) -> String) -> String {
    let text = text.replace("\r\n", "\n");
    let mut html = String::new();
    for para in text.split("\n\n").map(|p| p.trim_matches('\n')).filter(|p| !p.is_empty()) {
        html.push_str("<p>");
        for piece in pieces(para) {
            match piece {
                Piece::Text(t) => html.push_str(&escape_lines(t)),
                Piece::Url(u) => html.push_str(&link(u)),
                Piece::Mention { lead, whole, m } => {
                    html.push_str(&escape_lines(lead));
                    match mention_url(&m) {
                        Some(url) => html.push_str(&format!(
                            "<span class=\"h-card\" translate=\"no\"><a href=\"{}\" class=\"u-url mention\">@<span>{}</span></a></span>",
                            escape(&url),
                            escape(&m.username)
                        )),
                        None => html.push_str(&escape(whole)),
                    }
                }
                Piece::Tag { lead, name } => {
                    html.push_str(&escape_lines(lead));
                    html.push_str(&format!(
                        "<a href=\"{}\" class=\"mention hashtag\" rel=\"tag\">#<span>{}</span></a>",
                        escape(&tag_url(name)),
                        escape(name)
                    ));
                }
            }
        }
        html.push_str("</p>");
    }
    html
}

/// A link shown as Mastodon shows it: scheme hidden, long URLs cut after 30 characters.
fn link(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").map(|(s, r)| (format!("{s}://"), r)).unwrap_or_default();
    let (shown, hidden, class) = if rest.chars().count() > 30 {
        let cut = rest.char_indices().nth(30).map(|(i, _)| i).unwrap_or(rest.len());
        (&rest[..cut], &rest[cut..], "ellipsis")
    } else {
        (rest, "", "")
    };
    format!(
        "<a href=\"{}\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\"><span class=\"invisible\">{}</span><span class=\"{}\">{}</span><span class=\"invisible\">{}</span></a>",
        escape(url),
        escape(&scheme),
        class,
        escape(shown),
        escape(hidden)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_of_html() {
        let cases = [
            ("<p>Hello <b>world</b></p><p>again</p>", "Hello world again"),
            ("a<br>b<br />c", "a b c"),
            ("Fish &amp; chips &#39;n&#x27; &lt;peas&gt;", "Fish & chips 'n' <peas>"),
            ("<a href=\"https://x\" class=\"u-url\">@<span>bob</span></a> hi", "@bob hi"),
            ("AT&T &bogus; &", "AT&T &bogus; &"),
            ("unclosed <tag", "unclosed"),
        ];
        for (html, want) in cases {
            assert_eq!(plain_text(html), want, "{html}");
        }
    }

    fn check(text: &str, expected: &str) {
        let html = render(
            text,
            |m| (m.username == "bob").then(|| "https://org-a.test/@bob".to_string()),
            |t| format!("https://org-a.test/tags/{}", t.to_lowercase()),
        );
        assert_eq!(html, expected, "rendering {text:?}");
    }

    #[test]
    fn renders() {
        check("hello <b>&", "<p>hello &lt;b&gt;&amp;</p>");
        check("a\nb\n\nc", "<p>a<br />b</p><p>c</p>");
        check(
            "hi @bob!",
            "<p>hi <span class=\"h-card\" translate=\"no\"><a href=\"https://org-a.test/@bob\" class=\"u-url mention\">@<span>bob</span></a></span>!</p>",
        );
        check("hi @nobody", "<p>hi @nobody</p>");
        check("mail x@bob.test", "<p>mail x@bob.test</p>");
        check(
            "#Rust and #1",
            "<p><a href=\"https://org-a.test/tags/rust\" class=\"mention hashtag\" rel=\"tag\">#<span>Rust</span></a> and #1</p>",
        );
        check(
            "see https://example.org/x",
            "<p>see <a href=\"https://example.org/x\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\"><span class=\"invisible\">https://</span><span class=\"\">example.org/x</span><span class=\"invisible\"></span></a></p>",
        );
        // A hashtag inside a URL is part of the URL.
        assert!(extract("https://example.org/#frag").tags.is_empty());
    }

    #[test]
    fn extracts() {
        let e = extract("@bob @carol@other.test:8080 #a #A #b @bob");
        assert_eq!(e.mentions.len(), 2);
        assert_eq!(e.mentions[1].domain.as_deref(), Some("other.test:8080"));
        assert_eq!(e.tags, vec!["a", "b"]);
    }
}

/// A post's length as Mastodon counts it: every URL counts 23 characters, and a remote
/// mention counts only its `@username` part.
pub fn length(text: &str) -> usize {
    pieces(text)
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.chars().count(),
            Piece::Url(_) => 23,
            Piece::Mention { lead, m, .. } => lead.chars().count() + 1 + m.username.chars().count(),
            Piece::Tag { lead, name } => lead.chars().count() + 1 + name.chars().count(),
        })
        .sum()
}

#[cfg(test)]
mod length_tests {
    #[test]
    fn counts_like_mastodon() {
        assert_eq!(super::length("hello"), 5);
        assert_eq!(super::length("see https://example.org/a/very/long/path/indeed"), 4 + 23);
        assert_eq!(super::length("hi @bob@far.example"), 3 + 4);
    }
}

/// A profile's fields as stored (a JSON list of `{"name", "value"}`), as plain text pairs.
pub fn profile_fields(stored: &str) -> Vec<(String, String)> {
    serde_json::from_str::<Vec<serde_json::Value>>(stored)
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f.get("name").and_then(|v| v.as_str()).unwrap_or("").to_string(),
                f.get("value").and_then(|v| v.as_str()).unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// A field value as HTML: escaped, with a bare URL made a link.
pub fn field_html(value: &str) -> String {
    let html = render(value, |_| None, |_| String::new());
    html.strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
        .map(str::to_string)
        .unwrap_or_else(|| escape(value))
}
