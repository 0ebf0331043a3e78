//! What invoice and receipt documents are made of, and download links to them.

use crate::{AccountScope, AppError, AppResult, Resource, Services};
use chrono::{DateTime, Duration, Utc};
use faktura_domain::*;

/// How long an API download link stays valid.
pub const LINK_MINUTES: i64 = 60;

/// An invoice's document: the invoice with its lines, its profile and its account, and the
/// payments that paid it (succeeded ones, oldest first).
#[derive(Debug, Clone)]
pub struct InvoiceDocument {
    pub account: BillingAccount,
    pub profile: BillingProfile,
    pub invoice: Invoice,
    pub payments: Vec<Payment>,
}

/// The succeeded payments of an invoice, oldest first (the ones its document lists).
pub(crate) async fn paid_with(app: &Services, invoice: &Invoice) -> AppResult<Vec<Payment>> {
    let mut payments = app
        .store
        .payments_for_invoice(&invoice.billing_account_id, &invoice.id)
        .await?;
    payments.retain(|p| p.state == PaymentState::Succeeded);
    Ok(payments)
}

/// A receipt: a succeeded payment, its invoice and the card it was charged to (if saved).
#[derive(Debug, Clone)]
pub struct Receipt {
    pub account: BillingAccount,
    pub invoice: Invoice,
    pub payment: Payment,
    pub method: Option<PaymentMethod>,
}

/// The document of an invoice the actor may see.
pub async fn invoice_document(
    app: &Services,
    scope: &AccountScope,
    raw_invoice: &str,
) -> AppResult<InvoiceDocument> {
    let invoice = scope.invoice(app, raw_invoice).await?;
    let profile = scope
        .profile(&invoice.billing_profile_id)
        .cloned()
        .ok_or(AppError::NotFound(Resource::BillingProfile))?;
    let payments = paid_with(app, &invoice).await?;
    Ok(InvoiceDocument {
        account: scope.account.clone(),
        profile,
        invoice,
        payments,
    })
}

/// The receipt of a succeeded payment of an invoice the actor may see.
pub async fn receipt(
    app: &Services,
    scope: &AccountScope,
    raw_payment: &str,
) -> AppResult<Receipt> {
    let (payment, invoice) = scope.payment(app, raw_payment).await?;
    if payment.state != PaymentState::Succeeded {
        return Err(AppError::NotFound(Resource::Document));
    }
    let method = match &payment.payment_method_id {
        Some(id) => app.store.payment_method(scope.id(), id).await?,
        None => None,
    };
    Ok(Receipt {
        account: scope.account.clone(),
        invoice,
        payment,
        method,
    })
}

/// A link to the invoice's PDF in `locale`, valid for [`LINK_MINUTES`]: the token and when it
/// expires.
pub async fn create_download_link(
    app: &Services,
    scope: &AccountScope,
    invoice: &Invoice,
    locale: Locale,
) -> AppResult<(String, DateTime<Utc>)> {
    scope.check_invoice(invoice)?;
    Ok(app
        .store
        .create_document_link(
            scope.id(),
            &invoice.id,
            locale.tag(),
            Duration::minutes(LINK_MINUTES),
        )
        .await?)
}

/// The document behind a live link, and the language it was asked for. The link itself is the
/// credential: unknown and expired links are `NotFound`.
pub async fn open_download_link(
    app: &Services,
    token: &str,
) -> AppResult<(InvoiceDocument, Locale)> {
    let link = app
        .store
        .document_link(token)
        .await?
        .ok_or(AppError::NotFound(Resource::Document))?;
    let gone = || AppError::NotFound(Resource::Invoice);
    let account = app.store.account(&link.account).await?.ok_or_else(gone)?;
    let invoice = app
        .store
        .invoice(&link.account, &link.invoice)
        .await?
        .ok_or_else(gone)?;
    let profile = app
        .store
        .profile(&link.account, &invoice.billing_profile_id)
        .await?
        .ok_or_else(gone)?;
    let payments = paid_with(app, &invoice).await?;
    Ok((
        InvoiceDocument {
            account,
            profile,
            invoice,
            payments,
        },
        Locale::from_tag(&link.locale).unwrap_or_default(),
    ))
}
