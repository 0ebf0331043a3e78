//! `faktura-load`: Faktura's load generator. It starts `faktura serve` on each database it is
//! given (filled beforehand by `faktura demo --accounts …`), measures start-up time and memory,
//! signs in over HTTP, pays invoices through the API with idempotency keys at 1, 8 and 32
//! concurrent clients, reads the invoice list (API and portal page) at 8 clients, and measures the
//! raw limits of the same databases in the same run: one-row-update transactions on SQLite at the
//! same durability (WAL, `synchronous=FULL`) and `pgbench` (TPC-B-like) on the same PostgreSQL.
//!
//! Client and server share this machine's cores; the printed table says so.

mod baselines;
mod cpu;

use anyhow::{bail, Context};
use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use rand::seq::SliceRandom;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(
    name = "faktura-load",
    about = "Faktura's load generator and benchmark table"
)]
struct Args {
    /// The faktura binary to start (a release build).
    #[arg(long, default_value = "target/release/faktura")]
    faktura: PathBuf,
    /// A database to benchmark, filled by `faktura demo --accounts …`; repeatable.
    #[arg(long = "database-url", required = true)]
    databases: Vec<String>,
    /// The password of the generated users (FAKTURA_DEMO_PASSWORD when they were generated).
    #[arg(long, env = "FAKTURA_DEMO_PASSWORD")]
    password: String,
    /// Seconds per measured phase.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent clients of the pay phases.
    #[arg(long, default_value = "1,8,32", value_delimiter = ',')]
    clients: Vec<usize>,
    /// Concurrent clients of the list phases.
    #[arg(long, default_value_t = 8)]
    list_clients: usize,
    /// Invoices per list page ($top for the API).
    #[arg(long, default_value_t = 50)]
    page_size: u32,
    /// Port for the server under test (on 127.0.0.1).
    #[arg(long, default_value_t = 18080)]
    port: u16,
    /// Database name for pgbench on the same PostgreSQL server (created and initialised here).
    #[arg(long)]
    pgbench_db: Option<String>,
    /// pgbench's host and user.
    #[arg(long, default_value = "127.0.0.1")]
    pgbench_host: String,
    #[arg(long, default_value = "postgres")]
    pgbench_user: String,
    /// Scratch file for the raw SQLite baseline.
    #[arg(long, default_value = "/tmp/faktura-raw-baseline.db")]
    raw_sqlite: PathBuf,
    /// Start-ups to time (the median is reported).
    #[arg(long, default_value_t = 5)]
    startups: usize,
    /// Sign-ins to time.
    #[arg(long, default_value_t = 10)]
    sign_ins: usize,
    /// Skip the list phases (for profiling the pay path).
    #[arg(long)]
    skip_lists: bool,
    /// Skip the raw baselines.
    #[arg(long)]
    skip_baselines: bool,
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

#[derive(Debug, Default, Clone)]
struct Latencies {
    samples: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
}

impl Latencies {
    fn merge(&mut self, other: Latencies) {
        self.samples.extend(other.samples);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn percentile(&self, p: usize) -> Duration {
        if self.samples.is_empty() {
            return Duration::ZERO;
        }
        let mut sorted = self.samples.clone();
        sorted.sort();
        sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

struct Row {
    measure: String,
    backend: String,
    value: String,
    p50: String,
    p99: String,
    note: String,
}

#[derive(Default)]
struct Table {
    rows: Vec<Row>,
}

impl Table {
    fn add(
        &mut self,
        measure: &str,
        backend: &str,
        value: String,
        p50: &str,
        p99: &str,
        note: String,
    ) {
        println!("  {measure} [{backend}]: {value} p50 {p50} p99 {p99} {note}");
        self.rows.push(Row {
            measure: measure.into(),
            backend: backend.into(),
            value,
            p50: p50.into(),
            p99: p99.into(),
            note,
        });
    }

    fn print(&self) {
        println!("\n| measure | backend | result | p50 ms | p99 ms | note |");
        println!("|---|---|---:|---:|---:|---|");
        for r in &self.rows {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                r.measure, r.backend, r.value, r.p50, r.p99, r.note
            );
        }
    }
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown CPU")
        .to_owned();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown memory".into());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "nproc {cpus}, {model}, {memory}; load average at start {}; client and server on this same machine",
        load.join(" ")
    )
}

/// VmRSS and VmHWM (peak) of a process, in MiB.
fn rss_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server(
    args: &Args,
    url: &str,
    client: &HttpClient,
) -> anyhow::Result<(Server, Duration)> {
    let started = Instant::now();
    let child = Command::new(&args.faktura)
        .args(["serve", "--database-url", url, "--listen"])
        .arg(format!("127.0.0.1:{}", args.port))
        .env("FAKTURA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", args.faktura.display()))?;
    let mut server = Server { child };
    let health = format!("http://127.0.0.1:{}/healthz", args.port);
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            bail!("the server exited at start-up: {status}");
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("the server was not ready within 60 s");
        }
        let request = Request::get(health.as_str()).body(Full::new(Bytes::new()))?;
        if let Ok(response) = client.request(request).await {
            if response.status() == StatusCode::OK {
                return Ok((server, started.elapsed()));
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn send(
    client: &HttpClient,
    request: Request<Full<Bytes>>,
) -> anyhow::Result<(StatusCode, hyper::HeaderMap, Bytes)> {
    let response = client.request(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, headers, body))
}

/// Signs in over HTTP as a browser does (the sign-in page's signed CSRF cookie, sent back with
/// the form) and returns the session cookie.
async fn sign_in(args: &Args, client: &HttpClient, email: &str) -> anyhow::Result<String> {
    let page = Request::get(format!("http://127.0.0.1:{}/signin", args.port))
        .body(Full::new(Bytes::new()))?;
    let (_, page_headers, _) = send(client, page).await?;
    let Some(csrf) = page_headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("faktura_csrf="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
    else {
        bail!("the sign-in page set no CSRF cookie");
    };
    let form = format!(
        "csrf={csrf}&email={}&password={}",
        email.replace('@', "%40"),
        args.password
    );
    let request = Request::post(format!("http://127.0.0.1:{}/signin", args.port))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("faktura_csrf={csrf}"))
        .body(Full::new(Bytes::from(form)))?;
    let (status, headers, _) = send(client, request).await?;
    let session = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("faktura_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    match session {
        Some(cookie) if status.is_redirection() => Ok(cookie),
        _ => bail!("sign-in as {email} failed with {status} (is --password right?)"),
    }
}

struct PayTarget {
    account: String,
    invoice: String,
    method: String,
    token: Arc<String>,
}

async fn pay_targets(url: &str) -> anyhow::Result<(Vec<PayTarget>, String, String)> {
    let store = faktura_store::Store::connect(url).await?;
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT i.billing_account_id, i.id, m.id FROM invoices i \
         JOIN payment_methods m ON m.billing_profile_id = i.billing_profile_id AND m.status = 'active' \
         WHERE i.status = 'Due' AND NOT EXISTS \
         (SELECT 1 FROM payments p WHERE p.invoice_id = i.id AND p.state <> 'failed')",
    )
    .fetch_all(store.pool())
    .await?;
    let owners: Vec<(String, String)> =
        sqlx::query_as("SELECT a.id, a.account_admin_user_id FROM billing_accounts a")
            .fetch_all(store.pool())
            .await?;
    let mut tokens: HashMap<String, Arc<String>> = HashMap::new();
    for (account, user) in &owners {
        let user = faktura_domain::UserId::parse(user)?;
        let (token, _) = store
            .create_api_token(Some(&user), "faktura-load", None, false, None)
            .await?;
        tokens.insert(account.clone(), Arc::new(token));
    }
    let list_account: String = sqlx::query_scalar(
        "SELECT a.id FROM billing_accounts a JOIN users u ON u.id = a.account_admin_user_id \
         WHERE u.email = 'owner1@scale.example'",
    )
    .fetch_one(store.pool())
    .await
    .context("no scale data: run faktura demo --accounts … first")?;
    let list_token = tokens
        .get(&list_account)
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default();
    let mut targets: Vec<PayTarget> = rows
        .into_iter()
        .filter_map(|(account, invoice, method)| {
            let token = tokens.get(&account)?.clone();
            Some(PayTarget {
                account,
                invoice,
                method,
                token,
            })
        })
        .collect();
    targets.shuffle(&mut rand::thread_rng());
    store.close().await;
    Ok((targets, list_account, list_token))
}

/// Runs `clients` loops for `seconds`, each calling `make` for its next request.
async fn run_phase<F>(
    clients: usize,
    seconds: u64,
    client: &HttpClient,
    make: F,
) -> (Latencies, f64)
where
    F: Fn(usize) -> Option<Request<Full<Bytes>>> + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let counter = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let make = make.clone();
        let counter = counter.clone();
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Latencies::default();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let Some(request) = make(n) else { break };
                let sent = Instant::now();
                match send(&client, request).await {
                    Ok((status, _, _)) if status.is_success() => {
                        latencies.samples.push(sent.elapsed());
                    }
                    Ok((status, _, body_or)) => {
                        latencies.errors += 1;
                        if latencies.first_error.is_none() {
                            latencies.first_error = Some(format!(
                                "{status}: {}",
                                String::from_utf8_lossy(&body_or)
                                    .chars()
                                    .take(200)
                                    .collect::<String>()
                            ));
                        }
                    }
                    Err(error) => {
                        latencies.errors += 1;
                        latencies.first_error.get_or_insert(error.to_string());
                    }
                }
            }
            latencies
        }));
    }
    let mut all = Latencies::default();
    for task in tasks {
        if let Ok(latencies) = task.await {
            all.merge(latencies);
        }
    }
    (all, started.elapsed().as_secs_f64())
}

