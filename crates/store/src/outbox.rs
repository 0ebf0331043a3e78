//! The transactional outbox and its deliveries.
//!
//! An event someone must hear about is queued by [`crate::audit::insert`], inside the
//! transaction that makes the change, under the activity-log entry's id. A worker on any node
//! then claims open events (a lease: `claimed_until`; `FOR UPDATE SKIP LOCKED` on PostgreSQL,
//! the write gate on SQLite), decides who gets what, and records one delivery per recipient
//! and channel; the unique key makes a repeated fan-out add nothing. Deliveries are claimed
//! the same way, attempted, and marked delivered, rescheduled or failed. A worker that dies
//! mid-way leaves a lease that runs out, so the work is taken up again: at least once, under
//! the delivery's stable id.

use crate::audit::NewAuditEvent;
use crate::rows::{self, millis};
use crate::{Backend, Result, Store};
use chrono::{DateTime, Duration, Utc};
use faktura_domain::*;
use sqlx::Row;

/// The activity-log kinds that are also notifications.
pub const NOTIFIED: &[&str] = &[
    "invoice.issued",
    "invoice.paid",
    "invoice.past_due",
    "invoice.due_soon",
    "payment.succeeded",
    "payment.failed",
    "payment.requires_action",
    "payment.refunded",
    "credit_note.issued",
    "role.granted",
    "invitation.created",
    "payment_method.expiring",
    "payment_method.expired",
    "payment_method.added",
    "payment_method.replaced",
    "webhook.disabled",
    "support_request.updated",
];

