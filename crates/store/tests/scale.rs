//! The scale-data generator: counts, consistent totals, statuses and paid invoices' payments.

use chrono::NaiveDate;
use faktura_domain::*;
use faktura_store::scale::{scale_owner_email, ScaleSpec};
use faktura_store::{InvoiceFilter, StatusFilter, Store};

fn spec() -> ScaleSpec {
    ScaleSpec {
        accounts: 2,
        profiles_per_account: 2,
        invoices_per_profile: 450,
        unpaid_days: 60,
        password_hash: "not-a-real-hash".into(),
        card_token: "tok_test".into(),
        today: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
    }
}

async fn generates_consistent_data(store: Store) {
    let spec = spec();
    let mut seen = Vec::new();
    let report = store
        .load_scale(&spec, &mut |n| seen.push(n))
        .await
        .unwrap();
    assert_eq!(report.accounts, 2);
    assert_eq!(report.profiles, 4);
    assert_eq!(report.invoices, 1800);
    assert_eq!(seen.last(), Some(&1800));
    assert!(report.lines >= report.invoices && report.lines <= 4 * report.invoices);
    // Daily invoices: 60 unpaid days per profile.
    assert_eq!(report.unpaid, 4 * 60);

    // Totals add up to the lines plus tax, and every paid invoice has one succeeded payment.
    let bad: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM invoices i WHERE i.subtotal_minor <> \
         (SELECT SUM(l.amount_minor) FROM invoice_lines l WHERE l.invoice_id = i.id) \
         OR i.total_minor <> i.subtotal_minor + i.tax_minor",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(bad, 0);
    let paid_without_payment: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM invoices i WHERE i.status = 'Paid' AND i.amount_paid_minor <> \
         (SELECT COALESCE(SUM(p.amount_minor), 0) FROM payments p WHERE p.invoice_id = i.id AND p.state = 'succeeded')",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(paid_without_payment, 0);
    let paid: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoices WHERE status = 'Paid'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(paid as u64, report.payments);

    // The owner sees the account through the ordinary list, newest first, with paging.
    let owner = store
        .user_by_email(&scale_owner_email(1))
        .await
        .unwrap()
        .unwrap();
    let accounts = store.accounts_for_user(&owner.id).await.unwrap();
    assert_eq!(accounts.len(), 1);
    let page = store
        .list_invoices(&InvoiceFilter {
            account: accounts[0].id.clone(),
            profiles: None,
            status: StatusFilter::Any,
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today: spec.today,
            after: None,
            limit: 50,
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 50);
    assert!(page.next.is_some());
    assert_eq!(page.items[0].invoice.invoice_date, spec.today);
    assert_eq!(page.items[0].invoice.status, InvoiceStatus::Due);
    let open = store
        .list_invoices(&InvoiceFilter {
            account: accounts[0].id.clone(),
            profiles: None,
            status: StatusFilter::Only(InvoiceStatus::OverDue),
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today: spec.today,
            after: None,
            limit: 500,
        })
        .await
        .unwrap();
    // Dated 46–59 days ago: their 45-day terms have run out.
    assert_eq!(open.items.len(), 2 * 14);

    // A second run refuses: the database is no longer empty.
    assert!(store.load_scale(&spec, &mut |_| {}).await.is_err());
}

faktura_store::on_both_backends!(generates_consistent_data);
