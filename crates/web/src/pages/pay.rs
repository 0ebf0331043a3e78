//! The Pay now pane, the payment outcome, the 3-D Secure return and the sandbox challenge.
//!
//! Exactly one charge per invoice: the payment is recorded (`processing`) before the gateway is
//! called, and the store's partial unique index refuses a second open payment for the invoice,
//! whichever node or tab asks. The gateway receives the payment id as its idempotency key.

use super::billing::{
    payment_outcome_label, status_label, today, visible_invoice, AccountScope, BillingNav,
};
use super::{render, render_with, Chrome};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::paying::{outcome_of, wire_only};
use crate::session::{RequestContext, SignedIn};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use faktura_domain::card::{CardField, CardInput, CardProblem};
use faktura_domain::*;
use faktura_gateway::{ChargeRequest, Funding, GatewayError};
use faktura_store::{BeginPayment, NewAuditEvent, PayRefusal, PaymentOutcome};
use serde::Deserialize;

pub struct CardChoice {
    pub id: String,
    pub label: String,
    pub expired: bool,
    pub is_default: bool,
    pub checked: bool,
}

#[derive(Default)]
pub struct FieldErrors {
    pub holder: Option<String>,
    pub number: Option<String>,
    pub expiry: Option<String>,
    pub cvc: Option<String>,
    pub method: Option<String>,
}

#[derive(Default)]
pub struct CardForm {
    pub holder: String,
    pub expiry: String,
}

pub struct Wire {
    pub explanation: String,
    pub bank: String,
    pub holder: String,
    pub iban: String,
    pub bic: String,
    pub reference: String,
}

#[derive(Template)]
#[template(path = "pay.html")]
struct PayTemplate {
    chrome: Chrome,
    nav: BillingNav,
    id: String,
    number: String,
    profile: String,
    due_date: String,
    amount: String,
    notice: Option<String>,
    wire: Option<Wire>,
    payable_by_card: bool,
    cards: Vec<CardChoice>,
    new_card_checked: bool,
    form: CardForm,
    errors: FieldErrors,
}

/// Everything the pane needs, checked: the user may pay this invoice.
struct PayContext {
    scope: AccountScope,
    invoice: Invoice,
    methods: Vec<PaymentMethod>,
    chrome: Chrome,
}

async fn pay_context(
    state: &AppState,
    signed_in: &SignedIn,
    account: &str,
    invoice: &str,
) -> Result<PayContext, AppError> {
    let scope = AccountScope::load(state, &signed_in.user, account).await?;
    let invoice = visible_invoice(state, &scope, invoice).await?;
    if !scope
        .access
        .allows(Permission::PayInvoices, Some(&invoice.billing_profile_id))
    {
        return Err(AppError::Forbidden(
            "your role may view invoices but not pay them",
        ));
    }
    let methods = state
        .store
        .payment_methods(&scope.account.id, &invoice.billing_profile_id)
        .await?;
    let chrome = Chrome::new(
        state,
        &signed_in.ctx,
        &format!("/billing/{}/invoices/{}/pay", scope.account.id, invoice.id),
    );
    Ok(PayContext {
        scope,
        invoice,
        methods,
        chrome,
    })
}

fn card_label(tr: &Tr, method: &PaymentMethod) -> String {
    tr.tn(
        "card-label",
        &[
            ("brand", tr.t(&format!("brand-{}", method.brand.code()))),
            ("last4", method.last4.clone()),
            (
                "expiry",
                format!("{:02}/{:02}", method.exp_month, method.exp_year % 100),
            ),
        ],
    )
}

/// Why the invoice cannot be paid by card right now, if it cannot.
enum Blocker {
    NotPayable(InvoiceStatus),
    InProgress,
    AlreadyPaid,
    WireOnly,
}

async fn blocker(state: &AppState, ctx: &PayContext) -> Result<Option<Blocker>, AppError> {
    let today = today();
    if let Some(open) = state
        .store
        .open_payment_for(&ctx.scope.account.id, &ctx.invoice.id)
        .await?
    {
        return Ok(Some(if open.state == PaymentState::Succeeded {
            Blocker::AlreadyPaid
        } else {
            Blocker::InProgress
        }));
    }
    if !ctx.invoice.is_payable_on(today) {
        return Ok(Some(Blocker::NotPayable(ctx.invoice.status_on(today))));
    }
    if wire_only(state, &ctx.scope.account, &ctx.invoice) {
        return Ok(Some(Blocker::WireOnly));
    }
    Ok(None)
}

