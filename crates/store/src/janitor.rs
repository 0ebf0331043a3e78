//! What the janitor needs from storage: payments and settlements whose outcome is in doubt
//! (`processing`, `unknown`, `requires_action`), claimed a few at a time so that several nodes
//! can run the janitor on one database.
//!
//! Claiming moves a row's `next_check_at` forward by a lease in the claiming transaction, so no
//! other node picks it up while this one asks the gateway. On PostgreSQL the rows are read with
//! `FOR UPDATE SKIP LOCKED`, so two nodes claiming at once never wait on or take each other's
//! rows; on SQLite the write transaction (`BEGIN IMMEDIATE`) serializes claims. A node that dies
//! holding a lease only delays the row until the lease runs out.

use crate::rows::{self, millis};
use crate::{Backend, Result, Store};
use chrono::{DateTime, Duration, Utc};
use faktura_domain::*;

/// Whether a row is a single invoice's payment or a Settle-balance settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoubtKind {
    Payment,
    Settlement,
}

/// One payment or settlement whose outcome the janitor must find out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InDoubt {
    pub kind: DoubtKind,
    pub account: BillingAccountId,
    /// The payment's or settlement's id: the gateway's idempotency key.
    pub id: String,
    pub state: PaymentState,
    pub created_at: DateTime<Utc>,
    /// The gateway's id for the charge, when Faktura stored one before confirming it.
    pub reference: Option<String>,
    /// Looks at the gateway so far, this one included.
    pub attempts: i64,
}

/// How many payments and settlements are in doubt, and how many of them are due for a look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backlog {
    pub payments: i64,
    pub settlements: i64,
    pub due: i64,
}

const OPEN: &str = "state IN ('processing', 'unknown', 'requires_action')";

/// The extra condition of a table's rows in doubt: a payment that is part of a settlement is
/// looked at with it. On SQLite the term is written `+settlement_id IS NULL` so that it cannot
/// pick the index: given the plain term, SQLite's planner reads the payments through
/// `payments_settlement` (NULL for nearly every payment), i.e. the whole table (156 ms at
/// 1,000,000 invoices, every few seconds, inside the write transaction), instead of the
/// partial indexes on [`OPEN`]. PostgreSQL has no unary `+` for text, and its statistics say
/// how few rows are in doubt.
fn not_in_settlement(backend: Backend, kind: DoubtKind) -> &'static str {
    match (kind, backend) {
        (DoubtKind::Settlement, _) => "",
        (DoubtKind::Payment, Backend::Sqlite) => " AND +settlement_id IS NULL",
        (DoubtKind::Payment, Backend::Postgres) => " AND settlement_id IS NULL",
    }
}

fn table_of(kind: DoubtKind) -> &'static str {
    match kind {
        DoubtKind::Payment => "payments",
        DoubtKind::Settlement => "settlements",
    }
}

/// `FROM … WHERE …` of a table's rows in doubt: the claim and the backlog count the same rows.
fn in_doubt(backend: Backend, kind: DoubtKind) -> String {
    format!(
        "FROM {} WHERE {OPEN}{}",
        table_of(kind),
        not_in_settlement(backend, kind)
    )
}

/// A row in doubt is due for a look `$1` ms after its last change, or at its `next_check_at`.
const DUE_AT: &str = "COALESCE(next_check_at, updated_at + $1)";

/// The janitor's claim: a table's rows in doubt due for a look, oldest due first.
pub(crate) fn claim_sql(backend: Backend, kind: DoubtKind) -> String {
    let skip_locked = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    format!(
        "SELECT id, billing_account_id, state, created_at, gateway_reference, check_attempts \
         {} AND {DUE_AT} <= $2 ORDER BY {DUE_AT}, id LIMIT $3{skip_locked}",
        in_doubt(backend, kind),
    )
}

