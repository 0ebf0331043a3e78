//! A JSON API client over the real router, and the demo account, invoice and card the API
//! tests start from.

use super::TestApp;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use faktura_domain::*;
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_store::{InvoiceFilter, StatusFilter, Store};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const V: &str = "api-version=2024-04-01";

pub struct Api {
    pub app: TestApp,
}

pub struct Reply {
    pub status: StatusCode,
    pub json: Value,
    pub replayed: bool,
}

impl Api {
    pub async fn token(&self, email: &str) -> String {
        let user = self.app.store.user_by_email(email).await.unwrap().unwrap();
        self.app
            .store
            .create_api_token(Some(&user.id), "test", None, false, None)
            .await
            .unwrap()
            .0
    }

    pub async fn operator_token(&self) -> String {
        self.app
            .store
            .create_api_token(None, "ops", None, true, None)
            .await
            .unwrap()
            .0
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        key: Option<&str>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "faktura.test");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
            None => request.body(Body::empty()).unwrap(),
        };
        let response = self.app.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let replayed = response.headers().contains_key("idempotent-replayed");
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            json,
            replayed,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call("GET", path, Some(token), None, None).await
    }
}

pub async fn setup(store: Store) -> (Api, BillingAccountId, Invoice, PaymentMethodId) {
    let app = TestApp::with_demo(store).await;
    let (account, invoice, card) = overdue_with_card(&app).await;
    (Api { app }, account, invoice, card)
}

/// Nordlys's account, its first past-due invoice and that invoice's saved card.
pub async fn overdue_with_card(app: &TestApp) -> (BillingAccountId, Invoice, PaymentMethodId) {
    let admin = app
        .store
        .user_by_email(NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let account = app.store.accounts_for_user(&admin.id).await.unwrap()[0]
        .id
        .clone();
    let today = chrono::Utc::now().date_naive();
    let filter = InvoiceFilter {
        account: account.clone(),
        profiles: None,
        status: StatusFilter::Only(InvoiceStatus::OverDue),
        invoice_date_from: None,
        invoice_date_to: None,
        number_prefix: None,
        today,
        after: None,
        limit: 5,
    };
    let invoice = app.store.list_invoices(&filter).await.unwrap().items[0]
        .invoice
        .clone();
    let card = app
        .store
        .payment_methods(&account, &invoice.billing_profile_id)
        .await
        .unwrap()[0]
        .id
        .clone();
    (account, invoice, card)
}

/// An API amount back in minor units (the demo's currencies have two decimals).
pub fn minor(amount: &Value) -> i64 {
    let text = amount["value"].to_string();
    Money::parse_decimal(text.trim_end_matches(".0"), Currency::DKK)
        .unwrap()
        .minor()
}

pub fn ba(account: &BillingAccountId) -> String {
    format!("/providers/Microsoft.Billing/billingAccounts/{account}")
}
