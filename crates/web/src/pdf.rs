//! Invoice documents: a PDF per invoice (Download / Hent), a receipt PDF per succeeded payment
//! and a credit note per refund, in the user's language. Built with `lopdf` on an embedded
//! Unicode font (see `writer`), so every name prints and the text can be extracted.

mod writer;

use crate::i18n::Tr;
use crate::view::{period_text, quantity_text, status_label, today};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use faktura_app::SellerDetails;
use faktura_domain::*;
pub use writer::{fit, text_width, wrap, PdfError, PdfWriter, MARGIN, PAGE_WIDTH};

/// Everything the invoice PDF shows, already in the reader's language.
pub struct InvoiceDocument<'a> {
    pub tr: &'a Tr,
    pub seller: &'a SellerDetails,
    pub customer: &'a str,
    pub bill_to: &'a Address,
    pub profile_name: &'a str,
    pub invoice: &'a Invoice,
    /// The purchase order number the invoice was issued with, if any.
    pub purchase_order_number: Option<&'a str>,
    pub wire: &'a faktura_app::WireDetails,
    /// The invoice's succeeded payments, oldest first (listed on a paid or partly paid one).
    pub payments: &'a [Payment],
}

impl<'a> InvoiceDocument<'a> {
    /// The PDF's view of an invoice document, with this deployment's seller and wire details.
    pub fn of(
        tr: &'a Tr,
        config: &'a faktura_app::Config,
        document: &'a faktura_app::documents::InvoiceDocument,
    ) -> InvoiceDocument<'a> {
        InvoiceDocument {
            tr,
            seller: &config.seller,
            customer: &document.account.display_name,
            bill_to: &document.profile.bill_to,
            profile_name: &document.profile.display_name,
            invoice: &document.invoice,
            purchase_order_number: document.invoice.purchase_order_number.as_deref(),
            wire: &config.wire,
            payments: &document.payments,
        }
    }
}

/// The seller's legal details as printed: name, address lines, VAT number.
fn seller_lines(tr: &Tr, seller: &SellerDetails) -> Vec<String> {
    let mut lines = vec![seller.name.clone()];
    lines.extend(
        seller
            .address
            .iter()
            .filter(|l| !l.trim().is_empty())
            .cloned(),
    );
    if !seller.vat_number.trim().is_empty() {
        lines.push(tr.t1("pdf-seller-vat-number", "number", seller.vat_number.trim()));
    }
    lines
}

/// The seller's details under a document's title (receipts and credit notes).
fn seller_block(pdf: &mut PdfWriter, tr: &Tr, seller: &SellerDetails) {
    for line in seller_lines(tr, seller) {
        pdf.text(
            MARGIN,
            9.0,
            false,
            &fit(&line, 9.0, PAGE_WIDTH - 2.0 * MARGIN),
        );
        pdf.down(12.0);
    }
}

/// A VAT rate as printed ("25 %", "12,5 %"), from basis points.
fn rate_text(tr: &Tr, basis_points: i64) -> String {
    tr.t1(
        "pdf-vat-rate",
        "rate",
        quantity_text(tr, basis_points.saturating_mul(10)),
    )
}

fn address_lines(address: &Address) -> Vec<String> {
    let mut lines = vec![address.company.clone(), address.line1.clone()];
    if !address.line2.is_empty() {
        lines.push(address.line2.clone());
    }
    let mut city = format!("{} {}", address.postal_code, address.city);
    if !address.region.is_empty() {
        city.push_str(&format!(", {}", address.region));
    }
    lines.push(city.trim().to_owned());
    lines.push(address.country.clone());
    lines.retain(|l| !l.trim().is_empty());
    lines
}

