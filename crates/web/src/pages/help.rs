//! Help + support: describe a problem, get the recommended article; feedback; support requests.

use crate::context::SignedIn;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use faktura_app::help_learning::{self, FeedbackError};
use faktura_app::support::{
    self, RequestError, RequestProblem, SupportRequest, SUPPORT_SEVERITIES, SUPPORT_STATUSES,
};
use faktura_domain::Locale;
use serde::Deserialize;

/// Where rendered articles link to each other.
pub const ARTICLE_BASE: &str = "/help/articles";
const MAX_QUERY_CHARS: usize = 1000;

/// Article HTML with the callout titles ("Note", "Bemærk") in the article's own language, so
/// that one page never mixes two.
fn localized_article_html(state: &AppState, article: &faktura_help::Article) -> String {
    let tr = Tr::new(state.i18n.clone(), article.locale);
    let mut html = state.help.render(article, ARTICLE_BASE);
    for (keyword, key) in [
        ("Note", "callout-note"),
        ("Tip", "callout-tip"),
        ("Important", "callout-important"),
        ("Warning", "callout-warning"),
        ("Caution", "callout-caution"),
    ] {
        html = html.replace(
            &format!("<p class=\"callout-title\">{keyword}</p>"),
            &format!("<p class=\"callout-title\">{}</p>", tr.t(key)),
        );
    }
    html
}

pub struct Best {
    pub path: String,
    pub html: String,
    pub lang: &'static str,
    /// No article in the question's language fits; this one is in the other language. The
    /// message key that says so.
    pub other_language: Option<&'static str>,
}

pub struct Alternative {
    pub title: String,
    pub href: String,
}

#[derive(Default)]
pub struct RequestDraft {
    pub subject: String,
    pub description: String,
    pub contact: String,
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpTemplate {
    chrome: Chrome,
    query: String,
    asked: bool,
    best: Option<Best>,
    alternatives: Vec<Alternative>,
    /// Nothing fits confidently: the best guesses, shown next to the support request.
    maybe: Vec<Alternative>,
    feedback: Option<bool>,
    show_request_form: bool,
    request: RequestDraft,
    request_error: Option<String>,
    severities: Vec<(&'static str, String, bool)>,
}

#[derive(Deserialize, Default)]
pub struct HelpQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    feedback: Option<String>,
}

fn severity_options(tr: &Tr, chosen: &str) -> Vec<(&'static str, String, bool)> {
    SUPPORT_SEVERITIES
        .iter()
        .map(|s| (*s, tr.t(&format!("support-severity-{s}")), *s == chosen))
        .collect()
}

async fn help_page(
    state: &AppState,
    signed_in: &SignedIn,
    query: &str,
    feedback: Option<bool>,
    request: RequestDraft,
    request_error: Option<String>,
) -> HelpTemplate {
    let asked = !query.trim().is_empty();
    let found = if asked {
        help_learning::recommend(&state.app, &state.help, query, signed_in.ctx.locale, 4).await
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(state, &signed_in.ctx, "/help");
    // The question goes along, so opening the article counts as a sign that it helped.
    let from = serde_urlencoded::to_string([("q", query)]).unwrap_or_default();
    let link = |rec: &faktura_help::Recommendation| Alternative {
        title: rec.title.clone(),
        href: format!(
            "{ARTICLE_BASE}/{}/{}?{from}",
            rec.locale.tag(),
            rec.article.slug
        ),
    };
    let (found, maybe): (Vec<_>, Vec<_>) = found.into_iter().partition(|rec| !rec.maybe);
    let maybe = maybe.iter().map(link).collect();
    let mut found = found.into_iter();
    let best = found.next().and_then(|rec| {
        state
            .help
            .article(rec.article.locale, &rec.article.slug)
            .map(|article| Best {
                path: rec.path.clone(),
                html: localized_article_html(state, article),
                lang: rec.locale.language(),
                other_language: rec.cross_language.then_some(match rec.locale {
                    Locale::EnUs => "help-only-in-english",
                    Locale::DaDk => "help-only-in-danish",
                }),
            })
    });
    // An article the answer itself links to is not listed again beside it.
    let linked_from_best = |rec: &faktura_help::Recommendation| {
        best.as_ref().is_some_and(|best| {
            best.html.contains(&format!(
                "\"{ARTICLE_BASE}/{}/{}",
                rec.locale.tag(),
                rec.article.slug
            ))
        })
    };
    let alternatives = found
        .filter(|rec| !linked_from_best(rec))
        .take(3)
        .map(|rec| link(&rec))
        .collect();
    let show_request_form =
        asked && (best.is_none() || feedback == Some(false)) || request_error.is_some();
    let severities = severity_options(&chrome.tr, "normal");
    HelpTemplate {
        query: query.to_owned(),
        asked,
        best,
        alternatives,
        maybe,
        feedback,
        show_request_form,
        request,
        request_error,
        severities,
        chrome,
    }
}

fn draft_for(signed_in: &SignedIn, query: &str) -> RequestDraft {
    RequestDraft {
        subject: query.chars().take(120).collect(),
        description: String::new(),
        contact: signed_in.user.email.clone(),
    }
}

pub async fn pane(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<HelpQuery>,
) -> Response {
    let q: String = query.q.chars().take(MAX_QUERY_CHARS).collect();
    let feedback = match query.feedback.as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let draft = draft_for(&signed_in, &q);
    let mut page = help_page(&state, &signed_in, &q, feedback, draft, None).await;
    page.chrome.frame = service_nav(&state, Some(&signed_in.user), "help").await;
    render(&page)
}

#[derive(Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    helpful: String,
}

pub async fn feedback(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<FeedbackForm>,
) -> Result<Response, AppError> {
    let helpful = match form.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::BadRequest("helpful must be yes or no")),
    };
    let query: String = form.q.chars().take(MAX_QUERY_CHARS).collect();
    let path: String = form.path.chars().take(300).collect();
    let locale = faktura_help::detect_language(&query).unwrap_or(signed_in.ctx.locale);
    match help_learning::record_feedback(
        &state.app,
        &state.help,
        &signed_in.actor(),
        &query,
        locale,
        &path,
        helpful,
    )
    .await
    {
        Ok(()) => {}
        Err(FeedbackError::App(error)) => return Err(error.into()),
        Err(FeedbackError::TooMany) => {
            let chrome = Chrome::new(&state, &signed_in.ctx, "/help");
            return Ok(too_many(
                &state,
                TooManyTemplate {
                    heading: chrome.tr.t("help-feedback-too-many-title"),
                    explanation: chrome.tr.t("help-feedback-too-many"),
                    chrome,
                },
            ));
        }
    }
    let params = serde_urlencoded::to_string([
        ("q", query.as_str()),
        ("feedback", if helpful { "yes" } else { "no" }),
    ])
    .unwrap_or_default();
    Ok(Redirect::to(&format!("/help?{params}")).into_response())
}

