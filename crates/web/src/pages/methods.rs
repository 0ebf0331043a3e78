//! Payment methods per billing profile (list, add with 3-D Secure when the card asks, set as
//! default, replace, detach): the portal's adapter for `faktura_app::cards`. The Settle balance
//! banner shows here too.
//!
//! Managing cards needs `ManagePaymentMethods` on the profile; every role may look. The use
//! cases check on every POST, whatever the page showed; the page checks first only to show
//! the refusal that names the user's roles.

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
use faktura_app::cards::{
    self, methods_path, CardAdded, CardError, DetachRefusal, SetupOutcome, SetupReturned,
};
use faktura_app::hosted_cards::{self, SetupFinished};
use faktura_app::AccountScope;
use faktura_domain::card::CardInput;
use faktura_domain::*;
use serde::Deserialize;

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

pub type CardErrors = CardFieldErrors;

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
    /// With Stripe: its card field instead of the card form.
    elements: Option<CardElements>,
    /// After a failed add: what went wrong, each linking to its field.
    summary: Vec<SummaryItem>,
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
#[derive(Default)]
struct PageState {
    notice: Option<String>,
    problem: Option<String>,
    replacing: Option<PaymentMethodId>,
    holder: String,
    expiry: String,
    errors: CardErrors,
    show_form: bool,
}

async fn methods_page(
    state: &AppState,
    signed_in: &SignedIn,
    scope: &AccountScope,
    profile: &BillingProfile,
    page: PageState,
) -> Result<MethodsTemplate, AppError> {
    let listed = cards::profile_cards(&state.app, scope, &profile.id).await?;
    let chrome = Chrome::new(
        state,
        &signed_in.ctx,
        &methods_path(&scope.account.id, &profile.id),
    );
    let tr = chrome.tr.clone();
    let read_only_reason = if listed.can_manage {
        String::new()
    } else {
        tr.t1(
            "methods-read-only",
            "roles",
            crate::view::roles_text(&tr, &scope.access),
        )
    };
    // Only those who may manage the cards are offered the Replace form.
    let replacing = page
        .replacing
        .as_ref()
        .filter(|_| listed.can_manage)
        .and_then(|id| listed.cards.iter().find(|c| &c.method.id == id))
        .map(|c| (c.method.id.to_string(), card_text(&tr, &c.method)));
    let cards = listed
        .cards
        .iter()
        .map(|c| CardRow {
            id: c.method.id.to_string(),
            brand: brand_label(&tr, c.method.brand),
            last4: c.method.last4.clone(),
            expiry: expiry_text(&c.method),
            holder: c.method.holder.clone(),
            is_default: c.is_default,
            expired: c.expired,
            expiring_soon: c.expiring_soon,
        })
        .collect();
    let banner = settle_banner(state, scope, &tr).await?;
    let nav = scope.nav(
        "payment-methods",
        Some(&profile.id),
        format!("/billing/{}/payment-methods", scope.account.id),
    );
    let summary = error_summary(&[
        ("holder", &page.errors.holder),
        ("number", &page.errors.number),
        ("expiry", &page.errors.expiry),
        ("cvc", &page.errors.cvc),
    ]);
    Ok(MethodsTemplate {
        summary,
        nav,
        profile_id: profile.id.to_string(),
        profile_name: profile.display_name.clone(),
        cards,
        can_manage: listed.can_manage,
        read_only_reason,
        no_default: listed.no_default,
        notice: page.notice,
        problem: page.problem,
        banner,
        show_form: page.show_form || replacing.is_some(),
        replacing,
        holder: page.holder,
        expiry: page.expiry,
        errors: page.errors,
        elements: CardElements::of(state, scope.account.id.as_str()),
        chrome,
    })
}

fn done_notice(tr: &Tr, done: &str) -> Option<String> {
    let key = match done {
        "added" => "methods-done-added",
        "default" => "methods-done-default",
        "replaced" => "methods-done-replaced",
        "detached" => "methods-done-detached",
        "setup-failed" => "methods-done-setup-failed",
        "setup-waiting" => "methods-done-setup-waiting",
        _ => return None,
    };
    Some(tr.t(key))
}

