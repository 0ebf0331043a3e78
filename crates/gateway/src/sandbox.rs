//! The sandbox gateway: deterministic test cards (Stripe's published numbers), a prepaid card,
//! and a 3-D Secure challenge. Tokens name the card's behaviour, so a saved card keeps working
//! after a restart even though the sandbox's ledger lives in memory.

use crate::{
    CardToken, Charge, ChargeRequest, ChargeStatus, Funding, GatewayError, PaymentGateway, Refund,
    RefundRequest, RefundStatus, SetupRequest,
};
use async_trait::async_trait;
use faktura_domain::card::CardInput;
use faktura_domain::FailureReason;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How a sandbox card behaves when charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Succeed,
    Decline,
    InsufficientFunds,
    Expired,
    ProcessingError,
    ThreeDSecure,
    Prepaid,
}

impl Behaviour {
    fn code(self) -> &'static str {
        match self {
            Behaviour::Succeed => "ok",
            Behaviour::Decline => "decline",
            Behaviour::InsufficientFunds => "funds",
            Behaviour::Expired => "expired",
            Behaviour::ProcessingError => "error",
            Behaviour::ThreeDSecure => "3ds",
            Behaviour::Prepaid => "prepaid",
        }
    }

    fn from_code(code: &str) -> Option<Behaviour> {
        [
            Behaviour::Succeed,
            Behaviour::Decline,
            Behaviour::InsufficientFunds,
            Behaviour::Expired,
            Behaviour::ProcessingError,
            Behaviour::ThreeDSecure,
            Behaviour::Prepaid,
        ]
        .into_iter()
        .find(|b| b.code() == code)
    }
}

/// The sandbox's test cards. Any other number that passes the checksum succeeds.
pub const TEST_CARDS: &[(&str, Behaviour, &str)] = &[
    ("4242424242424242", Behaviour::Succeed, "Visa: succeeds"),
    (
        "5555555555554444",
        Behaviour::Succeed,
        "Mastercard: succeeds",
    ),
    (
        "4000000000000002",
        Behaviour::Decline,
        "declined by the bank",
    ),
    (
        "4000000000009995",
        Behaviour::InsufficientFunds,
        "insufficient funds",
    ),
    ("4000000000000069", Behaviour::Expired, "expired card"),
    (
        "4000000000000119",
        Behaviour::ProcessingError,
        "processing error",
    ),
    (
        "4000002760003184",
        Behaviour::ThreeDSecure,
        "asks for 3-D Secure",
    ),
    (
        "5105105105105100",
        Behaviour::Prepaid,
        "prepaid card (Faktura refuses it)",
    ),
];

pub fn behaviour_of(number: &str) -> Behaviour {
    TEST_CARDS
        .iter()
        .find(|(n, _, _)| *n == number)
        .map(|(_, b, _)| *b)
        .unwrap_or(Behaviour::Succeed)
}

/// The path (under Faktura's own web server) of a sandbox 3-D Secure challenge.
pub fn challenge_path(reference: &str) -> String {
    format!("/sandbox/3ds/{reference}")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    charge: Charge,
    return_url: String,
}

#[derive(Debug, Default)]
pub struct SandboxGateway {
    /// Charges by idempotency key: the sandbox's ledger.
    charges: Mutex<HashMap<String, Entry>>,
    /// Where the ledger is kept across restarts (the sandbox service); in memory when `None`.
    state_file: Option<PathBuf>,
    /// Refunds by idempotency key (always locked after `charges`, never before).
    refunds: Mutex<HashMap<String, RefundEntry>>,
}

/// A refund and the charge (by its idempotency key) it gave money back from.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RefundEntry {
    charge_key: String,
    refund: Refund,
}

/// The state file's contents: every charge and setup, by idempotency key.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    charges: HashMap<String, Entry>,
    #[serde(default)]
    refunds: HashMap<String, RefundEntry>,
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, flushed to disk, renamed
/// over the old one, and the folder synced, so a crash leaves the old or the new file whole.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = std::fs::File::open(dir) {
            // Not every platform can sync a folder; the rename itself is already atomic.
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// A pending challenge as the challenge page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub charge: Charge,
    pub return_url: String,
}

fn random_suffix() -> String {
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.gen_range(0..36)]))
        .collect()
}

