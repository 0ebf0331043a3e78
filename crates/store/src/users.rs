//! Users and their credentials.

use crate::rows::{self, millis};
use crate::{Result, Store, StoreError};

use faktura_domain::{User, UserId};
use sqlx::AnyConnection;

/// E-mail addresses are compared case-insensitively; we store them lower-cased and trimmed.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Store {
    pub async fn create_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: Option<&str>,
    ) -> Result<User> {
        let _gate = self.write_gate().await;
        let mut conn = self.pool().acquire().await?;
        insert_user(&mut conn, email, display_name, password_hash).await
    }

    pub async fn user_by_id(&self, id: &UserId) -> Result<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(normalize_email(email))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    /// The user and their stored password hash (None for invited users who have not set one).
    pub async fn credentials(&self, email: &str) -> Result<Option<(User, Option<String>)>> {
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(normalize_email(email))
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => Ok(Some((
                rows::user(&row)?,
                rows::opt_text(&row, "password_hash")?,
            ))),
            None => Ok(None),
        }
    }

    pub async fn set_password_hash(&self, user: &UserId, hash: &str) -> Result<()> {
        let _gate = self.write_gate().await;
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user.as_str())
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn set_user_locale(&self, user: &UserId, locale: Option<&str>) -> Result<()> {
        let _gate = self.write_gate().await;
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale)
            .bind(user.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

pub(crate) async fn insert_user(
    conn: &mut AnyConnection,
    email: &str,
    display_name: &str,
    password_hash: Option<&str>,
) -> Result<User> {
    let user = User {
        id: UserId::generate(),
        email: normalize_email(email),
        display_name: display_name.to_owned(),
        locale: None,
        is_operator: false,
        created_at: crate::rows::now(),
    };
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, locale, created_at) \
         VALUES ($1, $2, $3, $4, NULL, $5)",
    )
    .bind(user.id.as_str())
    .bind(&user.email)
    .bind(&user.display_name)
    .bind(password_hash)
    .bind(millis(user.created_at))
    .execute(&mut *conn)
    .await?;
    Ok(user)
}

pub(crate) async fn mark_operator(conn: &mut AnyConnection, user: &UserId) -> Result<()> {
    sqlx::query("UPDATE users SET is_operator = 1 WHERE id = $1")
        .bind(user.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
