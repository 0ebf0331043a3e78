//! Settle balance: one charge for all of a pay-as-you-go account's outstanding invoices,
//! all-or-nothing, with the same exactly-once design as a single payment.
//!
//! 1. `begin_settlement` records a `processing` settlement and, in the same transaction, one
//!    `processing` payment per outstanding invoice (tagged with the settlement id). The partial
//!    unique index on payments therefore blocks Pay now on those invoices while the settlement is
//!    open, and the settlement cannot start if any invoice already has an open payment. A second
//!    partial unique index allows one open settlement per account.
//! 2. The caller charges the gateway once, outside any transaction, with the settlement id as the
//!    idempotency key.
//! 3. `finish_settlement` applies the outcome to the settlement, all its payments and (on success)
//!    every invoice, with the activity-log entry, in one transaction. Unknown stays open.

use crate::audit::{self, NewAuditEvent};
use crate::invoices::invoice_without_lines;
use crate::methods::lock_account;
use crate::rows::{self, millis};
use crate::{PaymentOutcome, Result, Row, Store, StoreError};
use chrono::NaiveDate;
use faktura_domain::*;

#[derive(Debug, Clone)]
pub struct BeginSettlement {
    pub account: BillingAccountId,
    pub payment_method: PaymentMethodId,
    pub created_by: UserId,
    pub today: NaiveDate,
    pub ip: Option<String>,
}

/// Why a settlement could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettleRefusal {
    NothingOutstanding,
    /// Outstanding invoices in more than one currency cannot go in one charge.
    MixedCurrencies,
    /// The card is not an active card of the account.
    MethodNotFound,
    /// A settlement for the account is open already.
    InProgress(Settlement),
    /// One of the invoices has a payment open (Pay now in progress).
    InvoicePaymentOpen,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementResult {
    pub settlement: Settlement,
    pub changed: bool,
}

fn settlement(row: &Row) -> Result<Settlement> {
    let currency = rows::currency(row, "currency")?;
    Ok(Settlement {
        id: rows::id(row, "id", SettlementId::parse)?,
        billing_account_id: rows::id(row, "billing_account_id", BillingAccountId::parse)?,
        amount: rows::money(row, "amount_minor", currency)?,
        payment_method_id: rows::id(row, "payment_method_id", PaymentMethodId::parse)?,
        state: rows::coded(row, "state", PaymentState::from_code)?,
        failure_reason: rows::opt_coded(row, "failure_reason", FailureReason::from_code)?,
        gateway_reference: rows::opt_text(row, "gateway_reference")?,
        next_action_url: rows::opt_text(row, "next_action_url")?,
        created_by: rows::id(row, "created_by", UserId::parse)?,
        created_at: rows::timestamp(row, "created_at")?,
        updated_at: rows::timestamp(row, "updated_at")?,
    })
}

