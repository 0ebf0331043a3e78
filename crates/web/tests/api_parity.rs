//! What a Microsoft.Billing client reads beside invoices, through the real router on SQLite and
//! PostgreSQL: an invoice's transactions (its lines) and a profile's available balance (amount
//! due, and part payments on open invoices as payments on account).

mod common;

use axum::http::StatusCode;
use common::api::{ba, minor, overdue_with_card, Api, V};
use common::TestApp;
use faktura_store::demo::{NORDLYS_ADMIN, NORDLYS_READER, PRAIRIE_OWNER};
use faktura_store::Store;
use serde_json::json;

async fn transactions_are_the_invoice_lines(store: Store) {
    let app = TestApp::with_demo(store).await;
    let (account, invoice, _card) = overdue_with_card(&app).await;
    let stored = app
        .store
        .invoice(&account, &invoice.id)
        .await
        .unwrap()
        .unwrap();
    let api = Api { app };
    let path = format!("{}/invoices/{}/transactions?{V}", ba(&account), invoice.id);
    let reader = api.token(NORDLYS_READER).await;
    let list = api.get(&path, &reader).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.json);
    let value = list.json["value"].as_array().unwrap();
    assert_eq!(value.len(), stored.lines.len());
    for (json, line) in value.iter().zip(&stored.lines) {
        let p = &json["properties"];
        assert_eq!(p["productDescription"], line.description.as_str());
        assert_eq!(p["productFamily"], line.service.as_str());
        assert_eq!(minor(&p["transactionAmount"]), line.amount.minor());
        assert_eq!(minor(&p["effectivePrice"]), line.unit_price.minor());
        assert_eq!(p["invoice"], stored.number.as_str());
        assert_eq!(
            p["invoiceId"],
            format!("{}/invoices/{}", ba(&account), invoice.id)
        );
        assert_eq!(
            json["type"],
            "Microsoft.Billing/billingAccounts/transactions"
        );
    }
    let sum: i64 = value
        .iter()
        .map(|t| minor(&t["properties"]["transactionAmount"]))
        .sum();
    assert_eq!(sum, stored.subtotal.minor());

    // By number too; unknown invoices and other customers' invoices are not found.
    let by_number = format!(
        "{}/invoices/{}/transactions?{V}",
        ba(&account),
        stored.number
    );
    assert_eq!(api.get(&by_number, &reader).await.status, StatusCode::OK);
    let unknown = format!(
        "{}/invoices/inv_nosuchinvoice00000/transactions?{V}",
        ba(&account)
    );
    assert_eq!(
        api.get(&unknown, &reader).await.status,
        StatusCode::NOT_FOUND
    );
    let outsider = api.token(PRAIRIE_OWNER).await;
    assert_eq!(
        api.get(&path, &outsider).await.status,
        StatusCode::NOT_FOUND
    );
    let no_version = format!("{}/invoices/{}/transactions", ba(&account), invoice.id);
    assert_eq!(
        api.get(&no_version, &reader).await.status,
        StatusCode::BAD_REQUEST
    );
}

async fn the_available_balance_follows_part_payments(store: Store) {
    let app = TestApp::with_demo(store).await;
    let (account, invoice, card) = overdue_with_card(&app).await;
    app.store
        .set_partial_payments_allowed(&account, true, None)
        .await
        .unwrap();
    let open_due: i64 = app
        .store
        .outstanding_invoices(&account)
        .await
        .unwrap()
        .iter()
        .filter(|i| i.billing_profile_id == invoice.billing_profile_id)
        .map(|i| i.amount_due().unwrap().minor())
        .sum();
    let api = Api { app };
    let token = api.token(NORDLYS_ADMIN).await;
    let path = format!(
        "{}/billingProfiles/{}/availableBalance/default?{V}",
        ba(&account),
        invoice.billing_profile_id
    );
    let before = api.get(&path, &token).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.json);
    assert_eq!(minor(&before.json["properties"]["amount"]), open_due);
    assert_eq!(before.json["properties"]["paymentsOnAccount"], json!([]));
    assert_eq!(
        minor(&before.json["properties"]["totalPaymentsOnAccount"]),
        0
    );
    assert!(before.json["id"]
        .as_str()
        .unwrap()
        .ends_with("/availableBalance/default"));

    let pay = format!("{}/invoices/{}/pay?{V}", ba(&account), invoice.id);
    let paid = api
        .call(
            "POST",
            &pay,
            Some(&token),
            Some(json!({"paymentMethodId": card.as_str(), "amount": {"currency": "DKK", "value": 100}})),
            None,
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.json);
    let after = api.get(&path, &token).await;
    let p = &after.json["properties"];
    assert_eq!(minor(&p["amount"]), open_due - 10_000);
    assert_eq!(p["paymentsOnAccount"].as_array().unwrap().len(), 1);
    assert_eq!(minor(&p["paymentsOnAccount"][0]["amount"]), 10_000);
    assert_eq!(
        p["paymentsOnAccount"][0]["invoiceName"],
        invoice.number.as_str()
    );
    assert_eq!(p["paymentsOnAccount"][0]["paymentMethodType"], "CreditCard");
    assert_eq!(minor(&p["totalPaymentsOnAccount"]), 10_000);

    // Paid in full: the invoice is no longer open, so nothing is on account for it.
    let rest = api
        .call(
            "POST",
            &pay,
            Some(&token),
            Some(json!({"paymentMethodId": card.as_str()})),
            None,
        )
        .await;
    assert_eq!(rest.status, StatusCode::OK);
    let settled = api.get(&path, &token).await;
    assert_eq!(
        minor(&settled.json["properties"]["amount"]),
        open_due - invoice.amount_due().unwrap().minor()
    );
    assert_eq!(settled.json["properties"]["paymentsOnAccount"], json!([]));

    let outsider = api.token(PRAIRIE_OWNER).await;
    assert_eq!(
        api.get(&path, &outsider).await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = format!(
        "{}/billingProfiles/bp_nosuchprofile00000/availableBalance/default?{V}",
        ba(&account)
    );
    assert_eq!(
        api.get(&unknown, &token).await.status,
        StatusCode::NOT_FOUND
    );
}

faktura_store::on_both_backends!(
    transactions_are_the_invoice_lines,
    the_available_balance_follows_part_payments,
);
