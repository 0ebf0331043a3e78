//! Each person's notification settings (the Notifications page and `/me/notificationSettings`)
//! decide which mail they get, and the mail that follows the roles: reminders before the due
//! date to who may pay, cards added to the others who manage cards, support requests' status
//! to their requester.

mod common;

use axum::http::StatusCode;
use common::api::{ba, overdue_with_card, Api, V};
use common::mail::{parse, read_mail, temp_dir, Mail};
use common::portal::nordlys;
use common::TestApp;
use faktura_app::mail::FileMailer;
use faktura_app::notify::{self, Round};
use faktura_app::Actor;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_PROFILE_OWNER, NORDLYS_READER, OPERATOR};
use faktura_store::Store;
use faktura_web::state::AppState;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

struct Setup {
    api: Api,
    state: AppState,
    dir: PathBuf,
}

async fn setup(store: Store, name: &str) -> Setup {
    let dir = temp_dir(name);
    let (app, state) = TestApp::with_mailer(store, Arc::new(FileMailer::new(&dir))).await;
    let setup = Setup {
        api: Api { app },
        state,
        dir,
    };
    // The demo's own history is not news.
    assert_eq!(setup.round().await, Round::default());
    setup
}

impl Setup {
    async fn round(&self) -> Round {
        notify::run_once(&self.state.app).await.unwrap()
    }

    fn mails(&self) -> Vec<Mail> {
        read_mail(&self.dir).iter().map(|m| parse(m)).collect()
    }

