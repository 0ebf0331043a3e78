//! Properties, access control, the activity log and invoice PDFs through the real router, on
//! SQLite and PostgreSQL (payment methods and Settle balance: `payment_methods_pages.rs`).

mod common;

use axum::http::StatusCode;
use common::admin::{account_of, add_card, methods_path, outstanding};
use common::documents::get_bytes;
use common::mail::pdf_text;
use common::TestApp;
use faktura_domain::*;
use faktura_store::demo::{
    NORDLYS_ADMIN, NORDLYS_INVOICE_MANAGER, NORDLYS_PROFILE_OWNER, NORDLYS_READER, PRAIRIE_OWNER,
};
use faktura_store::{InvoiceFilter, StatusFilter, Store};

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
    // Labelled in words, not stored keys and ids.
    assert!(
        log.body.contains("Bill-to address, Address line 1"),
        "{}",
        log.body
    );
    assert!(!log.body.contains("bill_to"));
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

    // An unknown e-mail: an invited user, and the set-password link goes to that mailbox only
    // (tests/invitations.rs follows the mail); the page never shows it.
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
    assert!(added
        .body
        .contains("An invitation was sent to new.colleague@nordlys.example"));
    assert!(!added.body.contains("/invite/"), "{}", added.body);
    let newcomer = store
        .user_by_email("new.colleague@nordlys.example")
        .await
        .unwrap()
        .unwrap();
    let hash = faktura_web::auth::hash_password("a-long-enough-password").unwrap();
    store.set_password_hash(&newcomer.id, &hash).await.unwrap();
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
    assert!(
        log.body.contains("Billing profile contributor"),
        "{}",
        log.body
    );
    assert!(!log.body.contains("BillingProfileContributor") && !log.body.contains("ra_"));
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
    assert_eq!(
        text.matches("Nordlys Data ApS").count(),
        1,
        "the customer's name once: {text}"
    );

    // In Danish for a Danish reader.
    admin.accept_language = Some("da-DK".into());
    let (_, _, bytes) = get_bytes(&admin, &path).await;
    let text = pdf_text(&bytes);
    for expected in [
        "Faktura",
        "Overskredet",
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
    // A paid invoice's PDF says it is paid, not how to pay it.
    let paid_pdf = format!("/billing/{}/invoices/{}/pdf", nordlys.id, paid.id);
    let (_, _, bytes) = get_bytes(&admin, &paid_pdf).await;
    let text = pdf_text(&bytes);
    assert!(text.contains("Denne faktura er betalt"), "{text}");
    assert!(!text.contains("Betalingsreference"), "{text}");
    assert!(!text.contains("DK50 0040 0440 1162 43"), "{text}");
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
faktura_store::on_both_backends!(
    properties_are_shown_and_owners_edit_them,
    access_control_grants_invites_and_removes,
    activity_log_filters_pages_and_refuses_others,
    invoice_and_receipt_pdfs_read_back,
    danish_pages_use_the_help_labels,
);
