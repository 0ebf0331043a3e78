//! Managing a billing profile's payment methods: add (with an optional 3-D Secure setup),
//! set as default, replace and detach. Each change is one transaction with its activity-log entry.

use crate::audit::{self, NewAuditEvent};
use crate::rows::{self, millis};
use crate::{Result, Store, StoreError};
use faktura_domain::*;
use sqlx::AnyConnection;

/// Who made a change, for the activity log.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub user: UserId,
    pub ip: Option<String>,
}

/// How a new card joins its profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddMode {
    /// Added; it becomes the default only when the profile has none.
    Add,
    /// Added and made the default in the same transaction ("Replace"); names the card it replaces.
    Replace(PaymentMethodId),
}

/// Why a card was not detached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetachRefusal {
    NotFound,
    /// It is the profile's default and the profile has this many unpaid invoices.
    DefaultWithUnpaidInvoices(i64),
    /// The only card left on a pay-as-you-go account.
    LastCardOfPayAsYouGo,
    /// A payment with this card is still being processed.
    InUse,
}

/// Takes the account's row lock for the rest of the transaction (SQLite already holds the
/// database write lock from `BEGIN IMMEDIATE`; on PostgreSQL this serializes writers per account).
pub(crate) async fn lock_account(
    conn: &mut AnyConnection,
    account: &BillingAccountId,
) -> Result<bool> {
    let done = sqlx::query("UPDATE billing_accounts SET status = status WHERE id = $1")
        .bind(account.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

async fn active_method(
    conn: &mut AnyConnection,
    account: &BillingAccountId,
    profile: &BillingProfileId,
    method: &PaymentMethodId,
    backend: crate::Backend,
) -> Result<Option<PaymentMethod>> {
    let row = sqlx::query(&format!(
        "SELECT * FROM payment_methods WHERE billing_account_id = $1 AND billing_profile_id = $2 \
         AND id = $3 AND status = 'active'{}",
        rows::for_update(backend)
    ))
    .bind(account.as_str())
    .bind(profile.as_str())
    .bind(method.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(rows::payment_method).transpose()
}

async fn current_default(
    conn: &mut AnyConnection,
    account: &BillingAccountId,
    profile: &BillingProfileId,
) -> Result<Option<Option<String>>> {
    Ok(sqlx::query_scalar(
        "SELECT default_payment_method_id FROM billing_profiles WHERE billing_account_id = $1 AND id = $2",
    )
    .bind(account.as_str())
    .bind(profile.as_str())
    .fetch_optional(&mut *conn)
    .await?)
}

async fn set_default(
    conn: &mut AnyConnection,
    account: &BillingAccountId,
    profile: &BillingProfileId,
    method: Option<&PaymentMethodId>,
) -> Result<()> {
    sqlx::query(
        "UPDATE billing_profiles SET default_payment_method_id = $1 WHERE billing_account_id = $2 AND id = $3",
    )
    .bind(method.map(|m| m.as_str()))
    .bind(account.as_str())
    .bind(profile.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn card_detail(method: &PaymentMethod) -> serde_json::Value {
    serde_json::json!({
        "payment_method": method.id.as_str(),
        "brand": method.brand.code(),
        "last4": method.last4,
        "expiry": format!("{:02}/{}", method.exp_month, method.exp_year),
        "profile": method.billing_profile_id.as_str(),
    })
}

impl Store {
    /// Saves a tokenized card (status `active`) on its profile and logs it. With
    /// [`AddMode::Replace`] the new card becomes the default in the same transaction; the replaced
    /// card must be an active card of the same profile, else `NotFound`.
    pub async fn add_card(
        &self,
        method: &PaymentMethod,
        mode: &AddMode,
        actor: &AuditActor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let account = &method.billing_account_id;
        let profile = &method.billing_profile_id;
        if let AddMode::Replace(old) = mode {
            if active_method(&mut tx, account, profile, old, self.backend())
                .await?
                .is_none()
            {
                return Err(StoreError::NotFound);
            }
        }
        let before = current_default(&mut tx, account, profile).await?.flatten();
        crate::accounts::add_payment_method(&mut tx, method).await?;
        let kind = match mode {
            AddMode::Add => "payment_method.added",
            AddMode::Replace(_) => {
                set_default(&mut tx, account, profile, Some(&method.id)).await?;
                "payment_method.replaced"
            }
        };
        let mut detail = card_detail(method);
        if let AddMode::Replace(old) = mode {
            detail["replaces"] = serde_json::json!(old.as_str());
            detail["default_before"] = serde_json::json!(before);
            detail["default_after"] = serde_json::json!(method.id.as_str());
        }
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: Some(actor.user.clone()),
                kind: kind.into(),
                target: format!("•••• {}", method.last4),
                detail,
                ip: actor.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves a card that must pass 3-D Secure first: stored inactive with `setup_state =
    /// 'requires_action'`, invisible everywhere until [`Store::finish_card_setup`] activates it.
    pub async fn add_pending_card(&self, method: &PaymentMethod) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if current_default(
            &mut tx,
            &method.billing_account_id,
            &method.billing_profile_id,
        )
        .await?
        .is_none()
        {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO payment_methods (id, billing_account_id, billing_profile_id, gateway_token, brand, \
             last4, exp_month, exp_year, holder, status, created_at, setup_state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'inactive', $10, 'requires_action')",
        )
        .bind(method.id.as_str())
        .bind(method.billing_account_id.as_str())
        .bind(method.billing_profile_id.as_str())
        .bind(&method.gateway_token)
        .bind(method.brand.code())
        .bind(&method.last4)
        .bind(i64::from(method.exp_month))
        .bind(i64::from(method.exp_year))
        .bind(&method.holder)
        .bind(millis(method.created_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A card waiting for its 3-D Secure setup, if `method` is one.
    pub async fn pending_card(
        &self,
        account: &BillingAccountId,
        method: &PaymentMethodId,
    ) -> Result<Option<PaymentMethod>> {
        let row = sqlx::query(
            "SELECT * FROM payment_methods WHERE billing_account_id = $1 AND id = $2 \
             AND setup_state = 'requires_action'",
        )
        .bind(account.as_str())
        .bind(method.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(rows::payment_method).transpose()
    }

    /// Cards whose 3-D Secure setup began before `before` and is still open, oldest first; cards
    /// kept for a payment are left out (they follow that payment).
    pub async fn stale_card_setups(
        &self,
        before: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> Result<Vec<PaymentMethod>> {
        let found = sqlx::query(
            "SELECT * FROM payment_methods m WHERE m.setup_state = 'requires_action' AND m.created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.payment_method_id = m.id) \
             ORDER BY m.created_at, m.id LIMIT $2",
        )
        .bind(millis(before))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        found.iter().map(rows::payment_method).collect()
    }

    /// Ends a 3-D Secure setup: a passed challenge activates the card (and logs it), a failed one
    /// leaves it inactive for good. Returns false when the card was not waiting (already decided).
    pub async fn finish_card_setup(
        &self,
        account: &BillingAccountId,
        method: &PaymentMethodId,
        passed: bool,
        actor: Option<&AuditActor>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT * FROM payment_methods WHERE billing_account_id = $1 AND id = $2 \
             AND setup_state = 'requires_action'",
        )
        .bind(account.as_str())
        .bind(method.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let card = rows::payment_method(&row)?;
        if passed {
            sqlx::query(
                "UPDATE payment_methods SET status = 'active', setup_state = NULL \
                 WHERE billing_account_id = $1 AND id = $2",
            )
            .bind(account.as_str())
            .bind(method.as_str())
            .execute(&mut *tx)
            .await?;
            let default = current_default(&mut tx, account, &card.billing_profile_id).await?;
            if default == Some(None) {
                set_default(&mut tx, account, &card.billing_profile_id, Some(method)).await?;
            }
        } else {
            sqlx::query(
                "UPDATE payment_methods SET setup_state = 'failed' WHERE billing_account_id = $1 AND id = $2",
            )
            .bind(account.as_str())
            .bind(method.as_str())
            .execute(&mut *tx)
            .await?;
        }
        let mut detail = card_detail(&card);
        detail["three_d_secure"] = serde_json::json!(if passed { "passed" } else { "failed" });
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: actor.map(|a| a.user.clone()),
                kind: if passed {
                    "payment_method.added".into()
                } else {
                    "payment_method.setup_failed".into()
                },
                target: format!("•••• {}", card.last4),
                detail,
                ip: actor.and_then(|a| a.ip.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Makes an active card of the profile its default. `NotFound` when it is not one.
    pub async fn set_default_payment_method(
        &self,
        account: &BillingAccountId,
        profile: &BillingProfileId,
        method: &PaymentMethodId,
        actor: &AuditActor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let Some(card) = active_method(&mut tx, account, profile, method, self.backend()).await?
        else {
            return Err(StoreError::NotFound);
        };
        let before = current_default(&mut tx, account, profile).await?.flatten();
        set_default(&mut tx, account, profile, Some(method)).await?;
        let mut detail = card_detail(&card);
        detail["default_before"] = serde_json::json!(before);
        detail["default_after"] = serde_json::json!(method.as_str());
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: Some(actor.user.clone()),
                kind: "payment_method.default_set".into(),
                target: format!("•••• {}", card.last4),
                detail,
                ip: actor.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Detaches a card (status `inactive`), unless it is the default of a profile with unpaid
    /// invoices, the last card of a pay-as-you-go account, or in use by an open payment.
    pub async fn detach_payment_method(
        &self,
        account: &BillingAccountId,
        profile: &BillingProfileId,
        method: &PaymentMethodId,
        actor: &AuditActor,
    ) -> Result<Result<PaymentMethod, DetachRefusal>> {
        let mut tx = self.begin_write().await?;
        lock_account(&mut tx, account).await?;
        // The card's row lock: a payment or settlement starting with this card holds it until
        // its attempt is recorded, so the open-attempt count below sees it.
        let Some(card) = active_method(&mut tx, account, profile, method, self.backend()).await?
        else {
            return Ok(Err(DetachRefusal::NotFound));
        };
        let default = current_default(&mut tx, account, profile).await?.flatten();
        let is_default = default.as_deref() == Some(method.as_str());
        if is_default {
            let unpaid: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM invoices WHERE billing_account_id = $1 AND billing_profile_id = $2 \
                 AND status IN ('Due', 'OverDue')",
            )
            .bind(account.as_str())
            .bind(profile.as_str())
            .fetch_one(&mut *tx)
            .await?;
            if unpaid > 0 {
                return Ok(Err(DetachRefusal::DefaultWithUnpaidInvoices(unpaid)));
            }
        }
        let agreement: String =
            sqlx::query_scalar("SELECT agreement_type FROM billing_accounts WHERE id = $1")
                .bind(account.as_str())
                .fetch_one(&mut *tx)
                .await?;
        if AgreementType::from_code(&agreement).is_some_and(|a| a.is_pay_as_you_go()) {
            let cards: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM payment_methods WHERE billing_account_id = $1 AND status = 'active'",
            )
            .bind(account.as_str())
            .fetch_one(&mut *tx)
            .await?;
            if cards <= 1 {
                return Ok(Err(DetachRefusal::LastCardOfPayAsYouGo));
            }
        }
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM payments WHERE billing_account_id = $1 AND payment_method_id = $2 \
             AND state IN ('processing', 'requires_action', 'unknown')",
        )
        .bind(account.as_str())
        .bind(method.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let open_settlements: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM settlements WHERE billing_account_id = $1 AND payment_method_id = $2 \
             AND state IN ('processing', 'requires_action', 'unknown')",
        )
        .bind(account.as_str())
        .bind(method.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if open + open_settlements > 0 {
            return Ok(Err(DetachRefusal::InUse));
        }
        sqlx::query(
            "UPDATE payment_methods SET status = 'inactive' WHERE billing_account_id = $1 AND id = $2",
        )
        .bind(account.as_str())
        .bind(method.as_str())
        .execute(&mut *tx)
        .await?;
        if is_default {
            set_default(&mut tx, account, profile, None).await?;
        }
        let mut detail = card_detail(&card);
        detail["was_default"] = serde_json::json!(is_default);
        detail["status_before"] = serde_json::json!("active");
        detail["status_after"] = serde_json::json!("inactive");
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: Some(actor.user.clone()),
                kind: "payment_method.detached".into(),
                target: format!("•••• {}", card.last4),
                detail,
                ip: actor.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        let mut card = card;
        card.status = PaymentMethodStatus::Inactive;
        Ok(Ok(card))
    }

    /// Every active card on the account, across its profiles (for Settle balance).
    pub async fn account_payment_methods(
        &self,
        account: &BillingAccountId,
    ) -> Result<Vec<PaymentMethod>> {
        let rows = sqlx::query(
            "SELECT m.* FROM payment_methods m JOIN billing_profiles p ON p.id = m.billing_profile_id \
             WHERE m.billing_account_id = $1 AND m.status = 'active' \
             ORDER BY CASE WHEN p.default_payment_method_id = m.id THEN 0 ELSE 1 END, m.created_at DESC, m.id",
        )
        .bind(account.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(rows::payment_method).collect()
    }
}
