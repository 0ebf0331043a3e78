//! Notifications: who hears of what, and the worker that carries the outbox's events to them.
//!
//! The store queues an event in the transaction of the change it reports (see
//! `faktura_store::outbox`). Each round of [`run_once`] claims open events, decides their
//! recipients here ([`recipients`]), records one delivery per recipient, then claims due
//! deliveries, has the [`Composer`] of [`Services`] (the web adapter: localized text and PDFs)
//! write each message and sends it through the configured [`crate::mail::Mailer`]. A failed attempt is tried again
//! on the [`RETRY_AFTER`] schedule, with jitter; a message that can never be sent fails at
//! once. Every node runs the worker; leases keep two from taking the same work.

mod recipients;
pub mod settings;
mod subjects;

use crate::{AppResult, Services};
use chrono::Duration;
pub use faktura_store::outbox::{Delivery, NewDelivery, OutboxEvent};
use rand::Rng;
pub(crate) use subjects::NoTexts;

/// The channel of e-mail deliveries.
pub const EMAIL: &str = "email";
/// The channel of webhook deliveries (the recipient is the endpoint's id).
pub const WEBHOOK: &str = "webhook";

/// How long after each failed attempt the next one is made (then the delivery fails).
pub const RETRY_AFTER: &[i64] = &[
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
];

/// When to try again after the `attempts`-th failed attempt, with up to 10 % jitter so that
/// many deliveries failed together do not return together; `None` once the schedule is used.
pub fn retry_delay(attempts: i64) -> Option<Duration> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    let seconds = *RETRY_AFTER.get(index)?;
    let jitter = rand::thread_rng().gen_range(0..=seconds.max(10) / 10);
    Some(Duration::seconds(seconds + jitter))
}

pub use recipients::recipients;
pub use subjects::{subject, Composer, Subject};

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub events: usize,
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Why an attempt did not deliver: `retry_after` is `None` when trying again cannot help,
/// `Some(None)` to retry on the schedule, `Some(Some(d))` to retry after `d` (the receiver's).
struct Failure {
    retry_after: Option<Option<Duration>>,
    reason: String,
}

/// The message of an invitation, with its link made for it now;
/// `None` when the invitation can no longer be used.
async fn invitation_message(
    app: &Services,
    delivery: &Delivery,
) -> AppResult<Option<Result<crate::mail::Message, String>>> {
    let event = &delivery.event;
    let (Some(invitation), Some(account)) = (
        event.detail.get("invitation").and_then(|v| v.as_str()),
        &event.billing_account_id,
    ) else {
        return Ok(None);
    };
    let Some(account) = app.store.account(account).await? else {
        return Ok(None);
    };
    let inviter = match &event.actor {
        Some(id) => app.store.user_by_id(id).await?,
        None => None,
    };
    let inviter = match inviter {
        Some(user) => format!("{} ({})", user.display_name, user.email),
        None => "Faktura".to_owned(),
    };
    // A fresh token for this mail: the link exists only in the message from here on (not in
    // the outbox, the log, the delivery's error or a webhook). A retry makes another, and the
    // one before stops working; the latest mail's link is the one that works.
    let Some(link) = app
        .store
        .issue_invitation_link(invitation, app.now())
        .await?
    else {
        return Ok(None);
    };
    let url = app.config.invitation_link(&link.token);
    Ok(Some(
        app.composer
            .invitation(&crate::mail::InvitationMail {
                to: &link.email,
                inviter: &inviter,
                account: &account.display_name,
                link: &url,
                expires: link.expires_at,
                locale: delivery.locale,
            })
            .map(|mut message| {
                message.id = Some(delivery.id.clone());
                message
            }),
    ))
}

async fn email(app: &Services, delivery: &Delivery) -> AppResult<Result<(), Failure>> {
    let message = if delivery.event.kind == "invitation.created" {
        match invitation_message(app, delivery).await? {
            Some(message) => message,
            // Used, revoked by a newer one, or expired: nothing to send any more.
            None => return Ok(Ok(())),
        }
    } else {
        // What it was about is gone: nothing to tell any more.
        let Some(subject) = subject(app, &delivery.event).await? else {
            return Ok(Ok(()));
        };
        app.composer.compose(delivery, &subject)
    };
    let message = match message {
        Ok(message) => message,
        Err(reason) => {
            return Ok(Err(Failure {
                retry_after: None,
                reason,
            }))
        }
    };
    Ok(app.config.mailer.send(&message).await.map_err(|e| Failure {
        retry_after: e.is_transient().then_some(None),
        reason: e.to_string(),
    }))
}

