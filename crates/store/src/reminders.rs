//! Time-based events, each queued once: `invoice.past_due` the day after an unpaid invoice's
//! due date, `payment_method.expiring` when an active card expires within 30 days. A
//! conditional update marks the invoice or card in the same transaction as the activity-log
//! entry (and so the outbox event), so two workers never announce one twice.

use crate::audit::{self, NewAuditEvent};
use crate::rows::{self, millis};
use crate::{Result, Store};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use faktura_domain::*;
use sqlx::Row;

/// How long before a card's expiry its owners hear of it.
pub const EXPIRY_NOTICE_DAYS: i64 = 30;
const BATCH: i64 = 100;

/// Marks what is already past due or expiring as announced: demo and generated data are
/// history, not news (the partial indexes keep this to the open invoices and active cards).
pub(crate) async fn mark_announced(conn: &mut sqlx::AnyConnection) -> Result<()> {
    sqlx::query(
        "UPDATE invoices SET past_due_notified_at = 0 WHERE past_due_notified_at IS NULL \
         AND status IN ('Due', 'OverDue')",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE payment_methods SET expiry_notified_at = 0 WHERE expiry_notified_at IS NULL \
         AND status = 'active'",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Queues what has come due by `today`; how many events were queued.
    pub async fn queue_reminders(&self, today: NaiveDate, now: DateTime<Utc>) -> Result<usize> {
        let mut queued = 0;
        let due = sqlx::query(
            "SELECT id, billing_account_id FROM invoices WHERE past_due_notified_at IS NULL \
             AND status IN ('Due', 'OverDue') AND due_date < $1 ORDER BY due_date LIMIT $2",
        )
        .bind(today.format("%Y-%m-%d").to_string())
        .bind(BATCH)
        .fetch_all(self.pool())
        .await?;
        for row in &due {
            let id = rows::text(row, "id")?;
            let mut tx = self.begin_write().await?;
            let marked = sqlx::query(
                "UPDATE invoices SET past_due_notified_at = $1 WHERE id = $2 \
                 AND past_due_notified_at IS NULL AND status IN ('Due', 'OverDue')",
            )
            .bind(millis(now))
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            if marked.rows_affected() != 1 {
                continue;
            }
            let invoice = sqlx::query(
                "SELECT number, billing_profile_id, due_date, currency, \
                 total_minor - credits_minor - amount_paid_minor AS due_minor FROM invoices WHERE id = $1",
            )
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
            audit::insert(
                &mut tx,
                &NewAuditEvent {
                    billing_account_id: Some(rows::id(
                        row,
                        "billing_account_id",
                        BillingAccountId::parse,
                    )?),
                    actor: None,
                    kind: "invoice.past_due".into(),
                    target: rows::text(&invoice, "number")?,
                    detail: serde_json::json!({
                        "invoice": id,
                        "profile": rows::text(&invoice, "billing_profile_id")?,
                        "due_date": rows::text(&invoice, "due_date")?,
                        "amount_due_minor": invoice.try_get::<i64, _>("due_minor")?,
                        "currency": rows::text(&invoice, "currency")?,
                    }),
                    ip: None,
                },
            )
            .await?;
            tx.commit().await?;
            queued += 1;
        }
        // A card valid through month M expires when M ends, i.e. when M + 1 begins: it is
        // announced once that beginning is at most EXPIRY_NOTICE_DAYS away, which is when M is
        // before the month of the day after the horizon.
        let horizon = today + Duration::days(EXPIRY_NOTICE_DAYS + 1);
        let horizon_month = i64::from(horizon.year()) * 12 + i64::from(horizon.month0());
        let expiring = sqlx::query(
            "SELECT id, billing_account_id FROM payment_methods WHERE expiry_notified_at IS NULL \
             AND status = 'active' AND exp_year * 12 + exp_month - 1 < $1 LIMIT $2",
        )
        .bind(horizon_month)
        .bind(BATCH)
        .fetch_all(self.pool())
        .await?;
        for row in &expiring {
            let id = rows::text(row, "id")?;
            let mut tx = self.begin_write().await?;
            let marked = sqlx::query(
                "UPDATE payment_methods SET expiry_notified_at = $1 WHERE id = $2 \
                 AND expiry_notified_at IS NULL AND status = 'active'",
            )
            .bind(millis(now))
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            if marked.rows_affected() != 1 {
                continue;
            }
            let card = sqlx::query(
                "SELECT billing_profile_id, brand, last4, exp_month, exp_year FROM payment_methods WHERE id = $1",
            )
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
            audit::insert(
                &mut tx,
                &NewAuditEvent {
                    billing_account_id: Some(rows::id(
                        row,
                        "billing_account_id",
                        BillingAccountId::parse,
                    )?),
                    actor: None,
                    kind: "payment_method.expiring".into(),
                    target: id.clone(),
                    detail: serde_json::json!({
                        "payment_method": id,
                        "profile": rows::text(&card, "billing_profile_id")?,
                        "brand": rows::text(&card, "brand")?,
                        "last4": rows::text(&card, "last4")?,
                        "exp_month": card.try_get::<i64, _>("exp_month")?,
                        "exp_year": card.try_get::<i64, _>("exp_year")?,
                    }),
                    ip: None,
                },
            )
            .await?;
            tx.commit().await?;
            queued += 1;
        }
        Ok(queued)
    }
}