fn backend_name(url: &str) -> &'static str {
    if url.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    }
}

async fn bench_database(
    args: &Args,
    url: &str,
    client: &HttpClient,
    table: &mut Table,
) -> anyhow::Result<f64> {
    let backend = backend_name(url);
    println!("== {backend}: {url}");
    // Start-up to ready (first 200 from /healthz), with the existing database.
    let mut startups = Vec::new();
    for _ in 1..args.startups.max(1) {
        let (server, took) = start_server(args, url, client).await?;
        startups.push(took);
        drop(server);
    }
    let (server, took) = start_server(args, url, client).await?;
    startups.push(took);
    startups.sort();
    let median = startups[startups.len() / 2];
    table.add(
        "start-up to ready",
        backend,
        format!("{} ms", ms(median)),
        "",
        "",
        format!("median of {} (min {} ms)", startups.len(), ms(startups[0])),
    );
    let pid = server.child.id();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (idle_rss, _) = rss_mib(pid);

    let (targets, list_account, list_token) = pay_targets(url).await?;
    println!("  {} payable invoices", targets.len());

    // Sign-in: argon2id verification + session + audit, over HTTP.
    let mut sign_ins = Latencies::default();
    let mut cookie = String::new();
    for _ in 0..args.sign_ins {
        let started = Instant::now();
        cookie = sign_in(args, client, "owner1@scale.example").await?;
        sign_ins.samples.push(started.elapsed());
    }
    let (after_sign_in_rss, _) = rss_mib(pid);
    table.add(
        "sign-in (POST /signin)",
        backend,
        format!("{} sign-ins", sign_ins.samples.len()),
        &ms(sign_ins.percentile(50)),
        &ms(sign_ins.percentile(99)),
        "argon2id m=19 MiB, t=2, p=1, sequential".into(),
    );
    table.add(
        "RSS idle (0.5 s after ready)",
        backend,
        format!("{idle_rss:.1} MiB"),
        "",
        "",
        format!("{after_sign_in_rss:.1} MiB after the sign-ins (argon2 takes 19 MiB each)"),
    );

    // Invoice lists: the account of owner1, 8 clients.
    let api_url = format!(
        "http://127.0.0.1:{}/providers/Microsoft.Billing/billingAccounts/{list_account}/invoices?api-version=2024-04-01&$top={}",
        args.port, args.page_size
    );
    let count: i64 = {
        let store = faktura_store::Store::connect(url).await?;
        let n = sqlx::query_scalar("SELECT COUNT(*) FROM invoices WHERE billing_account_id = $1")
            .bind(&list_account)
            .fetch_one(store.pool())
            .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoices")
            .fetch_one(store.pool())
            .await?;
        store.close().await;
        println!("  list account holds {n} of {total} invoices");
        n
    };
    // The list's own SQL, run alone (no Faktura in between) at the same concurrency.
    let list_sql = if args.skip_lists || args.skip_baselines {
        None
    } else {
        let store = faktura_store::Store::connect(url).await?;
        let page: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM invoices WHERE billing_account_id = $1 \
             ORDER BY invoice_date DESC, number DESC LIMIT $2",
        )
        .bind(&list_account)
        .bind(i64::from(args.page_size))
        .fetch_all(store.pool())
        .await?;
        store.close().await;
        let sql = baselines::ListSql::new(&list_account, args.page_size, &page);
        let rate = match url.strip_prefix("sqlite://") {
            Some(path) => {
                let path = path.split('?').next().unwrap_or(path);
                baselines::list_sql_sqlite(args, std::path::Path::new(path), &sql)?
            }
            None => {
                let db = url.rsplit('/').next().unwrap_or_default();
                let db = db.split('?').next().unwrap_or(db);
                baselines::list_sql_pgbench(args, db, &sql)?.0
            }
        };
        let how = if url.starts_with("sqlite:") {
            "sqlite3 shells (C library)"
        } else {
            "pgbench -M prepared, custom script"
        };
        table.add(
            &format!(
                "list SQL alone (page + its payments), {} clients",
                args.list_clients
            ),
            backend,
            format!("{rate:.0} req/s"),
            "",
            "",
            how.into(),
        );
        Some(rate)
    };
    if !args.skip_lists {
        let token = list_token.clone();
        let url = api_url.clone();
        let cpu_before = cpu::CpuClock::now(pid);
        let (lat, secs) = run_phase(args.list_clients, args.seconds, client, move |_| {
            Request::get(url.as_str())
                .header("authorization", format!("Bearer {token}"))
                .body(Full::new(Bytes::new()))
                .ok()
        })
        .await;
        table.add(
            &format!(
                "API invoice list, $top={}, {} clients",
                args.page_size, args.list_clients
            ),
            backend,
            format!("{:.0} req/s", lat.samples.len() as f64 / secs),
            &ms(lat.percentile(50)),
            &ms(lat.percentile(99)),
            errors_note(
                &lat,
                &format!(
                    "account with {count} invoices; {}",
                    cpu_before.per_request(&cpu::CpuClock::now(pid), lat.samples.len())
                ),
            ),
        );
        if let Some(alone) = list_sql.filter(|r| *r > 0.0) {
            table.add(
                "API list / list SQL alone",
                backend,
                format!("{:.0} %", lat.samples.len() as f64 / secs / alone * 100.0),
                "",
                "",
                "target ≥ 50 %".into(),
            );
        }
    }
    if !args.skip_lists {
        let page = format!(
            "http://127.0.0.1:{}/billing/{list_account}/invoices",
            args.port
        );
        let cookie = cookie.clone();
        let cpu_before = cpu::CpuClock::now(pid);
        let (lat, secs) = run_phase(args.list_clients, args.seconds, client, move |_| {
            Request::get(page.as_str())
                .header("cookie", cookie.as_str())
                .body(Full::new(Bytes::new()))
                .ok()
        })
        .await;
        table.add(
            &format!("portal invoice page, {} clients", args.list_clients),
            backend,
            format!("{:.0} req/s", lat.samples.len() as f64 / secs),
            &ms(lat.percentile(50)),
            &ms(lat.percentile(99)),
            errors_note(
                &lat,
                &format!(
                    "HTML, session cookie; {}",
                    cpu_before.per_request(&cpu::CpuClock::now(pid), lat.samples.len())
                ),
            ),
        );
    }

    // Pay throughput.
    let targets = Arc::new(targets);
    let next = Arc::new(AtomicUsize::new(0));
    let mut best = 0.0_f64;
    for &clients in &args.clients {
        let targets = targets.clone();
        let next = next.clone();
        let port = args.port;
        let run = format!("{:x}", rand::random::<u64>());
        let cpu_before = cpu::CpuClock::now(pid);
        let (lat, secs) = run_phase(clients, args.seconds, client, move |_| {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let target = targets.get(i)?;
            Request::builder()
                .method(Method::POST)
                .uri(format!(
                    "http://127.0.0.1:{port}/providers/Microsoft.Billing/billingAccounts/{}/invoices/{}/pay?api-version=2024-04-01",
                    target.account, target.invoice
                ))
                .header("authorization", format!("Bearer {}", target.token))
                .header("content-type", "application/json")
                .header("idempotency-key", format!("load-{run}-{i}"))
                .body(Full::new(Bytes::from(format!(
                    "{{\"paymentMethodId\":\"{}\"}}",
                    target.method
                ))))
                .ok()
        })
        .await;
        let rate = lat.samples.len() as f64 / secs;
        best = best.max(rate);
        table.add(
            &format!("pay (API, Idempotency-Key), {clients} clients"),
            backend,
            format!("{rate:.0} payments/s"),
            &ms(lat.percentile(50)),
            &ms(lat.percentile(99)),
            errors_note(
                &lat,
                &format!(
                    "{} payments; {}",
                    lat.samples.len(),
                    cpu_before.per_request(&cpu::CpuClock::now(pid), lat.samples.len())
                ),
            ),
        );
    }
    let (_, peak) = rss_mib(pid);
    table.add(
        "RSS peak (after pay load)",
        backend,
        format!("{peak:.1} MiB"),
        "",
        "",
        String::new(),
    );
    drop(server);
    Ok(best)
}

