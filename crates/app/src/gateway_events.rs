//! Webhooks from the payment gateway (Stripe): verified by the gateway connector, applied once
//! per event id. A charge's answer settles its payment — invoice, activity log and the event's
//! id in one transaction — by the same rules as the person's own request and the janitor; a
//! card setup that succeeded saves the card as the browser's return would; a card's new expiry
//! (or brand, last four) from the card network updates the saved card, with the event's id, in
//! one transaction.

use crate::paying::outcome_of;
use crate::Services;
use faktura_domain::*;
use faktura_gateway::GatewayEvent;
use faktura_store::{AuditActor, StoreError};

pub use faktura_gateway::WebhookRefusal;

/// What an accepted event led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Applied now.
    Applied,
    /// Seen before (a retry or a replay): nothing changed.
    Duplicate,
    /// An event Faktura does not need, or about nothing of ours.
    Ignored,
}

/// Why an event was not taken.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error(transparent)]
    Refused(#[from] WebhookRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Verifies and applies one webhook delivery.
pub async fn receive(
    app: &Services,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Received, EventError> {
    let event = app
        .gateway
        .webhook_event(signature, body, app.now().timestamp())?;
    match event {
        GatewayEvent::Ignored { event_id, kind } => {
            tracing::debug!(%kind, "gateway event ignored");
            Ok(if app.store.note_gateway_event(&event_id, &kind).await? {
                Received::Ignored
            } else {
                Received::Duplicate
            })
        }
        GatewayEvent::Charge {
            event_id,
            key,
            account,
            charge,
        } => {
            let account = account.and_then(|a| BillingAccountId::parse(&a).ok());
            let kind = match charge.status {
                faktura_gateway::ChargeStatus::Succeeded => "payment_intent.succeeded",
                _ => "payment_intent.payment_failed",
            };
            let outcome = outcome_of(Ok(charge));
            if let Ok(id) = PaymentId::parse(&key) {
                let Some(account) = &account else {
                    return ignored(app, &event_id, kind).await;
                };
                return match app
                    .store
                    .settle_payment_for_event((&event_id, kind), account, &id, &outcome)
                    .await
                {
                    Ok(None) => Ok(Received::Duplicate),
                    Ok(Some(settled)) => {
                        crate::janitor::note_late_success(&settled);
                        crate::paying::finish_kept_card(app, &settled.payment).await?;
                        Ok(Received::Applied)
                    }
                    // Part of a settlement: settled as a whole by its own answer.
                    Err(StoreError::NotFound) => ignored(app, &event_id, kind).await,
                    Err(error) => Err(error.into()),
                };
            }
            if let Ok(id) = SettlementId::parse(&key) {
                let Some(account) = &account else {
                    return ignored(app, &event_id, kind).await;
                };
                if app.store.gateway_event_seen(&event_id).await? {
                    return Ok(Received::Duplicate);
                }
                // Settling is idempotent (a final settlement never changes), so applying it
                // before noting the event is safe if the note is lost.
                app.store
                    .finish_settlement(account, &id, &outcome, None, None)
                    .await?;
                app.store.note_gateway_event(&event_id, kind).await?;
                return Ok(Received::Applied);
            }
            ignored(app, &event_id, kind).await
        }
        GatewayEvent::CardUpdated {
            event_id,
            kind,
            card,
        } => {
            let update = faktura_store::CardUpdate {
                brand: card.brand,
                last4: card.last4,
                exp_month: card.exp_month,
                exp_year: card.exp_year,
            };
            match app
                .store
                .update_card_for_event((&event_id, &kind), &card.token, &update)
                .await?
            {
                None => Ok(Received::Duplicate),
                Some(0) => Ok(Received::Ignored),
                Some(_) => Ok(Received::Applied),
            }
        }
        GatewayEvent::SetupSucceeded {
            event_id,
            setup,
            account,
            profile,
            user,
        } => {
            let kind = "setup_intent.succeeded";
            let (Some(account), Some(profile), Some(user)) = (
                account.and_then(|a| BillingAccountId::parse(&a).ok()),
                profile.and_then(|p| BillingProfileId::parse(&p).ok()),
                user.and_then(|u| UserId::parse(&u).ok()),
            ) else {
                return ignored(app, &event_id, kind).await;
            };
            let Some(profile) = app.store.profile(&account, &profile).await? else {
                return ignored(app, &event_id, kind).await;
            };
            if app.store.gateway_event_seen(&event_id).await? {
                return Ok(Received::Duplicate);
            }
            let who = AuditActor { user, ip: None };
            match crate::hosted_cards::save_setup(app, &profile, &setup, None, &who).await {
                Ok(_) => {}
                Err(crate::cards::CardError::App(crate::AppError::Store(error))) => {
                    return Err(error.into())
                }
                // Refused (prepaid, declined) or not ours: nothing to save, the event is done.
                Err(refusal) => tracing::info!(%refusal, "card setup from a webhook not saved"),
            }
            app.store.note_gateway_event(&event_id, kind).await?;
            Ok(Received::Applied)
        }
    }
}

async fn ignored(app: &Services, event_id: &str, kind: &str) -> Result<Received, EventError> {
    Ok(if app.store.note_gateway_event(event_id, kind).await? {
        Received::Ignored
    } else {
        Received::Duplicate
    })
}
