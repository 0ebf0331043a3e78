//! Invitations go to the invited mailbox, never to the inviter (issue 12, item 1): the
//! pre-registration takeover fails, a link works once, expires, and is revoked by a newer one;
//! lookalike addresses are refused (item 12). Through the router, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::admin::account_of;
use common::TestApp;
use faktura_app::mail::FileMailer;
use faktura_domain::*;
use faktura_store::demo::{NORDLYS_ADMIN, PRAIRIE_OWNER};
use faktura_store::Store;
use faktura_web::state::AppState;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const VICTIM: &str = "cfo@nordlys.example";
const NEW_PASSWORD: &str = "the-mailbox-owner-chose-this";

/// The demo, with mail written into a folder of this test's own; the state, for the
/// notification worker's rounds (invitations go through the outbox).
async fn app_with_mail(store: Store) -> (TestApp, PathBuf, AppState) {
    let dir = std::env::temp_dir().join(format!(
        "faktura-invitations-{}",
        faktura_store::random_token()
    ));
    let (app, state) = TestApp::with_mailer(store, Arc::new(FileMailer::new(&dir))).await;
    (app, dir, state)
}

/// Runs the notification worker once, then the invitation mails written so far, oldest first.
async fn invitations_sent(state: &AppState, dir: &Path) -> Vec<String> {
    faktura_app::notify::run_once(&state.app).await.unwrap();
    mails(dir)
        .into_iter()
        .filter(|mail| mail.contains("/invite/"))
        .collect()
}

/// The messages written so far, oldest first, each as its decoded `To:` and `Subject:` lines
/// and text (read with mail-parser, whatever transfer encoding the text travelled in).
fn mails(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let raw = std::fs::read(f).unwrap();
            let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
            let to = message
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_owned();
            format!(
                "To: {to}\nSubject: {}\n\n{}",
                message.subject().unwrap_or_default(),
                message.body_text(0).unwrap_or_default()
            )
        })
        .collect()
}

/// The token of the accept link in a message to `to`.
fn token_in(mail: &str, to: &str) -> String {
    assert!(mail.starts_with(&format!("To: {to}\n")), "{mail}");
    let marker = "https://faktura.example/invite/";
    let start = mail.find(marker).expect("an accept link") + marker.len();
    mail[start..start + 64].to_owned()
}

async fn grant(
    browser: &mut common::Browser,
    account: &BillingAccountId,
    email: &str,
) -> common::Page {
    browser
        .post_form(
            &format!("/billing/{account}/access/add"),
            &[
                ("email", email),
                ("role", "BillingAccountReader"),
                ("scope", "account"),
            ],
        )
        .await
}

