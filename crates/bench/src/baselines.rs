//! The raw limits the server is measured against, in the same run: one-row-update transactions
//! on SQLite with Faktura's durability, through the C library (the `sqlite3` shell: nothing
//! between the SQL and the library) and through sqlx, `pgbench` TPC-B on the same PostgreSQL,
//! and the API list's own SQL run alone at the list phase's concurrency (the `sqlite3` shell on
//! SQLite, `pgbench` with a custom script on PostgreSQL).

use crate::Args;
use anyhow::{bail, Context};
use sqlx::{Connection, Executor};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RAW_PRAGMAS: &str =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;\n";

/// Runs one `sqlite3` shell per script at once (output discarded) and returns the time until
/// the last has finished.
fn run_shells(database: &Path, scripts: &[String]) -> anyhow::Result<Duration> {
    let dir = std::env::temp_dir();
    let mut files = Vec::new();
    for (n, script) in scripts.iter().enumerate() {
        let file = dir.join(format!("faktura-load-{}-{n}.sql", std::process::id()));
        std::fs::write(&file, script)?;
        files.push(file);
    }
    let started = Instant::now();
    let mut children = Vec::new();
    for file in &files {
        children.push(
            Command::new("sqlite3")
                .arg("-batch")
                .arg(database)
                .stdin(Stdio::from(std::fs::File::open(file)?))
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .context("cannot run sqlite3 (apt-get install sqlite3)")?,
        );
    }
    let mut failure = None;
    for child in children {
        let output = child.wait_with_output()?;
        if !output.status.success() || !output.stderr.is_empty() {
            failure.get_or_insert(String::from_utf8_lossy(&output.stderr).into_owned());
        }
    }
    let took = started.elapsed();
    for file in files {
        let _ = std::fs::remove_file(file);
    }
    match failure {
        Some(error) => bail!("sqlite3 failed: {error}"),
        None => Ok(took),
    }
}

/// `repeat` copies of `body` after `head`, one script per client.
fn scripts(
    clients: usize,
    head: &str,
    body: &dyn Fn(usize) -> String,
    repeat: usize,
) -> Vec<String> {
    (0..clients)
        .map(|c| {
            let one = body(c);
            let mut script = String::with_capacity(head.len() + one.len() * repeat);
            script.push_str(head);
            for _ in 0..repeat {
                script.push_str(&one);
            }
            script
        })
        .collect()
}

/// Runs `body` in a loop on 1 and on `clients` shells for about `seconds` (the count is
/// calibrated by a short pilot) and returns the best rate and its client count.
fn shell_rate(
    database: &Path,
    head: &str,
    body: &dyn Fn(usize) -> String,
    client_counts: &[usize],
    seconds: u64,
    what: &str,
) -> anyhow::Result<(f64, usize)> {
    let pilot = 200;
    let took = run_shells(database, &scripts(1, head, body, pilot))?;
    let pilot_rate = pilot as f64 / took.as_secs_f64().max(1e-3);
    let mut best = (0.0, 1);
    for &clients in client_counts {
        let repeat = ((pilot_rate * seconds as f64) / clients as f64).max(50.0) as usize;
        let took = run_shells(database, &scripts(clients, head, body, repeat))?;
        let rate = (repeat * clients) as f64 / took.as_secs_f64();
        println!("  {what}, {clients} sqlite3 shells: {rate:.0}/s");
        if rate > best.0 {
            best = (rate, clients);
        }
    }
    Ok(best)
}

