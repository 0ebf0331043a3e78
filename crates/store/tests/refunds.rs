//! Refunds and credit notes in the store: the cap (paid − refunded, pending included) holds
//! under concurrency, each succeeded refund issues one numbered credit note with its events in
//! the same transaction, and the invoice's amount due never moves. On SQLite and PostgreSQL.

mod common;

use common::{actor, begin, fixture, kinds, loaded, today};

use faktura_domain::*;
use faktura_store::*;

/// A succeeded payment of the demo's overdue invoice (the invoice is then paid).
async fn paid(store: &Store) -> (BillingAccount, UserId, Invoice, Payment) {
    let (account, admin, invoice, payment) = begin(store).await;
    let settled = store
        .settle_payment(
            &account.id,
            &payment.id,
            &PaymentOutcome::Succeeded {
                reference: "ch_paid".into(),
            },
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(settled.payment.state, PaymentState::Succeeded);
    (account, admin, invoice, settled.payment)
}

fn request(account: &BillingAccount, payment: &Payment, minor: i64) -> BeginRefund {
    BeginRefund {
        account: account.id.clone(),
        payment: payment.id.clone(),
        amount: Money::from_minor(minor, payment.amount.currency()),
        reason: "goodwill".into(),
        actor: None,
        ip: None,
    }
}

fn sequence(number: &str) -> i64 {
    number.trim_start_matches("CN").parse().unwrap()
}

async fn partial_then_full_refund_issue_numbered_credit_notes(store: Store) {
    let (account, _admin, invoice, payment) = paid(&store).await;
    let total = payment.amount.minor();
    let half = total / 2;

    let first = store
        .begin_refund(&request(&account, &payment, half))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.refund.state, RefundState::Pending);
    assert_eq!(first.charge_key, payment.id.as_str());
    assert_eq!(first.charge_reference.as_deref(), Some("ch_paid"));
    let settled = store
        .settle_refund(
            &account.id,
            &first.refund.id,
            &RefundOutcome::Succeeded {
                reference: "re_1".into(),
            },
            today(),
            None,
        )
        .await
        .unwrap();
    assert!(settled.changed);
    assert_eq!(settled.refund.state, RefundState::Succeeded);
    let note = settled.credit_note.clone().unwrap();
    assert!(
        note.number.starts_with("CN") && note.number.len() == 11,
        "{}",
        note.number
    );
    assert_eq!(note.invoice_id, invoice.id);
    assert_eq!(note.invoice_number, invoice.number);
    assert_eq!(note.amount.minor(), half);
    assert_eq!(note.issued_on, today());

    // Settled again (the janitor after the request): nothing changes, no second credit note.
    let again = store
        .settle_refund(
            &account.id,
            &first.refund.id,
            &RefundOutcome::Succeeded {
                reference: "re_1".into(),
            },
            today(),
            None,
        )
        .await
        .unwrap();
    assert!(!again.changed);
    assert_eq!(again.credit_note.as_ref(), Some(&note));

    // What is left, and no more.
    let left = store.refundable(&payment).await.unwrap();
    assert_eq!(left.minor(), total - half);
    assert_eq!(
        store
            .begin_refund(&request(&account, &payment, total - half + 1))
            .await
            .unwrap(),
        Err(RefundRefusal::Exceeds { available: left })
    );
    let rest = store
        .begin_refund(&request(&account, &payment, total - half))
        .await
        .unwrap()
        .unwrap();
    let second = store
        .settle_refund(
            &account.id,
            &rest.refund.id,
            &RefundOutcome::Succeeded {
                reference: "re_2".into(),
            },
            today(),
            None,
        )
        .await
        .unwrap()
        .credit_note
        .unwrap();
    assert_eq!(sequence(&second.number), sequence(&note.number) + 1);
    assert_eq!(store.refundable(&payment).await.unwrap().minor(), 0);
    assert_eq!(
        store
            .begin_refund(&request(&account, &payment, 1))
            .await
            .unwrap(),
        Err(RefundRefusal::Exceeds {
            available: Money::zero(payment.amount.currency())
        })
    );

    // The invoice stays paid with nothing due; its credit notes add up to the payment.
    let after = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.status, InvoiceStatus::Paid);
    assert_eq!(after.amount_due().unwrap().minor(), 0);
    let notes = store
        .credit_notes_for_invoice(&account.id, &invoice.id)
        .await
        .unwrap();
    assert_eq!(notes, vec![note.clone(), second.clone()]);
    let by_page = store
        .credit_notes_for_invoices(&account.id, std::slice::from_ref(&invoice.id))
        .await
        .unwrap();
    assert_eq!(by_page.get(&invoice.id), Some(&notes));
    assert_eq!(
        store
            .credit_note(&account.id, &note.number)
            .await
            .unwrap()
            .as_ref(),
        Some(&note)
    );
    assert_eq!(
        store
            .credit_note(&account.id, note.id.as_str())
            .await
            .unwrap()
            .as_ref(),
        Some(&note)
    );

    // Each refund is logged and queued for notifications with its credit note, in the same
    // transaction (the outbox matches the log).
    let refunded = kinds(&store, &account.id, "payment.refunded").await;
    assert_eq!(refunded.len(), 2);
    let issued = kinds(&store, &account.id, "credit_note.issued").await;
    assert_eq!(issued.len(), 2);
    let audit = store.outbox_audit().await.unwrap();
    assert_eq!(audit.log_without_event, 0);
    assert_eq!(audit.event_without_log, 0);
    let events = store
        .claim_outbox_events(10_000, chrono::Utc::now(), chrono::Duration::seconds(30))
        .await
        .unwrap();
    let refund_events: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "payment.refunded")
        .collect();
    assert_eq!(refund_events.len(), 2);
    assert!(refund_events
        .iter()
        .any(|e| e.detail["credit_note_number"] == note.number.as_str()
            && e.detail["refund"] == first.refund.id.as_str()
            && e.detail["payment"] == payment.id.as_str()));
    assert!(events
        .iter()
        .any(|e| e.kind == "credit_note.issued" && e.target == second.number));
}

