//! Personal access tokens for the API, from the user menu: create (shown once), list, revoke.

use crate::error::AppError;
use crate::session::SignedIn;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Duration;
use faktura_store::NewAuditEvent;
use serde::Deserialize;

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub state: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensTemplate {
    chrome: Chrome,
    rows: Vec<TokenRow>,
    created: Option<String>,
    error: Option<String>,
    name: String,
}

const EXPIRY_CHOICES: [&str; 4] = ["30", "90", "365", "never"];

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    created: Option<String>,
    error: Option<String>,
    name: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(state, &signed_in.ctx, "/account/tokens");
    let now = chrono::Utc::now();
    let rows = state
        .app
        .store
        .api_tokens_for(&signed_in.user.id)
        .await?
        .into_iter()
        .map(|t| {
            let expired = t.expires_at.is_some_and(|at| at <= now);
            let state_key = if t.revoked_at.is_some() {
                "tokens-state-revoked"
            } else if expired {
                "tokens-state-expired"
            } else {
                "tokens-state-active"
            };
            TokenRow {
                active: t.revoked_at.is_none() && !expired,
                state: chrome.tr.t(state_key),
                expires: t
                    .expires_at
                    .map(|at| chrome.tr.date(at.date_naive()))
                    .unwrap_or_else(|| chrome.tr.t("tokens-never")),
                created: chrome.tr.date(t.created_at.date_naive()),
                id: t.id,
                name: t.name,
            }
        })
        .collect();
    Ok(render_with(
        status,
        &TokensTemplate {
            chrome,
            rows,
            created,
            error,
            name,
        },
    ))
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    page(
        &state,
        &signed_in,
        None,
        None,
        String::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires: String,
}

pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<CreateForm>,
) -> Result<Response, AppError> {
    let name = form.name.trim();
    let tr = crate::i18n::Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    if name.is_empty() || name.chars().count() > 100 {
        return page(
            &state,
            &signed_in,
            None,
            Some(tr.t("tokens-error-name")),
            name.chars().take(100).collect(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let lifetime = match form.expires.as_str() {
        "never" => None,
        days if EXPIRY_CHOICES.contains(&days) => days.parse::<i64>().ok().map(Duration::days),
        _ => {
            return page(
                &state,
                &signed_in,
                None,
                Some(tr.t("tokens-error-expiry")),
                name.to_owned(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let (token, record) = state
        .app
        .store
        .create_api_token(Some(&signed_in.user.id), name, lifetime, false)
        .await?;
    state
        .app
        .store
        .record_audit(&NewAuditEvent {
            billing_account_id: None,
            actor: Some(signed_in.user.id.clone()),
            kind: "api_token.created".into(),
            target: record.id.clone(),
            detail: serde_json::json!({"name": record.name}),
            ip: signed_in.ctx.ip.clone(),
        })
        .await?;
    // The token is shown in this response only; it is never stored or shown again.
    page(
        &state,
        &signed_in,
        Some(token),
        None,
        String::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn revoke(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state
        .app
        .store
        .revoke_api_token(&signed_in.user.id, &id)
        .await?;
    state
        .app
        .store
        .record_audit(&NewAuditEvent {
            billing_account_id: None,
            actor: Some(signed_in.user.id.clone()),
            kind: "api_token.revoked".into(),
            target: id,
            detail: serde_json::json!({}),
            ip: signed_in.ctx.ip.clone(),
        })
        .await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