fn wire_details(state: &AppState, ctx: &PayContext) -> Wire {
    let tr = &ctx.chrome.tr;
    let due = ctx.invoice.amount_due().unwrap_or(ctx.invoice.total);
    let explanation = match state.config.card_limit(due.currency()) {
        Some(limit) if due.minor() > limit.minor() => {
            tr.t1("wire-over-limit", "limit", tr.money(limit))
        }
        _ => tr.t("wire-agreement"),
    };
    let wire = &state.config.wire;
    Wire {
        explanation,
        bank: wire.bank.clone(),
        holder: wire.account_holder.clone(),
        iban: wire.iban.clone(),
        bic: wire.bic.clone(),
        reference: ctx.invoice.number.clone(),
    }
}

fn build_pane(
    state: &AppState,
    ctx: PayContext,
    blocker: Option<Blocker>,
    form: CardForm,
    errors: FieldErrors,
    chose_new: bool,
) -> PayTemplate {
    let tr = ctx.chrome.tr.clone();
    let today = today();
    let notice = match &blocker {
        Some(Blocker::NotPayable(status)) => {
            Some(tr.t1("pay-not-payable", "status", status_label(&tr, *status)))
        }
        Some(Blocker::InProgress) => Some(tr.t("pay-in-progress")),
        Some(Blocker::AlreadyPaid) => Some(tr.t("pay-already-paid")),
        Some(Blocker::WireOnly) | None => None,
    };
    let wire = matches!(blocker, Some(Blocker::WireOnly)).then(|| wire_details(state, &ctx));
    let default_id = ctx
        .scope
        .profile(&ctx.invoice.billing_profile_id)
        .and_then(|p| p.default_payment_method_id.clone());
    let first_usable = ctx
        .methods
        .iter()
        .find(|m| !m.is_expired_on(today))
        .map(|m| m.id.clone());
    let cards = ctx
        .methods
        .iter()
        .map(|m| CardChoice {
            id: m.id.to_string(),
            label: card_label(&tr, m),
            expired: m.is_expired_on(today),
            is_default: Some(&m.id) == default_id.as_ref(),
            checked: !chose_new && Some(&m.id) == first_usable.as_ref(),
        })
        .collect();
    let profile = ctx
        .scope
        .profile(&ctx.invoice.billing_profile_id)
        .map(|p| p.display_name.clone())
        .unwrap_or_default();
    let nav = ctx.scope.nav(
        "invoices",
        None,
        format!("/billing/{}/invoices", ctx.scope.account.id),
    );
    PayTemplate {
        nav,
        id: ctx.invoice.id.to_string(),
        number: ctx.invoice.number.clone(),
        profile,
        due_date: tr.date(ctx.invoice.due_date),
        amount: ctx
            .invoice
            .amount_due()
            .map(|m| tr.money(m))
            .unwrap_or_default(),
        notice,
        wire,
        payable_by_card: blocker.is_none(),
        cards,
        new_card_checked: chose_new || first_usable.is_none(),
        form,
        errors,
        chrome: ctx.chrome,
    }
}

pub async fn pane_get(
    state: &AppState,
    signed_in: &SignedIn,
    account: &str,
    invoice: &str,
) -> Result<Response, AppError> {
    let ctx = pay_context(state, signed_in, account, invoice).await?;
    let blocker = blocker(state, &ctx).await?;
    Ok(render(&build_pane(
        state,
        ctx,
        blocker,
        CardForm::default(),
        FieldErrors::default(),
        false,
    )))
}

pub async fn pane(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, invoice)): Path<(String, String)>,
) -> Result<Response, AppError> {
    pane_get(&state, &signed_in, &account, &invoice).await
}

#[derive(Deserialize, Default)]
pub struct PayForm {
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
}

