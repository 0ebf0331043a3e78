//! Properties: the billing account's own facts (for those who see the whole account) and a
//! billing profile's bill-to address and invoice e-mail, which owners edit. The store's
//! activity-log entry keeps before and after.

use crate::{AccountScope, Actor, AppError, AppResult, Services};
use faktura_domain::*;

/// What Properties shows besides the scope's account and profile.
#[derive(Debug, Clone)]
pub struct Properties {
    /// The account administrator's e-mail; `None` unless the actor sees the whole account
    /// (the account's own facts are for them).
    pub admin_email: Option<String>,
    /// The profile's default card, if it is still active.
    pub default_method: Option<PaymentMethod>,
    pub can_edit: bool,
}

/// A bill-to address and invoice e-mail as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillToInput {
    pub company: String,
    pub line1: String,
    pub line2: String,
    pub postal_code: String,
    pub city: String,
    pub region: String,
    pub country: String,
    pub invoice_email: String,
}

/// What is wrong with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    Required,
    /// Longer than this many characters.
    TooLong(usize),
    /// Not an ISO 3166-1 alpha-2 code.
    Country,
    Email,
}

/// The problems of the fields that have rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillToProblems {
    pub company: Option<FieldProblem>,
    pub line1: Option<FieldProblem>,
    pub postal_code: Option<FieldProblem>,
    pub city: Option<FieldProblem>,
    pub country: Option<FieldProblem>,
    pub invoice_email: Option<FieldProblem>,
}

impl BillToProblems {
    pub fn any(&self) -> bool {
        [
            self.company,
            self.line1,
            self.postal_code,
            self.city,
            self.country,
            self.invoice_email,
        ]
        .iter()
        .any(Option::is_some)
    }
}

/// Why properties were not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The form as kept (trimmed and bounded, country upper-cased) and what is wrong with it.
    #[error("the bill-to address or invoice e-mail is not valid")]
    Invalid(Box<(BillToInput, BillToProblems)>),
    #[error(transparent)]
    App(#[from] AppError),
}

/// A plausible e-mail address: one `@`, something before it, a dotted domain, no spaces.
/// Stricter than `faktura_domain::contact::plausible_email` (no `..`, no address punctuation,
/// RFC 5321 lengths), since invoices are sent to it.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
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

/// Trims and bounds free text from a form.
fn kept(value: &str, max: usize) -> String {
    value.trim().chars().take(max).collect()
}

/// The form as kept and its problems. Text is bounded well above each limit first, so an
/// over-long value is reported as too long rather than silently cut.
pub fn validate(input: &BillToInput) -> (BillToInput, BillToProblems) {
    let kept = BillToInput {
        company: kept(&input.company, 200),
        line1: kept(&input.line1, 200),
        line2: kept(&input.line2, 200),
        postal_code: kept(&input.postal_code, 40),
        city: kept(&input.city, 200),
        region: kept(&input.region, 200),
        country: kept(&input.country, 10).to_uppercase(),
        invoice_email: kept(&input.invoice_email, 300),
    };
    let required = |value: &str, max: usize| {
        if value.is_empty() {
            Some(FieldProblem::Required)
        } else if value.chars().count() > max {
            Some(FieldProblem::TooLong(max))
        } else {
            None
        }
    };
    let country_ok =
        kept.country.len() == 2 && kept.country.chars().all(|c| c.is_ascii_uppercase());
    let problems = BillToProblems {
        company: required(&kept.company, 100),
        line1: required(&kept.line1, 100),
        postal_code: required(&kept.postal_code, 20),
        city: required(&kept.city, 100),
        country: (!country_ok).then_some(FieldProblem::Country),
        invoice_email: (!valid_email(&kept.invoice_email)).then_some(FieldProblem::Email),
    };
    (kept, problems)
}

/// What Properties shows for a profile the actor sees.
pub async fn properties(
    app: &Services,
    scope: &AccountScope,
    profile: &BillingProfileId,
) -> AppResult<Properties> {
    let profile = scope.visible_profile(profile)?;
    let admin_email = if scope.access.sees_whole_account() {
        Some(
            app.store
                .user_by_id(&scope.account.account_admin)
                .await?
                .map(|u| u.email)
                .unwrap_or_default(),
        )
    } else {
        None
    };
    let default_method = match &profile.default_payment_method_id {
        Some(id) => app
            .store
            .payment_method(scope.id(), id)
            .await?
            .filter(|m| m.status == PaymentMethodStatus::Active),
        None => None,
    };
    Ok(Properties {
        admin_email,
        default_method,
        can_edit: scope.allows(Permission::EditProperties, Some(&profile.id)),
    })
}

