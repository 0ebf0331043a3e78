//! A billing profile's balance as Microsoft.Billing's `availableBalance/default` reads it: what
//! is due on the profile's open invoices, and the payments already made on them (part payments
//! of invoices not yet paid in full: "payments on account").

use crate::{AccountScope, AppResult, Services};
use faktura_domain::*;

/// One payment made on an invoice that is still open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOnAccount {
    pub payment: Payment,
    pub invoice_number: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub profile: BillingProfile,
    /// Σ amount due of the profile's open invoices (Due and Past due).
    pub amount_due: Money,
    pub payments_on_account: Vec<PaymentOnAccount>,
    pub total_payments_on_account: Money,
}

/// The balance of a profile the actor sees (its invoices are theirs to view).
pub async fn available_balance(
    app: &Services,
    scope: &AccountScope,
    raw_profile: &str,
) -> AppResult<Balance> {
    let profile = crate::accounts::profile(scope, raw_profile)?.clone();
    let currency = profile.currency;
    let open: Vec<Invoice> = app
        .store
        .outstanding_invoices(scope.id())
        .await?
        .into_iter()
        .filter(|i| i.billing_profile_id == profile.id && i.currency() == currency)
        .collect();
    let dues: Vec<Money> = open
        .iter()
        .map(|i| i.amount_due())
        .collect::<Result<_, _>>()
        .map_err(corrupt)?;
    let amount_due = Money::sum(currency, dues).map_err(corrupt)?;
    let ids: Vec<InvoiceId> = open.iter().map(|i| i.id.clone()).collect();
    let mut by_invoice = app.store.payments_for_invoices(scope.id(), &ids).await?;
    let mut payments_on_account = Vec::new();
    for invoice in &open {
        for payment in by_invoice.remove(&invoice.id).unwrap_or_default() {
            if payment.state == PaymentState::Succeeded {
                payments_on_account.push(PaymentOnAccount {
                    payment,
                    invoice_number: invoice.number.clone(),
                });
            }
        }
    }
    let total_payments_on_account = Money::sum(
        currency,
        payments_on_account.iter().map(|p| p.payment.amount),
    )
    .map_err(corrupt)?;
    Ok(Balance {
        profile,
        amount_due,
        payments_on_account,
        total_payments_on_account,
    })
}

/// Stored amounts that do not add up (overflow, mixed currencies) are a storage fault.
fn corrupt(error: MoneyError) -> crate::AppError {
    crate::AppError::Store(faktura_store::StoreError::Corrupt(error.to_string()))
}
