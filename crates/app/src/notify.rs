//! Notifications: who hears of what, and the worker that carries the outbox's events to them.
//!
//! The store queues an event in the transaction of the change it reports (see
//! `faktura_store::outbox`). Each round of [`run_once`] claims open events, decides their
//! recipients here ([`recipients`]), records one delivery per recipient, then claims due
//! deliveries, has a [`Composer`] (the web adapter: localized text and PDFs) write each message
//! and sends it through the configured [`crate::mail::Mailer`]. A failed attempt is tried again
//! on the [`RETRY_AFTER`] schedule, with jitter; a message that can never be sent fails at
//! once. Every node runs the worker; leases keep two from taking the same work.

use crate::mail::Message;
use crate::{AppResult, Services};
use chrono::Duration;
use faktura_domain::*;
pub use faktura_store::outbox::{Delivery, NewDelivery, OutboxEvent};
use rand::Rng;

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

/// What a delivery tells, with the records it needs, as they are now. (One lives per delivery
/// attempt, so the variants' different sizes cost nothing worth boxing.)
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Subject {
    /// A payment succeeded: the receipt.
    Paid {
        account: BillingAccount,
        profile: BillingProfile,
        invoice: Invoice,
        payment: Payment,
        method: Option<PaymentMethod>,
    },
    /// A payment failed.
    Declined {
        account: BillingAccount,
        invoice: Invoice,
        payment: Payment,
    },
    /// An invoice was issued.
    Issued {
        account: BillingAccount,
        profile: BillingProfile,
        invoice: Invoice,
    },
    /// The recipient was given a role on an account.
    Granted { account: BillingAccount, role: Role },
    /// A webhook endpoint kept failing and was turned off.
    WebhookDisabled {
        account: BillingAccount,
        url: String,
    },
    /// An unpaid invoice went past its due date.
    PastDue {
        account: BillingAccount,
        invoice: Invoice,
    },
    /// A card of the profile expires soon (or has expired).
    Expiring {
        account: BillingAccount,
        profile: BillingProfile,
        method: PaymentMethod,
    },
}

/// Writes the message for one delivery (the web adapter: localized text, PDFs, links). An
/// `Err` is a message that cannot be written; it fails without a retry.
pub trait Composer: Send + Sync {
    fn compose(&self, delivery: &Delivery, subject: &Subject) -> Result<Message, String>;
}

/// The records a delivery's event is about; `None` when they are gone.
pub async fn subject(app: &Services, event: &OutboxEvent) -> AppResult<Option<Subject>> {
    let Some(account_id) = &event.billing_account_id else {
        return Ok(None);
    };
    let Some(account) = app.store.account(account_id).await? else {
        return Ok(None);
    };
    let subject = match event.kind.as_str() {
        "payment.succeeded" | "payment.failed" => {
            let Some(id) = detail_id(event, "payment", PaymentId::parse) else {
                return Ok(None);
            };
            let Some(payment) = app.store.payment(account_id, &id).await? else {
                return Ok(None);
            };
            let Some(invoice) = app.store.invoice(account_id, &payment.invoice_id).await? else {
                return Ok(None);
            };
            if event.kind == "payment.failed" {
                return Ok(Some(Subject::Declined {
                    account,
                    invoice,
                    payment,
                }));
            }
            let Some(profile) = app
                .store
                .profile(account_id, &invoice.billing_profile_id)
                .await?
            else {
                return Ok(None);
            };
            let method = match &payment.payment_method_id {
                Some(id) => app.store.payment_method(account_id, id).await?,
                None => None,
            };
            Subject::Paid {
                account,
                profile,
                invoice,
                payment,
                method,
            }
        }
        "webhook.disabled" => Subject::WebhookDisabled {
            account,
            url: event.target.clone(),
        },
        "invoice.past_due" => {
            let Some(id) = detail_id(event, "invoice", InvoiceId::parse) else {
                return Ok(None);
            };
            match app.store.invoice(account_id, &id).await? {
                // Paid in the meantime: nothing to remind of.
                Some(invoice) if invoice.status != InvoiceStatus::Paid => {
                    Subject::PastDue { account, invoice }
                }
                _ => return Ok(None),
            }
        }
        "payment_method.expiring" => {
            let Some(id) = detail_id(event, "payment_method", PaymentMethodId::parse) else {
                return Ok(None);
            };
            // Detached (or replaced) since: nothing to warn of.
            let method = match app.store.payment_method(account_id, &id).await? {
                Some(method) if method.status == PaymentMethodStatus::Active => method,
                _ => return Ok(None),
            };
            let Some(profile) = app
                .store
                .profile(account_id, &method.billing_profile_id)
                .await?
            else {
                return Ok(None);
            };
            Subject::Expiring {
                account,
                profile,
                method,
            }
        }
        "invoice.issued" => {
            let Some(id) = detail_id(event, "invoice", InvoiceId::parse) else {
                return Ok(None);
            };
            let Some(invoice) = app.store.invoice(account_id, &id).await? else {
                return Ok(None);
            };
            let Some(profile) = app
                .store
                .profile(account_id, &invoice.billing_profile_id)
                .await?
            else {
                return Ok(None);
            };
            Subject::Issued {
                account,
                profile,
                invoice,
            }
        }
        "role.granted" => {
            let role = event
                .detail
                .get("role")
                .and_then(|v| v.as_str())
                .and_then(|code| code.parse::<Role>().ok());
            let Some(role) = role else {
                return Ok(None);
            };
            Subject::Granted { account, role }
        }
        _ => return Ok(None),
    };
    Ok(Some(subject))
}

