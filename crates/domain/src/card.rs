//! Card input as a person types it, checked field by field before it goes to the gateway.
//!
//! A [`CardInput`] holds the full number and CVC only long enough to hand them to the
//! gateway's tokenization; its `Debug` output never shows them.

use crate::model::CardBrand;
use chrono::{Datelike, NaiveDate};
use std::fmt;

/// Which field of the card form a problem belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardField {
    Holder,
    Number,
    Expiry,
    Cvc,
}

/// What is wrong with one field; the web layer turns it into a localized message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardProblem {
    Missing,
    TooLong,
    NotDigits,
    WrongLength,
    FailsChecksum,
    BadExpiryFormat,
    Expired,
}

#[derive(Clone, PartialEq, Eq)]
pub struct CardInput {
    pub holder: String,
    number: String,
    pub exp_month: u32,
    pub exp_year: i32,
    cvc: String,
    pub brand: CardBrand,
}

impl fmt::Debug for CardInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardInput")
            .field("holder", &self.holder)
            .field("last4", &self.last4())
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("brand", &self.brand)
            .finish_non_exhaustive()
    }
}

impl CardInput {
    /// Checks all four fields and reports every problem at once, so the form can mark each field.
    pub fn parse(
        holder: &str,
        number: &str,
        expiry: &str,
        cvc: &str,
        today: NaiveDate,
    ) -> Result<CardInput, Vec<(CardField, CardProblem)>> {
        let mut problems = Vec::new();
        let holder = holder.trim();
        if holder.is_empty() {
            problems.push((CardField::Holder, CardProblem::Missing));
        } else if holder.chars().count() > 100 {
            problems.push((CardField::Holder, CardProblem::TooLong));
        }
        let digits = match parse_number(number) {
            Ok(d) => d,
            Err(p) => {
                problems.push((CardField::Number, p));
                String::new()
            }
        };
        let brand = brand_of(&digits);
        let expiry = match parse_expiry(expiry, today) {
            Ok(e) => e,
            Err(p) => {
                problems.push((CardField::Expiry, p));
                (0, 0)
            }
        };
        let cvc = cvc.trim();
        let cvc_len = if brand == CardBrand::Amex { 4 } else { 3 };
        if cvc.is_empty() {
            problems.push((CardField::Cvc, CardProblem::Missing));
        } else if !cvc.bytes().all(|b| b.is_ascii_digit()) {
            problems.push((CardField::Cvc, CardProblem::NotDigits));
        } else if cvc.len() != cvc_len {
            problems.push((CardField::Cvc, CardProblem::WrongLength));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(CardInput {
            holder: holder.to_owned(),
            number: digits,
            exp_month: expiry.0,
            exp_year: expiry.1,
            cvc: cvc.to_owned(),
            brand,
        })
    }

    /// The full number, for the gateway's tokenization only.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The CVC, for the gateway's tokenization only.
    pub fn cvc(&self) -> &str {
        &self.cvc
    }

    pub fn last4(&self) -> String {
        self.number
            .get(self.number.len().saturating_sub(4)..)
            .unwrap_or_default()
            .to_owned()
    }
}

fn parse_number(text: &str) -> Result<String, CardProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CardProblem::Missing);
    }
    if text.len() > 40 {
        return Err(CardProblem::TooLong);
    }
    if !text
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return Err(CardProblem::NotDigits);
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if !(12..=19).contains(&digits.len()) {
        return Err(CardProblem::WrongLength);
    }
    if !luhn_valid(&digits) {
        return Err(CardProblem::FailsChecksum);
    }
    Ok(digits)
}

