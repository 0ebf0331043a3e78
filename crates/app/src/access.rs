//! Access control (IAM): who holds which role, granting a role by e-mail (an address whose user
//! never set a password is mailed a fresh one-time set-password link, which the inviter never
//! sees), removing assignments, accepting an invitation, and what the actor may do — the permissions the portal's access page lists
//! and the API's billingPermissions and checkAccess answer, from the same `Access::allows` every
//! use case checks.

use crate::sessions::hash_password;
use crate::{AccountScope, Actor, AppError, AppResult, Resource, Services};
use chrono::{DateTime, Utc};
use faktura_domain::*;

pub use faktura_store::{
    EmailProblem, GrantRefusal, Invitation, InvitationRefusal, RemoveRefusal, INVITATION_DAYS,
};

const MAY_NOT_GRANT: &str = "your role may not grant access at this scope";

/// Shortest password accepted when setting one through an invitation.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted (argon2 would take any length; this bounds the work).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Most actions one checkAccess call may ask about.
pub const MAX_CHECK_ACTIONS: usize = 100;

/// Why an address may not name a user: not shaped like one ([`EmailProblem`] is `None`), or a
/// lookalike of another (invisible characters, a non-ASCII local part, a bad IDNA domain).
pub fn email_problem(email: &str) -> Option<Option<EmailProblem>> {
    if let Some(problem) = faktura_store::email_problem(email) {
        return Some(Some(problem));
    }
    // The shape is judged on the stored spelling (an international domain as `xn--`).
    (!valid_email(&faktura_store::normalize_email(email))).then_some(None)
}

/// A plausible e-mail address to grant a role to: one `@`, something before it, a dotted
/// domain, no spaces. (The same rule as a profile's invoice e-mail.)
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    faktura_store::email_problem(email).is_none()
        && email.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && email
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>\"(),;:[]\\".contains(c))
}

/// Whether the actor may grant and remove roles at `at`.
pub fn may_manage(scope: &AccountScope, at: &Scope) -> bool {
    match at {
        Scope::Account => scope.allows(Permission::GrantAccess, None),
        Scope::Profile(p) => scope.allows(Permission::GrantAccess, Some(p)),
    }
}

/// Where the actor may grant: the account (if allowed there), then each visible profile they
/// may grant on.
pub fn grant_scopes(scope: &AccountScope) -> Vec<Scope> {
    std::iter::once(Scope::Account)
        .chain(scope.profiles.iter().map(|p| Scope::Profile(p.id.clone())))
        .filter(|at| may_manage(scope, at))
        .collect()
}

/// `NotAllowed` unless the actor may grant somewhere on the account.
fn require_some_grant(scope: &AccountScope) -> AppResult<()> {
    if grant_scopes(scope).is_empty() {
        Err(AppError::not_allowed(MAY_NOT_GRANT))
    } else {
        Ok(())
    }
}

/// Which role assignments a listing covers.
#[derive(Debug, Clone, Copy)]
pub enum Listing<'a> {
    /// Every account-scope assignment (who runs the account is known to anyone with a role on
    /// it) and those on the profiles the actor sees: the portal's access page.
    WithAccountRoles,
    /// Account-scope assignments only for actors who see the whole account, and those on the
    /// profiles the actor sees: the API's account-scope list.
    Account,
    /// Those on one profile the actor sees.
    Profile(&'a BillingProfileId),
}

/// A role assignment as listed, with the holder's e-mail and whether the actor may remove it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub assignment: RoleAssignment,
    pub email: String,
    pub removable: bool,
}

/// The role assignments of the account that the actor may see, as `listing` says.
pub async fn assignments(
    app: &Services,
    scope: &AccountScope,
    listing: Listing<'_>,
) -> AppResult<Vec<Listed>> {
    if let Listing::Profile(profile) = listing {
        scope.visible_profile(profile)?;
    }
    let all = app.store.role_assignments(scope.id()).await?;
    Ok(all
        .into_iter()
        .filter(|(a, _)| match (&a.scope, listing) {
            (_, Listing::Profile(profile)) => a.scope == Scope::Profile(profile.clone()),
            (Scope::Account, Listing::WithAccountRoles) => true,
            (Scope::Account, Listing::Account) => scope.access.sees_whole_account(),
            (Scope::Profile(p), _) => scope.profile(p).is_some(),
        })
        .map(|(assignment, email)| Listed {
            removable: may_manage(scope, &assignment.scope),
            assignment,
            email,
        })
        .collect())
}

