//! What a real payment gateway (Stripe) needs kept besides payments: the gateway's customer
//! for each billing profile, the gateway's id for a charge before it is confirmed, and the
//! webhook events already applied.

use crate::rows::{self, millis};
use crate::{DoubtKind, Result, Store};
use faktura_domain::*;

/// A saved card's details as the gateway reports them after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardUpdate {
    pub brand: CardBrand,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

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

    /// A card's details as the gateway now reports them (a new expiry from the card network,
    /// say), for every saved card with this gateway token, with the webhook event `(id, kind)`
    /// and an activity entry per card changed, in one transaction. `None`: the event was seen
    /// before and nothing changed.
    pub async fn update_card_for_event(
        &self,
        event: (&str, &str),
        token: &str,
        card: &CardUpdate,
    ) -> Result<Option<usize>> {
        let mut tx = self.begin_write().await?;
        if !insert_event(&mut tx, event.0, event.1).await? {
            return Ok(None);
        }
        let rows = sqlx::query(&format!(
            "SELECT * FROM payment_methods WHERE gateway_token = $1{}",
            rows::for_update(self.backend())
        ))
        .bind(token)
        .fetch_all(&mut *tx)
        .await?;
        let mut changed = 0;
        for row in &rows {
            let method = rows::payment_method(row)?;
            let same_expiry =
                (method.exp_month, method.exp_year) == (card.exp_month, card.exp_year);
            if same_expiry && method.brand == card.brand && method.last4 == card.last4 {
                continue;
            }
            // A new expiry is announced again when it nears (the reminders' column).
            let announce_again = if same_expiry {
                ""
            } else {
                ", expiry_notified_at = NULL"
            };
            sqlx::query(&format!(
                "UPDATE payment_methods SET brand = $1, last4 = $2, exp_month = $3, exp_year = $4{announce_again} \
                 WHERE billing_account_id = $5 AND id = $6"
            ))
            .bind(card.brand.code())
            .bind(&card.last4)
            .bind(i64::from(card.exp_month))
            .bind(i64::from(card.exp_year))
            .bind(method.billing_account_id.as_str())
            .bind(method.id.as_str())
            .execute(&mut *tx)
            .await?;
            crate::audit::insert(
                &mut tx,
                &crate::NewAuditEvent {
                    billing_account_id: Some(method.billing_account_id.clone()),
                    actor: None,
                    kind: "payment_method.updated".into(),
                    target: method.id.to_string(),
                    detail: serde_json::json!({
                        "brand": card.brand.code(),
                        "last4": card.last4,
                        "expiry": format!("{:02}/{}", card.exp_month, card.exp_year),
                        "profile": method.billing_profile_id.as_str(),
                    }),
                    ip: None,
                },
            )
            .await?;
            changed += 1;
        }
        tx.commit().await?;
        Ok(Some(changed))
    }

    /// Every saved card (of any account) with this gateway token: the demo's cards still waiting
    /// to be made at the gateway ([`crate::demo::CARD_MADE_AT_GATEWAY`]).
    pub async fn payment_methods_with_token(&self, token: &str) -> Result<Vec<PaymentMethod>> {
        let found = sqlx::query(
            "SELECT * FROM payment_methods WHERE gateway_token = $1 ORDER BY created_at",
        )
        .bind(token)
        .fetch_all(self.pool())
        .await?;
        found.iter().map(rows::payment_method).collect()
    }

    /// Gives a saved card the token (and the details) of the card the gateway made for it, if
    /// it still has `old_token`. `false`: it changed meanwhile (another node made it first).
    pub async fn replace_card_token(
        &self,
        account: &BillingAccountId,
        id: &PaymentMethodId,
        old_token: &str,
        token: &str,
        card: &CardUpdate,
    ) -> Result<bool> {
        let _gate = self.write_gate().await;
        let updated = sqlx::query(
            "UPDATE payment_methods SET gateway_token = $1, brand = $2, last4 = $3, exp_month = $4, \
             exp_year = $5 WHERE billing_account_id = $6 AND id = $7 AND gateway_token = $8",
        )
        .bind(token)
        .bind(card.brand.code())
        .bind(&card.last4)
        .bind(i64::from(card.exp_month))
        .bind(i64::from(card.exp_year))
        .bind(account.as_str())
        .bind(id.as_str())
        .bind(old_token)
        .execute(self.pool())
        .await?;
        Ok(updated.rows_affected() == 1)
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
