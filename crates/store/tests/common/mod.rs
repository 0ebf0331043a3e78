//! The demo loaded into a test store, an account with its administrator and profiles, an
//! overdue invoice with its saved card (and a payment begun on it), and the activity log's
//! event kinds.
#![allow(dead_code)]

use chrono::{NaiveDate, Utc};
use faktura_domain::*;
use faktura_store::demo::DemoInput;
use faktura_store::*;

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub async fn loaded(store: &Store) {
    store
        .load_demo(&DemoInput {
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
                .into(),
            saved_card_token: "tok_sbx_ok_demo".into(),
            today: today(),
        })
        .await
        .unwrap();
}

pub struct Fixture {
    pub account: BillingAccount,
    pub admin: UserId,
    pub profiles: Vec<BillingProfile>,
}

pub async fn fixture(store: &Store, admin_email: &str) -> Fixture {
    let admin = store.user_by_email(admin_email).await.unwrap().unwrap();
    let account = store.accounts_for_user(&admin.id).await.unwrap()[0].clone();
    let profiles = store.profiles(&account.id).await.unwrap();
    Fixture {
        account,
        admin: admin.id,
        profiles,
    }
}

pub fn actor(user: &UserId) -> AuditActor {
    AuditActor {
        user: user.clone(),
        ip: Some("203.0.113.9".into()),
    }
}

pub async fn kinds(store: &Store, account: &BillingAccountId, prefix: &str) -> Vec<String> {
    store
        .activity(&ActivityQuery {
            account: account.clone(),
            profiles: None,
            kind_prefix: Some(prefix.into()),
            since: None,
            until: None,
            before: None,
            limit: 200,
        })
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.event.kind)
        .collect()
}

/// The demo loaded, Nordlys, its administrator and its overdue invoices.
pub async fn overdue_invoices(store: &Store) -> (BillingAccount, UserId, Vec<Invoice>) {
    loaded(store).await;
    let admin = store
        .user_by_email(faktura_store::demo::NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let account = store.accounts_for_user(&admin.id).await.unwrap()[0].clone();
    let filter = InvoiceFilter {
        account: account.id.clone(),
        profiles: None,
        status: StatusFilter::Only(InvoiceStatus::OverDue),
        invoice_date_from: None,
        invoice_date_to: None,
        number_prefix: None,
        today: today(),
        after: None,
        limit: 10,
    };
    let invoices = store
        .list_invoices(&filter)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|s| s.invoice)
        .collect();
    (account, admin.id, invoices)
}

/// The demo's first overdue invoice of Nordlys, its administrator and the profile's saved card.
pub async fn open_invoice(store: &Store) -> (BillingAccount, UserId, Invoice, PaymentMethodId) {
    let (account, admin, invoices) = overdue_invoices(store).await;
    let invoice = invoices[0].clone();
    let card = store
        .payment_methods(&account.id, &invoice.billing_profile_id)
        .await
        .unwrap()[0]
        .id
        .clone();
    (account, admin, invoice, card)
}

/// A `processing` payment begun on [`open_invoice`]'s invoice with its card.
pub async fn begin(store: &Store) -> (BillingAccount, UserId, Invoice, Payment) {
    let (account, admin, invoice, card) = open_invoice(store).await;
    let payment = store
        .begin_payment(&BeginPayment {
            account: account.id.clone(),
            invoice: invoice.id.clone(),
            amount: None,
            payment_method: Some(card),
            created_by: admin.clone(),
            today: today(),
            ip: None,
        })
        .await
        .unwrap()
        .unwrap();
    (account, admin, invoice, payment)
}
