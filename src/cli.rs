//! The `vitasync` command line: serve (default), migrate, and headless admin tasks.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::accounts::provisioning::{self, Bootstrap, NewAccount};
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::server;

#[derive(Parser, Debug)]
#[command(name = "vitasync", version, about = "Self-hosted health-data platform")]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Instance administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Workspace management.
    Workspace {
        #[command(subcommand)]
        command: WorkspaceCommand,
    },
    /// Fill a user with realistic synthetic data (provider `demo`) through the normal ingest path.
    Demo {
        /// The sign-in email of the user to fill.
        #[arg(long)]
        user: String,
        /// How many days, ending today.
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3660))]
        days: u32,
        /// Also minute-by-minute heart rate (1,440 points a day).
        #[arg(long)]
        intraday: bool,
    },
    /// Import data from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Derived insights.
    Insights {
        #[command(subcommand)]
        command: InsightsCommand,
    },
    /// Measure ingest and page speed on both databases (see README, "Benchmarks").
    Bench(crate::bench::BenchArgs),
    /// Workspace API keys for the REST API.
    #[command(name = "api-key")]
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// Encryption keys of stored secrets.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand, Debug)]
enum ImportCommand {
    /// Import the Health app's export.zip (or export.xml) for a person, as the upload does.
    #[command(name = "apple-health")]
    AppleHealth {
        /// The export.zip or export.xml file.
        file: std::path::PathBuf,
        /// The sign-in email of the person whose data it is.
        #[arg(long)]
        user: String,
    },
    /// Write a synthetic export.xml of about this size, for trying and measuring the import.
    #[command(name = "sample-export")]
    SampleExport {
        /// Where to write it.
        out: std::path::PathBuf,
        /// Roughly how many megabytes.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=20_000))]
        mb: u64,
    },
}

#[derive(Subcommand, Debug)]
enum InsightsCommand {
    /// Recompute baselines from the stored daily figures (a backfill; the server keeps them up
    /// to date after each sync by itself).
    Rebuild {
        /// Only the person who signs in with this email; everyone when omitted.
        #[arg(long)]
        user: Option<String>,
        /// From this local day (YYYY-MM-DD) on, instead of each person's first day with data.
        #[arg(long, value_parser = parse_cli_day)]
        from: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand, Debug)]
enum ApiKeyCommand {
    /// Create a key and print it once (only its SHA-256 is stored).
    Create {
        /// The workspace's slug.
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        name: String,
        /// Comma-separated: read, write, admin.
        #[arg(long, default_value = "read")]
        scopes: String,
        /// When the key stops working: a date (YYYY-MM-DD, midnight UTC) or an RFC 3339 time.
        #[arg(long)]
        expires: Option<String>,
    },
    /// Revoke the key whose prefix is given (`vs_live_AbCd1234` or `AbCd1234`).
    Revoke { prefix: String },
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Re-encrypt every stored secret under the primary key. With the generated key file, a new
    /// key is added first and becomes the primary; with VITASYNC_ENCRYPTION_KEYS, put the new
    /// key first in the list, run this, then drop the old key.
    Rotate,
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Create the first workspace and its owner account (does nothing if that owner exists).
    Bootstrap {
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        email: String,
        #[arg(long, env = "VITASYNC_ADMIN_PASSWORD")]
        password: String,
        /// URL-safe identifier; derived from the name when omitted.
        #[arg(long)]
        slug: Option<String>,
        #[arg(long, default_value = "UTC")]
        timezone: String,
    },
}

