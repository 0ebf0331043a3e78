//! `faktura invoices import FILE.csv`: one invoice per row, each row all-or-nothing.
//!
//! Columns (header row required): billing_account_id, billing_profile_id, number, invoice_date,
//! period_start, period_end, due_date, service, description, quantity, unit_price, tax, credits.
//! Amounts are decimal text in the profile's currency. Importing the same file again creates
//! nothing new: a row whose invoice number already exists with the same content is reported as
//! already imported; with other content it is rejected.

use chrono::{NaiveDate, Utc};
use faktura_domain::*;
use faktura_store::{Store, StoreError};
use serde::Deserialize;
use std::io::Read;

#[derive(Debug, Deserialize)]
struct Row {
    billing_account_id: String,
    billing_profile_id: String,
    number: String,
    invoice_date: String,
    period_start: String,
    period_end: String,
    due_date: String,
    service: String,
    description: String,
    quantity: String,
    unit_price: String,
    #[serde(default)]
    tax: String,
    #[serde(default)]
    credits: String,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    pub already_imported: usize,
    /// (line number in the file, reason)
    pub rejected: Vec<(u64, String)>,
}

fn date(text: &str, column: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{column}: {text:?} is not a date (YYYY-MM-DD)"))
}

fn amount(text: &str, currency: Currency, column: &str) -> Result<i64, String> {
    if text.trim().is_empty() {
        return Ok(0);
    }
    Money::parse_decimal(text, currency)
        .map(|m| m.minor())
        .map_err(|e| format!("{column}: {e}"))
}

/// Same invoice as one already stored: header, amounts and lines.
fn same_content(a: &Invoice, b: &Invoice) -> bool {
    let lines = |i: &Invoice| {
        i.lines
            .iter()
            .map(|l| {
                (
                    l.service.clone(),
                    l.description.clone(),
                    l.quantity_milli,
                    l.unit_price,
                    l.amount,
                )
            })
            .collect::<Vec<_>>()
    };
    a.billing_profile_id == b.billing_profile_id
        && a.invoice_date == b.invoice_date
        && a.period_start == b.period_start
        && a.period_end == b.period_end
        && a.due_date == b.due_date
        && a.total == b.total
        && a.tax == b.tax
        && a.credits == b.credits
        && lines(a) == lines(b)
}

enum RowOutcome {
    Imported,
    AlreadyImported,
}

async fn import_row(store: &Store, row: Row) -> Result<RowOutcome, String> {
    let account = BillingAccountId::parse(row.billing_account_id.trim())
        .map_err(|e| format!("billing_account_id: {e}"))?;
    let profile_id = BillingProfileId::parse(row.billing_profile_id.trim())
        .map_err(|e| format!("billing_profile_id: {e}"))?;
    let profile = store
        .profile(&account, &profile_id)
        .await
        .map_err(|e| format!("database: {e}"))?
        .ok_or("billing_profile_id: no such billing profile on that account")?;
    let currency = profile.currency;
    let draft = InvoiceDraft {
        billing_account_id: account.clone(),
        billing_profile_id: profile.id.clone(),
        currency,
        number: row.number.trim().to_owned(),
        invoice_date: date(&row.invoice_date, "invoice_date")?,
        period_start: date(&row.period_start, "period_start")?,
        period_end: date(&row.period_end, "period_end")?,
        due_date: date(&row.due_date, "due_date")?,
        lines: vec![LineDraft {
            service: row.service.trim().to_owned(),
            description: row.description.trim().to_owned(),
            quantity_milli: parse_quantity_milli(&row.quantity)
                .ok_or_else(|| format!("quantity: {:?} is not a positive decimal", row.quantity))?,
            unit_price_minor: amount(&row.unit_price, currency, "unit_price")?,
            amount_minor: None,
        }],
        tax_minor: amount(&row.tax, currency, "tax")?,
        credits_minor: amount(&row.credits, currency, "credits")?,
    };
    if draft.lines[0].service.is_empty() {
        return Err("service: empty".into());
    }
    let invoice = draft.issue(Utc::now()).map_err(|e| e.to_string())?;
    match store.insert_invoice(&invoice).await {
        Ok(()) => Ok(RowOutcome::Imported),
        Err(StoreError::Conflict(_)) => {
            let existing = store
                .invoice_by_number(&account, &invoice.number)
                .await
                .map_err(|e| format!("database: {e}"))?;
            match existing {
                Some(existing) if same_content(&existing, &invoice) => {
                    Ok(RowOutcome::AlreadyImported)
                }
                _ => Err(format!(
                    "number: invoice {} exists with other content",
                    invoice.number
                )),
            }
        }
        Err(error) => Err(format!("database: {error}")),
    }
}

