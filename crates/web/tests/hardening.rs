//! Small hardening rules through the real router: every API error is a JSON error object
//! (also the extractors' own rejections), and HSTS is sent when Faktura is served over TLS.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::TestApp;
use faktura_gateway::SandboxGateway;
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_web::i18n::I18n;
use faktura_web::state::{AppState, WebConfig};
use faktura_web::Config;
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

async fn send(router: &axum::Router, request: Request<Body>) -> (StatusCode, String, Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn extractor_rejections_answer_in_the_api_error_shape() {
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
    let (token, _) = app
        .store
        .create_api_token(Some(&admin.id), "test", None, false, None)
        .await
        .unwrap();
    let base = format!("/providers/Microsoft.Billing/billingAccounts/{account}");
    let get = |uri: String| {
        Request::builder()
            .uri(uri)
            .header(header::HOST, "faktura.test")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    // A duplicate api-version.
    let (status, content_type, json) = send(
        &app.router,
        get(format!(
            "{base}/invoices?api-version=2024-04-01&api-version=2024-04-01"
        )),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert!(json["error"]["code"].is_string(), "{json}");

    // A body over the 1 MiB limit on the pay route.
    let big = vec![b' '; faktura_web::MAX_BODY_BYTES + 10];
    let request = Request::builder()
        .method("POST")
        .uri(format!(
            "{base}/invoices/G000000001/pay?api-version=2024-04-01"
        ))
        .header(header::HOST, "faktura.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(big))
        .unwrap();
    let (status, content_type, json) = send(&app.router, request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(json["error"]["code"], "RequestTooLarge", "{json}");

    // A wrong method on an operation.
    let request = Request::builder()
        .method("DELETE")
        .uri(format!("{base}?api-version=2024-04-01"))
        .header(header::HOST, "faktura.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, content_type, json) = send(&app.router, request).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(json["error"]["code"], "MethodNotAllowed", "{json}");
}

async fn hsts(secure: bool) -> Option<String> {
    let store = faktura_store::test_support::sqlite().await;
    let sandbox = Arc::new(SandboxGateway::new());
    let state = AppState::new(
        store,
        sandbox.clone(),
        Some(sandbox),
        I18n::load().unwrap(),
        Config::default(),
        Arc::new(faktura_help::HelpLibrary::load(false, &[]).0),
    )
    .with_web_config(WebConfig {
        secure_cookies: secure,
        ..WebConfig::default()
    });
    let response = faktura_web::app(state)
        .oneshot(
            Request::builder()
                .uri("/signin")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    response
        .headers()
        .get(header::STRICT_TRANSPORT_SECURITY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test]
async fn hsts_only_when_served_over_tls() {
    assert_eq!(
        hsts(true).await.as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
    assert_eq!(hsts(false).await, None);
}

#[tokio::test]
async fn sign_in_never_redirects_off_site() {
    let app = TestApp::with_demo(faktura_store::test_support::sqlite().await).await;
    let mut browser = app.browser();
    // A newline in `next` used to answer 500 (it went into the Location header as it was).
    let page = browser.get("/signin?next=%2F%0A%2Fevil.example").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("evil.example\""), "{}", page.body);
    for next in [
        "/\t/evil.example/",
        "/\n/evil.example/",
        "//evil.example",
        "/\\evil.example",
    ] {
        let mut browser = app.browser();
        let signed_in = browser
            .post_form(
                "/signin",
                &[
                    ("email", NORDLYS_ADMIN),
                    ("password", common::PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(
            signed_in.location.as_deref(),
            Some("/portal"),
            "{next:?} must not leave the site"
        );
    }
}

async fn app_with_metrics_token(token: Option<&str>) -> axum::Router {
    let store = faktura_store::test_support::sqlite().await;
    let sandbox = Arc::new(SandboxGateway::new());
    let state = AppState::new(
        store,
        sandbox.clone(),
        Some(sandbox),
        I18n::load().unwrap(),
        Config::default(),
        Arc::new(faktura_help::HelpLibrary::load(false, &[]).0),
    )
    .with_web_config(WebConfig {
        metrics_token: token.map(str::to_owned),
        ..WebConfig::default()
    });
    faktura_web::app(state)
}

async fn metrics_status(
    router: &axum::Router,
    bearer: Option<&str>,
    from: Option<&str>,
) -> (StatusCode, String) {
    let mut request = Request::builder().uri("/metrics");
    if let Some(token) = bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let mut request = request.body(Body::empty()).unwrap();
    if let Some(address) = from {
        request.extensions_mut().insert(axum::extract::ConnectInfo(
            address.parse::<std::net::SocketAddr>().unwrap(),
        ));
    }
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn metrics_need_the_token_or_a_local_client() {
    let open = app_with_metrics_token(None).await;
    assert_eq!(
        metrics_status(&open, None, Some("127.0.0.1:5000")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        metrics_status(&open, None, Some("203.0.113.9:5000"))
            .await
            .0,
        StatusCode::UNAUTHORIZED,
        "without a token, only this machine may scrape"
    );
    let guarded = app_with_metrics_token(Some("s3cret-scrape")).await;
    assert_eq!(
        metrics_status(&guarded, None, Some("127.0.0.1:5000"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        metrics_status(&guarded, Some("wrong"), Some("203.0.113.9:5000"))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        metrics_status(&guarded, Some("s3cret-scrape"), Some("203.0.113.9:5000"))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn invented_http_methods_do_not_grow_the_metrics() {
    let router = app_with_metrics_token(None).await;
    for n in 0..50 {
        let method = format!("X{n}{}", "Q".repeat(2000));
        let request = Request::builder()
            .method(method.as_str())
            .uri("/signin")
            .body(Body::empty())
            .unwrap();
        let _ = router.clone().oneshot(request).await.unwrap();
    }
    let (status, body) = metrics_status(&router, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("QQQQ"), "raw methods became labels");
    assert!(
        body.len() < 2_000_000,
        "metrics grew to {} bytes",
        body.len()
    );
}

#[tokio::test]
async fn an_invoice_with_a_negative_total_is_refused_not_a_500() {
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
    let profile = app.store.profiles(&account).await.unwrap()[0].id.clone();
    let (ops, _) = app
        .store
        .create_api_token(None, "ops", None, true, None)
        .await
        .unwrap();
    let body = serde_json::json!({
        "billingProfileId": profile.as_str(),
        "number": "NEG-0001",
        "invoiceDate": "2026-11-05", "periodStartDate": "2026-10-01", "periodEndDate": "2026-10-31", "dueDate": "2026-12-05",
        "lines": [
            {"service": "Support", "description": "Premier support", "quantity": "1", "unitPrice": "100.00", "amount": "100.00"},
            {"service": "Discount", "description": "Goodwill", "quantity": "1", "unitPrice": "-500.00", "amount": "-500.00"}
        ],
        "tax": "0.00"
    });
    let request = Request::builder()
        .method("POST")
        .uri(format!("/operator/v1/billingAccounts/{account}/invoices"))
        .header(header::HOST, "faktura.test")
        .header(header::AUTHORIZATION, format!("Bearer {ops}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, json) = send(&app.router, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    assert_eq!(json["error"]["code"], "InvalidInvoice", "{json}");
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("negative")),
        "{json}"
    );
}

#[tokio::test]
async fn secure_cookies_use_host_only_names() {
    let store = faktura_store::test_support::sqlite().await;
    store
        .load_demo(&faktura_store::demo::DemoInput {
            password_hash: common::password_hash(),
            saved_card_token: SandboxGateway::token_for_number("4242424242424242"),
            today: chrono::Utc::now().date_naive(),
        })
        .await
        .unwrap();
    let sandbox = Arc::new(SandboxGateway::new());
    let state = AppState::new(
        store,
        sandbox.clone(),
        Some(sandbox),
        I18n::load().unwrap(),
        Config::default(),
        Arc::new(faktura_help::HelpLibrary::load(false, &[]).0),
    )
    .with_web_config(WebConfig {
        secure_cookies: true,
        ..WebConfig::default()
    });
    let mut browser = common::Browser {
        router: faktura_web::app(state),
        cookies: Default::default(),
        accept_language: None,
    };
    let page = browser.get("/signin").await;
    assert!(
        page.set_cookies
            .iter()
            .any(|c| c.starts_with("__Host-faktura_csrf=")
                && c.contains("Secure")
                && c.contains("Path=/")),
        "{:?}",
        page.set_cookies
    );
    let csrf = page.csrf().unwrap();
    let signed_in = browser
        .post_raw(
            "/signin",
            &[
                ("csrf", csrf.as_str()),
                ("email", NORDLYS_ADMIN),
                ("password", common::PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert!(
        signed_in
            .set_cookies
            .iter()
            .any(|c| c.starts_with("__Host-faktura_session=") && c.contains("Secure")),
        "{:?}",
        signed_in.set_cookies
    );
    let portal = browser.get("/portal").await;
    assert_eq!(
        portal.status,
        StatusCode::OK,
        "signed in with the __Host- session cookie"
    );
}
