//! What the EU's Digital Services Act asks of each instance: a notice form for visitors
//! without an account (Art. 16) that opens a `legal` report and tells the sender the
//! decision; a statement of reasons for every restriction of a member's content or account
//! (Art. 17), shown to the member and exportable in the fields of the EU transparency
//! database; appeals open for six months ([`crate::moderation::APPEAL_WINDOW_MS`], Art. 20);
//! and a transparency report per period (Art. 15 and 24).

mod decided;
mod notice;
mod statement;
mod transparency;

pub(crate) use decided::decided;
pub use notice::{GROUNDS, NewNotice, lookup, submit};
pub use statement::{statement_of_reasons, statements_jsonl};
pub use transparency::{ActionCount, Count, Transparency, transparency};

const DAY: i64 = 86_400_000;

/// A report's period from `from` and `to` dates (`YYYY-MM-DD`, `to` included) as
/// `[from, to)` in epoch ms; by default the six months up to today.
pub fn period(from: Option<&str>, to: Option<&str>) -> crate::Result<(i64, i64)> {
    let day = |k: &str, v: Option<&str>| -> crate::Result<Option<i64>> {
        match v.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => herd_core::Timestamp::parse_date(v)
                .map(|t| Some(t.0))
                .ok_or_else(|| crate::AppError::Invalid(format!("Validation failed: {k} {v:?} is not a date (YYYY-MM-DD)"))),
        }
    };
    let to = day("to", to)?
        .map(|t| t + DAY)
        .unwrap_or_else(|| herd_core::Timestamp::now().day_start().0 + DAY);
    let from = day("from", from)?.unwrap_or(to - 183 * DAY);
    if from >= to {
        return Err(crate::AppError::Invalid("Validation failed: from must be before to".into()));
    }
    Ok((from, to))
}
