//! Invoice rules: issuing, what is payable, when an invoice is past due, and paying it.

use crate::ids::{BillingAccountId, BillingProfileId, InvoiceId};
use crate::model::{Invoice, InvoiceStatus, LineItem};
use crate::money::{Currency, Money, MoneyError};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error("an invoice needs at least one line")]
    NoLines,
    #[error("line {line}: amount does not equal quantity × unit price")]
    LineAmountMismatch { line: usize },
    #[error("line {line}: quantity must be positive")]
    NonPositiveQuantity { line: usize },
    #[error("line {line}: currency differs from the billing profile's {expected}")]
    LineCurrency { line: usize, expected: Currency },
    #[error("dates out of order: {0}")]
    DatesOutOfOrder(&'static str),
    #[error("tax must not be negative")]
    NegativeTax,
    #[error("the total must not be negative (discount lines may not exceed the charges)")]
    NegativeTotal,
    #[error("credits must be between zero and the total")]
    CreditsOutOfRange,
    #[error("invoice number must be 1–32 letters, digits or dashes")]
    BadNumber,
    #[error("the invoice is not payable (status {0})")]
    NotPayable(InvoiceStatus),
    #[error("payment must be positive and at most the amount due")]
    PaymentOutOfRange,
}

/// A line as an operator or importer supplies it, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDraft {
    pub service: String,
    pub description: String,
    pub quantity_milli: i64,
    pub unit_price_minor: i64,
    /// If given, must equal quantity × unit price (rounded to the minor unit).
    pub amount_minor: Option<i64>,
}

/// Everything needed to issue an invoice; [`InvoiceDraft::issue`] checks that it adds up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDraft {
    pub billing_account_id: BillingAccountId,
    pub billing_profile_id: BillingProfileId,
    pub currency: Currency,
    pub number: String,
    pub invoice_date: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub due_date: NaiveDate,
    pub lines: Vec<LineDraft>,
    pub tax_minor: i64,
    pub credits_minor: i64,
}

