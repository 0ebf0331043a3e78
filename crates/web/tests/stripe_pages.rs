//! The portal's pages that take a card, through the real router, with Stripe as the gateway:
//! Stripe.js Elements' mount instead of Faktura's card form, and a Content-Security-Policy that
//! allows exactly the configured Stripe.js origin (and Stripe's API for connections); with the
//! sandbox, the card form and the policy as they were. Then, against localstripe, the pages'
//! own steps (begin a setup, finish it, pay with a new card, the 3-D Secure page of a payment)
//! as the page's script and Stripe.js would take them.

mod common;

use common::api::overdue_with_card;
use common::stripe::{self, LocalStripe};
use common::{follow, Browser, TestApp};
use faktura_domain::*;
use faktura_gateway::{StripeConfig, StripeGateway};
use faktura_store::demo::NORDLYS_ADMIN;
use faktura_store::Store;
use serde_json::Value;
use std::sync::Arc;

/// The policy without Stripe, as it always was.
const SANDBOX_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// A Stripe connector whose script and API are on two made-up origins (nothing is called).
fn offline_stripe() -> StripeGateway {
    let mut config = StripeConfig::new("sk_test_pages", "pk_test_pages", "whsec_pages");
    config.api_base = "https://api.stripe.test".into();
    config.js_url = "https://js.stripe.test/v3/".into();
    StripeGateway::new(config).unwrap()
}

struct Portal {
    app: TestApp,
    browser: Browser,
    account: BillingAccountId,
    invoice: Invoice,
}

async fn portal(store: Store, gateway: Option<Arc<dyn faktura_gateway::PaymentGateway>>) -> Portal {
    let app = match gateway {
        Some(gateway) => TestApp::with_gateway_and_state(store, gateway).await.0,
        None => TestApp::with_demo(store).await,
    };
    let (account, invoice, _) = overdue_with_card(&app).await;
    let browser = app.signed_in(NORDLYS_ADMIN).await;
    Portal {
        app,
        browser,
        account,
        invoice,
    }
}

impl Portal {
    fn methods_path(&self) -> String {
        format!(
            "/billing/{}/payment-methods?profile={}",
            self.account, self.invoice.billing_profile_id
        )
    }

    fn pay_path(&self) -> String {
        format!("/billing/{}/invoices/{}/pay", self.account, self.invoice.id)
    }

    async fn cards(&self) -> Vec<PaymentMethod> {
        self.app
            .store
            .payment_methods(&self.account, &self.invoice.billing_profile_id)
            .await
            .unwrap()
    }

    /// What the page's script does first: a setup begun through the portal (setup, secret).
    async fn begin(&mut self) -> (String, String) {
        let page = self
            .browser
            .post_form(
                &format!("/billing/{}/payment-methods/setup", self.account),
                &[("profile", self.invoice.billing_profile_id.as_str())],
            )
            .await;
        assert_eq!(page.status, 201, "{}", page.body);
        let json: Value = serde_json::from_str(&page.body).unwrap();
        let setup = json["setup"].as_str().unwrap().to_owned();
        assert!(setup.starts_with("seti_"), "{setup}");
        (setup, json["clientSecret"].as_str().unwrap().to_owned())
    }

    async fn finish(&mut self, setup: &str) -> common::Page {
        let page = self
            .browser
            .post_form(
                &format!("/billing/{}/payment-methods/setup/finish", self.account),
                &[
                    ("profile", self.invoice.billing_profile_id.as_str()),
                    ("setup", setup),
                ],
            )
            .await;
        follow(&mut self.browser, page).await
    }

    async fn invoice_status(&self) -> InvoiceStatus {
        self.app
            .store
            .invoice(&self.account, &self.invoice.id)
            .await
            .unwrap()
            .unwrap()
            .status_on(chrono::Utc::now().date_naive())
    }
}

fn assert_elements_mount(body: &str, js_url: &str, what: &str) {
    assert!(
        body.contains("data-stripe-card"),
        "{what}: no card field mount\n{body}"
    );
    assert!(
        body.contains(&format!("<script src=\"{js_url}\"></script>"))
            || body.contains(&format!(
                "<script src=\"{}\"></script>",
                js_url.replace('/', "&#x2f;")
            )),
        "{what}: Stripe.js is not loaded from {js_url}\n{body}"
    );
    assert!(
        body.contains("src=\"/static/stripe-elements.js\""),
        "{what}"
    );
    assert!(body.contains("data-stripe-key=\""), "{what}");
    assert!(
        body.contains("data-test-id=\"elements-no-js\""),
        "{what}: no message without script"
    );
    for field in ["name=\"number\"", "name=\"cvc\"", "name=\"expiry\""] {
        assert!(
            !body.contains(field),
            "{what}: Faktura's card form ({field}) is there"
        );
    }
    assert!(!body.contains("<script>"), "{what}: an inline script");
}

