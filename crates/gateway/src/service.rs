//! The sandbox gateway as its own HTTP service (`faktura sandbox-gateway`): the same test cards
//! and 3-D Secure challenge as the in-process sandbox, a ledger kept in a state file, the ledger
//! as JSON for comparing with Faktura's books, and fault injection for reliability tests.
//!
//! Endpoints (JSON unless said otherwise):
//! - `POST /v1/tokens` `{holder, number, expiry: "MM/YY", cvc}` → [`CardToken`]
//! - `POST /v1/charges` [`ChargeRequest`] → [`Charge`] (the same key returns the first charge)
//! - `GET /v1/charges/{key}` → [`Charge`] or 404
//! - `POST /v1/setups` [`SetupRequest`] → [`Charge`]
//! - `POST /v1/refunds` [`crate::RefundRequest`] → [`crate::Refund`] (the same key returns the
//!   first refund)
//! - `GET /v1/refunds/{key}` → [`crate::Refund`] or 404
//! - `GET /v1/ledger` → `{"charges": [Charge…], "refunds": [Refund…]}`
//! - `GET|PUT /admin/faults` → [`Faults`]
//! - `GET /sandbox/3ds/{reference}` (an HTML challenge page), `POST` there with
//!   `result=complete|fail` → 303 to the charge's return URL
//! - `GET /healthz`
//!
//! Faults apply to the `/v1/` endpoints except the ledger: added latency; a share of requests
//! that hang (no answer, nothing done); a share whose connection is reset before anything is
//! done; a share answered with a 5xx (half of them after the charge was made); and, for charges,
//! a share that charges and then resets the connection instead of answering.

use crate::sandbox::SandboxGateway;
use crate::{ChargeRequest, GatewayError, PaymentGateway, RefundRequest, SetupRequest};
use axum::extract::{Extension, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use faktura_domain::card::CardInput;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// What goes wrong on purpose. Shares are between 0 and 1 and are tried in this order: hang,
/// reset, error, drop (their sum should stay at or below 1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Added to every `/v1/` request before anything else happens.
    pub latency_ms: u64,
    /// Share of requests answered `500`/`503` (half of the charges among them after charging).
    pub error_rate: f64,
    /// Share of requests whose connection is reset before anything is done.
    pub reset_rate: f64,
    /// Share of requests that hang for `hang_ms` and are then answered `503`, nothing done.
    pub hang_rate: f64,
    /// How long a hanging request hangs (default 120 s).
    pub hang_ms: u64,
    /// Share of charges that are made and then answered by a connection reset.
    pub drop_rate: f64,
}

impl Faults {
    fn valid(&self) -> bool {
        let shares = [
            self.error_rate,
            self.reset_rate,
            self.hang_rate,
            self.drop_rate,
        ];
        shares.iter().all(|s| (0.0..=1.0).contains(s)) && shares.iter().sum::<f64>() <= 1.0 + 1e-9
    }
}

/// The service's shared state.
pub struct ServiceState {
    pub sandbox: Arc<SandboxGateway>,
    faults: RwLock<Faults>,
}

impl ServiceState {
    pub fn new(sandbox: Arc<SandboxGateway>, faults: Faults) -> Arc<ServiceState> {
        Arc::new(ServiceState {
            sandbox,
            faults: RwLock::new(faults),
        })
    }

    pub fn faults(&self) -> Faults {
        self.faults
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        *self.faults.write().unwrap_or_else(|p| p.into_inner()) = faults;
    }
}

type Shared = Arc<ServiceState>;

/// Resets the connection a request came on (set per connection by [`serve`]).
#[derive(Clone, Default)]
struct Kill(Arc<Notify>);

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

fn gateway_error(problem: GatewayError) -> Response {
    match problem {
        GatewayError::CardRefused(reason) => (
            StatusCode::PAYMENT_REQUIRED,
            Json(serde_json::json!({"error": {"code": "card_refused", "reason": reason.code()}})),
        )
            .into_response(),
        GatewayError::Invalid(message) => {
            error(StatusCode::BAD_REQUEST, "invalid_request", &message)
        }
        GatewayError::Unknown(message) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, "api_error", &message)
        }
    }
}

#[derive(Deserialize)]
struct TokenRequest {
    holder: String,
    number: String,
    expiry: String,
    cvc: String,
}

async fn tokens(State(state): State<Shared>, Json(request): Json<TokenRequest>) -> Response {
    let today = chrono::Utc::now().date_naive();
    let Ok(card) = CardInput::parse(
        &request.holder,
        &request.number,
        &request.expiry,
        &request.cvc,
        today,
    ) else {
        // Never echo the card details back, not even in an error.
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_card",
            "the card details are not valid",
        );
    };
    match state.sandbox.tokenize(&card).await {
        Ok(token) => Json(token).into_response(),
        Err(e) => gateway_error(e),
    }
}

async fn charges(State(state): State<Shared>, Json(request): Json<ChargeRequest>) -> Response {
    match state.sandbox.charge(&request).await {
        Ok(charge) => Json(charge).into_response(),
        Err(e) => gateway_error(e),
    }
}