/// Back to the profile's list, with a notice.
fn done(account: &BillingAccountId, profile: &BillingProfileId, what: &str) -> Response {
    Redirect::to(&format!("{}&done={what}", methods_path(account, profile))).into_response()
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Query(query): Query<MethodsQuery>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let profile = profile_or_first(&scope, query.profile.as_deref())?;
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let page = PageState {
        replacing: query
            .replace
            .as_deref()
            .and_then(|raw| PaymentMethodId::parse(raw).ok()),
        // A card that was not added is a problem to read (red), not a notice (green).
        notice: query
            .done
            .as_deref()
            .filter(|d| *d != "setup-failed")
            .and_then(|d| done_notice(&tr, d)),
        problem: query
            .done
            .as_deref()
            .filter(|d| *d == "setup-failed")
            .and_then(|d| done_notice(&tr, d)),
        ..PageState::default()
    };
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

/// The 403 page naming the user's roles, for a profile whose cards they may not manage.
fn manage_refusal(
    state: &AppState,
    signed_in: &SignedIn,
    scope: &AccountScope,
    profile: &BillingProfileId,
) -> Option<Response> {
    let chrome = Chrome::new(
        state,
        &signed_in.ctx,
        &methods_path(&scope.account.id, profile),
    );
    refusal(
        &chrome,
        scope,
        Permission::ManagePaymentMethods,
        Some(profile),
        "action-manage-payment-methods",
    )
}

/// Loads the scope and the form's profile; the refusal page when the user may not manage its
/// cards (the use case refuses too).
async fn manage_context(
    state: &AppState,
    signed_in: &SignedIn,
    account: &str,
    profile: &str,
) -> Result<Result<(AccountScope, BillingProfile), Response>, AppError> {
    let scope = signed_in.scope(state, account).await?;
    let profile = visible_profile(&scope, profile)?;
    if let Some(page) = manage_refusal(state, signed_in, &scope, &profile.id) {
        return Ok(Err(page));
    }
    Ok(Ok((scope, profile)))
}

/// A card use case's refusal as the list page shows it (with `page` as the form was).
async fn refused_page(
    state: &AppState,
    signed_in: &SignedIn,
    scope: &AccountScope,
    profile: &BillingProfile,
    mut page: PageState,
    error: CardError,
) -> Result<Response, AppError> {
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let card_refused = |reason: FailureReason| {
        tr.t1(
            "methods-card-refused",
            "reason",
            tr.t(&format!("failure-{}", reason.code())),
        )
    };
    let status = match error {
        CardError::NotAllowed(denied) => {
            return manage_refusal(state, signed_in, scope, &denied)
                .ok_or(AppError::Forbidden("no role on this billing profile"));
        }
        CardError::App(error) => return Err(error.into()),
        CardError::Prepaid => {
            page.errors.number = Some(tr.t("card-error-prepaid"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        CardError::Refused(reason) => {
            page.problem = Some(card_refused(reason));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        CardError::GatewayUnavailable => {
            page.problem = Some(tr.t("methods-gateway-unavailable"));
            StatusCode::SERVICE_UNAVAILABLE
        }
        CardError::ReplacedGone => {
            page.problem = Some(tr.t("methods-replace-gone"));
            page.replacing = None;
            StatusCode::CONFLICT
        }
        CardError::Detach(refusal) => {
            page.problem = Some(match refusal {
                DetachRefusal::DefaultWithUnpaidInvoices(count) => tr.tn(
                    "detach-refused-default",
                    &[("count", count.to_string()), ("n", plural(count).into())],
                ),
                DetachRefusal::LastCardOfPayAsYouGo => tr.t("detach-refused-last-card"),
                DetachRefusal::InUse => tr.t("detach-refused-in-use"),
                DetachRefusal::NotFound => return Err(AppError::NotFound),
            });
            StatusCode::CONFLICT
        }
    };
    Ok(render_with(
        status,
        &methods_page(state, signed_in, scope, profile, page).await?,
    ))
}

/// The card a Replace form names (empty: a plain Add).
fn replaced_card(raw: &str) -> Result<Option<PaymentMethodId>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        raw => PaymentMethodId::parse(raw)
            .map(Some)
            .map_err(|_| AppError::NotFound),
    }
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
    let replaces = replaced_card(&form.replaces)?;
    let mut page = PageState {
        replacing: replaces.clone(),
        holder: field(&form.holder, 100),
        expiry: field(&form.expiry, 10),
        show_form: true,
        ..PageState::default()
    };
    let card = match CardInput::parse(&form.holder, &form.number, &form.expiry, &form.cvc, today())
    {
        Ok(card) => card,
        Err(problems) => {
            let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
            page.errors = CardFieldErrors::from_problems(&tr, problems);
            return Ok(render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &methods_page(&state, &signed_in, &scope, &profile, page).await?,
            ));
        }
    };
    let actor = signed_in.actor();
    let added = cards::add_card(
        &state.app,
        &actor,
        &scope,
        &profile.id,
        &card,
        replaces.as_ref(),
    )
    .await;
    match added {
        Ok(CardAdded::Saved(_)) => {
            let what = if replaces.is_some() {
                "replaced"
            } else {
                "added"
            };
            Ok(done(&scope.account.id, &profile.id, what))
        }
        Ok(CardAdded::ChallengeRequired { url }) => Ok(Redirect::to(&url).into_response()),
        Err(error) => refused_page(&state, &signed_in, &scope, &profile, page, error).await,
    }
}

#[derive(Deserialize, Default)]
pub struct BeginForm {
    #[serde(default)]
    profile: String,
}

/// With Stripe: begins a card setup for the page's script (JSON: the setup's id and client
/// secret for `confirmCardSetup`). Only those who may manage the profile's cards.
pub async fn begin_setup(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Form(form): Form<BeginForm>,
) -> Result<Response, AppError> {
    let (scope, profile) = match manage_context(&state, &signed_in, &account, &form.profile).await?
    {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let actor = signed_in.actor();
    let (status, body) =
        match hosted_cards::begin_card_setup(&state.app, &actor, &scope, &profile.id).await {
            Ok(setup) => (
                StatusCode::CREATED,
                serde_json::json!({"setup": setup.setup, "clientSecret": setup.client_secret}),
            ),
            Err(CardError::NotAllowed(denied)) => {
                return manage_refusal(&state, &signed_in, &scope, &denied)
                    .ok_or(AppError::Forbidden("no role on this billing profile"));
            }
            Err(CardError::App(error)) => return Err(error.into()),
            Err(CardError::GatewayUnavailable) => (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({"error": tr.t("methods-gateway-unavailable")}),
            ),
            Err(other) => {
                tracing::warn!(error = %other, "a card setup could not begin");
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    serde_json::json!({"error": tr.t("elements-unavailable")}),
                )
            }
        };
    Ok((status, axum::Json(body)).into_response())
}

#[derive(Deserialize, Default)]
pub struct FinishForm {
    #[serde(default)]
    profile: String,
    /// The setup the browser confirmed with Stripe.js (`seti_…`).
    #[serde(default)]
    setup: String,
    #[serde(default)]
    replaces: String,
}

/// With Stripe: the browser confirmed the setup; the use case asks Stripe and saves the card.
pub async fn finish_setup(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Form(form): Form<FinishForm>,
) -> Result<Response, AppError> {
    let (scope, profile) = match manage_context(&state, &signed_in, &account, &form.profile).await?
    {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let replaces = replaced_card(&form.replaces)?;
    let setup = field(&form.setup, 255);
    if setup.is_empty() {
        return Err(AppError::BadRequest("no card setup"));
    }
    let actor = signed_in.actor();
    let finished = hosted_cards::finish_card_setup(
        &state.app,
        &actor,
        &scope,
        &profile.id,
        &setup,
        replaces.as_ref(),
    )
    .await;
    match finished {
        Ok(SetupFinished::Saved(_)) => {
            let what = if replaces.is_some() {
                "replaced"
            } else {
                "added"
            };
            Ok(done(&scope.account.id, &profile.id, what))
        }
        Ok(SetupFinished::Waiting) => Ok(done(&scope.account.id, &profile.id, "setup-waiting")),
        Err(error) => {
            let page = PageState {
                replacing: replaces,
                show_form: true,
                ..PageState::default()
            };
            refused_page(&state, &signed_in, &scope, &profile, page, error).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ReturnQuery {
    #[serde(default)]
    replace: Option<String>,
    /// `settle`: the card was added in the Settle balance pane, which is where to go back.
    #[serde(default)]
    then: Option<String>,
}

/// Back from the 3-D Secure challenge of a card being added: the use case asks the gateway
/// and activates (or fails) the card; the list says how it went.
pub async fn setup_returned(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, method)): Path<(String, String)>,
    Query(query): Query<ReturnQuery>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let actor = signed_in.actor();
    let returned = cards::setup_returned(
        &state.app,
        &actor,
        &scope,
        &method,
        query.replace.as_deref(),
    )
    .await;
    let SetupReturned { profile, outcome } = match returned {
        Ok(returned) => returned,
        Err(CardError::NotAllowed(profile)) => {
            return manage_refusal(&state, &signed_in, &scope, &profile)
                .ok_or(AppError::Forbidden("no role on this billing profile"));
        }
        Err(CardError::App(error)) => return Err(error.into()),
        Err(other) => return Err(AppError::Internal(other.to_string())),
    };
    if query.then.as_deref() == Some("settle") {
        let pane = format!("/billing/{}/settle", scope.account.id);
        return Ok(match outcome {
            SetupOutcome::Failed => Redirect::to(&format!("{pane}?done=setup-failed")),
            SetupOutcome::Added | SetupOutcome::Replaced => match PaymentMethodId::parse(&method) {
                Ok(card) => Redirect::to(&format!("{pane}?card={card}")),
                Err(_) => Redirect::to(&pane),
            },
            SetupOutcome::Unchanged => Redirect::to(&pane),
        }
        .into_response());
    }
    let back = methods_path(&scope.account.id, &profile);
    Ok(match outcome {
        // Decided already (a reload, a second tab) or still waiting: the list as it is.
        SetupOutcome::Unchanged => Redirect::to(&back).into_response(),
        SetupOutcome::Failed => done(&scope.account.id, &profile, "setup-failed"),
        SetupOutcome::Added => done(&scope.account.id, &profile, "added"),
        SetupOutcome::Replaced => done(&scope.account.id, &profile, "replaced"),
    })
}

#[derive(Deserialize, Default)]
pub struct MethodForm {
    #[serde(default)]
    profile: String,
    /// `yes` once the person confirmed on the confirmation page (detach only).
    #[serde(default)]
    confirm: String,
}

/// "Detach Visa •••• 4242?": the page between the Detach button and the detach.
#[derive(Template)]
#[template(path = "confirm_detach.html")]
struct ConfirmDetachTemplate {
    chrome: Chrome,
    nav: BillingNav,
    heading: String,
    text: String,
    action: String,
    fields: Vec<(&'static str, String)>,
    confirm_label: String,
    cancel: String,
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
    let actor = signed_in.actor();
    match cards::set_default(&state.app, &actor, &scope, &profile.id, &method).await {
        Ok(()) => Ok(done(&scope.account.id, &profile.id, "default")),
        Err(error) => {
            let page = PageState::default();
            refused_page(&state, &signed_in, &scope, &profile, page, error).await
        }
    }
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
    if form.confirm != "yes" {
        return confirm_detach(&state, &signed_in, &scope, &profile, &method).await;
    }
    let actor = signed_in.actor();
    match cards::detach(&state.app, &actor, &scope, &profile.id, &method).await {
        Ok(_) => Ok(done(&scope.account.id, &profile.id, "detached")),
        Err(error) => {
            let page = PageState::default();
            refused_page(&state, &signed_in, &scope, &profile, page, error).await
        }
    }
}

/// Asks before a card goes: a page of its own, so it works without script and a keyboard or
/// screen-reader user hears what will happen before anything does.
async fn confirm_detach(
    state: &AppState,
    signed_in: &SignedIn,
    scope: &AccountScope,
    profile: &BillingProfile,
    method: &PaymentMethodId,
) -> Result<Response, AppError> {
    let listed = cards::profile_cards(&state.app, scope, &profile.id).await?;
    let card = listed
        .cards
        .iter()
        .find(|c| &c.method.id == method)
        .ok_or(AppError::NotFound)?;
    let chrome = Chrome::new(
        state,
        &signed_in.ctx,
        &methods_path(&scope.account.id, &profile.id),
    );
    let tr = chrome.tr.clone();
    let card_label = card_text(&tr, &card.method);
    let page = ConfirmDetachTemplate {
        nav: scope
            .nav(
                "payment-methods",
                Some(&profile.id),
                format!("/billing/{}/payment-methods", scope.account.id),
            )
            .crumb("methods-detach", ""),
        heading: tr.t1("methods-detach-confirm-heading", "card", &card_label),
        text: tr.tn(
            "methods-detach-confirm-text",
            &[
                ("card", card_label.clone()),
                ("profile", profile.display_name.clone()),
            ],
        ),
        action: format!(
            "/billing/{}/payment-methods/{}/detach",
            scope.account.id, method
        ),
        fields: vec![("profile", profile.id.to_string())],
        confirm_label: tr.t("methods-detach"),
        cancel: methods_path(&scope.account.id, &profile.id),
        chrome,
    };
    Ok(render(&page))
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
