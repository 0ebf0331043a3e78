//! The Stripe connector: PaymentIntents for charges, SetupIntents for saving cards, one Stripe
//! customer per billing profile, signed webhooks.
//!
//! Card details never reach Faktura: the browser collects them with Stripe.js Elements and
//! confirms SetupIntents itself; Faktura's server sees only Stripe's ids (`cus_…`, `seti_…`,
//! `pm_…`, `pi_…`). A charge is created first (moving no money, with Faktura's payment id as
//! the `Idempotency-Key` and in the metadata), its id stored with the payment, then confirmed.
//! Timeouts, connection resets, 5xx and 429 are "unknown", never "failed".
//!
//! Requests are form-encoded, as Stripe's API takes them, and carry a pinned
//! [`STRIPE_API_VERSION`].

#[cfg(test)]
mod faults;
mod recovery;
pub mod transformers;
pub mod webhook;

use crate::{
    BrowserCardEntry, CardSetup, CardSetupAnswer, CardSetupStatus, CardToken, Charge,
    ChargeRequest, ChargeStatus, CustomerRequest, GatewayError, GatewayEvent, PaymentGateway,
    Refund, RefundRequest, RefundStatus, WebhookRefusal,
};
use async_trait::async_trait;
use faktura_domain::card::CardInput;
use std::fmt;
use std::time::Duration;
use transformers::REFUND_METADATA;
use transformers::{ApiError, Intent, PaymentMethodObject, RefundObject, KEY_METADATA};

/// The Stripe API version Faktura is built and tested against (sent as `Stripe-Version`).
pub const STRIPE_API_VERSION: &str = "2024-06-20";
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";
pub const DEFAULT_JS_URL: &str = "https://js.stripe.com/v3/";

/// How to reach Stripe. The secrets never appear in `Debug` output or logs.
#[derive(Clone)]
pub struct StripeConfig {
    pub secret_key: String,
    pub publishable_key: String,
    pub webhook_secret: String,
    /// `https://api.stripe.com`; tests point it at localstripe.
    pub api_base: String,
    /// Stripe.js v3; tests point it at localstripe's replacement.
    pub js_url: String,
    /// One request's limit; no answer in time is "unknown".
    pub timeout: Duration,
    /// A 429 is retried once when its `Retry-After` is at most this long, else "unknown".
    pub max_retry_after: Duration,
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeConfig")
            .field("secret_key", &"<redacted>")
            .field("publishable_key", &self.publishable_key)
            .field("webhook_secret", &"<redacted>")
            .field("api_base", &self.api_base)
            .field("js_url", &self.js_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl StripeConfig {
    pub fn new(secret_key: &str, publishable_key: &str, webhook_secret: &str) -> StripeConfig {
        StripeConfig {
            secret_key: secret_key.to_owned(),
            publishable_key: publishable_key.to_owned(),
            webhook_secret: webhook_secret.to_owned(),
            api_base: DEFAULT_API_BASE.to_owned(),
            js_url: DEFAULT_JS_URL.to_owned(),
            timeout: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(2),
        }
    }
}

pub struct StripeGateway {
    config: StripeConfig,
    base: String,
    client: reqwest::Client,
}

impl fmt::Debug for StripeGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeGateway")
            .field("config", &self.config)
            .finish()
    }
}

/// What one request to Stripe came to.
#[derive(Debug)]
enum Failure {
    /// No definite answer (timeout, reset, 5xx, 429, 409 while a request with the key runs).
    Unknown(String),
    /// Stripe answered and refused.
    Api { status: u16, error: ApiError },
}

impl From<Failure> for GatewayError {
    fn from(failure: Failure) -> GatewayError {
        match failure {
            Failure::Unknown(detail) => GatewayError::Unknown(detail),
            Failure::Api { status: 402, error } => {
                GatewayError::CardRefused(transformers::failure_reason(&error))
            }
            Failure::Api { status, error } => GatewayError::Invalid(format!(
                "Stripe answered {status} {} {}",
                error.kind.unwrap_or_default(),
                error.code.unwrap_or_default()
            )),
        }
    }
}

fn transport(error: reqwest::Error) -> Failure {
    // reqwest's errors name the URL, never the body or the key.
    Failure::Unknown(if error.is_timeout() {
        "Stripe did not answer in time".to_owned()
    } else if error.is_connect() {
        "cannot connect to Stripe".to_owned()
    } else {
        format!("no usable answer from Stripe: {error}")
    })
}

/// Stripe ids (and Faktura's keys) only: nothing else reaches a URL.
fn checked_id(id: &str) -> Result<&str, GatewayError> {
    if !id.is_empty()
        && id.len() <= 255
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(id)
    } else {
        Err(GatewayError::Invalid("malformed Stripe id".into()))
    }
}

