//! Faktura's pay extension: `POST …/invoices/{invoice}/pay` with an optional `Idempotency-Key`.

use super::billing::{account_path, find_invoice, Scope};
use super::envelope::*;
use super::resources::{NextAction, PaymentProperties, Resource};
use super::ApiCaller;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use faktura_app::idempotency::{self, IdempotencyClaim, KeyTaken};
use faktura_app::paying::{self, CancelError, PayAmount, PayBlock, PayError, PayOrder, PayWith};
use faktura_domain::partial::PartialAmountError;
use faktura_domain::*;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const PAYMENT_TYPE: &str = "Microsoft.Billing/billingAccounts/invoices/payments";
const MAX_KEY_LEN: usize = 255;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PayRequest {
    payment_method_id: String,
    /// Part of the amount due (`{"currency", "value"}`, value a number or decimal text), where
    /// the account may pay part; absent: all that is due.
    #[serde(default)]
    amount: Option<AmountInput>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AmountInput {
    currency: String,
    value: Value,
}

/// The part asked for, in the invoice's currency; bad input is a 400 on `amount`.
fn requested_amount(input: Option<&AmountInput>, invoice: &Invoice) -> Result<PayAmount, ArmError> {
    let Some(input) = input else {
        return Ok(PayAmount::Due);
    };
    let invalid =
        |message: String| ArmError::bad_request("InvalidAmount", message).with_target("amount");
    let currency = invoice.currency();
    if !input.currency.eq_ignore_ascii_case(currency.code()) {
        return Err(invalid(format!(
            "the amount must be in the invoice's currency, {currency}"
        )));
    }
    let text = match &input.value {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        _ => String::new(),
    };
    match Money::parse_decimal(&text, currency) {
        Ok(amount) if amount.is_positive() => Ok(PayAmount::Part(amount)),
        _ => Err(invalid(format!(
            "the amount's value must be a positive number in {currency} with at most {} decimals",
            currency.exponent()
        ))),
    }
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
    let invoice_id = format!(
        "{}/invoices/{}",
        account_path(&payment.billing_account_id),
        invoice.id
    );
    let next_action = match (&payment.next_action_url, payment.state) {
        (Some(url), PaymentState::RequiresAction) => Some(NextAction {
            kind: "RedirectToUrl",
            url: format!("{base}{url}"),
        }),
        _ => None,
    };
    let resource = Resource::new(
        format!("{invoice_id}/payments/{}", payment.id),
        PAYMENT_TYPE,
        PaymentProperties {
            amount: payment.amount.into(),
            created_on: timestamp(payment.created_at),
            failure_reason: payment.failure_reason.map(|r| r.code()),
            invoice_id,
            invoice_name: invoice.number.clone(),
            next_action,
            payment_method_id: payment.payment_method_id.as_ref().map(|m| m.to_string()),
            status: status_name(payment.state),
            updated_on: timestamp(payment.updated_at),
        },
    );
    // Kept as a JSON value: idempotent replays store the body as it was sent.
    serde_json::to_value(resource).unwrap_or(Value::Null)
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

pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ArmError> {
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

pub(super) fn json_response(status: StatusCode, body: String, replayed: bool) -> Response {
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

/// What a pay request came to.
enum PayAnswer {
    /// A status and JSON body: the payment, or a refusal that is an outcome (kept under an
    /// idempotency key). `stored`: already kept under the request's key, with the payment.
    Answer {
        status: StatusCode,
        body: String,
        stored: bool,
    },
    /// Another request with the same idempotency key came first; nothing was done.
    KeyTaken,
}

/// The pay operation's work once the request is valid. With a `claim`, the key is claimed
/// with the payment attempt and the answer stored as the payment is settled, in the payment's
/// own transactions.
async fn pay(
    state: &AppState,
    caller: &ApiCaller,
    scope: &Scope,
    invoice: &Invoice,
    order: PayOrder,
    base: &str,
    claim: Option<&IdempotencyClaim>,
) -> Result<PayAnswer, ArmError> {
    let actor = caller.actor()?;
    let answer = |payment: &Payment| {
        (
            http_status(payment.state).as_u16(),
            payment_resource(payment, invoice, base).to_string(),
        )
    };
    let once = claim.map(|claim| paying::Once {
        claim,
        answer: &answer,
    });
    let paid =
        paying::pay_invoice_once(&state.app, &actor, scope, invoice, order, once.as_ref()).await;
    let error = match paid {
        Ok(payment) => {
            let (status, body) = answer(&payment);
            return Ok(PayAnswer::Answer {
                status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                body,
                stored: claim.is_some(),
            });
        }
        Err(PayError::KeyTaken) => return Ok(PayAnswer::KeyTaken),
        Err(PayError::Blocked(PayBlock::InProgress(open))) => ArmError::new(StatusCode::CONFLICT, "PaymentInProgress", format!("payment {} for this invoice is still in progress; do not pay again", open.id)),
        Err(PayError::Blocked(PayBlock::AlreadyPaid(paid))) => ArmError::new(StatusCode::CONFLICT, "InvoiceAlreadyPaid", format!("the invoice was paid by payment {}", paid.id)),
        Err(PayError::Blocked(PayBlock::NotPayable(status))) => ArmError::new(StatusCode::CONFLICT, "InvoiceNotPayable", format!("the invoice's status is {}", status.code())),
        Err(PayError::Blocked(PayBlock::WireOnly)) => ArmError::new(StatusCode::UNPROCESSABLE_ENTITY, "CardPaymentNotAllowed", format!("pay this invoice by wire transfer with the reference {}", invoice.number)),
        // Bad input, not an outcome: not kept under an idempotency key, so the client may
        // correct it and send again with the same key.
        Err(PayError::MethodNotFound) => return Err(not_found_method()),
        Err(PayError::MethodUnusable | PayError::MethodExpired | PayError::PrepaidRefused) => ArmError::bad_request("PaymentMethodNotUsable", "the payment method is not an active, unexpired card of this invoice's billing profile").with_target("paymentMethodId"),
        Err(PayError::PartialNotAllowed) => return Err(ArmError::new(StatusCode::CONFLICT, "PartialPaymentNotAllowed", "this invoice can only be paid in full: omit the amount").with_target("amount")),
        Err(PayError::Amount(problem)) => return Err(amount_refused(&problem)),
        Err(PayError::App(error)) => return Err(error.into()),
    };
    Ok(PayAnswer::Answer {
        status: error.status,
        body: error.body().to_string(),
        stored: false,
    })
}

/// A part the invoice cannot take now: bad input, not an outcome (not kept under a key).
fn amount_refused(problem: &PartialAmountError) -> ArmError {
    let code = match problem {
        PartialAmountError::BelowMinimum { .. } => "AmountBelowMinimum",
        PartialAmountError::AboveAmountDue { .. } => "AmountAboveAmountDue",
        PartialAmountError::Malformed(_) | PartialAmountError::WrongCurrency(_) => "InvalidAmount",
    };
    ArmError::bad_request(code, problem.to_string()).with_target("amount")
}

fn not_found_method() -> ArmError {
    ArmError::bad_request(
        "PaymentMethodNotFound",
        "no such payment method on this invoice's billing profile",
    )
    .with_target("paymentMethodId")
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
    let scope = caller.scope(&state, &ba).await?;
    let invoice = find_invoice(&state, &scope, &invoice).await?;
    if paying::require_pay(&scope, &invoice).is_err() {
        return Err(ArmError::forbidden(
            "your role may view this invoice but not pay it",
        ));
    }
    let method_id = method_id(&request.payment_method_id)?;
    let amount = requested_amount(request.amount.as_ref(), &invoice)?;
    let order = || PayOrder {
        with: PayWith::Saved(method_id.clone()),
        amount,
    };
    let base = base_url(&headers);

    let Some(key) = key else {
        return match pay(&state, &caller, &scope, &invoice, order(), &base, None).await? {
            PayAnswer::Answer { status, body, .. } => Ok(json_response(status, body, false)),
            PayAnswer::KeyTaken => Err(ArmError::internal("a key was taken without a key")),
        };
    };
    let fingerprint = hex::encode(Sha256::digest(
        format!(
            "POST {}/invoices/{}/pay\n{}{}",
            account_path(&scope.account.id),
            invoice.id,
            method_id,
            // Paying all that is due keeps the fingerprint keys stored before part payments had.
            match amount {
                PayAmount::Due => String::new(),
                PayAmount::Part(part) => format!("\n{}", part.to_decimal_string()),
            }
        )
        .as_bytes(),
    ));
    let claim = IdempotencyClaim {
        caller: caller.idempotency_caller(),
        key,
        request_hash: fingerprint,
    };
    // A read first: a key used before answers as it did, without any work.
    if let Some(taken) = idempotency::taken(&state.app, &claim).await? {
        return Ok(key_taken(taken));
    }
    let answer = pay(
        &state,
        &caller,
        &scope,
        &invoice,
        order(),
        &base,
        Some(&claim),
    )
    .await?;
    match answer {
        PayAnswer::Answer {
            status,
            body,
            stored: true,
        } => Ok(json_response(status, body, false)),
        // A refusal decided before any attempt was recorded: kept under the key now, unless
        // another request with the key came first.
        PayAnswer::Answer {
            status,
            body,
            stored: false,
        } => match idempotency::store_answer(&state.app, &claim, status.as_u16(), &body).await? {
            Ok(()) => Ok(json_response(status, body, false)),
            Err(taken) => Ok(key_taken(taken)),
        },
        PayAnswer::KeyTaken => Ok(key_taken(idempotency::taken_now(&state.app, &claim).await?)),
    }
}

/// The answer for a key used before: its stored answer again, or why there is none.
fn key_taken(taken: KeyTaken) -> Response {
    match taken {
        KeyTaken::Replay { status, body } => json_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            body,
            true,
        ),
        KeyTaken::InProgress => ArmError::new(
            StatusCode::CONFLICT,
            "IdempotencyKeyInUse",
            "a request with this Idempotency-Key is still being processed; retry later",
        )
        .into_response(),
        KeyTaken::Mismatch => ArmError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "IdempotencyKeyReused",
            "this Idempotency-Key was used with different parameters",
        )
        .into_response(),
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
    let (_, invoice, payment) = invoice_payment(&state, &caller, &ba, &invoice, &payment).await?;
    Ok(axum::Json(payment_resource(&payment, &invoice, &base_url(&headers))).into_response())
}

/// The account's scope, the invoice (by id or number) and one of its payments.
async fn invoice_payment(
    state: &AppState,
    caller: &ApiCaller,
    ba: &str,
    invoice: &str,
    payment: &str,
) -> Result<(Scope, Invoice, Payment), ArmError> {
    let scope = caller.scope(state, ba).await?;
    let invoice = find_invoice(state, &scope, invoice).await?;
    let (payment, _) = paying::payment(&state.app, &scope, payment).await?;
    if payment.invoice_id != invoice.id {
        return Err(ArmError::not_found("payment"));
    }
    Ok((scope, invoice, payment))
}

/// Cancels an attempt waiting for 3-D Secure; the payment as it stands afterwards (Failed with
/// `AuthenticationAbandoned`, or Succeeded when the challenge was passed first).
pub async fn cancel_payment(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path((ba, invoice, payment)): Path<(String, String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Response, ArmError> {
    query.check_version()?;
    let (scope, invoice, _) = invoice_payment(&state, &caller, &ba, &invoice, &payment).await?;
    let actor = caller.actor()?;
    match paying::cancel_attempt(&state.app, &actor, &scope, &payment).await {
        Ok(settled) => Ok(
            axum::Json(payment_resource(&settled, &invoice, &base_url(&headers))).into_response(),
        ),
        Err(CancelError::NotAwaitingAuthentication(open)) => Err(ArmError::new(
            StatusCode::CONFLICT,
            "PaymentNotAwaitingAuthentication",
            format!(
                "payment {} is {}, not waiting for 3-D Secure",
                open.id,
                status_name(open.state)
            ),
        )),
        Err(CancelError::GatewayUnavailable) => Err(ArmError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "GatewayUnavailable",
            "the payment gateway did not confirm the cancellation; nothing changed, try again",
        )),
        Err(CancelError::App(error)) => Err(error.into()),
    }
}
