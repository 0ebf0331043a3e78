//! The portal through the real router, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{Browser, TestApp, PASSWORD};
use faktura_domain::*;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_INVOICE_MANAGER, NORDLYS_READER, OUTSIDER};
use faktura_store::{InvoiceFilter, StatusFilter, Store};

struct Nordlys {
    account: BillingAccountId,
    due: Invoice,
    past_due: Invoice,
    above_limit: Invoice,
}

async fn nordlys(store: &Store) -> Nordlys {
    let admin = store.user_by_email(NORDLYS_ADMIN).await.unwrap().unwrap();
    let account = store.accounts_for_user(&admin.id).await.unwrap()[0]
        .id
        .clone();
    let today = chrono::Utc::now().date_naive();
    let open = store
        .list_invoices(&InvoiceFilter {
            account: account.clone(),
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
        .items;
    let limit = 34_500_000;
    let pick = |status: InvoiceStatus, above: bool| {
        open.iter()
            .map(|s| s.invoice.clone())
            .find(|i| i.status_on(today) == status && (i.total.minor() > limit) == above)
            .unwrap()
    };
    Nordlys {
        due: pick(InvoiceStatus::Due, false),
        past_due: pick(InvoiceStatus::OverDue, false),
        above_limit: pick(InvoiceStatus::Due, true),
        account,
    }
}

fn pay_path(n: &Nordlys, invoice: &Invoice) -> String {
    format!("/billing/{}/invoices/{}/pay", n.account, invoice.id)
}

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

/// Follows redirects within the app, as a browser would.
async fn follow(browser: &mut Browser, mut page: common::Page) -> common::Page {
    for _ in 0..5 {
        match (&page.status, page.location.clone()) {
            (s, Some(location)) if s.is_redirection() => page = browser.get(&location).await,
            _ => break,
        }
    }
    page
}

async fn sign_in_out_and_csrf(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut browser = app.browser();
    let anonymous = browser.get("/billing").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anonymous.location.as_deref(),
        Some("/signin?next=%2Fbilling")
    );
    assert!(anonymous
        .set_cookies
        .iter()
        .any(|c| c.starts_with("faktura_csrf=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Lax")));
    let no_token = browser
        .post_raw(
            "/signin",
            &[("email", NORDLYS_ADMIN), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        no_token.status,
        StatusCode::FORBIDDEN,
        "sign-in without a CSRF token is refused"
    );
    let wrong_token = browser
        .post_raw(
            "/signin",
            &[
                ("csrf", "x"),
                ("email", NORDLYS_ADMIN),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong_token.status, StatusCode::FORBIDDEN);

    let wrong = browser
        .post_form("/signin", &[("email", NORDLYS_ADMIN), ("password", "nope")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("The email or password is incorrect."));
    assert!(!browser.cookies.contains_key("faktura_session"));

    let ok = browser
        .post_form(
            "/signin",
            &[
                ("email", NORDLYS_ADMIN),
                ("password", PASSWORD),
                ("next", "/billing"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location.as_deref(), Some("/billing"));
    let session_cookie = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("faktura_session="))
        .unwrap();
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"));
    let first_session = browser.cookies["faktura_session"].clone();

    let portal = browser.get("/portal").await;
    assert_eq!(portal.status, StatusCode::OK);
    assert!(portal.body.contains("Mette Nordlys"));

    // Signing in again gets a new session id; the old one stops working.
    let again = browser
        .post_form(
            "/signin",
            &[("email", NORDLYS_ADMIN), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_ne!(browser.cookies["faktura_session"], first_session);
    assert!(app.store.session(&first_session).await.unwrap().is_none());

    let out = browser.post_form("/signout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/portal").await.status, StatusCode::SEE_OTHER);

    let events = app
        .store
        .audit_events(&faktura_store::AuditFilter {
            account: nordlys(&app.store).await.account,
            kind_prefix: Some("auth.".into()),
            since: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(
        events.iter().filter(|e| e.kind == "auth.sign_in").count(),
        2
    );
}

async fn repeated_wrong_passwords_are_throttled(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut browser = app.browser();
    for _ in 0..5 {
        let wrong = browser
            .post_form(
                "/signin",
                &[("email", NORDLYS_READER), ("password", "guess")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = browser
        .post_form(
            "/signin",
            &[("email", NORDLYS_READER), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.body.contains("Too many failed attempts"));
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
        ("4000000000000069", "the card has expired"),
        ("4000000000000119", "processing error"),
    ] {
        let posted = admin
            .post_form(&pay_path(&n, &n.past_due), &new_card(number))
            .await;
        let outcome = follow(&mut admin, posted).await;
        assert!(outcome.body.contains("Payment failed"), "{number}");
        assert!(outcome.body.contains(reason), "{number}: expected {reason}");
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

async fn danish_and_english_follow_the_user(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut browser = app.browser();
    browser.accept_language = Some("da-DK,da;q=0.9,en;q=0.5".into());
    let signin = browser.get("/signin").await;
    assert!(signin.body.contains("<html lang=\"da\">") && signin.body.contains("Log på"));
    let ok = browser
        .post_form(
            "/signin",
            &[("email", NORDLYS_ADMIN), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let list = browser
        .get(&format!("/billing/{}/invoices", n.account))
        .await;
    for word in [
        "Cost Management + Fakturering",
        "Fakturering",
        "Fakturaer",
        "Forfalder",
        "Forfalden",
        "Betalt",
        "Betal nu",
    ] {
        assert!(list.body.contains(word), "missing {word}");
    }
    let total_da = Locale::DaDk.format_money(n.due.total);
    assert!(
        total_da.ends_with(" kr.") && list.body.contains(&total_da),
        "Danish money format {total_da}"
    );
    assert!(list
        .body
        .contains(&Locale::DaDk.format_date(n.due.invoice_date)));

    let switched = browser
        .post_form("/language", &[("lang", "en-US"), ("next", "/portal")])
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let list = browser
        .get(&format!("/billing/{}/invoices", n.account))
        .await;
    assert!(
        list.body.contains("Pay now")
            && list.body.contains(&Locale::EnUs.format_money(n.due.total))
    );
    assert!(list
        .body
        .contains(&Locale::EnUs.format_date(n.due.invoice_date)));
    let admin = app
        .store
        .user_by_email(NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        admin.locale.as_deref(),
        Some("en-US"),
        "the choice is remembered"
    );

    let pane = browser.get(&pay_path(&n, &n.due)).await;
    assert!(pane.body.contains("Cardholder name") && pane.body.contains("Expiration date (MM/YY)"));
    browser.post_form("/language", &[("lang", "da-DK")]).await;
    let pane = browser.get(&pay_path(&n, &n.due)).await;
    for word in [
        "Vælg en betalingsmetode",
        "Tilføj et nyt kort",
        "Kortholders navn",
        "Kortnummer",
        "Udløbsdato (MM/ÅÅ)",
        "CVC",
    ] {
        assert!(pane.body.contains(word), "missing {word}");
    }
}

async fn global_search_finds_the_service_and_invoices(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    for query in [
        "Cost%20Management",
        "cost%20management%20%2B%20billing",
        "billing",
        "fakturering",
        "invoices",
        "fakturaer",
    ] {
        let page = admin.get(&format!("/search/suggest?q={query}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("\"href\":\"/billing\""),
            "{query}: {}",
            page.body
        );
    }
    let chosen = admin.get("/search?q=Cost+Management").await;
    assert_eq!(
        chosen.location.as_deref(),
        Some("/billing"),
        "the only match opens the service"
    );
    let service = follow(&mut admin, chosen).await;
    assert!(service.body.contains("data-test-id=\"nav-invoices\""));

    let by_number = admin
        .get(&format!("/search/suggest?q={}", n.due.number))
        .await;
    assert!(by_number.body.contains(&format!("/invoices/{}", n.due.id)));
    let mut outsider = app.signed_in(OUTSIDER).await;
    let nothing = outsider
        .get(&format!("/search/suggest?q={}", n.due.number))
        .await;
    assert_eq!(nothing.body, "[]", "no invoices of other accounts");
}

async fn invoice_list_pages_and_filters(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let first = admin.get(&format!("/billing/{}/invoices", n.account)).await;
    assert_eq!(
        first.body.matches("data-test-id=\"invoice-row\"").count(),
        25
    );
    let next = first
        .body
        .split("href=\"")
        .find(|s| s.contains("after="))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let second = admin.get(&next).await;
    assert_eq!(
        second.body.matches("data-test-id=\"invoice-row\"").count(),
        11
    );
    let overdue = admin
        .get(&format!("/billing/{}/invoices?status=overdue", n.account))
        .await;
    assert_eq!(
        overdue.body.matches("data-test-id=\"invoice-row\"").count(),
        1
    );
    assert!(overdue.body.contains(&n.past_due.number));
    let scoped = admin
        .get(&format!(
            "/billing/{}/invoices?profile={}",
            n.account, n.due.billing_profile_id
        ))
        .await;
    assert_eq!(
        scoped.body.matches("data-test-id=\"invoice-row\"").count(),
        18
    );
    assert_eq!(
        admin
            .get(&format!("/billing/{}/invoices?status=bogus", n.account))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        admin
            .get(&format!("/billing/{}/invoices?after=junk", n.account))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let detail = admin
        .get(&format!("/billing/{}/invoices/{}", n.account, n.due.id))
        .await;
    assert!(detail.body.contains("Virtual Machines") && detail.body.contains("Tax (VAT)"));
    assert_eq!(
        admin
            .get(&format!("/billing/{}/invoices/inv_nothere", n.account))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

faktura_store::on_both_backends!(
    sign_in_out_and_csrf,
    repeated_wrong_passwords_are_throttled,
    pay_now_is_offered_only_to_payers,
    paying_with_the_saved_card_marks_the_invoice_paid,
    a_declined_card_leaves_the_invoice_unpaid,
    three_d_secure_completes_or_fails,
    bad_card_input_and_prepaid_cards_are_refused,
    invoices_above_the_card_limit_go_by_wire,
    fifty_concurrent_pay_requests_charge_once,
    pay_form_without_csrf_is_refused,
    danish_and_english_follow_the_user,
    global_search_finds_the_service_and_invoices,
    invoice_list_pages_and_filters,
);