async fn stripe_pages_mount_elements_under_their_policy(store: Store) {
    let mut p = portal(store, Some(Arc::new(offline_stripe()))).await;
    let want = "default-src 'self'; script-src 'self' https://js.stripe.test; style-src 'self'; \
                img-src 'self' data:; connect-src 'self' https://js.stripe.test https://api.stripe.test; \
                frame-src https://js.stripe.test; form-action 'self'; frame-ancestors 'none'; \
                base-uri 'none'; object-src 'none'";
    let methods = p.browser.get(&p.methods_path()).await;
    assert_eq!(methods.status, 200, "{}", methods.body);
    assert_elements_mount(
        &methods.body,
        "https://js.stripe.test/v3/",
        "payment methods",
    );
    assert!(
        methods.body.contains("action=\"/billing/"),
        "{}",
        methods.body
    );
    assert!(methods.body.contains("/payment-methods/setup/finish\""));
    assert!(methods.body.contains("name=\"csrf\""));
    assert_eq!(methods.csp.as_deref(), Some(want));

    let pay = p.browser.get(&p.pay_path()).await;
    assert_eq!(pay.status, 200, "{}", pay.body);
    assert_elements_mount(&pay.body, "https://js.stripe.test/v3/", "pay now");
    assert!(pay.body.contains("data-stripe-form=\"pay\""));
    assert!(pay.body.contains("value=\"new\""), "the new-card choice");
    assert_eq!(pay.csp.as_deref(), Some(want));

    // Every response carries the same policy, the script too.
    let script = p.browser.get("/static/stripe-elements.js").await;
    assert_eq!(script.status, 200);
    assert!(script.body.contains("confirmCardSetup"));
    assert_eq!(script.csp.as_deref(), Some(want));

    // In Danish too, every word from the bundles.
    p.browser
        .cookies
        .insert("faktura_lang".into(), "da-DK".into());
    let dansk = p.browser.get(&p.methods_path()).await;
    assert!(dansk.body.contains("Kortoplysninger"), "{}", dansk.body);
}

async fn sandbox_pages_keep_the_card_form_and_policy(store: Store) {
    let mut p = portal(store, None).await;
    for path in [p.methods_path(), p.pay_path()] {
        let page = p.browser.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("name=\"number\""), "{path}");
        assert!(!page.body.contains("data-stripe-card"), "{path}");
        assert!(!page.body.contains("stripe-elements.js"), "{path}");
        assert_eq!(page.csp.as_deref(), Some(SANDBOX_CSP), "{path}");
    }
}

/// A portal on localstripe, or `None` (skipped, see `common::stripe`).
async fn on_localstripe(store: Store) -> Option<(Portal, LocalStripe)> {
    let localstripe = stripe::start()?;
    let p = portal(store, Some(Arc::new(localstripe.gateway()))).await;
    Some((p, localstripe))
}

async fn a_card_added_and_an_invoice_paid_through_the_pages(store: Store) {
    let Some((mut p, localstripe)) = on_localstripe(store).await else {
        return;
    };
    let page = p.browser.get(&p.methods_path()).await;
    assert_eq!(
        page.csp
            .as_deref()
            .map(|c| c.contains(&format!("script-src 'self' {};", localstripe.base))),
        Some(true),
        "{:?}",
        page.csp
    );
    let before = p.cards().await.len();
    // Add a card: begin, Stripe.js confirms (the card goes to localstripe only), finish.
    let (setup, secret) = p.begin().await;
    let (status, body) = localstripe
        .confirm_setup(&setup, &secret, "5555555555554444")
        .await;
    assert_eq!(status, 200, "{body}");
    let listed = p.finish(&setup).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(
        listed.body.contains("data-test-id=\"methods-notice\""),
        "{}",
        listed.body
    );
    assert!(
        listed.body.contains("data-last4=\"4444\""),
        "{}",
        listed.body
    );
    let cards = p.cards().await;
    assert_eq!(cards.len(), before + 1);
    let card = cards.iter().find(|c| c.last4 == "4444").unwrap();
    assert!(
        card.gateway_token.starts_with("pm_"),
        "{}",
        card.gateway_token
    );

    // Pay now with a new card, "Save this card for later" ticked: set up on the profile first,
    // then charged as a saved card.
    let (setup, secret) = p.begin().await;
    let (status, body) = localstripe
        .confirm_setup(&setup, &secret, "4242424242424242")
        .await;
    assert_eq!(status, 200, "{body}");
    let paid = p
        .browser
        .post_form(
            &p.pay_path(),
            &[("method", "new"), ("save", "yes"), ("setup", &setup)],
        )
        .await;
    assert!(paid.status.is_redirection(), "{}", paid.body);
    let outcome = follow(&mut p.browser, paid).await;
    assert!(
        outcome.body.contains("data-state=\"succeeded\""),
        "{}",
        outcome.body
    );
    assert_eq!(p.invoice_status().await, InvoiceStatus::Paid);
}

