//! Properties (Egenskaber): the billing account (display name, id, billing account type,
//! status, country, sold-to address, account administrator) and a billing profile (currency,
//! status and reason, bill-to address, invoice e-mail, purchase order number, default payment
//! method). Profile owners edit the bill-to address, the invoice e-mail and the purchase order
//! number; billing account owners edit the sold-to address (others see it read-only). The
//! activity log keeps before and after.

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
use faktura_app::po_number::{self, PoProblem, PoSaveError};
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
    /// Billing account owners edit the sold-to address; everyone else reads it.
    pub can_edit_sold_to: bool,
}

/// A form that failed its checks, shown again open with its errors.
pub enum Failed {
    BillTo(AddressForm, AddressErrors),
    SoldTo(AddressForm, AddressErrors),
    PoNumber(String, String),
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
    /// The profile's purchase order number, or "None".
    po_number: String,
    po_form: String,
    po_error: Option<String>,
    sold_to_editing: bool,
    sold_to_form: AddressForm,
    sold_to_errors: AddressErrors,
    sold_to_country: String,
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

fn address_form(a: &Address, invoice_email: &str) -> AddressForm {
    AddressForm {
        company: a.company.clone(),
        line1: a.line1.clone(),
        line2: a.line2.clone(),
        postal_code: a.postal_code.clone(),
        city: a.city.clone(),
        region: a.region.clone(),
        country: a.country.clone(),
        invoice_email: invoice_email.to_owned(),
    }
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    scope: &AccountScope,
    profile: &BillingProfile,
    failed: Option<Failed>,
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
    let can_edit_sold_to = properties::can_edit_sold_to(scope);
    // The account's own facts are for those with an account-wide view.
    let account = shown.admin_email.map(|admin_email| AccountFacts {
        name: scope.account.display_name.clone(),
        id: scope.account.id.to_string(),
        agreement: agreement.clone(),
        status: tr.t(&format!("account-status-{}", scope.account.status.code())),
        country: scope.account.country.clone(),
        sold_to: address_lines(&scope.account.sold_to),
        admin_email,
        can_edit_sold_to,
    });
    let default_method = match &shown.default_method {
        Some(method) => card_text(&tr, method),
        None => tr.t("properties-none"),
    };
    let can_edit = shown.can_edit;
    let current_po = profile.purchase_order_number.clone().unwrap_or_default();
    let mut editing = false;
    let mut form = address_form(&profile.bill_to, &profile.invoice_email);
    let mut errors = AddressErrors::default();
    let mut sold_to_editing = false;
    let mut sold_to_form = address_form(&scope.account.sold_to, "");
    let mut sold_to_errors = AddressErrors::default();
    let mut po_form = current_po.clone();
    let mut po_error = None;
    let summary = match failed {
        None => Vec::new(),
        Some(Failed::BillTo(kept, problems)) => {
            editing = true;
            form = kept;
            errors = problems;
            error_summary(&[
                ("company", &errors.company),
                ("line1", &errors.line1),
                ("postal_code", &errors.postal_code),
                ("city", &errors.city),
                ("country", &errors.country),
                ("invoice_email", &errors.invoice_email),
            ])
        }
        Some(Failed::SoldTo(kept, problems)) => {
            sold_to_editing = true;
            sold_to_form = kept;
            sold_to_errors = problems;
            error_summary(&[
                ("sold_to_company", &sold_to_errors.company),
                ("sold_to_line1", &sold_to_errors.line1),
                ("sold_to_postal_code", &sold_to_errors.postal_code),
                ("sold_to_city", &sold_to_errors.city),
            ])
        }
        Some(Failed::PoNumber(kept, message)) => {
            po_form = kept;
            po_error = Some(message);
            error_summary(&[("po_number", &po_error)])
        }
    };
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
        po_number: if current_po.is_empty() {
            tr.t("properties-none")
        } else {
            current_po
        },
        po_form,
        po_error,
        sold_to_editing,
        sold_to_form,
        sold_to_errors,
        sold_to_country: scope.account.sold_to.country.clone(),
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

/// The Properties page's frame for a change, or the refusal (inside the service) when the actor
/// may not edit the profile (`Some`) or the account (`None`).
fn editor_chrome(
    state: &AppState,
    signed_in: &SignedIn,
    scope: &AccountScope,
    profile: Option<&BillingProfileId>,
    what_key: &str,
) -> Result<Chrome, Box<Response>> {
    let chrome = Chrome::new(
        state,
        &signed_in.ctx,
        &format!("/billing/{}/properties", scope.account.id),
    );
    match refusal(
        &chrome,
        scope,
        Permission::EditProperties,
        profile,
        what_key,
    ) {
        Some(refused) => Err(Box::new(refused)),
        None => Ok(chrome),
    }
}

pub async fn save(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, profile)): Path<(String, String)>,
    Form(form): Form<PropertiesForm>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let profile = visible_profile(&scope, &profile)?;
    let chrome = match editor_chrome(
        &state,
        &signed_in,
        &scope,
        Some(&profile.id),
        "action-edit-properties",
    ) {
        Ok(chrome) => chrome,
        Err(refused) => return Ok(*refused),
    };
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
            let (form, errors) = invalid_form(&chrome.tr, kept, &problems);
            let failed = Failed::BillTo(form, errors);
            Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &signed_in, &scope, &profile, Some(failed), None).await?,
            ))
        }
        Err(SaveError::App(error)) => Err(error.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct PoNumberForm {
    #[serde(default)]
    po_number: String,
}

/// Sets or clears the profile's purchase order number (profile owners).
pub async fn save_po_number(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, profile)): Path<(String, String)>,
    Form(form): Form<PoNumberForm>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let profile = visible_profile(&scope, &profile)?;
    let chrome = match editor_chrome(
        &state,
        &signed_in,
        &scope,
        Some(&profile.id),
        "action-edit-properties",
    ) {
        Ok(chrome) => chrome,
        Err(refused) => return Ok(*refused),
    };
    let actor = signed_in.actor();
    match po_number::save_po_number(&state.app, &actor, &scope, &profile.id, &form.po_number).await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/billing/{}/properties?profile={}&saved=1",
            scope.account.id, profile.id
        ))
        .into_response()),
        Err(PoSaveError::Invalid { kept, problem }) => {
            let message = match problem {
                PoProblem::TooLong(max) => chrome.tr.t1("properties-error-too-long", "max", max),
                PoProblem::NotPrintable => chrome.tr.t("properties-error-po-printable"),
            };
            let failed = Failed::PoNumber(kept, message);
            Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &signed_in, &scope, &profile, Some(failed), None).await?,
            ))
        }
        Err(PoSaveError::App(error)) => Err(error.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct SoldToForm {
    #[serde(default)]
    profile: Option<String>,
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
}

/// Changes the account's sold-to address (billing account owners; its country stays).
pub async fn save_sold_to(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Form(form): Form<SoldToForm>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let chrome = match editor_chrome(&state, &signed_in, &scope, None, "action-edit-sold-to") {
        Ok(chrome) => chrome,
        Err(refused) => return Ok(*refused),
    };
    let profile = profile_or_first(&scope, form.profile.as_deref())?;
    let input = BillToInput {
        company: form.company,
        line1: form.line1,
        line2: form.line2,
        postal_code: form.postal_code,
        city: form.city,
        region: form.region,
        country: String::new(),
        invoice_email: String::new(),
    };
    let actor = signed_in.actor();
    match properties::save_sold_to(&state.app, &actor, &scope, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/billing/{}/properties?profile={}&saved=1",
            scope.account.id, profile.id
        ))
        .into_response()),
        Err(SaveError::Invalid(invalid)) => {
            let (kept, problems) = *invalid;
            let (form, errors) = invalid_form(&chrome.tr, kept, &problems);
            let failed = Failed::SoldTo(form, errors);
            Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &signed_in, &scope, &profile, Some(failed), None).await?,
            ))
        }
        Err(SaveError::App(error)) => Err(error.into()),
    }
}
