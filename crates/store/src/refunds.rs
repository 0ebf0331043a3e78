//! Refunds of succeeded payments and the credit notes they issue.
//!
//! A refund is recorded `pending` *before* the gateway is asked, in a transaction that holds
//! the payment's row lock (`FOR UPDATE` on PostgreSQL; the write gate on SQLite) and checks the
//! cap — the payment's amount minus its pending and succeeded refunds — so two refunds at once
//! take turns and together never exceed what was paid. The gateway gets the refund id as its
//! idempotency key; the outcome is settled in a second transaction that, on success, issues
//! the numbered credit note with the activity-log entries (`payment.refunded`,
//! `credit_note.issued`) whose outbox events tell people and webhooks.

use crate::audit::{self, NewAuditEvent};
use crate::direct::Param;
use crate::rows::{self, millis};
use crate::{Result, Row, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use faktura_domain::refund::{check_refund, credit_note_number, refundable, CapError};
use faktura_domain::*;
use std::collections::HashMap;

/// A request to refund (part of) a succeeded payment.
#[derive(Debug, Clone)]
pub struct BeginRefund {
    pub account: BillingAccountId,
    pub payment: PaymentId,
    pub amount: Money,
    pub reason: String,
    pub actor: Option<UserId>,
    pub ip: Option<String>,
}

/// Why a refund could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundRefusal {
    PaymentNotFound,
    /// Only a succeeded payment can be refunded.
    NotSucceeded(PaymentState),
    /// More than the payment took minus what is refunded or being refunded.
    Exceeds {
        available: Money,
    },
    /// Zero, negative, or not in the payment's currency.
    BadAmount,
}

/// A refund with what the gateway needs to find the charge it refunds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundTarget {
    pub refund: Refund,
    /// The charge's idempotency key: the payment's id, or its settlement's.
    pub charge_key: String,
    /// The gateway's id for that charge, when stored.
    pub charge_reference: Option<String>,
}

