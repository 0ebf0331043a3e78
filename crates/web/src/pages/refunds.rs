//! The operator's refund page: the newest succeeded payments with what is left to refund of
//! each, and a form per payment (amount, reason) that refunds through the gateway and issues
//! the credit note. Operators only; the rules are in `faktura_app::refunds`.

use crate::context::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use faktura_app::refunds::{self, RefundError, RefundInput};
use serde::Deserialize;

/// How many recent payments the page lists.
const LISTED: u32 = 100;

pub struct PaymentRow {
    pub account: String,
    pub id: String,
    pub date: String,
    pub amount: String,
    pub left: String,
    pub refundable: bool,
    /// A late charge: a failed payment the gateway charged after all, to give back.
    pub late: bool,
    /// This form's own key: sent twice, it refunds once.
    pub form_key: String,
}

#[derive(Template)]
#[template(path = "operator_refunds.html")]
struct RefundsTemplate {
    chrome: Chrome,
    rows: Vec<PaymentRow>,
    /// What the last refund came to (a success with its credit note, or why not).
    outcome: Option<(bool, String)>,
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    outcome: Option<(bool, String)>,
) -> Result<Response, AppError> {
    let payments = refunds::refundable_payments(&state.app, &signed_in.actor(), LISTED).await?;
    let chrome = Chrome::new(state, &signed_in.ctx, "/operator/refunds");
    let tr = &chrome.tr;
    let rows = payments
        .iter()
        .map(|(payment, left)| PaymentRow {
            account: payment.billing_account_id.to_string(),
            id: payment.id.to_string(),
            date: tr.date(payment.updated_at.date_naive()),
            amount: tr.money(payment.amount),
            left: tr.money(*left),
            refundable: left.is_positive(),
            late: payment.state == faktura_domain::PaymentState::Failed,
            form_key: form_key(),
        })
        .collect();
    let status = match &outcome {
        Some((false, _)) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    Ok(render_with(
        status,
        &RefundsTemplate {
            rows,
            outcome,
            chrome,
        },
    ))
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    page(&state, &signed_in, None).await
}

/// A fresh random key for one form on the page.
fn form_key() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

#[derive(Deserialize)]
pub struct RefundForm {
    #[serde(default)]
    account: String,
    #[serde(default)]
    payment: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
    /// The form's key ([`form_key`]); absent from a form not made by this page.
    #[serde(default)]
    form: String,
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<RefundForm>,
) -> Result<Response, AppError> {
    let input = RefundInput {
        account: form.account,
        payment: form.payment,
        amount: Some(form.amount),
        reason: Some(form.reason),
        // Typed by a person: "100,50" is a hundred kroner fifty øre in Danish.
        locale: Some(signed_in.ctx.locale),
    };
    let tr = Chrome::new(&state, &signed_in.ctx, "/operator/refunds").tr;
    let actor = signed_in.actor();
    let refunded = if form.form.is_empty() {
        refunds::refund_as_operator(&state.app, &actor, &input).await
    } else {
        let key: String = form.form.chars().take(64).collect();
        refunds::refund_as_operator_once(&state.app, &actor, &input, &key).await
    };
    let outcome = match refunded {
        Ok(done) => match (&done.credit_note, done.refund.state) {
            (Some(note), _) => (
                true,
                tr.tn(
                    "refund-done",
                    &[
                        ("amount", tr.money(done.refund.amount)),
                        ("number", note.number.clone()),
                    ],
                ),
            ),
            (None, faktura_domain::RefundState::Pending) => (true, tr.t("refund-pending")),
            // A late charge's refund: the invoice never took the money, so no credit note.
            (None, faktura_domain::RefundState::Succeeded) => (
                true,
                tr.t1(
                    "refund-done-late-charge",
                    "amount",
                    tr.money(done.refund.amount),
                ),
            ),
            (None, _) => (false, tr.t("refund-failed")),
        },
        Err(RefundError::App(error)) => return Err(error.into()),
        Err(error) => (false, tr.t(&format!("refund-error-{}", error.code()))),
    };
    page(&state, &signed_in, Some(outcome)).await
}
