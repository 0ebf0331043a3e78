//! The janitor: settles payments and settlements whose outcome is in doubt (`processing` after
//! a crash, `unknown` after a timeout, reset or 5xx, `requires_action` while a 3-D Secure
//! challenge is open) by asking the gateway for the charge under the payment's own id.
//!
//! - On a schedule: every node runs [`run`]; each round claims a few due rows (leased in the
//!   database, `FOR UPDATE SKIP LOCKED` on PostgreSQL, so nodes never share one) and asks the
//!   gateway. A row still in doubt is looked at again soon, then less and less often.
//! - Right before a new attempt: a Pay now on an invoice whose payment is in doubt first asks
//!   the gateway about that payment ([`resolve_open_payment`]); only a definite failure lets the
//!   new attempt start.
//!
//! What the gateway says is settled with the invoice and the activity log in one transaction
//! (the store's `settle_payment` / `finish_settlement`). "No charge under this key" is only
//! taken as a failure once the payment is older than `abandon_after`, well past the gateway
//! client's request timeout, so a request still on its way cannot charge after we gave up.

use crate::Services;
use chrono::{DateTime, Utc};
use faktura_domain::*;
use faktura_gateway::{ChargeStatus, GatewayError};
use faktura_store::{DoubtKind, InDoubt, LateCharge, PaymentOutcome, SettleResult, StoreError};
use std::time::Duration;

/// How often and how patiently the janitor asks.
#[derive(Debug, Clone)]
pub struct JanitorConfig {
    /// Pause between rounds.
    pub tick: Duration,
    /// A row never looked at is due this long after its last change.
    pub grace: Duration,
    /// How long a claim keeps other nodes away while this one asks the gateway.
    pub lease: Duration,
    /// The first wait after a look that left the row in doubt; each further wait is 4× longer…
    pub first_retry: Duration,
    /// …up to this.
    pub max_retry: Duration,
    /// No charge under the key after this long (since the payment began) means none was made.
    pub abandon_after: Duration,
    /// A 3-D Secure challenge still open this long after the attempt began is cancelled at the
    /// gateway and recorded failed (`AuthenticationAbandoned`), so the invoice is payable again.
    pub authentication_timeout: Duration,
    /// Rows claimed per round.
    pub batch: i64,
}

impl Default for JanitorConfig {
    fn default() -> Self {
        JanitorConfig {
            tick: Duration::from_secs(5),
            grace: Duration::from_secs(30),
            lease: Duration::from_secs(60),
            first_retry: Duration::from_secs(30),
            max_retry: Duration::from_secs(3600),
            abandon_after: Duration::from_secs(300),
            authentication_timeout: Duration::from_secs(30 * 60),
            batch: 20,
        }
    }
}

impl JanitorConfig {
    /// The wait before the next look, after `attempts` looks that left the row in doubt.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exponent = attempts.saturating_sub(1).clamp(0, 16) as u32;
        self.first_retry
            .saturating_mul(4u32.saturating_pow(exponent))
            .min(self.max_retry)
    }
}

fn chrono(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// What one look at the gateway decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Succeeded,
    Failed,
    /// Still in doubt (no answer, a challenge still open, or too young to give up on).
    StillOpen,
}

impl Resolution {
    pub fn label(self) -> &'static str {
        match self {
            Resolution::Succeeded => "succeeded",
            Resolution::Failed => "failed",
            Resolution::StillOpen => "still_open",
        }
    }
}

/// The outcome to record for what the gateway said, or `None` to leave the row as it is.
/// Every place that asks the gateway about a charge (the janitor's rounds, the check before a
/// new attempt, the 3-D Secure return links) decides with this one rule.
pub(crate) fn outcome_for(
    answer: Result<Option<faktura_gateway::Charge>, GatewayError>,
    state: PaymentState,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
    config: &JanitorConfig,
) -> Option<PaymentOutcome> {
    match answer {
        Ok(Some(charge)) => match crate::paying::outcome_of(Ok(charge)) {
            // Already waiting for the challenge: nothing new to record.
            PaymentOutcome::RequiresAction { .. } if state == PaymentState::RequiresAction => None,
            outcome => Some(outcome),
        },
        Ok(None) if now - created_at >= chrono(config.abandon_after) => {
            // Nothing was charged under this key, and no request can still be on its way.
            Some(PaymentOutcome::Failed {
                reason: FailureReason::ProcessingError,
                reference: None,
            })
        }
        Ok(None) => None,
        Err(GatewayError::Unknown(detail)) => {
            tracing::info!(%detail, "janitor: the gateway did not answer; asking again later");
            None
        }
        Err(error) => {
            tracing::error!(%error, "janitor: the gateway refused the lookup");
            None
        }
    }
}

