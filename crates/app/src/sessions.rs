//! Signing in and out: passwords (argon2id), attempt throttling per e-mail and per client
//! address (counted before the password is checked; backoff, not lock-out), server-side
//! sessions, and the language a signed-in person prefers.

use crate::{Actor, AppError, AppResult, Services};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Duration;
use faktura_domain::{Locale, User};
use faktura_store::throttle::{Admission, Backoff};
use faktura_store::NewAuditEvent;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1: OWASP's recommended minimum).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when there is no real one (unknown e-mail, invited user who never
/// set a password), so timing does not reveal which addresses have accounts.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-for-timing").unwrap_or_default())
}

/// How long an anonymous CSRF token is accepted after it was issued.
pub const ANONYMOUS_CSRF_HOURS: i64 = 24;
/// The name of the key anonymous CSRF tokens are signed with.
const ANONYMOUS_CSRF_KEY: &str = "anonymous-csrf";

async fn anonymous_csrf_key(app: &Services) -> AppResult<&str> {
    let key = app
        .keys
        .anonymous_csrf
        .get_or_try_init(|| async {
            app.store
                .server_secret(ANONYMOUS_CSRF_KEY, &faktura_store::random_token())
                .await
        })
        .await?;
    Ok(key.as_str())
}

fn csrf_mac(key: &str, nonce: &str, issued: i64) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(nonce.as_bytes());
    mac.update(b".");
    mac.update(issued.to_string().as_bytes());
    Some(mac)
}

/// A fresh CSRF token for a visitor who is not signed in: a random nonce, when it was issued
/// and the server's signature over both (`nonce.issued.mac`), so a value the server never
/// issued (one planted by a sibling site, say) is refused.
pub async fn anonymous_csrf_token(app: &Services) -> AppResult<String> {
    let key = anonymous_csrf_key(app).await?;
    let nonce = faktura_store::random_token();
    let issued = app.now().timestamp();
    let mac = csrf_mac(key, &nonce, issued)
        .ok_or(AppError::Invalid("no signing key"))?
        .finalize()
        .into_bytes();
    Ok(format!("{nonce}.{issued}.{}", hex::encode(mac)))
}

/// Whether `token` is one [`anonymous_csrf_token`] issued in the last
/// [`ANONYMOUS_CSRF_HOURS`] (by any node of this deployment).
pub async fn anonymous_csrf_valid(app: &Services, token: &str) -> AppResult<bool> {
    let mut parts = token.split('.');
    let (Some(nonce), Some(issued), Some(mac), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(false);
    };
    let (Ok(issued), Ok(mac)) = (issued.parse::<i64>(), hex::decode(mac)) else {
        return Ok(false);
    };
    let age = app.now().timestamp().saturating_sub(issued);
    // A minute of clock difference between nodes is forgiven.
    if !(-60..=ANONYMOUS_CSRF_HOURS * 3600).contains(&age) || nonce.len() != 64 {
        return Ok(false);
    }
    let key = anonymous_csrf_key(app).await?;
    Ok(csrf_mac(key, nonce, issued).is_some_and(|expected| expected.verify_slice(&mac).is_ok()))
}

/// A session that was just opened; `token` goes into the cookie and is never stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub user: User,
    pub token: String,
    pub lifetime: Duration,
}

/// Why a sign-in did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// E-mail or password left empty.
    #[error("e-mail and password are required")]
    Missing,
    /// Too many failed attempts for this e-mail or from this address: the next attempt is
    /// checked only after the backoff. Says nothing about whether the e-mail exists.
    #[error("too many failed sign-ins; retry in {retry_after_seconds} s")]
    Throttled { retry_after_seconds: i64 },
    /// Unknown e-mail, no password set, or the wrong password: all the same to the person.
    #[error("wrong e-mail or password")]
    Wrong,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<faktura_store::StoreError> for SignInError {
    fn from(error: faktura_store::StoreError) -> Self {
        SignInError::App(AppError::Store(error))
    }
}

/// Forgets sign-in throttle keys whose window has passed (the janitor calls this each round);
/// returns how many.
pub async fn forget_stale_attempts(app: &Services) -> AppResult<u64> {
    let window = Duration::minutes(app.config.sign_in_window_minutes);
    Ok(app.store.forget_stale_attempts(app.now() - window).await?)
}

/// How failures for one e-mail are slowed down.
fn email_backoff(config: &crate::Config) -> Backoff {
    backoff(config, config.max_failed_sign_ins)
}

