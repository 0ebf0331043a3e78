//! Webhooks end to end, on SQLite and PostgreSQL: an owner registers an endpoint through the
//! API, a payment reaches a real HTTP receiver on loopback as `payment.succeeded` and
//! `invoice.paid`, signed so that the `standardwebhooks` package (PyPI, an independent
//! implementation) verifies it; a failing receiver is retried with the same `webhook-id`, a
//! 410 disables the endpoint, the delivery log shows every attempt, resend sends again, a
//! rotated secret keeps the old one signing, `Retry-After` is honoured, a 3-D Secure challenge
//! is announced, and internal addresses are refused by default.

mod common;

use axum::http::{HeaderMap, StatusCode};
use common::api::{ba, overdue_with_card, Api, V};
use common::TestApp;
use faktura_app::mail::FileMailer;
use faktura_app::notify;
use faktura_domain::{CardBrand, PaymentMethod, PaymentMethodId, PaymentMethodStatus};
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_READER};
use faktura_store::Store;
use faktura_web::state::AppState;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// What the receiver got, and the statuses it answers with next (200 when none is queued);
/// while `hangs` is above 0 it takes a request and never answers it; `retry_after` goes with
/// every answer that is not a success.
#[derive(Default)]
struct Receiver {
    received: Mutex<Vec<(HeaderMap, String)>>,
    answers: Mutex<VecDeque<u16>>,
    hangs: Mutex<usize>,
    retry_after: Mutex<Option<&'static str>>,
}

async fn start_receiver() -> (Arc<Receiver>, String) {
    let receiver = Arc::new(Receiver::default());
    let shared = receiver.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let shared = shared.clone();
            async move {
                shared.received.lock().unwrap().push((headers, body));
                let hang = {
                    let mut hangs = shared.hangs.lock().unwrap();
                    let hang = *hangs > 0;
                    *hangs = hangs.saturating_sub(1);
                    hang
                };
                if hang {
                    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                }
                let status = shared.answers.lock().unwrap().pop_front().unwrap_or(200);
                let status = StatusCode::from_u16(status).unwrap();
                let mut headers = HeaderMap::new();
                if let Some(after) = *shared.retry_after.lock().unwrap() {
                    if !status.is_success() {
                        headers.insert("retry-after", after.parse().unwrap());
                    }
                }
                (status, headers, "thanks")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (receiver, url)
}

struct Setup {
    api: Api,
    state: AppState,
    mail: std::path::PathBuf,
}

async fn setup(store: Store, allow_internal: bool) -> Setup {
    setup_with(store, allow_internal, std::time::Duration::from_secs(10)).await
}

async fn setup_with(
    store: Store,
    allow_internal: bool,
    webhook_timeout: std::time::Duration,
) -> Setup {
    let mail =
        std::env::temp_dir().join(format!("faktura-hooks-{}", faktura_store::random_token()));
    let (app, state) = TestApp::with_mailer(store, Arc::new(FileMailer::new(&mail))).await;
    let mut config = (*state.app.config).clone();
    config.webhooks_allow_internal = allow_internal;
    config.webhook_timeout = webhook_timeout;
    let mut state = state;
    state.app.config = Arc::new(config);
    let app = TestApp {
        router: faktura_web::app(state.clone()),
        ..app
    };
    Setup {
        api: Api { app },
        state,
        mail,
    }
}

impl Setup {
    async fn round(&self) -> notify::Round {
        notify::run_once(&self.state.app).await.unwrap()
    }
}

/// `standardwebhooks`' own verification of one request, when the tests' Python has it.
fn verified_by_standardwebhooks(secret: &str, headers: &HeaderMap, body: &str) -> Option<bool> {
    let python = std::env::var("FAKTURA_TEST_PYTHON")
        .ok()
        .filter(|p| !p.is_empty());
    let Some(python) = python else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must verify with standardwebhooks: set FAKTURA_TEST_PYTHON (scripts/test.sh does)"
        );
        return None;
    };
    let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_owned();
    let script = "import sys, json\n\
        from standardwebhooks.webhooks import Webhook\n\
        secret, wid, ts, sig, body = sys.argv[1:6]\n\
        Webhook(secret).verify(body, {'webhook-id': wid, 'webhook-timestamp': ts, 'webhook-signature': sig})\n\
        print('verified')\n";
    let output = std::process::Command::new(python)
        .args(["-c", script, secret])
        .arg(header("webhook-id"))
        .arg(header("webhook-timestamp"))
        .arg(header("webhook-signature"))
        .arg(body)
        .output()
        .unwrap();
    Some(output.status.success() && String::from_utf8_lossy(&output.stdout).contains("verified"))
}

