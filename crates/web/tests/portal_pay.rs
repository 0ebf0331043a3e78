//! Paying from the portal through the real router, on SQLite and PostgreSQL: who may pay, the
//! saved card, declines, 3-D Secure, bad card input, the card limit and concurrent requests.

mod common;

use axum::http::StatusCode;
use common::portal::{nordlys, pay_path};
use common::{follow, TestApp};
use faktura_domain::*;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_INVOICE_MANAGER, NORDLYS_READER, OUTSIDER};
use faktura_store::Store;

async fn saved_card(store: &Store, invoice: &Invoice) -> PaymentMethodId {
    store
        .payment_methods(&invoice.billing_account_id, &invoice.billing_profile_id)
        .await
        .unwrap()[0]
        .id
        .clone()
}

async fn invoice_now(store: &Store, invoice: &Invoice) -> Invoice {
    store
        .invoice(&invoice.billing_account_id, &invoice.id)
        .await
        .unwrap()
        .unwrap()
}

async fn pay_now_is_offered_only_to_payers(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let list = format!("/billing/{}/invoices", n.account);

    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let page = admin.get(&list).await;
    assert_eq!(page.status, StatusCode::OK);
    for invoice in [&n.due, &n.past_due, &n.above_limit] {
        assert!(
            page.body.contains(&pay_path(&n, invoice)),
            "admin sees Pay now on {}",
            invoice.number
        );
    }
    assert_eq!(
        page.body.matches("data-test-id=\"pay-now\"").count(),
        3,
        "no Pay now on paid invoices"
    );
    assert!(
        page.body.contains(">Past due<")
            && page.body.contains(">Due<")
            && page.body.contains(">Paid<")
    );

    let mut reader = app.signed_in(NORDLYS_READER).await;
    let page = reader.get(&list).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&n.due.number),
        "the reader sees invoices"
    );
    assert!(
        !page.body.contains("data-test-id=\"pay-now\""),
        "but no Pay now"
    );
    assert_eq!(
        reader.get(&pay_path(&n, &n.due)).await.status,
        StatusCode::FORBIDDEN
    );
    let card = saved_card(&app.store, &n.due).await;
    let posted = reader
        .post_form(&pay_path(&n, &n.due), &[("method", card.as_str())])
        .await;
    assert_eq!(
        posted.status,
        StatusCode::FORBIDDEN,
        "a reader cannot pay by posting the form directly"
    );

    let mut outsider = app.signed_in(OUTSIDER).await;
    assert_eq!(outsider.get(&list).await.status, StatusCode::FORBIDDEN);
    let posted = outsider
        .post_form(&pay_path(&n, &n.due), &[("method", card.as_str())])
        .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    assert!(posted.body.contains("have access"));

    // The invoice manager of the first profile pays there, and sees nothing of the second.
    let mut manager = app.signed_in(NORDLYS_INVOICE_MANAGER).await;
    let page = manager.get(&list).await;
    assert!(page.body.contains(&pay_path(&n, &n.due)));
    assert!(
        !page.body.contains(&n.above_limit.number),
        "the second profile's invoices are not shown"
    );
    let detail = manager
        .get(&format!(
            "/billing/{}/invoices/{}",
            n.account, n.above_limit.id
        ))
        .await;
    assert_eq!(detail.status, StatusCode::FORBIDDEN);

    assert_eq!(
        invoice_now(&app.store, &n.due).await.amount_paid.minor(),
        0,
        "nobody paid"
    );
    assert!(app.sandbox.ledger().is_empty());
}

async fn paying_with_the_saved_card_marks_the_invoice_paid(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let pane = admin.get(&pay_path(&n, &n.due)).await;
    assert_eq!(pane.status, StatusCode::OK);
    assert!(
        pane.body.contains("Select a payment method")
            && pane.body.contains("•••• 4242")
            && pane.body.contains("Add a new card")
    );
    let card = saved_card(&app.store, &n.due).await;
    let posted = admin
        .post_form(&pay_path(&n, &n.due), &[("method", card.as_str())])
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let outcome = follow(&mut admin, posted).await;
    assert!(
        outcome.body.contains("Payment succeeded"),
        "{}",
        outcome.body
    );
    assert!(outcome.body.contains("data-state=\"succeeded\""));
    let paid = invoice_now(&app.store, &n.due).await;
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert_eq!(app.sandbox.ledger().len(), 1);
    assert_eq!(app.sandbox.ledger()[0].amount, n.due.amount_due().unwrap());

    let list = admin.get(&format!("/billing/{}/invoices", n.account)).await;
    assert!(
        !list.body.contains(&pay_path(&n, &n.due)),
        "Pay now is gone"
    );
    let again = admin
        .post_form(&pay_path(&n, &n.due), &[("method", card.as_str())])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("already been paid"));
    assert_eq!(app.sandbox.ledger().len(), 1, "no second charge");
}

