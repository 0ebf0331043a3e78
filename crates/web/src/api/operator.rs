//! The operator API: create accounts, profiles, users and role assignments; issue and void
//! invoices; list payments and support requests. Operator tokens only.

use super::billing::{account_path, account_resource, invoice_resource, profile_resource};
use super::envelope::*;
use super::ApiCaller;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use faktura_domain::*;
use faktura_store::{NewProfile, StoreError, VoidRefusal};
use serde::Deserialize;
use serde_json::{json, Value};

/// A caller holding an operator token. As an extractor it runs before the body is read, so a
/// customer's token is refused (403) whatever it sends.
pub struct Operator;

impl axum::extract::FromRequestParts<AppState> for Operator {
    type Rejection = ArmError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = ApiCaller::from_request_parts(parts, state).await?;
        if caller.token.is_operator {
            Ok(Operator)
        } else {
            Err(ArmError::forbidden(
                "the operator API needs an operator token (faktura token create --operator)",
            ))
        }
    }
}

fn conflict_or(error: StoreError, code: &'static str, message: &str) -> ArmError {
    if error.is_unique_violation() {
        ArmError::new(StatusCode::CONFLICT, code, message)
    } else {
        match error {
            StoreError::Conflict(reason) => ArmError::new(StatusCode::CONFLICT, code, reason),
            StoreError::NotFound => ArmError::not_found("resource"),
            other => ArmError::internal(other),
        }
    }
}

fn required(value: &str, field: &str, max: usize) -> Result<String, ArmError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max {
        return Err(ArmError::bad_request(
            "InvalidField",
            format!("{field} must be 1–{max} characters"),
        )
        .with_target(field));
    }
    Ok(trimmed.to_owned())
}

