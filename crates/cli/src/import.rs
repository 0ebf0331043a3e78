//! `faktura invoices import FILE.csv`: one invoice per row, each row all-or-nothing.
//!
//! Columns (header row required): billing_account_id, billing_profile_id, number, invoice_date,
//! period_start, period_end, due_date, service, description, quantity, unit_price, tax, credits.
//! Amounts are decimal text in the profile's currency. Importing the same file again creates
//! nothing new: a row whose invoice number already exists with the same content is reported as
//! already imported; with other content it is rejected. Reading the file is this module's;
//! each row is issued by `faktura_app::import`, as the operator API issues invoices.

use chrono::NaiveDate;
use faktura_app::import::{import_invoice, ImportReport, Imported};
use faktura_app::operator::{FieldProblem, InvoiceField, InvoiceRequest, IssueError, LineRequest};
use faktura_app::{AppError, Resource, Services};
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

fn date(text: &str, column: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{column}: {text:?} is not a date (YYYY-MM-DD)"))
}

/// An empty amount column is zero.
fn amount(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| text.to_owned())
}

/// The row as the invoice to issue (dates are parsed here, amounts in the profile's currency
/// by the application).
fn request(row: &Row) -> Result<InvoiceRequest, String> {
    Ok(InvoiceRequest {
        billing_profile_id: row.billing_profile_id.trim().to_owned(),
        number: row.number.clone(),
        invoice_date: date(&row.invoice_date, "invoice_date")?,
        period_start: date(&row.period_start, "period_start")?,
        period_end: date(&row.period_end, "period_end")?,
        due_date: date(&row.due_date, "due_date")?,
        lines: vec![LineRequest {
            service: row.service.clone(),
            description: row.description.clone(),
            quantity: row.quantity.clone(),
            unit_price: amount(&row.unit_price).unwrap_or_else(|| "0".into()),
            amount: None,
        }],
        tax: amount(&row.tax),
        credits: amount(&row.credits),
    })
}

/// The column a refusal is about.
fn column(field: InvoiceField) -> &'static str {
    match field {
        InvoiceField::BillingProfile => "billing_profile_id",
        InvoiceField::Lines => "service",
        InvoiceField::Service(_) => "service",
        InvoiceField::Description(_) => "description",
        InvoiceField::Quantity(_) => "quantity",
        InvoiceField::UnitPrice(_) | InvoiceField::Amount(_) => "unit_price",
        InvoiceField::Tax => "tax",
        InvoiceField::Credits => "credits",
    }
}

/// Why the row was refused, in the file's words.
fn reason(row: &Row, error: IssueError) -> String {
    match error {
        IssueError::Field { field, problem } => {
            let column = column(field);
            match problem {
                FieldProblem::NotAnId => format!("{column}: not a billing profile id"),
                FieldProblem::Count { .. } => format!("{column}: one invoice line per row"),
                FieldProblem::Length { max } => {
                    let text = match field {
                        InvoiceField::Description(_) => &row.description,
                        _ => &row.service,
                    };
                    if text.trim().is_empty() {
                        format!("{column}: empty")
                    } else {
                        format!("{column}: longer than {max} characters")
                    }
                }
                FieldProblem::Quantity => {
                    format!("quantity: {:?} is not a positive decimal", row.quantity)
                }
                FieldProblem::Amount(e) => format!("{column}: {e}"),
            }
        }
        IssueError::Invalid(e) => e.to_string(),
        IssueError::NumberExists { .. } | IssueError::Conflict(_) => format!(
            "number: invoice {} exists with other content",
            row.number.trim()
        ),
        IssueError::App(AppError::NotFound(Resource::BillingAccount)) => {
            "billing_account_id: no such billing account".into()
        }
        IssueError::App(AppError::NotFound(_)) => {
            "billing_profile_id: no such billing profile on that account".into()
        }
        IssueError::App(error) => format!("database: {error}"),
    }
}

async fn import_row(app: &Services, row: Row) -> Result<Imported, String> {
    let request = request(&row)?;
    import_invoice(app, row.billing_account_id.trim(), &request)
        .await
        .map_err(|error| reason(&row, error))
}

/// Imports every row; `progress` is told after each one.
pub async fn import_invoices<R: Read>(
    app: &Services,
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
                let outcome = match record.deserialize::<Row>(Some(&headers)) {
                    Err(error) => Err(format!("unreadable row: {error}")),
                    Ok(row) => import_row(app, row).await,
                };
                report.record(line, outcome);
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
    if report.imported > 0 {
        // A bulk import can change the tables' sizes by orders of magnitude; plan the server's
        // queries on fresh statistics rather than wait for autovacuum (which may be off).
        if let Err(error) = app.store.analyze().await {
            tracing::warn!(%error, "could not refresh the statistics after the import");
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use faktura_domain::*;
    use faktura_store::demo::{DemoInput, NORDLYS_ADMIN};
    use faktura_store::Store;
    use std::sync::Arc;

    fn services(store: &Store) -> Services {
        let gateway = Arc::new(faktura_gateway::SandboxGateway::new());
        Services::new(store.clone(), gateway, faktura_app::Config::default())
    }

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
        let report = import_invoices(&services(&store), file.as_bytes(), |_| {})
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

        let again = import_invoices(&services(&store), file.as_bytes(), |_| {})
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
        let conflict = import_invoices(&services(&store), changed.as_bytes(), |_| {})
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
        let report = import_invoices(&services(&store), file.as_bytes(), |_| {})
            .await
            .unwrap();
        assert_eq!(report.imported, 1);
        assert_eq!(report.rejected.len(), 1);
        assert_eq!(report.rejected[0].0, 2);
    }
}