async fn set_password(app: &TestApp, token: &str) -> common::Page {
    let mut browser = app.browser();
    browser
        .post_form(
            &format!("/invite/{token}"),
            &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> StatusCode {
    let mut browser = app.browser();
    browser.get("/signin").await;
    browser
        .post_form("/signin", &[("email", email), ("password", password)])
        .await
        .status
}

async fn pre_registration_takeover_fails(store: Store) {
    let (app, dir, state) = app_with_mail(store.clone()).await;
    let prairie = account_of(&store, PRAIRIE_OWNER).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;

    // The attacker (owner of another account) invites the victim's address: the page says a
    // mail went out and holds no link; the mail is addressed to the victim.
    let mut attacker = app.signed_in(PRAIRIE_OWNER).await;
    let invited = grant(&mut attacker, &prairie.id, VICTIM).await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    assert!(invited
        .body
        .contains(&format!("An invitation was sent to {VICTIM}")));
    assert!(!invited.body.contains("/invite/"), "{}", invited.body);
    let sent = invitations_sent(&state, &dir).await;
    assert_eq!(sent.len(), 1);
    let first = token_in(&sent[0], VICTIM);
    assert!(!invited.body.contains(&first));
    assert!(sent[0].contains("Prairie"), "{}", sent[0]);
    let listing = attacker
        .get(&format!("/billing/{}/access", prairie.id))
        .await;
    assert!(!listing.body.contains(&first));
    assert!(!listing.body.contains("/invite/"));

    // Even holding that token: the attacker removes the grant, the victim's account grants the
    // address, and the earlier token is dead; a new mail carries a new one.
    let victim_user = store.user_by_email(VICTIM).await.unwrap().unwrap();
    let assignment = store
        .role_assignments(&prairie.id)
        .await
        .unwrap()
        .into_iter()
        .find(|(a, _)| a.user_id == victim_user.id)
        .unwrap()
        .0
        .id;
    let removed = attacker
        .post_form(
            &format!("/billing/{}/access/{assignment}/remove", prairie.id),
            &[],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let granted = grant(&mut admin, &nordlys.id, VICTIM).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    assert!(!granted.body.contains("/invite/"));
    let sent = invitations_sent(&state, &dir).await;
    assert_eq!(sent.len(), 2, "a fresh invitation was mailed");
    let second = token_in(&sent[1], VICTIM);
    assert_ne!(first, second);
    assert!(sent[1].contains("Nordlys"), "{}", sent[1]);

    let stale = set_password(&app, &first).await;
    assert_eq!(stale.status, StatusCode::GONE, "{}", stale.body);
    assert!(stale.body.contains("a newer invitation was sent"));
    let page = app.browser().get(&format!("/invite/{first}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(
        sign_in(&app, VICTIM, NEW_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );

    // Only the new token sets the password, and only once.
    let page = app.browser().get(&format!("/invite/{second}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(VICTIM), "the page names the address");
    let set = set_password(&app, &second).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert!(set.body.contains("data-test-id=\"invite-done\""));
    let again = set_password(&app, &second).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(
        sign_in(&app, VICTIM, NEW_PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    let _ = std::fs::remove_dir_all(&dir);
}

async fn a_newer_invitation_revokes_the_older(store: Store) {
    let (app, dir, state) = app_with_mail(store.clone()).await;
    let prairie = account_of(&store, PRAIRIE_OWNER).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    // The attacker keeps the grant this time: the victim account's grant still revokes it.
    let mut attacker = app.signed_in(PRAIRIE_OWNER).await;
    assert_eq!(
        grant(&mut attacker, &prairie.id, VICTIM).await.status,
        StatusCode::OK
    );
    assert_eq!(
        invitations_sent(&state, &dir).await.len(),
        1,
        "mailed by the worker"
    );
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    admin.accept_language = Some("da-DK".into());
    let granted = grant(&mut admin, &nordlys.id, VICTIM).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    assert!(granted
        .body
        .contains(&format!("Der er sendt en invitation til {VICTIM}")));
    let sent = invitations_sent(&state, &dir).await;
    assert_eq!(sent.len(), 2);
    let (first, second) = (token_in(&sent[0], VICTIM), token_in(&sent[1], VICTIM));
    // The second mail is in the inviter's language.
    assert!(sent[1].contains("Åbn linket"), "{}", sent[1]);
    assert!(sent[1].contains("Subject: Du er inviteret"), "{}", sent[1]);
    assert_eq!(set_password(&app, &first).await.status, StatusCode::GONE);
    assert_eq!(set_password(&app, &second).await.status, StatusCode::OK);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn an_expired_invitation_fails(store: Store) {
    let (app, dir, state) = app_with_mail(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    assert_eq!(
        grant(&mut admin, &nordlys.id, "late@nordlys.example")
            .await
            .status,
        StatusCode::OK
    );
    let token = token_in(
        &invitations_sent(&state, &dir).await[0],
        "late@nordlys.example",
    );
    sqlx::query("UPDATE invitations SET expires_at = $1")
        .bind((chrono::Utc::now() - chrono::Duration::minutes(1)).timestamp_millis())
        .execute(store.pool())
        .await
        .unwrap();
    let page = app.browser().get(&format!("/invite/{token}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("expired"), "{}", page.body);
    assert_eq!(set_password(&app, &token).await.status, StatusCode::GONE);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn lookalike_addresses_are_refused(store: Store) {
    let (app, dir, state) = app_with_mail(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    for (lookalike, says) in [
        (
            "\u{0430}dmin@nordlys.example",
            "letters from other alphabets",
        ),
        ("admin\u{200B}@nordlys.example", "invisible"),
        ("admin@nordlys\u{202E}.example", "invisible"),
    ] {
        let page = grant(&mut admin, &nordlys.id, lookalike).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{lookalike:?}"
        );
        assert!(page.body.contains(says), "{lookalike:?}: {}", page.body);
    }
    admin.accept_language = Some("da-DK".into());
    let page = grant(&mut admin, &nordlys.id, "\u{0430}dmin@nordlys.example").await;
    assert!(page.body.contains("andre alfabeter"), "{}", page.body);
    assert!(
        invitations_sent(&state, &dir).await.is_empty(),
        "nothing was sent"
    );
    assert!(store
        .user_by_email("\u{0430}dmin@nordlys.example")
        .await
        .unwrap()
        .is_none());
}

/// Users the operator creates have no password: the operator's grant mails them a link (issue
/// 12, item 11), and so does opening an account with one as its administrator.
async fn operator_created_users_are_invited_by_mail(store: Store) {
    let (app, dir, state) = app_with_mail(store.clone()).await;
    let api = common::api::Api { app };
    let ops = api.operator_token().await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let newcomer = "bookkeeper@nordlys.example";
    let created = api
        .call(
            "POST",
            "/operator/v1/users",
            Some(&ops),
            Some(serde_json::json!({"email": newcomer, "displayName": "Bookkeeper"})),
            None,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert!(
        invitations_sent(&state, &dir).await.is_empty(),
        "a user alone has no account to be invited to"
    );
    assert_eq!(
        sign_in(&api.app, newcomer, NEW_PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );

    let granted = api
        .call(
            "POST",
            &format!(
                "/operator/v1/billingAccounts/{}/roleAssignments",
                nordlys.id
            ),
            Some(&ops),
            Some(serde_json::json!({"userEmail": newcomer, "role": "BillingAccountReader"})),
            None,
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.json);
    assert!(
        granted.json["invitation"]["expiresOn"].is_string(),
        "{}",
        granted.json
    );
    assert!(
        !granted.json.to_string().contains("/invite/"),
        "the link only goes by mail"
    );
    let sent = invitations_sent(&state, &dir).await;
    assert_eq!(sent.len(), 1);
    let token = token_in(&sent[0], newcomer);
    assert!(sent[0].contains("Nordlys"), "{}", sent[0]);
    assert_eq!(set_password(&api.app, &token).await.status, StatusCode::OK);
    assert_eq!(
        sign_in(&api.app, newcomer, NEW_PASSWORD).await,
        StatusCode::SEE_OTHER
    );

    // A second grant to a user who now has a password sends nothing.
    let profile = store.profiles(&nordlys.id).await.unwrap()[0].id.clone();
    let again = api
        .call(
            "POST",
            &format!("/operator/v1/billingAccounts/{}/roleAssignments", nordlys.id),
            Some(&ops),
            Some(serde_json::json!({
                "userEmail": newcomer, "role": "InvoiceManager", "billingProfileId": profile.as_str()
            })),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.json);
    assert!(again.json["invitation"].is_null(), "{}", again.json);
    assert_eq!(invitations_sent(&state, &dir).await.len(), 1);

    // An account opened for a new administrator: the owner role comes with a link.
    let founder = "founder@fjord.example";
    api.call(
        "POST",
        "/operator/v1/users",
        Some(&ops),
        Some(serde_json::json!({"email": founder, "displayName": "Founder"})),
        None,
    )
    .await;
    let opened = api
        .call(
            "POST",
            "/operator/v1/billingAccounts",
            Some(&ops),
            Some(serde_json::json!({
                "displayName": "Fjord ApS",
                "agreementType": "MicrosoftCustomerAgreement",
                "soldTo": {"companyName": "Fjord ApS", "addressLine1": "Havnegade 1", "city": "Aarhus", "country": "DK"},
                "accountAdminEmail": founder,
            })),
            None,
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.json);
    assert!(
        opened.json["invitation"]["expiresOn"].is_string(),
        "{}",
        opened.json
    );
    let sent = invitations_sent(&state, &dir).await;
    assert_eq!(sent.len(), 2);
    let token = token_in(&sent[1], founder);
    assert!(sent[1].contains("Fjord ApS"), "{}", sent[1]);
    assert_eq!(set_password(&api.app, &token).await.status, StatusCode::OK);
    assert_eq!(
        sign_in(&api.app, founder, NEW_PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The invitation goes through the outbox: nothing is mailed before the worker runs, an
/// invitation revoked before its mail was written is never mailed, the invitee who chose a
/// language reads it in theirs whoever invited, and neither the outbox, the activity log nor
/// the delivery record holds the link.
async fn invitations_are_queued_in_the_invitees_language(store: Store) {
    let (app, dir, state) = app_with_mail(store.clone()).await;
    let prairie = account_of(&store, PRAIRIE_OWNER).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    // Known to the server already (created by the operator, say), with Danish chosen.
    let mut attacker = app.signed_in(PRAIRIE_OWNER).await;
    assert_eq!(
        grant(&mut attacker, &prairie.id, VICTIM).await.status,
        StatusCode::OK
    );
    assert!(mails(&dir).is_empty(), "queued, not sent by the request");
    sqlx::query("UPDATE users SET locale = 'da-DK' WHERE email = $1")
        .bind(VICTIM)
        .execute(store.pool())
        .await
        .unwrap();
    // A newer grant before the worker ran: the first invitation is revoked and never mailed.
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    assert_eq!(
        grant(&mut admin, &nordlys.id, VICTIM).await.status,
        StatusCode::OK
    );
    let sent = invitations_sent(&state, &dir).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("Nordlys"), "{}", sent[0]);
    assert!(
        sent[0].contains("Subject: Du er inviteret til Nordlys"),
        "the invitee's own language, not the English inviter's: {}",
        sent[0]
    );
    let token = token_in(&sent[0], VICTIM);
    for (table, column) in [
        ("outbox_events", "detail"),
        ("audit_events", "detail"),
        ("deliveries", "COALESCE(last_error, '')"),
        ("invitations", "token_hash"),
    ] {
        let holding: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE {column} LIKE $1"
        ))
        .bind(format!("%{token}%"))
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(holding, 0, "{table} holds no link");
    }
    // Another round sends nothing more; the link works.
    assert_eq!(invitations_sent(&state, &dir).await.len(), 1);
    assert_eq!(set_password(&app, &token).await.status, StatusCode::OK);
    let _ = std::fs::remove_dir_all(&dir);
}

faktura_store::on_both_backends!(
    invitations_are_queued_in_the_invitees_language,
    pre_registration_takeover_fails,
    a_newer_invitation_revokes_the_older,
    an_expired_invitation_fails,
    lookalike_addresses_are_refused,
    operator_created_users_are_invited_by_mail,
);
