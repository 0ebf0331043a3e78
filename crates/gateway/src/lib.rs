//! Payment gateways behind one trait. Faktura hands card details to a gateway's tokenization
//! and keeps only the token; charges carry Faktura's payment id as the idempotency key, so a
//! retry of the same payment can never charge twice.

pub mod http;
pub mod sandbox;
pub mod service;

use async_trait::async_trait;
use faktura_domain::card::CardInput;
use faktura_domain::{CardBrand, Currency, FailureReason, Money};
use serde::{Deserialize, Serialize};

pub use http::{HttpGateway, HttpOptions};
pub use sandbox::SandboxGateway;

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
}
