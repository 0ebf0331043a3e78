//! Invoice documents: a PDF per invoice (Download / Hent) and a receipt PDF per succeeded
//! payment, in the user's language. Built with `lopdf` on the PDF standard fonts (Helvetica,
//! WinAnsi encoding), so nothing is downloaded or embedded and the text can be extracted.

use crate::i18n::Tr;
use crate::view::{period_text, quantity_text, status_label, today};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use faktura_domain::*;
use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Encoding, Object, Stream, StringFormat};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const BOTTOM: f32 = 70.0;

/// A minimal page-flowing writer: text at positions, right-aligned numbers, rules.
pub struct PdfWriter {
    pages: Vec<Vec<Operation>>,
    current: Vec<Operation>,
    /// The baseline of the next line, from the bottom of the page.
    pub y: f32,
}

/// Approximate Helvetica advance widths (per 1000 em), enough to right-align amounts.
fn char_width(c: char, bold: bool) -> f32 {
    let w = match c {
        '0'..='9' => 556.0,
        ' ' | '\u{a0}' | '.' | ',' | ':' | ';' | '!' | 'i' | 'j' | 'l' | '\'' | '|' => 278.0,
        '-' | '(' | ')' | 'f' | 't' | 'r' | '/' => 333.0,
        'm' | 'M' | 'W' => 833.0,
        'w' => 722.0,
        'A'..='Z' | 'Æ' | 'Ø' | 'Å' => 667.0,
        _ => 556.0,
    };
    if bold {
        w * 1.05
    } else {
        w
    }
}

pub fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    text.chars().map(|c| char_width(c, bold)).sum::<f32>() * size / 1000.0
}

/// Cuts text to fit a width, ending with "…" when cut.
fn fit(text: &str, size: f32, width: f32) -> String {
    if text_width(text, size, false) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        if text_width(&out, size, false) + char_width(c, false) * size / 1000.0
            > width - text_width("…", size, false)
        {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Breaks text into lines that fit a width, at spaces where it can (long words are cut).
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size, false) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if text_width(word, size, false) <= width {
            line = word.to_owned();
        } else {
            lines.push(fit(word, size, width));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

impl Default for PdfWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl PdfWriter {
    pub fn new() -> Self {
        PdfWriter {
            pages: Vec::new(),
            current: Vec::new(),
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    pub fn text(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        let encoded = Document::encode_text(&Encoding::SimpleEncoding(b"WinAnsiEncoding"), text);
        let font = if bold { "F2" } else { "F1" };
        self.current.extend([
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec![font.into(), size.into()]),
            Operation::new("Td", vec![x.into(), self.y.into()]),
            Operation::new("Tj", vec![Object::String(encoded, StringFormat::Literal)]),
            Operation::new("ET", vec![]),
        ]);
    }

    pub fn text_right(&mut self, right: f32, size: f32, bold: bool, text: &str) {
        let x = right - text_width(text, size, bold);
        self.text(x, size, bold, text);
    }

    pub fn rule(&mut self) {
        let y = self.y + 4.0;
        self.current.extend([
            Operation::new("w", vec![0.5.into()]),
            Operation::new("m", vec![MARGIN.into(), y.into()]),
            Operation::new("l", vec![(PAGE_WIDTH - MARGIN).into(), y.into()]),
            Operation::new("S", vec![]),
        ]);
    }

    /// Moves down by `dy`, starting a new page when the bottom is reached.
    pub fn down(&mut self, dy: f32) {
        self.y -= dy;
        if self.y < BOTTOM {
            self.new_page();
        }
    }

    pub fn new_page(&mut self) {
        let page = std::mem::take(&mut self.current);
        self.pages.push(page);
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// The finished document as bytes.
    pub fn finish(mut self, title: &str) -> Result<Vec<u8>, lopdf::Error> {
        if !self.current.is_empty() || self.pages.is_empty() {
            self.new_page();
        }
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.try_new_object_id()?;
        let regular = doc.try_add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        })?;
        let bold = doc.try_add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica-Bold",
            "Encoding" => "WinAnsiEncoding",
        })?;
        let resources = doc.try_add_object(dictionary! {
            "Font" => dictionary! { "F1" => regular, "F2" => bold },
        })?;
        let mut kids = Vec::new();
        let count = self.pages.len();
        for operations in self.pages {
            let content = Content { operations };
            let stream = doc.try_add_object(Stream::new(dictionary! {}, content.encode()?))?;
            let page = doc.try_add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "Contents" => stream,
            })?;
            kids.push(Object::Reference(page));
        }
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids,
                "Count" => count as i64,
                "Resources" => resources,
                "MediaBox" => vec![0.into(), 0.into(), PAGE_WIDTH.into(), PAGE_HEIGHT.into()],
            }),
        );
        let catalog = doc.try_add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
        })?;
        let info = doc.try_add_object(dictionary! {
            "Title" => Object::string_literal(
                Document::encode_text(&Encoding::SimpleEncoding(b"WinAnsiEncoding"), title),
            ),
            "Producer" => Object::string_literal("Faktura"),
        })?;
        doc.trailer.set("Root", catalog);
        doc.trailer.set("Info", info);
        doc.compress();
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes)?;
        Ok(bytes)
    }
}

