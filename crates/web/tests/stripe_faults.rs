//! Issue #14's fault tests: localstripe behind a small HTTP proxy that, for
//! `POST /v1/payment_intents/{id}/confirm`, forwards the confirm (so the card is charged) and
//! then either drops the connection without an answer or never answers at all. Paying through
//! Faktura's API must then say 202 Processing (never Failed); with the proxy passing again, the
//! janitor — or a second Pay, which is refused with 409 after looking the open payment up —
//! settles the payment Succeeded and the invoice Paid, with exactly one charge at Stripe; a
//! further Pay is 409. On SQLite and PostgreSQL.

mod common;

use common::stripe::{self, LocalStripe, Shop};
use faktura_domain::*;
use faktura_store::Store;
use http_body_util::BodyExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The gateway's total request timeout behind the proxy: a hung confirm costs this long.
const TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// Everything is forwarded and answered.
    Pass,
    /// A confirm is forwarded to localstripe, then the connection is closed without an answer.
    DropAnswer,
    /// A confirm is forwarded to localstripe, then no answer ever comes.
    Hang,
    /// A PaymentIntent's create is forwarded (localstripe makes it), then the connection is
    /// closed without an answer: Faktura never learns the intent's id.
    DropCreateAnswer,
}

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    mode: Mutex<Mode>,
    /// Confirms forwarded whose answer was dropped or held back.
    faults: AtomicUsize,
}

