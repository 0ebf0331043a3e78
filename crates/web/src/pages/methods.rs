//! Payment methods per billing profile (list, add with 3-D Secure when the card asks, set as
//! default, replace, detach) and Settle balance for pay-as-you-go accounts.
//!
//! Managing cards needs `ManagePaymentMethods` on the profile; every role may look. The server
//! checks on every POST, whatever the page showed.

use super::admin::{
    actor, brand_label, card_text, expiry_text, field, profile_or_first, refusal, refused,
    visible_profile,
};
use super::billing::{status_label, today, AccountScope, BillingNav};
use super::{render, render_with, Chrome};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::paying::outcome_of;
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Duration, NaiveDate};
use faktura_domain::card::{CardField, CardInput, CardProblem};
use faktura_domain::*;
use faktura_gateway::{Charge, ChargeRequest, ChargeStatus, Funding, GatewayError, SetupRequest};
use faktura_store::{AddMode, BeginSettlement, DetachRefusal, PaymentOutcome, SettleRefusal};
use serde::Deserialize;

/// Cards expiring within this many days get a warning.
const EXPIRY_WARNING_DAYS: i64 = 60;

/// The banner on the invoices and payment-methods pages of a pay-as-you-go account with
/// past-due invoices.
pub struct SettleBanner {
    pub text: String,
    pub can_settle: bool,
}

/// `Some` when the account is pay-as-you-go and has past-due invoices the user can see.
pub async fn settle_banner(
    state: &AppState,
    scope: &AccountScope,
    tr: &Tr,
) -> Result<Option<SettleBanner>, AppError> {
    if !scope.account.agreement_type.is_pay_as_you_go() {
        return Ok(None);
    }
    let today = today();
    let outstanding = state.store.outstanding_invoices(&scope.account.id).await?;
    let past_due = outstanding
        .iter()
        .filter(|i| i.status_on(today) == InvoiceStatus::OverDue)
        .count();
    if past_due == 0 {
        return Ok(None);
    }
    let Some(total) = outstanding_total(&outstanding) else {
        return Ok(None);
    };
    Ok(Some(SettleBanner {
        text: tr.tn(
            "settle-banner",
            &[
                ("count", past_due.to_string()),
                ("n", plural(past_due).into()),
                ("amount", tr.money(total)),
            ],
        ),
        can_settle: may_settle(scope, &outstanding),
    }))
}

/// The plural category Fluent selects on (`one` or `other`; the same rule in English and Danish).
fn plural(count: impl TryInto<i64>) -> &'static str {
    match count.try_into() {
        Ok(1) => "one",
        _ => "other",
    }
}

fn outstanding_total(invoices: &[Invoice]) -> Option<Money> {
    let first = invoices.first()?;
    let currency = first.currency();
    let dues: Option<Vec<Money>> = invoices.iter().map(|i| i.amount_due().ok()).collect();
    Money::sum(currency, dues?).ok()
}

/// Settling pays every outstanding invoice, so the user must be allowed to pay each of them.
fn may_settle(scope: &AccountScope, invoices: &[Invoice]) -> bool {
    !invoices.is_empty()
        && invoices.iter().all(|i| {
            scope
                .access
                .allows(Permission::PayInvoices, Some(&i.billing_profile_id))
        })
}

pub struct CardRow {
    pub id: String,
    pub brand: String,
    pub last4: String,
    pub expiry: String,
    pub holder: String,
    pub is_default: bool,
    pub expired: bool,
    pub expiring_soon: bool,
}

#[derive(Default)]
pub struct CardErrors {
    pub holder: Option<String>,
    pub number: Option<String>,
    pub expiry: Option<String>,
    pub cvc: Option<String>,
}

#[derive(Template)]
#[template(path = "payment_methods.html")]
struct MethodsTemplate {
    chrome: Chrome,
    nav: BillingNav,
    profile_id: String,
    profile_name: String,
    cards: Vec<CardRow>,
    can_manage: bool,
    read_only_reason: String,
    /// Cards exist but none is the default: charges have nothing to use.
    no_default: bool,
    notice: Option<String>,
    problem: Option<String>,
    banner: Option<SettleBanner>,
    /// The card being replaced, when the form is a Replace.
    replacing: Option<(String, String)>,
    holder: String,
    expiry: String,
    errors: CardErrors,
    show_form: bool,
}

