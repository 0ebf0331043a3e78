//! Webhooks: endpoints that account owners (and the operator) register, signed deliveries
//! after the Standard Webhooks specification, and the guard against requests into the
//! deployment's own network.
//!
//! A delivery is `POST url` with `{type, timestamp, data}` and the headers `webhook-id` (the
//! delivery's id: the same on every retry), `webhook-timestamp` (seconds) and
//! `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per valid
//! secret, space-separated while a rotated-out secret still signs). 2xx is delivered, 410
//! disables the endpoint, `Retry-After` is honoured, anything else is retried.

use crate::{AccountScope, AppError, AppResult, Services};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use faktura_domain::*;
use faktura_store::outbox::Delivery;
use faktura_store::webhooks::{DeliveryAttempt, NewAttempt, WebhookEndpoint};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::net::{IpAddr, SocketAddr};

pub use faktura_store::webhooks::{DeliveryAttempt as Attempt, WebhookEndpoint as Endpoint};

/// The event types an endpoint may ask for.
pub const EVENT_TYPES: &[&str] = &[
    "invoice.issued",
    "invoice.paid",
    "invoice.past_due",
    "invoice.due_soon",
    "payment.succeeded",
    "payment.failed",
    "payment.requires_action",
    "payment.refunded",
    "credit_note.issued",
    "payment_method.expiring",
    "payment_method.expired",
    "payment_method.added",
    "payment_method.replaced",
];
/// How long a rotated-out secret keeps signing.
pub const ROTATION_HOURS: i64 = 24;
/// The most endpoints one account (or the operator) may register.
pub const MAX_ENDPOINTS: usize = 20;

/// A fresh signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    format!("whsec_{}", BASE64.encode(key))
}

/// The `v1,…` signature of one message under one `whsec_` secret.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = BASE64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    Some(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// Why an endpoint or a delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("the URL must be http:// or https:// with a host")]
    BadUrl,
    #[error("unknown event type {0:?}")]
    UnknownEventType(String),
    #[error("the host does not resolve")]
    Unresolvable,
    /// Loopback, private, link-local and other internal addresses are refused unless the
    /// operator allows them (`--webhooks-allow-private`).
    #[error("the host resolves to an internal address ({0})")]
    InternalAddress(IpAddr),
    #[error("at most {MAX_ENDPOINTS} endpoints")]
    TooMany,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<faktura_store::StoreError> for WebhookError {
    fn from(error: faktura_store::StoreError) -> Self {
        WebhookError::App(AppError::Store(error))
    }
}

/// An address a webhook must not reach by default: this machine, its private networks, the
/// cloud metadata service (link-local), and addresses that are not for hosts.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                // Shared address space (carrier-grade NAT) and benchmarking.
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local (fc00::/7) and link-local (fe80::/10).
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Resolves the URL's host and checks every address it gives; the addresses to connect to
/// (so that a second lookup cannot point the request elsewhere).
pub async fn destination(
    url: &str,
    allow_internal: bool,
) -> Result<(url::Url, Vec<SocketAddr>), WebhookError> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| WebhookError::BadUrl)?;
    if !matches!(parsed.scheme(), "http" | "https") || !parsed.username().is_empty() {
        return Err(WebhookError::BadUrl);
    }
    let host = parsed.host_str().ok_or(WebhookError::BadUrl)?.to_owned();
    let port = parsed.port_or_known_default().ok_or(WebhookError::BadUrl)?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| WebhookError::Unresolvable)?
        .collect();
    if addresses.is_empty() {
        return Err(WebhookError::Unresolvable);
    }
    if !allow_internal {
        if let Some(bad) = addresses.iter().find(|a| is_internal(a.ip())) {
            return Err(WebhookError::InternalAddress(bad.ip()));
        }
    }
    Ok((parsed, addresses))
}

fn event_types(raw: &[String]) -> Result<Vec<String>, WebhookError> {
    let mut types: Vec<String> = Vec::new();
    for t in raw.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if t != "*" && !EVENT_TYPES.contains(&t) {
            return Err(WebhookError::UnknownEventType(t.to_owned()));
        }
        if !types.iter().any(|known| known == t) {
            types.push(t.to_owned());
        }
    }
    if types.is_empty() {
        types.push("*".into());
    }
    Ok(types)
}

