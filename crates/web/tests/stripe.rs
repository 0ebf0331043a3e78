//! The Stripe connector through the real router, against localstripe (started here on a free
//! loopback port): a card added through a SetupIntent (3-D Secure included) that the test
//! confirms as Stripe.js would, paying an invoice with it (a PaymentIntent created with our ids,
//! its id stored, then confirmed), declines, prepaid refusal and detach — on SQLite and
//! PostgreSQL.

mod common;

use common::api::{ba, minor, V};
use common::stripe::{self, LocalStripe, Shop};
use faktura_domain::*;
use faktura_store::Store;
use serde_json::{json, Value};

async fn a_saved_card_pays_through_a_payment_intent(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = Shop::new(store, localstripe.gateway()).await;
    let card = s.add_card(&localstripe, "4242424242424242").await;
    // Only Stripe's ids and what the list shows are kept.
    assert!(
        card.gateway_token.starts_with("pm_"),
        "{}",
        card.gateway_token
    );
    assert_eq!(
        (
            card.last4.as_str(),
            card.exp_month,
            card.exp_year,
            card.holder.as_str()
        ),
        ("4242", 12, 2034, "Astrid Holm")
    );
    assert_eq!(card.status, PaymentMethodStatus::Active);
    // One Stripe customer for the profile, made on first need and kept; the card is its.
    let customer = s
        .api
        .app
        .store
        .profile_gateway_customer(&s.account, &s.invoice.billing_profile_id)
        .await
        .unwrap()
        .expect("the profile's customer is stored");
    assert!(customer.starts_with("cus_"), "{customer}");
    let at_stripe = localstripe
        .get(&format!("/v1/payment_methods/{}", card.gateway_token))
        .await;
    assert_eq!(at_stripe["customer"], customer.as_str());
    let second = s.add_card(&localstripe, "4242424242424242").await;
    assert_eq!(
        s.api
            .app
            .store
            .profile_gateway_customer(&s.account, &s.invoice.billing_profile_id)
            .await
            .unwrap(),
        Some(customer.clone()),
        "a second card reuses the customer"
    );
    assert_ne!(second.gateway_token, card.gateway_token);

    let due = s.invoice.amount_due().unwrap();
    let reply = s.pay(&card.id).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["properties"]["status"], "Succeeded");
    assert_eq!(minor(&reply.json["properties"]["amount"]), due.minor());
    let payment = s.payment_of(&reply).await;
    let intent_id = payment
        .gateway_reference
        .clone()
        .expect("the intent's id is stored");
    assert!(intent_id.starts_with("pi_"), "{intent_id}");
    let intent = localstripe
        .get(&format!("/v1/payment_intents/{intent_id}"))
        .await;
    assert_eq!(intent["status"], "succeeded");
    assert_eq!(intent["amount"], due.minor());
    assert_eq!(
        intent["currency"],
        due.currency().code().to_ascii_lowercase()
    );
    assert_eq!(intent["customer"], customer.as_str());
    assert_eq!(intent["payment_method"], card.gateway_token.as_str());
    assert_eq!(intent["metadata"]["faktura_key"], payment.id.as_str());
    assert_eq!(intent["metadata"]["faktura_payment"], payment.id.as_str());
    assert_eq!(intent["metadata"]["faktura_invoice"], s.invoice.id.as_str());
    assert_eq!(intent["metadata"]["faktura_account"], s.account.as_str());
    assert_eq!(
        s.invoice_now()
            .await
            .status_on(chrono::Utc::now().date_naive()),
        InvoiceStatus::Paid
    );
}

