//! Every page route × every role, the account administrator, a user of another account and an
//! anonymous visitor: allowed, refused (403) or sent to sign in, asserted cell by cell.
//!
//! The routes come from `faktura_web::pages::route_table()`, the same list the router is built
//! from: a route added there without a row here fails `every_route_has_a_row`.

mod common;

use axum::http::StatusCode;
use common::{Browser, TestApp, PASSWORD};
use faktura_domain::*;
use faktura_store::demo::{NORDLYS_ADMIN, PRAIRIE_OWNER};
use faktura_store::{AddMode, AuditActor, BeginSettlement, PaymentOutcome, Store};
use std::collections::BTreeMap;

/// The columns, in the order the expectation strings use.
const COLUMNS: [&str; 10] = [
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// The page answers (200, a redirect onward, a validation 4xx or 404 for a made-up id).
    Allowed,
    /// 403 with an explanation.
    Refused,
    /// Sent to the sign-in page.
    SignIn,
}

fn parse_row(row: &str) -> Vec<Cell> {
    let cells: Vec<Cell> = row
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'A' => Cell::Allowed,
            'D' => Cell::Refused,
            'S' => Cell::SignIn,
            other => panic!("bad cell {other:?} in {row:?}"),
        })
        .collect();
    assert_eq!(cells.len(), COLUMNS.len(), "row {row:?}");
    cells
}

