//! Idempotency keys for API POSTs (Stripe's contract): insert the key first, save the response after.

use crate::rows::{millis, now};
use crate::{Result, Store, StoreError};
use chrono::Duration;

/// How long a stored response is replayed.
pub const IDEMPOTENCY_RETENTION_HOURS: i64 = 48;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyStart {
    /// First time: do the work, then [`Store::finish_idempotent`].
    Started,
    /// Done before: replay this response.
    Replay { status: u16, body: String },
    /// The first request with this key is still running.
    InProgress,
    /// The key was used with other parameters.
    Mismatch,
}

impl Store {
    /// Claims `key` for `caller` with the request's fingerprint, or says what happened to it before.
    pub async fn start_idempotent(
        &self,
        caller: &str,
        key: &str,
        request_hash: &str,
    ) -> Result<IdempotencyStart> {
        let at = millis(now());
        let horizon = at - Duration::hours(IDEMPOTENCY_RETENTION_HOURS).num_milliseconds();
        // The common case, a fresh key, is one write. Only when the key exists is an expired
        // claim (older than the retention period) forgotten and the key claimed again.
        if self
            .claim_idempotency_key(caller, key, request_hash, at)
            .await?
        {
            return Ok(IdempotencyStart::Started);
        }
        let gate = self.write_gate().await;
        let expired = sqlx::query(
            "DELETE FROM idempotency_keys WHERE caller = $1 AND idempotency_key = $2 AND created_at < $3",
        )
        .bind(caller)
        .bind(key)
        .bind(horizon)
        .execute(self.pool())
        .await?;
        drop(gate);
        if expired.rows_affected() > 0
            && self
                .claim_idempotency_key(caller, key, request_hash, at)
                .await?
        {
            return Ok(IdempotencyStart::Started);
        }
        let row: Option<(String, String, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT request_hash, state, response_status, response_body FROM idempotency_keys \
             WHERE caller = $1 AND idempotency_key = $2",
        )
        .bind(caller)
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        let Some((stored_hash, state, status, body)) = row else {
            return Err(StoreError::Conflict("idempotency key vanished"));
        };
        if stored_hash != request_hash {
            return Ok(IdempotencyStart::Mismatch);
        }
        match (state.as_str(), status, body) {
            ("done", Some(status), Some(body)) => Ok(IdempotencyStart::Replay {
                status: u16::try_from(status).unwrap_or(500),
                body,
            }),
            _ => Ok(IdempotencyStart::InProgress),
        }
    }

    async fn claim_idempotency_key(
        &self,
        caller: &str,
        key: &str,
        request_hash: &str,
        at: i64,
    ) -> Result<bool> {
        let _gate = self.write_gate().await;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (caller, idempotency_key, request_hash, state, created_at) \
             VALUES ($1, $2, $3, 'in_progress', $4) ON CONFLICT (caller, idempotency_key) DO NOTHING",
        )
        .bind(caller)
        .bind(key)
        .bind(request_hash)
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    /// Stores the response to replay for this key.
    pub async fn finish_idempotent(
        &self,
        caller: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<()> {
        let _gate = self.write_gate().await;
        sqlx::query(
            "UPDATE idempotency_keys SET state = 'done', response_status = $1, response_body = $2 \
             WHERE caller = $3 AND idempotency_key = $4",
        )
        .bind(i64::from(status))
        .bind(body)
        .bind(caller)
        .bind(key)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Releases a key whose request failed before doing any work, so it may be retried.
    pub async fn abandon_idempotent(&self, caller: &str, key: &str) -> Result<()> {
        let _gate = self.write_gate().await;
        sqlx::query("DELETE FROM idempotency_keys WHERE caller = $1 AND idempotency_key = $2 AND state = 'in_progress'")
            .bind(caller)
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
