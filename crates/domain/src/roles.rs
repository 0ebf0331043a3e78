//! Billing roles and what they permit, as one pure function tested against the reference table.

use crate::ids::BillingProfileId;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The seven billing roles of a Microsoft-Customer-Agreement-style account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    BillingAccountOwner,
    BillingAccountContributor,
    BillingAccountReader,
    BillingProfileOwner,
    BillingProfileContributor,
    BillingProfileReader,
    InvoiceManager,
}

/// What a user can be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    ViewInvoices,
    PayInvoices,
    ViewPaymentMethods,
    ManagePaymentMethods,
    GrantAccess,
    /// Activity log and other administrative read access (owners and contributors).
    ViewActivityLog,
    /// Editing addresses, invoice e-mail and similar properties (owners).
    EditProperties,
}

impl Permission {
    pub const ALL: [Permission; 7] = [
        Permission::ViewInvoices,
        Permission::PayInvoices,
        Permission::ViewPaymentMethods,
        Permission::ManagePaymentMethods,
        Permission::GrantAccess,
        Permission::ViewActivityLog,
        Permission::EditProperties,
    ];
}

/// Where a role assignment applies: the whole account, or one billing profile of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    Account,
    Profile(BillingProfileId),
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::BillingAccountOwner,
        Role::BillingAccountContributor,
        Role::BillingAccountReader,
        Role::BillingProfileOwner,
        Role::BillingProfileContributor,
        Role::BillingProfileReader,
        Role::InvoiceManager,
    ];

    /// Stable name used in storage and the API.
    pub fn code(self) -> &'static str {
        match self {
            Role::BillingAccountOwner => "BillingAccountOwner",
            Role::BillingAccountContributor => "BillingAccountContributor",
            Role::BillingAccountReader => "BillingAccountReader",
            Role::BillingProfileOwner => "BillingProfileOwner",
            Role::BillingProfileContributor => "BillingProfileContributor",
            Role::BillingProfileReader => "BillingProfileReader",
            Role::InvoiceManager => "InvoiceManager",
        }
    }

    /// Account roles are assigned at account scope; the others at profile scope.
    pub fn is_account_role(self) -> bool {
        matches!(
            self,
            Role::BillingAccountOwner
                | Role::BillingAccountContributor
                | Role::BillingAccountReader
        )
    }

    pub fn permits(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            ViewInvoices | ViewPaymentMethods => true,
            PayInvoices => !matches!(self, BillingAccountReader | BillingProfileReader),
            ManagePaymentMethods | ViewActivityLog => matches!(
                self,
                BillingAccountOwner
                    | BillingAccountContributor
                    | BillingProfileOwner
                    | BillingProfileContributor
            ),
            GrantAccess | EditProperties => {
                matches!(self, BillingAccountOwner | BillingProfileOwner)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownRole(s.chars().take(40).collect()))
    }
}

/// One user's standing on one billing account: the facts every permission check needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// The user signed the account up; they may do everything on it.
    pub is_account_admin: bool,
    pub grants: Vec<(Scope, Role)>,
}

impl Access {
    /// Whether the user may do `permission` on the account itself (`None`) or on one profile.
    /// Account-scope roles apply to every profile; profile roles only to their profile.
    pub fn allows(&self, permission: Permission, profile: Option<&BillingProfileId>) -> bool {
        if self.is_account_admin {
            return true;
        }
        self.grants.iter().any(|(scope, role)| {
            let applies = match (scope, profile) {
                (Scope::Account, _) => true,
                (Scope::Profile(granted), Some(wanted)) => granted == wanted,
                (Scope::Profile(_), None) => false,
            };
            applies && role.permits(permission)
        })
    }

    /// Whether the user has any standing on the account at all.
    pub fn has_any_role(&self) -> bool {
        self.is_account_admin || !self.grants.is_empty()
    }

    /// Whether the user sees every profile of the account (admin or any account-scope role).
    pub fn sees_whole_account(&self) -> bool {
        self.is_account_admin || self.grants.iter().any(|(s, _)| *s == Scope::Account)
    }

    /// The profiles a profile-scoped user may see (meaningful when not `sees_whole_account`).
    pub fn profile_ids(&self) -> Vec<BillingProfileId> {
        let mut ids: Vec<BillingProfileId> = self
            .grants
            .iter()
            .filter_map(|(scope, _)| match scope {
                Scope::Profile(id) => Some(id.clone()),
                Scope::Account => None,
            })
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;
    use Role::*;

    /// The table in shared/reference/billing-flow.md: view invoices, pay, manage payment methods
    /// ("view" means read only), grant access.
    const TABLE: [(Role, bool, bool, &str, bool); 7] = [
        (BillingAccountOwner, true, true, "yes", true),
        (BillingAccountContributor, true, true, "yes", false),
        (BillingAccountReader, true, false, "view", false),
        (BillingProfileOwner, true, true, "yes", true),
        (BillingProfileContributor, true, true, "yes", false),
        (BillingProfileReader, true, false, "view", false),
        (InvoiceManager, true, true, "view", false),
    ];

    #[test]
    fn permissions_match_the_reference_table() {
        for (role, view, pay, methods, grant) in TABLE {
            assert_eq!(role.permits(ViewInvoices), view, "{role:?} view");
            assert_eq!(role.permits(PayInvoices), pay, "{role:?} pay");
            assert!(
                role.permits(ViewPaymentMethods),
                "{role:?} sees payment methods"
            );
            assert_eq!(
                role.permits(ManagePaymentMethods),
                methods == "yes",
                "{role:?} manage"
            );
            assert_eq!(role.permits(GrantAccess), grant, "{role:?} grant");
        }
    }

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>(), Ok(role));
        }
        assert!("Owner".parse::<Role>().is_err());
    }

    #[test]
    fn account_roles_apply_to_every_profile() {
        let access = Access {
            is_account_admin: false,
            grants: vec![(Scope::Account, BillingAccountContributor)],
        };
        let profile = BillingProfileId::generate();
        assert!(access.allows(PayInvoices, Some(&profile)));
        assert!(access.allows(PayInvoices, None));
        assert!(!access.allows(GrantAccess, Some(&profile)));
    }

    #[test]
    fn profile_roles_apply_only_to_their_profile() {
        let mine = BillingProfileId::generate();
        let other = BillingProfileId::generate();
        let access = Access {
            is_account_admin: false,
            grants: vec![(Scope::Profile(mine.clone()), InvoiceManager)],
        };
        assert!(access.allows(PayInvoices, Some(&mine)));
        assert!(!access.allows(PayInvoices, Some(&other)));
        assert!(
            !access.allows(ViewInvoices, None),
            "profile role gives no account-wide view"
        );
        assert!(!access.allows(ManagePaymentMethods, Some(&mine)));
        assert!(!access.sees_whole_account());
        assert_eq!(access.profile_ids(), vec![mine]);
    }

    #[test]
    fn account_admin_may_do_everything() {
        let access = Access {
            is_account_admin: true,
            grants: vec![],
        };
        for permission in Permission::ALL {
            assert!(access.allows(permission, None));
            assert!(access.allows(permission, Some(&BillingProfileId::generate())));
        }
    }

    #[test]
    fn no_role_means_nothing() {
        let access = Access::default();
        for permission in Permission::ALL {
            assert!(!access.allows(permission, None));
            assert!(!access.allows(permission, Some(&BillingProfileId::generate())));
        }
        assert!(!access.has_any_role());
    }
}
