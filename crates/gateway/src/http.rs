//! A gateway reached over HTTP: the sandbox service (`faktura sandbox-gateway`) today, the shape
//! of a real connector tomorrow. Every request has a connect and a total timeout. Anything that
//! leaves the outcome open — a timeout, a reset connection, a 5xx, an unreadable answer — is
//! [`GatewayError::Unknown`], never a failure: the janitor asks again later by idempotency key.

use crate::{
    CardToken, Charge, ChargeRequest, ChargeStatus, GatewayError, PaymentGateway, Refund,
    RefundRequest, SetupRequest,
};
use async_trait::async_trait;
use faktura_domain::card::CardInput;
use faktura_domain::FailureReason;
use reqwest::StatusCode;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub connect_timeout: Duration,
    /// The whole request, answer included.
    pub request_timeout: Duration,
    /// Faktura's own address as the person's browser reaches it (`http://host:port`), so the
    /// gateway's 3-D Secure page can send the person back; relative return paths are joined to it.
    pub public_url: Option<String>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(10),
            public_url: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpGateway {
    base: String,
    public_url: Option<String>,
    client: reqwest::Client,
}

fn unknown(error: reqwest::Error) -> GatewayError {
    // reqwest's errors name the URL, never the body; card details never reach a log this way.
    GatewayError::Unknown(if error.is_timeout() {
        "the gateway did not answer in time".to_owned()
    } else if error.is_connect() {
        "cannot connect to the gateway".to_owned()
    } else {
        format!("no usable answer from the gateway: {error}")
    })
}

/// Idempotency keys are Faktura's own ids; anything else is refused before it reaches a URL.
fn checked_key(key: &str) -> Result<&str, GatewayError> {
    if !key.is_empty()
        && key.len() <= 255
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(key)
    } else {
        Err(GatewayError::Invalid("malformed idempotency key".into()))
    }
}

