//! A 3-D Secure challenge left open, on SQLite and PostgreSQL: Continue authentication and
//! Cancel this attempt in the portal and the API, the janitor giving up after the timeout, a
//! cancel racing with a challenge being passed, and card setups left open.

mod common;

use axum::http::StatusCode;
use common::admin::{account_of, add_card};
use common::api::{ba, Api, V};
use common::portal::{nordlys, pay_path, Nordlys};
use common::{follow, Browser, TestApp};
use faktura_app::JanitorConfig;
use faktura_domain::*;
use faktura_gateway::{ChargeStatus, SandboxGateway};
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_READER};
use faktura_store::Store;
use std::time::Duration;

const THREE_DS: &str = "4000002760003184";

fn new_3ds_card() -> [(&'static str, &'static str); 5] {
    [
        ("method", "new"),
        ("holder", "Mette Nordlys"),
        ("number", THREE_DS),
        ("expiry", "11/29"),
        ("cvc", "123"),
    ]
}

async fn payments(app: &TestApp, invoice: &Invoice) -> Vec<Payment> {
    app.store
        .payments_for_invoice(&invoice.billing_account_id, &invoice.id)
        .await
        .unwrap()
}

async fn open_payment(app: &TestApp, invoice: &Invoice) -> Payment {
    app.store
        .open_payment_for(&invoice.billing_account_id, &invoice.id)
        .await
        .unwrap()
        .expect("an open payment")
}

async fn invoice_status(app: &TestApp, invoice: &Invoice) -> InvoiceStatus {
    app.store
        .invoice(&invoice.billing_account_id, &invoice.id)
        .await
        .unwrap()
        .unwrap()
        .status
}

/// Starts a payment with the 3-D Secure test card and returns the challenge's path.
async fn start_challenge(admin: &mut Browser, n: &Nordlys, invoice: &Invoice) -> String {
    let posted = admin
        .post_form(&pay_path(n, invoice), &new_3ds_card())
        .await;
    let challenge = posted.location.clone().unwrap_or_default();
    assert!(challenge.starts_with("/sandbox/3ds/"), "{}", posted.body);
    challenge
}

fn cancel_path(n: &Nordlys, payment: &Payment) -> String {
    format!("/billing/{}/payments/{}/cancel", n.account, payment.id)
}

/// A janitor that gives up on open challenges at once.
fn impatient() -> JanitorConfig {
    JanitorConfig {
        grace: Duration::ZERO,
        authentication_timeout: Duration::ZERO,
        ..JanitorConfig::default()
    }
}