fn errors_note(lat: &Latencies, note: &str) -> String {
    match &lat.first_error {
        Some(first) if lat.errors > 0 => format!("{note}; {} errors, first: {first}", lat.errors),
        _ => note.to_owned(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    sqlx::any::install_default_drivers();
    let machine = machine();
    println!("Machine: {machine}");
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let mut table = Table::default();

    let (raw_sqlite, raw_sqlx) = if args.skip_baselines {
        ((0.0, 0), (0.0, 0))
    } else {
        (
            baselines::raw_sqlite_c(&args)?,
            baselines::raw_sqlite_sqlx(&args).await?,
        )
    };
    table.add(
        "raw SQLite, C library (sqlite3 shell): one-row UPDATE transactions (WAL, synchronous=FULL)",
        "SQLite",
        format!("{:.0} tx/s", raw_sqlite.0),
        "",
        "",
        format!("best of 1/8 connections ({})", raw_sqlite.1),
    );
    table.add(
        "the same through sqlx's SQLite driver",
        "SQLite",
        format!("{:.0} tx/s", raw_sqlx.0),
        "",
        "",
        format!("best of 1/8 connections ({})", raw_sqlx.1),
    );
    let pg = match &args.pgbench_db {
        Some(db) if !args.skip_baselines => {
            let best = baselines::pgbench(&args, db)?;
            table.add(
                "pgbench TPC-B-like (scale 10, prepared)",
                "PostgreSQL",
                format!("{:.0} tps", best.0),
                "",
                "",
                format!("best of {:?} clients ({})", args.clients, best.1),
            );
            Some(best.0)
        }
        _ => None,
    };

    for url in args.databases.clone() {
        let best = bench_database(&args, &url, &client, &mut table).await?;
        let (raw, name) = if url.starts_with("sqlite:") {
            (Some(raw_sqlite.0), "raw SQLite (C library)")
        } else {
            (pg, "pgbench")
        };
        if let Some(raw) = raw.filter(|r| *r > 0.0) {
            table.add(
                &format!("best pay rate / {name}"),
                backend_name(&url),
                format!("{:.0} %", best / raw * 100.0),
                "",
                "",
                "target ≥ 50 %".into(),
            );
        }
    }
    println!("\nMachine: {machine}");
    table.print();
    Ok(())
}
