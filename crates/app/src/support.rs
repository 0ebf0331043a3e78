//! Help and support: whether an article helped, support requests from customers, and the
//! operators' queue of them.

use crate::{Actor, AppError, AppResult, Services};
use chrono::{DateTime, Utc};
use faktura_store::{NewSupportRequest, RateLimit};

pub use faktura_store::{SupportRequest, SUPPORT_SEVERITIES, SUPPORT_STATUSES};

/// Longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// Most support requests the operators' queue shows.
pub const OPERATOR_QUEUE: u32 = 500;
/// Most feedback entries the operators' page shows.
pub const OPERATOR_FEEDBACK: u32 = 100;

fn limit(app: &Services, max: u32) -> RateLimit {
    RateLimit {
        max,
        window: chrono::Duration::minutes(app.config.support_window_minutes),
    }
}

/// A support request as the customer wrote it.
#[derive(Debug, Clone, Default)]
pub struct RequestDraft {
    pub subject: String,
    pub description: String,
    /// One of [`SUPPORT_SEVERITIES`].
    pub severity: String,
    pub contact: String,
    /// What was typed into the help pane, if the request came from there.
    pub query: String,
}

/// What is wrong with a support request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestProblem {
    Subject,
    Description,
    Severity,
    Contact,
}

/// The first problem with a draft (its fields trimmed), if any.
pub fn request_problem(draft: &RequestDraft) -> Option<RequestProblem> {
    let subject = draft.subject.trim();
    let description = draft.description.trim();
    if subject.is_empty() || subject.chars().count() > MAX_SUBJECT_CHARS {
        Some(RequestProblem::Subject)
    } else if description.is_empty() || description.chars().count() > MAX_DESCRIPTION_CHARS {
        Some(RequestProblem::Description)
    } else if !SUPPORT_SEVERITIES.contains(&draft.severity.as_str()) {
        Some(RequestProblem::Severity)
    } else if !faktura_domain::contact::plausible_email(draft.contact.trim()) {
        Some(RequestProblem::Contact)
    } else {
        None
    }
}

/// Why a support request was not filed.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("the request is incomplete: {0:?}")]
    Problem(RequestProblem),
    /// The actor filed `config.support_requests_per_window` requests within the window.
    #[error("too many support requests; try again later")]
    TooMany,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<faktura_store::StoreError> for RequestError {
    fn from(error: faktura_store::StoreError) -> Self {
        RequestError::App(AppError::Store(error))
    }
}

/// Files a support request for the actor, at most `config.support_requests_per_window` per
/// window; its id.
pub async fn create_request(
    app: &Services,
    actor: &Actor,
    draft: &RequestDraft,
) -> Result<String, RequestError> {
    if let Some(problem) = request_problem(draft) {
        return Err(RequestError::Problem(problem));
    }
    let query = (!draft.query.trim().is_empty()).then(|| draft.query.clone());
    let new = NewSupportRequest {
        user: actor.user.id.clone(),
        subject: draft.subject.trim().to_owned(),
        description: draft.description.trim().to_owned(),
        severity: draft.severity.clone(),
        contact: draft.contact.trim().to_owned(),
        query,
    };
    app.store
        .create_support_request_limited(&new, &limit(app, app.config.support_requests_per_window))
        .await?
        .ok_or(RequestError::TooMany)
}

/// The actor's own support requests, newest first.
pub async fn my_requests(app: &Services, actor: &Actor) -> AppResult<Vec<SupportRequest>> {
    Ok(app.store.support_requests_for(&actor.user.id).await?)
}

fn require_operator(actor: &Actor) -> AppResult<()> {
    if actor.user.is_operator {
        Ok(())
    } else {
        Err(AppError::not_allowed("operators only"))
    }
}

/// One piece of help feedback: the question, its language, the article, helpful, when.
#[derive(Debug, Clone)]
pub struct Feedback {
    pub query: String,
    pub locale: String,
    pub path: String,
    pub helpful: bool,
    pub at: DateTime<Utc>,
}

/// What operators see: every support request (newest first) and recent help feedback.
pub async fn operator_queue(
    app: &Services,
    actor: &Actor,
) -> AppResult<(Vec<SupportRequest>, Vec<Feedback>)> {
    require_operator(actor)?;
    let requests = app.store.all_support_requests(OPERATOR_QUEUE).await?;
    let feedback = app
        .store
        .recent_help_feedback(OPERATOR_FEEDBACK)
        .await?
        .into_iter()
        .map(|(query, locale, path, helpful, at)| Feedback {
            query,
            locale,
            path,
            helpful,
            at,
        })
        .collect();
    Ok((requests, feedback))
}

/// An operator moves a request to another of [`SUPPORT_STATUSES`].
pub async fn set_status(app: &Services, actor: &Actor, id: &str, status: &str) -> AppResult<()> {
    require_operator(actor)?;
    if !SUPPORT_STATUSES.contains(&status) {
        return Err(AppError::Invalid("unknown status"));
    }
    Ok(app
        .store
        .set_support_request_status(id, status, &actor.audit())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> RequestDraft {
        RequestDraft {
            subject: " Card refused ".into(),
            description: "It says declined.".into(),
            severity: "normal".into(),
            contact: "ap@example.com".into(),
            query: String::new(),
        }
    }

    #[test]
    fn request_problems_in_order() {
        assert_eq!(request_problem(&draft()), None);
        let with = |f: fn(&mut RequestDraft)| {
            let mut d = draft();
            f(&mut d);
            request_problem(&d)
        };
        assert_eq!(
            with(|d| d.subject = "  ".into()),
            Some(RequestProblem::Subject)
        );
        assert_eq!(
            with(|d| d.subject = "x".repeat(MAX_SUBJECT_CHARS + 1)),
            Some(RequestProblem::Subject)
        );
        assert_eq!(
            with(|d| d.description = String::new()),
            Some(RequestProblem::Description)
        );
        assert_eq!(
            with(|d| d.severity = "urgent".into()),
            Some(RequestProblem::Severity)
        );
        assert_eq!(
            with(|d| d.contact = "nobody".into()),
            Some(RequestProblem::Contact)
        );
        assert_eq!(
            with(|d| {
                d.subject = String::new();
                d.contact = String::new();
            }),
            Some(RequestProblem::Subject)
        );
    }
}
