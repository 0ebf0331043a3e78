//! Refunds and credit notes.
//!
//! An operator refunds a succeeded payment in full or in part ([`refund_payment`]): the store
//! records the refund `pending` within the payment's cap (what it took minus what is refunded
//! or being refunded, checked under the payment's row lock), the gateway is asked with the
//! refund's id as the idempotency key, and its answer is recorded — on success with the
//! numbered credit note, the activity log and the outbox events (`payment.refunded`,
//! `credit_note.issued`) in one transaction. An answer the gateway leaves open keeps the
//! refund `pending` (it still counts against the cap) until the janitor's pass
//! ([`settle_pending`]) asks the gateway for the refund under its key.
//!
//! Customers see credit notes beside the invoice they credit ([`credit_note_document`],
//! [`credit_notes_for_page`]).

use crate::{AccountScope, Actor, AppError, AppResult, JanitorConfig, Resource, Services};
use chrono::{DateTime, Utc};
use faktura_domain::*;
use faktura_gateway::{GatewayError, RefundRequest, RefundStatus};
use faktura_store::{
    BeginRefund, InvoicePage, RefundOutcome, RefundRefusal, RefundSettled, RefundTarget, StoreError,
};
use std::collections::HashMap;

/// The longest reason an operator may give.
pub const MAX_REASON: usize = 500;

/// Why a refund was refused. Each has a stable code the API answers with.
#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    /// No such payment on the account (or no such account).
    #[error("no such payment")]
    PaymentNotFound,
    /// Only a succeeded payment can be refunded.
    #[error("the payment is {0}, not succeeded")]
    NotSucceeded(PaymentState),
    /// More than is left to refund of the payment.
    #[error("at most {} {} can be refunded", .available.to_decimal_string(), .available.currency())]
    Exceeds { available: Money },
    /// The amount is not a positive decimal in the payment's currency.
    #[error("the amount must be a positive amount in {0} with at most its decimals")]
    InvalidAmount(Currency),
    #[error("the reason must be at most {MAX_REASON} characters")]
    InvalidReason,
    /// The same form is being sent again while its first sending still runs.
    #[error("this refund request is still being processed")]
    InProgress,
    /// The form's key came back with other values (an old page, edited): nothing was done.
    #[error("this form was already sent with other values")]
    FormReused,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for RefundError {
    fn from(error: StoreError) -> Self {
        RefundError::App(AppError::from(error))
    }
}

impl RefundError {
    /// The stable code adapters answer with.
    pub fn code(&self) -> &'static str {
        match self {
            RefundError::PaymentNotFound => "PaymentNotFound",
            RefundError::NotSucceeded(_) => "PaymentNotSucceeded",
            RefundError::Exceeds { .. } => "RefundExceedsPayment",
            RefundError::InvalidAmount(_) => "InvalidAmount",
            RefundError::InvalidReason => "InvalidReason",
            RefundError::InProgress => "RefundInProgress",
            RefundError::FormReused => "RefundFormReused",
            RefundError::App(_) => "InternalError",
        }
    }
}

/// What an operator asked for: the account and payment ids as given, an amount as text in
/// the payment's currency (`None`: everything that is left), and a reason.
#[derive(Debug, Clone, Default)]
pub struct RefundInput {
    pub account: String,
    pub payment: String,
    pub amount: Option<String>,
    pub reason: Option<String>,
    /// The language the amount was typed in (the operator page: "100,50" in da-DK), read
    /// with [`faktura_domain::partial::parse_typed_amount`]; `None`: a canonical decimal with
    /// a point (the API).
    pub locale: Option<Locale>,
}

/// The amount as the operator or the API client wrote it.
fn parsed_amount(text: &str, locale: Option<Locale>, currency: Currency) -> Option<Money> {
    let amount = match locale {
        Some(locale) => faktura_domain::partial::parse_typed_amount(text, locale, currency).ok()?,
        None => Money::parse_decimal(text, currency).ok()?,
    };
    amount.is_positive().then_some(amount)
}

/// A refund as it stands after the request, with its credit note once it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refunded {
    pub refund: Refund,
    pub credit_note: Option<CreditNote>,
    pub payment: Payment,
}

