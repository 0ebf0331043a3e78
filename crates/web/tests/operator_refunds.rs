//! The operator's refund page, through the real router on SQLite and PostgreSQL: an amount is
//! read in the operator's language ("12,50" in da-DK; refused in en-US, where the comma groups
//! thousands), and a late charge (a failed payment the gateway charged after all, while another
//! payment paid the invoice) is listed and refunded against its own charge, with no credit note.

mod common;

use axum::http::StatusCode;
use common::api::{ba, setup, V};
use faktura_domain::*;
use faktura_gateway::{ChargeRequest, PaymentGateway};
use faktura_store::demo::{NORDLYS_ADMIN, OPERATOR};
use faktura_store::{BeginPayment, PaymentOutcome, Store};
use serde_json::json;

async fn a_refund_amount_is_read_in_the_operators_language(store: Store) {
    let (api, account, invoice, card) = setup(store).await;
    let admin = api.token(NORDLYS_ADMIN).await;
    let paid = api
        .call(
            "POST",
            &format!("{}/invoices/{}/pay?{V}", ba(&account), invoice.id),
            Some(&admin),
            Some(json!({"paymentMethodId": card.as_str()})),
            None,
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.json);
    let payment = paid.json["name"].as_str().unwrap().to_owned();
    let mut operator = api.app.signed_in(OPERATOR).await;
    let form = |amount: &'static str| {
        [
            ("account", account.to_string()),
            ("payment", payment.clone()),
            ("amount", amount.to_owned()),
            ("reason", String::new()),
        ]
    };
    let send = |fields: &[(&'static str, String); 4]| {
        fields
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<_>>()
    };
    // In English the comma groups thousands: "12,50" is not an amount.
    let fields = send(&form("12,50"));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let english = operator.post_form("/operator/refunds", &pairs).await;
    assert_eq!(english.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(english.body.contains("such as 250.00"), "{}", english.body);
    assert!(api.app.sandbox.refunds().is_empty());

    operator.post_form("/language", &[("lang", "da-DK")]).await;
    let danish = operator.post_form("/operator/refunds", &pairs).await;
    assert_eq!(danish.status, StatusCode::OK, "{}", danish.body);
    assert!(danish.body.contains("12,50"), "{}", danish.body);
    let refunds = api
        .app
        .store
        .refunds_for_invoice(&account, &invoice.id)
        .await
        .unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount.minor(), 1250);
    // A point alone groups thousands in Danish: "12.5" is not an amount.
    let fields = send(&form("12.5"));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bad = operator.post_form("/operator/refunds", &pairs).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("250,00"), "{}", bad.body);
}

async fn a_late_charge_is_listed_and_refunded_without_a_credit_note(store: Store) {
    let (api, account, invoice, card) = setup(store).await;
    let store = &api.app.store;
    let admin = store.user_by_email(NORDLYS_ADMIN).await.unwrap().unwrap();
    // A first attempt that we recorded as failed, though the gateway charged it.
    let first = store
        .begin_payment(&BeginPayment {
            account: account.clone(),
            invoice: invoice.id.clone(),
            amount: None,
            payment_method: Some(card.clone()),
            created_by: admin.id.clone(),
            today: chrono::Utc::now().date_naive(),
            ip: None,
        })
        .await
        .unwrap()
        .unwrap();
    let method = store
        .payment_method(&account, &card)
        .await
        .unwrap()
        .unwrap();
    let charge = api
        .app
        .sandbox
        .charge(&ChargeRequest {
            idempotency_key: first.id.to_string(),
            token: method.gateway_token.clone(),
            amount: first.amount,
            return_url: "/return".into(),
            reference: None,
            metadata: vec![],
        })
        .await
        .unwrap();
    store
        .settle_payment(
            &account,
            &first.id,
            &PaymentOutcome::Failed {
                reason: FailureReason::ProcessingError,
                reference: None,
            },
            None,
            None,
        )
        .await
        .unwrap();
    // A second attempt pays the invoice; then the first's success arrives.
    let token = api.token(NORDLYS_ADMIN).await;
    let paid = api
        .call(
            "POST",
            &format!("{}/invoices/{}/pay?{V}", ba(&account), invoice.id),
            Some(&token),
            Some(json!({"paymentMethodId": card.as_str()})),
            None,
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.json);
    let late = store
        .settle_payment(
            &account,
            &first.id,
            &PaymentOutcome::Succeeded {
                reference: charge.reference.clone(),
            },
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(late.late_charge, faktura_store::LateCharge::NeedsRefund);

    let mut operator = api.app.signed_in(OPERATOR).await;
    let list = operator.get("/operator/refunds").await;
    assert_eq!(list.status, StatusCode::OK);
    let row = list
        .body
        .split(&format!("data-payment=\"{}\"", first.id))
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("the late charge is listed: {}", list.body));
    assert!(row.contains("data-test-id=\"late-charge\""), "{row}");
    assert!(row.contains("data-test-id=\"refund-submit\""), "{row}");
    let done = operator
        .post_form(
            "/operator/refunds",
            &[
                ("account", account.as_str()),
                ("payment", first.id.as_str()),
                ("amount", ""),
                ("reason", "Charged after it failed"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let refunds = api.app.sandbox.refunds();
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0].amount, first.amount);
    assert!(store
        .credit_notes_for_invoice(&account, &invoice.id)
        .await
        .unwrap()
        .is_empty());
    assert!(
        done.body.contains("late charge was refunded"),
        "{}",
        done.body
    );
    let after = operator.get("/operator/refunds").await;
    let row = after
        .body
        .split(&format!("data-payment=\"{}\"", first.id))
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap();
    assert!(!row.contains("refund-submit"), "refunded in full: {row}");
    let invoice_now = store.invoice(&account, &invoice.id).await.unwrap().unwrap();
    assert_eq!(invoice_now.status, InvoiceStatus::Paid);
    assert_eq!(invoice_now.amount_paid, invoice_now.total);
}

faktura_store::on_both_backends!(
    a_refund_amount_is_read_in_the_operators_language,
    a_late_charge_is_listed_and_refunded_without_a_credit_note,
);
