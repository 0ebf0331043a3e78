//! An activity event's details as labelled values in the reader's language ("Status: Due →
//! Paid", "Card: Visa •••• 4242", "Role: Billing account owner"). Internal ids are left out:
//! the event's target and kind already say what it is about. A key not known here is shown as
//! it is stored, so a new kind of detail is never hidden by accident.

use crate::i18n::Tr;
use crate::view::{brand_label, role_label, status_label};
use faktura_domain::*;
use serde_json::{Map, Value};

/// Ids and references that mean nothing to a reader of the log.
const INTERNAL: &[&str] = &[
    "assignment",
    "credit_note",
    "default_after",
    "default_before",
    "endpoint",
    "gateway_reference",
    "invitation",
    "invoice",
    "mail_locale",
    "payment",
    "payment_method",
    "refund",
    "settlement",
    "support_request",
];

/// Keys read together with others below (an amount's currency, a card's last four).
const READ_WITH_OTHERS: &[&str] = &[
    "amount_due_minor",
    "amount_minor",
    "brand",
    "currency",
    "exp_month",
    "exp_year",
    "expiry",
    "last4",
    "total_minor",
];

/// The order labelled keys are shown in.
const ORDER: &[&str] = &[
    "role",
    "scope",
    "profile",
    "failure_reason",
    "reason",
    "three_d_secure",
    "invoice_number",
    "credit_note_number",
    "number",
    "invoices",
    "due_date",
    "issued_on",
    "invited",
    "late",
];

