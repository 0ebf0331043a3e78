//! Access resources: billing role assignments, billing permissions and check access, at account
//! and profile scope — the API's adapter for `faktura_app::access`. Accounts and profiles the
//! caller holds no role on answer 404, exactly like ones that do not exist.

use super::billing::{account_path, profile_path, scope_profile, RA_TYPE};
use super::envelope::*;
use super::ApiCaller;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use faktura_app::access::{self, CheckAccessError, Listing};
use faktura_domain::*;
use serde::Deserialize;
use serde_json::{json, Value};

fn role_assignment_resource(
    ba: &BillingAccountId,
    assignment: &RoleAssignment,
    email: &str,
) -> Value {
    let scope_path = match &assignment.scope {
        Scope::Account => account_path(ba),
        Scope::Profile(bp) => profile_path(ba, bp),
    };
    resource(
        format!("{scope_path}/billingRoleAssignments/{}", assignment.id),
        RA_TYPE,
        json!({
            "principalId": assignment.user_id.as_str(),
            "principalType": "User",
            "userEmailAddress": email,
            "roleDefinitionId": format!("{}/billingRoleDefinitions/{}", account_path(ba), assignment.role.code()),
            "scope": scope_path,
            "createdOn": timestamp(assignment.created_at),
        }),
    )
}

async fn assignment_list(
    state: &AppState,
    scope: &faktura_app::AccountScope,
    listing: Listing<'_>,
) -> Result<Json<Value>, ArmError> {
    let listed = access::assignments(&state.app, scope, listing).await?;
    Ok(Json(list(
        listed
            .iter()
            .map(|l| role_assignment_resource(scope.id(), &l.assignment, &l.email))
            .collect(),
        None,
    )))
}

pub async fn account_role_assignments(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    assignment_list(&state, &scope, Listing::Account).await
}

pub async fn profile_role_assignments(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let profile = scope_profile(&scope, &bp)?.id.clone();
    assignment_list(&state, &scope, Listing::Profile(&profile)).await
}

fn permissions(
    scope: &faktura_app::AccountScope,
    profile: Option<&BillingProfileId>,
) -> Result<Json<Value>, ArmError> {
    let (actions, not_actions) = access::permissions(scope, profile)?;
    Ok(Json(
        json!({"value": [{"actions": actions, "notActions": not_actions}]}),
    ))
}

pub async fn account_permissions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    permissions(&scope, None)
}

pub async fn profile_permissions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let profile = scope_profile(&scope, &bp)?.id.clone();
    permissions(&scope, Some(&profile))
}

#[derive(Deserialize)]
pub struct CheckAccessRequest {
    actions: Vec<String>,
}

fn check_access(
    scope: &faktura_app::AccountScope,
    profile: Option<&BillingProfileId>,
    request: &CheckAccessRequest,
) -> Result<Json<Value>, ArmError> {
    let decisions = match access::check_access(scope, profile, &request.actions) {
        Ok(decisions) => decisions,
        Err(too_many @ CheckAccessError::TooManyActions) => {
            return Err(
                ArmError::bad_request("TooManyActions", too_many.to_string())
                    .with_target("actions"),
            )
        }
        Err(CheckAccessError::App(error)) => return Err(error.into()),
    };
    Ok(Json(Value::Array(
        decisions
            .into_iter()
            .map(|(action, allowed)| {
                let decision = if allowed { "Allowed" } else { "NotAllowed" };
                json!({"action": action, "accessDecision": decision})
            })
            .collect(),
    )))
}

pub async fn account_check_access(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
    ArmJson(request): ArmJson<CheckAccessRequest>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    check_access(&scope, None, &request)
}

pub async fn profile_check_access(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
    ArmJson(request): ArmJson<CheckAccessRequest>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let profile = scope_profile(&scope, &bp)?.id.clone();
    check_access(&scope, Some(&profile), &request)
}