/// What the sandbox holds under one key, or 404 naming what was looked for.
fn found_under_key<T: serde::Serialize>(
    answer: Result<Option<T>, GatewayError>,
    what: &str,
) -> Response {
    match answer {
        Ok(Some(found)) => Json(found).into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no {what} under this key"),
        ),
        Err(e) => gateway_error(e),
    }
}

async fn charge_by_key(State(state): State<Shared>, Path(key): Path<String>) -> Response {
    found_under_key(state.sandbox.lookup(&key).await, "charge")
}

async fn cancel_by_key(State(state): State<Shared>, Path(key): Path<String>) -> Response {
    found_under_key(
        state.sandbox.cancel_authentication(&key, None).await,
        "charge",
    )
}

async fn setups(State(state): State<Shared>, Json(request): Json<SetupRequest>) -> Response {
    match state.sandbox.setup(&request).await {
        Ok(charge) => Json(charge).into_response(),
        Err(e) => gateway_error(e),
    }
}

async fn refunds(State(state): State<Shared>, Json(request): Json<RefundRequest>) -> Response {
    match state.sandbox.refund(&request).await {
        Ok(refund) => Json(refund).into_response(),
        Err(e) => gateway_error(e),
    }
}

async fn refund_by_key(State(state): State<Shared>, Path(key): Path<String>) -> Response {
    found_under_key(state.sandbox.lookup_refund(&key, None).await, "refund")
}

async fn ledger(State(state): State<Shared>) -> Response {
    let mut charges = state.sandbox.ledger();
    charges.sort_by(|a, b| a.idempotency_key.cmp(&b.idempotency_key));
    let mut refunds = state.sandbox.refunds();
    refunds.sort_by(|a, b| a.idempotency_key.cmp(&b.idempotency_key));
    Json(serde_json::json!({ "charges": charges, "refunds": refunds })).into_response()
}

async fn get_faults(State(state): State<Shared>) -> Response {
    Json(state.faults()).into_response()
}

async fn put_faults(State(state): State<Shared>, Json(faults): Json<Faults>) -> Response {
    if !faults.valid() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_faults",
            "shares must be between 0 and 1 and add up to at most 1",
        );
    }
    tracing::info!(?faults, "sandbox: faults set");
    state.set_faults(faults.clone());
    Json(faults).into_response()
}

async fn healthz() -> Response {
    Json(serde_json::json!({"status": "ok"})).into_response()
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

async fn challenge_page(State(state): State<Shared>, Path(reference): Path<String>) -> Response {
    let Some(pending) = state.sandbox.challenge(&reference) else {
        return error(StatusCode::NOT_FOUND, "not_found", "no challenge");
    };
    let amount = pending.charge.amount;
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandbox 3-D Secure</title></head>\
         <body><h1>Sandbox 3-D Secure</h1><p>Amount: {} {} (minor units)</p>\
         <form method=\"post\"><button name=\"result\" value=\"complete\" data-test-id=\"challenge-complete\">Complete</button> \
         <button name=\"result\" value=\"fail\" data-test-id=\"challenge-fail\">Fail</button></form></body></html>",
        amount.minor(),
        escape(amount.currency().code()),
    );
    (
        [(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; form-action 'self' http: https:; frame-ancestors 'none'",
        )],
        Html(page),
    )
        .into_response()
}

#[derive(Deserialize)]
struct ChallengeForm {
    #[serde(default)]
    result: String,
}

async fn challenge_answer(
    State(state): State<Shared>,
    Path(reference): Path<String>,
    Form(form): Form<ChallengeForm>,
) -> Response {
    let passed = match form.result.as_str() {
        "complete" => true,
        "fail" => false,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "result must be complete or fail",
            )
        }
    };
    let Some(resolved) = state.sandbox.resolve_challenge(&reference, passed) else {
        return error(StatusCode::NOT_FOUND, "not_found", "no challenge");
    };
    let url = &resolved.return_url;
    let safe = url.starts_with("http://") || url.starts_with("https://") || {
        url.starts_with('/') && !url.starts_with("//")
    };
    if !safe {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "bad return address",
        );
    }
    Redirect::to(url).into_response()
}

/// What one request's roll of the dice decided.
enum Fault {
    None,
    Hang(Duration),
    Reset,
    ErrorBefore,
    ErrorAfter,
    DropAfter,
}

fn roll(faults: &Faults, is_charge: bool) -> Fault {
    let mut rng = rand::thread_rng();
    let dice: f64 = rng.gen();
    let mut edge = faults.hang_rate;
    if dice < edge {
        let ms = if faults.hang_ms == 0 {
            120_000
        } else {
            faults.hang_ms
        };
        return Fault::Hang(Duration::from_millis(ms));
    }
    edge += faults.reset_rate;
    if dice < edge {
        return Fault::Reset;
    }
    edge += faults.error_rate;
    if dice < edge {
        return if is_charge && rng.gen_bool(0.5) {
            Fault::ErrorAfter
        } else {
            Fault::ErrorBefore
        };
    }
    edge += faults.drop_rate;
    if dice < edge && is_charge {
        return Fault::DropAfter;
    }
    Fault::None
}