pub fn invoice_pdf(doc: &InvoiceDocument<'_>) -> Result<Vec<u8>, PdfError> {
    let tr = doc.tr;
    let invoice = doc.invoice;
    let right = PAGE_WIDTH - MARGIN;
    let mut pdf = PdfWriter::new();
    pdf.text(MARGIN, 20.0, true, &tr.t("pdf-invoice-title"));
    pdf.text_right(right, 12.0, true, &invoice.number);
    pdf.down(30.0);

    // Seller and customer side by side.
    let column = MARGIN + 270.0;
    pdf.text(MARGIN, 9.0, true, &tr.t("pdf-seller"));
    pdf.text(column, 9.0, true, &tr.t("pdf-customer"));
    pdf.down(14.0);
    // The customer's name once: the bill-to address usually starts with the same company.
    let mut customer = vec![doc.customer.to_owned()];
    customer.extend(
        address_lines(doc.bill_to)
            .into_iter()
            .enumerate()
            .filter(|(index, line)| *index > 0 || line.trim() != doc.customer.trim())
            .map(|(_, line)| line),
    );
    let seller = seller_lines(tr, doc.seller);
    for i in 0..customer.len().max(seller.len()) {
        if let Some(line) = seller.get(i) {
            pdf.text(MARGIN, 10.0, false, line);
        }
        if let Some(line) = customer.get(i) {
            pdf.text(column, 10.0, false, line);
        }
        pdf.down(13.0);
    }
    pdf.down(10.0);

    let status = status_label(tr, invoice.status_on(today()));
    let facts = [
        (tr.t("col-invoice-number"), invoice.number.clone()),
        (tr.t("col-invoice-date"), tr.date(invoice.invoice_date)),
        (tr.t("col-due-date"), tr.date(invoice.due_date)),
        (tr.t("col-billing-period"), period_text(tr, invoice)),
        (tr.t("col-billing-profile"), doc.profile_name.to_owned()),
        (tr.t("col-status"), status),
    ];
    for (label, value) in &facts {
        pdf.text(MARGIN, 10.0, true, label);
        pdf.text(MARGIN + 140.0, 10.0, false, value);
        pdf.down(14.0);
    }
    if let Some(number) = doc.purchase_order_number {
        pdf.text(
            MARGIN,
            10.0,
            false,
            &tr.t1("pdf-po-number", "number", number),
        );
        pdf.down(14.0);
    }
    pdf.down(12.0);

    // Lines. They carry no VAT rate of their own: the invoice's one rate (its tax over its
    // subtotal) applies to each.
    let rate = tax_rate_basis_points(invoice.subtotal, invoice.tax);
    let rate_shown = rate.map(|bp| rate_text(tr, bp)).unwrap_or_default();
    let description_x = MARGIN + 105.0;
    let qty_right = MARGIN + 280.0;
    let unit_right = MARGIN + 380.0;
    let vat_right = MARGIN + 420.0;
    pdf.text(MARGIN, 9.0, true, &tr.t("col-service"));
    pdf.text(description_x, 9.0, true, &tr.t("col-description"));
    pdf.text_right(qty_right, 9.0, true, &tr.t("col-quantity"));
    pdf.text_right(unit_right, 9.0, true, &tr.t("col-unit-price"));
    pdf.text_right(vat_right, 9.0, true, &tr.t("pdf-col-vat"));
    pdf.text_right(right, 9.0, true, &tr.t("col-amount"));
    pdf.down(6.0);
    pdf.rule();
    pdf.down(12.0);
    for line in &invoice.lines {
        let description = wrap(&line.description, 9.0, 140.0);
        pdf.text(MARGIN, 9.0, false, &fit(&line.service, 9.0, 100.0));
        pdf.text_right(
            qty_right,
            9.0,
            false,
            &quantity_text(tr, line.quantity_milli),
        );
        pdf.text_right(unit_right, 9.0, false, &tr.money(line.unit_price));
        pdf.text_right(vat_right, 9.0, false, &rate_shown);
        pdf.text_right(right, 9.0, false, &tr.money(line.amount));
        for (index, part) in description.iter().enumerate() {
            if index > 0 {
                pdf.down(11.0);
            }
            pdf.text(description_x, 9.0, false, part);
        }
        pdf.down(14.0);
    }
    pdf.rule();
    pdf.down(14.0);
    let amount_due = invoice.amount_due().unwrap_or(invoice.total);
    let tax_label = match rate {
        Some(bp) => tr.t1("pdf-vat-at", "rate", rate_text(tr, bp)),
        None => tr.t("invoice-tax"),
    };
    let totals = [
        (tr.t("invoice-subtotal"), tr.money(invoice.subtotal), false),
        (tax_label, tr.money(invoice.tax), false),
        (tr.t("col-total"), tr.money(invoice.total), true),
        (tr.t("invoice-credits"), tr.money(invoice.credits), false),
        (tr.t("invoice-paid"), tr.money(invoice.amount_paid), false),
        (tr.t("col-amount-due"), tr.money(amount_due), true),
    ];
    let label_right = MARGIN + 380.0;
    for (label, value, bold) in &totals {
        pdf.text_right(label_right, 10.0, *bold, label);
        pdf.text_right(right, 10.0, *bold, value);
        pdf.down(14.0);
    }
    pdf.down(10.0);

    // The VAT summary: per rate, the amount it was taken of and the VAT.
    pdf.text(MARGIN, 10.0, true, &tr.t("pdf-vat-summary"));
    pdf.down(14.0);
    let (base_right, vat_amount_right) = (MARGIN + 260.0, MARGIN + 380.0);
    pdf.text(MARGIN, 9.0, true, &tr.t("pdf-vat-rate-heading"));
    pdf.text_right(base_right, 9.0, true, &tr.t("pdf-vat-base"));
    pdf.text_right(vat_amount_right, 9.0, true, &tr.t("pdf-col-vat"));
    pdf.down(13.0);
    pdf.text(MARGIN, 9.0, false, &rate_shown);
    pdf.text_right(base_right, 9.0, false, &tr.money(invoice.subtotal));
    pdf.text_right(vat_amount_right, 9.0, false, &tr.money(invoice.tax));
    pdf.down(22.0);

    // What paid it, on a paid or partly paid invoice.
    if invoice.amount_paid.is_positive() {
        payments_block(&mut pdf, tr, invoice, doc.payments);
    }

    // A paid invoice says so; only an invoice with something due says how to pay it.
    if !amount_due.is_positive() {
        pdf.text(MARGIN, 11.0, true, &tr.t("pdf-paid-note"));
        return pdf.finish(&format!("{} {}", tr.t("pdf-invoice-title"), invoice.number));
    }

    // How to pay by wire transfer.
    pdf.text(MARGIN, 11.0, true, &tr.t("pdf-wire-heading"));
    pdf.down(15.0);
    let wire = [
        (tr.t("wire-bank"), doc.wire.bank.clone()),
        (tr.t("wire-holder"), doc.wire.account_holder.clone()),
        ("IBAN".to_owned(), doc.wire.iban.clone()),
        ("BIC/SWIFT".to_owned(), doc.wire.bic.clone()),
        (tr.t("wire-reference"), invoice.number.clone()),
    ];
    for (label, value) in &wire {
        pdf.text(MARGIN, 10.0, false, label);
        pdf.text(MARGIN + 140.0, 10.0, true, value);
        pdf.down(14.0);
    }
    pdf.down(4.0);
    pdf.text(
        MARGIN,
        9.0,
        false,
        &tr.t1("pdf-wire-reference-note", "number", &invoice.number),
    );
    pdf.finish(&format!("{} {}", tr.t("pdf-invoice-title"), invoice.number))
}

