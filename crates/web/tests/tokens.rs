//! Personal access tokens from the portal's user menu, used on the API.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::TestApp;
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_store::Store;
use tower::ServiceExt;

async fn api_status(app: &TestApp, token: &str) -> StatusCode {
    let request = Request::builder()
        .uri("/providers/Microsoft.Billing/billingAccounts?api-version=2024-04-01")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    app.router.clone().oneshot(request).await.unwrap().status()
}

async fn create_use_and_revoke_a_token(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let page = admin.get("/account/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("You have no tokens yet."));

    let nameless = admin
        .post_form("/account/tokens", &[("name", " "), ("expires", "90")])
        .await;
    assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_expiry = admin
        .post_form("/account/tokens", &[("name", "ci"), ("expires", "7")])
        .await;
    assert_eq!(bad_expiry.status, StatusCode::UNPROCESSABLE_ENTITY);

    let created = admin
        .post_form("/account/tokens", &[("name", "laptop"), ("expires", "30")])
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let start = created.body.find("data-test-id=\"token-value\">").unwrap()
        + "data-test-id=\"token-value\">".len();
    let token: String = created.body[start..]
        .chars()
        .take_while(|c| *c != '<')
        .collect();
    assert!(token.starts_with("fkt_"), "{token}");
    assert_eq!(api_status(&app, &token).await, StatusCode::OK);

    let listed = admin.get("/account/tokens").await;
    assert!(listed.body.contains("laptop") && listed.body.contains("Active"));
    assert!(
        !listed.body.contains(&token),
        "the token is shown once, at creation"
    );

    let user = app
        .store
        .user_by_email(NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let id = app.store.api_tokens_for(&user.id).await.unwrap()[0]
        .id
        .clone();
    let revoked = admin
        .post_form(
            &format!("/account/tokens/{id}/revoke"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(api_status(&app, &token).await, StatusCode::UNAUTHORIZED);
    assert!(admin.get("/account/tokens").await.body.contains("Revoked"));

    let mut other = app.signed_in(faktura_store::demo::NORDLYS_READER).await;
    let foreign = other
        .post_form(
            &format!("/account/tokens/{id}/revoke"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(
        foreign.status,
        StatusCode::NOT_FOUND,
        "nobody revokes another user's token"
    );
}

faktura_store::on_both_backends!(create_use_and_revoke_a_token);
