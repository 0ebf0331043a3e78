//! Counting before checking holds under concurrency on SQLite and PostgreSQL: N concurrent
//! attempts under one key see N distinct counts, so exactly the free failures are admitted;
//! rate-limited inserts store exactly the limit.

use chrono::{DateTime, Duration, Utc};
use faktura_store::throttle::{Admission, Backoff};
use faktura_store::*;

fn rule(free_failures: u32) -> Backoff {
    Backoff {
        free_failures,
        window: Duration::minutes(15),
        first_delay: Duration::seconds(1),
        max_delay: Duration::seconds(60),
    }
}

async fn concurrent_attempts_see_distinct_counts(store: Store) {
    // At the precision the store keeps (milliseconds).
    let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    let mut attempts = tokio::task::JoinSet::new();
    for n in 0..60 {
        let store = store.clone();
        attempts.spawn(async move {
            let keys = vec![
                ("email:a@example.com".to_owned(), rule(5)),
                (format!("ip:10.0.0.{}", n % 3), rule(50)),
            ];
            store.admit_attempt(&keys, now).await.unwrap()
        });
    }
    let mut admitted = 0;
    while let Some(admission) = attempts.join_next().await {
        match admission.unwrap() {
            Admission::Admitted => admitted += 1,
            Admission::Wait(until) => assert_eq!(until, now + Duration::seconds(1)),
        }
    }
    assert_eq!(admitted, 5);
    assert_eq!(
        store.attempt_failures("email:a@example.com").await.unwrap(),
        5
    );
    let per_ip = store.attempt_failures("ip:10.0.0.0").await.unwrap()
        + store.attempt_failures("ip:10.0.0.1").await.unwrap()
        + store.attempt_failures("ip:10.0.0.2").await.unwrap();
    assert_eq!(per_ip, 5, "a refused attempt is counted under no key");

    // After the backoff one more is admitted, and the next waits twice as long.
    let keys = vec![("email:a@example.com".to_owned(), rule(5))];
    let later = now + Duration::seconds(1);
    assert_eq!(
        store.admit_attempt(&keys, later).await.unwrap(),
        Admission::Admitted
    );
    assert_eq!(
        store.admit_attempt(&keys, later).await.unwrap(),
        Admission::Wait(later + Duration::seconds(2))
    );
    // Failures older than the window are forgotten.
    let much_later = later + Duration::minutes(16);
    assert_eq!(
        store.admit_attempt(&keys, much_later).await.unwrap(),
        Admission::Admitted
    );
    assert_eq!(
        store.attempt_failures("email:a@example.com").await.unwrap(),
        1
    );
    store.clear_attempts("email:a@example.com").await.unwrap();
    assert_eq!(
        store.attempt_failures("email:a@example.com").await.unwrap(),
        0
    );

    // A forgiven attempt gives its place back and ends a backoff it caused.
    let ip = vec![("ip:10.9.9.9".to_owned(), rule(2))];
    for _ in 0..2 {
        assert_eq!(
            store.admit_attempt(&ip, now).await.unwrap(),
            Admission::Admitted
        );
    }
    assert!(matches!(
        store.admit_attempt(&ip, now).await.unwrap(),
        Admission::Wait(_)
    ));
    store
        .forgive_attempt("ip:10.9.9.9", &rule(2))
        .await
        .unwrap();
    assert_eq!(
        store.admit_attempt(&ip, now).await.unwrap(),
        Admission::Admitted
    );
}

async fn rate_limited_inserts_store_exactly_the_limit(store: Store) {
    let user = store
        .create_user("limited@example.com", "Limited", None)
        .await
        .unwrap();
    let limit = RateLimit {
        max: 5,
        window: Duration::minutes(10),
    };
    let mut posts = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let store = store.clone();
        let user = user.id.clone();
        posts.spawn(async move {
            let request = NewSupportRequest {
                user: user.clone(),
                subject: "Card refused".into(),
                description: "Declined.".into(),
                severity: "normal".into(),
                contact: "limited@example.com".into(),
                query: None,
            };
            let filed = store
                .create_support_request_limited(&request, &limit)
                .await
                .unwrap()
                .is_some();
            let answered = store
                .record_help_feedback_limited(&user, "q", "en-US", "builtin:x", true, &limit)
                .await
                .unwrap();
            (filed, answered)
        });
    }
    let (mut filed, mut answered) = (0, 0);
    while let Some(result) = posts.join_next().await {
        let (f, a) = result.unwrap();
        filed += usize::from(f);
        answered += usize::from(a);
    }
    assert_eq!((filed, answered), (5, 5));
    assert_eq!(store.support_requests_for(&user.id).await.unwrap().len(), 5);
    assert_eq!(store.recent_help_feedback(100).await.unwrap().len(), 5);
}

async fn keys_past_their_window_are_forgotten(store: Store) {
    let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    let old = now - Duration::minutes(20);
    let recent = now - Duration::minutes(5);
    for (key, at) in [
        ("ip:10.1.1.1", old),
        ("ip:10.1.1.2", old),
        ("ip:10.1.1.3", recent),
    ] {
        let keys = vec![(key.to_owned(), rule(5))];
        assert_eq!(
            store.admit_attempt(&keys, at).await.unwrap(),
            Admission::Admitted
        );
    }
    let forgotten = store
        .forget_stale_attempts(now - Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!(forgotten, 2);
    assert_eq!(store.attempt_failures("ip:10.1.1.1").await.unwrap(), 0);
    assert_eq!(store.attempt_failures("ip:10.1.1.3").await.unwrap(), 1);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attempt_throttles")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(rows, 1, "only the key still inside its window is kept");
}

faktura_store::on_both_backends!(
    concurrent_attempts_see_distinct_counts,
    keys_past_their_window_are_forgotten,
    rate_limited_inserts_store_exactly_the_limit,
);
