//! The operator's use cases: create users, billing accounts, profiles and role assignments;
//! issue and void invoices; list recent payments and support requests. Whoever calls these has
//! been checked as an operator by the adapter (an operator token); the rules live here.
//!
//! Refusals carry the stable codes the operator API answers with and the request field they
//! are about, as the operator API names it (the only adapter for these, besides the CSV import,
//! which shares [`issue_invoice`] and names its own columns from [`InvoiceField`]).

use crate::{AppError, AppResult, Resource, Services};
use chrono::{DateTime, NaiveDate, Utc};
use faktura_domain::*;
use faktura_store::{GrantRefusal, NewBillingAccount, NewProfile, StoreError, VoidRefusal};

pub use faktura_store::SupportRequest;

/// The default (and, in the store, capped) length of the operator's lists.
pub const DEFAULT_LIST: u32 = 100;
/// The most lines one invoice may have.
pub const MAX_LINES: usize = 500;

/// Why an operator request was refused.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// The request is wrong: a stable code, the field it is about (if one) and why.
    #[error("{code}: {message}")]
    Invalid {
        code: &'static str,
        field: Option<String>,
        message: String,
    },
    /// It clashes with what exists (a duplicate, or a state that forbids it).
    #[error("{code}: {message}")]
    Conflict { code: &'static str, message: String },
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for OperatorError {
    fn from(error: StoreError) -> Self {
        OperatorError::App(AppError::Store(error))
    }
}

pub type OperatorResult<T> = Result<T, OperatorError>;

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> OperatorError {
    OperatorError::Invalid {
        code,
        field: Some(field.to_owned()),
        message: message.into(),
    }
}

/// A duplicate (unique violation or the store's own conflict) as a conflict; anything else as
/// it is.
fn conflict_or(error: StoreError, code: &'static str, message: &str) -> OperatorError {
    if error.is_unique_violation() {
        return OperatorError::Conflict {
            code,
            message: message.to_owned(),
        };
    }
    match error {
        StoreError::Conflict(reason) => OperatorError::Conflict {
            code,
            message: reason.to_owned(),
        },
        other => other.into(),
    }
}

/// Trimmed text of 1–`max` characters.
fn required(value: &str, field: &str, max: usize) -> OperatorResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max {
        return Err(invalid(
            "InvalidField",
            field,
            format!("{field} must be 1–{max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

fn email(value: &str, field: &str) -> OperatorResult<String> {
    let trimmed = value.trim();
    if !contact::plausible_email(trimmed) {
        return Err(invalid(
            "InvalidEmail",
            field,
            format!("{field} must be an e-mail address"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// The last segment of `…/billingProfiles/bp_…`, or the id itself.
fn last_segment(raw: &str) -> &str {
    raw.rsplit('/').next().unwrap_or(raw)
}

/// An account by raw id; unknown and malformed ids are not found.
pub(crate) async fn account(app: &Services, raw: &str) -> AppResult<BillingAccount> {
    let not_found = || AppError::NotFound(Resource::BillingAccount);
    let id = BillingAccountId::parse(raw).map_err(|_| not_found())?;
    app.store.account(&id).await?.ok_or_else(not_found)
}

async fn user_by_email(
    app: &Services,
    email: &str,
    field: &str,
    message: &str,
) -> OperatorResult<User> {
    app.store
        .user_by_email(email)
        .await?
        .ok_or_else(|| invalid("UnknownUser", field, message))
}

/// A postal address as given, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct AddressInput {
    pub company_name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub postal_code: String,
    pub city: String,
    pub region: String,
    pub country: String,
}

impl AddressInput {
    /// Company, first line and city are required; the country is an ISO 3166 two-letter code.
    fn check(&self, field: &str) -> OperatorResult<Address> {
        let country = self.country.trim().to_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid(
                "InvalidCountry",
                &format!("{field}.country"),
                "country must be an ISO 3166 two-letter code",
            ));
        }
        Ok(Address {
            company: required(&self.company_name, &format!("{field}.companyName"), 200)?,
            line1: required(&self.address_line1, &format!("{field}.addressLine1"), 200)?,
            line2: self.address_line2.chars().take(200).collect(),
            postal_code: self.postal_code.chars().take(20).collect(),
            city: required(&self.city, &format!("{field}.city"), 100)?,
            region: self.region.chars().take(100).collect(),
            country,
        })
    }
}

/// A new user (who signs in once given a password or an invitation).
pub async fn create_user(
    app: &Services,
    email_address: &str,
    display_name: &str,
) -> OperatorResult<User> {
    let email = email(email_address, "email")?;
    let name = required(display_name, "displayName", 200)?;
    app.store
        .create_user(&email, &name, None)
        .await
        .map_err(|e| conflict_or(e, "UserExists", "a user with this e-mail exists"))
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub display_name: String,
    pub agreement_type: String,
    pub sold_to: AddressInput,
    pub account_admin_email: String,
}

/// The set-password link mailed to a user who never set one, when the operator gave them a
/// role. The link itself goes only to the user's address: the mail is queued in the outbox
/// with the grant and sent by the notification worker (in the user's language if they chose
/// one), retried until it goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvitationSent {
    pub expires: DateTime<Utc>,
}

fn invite(granted: &faktura_store::Granted) -> Option<InvitationSent> {
    granted
        .invitation_expires
        .map(|expires| InvitationSent { expires })
}

/// A new billing account; its administrator (an existing user) becomes its owner, and is
/// mailed a set-password link if they never set a password. `operator` is the operator
/// token's user, if it has one.
pub async fn create_account(
    app: &Services,
    new: &NewAccount,
    operator: Option<&User>,
) -> OperatorResult<(BillingAccount, Option<InvitationSent>)> {
    let name = required(&new.display_name, "displayName", 200)?;
    let agreement = AgreementType::from_code(&new.agreement_type).ok_or_else(|| {
        invalid(
            "InvalidAgreementType",
            "agreementType",
            "agreementType must be MicrosoftCustomerAgreement, MicrosoftOnlineServicesProgram, EnterpriseAgreement or MicrosoftPartnerAgreement",
        )
    })?;
    let sold_to = new.sold_to.check("soldTo")?;
    let admin_email = email(&new.account_admin_email, "accountAdminEmail")?;
    let admin = user_by_email(
        app,
        &admin_email,
        "accountAdminEmail",
        "create the account administrator's user first",
    )
    .await?;
    let (account, granted) = app
        .store
        .open_account(
            &NewBillingAccount {
                display_name: &name,
                agreement_type: agreement,
                country: &sold_to.country,
                sold_to: &sold_to,
                account_admin: &admin.id,
            },
            operator.map(|u| &u.id),
        )
        .await?;
    let invitation = invite(&granted);
    Ok((account, invitation))
}

#[derive(Debug, Clone)]
pub struct NewProfileInput {
    pub display_name: String,
    pub currency: String,
    pub bill_to: AddressInput,
    pub invoice_email: String,
}

/// A new billing profile of an account.
pub async fn create_profile(
    app: &Services,
    raw_account: &str,
    new: &NewProfileInput,
) -> OperatorResult<BillingProfile> {
    let account = account(app, raw_account).await?;
    let currency: Currency = new.currency.parse().map_err(|_| {
        invalid(
            "InvalidCurrency",
            "currency",
            "currency must be one of DKK, EUR, USD, GBP, SEK, NOK, JPY",
        )
    })?;
    let profile = NewProfile {
        display_name: required(&new.display_name, "displayName", 200)?,
        currency,
        bill_to: new.bill_to.check("billTo")?,
        invoice_email: email(&new.invoice_email, "invoiceEmail")?,
    };
    Ok(app.store.create_profile(&account.id, &profile).await?)
}

#[derive(Debug, Clone)]
pub struct NewRoleAssignment {
    pub user_email: String,
    pub role: String,
    /// `bp_…` or a profile's full id; none for account scope.
    pub billing_profile_id: Option<String>,
}

/// What the operator's grant did.
#[derive(Debug, Clone)]
pub struct OperatorGrant {
    pub assignment: RoleAssignment,
    pub user: User,
    pub invitation: Option<InvitationSent>,
}

/// Gives an existing user a role: account roles at account scope, the others on a profile. A
/// user who never set a password is mailed a fresh set-password link (earlier ones stop
/// working), so a user the operator created has a way in.
pub async fn assign_role(
    app: &Services,
    raw_account: &str,
    new: &NewRoleAssignment,
    operator: Option<&User>,
) -> OperatorResult<OperatorGrant> {
    let account = account(app, raw_account).await?;
    let role: Role = new
        .role
        .parse()
        .map_err(|_| invalid("InvalidRole", "role", "unknown role"))?;
    let user_email = email(&new.user_email, "userEmail")?;
    let user = user_by_email(app, &user_email, "userEmail", "no user with this e-mail").await?;
    let scope = match new.billing_profile_id.as_deref().map(last_segment) {
        Some(raw) => Scope::Profile(BillingProfileId::parse(raw).map_err(|_| {
            invalid(
                "InvalidBillingProfile",
                "billingProfileId",
                "not a billing profile id",
            )
        })?),
        None => Scope::Account,
    };
    let granted = app
        .store
        .operator_grant_role(&account.id, &user.id, &scope, role, operator.map(|u| &u.id))
        .await?
        .map_err(|refusal| match refusal {
            GrantRefusal::RoleDoesNotFitScope => OperatorError::Invalid {
                code: "RoleScopeMismatch",
                field: None,
                message: "account roles are assigned at account scope, profile roles and invoice manager at profile scope".into(),
            },
            GrantRefusal::ProfileNotFound => invalid(
                "InvalidBillingProfile",
                "billingProfileId",
                "no such billing profile on this account",
            ),
            GrantRefusal::AlreadyAssigned => OperatorError::Conflict {
                code: "RoleAssignmentExists",
                message: "the user already has this role here".into(),
            },
        })?;
    let invitation = invite(&granted);
    Ok(OperatorGrant {
        assignment: granted.assignment,
        user: granted.user,
        invitation,
    })
}

/// Voids an unpaid invoice with no payment in flight.
pub async fn void_invoice(
    app: &Services,
    raw_account: &str,
    raw_invoice: &str,
) -> OperatorResult<Invoice> {
    let account = account(app, raw_account).await?;
    let not_found = || AppError::NotFound(Resource::Invoice);
    let id = InvoiceId::parse(raw_invoice).map_err(|_| not_found())?;
    match app.store.void_invoice(&account.id, &id).await? {
        Ok(invoice) => Ok(invoice),
        Err(VoidRefusal::NotFound) => Err(not_found().into()),
        Err(VoidRefusal::NotVoidable(reason)) => Err(OperatorError::Conflict {
            code: "InvoiceNotVoidable",
            message: reason.to_owned(),
        }),
    }
}

/// The newest payments across all accounts.
pub async fn recent_payments(app: &Services, limit: Option<u32>) -> OperatorResult<Vec<Payment>> {
    Ok(app
        .store
        .recent_payments(limit.unwrap_or(DEFAULT_LIST))
        .await?)
}

/// The newest support requests of all users.
pub async fn support_requests(
    app: &Services,
    limit: Option<u32>,
) -> OperatorResult<Vec<SupportRequest>> {
    Ok(app
        .store
        .all_support_requests(limit.unwrap_or(DEFAULT_LIST))
        .await?)
}

/// An invoice to issue, as the operator API or an import file gives it. Amounts are decimal
/// text in the profile's currency, which only the profile knows; dates are parsed by the
/// adapter, each from its own format.
#[derive(Debug, Clone)]
pub struct InvoiceRequest {
    /// `bp_…` or a profile's full id.
    pub billing_profile_id: String,
    pub number: String,
    pub invoice_date: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub due_date: NaiveDate,
    pub lines: Vec<LineRequest>,
    pub tax: Option<String>,
    pub credits: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LineRequest {
    pub service: String,
    pub description: String,
    /// A positive decimal with at most three decimals, e.g. "730" or "1.5".
    pub quantity: String,
    pub unit_price: String,
    /// If given, must equal quantity × unit price.
    pub amount: Option<String>,
}

/// The part of an invoice request a refusal is about; each adapter names it its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceField {
    BillingProfile,
    Lines,
    Service(usize),
    Description(usize),
    Quantity(usize),
    UnitPrice(usize),
    Amount(usize),
    Tax,
    Credits,
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    NotAnId,
    /// Fewer than one or more than this many.
    Count {
        max: usize,
    },
    /// Empty (after trimming), or longer than this many characters.
    Length {
        max: usize,
    },
    /// Not a positive decimal with at most three decimals.
    Quantity,
    /// Not an amount in the currency.
    Amount(MoneyError),
}

/// Why an invoice was not issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("{field:?}: {problem:?}")]
    Field {
        field: InvoiceField,
        problem: FieldProblem,
    },
    /// The invoice does not add up, or its dates or number are wrong.
    #[error(transparent)]
    Invalid(InvoiceError),
    /// An invoice with this number exists on the account; `identical` when it is this one
    /// (same profile, dates, amounts and lines), as when a file is imported twice.
    #[error("an invoice with this number exists")]
    NumberExists { identical: bool },
    /// The store refused it for another clash.
    #[error("{0}")]
    Conflict(&'static str),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for IssueError {
    fn from(error: StoreError) -> Self {
        IssueError::App(AppError::Store(error))
    }
}

fn field(field: InvoiceField, problem: FieldProblem) -> IssueError {
    IssueError::Field { field, problem }
}

fn text(value: &str, which: InvoiceField, max: usize) -> Result<String, IssueError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max {
        return Err(field(which, FieldProblem::Length { max }));
    }
    Ok(trimmed.to_owned())
}

fn minor(value: Option<&str>, currency: Currency, which: InvoiceField) -> Result<i64, IssueError> {
    match value {
        None => Ok(0),
        Some(text) => Money::parse_decimal(text, currency)
            .map(|m| m.minor())
            .map_err(|e| field(which, FieldProblem::Amount(e))),
    }
}

/// Same invoice as one already stored: header, amounts and lines.
fn same_content(a: &Invoice, b: &Invoice) -> bool {
    let lines = |i: &Invoice| {
        i.lines
            .iter()
            .map(|l| {
                (
                    l.service.clone(),
                    l.description.clone(),
                    l.quantity_milli,
                    l.unit_price,
                    l.amount,
                )
            })
            .collect::<Vec<_>>()
    };
    a.billing_profile_id == b.billing_profile_id
        && a.invoice_date == b.invoice_date
        && a.period_start == b.period_start
        && a.period_end == b.period_end
        && a.due_date == b.due_date
        && a.total == b.total
        && a.tax == b.tax
        && a.credits == b.credits
        && lines(a) == lines(b)
}

/// Issues an invoice on a profile of the account, in the profile's currency: 1–500 lines that
/// add up, dates in order, a number not used on the account. The operator API's issue and the
/// CSV import both come here. Returns the invoice and its profile.
pub async fn issue_invoice(
    app: &Services,
    raw_account: &str,
    request: &InvoiceRequest,
) -> Result<(Invoice, BillingProfile), IssueError> {
    let account = account(app, raw_account).await?;
    let profile_id = BillingProfileId::parse(last_segment(request.billing_profile_id.trim()))
        .map_err(|_| field(InvoiceField::BillingProfile, FieldProblem::NotAnId))?;
    let profile = app
        .store
        .profile(&account.id, &profile_id)
        .await?
        .ok_or(AppError::NotFound(Resource::BillingProfile))?;
    let currency = profile.currency;
    if request.lines.is_empty() || request.lines.len() > MAX_LINES {
        return Err(field(
            InvoiceField::Lines,
            FieldProblem::Count { max: MAX_LINES },
        ));
    }
    let mut lines = Vec::with_capacity(request.lines.len());
    for (index, line) in request.lines.iter().enumerate() {
        lines.push(LineDraft {
            service: text(&line.service, InvoiceField::Service(index), 200)?,
            description: text(&line.description, InvoiceField::Description(index), 500)?,
            quantity_milli: parse_quantity_milli(&line.quantity)
                .ok_or(field(InvoiceField::Quantity(index), FieldProblem::Quantity))?,
            unit_price_minor: minor(
                Some(&line.unit_price),
                currency,
                InvoiceField::UnitPrice(index),
            )?,
            amount_minor: line
                .amount
                .as_deref()
                .map(|a| minor(Some(a), currency, InvoiceField::Amount(index)))
                .transpose()?,
        });
    }
    let draft = InvoiceDraft {
        billing_account_id: account.id.clone(),
        billing_profile_id: profile.id.clone(),
        currency,
        number: request.number.trim().to_owned(),
        invoice_date: request.invoice_date,
        period_start: request.period_start,
        period_end: request.period_end,
        due_date: request.due_date,
        lines,
        tax_minor: minor(request.tax.as_deref(), currency, InvoiceField::Tax)?,
        credits_minor: minor(request.credits.as_deref(), currency, InvoiceField::Credits)?,
    };
    let mut invoice = draft.issue(app.now()).map_err(IssueError::Invalid)?;
    invoice.purchase_order_number = profile.purchase_order_number.clone(); // kept as issued
    match app.store.issue_invoice(&invoice, None).await {
        Ok(()) => Ok((invoice, profile)),
        Err(StoreError::Conflict(reason)) => {
            match app
                .store
                .invoice_by_number(&account.id, &invoice.number)
                .await?
            {
                Some(existing) => Err(IssueError::NumberExists {
                    identical: same_content(&existing, &invoice),
                }),
                None => Err(IssueError::Conflict(reason)),
            }
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use faktura_store::demo::{DemoInput, NORDLYS_ADMIN, OUTSIDER};
    use std::sync::Arc;

    async fn demo() -> (Services, BillingAccount) {
        let store = faktura_store::test_support::sqlite().await;
        store
            .load_demo(&DemoInput {
                password_hash: "x".into(),
                saved_card_token: "tok_sbx_ok_x".into(),
                today: chrono::Utc::now().date_naive(),
            })
            .await
            .unwrap();
        let admin = store.user_by_email(NORDLYS_ADMIN).await.unwrap().unwrap();
        let account = store.accounts_for_user(&admin.id).await.unwrap()[0].clone();
        let gateway = Arc::new(faktura_gateway::SandboxGateway::new());
        (Services::new(store, gateway, Config::default()), account)
    }

    fn code(error: OperatorError) -> (&'static str, Option<String>) {
        match error {
            OperatorError::Invalid { code, field, .. } => (code, field),
            OperatorError::Conflict { code, .. } => (code, None),
            OperatorError::App(error) => panic!("{error}"),
        }
    }

    fn address(country: &str) -> AddressInput {
        AddressInput {
            company_name: "Fjord ApS".into(),
            address_line1: "Havnegade 1".into(),
            city: "København K".into(),
            country: country.into(),
            ..AddressInput::default()
        }
    }

    #[tokio::test]
    async fn users_are_checked_and_unique() {
        let (app, _) = demo().await;
        assert_eq!(
            code(create_user(&app, "not-an-address", "X").await.unwrap_err()),
            ("InvalidEmail", Some("email".into()))
        );
        assert_eq!(
            code(
                create_user(&app, "new@example.com", "  ")
                    .await
                    .unwrap_err()
            ),
            ("InvalidField", Some("displayName".into()))
        );
        let user = create_user(&app, " new@example.com ", " New ")
            .await
            .unwrap();
        assert_eq!(
            (user.email.as_str(), user.display_name.as_str()),
            ("new@example.com", "New")
        );
        assert_eq!(
            code(
                create_user(&app, "new@example.com", "Again")
                    .await
                    .unwrap_err()
            )
            .0,
            "UserExists"
        );
    }

    #[tokio::test]
    async fn an_account_needs_a_country_code_and_a_known_administrator_who_becomes_its_owner() {
        let (app, _) = demo().await;
        let mut new = NewAccount {
            display_name: "Fjord ApS".into(),
            agreement_type: "MicrosoftCustomerAgreement".into(),
            sold_to: address("Denmark"),
            account_admin_email: "nobody@example.com".into(),
        };
        assert_eq!(
            code(create_account(&app, &new, None).await.unwrap_err()),
            ("InvalidCountry", Some("soldTo.country".into()))
        );
        new.sold_to = address("dk");
        assert_eq!(
            code(create_account(&app, &new, None).await.unwrap_err()),
            ("UnknownUser", Some("accountAdminEmail".into()))
        );
        new.account_admin_email = OUTSIDER.into();
        let (account, invitation) = create_account(&app, &new, None).await.unwrap();
        assert_eq!(invitation, None, "the outsider has a password");
        assert_eq!(account.sold_to.country, "DK");
        let outsider = app.store.user_by_email(OUTSIDER).await.unwrap().unwrap();
        let access = app.store.access(&account.id, &outsider.id).await.unwrap();
        assert!(access.allows(Permission::GrantAccess, None));
    }

    #[tokio::test]
    async fn roles_go_at_their_own_scope_once() {
        let (app, account) = demo().await;
        let profile = app.store.profiles(&account.id).await.unwrap()[0].id.clone();
        let mut new = NewRoleAssignment {
            user_email: OUTSIDER.into(),
            role: "InvoiceManager".into(),
            billing_profile_id: None,
        };
        assert_eq!(
            code(
                assign_role(&app, account.id.as_str(), &new, None)
                    .await
                    .unwrap_err()
            )
            .0,
            "RoleScopeMismatch"
        );
        new.billing_profile_id = Some(format!("/providers/x/billingProfiles/{profile}"));
        let granted = assign_role(&app, account.id.as_str(), &new, None)
            .await
            .unwrap();
        assert_eq!(granted.invitation, None);
        assert_eq!(
            (granted.assignment.role, granted.user.email.as_str()),
            (Role::InvoiceManager, OUTSIDER)
        );
        assert_eq!(
            code(
                assign_role(&app, account.id.as_str(), &new, None)
                    .await
                    .unwrap_err()
            )
            .0,
            "RoleAssignmentExists"
        );
        assert!(matches!(
            assign_role(&app, "ba_nope", &new, None).await,
            Err(OperatorError::App(AppError::NotFound(
                Resource::BillingAccount
            )))
        ));
    }

    #[tokio::test]
    async fn a_voided_invoice_cannot_be_voided_again() {
        let (app, account) = demo().await;
        let profile = app.store.profiles(&account.id).await.unwrap()[0].id.clone();
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let request = InvoiceRequest {
            billing_profile_id: profile.to_string(),
            number: "VOID-1".into(),
            invoice_date: day(10, 5),
            period_start: day(9, 1),
            period_end: day(9, 30),
            due_date: day(11, 4),
            lines: vec![LineRequest {
                service: "Support".into(),
                description: "Plan".into(),
                quantity: "1".into(),
                unit_price: "10.00".into(),
                amount: Some("10.00".into()),
            }],
            tax: None,
            credits: None,
        };
        let (invoice, _) = issue_invoice(&app, account.id.as_str(), &request)
            .await
            .unwrap();
        assert!(matches!(
            issue_invoice(&app, account.id.as_str(), &request).await,
            Err(IssueError::NumberExists { identical: true })
        ));
        let voided = void_invoice(&app, account.id.as_str(), invoice.id.as_str())
            .await
            .unwrap();
        assert_eq!(voided.status, InvoiceStatus::Void);
        assert_eq!(
            code(
                void_invoice(&app, account.id.as_str(), invoice.id.as_str())
                    .await
                    .unwrap_err()
            )
            .0,
            "InvoiceNotVoidable"
        );
        assert!(matches!(
            void_invoice(&app, account.id.as_str(), "inv_nope").await,
            Err(OperatorError::App(AppError::NotFound(Resource::Invoice)))
        ));
    }
}
