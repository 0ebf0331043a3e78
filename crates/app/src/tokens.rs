//! Personal access tokens for the API: create (the token is shown once), list, revoke, and the
//! bearer-token lookup every API call starts with.

use crate::{Actor, AppError, AppResult, Services};
use chrono::{DateTime, Duration, Utc};
use faktura_domain::User;
use faktura_store::NewAuditEvent;

pub use faktura_store::ApiToken;

/// The lifetimes a person may choose, in days, or `never`.
pub const EXPIRY_CHOICES: [&str; 4] = ["30", "90", "365", "never"];
/// Longest token name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Whether a token still works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    pub fn of(token: &ApiToken, now: DateTime<Utc>) -> TokenState {
        if token.revoked_at.is_some() {
            TokenState::Revoked
        } else if token.expires_at.is_some_and(|at| at <= now) {
            TokenState::Expired
        } else {
            TokenState::Active
        }
    }
}

/// The actor's tokens, newest first, each with its state now.
pub async fn list(app: &Services, actor: &Actor) -> AppResult<Vec<(ApiToken, TokenState)>> {
    let now = app.now();
    Ok(app
        .store
        .api_tokens_for(&actor.user.id)
        .await?
        .into_iter()
        .map(|t| {
            let state = TokenState::of(&t, now);
            (t, state)
        })
        .collect())
}

/// Why a token was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// Empty, or longer than [`MAX_NAME_CHARS`].
    #[error("a token needs a name of at most {MAX_NAME_CHARS} characters")]
    Name,
    /// Not one of [`EXPIRY_CHOICES`].
    #[error("unknown expiry")]
    Expiry,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<faktura_store::StoreError> for CreateError {
    fn from(error: faktura_store::StoreError) -> Self {
        CreateError::App(AppError::Store(error))
    }
}

/// The lifetime an expiry choice stands for: `Some(None)` never expires.
fn lifetime(choice: &str) -> Option<Option<Duration>> {
    match choice {
        "never" => Some(None),
        days if EXPIRY_CHOICES.contains(&days) => {
            days.parse::<i64>().ok().map(|d| Some(Duration::days(d)))
        }
        _ => None,
    }
}

/// Creates a personal token for the actor (audited). Returns the token in clear text — show
/// it once, it is never stored or shown again — and its record.
pub async fn create(
    app: &Services,
    actor: &Actor,
    name: &str,
    expiry: &str,
) -> Result<(String, ApiToken), CreateError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(CreateError::Name);
    }
    let lifetime = lifetime(expiry).ok_or(CreateError::Expiry)?;
    let (token, record) = app
        .store
        .create_api_token(Some(&actor.user.id), name, lifetime, false)
        .await?;
    app.store
        .record_audit(&NewAuditEvent {
            billing_account_id: None,
            actor: Some(actor.user.id.clone()),
            kind: "api_token.created".into(),
            target: record.id.clone(),
            detail: serde_json::json!({"name": record.name}),
            ip: actor.ip.clone(),
        })
        .await?;
    Ok((token, record))
}

/// Revokes one of the actor's tokens (audited); someone else's token is not found.
pub async fn revoke(app: &Services, actor: &Actor, id: &str) -> AppResult<()> {
    app.store.revoke_api_token(&actor.user.id, id).await?;
    app.store
        .record_audit(&NewAuditEvent {
            billing_account_id: None,
            actor: Some(actor.user.id.clone()),
            kind: "api_token.revoked".into(),
            target: id.to_owned(),
            detail: serde_json::json!({}),
            ip: actor.ip.clone(),
        })
        .await?;
    Ok(())
}

/// The caller a live bearer token stands for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: ApiToken,
    /// The token's user; `None` only for operator tokens without one.
    pub user: Option<User>,
}

/// Why a bearer token does not let a request in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerRefusal {
    /// Malformed, unknown, expired or revoked.
    Invalid,
    /// The token's user no longer exists.
    UserGone,
}

/// Looks up the token an API request presents, with its user (one query).
pub async fn bearer(app: &Services, token: &str) -> AppResult<Result<Caller, BearerRefusal>> {
    let Some((record, user)) = app.store.api_token_with_user(token).await? else {
        return Ok(Err(BearerRefusal::Invalid));
    };
    if record.user_id.is_some() && user.is_none() {
        return Ok(Err(BearerRefusal::UserGone));
    }
    Ok(Ok(Caller {
        token: record,
        user,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(expires_at: Option<DateTime<Utc>>, revoked_at: Option<DateTime<Utc>>) -> ApiToken {
        ApiToken {
            id: "tok_1".into(),
            user_id: None,
            name: "ci".into(),
            is_operator: false,
            created_at: Utc::now(),
            expires_at,
            revoked_at,
        }
    }

    #[test]
    fn states() {
        let now = Utc::now();
        let hour = Duration::hours(1);
        assert_eq!(TokenState::of(&token(None, None), now), TokenState::Active);
        assert_eq!(
            TokenState::of(&token(Some(now + hour), None), now),
            TokenState::Active
        );
        assert_eq!(
            TokenState::of(&token(Some(now), None), now),
            TokenState::Expired
        );
        assert_eq!(
            TokenState::of(&token(Some(now - hour), Some(now)), now),
            TokenState::Revoked
        );
    }

    #[test]
    fn expiry_choices() {
        assert_eq!(lifetime("never"), Some(None));
        assert_eq!(lifetime("90"), Some(Some(Duration::days(90))));
        assert_eq!(lifetime("7"), None);
        assert_eq!(lifetime(""), None);
    }
}
