//! A card typed in to pay an invoice is saved only when the payer ticks "Save this card for
//! later" (unticked until they do), only for those who may manage the profile's payment
//! methods, and only once it has authenticated; everyone else uses it once. Through the real
//! router, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{Browser, Page, TestApp};
use faktura_domain::*;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_INVOICE_MANAGER};
use faktura_store::{InvoiceFilter, StatusFilter, Store};

async fn payable(store: &Store, email: &str) -> Invoice {
    let user = store.user_by_email(email).await.unwrap().unwrap();
    let account = store.accounts_for_user(&user.id).await.unwrap()[0]
        .id
        .clone();
    let access = store.access(&account, &user.id).await.unwrap();
    let today = chrono::Utc::now().date_naive();
    store
        .list_invoices(&InvoiceFilter {
            account,
            profiles: None,
            status: StatusFilter::Open,
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today,
            after: None,
            limit: 50,
        })
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|s| s.invoice)
        .find(|i| {
            access.allows(Permission::PayInvoices, Some(&i.billing_profile_id))
                && i.total.minor() < 34_500_000
        })
        .expect("a payable invoice")
}

async fn follow(browser: &mut Browser, mut page: Page) -> Page {
    for _ in 0..5 {
        match (&page.status, page.location.clone()) {
            (s, Some(location)) if s.is_redirection() => page = browser.get(&location).await,
            _ => break,
        }
    }
    page
}

fn new_card(number: &'static str) -> [(&'static str, &'static str); 5] {
    [
        ("method", "new"),
        ("holder", "Mette Nordlys"),
        ("number", number),
        ("expiry", "11/29"),
        ("cvc", "123"),
    ]
}

/// The same card with "Save this card for later" ticked.
fn new_card_saved(number: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut fields = new_card(number).to_vec();
    fields.push(("save", "yes"));
    fields
}

async fn cards_ending(store: &Store, invoice: &Invoice, last4: &str) -> usize {
    store
        .payment_methods(&invoice.billing_account_id, &invoice.billing_profile_id)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.last4 == last4 && m.status == PaymentMethodStatus::Active)
        .count()
}

fn pay_path(invoice: &Invoice) -> String {
    format!(
        "/billing/{}/invoices/{}/pay",
        invoice.billing_account_id, invoice.id
    )
}

async fn a_payer_who_may_not_add_cards_uses_a_new_card_once(store: Store) {
    let app = TestApp::with_demo(store).await;
    let invoice = payable(&app.store, NORDLYS_INVOICE_MANAGER).await;
    let mut manager = app.signed_in(NORDLYS_INVOICE_MANAGER).await;
    let pane = manager.get(&pay_path(&invoice)).await;
    assert!(
        !pane.body.contains("name=\"save\""),
        "no Save choice for one who may not keep cards"
    );
    assert!(pane
        .body
        .contains("This card is used for this payment only"));
    // Even a forged "save" keeps nothing.
    let posted = manager
        .post_form(&pay_path(&invoice), &new_card_saved("5555555555554444"))
        .await;
    let outcome = follow(&mut manager, posted).await;
    assert!(
        outcome.body.contains("Payment succeeded"),
        "{}",
        outcome.body
    );
    assert_eq!(
        cards_ending(&app.store, &invoice, "4444").await,
        0,
        "an invoice manager may not add cards, so paying does not save one"
    );
}

async fn a_new_card_is_saved_only_after_it_authenticated(store: Store) {
    let app = TestApp::with_demo(store).await;
    let invoice = payable(&app.store, NORDLYS_ADMIN).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let posted = admin
        .post_form(&pay_path(&invoice), &new_card_saved("4000002760003184"))
        .await;
    let challenge = posted.location.clone().unwrap();
    assert!(challenge.starts_with("/sandbox/3ds/"), "{challenge}");
    assert_eq!(
        cards_ending(&app.store, &invoice, "3184").await,
        0,
        "not usable while the challenge is open"
    );
    let failed = admin.post_form(&challenge, &[("result", "fail")]).await;
    follow(&mut admin, failed).await;
    assert_eq!(
        cards_ending(&app.store, &invoice, "3184").await,
        0,
        "a card that failed 3-D Secure is not saved"
    );

    let posted = admin
        .post_form(&pay_path(&invoice), &new_card_saved("4000002760003184"))
        .await;
    let challenge = posted.location.clone().unwrap();
    let passed = admin.post_form(&challenge, &[("result", "complete")]).await;
    let outcome = follow(&mut admin, passed).await;
    assert!(
        outcome.body.contains("Payment succeeded"),
        "{}",
        outcome.body
    );
    assert_eq!(cards_ending(&app.store, &invoice, "3184").await, 1);
}

/// A payer who may keep cards is asked, unticked: without the tick the card pays once; with
/// it, the card is saved. A bad card keeps the choice as it was.
async fn saving_the_new_card_is_the_payers_choice(store: Store) {
    let app = TestApp::with_demo(store).await;
    let invoice = payable(&app.store, NORDLYS_ADMIN).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let pane = admin.get(&pay_path(&invoice)).await;
    let checkbox = pane
        .body
        .split("id=\"save-card\"")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .expect("a Save this card for later choice");
    assert!(!checkbox.contains("checked"), "unticked: {checkbox}");
    assert!(pane.body.contains("Save this card for later"));

    let mut bad = new_card_saved("4242424242424241");
    bad.retain(|(name, _)| *name != "holder");
    let refused = admin.post_form(&pay_path(&invoice), &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The error summary leads to each field that is wrong; the fields name their errors.
    assert!(
        refused.body.contains("data-error-summary"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("There is a problem"));
    assert!(refused.body.contains("href=\"#holder\""));
    assert!(refused.body.contains("href=\"#number\""));
    assert!(refused.body.contains("aria-describedby=\"number-error\""));
    let kept = refused.body.split("id=\"save-card\"").nth(1).unwrap();
    assert!(
        kept.split('>').next().unwrap().contains("checked"),
        "the tick survives a refusal"
    );

    let posted = admin
        .post_form(&pay_path(&invoice), &new_card("5555555555554444"))
        .await;
    let outcome = follow(&mut admin, posted).await;
    assert!(
        outcome.body.contains("Payment succeeded"),
        "{}",
        outcome.body
    );
    assert_eq!(
        cards_ending(&app.store, &invoice, "4444").await,
        0,
        "not ticked: used once"
    );

    let second = payable(&app.store, NORDLYS_ADMIN).await;
    assert_ne!(second.id, invoice.id);
    let posted = admin
        .post_form(&pay_path(&second), &new_card_saved("5555555555554444"))
        .await;
    let outcome = follow(&mut admin, posted).await;
    assert!(
        outcome.body.contains("Payment succeeded"),
        "{}",
        outcome.body
    );
    assert_eq!(
        cards_ending(&app.store, &second, "4444").await,
        1,
        "ticked: saved"
    );
}

faktura_store::on_both_backends!(
    saving_the_new_card_is_the_payers_choice,
    a_payer_who_may_not_add_cards_uses_a_new_card_once,
    a_new_card_is_saved_only_after_it_authenticated,
);
