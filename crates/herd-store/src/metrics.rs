//! Counts per day of what an instance's dashboard shows (Mastodon's admin measures): new and
//! active users, interactions with local posts, reports opened and resolved, a hashtag's
//! use, another server's activity here. Each measure is one `FROM ... WHERE` over the
//! tenant's rows, an instant column and what is counted.

use crate::sql::Arg;
use crate::{Conn, Result, TenantId};

const DAY: i64 = 86_400_000;

/// One measure, as Mastodon names it; some take a hashtag id or a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    NewUsers,
    ActiveUsers,
    Interactions,
    OpenedReports,
    ResolvedReports,
    TagAccounts(i64),
    TagUses(i64),
    TagServers(i64),
    InstanceAccounts(String),
    InstanceStatuses(String),
    InstanceFollows(String),
    InstanceFollowers(String),
    InstanceReports(String),
}

struct Source {
    /// `FROM ... WHERE ...` over one tenant's rows (its `?`s bound by `binds`).
    from: String,
    binds: Vec<Arg>,
    /// The instant each row counts at.
    at: &'static str,
    /// What is counted distinctly (`None`: rows).
    distinct: Option<&'static str>,
}

fn local_acts(t: TenantId) -> Source {
    Source {
        from: "(SELECT s.account_id AS who, s.created_at AS at FROM statuses s JOIN accounts a ON a.tenant_id = s.tenant_id \
               AND a.id = s.account_id WHERE s.tenant_id = ? AND a.domain = '' \
               UNION ALL SELECT f.account_id AS who, f.created_at AS at FROM favourites f JOIN accounts a ON a.tenant_id = f.tenant_id \
               AND a.id = f.account_id WHERE f.tenant_id = ? AND a.domain = '') x WHERE 1 = 1"
            .into(),
        binds: vec![Arg::I(t.0), Arg::I(t.0)],
        at: "x.at",
        distinct: Some("x.who"),
    }
}

fn source(t: TenantId, m: &Measure) -> Source {
    let tenant = || Arg::I(t.0);
    let of_domain = |d: &str| Arg::S(d.to_ascii_lowercase());
    match m {
        Measure::NewUsers => Source {
            from: "users x WHERE x.tenant_id = ?".into(),
            binds: vec![tenant()],
            at: "x.created_at",
            distinct: None,
        },
        Measure::ActiveUsers => local_acts(t),
        Measure::Interactions => Source {
            from: "(SELECT f.created_at AS at FROM favourites f JOIN statuses s ON s.tenant_id = f.tenant_id AND s.id = f.status_id \
                   JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id WHERE f.tenant_id = ? AND a.domain = '' \
                   UNION ALL SELECT r.created_at AS at FROM statuses r JOIN statuses s ON s.tenant_id = r.tenant_id AND s.id = r.reblog_of_id \
                   JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id WHERE r.tenant_id = ? AND a.domain = '' \
                   UNION ALL SELECT r.created_at AS at FROM statuses r JOIN statuses s ON s.tenant_id = r.tenant_id AND s.id = r.in_reply_to_id \
                   JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id WHERE r.tenant_id = ? AND a.domain = '') x WHERE 1 = 1"
                .into(),
            binds: vec![tenant(), tenant(), tenant()],
            at: "x.at",
            distinct: None,
        },
        Measure::OpenedReports => Source {
            from: "reports x WHERE x.tenant_id = ?".into(),
            binds: vec![tenant()],
            at: "x.created_at",
            distinct: None,
        },
        Measure::ResolvedReports => Source {
            from: "reports x WHERE x.tenant_id = ? AND x.action_taken_at IS NOT NULL".into(),
            binds: vec![tenant()],
            at: "x.action_taken_at",
            distinct: None,
        },
        Measure::TagAccounts(tag) | Measure::TagUses(tag) | Measure::TagServers(tag) => Source {
            from: "status_tags st JOIN statuses s ON s.tenant_id = st.tenant_id AND s.id = st.status_id \
                   JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id WHERE st.tenant_id = ? AND st.tag_id = ?"
                .into(),
            binds: vec![tenant(), Arg::I(*tag)],
            at: "s.created_at",
            distinct: match m {
                Measure::TagAccounts(_) => Some("s.account_id"),
                Measure::TagServers(_) => Some("a.domain"),
                _ => None,
            },
        },
        Measure::InstanceAccounts(d) => Source {
            from: "accounts x WHERE x.tenant_id = ? AND x.domain = ?".into(),
            binds: vec![tenant(), of_domain(d)],
            at: "x.created_at",
            distinct: None,
        },
        Measure::InstanceStatuses(d) => Source {
            from: "statuses s JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id WHERE s.tenant_id = ? AND a.domain = ?".into(),
            binds: vec![tenant(), of_domain(d)],
            at: "s.created_at",
            distinct: None,
        },
        Measure::InstanceFollows(d) => Source {
            from: "follows f JOIN accounts a ON a.tenant_id = f.tenant_id AND a.id = f.account_id WHERE f.tenant_id = ? AND a.domain = ?".into(),
            binds: vec![tenant(), of_domain(d)],
            at: "f.created_at",
            distinct: None,
        },
        Measure::InstanceFollowers(d) => Source {
            from: "follows f JOIN accounts a ON a.tenant_id = f.tenant_id AND a.id = f.target_account_id WHERE f.tenant_id = ? AND a.domain = ?"
                .into(),
            binds: vec![tenant(), of_domain(d)],
            at: "f.created_at",
            distinct: None,
        },
        Measure::InstanceReports(d) => Source {
            from: "reports r JOIN accounts a ON a.tenant_id = r.tenant_id AND a.id = r.target_account_id WHERE r.tenant_id = ? AND a.domain = ?"
                .into(),
            binds: vec![tenant(), of_domain(d)],
            at: "r.created_at",
            distinct: None,
        },
    }
}

/// A measure over `[from, to)` (epoch ms): its value on each day with any (epoch days) and
/// its total over the range (distinct over the whole range where the measure counts
/// distinctly).
pub async fn measure(c: &mut Conn, t: TenantId, m: &Measure, from: i64, to: i64) -> Result<(Vec<(i64, i64)>, i64)> {
    let s = source(t, m);
    let what = match s.distinct {
        Some(d) => format!("COUNT(DISTINCT {d})"),
        None => "COUNT(*)".into(),
    };
    let at = s.at;
    let by_day = format!(
        "SELECT ({at} / {DAY}) AS day, {what} FROM {} AND {at} >= ? AND {at} < ? GROUP BY ({at} / {DAY})",
        s.from
    );
    let mut q = c.qa::<(i64, i64)>(&by_day);
    for b in &s.binds {
        q = match b {
            Arg::I(i) => q.bind(*i),
            Arg::S(v) => q.bind(v.clone()),
        };
    }
    let days = q.bind(from).bind(to).fetch_all(c.ex()).await?;
    let total_sql = format!("SELECT {what} FROM {} AND {at} >= ? AND {at} < ?", s.from);
    let mut q = c.qs::<i64>(&total_sql);
    for b in &s.binds {
        q = match b {
            Arg::I(i) => q.bind(*i),
            Arg::S(v) => q.bind(v.clone()),
        };
    }
    let total = q.bind(from).bind(to).fetch_one(c.ex()).await?;
    Ok((days, total))
}
