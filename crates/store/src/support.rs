//! Help-pane feedback and support requests.

use crate::rows::{self, for_update, millis, now};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use faktura_domain::UserId;
use sqlx::AnyConnection;

pub const SUPPORT_SEVERITIES: [&str; 4] = ["low", "normal", "high", "critical"];
pub const SUPPORT_STATUSES: [&str; 3] = ["open", "in_progress", "closed"];

#[derive(Debug, Clone)]
pub struct NewSupportRequest {
    pub user: UserId,
    pub subject: String,
    pub description: String,
    /// One of [`SUPPORT_SEVERITIES`].
    pub severity: String,
    pub contact: String,
    /// The problem description typed into the help pane, if the request came from there.
    pub query: Option<String>,
}

/// At most `max` rows per user within `window` (support requests, help feedback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportRequest {
    pub id: String,
    pub user_id: UserId,
    pub user_email: String,
    pub subject: String,
    pub description: String,
    pub severity: String,
    pub contact: String,
    pub query: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn request(row: &crate::Row) -> Result<SupportRequest> {
    Ok(SupportRequest {
        id: rows::text(row, "id")?,
        user_id: rows::id(row, "user_id", UserId::parse)?,
        user_email: rows::text(row, "email")?,
        subject: rows::text(row, "subject")?,
        description: rows::text(row, "description")?,
        severity: rows::text(row, "severity")?,
        contact: rows::text(row, "contact")?,
        query: rows::opt_text(row, "query")?,
        status: rows::text(row, "status")?,
        created_at: rows::timestamp(row, "created_at")?,
        updated_at: rows::timestamp(row, "updated_at")?,
    })
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", &crate::random_token()[..20])
}

impl Store {
    pub async fn record_help_feedback(
        &self,
        user: &UserId,
        query: &str,
        locale: &str,
        article_path: &str,
        helpful: bool,
    ) -> Result<()> {
        let _gate = self.write_gate().await;
        let mut conn = self.pool().acquire().await?;
        insert_feedback(&mut conn, user, query, locale, article_path, helpful).await
    }

    /// Records feedback unless the user already gave `limit.max` answers within the window:
    /// counted and inserted in one transaction that locks the user, so concurrent answers
    /// cannot all slip under the limit. `false` when over it (nothing stored).
    pub async fn record_help_feedback_limited(
        &self,
        user: &UserId,
        query: &str,
        locale: &str,
        article_path: &str,
        helpful: bool,
        limit: &RateLimit,
    ) -> Result<bool> {
        let answer = crate::HelpAnswer {
            query,
            locale,
            article_path,
            helpful,
            cluster: None,
        };
        self.record_help_answer(user, &answer, limit).await
    }

