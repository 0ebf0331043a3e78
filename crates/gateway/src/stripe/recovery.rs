//! Finding what Faktura never learned: the PaymentIntent made under a payment's key when the
//! answer to its create was lost (or Faktura stopped before storing its id), and the card a
//! browser entered for one payment; and the demo's test card, made at Stripe.
//!
//! Stripe replays a create sent again with the same `Idempotency-Key`, but only with the same
//! parameters, and fakes such as localstripe do not replay at all; so Faktura does not send the
//! create again. It looks the intent up by the key it put in the intent's metadata: Stripe's
//! search first, then the newest intents. An intent found that was never confirmed has moved
//! no money; it is cancelled there, so that nothing can confirm it later, and the payment is a
//! failure — a new attempt makes a new intent, and the one charge is never made twice.

use super::transformers::{self, Intent, KEY_METADATA};
use super::{checked_id, Failure, StripeGateway};
use crate::{CardToken, Charge, ChargeStatus, GatewayError, PaymentGateway};
use faktura_domain::FailureReason;
use serde::Deserialize;

#[derive(Deserialize)]
struct IntentList {
    #[serde(default)]
    data: Vec<Intent>,
}

impl StripeGateway {
    /// The PaymentIntent carrying `key` in its metadata, if Stripe has one.
    pub(super) async fn intent_by_key(&self, key: &str) -> Result<Option<Intent>, GatewayError> {
        let key = checked_id(key)?;
        let mine = |list: IntentList| {
            list.data
                .into_iter()
                .find(|i| i.metadata.get(KEY_METADATA).map(String::as_str) == Some(key))
        };
        // The key is letters, digits, `_` and `-` only (checked), so it is safe in the query.
        let query = vec![
            (
                "query".to_owned(),
                format!("metadata['{KEY_METADATA}']:'{key}'"),
            ),
            ("limit".to_owned(), "10".to_owned()),
        ];
        match self
            .object::<IntentList>(
                reqwest::Method::GET,
                "/v1/payment_intents/search",
                &query,
                None,
            )
            .await
        {
            Ok(list) => {
                if let Some(found) = mine(list) {
                    return Ok(Some(found));
                }
            }
            // No search here (localstripe reads `search` as an intent's id), or not allowed
            // for this key: the list below still answers.
            Err(Failure::Api { .. }) => {}
            Err(unknown) => return Err(unknown.into()),
        }
        // Stripe's search may lag behind by a minute; the newest intents do not.
        let newest = vec![("limit".to_owned(), "100".to_owned())];
        let list: IntentList = self
            .object(reqwest::Method::GET, "/v1/payment_intents", &newest, None)
            .await?;
        Ok(mine(list))
    }

    /// The charge under `key` when Faktura never learned its PaymentIntent's id.
    pub(super) async fn recover(&self, key: &str) -> Result<Option<Charge>, GatewayError> {
        let Some(intent) = self.intent_by_key(key).await? else {
            return Ok(None);
        };
        if let Some(charge) = Self::charge_for(&intent, key, "")? {
            return Ok(Some(charge));
        }
        // Created, never confirmed: no money moved. Cancelled, it never can.
        self.abandon(&intent.id).await?;
        tracing::info!(intent = %intent.id, %key, "an unconfirmed PaymentIntent Faktura never learned of was cancelled");
        Ok(Some(Charge {
            reference: intent.id.clone(),
            idempotency_key: key.to_owned(),
            amount: transformers::money(intent.amount, &intent.currency)?,
            status: ChargeStatus::Failed(FailureReason::ProcessingError),
        }))
    }

    /// A card Stripe.js made for one payment: a PaymentMethod on no customer.
    pub(super) async fn fresh_card(&self, id: &str) -> Result<CardToken, GatewayError> {
        if !id.starts_with("pm_") {
            return Err(GatewayError::Invalid("not a PaymentMethod".into()));
        }
        let method = self.payment_method(id).await?;
        if method.customer.is_some() {
            return Err(GatewayError::Invalid(
                "the PaymentMethod is saved on a customer".into(),
            ));
        }
        transformers::card_token(&method)
    }

    /// Stripe's test card `pm_card_visa` attached to `customer` (Stripe answers with a new
    /// PaymentMethod of that card, on the customer). Test-mode keys only: a live key is refused
    /// before anything is sent.
    pub(super) async fn test_card_on(&self, customer: &str) -> Result<CardToken, GatewayError> {
        let key = &self.config.secret_key;
        if !(key.starts_with("sk_test_") || key.starts_with("rk_test_")) {
            return Err(GatewayError::Invalid(
                "demo cards are made with test-mode keys only".into(),
            ));
        }
        let form = vec![("customer".to_owned(), checked_id(customer)?.to_owned())];
        let method: transformers::PaymentMethodObject = self
            .object(
                reqwest::Method::POST,
                "/v1/payment_methods/pm_card_visa/attach",
                &form,
                None,
            )
            .await?;
        transformers::card_token(&method)
    }
}
