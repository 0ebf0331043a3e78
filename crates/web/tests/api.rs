//! The JSON API through the real router, on SQLite and PostgreSQL (paying: `api_pay.rs`).

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::api::{ba, minor, setup, V};
use faktura_store::demo::{
    NORDLYS_ADMIN, NORDLYS_INVOICE_MANAGER, NORDLYS_READER, OUTSIDER, PRAIRIE_OWNER,
};
use faktura_store::Store;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

async fn authentication_and_versions(store: Store) {
    let (api, account, _, _) = setup(store).await;
    let token = api.token(NORDLYS_ADMIN).await;
    let path = format!("/providers/Microsoft.Billing/billingAccounts?{V}");
    for (auth, code) in [
        (None, "AuthenticationFailed"),
        (Some("fkt_nope"), "InvalidAuthenticationToken"),
        (Some("garbage"), "InvalidAuthenticationToken"),
    ] {
        let reply = api.call("GET", &path, auth, None, None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.json["error"]["code"], code);
    }
    let user = api
        .app
        .store
        .user_by_email(NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let (revoked, record) = api
        .app
        .store
        .create_api_token(Some(&user.id), "r", None, false, None)
        .await
        .unwrap();
    api.app
        .store
        .revoke_api_token(&user.id, &record.id, None)
        .await
        .unwrap();
    assert_eq!(
        api.get(&path, &revoked).await.status,
        StatusCode::UNAUTHORIZED
    );
    let (expired, _) = api
        .app
        .store
        .create_api_token(
            Some(&user.id),
            "e",
            Some(chrono::Duration::seconds(-5)),
            false,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        api.get(&path, &expired).await.status,
        StatusCode::UNAUTHORIZED
    );

    let missing = api
        .get("/providers/Microsoft.Billing/billingAccounts", &token)
        .await;
    assert_eq!(
        (missing.status, missing.json["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("MissingApiVersionParameter"))
    );
    let wrong = api
        .get(
            "/providers/Microsoft.Billing/billingAccounts?api-version=2020-05-01",
            &token,
        )
        .await;
    assert_eq!(wrong.json["error"]["code"], "InvalidApiVersionParameter");
    let unknown = api
        .get(&format!("{}/nonsense?{V}", ba(&account)), &token)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.json["error"]["code"].is_string());
}

async fn accounts_profiles_and_scoping(store: Store) {
    let (api, account, _, _) = setup(store).await;
    let admin = api.token(NORDLYS_ADMIN).await;
    let list = api
        .get(
            &format!("/providers/Microsoft.Billing/billingAccounts?{V}"),
            &admin,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let accounts = list.json["value"].as_array().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["id"], ba(&account));
    assert_eq!(accounts[0]["name"], account.as_str());
    assert_eq!(accounts[0]["type"], "Microsoft.Billing/billingAccounts");
    assert_eq!(
        accounts[0]["properties"]["agreementType"],
        "MicrosoftCustomerAgreement"
    );
    assert_eq!(accounts[0]["properties"]["displayName"], "Nordlys Data ApS");

    let profiles = api
        .get(&format!("{}/billingProfiles?{V}", ba(&account)), &admin)
        .await;
    assert_eq!(profiles.json["value"].as_array().unwrap().len(), 2);
    assert_eq!(profiles.json["value"][0]["properties"]["currency"], "DKK");

    let manager = api.token(NORDLYS_INVOICE_MANAGER).await;
    let theirs = api
        .get(&format!("{}/billingProfiles?{V}", ba(&account)), &manager)
        .await;
    assert_eq!(
        theirs.json["value"].as_array().unwrap().len(),
        1,
        "a profile role sees only its profile"
    );

    let outsider = api.token(OUTSIDER).await;
    let hidden = api.get(&format!("{}?{V}", ba(&account)), &outsider).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "no existence leak");
    let absent = api
        .get(
            &format!("/providers/Microsoft.Billing/billingAccounts/ba_doesnotexist?{V}"),
            &outsider,
        )
        .await;
    assert_eq!(absent.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.json["error"]["code"], absent.json["error"]["code"]);
    let prairie = api.token(PRAIRIE_OWNER).await;
    assert_eq!(
        api.get(&format!("{}/invoices?{V}", ba(&account)), &prairie)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn invoices_page_with_next_links(store: Store) {
    let (api, account, overdue, _) = setup(store).await;
    let admin = api.token(NORDLYS_ADMIN).await;
    let mut next = Some(format!("{}/invoices?{V}&$top=7", ba(&account)));
    let mut seen = Vec::new();
    while let Some(link) = next {
        let path = link.trim_start_matches("http://faktura.test").to_owned();
        let page = api.get(&path, &admin).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        let items = page.json["value"].as_array().unwrap();
        assert!(items.len() <= 7);
        seen.extend(items.iter().map(|i| i["name"].as_str().unwrap().to_owned()));
        next = page.json["nextLink"].as_str().map(str::to_owned);
        if let Some(link) = &next {
            assert!(link.starts_with("http://faktura.test/providers/"), "{link}");
        }
    }
    assert_eq!(seen.len(), 36);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 36);

    let one = api
        .get(
            &format!("{}/invoices/{}?{V}", ba(&account), overdue.id),
            &admin,
        )
        .await;
    let p = &one.json["properties"];
    assert_eq!(p["status"], "OverDue");
    assert_eq!(p["amountDue"]["currency"], "DKK");
    assert_eq!(
        minor(&p["amountDue"]),
        overdue.amount_due().unwrap().minor()
    );
    assert_eq!(minor(&p["totalAmount"]), overdue.total.minor());
    assert!(p["invoiceDate"].as_str().unwrap().ends_with("T00:00:00Z"));
    let by_number = api
        .get(
            &format!("{}/invoices/{}?{V}", ba(&account), overdue.number),
            &admin,
        )
        .await;
    assert_eq!(by_number.json["name"], one.json["name"]);

    let profile = format!(
        "{}/billingProfiles/{}/invoices?{V}&$top=200",
        ba(&account),
        overdue.billing_profile_id
    );
    assert_eq!(
        api.get(&profile, &admin).await.json["value"]
            .as_array()
            .unwrap()
            .len(),
        18
    );
    let from = (overdue.invoice_date - chrono::Duration::days(1)).format("%Y-%m-%d");
    let to = (overdue.invoice_date + chrono::Duration::days(1)).format("%Y-%m-%d");
    let period = api
        .get(
            &format!(
                "{}/invoices?{V}&periodStartDate={from}&periodEndDate={to}",
                ba(&account)
            ),
            &admin,
        )
        .await;
    assert_eq!(period.json["value"].as_array().unwrap().len(), 2);
    for bad in [
        "$top=0",
        "$top=100000",
        "$top=-5",
        "$skipToken=junk",
        "periodStartDate=yesterday",
        "periodStartDate=2026-02-01&periodEndDate=2026-01-01",
    ] {
        let reply = api
            .get(&format!("{}/invoices?{V}&{bad}", ba(&account)), &admin)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

async fn payment_methods_roles_permissions_and_check_access(store: Store) {
    let (api, account, overdue, card) = setup(store).await;
    let admin = api.token(NORDLYS_ADMIN).await;
    let links = api
        .get(
            &format!(
                "{}/billingProfiles/{}/paymentMethodLinks?{V}",
                ba(&account),
                overdue.billing_profile_id
            ),
            &admin,
        )
        .await;
    let link = &links.json["value"][0];
    assert_eq!(link["name"], card.as_str());
    assert_eq!(link["properties"]["lastFourDigits"], "4242");
    assert_eq!(link["properties"]["family"], "CreditCard");
    assert_eq!(link["properties"]["paymentMethodType"], "visa");
    assert!(
        !links.json.to_string().contains("tok_"),
        "gateway tokens are not exposed"
    );
    let one = api
        .get(
            &format!(
                "{}/billingProfiles/{}/paymentMethodLinks/{card}?{V}",
                ba(&account),
                overdue.billing_profile_id
            ),
            &admin,
        )
        .await;
    assert_eq!(one.status, StatusCode::OK);

    let roles = api
        .get(
            &format!("{}/billingRoleAssignments?{V}", ba(&account)),
            &admin,
        )
        .await;
    assert_eq!(roles.json["value"].as_array().unwrap().len(), 4);
    assert!(roles.json.to_string().contains("BillingAccountOwner"));

    let reader = api.token(NORDLYS_READER).await;
    let permissions = api
        .get(&format!("{}/billingPermissions?{V}", ba(&account)), &reader)
        .await;
    let actions = permissions.json["value"][0]["actions"].as_array().unwrap();
    assert!(actions.contains(&json!("Microsoft.Billing/billingAccounts/invoices/read")));
    assert!(!actions.contains(&json!(
        "Microsoft.Billing/billingAccounts/invoices/pay/action"
    )));

    let ask = json!({"actions": ["Microsoft.Billing/billingAccounts/invoices/pay/action", "Microsoft.Billing/billingAccounts/invoices/read", "Something/else"]});
    let reply = api
        .call(
            "POST",
            &format!("{}/checkAccess?{V}", ba(&account)),
            Some(&reader),
            Some(ask.clone()),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let decisions: Vec<&str> = reply
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["accessDecision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, vec!["NotAllowed", "Allowed", "NotAllowed"]);
    let reply = api
        .call(
            "POST",
            &format!("{}/checkAccess?{V}", ba(&account)),
            Some(&admin),
            Some(ask),
            None,
        )
        .await;
    assert_eq!(reply.json[0]["accessDecision"], "Allowed");
    let bad = api
        .call(
            "POST",
            &format!("{}/checkAccess?{V}", ba(&account)),
            Some(&admin),
            Some(json!({"nope": 1})),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
async fn operator_api_issues_and_voids_invoices(store: Store) {
    let (api, account, overdue, _) = setup(store).await;
    let admin = api.token(NORDLYS_ADMIN).await;
    let issue = json!({
        "billingProfileId": overdue.billing_profile_id.as_str(),
        "number": "OP-0001",
        "invoiceDate": "2026-11-05", "periodStartDate": "2026-10-01", "periodEndDate": "2026-10-31", "dueDate": "2026-12-05",
        "lines": [{"service": "Support", "description": "Premier support", "quantity": "1", "unitPrice": "1000.00", "amount": "1000.00"}],
        "tax": "250.00"
    });
    let path = format!("/operator/v1/billingAccounts/{account}/invoices");
    assert_eq!(
        api.call("POST", &path, Some(&admin), Some(issue.clone()), None)
            .await
            .status,
        StatusCode::FORBIDDEN,
        "a user token is no operator token"
    );
    let ops = api.operator_token().await;
    let created = api
        .call("POST", &path, Some(&ops), Some(issue.clone()), None)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    assert_eq!(minor(&created.json["properties"]["totalAmount"]), 125_000);
    let duplicate = api
        .call("POST", &path, Some(&ops), Some(issue.clone()), None)
        .await;
    assert_eq!(
        (duplicate.status, duplicate.json["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("InvoiceNumberExists"))
    );
    let mut wrong = issue.clone();
    wrong["number"] = json!("OP-0002");
    wrong["lines"][0]["amount"] = json!("999.00");
    assert_eq!(
        api.call("POST", &path, Some(&ops), Some(wrong.clone()), None)
            .await
            .json["error"]["code"],
        "InvalidInvoice"
    );
    wrong["lines"][0]["amount"] = json!("1000.00");
    wrong["dueDate"] = json!("2026-01-01");
    assert_eq!(
        api.call("POST", &path, Some(&ops), Some(wrong.clone()), None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    wrong["dueDate"] = json!("2026-12-05");
    wrong["tax"] = json!("-1.00");
    assert_eq!(
        api.call("POST", &path, Some(&ops), Some(wrong), None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let id = created.json["name"].as_str().unwrap();
    let voided = api
        .call("POST", &format!("{path}/{id}/void"), Some(&ops), None, None)
        .await;
    assert_eq!(voided.status, StatusCode::OK);
    let again = api
        .call("POST", &format!("{path}/{id}/void"), Some(&ops), None, None)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let payments = api
        .call("GET", "/operator/v1/payments", Some(&ops), None, None)
        .await;
    assert!(
        payments.json["value"].as_array().unwrap().len() >= 30,
        "the demo's paid invoices"
    );
    let requests = api
        .call(
            "GET",
            "/operator/v1/supportRequests",
            Some(&ops),
            None,
            None,
        )
        .await;
    assert_eq!(requests.status, StatusCode::OK);
}

async fn invoice_download_links_expire_and_stay_scoped(store: Store) {
    let (api, account, overdue, _) = setup(store).await;
    let admin = api.token(NORDLYS_ADMIN).await;
    let link = api
        .call(
            "POST",
            &format!("{}/invoices/{}/download?{V}", ba(&account), overdue.id),
            Some(&admin),
            None,
            None,
        )
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.json);
    let url = link.json["url"].as_str().unwrap();
    assert!(url.starts_with("http://faktura.test/documents/"));
    assert!(link.json["expiryTime"].as_str().unwrap().ends_with('Z'));
    let path = url.trim_start_matches("http://faktura.test");
    let response = api
        .app
        .router
        .clone()
        .oneshot(Request::builder().uri(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/pdf");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    assert!(bytes.starts_with(b"%PDF"));
    let missing = api
        .app
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri("/documents/0000000000000000000000000000000000000000000000000000000000000000")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let outsider = api.token(OUTSIDER).await;
    let refused = api
        .call(
            "POST",
            &format!("{}/invoices/{}/download?{V}", ba(&account), overdue.id),
            Some(&outsider),
            None,
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

async fn bad_bodies_get_clean_errors(store: Store) {
    let (api, account, overdue, _) = setup(store).await;
    let admin = api.token(NORDLYS_ADMIN).await;
    let pay = format!("{}/invoices/{}/pay?{V}", ba(&account), overdue.id);
    let raw = |content_type: &'static str, body: Vec<u8>| {
        Request::builder()
            .method("POST")
            .uri(pay.clone())
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    for (content_type, body, expected) in [
        (
            "text/plain",
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "application/json",
            b"{not json".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            vec![0xff, 0xfe, 0x00],
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            b"{\"paymentMethodId\": 5}".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        ("application/json", b"[]".to_vec(), StatusCode::BAD_REQUEST),
    ] {
        let response = api
            .app
            .router
            .clone()
            .oneshot(raw(content_type, body))
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{content_type}");
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json: Value = serde_json::from_slice(&bytes).unwrap();
        assert!(json["error"]["code"].is_string());
    }
}
/// The reference page's example points at this deployment (`--public-url`), not a fixed address.
async fn the_reference_page_uses_the_public_address(store: Store) {
    let folder = std::env::temp_dir().join(format!("faktura-api-page-{}", std::process::id()));
    let mailer = std::sync::Arc::new(faktura_app::mail::FileMailer::new(folder));
    let (app, _) = common::TestApp::with_mailer(store, mailer).await;
    let page = app.browser().get("/api").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("curl -H"), "{}", page.body);
    assert!(
        page.body.contains("https:&#x2f;&#x2f;faktura.example")
            || page.body.contains("https://faktura.example")
    );
    assert!(!page.body.contains("127.0.0.1:8080"));
}

faktura_store::on_both_backends!(
    authentication_and_versions,
    the_reference_page_uses_the_public_address,
    accounts_profiles_and_scoping,
    invoices_page_with_next_links,
    payment_methods_roles_permissions_and_check_access,
    operator_api_issues_and_voids_invoices,
    bad_bodies_get_clean_errors,
    invoice_download_links_expire_and_stay_scoped,
);
