//! A billing profile's purchase order number and the account's sold-to address, each changed
//! with its before and after in the activity log; an invoice keeps the number it was stored
//! with (the snapshot taken when it is issued), and invoices from before have none; links to a
//! ZIP of several invoices. On SQLite and PostgreSQL.

mod common;

use common::{actor, fixture, loaded, today};
use faktura_domain::invoice::{InvoiceDraft, LineDraft};
use faktura_domain::*;
use faktura_store::*;

async fn properties_events(store: &Store, account: &BillingAccountId) -> Vec<serde_json::Value> {
    store
        .audit_events(&AuditFilter {
            account: account.clone(),
            kind_prefix: Some("properties.updated".into()),
            since: None,
            limit: 100,
        })
        .await
        .unwrap()
        .iter()
        .map(|e| serde_json::from_str(&e.detail).unwrap())
        .collect()
}

fn draft(profile: &BillingProfile, number: &str) -> InvoiceDraft {
    InvoiceDraft {
        billing_account_id: profile.billing_account_id.clone(),
        billing_profile_id: profile.id.clone(),
        currency: profile.currency,
        number: number.into(),
        invoice_date: today(),
        period_start: today(),
        period_end: today(),
        due_date: today(),
        lines: vec![LineDraft {
            service: "Support".into(),
            description: "One hour".into(),
            quantity_milli: 1000,
            unit_price_minor: 10_000,
            amount_minor: None,
        }],
        tax_minor: 0,
        credits_minor: 0,
    }
}

async fn a_po_number_is_set_logged_cleared_and_kept_by_issued_invoices(store: Store) {
    loaded(&store).await;
    let n = fixture(&store, demo::NORDLYS_ADMIN).await;
    let who = actor(&n.admin);
    let profile = &n.profiles[0];
    assert_eq!(profile.purchase_order_number, None);
    // The demo's invoices were issued before any number: none.
    let before = store
        .list_invoices(&InvoiceFilter {
            account: n.account.id.clone(),
            profiles: None,
            status: StatusFilter::Any,
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today: today(),
            after: None,
            limit: 50,
        })
        .await
        .unwrap();
    assert!(!before.items.is_empty());
    assert!(before
        .items
        .iter()
        .all(|i| i.invoice.purchase_order_number.is_none()));

    let set = store
        .update_profile_po_number(&n.account.id, &profile.id, Some("PO-4711"), &who)
        .await
        .unwrap();
    assert_eq!(set.purchase_order_number.as_deref(), Some("PO-4711"));
    let reread = store
        .profile(&n.account.id, &profile.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reread.purchase_order_number.as_deref(), Some("PO-4711"));
    let events = properties_events(&store, &n.account.id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["before"]["po_number"], serde_json::Value::Null);
    assert_eq!(events[0]["after"]["po_number"], "PO-4711");
    assert_eq!(events[0]["profile"], profile.id.as_str());

    // Saving the same number again changes nothing and logs nothing.
    store
        .update_profile_po_number(&n.account.id, &profile.id, Some("PO-4711"), &who)
        .await
        .unwrap();
    assert_eq!(properties_events(&store, &n.account.id).await.len(), 1);

    // An invoice stored with the number keeps it when the profile's changes.
    let mut invoice = draft(profile, "G900000001")
        .issue(chrono::Utc::now())
        .unwrap();
    invoice.purchase_order_number = reread.purchase_order_number.clone();
    store.issue_invoice(&invoice, None).await.unwrap();
    let cleared = store
        .update_profile_po_number(&n.account.id, &profile.id, None, &who)
        .await
        .unwrap();
    assert_eq!(cleared.purchase_order_number, None);
    let events = properties_events(&store, &n.account.id).await;
    assert_eq!(events.len(), 2);
    assert!(events
        .iter()
        .any(|e| e["before"]["po_number"] == "PO-4711" && e["after"]["po_number"].is_null()));
    let stored = store
        .invoice(&n.account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.purchase_order_number.as_deref(), Some("PO-4711"));
    // Another account's profile is not found.
    let other = fixture(&store, demo::PRAIRIE_OWNER).await;
    assert!(matches!(
        store
            .update_profile_po_number(&other.account.id, &profile.id, Some("X"), &who)
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn the_sold_to_address_changes_with_before_and_after_and_keeps_its_country(store: Store) {
    loaded(&store).await;
    let n = fixture(&store, demo::NORDLYS_ADMIN).await;
    let who = actor(&n.admin);
    let old = n.account.sold_to.clone();
    let wanted = Address {
        company: "Nordlys Holding ApS".into(),
        line1: "Strandvejen 100".into(),
        line2: String::new(),
        postal_code: "2900".into(),
        city: "Hellerup".into(),
        region: String::new(),
        country: "SE".into(),
    };
    let saved = store
        .update_sold_to(&n.account.id, &wanted, &who)
        .await
        .unwrap();
    assert_eq!(saved.sold_to.company, "Nordlys Holding ApS");
    assert_eq!(saved.sold_to.country, old.country, "the country stays");
    let reread = store.account(&n.account.id).await.unwrap().unwrap();
    assert_eq!(reread.sold_to, saved.sold_to);
    let events = properties_events(&store, &n.account.id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        events[0]["before"]["sold_to"]["company"],
        old.company.as_str()
    );
    assert_eq!(events[0]["after"]["sold_to"]["city"], "Hellerup");
    // The same address again: nothing to log.
    store
        .update_sold_to(&n.account.id, &wanted, &who)
        .await
        .unwrap();
    assert_eq!(properties_events(&store, &n.account.id).await.len(), 1);
    let other = fixture(&store, demo::PRAIRIE_OWNER).await;
    assert_ne!(other.account.sold_to.company, "Nordlys Holding ApS");
}

async fn a_bundle_link_opens_its_invoices_until_it_expires(store: Store) {
    loaded(&store).await;
    let n = fixture(&store, demo::NORDLYS_ADMIN).await;
    let page = store
        .list_invoices(&InvoiceFilter {
            account: n.account.id.clone(),
            profiles: None,
            status: StatusFilter::Any,
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today: today(),
            after: None,
            limit: 3,
        })
        .await
        .unwrap();
    let ids: Vec<InvoiceId> = page.items.iter().map(|i| i.invoice.id.clone()).collect();
    assert!(ids.len() >= 2);
    let (token, expires_at) = store
        .create_bundle_link(&n.account.id, &ids, "da-DK", chrono::Duration::minutes(60))
        .await
        .unwrap();
    let link = store.bundle_link(&token).await.unwrap().unwrap();
    assert_eq!(link.account, n.account.id);
    assert_eq!(link.invoices, ids, "in the order asked");
    assert_eq!(link.locale, "da-DK");
    assert_eq!(
        link.expires_at.timestamp_millis(),
        expires_at.timestamp_millis()
    );
    // Not a single invoice's link, and an unknown or malformed token is nothing.
    assert_eq!(store.document_link(&token).await.unwrap(), None);
    assert_eq!(store.bundle_link(&"0".repeat(64)).await.unwrap(), None);
    assert_eq!(store.bundle_link("short").await.unwrap(), None);
    let (expired, _) = store
        .create_bundle_link(&n.account.id, &ids, "en-US", chrono::Duration::minutes(-1))
        .await
        .unwrap();
    assert_eq!(store.bundle_link(&expired).await.unwrap(), None);
}

faktura_store::on_both_backends!(
    a_po_number_is_set_logged_cleared_and_kept_by_issued_invoices,
    the_sold_to_address_changes_with_before_and_after_and_keeps_its_country,
    a_bundle_link_opens_its_invoices_until_it_expires,
);
