//! The `hearth-server` command line.

#![forbid(unsafe_code)]

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand, ValueEnum};
use hearth_domain::account::{Role, Service};
use hearth_domain::{ServiceId, UserId, WorkGroupId};
use hearth_server::clock::{Clock, SystemClock};
use hearth_server::config::{Overrides, Settings};
use hearth_server::store::{AuditEvent, DynStore, NewUser};
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "hearth-server", version, about = "Hearth's central server")]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// A TOML file with any of: database_url, data_dir, smtp_url, mail_from, bind.
    #[arg(long, env = "HEARTH_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// postgres://… or sqlite://…; default: a SQLite file in the data folder.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Where the SQLite file and the development outbox live (default ./hearth-data).
    #[arg(long, env = "HEARTH_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// smtp://host:port (plain, local relay), smtp://host?tls=required (STARTTLS) or
    /// smtps://user:pass@host (TLS). Unset: development outbox and console.
    #[arg(long, env = "HEARTH_SMTP_URL", global = true)]
    smtp_url: Option<String>,
    #[arg(long, env = "HEARTH_MAIL_FROM", global = true)]
    mail_from: Option<String>,
    /// Address to listen on (default 127.0.0.1:8787).
    #[arg(long, env = "HEARTH_BIND", global = true)]
    bind: Option<SocketAddr>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the API.
    Serve,
    /// Create or update the database schema.
    Migrate,
    /// Staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Services (teams).
    #[command(subcommand)]
    Service(NamedCommand),
    /// Work groups.
    #[command(subcommand)]
    WorkGroup(NamedCommand),
    /// Add the invented demo organisation and print how to sign in.
    DemoSeed,
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Run once after restoring the database from a backup: gives it a new sync epoch, so
    /// every device sends again what the backup lacks.
    RestoredFromBackup,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account and email them an invitation to set a password.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        forename: String,
        #[arg(long)]
        surname: String,
        /// Repeat for several roles.
        #[arg(long = "role", required = true)]
        roles: Vec<RoleArg>,
        /// A service's name; repeat for several.
        #[arg(long = "service")]
        services: Vec<String>,
        /// A work group's name; repeat for several.
        #[arg(long = "work-group")]
        work_groups: Vec<String>,
        /// A work group this user manages; repeat for several.
        #[arg(long = "manages")]
        manages: Vec<String>,
    },
    /// Deactivate an account: its sessions end and its devices are told to wipe.
    Disable {
        /// Email address or user id.
        who: String,
    },
    List,
}

