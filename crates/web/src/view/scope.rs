//! The account and profile a page is about, from the request's path and query.

use crate::context::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use faktura_app::AccountScope;
use faktura_domain::*;

impl SignedIn {
    /// The signed-in person as the application's actor.
    pub fn actor(&self) -> faktura_app::Actor {
        faktura_app::Actor::new(self.user.clone(), self.ctx.ip.clone())
    }

    /// The account in the path, if the user holds a role on it (else 403, unknown or not).
    pub async fn scope(
        &self,
        state: &AppState,
        raw_account: &str,
    ) -> Result<AccountScope, AppError> {
        Ok(AccountScope::load(&state.app, &self.actor(), raw_account).await?)
    }
}

/// The profile named in `raw` if the user sees it; `Forbidden` when they do not.
pub fn visible_profile(scope: &AccountScope, raw: &str) -> Result<BillingProfile, AppError> {
    let id = BillingProfileId::parse(raw.trim())
        .map_err(|_| AppError::BadRequest("unknown billing profile"))?;
    Ok(scope.visible_profile(&id)?.clone())
}

/// The `?profile=` chosen, or none for the account as a whole.
pub fn optional_profile(
    scope: &AccountScope,
    raw: Option<&str>,
) -> Result<Option<BillingProfile>, AppError> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        Some(raw) => visible_profile(scope, raw).map(Some),
        None => Ok(None),
    }
}

/// A `?profile=` the user may see, or none (the whole account in view).
pub fn selected_profile(
    scope: &AccountScope,
    raw: Option<&str>,
) -> Result<Option<BillingProfileId>, AppError> {
    Ok(optional_profile(scope, raw)?.map(|p| p.id))
}

/// The chosen profile, or the first the user sees (pages that are always about one profile).
pub fn profile_or_first(
    scope: &AccountScope,
    raw: Option<&str>,
) -> Result<BillingProfile, AppError> {
    match optional_profile(scope, raw)? {
        Some(p) => Ok(p),
        None => scope
            .profiles
            .first()
            .cloned()
            .ok_or(AppError::Forbidden("no billing profile to show")),
    }
}
