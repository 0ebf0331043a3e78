//! The JSON API: Microsoft.Billing-compatible resources (api-version 2024-04-01), Faktura's pay
//! extension with idempotency keys, and the operator API. Bearer tokens only; no cookies, so no CSRF.

mod access;
mod billing;
mod cards;
mod credit_notes;
mod download;
mod envelope;
mod examples;
mod gateway_webhook;
mod notifications;
pub mod openapi;
mod operator;
mod pay;
mod profiles;
mod refunds;
mod resources;
mod transactions;
mod webhooks;

pub use envelope::{json_errors, ArmError, API_VERSION};

use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use axum::routing::{delete, get, patch, post, MethodRouter};
use axum::Router;
use faktura_app::tokens::{self, ApiToken, BearerRefusal};
use faktura_domain::User;

/// The authenticated caller of an API request.
#[derive(Clone, Debug)]
pub struct ApiCaller {
    pub token: ApiToken,
    /// The token's user; `None` only for operator tokens without one.
    pub user: Option<User>,
}

impl ApiCaller {
    /// The user whose billing roles this call acts with.
    pub fn user(&self) -> Result<&User, ArmError> {
        self.user.as_ref().ok_or_else(|| {
            ArmError::forbidden(
                "operator tokens have no billing roles; use a personal access token",
            )
        })
    }

    /// The token's user as the application's actor (API calls record no client address).
    pub fn actor(&self) -> Result<faktura_app::Actor, ArmError> {
        Ok(faktura_app::Actor::new(self.user()?.clone(), None))
    }

    /// The account in the path, if the caller holds a role on it (else 404, unknown or not).
    pub async fn scope(
        &self,
        state: &AppState,
        raw_account: &str,
    ) -> Result<faktura_app::AccountScope, ArmError> {
        Ok(faktura_app::AccountScope::load(&state.app, &self.actor()?, raw_account).await?)
    }

    /// Key under which idempotency keys are kept: the user, or the operator token.
    pub fn idempotency_caller(&self) -> String {
        match &self.user {
            Some(user) => user.id.to_string(),
            None => self.token.id.clone(),
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ArmError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ArmError::unauthenticated(
                "AuthenticationFailed",
                "send a personal access token as Authorization: Bearer …",
            )
        })?;
        let text = value.to_str().map_err(|_| {
            ArmError::unauthenticated(
                "InvalidAuthenticationToken",
                "the Authorization header is not valid text",
            )
        })?;
        let token = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ArmError::unauthenticated("InvalidAuthenticationToken", "use the Bearer scheme")
            })?;
        let invalid = |message| ArmError::unauthenticated("InvalidAuthenticationToken", message);
        match tokens::bearer(&state.app, token)
            .await
            .map_err(ArmError::internal)?
        {
            Ok(caller) => Ok(ApiCaller {
                token: caller.token,
                user: caller.user,
            }),
            Err(BearerRefusal::Invalid) => {
                Err(invalid("the token is malformed, expired or revoked"))
            }
            Err(BearerRefusal::UserGone) => Err(invalid("the token's user no longer exists")),
        }
    }
}

const BA: &str = "/providers/Microsoft.Billing/billingAccounts";

/// One API operation: the router and the OpenAPI document are both built from [`operations`].
pub struct Operation {
    pub method: &'static str,
    pub path: String,
    pub id: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    /// Query parameters besides `api-version` (which every customer operation takes).
    pub query: &'static [&'static str],
    pub request_example: Option<serde_json::Value>,
    /// (status, description) of each documented response.
    pub responses: &'static [(u16, &'static str)],
    pub handler: MethodRouter<AppState>,
}

const LIST: &[(u16, &str)] = &[
    (200, "A list: {value, nextLink}"),
    (400, "Bad api-version or query parameter"),
    (401, "Missing, malformed, expired or revoked token"),
    (404, "No such billing account, or none the caller may see"),
];
const GET_ONE: &[(u16, &str)] = &[
    (200, "The resource"),
    (400, "Bad api-version"),
    (401, "Missing, malformed, expired or revoked token"),
    (404, "Not found, or not visible to the caller"),
];
const PAGED: &[&str] = &["$top", "$skipToken", "periodStartDate", "periodEndDate"];