fn email(value: &str, field: &str) -> Result<String, ArmError> {
    let trimmed = value.trim();
    if !faktura_domain::contact::plausible_email(trimmed) {
        return Err(ArmError::bad_request(
            "InvalidEmail",
            format!("{field} must be an e-mail address"),
        )
        .with_target(field));
    }
    Ok(trimmed.to_owned())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressBody {
    #[serde(default)]
    company_name: String,
    #[serde(default)]
    address_line1: String,
    #[serde(default)]
    address_line2: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    country: String,
}

impl AddressBody {
    fn into_address(self, field: &str) -> Result<Address, ArmError> {
        let country = self.country.trim().to_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ArmError::bad_request(
                "InvalidCountry",
                "country must be an ISO 3166 two-letter code",
            )
            .with_target(&format!("{field}.country")));
        }
        Ok(Address {
            company: required(&self.company_name, &format!("{field}.companyName"), 200)?,
            line1: required(&self.address_line1, &format!("{field}.addressLine1"), 200)?,
            line2: self.address_line2.chars().take(200).collect(),
            postal_code: self.postal_code.chars().take(20).collect(),
            city: required(&self.city, &format!("{field}.city"), 100)?,
            region: self.region.chars().take(100).collect(),
            country,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserBody {
    email: String,
    display_name: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    _operator: Operator,
    ArmJson(body): ArmJson<UserBody>,
) -> Result<(StatusCode, Json<Value>), ArmError> {
    let email = email(&body.email, "email")?;
    let name = required(&body.display_name, "displayName", 200)?;
    let user = state
        .app
        .store
        .create_user(&email, &name, None)
        .await
        .map_err(|e| conflict_or(e, "UserExists", "a user with this e-mail exists"))?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": user.id.as_str(), "email": user.email, "displayName": user.display_name}),
        ),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountBody {
    display_name: String,
    agreement_type: String,
    sold_to: AddressBody,
    account_admin_email: String,
}

pub async fn create_account(
    State(state): State<AppState>,
    _operator: Operator,
    ArmJson(body): ArmJson<AccountBody>,
) -> Result<(StatusCode, Json<Value>), ArmError> {
    let name = required(&body.display_name, "displayName", 200)?;
    let agreement = AgreementType::from_code(&body.agreement_type)
        .ok_or_else(|| ArmError::bad_request("InvalidAgreementType", "agreementType must be MicrosoftCustomerAgreement, MicrosoftOnlineServicesProgram, EnterpriseAgreement or MicrosoftPartnerAgreement").with_target("agreementType"))?;
    let sold_to = body.sold_to.into_address("soldTo")?;
    let admin_email = email(&body.account_admin_email, "accountAdminEmail")?;
    let admin = state
        .app
        .store
        .user_by_email(&admin_email)
        .await?
        .ok_or_else(|| {
            ArmError::bad_request(
                "UnknownUser",
                "create the account administrator's user first",
            )
            .with_target("accountAdminEmail")
        })?;
    let account = state
        .app
        .store
        .create_account(
            &name,
            agreement,
            &sold_to.country.clone(),
            &sold_to,
            &admin.id,
        )
        .await?;
    state
        .app
        .store
        .add_role_assignment(
            &account.id,
            &admin.id,
            &Scope::Account,
            Role::BillingAccountOwner,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(account_resource(&account))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileBody {
    display_name: String,
    currency: String,
    bill_to: AddressBody,
    invoice_email: String,
}

async fn load_account(state: &AppState, raw: &str) -> Result<BillingAccount, ArmError> {
    let id = BillingAccountId::parse(raw).map_err(|_| ArmError::not_found("billing account"))?;
    state
        .app
        .store
        .account(&id)
        .await?
        .ok_or_else(|| ArmError::not_found("billing account"))
}

pub async fn create_profile(
    State(state): State<AppState>,
    _operator: Operator,
    Path(ba): Path<String>,
    ArmJson(body): ArmJson<ProfileBody>,
) -> Result<(StatusCode, Json<Value>), ArmError> {
    let account = load_account(&state, &ba).await?;
    let currency: Currency = body.currency.parse().map_err(|_| {
        ArmError::bad_request(
            "InvalidCurrency",
            "currency must be one of DKK, EUR, USD, GBP, SEK, NOK, JPY",
        )
        .with_target("currency")
    })?;
    let profile = state
        .app
        .store
        .create_profile(
            &account.id,
            &NewProfile {
                display_name: required(&body.display_name, "displayName", 200)?,
                currency,
                bill_to: body.bill_to.into_address("billTo")?,
                invoice_email: email(&body.invoice_email, "invoiceEmail")?,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(profile_resource(&profile))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleBody {
    user_email: String,
    role: String,
    #[serde(default)]
    billing_profile_id: Option<String>,
}

pub async fn assign_role(
    State(state): State<AppState>,
    _operator: Operator,
    Path(ba): Path<String>,
    ArmJson(body): ArmJson<RoleBody>,
) -> Result<(StatusCode, Json<Value>), ArmError> {
    let account = load_account(&state, &ba).await?;
    let role: Role = body
        .role
        .parse()
        .map_err(|_| ArmError::bad_request("InvalidRole", "unknown role").with_target("role"))?;
    let user = state
        .app
        .store
        .user_by_email(&email(&body.user_email, "userEmail")?)
        .await?
        .ok_or_else(|| {
            ArmError::bad_request("UnknownUser", "no user with this e-mail")
                .with_target("userEmail")
        })?;
    let scope = match body
        .billing_profile_id
        .as_deref()
        .map(|raw| raw.rsplit('/').next().unwrap_or(raw))
    {
        Some(raw) => Scope::Profile(BillingProfileId::parse(raw).map_err(|_| {
            ArmError::bad_request("InvalidBillingProfile", "not a billing profile id")
                .with_target("billingProfileId")
        })?),
        None => Scope::Account,
    };
    if role.is_account_role() != (scope == Scope::Account) {
        return Err(ArmError::bad_request("RoleScopeMismatch", "account roles are assigned at account scope, profile roles and invoice manager at profile scope"));
    }
    let assignment = state
        .app
        .store
        .add_role_assignment(&account.id, &user.id, &scope, role)
        .await
        .map_err(|e| {
            conflict_or(
                e,
                "RoleAssignmentExists",
                "the user already has this role here",
            )
        })?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": assignment.id.as_str(), "role": role.code(), "userEmail": user.email})),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LineBody {
    service: String,
    description: String,
    /// Decimal text, e.g. "730" or "1.5".
    quantity: String,
    /// Decimal text in the profile's currency, e.g. "1.48".
    unit_price: String,
    #[serde(default)]
    amount: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvoiceBody {
    billing_profile_id: String,
    number: String,
    invoice_date: String,
    period_start_date: String,
    period_end_date: String,
    due_date: String,
    lines: Vec<LineBody>,
    #[serde(default)]
    tax: Option<String>,
    #[serde(default)]
    credits: Option<String>,
}

fn parse_date(text: &str, field: &str) -> Result<NaiveDate, ArmError> {
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").map_err(|_| {
        ArmError::bad_request(
            "InvalidDate",
            format!("{field} must be a date such as 2026-01-31"),
        )
        .with_target(field)
    })
}

fn money(text: Option<&str>, currency: Currency, field: &str) -> Result<i64, ArmError> {
    match text {
        None => Ok(0),
        Some(text) => Money::parse_decimal(text, currency)
            .map(|m| m.minor())
            .map_err(|e| {
                ArmError::bad_request("InvalidAmount", format!("{field}: {e}")).with_target(field)
            }),
    }
}

pub async fn issue_invoice(
    State(state): State<AppState>,
    _operator: Operator,
    Path(ba): Path<String>,
    ArmJson(body): ArmJson<InvoiceBody>,
) -> Result<(StatusCode, Json<Value>), ArmError> {
    let account = load_account(&state, &ba).await?;
    let raw_profile = body
        .billing_profile_id
        .rsplit('/')
        .next()
        .unwrap_or(&body.billing_profile_id);
    let profile_id = BillingProfileId::parse(raw_profile).map_err(|_| {
        ArmError::bad_request("InvalidBillingProfile", "not a billing profile id")
            .with_target("billingProfileId")
    })?;
    let profile = state
        .app
        .store
        .profile(&account.id, &profile_id)
        .await?
        .ok_or_else(|| ArmError::not_found("billing profile"))?;
    let currency = profile.currency;
    if body.lines.is_empty() || body.lines.len() > 500 {
        return Err(
            ArmError::bad_request("InvalidLines", "an invoice has 1–500 lines")
                .with_target("lines"),
        );
    }
    let mut lines = Vec::with_capacity(body.lines.len());
    for (index, line) in body.lines.iter().enumerate() {
        let field = format!("lines[{index}]");
        lines.push(LineDraft {
            service: required(&line.service, &format!("{field}.service"), 200)?,
            description: required(&line.description, &format!("{field}.description"), 500)?,
            quantity_milli: parse_quantity_milli(&line.quantity).ok_or_else(|| {
                ArmError::bad_request(
                    "InvalidQuantity",
                    "quantity is a positive decimal with at most 3 decimals",
                )
                .with_target(&format!("{field}.quantity"))
            })?,
            unit_price_minor: money(
                Some(&line.unit_price),
                currency,
                &format!("{field}.unitPrice"),
            )?,
            amount_minor: line
                .amount
                .as_deref()
                .map(|a| money(Some(a), currency, &format!("{field}.amount")))
                .transpose()?,
        });
    }
    let draft = InvoiceDraft {
        billing_account_id: account.id.clone(),
        billing_profile_id: profile.id.clone(),
        currency,
        number: body.number.trim().to_owned(),
        invoice_date: parse_date(&body.invoice_date, "invoiceDate")?,
        period_start: parse_date(&body.period_start_date, "periodStartDate")?,
        period_end: parse_date(&body.period_end_date, "periodEndDate")?,
        due_date: parse_date(&body.due_date, "dueDate")?,
        lines,
        tax_minor: money(body.tax.as_deref(), currency, "tax")?,
        credits_minor: money(body.credits.as_deref(), currency, "credits")?,
    };
    let invoice = draft
        .issue(chrono::Utc::now())
        .map_err(|e| ArmError::bad_request("InvalidInvoice", e.to_string()))?;
    state
        .app
        .store
        .insert_invoice(&invoice)
        .await
        .map_err(|e| {
            conflict_or(
                e,
                "InvoiceNumberExists",
                "an invoice with this number exists",
            )
        })?;
    let today = chrono::Utc::now().date_naive();
    Ok((
        StatusCode::CREATED,
        Json(invoice_resource(
            &invoice,
            &profile.display_name,
            &[],
            today,
        )),
    ))
}

pub async fn void_invoice(
    State(state): State<AppState>,
    _operator: Operator,
    Path((ba, invoice)): Path<(String, String)>,
) -> Result<Json<Value>, ArmError> {
    let account = load_account(&state, &ba).await?;
    let id = InvoiceId::parse(&invoice).map_err(|_| ArmError::not_found("invoice"))?;
    match state.app.store.void_invoice(&account.id, &id).await? {
        Ok(invoice) => Ok(Json(
            json!({"id": format!("{}/invoices/{}", account_path(&account.id), invoice.id), "status": "Void"}),
        )),
        Err(VoidRefusal::NotFound) => Err(ArmError::not_found("invoice")),
        Err(VoidRefusal::NotVoidable(reason)) => Err(ArmError::new(
            StatusCode::CONFLICT,
            "InvoiceNotVoidable",
            reason,
        )),
    }
}

#[derive(Deserialize, Default)]
pub struct LimitQuery {
    #[serde(default)]
    limit: Option<u32>,
}

pub async fn list_payments(
    State(state): State<AppState>,
    _operator: Operator,
    Query(query): Query<LimitQuery>,
) -> Result<Json<Value>, ArmError> {
    let payments = state
        .app
        .store
        .recent_payments(query.limit.unwrap_or(100))
        .await?;
    let value = payments
        .iter()
        .map(|p| {
            json!({
                "id": p.id.as_str(), "billingAccountId": p.billing_account_id.as_str(), "invoiceId": p.invoice_id.as_str(),
                "amount": amount(p.amount), "status": p.state.code(), "failureReason": p.failure_reason.map(|r| r.code()),
                "gatewayReference": p.gateway_reference, "createdOn": timestamp(p.created_at),
            })
        })
        .collect();
    Ok(Json(list(value, None)))
}

pub async fn list_support_requests(
    State(state): State<AppState>,
    _operator: Operator,
    Query(query): Query<LimitQuery>,
) -> Result<Json<Value>, ArmError> {
    let requests = state
        .app
        .store
        .all_support_requests(query.limit.unwrap_or(100))
        .await?;
    let value = requests
        .iter()
        .map(|r| json!({"id": r.id, "userEmail": r.user_email, "subject": r.subject, "severity": r.severity, "status": r.status, "createdOn": timestamp(r.created_at)}))
        .collect();
    Ok(Json(list(value, None)))
}
