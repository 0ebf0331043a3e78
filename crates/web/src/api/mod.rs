//! The JSON API: Microsoft.Billing-compatible resources (api-version 2024-04-01), Faktura's pay
//! extension with idempotency keys, and the operator API. Bearer tokens only; no cookies, so no CSRF.

mod billing;
mod envelope;
mod operator;
mod pay;

pub use envelope::{ArmError, API_VERSION};

use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use axum::routing::{get, post};
use axum::Router;
use faktura_domain::User;
use faktura_store::ApiToken;

/// The authenticated caller of an API request.
#[derive(Clone, Debug)]
pub struct ApiCaller {
    pub token: ApiToken,
    /// The token's user; `None` only for operator tokens without one.
    pub user: Option<User>,
}

impl ApiCaller {
    /// The user whose billing roles this call acts with.
    pub fn user(&self) -> Result<&User, ArmError> {
        self.user.as_ref().ok_or_else(|| {
            ArmError::forbidden(
                "operator tokens have no billing roles; use a personal access token",
            )
        })
    }

    /// Key under which idempotency keys are kept: the user, or the operator token.
    pub fn idempotency_caller(&self) -> String {
        match &self.user {
            Some(user) => user.id.to_string(),
            None => self.token.id.clone(),
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ArmError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ArmError::unauthenticated(
                "AuthenticationFailed",
                "send a personal access token as Authorization: Bearer …",
            )
        })?;
        let text = value.to_str().map_err(|_| {
            ArmError::unauthenticated(
                "InvalidAuthenticationToken",
                "the Authorization header is not valid text",
            )
        })?;
        let token = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ArmError::unauthenticated("InvalidAuthenticationToken", "use the Bearer scheme")
            })?;
        let record = state
            .store
            .api_token(token)
            .await
            .map_err(ArmError::internal)?
            .ok_or_else(|| {
                ArmError::unauthenticated(
                    "InvalidAuthenticationToken",
                    "the token is malformed, expired or revoked",
                )
            })?;
        let user = match &record.user_id {
            Some(id) => Some(
                state
                    .store
                    .user_by_id(id)
                    .await
                    .map_err(ArmError::internal)?
                    .ok_or_else(|| {
                        ArmError::unauthenticated(
                            "InvalidAuthenticationToken",
                            "the token's user no longer exists",
                        )
                    })?,
            ),
            None => None,
        };
        Ok(ApiCaller {
            token: record,
            user,
        })
    }
}

const BA: &str = "/providers/Microsoft.Billing/billingAccounts";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(BA, get(billing::list_accounts))
        .route(&format!("{BA}/{{ba}}"), get(billing::get_account))
        .route(
            &format!("{BA}/{{ba}}/billingProfiles"),
            get(billing::list_profiles),
        )
        .route(
            &format!("{BA}/{{ba}}/billingProfiles/{{bp}}"),
            get(billing::get_profile),
        )
        .route(
            &format!("{BA}/{{ba}}/invoices"),
            get(billing::list_account_invoices),
        )
        .route(
            &format!("{BA}/{{ba}}/billingProfiles/{{bp}}/invoices"),
            get(billing::list_profile_invoices),
        )
        .route(
            &format!("{BA}/{{ba}}/invoices/{{invoice}}"),
            get(billing::get_invoice),
        )
        .route(
            &format!("{BA}/{{ba}}/billingProfiles/{{bp}}/paymentMethodLinks"),
            get(billing::list_payment_method_links),
        )
        .route(
            &format!("{BA}/{{ba}}/billingProfiles/{{bp}}/paymentMethodLinks/{{pm}}"),
            get(billing::get_payment_method_link),
        )
        .route(
            &format!("{BA}/{{ba}}/billingRoleAssignments"),
            get(billing::account_role_assignments),
        )
        .route(
            &format!("{BA}/{{ba}}/billingProfiles/{{bp}}/billingRoleAssignments"),
            get(billing::profile_role_assignments),
        )
        .route(
            &format!("{BA}/{{ba}}/billingPermissions"),
            get(billing::account_permissions),
        )
        .route(
            &format!("{BA}/{{ba}}/billingProfiles/{{bp}}/billingPermissions"),
            get(billing::profile_permissions),
        )
        .route(
            &format!("{BA}/{{ba}}/checkAccess"),
            post(billing::account_check_access),
        )
        .route(
            &format!("{BA}/{{ba}}/billingProfiles/{{bp}}/checkAccess"),
            post(billing::profile_check_access),
        )
        .route(
            &format!("{BA}/{{ba}}/invoices/{{invoice}}/pay"),
            post(pay::pay_invoice),
        )
        .route(
            &format!("{BA}/{{ba}}/invoices/{{invoice}}/payments/{{payment}}"),
            get(pay::get_payment),
        )
        .merge(operator::router())
        // Unknown operations under the API's prefixes answer in the API's error shape.
        .route(
            "/providers/{*rest}",
            axum::routing::any(envelope::not_found_fallback),
        )
        .route(
            "/operator/v1/{*rest}",
            axum::routing::any(envelope::not_found_fallback),
        )
}
