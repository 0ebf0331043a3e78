//! The Pay now pane, the payment outcome and the 3-D Secure return (the sandbox's own challenge
//! page is `challenge.rs`): the portal's adapter for `faktura_app::paying` (which the API's pay
//! operation calls too).

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
use faktura_app::cards::CardError;
use faktura_app::hosted_cards::{self, SetupFinished};
use faktura_app::partial_payments::{self, PartialOffer};
use faktura_app::paying::{self, CancelError, PayBlock, PayError, PayWith};
use faktura_app::AccountScope;
use faktura_domain::card::{CardField, CardInput};
use faktura_domain::*;
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
    pub amount: Option<String>,
}

/// What the person typed, kept when the pane is shown again with an error (never the card
/// number or CVC).
#[derive(Default)]
pub struct CardForm {
    pub holder: String,
    pub expiry: String,
    /// "Pay another amount" was chosen, with this amount as typed.
    pub other_amount: bool,
    pub amount: String,
    /// "Save this card for later" was ticked (unticked until the payer ticks it).
    pub save: bool,
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
    open_challenge: Option<OpenChallenge>,
    wire: Option<Wire>,
    payable_by_card: bool,
    cards: Vec<CardChoice>,
    new_card_checked: bool,
    form: CardForm,
    errors: FieldErrors,
    /// With Stripe: its card field instead of the card form.
    elements: Option<CardElements>,
    /// A new card may be entered here (with Stripe: only by those who may manage the
    /// profile's cards, as the card is set up on the profile first).
    new_card_allowed: bool,
    /// The payer may keep the new card (they may manage the profile's cards): "Save this card
    /// for later" is offered. Others use the card for this payment only.
    save_offered: bool,
    profile_id: String,
    partial: Option<PartialChoice>,
    /// Part of the invoice is paid already: how much, and what is left.
    part_paid: Option<String>,
    /// After a failed submit: what went wrong, each linking to its field.
    summary: Vec<SummaryItem>,
}

/// Everything the pane needs, checked: the user may pay this invoice.
struct PayContext {
    scope: AccountScope,
    invoice: Invoice,
    methods: Vec<PaymentMethod>,
    /// Where the account may pay part of the invoice now.
    offer: Option<PartialOffer>,
    chrome: Chrome,
}

