//! A payment waiting for 3-D Secure: "Cancel this attempt", "Continue authentication", the
//! return from the bank's check, and what the browser needs to run the check with the
//! gateway's own script (Stripe.js). Re-exported by [`crate::paying`].

use crate::janitor::look_up;
use crate::paying::{finish_kept_card, outcome_path, require_pay, return_path, settle, PayError};
use crate::{AccountScope, Actor, AppError, AppResult, Services};
use faktura_domain::*;
use faktura_store::StoreError;

/// Why an attempt waiting for 3-D Secure was not cancelled.
#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    /// The attempt is not waiting for a challenge (still talking to the gateway, say).
    #[error("only an attempt waiting for 3-D Secure can be cancelled")]
    NotAwaitingAuthentication(Payment),
    /// The gateway gave no definite answer; nothing changed, and asking again is safe.
    #[error("the gateway did not confirm the cancellation")]
    GatewayUnavailable,
    #[error(transparent)]
    App(#[from] AppError),
}

/// "Cancel this attempt": the open 3-D Secure challenge is cancelled at the gateway and the
/// payment recorded failed (`AuthenticationAbandoned`), so the invoice can be paid again. The
/// gateway decides a race with the challenge being finished: when it was passed first, that
/// success is recorded instead. A payment already decided is returned as it is.
pub async fn cancel_attempt(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    raw_payment: &str,
) -> Result<Payment, CancelError> {
    let (payment, invoice) = scope.payment(app, raw_payment).await?;
    require_pay(scope, &invoice)?;
    if payment.state.is_final() {
        return Ok(payment);
    }
    if payment.state != PaymentState::RequiresAction {
        return Err(CancelError::NotAwaitingAuthentication(payment));
    }
    let outcome = match crate::janitor::cancel_challenge(
        app,
        payment.id.as_str(),
        payment.gateway_reference.as_deref(),
    )
    .await
    {
        Ok(Some(outcome)) => outcome,
        Ok(None) => return Err(CancelError::GatewayUnavailable),
        Err(error) => {
            tracing::warn!(%error, payment = %payment.id, "cannot cancel the 3-D Secure challenge");
            return Err(CancelError::GatewayUnavailable);
        }
    };
    let settled = match settle(app, actor, &payment, &outcome).await {
        Ok(settled) => settled,
        Err(PayError::App(error)) => return Err(error.into()),
        Err(other) => return Err(AppError::Store(StoreError::Corrupt(other.to_string())).into()),
    };
    finish_kept_card(app, &settled)
        .await
        .map_err(AppError::from)?;
    Ok(settled)
}

/// Where "Continue authentication" takes the person for a payment waiting for 3-D Secure: our
/// own page that runs the gateway's script (Stripe.js), or the gateway's challenge page.
pub fn continue_url(app: &Services, payment: &Payment) -> Option<String> {
    if payment.state != PaymentState::RequiresAction {
        return None;
    }
    if app.gateway.browser_card_entry().is_some() {
        return Some(format!(
            "{}/authenticate",
            outcome_path(&payment.billing_account_id, &payment.id)
        ));
    }
    payment.next_action_url.clone()
}

/// A payment the actor may see, with its invoice.
pub async fn payment(
    app: &Services,
    scope: &AccountScope,
    raw_payment: &str,
) -> AppResult<(Payment, Invoice)> {
    scope.payment(app, raw_payment).await
}

/// Where the gateway sends the person after 3-D Secure: asks the gateway about the payment and
/// settles it by the janitor's rule. "No charge under this key yet" leaves it as it is while
/// a charge request may still be on its way; only the janitor gives up on it, later.
pub async fn payment_returned(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    raw_payment: &str,
) -> AppResult<Payment> {
    let (payment, _) = scope.payment(app, raw_payment).await?;
    if payment.state.is_final() {
        return Ok(payment);
    }
    let config = &app.config.janitor;
    match look_up(
        app,
        payment.id.as_str(),
        payment.gateway_reference.as_deref(),
        payment.state,
        payment.created_at,
        config,
    )
    .await
    {
        Some(outcome) => match settle(app, actor, &payment, &outcome).await {
            Ok(settled) => {
                finish_kept_card(app, &settled).await?;
                Ok(settled)
            }
            Err(PayError::App(error)) => Err(error),
            Err(other) => Err(AppError::Store(StoreError::Corrupt(other.to_string()))),
        },
        None => Ok(payment),
    }
}

/// What the browser needs to finish a payment's 3-D Secure with the gateway's own script
/// (Stripe.js), then come back to [`return_path`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserAction {
    pub client_secret: String,
    pub publishable_key: String,
    pub js_url: String,
    pub return_path: String,
}

/// A payment waiting for 3-D Secure that the browser finishes with the gateway's script, for
/// those who may pay the invoice. `None`: nothing for the browser to do (decided already, a
/// gateway with its own challenge pages, or the gateway cannot say now): show the outcome.
pub async fn browser_action(
    app: &Services,
    scope: &AccountScope,
    raw_payment: &str,
) -> AppResult<(Payment, Option<BrowserAction>)> {
    let (payment, invoice) = scope.payment(app, raw_payment).await?;
    require_pay(scope, &invoice)?;
    let action = browser_action_for(
        app,
        payment.state,
        payment.gateway_reference.as_deref(),
        return_path(scope.id(), &payment.id),
    )
    .await;
    Ok((payment, action))
}

/// A charge (a payment's or a settlement's) waiting for 3-D Secure that the browser finishes
/// with the gateway's script, then comes back to `return_path`.
pub(crate) async fn browser_action_for(
    app: &Services,
    state: PaymentState,
    reference: Option<&str>,
    return_path: String,
) -> Option<BrowserAction> {
    let (Some(entry), Some(reference)) = (app.gateway.browser_card_entry(), reference) else {
        return None;
    };
    if state != PaymentState::RequiresAction {
        return None;
    }
    let secret = match app.gateway.charge_client_secret(reference).await {
        Ok(secret) => secret,
        Err(error) => {
            tracing::warn!(%error, reference, "cannot ask the gateway what the browser should do");
            None
        }
    };
    secret.map(|client_secret| BrowserAction {
        client_secret,
        publishable_key: entry.publishable_key,
        js_url: entry.js_url,
        return_path,
    })
}
