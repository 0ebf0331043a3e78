//! Faktura's pay extension: `POST …/invoices/{invoice}/pay` with an optional `Idempotency-Key`.

use super::billing::{account_path, find_invoice, Scope};
use super::envelope::*;
use super::ApiCaller;
use crate::paying::{pay_with_saved_method, PayProblem};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use faktura_domain::*;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const PAYMENT_TYPE: &str = "Microsoft.Billing/billingAccounts/invoices/payments";
const MAX_KEY_LEN: usize = 255;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PayRequest {
    payment_method_id: String,
}

/// The API's name for a payment state.
fn status_name(state: PaymentState) -> &'static str {
    match state {
        PaymentState::Succeeded => "Succeeded",
        PaymentState::Failed => "Failed",
        PaymentState::RequiresAction => "RequiresAction",
        PaymentState::Processing | PaymentState::Unknown => "Processing",
    }
}

/// HTTP status for a payment resource: 200 done, 202 still going, 402 failed.
fn http_status(state: PaymentState) -> StatusCode {
    match state {
        PaymentState::Succeeded => StatusCode::OK,
        PaymentState::Failed => StatusCode::PAYMENT_REQUIRED,
        PaymentState::RequiresAction | PaymentState::Processing | PaymentState::Unknown => {
            StatusCode::ACCEPTED
        }
    }
}

pub fn payment_resource(payment: &Payment, invoice: &Invoice, base: &str) -> Value {
    let id = format!(
        "{}/invoices/{}/payments/{}",
        account_path(&payment.billing_account_id),
        invoice.id,
        payment.id
    );
    let next_action = match (&payment.next_action_url, payment.state) {
        (Some(url), PaymentState::RequiresAction) => {
            json!({"type": "RedirectToUrl", "url": format!("{base}{url}")})
        }
        _ => Value::Null,
    };
    resource(
        id,
        PAYMENT_TYPE,
        json!({
            "status": status_name(payment.state),
            "amount": amount(payment.amount),
            "invoiceId": format!("{}/invoices/{}", account_path(&payment.billing_account_id), invoice.id),
            "invoiceName": invoice.number,
            "paymentMethodId": payment.payment_method_id.as_ref().map(|m| m.as_str()),
            "failureReason": payment.failure_reason.map(|r| r.code()),
            "nextAction": next_action,
            "createdOn": timestamp(payment.created_at),
            "updatedOn": timestamp(payment.updated_at),
        }),
    )
}

/// `pm_…`, or a payment method link's full id ending in `/paymentMethodLinks/pm_…`.
fn method_id(raw: &str) -> Result<PaymentMethodId, ArmError> {
    let last = raw.rsplit('/').next().unwrap_or(raw);
    PaymentMethodId::parse(last).map_err(|_| {
        ArmError::bad_request(
            "InvalidPaymentMethodId",
            "paymentMethodId must be a payment method link id (pm_…)",
        )
        .with_target("paymentMethodId")
    })
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ArmError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| {
            !k.is_empty() && k.len() <= MAX_KEY_LEN && k.bytes().all(|b| (0x21..=0x7e).contains(&b))
        })
        .ok_or_else(|| {
            ArmError::bad_request(
                "InvalidIdempotencyKey",
                format!("Idempotency-Key must be 1–{MAX_KEY_LEN} printable ASCII characters"),
            )
            .with_target("Idempotency-Key")
        })?;
    Ok(Some(key.to_owned()))
}

