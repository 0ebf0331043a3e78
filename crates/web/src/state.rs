//! What every request handler shares: the application's services and what only the web layer
//! needs (localization, help articles, the sandbox's challenge pages, cookie settings).

use crate::i18n::I18n;
use faktura_app::{Config, Services};
use faktura_gateway::SandboxGateway;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    /// The use cases' services: store, gateway, configuration, clock. Handlers pass this to
    /// `faktura_app` functions and never use its store or gateway themselves.
    pub app: Services,
    /// The in-process sandbox, when it is the gateway: it serves the 3-D Secure challenge pages.
    pub sandbox: Option<Arc<SandboxGateway>>,
    pub i18n: Arc<I18n>,
    pub web: Arc<WebConfig>,
    /// Help articles and their search index.
    pub help: Arc<faktura_help::HelpLibrary>,
}

/// Settings of the web layer alone.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (when served over TLS or behind a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// `/metrics` answers only with `Authorization: Bearer <this>`; without one configured, it
    /// answers only to clients on this machine (loopback).
    pub metrics_token: Option<String>,
}

impl AppState {
    pub fn with_web_config(mut self, web: WebConfig) -> AppState {
        self.web = Arc::new(web);
        self
    }

    pub fn config(&self) -> &Config {
        &self.app.config
    }
}
