//! Importing invoices from a file, one all-or-nothing invoice per row, through the same
//! [`issue_invoice`](crate::operator::issue_invoice) the operator API uses. Importing a file
//! twice creates nothing new: an invoice whose number exists with the same content counts as
//! already imported; with other content the row is refused.

use crate::operator::{issue_invoice, InvoiceRequest, IssueError};
use crate::Services;
use faktura_domain::Invoice;

/// What became of a row that was not refused.
#[derive(Debug, Clone)]
pub enum Imported {
    New(Box<Invoice>),
    /// The same invoice was imported before.
    Already,
}

/// Issues the row's invoice on the account, unless it was imported before.
pub async fn import_invoice(
    app: &Services,
    raw_account: &str,
    request: &InvoiceRequest,
) -> Result<Imported, IssueError> {
    match issue_invoice(app, raw_account, request).await {
        Ok((invoice, _)) => Ok(Imported::New(Box::new(invoice))),
        Err(IssueError::NumberExists { identical: true }) => Ok(Imported::Already),
        Err(error) => Err(error),
    }
}

/// How a file went.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    pub already_imported: usize,
    /// (line number in the file, reason)
    pub rejected: Vec<(u64, String)>,
}

impl ImportReport {
    /// Counts one row's outcome.
    pub fn record(&mut self, line: u64, outcome: Result<Imported, String>) {
        match outcome {
            Ok(Imported::New(_)) => self.imported += 1,
            Ok(Imported::Already) => self.already_imported += 1,
            Err(reason) => self.rejected.push((line, reason)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::LineRequest;
    use crate::Config;
    use chrono::NaiveDate;
    use faktura_domain::*;
    use faktura_store::demo::{DemoInput, NORDLYS_ADMIN};
    use std::sync::Arc;

    async fn demo() -> (Services, BillingAccountId, BillingProfileId) {
        let store = faktura_store::test_support::sqlite().await;
        store
            .load_demo(&DemoInput {
                password_hash: "x".into(),
                saved_card_token: "tok_sbx_ok_x".into(),
                today: chrono::Utc::now().date_naive(),
            })
            .await
            .unwrap();
        let admin = store.user_by_email(NORDLYS_ADMIN).await.unwrap().unwrap();
        let account = store.accounts_for_user(&admin.id).await.unwrap()[0]
            .id
            .clone();
        let profile = store.profiles(&account).await.unwrap()[0].id.clone();
        let gateway = Arc::new(faktura_gateway::SandboxGateway::new());
        (
            Services::new(store, gateway, Config::default()),
            account,
            profile,
        )
    }

    fn request(profile: &BillingProfileId, unit_price: &str) -> InvoiceRequest {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        InvoiceRequest {
            billing_profile_id: profile.to_string(),
            number: " IMP-77 ".into(),
            invoice_date: day(10, 5),
            period_start: day(9, 1),
            period_end: day(9, 30),
            due_date: day(11, 4),
            lines: vec![LineRequest {
                service: "Support".into(),
                description: "Standard plan".into(),
                quantity: "1".into(),
                unit_price: unit_price.into(),
                amount: None,
            }],
            tax: Some("174.75".into()),
            credits: None,
        }
    }

    #[tokio::test]
    async fn a_second_import_is_already_imported_and_other_content_is_refused() {
        let (app, account, profile) = demo().await;
        let first = import_invoice(&app, account.as_str(), &request(&profile, "699.00"))
            .await
            .unwrap();
        let Imported::New(invoice) = first else {
            panic!("the first import issues the invoice");
        };
        assert_eq!(invoice.number, "IMP-77");
        assert_eq!(invoice.total.minor(), 69_900 + 17_475);
        let again = import_invoice(&app, account.as_str(), &request(&profile, "699.00")).await;
        assert!(matches!(again, Ok(Imported::Already)));
        let changed = import_invoice(&app, account.as_str(), &request(&profile, "799.00")).await;
        assert!(matches!(
            changed,
            Err(IssueError::NumberExists { identical: false })
        ));
    }

    #[tokio::test]
    async fn lines_are_checked_before_anything_is_stored() {
        use crate::operator::{FieldProblem, InvoiceField};
        let (app, account, profile) = demo().await;
        let mut blank = request(&profile, "1.00");
        blank.lines[0].service = "  ".into();
        assert!(matches!(
            import_invoice(&app, account.as_str(), &blank).await,
            Err(IssueError::Field {
                field: InvoiceField::Service(0),
                problem: FieldProblem::Length { max: 200 }
            })
        ));
        let mut none = request(&profile, "1.00");
        none.lines.clear();
        assert!(matches!(
            import_invoice(&app, account.as_str(), &none).await,
            Err(IssueError::Field {
                field: InvoiceField::Lines,
                ..
            })
        ));
        assert!(matches!(
            import_invoice(&app, "ba_unknown", &request(&profile, "1.00")).await,
            Err(IssueError::App(crate::AppError::NotFound(
                crate::Resource::BillingAccount
            )))
        ));
        let mut wrong_amount = request(&profile, "1.00");
        wrong_amount.lines[0].amount = Some("2.00".into());
        assert!(matches!(
            import_invoice(&app, account.as_str(), &wrong_amount).await,
            Err(IssueError::Invalid(InvoiceError::LineAmountMismatch {
                line: 1
            }))
        ));
    }
}
