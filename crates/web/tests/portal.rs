//! The portal through the real router, on SQLite and PostgreSQL: signing in and out, languages,
//! search and the invoice list (paying: `portal_pay.rs`).

mod common;

use axum::http::StatusCode;
use common::portal::{nordlys, pay_path};
use common::{follow, TestApp, PASSWORD};
use faktura_domain::*;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_READER, OUTSIDER};
use faktura_store::Store;

async fn sign_in_out_and_csrf(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut browser = app.browser();
    let anonymous = browser.get("/billing").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anonymous.location.as_deref(),
        Some("/signin?next=%2Fbilling")
    );
    assert!(anonymous
        .set_cookies
        .iter()
        .any(|c| c.starts_with("faktura_csrf=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Lax")));
    let no_token = browser
        .post_raw(
            "/signin",
            &[("email", NORDLYS_ADMIN), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        no_token.status,
        StatusCode::FORBIDDEN,
        "sign-in without a CSRF token is refused"
    );
    let wrong_token = browser
        .post_raw(
            "/signin",
            &[
                ("csrf", "x"),
                ("email", NORDLYS_ADMIN),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong_token.status, StatusCode::FORBIDDEN);

    let wrong = browser
        .post_form("/signin", &[("email", NORDLYS_ADMIN), ("password", "nope")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("The email or password is incorrect."));
    assert!(!browser.cookies.contains_key("faktura_session"));

    let ok = browser
        .post_form(
            "/signin",
            &[
                ("email", NORDLYS_ADMIN),
                ("password", PASSWORD),
                ("next", "/billing"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location.as_deref(), Some("/billing"));
    let session_cookie = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("faktura_session="))
        .unwrap();
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"));
    let first_session = browser.cookies["faktura_session"].clone();

    let portal = browser.get("/portal").await;
    assert_eq!(portal.status, StatusCode::OK);
    assert!(portal.body.contains("Mette Nordlys"));

    // Signing in again gets a new session id; the old one stops working.
    let again = browser
        .post_form(
            "/signin",
            &[("email", NORDLYS_ADMIN), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_ne!(browser.cookies["faktura_session"], first_session);
    assert!(app.store.session(&first_session).await.unwrap().is_none());

    let out = browser.post_form("/signout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/portal").await.status, StatusCode::SEE_OTHER);

    let events = app
        .store
        .audit_events(&faktura_store::AuditFilter {
            account: nordlys(&app.store).await.account,
            kind_prefix: Some("auth.".into()),
            since: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(
        events.iter().filter(|e| e.kind == "auth.sign_in").count(),
        2
    );
}

async fn repeated_wrong_passwords_are_throttled(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut browser = app.browser();
    for _ in 0..5 {
        let wrong = browser
            .post_form(
                "/signin",
                &[("email", NORDLYS_READER), ("password", "guess")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = browser
        .post_form(
            "/signin",
            &[("email", NORDLYS_READER), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.body.contains("Too many failed attempts"));
}

async fn danish_and_english_follow_the_user(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut browser = app.browser();
    browser.accept_language = Some("da-DK,da;q=0.9,en;q=0.5".into());
    let signin = browser.get("/signin").await;
    assert!(signin.body.contains("<html lang=\"da\">") && signin.body.contains("Log på"));
    let ok = browser
        .post_form(
            "/signin",
            &[("email", NORDLYS_ADMIN), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let list = browser
        .get(&format!("/billing/{}/invoices", n.account))
        .await;
    for word in [
        "Cost Management + Fakturering",
        "Fakturering",
        "Fakturaer",
        "Forfalder",
        "Overskredet",
        "Betalt",
        "Betal nu",
    ] {
        assert!(list.body.contains(word), "missing {word}");
    }
    let total_da = Locale::DaDk.format_money(n.due.total);
    assert!(
        total_da.ends_with(" kr.") && list.body.contains(&total_da),
        "Danish money format {total_da}"
    );
    assert!(list
        .body
        .contains(&Locale::DaDk.format_date(n.due.invoice_date)));

    let switched = browser
        .post_form("/language", &[("lang", "en-US"), ("next", "/portal")])
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let list = browser
        .get(&format!("/billing/{}/invoices", n.account))
        .await;
    assert!(
        list.body.contains("Pay now")
            && list.body.contains(&Locale::EnUs.format_money(n.due.total))
    );
    assert!(list
        .body
        .contains(&Locale::EnUs.format_date(n.due.invoice_date)));
    let admin = app
        .store
        .user_by_email(NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        admin.locale.as_deref(),
        Some("en-US"),
        "the choice is remembered"
    );

    let pane = browser.get(&pay_path(&n, &n.due)).await;
    assert!(pane.body.contains("Cardholder name") && pane.body.contains("Expiration date (MM/YY)"));
    browser.post_form("/language", &[("lang", "da-DK")]).await;
    let pane = browser.get(&pay_path(&n, &n.due)).await;
    for word in [
        "Vælg en betalingsmetode",
        "Tilføj et nyt kort",
        "Kortholders navn",
        "Kortnummer",
        "Udløbsdato (MM/ÅÅ)",
        "CVC",
    ] {
        assert!(pane.body.contains(word), "missing {word}");
    }
}

async fn global_search_finds_the_service_and_invoices(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    for query in [
        "Cost%20Management",
        "cost%20management%20%2B%20billing",
        "billing",
        "fakturering",
        "invoices",
        "fakturaer",
    ] {
        let page = admin.get(&format!("/search/suggest?q={query}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("\"href\":\"/billing\""),
            "{query}: {}",
            page.body
        );
    }
    let chosen = admin.get("/search?q=Cost+Management").await;
    assert_eq!(
        chosen.location.as_deref(),
        Some("/billing"),
        "the only match opens the service"
    );
    let service = follow(&mut admin, chosen).await;
    assert!(service.body.contains("data-test-id=\"nav-invoices\""));

    let by_number = admin
        .get(&format!("/search/suggest?q={}", n.due.number))
        .await;
    assert!(by_number.body.contains(&format!("/invoices/{}", n.due.id)));
    let mut outsider = app.signed_in(OUTSIDER).await;
    let nothing = outsider
        .get(&format!("/search/suggest?q={}", n.due.number))
        .await;
    assert_eq!(nothing.body, "[]", "no invoices of other accounts");
}

async fn invoice_list_pages_and_filters(store: Store) {
    let app = TestApp::with_demo(store).await;
    let n = nordlys(&app.store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let first = admin.get(&format!("/billing/{}/invoices", n.account)).await;
    assert_eq!(
        first.body.matches("data-test-id=\"invoice-row\"").count(),
        25
    );
    let next = first
        .body
        .split("href=\"")
        .find(|s| s.contains("after="))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let second = admin.get(&next).await;
    assert_eq!(
        second.body.matches("data-test-id=\"invoice-row\"").count(),
        11
    );
    let overdue = admin
        .get(&format!("/billing/{}/invoices?status=overdue", n.account))
        .await;
    assert_eq!(
        overdue.body.matches("data-test-id=\"invoice-row\"").count(),
        1
    );
    assert!(overdue.body.contains(&n.past_due.number));
    let scoped = admin
        .get(&format!(
            "/billing/{}/invoices?profile={}",
            n.account, n.due.billing_profile_id
        ))
        .await;
    assert_eq!(
        scoped.body.matches("data-test-id=\"invoice-row\"").count(),
        18
    );
    assert_eq!(
        admin
            .get(&format!("/billing/{}/invoices?status=bogus", n.account))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        admin
            .get(&format!("/billing/{}/invoices?after=junk", n.account))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let detail = admin
        .get(&format!("/billing/{}/invoices/{}", n.account, n.due.id))
        .await;
    assert!(detail.body.contains("Virtual Machines") && detail.body.contains("Tax (VAT)"));
    assert_eq!(
        admin
            .get(&format!("/billing/{}/invoices/inv_nothere", n.account))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
/// The anonymous CSRF cookie must be one the server issued (issue 12, item 12): before, any 64
/// characters were taken, so a cookie planted by a sibling site made its own value valid.
async fn a_planted_csrf_cookie_is_refused(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut browser = app.browser();
    let planted = faktura_store::random_token();
    browser
        .cookies
        .insert("faktura_csrf".into(), planted.clone());
    let forged = browser
        .post_raw(
            "/signin",
            &[
                ("csrf", planted.as_str()),
                ("email", NORDLYS_ADMIN),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(!browser.cookies.contains_key("faktura_session"));
    let replaced = browser.cookies.get("faktura_csrf").unwrap().clone();
    assert_ne!(
        replaced, planted,
        "the planted value was replaced by a signed one"
    );
    // The value the server issued works (and keeps working on the next form).
    let signed_in = browser
        .post_raw(
            "/signin",
            &[
                ("csrf", replaced.as_str()),
                ("email", NORDLYS_ADMIN),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    // Tampering with the issued value's time or signature is refused too.
    let mut other = app.browser();
    let page = other.get("/signin").await;
    let token = page.csrf().unwrap();
    let (nonce, rest) = token.split_once('.').unwrap();
    let (_, mac) = rest.split_once('.').unwrap();
    let later = format!("{nonce}.{}.{mac}", chrono::Utc::now().timestamp() + 30);
    other.cookies.insert("faktura_csrf".into(), later.clone());
    let tampered = other
        .post_raw(
            "/signin",
            &[
                ("csrf", later.as_str()),
                ("email", NORDLYS_ADMIN),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(tampered.status, StatusCode::FORBIDDEN);
}

faktura_store::on_both_backends!(
    sign_in_out_and_csrf,
    repeated_wrong_passwords_are_throttled,
    danish_and_english_follow_the_user,
    global_search_finds_the_service_and_invoices,
    invoice_list_pages_and_filters,
    a_planted_csrf_cookie_is_refused,
);
