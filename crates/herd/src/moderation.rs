//! `herd moderation ...`: an operator's moderation of one instance from the command line,
//! through the same verbs the admin API uses (acting as the operator, with every permission,
//! and audited as `operator:cli`).

use std::path::PathBuf;

use clap::Subcommand;
use herd_app::moderation::{ActionParams, Moderator};
use herd_app::{App, Tenant};
use herd_core::{AccountAction, BlockSeverity};
use herd_store::reports::ReportFilter;

#[derive(Subcommand)]
pub enum ModerationCommand {
    /// The report queue.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Act on an account.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// The instance's blocks of other servers.
    Blocks {
        #[command(subcommand)]
        command: BlocksCommand,
    },
    /// Blocklists the instance subscribes to.
    Subscriptions {
        #[command(subcommand)]
        command: SubscriptionsCommand,
    },
    /// The DSA transparency report of a period (JSON, or CSV), or with `--statements` the
    /// statements of reasons as JSON lines.
    Transparency {
        #[arg(long)]
        tenant: String,
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// Last day, included (YYYY-MM-DD).
        #[arg(long)]
        to: String,
        #[arg(long, default_value = "json")]
        format: String,
        #[arg(long)]
        statements: bool,
    },
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Open reports (or resolved ones), newest first: id, category, target, reporter, comment.
    List {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        resolved: bool,
    },
    /// One report in full, as JSON.
    Show {
        #[arg(long)]
        tenant: String,
        id: String,
    },
    /// Mark a report resolved.
    Resolve {
        #[arg(long)]
        tenant: String,
        id: String,
    },
}

