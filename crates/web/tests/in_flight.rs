//! A payment whose charge request is still on its way to the gateway: the 3-D Secure return
//! link opened meanwhile must not mark it failed (that let a second attempt charge again), and
//! the first payer gets the success. Through the real router, API and portal, on SQLite and
//! PostgreSQL, with a gateway that holds each charge until the test releases it.

mod common;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::TestApp;
use faktura_domain::card::CardInput;
use faktura_domain::*;
use faktura_gateway::{
    CardToken, Charge, ChargeRequest, GatewayError, PaymentGateway, SandboxGateway, SetupRequest,
};
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_store::Store;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tower::ServiceExt;

/// The sandbox, but every charge waits at the door until the test lets one through.
struct HeldGateway {
    inner: Arc<SandboxGateway>,
    arrived: Notify,
    door: Semaphore,
}

#[async_trait]
impl PaymentGateway for HeldGateway {
    async fn tokenize(&self, card: &CardInput) -> Result<CardToken, GatewayError> {
        self.inner.tokenize(card).await
    }

    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, GatewayError> {
        self.arrived.notify_one();
        let permit = self
            .door
            .acquire()
            .await
            .map_err(|_| GatewayError::Unknown("closed".into()))?;
        permit.forget();
        self.inner.charge(request).await
    }

    async fn lookup(&self, key: &str) -> Result<Option<Charge>, GatewayError> {
        self.inner.lookup(key).await
    }

    async fn setup(&self, request: &SetupRequest) -> Result<Charge, GatewayError> {
        self.inner.setup(request).await
    }
}

async fn pay_over_api(
    router: axum::Router,
    path: String,
    token: String,
    card: String,
) -> (StatusCode, Value) {
    let request = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "faktura.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"paymentMethodId": card}).to_string()))
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn return_link_while_the_charge_is_on_its_way(store: Store) {
    let sandbox = Arc::new(SandboxGateway::new());
    let held = Arc::new(HeldGateway {
        inner: sandbox.clone(),
        arrived: Notify::new(),
        door: Semaphore::new(0),
    });
    let app = TestApp::with_gateway(store, held.clone(), sandbox.clone()).await;
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

    // The first payer's charge request leaves for the gateway and is held there.
    let paying = tokio::spawn(pay_over_api(
        app.router.clone(),
        path.clone(),
        token.clone(),
        card.clone(),
    ));
    tokio::time::timeout(Duration::from_secs(10), held.arrived.notified())
        .await
        .expect("the charge request reached the gateway");
    let open = app
        .store
        .open_payment_for(&account, &invoice.id)
        .await
        .unwrap()
        .expect("the payment is recorded before the gateway is called");
    assert_eq!(open.state, PaymentState::Processing);

    // Someone opens the 3-D Secure return link now (a second tab, a replayed URL).
    let mut browser = app.signed_in(NORDLYS_ADMIN).await;
    let page = browser
        .get(&format!("/billing/{account}/payments/{}/return", open.id))
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let meanwhile = app
        .store
        .payment(&account, &open.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        meanwhile.state,
        PaymentState::Processing,
        "no charge under the key yet is not a failure while the request may still arrive"
    );

    // A second Pay now meanwhile is refused: the first attempt is still open.
    let (second, body) = pay_over_api(app.router.clone(), path, token, card).await;
    assert_eq!(second, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "PaymentInProgress");

    // The charge goes through; the first payer gets the success and the invoice is paid once.
    held.door.add_permits(1);
    let (status, body) = tokio::time::timeout(Duration::from_secs(10), paying)
        .await
        .expect("the first pay answers")
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["properties"]["status"], "Succeeded");
    let settled = app
        .store
        .payment(&account, &open.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settled.state, PaymentState::Succeeded);
    let paid = app
        .store
        .invoice(&account, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);
    let charges = sandbox.ledger();
    assert_eq!(charges.len(), 1, "{charges:?}");
    let payments = app
        .store
        .payments_for_invoice(&account, &invoice.id)
        .await
        .unwrap();
    assert_eq!(payments.len(), 1, "{payments:?}");
}

faktura_store::on_both_backends!(return_link_while_the_charge_is_on_its_way);
