//! One ZIP of several invoices' PDFs (the Invoices list's "Download selected" and the API's
//! `downloadDocuments` link). Which invoices, and that the caller may see each, is decided by
//! `faktura_app::bundles`; this writes the PDFs (named as a single download names them) into
//! a deflated ZIP.

use crate::i18n::Tr;
use crate::pdf::{invoice_pdf, InvoiceDocument};
use crate::state::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use faktura_app::documents::InvoiceDocument as Document;
use std::io::{Cursor, Write};

/// A PDF's name in the ZIP: `invoice-G000123456.pdf` (`faktura-…` in Danish), as the single
/// download names it.
pub fn pdf_name(tr: &Tr, number: &str) -> String {
    format!("{}-{number}.pdf", tr.t("pdf-invoice-file"))
}

/// The ZIP of the documents' PDFs in `tr`'s language.
pub fn invoices_zip(state: &AppState, tr: &Tr, documents: &[Document]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for document in documents {
        let invoice = &document.invoice;
        let bytes = invoice_pdf(&InvoiceDocument::of(tr, state.config(), document))
            .map_err(|e| format!("invoice PDF: {e}"))?;
        zip.start_file(pdf_name(tr, &invoice.number), options)
            .map_err(|e| format!("ZIP: {e}"))?;
        zip.write_all(&bytes).map_err(|e| format!("ZIP: {e}"))?;
    }
    let cursor = zip.finish().map_err(|e| format!("ZIP: {e}"))?;
    Ok(cursor.into_inner())
}

/// The ZIP as a download named `invoices.zip` (`fakturaer.zip` in Danish).
pub fn zip_response(tr: &Tr, bytes: Vec<u8>) -> Response {
    let filename = format!("{}.zip", tr.t("invoices-zip-file"));
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
