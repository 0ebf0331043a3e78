//! The `faktura` binary: serve the console, run migrations, load demo data.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use faktura_gateway::SandboxGateway;
use faktura_store::demo::{self, DemoInput, DemoLoad};
use faktura_store::{sqlite_url_for_path, Store};
use faktura_web::i18n::I18n;
use faktura_web::state::{AppState, Config};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "faktura",
    version,
    about = "Faktura: a self-hosted billing console and API"
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
}

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
    },
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

async fn open_store(database: &DatabaseArgs) -> anyhow::Result<Store> {
    let url = normalize_database_url(&database.database_url);
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("cannot open the database at {}", redact(&url)))?;
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    Ok(store)
}

async fn load_demo(store: &Store) -> anyhow::Result<()> {
    let (password, generated) = match std::env::var("FAKTURA_DEMO_PASSWORD") {
        Ok(password) if !password.is_empty() => (password, false),
        _ => (faktura_store::random_token()[..16].to_owned(), true),
    };
    let password_hash = faktura_web::auth::hash_password(&password)
        .map_err(|e| anyhow::anyhow!("cannot hash the demo password: {e}"))?;
    let input = DemoInput {
        password_hash,
        saved_card_token: SandboxGateway::token_for_number("4242424242424242"),
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
        Command::Demo { database } => {
            let store = open_store(&database).await?;
            load_demo(&store).await?;
        }
        Command::Serve {
            database,
            listen,
            demo,
            secure_cookies,
        } => {
            let store = open_store(&database).await?;
            if demo {
                load_demo(&store).await?;
            }
            let sandbox = Arc::new(SandboxGateway::new());
            let config = Config {
                secure_cookies,
                ..Config::default()
            };
            let state = AppState {
                store,
                gateway: sandbox.clone(),
                sandbox: Some(sandbox),
                i18n: I18n::load().context("cannot load the localization bundles")?,
                config: Arc::new(config),
            };
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            let address = listener.local_addr().unwrap_or(listen);
            tracing::info!(%address, "Faktura is listening");
            println!("Faktura is running at http://{address}/ (press Ctrl+C to stop)");
            faktura_web::serve(listener, state)
                .await
                .context("the server stopped with an error")?;
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
