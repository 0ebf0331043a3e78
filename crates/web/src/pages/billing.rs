//! Cost Management + Billing: the account and profile scope, the invoice list and invoice detail.

use crate::context::SignedIn;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Months;
use faktura_app::accounts;
use faktura_app::invoices::{self, InvoiceCursor, ListQuery, StatusFilter};
use faktura_app::refunds;
use faktura_domain::*;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "billing_accounts.html")]
struct AccountsTemplate {
    chrome: Chrome,
    accounts: Vec<(String, String, String)>,
}

/// The service's entry: straight to the account when there is one, else a choice.
pub async fn accounts(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    let accounts = accounts::list(&state.app, &signed_in.actor()).await?;
    if let [only] = accounts.as_slice() {
        return Ok(Redirect::to(&format!("/billing/{}", only.id)).into_response());
    }
    let chrome = Chrome::new(&state, &signed_in.ctx, "/billing");
    let accounts = accounts
        .iter()
        .map(|a| {
            (
                a.id.to_string(),
                a.display_name.clone(),
                chrome
                    .tr
                    .t(&format!("agreement-{}", a.agreement_type.code())),
            )
        })
        .collect();
    Ok(render(&AccountsTemplate { chrome, accounts }))
}

#[derive(Deserialize, Default)]
pub struct ScopeQuery {
    #[serde(default)]
    profile: Option<String>,
}

#[derive(Template)]
#[template(path = "billing_overview.html")]
struct OverviewTemplate {
    chrome: Chrome,
    nav: BillingNav,
    agreement: String,
    open_count: usize,
}

pub async fn overview(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Query(query): Query<ScopeQuery>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let selected = selected_profile(&scope, query.profile.as_deref())?;
    let open_count = invoices::open_count(&state.app, &scope, selected.as_ref()).await?;
    let chrome = Chrome::new(
        &state,
        &signed_in.ctx,
        &format!("/billing/{}", scope.account.id),
    );
    let agreement = chrome.tr.t(&format!(
        "agreement-{}",
        scope.account.agreement_type.code()
    ));
    let nav = scope.nav(
        "overview",
        selected.as_ref(),
        format!("/billing/{}", scope.account.id),
    );
    Ok(render(&OverviewTemplate {
        chrome,
        nav,
        agreement,
        open_count,
    }))
}

