//! The outbox on SQLite and PostgreSQL: an event is queued with the change that causes it and
//! never without it; fan-out and deliveries are claimed under leases (two workers never hold
//! the same one), a repeated fan-out adds nothing, and failures are rescheduled or final.

mod common;

use chrono::{Duration, Utc};
use common::*;
use faktura_domain::*;
use faktura_store::outbox::NewDelivery;
use faktura_store::*;

fn succeeded(reference: &str) -> PaymentOutcome {
    PaymentOutcome::Succeeded {
        reference: reference.into(),
    }
}

fn mail(to: &str) -> NewDelivery {
    NewDelivery {
        channel: "email",
        recipient: to.into(),
        locale: Locale::DaDk,
    }
}

async fn an_event_comes_with_its_change_and_only_with_it(store: Store) {
    let (account, _, _, payment) = begin(&store).await;
    // Starting a payment and the demo itself tell nobody anything.
    assert_eq!(store.outbox_backlog().await.unwrap(), (0, 0));
    let settled = store
        .settle_payment(&account.id, &payment.id, &succeeded("ch_1"), None, None)
        .await
        .unwrap();
    assert!(settled.changed);
    let now = Utc::now();
    let events = store
        .claim_outbox_events(10, now, Duration::minutes(2))
        .await
        .unwrap();
    // The payment, and the invoice it paid, in that order.
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["payment.succeeded", "invoice.paid"]);
    assert_eq!(events[0].detail["payment"], payment.id.as_str());
    assert_eq!(events[1].detail["payment"], payment.id.as_str());
    assert_eq!(events[1].detail["invoice"], payment.invoice_id.as_str());
    // Settling again changes nothing and queues nothing.
    store
        .settle_payment(&account.id, &payment.id, &succeeded("ch_1"), None, None)
        .await
        .unwrap();
    assert_eq!(store.outbox_backlog().await.unwrap(), (2, 0));

    // A change that rolls back (a failed write in the same transaction) leaves no event: a
    // duplicate invoice number makes issuing fail after nothing else was written.
    let mut copy = store
        .invoice(&account.id, &payment.invoice_id)
        .await
        .unwrap()
        .unwrap();
    copy.id = InvoiceId::generate();
    assert!(store.issue_invoice(&copy, None).await.is_err());
    assert_eq!(store.outbox_backlog().await.unwrap(), (2, 0));
    copy.number = format!("{}-B", copy.number);
    store.issue_invoice(&copy, None).await.unwrap();
    assert_eq!(store.outbox_backlog().await.unwrap(), (3, 0));
}

async fn claims_are_leased_and_fan_out_is_idempotent(store: Store) {
    let (account, _, _, payment) = begin(&store).await;
    store
        .settle_payment(&account.id, &payment.id, &succeeded("ch_2"), None, None)
        .await
        .unwrap();
    let now = Utc::now();
    let lease = Duration::minutes(2);
    let first = store.claim_outbox_events(1, now, lease).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].kind, "payment.succeeded");
    // The other event (invoice.paid) is left for another claim; this test follows the first.
    let second = store.claim_outbox_events(10, now, lease).await.unwrap();
    assert_eq!(second.len(), 1);
    store.fan_out(&second[0].id, &[], now).await.unwrap();
    // Another worker sees nothing while the lease runs, and takes it up once it has run out.
    assert!(store
        .claim_outbox_events(10, now, lease)
        .await
        .unwrap()
        .is_empty());
    let again = store
        .claim_outbox_events(10, now + lease + Duration::seconds(1), lease)
        .await
        .unwrap();
    assert_eq!(again, first);
    // Both fan out (the first was only slow): one delivery per recipient all the same.
    let recipients = [mail("a@nordlys.example"), mail("b@nordlys.example")];
    store.fan_out(&first[0].id, &recipients, now).await.unwrap();
    store.fan_out(&first[0].id, &recipients, now).await.unwrap();
    assert_eq!(store.outbox_backlog().await.unwrap(), (0, 2));
    let due = store.claim_deliveries(10, now, lease).await.unwrap();
    assert_eq!(due.len(), 2);
    assert!(due
        .iter()
        .all(|d| d.attempts == 1 && d.locale == Locale::DaDk));
    assert!(store
        .claim_deliveries(10, now, lease)
        .await
        .unwrap()
        .is_empty());

    store.delivery_succeeded(&due[0].id, now).await.unwrap();
    let retry_at = now + Duration::seconds(5);
    store
        .delivery_failed(&due[1].id, "transient: 421", Some(retry_at), now)
        .await
        .unwrap();
    // Not due before its time; then attempted again, counted.
    assert!(store
        .claim_deliveries(10, now + Duration::seconds(4), lease)
        .await
        .unwrap()
        .is_empty());
    let retried = store.claim_deliveries(10, retry_at, lease).await.unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].attempts, 2);
    store
        .delivery_failed(&retried[0].id, "permanent: 550", None, retry_at)
        .await
        .unwrap();
    let state_of = |all: &[outbox::DeliveryStatus], id: &str| {
        all.iter()
            .find(|d| d.id == id)
            .map(|d| (d.state.clone(), d.attempts))
            .unwrap()
    };
    let all = store.deliveries(Some(&first[0].id)).await.unwrap();
    assert_eq!(state_of(&all, &due[0].id), ("delivered".to_owned(), 1));
    assert_eq!(state_of(&all, &due[1].id), ("failed".to_owned(), 2));
    assert!(all[1].last_error.is_some() || all[0].last_error.is_some());
    // A finished delivery is not reopened by a late report from a worker whose lease ran out.
    store.delivery_succeeded(&retried[0].id, now).await.unwrap();
    let all = store.deliveries(Some(&first[0].id)).await.unwrap();
    assert_eq!(state_of(&all, &due[1].id).0, "failed");
    assert_eq!(store.outbox_backlog().await.unwrap(), (0, 0));
}

async fn concurrent_workers_never_share_a_delivery(store: Store) {
    let (account, _, _, payment) = begin(&store).await;
    store
        .settle_payment(&account.id, &payment.id, &succeeded("ch_3"), None, None)
        .await
        .unwrap();
    let now = Utc::now();
    let lease = Duration::minutes(2);
    let event = store.claim_outbox_events(1, now, lease).await.unwrap();
    let recipients: Vec<NewDelivery> = (0..40)
        .map(|i| mail(&format!("r{i}@nordlys.example")))
        .collect();
    store.fan_out(&event[0].id, &recipients, now).await.unwrap();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = store.claim_deliveries(3, now, lease).await.unwrap();
                    if batch.is_empty() {
                        break;
                    }
                    mine.extend(batch.into_iter().map(|d| d.id));
                }
                mine
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let count = all.len();
    all.sort();
    all.dedup();
    assert_eq!(
        (count, all.len()),
        (40, 40),
        "each delivery claimed exactly once"
    );
}

faktura_store::on_both_backends!(
    an_event_comes_with_its_change_and_only_with_it,
    claims_are_leased_and_fan_out_is_idempotent,
    concurrent_workers_never_share_a_delivery,
);