/// Saves the profile's bill-to address and invoice e-mail (lower-cased) after checking them.
pub async fn save_properties(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    profile: &BillingProfileId,
    input: &BillToInput,
) -> Result<BillingProfile, SaveError> {
    scope.visible_profile(profile)?;
    scope.require(
        Permission::EditProperties,
        Some(profile),
        "your role may not edit this billing profile's properties",
    )?;
    let (kept, problems) = validate(input);
    if problems.any() {
        return Err(SaveError::Invalid(Box::new((kept, problems))));
    }
    let bill_to = Address {
        company: kept.company,
        line1: kept.line1,
        line2: kept.line2,
        postal_code: kept.postal_code,
        city: kept.city,
        region: kept.region,
        country: kept.country,
    };
    let saved = app
        .store
        .update_profile_properties(
            scope.id(),
            profile,
            &bill_to,
            &faktura_store::normalize_email(&kept.invoice_email),
            &actor.audit(),
        )
        .await
        .map_err(AppError::from)?;
    Ok(saved)
}

/// Whether the actor may edit the account's sold-to address: billing account owners (and
/// the account administrator), not profile roles.
pub fn can_edit_sold_to(scope: &AccountScope) -> bool {
    scope.allows(Permission::EditProperties, None)
}

/// Saves the account's sold-to address after checking it, as [`validate`] checks a bill-to
/// address. Its country stays the account's (the form has none to change). Account owners
/// only; the store's activity-log entry keeps before and after.
pub async fn save_sold_to(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    input: &BillToInput,
) -> Result<BillingAccount, SaveError> {
    scope.require(
        Permission::EditProperties,
        None,
        "only billing account owners may edit the sold-to address",
    )?;
    let (kept, problems) = validate(&BillToInput {
        country: scope.account.sold_to.country.clone(),
        invoice_email: "sold-to@faktura.invalid".into(),
        ..input.clone()
    });
    if problems.any() {
        let kept = BillToInput {
            invoice_email: String::new(),
            ..kept
        };
        return Err(SaveError::Invalid(Box::new((kept, problems))));
    }
    let sold_to = Address {
        company: kept.company,
        line1: kept.line1,
        line2: kept.line2,
        postal_code: kept.postal_code,
        city: kept.city,
        region: kept.region,
        country: kept.country,
    };
    let saved = app
        .store
        .update_sold_to(scope.id(), &sold_to, &actor.audit())
        .await
        .map_err(AppError::from)?;
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(valid_email("ap@nordlys.example"));
        assert!(valid_email("first.last+billing@sub.example.dk"));
        for bad in [
            "",
            "no-at",
            "@example.com",
            "a@b",
            "a@.b.c",
            "a b@c.d",
            "a@b..c",
            "<a>@b.c",
            "a@b.c.",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    fn good() -> BillToInput {
        BillToInput {
            company: " Nordlys ApS ".into(),
            line1: "Havnegade 1".into(),
            line2: String::new(),
            postal_code: "1058".into(),
            city: "København K".into(),
            region: String::new(),
            country: "dk".into(),
            invoice_email: "AP@nordlys.example".into(),
        }
    }

    #[test]
    fn a_good_address_is_kept_trimmed_with_its_country_upper_cased() {
        let (kept, problems) = validate(&good());
        assert!(!problems.any(), "{problems:?}");
        assert_eq!(kept.company, "Nordlys ApS");
        assert_eq!(kept.country, "DK");
    }

    #[test]
    fn each_rule_names_its_field() {
        let input = BillToInput {
            company: "  ".into(),
            line1: "x".repeat(101),
            postal_code: "1".repeat(21),
            city: String::new(),
            country: "DNK".into(),
            invoice_email: "nobody".into(),
            ..good()
        };
        let (kept, problems) = validate(&input);
        assert_eq!(
            problems,
            BillToProblems {
                company: Some(FieldProblem::Required),
                line1: Some(FieldProblem::TooLong(100)),
                postal_code: Some(FieldProblem::TooLong(20)),
                city: Some(FieldProblem::Required),
                country: Some(FieldProblem::Country),
                invoice_email: Some(FieldProblem::Email),
            }
        );
        assert_eq!(kept.line1.len(), 101);
        let (kept, _) = validate(&BillToInput {
            line1: "y".repeat(500),
            ..good()
        });
        assert_eq!(kept.line1.chars().count(), 200);
    }
}
