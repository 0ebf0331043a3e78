//! Every API operation × every role, the account administrator, a user of another account, an
//! anonymous caller and an operator token: allowed, 403, 404 (no existence leak) or 401.
//!
//! The operations come from `faktura_web::api::operations()`, the table the router is built
//! from: an operation added without a row here fails the test.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::TestApp;
use faktura_domain::*;
use faktura_store::demo::{NORDLYS_ADMIN, PRAIRIE_OWNER};
use faktura_store::{InvoiceFilter, StatusFilter, Store};
use std::collections::BTreeMap;
use tower::ServiceExt;

const COLUMNS: [&str; 11] = [
    "account owner",
    "account contributor",
    "account reader",
    "profile owner",
    "profile contributor",
    "profile reader",
    "invoice manager",
    "account administrator",
    "user of another account",
    "anonymous",
    "operator token",
];

const ROLES: [Role; 7] = [
    Role::BillingAccountOwner,
    Role::BillingAccountContributor,
    Role::BillingAccountReader,
    Role::BillingProfileOwner,
    Role::BillingProfileContributor,
    Role::BillingProfileReader,
    Role::InvoiceManager,
];

/// A = answered (2xx, or a 4xx about the request itself), D = 403, N = 404, U = 401.
fn expectations() -> BTreeMap<&'static str, &'static str> {
    let readers = "AAAAAAAANUD";
    let payers = "AADAADAANUD";
    let operator = "DDDDDDDDDUA";
    BTreeMap::from([
        ("BillingAccounts_List", "AAAAAAAAAUD"),
        ("BillingAccounts_Get", readers),
        ("BillingProfiles_ListByBillingAccount", readers),
        ("BillingProfiles_Get", readers),
        // Profile owners set the purchase order number.
        ("BillingProfiles_Update", "ADDADDDANUD"),
        ("Invoices_ListByBillingAccount", readers),
        ("Invoices_ListByBillingProfile", readers),
        ("Invoices_GetByBillingAccount", readers),
        ("Invoices_DownloadByBillingAccount", readers),
        // The matrix's invoice is on Nordlys Drift: a profile role elsewhere would be 404.
        ("Invoices_DownloadDocumentsByBillingAccount", readers),
        ("Transactions_ListByInvoice", readers),
        ("AvailableBalances_GetByBillingProfile", readers),
        ("Documents_Open", "NNNNNNNNNNN"),
        ("PaymentMethods_ListByBillingProfile", readers),
        ("PaymentMethods_GetByBillingProfile", readers),
        // Card managers reach the gateway step: the sandbox takes cards in Faktura's own form
        // (400), has no such setup (404) and no such card (a fresh id: 404).
        ("PaymentMethodSetups_Create", "AADAADDANUD"),
        ("PaymentMethodSetups_Complete", "NNDNNDDNNUD"),
        ("PaymentMethods_Detach", "NNDNNDDNNUD"),
        ("BillingRoleAssignments_ListByBillingAccount", readers),
        ("BillingRoleAssignments_ListByBillingProfile", readers),
        ("BillingPermissions_ListByBillingAccount", readers),
        ("BillingPermissions_ListByBillingProfile", readers),
        ("BillingPermissions_CheckAccessByBillingAccount", readers),
        ("BillingPermissions_CheckAccessByBillingProfile", readers),
        ("Invoices_Pay", payers),
        ("Invoices_GetPayment", readers),
        // Payers only; the matrix's payment has succeeded, so it is answered as it stands.
        ("Invoices_CancelPayment", payers),
        ("Operator_CreateUser", operator),
        ("Operator_CreateBillingAccount", operator),
        ("Operator_CreateBillingProfile", operator),
        ("Operator_AssignRole", operator),
        ("Operator_IssueInvoice", operator),
        ("Operator_VoidInvoice", operator),
        ("Operator_GetAccountSettings", operator),
        ("Operator_UpdateAccountSettings", operator),
        ("Operator_RefundPayment", operator),
        ("Operator_ListPayments", operator),
        ("Operator_ListSupportRequests", operator),
        // One's own settings: every person; an operator token has no person.
        ("NotificationSettings_Get", "AAAAAAAAAUD"),
        ("NotificationSettings_Update", "AAAAAAAAAUD"),
        // Webhooks are for account owners; an unknown endpoint is 404 to them.
        ("WebhookEndpoints_Create", "ADDDDDDANUD"),
        ("WebhookEndpoints_List", "ADDDDDDANUD"),
        ("WebhookEndpoints_Delete", "NDDDDDDNNUD"),
        ("WebhookEndpoints_RotateSecret", "NDDDDDDNNUD"),
        ("WebhookEndpoints_ListAttempts", "NDDDDDDNNUD"),
        ("WebhookEndpoints_Resend", "NDDDDDDNNUD"),
        ("Operator_CreateWebhookEndpoint", operator),
        ("Operator_ListWebhookEndpoints", operator),
    ])
}

fn cell(status: StatusCode) -> char {
    match status {
        StatusCode::UNAUTHORIZED => 'U',
        StatusCode::FORBIDDEN => 'D',
        StatusCode::NOT_FOUND => 'N',
        s if s.is_server_error() => panic!("server error {s}"),
        _ => 'A',
    }
}

