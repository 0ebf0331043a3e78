//! Downloads (PDFs, ZIPs) through the router, as bytes. (A PDF's text: `mail::pdf_text`.)

use super::Browser;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// GET returning the raw body bytes and the content type, with the browser's cookies.
pub async fn get_bytes(browser: &Browser, path: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let cookies: Vec<String> = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut request = Request::builder()
        .uri(path)
        .header(header::COOKIE, cookies.join("; "));
    if let Some(lang) = &browser.accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, lang);
    }
    let response = browser
        .router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, bytes.to_vec())
}
