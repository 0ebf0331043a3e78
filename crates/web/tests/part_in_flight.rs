//! A part payment whose charge has landed at the gateway while our answer is still on its way
//! back: a second click (or a client retrying without a key) must not pay the same part again,
//! although something is still due. Through the real router on SQLite and PostgreSQL, with a
//! gateway that charges at once and holds its answer until the test releases it.

mod common;

use async_trait::async_trait;
use axum::http::StatusCode;
use common::api::{ba, overdue_with_card, Api, V};
use common::TestApp;
use faktura_domain::card::CardInput;
use faktura_gateway::{
    CardToken, Charge, ChargeRequest, ChargeStatus, GatewayError, PaymentGateway, SandboxGateway,
    SetupRequest,
};
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_store::Store;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// The sandbox, but each charge's answer waits until the test lets it go: the money has moved,
/// and we do not know it yet.
struct SlowAnswer {
    inner: Arc<SandboxGateway>,
    charged: Notify,
    door: Semaphore,
}

#[async_trait]
impl PaymentGateway for SlowAnswer {
    async fn tokenize(&self, card: &CardInput) -> Result<CardToken, GatewayError> {
        self.inner.tokenize(card).await
    }

    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, GatewayError> {
        let answer = self.inner.charge(request).await;
        self.charged.notify_one();
        let permit = self
            .door
            .acquire()
            .await
            .map_err(|_| GatewayError::Unknown("closed".into()))?;
        permit.forget();
        answer
    }

    async fn lookup(&self, key: &str) -> Result<Option<Charge>, GatewayError> {
        self.inner.lookup(key).await
    }

    async fn setup(&self, request: &SetupRequest) -> Result<Charge, GatewayError> {
        self.inner.setup(request).await
    }
}

async fn a_second_part_payment_waits_for_the_first_to_land(store: Store) {
    let sandbox = Arc::new(SandboxGateway::new());
    let slow = Arc::new(SlowAnswer {
        inner: sandbox.clone(),
        charged: Notify::new(),
        door: Semaphore::new(0),
    });
    let app = TestApp::with_gateway(store, slow.clone(), sandbox.clone()).await;
    let (account, invoice, card) = overdue_with_card(&app).await;
    app.store
        .set_partial_payments_allowed(&account, true, None)
        .await
        .unwrap();
    let api = Arc::new(Api { app });
    let token = api.token(NORDLYS_ADMIN).await;
    let pay = format!("{}/invoices/{}/pay?{V}", ba(&account), invoice.id);
    let body =
        json!({"paymentMethodId": card.as_str(), "amount": {"currency": "DKK", "value": 100}});

    let first = {
        let (api, pay, token, body) = (api.clone(), pay.clone(), token.clone(), body.clone());
        tokio::spawn(async move { api.call("POST", &pay, Some(&token), Some(body), None).await })
    };
    tokio::time::timeout(Duration::from_secs(10), slow.charged.notified())
        .await
        .expect("the first charge reached the gateway");

    // The same part again while the first answer is on its way: the gateway is asked about
    // the first, which has succeeded, and this one is refused rather than charged.
    let second = api
        .call("POST", &pay, Some(&token), Some(body.clone()), None)
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.json);
    assert_eq!(second.json["error"]["code"], "PaymentInProgress");

    slow.door.add_permits(1);
    let first = first.await.unwrap();
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    assert_eq!(first.json["properties"]["status"], "Succeeded");
    let charges: Vec<Charge> = sandbox
        .ledger()
        .into_iter()
        .filter(|c| c.status == ChargeStatus::Succeeded)
        .collect();
    assert_eq!(charges.len(), 1, "one charge for one part");
    let after = api
        .app
        .store
        .invoice(&account, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        after.amount_due().unwrap().minor(),
        invoice.amount_due().unwrap().minor() - 10_000
    );

    // Once it has landed, paying another part is a new, deliberate payment.
    slow.door.add_permits(1);
    let third = api.call("POST", &pay, Some(&token), Some(body), None).await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.json);
}

faktura_store::on_both_backends!(a_second_part_payment_waits_for_the_first_to_land);
