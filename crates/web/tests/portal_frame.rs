//! Where a person is in the portal: the breadcrumb trail follows the path; Help, API tokens and
//! `/api` keep the service's left pane and top bar; a page one may not use is refused inside
//! the service; the `/api` reference reads in Danish. Settle balance offers "Add a new card".
//! Through the real router, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::admin::{account_of, outstanding};
use common::portal::{nordlys, pay_path};
use common::{follow, TestApp};
use faktura_domain::*;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_READER, OUTSIDER, PRAIRIE_OWNER};
use faktura_store::Store;

/// The breadcrumb trail's steps as text, in order (the `<nav data-test-id="breadcrumb">`).
fn trail(body: &str) -> Vec<String> {
    let start = body
        .find("data-test-id=\"breadcrumb\"")
        .expect("a breadcrumb trail");
    let end = start + body[start..].find("</nav>").unwrap();
    body[start..end]
        .split("<li>")
        .skip(1)
        .map(|item| {
            let mut text = String::new();
            let mut in_tag = false;
            for c in item.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            // Askama writes an apostrophe as a character reference.
            text.trim().replace("&#39;", "'").replace("&#x27;", "'")
        })
        .collect()
}

/// The step marked as the current page.
fn current_step(body: &str) -> String {
    let start = body.find("data-test-id=\"breadcrumb\"").unwrap();
    let nav = &body[start..start + body[start..].find("</nav>").unwrap()];
    let marker = "aria-current=\"page\">";
    let from = nav.find(marker).expect("a current step") + marker.len();
    nav[from..from + nav[from..].find('<').unwrap()].to_owned()
}

async fn the_trail_follows_the_path(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let n = nordlys(&store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;

    let pane = admin.get(&pay_path(&n, &n.due)).await;
    assert_eq!(pane.status, StatusCode::OK);
    assert_eq!(
        trail(&pane.body),
        [
            "Home",
            "Cost Management + Billing",
            "Invoices",
            n.due.number.as_str(),
            "Pay now"
        ]
    );
    assert_eq!(current_step(&pane.body), "Pay now");
    assert!(pane.body.contains(&format!(
        "<a href=\"/billing/{}/invoices/{}\">{}</a>",
        n.account, n.due.id, n.due.number
    )));

    let detail = admin
        .get(&format!("/billing/{}/invoices/{}", n.account, n.due.id))
        .await;
    assert_eq!(
        trail(&detail.body),
        [
            "Home",
            "Cost Management + Billing",
            "Invoices",
            n.due.number.as_str()
        ]
    );
    let overview = admin.get(&format!("/billing/{}", n.account)).await;
    assert_eq!(trail(&overview.body), ["Home", "Cost Management + Billing"]);
    assert_eq!(current_step(&overview.body), "Cost Management + Billing");

    let mut danish = app.signed_in(NORDLYS_ADMIN).await;
    danish.accept_language = Some("da-DK".into());
    let rude = danish.get(&pay_path(&n, &n.due)).await;
    assert_eq!(
        trail(&rude.body),
        [
            "Forside",
            "Cost Management + Fakturering",
            "Fakturaer",
            n.due.number.as_str(),
            "Betal nu"
        ]
    );
}

async fn help_tokens_and_the_api_keep_the_service_frame(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    for (path, current) in [
        ("/help", "Help + support"),
        ("/account/tokens", "API tokens"),
        ("/account/notifications", "Notifications"),
        ("/api", "API reference"),
    ] {
        let page = admin.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            page.body.contains("id=\"service-menu\""),
            "{path}: left pane"
        );
        assert!(
            page.body.contains("data-test-id=\"global-search\""),
            "{path}: top bar"
        );
        assert_eq!(current_step(&page.body), current, "{path}");
        assert_eq!(
            page.body.matches("data-test-id=\"breadcrumb\"").count(),
            1,
            "{path}: one trail"
        );
        assert_eq!(page.body.matches("<h1").count(), 1, "{path}: one h1");
    }
    let help = admin.get("/help").await;
    assert!(help
        .body
        .contains("data-test-id=\"nav-help\" aria-current=\"page\""));

    // No one signed in: the reference still answers, without any account's menu.
    let anonymous = app.browser().get("/api").await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert!(!anonymous.body.contains("id=\"service-menu\""));
    assert!(anonymous.body.contains("curl -H"));
}

async fn the_api_reference_reads_in_danish(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut reader = app.browser();
    reader.accept_language = Some("da-DK".into());
    let page = reader.get("/api").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<html lang=\"da\""));
    for danish in [
        "Betal fakturaen med et gemt kort",
        "Betalinger (Faktura-udvidelse)",
        "Faktureringskonti, som den kaldende har en rolle på",
        "Kontoens fakturaer, nyeste først",
    ] {
        assert!(page.body.contains(danish), "missing {danish:?}");
    }
    assert!(!page.body.contains("Pay the invoice with a saved card"));
    let english = app.browser().get("/api").await;
    assert!(english.body.contains("Pay the invoice with a saved card"));
    assert!(english.body.contains("Payments (Faktura extension)"));
}

