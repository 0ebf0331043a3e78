//! Changing a billing profile through the API: its purchase order number (`poNumber`, as
//! Microsoft.Billing names it), which profile owners set and new invoices take when issued.
//! The rules are `faktura_app::po_number`'s, shared with the Properties page.

use super::billing::scope_profile;
use super::envelope::{ApiQuery, ArmError, ArmJson};
use super::resources::{profile_resource, ProfileResource};
use super::ApiCaller;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use faktura_app::po_number::{self, PoProblem, PoSaveError, MAX_PO_NUMBER};
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Deserialize)]
pub struct ProfileBody {
    #[serde(default)]
    properties: Map<String, Value>,
}

/// `PATCH …/billingProfiles/{bp}` with `{"properties": {"poNumber": "PO-1"}}` (`null` or `""`
/// clears it). Other properties are read-only here and refused by name.
pub async fn update_profile(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
    ArmJson(body): ArmJson<ProfileBody>,
) -> Result<Json<ProfileResource>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let profile = scope_profile(&scope, &bp)?.id.clone();
    if let Some(other) = body.properties.keys().find(|k| k.as_str() != "poNumber") {
        return Err(ArmError::bad_request(
            "ReadOnlyProperty",
            format!("only poNumber can be changed here, not {other}"),
        )
        .with_target(&format!(
            "properties.{}",
            other.chars().take(60).collect::<String>()
        )));
    }
    let number = match body.properties.get("poNumber") {
        None => {
            return Err(ArmError::bad_request(
                "MissingProperty",
                "send properties.poNumber (null clears it)",
            )
            .with_target("properties.poNumber"))
        }
        Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(_) => {
            return Err(
                ArmError::bad_request("InvalidPoNumber", "poNumber is a string or null")
                    .with_target("properties.poNumber"),
            )
        }
    };
    let actor = caller.actor()?;
    match po_number::save_po_number(&state.app, &actor, &scope, &profile, &number).await {
        Ok(saved) => Ok(Json(profile_resource(&saved))),
        Err(PoSaveError::Invalid { problem, .. }) => {
            let message = match problem {
                PoProblem::TooLong(_) => {
                    format!("poNumber may be at most {MAX_PO_NUMBER} characters")
                }
                PoProblem::NotPrintable => {
                    "poNumber may not contain line breaks, tabs, control or invisible characters"
                        .to_owned()
                }
            };
            Err(ArmError::bad_request(problem.code(), message).with_target("properties.poNumber"))
        }
        Err(PoSaveError::App(error)) => Err(error.into()),
    }
}
