//! Paying an invoice: the one function the portal's Pay now and the API's pay operation call,
//! and the 3-D Secure return.
//!
//! Exactly one charge per invoice: the payment is recorded (`processing`) before the gateway is
//! called and the store refuses a second open payment for the invoice, whichever node or tab
//! asks; the gateway gets the payment id as its idempotency key; the outcome is settled with the
//! invoice in one transaction. A payment still in doubt is looked up at the gateway (the
//! janitor's rule) before a new attempt may start.

use crate::janitor::resolve_open_payment;

pub(crate) use crate::three_d_secure::browser_action_for;
pub use crate::three_d_secure::{
    browser_action, cancel_attempt, continue_url, payment, payment_returned, BrowserAction,
    CancelError,
};
use crate::{AccountScope, Actor, AppError, AppResult, Services};
use faktura_domain::card::CardInput;
use faktura_domain::*;
use faktura_gateway::{CardToken, Charge, ChargeRequest, ChargeStatus, Funding, GatewayError};
use faktura_store::{BeginPayment, NewAuditEvent, PayRefusal, PaymentOutcome, StoreError};

/// How the person pays.
#[derive(Debug, Clone)]
pub enum PayWith {
    /// A card saved on the invoice's profile.
    Saved(PaymentMethodId),
    /// A card typed in now (sandbox card form); tokenized by the gateway before any charge.
    /// `save`: the payer asked to keep it for later ("Save this card for later"); it is kept
    /// only if they may also manage the profile's payment methods.
    NewCard { card: CardInput, save: bool },
    /// A card entered in the gateway's own field in the browser for this payment only
    /// (Stripe.js `createPaymentMethod`: its `pm_…` id; the card never reaches Faktura). It is
    /// never saved: the charge does not attach it to any customer, so it cannot be used again.
    BrowserCard(String),
}

/// Where a new card comes from.
enum NewCard<'a> {
    Typed(&'a CardInput),
    Browser(&'a str),
}

/// Why an invoice cannot be paid by card right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayBlock {
    NotPayable(InvoiceStatus),
    /// Another payment for the invoice is open (processing, awaiting 3-D Secure, or unknown).
    InProgress(Payment),
    AlreadyPaid(Payment),
    /// Above the card limit, or an agreement that pays by wire transfer.
    WireOnly,
}

/// How much to pay now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayAmount {
    /// All that is due.
    Due,
    /// Part of it, where the account may pay part ([`crate::partial_payments::offer`]).
    Part(Money),
}