#[derive(Deserialize, Default)]
pub struct ArticleQuery {
    /// The question whose results the article was opened from.
    #[serde(default)]
    q: String,
}

pub async fn article(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((locale, slug)): Path<(String, String)>,
    Query(from): Query<ArticleQuery>,
) -> Result<Response, AppError> {
    let locale = Locale::from_tag(&locale).ok_or(AppError::NotFound)?;
    let article = state
        .help
        .article(locale, &slug)
        .ok_or(AppError::NotFound)?;
    let question: String = from.q.chars().take(MAX_QUERY_CHARS).collect();
    if !question.trim().is_empty() {
        // Learning is a side matter: the article opens whatever happens to the signal.
        if let Err(error) = help_learning::record_opened(
            &state.app,
            &state.help,
            &signed_in.actor(),
            &question,
            &article.path(),
        )
        .await
        {
            tracing::warn!(%error, "help learning: open not recorded");
        }
    }
    let path = format!("{ARTICLE_BASE}/{}/{slug}", locale.tag());
    let chrome = Chrome::framed(&state, &signed_in.ctx, &path, "help")
        .await
        .crumb_text(&article.title, &path);
    let html = localized_article_html(&state, article);
    Ok(render(&ArticleTemplate {
        title: article.title.clone(),
        lang: locale.language(),
        html,
        chrome,
    }))
}

/// The answer over a rate limit: 429, and a hint to come back later.
#[derive(Template)]
#[template(path = "error.html")]
struct TooManyTemplate {
    chrome: Chrome,
    heading: String,
    explanation: String,
}

fn too_many(state: &AppState, page: impl Template) -> Response {
    let mut response = render_with(StatusCode::TOO_MANY_REQUESTS, &page);
    let seconds = state.config().support_window_minutes.saturating_mul(60);
    if let Ok(value) = seconds.to_string().parse() {
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, value);
    }
    response
}

#[derive(Template)]
#[template(path = "help_article.html")]
struct ArticleTemplate {
    chrome: Chrome,
    title: String,
    lang: &'static str,
    html: String,
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    contact: String,
}

