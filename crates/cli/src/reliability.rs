//! `faktura sandbox-gateway` (the sandbox as its own HTTP service) and what `faktura serve`
//! needs to use a gateway over HTTP and to run the janitor.

use anyhow::Context;
use clap::Args;
use faktura_app::JanitorConfig;
use faktura_gateway::service::{self, Faults, ServiceState};
use faktura_gateway::{HttpGateway, HttpOptions, PaymentGateway, SandboxGateway};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, env = "FAKTURA_SANDBOX_LISTEN", default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,
    /// Keep the ledger in this file (rewritten atomically before each answer); in memory when not given.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Milliseconds added to every /v1/ request.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share (0–1) of requests answered with a 5xx (half of those charges after charging).
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Share (0–1) of requests whose connection is reset before anything is done.
    #[arg(long, default_value_t = 0.0)]
    pub reset_rate: f64,
    /// Share (0–1) of requests that hang (no answer, nothing done).
    #[arg(long, default_value_t = 0.0)]
    pub hang_rate: f64,
    /// How long a hanging request hangs, in milliseconds.
    #[arg(long, default_value_t = 120_000)]
    pub hang_ms: u64,
    /// Share (0–1) of charges that are made and then answered with a connection reset.
    #[arg(long, default_value_t = 0.0)]
    pub drop_rate: f64,
}

/// The gateway, and the in-process sandbox when that is it.
pub type Gateways = (Arc<dyn PaymentGateway>, Option<Arc<SandboxGateway>>);

#[derive(Args, Debug, Clone)]
pub struct GatewayArgs {
    /// Which payment gateway to charge: the sandbox (default) or Stripe.
    #[arg(long = "gateway", env = "FAKTURA_GATEWAY", value_enum, default_value_t)]
    pub gateway_kind: crate::stripe::GatewayKind,
    #[command(flatten)]
    pub stripe: crate::stripe::StripeArgs,
    /// Use the gateway at this URL (e.g. a `faktura sandbox-gateway`) instead of the in-process sandbox.
    #[arg(long, env = "FAKTURA_GATEWAY_URL")]
    pub gateway_url: Option<String>,
    /// Faktura's address as browsers reach it, for links in mail (invitations) and the gateway's 3-D Secure return links
    /// (default: http:// and the listen address).
    #[arg(long, env = "FAKTURA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Connect timeout for the gateway, in milliseconds.
    #[arg(long, default_value_t = 2_000)]
    pub gateway_connect_timeout_ms: u64,
    /// Timeout for a whole gateway request, in milliseconds; no answer by then is "unknown".
    #[arg(long, default_value_t = 10_000)]
    pub gateway_timeout_ms: u64,
    /// Do not run the janitor on this node.
    #[arg(long, env = "FAKTURA_NO_JANITOR")]
    pub no_janitor: bool,
    /// Pause between the janitor's rounds, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    pub janitor_tick_ms: u64,
    /// A payment in doubt is first looked at this long after its last change, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    pub janitor_grace_ms: u64,
    /// The first wait between looks, in milliseconds (each further one 4× longer, up to an hour).
    #[arg(long, default_value_t = 30_000)]
    pub janitor_first_retry_ms: u64,
    /// The longest wait between looks, in milliseconds.
    #[arg(long, default_value_t = 3_600_000)]
    pub janitor_max_retry_ms: u64,
    /// No charge at the gateway this long after a payment began means none was made, in milliseconds.
    #[arg(long, default_value_t = 300_000)]
    pub janitor_abandon_after_ms: u64,
    /// A 3-D Secure challenge left open this many seconds after the attempt began is cancelled
    /// at the gateway, and the invoice can be paid again.
    #[arg(long, env = "FAKTURA_AUTHENTICATION_TIMEOUT", default_value_t = 1_800)]
    pub authentication_timeout_secs: u64,
}

