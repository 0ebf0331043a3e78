//! The add-role form through the real router: it starts with no role chosen (the weakest
//! first in the list), keeps what the person chose after a refusal, and offers only the roles
//! that fit the scopes the granter may grant at. SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::admin::account_of;
use common::TestApp;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_PROFILE_OWNER};
use faktura_store::Store;

/// The `<select id=…>` element of a page, as text.
fn select<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body
        .find(&format!("<select id=\"{id}\""))
        .unwrap_or_else(|| panic!("no select {id} in {body}"));
    let end = body[start..].find("</select>").expect("the select ends") + start;
    &body[start..end]
}

/// The values of a select's options, in order, and which of them is selected.
fn options(select: &str) -> (Vec<String>, Vec<String>) {
    let mut all = Vec::new();
    let mut selected = Vec::new();
    for piece in select.split("<option value=\"").skip(1) {
        let value = piece.split('"').next().unwrap_or_default().to_owned();
        let tag = piece.split('>').next().unwrap_or_default();
        if tag.contains(" selected") {
            selected.push(value.clone());
        }
        all.push(value);
    }
    (all, selected)
}

async fn the_add_role_form_never_defaults_to_a_strong_role(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let drift = nordlys.profile("Nordlys Drift");
    let access = format!("/billing/{}/access", nordlys.id);
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;

    let page = admin.get(&access).await;
    assert_eq!(page.status, StatusCode::OK);
    let (roles, chosen) = options(select(&page.body, "grant-role"));
    assert_eq!(
        chosen,
        vec![String::new()],
        "no role is chosen until the person chooses one"
    );
    assert_eq!(
        roles,
        [
            "",
            "BillingAccountReader",
            "BillingAccountContributor",
            "BillingAccountOwner",
            "BillingProfileReader",
            "InvoiceManager",
            "BillingProfileContributor",
            "BillingProfileOwner",
        ],
        "weakest first within each kind"
    );
    assert!(page
        .body
        .contains("<optgroup label=\"Billing account roles\" data-kind=\"account\">"));

    // A bad e-mail: the role and scope the person chose stay chosen, and so does the e-mail.
    let refused = admin
        .post_form(
            &format!("{access}/add"),
            &[
                ("email", "not-an-address"),
                ("role", "BillingProfileReader"),
                ("scope", drift.id.as_str()),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("value=\"not-an-address\""));
    let (_, chosen) = options(select(&refused.body, "grant-role"));
    assert_eq!(chosen, ["BillingProfileReader"]);
    let (_, scope) = options(select(&refused.body, "grant-scope"));
    assert_eq!(scope, [drift.id.to_string()]);

    // No role: "Choose a role", and still none chosen.
    let none = admin
        .post_form(
            &format!("{access}/add"),
            &[
                ("email", "someone@nordlys.example"),
                ("role", ""),
                ("scope", "account"),
            ],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Choose a role."), "{}", none.body);
    let (_, chosen) = options(select(&none.body, "grant-role"));
    assert_eq!(chosen, vec![String::new()]);
    let (_, scope) = options(select(&none.body, "grant-scope"));
    assert_eq!(scope, ["account"]);
    assert!(store
        .user_by_email("someone@nordlys.example")
        .await
        .unwrap()
        .is_none());
}

async fn a_profile_owner_is_offered_profile_roles_only(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let nordlys = account_of(&store, NORDLYS_ADMIN).await;
    let mut owner = app.signed_in(NORDLYS_PROFILE_OWNER).await;
    let page = owner.get(&format!("/billing/{}/access", nordlys.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    let (scopes, _) = options(select(&page.body, "grant-scope"));
    assert!(!scopes.contains(&"account".to_owned()), "{scopes:?}");
    let (roles, _) = options(select(&page.body, "grant-role"));
    assert_eq!(
        roles,
        [
            "",
            "BillingProfileReader",
            "InvoiceManager",
            "BillingProfileContributor",
            "BillingProfileOwner",
        ]
    );
}

faktura_store::on_both_backends!(
    the_add_role_form_never_defaults_to_a_strong_role,
    a_profile_owner_is_offered_profile_roles_only,
);
