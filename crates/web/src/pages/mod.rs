//! Server-rendered portal pages: the route table. Each page module is an adapter that parses
//! the request, calls one use case in `faktura_app` and renders what it returns; what pages
//! share lives in `crate::view`.

mod activity;
mod billing;
mod challenge;
pub mod documents;
mod help;
mod help_learning;
mod iam;
mod methods;
mod notifications;
mod pay;
mod portal;
mod properties;
mod refunds;
mod settle;
mod signin;
mod tokens;
mod webhooks;

use crate::state::AppState;
use axum::routing::{get, post, MethodRouter};
use axum::Router;

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
            "/billing/{account}/invoices/download",
            POST,
            post(documents::selected_download),
        ),
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
            "/billing/{account}/payments/{payment}/cancel",
            POST,
            post(pay::cancel),
        ),
        page(
            "/billing/{account}/payments/{payment}/authenticate",
            GET,
            get(pay::authenticate),
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
            "/billing/{account}/credit-notes/{credit_note}/pdf",
            GET,
            get(documents::credit_note_download),
        ),
        page(
            "/sandbox/3ds/{reference}",
            GET_POST,
            get(challenge::challenge).post(challenge::challenge_answer),
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
            "/billing/{account}/payment-methods/setup",
            POST,
            post(methods::begin_setup),
        ),
        page(
            "/billing/{account}/payment-methods/setup/finish",
            POST,
            post(methods::finish_setup),
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
            get(settle::settle_pane).post(settle::settle_submit),
        ),
        page(
            "/billing/{account}/settlements/{settlement}",
            GET,
            get(settle::settlement_outcome),
        ),
        page(
            "/billing/{account}/settlements/{settlement}/authenticate",
            GET,
            get(settle::settlement_authenticate),
        ),
        page(
            "/billing/{account}/settlements/{settlement}/return",
            GET,
            get(settle::settlement_returned),
        ),
        page("/billing/{account}/properties", GET, get(properties::show)),
        page(
            "/billing/{account}/properties/{profile}",
            POST,
            post(properties::save),
        ),
        page(
            "/billing/{account}/properties/{profile}/po-number",
            POST,
            post(properties::save_po_number),
        ),
        page(
            "/billing/{account}/sold-to",
            POST,
            post(properties::save_sold_to),
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
        page(
            "/billing/{account}/webhooks",
            GET_POST,
            get(webhooks::list).post(webhooks::create),
        ),
        page(
            "/billing/{account}/webhooks/{webhook}",
            GET,
            get(webhooks::show),
        ),
        page(
            "/billing/{account}/webhooks/{webhook}/rotate",
            POST,
            post(webhooks::rotate),
        ),
        page(
            "/billing/{account}/webhooks/{webhook}/delete",
            POST,
            post(webhooks::delete),
        ),
        page(
            "/billing/{account}/webhooks/{webhook}/deliveries/{delivery}/resend",
            POST,
            post(webhooks::resend),
        ),
        page("/help", GET, get(help::pane)),
        page("/help/feedback", POST, post(help::feedback)),
        page("/help/articles/{locale}/{slug}", GET, get(help::article)),
        page(
            "/help/requests",
            GET_POST,
            get(help::my_requests).post(help::create_request),
        ),
        page("/operator/support", GET, get(help::operator_requests)),
        page("/operator/help-learning", GET, get(help_learning::show)),
        page(
            "/operator/help-learning/reset",
            POST,
            post(help_learning::reset),
        ),
        page(
            "/operator/refunds",
            GET_POST,
            get(refunds::list).post(refunds::submit),
        ),
        page(
            "/operator/support/{id}",
            POST,
            post(help::operator_set_status),
        ),
        page(
            "/account/notifications",
            GET_POST,
            get(notifications::show).post(notifications::save),
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
        // The API reference: a page (the reader's language, the service's frame), for anyone.
        page("/api", GET, get(crate::api::openapi::page)),
    ]
}

pub fn router() -> Router<AppState> {
    route_table()
        .into_iter()
        .fold(Router::new(), |router, route| {
            router.route(route.path, route.handler)
        })
}