/// Asks the gateway for the charge under `key` (a payment's or settlement's id) and decides
/// what to record, by [`outcome_for`]. `None`: leave the row as it is.
/// With the gateway's `reference` for the charge (when Faktura stored one before confirming
/// it), the gateway is asked about that; a prepared charge given up on (never confirmed, so no
/// money moved) is cancelled at the gateway before it is recorded failed.
pub(crate) async fn look_up(
    app: &Services,
    key: &str,
    reference: Option<&str>,
    state: PaymentState,
    created_at: DateTime<Utc>,
    config: &JanitorConfig,
) -> Option<PaymentOutcome> {
    let answer = app.gateway.lookup_charge(key, reference).await;
    let nothing_charged = matches!(answer, Ok(None));
    let challenge_open = matches!(
        &answer,
        Ok(Some(charge)) if matches!(charge.status, ChargeStatus::RequiresAction { .. })
    );
    if challenge_open && app.now() - created_at >= chrono(config.authentication_timeout) {
        return match cancel_challenge(app, key, reference).await {
            Ok(outcome) => outcome,
            Err(error) => {
                tracing::warn!(%error, %key, "janitor: cannot cancel a stale 3-D Secure challenge; asking again later");
                None
            }
        };
    }
    let outcome = outcome_for(answer, state, created_at, app.now(), config);
    if let (true, Some(_), Some(reference)) = (nothing_charged, &outcome, reference) {
        if let Err(error) = app.gateway.abandon(reference).await {
            // Perhaps confirmed meanwhile: ask again later rather than record a failure.
            tracing::warn!(%error, %key, "janitor: cannot cancel an unconfirmed charge; asking again later");
            return None;
        }
    }
    outcome
}

/// Cancels an open 3-D Secure challenge at the gateway and returns the outcome to record:
/// `Failed(AuthenticationAbandoned)`, or the challenge's own outcome when the person finished
/// it first. `Ok(None)`: nothing definite yet (no charge under the key, or still waiting).
pub(crate) async fn cancel_challenge(
    app: &Services,
    key: &str,
    reference: Option<&str>,
) -> Result<Option<PaymentOutcome>, GatewayError> {
    Ok(
        match app.gateway.cancel_authentication(key, reference).await? {
            Some(charge) => match crate::paying::outcome_of(Ok(charge)) {
                PaymentOutcome::RequiresAction { .. } => None,
                outcome => Some(outcome),
            },
            None => None,
        },
    )
}

/// Money that moved after we had recorded the payment as failed: the store has kept it (on
/// the invoice, or for a refund when another payment had paid it); operators see it in the
/// activity log and in `faktura_payments_charged_after_failure_total`.
pub(crate) fn note_late_success(settled: &SettleResult) {
    match settled.late_charge {
        LateCharge::None => {}
        LateCharge::Applied => {
            tracing::warn!(payment = %settled.payment.id, "a payment recorded as failed succeeded later; applied to its invoice");
            metrics::counter!("faktura_payments_charged_after_failure_total", "handling" => "applied")
                .increment(1);
        }
        LateCharge::NeedsRefund => {
            tracing::error!(payment = %settled.payment.id, "a payment recorded as failed was charged after another paid the invoice: refund it");
            metrics::counter!("faktura_payments_charged_after_failure_total", "handling" => "needs_refund")
                .increment(1);
        }
    }
}

fn resolution_of(state: PaymentState) -> Resolution {
    match state {
        PaymentState::Succeeded => Resolution::Succeeded,
        PaymentState::Failed => Resolution::Failed,
        _ => Resolution::StillOpen,
    }
}

