//! Words for the domain's values, in the request's language.

use crate::i18n::Tr;
use chrono::{NaiveDate, Utc};
use faktura_domain::roles::Access;
use faktura_domain::*;

pub fn status_label(tr: &Tr, status: InvoiceStatus) -> String {
    tr.t(&format!("status-{}", status.code()))
}

/// Today (UTC), the date invoices are judged Due or Past due on.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub fn payment_outcome_label(tr: &Tr, payment: &Payment) -> String {
    match (payment.state, payment.failure_reason) {
        (PaymentState::Failed, Some(reason)) => tr.t1(
            "payment-state-failed-because",
            "reason",
            tr.t(&format!("failure-{}", reason.code())),
        ),
        (state, _) => tr.t(&format!("payment-state-{}", state.code())),
    }
}

/// Why a payment or settlement failed, as the sentence under the outcome's heading ("Payment
/// failed" / "The balance wasn't settled"): the reason alone, starting with a capital, so the
/// page does not say "failed" twice ("Payment failed — Failed: …").
pub fn failure_sentence(tr: &Tr, reason: Option<FailureReason>) -> String {
    let Some(reason) = reason else {
        return tr.t("payment-state-failed");
    };
    let text = tr.t(&format!("failure-{}", reason.code()));
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The roles a user holds on the account, in words, for explanations ("Billing account reader").
pub fn roles_text(tr: &Tr, access: &Access) -> String {
    let mut names: Vec<String> = Vec::new();
    if access.is_account_admin {
        names.push(tr.t("iam-account-admin"));
    }
    for (_, role) in &access.grants {
        let name = role_label(tr, *role);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        tr.t("iam-no-role")
    } else {
        names.join(", ")
    }
}

pub fn role_label(tr: &Tr, role: Role) -> String {
    tr.t(&format!("role-{}", role.code()))
}

pub fn brand_label(tr: &Tr, brand: CardBrand) -> String {
    tr.t(&format!("brand-{}", brand.code()))
}

/// "Visa •••• 4242" style text.
pub fn card_text(tr: &Tr, method: &PaymentMethod) -> String {
    format!("{} •••• {}", brand_label(tr, method.brand), method.last4)
}

pub fn expiry_text(method: &PaymentMethod) -> String {
    format!("{:02}/{}", method.exp_month, method.exp_year)
}

/// Trims and bounds free text from a form.
pub fn field(value: &str, max: usize) -> String {
    value.trim().chars().take(max).collect()
}

/// The plural category Fluent selects on (`one` or `other`; the same rule in English and Danish).
pub fn plural(count: impl TryInto<i64>) -> &'static str {
    match count.try_into() {
        Ok(1) => "one",
        _ => "other",
    }
}

/// A card-form problem in words.
pub fn card_problem_text(tr: &Tr, field: card::CardField, problem: card::CardProblem) -> String {
    use card::{CardField, CardProblem};
    let field = match field {
        CardField::Holder => "holder",
        CardField::Number => "number",
        CardField::Expiry => "expiry",
        CardField::Cvc => "cvc",
    };
    let problem = match problem {
        CardProblem::Missing => "missing",
        CardProblem::TooLong => "too-long",
        CardProblem::NotDigits => "not-digits",
        CardProblem::WrongLength => "wrong-length",
        CardProblem::FailsChecksum => "checksum",
        CardProblem::BadExpiryFormat => "format",
        CardProblem::Expired => "expired",
    };
    tr.t(&format!("card-error-{field}-{problem}"))
}

pub fn period_text(tr: &Tr, invoice: &Invoice) -> String {
    format!(
        "{} – {}",
        tr.date(invoice.period_start),
        tr.date(invoice.period_end)
    )
}

/// Quantity from thousandths, with the locale's decimal mark and no trailing zeros.
pub fn quantity_text(tr: &Tr, quantity_milli: i64) -> String {
    let whole = quantity_milli / 1000;
    let fraction = (quantity_milli % 1000).abs();
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:03}");
    let mark = if tr.locale == Locale::DaDk { ',' } else { '.' };
    format!("{whole}{mark}{}", digits.trim_end_matches('0'))
}

/// A moment as the portal shows it: the locale's date, the time, UTC.
pub fn time_text(tr: &Tr, at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{} {} UTC", tr.date(at.date_naive()), at.format("%H:%M:%S"))
}

/// The card form's messages per field, from the problems `CardInput::parse` found.
#[derive(Default)]
pub struct CardFieldErrors {
    pub holder: Option<String>,
    pub number: Option<String>,
    pub expiry: Option<String>,
    pub cvc: Option<String>,
}

impl CardFieldErrors {
    pub fn from_problems(tr: &Tr, problems: Vec<(card::CardField, card::CardProblem)>) -> Self {
        let mut errors = CardFieldErrors::default();
        for (field, problem) in problems {
            let text = Some(card_problem_text(tr, field, problem));
            match field {
                card::CardField::Holder => errors.holder = text,
                card::CardField::Number => errors.number = text,
                card::CardField::Expiry => errors.expiry = text,
                card::CardField::Cvc => errors.cvc = text,
            }
        }
        errors
    }
}
