//! Money as integer minor units with an ISO 4217 currency. Never floats.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The ISO 4217 currencies Faktura bills in, each with its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    DKK,
    EUR,
    USD,
    GBP,
    SEK,
    NOK,
    JPY,
}

impl Currency {
    pub const ALL: [Currency; 7] = [
        Currency::DKK,
        Currency::EUR,
        Currency::USD,
        Currency::GBP,
        Currency::SEK,
        Currency::NOK,
        Currency::JPY,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Currency::DKK => "DKK",
            Currency::EUR => "EUR",
            Currency::USD => "USD",
            Currency::GBP => "GBP",
            Currency::SEK => "SEK",
            Currency::NOK => "NOK",
            Currency::JPY => "JPY",
        }
    }

    /// Number of decimal places of the minor unit (ISO 4217 "exponent").
    pub fn exponent(self) -> u32 {
        match self {
            Currency::JPY => 0,
            _ => 2,
        }
    }

    /// Minor units in one major unit: 100 for most currencies, 1 for yen.
    pub fn minor_per_major(self) -> i64 {
        10_i64.pow(self.exponent())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| MoneyError::UnknownCurrency(s.chars().take(16).collect()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency {0:?}")]
    UnknownCurrency(String),
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount out of range")]
    Overflow,
    #[error("not an amount: {0:?}")]
    Malformed(String),
    #[error("{currency} has {exponent} decimal places")]
    TooManyDecimals { currency: Currency, exponent: u32 },
}

/// An amount of money: minor units (øre, cents) of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub const fn from_minor(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub const fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn is_zero(self) -> bool {
        self.minor == 0
    }

    pub fn is_positive(self) -> bool {
        self.minor > 0
    }

    pub fn is_negative(self) -> bool {
        self.minor < 0
    }

    /// Whole major units, e.g. `Money::major(50_000, USD)` is $50,000.00.
    pub fn major(major: i64, currency: Currency) -> Result<Self, MoneyError> {
        major
            .checked_mul(currency.minor_per_major())
            .map(|minor| Money { minor, currency })
            .ok_or(MoneyError::Overflow)
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|minor| Money { minor, ..self })
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|minor| Money { minor, ..self })
            .ok_or(MoneyError::Overflow)
    }

    /// Sum of amounts in `currency`; an empty iterator sums to zero.
    pub fn sum<I: IntoIterator<Item = Money>>(
        currency: Currency,
        items: I,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }

    /// `self × numerator / denominator`, rounded half away from zero (for tax and quantities).
    pub fn mul_ratio(self, numerator: i64, denominator: i64) -> Result<Money, MoneyError> {
        if denominator == 0 {
            return Err(MoneyError::Overflow);
        }
        let product = i128::from(self.minor) * i128::from(numerator);
        let denominator = i128::from(denominator);
        let quotient = product / denominator;
        let remainder = product % denominator;
        let rounded = if remainder.abs() * 2 >= denominator.abs() {
            quotient + product.signum() * denominator.signum()
        } else {
            quotient
        };
        i64::try_from(rounded)
            .map(|minor| Money { minor, ..self })
            .map_err(|_| MoneyError::Overflow)
    }

    /// Parses a plain decimal amount such as `1234.56` or `-3` (a `.` as the decimal point,
    /// no grouping) in `currency`. More decimals than the currency has is an error, not rounding.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let malformed = || MoneyError::Malformed(text.chars().take(32).collect());
        let trimmed = text.trim();
        let (negative, digits) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        if !fraction.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && fraction.is_empty())
        {
            return Err(malformed());
        }
        let exponent = currency.exponent();
        if fraction.len() > exponent as usize {
            return Err(MoneyError::TooManyDecimals { currency, exponent });
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::Overflow)?;
        let mut fraction_minor: i64 = 0;
        for (i, b) in fraction.bytes().enumerate() {
            let digit = i64::from(b - b'0');
            fraction_minor += digit * 10_i64.pow(exponent - 1 - i as u32);
        }
        let minor = whole
            .checked_mul(currency.minor_per_major())
            .and_then(|m| m.checked_add(fraction_minor))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor: if negative { -minor } else { minor },
            currency,
        })
    }

    /// Plain decimal text (`1234.56`), the inverse of [`Money::parse_decimal`].
    pub fn to_decimal_string(self) -> String {
        let (whole, fraction) = self.split_units();
        let sign = if self.minor < 0 { "-" } else { "" };
        match fraction {
            Some(f) => format!("{sign}{whole}.{f}"),
            None => format!("{sign}{whole}"),
        }
    }

    /// Absolute whole units and the zero-padded fraction digits, if the currency has any.
    pub(crate) fn split_units(self) -> (u64, Option<String>) {
        let exponent = self.currency.exponent();
        let abs = self.minor.unsigned_abs();
        if exponent == 0 {
            return (abs, None);
        }
        let per = 10_u64.pow(exponent);
        (
            abs / per,
            Some(format!("{:0width$}", abs % per, width = exponent as usize)),
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency, self.to_decimal_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn adding_different_currencies_is_an_error() {
        let dkk = Money::from_minor(100, Currency::DKK);
        let eur = Money::from_minor(100, Currency::EUR);
        assert_eq!(
            dkk.checked_add(eur),
            Err(MoneyError::CurrencyMismatch(Currency::DKK, Currency::EUR))
        );
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        let big = Money::from_minor(i64::MAX, Currency::USD);
        assert_eq!(
            big.checked_add(Money::from_minor(1, Currency::USD)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::major(i64::MAX, Currency::USD),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn parses_decimal_amounts_per_exponent() {
        assert_eq!(
            Money::parse_decimal("1234.56", Currency::DKK)
                .unwrap()
                .minor(),
            123_456
        );
        assert_eq!(
            Money::parse_decimal("12.5", Currency::EUR).unwrap().minor(),
            1250
        );
        assert_eq!(
            Money::parse_decimal("-3", Currency::USD).unwrap().minor(),
            -300
        );
        assert_eq!(
            Money::parse_decimal("1500", Currency::JPY).unwrap().minor(),
            1500
        );
        assert!(matches!(
            Money::parse_decimal("1.5", Currency::JPY),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert!(matches!(
            Money::parse_decimal("1.234", Currency::DKK),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        for bad in ["", "abc", "1,5", "1.", ".5", "--1", "1e3", " 1 2"] {
            assert!(
                Money::parse_decimal(bad, Currency::DKK).is_err(),
                "{bad:?} should fail"
            );
        }
        assert_eq!(
            Money::parse_decimal("99999999999999999999", Currency::DKK),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn currency_codes_parse_case_insensitively() {
        assert_eq!("dkk".parse::<Currency>().unwrap(), Currency::DKK);
        assert!("XYZ".parse::<Currency>().is_err());
    }

    #[test]
    fn tax_rounds_half_away_from_zero() {
        let net = Money::from_minor(1_001, Currency::DKK);
        assert_eq!(net.mul_ratio(25, 100).unwrap().minor(), 250); // 250.25 → 250
        let net = Money::from_minor(1_002, Currency::DKK);
        assert_eq!(net.mul_ratio(25, 100).unwrap().minor(), 251); // 250.5 → 251
        let refund = Money::from_minor(-1_002, Currency::DKK);
        assert_eq!(refund.mul_ratio(25, 100).unwrap().minor(), -251);
    }

    proptest! {
        #[test]
        fn decimal_text_round_trips(minor in -1_000_000_000_000_i64..1_000_000_000_000, idx in 0usize..7) {
            let currency = Currency::ALL[idx];
            let money = Money::from_minor(minor, currency);
            prop_assert_eq!(Money::parse_decimal(&money.to_decimal_string(), currency), Ok(money));
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(text in ".{0,40}") {
            let _ = Money::parse_decimal(&text, Currency::DKK);
        }

        #[test]
        fn add_then_subtract_is_identity(a in any::<i32>(), b in any::<i32>()) {
            let a = Money::from_minor(i64::from(a), Currency::EUR);
            let b = Money::from_minor(i64::from(b), Currency::EUR);
            prop_assert_eq!(a.checked_add(b).unwrap().checked_sub(b).unwrap(), a);
        }
    }
}
