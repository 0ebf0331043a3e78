//! Paying part of an invoice through the real router, on SQLite and PostgreSQL: a pay-as-you-go
//! customer pays part after a decline and then the rest (portal, both languages); a customer
//! agreement pays in full until the operator allows part; the API's amount and its refusals.

mod common;

use axum::http::StatusCode;
use common::api::{ba, minor, overdue_with_card, Api, V};
use common::{follow, Browser, TestApp};
use faktura_domain::*;
use faktura_store::demo::{NORDLYS_ADMIN, PRAIRIE_OWNER};
use faktura_store::{InvoiceFilter, StatusFilter, Store};
use serde_json::json;

const DECLINED: &str = "4000000000000002";
const GOOD: &str = "4242424242424242";

async fn invoice_now(store: &Store, invoice: &Invoice) -> Invoice {
    store
        .invoice(&invoice.billing_account_id, &invoice.id)
        .await
        .unwrap()
        .unwrap()
}

/// Prairie's (pay-as-you-go) unpaid invoice.
async fn prairie_invoice(store: &Store) -> Invoice {
    let owner = store.user_by_email(PRAIRIE_OWNER).await.unwrap().unwrap();
    let account = store.accounts_for_user(&owner.id).await.unwrap()[0].clone();
    assert!(account.agreement_type.is_pay_as_you_go());
    store
        .list_invoices(&InvoiceFilter {
            account: account.id.clone(),
            profiles: None,
            status: StatusFilter::Open,
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today: chrono::Utc::now().date_naive(),
            after: None,
            limit: 10,
        })
        .await
        .unwrap()
        .items[0]
        .invoice
        .clone()
}

fn pay_path(invoice: &Invoice) -> String {
    format!(
        "/billing/{}/invoices/{}/pay",
        invoice.billing_account_id, invoice.id
    )
}

fn new_card<'a>(number: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("method", "new"),
        ("holder", "Dana Prairie"),
        ("number", number),
        ("expiry", "12/30"),
        ("cvc", "123"),
    ];
    fields.extend_from_slice(extra);
    fields
}

/// What the sandbox charged successfully, in minor units.
fn charged(app: &TestApp) -> Vec<i64> {
    app.sandbox
        .ledger()
        .iter()
        .filter(|c| c.status == faktura_gateway::ChargeStatus::Succeeded)
        .map(|c| c.amount.minor())
        .collect()
}

async fn decline_once(browser: &mut Browser, invoice: &Invoice) {
    let posted = browser
        .post_form(&pay_path(invoice), &new_card(DECLINED, &[]))
        .await;
    let outcome = follow(browser, posted).await;
    assert!(outcome.body.contains("Payment failed"), "{}", outcome.body);
}