async fn reset(kill: Option<Extension<Kill>>) -> Response {
    match kill {
        Some(Extension(Kill(notify))) => {
            notify.notify_one();
            // The connection task drops this request with the connection.
            std::future::pending::<Response>().await
        }
        None => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            "connection reset (simulated)",
        ),
    }
}

async fn inject_faults(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let faults = state.faults();
    // Refunds move money too: the same faults (a 500 or a dropped answer after the work).
    let is_charge = request.method() == axum::http::Method::POST
        && matches!(request.uri().path(), "/v1/charges" | "/v1/refunds");
    let kill = request.extensions().get::<Kill>().cloned().map(Extension);
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let path = request.uri().path().to_owned();
    match roll(&faults, is_charge) {
        Fault::None => next.run(request).await,
        Fault::Hang(duration) => {
            tracing::info!(%path, "sandbox fault: hanging");
            tokio::time::sleep(duration).await;
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "api_error",
                "hung (simulated)",
            )
        }
        Fault::Reset => {
            tracing::info!(%path, "sandbox fault: connection reset");
            reset(kill).await
        }
        Fault::ErrorBefore => {
            tracing::info!(%path, "sandbox fault: 503 before doing anything");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "api_error",
                "unavailable (simulated)",
            )
        }
        Fault::ErrorAfter => {
            let response = next.run(request).await;
            tracing::info!(%path, status = %response.status(), "sandbox fault: 500 after the charge");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                "internal error (simulated)",
            )
        }
        Fault::DropAfter => {
            let response = next.run(request).await;
            tracing::info!(%path, status = %response.status(), "sandbox fault: charged, then dropping the response");
            reset(kill).await
        }
    }
}

/// The service's routes (the `/v1/` ones behind fault injection).
pub fn router(state: Shared) -> Router {
    let faulty = Router::new()
        .route("/v1/tokens", post(tokens))
        .route("/v1/charges", post(charges))
        .route("/v1/charges/{key}", get(charge_by_key))
        .route("/v1/charges/{key}/cancel", post(cancel_by_key))
        .route("/v1/setups", post(setups))
        .route("/v1/refunds", post(refunds))
        .route("/v1/refunds/{key}", get(refund_by_key))
        .layer(middleware::from_fn_with_state(state.clone(), inject_faults));
    Router::new()
        .merge(faulty)
        .route("/v1/ledger", get(ledger))
        .route("/admin/faults", get(get_faults).put(put_faults))
        .route(
            "/sandbox/3ds/{reference}",
            get(challenge_page).post(challenge_answer),
        )
        .route("/healthz", get(healthz))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
}

#[cfg(unix)]
fn duplicate(stream: &TcpStream) -> Option<socket2::Socket> {
    use std::os::fd::AsFd;
    stream
        .as_fd()
        .try_clone_to_owned()
        .ok()
        .map(socket2::Socket::from)
}

#[cfg(not(unix))]
fn duplicate(_stream: &TcpStream) -> Option<socket2::Socket> {
    None
}

/// Serves until `shutdown` completes. Each connection can be reset from inside a request: the
/// socket is closed with a zero linger time, so the client sees a reset, not an answer.
pub async fn serve(
    listener: TcpListener,
    state: Shared,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let app = router(state);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "sandbox: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        let kill = Kill::default();
        let raw = duplicate(&stream);
        let service = hyper_util::service::TowerToHyperService::new(
            app.clone().layer(Extension(kill.clone())),
        );
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::select! {
                result = connection => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "sandbox: connection ended with an error");
                    }
                }
                () = kill.0.notified() => {
                    if let Some(socket) = &raw {
                        let _ = socket.set_linger(Some(Duration::ZERO));
                    }
                }
            }
            // The connection is dropped by now; closing the last descriptor sends the reset.
            drop(raw);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_shares_are_checked() {
        assert!(Faults::default().valid());
        assert!(Faults {
            error_rate: 0.5,
            drop_rate: 0.5,
            ..Faults::default()
        }
        .valid());
        assert!(!Faults {
            error_rate: 0.7,
            drop_rate: 0.5,
            ..Faults::default()
        }
        .valid());
        assert!(!Faults {
            reset_rate: -0.1,
            ..Faults::default()
        }
        .valid());
    }

    #[test]
    fn rolls_follow_the_shares() {
        let always_reset = Faults {
            reset_rate: 1.0,
            ..Faults::default()
        };
        assert!(matches!(roll(&always_reset, true), Fault::Reset));
        let drop_only = Faults {
            drop_rate: 1.0,
            ..Faults::default()
        };
        assert!(matches!(roll(&drop_only, true), Fault::DropAfter));
        // Dropping after the charge is for charges only.
        assert!(matches!(roll(&drop_only, false), Fault::None));
        assert!(matches!(roll(&Faults::default(), true), Fault::None));
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
    }
}