async fn pay_context(
    state: &AppState,
    signed_in: &SignedIn,
    account: &str,
    invoice: &str,
) -> Result<PayContext, AppError> {
    let scope = signed_in.scope(state, account).await?;
    let invoice = scope.invoice(&state.app, invoice).await?;
    let methods = paying::payment_choices(&state.app, &scope, &invoice).await?;
    let offer = partial_payments::offer(&state.app, &scope, &invoice).await?;
    let chrome = Chrome::new(
        state,
        &signed_in.ctx,
        &format!("/billing/{}/invoices/{}/pay", scope.account.id, invoice.id),
    );
    Ok(PayContext {
        scope,
        invoice,
        methods,
        offer,
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

async fn blocker(state: &AppState, ctx: &PayContext) -> Result<Option<PayBlock>, AppError> {
    Ok(paying::pay_block(&state.app, &ctx.scope, &ctx.invoice).await?)
}

fn wire_details(state: &AppState, ctx: &PayContext) -> Wire {
    let tr = &ctx.chrome.tr;
    let due = ctx.invoice.amount_due().unwrap_or(ctx.invoice.total);
    let explanation = match state.config().card_limit(due.currency()) {
        Some(limit) if due.minor() > limit.minor() => {
            tr.t1("wire-over-limit", "limit", tr.money(limit))
        }
        _ => tr.t("wire-agreement"),
    };
    let wire = &state.config().wire;
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
    blocker: Option<PayBlock>,
    form: CardForm,
    errors: FieldErrors,
    chose_new: bool,
) -> PayTemplate {
    let tr = ctx.chrome.tr.clone();
    let today = today();
    let notice = match &blocker {
        Some(PayBlock::NotPayable(status)) => {
            Some(tr.t1("pay-not-payable", "status", status_label(&tr, *status)))
        }
        Some(PayBlock::InProgress(open)) if open.state == PaymentState::RequiresAction => {
            Some(tr.t("pay-awaiting-authentication"))
        }
        Some(PayBlock::InProgress(_)) => Some(tr.t("pay-in-progress")),
        Some(PayBlock::AlreadyPaid(_)) => Some(tr.t("pay-already-paid")),
        Some(PayBlock::WireOnly) | None => None,
    };
    let open_challenge = match &blocker {
        Some(PayBlock::InProgress(open)) => {
            open_challenge(&state.app, &ctx.scope, &ctx.invoice, open)
        }
        _ => None,
    };
    let wire = matches!(blocker, Some(PayBlock::WireOnly)).then(|| wire_details(state, &ctx));
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
    let nav = ctx
        .scope
        .nav(
            "invoices",
            None,
            format!("/billing/{}/invoices", ctx.scope.account.id),
        )
        .crumb_text(
            &ctx.invoice.number,
            format!(
                "/billing/{}/invoices/{}",
                ctx.scope.account.id, ctx.invoice.id
            ),
        )
        .crumb("pay-title", "");
    let elements = CardElements::of(state, ctx.scope.account.id.as_str());
    // Everyone who may pay may pay with a new card; with Stripe too (Stripe.js makes the card
    // for this payment only, unless it is saved).
    let new_card_allowed = true;
    let usable_saved = first_usable.is_some();
    let partial = ctx
        .offer
        .as_ref()
        .map(|offer| partial_choice(&tr, offer, &form.amount, form.other_amount));
    let part_paid = match (ctx.invoice.amount_paid, ctx.invoice.amount_due()) {
        (paid, Ok(due)) if paid.is_positive() && due.is_positive() => Some(tr.tn(
            "pay-part-paid",
            &[("paid", tr.money(paid)), ("due", tr.money(due))],
        )),
        _ => None,
    };
    // The method's error points at the choice the person made (or the first one).
    let method_field = match &first_usable {
        _ if new_card_allowed && (chose_new || !usable_saved) => "method-new".to_owned(),
        Some(id) => format!("method-{id}"),
        None => "pay-submit".to_owned(),
    };
    let summary = error_summary(&[
        ("holder", &errors.holder),
        ("number", &errors.number),
        ("expiry", &errors.expiry),
        ("cvc", &errors.cvc),
        (method_field.as_str(), &errors.method),
        ("amount", &errors.amount),
    ]);
    let save_offered = may_save(&ctx);
    PayTemplate {
        partial,
        part_paid,
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
        open_challenge,
        wire,
        payable_by_card: blocker.is_none(),
        cards,
        new_card_checked: new_card_allowed && (chose_new || !usable_saved),
        form,
        errors,
        elements,
        new_card_allowed,
        save_offered,
        summary,
        profile_id: ctx.invoice.billing_profile_id.to_string(),
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
    /// `yes`: "Save this card for later" was ticked.
    #[serde(default)]
    save: String,
    /// With Stripe: the setup of the new card, confirmed in the browser (`seti_…`).
    #[serde(default)]
    setup: String,
    /// With Stripe: a new card for this payment only, made by Stripe.js (`pm_…`).
    #[serde(default)]
    payment_method: String,
    /// `other` to pay the typed `amount` instead of all that is due.
    #[serde(default)]
    amount_choice: String,
    #[serde(default)]
    amount: String,
}

/// The payer may keep a new card ("Save this card for later"): they may manage the profile's
/// cards. Others use it for this payment only.
fn may_save(ctx: &PayContext) -> bool {
    ctx.scope.allows(
        Permission::ManagePaymentMethods,
        Some(&ctx.invoice.billing_profile_id),
    )
}

/// With Stripe, a card not to be saved: Stripe.js made it (`createPaymentMethod`) and the
/// browser sends only its `pm_…` id; it is charged on no customer, so it is not kept anywhere.
fn browser_card(tr: &crate::i18n::Tr, id: &str) -> Result<PayWith, String> {
    let id = field(id, 255);
    if id.is_empty() {
        return Err(tr.t("elements-not-confirmed"));
    }
    Ok(PayWith::BrowserCard(id))
}

/// With Stripe, a new card to be saved is set up on the invoice's profile first (the browser confirmed
/// the setup with Stripe.js); then it pays as a saved card. The error is the pane's message.
async fn set_up_new_card(
    state: &AppState,
    signed_in: &SignedIn,
    ctx: &PayContext,
    setup: &str,
) -> Result<Result<PaymentMethodId, String>, AppError> {
    let tr = &ctx.chrome.tr;
    let setup = field(setup, 255);
    if setup.is_empty() {
        return Ok(Err(tr.t("elements-not-confirmed")));
    }
    let finished = hosted_cards::finish_card_setup(
        &state.app,
        &signed_in.actor(),
        &ctx.scope,
        &ctx.invoice.billing_profile_id,
        &setup,
        None,
    )
    .await;
    Ok(Err(match finished {
        Ok(SetupFinished::Saved(method)) => return Ok(Ok(method.id)),
        Ok(SetupFinished::Waiting) => tr.t("elements-not-confirmed"),
        Err(CardError::App(error)) => return Err(error.into()),
        Err(CardError::Prepaid) => tr.t("card-error-prepaid"),
        Err(CardError::Refused(reason)) => tr.t1(
            "methods-card-refused",
            "reason",
            tr.t(&format!("failure-{}", reason.code())),
        ),
        Err(CardError::GatewayUnavailable) => tr.t("methods-gateway-unavailable"),
        Err(_) => tr.t("pay-new-card-needs-manager"),
    }))
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, invoice)): Path<(String, String)>,
    Form(form): Form<PayForm>,
) -> Result<Response, AppError> {
    let ctx = pay_context(&state, &signed_in, &account, &invoice).await?;
    let tr = ctx.chrome.tr.clone();
    let kept = CardForm {
        holder: form.holder.chars().take(100).collect(),
        expiry: form.expiry.chars().take(10).collect(),
        other_amount: form.amount_choice == "other",
        amount: form.amount.chars().take(40).collect(),
        save: form.save == "yes",
    };
    // A paid, unpayable or wire-only invoice says so before any card is looked at; an attempt
    // in progress is for the use case to look up at the gateway.
    match blocker(&state, &ctx).await? {
        Some(PayBlock::InProgress(_)) | None => {}
        Some(block) => {
            return Ok(render_with(
                StatusCode::CONFLICT,
                &build_pane(
                    &state,
                    ctx,
                    Some(block),
                    kept,
                    FieldErrors::default(),
                    false,
                ),
            ));
        }
    }
    let chose_new = form.method == "new";
    let amount = match chosen_amount(
        &ctx.chrome.tr,
        ctx.offer.as_ref(),
        &form.amount_choice,
        &form.amount,
    ) {
        Ok(amount) => amount,
        Err(message) => {
            let errors = FieldErrors {
                amount: Some(message),
                ..FieldErrors::default()
            };
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &build_pane(&state, ctx, None, kept, errors, chose_new),
            ));
        }
    };
    let with = if chose_new && CardElements::of(&state, &account).is_some() {
        let chosen = if kept.save && may_save(&ctx) {
            set_up_new_card(&state, &signed_in, &ctx, &form.setup)
                .await?
                .map(PayWith::Saved)
        } else {
            browser_card(&tr, &form.payment_method)
        };
        match chosen {
            Ok(with) => with,
            Err(message) => {
                let errors = FieldErrors {
                    method: Some(message),
                    ..FieldErrors::default()
                };
                return Ok(render_with(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &build_pane(&state, ctx, None, kept, errors, true),
                ));
            }
        }
    } else if chose_new {
        match CardInput::parse(&form.holder, &form.number, &form.expiry, &form.cvc, today()) {
            Ok(card) => PayWith::NewCard {
                card,
                save: kept.save,
            },
            Err(problems) => {
                let mut errors = FieldErrors::default();
                for (field, problem) in problems {
                    let text = Some(card_problem_text(&tr, field, problem));
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
        match PaymentMethodId::parse(&form.method) {
            Ok(id) => PayWith::Saved(id),
            Err(_) => {
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
    let actor = signed_in.actor();
    let paid =
        paying::pay_invoice(&state.app, &actor, &ctx.scope, &ctx.invoice, with, amount).await;
    let payment = match paid {
        Ok(payment) => payment,
        Err(PayError::Blocked(block)) => {
            return Ok(render_with(
                StatusCode::CONFLICT,
                &build_pane(
                    &state,
                    ctx,
                    Some(block),
                    kept,
                    FieldErrors::default(),
                    false,
                ),
            ));
        }
        Err(refused) => {
            let errors = match refused {
                PayError::MethodNotFound | PayError::MethodUnusable => FieldErrors {
                    method: Some(tr.t("pay-choose-method")),
                    ..FieldErrors::default()
                },
                PayError::MethodExpired => FieldErrors {
                    method: Some(tr.t("pay-card-expired")),
                    ..FieldErrors::default()
                },
                PayError::PrepaidRefused => FieldErrors {
                    number: Some(tr.t("card-error-prepaid")),
                    ..FieldErrors::default()
                },
                PayError::PartialNotAllowed => FieldErrors {
                    amount: Some(tr.t("pay-partial-not-allowed")),
                    ..FieldErrors::default()
                },
                PayError::Amount(problem) => FieldErrors {
                    amount: Some(amount_problem(&tr, &problem, ctx.invoice.currency())),
                    ..FieldErrors::default()
                },
                PayError::App(error) => return Err(error.into()),
                // The portal pays without an idempotency key, so no key can be taken.
                PayError::Blocked(_) | PayError::KeyTaken => FieldErrors::default(),
            };
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &build_pane(&state, ctx, None, kept, errors, chose_new),
            ));
        }
    };
    let outcome_url = paying::outcome_path(&payment.billing_account_id, &payment.id);
    if payment.state == PaymentState::RequiresAction && CardElements::of(&state, &account).is_some()
    {
        // Stripe.js runs the bank's check on our page, then comes back to the return path.
        return Ok(Redirect::to(&format!("{outcome_url}/authenticate")).into_response());
    }
    match &payment.next_action_url {
        Some(url) if payment.state == PaymentState::RequiresAction => {
            Ok(Redirect::to(url).into_response())
        }
        _ => Ok(Redirect::to(&outcome_url).into_response()),
    }
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
    open_challenge: Option<OpenChallenge>,
    /// A cancel that the gateway did not confirm (nothing changed).
    cancel_failed: bool,
}

#[derive(Deserialize, Default)]
pub struct OutcomeQuery {
    #[serde(default)]
    cancel: String,
}

pub async fn outcome(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, payment)): Path<(String, String)>,
    Query(query): Query<OutcomeQuery>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let (payment, invoice) = paying::payment(&state.app, &scope, &payment).await?;
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
            match invoice.amount_due() {
                // A part payment: the invoice is not paid yet.
                Ok(due) if due.is_positive() => tr.tn(
                    "outcome-succeeded-part-text",
                    &[
                        ("amount", amount.clone()),
                        ("due", tr.money(due)),
                        ("number", invoice.number.clone()),
                    ],
                ),
                _ => tr.tn(
                    "outcome-succeeded-text",
                    &[
                        ("amount", amount.clone()),
                        ("number", invoice.number.clone()),
                    ],
                ),
            },
        ),
        PaymentState::Failed => (
            tr.t("outcome-failed-title"),
            failure_sentence(tr, payment.failure_reason),
        ),
        PaymentState::RequiresAction => (tr.t("outcome-action-title"), tr.t("outcome-action-text")),
        PaymentState::Processing | PaymentState::Unknown => (
            tr.t("outcome-processing-title"),
            tr.t("outcome-processing-text"),
        ),
    };
    let status = invoice.status_on(today());
    let template = PaymentTemplate {
        nav: scope
            .nav(
                "invoices",
                None,
                format!("/billing/{}/invoices", scope.account.id),
            )
            .crumb_text(
                &invoice.number,
                format!("/billing/{}/invoices/{}", scope.account.id, invoice.id),
            )
            .crumb("payment-crumb", ""),
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
        open_challenge: open_challenge(&state.app, &scope, &invoice, &payment),
        cancel_failed: query.cancel == "unavailable"
            && payment.state == PaymentState::RequiresAction,
        chrome,
    };
    Ok(render(&template))
}