async fn a_declined_card_leaves_the_invoice_unpaid(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let new_card = |number: &'static str| {
        vec![
            ("method", "new"),
            ("holder", "Mette Nordlys"),
            ("number", number),
            ("expiry", "12/30"),
            ("cvc", "123"),
        ]
    };
    for (number, reason) in [
        ("4000 0000 0000 0002", "declined by the bank"),
        ("4000000000009995", "insufficient funds"),
        ("4000000000000069", "The card has expired"),
        ("4000000000000119", "processing error"),
    ] {
        let posted = admin
            .post_form(&pay_path(&n, &n.past_due), &new_card(number))
            .await;
        let outcome = follow(&mut admin, posted).await;
        assert!(outcome.body.contains("Payment failed"), "{number}");
        assert!(outcome.body.contains(reason), "{number}: expected {reason}");
        // The heading says it failed; the sentence gives the reason, not "Failed: …" again.
        assert!(!outcome.body.contains("Failed: "), "{number}");
        assert!(outcome.body.contains("data-test-id=\"try-again\""));
        assert_eq!(
            invoice_now(&app.store, &n.past_due)
                .await
                .amount_paid
                .minor(),
            0
        );
    }
    assert_eq!(
        app.store
            .payment_methods(&n.account, &n.past_due.billing_profile_id)
            .await
            .unwrap()
            .len(),
        1,
        "declined cards are not saved"
    );
    let card = saved_card(&app.store, &n.past_due).await;
    let posted = admin
        .post_form(&pay_path(&n, &n.past_due), &[("method", card.as_str())])
        .await;
    let outcome = follow(&mut admin, posted).await;
    assert!(outcome.body.contains("Payment succeeded"));
    assert_eq!(
        invoice_now(&app.store, &n.past_due).await.status,
        InvoiceStatus::Paid
    );
}

async fn three_d_secure_completes_or_fails(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let fields = [
        ("method", "new"),
        ("holder", "Mette Nordlys"),
        ("number", "4000002760003184"),
        ("expiry", "11/29"),
        ("cvc", "123"),
    ];

    let posted = admin.post_form(&pay_path(&n, &n.due), &fields).await;
    let challenge_path = posted.location.clone().unwrap();
    assert!(
        challenge_path.starts_with("/sandbox/3ds/"),
        "{challenge_path}"
    );
    let challenge = admin.get(&challenge_path).await;
    assert!(challenge.body.contains("Complete") && challenge.body.contains("Fail"));
    let failed = admin
        .post_form(&challenge_path, &[("result", "fail")])
        .await;
    let outcome = follow(&mut admin, failed).await;
    assert!(
        outcome.body.contains("3-D Secure authentication failed"),
        "{}",
        outcome.body
    );
    assert_eq!(
        invoice_now(&app.store, &n.due).await.status,
        InvoiceStatus::Due
    );

    // The card was saved when it asked for authentication; pay with a new 3-D Secure card again.
    let posted = admin.post_form(&pay_path(&n, &n.due), &fields).await;
    let challenge_path = posted.location.clone().unwrap();
    let completed = admin
        .post_form(&challenge_path, &[("result", "complete")])
        .await;
    let outcome = follow(&mut admin, completed).await;
    assert!(
        outcome.body.contains("Payment succeeded"),
        "{}",
        outcome.body
    );
    assert_eq!(
        invoice_now(&app.store, &n.due).await.status,
        InvoiceStatus::Paid
    );
    let succeeded = app
        .sandbox
        .ledger()
        .iter()
        .filter(|c| c.status == faktura_gateway::ChargeStatus::Succeeded)
        .count();
    assert_eq!(succeeded, 1);
}

