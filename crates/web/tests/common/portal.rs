//! The demo's Nordlys account with one invoice of each kind the pay tests need, and its pay
//! page.

use faktura_domain::*;
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_store::{InvoiceFilter, StatusFilter, Store};

pub struct Nordlys {
    pub account: BillingAccountId,
    pub due: Invoice,
    pub past_due: Invoice,
    pub above_limit: Invoice,
}

pub async fn nordlys(store: &Store) -> Nordlys {
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

pub fn pay_path(n: &Nordlys, invoice: &Invoice) -> String {
    format!("/billing/{}/invoices/{}/pay", n.account, invoice.id)
}
