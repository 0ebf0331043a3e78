//! What a real gateway (Stripe) keeps in the store: one customer per billing profile (the
//! first one kept wins a race), the charge's id stored only while the payment is open, and a
//! webhook event applied once, in the same transaction as the payment it settles. On SQLite
//! and PostgreSQL.

mod common;

use common::begin;
use faktura_domain::*;
use faktura_store::*;

async fn the_first_customer_kept_wins(store: Store) {
    let (account, _admin, invoice, _payment) = begin(&store).await;
    let profile = &invoice.billing_profile_id;
    assert_eq!(
        store
            .profile_gateway_customer(&account.id, profile)
            .await
            .unwrap(),
        None
    );
    let kept = store
        .set_profile_gateway_customer(&account.id, profile, "cus_first")
        .await
        .unwrap();
    assert_eq!(kept, "cus_first");
    let again = store
        .set_profile_gateway_customer(&account.id, profile, "cus_second")
        .await
        .unwrap();
    assert_eq!(again, "cus_first");
    // Another account cannot read or set it through its own id.
    let other = BillingAccountId::generate();
    assert_eq!(
        store
            .profile_gateway_customer(&other, profile)
            .await
            .unwrap(),
        None
    );
    assert!(store
        .set_profile_gateway_customer(&other, profile, "cus_x")
        .await
        .is_err());
}

async fn the_charge_id_is_kept_only_while_the_payment_is_open(store: Store) {
    let (account, _admin, _invoice, payment) = begin(&store).await;
    let kind = DoubtKind::Payment;
    assert!(store
        .record_gateway_reference(kind, &account.id, payment.id.as_str(), "pi_1")
        .await
        .unwrap());
    // The same id again is fine; another one is refused (it would orphan the first).
    assert!(store
        .record_gateway_reference(kind, &account.id, payment.id.as_str(), "pi_1")
        .await
        .unwrap());
    assert!(!store
        .record_gateway_reference(kind, &account.id, payment.id.as_str(), "pi_2")
        .await
        .unwrap());
    let stored = store
        .payment(&account.id, &payment.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.gateway_reference.as_deref(), Some("pi_1"));
    store
        .settle_payment(
            &account.id,
            &payment.id,
            &PaymentOutcome::Failed {
                reason: FailureReason::BankDeclined,
                reference: None,
            },
            None,
            None,
        )
        .await
        .unwrap();
    assert!(!store
        .record_gateway_reference(kind, &account.id, payment.id.as_str(), "pi_1")
        .await
        .unwrap());
}

async fn a_webhook_event_settles_once(store: Store) {
    let (account, _admin, invoice, payment) = begin(&store).await;
    let succeeded = PaymentOutcome::Succeeded {
        reference: "pi_9".into(),
    };
    let event = ("evt_1", "payment_intent.succeeded");
    let first = store
        .settle_payment_for_event(event, &account.id, &payment.id, &succeeded)
        .await
        .unwrap()
        .expect("a new event is applied");
    assert_eq!(first.payment.state, PaymentState::Succeeded);
    assert!(store.gateway_event_seen("evt_1").await.unwrap());
    let after_first = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after_first.status, InvoiceStatus::Paid);
    let replay = store
        .settle_payment_for_event(event, &account.id, &payment.id, &succeeded)
        .await
        .unwrap();
    assert!(replay.is_none(), "a replayed event changes nothing");
    let after_replay = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after_replay.amount_paid, after_first.amount_paid);
    // An event that needed nothing is remembered too.
    assert!(store
        .note_gateway_event("evt_2", "customer.updated")
        .await
        .unwrap());
    assert!(!store
        .note_gateway_event("evt_2", "customer.updated")
        .await
        .unwrap());
    // A failed settle (no such payment) records no event, so a retry can still apply it.
    let missing = PaymentId::generate();
    assert!(store
        .settle_payment_for_event(
            ("evt_3", "payment_intent.succeeded"),
            &account.id,
            &missing,
            &succeeded
        )
        .await
        .is_err());
    assert!(!store.gateway_event_seen("evt_3").await.unwrap());
}

faktura_store::on_both_backends!(
    the_first_customer_kept_wins,
    the_charge_id_is_kept_only_while_the_payment_is_open,
    a_webhook_event_settles_once,
);