/// Why a payment was not made.
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    #[error("the invoice cannot be paid by card now: {0:?}")]
    Blocked(PayBlock),
    /// No such saved card on the invoice's billing profile.
    #[error("no such payment method on this invoice's billing profile")]
    MethodNotFound,
    /// The saved card has expired.
    #[error("the payment method has expired")]
    MethodExpired,
    /// The saved card is not active (detached, or still being set up).
    #[error("the payment method is not active")]
    MethodUnusable,
    /// The new card is prepaid, which the flow we follow refuses (the attempt is recorded failed).
    #[error("prepaid cards are refused")]
    PrepaidRefused,
    /// A part payment where the account may only pay the whole amount due.
    #[error("this invoice can only be paid in full")]
    PartialNotAllowed,
    /// The part asked for is below the minimum or above the amount due (now).
    #[error(transparent)]
    Amount(#[from] faktura_domain::partial::PartialAmountError),
    /// The idempotency key given to [`pay_invoice_once`] was taken by another request with it
    /// meanwhile; nothing was done. Ask the store what the key says now.
    #[error("the idempotency key was taken meanwhile")]
    KeyTaken,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for PayError {
    fn from(error: StoreError) -> Self {
        PayError::App(AppError::Store(error))
    }
}

/// Above the card-payment limit for its currency, or an agreement paid by wire transfer.
pub fn wire_only(app: &Services, account: &BillingAccount, invoice: &Invoice) -> bool {
    let due = invoice.amount_due().unwrap_or(invoice.total);
    let over_limit = match app.config.card_limit(due.currency()) {
        Some(limit) => due.minor() > limit.minor(),
        None => true,
    };
    over_limit || account.agreement_type == AgreementType::EnterpriseAgreement
}

/// Where the gateway sends the person back after 3-D Secure.
pub fn return_path(account: &BillingAccountId, payment: &PaymentId) -> String {
    format!("{}/return", outcome_path(account, payment))
}

/// The portal page that shows a payment's outcome.
pub fn outcome_path(account: &BillingAccountId, payment: &PaymentId) -> String {
    format!("/billing/{account}/payments/{payment}")
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

/// The actor may pay this invoice's profile's invoices, else `NotAllowed`.
pub fn require_pay(scope: &AccountScope, invoice: &Invoice) -> AppResult<()> {
    scope.require(
        Permission::PayInvoices,
        Some(&invoice.billing_profile_id),
        "your role may view invoices but not pay them",
    )
}

/// Why the invoice cannot be paid by card now, as the pane shows it (no gateway call).
pub async fn pay_block(
    app: &Services,
    scope: &AccountScope,
    invoice: &Invoice,
) -> AppResult<Option<PayBlock>> {
    if let Some(open) = app.store.open_payment_for(scope.id(), &invoice.id).await? {
        return Ok(Some(block_for_open(open)));
    }
    paid_block(app, scope, invoice, static_block(app, scope, invoice)).await
}

/// The block for the invoice's payment in flight, or the one it turned into when looked up.
fn block_for_open(open: Payment) -> PayBlock {
    if open.state == PaymentState::Succeeded {
        PayBlock::AlreadyPaid(open)
    } else {
        PayBlock::InProgress(open)
    }
}

/// An invoice that is not payable because it is Paid: who paid it (the last payment).
async fn paid_block(
    app: &Services,
    scope: &AccountScope,
    invoice: &Invoice,
    block: Option<PayBlock>,
) -> AppResult<Option<PayBlock>> {
    if let Some(PayBlock::NotPayable(InvoiceStatus::Paid)) = block {
        if let Some(paid) = app
            .store
            .last_succeeded_payment(scope.id(), &invoice.id)
            .await?
        {
            return Ok(Some(PayBlock::AlreadyPaid(paid)));
        }
    }
    Ok(block)
}

/// What the invoice and its account say, whatever payments exist.
fn static_block(app: &Services, scope: &AccountScope, invoice: &Invoice) -> Option<PayBlock> {
    let today = app.today();
    if !invoice.is_payable_on(today) {
        return Some(PayBlock::NotPayable(invoice.status_on(today)));
    }
    if wire_only(app, &scope.account, invoice) {
        return Some(PayBlock::WireOnly);
    }
    None
}

/// The saved cards the actor may choose from to pay this invoice.
pub async fn payment_choices(
    app: &Services,
    scope: &AccountScope,
    invoice: &Invoice,
) -> AppResult<Vec<PaymentMethod>> {
    require_pay(scope, invoice)?;
    Ok(app
        .store
        .payment_methods(scope.id(), &invoice.billing_profile_id)
        .await?)
}

/// A saved card of the invoice's profile that can be charged today.
pub async fn usable_method(
    app: &Services,
    scope: &AccountScope,
    invoice: &Invoice,
    id: &PaymentMethodId,
) -> Result<PaymentMethod, PayError> {
    let method = app
        .store
        .payment_method(scope.id(), id)
        .await?
        .filter(|m| m.billing_profile_id == invoice.billing_profile_id)
        .ok_or(PayError::MethodNotFound)?;
    if method.status != PaymentMethodStatus::Active {
        return Err(PayError::MethodUnusable);
    }
    if method.is_expired_on(app.today()) {
        return Err(PayError::MethodExpired);
    }
    Ok(method)
}

/// Why a new attempt may not start now. An open payment still in doubt is first looked up at
/// the gateway (the janitor's rule): only a definite failure of it lets a new attempt start.
async fn block_before_attempt(
    app: &Services,
    scope: &AccountScope,
    invoice: &Invoice,
) -> AppResult<Option<PayBlock>> {
    if let Some(open) = app.store.open_payment_for(scope.id(), &invoice.id).await? {
        let now = resolve_open_payment(app, &open).await?;
        if now.state != PaymentState::Failed {
            return Ok(Some(block_for_resolved(app, scope, invoice, now).await?));
        }
    }
    paid_block(app, scope, invoice, static_block(app, scope, invoice)).await
}

/// The block for an attempt in flight once looked up. One that has just succeeded blocks this
/// attempt too, even where a part payment left something due: a second click (or a retry)
/// while the first charge was on its way must not pay again. It says "in progress" while
/// something is still due, "paid" when nothing is.
async fn block_for_resolved(
    app: &Services,
    scope: &AccountScope,
    invoice: &Invoice,
    now: Payment,
) -> AppResult<PayBlock> {
    if now.state == PaymentState::Succeeded {
        let fresh = app.store.invoice(scope.id(), &invoice.id).await?;
        if fresh.is_some_and(|i| i.is_payable_on(app.today())) {
            return Ok(PayBlock::InProgress(now));
        }
    }
    Ok(block_for_open(now))
}

/// Records the attempt (`processing`) before the gateway hears of it; the store refuses it
/// when another attempt started meanwhile (a second tab, another node).
async fn begin(
    app: &Services,
    scope: &AccountScope,
    invoice: &Invoice,
    request: &BeginPayment,
    once: Option<&Once<'_>>,
) -> Result<Payment, PayError> {
    let claim = once.map(|o| o.claim);
    let begun = match app.store.begin_payment_claiming(request, claim).await? {
        Err(PayRefusal::InProgress(open)) => {
            let now = resolve_open_payment(app, &open).await?;
            match now.state {
                PaymentState::Failed => app.store.begin_payment_claiming(request, claim).await?,
                _ => Err(PayRefusal::InProgress(now)),
            }
        }
        other => other,
    };
    match begun {
        Ok(payment) => Ok(payment),
        Err(PayRefusal::InProgress(open)) => Err(PayError::Blocked(
            block_for_resolved(app, scope, invoice, open).await?,
        )),
        Err(PayRefusal::AlreadyPaid(open)) => Err(PayError::Blocked(block_for_open(open))),
        Err(PayRefusal::NotPayable(status)) => Err(PayError::Blocked(PayBlock::NotPayable(status))),
        Err(PayRefusal::MethodUnusable) => Err(PayError::MethodUnusable),
        Err(PayRefusal::AmountAboveDue(due)) => Err(PayError::Amount(
            faktura_domain::partial::PartialAmountError::AboveAmountDue { due },
        )),
        Err(PayRefusal::InvoiceNotFound) => {
            Err(AppError::NotFound(crate::Resource::Invoice).into())
        }
        Err(PayRefusal::KeyTaken) => Err(PayError::KeyTaken),
    }
}

/// An idempotency key for [`pay_invoice_once`]: claimed in the transaction that records the
/// attempt, and `answer`'s rendering of the settled payment stored in the transaction that
/// settles it, so the key costs no commit of its own.
pub struct Once<'a> {
    pub claim: &'a faktura_store::IdempotencyClaim,
    pub answer: &'a (dyn Fn(&Payment) -> (u16, String) + Send + Sync),
}

/// Pays the invoice (all that is due, or the part asked for) and returns the payment as
/// settled: `Succeeded`, `Failed` (with its reason: a declined card is an answer, not an
/// error), `RequiresAction` (send the person to `next_action_url`) or still in doubt
/// (`Processing`/`Unknown`, which the janitor settles).
pub async fn pay_invoice(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    invoice: &Invoice,
    with: PayWith,
    amount: PayAmount,
) -> Result<Payment, PayError> {
    let order = PayOrder { with, amount };
    pay_invoice_once(app, actor, scope, invoice, order, None).await
}

/// What to pay with, and how much.
#[derive(Debug, Clone)]
pub struct PayOrder {
    pub with: PayWith,
    pub amount: PayAmount,
}

/// [`pay_invoice`] under an idempotency key ([`Once`]). The key is claimed only once an attempt
/// is recorded: a refusal decided before (blocked, bad card) leaves it free for the caller to
/// store that answer under, and `KeyTaken` says another request with it came first.
pub async fn pay_invoice_once(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    invoice: &Invoice,
    order: PayOrder,
    once: Option<&Once<'_>>,
) -> Result<Payment, PayError> {
    let PayOrder { with, amount } = order;
    scope.check_invoice(invoice)?;
    require_pay(scope, invoice)?;
    let (saved, new_card) = match with {
        PayWith::Saved(id) => (Some(usable_method(app, scope, invoice, &id).await?), None),
        PayWith::NewCard { card, save } => (None, Some((Some(card), None, save))),
        PayWith::BrowserCard(id) => (None, Some((None, Some(id), false))),
    };
    if let Some(block) = block_before_attempt(app, scope, invoice).await? {
        return Err(PayError::Blocked(block));
    }
    // Only for an invoice that can be paid now: a paid one says so, not "in full only".
    let part = match amount {
        PayAmount::Due => None,
        PayAmount::Part(part) => {
            let Some(offer) = crate::partial_payments::offer(app, scope, invoice).await? else {
                return Err(PayError::PartialNotAllowed);
            };
            offer.check(part)?;
            Some(part)
        }
    };
    let request = BeginPayment {
        account: scope.id().clone(),
        invoice: invoice.id.clone(),
        amount: part,
        payment_method: saved.as_ref().map(|m| m.id.clone()),
        created_by: actor.user.id.clone(),
        today: app.today(),
        ip: actor.ip.clone(),
    };
    let payment = begin(app, scope, invoice, &request, once).await?;
    let (token, to_save) = match (saved, new_card) {
        (Some(method), _) => (method.gateway_token, None),
        (None, Some((card, browser, save))) => {
            let source = match (&card, &browser) {
                (Some(card), _) => NewCard::Typed(card),
                (None, Some(id)) => NewCard::Browser(id),
                (None, None) => return Err(PayError::MethodNotFound),
            };
            match tokenize_for(app, actor, &payment, source, once).await? {
                Ok(token) => (token.token.clone(), save.then_some(token)),
                Err(settled) => return settled,
            }
        }
        (None, None) => return Err(PayError::MethodNotFound),
    };
    let charge = crate::charging::charge(
        app,
        faktura_store::DoubtKind::Payment,
        scope.id(),
        ChargeRequest {
            idempotency_key: payment.id.to_string(),
            token,
            amount: payment.amount,
            return_url: return_path(scope.id(), &payment.id),
            reference: None,
            metadata: crate::charging::metadata(&[
                ("faktura_account", scope.id().as_str()),
                ("faktura_invoice", invoice.id.as_str()),
                ("faktura_payment", payment.id.as_str()),
            ]),
        },
    )
    .await;
    let settled = settle_answering(app, actor, &payment, &outcome_of(charge), once).await?;
    // Saving the new card comes after the payment is recorded: a failure here loses nothing.
    if let Some(token) = to_save {
        if let Some(keep) = keep_new_card(scope, invoice, &settled) {
            if let Err(error) = save_card(app, actor, invoice, token, &payment.id, keep).await {
                tracing::error!(%error, payment = %payment.id, "the payment is recorded, but saving its card failed");
            }
        }
    }
    Ok(settled)
}

/// How a card typed in for a payment is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeepCard {
    /// The charge succeeded: saved and usable.
    Active,
    /// The bank asked for 3-D Secure: kept inactive until the challenge is passed.
    UntilAuthenticated,
}

