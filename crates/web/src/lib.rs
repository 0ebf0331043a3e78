//! Faktura's web layer: the portal (server-rendered pages) and, later, the JSON API.

pub mod api;
pub mod auth;
pub mod bundle;
pub mod context;
pub mod error;
pub mod i18n;
pub mod mails;
pub mod observability;
pub mod pages;
pub mod pdf;
pub mod server;
pub mod session;
pub mod state;
pub mod view;
mod wiring;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{middleware, Json, Router};
use state::AppState;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use faktura_app::{Config, WireDetails};
pub use state::WebConfig;

const APP_CSS: &str = include_str!("../static/app.css");
const APP_JS: &str = include_str!("../static/app.js");
const ELEMENTS_JS: &str = include_str!("../static/stripe-elements.js");
const FAVICON_SVG: &str = include_str!("../static/favicon.svg");

/// No inline scripts or styles, nothing from other origins, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// `scheme://host[:port]` of an http(s) URL, for a CSP source; `None` for anything else, so a
/// bad setting never widens the policy.
pub fn csp_origin(raw: &str) -> Option<String> {
    let parsed = url::Url::parse(raw.trim()).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return None;
    }
    let origin = parsed.origin().ascii_serialization();
    // `;` and `,` are allowed in a URL's host but would end a CSP directive or policy.
    origin
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'/' | b'[' | b']'))
        .then_some(origin)
}

/// The policy: as [`CONTENT_SECURITY_POLICY`], and with a gateway whose script collects card
/// details in the browser (Stripe.js), exactly that script's origin for scripts, frames and
/// connections, plus the origin the script sends its requests to (Stripe's API) for
/// connections. When the script is Stripe's own (`https://js.stripe.com`), also the origins
/// it frames and loads from (`https://*.js.stripe.com`, and `https://hooks.stripe.com` for the
/// bank's 3-D Secure check); never for another script. A URL that is not a plain http(s)
/// origin leaves the policy as it is.
pub fn content_security_policy(entry: Option<&faktura_gateway::BrowserCardEntry>) -> String {
    let Some(entry) = entry else {
        return CONTENT_SECURITY_POLICY.to_owned();
    };
    let Some(js) = csp_origin(&entry.js_url) else {
        tracing::error!(url = %entry.js_url, "the Stripe.js URL is not an http(s) URL; card entry cannot load");
        return CONTENT_SECURITY_POLICY.to_owned();
    };
    let mut connect = vec!["'self'".to_owned(), js.clone()];
    if let Some(api) = csp_origin(&entry.api_base) {
        if !connect.contains(&api) {
            connect.push(api);
        }
    }
    let (mut script, mut frame) = (js.clone(), js.clone());
    if js == STRIPE_JS_ORIGIN {
        // Stripe's own Stripe.js loads its parts from its subdomains and shows the bank's
        // 3-D Secure check in a frame from hooks.stripe.com (Stripe's CSP guide); any other
        // script (localstripe's, in the tests) gets its own origin only.
        script.push_str(" https://*.js.stripe.com");
        frame.push_str(" https://*.js.stripe.com https://hooks.stripe.com");
    }
    format!(
        "default-src 'self'; script-src 'self' {script}; style-src 'self'; img-src 'self' data:; \
         connect-src {}; frame-src {frame}; form-action 'self'; frame-ancestors 'none'; \
         base-uri 'none'; object-src 'none'",
        connect.join(" ")
    )
}

/// Stripe.js's own origin: only a script from there gets Stripe's other frame origins.
const STRIPE_JS_ORIGIN: &str = "https://js.stripe.com";

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match faktura_app::operations::ping(&state.app).await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "database": "unreachable"})),
            )
        }
    }
}

/// The tab icon (also at `/favicon.ico`, where browsers look without being told; they read
/// the SVG by its content type).
async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON_SVG,
    )
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        APP_CSS,
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        APP_JS,
    )
}

async fn elements_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        ELEMENTS_JS,
    )
}