/// Everything the portal's access page shows about the account's roles.
#[derive(Debug, Clone)]
pub struct Overview {
    pub assignments: Vec<Listed>,
    /// The account administrator's e-mail (empty if the user is gone).
    pub admin_email: String,
    /// Where the actor may grant (see [`grant_scopes`]).
    pub grant_scopes: Vec<Scope>,
}

pub async fn overview(app: &Services, scope: &AccountScope) -> AppResult<Overview> {
    let assignments = assignments(app, scope, Listing::WithAccountRoles).await?;
    let admin_email = app
        .store
        .user_by_id(&scope.account.account_admin)
        .await?
        .map(|u| u.email)
        .unwrap_or_default();
    Ok(Overview {
        assignments,
        admin_email,
        grant_scopes: grant_scopes(scope),
    })
}

/// What the actor may do at `at` (the account, or a profile they see), permission by
/// permission in [`Permission::ALL`]'s order.
pub fn what_you_may_do(
    scope: &AccountScope,
    at: Option<&BillingProfileId>,
) -> AppResult<Vec<(Permission, bool)>> {
    if let Some(profile) = at {
        scope.visible_profile(profile)?;
    }
    Ok(Permission::ALL
        .iter()
        .map(|p| (*p, scope.allows(*p, at)))
        .collect())
}

/// Why Pay now is missing (or what it leads to) at a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayNote {
    /// Enterprise agreements pay by wire transfer.
    Wire,
    /// Pay-as-you-go accounts settle their balance.
    Settle,
    /// The actor sees only some profiles: paying is per profile.
    ChooseProfile,
    /// The actor's roles do not allow paying here.
    Role,
}

/// The note the access page shows next to "pay invoices", if any.
pub fn pay_note(scope: &AccountScope, at: Option<&BillingProfileId>) -> Option<PayNote> {
    if scope.account.agreement_type == AgreementType::EnterpriseAgreement {
        return Some(PayNote::Wire);
    }
    if scope.allows(Permission::PayInvoices, at) {
        return scope
            .account
            .agreement_type
            .is_pay_as_you_go()
            .then_some(PayNote::Settle);
    }
    if at.is_none() && !scope.access.sees_whole_account() {
        return Some(PayNote::ChooseProfile);
    }
    Some(PayNote::Role)
}

/// Why a role was not granted (besides access refusals).
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// Not shaped like an address (`None`), or a lookalike of another.
    #[error("not a usable e-mail address: {0:?}")]
    BadEmail(Option<EmailProblem>),
    #[error("unknown role")]
    BadRole,
    #[error("refused: {0:?}")]
    Refused(GrantRefusal),
    #[error(transparent)]
    App(#[from] AppError),
}

/// What a grant did. No invitation token exists yet: the notification worker makes the link
/// when it writes the invitation mail, queued in the grant's transaction.
#[derive(Debug, Clone)]
pub struct GrantDone {
    pub assignment: RoleAssignment,
    pub user: User,
    /// Set when an invitation is mailed to the user's address: until when it works.
    pub invited_until: Option<DateTime<Utc>>,
}

impl From<faktura_store::StoreError> for GrantError {
    fn from(error: faktura_store::StoreError) -> Self {
        GrantError::App(AppError::Store(error))
    }
}

