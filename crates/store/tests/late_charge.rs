//! A success the gateway reports for a payment already recorded as failed (a late answer to a
//! charge we gave up on) is never dropped: applied to the invoice when it can take it, else
//! kept for a refund and shown in the activity log. On SQLite and PostgreSQL.

mod common;

use common::{begin, today};

use faktura_domain::*;
use faktura_store::*;

fn failed() -> PaymentOutcome {
    PaymentOutcome::Failed {
        reason: FailureReason::ProcessingError,
        reference: None,
    }
}

fn succeeded(reference: &str) -> PaymentOutcome {
    PaymentOutcome::Succeeded {
        reference: reference.into(),
    }
}

async fn late_charge_events(store: &Store, account: &BillingAccountId) -> Vec<AuditEvent> {
    store
        .audit_events(&AuditFilter {
            account: account.clone(),
            kind_prefix: Some("payment.".into()),
            since: None,
            limit: 100,
        })
        .await
        .unwrap()
}

async fn late_success_is_applied_when_the_invoice_can_take_it(store: Store) {
    let (account, _admin, invoice, payment) = begin(&store).await;
    let first = store
        .settle_payment(&account.id, &payment.id, &failed(), None, None)
        .await
        .unwrap();
    assert_eq!(first.payment.state, PaymentState::Failed);
    assert_eq!(first.late_charge, LateCharge::None);

    let late = store
        .settle_payment(&account.id, &payment.id, &succeeded("ch_late"), None, None)
        .await
        .unwrap();
    assert_eq!(late.late_charge, LateCharge::Applied);
    assert_eq!(late.payment.state, PaymentState::Succeeded);
    assert_eq!(late.payment.failure_reason, None);
    let stored = store
        .payment(&account.id, &payment.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, PaymentState::Succeeded);
    assert_eq!(stored.gateway_reference.as_deref(), Some("ch_late"));
    let paid = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert_eq!(paid.amount_paid, paid.total);

    // Told again (the janitor, a second return link): nothing more happens.
    let again = store
        .settle_payment(&account.id, &payment.id, &succeeded("ch_late"), None, None)
        .await
        .unwrap();
    assert!(!again.changed);
    assert_eq!(again.late_charge, LateCharge::None);
    let still = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.amount_paid, paid.amount_paid);
}

async fn late_success_after_another_payment_is_kept_for_a_refund(store: Store) {
    let (account, admin, invoice, first) = begin(&store).await;
    store
        .settle_payment(&account.id, &first.id, &failed(), None, None)
        .await
        .unwrap();
    // A second attempt pays the invoice.
    let second = store
        .begin_payment(&BeginPayment {
            account: account.id.clone(),
            invoice: invoice.id.clone(),
            amount: None,
            payment_method: first.payment_method_id.clone(),
            created_by: admin.clone(),
            today: today(),
            ip: None,
        })
        .await
        .unwrap()
        .unwrap();
    store
        .settle_payment(&account.id, &second.id, &succeeded("ch_second"), None, None)
        .await
        .unwrap();
    let paid = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);

    // Then the gateway says the first attempt was charged after all.
    let late = store
        .settle_payment(&account.id, &first.id, &succeeded("ch_first"), None, None)
        .await
        .unwrap();
    assert_eq!(late.late_charge, LateCharge::NeedsRefund);
    assert!(late.changed);
    let stored = store
        .payment(&account.id, &first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.state,
        PaymentState::Failed,
        "the invoice is paid once"
    );
    let after = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.amount_paid, paid.amount_paid, "not applied twice");
    let events = late_charge_events(&store, &account.id).await;
    let flagged: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "payment.charged_after_failure")
        .collect();
    assert_eq!(flagged.len(), 1, "{events:?}");
    let detail: serde_json::Value = serde_json::from_str(&flagged[0].detail).unwrap();
    assert_eq!(detail["payment"], first.id.as_str());
    assert_eq!(detail["gateway_reference"], "ch_first");
    assert_eq!(detail["needs_refund"], true);

    // Said twice, recorded once.
    let again = store
        .settle_payment(&account.id, &first.id, &succeeded("ch_first"), None, None)
        .await
        .unwrap();
    assert!(!again.changed);
    let events = late_charge_events(&store, &account.id).await;
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == "payment.charged_after_failure")
            .count(),
        1
    );
}

