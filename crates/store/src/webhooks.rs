//! Webhook endpoints and the attempt log of deliveries. Deliveries themselves are the
//! outbox's (`channel = 'webhook'`, `recipient` = the endpoint's id).

use crate::rows::{self, millis};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use faktura_domain::*;
use sqlx::Row;

/// A registered endpoint. `event_types` is the list of event kinds it wants (`*` for all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: String,
    /// `None`: the operator's endpoint, for every account.
    pub billing_account_id: Option<BillingAccountId>,
    pub url: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl WebhookEndpoint {
    pub fn wants(&self, kind: &str) -> bool {
        self.event_types.iter().any(|t| t == "*" || t == kind)
    }
}

/// One attempt of a delivery to an endpoint, as its log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    pub delivery_id: String,
    pub event_id: String,
    pub event_kind: String,
    pub delivery_state: String,
    pub attempt: i64,
    pub at: DateTime<Utc>,
    pub status: Option<i64>,
    pub latency_ms: i64,
    pub detail: String,
}

/// One attempt as it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt {
    pub delivery_id: String,
    pub attempt: i64,
    pub at: DateTime<Utc>,
    pub status: Option<i64>,
    pub latency_ms: i64,
    pub detail: String,
}

fn endpoint(row: &sqlx::any::AnyRow) -> Result<WebhookEndpoint> {
    let types = rows::text(row, "event_types")?;
    Ok(WebhookEndpoint {
        id: rows::text(row, "id")?,
        billing_account_id: rows::opt_id(row, "billing_account_id", BillingAccountId::parse)?,
        url: rows::text(row, "url")?,
        event_types: types.split_whitespace().map(str::to_owned).collect(),
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        secret: rows::text(row, "secret")?,
        previous_secret: rows::opt_text(row, "previous_secret")?,
        previous_secret_until: row
            .try_get::<Option<i64>, _>("previous_secret_until")?
            .and_then(DateTime::from_timestamp_millis),
        disabled_reason: rows::opt_text(row, "disabled_reason")?,
        created_at: rows::timestamp(row, "created_at")?,
    })
}

impl Store {
    pub async fn create_webhook_endpoint(&self, new: &WebhookEndpoint) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, billing_account_id, url, event_types, enabled, \
             secret, previous_secret, previous_secret_until, disabled_reason, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, NULL, $7)",
        )
        .bind(&new.id)
        .bind(new.billing_account_id.as_ref().map(|a| a.as_str()))
        .bind(&new.url)
        .bind(new.event_types.join(" "))
        .bind(i64::from(new.enabled))
        .bind(&new.secret)
        .bind(millis(new.created_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account's endpoints (or, with `None`, the operator's), oldest first.
    pub async fn webhook_endpoints(
        &self,
        account: Option<&BillingAccountId>,
    ) -> Result<Vec<WebhookEndpoint>> {
        let rows = sqlx::query(
            "SELECT * FROM webhook_endpoints WHERE COALESCE(billing_account_id, '') = $1 \
             ORDER BY created_at, id",
        )
        .bind(account.map(|a| a.as_str()).unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(endpoint).collect()
    }

    pub async fn webhook_endpoint(&self, id: &str) -> Result<Option<WebhookEndpoint>> {
        let row = sqlx::query("SELECT * FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(endpoint).transpose()
    }

    /// Enabled endpoints that want events of `kind` on `account`: its own and the operator's.
    pub async fn webhook_endpoints_for(
        &self,
        account: Option<&BillingAccountId>,
        kind: &str,
    ) -> Result<Vec<WebhookEndpoint>> {
        let rows = sqlx::query(
            "SELECT * FROM webhook_endpoints WHERE enabled = 1 \
             AND (billing_account_id IS NULL OR billing_account_id = $1) ORDER BY id",
        )
        .bind(account.map(|a| a.as_str()).unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(endpoint)
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|e| e.wants(kind))
            .collect())
    }

    /// Turns an endpoint off (it said 410 Gone, or failed for days); `reason` says why.
    pub async fn disable_webhook_endpoint(&self, id: &str, reason: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $1 WHERE id = $2")
            .bind(reason)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Turns off an endpoint whose deliveries kept failing, and logs `webhook.disabled` (which
    /// the outbox carries to the account's owners) in the same transaction; false when it was
    /// already off.
    pub async fn disable_failing_webhook_endpoint(&self, id: &str, reason: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT billing_account_id, url FROM webhook_endpoints WHERE id = $1 AND enabled = 1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        sqlx::query("UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $1 WHERE id = $2")
            .bind(reason)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        crate::audit::insert(
            &mut tx,
            &crate::NewAuditEvent {
                billing_account_id: rows::opt_id(
                    &row,
                    "billing_account_id",
                    BillingAccountId::parse,
                )?,
                actor: None,
                kind: "webhook.disabled".into(),
                target: rows::text(&row, "url")?,
                detail: serde_json::json!({"endpoint": id, "reason": reason}),
                ip: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A new secret; the current one keeps signing (as a second signature) until `keep_until`.
    pub async fn rotate_webhook_secret(
        &self,
        id: &str,
        secret: &str,
        keep_until: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $1, \
             secret = $2 WHERE id = $3",
        )
        .bind(millis(keep_until))
        .bind(secret)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes an endpoint; its deliveries that have not been made stop.
    pub async fn delete_webhook_endpoint(&self, id: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE deliveries SET state = 'failed', last_error = 'endpoint removed', \
             finished_at = $1 WHERE channel = 'webhook' AND recipient = $2 AND state = 'pending'",
        )
        .bind(millis(rows::now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn record_delivery_attempt(&self, attempt: &NewAttempt) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO delivery_attempts (delivery_id, attempt, at, status, latency_ms, detail) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id, attempt) DO NOTHING",
        )
        .bind(&attempt.delivery_id)
        .bind(attempt.attempt)
        .bind(millis(attempt.at))
        .bind(attempt.status)
        .bind(attempt.latency_ms)
        .bind(attempt.detail.chars().take(500).collect::<String>())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The endpoint's newest attempts (at most `limit`, capped at 200).
    pub async fn webhook_attempts(
        &self,
        endpoint: &str,
        limit: u32,
    ) -> Result<Vec<DeliveryAttempt>> {
        let rows = sqlx::query(
            "SELECT a.*, d.event_id, d.state AS delivery_state, e.kind \
             FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id \
             JOIN outbox_events e ON e.id = d.event_id \
             WHERE d.channel = 'webhook' AND d.recipient = $1 \
             ORDER BY a.at DESC, a.attempt DESC LIMIT $2",
        )
        .bind(endpoint)
        .bind(i64::from(limit.min(200)))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DeliveryAttempt {
                    delivery_id: rows::text(row, "delivery_id")?,
                    event_id: rows::text(row, "event_id")?,
                    event_kind: rows::text(row, "kind")?,
                    delivery_state: rows::text(row, "delivery_state")?,
                    attempt: row.try_get("attempt")?,
                    at: rows::timestamp(row, "at")?,
                    status: row.try_get("status")?,
                    latency_ms: row.try_get("latency_ms")?,
                    detail: rows::text(row, "detail")?,
                })
            })
            .collect()
    }

    /// Sends a delivery to its endpoint again (however it ended), as soon as a worker is free.
    pub async fn resend_delivery(&self, endpoint: &str, delivery: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE deliveries SET state = 'pending', next_attempt_at = 0, claimed_until = 0, \
             finished_at = NULL WHERE id = $1 AND channel = 'webhook' AND recipient = $2",
        )
        .bind(delivery)
        .bind(endpoint)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
