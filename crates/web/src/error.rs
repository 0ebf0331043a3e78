//! One error type for handlers: a stable code and a status for the client, the cause for the log.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("not found")]
    NotFound,
    #[error("invalid CSRF token")]
    Csrf,
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// Stable, documented code for each kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Csrf => "csrf_invalid",
            AppError::BadRequest(_) => "bad_request",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<faktura_store::StoreError> for AppError {
    fn from(error: faktura_store::StoreError) -> Self {
        match error {
            faktura_store::StoreError::NotFound => AppError::NotFound,
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// The application's refusals in the portal's words: what the user may not see is refused
/// with the reason (403), so a person learns why.
impl From<faktura_app::AppError> for AppError {
    fn from(error: faktura_app::AppError) -> Self {
        use faktura_app::AppError as Refusal;
        match error {
            Refusal::NotFound(_) => AppError::NotFound,
            Refusal::Hidden { reason, .. } | Refusal::NotAllowed { reason } => {
                AppError::Forbidden(reason)
            }
            Refusal::Invalid(reason) => AppError::BadRequest(reason),
            Refusal::Store(error) => AppError::from(error),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        AppError::Internal(format!("template: {error}"))
    }
}

/// Without a request's language at hand (extractor failures), answer in plain JSON; pages
/// turn errors into localized HTML through `pages::error_page`.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let body = serde_json::json!({"error": {"code": self.code(), "message": self.code()}});
        let mut response = (self.status(), axum::Json(body)).into_response();
        response.extensions_mut().insert(ErrorMarker(self.code()));
        response
    }
}

/// Marks a response as an error for the middleware to render as a page.
#[derive(Clone, Debug)]
pub struct ErrorMarker(pub &'static str);