/// The largest request body accepted (forms, JSON, CSV): 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The whole application as one router, ready for `axum::serve` or `oneshot` in tests.
pub fn app(state: AppState) -> Router {
    observability::install();
    let hsts = state
        .web
        .secure_cookies
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    let csp = HeaderValue::from_str(&content_security_policy(
        faktura_app::hosted_cards::browser_entry(&state.app).as_ref(),
    ))
    .unwrap_or(HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    let pages = pages::router().layer(middleware::from_fn_with_state(
        state.clone(),
        session::page_middleware,
    ));
    Router::new()
        .merge(pages)
        // The API takes bearer tokens, never cookies, so it is outside the page middleware and CSRF.
        .merge(api::router().layer(middleware::map_response(api::json_errors)))
        .route("/healthz", get(healthz))
        .route("/readyz", get(observability::readyz))
        .route("/metrics", get(observability::metrics_page))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/static/stripe-elements.js", get(elements_js))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .with_state(state)
        .layer(middleware::from_fn(observability::track))
        // No request needs more than this; larger bodies get a clean 413 before any work.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // Served over TLS (secure cookies): browsers keep to HTTPS for a year.
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &axum::response::Response| hsts.clone(),
        ))
        .layer(TraceLayer::new_for_http())
}

/// Serves until SIGINT or SIGTERM, then finishes the requests in flight (see [`server`]).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    server::serve_router(
        listener,
        app(state),
        server::ServeOptions::default(),
        shutdown_signal(),
    )
    .await
}

pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_of_http_urls_only() {
        assert_eq!(
            csp_origin("https://js.stripe.com/v3/").as_deref(),
            Some("https://js.stripe.com")
        );
        assert_eq!(
            csp_origin("http://127.0.0.1:4242/js.stripe.com/v3/").as_deref(),
            Some("http://127.0.0.1:4242")
        );
        assert_eq!(
            csp_origin("https://user:pw@JS.example:443/x").as_deref(),
            Some("https://js.example")
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://js.example/",
            "not a url",
            "https://js.example;script-src */",
            "https://js.example,x/",
            "data:text/javascript,1",
        ] {
            assert_eq!(csp_origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_policy_allows_exactly_the_script_and_api_origins() {
        assert_eq!(content_security_policy(None), CONTENT_SECURITY_POLICY);
        let entry = faktura_gateway::BrowserCardEntry {
            publishable_key: "pk".into(),
            js_url: "https://js.stripe.com/v3/".into(),
            api_base: "https://api.stripe.com".into(),
        };
        let policy = content_security_policy(Some(&entry));
        assert!(
            policy.contains("script-src 'self' https://js.stripe.com https://*.js.stripe.com;"),
            "{policy}"
        );
        // Stripe's own script: its 3-D Secure frames (hooks.stripe.com) may show.
        assert!(
            policy.contains(
                "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com;"
            ),
            "{policy}"
        );
        assert!(
            policy.contains("connect-src 'self' https://js.stripe.com https://api.stripe.com;"),
            "{policy}"
        );
        // One origin for both (localstripe): named once.
        let same = faktura_gateway::BrowserCardEntry {
            api_base: "http://127.0.0.1:4242".into(),
            js_url: "http://127.0.0.1:4242/js.stripe.com/v3/".into(),
            ..entry.clone()
        };
        let policy = content_security_policy(Some(&same));
        assert!(
            policy.contains("connect-src 'self' http://127.0.0.1:4242;"),
            "{policy}"
        );
        // Any other script (localstripe's) gets its own origin only: no Stripe frames.
        assert!(
            policy.contains("script-src 'self' http://127.0.0.1:4242;"),
            "{policy}"
        );
        assert!(
            policy.contains("frame-src http://127.0.0.1:4242;"),
            "{policy}"
        );
        assert!(!policy.contains("stripe.com"), "{policy}");
        // Nor one that only looks like Stripe's.
        let lookalike = faktura_gateway::BrowserCardEntry {
            js_url: "https://js.stripe.com.example/v3/".into(),
            ..entry.clone()
        };
        let policy = content_security_policy(Some(&lookalike));
        assert!(!policy.contains("hooks.stripe.com"), "{policy}");
        // A script URL that is no http(s) origin leaves the policy as it is.
        let bad = faktura_gateway::BrowserCardEntry {
            js_url: "https://js.example;script-src */".into(),
            ..entry
        };
        assert_eq!(content_security_policy(Some(&bad)), CONTENT_SECURITY_POLICY);
    }
}
