//! Idempotency keys: a request sent again with the same key gets the first answer again
//! instead of doing the work twice.

use crate::{AppError, AppResult, Services};
use faktura_store::IdempotencyStart;

pub use faktura_store::IdempotencyClaim;
use std::future::Future;

/// Why the work did not run under this key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyTaken {
    /// The key was used before with the same request: its stored answer.
    Replay { status: u16, body: String },
    /// A request with this key is still being processed.
    InProgress,
    /// The key was used before with a different request.
    Mismatch,
}

fn taken_of(start: IdempotencyStart) -> Option<KeyTaken> {
    match start {
        IdempotencyStart::Started => None,
        IdempotencyStart::Replay { status, body } => Some(KeyTaken::Replay { status, body }),
        IdempotencyStart::InProgress => Some(KeyTaken::InProgress),
        IdempotencyStart::Mismatch => Some(KeyTaken::Mismatch),
    }
}

/// What the key says before work that claims it in its own transactions
/// ([`crate::paying::pay_invoice_once`]): `None` while it is free. A read, no write.
pub async fn taken(app: &Services, claim: &IdempotencyClaim) -> AppResult<Option<KeyTaken>> {
    Ok(app.store.idempotency_state(claim).await?.and_then(taken_of))
}

/// What the key says after the work found it taken meanwhile. A claim released since (its
/// request failed) answers `InProgress`: the client retries, and then finds it free.
pub async fn taken_now(app: &Services, claim: &IdempotencyClaim) -> AppResult<KeyTaken> {
    Ok(taken(app, claim).await?.unwrap_or(KeyTaken::InProgress))
}

/// Stores an answer decided without writing anything else (a refusal) under a free key, in one
/// write. `Err(taken)` when another request with the key came first: answer with that instead.
pub async fn store_answer(
    app: &Services,
    claim: &IdempotencyClaim,
    status: u16,
    body: &str,
) -> AppResult<Result<(), KeyTaken>> {
    if app
        .store
        .store_idempotent_answer(claim, status, body)
        .await?
    {
        Ok(Ok(()))
    } else {
        Ok(Err(taken_now(app, claim).await?))
    }
}

/// Runs `work` once per `(caller, key)`: claims the key with the request's fingerprint, runs
/// the work and stores its answer (`status`, `body`). An error from the work releases the key,
/// so that the client may retry with it; the one-open-payment rule still prevents a second
/// charge.
pub async fn run_once<E, F, Fut>(
    app: &Services,
    caller: &str,
    key: &str,
    fingerprint: &str,
    work: F,
) -> Result<Result<(u16, String), KeyTaken>, E>
where
    E: From<AppError>,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(u16, String), E>>,
{
    let start = app
        .store
        .start_idempotent(caller, key, fingerprint)
        .await
        .map_err(|e| E::from(AppError::Store(e)))?;
    match start {
        IdempotencyStart::Replay { status, body } => Ok(Err(KeyTaken::Replay { status, body })),
        IdempotencyStart::InProgress => Ok(Err(KeyTaken::InProgress)),
        IdempotencyStart::Mismatch => Ok(Err(KeyTaken::Mismatch)),
        IdempotencyStart::Started => match work().await {
            Ok((status, body)) => {
                app.store
                    .finish_idempotent(caller, key, status, &body)
                    .await
                    .map_err(|e| E::from(AppError::Store(e)))?;
                Ok(Ok((status, body)))
            }
            Err(error) => {
                if let Err(release) = app.store.abandon_idempotent(caller, key).await {
                    tracing::error!(%release, "could not release an idempotency key");
                }
                Err(error)
            }
        },
    }
}