/// The payments received for an invoice: date, receipt number, amount; whatever was paid
/// outside Faktura's payments (recorded with the invoice, e.g. imported) on a line of its own.
fn payments_block(pdf: &mut PdfWriter, tr: &Tr, invoice: &Invoice, payments: &[Payment]) {
    let right = PAGE_WIDTH - MARGIN;
    pdf.text(MARGIN, 10.0, true, &tr.t("pdf-payments-heading"));
    pdf.down(14.0);
    pdf.text(MARGIN, 9.0, true, &tr.t("col-date"));
    pdf.text(MARGIN + 100.0, 9.0, true, &tr.t("pdf-receipt-number"));
    pdf.text_right(right, 9.0, true, &tr.t("col-amount"));
    pdf.down(13.0);
    let mut listed = Money::zero(invoice.amount_paid.currency());
    for payment in payments
        .iter()
        .filter(|p| p.state == PaymentState::Succeeded)
    {
        pdf.text(
            MARGIN,
            9.0,
            false,
            &tr.date(payment.updated_at.date_naive()),
        );
        pdf.text(MARGIN + 100.0, 9.0, false, payment.id.as_str());
        pdf.text_right(right, 9.0, false, &tr.money(payment.amount));
        pdf.down(13.0);
        listed = listed.checked_add(payment.amount).unwrap_or(listed);
    }
    if let Ok(other) = invoice.amount_paid.checked_sub(listed) {
        if other.is_positive() {
            pdf.text(MARGIN, 9.0, false, &tr.t("pdf-payments-other"));
            pdf.text_right(right, 9.0, false, &tr.money(other));
            pdf.down(13.0);
        }
    }
    pdf.down(12.0);
}