async fn three_d_secure_when_adding_and_when_paying(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = Shop::new(store, localstripe.gateway()).await;
    // Adding 4000 0027 6000 3184: the bank asks for 3-D Secure; until the browser has passed
    // it, nothing is saved.
    let (id, secret) = s.begin().await;
    let (status, body) = localstripe
        .confirm_setup(&id, &secret, "4000002760003184")
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("requires_action")),
        "{body}"
    );
    let waiting = s.complete(&id).await;
    assert_eq!(waiting.status, 202, "{}", waiting.json);
    assert_eq!(waiting.json["status"], "RequiresAction");
    let (status, body) = localstripe.pass_setup_challenge(&id, &secret).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("succeeded")),
        "{body}"
    );
    let saved = s.complete(&id).await;
    assert_eq!(saved.status, 201, "{}", saved.json);
    // Completing again (a reload, the webhook) keeps the one card.
    let again = s.complete(&id).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.json["name"], saved.json["name"]);
    let card = s.stored_card(saved.json["name"].as_str().unwrap()).await;

    // Paying with it: the PaymentIntent asks for the challenge too.
    let reply = s.pay(&card.id).await;
    assert_eq!(reply.status, 202, "{}", reply.json);
    assert_eq!(reply.json["properties"]["status"], "RequiresAction");
    let payment = s.payment_of(&reply).await;
    assert_eq!(payment.state, PaymentState::RequiresAction);
    let intent = payment.gateway_reference.clone().unwrap();
    // Still waiting: asking Stripe changes nothing.
    let open = faktura_app::janitor::resolve_open_payment(&s.state.app, &payment)
        .await
        .unwrap();
    assert_eq!(open.state, PaymentState::RequiresAction);
    let (status, body) = localstripe.answer_payment_challenge(&intent, true).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("succeeded")),
        "{body}"
    );
    // The janitor's rule (as the return link and the check before a new attempt use it) asks
    // Stripe for the stored intent and settles the payment.
    let settled = faktura_app::janitor::resolve_open_payment(&s.state.app, &open)
        .await
        .unwrap();
    assert_eq!(settled.state, PaymentState::Succeeded);
    assert_eq!(s.invoice_now().await.status, InvoiceStatus::Paid);
}

async fn declines_prepaid_cards_and_detach(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = Shop::new(store, localstripe.gateway()).await;
    let cards_before = s
        .api
        .app
        .store
        .payment_methods(&s.account, &s.invoice.billing_profile_id)
        .await
        .unwrap()
        .len();

    // 4000 0000 0000 0002 is declined when it is set up: nothing is saved.
    let (id, secret) = s.begin().await;
    let (status, body) = localstripe
        .confirm_setup(&id, &secret, "4000000000000002")
        .await;
    assert_eq!(status, 402, "{body}");
    assert_eq!(body["error"]["code"], "card_declined");
    let refused = s.complete(&id).await;
    assert_eq!(refused.status, 402, "{}", refused.json);
    assert_eq!(refused.json["error"]["code"], "CardRefused");

    // A prepaid card is refused, and detached from the customer again.
    let (id, secret) = s.begin().await;
    let (status, body) = localstripe
        .confirm_setup(&id, &secret, "5105105105105100")
        .await;
    assert_eq!(status, 200, "{body}");
    let prepaid = s.complete(&id).await;
    assert_eq!(prepaid.status, 422, "{}", prepaid.json);
    assert_eq!(prepaid.json["error"]["code"], "PrepaidCardRefused");
    let pm = body["payment_method"].as_str().unwrap();
    let at_stripe = localstripe.get(&format!("/v1/payment_methods/{pm}")).await;
    assert_eq!(at_stripe["customer"], Value::Null, "{at_stripe}");
    assert_eq!(
        s.api
            .app
            .store
            .payment_methods(&s.account, &s.invoice.billing_profile_id)
            .await
            .unwrap()
            .len(),
        cards_before
    );

    // 4000 0000 0000 0341 is saved, then declined when charged: the sandbox's reason.
    let card = s.add_card(&localstripe, "4000000000000341").await;
    let reply = s.pay(&card.id).await;
    assert_eq!(reply.status, 402, "{}", reply.json);
    assert_eq!(reply.json["properties"]["status"], "Failed");
    assert_eq!(reply.json["properties"]["failureReason"], "BankDeclined");
    let payment = s.payment_of(&reply).await;
    assert_eq!(payment.state, PaymentState::Failed);
    assert_eq!(payment.failure_reason, Some(FailureReason::BankDeclined));
    let intent = localstripe
        .get(&format!(
            "/v1/payment_intents/{}",
            payment.gateway_reference.unwrap()
        ))
        .await;
    assert_eq!(intent["status"], "requires_payment_method");
    assert_ne!(s.invoice_now().await.status, InvoiceStatus::Paid);

    // Detached in Faktura: detached at Stripe too.
    let reply = s
        .api
        .call(
            "DELETE",
            &format!("{}/paymentMethodLinks/{}?{V}", s.profile_path(), card.id),
            Some(&s.token),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.json);
    assert_eq!(
        s.stored_card(card.id.as_str()).await.status,
        PaymentMethodStatus::Inactive
    );
    let at_stripe = localstripe
        .get(&format!("/v1/payment_methods/{}", card.gateway_token))
        .await;
    assert_eq!(at_stripe["customer"], Value::Null, "{at_stripe}");
}

