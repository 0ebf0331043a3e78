//! Downloads (PDFs, ZIPs) through the router, as bytes. (A PDF's text: `mail::pdf_text`.)

use super::Browser;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A request with the browser's cookies and language (a form body when `form` is given): the
/// status, the headers and the raw bytes.
pub async fn request_bytes(
    browser: &Browser,
    method: &str,
    path: &str,
    form: Option<&[(&str, &str)]>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let cookies: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, cookies.join("; "));
    if let Some(lang) = &browser.accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, lang);
    }
    let request = match form {
        Some(fields) => request
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
            .unwrap(),
        None => request.body(Body::empty()).unwrap(),
    };
    let response = browser.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes.to_vec())
}

/// A header's value, if present.
pub fn header_value(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers.get(name).map(|v| v.to_str().unwrap().to_owned())
}

/// GET returning the raw body bytes and the content type.
pub async fn get_bytes(browser: &Browser, path: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let (status, headers, bytes) = request_bytes(browser, "GET", path, None).await;
    (status, header_value(&headers, header::CONTENT_TYPE), bytes)
}
