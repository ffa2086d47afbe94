//! The `herd` binary's library half: configuration, wiring of services at start-up, the
//! server's lifecycle, the operator commands and the benchmarks. Integration tests start the
//! server through [`server::start`] exactly as `herd serve` does.

pub mod backup;
pub mod bench;
pub mod commands;
pub mod config;
pub mod moderation;
pub mod provider;
pub mod server;

pub use config::Config;
