//! Arbitrary request bodies against the API's JSON operations: never a panic, never a 5xx.

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::TestApp;
use faktura_store::demo::NORDLYS_ADMIN;
use proptest::prelude::*;
use tower::ServiceExt;

struct Target {
    app: TestApp,
    token: String,
    operator: String,
    paths: Vec<String>,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn target() -> Target {
    let app = TestApp::with_demo(faktura_store::test_support::sqlite().await).await;
    let admin = app
        .store
        .user_by_email(NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let account = app.store.accounts_for_user(&admin.id).await.unwrap()[0]
        .id
        .clone();
    let invoice = app
        .store
        .list_invoices(&faktura_store::InvoiceFilter {
            account: account.clone(),
            profiles: None,
            status: faktura_store::StatusFilter::Open,
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today: chrono::Utc::now().date_naive(),
            after: None,
            limit: 1,
        })
        .await
        .unwrap()
        .items[0]
        .invoice
        .id
        .clone();
    let token = app
        .store
        .create_api_token(Some(&admin.id), "fuzz", None, false, None)
        .await
        .unwrap()
        .0;
    let operator = app
        .store
        .create_api_token(None, "fuzz-ops", None, true, None)
        .await
        .unwrap()
        .0;
    let ba = format!("/providers/Microsoft.Billing/billingAccounts/{account}");
    let paths = vec![
        format!("{ba}/invoices/{invoice}/pay?api-version=2024-04-01"),
        format!("{ba}/checkAccess?api-version=2024-04-01"),
        format!("/operator/v1/billingAccounts/{account}/invoices"),
        "/operator/v1/billingAccounts".to_owned(),
        "/operator/v1/users".to_owned(),
    ];
    Target {
        app,
        token,
        operator,
        paths,
    }
}

/// JSON values of any shape, a few levels deep, with the field names the API reads.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        ".{0,40}".prop_map(serde_json::Value::String),
        Just(serde_json::json!("pm_0123456789abcdefghij")),
        Just(serde_json::json!("-1.00")),
        Just(serde_json::json!("2026-13-45")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("paymentMethodId".to_owned()),
                        Just("actions".to_owned()),
                        Just("lines".to_owned()),
                        Just("number".to_owned()),
                        Just("quantity".to_owned()),
                        Just("unitPrice".to_owned()),
                        Just("tax".to_owned()),
                        Just("billingProfileId".to_owned()),
                        "[a-zA-Z]{1,12}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|pairs| serde_json::Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_bodies_get_an_answer_not_a_crash(body in json_value(), which in 0usize..5, operator in any::<bool>()) {
        let rt = runtime();
        rt.block_on(async {
            let t = target().await;
            let token = if operator { &t.operator } else { &t.token };
            let request = Request::builder()
                .method("POST")
                .uri(&t.paths[which])
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            let status = t.app.router.clone().oneshot(request).await.unwrap().status();
            assert!(!status.is_server_error(), "{} → {status} for {body}", t.paths[which]);
        });
    }

    #[test]
    fn arbitrary_bytes_get_an_answer_not_a_crash(bytes in prop::collection::vec(any::<u8>(), 0..300), which in 0usize..5) {
        let rt = runtime();
        rt.block_on(async {
            let t = target().await;
            let request = Request::builder()
                .method("POST")
                .uri(&t.paths[which])
                .header(header::AUTHORIZATION, format!("Bearer {}", t.operator))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(bytes.clone()))
                .unwrap();
            let status = t.app.router.clone().oneshot(request).await.unwrap().status();
            assert!(!status.is_server_error(), "{} → {status}", t.paths[which]);
        });
    }
}