impl GatewayArgs {
    pub fn janitor(&self) -> anyhow::Result<JanitorConfig> {
        let config = JanitorConfig {
            tick: Duration::from_millis(self.janitor_tick_ms.max(10)),
            grace: Duration::from_millis(self.janitor_grace_ms),
            first_retry: Duration::from_millis(self.janitor_first_retry_ms.max(10)),
            max_retry: Duration::from_millis(
                self.janitor_max_retry_ms
                    .max(self.janitor_first_retry_ms)
                    .max(10),
            ),
            abandon_after: Duration::from_millis(self.janitor_abandon_after_ms),
            authentication_timeout: Duration::from_secs(self.authentication_timeout_secs.max(1)),
            // A claim outlasts the longest gateway request.
            lease: Duration::from_millis(self.gateway_timeout_ms.saturating_mul(3).max(1_000)),
            ..JanitorConfig::default()
        };
        if self.janitor_abandon_after_ms < self.gateway_timeout_ms.saturating_mul(2) {
            anyhow::bail!(
                "--janitor-abandon-after-ms must be at least twice --gateway-timeout-ms, \
                 so that no charge can still arrive when a payment is given up"
            );
        }
        Ok(config)
    }

    /// The gateway to use, and the in-process sandbox when that is it (it serves the 3-D Secure page).
    pub fn gateway(&self, listen: SocketAddr) -> anyhow::Result<Gateways> {
        if self.gateway_kind == crate::stripe::GatewayKind::Stripe {
            if self.gateway_url.is_some() {
                anyhow::bail!("--gateway-url is the sandbox service's; with --gateway stripe use --stripe-api-base");
            }
            let timeout = Duration::from_millis(self.gateway_timeout_ms);
            return Ok((Arc::new(self.stripe.gateway(timeout)?), None));
        }
        match &self.gateway_url {
            None => {
                let sandbox = Arc::new(SandboxGateway::new());
                Ok((sandbox.clone(), Some(sandbox)))
            }
            Some(url) => {
                let gateway = HttpGateway::new(
                    url,
                    HttpOptions {
                        connect_timeout: Duration::from_millis(self.gateway_connect_timeout_ms),
                        request_timeout: Duration::from_millis(self.gateway_timeout_ms),
                        public_url: Some(
                            self.public_url
                                .clone()
                                .unwrap_or_else(|| format!("http://{listen}")),
                        ),
                    },
                )
                .map_err(|e| anyhow::anyhow!("--gateway-url: {e}"))?;
                tracing::info!(%url, "using the gateway over HTTP");
                Ok((Arc::new(gateway), None))
            }
        }
    }
}

pub async fn sandbox_gateway(args: SandboxArgs) -> anyhow::Result<()> {
    let faults = Faults {
        latency_ms: args.latency_ms,
        error_rate: args.error_rate,
        reset_rate: args.reset_rate,
        hang_rate: args.hang_rate,
        hang_ms: args.hang_ms,
        drop_rate: args.drop_rate,
    };
    let sandbox = match &args.state {
        Some(path) => SandboxGateway::with_state_file(path)
            .with_context(|| format!("cannot use the state file {}", path.display()))?,
        None => SandboxGateway::new(),
    };
    let state = ServiceState::new(Arc::new(sandbox), Faults::default());
    // Checked like the admin endpoint checks them.
    let shares = [
        faults.error_rate,
        faults.reset_rate,
        faults.hang_rate,
        faults.drop_rate,
    ];
    if shares.iter().any(|s| !(0.0..=1.0).contains(s)) || shares.iter().sum::<f64>() > 1.0 {
        anyhow::bail!("fault shares must be between 0 and 1 and add up to at most 1");
    }
    state.set_faults(faults);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr().unwrap_or(args.listen);
    println!(
        "Sandbox gateway at http://{address}/ (ledger: {})",
        args.state
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "in memory".into())
    );
    service::serve(listener, state, faktura_web::shutdown_signal())
        .await
        .context("the sandbox gateway stopped with an error")
}
