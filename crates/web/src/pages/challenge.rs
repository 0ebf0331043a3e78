//! The sandbox's own 3-D Secure challenge page (Stripe runs the bank's check in Stripe.js
//! instead): pass or fail it, then back to where the charge said.

use crate::context::RequestContext;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "challenge.html")]
struct ChallengeTemplate {
    chrome: Chrome,
    reference: String,
    amount: String,
    /// A card being added (a zero-amount setup), not a payment.
    is_setup: bool,
}

pub async fn challenge(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(reference): Path<String>,
) -> Result<Response, AppError> {
    let sandbox = state.sandbox.as_ref().ok_or(AppError::NotFound)?;
    let pending = sandbox.challenge(&reference).ok_or(AppError::NotFound)?;
    let chrome = Chrome::new(&state, &ctx, &format!("/sandbox/3ds/{reference}"));
    let amount = chrome.tr.money(pending.charge.amount);
    Ok(render(&ChallengeTemplate {
        chrome,
        reference,
        amount,
        is_setup: !pending.charge.amount.is_positive(),
    }))
}

#[derive(Deserialize)]
pub struct ChallengeForm {
    #[serde(default)]
    result: String,
}

pub async fn challenge_answer(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Form(form): Form<ChallengeForm>,
) -> Result<Response, AppError> {
    let sandbox = state.sandbox.as_ref().ok_or(AppError::NotFound)?;
    let passed = match form.result.as_str() {
        "complete" => true,
        "fail" => false,
        _ => return Err(AppError::BadRequest("result must be complete or fail")),
    };
    let resolved = sandbox
        .resolve_challenge(&reference, passed)
        .ok_or(AppError::NotFound)?;
    // The return URL is our own path, set when the charge was made.
    if !resolved.return_url.starts_with('/') || resolved.return_url.starts_with("//") {
        return Err(AppError::BadRequest("bad return address"));
    }
    Ok(Redirect::to(&resolved.return_url).into_response())
}
