//! Settings an operator keeps per billing account: whether it may pay part of an invoice.

use crate::audit::{self, NewAuditEvent};
use crate::{Result, Store, StoreError};
use faktura_domain::*;

impl Store {
    /// Has an operator allowed this account to pay part of an invoice?
    pub async fn partial_payments_allowed(&self, account: &BillingAccountId) -> Result<bool> {
        let allowed = self
            .read_row(
                "SELECT partial_payments_allowed FROM billing_accounts WHERE id = $1",
                &[crate::direct::Param::Text(account.as_str())],
                |row| crate::rows::int(row, "partial_payments_allowed"),
            )
            .await?;
        allowed.map(|a| a != 0).ok_or(StoreError::NotFound)
    }

    /// Allows or stops part payments for the account, with the activity-log entry (before and
    /// after) in the same transaction. Returns whether anything changed.
    pub async fn set_partial_payments_allowed(
        &self,
        account: &BillingAccountId,
        allowed: bool,
        actor: Option<&UserId>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let before: Option<i64> = sqlx::query_scalar(
            "SELECT partial_payments_allowed FROM billing_accounts WHERE id = $1",
        )
        .bind(account.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let before = before.ok_or(StoreError::NotFound)? != 0;
        if before == allowed {
            return Ok(false);
        }
        sqlx::query("UPDATE billing_accounts SET partial_payments_allowed = $1 WHERE id = $2")
            .bind(i64::from(allowed))
            .bind(account.as_str())
            .execute(&mut *tx)
            .await?;
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: actor.cloned(),
                kind: "account.partial_payments_changed".into(),
                target: account.to_string(),
                detail: serde_json::json!({"before": before, "after": allowed}),
                ip: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
