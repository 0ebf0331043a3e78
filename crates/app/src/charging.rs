//! One charge at the gateway, in the gateway's steps. Gateways that create a charge before
//! confirming it (Stripe's PaymentIntents) get it created first, moving no money; its id is
//! stored with the payment or settlement *before* the confirm, so whatever happens next (a
//! lost answer, a crash) the janitor knows what to ask about. Only then is it confirmed.

use crate::Services;
use faktura_domain::BillingAccountId;
use faktura_gateway::{Charge, ChargeRequest, GatewayError};
use faktura_store::DoubtKind;

/// Charges `request` (its idempotency key is the payment's or settlement's id).
pub(crate) async fn charge(
    app: &Services,
    kind: DoubtKind,
    account: &BillingAccountId,
    mut request: ChargeRequest,
) -> Result<Charge, GatewayError> {
    if let Some(reference) = app.gateway.prepare(&request).await? {
        match app
            .store
            .record_gateway_reference(kind, account, &request.idempotency_key, &reference)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                // Settled meanwhile (a second node, the janitor): never confirm behind its back.
                return Err(GatewayError::Unknown(
                    "the payment changed before its charge was confirmed".into(),
                ));
            }
            Err(error) => {
                // Not confirmed, so no money moved; the janitor gives up on it later.
                tracing::error!(%error, key = %request.idempotency_key, "cannot store the gateway's charge id; not confirming");
                return Err(GatewayError::Unknown(
                    "the charge's id could not be stored".into(),
                ));
            }
        }
        request.reference = Some(reference);
    }
    app.gateway.charge(&request).await
}

/// Faktura's ids for the gateway's records.
pub(crate) fn metadata(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
