//! Stripe's webhook signatures: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "t.body" under the endpoint's secret>[,v1=…]` (several `v1` while a secret is rolled).
//! Compared in constant time; a timestamp more than [`TOLERANCE_SECS`] from now is refused.

use crate::WebhookRefusal;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a signature's timestamp may be from now (Stripe's libraries use five minutes).
pub const TOLERANCE_SECS: i64 = 300;

/// Checks `header` against `body` and `secret` at `now` (unix seconds).
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<(), WebhookRefusal> {
    let mut timestamp: Option<i64> = None;
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        let Some((name, value)) = part.trim().split_once('=') else {
            continue;
        };
        match name {
            "t" => {
                timestamp = Some(
                    value
                        .parse()
                        .map_err(|_| WebhookRefusal::MalformedSignature)?,
                )
            }
            // Other schemes (v0, test-mode extras) are ignored, as Stripe's libraries do.
            "v1" => {
                if let Ok(bytes) = hex::decode(value) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookRefusal::MalformedSignature)?;
    if signatures.is_empty() {
        return Err(WebhookRefusal::MalformedSignature);
    }
    let mut matched = false;
    for signature in &signatures {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .map_err(|_| WebhookRefusal::NotConfigured)?;
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        // `verify_slice` compares in constant time.
        matched |= mac.verify_slice(signature).is_ok();
    }
    if !matched {
        return Err(WebhookRefusal::BadSignature);
    }
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(WebhookRefusal::Stale);
    }
    Ok(())
}

/// The header Stripe would send for `body` at `timestamp` (for tests and the demo).
pub fn sign(secret: &str, body: &[u8], timestamp: i64) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";

    #[test]
    fn a_signature_made_with_the_secret_verifies() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(SECRET, body, 1_700_000_000);
        assert_eq!(verify(SECRET, &header, body, 1_700_000_010), Ok(()));
    }

    #[test]
    fn wrong_secret_changed_body_and_old_timestamps_are_refused() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(SECRET, body, 1_700_000_000);
        assert_eq!(
            verify("whsec_other", &header, body, 1_700_000_000),
            Err(WebhookRefusal::BadSignature)
        );
        assert_eq!(
            verify(SECRET, &header, br#"{"id":"evt_2"}"#, 1_700_000_000),
            Err(WebhookRefusal::BadSignature)
        );
        assert_eq!(
            verify(SECRET, &header, body, 1_700_000_000 + TOLERANCE_SECS + 1),
            Err(WebhookRefusal::Stale)
        );
        assert_eq!(
            verify(SECRET, &header, body, 1_700_000_000 - TOLERANCE_SECS - 1),
            Err(WebhookRefusal::Stale)
        );
    }

    #[test]
    fn any_one_of_several_v1_signatures_may_match() {
        let body = b"{}";
        let good = sign(SECRET, body, 42);
        let good_v1 = good.split(",v1=").nth(1).unwrap();
        let header = format!("t=42,v1={},v0=abc,v1={good_v1}", "00".repeat(32));
        assert_eq!(verify(SECRET, &header, body, 42), Ok(()));
    }

    #[test]
    fn malformed_headers_are_refused_without_panicking() {
        for header in [
            "",
            "t=",
            "t=abc,v1=00",
            "v1=00",
            "t=42",
            "t=42,v1=zz",
            "garbage",
        ] {
            assert!(verify(SECRET, header, b"{}", 42).is_err(), "{header}");
        }
    }
}