/// A payment recorded `processing` with its PaymentIntent created and its id stored, as
/// `app::charging` leaves it just before the confirm; `confirm` then confirms it at Stripe, as
/// if Faktura crashed (or the answer was lost) right after.
async fn payment_stopped_before_its_answer(
    s: &Shop,
    localstripe: &LocalStripe,
    card: &PaymentMethod,
    confirm: bool,
) -> (Payment, String) {
    use faktura_gateway::{ChargeRequest, PaymentGateway};
    let admin = s
        .api
        .app
        .store
        .user_by_email(faktura_store::demo::NORDLYS_ADMIN)
        .await
        .unwrap()
        .unwrap();
    let payment = s
        .api
        .app
        .store
        .begin_payment(&faktura_store::BeginPayment {
            account: s.account.clone(),
            invoice: s.invoice.id.clone(),
            amount: None,
            payment_method: Some(card.id.clone()),
            created_by: admin.id,
            today: chrono::Utc::now().date_naive(),
            ip: None,
        })
        .await
        .unwrap()
        .unwrap();
    let gateway = localstripe.gateway();
    let mut request = ChargeRequest {
        idempotency_key: payment.id.to_string(),
        token: card.gateway_token.clone(),
        amount: payment.amount,
        return_url: "/return".into(),
        reference: None,
        metadata: vec![("faktura_account".into(), s.account.to_string())],
    };
    let intent = gateway.prepare(&request).await.unwrap().unwrap();
    assert!(s
        .api
        .app
        .store
        .record_gateway_reference(
            faktura_store::DoubtKind::Payment,
            &s.account,
            payment.id.as_str(),
            &intent
        )
        .await
        .unwrap());
    if confirm {
        request.reference = Some(intent.clone());
        gateway.charge(&request).await.unwrap();
    }
    (payment, intent)
}

fn eager_janitor() -> faktura_app::JanitorConfig {
    faktura_app::JanitorConfig {
        grace: std::time::Duration::ZERO,
        abandon_after: std::time::Duration::ZERO,
        ..faktura_app::JanitorConfig::default()
    }
}