/// The Luhn (mod 10) checksum every card number carries.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// `MM/YY` (also `MM/YYYY`, `MM / YY`, `MMYY`); a card is valid through the end of its month.
fn parse_expiry(text: &str, today: NaiveDate) -> Result<(u32, i32), CardProblem> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(CardProblem::Missing);
    }
    let (month, year) = match compact.split_once('/') {
        Some((m, y)) => (m.to_owned(), y.to_owned()),
        None if compact.len() == 4 && compact.is_ascii() => {
            (compact[..2].to_owned(), compact[2..].to_owned())
        }
        None => return Err(CardProblem::BadExpiryFormat),
    };
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !numeric(&month)
        || !numeric(&year)
        || month.len() > 2
        || !(year.len() == 2 || year.len() == 4)
    {
        return Err(CardProblem::BadExpiryFormat);
    }
    let month: u32 = month.parse().map_err(|_| CardProblem::BadExpiryFormat)?;
    let mut year: i32 = year.parse().map_err(|_| CardProblem::BadExpiryFormat)?;
    if year < 100 {
        year += 2000;
    }
    if !(1..=12).contains(&month) {
        return Err(CardProblem::BadExpiryFormat);
    }
    if (year, month) < (today.year(), today.month()) {
        return Err(CardProblem::Expired);
    }
    if year > today.year() + 30 {
        return Err(CardProblem::BadExpiryFormat);
    }
    Ok((month, year))
}

fn brand_of(digits: &str) -> CardBrand {
    let prefix2: u32 = digits.get(..2).and_then(|p| p.parse().ok()).unwrap_or(0);
    let prefix4: u32 = digits.get(..4).and_then(|p| p.parse().ok()).unwrap_or(0);
    if digits.starts_with('4') {
        CardBrand::Visa
    } else if (51..=55).contains(&prefix2) || (2221..=2720).contains(&prefix4) {
        CardBrand::Mastercard
    } else if prefix2 == 34 || prefix2 == 37 {
        CardBrand::Amex
    } else {
        CardBrand::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn accepts_a_well_formed_card() {
        let card = CardInput::parse(
            "Ada Lovelace",
            "4242 4242 4242 4242",
            "12/30",
            "123",
            today(),
        )
        .unwrap();
        assert_eq!(card.last4(), "4242");
        assert_eq!(card.brand, CardBrand::Visa);
        assert_eq!((card.exp_month, card.exp_year), (12, 2030));
        let shown = format!("{card:?}");
        assert!(
            !shown.contains("4242424242424242") && !shown.contains("123"),
            "{shown}"
        );
    }

    #[test]
    fn reports_every_bad_field() {
        let problems =
            CardInput::parse("", "4242 4242 4242 4241", "10/26", "12", today()).unwrap_err();
        assert_eq!(
            problems,
            vec![
                (CardField::Holder, CardProblem::Missing),
                (CardField::Number, CardProblem::FailsChecksum),
                (CardField::Expiry, CardProblem::Expired),
                (CardField::Cvc, CardProblem::WrongLength),
            ]
        );
    }

    #[test]
    fn expiry_is_valid_through_its_month() {
        assert!(parse_expiry("11/26", today()).is_ok());
        assert_eq!(
            parse_expiry("13/27", today()),
            Err(CardProblem::BadExpiryFormat)
        );
        assert_eq!(parse_expiry("1127", today()), Ok((11, 2027)));
        assert_eq!(parse_expiry("11/2027", today()), Ok((11, 2027)));
        assert_eq!(
            parse_expiry("xx/yy", today()),
            Err(CardProblem::BadExpiryFormat)
        );
    }

    #[test]
    fn stripe_test_numbers_pass_luhn() {
        for n in [
            "4242424242424242",
            "4000000000000002",
            "4000000000009995",
            "4000002760003184",
            "4000000000000069",
            "4000000000000119",
            "5555555555554444",
            "378282246310005",
        ] {
            assert!(luhn_valid(n), "{n}");
        }
        assert!(!luhn_valid("4242424242424241"));
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_input_never_panics(a in ".{0,30}", b in ".{0,50}", c in ".{0,12}", d in ".{0,6}") {
            let _ = CardInput::parse(&a, &b, &c, &d, today());
        }
    }
}
