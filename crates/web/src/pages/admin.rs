//! Helpers shared by the administrative pages (payment methods, properties, access control,
//! activity log, documents): scope selection, refusals with a plain reason, labels.

use super::billing::AccountScope;
use super::{render_with, Chrome};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::session::SignedIn;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use faktura_domain::roles::Access;
use faktura_domain::*;
use faktura_store::AuditActor;

#[derive(Template)]
#[template(path = "error.html")]
struct RefusedTemplate {
    chrome: Chrome,
    heading: String,
    explanation: String,
}

/// A 403 page that says in plain words why (e.g. which role the user has and what it allows).
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

/// The roles a user holds on the account, in words, for explanations ("Billing account reader").
pub fn roles_text(tr: &Tr, access: &Access) -> String {
    let mut names: Vec<String> = Vec::new();
    if access.is_account_admin {
        names.push(tr.t("iam-account-admin"));
    }
    for (_, role) in &access.grants {
        let name = role_label(tr, *role);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        tr.t("iam-no-role")
    } else {
        names.join(", ")
    }
}

pub fn role_label(tr: &Tr, role: Role) -> String {
    tr.t(&format!("role-{}", role.code()))
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

/// The profile named in `raw` if the user sees it; `Forbidden` when they do not.
pub fn visible_profile(scope: &AccountScope, raw: &str) -> Result<BillingProfile, AppError> {
    let id = BillingProfileId::parse(raw.trim())
        .map_err(|_| AppError::BadRequest("unknown billing profile"))?;
    scope
        .profile(&id)
        .cloned()
        .ok_or(AppError::Forbidden("no role on this billing profile"))
}

/// The `?profile=` chosen, or none for the account as a whole.
pub fn optional_profile(
    scope: &AccountScope,
    raw: Option<&str>,
) -> Result<Option<BillingProfile>, AppError> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        Some(raw) => visible_profile(scope, raw).map(Some),
        None => Ok(None),
    }
}

/// The chosen profile, or the first the user sees (pages that are always about one profile).
pub fn profile_or_first(
    scope: &AccountScope,
    raw: Option<&str>,
) -> Result<BillingProfile, AppError> {
    match optional_profile(scope, raw)? {
        Some(p) => Ok(p),
        None => scope
            .profiles
            .first()
            .cloned()
            .ok_or(AppError::Forbidden("no billing profile to show")),
    }
}

pub fn actor(signed_in: &SignedIn) -> AuditActor {
    AuditActor {
        user: signed_in.user.id.clone(),
        ip: signed_in.ctx.ip.clone(),
    }
}

pub fn brand_label(tr: &Tr, brand: CardBrand) -> String {
    tr.t(&format!("brand-{}", brand.code()))
}

/// "Visa •••• 4242" style text.
pub fn card_text(tr: &Tr, method: &PaymentMethod) -> String {
    format!("{} •••• {}", brand_label(tr, method.brand), method.last4)
}

pub fn expiry_text(method: &PaymentMethod) -> String {
    format!("{:02}/{}", method.exp_month, method.exp_year)
}

/// Trims and bounds free text from a form.
pub fn field(value: &str, max: usize) -> String {
    value.trim().chars().take(max).collect()
}