async fn the_janitor_settles_a_charge_whose_answer_was_lost(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = Shop::new(store, localstripe.gateway()).await;
    let card = s.add_card(&localstripe, "4242424242424242").await;
    let (payment, intent) = payment_stopped_before_its_answer(&s, &localstripe, &card, true).await;
    assert_eq!(
        localstripe
            .get(&format!("/v1/payment_intents/{intent}"))
            .await["status"],
        "succeeded"
    );
    // Until the janitor asks, the invoice waits and no new attempt may start.
    let reply = s.pay(&card.id).await;
    assert_eq!(reply.status, 409, "{}", reply.json);
    let looked = faktura_app::janitor::run_once(&s.state.app, &eager_janitor())
        .await
        .unwrap();
    assert!(looked >= 1, "the janitor looked at {looked} rows");
    let settled = s
        .api
        .app
        .store
        .payment(&s.account, &payment.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settled.state, PaymentState::Succeeded);
    assert_eq!(settled.gateway_reference.as_deref(), Some(intent.as_str()));
    assert_eq!(s.invoice_now().await.status, InvoiceStatus::Paid);
    // One charge at Stripe for the invoice, and another Pay now is refused.
    let intents = localstripe.get("/v1/payment_intents?limit=100").await;
    let ours: Vec<&Value> = intents["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["metadata"]["faktura_account"] == s.account.as_str())
        .collect();
    assert_eq!(ours.len(), 1, "{intents}");
    let reply = s.pay(&card.id).await;
    assert_eq!(reply.status, 409, "{}", reply.json);
}

async fn the_janitor_cancels_an_intent_never_confirmed(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = Shop::new(store, localstripe.gateway()).await;
    let card = s.add_card(&localstripe, "4242424242424242").await;
    let (payment, intent) = payment_stopped_before_its_answer(&s, &localstripe, &card, false).await;
    // With the default patience, a young payment is left alone.
    let patient = faktura_app::JanitorConfig {
        grace: std::time::Duration::ZERO,
        first_retry: std::time::Duration::from_millis(1),
        ..faktura_app::JanitorConfig::default()
    };
    faktura_app::janitor::run_once(&s.state.app, &patient)
        .await
        .unwrap();
    assert_eq!(
        localstripe
            .get(&format!("/v1/payment_intents/{intent}"))
            .await["status"],
        "requires_confirmation"
    );
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    // Past `abandon_after`: cancelled at Stripe (so it can never be confirmed), then failed.
    faktura_app::janitor::run_once(&s.state.app, &eager_janitor())
        .await
        .unwrap();
    assert_eq!(
        localstripe
            .get(&format!("/v1/payment_intents/{intent}"))
            .await["status"],
        "canceled"
    );
    let failed = s
        .api
        .app
        .store
        .payment(&s.account, &payment.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.state, PaymentState::Failed);
    // Nothing was charged, so the invoice can be paid now.
    let reply = s.pay(&card.id).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(s.invoice_now().await.status, InvoiceStatus::Paid);
}

/// A refund through the operator API goes to Stripe as `POST /v1/refunds` on the payment's
/// PaymentIntent, with Faktura's ids in its metadata; the janitor's lookup finds it by them.
async fn a_refund_goes_to_the_payment_intent(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = Shop::new(store, localstripe.gateway()).await;
    let card = s.add_card(&localstripe, "4242424242424242").await;
    let reply = s.pay(&card.id).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    let payment = s.payment_of(&reply).await;
    let intent = payment.gateway_reference.clone().unwrap();
    let operator = s.api.operator_token().await;
    let half = payment.amount.minor() / 2;
    let refunded = s
        .api
        .call(
            "POST",
            &format!(
                "/operator/v1/billingAccounts/{}/payments/{}/refunds",
                s.account, payment.id
            ),
            Some(&operator),
            Some(json!({"amount": format!("{}.{:02}", half / 100, half % 100)})),
            None,
        )
        .await;
    assert_eq!(refunded.status, 201, "{}", refunded.json);
    assert_eq!(refunded.json["status"], "succeeded");
    let reference = refunded.json["gatewayReference"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(reference.starts_with("re_"), "{reference}");
    let at_stripe = localstripe
        .get(&format!("/v1/refunds?payment_intent={intent}"))
        .await;
    let refunds = at_stripe["data"].as_array().unwrap();
    assert_eq!(refunds.len(), 1, "{at_stripe}");
    assert_eq!(refunds[0]["amount"], half);
    let refund_id = refunded.json["id"].as_str().unwrap();
    assert_eq!(refunds[0]["metadata"]["faktura_refund"], refund_id);
    assert_eq!(
        refunds[0]["metadata"]["faktura_payment"],
        payment.id.as_str()
    );
    // What the janitor would ask: the refund under Faktura's key.
    let gateway = localstripe.gateway();
    let found = faktura_gateway::PaymentGateway::lookup_refund(&gateway, refund_id, Some(&intent))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.reference, reference);
    assert_eq!(found.status, faktura_gateway::RefundStatus::Succeeded);
    assert_eq!(found.amount.minor(), half);
    assert_eq!(
        faktura_gateway::PaymentGateway::lookup_refund(&gateway, "rf_none", Some(&intent))
            .await
            .unwrap(),
        None
    );
}

async fn an_abandoned_challenge_is_cancelled_at_stripe(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = Shop::new(store, localstripe.gateway()).await;
    let (id, secret) = s.begin().await;
    localstripe
        .confirm_setup(&id, &secret, "4000002760003184")
        .await;
    localstripe.pass_setup_challenge(&id, &secret).await;
    let saved = s.complete(&id).await;
    assert_eq!(saved.status, 201, "{}", saved.json);
    let secure = s.stored_card(saved.json["name"].as_str().unwrap()).await;

    // Cancelled by the payer through the API: the PaymentIntent is cancelled at Stripe.
    let reply = s.pay(&secure.id).await;
    assert_eq!(reply.json["properties"]["status"], "RequiresAction");
    let payment = s.payment_of(&reply).await;
    let cancel = format!(
        "{}/invoices/{}/payments/{}/cancel?{V}",
        ba(&s.account),
        s.invoice.id,
        payment.id
    );
    let cancelled = s.post(&cancel, None).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.json);
    assert_eq!(
        cancelled.json["properties"]["failureReason"],
        "AuthenticationAbandoned"
    );
    let intent = payment.gateway_reference.clone().unwrap();
    let at_stripe = localstripe
        .get(&format!("/v1/payment_intents/{intent}"))
        .await;
    assert_eq!(at_stripe["status"], "canceled", "{at_stripe}");

    // Left open past the timeout: the janitor cancels it.
    let reply = s.pay(&secure.id).await;
    assert_eq!(
        reply.json["properties"]["status"], "RequiresAction",
        "{}",
        reply.json
    );
    let payment = s.payment_of(&reply).await;
    let impatient = faktura_app::JanitorConfig {
        authentication_timeout: std::time::Duration::ZERO,
        ..eager_janitor()
    };
    faktura_app::janitor::run_once(&s.state.app, &impatient)
        .await
        .unwrap();
    let after = s.payment_of(&reply).await;
    assert_eq!(
        (after.state, after.failure_reason),
        (
            PaymentState::Failed,
            Some(FailureReason::AuthenticationAbandoned)
        )
    );
    let intent = payment.gateway_reference.clone().unwrap();
    let at_stripe = localstripe
        .get(&format!("/v1/payment_intents/{intent}"))
        .await;
    assert_eq!(at_stripe["status"], "canceled", "{at_stripe}");

    // The invoice takes another card at once.
    let card = s.add_card(&localstripe, "4242424242424242").await;
    let paid = s.pay(&card.id).await;
    assert_eq!(paid.status, 200, "{}", paid.json);
    assert_eq!(s.invoice_now().await.status, InvoiceStatus::Paid);
}