#[derive(Subcommand, Debug)]
enum WorkspaceCommand {
    /// Create a workspace with its own admin.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
        #[arg(long, env = "VITASYNC_ADMIN_PASSWORD")]
        admin_password: String,
        #[arg(long)]
        slug: Option<String>,
        #[arg(long, default_value = "UTC")]
        timezone: String,
    },
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if std::env::var("VITASYNC_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(cli: Cli) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let options = server::leptos_options()?;
            let state = server::prepare(config, options).await?;
            server::serve(state).await
        }
        Command::Migrate => {
            let db = connect(&config).await?;
            println!("migrations applied ({:?})", db.backend());
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Bootstrap {
                    workspace,
                    email,
                    password,
                    slug,
                    timezone,
                },
        } => {
            let db = connect(&config).await?;
            let account = NewAccount {
                email: email.clone(),
                password,
                display_name: None,
                timezone,
            };
            match provisioning::bootstrap(&db, &workspace, slug.as_deref(), account).await {
                Ok(Bootstrap::Created { .. }) => {
                    println!("created workspace {workspace:?} with owner {email}")
                }
                Ok(Bootstrap::AlreadyDone) => {
                    println!("already set up: {email} owns this instance; nothing changed")
                }
                Err(e) => return Err(e.to_string()),
            }
            Ok(())
        }
        Command::Workspace {
            command:
                WorkspaceCommand::Create {
                    name,
                    admin_email,
                    admin_password,
                    slug,
                    timezone,
                },
        } => {
            let db = connect(&config).await?;
            let account = NewAccount {
                email: admin_email.clone(),
                password: admin_password,
                display_name: None,
                timezone,
            };
            provisioning::create_workspace_with_admin(&db, &name, slug.as_deref(), account, false)
                .await
                .map_err(|e| e.to_string())?;
            println!("created workspace {name:?} with admin {admin_email}");
            Ok(())
        }
        Command::Demo {
            user,
            days,
            intraday,
        } => {
            let db = connect(&config).await?;
            demo(&db, &user, days, intraday).await
        }
        Command::Import { command } => import(&config, command).await,
        Command::Insights {
            command: InsightsCommand::Rebuild { user, from },
        } => {
            let db = connect(&config).await?;
            rebuild_insights(&db, user.as_deref(), from).await
        }
        Command::Bench(args) => crate::bench::run(&config, args).await,
        Command::Keys {
            command: KeysCommand::Rotate,
        } => rotate_keys(&config).await,
        Command::ApiKey { command } => {
            let db = connect(&config).await?;
            api_key(&db, command).await
        }
    }
}

async fn api_key(db: &Db, command: ApiKeyCommand) -> Result<(), String> {
    use crate::api_keys::{repo, token, Scope};
    match command {
        ApiKeyCommand::Create {
            workspace,
            name,
            scopes,
            expires,
        } => {
            let ws = crate::accounts::repo::workspace_by_slug(db, workspace.trim())
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no workspace has the slug {workspace:?}"))?;
            let name = crate::api_keys::validate_name(&name).map_err(|e| e.to_string())?;
            let scopes = Scope::parse_list(&scopes)?;
            let expires_at = expires.as_deref().map(parse_cli_expiry).transpose()?;
            let (row, raw) = repo::create(db, &ws.id, &name, &scopes, expires_at)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!(
                "created key {:?} ({}) for workspace {:?} with scopes {}; it is shown only now:",
                row.name,
                token::display(&row.key_prefix),
                ws.slug,
                scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            );
            println!("{raw}");
            Ok(())
        }
        ApiKeyCommand::Revoke { prefix } => {
            let prefix = token::prefix_of(&prefix).ok_or_else(|| {
                format!("{prefix:?} is not a key prefix such as vs_live_AbCd1234")
            })?;
            let keys = repo::by_prefix(db, &prefix)
                .await
                .map_err(|e| e.to_string())?;
            let live: Vec<_> = keys.iter().filter(|k| k.revoked_at.is_none()).collect();
            match live.as_slice() {
                [] if keys.is_empty() => {
                    Err(format!("no key starts with {}", token::display(&prefix)))
                }
                [] => Err(format!("{} is already revoked", token::display(&prefix))),
                [key] => {
                    repo::revoke(db, &key.workspace_id, &key.id)
                        .await
                        .map_err(|e| e.to_string())?;
                    println!("revoked key {:?} ({})", key.name, token::display(&prefix));
                    Ok(())
                }
                many => Err(format!(
                    "{} live keys start with {}; revoke them on the admin page",
                    many.len(),
                    token::display(&prefix)
                )),
            }
        }
    }
}

fn parse_cli_expiry(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    use crate::dates::{DateError, Day};
    let raw = raw.trim();
    let at = match Day::parse(raw) {
        Ok(d) => d.date().and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
        Err(DateError::Malformed) => chrono::DateTime::parse_from_rfc3339(raw)
            .map_err(|_| format!("--expires {raw:?}: use YYYY-MM-DD or an RFC 3339 time"))?
            .with_timezone(&chrono::Utc),
        Err(e) => return Err(format!("--expires {raw:?}: {e}")),
    };
    if at <= chrono::Utc::now() {
        return Err(format!("--expires {raw:?} is not in the future"));
    }
    Ok(at)
}

fn parse_cli_day(raw: &str) -> Result<chrono::NaiveDate, String> {
    crate::dates::Day::parse(raw)
        .map(|d| d.date())
        .map_err(|e| format!("{raw:?}: {e} (use YYYY-MM-DD)"))
}