    fn to(&self, address: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to == address)
            .collect()
    }

    async fn actor(&self, email: &str) -> Actor {
        let user = self.api.app.store.user_by_email(email).await.unwrap();
        Actor::new(user.unwrap(), None)
    }

    async fn choose(&self, email: &str, changes: serde_json::Value) {
        let token = self.api.token(email).await;
        let reply = self
            .api
            .call(
                "PATCH",
                &format!("/me/notificationSettings?{V}"),
                Some(&token),
                Some(json!({ "email": changes })),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn topic<'a>(settings: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    settings["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["topic"] == code)
        .unwrap_or_else(|| panic!("no topic {code} in {settings}"))
}

/// The page and the API show and change one person's settings only; a receipt switched off
/// is not sent to the payer, while the profile's invoice recipient still gets it.
async fn people_choose_their_notifications(store: Store) {
    let s = setup(store, "notify-settings").await;
    let mut browser = s.api.app.signed_in(NORDLYS_ADMIN).await;
    let page = browser.get("/account/notifications").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Receipts for payments you make"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Always sent"), "{}", page.body);
    assert!(
        page.body.contains(r#"href="/account/notifications""#),
        "in the user menu"
    );
    // Every box but "new invoices" unticked (the access notice cannot be).
    let saved = browser
        .post_form("/account/notifications", &[("email-invoice_issued", "on")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = browser.get(saved.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Your notification settings are saved."));
    assert!(
        page.body
            .contains(r#"name="email-invoice_issued" value="on" checked"#),
        "{}",
        page.body
    );
    assert!(!page
        .body
        .contains(r#"name="email-receipts" value="on" checked"#));
    // A form without its CSRF token changes nothing.
    let forged = browser
        .post_raw("/account/notifications", &[("email-receipts", "on")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let token = s.api.token(NORDLYS_ADMIN).await;
    let mine = s
        .api
        .get(&format!("/me/notificationSettings?{V}"), &token)
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.json);
    assert_eq!(topic(&mine.json, "receipts")["email"], false);
    assert_eq!(topic(&mine.json, "receipts")["default"], true);
    assert_eq!(topic(&mine.json, "invoice_issued")["email"], true);
    assert_eq!(topic(&mine.json, "access")["mandatory"], true);
    let reader = s.api.token(NORDLYS_READER).await;
    let theirs = s
        .api
        .get(&format!("/me/notificationSettings?{V}"), &reader)
        .await;
    assert_eq!(topic(&theirs.json, "receipts")["email"], true, "per person");

    for (body, code) in [
        (
            json!({"email": {"access": false}}),
            "MandatoryNotificationTopic",
        ),
        (
            json!({"email": {"newsletter": true}}),
            "UnknownNotificationTopic",
        ),
        (
            json!({"email": {"receipts": "yes"}}),
            "InvalidRequestContent",
        ),
    ] {
        let refused = s
            .api
            .call(
                "PATCH",
                &format!("/me/notificationSettings?{V}"),
                Some(&token),
                Some(body.clone()),
                None,
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            refused.json
        );
        assert_eq!(
            refused.json["error"]["code"], code,
            "{body}: {}",
            refused.json
        );
    }
    let unversioned = s
        .api
        .call(
            "PATCH",
            "/me/notificationSettings",
            Some(&token),
            Some(json!({"email": {}})),
            None,
        )
        .await;
    assert_eq!(unversioned.status, StatusCode::BAD_REQUEST);

    // The admin pays: no receipt for them, the invoice recipient still gets one.
    let (account, invoice, card) = overdue_with_card(&s.api.app).await;
    let paid = s
        .api
        .call(
            "POST",
            &format!("{}/invoices/{}/pay?{V}", ba(&account), invoice.id),
            Some(&token),
            Some(json!({"paymentMethodId": card.as_str()})),
            None,
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.json);
    s.round().await;
    assert!(s.to(NORDLYS_ADMIN).is_empty(), "switched off");
    let receipts = s.to("faktura@nordlys.example");
    assert_eq!(receipts.len(), 1, "the profile's invoice recipient");
    assert!(receipts[0].subject.contains(&invoice.number));
}

/// Days before the due date the invoice recipient and those who may pay and asked for it are
/// reminded, once; a reader who asked is not (they cannot pay), nor an invoice due later, nor
/// one issued inside the reminder's window (its own mail told the due date).
async fn reminders_before_the_due_date_reach_who_may_pay(store: Store) {
    let s = setup(store.clone(), "notify-due-soon").await;
    let n = nordlys(&store).await;
    let today = chrono::Utc::now().date_naive();
    let day = |offset: i64| {
        (today + chrono::Duration::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };
    for (invoice, issued, due) in [
        (&n.due, -30, 3),
        (&n.above_limit, -30, 10),
        (&n.past_due, -2, 2),
    ] {
        sqlx::query(
            "UPDATE invoices SET invoice_date = $1, due_date = $2, due_soon_notified_at = NULL, \
             status = 'Due' WHERE id = $3",
        )
        .bind(day(issued))
        .bind(day(due))
        .bind(invoice.id.as_str())
        .execute(store.pool())
        .await
        .unwrap();
    }
    s.choose(NORDLYS_ADMIN, json!({"invoice_due_soon": true}))
        .await;
    s.choose(NORDLYS_READER, json!({"invoice_due_soon": true}))
        .await;
    let round = s.round().await;
    assert_eq!(
        round.events, 1,
        "only the invoice due within 7 days: {round:?}"
    );
    let profile = store
        .profile(&n.account, &n.due.billing_profile_id)
        .await
        .unwrap()
        .unwrap();
    let to_admin = s.to(NORDLYS_ADMIN);
    assert_eq!(to_admin.len(), 1);
    assert!(
        to_admin[0].subject.contains(&n.due.number) && to_admin[0].subject.contains("is due on"),
        "{}",
        to_admin[0].subject
    );
    assert!(
        to_admin[0].text.contains("has not been paid yet"),
        "{}",
        to_admin[0].text
    );
    let to_recipient = s.to(&profile.invoice_email);
    assert_eq!(to_recipient.len(), 1, "the invoice recipient, in Danish");
    assert!(
        to_recipient[0].subject.contains("forfalder"),
        "{}",
        to_recipient[0].subject
    );
    assert!(s.to(NORDLYS_READER).is_empty(), "a reader cannot pay");
    assert_eq!(s.round().await, Round::default(), "once");
}

/// A card added by one who manages the profile's cards is told to the others who do (not to
/// the one who added it, nor to a reader); a webhook asking for it gets the event.
async fn a_card_added_tells_the_others_who_manage_cards(store: Store) {
    let s = setup(store.clone(), "notify-card-added").await;
    let account = common::admin::account_of(&store, NORDLYS_ADMIN).await;
    let profile = account.profile("Nordlys Udvikling").clone();
    let mut owner = s.api.app.signed_in(NORDLYS_PROFILE_OWNER).await;
    let added =
        common::admin::add_card(&mut owner, &account, &profile, "5555555555554444", None).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let round = s.round().await;
    assert_eq!(round.events, 1, "{round:?}");
    let to_admin = s.to(NORDLYS_ADMIN);
    assert_eq!(
        to_admin.len(),
        1,
        "the account's owner manages every profile's cards"
    );
    assert_eq!(to_admin[0].subject, "A card was added to Nordlys Udvikling");
    assert!(to_admin[0].text.contains("4444"), "{}", to_admin[0].text);
    assert!(
        to_admin[0].text.contains(NORDLYS_PROFILE_OWNER),
        "who did it: {}",
        to_admin[0].text
    );
    assert!(s.to(NORDLYS_PROFILE_OWNER).is_empty(), "they know");
    assert!(s.to(NORDLYS_READER).is_empty());
}

/// An operator moving a support request tells its requester at the contact address they
/// gave, in their language; after they switch it off, nothing more.
async fn support_request_updates_reach_the_requester(store: Store) {
    let s = setup(store, "notify-support").await;
    let reader = s.actor(NORDLYS_READER).await;
    let operator = s.actor(OPERATOR).await;
    let draft = faktura_app::support::RequestDraft {
        subject: "Card refused".into(),
        description: "It says declined.".into(),
        severity: "normal".into(),
        contact: "reader.private@nordlys.example".into(),
        query: String::new(),
    };
    let id = faktura_app::support::create_request(&s.state.app, &reader, &draft)
        .await
        .unwrap();
    faktura_app::support::set_status(&s.state.app, &operator, &id, "in_progress")
        .await
        .unwrap();
    s.round().await;
    let mails = s.to("reader.private@nordlys.example");
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].subject,
        "Your support request “Card refused”: In progress"
    );
    assert!(
        mails[0].text.contains("/help/requests"),
        "{}",
        mails[0].text
    );
    s.choose(NORDLYS_READER, json!({"support_updates": false}))
        .await;
    faktura_app::support::set_status(&s.state.app, &operator, &id, "closed")
        .await
        .unwrap();
    let round = s.round().await;
    assert_eq!((round.events, round.delivered), (1, 0), "{round:?}");
    assert_eq!(s.to("reader.private@nordlys.example").len(), 1);
}

faktura_store::on_both_backends!(
    people_choose_their_notifications,
    reminders_before_the_due_date_reach_who_may_pay,
    a_card_added_tells_the_others_who_manage_cards,
    support_request_updates_reach_the_requester,
);
