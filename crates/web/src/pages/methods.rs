//! Payment methods per billing profile (list, add with 3-D Secure when the card asks, set as
//! default, replace, detach) and Settle balance for pay-as-you-go accounts.
//!
//! Managing cards needs `ManagePaymentMethods` on the profile; every role may look. The server
//! checks on every POST, whatever the page showed.

use crate::error::AppError;
use crate::i18n::Tr;
use crate::session::SignedIn;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Duration, NaiveDate};
use faktura_app::AccountScope;
use faktura_domain::card::{CardField, CardInput, CardProblem};
use faktura_domain::*;
use faktura_gateway::{Charge, ChargeStatus, Funding, GatewayError, SetupRequest};
use faktura_store::{AddMode, DetachRefusal};
use serde::Deserialize;

/// Cards expiring within this many days get a warning.
const EXPIRY_WARNING_DAYS: i64 = 60;

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
        .app
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
            crate::view::roles_text(&tr, &scope.access),
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
    let scope = signed_in.scope(&state, &account).await?;
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
    let scope = signed_in.scope(state, account).await?;
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
    let token = match state.app.gateway.tokenize(&card).await {
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
        .app
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
                .app
                .store
                .add_card(&method, &mode, &signed_in.actor().audit())
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
            state.app.store.add_pending_card(&method).await?;
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
    let scope = signed_in.scope(&state, &account).await?;
    let method_id = PaymentMethodId::parse(&method).map_err(|_| AppError::NotFound)?;
    let card = state
        .app
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
        .app
        .store
        .pending_card(&scope.account.id, &method_id)
        .await?
        .is_none()
    {
        // Decided already (a reload, or a second tab): show the list as it is.
        return Ok(Redirect::to(&back).into_response());
    }
    let passed = match state.app.gateway.lookup(method_id.as_str()).await {
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
    let who = signed_in.actor().audit();
    state
        .app
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
            .app
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
        .app
        .store
        .set_default_payment_method(
            &scope.account.id,
            &profile.id,
            &method,
            &signed_in.actor().audit(),
        )
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
        .app
        .store
        .detach_payment_method(
            &scope.account.id,
            &profile.id,
            &method,
            &signed_in.actor().audit(),
        )
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