impl Proxy {
    /// A proxy in front of `upstream` on a free loopback port: (its base URL, the proxy).
    async fn start(upstream: &str) -> (String, Arc<Proxy>) {
        let proxy = Arc::new(Proxy {
            upstream: upstream.to_owned(),
            http: reqwest::Client::new(),
            mode: Mutex::new(Mode::Pass),
            faults: AtomicUsize::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let serving = proxy.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let proxy = serving.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let proxy = proxy.clone();
                        async move { proxy.handle(request).await }
                    });
                    // A dropped answer ends the connection with the service's error: expected.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        (base, proxy)
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// Forwards `request` to localstripe; for a confirm outside `Pass`, the answer is lost.
    /// An `Err` makes hyper close the connection without writing any response.
    async fn handle(
        &self,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> Result<hyper::Response<axum::body::Body>, std::io::Error> {
        let (parts, body) = request.into_parts();
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default();
        let is_confirm = parts.method == hyper::Method::POST
            && parts.uri.path().starts_with("/v1/payment_intents/")
            && parts.uri.path().ends_with("/confirm");
        let is_create =
            parts.method == hyper::Method::POST && parts.uri.path() == "/v1/payment_intents";
        let body = body
            .collect()
            .await
            .map_err(std::io::Error::other)?
            .to_bytes();
        let mut headers = parts.headers.clone();
        headers.remove(hyper::header::HOST);
        headers.remove(hyper::header::CONTENT_LENGTH);
        let answer = self
            .http
            .request(parts.method.clone(), format!("{}{path}", self.upstream))
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(std::io::Error::other)?;
        let status = answer.status();
        let content_type = answer.headers().get(hyper::header::CONTENT_TYPE).cloned();
        let bytes = answer.bytes().await.map_err(std::io::Error::other)?;
        let mode = *self.mode.lock().unwrap();
        let lost = match mode {
            Mode::Pass => false,
            Mode::DropAnswer | Mode::Hang => is_confirm,
            Mode::DropCreateAnswer => is_create,
        };
        if lost {
            // localstripe has confirmed (charged); its answer never reaches Faktura.
            self.faults.fetch_add(1, Ordering::SeqCst);
            if mode == Mode::Hang {
                std::future::pending::<()>().await;
            }
            return Err(std::io::Error::other("answer dropped on purpose"));
        }
        let mut response = hyper::Response::new(axum::body::Body::from(bytes));
        *response.status_mut() = status;
        if let Some(content_type) = content_type {
            response
                .headers_mut()
                .insert(hyper::header::CONTENT_TYPE, content_type);
        }
        Ok(response)
    }
}

struct Setup {
    shop: Shop,
    proxy: Arc<Proxy>,
}

impl std::ops::Deref for Setup {
    type Target = Shop;
    fn deref(&self) -> &Shop {
        &self.shop
    }
}

/// The demo with a Stripe gateway whose API base is the proxy in front of `localstripe`.
async fn setup(store: Store, localstripe: &LocalStripe) -> Setup {
    let (base, proxy) = Proxy::start(&localstripe.base).await;
    let mut config = localstripe.config();
    config.api_base = base;
    config.timeout = TIMEOUT;
    let gateway = faktura_gateway::StripeGateway::new(config).unwrap();
    Setup {
        shop: Shop::new(store, gateway).await,
        proxy,
    }
}

/// Who settles the payment in doubt once the proxy passes again.
#[derive(Clone, Copy, Debug)]
enum Settler {
    /// A janitor round (grace and patience zero).
    Janitor,
    /// A second Pay on the invoice, which looks the open payment up before anything else.
    SecondPay,
}

/// Pays with the proxy in `mode`, then lets `settler` settle with the proxy passing again.
async fn an_answer_lost_after_the_charge_is_settled_once(
    store: Store,
    mode: Mode,
    settler: Settler,
) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = setup(store, &localstripe).await;
    let card = s.add_card(&localstripe, "4242424242424242").await.id;

    s.proxy.set(mode);
    let started = Instant::now();
    let reply = s.pay(&card).await;
    let took = started.elapsed();
    assert_eq!(
        s.proxy.faults.load(Ordering::SeqCst),
        1,
        "the confirm went through the proxy"
    );
    // Charged at Stripe, but Faktura was not told: unknown, never Failed.
    assert_eq!(reply.status, 202, "{mode:?}: {}", reply.json);
    assert_eq!(reply.json["properties"]["status"], "Processing", "{mode:?}");
    if mode == Mode::Hang {
        assert!(
            took >= TIMEOUT,
            "answered after {took:?}, before the timeout"
        );
    }
    let payment_id = PaymentId::parse(reply.json["name"].as_str().unwrap()).unwrap();
    let open = s.payment(&payment_id).await;
    // Recorded `unknown` (not a fresh `processing`), so the next look settles it at once.
    assert_eq!(open.state, PaymentState::Unknown, "{mode:?}");
    let intent = open
        .gateway_reference
        .clone()
        .expect("the intent's id is stored before the confirm");
    let at_stripe = localstripe
        .get(&format!("/v1/payment_intents/{intent}"))
        .await;
    assert_eq!(at_stripe["status"], "succeeded", "{at_stripe}");
    assert_ne!(s.invoice_now().await.status, InvoiceStatus::Paid);

    s.proxy.set(Mode::Pass);
    match settler {
        Settler::Janitor => {
            let eager = faktura_app::JanitorConfig {
                grace: Duration::ZERO,
                abandon_after: Duration::ZERO,
                ..faktura_app::JanitorConfig::default()
            };
            let looked = faktura_app::janitor::run_once(&s.state.app, &eager)
                .await
                .unwrap();
            assert_eq!(looked, 1, "the janitor looked at {looked} rows");
        }
        Settler::SecondPay => {
            // A new attempt first asks Stripe about the open one: it is refused, and the
            // payment in doubt is settled by that look (no new PaymentIntent is made).
            let again = s.pay(&card).await;
            assert_eq!(again.status, 409, "{mode:?}: {}", again.json);
        }
    }
    let settled = s.payment(&payment_id).await;
    assert_eq!(settled.state, PaymentState::Succeeded, "{mode:?}");
    assert_eq!(settled.gateway_reference.as_deref(), Some(intent.as_str()));
    assert_eq!(s.invoice_now().await.status, InvoiceStatus::Paid);

    // Exactly one PaymentIntent for the account, succeeded; another Pay now is refused.
    let ours = s.intents(&localstripe).await;
    assert_eq!(ours.len(), 1, "{mode:?}, {settler:?}: {ours:?}");
    assert_eq!(ours[0]["id"], intent.as_str());
    assert_eq!(ours[0]["status"], "succeeded");
    let after = s.pay(&card).await;
    assert_eq!(after.status, 409, "{mode:?}: {}", after.json);
    assert_eq!(s.intents(&localstripe).await.len(), 1);
    assert_eq!(s.proxy.faults.load(Ordering::SeqCst), 1);
}

async fn a_dropped_answer_is_settled_by_the_janitor(store: Store) {
    an_answer_lost_after_the_charge_is_settled_once(store, Mode::DropAnswer, Settler::Janitor)
        .await;
}

async fn a_hung_confirm_is_settled_by_the_janitor(store: Store) {
    an_answer_lost_after_the_charge_is_settled_once(store, Mode::Hang, Settler::Janitor).await;
}

async fn a_dropped_answer_is_settled_by_a_second_pay(store: Store) {
    an_answer_lost_after_the_charge_is_settled_once(store, Mode::DropAnswer, Settler::SecondPay)
        .await;
}

async fn a_hung_confirm_is_settled_by_a_second_pay(store: Store) {
    an_answer_lost_after_the_charge_is_settled_once(store, Mode::Hang, Settler::SecondPay).await;
}

/// The answer to the PaymentIntent's create is lost: Faktura never learns its id, nothing was
/// confirmed. The janitor (or a second Pay's look first) finds the intent by the payment's id in
/// its metadata, cancels it at Stripe and records the payment failed; the next Pay makes a new
/// intent and pays, so exactly one intent ever succeeds.
async fn a_lost_create_answer_is_found_and_never_charged(store: Store, settler: Settler) {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let s = setup(store, &localstripe).await;
    let card = s.add_card(&localstripe, "4242424242424242").await.id;

    s.proxy.set(Mode::DropCreateAnswer);
    let reply = s.pay(&card).await;
    assert_eq!(
        s.proxy.faults.load(Ordering::SeqCst),
        1,
        "the create went through"
    );
    assert_eq!(reply.status, 202, "{}", reply.json);
    let payment_id = PaymentId::parse(reply.json["name"].as_str().unwrap()).unwrap();
    let open = s.payment(&payment_id).await;
    assert_eq!(open.state, PaymentState::Unknown);
    assert_eq!(
        open.gateway_reference, None,
        "the intent's id was never learned"
    );
    let ours = s.intents(&localstripe).await;
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours[0]["metadata"]["faktura_key"], payment_id.as_str());
    assert_ne!(ours[0]["status"], "succeeded", "{:?}", ours[0]);
    let lost = ours[0]["id"].as_str().unwrap().to_owned();