pub(crate) async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    id: &AuditEventId,
    event: &NewAuditEvent,
    now: DateTime<Utc>,
) -> Result<()> {
    if !NOTIFIED.contains(&event.kind.as_str()) {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO outbox_events (id, kind, billing_account_id, actor_user_id, target, detail, \
         created_at, claimed_until, fanned_out_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, NULL)",
    )
    .bind(id.as_str())
    .bind(&event.kind)
    .bind(event.billing_account_id.as_ref().map(|a| a.as_str()))
    .bind(event.actor.as_ref().map(|a| a.as_str()))
    .bind(&event.target)
    .bind(event.detail.to_string())
    .bind(millis(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An event waiting to be turned into deliveries.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub id: AuditEventId,
    pub kind: String,
    pub billing_account_id: Option<BillingAccountId>,
    pub actor: Option<UserId>,
    /// What the activity log names as the event's object (an invoice number, an e-mail).
    pub target: String,
    pub detail: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// One recipient of an event on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub channel: &'static str,
    pub recipient: String,
    pub locale: Locale,
}

/// A delivery claimed for an attempt, with its event.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub event: OutboxEvent,
    pub channel: String,
    pub recipient: String,
    pub locale: Locale,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// A delivery's state as the operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryStatus {
    pub id: String,
    pub event_kind: String,
    pub channel: String,
    pub recipient: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

fn skip_locked(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    }
}

fn event_from(row: &sqlx::any::AnyRow, prefix: &str) -> Result<OutboxEvent> {
    let column = |name: &str| format!("{prefix}{name}");
    let detail: String = row.try_get(column("detail").as_str())?;
    Ok(OutboxEvent {
        id: rows::id(row, &column("id"), AuditEventId::parse)?,
        kind: rows::text(row, &column("kind"))?,
        billing_account_id: rows::opt_id(
            row,
            &column("billing_account_id"),
            BillingAccountId::parse,
        )?,
        actor: rows::opt_id(row, &column("actor_user_id"), UserId::parse)?,
        target: rows::text(row, &column("target"))?,
        detail: serde_json::from_str(&detail).map_err(|_| rows::corrupt("detail", &detail))?,
        created_at: rows::timestamp(row, &column("created_at"))?,
    })
}

impl Store {
    /// Claims up to `limit` events no worker holds, for `lease`.
    pub async fn claim_outbox_events(
        &self,
        limit: u32,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<OutboxEvent>> {
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(&format!(
            "SELECT * FROM outbox_events WHERE fanned_out_at IS NULL AND claimed_until <= $1 \
             ORDER BY created_at LIMIT $2{}",
            skip_locked(self.backend())
        ))
        .bind(millis(now))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let events = rows
            .iter()
            .map(|row| event_from(row, ""))
            .collect::<Result<Vec<_>>>()?;
        for event in &events {
            sqlx::query("UPDATE outbox_events SET claimed_until = $1 WHERE id = $2")
                .bind(millis(now + lease))
                .bind(event.id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(events)
    }

    /// Records the event's deliveries (those already there stay as they are) and closes it.
    pub async fn fan_out(
        &self,
        event: &AuditEventId,
        deliveries: &[NewDelivery],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for delivery in deliveries {
            sqlx::query(
                "INSERT INTO deliveries (id, event_id, channel, recipient, locale, state, attempts, \
                 next_attempt_at, claimed_until, last_error, created_at, finished_at) \
                 VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, 0, NULL, $6, NULL) \
                 ON CONFLICT (event_id, channel, recipient) DO NOTHING",
            )
            .bind(format!("dlv_{}", crate::random_token()))
            .bind(event.as_str())
            .bind(delivery.channel)
            .bind(&delivery.recipient)
            .bind(delivery.locale.tag())
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE outbox_events SET fanned_out_at = $1 WHERE id = $2")
            .bind(millis(now))
            .bind(event.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims up to `limit` due deliveries no worker holds, for `lease`, counting the attempt.
    pub async fn claim_deliveries(
        &self,
        limit: u32,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<Delivery>> {
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(&format!(
            "SELECT d.id AS delivery_id, d.channel, d.recipient, d.locale, d.attempts, \
             e.id AS e_id, e.kind AS e_kind, e.billing_account_id AS e_billing_account_id, \
             e.actor_user_id AS e_actor_user_id, e.target AS e_target, e.detail AS e_detail, \
             e.created_at AS e_created_at \
             FROM deliveries d JOIN outbox_events e ON e.id = d.event_id \
             WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND d.claimed_until <= $1 \
             ORDER BY d.next_attempt_at LIMIT $2{}",
            match self.backend() {
                Backend::Postgres => " FOR UPDATE OF d SKIP LOCKED",
                Backend::Sqlite => "",
            }
        ))
        .bind(millis(now))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let locale_tag = rows::text(row, "locale")?;
            let delivery = Delivery {
                id: rows::text(row, "delivery_id")?,
                event: event_from(row, "e_")?,
                channel: rows::text(row, "channel")?,
                recipient: rows::text(row, "recipient")?,
                locale: Locale::from_tag(&locale_tag)
                    .ok_or_else(|| rows::corrupt("locale", &locale_tag))?,
                attempts: row.try_get::<i64, _>("attempts")? + 1,
            };
            sqlx::query(
                "UPDATE deliveries SET claimed_until = $1, attempts = attempts + 1 WHERE id = $2",
            )
            .bind(millis(now + lease))
            .bind(&delivery.id)
            .execute(&mut *tx)
            .await?;
            claimed.push(delivery);
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// The attempt worked: the delivery is done.
    pub async fn delivery_succeeded(&self, id: &str, now: DateTime<Utc>) -> Result<()> {
        self.finish_delivery(id, "delivered", None, None, now).await
    }

    /// The attempt failed: tried again at `retry_at`, or, with none, failed for good.
    pub async fn delivery_failed(
        &self,
        id: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let state = if retry_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        self.finish_delivery(id, state, Some(error), retry_at, now)
            .await
    }

    async fn finish_delivery(
        &self,
        id: &str,
        state: &str,
        error: Option<&str>,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let error: Option<String> = error.map(|e| e.chars().take(500).collect());
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE deliveries SET state = $1, last_error = $2, next_attempt_at = $3, \
             claimed_until = 0, finished_at = $4 WHERE id = $5 AND state = 'pending'",
        )
        .bind(state)
        .bind(error)
        .bind(millis(retry_at.unwrap_or(now)))
        .bind((state != "pending").then(|| millis(now)))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deliveries of one event, or of all when `event` is `None`, oldest first (at most 500).
    pub async fn deliveries(&self, event: Option<&AuditEventId>) -> Result<Vec<DeliveryStatus>> {
        let rows = sqlx::query(
            "SELECT d.id, e.kind, d.channel, d.recipient, d.state, d.attempts, d.last_error \
             FROM deliveries d JOIN outbox_events e ON e.id = d.event_id \
             WHERE ($1 = '' OR d.event_id = $1) ORDER BY d.created_at, d.id LIMIT 500",
        )
        .bind(event.map(|e| e.as_str()).unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DeliveryStatus {
                    id: rows::text(row, "id")?,
                    event_kind: rows::text(row, "kind")?,
                    channel: rows::text(row, "channel")?,
                    recipient: rows::text(row, "recipient")?,
                    state: rows::text(row, "state")?,
                    attempts: row.try_get("attempts")?,
                    last_error: rows::opt_text(row, "last_error")?,
                })
            })
            .collect()
    }

    /// How many events wait for fan-out and how many deliveries are still pending.
    pub async fn outbox_backlog(&self) -> Result<(i64, i64)> {
        let events: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox_events WHERE fanned_out_at IS NULL")
                .fetch_one(self.pool())
                .await?;
        let deliveries: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")
                .fetch_one(self.pool())
                .await?;
        Ok((events, deliveries))
    }

    /// A consistency check of the outbox against the activity log (for tests and operators):
    /// every notified log entry has its event and every event its log entry, and how the
    /// deliveries stand.
    pub async fn outbox_audit(&self) -> Result<OutboxAudit> {
        let kinds = NOTIFIED
            .iter()
            .map(|k| format!("'{k}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let log_without_event: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM audit_events a WHERE a.kind IN ({kinds}) \
             AND NOT EXISTS (SELECT 1 FROM outbox_events e WHERE e.id = a.id)"
        ))
        .fetch_one(self.pool())
        .await?;
        let event_without_log: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox_events e \
             WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.id = e.id)",
        )
        .fetch_one(self.pool())
        .await?;
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox_events")
            .fetch_one(self.pool())
            .await?;
        let states = sqlx::query(
            "SELECT channel, state, COUNT(*) AS n FROM deliveries GROUP BY channel, state",
        )
        .fetch_all(self.pool())
        .await?;
        let mut deliveries = Vec::new();
        for row in &states {
            deliveries.push((
                rows::text(row, "channel")?,
                rows::text(row, "state")?,
                row.try_get::<i64, _>("n")?,
            ));
        }
        deliveries.sort();
        let delivered_email: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM deliveries WHERE channel = 'email' AND state = 'delivered' ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(OutboxAudit {
            events,
            log_without_event,
            event_without_log,
            deliveries,
            delivered_email,
        })
    }
}

/// What [`Store::outbox_audit`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxAudit {
    pub events: i64,
    /// Notified activity-log entries with no outbox event (must be 0).
    pub log_without_event: i64,
    /// Outbox events with no activity-log entry (must be 0).
    pub event_without_log: i64,
    /// (channel, state, count), sorted.
    pub deliveries: Vec<(String, String, i64)>,
    /// The ids of delivered e-mail deliveries (each message's `Message-ID` carries one).
    pub delivered_email: Vec<String>,
}