async fn rebuild_insights(
    db: &Db,
    email: Option<&str>,
    from: Option<chrono::NaiveDate>,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    let (people, report) = match email {
        Some(email) => {
            let user = crate::accounts::repo::find_by_email(db, &email.trim().to_lowercase())
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user signs in with {email}"))?;
            let report = crate::insights::derive::rebuild(db, &user.id, &user.timezone, from)
                .await
                .map_err(|e| format!("rebuild failed: {e}"))?;
            (1, report)
        }
        None => crate::insights::service::rebuild_everyone(db, from)
            .await
            .map_err(|e| format!("rebuild failed: {e}"))?,
    };
    println!(
        "rebuilt baselines of {people} person(s) in {:.1} s: {} stored, {} removed",
        started.elapsed().as_secs_f64(),
        report.stored,
        report.removed
    );
    Ok(())
}

async fn rotate_keys(config: &Config) -> Result<(), String> {
    let keys = if std::env::var("VITASYNC_ENCRYPTION_KEYS").is_ok_and(|v| !v.trim().is_empty()) {
        config.keys.clone()
    } else {
        let path = config.data_dir.join("encryption.key");
        let ring = crate::platform::crypto::KeyRing::rotate_file(&path)?;
        println!(
            "added key {} to {} (the older keys stay so nothing is locked out)",
            ring.primary_id(),
            path.display()
        );
        ring
    };
    let db = connect(config).await?;
    let r = crate::connections::rotate::reseal_all(&db, &keys)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "re-encrypted {} stored token set(s) under key {}",
        r.resealed,
        keys.primary_id()
    );
    let (mut resealed, mut unreadable) = (0, Vec::new());
    for (id, workspace_id, sealed) in crate::webhooks::repo::all_secrets(&db)
        .await
        .map_err(|e| e.to_string())?
    {
        match crate::webhooks::repo::reseal(&db, &keys, &id, &workspace_id, &sealed)
            .await
            .map_err(|e| e.to_string())?
        {
            Some(true) => resealed += 1,
            Some(false) => {}
            None => unreadable.push(id),
        }
    }
    println!("re-encrypted {resealed} webhook signing secret(s)");
    if !r.unreadable.is_empty() || !unreadable.is_empty() {
        return Err(format!(
            "{} connection(s) and {} webhook(s) hold secrets no configured key opens: {}",
            r.unreadable.len(),
            unreadable.len(),
            r.unreadable
                .iter()
                .chain(&unreadable)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(())
}

async fn demo(db: &Db, email: &str, days: u32, intraday: bool) -> Result<(), String> {
    let user = crate::accounts::repo::find_by_email(db, &email.trim().to_lowercase())
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no user signs in with {email}"))?;
    let started = std::time::Instant::now();
    let seed = user
        .id
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let opts = crate::health::demo::DemoOptions {
        days,
        intraday,
        seed,
    };
    let report = crate::health::demo::fill(db, &user.id, &user.timezone, opts)
        .await
        .map_err(|e| format!("demo data could not be written: {e}"))?;
    println!(
        "wrote {} points and {} workouts for {email} over {days} days in {:.1} s (provider \"demo\")",
        report.points,
        report.events,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn import(config: &Config, command: ImportCommand) -> Result<(), String> {
    match command {
        ImportCommand::SampleExport { out, mb } => {
            let file =
                std::fs::File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            let written =
                crate::apple_health::sample::write(std::io::BufWriter::new(file), mb * 1_000_000)
                    .map_err(|e| format!("{}: {e}", out.display()))?;
            println!("wrote {} ({:.1} MB)", out.display(), written as f64 / 1e6);
            Ok(())
        }
        ImportCommand::AppleHealth { file, user } => {
            let db = connect(config).await?;
            let person = crate::accounts::repo::find_by_email(&db, &user.trim().to_lowercase())
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user signs in with {user}"))?;
            let size = std::fs::metadata(&file)
                .map_err(|e| format!("{}: {e}", file.display()))?
                .len();
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "export".into());
            let id = crate::apple_health::import::repo::create(
                &db,
                &person.id,
                &name,
                size as i64,
                chrono::Utc::now(),
            )
            .await
            .map_err(|e| e.to_string())?;
            let report = crate::apple_health::import::run_with(
                &db,
                &id,
                &person.id,
                &person.timezone,
                &file,
                (&config.imports).into(),
            )
            .await
            .map_err(|e| format!("import failed: {e}"))?;
            println!(
                "imported {} records from {} ({:.1} MB) for {user} in {:.1} s: {} readings and sessions written, {:.0} records/s; peak memory {}",
                report.records,
                file.display(),
                size as f64 / 1e6,
                report.seconds,
                report.rows,
                report.records as f64 / report.seconds.max(0.001),
                peak_memory().unwrap_or_else(|| "unknown".into())
            );
            Ok(())
        }
    }
}

/// This process's peak resident memory (Linux: `VmHWM`).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.0} MB", kb / 1024.0))
}

async fn connect(config: &Config) -> Result<Db, String> {
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}
