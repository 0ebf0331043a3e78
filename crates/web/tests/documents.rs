//! Invoice and receipt PDFs through the real router with the operator's seller details, on
//! SQLite and PostgreSQL: Unicode text, the seller's legal details, VAT, the payments of a paid
//! invoice. Also the tab icon and the home tile's icon.

mod common;

use axum::http::StatusCode;
use common::admin::{account_of, outstanding};
use common::documents::get_bytes;
use common::mail::pdf_text;
use common::TestApp;
use faktura_app::{Config, SellerDetails};
use faktura_domain::*;
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_store::{InvoiceFilter, StatusFilter, Store};

fn seller() -> SellerDetails {
    SellerDetails {
        name: "Łódź Ελλάδα Billing Sp. z o.o.".into(),
        address: vec!["ul. Piotrkowska 104".into(), "90-926 Łódź".into()],
        vat_number: "PL7250018180".into(),
    }
}

async fn pdfs_carry_the_configured_seller_vat_and_payments(store: Store) {
    let config = Config {
        seller: seller(),
        ..Config::default()
    };
    let (app, _) = TestApp::with_config(store.clone(), config).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;

    // An open invoice: seller, VAT per line and in a summary, how to pay.
    let open = outstanding(&store, &nordlys.id).await;
    let invoice = &store
        .invoice(&nordlys.id, &open[0].id)
        .await
        .unwrap()
        .unwrap();
    let path = format!("/billing/{}/invoices/{}/pdf", nordlys.id, invoice.id);
    let (status, content_type, bytes) = get_bytes(&admin, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type.as_deref(), Some("application/pdf"));
    let text = pdf_text(&bytes);
    let lines = invoice.lines.len();
    assert!(lines > 0);
    for expected in [
        "Łódź Ελλάδα Billing Sp. z o.o.",
        "ul. Piotrkowska 104",
        "90-926 Łódź",
        "VAT no. PL7250018180",
        "VAT 25%",
        "VAT summary",
        "Taxable amount",
        "Pay by wire transfer",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    // Once per line, in the VAT summary and by the tax total.
    assert!(text.matches("25%").count() >= lines + 2, "{text}");
    assert!(!text.contains("Payments received"), "{text}");

    // A paid invoice lists what paid it and says nothing of wire transfers.
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
    let payments = store
        .payments_for_invoice(&nordlys.id, &paid.id)
        .await
        .unwrap();
    let succeeded: Vec<_> = payments
        .iter()
        .filter(|p| p.state == PaymentState::Succeeded)
        .collect();
    assert!(!succeeded.is_empty());
    admin.accept_language = Some("da-DK".into());
    let paid_path = format!("/billing/{}/invoices/{}/pdf", nordlys.id, paid.id);
    let (_, _, bytes) = get_bytes(&admin, &paid_path).await;
    let text = pdf_text(&bytes);
    for expected in [
        "Łódź Ελλάδα Billing Sp. z o.o.",
        "CVR-nr. PL7250018180",
        "Moms 25 %",
        "Momsspecifikation",
        "Modtagne betalinger",
        "Denne faktura er betalt",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    for payment in &succeeded {
        assert!(
            text.contains(payment.id.as_str()),
            "{} in {text}",
            payment.id
        );
    }
    assert!(!text.contains("bankoverførsel"), "{text}");

    // The receipt names the seller with its details too.
    let receipt = format!(
        "/billing/{}/payments/{}/receipt",
        nordlys.id, succeeded[0].id
    );
    let (status, _, bytes) = get_bytes(&admin, &receipt).await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&bytes);
    for expected in [
        "Kvittering",
        "Łódź Ελλάδα Billing Sp. z o.o.",
        "90-926 Łódź",
        "CVR-nr. PL7250018180",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
}

async fn the_default_seller_is_the_demo_company(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let admin = app.signed_in(NORDLYS_ADMIN).await;
    let open = outstanding(&store, &nordlys.id).await;
    let path = format!("/billing/{}/invoices/{}/pdf", nordlys.id, open[0].id);
    let (_, _, bytes) = get_bytes(&admin, &path).await;
    let text = pdf_text(&bytes);
    for expected in [
        "Faktura Billing ApS",
        "Vesterbrogade 1",
        "1620 København V",
        "VAT no. DK12345678",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
}

async fn the_tab_and_home_tile_have_icons(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    for path in ["/favicon.ico", "/favicon.svg"] {
        let (status, content_type, bytes) = get_bytes(&admin, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(content_type.as_deref(), Some("image/svg+xml"), "{path}");
        assert!(String::from_utf8(bytes).unwrap().starts_with("<svg"));
    }
    let portal = admin.get("/portal").await;
    assert!(portal.body.contains("rel=\"icon\" href=\"/favicon.svg\""));
    // The tile's icon is drawn, not a character the font may lack (it was "₿").
    assert!(!portal.body.contains('₿'));
    assert!(
        portal.body.contains("<svg class=\"tile-icon\""),
        "{}",
        portal.body
    );
}

faktura_store::on_both_backends!(
    pdfs_carry_the_configured_seller_vat_and_payments,
    the_default_seller_is_the_demo_company,
    the_tab_and_home_tile_have_icons,
);