/// Gives `email` the role named `raw_role` at `raw_scope` (`account`, empty, or a profile id).
/// The actor must be able to grant somewhere on the account and at that scope. An unknown
/// e-mail becomes an invited user; a user who never set a password is mailed a fresh
/// invitation (in their own language, else the inviter's `locale`), and earlier ones stop
/// working. The mail goes through the outbox (see `crate::notify`): retried, and lost by no
/// crash.
pub async fn grant(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    raw_scope: &str,
    email: &str,
    raw_role: &str,
    locale: Locale,
) -> Result<GrantDone, GrantError> {
    require_some_grant(scope)?;
    let target = match raw_scope.trim() {
        "account" | "" => Scope::Account,
        raw => Scope::Profile(
            BillingProfileId::parse(raw).map_err(|_| AppError::Invalid("unknown scope"))?,
        ),
    };
    if !may_manage(scope, &target) {
        return Err(AppError::not_allowed(MAY_NOT_GRANT).into());
    }
    if let Some(problem) = email_problem(email) {
        return Err(GrantError::BadEmail(problem));
    }
    let role = raw_role
        .trim()
        .parse::<Role>()
        .map_err(|_| GrantError::BadRole)?;
    let granted = app
        .store
        .grant_role(scope.id(), email, &target, role, &actor.audit(), locale)
        .await?
        .map_err(GrantError::Refused)?;
    Ok(GrantDone {
        assignment: granted.assignment,
        user: granted.user,
        invited_until: granted.invitation_expires,
    })
}

/// Why an assignment was not removed (besides access refusals).
#[derive(Debug, thiserror::Error)]
pub enum RemoveError {
    /// It is the account's only billing account owner.
    #[error("the last owner cannot be removed")]
    LastOwner,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<faktura_store::StoreError> for RemoveError {
    fn from(error: faktura_store::StoreError) -> Self {
        RemoveError::App(AppError::Store(error))
    }
}

/// Removes an assignment the actor may manage; the removed one and its holder's e-mail.
pub async fn remove(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    raw_assignment: &str,
) -> Result<(RoleAssignment, String), RemoveError> {
    require_some_grant(scope)?;
    let not_found = || AppError::NotFound(Resource::RoleAssignment);
    let id = RoleAssignmentId::parse(raw_assignment).map_err(|_| not_found())?;
    let (existing, _) = app
        .store
        .role_assignments(scope.id())
        .await?
        .into_iter()
        .find(|(a, _)| a.id == id)
        .ok_or_else(not_found)?;
    if !may_manage(scope, &existing.scope) {
        return Err(AppError::not_allowed(MAY_NOT_GRANT).into());
    }
    match app
        .store
        .remove_role_assignment(scope.id(), &id, &actor.audit())
        .await?
    {
        Ok(removed) => Ok(removed),
        Err(RemoveRefusal::NotFound) => Err(not_found().into()),
        Err(RemoveRefusal::LastOwner) => Err(RemoveError::LastOwner),
    }
}

/// Tokens are 64 hex characters; anything else is not looked up at all.
pub fn plausible_invitation_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Why an invitation cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    /// Not even shaped like a token: never looked up.
    #[error("not an invitation token")]
    Malformed,
    #[error("invitation refused: {0:?}")]
    Refused(InvitationRefusal),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<faktura_store::StoreError> for InvitationError {
    fn from(error: faktura_store::StoreError) -> Self {
        InvitationError::App(AppError::Store(error))
    }
}

/// The invitation behind a set-password link. The link is the credential: no actor.
pub async fn invitation(app: &Services, token: &str) -> Result<Invitation, InvitationError> {
    if !plausible_invitation_token(token) {
        return Err(InvitationError::Malformed);
    }
    app.store
        .invitation(token)
        .await?
        .map_err(InvitationError::Refused)
}

/// What is wrong with a chosen password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    Mismatch,
}

/// Checks a new password and its confirmation.
pub fn password_problem(password: &str, confirm: &str) -> Option<PasswordProblem> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Some(PasswordProblem::TooShort)
    } else if password.len() > MAX_PASSWORD_BYTES {
        Some(PasswordProblem::TooLong)
    } else if password != confirm {
        Some(PasswordProblem::Mismatch)
    } else {
        None
    }
}

/// Why an invitation was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    #[error(transparent)]
    Invitation(#[from] InvitationError),
    /// The invitation is good but the password is not; the invitation, to ask again.
    #[error("password refused: {problem:?}")]
    Password {
        problem: PasswordProblem,
        invitation: Box<Invitation>,
    },
    /// The invitation was used up or expired between looking it up and accepting it.
    #[error("invitation refused while accepting: {0:?}")]
    Gone(InvitationRefusal),
    #[error("hashing failed: {0}")]
    Hashing(String),
}