fn problem_text(tr: &Tr, field: CardField, problem: CardProblem) -> String {
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

/// The card the person chose: a saved one, or a new one still to be tokenized.
enum Chosen {
    Saved(PaymentMethod),
    New(CardInput),
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, invoice)): Path<(String, String)>,
    Form(form): Form<PayForm>,
) -> Result<Response, AppError> {
    let ctx = pay_context(&state, &signed_in, &account, &invoice).await?;
    let tr = ctx.chrome.tr.clone();
    let today = today();
    let kept = CardForm {
        holder: form.holder.chars().take(100).collect(),
        expiry: form.expiry.chars().take(10).collect(),
    };
    if let Some(blocker) = blocker(&state, &ctx).await? {
        return Ok(render_with(
            StatusCode::CONFLICT,
            &build_pane(
                &state,
                ctx,
                Some(blocker),
                kept,
                FieldErrors::default(),
                false,
            ),
        ));
    }
    let chosen = if form.method == "new" {
        match CardInput::parse(&form.holder, &form.number, &form.expiry, &form.cvc, today) {
            Ok(card) => Chosen::New(card),
            Err(problems) => {
                let mut errors = FieldErrors::default();
                for (field, problem) in problems {
                    let text = Some(problem_text(&tr, field, problem));
                    match field {
                        CardField::Holder => errors.holder = text,
                        CardField::Number => errors.number = text,
                        CardField::Expiry => errors.expiry = text,
                        CardField::Cvc => errors.cvc = text,
                    }
                }
                return Ok(render_with(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &build_pane(&state, ctx, None, kept, errors, true),
                ));
            }
        }
    } else {
        let saved = PaymentMethodId::parse(&form.method)
            .ok()
            .and_then(|id| ctx.methods.iter().find(|m| m.id == id).cloned());
        match saved {
            Some(method) if !method.is_expired_on(today) => Chosen::Saved(method),
            Some(_) => {
                let errors = FieldErrors {
                    method: Some(tr.t("pay-card-expired")),
                    ..FieldErrors::default()
                };
                return Ok(render_with(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &build_pane(&state, ctx, None, kept, errors, false),
                ));
            }
            None => {
                let errors = FieldErrors {
                    method: Some(tr.t("pay-choose-method")),
                    ..FieldErrors::default()
                };
                return Ok(render_with(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &build_pane(&state, ctx, None, kept, errors, false),
                ));
            }
        }
    };

    let account_id = ctx.scope.account.id.clone();
    let request = BeginPayment {
        account: account_id.clone(),
        invoice: ctx.invoice.id.clone(),
        payment_method: match &chosen {
            Chosen::Saved(method) => Some(method.id.clone()),
            Chosen::New(_) => None,
        },
        created_by: signed_in.user.id.clone(),
        today,
        ip: signed_in.ctx.ip.clone(),
    };
    let begun = match state.store.begin_payment(&request).await? {
        // A payment in doubt: ask the gateway about it first (see `janitor`); only a definite
        // failure lets this attempt start.
        Err(PayRefusal::InProgress(open)) => {
            let now = crate::janitor::resolve_open_payment(&state, &open).await?;
            match now.state {
                PaymentState::Failed => state.store.begin_payment(&request).await?,
                PaymentState::Succeeded => Err(PayRefusal::AlreadyPaid(now)),
                _ => Err(PayRefusal::InProgress(now)),
            }
        }
        other => other,
    };
    let payment = match begun {
        Ok(payment) => payment,
        Err(refusal) => {
            let blocker = match refusal {
                PayRefusal::AlreadyPaid(_) => Blocker::AlreadyPaid,
                PayRefusal::InProgress(_) => Blocker::InProgress,
                PayRefusal::NotPayable(status) => Blocker::NotPayable(status),
                PayRefusal::InvoiceNotFound => return Err(AppError::NotFound),
            };
            return Ok(render_with(
                StatusCode::CONFLICT,
                &build_pane(
                    &state,
                    ctx,
                    Some(blocker),
                    kept,
                    FieldErrors::default(),
                    false,
                ),
            ));
        }
    };
    let outcome_url = format!("/billing/{}/payments/{}", account_id, payment.id);
    let actor = Some(&signed_in.user.id);
    let ip = signed_in.ctx.ip.as_deref();

    let (token, new_card) = match chosen {
        Chosen::Saved(method) => (method.gateway_token.clone(), None),
        Chosen::New(card) => match state.gateway.tokenize(&card).await {
            Ok(token) if token.funding == Funding::Prepaid => {
                let refused = PaymentOutcome::Failed {
                    reason: FailureReason::PrepaidCardRefused,
                    reference: None,
                };
                state
                    .store
                    .settle_payment(&account_id, &payment.id, &refused, actor, ip)
                    .await?;
                let errors = FieldErrors {
                    number: Some(tr.t("card-error-prepaid")),
                    ..FieldErrors::default()
                };
                return Ok(render_with(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &build_pane(&state, ctx, None, kept, errors, true),
                ));
            }
            Ok(token) => (token.token.clone(), Some(token)),
            Err(GatewayError::CardRefused(reason)) => {
                let refused = PaymentOutcome::Failed {
                    reason,
                    reference: None,
                };
                state
                    .store
                    .settle_payment(&account_id, &payment.id, &refused, actor, ip)
                    .await?;
                return Ok(Redirect::to(&outcome_url).into_response());
            }
            Err(error) => {
                // Nothing was charged: tokenization comes before any charge.
                tracing::warn!(%error, payment = %payment.id, "tokenization failed");
                let failed = PaymentOutcome::Failed {
                    reason: FailureReason::ProcessingError,
                    reference: None,
                };
                state
                    .store
                    .settle_payment(&account_id, &payment.id, &failed, actor, ip)
                    .await?;
                return Ok(Redirect::to(&outcome_url).into_response());
            }
        },
    };

    let charge = state
        .gateway
        .charge(&ChargeRequest {
            idempotency_key: payment.id.to_string(),
            token,
            amount: payment.amount,
            return_url: format!("{outcome_url}/return"),
        })
        .await;
    let outcome = outcome_of(charge);
    let settled = state
        .store
        .settle_payment(&account_id, &payment.id, &outcome, actor, ip)
        .await?;

    // Saving the new card comes after the payment is recorded: a failure here loses nothing.
    if let Some(token) = new_card {
        if settled.payment.state != PaymentState::Failed {
            if let Err(error) =
                save_card(&state, &ctx.invoice, token, &signed_in, &payment.id).await
            {
                tracing::error!(%error, payment = %payment.id, "the payment is recorded, but saving its card failed");
            }
        }
    }
    match &settled.payment.next_action_url {
        Some(url) if settled.payment.state == PaymentState::RequiresAction => {
            Ok(Redirect::to(url).into_response())
        }
        _ => Ok(Redirect::to(&outcome_url).into_response()),
    }
}

