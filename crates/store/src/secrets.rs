//! Keys the server signs with. Every node of a deployment must use the same key, so it lives
//! in the database: the first node to need it stores the value it made, and every node
//! (that one included) uses whichever value was stored first.

use crate::rows::{self, millis};
use crate::{Result, Store};

impl Store {
    /// The secret named `name`; `fresh` is stored as it when there is none yet.
    pub async fn server_secret(&self, name: &str, fresh: &str) -> Result<String> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO server_secrets (name, secret, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .bind(millis(rows::now()))
        .execute(&mut *tx)
        .await?;
        let secret: String =
            sqlx::query_scalar("SELECT secret FROM server_secrets WHERE name = $1")
                .bind(name)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(secret)
    }
}
