//! Part payments in the store: several succeeded payments pay one invoice, none takes more than
//! is due (when it starts or when it lands, however many run at once), the operator's setting
//! is logged, and the invariant `Σ succeeded payments − Σ refunds = total − credits − credit
//! notes − amount due` holds through random sequences of payments, declines and refunds.
//! On SQLite and PostgreSQL.

mod common;

use common::{open_invoice, today};
use faktura_domain::*;
use faktura_store::*;

fn part(
    account: &BillingAccount,
    admin: &UserId,
    invoice: &Invoice,
    card: &PaymentMethodId,
    amount: Option<i64>,
) -> BeginPayment {
    BeginPayment {
        account: account.id.clone(),
        invoice: invoice.id.clone(),
        amount: amount.map(|minor| Money::from_minor(minor, invoice.currency())),
        payment_method: Some(card.clone()),
        created_by: admin.clone(),
        today: today(),
        ip: None,
    }
}

fn succeeded(reference: &str) -> PaymentOutcome {
    PaymentOutcome::Succeeded {
        reference: reference.into(),
    }
}

async fn stored(store: &Store, invoice: &Invoice) -> Invoice {
    store
        .invoice(&invoice.billing_account_id, &invoice.id)
        .await
        .unwrap()
        .unwrap()
}

async fn part_payments_reduce_the_amount_due_until_the_invoice_is_paid(store: Store) {
    let (account, admin, invoice, card) = open_invoice(&store).await;
    let due = invoice.amount_due().unwrap().minor();
    let first_part = due / 3;

    let first = store
        .begin_payment(&part(&account, &admin, &invoice, &card, Some(first_part)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.amount.minor(), first_part);
    store
        .settle_payment(&account.id, &first.id, &succeeded("ch_a"), None, None)
        .await
        .unwrap();
    let after_first = stored(&store, &invoice).await;
    assert_eq!(after_first.status, invoice.status, "keeps its status");
    assert_eq!(after_first.amount_due().unwrap().minor(), due - first_part);

    // More than is left is refused, and nothing is recorded for it.
    let too_much = store
        .begin_payment(&part(
            &account,
            &admin,
            &invoice,
            &card,
            Some(due - first_part + 1),
        ))
        .await
        .unwrap();
    assert_eq!(
        too_much,
        Err(PayRefusal::AmountAboveDue(
            after_first.amount_due().unwrap()
        ))
    );
    for nonsense in [0, -5] {
        assert!(matches!(
            store
                .begin_payment(&part(&account, &admin, &invoice, &card, Some(nonsense)))
                .await
                .unwrap(),
            Err(PayRefusal::AmountAboveDue(_))
        ));
    }

    // "All that is due" now means the rest.
    let rest = store
        .begin_payment(&part(&account, &admin, &invoice, &card, None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rest.amount.minor(), due - first_part);
    store
        .settle_payment(&account.id, &rest.id, &succeeded("ch_b"), None, None)
        .await
        .unwrap();
    let paid = stored(&store, &invoice).await;
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert!(paid.amount_due().unwrap().is_zero());
    assert_eq!(paid.amount_paid.minor(), due + invoice.amount_paid.minor());

    // Once paid, a new attempt names the payment that paid it.
    let again = store
        .begin_payment(&part(&account, &admin, &invoice, &card, None))
        .await
        .unwrap();
    assert!(matches!(again, Err(PayRefusal::AlreadyPaid(ref p)) if p.id == rest.id));
    let last = store
        .last_succeeded_payment(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.id, rest.id);
    let all = store
        .payments_for_invoice(&account.id, &invoice.id)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|p| p.state == PaymentState::Succeeded));
    assert!(store
        .open_payment_for(&account.id, &invoice.id)
        .await
        .unwrap()
        .is_none());
}

