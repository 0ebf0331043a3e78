//! The `faktura` binary: serve the console, run migrations, load demo data.

mod import;
mod memory;
mod reliability;
mod scale;
mod seller;
mod stripe;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use faktura_app::Config;
use faktura_domain::Locale;
use faktura_gateway::SandboxGateway;
use faktura_help::{check_dir, HelpLibrary};
use faktura_store::demo::{self, DemoInput, DemoLoad};
use faktura_store::{sqlite_url_for_path, Store};
use faktura_web::i18n::I18n;
use faktura_web::state::{AppState, WebConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "faktura",
    version,
    about = "Faktura: a self-hosted billing console and API",
    // `faktura help …` is ours (help articles); `--help` still prints usage.
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct DatabaseArgs {
    /// `sqlite://PATH` (the default, embedded) or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "FAKTURA_DATABASE_URL",
        default_value = "sqlite://faktura.db"
    )]
    database_url: String,
    /// Connections in the database pool. On SQLite one of them is the writer's (group commit),
    /// so at least 2; see docs/benchmarks.md for how the default was chosen.
    #[arg(
        long,
        env = "FAKTURA_DATABASE_CONNECTIONS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u32).range(2..=500)
    )]
    database_connections: u32,
}

// Parsed once at start-up: the size of `Serve`'s settings does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web console and API.
    Serve {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Address to listen on.
        #[arg(long, env = "FAKTURA_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Load demo data first (into an empty database only).
        #[arg(long, env = "FAKTURA_DEMO")]
        demo: bool,
        /// Mark cookies Secure (serve behind TLS).
        #[arg(long, env = "FAKTURA_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Bearer token for /metrics; without one, /metrics answers only on loopback.
        #[arg(long, env = "FAKTURA_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// A folder of help articles (Markdown with front matter) added to the built-in ones; repeatable.
        #[arg(
            long = "articles",
            value_name = "DIR",
            env = "FAKTURA_ARTICLES",
            value_delimiter = ','
        )]
        articles: Vec<PathBuf>,
        /// Where outgoing mail (invitations, receipts, invoices) is written, one .eml file per
        /// message, when no --smtp-url is given. Default: a `mail` folder next to the SQLite
        /// database (in the working directory for PostgreSQL).
        #[arg(long, value_name = "DIR", env = "FAKTURA_MAIL_DIR")]
        mail_dir: Option<PathBuf>,
        /// Send mail over SMTP instead: smtp://host:port (add ?tls=required for STARTTLS),
        /// smtps://host:port for TLS, credentials as smtp://user:password@host.
        #[arg(
            long,
            value_name = "URL",
            env = "FAKTURA_SMTP_URL",
            hide_env_values = true
        )]
        smtp_url: Option<String>,
        /// The From address of outgoing mail.
        #[arg(long, value_name = "ADDRESS", env = "FAKTURA_MAIL_FROM")]
        mail_from: Option<String>,
        /// Do not run the notification worker on this node (others deliver the outbox).
        #[arg(long, env = "FAKTURA_NO_NOTIFICATIONS")]
        no_notifications: bool,
        /// Let webhook endpoints be on loopback, private or link-local addresses (refused by
        /// default, so that a webhook cannot reach into this deployment's network).
        #[arg(long, env = "FAKTURA_WEBHOOKS_ALLOW_INTERNAL")]
        webhooks_allow_internal: bool,
        /// How long a node holds the notifications it claimed (after a crash, others wait this
        /// long before taking them up).
        #[arg(long, default_value_t = 120_000, value_name = "MS")]
        notifications_lease_ms: u64,
        /// How many days before an unpaid invoice's due date a reminder is mailed (0: none).
        #[arg(long, default_value_t = 7, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=60))]
        reminder_days: u32,
        #[command(flatten)]
        gateway: reliability::GatewayArgs,
        #[command(flatten)]
        seller: seller::SellerArgs,
    },
    /// Run the sandbox payment gateway as its own HTTP service (durable ledger, fault injection).
    SandboxGateway(reliability::SandboxArgs),
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Invoices: import a CSV file.
    Invoices {
        #[command(subcommand)]
        command: InvoicesCommand,
    },
    /// Help articles: recommend one for a problem, or check a folder.
    Help {
        #[command(subcommand)]
        command: HelpCommand,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Load demo data into the database and exit.
    Demo {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        scale: scale::ScaleArgs,
    },
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Create a personal access token (printed once) or, with --operator, an operator token.
    Create {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The user the token acts as (their billing roles, nothing more).
        #[arg(long)]
        user: Option<String>,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days until the token expires; never, when not given.
        #[arg(long)]
        expires: Option<u32>,
        /// A token for the operator API instead of a user's.
        #[arg(long)]
        operator: bool,
    },
}

