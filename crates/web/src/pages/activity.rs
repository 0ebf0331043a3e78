//! Activity log (Aktivitetslog): the account's append-only events, newest first, filtered by
//! kind and period, a page at a time: the portal's adapter for `faktura_app::activity`, which
//! decides how far the user's view reaches (the whole account, or their profiles' events).

use crate::context::SignedIn;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use faktura_app::activity::{self, ActivityRequest, KINDS, PERIODS};
use faktura_app::AppError as Refusal;
use faktura_domain::*;
use serde::Deserialize;

/// The label of a kind filter (codes from `faktura_app::activity::KINDS`).
fn kind_filter_key(code: &str) -> String {
    match code {
        "sign-in" => "activity-kind-auth".into(),
        other => format!("activity-kind-{other}"),
    }
}

pub struct EventRow {
    pub time: String,
    pub kind: String,
    pub kind_code: String,
    pub actor: String,
    pub ip: String,
    pub target: String,
    pub details: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityTemplate {
    chrome: Chrome,
    nav: BillingNav,
    rows: Vec<EventRow>,
    kind_options: Vec<(&'static str, String, bool)>,
    period_options: Vec<(&'static str, String, bool)>,
    next_page: Option<String>,
    first_page: Option<String>,
    /// Set when the view is limited to some billing profiles: their names.
    limited_to: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ActivityParams {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    before: Option<String>,
}

fn kind_label(tr: &Tr, kind: &str) -> String {
    let key = format!("event-{}", kind.replace(['.', '_'], "-"));
    if tr.i18n.has(tr.locale, &key) {
        tr.t(&key)
    } else {
        kind.to_owned()
    }
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Query(params): Query<ActivityParams>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let base = format!("/billing/{}/activity", scope.account.id);
    let chrome = Chrome::new(&state, &signed_in.ctx, &base);
    let request = ActivityRequest {
        kind: params.kind.as_deref(),
        period: params.period.as_deref(),
        before: params.before.as_deref(),
    };
    let found = match activity::activity(&state.app, &scope, &request).await {
        Ok(found) => found,
        Err(Refusal::NotAllowed { reason }) => {
            return refusal(
                &chrome,
                &scope,
                Permission::ViewActivityLog,
                None,
                "action-view-activity",
            )
            .ok_or(AppError::Forbidden(reason));
        }
        Err(other) => return Err(other.into()),
    };
    let (kind_code, period_code) = (found.kind, found.period);
    let tr = &chrome.tr;
    let rows = found
        .page
        .items
        .iter()
        .map(|entry| EventRow {
            time: time_text(tr, entry.event.created_at),
            kind: kind_label(tr, &entry.event.kind),
            kind_code: entry.event.kind.clone(),
            actor: entry
                .actor_email
                .clone()
                .unwrap_or_else(|| tr.t("activity-system")),
            ip: entry.event.ip.clone().unwrap_or_default(),
            target: entry.event.target.clone(),
            details: event_details(tr, &entry.event.kind, &entry.event.detail, &scope.profiles),
        })
        .collect();
    let link = |cursor: Option<String>| {
        let mut params = vec![
            ("kind".to_owned(), kind_code.to_owned()),
            ("period".to_owned(), period_code.to_owned()),
        ];
        if let Some(cursor) = cursor {
            params.push(("before".into(), cursor));
        }
        format!(
            "{base}?{}",
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    };
    let next_page = found.next.clone().map(|cursor| link(Some(cursor)));
    let first_page = found.continued.then(|| link(None));
    let kind_options = KINDS
        .iter()
        .map(|(code, _)| (*code, tr.t(&kind_filter_key(code)), *code == kind_code))
        .collect();
    let period_options = PERIODS
        .iter()
        .map(|(code, _)| {
            let label = tr.t(&format!("activity-period-{code}"));
            (*code, label, *code == period_code)
        })
        .collect();
    let limited_to = found.limited_to.as_ref().map(|list| {
        let names: Vec<&str> = list.iter().map(|p| p.display_name.as_str()).collect();
        tr.t1("activity-limited", "profiles", names.join(", "))
    });
    let nav = scope.nav("activity", None, base.clone());
    Ok(render(&ActivityTemplate {
        limited_to,
        chrome,
        nav,
        rows,
        kind_options,
        period_options,
        next_page,
        first_page,
    }))
}
