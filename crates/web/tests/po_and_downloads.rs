//! Issue 15's last pieces through the real router, on SQLite and PostgreSQL: the purchase order
//! number (Properties form with its errors in both languages, the API's billing profile
//! update, the invoice that takes it when issued, its PDF line), the sold-to address that
//! only account owners edit, "Download selected" and `downloadDocuments` (one ZIP of the PDFs,
//! an invoice one may not see refused by name, the cap), and `refundDetails` on invoices.

mod common;

use axum::http::{header, StatusCode};
use common::api::{ba, setup, Api, V};
use common::documents::{header_value, request_bytes};
use common::mail::pdf_text;
use common::{follow, Browser};
use faktura_domain::*;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_PROFILE_OWNER, NORDLYS_READER, PRAIRIE_OWNER};
use faktura_store::{InvoiceFilter, StatusFilter, Store};
use serde_json::json;
use std::io::Read;

/// A request with the browser's cookies; the status, the Content-Disposition and the bytes.
async fn raw(
    browser: &Browser,
    method: &str,
    path: &str,
    form: Option<&[(&str, &str)]>,
) -> (StatusCode, Option<String>, Vec<u8>) {
    let (status, headers, bytes) = request_bytes(browser, method, path, form).await;
    (
        status,
        header_value(&headers, header::CONTENT_DISPOSITION),
        bytes,
    )
}

/// The names and contents of a ZIP's files.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().unwrap().into_owned(), content)
        })
        .collect()
}

