//! Payments against invoices, built so that one invoice can never be charged twice.
//!
//! A payment is recorded (state `processing`) *before* the gateway is called, in a transaction
//! that re-checks the invoice. A partial unique index allows at most one payment per invoice that
//! is still in flight (processing, awaiting 3-D Secure, or unknown), so two clicks, two tabs or
//! two nodes cannot both start one. The gateway gets the payment id as its idempotency key; the
//! outcome is settled in a second transaction that also applies it to the invoice. A payment may
//! be for part of the amount due (several succeeded payments then pay one invoice); it never
//! takes more than is due when it starts, and the invoice refuses more than is due when it lands.

use crate::audit::{self, NewAuditEvent};
use crate::direct::Param;
use crate::idempotency::IdempotencyClaim;
use crate::invoices::invoice_without_lines;
use crate::rows::{self, millis};
use crate::{Result, Store, StoreError};
use chrono::NaiveDate;
use faktura_domain::*;
use sqlx::Row as _;

/// A request to start paying an invoice.
#[derive(Debug, Clone)]
pub struct BeginPayment {
    pub account: BillingAccountId,
    pub invoice: InvoiceId,
    /// Part of the amount due; `None` pays all of it.
    pub amount: Option<Money>,
    /// The saved card to charge; `None` while a new card is still being tokenized.
    pub payment_method: Option<PaymentMethodId>,
    pub created_by: UserId,
    pub today: NaiveDate,
    pub ip: Option<String>,
}

/// Why a payment could not be started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayRefusal {
    InvoiceNotFound,
    NotPayable(InvoiceStatus),
    /// Another payment for this invoice is open (processing, awaiting 3-D Secure, or unknown).
    InProgress(Payment),
    AlreadyPaid(Payment),
    /// The part asked for is not a positive amount in the invoice's currency of at most what is
    /// due now (another payment may have landed since it was chosen).
    AmountAboveDue(Money),
    /// The saved card is not an active card of the invoice's profile (any more): detached or
    /// replaced between the choice and the start. Checked under the card's row lock, which
    /// detaching takes too, so a card cannot be detached while a payment with it starts.
    MethodUnusable,
    /// The idempotency key to claim with the payment was taken meanwhile (by a request with
    /// the same key); nothing was written.
    KeyTaken,
}

/// The answer to store under an idempotency key when a payment is settled: computed from the
/// payment as settled, inside the settling transaction.
pub type PaymentAnswer<'a> = (
    &'a IdempotencyClaim,
    &'a (dyn Fn(&Payment) -> (u16, String) + Send + Sync),
);

/// What the gateway said about a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    Succeeded {
        reference: String,
    },
    Failed {
        reason: FailureReason,
        reference: Option<String>,
    },
    RequiresAction {
        url: String,
        reference: String,
    },
    /// No definite answer (timeout, reset, 5xx): money may or may not have moved.
    Unknown,
}

/// A success the gateway reported for a payment already recorded as failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LateCharge {
    /// Nothing of the kind.
    None,
    /// The invoice could still take it: the payment is now succeeded and the invoice paid.
    Applied,
    /// Another payment had paid the invoice: the charge is kept on the failed payment
    /// (`late_charge_reference`) and in the activity log, for an operator to refund.
    NeedsRefund,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettleResult {
    pub payment: Payment,
    /// False when the payment was already final and this settle changed nothing.
    pub changed: bool,
    pub late_charge: LateCharge,
}

impl Store {
    /// Records a `processing` payment for the invoice's amount due (or the part asked for), or
    /// says why not.
    pub async fn begin_payment(
        &self,
        request: &BeginPayment,
    ) -> Result<Result<Payment, PayRefusal>> {
        self.begin_payment_claiming(request, None).await
    }

