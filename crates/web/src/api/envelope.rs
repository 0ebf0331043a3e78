//! ARM conventions: the error shape, api-version, resource envelopes, amounts, dates, paging.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

pub const API_VERSION: &str = "2024-04-01";
/// Largest page the list operations return.
pub const MAX_PAGE: u32 = 200;
pub const DEFAULT_PAGE: u32 = 50;

/// `{"error":{"code","message","target","details"}}` with a stable code.
#[derive(Debug, Clone)]
pub struct ArmError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub target: Option<String>,
    pub details: Vec<(String, String)>,
}

impl ArmError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ArmError {
        ArmError {
            status,
            code,
            message: message.into(),
            target: None,
            details: Vec::new(),
        }
    }

    pub fn with_target(mut self, target: &str) -> ArmError {
        self.target = Some(target.to_owned());
        self
    }

    pub fn unauthenticated(code: &'static str, message: &str) -> ArmError {
        ArmError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(message: &str) -> ArmError {
        ArmError::new(StatusCode::FORBIDDEN, "AuthorizationFailed", message)
    }

    pub fn not_found(what: &str) -> ArmError {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("the {what} was not found"),
        )
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ArmError {
        ArmError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// Logs the cause; the client sees only a stable code.
    pub fn internal(error: impl std::fmt::Display) -> ArmError {
        tracing::error!(%error, "API request failed");
        ArmError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "the request failed; nothing was charged twice, try again",
        )
    }

    pub fn body(&self) -> Value {
        json!({"error": {
            "code": self.code,
            "message": self.message,
            "target": self.target,
            "details": self.details.iter().map(|(code, message)| json!({"code": code, "message": message})).collect::<Vec<_>>(),
        }})
    }
}

/// The application's refusals in the API's words: what the caller may not see is not found,
/// exactly like what does not exist.
impl From<faktura_app::AppError> for ArmError {
    fn from(error: faktura_app::AppError) -> Self {
        use faktura_app::AppError;
        match error {
            AppError::NotFound(resource) | AppError::Hidden { resource, .. } => {
                ArmError::not_found(resource.name())
            }
            AppError::NotAllowed { reason } => ArmError::forbidden(reason),
            AppError::Invalid(reason) => ArmError::bad_request("InvalidRequestContent", reason),
            AppError::Store(error) => ArmError::internal(error),
        }
    }
}

impl IntoResponse for ArmError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

/// Rejections from extractors (a duplicate query parameter, a body over the size limit, a
/// path that is not valid UTF-8, a wrong method) come as plain text; the API answers every
/// error in its JSON shape, with a stable code per status and the rejection's text as message.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let code = match status {
        StatusCode::NOT_FOUND => "NotFound",
        StatusCode::METHOD_NOT_ALLOWED => "MethodNotAllowed",
        StatusCode::PAYLOAD_TOO_LARGE => "RequestTooLarge",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "UnsupportedMediaType",
        StatusCode::UNPROCESSABLE_ENTITY => "InvalidRequestContent",
        StatusCode::UNAUTHORIZED => "AuthenticationFailed",
        StatusCode::FORBIDDEN => "AuthorizationFailed",
        status if status.is_server_error() => "InternalError",
        _ => "InvalidRequest",
    };
    let text = axum::body::to_bytes(response.into_body(), 2048)
        .await
        .map(|bytes| {
            String::from_utf8_lossy(&bytes)
                .chars()
                .take(200)
                .collect::<String>()
        })
        .unwrap_or_default();
    let message = if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    ArmError::new(status, code, message).into_response()
}

pub async fn not_found_fallback() -> ArmError {
    ArmError::new(StatusCode::NOT_FOUND, "NotFound", "no such API operation")
}

/// Query parameters every list and get takes.
#[derive(Deserialize, Default, Debug)]
pub struct ApiQuery {
    #[serde(rename = "api-version")]
    pub api_version: Option<String>,
    #[serde(rename = "$top")]
    pub top_dollar: Option<String>,
    pub top: Option<String>,
    #[serde(rename = "$skipToken")]
    pub skip_token_dollar: Option<String>,
    #[serde(rename = "skipToken")]
    pub skip_token: Option<String>,
    #[serde(rename = "periodStartDate")]
    pub period_start_date: Option<String>,
    #[serde(rename = "periodEndDate")]
    pub period_end_date: Option<String>,
}

impl ApiQuery {
    pub fn check_version(&self) -> Result<(), ArmError> {
        match self.api_version.as_deref() {
            None | Some("") => Err(ArmError::bad_request(
                "MissingApiVersionParameter",
                format!("the api-version query parameter is required; use {API_VERSION}"),
            )),
            Some(API_VERSION) => Ok(()),
            Some(other) => Err(ArmError::bad_request(
                "InvalidApiVersionParameter",
                format!(
                    "api-version {:?} is not supported; use {API_VERSION}",
                    other.chars().take(20).collect::<String>()
                ),
            )),
        }
    }

