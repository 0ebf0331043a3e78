//! API tokens and idempotency keys, on SQLite and PostgreSQL.

mod common;

use chrono::Duration;
use faktura_domain::*;
use faktura_store::*;

async fn tokens_are_hashed_expire_and_revoke(store: Store) {
    let user = store
        .create_user("api@example.com", "Api", None)
        .await
        .unwrap();
    let (clear, record) = store
        .create_api_token(Some(&user.id), "ci", Some(Duration::days(30)), false, None)
        .await
        .unwrap();
    assert!(clear.starts_with(TOKEN_PREFIX));
    assert_eq!(store.api_token(&clear).await.unwrap(), Some(record.clone()));
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert!(!stored.contains(&clear), "only a hash is stored");
    assert!(store.api_token("fkt_wrong").await.unwrap().is_none());
    assert!(store.api_token("Bearer nonsense").await.unwrap().is_none());

    let (expired, _) = store
        .create_api_token(
            Some(&user.id),
            "old",
            Some(Duration::seconds(-1)),
            false,
            None,
        )
        .await
        .unwrap();
    assert!(store.api_token(&expired).await.unwrap().is_none());

    store
        .revoke_api_token(&user.id, &record.id, None)
        .await
        .unwrap();
    assert!(store.api_token(&clear).await.unwrap().is_none());
    store
        .revoke_api_token(&user.id, &record.id, None)
        .await
        .unwrap();
    // Creating and revoking are logged with the change itself; the second revoke changed nothing.
    let logged = |kind: &'static str| {
        let target = record.id.clone();
        let pool = store.pool().clone();
        async move {
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_events WHERE kind = $1 AND target = $2",
            )
            .bind(kind)
            .bind(target)
            .fetch_one(&pool)
            .await
            .unwrap();
            count
        }
    };
    assert_eq!(logged("api_token.created").await, 1);
    assert_eq!(logged("api_token.revoked").await, 1);
    let other = store
        .create_user("other@example.com", "Other", None)
        .await
        .unwrap();
    assert!(matches!(
        store.revoke_api_token(&other.id, &record.id, None).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.api_tokens_for(&user.id).await.unwrap().len(), 2);

    let (operator, record) = store
        .create_api_token(None, "ops", None, true, None)
        .await
        .unwrap();
    assert!(
        store
            .api_token(&operator)
            .await
            .unwrap()
            .unwrap()
            .is_operator
    );
    assert!(record.user_id.is_none());
    assert!(store
        .create_api_token(None, "nobody", None, false, None)
        .await
        .is_err());
}

async fn idempotency_keys_replay_refuse_and_serialize(store: Store) {
    assert_eq!(
        store.start_idempotent("usr_a", "k1", "h1").await.unwrap(),
        IdempotencyStart::Started
    );
    assert_eq!(
        store.start_idempotent("usr_a", "k1", "h1").await.unwrap(),
        IdempotencyStart::InProgress
    );
    assert_eq!(
        store.start_idempotent("usr_a", "k1", "h2").await.unwrap(),
        IdempotencyStart::Mismatch
    );
    assert_eq!(
        store.start_idempotent("usr_b", "k1", "h1").await.unwrap(),
        IdempotencyStart::Started,
        "keys are per caller"
    );
    store
        .finish_idempotent("usr_a", "k1", 201, "{\"ok\":true}")
        .await
        .unwrap();
    assert_eq!(
        store.start_idempotent("usr_a", "k1", "h1").await.unwrap(),
        IdempotencyStart::Replay {
            status: 201,
            body: "{\"ok\":true}".into()
        }
    );
    store.abandon_idempotent("usr_b", "k1").await.unwrap();
    assert_eq!(
        store.start_idempotent("usr_b", "k1", "h9").await.unwrap(),
        IdempotencyStart::Started
    );

    let attempts = (0..20).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.start_idempotent("usr_c", "race", "h").await.unwrap() })
    });
    let mut started = 0;
    for attempt in attempts {
        if attempt.await.unwrap() == IdempotencyStart::Started {
            started += 1;
        }
    }
    assert_eq!(
        started, 1,
        "exactly one of 20 concurrent requests claims the key"
    );
}

/// A token and its user come in one lookup; a token whose user is gone has none.
async fn a_token_comes_with_its_user(store: Store) {
    let user = store
        .create_user("joined@example.com", "Joined", None)
        .await
        .unwrap();
    let (clear, record) = store
        .create_api_token(Some(&user.id), "ci", None, false, None)
        .await
        .unwrap();
    let (token, found) = store.api_token_with_user(&clear).await.unwrap().unwrap();
    assert_eq!(token, record);
    assert_eq!(found.as_ref().map(|u| &u.id), Some(&user.id));
    assert_eq!(found.unwrap().email, "joined@example.com");
    let (operator, _) = store
        .create_api_token(None, "ops", None, true, None)
        .await
        .unwrap();
    let (token, found) = store.api_token_with_user(&operator).await.unwrap().unwrap();
    assert!(token.is_operator && found.is_none());
    assert!(store
        .api_token_with_user("fkt_nope")
        .await
        .unwrap()
        .is_none());
}

