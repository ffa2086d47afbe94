//! Benchmarks (filled in below).
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {}

pub async fn run(command: BenchCommand, _cfg: &crate::Config) -> anyhow::Result<()> {
    match command {}
}