/// Imports every row; `progress` is told after each one.
pub async fn import_invoices<R: Read>(
    store: &Store,
    input: R,
    mut progress: impl FnMut(u64),
) -> Result<ImportReport, csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(input);
    let headers = reader.headers()?.clone();
    let mut report = ImportReport::default();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                match record.deserialize::<Row>(Some(&headers)) {
                    Err(error) => report
                        .rejected
                        .push((line, format!("unreadable row: {error}"))),
                    Ok(row) => match import_row(store, row).await {
                        Ok(RowOutcome::Imported) => report.imported += 1,
                        Ok(RowOutcome::AlreadyImported) => report.already_imported += 1,
                        Err(reason) => report.rejected.push((line, reason)),
                    },
                }
            }
            Err(error) if error.is_io_error() => return Err(error),
            Err(error) => {
                let line = error.position().map(|p| p.line()).unwrap_or(0);
                report
                    .rejected
                    .push((line, format!("unreadable row: {error}")));
            }
        }
        progress(reader.position().byte());
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use faktura_store::demo::{DemoInput, NORDLYS_ADMIN};

    async fn demo_store() -> (Store, BillingAccountId, BillingProfileId) {
        let store = faktura_store::test_support::sqlite().await;
        store
            .load_demo(&DemoInput {
                password_hash: "x".into(),
                saved_card_token: "tok_sbx_ok_x".into(),
                today: Utc::now().date_naive(),
            })
            .await
            .unwrap();
        let admin = store.user_by_email(NORDLYS_ADMIN).await.unwrap().unwrap();
        let account = store.accounts_for_user(&admin.id).await.unwrap()[0]
            .id
            .clone();
        let profile = store.profiles(&account).await.unwrap()[0].id.clone();
        (store, account, profile)
    }

    #[tokio::test]
    async fn good_rows_import_bad_rows_are_reported_and_a_second_import_adds_nothing() {
        let (store, account, profile) = demo_store().await;
        let header = "billing_account_id,billing_profile_id,number,invoice_date,period_start,period_end,due_date,service,description,quantity,unit_price,tax,credits";
        let file = format!(
            "{header}\n\
             {account},{profile},IMP-1,2026-10-05,2026-09-01,2026-09-30,2026-11-04,Support,Standard plan,1,699.00,174.75,\n\
             {account},{profile},IMP-2,2026-10-05,2026-09-01,2026-09-30,2026-09-04,Support,Due before issue,1,10.00,,\n\
             {account},{profile},IMP-3,2026-10-05,2026-09-01,2026-09-30,2026-11-04,Storage,GB-month,1.5,1.234,,\n\
             {account},bp_nothere,IMP-4,2026-10-05,2026-09-01,2026-09-30,2026-11-04,Storage,x,1,1.00,,\n\
             {account},{profile},IMP-5,2026-10-05,2026-09-01,2026-09-30,2026-11-04,Compute,D4s hours,730,1.48,270.10,\n"
        );
        let report = import_invoices(&store, file.as_bytes(), |_| {})
            .await
            .unwrap();
        assert_eq!(report.imported, 2);
        assert_eq!(report.already_imported, 0);
        let lines: Vec<u64> = report.rejected.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![3, 4, 5], "{:?}", report.rejected);
        assert!(report.rejected[0]
            .1
            .contains("due date before invoice date"));
        assert!(report.rejected[1].1.contains("decimal places"));
        assert!(report.rejected[2].1.contains("billing_profile_id"));
        let imported = store
            .invoice_by_number(&account, "IMP-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(imported.total.minor(), 69_900 + 17_475);

        let again = import_invoices(&store, file.as_bytes(), |_| {})
            .await
            .unwrap();
        assert_eq!(
            (again.imported, again.already_imported, again.rejected.len()),
            (0, 2, 3)
        );

        let changed = file.replace(
            "IMP-1,2026-10-05,2026-09-01,2026-09-30,2026-11-04,Support,Standard plan,1,699.00",
            "IMP-1,2026-10-05,2026-09-01,2026-09-30,2026-11-04,Support,Standard plan,1,799.00",
        );
        let conflict = import_invoices(&store, changed.as_bytes(), |_| {})
            .await
            .unwrap();
        assert!(conflict
            .rejected
            .iter()
            .any(|(line, reason)| *line == 2 && reason.contains("other content")));
    }

    #[tokio::test]
    async fn a_broken_row_does_not_stop_the_file() {
        let (store, account, profile) = demo_store().await;
        let file = format!(
            "billing_account_id,billing_profile_id,number,invoice_date,period_start,period_end,due_date,service,description,quantity,unit_price,tax,credits\n\
             only,three,columns\n\
             {account},{profile},IMP-9,2026-10-05,2026-09-01,2026-09-30,2026-11-04,Support,x,1,1.00,0,0\n"
        );
        let report = import_invoices(&store, file.as_bytes(), |_| {})
            .await
            .unwrap();
        assert_eq!(report.imported, 1);
        assert_eq!(report.rejected.len(), 1);
        assert_eq!(report.rejected[0].0, 2);
    }
}
