//! Paying part of an invoice: whether the pane offers "Pay another amount", with its minimum,
//! and the operator's per-account setting.
//!
//! The rule is the domain's ([`faktura_domain::partial`]): pay-as-you-go accounts after a failed
//! attempt on the invoice, other card-paying accounts where an operator allowed it. The pay use
//! case ([`crate::paying::pay_invoice`]) asks [`offer`] before it starts a part payment; the
//! store refuses any payment above what is due when it starts and when it lands.

use crate::paying::wire_only;
use crate::{AccountScope, AppResult, Services};
use faktura_domain::partial::{
    check_partial_amount, partial_minimum, partial_payment_allowed, partial_payment_possible,
    PartialAmountError,
};
use faktura_domain::*;

/// What "Pay another amount" may take for one invoice now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialOffer {
    /// What is due now; the most one payment may take.
    pub amount_due: Money,
    /// The least a part payment may take.
    pub minimum: Money,
}

impl PartialOffer {
    pub fn check(&self, amount: Money) -> Result<(), PartialAmountError> {
        check_partial_amount(amount, self.amount_due)
    }
}

/// The part payment the actor may make on the invoice now, if any: the account may pay part,
/// the invoice is payable by card and more than the minimum is due.
pub async fn offer(
    app: &Services,
    scope: &AccountScope,
    invoice: &Invoice,
) -> AppResult<Option<PartialOffer>> {
    scope.check_invoice(invoice)?;
    if !invoice.is_payable_on(app.today()) || wire_only(app, &scope.account, invoice) {
        return Ok(None);
    }
    let Ok(amount_due) = invoice.amount_due() else {
        return Ok(None);
    };
    if !partial_payment_possible(amount_due) {
        return Ok(None);
    }
    let operator_allows = app.store.partial_payments_allowed(scope.id()).await?;
    let failed_attempts = if operator_allows {
        0
    } else {
        app.store
            .payments_for_invoice(scope.id(), &invoice.id)
            .await?
            .iter()
            .filter(|p| p.state == PaymentState::Failed)
            .count()
    };
    if !partial_payment_allowed(
        scope.account.agreement_type,
        operator_allows,
        failed_attempts,
    ) {
        return Ok(None);
    }
    Ok(Some(PartialOffer {
        amount_due,
        minimum: partial_minimum(amount_due),
    }))
}

/// The operator's setting for an account, as the operator API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialSetting {
    pub account: BillingAccount,
    pub allowed: bool,
}

/// Allows or stops part payments for an account (an operator's decision; logged with before
/// and after). Pay-as-you-go accounts may pay part after a failed attempt either way.
pub async fn set_allowed(
    app: &Services,
    operator: Option<&UserId>,
    raw_account: &str,
    allowed: bool,
) -> crate::operator::OperatorResult<PartialSetting> {
    let account = crate::operator::account(app, raw_account).await?;
    if allowed && account.agreement_type == AgreementType::EnterpriseAgreement {
        return Err(crate::operator::OperatorError::Invalid {
            code: "PartialPaymentsNotPossible",
            field: Some("partialPaymentsAllowed".into()),
            message: "enterprise agreements pay by wire transfer, never by card".into(),
        });
    }
    app.store
        .set_partial_payments_allowed(&account.id, allowed, operator)
        .await?;
    Ok(PartialSetting { account, allowed })
}

/// The operator's setting for an account.
pub async fn setting(
    app: &Services,
    raw_account: &str,
) -> crate::operator::OperatorResult<PartialSetting> {
    let account = crate::operator::account(app, raw_account).await?;
    let allowed = app.store.partial_payments_allowed(&account.id).await?;
    Ok(PartialSetting { account, allowed })
}
