//! 403 pages that say in plain words why (which role the user has and what it allows), inside
//! the service: with its top bar, breadcrumb trail and left pane, so the person can go on.

use super::nav::section_of;
use super::{render_with, roles_text, BillingNav, Chrome, NavExt};
use crate::context::RequestContext;
use crate::state::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use faktura_app::AccountScope;
use faktura_domain::*;

#[derive(Template)]
#[template(path = "refused.html")]
struct RefusedTemplate {
    chrome: Chrome,
    nav: BillingNav,
    heading: String,
    explanation: String,
}

/// A 403 page with an explanation, inside the account's service frame.
pub fn refused(chrome: Chrome, scope: &AccountScope, explanation: String) -> Response {
    let heading = chrome.tr.t("error-forbidden-title");
    let path = chrome.current_path.clone();
    // No scope picker: the refusal is about this page, whichever profile is chosen.
    let nav = scope
        .nav(section_of(&path), None, String::new())
        .crumb("error-forbidden-title", path);
    render_with(
        StatusCode::FORBIDDEN,
        &RefusedTemplate {
            chrome,
            nav,
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
    Some(refused(clone_chrome(chrome), scope, explanation))
}

/// A use case's refusal (403) on a page of a billing account the person holds a role on: the
/// refusal inside the service, naming their roles. `None` when the path is not such a page or
/// the person may not see the account at all (then the plain error page, which shows nothing
/// of the account).
pub async fn forbidden_in_service(
    state: &AppState,
    ctx: &RequestContext,
    path: &str,
) -> Option<Response> {
    let user = ctx.user.clone()?;
    let account = path.strip_prefix("/billing/")?.split(['/', '?']).next()?;
    if section_of(path).is_empty() {
        return None;
    }
    let actor = faktura_app::Actor::new(user, ctx.ip.clone());
    let scope = AccountScope::load(&state.app, &actor, account).await.ok()?;
    let chrome = Chrome::new(state, ctx, path);
    let explanation = chrome.tr.t1(
        "refused-because-role-here",
        "roles",
        roles_text(&chrome.tr, &scope.access),
    );
    Some(refused(chrome, &scope, explanation))
}

pub fn clone_chrome(chrome: &Chrome) -> Chrome {
    Chrome {
        tr: chrome.tr.clone(),
        user_name: chrome.user_name.clone(),
        user_email: chrome.user_email.clone(),
        csrf: chrome.csrf.clone(),
        current_path: chrome.current_path.clone(),
        search_query: chrome.search_query.clone(),
        frame: chrome.frame.clone(),
    }
}