async fn concurrent_part_payments_cannot_overpay(store: Store) {
    let (account, admin, invoice, card) = open_invoice(&store).await;
    let due = invoice.amount_due().unwrap().minor();
    // Each asks for a bit more than a third: at most two fit.
    let slice = due / 3 + 1;
    let tasks = (0..12).map(|i| {
        let store = store.clone();
        let request = part(&account, &admin, &invoice, &card, Some(slice));
        let account = account.id.clone();
        tokio::spawn(async move {
            let mut landed = 0;
            for round in 0..200 {
                match store.begin_payment(&request).await.unwrap() {
                    Ok(payment) => {
                        let outcome = succeeded(&format!("ch_{i}_{round}"));
                        let settled = store
                            .settle_payment(&account, &payment.id, &outcome, None, None)
                            .await
                            .unwrap();
                        assert_eq!(settled.payment.state, PaymentState::Succeeded);
                        landed += 1;
                    }
                    Err(PayRefusal::InProgress(_)) => tokio::task::yield_now().await,
                    Err(PayRefusal::AmountAboveDue(_)) => return landed,
                    Err(other) => panic!("unexpected refusal {other:?}"),
                }
            }
            landed
        })
    });
    let mut landed = 0;
    for task in tasks {
        landed += task.await.unwrap();
    }
    assert_eq!(
        landed, 2,
        "two slices fit in the amount due, a third does not"
    );
    let after = stored(&store, &invoice).await;
    assert_eq!(after.amount_due().unwrap().minor(), due - 2 * slice);
    assert!(!after.amount_due().unwrap().is_negative());
    let succeeded_sum: i64 = store
        .payments_for_invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .iter()
        .filter(|p| p.state == PaymentState::Succeeded)
        .map(|p| p.amount.minor())
        .sum();
    assert_eq!(succeeded_sum, 2 * slice);
}