/// What the gateway said about a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    Succeeded {
        reference: String,
    },
    Failed {
        reason: String,
        reference: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundSettled {
    pub refund: Refund,
    /// The credit note of a succeeded refund.
    pub credit_note: Option<CreditNote>,
    /// False when the refund was final already and nothing changed.
    pub changed: bool,
}

fn refund_row(row: &Row) -> Result<Refund> {
    let currency = rows::currency(row, "currency")?;
    let state = rows::text(row, "state")?;
    Ok(Refund {
        id: rows::id(row, "id", RefundId::parse)?,
        billing_account_id: rows::id(row, "billing_account_id", BillingAccountId::parse)?,
        payment_id: rows::id(row, "payment_id", PaymentId::parse)?,
        invoice_id: rows::id(row, "invoice_id", InvoiceId::parse)?,
        amount: rows::money(row, "amount_minor", currency)?,
        state: RefundState::from_code(&state)
            .ok_or_else(|| rows::corrupt("refund state", &state))?,
        gateway_reference: rows::opt_text(row, "gateway_reference")?,
        failure_reason: rows::opt_text(row, "failure_reason")?,
        reason: rows::text(row, "reason")?,
        created_by: rows::opt_id(row, "created_by", UserId::parse)?,
        created_at: rows::timestamp(row, "created_at")?,
        updated_at: rows::timestamp(row, "updated_at")?,
    })
}

fn credit_note_row<R: rows::RowRead + ?Sized>(row: &R) -> Result<CreditNote> {
    let currency = rows::currency(row, "currency")?;
    Ok(CreditNote {
        id: rows::id(row, "id", CreditNoteId::parse)?,
        billing_account_id: rows::id(row, "billing_account_id", BillingAccountId::parse)?,
        billing_profile_id: rows::id(row, "billing_profile_id", BillingProfileId::parse)?,
        number: rows::text(row, "number")?,
        invoice_id: rows::id(row, "invoice_id", InvoiceId::parse)?,
        invoice_number: rows::text(row, "invoice_number")?,
        refund_id: rows::id(row, "refund_id", RefundId::parse)?,
        amount: rows::money(row, "amount_minor", currency)?,
        issued_on: rows::date(row, "issued_on")?,
        created_at: rows::timestamp(row, "created_at")?,
    })
}

const CREDIT_NOTES: &str = "SELECT c.*, i.number AS invoice_number FROM credit_notes c \
     JOIN invoices i ON i.id = c.invoice_id";

/// The gateway's reference of a late charge: a success the gateway reported after the payment
/// was recorded as failed and another payment had paid the invoice
/// (`payments.late_charge_reference`). The money moved but the invoice never took it, so an
/// operator refunds it: in full or in part like any payment, but with no credit note (the
/// invoice was not credited, and its paid and refunded amounts stay as they are).
fn late_charge(payment: &Row) -> Result<Option<String>> {
    if rows::text(payment, "state")? != PaymentState::Failed.code() {
        return Ok(None);
    }
    rows::opt_text(payment, "late_charge_reference")
}

/// The charge a payment was taken by: its own (its late charge's, for a failed payment that
/// was charged after all), or its settlement's.
async fn charge_of(
    conn: &mut sqlx::AnyConnection,
    payment: &Row,
) -> Result<(String, Option<String>)> {
    if let Some(reference) = late_charge(payment)? {
        return Ok((rows::text(payment, "id")?, Some(reference)));
    }
    let settlement = rows::opt_text(payment, "settlement_id")?;
    match settlement {
        Some(settlement) => {
            let reference: Option<Option<String>> =
                sqlx::query_scalar("SELECT gateway_reference FROM settlements WHERE id = $1")
                    .bind(&settlement)
                    .fetch_optional(&mut *conn)
                    .await?;
            Ok((settlement, reference.flatten()))
        }
        None => Ok((
            rows::text(payment, "id")?,
            rows::opt_text(payment, "gateway_reference")?,
        )),
    }
}

/// What counts against the payment's cap: its pending and succeeded refunds.
async fn committed(
    conn: &mut sqlx::AnyConnection,
    payment: &str,
    currency: Currency,
) -> Result<Money> {
    let amounts: Vec<i64> = sqlx::query_scalar(
        "SELECT amount_minor FROM refunds WHERE payment_id = $1 AND state IN ('pending', 'succeeded')",
    )
    .bind(payment)
    .fetch_all(&mut *conn)
    .await?;
    Money::sum(
        currency,
        amounts.into_iter().map(|m| Money::from_minor(m, currency)),
    )
    .map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Records a `pending` refund within the payment's cap, or says why not.
    pub async fn begin_refund(
        &self,
        request: &BeginRefund,
    ) -> Result<Result<RefundTarget, RefundRefusal>> {
        let mut tx = self.begin_write().await?;
        // The payment's row lock makes two refunds of one payment take turns (PostgreSQL);
        // on SQLite the write gate already does.
        let row = sqlx::query(&format!(
            "SELECT * FROM payments WHERE billing_account_id = $1 AND id = $2{}",
            rows::for_update(self.backend())
        ))
        .bind(request.account.as_str())
        .bind(request.payment.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Err(RefundRefusal::PaymentNotFound));
        };
        let payment = rows::payment(&row)?;
        let late = late_charge(&row)?.is_some();
        if payment.state != PaymentState::Succeeded && !late {
            return Ok(Err(RefundRefusal::NotSucceeded(payment.state)));
        }
        let refunded = committed(&mut tx, payment.id.as_str(), payment.amount.currency()).await?;
        match check_refund(payment.amount, refunded, request.amount) {
            Ok(()) => {}
            Err(CapError::Exceeds { available }) => {
                return Ok(Err(RefundRefusal::Exceeds { available }))
            }
            Err(CapError::NotPositive | CapError::Money(_)) => {
                return Ok(Err(RefundRefusal::BadAmount))
            }
        }
        let (charge_key, charge_reference) = charge_of(&mut tx, &row).await?;
        let now = rows::now();
        let refund = Refund {
            id: RefundId::generate(),
            billing_account_id: request.account.clone(),
            payment_id: payment.id.clone(),
            invoice_id: payment.invoice_id.clone(),
            amount: request.amount,
            state: RefundState::Pending,
            gateway_reference: None,
            failure_reason: None,
            reason: request.reason.clone(),
            created_by: request.actor.clone(),
            created_at: now,
            updated_at: now,
        };
        sqlx::query(
            "INSERT INTO refunds (id, billing_account_id, payment_id, invoice_id, amount_minor, currency, \
             state, gateway_reference, failure_reason, reason, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', NULL, NULL, $7, $8, $9, $9)",
        )
        .bind(refund.id.as_str())
        .bind(refund.billing_account_id.as_str())
        .bind(refund.payment_id.as_str())
        .bind(refund.invoice_id.as_str())
        .bind(refund.amount.minor())
        .bind(refund.amount.currency().code())
        .bind(&refund.reason)
        .bind(refund.created_by.as_ref().map(|u| u.as_str()))
        .bind(millis(now))
        .execute(&mut *tx)
        .await?;
        let number = invoice_number(&mut tx, &request.account, &payment.invoice_id).await?;
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(request.account.clone()),
                actor: request.actor.clone(),
                kind: "refund.requested".into(),
                target: number,
                detail: serde_json::json!({
                    "refund": refund.id.as_str(),
                    "payment": payment.id.as_str(),
                    "invoice": payment.invoice_id.as_str(),
                    "amount_minor": refund.amount.minor(),
                    "currency": refund.amount.currency().code(),
                    "reason": refund.reason,
                    "late": late.then_some(true),
                }),
                ip: request.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(RefundTarget {
            refund,
            charge_key,
            charge_reference,
        }))
    }

    /// Applies the gateway's answer. A final refund is never changed again, so settling twice
    /// (the operator's request and the janitor) is harmless. A success issues the credit note
    /// with its number, and the activity log's `payment.refunded` and `credit_note.issued`, in
    /// the same transaction.
    pub async fn settle_refund(
        &self,
        account: &BillingAccountId,
        id: &RefundId,
        outcome: &RefundOutcome,
        today: NaiveDate,
        ip: Option<&str>,
    ) -> Result<RefundSettled> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "SELECT * FROM refunds WHERE billing_account_id = $1 AND id = $2{}",
            rows::for_update(self.backend())
        ))
        .bind(account.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        let mut refund = refund_row(&row)?;
        if refund.state.is_final() {
            drop(tx);
            let credit_note = self.credit_note_for_refund(account, id).await?;
            return Ok(RefundSettled {
                refund,
                credit_note,
                changed: false,
            });
        }
        let now = rows::now();
        let (state, reference, reason) = match outcome {
            RefundOutcome::Succeeded { reference } => {
                (RefundState::Succeeded, Some(reference.clone()), None)
            }
            RefundOutcome::Failed { reason, reference } => {
                (RefundState::Failed, reference.clone(), Some(reason.clone()))
            }
        };
        sqlx::query(
            "UPDATE refunds SET state = $1, gateway_reference = $2, failure_reason = $3, updated_at = $4 \
             WHERE billing_account_id = $5 AND id = $6",
        )
        .bind(state.code())
        .bind(reference.as_deref())
        .bind(reason.as_deref())
        .bind(millis(now))
        .bind(account.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
        refund.state = state;
        refund.gateway_reference = reference.clone();
        refund.failure_reason = reason.clone();
        refund.updated_at = now;
        let invoice = sqlx::query(
            "SELECT number, billing_profile_id FROM invoices WHERE billing_account_id = $1 AND id = $2",
        )
        .bind(account.as_str())
        .bind(refund.invoice_id.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("refund {id} without its invoice")))?;
        let invoice_number = rows::text(&invoice, "number")?;
        let profile = rows::id(&invoice, "billing_profile_id", BillingProfileId::parse)?;
        let payment = sqlx::query("SELECT * FROM payments WHERE id = $1")
            .bind(refund.payment_id.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("refund {id} without its payment")))?;
        let late = late_charge(&payment)?.is_some();
        let mut detail = serde_json::json!({
            "refund": refund.id.as_str(),
            "payment": refund.payment_id.as_str(),
            "invoice": refund.invoice_id.as_str(),
            "profile": profile.as_str(),
            "amount_minor": refund.amount.minor(),
            "currency": refund.amount.currency().code(),
            "gateway_reference": reference,
        });
        if late {
            if let Some(object) = detail.as_object_mut() {
                object.insert("late".into(), true.into());
            }
        }
        let credit_note = if state == RefundState::Succeeded && !late {
            let note =
                issue_credit_note(&mut tx, &refund, &profile, &invoice_number, today, now).await?;
            if let Some(object) = detail.as_object_mut() {
                object.insert("credit_note".into(), note.id.as_str().into());
                object.insert("credit_note_number".into(), note.number.clone().into());
            }
            Some(note)
        } else {
            if let Some(object) = detail.as_object_mut() {
                object.insert("failure_reason".into(), reason.clone().into());
            }
            None
        };
        let kind = if state == RefundState::Succeeded && late {
            // Not `payment.refunded`: that one tells the customer of a credit note.
            "payment.late_charge_refunded"
        } else if state == RefundState::Succeeded {
            "payment.refunded"
        } else {
            "refund.failed"
        };
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: refund.created_by.clone(),
                kind: kind.into(),
                target: invoice_number.clone(),
                detail,
                ip: ip.map(str::to_owned),
            },
        )
        .await?;
        if let Some(note) = &credit_note {
            audit::insert(
                &mut tx,
                &NewAuditEvent {
                    billing_account_id: Some(account.clone()),
                    actor: refund.created_by.clone(),
                    kind: "credit_note.issued".into(),
                    target: note.number.clone(),
                    detail: serde_json::json!({
                        "credit_note": note.id.as_str(),
                        "number": note.number,
                        "invoice": note.invoice_id.as_str(),
                        "invoice_number": note.invoice_number,
                        "profile": profile.as_str(),
                        "refund": refund.id.as_str(),
                        "payment": refund.payment_id.as_str(),
                        "amount_minor": note.amount.minor(),
                        "currency": note.amount.currency().code(),
                        "issued_on": rows::date_text(note.issued_on),
                    }),
                    ip: ip.map(str::to_owned),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(RefundSettled {
            refund,
            credit_note,
            changed: true,
        })
    }

    pub async fn refund(
        &self,
        account: &BillingAccountId,
        id: &RefundId,
    ) -> Result<Option<Refund>> {
        let row = sqlx::query("SELECT * FROM refunds WHERE billing_account_id = $1 AND id = $2")
            .bind(account.as_str())
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(refund_row).transpose()
    }

    /// The invoice's refunds, oldest first.
    pub async fn refunds_for_invoice(
        &self,
        account: &BillingAccountId,
        invoice: &InvoiceId,
    ) -> Result<Vec<Refund>> {
        let rows = sqlx::query(
            "SELECT * FROM refunds WHERE billing_account_id = $1 AND invoice_id = $2 ORDER BY created_at, id",
        )
        .bind(account.as_str())
        .bind(invoice.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(refund_row).collect()
    }

    /// The newest failed payments that were charged after all (late charges), across
    /// accounts, for the operator to refund.
    pub async fn late_charges(&self, limit: u32) -> Result<Vec<Payment>> {
        let rows = sqlx::query(
            "SELECT * FROM payments WHERE state = 'failed' AND late_charge_reference IS NOT NULL \
             ORDER BY updated_at DESC, id DESC LIMIT $1",
        )
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(rows::payment).collect()
    }

    /// What is left to refund of a payment (its amount minus pending and succeeded refunds).
    pub async fn refundable(&self, payment: &Payment) -> Result<Money> {
        let mut conn = self.pool().acquire().await?;
        let refunded = committed(&mut conn, payment.id.as_str(), payment.amount.currency()).await?;
        refundable(payment.amount, refunded).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// Refunds still `pending` whose last change is older than `before`, oldest first, with
    /// their charges (for the janitor, across accounts).
    pub async fn pending_refunds(
        &self,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<RefundTarget>> {
        let rows = sqlx::query(&format!(
            "SELECT * FROM refunds WHERE state = 'pending' AND updated_at <= $1 \
             ORDER BY updated_at, id LIMIT {}",
            limit.clamp(1, 500)
        ))
        .bind(millis(before))
        .fetch_all(self.pool())
        .await?;
        let mut conn = self.pool().acquire().await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in &rows {
            let refund = refund_row(row)?;
            let payment = sqlx::query("SELECT * FROM payments WHERE id = $1")
                .bind(refund.payment_id.as_str())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("refund {} without payment", refund.id))
                })?;
            let (charge_key, charge_reference) = charge_of(&mut conn, &payment).await?;
            found.push(RefundTarget {
                refund,
                charge_key,
                charge_reference,
            });
        }
        Ok(found)
    }

    /// Marks a pending refund as looked at (`now`), so the janitor's next look waits again.
    pub async fn touch_refund(
        &self,
        account: &BillingAccountId,
        id: &RefundId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let _gate = self.write_gate().await;
        sqlx::query(
            "UPDATE refunds SET updated_at = $1 WHERE billing_account_id = $2 AND id = $3 AND state = 'pending'",
        )
        .bind(millis(now))
        .bind(account.as_str())
        .bind(id.as_str())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The invoice's credit notes, oldest first.
    pub async fn credit_notes_for_invoice(
        &self,
        account: &BillingAccountId,
        invoice: &InvoiceId,
    ) -> Result<Vec<CreditNote>> {
        let rows = sqlx::query(&format!(
            "{CREDIT_NOTES} WHERE c.billing_account_id = $1 AND c.invoice_id = $2 ORDER BY c.number"
        ))
        .bind(account.as_str())
        .bind(invoice.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(credit_note_row).collect()
    }

    /// The credit notes of each of the invoices, in one query per 500 (for lists).
    pub async fn credit_notes_for_invoices(
        &self,
        account: &BillingAccountId,
        invoices: &[InvoiceId],
    ) -> Result<HashMap<InvoiceId, Vec<CreditNote>>> {
        let mut by_invoice: HashMap<InvoiceId, Vec<CreditNote>> = HashMap::new();
        for chunk in invoices.chunks(500) {
            let params: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "{CREDIT_NOTES} WHERE c.billing_account_id = $1 AND c.invoice_id IN ({}) ORDER BY c.number",
                params.join(", ")
            );
            let params: Vec<Param<'_>> = std::iter::once(Param::Text(account.as_str()))
                .chain(chunk.iter().map(|id| Param::Text(id.as_str())))
                .collect();
            for note in self
                .read_rows(&sql, &params, |row| credit_note_row(row))
                .await?
            {
                by_invoice
                    .entry(note.invoice_id.clone())
                    .or_default()
                    .push(note);
            }
        }
        Ok(by_invoice)
    }

    /// A credit note by id (`cn_…`) or by number (`CN000000001`).
    pub async fn credit_note(
        &self,
        account: &BillingAccountId,
        raw: &str,
    ) -> Result<Option<CreditNote>> {
        let row = sqlx::query(&format!(
            "{CREDIT_NOTES} WHERE c.billing_account_id = $1 AND (c.id = $2 OR c.number = $2)"
        ))
        .bind(account.as_str())
        .bind(raw)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(credit_note_row).transpose()
    }

    pub async fn credit_note_for_refund(
        &self,
        account: &BillingAccountId,
        refund: &RefundId,
    ) -> Result<Option<CreditNote>> {
        let row = sqlx::query(&format!(
            "{CREDIT_NOTES} WHERE c.billing_account_id = $1 AND c.refund_id = $2"
        ))
        .bind(account.as_str())
        .bind(refund.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(credit_note_row).transpose()
    }
}

async fn invoice_number(
    conn: &mut sqlx::AnyConnection,
    account: &BillingAccountId,
    invoice: &InvoiceId,
) -> Result<String> {
    let number: Option<String> =
        sqlx::query_scalar("SELECT number FROM invoices WHERE billing_account_id = $1 AND id = $2")
            .bind(account.as_str())
            .bind(invoice.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(number.unwrap_or_else(|| invoice.to_string()))
}

/// Takes the next credit note number (the sequence row's lock, or the SQLite write gate, makes
/// numbers unique and gap-free across nodes) and stores the credit note.
async fn issue_credit_note(
    conn: &mut sqlx::AnyConnection,
    refund: &Refund,
    profile: &BillingProfileId,
    invoice_number: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<CreditNote> {
    sqlx::query(
        "UPDATE document_sequences SET last_value = last_value + 1 WHERE name = 'credit_note'",
    )
    .execute(&mut *conn)
    .await?;
    let sequence: i64 =
        sqlx::query_scalar("SELECT last_value FROM document_sequences WHERE name = 'credit_note'")
            .fetch_one(&mut *conn)
            .await?;
    let note = CreditNote {
        id: CreditNoteId::generate(),
        billing_account_id: refund.billing_account_id.clone(),
        billing_profile_id: profile.clone(),
        number: credit_note_number(sequence),
        invoice_id: refund.invoice_id.clone(),
        invoice_number: invoice_number.to_owned(),
        refund_id: refund.id.clone(),
        amount: refund.amount,
        issued_on: today,
        created_at: now,
    };
    sqlx::query(
        "INSERT INTO credit_notes (id, billing_account_id, billing_profile_id, number, invoice_id, \
         refund_id, amount_minor, currency, issued_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(note.id.as_str())
    .bind(note.billing_account_id.as_str())
    .bind(note.billing_profile_id.as_str())
    .bind(&note.number)
    .bind(note.invoice_id.as_str())
    .bind(note.refund_id.as_str())
    .bind(note.amount.minor())
    .bind(note.amount.currency().code())
    .bind(rows::date_text(note.issued_on))
    .bind(millis(now))
    .execute(&mut *conn)
    .await?;
    Ok(note)
}
