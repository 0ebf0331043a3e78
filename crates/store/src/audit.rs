//! The append-only activity log.

use crate::rows::{self, millis};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use faktura_domain::*;

/// An event to append; id and time are assigned on write.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub billing_account_id: Option<BillingAccountId>,
    pub actor: Option<UserId>,
    pub kind: String,
    pub target: String,
    pub detail: serde_json::Value,
    pub ip: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuditFilter {
    pub account: BillingAccountId,
    pub kind_prefix: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub limit: u32,
}

/// Appends the event; one the outbox carries ([`crate::outbox::NOTIFIED`]) is queued for the
/// notification worker in the same transaction, under the same id.
pub(crate) async fn insert(conn: &mut sqlx::AnyConnection, event: &NewAuditEvent) -> Result<()> {
    let id = AuditEventId::generate();
    let now = crate::rows::now();
    sqlx::query(
        "INSERT INTO audit_events (id, billing_account_id, actor_user_id, kind, target, detail, ip, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.as_str())
    .bind(event.billing_account_id.as_ref().map(|a| a.as_str()))
    .bind(event.actor.as_ref().map(|a| a.as_str()))
    .bind(&event.kind)
    .bind(&event.target)
    .bind(event.detail.to_string())
    .bind(event.ip.as_deref())
    .bind(millis(now))
    .execute(&mut *conn)
    .await?;
    crate::outbox::enqueue(conn, &id, event, now).await
}

impl Store {
    pub async fn record_audit(&self, event: &NewAuditEvent) -> Result<()> {
        let mut tx = self.begin_write().await?;
        insert(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account's events, newest first.
    pub async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_events WHERE billing_account_id = $1 \
             AND ($2 = '' OR kind LIKE $2 || '%') AND created_at >= $3 \
             ORDER BY created_at DESC, id DESC LIMIT $4",
        )
        .bind(filter.account.as_str())
        .bind(filter.kind_prefix.clone().unwrap_or_default())
        .bind(filter.since.map(millis).unwrap_or(0))
        .bind(i64::from(filter.limit.clamp(1, 1000)))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEvent {
                    id: rows::id(row, "id", AuditEventId::parse)?,
                    billing_account_id: rows::opt_id(
                        row,
                        "billing_account_id",
                        BillingAccountId::parse,
                    )?,
                    actor: rows::opt_id(row, "actor_user_id", UserId::parse)?,
                    kind: rows::text(row, "kind")?,
                    target: rows::text(row, "target")?,
                    detail: rows::text(row, "detail")?,
                    ip: rows::opt_text(row, "ip")?,
                    created_at: rows::timestamp(row, "created_at")?,
                })
            })
            .collect()
    }
}
