//! Customer resources: billing accounts, profiles, invoices, payment method links, role
//! assignments, permissions and check access. Resources of accounts the caller holds no role on
//! answer 404, exactly like resources that do not exist.

use super::envelope::*;
use super::ApiCaller;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use chrono::NaiveDate;
use faktura_domain::*;
use faktura_store::{InvoiceFilter, StatusFilter};
use serde_json::{json, Value};

pub const BA_TYPE: &str = "Microsoft.Billing/billingAccounts";
pub const BP_TYPE: &str = "Microsoft.Billing/billingAccounts/billingProfiles";
pub const INVOICE_TYPE: &str = "Microsoft.Billing/billingAccounts/invoices";
pub const PM_TYPE: &str = "Microsoft.Billing/billingAccounts/billingProfiles/paymentMethodLinks";
pub const RA_TYPE: &str = "Microsoft.Billing/billingAccounts/billingRoleAssignments";

pub fn account_path(ba: &BillingAccountId) -> String {
    format!("/providers/Microsoft.Billing/billingAccounts/{ba}")
}

pub fn profile_path(ba: &BillingAccountId, bp: &BillingProfileId) -> String {
    format!("{}/billingProfiles/{bp}", account_path(ba))
}

/// An account the caller holds a role on, their access, and the profiles they may see.
pub use faktura_app::AccountScope as Scope;

/// A profile of the scope named by its raw id; unknown and hidden profiles are not found.
pub fn scope_profile<'a>(scope: &'a Scope, raw: &str) -> Result<&'a BillingProfile, ArmError> {
    let id = BillingProfileId::parse(raw).map_err(|_| ArmError::not_found("billing profile"))?;
    Ok(scope.visible_profile(&id)?)
}

fn address(a: &Address) -> Value {
    json!({
        "companyName": a.company, "addressLine1": a.line1, "addressLine2": a.line2,
        "postalCode": a.postal_code, "city": a.city, "region": a.region, "country": a.country,
    })
}

pub fn account_resource(account: &BillingAccount) -> Value {
    resource(
        account_path(&account.id),
        BA_TYPE,
        json!({
            "displayName": account.display_name,
            "agreementType": account.agreement_type.code(),
            "accountStatus": account.status.code(),
            "accountType": "Business",
            "soldTo": address(&account.sold_to),
            "hasReadAccess": true,
        }),
    )
}

pub fn profile_resource(profile: &BillingProfile) -> Value {
    resource(
        profile_path(&profile.billing_account_id, &profile.id),
        BP_TYPE,
        json!({
            "displayName": profile.display_name,
            "currency": profile.currency.code(),
            "status": profile.status.code(),
            "statusReasonCode": profile.status_reason.map(|r| r.code()),
            "billTo": address(&profile.bill_to),
            "invoiceRecipients": [profile.invoice_email],
            "invoiceEmailOptIn": true,
            "hasReadAccess": true,
        }),
    )
}

pub fn invoice_resource(
    invoice: &Invoice,
    profile_name: &str,
    payments: &[Payment],
    today: NaiveDate,
) -> Value {
    let id = format!(
        "{}/invoices/{}",
        account_path(&invoice.billing_account_id),
        invoice.id
    );
    let due = invoice.amount_due().unwrap_or(invoice.total);
    let succeeded: Vec<Value> = payments
        .iter()
        .filter(|p| p.state == PaymentState::Succeeded)
        .map(|p| {
            json!({
                "amount": amount(p.amount),
                "date": timestamp(p.updated_at),
                "paymentMethodId": p.payment_method_id.as_ref().map(|m| format!("{}/paymentMethodLinks/{m}", profile_path(&invoice.billing_account_id, &invoice.billing_profile_id))),
                "paymentMethodFamily": if p.payment_method_id.is_some() { "CreditCard" } else { "CheckWire" },
                "paymentType": "credited",
            })
        })
        .collect();
    let failed: Vec<Value> = payments
        .iter()
        .filter(|p| p.state == PaymentState::Failed)
        .map(|p| json!({"date": timestamp(p.updated_at), "failedPaymentReason": p.failure_reason.map(|r| r.code())}))
        .collect();
    resource(
        id,
        INVOICE_TYPE,
        json!({
            "amountDue": amount(due),
            "azurePrepaymentApplied": amount(Money::zero(invoice.currency())),
            "billedAmount": amount(invoice.total),
            "creditAmount": amount(invoice.credits),
            "subTotal": amount(invoice.subtotal),
            "taxAmount": amount(invoice.tax),
            "totalAmount": amount(invoice.total),
            "invoiceDate": date_time(invoice.invoice_date),
            "dueDate": date_time(invoice.due_date),
            "invoicePeriodStartDate": date_time(invoice.period_start),
            "invoicePeriodEndDate": date_time(invoice.period_end),
            "invoiceType": "AzureServices",
            "status": invoice.status_on(today).code(),
            "billingProfileId": profile_path(&invoice.billing_account_id, &invoice.billing_profile_id),
            "billingProfileDisplayName": profile_name,
            "purchaseOrderNumber": Value::Null,
            "documents": [{"kind": "Invoice", "name": invoice.number, "url": format!("{}/invoices/{}/download", account_path(&invoice.billing_account_id), invoice.id)}],
            "payments": succeeded,
            "failedPayments": failed,
            "isMonthlyInvoice": true,
        }),
    )
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

pub async fn list_accounts(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let user = caller.user()?;
    let accounts = state.app.store.accounts_for_user(&user.id).await?;
    Ok(Json(list(
        accounts.iter().map(account_resource).collect(),
        None,
    )))
}

pub async fn get_account(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    Ok(Json(account_resource(&scope.account)))
}

pub async fn list_profiles(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    Ok(Json(list(
        scope.profiles.iter().map(profile_resource).collect(),
        None,
    )))
}

pub async fn get_profile(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    Ok(Json(profile_resource(scope_profile(&scope, &bp)?)))
}

fn parse_skip_token(raw: &str) -> Result<(NaiveDate, InvoiceId), ArmError> {
    let bad = || {
        ArmError::bad_request(
            "InvalidSkipToken",
            "the $skipToken is not one this server issued",
        )
        .with_target("$skipToken")
    };
    let (date, id) = raw.split_once('_').ok_or_else(bad)?;
    Ok((
        NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad())?,
        InvoiceId::parse(id).map_err(|_| bad())?,
    ))
}

