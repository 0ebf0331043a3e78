//! Faktura's application layer: every use case, once. The portal, the JSON API and the CLI are
//! adapters that parse input, call one function here and render what it returns; none of them
//! talks to the store or the gateway itself.
//!
//! Each use case is a plain async function over [`Services`] (store, gateway, configuration,
//! clock) and, where a person acts, an [`Actor`]. Access is checked here, once: a use case
//! answers [`AppError::Hidden`] or [`AppError::NotAllowed`] and each adapter maps those to its
//! own status codes. No HTTP, axum or template types live in this crate.

pub mod access;
pub mod accounts;
pub mod activity;
pub mod balance;
pub mod bundles;
pub mod cards;
mod charging;
pub mod config;
pub mod documents;
pub mod error;
pub mod gateway_events;
pub mod help_learning;
pub mod hosted_cards;
pub mod idempotency;
pub mod import;
pub mod invoices;
pub mod janitor;
pub mod mail;
pub mod notify;
pub mod operations;
pub mod operator;
pub mod partial_payments;
pub mod paying;
pub mod po_number;
pub mod properties;
pub mod refunds;
pub mod scope;
pub mod sessions;
pub mod settling;
pub mod support;
mod three_d_secure;
pub mod tokens;
pub mod webhooks;

pub use config::{default_card_limits, Config, SellerDetails, WireDetails};
pub use error::{AppError, AppResult, Resource};
pub use janitor::JanitorConfig;
pub use scope::AccountScope;

use chrono::{DateTime, NaiveDate, Utc};
use faktura_domain::User;
use faktura_gateway::PaymentGateway;
use faktura_store::Store;
use std::sync::Arc;

/// What time it is: the system clock in production, a fixed or stepping one in tests.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Everything a use case may touch.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub gateway: Arc<dyn PaymentGateway>,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// Signing keys, loaded from the store on first use (see [`sessions`]).
    pub keys: Arc<Keys>,
    /// Writes the mail people get (the web adapter sets its own; see [`Services::with_composer`]).
    pub composer: Arc<dyn notify::Composer>,
}

/// The deployment's signing keys, shared by every node through the store and cached here.
#[derive(Debug, Default)]
pub struct Keys {
    pub(crate) anonymous_csrf: tokio::sync::OnceCell<String>,
}

impl Services {
    pub fn new(store: Store, gateway: Arc<dyn PaymentGateway>, config: Config) -> Services {
        Services {
            store,
            gateway,
            config: Arc::new(config),
            clock: Arc::new(SystemClock),
            keys: Arc::default(),
            composer: Arc::new(notify::NoTexts),
        }
    }

    /// The same services with `composer` writing their mail.
    pub fn with_composer(mut self, composer: Arc<dyn notify::Composer>) -> Services {
        self.composer = composer;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today's date (UTC), the date invoices are judged Due or Past due on.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// Who is acting, and from where (for the activity log).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub ip: Option<String>,
}

impl Actor {
    pub fn new(user: User, ip: Option<String>) -> Actor {
        Actor { user, ip }
    }

    /// The actor as the store records it in the activity log.
    pub fn audit(&self) -> faktura_store::AuditActor {
        faktura_store::AuditActor {
            user: self.user.id.clone(),
            ip: self.ip.clone(),
        }
    }
}
