//! Properties (Egenskaber): the billing account (display name, id, billing account type,
//! status, country, sold-to address, account administrator) and a billing profile (currency,
//! status and reason, bill-to address, invoice e-mail, default payment method). Owners edit the
//! bill-to address and the invoice e-mail; the activity log keeps before and after.

use crate::context::SignedIn;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use faktura_app::properties::{self, BillToInput, BillToProblems, FieldProblem, SaveError};
use faktura_app::AccountScope;
use faktura_domain::*;

use serde::Deserialize;

pub struct AccountFacts {
    pub name: String,
    pub id: String,
    pub agreement: String,
    pub status: String,
    pub country: String,
    pub sold_to: Vec<String>,
    pub admin_email: String,
}

#[derive(Default)]
pub struct AddressForm {
    pub company: String,
    pub line1: String,
    pub line2: String,
    pub postal_code: String,
    pub city: String,
    pub region: String,
    pub country: String,
    pub invoice_email: String,
}

#[derive(Default)]
pub struct AddressErrors {
    pub company: Option<String>,
    pub line1: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub invoice_email: Option<String>,
}

#[derive(Template)]
#[template(path = "properties.html")]
struct PropertiesTemplate {
    chrome: Chrome,
    nav: BillingNav,
    account: Option<AccountFacts>,
    account_name: String,
    agreement: String,
    profile_id: String,
    profile_name: String,
    currency: String,
    profile_status: String,
    bill_to: Vec<String>,
    invoice_email: String,
    default_method: String,
    can_edit: bool,
    editing: bool,
    form: AddressForm,
    errors: AddressErrors,
    notice: Option<String>,
    /// After a failed save: what went wrong, each linking to its field.
    summary: Vec<SummaryItem>,
}

fn address_lines(address: &Address) -> Vec<String> {
    let mut lines = vec![address.company.clone(), address.line1.clone()];
    if !address.line2.is_empty() {
        lines.push(address.line2.clone());
    }
    let mut city = format!("{} {}", address.postal_code, address.city);
    if !address.region.is_empty() {
        city.push_str(&format!(", {}", address.region));
    }
    lines.push(city.trim().to_owned());
    lines.push(address.country.clone());
    lines.retain(|l| !l.trim().is_empty());
    lines
}

fn profile_status_text(tr: &Tr, profile: &BillingProfile) -> String {
    let status = tr.t(&format!("profile-status-{}", profile.status.code()));
    match profile.status_reason {
        Some(reason) => tr.tn(
            "profile-status-with-reason",
            &[
                ("status", status),
                ("reason", tr.t(&format!("profile-reason-{}", reason.code()))),
            ],
        ),
        None => status,
    }
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    scope: &AccountScope,
    profile: &BillingProfile,
    form: Option<(AddressForm, AddressErrors)>,
    notice: Option<String>,
) -> Result<PropertiesTemplate, AppError> {
    let chrome = Chrome::new(
        state,
        &signed_in.ctx,
        &format!(
            "/billing/{}/properties?profile={}",
            scope.account.id, profile.id
        ),
    );
    let tr = chrome.tr.clone();
    let agreement = tr.t(&format!(
        "agreement-{}",
        scope.account.agreement_type.code()
    ));
    let shown = properties::properties(&state.app, scope, &profile.id).await?;
    // The account's own facts are for those with an account-wide view.
    let account = shown.admin_email.map(|admin_email| AccountFacts {
        name: scope.account.display_name.clone(),
        id: scope.account.id.to_string(),
        agreement: agreement.clone(),
        status: tr.t(&format!("account-status-{}", scope.account.status.code())),
        country: scope.account.country.clone(),
        sold_to: address_lines(&scope.account.sold_to),
        admin_email,
    });
    let default_method = match &shown.default_method {
        Some(method) => card_text(&tr, method),
        None => tr.t("properties-none"),
    };
    let can_edit = shown.can_edit;
    let editing = form.is_some();
    let (form, errors) = form.unwrap_or_else(|| {
        let a = &profile.bill_to;
        (
            AddressForm {
                company: a.company.clone(),
                line1: a.line1.clone(),
                line2: a.line2.clone(),
                postal_code: a.postal_code.clone(),
                city: a.city.clone(),
                region: a.region.clone(),
                country: a.country.clone(),
                invoice_email: profile.invoice_email.clone(),
            },
            AddressErrors::default(),
        )
    });
    let summary = error_summary(&[
        ("company", &errors.company),
        ("line1", &errors.line1),
        ("postal_code", &errors.postal_code),
        ("city", &errors.city),
        ("country", &errors.country),
        ("invoice_email", &errors.invoice_email),
    ]);
    Ok(PropertiesTemplate {
        summary,
        nav: scope.nav(
            "properties",
            Some(&profile.id),
            format!("/billing/{}/properties", scope.account.id),
        ),
        account,
        account_name: scope.account.display_name.clone(),
        agreement,
        profile_id: profile.id.to_string(),
        profile_name: profile.display_name.clone(),
        currency: profile.currency.code().to_owned(),
        profile_status: profile_status_text(&tr, profile),
        bill_to: address_lines(&profile.bill_to),
        invoice_email: profile.invoice_email.clone(),
        default_method,
        can_edit,
        editing,
        form,
        errors,
        notice,
        chrome,
    })
}