impl From<faktura_store::StoreError> for AcceptError {
    fn from(error: faktura_store::StoreError) -> Self {
        AcceptError::Invitation(error.into())
    }
}

/// Sets the invited user's password (argon2id) and uses the invitation up. The invitation as
/// it was looked up.
pub async fn accept_invitation(
    app: &Services,
    token: &str,
    password: &str,
    confirm: &str,
    ip: Option<&str>,
) -> Result<Invitation, AcceptError> {
    let invitation = invitation(app, token).await?;
    if let Some(problem) = password_problem(password, confirm) {
        return Err(AcceptError::Password {
            problem,
            invitation: Box::new(invitation),
        });
    }
    let hash = hash_password(password).map_err(|e| AcceptError::Hashing(e.to_string()))?;
    match app.store.accept_invitation(token, &hash, ip).await? {
        Ok(_) => Ok(invitation),
        Err(refusal) => Err(AcceptError::Gone(refusal)),
    }
}

/// Our permissions under the action names of the Microsoft.Billing resource provider; `None`
/// is reading the account, which any role allows.
pub const ACTIONS: [(&str, Option<Permission>); 8] = [
    ("Microsoft.Billing/billingAccounts/read", None),
    (
        "Microsoft.Billing/billingAccounts/invoices/read",
        Some(Permission::ViewInvoices),
    ),
    (
        "Microsoft.Billing/billingAccounts/invoices/pay/action",
        Some(Permission::PayInvoices),
    ),
    (
        "Microsoft.Billing/billingAccounts/billingProfiles/paymentMethodLinks/read",
        Some(Permission::ViewPaymentMethods),
    ),
    (
        "Microsoft.Billing/billingAccounts/billingProfiles/paymentMethodLinks/write",
        Some(Permission::ManagePaymentMethods),
    ),
    (
        "Microsoft.Billing/billingAccounts/billingRoleAssignments/write",
        Some(Permission::GrantAccess),
    ),
    (
        "Microsoft.Billing/billingAccounts/write",
        Some(Permission::EditProperties),
    ),
    (
        "Microsoft.Billing/billingAccounts/activityLogs/read",
        Some(Permission::ViewActivityLog),
    ),
];

/// Whether the actor may do the named action (case-insensitive); unknown actions are not allowed.
fn action_allowed(scope: &AccountScope, at: Option<&BillingProfileId>, action: &str) -> bool {
    ACTIONS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(action))
        .is_some_and(|(_, permission)| match permission {
            None => scope.access.has_any_role(),
            Some(permission) => scope.allows(*permission, at),
        })
}

/// The actions the actor may and may not do at `at`: `(actions, not_actions)`.
pub fn permissions(
    scope: &AccountScope,
    at: Option<&BillingProfileId>,
) -> AppResult<(Vec<&'static str>, Vec<&'static str>)> {
    if let Some(profile) = at {
        scope.visible_profile(profile)?;
    }
    Ok(ACTIONS
        .iter()
        .map(|(name, _)| *name)
        .partition(|name| action_allowed(scope, at, name)))
}

