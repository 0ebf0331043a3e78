//! Personal access tokens for the API, from the user menu: create (shown once), list, revoke.

use crate::context::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use faktura_app::tokens::{self, CreateError, TokenState};
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

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    created: Option<String>,
    error: Option<String>,
    name: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let chrome = Chrome::framed(state, &signed_in.ctx, "/account/tokens", "tokens").await;
    let rows = tokens::list(&state.app, &signed_in.actor())
        .await?
        .into_iter()
        .map(|(t, token_state)| {
            let state_key = match token_state {
                TokenState::Revoked => "tokens-state-revoked",
                TokenState::Expired => "tokens-state-expired",
                TokenState::Active => "tokens-state-active",
            };
            TokenRow {
                active: token_state == TokenState::Active,
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
    let created = tokens::create(&state.app, &signed_in.actor(), name, &form.expires).await;
    let (key, kept) = match created {
        // The token is shown in this response only; it is never stored or shown again.
        Ok((token, _)) => {
            return page(
                &state,
                &signed_in,
                Some(token),
                None,
                String::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(CreateError::Name) => (
            "tokens-error-name",
            name.chars().take(tokens::MAX_NAME_CHARS).collect(),
        ),
        Err(CreateError::Expiry) => ("tokens-error-expiry", name.to_owned()),
        Err(CreateError::App(error)) => return Err(error.into()),
    };
    page(
        &state,
        &signed_in,
        None,
        Some(tr.t(key)),
        kept,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct RevokeForm {
    /// `yes` once the person confirmed on the confirmation page.
    #[serde(default)]
    confirm: String,
}

/// "Revoke the token “ci”?": the page between the Revoke button and the revocation.
#[derive(Template)]
#[template(path = "confirm_revoke.html")]
struct ConfirmRevokeTemplate {
    chrome: Chrome,
    heading: String,
    text: String,
    action: String,
    fields: Vec<(&'static str, String)>,
    confirm_label: String,
    cancel: String,
}

pub async fn revoke(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    if form.confirm != "yes" {
        // Only the person's own active tokens: another user's id is not found, as on revoke.
        let name = tokens::list(&state.app, &signed_in.actor())
            .await?
            .into_iter()
            .find(|(t, token_state)| t.id == id && *token_state == TokenState::Active)
            .map(|(t, _)| t.name)
            .ok_or(AppError::NotFound)?;
        let chrome = Chrome::framed(&state, &signed_in.ctx, "/account/tokens", "tokens").await;
        let tr = chrome.tr.clone();
        let page = ConfirmRevokeTemplate {
            heading: tr.t1("tokens-revoke-confirm-heading", "name", &name),
            text: tr.t("tokens-revoke-confirm-text"),
            action: format!("/account/tokens/{id}/revoke"),
            fields: Vec::new(),
            confirm_label: tr.t("tokens-revoke"),
            cancel: "/account/tokens".to_owned(),
            chrome,
        };
        return Ok(render(&page));
    }
    tokens::revoke(&state.app, &signed_in.actor(), &id).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
