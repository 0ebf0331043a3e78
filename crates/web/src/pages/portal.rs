//! The portal home and the global search.

use crate::context::{RequestContext, SignedIn};
use crate::error::AppError;
use crate::state::AppState;
use crate::view::*;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use faktura_app::invoices;
use serde::{Deserialize, Serialize};

pub async fn root(ctx: RequestContext) -> Redirect {
    if ctx.user.is_some() {
        Redirect::to("/portal")
    } else {
        Redirect::to("/signin")
    }
}

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalTemplate {
    chrome: Chrome,
}

pub async fn home(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    render(&PortalTemplate {
        chrome: Chrome::new(&state, &signed_in.ctx, "/portal"),
    })
}

/// Words that find a service, in both languages whatever the page language.
const SERVICES: &[(&str, &str, &[&str])] = &[
    (
        "nav-help",
        "/help",
        &[
            "help + support",
            "hjælp + support",
            "help",
            "hjælp",
            "support",
            "problem",
            "supportanmodning",
            "support request",
        ],
    ),
    (
        "service-billing",
        "/billing",
        &[
            "cost management + billing",
            "cost management + fakturering",
            "cost management",
            "billing",
            "fakturering",
            "invoices",
            "invoice",
            "fakturaer",
            "faktura",
            "pay invoice",
            "betal faktura",
            "payments",
            "betalinger",
        ],
    ),
];

fn normalize(query: &str) -> String {
    query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Services whose keywords the query starts, contains or is contained in.
fn matching_services(query: &str) -> Vec<(&'static str, &'static str)> {
    let query = normalize(query);
    if query.chars().count() < 2 {
        return Vec::new();
    }
    SERVICES
        .iter()
        .filter(|(_, _, words)| {
            words
                .iter()
                .any(|w| w.contains(&query) || query.contains(w))
        })
        .map(|(key, href, _)| (*key, *href))
        .collect()
}

#[derive(Serialize, Clone, Debug)]
pub struct Suggestion {
    pub kind: &'static str,
    pub label: String,
    pub href: String,
    pub detail: String,
}

/// Invoices whose number starts with the query, in the profiles the user may see.
async fn matching_invoices(
    state: &AppState,
    signed_in: &SignedIn,
    query: &str,
    tr: &crate::i18n::Tr,
) -> Result<Vec<Suggestion>, AppError> {
    let found = invoices::search(&state.app, &signed_in.actor(), query).await?;
    Ok(found
        .into_iter()
        .map(|found| Suggestion {
            kind: "invoice",
            label: tr.t1("search-invoice-label", "number", &found.invoice.number),
            href: format!(
                "/billing/{}/invoices/{}",
                found.account.id, found.invoice.id
            ),
            detail: format!(
                "{} · {}",
                found.account.display_name,
                tr.money(found.invoice.total)
            ),
        })
        .collect())
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn suggestions(
    state: &AppState,
    signed_in: &SignedIn,
    query: &str,
) -> Result<(Vec<Suggestion>, Vec<Suggestion>), AppError> {
    let tr = crate::i18n::Tr::new(state.i18n.clone(), signed_in.ctx.locale);
    let services = matching_services(query)
        .into_iter()
        .map(|(key, href)| Suggestion {
            kind: "service",
            label: tr.t(key),
            href: href.to_owned(),
            detail: tr.t("search-kind-service"),
        })
        .collect();
    let invoices = matching_invoices(state, signed_in, query, &tr).await?;
    Ok((services, invoices))
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchTemplate {
    chrome: Chrome,
    services: Vec<Suggestion>,
    invoices: Vec<Suggestion>,
}

/// The search results page: what the search box shows without JavaScript.
pub async fn search(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let q: String = query.q.chars().take(200).collect();
    let (services, invoices) = suggestions(&state, &signed_in, &q).await?;
    // One service and nothing else: open it, as choosing the only suggestion would.
    if services.len() == 1 && invoices.is_empty() {
        return Ok(Redirect::to(&services[0].href).into_response());
    }
    let mut chrome = Chrome::new(&state, &signed_in.ctx, "/search");
    chrome.search_query = q;
    Ok(render(&SearchTemplate {
        chrome,
        services,
        invoices,
    }))
}

/// Suggestions as JSON for the search box's list.
pub async fn suggest(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<Suggestion>>, AppError> {
    let q: String = query.q.chars().take(200).collect();
    let (mut services, invoices) = suggestions(&state, &signed_in, &q).await?;
    services.extend(invoices);
    Ok(Json(services))
}

#[cfg(test)]
mod tests {
    use super::matching_services;

    #[test]
    fn billing_is_found_by_its_names_in_both_languages() {
        for query in [
            "Cost Management",
            "cost management + billing",
            "billing",
            "fakturering",
            "invoices",
            "Fakturaer",
            "cost",
            "  COST   management ",
        ] {
            assert_eq!(matching_services(query).len(), 1, "{query}");
        }
        for query in ["", "x", "weather", "kubernetes"] {
            assert!(matching_services(query).is_empty(), "{query}");
        }
    }
}
