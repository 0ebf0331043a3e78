//! Support requests and help feedback are rate-limited per user (5 requests and 30 answers
//! per 10 minutes by default), counted atomically in the store: a burst of concurrent posts
//! stores exactly the limit and the rest are answered 429, in the reader's language. Through
//! the real router, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_READER};
use faktura_store::Store;

async fn burst(
    browser: &common::Browser,
    path: &'static str,
    fields: Vec<(&'static str, String)>,
    n: usize,
) -> Vec<(StatusCode, String)> {
    let mut browser = browser.clone();
    let csrf = browser.csrf_token().await;
    let mut all = vec![("csrf", csrf)];
    all.extend(fields);
    let mut posts = tokio::task::JoinSet::new();
    for _ in 0..n {
        let mut browser = browser.clone();
        let all = all.clone();
        posts.spawn(async move {
            let fields: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let page = browser.post_raw(path, &fields).await;
            (page.status, page.body)
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = posts.join_next().await {
        answers.push(answer.unwrap());
    }
    answers
}

fn count(answers: &[(StatusCode, String)], status: StatusCode) -> usize {
    answers.iter().filter(|(s, _)| *s == status).count()
}

async fn thirty_support_requests_at_once_store_five(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let admin = app.signed_in(NORDLYS_ADMIN).await;
    let fields = vec![
        ("subject", "Card refused".to_owned()),
        ("description", "It says declined.".to_owned()),
        ("severity", "normal".to_owned()),
        ("contact", NORDLYS_ADMIN.to_owned()),
    ];
    let answers = burst(&admin, "/help/requests", fields.clone(), 30).await;
    assert_eq!(count(&answers, StatusCode::SEE_OTHER), 5);
    assert_eq!(count(&answers, StatusCode::TOO_MANY_REQUESTS), 25);
    assert!(answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .all(|(_, body)| body.contains("You have created many support requests")));
    let user = store.user_by_email(NORDLYS_ADMIN).await.unwrap().unwrap();
    assert_eq!(store.support_requests_for(&user.id).await.unwrap().len(), 5);

    // The limit is per user; the message is in the reader's language.
    let mut reader = app.signed_in(NORDLYS_READER).await;
    reader.accept_language = Some("da-DK".into());
    let answers = burst(&reader, "/help/requests", fields, 6).await;
    assert_eq!(count(&answers, StatusCode::SEE_OTHER), 5);
    let refused: Vec<_> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(refused.len(), 1);
    assert!(refused[0]
        .1
        .contains("Du har oprettet mange supportanmodninger"));
}

async fn forty_feedback_answers_at_once_store_thirty(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let admin = app.signed_in(NORDLYS_ADMIN).await;
    let fields = vec![
        ("q", "How do I pay an invoice?".to_owned()),
        ("path", "builtin:pay-an-invoice".to_owned()),
        ("helpful", "yes".to_owned()),
    ];
    let answers = burst(&admin, "/help/feedback", fields.clone(), 40).await;
    assert_eq!(count(&answers, StatusCode::SEE_OTHER), 30);
    assert_eq!(count(&answers, StatusCode::TOO_MANY_REQUESTS), 10);
    assert!(answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .all(|(_, body)| body.contains("Too many answers")));
    assert_eq!(store.recent_help_feedback(500).await.unwrap().len(), 30);

    let mut reader = app.signed_in(NORDLYS_READER).await;
    reader.accept_language = Some("da-DK".into());
    let answers = burst(&reader, "/help/feedback", fields, 31).await;
    assert_eq!(count(&answers, StatusCode::SEE_OTHER), 30);
    let refused: Vec<_> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(refused.len(), 1);
    assert!(refused[0].1.contains("For mange svar"));
    assert_eq!(store.recent_help_feedback(500).await.unwrap().len(), 60);
}

faktura_store::on_both_backends!(
    thirty_support_requests_at_once_store_five,
    forty_feedback_answers_at_once_store_thirty,
);