#[derive(Subcommand, Debug)]
enum InvoicesCommand {
    /// Import invoices from a CSV file, one invoice per row; see the README for the columns.
    Import {
        #[command(flatten)]
        database: DatabaseArgs,
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum HelpCommand {
    /// Recommend articles for a problem description.
    Recommend {
        /// Folders of articles to search besides (or, with --no-builtin, instead of) the built-in ones.
        #[arg(long = "articles", value_name = "DIR")]
        articles: Vec<PathBuf>,
        /// Search only the given folders.
        #[arg(long)]
        no_builtin: bool,
        /// The problem's language (da-DK or en-US); detected when not given.
        #[arg(long)]
        locale: Option<String>,
        #[arg(long, default_value_t = 3)]
        limit: usize,
        /// Print a JSON array, best first.
        #[arg(long)]
        json: bool,
        /// The problem, in the customer's own words.
        problem: String,
    },
    /// Report every article's parse warnings in a folder.
    Check { dir: PathBuf },
}

/// SQLite URLs get `mode=rwc` so a missing file is created, as "no setup" promises.
fn normalize_database_url(url: &str) -> String {
    let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return url.to_owned();
    };
    if path.contains("mode=") {
        format!("sqlite://{path}")
    } else if path.contains('?') {
        format!("sqlite://{path}&mode=rwc")
    } else {
        sqlite_url_for_path(path)
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// `mail/` beside the SQLite database file; `mail/` in the working directory otherwise.
fn default_mail_dir(database_url: &str) -> PathBuf {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest));
    match path {
        Some(file) if !file.is_empty() && file != ":memory:" => {
            let parent = std::path::Path::new(file)
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            parent.join("mail")
        }
        _ => PathBuf::from("mail"),
    }
}

async fn open_store(database: &DatabaseArgs) -> anyhow::Result<Store> {
    let url = normalize_database_url(&database.database_url);
    let options = faktura_store::ConnectOptions {
        max_connections: database.database_connections,
        ..faktura_store::ConnectOptions::default()
    };
    let store = Store::connect_with(&url, options)
        .await
        .with_context(|| format!("cannot open the database at {}", redact(&url)))?;
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    Ok(store)
}

async fn load_demo(store: &Store) -> anyhow::Result<()> {
    load_demo_with_card(store, SandboxGateway::token_for_number("4242424242424242")).await
}

/// The demo data, its saved card under `saved_card_token` (the sandbox's token for 4242…, or
/// with Stripe a placeholder until the card is made there).
async fn load_demo_with_card(store: &Store, saved_card_token: String) -> anyhow::Result<()> {
    let (password, generated) = match std::env::var("FAKTURA_DEMO_PASSWORD") {
        Ok(password) if !password.is_empty() => (password, false),
        _ => (faktura_store::random_token()[..16].to_owned(), true),
    };
    let password_hash = faktura_web::auth::hash_password(&password)
        .map_err(|e| anyhow::anyhow!("cannot hash the demo password: {e}"))?;
    let input = DemoInput {
        password_hash,
        saved_card_token,
        today: chrono::Utc::now().date_naive(),
    };
    match store.load_demo(&input).await.context("cannot load demo data")? {
        DemoLoad::Loaded => {
            println!("Demo data loaded. Sign in as any of these users:");
            for email in [
                demo::NORDLYS_ADMIN,
                demo::NORDLYS_READER,
                demo::NORDLYS_INVOICE_MANAGER,
                demo::NORDLYS_PROFILE_OWNER,
                demo::PRAIRIE_OWNER,
                demo::OUTSIDER,
                demo::OPERATOR,
            ] {
                println!("  {email}");
            }
            if generated {
                println!("Demo password (shown once; set FAKTURA_DEMO_PASSWORD to choose it): {password}");
            } else {
                println!("Demo password: the value of FAKTURA_DEMO_PASSWORD");
            }
        }
        DemoLoad::AlreadyPresent => println!("Demo data is already loaded; its password is the one printed when it was loaded."),
        DemoLoad::RefusedOtherData => anyhow::bail!("the database already holds other data; demo data is only loaded into an empty database"),
    }
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate { database } => {
            open_store(&database).await?;
            println!("Migrations applied.");
        }
        Command::Demo { database, scale } => {
            let store = open_store(&database).await?;
            match scale.accounts {
                Some(accounts) => scale::generate(&store, &scale, accounts).await?,
                None => load_demo(&store).await?,
            }
        }
        Command::Help { command } => help_command(command)?,
        Command::SandboxGateway(args) => reliability::sandbox_gateway(args).await?,
        Command::Token {
            command:
                TokenCommand::Create {
                    database,
                    user,
                    name,
                    expires,
                    operator,
                },
        } => {
            // The gateway is never called: a token charges nothing.
            let app = faktura_app::Services::new(
                open_store(&database).await?,
                Arc::new(SandboxGateway::new()),
                Config::default(),
            );
            let (token, record, user) = faktura_app::tokens::issue(
                &app,
                &faktura_app::tokens::IssueRequest {
                    user_email: user.as_deref(),
                    name: &name,
                    days: expires,
                    operator,
                },
            )
            .await
            .map_err(|error| {
                use faktura_app::tokens::{IssueError, MAX_DAYS, MAX_NAME_CHARS};
                // Said in the command line's own words: which flag to change.
                match error {
                    IssueError::UserRequired => anyhow::anyhow!(
                        "--user EMAIL is required (or --operator for an operator token)"
                    ),
                    IssueError::Name => {
                        anyhow::anyhow!("--name must be 1–{MAX_NAME_CHARS} characters")
                    }
                    IssueError::Days => anyhow::anyhow!("--expires must be 1–{MAX_DAYS} days"),
                    other => other.into(),
                }
            })?;
            eprintln!(
                "Created {} token {} ({}){}. It is shown only now:",
                if operator {
                    "an operator"
                } else {
                    "a personal access"
                },
                record.id,
                user.as_ref()
                    .map(|u| u.email.as_str())
                    .unwrap_or("operator"),
                record
                    .expires_at
                    .map(|at| format!(", expires {}", at.format("%Y-%m-%d")))
                    .unwrap_or_default()
            );
            println!("{token}");
        }
        Command::Invoices {
            command: InvoicesCommand::Import { database, file },
        } => {
            // Importing charges nothing: the sandbox stands in for a gateway it never calls.
            let app = faktura_app::Services::new(
                open_store(&database).await?,
                Arc::new(SandboxGateway::new()),
                Config::default(),
            );
            let size = std::fs::metadata(&file)
                .with_context(|| format!("cannot read {}", file.display()))?
                .len();
            let reader = std::fs::File::open(&file)
                .with_context(|| format!("cannot open {}", file.display()))?;
            let bar = indicatif::ProgressBar::new(size);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let report = import::import_invoices(&app, std::io::BufReader::new(reader), |bytes| {
                bar.set_position(bytes)
            })
            .await
            .with_context(|| format!("cannot read {}", file.display()))?;
            bar.finish_and_clear();
            println!(
                "{} imported, {} already imported, {} rejected",
                report.imported,
                report.already_imported,
                report.rejected.len()
            );
            for (line, reason) in &report.rejected {
                println!("  line {line}: {reason}");
            }
            if !report.rejected.is_empty() {
                anyhow::bail!("{} rows were rejected", report.rejected.len());
            }
        }
        Command::Serve {
            database,
            listen,
            demo,
            secure_cookies,
            metrics_token,
            articles,
            mail_dir,
            smtp_url,
            mail_from,
            no_notifications,
            webhooks_allow_internal,
            notifications_lease_ms,
            reminder_days,
            gateway,
            seller,
        } => {
            let store = open_store(&database).await?;
            let on_stripe = gateway.gateway_kind == stripe::GatewayKind::Stripe;
            if demo && on_stripe {
                load_demo_with_card(&store, demo::CARD_MADE_AT_GATEWAY.to_owned()).await?;
            } else if demo {
                load_demo(&store).await?;
            }
            let help = load_help(true, &articles)?;
            let (payment_gateway, sandbox) = gateway.gateway(listen)?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            let address = listener.local_addr().unwrap_or(listen);
            let mailer: Arc<dyn faktura_app::mail::Mailer> = match smtp_url
                .filter(|u| !u.trim().is_empty())
            {
                Some(url) => {
                    let smtp = faktura_app::mail::SmtpMailer::from_url(&url)?;
                    tracing::info!(server = ?smtp, "mail is sent over SMTP");
                    Arc::new(smtp)
                }
                None => {
                    let dir = mail_dir.unwrap_or_else(|| default_mail_dir(&database.database_url));
                    tracing::info!(dir = %dir.display(), "mail is written to this folder");
                    println!("Outgoing mail is written to {}", dir.display());
                    Arc::new(faktura_app::mail::FileMailer::new(dir))
                }
            };
            let defaults = Config::default();
            let config = Config {
                janitor: gateway.janitor()?,
                seller: seller.details(),
                mailer,
                webhooks_allow_internal,
                notify_lease: std::time::Duration::from_millis(notifications_lease_ms.max(1_000)),
                due_soon_days: reminder_days,
                mail_from: mail_from
                    .filter(|m| !m.trim().is_empty())
                    .unwrap_or(defaults.mail_from),
                // Links in mail point at the configured public address, else where this server
                // listens (never at a request's Host header).
                public_url: gateway
                    .public_url
                    .clone()
                    .filter(|u| !u.trim().is_empty())
                    .unwrap_or_else(|| {
                        format!(
                            "{}://{address}",
                            if secure_cookies { "https" } else { "http" }
                        )
                    }),
                ..defaults
            };
            let state = AppState::new(
                store,
                payment_gateway,
                sandbox,
                I18n::load().context("cannot load the localization bundles")?,
                config,
                Arc::new(help),
            )
            .with_web_config(WebConfig {
                secure_cookies,
                metrics_token: metrics_token.filter(|t| !t.is_empty()),
            });
            if demo && on_stripe {
                // The demo's saved card is made at Stripe (its test card, on the profile's
                // customer) on the first start; until then it cannot be charged.
                match faktura_app::hosted_cards::make_demo_cards(&state.app).await {
                    Ok(0) => {}
                    Ok(made) => println!("Demo cards made at Stripe: {made}"),
                    Err(error) => {
                        tracing::warn!(%error, "cannot make the demo's cards at Stripe yet; trying again at the next start");
                    }
                }
            }
            tracing::info!(%address, "Faktura is listening");
            println!("Faktura is running at http://{address}/ (press Ctrl+C to stop)");
            // The janitor settles payments in doubt; it stops after the server has finished.
            let (stop_janitor, janitor_stop) = tokio::sync::watch::channel(false);
            let janitor = (!gateway.no_janitor).then(|| {
                tokio::spawn(faktura_app::janitor::run(
                    state.app.clone(),
                    state.app.config.janitor.clone(),
                    janitor_stop,
                ))
            });
            // The notification worker carries the outbox to mailboxes, on every node.
            let notifier = (!no_notifications).then(|| {
                tokio::spawn(faktura_app::notify::run(
                    state.app.clone(),
                    std::time::Duration::from_secs(1),
                    stop_janitor.subscribe(),
                ))
            });
            let served = faktura_web::serve(listener, state).await;
            let _ = stop_janitor.send(true);
            if let Some(janitor) = janitor {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(30), janitor).await;
            }
            if let Some(notifier) = notifier {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(30), notifier).await;
            }
            served.context("the server stopped with an error")?;
        }
    }
    Ok(())
}

