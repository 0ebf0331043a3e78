//! The OpenAPI 3.1 document and a readable API page, both built from [`super::operations`],
//! so what is documented is exactly what is routed.

use super::envelope::API_VERSION;
use super::{operations, Operation};
use crate::context::RequestContext;
use crate::state::AppState;
use crate::view::{render, Chrome};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use serde_json::{json, Map, Value};

fn path_parameters(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_owned)
        .collect()
}

fn describe(name: &str) -> &'static str {
    match name {
        "ba" => "Billing account id (ba_…)",
        "bp" => "Billing profile id (bp_…)",
        "invoice" => "Invoice id (inv_…) or invoice number",
        "pm" => "Payment method id (pm_…)",
        "payment" => "Payment id (pay_…)",
        "$top" => "Page size, 1–200 (default 50); `top` works too",
        "$skipToken" => "Continuation from a nextLink",
        "periodStartDate" => "Only invoices dated on or after this day (YYYY-MM-DD)",
        "periodEndDate" => "Only invoices dated on or before this day (YYYY-MM-DD)",
        "limit" => "How many to return (at most 1000)",
        _ => "",
    }
}

fn operation_object(operation: &Operation) -> Value {
    let mut parameters: Vec<Value> = path_parameters(&operation.path)
        .iter()
        .map(|name| json!({"name": name, "in": "path", "required": true, "description": describe(name), "schema": {"type": "string"}}))
        .collect();
    if operation.takes_api_version() {
        parameters.push(json!({"name": "api-version", "in": "query", "required": true, "schema": {"type": "string", "enum": [API_VERSION]}}));
    }
    for name in operation.query {
        let schema = if *name == "$top" || *name == "limit" {
            json!({"type": "integer", "minimum": 1})
        } else {
            json!({"type": "string"})
        };
        parameters.push(json!({"name": name, "in": "query", "required": false, "description": describe(name), "schema": schema}));
    }
    if matches!(operation.id, "Invoices_Pay" | "Operator_RefundPayment") {
        parameters.push(json!({"name": "Idempotency-Key", "in": "header", "required": false, "description": "Up to 255 printable characters; retries with the same key never charge or refund twice", "schema": {"type": "string", "maxLength": 255}}));
    }
    let mut responses = Map::new();
    let example = super::examples::response_example(operation.id);
    for (status, description) in operation.responses {
        let error = *status >= 400
            && !(matches!(operation.id, "Invoices_Pay" | "Operator_RefundPayment")
                && *status == 402);
        let mut content = if error {
            json!({
                "schema": {"$ref": "#/components/schemas/Error"},
                "example": {"error": {"code": "ResourceNotFound", "message": "the invoice was not found", "target": null, "details": []}}
            })
        } else {
            json!({"schema": {"type": ["object", "array"]}})
        };
        if let (false, Some(example)) = (error, &example) {
            content["example"] = example.clone();
        }
        responses.insert(
            status.to_string(),
            json!({"description": description, "content": {"application/json": content}}),
        );
    }
    let mut object = json!({
        "operationId": operation.id,
        "tags": [operation.tag],
        "summary": operation.summary,
        "parameters": parameters,
        "responses": responses,
        "security": [{"bearer": []}],
    });
    if let Some(example) = &operation.request_example {
        object["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}, "example": example}}});
    }
    object
}

/// The OpenAPI 3.1 description of every operation.
pub fn openapi() -> Value {
    let mut paths = Map::new();
    for operation in operations() {
        let entry = paths
            .entry(operation.path.clone())
            .or_insert_with(|| json!({}));
        entry[operation.method] = operation_object(&operation);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Faktura API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Microsoft.Billing-compatible billing resources (api-version 2024-04-01), Faktura's pay extension, and the operator API. Send a personal access token as `Authorization: Bearer fkt_…`."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A personal access token (portal user menu, or `faktura token create`)"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"}, "target": {"type": ["string", "null"]},
                        "details": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}
                    }}}
                }
            }
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(openapi())
}

pub struct OperationView {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub id: String,
    pub example: Option<String>,
    pub responses: String,
}

