//! localstripe (a stateful fake Stripe server, from PyPI) on a free loopback port, a Stripe
//! connector pointed at it, and what Stripe.js would do in the browser (confirm a SetupIntent
//! with the card, pass a 3-D Secure challenge) done by the test itself.
//!
//! Under `CI=true` a missing Python or localstripe fails the test instead of skipping it.

use super::api::{ba, overdue_with_card, Api, Reply, V};
use super::TestApp;
use faktura_domain::*;
use faktura_gateway::{StripeConfig, StripeGateway};
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_store::Store;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

pub const SECRET_KEY: &str = "sk_test_faktura";
pub const PUBLISHABLE_KEY: &str = "pk_test_faktura";
pub const WEBHOOK_SECRET: &str = "whsec_faktura_test";

/// The launcher the browser tests use too: loopback only, state in memory, Stripe's prepaid
/// test card reported as prepaid, and Stripe.js's `createPaymentMethod` (which localstripe's
/// own script leaves empty) done as Stripe.js does it.
const LAUNCHER: &str = include_str!("../../../../e2e/python/localstripe_server.py");

pub struct LocalStripe {
    child: std::process::Child,
    pub base: String,
    pub http: reqwest::Client,
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn must_run() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// localstripe on a free port, or `None` (a note) when the tests' Python is not set up.
pub fn start() -> Option<LocalStripe> {
    let python = match std::env::var("FAKTURA_TEST_PYTHON") {
        Ok(python) if !python.is_empty() => python,
        _ => {
            assert!(
                !must_run(),
                "CI must run the Stripe tests: set FAKTURA_TEST_PYTHON (scripts/test.sh does)"
            );
            eprintln!("note: FAKTURA_TEST_PYTHON is not set; the Stripe tests are skipped");
            return None;
        }
    };
    let has_it = std::process::Command::new(&python)
        .args(["-c", "import localstripe, aiohttp"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !has_it {
        assert!(
            !must_run(),
            "localstripe is not installed for {python} (scripts/python-env.sh installs it)"
        );
        eprintln!("note: localstripe is not installed; the Stripe tests are skipped");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = LocalStripe {
        child: std::process::Command::new(python)
            .args(["-c", LAUNCHER])
            .arg(port.to_string())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("localstripe starts"),
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    };
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("localstripe did not start on port {port}");
}

impl LocalStripe {
    pub fn config(&self) -> StripeConfig {
        let mut config = StripeConfig::new(SECRET_KEY, PUBLISHABLE_KEY, WEBHOOK_SECRET);
        config.api_base = self.base.clone();
        config.js_url = format!("{}/js.stripe.com/v3/", self.base);
        config.timeout = Duration::from_secs(5);
        config
    }

    pub fn gateway(&self) -> StripeGateway {
        StripeGateway::new(self.config()).unwrap()
    }

    /// `GET /v1/…` with the secret key, as Faktura's server would.
    pub async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(SECRET_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// What Stripe.js's `confirmCardSetup` sends: the card goes from the browser to Stripe,
    /// with the publishable key, never through Faktura. Returns (HTTP status, body).
    pub async fn confirm_setup(
        &self,
        setup: &str,
        client_secret: &str,
        number: &str,
    ) -> (u16, Value) {
        let body = json!({
            "key": PUBLISHABLE_KEY,
            "use_stripe_sdk": true,
            "client_secret": client_secret,
            "payment_method_data": {
                "type": "card",
                "card": {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
                "billing_details": {"name": "Astrid Holm"},
            },
        });
        self.post_json(&format!("/v1/setup_intents/{setup}/confirm"), body)
            .await
    }

    /// What Stripe.js's `createPaymentMethod` sends: the card goes from the browser to Stripe,
    /// with the publishable key, never through Faktura. The PaymentMethod's id (on no customer).
    pub async fn create_payment_method(&self, number: &str) -> String {
        let body = json!({
            "key": PUBLISHABLE_KEY,
            "type": "card",
            "card": {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
            "billing_details": {"name": "Astrid Holm"},
        });
        let (status, made) = self.post_json("/v1/payment_methods", body).await;
        assert_eq!(status, 200, "{made}");
        assert_eq!(made["customer"], Value::Null, "{made}");
        made["id"].as_str().unwrap().to_owned()
    }

    /// Stripe.js after the person passed the setup's 3-D Secure challenge.
    pub async fn pass_setup_challenge(&self, setup: &str, client_secret: &str) -> (u16, Value) {
        let body =
            json!({"key": PUBLISHABLE_KEY, "use_stripe_sdk": true, "client_secret": client_secret});
        self.post_json(&format!("/v1/setup_intents/{setup}/confirm"), body)
            .await
    }

    /// Stripe.js's `confirmCardPayment` after the challenge, passed or failed.
    pub async fn answer_payment_challenge(&self, intent: &str, success: bool) -> (u16, Value) {
        let secret = self.get(&format!("/v1/payment_intents/{intent}")).await["client_secret"]
            .as_str()
            .unwrap()
            .to_owned();
        let body = json!({"key": PUBLISHABLE_KEY, "client_secret": secret});
        self.post_json(
            &format!("/v1/payment_intents/{intent}/_authenticate?success={success}"),
            body,
        )
        .await
    }

    async fn post_json(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// A `Stripe-Signature` header made by the official `stripe` Python package.
pub fn stripe_signature(payload: &str, secret: &str, timestamp: i64) -> String {
    let python = std::env::var("FAKTURA_TEST_PYTHON").expect("FAKTURA_TEST_PYTHON");
    let output = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, stripe; print(stripe.WebhookSignature.generate_signature_header(sys.stdin.read(), sys.argv[1], int(sys.argv[2])))",
            secret,
            &timestamp.to_string(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(payload.as_bytes())?;
            child.wait_with_output()
        })
        .expect("python runs");
    assert!(output.status.success(), "the stripe package signs");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// The demo with a Stripe connector as its gateway, Nordlys's overdue invoice (on the profile
/// with a saved card) and Nordlys's admin's API token: what the Stripe tests start from.
pub struct Shop {
    pub api: Api,
    pub token: String,
    pub account: BillingAccountId,
    pub invoice: Invoice,
    pub state: faktura_web::state::AppState,
}

impl Shop {
    pub async fn new(store: Store, gateway: StripeGateway) -> Shop {
        let (app, state) = TestApp::with_gateway_and_state(store, Arc::new(gateway)).await;
        let (account, invoice, _) = overdue_with_card(&app).await;
        let api = Api { app };
        let token = api.token(NORDLYS_ADMIN).await;
        Shop {
            api,
            token,
            account,
            invoice,
            state,
        }
    }

    pub fn profile_path(&self) -> String {
        format!(
            "{}/billingProfiles/{}",
            ba(&self.account),
            self.invoice.billing_profile_id
        )
    }

    pub async fn post(&self, path: &str, body: Option<Value>) -> Reply {
        self.api
            .call("POST", path, Some(&self.token), body, None)
            .await
    }

    /// Begins a setup through Faktura's API: (setup id, client secret).
    pub async fn begin(&self) -> (String, String) {
        let reply = self
            .post(
                &format!("{}/paymentMethodSetups?{V}", self.profile_path()),
                None,
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.json);
        assert_eq!(reply.json["publishableKey"], PUBLISHABLE_KEY);
        let id = reply.json["id"].as_str().unwrap().to_owned();
        assert!(id.starts_with("seti_"), "{id}");
        (id, reply.json["clientSecret"].as_str().unwrap().to_owned())
    }

    pub async fn complete(&self, setup: &str) -> Reply {
        self.post(
            &format!(
                "{}/paymentMethodSetups/{setup}/complete?{V}",
                self.profile_path()
            ),
            None,
        )
        .await
    }

    /// A card added as the portal does it: a SetupIntent begun through Faktura's API,
    /// confirmed with the card as Stripe.js would (3-D Secure passed when the bank asks), then
    /// completed through Faktura's API. The card as stored.
    pub async fn add_card(&self, localstripe: &LocalStripe, number: &str) -> PaymentMethod {
        let (id, secret) = self.begin().await;
        let (status, body) = localstripe.confirm_setup(&id, &secret, number).await;
        assert_eq!(status, 200, "{body}");
        if body["status"] == "requires_action" {
            localstripe.pass_setup_challenge(&id, &secret).await;
        } else {
            assert_eq!(body["status"], "succeeded", "{body}");
        }
        let reply = self.complete(&id).await;
        assert_eq!(reply.status, 201, "{}", reply.json);
        self.stored_card(reply.json["name"].as_str().unwrap()).await
    }

    pub async fn stored_card(&self, id: &str) -> PaymentMethod {
        let id = PaymentMethodId::parse(id).unwrap();
        self.api
            .app
            .store
            .payment_method(&self.account, &id)
            .await
            .unwrap()
            .unwrap()
    }

    /// Pays the invoice through Faktura's API with a saved card.
    pub async fn pay(&self, card: &PaymentMethodId) -> Reply {
        self.post(
            &format!("{}/invoices/{}/pay?{V}", ba(&self.account), self.invoice.id),
            Some(json!({"paymentMethodId": card.as_str()})),
        )
        .await
    }

    pub async fn payment(&self, id: &PaymentId) -> Payment {
        self.api
            .app
            .store
            .payment(&self.account, id)
            .await
            .unwrap()
            .unwrap()
    }

    /// The payment a pay reply names.
    pub async fn payment_of(&self, reply: &Reply) -> Payment {
        let id = PaymentId::parse(reply.json["name"].as_str().unwrap()).unwrap();
        self.payment(&id).await
    }

    pub async fn invoice_now(&self) -> Invoice {
        self.api
            .app
            .store
            .invoice(&self.account, &self.invoice.id)
            .await
            .unwrap()
            .unwrap()
    }

    /// This account's PaymentIntents at localstripe.
    pub async fn intents(&self, localstripe: &LocalStripe) -> Vec<Value> {
        let all = localstripe.get("/v1/payment_intents?limit=100").await;
        all["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["metadata"]["faktura_account"] == self.account.as_str())
            .cloned()
            .collect()
    }
}
