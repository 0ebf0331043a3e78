//! Payment gateways behind one trait. Faktura hands card details to a gateway's tokenization
//! and keeps only the token; charges carry Faktura's payment id as the idempotency key, so a
//! retry of the same payment can never charge twice.

pub mod http;
pub mod sandbox;
pub mod service;
pub mod stripe;

use async_trait::async_trait;
use faktura_domain::card::CardInput;
use faktura_domain::{CardBrand, Currency, FailureReason, Money};
use serde::{Deserialize, Serialize};

pub use http::{HttpGateway, HttpOptions};
pub use sandbox::SandboxGateway;
pub use stripe::{StripeConfig, StripeGateway, STRIPE_API_VERSION};

/// How a card is funded; prepaid cards are refused, as the flow we follow does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Funding {
    Credit,
    Debit,
    Prepaid,
}

/// What tokenization returns: everything Faktura may keep about a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardToken {
    pub token: String,
    pub brand: CardBrand,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
    pub holder: String,
    pub funding: Funding,
}

/// Checking a card before it is saved: the card may ask for 3-D Secure (Strong Customer
/// Authentication) when it is added, as it may when paying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupRequest {
    /// Faktura's payment-method id: the same key always means the same setup.
    pub idempotency_key: String,
    pub token: String,
    /// The currency the card will be charged in (the setup itself moves no money).
    pub currency: Currency,
    /// Where the gateway sends the person back after a 3-D Secure challenge.
    pub return_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeRequest {
    /// Faktura's payment id: the same key always means the same charge.
    pub idempotency_key: String,
    pub token: String,
    pub amount: Money,
    /// Where the gateway sends the person back after a 3-D Secure challenge.
    pub return_url: String,
    /// The gateway's own id for this charge when it was prepared first
    /// ([`PaymentGateway::prepare`], e.g. a Stripe PaymentIntent); stored with the payment.
    #[serde(default)]
    pub reference: Option<String>,
    /// Faktura's ids (account, invoice, payment) for the gateway's records; never card data.
    #[serde(default)]
    pub metadata: Vec<(String, String)>,
}

/// What a gateway's customer for one billing profile is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRequest {
    pub account_id: String,
    pub profile_id: String,
    pub name: String,
    pub email: Option<String>,
}

/// A card setup begun at the gateway for the browser to confirm (Stripe.js
/// `confirmCardSetup`): Faktura's server sees only these ids, never the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSetup {
    pub reference: String,
    pub client_secret: String,
}

/// Where a card setup the browser confirmed stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardSetupStatus {
    /// Set up: the card, attached to the setup's customer.
    Succeeded(CardToken),
    /// The bank asks for 3-D Secure and the browser has not finished it yet.
    RequiresAction,
    /// Nothing confirmed yet.
    Pending,
    Failed(FailureReason),
}

/// A card setup as the gateway reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSetupAnswer {
    pub reference: String,
    /// The gateway customer the setup belongs to (checked against the profile's).
    pub customer: Option<String>,
    pub status: CardSetupStatus,
}

/// What the browser needs to collect card details itself (Stripe.js Elements).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserCardEntry {
    pub publishable_key: String,
    /// The script's URL; the page's Content-Security-Policy allows exactly its origin.
    pub js_url: String,
    /// Where the script sends its own requests (Stripe's API), which the page's
    /// Content-Security-Policy allows to be connected to.
    pub api_base: String,
}

/// An event a gateway sent us (a webhook), verified and reduced to what Faktura needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayEvent {
    /// A charge reached an answer: `key` is Faktura's idempotency key (payment or settlement id).
    Charge {
        event_id: String,
        key: String,
        /// Faktura's billing account, from the charge's metadata.
        account: Option<String>,
        charge: Charge,
    },
    /// A card setup succeeded (Faktura's account, profile and user from its metadata).
    SetupSucceeded {
        event_id: String,
        setup: String,
        account: Option<String>,
        profile: Option<String>,
        user: Option<String>,
    },
    /// A saved card's details changed at the gateway (a new expiry from the card network,
    /// say: Stripe's `payment_method.updated` / `payment_method.automatically_updated`).
    CardUpdated {
        event_id: String,
        kind: String,
        card: CardDetails,
    },
    /// An event Faktura does not need.
    Ignored { event_id: String, kind: String },
}

/// What Faktura keeps of a card that the gateway may change later: the token it is known by,
/// and its brand, last four digits and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardDetails {
    pub token: String,
    pub brand: CardBrand,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

