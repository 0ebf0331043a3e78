//! Drives the real router in-process: a cookie jar, forms with CSRF tokens, demo data.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use faktura_gateway::SandboxGateway;
use faktura_store::demo::DemoInput;
use faktura_store::Store;
use faktura_web::i18n::I18n;
use faktura_web::state::AppState;
use faktura_web::Config;
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

pub mod admin;
pub mod api;
pub mod documents;
pub mod mail;
pub mod portal;
pub mod stripe;

pub const PASSWORD: &str = "correct-horse-battery";

/// Hashing with argon2 is slow on purpose; do it once per test binary.
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| faktura_web::auth::hash_password(PASSWORD).unwrap())
        .clone()
}

/// The built-in articles, indexed once per test binary.
fn help_library() -> Arc<faktura_help::HelpLibrary> {
    static LIBRARY: OnceLock<Arc<faktura_help::HelpLibrary>> = OnceLock::new();
    LIBRARY
        .get_or_init(|| Arc::new(faktura_help::HelpLibrary::load(true, &[]).0))
        .clone()
}

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub sandbox: Arc<SandboxGateway>,
}

impl TestApp {
    pub async fn with_demo(store: Store) -> TestApp {
        let sandbox = Arc::new(SandboxGateway::new());
        Self::with_gateway(store, sandbox.clone(), sandbox).await
    }

    /// The demo with `gateway` in front of the sandbox (e.g. one that holds charges back).
    pub async fn with_gateway(
        store: Store,
        gateway: Arc<dyn faktura_gateway::PaymentGateway>,
        sandbox: Arc<SandboxGateway>,
    ) -> TestApp {
        Self::configured(store, gateway, sandbox, Config::default())
            .await
            .0
    }

    /// The demo on the sandbox, and the state too (for the janitor's rounds a test runs).
    pub async fn with_demo_and_state(store: Store) -> (TestApp, AppState) {
        let sandbox = Arc::new(SandboxGateway::new());
        Self::configured(store, sandbox.clone(), sandbox, Config::default()).await
    }

    /// [`TestApp::with_gateway`], and the state too (for the janitor's rounds a test runs).
    pub async fn with_gateway_and_state(
        store: Store,
        gateway: Arc<dyn faktura_gateway::PaymentGateway>,
    ) -> (TestApp, AppState) {
        let sandbox = Arc::new(SandboxGateway::new());
        Self::configured(store, gateway, sandbox, Config::default()).await
    }

    /// The demo with outgoing mail going to `mailer` and links pointing at
    /// `https://faktura.example`; the state too, for the workers a test runs itself.
    pub async fn with_mailer(
        store: Store,
        mailer: Arc<dyn faktura_app::mail::Mailer>,
    ) -> (TestApp, AppState) {
        let sandbox = Arc::new(SandboxGateway::new());
        let config = Config {
            mailer,
            public_url: "https://faktura.example".into(),
            ..Config::default()
        };
        Self::configured(store, sandbox.clone(), sandbox, config).await
    }

    /// The demo on the sandbox with `config` (e.g. other seller details); the state too.
    pub async fn with_config(store: Store, config: Config) -> (TestApp, AppState) {
        let sandbox = Arc::new(SandboxGateway::new());
        Self::configured(store, sandbox.clone(), sandbox, config).await
    }

    async fn configured(
        store: Store,
        gateway: Arc<dyn faktura_gateway::PaymentGateway>,
        sandbox: Arc<SandboxGateway>,
        config: Config,
    ) -> (TestApp, AppState) {
        store
            .load_demo(&DemoInput {
                password_hash: password_hash(),
                saved_card_token: SandboxGateway::token_for_number("4242424242424242"),
                today: chrono::Utc::now().date_naive(),
            })
            .await
            .unwrap();
        let state = AppState::new(
            store.clone(),
            gateway,
            Some(sandbox.clone()),
            I18n::load().unwrap(),
            config,
            help_library(),
        );
        let app = TestApp {
            router: faktura_web::app(state.clone()),
            store,
            sandbox,
        };
        (app, state)
    }

    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: HashMap::new(),
            accept_language: None,
        }
    }

    pub async fn signed_in(&self, email: &str) -> Browser {
        let mut browser = self.browser();
        let page = browser.get("/signin").await;
        assert_eq!(page.status, StatusCode::OK);
        let response = browser
            .post_form("/signin", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "sign-in as {email} failed: {}",
            response.body
        );
        browser
    }
}

#[derive(Clone)]
pub struct Browser {
    pub router: Router,
    pub cookies: HashMap<String, String>,
    pub accept_language: Option<String>,
}

#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    pub set_cookies: Vec<String>,
    /// The Content-Security-Policy header.
    pub csp: Option<String>,
}

impl Page {
    /// The value of the first hidden `csrf` input on the page.
    pub fn csrf(&self) -> Option<String> {
        let start = self.body.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
        let end = self.body[start..].find('"')? + start;
        Some(self.body[start..end].to_owned())
    }
}

impl Browser {
    async fn send(&mut self, request: Request<Body>) -> Page {
        let response: Response<Body> = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let csp = response
            .headers()
            .get(header::CONTENT_SECURITY_POLICY)
            .map(|v| v.to_str().unwrap().to_owned());
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for cookie in &set_cookies {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            set_cookies,
            csp,
        }
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let header: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            builder = builder.header(header::COOKIE, header.join("; "));
        }
        if let Some(lang) = &self.accept_language {
            builder = builder.header(header::ACCEPT_LANGUAGE, lang);
        }
        builder
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.request("GET", path).body(Body::empty()).unwrap();
        self.send(request).await
    }

    /// Posts a form with the CSRF token the page at `path` (or the sign-in page) carries.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let request = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// The CSRF token of the current session (or the anonymous one), read from a page.
    pub async fn csrf_token(&mut self) -> String {
        let path = if self.cookies.contains_key("faktura_session") {
            "/portal"
        } else {
            "/signin"
        };
        let page = self.get(path).await;
        page.csrf()
            .unwrap_or_else(|| panic!("no csrf token on {path}: {}", page.body))
    }
}

/// Follows redirects within the app, as a browser would.
pub async fn follow(browser: &mut Browser, mut page: Page) -> Page {
    for _ in 0..5 {
        match (&page.status, page.location.clone()) {
            (s, Some(location)) if s.is_redirection() => page = browser.get(&location).await,
            _ => break,
        }
    }
    page
}
