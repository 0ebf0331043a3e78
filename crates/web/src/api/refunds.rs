//! Refunds: the operator's `POST …/payments/{payment}/refunds` (optionally under an
//! `Idempotency-Key`). Credit notes as customers read them are in `credit_notes.rs`.

use super::envelope::*;
use super::operator::Operator;
use super::pay::{idempotency_key, json_response};
use super::resources::*;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use faktura_app::idempotency::{self, KeyTaken};
use faktura_app::refunds::{self, RefundError, RefundInput, Refunded};
use faktura_domain::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The operator's refusals in the API's shape, each with its stable code.
impl From<RefundError> for ArmError {
    fn from(error: RefundError) -> Self {
        let code = error.code();
        match error {
            RefundError::PaymentNotFound => ArmError::new(
                StatusCode::NOT_FOUND,
                code,
                "no such payment on this billing account",
            ),
            RefundError::NotSucceeded(_) | RefundError::Exceeds { .. } => {
                ArmError::new(StatusCode::CONFLICT, code, error.to_string())
            }
            RefundError::InvalidAmount(_) => {
                ArmError::bad_request(code, error.to_string()).with_target("amount")
            }
            RefundError::InvalidReason => {
                ArmError::bad_request(code, error.to_string()).with_target("reason")
            }
            // The page's form keys; the API has its own Idempotency-Key answers.
            RefundError::InProgress | RefundError::FormReused => {
                ArmError::new(StatusCode::CONFLICT, code, error.to_string())
            }
            RefundError::App(error) => error.into(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundBody {
    /// Decimal text in the payment's currency ("250.00"); absent: all that is left.
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// The credit note a refund issued, as the refund names it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreditNoteRef {
    id: String,
    name: String,
    number: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefundJson {
    amount: Amount,
    created_on: String,
    credit_note: Option<CreditNoteRef>,
    failure_reason: Option<String>,
    gateway_reference: Option<String>,
    id: String,
    invoice_id: String,
    payment_id: String,
    reason: String,
    status: &'static str,
}

fn refund_json(refunded: &Refunded) -> RefundJson {
    let refund = &refunded.refund;
    let account = account_path(&refund.billing_account_id);
    RefundJson {
        amount: refund.amount.into(),
        created_on: timestamp(refund.created_at),
        credit_note: refunded.credit_note.as_ref().map(|note| CreditNoteRef {
            id: format!("{account}/invoices/{}", note.id),
            name: note.id.to_string(),
            number: note.number.clone(),
        }),
        failure_reason: refund.failure_reason.clone(),
        gateway_reference: refund.gateway_reference.clone(),
        id: refund.id.to_string(),
        invoice_id: format!("{account}/invoices/{}", refund.invoice_id),
        payment_id: refund.payment_id.to_string(),
        reason: refund.reason.clone(),
        status: refund.state.code(),
    }
}

/// 201 refunded (with the credit note), 202 pending (the gateway's answer is not in yet; the
/// janitor settles it), 402 the gateway refused.
fn status_of(state: RefundState) -> StatusCode {
    match state {
        RefundState::Succeeded => StatusCode::CREATED,
        RefundState::Pending => StatusCode::ACCEPTED,
        RefundState::Failed => StatusCode::PAYMENT_REQUIRED,
    }
}

async fn refund(
    state: &AppState,
    operator: &Operator,
    input: &RefundInput,
) -> Result<(StatusCode, String), ArmError> {
    let refunded = refunds::refund_payment(&state.app, operator.user(), None, input).await?;
    let body = serde_json::to_string(&refund_json(&refunded)).map_err(ArmError::internal)?;
    Ok((status_of(refunded.refund.state), body))
}

pub async fn refund_payment(
    State(state): State<AppState>,
    operator: Operator,
    headers: HeaderMap,
    Path((ba, payment)): Path<(String, String)>,
    ArmJson(body): ArmJson<RefundBody>,
) -> Result<Response, ArmError> {
    let key = idempotency_key(&headers)?;
    let input = RefundInput {
        account: ba,
        payment,
        amount: body.amount,
        reason: body.reason,
        locale: None,
    };
    let Some(key) = key else {
        let (status, body) = refund(&state, &operator, &input).await?;
        return Ok(json_response(status, body, false));
    };
    let fingerprint = hex::encode(Sha256::digest(
        serde_json::json!([
            "POST refunds",
            input.account,
            input.payment,
            input.amount,
            input.reason
        ])
        .to_string()
        .as_bytes(),
    ));
    let caller = operator.idempotency_caller();
    let ran = idempotency::run_once(&state.app, &caller, &key, &fingerprint, || async {
        let (status, body) = refund(&state, &operator, &input).await?;
        Ok::<_, ArmError>((status.as_u16(), body))
    })
    .await?;
    let code = |status: u16| StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    match ran {
        Ok((status, body)) => Ok(json_response(code(status), body, false)),
        Err(KeyTaken::Replay { status, body }) => Ok(json_response(code(status), body, true)),
        Err(KeyTaken::InProgress) => Err(ArmError::new(
            StatusCode::CONFLICT,
            "IdempotencyKeyInUse",
            "a request with this Idempotency-Key is still being processed; retry later",
        )),
        Err(KeyTaken::Mismatch) => Err(ArmError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "IdempotencyKeyReused",
            "this Idempotency-Key was used with different parameters",
        )),
    }
}
