//! Faktura's web layer: the portal (server-rendered pages) and, later, the JSON API.

pub mod api;
pub mod auth;
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

/// No inline scripts or styles, nothing from other origins, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

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

/// The largest request body accepted (forms, JSON, CSV): 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The whole application as one router, ready for `axum::serve` or `oneshot` in tests.
pub fn app(state: AppState) -> Router {
    observability::install();
    let hsts = state
        .web
        .secure_cookies
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
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
        .with_state(state)
        .layer(middleware::from_fn(observability::track))
        // No request needs more than this; larger bodies get a clean 413 before any work.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
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
