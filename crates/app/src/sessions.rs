//! Signing in and out: passwords (argon2id), failed-attempt throttling per e-mail, server-side
//! sessions, and the language a signed-in person prefers.

use crate::{Actor, AppError, AppResult, Services};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Duration;
use faktura_domain::{Locale, User};
use faktura_store::NewAuditEvent;

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

/// A hash to verify against when the e-mail is unknown, so timing does not reveal which
/// addresses have accounts.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-for-timing").unwrap_or_default())
}

/// A fresh CSRF token for a visitor who is not signed in (256 random bits, hex).
pub fn anonymous_csrf_token() -> String {
    faktura_store::random_token()
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
    /// Too many failed attempts for this e-mail within the window.
    #[error("too many failed sign-ins")]
    Throttled,
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

/// Checks the credentials and opens a fresh session. After
/// `config.max_failed_sign_ins` failures for an e-mail within `config.sign_in_window_minutes`
/// further attempts are refused without checking the password. Every outcome is audited
/// except throttled ones; `old_session` (the visitor's previous session, if any) ends, so
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
    let window_start = app.now() - Duration::minutes(app.config.sign_in_window_minutes);
    let failures = app
        .store
        .sign_in_failures_since(email, window_start)
        .await?;
    if failures >= i64::from(app.config.max_failed_sign_ins) {
        return Err(SignInError::Throttled);
    }
    let credentials = app.store.credentials(email).await?;
    let user = match &credentials {
        Some((user, Some(hash))) if verify_password(hash, password) => Some(user.clone()),
        Some(_) => None,
        None => {
            // Spend the same time as a real check so timing does not reveal unknown e-mails.
            verify_password(decoy_hash(), password);
            None
        }
    };
    let Some(user) = user else {
        app.store.record_sign_in_failure(email, ip).await?;
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
    app.store.clear_sign_in_failures(email).await?;
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
        // Even the right password is refused once the window holds too many failures.
        assert!(matches!(
            attempt("ap@example.com", "correct horse battery").await,
            Err(SignInError::Throttled)
        ));
    }

    #[test]
    fn decoy_is_a_real_hash() {
        assert!(decoy_hash().starts_with("$argon2id$"));
        assert_eq!(anonymous_csrf_token().len(), 64);
    }
}