type Form = Vec<(String, String)>;

fn metadata(form: &mut Form, pairs: &[(String, String)]) {
    for (key, value) in pairs {
        form.push((format!("metadata[{key}]"), value.clone()));
    }
}

impl StripeGateway {
    pub fn new(config: StripeConfig) -> Result<StripeGateway, GatewayError> {
        let base = config.api_base.trim_end_matches('/').to_owned();
        let parsed = url_scheme(&base)
            .ok_or_else(|| GatewayError::Invalid("the Stripe API base is not a URL".into()))?;
        if parsed != "https" && parsed != "http" {
            return Err(GatewayError::Invalid(
                "the Stripe API base must be http(s)".into(),
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| GatewayError::Invalid(format!("HTTP client: {e}")))?;
        Ok(StripeGateway {
            config,
            base,
            client,
        })
    }

    pub fn config(&self) -> &StripeConfig {
        &self.config
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<serde_json::Value, Failure> {
        let encoded = serde_urlencoded::to_string(form)
            .map_err(|e| Failure::Unknown(format!("cannot encode the request: {e}")))?;
        let mut retried = false;
        loop {
            let mut request = if method == reqwest::Method::GET {
                let query = if encoded.is_empty() {
                    String::new()
                } else {
                    format!("?{encoded}")
                };
                self.client.get(format!("{}{path}{query}", self.base))
            } else {
                self.client
                    .request(method.clone(), format!("{}{path}", self.base))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(encoded.clone())
            };
            request = request
                .bearer_auth(&self.config.secret_key)
                .header("Stripe-Version", STRIPE_API_VERSION);
            if let Some(key) = idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            let response = request.send().await.map_err(transport)?;
            let status = response.status().as_u16();
            if status == 429 {
                let wait = response
                    .headers()
                    .get("Retry-After")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs)
                    .unwrap_or(Duration::from_secs(1));
                if !retried && wait <= self.config.max_retry_after {
                    retried = true;
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(Failure::Unknown("Stripe is rate limiting".into()));
            }
            if status >= 500 || status == 409 {
                return Err(Failure::Unknown(format!("Stripe answered {status}")));
            }
            let body: serde_json::Value = response.json().await.map_err(transport)?;
            if (200..300).contains(&status) {
                return Ok(body);
            }
            let error =
                serde_json::from_value::<ApiError>(body["error"].clone()).unwrap_or_default();
            return Err(Failure::Api { status, error });
        }
    }

    async fn object<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<T, Failure> {
        let body = self.call(method, path, form, idempotency_key).await?;
        serde_json::from_value(body)
            .map_err(|e| Failure::Unknown(format!("an answer Faktura cannot read: {e}")))
    }

    async fn payment_method(&self, id: &str) -> Result<PaymentMethodObject, GatewayError> {
        let id = checked_id(id)?;
        Ok(self
            .object(
                reqwest::Method::GET,
                &format!("/v1/payment_methods/{id}"),
                &[],
                None,
            )
            .await?)
    }

    async fn intent(&self, id: &str) -> Result<Option<Intent>, GatewayError> {
        let id = checked_id(id)?;
        match self
            .object::<Intent>(
                reqwest::Method::GET,
                &format!("/v1/payment_intents/{id}"),
                &[],
                None,
            )
            .await
        {
            Ok(intent) => Ok(Some(intent)),
            Err(Failure::Api { status: 404, .. }) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }

    /// The intent as Faktura's charge under `key`, refusing an intent made for another key.
    fn charge_for(
        intent: &Intent,
        key: &str,
        challenge: &str,
    ) -> Result<Option<Charge>, GatewayError> {
        if let Some(theirs) = intent.metadata.get(KEY_METADATA) {
            if theirs != key {
                return Err(GatewayError::Invalid(
                    "the PaymentIntent belongs to another payment".into(),
                ));
            }
        }
        transformers::charge_of(intent, key, challenge)
    }
}

fn url_scheme(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    (!rest.is_empty()).then_some(scheme)
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    async fn tokenize(&self, _card: &CardInput) -> Result<CardToken, GatewayError> {
        Err(GatewayError::Invalid(
            "with Stripe, card details are entered in Stripe.js and never reach Faktura".into(),
        ))
    }

    async fn prepare(&self, request: &ChargeRequest) -> Result<Option<String>, GatewayError> {
        let key = checked_id(&request.idempotency_key)?;
        let method = self.payment_method(&request.token).await?;
        let mut form: Form = vec![
            ("amount".into(), request.amount.minor().to_string()),
            (
                "currency".into(),
                request.amount.currency().code().to_ascii_lowercase(),
            ),
            ("payment_method".into(), method.id.clone()),
            ("payment_method_types[0]".into(), "card".into()),
        ];
        if let Some(customer) = &method.customer {
            form.push(("customer".into(), customer.clone()));
        }
        let mut pairs = vec![(KEY_METADATA.to_owned(), key.to_owned())];
        pairs.extend(request.metadata.iter().cloned());
        metadata(&mut form, &pairs);
        let intent: Intent = self
            .object(
                reqwest::Method::POST,
                "/v1/payment_intents",
                &form,
                Some(key),
            )
            .await?;
        Ok(Some(intent.id))
    }

    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, GatewayError> {
        let key = checked_id(&request.idempotency_key)?;
        let reference = match &request.reference {
            Some(reference) => reference.clone(),
            None => match self.prepare(request).await? {
                Some(reference) => reference,
                None => return Err(GatewayError::Unknown("no PaymentIntent".into())),
            },
        };
        let id = checked_id(&reference)?;
        let confirmed = self
            .object::<Intent>(
                reqwest::Method::POST,
                &format!("/v1/payment_intents/{id}/confirm"),
                &[],
                Some(&format!("{key}-confirm")),
            )
            .await;
        let intent = match confirmed {
            Ok(intent) => intent,
            Err(Failure::Api { status: 402, error }) => {
                return Ok(Charge {
                    reference,
                    idempotency_key: key.to_owned(),
                    amount: request.amount,
                    status: ChargeStatus::Failed(transformers::failure_reason(&error)),
                })
            }
            // Refused for another reason (already confirmed, say): the intent itself says
            // where it stands.
            Err(Failure::Api { .. }) => match self.intent(id).await? {
                Some(intent) => intent,
                None => return Err(GatewayError::Invalid("the PaymentIntent is gone".into())),
            },
            Err(unknown) => return Err(unknown.into()),
        };
        match Self::charge_for(&intent, key, &request.return_url)? {
            Some(charge) => Ok(charge),
            None => Err(GatewayError::Unknown(format!(
                "the PaymentIntent is still {}",
                intent.status
            ))),
        }
    }

    /// Without the intent's id: Faktura stores it before it confirms, so a charge that could
    /// have moved money always has one; an intent whose id was never learned is found by its
    /// metadata and, never confirmed, cancelled ([`recovery`]).
    async fn lookup(&self, idempotency_key: &str) -> Result<Option<Charge>, GatewayError> {
        self.recover(idempotency_key).await
    }

    async fn lookup_charge(
        &self,
        idempotency_key: &str,
        reference: Option<&str>,
    ) -> Result<Option<Charge>, GatewayError> {
        let Some(reference) = reference else {
            return self.lookup(idempotency_key).await;
        };
        match self.intent(reference).await? {
            Some(intent) => Self::charge_for(&intent, idempotency_key, ""),
            None => Ok(None),
        }
    }

    async fn abandon(&self, reference: &str) -> Result<(), GatewayError> {
        let id = checked_id(reference)?;
        match self
            .call(
                reqwest::Method::POST,
                &format!("/v1/payment_intents/{id}/cancel"),
                &[],
                None,
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(Failure::Api { status: 404, .. }) => Ok(()),
            Err(Failure::Api { .. }) => match self.intent(id).await? {
                Some(intent) if intent.status == "canceled" => Ok(()),
                Some(intent) => Err(GatewayError::Invalid(format!(
                    "the PaymentIntent is {}, not cancelable",
                    intent.status
                ))),
                None => Ok(()),
            },
            Err(unknown) => Err(unknown.into()),
        }
    }

    /// Cancels the PaymentIntent while it waits for the challenge; Stripe refuses to cancel one
    /// that succeeded meanwhile, and the intent itself then says where it stands. (No
    /// `cancellation_reason` is sent: localstripe refuses every parameter there, and the cancel
    /// we made is what makes it an abandoned challenge.)
    async fn cancel_authentication(
        &self,
        idempotency_key: &str,
        reference: Option<&str>,
    ) -> Result<Option<Charge>, GatewayError> {
        let Some(reference) = reference else {
            return Ok(None);
        };
        let id = checked_id(reference)?;
        match self
            .object::<Intent>(
                reqwest::Method::POST,
                &format!("/v1/payment_intents/{id}/cancel"),
                &[],
                None,
            )
            .await
        {
            Ok(mut intent) if intent.status == "canceled" => {
                intent.cancellation_reason = Some("abandoned".into());
                return Self::charge_for(&intent, idempotency_key, "");
            }
            Ok(_) | Err(Failure::Api { .. }) => {}
            Err(unknown) => return Err(unknown.into()),
        }
        self.lookup_charge(idempotency_key, Some(reference)).await
    }

    /// `POST /v1/refunds` on the charge's PaymentIntent, with Faktura's refund id as the
    /// `Idempotency-Key` and in the metadata. Stripe refusing the refund (400: already
    /// refunded, more than is left, the charge failed) is a definite failure: nothing moved.
    async fn refund(&self, request: &RefundRequest) -> Result<Refund, GatewayError> {
        let key = checked_id(&request.idempotency_key)?;
        let Some(reference) = request.charge_reference.as_deref() else {
            return Err(GatewayError::Invalid(
                "the payment has no PaymentIntent to refund".into(),
            ));
        };
        let intent = checked_id(reference)?;
        let mut form: Form = vec![
            ("payment_intent".into(), intent.to_owned()),
            ("amount".into(), request.amount.minor().to_string()),
        ];
        let mut pairs = vec![(REFUND_METADATA.to_owned(), key.to_owned())];
        pairs.extend(request.metadata.iter().cloned());
        metadata(&mut form, &pairs);
        match self
            .object::<RefundObject>(reqwest::Method::POST, "/v1/refunds", &form, Some(key))
            .await
        {
            Ok(refund) => match transformers::refund_of(&refund, key)? {
                Some(answer) => Ok(answer),
                None => Err(GatewayError::Unknown(format!(
                    "the refund is still {}",
                    refund.status
                ))),
            },
            Err(Failure::Api { status, error })
                if (400..500).contains(&status) && status != 404 =>
            {
                Ok(Refund {
                    reference: String::new(),
                    idempotency_key: key.to_owned(),
                    amount: request.amount,
                    status: RefundStatus::Failed(
                        error
                            .code
                            .or(error.kind)
                            .unwrap_or_else(|| format!("stripe_{status}")),
                    ),
                })
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Stripe cannot be asked by idempotency key: the PaymentIntent's refunds are listed and
    /// the one carrying Faktura's refund id in its metadata is the answer.
    async fn lookup_refund(
        &self,
        idempotency_key: &str,
        charge_reference: Option<&str>,
    ) -> Result<Option<Refund>, GatewayError> {
        let Some(reference) = charge_reference else {
            return Ok(None);
        };
        let intent = checked_id(reference)?;
        let form: Form = vec![
            ("payment_intent".into(), intent.to_owned()),
            ("limit".into(), "100".into()),
        ];
        #[derive(serde::Deserialize)]
        struct RefundList {
            #[serde(default)]
            data: Vec<RefundObject>,
        }
        let list: RefundList = self
            .object(reqwest::Method::GET, "/v1/refunds", &form, None)
            .await?;
        let Some(found) = list
            .data
            .iter()
            .find(|r| r.metadata.get(REFUND_METADATA).map(String::as_str) == Some(idempotency_key))
        else {
            return Ok(None);
        };
        match transformers::refund_of(found, idempotency_key)? {
            Some(refund) => Ok(Some(refund)),
            None => Err(GatewayError::Unknown(format!(
                "the refund is still {}",
                found.status
            ))),
        }
    }

    fn browser_card_entry(&self) -> Option<BrowserCardEntry> {
        Some(BrowserCardEntry {
            publishable_key: self.config.publishable_key.clone(),
            js_url: self.config.js_url.clone(),
            api_base: self.base.clone(),
        })
    }

    async fn charge_client_secret(&self, reference: &str) -> Result<Option<String>, GatewayError> {
        Ok(self
            .intent(reference)
            .await?
            .filter(|intent| intent.status == "requires_action")
            .and_then(|intent| intent.client_secret))
    }

    async fn browser_card(&self, id: &str) -> Result<CardToken, GatewayError> {
        self.fresh_card(id).await
    }

    async fn demo_card(&self, customer: &str) -> Result<CardToken, GatewayError> {
        self.test_card_on(customer).await
    }

    async fn create_customer(&self, request: &CustomerRequest) -> Result<String, GatewayError> {
        let mut form: Form = vec![("name".into(), request.name.clone())];
        if let Some(email) = &request.email {
            form.push(("email".into(), email.clone()));
        }
        metadata(
            &mut form,
            &[
                ("faktura_account".into(), request.account_id.clone()),
                ("faktura_profile".into(), request.profile_id.clone()),
            ],
        );
        let key = format!("customer-{}", checked_id(&request.profile_id)?);
        let customer: serde_json::Value = self
            .call(reqwest::Method::POST, "/v1/customers", &form, Some(&key))
            .await?;
        customer["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| GatewayError::Unknown("Stripe's customer has no id".into()))
    }

    async fn begin_card_setup(
        &self,
        customer: &str,
        pairs: &[(String, String)],
    ) -> Result<CardSetup, GatewayError> {
        let mut form: Form = vec![
            ("customer".into(), checked_id(customer)?.to_owned()),
            ("usage".into(), "off_session".into()),
            ("payment_method_types[0]".into(), "card".into()),
        ];
        metadata(&mut form, pairs);
        let intent: Intent = self
            .object(reqwest::Method::POST, "/v1/setup_intents", &form, None)
            .await?;
        let client_secret = intent
            .client_secret
            .ok_or_else(|| GatewayError::Unknown("the SetupIntent has no client secret".into()))?;
        Ok(CardSetup {
            reference: intent.id,
            client_secret,
        })
    }

    async fn card_setup(&self, reference: &str) -> Result<CardSetupAnswer, GatewayError> {
        let id = checked_id(reference)?;
        let intent: Intent = match self
            .object(
                reqwest::Method::GET,
                &format!("/v1/setup_intents/{id}"),
                &[],
                None,
            )
            .await
        {
            Ok(intent) => intent,
            Err(Failure::Api { status: 404, .. }) => {
                return Err(GatewayError::Invalid("no such SetupIntent".into()))
            }
            Err(other) => return Err(other.into()),
        };
        let answer = |status| CardSetupAnswer {
            reference: intent.id.clone(),
            customer: intent.customer.clone(),
            status,
        };
        if let Some(status) = transformers::setup_status(&intent).without_card() {
            return Ok(answer(status));
        }
        let pm = intent
            .payment_method
            .as_deref()
            .ok_or_else(|| GatewayError::Invalid("the SetupIntent has no payment method".into()))?;
        let mut method = self.payment_method(pm).await?;
        if let Some(customer) = &intent.customer {
            if method.customer.as_ref() != Some(customer) {
                // Stripe attaches on success; some fakes do not. Attach it ourselves.
                let form: Form = vec![("customer".into(), customer.clone())];
                match self
                    .object::<PaymentMethodObject>(
                        reqwest::Method::POST,
                        &format!("/v1/payment_methods/{}/attach", checked_id(pm)?),
                        &form,
                        None,
                    )
                    .await
                {
                    Ok(attached) => method = attached,
                    Err(Failure::Api { status: 402, error }) => {
                        return Ok(answer(CardSetupStatus::Failed(
                            transformers::failure_reason(&error),
                        )))
                    }
                    Err(other) => return Err(other.into()),
                }
            }
        }
        Ok(answer(CardSetupStatus::Succeeded(
            transformers::card_token(&method)?,
        )))
    }

    async fn detach(&self, token: &str) -> Result<(), GatewayError> {
        let id = checked_id(token)?;
        match self
            .call(
                reqwest::Method::POST,
                &format!("/v1/payment_methods/{id}/detach"),
                &[],
                None,
            )
            .await
        {
            Ok(_) => Ok(()),
            // Gone already, or not attached to anyone: detached is what we want.
            Err(Failure::Api {
                status: 400 | 404, ..
            }) => Ok(()),
            Err(other) => Err(other.into()),
        }
    }

    fn webhook_event(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<GatewayEvent, WebhookRefusal> {
        if self.config.webhook_secret.is_empty() {
            return Err(WebhookRefusal::NotConfigured);
        }
        let header = signature.ok_or(WebhookRefusal::MalformedSignature)?;
        webhook::verify(&self.config.webhook_secret, header, body, now)?;
        transformers::event(body, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let config = StripeConfig::new("sk_test_secret123", "pk_test_pub", "whsec_hidden");
        let shown = format!("{:?}", StripeGateway::new(config).unwrap());
        assert!(!shown.contains("sk_test_secret123"), "{shown}");
        assert!(!shown.contains("whsec_hidden"), "{shown}");
        assert!(shown.contains("pk_test_pub"));
    }

    #[test]
    fn only_ids_reach_a_url() {
        assert!(checked_id("pi_123abc").is_ok());
        for bad in ["", "../v1/customers", "pi_1?x=y", "pi 1", &"a".repeat(300)] {
            assert!(checked_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_bad_api_base_is_refused() {
        let mut config = StripeConfig::new("sk", "pk", "whsec");
        config.api_base = "ftp://example".into();
        assert!(StripeGateway::new(config.clone()).is_err());
        config.api_base = "not a url".into();
        assert!(StripeGateway::new(config).is_err());
    }
}