impl SandboxGateway {
    pub fn new() -> Self {
        Self::default()
    }

    /// A sandbox whose ledger is kept in `path` (read now if it exists; rewritten atomically
    /// before any charge is answered, so an answered charge survives a crash).
    pub fn with_state_file(path: &Path) -> std::io::Result<Self> {
        let state = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice::<StateFile>(&bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => StateFile::default(),
            Err(error) => return Err(error),
        };
        let gateway = SandboxGateway {
            charges: Mutex::new(state.charges),
            state_file: Some(path.to_owned()),
            refunds: Mutex::new(state.refunds),
        };
        // Fail at start, not at the first charge, when the file cannot be written.
        {
            let charges = gateway.charges.lock().unwrap_or_else(|p| p.into_inner());
            gateway.persist(&charges)?;
        }
        Ok(gateway)
    }

    fn persist(&self, charges: &HashMap<String, Entry>) -> std::io::Result<()> {
        let refunds = self.refunds.lock().unwrap_or_else(|p| p.into_inner());
        self.persist_all(charges, &refunds)
    }

    fn persist_all(
        &self,
        charges: &HashMap<String, Entry>,
        refunds: &HashMap<String, RefundEntry>,
    ) -> std::io::Result<()> {
        let Some(path) = &self.state_file else {
            return Ok(());
        };
        let state = StateFile {
            charges: charges.clone(),
            refunds: refunds.clone(),
        };
        let bytes = serde_json::to_vec(&state)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        write_atomically(path, &bytes)
    }

    /// Records a new entry durably, or leaves the ledger as it was and says the outcome is
    /// unknown to the caller (nothing was charged, but the caller cannot tell).
    fn record(
        &self,
        charges: &mut HashMap<String, Entry>,
        key: &str,
        entry: Entry,
    ) -> Result<(), GatewayError> {
        charges.insert(key.to_owned(), entry);
        if let Err(error) = self.persist(charges) {
            charges.remove(key);
            tracing::error!(%error, "sandbox: cannot write the state file");
            return Err(GatewayError::Unknown(
                "the sandbox cannot write its ledger".into(),
            ));
        }
        Ok(())
    }

    /// A token for a test card number without going through form input (demo data, tests).
    pub fn token_for_number(number: &str) -> String {
        format!(
            "tok_sbx_{}_{}",
            behaviour_of(number).code(),
            random_suffix()
        )
    }

    fn behaviour_of_token(token: &str) -> Option<Behaviour> {
        let rest = token.strip_prefix("tok_sbx_")?;
        let (code, _) = rest.split_once('_')?;
        Behaviour::from_code(code)
    }

    /// Every charge the sandbox has made, for comparing with Faktura's books.
    pub fn ledger(&self) -> Vec<Charge> {
        match self.charges.lock() {
            Ok(charges) => charges.values().map(|e| e.charge.clone()).collect(),
            Err(poisoned) => poisoned
                .into_inner()
                .values()
                .map(|e| e.charge.clone())
                .collect(),
        }
    }

    /// Every refund the sandbox has made (or refused), for comparing with Faktura's books.
    pub fn refunds(&self) -> Vec<Refund> {
        let refunds = self.refunds.lock().unwrap_or_else(|p| p.into_inner());
        refunds.values().map(|e| e.refund.clone()).collect()
    }

