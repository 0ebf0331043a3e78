//! Invoice and receipt PDFs for the portal (Download / Hent); the documents themselves are
//! written by `crate::pdf`, which the API's download links use too.

use crate::context::SignedIn;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pdf::{
    credit_note_pdf, invoice_pdf, pdf_response, receipt_pdf, CreditNotePdf, InvoiceDocument,
    ReceiptDocument,
};
use crate::state::AppState;
use crate::view::card_text;
use crate::view::{render_with, BillingNav, Chrome, NavExt};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use faktura_app::bundles::{self, BundleError, MAX_BUNDLE};
use faktura_app::{documents, refunds};

pub async fn invoice_download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, invoice)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let document = documents::invoice_document(&state.app, &scope, &invoice).await?;
    let invoice = &document.invoice;
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let bytes = invoice_pdf(&InvoiceDocument::of(&tr, state.config(), &document))
        .map_err(|e| AppError::Internal(format!("invoice PDF: {e}")))?;
    Ok(pdf_response(
        bytes,
        &format!("{}-{}.pdf", tr.t("pdf-invoice-file"), invoice.number),
    ))
}

pub async fn receipt_download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, payment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let receipt = documents::receipt(&state.app, &scope, &payment).await?;
    let (invoice, payment) = (&receipt.invoice, &receipt.payment);
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let method = receipt.method.as_ref().map(|m| card_text(&tr, m));
    let bytes = receipt_pdf(&ReceiptDocument {
        tr: &tr,
        seller: &state.config().seller,
        customer: &scope.account.display_name,
        invoice,
        payment,
        method,
    })
    .map_err(|e| AppError::Internal(format!("receipt PDF: {e}")))?;
    Ok(pdf_response(
        bytes,
        &format!("{}-{}.pdf", tr.t("pdf-receipt-file"), invoice.number),
    ))
}

pub async fn credit_note_download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, credit_note)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let document = refunds::credit_note_document(&state.app, &scope, &credit_note).await?;
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let bytes = credit_note_pdf(&CreditNotePdf {
        tr: &tr,
        seller: &state.config().seller,
        customer: &scope.account.display_name,
        credit_note: &document.credit_note,
        invoice: &document.invoice,
        reason: Some(document.reason.as_str()).filter(|r| !r.is_empty()),
    })
    .map_err(|e| AppError::Internal(format!("credit note PDF: {e}")))?;
    Ok(pdf_response(
        bytes,
        &format!(
            "{}-{}.pdf",
            tr.t("pdf-credit-note-file"),
            document.credit_note.number
        ),
    ))
}

#[derive(Template)]
#[template(path = "download_refused.html")]
struct DownloadRefusedTemplate {
    chrome: Chrome,
    nav: BillingNav,
    heading: String,
    explanation: String,
}

/// "Download selected" on the Invoices list: the checked invoices (repeated `invoice` fields,
/// ids) as one ZIP of their PDFs. Every invoice must be one the person may see; one that is
/// not refuses the download and is named, and so is a selection of none or of too many.
pub async fn selected_download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let names: Vec<String> = fields
        .into_iter()
        .filter(|(key, _)| key == "invoice")
        .map(|(_, value)| value)
        .collect();
    let refused = |status: StatusCode, explanation: String| -> Result<Response, AppError> {
        let base = format!("/billing/{}/invoices", scope.account.id);
        let chrome = Chrome::new(&state, &signed_in.ctx, &base);
        let nav = scope
            .nav("invoices", None, base.clone())
            .crumb("invoices-download-refused", base);
        Ok(render_with(
            status,
            &DownloadRefusedTemplate {
                heading: chrome.tr.t("invoices-download-refused"),
                chrome,
                nav,
                explanation,
            },
        ))
    };
    let documents = match bundles::invoice_documents(&state.app, &scope, &names).await {
        Ok(documents) => documents,
        Err(BundleError::Empty) => {
            return refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                tr.t("invoices-download-none"),
            )
        }
        Err(BundleError::TooMany(count)) => {
            return refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                tr.tn(
                    "invoices-download-too-many",
                    &[
                        ("max", MAX_BUNDLE.to_string()),
                        ("count", count.to_string()),
                    ],
                ),
            )
        }
        Err(BundleError::NotFound(name)) => {
            return refused(
                StatusCode::NOT_FOUND,
                tr.t1("invoices-download-not-found", "invoice", name),
            )
        }
        Err(BundleError::App(error)) => return Err(error.into()),
    };
    let bytes = crate::bundle::invoices_zip(&state, &tr, &documents).map_err(AppError::Internal)?;
    Ok(crate::bundle::zip_response(&tr, bytes))
}
