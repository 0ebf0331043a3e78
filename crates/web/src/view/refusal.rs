//! 403 pages that say in plain words why (which role the user has and what it allows).

use super::{render_with, roles_text, Chrome};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use faktura_app::AccountScope;
use faktura_domain::*;

#[derive(Template)]
#[template(path = "error.html")]
struct RefusedTemplate {
    chrome: Chrome,
    heading: String,
    explanation: String,
}

/// A 403 page with an explanation.
pub fn refused(chrome: Chrome, explanation: String) -> Response {
    let heading = chrome.tr.t("error-forbidden-title");
    render_with(
        StatusCode::FORBIDDEN,
        &RefusedTemplate {
            chrome,
            heading,
            explanation,
        },
    )
}

/// A 403 page naming the user's roles when `permission` is not theirs at this scope, else
/// `None` (go ahead).
pub fn refusal(
    chrome: &Chrome,
    scope: &AccountScope,
    permission: Permission,
    profile: Option<&BillingProfileId>,
    what_key: &str,
) -> Option<Response> {
    if scope.access.allows(permission, profile) {
        return None;
    }
    let tr = &chrome.tr;
    let explanation = tr.tn(
        "refused-because-role",
        &[
            ("roles", roles_text(tr, &scope.access)),
            ("action", tr.t(what_key)),
        ],
    );
    Some(refused(clone_chrome(chrome), explanation))
}

pub fn clone_chrome(chrome: &Chrome) -> Chrome {
    Chrome {
        tr: chrome.tr.clone(),
        user_name: chrome.user_name.clone(),
        user_email: chrome.user_email.clone(),
        csrf: chrome.csrf.clone(),
        current_path: chrome.current_path.clone(),
        search_query: chrome.search_query.clone(),
    }
}