#[derive(Subcommand)]
pub enum AccountCommand {
    /// none (a warning), sensitive, disable, silence or suspend, with a strike.
    Action {
        #[arg(long)]
        tenant: String,
        /// `alice` for a local account, `bob@example.org` for a remote one.
        account: String,
        #[arg(long = "type")]
        kind: String,
        /// What the member is told.
        #[arg(long, default_value = "")]
        text: String,
        /// The report it answers.
        #[arg(long)]
        report: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum BlocksCommand {
    /// Every block: domain, severity, reject_media, reject_reports, source.
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Block a server.
    Add {
        #[arg(long)]
        tenant: String,
        domain: String,
        #[arg(long, default_value = "suspend")]
        severity: String,
        #[arg(long)]
        reject_media: bool,
        #[arg(long)]
        reject_reports: bool,
        #[arg(long)]
        public_comment: Option<String>,
        #[arg(long)]
        private_comment: Option<String>,
        #[arg(long)]
        obfuscate: bool,
    },
    /// Lift a block.
    Remove {
        #[arg(long)]
        tenant: String,
        domain: String,
    },
    /// Import Mastodon's domain-block CSV as the instance's own blocks.
    Import {
        #[arg(long)]
        tenant: String,
        file: PathBuf,
    },
    /// Export the blocks as Mastodon's domain-block CSV (`-` for stdout).
    Export {
        #[arg(long)]
        tenant: String,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum SubscriptionsCommand {
    /// Subscribe to a list; it is read at once and then every `--every` seconds.
    Add {
        #[arg(long)]
        tenant: String,
        url: String,
        /// csv (Mastodon's domain-block export) or fires.
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long, default_value_t = 21_600)]
        every: i64,
    },
    /// The subscriptions: id, format, url, last sync, last error.
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Read a list now.
    Sync {
        #[arg(long)]
        tenant: String,
        id: String,
    },
    /// End a subscription; the blocks only it made are lifted.
    Remove {
        #[arg(long)]
        tenant: String,
        id: String,
    },
}

fn id(s: &str) -> anyhow::Result<i64> {
    s.parse().map_err(|_| anyhow::anyhow!("{s:?} is not an id"))
}

async fn tenant(app: &App, domain: &str) -> anyhow::Result<Tenant> {
    Ok(herd_app::tenants::by_domain(app, domain).await?)
}

pub async fn run(app: &App, command: ModerationCommand) -> anyhow::Result<()> {
    let op = Moderator::operator();
    match command {
        ModerationCommand::Report { command } => match command {
            ReportCommand::List { tenant: d, resolved } => {
                let t = tenant(app, &d).await?;
                let mut c = app.db.conn().await?;
                let f = ReportFilter {
                    resolved,
                    ..ReportFilter::default()
                };
                let page = herd_store::Page {
                    limit: 200,
                    ..herd_store::Page::default()
                };
                let rows = herd_store::reports::list(&mut c, t.id, &f, &page).await?;
                let ids: Vec<i64> = rows.iter().flat_map(|r| [r.account_id, r.target_account_id]).collect();
                let accounts = herd_store::accounts::by_ids(&mut c, t.id, &ids).await?;
                let name = |id: i64| accounts.iter().find(|a| a.id == id).map(handle).unwrap_or_default();
                for r in rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        r.id,
                        r.category,
                        name(r.target_account_id),
                        name(r.account_id),
                        r.comment.replace('\n', " ")
                    );
                }
            }
            ReportCommand::Show { tenant: d, id: rid } => {
                let t = tenant(app, &d).await?;
                let mut c = app.db.conn().await?;
                let r = herd_store::reports::by_id(&mut c, t.id, id(&rid)?)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no report {rid} on {d}"))?;
                let target = herd_store::accounts::by_id(&mut c, t.id, r.target_account_id).await?;
                let notes = herd_store::moderation::notes(&mut c, t.id, herd_store::moderation::Subject::Report(r.id)).await?;
                let out = serde_json::json!({
                    "id": r.id.to_string(), "category": r.category, "comment": r.comment, "origin": r.origin,
                    "target": handle(&target), "status_ids": serde_json::from_str::<serde_json::Value>(&r.status_ids).unwrap_or_default(),
                    "resolved": r.action_taken_at.is_some(), "assigned_account_id": r.assigned_account_id.map(|a| a.to_string()),
                    "notes": notes.iter().map(|n| n.content.clone()).collect::<Vec<_>>(),
                    "created_at": herd_core::Timestamp(r.created_at).to_rfc3339(),
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            }
            ReportCommand::Resolve { tenant: d, id: rid } => {
                let t = tenant(app, &d).await?;
                herd_app::moderation::resolve(app, &op, &t, id(&rid)?, true).await?;
                eprintln!("Report {rid} resolved.");
            }
        },
        ModerationCommand::Account {
            command:
                AccountCommand::Action {
                    tenant: d,
                    account,
                    kind,
                    text,
                    report,
                },
        } => {
            let t = tenant(app, &d).await?;
            let (user, domain) = account
                .trim_start_matches('@')
                .split_once('@')
                .unwrap_or((account.trim_start_matches('@'), ""));
            let mut c = app.db.conn().await?;
            let target = herd_store::accounts::by_username(&mut c, t.id, user, &domain.to_ascii_lowercase())
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account {account:?} on {d}"))?;
            drop(c);
            let p = ActionParams {
                kind: AccountAction::parse(&kind)?,
                report_id: report.as_deref().map(id).transpose()?,
                text,
                notify: true,
            };
            let strike = herd_app::moderation::act(app, &op, &t, target.id, p).await?;
            eprintln!("{kind} applied to {account} (strike {strike}).");
        }
        ModerationCommand::Blocks { command } => blocks(app, &op, command).await?,
        ModerationCommand::Transparency {
            tenant: d,
            from,
            to,
            format,
            statements,
        } => {
            let t = tenant(app, &d).await?;
            let (from, to) = herd_app::dsa::period(Some(&from), Some(&to))?;
            if statements {
                print!("{}", herd_app::dsa::statements_jsonl(app, &t, from, to).await?);
            } else {
                let r = herd_app::dsa::transparency(app, &t, from, to).await?;
                match format.as_str() {
                    "json" => println!("{}", serde_json::to_string_pretty(&r)?),
                    "csv" => print!("{}", r.to_csv()),
                    other => anyhow::bail!("--format {other:?} is not json or csv"),
                }
            }
        }
        ModerationCommand::Subscriptions { command } => subscriptions(app, &op, command).await?,
    }
    Ok(())
}

fn handle(a: &herd_store::accounts::AccountRow) -> String {
    if a.domain.is_empty() {
        a.username.clone()
    } else {
        format!("{}@{}", a.username, a.domain)
    }
}

async fn blocks(app: &App, op: &Moderator, command: BlocksCommand) -> anyhow::Result<()> {
    let actor = op.actor();
    match command {
        BlocksCommand::List { tenant: d } => {
            let t = tenant(app, &d).await?;
            let mut c = app.db.conn().await?;
            for b in herd_store::federation_policy::all_blocks(&mut c, t.id).await? {
                let source = b
                    .subscription_id
                    .map(|s| format!("subscription:{s}"))
                    .unwrap_or_else(|| "moderator".into());
                println!(
                    "{}\t{}\t{}\t{}\t{source}",
                    b.domain,
                    b.severity,
                    b.reject_media != 0,
                    b.reject_reports != 0
                );
            }
        }
        BlocksCommand::Add {
            tenant: d,
            domain,
            severity,
            reject_media,
            reject_reports,
            public_comment,
            private_comment,
            obfuscate,
        } => {
            let t = tenant(app, &d).await?;
            let p = herd_app::federation_policy::BlockParams {
                severity: BlockSeverity::parse(&severity)?,
                reject_media,
                reject_reports,
                private_comment,
                public_comment,
                obfuscate,
            };
            let b = herd_app::federation_policy::create(app, &actor, &t, &domain, p).await?;
            eprintln!("{} blocked on {d} ({}).", b.domain, b.severity);
        }
        BlocksCommand::Remove { tenant: d, domain } => {
            let t = tenant(app, &d).await?;
            let mut c = app.db.conn().await?;
            let b = herd_store::federation_policy::block_by_domain(&mut c, t.id, &domain.to_ascii_lowercase())
                .await?
                .ok_or_else(|| anyhow::anyhow!("{domain} is not blocked on {d}"))?;
            drop(c);
            herd_app::federation_policy::remove(app, &actor, &t, b.id).await?;
            eprintln!("The block of {domain} on {d} is lifted.");
        }
        BlocksCommand::Import { tenant: d, file } => {
            let t = tenant(app, &d).await?;
            let text = std::fs::read_to_string(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let o = herd_app::blocklists::import(app, op, &t, &text).await?;
            eprintln!("{} blocks added to {d}; {} domains were blocked already.", o.added, o.skipped);
        }
        BlocksCommand::Export { tenant: d, file } => {
            let t = tenant(app, &d).await?;
            let csv = herd_app::blocklists::export(app, op, &t).await?;
            if file.as_os_str() == "-" {
                print!("{csv}");
            } else {
                std::fs::write(&file, csv).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?;
                eprintln!("Blocks of {d} written to {}.", file.display());
            }
        }
    }
    Ok(())
}

async fn subscriptions(app: &App, op: &Moderator, command: SubscriptionsCommand) -> anyhow::Result<()> {
    match command {
        SubscriptionsCommand::Add {
            tenant: d,
            url,
            format,
            every,
        } => {
            let t = tenant(app, &d).await?;
            let format = herd_app::blocklists::Format::parse(&format)?;
            let s = herd_app::blocklists::subscribe(app, op, &t, &url, format, every.saturating_mul(1000)).await?;
            println!("{}", s.id);
        }
        SubscriptionsCommand::List { tenant: d } => {
            let t = tenant(app, &d).await?;
            let mut c = app.db.conn().await?;
            for s in herd_store::blocklists::list(&mut c, t.id).await? {
                let synced = s
                    .last_synced_at
                    .map(|a| herd_core::Timestamp(a).to_rfc3339())
                    .unwrap_or_else(|| "-".into());
                println!("{}\t{}\t{}\t{synced}\t{}", s.id, s.format, s.url, s.last_error.unwrap_or_default());
            }
        }
        SubscriptionsCommand::Sync { tenant: d, id: sid } => {
            let t = tenant(app, &d).await?;
            let o = herd_app::blocklists::sync_now(app, &t, id(&sid)?).await?;
            eprintln!(
                "{} added, {} changed, {} removed, {} left as the instance decided.",
                o.added, o.changed, o.removed, o.kept
            );
        }
        SubscriptionsCommand::Remove { tenant: d, id: sid } => {
            let t = tenant(app, &d).await?;
            herd_app::blocklists::unsubscribe(app, op, &t, id(&sid)?).await?;
            eprintln!("Subscription {sid} ended.");
        }
    }
    Ok(())
}
