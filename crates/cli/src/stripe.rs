//! `faktura serve --gateway stripe`: the Stripe connector's settings. Every flag also reads an
//! environment variable; the secret key and the webhook secret are never printed (not in
//! `--help`'s env values, not in `Debug`, not in logs).

use clap::{Args, ValueEnum};
use faktura_gateway::stripe::{DEFAULT_API_BASE, DEFAULT_JS_URL};
use faktura_gateway::{StripeConfig, StripeGateway};
use std::fmt;
use std::time::Duration;

/// Which payment gateway `serve` charges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum GatewayKind {
    /// The sandbox: in process, or the `faktura sandbox-gateway` at `--gateway-url`.
    #[default]
    Sandbox,
    /// Stripe (`--stripe-secret-key`, `--stripe-publishable-key`, `--stripe-webhook-secret`).
    Stripe,
}

#[derive(Args, Clone)]
pub struct StripeArgs {
    /// Stripe's secret API key (`sk_live_…` or `sk_test_…`).
    #[arg(long, env = "FAKTURA_STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,
    /// Stripe's publishable key (`pk_…`), given to Stripe.js in the browser.
    #[arg(long, env = "FAKTURA_STRIPE_PUBLISHABLE_KEY")]
    pub stripe_publishable_key: Option<String>,
    /// The signing secret of the webhook endpoint (`whsec_…`) for POST /gateway/stripe/webhook.
    #[arg(long, env = "FAKTURA_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,
    /// Stripe's API (tests point it at localstripe).
    #[arg(long, env = "FAKTURA_STRIPE_API_BASE", default_value = DEFAULT_API_BASE)]
    pub stripe_api_base: String,
    /// Stripe.js v3, handed to the browser with each card setup (tests point it at localstripe's).
    #[arg(long, env = "FAKTURA_STRIPE_JS_URL", default_value = DEFAULT_JS_URL)]
    pub stripe_js_url: String,
}

impl fmt::Debug for StripeArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeArgs")
            .field(
                "stripe_secret_key",
                &self.stripe_secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("stripe_publishable_key", &self.stripe_publishable_key)
            .field(
                "stripe_webhook_secret",
                &self.stripe_webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("stripe_api_base", &self.stripe_api_base)
            .field("stripe_js_url", &self.stripe_js_url)
            .finish()
    }
}

impl StripeArgs {
    /// The connector, or what is missing.
    pub fn gateway(&self, timeout: Duration) -> anyhow::Result<StripeGateway> {
        let required = |value: &Option<String>, flag: &str| match value {
            Some(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
            _ => Err(anyhow::anyhow!("--gateway stripe needs {flag}")),
        };
        let secret = required(&self.stripe_secret_key, "--stripe-secret-key")?;
        let publishable = required(&self.stripe_publishable_key, "--stripe-publishable-key")?;
        let webhook = required(&self.stripe_webhook_secret, "--stripe-webhook-secret")?;
        if !publishable.starts_with("pk_") {
            anyhow::bail!("--stripe-publishable-key must be a publishable key (pk_…)");
        }
        if !(secret.starts_with("sk_") || secret.starts_with("rk_")) {
            anyhow::bail!("--stripe-secret-key must be a secret or restricted key (sk_… or rk_…)");
        }
        let js = url::Url::parse(&self.stripe_js_url)
            .map_err(|_| anyhow::anyhow!("--stripe-js-url is not a URL"))?;
        if !matches!(js.scheme(), "https" | "http") || js.host_str().is_none() {
            anyhow::bail!("--stripe-js-url must be an http(s) URL");
        }
        let mut config = StripeConfig::new(&secret, &publishable, &webhook);
        config.api_base = self.stripe_api_base.clone();
        config.js_url = self.stripe_js_url.clone();
        config.timeout = timeout;
        let gateway =
            StripeGateway::new(config).map_err(|e| anyhow::anyhow!("--stripe-api-base: {e}"))?;
        tracing::info!(api = %self.stripe_api_base, version = faktura_gateway::STRIPE_API_VERSION, "using Stripe");
        Ok(gateway)
    }
}