async fn invoices_of(api: &Api, account: &BillingAccountId) -> Vec<Invoice> {
    api.app
        .store
        .list_invoices(&InvoiceFilter {
            account: account.clone(),
            profiles: None,
            status: StatusFilter::Any,
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

async fn the_po_number_is_set_in_properties_and_the_api_and_printed_on_new_invoices(store: Store) {
    let (api, account, overdue, _) = setup(store).await;
    let profile = overdue.billing_profile_id.clone();
    let properties = format!("/billing/{account}/properties?profile={profile}");
    let save = format!("/billing/{account}/properties/{profile}/po-number");
    let mut owner = api.app.signed_in(NORDLYS_ADMIN).await;
    let page = owner.get(&properties).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-test-id=\"po-number-form\""));
    assert!(page.body.contains("Purchase order number"));

    // Too long and unprintable: refused with the field's error, in English and Danish.
    let long = "P".repeat(51);
    let refused = owner.post_form(&save, &[("po_number", &long)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Use at most 50 characters"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("aria-invalid=\"true\""));
    assert!(refused.body.contains(&long), "the typed value is kept");
    let tab = owner.post_form(&save, &[("po_number", "PO\t1")]).await;
    assert_eq!(tab.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(tab.body.contains("no line breaks, tabs"), "{}", tab.body);
    owner.post_form("/language", &[("lang", "da-DK")]).await;
    let danish = owner.post_form(&save, &[("po_number", &long)]).await;
    assert_eq!(danish.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        danish.body.contains("Indkøbsordrenummer"),
        "{}",
        danish.body
    );
    assert!(danish.body.contains("50 tegn"), "{}", danish.body);
    owner.post_form("/language", &[("lang", "en-US")]).await;
    let stored = api
        .app
        .store
        .profile(&account, &profile)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.purchase_order_number, None, "nothing saved");

    let saved = owner.post_form(&save, &[("po_number", "  PO-4711 ")]).await;
    assert!(saved.status.is_redirection(), "{}", saved.body);
    let shown = follow(&mut owner, saved).await;
    assert!(
        shown.body.contains("data-test-id=\"po-number\">PO-4711<"),
        "{}",
        shown.body
    );
    let activity = owner.get(&format!("/billing/{account}/activity")).await;
    assert!(
        activity.body.contains("Purchase order number"),
        "{}",
        activity.body
    );
    assert!(activity.body.contains("→ PO-4711"), "{}", activity.body);

    // Readers see the number but no form, and may not post one.
    let mut reader = api.app.signed_in(NORDLYS_READER).await;
    let read = reader.get(&properties).await;
    assert!(read.body.contains("PO-4711"));
    assert!(!read.body.contains("po-number-form"));
    let forbidden = reader.post_form(&save, &[("po_number", "X")]).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    // The API reads and changes it (owners only).
    let admin = api.token(NORDLYS_ADMIN).await;
    let path = format!("{}/billingProfiles/{profile}?{V}", ba(&account));
    assert_eq!(
        api.get(&path, &admin).await.json["properties"]["poNumber"],
        "PO-4711"
    );
    let body = |value: serde_json::Value| Some(json!({"properties": {"poNumber": value}}));
    let reader_token = api.token(NORDLYS_READER).await;
    let denied = api
        .call("PATCH", &path, Some(&reader_token), body(json!("X")), None)
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let too_long = api
        .call("PATCH", &path, Some(&admin), body(json!(long)), None)
        .await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_long.json["error"]["code"], "PoNumberTooLong");
    assert_eq!(too_long.json["error"]["target"], "properties.poNumber");
    let read_only = api
        .call(
            "PATCH",
            &path,
            Some(&admin),
            Some(json!({"properties": {"displayName": "X"}})),
            None,
        )
        .await;
    assert_eq!(read_only.json["error"]["code"], "ReadOnlyProperty");
    let changed = api
        .call("PATCH", &path, Some(&admin), body(json!("PO-API-1")), None)
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.json);
    assert_eq!(changed.json["properties"]["poNumber"], "PO-API-1");

    // Invoices issued before have none; one issued now takes the number, and keeps it.
    let before = api
        .get(
            &format!("{}/invoices/{}?{V}", ba(&account), overdue.id),
            &admin,
        )
        .await;
    assert!(before.json["properties"]["purchaseOrderNumber"].is_null());
    let ops = api.operator_token().await;
    let issued = api
        .call(
            "POST",
            &format!("/operator/v1/billingAccounts/{account}/invoices"),
            Some(&ops),
            Some(json!({
                "billingProfileId": profile.as_str(),
                "number": "PO-TEST-1",
                "invoiceDate": "2026-11-05", "periodStartDate": "2026-10-01", "periodEndDate": "2026-10-31", "dueDate": "2026-12-05",
                "lines": [{"service": "Support", "description": "Premier support", "quantity": "1", "unitPrice": "1000.00", "amount": "1000.00"}],
                "tax": "250.00"
            })),
            None,
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.json);
    assert_eq!(issued.json["properties"]["purchaseOrderNumber"], "PO-API-1");
    let id = issued.json["name"].as_str().unwrap().to_owned();
    api.call("PATCH", &path, Some(&admin), body(json!(null)), None)
        .await;
    let kept = api
        .get(&format!("{}/invoices/{id}?{V}", ba(&account)), &admin)
        .await;
    assert_eq!(kept.json["properties"]["purchaseOrderNumber"], "PO-API-1");
    let (status, _, pdf) = raw(
        &owner,
        "GET",
        &format!("/billing/{account}/invoices/{id}/pdf"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        pdf_text(&pdf).contains("PO number: PO-API-1"),
        "{}",
        pdf_text(&pdf)
    );
    owner.post_form("/language", &[("lang", "da-DK")]).await;
    let (_, _, pdf) = raw(
        &owner,
        "GET",
        &format!("/billing/{account}/invoices/{id}/pdf"),
        None,
    )
    .await;
    assert!(
        pdf_text(&pdf).contains("Indkøbsordrenr.: PO-API-1"),
        "{}",
        pdf_text(&pdf)
    );
    let (_, _, old_pdf) = raw(
        &owner,
        "GET",
        &format!("/billing/{account}/invoices/{}/pdf", overdue.id),
        None,
    )
    .await;
    assert!(!pdf_text(&old_pdf).contains("Indkøbsordrenr."));
    let detail = owner
        .get(&format!("/billing/{account}/invoices/{id}"))
        .await;
    assert!(detail
        .body
        .contains("data-test-id=\"invoice-po-number\">PO-API-1<"));
}