    /// [`Store::begin_payment`] that also claims an idempotency key in the same transaction
    /// (`KeyTaken` if it is taken): the key costs no commit of its own.
    pub async fn begin_payment_claiming(
        &self,
        request: &BeginPayment,
        claim: Option<&IdempotencyClaim>,
    ) -> Result<Result<Payment, PayRefusal>> {
        let mut tx = self.begin_write().await?;
        if let Some(claim) = claim {
            if !crate::idempotency::claim_in(&mut tx, claim).await? {
                return Ok(Err(PayRefusal::KeyTaken));
            }
        }
        let row = sqlx::query("SELECT * FROM invoices WHERE billing_account_id = $1 AND id = $2")
            .bind(request.account.as_str())
            .bind(request.invoice.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(Err(PayRefusal::InvoiceNotFound));
        };
        let invoice = invoice_without_lines(&row)?;
        if let Some(method) = &request.payment_method {
            let usable: Option<String> = sqlx::query_scalar(&format!(
                "SELECT id FROM payment_methods WHERE billing_account_id = $1 AND id = $2 \
                 AND billing_profile_id = $3 AND status = 'active'{}",
                crate::rows::for_update(self.backend())
            ))
            .bind(request.account.as_str())
            .bind(method.as_str())
            .bind(invoice.billing_profile_id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if usable.is_none() {
                return Ok(Err(PayRefusal::MethodUnusable));
            }
        }
        if let Some(open) = open_payment(&mut tx, &request.account, &request.invoice).await? {
            return Ok(Err(PayRefusal::InProgress(open)));
        }
        if !invoice.is_payable_on(request.today) {
            if invoice.status == InvoiceStatus::Paid {
                if let Some(paid) =
                    last_succeeded(&mut tx, &request.account, &request.invoice).await?
                {
                    return Ok(Err(PayRefusal::AlreadyPaid(paid)));
                }
            }
            return Ok(Err(PayRefusal::NotPayable(
                invoice.status_on(request.today),
            )));
        }
        let due = invoice
            .amount_due()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let amount = match request.amount {
            None => due,
            Some(part)
                if part.currency() == due.currency()
                    && part.is_positive()
                    && part.minor() <= due.minor() =>
            {
                part
            }
            Some(_) => return Ok(Err(PayRefusal::AmountAboveDue(due))),
        };
        let now = crate::rows::now();
        let payment = Payment {
            id: PaymentId::generate(),
            billing_account_id: request.account.clone(),
            invoice_id: request.invoice.clone(),
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
            "INSERT INTO payments (id, billing_account_id, invoice_id, amount_minor, currency, payment_method_id, \
             state, failure_reason, gateway_reference, next_action_url, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL, $8, $9, $9)",
        )
        .bind(payment.id.as_str())
        .bind(payment.billing_account_id.as_str())
        .bind(payment.invoice_id.as_str())
        .bind(payment.amount.minor())
        .bind(payment.amount.currency().code())
        .bind(request.payment_method.as_ref().map(|m| m.as_str()))
        .bind(payment.state.code())
        .bind(payment.created_by.as_str())
        .bind(millis(now))
        .execute(&mut *tx)
        .await;
        if let Err(error) = inserted {
            let error = StoreError::from(error);
            if error.is_unique_violation() {
                // Another node won the race between our check and our insert.
                drop(tx);
                return match self
                    .open_payment_for(&request.account, &request.invoice)
                    .await?
                {
                    Some(open) => Ok(Err(PayRefusal::InProgress(open))),
                    None => Err(StoreError::Conflict("concurrent payment")),
                };
            }
            return Err(error);
        }
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(request.account.clone()),
                actor: Some(request.created_by.clone()),
                kind: "payment.attempted".into(),
                target: invoice.number.clone(),
                detail: serde_json::json!({
                    "payment": payment.id.as_str(),
                    "amount_minor": payment.amount.minor(),
                    "currency": payment.amount.currency().code(),
                    "payment_method": request.payment_method.as_ref().map(|m| m.as_str()),
                }),
                ip: request.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(payment))
    }

