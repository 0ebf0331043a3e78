//! Time-based events, each queued once: `invoice.due_soon` a configured number of days before
//! an unpaid invoice's due date, `invoice.past_due` the day after it, `payment_method.expiring`
//! when an active card expires within 30 days, `payment_method.expired` once its expiry month has
//! ended. A
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
        "UPDATE invoices SET due_soon_notified_at = 0 WHERE due_soon_notified_at IS NULL \
         AND status IN ('Due')",
    )
    .execute(&mut *conn)
    .await?;
    for column in [EXPIRING.column, EXPIRED.column] {
        sqlx::query(&format!(
            "UPDATE payment_methods SET {column} = 0 WHERE {column} IS NULL AND status = 'active'"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One invoice reminder: its event kind, the column that says it was made, and which invoices
/// get it.
struct InvoiceReminder {
    kind: &'static str,
    column: &'static str,
    statuses: &'static str,
}

const PAST_DUE: InvoiceReminder = InvoiceReminder {
    kind: "invoice.past_due",
    column: "past_due_notified_at",
    statuses: "'Due', 'OverDue'",
};

const DUE_SOON: InvoiceReminder = InvoiceReminder {
    kind: "invoice.due_soon",
    column: "due_soon_notified_at",
    statuses: "'Due'",
};

/// One card reminder: its event kind and the column that says it was made.
struct CardReminder {
    kind: &'static str,
    column: &'static str,
}

const EXPIRING: CardReminder = CardReminder {
    kind: "payment_method.expiring",
    column: "expiry_notified_at",
};

const EXPIRED: CardReminder = CardReminder {
    kind: "payment_method.expired",
    column: "expired_notified_at",
};

/// A month as a number (`year * 12 + month - 1`), as cards' expiries are compared.
fn month_number(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 12 + i64::from(day.month0())
}

impl Store {
    /// Queues what has come due by `today` (the due-soon reminder `due_soon_days` before the
    /// due date; 0 sends none); how many events were queued.
    pub async fn queue_reminders(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
        due_soon_days: u32,
    ) -> Result<usize> {
        let yesterday = today - Duration::days(1);
        let mut queued = self
            .queue_invoice_reminders(&PAST_DUE, None, yesterday, None, now)
            .await?;
        if due_soon_days > 0 {
            let horizon = today + Duration::days(i64::from(due_soon_days));
            queued += self
                .queue_invoice_reminders(&DUE_SOON, Some(today), horizon, Some(due_soon_days), now)
                .await?;
        }
        // A card valid through month M expires when M ends, i.e. when M + 1 begins: it is
        // announced once that beginning is at most EXPIRY_NOTICE_DAYS away, which is when M is
        // before the month of the day after the horizon.
        let horizon = today + Duration::days(EXPIRY_NOTICE_DAYS + 1);
        queued += self
            .queue_card_reminders(&EXPIRING, month_number(horizon), now)
            .await?;
        // Valid through month M: expired once today's month is after M.
        queued += self
            .queue_card_reminders(&EXPIRED, month_number(today), now)
            .await?;
        Ok(queued)
    }

    /// Queues `reminder` for active cards valid through a month before `before_month` (see
    /// [`month_number`]) that have not had it; each marked in its event's transaction.
    async fn queue_card_reminders(
        &self,
        reminder: &CardReminder,
        before_month: i64,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let column = reminder.column;
        let due = sqlx::query(&format!(
            "SELECT id, billing_account_id FROM payment_methods WHERE {column} IS NULL \
             AND status = 'active' AND exp_year * 12 + exp_month - 1 < $1 LIMIT $2"
        ))
        .bind(before_month)
        .bind(BATCH)
        .fetch_all(self.pool())
        .await?;
        let mut queued = 0;
        for row in &due {
            let id = rows::text(row, "id")?;
            let mut tx = self.begin_write().await?;
            let marked = sqlx::query(&format!(
                "UPDATE payment_methods SET {column} = $1 WHERE id = $2 \
                 AND {column} IS NULL AND status = 'active'"
            ))
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
                    kind: reminder.kind.into(),
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

    /// Queues `reminder` for the invoices due from `from` (any date when `None`) through
    /// `until`, each in its own transaction with the conditional mark. With `lead_days`, an
    /// invoice issued less than that many days before its due date is only marked: its own
    /// mail has just told the due date.
    async fn queue_invoice_reminders(
        &self,
        reminder: &InvoiceReminder,
        from: Option<NaiveDate>,
        until: NaiveDate,
        lead_days: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let InvoiceReminder {
            kind,
            column,
            statuses,
        } = reminder;
        // Dates are stored as YYYY-MM-DD text, after which every date sorts.
        let from = from.map(rows::date_text).unwrap_or_default();
        let due = sqlx::query(&format!(
            "SELECT id, billing_account_id FROM invoices WHERE {column} IS NULL \
             AND status IN ({statuses}) AND due_date >= $1 AND due_date <= $2 \
             ORDER BY due_date LIMIT $3"
        ))
        .bind(from)
        .bind(rows::date_text(until))
        .bind(BATCH)
        .fetch_all(self.pool())
        .await?;
        let mut queued = 0;
        for row in &due {
            let id = rows::text(row, "id")?;
            let mut tx = self.begin_write().await?;
            let marked = sqlx::query(&format!(
                "UPDATE invoices SET {column} = $1 WHERE id = $2 \
                 AND {column} IS NULL AND status IN ({statuses})"
            ))
            .bind(millis(now))
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            if marked.rows_affected() != 1 {
                continue;
            }
            let invoice = sqlx::query(
                "SELECT number, billing_profile_id, invoice_date, due_date, currency, \
                 total_minor - credits_minor - amount_paid_minor AS due_minor FROM invoices WHERE id = $1",
            )
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
            if let Some(days) = lead_days {
                let issued = rows::date(&invoice, "invoice_date")?;
                let due = rows::date(&invoice, "due_date")?;
                if issued + Duration::days(i64::from(days)) >= due {
                    tx.commit().await?;
                    continue;
                }
            }
            audit::insert(
                &mut tx,
                &NewAuditEvent {
                    billing_account_id: Some(rows::id(
                        row,
                        "billing_account_id",
                        BillingAccountId::parse,
                    )?),
                    actor: None,
                    kind: (*kind).into(),
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
        Ok(queued)
    }
}