async fn only_account_owners_edit_the_sold_to_address(store: Store) {
    let (api, account, _, _) = setup(store).await;
    let properties = format!("/billing/{account}/properties");
    let path = format!("/billing/{account}/sold-to");
    let mut owner = api.app.signed_in(NORDLYS_ADMIN).await;
    assert!(owner
        .get(&properties)
        .await
        .body
        .contains("data-test-id=\"sold-to-form\""));
    let mut reader = api.app.signed_in(NORDLYS_READER).await;
    let read = reader.get(&properties).await;
    assert!(read.body.contains("data-test-id=\"account-properties\""));
    assert!(!read.body.contains("sold-to-form"), "read-only for readers");
    let form = [
        ("company", "Nordlys Holding ApS"),
        ("line1", "Strandvejen 100"),
        ("line2", ""),
        ("postal_code", "2900"),
        ("city", "Hellerup"),
        ("region", ""),
    ];
    for email in [NORDLYS_READER, NORDLYS_PROFILE_OWNER] {
        let mut someone = api.app.signed_in(email).await;
        let refused = someone.post_form(&path, &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{email}");
    }
    let before = api.app.store.account(&account).await.unwrap().unwrap();
    assert_ne!(before.sold_to.company, "Nordlys Holding ApS");

    let mut missing = form;
    missing[0] = ("company", " ");
    let invalid = owner.post_form(&path, &missing).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid.body.contains("id=\"sold_to_company-error\""),
        "{}",
        invalid.body
    );
    assert!(invalid.body.contains("href=\"#sold_to_company\""));

    let saved = owner.post_form(&path, &form).await;
    assert!(saved.status.is_redirection(), "{}", saved.body);
    let after = api.app.store.account(&account).await.unwrap().unwrap();
    assert_eq!(after.sold_to.company, "Nordlys Holding ApS");
    assert_eq!(after.sold_to.country, before.sold_to.country);
    let activity = owner.get(&format!("/billing/{account}/activity")).await;
    assert!(
        activity
            .body
            .contains(&format!("{} → Nordlys Holding ApS", before.sold_to.company)),
        "{}",
        activity.body
    );
    assert!(activity.body.contains("Sold-to address"));
}

async fn selected_invoices_download_as_one_zip(store: Store) {
    let (api, account, _, _) = setup(store).await;
    let invoices = invoices_of(&api, &account).await;
    assert!(invoices.len() >= 3);
    let mut owner = api.app.signed_in(NORDLYS_ADMIN).await;
    let list = owner.get(&format!("/billing/{account}/invoices")).await;
    assert!(list.body.contains("data-test-id=\"download-selected\""));
    assert!(list.body.contains(&format!(
        "form=\"download-selected\" id=\"select-{}\"",
        invoices[0].id
    )));
    let path = format!("/billing/{account}/invoices/download");
    let csrf = owner.csrf_token().await;
    let picked = [
        ("csrf", csrf.as_str()),
        ("invoice", invoices[0].id.as_str()),
        ("invoice", invoices[1].id.as_str()),
    ];
    let (status, disposition, bytes) = raw(&owner, "POST", &path, Some(&picked)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(
        disposition.as_deref(),
        Some("attachment; filename=\"invoices.zip\"")
    );
    let files = unzip(&bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec![
            format!("invoice-{}.pdf", invoices[0].number),
            format!("invoice-{}.pdf", invoices[1].number)
        ]
    );
    for ((_, pdf), invoice) in files.iter().zip(&invoices) {
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf_text(pdf).contains(&invoice.number));
    }
    // Without the CSRF token nothing is served.
    let (status, _, _) = raw(&owner, "POST", &path, Some(&picked[1..])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Danish names.
    owner.post_form("/language", &[("lang", "da-DK")]).await;
    let csrf = owner.csrf_token().await;
    let one = [
        ("csrf", csrf.as_str()),
        ("invoice", invoices[2].id.as_str()),
    ];
    let (_, disposition, bytes) = raw(&owner, "POST", &path, Some(&one)).await;
    assert_eq!(
        disposition.as_deref(),
        Some("attachment; filename=\"fakturaer.zip\"")
    );
    assert_eq!(
        unzip(&bytes)[0].0,
        format!("faktura-{}.pdf", invoices[2].number)
    );
    owner.post_form("/language", &[("lang", "en-US")]).await;

    // Someone else's invoice: refused and named, not left out.
    let prairie = {
        let user = api
            .app
            .store
            .user_by_email(PRAIRIE_OWNER)
            .await
            .unwrap()
            .unwrap();
        let theirs = api.app.store.accounts_for_user(&user.id).await.unwrap()[0]
            .id
            .clone();
        invoices_of(&api, &theirs).await[0].clone()
    };
    let csrf = owner.csrf_token().await;
    let mixed = [
        ("csrf", csrf.as_str()),
        ("invoice", invoices[0].id.as_str()),
        ("invoice", prairie.id.as_str()),
    ];
    let (status, _, body) = raw(&owner, "POST", &path, Some(&mixed)).await;
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body.contains(&format!("Invoice {} was not found", prairie.id)),
        "{body}"
    );
    // A profile owner (of Nordlys Udvikling) may not take Nordlys Drift's invoice either.
    let drift = api
        .app
        .store
        .profiles(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.display_name == "Nordlys Drift")
        .unwrap();
    let hidden = invoices
        .iter()
        .find(|i| i.billing_profile_id == drift.id)
        .unwrap();
    let mut profile_owner = api.app.signed_in(NORDLYS_PROFILE_OWNER).await;
    let csrf = profile_owner.csrf_token().await;
    let fields = [("csrf", csrf.as_str()), ("invoice", hidden.id.as_str())];
    let (status, _, _) = raw(&profile_owner, "POST", &path, Some(&fields)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // None selected, and too many.
    let none = owner.post_form(&path, &[]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        none.body.contains("Select at least one invoice"),
        "{}",
        none.body
    );
    let many: Vec<String> = (0..51).map(|i| format!("inv_{i:026}")).collect();
    let mut fields: Vec<(&str, &str)> = many.iter().map(|id| ("invoice", id.as_str())).collect();
    fields.push(("invoice", invoices[0].id.as_str()));
    let too_many = owner.post_form(&path, &fields).await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_many.body.contains("at most 50 invoices"),
        "{}",
        too_many.body
    );

    // The API: one link to the ZIP; someone else's invoice is refused by name.
    let admin = api.token(NORDLYS_ADMIN).await;
    let api_path = format!("{}/downloadDocuments?{V}", ba(&account));
    let asked = json!([
        {"documentName": invoices[0].number, "invoiceName": invoices[0].id.as_str()},
        {"invoiceName": invoices[1].number},
    ]);
    let link = api
        .call("POST", &api_path, Some(&admin), Some(asked), None)
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.json);
    assert!(link.json["expiryTime"].is_string());
    let url = link.json["url"].as_str().unwrap();
    let documents = url.split_once("/documents/").unwrap().1;
    let anonymous = api.app.browser();
    let (status, disposition, bytes) =
        raw(&anonymous, "GET", &format!("/documents/{documents}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(disposition.unwrap().ends_with(".zip\""));
    assert_eq!(unzip(&bytes).len(), 2);
    let foreign = api
        .call(
            "POST",
            &api_path,
            Some(&admin),
            Some(json!([{"invoiceName": invoices[0].id.as_str()}, {"invoiceName": prairie.id.as_str()}])),
            None,
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(foreign.json["error"]["code"], "InvoiceNotFound");
    assert_eq!(foreign.json["error"]["target"], prairie.id.as_str());
    let wrong_document = api
        .call(
            "POST",
            &api_path,
            Some(&admin),
            Some(json!([{"documentName": "CN000000001", "invoiceName": invoices[0].id.as_str()}])),
            None,
        )
        .await;
    assert_eq!(wrong_document.json["error"]["code"], "DocumentNotFound");
    let empty = api
        .call("POST", &api_path, Some(&admin), Some(json!([])), None)
        .await;
    assert_eq!(empty.json["error"]["code"], "NoInvoicesSelected");
}

