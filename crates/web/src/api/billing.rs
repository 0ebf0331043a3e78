//! Customer resources: billing accounts, profiles, invoices and payment method links (role
//! assignments, permissions and check access are in `access.rs`). Resources of accounts the caller holds no role on
//! answer 404, exactly like resources that do not exist.

use super::credit_notes::{
    credit_note_resource, documents_of, with_credit_notes, DocumentResource,
};
use super::envelope::*;
use super::resources::*;
use super::ApiCaller;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use faktura_app::accounts;
use faktura_app::invoices::{self, InvoiceCursor, ListQuery};
use faktura_app::refunds;
use faktura_domain::*;

pub use super::resources::{account_path, profile_path, RA_TYPE};

/// An account the caller holds a role on, their access, and the profiles they may see.
pub use faktura_app::AccountScope as Scope;

/// A profile of the scope named by its raw id; unknown and hidden profiles are not found.
pub fn scope_profile<'a>(scope: &'a Scope, raw: &str) -> Result<&'a BillingProfile, ArmError> {
    Ok(accounts::profile(scope, raw)?)
}

pub async fn list_accounts(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(query): Query<ApiQuery>,
) -> Result<Json<List<AccountResource>>, ArmError> {
    query.check_version()?;
    let accounts = accounts::list(&state.app, &caller.actor()?).await?;
    Ok(Json(List::new(
        accounts.iter().map(account_resource).collect(),
        None,
    )))
}

pub async fn get_account(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<AccountResource>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    Ok(Json(account_resource(&scope.account)))
}

pub async fn list_profiles(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<List<ProfileResource>>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    Ok(Json(List::new(
        scope.profiles.iter().map(profile_resource).collect(),
        None,
    )))
}

pub async fn get_profile(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<ProfileResource>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    Ok(Json(profile_resource(scope_profile(&scope, &bp)?)))
}

fn parse_skip_token(raw: &str) -> Result<InvoiceCursor, ArmError> {
    InvoiceCursor::parse(raw).ok_or_else(|| {
        ArmError::bad_request(
            "InvalidSkipToken",
            "the $skipToken is not one this server issued",
        )
        .with_target("$skipToken")
    })
}

/// One page of invoices (of one profile, or of every profile the caller sees) with their
/// payments, and the link to the next page.
async fn invoice_list(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    scope: &Scope,
    profile: Option<BillingProfileId>,
    query: &ApiQuery,
) -> Result<Json<List<DocumentResource>>, ArmError> {
    let top = query.page_size()?;
    let from = query.date(query.period_start_date.as_deref(), "periodStartDate")?;
    let to = query.date(query.period_end_date.as_deref(), "periodEndDate")?;
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(ArmError::bad_request(
                "InvalidDateRange",
                "periodStartDate is after periodEndDate",
            ));
        }
    }
    let after = query.skip_token().map(parse_skip_token).transpose()?;
    let list = ListQuery {
        profile,
        invoice_date_from: from,
        invoice_date_to: to,
        after,
        ..ListQuery::all(top)
    };
    let page = invoices::list(&state.app, scope, &list).await?;
    let payments = invoices::payments_for_page(&state.app, scope, &page).await?;
    let notes = refunds::credit_notes_for_page(&state.app, scope, &page).await?;
    let value = documents_of(
        invoice_resources(&page.items, &payments, state.app.today()),
        &notes,
    );
    let next_link = page.next.map(|cursor| {
        let mut params: Vec<(&str, String)> = vec![
            ("api-version", API_VERSION.to_owned()),
            ("$top", top.to_string()),
        ];
        if let Some(from) = from {
            params.push(("periodStartDate", from.to_string()));
        }
        if let Some(to) = to {
            params.push(("periodEndDate", to.to_string()));
        }
        params.push(("$skipToken", cursor.token()));
        format!(
            "{}{path}?{}",
            base_url(headers),
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    });
    Ok(Json(List::new(value, next_link)))
}

pub async fn list_account_invoices(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<List<DocumentResource>>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let path = format!("{}/invoices", account_path(&scope.account.id));
    invoice_list(&state, &headers, &path, &scope, None, &query).await
}

pub async fn list_profile_invoices(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<List<DocumentResource>>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let profile = scope_profile(&scope, &bp)?.id.clone();
    let path = format!("{}/invoices", profile_path(&scope.account.id, &profile));
    invoice_list(&state, &headers, &path, &scope, Some(profile), &query).await
}

/// An invoice by id (`inv_…`) or by the number customers see (`G000123456`).
pub async fn find_invoice(state: &AppState, scope: &Scope, raw: &str) -> Result<Invoice, ArmError> {
    Ok(scope.invoice(&state.app, raw).await?)
}

pub async fn get_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, invoice)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<DocumentResource>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let detail = match invoices::detail(&state.app, &scope, &invoice).await {
        Ok(detail) => detail,
        // Not an invoice: perhaps one of the credit notes listed beside the invoices.
        Err(faktura_app::AppError::NotFound(_)) if refunds::names_credit_note(&invoice) => {
            let found = refunds::credit_note_document(&state.app, &scope, &invoice).await?;
            return Ok(Json(DocumentResource::CreditNote(Box::new(
                credit_note_resource(&found.credit_note, &found.profile.display_name),
            ))));
        }
        Err(error) => return Err(error.into()),
    };
    let resource = invoice_resource(
        &detail.invoice,
        &detail.profile_name,
        &detail.payments,
        state.app.today(),
    );
    Ok(Json(DocumentResource::Invoice(Box::new(
        with_credit_notes(resource, &detail.credit_notes),
    ))))
}

pub async fn list_payment_method_links(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<List<PaymentMethodResource>>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let methods = accounts::payment_methods(&state.app, &scope, &bp).await?;
    Ok(Json(List::new(
        methods.iter().map(payment_method_resource).collect(),
        None,
    )))
}

pub async fn get_payment_method_link(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp, pm)): Path<(String, String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<PaymentMethodResource>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let method = accounts::payment_method(&state.app, &scope, &bp, &pm).await?;
    Ok(Json(payment_method_resource(&method)))
}
