//! Settle balance: a pay-as-you-go account pays every outstanding invoice in one charge.
//!
//! Like a payment, a settlement is recorded before the gateway is called (one open settlement
//! per account), carries its own id as the idempotency key, and is finished with its invoices
//! in one transaction; a settlement in doubt is settled by the janitor's rule.

use crate::janitor::look_up;
use crate::paying::outcome_of;
use crate::{AccountScope, Actor, AppError, AppResult, Resource, Services};
use faktura_domain::*;
use faktura_gateway::ChargeRequest;
use faktura_store::{BeginSettlement, StoreError};

pub use faktura_store::SettleRefusal;

/// Why a balance was not settled.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    #[error("only pay-as-you-go accounts settle a balance")]
    NotPayAsYouGo,
    /// Settling pays every outstanding invoice: the actor must be allowed to pay each.
    #[error("the actor may not pay every outstanding invoice")]
    NotAllowed,
    /// No such active card on a profile whose invoices the actor may pay.
    #[error("choose a card")]
    MethodNotFound,
    #[error("the card has expired")]
    MethodExpired,
    #[error("the settlement was refused: {0:?}")]
    Refused(SettleRefusal),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for SettleError {
    fn from(error: StoreError) -> Self {
        SettleError::App(AppError::Store(error))
    }
}

/// What Settle balance would pay, and with which cards.
#[derive(Debug, Clone)]
pub struct Outstanding {
    pub invoices: Vec<Invoice>,
    /// The sum of what is due, when all invoices share a currency.
    pub total: Option<Money>,
    pub past_due: usize,
    /// The actor may pay every outstanding invoice (and so settle them).
    pub may_settle: bool,
}

/// The sum of the amounts due, when every invoice shares one currency.
pub fn outstanding_total(invoices: &[Invoice]) -> Option<Money> {
    let first = invoices.first()?;
    let dues: Option<Vec<Money>> = invoices.iter().map(|i| i.amount_due().ok()).collect();
    Money::sum(first.currency(), dues?).ok()
}

fn may_pay_all(scope: &AccountScope, invoices: &[Invoice]) -> bool {
    invoices
        .iter()
        .all(|i| scope.allows(Permission::PayInvoices, Some(&i.billing_profile_id)))
}

/// The account's outstanding invoices (`None` unless it is pay-as-you-go).
pub async fn outstanding(app: &Services, scope: &AccountScope) -> AppResult<Option<Outstanding>> {
    if !scope.account.agreement_type.is_pay_as_you_go() {
        return Ok(None);
    }
    let today = app.today();
    let invoices = app.store.outstanding_invoices(scope.id()).await?;
    let past_due = invoices
        .iter()
        .filter(|i| i.status_on(today) == InvoiceStatus::OverDue)
        .count();
    Ok(Some(Outstanding {
        total: outstanding_total(&invoices),
        past_due,
        may_settle: !invoices.is_empty() && may_pay_all(scope, &invoices),
        invoices,
    }))
}

/// The pane's content: refused unless the account is pay-as-you-go and the actor may pay every
/// outstanding invoice (or, with nothing outstanding, pay at all).
pub async fn settle_pane(app: &Services, scope: &AccountScope) -> Result<Outstanding, SettleError> {
    let Some(outstanding) = outstanding(app, scope).await? else {
        return Err(SettleError::NotPayAsYouGo);
    };
    let allowed = if outstanding.invoices.is_empty() {
        scope.allows(Permission::PayInvoices, None)
    } else {
        outstanding.may_settle
    };
    if !allowed {
        return Err(SettleError::NotAllowed);
    }
    Ok(outstanding)
}

/// The unexpired active cards the actor may settle with: those of profiles whose invoices
/// their roles let them pay.
pub async fn settle_cards(app: &Services, scope: &AccountScope) -> AppResult<Vec<PaymentMethod>> {
    let today = app.today();
    Ok(app
        .store
        .account_payment_methods(scope.id())
        .await?
        .into_iter()
        .filter(|m| {
            m.status == PaymentMethodStatus::Active
                && !m.is_expired_on(today)
                && scope.allows(Permission::PayInvoices, Some(&m.billing_profile_id))
        })
        .collect())
}

