//! Attempt throttles with exponential backoff (sign-in per e-mail and per client address).
//!
//! An attempt is counted *before* it is checked, in one write transaction that locks the
//! key's row, so N concurrent attempts see N distinct counts on both backends. Once a key has
//! used its free failures, the next attempt is admitted only after a delay that doubles per
//! further failure (capped): guessing is slowed down, the owner is never locked out for long.

use crate::rows::{self, for_update, millis};
use crate::{Result, Store};
use chrono::{DateTime, Duration, Utc};

/// How one kind of key is throttled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Failures within the window that cost no delay.
    pub free_failures: u32,
    /// Failures older than this (since the key's last attempt) are forgotten.
    pub window: Duration,
    /// The delay after the last free failure; it doubles with each further one.
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Backoff {
    /// How long the attempt after the `failures`-th must wait; `None` while failures are free.
    pub fn delay_after(&self, failures: i64) -> Option<Duration> {
        let over = failures - i64::from(self.free_failures);
        if over < 0 {
            return None;
        }
        let factor = 1_i64 << over.min(40);
        let ms = self
            .first_delay
            .num_milliseconds()
            .saturating_mul(factor)
            .min(self.max_delay.num_milliseconds());
        Some(Duration::milliseconds(ms.max(0)))
    }
}

/// Whether an attempt may be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Counted as a failure until the caller says otherwise ([`Store::clear_attempts`],
    /// [`Store::forgive_attempt`]).
    Admitted,
    /// Not counted; no attempt under these keys is admitted before this instant.
    Wait(DateTime<Utc>),
}

impl Store {
    /// Admits one attempt under every key (each with its own rule) or none: refused while any
    /// key is in its backoff, else counted under all of them at once.
    pub async fn admit_attempt(
        &self,
        keys: &[(String, Backoff)],
        now: DateTime<Utc>,
    ) -> Result<Admission> {
        // One lock order for every caller, so two transactions never wait on each other.
        let mut keys: Vec<&(String, Backoff)> = keys.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        keys.dedup_by(|a, b| a.0 == b.0);
        let at = millis(now);
        let mut tx = self.begin_write().await?;
        let mut counted = Vec::with_capacity(keys.len());
        let mut wait_until = None;
        for (key, rule) in keys {
            sqlx::query(
                "INSERT INTO attempt_throttles (throttle_key, failures, last_at, next_at) \
                 VALUES ($1, 0, $2, 0) ON CONFLICT (throttle_key) DO NOTHING",
            )
            .bind(key)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let row = sqlx::query(&format!(
                "SELECT failures, last_at, next_at FROM attempt_throttles WHERE throttle_key = $1{}",
                for_update(self.backend())
            ))
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
            let mut failures = rows::int(&row, "failures")?;
            let mut next_at = rows::int(&row, "next_at")?;
            if at - rows::int(&row, "last_at")? > rule.window.num_milliseconds() {
                failures = 0;
                next_at = 0;
            }
            if next_at > at {
                wait_until = wait_until.max(Some(next_at));
            }
            counted.push((key, rule, failures + 1));
        }
        if let Some(until) = wait_until {
            tx.commit().await?;
            return Ok(Admission::Wait(
                DateTime::from_timestamp_millis(until).unwrap_or(now),
            ));
        }
        for (key, rule, failures) in counted {
            let next_at = rule
                .delay_after(failures)
                .map_or(0, |d| at + d.num_milliseconds());
            sqlx::query(
                "UPDATE attempt_throttles SET failures = $1, last_at = $2, next_at = $3 \
                 WHERE throttle_key = $4",
            )
            .bind(failures)
            .bind(at)
            .bind(next_at)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Admission::Admitted)
    }

    /// Forgets every failure under `key` (a successful sign-in for that e-mail).
    pub async fn clear_attempts(&self, key: &str) -> Result<()> {
        let _gate = self.write_gate().await;
        sqlx::query("DELETE FROM attempt_throttles WHERE throttle_key = $1")
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Takes back one admitted attempt that turned out to succeed, so that people signing in
    /// from one shared address do not use up its budget; the backoff ends if the rest is free.
    pub async fn forgive_attempt(&self, key: &str, rule: &Backoff) -> Result<()> {
        let _gate = self.write_gate().await;
        sqlx::query(
            "UPDATE attempt_throttles SET failures = failures - 1, \
             next_at = CASE WHEN failures - 1 < $1 THEN 0 ELSE next_at END \
             WHERE throttle_key = $2 AND failures > 0",
        )
        .bind(i64::from(rule.free_failures))
        .bind(key)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets keys whose last attempt is older than `before`: once a key's window has passed,
    /// its row counts as no failures at all (see [`Store::admit_attempt`]), so keeping it only
    /// grows the table (a guesser trying many e-mails or addresses leaves one row each).
    /// Returns how many were forgotten.
    pub async fn forget_stale_attempts(&self, before: DateTime<Utc>) -> Result<u64> {
        let _gate = self.write_gate().await;
        let done = sqlx::query("DELETE FROM attempt_throttles WHERE last_at < $1")
            .bind(millis(before))
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// The failures counted under `key` (0 for an unknown key).
    pub async fn attempt_failures(&self, key: &str) -> Result<i64> {
        let count: Option<i64> =
            sqlx::query_scalar("SELECT failures FROM attempt_throttles WHERE throttle_key = $1")
                .bind(key)
                .fetch_optional(self.pool())
                .await?;
        Ok(count.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_after_the_free_failures_and_are_capped() {
        let rule = Backoff {
            free_failures: 5,
            window: Duration::minutes(15),
            first_delay: Duration::seconds(1),
            max_delay: Duration::seconds(60),
        };
        assert_eq!(rule.delay_after(4), None);
        assert_eq!(rule.delay_after(5), Some(Duration::seconds(1)));
        assert_eq!(rule.delay_after(6), Some(Duration::seconds(2)));
        assert_eq!(rule.delay_after(8), Some(Duration::seconds(8)));
        assert_eq!(rule.delay_after(11), Some(Duration::seconds(60)));
        assert_eq!(rule.delay_after(i64::MAX), Some(Duration::seconds(60)));
    }
}