    /// Records which saved card a payment used, once a new card has been saved.
    pub async fn attach_payment_method(
        &self,
        account: &BillingAccountId,
        payment: &PaymentId,
        method: &PaymentMethodId,
    ) -> Result<()> {
        let _gate = self.write_gate().await;
        sqlx::query(
            "UPDATE payments SET payment_method_id = $1 WHERE billing_account_id = $2 AND id = $3 \
             AND payment_method_id IS NULL",
        )
        .bind(method.as_str())
        .bind(account.as_str())
        .bind(payment.as_str())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The invoice's payment still in flight (processing, awaiting 3-D Secure, or unknown), if
    /// any (at most one exists).
    pub async fn open_payment_for(
        &self,
        account: &BillingAccountId,
        invoice: &InvoiceId,
    ) -> Result<Option<Payment>> {
        self.read_row(
            OPEN_PAYMENT,
            &[Param::Text(account.as_str()), Param::Text(invoice.as_str())],
            |row| rows::payment(row),
        )
        .await
    }

    /// The invoice's newest succeeded payment, if any: the one that paid it when it is Paid.
    pub async fn last_succeeded_payment(
        &self,
        account: &BillingAccountId,
        invoice: &InvoiceId,
    ) -> Result<Option<Payment>> {
        let mut conn = self.pool().acquire().await?;
        last_succeeded(&mut conn, account, invoice).await
    }

    pub async fn payment(
        &self,
        account: &BillingAccountId,
        id: &PaymentId,
    ) -> Result<Option<Payment>> {
        self.read_row(
            "SELECT * FROM payments WHERE billing_account_id = $1 AND id = $2",
            &[Param::Text(account.as_str()), Param::Text(id.as_str())],
            |row| rows::payment(row),
        )
        .await
    }

    /// Every payment attempt on the invoice, oldest first.
    pub async fn payments_for_invoice(
        &self,
        account: &BillingAccountId,
        invoice: &InvoiceId,
    ) -> Result<Vec<Payment>> {
        self.read_rows(
            "SELECT * FROM payments WHERE billing_account_id = $1 AND invoice_id = $2 ORDER BY created_at, id",
            &[Param::Text(account.as_str()), Param::Text(invoice.as_str())],
            |row| rows::payment(row),
        )
        .await
    }

    /// Every payment attempt on each of the invoices, oldest first, in one query (for lists).
    pub async fn payments_for_invoices(
        &self,
        account: &BillingAccountId,
        invoices: &[InvoiceId],
    ) -> Result<std::collections::HashMap<InvoiceId, Vec<Payment>>> {
        let mut by_invoice: std::collections::HashMap<InvoiceId, Vec<Payment>> =
            std::collections::HashMap::new();
        for chunk in invoices.chunks(500) {
            let params: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT * FROM payments WHERE billing_account_id = $1 AND invoice_id IN ({}) \
                 ORDER BY invoice_id, created_at, id",
                params.join(", ")
            );
            let params: Vec<Param<'_>> = std::iter::once(Param::Text(account.as_str()))
                .chain(chunk.iter().map(|id| Param::Text(id.as_str())))
                .collect();
            for payment in self
                .read_rows(&sql, &params, |row| rows::payment(row))
                .await?
            {
                by_invoice
                    .entry(payment.invoice_id.clone())
                    .or_default()
                    .push(payment);
            }
        }
        Ok(by_invoice)
    }

    /// Applies the gateway's answer. Final payments are never changed again, so settling twice
    /// (a retry, the janitor and a person at once) is harmless. A success marks the invoice paid
    /// in the same transaction, together with the activity-log entry.
    pub async fn settle_payment(
        &self,
        account: &BillingAccountId,
        payment_id: &PaymentId,
        outcome: &PaymentOutcome,
        actor: Option<&UserId>,
        ip: Option<&str>,
    ) -> Result<SettleResult> {
        self.settle_payment_answering(account, payment_id, outcome, actor, ip, None)
            .await
    }

    /// [`Store::settle_payment`] that also stores the answer under an idempotency key claimed
    /// with the payment, in the same transaction.
    pub async fn settle_payment_answering(
        &self,
        account: &BillingAccountId,
        payment_id: &PaymentId,
        outcome: &PaymentOutcome,
        actor: Option<&UserId>,
        ip: Option<&str>,
        answer: Option<PaymentAnswer<'_>>,
    ) -> Result<SettleResult> {
        self.settle_payment_once(None, account, payment_id, outcome, actor, ip, answer)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a settle without an event was deduplicated".into()))
    }

