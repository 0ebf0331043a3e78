//! Payment methods, Settle balance, properties, access control, the activity log and invoice
//! PDFs through the real router, on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{Browser, Page, TestApp};
use faktura_domain::*;
use faktura_store::demo::{
    NORDLYS_ADMIN, NORDLYS_INVOICE_MANAGER, NORDLYS_PROFILE_OWNER, NORDLYS_READER, PRAIRIE_OWNER,
};
use faktura_store::{ActivityQuery, InvoiceFilter, StatusFilter, Store};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Account {
    id: BillingAccountId,
    profiles: Vec<BillingProfile>,
}

impl Account {
    fn profile(&self, name: &str) -> &BillingProfile {
        self.profiles
            .iter()
            .find(|p| p.display_name == name)
            .unwrap()
    }
}

async fn account_of(store: &Store, email: &str) -> Account {
    let user = store.user_by_email(email).await.unwrap().unwrap();
    let id = store.accounts_for_user(&user.id).await.unwrap()[0]
        .id
        .clone();
    let profiles = store.profiles(&id).await.unwrap();
    Account { id, profiles }
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

/// GET returning the raw body bytes (for PDFs), with the browser's cookies.
async fn get_bytes(browser: &Browser, path: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let cookies: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut request = Request::builder()
        .uri(path)
        .header(header::COOKIE, cookies.join("; "));
    if let Some(lang) = &browser.accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, lang);
    }
    let response = browser
        .router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, bytes.to_vec())
}

fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a valid PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("extractable text")
}

fn methods_path(account: &Account, profile: &BillingProfile) -> String {
    format!(
        "/billing/{}/payment-methods?profile={}",
        account.id, profile.id
    )
}

fn card_rows(body: &str) -> usize {
    body.matches("data-test-id=\"card-row\"").count()
}

