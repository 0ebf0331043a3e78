//! Paying through the JSON API, on SQLite and PostgreSQL: idempotency keys, a key reused with
//! other parameters, and concurrent requests with one key.

mod common;

use axum::http::StatusCode;
use common::api::{ba, minor, setup, V};
use faktura_domain::*;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_READER};
use faktura_store::{InvoiceFilter, StatusFilter, Store};
use serde_json::json;

async fn pay_with_idempotency_keys(store: Store) {
    let (api, account, overdue, card) = setup(store).await;
    let admin = api.token(NORDLYS_ADMIN).await;
    let pay = format!("{}/invoices/{}/pay?{V}", ba(&account), overdue.id);
    let body = json!({"paymentMethodId": card.as_str()});

    let reader = api.token(NORDLYS_READER).await;
    let refused = api
        .call(
            "POST",
            &pay,
            Some(&reader),
            Some(body.clone()),
            Some("k-reader"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = api
        .call(
            "POST",
            &pay,
            Some(&admin),
            Some(json!({"paymentMethodId": "pm_missing"})),
            Some("k-bad"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let long_key = "k".repeat(256);
    assert_eq!(
        api.call(
            "POST",
            &pay,
            Some(&admin),
            Some(body.clone()),
            Some(&long_key)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );

    let first = api
        .call("POST", &pay, Some(&admin), Some(body.clone()), Some("k-1"))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    assert_eq!(first.json["properties"]["status"], "Succeeded");
    assert_eq!(
        minor(&first.json["properties"]["amount"]),
        overdue.amount_due().unwrap().minor()
    );
    let replay = api
        .call("POST", &pay, Some(&admin), Some(body.clone()), Some("k-1"))
        .await;
    assert_eq!((replay.status, replay.replayed), (StatusCode::OK, true));
    assert_eq!(replay.json, first.json, "the first response is replayed");
    let other = api
        .call(
            "POST",
            &pay,
            Some(&admin),
            Some(json!({"paymentMethodId": "pm_otherone"})),
            Some("k-1"),
        )
        .await;
    // The key is compared with the stored request before the new body's card is looked up.
    assert_eq!(
        (other.status, other.json["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("IdempotencyKeyReused")
        ),
        "a reused key is refused as such, whatever card the new body names"
    );
    let paid_again = api
        .call("POST", &pay, Some(&admin), Some(body.clone()), None)
        .await;
    assert_eq!(
        (paid_again.status, paid_again.json["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("InvoiceAlreadyPaid"))
    );
    assert_eq!(api.app.sandbox.ledger().len(), 1);
    let invoice = api
        .app
        .store
        .invoice(&account, &overdue.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Paid);

    let payment_path = first.json["id"].as_str().unwrap().to_owned();
    let fetched = api.get(&format!("{payment_path}?{V}"), &admin).await;
    assert_eq!(fetched.json["properties"]["status"], "Succeeded");
}

async fn a_key_reused_with_other_parameters_is_refused(store: Store) {
    let (api, account, overdue, card) = setup(store).await;
    let admin = api.token(NORDLYS_ADMIN).await;
    let body = json!({"paymentMethodId": card.as_str()});
    let first = api
        .call(
            "POST",
            &format!("{}/invoices/{}/pay?{V}", ba(&account), overdue.id),
            Some(&admin),
            Some(body.clone()),
            Some("same"),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let due = api
        .app
        .store
        .list_invoices(&InvoiceFilter {
            account: account.clone(),
            profiles: None,
            status: StatusFilter::Only(InvoiceStatus::Due),
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today: chrono::Utc::now().date_naive(),
            after: None,
            limit: 5,
        })
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|s| s.invoice.billing_profile_id == overdue.billing_profile_id)
        .unwrap()
        .invoice;
    let reused = api
        .call(
            "POST",
            &format!("{}/invoices/{}/pay?{V}", ba(&account), due.id),
            Some(&admin),
            Some(body),
            Some("same"),
        )
        .await;
    assert_eq!(
        (reused.status, reused.json["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("IdempotencyKeyReused")
        )
    );
    assert_eq!(api.app.sandbox.ledger().len(), 1);
}

async fn twenty_concurrent_requests_with_one_key_charge_once(store: Store) {
    let (api, account, overdue, card) = setup(store).await;
    let admin = api.token(NORDLYS_ADMIN).await;
    let api = std::sync::Arc::new(api);
    let path = format!("{}/invoices/{}/pay?{V}", ba(&account), overdue.id);
    let calls = (0..20).map(|_| {
        let api = api.clone();
        let path = path.clone();
        let admin = admin.clone();
        let body = json!({"paymentMethodId": card.as_str()});
        tokio::spawn(async move {
            api.call("POST", &path, Some(&admin), Some(body), Some("one-key"))
                .await
        })
    });
    let mut ok = 0;
    let mut in_use = 0;
    for call in calls {
        let reply = call.await.unwrap();
        match reply.status {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT => {
                assert_eq!(reply.json["error"]["code"], "IdempotencyKeyInUse");
                in_use += 1
            }
            other => panic!("unexpected {other}: {}", reply.json),
        }
    }
    assert_eq!(ok + in_use, 20);
    assert!(ok >= 1);
    assert_eq!(api.app.sandbox.ledger().len(), 1, "one charge");
    let payments = api
        .app
        .store
        .payments_for_invoice(&account, &overdue.id)
        .await
        .unwrap();
    assert_eq!(payments.len(), 1);
    let after = api
        .call(
            "POST",
            &path,
            Some(&admin),
            Some(json!({"paymentMethodId": card.as_str()})),
            Some("one-key"),
        )
        .await;
    assert!(after.replayed && after.status == StatusCode::OK);
}
faktura_store::on_both_backends!(
    pay_with_idempotency_keys,
    a_key_reused_with_other_parameters_is_refused,
    twenty_concurrent_requests_with_one_key_charge_once,
);