/// Flattens nested JSON into `a.b: value` pairs (nulls left out).
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, inner, out);
            }
        }
        Value::Null => {}
        Value::String(text) => out.push((prefix.to_owned(), text.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

/// The label of a field of the Properties page's before/after (`bill_to.city`, `invoice_email`).
fn property_label(tr: &Tr, path: &str) -> String {
    let field = |key: &str| match key {
        "bill_to" => Some("properties-bill-to"),
        "sold_to" => Some("properties-sold-to"),
        "invoice_email" => Some("properties-invoice-email"),
        "po_number" => Some("properties-po-number"),
        "company" => Some("properties-company"),
        "line1" => Some("properties-line1"),
        "line2" => Some("properties-line2"),
        "postal_code" => Some("properties-postal-code"),
        "city" => Some("properties-city"),
        "region" => Some("properties-region"),
        "country" => Some("properties-country"),
        _ => None,
    };
    let parts: Vec<String> = path
        .split('.')
        .map(|part| field(part).map(|key| tr.t(key)).unwrap_or(part.to_owned()))
        .collect();
    parts.join(", ")
}

/// A state code in words: a payment's or settlement's, a support request's, or an invoice's.
fn state_label(tr: &Tr, kind: &str, code: &str) -> String {
    let key = if kind.starts_with("support_request.") {
        format!("support-status-{code}")
    } else if let Some(status) = InvoiceStatus::from_code(code) {
        return status_label(tr, status);
    } else {
        format!("payment-state-{code}")
    };
    if tr.i18n.has(tr.locale, &key) {
        tr.t(&key)
    } else {
        code.to_owned()
    }
}

fn profile_name(tr: &Tr, profiles: &[BillingProfile], id: &str) -> String {
    profiles
        .iter()
        .find(|p| p.id.as_str() == id)
        .map(|p| p.display_name.clone())
        .unwrap_or_else(|| tr.t("detail-profile-hidden"))
}

/// What changed between `before` and `after`, as "old → new" per field.
fn changes(tr: &Tr, kind: &str, before: &Value, after: &Value, out: &mut Vec<(String, String)>) {
    if let (Some(old), Some(new)) = (before.as_str(), after.as_str()) {
        out.push((
            tr.t("col-status"),
            format!(
                "{} → {}",
                state_label(tr, kind, old),
                state_label(tr, kind, new)
            ),
        ));
        return;
    }
    let (mut old, mut new) = (Vec::new(), Vec::new());
    flatten("", before, &mut old);
    flatten("", after, &mut new);
    for (key, after_value) in &new {
        let before_value = old
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if before_value != after_value {
            out.push((
                property_label(tr, key),
                format!("{before_value} → {after_value}"),
            ));
        }
    }
}

fn money_of(map: &Map<String, Value>, key: &str) -> Option<Money> {
    let minor = map.get(key)?.as_i64()?;
    let currency: Currency = map.get("currency")?.as_str()?.parse().ok()?;
    Some(Money::from_minor(minor, currency))
}

fn card(tr: &Tr, map: &Map<String, Value>, out: &mut Vec<(String, String)>) {
    let text = |key: &str| map.get(key).and_then(Value::as_str);
    if let (Some(brand), Some(last4)) = (text("brand"), text("last4")) {
        let brand = CardBrand::from_code(brand)
            .map(|b| brand_label(tr, b))
            .unwrap_or_else(|| brand.to_owned());
        out.push((tr.t("detail-card"), format!("{brand} •••• {last4}")));
    }
    let number = |key: &str| map.get(key).and_then(Value::as_i64);
    let expiry = match (text("expiry"), number("exp_month"), number("exp_year")) {
        (Some(expiry), _, _) => Some(expiry.to_owned()),
        (None, Some(month), Some(year)) => Some(format!("{month:02}/{year}")),
        _ => None,
    };
    if let Some(expiry) = expiry {
        out.push((tr.t("detail-expiry"), expiry));
    }
}

/// The details of one event of `kind`, stored as JSON, for the activity log.
pub fn event_details(
    tr: &Tr,
    kind: &str,
    raw: &str,
    profiles: &[BillingProfile],
) -> Vec<(String, String)> {
    let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(raw) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let (Some(before), Some(after)) = (map.remove("before"), map.remove("after")) {
        changes(tr, kind, &before, &after, &mut out);
    }
    card(tr, &map, &mut out);
    for (key, label) in [
        ("amount_minor", "col-amount"),
        ("total_minor", "col-total"),
        ("amount_due_minor", "col-amount-due"),
    ] {
        if let Some(money) = money_of(&map, key) {
            out.push((tr.t(label), tr.money(money)));
        }
    }
    let from = map.remove("from");
    let to = map.remove("to").or_else(|| map.remove("status"));
    if let Some(to) = to.as_ref().and_then(Value::as_str) {
        let to = state_label(tr, kind, to);
        let text = match from.as_ref().and_then(Value::as_str) {
            Some(from) => format!("{} → {to}", state_label(tr, kind, from)),
            None => to,
        };
        out.push((tr.t("col-status"), text));
    }
    // The labelled keys in reading order, then whatever else the event carries.
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|key| {
        ORDER
            .iter()
            .position(|known| known == key)
            .unwrap_or(ORDER.len())
    });
    for key in keys {
        let Some(value) = map.get(key) else {
            continue;
        };
        if INTERNAL.contains(&key.as_str()) || READ_WITH_OTHERS.contains(&key.as_str()) {
            continue;
        }
        let text = value.as_str();
        let entry = match (key.as_str(), value) {
            (_, Value::Null) => None,
            ("failure_reason", _) => text.map(|code| {
                let key = format!("failure-{code}");
                let reason = if tr.i18n.has(tr.locale, &key) {
                    tr.t(&key)
                } else {
                    code.to_owned()
                };
                (tr.t("detail-reason"), reason)
            }),
            ("invoice_number", _) => {
                text.map(|number| (tr.t("col-invoice-number"), number.to_owned()))
            }
            // A credit note's own number (on `credit_note.issued`, or beside its refund).
            ("credit_note_number" | "number", _) => {
                text.map(|number| (tr.t("detail-credit-note"), number.to_owned()))
            }
            ("reason", _) => text.map(|reason| (tr.t("detail-reason"), reason.to_owned())),
            ("role", _) => text.map(|code| {
                let role = code
                    .parse::<Role>()
                    .map(|role| role_label(tr, role))
                    .unwrap_or_else(|_| code.to_owned());
                (tr.t("detail-role"), role)
            }),
            ("scope", _) => text.map(|scope| {
                let name = if scope == "account" {
                    tr.t("detail-scope-account")
                } else {
                    profile_name(tr, profiles, scope)
                };
                (tr.t("detail-scope"), name)
            }),
            ("profile", _) => {
                text.map(|id| (tr.t("col-billing-profile"), profile_name(tr, profiles, id)))
            }
            ("invited", Value::Bool(true)) => {
                Some((tr.t("detail-invitation"), tr.t("detail-invitation-mailed")))
            }
            ("invited", _) => None,
            ("three_d_secure", _) => text.map(|result| {
                let key = if result == "passed" {
                    "detail-3ds-passed"
                } else {
                    "detail-3ds-failed"
                };
                (tr.t("detail-3ds"), tr.t(key))
            }),
            ("invoices", Value::Array(numbers)) => {
                let numbers: Vec<&str> = numbers.iter().filter_map(Value::as_str).collect();
                Some((tr.t("detail-invoices"), numbers.join(", ")))
            }
            ("late", Value::Bool(true)) => {
                let note = if map.get("needs_refund") == Some(&Value::Bool(true)) {
                    "detail-late-needs-refund"
                } else {
                    "detail-late-applied"
                };
                Some((tr.t("detail-note"), tr.t(note)))
            }
            ("late" | "needs_refund", _) => None,
            ("due_date" | "issued_on", _) => text.map(|raw| {
                let date = raw
                    .parse::<chrono::NaiveDate>()
                    .map(|d| tr.date(d))
                    .unwrap_or_else(|_| raw.to_owned());
                let label = if key == "due_date" {
                    "col-due-date"
                } else {
                    "detail-issued-on"
                };
                (tr.t(label), date)
            }),
            _ => {
                let mut raw = Vec::new();
                flatten(key, value, &mut raw);
                out.extend(raw);
                None
            }
        };
        out.extend(entry);
    }
    for (_, value) in &mut out {
        *value = value.chars().take(300).collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::I18n;

    fn tr(locale: Locale) -> Tr {
        Tr::new(I18n::load().unwrap(), locale)
    }

    fn profile() -> BillingProfile {
        BillingProfile {
            id: BillingProfileId::parse("bp_0123456789abcdefghij").unwrap(),
            billing_account_id: BillingAccountId::generate(),
            display_name: "Nordlys Drift".into(),
            currency: Currency::DKK,
            status: ProfileStatus::Active,
            status_reason: None,
            bill_to: Address::default(),
            invoice_email: String::new(),
            default_payment_method_id: None,
            purchase_order_number: None,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_payment_reads_as_words_not_codes() {
        let en = tr(Locale::EnUs);
        let shown = event_details(
            &en,
            "payment.failed",
            r#"{"payment":"pay_1","from":"requires_action","to":"failed","failure_reason":"AuthenticationAbandoned","gateway_reference":"ch_1"}"#,
            &[],
        );
        assert_eq!(shown[0].0, "Status");
        assert_eq!(shown[0].1, "Waiting for authentication → Failed");
        assert_eq!(shown[1].0, "Reason");
        assert!(shown[1].1.contains("3-D Secure check was not finished"));
        assert!(!shown
            .iter()
            .any(|(_, v)| v.contains("pay_1") || v.contains("ch_1")));
    }

    #[test]
    fn cards_roles_profiles_and_amounts_are_labelled_in_danish() {
        let da = tr(Locale::DaDk);
        let profiles = [profile()];
        let card = event_details(
            &da,
            "payment_method.added",
            r#"{"payment_method":"pm_1","brand":"visa","last4":"4242","expiry":"12/2034","profile":"bp_0123456789abcdefghij","three_d_secure":"passed"}"#,
            &profiles,
        );
        assert!(
            card.contains(&("Kort".into(), "Visa •••• 4242".into())),
            "{card:?}"
        );
        assert!(
            card.contains(&("Faktureringsprofil".into(), "Nordlys Drift".into())),
            "{card:?}"
        );
        assert!(!card.iter().any(|(_, v)| v.contains("pm_1")));
        let role = event_details(
            &da,
            "role.granted",
            r#"{"assignment":"ra_1","role":"BillingAccountOwner","scope":"account","invited":true}"#,
            &profiles,
        );
        assert_eq!(role[0].0, "Rolle");
        assert_ne!(role[0].1, "BillingAccountOwner");
        let paid = event_details(
            &da,
            "payment.attempted",
            r#"{"payment":"pay_1","amount_minor":1513824,"currency":"DKK","payment_method":"pm_1"}"#,
            &profiles,
        );
        assert_eq!(paid, vec![("Beløb".to_owned(), "15.138,24 kr.".to_owned())]);
    }

    #[test]
    fn refunds_name_their_credit_note_and_keep_gateway_codes() {
        let en = tr(Locale::EnUs);
        let refunded = event_details(
            &en,
            "payment.refunded",
            r#"{"refund":"rf_1","payment":"pay_1","invoice":"inv_1","amount_minor":50000,"currency":"DKK","credit_note":"cn_1","credit_note_number":"CN000000001"}"#,
            &[],
        );
        assert!(
            refunded.contains(&("Credit note".to_owned(), "CN000000001".to_owned())),
            "{refunded:?}"
        );
        assert!(!refunded
            .iter()
            .any(|(_, v)| v.contains("rf_1") || v.contains("cn_1")));
        let failed = event_details(
            &en,
            "refund.failed",
            r#"{"refund":"rf_1","failure_reason":"charge_already_refunded"}"#,
            &[],
        );
        assert_eq!(
            failed,
            vec![("Reason".to_owned(), "charge_already_refunded".to_owned())]
        );
    }

    #[test]
    fn changed_properties_and_statuses_show_before_and_after() {
        let en = tr(Locale::EnUs);
        let changed = event_details(
            &en,
            "properties.updated",
            r#"{"profile":"bp_x","before":{"bill_to":{"city":"A","line1":"X"},"invoice_email":"a@b.c"},"after":{"bill_to":{"city":"B","line1":"X"},"invoice_email":"a@b.c"}}"#,
            &[],
        );
        assert_eq!(
            changed[0],
            ("Bill-to address, City".to_owned(), "A → B".to_owned())
        );
        let voided = event_details(
            &en,
            "invoice.voided",
            r#"{"before":"Due","after":"Void"}"#,
            &[],
        );
        assert_eq!(voided[0].0, "Status");
        assert!(voided[0].1.contains('→') && !voided[0].1.contains("Void →"));
        let unknown = event_details(&en, "x.y", r#"{"n":3,"gone":null}"#, &[]);
        assert_eq!(unknown, vec![("n".to_owned(), "3".to_owned())]);
        assert!(event_details(&en, "x.y", "not json", &[]).is_empty());
    }
}
