//! `POST …/invoices/{invoice}/download` → `{url, expiryTime}`: a short-lived link to the PDF
//! that works without a token, so it can be handed to a browser or a download tool.

use super::billing::find_invoice;
use super::envelope::*;
use super::ApiCaller;
use crate::i18n::Tr;
use crate::pdf::{invoice_pdf, pdf_response, InvoiceDocument};
use crate::session::locale_from_headers;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use faktura_app::bundles::{self, BundleError, MAX_BUNDLE};
use faktura_app::documents;
use faktura_domain::Locale;
use serde::Deserialize;
use serde_json::{json, Value};

/// The language a download is made in: the request's Accept-Language, else the token's
/// user's, else the default.
fn download_locale(caller: &ApiCaller, headers: &HeaderMap) -> Locale {
    let user_locale = caller
        .user
        .as_ref()
        .and_then(|u| u.locale.as_deref())
        .and_then(Locale::from_tag);
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .map(|_| locale_from_headers(headers))
        .or(user_locale)
        .unwrap_or_default()
}

/// One document of `downloadDocuments`' list, as Microsoft.Billing's `DocumentDownloadRequest`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRequest {
    /// The document's name as the invoice's `documents[].name` has it (for an invoice's own
    /// PDF, its number); optional.
    #[serde(default)]
    document_name: Option<String>,
    /// The invoice's id (or number).
    #[serde(default)]
    invoice_name: Option<String>,
}

/// `POST …/billingAccounts/{ba}/downloadDocuments` with `[{documentName, invoiceName}, …]` →
/// `{url, expiryTime}`: a short-lived link to one ZIP of the invoices' PDFs. Every invoice must
/// be one the caller may see; one that is not refuses the request (404, `target` names it).
pub async fn create_bundle_link(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
    ArmJson(body): ArmJson<Vec<DocumentRequest>>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let mut names = Vec::with_capacity(body.len());
    for (index, item) in body.iter().enumerate() {
        match item.invoice_name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => names.push(name.to_owned()),
            _ => {
                return Err(ArmError::bad_request(
                    "MissingInvoiceName",
                    "every document names its invoice (invoiceName)",
                )
                .with_target(&format!("[{index}].invoiceName")))
            }
        }
    }
    let documents = match bundles::invoice_documents(&state.app, &scope, &names).await {
        Ok(documents) => documents,
        Err(BundleError::Empty) => {
            return Err(ArmError::bad_request(
                "NoInvoicesSelected",
                "name at least one invoice",
            ))
        }
        Err(BundleError::TooMany(count)) => {
            return Err(ArmError::bad_request(
                "TooManyInvoices",
                format!("at most {MAX_BUNDLE} invoices at once; {count} were named"),
            ))
        }
        Err(BundleError::NotFound(name)) => {
            return Err(ArmError::new(
                StatusCode::NOT_FOUND,
                "InvoiceNotFound",
                format!("invoice {name} was not found; nothing was bundled"),
            )
            .with_target(&name))
        }
        Err(BundleError::App(error)) => return Err(error.into()),
    };
    // A document name, when given, is the invoice's own PDF (its number): Faktura bundles
    // invoices; credit notes download on their own.
    for (index, item) in body.iter().enumerate() {
        let Some(document) = item.document_name.as_deref().map(str::trim) else {
            continue;
        };
        let invoice = item.invoice_name.as_deref().unwrap_or("").trim();
        let own = documents.iter().any(|d| {
            (d.invoice.id.as_str() == invoice || d.invoice.number == invoice)
                && (document.is_empty() || d.invoice.number == document)
        });
        if !own {
            return Err(ArmError::bad_request(
                "DocumentNotFound",
                format!(
                    "document {} is not invoice {}'s PDF",
                    document.chars().take(60).collect::<String>(),
                    invoice.chars().take(60).collect::<String>()
                ),
            )
            .with_target(&format!("[{index}].documentName")));
        }
    }
    let locale = download_locale(&caller, &headers);
    let (token, expires_at) = bundles::create_bundle_link(&state.app, &scope, &documents, locale)
        .await
        .map_err(|error| match error {
            BundleError::App(error) => ArmError::from(error),
            other => ArmError::internal(other),
        })?;
    Ok(Json(
        json!({"url": format!("{}/documents/{token}", base_url(&headers)), "expiryTime": timestamp(expires_at)}),
    ))
}

pub async fn create_link(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path((ba, invoice)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let invoice = find_invoice(&state, &scope, &invoice).await?;
    let locale = download_locale(&caller, &headers);
    let (token, expires_at) =
        documents::create_download_link(&state.app, &scope, &invoice, locale).await?;
    Ok(Json(
        json!({"url": format!("{}/documents/{token}", base_url(&headers)), "expiryTime": timestamp(expires_at)}),
    ))
}

/// Serves the PDF behind a live link; an unknown or expired link is 404.
pub async fn open_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ArmError> {
    let (document, locale) = match documents::open_download_link(&state.app, &token).await {
        Ok(found) => found,
        Err(faktura_app::AppError::NotFound(faktura_app::Resource::Document)) => {
            // Perhaps a link to a ZIP of several invoices (`downloadDocuments`).
            if let Some((documents, locale)) = bundles::open_bundle_link(&state.app, &token).await?
            {
                let tr = Tr::new(state.i18n.clone(), locale);
                let bytes = crate::bundle::invoices_zip(&state, &tr, &documents)
                    .map_err(ArmError::internal)?;
                return Ok(crate::bundle::zip_response(&tr, bytes));
            }
            return Err(ArmError::new(
                StatusCode::NOT_FOUND,
                "LinkExpired",
                "this download link does not exist or has expired",
            ));
        }
        Err(error) => return Err(error.into()),
    };
    let tr = Tr::new(state.i18n.clone(), locale);
    let invoice = &document.invoice;
    let bytes = invoice_pdf(&InvoiceDocument::of(&tr, state.config(), &document))
        .map_err(ArmError::internal)?;
    Ok(pdf_response(
        bytes,
        &format!("{}-{}.pdf", tr.t("pdf-invoice-file"), invoice.number),
    ))
}