/// A card typed in to pay (and asked to be saved) is saved only for those who may manage the
/// profile's payment methods, and only once the card has authenticated; otherwise it is used
/// once.
fn keep_new_card(scope: &AccountScope, invoice: &Invoice, settled: &Payment) -> Option<KeepCard> {
    if !scope.allows(
        Permission::ManagePaymentMethods,
        Some(&invoice.billing_profile_id),
    ) {
        return None;
    }
    match settled.state {
        PaymentState::Succeeded => Some(KeepCard::Active),
        PaymentState::RequiresAction => Some(KeepCard::UntilAuthenticated),
        PaymentState::Failed | PaymentState::Processing | PaymentState::Unknown => None,
    }
}

/// After a payment is settled by a 3-D Secure return or the janitor: a new card that was kept
/// until the challenge is passed becomes usable if the payment succeeded, and stays unusable
/// for good if it failed.
pub(crate) async fn finish_kept_card(app: &Services, payment: &Payment) -> Result<(), StoreError> {
    let Some(method) = &payment.payment_method_id else {
        return Ok(());
    };
    let passed = match payment.state {
        PaymentState::Succeeded => true,
        PaymentState::Failed => false,
        _ => return Ok(()),
    };
    if app
        .store
        .pending_card(&payment.billing_account_id, method)
        .await?
        .is_none()
    {
        return Ok(());
    }
    let actor = faktura_store::AuditActor {
        user: payment.created_by.clone(),
        ip: None,
    };
    app.store
        .finish_card_setup(&payment.billing_account_id, method, passed, Some(&actor))
        .await?;
    Ok(())
}