async fn an_invoice_shows_what_was_refunded(store: Store) {
    let (api, account, invoice, card) = setup(store).await;
    let admin = api.token(NORDLYS_ADMIN).await;
    let path = format!("{}/invoices/{}?{V}", ba(&account), invoice.id);
    assert!(api.get(&path, &admin).await.json["properties"]
        .get("refundDetails")
        .is_none());
    let paid = api
        .call(
            "POST",
            &format!("{}/invoices/{}/pay?{V}", ba(&account), invoice.id),
            Some(&admin),
            Some(json!({"paymentMethodId": card.as_str()})),
            None,
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.json);
    let payment = paid.json["name"].as_str().unwrap();
    let ops = api.operator_token().await;
    let refunded = api
        .call(
            "POST",
            &format!("/operator/v1/billingAccounts/{account}/payments/{payment}/refunds"),
            Some(&ops),
            Some(json!({"amount": "10.00"})),
            Some("refund-details-1"),
        )
        .await;
    assert_eq!(refunded.status, StatusCode::CREATED, "{}", refunded.json);
    let details = &api.get(&path, &admin).await.json["properties"]["refundDetails"];
    assert_eq!(details["amountRefunded"]["value"], json!(10.0), "{details}");
    assert_eq!(
        details["amountRefunded"]["currency"],
        invoice.currency().code()
    );
    assert_eq!(details["transactionCount"], 1);
    assert_eq!(details["refundStatus"], "Completed");
    let mut owner = api.app.signed_in(NORDLYS_ADMIN).await;
    let page = owner
        .get(&format!("/billing/{account}/invoices/{}", invoice.id))
        .await;
    assert!(page.body.contains("data-test-id=\"amount-paid\""));
    assert!(page.body.contains("data-test-id=\"amount-refunded\""));
}

faktura_store::on_both_backends!(
    the_po_number_is_set_in_properties_and_the_api_and_printed_on_new_invoices,
    only_account_owners_edit_the_sold_to_address,
    selected_invoices_download_as_one_zip,
    an_invoice_shows_what_was_refunded,
);
