//! `POST /gateway/stripe/webhook` through the real router, with `Stripe-Signature` headers made
//! by the official `stripe` Python package: payment_intent.succeeded / payment_failed and
//! setup_intent.succeeded settle what they are about (once, whatever the replays), a card's
//! new expiry (payment_method.updated / automatically_updated) is saved once, and a wrong
//! secret, an old timestamp or a missing signature change nothing. The intents are real ones
//! from localstripe (which sends no PaymentIntent webhooks itself).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::api::V;
use common::stripe::{self, stripe_signature, LocalStripe, Shop};
use faktura_domain::*;
use faktura_store::Store;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// What these tests add to [`Shop`]: a payment waiting for 3-D Secure, and deliveries.
impl Shop {
    /// Pays with a 3-D Secure card: the payment waits for the challenge. Its intent's id.
    async fn pay_waiting(&self, localstripe: &LocalStripe) -> (Payment, String) {
        let card = self.add_card(localstripe, "4000002760003184").await;
        let reply = self.pay(&card.id).await;
        assert_eq!(reply.status, 202, "{}", reply.json);
        let payment = self.payment_of(&reply).await;
        let intent = payment.gateway_reference.clone().unwrap();
        (payment, intent)
    }

    /// Posts `body` with the given `Stripe-Signature` (none: no header).
    async fn deliver(&self, body: &str, signature: Option<&str>) -> (StatusCode, Value) {
        let mut request = Request::builder()
            .method("POST")
            .uri("/gateway/stripe/webhook")
            .header("content-type", "application/json");
        if let Some(signature) = signature {
            request = request.header("stripe-signature", signature);
        }
        let response = self
            .api
            .app
            .router
            .clone()
            .oneshot(request.body(Body::from(body.to_owned())).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Signed now with the right secret, by the `stripe` package.
    async fn deliver_signed(&self, body: &str) -> (StatusCode, Value) {
        let now = chrono::Utc::now().timestamp();
        let signature = stripe_signature(body, stripe::WEBHOOK_SECRET, now);
        self.deliver(body, Some(&signature)).await
    }
}

fn event(id: &str, kind: &str, object: &Value) -> String {
    json!({"id": id, "object": "event", "type": kind, "data": {"object": object}}).to_string()
}

async fn a_succeeded_intent_settles_its_payment_once(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = Shop::new(store, localstripe.gateway()).await;
    let (payment, intent) = s.pay_waiting(&localstripe).await;
    let (status, _) = localstripe.answer_payment_challenge(&intent, true).await;
    assert_eq!(status, 200);
    let object = localstripe
        .get(&format!("/v1/payment_intents/{intent}"))
        .await;
    assert_eq!(object["status"], "succeeded");
    let body = event("evt_paid_1", "payment_intent.succeeded", &object);
    let now = chrono::Utc::now().timestamp();

    // Forged, stale or unsigned: refused, and nothing changes.
    let wrong = stripe_signature(&body, "whsec_someone_else", now);
    let (status, reply) = s.deliver(&body, Some(&wrong)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
    assert_eq!(reply["error"]["code"], "SignatureInvalid");
    let old = stripe_signature(&body, stripe::WEBHOOK_SECRET, now - 600);
    let (status, reply) = s.deliver(&body, Some(&old)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
    assert_eq!(reply["error"]["code"], "SignatureExpired");
    let (status, _) = s.deliver(&body, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let tampered = body.replace("evt_paid_1", "evt_paid_2");
    let (status, _) = s
        .deliver(
            &tampered,
            Some(&stripe_signature(&body, stripe::WEBHOOK_SECRET, now)),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        s.payment(&payment.id).await.state,
        PaymentState::RequiresAction
    );

    // Signed with the endpoint's secret: the payment and its invoice are settled.
    let (status, reply) = s.deliver_signed(&body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["result"], "applied");
    let settled = s.payment(&payment.id).await;
    assert_eq!(settled.state, PaymentState::Succeeded);
    let invoice = s.invoice_now().await;
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    let paid = invoice.amount_paid;

    // A replay (Stripe retries; an attacker resends a captured delivery) changes nothing.
    let (status, reply) = s.deliver_signed(&body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["result"], "duplicate");
    assert_eq!(s.invoice_now().await.amount_paid, paid);

    // Events Faktura does not need are taken and ignored.
    let other = event("evt_other", "customer.updated", &json!({"id": "cus_x"}));
    let (status, reply) = s.deliver_signed(&other).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["result"], "ignored");
}

async fn a_failed_intent_fails_its_payment(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = Shop::new(store, localstripe.gateway()).await;
    let (payment, intent) = s.pay_waiting(&localstripe).await;
    // The person fails the challenge.
    let (status, _) = localstripe.answer_payment_challenge(&intent, false).await;
    assert_eq!(status, 200);
    let object = localstripe
        .get(&format!("/v1/payment_intents/{intent}"))
        .await;
    assert_eq!(object["status"], "requires_payment_method");
    let body = event("evt_failed_1", "payment_intent.payment_failed", &object);
    let (status, reply) = s.deliver_signed(&body).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["result"], "applied");
    let failed = s.payment(&payment.id).await;
    assert_eq!(failed.state, PaymentState::Failed);
    assert_eq!(
        failed.failure_reason,
        Some(FailureReason::AuthenticationFailed)
    );
    assert_ne!(s.invoice_now().await.status, InvoiceStatus::Paid);
}

async fn a_succeeded_setup_saves_its_card_once(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = Shop::new(store, localstripe.gateway()).await;
    let (id, secret) = s.begin().await;
    let (status, body) = localstripe
        .confirm_setup(&id, &secret, "4242424242424242")
        .await;
    assert_eq!(status, 200, "{body}");
    let object = localstripe.get(&format!("/v1/setup_intents/{id}")).await;
    let delivery = event("evt_setup_1", "setup_intent.succeeded", &object);
    let (status, reply) = s.deliver_signed(&delivery).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["result"], "applied");
    let pm = body["payment_method"].as_str().unwrap();
    let saved = s
        .api
        .app
        .store
        .payment_method_by_token(&s.account, pm)
        .await
        .unwrap()
        .expect("the webhook saved the card");
    assert_eq!(saved.billing_profile_id, s.invoice.billing_profile_id);
    assert_eq!(saved.last4, "4242");
    // The browser's return afterwards finds the same card, and a replay saves nothing new.
    let reply = s
        .post(
            &format!("{}/paymentMethodSetups/{id}/complete?{V}", s.profile_path()),
            None,
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.json);
    assert_eq!(reply.json["name"], saved.id.as_str());
    let (_, reply) = s.deliver_signed(&delivery).await;
    assert_eq!(reply["result"], "duplicate");
    let cards = s
        .api
        .app
        .store
        .payment_methods(&s.account, &s.invoice.billing_profile_id)
        .await
        .unwrap();
    assert_eq!(cards.iter().filter(|c| c.gateway_token == pm).count(), 1);
}

/// A card's new expiry from the card network (`payment_method.automatically_updated`, or
/// `payment_method.updated`) changes the saved card, once, with one activity entry; a forged
/// or replayed event changes nothing, and one about a card Faktura does not keep is ignored.
async fn a_cards_new_expiry_from_stripe_is_saved_once(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = Shop::new(store, localstripe.gateway()).await;
    let card = s.add_card(&localstripe, "4242424242424242").await;
    assert_eq!((card.exp_month, card.exp_year), (12, 2034));
    let mut object = localstripe
        .get(&format!("/v1/payment_methods/{}", card.gateway_token))
        .await;
    object["card"]["exp_month"] = json!(3);
    object["card"]["exp_year"] = json!(2031);
    let delivery = event("evt_pm_1", "payment_method.automatically_updated", &object);
    let updates = || async {
        s.api
            .app
            .store
            .audit_events(&faktura_store::AuditFilter {
                account: s.account.clone(),
                kind_prefix: Some("payment_method.updated".into()),
                since: None,
                limit: 10,
            })
            .await
            .unwrap()
    };

    // Signed with another secret: refused, nothing changes.
    let forged = stripe_signature(
        &delivery,
        "whsec_someone_else",
        chrono::Utc::now().timestamp(),
    );
    let (status, _) = s.deliver(&delivery, Some(&forged)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(s.stored_card(card.id.as_str()).await.exp_year, 2034);

    let (status, reply) = s.deliver_signed(&delivery).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["result"], "applied");
    let now = s.stored_card(card.id.as_str()).await;
    assert_eq!((now.exp_month, now.exp_year), (3, 2031));
    assert_eq!((now.last4.as_str(), now.brand), ("4242", CardBrand::Visa));
    let logged = updates().await;
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0].target, card.id.as_str());

    // A replay: nothing new. The same details in another event: nothing to change.
    let (_, reply) = s.deliver_signed(&delivery).await;
    assert_eq!(reply["result"], "duplicate");
    let same = event("evt_pm_2", "payment_method.updated", &object);
    let (_, reply) = s.deliver_signed(&same).await;
    assert_eq!(reply["result"], "ignored");
    assert_eq!(updates().await.len(), 1);

    // A card Faktura does not keep: ignored.
    let other = localstripe.create_payment_method("5555555555554444").await;
    let object = localstripe
        .get(&format!("/v1/payment_methods/{other}"))
        .await;
    let (_, reply) = s
        .deliver_signed(&event("evt_pm_3", "payment_method.updated", &object))
        .await;
    assert_eq!(reply["result"], "ignored");
    assert_eq!(updates().await.len(), 1);
}

faktura_store::on_both_backends!(
    a_succeeded_intent_settles_its_payment_once,
    a_failed_intent_fails_its_payment,
    a_succeeded_setup_saves_its_card_once,
    a_cards_new_expiry_from_stripe_is_saved_once,
);
