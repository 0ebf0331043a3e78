//! Stripe's objects onto Faktura's: PaymentIntent statuses onto [`ChargeStatus`], decline codes
//! onto [`FailureReason`], PaymentMethods onto [`CardToken`], SetupIntents onto
//! [`CardSetupStatus`], events onto [`GatewayEvent`].

use crate::{CardDetails, CardSetupStatus, CardToken, Charge, ChargeStatus, Funding, GatewayEvent};
use crate::{GatewayError, WebhookRefusal};
use faktura_domain::{CardBrand, Currency, FailureReason, Money};
use serde::Deserialize;
use std::collections::HashMap;

/// The metadata key that carries Faktura's idempotency key (payment or settlement id).
pub const KEY_METADATA: &str = "faktura_key";

#[derive(Debug, Clone, Deserialize, Default)]
pub struct ApiError {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub decline_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// Stripe's decline and error codes in our failure reasons (the sandbox's words for them).
pub fn failure_reason(error: &ApiError) -> FailureReason {
    let codes = [error.decline_code.as_deref(), error.code.as_deref()];
    for code in codes.into_iter().flatten() {
        let reason = match code {
            "insufficient_funds" => Some(FailureReason::InsufficientFunds),
            "expired_card" => Some(FailureReason::CardExpired),
            "incorrect_cvc"
            | "invalid_cvc"
            | "incorrect_number"
            | "invalid_number"
            | "invalid_expiry_month"
            | "invalid_expiry_year"
            | "incorrect_zip" => Some(FailureReason::IncorrectCardDetails),
            "processing_error" => Some(FailureReason::ProcessingError),
            "payment_intent_authentication_failure"
            | "setup_intent_authentication_failure"
            | "authentication_required" => Some(FailureReason::AuthenticationFailed),
            _ => None,
        };
        if let Some(reason) = reason {
            return reason;
        }
    }
    FailureReason::BankDeclined
}

#[derive(Debug, Clone, Deserialize)]
pub struct Intent {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub amount: i64,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub payment_method: Option<String>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
    #[serde(default)]
    pub last_payment_error: Option<ApiError>,
    #[serde(default)]
    pub last_setup_error: Option<ApiError>,
    /// Why a canceled intent was canceled (`abandoned` when Faktura gave up on a challenge).
    #[serde(default)]
    pub cancellation_reason: Option<String>,
}

/// Where a PaymentIntent stands for Faktura: `Ok(None)` = it has moved no money and will not
/// on its own (never confirmed); `Err(Unknown)` = money may still move (processing).
pub fn intent_status(
    intent: &Intent,
    challenge_url: &str,
) -> Result<Option<ChargeStatus>, GatewayError> {
    match intent.status.as_str() {
        "succeeded" => Ok(Some(ChargeStatus::Succeeded)),
        "requires_action" => Ok(Some(ChargeStatus::RequiresAction {
            challenge_url: challenge_url.to_owned(),
        })),
        "requires_payment_method" => match &intent.last_payment_error {
            Some(error) => Ok(Some(ChargeStatus::Failed(failure_reason(error)))),
            None => Ok(None),
        },
        "requires_confirmation" => Ok(None),
        "canceled" if intent.cancellation_reason.as_deref() == Some("abandoned") => Ok(Some(
            ChargeStatus::Failed(FailureReason::AuthenticationAbandoned),
        )),
        "canceled" => Ok(Some(ChargeStatus::Failed(
            intent
                .last_payment_error
                .as_ref()
                .map(failure_reason)
                .unwrap_or(FailureReason::ProcessingError),
        ))),
        other => Err(GatewayError::Unknown(format!(
            "the PaymentIntent is {other}"
        ))),
    }
}

/// The intent as a [`Charge`] under `key`, if it has an answer.
pub fn charge_of(
    intent: &Intent,
    key: &str,
    challenge_url: &str,
) -> Result<Option<Charge>, GatewayError> {
    let Some(status) = intent_status(intent, challenge_url)? else {
        return Ok(None);
    };
    Ok(Some(Charge {
        reference: intent.id.clone(),
        idempotency_key: key.to_owned(),
        amount: money(intent.amount, &intent.currency)?,
        status,
    }))
}

/// The metadata key that carries Faktura's refund id on a Stripe Refund.
pub const REFUND_METADATA: &str = "faktura_refund";

/// A Stripe Refund, as far as Faktura reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct RefundObject {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub amount: i64,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

/// A Stripe Refund as Faktura's refund under `key`: `succeeded` is done, `failed` and
/// `canceled` moved no money; `pending` and `requires_action` are still on their way (`None`:
/// ask again later).
pub fn refund_of(refund: &RefundObject, key: &str) -> Result<Option<crate::Refund>, GatewayError> {
    let status = match refund.status.as_str() {
        "succeeded" => crate::RefundStatus::Succeeded,
        "failed" | "canceled" => crate::RefundStatus::Failed(
            refund
                .failure_reason
                .clone()
                .unwrap_or_else(|| refund.status.clone()),
        ),
        _ => return Ok(None),
    };
    Ok(Some(crate::Refund {
        reference: refund.id.clone(),
        idempotency_key: key.to_owned(),
        amount: money(refund.amount, &refund.currency)?,
        status,
    }))
}

pub(crate) fn money(minor: i64, currency: &str) -> Result<Money, GatewayError> {
    let currency: Currency = currency
        .parse()
        .map_err(|_| GatewayError::Invalid("the intent's currency is not one we bill in".into()))?;
    Ok(Money::from_minor(minor, currency))
}

/// A SetupIntent's status, before the card is read.
pub fn setup_status(intent: &Intent) -> SetupState {
    match intent.status.as_str() {
        "succeeded" => SetupState::Succeeded,
        "requires_action" => SetupState::RequiresAction,
        "canceled" => SetupState::Failed(
            intent
                .last_setup_error
                .as_ref()
                .map(failure_reason)
                .unwrap_or(FailureReason::BankDeclined),
        ),
        _ => match &intent.last_setup_error {
            Some(error) => SetupState::Failed(failure_reason(error)),
            None => SetupState::Pending,
        },
    }
}

/// [`CardSetupStatus`] without the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupState {
    Succeeded,
    RequiresAction,
    Pending,
    Failed(FailureReason),
}