#[derive(Deserialize, Default)]
pub struct PropertiesQuery {
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Query(query): Query<PropertiesQuery>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let profile = profile_or_first(&scope, query.profile.as_deref())?;
    let notice = query
        .saved
        .is_some()
        .then(|| Tr::new(state.i18n.clone(), signed_in.ctx.locale).t("properties-saved"));
    Ok(render(
        &page(&state, &signed_in, &scope, &profile, None, notice).await?,
    ))
}

#[derive(Deserialize, Default)]
pub struct PropertiesForm {
    #[serde(default)]
    company: String,
    #[serde(default)]
    line1: String,
    #[serde(default)]
    line2: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    invoice_email: String,
}

impl From<PropertiesForm> for BillToInput {
    fn from(form: PropertiesForm) -> Self {
        BillToInput {
            company: form.company,
            line1: form.line1,
            line2: form.line2,
            postal_code: form.postal_code,
            city: form.city,
            region: form.region,
            country: form.country,
            invoice_email: form.invoice_email,
        }
    }
}

/// The form as kept and its problems in words.
fn invalid_form(
    tr: &Tr,
    kept: BillToInput,
    problems: &BillToProblems,
) -> (AddressForm, AddressErrors) {
    let text = |problem: Option<FieldProblem>| {
        problem.map(|problem| match problem {
            FieldProblem::Required => tr.t("properties-error-required"),
            FieldProblem::TooLong(max) => tr.t1("properties-error-too-long", "max", max),
            FieldProblem::Country => tr.t("properties-error-country"),
            FieldProblem::Email => tr.t("properties-error-email"),
        })
    };
    let errors = AddressErrors {
        company: text(problems.company),
        line1: text(problems.line1),
        postal_code: text(problems.postal_code),
        city: text(problems.city),
        country: text(problems.country),
        invoice_email: text(problems.invoice_email),
    };
    let form = AddressForm {
        company: kept.company,
        line1: kept.line1,
        line2: kept.line2,
        postal_code: kept.postal_code,
        city: kept.city,
        region: kept.region,
        country: kept.country,
        invoice_email: kept.invoice_email,
    };
    (form, errors)
}

pub async fn save(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, profile)): Path<(String, String)>,
    Form(form): Form<PropertiesForm>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let profile = visible_profile(&scope, &profile)?;
    let chrome = Chrome::new(
        &state,
        &signed_in.ctx,
        &format!("/billing/{}/properties", scope.account.id),
    );
    if let Some(page) = refusal(
        &chrome,
        &scope,
        Permission::EditProperties,
        Some(&profile.id),
        "action-edit-properties",
    ) {
        return Ok(page);
    }
    let actor = signed_in.actor();
    let input = BillToInput::from(form);
    match properties::save_properties(&state.app, &actor, &scope, &profile.id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/billing/{}/properties?profile={}&saved=1",
            scope.account.id, profile.id
        ))
        .into_response()),
        Err(SaveError::Invalid(invalid)) => {
            let (kept, problems) = *invalid;
            let form = invalid_form(&chrome.tr, kept, &problems);
            Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &signed_in, &scope, &profile, Some(form), None).await?,
            ))
        }
        Err(SaveError::App(error)) => Err(error.into()),
    }
}