pub struct ReceiptDocument<'a> {
    pub tr: &'a Tr,
    pub seller: &'a SellerDetails,
    pub customer: &'a str,
    pub invoice: &'a Invoice,
    pub payment: &'a Payment,
    pub method: Option<String>,
}

pub fn receipt_pdf(doc: &ReceiptDocument<'_>) -> Result<Vec<u8>, PdfError> {
    let tr = doc.tr;
    let mut pdf = PdfWriter::new();
    pdf.text(MARGIN, 20.0, true, &tr.t("pdf-receipt-title"));
    pdf.down(26.0);
    seller_block(&mut pdf, tr, doc.seller);
    pdf.down(12.0);
    pdf.text(
        MARGIN,
        10.0,
        false,
        &tr.t1("pdf-receipt-intro", "seller", &doc.seller.name),
    );
    pdf.down(24.0);
    let facts = [
        (tr.t("pdf-receipt-number"), doc.payment.id.to_string()),
        (
            tr.t("col-date"),
            tr.date(doc.payment.updated_at.date_naive()),
        ),
        (tr.t("pdf-customer"), doc.customer.to_owned()),
        (tr.t("col-invoice-number"), doc.invoice.number.clone()),
        (tr.t("amount-paid"), tr.money(doc.payment.amount)),
        (
            tr.t("col-payment-method"),
            doc.method
                .clone()
                .unwrap_or_else(|| tr.t("payment-method-card")),
        ),
        (
            tr.t("pdf-receipt-reference"),
            doc.payment.gateway_reference.clone().unwrap_or_default(),
        ),
        (tr.t("col-status"), tr.t("payment-state-succeeded")),
    ];
    for (label, value) in &facts {
        pdf.text(MARGIN, 10.0, true, label);
        pdf.text(MARGIN + 150.0, 10.0, false, value);
        pdf.down(15.0);
    }
    pdf.finish(&format!(
        "{} {}",
        tr.t("pdf-receipt-title"),
        doc.invoice.number
    ))
}

/// A credit note: what a refund gave back, crediting its invoice.
pub struct CreditNotePdf<'a> {
    pub tr: &'a Tr,
    pub seller: &'a SellerDetails,
    pub customer: &'a str,
    pub credit_note: &'a CreditNote,
    pub invoice: &'a Invoice,
    pub reason: Option<&'a str>,
}