/// The expected row per (method, route), columns as in `COLUMNS`:
/// A = allowed, D = refused (403), S = sent to sign in.
/// Profile roles and the invoice manager hold their role on the profile the route is about.
fn expectations() -> BTreeMap<(&'static str, &'static str), &'static str> {
    let everyone = "AAAAAAAAAA";
    let signed_in = "AAAAAAAAAS";
    let on_account = "AAAAAAAADS";
    let payers = "AADAADAADS";
    let managers = "AADAADDADS";
    let owners = "ADDADDDADS";
    let account_owners = "ADDDDDDADS";
    BTreeMap::from([
        (("GET", "/"), signed_in),
        (("GET", "/signin"), everyone),
        (("POST", "/signin"), everyone),
        (("POST", "/signout"), "SSSSSSSSSS"),
        (("POST", "/language"), everyone),
        (("GET", "/portal"), signed_in),
        (("GET", "/search"), signed_in),
        (("GET", "/search/suggest"), signed_in),
        (("GET", "/billing"), signed_in),
        (("GET", "/billing/{account}"), on_account),
        (("GET", "/billing/{account}/invoices"), on_account),
        (("GET", "/billing/{account}/invoices/{invoice}"), on_account),
        (("GET", "/billing/{account}/invoices/{invoice}/pay"), payers),
        (
            ("POST", "/billing/{account}/invoices/{invoice}/pay"),
            payers,
        ),
        (
            ("GET", "/billing/{account}/invoices/{invoice}/pdf"),
            on_account,
        ),
        (("GET", "/billing/{account}/payments/{payment}"), on_account),
        (
            ("GET", "/billing/{account}/payments/{payment}/return"),
            on_account,
        ),
        (
            ("POST", "/billing/{account}/payments/{payment}/cancel"),
            payers,
        ),
        (
            ("GET", "/billing/{account}/payments/{payment}/authenticate"),
            payers,
        ),
        (
            ("GET", "/billing/{account}/payments/{payment}/receipt"),
            on_account,
        ),
        (
            ("GET", "/billing/{account}/credit-notes/{credit_note}/pdf"),
            on_account,
        ),
        (("GET", "/sandbox/3ds/{reference}"), everyone),
        (("POST", "/sandbox/3ds/{reference}"), everyone),
        (("GET", "/billing/{account}/payment-methods"), on_account),
        (("POST", "/billing/{account}/payment-methods/add"), managers),
        (
            ("POST", "/billing/{account}/payment-methods/setup"),
            managers,
        ),
        (
            ("POST", "/billing/{account}/payment-methods/setup/finish"),
            managers,
        ),
        (
            (
                "POST",
                "/billing/{account}/payment-methods/{method}/default",
            ),
            managers,
        ),
        (
            ("POST", "/billing/{account}/payment-methods/{method}/detach"),
            managers,
        ),
        (
            ("GET", "/billing/{account}/payment-methods/{method}/return"),
            managers,
        ),
        (("GET", "/billing/{account}/settle"), payers),
        (("POST", "/billing/{account}/settle"), payers),
        (
            ("GET", "/billing/{account}/settlements/{settlement}"),
            payers,
        ),
        (
            ("GET", "/billing/{account}/settlements/{settlement}/return"),
            payers,
        ),
        (
            (
                "GET",
                "/billing/{account}/settlements/{settlement}/authenticate",
            ),
            payers,
        ),
        (("POST", "/billing/{account}/invoices/download"), on_account),
        (("GET", "/billing/{account}/properties"), on_account),
        (("POST", "/billing/{account}/properties/{profile}"), owners),
        (
            ("POST", "/billing/{account}/properties/{profile}/po-number"),
            owners,
        ),
        (("POST", "/billing/{account}/sold-to"), account_owners),
        (("GET", "/billing/{account}/access"), on_account),
        (("POST", "/billing/{account}/access/add"), owners),
        (
            ("POST", "/billing/{account}/access/{assignment}/remove"),
            account_owners,
        ),
        (("GET", "/invite/{token}"), everyone),
        (("POST", "/invite/{token}"), everyone),
        (("GET", "/billing/{account}/activity"), managers),
        (("GET", "/billing/{account}/webhooks"), account_owners),
        (("POST", "/billing/{account}/webhooks"), account_owners),
        (
            ("GET", "/billing/{account}/webhooks/{webhook}"),
            account_owners,
        ),
        (
            ("POST", "/billing/{account}/webhooks/{webhook}/rotate"),
            account_owners,
        ),
        (
            ("POST", "/billing/{account}/webhooks/{webhook}/delete"),
            account_owners,
        ),
        (
            (
                "POST",
                "/billing/{account}/webhooks/{webhook}/deliveries/{delivery}/resend",
            ),
            account_owners,
        ),
        (("GET", "/help"), signed_in),
        (("POST", "/help/feedback"), signed_in),
        (("GET", "/help/articles/{locale}/{slug}"), signed_in),
        (("GET", "/help/requests"), signed_in),
        (("POST", "/help/requests"), signed_in),
        // Faktura's operators only; no customer role reaches these.
        (("GET", "/operator/support"), "DDDDDDDDDS"),
        (("GET", "/operator/help-learning"), "DDDDDDDDDS"),
        (("POST", "/operator/help-learning/reset"), "DDDDDDDDDS"),
        (("GET", "/operator/refunds"), "DDDDDDDDDS"),
        (("POST", "/operator/refunds"), "DDDDDDDDDS"),
        (("POST", "/operator/support/{id}"), "DDDDDDDDDS"),
        (("GET", "/account/notifications"), signed_in),
        (("POST", "/account/notifications"), signed_in),
        (("GET", "/account/tokens"), signed_in),
        (("POST", "/account/tokens"), signed_in),
        (("POST", "/account/tokens/{token_id}/revoke"), signed_in),
        (("GET", "/api"), everyone),
    ])
}

/// One billing account with a user per role (profile roles on `profile`), its administrator
/// holding no role, and the ids the routes need.
struct Side {
    account: BillingAccountId,
    profile: BillingProfileId,
    admin: String,
    users: Vec<String>,
    owner_assignment: RoleAssignmentId,
    invoice: InvoiceId,
    payment: PaymentId,
    method: PaymentMethodId,
    pending_method: PaymentMethodId,
    settlement: Option<SettlementId>,
}

