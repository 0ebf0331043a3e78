//! Who is asking: the request's context (user, session, CSRF token, language, address) that
//! the page middleware resolves, and the extractors pages take it with.

use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use faktura_domain::{Locale, User};

/// Who is asking, in which language, with which CSRF token; put in request extensions.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub user: Option<User>,
    /// The raw session token from the cookie, when signed in.
    pub session_token: Option<String>,
    pub csrf_token: String,
    pub locale: Locale,
    pub ip: Option<String>,
    /// A fresh anonymous CSRF token the response must set as a cookie.
    pub new_anon_csrf: Option<String>,
}

/// Extracts the [`RequestContext`] the middleware put in place.
impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .ok_or_else(|| AppError::Internal("page route without the page middleware".into()))
    }
}

/// A signed-in user; pages that need one redirect anonymous visitors to sign in.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: User,
    pub ctx: RequestContext,
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = RequestContext::from_request_parts(parts, state).await?;
        match ctx.user.clone() {
            Some(user) => Ok(SignedIn { user, ctx }),
            None => Err(AppError::Unauthenticated),
        }
    }
}
