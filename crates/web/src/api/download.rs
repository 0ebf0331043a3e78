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
use faktura_app::documents;
use faktura_domain::Locale;
use serde_json::{json, Value};

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
    let user_locale = caller
        .user
        .as_ref()
        .and_then(|u| u.locale.as_deref())
        .and_then(Locale::from_tag);
    let locale = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .map(|_| locale_from_headers(&headers))
        .or(user_locale)
        .unwrap_or_default();
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
            return Err(ArmError::new(
                StatusCode::NOT_FOUND,
                "LinkExpired",
                "this download link does not exist or has expired",
            ))
        }
        Err(error) => return Err(error.into()),
    };
    let tr = Tr::new(state.i18n.clone(), locale);
    let (account, profile, invoice) = (&document.account, &document.profile, &document.invoice);
    let bytes = invoice_pdf(&InvoiceDocument {
        tr: &tr,
        seller: &state.config().seller,
        customer: &account.display_name,
        bill_to: &profile.bill_to,
        profile_name: &profile.display_name,
        invoice,
        wire: &state.config().wire,
        payments: &document.payments,
    })
    .map_err(ArmError::internal)?;
    Ok(pdf_response(
        bytes,
        &format!("{}-{}.pdf", tr.t("pdf-invoice-file"), invoice.number),
    ))
}
