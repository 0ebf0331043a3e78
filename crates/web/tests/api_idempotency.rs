//! Idempotency keys are compared with the stored request before the new body is validated:
//! a key reused with other parameters is refused as such (422), even when the new body names
//! a card that does not exist; a body that fails validation does not use the key up.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::TestApp;
use faktura_domain::*;
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_store::Store;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

async fn pay(app: &TestApp, path: &str, token: &str, key: &str, card: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "faktura.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", key)
        .body(Body::from(json!({"paymentMethodId": card}).to_string()))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn a_reused_key_is_compared_before_the_body_is_validated(store: Store) {
    let app = TestApp::with_demo(store).await;
    let (account, invoice, card) = common::api::overdue_with_card(&app).await;
    let card = card.to_string();
    let admin = app
        .store
        .user_by_email(NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let (token, _) = app
        .store
        .create_api_token(Some(&admin.id), "test", None, false, None)
        .await
        .unwrap();
    let path = format!(
        "/providers/Microsoft.Billing/billingAccounts/{account}/invoices/{}/pay?api-version=2024-04-01",
        invoice.id
    );
    let unknown = PaymentMethodId::generate().to_string();

    // A first body naming an unknown card is refused, and does not use the key up.
    let (status, body) = pay(&app, &path, &token, "key-1", &unknown).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "PaymentMethodNotFound");
    let (status, body) = pay(&app, &path, &token, "key-1", &card).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The same key with another (unknown) card: the reuse is what is wrong.
    let (status, body) = pay(&app, &path, &token, "key-1", &unknown).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "IdempotencyKeyReused");
    // The original request again: its stored answer.
    let (status, body) = pay(&app, &path, &token, "key-1", &card).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["properties"]["status"], "Succeeded");
    assert_eq!(app.sandbox.ledger().len(), 1);
}

faktura_store::on_both_backends!(a_reused_key_is_compared_before_the_body_is_validated);
