//! The connector against a small fake of Stripe's API that misbehaves on purpose: 5xx, 429
//! (with a short and a long `Retry-After`), a hang past the timeout, no server at all, a
//! decline. Only a decline is a failure; everything else is "unknown".

use super::*;
use crate::ChargeStatus;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use faktura_domain::{Currency, FailureReason, Money};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Fake {
    calls: AtomicUsize,
    headers: Mutex<Vec<HeaderMap>>,
}

async fn confirm(
    State(fake): State<Arc<Fake>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> axum::response::Response {
    let call = fake.calls.fetch_add(1, Ordering::SeqCst);
    if let Ok(mut seen) = fake.headers.lock() {
        seen.push(headers);
    }
    let succeeded = json!({"id": id, "status": "succeeded", "amount": 700, "currency": "dkk",
        "metadata": {"faktura_key": "pay_fault"}});
    match id.as_str() {
        "pi_500" => StatusCode::BAD_GATEWAY.into_response(),
        "pi_429" if call == 0 => {
            (StatusCode::TOO_MANY_REQUESTS, [("Retry-After", "1")]).into_response()
        }
        "pi_429" => Json(succeeded).into_response(),
        "pi_429long" => (StatusCode::TOO_MANY_REQUESTS, [("Retry-After", "60")]).into_response(),
        "pi_hang" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Json(succeeded).into_response()
        }
        "pi_402" => (
            StatusCode::PAYMENT_REQUIRED,
            Json(json!({"error": {"type": "card_error", "code": "card_declined",
                "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}})),
        )
            .into_response(),
        _ => Json(succeeded).into_response(),
    }
}

async fn start() -> (String, Arc<Fake>) {
    let fake = Arc::new(Fake::default());
    let app = Router::new()
        .route("/v1/payment_intents/{id}/confirm", post(confirm))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{address}"), fake)
}

fn gateway(base: &str) -> StripeGateway {
    let mut config = StripeConfig::new("sk_test_fault", "pk_test_fault", "whsec_fault");
    config.api_base = base.to_owned();
    config.timeout = Duration::from_millis(400);
    StripeGateway::new(config).unwrap()
}

fn request(intent: &str) -> ChargeRequest {
    ChargeRequest {
        idempotency_key: "pay_fault".into(),
        token: "pm_fault".into(),
        amount: Money::from_minor(700, Currency::DKK),
        return_url: "/return".into(),
        reference: Some(intent.into()),
        metadata: Vec::new(),
    }
}

#[tokio::test]
async fn no_definite_answer_is_unknown_never_failed() {
    let (base, _) = start().await;
    let stripe = gateway(&base);
    for intent in ["pi_500", "pi_429long", "pi_hang"] {
        assert!(
            matches!(
                stripe.charge(&request(intent)).await,
                Err(GatewayError::Unknown(_))
            ),
            "{intent}"
        );
    }
    // Nobody listening (a reset or a refused connection).
    let gone = gateway("http://127.0.0.1:9");
    assert!(matches!(
        gone.charge(&request("pi_ok")).await,
        Err(GatewayError::Unknown(_))
    ));
}

#[tokio::test]
async fn a_short_retry_after_is_honoured_once() {
    let (base, fake) = start().await;
    let charge = gateway(&base).charge(&request("pi_429")).await.unwrap();
    assert_eq!(charge.status, ChargeStatus::Succeeded);
    assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_decline_is_a_failure_with_our_reason() {
    let (base, _) = start().await;
    let charge = gateway(&base).charge(&request("pi_402")).await.unwrap();
    assert_eq!(
        charge.status,
        ChargeStatus::Failed(FailureReason::InsufficientFunds)
    );
    assert_eq!(charge.reference, "pi_402");
}

#[tokio::test]
async fn requests_carry_the_pinned_version_the_key_and_an_idempotency_key() {
    let (base, fake) = start().await;
    gateway(&base).charge(&request("pi_ok")).await.unwrap();
    let seen = fake.headers.lock().unwrap();
    let headers = &seen[0];
    assert_eq!(headers["stripe-version"], STRIPE_API_VERSION);
    assert_eq!(headers["authorization"], "Bearer sk_test_fault");
    assert_eq!(headers["idempotency-key"], "pay_fault-confirm");
}