/// Registers an endpoint for `account` (`None`: the operator's, for every account); it and
/// its secret, which is shown to its owner this once.
async fn register(
    app: &Services,
    account: Option<&BillingAccountId>,
    url: &str,
    types: &[String],
) -> Result<WebhookEndpoint, WebhookError> {
    destination(url, app.config.webhooks_allow_internal).await?;
    let event_types = event_types(types)?;
    if app.store.webhook_endpoints(account).await?.len() >= MAX_ENDPOINTS {
        return Err(WebhookError::TooMany);
    }
    let endpoint = WebhookEndpoint {
        id: format!("we_{}", &faktura_store::random_token()[..20]),
        billing_account_id: account.cloned(),
        url: url.trim().to_owned(),
        event_types,
        enabled: true,
        secret: new_secret(),
        previous_secret: None,
        previous_secret_until: None,
        disabled_reason: None,
        created_at: app.now(),
    };
    app.store.create_webhook_endpoint(&endpoint).await?;
    Ok(endpoint)
}

/// Webhooks are the account's settings: only who may edit its properties manages them.
fn require_owner(scope: &AccountScope) -> AppResult<()> {
    if scope.access.allows(Permission::EditProperties, None) {
        Ok(())
    } else {
        Err(AppError::not_allowed(
            "only billing account owners manage webhooks",
        ))
    }
}

pub async fn create(
    app: &Services,
    scope: &AccountScope,
    url: &str,
    types: &[String],
) -> Result<WebhookEndpoint, WebhookError> {
    require_owner(scope)?;
    register(app, Some(scope.id()), url, types).await
}

pub async fn list(app: &Services, scope: &AccountScope) -> AppResult<Vec<WebhookEndpoint>> {
    require_owner(scope)?;
    Ok(app.store.webhook_endpoints(Some(scope.id())).await?)
}

/// One of the account's endpoints (another account's is not found).
pub async fn get(app: &Services, scope: &AccountScope, id: &str) -> AppResult<WebhookEndpoint> {
    require_owner(scope)?;
    match app.store.webhook_endpoint(id).await? {
        Some(endpoint) if endpoint.billing_account_id.as_ref() == Some(scope.id()) => Ok(endpoint),
        _ => Err(AppError::NotFound(crate::Resource::Record)),
    }
}

pub async fn delete(app: &Services, scope: &AccountScope, id: &str) -> AppResult<()> {
    let endpoint = get(app, scope, id).await?;
    app.store.delete_webhook_endpoint(&endpoint.id).await?;
    Ok(())
}

/// A new secret (returned this once); the old one signs too for [`ROTATION_HOURS`].
pub async fn rotate(app: &Services, scope: &AccountScope, id: &str) -> AppResult<WebhookEndpoint> {
    let endpoint = get(app, scope, id).await?;
    app.store
        .rotate_webhook_secret(
            &endpoint.id,
            &new_secret(),
            app.now() + Duration::hours(ROTATION_HOURS),
        )
        .await?;
    get(app, scope, id).await
}

pub async fn attempts(
    app: &Services,
    scope: &AccountScope,
    id: &str,
) -> AppResult<Vec<DeliveryAttempt>> {
    let endpoint = get(app, scope, id).await?;
    Ok(app.store.webhook_attempts(&endpoint.id, 100).await?)
}

pub async fn resend(
    app: &Services,
    scope: &AccountScope,
    id: &str,
    delivery: &str,
) -> AppResult<()> {
    let endpoint = get(app, scope, id).await?;
    if app.store.resend_delivery(&endpoint.id, delivery).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(crate::Resource::Record))
    }
}

/// The operator's endpoints, for every account's events.
pub async fn operator_create(
    app: &Services,
    url: &str,
    types: &[String],
) -> Result<WebhookEndpoint, WebhookError> {
    register(app, None, url, types).await
}

pub async fn operator_list(app: &Services) -> AppResult<Vec<WebhookEndpoint>> {
    Ok(app.store.webhook_endpoints(None).await?)
}