    /// Refunds `request.amount` of the charge under `request.charge_key`, at most what was
    /// charged minus what was refunded already; the same key answers the first refund again.
    fn refund_now(&self, request: &RefundRequest) -> Result<Refund, GatewayError> {
        if !request.amount.is_positive() {
            return Err(GatewayError::Invalid("amount must be positive".into()));
        }
        let charges = self.charges.lock().unwrap_or_else(|p| p.into_inner());
        let mut refunds = self.refunds.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = refunds.get(&request.idempotency_key) {
            return Ok(existing.refund.clone());
        }
        let Some(entry) = charges.get(&request.charge_key) else {
            return Err(GatewayError::Invalid("no charge under this key".into()));
        };
        let charge = &entry.charge;
        if charge.amount.currency() != request.amount.currency() {
            return Err(GatewayError::Invalid(
                "the refund's currency is not the charge's".into(),
            ));
        }
        let refunded = refunds
            .values()
            .filter(|r| r.charge_key == request.charge_key)
            .filter(|r| r.refund.status == RefundStatus::Succeeded)
            .try_fold(0i64, |sum, r| sum.checked_add(r.refund.amount.minor()))
            .ok_or_else(|| GatewayError::Invalid("refunds overflow".into()))?;
        let left = charge.amount.minor().saturating_sub(refunded);
        let status = if charge.status != ChargeStatus::Succeeded {
            RefundStatus::Failed("charge_not_succeeded".into())
        } else if request.amount.minor() > left {
            RefundStatus::Failed("amount_exceeds_charge".into())
        } else {
            RefundStatus::Succeeded
        };
        let refund = Refund {
            reference: format!("re_sbx_{}", random_suffix()),
            idempotency_key: request.idempotency_key.clone(),
            amount: request.amount,
            status,
        };
        refunds.insert(
            request.idempotency_key.clone(),
            RefundEntry {
                charge_key: request.charge_key.clone(),
                refund: refund.clone(),
            },
        );
        if let Err(error) = self.persist_all(&charges, &refunds) {
            refunds.remove(&request.idempotency_key);
            tracing::error!(%error, "sandbox: cannot write the state file");
            return Err(GatewayError::Unknown(
                "the sandbox cannot write its ledger".into(),
            ));
        }
        Ok(refund)
    }

    pub fn challenge(&self, reference: &str) -> Option<Challenge> {
        let charges = self.charges.lock().unwrap_or_else(|p| p.into_inner());
        charges
            .values()
            .find(|e| e.charge.reference == reference)
            .filter(|e| matches!(e.charge.status, ChargeStatus::RequiresAction { .. }))
            .map(|e| Challenge {
                charge: e.charge.clone(),
                return_url: e.return_url.clone(),
            })
    }

    /// The person pressed Complete (`passed`) or Fail on the challenge page.
    pub fn resolve_challenge(&self, reference: &str, passed: bool) -> Option<Challenge> {
        let mut charges = self.charges.lock().unwrap_or_else(|p| p.into_inner());
        let entry = charges
            .values_mut()
            .find(|e| e.charge.reference == reference)?;
        let mut changed = false;
        if matches!(entry.charge.status, ChargeStatus::RequiresAction { .. }) {
            entry.charge.status = if passed {
                ChargeStatus::Succeeded
            } else {
                ChargeStatus::Failed(FailureReason::AuthenticationFailed)
            };
            changed = true;
        }
        let challenge = Challenge {
            charge: entry.charge.clone(),
            return_url: entry.return_url.clone(),
        };
        if changed {
            if let Err(error) = self.persist(&charges) {
                tracing::error!(%error, "sandbox: cannot write the state file");
            }
        }
        Some(challenge)
    }
}

#[async_trait]
impl PaymentGateway for SandboxGateway {
    async fn tokenize(&self, card: &CardInput) -> Result<CardToken, GatewayError> {
        let behaviour = behaviour_of(card.number());
        Ok(CardToken {
            token: format!("tok_sbx_{}_{}", behaviour.code(), random_suffix()),
            brand: card.brand,
            last4: card.last4(),
            exp_month: card.exp_month,
            exp_year: card.exp_year,
            holder: card.holder.clone(),
            funding: if behaviour == Behaviour::Prepaid {
                Funding::Prepaid
            } else {
                Funding::Credit
            },
        })
    }

    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, GatewayError> {
        let behaviour = Self::behaviour_of_token(&request.token)
            .ok_or_else(|| GatewayError::Invalid("unknown token".into()))?;
        if !request.amount.is_positive() {
            return Err(GatewayError::Invalid("amount must be positive".into()));
        }
        let mut charges = self.charges.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = charges.get(&request.idempotency_key) {
            return Ok(existing.charge.clone());
        }
        let reference = format!("ch_sbx_{}", random_suffix());
        let status = match behaviour {
            Behaviour::Succeed => ChargeStatus::Succeeded,
            Behaviour::Decline => ChargeStatus::Failed(FailureReason::BankDeclined),
            Behaviour::InsufficientFunds => ChargeStatus::Failed(FailureReason::InsufficientFunds),
            Behaviour::Expired => ChargeStatus::Failed(FailureReason::CardExpired),
            Behaviour::ProcessingError => ChargeStatus::Failed(FailureReason::ProcessingError),
            Behaviour::Prepaid => ChargeStatus::Failed(FailureReason::PrepaidCardRefused),
            Behaviour::ThreeDSecure => ChargeStatus::RequiresAction {
                challenge_url: challenge_path(&reference),
            },
        };
        let charge = Charge {
            reference,
            idempotency_key: request.idempotency_key.clone(),
            amount: request.amount,
            status,
        };
        self.record(
            &mut charges,
            &request.idempotency_key,
            Entry {
                charge: charge.clone(),
                return_url: request.return_url.clone(),
            },
        )?;
        Ok(charge)
    }