async fn save_card(
    state: &AppState,
    invoice: &Invoice,
    token: faktura_gateway::CardToken,
    signed_in: &SignedIn,
    payment: &PaymentId,
) -> Result<(), AppError> {
    let method = PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: invoice.billing_account_id.clone(),
        billing_profile_id: invoice.billing_profile_id.clone(),
        gateway_token: token.token,
        brand: token.brand,
        last4: token.last4,
        exp_month: token.exp_month,
        exp_year: token.exp_year,
        holder: token.holder,
        status: PaymentMethodStatus::Active,
        created_at: chrono::Utc::now(),
    };
    state.store.add_payment_method(&method).await?;
    state
        .store
        .attach_payment_method(&invoice.billing_account_id, payment, &method.id)
        .await?;
    state
        .store
        .record_audit(&NewAuditEvent {
            billing_account_id: Some(invoice.billing_account_id.clone()),
            actor: Some(signed_in.user.id.clone()),
            kind: "payment_method.added".into(),
            target: method.id.to_string(),
            detail: serde_json::json!({"brand": method.brand.code(), "last4": method.last4, "profile": method.billing_profile_id.as_str()}),
            ip: signed_in.ctx.ip.clone(),
        })
        .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "payment.html")]
struct PaymentTemplate {
    chrome: Chrome,
    nav: BillingNav,
    heading: String,
    message: String,
    state_code: &'static str,
    number: String,
    amount: String,
    invoice_id: String,
    invoice_status: String,
    invoice_status_code: &'static str,
    retry: bool,
    pending: bool,
}