#[derive(Deserialize, Default)]
pub struct MethodsQuery {
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    replace: Option<String>,
}

/// What the page needs besides the scope; `problem` and the form state come from a POST.
struct PageState {
    notice: Option<String>,
    problem: Option<String>,
    replacing: Option<PaymentMethodId>,
    holder: String,
    expiry: String,
    errors: CardErrors,
    show_form: bool,
}

impl PageState {
    fn empty() -> Self {
        PageState {
            notice: None,
            problem: None,
            replacing: None,
            holder: String::new(),
            expiry: String::new(),
            errors: CardErrors::default(),
            show_form: false,
        }
    }
}

fn methods_path(account: &BillingAccountId, profile: &BillingProfileId) -> String {
    format!("/billing/{account}/payment-methods?profile={profile}")
}

async fn methods_page(
    state: &AppState,
    signed_in: &SignedIn,
    scope: &AccountScope,
    profile: &BillingProfile,
    page: PageState,
) -> Result<MethodsTemplate, AppError> {
    let methods = state
        .store
        .payment_methods(&scope.account.id, &profile.id)
        .await?;
    let chrome = Chrome::new(
        state,
        &signed_in.ctx,
        &methods_path(&scope.account.id, &profile.id),
    );
    let tr = chrome.tr.clone();
    let today = today();
    let warn_before = today + Duration::days(EXPIRY_WARNING_DAYS);
    let cards = methods
        .iter()
        .map(|m| CardRow {
            id: m.id.to_string(),
            brand: brand_label(&tr, m.brand),
            last4: m.last4.clone(),
            expiry: expiry_text(m),
            holder: m.holder.clone(),
            is_default: profile.default_payment_method_id.as_ref() == Some(&m.id),
            expired: m.is_expired_on(today),
            expiring_soon: !m.is_expired_on(today) && last_valid_day(m) < warn_before,
        })
        .collect();
    let can_manage = scope
        .access
        .allows(Permission::ManagePaymentMethods, Some(&profile.id));
    let read_only_reason = if can_manage {
        String::new()
    } else {
        tr.t1(
            "methods-read-only",
            "roles",
            super::admin::roles_text(&tr, &scope.access),
        )
    };
    let replacing = page.replacing.as_ref().and_then(|id| {
        methods
            .iter()
            .find(|m| &m.id == id)
            .map(|m| (m.id.to_string(), card_text(&tr, m)))
    });
    let banner = settle_banner(state, scope, &tr).await?;
    let no_default = !methods.is_empty()
        && !methods
            .iter()
            .any(|m| profile.default_payment_method_id.as_ref() == Some(&m.id));
    let nav = scope.nav(
        "payment-methods",
        Some(&profile.id),
        format!("/billing/{}/payment-methods", scope.account.id),
    );
    Ok(MethodsTemplate {
        nav,
        profile_id: profile.id.to_string(),
        profile_name: profile.display_name.clone(),
        cards,
        can_manage,
        read_only_reason,
        no_default,
        notice: page.notice,
        problem: page.problem,
        banner,
        show_form: page.show_form || replacing.is_some(),
        replacing,
        holder: page.holder,
        expiry: page.expiry,
        errors: page.errors,
        chrome,
    })
}

