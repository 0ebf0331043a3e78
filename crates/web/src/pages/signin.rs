//! Sign in, sign out and the language switcher.

use crate::auth::{decoy_hash, verify_password};
use crate::error::AppError;
use crate::session::{cookie, RequestContext, LANG_COOKIE, SESSION_COOKIE};
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Duration, Utc};
use faktura_domain::Locale;
use faktura_store::NewAuditEvent;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInTemplate {
    chrome: Chrome,
    error: Option<String>,
    email: String,
    next: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only local paths, so the sign-in form cannot be used as an open redirect.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/portal".to_owned(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(query): Query<NextQuery>,
) -> Response {
    if ctx.user.is_some() {
        return Redirect::to(&safe_next(query.next.as_deref())).into_response();
    }
    render(&SignInTemplate {
        chrome: Chrome::new(&state, &ctx, "/signin"),
        error: None,
        email: String::new(),
        next: safe_next(query.next.as_deref()),
    })
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(&state, &ctx, "/signin");
    let refuse = |status: StatusCode, key: &str, chrome: Chrome| {
        let message = chrome.tr.t(key);
        render_with(
            status,
            &SignInTemplate {
                chrome,
                error: Some(message),
                email: form.email.chars().take(200).collect(),
                next: safe_next(form.next.as_deref()),
            },
        )
    };
    let email = form.email.trim();
    if email.is_empty() || form.password.is_empty() {
        return Ok(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "signin-missing",
            chrome,
        ));
    }
    let window_start = Utc::now() - Duration::minutes(state.app.config.sign_in_window_minutes);
    let failures = state
        .app
        .store
        .sign_in_failures_since(email, window_start)
        .await?;
    if failures >= i64::from(state.app.config.max_failed_sign_ins) {
        return Ok(refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "signin-throttled",
            chrome,
        ));
    }
    let credentials = state.app.store.credentials(email).await?;
    let user = match &credentials {
        Some((user, Some(hash))) if verify_password(hash, &form.password) => Some(user.clone()),
        Some(_) => None,
        None => {
            // Spend the same time as a real check so timing does not reveal unknown e-mails.
            verify_password(decoy_hash(), &form.password);
            None
        }
    };
    let Some(user) = user else {
        state
            .app
            .store
            .record_sign_in_failure(email, ctx.ip.as_deref())
            .await?;
        state
            .app
            .store
            .record_audit(&NewAuditEvent {
                billing_account_id: None,
                actor: credentials.as_ref().map(|(u, _)| u.id.clone()),
                kind: "auth.sign_in_failed".into(),
                target: faktura_store::normalize_email(email),
                detail: serde_json::json!({}),
                ip: ctx.ip.clone(),
            })
            .await?;
        return Ok(refuse(StatusCode::UNAUTHORIZED, "signin-wrong", chrome));
    };
    state.app.store.clear_sign_in_failures(email).await?;
    // A fresh session id at every sign-in (no session fixation); the old one, if any, ends.
    if let Some(old) = &ctx.session_token {
        state.app.store.delete_session(old).await?;
    }
    let lifetime = Duration::hours(state.app.config.session_hours);
    let (token, _) = state.app.store.create_session(&user.id, lifetime).await?;
    let accounts = state.app.store.accounts_for_user(&user.id).await?;
    for account in accounts
        .iter()
        .map(|a| Some(a.id.clone()))
        .chain(accounts.is_empty().then_some(None))
    {
        state
            .app
            .store
            .record_audit(&NewAuditEvent {
                billing_account_id: account,
                actor: Some(user.id.clone()),
                kind: "auth.sign_in".into(),
                target: user.email.clone(),
                detail: serde_json::json!({}),
                ip: ctx.ip.clone(),
            })
            .await?;
    }
    let mut response = Redirect::to(&safe_next(form.next.as_deref())).into_response();
    let session_cookie = cookie(
        SESSION_COOKIE,
        token,
        state.web.secure_cookies,
        Some(lifetime.num_seconds()),
    );
    if let Ok(value) = session_cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    // A stored language preference wins over the browser's from now on.
    if let Some(stored) = user.locale.as_deref().and_then(Locale::from_tag) {
        if let Ok(value) = cookie(
            LANG_COOKIE,
            stored.tag().to_owned(),
            state.web.secure_cookies,
            Some(365 * 24 * 3600),
        )
        .parse()
        {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

pub async fn sign_out(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> Result<Response, AppError> {
    if let Some(token) = &ctx.session_token {
        state.app.store.delete_session(token).await?;
    }
    let mut response = Redirect::to("/signin").into_response();
    if let Ok(value) = cookie(
        SESSION_COOKIE,
        String::new(),
        state.web.secure_cookies,
        Some(0),
    )
    .parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn language(
    State(state): State<AppState>,
    ctx: RequestContext,
    Form(form): Form<LanguageForm>,
) -> Result<Response, AppError> {
    let Some(locale) = Locale::from_tag(&form.lang) else {
        return Err(AppError::BadRequest("unsupported language"));
    };
    if let Some(user) = &ctx.user {
        state
            .app
            .store
            .set_user_locale(&user.id, Some(locale.tag()))
            .await?;
    }
    let mut response = Redirect::to(&safe_next(form.next.as_deref())).into_response();
    if let Ok(value) = cookie(
        LANG_COOKIE,
        locale.tag().to_owned(),
        state.web.secure_cookies,
        Some(365 * 24 * 3600),
    )
    .parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_always_local() {
        assert_eq!(safe_next(Some("/billing")), "/billing");
        assert_eq!(safe_next(Some("//evil.example")), "/portal");
        assert_eq!(safe_next(Some("https://evil.example")), "/portal");
        assert_eq!(safe_next(Some("/\\evil.example")), "/portal");
        assert_eq!(safe_next(None), "/portal");
    }
}