async fn a_refusal_stays_inside_the_service(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let n = nordlys(&store).await;
    // A reader may see invoices but not pay them: the pane is refused, with the menu.
    let mut reader = app.signed_in(NORDLYS_READER).await;
    let refused = reader.get(&pay_path(&n, &n.due)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("id=\"service-menu\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Billing account reader"));
    assert!(refused.body.contains("t have access"), "{}", refused.body);
    assert_eq!(
        trail(&refused.body),
        [
            "Home",
            "Cost Management + Billing",
            "Invoices",
            "You don't have access"
        ]
    );
    // A refusal that names the action (Settings › Webhooks) is inside the service too.
    let webhooks = reader
        .get(&format!("/billing/{}/webhooks", n.account))
        .await;
    assert_eq!(webhooks.status, StatusCode::FORBIDDEN);
    assert!(webhooks.body.contains("id=\"service-menu\""));
    assert!(webhooks
        .body
        .contains("data-test-id=\"nav-webhooks\" aria-current=\"page\""));

    // Someone of another account sees nothing of this one: the plain refusal.
    let mut outsider = app.signed_in(OUTSIDER).await;
    let plain = outsider.get(&pay_path(&n, &n.due)).await;
    assert_eq!(plain.status, StatusCode::FORBIDDEN);
    assert!(!plain.body.contains("id=\"service-menu\""));
    assert!(!plain.body.contains("Nordlys"));
}

async fn settle_balance_offers_a_new_card(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let prairie = account_of(&store, PRAIRIE_OWNER).await;
    let profile = prairie.profiles[0].clone();
    let open = outstanding(&store, &prairie.id).await;
    assert!(!open.is_empty());
    let mut owner = app.signed_in(PRAIRIE_OWNER).await;
    let path = format!("/billing/{}/settle", prairie.id);

    // No saved card: "Add a new card" is there, chosen, with the profile it is saved on.
    let pane = owner.get(&path).await;
    assert_eq!(pane.status, StatusCode::OK);
    let radio = pane
        .body
        .split("id=\"method-new\"")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .expect("an Add a new card choice");
    assert!(radio.contains("checked"), "{radio}");
    assert!(pane
        .body
        .contains("The card is saved on the billing profile Prairie Analytics"));
    assert!(!pane.body.contains("data-test-id=\"settle-no-card\""));

    // A wrong card: the pane again, with the error summary; nothing saved, nothing charged.
    let bad = owner
        .post_form(
            &path,
            &[
                ("method", "new"),
                ("holder", "Dana Prairie"),
                ("number", "4242424242424241"),
                ("expiry", "12/30"),
                ("cvc", "123"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("data-error-summary"));
    assert!(bad.body.contains("href=\"#number\""));
    assert!(
        bad.body.contains("value=\"Dana Prairie\""),
        "the name is kept"
    );
    assert!(
        !bad.body.contains("4242424242424241"),
        "the number is not echoed"
    );
    assert!(store
        .payment_methods(&prairie.id, &profile.id)
        .await
        .unwrap()
        .is_empty());

    // A card that asks for 3-D Secure when it is added goes to the bank's page first.
    let secure = owner
        .post_form(
            &path,
            &[
                ("method", "new"),
                ("holder", "Dana Prairie"),
                ("number", "4000 0027 6000 3184"),
                ("expiry", "12/30"),
                ("cvc", "123"),
            ],
        )
        .await;
    let challenge = secure.location.clone().unwrap_or_default();
    assert!(challenge.starts_with("/sandbox/3ds/"), "{secure:?}");
    assert!(
        app.sandbox.ledger().iter().all(|c| !c.amount.is_positive()),
        "nothing charged before the card is authenticated"
    );

    let posted = owner
        .post_form(
            &path,
            &[
                ("method", "new"),
                ("holder", "Dana Prairie"),
                ("number", "4242 4242 4242 4242"),
                ("expiry", "12/30"),
                ("cvc", "123"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let outcome = follow(&mut owner, posted).await;
    assert!(outcome.body.contains("Balance settled"), "{}", outcome.body);
    let cards: Vec<_> = store
        .payment_methods(&prairie.id, &profile.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.status == PaymentMethodStatus::Active)
        .collect();
    assert_eq!(cards.len(), 1, "the new card is saved on the profile");
    assert_eq!(cards[0].last4, "4242");
    for invoice in &open {
        let now = store
            .invoice(&prairie.id, &invoice.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.status, InvoiceStatus::Paid, "{}", now.number);
    }
    let charged: Vec<_> = app
        .sandbox
        .ledger()
        .into_iter()
        .filter(|c| c.amount.is_positive())
        .collect();
    assert_eq!(charged.len(), 1, "one charge for the balance: {charged:?}");
    let expected: i64 = open.iter().map(|i| i.amount_due().unwrap().minor()).sum();
    assert_eq!(charged[0].amount.minor(), expected);
}

faktura_store::on_both_backends!(
    the_trail_follows_the_path,
    help_tokens_and_the_api_keep_the_service_frame,
    the_api_reference_reads_in_danish,
    a_refusal_stays_inside_the_service,
    settle_balance_offers_a_new_card,
);
