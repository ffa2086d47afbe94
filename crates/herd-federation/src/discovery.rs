//! WebFinger (RFC 7033), host-meta (RFC 6415) and NodeInfo 2.0/2.1: how other servers and
//! clients find an instance's actors and learn what the instance is.

use serde::{Deserialize, Serialize};

/// A JSON Resource Descriptor, as WebFinger and NodeInfo discovery answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Jrd {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Link {
    pub rel: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

impl Link {
    pub fn href(rel: &str, kind: Option<&str>, href: String) -> Link {
        Link {
            rel: rel.into(),
            kind: kind.map(str::to_string),
            href: Some(href),
            template: None,
        }
    }
}

/// What a WebFinger `resource` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// `acct:user@domain` (the `acct:` prefix is optional, as Mastodon accepts).
    Acct { user: String, domain: String },
    /// An `http(s)://` URL, such as an actor's id or profile page.
    Url(String),
}

impl Resource {
    pub fn parse(s: &str) -> Option<Resource> {
        let s = s.trim();
        if s.starts_with("https://") || s.starts_with("http://") {
            return Some(Resource::Url(s.to_string()));
        }
        let acct = s.strip_prefix("acct:").unwrap_or(s);
        let acct = acct.strip_prefix('@').unwrap_or(acct);
        let (user, domain) = acct.rsplit_once('@')?;
        if user.is_empty() || domain.is_empty() || user.contains(['/', ' ', '@']) {
            return None;
        }
        Some(Resource::Acct {
            user: user.to_string(),
            domain: domain.to_ascii_lowercase(),
        })
    }
}

/// The WebFinger answer for an actor.
pub fn actor_jrd(subject: String, actor_id: &str, profile: &str, subscribe_template: String) -> Jrd {
    Jrd {
        subject: Some(subject),
        aliases: vec![profile.to_string(), actor_id.to_string()],
        links: vec![
            Link::href("http://webfinger.net/rel/profile-page", Some("text/html"), profile.to_string()),
            Link::href("self", Some("application/activity+json"), actor_id.to_string()),
            Link {
                rel: "http://ostatus.org/schema/1.0/subscribe".into(),
                kind: None,
                href: None,
                template: Some(subscribe_template),
            },
        ],
    }
}

/// host-meta in XML, pointing at WebFinger (`base` is `https://domain`).
pub fn host_meta(base: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{base}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n"
    )
}

/// `/.well-known/nodeinfo`: where the documents of each schema version are.
pub fn nodeinfo_links(base: &str) -> Jrd {
    Jrd {
        subject: None,
        aliases: vec![],
        links: ["2.0", "2.1"]
            .iter()
            .map(|v| {
                Link::href(
                    &format!("http://nodeinfo.diaspora.software/ns/schema/{v}"),
                    None,
                    format!("{base}/nodeinfo/{v}"),
                )
            })
            .collect(),
    }
}

/// A NodeInfo document, for schema 2.0 or 2.1.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    pub version: String,
    pub software: Software,
    pub protocols: Vec<String>,
    pub services: Services,
    pub usage: Usage,
    pub open_registrations: bool,
    pub metadata: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Software {
    pub name: String,
    pub version: String,
    /// 2.1 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// 2.1 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Services {
    pub inbound: Vec<String>,
    pub outbound: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub users: Users,
    pub local_posts: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Users {
    pub total: i64,
    pub active_month: i64,
    pub active_halfyear: i64,
}

/// What NodeInfo says about one instance.
pub struct NodeFacts<'a> {
    pub herd_version: &'a str,
    /// The Mastodon version whose API Herd offers.
    pub mastodon_version: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub open_registrations: bool,
    pub usage: Usage,
}

/// NodeInfo `schema` ("2.0" or "2.1"). It names Herd and declares the Mastodon API it offers
/// (`metadata.upstream`), which clients such as megalodon use to pick their dialect.
pub fn nodeinfo(schema: &str, f: NodeFacts<'_>) -> NodeInfo {
    NodeInfo {
        version: schema.to_string(),
        software: Software {
            name: "herd".into(),
            version: f.herd_version.to_string(),
            // 2.1 may name a repository and homepage; Herd has no public address for either yet.
            repository: None,
            homepage: None,
        },
        protocols: vec!["activitypub".into()],
        services: Services::default(),
        usage: f.usage,
        open_registrations: f.open_registrations,
        metadata: serde_json::json!({
            "nodeName": f.name,
            "nodeDescription": f.description,
            "upstream": {"name": "mastodon", "version": f.mastodon_version},
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources() {
        let acct = |u: &str, d: &str| {
            Some(Resource::Acct {
                user: u.into(),
                domain: d.into(),
            })
        };
        assert_eq!(Resource::parse("acct:alice@Org-A.test"), acct("alice", "org-a.test"));
        assert_eq!(Resource::parse("alice@org-a.test:8080"), acct("alice", "org-a.test:8080"));
        assert_eq!(Resource::parse("@alice@org-a.test"), acct("alice", "org-a.test"));
        assert_eq!(
            Resource::parse("https://org-a.test/users/alice"),
            Some(Resource::Url("https://org-a.test/users/alice".into()))
        );
        for bad in ["", "acct:", "alice", "acct:@org-a.test", "acct:alice@", "a/b@c"] {
            assert_eq!(Resource::parse(bad), None, "{bad}");
        }
    }
}
