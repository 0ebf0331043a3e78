//! Sign-in throttling through the real router, on SQLite and PostgreSQL: attempts are counted
//! before the password is checked (so a burst of concurrent guesses gets no more checks than
//! the budget), per e-mail and per client address, and the owner is slowed down, never locked
//! out. The test moves the application's clock instead of sleeping.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::{Browser, TestApp, PASSWORD};
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_READER};
use faktura_store::Store;
use http_body_util::BodyExt;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// A clock the test moves by hand.
struct ManualClock(Mutex<chrono::DateTime<chrono::Utc>>);

impl faktura_app::Clock for ManualClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap()
    }
}

impl ManualClock {
    fn advance(&self, seconds: i64) {
        *self.0.lock().unwrap() += chrono::Duration::seconds(seconds);
    }
}

/// The demo behind a router whose clock the test holds.
async fn app_with_clock(store: Store) -> (TestApp, Arc<ManualClock>) {
    let demo = TestApp::with_demo(store.clone()).await;
    let clock = Arc::new(ManualClock(Mutex::new(chrono::Utc::now())));
    let mut state = faktura_web::state::AppState::new(
        store.clone(),
        demo.sandbox.clone(),
        Some(demo.sandbox.clone()),
        faktura_web::i18n::I18n::load().unwrap(),
        faktura_web::Config::default(),
        Arc::new(faktura_help::HelpLibrary::load(true, &[]).0),
    );
    state.app.clock = clock.clone();
    let app = TestApp {
        router: faktura_web::app(state),
        store,
        sandbox: demo.sandbox,
    };
    (app, clock)
}

/// Posts the sign-in form as a browser at `ip` would (the router sees the peer address).
async fn sign_in_from(
    browser: &Browser,
    csrf: &str,
    ip: [u8; 4],
    email: &str,
    password: &str,
) -> (StatusCode, String) {
    let cookies: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let body =
        serde_urlencoded::to_string([("csrf", csrf), ("email", email), ("password", password)])
            .unwrap();
    let mut request = Request::builder()
        .method("POST")
        .uri("/signin")
        .header(header::COOKIE, cookies.join("; "))
        .header(
            header::ACCEPT_LANGUAGE,
            browser.accept_language.as_deref().unwrap_or("en-US"),
        )
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::from((ip, 40000))));
    let response = browser.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn a_burst_of_guesses_gets_five_checks_and_the_owner_still_signs_in(store: Store) {
    let (app, clock) = app_with_clock(store).await;
    let mut browser = app.browser();
    let csrf = browser.csrf_token().await;
    let mut burst = tokio::task::JoinSet::new();
    for n in 0..100u8 {
        let browser = browser.clone();
        let csrf = csrf.clone();
        burst.spawn(async move {
            sign_in_from(&browser, &csrf, [10, 0, 1, n], NORDLYS_ADMIN, "guess").await
        });
    }
    let (mut checked, mut throttled) = (0, 0);
    while let Some(answer) = burst.join_next().await {
        let (status, body) = answer.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => {
                assert!(body.contains("The email or password is incorrect"));
                checked += 1;
            }
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(body.contains("Too many failed attempts. Try again in 1 s."));
                throttled += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((checked, throttled), (5, 95), "checked vs throttled");

    // The right password during the backoff is refused as throttled, not as wrong.
    let (status, body) =
        sign_in_from(&browser, &csrf, [10, 0, 2, 1], NORDLYS_ADMIN, PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // After the backoff it signs in.
    clock.advance(1);
    let (status, body) =
        sign_in_from(&browser, &csrf, [10, 0, 2, 1], NORDLYS_ADMIN, PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
}

async fn the_backoff_doubles_and_the_answer_does_not_tell_whether_the_email_exists(store: Store) {
    let (app, clock) = app_with_clock(store).await;
    let mut browser = app.browser();
    let csrf = browser.csrf_token().await;
    let ip = [10, 0, 3, 1];
    for email in [NORDLYS_READER, "nobody@nordlys.example"] {
        for _ in 0..5 {
            let (status, _) = sign_in_from(&browser, &csrf, ip, email, "guess").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
    }
    for wait in [1, 2, 4] {
        let mut answers = Vec::new();
        for email in [NORDLYS_READER, "nobody@nordlys.example"] {
            let (status, body) = sign_in_from(&browser, &csrf, ip, email, "guess").await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
            let message = body
                .split("data-test-id=\"signin-error\">")
                .nth(1)
                .and_then(|rest| rest.split('<').next())
                .unwrap()
                .to_owned();
            assert!(
                message.contains(&format!("Try again in {wait} s.")),
                "{message}"
            );
            answers.push(message);
        }
        assert_eq!(
            answers[0], answers[1],
            "known and unknown e-mails look alike"
        );
        clock.advance(wait);
        for email in [NORDLYS_READER, "nobody@nordlys.example"] {
            let (status, _) = sign_in_from(&browser, &csrf, ip, email, "guess").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
    }
    // In Danish too.
    browser.accept_language = Some("da-DK".into());
    let (status, body) = sign_in_from(&browser, &csrf, ip, NORDLYS_READER, "guess").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("Prøv igen om 8 sek."), "{body}");
}

async fn spraying_many_emails_from_one_address_is_throttled_per_address(store: Store) {
    let (app, _clock) = app_with_clock(store).await;
    let mut browser = app.browser();
    let csrf = browser.csrf_token().await;
    let sprayer = [192, 0, 2, 7];
    let mut statuses = Vec::new();
    for n in 0..55 {
        let email = format!("user{n}@spray.example");
        statuses.push(
            sign_in_from(&browser, &csrf, sprayer, &email, "Summer2026!")
                .await
                .0,
        );
    }
    let wrong = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (wrong, throttled),
        (50, 5),
        "per-address budget is 50 failures"
    );
    // The same e-mails from another address are still checked.
    let (status, _) =
        sign_in_from(&browser, &csrf, [192, 0, 2, 8], "user54@spray.example", "x").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn an_invited_user_without_a_password_is_answered_like_a_wrong_password(store: Store) {
    let (app, _clock) = app_with_clock(store.clone()).await;
    store
        .create_user("invited@nordlys.example", "Invited", None)
        .await
        .unwrap();
    let mut browser = app.browser();
    let csrf = browser.csrf_token().await;
    for _ in 0..5 {
        let (status, body) = sign_in_from(
            &browser,
            &csrf,
            [10, 0, 4, 1],
            "invited@nordlys.example",
            "",
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body) = sign_in_from(
            &browser,
            &csrf,
            [10, 0, 4, 1],
            "invited@nordlys.example",
            "anything",
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("The email or password is incorrect"));
    }
    let (status, _) = sign_in_from(
        &browser,
        &csrf,
        [10, 0, 4, 1],
        "invited@nordlys.example",
        "anything",
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

faktura_store::on_both_backends!(
    an_invited_user_without_a_password_is_answered_like_a_wrong_password,
    a_burst_of_guesses_gets_five_checks_and_the_owner_still_signs_in,
    the_backoff_doubles_and_the_answer_does_not_tell_whether_the_email_exists,
    spraying_many_emails_from_one_address_is_throttled_per_address,
);