impl Operation {
    /// Whether the operation takes `api-version` (the customer operations; not the operator's,
    /// nor an opened document link).
    pub fn takes_api_version(&self) -> bool {
        self.path.starts_with("/providers/") || self.path.starts_with("/me/")
    }
}

fn op(
    method: &'static str,
    path: String,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    responses: &'static [(u16, &'static str)],
    handler: MethodRouter<AppState>,
) -> Operation {
    Operation {
        method,
        path,
        id,
        tag,
        summary,
        query: &[],
        request_example: None,
        responses,
        handler,
    }
}

/// Every API operation.
pub fn operations() -> Vec<Operation> {
    use serde_json::json;
    vec![
        op("get", BA.to_owned(), "BillingAccounts_List", "Billing accounts", "Billing accounts the caller holds a role on", LIST, get(billing::list_accounts)),
        op("get", format!("{BA}/{{ba}}"), "BillingAccounts_Get", "Billing accounts", "One billing account", GET_ONE, get(billing::get_account)),
        op("get", format!("{BA}/{{ba}}/billingProfiles"), "BillingProfiles_ListByBillingAccount", "Billing profiles", "The account's billing profiles the caller may see", LIST, get(billing::list_profiles)),
        op("get", format!("{BA}/{{ba}}/billingProfiles/{{bp}}"), "BillingProfiles_Get", "Billing profiles", "One billing profile", GET_ONE, get(billing::get_profile)),
        Operation { request_example: Some(json!({"properties": {"poNumber": "PO-2026-0042"}})), ..op("patch", format!("{BA}/{{ba}}/billingProfiles/{{bp}}"), "BillingProfiles_Update", "Billing profiles", "Set or clear the profile's purchase order number (profile owners): properties.poNumber, at most 50 printable characters, or null to clear; invoices issued from then on print it", &[(200, "The profile"), (400, "Not a valid purchase order number, or a read-only property"), (403, "Not an owner"), (404, "Not visible")], patch(profiles::update_profile)) },
        Operation { query: PAGED, ..op("get", format!("{BA}/{{ba}}/invoices"), "Invoices_ListByBillingAccount", "Invoices", "Invoices of the account, newest first, paged with nextLink", LIST, get(billing::list_account_invoices)) },
        Operation { query: PAGED, ..op("get", format!("{BA}/{{ba}}/billingProfiles/{{bp}}/invoices"), "Invoices_ListByBillingProfile", "Invoices", "Invoices of one billing profile, newest first, paged with nextLink", LIST, get(billing::list_profile_invoices)) },
        op("get", format!("{BA}/{{ba}}/invoices/{{invoice}}/transactions"), "Transactions_ListByInvoice", "Invoices", "The invoice's lines as transactions (one per line: product, quantity, unit price, amount)", LIST, get(transactions::list_invoice_transactions)),
        op("get", format!("{BA}/{{ba}}/billingProfiles/{{bp}}/availableBalance/default"), "AvailableBalances_GetByBillingProfile", "Billing profiles", "The profile's balance: the amount due on its open invoices, and the payments already made on them (payments on account)", GET_ONE, get(transactions::get_available_balance)),
        op("get", format!("{BA}/{{ba}}/invoices/{{invoice}}"), "Invoices_GetByBillingAccount", "Invoices", "One invoice, by id or by invoice number", GET_ONE, get(billing::get_invoice)),
        op("get", format!("{BA}/{{ba}}/billingProfiles/{{bp}}/paymentMethodLinks"), "PaymentMethods_ListByBillingProfile", "Payment methods", "The profile's cards (token, brand, last four, expiry, holder)", LIST, get(billing::list_payment_method_links)),
        op("get", format!("{BA}/{{ba}}/billingProfiles/{{bp}}/paymentMethodLinks/{{pm}}"), "PaymentMethods_GetByBillingProfile", "Payment methods", "One card of the profile", GET_ONE, get(billing::get_payment_method_link)),
        op("post", format!("{BA}/{{ba}}/billingProfiles/{{bp}}/paymentMethodSetups"), "PaymentMethodSetups_Create", "Payment methods", "Begin adding a card with Stripe.js (gateway stripe): {id, clientSecret, publishableKey, stripeJsUrl}; the browser confirms it with confirmCardSetup", &[(201, "Created"), (403, "Role may not manage cards"), (404, "Not visible"), (400, "The gateway takes cards in Faktura's own form"), (503, "Gateway unreachable")], post(cards::begin_setup)),
        op("post", format!("{BA}/{{ba}}/billingProfiles/{{bp}}/paymentMethodSetups/{{setup}}/complete"), "PaymentMethodSetups_Complete", "Payment methods", "Save the card of a setup the browser confirmed (prepaid cards are refused and detached again)", &[(201, "The saved card"), (202, "3-D Secure not finished yet"), (402, "The card was refused"), (403, "Role may not manage cards"), (404, "No such setup for this profile"), (422, "Prepaid card refused"), (503, "Gateway unreachable")], post(cards::complete_setup)),
        op("delete", format!("{BA}/{{ba}}/billingProfiles/{{bp}}/paymentMethodLinks/{{pm}}"), "PaymentMethods_Detach", "Payment methods", "Detach a card (at the gateway too)", &[(204, "Detached"), (403, "Role may not manage cards"), (404, "Not found"), (409, "Default with unpaid invoices, last card of pay-as-you-go, or in use")], delete(cards::detach)),
        op("get", format!("{BA}/{{ba}}/billingRoleAssignments"), "BillingRoleAssignments_ListByBillingAccount", "Access", "Role assignments at account scope and on the profiles the caller may see", LIST, get(access::account_role_assignments)),
        op("get", format!("{BA}/{{ba}}/billingProfiles/{{bp}}/billingRoleAssignments"), "BillingRoleAssignments_ListByBillingProfile", "Access", "Role assignments on one profile", LIST, get(access::profile_role_assignments)),
        op("get", format!("{BA}/{{ba}}/billingPermissions"), "BillingPermissions_ListByBillingAccount", "Access", "What the caller may do on the account", LIST, get(access::account_permissions)),
        op("get", format!("{BA}/{{ba}}/billingProfiles/{{bp}}/billingPermissions"), "BillingPermissions_ListByBillingProfile", "Access", "What the caller may do on one profile", LIST, get(access::profile_permissions)),
        Operation {
            request_example: Some(json!({"actions": ["Microsoft.Billing/billingAccounts/invoices/pay/action"]})),
            ..op("post", format!("{BA}/{{ba}}/checkAccess"), "BillingPermissions_CheckAccessByBillingAccount", "Access", "Whether the caller may do each action on the account", &[(200, "[{action, accessDecision}]"), (400, "Bad body"), (404, "Not visible")], post(access::account_check_access))
        },
        Operation {
            request_example: Some(json!({"actions": ["Microsoft.Billing/billingAccounts/invoices/pay/action"]})),
            ..op("post", format!("{BA}/{{ba}}/billingProfiles/{{bp}}/checkAccess"), "BillingPermissions_CheckAccessByBillingProfile", "Access", "Whether the caller may do each action on one profile", &[(200, "[{action, accessDecision}]"), (400, "Bad body"), (404, "Not visible")], post(access::profile_check_access))
        },
        Operation {
            request_example: Some(json!({"paymentMethodId": "pm_0123456789abcdefghij", "amount": {"currency": "USD", "value": 250.00}})),
            ..op("post", format!("{BA}/{{ba}}/invoices/{{invoice}}/pay"), "Invoices_Pay", "Payments (Faktura extension)", "Pay the invoice with a saved card: all that is due, or, where the account may pay part (pay-as-you-go after a failed attempt on the invoice, or allowed by the operator), the amount given (currency and value) between the minimum (50 DKK/SEK/NOK, 10 EUR/USD/GBP, 1,000 JPY, or all that is due if less) and the amount due. Codes: InvalidAmount, AmountBelowMinimum, AmountAboveAmountDue (400), PartialPaymentNotAllowed (409). Send an Idempotency-Key header to retry safely: the first response is replayed for 48 hours; the same key with other parameters is 422; while the first request runs, 409.", &[(200, "Succeeded: the invoice is paid"), (202, "RequiresAction (send the person to nextAction.url) or Processing"), (402, "Failed, with failureReason"), (400, "Bad payment method or amount"), (409, "A payment is in progress or done, part payment not allowed, or the key is in use"), (422, "Idempotency key reused with other parameters, or the invoice must be paid by wire transfer")], post(pay::pay_invoice))
        },
        op("post", format!("{BA}/{{ba}}/invoices/{{invoice}}/download"), "Invoices_DownloadByBillingAccount", "Invoices", "A link to the invoice PDF that works without a token for 60 minutes: {url, expiryTime}", &[(200, "{url, expiryTime}"), (401, "Missing or bad token"), (404, "Not found, or not visible")], post(download::create_link)),
        Operation { request_example: Some(json!([{"documentName": "G000123456", "invoiceName": "G000123456"}])), ..op("post", format!("{BA}/{{ba}}/downloadDocuments"), "Invoices_DownloadDocumentsByBillingAccount", "Invoices", "A link to one ZIP of several invoices' PDFs, up to 50, that works without a token for 60 minutes: the body lists documentName and invoiceName of each; the answer is url and expiryTime. An invoice the caller may not see refuses the request and is named", &[(200, "url and expiryTime"), (400, "No invoices, more than 50, or a document that is not the invoice's PDF"), (401, "Missing or bad token"), (404, "An invoice not found, or not visible: named in target")], post(download::create_bundle_link)) },
        op("get", "/documents/{token}".into(), "Documents_Open", "Invoices", "The invoice PDF behind a download link (no token needed; 404 once expired)", &[(200, "application/pdf"), (404, "Unknown or expired link")], get(download::open_link)),
        op("get", format!("{BA}/{{ba}}/invoices/{{invoice}}/payments/{{payment}}"), "Invoices_GetPayment", "Payments (Faktura extension)", "One payment of the invoice", GET_ONE, get(pay::get_payment)),
        op("post", format!("{BA}/{{ba}}/invoices/{{invoice}}/payments/{{payment}}/cancel"), "Invoices_CancelPayment", "Payments (Faktura extension)", "Cancel an attempt waiting for 3-D Secure: the payment afterwards, Failed with AuthenticationAbandoned (or Succeeded, when the challenge was passed first); the invoice can be paid again", &[(200, "The payment"), (403, "Role may not pay"), (404, "Not found"), (409, "Not waiting for 3-D Secure"), (503, "The gateway did not confirm; nothing changed")], post(pay::cancel_payment)),
        Operation {
            request_example: Some(json!({"email": "ap@example.com", "displayName": "Accounts Payable"})),
            ..op("post", "/operator/v1/users".into(), "Operator_CreateUser", "Operator", "Create a user", &[(201, "Created"), (400, "Invalid"), (403, "Not an operator token"), (409, "Exists")], post(operator::create_user))
        },
        Operation {
            request_example: Some(json!({"displayName": "Fjord ApS", "agreementType": "MicrosoftCustomerAgreement", "soldTo": {"companyName": "Fjord ApS", "addressLine1": "Havnegade 1", "postalCode": "1058", "city": "København K", "country": "DK"}, "accountAdminEmail": "ap@example.com"})),
            ..op("post", "/operator/v1/billingAccounts".into(), "Operator_CreateBillingAccount", "Operator", "Create a billing account; its administrator becomes its owner", &[(201, "Created"), (400, "Invalid"), (403, "Not an operator token")], post(operator::create_account))
        },
        Operation {
            request_example: Some(json!({"displayName": "Fjord Drift", "currency": "DKK", "billTo": {"companyName": "Fjord ApS", "addressLine1": "Havnegade 1", "postalCode": "1058", "city": "København K", "country": "DK"}, "invoiceEmail": "faktura@example.com"})),
            ..op("post", "/operator/v1/billingAccounts/{ba}/billingProfiles".into(), "Operator_CreateBillingProfile", "Operator", "Create a billing profile", &[(201, "Created"), (400, "Invalid"), (403, "Not an operator token"), (404, "No such account")], post(operator::create_profile))
        },
        Operation {
            request_example: Some(json!({"userEmail": "ap@example.com", "role": "InvoiceManager", "billingProfileId": "bp_0123456789abcdefghij"})),
            ..op("post", "/operator/v1/billingAccounts/{ba}/roleAssignments".into(), "Operator_AssignRole", "Operator", "Give a user a role at account or profile scope", &[(201, "Created"), (400, "Invalid"), (403, "Not an operator token"), (409, "Exists")], post(operator::assign_role))
        },
        Operation {
            request_example: Some(json!({"billingProfileId": "bp_0123456789abcdefghij", "number": "G000123456", "invoiceDate": "2026-11-05", "periodStartDate": "2026-10-01", "periodEndDate": "2026-10-31", "dueDate": "2026-12-05", "lines": [{"service": "Support", "description": "Standard plan", "quantity": "1", "unitPrice": "699.00"}], "tax": "174.75"})),
            ..op("post", "/operator/v1/billingAccounts/{ba}/invoices".into(), "Operator_IssueInvoice", "Operator", "Issue an invoice (currency of the profile; lines, tax and total must add up; dates in order; unique number)", &[(201, "Issued"), (400, "Invalid"), (403, "Not an operator token"), (409, "Number exists")], post(operator::issue_invoice))
        },
        op("get", "/operator/v1/billingAccounts/{ba}/settings".into(), "Operator_GetAccountSettings", "Operator", "The account's settings: partialPaymentsAllowed", &[(200, "The settings"), (403, "Not an operator token"), (404, "No such account")], get(operator::account_settings)),
        Operation {
            request_example: Some(json!({"partialPaymentsAllowed": true})),
            ..op("patch", "/operator/v1/billingAccounts/{ba}/settings".into(), "Operator_UpdateAccountSettings", "Operator", "Allow or stop part payments for the account (pay-as-you-go accounts may pay part after a failed attempt either way); logged with before and after", &[(200, "The settings afterwards"), (400, "Invalid, or not possible on an enterprise agreement"), (403, "Not an operator token"), (404, "No such account")], patch(operator::update_account_settings))
        },
        op("post", "/operator/v1/billingAccounts/{ba}/invoices/{invoice}/void".into(), "Operator_VoidInvoice", "Operator", "Void an unpaid invoice with no payment in flight", &[(200, "Voided"), (403, "Not an operator token"), (404, "Not found"), (409, "Paid, void or being paid")], post(operator::void_invoice)),
        Operation {
            request_example: Some(json!({"amount": "250.00", "reason": "Goodwill: outage on 3 November"})),
            ..op("post", "/operator/v1/billingAccounts/{ba}/payments/{payment}/refunds".into(), "Operator_RefundPayment", "Operator", "Refund a succeeded payment in full (no amount) or in part, through the gateway; each refund issues a numbered credit note. Send an Idempotency-Key header to retry safely. Codes: PaymentNotFound (404), PaymentNotSucceeded and RefundExceedsPayment (409), InvalidAmount (400).", &[(201, "Refunded, with the credit note"), (202, "Pending: the gateway's answer is not in yet"), (400, "Invalid amount or reason"), (402, "The gateway refused the refund"), (403, "Not an operator token"), (404, "No such account or payment"), (409, "Not a succeeded payment, more than is left to refund, or the key is in use"), (422, "Idempotency key reused with other parameters")], post(refunds::refund_payment))
        },
        Operation { query: &["limit"], ..op("get", "/operator/v1/payments".into(), "Operator_ListPayments", "Operator", "The newest payments across accounts", &[(200, "A list"), (403, "Not an operator token")], get(operator::list_payments)) },
        Operation { query: &["limit"], ..op("get", "/operator/v1/supportRequests".into(), "Operator_ListSupportRequests", "Operator", "All support requests", &[(200, "A list"), (403, "Not an operator token")], get(operator::list_support_requests)) },
        Operation {
            request_example: Some(json!({"url": "https://erp.example.com/faktura-hooks", "eventTypes": ["invoice.paid", "payment.succeeded"]})),
            ..op("post", format!("{BA}/{{ba}}/webhookEndpoints"), "WebhookEndpoints_Create", "Webhooks (Faktura extension)", "Register an endpoint (account owners): the answer carries its signing secret, shown this once. Event types: invoice.issued, invoice.paid, invoice.due_soon, invoice.past_due, payment.succeeded, payment.failed, payment.requires_action, payment.refunded, credit_note.issued, payment_method.added, payment_method.replaced, payment_method.expiring, payment_method.expired (none or \"*\": all). Internal addresses are refused.", &[(201, "Created, with secret"), (400, "Bad URL, internal address or unknown event type"), (403, "Not an owner"), (404, "Not visible"), (409, "Too many endpoints")], post(webhooks::create))
        },
        op("get", "/me/notificationSettings".into(), "NotificationSettings_Get", "Notifications (Faktura extension)", "The caller's notification settings: each topic, whether they get it by e-mail, its default, and whether it is always sent", &[(200, "{value: [{topic, email, default, mandatory}]}")], get(notifications::get)),
        Operation {
            request_example: Some(json!({"email": {"invoice_issued": true, "receipts": false}})),
            ..op("patch", "/me/notificationSettings".into(), "NotificationSettings_Update", "Notifications (Faktura extension)", "Change the caller's choice for the topics named (others keep theirs); the settings afterwards", &[(200, "The settings"), (400, "Unknown topic, or switching off one that is always sent")], patch(notifications::update))
        },
        op("get", format!("{BA}/{{ba}}/webhookEndpoints"), "WebhookEndpoints_List", "Webhooks (Faktura extension)", "The account's endpoints (without secrets)", &[(200, "A list"), (403, "Not an owner"), (404, "Not visible")], get(webhooks::list)),
        op("delete", format!("{BA}/{{ba}}/webhookEndpoints/{{webhook}}"), "WebhookEndpoints_Delete", "Webhooks (Faktura extension)", "Remove an endpoint; its pending deliveries stop", &[(204, "Removed"), (403, "Not an owner"), (404, "Not found")], delete(webhooks::delete)),
        op("post", format!("{BA}/{{ba}}/webhookEndpoints/{{webhook}}/rotateSecret"), "WebhookEndpoints_RotateSecret", "Webhooks (Faktura extension)", "A new signing secret (in the answer, this once); the old one also signs for 24 hours", &[(200, "Rotated, with the new secret"), (403, "Not an owner"), (404, "Not found")], post(webhooks::rotate)),
        op("get", format!("{BA}/{{ba}}/webhookEndpoints/{{webhook}}/deliveryAttempts"), "WebhookEndpoints_ListAttempts", "Webhooks (Faktura extension)", "The endpoint's delivery log, newest first: event, attempt, HTTP status, latency, the start of the answer", &[(200, "A list"), (403, "Not an owner"), (404, "Not found")], get(webhooks::attempts)),
        op("post", format!("{BA}/{{ba}}/webhookEndpoints/{{webhook}}/deliveries/{{delivery}}/resend"), "WebhookEndpoints_Resend", "Webhooks (Faktura extension)", "Send one delivery again (same webhook-id)", &[(202, "Queued"), (403, "Not an owner"), (404, "Not found")], post(webhooks::resend)),
        Operation {
            request_example: Some(json!({"url": "https://erp.example.com/faktura-hooks", "eventTypes": ["*"]})),
            ..op("post", "/operator/v1/webhookEndpoints".into(), "Operator_CreateWebhookEndpoint", "Operator", "Register an endpoint for every account's events (the answer carries its secret, this once)", &[(201, "Created"), (400, "Invalid"), (403, "Not an operator token")], post(webhooks::operator_create))
        },
        op("get", "/operator/v1/webhookEndpoints".into(), "Operator_ListWebhookEndpoints", "Operator", "The operator's endpoints", &[(200, "A list"), (403, "Not an operator token")], get(webhooks::operator_list)),
    ]
}

pub fn router() -> Router<AppState> {
    // Operations on one path (a list and a create, say) share its route.
    let mut by_path: Vec<(String, MethodRouter<AppState>)> = Vec::new();
    for operation in operations() {
        match by_path.iter_mut().find(|(path, _)| *path == operation.path) {
            Some((_, handler)) => *handler = std::mem::take(handler).merge(operation.handler),
            None => by_path.push((operation.path, operation.handler)),
        }
    }
    by_path
        .into_iter()
        .fold(Router::new(), |router, (path, handler)| {
            router.route(&path, handler)
        })
        // Unknown operations under the API's prefixes answer in the API's error shape.
        .route(
            "/providers/{*rest}",
            axum::routing::any(envelope::not_found_fallback),
        )
        .route(
            "/operator/v1/{*rest}",
            axum::routing::any(envelope::not_found_fallback),
        )
        // Events from Stripe (signed; no token, no api-version).
        .route(
            "/gateway/stripe/webhook",
            axum::routing::post(gateway_webhook::receive),
        )
        .route("/openapi.json", get(openapi::document))
}