    /// [`Store::settle_payment`] for a gateway's webhook event `(id, kind)`: the event is
    /// recorded in the same transaction, and an event seen before changes nothing (`None`).
    pub async fn settle_payment_for_event(
        &self,
        event: (&str, &str),
        account: &BillingAccountId,
        payment_id: &PaymentId,
        outcome: &PaymentOutcome,
    ) -> Result<Option<SettleResult>> {
        self.settle_payment_once(Some(event), account, payment_id, outcome, None, None, None)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn settle_payment_once(
        &self,
        event: Option<(&str, &str)>,
        account: &BillingAccountId,
        payment_id: &PaymentId,
        outcome: &PaymentOutcome,
        actor: Option<&UserId>,
        ip: Option<&str>,
        answer: Option<PaymentAnswer<'_>>,
    ) -> Result<Option<SettleResult>> {
        let mut tx = self.begin_write().await?;
        if let Some((id, kind)) = event {
            if !crate::gateway::insert_event(&mut tx, id, kind).await? {
                return Ok(None);
            }
        }
        // A payment that is part of a settlement is settled with it, never on its own.
        // The row lock (PostgreSQL) makes two settles of one payment (the person's request and
        // the janitor on another node) take turns: the second sees the first's final state.
        let row = sqlx::query(&format!(
            "SELECT * FROM payments WHERE billing_account_id = $1 AND id = $2 AND settlement_id IS NULL{}",
            crate::rows::for_update(self.backend())
        ))
        .bind(account.as_str())
        .bind(payment_id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        let mut payment = rows::payment(&row)?;
        if payment.state == PaymentState::Failed {
            if let PaymentOutcome::Succeeded { reference } = outcome {
                let already: Option<String> = row.try_get("late_charge_reference")?;
                if already.is_none() {
                    let late = late_success(&mut tx, &mut payment, reference, actor, ip).await?;
                    store_answer(&mut tx, answer, &payment).await?;
                    tx.commit().await?;
                    return Ok(Some(SettleResult {
                        payment,
                        changed: true,
                        late_charge: late,
                    }));
                }
            }
        }
        if payment.state.is_final() {
            // The event is kept as seen even so.
            store_answer(&mut tx, answer, &payment).await?;
            tx.commit().await?;
            return Ok(Some(SettleResult {
                payment,
                changed: false,
                late_charge: LateCharge::None,
            }));
        }
        let (state, reason, reference, url) =
            rows::outcome_columns(outcome, payment.gateway_reference.as_ref());
        let now = crate::rows::now();
        sqlx::query(
            "UPDATE payments SET state = $1, failure_reason = $2, gateway_reference = $3, next_action_url = $4, \
             updated_at = $5 WHERE billing_account_id = $6 AND id = $7",
        )
        .bind(state.code())
        .bind(reason.map(|r| r.code()))
        .bind(reference.as_deref())
        .bind(url.as_deref())
        .bind(millis(now))
        .bind(account.as_str())
        .bind(payment_id.as_str())
        .execute(&mut *tx)
        .await?;
        if state == PaymentState::Succeeded {
            // Applies the payment's amount (all that was due, or a part of it); the guard keeps
            // the invoice from ever taking more than is due.
            let updated = sqlx::query(
                "UPDATE invoices SET amount_paid_minor = amount_paid_minor + $1, \
                 status = CASE WHEN amount_paid_minor + $1 = total_minor - credits_minor THEN 'Paid' ELSE status END \
                 WHERE billing_account_id = $2 AND id = $3 AND status IN ('Due', 'OverDue') \
                 AND amount_paid_minor + $1 <= total_minor - credits_minor",
            )
            .bind(payment.amount.minor())
            .bind(account.as_str())
            .bind(payment.invoice_id.as_str())
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() != 1 {
                return Err(StoreError::Corrupt(format!(
                    "payment {} succeeded but invoice {} could not take it",
                    payment.id, payment.invoice_id
                )));
            }
        }
        let number: Option<String> = sqlx::query_scalar(
            "SELECT number FROM invoices WHERE billing_account_id = $1 AND id = $2",
        )
        .bind(account.as_str())
        .bind(payment.invoice_id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        audit::insert(
            &mut tx,
            &NewAuditEvent {
                billing_account_id: Some(account.clone()),
                actor: actor.cloned(),
                kind: format!("payment.{}", state.code()),
                target: number.unwrap_or_else(|| payment.invoice_id.to_string()),
                detail: serde_json::json!({
                    "payment": payment.id.as_str(),
                    "from": payment.state.code(),
                    "to": state.code(),
                    "failure_reason": reason.map(|r| r.code()),
                    "gateway_reference": reference,
                }),
                ip: ip.map(str::to_owned),
            },
        )
        .await?;
        if state == PaymentState::Succeeded {
            record_invoice_paid(
                &mut tx,
                account,
                payment.invoice_id.as_str(),
                serde_json::json!({"payment": payment.id.as_str()}),
                actor,
                ip,
            )
            .await?;
        }
        payment.state = state;
        payment.failure_reason = reason;
        payment.gateway_reference = reference;
        payment.next_action_url = url;
        payment.updated_at = now;
        store_answer(&mut tx, answer, &payment).await?;
        tx.commit().await?;
        Ok(Some(SettleResult {
            payment,
            changed: true,
            late_charge: LateCharge::None,
        }))
    }
}

/// Stores the answer for the settled payment under its idempotency key, if there is one.
async fn store_answer(
    conn: &mut sqlx::AnyConnection,
    answer: Option<PaymentAnswer<'_>>,
    payment: &Payment,
) -> Result<()> {
    if let Some((claim, respond)) = answer {
        let (status, body) = respond(payment);
        crate::idempotency::finish_in(conn, claim, status, &body).await?;
    }
    Ok(())
}

/// Records a success for a payment already recorded as failed: applied to the invoice when it
/// can still take it (no other payment in flight, the amount still due), else kept on the
/// payment for a refund. Either way the activity log says so.
async fn late_success(
    tx: &mut sqlx::AnyConnection,
    payment: &mut Payment,
    reference: &str,
    actor: Option<&UserId>,
    ip: Option<&str>,
) -> Result<LateCharge> {
    let account = payment.billing_account_id.clone();
    let now = crate::rows::now();
    let other_open = open_payment(tx, &account, &payment.invoice_id).await?;
    let applied = if other_open.is_none() {
        sqlx::query(
            "UPDATE invoices SET amount_paid_minor = amount_paid_minor + $1, \
             status = CASE WHEN amount_paid_minor + $1 = total_minor - credits_minor THEN 'Paid' ELSE status END \
             WHERE billing_account_id = $2 AND id = $3 AND status IN ('Due', 'OverDue') \
             AND amount_paid_minor + $1 <= total_minor - credits_minor",
        )
        .bind(payment.amount.minor())
        .bind(account.as_str())
        .bind(payment.invoice_id.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1
    } else {
        false
    };
    let (kind, late) = if applied {
        sqlx::query(
            "UPDATE payments SET state = 'succeeded', failure_reason = NULL, gateway_reference = $1, \
             next_action_url = NULL, updated_at = $2 WHERE billing_account_id = $3 AND id = $4",
        )
        .bind(reference)
        .bind(millis(now))
        .bind(account.as_str())
        .bind(payment.id.as_str())
        .execute(&mut *tx)
        .await?;
        payment.state = PaymentState::Succeeded;
        payment.failure_reason = None;
        payment.gateway_reference = Some(reference.to_owned());
        payment.next_action_url = None;
        payment.updated_at = now;
        ("payment.succeeded", LateCharge::Applied)
    } else {
        sqlx::query(
            "UPDATE payments SET late_charge_reference = $1, updated_at = $2 \
             WHERE billing_account_id = $3 AND id = $4",
        )
        .bind(reference)
        .bind(millis(now))
        .bind(account.as_str())
        .bind(payment.id.as_str())
        .execute(&mut *tx)
        .await?;
        payment.updated_at = now;
        ("payment.charged_after_failure", LateCharge::NeedsRefund)
    };
    let number: Option<String> =
        sqlx::query_scalar("SELECT number FROM invoices WHERE billing_account_id = $1 AND id = $2")
            .bind(account.as_str())
            .bind(payment.invoice_id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    audit::insert(
        &mut *tx,
        &NewAuditEvent {
            billing_account_id: Some(account.clone()),
            actor: actor.cloned(),
            kind: kind.into(),
            target: number.unwrap_or_else(|| payment.invoice_id.to_string()),
            detail: serde_json::json!({
                "payment": payment.id.as_str(),
                "from": "failed",
                "to": payment.state.code(),
                "late": true,
                "needs_refund": late == LateCharge::NeedsRefund,
                "amount_minor": payment.amount.minor(),
                "currency": payment.amount.currency().code(),
                "gateway_reference": reference,
            }),
            ip: ip.map(str::to_owned),
        },
    )
    .await?;
    if late == LateCharge::Applied {
        record_invoice_paid(
            &mut *tx,
            &account,
            payment.invoice_id.as_str(),
            serde_json::json!({"payment": payment.id.as_str()}),
            actor,
            ip,
        )
        .await?;
    }
    Ok(late)
}

/// Logs `invoice.paid` (which the outbox carries to webhooks) when the change just made in this
/// transaction left the invoice Paid; `via` names the payment or settlement that paid it.
pub(crate) async fn record_invoice_paid(
    conn: &mut sqlx::AnyConnection,
    account: &BillingAccountId,
    invoice: &str,
    via: serde_json::Value,
    actor: Option<&UserId>,
    ip: Option<&str>,
) -> Result<()> {
    let row = sqlx::query(
        "SELECT number, status, billing_profile_id, total_minor, currency FROM invoices \
         WHERE billing_account_id = $1 AND id = $2",
    )
    .bind(account.as_str())
    .bind(invoice)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(());
    };
    if rows::text(&row, "status")? != "Paid" {
        return Ok(());
    }
    let mut detail = serde_json::json!({
        "invoice": invoice,
        "profile": rows::text(&row, "billing_profile_id")?,
        "total_minor": rows::int(&row, "total_minor")?,
        "currency": rows::text(&row, "currency")?,
    });
    if let (Some(detail), Some(via)) = (detail.as_object_mut(), via.as_object()) {
        detail.extend(via.clone());
    }
    audit::insert(
        &mut *conn,
        &NewAuditEvent {
            billing_account_id: Some(account.clone()),
            actor: actor.cloned(),
            kind: "invoice.paid".into(),
            target: rows::text(&row, "number")?,
            detail,
            ip: ip.map(str::to_owned),
        },
    )
    .await
}

/// The invoice's payment in flight (at most one: a partial unique index).
const OPEN_PAYMENT: &str = "SELECT * FROM payments WHERE billing_account_id = $1 \
     AND invoice_id = $2 AND state IN ('processing', 'unknown', 'requires_action')";

async fn open_payment(
    conn: &mut sqlx::AnyConnection,
    account: &BillingAccountId,
    invoice: &InvoiceId,
) -> Result<Option<Payment>> {
    let row = sqlx::query(OPEN_PAYMENT)
        .bind(account.as_str())
        .bind(invoice.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(rows::payment).transpose()
}

async fn last_succeeded(
    conn: &mut sqlx::AnyConnection,
    account: &BillingAccountId,
    invoice: &InvoiceId,
) -> Result<Option<Payment>> {
    let row = sqlx::query(
        "SELECT * FROM payments WHERE billing_account_id = $1 AND invoice_id = $2 \
         AND state = 'succeeded' ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(account.as_str())
    .bind(invoice.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(rows::payment).transpose()
}
