//! The notification worker's throughput: how fast the outbox empties into a local webhook
//! receiver and the mail transport. `cargo bench -p faktura-bench --bench notify`
//! (`-- --events N`, default 2,000).
//!
//! On a SQLite demo database (WAL, `synchronous=FULL`), the operator issues N invoices through
//! the application layer: each queues one `invoice.issued` event, which the worker turns into a
//! mail to the profile's invoice recipient (composed in Danish or English with the invoice PDF,
//! written by the file transport) and a signed webhook call to a receiver on loopback that
//! answers 200 at once. Then `notify::run_once` runs until the outbox is empty, timed. A second
//! pass without the webhook endpoint measures the mail alone; a third writes no mail (the
//! message is still composed, PDF and all) to show what the file transport costs.
//!
//! `-- --holders N` (default 200) then times who one `invoice.issued` is for on an account where
//! N more people hold a role and switched new invoices on: `notify::recipients` (the people in
//! one query) against the per-person lookups it replaced (their choices, then the user, two
//! queries each), replayed here with the same store calls.

use faktura_app::mail::{MailError, Mailer, Message};
use faktura_app::notify;
use faktura_app::operator::{issue_invoice, InvoiceRequest, LineRequest};
use faktura_domain::BillingAccountId;
use faktura_store::demo::{DemoInput, NORDLYS_ADMIN};
use faktura_web::state::AppState;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// A transport that accepts every message and keeps nothing (the webhook-only pass).
#[derive(Debug)]
struct Discard;

#[async_trait::async_trait]
impl Mailer for Discard {
    async fn send(&self, _: &Message) -> Result<(), MailError> {
        Ok(())
    }
}

/// A receiver on loopback answering 200 to every call; how many it got.
async fn receiver() -> anyhow::Result<(String, Arc<AtomicUsize>)> {
    let count = Arc::new(AtomicUsize::new(0));
    let shared = count.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let shared = shared.clone();
            async move {
                shared.fetch_add(1, Ordering::Relaxed);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, count))
}

struct Pass {
    name: &'static str,
    mail: Arc<dyn Mailer>,
    webhook: bool,
    /// Only the webhook calls: each event is fanned out as the worker does (same calls, timed)
    /// but its mail deliveries are dropped, so this measures events to the local receiver.
    webhook_only: bool,
}

async fn state(mailer: Arc<dyn Mailer>) -> anyhow::Result<AppState> {
    let store = faktura_store::test_support::sqlite().await;
    store
        .load_demo(&DemoInput {
            password_hash: "x".into(),
            saved_card_token: "tok_bench".into(),
            today: chrono::Utc::now().date_naive(),
        })
        .await?;
    let (library, _) = faktura_help::HelpLibrary::load(true, &[]);
    Ok(AppState::new(
        store,
        Arc::new(faktura_gateway::SandboxGateway::new()),
        None,
        faktura_web::i18n::I18n::load()?,
        faktura_app::Config {
            mailer,
            webhooks_allow_internal: true,
            ..faktura_app::Config::default()
        },
        Arc::new(library),
    ))
}