/// The last day a card can be used: the end of its expiry month.
fn last_valid_day(method: &PaymentMethod) -> NaiveDate {
    let (year, month) = if method.exp_month >= 12 {
        (method.exp_year + 1, 1)
    } else {
        (method.exp_year, method.exp_month + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1)
        .map(|first| first - Duration::days(1))
        .unwrap_or(NaiveDate::MAX)
}

fn done_notice(tr: &Tr, done: &str) -> Option<String> {
    let key = match done {
        "added" => "methods-done-added",
        "default" => "methods-done-default",
        "replaced" => "methods-done-replaced",
        "detached" => "methods-done-detached",
        "setup-failed" => "methods-done-setup-failed",
        _ => return None,
    };
    Some(tr.t(key))
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Query(query): Query<MethodsQuery>,
) -> Result<Response, AppError> {
    let scope = AccountScope::load(&state, &signed_in.user, &account).await?;
    let profile = profile_or_first(&scope, query.profile.as_deref())?;
    let mut page = PageState::empty();
    if let Some(raw) = query.replace.as_deref().filter(|r| !r.is_empty()) {
        if scope
            .access
            .allows(Permission::ManagePaymentMethods, Some(&profile.id))
        {
            page.replacing = PaymentMethodId::parse(raw).ok();
        }
    }
    let tr = crate::i18n::Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    page.notice = query.done.as_deref().and_then(|d| done_notice(&tr, d));
    Ok(render(
        &methods_page(&state, &signed_in, &scope, &profile, page).await?,
    ))
}

#[derive(Deserialize, Default)]
pub struct AddForm {
    #[serde(default)]
    profile: String,
    #[serde(default)]
    holder: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    cvc: String,
    /// Set when the form replaces a card (Replace = add + make default in one step).
    #[serde(default)]
    replaces: String,
}

pub fn problem_text(tr: &Tr, field: CardField, problem: CardProblem) -> String {
    let field = match field {
        CardField::Holder => "holder",
        CardField::Number => "number",
        CardField::Expiry => "expiry",
        CardField::Cvc => "cvc",
    };
    let problem = match problem {
        CardProblem::Missing => "missing",
        CardProblem::TooLong => "too-long",
        CardProblem::NotDigits => "not-digits",
        CardProblem::WrongLength => "wrong-length",
        CardProblem::FailsChecksum => "checksum",
        CardProblem::BadExpiryFormat => "format",
        CardProblem::Expired => "expired",
    };
    tr.t(&format!("card-error-{field}-{problem}"))
}

/// Loads the scope and the form's profile and checks the user may manage its cards.
async fn manage_context(
    state: &AppState,
    signed_in: &SignedIn,
    account: &str,
    profile: &str,
) -> Result<Result<(AccountScope, BillingProfile), Response>, AppError> {
    let scope = AccountScope::load(state, &signed_in.user, account).await?;
    let profile = visible_profile(&scope, profile)?;
    let chrome = Chrome::new(
        state,
        &signed_in.ctx,
        &methods_path(&scope.account.id, &profile.id),
    );
    if let Some(page) = refusal(
        &chrome,
        &scope,
        Permission::ManagePaymentMethods,
        Some(&profile.id),
        "action-manage-payment-methods",
    ) {
        return Ok(Err(page));
    }
    Ok(Ok((scope, profile)))
}

pub async fn add(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Form(form): Form<AddForm>,
) -> Result<Response, AppError> {
    let (scope, profile) = match manage_context(&state, &signed_in, &account, &form.profile).await?
    {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let replaces = match form.replaces.trim() {
        "" => None,
        raw => Some(PaymentMethodId::parse(raw).map_err(|_| AppError::NotFound)?),
    };
    let mut page = PageState {
        replacing: replaces.clone(),
        holder: field(&form.holder, 100),
        expiry: field(&form.expiry, 10),
        show_form: true,
        ..PageState::empty()
    };
    let card = match CardInput::parse(&form.holder, &form.number, &form.expiry, &form.cvc, today())
    {
        Ok(card) => card,
        Err(problems) => {
            for (field, problem) in problems {
                let text = Some(problem_text(&tr, field, problem));
                match field {
                    CardField::Holder => page.errors.holder = text,
                    CardField::Number => page.errors.number = text,
                    CardField::Expiry => page.errors.expiry = text,
                    CardField::Cvc => page.errors.cvc = text,
                }
            }
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &methods_page(&state, &signed_in, &scope, &profile, page).await?,
            ));
        }
    };
    let token = match state.gateway.tokenize(&card).await {
        Ok(token) if token.funding == Funding::Prepaid => {
            page.errors.number = Some(tr.t("card-error-prepaid"));
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &methods_page(&state, &signed_in, &scope, &profile, page).await?,
            ));
        }
        Ok(token) => token,
        Err(GatewayError::CardRefused(reason)) => {
            page.problem = Some(tr.t1(
                "methods-card-refused",
                "reason",
                tr.t(&format!("failure-{}", reason.code())),
            ));
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &methods_page(&state, &signed_in, &scope, &profile, page).await?,
            ));
        }
        Err(error) => {
            tracing::warn!(%error, "tokenization failed");
            page.problem = Some(tr.t("methods-gateway-unavailable"));
            return Ok(render_with(
                StatusCode::SERVICE_UNAVAILABLE,
                &methods_page(&state, &signed_in, &scope, &profile, page).await?,
            ));
        }
    };
    let method = PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: scope.account.id.clone(),
        billing_profile_id: profile.id.clone(),
        gateway_token: token.token.clone(),
        brand: token.brand,
        last4: token.last4.clone(),
        exp_month: token.exp_month,
        exp_year: token.exp_year,
        holder: token.holder.clone(),
        status: PaymentMethodStatus::Active,
        created_at: chrono::Utc::now(),
    };
    let return_url = format!(
        "/billing/{}/payment-methods/{}/return{}",
        scope.account.id,
        method.id,
        replaces
            .as_ref()
            .map(|r| format!("?replace={r}"))
            .unwrap_or_default()
    );
    let setup = state
        .gateway
        .setup(&SetupRequest {
            idempotency_key: method.id.to_string(),
            token: token.token.clone(),
            currency: profile.currency,
            return_url,
        })
        .await;
    match setup {
        Ok(Charge {
            status: ChargeStatus::Succeeded,
            ..
        }) => {
            let mode = match &replaces {
                Some(old) => AddMode::Replace(old.clone()),
                None => AddMode::Add,
            };
            match state
                .store
                .add_card(&method, &mode, &actor(&signed_in))
                .await
            {
                Ok(()) => {}
                Err(faktura_store::StoreError::NotFound) => {
                    page.problem = Some(tr.t("methods-replace-gone"));
                    page.replacing = None;
                    return Ok(render_with(
                        StatusCode::CONFLICT,
                        &methods_page(&state, &signed_in, &scope, &profile, page).await?,
                    ));
                }
                Err(other) => return Err(other.into()),
            }
            let done = if replaces.is_some() {
                "replaced"
            } else {
                "added"
            };
            Ok(Redirect::to(&format!(
                "{}&done={done}",
                methods_path(&scope.account.id, &profile.id)
            ))
            .into_response())
        }
        Ok(Charge {
            status: ChargeStatus::RequiresAction { challenge_url },
            ..
        }) => {
            state.store.add_pending_card(&method).await?;
            Ok(Redirect::to(&challenge_url).into_response())
        }
        Ok(Charge {
            status: ChargeStatus::Failed(reason),
            ..
        })
        | Err(GatewayError::CardRefused(reason)) => {
            if reason == FailureReason::PrepaidCardRefused {
                page.errors.number = Some(tr.t("card-error-prepaid"));
            } else {
                page.problem = Some(tr.t1(
                    "methods-card-refused",
                    "reason",
                    tr.t(&format!("failure-{}", reason.code())),
                ));
            }
            Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &methods_page(&state, &signed_in, &scope, &profile, page).await?,
            ))
        }
        Err(error) => {
            tracing::warn!(%error, "card setup failed");
            page.problem = Some(tr.t("methods-gateway-unavailable"));
            Ok(render_with(
                StatusCode::SERVICE_UNAVAILABLE,
                &methods_page(&state, &signed_in, &scope, &profile, page).await?,
            ))
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ReturnQuery {
    #[serde(default)]
    replace: Option<String>,
}

/// Back from the 3-D Secure challenge of a card being added: ask the gateway, then activate it.
pub async fn setup_returned(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, method)): Path<(String, String)>,
    Query(query): Query<ReturnQuery>,
) -> Result<Response, AppError> {
    let scope = AccountScope::load(&state, &signed_in.user, &account).await?;
    let method_id = PaymentMethodId::parse(&method).map_err(|_| AppError::NotFound)?;
    let card = state
        .store
        .payment_method(&scope.account.id, &method_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if scope.profile(&card.billing_profile_id).is_none() {
        return Err(AppError::Forbidden("no role on this billing profile"));
    }
    let chrome = Chrome::new(
        &state,
        &signed_in.ctx,
        &methods_path(&scope.account.id, &card.billing_profile_id),
    );
    if let Some(page) = refusal(
        &chrome,
        &scope,
        Permission::ManagePaymentMethods,
        Some(&card.billing_profile_id),
        "action-manage-payment-methods",
    ) {
        return Ok(page);
    }
    let back = methods_path(&scope.account.id, &card.billing_profile_id);
    if state
        .store
        .pending_card(&scope.account.id, &method_id)
        .await?
        .is_none()
    {
        // Decided already (a reload, or a second tab): show the list as it is.
        return Ok(Redirect::to(&back).into_response());
    }
    let passed = match state.gateway.lookup(method_id.as_str()).await {
        Ok(Some(charge)) => match charge.status {
            ChargeStatus::Succeeded => Some(true),
            ChargeStatus::Failed(_) => Some(false),
            ChargeStatus::RequiresAction { .. } => None,
        },
        Ok(None) => Some(false),
        Err(error) => {
            tracing::warn!(%error, "card setup lookup failed");
            None
        }
    };
    let Some(passed) = passed else {
        // Still waiting (or no answer): the card stays pending and unusable.
        return Ok(Redirect::to(&back).into_response());
    };
    let who = actor(&signed_in);
    state
        .store
        .finish_card_setup(&scope.account.id, &method_id, passed, &who)
        .await?;
    if !passed {
        return Ok(Redirect::to(&format!("{back}&done=setup-failed")).into_response());
    }
    let replaced = query
        .replace
        .as_deref()
        .and_then(|r| PaymentMethodId::parse(r).ok());
    if replaced.is_some() {
        state
            .store
            .set_default_payment_method(
                &scope.account.id,
                &card.billing_profile_id,
                &method_id,
                &who,
            )
            .await?;
        return Ok(Redirect::to(&format!("{back}&done=replaced")).into_response());
    }
    Ok(Redirect::to(&format!("{back}&done=added")).into_response())
}

#[derive(Deserialize, Default)]
pub struct MethodForm {
    #[serde(default)]
    profile: String,
}

pub async fn make_default(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, method)): Path<(String, String)>,
    Form(form): Form<MethodForm>,
) -> Result<Response, AppError> {
    let (scope, profile) = match manage_context(&state, &signed_in, &account, &form.profile).await?
    {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let method = PaymentMethodId::parse(&method).map_err(|_| AppError::NotFound)?;
    state
        .store
        .set_default_payment_method(&scope.account.id, &profile.id, &method, &actor(&signed_in))
        .await?;
    Ok(Redirect::to(&format!(
        "{}&done=default",
        methods_path(&scope.account.id, &profile.id)
    ))
    .into_response())
}

pub async fn detach(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, method)): Path<(String, String)>,
    Form(form): Form<MethodForm>,
) -> Result<Response, AppError> {
    let (scope, profile) = match manage_context(&state, &signed_in, &account, &form.profile).await?
    {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let method = PaymentMethodId::parse(&method).map_err(|_| AppError::NotFound)?;
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let refusal = match state
        .store
        .detach_payment_method(&scope.account.id, &profile.id, &method, &actor(&signed_in))
        .await?
    {
        Ok(_) => {
            return Ok(Redirect::to(&format!(
                "{}&done=detached",
                methods_path(&scope.account.id, &profile.id)
            ))
            .into_response())
        }
        Err(DetachRefusal::NotFound) => return Err(AppError::NotFound),
        Err(DetachRefusal::DefaultWithUnpaidInvoices(count)) => tr.tn(
            "detach-refused-default",
            &[("count", count.to_string()), ("n", plural(count).into())],
        ),
        Err(DetachRefusal::LastCardOfPayAsYouGo) => tr.t("detach-refused-last-card"),
        Err(DetachRefusal::InUse) => tr.t("detach-refused-in-use"),
    };
    let page = PageState {
        problem: Some(refusal),
        ..PageState::empty()
    };
    Ok(render_with(
        StatusCode::CONFLICT,
        &methods_page(&state, &signed_in, &scope, &profile, page).await?,
    ))
}

// ---------------------------------------------------------------------------------------------
// Settle balance

pub struct OutstandingRow {
    pub number: String,
    pub due_date: String,
    pub status: String,
    pub status_code: &'static str,
    pub amount_due: String,
}

pub struct SettleCard {
    pub id: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "settle.html")]
