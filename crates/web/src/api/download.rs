//! `POST …/invoices/{invoice}/download` → `{url, expiryTime}`: a short-lived link to the PDF
//! that works without a token, so it can be handed to a browser or a download tool.

use super::billing::{find_invoice, Scope};
use super::envelope::*;
use super::ApiCaller;
use crate::i18n::Tr;
use crate::pages::documents::{invoice_pdf, pdf_response, InvoiceDocument};
use crate::session::locale_from_headers;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use chrono::Duration;
use faktura_domain::{Locale, Permission};
use serde_json::{json, Value};

/// How long a download link works.
const LINK_MINUTES: i64 = 60;

pub async fn create_link(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path((ba, invoice)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = Scope::load(&state, &caller, &ba).await?;
    let invoice = find_invoice(&state, &scope, &invoice).await?;
    if !scope
        .access
        .allows(Permission::ViewInvoices, Some(&invoice.billing_profile_id))
    {
        return Err(ArmError::not_found("invoice"));
    }
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
    let (token, expires_at) = state
        .store
        .create_document_link(
            &scope.account.id,
            &invoice.id,
            locale.tag(),
            Duration::minutes(LINK_MINUTES),
        )
        .await?;
    Ok(Json(
        json!({"url": format!("{}/documents/{token}", base_url(&headers)), "expiryTime": timestamp(expires_at)}),
    ))
}

/// Serves the PDF behind a live link; an unknown or expired link is 404.
pub async fn open_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ArmError> {
    let link = state.store.document_link(&token).await?.ok_or_else(|| {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "LinkExpired",
            "this download link does not exist or has expired",
        )
    })?;
    let account = state
        .store
        .account(&link.account)
        .await?
        .ok_or_else(|| ArmError::not_found("invoice"))?;
    let invoice = state
        .store
        .invoice(&link.account, &link.invoice)
        .await?
        .ok_or_else(|| ArmError::not_found("invoice"))?;
    let profile = state
        .store
        .profile(&link.account, &invoice.billing_profile_id)
        .await?
        .ok_or_else(|| ArmError::not_found("invoice"))?;
    let tr = Tr::new(
        state.i18n.clone(),
        Locale::from_tag(&link.locale).unwrap_or_default(),
    );
    let bytes = invoice_pdf(&InvoiceDocument {
        tr: &tr,
        seller: &state.config.wire.account_holder,
        customer: &account.display_name,
        bill_to: &profile.bill_to,
        profile_name: &profile.display_name,
        invoice: &invoice,
        wire: &state.config.wire,
    })
    .map_err(ArmError::internal)?;
    Ok(pdf_response(
        bytes,
        &format!("{}-{}.pdf", tr.t("pdf-invoice-file"), invoice.number),
    ))
}