/// `serve --demo --gateway stripe`: the demo's saved card is made at Stripe (its test card
/// `pm_card_visa`, on the profile's customer) on the first start, once, and pays there.
async fn the_demos_card_is_made_at_stripe(store: Store) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    store
        .load_demo(&faktura_store::demo::DemoInput {
            password_hash: faktura_web::auth::hash_password("demo-password").unwrap(),
            saved_card_token: faktura_store::demo::CARD_MADE_AT_GATEWAY.into(),
            today: chrono::Utc::now().date_naive(),
        })
        .await
        .unwrap();
    let s = Shop::new(store, localstripe.gateway()).await;
    let waiting = s
        .api
        .app
        .store
        .payment_methods(&s.account, &s.invoice.billing_profile_id)
        .await
        .unwrap();
    let demo = waiting
        .iter()
        .find(|m| m.gateway_token == faktura_store::demo::CARD_MADE_AT_GATEWAY)
        .expect("the demo's card waits to be made")
        .clone();

    let made = faktura_app::hosted_cards::make_demo_cards(&s.state.app)
        .await
        .unwrap();
    assert_eq!(made, 1);
    let card = s.stored_card(demo.id.as_str()).await;
    assert!(
        card.gateway_token.starts_with("pm_"),
        "{}",
        card.gateway_token
    );
    assert_eq!((card.last4.as_str(), card.brand), ("4242", CardBrand::Visa));
    let customer = s
        .api
        .app
        .store
        .profile_gateway_customer(&s.account, &s.invoice.billing_profile_id)
        .await
        .unwrap()
        .expect("the profile's customer was made");
    let at_stripe = localstripe
        .get(&format!("/v1/payment_methods/{}", card.gateway_token))
        .await;
    assert_eq!(at_stripe["customer"], customer.as_str(), "{at_stripe}");
    // A second start makes nothing.
    let again = faktura_app::hosted_cards::make_demo_cards(&s.state.app)
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(
        s.stored_card(demo.id.as_str()).await.gateway_token,
        card.gateway_token
    );

    let reply = s.pay(&card.id).await;
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["properties"]["status"], "Succeeded");
    assert_eq!(s.invoice_now().await.status, InvoiceStatus::Paid);
}

faktura_store::on_both_backends!(
    a_refund_goes_to_the_payment_intent,
    a_saved_card_pays_through_a_payment_intent,
    three_d_secure_when_adding_and_when_paying,
    declines_prepaid_cards_and_detach,
    the_janitor_settles_a_charge_whose_answer_was_lost,
    the_janitor_cancels_an_intent_never_confirmed,
    an_abandoned_challenge_is_cancelled_at_stripe,
    the_demos_card_is_made_at_stripe,
);
