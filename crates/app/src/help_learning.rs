//! The help recommender learns from use (issue 17): "Was this helpful?" answers and the article
//! a customer opened after a search move that article up or down for the same kind of question
//! (its query cluster, see `faktura_help::Recommender::query_cluster`), in this deployment only.
//! Each customer counts once per cluster and article; the adjustment is bounded (see
//! `faktura_help::Signals::adjustment`). Operators see every learned adjustment and reset one
//! cluster or all.

use crate::{Actor, AppError, AppResult, Services};
use chrono::{DateTime, Utc};
use faktura_domain::Locale;
use faktura_help::{HelpLibrary, Learned, Recommendation, Signals};
use faktura_store::{HelpAnswer, LearnedCounts, RateLimit};

/// Most (cluster, article) rows the operators' page shows.
pub const OPERATOR_LEARNED: u32 = 500;

fn signals(counts: &LearnedCounts) -> Signals {
    Signals {
        helpful: counts.helpful,
        unhelpful: counts.unhelpful,
        opened: counts.opened,
    }
}

/// Whether `path` names an article of the library (what a recommendation's `path` says).
fn known_article(help: &HelpLibrary, path: &str) -> bool {
    help.articles().iter().any(|a| a.path() == path)
}

/// The articles that fit a question, best first, with what this deployment learned about the
/// question's cluster applied, each in the `reader`'s language where the article exists in it.
/// If the learned adjustments cannot be read, the plain ranking is returned (the help pane must
/// not fail because of them).
pub async fn recommend(
    app: &Services,
    help: &HelpLibrary,
    query: &str,
    reader: Locale,
    limit: usize,
) -> Vec<Recommendation> {
    let found = match help.query_cluster(query, None) {
        None => help.recommend(query, None, limit),
        Some(cluster) => {
            let learned: Learned = match app.store.help_learned(&cluster).await {
                Ok(rows) => rows
                    .iter()
                    .map(|row| (row.article_path.clone(), signals(row)))
                    .collect(),
                Err(error) => {
                    tracing::warn!(%error, "help learning: adjustments not read");
                    Learned::new()
                }
            };
            help.recommend_learned(query, None, limit, &learned)
        }
    };
    // Ranked in the question's language; shown in the reader's where the article exists in it.
    help.in_reader_language(found, reader)
}

/// Why a help answer was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    /// The actor gave `config.help_feedback_per_window` answers within the support window.
    #[error("too many feedback answers; try again later")]
    TooMany,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<faktura_store::StoreError> for FeedbackError {
    fn from(error: faktura_store::StoreError) -> Self {
        FeedbackError::App(AppError::Store(error))
    }
}

fn limit(app: &Services) -> RateLimit {
    RateLimit {
        max: app.config.help_feedback_per_window,
        window: chrono::Duration::minutes(app.config.support_window_minutes),
    }
}

/// Records whether the article at `path` answered `query` (asked in `locale`), at most
/// `config.help_feedback_per_window` times per user and window. The answer is kept in the
/// feedback history and, when `path` is an article of the library and the question has a
/// cluster, becomes the actor's answer for that cluster and article (replacing an earlier one).
pub async fn record_feedback(
    app: &Services,
    help: &HelpLibrary,
    actor: &Actor,
    query: &str,
    locale: faktura_domain::Locale,
    path: &str,
    helpful: bool,
) -> Result<(), FeedbackError> {
    if query.trim().is_empty() || path.is_empty() {
        return Err(AppError::Invalid("feedback needs the question and the article").into());
    }
    let cluster = known_article(help, path)
        .then(|| help.query_cluster(query, None))
        .flatten();
    let answer = HelpAnswer {
        query,
        locale: locale.tag(),
        article_path: path,
        helpful,
        cluster: cluster.as_deref(),
    };
    if app
        .store
        .record_help_answer(&actor.user.id, &answer, &limit(app))
        .await?
    {
        Ok(())
    } else {
        Err(FeedbackError::TooMany)
    }
}

/// Records that the actor opened the article at `path` from the results of `query`: once per
/// actor, cluster and article, within the feedback rate limit. `false` when nothing was
/// recorded (no cluster, unknown article, or over the limit); opening the article goes on.
pub async fn record_opened(
    app: &Services,
    help: &HelpLibrary,
    actor: &Actor,
    query: &str,
    path: &str,
) -> AppResult<bool> {
    if !known_article(help, path) {
        return Ok(false);
    }
    let Some(cluster) = help.query_cluster(query, None) else {
        return Ok(false);
    };
    Ok(app
        .store
        .record_help_open(&actor.user.id, &cluster, path, &limit(app))
        .await?)
}

/// One learned adjustment, as operators see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    pub cluster: String,
    pub article_path: String,
    pub signals: Signals,
    /// The score change in whole percent (`+30`, `-15`).
    pub percent: i32,
    pub updated_at: DateTime<Utc>,
}

fn require_operator(actor: &Actor) -> AppResult<()> {
    if actor.user.is_operator {
        Ok(())
    } else {
        Err(AppError::not_allowed("operators only"))
    }
}

/// Every learned adjustment, the most recently used clusters first (operators only).
pub async fn adjustments(app: &Services, actor: &Actor) -> AppResult<Vec<Adjustment>> {
    require_operator(actor)?;
    Ok(app
        .store
        .all_help_learned(OPERATOR_LEARNED)
        .await?
        .into_iter()
        .map(|row| {
            let signals = signals(&row);
            Adjustment {
                percent: signals.percent(),
                signals,
                cluster: row.cluster,
                article_path: row.article_path,
                updated_at: row.updated_at,
            }
        })
        .collect())
}

/// Which learned adjustments an operator resets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetScope {
    Cluster(String),
    All,
}

/// Forgets what was learned for one cluster or for all (operators only, audited); how many
/// customers' answers were forgotten.
pub async fn reset(app: &Services, actor: &Actor, scope: &ResetScope) -> AppResult<u64> {
    require_operator(actor)?;
    let cluster = match scope {
        ResetScope::Cluster(cluster) if cluster.trim().is_empty() => {
            return Err(AppError::Invalid("which cluster to reset"))
        }
        ResetScope::Cluster(cluster) => Some(cluster.as_str()),
        ResetScope::All => None,
    };
    Ok(app
        .store
        .reset_help_learning(cluster, &actor.audit())
        .await?)
}
