//! The page middleware: resolves the session and the language, enforces CSRF on every
//! state-changing request, and renders errors as localized HTML pages.

use crate::auth::constant_time_eq;
use crate::context::RequestContext;
use crate::error::{AppError, ErrorMarker};
use crate::i18n::Tr;
use crate::state::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use faktura_app::sessions;
use faktura_domain::{Locale, User};

pub const SESSION_COOKIE: &str = "faktura_session";
pub const ANON_CSRF_COOKIE: &str = "faktura_csrf";
pub const LANG_COOKIE: &str = "faktura_lang";
/// Largest form body a page accepts.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_owned()).ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A cookie's name as sent: with secure cookies it carries the `__Host-` prefix, which browsers
/// accept only from a secure origin, for this host alone and with path `/`, so a sibling
/// subdomain or a plain-HTTP page cannot plant or overwrite it.
pub fn cookie_name(base: &'static str, secure: bool) -> &'static str {
    match (base, secure) {
        (SESSION_COOKIE, true) => "__Host-faktura_session",
        (ANON_CSRF_COOKIE, true) => "__Host-faktura_csrf",
        (LANG_COOKIE, true) => "__Host-faktura_lang",
        (other, _) => other,
    }
}

/// The language chosen in the cookie (either name: the language is no credential).
fn language_cookie(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, cookie_name(LANG_COOKIE, true))
        .or_else(|| cookie_value(headers, LANG_COOKIE))
}

pub fn locale_from_headers(headers: &HeaderMap) -> Locale {
    language_cookie(headers)
        .and_then(|tag| Locale::from_tag(&tag))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default()
}

fn client_ip(request: &Request) -> Option<String> {
    request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string())
}

/// Builds a cookie with our flags: HttpOnly, SameSite=Lax, Path=/, and when configured Secure
/// with the `__Host-` name (see [`cookie_name`]).
pub fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    max_age_seconds: Option<i64>,
) -> String {
    let mut cookie = Cookie::build((cookie_name(name, secure), value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure);
    if let Some(seconds) = max_age_seconds {
        cookie = cookie.max_age(cookie::time::Duration::seconds(seconds));
    }
    cookie.build().to_string()
}

async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
    ip: Option<String>,
) -> Result<RequestContext, AppError> {
    let secure = state.web.secure_cookies;
    let mut locale = locale_from_headers(headers);
    if let Some(token) = cookie_value(headers, cookie_name(SESSION_COOKIE, secure)) {
        if let Some(current) = sessions::current(&state.app, &token).await? {
            if language_cookie(headers).is_none() {
                if let Some(stored) = sessions::preferred_language(&current.user) {
                    locale = stored;
                }
            }
            return Ok(RequestContext {
                user: Some(current.user),
                session_token: Some(token),
                csrf_token: current.csrf_token,
                locale,
                ip,
                new_anon_csrf: None,
            });
        }
    }
    // Only a token this deployment signed counts: one planted by a sibling site does not.
    let existing = match cookie_value(headers, cookie_name(ANON_CSRF_COOKIE, secure)) {
        Some(existing) if sessions::anonymous_csrf_valid(&state.app, &existing).await? => {
            Some(existing)
        }
        _ => None,
    };
    let (csrf_token, new_anon_csrf) = match existing {
        Some(existing) => (existing, None),
        None => {
            let fresh = sessions::anonymous_csrf_token(&state.app).await?;
            (fresh.clone(), Some(fresh))
        }
    };
    Ok(RequestContext {
        user: None,
        session_token: None,
        csrf_token,
        locale,
        ip,
        new_anon_csrf,
    })
}

fn form_csrf(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v)
}

pub async fn page_middleware(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers().clone();
    let original_path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let ip = client_ip(&request);
    let context = match resolve(&state, &headers, ip).await {
        Ok(context) => context,
        Err(error) => return render_error(&state, locale_from_headers(&headers), None, error),
    };
    let (mut parts, body) = request.into_parts();
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let body = if unsafe_method {
        let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
            Ok(bytes) => bytes,
            Err(_) => {
                return render_error(
                    &state,
                    context.locale,
                    context.user.as_ref(),
                    AppError::BadRequest("form too large"),
                )
            }
        };
        let given = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| form_csrf(&bytes));
        let valid = context.new_anon_csrf.is_none()
            && given.is_some_and(|given| constant_time_eq(&given, &context.csrf_token));
        if !valid {
            let refused = render_error(
                &state,
                context.locale,
                context.user.as_ref(),
                AppError::Csrf,
            );
            // The next form then carries a token this server signed.
            return with_new_anonymous_csrf(&state, refused, context.new_anon_csrf);
        }
        Body::from(bytes)
    } else {
        body
    };
    parts.extensions.insert(context.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    let response = match response.extensions().get::<ErrorMarker>().cloned() {
        Some(ErrorMarker(error_code)) => {
            if error_code == "unauthenticated" {
                let target = format!(
                    "/signin?next={}",
                    url::form_urlencoded::byte_serialize(original_path.as_bytes())
                        .collect::<String>()
                );
                Redirect::to(&target).into_response()
            } else {
                let status = response.status();
                // A refusal on a page of an account the person holds a role on stays inside
                // the service, with its left pane; anything else is the plain error page.
                let inside = match error_code {
                    "forbidden" => {
                        let path = original_path.split('?').next().unwrap_or("/");
                        crate::view::forbidden_in_service(&state, &context, path).await
                    }
                    _ => None,
                };
                let mut page = inside.unwrap_or_else(|| {
                    render_error_code(&state, context.locale, context.user.as_ref(), error_code)
                });
                *page.status_mut() = status;
                page
            }
        }
        // An extractor's own rejection (a path that is not UTF-8, a form that does not parse)
        // is plain text: show it as the localized error page like any other refusal.
        None if is_plain_text_rejection(&response) => {
            let status = response.status();
            let code = match status {
                StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => "not_found",
                _ => "bad_request",
            };
            let mut page = render_error_code(&state, context.locale, context.user.as_ref(), code);
            *page.status_mut() = status;
            page
        }
        None => response,
    };
    with_new_anonymous_csrf(&state, response, context.new_anon_csrf)
}

fn with_new_anonymous_csrf(
    state: &AppState,
    mut response: Response,
    token: Option<String>,
) -> Response {
    if let Some(token) = token {
        if let Ok(value) = cookie(ANON_CSRF_COOKIE, token, state.web.secure_cookies, None).parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A 4xx answered in plain text: axum's extractor rejections, never one of our pages.
fn is_plain_text_rejection(response: &Response) -> bool {
    response.status().is_client_error()
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/plain"))
}

fn render_error(
    state: &AppState,
    locale: Locale,
    user: Option<&User>,
    error: AppError,
) -> Response {
    let status = error.status();
    if let AppError::Internal(cause) = &error {
        tracing::error!(%cause, "request failed");
    }
    let mut page = render_error_code(state, locale, user, error.code());
    *page.status_mut() = status;
    page
}

fn render_error_code(
    state: &AppState,
    locale: Locale,
    user: Option<&User>,
    code: &str,
) -> Response {
    let tr = Tr::new(state.i18n.clone(), locale);
    crate::view::error_page(&tr, user, code)
}
