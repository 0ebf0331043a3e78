//! Settle balance for pay-as-you-go accounts: the banner, the pane, the outcome and the 3-D
//! Secure return. The portal's adapter for `faktura_app::settling`.

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
use faktura_app::cards::{self, CardAdded, CardError};
use faktura_app::hosted_cards::{self, SetupFinished};
use faktura_app::settling::{self, Outstanding, SettleError, SettleRefusal};
use faktura_app::AccountScope;
use faktura_domain::card::CardInput;
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
    /// Where "Add a new card" saves the card (id, name): the first profile whose cards the
    /// person may manage and whose invoices they may pay. `None`: no new card here.
    new_card_profile: Option<(String, String)>,
    new_card: NewCardForm,
    /// With Stripe: its card field instead of the card form.
    elements: Option<CardElements>,
    summary: Vec<SummaryItem>,
}

/// The new card as the form had it (never the number or CVC), and what was wrong with it.
#[derive(Default)]
struct NewCardForm {
    chosen: bool,
    holder: String,
    expiry: String,
    errors: CardFieldErrors,
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
    Ok(refused(chrome, scope, explanation))
}

/// The profile a card added in the pane is saved on (see `SettleTemplate::new_card_profile`).
fn new_card_profile(scope: &AccountScope) -> Option<&BillingProfile> {
    scope.profiles.iter().find(|p| {
        scope.allows(Permission::ManagePaymentMethods, Some(&p.id))
            && scope.allows(Permission::PayInvoices, Some(&p.id))
    })
}