/// The body of a delivery: the event's type, when it happened, and its details.
pub fn payload(delivery: &Delivery) -> String {
    let mut data = delivery.event.detail.clone();
    if let Some(object) = data.as_object_mut() {
        if let Some(account) = &delivery.event.billing_account_id {
            object.insert("billingAccountId".into(), account.as_str().into());
        }
        object.insert("object".into(), delivery.event.target.clone().into());
    }
    serde_json::json!({
        "type": delivery.event.kind,
        "timestamp": delivery.event.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Delivered,
    /// 410 Gone: the receiver asks us to stop; the endpoint is disabled.
    Gone,
    /// Try again (at the receiver's `Retry-After` when it gave one).
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    /// Will never work (the endpoint is gone or now resolves inside the network).
    Refused(String),
}

/// Makes one attempt and records it in the endpoint's log.
pub async fn attempt(app: &Services, delivery: &Delivery) -> AppResult<Sent> {
    let Some(endpoint) = app.store.webhook_endpoint(&delivery.recipient).await? else {
        return Ok(Sent::Refused("the endpoint was removed".into()));
    };
    if !endpoint.enabled {
        return Ok(Sent::Refused("the endpoint is disabled".into()));
    }
    let started = std::time::Instant::now();
    let (sent, status, detail) = post(app, &endpoint, delivery).await;
    let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    app.store
        .record_delivery_attempt(&NewAttempt {
            delivery_id: delivery.id.clone(),
            attempt: delivery.attempts,
            at: app.now(),
            status,
            latency_ms,
            detail,
        })
        .await?;
    if sent == Sent::Gone {
        app.store
            .disable_webhook_endpoint(&endpoint.id, "the receiver answered 410 Gone")
            .await?;
    }
    Ok(sent)
}

fn signatures(
    endpoint: &WebhookEndpoint,
    id: &str,
    timestamp: i64,
    body: &str,
    now: DateTime<Utc>,
) -> String {
    let mut secrets = vec![endpoint.secret.as_str()];
    if let (Some(old), Some(until)) = (&endpoint.previous_secret, endpoint.previous_secret_until) {
        if until > now {
            secrets.push(old);
        }
    }
    secrets
        .iter()
        .filter_map(|secret| sign(secret, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

async fn post(
    app: &Services,
    endpoint: &WebhookEndpoint,
    delivery: &Delivery,
) -> (Sent, Option<i64>, String) {
    let (url, addresses) =
        match destination(&endpoint.url, app.config.webhooks_allow_internal).await {
            Ok(found) => found,
            Err(WebhookError::Unresolvable) => {
                return (
                    Sent::Retry {
                        reason: "the host does not resolve".into(),
                        after: None,
                    },
                    None,
                    "the host does not resolve".into(),
                )
            }
            Err(error) => return (Sent::Refused(error.to_string()), None, error.to_string()),
        };
    let body = payload(delivery);
    let now = app.now();
    let timestamp = now.timestamp();
    let host = url.host_str().unwrap_or_default().to_owned();
    // Connect only to the addresses checked above; follow no redirect.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(app.config.webhook_timeout)
        .resolve_to_addrs(&host, &addresses)
        .user_agent("Faktura-Webhooks/1")
        .build();
    let client = match client {
        Ok(client) => client,
        Err(error) => return (Sent::Refused(error.to_string()), None, error.to_string()),
    };
    let answer = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signatures(endpoint, &delivery.id, timestamp, &body, now),
        )
        .body(body)
        .send()
        .await;
    let response = match answer {
        Ok(response) => response,
        Err(error) => {
            let reason = if error.is_timeout() {
                "no answer within the timeout".to_owned()
            } else {
                format!("cannot connect: {error}")
            };
            return (
                Sent::Retry {
                    reason: reason.clone(),
                    after: None,
                },
                None,
                reason,
            );
        }
    };
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map(|s| Duration::seconds(s.clamp(1, 24 * 3600)));
    let snippet: String = response
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let sent = if status.is_success() {
        Sent::Delivered
    } else if status.as_u16() == 410 {
        Sent::Gone
    } else {
        Sent::Retry {
            reason: format!("HTTP {}", status.as_u16()),
            after: retry_after,
        }
    };
    (sent, Some(i64::from(status.as_u16())), snippet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_the_standard_webhooks_example() {
        // The example of the specification (standard-webhooks, "Verifying webhooks").
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert!(new_secret().starts_with("whsec_"));
        assert_ne!(new_secret(), new_secret());
    }

    #[test]
    fn internal_addresses_are_recognised() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn destinations_are_checked_after_resolving() {
        assert!(matches!(
            destination("ftp://example.com/x", false).await,
            Err(WebhookError::BadUrl)
        ));
        assert!(matches!(
            destination("http://user:pw@example.com/", false).await,
            Err(WebhookError::BadUrl)
        ));
        assert!(matches!(
            destination("http://127.0.0.1:9/hook", false).await,
            Err(WebhookError::InternalAddress(_))
        ));
        // `localhost` is a name; it is the address it resolves to that counts.
        assert!(matches!(
            destination("http://localhost:9/hook", false).await,
            Err(WebhookError::InternalAddress(_))
        ));
        assert!(matches!(
            destination("http://[::1]:9/hook", false).await,
            Err(WebhookError::InternalAddress(_))
        ));
        assert!(destination("http://127.0.0.1:9/hook", true).await.is_ok());
    }
}