async fn side(store: &Store, admin_email: &str, tag: &str, hash: &str, profile_name: &str) -> Side {
    let admin = store.user_by_email(admin_email).await.unwrap().unwrap();
    let account = store.accounts_for_user(&admin.id).await.unwrap()[0].clone();
    let profile = store
        .profiles(&account.id)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.display_name == profile_name)
        .unwrap();
    let mut users = Vec::new();
    let mut owner_assignment = None;
    for role in ROLES {
        let email = format!("{}@{tag}.example", role.code().to_lowercase());
        let user = store
            .create_user(&email, role.code(), Some(hash))
            .await
            .unwrap();
        let scope = if role.is_account_role() {
            Scope::Account
        } else {
            Scope::Profile(profile.id.clone())
        };
        let assignment = store
            .add_role_assignment(&account.id, &user.id, &scope, role)
            .await
            .unwrap();
        if role == Role::BillingAccountOwner {
            owner_assignment = Some(assignment.id);
        }
        users.push(email);
    }
    let who = AuditActor {
        user: admin.id.clone(),
        ip: None,
    };
    // The administrator keeps the account through being its administrator alone.
    for (assignment, _) in store.role_assignments(&account.id).await.unwrap() {
        if assignment.user_id == admin.id {
            store
                .remove_role_assignment(&account.id, &assignment.id, &who)
                .await
                .unwrap()
                .unwrap();
        }
    }
    let today = chrono::Utc::now().date_naive();
    let invoices = store
        .list_invoices(&faktura_store::InvoiceFilter {
            account: account.id.clone(),
            profiles: Some(vec![profile.id.clone()]),
            status: faktura_store::StatusFilter::Any,
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today,
            after: None,
            limit: 100,
        })
        .await
        .unwrap()
        .items;
    let open = invoices
        .iter()
        .find(|s| s.invoice.is_payable_on(today))
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
        .payments_for_invoice(&account.id, &paid.id)
        .await
        .unwrap()[0]
        .id
        .clone();
    let mut methods = store
        .payment_methods(&account.id, &profile.id)
        .await
        .unwrap();
    if methods.is_empty() {
        let card = PaymentMethod {
            id: PaymentMethodId::generate(),
            billing_account_id: account.id.clone(),
            billing_profile_id: profile.id.clone(),
            gateway_token: faktura_gateway::SandboxGateway::token_for_number("4242424242424242"),
            brand: CardBrand::Visa,
            last4: "4242".into(),
            exp_month: 12,
            exp_year: 2040,
            holder: "Matrix".into(),
            status: PaymentMethodStatus::Active,
            created_at: chrono::Utc::now(),
        };
        store.add_card(&card, &AddMode::Add, &who).await.unwrap();
        methods = vec![card];
    }
    let pending = PaymentMethod {
        id: PaymentMethodId::generate(),
        gateway_token: faktura_gateway::SandboxGateway::token_for_number("4000002760003184"),
        last4: "3184".into(),
        ..methods[0].clone()
    };
    store.add_pending_card(&pending).await.unwrap();
    let settlement = if account.agreement_type.is_pay_as_you_go() {
        // A failed settlement: its page exists and the invoices stay outstanding.
        let settlement = store
            .begin_settlement(&BeginSettlement {
                account: account.id.clone(),
                payment_method: methods[0].id.clone(),
                created_by: admin.id.clone(),
                today,
                ip: None,
            })
            .await
            .unwrap()
            .unwrap();
        store
            .finish_settlement(
                &account.id,
                &settlement.id,
                &PaymentOutcome::Failed {
                    reason: FailureReason::BankDeclined,
                    reference: None,
                },
                None,
                None,
            )
            .await
            .unwrap();
        Some(settlement.id)
    } else {
        None
    };
    Side {
        account: account.id,
        profile: profile.id,
        admin: admin_email.to_owned(),
        users,
        owner_assignment: owner_assignment.unwrap(),
        invoice: open.id,
        payment,
        method: methods[0].id.clone(),
        pending_method: pending.id,
        settlement,
    }
}