/// Tokenizes a new card for `payment` (or, for a card the browser entered at the gateway,
/// reads what Faktura may know of it). A card the gateway refuses settles the payment failed
/// (returned as `Err(Ok(payment))`); a prepaid card too (`Err(Err(PrepaidRefused))`).
async fn tokenize_for(
    app: &Services,
    actor: &Actor,
    payment: &Payment,
    card: NewCard<'_>,
    once: Option<&Once<'_>>,
) -> Result<Result<CardToken, Result<Payment, PayError>>, PayError> {
    let failed = |reason| PaymentOutcome::Failed {
        reason,
        reference: None,
    };
    let token = match card {
        NewCard::Typed(card) => app.gateway.tokenize(card).await,
        NewCard::Browser(id) => app.gateway.browser_card(id).await,
    };
    match token {
        Ok(token) if token.funding == Funding::Prepaid => {
            settle_answering(
                app,
                actor,
                payment,
                &failed(FailureReason::PrepaidCardRefused),
                once,
            )
            .await?;
            Ok(Err(Err(PayError::PrepaidRefused)))
        }
        Ok(token) => Ok(Ok(token)),
        Err(GatewayError::CardRefused(reason)) => Ok(Err(Ok(settle_answering(
            app,
            actor,
            payment,
            &failed(reason),
            once,
        )
        .await?))),
        Err(error) => {
            // Nothing was charged: tokenization comes before any charge.
            tracing::warn!(%error, payment = %payment.id, "tokenization failed");
            let settled = settle_answering(
                app,
                actor,
                payment,
                &failed(FailureReason::ProcessingError),
                once,
            )
            .await?;
            Ok(Err(Ok(settled)))
        }
    }
}