#[derive(Subcommand)]
enum NamedCommand {
    Add { name: String },
    List,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exits non-zero if a row was edited, inserted or removed.
    Verify,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Practitioner,
    Manager,
    BusinessSupport,
    PartnerProfessional,
    MashTriage,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Practitioner => Role::Practitioner,
            RoleArg::Manager => Role::Manager,
            RoleArg::BusinessSupport => Role::BusinessSupport,
            RoleArg::PartnerProfessional => Role::PartnerProfessional,
            RoleArg::MashTriage => Role::MashTriage,
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hearth-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = cli.global;
    let settings = Settings::load(Overrides {
        config: g.config,
        database_url: g.database_url,
        data_dir: g.data_dir,
        smtp_url: g.smtp_url,
        mail_from: g.mail_from,
        bind: g.bind,
    })?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        Command::Serve => {
            let state = hearth_server::state(&settings, clock).await?;
            let listener = tokio::net::TcpListener::bind(settings.bind)
                .await
                .with_context(|| format!("listening on {}", settings.bind))?;
            tracing::info!(
                address = %listener.local_addr()?,
                mail = if state.mailer.is_outbox() { "development outbox" } else { "smtp" },
                "hearth-server listening"
            );
            hearth_server::serve(listener, state, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
        Command::Migrate => {
            hearth_server::open_store(&settings).await?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::RestoredFromBackup => {
            let store = hearth_server::open_store(&settings).await?;
            store.sync_new_epoch().await?;
            println!("New sync epoch set: devices will send again what the backup lacks.");
            Ok(())
        }
        Command::DemoSeed => {
            let store = hearth_server::open_store(&settings).await?;
            let accounts = hearth_server::seed::demo_seed(&store, clock.now()).await?;
            println!("Demo organisation ready (invented people). Sign in with:");
            for a in accounts {
                println!("  {:<22} {}", a.role.label(), a.email);
            }
            println!(
                "Password for every demo account: {}",
                hearth_server::seed::DEMO_PASSWORD
            );
            if settings.smtp_url.is_none() {
                println!(
                    "Sign-in codes are printed by `serve` and written to {}",
                    settings.outbox_dir().display()
                );
            }
            Ok(())
        }
        Command::Audit(AuditCommand::Verify) => {
            let store = hearth_server::open_store(&settings).await?;
            let (rows, seq, hash) = store.audit_rows().await?;
            match hearth_server::audit::verify(&rows, seq, &hash) {
                Ok(n) => {
                    println!("The audit log is intact: {n} rows.");
                    Ok(())
                }
                Err(e) => bail!("the audit log has been tampered with: {e}"),
            }
        }
        Command::Service(c) => {
            let store = hearth_server::open_store(&settings).await?;
            match c {
                NamedCommand::Add { name } => {
                    let id = ServiceId(Uuid::now_v7());
                    store
                        .insert_service(&Service {
                            id,
                            name: name.trim().to_owned(),
                            commissioned_service: None,
                        })
                        .await?;
                    println!("{id}");
                }
                NamedCommand::List => {
                    for s in store.list_services().await? {
                        println!("{}\t{}", s.id, s.name);
                    }
                }
            }
            Ok(())
        }
        Command::WorkGroup(c) => {
            let store = hearth_server::open_store(&settings).await?;
            match c {
                NamedCommand::Add { name } => {
                    let id = WorkGroupId(Uuid::now_v7());
                    store.insert_work_group(id, name.trim()).await?;
                    println!("{id}");
                }
                NamedCommand::List => {
                    for g in store.list_work_groups().await? {
                        println!(
                            "{}\t{}\t{} members, {} managers",
                            g.id,
                            g.name,
                            g.members.len(),
                            g.managers.len()
                        );
                    }
                }
            }
            Ok(())
        }
        Command::User(c) => user_command(&settings, clock, c).await,
    }
}

async fn user_command(
    settings: &Settings,
    clock: Arc<dyn Clock>,
    c: UserCommand,
) -> anyhow::Result<()> {
    let state = hearth_server::state(settings, clock).await?;
    let store: &DynStore = &state.store;
    match c {
        UserCommand::Add {
            email,
            forename,
            surname,
            roles,
            services,
            work_groups,
            manages,
        } => {
            if hearth_domain::contact::EmailAddress::parse(&email).is_err() {
                bail!("{email:?} is not an email address");
            }
            let roles: BTreeSet<Role> = roles.into_iter().map(Role::from).collect();
            let all_services = store.list_services().await?;
            let all_groups = store.list_work_groups().await?;
            let find_service = |n: &str| {
                all_services
                    .iter()
                    .find(|s| s.name == n)
                    .map(|s| s.id)
                    .with_context(|| format!("no service called {n:?}"))
            };
            let find_group = |n: &str| {
                all_groups
                    .iter()
                    .find(|g| g.name == n)
                    .map(|g| g.id)
                    .with_context(|| format!("no work group called {n:?}"))
            };
            let services = services
                .iter()
                .map(|n| find_service(n))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let member_of = work_groups
                .iter()
                .map(|n| find_group(n))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let manager_of = manages
                .iter()
                .map(|n| find_group(n))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let id = UserId(Uuid::now_v7());
            store
                .insert_user(NewUser {
                    id,
                    forename: forename.trim(),
                    surname: surname.trim(),
                    email: email.trim(),
                    password_hash: None,
                    roles: &roles,
                    email_confirmed: true,
                    partner_details: None,
                    now: state.now(),
                })
                .await
                .context("adding the user (is the email address already taken?)")?;
            for s in services {
                store.add_service_member(s, id).await?;
            }
            for g in member_of {
                store.add_work_group_member(g, id, false).await?;
            }
            for g in manager_of {
                store.add_work_group_member(g, id, true).await?;
            }
            hearth_server::auth::invite(&state, id, email.trim(), forename.trim())
                .await
                .map_err(|e| anyhow::anyhow!("sending the invitation: {e}"))?;
            store
                .audit_append(&AuditEvent {
                    target: Some(id.to_string()),
                    reason: Some("command line".into()),
                    ..state.event("account.created", "ok")
                })
                .await?;
            println!("{id}");
            Ok(())
        }
        UserCommand::Disable { who } => {
            let user = match Uuid::parse_str(&who) {
                Ok(u) => store.user_by_id(UserId(u)).await?,
                Err(_) => store.user_by_email(&who).await?,
            }
            .context("no such user")?;
            store.disable_user(user.account.id, state.now()).await?;
            store
                .audit_append(&AuditEvent {
                    target: Some(user.account.id.to_string()),
                    reason: Some("command line".into()),
                    ..state.event("account.disable", "ok")
                })
                .await?;
            println!("Disabled {}; their sessions have ended.", user.account.id);
            Ok(())
        }
        UserCommand::List => {
            for u in store.list_users().await? {
                let a = &u.account;
                let roles: Vec<&str> = a.roles.iter().map(|r| r.label()).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    a.id,
                    a.email,
                    a.display_name(),
                    roles.join(", "),
                    if a.active { "active" } else { "disabled" }
                );
            }
            Ok(())
        }
    }
}
