//! What a real payment gateway (Stripe) needs kept besides payments: the gateway's customer
//! for each billing profile, the gateway's id for a charge before it is confirmed, and the
//! webhook events already applied.

use crate::rows::{self, millis};
use crate::{DoubtKind, Result, Store};
use faktura_domain::*;

impl Store {
    /// The gateway's customer id for a profile, if one was made.
    pub async fn profile_gateway_customer(
        &self,
        account: &BillingAccountId,
        profile: &BillingProfileId,
    ) -> Result<Option<String>> {
        let found: Option<Option<String>> = sqlx::query_scalar(
            "SELECT gateway_customer_id FROM billing_profiles WHERE billing_account_id = $1 AND id = $2",
        )
        .bind(account.as_str())
        .bind(profile.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(found.flatten())
    }

    /// Keeps `customer` as the profile's gateway customer unless one is kept already, and
    /// returns the one kept (two requests racing to make one agree on the first).
    pub async fn set_profile_gateway_customer(
        &self,
        account: &BillingAccountId,
        profile: &BillingProfileId,
        customer: &str,
    ) -> Result<String> {
        {
            let _gate = self.write_gate().await;
            sqlx::query(
                "UPDATE billing_profiles SET gateway_customer_id = $1 \
                 WHERE billing_account_id = $2 AND id = $3 AND gateway_customer_id IS NULL",
            )
            .bind(customer)
            .bind(account.as_str())
            .bind(profile.as_str())
            .execute(self.pool())
            .await?;
        }
        self.profile_gateway_customer(account, profile)
            .await?
            .ok_or(crate::StoreError::NotFound)
    }

    /// Stores the gateway's id for a payment's or settlement's charge before it is confirmed,
    /// so that whatever happens next, the janitor can ask about it. Only while still open.
    pub async fn record_gateway_reference(
        &self,
        kind: DoubtKind,
        account: &BillingAccountId,
        id: &str,
        reference: &str,
    ) -> Result<bool> {
        let table = match kind {
            DoubtKind::Payment => "payments",
            DoubtKind::Settlement => "settlements",
        };
        let _gate = self.write_gate().await;
        let updated = sqlx::query(&format!(
            "UPDATE {table} SET gateway_reference = $1 WHERE billing_account_id = $2 AND id = $3 \
             AND state IN ('processing', 'unknown') AND (gateway_reference IS NULL OR gateway_reference = $1)"
        ))
        .bind(reference)
        .bind(account.as_str())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// The account's saved card with this gateway token (active or not), if any.
    pub async fn payment_method_by_token(
        &self,
        account: &BillingAccountId,
        token: &str,
    ) -> Result<Option<PaymentMethod>> {
        let row = sqlx::query(
            "SELECT * FROM payment_methods WHERE billing_account_id = $1 AND gateway_token = $2 \
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(account.as_str())
        .bind(token)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(rows::payment_method).transpose()
    }

    /// Whether the gateway event was applied already.
    pub async fn gateway_event_seen(&self, event_id: &str) -> Result<bool> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT event_id FROM gateway_events WHERE event_id = $1")
                .bind(event_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(found.is_some())
    }

    /// Notes an event that needed nothing done (so a replay is told apart from a new one).
    /// `false`: seen before.
    pub async fn note_gateway_event(&self, event_id: &str, kind: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let fresh = insert_event(&mut tx, event_id, kind).await?;
        tx.commit().await?;
        Ok(fresh)
    }
}

/// Inserts the event's row in `tx`; `false` when it was there already (nothing else to do).
pub(crate) async fn insert_event(
    tx: &mut sqlx::AnyConnection,
    event_id: &str,
    kind: &str,
) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO gateway_events (event_id, kind, received_at) VALUES ($1, $2, $3) \
         ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(event_id)
    .bind(kind)
    .bind(millis(rows::now()))
    .execute(&mut *tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}
