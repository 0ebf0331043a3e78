//! Several invoices at once ("Download selected"; the API's `downloadDocuments`): the invoices
//! named, each one the actor may see, as the documents an adapter turns into one ZIP of PDFs.
//! An invoice the actor may not see (or that does not exist) refuses the whole request, naming
//! it, rather than being left out of the ZIP without a word. At most [`MAX_BUNDLE`] at a time.

use crate::documents::InvoiceDocument;
use crate::{AccountScope, AppError, Resource, Services};
use chrono::{DateTime, Duration, Utc};
use faktura_domain::*;

/// The most invoices one download takes.
pub const MAX_BUNDLE: usize = 50;

/// Why the invoices were not bundled. Each has a stable code the API answers with.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("select at least one invoice")]
    Empty,
    #[error("at most {MAX_BUNDLE} invoices can be downloaded at once; {0} were selected")]
    TooMany(usize),
    /// The id or number as given (bounded), of an invoice that does not exist or that the
    /// actor may not see.
    #[error("invoice {0} was not found")]
    NotFound(String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl BundleError {
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::Empty => "NoInvoicesSelected",
            BundleError::TooMany(_) => "TooManyInvoices",
            BundleError::NotFound(_) => "InvoiceNotFound",
            BundleError::App(_) => "InternalError",
        }
    }
}

/// The documents of the invoices named by id or number, in the order given, each once.
pub async fn invoice_documents(
    app: &Services,
    scope: &AccountScope,
    raw: &[String],
) -> Result<Vec<InvoiceDocument>, BundleError> {
    let mut names: Vec<&str> = Vec::new();
    for name in raw.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Err(BundleError::Empty);
    }
    if names.len() > MAX_BUNDLE {
        return Err(BundleError::TooMany(names.len()));
    }
    let mut documents: Vec<InvoiceDocument> = Vec::with_capacity(names.len());
    for name in names {
        let named = || BundleError::NotFound(name.chars().take(60).collect());
        let invoice = match scope.invoice(app, name).await {
            Ok(invoice) => invoice,
            // Hidden and missing answer alike: no existence leak.
            Err(AppError::NotFound(_) | AppError::Hidden { .. }) => return Err(named()),
            Err(error) => return Err(error.into()),
        };
        // An id and the same invoice's number name it once.
        if documents.iter().any(|d| d.invoice.id == invoice.id) {
            continue;
        }
        let profile = scope
            .profile(&invoice.billing_profile_id)
            .cloned()
            .ok_or_else(named)?;
        let payments = crate::documents::paid_with(app, &invoice).await?;
        documents.push(InvoiceDocument {
            account: scope.account.clone(),
            profile,
            invoice,
            payments,
        });
    }
    Ok(documents)
}

/// A link to the ZIP of these invoices in `locale`, valid for
/// [`crate::documents::LINK_MINUTES`] (the API's `downloadDocuments` answer): the token and
/// when it expires. The invoices were checked against the actor's scope.
pub async fn create_bundle_link(
    app: &Services,
    scope: &AccountScope,
    documents: &[InvoiceDocument],
    locale: Locale,
) -> Result<(String, DateTime<Utc>), BundleError> {
    let ids: Vec<InvoiceId> = documents.iter().map(|d| d.invoice.id.clone()).collect();
    Ok(app
        .store
        .create_bundle_link(
            scope.id(),
            &ids,
            locale.tag(),
            Duration::minutes(crate::documents::LINK_MINUTES),
        )
        .await
        .map_err(AppError::from)?)
}

/// The invoices behind a live ZIP link and the language it was asked in; `None` when the
/// token is no such link (it may be a single invoice's). Unknown and expired links are `None`.
pub async fn open_bundle_link(
    app: &Services,
    token: &str,
) -> Result<Option<(Vec<InvoiceDocument>, Locale)>, AppError> {
    let Some(link) = app.store.bundle_link(token).await? else {
        return Ok(None);
    };
    let gone = || AppError::NotFound(Resource::Invoice);
    let account = app.store.account(&link.account).await?.ok_or_else(gone)?;
    let mut documents = Vec::with_capacity(link.invoices.len());
    for id in &link.invoices {
        let invoice = app
            .store
            .invoice(&link.account, id)
            .await?
            .ok_or_else(gone)?;
        let profile = app
            .store
            .profile(&link.account, &invoice.billing_profile_id)
            .await?
            .ok_or_else(gone)?;
        let payments = crate::documents::paid_with(app, &invoice).await?;
        documents.push(InvoiceDocument {
            account: account.clone(),
            profile,
            invoice,
            payments,
        });
    }
    Ok(Some((
        documents,
        Locale::from_tag(&link.locale).unwrap_or_default(),
    )))
}