pub(crate) async fn settle(
    app: &Services,
    actor: &Actor,
    payment: &Payment,
    outcome: &PaymentOutcome,
) -> Result<Payment, PayError> {
    settle_answering(app, actor, payment, outcome, None).await
}

async fn settle_answering(
    app: &Services,
    actor: &Actor,
    payment: &Payment,
    outcome: &PaymentOutcome,
    once: Option<&Once<'_>>,
) -> Result<Payment, PayError> {
    let settled = app
        .store
        .settle_payment_answering(
            &payment.billing_account_id,
            &payment.id,
            outcome,
            Some(&actor.user.id),
            actor.ip.as_deref(),
            once.map(|o| (o.claim, o.answer)),
        )
        .await;
    let settled = match (settled, once) {
        (Ok(settled), _) => settled,
        (Err(error), None) => return Err(error.into()),
        (Err(error), Some(once)) => {
            // The key was claimed with the attempt: release it, so that the client may retry
            // with it (the one-open-payment rule still prevents a second charge).
            if let Err(release) = app
                .store
                .abandon_idempotent(&once.claim.caller, &once.claim.key)
                .await
            {
                tracing::error!(%release, "could not release an idempotency key");
            }
            return Err(error.into());
        }
    };
    crate::janitor::note_late_success(&settled);
    Ok(settled.payment)
}

async fn save_card(
    app: &Services,
    actor: &Actor,
    invoice: &Invoice,
    token: CardToken,
    payment: &PaymentId,
    keep: KeepCard,
) -> Result<(), StoreError> {
    let method = PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: invoice.billing_account_id.clone(),
        billing_profile_id: invoice.billing_profile_id.clone(),
        gateway_token: token.token,
        brand: token.brand,
        last4: token.last4,
        exp_month: token.exp_month,
        exp_year: token.exp_year,
        holder: token.holder,
        status: PaymentMethodStatus::Active,
        created_at: app.now(),
    };
    if keep == KeepCard::UntilAuthenticated {
        app.store.add_pending_card(&method).await?;
        app.store
            .attach_payment_method(&invoice.billing_account_id, payment, &method.id)
            .await?;
        // Activated (and logged as added) when the challenge is passed.
        return Ok(());
    }
    app.store.add_payment_method(&method).await?;
    app.store
        .attach_payment_method(&invoice.billing_account_id, payment, &method.id)
        .await?;
    app.store
        .record_audit(&NewAuditEvent {
            billing_account_id: Some(invoice.billing_account_id.clone()),
            actor: Some(actor.user.id.clone()),
            kind: "payment_method.added".into(),
            target: method.id.to_string(),
            detail: serde_json::json!({"brand": method.brand.code(), "last4": method.last4, "profile": method.billing_profile_id.as_str()}),
            ip: actor.ip.clone(),
        })
        .await?;
    Ok(())
}
