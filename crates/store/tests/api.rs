//! API tokens and idempotency keys, on SQLite and PostgreSQL.

use chrono::Duration;
use faktura_store::*;

async fn tokens_are_hashed_expire_and_revoke(store: Store) {
    let user = store
        .create_user("api@example.com", "Api", None)
        .await
        .unwrap();
    let (clear, record) = store
        .create_api_token(Some(&user.id), "ci", Some(Duration::days(30)), false)
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
        .create_api_token(Some(&user.id), "old", Some(Duration::seconds(-1)), false)
        .await
        .unwrap();
    assert!(store.api_token(&expired).await.unwrap().is_none());

    store.revoke_api_token(&user.id, &record.id).await.unwrap();
    assert!(store.api_token(&clear).await.unwrap().is_none());
    store.revoke_api_token(&user.id, &record.id).await.unwrap();
    let other = store
        .create_user("other@example.com", "Other", None)
        .await
        .unwrap();
    assert!(matches!(
        store.revoke_api_token(&other.id, &record.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.api_tokens_for(&user.id).await.unwrap().len(), 2);

    let (operator, record) = store
        .create_api_token(None, "ops", None, true)
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
        .create_api_token(None, "nobody", None, false)
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

faktura_store::on_both_backends!(
    tokens_are_hashed_expire_and_revoke,
    idempotency_keys_replay_refuse_and_serialize
);