async fn add_card(
    browser: &mut Browser,
    account: &Account,
    profile: &BillingProfile,
    number: &str,
    replaces: Option<&PaymentMethodId>,
) -> Page {
    let replaces = replaces.map(|r| r.to_string()).unwrap_or_default();
    browser
        .post_form(
            &format!("/billing/{}/payment-methods/add", account.id),
            &[
                ("profile", profile.id.as_str()),
                ("holder", "Mette Nordlys"),
                ("number", number),
                ("expiry", "12/34"),
                ("cvc", "123"),
                ("replaces", &replaces),
            ],
        )
        .await
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
            &[("profile", drift.id.as_str())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("unpaid invoice"), "{}", refused.body);
    // Another card goes.
    let detached = admin
        .post_form(
            &format!("/billing/{}/payment-methods/{}/detach", nordlys.id, visa.id),
            &[("profile", drift.id.as_str())],
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

async fn outstanding(store: &Store, account: &BillingAccountId) -> Vec<Invoice> {
    store
        .list_invoices(&InvoiceFilter {
            account: account.clone(),
            profiles: None,
            status: StatusFilter::Open,
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today: chrono::Utc::now().date_naive(),
            after: None,
            limit: 100,
        })
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|s| s.invoice)
        .collect()
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
    // No card yet: the pane says to add one.
    let pane = owner.get(&format!("/billing/{}/settle", prairie.id)).await;
    assert!(pane.body.contains("data-test-id=\"settle-no-card\""));
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

async fn properties_are_shown_and_owners_edit_them(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let drift = nordlys.profile("Nordlys Drift");
    let path = format!("/billing/{}/properties?profile={}", nordlys.id, drift.id);
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let page = admin.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Billing account type",
        "Microsoft Customer Agreement",
        "Bill-to address",
        "Invoice email",
        "faktura@nordlys.example",
        "admin@nordlys.example",
        "Strandvejen 100",
        "Visa •••• 4242",
        "DKK",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let save = format!("/billing/{}/properties/{}", nordlys.id, drift.id);
    let fields = |email: &'static str| {
        vec![
            ("company", "Nordlys Data ApS"),
            ("line1", "Nyhavn 12"),
            ("line2", ""),
            ("postal_code", "1051"),
            ("city", "København K"),
            ("region", ""),
            ("country", "dk"),
            ("invoice_email", email),
        ]
    };
    let bad = admin.post_form(&save, &fields("not-an-email")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("data-test-id=\"email-error\""));
    let good = admin.post_form(&save, &fields("AP@Nordlys.example")).await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    let profile = store
        .profile(&nordlys.id, &drift.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.invoice_email, "ap@nordlys.example");
    assert_eq!(profile.bill_to.city, "København K");
    assert_eq!(profile.bill_to.country, "DK");
    // Readers see, but may not edit.
    let mut reader = app.signed_in(NORDLYS_READER).await;
    let page = reader.get(&path).await;
    assert!(!page.body.contains("data-test-id=\"save-properties\""));
    let refused = reader.post_form(&save, &fields("x@nordlys.example")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // The activity log keeps before and after.
    let log = admin
        .get(&format!(
            "/billing/{}/activity?kind=properties&period=24h",
            nordlys.id
        ))
        .await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains("Properties changed"));
    assert!(log.body.contains("Nyhavn 12"));
    assert!(log.body.contains("Strandvejen 100"));
    assert!(log.body.contains(NORDLYS_ADMIN));
    // Danish.
    admin.accept_language = Some("da-DK".into());
    let page = admin.get(&path).await;
    for text in [
        "Egenskaber",
        "Faktureringskontotype",
        "Faktureringsadresse",
        "Faktura-e-mail",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
}

fn invite_token(body: &str) -> String {
    let start = body.find("/invite/").expect("an invitation link") + "/invite/".len();
    body[start..start + 64].to_owned()
}

async fn access_control_grants_invites_and_removes(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let drift = nordlys.profile("Nordlys Drift");
    let udvikling = nordlys.profile("Nordlys Udvikling");
    let access = format!("/billing/{}/access", nordlys.id);
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let page = admin.get(&access).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(NORDLYS_READER));
    assert!(page.body.contains("Account administrator"));
    assert!(page.body.contains("data-test-id=\"grant-submit\""));

    // An unknown e-mail: an invited user and a one-time link, shown once.
    let added = admin
        .post_form(
            &format!("{access}/add"),
            &[
                ("email", "New.Colleague@nordlys.example"),
                ("role", "BillingProfileContributor"),
                ("scope", drift.id.as_str()),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert!(added.body.contains("data-test-id=\"invite-link\""));
    let token = invite_token(&added.body);
    let mut newcomer = app.browser();
    let page = newcomer.get(&format!("/invite/{token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("new.colleague@nordlys.example"));
    let short = newcomer
        .post_form(
            &format!("/invite/{token}"),
            &[("password", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = newcomer
        .post_form(
            &format!("/invite/{token}"),
            &[
                ("password", "a-long-enough-password"),
                ("confirm", "a-long-enough-password"),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::OK);
    assert!(set.body.contains("data-test-id=\"invite-done\""));
    let reused = newcomer.get(&format!("/invite/{token}")).await;
    assert_eq!(reused.status, StatusCode::NOT_FOUND);
    // The newcomer signs in and may manage Drift's cards, nothing on the account.
    let mut colleague = app.browser();
    colleague.get("/signin").await;
    let signed = colleague
        .post_form(
            "/signin",
            &[
                ("email", "new.colleague@nordlys.example"),
                ("password", "a-long-enough-password"),
            ],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    let mine = colleague
        .get(&format!("{access}?profile={}", drift.id))
        .await;
    assert!(mine
        .body
        .contains("data-test-id=\"capability-manage-methods\" data-allowed=\"true\""));
    assert!(mine
        .body
        .contains("data-test-id=\"capability-grant\" data-allowed=\"false\""));

    // Twice the same role: refused with a message.
    let twice = admin
        .post_form(
            &format!("{access}/add"),
            &[
                ("email", "new.colleague@nordlys.example"),
                ("role", "BillingProfileContributor"),
                ("scope", drift.id.as_str()),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // The last billing account owner stays.
    let assignments = store.role_assignments(&nordlys.id).await.unwrap();
    let owner = assignments
        .iter()
        .find(|(a, _)| a.role == Role::BillingAccountOwner)
        .unwrap()
        .0
        .id
        .clone();
    let last = admin
        .post_form(&format!("{access}/{owner}/remove"), &[])
        .await;
    assert_eq!(last.status, StatusCode::CONFLICT);
    assert!(last.body.contains("last billing account owner"));
    // Removing the reader works.
    let reader = assignments
        .iter()
        .find(|(_, email)| email == NORDLYS_READER)
        .unwrap()
        .0
        .id
        .clone();
    let removed = admin
        .post_form(&format!("{access}/{reader}/remove"), &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let mut former = app.signed_in(NORDLYS_READER).await;
    let gone = former.get(&format!("/billing/{}", nordlys.id)).await;
    assert_eq!(gone.status, StatusCode::FORBIDDEN);

    // A profile owner grants on their profile only.
    let mut profile_owner = app.signed_in(NORDLYS_PROFILE_OWNER).await;
    let page = profile_owner.get(&access).await;
    assert!(page.body.contains("data-test-id=\"grant-submit\""));
    for scope in ["account", drift.id.as_str()] {
        let refused = profile_owner
            .post_form(
                &format!("{access}/add"),
                &[
                    ("email", "someone@nordlys.example"),
                    ("role", "BillingProfileReader"),
                    ("scope", scope),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{scope}");
    }
    let ok = profile_owner
        .post_form(
            &format!("{access}/add"),
            &[
                ("email", NORDLYS_INVOICE_MANAGER),
                ("role", "BillingProfileReader"),
                ("scope", udvikling.id.as_str()),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);

    // Readers see why Pay now is missing.
    let mut manager = app.signed_in(NORDLYS_INVOICE_MANAGER).await;
    let page = manager
        .get(&format!("{access}?profile={}", udvikling.id))
        .await;
    assert!(page.body.contains("data-test-id=\"pay-note\""));
    assert!(page.body.contains("can view invoices but not pay them"));

    let log = admin
        .get(&format!("/billing/{}/activity?kind=roles", nordlys.id))
        .await;
    assert!(log.body.contains("Role added"));
    assert!(log.body.contains("Role removed"));
}

async fn activity_log_filters_pages_and_refuses_others(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    for i in 0..40 {
        store
            .record_audit(&faktura_store::NewAuditEvent {
                billing_account_id: Some(nordlys.id.clone()),
                actor: None,
                kind: "role.granted".into(),
                target: format!("user{i}@nordlys.example"),
                detail: serde_json::json!({"role": "BillingAccountReader"}),
                ip: Some("198.51.100.7".into()),
            })
            .await
            .unwrap();
    }
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let base = format!("/billing/{}/activity", nordlys.id);
    let first = admin.get(&format!("{base}?kind=roles")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        first.body.matches("data-test-id=\"activity-row\"").count(),
        25
    );
    assert!(first.body.contains("198.51.100.7"));
    let start = first.body.find("data-test-id=\"next-page\"").unwrap();
    let href_start = first.body[..start].rfind("href=\"").unwrap() + 6;
    let href = first.body[href_start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let href = href.replace("&#38;", "&");
    let second = admin.get(&href).await;
    assert_eq!(second.status, StatusCode::OK, "{href}");
    assert_eq!(
        second.body.matches("data-test-id=\"activity-row\"").count(),
        15
    );
    // Sign-ins are there too.
    let signins = admin.get(&format!("{base}?kind=sign-in")).await;
    assert!(signins.body.contains("Signed in"));
    // Bad filters are a 400, not a 500.
    let bad = admin.get(&format!("{base}?kind=nope")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = admin.get(&format!("{base}?before=garbage")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // A profile owner sees only what concerns their profile.
    let mut profile_owner = app.signed_in(NORDLYS_PROFILE_OWNER).await;
    let udvikling = nordlys.profile("Nordlys Udvikling");
    add_card(
        &mut profile_owner,
        &nordlys,
        udvikling,
        "5555555555554444",
        None,
    )
    .await;
    let limited = profile_owner.get(&base).await;
    assert_eq!(limited.status, StatusCode::OK);
    assert!(limited.body.contains("data-test-id=\"activity-limited\""));
    assert!(limited.body.contains("Card added"));
    assert!(
        !limited.body.contains("user0@nordlys.example"),
        "account events stay hidden"
    );
    for email in [NORDLYS_READER, NORDLYS_INVOICE_MANAGER, PRAIRIE_OWNER] {
        let mut browser = app.signed_in(email).await;
        let page = browser.get(&base).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{email}");
    }
    admin.accept_language = Some("da-DK".into());
    let page = admin.get(&base).await;
    assert!(page.body.contains("Aktivitetslog"));
}

async fn invoice_and_receipt_pdfs_read_back(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let open = outstanding(&store, &nordlys.id).await;
    let invoice = open
        .iter()
        .find(|i| i.status_on(chrono::Utc::now().date_naive()) == InvoiceStatus::OverDue)
        .unwrap();
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let list = admin
        .get(&format!("/billing/{}/invoices", nordlys.id))
        .await;
    assert!(list.body.contains("data-test-id=\"download-invoice\""));
    let path = format!("/billing/{}/invoices/{}/pdf", nordlys.id, invoice.id);
    let (status, content_type, bytes) = get_bytes(&admin, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type.as_deref(), Some("application/pdf"));
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&bytes);
    for expected in [
        "Invoice",
        invoice.number.as_str(),
        "Nordlys Data ApS",
        "Strandvejen 100",
        "Faktura Billing ApS",
        "Virtual Machines",
        "Amount due",
        "Past due",
        "DK50 0040 0440 1162 43",
        "Payment reference",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(text.contains(&format!(
        "Use the invoice number {} as the payment reference",
        invoice.number
    )));

    // In Danish for a Danish reader.
    admin.accept_language = Some("da-DK".into());
    let (_, _, bytes) = get_bytes(&admin, &path).await;
    let text = pdf_text(&bytes);
    for expected in [
        "Faktura",
        "Forfalden",
        "Betalingsreference",
        "Sælger",
        " kr.",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }

    // A receipt for a succeeded payment; none for an invoice someone may not see.
    let paid = store
        .list_invoices(&InvoiceFilter {
            account: nordlys.id.clone(),
            profiles: None,
            status: StatusFilter::Only(InvoiceStatus::Paid),
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today: chrono::Utc::now().date_naive(),
            after: None,
            limit: 5,
        })
        .await
        .unwrap()
        .items[0]
        .invoice
        .clone();
    let payment = store
        .payments_for_invoice(&nordlys.id, &paid.id)
        .await
        .unwrap()[0]
        .clone();
    let detail = admin
        .get(&format!("/billing/{}/invoices/{}", nordlys.id, paid.id))
        .await;
    assert!(detail.body.contains("data-test-id=\"download-receipt\""));
    assert!(detail.body.contains("Kvittering"));
    let receipt = format!("/billing/{}/payments/{}/receipt", nordlys.id, payment.id);
    let (status, _, bytes) = get_bytes(&admin, &receipt).await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&bytes);
    for expected in ["Kvittering", paid.number.as_str(), payment.id.as_str()] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let outsider = app.signed_in(PRAIRIE_OWNER).await;
    let (status, _, _) = get_bytes(&outsider, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let anonymous = app.browser();
    let (status, _, _) = get_bytes(&anonymous, &receipt).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

async fn danish_pages_use_the_help_labels(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let drift = nordlys.profile("Nordlys Drift");
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    admin.accept_language = Some("da-DK".into());
    add_card(&mut admin, &nordlys, drift, "5555555555554444", None).await;
    let page = admin.get(&methods_path(&nordlys, drift)).await;
    for text in [
        "Betalingsmetoder",
        "Angiv som standard",
        "Erstat",
        "Frakobl",
        "Tilføj",
        "Egenskaber",
        "Adgangsstyring (IAM)",
        "Aktivitetslog",
        "Standard",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let access = admin.get(&format!("/billing/{}/access", nordlys.id)).await;
    assert!(access.body.contains("Det må du her"));
    assert!(access.body.contains("Fjern"));
    let mut prairie = app.signed_in(PRAIRIE_OWNER).await;
    prairie.accept_language = Some("da-DK".into());
    let prairie_account = account_of(&store, PRAIRIE_OWNER).await;
    let invoices = prairie
        .get(&format!("/billing/{}/invoices", prairie_account.id))
        .await;
    assert!(invoices.body.contains("Udlign saldo"));
    assert!(invoices.body.contains("Hent"));
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
            &[("profile", profile.id.as_str())],
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
    properties_are_shown_and_owners_edit_them,
    access_control_grants_invites_and_removes,
    activity_log_filters_pages_and_refuses_others,
    invoice_and_receipt_pdfs_read_back,
    danish_pages_use_the_help_labels,
);
