//! What the help recommender learns from use, on SQLite and PostgreSQL: one answer per customer,
//! cluster and article (the last one counts), opens counted once, the rate limit, per-cluster
//! and full resets.

use chrono::Duration;
use faktura_store::*;

fn limit(max: u32) -> RateLimit {
    RateLimit {
        max,
        window: Duration::minutes(10),
    }
}

fn answer<'a>(cluster: Option<&'a str>, path: &'a str, helpful: bool) -> HelpAnswer<'a> {
    HelpAnswer {
        query: "Hvordan betaler jeg min faktura?",
        locale: "da-DK",
        article_path: path,
        helpful,
        cluster,
    }
}

fn brief(rows: &[LearnedCounts]) -> Vec<(&str, &str, u32, u32, u32)> {
    rows.iter()
        .map(|r| {
            (
                r.cluster.as_str(),
                r.article_path.as_str(),
                r.helpful,
                r.unhelpful,
                r.opened,
            )
        })
        .collect()
}

async fn answers_and_opens_are_counted_per_customer(store: Store) {
    let ann = store
        .create_user("ann@example.com", "Ann", None)
        .await
        .unwrap();
    let bo = store
        .create_user("bo@example.com", "Bo", None)
        .await
        .unwrap();
    let operator = AuditActor {
        user: ann.id.clone(),
        ip: None,
    };
    let pay = "da: betal faktur";
    let card = "en: card declin";
    let wide = limit(50);

    // Ann says No twice, then Yes: her last answer counts, once.
    for helpful in [false, false, true] {
        assert!(store
            .record_help_answer(
                &ann.id,
                &answer(Some(pay), "builtin:pay-an-invoice", helpful),
                &wide
            )
            .await
            .unwrap());
    }
    // Bo says No to the same article and opens another one twice.
    assert!(store
        .record_help_answer(
            &bo.id,
            &answer(Some(pay), "builtin:pay-an-invoice", false),
            &wide
        )
        .await
        .unwrap());
    for _ in 0..2 {
        assert!(store
            .record_help_open(&bo.id, pay, "builtin:view-invoices", &wide)
            .await
            .unwrap());
    }
    // An answer without a cluster is history only.
    assert!(store
        .record_help_answer(&bo.id, &answer(None, "builtin:pay-an-invoice", true), &wide)
        .await
        .unwrap());
    // Timestamps are in milliseconds: let the next one be later.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert!(store
        .record_help_open(&ann.id, card, "builtin:card-declined", &wide)
        .await
        .unwrap());
    // Nothing is learned for an empty cluster or path.
    assert!(!store
        .record_help_open(&ann.id, "", "builtin:card-declined", &wide)
        .await
        .unwrap());

    assert_eq!(
        brief(&store.help_learned(pay).await.unwrap()),
        [
            (pay, "builtin:pay-an-invoice", 1, 1, 0),
            (pay, "builtin:view-invoices", 0, 0, 1),
        ]
    );
    assert_eq!(store.recent_help_feedback(50).await.unwrap().len(), 5);
    let all = store.all_help_learned(100).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(
        all[0].cluster, card,
        "the most recently used cluster comes first"
    );
    assert!(store.help_learned("en: nothing").await.unwrap().is_empty());

    // Resetting one cluster leaves the others; the reset is in the audit log.
    assert_eq!(
        store
            .reset_help_learning(Some(pay), &operator)
            .await
            .unwrap(),
        3
    );
    assert!(store.help_learned(pay).await.unwrap().is_empty());
    assert_eq!(store.help_learned(card).await.unwrap().len(), 1);
    assert_eq!(
        store.recent_help_feedback(50).await.unwrap().len(),
        5,
        "the feedback history stays"
    );
    assert_eq!(store.reset_help_learning(None, &operator).await.unwrap(), 1);
    assert!(store.all_help_learned(100).await.unwrap().is_empty());
}

async fn learning_is_rate_limited(store: Store) {
    let user = store
        .create_user("busy@example.com", "Busy", None)
        .await
        .unwrap();
    let three = limit(3);
    let mut opened = 0;
    for n in 0..6 {
        let path = format!("builtin:article-{n}");
        opened += usize::from(
            store
                .record_help_open(&user.id, "en: invoic", &path, &three)
                .await
                .unwrap(),
        );
    }
    assert_eq!(opened, 3);
    let mut answered = 0;
    for _ in 0..6 {
        answered += usize::from(
            store
                .record_help_answer(
                    &user.id,
                    &answer(Some("en: invoic"), "builtin:article-0", true),
                    &three,
                )
                .await
                .unwrap(),
        );
    }
    assert_eq!(answered, 3);
    let learned = store.help_learned("en: invoic").await.unwrap();
    assert_eq!(learned.len(), 3);
    assert_eq!((learned[0].helpful, learned[0].opened), (1, 1));
}

faktura_store::on_both_backends!(
    answers_and_opens_are_counted_per_customer,
    learning_is_rate_limited,
);
