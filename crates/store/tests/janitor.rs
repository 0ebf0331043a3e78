//! The janitor's storage: claiming payments in doubt (leases, several claimers at once) and
//! settling one payment from two places at once, on SQLite and PostgreSQL.

mod common;

use common::begin;

use chrono::{Duration, Utc};
use faktura_domain::*;
use faktura_store::*;

async fn claims_are_leased_and_backlog_counts(store: Store) {
    let (account, _admin, _invoice, payment) = begin(&store).await;
    let now = Utc::now();
    let grace = Duration::seconds(30);
    // A fresh payment is left alone during the grace period: its request may still be running.
    let early = store
        .claim_in_doubt(now, grace, Duration::seconds(60), 10)
        .await
        .unwrap();
    assert!(early.is_empty(), "{early:?}");
    let backlog = store.in_doubt_backlog(now, grace).await.unwrap();
    assert_eq!((backlog.payments, backlog.due), (1, 0));

    let later = now + Duration::seconds(31);
    let claimed = store
        .claim_in_doubt(later, grace, Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, payment.id.as_str());
    assert_eq!(claimed[0].kind, DoubtKind::Payment);
    assert_eq!(claimed[0].account, account.id);
    assert_eq!(claimed[0].attempts, 1);
    // Leased: nobody else gets it until the lease runs out.
    assert!(store
        .claim_in_doubt(later, grace, Duration::seconds(60), 10)
        .await
        .unwrap()
        .is_empty());
    let expired = later + Duration::seconds(61);
    let again = store
        .claim_in_doubt(expired, grace, Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    // Rescheduled for later: not due before then.
    store
        .schedule_check(&again[0], expired + Duration::seconds(300))
        .await
        .unwrap();
    assert!(store
        .claim_in_doubt(
            expired + Duration::seconds(299),
            grace,
            Duration::seconds(60),
            10
        )
        .await
        .unwrap()
        .is_empty());
    // Final payments are never claimed.
    store
        .settle_payment(
            &account.id,
            &payment.id,
            &PaymentOutcome::Succeeded {
                reference: "ch_1".into(),
            },
            None,
            None,
        )
        .await
        .unwrap();
    assert!(store
        .claim_in_doubt(
            expired + Duration::days(1),
            grace,
            Duration::seconds(60),
            10
        )
        .await
        .unwrap()
        .is_empty());
    let backlog = store
        .in_doubt_backlog(expired + Duration::days(1), grace)
        .await
        .unwrap();
    assert_eq!(backlog, Backlog::default());
}

async fn concurrent_claimers_never_share_a_row(store: Store) {
    let (_account, _admin, _invoice, payment) = begin(&store).await;
    let at = Utc::now() + Duration::seconds(5);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .claim_in_doubt(at, Duration::zero(), Duration::seconds(60), 10)
                .await
                .unwrap()
        }));
    }
    let mut total = 0;
    for task in tasks {
        let claimed = task.await.unwrap();
        for item in &claimed {
            assert_eq!(item.id, payment.id.as_str());
        }
        total += claimed.len();
    }
    assert_eq!(total, 1, "exactly one claimer gets the payment");
}

async fn settling_from_two_places_pays_once(store: Store) {
    let (account, _admin, invoice, payment) = begin(&store).await;
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = store.clone();
        let account = account.id.clone();
        let id = payment.id.clone();
        tasks.push(tokio::spawn(async move {
            let outcome = if i == 0 {
                PaymentOutcome::Unknown
            } else {
                PaymentOutcome::Succeeded {
                    reference: "ch_same".into(),
                }
            };
            store
                .settle_payment(&account, &id, &outcome, None, None)
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let settled = store
        .payment(&account.id, &payment.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settled.state, PaymentState::Succeeded);
    let paid = store
        .invoice(&account.id, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert_eq!(paid.amount_paid.minor(), payment.amount.minor());
}

faktura_store::on_both_backends!(
    claims_are_leased_and_backlog_counts,
    concurrent_claimers_never_share_a_row,
    settling_from_two_places_pays_once,
);