/// The concrete path and form for a route pattern, on the account the route is tested on.
fn request_for(pattern: &str, side: &Side) -> (String, Vec<(String, String)>) {
    let path = pattern
        .replace("{account}", side.account.as_str())
        .replace("{invoice}", side.invoice.as_str())
        .replace("{payment}", side.payment.as_str())
        .replace(
            "{method}",
            if pattern.ends_with("/return") {
                side.pending_method.as_str()
            } else {
                side.method.as_str()
            },
        )
        .replace(
            "{settlement}",
            side.settlement
                .as_ref()
                .map(|s| s.as_str())
                .unwrap_or("stl_none"),
        )
        .replace("{profile}", side.profile.as_str())
        .replace("{assignment}", side.owner_assignment.as_str())
        .replace("{reference}", "ch_sbx_unknown")
        .replace("{token}", &"0".repeat(64))
        .replace("{locale}", "en-US")
        .replace("{slug}", "pay-an-invoice")
        .replace("{id}", "sr_none")
        .replace("{token_id}", "tok_none")
        .replace("{webhook}", "we_none")
        .replace("{delivery}", "dlv_none");
    let path = if pattern.ends_with("/payment-methods") || pattern.ends_with("/properties") {
        format!("{path}?profile={}", side.profile)
    } else {
        path
    };
    let s = |v: &str| v.to_owned();
    // Forms that pass authorization but change nothing (empty or refused input).
    let form = match pattern {
        "/signin" => vec![(s("email"), s("")), (s("password"), s(""))],
        "/language" => vec![(s("lang"), s("en-US")), (s("next"), s("/portal"))],
        "/billing/{account}/payment-methods/add" | "/billing/{account}/payment-methods/setup" => {
            vec![(s("profile"), side.profile.to_string())]
        }
        "/billing/{account}/payment-methods/setup/finish" => vec![
            (s("profile"), side.profile.to_string()),
            (s("setup"), s("seti_none")),
        ],
        "/billing/{account}/payment-methods/{method}/default"
        | "/billing/{account}/payment-methods/{method}/detach" => {
            vec![(s("profile"), side.profile.to_string())]
        }
        "/billing/{account}/access/add" => vec![
            (s("email"), s("")),
            (s("role"), s("BillingProfileReader")),
            (s("scope"), side.profile.to_string()),
        ],
        "/sandbox/3ds/{reference}" => vec![(s("result"), s("fail"))],
        _ => vec![],
    };
    (path, form)
}

fn classify(page: &common::Page, what: &str) -> Cell {
    assert!(
        !page.status.is_server_error(),
        "{what}: server error {}: {}",
        page.status,
        page.body
    );
    assert_ne!(page.status, StatusCode::METHOD_NOT_ALLOWED, "{what}");
    if page.status == StatusCode::FORBIDDEN {
        return Cell::Refused;
    }
    if page.status.is_redirection()
        && page
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/signin"))
    {
        return Cell::SignIn;
    }
    Cell::Allowed
}

/// The pay-as-you-go routes are tested on Prairie; everything else on Nordlys.
fn on_prairie(pattern: &str) -> bool {
    pattern.contains("/settle")
}