async fn run(pass: &Pass, events: usize) -> anyhow::Result<()> {
    let state = state(pass.mail.clone()).await?;
    let app = &state.app;
    let admin = app
        .store
        .user_by_email(NORDLYS_ADMIN)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo admin"))?;
    let account: BillingAccountId = app.store.accounts_for_user(&admin.id).await?[0].id.clone();
    let profile = app.store.profiles(&account).await?[0].id.clone();
    let (url, received) = receiver().await?;
    if pass.webhook {
        notify_endpoint(app, &url).await?;
    }
    let today = chrono::Utc::now().date_naive();
    for n in 0..events {
        let request = InvoiceRequest {
            billing_profile_id: profile.to_string(),
            number: format!("B{n:09}"),
            invoice_date: today,
            period_start: today - chrono::Duration::days(30),
            period_end: today - chrono::Duration::days(1),
            due_date: today + chrono::Duration::days(30),
            lines: vec![LineRequest {
                service: "Support".into(),
                description: "Standard plan".into(),
                quantity: "1".into(),
                unit_price: "699.00".into(),
                amount: None,
            }],
            tax: Some("174.75".into()),
            credits: None,
        };
        issue_invoice(app, account.as_str(), &request)
            .await
            .map_err(|e| anyhow::anyhow!("issue: {e:?}"))?;
    }
    let started = Instant::now();
    let mut deliveries = 0;
    if pass.webhook_only {
        let lease = chrono::Duration::minutes(5);
        loop {
            let events = app
                .store
                .claim_outbox_events(50, chrono::Utc::now(), lease)
                .await?;
            if events.is_empty() {
                break;
            }
            for event in &events {
                let mut to = notify::recipients(app, event).await?;
                to.retain(|d| d.channel == notify::WEBHOOK);
                app.store
                    .fan_out(&event.id, &to, chrono::Utc::now())
                    .await?;
            }
        }
    }
    loop {
        let round = notify::run_once(app).await?;
        deliveries += round.delivered + round.failed;
        if round.events == 0 && round.delivered + round.retrying + round.failed == 0 {
            break;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{:<44} {events:>6} events  {deliveries:>6} deliveries  {:>8.0} events/s  {:>8.0} deliveries/s  ({} webhook calls received, {seconds:.2} s)",
        pass.name,
        events as f64 / seconds,
        deliveries as f64 / seconds,
        received.load(Ordering::Relaxed),
    );
    Ok(())
}

async fn notify_endpoint(app: &faktura_app::Services, url: &str) -> anyhow::Result<()> {
    faktura_app::webhooks::operator_create(app, url, &["invoice.issued".to_owned()])
        .await
        .map_err(|e| anyhow::anyhow!("endpoint: {e}"))?;
    Ok(())
}

/// Times `notify::recipients` for one `invoice.issued` on an account with `holders` more people
/// who want it, against the per-person lookups it replaced.
async fn recipients_pass(holders: usize) -> anyhow::Result<()> {
    use faktura_domain::notifications::Topic;
    use faktura_domain::{Locale, Role, Scope};
    let state = state(Arc::new(Discard)).await?;
    let app = &state.app;
    let admin = app
        .store
        .user_by_email(NORDLYS_ADMIN)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo admin"))?;
    let account: BillingAccountId = app.store.accounts_for_user(&admin.id).await?[0].id.clone();
    let profile = app.store.profiles(&account).await?[0].id.clone();
    let actor = faktura_store::AuditActor {
        user: admin.id.clone(),
        ip: None,
    };
    for n in 0..holders {
        let granted = app
            .store
            .grant_role(
                &account,
                &format!("reader{n}@nordlys.example"),
                &Scope::Profile(profile.clone()),
                Role::BillingProfileReader,
                &actor,
                Locale::EnUs,
            )
            .await?
            .map_err(|e| anyhow::anyhow!("grant: {e:?}"))?;
        app.store
            .set_notification_choices(
                &granted.user.id,
                &[(Topic::InvoiceIssued, true)],
                chrono::Utc::now(),
            )
            .await?;
    }
    let today = chrono::Utc::now().date_naive();
    let request = InvoiceRequest {
        billing_profile_id: profile.to_string(),
        number: "R000000001".into(),
        invoice_date: today,
        period_start: today - chrono::Duration::days(30),
        period_end: today - chrono::Duration::days(1),
        due_date: today + chrono::Duration::days(30),
        lines: vec![LineRequest {
            service: "Support".into(),
            description: "Standard plan".into(),
            quantity: "1".into(),
            unit_price: "699.00".into(),
            amount: None,
        }],
        tax: Some("174.75".into()),
        credits: None,
    };
    issue_invoice(app, account.as_str(), &request)
        .await
        .map_err(|e| anyhow::anyhow!("issue: {e:?}"))?;
    let event = app
        .store
        .claim_outbox_events(10_000, chrono::Utc::now(), chrono::Duration::minutes(5))
        .await?
        .into_iter()
        .find(|e| e.kind == "invoice.issued")
        .ok_or_else(|| anyhow::anyhow!("no invoice.issued event"))?;
    let rounds = 50;
    let started = Instant::now();
    let mut people = 0;
    for _ in 0..rounds {
        people = notify::recipients(app, &event).await?.len();
    }
    let batched = started.elapsed().as_secs_f64() / f64::from(rounds);
    // The lookups recipients made before: the account and its roles, then for each holder
    // their choices and their user, one query each.
    let started = Instant::now();
    let mut wanted = 0;
    for _ in 0..rounds {
        let _ = app.store.account(&account).await?;
        let assignments = app.store.role_assignments(&account).await?;
        let mut ids: Vec<_> = assignments.iter().map(|(a, _)| a.user_id.clone()).collect();
        ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        ids.dedup();
        wanted = 0;
        for id in &ids {
            let choices = app.store.notification_choices(id).await?;
            if Topic::InvoiceIssued.wanted(choices.get(&Topic::InvoiceIssued).copied())
                && app.store.user_by_id(id).await?.is_some()
            {
                wanted += 1;
            }
        }
    }
    let per_person = started.elapsed().as_secs_f64() / f64::from(rounds);
    println!(
        "recipients of one invoice.issued, {holders} more people opted in: {people} deliveries; \
         one query for the people {:.2} ms, per-person lookups ({wanted} wanted) {:.2} ms ({:.1}x)",
        batched * 1e3,
        per_person * 1e3,
        per_person / batched
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let events = args
        .iter()
        .position(|a| a == "--events")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let holders = args
        .iter()
        .position(|a| a == "--holders")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let mail_dir = std::env::temp_dir().join(format!(
        "faktura-bench-mail-{}",
        faktura_store::random_token()
    ));
    let file_mail: Arc<dyn Mailer> = Arc::new(faktura_app::mail::FileMailer::new(&mail_dir));
    let runtime = tokio::runtime::Runtime::new()?;
    let passes = [
        Pass {
            name: "mail (PDF, file transport) + webhook",
            mail: file_mail.clone(),
            webhook: true,
            webhook_only: false,
        },
        Pass {
            name: "mail only (PDF, file transport)",
            mail: file_mail,
            webhook: false,
            webhook_only: false,
        },
        Pass {
            name: "webhook + mail composed, not written",
            mail: Arc::new(Discard),
            webhook: true,
            webhook_only: false,
        },
        Pass {
            name: "webhook only (signed POST to loopback)",
            mail: Arc::new(Discard),
            webhook: true,
            webhook_only: true,
        },
    ];
    for pass in &passes {
        runtime.block_on(run(pass, events))?;
    }
    runtime.block_on(recipients_pass(holders))?;
    let _ = std::fs::remove_dir_all(&mail_dir);
    Ok(())
}
