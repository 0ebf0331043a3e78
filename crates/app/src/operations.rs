//! Running the deployment: health, readiness and the figures `/metrics` publishes.

use crate::{AppResult, Services};
use faktura_store::Backlog;

/// The database answers.
pub async fn ping(app: &Services) -> AppResult<()> {
    Ok(app.store.ping().await?)
}

/// Whether the database and the gateway can be reached (each on its own).
pub struct Readiness {
    pub database: Result<(), String>,
    pub gateway: Result<(), String>,
}

pub async fn readiness(app: &Services) -> Readiness {
    Readiness {
        database: app.store.ping().await.map_err(|e| e.to_string()),
        gateway: app.gateway.ready().await.map_err(|e| e.to_string()),
    }
}

/// Payments and settlements by kind and state: `(kind, state, count)`.
pub async fn payment_state_counts(app: &Services) -> AppResult<Vec<(&'static str, String, i64)>> {
    Ok(app.store.payment_state_counts().await?)
}

/// What the janitor has still to settle.
pub async fn janitor_backlog(app: &Services) -> AppResult<Backlog> {
    let grace =
        chrono::Duration::from_std(app.config.janitor.grace).unwrap_or(chrono::Duration::MAX);
    Ok(app.store.in_doubt_backlog(app.now(), grace).await?)
}