async fn every_operation_and_caller(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let admin = store.user_by_email(NORDLYS_ADMIN).await.unwrap().unwrap();
    let account = store.accounts_for_user(&admin.id).await.unwrap()[0]
        .id
        .clone();
    let profile = store
        .profiles(&account)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.display_name == "Nordlys Drift")
        .unwrap();
    let today = chrono::Utc::now().date_naive();
    let invoices = store
        .list_invoices(&InvoiceFilter {
            account: account.clone(),
            profiles: Some(vec![profile.id.clone()]),
            status: StatusFilter::Any,
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today,
            after: None,
            limit: 50,
        })
        .await
        .unwrap()
        .items;
    let due = invoices
        .iter()
        .find(|s| s.invoice.status_on(today) == InvoiceStatus::Due)
        .unwrap()
        .invoice
        .clone();
    let paid = invoices
        .iter()
        .find(|s| s.invoice.status == InvoiceStatus::Paid)
        .unwrap()
        .invoice
        .clone();
    let payment = store
        .payments_for_invoice(&account, &paid.id)
        .await
        .unwrap()[0]
        .id
        .clone();
    let method = store.payment_methods(&account, &profile.id).await.unwrap()[0]
        .id
        .clone();

    let mut tokens: Vec<Option<String>> = Vec::new();
    let hash = faktura_web::auth::hash_password("unused-password").unwrap();
    for role in ROLES {
        let user = store
            .create_user(
                &format!("{}@api-matrix.example", role.code().to_lowercase()),
                role.code(),
                Some(&hash),
            )
            .await
            .unwrap();
        let scope = if role.is_account_role() {
            Scope::Account
        } else {
            Scope::Profile(profile.id.clone())
        };
        store
            .add_role_assignment(&account, &user.id, &scope, role)
            .await
            .unwrap();
        tokens.push(Some(
            store
                .create_api_token(Some(&user.id), "m", None, false, None)
                .await
                .unwrap()
                .0,
        ));
    }
    // The account administrator without any role assignment: signing the account up is enough.
    let signer = store
        .create_user("signer@api-matrix.example", "Signer", Some(&hash))
        .await
        .unwrap();
    sqlx::query("UPDATE billing_accounts SET account_admin_user_id = $1 WHERE id = $2")
        .bind(signer.id.as_str())
        .bind(account.as_str())
        .execute(store.pool())
        .await
        .unwrap();
    tokens.push(Some(
        store
            .create_api_token(Some(&signer.id), "m", None, false, None)
            .await
            .unwrap()
            .0,
    ));
    let other = store.user_by_email(PRAIRIE_OWNER).await.unwrap().unwrap();
    tokens.push(Some(
        store
            .create_api_token(Some(&other.id), "m", None, false, None)
            .await
            .unwrap()
            .0,
    ));
    tokens.push(None);
    tokens.push(Some(
        store
            .create_api_token(None, "ops", None, true, None)
            .await
            .unwrap()
            .0,
    ));

    let expected = expectations();
    let unknown_method = PaymentMethodId::generate();
    let operations = faktura_web::api::operations();
    let mut failures = Vec::new();
    let mut cells = 0;
    for operation in &operations {
        let Some(row) = expected.get(operation.id) else {
            failures.push(format!(
                "{}: no row in the API permission matrix",
                operation.id
            ));
            continue;
        };
        let path = operation
            .path
            .replace("{ba}", account.as_str())
            .replace("{bp}", profile.id.as_str())
            .replace(
                "{invoice}",
                if matches!(
                    operation.id,
                    "Invoices_GetPayment" | "Invoices_CancelPayment"
                ) {
                    paid.id.as_str()
                } else {
                    due.id.as_str()
                },
            )
            .replace(
                "{pm}",
                if operation.id == "PaymentMethods_Detach" {
                    unknown_method.as_str()
                } else {
                    method.as_str()
                },
            )
            .replace("{setup}", "seti_none")
            .replace("{payment}", payment.as_str())
            .replace("{token}", &"0".repeat(64))
            .replace("{webhook}", "we_none")
            .replace("{delivery}", "dlv_none");
        let separator = if path.contains('?') { '&' } else { '?' };
        let uri = if operation.takes_api_version() {
            format!("{path}{separator}api-version=2024-04-01")
        } else {
            path.clone()
        };
        let body = match operation.id {
            "Invoices_Pay" => Some(serde_json::json!({"paymentMethodId": method.as_str()})),
            "Invoices_DownloadDocumentsByBillingAccount" => {
                Some(serde_json::json!([{"invoiceName": due.id.as_str()}]))
            }
            // Refused after the access check (a zero amount), so nothing is refunded.
            "Operator_RefundPayment" => Some(serde_json::json!({"amount": "0"})),
            // Refused after the access check (an internal address), so nothing is created.
            "WebhookEndpoints_Create" => Some(serde_json::json!({"url": "http://127.0.0.1:9/x"})),
            // Bodies that pass authorization but create nothing.
            id if id.starts_with("Operator_")
                && operation.method == "post"
                && id != "Operator_VoidInvoice" =>
            {
                Some(serde_json::json!({}))
            }
            _ => operation.request_example.clone(),
        };
        for ((token, want), column) in tokens.iter().zip(row.chars()).zip(COLUMNS) {
            let mut request = Request::builder()
                .method(operation.method.to_uppercase().as_str())
                .uri(&uri);
            if let Some(token) = token {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            let request = match &body {
                Some(body) => request
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
                None => request.body(Body::empty()).unwrap(),
            };
            let status = app.router.clone().oneshot(request).await.unwrap().status();
            cells += 1;
            let got = cell(status);
            if got != want {
                failures.push(format!(
                    "{} as {column}: expected {want}, got {got} ({status})",
                    operation.id
                ));
            }
        }
    }
    let stale: Vec<_> = expected
        .keys()
        .filter(|id| !operations.iter().any(|o| o.id == **id))
        .collect();
    assert!(stale.is_empty(), "rows without an operation: {stale:?}");
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cells >= 250, "only {cells} cells");
    // Exactly one of the payers paid; everyone else was told it is paid or refused.
    assert_eq!(app.sandbox.ledger().len(), 1);
}

faktura_store::on_both_backends!(every_operation_and_caller);
