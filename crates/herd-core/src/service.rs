//! The terms of a booked service: response-time targets, coverage hours in a time zone,
//! backup frequency and retention, quotas, and what happens when hosting ends. A plan in the
//! operator's catalog carries terms; a booking may override each of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{ParseError, Service};

/// How long an instance stays read-only after its hosting booking ended, unless the terms
/// say otherwise; then it is suspended (its data kept).
pub const DEFAULT_GRACE_DAYS: i64 = 30;

/// Terms of a service, each optional (a booking's terms fall back to its plan's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    /// Moderation and support: the time within which a report or ticket is answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_minutes: Option<i64>,
    /// Moderation and support: when the provider's staff work on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Backups: how often one is taken, and how many are kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_every_hours: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_keep: Option<i64>,
    /// Hosting: the most local accounts and the most bytes of members' uploads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_accounts: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_storage_bytes: Option<i64>,
    /// Hosting: days the instance stays read-only after the booking ended, before it is
    /// suspended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_days: Option<i64>,
}

impl Terms {
    /// Terms stored as JSON (a plan's or a booking's).
    pub fn from_json(s: &str) -> Result<Terms, ParseError> {
        serde_json::from_str(s).map_err(|e| ParseError::new("terms", e.to_string()))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// These terms, with each one `over` sets taking its place.
    pub fn overlaid(&self, over: &Terms) -> Terms {
        Terms {
            response_minutes: over.response_minutes.or(self.response_minutes),
            coverage: over.coverage.clone().or_else(|| self.coverage.clone()),
            backup_every_hours: over.backup_every_hours.or(self.backup_every_hours),
            backup_keep: over.backup_keep.or(self.backup_keep),
            max_accounts: over.max_accounts.or(self.max_accounts),
            max_storage_bytes: over.max_storage_bytes.or(self.max_storage_bytes),
            grace_days: over.grace_days.or(self.grace_days),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Terms::default()
    }

    /// Refuses terms that do not belong to `service` (a quota on support, say) and numbers
    /// out of range.
    pub fn check_for(&self, service: Service) -> Result<(), ParseError> {
        let allowed: &[&str] = match service {
            Service::Hosting => &["max_accounts", "max_storage_bytes", "grace_days"],
            Service::Moderation | Service::Support => &["response_minutes", "coverage"],
            Service::Backups => &["backup_every_hours", "backup_keep"],
            Service::Updates => &[],
        };
        let set = [
            ("response_minutes", self.response_minutes, 1),
            ("backup_every_hours", self.backup_every_hours, 1),
            ("backup_keep", self.backup_keep, 1),
            ("max_accounts", self.max_accounts, 0),
            ("max_storage_bytes", self.max_storage_bytes, 0),
            ("grace_days", self.grace_days, 0),
        ];
        for (name, value, min) in set {
            let Some(v) = value else { continue };
            if !allowed.contains(&name) {
                return Err(ParseError::new("terms", format!("{name} is not a term of {service}")));
            }
            if v < min {
                return Err(ParseError::new("terms", format!("{name} must be at least {min}")));
            }
        }
        if self.coverage.is_some() && !allowed.contains(&"coverage") {
            return Err(ParseError::new("terms", format!("coverage is not a term of {service}")));
        }
        Ok(())
    }
}

/// When a service is staffed: around the clock, or on some weekdays between two times of
/// day in a time zone. Written `24/7` or `mon-fri 09:00-17:00 Europe/Berlin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    Always,
    Hours {
        /// First and last weekday, Monday = 0.
        days: (u8, u8),
        /// Minutes after midnight: from (inclusive) and to (exclusive).
        from: u16,
        to: u16,
        time_zone: String,
    },
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn minutes(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

impl FromStr for Coverage {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Coverage, ParseError> {
        let s = s.trim();
        if s == "24/7" {
            return Ok(Coverage::Always);
        }
        let bad = || {
            ParseError::new(
                "coverage",
                format!("{s:?} is not \"24/7\" or like \"mon-fri 09:00-17:00 Europe/Berlin\""),
            )
        };
        let mut parts = s.split_whitespace();
        let (days, hours, zone) = (
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
            parts.next().ok_or_else(bad)?,
        );
        if parts.next().is_some() {
            return Err(bad());
        }
        let day = |d: &str| WEEKDAYS.iter().position(|w| w.eq_ignore_ascii_case(d)).map(|p| p as u8);
        let days = match days.split_once('-') {
            Some((a, b)) => (day(a).ok_or_else(bad)?, day(b).ok_or_else(bad)?),
            None => {
                let d = day(days).ok_or_else(bad)?;
                (d, d)
            }
        };
        let (from, to) = hours.split_once('-').ok_or_else(bad)?;
        let (from, to) = (minutes(from).ok_or_else(bad)?, minutes(to).ok_or_else(bad)?);
        if from >= to {
            return Err(ParseError::new("coverage", format!("{hours:?}: the end must come after the start")));
        }
        if jiff::tz::TimeZone::get(zone).is_err() {
            return Err(ParseError::new("coverage", format!("{zone:?} is not a known time zone")));
        }
        Ok(Coverage::Hours {
            days,
            from,
            to,
            time_zone: zone.to_string(),
        })
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Coverage::Always => f.write_str("24/7"),
            Coverage::Hours { days, from, to, time_zone } => {
                let (a, b) = (WEEKDAYS[days.0 as usize % 7], WEEKDAYS[days.1 as usize % 7]);
                if a == b {
                    f.write_str(a)?;
                } else {
                    write!(f, "{a}-{b}")?;
                }
                write!(f, " {:02}:{:02}-{:02}:{:02} {time_zone}", from / 60, from % 60, to / 60, to % 60)
            }
        }
    }
}

impl Coverage {
    /// Whether the service is staffed at `at` (epoch milliseconds).
    pub fn covers(&self, at: i64) -> bool {
        match self {
            Coverage::Always => true,
            Coverage::Hours { days, from, to, time_zone } => {
                let Ok(tz) = jiff::tz::TimeZone::get(time_zone) else {
                    return false;
                };
                let Ok(ts) = jiff::Timestamp::from_millisecond(at) else {
                    return false;
                };
                let local = ts.to_zoned(tz);
                let weekday = local.weekday().to_monday_zero_offset() as u8;
                let in_days = if days.0 <= days.1 {
                    (days.0..=days.1).contains(&weekday)
                } else {
                    weekday >= days.0 || weekday <= days.1
                };
                let minute = local.hour() as u16 * 60 + local.minute() as u16;
                in_days && (*from..*to).contains(&minute)
            }
        }
    }
}

impl Serialize for Coverage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Coverage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Coverage, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A span written `30m`, `4h` or `2d`, in minutes.
pub fn parse_minutes(s: &str) -> Result<i64, ParseError> {
    let s = s.trim();
    let bad = || ParseError::new("duration", format!("{s:?} is not a span like 30m, 4h or 2d"));
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = n.parse().map_err(|_| bad())?;
    let per = match unit {
        "m" | "min" => 1,
        "h" => 60,
        "d" => 24 * 60,
        _ => return Err(bad()),
    };
    n.checked_mul(per).filter(|m| *m > 0).ok_or_else(bad)
}

/// A size written `500MB`, `10GiB` or in bytes.
pub fn parse_bytes(s: &str) -> Result<i64, ParseError> {
    let s = s.trim();
    let bad = || ParseError::new("size", format!("{s:?} is not a size like 500MB, 10GiB or 1048576"));
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad())?;
    let per: i64 = match unit.trim() {
        "" | "B" => 1,
        "kB" | "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        _ => return Err(bad()),
    };
    n.checked_mul(per).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_reads_and_writes_its_text() {
        for s in [
            "24/7",
            "mon-fri 09:00-17:00 Europe/Berlin",
            "sat 10:00-14:30 UTC",
            "fri-mon 18:00-24:00 UTC",
        ] {
            assert_eq!(s.parse::<Coverage>().expect(s).to_string(), s);
        }
        for s in [
            "",
            "always",
            "mon-fri 9-5 Europe/Berlin",
            "mon-fri 17:00-09:00 UTC",
            "mon-fri 09:00-17:00 Mars/Olympus",
        ] {
            assert!(s.parse::<Coverage>().is_err(), "{s}");
        }
    }

    #[test]
    fn business_hours_follow_the_time_zone() {
        let c: Coverage = "mon-fri 09:00-17:00 Europe/Berlin".parse().expect("coverage");
        // Monday 2026-12-07 07:59 UTC is 08:59 in Berlin (CET), 08:00 UTC is 09:00.
        let monday_0800_utc = 1_796_601_600_000 + 8 * 3_600_000;
        assert!(!c.covers(monday_0800_utc - 60_000));
        assert!(c.covers(monday_0800_utc));
        assert!(c.covers(monday_0800_utc + 8 * 3_600_000 - 60_000), "16:59 Berlin");
        assert!(!c.covers(monday_0800_utc + 8 * 3_600_000), "17:00 Berlin");
        // Saturday.
        assert!(!c.covers(monday_0800_utc + 5 * 86_400_000 + 3_600_000));
        assert!(Coverage::Always.covers(0));
    }

    #[test]
    fn terms_overlay_and_belong_to_their_service() {
        let plan = Terms {
            response_minutes: Some(240),
            coverage: Some(Coverage::Always),
            ..Terms::default()
        };
        let over = Terms {
            response_minutes: Some(60),
            ..Terms::default()
        };
        let t = plan.overlaid(&over);
        assert_eq!(t.response_minutes, Some(60));
        assert_eq!(t.coverage, Some(Coverage::Always));
        assert!(t.check_for(Service::Moderation).is_ok());
        assert!(t.check_for(Service::Hosting).is_err());
        let json = t.to_json();
        assert_eq!(Terms::from_json(&json).expect("json"), t);
        assert!(Terms::from_json(r#"{"max_acounts": 3}"#).is_err(), "a misspelt term is refused");
    }

    #[test]
    fn spans_and_sizes() {
        assert_eq!(parse_minutes("4h"), Ok(240));
        assert_eq!(parse_minutes("30m"), Ok(30));
        assert_eq!(parse_minutes("2d"), Ok(2880));
        assert!(parse_minutes("4").is_err());
        assert!(parse_minutes("0h").is_err());
        assert_eq!(parse_bytes("10GiB"), Ok(10 << 30));
        assert_eq!(parse_bytes("500MB"), Ok(500_000_000));
        assert_eq!(parse_bytes("1024"), Ok(1024));
        assert!(parse_bytes("ten").is_err());
    }
}