/// Everything the invoice PDF shows, already in the reader's language.
pub struct InvoiceDocument<'a> {
    pub tr: &'a Tr,
    pub seller: &'a str,
    pub customer: &'a str,
    pub bill_to: &'a Address,
    pub profile_name: &'a str,
    pub invoice: &'a Invoice,
    /// The purchase order number the invoice was issued with, if any.
    pub purchase_order_number: Option<&'a str>,
    pub wire: &'a faktura_app::WireDetails,
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

pub fn invoice_pdf(doc: &InvoiceDocument<'_>) -> Result<Vec<u8>, lopdf::Error> {
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
    let seller = [doc.seller.to_owned()];
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

    // Lines.
    let qty_right = MARGIN + 330.0;
    let unit_right = MARGIN + 410.0;
    pdf.text(MARGIN, 9.0, true, &tr.t("col-service"));
    pdf.text(MARGIN + 110.0, 9.0, true, &tr.t("col-description"));
    pdf.text_right(qty_right, 9.0, true, &tr.t("col-quantity"));
    pdf.text_right(unit_right, 9.0, true, &tr.t("col-unit-price"));
    pdf.text_right(right, 9.0, true, &tr.t("col-amount"));
    pdf.down(6.0);
    pdf.rule();
    pdf.down(12.0);
    for line in &invoice.lines {
        let description = wrap(&line.description, 9.0, 170.0);
        pdf.text(MARGIN, 9.0, false, &fit(&line.service, 9.0, 105.0));
        pdf.text_right(
            qty_right,
            9.0,
            false,
            &quantity_text(tr, line.quantity_milli),
        );
        pdf.text_right(unit_right, 9.0, false, &tr.money(line.unit_price));
        pdf.text_right(right, 9.0, false, &tr.money(line.amount));
        for (index, part) in description.iter().enumerate() {
            if index > 0 {
                pdf.down(11.0);
            }
            pdf.text(MARGIN + 110.0, 9.0, false, part);
        }
        pdf.down(14.0);
    }
    pdf.rule();
    pdf.down(14.0);
    let amount_due = invoice.amount_due().unwrap_or(invoice.total);
    let totals = [
        (tr.t("invoice-subtotal"), tr.money(invoice.subtotal), false),
        (tr.t("invoice-tax"), tr.money(invoice.tax), false),
        (tr.t("col-total"), tr.money(invoice.total), true),
        (tr.t("invoice-credits"), tr.money(invoice.credits), false),
        (tr.t("invoice-paid"), tr.money(invoice.amount_paid), false),
        (tr.t("col-amount-due"), tr.money(amount_due), true),
    ];
    for (label, value, bold) in &totals {
        pdf.text_right(unit_right, 10.0, *bold, label);
        pdf.text_right(right, 10.0, *bold, value);
        pdf.down(14.0);
    }
    pdf.down(16.0);

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

pub struct ReceiptDocument<'a> {
    pub tr: &'a Tr,
    pub seller: &'a str,
    pub customer: &'a str,
    pub invoice: &'a Invoice,
    pub payment: &'a Payment,
    pub method: Option<String>,
}

pub fn receipt_pdf(doc: &ReceiptDocument<'_>) -> Result<Vec<u8>, lopdf::Error> {
    let tr = doc.tr;
    let mut pdf = PdfWriter::new();
    pdf.text(MARGIN, 20.0, true, &tr.t("pdf-receipt-title"));
    pdf.down(28.0);
    pdf.text(
        MARGIN,
        10.0,
        false,
        &tr.t1("pdf-receipt-intro", "seller", doc.seller),
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
    pub seller: &'a str,
    pub customer: &'a str,
    pub credit_note: &'a CreditNote,
    pub invoice: &'a Invoice,
    pub reason: Option<&'a str>,
}

pub fn credit_note_pdf(doc: &CreditNotePdf<'_>) -> Result<Vec<u8>, lopdf::Error> {
    let tr = doc.tr;
    let note = doc.credit_note;
    let mut pdf = PdfWriter::new();
    pdf.text(MARGIN, 20.0, true, &tr.t("pdf-credit-note-title"));
    pdf.down(28.0);
    let intro = tr.tn(
        "pdf-credit-note-intro",
        &[
            ("seller", doc.seller.to_owned()),
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

    #[test]
    fn wrapping_keeps_every_word() {
        let text = "Reserved VM instances, D16s v5, 3 years, upfront";
        let lines = wrap(text, 9.0, 120.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, 9.0, false) <= 120.0));
        assert_eq!(lines.join(" "), text);
        assert_eq!(wrap("", 9.0, 100.0), vec![String::new()]);
        let long = wrap(&"x".repeat(200), 9.0, 50.0);
        assert!(long[0].ends_with('…'));
    }

    #[test]
    fn an_empty_writer_still_makes_a_pdf() {
        let bytes = PdfWriter::new().finish("t").unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
    }
}