async fn open_settlement(
    conn: &mut sqlx::AnyConnection,
    account: &BillingAccountId,
) -> Result<Option<Settlement>> {
    let row = sqlx::query(
        "SELECT * FROM settlements WHERE billing_account_id = $1 \
         AND state IN ('processing', 'requires_action', 'unknown')",
    )
    .bind(account.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(settlement).transpose()
}

impl Store {
    /// The account's invoices that still need paying (Due or past due, something left to pay),
    /// oldest first.
    pub async fn outstanding_invoices(&self, account: &BillingAccountId) -> Result<Vec<Invoice>> {
        let mut conn = self.pool().acquire().await?;
        outstanding(&mut conn, account).await
    }

    /// The account's settlement that is not final, if any.
    pub async fn open_settlement(&self, account: &BillingAccountId) -> Result<Option<Settlement>> {
        let mut conn = self.pool().acquire().await?;
        open_settlement(&mut conn, account).await
    }

    pub async fn settlement(
        &self,
        account: &BillingAccountId,
        id: &SettlementId,
    ) -> Result<Option<Settlement>> {
        let row =
            sqlx::query("SELECT * FROM settlements WHERE billing_account_id = $1 AND id = $2")
                .bind(account.as_str())
                .bind(id.as_str())
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(settlement).transpose()
    }

    /// The invoices a settlement covers, by number.
    pub async fn settlement_invoices(
        &self,
        account: &BillingAccountId,
        id: &SettlementId,
    ) -> Result<Vec<Invoice>> {
        let rows = sqlx::query(
            "SELECT i.* FROM invoices i JOIN payments p ON p.invoice_id = i.id \
             WHERE p.billing_account_id = $1 AND p.settlement_id = $2 ORDER BY i.number",
        )
        .bind(account.as_str())
        .bind(id.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(invoice_without_lines).collect()
    }

    /// Records a `processing` settlement for the whole outstanding balance, or says why not.
    pub async fn begin_settlement(
        &self,
        request: &BeginSettlement,
    ) -> Result<Result<Settlement, SettleRefusal>> {
        let mut tx = self.begin_write().await?;
        let account = &request.account;
        if !lock_account(&mut tx, account).await? {
            return Err(StoreError::NotFound);
        }
        if let Some(open) = open_settlement(&mut tx, account).await? {
            return Ok(Err(SettleRefusal::InProgress(open)));
        }
        // Locked like a payment's card (see `begin_payment`), so detaching waits for this.
        let method: Option<String> = sqlx::query_scalar(&format!(
            "SELECT id FROM payment_methods WHERE billing_account_id = $1 AND id = $2 AND status = 'active'{}",
            rows::for_update(self.backend())
        ))
        .bind(account.as_str())
        .bind(request.payment_method.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if method.is_none() {
            return Ok(Err(SettleRefusal::MethodNotFound));
        }
        let invoices = outstanding(&mut tx, account).await?;
        let Some(first) = invoices.first() else {
            return Ok(Err(SettleRefusal::NothingOutstanding));
        };
        let currency = first.currency();
        if invoices.iter().any(|i| i.currency() != currency) {
            return Ok(Err(SettleRefusal::MixedCurrencies));
        }
        let mut dues = Vec::with_capacity(invoices.len());
        for invoice in &invoices {
            dues.push(
                invoice
                    .amount_due()
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            );
        }
        let amount = Money::sum(currency, dues.iter().copied())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = rows::now();
        let settlement = Settlement {
            id: SettlementId::generate(),
            billing_account_id: account.clone(),
            amount,
            payment_method_id: request.payment_method.clone(),
            state: PaymentState::Processing,
            failure_reason: None,
            gateway_reference: None,
            next_action_url: None,
            created_by: request.created_by.clone(),
            created_at: now,
            updated_at: now,
        };
        let inserted = sqlx::query(
            "INSERT INTO settlements (id, billing_account_id, amount_minor, currency, payment_method_id, state, \
             failure_reason, gateway_reference, next_action_url, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'processing', NULL, NULL, NULL, $6, $7, $7)",
        )
        .bind(settlement.id.as_str())
        .bind(account.as_str())
        .bind(amount.minor())
        .bind(currency.code())
        .bind(request.payment_method.as_str())
        .bind(request.created_by.as_str())
        .bind(millis(now))
        .execute(&mut *tx)
        .await;
        if let Err(error) = inserted {
            let error = StoreError::from(error);
            if error.is_unique_violation() {
                drop(tx);
                return match self.open_settlement(account).await? {
                    Some(open) => Ok(Err(SettleRefusal::InProgress(open))),
                    None => Err(StoreError::Conflict("concurrent settlement")),
                };
            }
            return Err(error);
        }
        for (invoice, due) in invoices.iter().zip(&dues) {
            let inserted = sqlx::query(
                "INSERT INTO payments (id, billing_account_id, invoice_id, amount_minor, currency, payment_method_id, \
                 state, failure_reason, gateway_reference, next_action_url, created_by, created_at, updated_at, settlement_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'processing', NULL, NULL, NULL, $7, $8, $8, $9)",
            )
            .bind(PaymentId::generate().as_str())
            .bind(account.as_str())
            .bind(invoice.id.as_str())
            .bind(due.minor())
            .bind(currency.code())
            .bind(request.payment_method.as_str())
            .bind(request.created_by.as_str())
            .bind(millis(now))
            .bind(settlement.id.as_str())
            .execute(&mut *tx)
            .await;
            if let Err(error) = inserted {
                let error = StoreError::from(error);
                if error.is_unique_violation() {
                    // Rolled back whole: nothing of this settlement remains.
                    return Ok(Err(SettleRefusal::InvoicePaymentOpen));
                }
                return Err(error);
            }
        }
        let numbers: Vec<&str> = invoices.iter().map(|i| i.number.as_str()).collect();
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: Some(request.created_by.clone()),
                kind: "settlement.attempted".into(),
                target: settlement.id.to_string(),
                detail: serde_json::json!({
                    "settlement": settlement.id.as_str(),
                    "amount_minor": amount.minor(),
                    "currency": currency.code(),
                    "payment_method": request.payment_method.as_str(),
                    "invoices": numbers,
                }),
                ip: request.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(settlement))
    }

    /// Applies the gateway's answer to the settlement, its payments and its invoices at once.
    /// A final settlement is never changed again.
    pub async fn finish_settlement(
        &self,
        account: &BillingAccountId,
        id: &SettlementId,
        outcome: &PaymentOutcome,
        actor: Option<&UserId>,
        ip: Option<&str>,
    ) -> Result<SettlementResult> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "SELECT * FROM settlements WHERE billing_account_id = $1 AND id = $2{}",
            crate::rows::for_update(self.backend())
        ))
        .bind(account.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        let mut current = settlement(&row)?;
        if current.state.is_final() {
            return Ok(SettlementResult {
                settlement: current,
                changed: false,
            });
        }
        let (state, reason, reference, url) =
            rows::outcome_columns(outcome, current.gateway_reference.as_ref());
        let now = rows::now();
        sqlx::query(
            "UPDATE settlements SET state = $1, failure_reason = $2, gateway_reference = $3, \
             next_action_url = $4, updated_at = $5 WHERE billing_account_id = $6 AND id = $7",
        )
        .bind(state.code())
        .bind(reason.map(|r| r.code()))
        .bind(reference.as_deref())
        .bind(url.as_deref())
        .bind(millis(now))
        .bind(account.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE payments SET state = $1, failure_reason = $2, gateway_reference = $3, \
             next_action_url = $4, updated_at = $5 WHERE billing_account_id = $6 AND settlement_id = $7",
        )
        .bind(state.code())
        .bind(reason.map(|r| r.code()))
        .bind(reference.as_deref())
        .bind(url.as_deref())
        .bind(millis(now))
        .bind(account.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
        let payments = sqlx::query(
            "SELECT p.invoice_id, p.amount_minor, i.number FROM payments p JOIN invoices i ON i.id = p.invoice_id \
             WHERE p.billing_account_id = $1 AND p.settlement_id = $2 ORDER BY i.number",
        )
        .bind(account.as_str())
        .bind(id.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let mut numbers = Vec::with_capacity(payments.len());
        for payment in &payments {
            let invoice = rows::text(payment, "invoice_id")?;
            numbers.push(rows::text(payment, "number")?);
            if state == PaymentState::Succeeded {
                let updated = sqlx::query(
                    "UPDATE invoices SET amount_paid_minor = amount_paid_minor + $1, \
                     status = CASE WHEN amount_paid_minor + $1 = total_minor - credits_minor THEN 'Paid' ELSE status END \
                     WHERE billing_account_id = $2 AND id = $3 AND status IN ('Due', 'OverDue') \
                     AND amount_paid_minor + $1 <= total_minor - credits_minor",
                )
                .bind(rows::int(payment, "amount_minor")?)
                .bind(account.as_str())
                .bind(&invoice)
                .execute(&mut *tx)
                .await?;
                if updated.rows_affected() != 1 {
                    return Err(StoreError::Corrupt(format!(
                        "settlement {id} succeeded but invoice {invoice} could not take it"
                    )));
                }
            }
        }
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: actor.cloned(),
                kind: format!("settlement.{}", state.code()),
                target: id.to_string(),
                detail: serde_json::json!({
                    "settlement": id.as_str(),
                    "from": current.state.code(),
                    "to": state.code(),
                    "failure_reason": reason.map(|r| r.code()),
                    "gateway_reference": reference,
                    "invoices": numbers,
                }),
                ip: ip.map(str::to_owned),
            },
        )
        .await?;
        if state == PaymentState::Succeeded {
            for payment in &payments {
                crate::payments::record_invoice_paid(
                    &mut tx,
                    account,
                    &rows::text(payment, "invoice_id")?,
                    serde_json::json!({"settlement": id.as_str()}),
                    actor,
                    ip,
                )
                .await?;
            }
        }
        tx.commit().await?;
        current.state = state;
        current.failure_reason = reason;
        current.gateway_reference = reference;
        current.next_action_url = url;
        current.updated_at = now;
        Ok(SettlementResult {
            settlement: current,
            changed: true,
        })
    }
}

async fn outstanding(
    conn: &mut sqlx::AnyConnection,
    account: &BillingAccountId,
) -> Result<Vec<Invoice>> {
    let rows = sqlx::query(
        "SELECT * FROM invoices WHERE billing_account_id = $1 AND status IN ('Due', 'OverDue') \
         AND amount_paid_minor < total_minor - credits_minor ORDER BY invoice_date, id",
    )
    .bind(account.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(invoice_without_lines).collect()
}
