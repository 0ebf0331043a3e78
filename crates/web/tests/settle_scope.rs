//! Settle balance charges only a card of a profile whose invoices the payer may pay: an
//! invoice manager of one profile can neither see nor use another profile's card. Through the
//! real router, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use faktura_domain::*;
use faktura_gateway::SandboxGateway;
use faktura_store::demo::PRAIRIE_OWNER;
use faktura_store::{NewProfile, Store};

async fn an_invoice_manager_cannot_settle_with_another_profiles_card(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let owner = store.user_by_email(PRAIRIE_OWNER).await.unwrap().unwrap();
    let prairie = store.accounts_for_user(&owner.id).await.unwrap()[0].clone();
    let profiles = store.profiles(&prairie.id).await.unwrap();
    let mine = profiles[0].clone();
    let other = store
        .create_profile(
            &prairie.id,
            &NewProfile {
                display_name: "Prairie Research".into(),
                currency: mine.currency,
                bill_to: mine.bill_to.clone(),
                invoice_email: "research@prairie.example".into(),
            },
        )
        .await
        .unwrap();
    let others_card = PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: prairie.id.clone(),
        billing_profile_id: other.id.clone(),
        gateway_token: SandboxGateway::token_for_number("4242424242424242"),
        brand: CardBrand::Visa,
        last4: "4242".into(),
        exp_month: 12,
        exp_year: 2099,
        holder: "Research Dept".into(),
        status: PaymentMethodStatus::Active,
        created_at: chrono::Utc::now(),
    };
    store.add_payment_method(&others_card).await.unwrap();
    let manager = store
        .create_user(
            "payables@prairie.example",
            "Pat Payables",
            Some(&common::password_hash()),
        )
        .await
        .unwrap();
    store
        .add_role_assignment(
            &prairie.id,
            &manager.id,
            &Scope::Profile(mine.id.clone()),
            Role::InvoiceManager,
        )
        .await
        .unwrap();

    let mut browser = app.signed_in("payables@prairie.example").await;
    let pane = browser
        .get(&format!("/billing/{}/settle", prairie.id))
        .await;
    assert_eq!(pane.status, StatusCode::OK, "{}", pane.body);
    assert!(
        !pane.body.contains(others_card.id.as_str()),
        "another profile's card is not offered"
    );
    let posted = browser
        .post_form(
            &format!("/billing/{}/settle", prairie.id),
            &[("method", others_card.id.as_str())],
        )
        .await;
    assert_eq!(
        posted.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        posted.body
    );
    let charged: Vec<_> = app
        .sandbox
        .ledger()
        .into_iter()
        .filter(|c| c.amount.is_positive())
        .collect();
    assert!(charged.is_empty(), "nothing charged: {charged:?}");
}

faktura_store::on_both_backends!(an_invoice_manager_cannot_settle_with_another_profiles_card);
