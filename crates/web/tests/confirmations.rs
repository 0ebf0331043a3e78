//! Detaching a card and revoking a token ask first, on a page of their own that works without
//! script: the first POST changes nothing and shows what will happen; only the confirmed POST
//! acts. Through the real router, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::admin::{account_of, add_card};
use common::TestApp;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_READER};
use faktura_store::Store;

async fn detaching_a_card_asks_first(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let drift = nordlys.profile("Nordlys Drift");
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    // A second card, not the default, so the confirmed detach goes through.
    add_card(&mut admin, &nordlys, drift, "5555 5555 5555 4444", None).await;
    let cards = store.payment_methods(&nordlys.id, &drift.id).await.unwrap();
    let card = cards.iter().find(|m| m.last4 == "4444").unwrap().clone();
    let detach = format!("/billing/{}/payment-methods/{}/detach", nordlys.id, card.id);

    let asked = admin
        .post_form(&detach, &[("profile", drift.id.as_str())])
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(
        asked.body.contains("Detach Mastercard •••• 4444?"),
        "{}",
        asked.body
    );
    assert!(asked.body.contains("is removed from Nordlys Drift"));
    assert!(asked.body.contains("name=\"confirm\" value=\"yes\""));
    assert!(asked.body.contains(&format!("action=\"{detach}\"")));
    assert!(asked.body.contains("data-test-id=\"confirm-cancel\""));
    assert!(
        asked.body.contains("id=\"service-menu\""),
        "inside the service"
    );
    assert_eq!(
        store
            .payment_methods(&nordlys.id, &drift.id)
            .await
            .unwrap()
            .len(),
        cards.len(),
        "asking detaches nothing"
    );

    let mut danish = app.signed_in(NORDLYS_ADMIN).await;
    danish.accept_language = Some("da-DK".into());
    let spurgt = danish
        .post_form(&detach, &[("profile", drift.id.as_str())])
        .await;
    assert!(
        spurgt.body.contains("Frakobl Mastercard •••• 4444?"),
        "{}",
        spurgt.body
    );
    assert!(spurgt.body.contains("Annuller"));

    // A reader is refused before any question.
    let mut reader = app.signed_in(NORDLYS_READER).await;
    let refused = reader
        .post_form(&detach, &[("profile", drift.id.as_str())])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let confirmed = admin
        .post_form(
            &detach,
            &[("profile", drift.id.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    assert!(!store
        .payment_methods(&nordlys.id, &drift.id)
        .await
        .unwrap()
        .iter()
        .any(|m| m.id == card.id));
}

async fn revoking_a_token_asks_first(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let created = admin
        .post_form("/account/tokens", &[("name", "ci"), ("expires", "30")])
        .await;
    assert_eq!(created.status, StatusCode::OK);
    assert!(created.body.contains("data-test-id=\"token-copy\""));
    let user = store.user_by_email(NORDLYS_ADMIN).await.unwrap().unwrap();
    let id = store.api_tokens_for(&user.id).await.unwrap()[0].id.clone();
    let revoke = format!("/account/tokens/{id}/revoke");

    let asked = admin.post_form(&revoke, &[]).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(
        asked.body.contains("Revoke the token “ci”?"),
        "{}",
        asked.body
    );
    assert!(asked.body.contains("name=\"confirm\" value=\"yes\""));
    assert!(admin.get("/account/tokens").await.body.contains("Active"));

    // Another user's token is not found, asked or confirmed.
    let mut other = app.signed_in(NORDLYS_READER).await;
    assert_eq!(
        other.post_form(&revoke, &[]).await.status,
        StatusCode::NOT_FOUND
    );

    let confirmed = admin.post_form(&revoke, &[("confirm", "yes")]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    assert!(admin.get("/account/tokens").await.body.contains("Revoked"));
    // A revoked token is not asked about again.
    assert_eq!(
        admin.post_form(&revoke, &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

faktura_store::on_both_backends!(detaching_a_card_asks_first, revoking_a_token_asks_first);