/// One-row `UPDATE` transactions (`BEGIN IMMEDIATE … COMMIT`, WAL, `synchronous=FULL`) through
/// the C library: the `sqlite3` shell, best of 1 and 8 connections.
pub fn raw_sqlite_c(args: &Args) -> anyhow::Result<(f64, usize)> {
    let path = args.raw_sqlite.with_extension("c.db");
    let _ = std::fs::remove_file(&path);
    run_shells(
        &path,
        &[format!(
            "{RAW_PRAGMAS}CREATE TABLE counters (id INTEGER PRIMARY KEY, n BIGINT NOT NULL);\n\
             INSERT INTO counters (id, n) VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0);\n"
        )],
    )?;
    let body = |c: usize| {
        format!(
            "BEGIN IMMEDIATE; UPDATE counters SET n = n + 1 WHERE id = {}; COMMIT;\n",
            c % 8 + 1
        )
    };
    let best = shell_rate(
        &path,
        RAW_PRAGMAS,
        &body,
        &[1, 8],
        args.seconds,
        "raw SQLite (C)",
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    best
}

/// The same transactions through sqlx's SQLite driver (its worker thread per connection), for
/// comparison with the C library.
pub async fn raw_sqlite_sqlx(args: &Args) -> anyhow::Result<(f64, usize)> {
    let _ = std::fs::remove_file(&args.raw_sqlite);
    let url = format!("sqlite://{}?mode=rwc", args.raw_sqlite.display());
    let mut best = (0.0, 1);
    for clients in [1usize, 8] {
        let counter = Arc::new(AtomicUsize::new(0));
        let deadline = Instant::now() + Duration::from_secs(args.seconds);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..clients {
            let url = url.clone();
            let counter = counter.clone();
            tasks.push(tokio::spawn(async move {
                let mut conn = sqlx::SqliteConnection::connect(&url).await?;
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; \
                     CREATE TABLE IF NOT EXISTS counters (id INTEGER PRIMARY KEY, n BIGINT NOT NULL); \
                     INSERT OR IGNORE INTO counters (id, n) VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0)",
                )
                .await?;
                let id = (c % 8 + 1) as i64;
                while Instant::now() < deadline {
                    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
                    sqlx::query("UPDATE counters SET n = n + 1 WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                anyhow::Ok(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        let rate = counter.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
        println!("  raw SQLite (sqlx), {clients} connections: {rate:.0} tx/s");
        if rate > best.0 {
            best = (rate, clients);
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", args.raw_sqlite.display()));
    }
    Ok(best)
}

fn pgbench_base(args: &Args) -> [&str; 4] {
    [
        "-h",
        args.pgbench_host.as_str(),
        "-U",
        args.pgbench_user.as_str(),
    ]
}

/// Runs pgbench (already initialised) and returns its tps and average latency in ms.
fn run_pgbench(
    args: &Args,
    clients: usize,
    extra: &[&str],
    db: &str,
) -> anyhow::Result<(f64, f64)> {
    let output = Command::new("pgbench")
        .args(pgbench_base(args))
        .args([
            "-M",
            "prepared",
            "-c",
            &clients.to_string(),
            "-j",
            &clients.min(2).to_string(),
            "-T",
            &args.seconds.to_string(),
        ])
        .args(extra)
        .arg(db)
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l[prefix.len()..].split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
    };
    let tps = field("tps = ").with_context(|| {
        format!(
            "no tps in pgbench's output: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    Ok((tps, field("latency average = ").unwrap_or(0.0)))
}

/// pgbench TPC-B-like, scale 10, prepared, best of the pay phases' client counts.
pub fn pgbench(args: &Args, db: &str) -> anyhow::Result<(f64, usize)> {
    let _ = Command::new("createdb")
        .args(pgbench_base(args))
        .arg(db)
        .stderr(Stdio::null())
        .status();
    let init = Command::new("pgbench")
        .args(pgbench_base(args))
        .args(["-i", "-q", "-s", "10", db])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("cannot run pgbench (apt-get install postgresql-contrib)")?;
    if !init.success() {
        bail!("pgbench -i failed");
    }
    let mut best = (0.0, 1);
    for &clients in &args.clients {
        let (tps, _) = run_pgbench(args, clients, &[], db)?;
        println!("  pgbench, {clients} clients: {tps:.0} tps");
        if tps > best.0 {
            best = (tps, clients);
        }
    }
    Ok(best)
}

/// The SQL one API list request needs for its data, as the server sends it for a caller who
/// sees the whole account (`crates/store/src/invoices.rs` and `payments.rs`): the page of
/// invoices with their profiles' names, then the page's payments. Literal values, one statement
/// each.
pub struct ListSql {
    pub list: String,
    pub payments: String,
}

impl ListSql {
    pub fn new(account: &str, page_size: u32, page_invoices: &[String]) -> ListSql {
        let mut ids = String::new();
        for (n, id) in page_invoices.iter().enumerate() {
            let _ = write!(ids, "{}'{id}'", if n == 0 { "" } else { ", " });
        }
        ListSql {
            list: format!(
                "SELECT i.*, p.display_name AS profile_name FROM invoices i \
                 JOIN billing_profiles p ON p.id = i.billing_profile_id \
                 WHERE i.billing_account_id = '{account}' \
                 ORDER BY i.invoice_date DESC, i.number DESC LIMIT {}",
                page_size + 1
            ),
            payments: format!(
                "SELECT * FROM payments WHERE billing_account_id = '{account}' AND invoice_id IN ({ids}) \
                 ORDER BY invoice_id, created_at, id"
            ),
        }
    }
}

/// The list's SQL alone on SQLite through the C library, `clients` shells at once: requests/s.
pub fn list_sql_sqlite(args: &Args, database: &Path, sql: &ListSql) -> anyhow::Result<f64> {
    let body = |_| format!("{};\n{};\n", sql.list, sql.payments);
    let (rate, _) = shell_rate(
        database,
        "",
        &body,
        &[args.list_clients],
        args.seconds,
        "list SQL alone (C)",
    )?;
    Ok(rate)
}

/// The list's SQL alone on PostgreSQL: pgbench with it as a custom script, prepared, at the
/// list phase's concurrency. Returns requests/s and the average latency in ms.
pub fn list_sql_pgbench(args: &Args, db: &str, sql: &ListSql) -> anyhow::Result<(f64, f64)> {
    let script = std::env::temp_dir().join(format!("faktura-load-list-{}.sql", std::process::id()));
    std::fs::write(&script, format!("{};\n{};\n", sql.list, sql.payments))?;
    let file = format!("--file={}", script.display());
    let result = run_pgbench(args, args.list_clients, &["--no-vacuum", &file], db);
    let _ = std::fs::remove_file(&script);
    let (tps, latency) = result?;
    println!(
        "  list SQL alone (pgbench), {} clients: {tps:.0}/s, {latency:.2} ms average",
        args.list_clients
    );
    Ok((tps, latency))
}