async fn every_route_and_principal(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let hash = faktura_web::auth::hash_password(PASSWORD).unwrap();
    let nordlys = side(
        &store,
        NORDLYS_ADMIN,
        "matrix-nordlys",
        &hash,
        "Nordlys Drift",
    )
    .await;
    let prairie = side(
        &store,
        PRAIRIE_OWNER,
        "matrix-prairie",
        &hash,
        "Prairie Analytics",
    )
    .await;

    async fn browsers(app: &TestApp, side: &Side, other: &str) -> Vec<Browser> {
        let mut out = Vec::new();
        for email in &side.users {
            out.push(app.signed_in(email).await);
        }
        out.push(app.signed_in(&side.admin).await);
        out.push(app.signed_in(other).await);
        out.push(app.browser());
        out
    }
    let mut nordlys_browsers = browsers(&app, &nordlys, PRAIRIE_OWNER).await;
    let mut prairie_browsers = browsers(&app, &prairie, NORDLYS_ADMIN).await;

    let expected = expectations();
    let mut routes: Vec<(&'static str, &'static str)> = faktura_web::pages::route_table()
        .iter()
        .flat_map(|r| r.methods.iter().map(move |m| (*m, r.path)))
        .collect();
    // Signing out ends the sessions: do it last.
    routes.sort_by_key(|(_, path)| *path == "/signout");
    let mut failures = Vec::new();
    let mut cells = 0;
    for (method, pattern) in routes {
        let Some(row) = expected.get(&(method, pattern)) else {
            failures.push(format!(
                "{method} {pattern}: no row in the permission matrix"
            ));
            continue;
        };
        let (side, browsers) = if on_prairie(pattern) {
            (&prairie, &mut prairie_browsers)
        } else {
            (&nordlys, &mut nordlys_browsers)
        };
        let (path, form) = request_for(pattern, side);
        for ((browser, want), column) in browsers.iter_mut().zip(parse_row(row)).zip(COLUMNS) {
            let page = if method == "GET" {
                browser.get(&path).await
            } else {
                let fields: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                browser.post_form(&path, &fields).await
            };
            let got = classify(&page, &format!("{method} {path} as {column}"));
            cells += 1;
            if got != want {
                failures.push(format!(
                    "{method} {pattern} as {column}: expected {want:?}, got {got:?} ({})",
                    page.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cells >= 300, "only {cells} cells checked");
}

#[test]
fn every_route_has_a_row_and_every_row_a_route() {
    let table: Vec<(&str, &str)> = faktura_web::pages::route_table()
        .iter()
        .flat_map(|r| r.methods.iter().map(move |m| (*m, r.path)))
        .collect();
    let expected = expectations();
    let missing: Vec<_> = table.iter().filter(|k| !expected.contains_key(k)).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the permission matrix: {missing:?}"
    );
    let stale: Vec<_> = expected.keys().filter(|k| !table.contains(k)).collect();
    assert!(stale.is_empty(), "matrix rows without a route: {stale:?}");
}

/// The methods a route declares are the ones it answers: anything else is 405.
async fn declared_methods_are_the_real_ones(store: Store) {
    let app = TestApp::with_demo(store.clone()).await;
    let mut admin = app.signed_in(NORDLYS_ADMIN).await;
    let nordlys = {
        let user = store.user_by_email(NORDLYS_ADMIN).await.unwrap().unwrap();
        store.accounts_for_user(&user.id).await.unwrap()[0]
            .id
            .clone()
    };
    for route in faktura_web::pages::route_table() {
        let path = route
            .path
            .replace("{account}", nordlys.as_str())
            .replace("{invoice}", "inv_x")
            .replace("{payment}", "pay_x")
            .replace("{method}", "pm_x")
            .replace("{settlement}", "stl_x")
            .replace("{profile}", "bp_x")
            .replace("{assignment}", "ra_x")
            .replace("{reference}", "ch_x")
            .replace("{token}", "t")
            .replace("{locale}", "en-US")
            .replace("{slug}", "pay-an-invoice")
            .replace("{id}", "sr_none")
            .replace("{token_id}", "tok_none")
            .replace("{webhook}", "we_none")
            .replace("{delivery}", "dlv_none");
        if !route.methods.contains(&"GET") {
            let page = admin.get(&path).await;
            assert_eq!(
                page.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "GET {path} is answered but not declared"
            );
        }
        if !route.methods.contains(&"POST") {
            let page = admin.post_form(&path, &[]).await;
            assert_eq!(
                page.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "POST {path} is answered but not declared"
            );
        }
    }
}

faktura_store::on_both_backends!(
    every_route_and_principal,
    declared_methods_are_the_real_ones
);