/// The gateway's answer as the outcome to record; `None`: still open (ask again later).
fn outcome_of(answer: Result<faktura_gateway::Refund, GatewayError>) -> Option<RefundOutcome> {
    match answer {
        Ok(refund) => Some(match refund.status {
            RefundStatus::Succeeded => RefundOutcome::Succeeded {
                reference: refund.reference,
            },
            RefundStatus::Failed(reason) => RefundOutcome::Failed {
                reason,
                reference: Some(refund.reference).filter(|r| !r.is_empty()),
            },
        }),
        Err(GatewayError::Unknown(detail)) => {
            tracing::warn!(%detail, "refund: the gateway left the outcome open; the janitor asks again");
            None
        }
        // The gateway refused the request itself: no money moved.
        Err(GatewayError::Invalid(detail)) => {
            tracing::error!(%detail, "refund: the gateway refused the request");
            Some(RefundOutcome::Failed {
                reason: "gateway_refused".into(),
                reference: None,
            })
        }
        Err(GatewayError::CardRefused(reason)) => Some(RefundOutcome::Failed {
            reason: reason.code().to_owned(),
            reference: None,
        }),
    }
}

fn request_for(target: &RefundTarget) -> RefundRequest {
    let refund = &target.refund;
    RefundRequest {
        idempotency_key: refund.id.to_string(),
        charge_key: target.charge_key.clone(),
        charge_reference: target.charge_reference.clone(),
        amount: refund.amount,
        metadata: vec![
            (
                "faktura_account".into(),
                refund.billing_account_id.to_string(),
            ),
            ("faktura_invoice".into(), refund.invoice_id.to_string()),
            ("faktura_payment".into(), refund.payment_id.to_string()),
        ],
    }
}

/// Refunds (part of) a succeeded payment through the gateway. The operator adapter has
/// checked that the caller is an operator; `actor` is the operator's user, if the token has
/// one. The refund's own id is the gateway's idempotency key, so a retried gateway call never
/// refunds twice; an adapter makes the whole request idempotent with
/// [`crate::idempotency::run_once`].
pub async fn refund_payment(
    app: &Services,
    actor: Option<&User>,
    ip: Option<&str>,
    input: &RefundInput,
) -> Result<Refunded, RefundError> {
    let account = BillingAccountId::parse(input.account.trim())
        .map_err(|_| AppError::NotFound(Resource::BillingAccount))?;
    if app.store.account(&account).await?.is_none() {
        return Err(AppError::NotFound(Resource::BillingAccount).into());
    }
    let id = PaymentId::parse(input.payment.trim()).map_err(|_| RefundError::PaymentNotFound)?;
    let payment = app
        .store
        .payment(&account, &id)
        .await?
        .ok_or(RefundError::PaymentNotFound)?;
    // A failed payment may still be a late charge to refund: the store knows (and refuses
    // the others under the payment's lock).
    if !matches!(
        payment.state,
        PaymentState::Succeeded | PaymentState::Failed
    ) {
        return Err(RefundError::NotSucceeded(payment.state));
    }
    let currency = payment.amount.currency();
    let amount = match input.amount.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => parsed_amount(text, input.locale, currency)
            .ok_or(RefundError::InvalidAmount(currency))?,
        // Everything that is left (checked again under the lock: another refund may win).
        _ => app.store.refundable(&payment).await?,
    };
    if amount.is_zero() {
        return Err(RefundError::Exceeds { available: amount });
    }
    let reason = input.reason.as_deref().unwrap_or("").trim().to_owned();
    if reason.chars().count() > MAX_REASON || reason.chars().any(char::is_control) {
        return Err(RefundError::InvalidReason);
    }
    let begun = app
        .store
        .begin_refund(&BeginRefund {
            account: account.clone(),
            payment: payment.id.clone(),
            amount,
            reason,
            actor: actor.map(|u| u.id.clone()),
            ip: ip.map(str::to_owned),
        })
        .await?;
    let target = match begun {
        Ok(target) => target,
        Err(RefundRefusal::PaymentNotFound) => return Err(RefundError::PaymentNotFound),
        Err(RefundRefusal::NotSucceeded(state)) => return Err(RefundError::NotSucceeded(state)),
        Err(RefundRefusal::Exceeds { available }) => {
            return Err(RefundError::Exceeds { available })
        }
        Err(RefundRefusal::BadAmount) => return Err(RefundError::InvalidAmount(currency)),
    };
    let answer = app.gateway.refund(&request_for(&target)).await;
    let (refund, credit_note) = match outcome_of(answer) {
        Some(outcome) => {
            let settled = app
                .store
                .settle_refund(&account, &target.refund.id, &outcome, app.today(), ip)
                .await?;
            note(&settled);
            (settled.refund, settled.credit_note)
        }
        None => (target.refund, None),
    };
    Ok(Refunded {
        refund,
        credit_note,
        payment,
    })
}