async fn a_payment_asking_for_3ds_is_finished_by_stripe_js(store: Store) {
    let Some((mut p, localstripe)) = on_localstripe(store).await else {
        return;
    };
    let (setup, secret) = p.begin().await;
    localstripe
        .confirm_setup(&setup, &secret, "4000002760003184")
        .await;
    localstripe.pass_setup_challenge(&setup, &secret).await;
    p.finish(&setup).await;
    let card = p
        .cards()
        .await
        .into_iter()
        .find(|c| c.last4 == "3184")
        .expect("the 3-D Secure card is saved");
    let submitted = p
        .browser
        .post_form(&p.pay_path(), &[("method", card.id.as_str())])
        .await;
    let to = submitted.location.clone().unwrap_or_default();
    assert!(to.ends_with("/authenticate"), "{to}: {}", submitted.body);
    let page = p.browser.get(&to).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("data-stripe-action"), "{}", page.body);
    assert!(
        page.body.contains("data-client-secret=\"pi_"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>"));
    // What Stripe.js does on that page (localstripe: confirmCardPayment's challenge), then
    // the page goes to the return path.
    let payment = to
        .trim_end_matches("/authenticate")
        .rsplit('/')
        .next()
        .unwrap();
    let payment = p
        .app
        .store
        .payment(&p.account, &PaymentId::parse(payment).unwrap())
        .await
        .unwrap()
        .unwrap();
    let (status, body) = localstripe
        .answer_payment_challenge(payment.gateway_reference.as_deref().unwrap(), true)
        .await;
    assert_eq!(status, 200, "{body}");
    let back = p
        .browser
        .get(&format!("{}/return", to.trim_end_matches("/authenticate")))
        .await;
    let outcome = follow(&mut p.browser, back).await;
    assert!(
        outcome.body.contains("data-state=\"succeeded\""),
        "{}",
        outcome.body
    );
    // Decided now: the page has nothing left to do and shows the outcome.
    let again = p.browser.get(&to).await;
    assert!(again.status.is_redirection());
    assert_eq!(p.invoice_status().await, InvoiceStatus::Paid);
}

async fn a_declined_card_and_a_replace_through_the_pages(store: Store) {
    let Some((mut p, localstripe)) = on_localstripe(store).await else {
        return;
    };
    let before = p.cards().await.len();
    // 4000 0000 0000 0002 is declined while it is set up: the list says why, as with the
    // sandbox, and nothing is saved.
    let (setup, secret) = p.begin().await;
    let (status, _) = localstripe
        .confirm_setup(&setup, &secret, "4000000000000002")
        .await;
    assert_eq!(status, 402);
    let refused = p.finish(&setup).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("data-test-id=\"methods-problem\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("The card wasn"), "{}", refused.body);
    assert!(
        refused.body.contains("data-stripe-card"),
        "the field is offered again"
    );
    assert_eq!(p.cards().await.len(), before);

    // Replace the default card: the new one is added and made the default in one step.
    let old = p.cards().await.remove(0);
    let (setup, secret) = p.begin().await;
    localstripe
        .confirm_setup(&setup, &secret, "5555555555554444")
        .await;
    let page = p
        .browser
        .post_form(
            &format!("/billing/{}/payment-methods/setup/finish", p.account),
            &[
                ("profile", p.invoice.billing_profile_id.as_str()),
                ("setup", &setup),
                ("replaces", old.id.as_str()),
            ],
        )
        .await;
    assert!(
        page.location
            .as_deref()
            .unwrap_or_default()
            .ends_with("done=replaced"),
        "{page:?}"
    );
    let profile = p
        .app
        .store
        .profile(&p.account, &p.invoice.billing_profile_id)
        .await
        .unwrap()
        .unwrap();
    let default = profile.default_payment_method_id.unwrap();
    let new = p
        .cards()
        .await
        .into_iter()
        .find(|c| c.id == default)
        .unwrap();
    assert_eq!(new.last4, "4444");
    assert!(new.gateway_token.starts_with("pm_"));

    // Someone who may not manage the cards is refused, before Stripe hears of it.
    let mut reader = p.app.signed_in(faktura_store::demo::NORDLYS_READER).await;
    let refused = reader
        .post_form(
            &format!("/billing/{}/payment-methods/setup", p.account),
            &[("profile", p.invoice.billing_profile_id.as_str())],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
}

/// Settle balance (Prairie, pay-as-you-go) with a saved 3-D Secure card: the same page as a
/// payment's, then the settlement's return path.
async fn a_settlement_asking_for_3ds_is_finished_by_stripe_js(store: Store) {
    use faktura_store::demo::PRAIRIE_OWNER;
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let app = TestApp::with_gateway_and_state(store, Arc::new(localstripe.gateway()))
        .await
        .0;
    let owner = app
        .store
        .user_by_email(PRAIRIE_OWNER)
        .await
        .unwrap()
        .unwrap();
    let account = app.store.accounts_for_user(&owner.id).await.unwrap()[0]
        .id
        .clone();
    let profile = app.store.profiles(&account).await.unwrap()[0].id.clone();
    let mut browser = app.signed_in(PRAIRIE_OWNER).await;
    let begun = browser
        .post_form(
            &format!("/billing/{account}/payment-methods/setup"),
            &[("profile", profile.as_str())],
        )
        .await;
    assert_eq!(begun.status, 201, "{}", begun.body);
    let begun: Value = serde_json::from_str(&begun.body).unwrap();
    let (setup, secret) = (
        begun["setup"].as_str().unwrap(),
        begun["clientSecret"].as_str().unwrap(),
    );
    localstripe
        .confirm_setup(setup, secret, "4000002760003184")
        .await;
    localstripe.pass_setup_challenge(setup, secret).await;
    let finished = browser
        .post_form(
            &format!("/billing/{account}/payment-methods/setup/finish"),
            &[("profile", profile.as_str()), ("setup", setup)],
        )
        .await;
    assert!(finished.status.is_redirection(), "{}", finished.body);
    let card = app
        .store
        .payment_methods(&account, &profile)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.last4 == "3184")
        .expect("the 3-D Secure card is saved");

    let submitted = browser
        .post_form(
            &format!("/billing/{account}/settle"),
            &[("method", card.id.as_str())],
        )
        .await;
    let to = submitted.location.clone().unwrap_or_default();
    assert!(to.ends_with("/authenticate"), "{to}: {}", submitted.body);
    let page = browser.get(&to).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("data-client-secret=\"pi_"),
        "{}",
        page.body
    );
    let base = to.trim_end_matches("/authenticate");
    let id = SettlementId::parse(base.rsplit('/').next().unwrap()).unwrap();
    let settlement = app.store.settlement(&account, &id).await.unwrap().unwrap();
    let (status, body) = localstripe
        .answer_payment_challenge(settlement.gateway_reference.as_deref().unwrap(), true)
        .await;
    assert_eq!(status, 200, "{body}");
    let back = browser.get(&format!("{base}/return")).await;
    let outcome = follow(&mut browser, back).await;
    assert!(
        outcome.body.contains("data-state=\"succeeded\""),
        "{}",
        outcome.body
    );
}

/// Stripe's own Stripe.js may show the bank's 3-D Secure frames (hooks.stripe.com); no other
/// script gets those origins (the policy above, for js.stripe.test, has none).
async fn stripes_own_script_may_frame_its_3ds_check(store: Store) {
    let gateway = StripeGateway::new(StripeConfig::new(
        "sk_test_pages",
        "pk_test_pages",
        "whsec_pages",
    ))
    .unwrap();
    let mut p = portal(store, Some(Arc::new(gateway))).await;
    let pay = p.browser.get(&p.pay_path()).await;
    assert_eq!(pay.status, 200, "{}", pay.body);
    assert_elements_mount(&pay.body, "https://js.stripe.com/v3/", "pay now");
    assert_eq!(
        pay.csp.as_deref(),
        Some(
            "default-src 'self'; script-src 'self' https://js.stripe.com https://*.js.stripe.com; \
             style-src 'self'; img-src 'self' data:; connect-src 'self' https://js.stripe.com \
             https://api.stripe.com; frame-src https://js.stripe.com https://*.js.stripe.com \
             https://hooks.stripe.com; form-action 'self'; frame-ancestors 'none'; \
             base-uri 'none'; object-src 'none'"
        )
    );
}

impl Portal {
    /// Pays with a card Stripe.js made for this payment (`createPaymentMethod`): the outcome
    /// page the form leads to (through the authenticate page when the bank asks).
    async fn pay_once_with(&mut self, method: &str) -> common::Page {
        let paid = self
            .browser
            .post_form(
                &self.pay_path(),
                &[("method", "new"), ("payment_method", method)],
            )
            .await;
        assert!(paid.status.is_redirection(), "{}", paid.body);
        paid
    }

    async fn payment_of(&self, location: &str) -> Payment {
        let id = location
            .trim_end_matches("/authenticate")
            .rsplit('/')
            .next()
            .unwrap();
        self.app
            .store
            .payment(&self.account, &PaymentId::parse(id).unwrap())
            .await
            .unwrap()
            .unwrap()
    }
}

/// A manager who leaves "Save this card for later" unticked: the card Stripe.js made is
/// charged on no customer and kept nowhere (not in Faktura, not on the profile's customer).
async fn a_new_card_not_saved_is_charged_once_and_kept_nowhere(store: Store) {
    let Some((mut p, localstripe)) = on_localstripe(store).await else {
        return;
    };
    let pane = p.browser.get(&p.pay_path()).await;
    // "Save this card for later" is offered to a manager, unticked.
    let at = pane.body.find("id=\"save-card\"").expect("the save choice");
    let tag = &pane.body[at..at + pane.body[at..].find('>').unwrap()];
    assert!(
        tag.contains("type=\"checkbox\"") || pane.body[..at].ends_with("type=\"checkbox\" "),
        "{tag}"
    );
    assert!(!tag.contains("checked"), "{tag}");
    // The profile has a customer at Stripe already (a card added through the pages).
    let (setup, secret) = p.begin().await;
    localstripe
        .confirm_setup(&setup, &secret, "5555555555554444")
        .await;
    p.finish(&setup).await;
    let customer = p
        .app
        .store
        .profile_gateway_customer(&p.account, &p.invoice.billing_profile_id)
        .await
        .unwrap()
        .expect("a customer");
    let before = p.cards().await.len();

    let method = localstripe.create_payment_method("4242424242424242").await;
    let paid = p.pay_once_with(&method).await;
    let payment = p.payment_of(paid.location.as_deref().unwrap()).await;
    let outcome = follow(&mut p.browser, paid).await;
    assert!(
        outcome.body.contains("data-state=\"succeeded\""),
        "{}",
        outcome.body
    );
    assert_eq!(p.invoice_status().await, InvoiceStatus::Paid);
    assert_eq!(
        payment.payment_method_id, None,
        "the payment names no saved card"
    );
    assert_eq!(p.cards().await.len(), before, "no card was saved");
    let intent = localstripe
        .get(&format!(
            "/v1/payment_intents/{}",
            payment.gateway_reference.unwrap()
        ))
        .await;
    assert_eq!(intent["status"], "succeeded", "{intent}");
    assert_eq!(intent["payment_method"], method.as_str());
    assert_eq!(intent["customer"], Value::Null, "{intent}");
    let at_stripe = localstripe
        .get(&format!("/v1/payment_methods/{method}"))
        .await;
    assert_eq!(at_stripe["customer"], Value::Null, "{at_stripe}");
    let on_customer = localstripe
        .get(&format!(
            "/v1/payment_methods?customer={customer}&type=card"
        ))
        .await;
    let ids: Vec<&str> = on_customer["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert!(!ids.contains(&method.as_str()), "{ids:?}");
}

/// Someone who may pay but not manage cards (an invoice manager) pays with a new card under
/// Stripe too, for this payment only, through the bank's 3-D Secure check; and a declined one
/// says why, as the sandbox does.
async fn a_payer_who_may_not_manage_cards_pays_with_a_new_card(store: Store) {
    let Some((p, localstripe)) = on_localstripe(store).await else {
        return;
    };
    let mut p = Portal {
        browser: p
            .app
            .signed_in(faktura_store::demo::NORDLYS_INVOICE_MANAGER)
            .await,
        ..p
    };
    let pane = p.browser.get(&p.pay_path()).await;
    assert_eq!(pane.status, 200, "{}", pane.body);
    assert!(pane.body.contains("value=\"new\""), "{}", pane.body);
    assert!(
        pane.body.contains("data-test-id=\"card-used-once\""),
        "{}",
        pane.body
    );
    assert!(!pane.body.contains("data-test-id=\"save-card\""));
    let before = p.cards().await.len();

    // Declined when charged (4000 0000 0000 0341): the sandbox's words for it.
    let declined = localstripe.create_payment_method("4000000000000341").await;
    let paid = p.pay_once_with(&declined).await;
    let outcome = follow(&mut p.browser, paid).await;
    assert!(
        outcome.body.contains("data-state=\"failed\""),
        "{}",
        outcome.body
    );
    assert_ne!(p.invoice_status().await, InvoiceStatus::Paid);

    // The bank asks for 3-D Secure (4000 0027 6000 3184): the authenticate page runs it.
    let method = localstripe.create_payment_method("4000002760003184").await;
    let paid = p.pay_once_with(&method).await;
    let to = paid.location.clone().unwrap();
    assert!(to.ends_with("/authenticate"), "{to}");
    let page = p.browser.get(&to).await;
    assert!(
        page.body.contains("data-client-secret=\"pi_"),
        "{}",
        page.body
    );
    let payment = p.payment_of(&to).await;
    let (status, body) = localstripe
        .answer_payment_challenge(payment.gateway_reference.as_deref().unwrap(), true)
        .await;
    assert_eq!(status, 200, "{body}");
    let back = p
        .browser
        .get(&format!("{}/return", to.trim_end_matches("/authenticate")))
        .await;
    let outcome = follow(&mut p.browser, back).await;
    assert!(
        outcome.body.contains("data-state=\"succeeded\""),
        "{}",
        outcome.body
    );
    assert_eq!(p.invoice_status().await, InvoiceStatus::Paid);
    assert_eq!(p.cards().await.len(), before, "nothing saved");
    let at_stripe = localstripe
        .get(&format!("/v1/payment_methods/{method}"))
        .await;
    assert_eq!(at_stripe["customer"], Value::Null, "{at_stripe}");
}

/// A "new card" that is someone's saved card at Stripe (on a customer) is never charged that
/// way: the attempt fails and no PaymentIntent is made with it.
async fn a_saved_cards_id_is_not_taken_as_a_new_card(store: Store) {
    let Some((mut p, localstripe)) = on_localstripe(store).await else {
        return;
    };
    let (setup, secret) = p.begin().await;
    localstripe
        .confirm_setup(&setup, &secret, "5555555555554444")
        .await;
    p.finish(&setup).await;
    let saved = p
        .cards()
        .await
        .into_iter()
        .find(|c| c.last4 == "4444")
        .unwrap();
    let paid = p.pay_once_with(&saved.gateway_token).await;
    let payment = p.payment_of(paid.location.as_deref().unwrap()).await;
    assert_eq!(payment.state, PaymentState::Failed);
    assert_eq!(payment.gateway_reference, None, "no PaymentIntent");
    assert_ne!(p.invoice_status().await, InvoiceStatus::Paid);
    // Nor an empty one (the script did not run): the pane asks for the card again.
    let empty = p
        .browser
        .post_form(&p.pay_path(), &[("method", "new"), ("payment_method", "")])
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
}

faktura_store::on_both_backends!(
    a_settlement_asking_for_3ds_is_finished_by_stripe_js,
    a_declined_card_and_a_replace_through_the_pages,
    stripe_pages_mount_elements_under_their_policy,
    sandbox_pages_keep_the_card_form_and_policy,
    a_card_added_and_an_invoice_paid_through_the_pages,
    a_payment_asking_for_3ds_is_finished_by_stripe_js,
    stripes_own_script_may_frame_its_3ds_check,
    a_new_card_not_saved_is_charged_once_and_kept_nowhere,
    a_payer_who_may_not_manage_cards_pays_with_a_new_card,
    a_saved_cards_id_is_not_taken_as_a_new_card,
);
