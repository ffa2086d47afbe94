//! Herd's vocabulary: ids, timestamps, validated newtypes and the rules that need no I/O.
//!
//! **`herd-core` knows nothing about HTTP, SQL or files.** Everything here is pure so that the
//! other layers can rely on a value being valid once it has been parsed.

pub mod content;
pub mod id;
pub mod names;
pub mod net;
pub mod permission;
pub mod scope;
pub mod secret;
pub mod service;
pub mod time;

pub use id::Id;
pub use names::{
    AccountAction, BlockSeverity, ContactRole, Domain, Email, QuotePolicy, RegistrationMode, ReportCategory, Role, Service, StaffRole,
    Username, Visibility,
};
pub use net::Cidr;
pub use permission::Permission;
pub use scope::{Scope, Scopes};
pub use service::{Coverage, Terms};
pub use time::Timestamp;

/// A value from outside did not have the expected shape. The message names the problem in words
/// a user can act on; `field` names the parameter it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParseError {
    pub field: &'static str,
    pub message: String,
}

impl ParseError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
