//! `POST /gateway/stripe/webhook`: events from Stripe. The body is read raw (the signature is
//! over its exact bytes) and handed to `faktura_app::gateway_events::receive`. A forged, stale
//! or unreadable event is 400 (Stripe retries, a forger learns nothing); a store failure 500, so
//! that Stripe sends it again.

use super::envelope::ArmError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use faktura_app::gateway_events::{self, EventError, Received, WebhookRefusal};
use serde_json::{json, Value};

pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ArmError> {
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    match gateway_events::receive(&state.app, signature, &body).await {
        Ok(received) => Ok(Json(json!({
            "received": true,
            "result": match received {
                Received::Applied => "applied",
                Received::Duplicate => "duplicate",
                Received::Ignored => "ignored",
            },
        }))),
        Err(EventError::Refused(WebhookRefusal::NotConfigured)) => {
            Err(ArmError::not_found("webhook endpoint"))
        }
        Err(EventError::Refused(refusal)) => {
            tracing::warn!(%refusal, "gateway webhook refused");
            let code = match refusal {
                WebhookRefusal::Stale => "SignatureExpired",
                WebhookRefusal::BadEvent(_) => "EventUnreadable",
                _ => "SignatureInvalid",
            };
            Err(ArmError::new(
                StatusCode::BAD_REQUEST,
                code,
                "the event's signature is missing, wrong or too old, or the event is unreadable",
            ))
        }
        Err(EventError::Store(error)) => Err(ArmError::internal(error)),
    }
}
