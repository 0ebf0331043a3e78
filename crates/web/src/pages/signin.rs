//! Sign in, sign out and the language switcher.

use crate::context::RequestContext;
use crate::error::AppError;
use crate::session::{cookie, LANG_COOKIE, SESSION_COOKIE};
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use faktura_app::sessions::{self, SignInError};
use faktura_app::Actor;
use faktura_domain::Locale;
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

/// Only paths on this origin, so the sign-in form cannot be used as an open redirect. The
/// value is resolved the way a browser resolves a `Location` (the WHATWG URL rules: tabs and
/// newlines removed, backslashes as slashes, `//host` as another host) against this origin, and
/// only the normalized path and query of a same-origin result are used.
fn safe_next(next: Option<&str>) -> String {
    const HOME: &str = "/portal";
    let Some(raw) = next.filter(|n| n.starts_with('/')) else {
        return HOME.to_owned();
    };
    let Ok(base) = url::Url::parse("http://faktura.invalid/") else {
        return HOME.to_owned();
    };
    match base.join(raw) {
        Ok(resolved) if resolved.origin() == base.origin() => {
            let mut local = resolved.path().to_owned();
            if let Some(query) = resolved.query() {
                local.push('?');
                local.push_str(query);
            }
            local
        }
        _ => HOME.to_owned(),
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
    let refuse = |status: StatusCode, message: String, chrome: Chrome| {
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
    let signed_in = sessions::sign_in(
        &state.app,
        &form.email,
        &form.password,
        ctx.session_token.as_deref(),
        ctx.ip.as_deref(),
    )
    .await;
    let session = match signed_in {
        Ok(session) => session,
        Err(SignInError::Missing) => {
            let message = chrome.tr.t("signin-missing");
            return Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, message, chrome));
        }
        Err(SignInError::Throttled {
            retry_after_seconds,
        }) => {
            let message = chrome
                .tr
                .t1("signin-throttled", "seconds", retry_after_seconds);
            let mut response = refuse(StatusCode::TOO_MANY_REQUESTS, message, chrome);
            if let Ok(value) = retry_after_seconds.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Ok(response);
        }
        Err(SignInError::Wrong) => {
            let message = chrome.tr.t("signin-wrong");
            return Ok(refuse(StatusCode::UNAUTHORIZED, message, chrome));
        }
        Err(SignInError::App(error)) => return Err(error.into()),
    };
    let mut response = Redirect::to(&safe_next(form.next.as_deref())).into_response();
    let session_cookie = cookie(
        SESSION_COOKIE,
        session.token,
        state.web.secure_cookies,
        Some(session.lifetime.num_seconds()),
    );
    if let Ok(value) = session_cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    // A stored language preference wins over the browser's from now on.
    if let Some(stored) = sessions::preferred_language(&session.user) {
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
    sessions::sign_out(&state.app, ctx.session_token.as_deref()).await?;
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
        let actor = Actor::new(user.clone(), ctx.ip.clone());
        sessions::set_language(&state.app, &actor, locale).await?;
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
        // Browsers drop tabs and newlines before resolving: `/\t/evil.example/` is `//evil…`.
        assert_eq!(safe_next(Some("/\t/evil.example/")), "/portal");
        assert_eq!(safe_next(Some("/\n/evil.example/")), "/portal");
        assert_eq!(safe_next(Some("/\r\n/evil.example")), "/portal");
        assert_eq!(safe_next(Some("/ /evil.example")), "/%20/evil.example");
        assert_eq!(safe_next(Some("/billing\nX: y")), "/billingX:%20y");
        assert_eq!(
            safe_next(Some("/billing/x/invoices?status=due")),
            "/billing/x/invoices?status=due"
        );
        assert_eq!(safe_next(Some("billing")), "/portal");
    }
}
