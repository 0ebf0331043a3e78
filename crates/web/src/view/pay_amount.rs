//! The Pay now pane's "Pay another amount": the choice as the template shows it, and the
//! amount the person typed, read in their locale and checked against the offer.

use super::field;
use crate::i18n::Tr;
use faktura_app::partial_payments::PartialOffer;
use faktura_app::paying::PayAmount;
use faktura_domain::partial::{parse_typed_amount, PartialAmountError};
use faktura_domain::*;

/// "Pay another amount", where the account may pay part of the invoice.
pub struct PartialChoice {
    pub due_label: String,
    pub currency: &'static str,
    pub hint: String,
    pub typed: String,
    pub other_checked: bool,
}

/// The choice as the pane shows it, with what was typed (`other_checked`: "Pay another amount"
/// was chosen).
pub fn partial_choice(
    tr: &Tr,
    offer: &PartialOffer,
    typed: &str,
    other_checked: bool,
) -> PartialChoice {
    PartialChoice {
        due_label: tr.t1(
            "pay-amount-due-option",
            "amount",
            tr.money(offer.amount_due),
        ),
        currency: offer.amount_due.currency().code(),
        hint: tr.tn(
            "pay-other-amount-hint",
            &[
                ("minimum", tr.money(offer.minimum)),
                ("due", tr.money(offer.amount_due)),
            ],
        ),
        typed: typed.to_owned(),
        other_checked,
    }
}

/// The pane's message for an amount that cannot be paid on its own.
pub fn amount_problem(tr: &Tr, problem: &PartialAmountError, currency: Currency) -> String {
    match problem {
        PartialAmountError::BelowMinimum { minimum } => {
            tr.t1("pay-amount-below-minimum", "minimum", tr.money(*minimum))
        }
        PartialAmountError::AboveAmountDue { due } => {
            tr.t1("pay-amount-above-due", "due", tr.money(*due))
        }
        PartialAmountError::Malformed(_) | PartialAmountError::WrongCurrency(_) => {
            let example = Money::from_minor(125_050 * currency.minor_per_major() / 100, currency);
            let example = tr.money(example);
            tr.t1("pay-amount-malformed", "example", example)
        }
    }
}

/// The amount the form asks to pay: all that is due, or the part typed in (`choice` is
/// `other`). The error is the pane's message.
pub fn chosen_amount(
    tr: &Tr,
    offer: Option<&PartialOffer>,
    choice: &str,
    typed: &str,
) -> Result<PayAmount, String> {
    if choice != "other" {
        return Ok(PayAmount::Due);
    }
    let Some(offer) = offer else {
        return Err(tr.t("pay-partial-not-allowed"));
    };
    let currency = offer.amount_due.currency();
    let amount = parse_typed_amount(&field(typed, 40), tr.locale, currency)
        .map_err(|p| amount_problem(tr, &p, currency))?;
    offer
        .check(amount)
        .map_err(|p| amount_problem(tr, &p, currency))?;
    Ok(PayAmount::Part(amount))
}