    async fn lookup(&self, idempotency_key: &str) -> Result<Option<Charge>, GatewayError> {
        let charges = self.charges.lock().unwrap_or_else(|p| p.into_inner());
        Ok(charges.get(idempotency_key).map(|e| e.charge.clone()))
    }

    /// Cancels the challenge if it is still open; either way, the charge as it stands then
    /// (under the ledger's lock, so a Complete pressed at the same moment wins or loses whole).
    async fn cancel_authentication(
        &self,
        idempotency_key: &str,
        _reference: Option<&str>,
    ) -> Result<Option<Charge>, GatewayError> {
        let mut charges = self.charges.lock().unwrap_or_else(|p| p.into_inner());
        let Some(entry) = charges.get_mut(idempotency_key) else {
            return Ok(None);
        };
        if !matches!(entry.charge.status, ChargeStatus::RequiresAction { .. }) {
            return Ok(Some(entry.charge.clone()));
        }
        let before = entry.charge.status.clone();
        entry.charge.status = ChargeStatus::Failed(FailureReason::AuthenticationAbandoned);
        let charge = entry.charge.clone();
        if let Err(error) = self.persist(&charges) {
            if let Some(entry) = charges.get_mut(idempotency_key) {
                entry.charge.status = before;
            }
            tracing::error!(%error, "sandbox: cannot write the state file");
            return Err(GatewayError::Unknown(
                "the sandbox cannot write its ledger".into(),
            ));
        }
        Ok(Some(charge))
    }

    async fn refund(&self, request: &RefundRequest) -> Result<Refund, GatewayError> {
        self.refund_now(request)
    }

    async fn lookup_refund(
        &self,
        idempotency_key: &str,
        _charge_reference: Option<&str>,
    ) -> Result<Option<Refund>, GatewayError> {
        let refunds = self.refunds.lock().unwrap_or_else(|p| p.into_inner());
        Ok(refunds.get(idempotency_key).map(|e| e.refund.clone()))
    }

