//! Idempotency keys: a request sent again with the same key gets the first answer again
//! instead of doing the work twice.

use crate::{AppError, Services};
use faktura_store::IdempotencyStart;
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
