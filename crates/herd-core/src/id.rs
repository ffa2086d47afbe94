//! Ids that sort by creation time, like Mastodon's: milliseconds since the epoch in the high
//! 48 bits, 16 bits that keep ids made in the same millisecond apart. Clients see them as
//! decimal strings and paginate on them.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{ParseError, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub i64);

/// The last id this process handed out; ids are strictly increasing within a process.
static LAST: AtomicU64 = AtomicU64::new(0);

impl Id {
    /// A new id for a row created now. The low 16 bits start at a random offset each
    /// millisecond so that two processes sharing a database (the CLI beside `herd serve`)
    /// rarely meet, and a unique key catches it when they do.
    pub fn generate() -> Id {
        Self::generate_at(Timestamp::now())
    }

    pub fn generate_at(at: Timestamp) -> Id {
        let floor = (at.0.max(0) as u64) << 16;
        loop {
            let last = LAST.load(Ordering::Relaxed);
            let next = if last >= floor {
                last + 1
            } else {
                floor | (rand::random::<u16>() as u64 & 0x7fff)
            };
            if LAST.compare_exchange(last, next, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
                return Id(next as i64);
            }
        }
    }

    /// The smallest id that could have been made at `at`: the bound for "newer than".
    pub fn floor_of(at: Timestamp) -> Id {
        Id(at.0.max(0) << 16)
    }

    pub fn timestamp(self) -> Timestamp {
        Timestamp(self.0 >> 16)
    }

    pub fn parse(field: &'static str, s: &str) -> Result<Id, ParseError> {
        s.trim()
            .parse::<i64>()
            .ok()
            .filter(|v| *v > 0)
            .map(Id)
            .ok_or_else(|| ParseError::new(field, "is not a valid id"))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Id {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Id::parse("id", s)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            N(i64),
        }
        match Raw::deserialize(d)? {
            Raw::S(s) => Id::parse("id", &s).map_err(serde::de::Error::custom),
            Raw::N(n) if n > 0 => Ok(Id(n)),
            Raw::N(_) => Err(serde::de::Error::custom("id must be positive")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_carry_their_time() {
        let t = Timestamp(1_700_000_000_000);
        let a = Id::generate_at(t);
        let b = Id::generate_at(t);
        assert!(b > a);
        assert_eq!(a.timestamp(), t);
        assert!(Id::floor_of(t) <= a);
        assert_eq!(a.to_string().parse::<Id>().unwrap(), a);
        assert!("-3".parse::<Id>().is_err());
        assert!("abc".parse::<Id>().is_err());
    }
}
