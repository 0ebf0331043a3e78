//! Activity log (Aktivitetslog): the account's append-only events, newest first, filtered by
//! kind and period, a page at a time. Account owners and contributors and the administrator see
//! the whole account; billing profile owners and contributors see the events about their
//! profiles (cards, properties, role assignments, payments of their invoices).

use crate::error::AppError;
use crate::i18n::Tr;
use crate::session::SignedIn;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use faktura_domain::*;
use faktura_store::ActivityQuery;
use serde::Deserialize;

/// Kind filters: code, label key, kind prefix.
const KINDS: [(&str, &str, &str); 7] = [
    ("all", "activity-kind-all", ""),
    ("sign-in", "activity-kind-auth", "auth."),
    ("payments", "activity-kind-payments", "payment."),
    ("settlements", "activity-kind-settlements", "settlement."),
    ("methods", "activity-kind-methods", "payment_method."),
    ("roles", "activity-kind-roles", "role."),
    ("properties", "activity-kind-properties", "properties."),
];

/// Period filters: code, label key, days back (0 = all time).
const PERIODS: [(&str, &str, i64); 5] = [
    ("30d", "activity-period-30d", 30),
    ("24h", "activity-period-24h", 1),
    ("7d", "activity-period-7d", 7),
    ("90d", "activity-period-90d", 90),
    ("all", "activity-period-all", 0),
];

const PAGE_SIZE: u32 = 25;

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

/// `millis_evt_…`: the last row of the previous page.
fn parse_cursor(raw: &str) -> Option<(i64, AuditEventId)> {
    let (ms, id) = raw.split_once('_')?;
    Some((ms.parse().ok()?, AuditEventId::parse(id).ok()?))
}

fn kind_label(tr: &Tr, kind: &str) -> String {
    let key = format!("event-{}", kind.replace(['.', '_'], "-"));
    if tr.i18n.has(tr.locale, &key) {
        tr.t(&key)
    } else {
        kind.to_owned()
    }
}

pub fn time_text(tr: &Tr, at: DateTime<Utc>) -> String {
    format!("{} {} UTC", tr.date(at.date_naive()), at.format("%H:%M:%S"))
}

/// Flattens nested JSON into `a.b: value` pairs.
fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, inner, out);
            }
        }
        serde_json::Value::Null => {}
        serde_json::Value::String(text) => out.push((prefix.to_owned(), text.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

/// The event's JSON details as short "key: value" pairs. Where it has `before` and `after`,
/// only what changed is shown, as "old → new".
fn details(raw: &str) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str::<serde_json::Value>(raw)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let (Some(before), Some(after)) = (map.remove("before"), map.remove("after")) {
        let (mut old, mut new) = (Vec::new(), Vec::new());
        flatten("", &before, &mut old);
        flatten("", &after, &mut new);
        for (key, after_value) in &new {
            let before_value = old
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            if before_value != after_value {
                out.push((key.clone(), format!("{before_value} → {after_value}")));
            }
        }
    }
    flatten("", &serde_json::Value::Object(map), &mut out);
    for (_, value) in &mut out {
        *value = value.chars().take(300).collect();
    }
    out
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
    // The whole account for account-wide standing, else the profiles the user may audit.
    let profiles = if scope.access.allows(Permission::ViewActivityLog, None) {
        None
    } else {
        let mine: Vec<&BillingProfile> = scope
            .profiles
            .iter()
            .filter(|p| {
                scope
                    .access
                    .allows(Permission::ViewActivityLog, Some(&p.id))
            })
            .collect();
        if mine.is_empty() {
            if let Some(page) = refusal(
                &chrome,
                &scope,
                Permission::ViewActivityLog,
                None,
                "action-view-activity",
            ) {
                return Ok(page);
            }
        }
        Some(mine)
    };
    let kind_code = params
        .kind
        .as_deref()
        .filter(|k| !k.is_empty())
        .unwrap_or("all");
    let prefix = KINDS
        .iter()
        .find(|(code, _, _)| *code == kind_code)
        .map(|(_, _, prefix)| *prefix)
        .ok_or(AppError::BadRequest("unknown kind filter"))?;
    let period_code = params
        .period
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or("30d");
    let days = PERIODS
        .iter()
        .find(|(code, _, _)| *code == period_code)
        .map(|(_, _, days)| *days)
        .ok_or(AppError::BadRequest("unknown period filter"))?;
    let before = match params.before.as_deref().filter(|b| !b.is_empty()) {
        Some(raw) => Some(parse_cursor(raw).ok_or(AppError::BadRequest("bad page cursor"))?),
        None => None,
    };
    let page = state
        .app
        .store
        .activity(&ActivityQuery {
            account: scope.account.id.clone(),
            profiles: profiles
                .as_ref()
                .map(|list| list.iter().map(|p| p.id.clone()).collect()),
            kind_prefix: (!prefix.is_empty()).then(|| prefix.to_owned()),
            since: (days > 0).then(|| Utc::now() - Duration::days(days)),
            until: None,
            before: before.clone(),
            limit: PAGE_SIZE,
        })
        .await?;
    let tr = &chrome.tr;
    let rows = page
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
            details: details(&entry.event.detail),
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
    let next_page = page
        .next
        .as_ref()
        .map(|(ms, id)| link(Some(format!("{ms}_{id}"))));
    let first_page = before.is_some().then(|| link(None));
    let kind_options = KINDS
        .iter()
        .map(|(code, key, _)| (*code, tr.t(key), *code == kind_code))
        .collect();
    let period_options = PERIODS
        .iter()
        .map(|(code, key, _)| (*code, tr.t(key), *code == period_code))
        .collect();
    let limited_to = profiles.as_ref().map(|list| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_and_details() {
        let id = AuditEventId::generate();
        assert_eq!(
            parse_cursor(&format!("1700000000000_{id}")),
            Some((1_700_000_000_000, id))
        );
        assert_eq!(parse_cursor("x_evt_1"), None);
        assert_eq!(parse_cursor("nonsense"), None);
        let changed = details(
            r#"{"profile":"bp_1","before":{"bill_to":{"city":"A","line1":"X"},"invoice_email":"a@b.c"},"after":{"bill_to":{"city":"B","line1":"X"},"invoice_email":"a@b.c"}}"#,
        );
        assert_eq!(
            changed,
            vec![
                ("bill_to.city".to_owned(), "A → B".to_owned()),
                ("profile".to_owned(), "bp_1".to_owned())
            ]
        );
        let pairs = details(r#"{"from":"processing","to":"succeeded","reason":null,"n":3}"#);
        assert!(pairs.contains(&("to".into(), "succeeded".into())));
        assert!(pairs.contains(&("n".into(), "3".into())));
        assert!(!pairs.iter().any(|(k, _)| k == "reason"));
        assert!(details("not json").is_empty());
    }
}