pub fn credit_note_pdf(doc: &CreditNotePdf<'_>) -> Result<Vec<u8>, PdfError> {
    let tr = doc.tr;
    let note = doc.credit_note;
    let mut pdf = PdfWriter::new();
    pdf.text(MARGIN, 20.0, true, &tr.t("pdf-credit-note-title"));
    pdf.down(26.0);
    seller_block(&mut pdf, tr, doc.seller);
    pdf.down(12.0);
    let intro = tr.tn(
        "pdf-credit-note-intro",
        &[
            ("seller", doc.seller.name.clone()),
            ("number", doc.invoice.number.clone()),
        ],
    );
    for line in wrap(&intro, 10.0, PAGE_WIDTH - 2.0 * MARGIN) {
        pdf.text(MARGIN, 10.0, false, &line);
        pdf.down(14.0);
    }
    pdf.down(10.0);
    let mut facts = vec![
        (tr.t("pdf-credit-note-number"), note.number.clone()),
        (tr.t("col-date"), tr.date(note.issued_on)),
        (tr.t("pdf-customer"), doc.customer.to_owned()),
        (tr.t("pdf-credit-note-for"), doc.invoice.number.clone()),
        (tr.t("pdf-credit-note-amount"), tr.money(note.amount)),
    ];
    if let Some(reason) = doc.reason {
        facts.push((tr.t("pdf-credit-note-reason"), fit(reason, 10.0, 340.0)));
    }
    for (label, value) in &facts {
        pdf.text(MARGIN, 10.0, true, label);
        pdf.text(MARGIN + 150.0, 10.0, false, value);
        pdf.down(15.0);
    }
    pdf.finish(&format!(
        "{} {}",
        tr.t("pdf-credit-note-title"),
        note.number
    ))
}