/// A failed payment that the gateway charged after another payment had paid the invoice.
async fn late_charge(store: &Store) -> (BillingAccount, Invoice, Payment) {
    let (account, admin, invoice, first) = begin(store).await;
    store
        .settle_payment(&account.id, &first.id, &failed(), None, None)
        .await
        .unwrap();
    let second = store
        .begin_payment(&BeginPayment {
            account: account.id.clone(),
            invoice: invoice.id.clone(),
            amount: None,
            payment_method: first.payment_method_id.clone(),
            created_by: admin.clone(),
            today: today(),
            ip: None,
        })
        .await
        .unwrap()
        .unwrap();
    store
        .settle_payment(&account.id, &second.id, &succeeded("ch_second"), None, None)
        .await
        .unwrap();
    let late = store
        .settle_payment(&account.id, &first.id, &succeeded("ch_first"), None, None)
        .await
        .unwrap();
    assert_eq!(late.late_charge, LateCharge::NeedsRefund);
    (account, invoice, late.payment)
}

fn refund_of(account: &BillingAccount, payment: &Payment, minor: i64) -> BeginRefund {
    BeginRefund {
        account: account.id.clone(),
        payment: payment.id.clone(),
        amount: Money::from_minor(minor, payment.amount.currency()),
        reason: "charged after it failed".into(),
        actor: None,
        ip: None,
    }
}

async fn a_late_charge_is_refunded_against_its_own_charge_without_a_credit_note(store: Store) {
    let (account, invoice, payment) = late_charge(&store).await;
    let before = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    let listed = store.late_charges(10).await.unwrap();
    assert_eq!(
        listed.iter().map(|p| &p.id).collect::<Vec<_>>(),
        vec![&payment.id]
    );
    let total = payment.amount.minor();
    // Capped at the charge, like any payment.
    let over = store
        .begin_refund(&refund_of(&account, &payment, total + 1))
        .await
        .unwrap();
    assert!(
        matches!(over, Err(RefundRefusal::Exceeds { .. })),
        "{over:?}"
    );
    let target = store
        .begin_refund(&refund_of(&account, &payment, total))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(target.charge_key, payment.id.as_str());
    assert_eq!(
        target.charge_reference.as_deref(),
        Some("ch_first"),
        "the late charge's own reference is refunded"
    );
    let settled = store
        .settle_refund(
            &account.id,
            &target.refund.id,
            &RefundOutcome::Succeeded {
                reference: "re_late".into(),
            },
            today(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(settled.refund.state, RefundState::Succeeded);
    assert_eq!(settled.credit_note, None, "the invoice was never credited");
    assert!(store
        .credit_notes_for_invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .is_empty());
    let after = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.amount_paid, before.amount_paid);
    assert_eq!(after.status, InvoiceStatus::Paid);
    assert_eq!(store.refundable(&payment).await.unwrap().minor(), 0);
    let events = late_charge_events(&store, &account.id).await;
    let refunded: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "payment.late_charge_refunded")
        .collect();
    assert_eq!(refunded.len(), 1, "{events:?}");
    let detail: serde_json::Value = serde_json::from_str(&refunded[0].detail).unwrap();
    assert_eq!(detail["late"], true);
    assert_eq!(detail["amount_minor"], total);
    assert!(!events.iter().any(|e| e.kind == "payment.refunded"));
}

async fn a_failed_payment_that_was_never_charged_is_not_refundable(store: Store) {
    let (account, _admin, _invoice, payment) = begin(&store).await;
    let failed = store
        .settle_payment(&account.id, &payment.id, &failed(), None, None)
        .await
        .unwrap()
        .payment;
    let refused = store
        .begin_refund(&refund_of(&account, &failed, 100))
        .await
        .unwrap();
    assert_eq!(
        refused.unwrap_err(),
        RefundRefusal::NotSucceeded(PaymentState::Failed)
    );
    assert!(store.late_charges(10).await.unwrap().is_empty());
}

faktura_store::on_both_backends!(
    late_success_is_applied_when_the_invoice_can_take_it,
    late_success_after_another_payment_is_kept_for_a_refund,
    a_late_charge_is_refunded_against_its_own_charge_without_a_credit_note,
    a_failed_payment_that_was_never_charged_is_not_refundable,
);