    /// Rows of `table` the user created within the limit's window, with the user's row locked
    /// (PostgreSQL; SQLite's write transaction is already exclusive).
    pub(crate) async fn recent_rows(
        &self,
        conn: &mut AnyConnection,
        table: &'static str,
        user: &UserId,
        limit: &RateLimit,
    ) -> Result<i64> {
        sqlx::query(&format!(
            "SELECT id FROM users WHERE id = $1{}",
            for_update(self.backend())
        ))
        .bind(user.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE user_id = $1 AND created_at >= $2"
        ))
        .bind(user.as_str())
        .bind(millis(now() - limit.window))
        .fetch_one(&mut *conn)
        .await?)
    }

    /// Recent feedback, newest first: (query, locale, article path, helpful, when).
    pub async fn recent_help_feedback(
        &self,
        limit: u32,
    ) -> Result<Vec<(String, String, String, bool, DateTime<Utc>)>> {
        let rows =
            sqlx::query("SELECT * FROM help_feedback ORDER BY created_at DESC, id DESC LIMIT $1")
                .bind(i64::from(limit.clamp(1, 500)))
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    rows::text(row, "query")?,
                    rows::text(row, "locale")?,
                    rows::text(row, "article_path")?,
                    rows::int(row, "helpful")? != 0,
                    rows::timestamp(row, "created_at")?,
                ))
            })
            .collect()
    }

    pub async fn create_support_request(&self, new: &NewSupportRequest) -> Result<String> {
        let _gate = self.write_gate().await;
        let mut conn = self.pool().acquire().await?;
        insert_request(&mut conn, new).await
    }

    /// Files the request unless the user already filed `limit.max` within the window (counted
    /// and inserted in one transaction that locks the user); `None` when over it.
    pub async fn create_support_request_limited(
        &self,
        new: &NewSupportRequest,
        limit: &RateLimit,
    ) -> Result<Option<String>> {
        let mut tx = self.begin_write().await?;
        if self
            .recent_rows(&mut tx, "support_requests", &new.user, limit)
            .await?
            >= i64::from(limit.max)
        {
            return Ok(None);
        }
        let id = insert_request(&mut tx, new).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// One user's requests, newest first.
    pub async fn support_requests_for(&self, user: &UserId) -> Result<Vec<SupportRequest>> {
        let rows = sqlx::query(
            "SELECT r.*, u.email FROM support_requests r JOIN users u ON u.id = r.user_id \
             WHERE r.user_id = $1 ORDER BY r.created_at DESC, r.id DESC",
        )
        .bind(user.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(request).collect()
    }

    /// Every request, newest first (for operators).
    pub async fn all_support_requests(&self, limit: u32) -> Result<Vec<SupportRequest>> {
        let rows = sqlx::query(
            "SELECT r.*, u.email FROM support_requests r JOIN users u ON u.id = r.user_id \
             ORDER BY r.created_at DESC, r.id DESC LIMIT $1",
        )
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(request).collect()
    }

    /// Moves a request to `status`; a change (not a repeat of the same status) is logged as
    /// `support_request.updated` in the same transaction, which tells the requester.
    pub async fn set_support_request_status(
        &self,
        id: &str,
        status: &str,
        actor: &crate::AuditActor,
    ) -> Result<()> {
        if !SUPPORT_STATUSES.contains(&status) {
            return Err(StoreError::Conflict("unknown status"));
        }
        let mut tx = self.begin_write().await?;
        let before = sqlx::query("SELECT status FROM support_requests WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let previous = rows::text(&before, "status")?;
        if previous == status {
            return Ok(());
        }
        sqlx::query("UPDATE support_requests SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status)
            .bind(millis(now()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        crate::audit::insert(
            &mut tx,
            &crate::audit::NewAuditEvent {
                billing_account_id: None,
                actor: Some(actor.user.clone()),
                kind: "support_request.updated".into(),
                target: id.to_owned(),
                detail: serde_json::json!({
                    "support_request": id,
                    "from": previous,
                    "status": status,
                }),
                ip: actor.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One support request, by id.
    pub async fn support_request(&self, id: &str) -> Result<Option<SupportRequest>> {
        let row = sqlx::query(
            "SELECT r.*, u.email FROM support_requests r JOIN users u ON u.id = r.user_id \
             WHERE r.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(request).transpose()
    }
}

pub(crate) async fn insert_feedback(
    conn: &mut AnyConnection,
    user: &UserId,
    query: &str,
    locale: &str,
    article_path: &str,
    helpful: bool,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO help_feedback (id, user_id, query, locale, article_path, helpful, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id("fb"))
    .bind(user.as_str())
    .bind(query)
    .bind(locale)
    .bind(article_path)
    .bind(i64::from(helpful))
    .bind(millis(now()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_request(conn: &mut AnyConnection, new: &NewSupportRequest) -> Result<String> {
    if !SUPPORT_SEVERITIES.contains(&new.severity.as_str()) {
        return Err(StoreError::Conflict("unknown severity"));
    }
    let id = new_id("sr");
    let at = millis(now());
    sqlx::query(
        "INSERT INTO support_requests (id, user_id, subject, description, severity, contact, query, status, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $8)",
    )
    .bind(&id)
    .bind(new.user.as_str())
    .bind(&new.subject)
    .bind(&new.description)
    .bind(&new.severity)
    .bind(&new.contact)
    .bind(new.query.as_deref())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}
