//! Refunds of succeeded payments and the credit notes they issue: the cap, and the credit
//! note's number.

use crate::ids::{BillingAccountId, CreditNoteId, InvoiceId, PaymentId, RefundId, UserId};
use crate::money::{Money, MoneyError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Where a refund stands. `Pending` covers "asked, no definite answer yet": it counts against
/// the cap until it is known to have failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefundState {
    Pending,
    Succeeded,
    Failed,
}

impl RefundState {
    pub const ALL: &'static [RefundState] = &[
        RefundState::Pending,
        RefundState::Succeeded,
        RefundState::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RefundState::Pending => "pending",
            RefundState::Succeeded => "succeeded",
            RefundState::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<RefundState> {
        RefundState::ALL.iter().copied().find(|s| s.code() == code)
    }

    pub fn is_final(self) -> bool {
        self != RefundState::Pending
    }
}

/// Money given back from one succeeded payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub id: RefundId,
    pub billing_account_id: BillingAccountId,
    pub payment_id: PaymentId,
    pub invoice_id: InvoiceId,
    pub amount: Money,
    pub state: RefundState,
    /// The gateway's id for the refund, once it answered.
    pub gateway_reference: Option<String>,
    /// The gateway's reason code, when it refused.
    pub failure_reason: Option<String>,
    /// Why the operator refunded (free text, shown on the credit note).
    pub reason: String,
    /// Who asked for it (an operator token without a user: `None`).
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The document a succeeded refund issues: it credits its invoice with the refunded amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNote {
    pub id: CreditNoteId,
    pub billing_account_id: BillingAccountId,
    pub billing_profile_id: crate::ids::BillingProfileId,
    /// `CN000000001`: a sequence of its own.
    pub number: String,
    pub invoice_id: InvoiceId,
    /// The credited invoice's number, for documents and lists.
    pub invoice_number: String,
    pub refund_id: RefundId,
    pub amount: Money,
    pub issued_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

/// The credit note number for the `sequence`th credit note: `CN` and nine digits, as invoice
/// numbers are a letter and nine digits (`G000123456`).
pub fn credit_note_number(sequence: i64) -> String {
    format!("CN{sequence:09}")
}

/// Why a refund of `requested` is refused, given what the payment took and what is already
/// refunded or being refunded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapError {
    #[error("a refund must be more than zero")]
    NotPositive,
    #[error("at most {available} can be refunded")]
    Exceeds { available: Money },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// What is left to refund of `paid` after `refunded` (succeeded and pending refunds), never
/// below zero.
pub fn refundable(paid: Money, refunded: Money) -> Result<Money, MoneyError> {
    let left = paid.checked_sub(refunded)?;
    Ok(if left.is_negative() {
        Money::zero(paid.currency())
    } else {
        left
    })
}

/// Checks a refund of `requested` against the cap: `paid − refunded`, all in one currency,
/// with checked arithmetic.
pub fn check_refund(paid: Money, refunded: Money, requested: Money) -> Result<(), CapError> {
    if !requested.is_positive() {
        return Err(CapError::NotPositive);
    }
    let available = refundable(paid, refunded)?;
    requested.checked_sub(available)?;
    if requested.minor() > available.minor() {
        return Err(CapError::Exceeds { available });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn dkk(minor: i64) -> Money {
        Money::from_minor(minor, Currency::DKK)
    }

    #[test]
    fn the_cap_is_paid_minus_refunded() {
        assert_eq!(check_refund(dkk(10_000), dkk(0), dkk(10_000)), Ok(()));
        assert_eq!(check_refund(dkk(10_000), dkk(4_000), dkk(6_000)), Ok(()));
        assert_eq!(
            check_refund(dkk(10_000), dkk(4_000), dkk(6_001)),
            Err(CapError::Exceeds {
                available: dkk(6_000)
            })
        );
        assert_eq!(
            check_refund(dkk(10_000), dkk(10_000), dkk(1)),
            Err(CapError::Exceeds { available: dkk(0) })
        );
        assert_eq!(
            check_refund(dkk(10_000), dkk(0), dkk(0)),
            Err(CapError::NotPositive)
        );
        assert_eq!(
            check_refund(dkk(10_000), dkk(0), dkk(-5)),
            Err(CapError::NotPositive)
        );
    }

    #[test]
    fn the_cap_never_mixes_currencies_or_overflows() {
        let eur = Money::from_minor(100, Currency::EUR);
        assert!(matches!(
            check_refund(dkk(10_000), dkk(0), eur),
            Err(CapError::Money(MoneyError::CurrencyMismatch(..)))
        ));
        assert!(matches!(
            check_refund(dkk(i64::MIN + 1), dkk(i64::MAX), dkk(1)),
            Err(CapError::Money(MoneyError::Overflow))
        ));
        // More refunded than paid (data from before the cap) leaves nothing, not a negative.
        assert_eq!(refundable(dkk(100), dkk(150)), Ok(dkk(0)));
    }

    #[test]
    fn credit_note_numbers_count_up_in_invoice_style() {
        assert_eq!(credit_note_number(1), "CN000000001");
        assert_eq!(credit_note_number(123_456), "CN000123456");
        assert!(crate::invoice::valid_invoice_number(&credit_note_number(
            42
        )));
    }
}