async fn cancel_this_attempt_makes_the_invoice_payable_again(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let challenge = start_challenge(&mut admin, &n, &n.due).await;

    // Back without finishing: the pane, the outcome and the invoice offer both ways on.
    let pane = admin.get(&pay_path(&n, &n.due)).await;
    assert!(
        pane.body
            .contains("A payment for this invoice is waiting for 3-D Secure authentication"),
        "{}",
        pane.body
    );
    assert!(pane.body.contains(&format!("href=\"{challenge}\"")));
    assert!(pane.body.contains("Continue authentication"));
    assert!(pane.body.contains("Cancel this attempt"));
    assert!(!pane.body.contains("data-test-id=\"pay-submit\""));
    let detail = admin
        .get(&format!("/billing/{}/invoices/{}", n.account, n.due.id))
        .await;
    assert!(detail.body.contains("data-test-id=\"cancel-attempt\""));
    let payment = open_payment(&app, &n.due).await;
    assert_eq!(payment.state, PaymentState::RequiresAction);
    let outcome = admin
        .get(&format!("/billing/{}/payments/{}", n.account, payment.id))
        .await;
    assert!(outcome
        .body
        .contains("data-test-id=\"continue-authentication\""));

    // A reader sees the invoice but may not cancel someone's payment.
    let mut reader = app.signed_in(NORDLYS_READER).await;
    let refused = reader.post_form(&cancel_path(&n, &payment), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        open_payment(&app, &n.due).await.state,
        PaymentState::RequiresAction
    );

    let cancelled = admin.post_form(&cancel_path(&n, &payment), &[]).await;
    let outcome = follow(&mut admin, cancelled).await;
    assert!(
        outcome
            .body
            .contains("The 3-D Secure check was not finished"),
        "{}",
        outcome.body
    );
    let after = &payments(&app, &n.due).await[0];
    assert_eq!(
        (after.state, after.failure_reason),
        (
            PaymentState::Failed,
            Some(FailureReason::AuthenticationAbandoned)
        )
    );
    // The challenge is closed at the gateway: finishing it now charges nothing.
    assert_eq!(admin.get(&challenge).await.status, StatusCode::NOT_FOUND);
    let late = admin.post_form(&challenge, &[("result", "complete")]).await;
    follow(&mut admin, late).await;
    assert!(app
        .sandbox
        .ledger()
        .iter()
        .all(|c| c.status != ChargeStatus::Succeeded));
    assert_eq!(payments(&app, &n.due).await[0].state, PaymentState::Failed);

    // A second press changes nothing; the invoice can be paid again, and is.
    let again = admin.post_form(&cancel_path(&n, &payment), &[]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(invoice_status(&app, &n.due).await, InvoiceStatus::Due);
    let pane = admin.get(&pay_path(&n, &n.due)).await;
    assert!(
        pane.body.contains("data-test-id=\"pay-submit\""),
        "{}",
        pane.body
    );
    let saved = app
        .store
        .payment_methods(&n.account, &n.due.billing_profile_id)
        .await
        .unwrap();
    assert!(
        saved.iter().all(|m| m.last4 != "3184"),
        "the card that never authenticated is not saved"
    );
    let paid = admin
        .post_form(&pay_path(&n, &n.due), &[("method", saved[0].id.as_str())])
        .await;
    let outcome = follow(&mut admin, paid).await;
    assert!(
        outcome.body.contains("Payment succeeded"),
        "{}",
        outcome.body
    );
    assert_eq!(invoice_status(&app, &n.due).await, InvoiceStatus::Paid);
}

async fn a_challenge_passed_before_the_cancel_is_kept(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    start_challenge(&mut admin, &n, &n.due).await;
    let payment = open_payment(&app, &n.due).await;
    // The bank's page was finished in another tab, whose return never reached us.
    let reference = payment.gateway_reference.clone().unwrap();
    app.sandbox.resolve_challenge(&reference, true).unwrap();

    let cancelled = admin.post_form(&cancel_path(&n, &payment), &[]).await;
    let outcome = follow(&mut admin, cancelled).await;
    assert!(
        outcome.body.contains("Payment succeeded"),
        "{}",
        outcome.body
    );
    assert_eq!(
        payments(&app, &n.due).await[0].state,
        PaymentState::Succeeded
    );
    assert_eq!(invoice_status(&app, &n.due).await, InvoiceStatus::Paid);
}

async fn a_cancel_racing_the_challenge_ends_in_one_state(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let mut other_tab = app.signed_in(NORDLYS_ADMIN).await;
    let mut rounds = 0;
    // Race until the challenge wins once (the invoice is then paid); every round must agree
    // with the gateway, whichever side won.
    while invoice_status(&app, &n.due).await != InvoiceStatus::Paid && rounds < 12 {
        rounds += 1;
        let challenge = start_challenge(&mut admin, &n, &n.due).await;
        let payment = open_payment(&app, &n.due).await;
        let reference = payment.gateway_reference.clone().unwrap();
        let sandbox = app.sandbox.clone();
        let cancel = cancel_path(&n, &payment);
        let (cancelled, completed) = tokio::join!(admin.post_form(&cancel, &[]), async {
            if rounds % 2 == 0 {
                tokio::task::yield_now().await;
            }
            let _ = sandbox.resolve_challenge(&reference, true);
            other_tab
                .get(&format!(
                    "/billing/{}/payments/{}/return",
                    n.account, payment.id
                ))
                .await
        });
        assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
        assert_eq!(completed.status, StatusCode::SEE_OTHER);
        assert_eq!(admin.get(&challenge).await.status, StatusCode::NOT_FOUND);
        let ours = payments(&app, &n.due)
            .await
            .into_iter()
            .find(|p| p.id == payment.id)
            .unwrap();
        let theirs = app
            .sandbox
            .ledger()
            .into_iter()
            .find(|c| c.idempotency_key == payment.id.as_str())
            .unwrap();
        match theirs.status {
            ChargeStatus::Succeeded => assert_eq!(ours.state, PaymentState::Succeeded),
            ChargeStatus::Failed(reason) => {
                assert_eq!(ours.state, PaymentState::Failed);
                assert_eq!(ours.failure_reason, Some(reason));
            }
            other => panic!("still open at the gateway: {other:?}"),
        }
    }
    let charged: i64 = app
        .sandbox
        .ledger()
        .iter()
        .filter(|c| c.status == ChargeStatus::Succeeded)
        .map(|c| c.amount.minor())
        .sum();
    let paid: i64 = payments(&app, &n.due)
        .await
        .iter()
        .filter(|p| p.state == PaymentState::Succeeded)
        .map(|p| p.amount.minor())
        .sum();
    assert_eq!(charged, paid, "every charge is recorded, none twice");
    assert!(charged <= n.due.total.minor());
}

async fn the_janitor_gives_up_on_a_challenge_after_the_timeout(store: Store) {
    let (app, state) = TestApp::with_demo_and_state(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    start_challenge(&mut admin, &n, &n.due).await;
    let payment = open_payment(&app, &n.due).await;

    // Back from the bank's page without finishing, within the timeout: still open.
    let back = admin
        .get(&format!(
            "/billing/{}/payments/{}/return",
            n.account, payment.id
        ))
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(
        open_payment(&app, &n.due).await.state,
        PaymentState::RequiresAction,
        "within the timeout the challenge stays open"
    );

    faktura_app::janitor::run_once(&state.app, &impatient())
        .await
        .unwrap();
    let after = &payments(&app, &n.due).await[0];
    assert_eq!(
        (after.state, after.failure_reason),
        (
            PaymentState::Failed,
            Some(FailureReason::AuthenticationAbandoned)
        )
    );
    let charge = app
        .sandbox
        .ledger()
        .into_iter()
        .find(|c| c.idempotency_key == payment.id.as_str())
        .unwrap();
    assert_eq!(
        charge.status,
        ChargeStatus::Failed(FailureReason::AuthenticationAbandoned)
    );
    assert!(admin
        .get(&pay_path(&n, &n.due))
        .await
        .body
        .contains("data-test-id=\"pay-submit\""));
}

async fn a_card_setup_left_open_is_given_up(store: Store) {
    let (app, state) = TestApp::with_demo_and_state(store).await;
    let account = account_of(&app.store, NORDLYS_ADMIN).await;
    let profile = account.profiles[0].clone();
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let added = add_card(&mut admin, &account, &profile, THREE_DS, None).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let challenge = added.location.unwrap();
    assert!(challenge.starts_with("/sandbox/3ds/"), "{challenge}");
    let patient = faktura_app::janitor::expire_card_setups(&state.app, &JanitorConfig::default())
        .await
        .unwrap();
    assert_eq!(patient, 0, "within the timeout the setup stays open");
    tokio::time::sleep(Duration::from_millis(5)).await;

    let given_up = faktura_app::janitor::expire_card_setups(&state.app, &impatient())
        .await
        .unwrap();
    assert_eq!(given_up, 1);
    assert_eq!(admin.get(&challenge).await.status, StatusCode::NOT_FOUND);
    let cards = app
        .store
        .payment_methods(&account.id, &profile.id)
        .await
        .unwrap();
    assert!(cards.iter().all(|m| m.last4 != "3184"));
    let again = faktura_app::janitor::expire_card_setups(&state.app, &impatient())
        .await
        .unwrap();
    assert_eq!(again, 0, "given up once");
}

async fn the_api_cancels_an_attempt(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let secure = PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: n.account.clone(),
        billing_profile_id: n.past_due.billing_profile_id.clone(),
        gateway_token: SandboxGateway::token_for_number(THREE_DS),
        brand: CardBrand::Visa,
        last4: "3184".into(),
        exp_month: 12,
        exp_year: 2034,
        holder: "Mette Nordlys".into(),
        status: PaymentMethodStatus::Active,
        created_at: chrono::Utc::now(),
    };
    app.store.add_payment_method(&secure).await.unwrap();
    let api = Api { app };
    let admin = api.token(NORDLYS_ADMIN).await;
    let reader = api.token(NORDLYS_READER).await;
    let invoice = format!("{}/invoices/{}", ba(&n.account), n.past_due.id);
    let started = api
        .call(
            "POST",
            &format!("{invoice}/pay?{V}"),
            Some(&admin),
            Some(serde_json::json!({"paymentMethodId": secure.id.as_str()})),
            None,
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.json);
    assert_eq!(started.json["properties"]["status"], "RequiresAction");
    let payment = started.json["name"].as_str().unwrap().to_owned();
    let cancel = format!("{invoice}/payments/{payment}/cancel?{V}");

    let refused = api.call("POST", &cancel, Some(&reader), None, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);
    let elsewhere = format!(
        "{}/invoices/{}/payments/{payment}/cancel?{V}",
        ba(&n.account),
        n.due.id
    );
    let wrong = api.call("POST", &elsewhere, Some(&admin), None, None).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);

    let cancelled = api.call("POST", &cancel, Some(&admin), None, None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.json);
    assert_eq!(cancelled.json["properties"]["status"], "Failed");
    assert_eq!(
        cancelled.json["properties"]["failureReason"],
        "AuthenticationAbandoned"
    );
    let twice = api.call("POST", &cancel, Some(&admin), None, None).await;
    assert_eq!(twice.status, StatusCode::OK);
    assert_eq!(twice.json["properties"]["status"], "Failed");

    // The invoice takes a new attempt at once.
    let card = api
        .app
        .store
        .payment_methods(&n.account, &n.past_due.billing_profile_id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.last4 == "4242")
        .unwrap();
    let paid = api
        .call(
            "POST",
            &format!("{invoice}/pay?{V}"),
            Some(&admin),
            Some(serde_json::json!({"paymentMethodId": card.id.as_str()})),
            None,
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.json);
}

faktura_store::on_both_backends!(
    cancel_this_attempt_makes_the_invoice_payable_again,
    a_challenge_passed_before_the_cancel_is_kept,
    a_cancel_racing_the_challenge_ends_in_one_state,
    the_janitor_gives_up_on_a_challenge_after_the_timeout,
    a_card_setup_left_open_is_given_up,
    the_api_cancels_an_attempt,
);