/// [`refund_payment`] for a signed-in person (the operator page): operators only.
pub async fn refund_as_operator(
    app: &Services,
    actor: &Actor,
    input: &RefundInput,
) -> Result<Refunded, RefundError> {
    require_operator(actor)?;
    refund_payment(app, Some(&actor.user), actor.ip.as_deref(), input).await
}

/// [`refund_as_operator`] once per `form_key`, the key the operator page put in the form it
/// showed: a form sent twice (a double click, a reload after a slow answer) refunds once, and
/// the second sending gets the first refund as it stands now.
pub async fn refund_as_operator_once(
    app: &Services,
    actor: &Actor,
    input: &RefundInput,
    form_key: &str,
) -> Result<Refunded, RefundError> {
    require_operator(actor)?;
    let fingerprint = format!(
        "{}\n{}\n{}\n{}",
        input.account,
        input.payment,
        input.amount.as_deref().unwrap_or(""),
        input.reason.as_deref().unwrap_or("")
    );
    let caller = format!("refund-form:{}", actor.user.id);
    let ran = crate::idempotency::run_once(app, &caller, form_key, &fingerprint, || async {
        let done = refund_as_operator(app, actor, input).await?;
        let body = format!("{} {}", done.refund.billing_account_id, done.refund.id);
        Ok::<_, RefundError>((200, body))
    })
    .await?;
    let body = match ran {
        Ok((_, body)) | Err(crate::idempotency::KeyTaken::Replay { body, .. }) => body,
        Err(crate::idempotency::KeyTaken::InProgress) => return Err(RefundError::InProgress),
        Err(crate::idempotency::KeyTaken::Mismatch) => return Err(RefundError::FormReused),
    };
    refunded_as_it_stands(app, &body).await
}

/// A refund named by `"{account} {refund}"` (the form key's stored answer), with its credit
/// note and payment as they are now.
async fn refunded_as_it_stands(app: &Services, stored: &str) -> Result<Refunded, RefundError> {
    let corrupt = || StoreError::Corrupt(format!("stored refund answer {stored:?}"));
    let (account, refund) = stored.split_once(' ').ok_or_else(corrupt)?;
    let account = BillingAccountId::parse(account).map_err(|_| corrupt())?;
    let refund_id = RefundId::parse(refund).map_err(|_| corrupt())?;
    let refund = app
        .store
        .refund(&account, &refund_id)
        .await?
        .ok_or_else(corrupt)?;
    let payment = app
        .store
        .payment(&account, &refund.payment_id)
        .await?
        .ok_or_else(corrupt)?;
    let credit_note = app
        .store
        .credit_note_for_refund(&account, &refund_id)
        .await?;
    Ok(Refunded {
        refund,
        credit_note,
        payment,
    })
}

fn require_operator(actor: &Actor) -> AppResult<()> {
    if actor.user.is_operator {
        Ok(())
    } else {
        Err(AppError::not_allowed("operators only"))
    }
}

/// The newest succeeded payments across accounts with what is left to refund of each (the
/// operator page's list), after the late charges (failed payments the gateway charged after
/// all, which the invoice never took: money to give back, see the store's `late_charge`).
/// Operators only.
pub async fn refundable_payments(
    app: &Services,
    actor: &Actor,
    limit: u32,
) -> AppResult<Vec<(Payment, Money)>> {
    require_operator(actor)?;
    let mut found = Vec::new();
    for payment in app.store.late_charges(limit).await? {
        let left = app.store.refundable(&payment).await?;
        found.push((payment, left));
    }
    for payment in app.store.recent_payments(limit).await? {
        if payment.state != PaymentState::Succeeded {
            continue;
        }
        let left = app.store.refundable(&payment).await?;
        found.push((payment, left));
    }
    Ok(found)
}