fn claim(key: &str) -> IdempotencyClaim {
    IdempotencyClaim {
        caller: "usr_pay".into(),
        key: key.into(),
        request_hash: "h".into(),
    }
}

/// Paying claims its key in the transaction that records the attempt and stores its answer in
/// the one that settles it: no commits of their own, and a refused attempt leaves the key free.
async fn a_payment_claims_and_answers_its_key_in_its_own_transactions(store: Store) {
    let (account, admin, invoice, card) = common::open_invoice(&store).await;
    let request = BeginPayment {
        account: account.id.clone(),
        invoice: invoice.id.clone(),
        amount: None,
        payment_method: Some(card),
        created_by: admin,
        today: common::today(),
        ip: None,
    };
    let first = claim("k-pay");
    assert_eq!(store.idempotency_state(&first).await.unwrap(), None);
    let payment = store
        .begin_payment_claiming(&request, Some(&first))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.idempotency_state(&first).await.unwrap(),
        Some(IdempotencyStart::InProgress)
    );
    // The same key again: taken, and nothing else is written.
    assert_eq!(
        store
            .begin_payment_claiming(&request, Some(&first))
            .await
            .unwrap(),
        Err(PayRefusal::KeyTaken)
    );
    // Another key on the same invoice: refused for the open payment, and that key stays free.
    let second = claim("k-other");
    assert!(matches!(
        store
            .begin_payment_claiming(&request, Some(&second))
            .await
            .unwrap(),
        Err(PayRefusal::InProgress(_))
    ));
    assert_eq!(store.idempotency_state(&second).await.unwrap(), None);

    let answer = |p: &Payment| (200u16, format!("{{\"state\":\"{}\"}}", p.state.code()));
    let settled = store
        .settle_payment_answering(
            &account.id,
            &payment.id,
            &PaymentOutcome::Succeeded {
                reference: "ch_1".into(),
            },
            None,
            None,
            Some((&first, &answer)),
        )
        .await
        .unwrap();
    assert_eq!(settled.payment.state, PaymentState::Succeeded);
    assert_eq!(
        store.idempotency_state(&first).await.unwrap(),
        Some(IdempotencyStart::Replay {
            status: 200,
            body: "{\"state\":\"succeeded\"}".into()
        })
    );
    let mismatch = IdempotencyClaim {
        request_hash: "other".into(),
        ..first.clone()
    };
    assert_eq!(
        store.idempotency_state(&mismatch).await.unwrap(),
        Some(IdempotencyStart::Mismatch)
    );

    // A refusal decided by reading is stored under a free key in one write, once.
    assert!(store
        .store_idempotent_answer(&second, 409, "{}")
        .await
        .unwrap());
    assert!(!store
        .store_idempotent_answer(&second, 409, "{}")
        .await
        .unwrap());
    assert_eq!(
        store.idempotency_state(&second).await.unwrap(),
        Some(IdempotencyStart::Replay {
            status: 409,
            body: "{}".into()
        })
    );
    let payments = store
        .payments_for_invoice(&account.id, &invoice.id)
        .await
        .unwrap();
    assert_eq!(payments.len(), 1, "one payment for all those requests");
}

/// Concurrent attempts with one key: exactly one claims it and records a payment.
async fn one_key_claims_one_payment_under_concurrency(store: Store) {
    let (account, admin, invoice, card) = common::open_invoice(&store).await;
    let request = BeginPayment {
        account: account.id.clone(),
        invoice: invoice.id.clone(),
        amount: None,
        payment_method: Some(card),
        created_by: admin,
        today: common::today(),
        ip: None,
    };
    let attempts = (0..12).map(|_| {
        let store = store.clone();
        let request = request.clone();
        tokio::spawn(async move {
            store
                .begin_payment_claiming(&request, Some(&claim("k-race")))
                .await
                .unwrap()
        })
    });
    let mut begun = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => begun += 1,
            Err(PayRefusal::KeyTaken | PayRefusal::InProgress(_)) => {}
            Err(other) => panic!("unexpected refusal {other:?}"),
        }
    }
    assert_eq!(begun, 1);
    assert_eq!(
        store
            .payments_for_invoice(&account.id, &invoice.id)
            .await
            .unwrap()
            .len(),
        1
    );
}

faktura_store::on_both_backends!(
    tokens_are_hashed_expire_and_revoke,
    idempotency_keys_replay_refuse_and_serialize,
    a_token_comes_with_its_user,
    a_payment_claims_and_answers_its_key_in_its_own_transactions,
    one_key_claims_one_payment_under_concurrency
);
