//! Webhook endpoints (Faktura extension): account owners register, list, rotate and remove
//! them, read an endpoint's delivery log and resend a delivery; the operator registers
//! endpoints for every account. The adapter for `faktura_app::webhooks`.

use super::envelope::*;
use super::operator::Operator;
use super::ApiCaller;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use faktura_app::webhooks::{self, Attempt, Endpoint, WebhookError};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointBody {
    url: String,
    #[serde(default)]
    event_types: Vec<String>,
}

/// An endpoint as the API shows it; `secret` only when it was just made or rotated.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointJson {
    id: String,
    url: String,
    event_types: Vec<String>,
    enabled: bool,
    disabled_reason: Option<String>,
    created_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_secret_valid_until: Option<String>,
}

fn endpoint_json(endpoint: Endpoint, show_secret: bool) -> EndpointJson {
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    EndpointJson {
        id: endpoint.id,
        url: endpoint.url,
        event_types: endpoint.event_types,
        enabled: endpoint.enabled,
        disabled_reason: endpoint.disabled_reason,
        created_on: stamp(endpoint.created_at),
        secret: show_secret.then_some(endpoint.secret),
        previous_secret_valid_until: endpoint
            .previous_secret
            .and(endpoint.previous_secret_until)
            .map(stamp),
    }
}

#[derive(Serialize)]
pub struct ListJson<T> {
    value: Vec<T>,
}

impl From<WebhookError> for ArmError {
    fn from(error: WebhookError) -> Self {
        match error {
            WebhookError::App(error) => error.into(),
            WebhookError::BadUrl => {
                ArmError::bad_request("InvalidUrl", error.to_string()).with_target("url")
            }
            WebhookError::Unresolvable => {
                ArmError::bad_request("UnresolvableHost", error.to_string()).with_target("url")
            }
            WebhookError::InternalAddress(_) => {
                ArmError::bad_request("InternalAddress", error.to_string()).with_target("url")
            }
            WebhookError::UnknownEventType(_) => {
                ArmError::bad_request("UnknownEventType", error.to_string())
                    .with_target("eventTypes")
            }
            WebhookError::TooMany => {
                ArmError::new(StatusCode::CONFLICT, "TooManyEndpoints", error.to_string())
            }
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
    ArmJson(body): ArmJson<EndpointBody>,
) -> Result<(StatusCode, Json<EndpointJson>), ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let endpoint = webhooks::create(&state.app, &scope, &body.url, &body.event_types).await?;
    Ok((StatusCode::CREATED, Json(endpoint_json(endpoint, true))))
}

pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<ListJson<EndpointJson>>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let value = webhooks::list(&state.app, &scope)
        .await?
        .into_iter()
        .map(|e| endpoint_json(e, false))
        .collect();
    Ok(Json(ListJson { value }))
}

pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, id)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<StatusCode, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    webhooks::delete(&state.app, &scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn rotate(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, id)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<EndpointJson>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let endpoint = webhooks::rotate(&state.app, &scope, &id).await?;
    Ok(Json(endpoint_json(endpoint, true)))
}

/// One attempt in an endpoint's delivery log.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptJson {
    delivery_id: String,
    event_id: String,
    event_type: String,
    delivery_state: String,
    attempt: i64,
    attempted_on: String,
    http_status: Option<i64>,
    latency_ms: i64,
    response: String,
}

fn attempt_json(attempt: Attempt) -> AttemptJson {
    AttemptJson {
        delivery_id: attempt.delivery_id,
        event_id: attempt.event_id,
        event_type: attempt.event_kind,
        delivery_state: attempt.delivery_state,
        attempt: attempt.attempt,
        attempted_on: attempt
            .at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        http_status: attempt.status,
        latency_ms: attempt.latency_ms,
        response: attempt.detail,
    }
}

pub async fn attempts(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, id)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<ListJson<AttemptJson>>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let value = webhooks::attempts(&state.app, &scope, &id)
        .await?
        .into_iter()
        .map(attempt_json)
        .collect();
    Ok(Json(ListJson { value }))
}

pub async fn resend(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, id, delivery)): Path<(String, String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<StatusCode, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    webhooks::resend(&state.app, &scope, &id, &delivery).await?;
    Ok(StatusCode::ACCEPTED)
}

pub async fn operator_create(
    State(state): State<AppState>,
    _operator: Operator,
    ArmJson(body): ArmJson<EndpointBody>,
) -> Result<(StatusCode, Json<EndpointJson>), ArmError> {
    let endpoint = webhooks::operator_create(&state.app, &body.url, &body.event_types).await?;
    Ok((StatusCode::CREATED, Json(endpoint_json(endpoint, true))))
}

pub async fn operator_list(
    State(state): State<AppState>,
    _operator: Operator,
) -> Result<Json<ListJson<EndpointJson>>, ArmError> {
    let value = webhooks::operator_list(&state.app)
        .await?
        .into_iter()
        .map(|e| endpoint_json(e, false))
        .collect();
    Ok(Json(ListJson { value }))
}