/// A quantity as decimal text ("730", "1.5", "0.125") in thousandths; at most three decimals.
pub fn parse_quantity_milli(text: &str) -> Option<i64> {
    let trimmed = text.trim();
    let (whole, fraction) = trimmed.split_once('.').unwrap_or((trimmed, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || fraction.len() > 3 || !digits(fraction) {
        return None;
    }
    let padded = format!("{fraction:0<3}");
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(1000)?
        .checked_add(padded.parse::<i64>().ok()?)
}

pub fn valid_invoice_number(number: &str) -> bool {
    (1..=32).contains(&number.len())
        && number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Tax at a whole-percent rate, rounded half away from zero; used by demo data and imports.
pub fn tax_at_percent(subtotal: Money, percent: i64) -> Result<Money, MoneyError> {
    subtotal.mul_ratio(percent, 100)
}

/// The VAT rate an invoice was taxed at, in basis points (2500 = 25 %), derived from its
/// subtotal and tax: invoice lines carry no rate of their own, and every invoice is taxed at one
/// rate (demo data, imports and the operator form all apply one percentage to the subtotal).
/// A whole percent whose tax rounds to exactly the invoice's tax is preferred, so 25 % of
/// 3,33 kr. (tax 0,83 kr., alone 24,92 %) still reads 25 %; otherwise the nearest basis point. `None` when the
/// subtotal is not positive (nothing to take a rate of) or the tax is negative.
pub fn tax_rate_basis_points(subtotal: Money, tax: Money) -> Option<i64> {
    if !subtotal.is_positive() || tax.minor() < 0 || subtotal.currency() != tax.currency() {
        return None;
    }
    let ratio = |scale: i64| tax.mul_ratio(scale, subtotal.minor());
    let percent = ratio(100).ok()?.minor();
    if tax_at_percent(subtotal, percent).ok()? == tax {
        return percent.checked_mul(100);
    }
    ratio(10_000).ok().map(Money::minor)
}

impl InvoiceDraft {
    pub fn issue(self, now: DateTime<Utc>) -> Result<Invoice, InvoiceError> {
        if !valid_invoice_number(&self.number) {
            return Err(InvoiceError::BadNumber);
        }
        if self.period_start > self.period_end {
            return Err(InvoiceError::DatesOutOfOrder(
                "period start after period end",
            ));
        }
        if self.invoice_date < self.period_start {
            return Err(InvoiceError::DatesOutOfOrder(
                "invoice date before the period starts",
            ));
        }
        if self.due_date < self.invoice_date {
            return Err(InvoiceError::DatesOutOfOrder(
                "due date before invoice date",
            ));
        }
        if self.lines.is_empty() {
            return Err(InvoiceError::NoLines);
        }
        let currency = self.currency;
        let mut lines = Vec::with_capacity(self.lines.len());
        for (index, draft) in self.lines.into_iter().enumerate() {
            let line = index + 1;
            if draft.quantity_milli <= 0 {
                return Err(InvoiceError::NonPositiveQuantity { line });
            }
            let unit_price = Money::from_minor(draft.unit_price_minor, currency);
            let amount = unit_price.mul_ratio(draft.quantity_milli, 1000)?;
            if draft
                .amount_minor
                .is_some_and(|given| given != amount.minor())
            {
                return Err(InvoiceError::LineAmountMismatch { line });
            }
            lines.push(LineItem {
                service: draft.service,
                description: draft.description,
                quantity_milli: draft.quantity_milli,
                unit_price,
                amount,
            });
        }
        let subtotal = Money::sum(currency, lines.iter().map(|l| l.amount))?;
        if self.tax_minor < 0 {
            return Err(InvoiceError::NegativeTax);
        }
        let tax = Money::from_minor(self.tax_minor, currency);
        let total = subtotal.checked_add(tax)?;
        if total.is_negative() {
            return Err(InvoiceError::NegativeTotal);
        }
        let credits = Money::from_minor(self.credits_minor, currency);
        if credits.is_negative() || credits.minor() > total.minor().max(0) {
            return Err(InvoiceError::CreditsOutOfRange);
        }
        let status = if total.checked_sub(credits)?.is_positive() {
            InvoiceStatus::Due
        } else {
            InvoiceStatus::Paid
        };
        Ok(Invoice {
            id: InvoiceId::generate(),
            billing_account_id: self.billing_account_id,
            billing_profile_id: self.billing_profile_id,
            number: self.number,
            invoice_date: self.invoice_date,
            period_start: self.period_start,
            period_end: self.period_end,
            due_date: self.due_date,
            subtotal,
            tax,
            total,
            credits,
            amount_paid: Money::zero(currency),
            status,
            lines,
            purchase_order_number: None,
            created_at: now,
        })
    }
}

impl Invoice {
    pub fn currency(&self) -> Currency {
        self.total.currency()
    }

    /// What is still owed: total − credits − paid. Always `amount_paid + amount_due = total − credits`.
    pub fn amount_due(&self) -> Result<Money, MoneyError> {
        self.total
            .checked_sub(self.credits)?
            .checked_sub(self.amount_paid)
    }

    /// The status to show on `today`: a Due invoice whose due date has passed is OverDue.
    pub fn status_on(&self, today: NaiveDate) -> InvoiceStatus {
        effective_status(self.status, self.due_date, today)
    }

    /// Due or past due with something still owed.
    pub fn is_payable_on(&self, today: NaiveDate) -> bool {
        matches!(
            self.status_on(today),
            InvoiceStatus::Due | InvoiceStatus::OverDue
        ) && self.amount_due().is_ok_and(|due| due.is_positive())
    }

    /// Applies a succeeded payment; the invoice turns Paid when nothing is owed any more.
    pub fn apply_payment(&mut self, amount: Money, today: NaiveDate) -> Result<(), InvoiceError> {
        if !self.is_payable_on(today) {
            return Err(InvoiceError::NotPayable(self.status_on(today)));
        }
        let due = self.amount_due()?;
        if !amount.is_positive() || amount.checked_sub(due)?.is_positive() {
            return Err(InvoiceError::PaymentOutOfRange);
        }
        self.amount_paid = self.amount_paid.checked_add(amount)?;
        if self.amount_due()?.is_zero() {
            self.status = InvoiceStatus::Paid;
        }
        Ok(())
    }
}

/// The shown status from the stored one: Due turns OverDue the day after its due date.
pub fn effective_status(
    stored: InvoiceStatus,
    due_date: NaiveDate,
    today: NaiveDate,
) -> InvoiceStatus {
    match stored {
        InvoiceStatus::Due if due_date < today => InvoiceStatus::OverDue,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tax_rate_comes_from_subtotal_and_tax() {
        let dkk = |minor| Money::from_minor(minor, Currency::DKK);
        assert_eq!(tax_rate_basis_points(dkk(100_000), dkk(25_000)), Some(2500));
        // 25 % of 3,33 kr. rounds to 0,83 kr. (24,92 %): still 25 %.
        assert_eq!(tax_rate_basis_points(dkk(333), dkk(83)), Some(2500));
        // Not a whole percent: the nearest basis point.
        assert_eq!(tax_rate_basis_points(dkk(10_000), dkk(1_234)), Some(1234));
        assert_eq!(tax_rate_basis_points(dkk(100_000), dkk(0)), Some(0));
        assert_eq!(tax_rate_basis_points(dkk(100_000), dkk(12_500)), Some(1250));
        assert_eq!(tax_rate_basis_points(dkk(0), dkk(0)), None);
        assert_eq!(tax_rate_basis_points(dkk(100), dkk(-1)), None);
        assert_eq!(
            tax_rate_basis_points(dkk(100), Money::from_minor(25, Currency::EUR)),
            None
        );
    }

    proptest! {
        #[test]
        fn whole_percent_rates_read_back(subtotal in 1i64..10_000_000_000, percent in 0i64..40) {
            let subtotal = Money::from_minor(subtotal, Currency::EUR);
            let tax = tax_at_percent(subtotal, percent).unwrap();
            let bp = tax_rate_basis_points(subtotal, tax).unwrap();
            // The rate read back taxes the subtotal to the same amount.
            prop_assert_eq!(subtotal.mul_ratio(bp, 10_000).unwrap(), tax);
            if subtotal.minor() >= 10_000 {
                prop_assert_eq!(bp, percent * 100);
            }
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn draft(lines: Vec<LineDraft>, tax: i64, credits: i64) -> InvoiceDraft {
        InvoiceDraft {
            billing_account_id: BillingAccountId::generate(),
            billing_profile_id: BillingProfileId::generate(),
            currency: Currency::DKK,
            number: "G000123456".into(),
            invoice_date: date(2026, 3, 5),
            period_start: date(2026, 2, 1),
            period_end: date(2026, 2, 28),
            due_date: date(2026, 4, 4),
            lines,
            tax_minor: tax,
            credits_minor: credits,
        }
    }

    fn line(quantity_milli: i64, unit_price_minor: i64) -> LineDraft {
        LineDraft {
            service: "Compute".into(),
            description: "D4s v5".into(),
            quantity_milli,
            unit_price_minor,
            amount_minor: None,
        }
    }

    #[test]
    fn quantities_in_thousandths() {
        assert_eq!(parse_quantity_milli("730"), Some(730_000));
        assert_eq!(parse_quantity_milli("1.5"), Some(1_500));
        assert_eq!(parse_quantity_milli("0.125"), Some(125));
        for bad in [
            "",
            "-1",
            "1.2345",
            "1,5",
            "abc",
            "1e3",
            ".5",
            "99999999999999999999",
        ] {
            assert_eq!(parse_quantity_milli(bad), None, "{bad}");
        }
    }

    #[test]
    fn issue_adds_up_lines_tax_and_total() {
        let invoice = draft(vec![line(730_000, 150), line(1_500, 10_000)], 30_125, 0)
            .issue(Utc::now())
            .unwrap();
        assert_eq!(invoice.subtotal.minor(), 109_500 + 15_000);
        assert_eq!(invoice.total.minor(), 124_500 + 30_125);
        assert_eq!(invoice.amount_due().unwrap(), invoice.total);
        assert_eq!(invoice.status, InvoiceStatus::Due);
    }

    #[test]
    fn issue_rejects_what_does_not_add_up() {
        let mut bad_line = line(1_000, 100);
        bad_line.amount_minor = Some(101);
        assert_eq!(
            draft(vec![bad_line], 0, 0).issue(Utc::now()),
            Err(InvoiceError::LineAmountMismatch { line: 1 })
        );
        assert_eq!(
            draft(vec![], 0, 0).issue(Utc::now()),
            Err(InvoiceError::NoLines)
        );
        assert_eq!(
            draft(vec![line(1_000, 100)], 0, 101).issue(Utc::now()),
            Err(InvoiceError::CreditsOutOfRange)
        );
        assert_eq!(
            draft(vec![line(0, 100)], 0, 0).issue(Utc::now()),
            Err(InvoiceError::NonPositiveQuantity { line: 1 })
        );
        // A discount line larger than the charges: the database's CHECK used to be the refusal.
        assert_eq!(
            draft(vec![line(1_000, 100), line(1_000, -500)], 0, 0).issue(Utc::now()),
            Err(InvoiceError::NegativeTotal)
        );
        let mut late = draft(vec![line(1_000, 100)], 0, 0);
        late.due_date = date(2026, 1, 1);
        assert!(matches!(
            late.issue(Utc::now()),
            Err(InvoiceError::DatesOutOfOrder(_))
        ));
        let mut bad_number = draft(vec![line(1_000, 100)], 0, 0);
        bad_number.number = "G 1".into();
        assert_eq!(bad_number.issue(Utc::now()), Err(InvoiceError::BadNumber));
    }

    #[test]
    fn due_invoice_turns_past_due_after_its_due_date() {
        let invoice = draft(vec![line(1_000, 100)], 25, 0)
            .issue(Utc::now())
            .unwrap();
        assert_eq!(invoice.status_on(date(2026, 4, 4)), InvoiceStatus::Due);
        assert_eq!(invoice.status_on(date(2026, 4, 5)), InvoiceStatus::OverDue);
        assert!(invoice.is_payable_on(date(2026, 4, 5)));
    }

    #[test]
    fn paid_and_void_invoices_are_not_payable() {
        let mut invoice = draft(vec![line(1_000, 100)], 25, 0)
            .issue(Utc::now())
            .unwrap();
        let today = date(2026, 3, 10);
        invoice
            .apply_payment(invoice.amount_due().unwrap(), today)
            .unwrap();
        assert_eq!(invoice.status, InvoiceStatus::Paid);
        assert!(!invoice.is_payable_on(today));
        assert_eq!(
            invoice.apply_payment(Money::from_minor(1, Currency::DKK), today),
            Err(InvoiceError::NotPayable(InvoiceStatus::Paid))
        );
        invoice.status = InvoiceStatus::Void;
        assert!(!invoice.is_payable_on(today));
    }

    #[test]
    fn overpayment_and_wrong_currency_are_refused() {
        let mut invoice = draft(vec![line(1_000, 100)], 25, 0)
            .issue(Utc::now())
            .unwrap();
        let today = date(2026, 3, 10);
        assert_eq!(
            invoice.apply_payment(Money::from_minor(126, Currency::DKK), today),
            Err(InvoiceError::PaymentOutOfRange)
        );
        assert!(invoice
            .apply_payment(Money::from_minor(125, Currency::EUR), today)
            .is_err());
        assert_eq!(invoice.amount_paid.minor(), 0);
    }

    proptest! {
        /// amount paid + amount due = total − credits, through any sequence of payments.
        #[test]
        fn paid_plus_due_is_total_minus_credits(
            unit in 1i64..1_000_000,
            quantity in 1i64..10_000_000,
            tax_percent in 0i64..30,
            credit_share in 0i64..100,
            payments in proptest::collection::vec(1i64..2_000_000, 0..12),
        ) {
            let unit_price = Money::from_minor(unit, Currency::DKK);
            let subtotal = unit_price.mul_ratio(quantity, 1000).unwrap();
            let tax = tax_at_percent(subtotal, tax_percent).unwrap();
            let total = subtotal.checked_add(tax).unwrap();
            let credits = total.mul_ratio(credit_share, 100).unwrap();
            let mut invoice = draft(vec![line(quantity, unit)], tax.minor(), credits.minor())
                .issue(Utc::now()).unwrap();
            let today = date(2026, 3, 10);
            let check = |inv: &Invoice| {
                inv.amount_paid.checked_add(inv.amount_due().unwrap()).unwrap()
                    == inv.total.checked_sub(inv.credits).unwrap()
            };
            prop_assert!(check(&invoice));
            for p in payments {
                let before = invoice.clone();
                let result = invoice.apply_payment(Money::from_minor(p, Currency::DKK), today);
                if result.is_err() { prop_assert_eq!(&invoice, &before); }
                prop_assert!(check(&invoice));
                prop_assert!(!invoice.amount_due().unwrap().is_negative());
                prop_assert_eq!(invoice.status == InvoiceStatus::Paid, invoice.amount_due().unwrap().is_zero());
            }
        }
    }
}