async fn webhook(app: &Services, delivery: &Delivery) -> AppResult<Result<(), Failure>> {
    use crate::webhooks::Sent;
    Ok(match crate::webhooks::attempt(app, delivery).await? {
        Sent::Delivered => Ok(()),
        Sent::Gone => Err(Failure {
            retry_after: None,
            reason: "HTTP 410: the endpoint is disabled".into(),
        }),
        Sent::Retry { reason, after } => Err(Failure {
            retry_after: Some(after),
            reason,
        }),
        Sent::Refused(reason) => Err(Failure {
            retry_after: None,
            reason,
        }),
    })
}

/// How many events and deliveries one round takes.
const BATCH: u32 = 50;

/// Queues the reminders that have come due (see `faktura_store`'s reminders); how many.
pub async fn queue_reminders(app: &Services) -> AppResult<usize> {
    Ok(app
        .store
        .queue_reminders(app.today(), app.now(), app.config.due_soon_days)
        .await?)
}

/// One round: queue due reminders, fan out open events, then attempt due deliveries.
pub async fn run_once(app: &Services) -> AppResult<Round> {
    queue_reminders(app).await?;
    deliver_once(app).await
}

/// Fans out open events, then attempts due deliveries.
async fn deliver_once(app: &Services) -> AppResult<Round> {
    let mut round = Round::default();
    let lease = Duration::from_std(app.config.notify_lease).unwrap_or(Duration::minutes(2));
    let events = app
        .store
        .claim_outbox_events(BATCH, app.now(), lease)
        .await?;
    for event in &events {
        let deliveries = recipients(app, event).await?;
        app.store.fan_out(&event.id, &deliveries, app.now()).await?;
        round.events += 1;
    }
    let due = app.store.claim_deliveries(BATCH, app.now(), lease).await?;
    for delivery in &due {
        let sent = if delivery.channel == WEBHOOK {
            webhook(app, delivery).await?
        } else {
            email(app, delivery).await?
        };
        match sent {
            Ok(()) => {
                app.store
                    .delivery_succeeded(&delivery.id, app.now())
                    .await?;
                round.delivered += 1;
            }
            Err(Failure {
                retry_after,
                reason,
            }) => {
                let retry = retry_after
                    .and_then(|after| after.or_else(|| retry_delay(delivery.attempts)))
                    .filter(|_| delivery.attempts <= RETRY_AFTER.len() as i64)
                    .map(|delay| app.now() + delay);
                tracing::warn!(
                    delivery = %delivery.id,
                    channel = %delivery.channel,
                    kind = %delivery.event.kind,
                    attempts = delivery.attempts,
                    retry = retry.is_some(),
                    %reason,
                    "a notification was not delivered"
                );
                if retry.is_some() {
                    round.retrying += 1;
                } else {
                    round.failed += 1;
                }
                // Failing through the whole schedule (about three days): the endpoint is off
                // and its owners hear of it.
                if delivery.channel == WEBHOOK && retry_after.is_some() && retry.is_none() {
                    app.store
                        .disable_failing_webhook_endpoint(
                            &delivery.recipient,
                            "every attempt failed for three days",
                        )
                        .await?;
                }
                app.store
                    .delivery_failed(&delivery.id, &reason, retry, app.now())
                    .await?;
            }
        }
    }
    Ok(round)
}

/// How often the worker looks for reminders that came due (they are by the day; a look is a
/// few indexed queries, not worth making every round).
const REMINDER_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs rounds every `tick` (at once again while there is more) until `shutdown` says stop.
pub async fn run(
    app: Services,
    tick: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(?tick, "notification worker started");
    let mut reminders_due = tokio::time::Instant::now();
    loop {
        if tokio::time::Instant::now() >= reminders_due {
            if let Err(error) = queue_reminders(&app).await {
                tracing::error!(%error, "notifications: queueing reminders failed");
            }
            reminders_due = tokio::time::Instant::now() + REMINDER_INTERVAL;
        }
        let busy = match deliver_once(&app).await {
            Ok(round) => round.events > 0 || round.delivered + round.retrying + round.failed > 0,
            Err(error) => {
                tracing::error!(%error, "notifications: a round failed");
                false
            }
        };
        let pause = if busy {
            std::time::Duration::from_millis(10)
        } else {
            tick
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_with_bounded_jitter_then_stop() {
        for (attempt, base) in RETRY_AFTER.iter().enumerate() {
            let delay = retry_delay(attempt as i64 + 1).unwrap().num_seconds();
            assert!(
                (*base..=base + base.max(&10) / 10).contains(&delay),
                "{attempt}: {delay}"
            );
        }
        assert_eq!(retry_delay(RETRY_AFTER.len() as i64 + 1), None);
        assert_eq!(retry_delay(0), None);
    }
}
