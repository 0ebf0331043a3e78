//! Payment methods and Settle balance through the real router, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::admin::{account_of, add_card, methods_path, outstanding};
use common::{follow, TestApp};
use faktura_domain::*;
use faktura_store::demo::{
    NORDLYS_ADMIN, NORDLYS_INVOICE_MANAGER, NORDLYS_PROFILE_OWNER, NORDLYS_READER, PRAIRIE_OWNER,
};
use faktura_store::{ActivityQuery, Store};

fn card_rows(body: &str) -> usize {
    body.matches("data-test-id=\"card-row\"").count()
}

async fn payment_methods_add_default_replace_detach(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let drift = nordlys.profile("Nordlys Drift");
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;

    let page = admin.get(&methods_path(&nordlys, drift)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(card_rows(&page.body), 1);
    assert!(page.body.contains("•••• 4242"));
    assert!(page.body.contains("data-test-id=\"default-badge\""));
    assert!(page.body.contains("Set as default") || page.body.contains("Detach"));

    // Bad input and the prepaid card are refused with messages; nothing is saved.
    let bad = add_card(&mut admin, &nordlys, drift, "4242 4242 4242 4241", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("isn&#39;t valid") || bad.body.contains("isn&#x27;t valid"));
    let prepaid = add_card(&mut admin, &nordlys, drift, "5105105105105100", None).await;
    assert_eq!(prepaid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        prepaid.body.to_lowercase().contains("prepaid"),
        "{}",
        prepaid.body
    );

    // Add a Mastercard, then make it the default.
    let added = add_card(&mut admin, &nordlys, drift, "5555 5555 5555 4444", None).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = follow(&mut admin, added).await;
    assert_eq!(card_rows(&page.body), 2);
    assert!(page.body.contains("data-test-id=\"methods-notice\""));
    let cards = store.payment_methods(&nordlys.id, &drift.id).await.unwrap();
    let mc = cards.iter().find(|m| m.last4 == "4444").unwrap().clone();
    let visa = cards.iter().find(|m| m.last4 == "4242").unwrap().clone();
    let page = admin
        .post_form(
            &format!("/billing/{}/payment-methods/{}/default", nordlys.id, mc.id),
            &[("profile", drift.id.as_str())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let profile = store
        .profile(&nordlys.id, &drift.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.default_payment_method_id.as_ref(), Some(&mc.id));

    // The default of a profile with unpaid invoices stays, with the reason.
    let refused = admin
        .post_form(
            &format!("/billing/{}/payment-methods/{}/detach", nordlys.id, mc.id),
            &[("profile", drift.id.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("unpaid invoice"), "{}", refused.body);
    // Another card goes.
    let detached = admin
        .post_form(
            &format!("/billing/{}/payment-methods/{}/detach", nordlys.id, visa.id),
            &[("profile", drift.id.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(detached.status, StatusCode::SEE_OTHER);
    assert_eq!(
        store
            .payment_methods(&nordlys.id, &drift.id)
            .await
            .unwrap()
            .len(),
        1
    );

    // Replace with the 3-D Secure card: the challenge first, then it is added and made default.
    let replaced = add_card(
        &mut admin,
        &nordlys,
        drift,
        "4000 0027 6000 3184",
        Some(&mc.id),
    )
    .await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER, "{}", replaced.body);
    let challenge = replaced.location.clone().unwrap();
    assert!(challenge.starts_with("/sandbox/3ds/"), "{challenge}");
    assert_eq!(
        store
            .payment_methods(&nordlys.id, &drift.id)
            .await
            .unwrap()
            .len(),
        1,
        "not usable before the challenge"
    );
    let page = admin.get(&challenge).await;
    assert_eq!(page.status, StatusCode::OK);
    let answered = admin.post_form(&challenge, &[("result", "complete")]).await;
    let page = follow(&mut admin, answered).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("set as default"), "{}", page.body);
    let cards = store.payment_methods(&nordlys.id, &drift.id).await.unwrap();
    assert_eq!(cards.len(), 2);
    let secure = cards.iter().find(|m| m.last4 == "3184").unwrap();
    let profile = store
        .profile(&nordlys.id, &drift.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.default_payment_method_id.as_ref(), Some(&secure.id));

    // A failed challenge adds nothing.
    let again = add_card(&mut admin, &nordlys, drift, "4000002760003184", None).await;
    let challenge = again.location.unwrap();
    let failed = admin.post_form(&challenge, &[("result", "fail")]).await;
    let page = follow(&mut admin, failed).await;
    assert!(page.body.contains("3-D Secure"), "{}", page.body);
    // Said as a problem, not in the green notice of things that went well.
    assert!(page.body.contains("data-test-id=\"methods-problem\""));
    assert!(!page.body.contains("data-test-id=\"methods-notice\""));
    assert_eq!(
        store
            .payment_methods(&nordlys.id, &drift.id)
            .await
            .unwrap()
            .len(),
        2
    );

    // Every change is in the activity log with the actor and IP.
    let events = store
        .activity(&ActivityQuery {
            account: nordlys.id.clone(),
            profiles: None,
            kind_prefix: Some("payment_method.".into()),
            since: None,
            until: None,
            before: None,
            limit: 100,
        })
        .await
        .unwrap()
        .items;
    let kinds: Vec<&str> = events.iter().map(|e| e.event.kind.as_str()).collect();
    for kind in [
        "payment_method.added",
        "payment_method.default_set",
        "payment_method.detached",
        "payment_method.setup_failed",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert!(events
        .iter()
        .all(|e| e.actor_email.as_deref() == Some(NORDLYS_ADMIN)));
}

async fn readers_and_invoice_managers_only_look(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let drift = nordlys.profile("Nordlys Drift");
    let card = store.payment_methods(&nordlys.id, &drift.id).await.unwrap()[0].clone();
    for email in [NORDLYS_READER, NORDLYS_INVOICE_MANAGER] {
        let mut browser = app.signed_in(email).await;
        let page = browser.get(&methods_path(&nordlys, drift)).await;
        assert_eq!(page.status, StatusCode::OK, "{email}");
        assert!(page.body.contains("•••• 4242"));
        assert!(page.body.contains("data-test-id=\"methods-read-only\""));
        assert!(!page.body.contains("data-test-id=\"detach\""), "{email}");
        assert!(!page.body.contains("data-test-id=\"save-card\""), "{email}");
        // The server refuses whatever the page showed, and says why.
        let add = add_card(&mut browser, &nordlys, drift, "5555555555554444", None).await;
        assert_eq!(add.status, StatusCode::FORBIDDEN, "{email}");
        assert!(add.body.contains("doesn&#39;t allow") || add.body.contains("doesn&#x27;t allow"));
        for action in ["default", "detach"] {
            let page = browser
                .post_form(
                    &format!(
                        "/billing/{}/payment-methods/{}/{action}",
                        nordlys.id, card.id
                    ),
                    &[("profile", drift.id.as_str())],
                )
                .await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{email} {action}");
        }
    }
    assert_eq!(
        store
            .payment_methods(&nordlys.id, &drift.id)
            .await
            .unwrap()
            .len(),
        1
    );
    // A profile owner manages only their own profile's cards.
    let mut profile_owner = app.signed_in(NORDLYS_PROFILE_OWNER).await;
    let page = profile_owner.get(&methods_path(&nordlys, drift)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let udvikling = nordlys.profile("Nordlys Udvikling");
    let added = add_card(
        &mut profile_owner,
        &nordlys,
        udvikling,
        "5555555555554444",
        None,
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
}
async fn settle_balance_pays_everything_in_one_charge(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let prairie = account_of(&store, PRAIRIE_OWNER).await;
    let profile = prairie.profiles[0].clone();
    let mut owner = app.signed_in(PRAIRIE_OWNER).await;
    let open = outstanding(&store, &prairie.id).await;
    assert!(!open.is_empty());

    // The banner is on the invoices and payment-methods pages.
    let invoices = owner
        .get(&format!("/billing/{}/invoices", prairie.id))
        .await;
    assert!(invoices.body.contains("data-test-id=\"settle-banner\""));
    assert!(invoices.body.contains("Settle balance"));
    let methods = owner.get(&methods_path(&prairie, &profile)).await;
    assert!(methods.body.contains("data-test-id=\"settle-banner\""));
    // No card yet: the pane offers to add one.
    let pane = owner.get(&format!("/billing/{}/settle", prairie.id)).await;
    assert!(pane.body.contains("data-test-id=\"settle-new-card\""));
    let added = add_card(&mut owner, &prairie, &profile, "4242424242424242", None).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let card = store
        .payment_methods(&prairie.id, &profile.id)
        .await
        .unwrap()[0]
        .clone();
    // Nordlys is not pay-as-you-go: no settling there.
    let mut nordlys_admin = app.signed_in(NORDLYS_ADMIN).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let refused = nordlys_admin
        .get(&format!("/billing/{}/settle", nordlys.id))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Many concurrent presses: one settlement, one charge.
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let mut browser = owner.clone();
        let path = format!("/billing/{}/settle", prairie.id);
        let method = card.id.to_string();
        tasks.push(tokio::spawn(async move {
            browser.post_form(&path, &[("method", &method)]).await
        }));
    }
    for task in tasks {
        let page = task.await.unwrap();
        assert!(
            page.status == StatusCode::SEE_OTHER || page.status == StatusCode::CONFLICT,
            "{} {}",
            page.status,
            page.body
        );
    }
    // Adding the card was a zero-amount setup; the settlement is the only charge with money.
    let charges: Vec<_> = app
        .sandbox
        .ledger()
        .into_iter()
        .filter(|c| c.amount.is_positive())
        .collect();
    assert_eq!(charges.len(), 1, "exactly one charge: {charges:?}");
    let expected: i64 = open.iter().map(|i| i.amount_due().unwrap().minor()).sum();
    assert_eq!(charges[0].amount.minor(), expected);
    for invoice in &open {
        let now = store
            .invoice(&prairie.id, &invoice.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.status, InvoiceStatus::Paid, "{}", now.number);
    }
    let settled = store
        .activity(&ActivityQuery {
            account: prairie.id.clone(),
            profiles: None,
            kind_prefix: Some("settlement.succeeded".into()),
            since: None,
            until: None,
            before: None,
            limit: 10,
        })
        .await
        .unwrap()
        .items;
    assert_eq!(settled.len(), 1);
    let page = owner
        .get(&format!(
            "/billing/{}/settlements/{}",
            prairie.id, settled[0].event.target
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-state=\"succeeded\""));
    // Nothing left: no banner, and the pane says so.
    let invoices = owner
        .get(&format!("/billing/{}/invoices", prairie.id))
        .await;
    assert!(!invoices.body.contains("data-test-id=\"settle-banner\""));
}
async fn settle_balance_with_three_d_secure_and_expiring_cards(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let prairie = account_of(&store, PRAIRIE_OWNER).await;
    let profile = prairie.profiles[0].clone();
    let mut owner = app.signed_in(PRAIRIE_OWNER).await;
    // The 3-D Secure card asks for the challenge when it is added…
    let added = add_card(&mut owner, &prairie, &profile, "4000002760003184", None).await;
    let challenge = added.location.unwrap();
    let passed = owner.post_form(&challenge, &[("result", "complete")]).await;
    follow(&mut owner, passed).await;
    let card = store
        .payment_methods(&prairie.id, &profile.id)
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(card.last4, "3184");
    // …and again when it pays: the settlement waits for the challenge, then pays everything.
    let open = outstanding(&store, &prairie.id).await;
    let pressed = owner
        .post_form(
            &format!("/billing/{}/settle", prairie.id),
            &[("method", card.id.as_str())],
        )
        .await;
    let challenge = pressed.location.unwrap();
    assert!(challenge.starts_with("/sandbox/3ds/"), "{challenge}");
    let waiting = store.open_settlement(&prairie.id).await.unwrap().unwrap();
    assert_eq!(waiting.state, PaymentState::RequiresAction);
    // Meanwhile Pay now on a covered invoice is refused as in progress.
    let pay = owner
        .get(&format!(
            "/billing/{}/invoices/{}/pay",
            prairie.id, open[0].id
        ))
        .await;
    assert!(
        pay.body.contains("data-test-id=\"pay-notice\""),
        "{}",
        pay.body
    );
    let answered = owner.post_form(&challenge, &[("result", "complete")]).await;
    let page = follow(&mut owner, answered).await;
    assert!(
        page.body.contains("data-state=\"succeeded\""),
        "{}",
        page.body
    );
    for invoice in &open {
        let now = store
            .invoice(&prairie.id, &invoice.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.status, InvoiceStatus::Paid);
    }

    // A card expiring within 60 days gets a warning; an expired one is marked.
    let today = chrono::Utc::now().date_naive();
    let soon = today + chrono::Duration::days(20);
    let who = faktura_store::AuditActor {
        user: store
            .user_by_email(PRAIRIE_OWNER)
            .await
            .unwrap()
            .unwrap()
            .id,
        ip: None,
    };
    let mut expiring = card.clone();
    expiring.id = PaymentMethodId::generate();
    expiring.last4 = "1111".into();
    expiring.exp_month = chrono::Datelike::month(&soon);
    expiring.exp_year = chrono::Datelike::year(&soon);
    store
        .add_card(&expiring, &faktura_store::AddMode::Add, &who)
        .await
        .unwrap();
    let mut expired = card.clone();
    expired.id = PaymentMethodId::generate();
    expired.last4 = "2222".into();
    expired.exp_month = 1;
    expired.exp_year = chrono::Datelike::year(&today) - 1;
    store
        .add_card(&expired, &faktura_store::AddMode::Add, &who)
        .await
        .unwrap();
    let page = owner.get(&methods_path(&prairie, &profile)).await;
    assert_eq!(
        page.body.matches("data-test-id=\"expiring-badge\"").count(),
        1
    );
    assert_eq!(
        page.body.matches("data-test-id=\"expired-badge\"").count(),
        1
    );
    assert!(!page.body.contains("data-test-id=\"no-default\""));
    // Nothing unpaid now: the default may go, and the page asks for a new default.
    let detached = owner
        .post_form(
            &format!("/billing/{}/payment-methods/{}/detach", prairie.id, card.id),
            &[("profile", profile.id.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(detached.status, StatusCode::SEE_OTHER);
    let page = follow(&mut owner, detached).await;
    assert!(page.body.contains("data-test-id=\"no-default\""));
}
faktura_store::on_both_backends!(
    settle_balance_with_three_d_secure_and_expiring_cards,
    payment_methods_add_default_replace_detach,
    readers_and_invoice_managers_only_look,
    settle_balance_pays_everything_in_one_charge,
);
