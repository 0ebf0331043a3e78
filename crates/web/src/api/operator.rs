//! The operator API: create accounts, profiles, users and role assignments; issue and void
//! invoices; list payments and support requests. Operator tokens only.

use super::billing::account_path;
use super::envelope::*;
use super::resources::*;
use super::ApiCaller;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use faktura_app::operator::{
    self, AddressInput, FieldProblem, InvoiceField, InvoiceRequest, IssueError, LineRequest,
    NewAccount, NewProfileInput, NewRoleAssignment, OperatorError,
};
use faktura_app::partial_payments;
use serde::{Deserialize, Serialize};

/// A caller holding an operator token, with the token's user if it has one. As an extractor
/// it runs before the body is read, so a customer's token is refused (403) whatever it sends.
pub struct Operator(Option<faktura_domain::User>, String);

impl Operator {
    pub(super) fn user(&self) -> Option<&faktura_domain::User> {
        self.0.as_ref()
    }

    /// Key under which the operator's idempotency keys are kept (the user, or the token).
    pub(super) fn idempotency_caller(&self) -> String {
        self.1.clone()
    }
}

impl axum::extract::FromRequestParts<AppState> for Operator {
    type Rejection = ArmError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = ApiCaller::from_request_parts(parts, state).await?;
        if caller.token.is_operator {
            let key = caller.idempotency_caller();
            Ok(Operator(caller.user, key))
        } else {
            Err(ArmError::forbidden(
                "the operator API needs an operator token (faktura token create --operator)",
            ))
        }
    }
}

/// The operator's refusals in the API's shape.
impl From<OperatorError> for ArmError {
    fn from(error: OperatorError) -> Self {
        match error {
            OperatorError::Invalid {
                code,
                field,
                message,
            } => {
                let error = ArmError::bad_request(code, message);
                match field {
                    Some(field) => error.with_target(&field),
                    None => error,
                }
            }
            OperatorError::Conflict { code, message } => {
                ArmError::new(StatusCode::CONFLICT, code, message)
            }
            OperatorError::App(error) => error.into(),
        }
    }
}

/// An invoice field as the operator API names it.
fn field_name(field: InvoiceField) -> String {
    match field {
        InvoiceField::BillingProfile => "billingProfileId".into(),
        InvoiceField::Lines => "lines".into(),
        InvoiceField::Service(i) => format!("lines[{i}].service"),
        InvoiceField::Description(i) => format!("lines[{i}].description"),
        InvoiceField::Quantity(i) => format!("lines[{i}].quantity"),
        InvoiceField::UnitPrice(i) => format!("lines[{i}].unitPrice"),
        InvoiceField::Amount(i) => format!("lines[{i}].amount"),
        InvoiceField::Tax => "tax".into(),
        InvoiceField::Credits => "credits".into(),
    }
}

