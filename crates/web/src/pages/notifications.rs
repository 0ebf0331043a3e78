//! The person's notification settings, from the user menu: which e-mails they get.

use crate::context::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use faktura_app::notify::settings::{self, TopicSetting};
use faktura_domain::notifications::Topic;
use serde::Deserialize;
use std::collections::HashMap;

const PATH: &str = "/account/notifications";
/// Each topic's checkbox is `email-<code>`; a missing one is an unticked box.
const FIELD_PREFIX: &str = "email-";

pub struct TopicRow {
    pub code: &'static str,
    pub label: String,
    pub hint: String,
    pub email: bool,
    pub mandatory: bool,
    pub default: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsTemplate {
    chrome: Chrome,
    intro: String,
    rows: Vec<TopicRow>,
    saved: bool,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn row(chrome: &Chrome, setting: &TopicSetting) -> TopicRow {
    let code = setting.topic.code();
    TopicRow {
        code,
        label: chrome.tr.t(&format!("topic-{code}")),
        hint: chrome.tr.t(&format!("topic-{code}-hint")),
        email: setting.email,
        mandatory: setting.mandatory,
        default: chrome.tr.t(if setting.default {
            "notifications-default-on"
        } else {
            "notifications-default-off"
        }),
    }
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let chrome = Chrome::framed(&state, &signed_in.ctx, PATH, "notifications").await;
    let actor = signed_in.actor();
    let rows = settings::settings(&state.app, &actor)
        .await?
        .iter()
        .map(|setting| row(&chrome, setting))
        .collect();
    let intro = chrome
        .tr
        .t1("notifications-intro", "email", &actor.user.email);
    Ok(render(&NotificationsTemplate {
        chrome,
        intro,
        rows,
        saved: query.saved.is_some(),
    }))
}

/// Saves every switchable topic: ticked boxes on, the others off.
pub async fn save(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let changes: Vec<(Topic, bool)> = Topic::ALL
        .into_iter()
        .filter(|topic| !topic.mandatory())
        .map(|topic| {
            let field = format!("{FIELD_PREFIX}{}", topic.code());
            (topic, form.contains_key(&field))
        })
        .collect();
    settings::save(&state.app, &signed_in.actor(), &changes)
        .await
        .map_err(|error| match error {
            settings::SettingsError::App(error) => AppError::from(error),
            // The page only offers what may be switched: anything else is a forged form.
            _ => AppError::BadRequest("unknown notification setting"),
        })?;
    Ok(Redirect::to(&format!("{PATH}?saved=1")).into_response())
}