/// Why checkAccess did not answer.
#[derive(Debug, thiserror::Error)]
pub enum CheckAccessError {
    #[error("ask about at most {MAX_CHECK_ACTIONS} actions at once")]
    TooManyActions,
    #[error(transparent)]
    App(#[from] AppError),
}

/// For each action asked about, whether the actor may do it at `at`.
pub fn check_access<'a>(
    scope: &AccountScope,
    at: Option<&BillingProfileId>,
    actions: &'a [String],
) -> Result<Vec<(&'a str, bool)>, CheckAccessError> {
    if let Some(profile) = at {
        scope.visible_profile(profile)?;
    }
    if actions.len() > MAX_CHECK_ACTIONS {
        return Err(CheckAccessError::TooManyActions);
    }
    Ok(actions
        .iter()
        .map(|action| (action.as_str(), action_allowed(scope, at, action)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use faktura_domain::roles::Access;

    fn scope_with(grants: Vec<(Role, Scope)>, agreement: AgreementType) -> AccountScope {
        let account = BillingAccountId::parse("ba_0123456789abcdefghij").unwrap();
        let profile = |raw: &str, name: &str| BillingProfile {
            id: BillingProfileId::parse(raw).unwrap(),
            billing_account_id: account.clone(),
            display_name: name.into(),
            currency: Currency::DKK,
            status: ProfileStatus::Active,
            status_reason: None,
            bill_to: Address::default(),
            invoice_email: "ap@example.com".into(),
            default_payment_method_id: None,
            purchase_order_number: None,
            created_at: Utc::now(),
        };
        let access = Access {
            is_account_admin: false,
            grants: grants.into_iter().map(|(role, at)| (at, role)).collect(),
        };
        let mut profiles = vec![
            profile("bp_aaaaaaaaaaaaaaaaaaaa", "A"),
            profile("bp_bbbbbbbbbbbbbbbbbbbb", "B"),
        ];
        if !access.sees_whole_account() {
            let mine = access.profile_ids();
            profiles.retain(|p| mine.contains(&p.id));
        }
        AccountScope {
            account: BillingAccount {
                id: account,
                display_name: "Fjord".into(),
                agreement_type: agreement,
                status: AccountStatus::Active,
                country: "DK".into(),
                sold_to: Address::default(),
                account_admin: UserId::parse("usr_0123456789abcdefghij").unwrap(),
                created_at: Utc::now(),
            },
            access,
            profiles,
        }
    }

    fn profile_a() -> BillingProfileId {
        BillingProfileId::parse("bp_aaaaaaaaaaaaaaaaaaaa").unwrap()
    }

    #[test]
    fn lookalike_addresses_are_refused() {
        for (lookalike, problem) in [
            ("p\u{0430}ypal@example.com", EmailProblem::NonAsciiLocalPart),
            ("ap\u{200B}@example.com", EmailProblem::Invisible),
            ("ap@exam\u{200D}ple.com", EmailProblem::Invisible),
            ("\u{202E}moc.elpmaxe@pa", EmailProblem::Invisible),
            ("ap@exa\u{2066}mple.com", EmailProblem::Invisible),
            ("ap\u{00AD}@example.com", EmailProblem::Invisible),
            ("ap@xn--.com\u{00E9}", EmailProblem::BadDomain),
        ] {
            assert_eq!(
                email_problem(lookalike),
                Some(Some(problem)),
                "{lookalike:?}"
            );
            assert!(!valid_email(lookalike), "{lookalike:?}");
        }
        assert_eq!(email_problem("not an address"), Some(None));
        assert_eq!(email_problem(" AP@Example.com "), None);
        // A real international domain is fine, and is kept as `xn--`, which looks like nothing else.
        assert_eq!(email_problem("ap@bücher.example"), None);
        assert_eq!(
            faktura_store::normalize_email("AP@Bücher.Example"),
            "ap@xn--bcher-kva.example"
        );
        assert_eq!(email_problem("ap@p\u{0430}ypal.com"), None);
        assert!(faktura_store::normalize_email("ap@p\u{0430}ypal.com").contains("xn--"));
    }

    #[test]
    fn e_mail_to_grant_to() {
        assert!(valid_email("ap@example.com"));
        for bad in [
            "",
            "ap",
            "@example.com",
            "ap@example",
            "ap@.example.com",
            "ap@example.com.",
            "ap@exa..mple.com",
            "a p@example.com",
            "ap@b@example.com",
            "<ap>@example.com",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert!(!valid_email(&format!("{}@example.com", "a".repeat(65))));
    }

    #[test]
    fn owners_grant_everywhere_profile_owners_on_their_profile_only() {
        let owner = scope_with(
            vec![(Role::BillingAccountOwner, Scope::Account)],
            AgreementType::MicrosoftCustomerAgreement,
        );
        assert_eq!(grant_scopes(&owner).len(), 3);
        let profile_owner = scope_with(
            vec![(Role::BillingProfileOwner, Scope::Profile(profile_a()))],
            AgreementType::MicrosoftCustomerAgreement,
        );
        assert_eq!(
            grant_scopes(&profile_owner),
            vec![Scope::Profile(profile_a())]
        );
        assert!(!may_manage(&profile_owner, &Scope::Account));
        let reader = scope_with(
            vec![(Role::InvoiceManager, Scope::Profile(profile_a()))],
            AgreementType::MicrosoftCustomerAgreement,
        );
        assert!(grant_scopes(&reader).is_empty());
        assert!(matches!(
            require_some_grant(&reader),
            Err(AppError::NotAllowed {
                reason: MAY_NOT_GRANT
            })
        ));
    }

    #[test]
    fn pay_notes() {
        let ea = scope_with(
            vec![(Role::BillingAccountOwner, Scope::Account)],
            AgreementType::EnterpriseAgreement,
        );
        assert_eq!(pay_note(&ea, None), Some(PayNote::Wire));
        let mca = scope_with(
            vec![(Role::BillingAccountOwner, Scope::Account)],
            AgreementType::MicrosoftCustomerAgreement,
        );
        assert_eq!(pay_note(&mca, None), None);
        let profile_only = scope_with(
            vec![(Role::BillingProfileOwner, Scope::Profile(profile_a()))],
            AgreementType::MicrosoftCustomerAgreement,
        );
        assert_eq!(pay_note(&profile_only, None), Some(PayNote::ChooseProfile));
        assert_eq!(pay_note(&profile_only, Some(&profile_a())), None);
    }

    #[test]
    fn check_access_names_and_limits() {
        let reader = scope_with(
            vec![(Role::BillingAccountReader, Scope::Account)],
            AgreementType::MicrosoftCustomerAgreement,
        );
        let asked = vec![
            "microsoft.billing/billingaccounts/read".to_owned(),
            "Microsoft.Billing/billingAccounts/invoices/pay/action".to_owned(),
            "Microsoft.Billing/unknown".to_owned(),
        ];
        let answers = check_access(&reader, None, &asked).unwrap();
        let decisions: Vec<bool> = answers.iter().map(|(_, allowed)| *allowed).collect();
        assert_eq!(decisions, vec![true, false, false]);
        let too_many = vec![String::new(); MAX_CHECK_ACTIONS + 1];
        assert!(matches!(
            check_access(&reader, None, &too_many),
            Err(CheckAccessError::TooManyActions)
        ));
        let (allowed, refused) = permissions(&reader, None).unwrap();
        assert_eq!(allowed.len() + refused.len(), ACTIONS.len());
        assert!(allowed.contains(&"Microsoft.Billing/billingAccounts/read"));
    }

    #[test]
    fn hidden_profiles_answer_hidden() {
        let profile_only = scope_with(
            vec![(Role::BillingProfileOwner, Scope::Profile(profile_a()))],
            AgreementType::MicrosoftCustomerAgreement,
        );
        let b = BillingProfileId::parse("bp_bbbbbbbbbbbbbbbbbbbb").unwrap();
        assert!(matches!(
            what_you_may_do(&profile_only, Some(&b)),
            Err(AppError::Hidden { .. })
        ));
        assert!(matches!(
            permissions(&profile_only, Some(&b)),
            Err(AppError::Hidden { .. })
        ));
    }

    #[test]
    fn invitation_passwords() {
        assert!(plausible_invitation_token(&"a".repeat(64)));
        assert!(!plausible_invitation_token(&"g".repeat(64)));
        assert!(!plausible_invitation_token("abc"));
        assert_eq!(
            password_problem("short", "short"),
            Some(PasswordProblem::TooShort)
        );
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        assert_eq!(
            password_problem(&long, &long),
            Some(PasswordProblem::TooLong)
        );
        assert_eq!(
            password_problem("long enough pass", "long enough pas"),
            Some(PasswordProblem::Mismatch)
        );
        assert_eq!(
            password_problem("long enough pass", "long enough pass"),
            None
        );
    }
}
