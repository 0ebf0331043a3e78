//! What the portal's pages share: the chrome around every page (language, user, CSRF token,
//! search box), the service's left pane, labels, refusal pages and scope helpers. Pages import
//! from here and never from each other.

mod authenticate;
mod banner;
mod challenge;
mod event_details;
mod labels;
mod nav;
mod pay_amount;
mod refusal;
mod scope;

pub use authenticate::authenticate_page;
pub use banner::{settle_banner, SettleBanner};
pub use challenge::{first_open_challenge, open_challenge, OpenChallenge};
pub use event_details::event_details;
pub use labels::*;
pub use nav::{service_nav, BillingNav, Crumb, NavExt, NavProfile};
pub use pay_amount::{amount_problem, chosen_amount, partial_choice, PartialChoice};
pub use refusal::{clone_chrome, forbidden_in_service, refusal, refused};
pub use scope::{optional_profile, profile_or_first, selected_profile, visible_profile};

use crate::context::RequestContext;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use faktura_domain::User;

/// The parts of every page around its content: language, user, CSRF token, search box.
pub struct Chrome {
    pub tr: Tr,
    pub user_name: Option<String>,
    pub user_email: String,
    pub csrf: String,
    pub current_path: String,
    pub search_query: String,
    /// A page outside any billing account (Help, API tokens, `/api`) shown inside the service
    /// frame: its left pane and breadcrumb trail. `None` on billing pages (their template has
    /// its own `nav`) and for anyone without a billing account.
    pub frame: Option<BillingNav>,
}

impl Chrome {
    pub fn new(state: &AppState, ctx: &RequestContext, current_path: &str) -> Chrome {
        Chrome {
            tr: Tr::new(state.i18n.clone(), ctx.locale),
            user_name: ctx.user.as_ref().map(|u| u.display_name.clone()),
            user_email: ctx
                .user
                .as_ref()
                .map(|u| u.email.clone())
                .unwrap_or_default(),
            csrf: ctx.csrf_token.clone(),
            current_path: current_path.to_owned(),
            search_query: String::new(),
            frame: None,
        }
    }

    /// The chrome of a page outside any billing account, inside the service's frame (the left
    /// pane of the person's billing account, `active` highlighted) when they hold a role on one.
    pub async fn framed(
        state: &AppState,
        ctx: &RequestContext,
        current_path: &str,
        active: &'static str,
    ) -> Chrome {
        let mut chrome = Chrome::new(state, ctx, current_path);
        chrome.frame = service_nav(state, ctx.user.as_ref(), active).await;
        chrome
    }

    /// The trail goes one step further on a framed page (a help article's title).
    pub fn crumb_text(mut self, text: impl Into<String>, href: impl Into<String>) -> Chrome {
        self.frame = self.frame.map(|nav| nav.crumb_text(text, href));
        self
    }

    pub fn signed_in(&self) -> bool {
        self.user_name.is_some()
    }
}

/// One line of the error summary above a form after a failed submit: the message, linking to
/// the field it is about (`field` is the input's id). The summary takes the focus on load, so a
/// keyboard or screen-reader user hears what went wrong and can go to each field.
pub struct SummaryItem {
    pub field: String,
    pub message: String,
}

/// The summary's lines for the fields that have an error, in the form's order.
pub fn error_summary(fields: &[(&str, &Option<String>)]) -> Vec<SummaryItem> {
    fields
        .iter()
        .filter_map(|(field, error)| {
            error.as_ref().map(|message| SummaryItem {
                field: (*field).to_owned(),
                message: message.clone(),
            })
        })
        .collect()
}

/// Renders a template as an HTML response.
pub fn render<T: Template>(template: &T) -> Response {
    render_with(StatusCode::OK, template)
}

pub fn render_with<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    chrome: Chrome,
    heading: String,
    explanation: String,
}

/// A localized error page for an error code (see `AppError::code`).
pub fn error_page(tr: &Tr, user: Option<&User>, code: &str) -> Response {
    let (heading, explanation) = match code {
        "forbidden" => ("error-forbidden-title", "error-forbidden-text"),
        "not_found" => ("error-not-found-title", "error-not-found-text"),
        "csrf_invalid" => ("error-csrf-title", "error-csrf-text"),
        "bad_request" => ("error-bad-request-title", "error-bad-request-text"),
        "unauthenticated" => ("error-unauthenticated-title", "error-unauthenticated-text"),
        _ => ("error-internal-title", "error-internal-text"),
    };
    let chrome = Chrome {
        tr: tr.clone(),
        user_name: user.map(|u| u.display_name.clone()),
        user_email: user.map(|u| u.email.clone()).unwrap_or_default(),
        // Error pages carry no forms that change anything.
        csrf: String::new(),
        current_path: "/portal".into(),
        search_query: String::new(),
        frame: None,
    };
    render(&ErrorTemplate {
        heading: tr.t(heading),
        explanation: tr.t(explanation),
        chrome,
    })
}

/// Card entry with the gateway's own fields (Stripe.js Elements) instead of Faktura's card
/// form: what a page needs to load the script and mount the card field. `None` with the
/// sandbox, whose card form stays as it is.
pub struct CardElements {
    pub publishable_key: String,
    pub js_url: String,
    /// Where the page's script begins a card setup (`POST`, with the CSRF token).
    pub begin_url: String,
}

impl CardElements {
    pub fn of(state: &AppState, account: &str) -> Option<CardElements> {
        faktura_app::hosted_cards::browser_entry(&state.app).map(|entry| CardElements {
            publishable_key: entry.publishable_key,
            js_url: entry.js_url,
            begin_url: format!("/billing/{account}/payment-methods/setup"),
        })
    }
}
