//! OAuth scopes as Mastodon defines them: top-level (`read`, `write`, `follow`, `push`,
//! `profile`, `admin:read`, `admin:write`) and granular (`read:statuses`, `admin:write:accounts`).

use std::fmt;

use crate::ParseError;

const TOP: &[&str] = &["read", "write", "follow", "push", "profile", "admin:read", "admin:write"];
const READ: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
];
const WRITE: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
];
const ADMIN: &[&str] = &[
    "accounts",
    "reports",
    "domain_allows",
    "domain_blocks",
    "ip_blocks",
    "email_domain_blocks",
    "canonical_email_blocks",
];
/// What the deprecated `follow` scope still grants.
const FOLLOW_GRANTS: &[&str] = &[
    "read:follows",
    "write:follows",
    "read:blocks",
    "write:blocks",
    "read:mutes",
    "write:mutes",
];

/// One valid scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope(String);

impl Scope {
    pub fn parse(s: &str) -> Result<Scope, ParseError> {
        let known = TOP.contains(&s)
            || s.strip_prefix("read:").is_some_and(|r| READ.contains(&r))
            || s.strip_prefix("write:").is_some_and(|r| WRITE.contains(&r))
            || s.strip_prefix("admin:read:").is_some_and(|r| ADMIN.contains(&r))
            || s.strip_prefix("admin:write:").is_some_and(|r| ADMIN.contains(&r));
        if known {
            Ok(Scope(s.to_string()))
        } else {
            Err(ParseError::new("scope", format!("{s:?} is not a known scope")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether holding `self` lets a token do what `required` names.
    pub fn covers(&self, required: &str) -> bool {
        let g = self.0.as_str();
        g == required
            || required.strip_prefix(g).is_some_and(|rest| rest.starts_with(':'))
            || (g == "follow" && FOLLOW_GRANTS.contains(&required))
    }
}

/// A set of scopes as granted to an app or token. Kept sorted and without duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Parses a space-separated (or `+`/comma-separated, as some clients send) scope list. An
    /// empty list means Mastodon's default, `read`.
    pub fn parse(s: &str) -> Result<Scopes, ParseError> {
        let mut v = s
            .split(|c: char| c.is_whitespace() || c == '+' || c == ',')
            .filter(|p| !p.is_empty())
            .map(Scope::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if v.is_empty() {
            v.push(Scope("read".into()));
        }
        v.sort();
        v.dedup();
        Ok(Scopes(v))
    }

    pub fn allows(&self, required: &str) -> bool {
        self.0.iter().any(|s| s.covers(required))
    }

    /// Whether every scope in `wanted` is covered by these (a token may not exceed its app).
    pub fn contains_all(&self, wanted: &Scopes) -> bool {
        wanted.0.iter().all(|w| self.allows(w.as_str()))
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|s| s.as_str())
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<&str> = self.iter().collect();
        f.write_str(&parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage() {
        let s = Scopes::parse("read write:statuses follow").unwrap();
        for ok in ["read", "read:statuses", "write:statuses", "write:follows", "read:blocks"] {
            assert!(s.allows(ok), "{ok}");
        }
        for no in ["write", "write:media", "admin:read", "push"] {
            assert!(!s.allows(no), "{no}");
        }
        let admin = Scopes::parse("admin:read").unwrap();
        assert!(admin.allows("admin:read:accounts"));
        assert!(!admin.allows("read"));
        assert!(Scopes::parse("read:nothing").is_err());
        assert_eq!(Scopes::parse("").unwrap().to_string(), "read");
        assert_eq!(Scopes::parse("write read read").unwrap().to_string(), "read write");
        assert!(
            Scopes::parse("read write")
                .unwrap()
                .contains_all(&Scopes::parse("read:accounts").unwrap())
        );
    }
}
