//! Operators: what the help recommender learned from use, per query cluster, and resetting it.

use crate::context::SignedIn;
use crate::error::AppError;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use faktura_app::help_learning::{self, ResetScope};
use serde::Deserialize;

const PAGE: &str = "/operator/help-learning";

pub struct LearnedRow {
    pub cluster: String,
    /// The cluster's first row carries its reset button.
    pub first_of_cluster: bool,
    pub article: String,
    pub helpful: u32,
    pub unhelpful: u32,
    pub opened: u32,
    /// `+30 %`, `−15 %`, `0 %`.
    pub adjustment: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "operator_help_learning.html")]
struct LearnedTemplate {
    chrome: Chrome,
    rows: Vec<LearnedRow>,
    /// How many customers' answers a reset just forgot.
    reset: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ResetDone {
    #[serde(default)]
    reset: Option<u64>,
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(done): Query<ResetDone>,
) -> Result<Response, AppError> {
    let adjustments = help_learning::adjustments(&state.app, &signed_in.actor()).await?;
    let chrome = Chrome::new(&state, &signed_in.ctx, PAGE);
    let mut rows: Vec<LearnedRow> = Vec::new();
    // Rows of one cluster together, clusters in the order of their latest use.
    let mut order: Vec<&str> = Vec::new();
    for a in &adjustments {
        if !order.contains(&a.cluster.as_str()) {
            order.push(&a.cluster);
        }
    }
    for cluster in order {
        for (i, a) in adjustments
            .iter()
            .filter(|a| a.cluster == cluster)
            .enumerate()
        {
            rows.push(LearnedRow {
                cluster: a.cluster.clone(),
                first_of_cluster: i == 0,
                article: a.article_path.clone(),
                helpful: a.signals.helpful,
                unhelpful: a.signals.unhelpful,
                opened: a.signals.opened,
                adjustment: match a.percent {
                    p if p > 0 => format!("+{p} %"),
                    p if p < 0 => format!("−{} %", p.unsigned_abs()),
                    _ => "0 %".to_owned(),
                },
                date: chrome.tr.date(a.updated_at.date_naive()),
            });
        }
    }
    let reset = done
        .reset
        .map(|n| chrome.tr.t1("help-learning-reset-done", "count", n));
    Ok(render(&LearnedTemplate {
        rows,
        reset,
        chrome,
    }))
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    cluster: String,
    #[serde(default)]
    all: String,
}

pub async fn reset(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    // An empty cluster is refused by the use case, after it checked the actor is an operator.
    let scope = if form.all == "yes" {
        ResetScope::All
    } else {
        ResetScope::Cluster(form.cluster.chars().take(400).collect())
    };
    let removed = help_learning::reset(&state.app, &signed_in.actor(), &scope).await?;
    Ok(Redirect::to(&format!("{PAGE}?reset={removed}")).into_response())
}