/// Loads the help articles and says what happened: read, with warnings, skipped and why.
fn load_help(builtin: bool, dirs: &[PathBuf]) -> anyhow::Result<HelpLibrary> {
    for dir in dirs {
        if !dir.is_dir() {
            anyhow::bail!("--articles {}: not a folder", dir.display());
        }
    }
    let (library, report) = HelpLibrary::load(builtin, dirs);
    eprintln!(
        "Help articles: {} read, {} with warnings, {} skipped",
        report.read,
        report.with_warnings,
        report.skipped.len()
    );
    for (path, reason) in &report.skipped {
        eprintln!("  skipped {}: {reason}", path.display());
    }
    if let Some(error) = &report.index_error {
        eprintln!("  the search index could not be built: {error}");
    }
    Ok(library)
}

fn help_command(command: HelpCommand) -> anyhow::Result<()> {
    match command {
        HelpCommand::Recommend {
            articles,
            no_builtin,
            locale,
            limit,
            json,
            problem,
        } => {
            let locale =
                match locale.as_deref() {
                    Some(tag) => Some(Locale::from_tag(tag).with_context(|| {
                        format!("unsupported locale {tag:?} (use da-DK or en-US)")
                    })?),
                    None => None,
                };
            if no_builtin && articles.is_empty() {
                anyhow::bail!("--no-builtin needs at least one --articles DIR");
            }
            let library = load_help(!no_builtin, &articles)?;
            let found = library.recommend(&problem, locale, limit.clamp(1, 50));
            if json {
                println!("{}", serde_json::to_string_pretty(&found)?);
            } else if found.is_empty() {
                println!("No article fits that description well enough.");
            } else {
                if found.iter().all(|rec| rec.maybe) {
                    println!("No article fits that description well enough. Maybe one of these:");
                }
                for (rank, rec) in found.iter().enumerate() {
                    let note = if rec.cross_language {
                        " (no article in the question's language fits)"
                    } else {
                        ""
                    };
                    println!(
                        "{}. {} [{}] {} (score {:.2}){note}",
                        rank + 1,
                        rec.title,
                        rec.locale,
                        rec.path,
                        rec.score
                    );
                }
            }
        }
        HelpCommand::Check { dir } => {
            if !dir.is_dir() {
                anyhow::bail!("{}: not a folder", dir.display());
            }
            let results = check_dir(&dir);
            let mut with_warnings = 0;
            for (path, warnings) in &results {
                if warnings.is_empty() {
                    println!("ok       {}", path.display());
                } else {
                    with_warnings += 1;
                    for warning in warnings {
                        println!("warning  {}: {warning}", path.display());
                    }
                }
            }
            println!(
                "{} files checked, {} with warnings",
                results.len(),
                with_warnings
            );
        }
    }
    Ok(())
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FAKTURA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("FAKTURA_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> ExitCode {
    memory::tune_allocator();
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_keeps_a_connection_beside_the_sqlite_writer() {
        let serve =
            |n: &str| Cli::try_parse_from(["faktura", "serve", "--database-connections", n]);
        assert!(
            serve("1").is_err(),
            "one connection would be the writer's alone"
        );
        assert!(serve("0").is_err());
        let Ok(Cli {
            command: Command::Serve { database, .. },
            ..
        }) = serve("3")
        else {
            panic!("serve --database-connections 3 parses");
        };
        assert_eq!(database.database_connections, 3);
    }

    #[test]
    fn mail_goes_next_to_the_sqlite_database() {
        assert_eq!(
            default_mail_dir("sqlite://faktura.db"),
            PathBuf::from("mail")
        );
        assert_eq!(
            default_mail_dir("sqlite:///var/lib/faktura/f.db?mode=rwc"),
            PathBuf::from("/var/lib/faktura/mail")
        );
        assert_eq!(
            default_mail_dir("sqlite:data/f.db"),
            PathBuf::from("data/mail")
        );
        assert_eq!(
            default_mail_dir("postgres://faktura@db/faktura"),
            PathBuf::from("mail")
        );
    }

    #[test]
    fn sqlite_urls_create_the_file() {
        assert_eq!(
            normalize_database_url("sqlite://faktura.db"),
            "sqlite://faktura.db?mode=rwc"
        );
        assert_eq!(
            normalize_database_url("sqlite:data/f.db"),
            "sqlite://data/f.db?mode=rwc"
        );
        assert_eq!(
            normalize_database_url("sqlite://f.db?mode=ro"),
            "sqlite://f.db?mode=ro"
        );
        assert_eq!(
            normalize_database_url("postgres://u@h/db"),
            "postgres://u@h/db"
        );
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://f.db"), "sqlite://f.db");
    }

    #[test]
    fn cli_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