    s.proxy.set(Mode::Pass);
    let paid = match settler {
        Settler::Janitor => {
            let eager = faktura_app::JanitorConfig {
                grace: Duration::ZERO,
                abandon_after: Duration::from_secs(3600),
                ..faktura_app::JanitorConfig::default()
            };
            let looked = faktura_app::janitor::run_once(&s.state.app, &eager)
                .await
                .unwrap();
            assert_eq!(looked, 1);
            let settled = s.payment(&payment_id).await;
            assert_eq!(settled.state, PaymentState::Failed, "found and given up on");
            assert_eq!(settled.gateway_reference.as_deref(), Some(lost.as_str()));
            s.pay(&card).await
        }
        // A new attempt asks about the open one first: found, cancelled, failed; then it pays.
        Settler::SecondPay => s.pay(&card).await,
    };
    assert_eq!(paid.status, 200, "{settler:?}: {}", paid.json);
    assert_eq!(s.payment(&payment_id).await.state, PaymentState::Failed);
    assert_eq!(s.invoice_now().await.status, InvoiceStatus::Paid);
    let at_stripe = localstripe
        .get(&format!("/v1/payment_intents/{lost}"))
        .await;
    assert_eq!(at_stripe["status"], "canceled", "{at_stripe}");
    let ours = s.intents(&localstripe).await;
    assert_eq!(ours.len(), 2, "{ours:?}");
    let succeeded: Vec<_> = ours.iter().filter(|i| i["status"] == "succeeded").collect();
    assert_eq!(succeeded.len(), 1, "one charge: {ours:?}");
    assert_ne!(succeeded[0]["id"], lost.as_str());
}

async fn a_lost_create_answer_is_settled_by_the_janitor(store: Store) {
    a_lost_create_answer_is_found_and_never_charged(store, Settler::Janitor).await;
}

async fn a_lost_create_answer_is_settled_by_a_second_pay(store: Store) {
    a_lost_create_answer_is_found_and_never_charged(store, Settler::SecondPay).await;
}

/// The proxy itself: in drop mode a confirm gets no HTTP answer at all (not a 5xx).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_drops_without_an_answer() {
    let Some(localstripe) = stripe::start() else {
        return;
    };
    let (base, proxy) = Proxy::start(&localstripe.base).await;
    let passed = localstripe
        .http
        .get(format!("{base}/v1/payment_intents?limit=1"))
        .bearer_auth(stripe::SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(passed.status(), 200);
    proxy.set(Mode::DropAnswer);
    let dropped = localstripe
        .http
        .post(format!("{base}/v1/payment_intents/pi_nothing/confirm"))
        .bearer_auth(stripe::SECRET_KEY)
        .send()
        .await;
    assert!(dropped.is_err(), "{dropped:?}");
    assert_eq!(proxy.faults.load(Ordering::SeqCst), 1);
}

faktura_store::on_both_backends!(
    a_dropped_answer_is_settled_by_the_janitor,
    a_hung_confirm_is_settled_by_the_janitor,
    a_dropped_answer_is_settled_by_a_second_pay,
    a_hung_confirm_is_settled_by_a_second_pay,
    a_lost_create_answer_is_settled_by_the_janitor,
    a_lost_create_answer_is_settled_by_a_second_pay,
);