#[derive(Deserialize, Default)]
pub struct InvoiceQuery {
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

pub struct InvoiceRow {
    pub id: String,
    pub number: String,
    pub profile: String,
    pub period: String,
    pub invoice_date: String,
    pub due_date: String,
    pub total: String,
    pub amount_due: String,
    pub status: String,
    pub status_code: &'static str,
    pub can_pay: bool,
    /// The credit notes that credit it, listed right below it.
    pub credit_notes: Vec<CreditNoteRow>,
}

#[derive(Template)]
#[template(path = "invoices.html")]
struct InvoicesTemplate {
    chrome: Chrome,
    nav: BillingNav,
    rows: Vec<InvoiceRow>,
    status_options: Vec<(&'static str, String, bool)>,
    period_options: Vec<(&'static str, String, bool)>,
    next_page: Option<String>,
    first_page: Option<String>,
    banner: Option<SettleBanner>,
    /// The most invoices "Download selected" takes at once.
    max_selected: usize,
}

/// Invoices on one page of the portal's list.
const PAGE_SIZE: u32 = 25;

const STATUS_CHOICES: [(&str, &str); 6] = [
    ("all", "filter-status-all"),
    ("open", "filter-status-open"),
    ("due", "status-Due"),
    ("overdue", "status-OverDue"),
    ("paid", "status-Paid"),
    ("void", "status-Void"),
];

const PERIOD_CHOICES: [(&str, &str, u32); 4] = [
    ("all", "filter-period-all", 0),
    ("3m", "filter-period-3m", 3),
    ("6m", "filter-period-6m", 6),
    ("12m", "filter-period-12m", 12),
];

fn status_filter(code: &str) -> Option<StatusFilter> {
    Some(match code {
        "all" => StatusFilter::Any,
        "open" => StatusFilter::Open,
        "due" => StatusFilter::Only(InvoiceStatus::Due),
        "overdue" => StatusFilter::Only(InvoiceStatus::OverDue),
        "paid" => StatusFilter::Only(InvoiceStatus::Paid),
        "void" => StatusFilter::Only(InvoiceStatus::Void),
        _ => return None,
    })
}

/// `YYYY-MM-DD_inv_…`: the last row of the previous page.
pub async fn invoices(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(account): Path<String>,
    Query(query): Query<InvoiceQuery>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let selected = selected_profile(&scope, query.profile.as_deref())?;
    let status_code = query
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("all");
    let status = status_filter(status_code).ok_or(AppError::BadRequest("unknown status filter"))?;
    let period_code = query
        .period
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("all");
    let months = PERIOD_CHOICES
        .iter()
        .find(|(code, _, _)| *code == period_code)
        .map(|(_, _, months)| *months)
        .ok_or(AppError::BadRequest("unknown period filter"))?;
    let after = match query.after.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => {
            Some(InvoiceCursor::parse(raw).ok_or(AppError::BadRequest("bad page cursor"))?)
        }
        None => None,
    };
    let today = state.app.today();
    let query = ListQuery {
        profile: selected.clone(),
        status,
        invoice_date_from: (months > 0)
            .then(|| today.checked_sub_months(Months::new(months)))
            .flatten(),
        invoice_date_to: None,
        after,
        limit: PAGE_SIZE,
    };
    let page = invoices::list(&state.app, &scope, &query).await?;
    let notes = refunds::credit_notes_for_page(&state.app, &scope, &page).await?;
    let base = format!("/billing/{}/invoices", scope.account.id);
    let chrome = Chrome::new(&state, &signed_in.ctx, &base);
    let tr = &chrome.tr;
    let rows = page
        .items
        .iter()
        .map(|summary| {
            let invoice = &summary.invoice;
            let status = invoice.status_on(today);
            InvoiceRow {
                id: invoice.id.to_string(),
                number: invoice.number.clone(),
                profile: summary.profile_name.clone(),
                period: period_text(tr, invoice),
                invoice_date: tr.date(invoice.invoice_date),
                due_date: tr.date(invoice.due_date),
                total: tr.money(invoice.total),
                amount_due: invoice
                    .amount_due()
                    .map(|m| tr.money(m))
                    .unwrap_or_default(),
                status: status_label(tr, status),
                status_code: status.code(),
                can_pay: scope.can_pay(invoice, today),
                credit_notes: credit_note_rows(
                    tr,
                    notes.get(&invoice.id).map(Vec::as_slice).unwrap_or(&[]),
                ),
            }
        })
        .collect();
    let mut params: Vec<(String, String)> = Vec::new();
    if let Some(p) = &selected {
        params.push(("profile".into(), p.to_string()));
    }
    params.push(("status".into(), status_code.into()));
    params.push(("period".into(), period_code.into()));
    let link = |extra: Option<String>| {
        let mut all = params.clone();
        if let Some(cursor) = extra {
            all.push(("after".into(), cursor));
        }
        format!(
            "{base}?{}",
            serde_urlencoded::to_string(&all).unwrap_or_default()
        )
    };
    let next_page = page.next.as_ref().map(|cursor| link(Some(cursor.token())));
    let first_page = query.after.is_some().then(|| link(None));
    let status_options = STATUS_CHOICES
        .iter()
        .map(|(code, key)| (*code, tr.t(key), *code == status_code))
        .collect();
    let period_options = PERIOD_CHOICES
        .iter()
        .map(|(code, key, _)| (*code, tr.t(key), *code == period_code))
        .collect();
    let banner = settle_banner(&state, &scope, &chrome.tr).await?;
    let nav = scope.nav("invoices", selected.as_ref(), base.clone());
    Ok(render(&InvoicesTemplate {
        chrome,
        nav,
        rows,
        status_options,
        period_options,
        next_page,
        first_page,
        banner,
        max_selected: faktura_app::bundles::MAX_BUNDLE,
    }))
}

pub struct LineRow {
    pub service: String,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub amount: String,
}

pub struct PaymentRow {
    pub date: String,
    pub method: String,
    pub amount: String,
    pub outcome: String,
    /// The payment id when it succeeded: it has a receipt.
    pub receipt: Option<String>,
}

#[derive(Template)]
#[template(path = "invoice_detail.html")]
struct InvoiceDetailTemplate {
    chrome: Chrome,
    nav: BillingNav,
    id: String,
    number: String,
    status: String,
    status_code: &'static str,
    profile: String,
    period: String,
    invoice_date: String,
    due_date: String,
    can_pay: bool,
    lines: Vec<LineRow>,
    subtotal: String,
    tax: String,
    total: String,
    credits: String,
    paid: String,
    amount_due: String,
    payments: Vec<PaymentRow>,
    open_challenge: Option<OpenChallenge>,
    refunded: String,
    credit_notes: Vec<CreditNoteRow>,
    /// The purchase order number the invoice was issued with.
    purchase_order_number: Option<String>,
}

/// A credit note beside its invoice.
pub struct CreditNoteRow {
    pub id: String,
    pub number: String,
    pub date: String,
    pub amount: String,
    /// "Download credit note CN… (PDF)".
    pub label: String,
}

fn credit_note_rows(tr: &Tr, notes: &[CreditNote]) -> Vec<CreditNoteRow> {
    notes
        .iter()
        .map(|c| CreditNoteRow {
            id: c.id.to_string(),
            number: c.number.clone(),
            date: tr.date(c.issued_on),
            amount: tr.money(c.amount),
            label: tr.t1("download-credit-note-label", "number", &c.number),
        })
        .collect()
}

pub async fn invoice_detail(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((account, invoice)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let scope = signed_in.scope(&state, &account).await?;
    let invoices::InvoiceDetail {
        invoice,
        profile_name: profile,
        payments,
        credit_notes,
    } = invoices::detail(&state.app, &scope, &invoice).await?;
    let methods = scope
        .payment_methods(&state.app, &invoice.billing_profile_id)
        .await?;
    let chrome = Chrome::new(
        &state,
        &signed_in.ctx,
        &format!("/billing/{}/invoices/{}", scope.account.id, invoice.id),
    );
    let tr = &chrome.tr;
    let today = state.app.today();
    let status = invoice.status_on(today);
    let open_challenge = first_open_challenge(&state.app, &scope, &invoice, &payments);
    let payments = payments
        .iter()
        .map(|p| PaymentRow {
            date: tr.date(p.created_at.date_naive()),
            method: match &p.payment_method_id {
                Some(id) => methods
                    .iter()
                    .find(|m| &m.id == id)
                    .map(|m| tr.t1("card-ending", "last4", &m.last4))
                    .unwrap_or_else(|| tr.t("payment-method-card")),
                None => tr.t("payment-method-wire"),
            },
            amount: tr.money(p.amount),
            outcome: payment_outcome_label(tr, p),
            receipt: (p.state == PaymentState::Succeeded).then(|| p.id.to_string()),
        })
        .collect();
    let lines = invoice
        .lines
        .iter()
        .map(|l| LineRow {
            service: l.service.clone(),
            description: l.description.clone(),
            quantity: quantity_text(tr, l.quantity_milli),
            unit_price: tr.money(l.unit_price),
            amount: tr.money(l.amount),
        })
        .collect();
    let nav = scope
        .nav(
            "invoices",
            None,
            format!("/billing/{}/invoices", scope.account.id),
        )
        .crumb_text(&invoice.number, "");
    let template = InvoiceDetailTemplate {
        nav,
        id: invoice.id.to_string(),
        number: invoice.number.clone(),
        status: status_label(tr, status),
        status_code: status.code(),
        profile,
        period: period_text(tr, &invoice),
        invoice_date: tr.date(invoice.invoice_date),
        due_date: tr.date(invoice.due_date),
        can_pay: scope.can_pay(&invoice, today),
        lines,
        subtotal: tr.money(invoice.subtotal),
        tax: tr.money(invoice.tax),
        total: tr.money(invoice.total),
        credits: tr.money(invoice.credits),
        paid: tr.money(invoice.amount_paid),
        amount_due: invoice
            .amount_due()
            .map(|m| tr.money(m))
            .unwrap_or_default(),
        payments,
        open_challenge,
        refunded: tr.money(refunds::refunded(&invoice, &credit_notes)),
        credit_notes: credit_note_rows(tr, &credit_notes),
        purchase_order_number: invoice.purchase_order_number.clone(),
        chrome,
    };
    Ok(render(&template))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn cursor_round_trip_and_garbage() {
        let cursor = InvoiceCursor {
            invoice_date: NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
            number: "G000123456".into(),
        };
        assert_eq!(cursor.token(), "2026-03-05_G000123456");
        assert_eq!(InvoiceCursor::parse(&cursor.token()), Some(cursor));
        assert_eq!(InvoiceCursor::parse("nonsense"), None);
        assert_eq!(InvoiceCursor::parse("2026-13-01_G1"), None);
        assert_eq!(InvoiceCursor::parse("2026-03-05_G 1"), None);
        assert_eq!(InvoiceCursor::parse("2026-03-05_"), None);
    }
}
