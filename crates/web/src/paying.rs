//! Paying an invoice with a saved card: shared by the API and (for saved cards) the portal.
//!
//! Exactly one charge per invoice: the payment is recorded (`processing`) before the gateway is
//! called and the store refuses a second open payment for the invoice; the gateway gets the
//! payment id as its idempotency key; the outcome is settled with the invoice in one transaction.

use crate::state::AppState;
use faktura_domain::*;
use faktura_gateway::{Charge, ChargeRequest, ChargeStatus, GatewayError};
use faktura_store::{BeginPayment, PayRefusal, PaymentOutcome, StoreError};

/// Why a payment was not started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayProblem {
    NotPayable(InvoiceStatus),
    InProgress(Payment),
    AlreadyPaid(Payment),
    /// Above the card limit, or an agreement that pays by wire transfer.
    WireOnly,
    /// The card is not this profile's, not active, or expired.
    MethodUnusable,
}

/// Above the card-payment limit for its currency, or an agreement paid by wire transfer.
pub fn wire_only(state: &AppState, account: &BillingAccount, invoice: &Invoice) -> bool {
    let due = invoice.amount_due().unwrap_or(invoice.total);
    let over_limit = match state.config.card_limit(due.currency()) {
        Some(limit) => due.minor() > limit.minor(),
        None => true,
    };
    over_limit || account.agreement_type == AgreementType::EnterpriseAgreement
}

/// Where the gateway sends the person back after 3-D Secure.
pub fn return_path(account: &BillingAccountId, payment: &PaymentId) -> String {
    format!("/billing/{account}/payments/{payment}/return")
}

/// Maps the gateway's answer onto a payment outcome. No answer is `Unknown`, never `Failed`.
pub fn outcome_of(charge: Result<Charge, GatewayError>) -> PaymentOutcome {
    match charge {
        Ok(charge) => match charge.status {
            ChargeStatus::Succeeded => PaymentOutcome::Succeeded {
                reference: charge.reference,
            },
            ChargeStatus::Failed(reason) => PaymentOutcome::Failed {
                reason,
                reference: Some(charge.reference),
            },
            ChargeStatus::RequiresAction { challenge_url } => PaymentOutcome::RequiresAction {
                url: challenge_url,
                reference: charge.reference,
            },
        },
        Err(GatewayError::CardRefused(reason)) => PaymentOutcome::Failed {
            reason,
            reference: None,
        },
        Err(GatewayError::Invalid(detail)) => {
            tracing::error!(%detail, "gateway rejected a charge request");
            PaymentOutcome::Failed {
                reason: FailureReason::IncorrectCardDetails,
                reference: None,
            }
        }
        Err(GatewayError::Unknown(detail)) => {
            tracing::warn!(%detail, "gateway outcome unknown");
            PaymentOutcome::Unknown
        }
    }
}

/// Pays the invoice in full with a saved card and returns the settled payment.
pub async fn pay_with_saved_method(
    state: &AppState,
    account: &BillingAccount,
    invoice: &Invoice,
    method: &PaymentMethod,
    actor: &UserId,
    ip: Option<String>,
) -> Result<Result<Payment, PayProblem>, StoreError> {
    let today = chrono::Utc::now().date_naive();
    if method.billing_profile_id != invoice.billing_profile_id
        || method.status != PaymentMethodStatus::Active
        || method.is_expired_on(today)
    {
        return Ok(Err(PayProblem::MethodUnusable));
    }
    if wire_only(state, account, invoice) {
        return Ok(Err(PayProblem::WireOnly));
    }
    let begun = state
        .store
        .begin_payment(&BeginPayment {
            account: account.id.clone(),
            invoice: invoice.id.clone(),
            payment_method: Some(method.id.clone()),
            created_by: actor.clone(),
            today,
            ip: ip.clone(),
        })
        .await?;
    let begun = match begun {
        // A payment in doubt: ask the gateway about it first. Only a definite failure lets this
        // attempt start; otherwise the person is told it is in progress (never to pay again).
        Err(PayRefusal::InProgress(open)) => {
            let now = crate::janitor::resolve_open_payment(state, &open).await?;
            match now.state {
                PaymentState::Failed => {
                    state
                        .store
                        .begin_payment(&BeginPayment {
                            account: account.id.clone(),
                            invoice: invoice.id.clone(),
                            payment_method: Some(method.id.clone()),
                            created_by: actor.clone(),
                            today,
                            ip: ip.clone(),
                        })
                        .await?
                }
                PaymentState::Succeeded => Err(PayRefusal::AlreadyPaid(now)),
                _ => Err(PayRefusal::InProgress(now)),
            }
        }
        other => other,
    };
    let payment = match begun {
        Ok(payment) => payment,
        Err(PayRefusal::InProgress(open)) => return Ok(Err(PayProblem::InProgress(open))),
        Err(PayRefusal::AlreadyPaid(paid)) => return Ok(Err(PayProblem::AlreadyPaid(paid))),
        Err(PayRefusal::NotPayable(status)) => return Ok(Err(PayProblem::NotPayable(status))),
        Err(PayRefusal::InvoiceNotFound) => return Err(StoreError::NotFound),
    };
    let charge = state
        .gateway
        .charge(&ChargeRequest {
            idempotency_key: payment.id.to_string(),
            token: method.gateway_token.clone(),
            amount: payment.amount,
            return_url: return_path(&account.id, &payment.id),
        })
        .await;
    let settled = state
        .store
        .settle_payment(
            &account.id,
            &payment.id,
            &outcome_of(charge),
            Some(actor),
            ip.as_deref(),
        )
        .await?;
    Ok(Ok(settled.payment))
}