async fn bad_card_input_and_prepaid_cards_are_refused(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let bad = admin
        .post_form(
            &pay_path(&n, &n.due),
            &[
                ("method", "new"),
                ("holder", ""),
                ("number", "4242 4242 4242 4241"),
                ("expiry", "01/20"),
                ("cvc", "12"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Enter the name on the card.",
        "This card number isn",
        "The card has expired.",
        "The CVC has 3 digits",
    ] {
        assert!(bad.body.contains(message), "missing {message:?}");
    }
    assert!(
        !bad.body.contains("4242 4242 4242 4241"),
        "the card number is not echoed back"
    );

    let prepaid = admin
        .post_form(
            &pay_path(&n, &n.due),
            &[
                ("method", "new"),
                ("holder", "Mette"),
                ("number", "5105105105105100"),
                ("expiry", "12/30"),
                ("cvc", "123"),
            ],
        )
        .await;
    assert_eq!(prepaid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(prepaid.body.contains("Prepaid and virtual cards aren"));
    assert_eq!(
        app.store
            .payment_methods(&n.account, &n.due.billing_profile_id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(app.sandbox.ledger().is_empty());

    let nothing = admin
        .post_form(&pay_path(&n, &n.due), &[("method", "pm_doesnotexist")])
        .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        invoice_now(&app.store, &n.due).await.status,
        InvoiceStatus::Due
    );
}

async fn invoices_above_the_card_limit_go_by_wire(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let pane = admin.get(&pay_path(&n, &n.above_limit)).await;
    assert_eq!(pane.status, StatusCode::OK);
    assert!(pane.body.contains("above the card-payment limit"));
    assert!(
        pane.body
            .contains(&format!("<strong>{}</strong>", n.above_limit.number)),
        "the reference is the invoice number"
    );
    assert!(!pane.body.contains("data-test-id=\"pay-submit\""));
    let posted = admin
        .post_form(
            &pay_path(&n, &n.above_limit),
            &[
                ("method", "new"),
                ("holder", "M"),
                ("number", "4242424242424242"),
                ("expiry", "12/30"),
                ("cvc", "123"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::CONFLICT);
    assert!(app.sandbox.ledger().is_empty());
}

async fn fifty_concurrent_pay_requests_charge_once(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let admin = app.signed_in(NORDLYS_ADMIN).await;
    let card = saved_card(&app.store, &n.due).await;
    let mut prepared = admin.clone();
    let token = prepared.csrf_token().await;
    let attempts = (0..50).map(|_| {
        let mut browser = admin.clone();
        let path = pay_path(&n, &n.due);
        let fields = [
            ("csrf".to_owned(), token.clone()),
            ("method".to_owned(), card.to_string()),
        ];
        tokio::spawn(async move {
            let refs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            browser.post_raw(&path, &refs).await.status
        })
    });
    let mut redirected = 0;
    let mut conflicts = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            StatusCode::SEE_OTHER => redirected += 1,
            StatusCode::CONFLICT => conflicts += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(redirected, 1, "exactly one request started a payment");
    assert_eq!(
        conflicts, 49,
        "the others were told a payment is in progress or done"
    );
    assert_eq!(
        app.sandbox.ledger().len(),
        1,
        "exactly one charge at the gateway"
    );
    let payments = app
        .store
        .payments_for_invoice(&n.account, &n.due.id)
        .await
        .unwrap();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0].state, PaymentState::Succeeded);
    assert_eq!(
        invoice_now(&app.store, &n.due).await.status,
        InvoiceStatus::Paid
    );
}

async fn pay_form_without_csrf_is_refused(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let card = saved_card(&app.store, &n.due).await;
    let posted = admin
        .post_raw(&pay_path(&n, &n.due), &[("method", card.as_str())])
        .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    assert!(posted.body.contains("The form expired"));
    assert!(app.sandbox.ledger().is_empty());
}
faktura_store::on_both_backends!(
    pay_now_is_offered_only_to_payers,
    paying_with_the_saved_card_marks_the_invoice_paid,
    a_declined_card_leaves_the_invoice_unpaid,
    three_d_secure_completes_or_fails,
    bad_card_input_and_prepaid_cards_are_refused,
    invoices_above_the_card_limit_go_by_wire,
    fifty_concurrent_pay_requests_charge_once,
    pay_form_without_csrf_is_refused,
);
