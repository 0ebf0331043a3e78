//! Operations: `/readyz` (database and gateway reachable) and Prometheus metrics at `/metrics`:
//! request latency histograms by route, payments and settlements by state, and the janitor's
//! backlog. Counts by state come from the database at scrape time, so every node reports the
//! same numbers for the whole deployment.

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use faktura_app::operations;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

const LATENCY: &str = "faktura_http_request_duration_seconds";

/// The process-wide Prometheus recorder (installed once; later apps in one process share it).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(LATENCY.to_owned()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ],
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics may be incomplete");
        }
        handle
    })
}

/// Records every request's latency under its route pattern (never the raw path: ids stay out).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(LATENCY, "route" => route, "method" => method, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The method as a label: the standard ones by name, anything else as one value, so that
/// clients inventing methods cannot grow the metrics without bound.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Whether this request may read `/metrics`: the configured bearer token, or (with none
/// configured) a client on this machine. In-process requests (tests) carry no address.
fn may_read_metrics(state: &AppState, request: &Request) -> bool {
    match &state.web.metrics_token {
        Some(expected) => request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| crate::auth::constant_time_eq(given, expected)),
        None => request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .is_none_or(|info| info.0.ip().is_loopback()),
    }
}

/// Makes sure the recorder exists before the first request is tracked.
pub fn install() {
    handle();
}

pub async fn metrics_page(State(state): State<AppState>, request: Request) -> Response {
    if !may_read_metrics(&state, &request) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need the metrics token\n",
        )
            .into_response();
    }
    let handle = handle();
    let mut extra = String::new();
    match operations::payment_state_counts(&state.app).await {
        Ok(counts) => {
            extra.push_str("# HELP faktura_payments Payments and settlements by state (whole deployment).\n# TYPE faktura_payments gauge\n");
            for (kind, payment_state, count) in counts {
                extra.push_str(&format!(
                    "faktura_payments{{kind=\"{kind}\",state=\"{payment_state}\"}} {count}\n"
                ));
            }
        }
        Err(error) => tracing::warn!(%error, "metrics: cannot count payments"),
    }
    match operations::janitor_backlog(&state.app).await {
        Ok(backlog) => extra.push_str(&format!(
            "# HELP faktura_janitor_backlog Payments and settlements in doubt, and those due for a look now.\n\
             # TYPE faktura_janitor_backlog gauge\n\
             faktura_janitor_backlog{{kind=\"payment\"}} {}\n\
             faktura_janitor_backlog{{kind=\"settlement\"}} {}\n\
             faktura_janitor_backlog{{kind=\"due\"}} {}\n",
            backlog.payments, backlog.settlements, backlog.due
        )),
        Err(error) => tracing::warn!(%error, "metrics: cannot read the janitor's backlog"),
    }
    let body = format!("{}{extra}", handle.render());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// Ready to take traffic: the database answers and the gateway can be reached.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let operations::Readiness { database, gateway } = operations::readiness(&state.app).await;
    if let Err(error) = &database {
        tracing::warn!(%error, "readiness: database unreachable");
    }
    if let Err(error) = &gateway {
        tracing::warn!(%error, "readiness: gateway unreachable");
    }
    let ok = database.is_ok() && gateway.is_ok();
    let word = |ok: bool| if ok { "ok" } else { "unreachable" };
    (
        if ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(serde_json::json!({
            "status": if ok { "ready" } else { "unavailable" },
            "database": word(database.is_ok()),
            "gateway": word(gateway.is_ok()),
        })),
    )
        .into_response()
}