/// Asks the gateway about one claimed row and settles it if the answer is definite; a row
/// still in doubt gets its next look scheduled.
pub async fn resolve(
    state: &Services,
    item: &InDoubt,
    config: &JanitorConfig,
) -> Result<Resolution, StoreError> {
    let now = state.now();
    let resolution = match look_up(
        state,
        &item.id,
        item.reference.as_deref(),
        item.state,
        item.created_at,
        config,
    )
    .await
    {
        None => Resolution::StillOpen,
        Some(outcome) => match item.kind {
            DoubtKind::Payment => {
                let id = PaymentId::parse(&item.id)
                    .map_err(|_| StoreError::Corrupt(format!("payment id {}", item.id)))?;
                let settled = state
                    .store
                    .settle_payment(&item.account, &id, &outcome, None, None)
                    .await?;
                note_late_success(&settled);
                crate::paying::finish_kept_card(state, &settled.payment).await?;
                resolution_of(settled.payment.state)
            }
            DoubtKind::Settlement => {
                let id = SettlementId::parse(&item.id)
                    .map_err(|_| StoreError::Corrupt(format!("settlement id {}", item.id)))?;
                let settled = state
                    .store
                    .finish_settlement(&item.account, &id, &outcome, None, None)
                    .await?;
                resolution_of(settled.settlement.state)
            }
        },
    };
    if resolution == Resolution::StillOpen {
        state
            .store
            .schedule_check(item, next_look(item, now, config))
            .await?;
    } else {
        tracing::info!(kind = ?item.kind, id = %item.id, outcome = resolution.label(), "janitor: settled");
    }
    metrics::counter!("faktura_janitor_checks_total", "outcome" => resolution.label()).increment(1);
    Ok(resolution)
}

/// When to look at a row still in doubt again: after the backoff, but no later than the moment
/// an open 3-D Secure challenge is given up on (so that happens on time, not at the next
/// hourly look).
fn next_look(item: &InDoubt, now: DateTime<Utc>, config: &JanitorConfig) -> DateTime<Utc> {
    let after_backoff = now + chrono(config.backoff(item.attempts));
    let give_up_at = item.created_at + chrono(config.authentication_timeout);
    if give_up_at > now {
        after_backoff.min(give_up_at)
    } else {
        after_backoff
    }
}

/// Gives up on cards whose 3-D Secure setup was left open for longer than the challenge
/// timeout: cancelled at the gateway, then failed for good (or activated, when the challenge
/// was passed meanwhile). Cards kept for a payment follow that payment instead.
pub async fn expire_card_setups(
    state: &Services,
    config: &JanitorConfig,
) -> Result<usize, StoreError> {
    let before = state.now() - chrono(config.authentication_timeout);
    let stale = state.store.stale_card_setups(before, config.batch).await?;
    for card in &stale {
        let passed = match state
            .gateway
            .cancel_authentication(card.id.as_str(), None)
            .await
        {
            Ok(Some(charge)) => match charge.status {
                ChargeStatus::Succeeded => true,
                ChargeStatus::Failed(_) => false,
                ChargeStatus::RequiresAction { .. } => continue,
            },
            // Nothing was ever set up under the card's id.
            Ok(None) => false,
            Err(error) => {
                tracing::warn!(%error, card = %card.id, "janitor: cannot cancel a card's 3-D Secure setup; trying again later");
                continue;
            }
        };
        state
            .store
            .finish_card_setup(&card.billing_account_id, &card.id, passed, None)
            .await?;
    }
    Ok(stale.len())
}

/// One round: claims the due rows and resolves each. Returns how many were looked at.
pub async fn run_once(state: &Services, config: &JanitorConfig) -> Result<usize, StoreError> {
    let claimed = state
        .store
        .claim_in_doubt(
            state.now(),
            chrono(config.grace),
            chrono(config.lease),
            config.batch,
        )
        .await?;
    if let Err(error) = expire_card_setups(state, config).await {
        tracing::error!(%error, "janitor: cannot expire card setups");
    }
    if let Err(error) = crate::sessions::forget_stale_attempts(state).await {
        tracing::error!(%error, "janitor: cannot forget old sign-in attempts");
    }
    for item in &claimed {
        if let Err(error) = resolve(state, item, config).await {
            // The lease runs out and another round (here or on another node) tries again.
            tracing::error!(%error, id = %item.id, "janitor: cannot settle");
        }
    }
    // Refunds the gateway left open (`crate::refunds`), looked up by their own keys.
    let refunds = crate::refunds::settle_pending(state, config).await?;
    Ok(claimed.len() + refunds)
}