impl From<IssueError> for ArmError {
    fn from(error: IssueError) -> Self {
        match error {
            IssueError::Field { field, problem } => {
                let name = field_name(field);
                let error = match problem {
                    FieldProblem::NotAnId => {
                        ArmError::bad_request("InvalidBillingProfile", "not a billing profile id")
                    }
                    FieldProblem::Count { max } => ArmError::bad_request(
                        "InvalidLines",
                        format!("an invoice has 1–{max} lines"),
                    ),
                    FieldProblem::Length { max } => ArmError::bad_request(
                        "InvalidField",
                        format!("{name} must be 1–{max} characters"),
                    ),
                    FieldProblem::Quantity => ArmError::bad_request(
                        "InvalidQuantity",
                        "quantity is a positive decimal with at most 3 decimals",
                    ),
                    FieldProblem::Amount(e) => {
                        ArmError::bad_request("InvalidAmount", format!("{name}: {e}"))
                    }
                };
                error.with_target(&name)
            }
            IssueError::Invalid(e) => ArmError::bad_request("InvalidInvoice", e.to_string()),
            IssueError::NumberExists { .. } => ArmError::new(
                StatusCode::CONFLICT,
                "InvoiceNumberExists",
                "an invoice with this number exists",
            ),
            IssueError::Conflict(reason) => {
                ArmError::new(StatusCode::CONFLICT, "InvoiceNumberExists", reason)
            }
            IssueError::App(error) => error.into(),
        }
    }
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

impl From<AddressBody> for AddressInput {
    fn from(body: AddressBody) -> AddressInput {
        AddressInput {
            company_name: body.company_name,
            address_line1: body.address_line1,
            address_line2: body.address_line2,
            postal_code: body.postal_code,
            city: body.city,
            region: body.region,
            country: body.country,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserBody {
    email: String,
    display_name: String,
}

/// `{"displayName", "email", "id"}`: the user created.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserJson {
    display_name: String,
    email: String,
    id: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    _operator: Operator,
    ArmJson(body): ArmJson<UserBody>,
) -> Result<(StatusCode, Json<UserJson>), ArmError> {
    let user = operator::create_user(&state.app, &body.email, &body.display_name).await?;
    Ok((
        StatusCode::CREATED,
        Json(UserJson {
            display_name: user.display_name,
            email: user.email,
            id: user.id.to_string(),
        }),
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

/// The set-password link mailed to a user who never set a password (the link is not here:
/// the mail was queued with the grant and the notification worker sends it).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationJson {
    expires_on: String,
}

fn invitation_json(sent: Option<operator::InvitationSent>) -> Option<InvitationJson> {
    sent.map(|sent| InvitationJson {
        expires_on: sent
            .expires
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

/// The new account, and the invitation its administrator was mailed, if any.
#[derive(Serialize)]
pub struct OpenedAccountJson {
    #[serde(flatten)]
    account: AccountResource,
    #[serde(skip_serializing_if = "Option::is_none")]
    invitation: Option<InvitationJson>,
}

pub async fn create_account(
    State(state): State<AppState>,
    operator: Operator,
    ArmJson(body): ArmJson<AccountBody>,
) -> Result<(StatusCode, Json<OpenedAccountJson>), ArmError> {
    let new = NewAccount {
        display_name: body.display_name,
        agreement_type: body.agreement_type,
        sold_to: body.sold_to.into(),
        account_admin_email: body.account_admin_email,
    };
    let (account, invitation) = operator::create_account(&state.app, &new, operator.user()).await?;
    Ok((
        StatusCode::CREATED,
        Json(OpenedAccountJson {
            account: account_resource(&account),
            invitation: invitation_json(invitation),
        }),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileBody {
    display_name: String,
    currency: String,
    bill_to: AddressBody,
    invoice_email: String,
}

pub async fn create_profile(
    State(state): State<AppState>,
    _operator: Operator,
    Path(ba): Path<String>,
    ArmJson(body): ArmJson<ProfileBody>,
) -> Result<(StatusCode, Json<ProfileResource>), ArmError> {
    let new = NewProfileInput {
        display_name: body.display_name,
        currency: body.currency,
        bill_to: body.bill_to.into(),
        invoice_email: body.invoice_email,
    };
    let profile = operator::create_profile(&state.app, &ba, &new).await?;
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

/// `{"id", "role", "userEmail"}`: the assignment made, and `invitation` when the user (who
/// never set a password) was mailed a set-password link.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentJson {
    id: String,
    role: &'static str,
    user_email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    invitation: Option<InvitationJson>,
}

pub async fn assign_role(
    State(state): State<AppState>,
    operator: Operator,
    Path(ba): Path<String>,
    ArmJson(body): ArmJson<RoleBody>,
) -> Result<(StatusCode, Json<AssignmentJson>), ArmError> {
    let new = NewRoleAssignment {
        user_email: body.user_email,
        role: body.role,
        billing_profile_id: body.billing_profile_id,
    };
    let granted = operator::assign_role(&state.app, &ba, &new, operator.user()).await?;
    Ok((
        StatusCode::CREATED,
        Json(AssignmentJson {
            id: granted.assignment.id.to_string(),
            role: granted.assignment.role.code(),
            user_email: granted.user.email,
            invitation: invitation_json(granted.invitation),
        }),
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

/// `2026-01-31`, or a timestamp that starts with one.
fn parse_date(text: &str, field: &str) -> Result<NaiveDate, ArmError> {
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").map_err(|_| {
        ArmError::bad_request(
            "InvalidDate",
            format!("{field} must be a date such as 2026-01-31"),
        )
        .with_target(field)
    })
}

pub async fn issue_invoice(
    State(state): State<AppState>,
    _operator: Operator,
    Path(ba): Path<String>,
    ArmJson(body): ArmJson<InvoiceBody>,
) -> Result<(StatusCode, Json<InvoiceResource>), ArmError> {
    let request = InvoiceRequest {
        invoice_date: parse_date(&body.invoice_date, "invoiceDate")?,
        period_start: parse_date(&body.period_start_date, "periodStartDate")?,
        period_end: parse_date(&body.period_end_date, "periodEndDate")?,
        due_date: parse_date(&body.due_date, "dueDate")?,
        billing_profile_id: body.billing_profile_id,
        number: body.number,
        lines: body
            .lines
            .into_iter()
            .map(|line| LineRequest {
                service: line.service,
                description: line.description,
                quantity: line.quantity,
                unit_price: line.unit_price,
                amount: line.amount,
            })
            .collect(),
        tax: body.tax,
        credits: body.credits,
    };
    let (invoice, profile) = operator::issue_invoice(&state.app, &ba, &request).await?;
    Ok((
        StatusCode::CREATED,
        Json(invoice_resource(
            &invoice,
            &profile.display_name,
            &[],
            state.app.today(),
        )),
    ))
}

/// `{"id", "status": "Void"}`: the invoice voided.
#[derive(Serialize)]
pub struct VoidedJson {
    id: String,
    status: &'static str,
}

pub async fn void_invoice(
    State(state): State<AppState>,
    _operator: Operator,
    Path((ba, invoice)): Path<(String, String)>,
) -> Result<Json<VoidedJson>, ArmError> {
    let invoice = operator::void_invoice(&state.app, &ba, &invoice).await?;
    Ok(Json(VoidedJson {
        id: format!(
            "{}/invoices/{}",
            account_path(&invoice.billing_account_id),
            invoice.id
        ),
        status: "Void",
    }))
}

#[derive(Deserialize, Default)]
pub struct LimitQuery {
    #[serde(default)]
    limit: Option<u32>,
}

/// A payment in the operator's list.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentJson {
    amount: Amount,
    billing_account_id: String,
    created_on: String,
    failure_reason: Option<&'static str>,
    gateway_reference: Option<String>,
    id: String,
    invoice_id: String,
    status: &'static str,
}

pub async fn list_payments(
    State(state): State<AppState>,
    _operator: Operator,
    Query(query): Query<LimitQuery>,
) -> Result<Json<List<PaymentJson>>, ArmError> {
    let payments = operator::recent_payments(&state.app, query.limit).await?;
    let value = payments
        .into_iter()
        .map(|p| PaymentJson {
            amount: p.amount.into(),
            billing_account_id: p.billing_account_id.to_string(),
            created_on: timestamp(p.created_at),
            failure_reason: p.failure_reason.map(|r| r.code()),
            gateway_reference: p.gateway_reference,
            id: p.id.to_string(),
            invoice_id: p.invoice_id.to_string(),
            status: p.state.code(),
        })
        .collect();
    Ok(Json(List::new(value, None)))
}

/// A support request in the operator's list.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SupportRequestJson {
    created_on: String,
    id: String,
    severity: String,
    status: String,
    subject: String,
    user_email: String,
}

pub async fn list_support_requests(
    State(state): State<AppState>,
    _operator: Operator,
    Query(query): Query<LimitQuery>,
) -> Result<Json<List<SupportRequestJson>>, ArmError> {
    let requests = operator::support_requests(&state.app, query.limit).await?;
    let value = requests
        .into_iter()
        .map(|r| SupportRequestJson {
            created_on: timestamp(r.created_at),
            id: r.id,
            severity: r.severity,
            status: r.status,
            subject: r.subject,
            user_email: r.user_email,
        })
        .collect();
    Ok(Json(List::new(value, None)))
}

/// An account's settings as the operator reads and changes them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSettingsJson {
    id: String,
    partial_payments_allowed: bool,
}

fn settings_json(setting: partial_payments::PartialSetting) -> Json<AccountSettingsJson> {
    Json(AccountSettingsJson {
        id: format!("{}/settings", account_path(&setting.account.id)),
        partial_payments_allowed: setting.allowed,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountSettingsBody {
    partial_payments_allowed: bool,
}

pub async fn account_settings(
    State(state): State<AppState>,
    _operator: Operator,
    Path(ba): Path<String>,
) -> Result<Json<AccountSettingsJson>, ArmError> {
    Ok(settings_json(
        partial_payments::setting(&state.app, &ba).await?,
    ))
}

pub async fn update_account_settings(
    State(state): State<AppState>,
    operator: Operator,
    Path(ba): Path<String>,
    ArmJson(body): ArmJson<AccountSettingsBody>,
) -> Result<Json<AccountSettingsJson>, ArmError> {
    let user = operator.user().map(|u| u.id.clone());
    Ok(settings_json(
        partial_payments::set_allowed(
            &state.app,
            user.as_ref(),
            &ba,
            body.partial_payments_allowed,
        )
        .await?,
    ))
}
