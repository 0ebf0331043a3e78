//! What the help recommender learns from use (issue 17): per customer, query cluster and
//! article, the last "Was this helpful?" answer and whether the article was opened from the
//! results. The recommender turns the counts into a bounded ranking adjustment.

use crate::rows::{self, millis, now};
use crate::support::{insert_feedback, RateLimit};
use crate::{AuditActor, Result, Store};
use chrono::{DateTime, Utc};
use faktura_domain::UserId;
use sqlx::AnyConnection;

/// Longest cluster key and article path stored.
pub const MAX_CLUSTER_CHARS: usize = 300;
const MAX_PATH_CHARS: usize = 300;

/// A "Was this helpful?" answer: the question as typed, its language, the article, the answer,
/// and the question's cluster (`None` when it has no searchable word: then nothing is learned).
#[derive(Debug, Clone, Copy)]
pub struct HelpAnswer<'a> {
    pub query: &'a str,
    pub locale: &'a str,
    pub article_path: &'a str,
    pub helpful: bool,
    pub cluster: Option<&'a str>,
}

/// How many customers answered helpful / not helpful and opened one article for one cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnedCounts {
    pub cluster: String,
    pub article_path: String,
    pub helpful: u32,
    pub unhelpful: u32,
    pub opened: u32,
    /// The latest answer or open.
    pub updated_at: DateTime<Utc>,
}

const AGGREGATE: &str = "SELECT cluster, article_path, \
     CAST(SUM(CASE WHEN helpful = 1 THEN 1 ELSE 0 END) AS BIGINT) AS helpful_count, \
     CAST(SUM(CASE WHEN helpful = 0 THEN 1 ELSE 0 END) AS BIGINT) AS unhelpful_count, \
     CAST(SUM(opened) AS BIGINT) AS opened_count, \
     CAST(MAX(updated_at) AS BIGINT) AS last_at \
     FROM help_signals";

fn count(row: &crate::Row, column: &str) -> Result<u32> {
    let value = rows::int(row, column)?;
    u32::try_from(value.max(0)).map_err(|_| rows::corrupt(column, &value.to_string()))
}

fn counts(row: &crate::Row) -> Result<LearnedCounts> {
    Ok(LearnedCounts {
        cluster: rows::text(row, "cluster")?,
        article_path: rows::text(row, "article_path")?,
        helpful: count(row, "helpful_count")?,
        unhelpful: count(row, "unhelpful_count")?,
        opened: count(row, "opened_count")?,
        updated_at: rows::timestamp(row, "last_at")?,
    })
}

fn fits(cluster: &str, path: &str) -> bool {
    !cluster.is_empty()
        && cluster.chars().count() <= MAX_CLUSTER_CHARS
        && !path.is_empty()
        && path.chars().count() <= MAX_PATH_CHARS
}

impl Store {
    /// Records a "Was this helpful?" answer in the feedback history and, when it has a cluster,
    /// as the customer's current answer for that cluster and article, in one transaction,
    /// unless the customer already gave `limit.max` answers within the window (`false`,
    /// nothing stored).
    pub async fn record_help_answer(
        &self,
        user: &UserId,
        answer: &HelpAnswer<'_>,
        limit: &RateLimit,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if self
            .recent_rows(&mut tx, "help_feedback", user, limit)
            .await?
            >= i64::from(limit.max)
        {
            return Ok(false);
        }
        insert_feedback(
            &mut tx,
            user,
            answer.query,
            answer.locale,
            answer.article_path,
            answer.helpful,
        )
        .await?;
        if let Some(cluster) = answer.cluster.filter(|c| fits(c, answer.article_path)) {
            upsert_signal(
                &mut tx,
                user,
                cluster,
                answer.article_path,
                Signal::Answer(answer.helpful),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Records that the customer opened `article_path` from the results of a question in
    /// `cluster`. Counted once per customer, cluster and article; at most `limit.max` new
    /// (cluster, article) pairs per customer within the window (`false` when over it).
    pub async fn record_help_open(
        &self,
        user: &UserId,
        cluster: &str,
        article_path: &str,
        limit: &RateLimit,
    ) -> Result<bool> {
        if !fits(cluster, article_path) {
            return Ok(false);
        }
        let mut tx = self.begin_write().await?;
        if self
            .recent_rows(&mut tx, "help_signals", user, limit)
            .await?
            >= i64::from(limit.max)
        {
            return Ok(false);
        }
        upsert_signal(&mut tx, user, cluster, article_path, Signal::Opened).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The counts of every article customers answered or opened for one cluster.
    pub async fn help_learned(&self, cluster: &str) -> Result<Vec<LearnedCounts>> {
        let rows = sqlx::query(&format!(
            "{AGGREGATE} WHERE cluster = $1 GROUP BY cluster, article_path ORDER BY article_path"
        ))
        .bind(cluster)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(counts).collect()
    }

    /// Every cluster's counts (for operators), the most recently used clusters first, at most
    /// `limit` rows.
    pub async fn all_help_learned(&self, limit: u32) -> Result<Vec<LearnedCounts>> {
        let rows = sqlx::query(&format!(
            "{AGGREGATE} GROUP BY cluster, article_path \
             ORDER BY last_at DESC, cluster, article_path LIMIT $1"
        ))
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(counts).collect()
    }

    /// Forgets what was learned for one cluster, or for all when `cluster` is `None`; logged as
    /// `help_learning.reset` in the same transaction. The number of rows removed.
    pub async fn reset_help_learning(
        &self,
        cluster: Option<&str>,
        actor: &AuditActor,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let removed = match cluster {
            Some(cluster) => {
                sqlx::query("DELETE FROM help_signals WHERE cluster = $1")
                    .bind(cluster)
                    .execute(&mut *tx)
                    .await?
            }
            None => {
                sqlx::query("DELETE FROM help_signals")
                    .execute(&mut *tx)
                    .await?
            }
        }
        .rows_affected();
        crate::audit::insert(
            &mut tx,
            &crate::audit::NewAuditEvent {
                billing_account_id: None,
                actor: Some(actor.user.clone()),
                kind: "help_learning.reset".into(),
                target: cluster.unwrap_or("*").to_owned(),
                detail: serde_json::json!({ "cluster": cluster, "removed": removed }),
                ip: actor.ip.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(removed)
    }
}

enum Signal {
    Answer(bool),
    Opened,
}

async fn upsert_signal(
    conn: &mut AnyConnection,
    user: &UserId,
    cluster: &str,
    article_path: &str,
    signal: Signal,
) -> Result<()> {
    let at = millis(now());
    let (helpful, opened, update) = match signal {
        Signal::Answer(helpful) => (Some(i64::from(helpful)), 0i64, "helpful = excluded.helpful"),
        Signal::Opened => (None, 1i64, "opened = 1"),
    };
    sqlx::query(&format!(
        "INSERT INTO help_signals (user_id, cluster, article_path, helpful, opened, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (user_id, cluster, article_path) DO UPDATE SET {update}, updated_at = excluded.updated_at"
    ))
    .bind(user.as_str())
    .bind(cluster)
    .bind(article_path)
    .bind(helpful)
    .bind(opened)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