async fn create(api: &Api, token: &str, account: &str, body: Value) -> common::api::Reply {
    api.call(
        "POST",
        &format!("{account}/webhookEndpoints?{V}"),
        Some(token),
        Some(body),
        None,
    )
    .await
}

async fn payments_reach_a_verified_receiver(store: Store) {
    let setup = setup(store, true).await;
    let (receiver, url) = start_receiver().await;
    let (account, invoice, card) = overdue_with_card(&setup.api.app).await;
    let account_path = ba(&account);
    let admin = setup.api.token(NORDLYS_ADMIN).await;
    let reader = setup.api.token(NORDLYS_READER).await;

    let refused = create(&setup.api, &reader, &account_path, json!({"url": url})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);
    let unknown = create(
        &setup.api,
        &admin,
        &account_path,
        json!({"url": url, "eventTypes": ["invoice.eaten"]}),
    )
    .await;
    assert_eq!(unknown.json["error"]["code"], "UnknownEventType");
    let created = create(
        &setup.api,
        &admin,
        &account_path,
        json!({"url": url, "eventTypes": ["payment.succeeded", "invoice.paid"]}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let secret = created.json["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let endpoint = created.json["id"].as_str().unwrap().to_owned();
    let listed = setup
        .api
        .get(&format!("{account_path}/webhookEndpoints?{V}"), &admin)
        .await;
    assert_eq!(listed.json["value"][0]["id"], endpoint.as_str());
    assert!(
        listed.json["value"][0].get("secret").is_none(),
        "the secret is shown once"
    );

    // The receiver fails once: the first round retries, the next (when due) delivers.
    receiver.answers.lock().unwrap().push_back(503);
    let paid = setup
        .api
        .call(
            "POST",
            &format!("{account_path}/invoices/{}/pay?{V}", invoice.id),
            Some(&admin),
            Some(json!({"paymentMethodId": card.as_str()})),
            None,
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.json);
    let first = setup.round().await;
    // Receipt mails (2) delivered; of the two webhooks the first answered 503.
    assert_eq!((first.events, first.retrying), (2, 1), "{first:?}");
    sqlx::query("UPDATE deliveries SET next_attempt_at = 0 WHERE state = 'pending'")
        .execute(setup.api.app.store.pool())
        .await
        .unwrap();
    assert_eq!(setup.round().await.delivered, 1);
    let received = receiver.received.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    let types: Vec<String> = received
        .iter()
        .map(|(_, body)| {
            serde_json::from_str::<Value>(body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(types.contains(&"payment.succeeded".to_owned()), "{types:?}");
    assert!(types.contains(&"invoice.paid".to_owned()), "{types:?}");
    // The retry carried the same webhook-id as the failed attempt.
    let ids: Vec<&str> = received
        .iter()
        .map(|(h, _)| h.get("webhook-id").unwrap().to_str().unwrap())
        .collect();
    assert_eq!(ids[0], ids[2], "{ids:?}");
    for (headers, body) in &received {
        let data: Value = serde_json::from_str(body).unwrap();
        assert_eq!(data["data"]["billingAccountId"], account.as_str());
        assert_eq!(data["data"]["object"], invoice.number.as_str());
        assert!(headers
            .get("webhook-signature")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("v1,"));
        if let Some(ok) = verified_by_standardwebhooks(&secret, headers, body) {
            assert!(ok, "standardwebhooks rejected {body}");
            assert_eq!(
                verified_by_standardwebhooks(
                    "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                    headers,
                    body
                ),
                Some(false)
            );
        }
    }

    // The delivery log: three attempts, one 503, newest first.
    let log = setup
        .api
        .get(
            &format!("{account_path}/webhookEndpoints/{endpoint}/deliveryAttempts?{V}"),
            &admin,
        )
        .await;
    let attempts = log.json["value"].as_array().unwrap();
    assert_eq!(attempts.len(), 3, "{}", log.json);
    assert_eq!(
        attempts.iter().filter(|a| a["httpStatus"] == 503).count(),
        1
    );
    assert!(attempts.iter().all(|a| a["latencyMs"].is_i64()));
    // Resend one: the same webhook-id arrives again.
    let delivery = attempts[0]["deliveryId"].as_str().unwrap();
    let resent = setup
        .api
        .call(
            "POST",
            &format!("{account_path}/webhookEndpoints/{endpoint}/deliveries/{delivery}/resend?{V}"),
            Some(&admin),
            None,
            None,
        )
        .await;
    assert_eq!(resent.status, StatusCode::ACCEPTED, "{}", resent.json);
    assert_eq!(setup.round().await.delivered, 1);
    let again = receiver.received.lock().unwrap().last().unwrap().0.clone();
    assert_eq!(again.get("webhook-id").unwrap(), delivery);

    // Rotation: the new secret is returned once and both secrets sign for a while.
    let rotated = setup
        .api
        .call(
            "POST",
            &format!("{account_path}/webhookEndpoints/{endpoint}/rotateSecret?{V}"),
            Some(&admin),
            None,
            None,
        )
        .await;
    let new_secret = rotated.json["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    assert!(rotated.json["previousSecretValidUntil"].is_string());
    setup
        .api
        .call(
            "POST",
            &format!("{account_path}/webhookEndpoints/{endpoint}/deliveries/{delivery}/resend?{V}"),
            Some(&admin),
            None,
            None,
        )
        .await;
    // This time the receiver answers 410 Gone: the endpoint is disabled, nothing is retried.
    receiver.answers.lock().unwrap().push_back(410);
    let gone = setup.round().await;
    assert_eq!(gone.failed, 1, "{gone:?}");
    let (headers, body) = receiver.received.lock().unwrap().last().unwrap().clone();
    assert_eq!(
        headers
            .get("webhook-signature")
            .unwrap()
            .to_str()
            .unwrap()
            .split(' ')
            .count(),
        2
    );
    for key in [&secret, &new_secret] {
        if let Some(ok) = verified_by_standardwebhooks(key, &headers, &body) {
            assert!(ok, "both secrets verify during the rotation");
        }
    }
    let listed = setup
        .api
        .get(&format!("{account_path}/webhookEndpoints?{V}"), &admin)
        .await;
    assert_eq!(listed.json["value"][0]["enabled"], false);
    assert!(listed.json["value"][0]["disabledReason"]
        .as_str()
        .unwrap()
        .contains("410"));

    // Another account cannot see or touch the endpoint.
    let outsider = setup.api.token(faktura_store::demo::PRAIRIE_OWNER).await;
    let hidden = setup
        .api
        .call(
            "DELETE",
            &format!("{account_path}/webhookEndpoints/{endpoint}?{V}"),
            Some(&outsider),
            None,
            None,
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let removed = setup
        .api
        .call(
            "DELETE",
            &format!("{account_path}/webhookEndpoints/{endpoint}?{V}"),
            Some(&admin),
            None,
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let _ = std::fs::remove_dir_all(&setup.mail);
}

async fn internal_addresses_are_refused_by_default(store: Store) {
    let setup = setup(store, false).await;
    let (account, _, _) = overdue_with_card(&setup.api.app).await;
    let admin = setup.api.token(NORDLYS_ADMIN).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://10.0.0.5/hook",
    ] {
        let refused = create(&setup.api, &admin, &ba(&account), json!({"url": url})).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{url}");
        assert_eq!(
            refused.json["error"]["code"], "InternalAddress",
            "{url}: {}",
            refused.json
        );
    }
    let bad = create(
        &setup.api,
        &admin,
        &ba(&account),
        json!({"url": "file:///etc/passwd"}),
    )
    .await;
    assert_eq!(bad.json["error"]["code"], "InvalidUrl");
    // The operator's endpoint is checked the same way.
    let ops = setup.api.operator_token().await;
    let operator = setup
        .api
        .call(
            "POST",
            "/operator/v1/webhookEndpoints",
            Some(&ops),
            Some(json!({"url": "http://127.0.0.1:1/x"})),
            None,
        )
        .await;
    assert_eq!(operator.json["error"]["code"], "InternalAddress");
    let _ = std::fs::remove_dir_all(&setup.mail);
}

/// The portal's Webhooks page: an owner registers an endpoint (the secret shown once), the
/// endpoint's log shows the deliveries after a payment, a reader is refused inside the service.
async fn owners_manage_webhooks_in_the_portal(store: Store) {
    let setup = setup(store, true).await;
    let (receiver, url) = start_receiver().await;
    let (account, invoice, card) = overdue_with_card(&setup.api.app).await;
    let mut owner = setup.api.app.signed_in(NORDLYS_ADMIN).await;
    let page = owner.get(&format!("/billing/{account}/webhooks")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("data-test-id=\"no-webhooks\""),
        "{}",
        page.body
    );
    let bad = owner
        .post_form(
            &format!("/billing/{account}/webhooks"),
            &[("url", "gopher://x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("aria-invalid=\"true\""));
    let created = owner
        .post_form(
            &format!("/billing/{account}/webhooks"),
            &[("url", url.as_str()), ("event", "invoice.paid")],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert!(created
        .body
        .contains("data-test-id=\"webhook-secret-value\">whsec_"));
    assert!(created.body.contains("Invoice paid"));
    let endpoint = setup
        .api
        .app
        .store
        .webhook_endpoints(Some(&account))
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(endpoint.event_types, ["invoice.paid"]);
    let listed = owner.get(&format!("/billing/{account}/webhooks")).await;
    assert!(
        !listed.body.contains("whsec_"),
        "the secret is not shown again"
    );

    let token = setup.api.token(NORDLYS_ADMIN).await;
    setup
        .api
        .call(
            "POST",
            &format!("{}/invoices/{}/pay?{V}", ba(&account), invoice.id),
            Some(&token),
            Some(json!({"paymentMethodId": card.as_str()})),
            None,
        )
        .await;
    setup.round().await;
    assert_eq!(
        receiver.received.lock().unwrap().len(),
        1,
        "only invoice.paid was asked for"
    );
    let log = owner
        .get(&format!("/billing/{account}/webhooks/{}", endpoint.id))
        .await;
    assert_eq!(log.status, StatusCode::OK);
    assert_eq!(
        log.body.matches("data-test-id=\"attempt-row\"").count(),
        1,
        "{}",
        log.body
    );
    assert!(log.body.contains("<td>200</td>"), "{}", log.body);
    assert!(log.body.contains("Delivered"));

    let mut reader = setup.api.app.signed_in(NORDLYS_READER).await;
    let refused = reader.get(&format!("/billing/{account}/webhooks")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("manage webhooks"), "{}", refused.body);
    let removed = owner
        .post_form(
            &format!("/billing/{account}/webhooks/{}/delete", endpoint.id),
            &[],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(setup
        .api
        .app
        .store
        .webhook_endpoints(Some(&account))
        .await
        .unwrap()
        .is_empty());
    let _ = std::fs::remove_dir_all(&setup.mail);
}

/// A receiver that fails through the whole retry schedule: the endpoint is turned off and the
/// account's owners are mailed.
async fn an_endpoint_failing_for_days_is_turned_off_and_its_owners_told(store: Store) {
    let setup = setup(store.clone(), true).await;
    let (receiver, url) = start_receiver().await;
    receiver.answers.lock().unwrap().extend([500, 500]);
    let (account, invoice, card) = overdue_with_card(&setup.api.app).await;
    let admin = setup.api.token(NORDLYS_ADMIN).await;
    let created = create(
        &setup.api,
        &admin,
        &ba(&account),
        json!({"url": url, "eventTypes": ["payment.succeeded"]}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    setup
        .api
        .call(
            "POST",
            &format!("{}/invoices/{}/pay?{V}", ba(&account), invoice.id),
            Some(&admin),
            Some(json!({"paymentMethodId": card.as_str()})),
            None,
        )
        .await;
    assert_eq!(setup.round().await.retrying, 1);
    // Three days later: the last attempt of the schedule fails too.
    sqlx::query(
        "UPDATE deliveries SET attempts = 9, next_attempt_at = 0 WHERE channel = 'webhook'",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let last = setup.round().await;
    assert_eq!(last.failed, 1, "{last:?}");
    let listed = setup
        .api
        .get(&format!("{}/webhookEndpoints?{V}", ba(&account)), &admin)
        .await;
    assert_eq!(listed.json["value"][0]["enabled"], false, "{}", listed.json);
    assert!(listed.json["value"][0]["disabledReason"]
        .as_str()
        .unwrap()
        .contains("three days"));
    // The next round mails the owner (the account administrator holds the owner role).
    setup.round().await;
    let mails: Vec<String> = std::fs::read_dir(&setup.mail)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let told = mails
        .iter()
        .filter(|m| m.contains(&format!("To: {NORDLYS_ADMIN}")) && m.contains("was turned off"))
        .count();
    assert_eq!(told, 1, "{mails:#?}");
    // Nothing more is sent to the turned-off endpoint.
    let before = receiver.received.lock().unwrap().len();
    sqlx::query("UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = 0 WHERE channel = 'webhook'")
        .execute(store.pool())
        .await
        .unwrap();
    setup.round().await;
    assert_eq!(receiver.received.lock().unwrap().len(), before);
    let _ = std::fs::remove_dir_all(&setup.mail);
}

/// A receiver that takes the request and never answers holds a round up only for the
/// timeout; the attempt is logged as unanswered and retried with the same `webhook-id`.
async fn a_hanging_receiver_times_out_and_is_retried(store: Store) {
    let setup = setup_with(store, true, std::time::Duration::from_millis(300)).await;
    let (receiver, url) = start_receiver().await;
    let (account, invoice, card) = overdue_with_card(&setup.api.app).await;
    let account_path = ba(&account);
    let admin = setup.api.token(NORDLYS_ADMIN).await;
    let created = create(
        &setup.api,
        &admin,
        &account_path,
        json!({"url": url, "eventTypes": ["invoice.paid"]}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let endpoint = created.json["id"].as_str().unwrap().to_owned();
    *receiver.hangs.lock().unwrap() = 1;
    let paid = setup
        .api
        .call(
            "POST",
            &format!("{account_path}/invoices/{}/pay?{V}", invoice.id),
            Some(&admin),
            Some(json!({"paymentMethodId": card.as_str()})),
            None,
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.json);
    let started = std::time::Instant::now();
    let first = setup.round().await;
    assert_eq!(first.retrying, 1, "{first:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "the round waited for the receiver"
    );
    let log = setup
        .api
        .get(
            &format!("{account_path}/webhookEndpoints/{endpoint}/deliveryAttempts?{V}"),
            &admin,
        )
        .await;
    let attempts = log.json["value"].as_array().unwrap().clone();
    assert_eq!(attempts.len(), 1, "{}", log.json);
    assert!(attempts[0]["httpStatus"].is_null(), "{}", log.json);
    assert_eq!(attempts[0]["response"], "no answer within the timeout");
    assert!(
        attempts[0]["latencyMs"].as_i64().unwrap() >= 300,
        "{}",
        log.json
    );
    sqlx::query("UPDATE deliveries SET next_attempt_at = 0 WHERE state = 'pending'")
        .execute(setup.api.app.store.pool())
        .await
        .unwrap();
    assert_eq!(setup.round().await.delivered, 1);
    let received = receiver.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].0.get("webhook-id"),
        received[1].0.get("webhook-id"),
        "one delivery, tried twice"
    );
}

/// A receiver that answers 503 with `Retry-After: 120` is tried again in two minutes, not on
/// the schedule's 5 s; the payment waiting for its 3-D Secure challenge is announced
/// (`payment.requires_action`), and its cancellation too (`payment.failed`).
async fn retry_after_is_honoured_and_challenges_are_announced(store: Store) {
    let setup = setup(store, true).await;
    let (receiver, url) = start_receiver().await;
    let app = &setup.api.app;
    let n = common::portal::nordlys(&app.store).await;
    let secure = PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: n.account.clone(),
        billing_profile_id: n.past_due.billing_profile_id.clone(),
        gateway_token: faktura_gateway::SandboxGateway::token_for_number("4000002760003184"),
        brand: CardBrand::Visa,
        last4: "3184".into(),
        exp_month: 12,
        exp_year: 2034,
        holder: "Mette Nordlys".into(),
        status: PaymentMethodStatus::Active,
        created_at: chrono::Utc::now(),
    };
    app.store.add_payment_method(&secure).await.unwrap();
    let admin = setup.api.token(NORDLYS_ADMIN).await;
    let account_path = ba(&n.account);
    let created = create(
        &setup.api,
        &admin,
        &account_path,
        json!({"url": url, "eventTypes": ["payment.requires_action", "payment.failed"]}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    receiver.answers.lock().unwrap().push_back(503);
    *receiver.retry_after.lock().unwrap() = Some("120");
    let invoice = format!("{account_path}/invoices/{}", n.past_due.id);
    let started = setup
        .api
        .call(
            "POST",
            &format!("{invoice}/pay?{V}"),
            Some(&admin),
            Some(json!({"paymentMethodId": secure.id.as_str()})),
            None,
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    let before = chrono::Utc::now();
    let round = setup.round().await;
    assert_eq!(round.retrying, 1, "{round:?}");
    let (kind, next): (String, i64) = sqlx::query_as(
        "SELECT e.kind, d.next_attempt_at FROM deliveries d JOIN outbox_events e ON e.id = d.event_id \
         WHERE d.channel = 'webhook' AND d.state = 'pending'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(kind, "payment.requires_action");
    let wait = next - before.timestamp_millis();
    assert!(
        (110_000..=135_000).contains(&wait),
        "the receiver's two minutes, not the schedule's 5 s: {wait} ms"
    );
    sqlx::query("UPDATE deliveries SET next_attempt_at = 0 WHERE state = 'pending'")
        .execute(app.store.pool())
        .await
        .unwrap();
    setup.round().await;
    let payment = started.json["name"].as_str().unwrap().to_owned();
    let cancelled = setup
        .api
        .call(
            "POST",
            &format!("{invoice}/payments/{payment}/cancel?{V}"),
            Some(&admin),
            None,
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.json);
    setup.round().await;
    let types: Vec<String> = receiver
        .received
        .lock()
        .unwrap()
        .iter()
        .map(|(_, body)| {
            serde_json::from_str::<Value>(body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        types,
        [
            "payment.requires_action",
            "payment.requires_action",
            "payment.failed"
        ],
        "the first attempt answered 503"
    );
    let _ = std::fs::remove_dir_all(&setup.mail);
}

faktura_store::on_both_backends!(
    retry_after_is_honoured_and_challenges_are_announced,
    a_hanging_receiver_times_out_and_is_retried,
    payments_reach_a_verified_receiver,
    internal_addresses_are_refused_by_default,
    owners_manage_webhooks_in_the_portal,
    an_endpoint_failing_for_days_is_turned_off_and_its_owners_told,
);