async fn only_a_succeeded_payment_of_the_account_is_refunded(store: Store) {
    let (account, _admin, _invoice, payment) = begin(&store).await;
    // Still processing.
    assert_eq!(
        store
            .begin_refund(&request(&account, &payment, 100))
            .await
            .unwrap(),
        Err(RefundRefusal::NotSucceeded(PaymentState::Processing))
    );
    let unknown = BeginRefund {
        payment: PaymentId::generate(),
        ..request(&account, &payment, 100)
    };
    assert_eq!(
        store.begin_refund(&unknown).await.unwrap(),
        Err(RefundRefusal::PaymentNotFound)
    );
    // Another account's id never finds the payment.
    let elsewhere = BeginRefund {
        account: BillingAccountId::generate(),
        ..request(&account, &payment, 100)
    };
    assert_eq!(
        store.begin_refund(&elsewhere).await.unwrap(),
        Err(RefundRefusal::PaymentNotFound)
    );
    store
        .settle_payment(
            &account.id,
            &payment.id,
            &PaymentOutcome::Succeeded {
                reference: "ch_ok".into(),
            },
            None,
            None,
        )
        .await
        .unwrap();
    for bad in [0, -5] {
        assert_eq!(
            store
                .begin_refund(&request(&account, &payment, bad))
                .await
                .unwrap(),
            Err(RefundRefusal::BadAmount)
        );
    }
    let other = if payment.amount.currency() == Currency::EUR {
        Currency::DKK
    } else {
        Currency::EUR
    };
    let wrong_currency = BeginRefund {
        amount: Money::from_minor(100, other),
        ..request(&account, &payment, 100)
    };
    assert_eq!(
        store.begin_refund(&wrong_currency).await.unwrap(),
        Err(RefundRefusal::BadAmount)
    );
}

