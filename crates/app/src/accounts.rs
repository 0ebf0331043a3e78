//! Billing accounts and profiles as the actor sees them, and the saved cards (payment method
//! links) the API lists for a profile.

use crate::{AccountScope, Actor, AppError, AppResult, Resource, Services};
use faktura_domain::*;

/// The accounts the actor holds any role on.
pub async fn list(app: &Services, actor: &Actor) -> AppResult<Vec<BillingAccount>> {
    crate::scope::accounts_for(app, actor).await
}

/// A profile of the scope named by its raw id. An id that does not parse is not found; a
/// profile the actor holds no role on is `Hidden`.
pub fn profile<'a>(scope: &'a AccountScope, raw: &str) -> AppResult<&'a BillingProfile> {
    let id =
        BillingProfileId::parse(raw).map_err(|_| AppError::NotFound(Resource::BillingProfile))?;
    scope.visible_profile(&id)
}

const NO_METHODS_ROLE: &str = "your role may not see this profile's payment methods";

/// The saved cards of a profile the actor sees, if their role lets them see cards at all.
pub async fn payment_methods(
    app: &Services,
    scope: &AccountScope,
    raw_profile: &str,
) -> AppResult<Vec<PaymentMethod>> {
    let profile = profile(scope, raw_profile)?;
    scope.require(
        Permission::ViewPaymentMethods,
        Some(&profile.id),
        NO_METHODS_ROLE,
    )?;
    scope.payment_methods(app, &profile.id).await
}

/// One saved card of a profile the actor sees.
pub async fn payment_method(
    app: &Services,
    scope: &AccountScope,
    raw_profile: &str,
    raw_method: &str,
) -> AppResult<PaymentMethod> {
    let profile = profile(scope, raw_profile)?;
    scope.require(
        Permission::ViewPaymentMethods,
        Some(&profile.id),
        NO_METHODS_ROLE,
    )?;
    let not_found = || AppError::NotFound(Resource::PaymentMethod);
    let id = PaymentMethodId::parse(raw_method).map_err(|_| not_found())?;
    app.store
        .payment_method(scope.id(), &id)
        .await?
        .filter(|m| m.billing_profile_id == profile.id)
        .ok_or_else(not_found)
}
