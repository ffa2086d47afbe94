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