pub fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::I18n;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn text_of(bytes: &[u8]) -> String {
        let doc = lopdf::Document::load_mem(bytes).unwrap();
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        doc.extract_text(&pages).unwrap()
    }

    fn seller() -> SellerDetails {
        SellerDetails {
            name: "Łódź Ελλάδα Handel Sp. z o.o.".into(),
            address: vec!["ul. Piotrkowska 1".into(), "90-001 Łódź".into()],
            vat_number: "PL1234567890".into(),
        }
    }

    fn dkk(minor: i64) -> Money {
        Money::from_minor(minor, Currency::DKK)
    }

    fn invoice(paid: i64) -> Invoice {
        let date = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        Invoice {
            id: InvoiceId::generate(),
            billing_account_id: BillingAccountId::generate(),
            billing_profile_id: BillingProfileId::generate(),
            number: "G000123456".into(),
            invoice_date: date(1),
            period_start: date(1),
            period_end: date(30),
            due_date: date(28),
            subtotal: dkk(100_000),
            tax: dkk(25_000),
            total: dkk(125_000),
            credits: dkk(0),
            amount_paid: dkk(paid),
            status: if paid == 125_000 {
                InvoiceStatus::Paid
            } else {
                InvoiceStatus::Due
            },
            lines: vec![LineItem {
                service: "Virtual Machines".into(),
                description: "D4s v5 i Ελλάδα (Athína)".into(),
                quantity_milli: 2_000,
                unit_price: dkk(50_000),
                amount: dkk(100_000),
            }],
            purchase_order_number: Some("PO-4711".into()),
            created_at: Utc::now(),
        }
    }

    fn payment(invoice: &Invoice, amount: i64, state: PaymentState) -> Payment {
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
        Payment {
            id: PaymentId::generate(),
            billing_account_id: invoice.billing_account_id.clone(),
            invoice_id: invoice.id.clone(),
            amount: dkk(amount),
            payment_method_id: None,
            state,
            failure_reason: None,
            gateway_reference: Some("ch_123".into()),
            next_action_url: None,
            created_by: UserId::generate(),
            created_at: at,
            updated_at: at,
        }
    }

    fn bill_to() -> Address {
        Address {
            company: "Москва Trading".into(),
            line1: "Tverskaya 1".into(),
            line2: String::new(),
            postal_code: "125009".into(),
            city: "Москва".into(),
            region: String::new(),
            country: "RU".into(),
        }
    }

    /// Writes a sample for a person to look at (`pdftoppm -png`), next to the other test output.
    fn keep(name: &str, bytes: &[u8]) {
        let dir = std::env::var_os("FAKTURA_TEST_ARTIFACTS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(std::env::temp_dir)
            .join("pdf-samples");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(name), bytes);
    }

    fn render(tr: &Tr, invoice: &Invoice, payments: &[Payment]) -> String {
        let config = faktura_app::Config::default();
        let bytes = invoice_pdf(&InvoiceDocument {
            tr,
            seller: &seller(),
            customer: "Москва Trading",
            bill_to: &bill_to(),
            profile_name: "Drift",
            invoice,
            purchase_order_number: invoice.purchase_order_number.as_deref(),
            wire: &config.wire,
            payments,
        })
        .unwrap();
        keep(
            &format!(
                "invoice-{}-{}.pdf",
                tr.locale.tag(),
                invoice.amount_paid.minor()
            ),
            &bytes,
        );
        text_of(&bytes)
    }

    #[test]
    fn an_open_invoice_has_seller_vat_and_wire_details_in_unicode() {
        let tr = Tr::new(I18n::load().unwrap(), Locale::EnUs);
        let text = render(&tr, &invoice(0), &[]);
        for expected in [
            "Łódź Ελλάδα Handel Sp. z o.o.",
            "ul. Piotrkowska 1",
            "90-001 Łódź",
            "VAT no. PL1234567890",
            "D4s v5 i Ελλάδα (Athína)",
            "Москва",
            "VAT 25%",
            "VAT summary",
            "Taxable amount",
            "Pay by wire transfer",
            "PO number: PO-4711",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
        // The rate on the line, in the summary and by the tax total.
        assert!(text.matches("25%").count() >= 3, "{text}");
        assert_eq!(text.matches("Москва Trading").count(), 1, "{text}");
        assert!(!text.contains("Payments received"), "{text}");
    }

    #[test]
    fn a_paid_invoice_lists_its_payments_and_no_wire_transfer() {
        let tr = Tr::new(I18n::load().unwrap(), Locale::DaDk);
        let paid = invoice(125_000);
        let first = payment(&paid, 25_000, PaymentState::Succeeded);
        let failed = payment(&paid, 100_000, PaymentState::Failed);
        let second = payment(&paid, 90_000, PaymentState::Succeeded);
        let text = render(&tr, &paid, &[first.clone(), failed.clone(), second.clone()]);
        for expected in [
            "CVR-nr. PL1234567890",
            "Moms 25 %",
            "Momsspecifikation",
            "Modtagne betalinger",
            first.id.as_str(),
            second.id.as_str(),
            "250,00",
            "900,00",
            // 1.250 paid, 1.150 of it through these payments: the rest on its own line.
            "Andre registrerede betalinger",
            "100,00",
            "Denne faktura er betalt",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
        assert!(
            !text.contains(failed.id.as_str()),
            "a failed payment is not listed"
        );
        assert!(!text.contains("bankoverførsel"), "{text}");
        assert!(!text.contains("DK50 0040"), "{text}");
    }

    #[test]
    fn receipts_and_credit_notes_carry_the_seller() {
        let tr = Tr::new(I18n::load().unwrap(), Locale::EnUs);
        let paid = invoice(125_000);
        let payment = payment(&paid, 125_000, PaymentState::Succeeded);
        let receipt = receipt_pdf(&ReceiptDocument {
            tr: &tr,
            seller: &seller(),
            customer: "Москва Trading",
            invoice: &paid,
            payment: &payment,
            method: None,
        })
        .unwrap();
        keep("receipt.pdf", &receipt);
        let note = CreditNote {
            id: CreditNoteId::generate(),
            billing_account_id: paid.billing_account_id.clone(),
            billing_profile_id: paid.billing_profile_id.clone(),
            number: "CN000000001".into(),
            invoice_id: paid.id.clone(),
            invoice_number: paid.number.clone(),
            refund_id: RefundId::generate(),
            amount: dkk(10_000),
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            created_at: Utc::now(),
        };
        let credit = credit_note_pdf(&CreditNotePdf {
            tr: &tr,
            seller: &seller(),
            customer: "Москва Trading",
            credit_note: &note,
            invoice: &paid,
            reason: Some("Zwrot – błąd"),
        })
        .unwrap();
        keep("credit-note.pdf", &credit);
        for (bytes, title) in [(receipt, "Receipt"), (credit, "Credit note")] {
            let text = text_of(&bytes);
            for expected in [
                title,
                "Łódź Ελλάδα Handel Sp. z o.o.",
                "90-001 Łódź",
                "VAT no. PL1234567890",
                "Москва Trading",
            ] {
                assert!(text.contains(expected), "{expected:?} in {text}");
            }
        }
    }
}
