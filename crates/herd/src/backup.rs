//! `herd backup ...` and `herd tenant export|import`: backups of one instance, their
//! verification and restore, and taking an instance to another Herd.

use std::path::PathBuf;

use clap::Subcommand;
use herd_app::{Actor, App};
use herd_store::backups::BackupRow;

use crate::Config;

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Back up one instance now, then verify the backup (restored into a scratch database
    /// and compared). Exits non-zero when either fails.
    Run {
        #[arg(long)]
        tenant: String,
        /// Only write it; verify later with `herd backup verify`.
        #[arg(long)]
        no_verify: bool,
    },
    /// The instance's backups, newest first: id, state, verification, size, rows, files,
    /// when, where.
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Verify a backup again (restore into a scratch database and compare).
    Verify {
        #[arg(long)]
        tenant: String,
        id: String,
    },
    /// Put the instance back to the state of a backup (by id, or an archive file), in place,
    /// while the server serves every other instance. The instance answers 503 meanwhile.
    Restore {
        #[arg(long)]
        tenant: String,
        /// The backup's id (`herd backup list`).
        #[arg(required_unless_present = "file")]
        id: Option<String>,
        /// An archive file instead (a backup or an export of this instance).
        #[arg(long, conflicts_with = "id")]
        file: Option<PathBuf>,
        /// The identity (age secret key file) to read it with; default: the backup identity.
        #[arg(long)]
        identity: Option<PathBuf>,
    },
    /// Print the public key backups are encrypted to (the identity is made if missing).
    Key,
}

fn id(s: &str) -> anyhow::Result<i64> {
    s.parse()
        .map_err(|_| anyhow::anyhow!("{s:?} is not a backup id; see `herd backup list`"))
}

fn print(b: &BackupRow) {
    println!(
        "{}\t{}\tverify:{}\t{} bytes\t{} rows\t{} files\t{}\t{}",
        b.id,
        b.state,
        b.verify_state,
        b.size_bytes,
        b.row_count,
        b.file_count,
        herd_core::Timestamp(b.started_at).to_rfc3339(),
        b.location
    );
}

pub async fn run(app: &App, cfg: &Config, command: BackupCommand) -> anyhow::Result<()> {
    let backups = cfg.backups();
    let op = Actor::Operator;
    match command {
        BackupCommand::Run { tenant, no_verify } => {
            let t = herd_app::tenants::by_domain(app, &tenant).await?;
            let b = herd_backup::run::run(app, &backups, &t, &op).await?;
            print(&b);
            if !no_verify {
                let v = herd_backup::verify::verify(app, &backups, &cfg.database_url(), &t, b.id, &op).await?;
                report(v)?;
            }
        }
        BackupCommand::List { tenant } => {
            let t = herd_app::tenants::by_domain(app, &tenant).await?;
            let mut c = app.db.conn().await?;
            for b in herd_store::backups::list(&mut c, t.id, 1000).await? {
                print(&b);
            }
        }
        BackupCommand::Verify { tenant, id: n } => {
            let t = herd_app::tenants::by_domain(app, &tenant).await?;
            let v = herd_backup::verify::verify(app, &backups, &cfg.database_url(), &t, id(&n)?, &op).await?;
            report(v)?;
        }
        BackupCommand::Restore {
            tenant,
            id: n,
            file,
            identity,
        } => {
            let t = herd_app::tenants::by_domain(app, &tenant).await?;
            let path = match (n, file) {
                (_, Some(f)) => f,
                (Some(n), None) => {
                    let mut c = app.db.conn().await?;
                    let b = herd_store::backups::get(&mut c, t.id, id(&n)?)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("{tenant} has no backup {n}; see `herd backup list --tenant {tenant}`"))?;
                    if b.state != "done" {
                        anyhow::bail!("backup {n} is {}, not complete; it cannot be restored", b.state);
                    }
                    PathBuf::from(b.location)
                }
                (None, None) => anyhow::bail!("give a backup id or --file"),
            };
            let identity = match identity {
                Some(p) => herd_backup::read_identity(&p)?,
                None => backups.identity()?,
            };
            let r = herd_backup::restore::restore(app, &t, &path, identity, &op).await?;
            println!("restored {}: {} rows, {} media files", t.domain, r.rows, r.files);
        }
        BackupCommand::Key => println!("{}", backups.public_key()?),
    }
    Ok(())
}

fn report(v: herd_backup::verify::Verified) -> anyhow::Result<()> {
    if v.passed {
        println!("verified: {}", v.detail);
        Ok(())
    } else {
        anyhow::bail!("verification failed: {}", v.detail)
    }
}

/// `herd tenant export DOMAIN FILE`.
pub async fn export(app: &App, cfg: &Config, domain: &str, file: PathBuf, to: Option<String>) -> anyhow::Result<()> {
    let t = herd_app::tenants::by_domain(app, domain).await?;
    let recipient = match to {
        Some(r) => herd_backup::parse_recipient(&r)?,
        None => cfg.backups().recipient()?,
    };
    if file.exists() {
        anyhow::bail!("{} exists already; give a new file", file.display());
    }
    let w = herd_backup::export::export(app, &t, &file, recipient, &Actor::Operator).await?;
    println!(
        "exported {} to {}: {} bytes, {} rows, {} media files",
        t.domain,
        file.display(),
        w.size,
        w.manifest.rows(),
        w.manifest.files.len()
    );
    Ok(())
}

/// `herd tenant import FILE`.
pub async fn import(app: &App, cfg: &Config, file: PathBuf, identity: Option<PathBuf>, org: Option<String>) -> anyhow::Result<()> {
    let identity = match identity {
        Some(p) => herd_backup::read_identity(&p)?,
        None => cfg.backups().identity()?,
    };
    let organization = match org {
        Some(slug) => Some(
            herd_store::organizations::by_slug(&mut app.db.conn().await?, &slug)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no organization {slug:?}; see `herd org list`"))?,
        ),
        None => None,
    };
    let t = herd_backup::import::import(app, &file, identity, organization, &Actor::Operator).await?;
    println!("imported {} from {}", t.domain, file.display());
    Ok(())
}