fn json_response(status: StatusCode, body: String, replayed: bool) -> Response {
    let mut response = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// The pay operation's work once the request is valid: a status and a JSON body.
async fn pay(
    state: &AppState,
    caller: &ApiCaller,
    scope: &Scope,
    invoice: &Invoice,
    method: &PaymentMethod,
    base: &str,
) -> Result<(StatusCode, Value), ArmError> {
    let user = caller.user()?;
    let outcome =
        pay_with_saved_method(state, &scope.account, invoice, method, &user.id, None).await?;
    Ok(match outcome {
        Ok(payment) => (
            http_status(payment.state),
            payment_resource(&payment, invoice, base),
        ),
        Err(problem) => {
            let error = match problem {
                PayProblem::InProgress(open) => ArmError::new(StatusCode::CONFLICT, "PaymentInProgress", format!("payment {} for this invoice is still in progress; do not pay again", open.id)),
                PayProblem::AlreadyPaid(paid) => ArmError::new(StatusCode::CONFLICT, "InvoiceAlreadyPaid", format!("the invoice was paid by payment {}", paid.id)),
                PayProblem::NotPayable(status) => ArmError::new(StatusCode::CONFLICT, "InvoiceNotPayable", format!("the invoice's status is {}", status.code())),
                PayProblem::WireOnly => ArmError::new(StatusCode::UNPROCESSABLE_ENTITY, "CardPaymentNotAllowed", format!("pay this invoice by wire transfer with the reference {}", invoice.number)),
                PayProblem::MethodUnusable => ArmError::bad_request("PaymentMethodNotUsable", "the payment method is not an active, unexpired card of this invoice's billing profile").with_target("paymentMethodId"),
            };
            (error.status, error.body())
        }
    })
}

pub async fn pay_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path((ba, invoice)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
    body: Bytes,
) -> Result<Response, ArmError> {
    // Validation first: nothing is stored for a request that fails it.
    query.check_version()?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/json") {
        return Err(ArmError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "send the body as application/json",
        ));
    }
    let request: PayRequest = serde_json::from_slice(&body).map_err(|e| {
        ArmError::bad_request(
            "InvalidRequestContent",
            format!(
                "expected {{\"paymentMethodId\": \"pm_…\"}}: {}",
                e.to_string().chars().take(120).collect::<String>()
            ),
        )
    })?;
    let key = idempotency_key(&headers)?;
    let scope = Scope::load(&state, &caller, &ba).await?;
    let invoice = find_invoice(&state, &scope, &invoice).await?;
    if !scope
        .access
        .allows(Permission::PayInvoices, Some(&invoice.billing_profile_id))
    {
        return Err(ArmError::forbidden(
            "your role may view this invoice but not pay it",
        ));
    }
    let method_id = method_id(&request.payment_method_id)?;
    let method = state
        .store
        .payment_method(&scope.account.id, &method_id)
        .await?
        .filter(|m| m.billing_profile_id == invoice.billing_profile_id)
        .ok_or_else(|| {
            ArmError::bad_request(
                "PaymentMethodNotFound",
                "no such payment method on this invoice's billing profile",
            )
            .with_target("paymentMethodId")
        })?;
    let base = base_url(&headers);

    let Some(key) = key else {
        let (status, body) = pay(&state, &caller, &scope, &invoice, &method, &base).await?;
        return Ok(json_response(status, body.to_string(), false));
    };
    let caller_id = caller.idempotency_caller();
    let fingerprint = hex::encode(Sha256::digest(
        format!(
            "POST {}/invoices/{}/pay\n{}",
            account_path(&scope.account.id),
            invoice.id,
            method.id
        )
        .as_bytes(),
    ));
    match state
        .store
        .start_idempotent(&caller_id, &key, &fingerprint)
        .await?
    {
        faktura_store::IdempotencyStart::Replay { status, body } => Ok(json_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            body,
            true,
        )),
        faktura_store::IdempotencyStart::InProgress => Err(ArmError::new(
            StatusCode::CONFLICT,
            "IdempotencyKeyInUse",
            "a request with this Idempotency-Key is still being processed; retry later",
        )),
        faktura_store::IdempotencyStart::Mismatch => Err(ArmError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "IdempotencyKeyReused",
            "this Idempotency-Key was used with different parameters",
        )),
        faktura_store::IdempotencyStart::Started => {
            match pay(&state, &caller, &scope, &invoice, &method, &base).await {
                Ok((status, body)) => {
                    let body = body.to_string();
                    state
                        .store
                        .finish_idempotent(&caller_id, &key, status.as_u16(), &body)
                        .await?;
                    Ok(json_response(status, body, false))
                }
                Err(error) => {
                    // An internal failure: let the client retry with the same key. The store's
                    // one-open-payment rule still prevents a second charge.
                    if let Err(release) = state.store.abandon_idempotent(&caller_id, &key).await {
                        tracing::error!(%release, "could not release an idempotency key");
                    }
                    Err(error)
                }
            }
        }
    }
}

pub async fn get_payment(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path((ba, invoice, payment)): Path<(String, String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Response, ArmError> {
    query.check_version()?;
    let scope = Scope::load(&state, &caller, &ba).await?;
    let invoice = find_invoice(&state, &scope, &invoice).await?;
    let id = PaymentId::parse(&payment).map_err(|_| ArmError::not_found("payment"))?;
    let payment = state
        .store
        .payment(&scope.account.id, &id)
        .await?
        .filter(|p| p.invoice_id == invoice.id)
        .ok_or_else(|| ArmError::not_found("payment"))?;
    Ok(axum::Json(payment_resource(&payment, &invoice, &base_url(&headers))).into_response())
}
