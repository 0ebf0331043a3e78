//! Refunds through the operator API and credit notes as customers read them, through the real
//! router on SQLite and PostgreSQL: a partial and a full refund, the over-refund and other
//! refusals with their stable codes, an idempotent replay, a customer's token refused,
//! concurrent refunds that together exceed the payment, and an outcome the gateway leaves
//! open that the janitor settles.

mod common;

use async_trait::async_trait;
use axum::http::StatusCode;
use common::api::{ba, minor, setup, Api, V};
use common::TestApp;
use faktura_domain::card::CardInput;
use faktura_domain::*;
use faktura_gateway::{
    CardToken, Charge, ChargeRequest, GatewayError, PaymentGateway, Refund, RefundRequest,
    RefundStatus, SandboxGateway,
};
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_store::{BeginPayment, Store};
use serde_json::{json, Value};
use std::sync::Arc;

/// Pays the invoice through the API; the payment's id and amount in minor units.
async fn pay(
    api: &Api,
    account: &BillingAccountId,
    invoice: &Invoice,
    card: &PaymentMethodId,
) -> (String, i64) {
    let admin = api.token(NORDLYS_ADMIN).await;
    let reply = api
        .call(
            "POST",
            &format!("{}/invoices/{}/pay?{V}", ba(account), invoice.id),
            Some(&admin),
            Some(json!({"paymentMethodId": card.as_str()})),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    (
        reply.json["name"].as_str().unwrap().to_owned(),
        minor(&reply.json["properties"]["amount"]),
    )
}

fn refunds_path(account: &BillingAccountId, payment: &str) -> String {
    format!("/operator/v1/billingAccounts/{account}/payments/{payment}/refunds")
}

/// Minor units as the decimal text the API takes (the demo's currencies have two decimals).
fn decimal(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

fn code(reply: &Value) -> &str {
    reply["error"]["code"].as_str().unwrap_or("")
}

async fn refund_in_part_then_in_full(store: Store) {
    let (api, account, invoice, card) = setup(store).await;
    let (payment, paid) = pay(&api, &account, &invoice, &card).await;
    let operator = api.operator_token().await;
    let path = refunds_path(&account, &payment);
    let half = paid / 2;

    let first = api
        .call(
            "POST",
            &path,
            Some(&operator),
            Some(json!({"amount": decimal(half), "reason": "Goodwill"})),
            Some("refund-1"),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    assert_eq!(first.json["status"], "succeeded");
    assert_eq!(minor(&first.json["amount"]), half);
    assert_eq!(first.json["paymentId"], payment.as_str());
    let number = first.json["creditNote"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(number.starts_with("CN"), "{number}");

    // The same key again: the first answer, and the gateway refunded once.
    let replay = api
        .call(
            "POST",
            &path,
            Some(&operator),
            Some(json!({"amount": decimal(half), "reason": "Goodwill"})),
            Some("refund-1"),
        )
        .await;
    assert_eq!(
        (replay.status, replay.replayed),
        (StatusCode::CREATED, true)
    );
    assert_eq!(replay.json, first.json);
    assert_eq!(api.app.sandbox.refunds().len(), 1);
    let reused = api
        .call(
            "POST",
            &path,
            Some(&operator),
            Some(json!({"amount": decimal(half + 1)})),
            Some("refund-1"),
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&reused.json), "IdempotencyKeyReused");

    // More than is left is refused with its own code, and nothing reaches the gateway.
    let over = api
        .call(
            "POST",
            &path,
            Some(&operator),
            Some(json!({"amount": decimal(paid - half + 1)})),
            None,
        )
        .await;
    assert_eq!(over.status, StatusCode::CONFLICT, "{}", over.json);
    assert_eq!(code(&over.json), "RefundExceedsPayment");
    assert_eq!(api.app.sandbox.refunds().len(), 1);

    // No amount: everything that is left.
    let rest = api
        .call(
            "POST",
            &path,
            Some(&operator),
            Some(json!({})),
            Some("refund-2"),
        )
        .await;
    assert_eq!(rest.status, StatusCode::CREATED, "{}", rest.json);
    assert_eq!(minor(&rest.json["amount"]), paid - half);
    let second = rest.json["creditNote"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(second, number);
    let nothing_left = api
        .call("POST", &path, Some(&operator), Some(json!({})), None)
        .await;
    assert_eq!(nothing_left.status, StatusCode::CONFLICT);
    assert_eq!(code(&nothing_left.json), "RefundExceedsPayment");
    let refunded: i64 = api
        .app
        .sandbox
        .refunds()
        .iter()
        .filter(|r| r.status == RefundStatus::Succeeded)
        .map(|r| r.amount.minor())
        .sum();
    assert_eq!(
        refunded, paid,
        "the gateway gave back exactly what was paid"
    );

    // The customer sees the invoice still paid with nothing due, its credit notes among its
    // documents, and each credit note right after it in the list, in Microsoft's shape.
    let admin = api.token(NORDLYS_ADMIN).await;
    let detail = api
        .get(
            &format!("{}/invoices/{}?{V}", ba(&account), invoice.id),
            &admin,
        )
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.json["properties"]["status"], "Paid");
    assert_eq!(minor(&detail.json["properties"]["amountDue"]), 0);
    let kinds: Vec<&str> = detail.json["properties"]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Invoice", "CreditNote", "CreditNote"]);
    let invoice_id = detail.json["id"].as_str().unwrap().to_owned();

    let list = api
        .get(&format!("{}/invoices?{V}&$top=200", ba(&account)), &admin)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let value = list.json["value"].as_array().unwrap();
    let at = value
        .iter()
        .position(|r| r["id"] == invoice_id.as_str())
        .unwrap();
    let notes = &value[at + 1..at + 3];
    for note in notes {
        assert_eq!(note["properties"]["documentType"], "CreditNote");
        assert_eq!(
            note["properties"]["creditForDocumentId"],
            invoice_id.as_str()
        );
        assert_eq!(note["type"], "Microsoft.Billing/billingAccounts/invoices");
        assert!(minor(&note["properties"]["totalAmount"]) < 0);
    }
    assert_eq!(
        -(minor(&notes[0]["properties"]["totalAmount"])
            + minor(&notes[1]["properties"]["totalAmount"])),
        paid
    );
    let one = api
        .get(&format!("{}/invoices/{number}?{V}", ba(&account)), &admin)
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.json);
    assert_eq!(one.json["properties"]["documentType"], "CreditNote");
    assert_eq!(
        one.json["properties"]["documents"][0]["name"],
        number.as_str()
    );
    assert_eq!(minor(&one.json["properties"]["totalAmount"]), -half);
}

async fn refusals_have_stable_codes(store: Store) {
    let (api, account, invoice, card) = setup(store).await;
    let (payment, _) = pay(&api, &account, &invoice, &card).await;
    let operator = api.operator_token().await;
    let path = refunds_path(&account, &payment);

    // A customer's token may not refund, whatever it sends; nor can anyone unauthenticated.
    let admin = api.token(NORDLYS_ADMIN).await;
    let customer = api
        .call("POST", &path, Some(&admin), Some(json!({})), None)
        .await;
    assert_eq!(customer.status, StatusCode::FORBIDDEN);
    let anonymous = api.call("POST", &path, None, Some(json!({})), None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(api.app.sandbox.refunds().is_empty());

    let unknown = api
        .call(
            "POST",
            &refunds_path(&account, "pay_doesnotexist"),
            Some(&operator),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(code(&unknown.json), "PaymentNotFound");
    let garbage = api
        .call(
            "POST",
            &refunds_path(&account, "not-a-payment"),
            Some(&operator),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(code(&garbage.json), "PaymentNotFound");
    let no_account = api
        .call(
            "POST",
            &refunds_path(&BillingAccountId::generate(), &payment),
            Some(&operator),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(no_account.status, StatusCode::NOT_FOUND);

    for bad in ["abc", "-1", "0", "1.234", "99999999999999999999"] {
        let reply = api
            .call(
                "POST",
                &path,
                Some(&operator),
                Some(json!({"amount": bad})),
                None,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.json
        );
        assert_eq!(code(&reply.json), "InvalidAmount", "{bad}");
    }
    let unknown_field = api
        .call(
            "POST",
            &path,
            Some(&operator),
            Some(json!({"amout": "1.00"})),
            None,
        )
        .await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    let long_reason = api
        .call(
            "POST",
            &path,
            Some(&operator),
            Some(json!({"reason": "x".repeat(501)})),
            None,
        )
        .await;
    assert_eq!(code(&long_reason.json), "InvalidReason");
    assert!(api.app.sandbox.refunds().is_empty());

    // A payment that has not succeeded.
    let admin_user = api
        .app
        .store
        .user_by_email(NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let other = api
        .app
        .store
        .list_invoices(&faktura_store::InvoiceFilter {
            account: account.clone(),
            profiles: None,
            status: faktura_store::StatusFilter::Open,
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: None,
            today: chrono::Utc::now().date_naive(),
            after: None,
            limit: 10,
        })
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|s| s.invoice.id != invoice.id)
        .unwrap()
        .invoice;
    let processing = api
        .app
        .store
        .begin_payment(&BeginPayment {
            account: account.clone(),
            invoice: other.id.clone(),
            amount: None,
            payment_method: None,
            created_by: admin_user.id.clone(),
            today: chrono::Utc::now().date_naive(),
            ip: None,
        })
        .await
        .unwrap()
        .unwrap();
    let not_succeeded = api
        .call(
            "POST",
            &refunds_path(&account, processing.id.as_str()),
            Some(&operator),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(not_succeeded.status, StatusCode::CONFLICT);
    assert_eq!(code(&not_succeeded.json), "PaymentNotSucceeded");
}

async fn concurrent_refunds_over_the_payment_refund_once(store: Store) {
    let (api, account, invoice, card) = setup(store).await;
    let (payment, paid) = pay(&api, &account, &invoice, &card).await;
    let operator = api.operator_token().await;
    let api = Arc::new(api);
    let path = refunds_path(&account, &payment);
    let amount = decimal(paid / 2 + 1);
    let calls: Vec<_> = (0..2)
        .map(|i| {
            let (api, path, operator, amount) =
                (api.clone(), path.clone(), operator.clone(), amount.clone());
            tokio::spawn(async move {
                api.call(
                    "POST",
                    &path,
                    Some(&operator),
                    Some(json!({"amount": amount})),
                    Some(&format!("race-{i}")),
                )
                .await
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for call in calls {
        let reply = call.await.unwrap();
        if reply.status == StatusCode::CONFLICT {
            assert_eq!(code(&reply.json), "RefundExceedsPayment");
        }
        statuses.push(reply.status);
    }
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    assert_eq!(
        api.app.sandbox.refunds().len(),
        1,
        "the gateway refunded once"
    );
}

/// The sandbox, except that every refund's answer is lost after it was made.
struct LostRefundAnswers(Arc<SandboxGateway>);

#[async_trait]
impl PaymentGateway for LostRefundAnswers {
    async fn tokenize(&self, card: &CardInput) -> Result<CardToken, GatewayError> {
        self.0.tokenize(card).await
    }
    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, GatewayError> {
        self.0.charge(request).await
    }
    async fn lookup(&self, key: &str) -> Result<Option<Charge>, GatewayError> {
        self.0.lookup(key).await
    }
    async fn refund(&self, request: &RefundRequest) -> Result<Refund, GatewayError> {
        self.0.refund(request).await?;
        Err(GatewayError::Unknown("connection reset".into()))
    }
    async fn lookup_refund(
        &self,
        key: &str,
        reference: Option<&str>,
    ) -> Result<Option<Refund>, GatewayError> {
        self.0.lookup_refund(key, reference).await
    }
}

async fn an_open_outcome_is_settled_by_the_janitor(store: Store) {
    let sandbox = Arc::new(SandboxGateway::new());
    let (app, state) =
        TestApp::with_gateway_and_state(store, Arc::new(LostRefundAnswers(sandbox.clone()))).await;
    let (account, invoice, card) = common::api::overdue_with_card(&app).await;
    let api = Api { app };
    let (payment, paid) = pay(&api, &account, &invoice, &card).await;
    let operator = api.operator_token().await;
    let reply = api
        .call(
            "POST",
            &refunds_path(&account, &payment),
            Some(&operator),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.json);
    assert_eq!(reply.json["status"], "pending");
    assert!(reply.json["creditNote"].is_null());
    // Pending holds the cap: a second refund cannot start meanwhile.
    let second = api
        .call(
            "POST",
            &refunds_path(&account, &payment),
            Some(&operator),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(code(&second.json), "RefundExceedsPayment");

    let janitor = faktura_app::JanitorConfig {
        grace: std::time::Duration::ZERO,
        ..faktura_app::JanitorConfig::default()
    };
    faktura_app::janitor::run_once(&state.app, &janitor)
        .await
        .unwrap();
    let refunds = api
        .app
        .store
        .refunds_for_invoice(&account, &invoice.id)
        .await
        .unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].state, RefundState::Succeeded);
    assert_eq!(refunds[0].amount.minor(), paid);
    let notes = api
        .app
        .store
        .credit_notes_for_invoice(&account, &invoice.id)
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(sandbox.refunds().len(), 1);
}

/// The refund receipt goes where the payment's receipt went (the payer in en-US, the invoice
/// recipient in Danish), with the credit note's PDF; the credit note's own event mails nobody.
async fn a_refund_mails_a_receipt_with_the_credit_note(store: Store) {
    use common::mail::{parse, pdf_text, read_mail, temp_dir, Mail};
    let dir = temp_dir("refund-mail");
    let mailer = Arc::new(faktura_app::mail::FileMailer::new(&dir));
    let (app, state) = TestApp::with_mailer(store, mailer).await;
    let (account, invoice, card) = common::api::overdue_with_card(&app).await;
    let api = Api { app };
    let (payment, paid) = pay(&api, &account, &invoice, &card).await;
    faktura_app::notify::run_once(&state.app).await.unwrap();
    let receipts = read_mail(&dir).len();
    let operator = api.operator_token().await;
    let reply = api
        .call(
            "POST",
            &refunds_path(&account, &payment),
            Some(&operator),
            Some(json!({"amount": decimal(paid / 2)})),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    let note = reply.json["creditNote"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let round = faktura_app::notify::run_once(&state.app).await.unwrap();
    assert_eq!((round.events, round.delivered), (2, 2), "{round:?}");
    let all: Vec<Mail> = read_mail(&dir).iter().map(|m| parse(m)).collect();
    assert_eq!(all.len(), receipts + 2, "two more messages, no more");
    let mails: Vec<&Mail> = all
        .iter()
        .filter(|m| m.subject.starts_with("Refund: ") || m.subject.starts_with("Refusion: "))
        .collect();
    assert_eq!(mails.len(), 2);
    let payer = *mails.iter().find(|m| m.to == NORDLYS_ADMIN).expect("payer");
    assert!(payer.subject.starts_with("Refund: "), "{}", payer.subject);
    assert!(payer
        .subject
        .ends_with(&format!("for invoice {}", invoice.number)));
    assert!(payer.text.contains(&note), "{}", payer.text);
    let recipient = *mails
        .iter()
        .find(|m| m.to == "faktura@nordlys.example")
        .expect("invoice recipient");
    assert!(
        recipient.subject.starts_with("Refusion: "),
        "{}",
        recipient.subject
    );
    assert!(recipient.text.contains("Kreditnota"), "{}", recipient.text);
    for (mail, file) in [(payer, "credit-note"), (recipient, "kreditnota")] {
        assert_eq!(mail.attachments.len(), 1);
        let (name, kind, bytes) = &mail.attachments[0];
        assert_eq!(kind, "application/pdf");
        assert_eq!(name, &format!("{file}-{note}.pdf"));
        let text = pdf_text(bytes);
        assert!(
            text.contains(&note) && text.contains(&invoice.number),
            "{text}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The operator's page refunds; the customer sees the credit note beside its invoice (detail
/// and list, en-US and da-DK) and downloads its PDF; a customer cannot use the operator page.
async fn the_portal_refunds_and_lists_the_credit_note(store: Store) {
    use faktura_store::demo::OPERATOR;
    let (api, account, invoice, card) = setup(store).await;
    let (payment, paid) = pay(&api, &account, &invoice, &card).await;

    let mut customer = api.app.signed_in(NORDLYS_ADMIN).await;
    assert_eq!(
        customer.get("/operator/refunds").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = customer
        .post_form(
            "/operator/refunds",
            &[
                ("account", account.as_str()),
                ("payment", &payment),
                ("amount", "1.00"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(api.app.sandbox.refunds().is_empty());

    let mut operator = api.app.signed_in(OPERATOR).await;
    let list = operator.get("/operator/refunds").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains(&format!("data-payment=\"{payment}\"")),
        "{}",
        list.body
    );
    let too_much = operator
        .post_form(
            "/operator/refunds",
            &[
                ("account", account.as_str()),
                ("payment", &payment),
                ("amount", &decimal(paid + 1)),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_much.body.contains("more than is left"),
        "{}",
        too_much.body
    );
    let done = operator
        .post_form(
            "/operator/refunds",
            &[
                ("account", account.as_str()),
                ("payment", &payment),
                ("amount", &decimal(paid / 2)),
                ("reason", "Goodwill"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let notes = api
        .app
        .store
        .credit_notes_for_invoice(&account, &invoice.id)
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    let note = &notes[0];
    assert!(done.body.contains(&note.number), "{}", done.body);

    let detail = customer
        .get(&format!("/billing/{account}/invoices/{}", invoice.id))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(
        detail.body.contains("data-test-id=\"credit-notes\""),
        "{}",
        detail.body
    );
    assert!(detail.body.contains(&note.number));
    assert!(detail.body.contains("data-test-id=\"amount-refunded\""));
    let pdf_path = format!("/billing/{account}/credit-notes/{}/pdf", note.id);
    assert!(detail.body.contains(&pdf_path));
    let list = customer.get(&format!("/billing/{account}/invoices")).await;
    assert!(
        list.body.contains(&format!(
            "data-credit-note=\"{}\" data-invoice=\"{}\"",
            note.number, invoice.number
        )),
        "{}",
        list.body
    );
    let pdf = customer.get(&pdf_path).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF-"));
    // By number too; a made-up one is not found.
    assert_eq!(
        customer
            .get(&format!(
                "/billing/{account}/credit-notes/{}/pdf",
                note.number
            ))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        customer
            .get(&format!("/billing/{account}/credit-notes/cn_none/pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    customer.post_form("/language", &[("lang", "da-DK")]).await;
    let danish = customer
        .get(&format!("/billing/{account}/invoices/{}", invoice.id))
        .await;
    assert!(danish.body.contains("Kreditnotaer"), "{}", danish.body);
    assert!(danish.body.contains("Refunderet"));
    // The page's own form, sent twice (a double click): one refund, the same answer.
    let list = operator.get("/operator/refunds").await;
    let form = list
        .body
        .split("name=\"form\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    assert_eq!(form.len(), 32, "{form}");
    let once = [
        ("account", account.as_str()),
        ("payment", payment.as_str()),
        ("amount", "1.00"),
        ("reason", ""),
        ("form", form.as_str()),
    ];
    let first = operator.post_form("/operator/refunds", &once).await;
    let second = operator.post_form("/operator/refunds", &once).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let refunds = api
        .app
        .store
        .refunds_for_invoice(&account, &invoice.id)
        .await
        .unwrap();
    assert_eq!(refunds.len(), 2, "half, then 1.00 once: {refunds:?}");
    let reused = operator
        .post_form(
            "/operator/refunds",
            &[once[0], once[1], ("amount", "2.00"), once[3], once[4]],
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reused.body.contains("already sent with other values"),
        "{}",
        reused.body
    );
}

faktura_store::on_both_backends!(
    the_portal_refunds_and_lists_the_credit_note,
    a_refund_mails_a_receipt_with_the_credit_note,
    refund_in_part_then_in_full,
    refusals_have_stable_codes,
    concurrent_refunds_over_the_payment_refund_once,
    an_open_outcome_is_settled_by_the_janitor,
);
