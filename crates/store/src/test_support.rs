//! Fresh, isolated databases for tests: a new SQLite file, or a new PostgreSQL schema.
//!
//! PostgreSQL tests use `FAKTURA_TEST_DATABASE_URL`. When it is unset they are skipped with a
//! printed reason, except under `CI=true`, where a missing or unreachable PostgreSQL fails.

use crate::{sqlite_url_for_path, Backend, Store};
use sqlx::Connection;

fn unique_name() -> String {
    crate::sessions::random_token()[..16].to_owned()
}

/// A migrated store on a fresh SQLite file in the temp directory.
pub async fn sqlite() -> Store {
    let path = std::env::temp_dir().join(format!("faktura-test-{}.db", unique_name()));
    let url = sqlite_url_for_path(&path.to_string_lossy());
    let store = Store::connect(&url)
        .await
        .expect("open test SQLite database");
    store.migrate().await.expect("migrate test SQLite database");
    store
}

/// The PostgreSQL URL for tests, or `None` (with a printed reason) when tests should skip.
pub fn postgres_url() -> Option<String> {
    match std::env::var("FAKTURA_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!(
                "CI=true but FAKTURA_TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI"
            )
        }
        _ => {
            eprintln!("skipping PostgreSQL test: FAKTURA_TEST_DATABASE_URL is not set");
            note_skipped();
            None
        }
    }
}

/// Records a skipped PostgreSQL test (libtest counts it as passed) in
/// `$FAKTURA_TEST_ARTIFACTS/postgres-skipped.txt`, one test name a line, so that
/// `scripts/test.sh` can report "N skipped: no FAKTURA_TEST_DATABASE_URL" honestly.
fn note_skipped() {
    use std::io::Write;
    let Some(dir) = std::env::var_os("FAKTURA_TEST_ARTIFACTS") else {
        return;
    };
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("unnamed test");
    let line = format!("{} {name}\n", std::env::args().next().unwrap_or_default());
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(std::path::Path::new(&dir).join("postgres-skipped.txt"));
    if let Ok(mut file) = file {
        let _ = file.write_all(line.as_bytes());
    }
}

/// A migrated store in a fresh schema of the test PostgreSQL database, or `None` to skip.
pub async fn postgres() -> Option<Store> {
    let url = postgres_schema_url().await?;
    let store = Store::connect(&url).await.expect("connect to test schema");
    assert_eq!(store.backend(), Backend::Postgres);
    store.migrate().await.expect("migrate test schema");
    Some(store)
}

/// The URL of a fresh, empty schema in the test PostgreSQL database (for tests that start
/// `faktura serve` processes on it), or `None` to skip.
pub async fn postgres_schema_url() -> Option<String> {
    let base = postgres_url()?;
    let schema = format!("t_{}", unique_name());
    sqlx::any::install_default_drivers();
    let mut admin = sqlx::AnyConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at FAKTURA_TEST_DATABASE_URL: {e}"));
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .expect("create test schema");
    let _ = admin.close().await;
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!(
        "{base}{separator}options=-c%20search_path%3D{schema}"
    ))
}

/// Runs the body once per backend: always on SQLite, on PostgreSQL when configured.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::test_support::sqlite().await).await;
                }
            )+
        }
        mod postgres_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(store) = $crate::test_support::postgres().await {
                        super::$name(store).await;
                    }
                }
            )+
        }
    };
}