#[derive(Template)]
#[template(path = "api_reference.html")]
struct ApiPage {
    chrome: Chrome,
    /// Faktura's address as browsers reach it (`--public-url`), for the example.
    base: String,
    groups: Vec<(String, Vec<OperationView>)>,
}

/// The message key of an operation group's name (`Payments (Faktura extension)` →
/// `api-tag-payments-faktura-extension`).
fn tag_key(tag: &str) -> String {
    let mut key = String::from("api-tag");
    for word in tag
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        key.push('-');
        key.push_str(&word.to_ascii_lowercase());
    }
    key
}

/// A readable reference, served by Faktura itself (nothing loads from elsewhere), in the
/// reader's language, inside the service's frame for someone signed in with a billing account.
pub async fn page(State(state): State<AppState>, ctx: RequestContext) -> Response {
    let chrome = Chrome::framed(&state, &ctx, "/api", "api").await;
    let tr = &chrome.tr;
    let mut groups: Vec<(String, Vec<OperationView>)> = Vec::new();
    for operation in operations() {
        let view = OperationView {
            method: operation.method.to_uppercase(),
            path: operation.path.clone(),
            summary: tr.t(&format!("api-op-{}", operation.id)),
            id: operation.id.to_owned(),
            example: operation
                .request_example
                .as_ref()
                .and_then(|e| serde_json::to_string_pretty(e).ok()),
            responses: operation
                .responses
                .iter()
                .map(|(status, _)| status.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let group = tr.t(&tag_key(operation.tag));
        match groups.iter_mut().find(|(name, _)| *name == group) {
            Some((_, list)) => list.push(view),
            None => groups.push((group, vec![view])),
        }
    }
    let base = state.config().public_url.trim_end_matches('/').to_owned();
    render(&ApiPage {
        chrome,
        base,
        groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_routed_operation_is_documented_with_responses() {
        let document = openapi();
        assert_eq!(document["openapi"], "3.1.0");
        let paths = document["paths"].as_object().unwrap();
        for operation in operations() {
            let entry = &paths[&operation.path][operation.method];
            assert_eq!(entry["operationId"], operation.id);
            assert!(
                !entry["responses"].as_object().unwrap().is_empty(),
                "{}",
                operation.id
            );
            for name in path_parameters(&operation.path) {
                assert!(entry["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["name"] == name.as_str() && p["in"] == "path"));
            }
        }
        let get =
            &paths["/providers/Microsoft.Billing/billingAccounts/{ba}/invoices/{invoice}"]["get"];
        assert_eq!(
            get["responses"]["200"]["content"]["application/json"]["example"]["properties"]
                ["totalAmount"]["value"],
            873.75
        );
        let get =
            &paths["/providers/Microsoft.Billing/billingAccounts/{ba}/invoices/{invoice}"]["get"];
        let example = &get["responses"]["200"]["content"]["application/json"]["example"];
        assert_eq!(example["properties"]["totalAmount"]["value"], 873.75);
        let ids: Vec<&str> = operations().iter().map(|o| o.id).collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(ids.len(), unique.len(), "operation ids are unique");
    }

    /// The page shows each operation's summary and group in the reader's language: the English
    /// messages say what the code's summaries (and so `/openapi.json`) say, and Danish has its own.
    #[test]
    fn every_operation_reads_in_both_languages() {
        use faktura_domain::Locale;
        let i18n = crate::i18n::I18n::load().unwrap();
        for operation in operations() {
            let key = format!("api-op-{}", operation.id);
            assert!(i18n.has(Locale::DaDk, &key), "{key} in Danish");
            assert_eq!(
                i18n.format(Locale::EnUs, &key, None),
                operation.summary,
                "{key}"
            );
            assert_ne!(
                i18n.format(Locale::DaDk, &key, None),
                operation.summary,
                "{key} is translated"
            );
            let group = tag_key(operation.tag);
            assert_eq!(i18n.format(Locale::EnUs, &group, None), operation.tag);
            assert!(i18n.has(Locale::DaDk, &group), "{group} in Danish");
        }
        assert_eq!(
            tag_key("Payments (Faktura extension)"),
            "api-tag-payments-faktura-extension"
        );
    }
}