struct SettleTemplate {
    chrome: Chrome,
    nav: BillingNav,
    rows: Vec<OutstandingRow>,
    total: String,
    cards: Vec<SettleCard>,
    problem: Option<String>,
    first_profile: String,
}

async fn settle_context(
    state: &AppState,
    signed_in: &SignedIn,
    account: &str,
) -> Result<Result<(AccountScope, Vec<Invoice>, Chrome), Response>, AppError> {
    let scope = AccountScope::load(state, &signed_in.user, account).await?;
    let chrome = Chrome::new(
        state,
        &signed_in.ctx,
        &format!("/billing/{}/settle", scope.account.id),
    );
    if !scope.account.agreement_type.is_pay_as_you_go() {
        let explanation = chrome.tr.t("settle-not-payg");
        return Ok(Err(refused(chrome, explanation)));
    }
    let outstanding = state.store.outstanding_invoices(&scope.account.id).await?;
    if !outstanding.is_empty() && !may_settle(&scope, &outstanding) {
        let explanation = chrome.tr.tn(
            "refused-because-role",
            &[
                ("roles", super::admin::roles_text(&chrome.tr, &scope.access)),
                ("action", chrome.tr.t("action-pay")),
            ],
        );
        return Ok(Err(refused(chrome, explanation)));
    }
    if outstanding.is_empty() && !scope.access.allows(Permission::PayInvoices, None) {
        let explanation = chrome.tr.tn(
            "refused-because-role",
            &[
                ("roles", super::admin::roles_text(&chrome.tr, &scope.access)),
                ("action", chrome.tr.t("action-pay")),
            ],
        );
        return Ok(Err(refused(chrome, explanation)));
    }
    Ok(Ok((scope, outstanding, chrome)))
}

