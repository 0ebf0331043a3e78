//! Settle balance for pay-as-you-go accounts: the banner, the pane, the outcome and the 3-D
//! Secure return. The portal's adapter for `faktura_app::settling`.

use crate::context::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use faktura_app::settling::{self, Outstanding, SettleError, SettleRefusal};
use faktura_app::AccountScope;
use faktura_domain::*;
use serde::Deserialize;

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

/// The refusal page for a pane the user may not use.
fn refused_page(
    chrome: Chrome,
    scope: &AccountScope,
    error: SettleError,
) -> Result<Response, AppError> {
    let explanation = match error {
        SettleError::NotPayAsYouGo => chrome.tr.t("settle-not-payg"),
        SettleError::NotAllowed => chrome.tr.tn(
            "refused-because-role",
            &[
                ("roles", roles_text(&chrome.tr, &scope.access)),
                ("action", chrome.tr.t("action-pay")),
            ],
        ),
        SettleError::App(error) => return Err(error.into()),
        other => return Err(AppError::Internal(other.to_string())),
    };
    Ok(refused(chrome, explanation))
}

async fn settle_page(
    state: &AppState,
    scope: &AccountScope,
    outstanding: &Outstanding,
    chrome: Chrome,
    problem: Option<String>,
) -> Result<SettleTemplate, AppError> {
    let tr = chrome.tr.clone();
    let today = today();
    let rows = outstanding
        .invoices
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
    let cards = settling::settle_cards(&state.app, scope)
        .await?
        .iter()
        .enumerate()
        .map(|(index, m)| SettleCard {
            id: m.id.to_string(),
            label: format!("{}, {}", card_text(&tr, m), expiry_text(m)),
            checked: index == 0,
        })
        .collect();
    let total = outstanding.total.map(|m| tr.money(m)).unwrap_or_default();
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

fn settle_chrome(state: &AppState, signed_in: &SignedIn, scope: &AccountScope) -> Chrome {
    Chrome::new(
        state,
        &signed_in.ctx,
        &format!("/billing/{}/settle", scope.account.id),
    )
}

pub async fn settle_pane(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let chrome = settle_chrome(&state, &signed_in, &scope);
    let outstanding = match settling::settle_pane(&state.app, &scope).await {
        Ok(outstanding) => outstanding,
        Err(error) => return refused_page(chrome, &scope, error),
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
    let scope = signed_in.scope(&state, &account).await?;
    let chrome = settle_chrome(&state, &signed_in, &scope);
    let tr = chrome.tr.clone();
    let method = PaymentMethodId::parse(form.method.trim()).ok();
    let settled =
        settling::settle_balance(&state.app, &signed_in.actor(), &scope, method.as_ref()).await;
    let (status, key) = match settled {
        Ok(settlement) => {
            let outcome_url = settling::settlement_path(scope.id(), &settlement.id);
            if settlement.state == PaymentState::RequiresAction
                && CardElements::of(&state, &account).is_some()
            {
                // Stripe.js runs the bank's check on our page, then opens the return path.
                return Ok(Redirect::to(&format!("{outcome_url}/authenticate")).into_response());
            }
            return Ok(match &settlement.next_action_url {
                Some(url) if settlement.state == PaymentState::RequiresAction => {
                    Redirect::to(url).into_response()
                }
                _ => Redirect::to(&outcome_url).into_response(),
            });
        }
        Err(SettleError::Refused(SettleRefusal::InProgress(open))) => {
            return Ok(
                Redirect::to(&settling::settlement_path(scope.id(), &open.id)).into_response(),
            )
        }
        Err(error @ (SettleError::NotPayAsYouGo | SettleError::NotAllowed)) => {
            return refused_page(chrome, &scope, error)
        }
        Err(SettleError::App(error)) => return Err(error.into()),
        Err(SettleError::MethodNotFound) => (StatusCode::UNPROCESSABLE_ENTITY, "pay-choose-method"),
        Err(SettleError::MethodExpired) => (StatusCode::UNPROCESSABLE_ENTITY, "pay-card-expired"),
        Err(SettleError::Refused(refusal)) => (
            StatusCode::CONFLICT,
            match refusal {
                SettleRefusal::NothingOutstanding => "settle-nothing",
                SettleRefusal::MixedCurrencies => "settle-mixed-currencies",
                SettleRefusal::MethodNotFound => "pay-choose-method",
                SettleRefusal::InvoicePaymentOpen | SettleRefusal::InProgress(_) => {
                    "settle-payment-open"
                }
            },
        ),
    };
    let outstanding = match settling::settle_pane(&state.app, &scope).await {
        Ok(outstanding) => outstanding,
        Err(error) => return refused_page(chrome, &scope, error),
    };
    let page = settle_page(&state, &scope, &outstanding, chrome, Some(tr.t(key))).await?;
    Ok(render_with(status, &page))
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

pub async fn settlement_outcome(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, settlement)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let (settlement, invoices) = settling::settlement(&state.app, &scope, &settlement).await?;
    let chrome = Chrome::new(
        &state,
        &signed_in.ctx,
        &settling::settlement_path(scope.id(), &settlement.id),
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

/// Back from 3-D Secure for a settlement: the use case asks the gateway and finishes it by the
/// janitor's rule; then the outcome page.
pub async fn settlement_returned(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, settlement)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let settlement =
        settling::settlement_returned(&state.app, &signed_in.actor(), &scope, &settlement).await?;
    Ok(Redirect::to(&settling::settlement_path(scope.id(), &settlement.id)).into_response())
}

/// With Stripe: the bank asks for 3-D Secure on a settlement; Stripe.js runs the check on this
/// page, then opens the return path. With nothing for the browser to do: the outcome page.
pub async fn settlement_authenticate(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, settlement)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let (settlement, action) =
        settling::settlement_browser_action(&state.app, &scope, &settlement).await?;
    let path = settling::settlement_path(scope.id(), &settlement.id);
    let Some(action) = action else {
        return Ok(Redirect::to(&path).into_response());
    };
    let chrome = Chrome::new(&state, &signed_in.ctx, &format!("{path}/authenticate"));
    let text = chrome.tr.t1(
        "authenticate-settle-text",
        "amount",
        chrome.tr.money(settlement.amount),
    );
    let nav = scope.nav(
        "invoices",
        None,
        format!("/billing/{}/invoices", scope.account.id),
    );
    Ok(authenticate_page(chrome, nav, text, action))
}