/// How failures from one client address, across e-mails, are slowed down.
fn ip_backoff(config: &crate::Config) -> Backoff {
    backoff(config, config.max_failed_sign_ins_per_ip)
}

fn backoff(config: &crate::Config, free_failures: u32) -> Backoff {
    Backoff {
        free_failures,
        window: Duration::minutes(config.sign_in_window_minutes),
        first_delay: Duration::milliseconds(config.sign_in_backoff_ms),
        max_delay: Duration::milliseconds(config.sign_in_backoff_max_ms),
    }
}

fn email_key(email: &str) -> String {
    format!("sign-in:email:{}", faktura_store::normalize_email(email))
}

fn ip_key(ip: &str) -> String {
    format!("sign-in:ip:{ip}")
}

/// Whether `password` matches `stored`, always at the cost of one argon2 verification: without
/// a stored hash (unknown e-mail, never-activated invitation) it verifies against the decoy.
fn password_matches(
    stored: Option<&str>,
    password: &str,
    verify: impl Fn(&str, &str) -> bool,
) -> bool {
    match stored {
        Some(hash) => verify(hash, password),
        None => {
            verify(decoy_hash(), password);
            false
        }
    }
}

/// Checks the credentials and opens a fresh session. The attempt is counted first, per
/// e-mail and per client address in one transaction; past `config.max_failed_sign_ins` (per
/// address `max_failed_sign_ins_per_ip`) failures in the window each attempt waits out an
/// exponential backoff and one made earlier is refused without checking the password. Every
/// checked outcome is audited; `old_session` (the visitor's previous session, if any) ends, so
/// each sign-in gets a new session id (no session fixation).
pub async fn sign_in(
    app: &Services,
    email: &str,
    password: &str,
    old_session: Option<&str>,
    ip: Option<&str>,
) -> Result<NewSession, SignInError> {
    let email = email.trim();
    if email.is_empty() || password.is_empty() {
        return Err(SignInError::Missing);
    }
    let mut keys = vec![(email_key(email), email_backoff(&app.config))];
    if let Some(ip) = ip {
        keys.push((ip_key(ip), ip_backoff(&app.config)));
    }
    let now = app.now();
    if let Admission::Wait(until) = app.store.admit_attempt(&keys, now).await? {
        let millis = (until - now).num_milliseconds().max(1);
        return Err(SignInError::Throttled {
            retry_after_seconds: (millis + 999) / 1000,
        });
    }
    let credentials = app.store.credentials(email).await?;
    let stored = credentials.as_ref().and_then(|(_, hash)| hash.as_deref());
    let user = password_matches(stored, password, verify_password)
        .then(|| credentials.as_ref().map(|(user, _)| user.clone()))
        .flatten();
    let Some(user) = user else {
        app.store
            .record_audit(&NewAuditEvent {
                billing_account_id: None,
                actor: credentials.as_ref().map(|(u, _)| u.id.clone()),
                kind: "auth.sign_in_failed".into(),
                target: faktura_store::normalize_email(email),
                detail: serde_json::json!({}),
                ip: ip.map(str::to_owned),
            })
            .await?;
        return Err(SignInError::Wrong);
    };
    app.store.clear_attempts(&email_key(email)).await?;
    if let Some(ip) = ip {
        app.store
            .forgive_attempt(&ip_key(ip), &ip_backoff(&app.config))
            .await?;
    }
    if let Some(old) = old_session {
        app.store.delete_session(old).await?;
    }
    let lifetime = Duration::hours(app.config.session_hours);
    let (token, _) = app.store.create_session(&user.id, lifetime).await?;
    // One event per account the user holds a role on (each account's log shows it), or one
    // without an account.
    let accounts = app.store.accounts_for_user(&user.id).await?;
    for account in accounts
        .iter()
        .map(|a| Some(a.id.clone()))
        .chain(accounts.is_empty().then_some(None))
    {
        app.store
            .record_audit(&NewAuditEvent {
                billing_account_id: account,
                actor: Some(user.id.clone()),
                kind: "auth.sign_in".into(),
                target: user.email.clone(),
                detail: serde_json::json!({}),
                ip: ip.map(str::to_owned),
            })
            .await?;
    }
    Ok(NewSession {
        user,
        token,
        lifetime,
    })
}

/// Ends the session behind the cookie token, if there is one.
pub async fn sign_out(app: &Services, token: Option<&str>) -> AppResult<()> {
    if let Some(token) = token {
        app.store.delete_session(token).await?;
    }
    Ok(())
}