impl SetupState {
    pub fn without_card(self) -> Option<CardSetupStatus> {
        match self {
            SetupState::Succeeded => None,
            SetupState::RequiresAction => Some(CardSetupStatus::RequiresAction),
            SetupState::Pending => Some(CardSetupStatus::Pending),
            SetupState::Failed(reason) => Some(CardSetupStatus::Failed(reason)),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentMethodObject {
    pub id: String,
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub card: Option<CardObject>,
    #[serde(default)]
    pub billing_details: BillingDetails,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct BillingDetails {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CardObject {
    #[serde(default)]
    pub brand: String,
    #[serde(default)]
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
    #[serde(default)]
    pub funding: String,
}

/// The card Faktura keeps: Stripe's payment-method id as the token, and what the list shows.
pub fn card_token(method: &PaymentMethodObject) -> Result<CardToken, GatewayError> {
    let card = method
        .card
        .as_ref()
        .ok_or_else(|| GatewayError::Invalid("the payment method is not a card".into()))?;
    let last4: String = card.last4.chars().filter(char::is_ascii_digit).collect();
    if last4.len() != 4 || !(1..=12).contains(&card.exp_month) {
        return Err(GatewayError::Invalid(
            "the card's details are malformed".into(),
        ));
    }
    Ok(CardToken {
        token: method.id.clone(),
        brand: match card.brand.as_str() {
            "visa" => CardBrand::Visa,
            "mastercard" => CardBrand::Mastercard,
            "amex" => CardBrand::Amex,
            _ => CardBrand::Other,
        },
        last4,
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        holder: method
            .billing_details
            .name
            .clone()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect(),
        funding: match card.funding.as_str() {
            "prepaid" => Funding::Prepaid,
            "debit" => Funding::Debit,
            // "credit", and "unknown" (Stripe's word when the network does not say).
            _ => Funding::Credit,
        },
    })
}

#[derive(Debug, Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Debug, Deserialize)]
struct EventData {
    object: serde_json::Value,
}

/// A verified event's body, reduced to what Faktura settles on.
pub fn event(body: &[u8], challenge_url: &str) -> Result<GatewayEvent, WebhookRefusal> {
    let bad = |e: serde_json::Error| WebhookRefusal::BadEvent(e.to_string());
    let event: Event = serde_json::from_slice(body).map_err(bad)?;
    match event.kind.as_str() {
        "payment_intent.succeeded" | "payment_intent.payment_failed" => {
            let intent: Intent = serde_json::from_value(event.data.object).map_err(bad)?;
            let Some(key) = intent.metadata.get(KEY_METADATA).cloned() else {
                // Not one of ours (another application on the same Stripe account).
                return Ok(GatewayEvent::Ignored {
                    event_id: event.id,
                    kind: event.kind,
                });
            };
            let charge = charge_of(&intent, &key, challenge_url)
                .map_err(|e| WebhookRefusal::BadEvent(e.to_string()))?;
            match charge {
                Some(charge) => Ok(GatewayEvent::Charge {
                    event_id: event.id,
                    key,
                    account: intent.metadata.get("faktura_account").cloned(),
                    charge,
                }),
                // A failure event whose intent carries no error: nothing definite to record.
                None => Ok(GatewayEvent::Ignored {
                    event_id: event.id,
                    kind: event.kind,
                }),
            }
        }
        "setup_intent.succeeded" => {
            let intent: Intent = serde_json::from_value(event.data.object).map_err(bad)?;
            Ok(GatewayEvent::SetupSucceeded {
                event_id: event.id,
                setup: intent.id,
                account: intent.metadata.get("faktura_account").cloned(),
                profile: intent.metadata.get("faktura_profile").cloned(),
                user: intent.metadata.get("faktura_user").cloned(),
            })
        }
        "payment_method.updated" | "payment_method.automatically_updated" => {
            let method: PaymentMethodObject =
                serde_json::from_value(event.data.object).map_err(bad)?;
            if method.card.is_none() {
                return Ok(GatewayEvent::Ignored {
                    event_id: event.id,
                    kind: event.kind,
                });
            }
            let card = card_token(&method).map_err(|e| WebhookRefusal::BadEvent(e.to_string()))?;
            Ok(GatewayEvent::CardUpdated {
                event_id: event.id,
                kind: event.kind,
                card: CardDetails {
                    token: card.token,
                    brand: card.brand,
                    last4: card.last4,
                    exp_month: card.exp_month,
                    exp_year: card.exp_year,
                },
            })
        }
        _ => Ok(GatewayEvent::Ignored {
            event_id: event.id,
            kind: event.kind,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str, decline: Option<&str>) -> ApiError {
        ApiError {
            code: Some(code.into()),
            decline_code: decline.map(Into::into),
            ..ApiError::default()
        }
    }

    fn intent(status: &str, error: Option<ApiError>) -> Intent {
        Intent {
            id: "pi_1".into(),
            status: status.into(),
            amount: 1250,
            currency: "dkk".into(),
            client_secret: None,
            customer: None,
            payment_method: None,
            metadata: HashMap::new(),
            last_payment_error: error,
            last_setup_error: None,
            cancellation_reason: None,
        }
    }

    #[test]
    fn decline_codes_map_onto_our_reasons() {
        use FailureReason::*;
        for (code, decline, reason) in [
            (
                "card_declined",
                Some("insufficient_funds"),
                InsufficientFunds,
            ),
            ("card_declined", Some("generic_decline"), BankDeclined),
            ("card_declined", None, BankDeclined),
            ("expired_card", None, CardExpired),
            ("incorrect_cvc", None, IncorrectCardDetails),
            ("processing_error", None, ProcessingError),
            (
                "payment_intent_authentication_failure",
                None,
                AuthenticationFailed,
            ),
            ("something_new", None, BankDeclined),
        ] {
            assert_eq!(failure_reason(&error(code, decline)), reason, "{code}");
        }
    }

    #[test]
    fn intent_statuses_map_onto_charge_statuses() {
        let url = "/challenge";
        assert_eq!(
            intent_status(&intent("succeeded", None), url),
            Ok(Some(ChargeStatus::Succeeded))
        );
        assert_eq!(
            intent_status(&intent("requires_action", None), url),
            Ok(Some(ChargeStatus::RequiresAction {
                challenge_url: url.into()
            }))
        );
        assert_eq!(
            intent_status(
                &intent(
                    "requires_payment_method",
                    Some(error("card_declined", None))
                ),
                url
            ),
            Ok(Some(ChargeStatus::Failed(FailureReason::BankDeclined)))
        );
        // Never confirmed: no money moved, and none will without us.
        assert_eq!(
            intent_status(&intent("requires_confirmation", None), url),
            Ok(None)
        );
        assert_eq!(
            intent_status(&intent("requires_payment_method", None), url),
            Ok(None)
        );
        // Cancelled because the challenge was left open, or for another reason.
        let abandoned = Intent {
            cancellation_reason: Some("abandoned".into()),
            ..intent("canceled", None)
        };
        assert_eq!(
            intent_status(&abandoned, url),
            Ok(Some(ChargeStatus::Failed(
                FailureReason::AuthenticationAbandoned
            )))
        );
        assert_eq!(
            intent_status(&intent("canceled", None), url),
            Ok(Some(ChargeStatus::Failed(FailureReason::ProcessingError)))
        );
        // Money may still move: in doubt, never failed.
        assert!(matches!(
            intent_status(&intent("processing", None), url),
            Err(GatewayError::Unknown(_))
        ));
        let charge = charge_of(&intent("succeeded", None), "pay_1", url)
            .unwrap()
            .unwrap();
        assert_eq!(charge.amount, Money::from_minor(1250, Currency::DKK));
        assert_eq!(charge.reference, "pi_1");
    }

    #[test]
    fn prepaid_cards_are_recognised_and_bad_cards_refused() {
        let method = |funding: &str, last4: &str| PaymentMethodObject {
            id: "pm_1".into(),
            customer: None,
            card: Some(CardObject {
                brand: "mastercard".into(),
                last4: last4.into(),
                exp_month: 12,
                exp_year: 2030,
                funding: funding.into(),
            }),
            billing_details: BillingDetails {
                name: Some("Ada Holder".into()),
            },
        };
        let token = card_token(&method("prepaid", "5100")).unwrap();
        assert_eq!(token.funding, Funding::Prepaid);
        assert_eq!(token.brand, CardBrand::Mastercard);
        assert_eq!(token.holder, "Ada Holder");
        assert_eq!(
            card_token(&method("credit", "4242")).unwrap().funding,
            Funding::Credit
        );
        assert!(card_token(&method("credit", "42")).is_err());
    }

    #[test]
    fn events_we_do_not_need_are_ignored_and_garbage_refused() {
        let body = br#"{"id":"evt_1","type":"customer.created","data":{"object":{}}}"#;
        assert!(matches!(
            event(body, "/c"),
            Ok(GatewayEvent::Ignored { .. })
        ));
        assert!(matches!(
            event(b"not json", "/c"),
            Err(WebhookRefusal::BadEvent(_))
        ));
        let ours = br#"{"id":"evt_2","type":"payment_intent.succeeded","data":{"object":
            {"id":"pi_9","status":"succeeded","amount":500,"currency":"eur",
             "metadata":{"faktura_key":"pay_abc"}}}}"#;
        match event(ours, "/c").unwrap() {
            GatewayEvent::Charge {
                event_id,
                key,
                charge,
                ..
            } => {
                assert_eq!((event_id.as_str(), key.as_str()), ("evt_2", "pay_abc"));
                assert_eq!(charge.status, ChargeStatus::Succeeded);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_cards_update_reads_as_its_new_details() {
        let body = br#"{"id":"evt_3","type":"payment_method.automatically_updated","data":{"object":
            {"id":"pm_7","customer":"cus_1","billing_details":{"name":"Ada"},
             "card":{"brand":"mastercard","last4":"5454","exp_month":4,"exp_year":2031,"funding":"credit"}}}}"#;
        match event(body, "").unwrap() {
            GatewayEvent::CardUpdated {
                event_id,
                kind,
                card,
            } => {
                assert_eq!(event_id, "evt_3");
                assert_eq!(kind, "payment_method.automatically_updated");
                assert_eq!(
                    card,
                    CardDetails {
                        token: "pm_7".into(),
                        brand: CardBrand::Mastercard,
                        last4: "5454".into(),
                        exp_month: 4,
                        exp_year: 2031,
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        // Not a card: nothing for Faktura. A malformed card: refused.
        let sepa =
            br#"{"id":"evt_4","type":"payment_method.updated","data":{"object":{"id":"pm_8"}}}"#;
        assert!(matches!(event(sepa, ""), Ok(GatewayEvent::Ignored { .. })));
        let bad = br#"{"id":"evt_5","type":"payment_method.updated","data":{"object":
            {"id":"pm_9","card":{"last4":"54","exp_month":13,"exp_year":2031}}}}"#;
        assert!(matches!(event(bad, ""), Err(WebhookRefusal::BadEvent(_))));
    }
}