async fn a_failed_refund_frees_the_cap_and_a_pending_one_holds_it(store: Store) {
    let (account, _admin, invoice, payment) = paid(&store).await;
    let total = payment.amount.minor();
    let pending = store
        .begin_refund(&request(&account, &payment, total))
        .await
        .unwrap()
        .unwrap();
    // Pending counts against the cap: nothing more can start.
    assert!(matches!(
        store
            .begin_refund(&request(&account, &payment, 1))
            .await
            .unwrap(),
        Err(RefundRefusal::Exceeds { .. })
    ));
    // The janitor finds it.
    let later = chrono::Utc::now() + chrono::Duration::seconds(5);
    let found = store.pending_refunds(later, 10).await.unwrap();
    assert!(found.iter().any(|t| t.refund.id == pending.refund.id
        && t.charge_key == payment.id.as_str()
        && t.charge_reference.as_deref() == Some("ch_paid")));
    let failed = store
        .settle_refund(
            &account.id,
            &pending.refund.id,
            &RefundOutcome::Failed {
                reason: "declined".into(),
                reference: None,
            },
            today(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(failed.refund.state, RefundState::Failed);
    assert_eq!(failed.refund.failure_reason.as_deref(), Some("declined"));
    assert!(failed.credit_note.is_none());
    // A success said after the failure changes nothing.
    let late = store
        .settle_refund(
            &account.id,
            &pending.refund.id,
            &RefundOutcome::Succeeded {
                reference: "re_late".into(),
            },
            today(),
            None,
        )
        .await
        .unwrap();
    assert!(!late.changed);
    assert_eq!(late.refund.state, RefundState::Failed);
    assert!(store
        .credit_notes_for_invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .is_empty());
    assert!(!store
        .pending_refunds(later, 10)
        .await
        .unwrap()
        .iter()
        .any(|t| t.refund.id == pending.refund.id));
    assert_eq!(store.refundable(&payment).await.unwrap().minor(), total);
    assert_eq!(kinds(&store, &account.id, "refund.failed").await.len(), 1);
    let refunds = store
        .refunds_for_invoice(&account.id, &invoice.id)
        .await
        .unwrap();
    assert_eq!(refunds.len(), 1);
}

/// Two refunds at once that together exceed the payment: the payment's row lock (the write
/// gate on SQLite) makes them take turns, so exactly one is recorded.
async fn concurrent_refunds_cannot_over_refund(store: Store) {
    let (account, _admin, _invoice, payment) = paid(&store).await;
    let total = payment.amount.minor();
    let amount = total / 2 + 1;
    for _round in 0..3 {
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let store = store.clone();
                let request = request(&account, &payment, amount);
                tokio::spawn(async move { store.begin_refund(&request).await.unwrap() })
            })
            .collect();
        let mut won = Vec::new();
        for task in tasks {
            if let Ok(target) = task.await.unwrap() {
                won.push(target);
            }
        }
        assert_eq!(
            won.len(),
            1,
            "exactly one of two over-refunding requests wins"
        );
        // Fail it, so the next round starts from a full cap again.
        store
            .settle_refund(
                &account.id,
                &won[0].refund.id,
                &RefundOutcome::Failed {
                    reason: "test".into(),
                    reference: None,
                },
                today(),
                None,
            )
            .await
            .unwrap();
    }
    assert_eq!(store.refundable(&payment).await.unwrap().minor(), total);
}

/// A payment that was part of a settlement (one charge for several invoices) is refunded
/// against the settlement's charge: its key and gateway reference go to the gateway.
async fn a_settled_invoice_is_refunded_against_the_settlement_charge(store: Store) {
    loaded(&store).await;
    let p = fixture(&store, faktura_store::demo::PRAIRIE_OWNER).await;
    let method = PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: p.account.id.clone(),
        billing_profile_id: p.profiles[0].id.clone(),
        gateway_token: "tok_sbx_ok_4242".into(),
        brand: CardBrand::Visa,
        last4: "4242".into(),
        exp_month: 6,
        exp_year: 2099,
        holder: "Test Holder".into(),
        status: PaymentMethodStatus::Active,
        created_at: chrono::Utc::now(),
    };
    store
        .add_card(&method, &AddMode::Add, &actor(&p.admin))
        .await
        .unwrap();
    let settlement = store
        .begin_settlement(&BeginSettlement {
            account: p.account.id.clone(),
            payment_method: method.id.clone(),
            created_by: p.admin.clone(),
            today: today(),
            ip: None,
        })
        .await
        .unwrap()
        .unwrap();
    store
        .finish_settlement(
            &p.account.id,
            &settlement.id,
            &PaymentOutcome::Succeeded {
                reference: "ch_settled".into(),
            },
            None,
            None,
        )
        .await
        .unwrap();
    let invoice = store
        .settlement_invoices(&p.account.id, &settlement.id)
        .await
        .unwrap()
        .remove(0);
    let payment = store
        .payments_for_invoice(&p.account.id, &invoice.id)
        .await
        .unwrap()
        .into_iter()
        .find(|pay| pay.state == PaymentState::Succeeded)
        .unwrap();
    let target = store
        .begin_refund(&request(&p.account, &payment, payment.amount.minor()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(target.charge_key, settlement.id.as_str());
    assert_eq!(target.charge_reference.as_deref(), Some("ch_settled"));
}

faktura_store::on_both_backends!(
    a_settled_invoice_is_refunded_against_the_settlement_charge,
    partial_then_full_refund_issue_numbered_credit_notes,
    only_a_succeeded_payment_of_the_account_is_refunded,
    a_failed_refund_frees_the_cap_and_a_pending_one_holds_it,
    concurrent_refunds_cannot_over_refund,
);
