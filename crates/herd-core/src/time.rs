//! Instants as milliseconds since the Unix epoch (the form both databases store), rendered the
//! way Mastodon's API does: `2024-05-01T12:00:00.000Z`.

use chrono::{DateTime, SecondsFormat, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Timestamp {
        Timestamp(Utc::now().timestamp_millis())
    }

    pub fn plus_secs(self, secs: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(secs.saturating_mul(1000)))
    }

    pub fn to_rfc3339(self) -> String {
        DateTime::<Utc>::from_timestamp_millis(self.0)
            .unwrap_or_default()
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Mastodon gives some dates (last_status_at) as a day only.
    pub fn to_date(self) -> String {
        DateTime::<Utc>::from_timestamp_millis(self.0)
            .unwrap_or_default()
            .format("%Y-%m-%d")
            .to_string()
    }

    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        DateTime::parse_from_rfc3339(s).ok().map(|d| Timestamp(d.timestamp_millis()))
    }

    /// An ISO 8601 date and time as clients send it: RFC 3339, an offset without a colon
    /// (`+0000`, as Python's `%z` writes it), or no offset at all (read as UTC).
    pub fn parse_iso8601(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        Timestamp::parse_rfc3339(s)
            .or_else(|| {
                DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
                    .ok()
                    .map(|d| Timestamp(d.timestamp_millis()))
            })
            .or_else(|| {
                chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                    .ok()
                    .map(|d| Timestamp(d.and_utc().timestamp_millis()))
            })
    }

    /// A calendar date (`2026-12-01`) as the start of that UTC day.
    pub fn parse_date(s: &str) -> Option<Timestamp> {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| Timestamp(d.and_utc().timestamp_millis()))
    }

    /// Start of the UTC day this instant falls in.
    pub fn day_start(self) -> Timestamp {
        Timestamp(self.0 - self.0.rem_euclid(86_400_000))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_as_clients_send_it() {
        let want = Some(Timestamp(1_796_130_000_000));
        for s in [
            "2026-12-01T13:00:00Z",
            "2026-12-01T13:00:00.000Z",
            "2026-12-01T14:00:00+01:00",
            "2026-12-01T13:00:00.000000+0000",
            "2026-12-01T13:00:00",
        ] {
            assert_eq!(Timestamp::parse_iso8601(s), want, "{s}");
        }
        for s in ["", "tomorrow", "2026-13-01T00:00:00Z", "2026-12-01"] {
            assert_eq!(Timestamp::parse_iso8601(s), None, "{s}");
        }
    }

    #[test]
    fn renders_like_mastodon() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp(86_400_000 + 5).to_date(), "1970-01-02");
        assert_eq!(Timestamp::parse_rfc3339("1970-01-01T00:00:01.000Z"), Some(Timestamp(1000)));
    }
}