/// The language a profile's invoice recipient reads: Danish for a Danish address.
fn profile_locale(profile: &BillingProfile) -> Locale {
    if profile.bill_to.country.eq_ignore_ascii_case("DK") {
        Locale::DaDk
    } else {
        Locale::EnUs
    }
}

fn person(user: &User) -> NewDelivery {
    NewDelivery {
        channel: EMAIL,
        recipient: user.email.clone(),
        locale: crate::sessions::preferred_language(user).unwrap_or_default(),
    }
}

fn detail_id<T>(
    event: &OutboxEvent,
    field: &str,
    parse: fn(&str) -> Result<T, InvalidId>,
) -> Option<T> {
    event
        .detail
        .get(field)?
        .as_str()
        .and_then(|raw| parse(raw).ok())
}

/// Who is told of the event:
/// - `payment.succeeded`: the payer (a receipt) and the profile's invoice recipient;
/// - `payment.failed`: the payer;
/// - `invoice.issued`: the profile's invoice recipient;
/// - `role.granted`: the person given the role, unless the grant mailed them an invitation.
pub async fn recipients(app: &Services, event: &OutboxEvent) -> AppResult<Vec<NewDelivery>> {
    let mut found = Vec::new();
    let Some(account) = &event.billing_account_id else {
        return Ok(found);
    };
    match event.kind.as_str() {
        "payment.succeeded" | "payment.failed" => {
            let payment = match detail_id(event, "payment", PaymentId::parse) {
                Some(id) => app.store.payment(account, &id).await?,
                None => None,
            };
            let Some(payment) = payment else {
                return Ok(found);
            };
            // The person who started the payment, whoever settled it (they, or the janitor).
            if let Some(payer) = app.store.user_by_id(&payment.created_by).await? {
                found.push(person(&payer));
            }
            if event.kind == "payment.succeeded" {
                if let Some(invoice) = app.store.invoice(account, &payment.invoice_id).await? {
                    let profile = app
                        .store
                        .profile(account, &invoice.billing_profile_id)
                        .await?;
                    if let Some(profile) = profile {
                        found.push(NewDelivery {
                            channel: EMAIL,
                            recipient: profile.invoice_email.clone(),
                            locale: profile_locale(&profile),
                        });
                    }
                }
            }
        }
        "invoice.issued" | "invoice.past_due" | "payment_method.expiring" => {
            if let Some(id) = detail_id(event, "profile", BillingProfileId::parse) {
                if let Some(profile) = app.store.profile(account, &id).await? {
                    found.push(NewDelivery {
                        channel: EMAIL,
                        recipient: profile.invoice_email.clone(),
                        locale: profile_locale(&profile),
                    });
                }
            }
        }
        "webhook.disabled" => {
            // The account's owners: they manage its webhooks.
            for (assignment, email) in app.store.role_assignments(account).await? {
                if assignment.role == Role::BillingAccountOwner
                    && assignment.scope == Scope::Account
                {
                    if let Some(user) = app.store.user_by_email(&email).await? {
                        found.push(person(&user));
                    }
                }
            }
        }
        "role.granted" => {
            let invited = event.detail.get("invited").and_then(|v| v.as_bool()) == Some(true);
            if !invited {
                if let Some(user) = app.store.user_by_email(&event.target).await? {
                    found.push(person(&user));
                }
            }
        }
        _ => {}
    }
    // One message per address, in the language of its first mention (the payer's own).
    let mut seen = std::collections::HashSet::new();
    found.retain(|d| seen.insert(d.recipient.to_lowercase()));
    if crate::webhooks::EVENT_TYPES.contains(&event.kind.as_str()) {
        for endpoint in app
            .store
            .webhook_endpoints_for(Some(account), &event.kind)
            .await?
        {
            found.push(NewDelivery {
                channel: WEBHOOK,
                recipient: endpoint.id,
                locale: Locale::default(),
            });
        }
    }
    Ok(found)
}

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

async fn email(
    app: &Services,
    composer: &dyn Composer,
    delivery: &Delivery,
) -> AppResult<Result<(), Failure>> {
    // What it was about is gone: nothing to tell any more.
    let Some(subject) = subject(app, &delivery.event).await? else {
        return Ok(Ok(()));
    };
    let message = match composer.compose(delivery, &subject) {
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

/// One round: fan out open events, then attempt due deliveries.
pub async fn run_once(app: &Services, composer: &dyn Composer) -> AppResult<Round> {
    let mut round = Round::default();
    let lease = Duration::from_std(app.config.notify_lease).unwrap_or(Duration::minutes(2));
    app.store.queue_reminders(app.today(), app.now()).await?;
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
            email(app, composer, delivery).await?
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

/// Runs rounds every `tick` (at once again while there is more) until `shutdown` says stop.
pub async fn run(
    app: Services,
    composer: std::sync::Arc<dyn Composer>,
    tick: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(?tick, "notification worker started");
    loop {
        let busy = match run_once(&app, composer.as_ref()).await {
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