async fn pay_as_you_go_pays_part_after_a_decline_then_the_rest(store: Store) {
    let app = TestApp::with_demo(store).await;
    let invoice = prairie_invoice(&app.store).await;
    let due = invoice.amount_due().unwrap();
    let mut owner = app.signed_in(PRAIRIE_OWNER).await;

    let pane = owner.get(&pay_path(&invoice)).await;
    assert_eq!(pane.status, StatusCode::OK);
    assert!(
        !pane.body.contains("data-test-id=\"pay-amount-choice\""),
        "in full until an attempt has failed"
    );
    // Asking for part anyway is refused with the reason, and charges nothing.
    let refused = owner
        .post_form(
            &pay_path(&invoice),
            &new_card(GOOD, &[("amount_choice", "other"), ("amount", "20")]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("can only be paid in full"));
    assert!(charged(&app).is_empty());

    decline_once(&mut owner, &invoice).await;
    let pane = owner.get(&pay_path(&invoice)).await;
    assert!(pane.body.contains("data-test-id=\"pay-amount-choice\""));
    assert!(pane.body.contains("Pay another amount"));
    assert!(pane.body.contains("At least $10.00"), "{}", pane.body);

    for (typed, message) in [
        ("ten dollars", "Enter the amount as a number"),
        ("9.99", "at least $10.00"),
        ("1,2", "Enter the amount as a number"),
    ] {
        let page = owner
            .post_form(
                &pay_path(&invoice),
                &new_card(GOOD, &[("amount_choice", "other"), ("amount", typed)]),
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert!(page.body.contains(message), "{typed}: {message}");
        assert!(page.body.contains("aria-invalid=\"true\""), "{typed}");
        assert!(page.body.contains(&format!("value=\"{typed}\"")), "kept");
    }
    let above = Money::from_minor(due.minor() + 1, due.currency()).to_decimal_string();
    let page = owner
        .post_form(
            &pay_path(&invoice),
            &new_card(GOOD, &[("amount_choice", "other"), ("amount", &above)]),
        )
        .await;
    assert!(page.body.contains("more than the amount due"));
    assert!(charged(&app).is_empty(), "nothing charged for bad amounts");

    // $50.00 now, typed the English way.
    let posted = owner
        .post_form(
            &pay_path(&invoice),
            &new_card(
                GOOD,
                &[
                    ("amount_choice", "other"),
                    ("amount", "$50.00"),
                    ("save", "yes"),
                ],
            ),
        )
        .await;
    let outcome = follow(&mut owner, posted).await;
    assert!(
        outcome.body.contains("Payment succeeded"),
        "{}",
        outcome.body
    );
    let after = invoice_now(&app.store, &invoice).await;
    assert_eq!(after.status, invoice.status, "keeps its status");
    assert_eq!(after.amount_due().unwrap().minor(), due.minor() - 5_000);
    assert_eq!(charged(&app), vec![5_000]);
    assert!(outcome.body.contains("still has"), "a part, not paid yet");

    // The pane says what is paid and left; the rest goes with the card just saved.
    let pane = owner.get(&pay_path(&invoice)).await;
    assert!(pane.body.contains("$50.00 paid so far"), "{}", pane.body);
    let card = app
        .store
        .payment_methods(&invoice.billing_account_id, &invoice.billing_profile_id)
        .await
        .unwrap()[0]
        .id
        .clone();
    let posted = owner
        .post_form(
            &pay_path(&invoice),
            &[("method", card.as_str()), ("amount_choice", "due")],
        )
        .await;
    let outcome = follow(&mut owner, posted).await;
    assert!(outcome.body.contains("Payment succeeded"));
    let paid = invoice_now(&app.store, &invoice).await;
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert!(paid.amount_due().unwrap().is_zero());
    assert_eq!(
        charged(&app).iter().sum::<i64>(),
        due.minor(),
        "two charges that add up to the amount due"
    );

    // The invoice shows every payment: the decline and the two that paid it.
    let detail = owner
        .get(&format!(
            "/billing/{}/invoices/{}",
            invoice.billing_account_id, invoice.id
        ))
        .await;
    assert_eq!(
        detail
            .body
            .matches("data-test-id=\"download-receipt\"")
            .count(),
        2
    );
    let pane = owner.get(&pay_path(&invoice)).await;
    assert!(pane.body.contains("already been paid"));
}

async fn danish_amounts_are_read_the_danish_way(store: Store) {
    let app = TestApp::with_demo(store).await;
    let (account, invoice, _card) = overdue_with_card(&app).await;
    app.store
        .set_partial_payments_allowed(&account, true, None)
        .await
        .unwrap();
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    admin.accept_language = Some("da-DK".into());
    let pane = admin.get(&pay_path(&invoice)).await;
    assert!(pane.body.contains("Betal et andet beløb"), "{}", pane.body);
    assert!(pane.body.contains("Mindst 50,00 kr."));
    let card = app
        .store
        .payment_methods(&account, &invoice.billing_profile_id)
        .await
        .unwrap()[0]
        .id
        .clone();
    let refused = admin
        .post_form(
            &pay_path(&invoice),
            &[
                ("method", card.as_str()),
                ("amount_choice", "other"),
                ("amount", "49,99"),
            ],
        )
        .await;
    assert!(refused.body.contains("Beløbet skal være mindst 50,00 kr."));
    let posted = admin
        .post_form(
            &pay_path(&invoice),
            &[
                ("method", card.as_str()),
                ("amount_choice", "other"),
                ("amount", "1.234,56"),
            ],
        )
        .await;
    let outcome = follow(&mut admin, posted).await;
    assert!(
        outcome.body.contains("Betalingen er gennemført"),
        "{}",
        outcome.body
    );
    assert!(outcome.body.contains("der mangler stadig"));
    let after = invoice_now(&app.store, &invoice).await;
    assert_eq!(
        after.amount_due().unwrap().minor(),
        invoice.amount_due().unwrap().minor() - 123_456
    );
}

async fn customer_agreements_pay_in_full_until_the_operator_allows_part(store: Store) {
    let app = TestApp::with_demo(store).await;
    let (account, invoice, card) = overdue_with_card(&app).await;
    let api = Api { app };
    let token = api.token(NORDLYS_ADMIN).await;
    let operator = api.operator_token().await;
    let pay = format!("{}/invoices/{}/pay?{V}", ba(&account), invoice.id);
    let part = |value: serde_json::Value| json!({"paymentMethodId": card.as_str(), "amount": {"currency": "DKK", "value": value}});

    let refused = api
        .call("POST", &pay, Some(&token), Some(part(json!(500))), None)
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.json["error"]["code"], "PartialPaymentNotAllowed");

    let settings = format!("/operator/v1/billingAccounts/{account}/settings");
    let before = api.get(&settings, &operator).await;
    assert_eq!(before.json["partialPaymentsAllowed"], false);
    let customer = api
        .call(
            "PATCH",
            &settings,
            Some(&token),
            Some(json!({"partialPaymentsAllowed": true})),
            None,
        )
        .await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN, "operators only");
    let bad = api
        .call(
            "PATCH",
            &settings,
            Some(&operator),
            Some(json!({"partialPaymentsAllowed": "yes"})),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let changed = api
        .call(
            "PATCH",
            &settings,
            Some(&operator),
            Some(json!({"partialPaymentsAllowed": true})),
            None,
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.json["partialPaymentsAllowed"], true);

    let due = invoice.amount_due().unwrap().minor();
    for (body, code) in [
        (part(json!(49.99)), "AmountBelowMinimum"),
        (part(json!("1e3")), "InvalidAmount"),
        (part(json!(10.001)), "InvalidAmount"),
        (part(json!(-100)), "InvalidAmount"),
        (
            json!({"paymentMethodId": card.as_str(), "amount": {"currency": "EUR", "value": 100}}),
            "InvalidAmount",
        ),
        (
            part(json!(
                Money::from_minor(due + 1, Currency::DKK).to_decimal_string()
            )),
            "AmountAboveAmountDue",
        ),
    ] {
        let reply = api.call("POST", &pay, Some(&token), Some(body), None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{code}");
        assert_eq!(reply.json["error"]["code"], code);
        assert_eq!(reply.json["error"]["target"], "amount");
    }
    assert!(
        charged(&api.app).is_empty(),
        "no charge for refused amounts"
    );

    // 500 kr. now under a key; the same key with another amount is refused, with it replayed.
    let paid = api
        .call(
            "POST",
            &pay,
            Some(&token),
            Some(part(json!(500))),
            Some("k1"),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.json);
    assert_eq!(paid.json["properties"]["status"], "Succeeded");
    assert_eq!(minor(&paid.json["properties"]["amount"]), 50_000);
    let replay = api
        .call(
            "POST",
            &pay,
            Some(&token),
            Some(part(json!(500))),
            Some("k1"),
        )
        .await;
    assert!(replay.replayed);
    let reused = api
        .call(
            "POST",
            &pay,
            Some(&token),
            Some(part(json!(600))),
            Some("k1"),
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(charged(&api.app), vec![50_000]);

    let read = api
        .get(
            &format!("{}/invoices/{}?{V}", ba(&account), invoice.id),
            &token,
        )
        .await;
    assert_eq!(read.json["properties"]["status"], "OverDue");
    assert_eq!(
        minor(&read.json["properties"]["amountDue"]),
        due - 50_000,
        "{}",
        read.json
    );
    // Then the rest, with no amount: the invoice is paid.
    let rest = api
        .call(
            "POST",
            &pay,
            Some(&token),
            Some(json!({"paymentMethodId": card.as_str()})),
            None,
        )
        .await;
    assert_eq!(rest.status, StatusCode::OK);
    assert_eq!(minor(&rest.json["properties"]["amount"]), due - 50_000);
    let again = api
        .call("POST", &pay, Some(&token), Some(part(json!(100))), None)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json["error"]["code"], "InvoiceAlreadyPaid");
}

/// Part payments sent at once, as an attacker (or a client retrying without a key) would: no
/// more is charged than is due, and what was charged is exactly what the invoice took.
async fn part_payments_at_once_never_overpay(store: Store) {
    let app = TestApp::with_demo(store).await;
    let (account, invoice, card) = overdue_with_card(&app).await;
    app.store
        .set_partial_payments_allowed(&account, true, None)
        .await
        .unwrap();
    let due = invoice.amount_due().unwrap().minor();
    // Each asks for 40 % of the amount due: at most two fit.
    let slice = Money::from_minor(due * 2 / 5, Currency::DKK).to_decimal_string();
    let api = std::sync::Arc::new(Api { app });
    let token = api.token(NORDLYS_ADMIN).await;
    let pay = format!("{}/invoices/{}/pay?{V}", ba(&account), invoice.id);
    let requests = (0..16).map(|_| {
        let api = api.clone();
        let (pay, token) = (pay.clone(), token.clone());
        let body = json!({"paymentMethodId": card.as_str(), "amount": {"currency": "DKK", "value": slice}});
        tokio::spawn(async move { api.call("POST", &pay, Some(&token), Some(body), None).await })
    });
    let mut succeeded = 0;
    for request in requests {
        let reply = request.await.unwrap();
        match reply.status {
            StatusCode::OK => succeeded += 1,
            StatusCode::CONFLICT => assert_eq!(reply.json["error"]["code"], "PaymentInProgress"),
            StatusCode::BAD_REQUEST => {
                assert_eq!(reply.json["error"]["code"], "AmountAboveAmountDue")
            }
            other => panic!("unexpected {other}: {}", reply.json),
        }
    }
    assert!((1..=2).contains(&succeeded), "{succeeded}");
    let after = invoice_now(&api.app.store, &invoice).await;
    let charged: i64 = charged(&api.app).iter().sum();
    assert_eq!(
        charged,
        after.amount_paid.minor() - invoice.amount_paid.minor()
    );
    assert!(charged <= due);
    assert!(!after.amount_due().unwrap().is_negative());
}

faktura_store::on_both_backends!(
    pay_as_you_go_pays_part_after_a_decline_then_the_rest,
    danish_amounts_are_read_the_danish_way,
    customer_agreements_pay_in_full_until_the_operator_allows_part,
    part_payments_at_once_never_overpay,
);