async fn settle_page(
    state: &AppState,
    scope: &AccountScope,
    outstanding: &[Invoice],
    chrome: Chrome,
    problem: Option<String>,
) -> Result<SettleTemplate, AppError> {
    let tr = chrome.tr.clone();
    let today = today();
    let rows = outstanding
        .iter()
        .map(|i| {
            let status = i.status_on(today);
            OutstandingRow {
                number: i.number.clone(),
                due_date: tr.date(i.due_date),
                status: status_label(&tr, status),
                status_code: status.code(),
                amount_due: i.amount_due().map(|m| tr.money(m)).unwrap_or_default(),
            }
        })
        .collect();
    let methods = state
        .store
        .account_payment_methods(&scope.account.id)
        .await?;
    let first_usable = methods.iter().position(|m| !m.is_expired_on(today));
    let cards = methods
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.is_expired_on(today))
        .map(|(index, m)| SettleCard {
            id: m.id.to_string(),
            label: format!("{}, {}", card_text(&tr, m), expiry_text(m)),
            checked: Some(index) == first_usable,
        })
        .collect();
    let total = outstanding_total(outstanding)
        .map(|m| tr.money(m))
        .unwrap_or_default();
    Ok(SettleTemplate {
        nav: scope.nav(
            "invoices",
            None,
            format!("/billing/{}/invoices", scope.account.id),
        ),
        rows,
        total,
        cards,
        problem,
        first_profile: scope
            .profiles
            .first()
            .map(|p| p.id.to_string())
            .unwrap_or_default(),
        chrome,
    })
}

