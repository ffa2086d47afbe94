//! Parse-don't-validate newtypes. Past `parse`, a value of these types is known to be valid.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::ParseError;

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}

/// An instance's host name, lower-cased, optionally with a port (`org-a.test:8080`) for local
/// testing. It is what the Host header must carry to reach the instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Domain(String);
string_newtype!(Domain);

impl Domain {
    pub fn parse(s: &str) -> Result<Domain, ParseError> {
        let s = s.trim().trim_end_matches('.').to_ascii_lowercase();
        let bad = |m: &str| Err(ParseError::new("domain", format!("{s:?} {m}")));
        if s.is_empty() || s.len() > 253 {
            return bad("must be a host name of 1 to 253 characters");
        }
        let (host, port) = match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s.as_str(), None),
        };
        if port.is_some_and(|p| p.parse::<u16>().map(|p| p == 0).unwrap_or(true)) {
            return bad("has a port that is not a number from 1 to 65535");
        }
        for label in host.split('.') {
            if label.is_empty() || label.len() > 63 {
                return bad("has an empty or over-long label");
            }
            if label.starts_with('-') || label.ends_with('-') {
                return bad("has a label that starts or ends with '-'");
            }
            if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return bad("may contain only letters, digits, '-' and '.' (use punycode for IDNs)");
            }
        }
        Ok(Domain(s))
    }

    /// The host without a port.
    pub fn host(&self) -> &str {
        self.0.split(':').next().unwrap_or(&self.0)
    }
}

/// A local username: letters, digits and underscores, with dots or dashes inside, at most 30
/// characters, as Mastodon allows. Comparison is case-insensitive; see [`Username::key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);
string_newtype!(Username);

impl Username {
    pub fn parse(s: &str) -> Result<Username, ParseError> {
        let s = s.trim().trim_start_matches('@');
        let ok_inner = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-';
        let ok_edge = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let bytes = s.as_bytes();
        if s.is_empty() || s.len() > 30 {
            return Err(ParseError::new("username", "must be 1 to 30 characters"));
        }
        if !bytes.iter().all(|b| ok_inner(*b)) || !ok_edge(bytes[0]) || !ok_edge(bytes[bytes.len() - 1]) {
            return Err(ParseError::new(
                "username",
                "may contain only letters, numbers and underscores (dots and dashes only inside)",
            ));
        }
        Ok(Username(s.to_string()))
    }

    /// The case-folded form used for uniqueness and look-ups.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// An e-mail address, trimmed; checked for one `@` with text on both sides and a dotted or
/// local domain. Deliverability is the mailer's business.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);
string_newtype!(Email);

impl Email {
    pub fn parse(s: &str) -> Result<Email, ParseError> {
        let s = s.trim();
        let valid = s.len() <= 320
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(s.split_once('@'), Some((l, d)) if !l.is_empty() && !d.is_empty() && !d.contains('@'));
        if valid {
            Ok(Email(s.to_string()))
        } else {
            Err(ParseError::new("email", format!("{s:?} is not an e-mail address")))
        }
    }

    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

macro_rules! keyword_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Result<$name, ParseError> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(ParseError::new($field, format!(
                        "{other:?} is not one of: {}",
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

keyword_enum!(
    /// Who may see a post.
    Visibility, "visibility", {
        Public = "public",
        Unlisted = "unlisted",
        Private = "private",
        Direct = "direct",
    }
);

keyword_enum!(
    /// Who may quote a post (Mastodon 4.5's `quote_approval_policy`): anyone, the author's
    /// followers, or nobody but the author.
    QuotePolicy, "quote_approval_policy", {
        Public = "public",
        Followers = "followers",
        Nobody = "nobody",
    }
);

keyword_enum!(
    /// A member's role on one instance. Roles never cross instances.
    Role, "role", {
        Owner = "owner",
        Admin = "admin",
        Moderator = "moderator",
        Member = "member",
    }
);

impl Role {
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Member)
    }
}

keyword_enum!(
    /// How people may join an instance.
    RegistrationMode, "registrations", {
        Open = "open",
        Approval = "approval",
        Invite = "invite",
        Closed = "closed",
    }
);

/// A host and each of its parent domains, most specific first: `a.b.example` gives
/// `a.b.example`, `b.example`, `example`. What domain blocks and rules are matched against.
pub fn domain_and_parents(host: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(host).filter(|h| !h.is_empty());
    std::iter::from_fn(move || {
        let current = next?;
        next = current.split_once('.').map(|(_, parent)| parent).filter(|p| !p.is_empty());
        Some(current)
    })
}

keyword_enum!(
    /// How far an instance's block of another server goes (Mastodon's domain block severity).
    BlockSeverity, "severity", {
        Noop = "noop",
        Silence = "silence",
        Suspend = "suspend",
    }
);

keyword_enum!(
    /// What a moderator does to an account (Mastodon's account action types).
    AccountAction, "type", {
        None = "none",
        Disable = "disable",
        Sensitive = "sensitive",
        Silence = "silence",
        Suspend = "suspend",
    }
);

keyword_enum!(
    /// What a report is about.
    ReportCategory, "category", {
        Spam = "spam",
        Legal = "legal",
        Violation = "violation",
        Other = "other",
    }
);

keyword_enum!(
    /// What an organization books from the provider, one by one.
    Service, "service", {
        Hosting = "hosting",
        Moderation = "moderation",
        Support = "support",
        Backups = "backups",
        Updates = "updates",
    }
);

keyword_enum!(
    /// A provider staff member's role: operators run everything; moderators work the
    /// moderation desk, support agents the support desk (both read organizations).
    StaffRole, "role", {
        Operator = "operator",
        Moderator = "moderator",
        Support = "support",
    }
);

keyword_enum!(
    /// What an organization's contact is there for.
    ContactRole, "role", {
        Admin = "admin",
        Billing = "billing",
        Technical = "technical",
        Abuse = "abuse",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents() {
        assert_eq!(
            domain_and_parents("a.b.example").collect::<Vec<_>>(),
            ["a.b.example", "b.example", "example"]
        );
        assert_eq!(domain_and_parents("").count(), 0);
    }

    #[test]
    fn domains() {
        for ok in ["org-a.test", "Org-A.Test.", "org-a.test:8080", "localhost", "127.0.0.1:80"] {
            assert!(Domain::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a..b", "-a.test", "a_b.test", "a.test:0", "a.test:99999", "a b", "a/b"] {
            assert!(Domain::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Domain::parse("Org-A.Test:8080").unwrap().host(), "org-a.test");
    }

    #[test]
    fn usernames() {
        for ok in ["alice", "Bob_1", "a.b", "x-y", "_"] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".a", "a.", "a b", "ä", &"a".repeat(31)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keywords() {
        assert_eq!(Visibility::parse("direct").unwrap(), Visibility::Direct);
        let e = Visibility::parse("secret").unwrap_err();
        assert!(e.message.contains("public, unlisted"), "{e}");
        assert!(Email::parse("a@b.test").is_ok());
        assert!(Email::parse("a@").is_err());
    }
}