async fn invoice_list(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    scope: &Scope,
    profiles: Vec<BillingProfileId>,
    query: &ApiQuery,
) -> Result<Json<Value>, ArmError> {
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
    let page = state
        .app
        .store
        .list_invoices(&InvoiceFilter {
            account: scope.account.id.clone(),
            profiles: Some(profiles),
            status: StatusFilter::Any,
            invoice_date_from: from,
            invoice_date_to: to,
            number_prefix: None,
            today: today(),
            after,
            limit: top,
        })
        .await?;
    // One query for the whole page's payments, not one per invoice.
    let ids: Vec<InvoiceId> = page.items.iter().map(|s| s.invoice.id.clone()).collect();
    let payments = state
        .app
        .store
        .payments_for_invoices(&scope.account.id, &ids)
        .await?;
    let value: Vec<Value> = page
        .items
        .iter()
        .map(|summary| {
            invoice_resource(
                &summary.invoice,
                &summary.profile_name,
                payments
                    .get(&summary.invoice.id)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
                today(),
            )
        })
        .collect();
    let next_link = page.next.map(|(date, id)| {
        let mut params: Vec<(&str, String)> = vec![
            ("api-version", API_VERSION.to_owned()),
            ("$top", top.to_string()),
        ];
        if let Some(from) = from {
            params.push(("periodStartDate", from.format("%Y-%m-%d").to_string()));
        }
        if let Some(to) = to {
            params.push(("periodEndDate", to.format("%Y-%m-%d").to_string()));
        }
        params.push(("$skipToken", format!("{}_{id}", date.format("%Y-%m-%d"))));
        format!(
            "{}{path}?{}",
            base_url(headers),
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    });
    Ok(Json(list(value, next_link)))
}

pub async fn list_account_invoices(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path(ba): Path<String>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let profiles = scope.profiles.iter().map(|p| p.id.clone()).collect();
    let path = format!("{}/invoices", account_path(&scope.account.id));
    invoice_list(&state, &headers, &path, &scope, profiles, &query).await
}

pub async fn list_profile_invoices(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let profile = scope_profile(&scope, &bp)?.id.clone();
    let path = format!("{}/invoices", profile_path(&scope.account.id, &profile));
    invoice_list(&state, &headers, &path, &scope, vec![profile], &query).await
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
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let invoice = find_invoice(&state, &scope, &invoice).await?;
    let payments = state
        .app
        .store
        .payments_for_invoice(&scope.account.id, &invoice.id)
        .await?;
    let profile_name = scope
        .profiles
        .iter()
        .find(|p| p.id == invoice.billing_profile_id)
        .map(|p| p.display_name.clone())
        .unwrap_or_default();
    Ok(Json(invoice_resource(
        &invoice,
        &profile_name,
        &payments,
        today(),
    )))
}

pub fn payment_method_resource(method: &PaymentMethod) -> Value {
    let id = format!(
        "{}/paymentMethodLinks/{}",
        profile_path(&method.billing_account_id, &method.billing_profile_id),
        method.id
    );
    let expiration = format!("{}/{}", method.exp_month, method.exp_year);
    let display = format!("{} •••• {}", method.brand.code(), method.last4);
    resource(
        id,
        PM_TYPE,
        json!({
            "paymentMethodId": method.id.as_str(),
            "family": "CreditCard",
            "paymentMethodType": method.brand.code(),
            "accountHolderName": method.holder,
            "expiration": expiration,
            "lastFourDigits": method.last4,
            "displayName": display,
            "status": method.status.code(),
            "paymentMethod": {
                "id": method.id.as_str(),
                "family": "CreditCard",
                "paymentMethodType": method.brand.code(),
                "accountHolderName": method.holder,
                "expiration": expiration,
                "lastFourDigits": method.last4,
                "displayName": display,
                "status": method.status.code(),
            },
        }),
    )
}

pub async fn list_payment_method_links(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let profile = scope_profile(&scope, &bp)?;
    if !scope
        .access
        .allows(Permission::ViewPaymentMethods, Some(&profile.id))
    {
        return Err(ArmError::forbidden(
            "your role may not see this profile's payment methods",
        ));
    }
    let methods = state
        .app
        .store
        .payment_methods(&scope.account.id, &profile.id)
        .await?;
    Ok(Json(list(
        methods.iter().map(payment_method_resource).collect(),
        None,
    )))
}

pub async fn get_payment_method_link(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((ba, bp, pm)): Path<(String, String, String)>,
    Query(query): Query<ApiQuery>,
) -> Result<Json<Value>, ArmError> {
    query.check_version()?;
    let scope = caller.scope(&state, &ba).await?;
    let profile = scope_profile(&scope, &bp)?;
    let id = PaymentMethodId::parse(&pm).map_err(|_| ArmError::not_found("payment method"))?;
    let method = state
        .app
        .store
        .payment_method(&scope.account.id, &id)
        .await?
        .filter(|m| m.billing_profile_id == profile.id)
        .ok_or_else(|| ArmError::not_found("payment method"))?;
    Ok(Json(payment_method_resource(&method)))
}