fn note(settled: &RefundSettled) {
    if !settled.changed {
        return;
    }
    let outcome = settled.refund.state.code();
    tracing::info!(refund = %settled.refund.id, payment = %settled.refund.payment_id, outcome, "refund settled");
    metrics::counter!("faktura_refunds_total", "outcome" => outcome).increment(1);
}

/// The janitor's pass over refunds left `pending` (the gateway gave no definite answer, or
/// the node stopped between asking and recording): each is looked up at the gateway by its
/// key and settled when the answer is definite. "No refund under this key" counts as failed
/// only once the refund is older than `abandon_after`, as for payments. Returns how many were
/// looked at.
pub async fn settle_pending(app: &Services, config: &JanitorConfig) -> Result<usize, StoreError> {
    let now = app.now();
    let grace = chrono::Duration::from_std(config.grace).unwrap_or(chrono::Duration::MAX);
    let before = now.checked_sub_signed(grace).unwrap_or(now);
    let pending = app.store.pending_refunds(before, config.batch).await?;
    for target in &pending {
        if let Err(error) = settle_one(app, target, now, config).await {
            tracing::error!(%error, refund = %target.refund.id, "janitor: cannot settle a refund");
        }
    }
    Ok(pending.len())
}

async fn settle_one(
    app: &Services,
    target: &RefundTarget,
    now: DateTime<Utc>,
    config: &JanitorConfig,
) -> Result<(), StoreError> {
    let refund = &target.refund;
    let abandon = chrono::Duration::from_std(config.abandon_after).unwrap_or(chrono::Duration::MAX);
    let answer = app
        .gateway
        .lookup_refund(refund.id.as_str(), target.charge_reference.as_deref())
        .await;
    let outcome = match answer {
        Ok(Some(found)) => outcome_of(Ok(found)),
        Ok(None) if now - refund.created_at >= abandon => {
            // Nothing was refunded under this key, and no request can still be on its way.
            Some(RefundOutcome::Failed {
                reason: "not_at_gateway".into(),
                reference: None,
            })
        }
        Ok(None) => None,
        Err(error) => {
            tracing::info!(%error, refund = %refund.id, "janitor: no answer about a refund; asking again later");
            None
        }
    };
    match outcome {
        Some(outcome) => {
            let settled = app
                .store
                .settle_refund(
                    &refund.billing_account_id,
                    &refund.id,
                    &outcome,
                    app.today(),
                    None,
                )
                .await?;
            note(&settled);
        }
        None => {
            app.store
                .touch_refund(&refund.billing_account_id, &refund.id, now)
                .await?
        }
    }
    metrics::counter!("faktura_janitor_refund_checks_total").increment(1);
    Ok(())
}

/// A credit note's document: the credit note, the invoice it credits, its profile and account.
#[derive(Debug, Clone)]
pub struct CreditNoteDocument {
    pub account: BillingAccount,
    pub profile: BillingProfile,
    pub invoice: Invoice,
    pub credit_note: CreditNote,
    /// Why the operator refunded (may be empty).
    pub reason: String,
}

/// A credit note the actor may see (they may see the invoice it credits), by id (`cn_…`) or
/// number (`CN000000001`).
pub async fn credit_note_document(
    app: &Services,
    scope: &AccountScope,
    raw: &str,
) -> AppResult<CreditNoteDocument> {
    let raw = raw.trim();
    let looks_right = CreditNoteId::parse(raw).is_ok() || valid_invoice_number(raw);
    let credit_note = if looks_right {
        app.store.credit_note(scope.id(), raw).await?
    } else {
        None
    }
    .ok_or(AppError::NotFound(Resource::Document))?;
    let invoice = app
        .store
        .invoice(scope.id(), &credit_note.invoice_id)
        .await?
        .ok_or(AppError::NotFound(Resource::Invoice))?;
    scope
        .check_invoice(&invoice)
        .map_err(|_| AppError::NotFound(Resource::Document))?;
    let profile = scope
        .profile(&invoice.billing_profile_id)
        .cloned()
        .ok_or(AppError::NotFound(Resource::BillingProfile))?;
    let reason = app
        .store
        .refund(scope.id(), &credit_note.refund_id)
        .await?
        .map(|r| r.reason)
        .unwrap_or_default();
    Ok(CreditNoteDocument {
        account: scope.account.clone(),
        profile,
        invoice,
        credit_note,
        reason,
    })
}