    /// The 3-D Secure test card asks for the challenge when it is added, too; prepaid cards are
    /// refused; every other token is ready at once. Nothing is charged.
    async fn setup(&self, request: &SetupRequest) -> Result<Charge, GatewayError> {
        let behaviour = Self::behaviour_of_token(&request.token)
            .ok_or_else(|| GatewayError::Invalid("unknown token".into()))?;
        let mut charges = self.charges.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = charges.get(&request.idempotency_key) {
            return Ok(existing.charge.clone());
        }
        let reference = format!("seti_sbx_{}", random_suffix());
        let status = match behaviour {
            Behaviour::ThreeDSecure => ChargeStatus::RequiresAction {
                challenge_url: challenge_path(&reference),
            },
            Behaviour::Prepaid => ChargeStatus::Failed(FailureReason::PrepaidCardRefused),
            _ => ChargeStatus::Succeeded,
        };
        let charge = Charge {
            reference,
            idempotency_key: request.idempotency_key.clone(),
            amount: faktura_domain::Money::zero(request.currency),
            status,
        };
        self.record(
            &mut charges,
            &request.idempotency_key,
            Entry {
                charge: charge.clone(),
                return_url: request.return_url.clone(),
            },
        )?;
        Ok(charge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use faktura_domain::{Currency, Money};

    fn card(number: &str) -> CardInput {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        CardInput::parse("Test Holder", number, "12/30", "123", today).unwrap()
    }

    fn request(key: &str, token: &str) -> ChargeRequest {
        ChargeRequest {
            idempotency_key: key.into(),
            token: token.into(),
            amount: Money::from_minor(10_000, Currency::DKK),
            return_url: "/back".into(),
            reference: None,
            metadata: Vec::new(),
        }
    }

    #[tokio::test]
    async fn test_cards_behave_as_documented() {
        let gateway = SandboxGateway::new();
        let expected = [
            ("4242424242424242", ChargeStatus::Succeeded),
            (
                "4000000000000002",
                ChargeStatus::Failed(FailureReason::BankDeclined),
            ),
            (
                "4000000000009995",
                ChargeStatus::Failed(FailureReason::InsufficientFunds),
            ),
            (
                "4000000000000069",
                ChargeStatus::Failed(FailureReason::CardExpired),
            ),
            (
                "4000000000000119",
                ChargeStatus::Failed(FailureReason::ProcessingError),
            ),
        ];
        for (i, (number, status)) in expected.into_iter().enumerate() {
            let token = gateway.tokenize(&card(number)).await.unwrap();
            assert!(!token.token.contains(number));
            assert_eq!(token.last4, &number[12..]);
            let charge = gateway
                .charge(&request(&format!("pay_{i}"), &token.token))
                .await
                .unwrap();
            assert_eq!(charge.status, status, "{number}");
        }
        let prepaid = gateway.tokenize(&card("5105105105105100")).await.unwrap();
        assert_eq!(prepaid.funding, Funding::Prepaid);
    }

    #[tokio::test]
    async fn the_same_key_charges_once() {
        let gateway = SandboxGateway::new();
        let token = gateway
            .tokenize(&card("4242424242424242"))
            .await
            .unwrap()
            .token;
        let first = gateway.charge(&request("pay_1", &token)).await.unwrap();
        let second = gateway.charge(&request("pay_1", &token)).await.unwrap();
        assert_eq!(first, second);
        assert_eq!(gateway.ledger().len(), 1);
        assert_eq!(gateway.lookup("pay_1").await.unwrap(), Some(first));
        assert_eq!(gateway.lookup("pay_2").await.unwrap(), None);
    }

    #[tokio::test]
    async fn three_d_secure_waits_for_the_challenge() {
        let gateway = SandboxGateway::new();
        let token = gateway
            .tokenize(&card("4000002760003184"))
            .await
            .unwrap()
            .token;
        let charge = gateway.charge(&request("pay_3ds", &token)).await.unwrap();
        let ChargeStatus::RequiresAction { challenge_url } = &charge.status else {
            panic!("expected a challenge, got {:?}", charge.status);
        };
        assert_eq!(challenge_url, &challenge_path(&charge.reference));
        assert!(gateway.challenge(&charge.reference).is_some());
        let resolved = gateway.resolve_challenge(&charge.reference, true).unwrap();
        assert_eq!(resolved.charge.status, ChargeStatus::Succeeded);
        assert_eq!(resolved.return_url, "/back");
        // A second press cannot flip the outcome.
        let again = gateway.resolve_challenge(&charge.reference, false).unwrap();
        assert_eq!(again.charge.status, ChargeStatus::Succeeded);
        assert!(gateway.challenge(&charge.reference).is_none());
    }

    #[tokio::test]
    async fn an_open_challenge_can_be_cancelled_once() {
        let gateway = SandboxGateway::new();
        let token = SandboxGateway::token_for_number("4000002760003184");
        let open = gateway.charge(&request("pay_open", &token)).await.unwrap();
        let cancelled = gateway
            .cancel_authentication("pay_open", None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            cancelled.status,
            ChargeStatus::Failed(FailureReason::AuthenticationAbandoned)
        );
        assert!(gateway.challenge(&open.reference).is_none());
        // Finishing the challenge afterwards changes nothing.
        let late = gateway.resolve_challenge(&open.reference, true).unwrap();
        assert_eq!(late.charge.status, cancelled.status);

        // Passed first: the cancel reports the success and leaves it.
        let passed = gateway
            .charge(&request("pay_passed", &token))
            .await
            .unwrap();
        gateway.resolve_challenge(&passed.reference, true).unwrap();
        let answer = gateway
            .cancel_authentication("pay_passed", None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(answer.status, ChargeStatus::Succeeded);
        assert_eq!(
            gateway
                .cancel_authentication("pay_none", None)
                .await
                .unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn adding_the_3ds_card_asks_for_the_challenge() {
        let gateway = SandboxGateway::new();
        let setup = |key: &str, token: &str| SetupRequest {
            idempotency_key: key.into(),
            token: token.into(),
            currency: Currency::DKK,
            return_url: "/added".into(),
        };
        let plain = gateway
            .tokenize(&card("4242424242424242"))
            .await
            .unwrap()
            .token;
        let ready = gateway.setup(&setup("pm_1", &plain)).await.unwrap();
        assert_eq!(ready.status, ChargeStatus::Succeeded);
        assert_eq!(ready.amount.minor(), 0);
        let secure = gateway
            .tokenize(&card("4000002760003184"))
            .await
            .unwrap()
            .token;
        let pending = gateway.setup(&setup("pm_2", &secure)).await.unwrap();
        let ChargeStatus::RequiresAction { challenge_url } = &pending.status else {
            panic!("expected a challenge, got {:?}", pending.status);
        };
        assert_eq!(challenge_url, &challenge_path(&pending.reference));
        let resolved = gateway.resolve_challenge(&pending.reference, true).unwrap();
        assert_eq!(resolved.return_url, "/added");
        assert_eq!(
            gateway.lookup("pm_2").await.unwrap().unwrap().status,
            ChargeStatus::Succeeded
        );
        let prepaid = SandboxGateway::token_for_number("5105105105105100");
        assert_eq!(
            gateway
                .setup(&setup("pm_3", &prepaid))
                .await
                .unwrap()
                .status,
            ChargeStatus::Failed(FailureReason::PrepaidCardRefused)
        );
    }

    fn refund(key: &str, charge: &str, minor: i64) -> RefundRequest {
        RefundRequest {
            idempotency_key: key.into(),
            charge_key: charge.into(),
            charge_reference: None,
            amount: Money::from_minor(minor, Currency::DKK),
            metadata: Vec::new(),
        }
    }

    #[tokio::test]
    async fn refunds_are_capped_and_idempotent() {
        let gateway = SandboxGateway::new();
        let token = SandboxGateway::token_for_number("4242424242424242");
        gateway.charge(&request("pay_r", &token)).await.unwrap();
        let first = gateway
            .refund(&refund("rf_1", "pay_r", 6_000))
            .await
            .unwrap();
        assert_eq!(first.status, RefundStatus::Succeeded);
        // The same key is the same refund, not a second one.
        let again = gateway
            .refund(&refund("rf_1", "pay_r", 6_000))
            .await
            .unwrap();
        assert_eq!(first, again);
        let too_much = gateway
            .refund(&refund("rf_2", "pay_r", 4_001))
            .await
            .unwrap();
        assert_eq!(
            too_much.status,
            RefundStatus::Failed("amount_exceeds_charge".into())
        );
        let rest = gateway
            .refund(&refund("rf_3", "pay_r", 4_000))
            .await
            .unwrap();
        assert_eq!(rest.status, RefundStatus::Succeeded);
        assert_eq!(
            gateway.lookup_refund("rf_3", None).await.unwrap(),
            Some(rest)
        );
        assert_eq!(gateway.lookup_refund("rf_9", None).await.unwrap(), None);
        assert!(matches!(
            gateway.refund(&refund("rf_4", "pay_none", 1)).await,
            Err(GatewayError::Invalid(_))
        ));
        let declined = SandboxGateway::token_for_number("4000000000000002");
        gateway.charge(&request("pay_d", &declined)).await.unwrap();
        assert_eq!(
            gateway
                .refund(&refund("rf_5", "pay_d", 1))
                .await
                .unwrap()
                .status,
            RefundStatus::Failed("charge_not_succeeded".into())
        );
    }

    #[tokio::test]
    async fn tokens_survive_a_restart() {
        let token = SandboxGateway::token_for_number("4242424242424242");
        let fresh = SandboxGateway::new();
        let charge = fresh.charge(&request("pay_x", &token)).await.unwrap();
        assert_eq!(charge.status, ChargeStatus::Succeeded);
        assert!(fresh.charge(&request("pay_y", "tok_other")).await.is_err());
    }
}
