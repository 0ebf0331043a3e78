//! Bad input gets a clean 4xx, never a 5xx or a panic: oversized bodies, wrong content types,
//! invalid UTF-8, malformed JSON, huge page sizes, negative amounts. And the operations routes
//! and security headers, on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::TestApp;
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_store::Store;
use http_body_util::BodyExt;
use tower::ServiceExt;

const V: &str = "api-version=2024-04-01";

async fn send(
    app: &TestApp,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

async fn token_and_account(app: &TestApp) -> (String, String, String) {
    let admin = app
        .store
        .user_by_email(NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let account = app.store.accounts_for_user(&admin.id).await.unwrap()[0]
        .id
        .to_string();
    let token = app
        .store
        .create_api_token(Some(&admin.id), "bad-input", None, false, None)
        .await
        .unwrap()
        .0;
    let operator = app
        .store
        .create_api_token(None, "ops", None, true, None)
        .await
        .unwrap()
        .0;
    (token, operator, account)
}

fn post(path: &str, token: &str, content_type: Option<&str>, body: Vec<u8>) -> Request<Body> {
    let mut request = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "faktura.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    request.body(Body::from(body)).unwrap()
}

async fn bad_bodies_get_clean_4xx(store: Store) {
    let app = TestApp::with_demo(store).await;
    let (token, operator, account) = token_and_account(&app).await;
    let account_id = faktura_domain::BillingAccountId::parse(&account).unwrap();
    let filter = faktura_store::InvoiceFilter {
        account: account_id,
        profiles: None,
        status: faktura_store::StatusFilter::Only(faktura_domain::InvoiceStatus::OverDue),
        invoice_date_from: None,
        invoice_date_to: None,
        number_prefix: None,
        today: chrono::Utc::now().date_naive(),
        after: None,
        limit: 10,
    };
    let number = app.store.list_invoices(&filter).await.unwrap().items[0]
        .invoice
        .number
        .clone();
    let pay =
        format!("/providers/Microsoft.Billing/billingAccounts/{account}/invoices/{number}/pay?{V}");
    let json = Some("application/json");
    let cases: Vec<(&str, Request<Body>)> = vec![
        (
            "oversized",
            post(&pay, &token, json, vec![b' '; faktura_web::MAX_BODY_BYTES + 10]),
        ),
        (
            "wrong content type",
            post(&pay, &token, Some("text/plain"), b"{\"paymentMethodId\":\"pm_x\"}".to_vec()),
        ),
        ("no content type", post(&pay, &token, None, b"{}".to_vec())),
        ("invalid UTF-8", post(&pay, &token, json, vec![b'{', b'"', 0xff, 0xfe, b'"', b'}'])),
        ("not JSON", post(&pay, &token, json, b"{\"paymentMethodId\":".to_vec())),
        ("wrong shape", post(&pay, &token, json, b"[1,2,3]".to_vec())),
        (
            "negative amounts",
            post(
                &format!("/operator/v1/billingAccounts/{account}/invoices"),
                &operator,
                json,
                serde_json::json!({"number": "NEG-1", "lines": [{"service": "x", "quantity": -1, "unitPrice": -500}], "tax": -1})
                    .to_string()
                    .into_bytes(),
            ),
        ),
    ];
    for (name, request) in cases {
        let (status, _, body) = send(&app, request).await;
        if name == "oversized" {
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        }
        assert!(status.is_client_error(), "{name}: {status} {body}");
        assert!(!body.contains("panicked"), "{name}: {body}");
    }
    // Nothing was paid by any of it.
    assert!(app
        .store
        .list_invoices(&filter)
        .await
        .unwrap()
        .items
        .iter()
        .any(|i| i.invoice.number == number));
    // Huge and absurd page sizes are refused or capped, never a 5xx.
    for top in ["1000000000", "-5", "abc", "99999999999999999999999"] {
        let request = Request::builder()
            .uri(format!(
                "/providers/Microsoft.Billing/billingAccounts/{account}/invoices?{V}&$top={top}"
            ))
            .header(header::HOST, "faktura.test")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = send(&app, request).await;
        assert!(
            status == StatusCode::OK || status.is_client_error(),
            "$top={top}: {status} {body}"
        );
    }
}

async fn operations_routes_and_security_headers(store: Store) {
    let app = TestApp::with_demo(store).await;
    for path in ["/healthz", "/readyz", "/metrics", "/signin"] {
        let request = Request::builder()
            .uri(path)
            .header(header::HOST, "faktura.test")
            .body(Body::empty())
            .unwrap();
        let (status, headers, body) = send(&app, request).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let csp = headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(
            headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
        assert_eq!(headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
        if path == "/readyz" {
            assert!(body.contains("\"database\":\"ok\""), "{body}");
            assert!(body.contains("\"gateway\":\"ok\""), "{body}");
        }
        if path == "/metrics" {
            assert!(
                body.contains("faktura_janitor_backlog{kind=\"payment\"}"),
                "{body}"
            );
            assert!(body.contains("faktura_payments{kind=\"payment\""), "{body}");
        }
        if path == "/signin" {
            assert!(!body.contains("<script>"), "no inline scripts");
        }
    }
}

faktura_store::on_both_backends!(
    bad_bodies_get_clean_4xx,
    operations_routes_and_security_headers
);
