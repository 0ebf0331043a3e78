//! The service's header and left pane (Cost Management + Billing).

use faktura_app::AccountScope;
use faktura_domain::BillingProfileId;

pub struct NavProfile {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// The service's header and left pane.
pub struct BillingNav {
    pub account_id: String,
    pub account_name: String,
    pub profiles: Vec<NavProfile>,
    pub selected_profile: Option<String>,
    pub scope_query: String,
    pub scope_action: String,
    pub active: &'static str,
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
        BillingNav {
            account_id: self.account.id.to_string(),
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
            scope_query: selected
                .map(|p| format!("?profile={p}"))
                .unwrap_or_default(),
            scope_action,
            active,
        }
    }
}
