//! The service's header, left pane and breadcrumb trail (Cost Management + Billing).

use crate::state::AppState;
use faktura_app::AccountScope;
use faktura_domain::{BillingProfileId, User};

#[derive(Clone)]
pub struct NavProfile {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// One step of the breadcrumb trail after "Home › Cost Management + Billing". The last step is
/// the page itself (shown as text, `aria-current="page"`); the others are links.
#[derive(Clone)]
pub struct Crumb {
    /// A message key (translated in the template), or `None` for `text` as it is (a number).
    pub key: Option<&'static str>,
    pub text: String,
    pub href: String,
}

/// The service's header and left pane.
#[derive(Clone)]
pub struct BillingNav {
    pub account_id: String,
    pub account_name: String,
    pub profiles: Vec<NavProfile>,
    pub selected_profile: Option<String>,
    pub scope_query: String,
    /// Where the scope picker sends its choice; empty: no scope picker on this page.
    pub scope_action: String,
    pub active: &'static str,
    /// The service's title is the page's `h1` (billing pages, whose own headings are `h2`);
    /// `false` on pages with an `h1` of their own (Help, API tokens, `/api`).
    pub title_is_heading: bool,
    pub crumbs: Vec<Crumb>,
}

impl BillingNav {
    /// The trail goes one step further: `key` (a message key) linking to `href`.
    pub fn crumb(mut self, key: &'static str, href: impl Into<String>) -> Self {
        self.crumbs.push(Crumb {
            key: Some(key),
            text: String::new(),
            href: href.into(),
        });
        self
    }

    /// The trail goes one step further: `text` as it is (an invoice number) linking to `href`.
    pub fn crumb_text(mut self, text: impl Into<String>, href: impl Into<String>) -> Self {
        self.crumbs.push(Crumb {
            key: None,
            text: text.into(),
            href: href.into(),
        });
        self
    }
}

/// The left-pane entry a portal path belongs to (for a refusal or any page found by its path).
pub fn section_of(path: &str) -> &'static str {
    let mut parts = path.split(['?', '#']).next().unwrap_or("").split('/');
    let (Some(""), Some("billing"), Some(_account)) = (parts.next(), parts.next(), parts.next())
    else {
        return "";
    };
    match parts.next() {
        None | Some("") => "overview",
        Some("invoices" | "payments" | "settle" | "settlements" | "credit-notes") => "invoices",
        Some("payment-methods") => "payment-methods",
        Some("properties") => "properties",
        Some("access") => "access",
        Some("activity") => "activity",
        Some("webhooks") => "webhooks",
        Some(_) => "",
    }
}

/// The trail's step for a left-pane entry: its message key and address.
fn section(active: &str, account: &str) -> Option<(&'static str, String)> {
    let billing = format!("/billing/{account}");
    Some(match active {
        "invoices" => ("nav-invoices", format!("{billing}/invoices")),
        "payment-methods" => ("nav-payment-methods", format!("{billing}/payment-methods")),
        "properties" => ("nav-properties", format!("{billing}/properties")),
        "access" => ("nav-access", format!("{billing}/access")),
        "activity" => ("nav-activity", format!("{billing}/activity")),
        "webhooks" => ("nav-webhooks", format!("{billing}/webhooks")),
        "help" => ("help-title", "/help".to_owned()),
        "tokens" => ("tokens-title", "/account/tokens".to_owned()),
        "notifications" => ("notifications-title", "/account/notifications".to_owned()),
        "api" => ("api-title", "/api".to_owned()),
        _ => return None,
    })
}

/// The left pane for a scope: `active` names the highlighted entry.
pub trait NavExt {
    fn nav(
        &self,
        active: &'static str,
        selected: Option<&BillingProfileId>,
        scope_action: String,
    ) -> BillingNav;
}

impl NavExt for AccountScope {
    fn nav(
        &self,
        active: &'static str,
        selected: Option<&BillingProfileId>,
        scope_action: String,
    ) -> BillingNav {
        let account = self.account.id.to_string();
        let scope_query = selected
            .map(|p| format!("?profile={p}"))
            .unwrap_or_default();
        let crumbs = section(active, &account)
            .map(|(key, href)| {
                // The pages that keep the chosen profile keep it in the trail too.
                let href = match active {
                    "invoices" | "payment-methods" | "properties" | "access" => {
                        format!("{href}{scope_query}")
                    }
                    _ => href,
                };
                vec![Crumb {
                    key: Some(key),
                    text: String::new(),
                    href,
                }]
            })
            .unwrap_or_default();
        BillingNav {
            account_id: account,
            account_name: self.account.display_name.clone(),
            profiles: self
                .profiles
                .iter()
                .map(|p| NavProfile {
                    id: p.id.to_string(),
                    name: p.display_name.clone(),
                    selected: selected == Some(&p.id),
                })
                .collect(),
            selected_profile: selected.map(|p| p.to_string()),
            scope_query,
            scope_action,
            active,
            title_is_heading: true,
            crumbs,
        }
    }
}

/// The frame of a page outside any billing account (Help, API tokens, notifications, `/api`):
/// the service's left pane of the first billing account the person holds a role on, so they
/// stay in the service. `None` without one (an operator, no one signed in): the plain page.
pub async fn service_nav(
    state: &AppState,
    user: Option<&User>,
    active: &'static str,
) -> Option<BillingNav> {
    let actor = faktura_app::Actor::new(user?.clone(), None);
    let accounts = match faktura_app::accounts::list(&state.app, &actor).await {
        Ok(accounts) => accounts,
        Err(error) => {
            tracing::warn!(%error, "the service menu could not list the user's accounts");
            return None;
        }
    };
    let account = accounts.first()?;
    let scope = AccountScope::load(&state.app, &actor, account.id.as_str())
        .await
        .ok()?;
    // No scope picker: the page is not about one billing profile.
    let mut nav = scope.nav(active, None, String::new());
    nav.title_is_heading = false;
    Some(nav)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_belong_to_their_left_pane_entry() {
        assert_eq!(section_of("/billing/ba_1"), "overview");
        assert_eq!(section_of("/billing/ba_1/invoices/in_2/pay"), "invoices");
        assert_eq!(section_of("/billing/ba_1/settle"), "invoices");
        assert_eq!(
            section_of("/billing/ba_1/payment-methods?profile=bp_1"),
            "payment-methods"
        );
        assert_eq!(section_of("/billing/ba_1/webhooks/wh_1"), "webhooks");
        assert_eq!(section_of("/billing"), "");
        assert_eq!(section_of("/help"), "");
    }
}
