//! localstripe (a stateful fake Stripe server, from PyPI) on a free loopback port, a Stripe
//! connector pointed at it, and what Stripe.js would do in the browser (confirm a SetupIntent
//! with the card, pass a 3-D Secure challenge) done by the test itself.
//!
//! Under `CI=true` a missing Python or localstripe fails the test instead of skipping it.

use faktura_gateway::{StripeConfig, StripeGateway};
use serde_json::{json, Value};
use std::time::Duration;

pub const SECRET_KEY: &str = "sk_test_faktura";
pub const PUBLISHABLE_KEY: &str = "pk_test_faktura";
pub const WEBHOOK_SECRET: &str = "whsec_faktura_test";

/// Started as a script so that it listens on loopback only, keeps its state in memory (the
/// packaged server pickles it to one shared file in /tmp) and reports Stripe's prepaid test
/// card 5105 1051 0510 5100 as prepaid (localstripe calls every card a credit card).
const LAUNCHER: &str = r#"
import sys
import localstripe.resources as r
r.Store.dump_to_disk = lambda self: None
_init = r.PaymentMethod.__init__
def init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    if getattr(self, '_card_number', None) == '5105105105105100':
        self.card['funding'] = 'prepaid'
        self.card['brand'] = 'mastercard'
r.PaymentMethod.__init__ = init
from aiohttp import web
from localstripe.server import app
web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None, access_log=None)
"#;

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