pub async fn outcome(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, payment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = AccountScope::load(&state, &signed_in.user, &account).await?;
    let payment_id = PaymentId::parse(&payment).map_err(|_| AppError::NotFound)?;
    let payment = state
        .store
        .payment(&scope.account.id, &payment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let invoice = visible_invoice(&state, &scope, payment.invoice_id.as_str()).await?;
    let chrome = Chrome::new(
        &state,
        &signed_in.ctx,
        &format!("/billing/{}/payments/{}", scope.account.id, payment.id),
    );
    let tr = &chrome.tr;
    let amount = tr.money(payment.amount);
    let (heading, message) = match payment.state {
        PaymentState::Succeeded => (
            tr.t("outcome-succeeded-title"),
            tr.tn(
                "outcome-succeeded-text",
                &[
                    ("amount", amount.clone()),
                    ("number", invoice.number.clone()),
                ],
            ),
        ),
        PaymentState::Failed => (
            tr.t("outcome-failed-title"),
            payment_outcome_label(tr, &payment),
        ),
        PaymentState::RequiresAction => (tr.t("outcome-action-title"), tr.t("outcome-action-text")),
        PaymentState::Processing | PaymentState::Unknown => (
            tr.t("outcome-processing-title"),
            tr.t("outcome-processing-text"),
        ),
    };
    let status = invoice.status_on(today());
    let template = PaymentTemplate {
        nav: scope.nav(
            "invoices",
            None,
            format!("/billing/{}/invoices", scope.account.id),
        ),
        heading,
        message,
        state_code: payment.state.code(),
        number: invoice.number.clone(),
        amount,
        invoice_id: invoice.id.to_string(),
        invoice_status: status_label(tr, status),
        invoice_status_code: status.code(),
        retry: payment.state == PaymentState::Failed && scope.can_pay(&invoice, today()),
        pending: matches!(
            payment.state,
            PaymentState::Processing | PaymentState::Unknown
        ),
        chrome,
    };
    Ok(render(&template))
}

/// Where the gateway sends the person after 3-D Secure: ask the gateway, settle, show the outcome.
pub async fn returned(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, payment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = AccountScope::load(&state, &signed_in.user, &account).await?;
    let payment_id = PaymentId::parse(&payment).map_err(|_| AppError::NotFound)?;
    let payment = state
        .store
        .payment(&scope.account.id, &payment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    visible_invoice(&state, &scope, payment.invoice_id.as_str()).await?;
    if !payment.state.is_final() {
        let outcome = match state.gateway.lookup(payment.id.as_str()).await {
            Ok(Some(charge)) => outcome_of(Ok(charge)),
            // The gateway has no charge under this key: nothing moved, so the attempt failed.
            Ok(None) => PaymentOutcome::Failed {
                reason: FailureReason::ProcessingError,
                reference: None,
            },
            Err(error) => outcome_of(Err(error)),
        };
        // A challenge still open stays as it is; settling it again would change nothing.
        if !matches!(outcome, PaymentOutcome::RequiresAction { .. })
            || payment.state != PaymentState::RequiresAction
        {
            state
                .store
                .settle_payment(
                    &scope.account.id,
                    &payment.id,
                    &outcome,
                    Some(&signed_in.user.id),
                    signed_in.ctx.ip.as_deref(),
                )
                .await?;
        }
    }
    Ok(Redirect::to(&format!(
        "/billing/{}/payments/{}",
        scope.account.id, payment.id
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "challenge.html")]
struct ChallengeTemplate {
    chrome: Chrome,
    reference: String,
    amount: String,
    /// A card being added (a zero-amount setup), not a payment.
    is_setup: bool,
}

pub async fn challenge(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(reference): Path<String>,
) -> Result<Response, AppError> {
    let sandbox = state.sandbox.as_ref().ok_or(AppError::NotFound)?;
    let pending = sandbox.challenge(&reference).ok_or(AppError::NotFound)?;
    let chrome = Chrome::new(&state, &ctx, &format!("/sandbox/3ds/{reference}"));
    let amount = chrome.tr.money(pending.charge.amount);
    Ok(render(&ChallengeTemplate {
        chrome,
        reference,
        amount,
        is_setup: !pending.charge.amount.is_positive(),
    }))
}

#[derive(Deserialize)]
pub struct ChallengeForm {
    #[serde(default)]
    result: String,
}

pub async fn challenge_answer(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Form(form): Form<ChallengeForm>,
) -> Result<Response, AppError> {
    let sandbox = state.sandbox.as_ref().ok_or(AppError::NotFound)?;
    let passed = match form.result.as_str() {
        "complete" => true,
        "fail" => false,
        _ => return Err(AppError::BadRequest("result must be complete or fail")),
    };
    let resolved = sandbox
        .resolve_challenge(&reference, passed)
        .ok_or(AppError::NotFound)?;
    // The return URL is our own path, set when the charge was made.
    if !resolved.return_url.starts_with('/') || resolved.return_url.starts_with("//") {
        return Err(AppError::BadRequest("bad return address"));
    }
    Ok(Redirect::to(&resolved.return_url).into_response())
}
