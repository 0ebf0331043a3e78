//! Helpers for the account administration pages: an account with its profiles, the payment
//! methods page, adding a card through its form, and an account's open invoices.

use super::{Browser, Page};
use faktura_domain::*;
use faktura_store::{InvoiceFilter, StatusFilter, Store};

pub struct Account {
    pub id: BillingAccountId,
    pub profiles: Vec<BillingProfile>,
}

impl Account {
    pub fn profile(&self, name: &str) -> &BillingProfile {
        self.profiles
            .iter()
            .find(|p| p.display_name == name)
            .unwrap()
    }
}

/// The first billing account of the user with this e-mail address, with its profiles.
pub async fn account_of(store: &Store, email: &str) -> Account {
    let user = store.user_by_email(email).await.unwrap().unwrap();
    let id = store.accounts_for_user(&user.id).await.unwrap()[0]
        .id
        .clone();
    let profiles = store.profiles(&id).await.unwrap();
    Account { id, profiles }
}

pub fn methods_path(account: &Account, profile: &BillingProfile) -> String {
    format!(
        "/billing/{}/payment-methods?profile={}",
        account.id, profile.id
    )
}

/// Posts the payment methods page's "add card" form.
pub async fn add_card(
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

/// The account's open invoices.
pub async fn outstanding(store: &Store, account: &BillingAccountId) -> Vec<Invoice> {
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
