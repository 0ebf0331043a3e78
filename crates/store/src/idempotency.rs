//! Idempotency keys for API POSTs (Stripe's contract): insert the key first, save the response after.
//!
//! Two ways to use them. [`Store::start_idempotent`] … [`Store::finish_idempotent`] claim and
//! finish a key in writes of their own, around any work. Work that writes in transactions of its
//! own (paying) instead reads the key first ([`Store::idempotency_state`]) and claims it inside its
//! first transaction and stores the answer inside its last (an [`IdempotencyClaim`] handed to
//! those transactions), so that the key costs no commit of its own.

use crate::direct::Param;
use crate::rows::{self, millis, now};
use crate::{Result, Store, StoreError};
use chrono::Duration;
use sqlx::AnyConnection;

/// A key to claim inside the transaction of the work it guards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim {
    pub caller: String,
    pub key: String,
    /// The request's fingerprint: the same key with another request is a mismatch.
    pub request_hash: String,
}

/// A stored key: request hash, state, response status and body, created at.
type StoredKey = (String, String, Option<i64>, Option<String>, i64);

fn horizon(at: i64) -> i64 {
    at - Duration::hours(IDEMPOTENCY_RETENTION_HOURS).num_milliseconds()
}

/// Claims the key in `conn`'s transaction (forgetting an expired claim of it first). False when
/// the key is taken: the transaction should then write nothing and roll back.
pub(crate) async fn claim_in(conn: &mut AnyConnection, claim: &IdempotencyClaim) -> Result<bool> {
    insert_in(conn, claim, None).await
}

/// Stores the answer for a key claimed in this transaction or an earlier one.
pub(crate) async fn finish_in(
    conn: &mut AnyConnection,
    claim: &IdempotencyClaim,
    status: u16,
    body: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET state = 'done', response_status = $1, response_body = $2 \
         WHERE caller = $3 AND idempotency_key = $4",
    )
    .bind(i64::from(status))
    .bind(body)
    .bind(&claim.caller)
    .bind(&claim.key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts the key, `in_progress` or already `done` with `answer`; false if it is taken.
async fn insert_in(
    conn: &mut AnyConnection,
    claim: &IdempotencyClaim,
    answer: Option<(u16, &str)>,
) -> Result<bool> {
    let at = millis(now());
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE caller = $1 AND idempotency_key = $2 AND created_at < $3",
    )
    .bind(&claim.caller)
    .bind(&claim.key)
    .bind(horizon(at))
    .execute(&mut *conn)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (caller, idempotency_key, request_hash, state, response_status, \
         response_body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (caller, idempotency_key) DO NOTHING",
    )
    .bind(&claim.caller)
    .bind(&claim.key)
    .bind(&claim.request_hash)
    .bind(if answer.is_some() { "done" } else { "in_progress" })
    .bind(answer.map(|(status, _)| i64::from(status)))
    .bind(answer.map(|(_, body)| body))
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

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
        let horizon = horizon(at);
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

    /// What the key says before any work: `None` when it is free (never used, or its claim has
    /// expired), else the answer to replay, a mismatch, or a request still running. A read.
    pub async fn idempotency_state(
        &self,
        claim: &IdempotencyClaim,
    ) -> Result<Option<IdempotencyStart>> {
        let row: Option<StoredKey> = self
            .read_row(
                "SELECT request_hash, state, response_status, response_body, created_at \
                 FROM idempotency_keys WHERE caller = $1 AND idempotency_key = $2",
                &[Param::Text(&claim.caller), Param::Text(&claim.key)],
                |row| {
                    Ok((
                        rows::text(row, "request_hash")?,
                        rows::text(row, "state")?,
                        rows::opt_int(row, "response_status")?,
                        rows::opt_text(row, "response_body")?,
                        rows::int(row, "created_at")?,
                    ))
                },
            )
            .await?;
        let Some((stored_hash, state, status, body, created_at)) = row else {
            return Ok(None);
        };
        if created_at < horizon(millis(now())) {
            return Ok(None);
        }
        if stored_hash != claim.request_hash {
            return Ok(Some(IdempotencyStart::Mismatch));
        }
        Ok(Some(match (state.as_str(), status, body) {
            ("done", Some(status), Some(body)) => IdempotencyStart::Replay {
                status: u16::try_from(status).unwrap_or(500),
                body,
            },
            _ => IdempotencyStart::InProgress,
        }))
    }

    /// Claims a free key and stores its answer at once, for work that wrote nothing (a refusal
    /// decided by reading). False when the key was taken meanwhile.
    pub async fn store_idempotent_answer(
        &self,
        claim: &IdempotencyClaim,
        status: u16,
        body: &str,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let stored = insert_in(&mut tx, claim, Some((status, body))).await?;
        tx.commit().await?;
        Ok(stored)
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
