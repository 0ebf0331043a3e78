//! Server-rendered portal pages.

mod activity;
mod admin;
mod billing;
pub mod documents;
mod help;
mod iam;
mod methods;
mod pay;
mod portal;
mod properties;
mod signin;
mod tokens;

use crate::i18n::Tr;
use crate::session::RequestContext;
use crate::state::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use faktura_domain::User;

/// The parts of every page around its content: language, user, CSRF token, search box.
pub struct Chrome {
    pub tr: Tr,
    pub user_name: Option<String>,
    pub user_email: String,
    pub csrf: String,
    pub current_path: String,
    pub search_query: String,
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
        }
    }

    pub fn signed_in(&self) -> bool {
        self.user_name.is_some()
    }
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
    };
    render(&ErrorTemplate {
        heading: tr.t(heading),
        explanation: tr.t(explanation),
        chrome,
    })
}

/// One page route: its path, the methods it answers and its handlers. The router is built from
/// [`route_table`] alone, and the permission-matrix test enumerates the same table, so a page
/// cannot be added without the test knowing about it.
pub struct PageRoute {
    pub path: &'static str,
    pub methods: &'static [&'static str],
    pub handler: MethodRouter<AppState>,
}

fn page(
    path: &'static str,
    methods: &'static [&'static str],
    handler: MethodRouter<AppState>,
) -> PageRoute {
    PageRoute {
        path,
        methods,
        handler,
    }
}

const GET: &[&str] = &["GET"];
const POST: &[&str] = &["POST"];
const GET_POST: &[&str] = &["GET", "POST"];

/// Every page route of the portal. Add new pages here (and to the permission matrix).
pub fn route_table() -> Vec<PageRoute> {
    vec![
        page("/", GET, get(portal::root)),
        page("/signin", GET_POST, get(signin::show).post(signin::submit)),
        page("/signout", POST, post(signin::sign_out)),
        page("/language", POST, post(signin::language)),
        page("/portal", GET, get(portal::home)),
        page("/search", GET, get(portal::search)),
        page("/search/suggest", GET, get(portal::suggest)),
        page("/billing", GET, get(billing::accounts)),
        page("/billing/{account}", GET, get(billing::overview)),
        page("/billing/{account}/invoices", GET, get(billing::invoices)),
        page(
            "/billing/{account}/invoices/{invoice}",
            GET,
            get(billing::invoice_detail),
        ),
        page(
            "/billing/{account}/invoices/{invoice}/pay",
            GET_POST,
            get(pay::pane).post(pay::submit),
        ),
        page(
            "/billing/{account}/invoices/{invoice}/pdf",
            GET,
            get(documents::invoice_download),
        ),
        page(
            "/billing/{account}/payments/{payment}",
            GET,
            get(pay::outcome),
        ),
        page(
            "/billing/{account}/payments/{payment}/return",
            GET,
            get(pay::returned),
        ),
        page(
            "/billing/{account}/payments/{payment}/receipt",
            GET,
            get(documents::receipt_download),
        ),
        page(
            "/sandbox/3ds/{reference}",
            GET_POST,
            get(pay::challenge).post(pay::challenge_answer),
        ),
        page(
            "/billing/{account}/payment-methods",
            GET,
            get(methods::list),
        ),
        page(
            "/billing/{account}/payment-methods/add",
            POST,
            post(methods::add),
        ),
        page(
            "/billing/{account}/payment-methods/{method}/default",
            POST,
            post(methods::make_default),
        ),
        page(
            "/billing/{account}/payment-methods/{method}/detach",
            POST,
            post(methods::detach),
        ),
        page(
            "/billing/{account}/payment-methods/{method}/return",
            GET,
            get(methods::setup_returned),
        ),
        page(
            "/billing/{account}/settle",
            GET_POST,
            get(methods::settle_pane).post(methods::settle_submit),
        ),
        page(
            "/billing/{account}/settlements/{settlement}",
            GET,
            get(methods::settlement_outcome),
        ),
        page(
            "/billing/{account}/settlements/{settlement}/return",
            GET,
            get(methods::settlement_returned),
        ),
        page("/billing/{account}/properties", GET, get(properties::show)),
        page(
            "/billing/{account}/properties/{profile}",
            POST,
            post(properties::save),
        ),
        page("/billing/{account}/access", GET, get(iam::show)),
        page("/billing/{account}/access/add", POST, post(iam::grant)),
        page(
            "/billing/{account}/access/{assignment}/remove",
            POST,
            post(iam::remove),
        ),
        page(
            "/invite/{token}",
            GET_POST,
            get(iam::invite_page).post(iam::invite_submit),
        ),
        page("/billing/{account}/activity", GET, get(activity::show)),
        page("/help", GET, get(help::pane)),
        page("/help/feedback", POST, post(help::feedback)),
        page("/help/articles/{locale}/{slug}", GET, get(help::article)),
        page(
            "/help/requests",
            GET_POST,
            get(help::my_requests).post(help::create_request),
        ),
        page("/operator/support", GET, get(help::operator_requests)),
        page(
            "/operator/support/{id}",
            POST,
            post(help::operator_set_status),
        ),
        page(
            "/account/tokens",
            GET_POST,
            get(tokens::list).post(tokens::create),
        ),
        page(
            "/account/tokens/{token_id}/revoke",
            POST,
            post(tokens::revoke),
        ),
    ]
}

pub fn router() -> Router<AppState> {
    route_table()
        .into_iter()
        .fold(Router::new(), |router, route| {
            router.route(route.path, route.handler)
        })
}