async fn the_operator_setting_is_logged_with_before_and_after(store: Store) {
    let (account, _admin, _invoice, _card) = open_invoice(&store).await;
    assert!(!store.partial_payments_allowed(&account.id).await.unwrap());
    assert!(store
        .set_partial_payments_allowed(&account.id, true, None)
        .await
        .unwrap());
    assert!(!store
        .set_partial_payments_allowed(&account.id, true, None)
        .await
        .unwrap());
    assert!(store.partial_payments_allowed(&account.id).await.unwrap());
    let events = store
        .audit_events(&AuditFilter {
            account: account.id.clone(),
            kind_prefix: Some("account.partial_payments".into()),
            since: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(
        events.len(),
        1,
        "a setting that did not change is not logged"
    );
    let detail: serde_json::Value = serde_json::from_str(&events[0].detail).unwrap();
    assert_eq!(detail["before"], false);
    assert_eq!(detail["after"], true);
    let missing = BillingAccountId::generate();
    assert!(matches!(
        store.partial_payments_allowed(&missing).await,
        Err(StoreError::NotFound)
    ));
}

/// A small deterministic generator, so a failing sequence can be replayed from its seed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

async fn check_invariant(store: &Store, invoice: &Invoice, seed: u64, step: usize) {
    let account = &invoice.billing_account_id;
    let now = stored(store, invoice).await;
    let payments = store
        .payments_for_invoice(account, &invoice.id)
        .await
        .unwrap();
    let refunds = store
        .refunds_for_invoice(account, &invoice.id)
        .await
        .unwrap();
    let notes = store
        .credit_notes_for_invoice(account, &invoice.id)
        .await
        .unwrap();
    let paid: i64 = payments
        .iter()
        .filter(|p| p.state == PaymentState::Succeeded)
        .map(|p| p.amount.minor())
        .sum();
    let refunded: i64 = refunds
        .iter()
        .filter(|r| r.state == RefundState::Succeeded)
        .map(|r| r.amount.minor())
        .sum();
    let credited: i64 = notes.iter().map(|n| n.amount.minor()).sum();
    let due = now.amount_due().unwrap().minor();
    let context = format!("seed {seed}, step {step}");
    assert_eq!(
        paid - refunded,
        now.total.minor() - now.credits.minor() - credited - due,
        "{context}"
    );
    assert!(due >= 0, "{context}");
    assert_eq!(now.amount_paid.minor(), paid, "{context}");
    assert_eq!(now.status == InvoiceStatus::Paid, due == 0, "{context}");
    for payment in &payments {
        let back: i64 = refunds
            .iter()
            .filter(|r| r.payment_id == payment.id && r.state != RefundState::Failed)
            .map(|r| r.amount.minor())
            .sum();
        assert!(back <= payment.amount.minor(), "{context}");
    }
}

async fn the_invariant_holds_through_random_sequences(store: Store) {
    let (account, admin, invoices) = common::overdue_invoices(&store).await;
    assert!(!invoices.is_empty());
    for (seed, invoice) in (1..).zip(&invoices) {
        let card = store
            .payment_methods(&account.id, &invoice.billing_profile_id)
            .await
            .unwrap()[0]
            .id
            .clone();
        let mut random = Lcg(seed);
        for step in 0..14 {
            let now = stored(&store, invoice).await;
            let due = now.amount_due().unwrap().minor();
            match random.below(3) {
                // Pay part (sometimes more than is due, sometimes all of it), then an outcome.
                0 | 1 if due > 0 => {
                    let amount = match random.below(4) {
                        0 => None,
                        1 => Some(due + 1 + random.below(1_000) as i64),
                        _ => Some(1 + random.below(due as u64) as i64),
                    };
                    match store
                        .begin_payment(&part(&account, &admin, invoice, &card, amount))
                        .await
                        .unwrap()
                    {
                        Ok(payment) => {
                            let outcome = if random.below(3) == 0 {
                                PaymentOutcome::Failed {
                                    reason: FailureReason::BankDeclined,
                                    reference: None,
                                }
                            } else {
                                succeeded(&format!("ch_{seed}_{step}"))
                            };
                            store
                                .settle_payment(&account.id, &payment.id, &outcome, None, None)
                                .await
                                .unwrap();
                        }
                        Err(PayRefusal::AmountAboveDue(left)) => {
                            assert_eq!(left.minor(), due);
                            assert!(amount.is_some_and(|a| a > due));
                        }
                        Err(other) => panic!("seed {seed}, step {step}: {other:?}"),
                    }
                }
                // Refund part of a succeeded payment; the gateway says yes or no.
                _ => {
                    let payments = store
                        .payments_for_invoice(&account.id, &invoice.id)
                        .await
                        .unwrap();
                    let paid: Vec<&Payment> = payments
                        .iter()
                        .filter(|p| p.state == PaymentState::Succeeded)
                        .collect();
                    if paid.is_empty() {
                        continue;
                    }
                    let payment = paid[random.below(paid.len() as u64) as usize];
                    let ask = 1 + random.below(payment.amount.minor() as u64) as i64;
                    let begun = store
                        .begin_refund(&BeginRefund {
                            account: account.id.clone(),
                            payment: payment.id.clone(),
                            amount: Money::from_minor(ask, payment.amount.currency()),
                            reason: "property".into(),
                            actor: None,
                            ip: None,
                        })
                        .await
                        .unwrap();
                    if let Ok(begun) = begun {
                        let outcome = if random.below(4) == 0 {
                            RefundOutcome::Failed {
                                reason: "declined".into(),
                                reference: None,
                            }
                        } else {
                            RefundOutcome::Succeeded {
                                reference: format!("re_{seed}_{step}"),
                            }
                        };
                        store
                            .settle_refund(&account.id, &begun.refund.id, &outcome, today(), None)
                            .await
                            .unwrap();
                    }
                }
            }
            check_invariant(&store, invoice, seed, step).await;
        }
    }
}

faktura_store::on_both_backends!(
    part_payments_reduce_the_amount_due_until_the_invoice_is_paid,
    concurrent_part_payments_cannot_overpay,
    the_operator_setting_is_logged_with_before_and_after,
    the_invariant_holds_through_random_sequences,
);