async fn settle_page(
    state: &AppState,
    scope: &AccountScope,
    outstanding: &Outstanding,
    chrome: Chrome,
    problem: Option<String>,
    mut new_card: NewCardForm,
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
            checked: index == 0 && !new_card.chosen,
        })
        .collect::<Vec<_>>();
    let new_card_profile =
        new_card_profile(scope).map(|p| (p.id.to_string(), p.display_name.clone()));
    new_card.chosen = new_card_profile.is_some() && (new_card.chosen || cards.is_empty());
    let summary = error_summary(&[
        ("holder", &new_card.errors.holder),
        ("number", &new_card.errors.number),
        ("expiry", &new_card.errors.expiry),
        ("cvc", &new_card.errors.cvc),
    ]);
    let total = outstanding.total.map(|m| tr.money(m)).unwrap_or_default();
    Ok(SettleTemplate {
        nav: scope
            .nav(
                "invoices",
                None,
                format!("/billing/{}/invoices", scope.account.id),
            )
            .crumb("settle-balance", ""),
        rows,
        total,
        cards,
        problem,
        new_card_profile,
        new_card,
        elements: CardElements::of(state, scope.account.id.as_str()),
        summary,
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

/// Back in the pane from a new card's 3-D Secure challenge: the card to settle with, or why
/// it was not added.
#[derive(Deserialize, Default)]
pub struct SettlePaneQuery {
    #[serde(default)]
    card: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

pub async fn settle_pane(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Query(query): Query<SettlePaneQuery>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let chrome = settle_chrome(&state, &signed_in, &scope);
    let outstanding = match settling::settle_pane(&state.app, &scope).await {
        Ok(outstanding) => outstanding,
        Err(error) => return refused_page(chrome, &scope, error),
    };
    let problem = match query.done.as_deref() {
        Some("setup-failed") => Some(chrome.tr.t("methods-done-setup-failed")),
        _ => None,
    };
    let new_card = NewCardForm {
        chosen: problem.is_some(),
        ..NewCardForm::default()
    };
    let mut page = settle_page(&state, &scope, &outstanding, chrome, problem, new_card).await?;
    // The card just added (after its challenge) is the one chosen.
    if let Some(card) = query.card.as_deref() {
        if page.cards.iter().any(|c| c.id == card) {
            for c in &mut page.cards {
                c.checked = c.id == card;
            }
        }
    }
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
pub struct SettleForm {
    /// A saved card's id, or `new` for the card typed in the pane.
    #[serde(default)]
    method: String,
    #[serde(default)]
    holder: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    cvc: String,
    /// With Stripe: the setup of the new card, confirmed in the browser (`seti_…`).
    #[serde(default)]
    setup: String,
}

/// What adding the pane's new card led to.
enum NewCard {
    /// Saved on the profile: settle with it.
    Saved(PaymentMethodId),
    /// The bank asks for 3-D Secure on the card first: send the person there.
    Challenge(String),
    /// Not saved: the pane again, saying why.
    Refused(NewCardForm, Option<String>, StatusCode),
}

/// "Add a new card" in Settle balance: the card is saved on the pane's profile (the person may
/// manage its cards; the use case checks again), then the balance is charged to it.
async fn add_new_card(
    state: &AppState,
    signed_in: &SignedIn,
    scope: &AccountScope,
    form: &SettleForm,
) -> Result<NewCard, AppError> {
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let mut kept = NewCardForm {
        chosen: true,
        holder: field(&form.holder, 100),
        expiry: field(&form.expiry, 10),
        errors: CardFieldErrors::default(),
    };
    let Some(profile) = new_card_profile(scope).map(|p| p.id.clone()) else {
        return Err(AppError::Forbidden("may not add cards here"));
    };
    let actor = signed_in.actor();
    let added = if CardElements::of(state, scope.account.id.as_str()).is_some() {
        let setup = field(&form.setup, 255);
        if setup.is_empty() {
            return Ok(NewCard::Refused(
                kept,
                Some(tr.t("elements-not-confirmed")),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
        match hosted_cards::finish_card_setup(&state.app, &actor, scope, &profile, &setup, None)
            .await
        {
            Ok(SetupFinished::Saved(method)) => Ok(CardAdded::Saved(method.id)),
            Ok(SetupFinished::Waiting) => {
                return Ok(NewCard::Refused(
                    kept,
                    Some(tr.t("elements-not-confirmed")),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ))
            }
            Err(error) => Err(error),
        }
    } else {
        match CardInput::parse(&form.holder, &form.number, &form.expiry, &form.cvc, today()) {
            Ok(card) => {
                cards::add_card_returning(&state.app, &actor, scope, &profile, &card, None, true)
                    .await
            }
            Err(problems) => {
                kept.errors = CardFieldErrors::from_problems(&tr, problems);
                return Ok(NewCard::Refused(
                    kept,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ));
            }
        }
    };
    let problem = match added {
        Ok(CardAdded::Saved(id)) => return Ok(NewCard::Saved(id)),
        Ok(CardAdded::ChallengeRequired { url }) => return Ok(NewCard::Challenge(url)),
        Err(CardError::App(error)) => return Err(error.into()),
        Err(CardError::Prepaid) => {
            kept.errors.number = Some(tr.t("card-error-prepaid"));
            None
        }
        Err(CardError::Refused(reason)) => Some(tr.t1(
            "methods-card-refused",
            "reason",
            tr.t(&format!("failure-{}", reason.code())),
        )),
        Err(CardError::GatewayUnavailable) => Some(tr.t("methods-gateway-unavailable")),
        Err(CardError::NotAllowed(_)) => return Err(AppError::Forbidden("may not add cards here")),
        Err(other) => return Err(AppError::Internal(other.to_string())),
    };
    Ok(NewCard::Refused(
        kept,
        problem,
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
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
    // Refused (not pay-as-you-go, not every invoice payable) before any card is added.
    if let Err(error) = settling::settle_pane(&state.app, &scope).await {
        return refused_page(chrome, &scope, error);
    }
    let method = if form.method.trim() == "new" {
        match add_new_card(&state, &signed_in, &scope, &form).await? {
            NewCard::Saved(id) => Some(id),
            NewCard::Challenge(url) => return Ok(Redirect::to(&url).into_response()),
            NewCard::Refused(kept, problem, status) => {
                let outstanding = match settling::settle_pane(&state.app, &scope).await {
                    Ok(outstanding) => outstanding,
                    Err(error) => return refused_page(chrome, &scope, error),
                };
                let page = settle_page(&state, &scope, &outstanding, chrome, problem, kept);
                return Ok(render_with(status, &page.await?));
            }
        }
    } else {
        PaymentMethodId::parse(form.method.trim()).ok()
    };
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
    let page = settle_page(
        &state,
        &scope,
        &outstanding,
        chrome,
        Some(tr.t(key)),
        NewCardForm::default(),
    )
    .await?;
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
            failure_sentence(tr, settlement.failure_reason),
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
        nav: scope
            .nav(
                "invoices",
                None,
                format!("/billing/{}/invoices", scope.account.id),
            )
            .crumb(
                "settle-balance",
                format!("/billing/{}/settle", scope.account.id),
            )
            .crumb("payment-crumb", ""),
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