/// Charges the outstanding balance to one card and returns the settlement as finished (or
/// `RequiresAction`, or still in doubt).
pub async fn settle_balance(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    method: Option<&PaymentMethodId>,
) -> Result<Settlement, SettleError> {
    settle_pane(app, scope).await?;
    let method = match method {
        Some(id) => app.store.payment_method(scope.id(), id).await?,
        None => None,
    };
    let Some(method) = method.filter(|m| {
        m.status == PaymentMethodStatus::Active
            && scope.allows(Permission::PayInvoices, Some(&m.billing_profile_id))
    }) else {
        return Err(SettleError::MethodNotFound);
    };
    if method.is_expired_on(app.today()) {
        return Err(SettleError::MethodExpired);
    }
    let request = BeginSettlement {
        account: scope.id().clone(),
        payment_method: method.id.clone(),
        created_by: actor.user.id.clone(),
        today: app.today(),
        ip: actor.ip.clone(),
    };
    let settlement = match app.store.begin_settlement(&request).await? {
        Ok(settlement) => settlement,
        Err(refusal) => return Err(SettleError::Refused(refusal)),
    };
    let charge = crate::charging::charge(
        app,
        faktura_store::DoubtKind::Settlement,
        scope.id(),
        ChargeRequest {
            idempotency_key: settlement.id.to_string(),
            token: method.gateway_token.clone(),
            amount: settlement.amount,
            return_url: settlement_return_path(scope.id(), &settlement.id),
            reference: None,
            metadata: crate::charging::metadata(&[
                ("faktura_account", scope.id().as_str()),
                ("faktura_settlement", settlement.id.as_str()),
            ]),
        },
    )
    .await;
    let finished = app
        .store
        .finish_settlement(
            scope.id(),
            &settlement.id,
            &outcome_of(charge),
            Some(&actor.user.id),
            actor.ip.as_deref(),
        )
        .await?;
    Ok(finished.settlement)
}

/// The portal page that shows a settlement's outcome.
pub fn settlement_path(account: &BillingAccountId, settlement: &SettlementId) -> String {
    format!("/billing/{account}/settlements/{settlement}")
}

pub fn settlement_return_path(account: &BillingAccountId, settlement: &SettlementId) -> String {
    format!("{}/return", settlement_path(account, settlement))
}

/// A settlement and its invoices, seen only by those who may pay every one of them.
pub async fn settlement(
    app: &Services,
    scope: &AccountScope,
    raw: &str,
) -> AppResult<(Settlement, Vec<Invoice>)> {
    let id = SettlementId::parse(raw).map_err(|_| AppError::NotFound(Resource::Settlement))?;
    let settlement = app
        .store
        .settlement(scope.id(), &id)
        .await?
        .ok_or(AppError::NotFound(Resource::Settlement))?;
    let invoices = app
        .store
        .settlement_invoices(scope.id(), &settlement.id)
        .await?;
    if !may_pay_all(scope, &invoices) {
        return Err(AppError::hidden(
            Resource::Settlement,
            "settlement of invoices you may not pay",
        ));
    }
    Ok((settlement, invoices))
}

/// A settlement waiting for 3-D Secure that the browser finishes with the gateway's script
/// (Stripe.js), for those who may pay every one of its invoices; `None`: show the outcome.
pub async fn settlement_browser_action(
    app: &Services,
    scope: &AccountScope,
    raw: &str,
) -> AppResult<(Settlement, Option<crate::paying::BrowserAction>)> {
    let (settlement, _) = settlement(app, scope, raw).await?;
    let action = crate::paying::browser_action_for(
        app,
        settlement.state,
        settlement.gateway_reference.as_deref(),
        settlement_return_path(scope.id(), &settlement.id),
    )
    .await;
    Ok((settlement, action))
}

/// Back from 3-D Secure for a settlement: asks the gateway and finishes it by the janitor's
/// rule (no charge yet leaves it open while a request may still be on its way).
pub async fn settlement_returned(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    raw: &str,
) -> AppResult<Settlement> {
    let (settlement, _) = settlement(app, scope, raw).await?;
    if settlement.state.is_final() {
        return Ok(settlement);
    }
    let config = &app.config.janitor;
    let outcome = look_up(
        app,
        settlement.id.as_str(),
        settlement.gateway_reference.as_deref(),
        settlement.state,
        settlement.created_at,
        config,
    )
    .await;
    let Some(outcome) = outcome else {
        return Ok(settlement);
    };
    let finished = app
        .store
        .finish_settlement(
            scope.id(),
            &settlement.id,
            &outcome,
            Some(&actor.user.id),
            actor.ip.as_deref(),
        )
        .await?;
    Ok(finished.settlement)
}