impl Store {
    /// Claims up to `limit` payments and settlements in doubt whose next look is due at `now`.
    /// A row never looked at is due `grace` after its last change (so a request that is still
    /// talking to the gateway is not second-guessed at once). Each claimed row's next look moves
    /// to `now + lease` and its attempt count goes up by one.
    pub async fn claim_in_doubt(
        &self,
        now: DateTime<Utc>,
        grace: Duration,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<InDoubt>> {
        let mut claimed = Vec::new();
        let mut tx = self.begin_write().await?;
        for kind in [DoubtKind::Payment, DoubtKind::Settlement] {
            let table = table_of(kind);
            let remaining = limit - claimed.len() as i64;
            if remaining <= 0 {
                break;
            }
            let found = sqlx::query(&claim_sql(self.backend(), kind))
                .bind(grace.num_milliseconds())
                .bind(millis(now))
                .bind(remaining)
                .fetch_all(&mut *tx)
                .await?;
            for row in &found {
                let item = InDoubt {
                    kind,
                    account: rows::id(row, "billing_account_id", BillingAccountId::parse)?,
                    id: rows::text(row, "id")?,
                    state: rows::coded(row, "state", PaymentState::from_code)?,
                    created_at: rows::timestamp(row, "created_at")?,
                    reference: rows::opt_text(row, "gateway_reference")?,
                    attempts: rows::int(row, "check_attempts")? + 1,
                };
                sqlx::query(&format!(
                    "UPDATE {table} SET next_check_at = $1, check_attempts = check_attempts + 1 \
                     WHERE id = $2"
                ))
                .bind(millis(now + lease))
                .bind(item.id.as_str())
                .execute(&mut *tx)
                .await?;
                claimed.push(item);
            }
        }
        tx.commit().await?;
        Ok(claimed)
    }

    /// Sets when the janitor looks at a row in doubt next (no effect once it is final).
    pub async fn schedule_check(&self, item: &InDoubt, at: DateTime<Utc>) -> Result<()> {
        let table = match item.kind {
            DoubtKind::Payment => "payments",
            DoubtKind::Settlement => "settlements",
        };
        let _gate = self.write_gate().await;
        sqlx::query(&format!(
            "UPDATE {table} SET next_check_at = $1 WHERE billing_account_id = $2 AND id = $3 AND {OPEN}"
        ))
        .bind(millis(at))
        .bind(item.account.as_str())
        .bind(item.id.as_str())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// How many payments (outside settlements) and settlements are in each state, for metrics.
    pub async fn payment_state_counts(&self) -> Result<Vec<(&'static str, String, i64)>> {
        let mut counts = Vec::new();
        for (kind, query) in [
            (
                "payment",
                "SELECT state, COUNT(*) AS n FROM payments WHERE settlement_id IS NULL GROUP BY state ORDER BY state",
            ),
            (
                "settlement",
                "SELECT state, COUNT(*) AS n FROM settlements GROUP BY state ORDER BY state",
            ),
        ] {
            for row in sqlx::query(query).fetch_all(self.pool()).await? {
                counts.push((kind, rows::text(&row, "state")?, rows::int(&row, "n")?));
            }
        }
        Ok(counts)
    }

    /// The janitor's backlog: rows in doubt, and how many are due for a look at `now`.
    pub async fn in_doubt_backlog(&self, now: DateTime<Utc>, grace: Duration) -> Result<Backlog> {
        let mut counts = [0_i64; 2];
        let mut due = 0;
        for (count, kind) in counts
            .iter_mut()
            .zip([DoubtKind::Payment, DoubtKind::Settlement])
        {
            let rows = in_doubt(self.backend(), kind);
            *count = sqlx::query_scalar(&format!("SELECT COUNT(*) {rows}"))
                .fetch_one(self.pool())
                .await?;
            let due_now: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) {rows} AND {DUE_AT} <= $2"))
                    .bind(grace.num_milliseconds())
                    .bind(millis(now))
                    .fetch_one(self.pool())
                    .await?;
            due += due_now;
        }
        let [payments, settlements] = counts;
        Ok(Backlog {
            payments,
            settlements,
            due,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The planner's statistics as `ANALYZE` wrote them on the 1,000,000-invoice benchmark
    /// database (`faktura demo --accounts 100 --profiles-per-account 4
    /// --invoices-per-profile 2500`): almost every payment is final and outside a settlement.
    const LARGE_DEPLOYMENT: [(&str, &str); 7] = [
        ("payments_succeeded_per_invoice", "965868 1 1"),
        ("payments_one_open_per_invoice", "0 0"),
        ("payments_janitor", "0 0"),
        ("payments_settlement", "965868 1001"),
        ("payments_unsettled", "0 0 0"),
        ("payments_invoice", "965868 1 1"),
        ("sqlite_autoindex_payments_1", "965868 1"),
    ];

    async fn sqlite_plan(sql: &str) -> Vec<String> {
        let store = crate::test_support::sqlite().await;
        let mut conn = store.pool().acquire().await.unwrap();
        sqlx::query("ANALYZE").execute(&mut *conn).await.unwrap();
        for (index, stat) in LARGE_DEPLOYMENT {
            sqlx::query("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('payments', $1, $2)")
                .bind(index)
                .bind(stat)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        // Makes this connection's planner read the statistics just written.
        sqlx::query("ANALYZE sqlite_schema")
            .execute(&mut *conn)
            .await
            .unwrap();
        let plan = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
            .bind(0_i64)
            .bind(0_i64)
            .bind(10_i64)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        plan.iter()
            .map(|row| rows::text(row, "detail").unwrap())
            .collect()
    }

    #[tokio::test]
    async fn sqlite_finds_payments_in_doubt_through_their_partial_index() {
        let plan = sqlite_plan(&claim_sql(Backend::Sqlite, DoubtKind::Payment)).await;
        assert!(
            plan.iter().any(
                |step| step.contains("payments_unsettled") || step.contains("payments_janitor")
            ),
            "{plan:?}"
        );
        assert!(
            !plan
                .iter()
                .any(|step| step.contains("payments_settlement") || step.starts_with("SCAN")),
            "{plan:?}"
        );
    }

    #[tokio::test]
    async fn the_plain_condition_would_read_every_payment() {
        // What the `+` prevents: the same claim with `settlement_id IS NULL` as an index term.
        let plain = claim_sql(Backend::Sqlite, DoubtKind::Payment)
            .replace("+settlement_id", "settlement_id");
        let plan = sqlite_plan(&plain).await;
        assert!(
            plan.iter().any(|step| step.contains("payments_settlement")),
            "{plan:?}"
        );
    }
}
