//! OAuth 2 as Mastodon speaks it: apps, authorization codes (with PKCE S256), the password and
//! client-credentials grants, token authentication and revocation.

pub(crate) mod authenticate;
mod authorize;
mod create_app;
mod issue_token;
pub mod password;
mod revoke;
pub(crate) mod two_step;
mod web_session;

pub use authenticate::authenticate;
pub use authorize::{Authorization, authorize, check_client};
pub use create_app::{NewApp, create_app};
pub use issue_token::{Grant, IssuedToken, app_of, issue_after_signup, issue_for_cli, issue_token};
pub use revoke::revoke;
pub use two_step::{FirstFactor, SignedIn, TICKET_MS, attempts_key, code_step, hand_over, password_step, take_over};
pub use web_session::{SESSION_MS, close_session, open_session, session};

/// The redirect URI that shows the code instead of redirecting.
pub const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";
