//! The application's settings: card limits, wire-transfer details, sign-in throttling, sessions,
//! the janitor's patience and how invitations are mailed.

use crate::janitor::JanitorConfig;
use crate::mail::{FileMailer, Mailer};
use faktura_domain::{Currency, Money};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Config {
    /// Largest amount payable by card, per currency; above it, wire transfer.
    pub card_limits: HashMap<Currency, Money>,
    /// Bank details shown for wire transfers.
    pub wire: WireDetails,
    /// Who issues the invoices: printed on every invoice, receipt and credit note.
    pub seller: SellerDetails,
    /// Failed sign-ins per e-mail within the window before further attempts are slowed down
    /// (each one then waits out a backoff; a correct password after it still signs in).
    pub max_failed_sign_ins: u32,
    /// The same for one client address across all e-mails (password spraying).
    pub max_failed_sign_ins_per_ip: u32,
    /// Failures older than this (since the last attempt) are forgotten.
    pub sign_in_window_minutes: i64,
    /// The first backoff once the free failures are spent; it doubles per further failure.
    pub sign_in_backoff_ms: i64,
    pub sign_in_backoff_max_ms: i64,
    /// Support requests one user may file per support window.
    pub support_requests_per_window: u32,
    /// "Was this helpful?" answers one user may give per support window.
    pub help_feedback_per_window: u32,
    pub support_window_minutes: i64,
    pub session_hours: i64,
    /// How the janitor settles payments in doubt.
    pub janitor: JanitorConfig,
    /// Delivers invitation links to the invited address (the only place they go).
    pub mailer: Arc<dyn Mailer>,
    /// The From of outgoing mail.
    pub mail_from: String,
    /// The console's address as its users reach it, for links in mail. Configured, never taken
    /// from a request's Host header: whoever sends the request chooses that.
    pub public_url: String,
    /// Whether webhook endpoints may be on loopback, private or link-local addresses (off: a
    /// webhook could otherwise reach the deployment's own network).
    pub webhooks_allow_internal: bool,
    /// How long a worker holds the outbox events and deliveries it claimed; after a crash,
    /// another worker takes them up once this has passed.
    pub notify_lease: std::time::Duration,
    /// How many days before an unpaid invoice's due date its reminder goes out (0: none).
    pub due_soon_days: u32,
    /// How long a webhook receiver has to answer before the attempt counts as failed.
    pub webhook_timeout: std::time::Duration,
}

#[derive(Debug, Clone)]
pub struct WireDetails {
    pub bank: String,
    pub account_holder: String,
    pub iban: String,
    pub bic: String,
}

/// The seller's legal details, from the operator's configuration (`faktura serve --seller-…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerDetails {
    /// The registered company name.
    pub name: String,
    /// The postal address, one line each.
    pub address: Vec<String>,
    /// The VAT (in Denmark: CVR) number, as printed.
    pub vat_number: String,
}

impl Default for SellerDetails {
    /// The demo seller; a real deployment sets its own.
    fn default() -> Self {
        SellerDetails {
            name: "Faktura Billing ApS".into(),
            address: vec![
                "Vesterbrogade 1".into(),
                "1620 København V".into(),
                "Danmark".into(),
            ],
            vat_number: "DK12345678".into(),
        }
    }
}

/// Card limits equal to USD 50,000 in each billing currency (rounded, as card schemes publish them).
pub fn default_card_limits() -> HashMap<Currency, Money> {
    let majors = [
        (Currency::USD, 50_000),
        (Currency::EUR, 46_000),
        (Currency::DKK, 345_000),
        (Currency::GBP, 39_000),
        (Currency::SEK, 525_000),
        (Currency::NOK, 540_000),
        (Currency::JPY, 7_500_000),
    ];
    majors
        .into_iter()
        .filter_map(|(currency, major)| Money::major(major, currency).ok().map(|m| (currency, m)))
        .collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            card_limits: default_card_limits(),
            wire: WireDetails {
                bank: "Faktura Sandbox Bank".into(),
                account_holder: "Faktura Billing ApS".into(),
                iban: "DK50 0040 0440 1162 43".into(),
                bic: "FAKTDKKK".into(),
            },
            seller: SellerDetails::default(),
            max_failed_sign_ins: 5,
            max_failed_sign_ins_per_ip: 50,
            sign_in_window_minutes: 15,
            sign_in_backoff_ms: 1_000,
            sign_in_backoff_max_ms: 60_000,
            support_requests_per_window: 5,
            help_feedback_per_window: 30,
            support_window_minutes: 10,
            session_hours: 8,
            janitor: JanitorConfig::default(),
            // The server sets its own folder (see `faktura serve --mail-dir`).
            mailer: Arc::new(FileMailer::new(std::env::temp_dir().join("faktura-mail"))),
            mail_from: "Faktura <faktura@localhost>".into(),
            public_url: "http://127.0.0.1:8080".into(),
            webhooks_allow_internal: false,
            notify_lease: std::time::Duration::from_secs(120),
            due_soon_days: 7,
            webhook_timeout: std::time::Duration::from_secs(10),
        }
    }
}

impl Config {
    /// The card limit for a currency; a currency without one has no card payments at all.
    pub fn card_limit(&self, currency: Currency) -> Option<Money> {
        self.card_limits.get(&currency).copied()
    }

    /// The absolute link that accepts an invitation.
    pub fn invitation_link(&self, token: &str) -> String {
        format!("{}/invite/{token}", self.public_url.trim_end_matches('/'))
    }
}
