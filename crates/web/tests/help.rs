//! Help + support through the real router, on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_READER, OPERATOR};
use faktura_store::Store;

async fn ask_answer_not_helpful_support_request(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let question = "Hvordan betaler jeg min forfaldne faktura i portalen?";
    let query = serde_urlencoded::to_string([("q", question)]).unwrap();
    let page = admin.get(&format!("/help?{query}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("data-path=\"builtin:pay-an-invoice\""),
        "the pay-an-invoice article is recommended first"
    );
    assert!(
        page.body.contains("lang=\"en\"") && !page.body.contains("lang=\"da\""),
        "a Danish question from someone who reads the portal in English gets the English article"
    );
    assert!(page.body.contains("data-test-id=\"help-alternatives\""));
    assert!(page.body.contains("Was this helpful?"));
    assert!(!page.body.contains("<script>"), "article HTML is sanitized");

    let no = admin
        .post_form(
            "/help/feedback",
            &[
                ("q", question),
                ("path", "builtin:pay-an-invoice"),
                ("helpful", "no"),
            ],
        )
        .await;
    assert_eq!(no.status, StatusCode::SEE_OTHER);
    let after = admin.get(no.location.as_deref().unwrap()).await;
    assert!(
        after.body.contains("Create a support request"),
        "after No the support request form is offered"
    );
    let feedback = app.store.recent_help_feedback(10).await.unwrap();
    assert_eq!(feedback.len(), 1);
    assert_eq!(
        (
            feedback[0].0.as_str(),
            feedback[0].1.as_str(),
            feedback[0].3
        ),
        (question, "da-DK", false)
    );

    let bad = admin
        .post_form(
            "/help/requests",
            &[
                ("q", question),
                ("subject", "Betaling"),
                ("description", ""),
                ("severity", "normal"),
                ("contact", NORDLYS_ADMIN),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Describe the problem"));
    let bad = admin
        .post_form(
            "/help/requests",
            &[
                ("subject", "x"),
                ("description", "y"),
                ("severity", "panic"),
                ("contact", NORDLYS_ADMIN),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = admin
        .post_form(
            "/help/requests",
            &[
                ("subject", "x"),
                ("description", "y"),
                ("severity", "low"),
                ("contact", "not-an-email"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let created = admin
        .post_form(
            "/help/requests",
            &[
                ("q", question),
                ("subject", "Betal nu virker ikke"),
                ("description", "Knappen gør intet"),
                ("severity", "high"),
                ("contact", NORDLYS_ADMIN),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let mine = admin.get(created.location.as_deref().unwrap()).await;
    assert!(mine.body.contains("data-test-id=\"support-created\""));
    assert!(mine.body.contains("Betal nu virker ikke") && mine.body.contains(">Open<"));

    let mut reader = app.signed_in(NORDLYS_READER).await;
    let theirs = reader.get("/help/requests").await;
    assert!(
        !theirs.body.contains("Betal nu virker ikke"),
        "customers see only their own requests"
    );
    assert_eq!(
        reader.get("/operator/support").await.status,
        StatusCode::FORBIDDEN
    );

    let mut operator = app.signed_in(OPERATOR).await;
    let all = operator.get("/operator/support").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("Betal nu virker ikke") && all.body.contains(NORDLYS_ADMIN));
    let id = app.store.all_support_requests(10).await.unwrap()[0]
        .id
        .clone();
    let updated = operator
        .post_form(&format!("/operator/support/{id}"), &[("status", "closed")])
        .await;
    assert_eq!(updated.status, StatusCode::SEE_OTHER);
    assert!(admin.get("/help/requests").await.body.contains(">Closed<"));
    let refused = reader
        .post_form(&format!("/operator/support/{id}"), &[("status", "open")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn nothing_fits_offers_a_support_request(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let page = admin.get("/help?q=xyzzy+plugh+qwerty").await;
    assert!(page.body.contains("data-test-id=\"help-nothing-fits\""));
    assert!(page.body.contains("Create a support request"));
    assert!(!page.body.contains("data-test-id=\"help-answer\""));
    assert!(
        !page.body.contains("data-test-id=\"help-maybe\""),
        "gibberish gets no guesses"
    );
    let empty = admin.get("/help").await;
    assert!(
        !empty.body.contains("help-nothing-fits") && empty.body.contains("Describe your problem")
    );
}

async fn answers_come_in_the_readers_language(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    admin.post_form("/language", &[("lang", "da-DK")]).await;
    let page = admin.get("/help?q=pay+an+invoice").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("data-path=\"builtin:pay-an-invoice\"")
            && page.body.contains("lang=\"da\"")
            && page.body.contains("Betal en faktura"),
        "an English question from a Danish reader gets the Danish article: {}",
        page.body
    );
    assert!(
        !page.body.contains("lang=\"en\"") && !page.body.contains("Recommended documents"),
        "no English article text on the Danish page"
    );
    assert!(
        !page.body.contains("så denne er på engelsk"),
        "the article is in the reader's language, so no 'only in English' note"
    );
    // Each article is offered once: not as an alternative when the answer links to it.
    let answer = page
        .body
        .split("data-test-id=\"help-alternatives\"")
        .next()
        .unwrap();
    for (i, link) in page.body.match_indices("href=\"/help/articles/da-DK/") {
        let slug: String = page.body[i + link.len()..]
            .chars()
            .take_while(|c| *c != '"' && *c != '?' && *c != '#')
            .collect();
        let in_answer = answer.contains(&format!("href=\"/help/articles/da-DK/{slug}"));
        let listed = page.body[answer.len()..]
            .matches(&format!("href=\"/help/articles/da-DK/{slug}?"))
            .count();
        assert!(
            !(in_answer && listed > 0),
            "{slug} is linked from the answer and listed again"
        );
    }
}

async fn articles_render_in_their_language(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let en = admin.get("/help/articles/en-US/pay-an-invoice").await;
    assert_eq!(en.status, StatusCode::OK);
    assert!(en.body.contains("Pay now") && en.body.contains("lang=\"en\""));
    assert!(
        en.body.contains("href=\"/help/articles/en-US/"),
        "links between articles resolve inside Faktura"
    );
    admin.post_form("/language", &[("lang", "da-DK")]).await;
    let da = admin.get("/help/articles/da-DK/pay-an-invoice").await;
    assert!(da.body.contains("Betal nu") && da.body.contains("Hjælp + support"));
    assert_eq!(
        admin
            .get("/help/articles/fr-FR/pay-an-invoice")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin
            .get("/help/articles/en-US/no-such-article")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A path that is not UTF-8 gets the localized error page (Danish, the language chosen
    // above), not axum's plain text.
    let broken = admin.get("/help/articles/en-US/%ff").await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert!(broken.body.contains("<html"), "{}", broken.body);
    assert!(!broken.body.contains("Invalid URL"), "{}", broken.body);
    assert!(
        broken.body.contains("Der er noget galt med forespørgslen"),
        "{}",
        broken.body
    );
    let anonymous = app.browser().get("/help").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

faktura_store::on_both_backends!(
    answers_come_in_the_readers_language,
    ask_answer_not_helpful_support_request,
    nothing_fits_offers_a_support_request,
    articles_render_in_their_language,
);