/// Why an incoming webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookRefusal {
    #[error("this gateway takes no webhooks")]
    NotConfigured,
    #[error("missing or malformed signature header")]
    MalformedSignature,
    #[error("no signature matches")]
    BadSignature,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    #[error("the event cannot be read: {0}")]
    BadEvent(String),
}

/// Where a charge stands at the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChargeStatus {
    Succeeded,
    Failed(FailureReason),
    /// The card asks for 3-D Secure; send the person to `challenge_url`.
    RequiresAction {
        challenge_url: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    pub reference: String,
    pub idempotency_key: String,
    pub amount: Money,
    pub status: ChargeStatus,
}

/// A refund of (part of) a succeeded charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    /// Faktura's refund id: the same key always means the same refund.
    pub idempotency_key: String,
    /// The charge's own idempotency key (Faktura's payment or settlement id).
    pub charge_key: String,
    /// The gateway's id for the charge, when Faktura stored one (a Stripe PaymentIntent).
    #[serde(default)]
    pub charge_reference: Option<String>,
    pub amount: Money,
    /// Faktura's ids (account, invoice, payment, refund) for the gateway's records.
    #[serde(default)]
    pub metadata: Vec<(String, String)>,
}

/// Where a refund stands at the gateway. A refund still on its way is not a status: the
/// gateway answers [`GatewayError::Unknown`] and the janitor asks again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundStatus {
    Succeeded,
    /// Refused for good, with the gateway's reason code (no money moved).
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub reference: String,
    pub idempotency_key: String,
    pub amount: Money,
    pub status: RefundStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The card details were refused at tokenization (the gateway's own validation).
    #[error("card refused: {0:?}")]
    CardRefused(FailureReason),
    /// No definite answer: the charge may or may not have happened. Never treat as failed.
    #[error("gateway outcome unknown: {0}")]
    Unknown(String),
    #[error("gateway rejected the request: {0}")]
    Invalid(String),
}