impl HttpGateway {
    pub fn new(base_url: &str, options: HttpOptions) -> Result<HttpGateway, GatewayError> {
        let base = base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(GatewayError::Invalid(
                "the gateway URL must start with http:// or https://".into(),
            ));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| GatewayError::Invalid(format!("cannot build the HTTP client: {e}")))?;
        Ok(HttpGateway {
            base,
            public_url: options
                .public_url
                .map(|u| u.trim_end_matches('/').to_owned()),
            client,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The gateway's challenge pages are its own: make their paths absolute.
    fn absolute(&self, mut charge: Charge) -> Charge {
        if let ChargeStatus::RequiresAction { challenge_url } = &mut charge.status {
            if challenge_url.starts_with('/') {
                *challenge_url = format!("{}{challenge_url}", self.base);
            }
        }
        charge
    }

    fn return_url(&self, url: &str) -> String {
        match &self.public_url {
            Some(public) if url.starts_with('/') => format!("{public}{url}"),
            _ => url.to_owned(),
        }
    }

    async fn charge_answer(response: reqwest::Response) -> Result<Charge, GatewayError> {
        let status = response.status();
        if status.is_success() {
            return response.json::<Charge>().await.map_err(unknown);
        }
        Err(Self::error_answer(status, response).await)
    }

    /// The charge a request about one key answers with; 404: no charge under the key.
    async fn charge_if_any(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Option<Charge>, GatewayError> {
        let response = request.send().await.map_err(unknown)?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Self::charge_answer(response)
            .await
            .map(|c| Some(self.absolute(c)))
    }

    async fn error_answer(status: StatusCode, response: reqwest::Response) -> GatewayError {
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let code = body["error"]["code"].as_str().unwrap_or("").to_owned();
        if status == StatusCode::PAYMENT_REQUIRED {
            let reason = body["error"]["reason"]
                .as_str()
                .and_then(FailureReason::from_code)
                .unwrap_or(FailureReason::BankDeclined);
            return GatewayError::CardRefused(reason);
        }
        if status.is_client_error()
            && status != StatusCode::REQUEST_TIMEOUT
            && status != StatusCode::TOO_MANY_REQUESTS
            && status != StatusCode::CONFLICT
        {
            return GatewayError::Invalid(format!("{status} {code}"));
        }
        GatewayError::Unknown(format!("the gateway answered {status} {code}"))
    }

    /// Every charge the gateway holds (the sandbox service's ledger).
    pub async fn ledger(&self) -> Result<Vec<Charge>, GatewayError> {
        let response = self
            .client
            .get(self.url("/v1/ledger"))
            .send()
            .await
            .map_err(unknown)?;
        let status = response.status();
        if !status.is_success() {
            return Err(Self::error_answer(status, response).await);
        }
        #[derive(serde::Deserialize)]
        struct Ledger {
            charges: Vec<Charge>,
        }
        Ok(response.json::<Ledger>().await.map_err(unknown)?.charges)
    }
}

#[async_trait]
impl PaymentGateway for HttpGateway {
    async fn tokenize(&self, card: &CardInput) -> Result<CardToken, GatewayError> {
        let body = serde_json::json!({
            "holder": card.holder,
            "number": card.number(),
            "expiry": format!("{:02}/{:02}", card.exp_month, card.exp_year % 100),
            "cvc": card.cvc(),
        });
        let response = self
            .client
            .post(self.url("/v1/tokens"))
            .json(&body)
            .send()
            .await
            .map_err(unknown)?;
        let status = response.status();
        if status.is_success() {
            return response.json::<CardToken>().await.map_err(unknown);
        }
        Err(Self::error_answer(status, response).await)
    }

    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, GatewayError> {
        checked_key(&request.idempotency_key)?;
        let mut request = request.clone();
        request.return_url = self.return_url(&request.return_url);
        let response = self
            .client
            .post(self.url("/v1/charges"))
            .header("Idempotency-Key", request.idempotency_key.as_str())
            .json(&request)
            .send()
            .await
            .map_err(unknown)?;
        Self::charge_answer(response)
            .await
            .map(|c| self.absolute(c))
    }

    async fn lookup(&self, idempotency_key: &str) -> Result<Option<Charge>, GatewayError> {
        let key = checked_key(idempotency_key)?;
        let request = self.client.get(self.url(&format!("/v1/charges/{key}")));
        self.charge_if_any(request).await
    }

    async fn cancel_authentication(
        &self,
        idempotency_key: &str,
        _reference: Option<&str>,
    ) -> Result<Option<Charge>, GatewayError> {
        let key = checked_key(idempotency_key)?;
        let request = self
            .client
            .post(self.url(&format!("/v1/charges/{key}/cancel")));
        self.charge_if_any(request).await
    }

    async fn setup(&self, request: &SetupRequest) -> Result<Charge, GatewayError> {
        checked_key(&request.idempotency_key)?;
        let mut request = request.clone();
        request.return_url = self.return_url(&request.return_url);
        let response = self
            .client
            .post(self.url("/v1/setups"))
            .json(&request)
            .send()
            .await
            .map_err(unknown)?;
        Self::charge_answer(response)
            .await
            .map(|c| self.absolute(c))
    }

    async fn refund(&self, request: &RefundRequest) -> Result<Refund, GatewayError> {
        checked_key(&request.idempotency_key)?;
        let response = self
            .client
            .post(self.url("/v1/refunds"))
            .header("Idempotency-Key", request.idempotency_key.as_str())
            .json(request)
            .send()
            .await
            .map_err(unknown)?;
        let status = response.status();
        if status.is_success() {
            return response.json::<Refund>().await.map_err(unknown);
        }
        Err(Self::error_answer(status, response).await)
    }

    async fn lookup_refund(
        &self,
        idempotency_key: &str,
        _charge_reference: Option<&str>,
    ) -> Result<Option<Refund>, GatewayError> {
        let key = checked_key(idempotency_key)?;
        let response = self
            .client
            .get(self.url(&format!("/v1/refunds/{key}")))
            .send()
            .await
            .map_err(unknown)?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if status.is_success() {
            return response.json::<Refund>().await.map(Some).map_err(unknown);
        }
        Err(Self::error_answer(status, response).await)
    }

    async fn ready(&self) -> Result<(), GatewayError> {
        let response = self
            .client
            .get(self.url("/healthz"))
            .send()
            .await
            .map_err(unknown)?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(GatewayError::Unknown(format!(
                "the gateway answered {}",
                response.status()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::{self, Faults, ServiceState};
    use crate::SandboxGateway;
    use faktura_domain::{Currency, Money};
    use std::sync::Arc;

    async fn start(
        faults: Faults,
    ) -> (String, Arc<ServiceState>, tokio::sync::oneshot::Sender<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let state = ServiceState::new(Arc::new(SandboxGateway::new()), faults);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(service::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        (format!("http://{address}"), state, stop)
    }

    fn client(base: &str) -> HttpGateway {
        HttpGateway::new(
            base,
            HttpOptions {
                connect_timeout: Duration::from_millis(500),
                request_timeout: Duration::from_millis(800),
                public_url: Some("http://127.0.0.1:9".into()),
            },
        )
        .unwrap()
    }

    fn card(number: &str) -> CardInput {
        let today = chrono::Utc::now().date_naive();
        CardInput::parse("Test Holder", number, "12/39", "123", today).unwrap()
    }

    fn request(key: &str, token: &str) -> ChargeRequest {
        ChargeRequest {
            idempotency_key: key.into(),
            token: token.into(),
            amount: Money::from_minor(12_500, Currency::DKK),
            return_url: "/billing/ba/payments/pay/return".into(),
            reference: None,
            metadata: Vec::new(),
        }
    }

    #[tokio::test]
    async fn charges_and_lookups_over_http() {
        let (base, state, _stop) = start(Faults::default()).await;
        let gateway = client(&base);
        gateway.ready().await.unwrap();
        let token = gateway.tokenize(&card("4242424242424242")).await.unwrap();
        assert_eq!(token.last4, "4242");
        assert!(!token.token.contains("4242424242424242"));
        let first = gateway
            .charge(&request("pay_a", &token.token))
            .await
            .unwrap();
        assert_eq!(first.status, ChargeStatus::Succeeded);
        let again = gateway
            .charge(&request("pay_a", &token.token))
            .await
            .unwrap();
        assert_eq!(first, again);
        assert_eq!(gateway.lookup("pay_a").await.unwrap(), Some(first));
        assert_eq!(gateway.lookup("pay_b").await.unwrap(), None);
        assert_eq!(gateway.ledger().await.unwrap().len(), 1);
        assert!(matches!(
            gateway.lookup("../admin").await,
            Err(GatewayError::Invalid(_))
        ));

        let declined = SandboxGateway::token_for_number("4000000000000002");
        let charge = gateway.charge(&request("pay_d", &declined)).await.unwrap();
        assert_eq!(
            charge.status,
            ChargeStatus::Failed(FailureReason::BankDeclined)
        );

        let secure = SandboxGateway::token_for_number("4000002760003184");
        let charge = gateway.charge(&request("pay_3ds", &secure)).await.unwrap();
        let ChargeStatus::RequiresAction { challenge_url } = &charge.status else {
            panic!("expected a challenge: {charge:?}");
        };
        assert!(challenge_url.starts_with(&base), "{challenge_url}");
        let pending = state.sandbox.challenge(&charge.reference).unwrap();
        assert_eq!(
            pending.return_url,
            "http://127.0.0.1:9/billing/ba/payments/pay/return"
        );

        assert!(matches!(
            gateway.charge(&request("pay_x", "tok_unknown")).await,
            Err(GatewayError::Invalid(_))
        ));
    }

    #[tokio::test]
    async fn every_fault_is_unknown_and_the_ledger_tells_the_truth() {
        let (base, state, _stop) = start(Faults::default()).await;
        let gateway = client(&base);
        let token = SandboxGateway::token_for_number("4242424242424242");
        let cases = [
            (
                "reset",
                Faults {
                    reset_rate: 1.0,
                    ..Faults::default()
                },
                false,
            ),
            (
                "hang",
                Faults {
                    hang_rate: 1.0,
                    hang_ms: 5_000,
                    ..Faults::default()
                },
                false,
            ),
            (
                "latency",
                Faults {
                    latency_ms: 2_000,
                    ..Faults::default()
                },
                false,
            ),
            (
                "drop",
                Faults {
                    drop_rate: 1.0,
                    ..Faults::default()
                },
                true,
            ),
        ];
        for (name, faults, charged) in cases {
            state.set_faults(faults);
            let key = format!("pay_{name}");
            let answer = gateway.charge(&request(&key, &token)).await;
            assert!(
                matches!(answer, Err(GatewayError::Unknown(_))),
                "{name}: {answer:?}"
            );
            state.set_faults(Faults::default());
            // Give a cancelled request a moment, then ask as the janitor would.
            tokio::time::sleep(Duration::from_millis(100)).await;
            let found = gateway.lookup(&key).await.unwrap();
            assert_eq!(found.is_some(), charged, "{name}: {found:?}");
        }
        state.set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        });
        for i in 0..10 {
            let answer = gateway.charge(&request(&format!("pay_e{i}"), &token)).await;
            assert!(
                matches!(answer, Err(GatewayError::Unknown(_))),
                "{answer:?}"
            );
        }
        state.set_faults(Faults::default());
        // Whatever the 5xx did, a retry with the same key never charges twice.
        for i in 0..10 {
            gateway
                .charge(&request(&format!("pay_e{i}"), &token))
                .await
                .unwrap();
        }
        let ledger = gateway.ledger().await.unwrap();
        let keys: std::collections::HashSet<_> =
            ledger.iter().map(|c| c.idempotency_key.clone()).collect();
        assert_eq!(keys.len(), ledger.len());
        assert_eq!(ledger.len(), 11);
    }

    #[tokio::test]
    async fn refunds_over_http_and_a_dropped_answer_is_unknown() {
        let (base, state, _stop) = start(Faults::default()).await;
        let gateway = client(&base);
        let token = SandboxGateway::token_for_number("4242424242424242");
        gateway.charge(&request("pay_r", &token)).await.unwrap();
        let refund = |key: &str, minor: i64| RefundRequest {
            idempotency_key: key.into(),
            charge_key: "pay_r".into(),
            charge_reference: None,
            amount: Money::from_minor(minor, Currency::DKK),
            metadata: Vec::new(),
        };
        let first = gateway.refund(&refund("rf_a", 5_000)).await.unwrap();
        assert_eq!(first.status, crate::RefundStatus::Succeeded);
        assert_eq!(gateway.refund(&refund("rf_a", 5_000)).await.unwrap(), first);
        assert_eq!(
            gateway.lookup_refund("rf_a", None).await.unwrap(),
            Some(first)
        );
        assert_eq!(gateway.lookup_refund("rf_b", None).await.unwrap(), None);
        state.set_faults(Faults {
            drop_rate: 1.0,
            ..Faults::default()
        });
        let dropped = gateway.refund(&refund("rf_b", 1_000)).await;
        assert!(
            matches!(dropped, Err(GatewayError::Unknown(_))),
            "{dropped:?}"
        );
        state.set_faults(Faults::default());
        tokio::time::sleep(Duration::from_millis(100)).await;
        let found = gateway.lookup_refund("rf_b", None).await.unwrap().unwrap();
        assert_eq!(found.status, crate::RefundStatus::Succeeded);
        assert_eq!(state.sandbox.refunds().len(), 2);
    }

    #[tokio::test]
    async fn nobody_listening_is_unknown() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let gateway = client(&format!("http://{address}"));
        assert!(matches!(
            gateway.lookup("pay_1").await,
            Err(GatewayError::Unknown(_))
        ));
        assert!(gateway.ready().await.is_err());
    }

    #[tokio::test]
    async fn the_ledger_survives_a_restart() {
        let dir = std::env::temp_dir().join(format!("faktura-sbx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ledger.json");
        let _ = std::fs::remove_file(&path);
        let token = SandboxGateway::token_for_number("4242424242424242");
        {
            let sandbox = SandboxGateway::with_state_file(&path).unwrap();
            sandbox.charge(&request("pay_kept", &token)).await.unwrap();
        }
        let reopened = SandboxGateway::with_state_file(&path).unwrap();
        assert_eq!(reopened.ledger().len(), 1);
        assert!(reopened.lookup("pay_kept").await.unwrap().is_some());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("4242424242424242"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
