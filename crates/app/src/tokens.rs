//! Personal access tokens for the API: create (the token is shown once), list, revoke, and the
//! bearer-token lookup every API call starts with.

use crate::{Actor, AppError, AppResult, Services};
use chrono::{DateTime, Duration, Utc};
use faktura_domain::User;

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

/// Creates a personal token for the actor (audited in the same transaction). Returns the token
/// in clear text — show it once, it is never stored or shown again — and its record.
pub async fn create(
    app: &Services,
    actor: &Actor,
    name: &str,
    expiry: &str,
) -> Result<(String, ApiToken), CreateError> {
    let name = valid_name(name)?;
    let lifetime = lifetime(expiry).ok_or(CreateError::Expiry)?;
    Ok(app
        .store
        .create_api_token(
            Some(&actor.user.id),
            name,
            lifetime,
            false,
            actor.ip.as_deref(),
        )
        .await?)
}

/// The longest a token made on the command line may live: ten years (also keeps the expiry
/// date representable).
pub const MAX_DAYS: u32 = 3650;

/// What the command line asks for: a personal token for the user with this e-mail, or an
/// operator token (for a user, or for none).
#[derive(Debug, Clone)]
pub struct IssueRequest<'a> {
    pub user_email: Option<&'a str>,
    pub name: &'a str,
    /// 1 to [`MAX_DAYS`] days; `None` never expires.
    pub days: Option<u32>,
    pub operator: bool,
}

/// Why the command line got no token.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("no user with the e-mail {0}")]
    NoSuchUser(String),
    #[error("a personal token needs a user (or ask for an operator token)")]
    UserRequired,
    #[error("a token needs a name of 1 to {MAX_NAME_CHARS} characters")]
    Name,
    #[error("a token lives 1 to {MAX_DAYS} days")]
    Days,
    #[error(transparent)]
    App(#[from] AppError),
}

/// Issues a token for the operator's command line (`faktura token create`), audited in the
/// same transaction; returns the clear token, its record and its user.
pub async fn issue(
    app: &Services,
    request: &IssueRequest<'_>,
) -> Result<(String, ApiToken, Option<User>), IssueError> {
    let name = valid_name(request.name).map_err(|_| IssueError::Name)?;
    let lifetime = days_lifetime(request.days)?;
    let user = match request.user_email {
        Some(email) => Some(
            app.store
                .user_by_email(email)
                .await
                .map_err(AppError::from)?
                .ok_or_else(|| IssueError::NoSuchUser(email.to_owned()))?,
        ),
        None if request.operator => None,
        None => return Err(IssueError::UserRequired),
    };
    let (token, record) = app
        .store
        .create_api_token(
            user.as_ref().map(|u| &u.id),
            name,
            lifetime,
            request.operator,
            None,
        )
        .await
        .map_err(AppError::from)?;
    Ok((token, record, user))
}

/// `--expires DAYS` as a lifetime: 1 to [`MAX_DAYS`] days, or none for no expiry.
fn days_lifetime(days: Option<u32>) -> Result<Option<Duration>, IssueError> {
    match days {
        None => Ok(None),
        Some(days @ 1..=MAX_DAYS) => Ok(Some(Duration::days(i64::from(days)))),
        Some(_) => Err(IssueError::Days),
    }
}

fn valid_name(name: &str) -> Result<&str, CreateError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(CreateError::Name);
    }
    Ok(name)
}

/// Revokes one of the actor's tokens (audited in the same transaction); someone else's token
/// is not found.
pub async fn revoke(app: &Services, actor: &Actor, id: &str) -> AppResult<()> {
    Ok(app
        .store
        .revoke_api_token(&actor.user.id, id, actor.ip.as_deref())
        .await?)
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
    fn command_line_lifetimes_are_bounded() {
        assert_eq!(days_lifetime(None).unwrap(), None);
        assert_eq!(days_lifetime(Some(30)).unwrap(), Some(Duration::days(30)));
        assert!(days_lifetime(Some(0)).is_err());
        assert!(days_lifetime(Some(MAX_DAYS + 1)).is_err());
        // Was a panic once: the expiry date overflowed.
        assert!(days_lifetime(Some(u32::MAX)).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(valid_name("  laptop ").unwrap(), "laptop");
        assert!(valid_name("   ").is_err());
        assert!(valid_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(valid_name(&"æ".repeat(MAX_NAME_CHARS)).is_ok());
    }

    #[test]
    fn expiry_choices() {
        assert_eq!(lifetime("never"), Some(None));
        assert_eq!(lifetime("90"), Some(Some(Duration::days(90))));
        assert_eq!(lifetime("7"), None);
        assert_eq!(lifetime(""), None);
    }
}
