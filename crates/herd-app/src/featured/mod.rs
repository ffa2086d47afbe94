//! What an account features on its profile: hashtags and endorsed accounts.

mod endorse;
mod tags;

pub use endorse::{endorse, unendorse};
pub use tags::{feature_tag, unfeature_tag};
