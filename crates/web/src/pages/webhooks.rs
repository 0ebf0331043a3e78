//! Webhooks (Settings › Webhooks): the account owners' endpoints, registering one (its secret
//! shown once), an endpoint's delivery log with resend, secret rotation and removal: the
//! portal's adapter for `faktura_app::webhooks`, as the API is the other.

use crate::context::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use faktura_app::webhooks::{self, Endpoint, WebhookError, EVENT_TYPES};
use faktura_app::{AccountScope, AppError as Refusal};
use faktura_domain::Permission;

pub struct EndpointRow {
    pub id: String,
    pub url: String,
    pub types: String,
    pub state: String,
    pub enabled: bool,
    pub created: String,
}

pub struct AttemptRow {
    pub delivery: String,
    pub time: String,
    pub event: String,
    pub attempt: i64,
    pub status: String,
    pub latency: String,
    pub response: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksTemplate {
    chrome: Chrome,
    nav: BillingNav,
    rows: Vec<EndpointRow>,
    types: Vec<(&'static str, String, bool)>,
    url: String,
    secret: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct WebhookTemplate {
    chrome: Chrome,
    nav: BillingNav,
    endpoint: EndpointRow,
    attempts: Vec<AttemptRow>,
    secret: Option<String>,
}

fn event_label(chrome: &Chrome, kind: &str) -> String {
    chrome.tr.t(&format!("event-{}", kind.replace('.', "-")))
}

fn row(chrome: &Chrome, endpoint: Endpoint) -> EndpointRow {
    let tr = &chrome.tr;
    let types = if endpoint.event_types.iter().any(|t| t == "*") {
        tr.t("webhooks-all-events")
    } else {
        endpoint
            .event_types
            .iter()
            .map(|t| event_label(chrome, t))
            .collect::<Vec<_>>()
            .join(", ")
    };
    EndpointRow {
        state: if endpoint.enabled {
            tr.t("webhooks-enabled")
        } else {
            tr.t1(
                "webhooks-disabled",
                "reason",
                endpoint.disabled_reason.unwrap_or_default(),
            )
        },
        enabled: endpoint.enabled,
        created: tr.date(endpoint.created_at.date_naive()),
        id: endpoint.id,
        url: endpoint.url,
        types,
    }
}

/// The 403 page of a person who may not manage webhooks here, inside the service.
fn refused_here(
    chrome: &Chrome,
    scope: &AccountScope,
    reason: &'static str,
) -> Result<Response, AppError> {
    refusal(
        chrome,
        scope,
        Permission::EditProperties,
        None,
        "action-manage-webhooks",
    )
    .ok_or(AppError::Forbidden(reason))
}

async fn list_page(
    state: &AppState,
    signed_in: &SignedIn,
    account: &str,
    form: (String, Vec<String>),
    secret: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(state, account).await?;
    let base = format!("/billing/{}/webhooks", scope.account.id);
    let chrome = Chrome::new(state, &signed_in.ctx, &base);
    let endpoints = match webhooks::list(&state.app, &scope).await {
        Ok(endpoints) => endpoints,
        Err(Refusal::NotAllowed { reason }) => return refused_here(&chrome, &scope, reason),
        Err(other) => return Err(other.into()),
    };
    let rows = endpoints.into_iter().map(|e| row(&chrome, e)).collect();
    let types = EVENT_TYPES
        .iter()
        .map(|t| (*t, event_label(&chrome, t), form.1.iter().any(|c| c == t)))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render_with(
        status,
        &WebhooksTemplate {
            nav: scope.nav("webhooks", None, base.clone()),
            chrome,
            rows,
            types,
            url: form.0,
            secret,
            error,
        },
    ))
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
) -> Result<Response, AppError> {
    list_page(&state, &signed_in, &account, Default::default(), None, None).await
}

/// The form: `url` and any number of `event` checkboxes (none: every event).
fn form_fields(body: &str) -> (String, Vec<String>) {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(body).unwrap_or_default();
    let url = pairs
        .iter()
        .find(|(k, _)| k == "url")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let events = pairs
        .into_iter()
        .filter(|(k, _)| k == "event")
        .map(|(_, v)| v)
        .collect();
    (url, events)
}

pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let (url, events) = form_fields(&body);
    let tr = crate::i18n::Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let key = match webhooks::create(&state.app, &scope, &url, &events).await {
        // The secret is shown in this answer only.
        Ok(endpoint) => {
            return list_page(
                &state,
                &signed_in,
                &account,
                Default::default(),
                Some(endpoint.secret),
                None,
            )
            .await
        }
        Err(WebhookError::App(error)) => match error {
            Refusal::NotAllowed { .. } => {
                return list_page(&state, &signed_in, &account, Default::default(), None, None)
                    .await
            }
            other => return Err(other.into()),
        },
        Err(WebhookError::BadUrl) => "webhooks-error-url",
        Err(WebhookError::Unresolvable) => "webhooks-error-unresolvable",
        Err(WebhookError::InternalAddress(_)) => "webhooks-error-internal",
        Err(WebhookError::UnknownEventType(_)) => "webhooks-error-event",
        Err(WebhookError::TooMany) => "webhooks-error-too-many",
    };
    list_page(
        &state,
        &signed_in,
        &account,
        (url, events),
        None,
        Some(tr.t(key)),
    )
    .await
}

async fn endpoint_page(
    state: &AppState,
    signed_in: &SignedIn,
    account: &str,
    id: &str,
    secret: Option<String>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(state, account).await?;
    let base = format!("/billing/{}/webhooks", scope.account.id);
    let chrome = Chrome::new(state, &signed_in.ctx, &base);
    let endpoint = match webhooks::get(&state.app, &scope, id).await {
        Ok(endpoint) => endpoint,
        Err(Refusal::NotAllowed { reason }) => return refused_here(&chrome, &scope, reason),
        Err(other) => return Err(other.into()),
    };
    let tr = &chrome.tr;
    let attempts = webhooks::attempts(&state.app, &scope, id)
        .await?
        .into_iter()
        .map(|a| AttemptRow {
            time: time_text(tr, a.at),
            event: event_label(&chrome, &a.event_kind),
            attempt: a.attempt,
            status: a
                .status
                .map(|s| s.to_string())
                .unwrap_or_else(|| tr.t("webhooks-no-answer")),
            latency: format!("{} ms", a.latency_ms),
            response: a.detail,
            state: tr.t(&format!("webhooks-delivery-{}", a.delivery_state)),
            delivery: a.delivery_id,
        })
        .collect();
    Ok(render_with(
        StatusCode::OK,
        &WebhookTemplate {
            nav: scope
                .nav("webhooks", None, base.clone())
                .crumb_text(&endpoint.url, ""),
            endpoint: row(&chrome, endpoint),
            chrome,
            attempts,
            secret,
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    endpoint_page(&state, &signed_in, &account, &id, None).await
}

pub async fn rotate(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    match webhooks::rotate(&state.app, &scope, &id).await {
        Ok(endpoint) => {
            endpoint_page(&state, &signed_in, &account, &id, Some(endpoint.secret)).await
        }
        Err(Refusal::NotAllowed { .. }) => {
            endpoint_page(&state, &signed_in, &account, &id, None).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    match webhooks::delete(&state.app, &scope, &id).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/billing/{}/webhooks", scope.account.id)).into_response())
        }
        Err(Refusal::NotAllowed { .. }) => {
            list_page(&state, &signed_in, &account, Default::default(), None, None).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn resend(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, id, delivery)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    match webhooks::resend(&state.app, &scope, &id, &delivery).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/billing/{}/webhooks/{id}", scope.account.id)).into_response(),
        ),
        Err(Refusal::NotAllowed { .. }) => {
            endpoint_page(&state, &signed_in, &account, &id, None).await
        }
        Err(other) => Err(other.into()),
    }
}
