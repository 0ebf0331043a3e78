//! What each person chose to be told by e-mail: one row per topic they changed.

use crate::rows::{self, millis};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use faktura_domain::notifications::Topic;
use faktura_domain::{User, UserId};
use sqlx::Row;
use std::collections::HashMap;

/// How many users one lookup names (well under either backend's limit on bound values).
const USERS_PER_QUERY: usize = 500;

impl Store {
    /// The users among `ids` (in id order, unknown ids left out), each with their choice on
    /// `topic` (`None`: never chose): the recipients of an event in one query (per 500 people)
    /// instead of two per person.
    pub async fn users_with_choice(
        &self,
        ids: &[UserId],
        topic: Topic,
    ) -> Result<Vec<(User, Option<bool>)>> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(USERS_PER_QUERY) {
            let placeholders: Vec<String> = (2..chunk.len() + 2).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT u.*, s.email AS chose_email FROM users u \
                 LEFT JOIN notification_settings s ON s.user_id = u.id AND s.topic = $1 \
                 WHERE u.id IN ({}) ORDER BY u.id",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(topic.code());
            for id in chunk {
                query = query.bind(id.as_str());
            }
            for row in &query.fetch_all(self.pool()).await? {
                let choice: Option<i64> = row.try_get("chose_email")?;
                found.push((rows::user(row)?, choice.map(|email| email != 0)));
            }
        }
        Ok(found)
    }

    /// The topics the user chose for or against; topics not in it keep their default.
    pub async fn notification_choices(&self, user: &UserId) -> Result<HashMap<Topic, bool>> {
        let rows = sqlx::query("SELECT topic, email FROM notification_settings WHERE user_id = $1")
            .bind(user.as_str())
            .fetch_all(self.pool())
            .await?;
        let mut choices = HashMap::with_capacity(rows.len());
        for row in &rows {
            // A topic a later version no longer has is ignored, not an error.
            if let Some(topic) = Topic::parse(&rows::text(row, "topic")?) {
                choices.insert(topic, row.try_get::<i64, _>("email")? != 0);
            }
        }
        Ok(choices)
    }

    /// Stores the user's choice for each of `choices`, all in one transaction.
    pub async fn set_notification_choices(
        &self,
        user: &UserId,
        choices: &[(Topic, bool)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (topic, email) in choices {
            sqlx::query(
                "INSERT INTO notification_settings (user_id, topic, email, updated_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, topic) DO UPDATE SET email = excluded.email, \
                 updated_at = excluded.updated_at",
            )
            .bind(user.as_str())
            .bind(topic.code())
            .bind(i64::from(*email))
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