pub async fn create_request(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    let query: String = form.q.chars().take(MAX_QUERY_CHARS).collect();
    let draft = support::RequestDraft {
        subject: form.subject,
        description: form.description,
        severity: form.severity,
        contact: form.contact,
        query: query.clone(),
    };
    let (status, key) = match support::create_request(&state.app, &signed_in.actor(), &draft).await
    {
        Ok(id) => return Ok(Redirect::to(&format!("/help/requests?created={id}")).into_response()),
        Err(RequestError::App(error)) => return Err(error.into()),
        Err(RequestError::TooMany) => (StatusCode::TOO_MANY_REQUESTS, "support-error-too-many"),
        Err(RequestError::Problem(problem)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            match problem {
                RequestProblem::Subject => "support-error-subject",
                RequestProblem::Description => "support-error-description",
                RequestProblem::Severity => "support-error-severity",
                RequestProblem::Contact => "support-error-contact",
            },
        ),
    };
    let tr = Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let kept = RequestDraft {
        subject: draft
            .subject
            .trim()
            .chars()
            .take(support::MAX_SUBJECT_CHARS)
            .collect(),
        description: draft
            .description
            .trim()
            .chars()
            .take(support::MAX_DESCRIPTION_CHARS)
            .collect(),
        contact: draft.contact.trim().chars().take(200).collect(),
    };
    let mut page = help_page(
        &state,
        &signed_in,
        &query,
        Some(false),
        kept,
        Some(tr.t(key)),
    )
    .await;
    page.chrome.frame = service_nav(&state, Some(&signed_in.user), "help").await;
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Ok(too_many(&state, page));
    }
    Ok(render_with(status, &page))
}

pub struct RequestRow {
    pub id: String,
    pub customer: String,
    pub subject: String,
    pub description: String,
    pub severity: String,
    pub date: String,
    pub status: String,
    pub statuses: Vec<(&'static str, String, bool)>,
}

#[derive(Template)]
#[template(path = "support_requests.html")]
struct RequestsTemplate {
    chrome: Chrome,
    heading: String,
    operator: bool,
    created: Option<String>,
    rows: Vec<RequestRow>,
    feedback: Vec<(String, String, String, String)>,
}

fn rows(tr: &Tr, requests: Vec<SupportRequest>) -> Vec<RequestRow> {
    requests
        .into_iter()
        .map(|r| RequestRow {
            statuses: SUPPORT_STATUSES
                .iter()
                .map(|s| (*s, tr.t(&format!("support-status-{s}")), *s == r.status))
                .collect(),
            status: tr.t(&format!("support-status-{}", r.status)),
            severity: tr.t(&format!("support-severity-{}", r.severity)),
            date: tr.date(r.created_at.date_naive()),
            id: r.id,
            customer: r.user_email,
            subject: r.subject,
            description: r.description,
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct CreatedQuery {
    #[serde(default)]
    created: Option<String>,
}

pub async fn my_requests(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<CreatedQuery>,
) -> Result<Response, AppError> {
    let requests = support::my_requests(&state.app, &signed_in.actor()).await?;
    let chrome = Chrome::framed(&state, &signed_in.ctx, "/help/requests", "help").await;
    let heading = chrome.tr.t("support-my-requests");
    let chrome = chrome.crumb_text(&heading, "/help/requests");
    let created = query
        .created
        .filter(|id| requests.iter().any(|r| &r.id == id));
    let template = RequestsTemplate {
        heading,
        operator: false,
        created,
        rows: rows(&chrome.tr, requests),
        feedback: Vec::new(),
        chrome,
    };
    Ok(render(&template))
}

pub async fn operator_requests(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    let (requests, feedback) = support::operator_queue(&state.app, &signed_in.actor()).await?;
    let chrome = Chrome::new(&state, &signed_in.ctx, "/operator/support");
    let tr = &chrome.tr;
    let feedback = feedback
        .into_iter()
        .map(|f| {
            (
                tr.date(f.at.date_naive()),
                format!("{} ({})", f.query, f.locale),
                f.path,
                tr.t(if f.helpful { "help-yes" } else { "help-no" }),
            )
        })
        .collect();
    let template = RequestsTemplate {
        heading: chrome.tr.t("support-all-requests"),
        operator: true,
        created: None,
        rows: rows(&chrome.tr, requests),
        feedback,
        chrome,
    };
    Ok(render(&template))
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

pub async fn operator_set_status(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    support::set_status(&state.app, &signed_in.actor(), &id, &form.status).await?;
    Ok(Redirect::to("/operator/support").into_response())
}
