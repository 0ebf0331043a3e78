//! Cards entered in the browser with the gateway's own fields (Stripe.js): begin a setup (the
//! answer carries what Stripe.js needs), complete it once the browser confirmed it, and detach
//! a card. Faktura's server only ever sees the gateway's ids. The adapter for
//! `faktura_app::hosted_cards` and `faktura_app::cards::detach`.

use super::envelope::*;
use super::resources::*;
use super::ApiCaller;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use faktura_app::cards::{self, CardError, DetachRefusal};
use faktura_app::hosted_cards::{self, SetupFinished};
use faktura_domain::*;
use serde_json::json;

fn card_error(error: CardError) -> ArmError {
    match error {
        CardError::NotAllowed(_) => {
            ArmError::forbidden("your role may not manage this billing profile's payment methods")
        }
        CardError::Prepaid => ArmError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "PrepaidCardRefused",
            "prepaid cards are refused",
        ),
        CardError::Refused(reason) => ArmError::new(
            StatusCode::PAYMENT_REQUIRED,
            "CardRefused",
            format!("the card was refused: {}", reason.code()),
        ),
        CardError::GatewayUnavailable => ArmError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "GatewayUnavailable",
            "the payment gateway cannot be reached; nothing was saved",
        ),
        CardError::ReplacedGone => ArmError::new(
            StatusCode::CONFLICT,
            "PaymentMethodGone",
            "the card being replaced is no longer active",
        ),
        CardError::Detach(refusal) => detach_error(refusal),
        CardError::App(error) => error.into(),
    }
}

fn detach_error(refusal: DetachRefusal) -> ArmError {
    let message = match refusal {
        DetachRefusal::NotFound => return ArmError::not_found("payment method"),
        DetachRefusal::DefaultWithUnpaidInvoices(n) => {
            format!("the card is the profile's default and the profile has {n} unpaid invoices")
        }
        DetachRefusal::LastCardOfPayAsYouGo => {
            "the only card of a pay-as-you-go account cannot be detached".to_owned()
        }
        DetachRefusal::InUse => "a payment with this card is still being processed".to_owned(),
    };
    ArmError::new(StatusCode::CONFLICT, "PaymentMethodNotDetachable", message)
}

fn profile_id(raw: &str) -> Result<BillingProfileId, ArmError> {
    BillingProfileId::parse(raw).map_err(|_| ArmError::not_found("billing profile"))
}

/// `POST …/billingProfiles/{bp}/paymentMethodSetups`: a setup for Stripe.js to confirm.
pub async fn begin_setup(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Response, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let actor = caller.actor()?;
    let setup = hosted_cards::begin_card_setup(&state.app, &actor, &scope, &profile_id(&bp)?)
        .await
        .map_err(card_error)?;
    let body = json!({
        "id": setup.setup,
        "clientSecret": setup.client_secret,
        "publishableKey": setup.publishable_key,
        "stripeJsUrl": setup.js_url,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `POST …/paymentMethodSetups/{setup}/complete`: saves the card of a confirmed setup.
pub async fn complete_setup(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp, setup)): Path<(String, String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Response, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let actor = caller.actor()?;
    let profile = profile_id(&bp)?;
    match hosted_cards::finish_card_setup(&state.app, &actor, &scope, &profile, &setup, None)
        .await
        .map_err(card_error)?
    {
        SetupFinished::Saved(method) => {
            Ok((StatusCode::CREATED, Json(payment_method_resource(&method))).into_response())
        }
        SetupFinished::Waiting => Ok((
            StatusCode::ACCEPTED,
            Json(json!({"id": setup, "status": "RequiresAction"})),
        )
            .into_response()),
    }
}

/// `DELETE …/billingProfiles/{bp}/paymentMethodLinks/{pm}`: detaches the card (at the
/// gateway too).
pub async fn detach(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp, pm)): Path<(String, String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Response, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let actor = caller.actor()?;
    let method = PaymentMethodId::parse(&pm).map_err(|_| ArmError::not_found("payment method"))?;
    cards::detach(&state.app, &actor, &scope, &profile_id(&bp)?, &method)
        .await
        .map_err(card_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
