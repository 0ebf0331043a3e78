//! Credit notes as customers read them, in the Microsoft.Billing invoice shape
//! (`documentType: "CreditNote"`, `creditForDocumentId`: the credited invoice's id), listed
//! right after the invoice they credit and among its `documents`.

use super::envelope::date_time;
use super::resources::*;
use faktura_domain::*;
use serde::Serialize;

/// A credit note in the invoice shape, as Microsoft.Billing lists credit notes: amounts are
/// negative, nothing is due, and `creditForDocumentId` names the credited invoice.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct CreditNoteProperties {
    pub amount_due: Amount,
    pub billed_amount: Amount,
    pub billing_profile_display_name: String,
    pub billing_profile_id: String,
    pub credit_for_document_id: String,
    pub document_type: &'static str,
    pub documents: Vec<InvoiceDocumentJson>,
    pub invoice_date: String,
    pub invoice_type: &'static str,
    pub status: &'static str,
    pub sub_total: Amount,
    pub tax_amount: Amount,
    pub total_amount: Amount,
}

pub type CreditNoteResource = Resource<CreditNoteProperties>;

/// An invoice or a credit note, as the invoice lists carry both.
#[derive(Serialize, Debug, Clone)]
#[serde(untagged)]
pub enum DocumentResource {
    Invoice(Box<InvoiceResource>),
    CreditNote(Box<CreditNoteResource>),
}

pub fn credit_note_resource(note: &CreditNote, profile_name: &str) -> CreditNoteResource {
    let account = account_path(&note.billing_account_id);
    let id = format!("{account}/invoices/{}", note.id);
    let negative = Money::from_minor(note.amount.minor().saturating_neg(), note.amount.currency());
    let zero = Money::zero(note.amount.currency());
    CreditNoteResource::new(
        id,
        INVOICE_TYPE,
        CreditNoteProperties {
            amount_due: zero.into(),
            billed_amount: negative.into(),
            billing_profile_display_name: profile_name.to_owned(),
            billing_profile_id: profile_path(&note.billing_account_id, &note.billing_profile_id),
            credit_for_document_id: format!("{account}/invoices/{}", note.invoice_id),
            document_type: "CreditNote",
            documents: vec![credit_note_document(note)],
            invoice_date: date_time(note.issued_on),
            invoice_type: "AzureServices",
            status: "Paid",
            sub_total: negative.into(),
            tax_amount: zero.into(),
            total_amount: negative.into(),
        },
    )
}

/// The credit note's PDF, as the invoice's `documents` and its own list it.
fn credit_note_document(note: &CreditNote) -> InvoiceDocumentJson {
    InvoiceDocumentJson {
        kind: "CreditNote",
        name: note.number.clone(),
        url: format!(
            "/billing/{}/credit-notes/{}/pdf",
            note.billing_account_id, note.id
        ),
    }
}

/// An invoice resource with its credit notes among its documents and, when there are any,
/// what they refunded (`refundDetails.amountRefunded`).
pub fn with_credit_notes(mut invoice: InvoiceResource, notes: &[CreditNote]) -> InvoiceResource {
    if let Some(first) = notes.first() {
        let currency = first.amount.currency();
        if let Ok(refunded) = Money::sum(currency, notes.iter().map(|n| n.amount)) {
            invoice.properties.refund_details = Some(RefundDetailsJson {
                amount_refunded: refunded.into(),
                refund_status: "Completed",
                transaction_count: notes.len(),
            });
        }
    }
    invoice
        .properties
        .documents
        .extend(notes.iter().map(credit_note_document));
    invoice
}

/// Invoices, each followed by the credit notes that credit it.
pub fn documents_of(
    invoices: Vec<InvoiceResource>,
    notes: &std::collections::HashMap<InvoiceId, Vec<CreditNote>>,
) -> Vec<DocumentResource> {
    let mut out = Vec::with_capacity(invoices.len());
    for invoice in invoices {
        let own = InvoiceId::parse(&invoice.name)
            .ok()
            .and_then(|id| notes.get(&id))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let profile_name = invoice.properties.billing_profile_display_name.clone();
        let invoice = with_credit_notes(invoice, own);
        out.push(DocumentResource::Invoice(Box::new(invoice)));
        out.extend(own.iter().map(|note| {
            DocumentResource::CreditNote(Box::new(credit_note_resource(note, &profile_name)))
        }));
    }
    out
}