/// Where the gateway sends the person after 3-D Secure: the use case asks the gateway and
/// settles by the janitor's rule; then the outcome page.
pub async fn returned(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, payment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let payment =
        paying::payment_returned(&state.app, &signed_in.actor(), &scope, &payment).await?;
    Ok(Redirect::to(&paying::outcome_path(scope.id(), &payment.id)).into_response())
}

/// "Cancel this attempt" on a payment waiting for 3-D Secure; then its outcome page.
pub async fn cancel(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, payment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let outcome = |id: &PaymentId, suffix: &str| {
        Ok(
            Redirect::to(&format!("{}{suffix}", paying::outcome_path(scope.id(), id)))
                .into_response(),
        )
    };
    match paying::cancel_attempt(&state.app, &signed_in.actor(), &scope, &payment).await {
        Ok(settled) => outcome(&settled.id, ""),
        // Not waiting for a challenge (any more): the outcome page says where it stands.
        Err(CancelError::NotAwaitingAuthentication(open)) => outcome(&open.id, ""),
        Err(CancelError::GatewayUnavailable) => {
            let id = PaymentId::parse(&payment).map_err(|_| AppError::NotFound)?;
            outcome(&id, "?cancel=unavailable")
        }
        Err(CancelError::App(error)) => Err(error.into()),
    }
}

/// With Stripe: the bank asks for 3-D Secure on a payment. Stripe.js runs the check on this
/// page (`handleNextAction`, or `confirmCardPayment` where the script has no such call) and
/// then goes to the return path, where the use case asks Stripe how it ended. With nothing for
/// the browser to do: the outcome page.
pub async fn authenticate(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, payment)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let (payment, action) = paying::browser_action(&state.app, &scope, &payment).await?;
    let Some(action) = action else {
        return Ok(Redirect::to(&paying::outcome_path(scope.id(), &payment.id)).into_response());
    };
    let (_, invoice) = paying::payment(&state.app, &scope, payment.id.as_str()).await?;
    let chrome = Chrome::new(
        &state,
        &signed_in.ctx,
        &format!(
            "/billing/{}/payments/{}/authenticate",
            scope.account.id, payment.id
        ),
    );
    let text = chrome.tr.tn(
        "authenticate-text",
        &[
            ("amount", chrome.tr.money(payment.amount)),
            ("number", invoice.number),
        ],
    );
    let nav = scope.nav(
        "invoices",
        None,
        format!("/billing/{}/invoices", scope.account.id),
    );
    Ok(authenticate_page(chrome, nav, text, action))
}
