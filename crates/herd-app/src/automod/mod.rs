//! Auto-moderation (Mastodon has none, #29256): an instance's rules (keywords, regular
//! expressions, link domains) checked against local posts when they are made and against
//! posts that arrive, in the inbox's batch. A hit flags the post for review (a report from
//! the system), holds it from everyone but its author until a moderator reviews it, or
//! rejects it; every hit is in the audit log. The compiled rules live in the instance's
//! cached [`crate::federation_policy::Policy`], so checking costs no query.

mod add;
mod hit;
mod remove;

pub use add::{NewRule, add};
pub(crate) use hit::record_hit;
pub use remove::remove;

use herd_store::automod::RuleRow;
use regex::{Regex, RegexSet};

/// What a hit does, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Flag,
    Hide,
    Reject,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "flag" => Some(Action::Flag),
            "hide" => Some(Action::Hide),
            "reject" => Some(Action::Reject),
            _ => None,
        }
    }
}

/// The strongest rule a post met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: i64,
    pub action: Action,
    pub kind: String,
    pub pattern: String,
}

struct Compiled {
    id: i64,
    action: Action,
    local: bool,
    remote: bool,
}

/// An instance's rules, compiled once per node: all text patterns in one `RegexSet` (one
/// pass over a post whatever the number of rules), link domains in a set.
#[derive(Default)]
pub struct Rules {
    rows: Vec<RuleRow>,
    /// Keywords, lower case, matched on the lower-cased text: plain literals, so the regex
    /// crate's literal prefilter skips most posts at once.
    keywords: Option<RegexSet>,
    keyword_rules: Vec<Compiled>,
    /// Moderators' regular expressions, case-insensitive, on the text as written.
    text: Option<RegexSet>,
    text_rules: Vec<Compiled>,
    domains: std::collections::HashMap<String, Compiled>,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rules({})", self.rows.len())
    }
}

/// A keyword as a whole-word pattern over lower-cased text. An ASCII keyword (the usual
/// case) gets ASCII word boundaries, which the regex crate's fast engines handle on any
/// text; Unicode ones need Unicode boundaries.
pub(crate) fn keyword_pattern(k: &str) -> String {
    let k = k.trim().to_lowercase();
    if k.is_ascii() {
        format!(r"(?-u:\b){}(?-u:\b)", regex::escape(&k))
    } else {
        format!(r"\b{}\b", regex::escape(&k))
    }
}

impl Rules {
    pub fn compile(rows: Vec<RuleRow>) -> Rules {
        let mut patterns = Vec::new();
        let mut text_rules = Vec::new();
        let mut keywords = Vec::new();
        let mut keyword_rules = Vec::new();
        let mut domains = std::collections::HashMap::new();
        for r in &rows {
            let Some(action) = Action::parse(&r.action) else { continue };
            let c = Compiled {
                id: r.id,
                action,
                local: r.scope != "remote",
                remote: r.scope != "local",
            };
            match r.kind.as_str() {
                "keyword" => {
                    keywords.push(keyword_pattern(&r.pattern));
                    keyword_rules.push(c);
                }
                "regex" => {
                    patterns.push(format!("(?i){}", r.pattern));
                    text_rules.push(c);
                }
                "link_domain" => {
                    domains.insert(r.pattern.to_ascii_lowercase(), c);
                }
                _ => {}
            }
        }
        // Each pattern was checked when its rule was added, so the set compiles; if not,
        // no text rule applies rather than the inbox failing.
        let text = (!patterns.is_empty()).then(|| RegexSet::new(&patterns).ok()).flatten();
        let keywords_set = (!keywords.is_empty()).then(|| RegexSet::new(&keywords).ok()).flatten();
        Rules {
            rows,
            keywords: keywords_set,
            keyword_rules,
            text,
            text_rules,
            domains,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The strongest rule the post's text (content warning and body, tags stripped) or one
    /// of its links meets; `local` says whose post it is.
    pub fn check(&self, spoiler: &str, html: &str, local: bool) -> Option<Hit> {
        if self.rows.is_empty() {
            return None;
        }
        let mut hits: Vec<&Compiled> = Vec::new();
        if self.text.is_some() || self.keywords.is_some() {
            let plain = format!("{spoiler}\n{}", strip_tags(html));
            if let Some(set) = self.keywords.as_ref() {
                let lower = plain.to_lowercase();
                if set.is_match(&lower) {
                    hits.extend(set.matches(&lower).iter().filter_map(|i| self.keyword_rules.get(i)));
                }
            }
            if let Some(set) = self.text.as_ref().filter(|s| s.is_match(&plain)) {
                hits.extend(set.matches(&plain).iter().filter_map(|i| self.text_rules.get(i)));
            }
        }
        if !self.domains.is_empty() {
            for host in link_hosts(html) {
                hits.extend(herd_core::names::domain_and_parents(&host).filter_map(|d| self.domains.get(d)));
            }
        }
        let best = hits
            .into_iter()
            .filter(|c| if local { c.local } else { c.remote })
            .max_by_key(|c| c.action);
        let c = best?;
        let row = self.rows.iter().find(|r| r.id == c.id)?;
        Some(Hit {
            rule: c.id,
            action: c.action,
            kind: row.kind.clone(),
            pattern: row.pattern.clone(),
        })
    }
}

/// Text of HTML without its tags (entities left as they are: patterns match words).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut inside = false;
    for ch in html.chars() {
        match ch {
            '<' => inside = true,
            '>' if inside => {
                inside = false;
                out.push(' ');
            }
            _ if !inside => out.push(ch),
            _ => {}
        }
    }
    out
}

fn link_hosts(html: &str) -> Vec<String> {
    static HREF: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let Some(re) = HREF.get_or_init(|| Regex::new(r#"href="([^"]{1,2000})""#).ok()) else {
        return Vec::new();
    };
    re.captures_iter(html)
        .filter_map(|c| c.get(1))
        .filter_map(|m| url::Url::parse(&m.as_str().replace("&amp;", "&")).ok())
        .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: i64, kind: &str, pattern: &str, action: &str, scope: &str) -> RuleRow {
        RuleRow {
            id,
            kind: kind.into(),
            pattern: pattern.into(),
            action: action.into(),
            scope: scope.into(),
            created_at: 0,
        }
    }

    #[test]
    fn the_strongest_rule_wins() {
        let r = Rules::compile(vec![
            rule(1, "keyword", "casino", "flag", "all"),
            rule(2, "regex", r"buy\s+now", "hide", "all"),
            rule(3, "link_domain", "spam.example", "reject", "remote"),
        ]);
        assert_eq!(
            r.check("", "<p>Best CASINO in town</p>", true).map(|h| h.action),
            Some(Action::Flag)
        );
        assert_eq!(r.check("", "<p>casinos</p>", true), None, "keywords match whole words");
        assert_eq!(r.check("", "<p>casino, buy   now</p>", false).map(|h| h.rule), Some(2));
        let link = r#"<p><a href="https://x.spam.example/a">here</a> casino</p>"#;
        assert_eq!(r.check("", link, false).map(|h| h.action), Some(Action::Reject));
        assert_eq!(
            r.check("", link, true).map(|h| h.action),
            Some(Action::Flag),
            "the link rule is for remote posts"
        );
        assert_eq!(r.check("", "<p class=\"casino\">hello</p>", true), None, "markup is not text");
    }
}