    /// `$top` or `top`, 1..=MAX_PAGE; absent means the default page size.
    pub fn page_size(&self) -> Result<u32, ArmError> {
        match self.top_dollar.as_deref().or(self.top.as_deref()) {
            None => Ok(DEFAULT_PAGE),
            Some(raw) => match raw.parse::<u32>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
                _ => Err(ArmError::bad_request(
                    "InvalidTopParameter",
                    format!("$top must be a whole number from 1 to {MAX_PAGE}"),
                )
                .with_target("$top")),
            },
        }
    }

    pub fn skip_token(&self) -> Option<&str> {
        self.skip_token_dollar
            .as_deref()
            .or(self.skip_token.as_deref())
            .filter(|s| !s.is_empty())
    }

    pub fn date(&self, raw: Option<&str>, name: &str) -> Result<Option<NaiveDate>, ArmError> {
        match raw.filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(text) => {
                let day = text.get(..10).unwrap_or(text);
                NaiveDate::parse_from_str(day, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| {
                        ArmError::bad_request(
                            "InvalidDateParameter",
                            format!("{name} must be a date such as 2026-01-31"),
                        )
                        .with_target(name)
                    })
            }
        }
    }
}

/// `2026-03-05T00:00:00Z`. Written by hand: chrono's `format("%Y-%m-%d")` parses its format
/// string on every call, and a list page formats four dates per invoice.
pub fn date_time(date: NaiveDate) -> String {
    DateTimeText(date).to_string()
}

/// A date as the API writes it (`2026-03-05T00:00:00Z`), serialized without a `String` in
/// between (a list writes four per invoice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTimeText(pub NaiveDate);

impl std::fmt::Display for DateTimeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use chrono::Datelike as _;
        let date = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T00:00:00Z",
            date.year(),
            date.month(),
            date.day()
        )
    }
}

impl serde::Serialize for DateTimeText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn resource(id: String, resource_type: &str, properties: Value) -> Value {
    let name = id.rsplit('/').next().unwrap_or_default().to_owned();
    json!({"id": id, "name": name, "type": resource_type, "properties": properties})
}

/// The absolute base URL of this server as the client addressed it, for nextLink.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https" || *p == "http")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

pub fn list(value: Vec<Value>, next_link: Option<String>) -> Value {
    match next_link {
        Some(link) => json!({"value": value, "nextLink": link}),
        None => json!({"value": value}),
    }
}

/// A JSON body whose rejection speaks the ARM error shape.
pub struct ArmJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ArmJson<T> {
    type Rejection = ArmError;
    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ArmJson(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => ArmError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UnsupportedMediaType",
                    "send the body as application/json",
                ),
                JsonRejection::JsonSyntaxError(_) => {
                    ArmError::bad_request("InvalidJson", "the body is not valid JSON")
                }
                JsonRejection::JsonDataError(error) => ArmError::bad_request(
                    "InvalidRequestContent",
                    format!(
                        "the body does not have the expected shape: {}",
                        error.body_text().chars().take(200).collect::<String>()
                    ),
                ),
                JsonRejection::BytesRejection(_) => ArmError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "RequestTooLarge",
                    "the body is too large",
                ),
                _ => ArmError::bad_request("InvalidRequestContent", "the body could not be read"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_in_the_api_format() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(date_time(date), "2026-03-05T00:00:00Z");
        assert_eq!(
            date_time(NaiveDate::from_ymd_opt(987, 12, 31).unwrap()),
            "0987-12-31T00:00:00Z"
        );
        let at = DateTime::from_timestamp(1_772_668_800, 0).unwrap();
        assert_eq!(timestamp(at), "2026-03-05T00:00:00Z");
    }

    #[test]
    fn version_and_page_size_are_checked() {
        let mut query = ApiQuery::default();
        assert_eq!(
            query.check_version().unwrap_err().code,
            "MissingApiVersionParameter"
        );
        query.api_version = Some("2019-10-01-preview".into());
        assert_eq!(
            query.check_version().unwrap_err().code,
            "InvalidApiVersionParameter"
        );
        query.api_version = Some(API_VERSION.into());
        assert!(query.check_version().is_ok());
        assert_eq!(query.page_size().unwrap(), DEFAULT_PAGE);
        query.top = Some("100000".into());
        assert!(query.page_size().is_err());
        query.top_dollar = Some("-1".into());
        assert!(query.page_size().is_err());
        query.top_dollar = Some("5".into());
        assert_eq!(query.page_size().unwrap(), 5);
    }
}
