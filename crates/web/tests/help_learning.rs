//! Learning from use (issue 17) through the real router, on SQLite and PostgreSQL: customers'
//! "not helpful" answers and the article they open from the results change which article the
//! help pane puts first for the same kind of question; operators see the adjustments and reset
//! them, and the ranking returns.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use faktura_store::demo::{
    NORDLYS_ADMIN, NORDLYS_INVOICE_MANAGER, NORDLYS_PROFILE_OWNER, NORDLYS_READER, OPERATOR,
    PRAIRIE_OWNER,
};
use faktura_store::Store;

/// Against the built-in articles, "Tilføj et kort" comes first for this question, "Betal en
/// faktura" fourth.
const QUESTION: &str = "hvor betaler jeg regningen med kreditkort";
const FIRST: &str = "builtin:add-a-card";
const WANTED: &str = "builtin:pay-an-invoice";

fn ask_path() -> String {
    format!(
        "/help?{}",
        serde_urlencoded::to_string([("q", QUESTION)]).unwrap()
    )
}

fn best(body: &str) -> Option<String> {
    let start = body.find("data-test-id=\"help-answer\" data-path=\"")?;
    let rest = &body[start + "data-test-id=\"help-answer\" data-path=\"".len()..];
    Some(rest[..rest.find('"')?].to_owned())
}

async fn feedback_and_opens_change_the_ranking_until_reset(store: Store) {
    let app = TestApp::with_demo(store).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    // Answers come in the reader's language: this reader reads Danish, as the question is.
    admin.post_form("/language", &[("lang", "da-DK")]).await;
    let page = admin.get(&ask_path()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        best(&page.body).as_deref(),
        Some(FIRST),
        "before any feedback"
    );
    // The other answers link to their article with the question, so opening one is a signal.
    let open_wanted = format!(
        "/help/articles/da-DK/pay-an-invoice?{}",
        serde_urlencoded::to_string([("q", QUESTION)]).unwrap()
    );
    assert!(
        page.body.contains(&open_wanted.replace('&', "&amp;")) || page.body.contains(&open_wanted),
        "the pane links the alternative with the question: {}",
        page.body
    );

    // Two customers say the first answer did not help; one of them twice (counted once).
    for email in [NORDLYS_ADMIN, NORDLYS_READER, NORDLYS_READER] {
        let mut customer = app.signed_in(email).await;
        let answer = customer
            .post_form(
                "/help/feedback",
                &[("q", QUESTION), ("path", FIRST), ("helpful", "no")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
    }
    // Three customers open "Betal en faktura" from the results.
    for email in [
        NORDLYS_INVOICE_MANAGER,
        NORDLYS_PROFILE_OWNER,
        PRAIRIE_OWNER,
    ] {
        let mut customer = app.signed_in(email).await;
        let article = customer.get(&open_wanted).await;
        assert_eq!(article.status, StatusCode::OK);
        assert!(article.body.contains("Betal nu"));
    }
    // Opening an article without a question teaches nothing.
    admin.get("/help/articles/da-DK/card-declined").await;

    let after = admin.get(&ask_path()).await;
    assert_eq!(
        best(&after.body).as_deref(),
        Some(WANTED),
        "what customers did moved the article they wanted first"
    );
    // Another wording of the same question is the same cluster.
    let reworded = format!(
        "/help?{}",
        serde_urlencoded::to_string([("q", "Regningen: hvor betaler jeg med kreditkort?")])
            .unwrap()
    );
    assert_eq!(
        best(&admin.get(&reworded).await.body).as_deref(),
        Some(WANTED)
    );

    // Customers cannot see or reset what was learned.
    let mut reader = app.signed_in(NORDLYS_READER).await;
    assert_eq!(
        reader.get("/operator/help-learning").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reader
            .post_form("/operator/help-learning/reset", &[("all", "yes")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Operators see each adjustment with its reason.
    let mut operator = app.signed_in(OPERATOR).await;
    let learned = operator.get("/operator/help-learning").await;
    assert_eq!(learned.status, StatusCode::OK);
    let cluster = "da: betal kreditkort regning";
    assert!(
        learned.body.contains(&format!(
            "data-cluster=\"{cluster}\" data-article=\"{FIRST}\""
        )),
        "{}",
        learned.body
    );
    let first_row = &learned.body[learned
        .body
        .find(&format!("data-article=\"{FIRST}\""))
        .unwrap()..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap()];
    assert!(first_row.contains("−30 %"), "{first_row}");
    assert!(
        first_row.contains("<td class=\"num\">2</td>"),
        "two customers said no: {first_row}"
    );
    let wanted_row = &learned.body[learned
        .body
        .find(&format!("data-article=\"{WANTED}\""))
        .unwrap()..];
    let wanted_row = &wanted_row[..wanted_row.find("</tr>").unwrap()];
    assert!(
        wanted_row.contains("<td class=\"num\">3</td>"),
        "opened three times: {wanted_row}"
    );
    assert!(
        !learned.body.contains("card-declined"),
        "an article opened without a question is not learned"
    );

    // A cluster that must be given.
    assert_eq!(
        operator
            .post_form("/operator/help-learning/reset", &[("cluster", " ")])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // Resetting the cluster brings the ranking back.
    let reset = operator
        .post_form("/operator/help-learning/reset", &[("cluster", cluster)])
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    let done = operator.get(reset.location.as_deref().unwrap()).await;
    assert!(
        done.body.contains("5 customer answers forgotten"),
        "{}",
        done.body
    );
    assert!(done.body.contains("data-test-id=\"help-learning-none\""));
    assert_eq!(
        best(&admin.get(&ask_path()).await.body).as_deref(),
        Some(FIRST)
    );

    // Reset everything: another cluster's answer is forgotten too.
    admin
        .post_form(
            "/help/feedback",
            &[
                ("q", "Hvordan betaler jeg min forfaldne faktura i portalen?"),
                ("path", WANTED),
                ("helpful", "yes"),
            ],
        )
        .await;
    assert!(operator
        .get("/operator/help-learning")
        .await
        .body
        .contains("data-test-id=\"help-learning-row\""));
    let all = operator
        .post_form("/operator/help-learning/reset", &[("all", "yes")])
        .await;
    assert_eq!(
        all.location.as_deref(),
        Some("/operator/help-learning?reset=1")
    );
    assert!(operator
        .get("/operator/help-learning")
        .await
        .body
        .contains("data-test-id=\"help-learning-none\""));
    // The feedback history is kept for the support queue.
    assert_eq!(app.store.recent_help_feedback(50).await.unwrap().len(), 4);
}

faktura_store::on_both_backends!(feedback_and_opens_change_the_ranking_until_reset);