#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Exchanges card details for a token. The card number and CVC go no further than this.
    async fn tokenize(&self, card: &CardInput) -> Result<CardToken, GatewayError>;

    /// Charges a token once per idempotency key; a repeated key returns the first charge.
    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, GatewayError>;

    /// The charge made under an idempotency key, if any (for settling payments in doubt).
    async fn lookup(&self, idempotency_key: &str) -> Result<Option<Charge>, GatewayError>;

    /// Sets a card up for later charges. The answer is a zero-amount [`Charge`]: `Succeeded`
    /// (ready), `Failed`, or `RequiresAction` with a 3-D Secure challenge; after the challenge,
    /// [`PaymentGateway::lookup`] with the same key tells the outcome. Gateways without a setup
    /// step accept every card.
    /// Whether the gateway can be reached now (for readiness checks). In-process gateways are.
    async fn ready(&self) -> Result<(), GatewayError> {
        Ok(())
    }

    async fn setup(&self, request: &SetupRequest) -> Result<Charge, GatewayError> {
        Ok(Charge {
            reference: format!("setup_{}", request.idempotency_key),
            idempotency_key: request.idempotency_key.clone(),
            amount: Money::zero(request.currency),
            status: ChargeStatus::Succeeded,
        })
    }

    /// Gateways that charge in two steps (create, then confirm: Stripe's PaymentIntents)
    /// create the charge here, moving no money; the answer is stored with the payment and
    /// passed back as [`ChargeRequest::reference`]. `None`: [`PaymentGateway::charge`] does it
    /// all.
    async fn prepare(&self, _request: &ChargeRequest) -> Result<Option<String>, GatewayError> {
        Ok(None)
    }

    /// [`PaymentGateway::lookup`], given the gateway's reference when Faktura stored one.
    async fn lookup_charge(
        &self,
        idempotency_key: &str,
        _reference: Option<&str>,
    ) -> Result<Option<Charge>, GatewayError> {
        self.lookup(idempotency_key).await
    }

    /// Gives up on a prepared charge that was never confirmed (it moved no money), so that it
    /// can never be confirmed later. An error means: do not record it failed yet.
    async fn abandon(&self, _reference: &str) -> Result<(), GatewayError> {
        Ok(())
    }

    /// Ends a 3-D Secure challenge nobody finished: the charge (or card setup) under
    /// `idempotency_key` is cancelled if it still waits for the challenge. The answer is where
    /// it stands afterwards: `Failed(AuthenticationAbandoned)` once cancelled, or the
    /// challenge's own outcome when the person finished it first. The gateway decides that race,
    /// so there is exactly one answer. `None`: nothing under the key.
    async fn cancel_authentication(
        &self,
        _idempotency_key: &str,
        _reference: Option<&str>,
    ) -> Result<Option<Charge>, GatewayError> {
        Err(GatewayError::Invalid(
            "this gateway cannot cancel a 3-D Secure challenge".into(),
        ))
    }

    /// Card entry in the browser, when the gateway collects card details itself. `None`: the
    /// sandbox's own card form (tokenized by [`PaymentGateway::tokenize`]).
    fn browser_card_entry(&self) -> Option<BrowserCardEntry> {
        None
    }

    /// The secret the browser needs to finish a charge that waits for 3-D Secure with the
    /// gateway's own script (Stripe.js `handleNextAction` / `confirmCardPayment`). `None`: the
    /// charge waits for nothing the browser can do there (or the gateway has its own pages).
    async fn charge_client_secret(&self, _reference: &str) -> Result<Option<String>, GatewayError> {
        Ok(None)
    }

    /// A card the browser entered in the gateway's own field for one payment (Stripe.js
    /// `createPaymentMethod`: a `pm_…` id), as Faktura may know it. Refused
    /// ([`GatewayError::Invalid`]) when the id is not a fresh card of the browser's: one saved
    /// on a customer (another profile's card, say) is never charged this way.
    async fn browser_card(&self, _id: &str) -> Result<CardToken, GatewayError> {
        Err(GatewayError::Invalid(
            "this gateway takes new cards in Faktura's form".into(),
        ))
    }

    /// A test card for the demo's data, saved on `customer` at the gateway (Stripe: its test
    /// PaymentMethod `pm_card_visa`, Visa •••• 4242), so that the demo's saved card exists
    /// where it is charged. Test mode only; other gateways tokenize the demo's card themselves.
    async fn demo_card(&self, _customer: &str) -> Result<CardToken, GatewayError> {
        Err(GatewayError::Invalid(
            "this gateway makes no demo cards".into(),
        ))
    }

    /// Creates the gateway's customer for a billing profile (Faktura stores the id).
    async fn create_customer(&self, _request: &CustomerRequest) -> Result<String, GatewayError> {
        Err(GatewayError::Invalid(
            "this gateway has no customers".into(),
        ))
    }

    /// Begins a card setup for `customer` that the browser confirms.
    async fn begin_card_setup(
        &self,
        _customer: &str,
        _metadata: &[(String, String)],
    ) -> Result<CardSetup, GatewayError> {
        Err(GatewayError::Invalid(
            "this gateway sets cards up in Faktura's form".into(),
        ))
    }

    /// Where a card setup stands; on success, the card (attached to the setup's customer).
    async fn card_setup(&self, _reference: &str) -> Result<CardSetupAnswer, GatewayError> {
        Err(GatewayError::Invalid(
            "this gateway sets cards up in Faktura's form".into(),
        ))
    }

    /// Removes a saved card at the gateway (detached in Faktura, or refused after setup).
    async fn detach(&self, _token: &str) -> Result<(), GatewayError> {
        Ok(())
    }

    /// Refunds `amount` of a succeeded charge, once per idempotency key (a repeated key
    /// returns the first refund). [`GatewayError::Unknown`]: the refund may or may not have
    /// happened; ask [`PaymentGateway::lookup_refund`] later, never treat it as failed.
    async fn refund(&self, _request: &RefundRequest) -> Result<Refund, GatewayError> {
        Err(GatewayError::Invalid("this gateway cannot refund".into()))
    }

    /// The refund made under an idempotency key, if any (for settling refunds in doubt);
    /// `charge_reference` is the gateway's id for the refunded charge, when Faktura has one.
    async fn lookup_refund(
        &self,
        _idempotency_key: &str,
        _charge_reference: Option<&str>,
    ) -> Result<Option<Refund>, GatewayError> {
        Ok(None)
    }

    /// Verifies and reads a webhook the gateway sent.
    fn webhook_event(
        &self,
        _signature: Option<&str>,
        _body: &[u8],
        _now: i64,
    ) -> Result<GatewayEvent, WebhookRefusal> {
        Err(WebhookRefusal::NotConfigured)
    }
}
