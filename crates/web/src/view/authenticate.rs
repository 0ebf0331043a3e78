//! The page where the gateway's script (Stripe.js) runs a 3-D Secure check in the browser, for a
//! payment or a settlement, then opens the return path.

use crate::view::{render, BillingNav, Chrome};
use askama::Template;
use axum::response::Response;
use faktura_app::paying::BrowserAction;

#[derive(Template)]
#[template(path = "authenticate.html")]
struct AuthenticateTemplate {
    chrome: Chrome,
    nav: BillingNav,
    text: String,
    publishable_key: String,
    js_url: String,
    client_secret: String,
    return_path: String,
}

/// The check's page, with `text` saying what is being paid.
pub fn authenticate_page(
    chrome: Chrome,
    nav: BillingNav,
    text: String,
    action: BrowserAction,
) -> Response {
    render(&AuthenticateTemplate {
        chrome,
        nav,
        text,
        publishable_key: action.publishable_key,
        js_url: action.js_url,
        client_secret: action.client_secret,
        return_path: action.return_path,
    })
}