/// Runs rounds until `shutdown` says stop; a round in progress finishes first.
pub async fn run(
    state: Services,
    config: JanitorConfig,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(tick = ?config.tick, "janitor started");
    loop {
        let busy = match run_once(&state, &config).await {
            Ok(count) => count as i64 >= config.batch,
            Err(error) => {
                tracing::error!(%error, "janitor: a round failed");
                false
            }
        };
        // A full batch means more are due: go again at once (unless stopping).
        let pause = if busy {
            Duration::from_millis(10)
        } else {
            config.tick
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            break;
        }
    }
    tracing::info!("janitor stopped");
}

/// Before a new attempt on an invoice: asks the gateway about the invoice's open payment (if
/// it is in doubt) and settles it. Returns the payment as it stands afterwards.
pub async fn resolve_open_payment(state: &Services, open: &Payment) -> Result<Payment, StoreError> {
    let config = &state.config.janitor;
    let now = state.now();
    let in_doubt = match open.state {
        PaymentState::Unknown | PaymentState::RequiresAction => true,
        // A fresh `processing` payment is most likely a request still talking to the gateway.
        PaymentState::Processing => now - open.updated_at >= chrono(config.grace),
        PaymentState::Succeeded | PaymentState::Failed => false,
    };
    if !in_doubt {
        return Ok(open.clone());
    }
    match look_up(
        state,
        open.id.as_str(),
        open.gateway_reference.as_deref(),
        open.state,
        open.created_at,
        config,
    )
    .await
    {
        Some(outcome) => {
            match state
                .store
                .settle_payment(&open.billing_account_id, &open.id, &outcome, None, None)
                .await
            {
                Ok(settled) => {
                    note_late_success(&settled);
                    crate::paying::finish_kept_card(state, &settled.payment).await?;
                    Ok(settled.payment)
                }
                // Part of a settlement: that is settled as a whole, by the janitor's round.
                Err(StoreError::NotFound) => Ok(open.clone()),
                Err(error) => Err(error),
            }
        }
        None => Ok(open.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_then_stops_growing() {
        let config = JanitorConfig {
            first_retry: Duration::from_secs(5),
            max_retry: Duration::from_secs(3600),
            ..JanitorConfig::default()
        };
        let waits: Vec<u64> = (1..=7).map(|n| config.backoff(n).as_secs()).collect();
        assert_eq!(waits, vec![5, 20, 80, 320, 1280, 3600, 3600]);
        assert_eq!(config.backoff(0).as_secs(), 5);
        assert_eq!(config.backoff(i64::MAX).as_secs(), 3600);
    }

    #[test]
    fn an_open_challenge_is_looked_at_when_its_time_is_up() {
        let config = JanitorConfig::default();
        let now = Utc::now();
        let item = |age_minutes: i64, attempts: i64| InDoubt {
            kind: DoubtKind::Payment,
            account: BillingAccountId::generate(),
            id: "pay_x".into(),
            state: PaymentState::RequiresAction,
            created_at: now - chrono::Duration::minutes(age_minutes),
            reference: None,
            attempts,
        };
        // Early on the backoff decides (30 s, then 2 min, …).
        assert_eq!(
            next_look(&item(0, 1), now, &config),
            now + chrono::Duration::seconds(30)
        );
        // Later, the timeout comes first: 25 minutes in, an 8-minute wait is cut to 5.
        assert_eq!(
            next_look(&item(25, 3), now, &config),
            now + chrono::Duration::minutes(5)
        );
        // Past the timeout (a cancel that did not go through): the backoff again.
        assert_eq!(
            next_look(&item(40, 4), now, &config),
            now + chrono::Duration::minutes(32)
        );
    }

    #[test]
    fn no_charge_is_a_failure_only_when_nothing_can_still_arrive() {
        let config = JanitorConfig::default();
        let now = Utc::now();
        let young = now - chrono::Duration::seconds(10);
        let old = now - chrono::Duration::seconds(600);
        assert_eq!(
            outcome_for(Ok(None), PaymentState::Processing, young, now, &config),
            None
        );
        assert!(matches!(
            outcome_for(Ok(None), PaymentState::Unknown, old, now, &config),
            Some(PaymentOutcome::Failed { .. })
        ));
        assert_eq!(
            outcome_for(
                Err(GatewayError::Unknown("timeout".into())),
                PaymentState::Unknown,
                old,
                now,
                &config
            ),
            None
        );
    }
}
