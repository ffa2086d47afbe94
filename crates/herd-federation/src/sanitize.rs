//! Remote HTML, cut down to what Mastodon keeps (its `Sanitize::Config::MASTODON_STRICT`):
//! paragraphs, line breaks, links, mentions and hashtags, a few inline styles and lists.

use std::collections::HashSet;
use std::sync::OnceLock;

use ammonia::Builder;

fn cleaner() -> &'static Builder<'static> {
    static B: OnceLock<Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = Builder::empty();
        b.add_tags([
            "p",
            "br",
            "span",
            "a",
            "del",
            "s",
            "pre",
            "code",
            "em",
            "strong",
            "b",
            "i",
            "u",
            "ul",
            "ol",
            "li",
            "blockquote",
        ])
        .add_tag_attributes("a", ["href", "translate"])
        .add_tag_attributes("span", ["translate"])
        .add_tag_attributes("ol", ["start", "reversed"])
        .add_tag_attributes("li", ["value"])
        .url_schemes(HashSet::from([
            "http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet", "gemini",
        ]))
        .link_rel(Some("nofollow noopener noreferrer"))
        .allowed_classes(std::collections::HashMap::from([
            (
                "a",
                HashSet::from(["mention", "hashtag", "u-url", "h-card", "status-link", "unhandled-link"]),
            ),
            ("span", HashSet::from(["h-card", "invisible", "ellipsis", "mention", "hashtag"])),
        ]));
        b
    })
}

/// Remote HTML made safe to show.
pub fn html(remote: &str) -> String {
    cleaner().clean(remote).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_mastodons_markup_and_drops_the_rest() {
        let out = super::html(
            r#"<p>Hi <span class="h-card"><a href="https://x.example/@a" class="u-url mention evil">@a</a></span><script>alert(1)</script></p><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>"#,
        );
        assert!(out.contains(r#"class="u-url mention""#), "{out}");
        assert!(out.contains(r#"rel="nofollow noopener noreferrer""#), "{out}");
        assert!(
            !out.contains("script") && !out.contains("img") && !out.contains("javascript") && !out.contains("evil"),
            "{out}"
        );
    }
}