/// Whether `raw` names a credit note rather than an invoice (`cn_…` or `CN…`).
pub fn names_credit_note(raw: &str) -> bool {
    raw.starts_with("cn_") || raw.starts_with("CN")
}

/// The credit notes of the invoices the actor sees on a page, in one query.
pub async fn credit_notes_for_page(
    app: &Services,
    scope: &AccountScope,
    page: &InvoicePage,
) -> AppResult<HashMap<InvoiceId, Vec<CreditNote>>> {
    let ids: Vec<InvoiceId> = page
        .items
        .iter()
        .filter(|s| scope.check_invoice(&s.invoice).is_ok())
        .map(|s| s.invoice.id.clone())
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(app
        .store
        .credit_notes_for_invoices(scope.id(), &ids)
        .await?)
}

/// What the invoice's credit notes add up to: what was refunded of it.
pub fn refunded(invoice: &Invoice, credit_notes: &[CreditNote]) -> Money {
    Money::sum(
        invoice.currency(),
        credit_notes
            .iter()
            .filter(|c| c.invoice_id == invoice.id)
            .map(|c| c.amount),
    )
    .unwrap_or(Money::zero(invoice.currency()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: RefundStatus, reference: &str) -> faktura_gateway::Refund {
        faktura_gateway::Refund {
            reference: reference.into(),
            idempotency_key: "rf_1".into(),
            amount: Money::from_minor(100, Currency::DKK),
            status,
        }
    }

    #[test]
    fn an_unknown_answer_is_never_a_failure() {
        assert_eq!(outcome_of(Err(GatewayError::Unknown("reset".into()))), None);
        assert_eq!(
            outcome_of(Ok(answer(RefundStatus::Succeeded, "re_1"))),
            Some(RefundOutcome::Succeeded {
                reference: "re_1".into()
            })
        );
        assert_eq!(
            outcome_of(Ok(answer(RefundStatus::Failed("declined".into()), ""))),
            Some(RefundOutcome::Failed {
                reason: "declined".into(),
                reference: None
            })
        );
        assert!(matches!(
            outcome_of(Err(GatewayError::Invalid("no such charge".into()))),
            Some(RefundOutcome::Failed { .. })
        ));
    }

    #[test]
    fn a_typed_amount_is_read_in_the_operators_language() {
        let dkk = |minor| Some(Money::from_minor(minor, Currency::DKK));
        assert_eq!(
            parsed_amount("100,50", Some(Locale::DaDk), Currency::DKK),
            dkk(10050)
        );
        assert_eq!(
            parsed_amount("1.000,50 kr.", Some(Locale::DaDk), Currency::DKK),
            dkk(100050)
        );
        assert_eq!(
            parsed_amount("100.50", Some(Locale::EnUs), Currency::DKK),
            dkk(10050)
        );
        // The API's canonical decimal keeps its point; a comma there is refused.
        assert_eq!(parsed_amount("100.50", None, Currency::DKK), dkk(10050));
        assert_eq!(parsed_amount("100,50", None, Currency::DKK), None);
        assert_eq!(parsed_amount("0", Some(Locale::DaDk), Currency::DKK), None);
        assert_eq!(parsed_amount("-5", Some(Locale::EnUs), Currency::DKK), None);
    }

    #[test]
    fn refusals_have_stable_codes() {
        let dkk = Money::from_minor(0, Currency::DKK);
        assert_eq!(RefundError::PaymentNotFound.code(), "PaymentNotFound");
        assert_eq!(
            RefundError::NotSucceeded(PaymentState::Failed).code(),
            "PaymentNotSucceeded"
        );
        let over = RefundError::Exceeds {
            available: Money::from_minor(12_345, Currency::DKK),
        };
        assert_eq!(over.code(), "RefundExceedsPayment");
        assert_eq!(over.to_string(), "at most 123.45 DKK can be refunded");
        assert_eq!(
            RefundError::InvalidAmount(dkk.currency()).code(),
            "InvalidAmount"
        );
    }
}