/// A live session: who it belongs to and its CSRF token.
#[derive(Debug, Clone)]
pub struct Current {
    pub user: User,
    pub csrf_token: String,
}

/// The live session behind a cookie token; `None` for unknown or expired sessions and for
/// sessions whose user is gone.
pub async fn current(app: &Services, token: &str) -> AppResult<Option<Current>> {
    let Some(session) = app.store.session(token).await? else {
        return Ok(None);
    };
    Ok(app
        .store
        .user_by_id(&session.user_id)
        .await?
        .map(|user| Current {
            user,
            csrf_token: session.csrf_token,
        }))
}

/// Remembers the actor's language, so it wins over the browser's on their next sign-in.
pub async fn set_language(app: &Services, actor: &Actor, locale: Locale) -> AppResult<()> {
    Ok(app
        .store
        .set_user_locale(&actor.user.id, Some(locale.tag()))
        .await?)
}

/// The language the user chose, if any.
pub fn preferred_language(user: &User) -> Option<Locale> {
    user.locale.as_deref().and_then(Locale::from_tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "wrong"));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    async fn services(max_failed_sign_ins: u32) -> Services {
        let store = faktura_store::test_support::sqlite().await;
        let config = crate::Config {
            max_failed_sign_ins,
            ..crate::Config::default()
        };
        Services::new(
            store,
            std::sync::Arc::new(faktura_gateway::SandboxGateway::new()),
            config,
        )
    }

    #[tokio::test]
    async fn wrong_passwords_are_throttled_and_sessions_end_at_sign_out() {
        let app = services(2).await;
        let hash = hash_password("correct horse battery").unwrap();
        let user = app
            .store
            .create_user("ap@example.com", "AP", Some(&hash))
            .await
            .unwrap();
        let attempt = |email: &'static str, password: &'static str| {
            let app = app.clone();
            async move { sign_in(&app, email, password, None, Some("127.0.0.1")).await }
        };
        assert!(matches!(attempt(" ", "x").await, Err(SignInError::Missing)));
        assert!(matches!(
            attempt("nobody@example.com", "x").await,
            Err(SignInError::Wrong)
        ));
        let session = attempt(" AP@example.com ", "correct horse battery")
            .await
            .unwrap();
        assert_eq!(session.user.id, user.id);
        assert_eq!(session.lifetime, Duration::hours(app.config.session_hours));
        let live = current(&app, &session.token).await.unwrap().unwrap();
        assert_eq!(live.user.id, user.id);
        sign_out(&app, Some(&session.token)).await.unwrap();
        assert!(current(&app, &session.token).await.unwrap().is_none());
        for _ in 0..2 {
            assert!(matches!(
                attempt("ap@example.com", "wrong").await,
                Err(SignInError::Wrong)
            ));
        }
        // The right password is refused while the backoff runs, without being checked.
        assert!(matches!(
            attempt("ap@example.com", "correct horse battery").await,
            Err(SignInError::Throttled {
                retry_after_seconds: 1
            })
        ));
    }

    /// A clock the test moves by hand.
    struct ManualClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

    impl crate::Clock for ManualClock {
        fn now(&self) -> chrono::DateTime<chrono::Utc> {
            *self.0.lock().unwrap()
        }
    }

    impl ManualClock {
        fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
    }

    #[tokio::test]
    async fn failures_slow_down_but_never_lock_the_owner_out() {
        let mut app = services(3).await;
        let clock = std::sync::Arc::new(ManualClock(std::sync::Mutex::new(chrono::Utc::now())));
        app.clock = clock.clone();
        let hash = hash_password("right").unwrap();
        app.store
            .create_user("owner@example.com", "Owner", Some(&hash))
            .await
            .unwrap();
        let attempt = |password: &'static str| {
            let app = app.clone();
            async move { sign_in(&app, "owner@example.com", password, None, Some("10.0.0.1")).await }
        };
        for _ in 0..3 {
            assert!(matches!(attempt("wrong").await, Err(SignInError::Wrong)));
        }
        // 1 s, then 2 s, then 4 s between admitted attempts.
        for wait in [1, 2, 4] {
            assert!(matches!(
                attempt("wrong").await,
                Err(SignInError::Throttled { retry_after_seconds }) if retry_after_seconds == wait
            ));
            clock.advance(Duration::seconds(wait));
            assert!(matches!(attempt("wrong").await, Err(SignInError::Wrong)));
        }
        assert!(matches!(
            attempt("right").await,
            Err(SignInError::Throttled { .. })
        ));
        clock.advance(Duration::seconds(8));
        assert!(attempt("right").await.is_ok());
        // Success clears the e-mail's failures: three free failures again.
        for _ in 0..3 {
            assert!(matches!(attempt("wrong").await, Err(SignInError::Wrong)));
        }
    }

    #[tokio::test]
    async fn spraying_many_emails_from_one_address_is_slowed_down() {
        let mut config = crate::Config {
            max_failed_sign_ins_per_ip: 4,
            ..crate::Config::default()
        };
        config.max_failed_sign_ins = 5;
        let app = Services::new(
            faktura_store::test_support::sqlite().await,
            std::sync::Arc::new(faktura_gateway::SandboxGateway::new()),
            config,
        );
        for n in 0..4 {
            let email = format!("victim{n}@example.com");
            assert!(matches!(
                sign_in(&app, &email, "guess", None, Some("10.9.9.9")).await,
                Err(SignInError::Wrong)
            ));
        }
        assert!(matches!(
            sign_in(&app, "victim9@example.com", "guess", None, Some("10.9.9.9")).await,
            Err(SignInError::Throttled { .. })
        ));
        // Another address is not slowed down by it.
        assert!(matches!(
            sign_in(&app, "victim9@example.com", "guess", None, Some("10.1.1.1")).await,
            Err(SignInError::Wrong)
        ));
    }

    #[test]
    fn a_missing_hash_still_costs_one_verification_against_the_decoy() {
        let seen = std::cell::RefCell::new(Vec::new());
        let record = |hash: &str, _: &str| {
            seen.borrow_mut().push(hash.to_owned());
            true
        };
        // An invited user who never set a password (or an unknown e-mail): the decoy is
        // verified, and even a "match" against it is no sign-in.
        assert!(!password_matches(None, "anything", record));
        assert_eq!(*seen.borrow(), vec![decoy_hash().to_owned()]);
        assert!(password_matches(Some("$argon2id$real"), "pw", record));
        assert_eq!(seen.borrow().len(), 2);
        assert_eq!(seen.borrow()[1], "$argon2id$real");
    }

    #[test]
    fn decoy_is_a_real_hash() {
        assert!(decoy_hash().starts_with("$argon2id$"));
    }

    struct At(chrono::DateTime<chrono::Utc>);
    impl crate::Clock for At {
        fn now(&self) -> chrono::DateTime<chrono::Utc> {
            self.0
        }
    }

    #[tokio::test]
    async fn only_anonymous_csrf_tokens_this_deployment_issued_recently_are_valid() {
        let app = services(5).await;
        let token = anonymous_csrf_token(&app).await.unwrap();
        assert!(anonymous_csrf_valid(&app, &token).await.unwrap());
        assert_ne!(token, anonymous_csrf_token(&app).await.unwrap());
        // Any 64 hex characters were accepted before: a value the server never issued is not.
        let planted = "a".repeat(64);
        assert!(!anonymous_csrf_valid(&app, &planted).await.unwrap());
        let (nonce, rest) = token.split_once('.').unwrap();
        let other_nonce = format!(
            "{}{}",
            &nonce[..63],
            if nonce.ends_with('0') { '1' } else { '0' }
        );
        assert!(
            !anonymous_csrf_valid(&app, &format!("{other_nonce}.{rest}"))
                .await
                .unwrap()
        );
        for broken in [
            "",
            "..",
            "x.1.ab",
            &format!("{token}.x"),
            &format!("{nonce}.nope.{}", "0".repeat(64)),
        ] {
            assert!(
                !anonymous_csrf_valid(&app, broken).await.unwrap(),
                "{broken:?}"
            );
        }
        // Another node of the same deployment (same store, its own cache) accepts it.
        let node = Services::new(
            app.store.clone(),
            app.gateway.clone(),
            crate::Config::default(),
        );
        assert!(anonymous_csrf_valid(&node, &token).await.unwrap());
        // Another deployment does not.
        let elsewhere = services(5).await;
        assert!(!anonymous_csrf_valid(&elsewhere, &token).await.unwrap());
        // A day later it has expired.
        let later = Services {
            clock: std::sync::Arc::new(At(chrono::Utc::now()
                + Duration::hours(ANONYMOUS_CSRF_HOURS)
                + Duration::minutes(1))),
            ..app.clone()
        };
        assert!(!anonymous_csrf_valid(&later, &token).await.unwrap());
    }
}
