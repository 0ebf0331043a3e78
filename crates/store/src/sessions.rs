//! Server-side sessions. The cookie carries a random token; the database keeps only its
//! SHA-256, so a leaked database cannot be replayed as cookies.

use crate::direct::Param;
use crate::rows::{self, millis};
use crate::{Result, Store};
use chrono::{DateTime, Duration, Utc};
use faktura_domain::UserId;
use rand::RngCore;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: UserId,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// 256 random bits, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Opens a session and returns the cookie token (shown once, never stored).
    pub async fn create_session(
        &self,
        user: &UserId,
        lifetime: Duration,
    ) -> Result<(String, Session)> {
        let token = random_token();
        let now = crate::rows::now();
        let session = Session {
            user_id: user.clone(),
            csrf_token: random_token(),
            expires_at: now + lifetime,
        };
        let _gate = self.write_gate().await;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash(&token))
        .bind(user.as_str())
        .bind(&session.csrf_token)
        .bind(millis(now))
        .bind(millis(session.expires_at))
        .execute(self.pool())
        .await?;
        Ok((token, session))
    }

    /// The live session for a cookie token; expired ones are treated as absent.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let hash = token_hash(token);
        self.read_row(
            "SELECT * FROM sessions WHERE id_hash = $1 AND expires_at > $2",
            &[Param::Text(&hash), Param::Int(millis(crate::rows::now()))],
            |row| {
                Ok(Session {
                    user_id: rows::id(row, "user_id", UserId::parse)?,
                    csrf_token: rows::text(row, "csrf_token")?,
                    expires_at: rows::timestamp(row, "expires_at")?,
                })
            },
        )
        .await
    }

    pub async fn delete_session(&self, token: &str) -> Result<()> {
        let _gate = self.write_gate().await;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(token_hash(token))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_expired_sessions(&self) -> Result<u64> {
        let _gate = self.write_gate().await;
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(millis(crate::rows::now()))
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
