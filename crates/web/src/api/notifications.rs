//! The caller's own notification settings (Faktura extension): which e-mails they get. The
//! adapter for `faktura_app::notify::settings`.

use super::envelope::*;
use super::ApiCaller;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::Json;
use faktura_app::notify::settings::{self, SettingsError, TopicSetting};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicJson {
    topic: &'static str,
    email: bool,
    default: bool,
    mandatory: bool,
}

#[derive(Serialize)]
pub struct SettingsJson {
    value: Vec<TopicJson>,
}

fn settings_json(settings: Vec<TopicSetting>) -> Json<SettingsJson> {
    Json(SettingsJson {
        value: settings
            .into_iter()
            .map(|s| TopicJson {
                topic: s.topic.code(),
                email: s.email,
                default: s.default,
                mandatory: s.mandatory,
            })
            .collect(),
    })
}

/// `{"email": {"receipts": false, "invoice_issued": true}}`: the topics to change.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    email: BTreeMap<String, bool>,
}

impl From<SettingsError> for ArmError {
    fn from(error: SettingsError) -> Self {
        match error {
            SettingsError::App(error) => error.into(),
            SettingsError::UnknownTopic(_) => {
                ArmError::bad_request("UnknownNotificationTopic", error.to_string())
                    .with_target("email")
            }
            SettingsError::Mandatory(_) => {
                ArmError::bad_request("MandatoryNotificationTopic", error.to_string())
                    .with_target("email")
            }
        }
    }
}

pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(query): Query<ApiQuery>,
) -> Result<Json<SettingsJson>, ArmError> {
    query.check_version()?;
    let actor = caller.actor()?;
    Ok(settings_json(settings::settings(&state.app, &actor).await?))
}

pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(query): Query<ApiQuery>,
    ArmJson(body): ArmJson<SettingsBody>,
) -> Result<Json<SettingsJson>, ArmError> {
    query.check_version()?;
    let actor = caller.actor()?;
    let changes = settings::parse_changes(body.email.iter().map(|(k, v)| (k.as_str(), *v)))?;
    Ok(settings_json(
        settings::save(&state.app, &actor, &changes).await?,
    ))
}