pub async fn settle_pane(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
) -> Result<Response, AppError> {
    let (scope, outstanding, chrome) = match settle_context(&state, &signed_in, &account).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    Ok(render(
        &settle_page(&state, &scope, &outstanding, chrome, None).await?,
    ))
}

#[derive(Deserialize, Default)]
pub struct SettleForm {
    #[serde(default)]
    method: String,
}

pub async fn settle_submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Form(form): Form<SettleForm>,
) -> Result<Response, AppError> {
    let (scope, outstanding, chrome) = match settle_context(&state, &signed_in, &account).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let tr = chrome.tr.clone();
    let method = match PaymentMethodId::parse(form.method.trim()) {
        Ok(id) => state.store.payment_method(&scope.account.id, &id).await?,
        Err(_) => None,
    };
    let Some(method) = method.filter(|m| m.status == PaymentMethodStatus::Active) else {
        let page = settle_page(
            &state,
            &scope,
            &outstanding,
            chrome,
            Some(tr.t("pay-choose-method")),
        )
        .await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    if method.is_expired_on(today()) {
        let page = settle_page(
            &state,
            &scope,
            &outstanding,
            chrome,
            Some(tr.t("pay-card-expired")),
        )
        .await?;
        return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let request = BeginSettlement {
        account: scope.account.id.clone(),
        payment_method: method.id.clone(),
        created_by: signed_in.user.id.clone(),
        today: today(),
        ip: signed_in.ctx.ip.clone(),
    };
    let settlement = match state.store.begin_settlement(&request).await? {
        Ok(settlement) => settlement,
        Err(SettleRefusal::InProgress(open)) => {
            return Ok(Redirect::to(&format!(
                "/billing/{}/settlements/{}",
                scope.account.id, open.id
            ))
            .into_response())
        }
        Err(refusal) => {
            let key = match refusal {
                SettleRefusal::NothingOutstanding => "settle-nothing",
                SettleRefusal::MixedCurrencies => "settle-mixed-currencies",
                SettleRefusal::MethodNotFound => "pay-choose-method",
                SettleRefusal::InvoicePaymentOpen | SettleRefusal::InProgress(_) => {
                    "settle-payment-open"
                }
            };
            let page = settle_page(&state, &scope, &outstanding, chrome, Some(tr.t(key))).await?;
            return Ok(render_with(StatusCode::CONFLICT, &page));
        }
    };
    let outcome_url = format!(
        "/billing/{}/settlements/{}",
        scope.account.id, settlement.id
    );
    let charge = state
        .gateway
        .charge(&ChargeRequest {
            idempotency_key: settlement.id.to_string(),
            token: method.gateway_token.clone(),
            amount: settlement.amount,
            return_url: format!("{outcome_url}/return"),
        })
        .await;
    let finished = state
        .store
        .finish_settlement(
            &scope.account.id,
            &settlement.id,
            &outcome_of(charge),
            Some(&signed_in.user.id),
            signed_in.ctx.ip.as_deref(),
        )
        .await?;
    match &finished.settlement.next_action_url {
        Some(url) if finished.settlement.state == PaymentState::RequiresAction => {
            Ok(Redirect::to(url).into_response())
        }
        _ => Ok(Redirect::to(&outcome_url).into_response()),
    }
}

#[derive(Template)]
#[template(path = "settlement.html")]
struct SettlementTemplate {
    chrome: Chrome,
    nav: BillingNav,
    settlement_id: String,
    heading: String,
    message: String,
    state_code: &'static str,
    amount: String,
    invoices: Vec<(String, String, &'static str)>,
    retry: bool,
    pending: bool,
}

async fn load_settlement(
    state: &AppState,
    signed_in: &SignedIn,
    account: &str,
    raw: &str,
) -> Result<(AccountScope, Settlement), AppError> {
    let scope = AccountScope::load(state, &signed_in.user, account).await?;
    let id = SettlementId::parse(raw).map_err(|_| AppError::NotFound)?;
    let settlement = state
        .store
        .settlement(&scope.account.id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Only those who may pay every invoice of it see a settlement.
    let invoices = state
        .store
        .settlement_invoices(&scope.account.id, &settlement.id)
        .await?;
    if !invoices.iter().all(|i| {
        scope
            .access
            .allows(Permission::PayInvoices, Some(&i.billing_profile_id))
    }) {
        return Err(AppError::Forbidden(
            "settlement of invoices you may not pay",
        ));
    }
    Ok((scope, settlement))
}

pub async fn settlement_outcome(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, settlement)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (scope, settlement) = load_settlement(&state, &signed_in, &account, &settlement).await?;
    let invoices = state
        .store
        .settlement_invoices(&scope.account.id, &settlement.id)
        .await?;
    let chrome = Chrome::new(
        &state,
        &signed_in.ctx,
        &format!(
            "/billing/{}/settlements/{}",
            scope.account.id, settlement.id
        ),
    );
    let tr = &chrome.tr;
    let amount = tr.money(settlement.amount);
    let (heading, message) = match settlement.state {
        PaymentState::Succeeded => (
            tr.t("settle-succeeded-title"),
            tr.tn(
                "settle-succeeded-text",
                &[
                    ("amount", amount.clone()),
                    ("count", invoices.len().to_string()),
                    ("n", plural(invoices.len()).into()),
                ],
            ),
        ),
        PaymentState::Failed => (
            tr.t("settle-failed-title"),
            match settlement.failure_reason {
                Some(reason) => tr.t1(
                    "payment-state-failed-because",
                    "reason",
                    tr.t(&format!("failure-{}", reason.code())),
                ),
                None => tr.t("payment-state-failed"),
            },
        ),
        PaymentState::RequiresAction => (tr.t("outcome-action-title"), tr.t("outcome-action-text")),
        PaymentState::Processing | PaymentState::Unknown => (
            tr.t("outcome-processing-title"),
            tr.t("outcome-processing-text"),
        ),
    };
    let today = today();
    let invoices = invoices
        .iter()
        .map(|i| {
            let status = i.status_on(today);
            (i.number.clone(), status_label(tr, status), status.code())
        })
        .collect();
    let template = SettlementTemplate {
        settlement_id: settlement.id.to_string(),
        nav: scope.nav(
            "invoices",
            None,
            format!("/billing/{}/invoices", scope.account.id),
        ),
        heading,
        message,
        state_code: settlement.state.code(),
        amount,
        invoices,
        retry: settlement.state == PaymentState::Failed,
        pending: matches!(
            settlement.state,
            PaymentState::Processing | PaymentState::Unknown
        ),
        chrome,
    };
    Ok(render(&template))
}

/// Back from 3-D Secure for a settlement: ask the gateway, finish, show the outcome.
pub async fn settlement_returned(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, settlement)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (scope, settlement) = load_settlement(&state, &signed_in, &account, &settlement).await?;
    if !settlement.state.is_final() {
        let outcome = match state.gateway.lookup(settlement.id.as_str()).await {
            Ok(Some(charge)) => outcome_of(Ok(charge)),
            Ok(None) => PaymentOutcome::Failed {
                reason: FailureReason::ProcessingError,
                reference: None,
            },
            Err(error) => outcome_of(Err(error)),
        };
        if !matches!(outcome, PaymentOutcome::RequiresAction { .. })
            || settlement.state != PaymentState::RequiresAction
        {
            state
                .store
                .finish_settlement(
                    &scope.account.id,
                    &settlement.id,
                    &outcome,
                    Some(&signed_in.user.id),
                    signed_in.ctx.ip.as_deref(),
                )
                .await?;
        }
    }
    Ok(Redirect::to(&format!(
        "/billing/{}/settlements/{}",
        scope.account.id, settlement.id
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_naturally_in_both_languages() {
        let i18n = crate::i18n::I18n::load().unwrap();
        let en = Tr::new(i18n.clone(), Locale::EnUs);
        let da = Tr::new(i18n, Locale::DaDk);
        let args = |count: i64| {
            vec![
                ("count".to_owned(), count.to_string()),
                ("n".to_owned(), plural(count).to_owned()),
            ]
        };
        let text = |tr: &Tr, count: i64| {
            let pairs = args(count);
            let pairs: Vec<(&str, String)> =
                pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            tr.tn("detach-refused-default", &pairs)
        };
        assert!(text(&en, 1).contains("with an unpaid invoice."));
        assert!(text(&en, 3).contains("with 3 unpaid invoices."));
        assert!(text(&da, 1).contains("med en ubetalt faktura."));
        assert!(text(&da, 2).contains("med 2 ubetalte fakturaer."));
        assert_eq!(plural(1_usize), "one");
        assert_eq!(plural(0_i64), "other");
    }
}
