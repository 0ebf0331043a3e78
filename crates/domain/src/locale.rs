//! The two languages Faktura speaks, and each one's money and date formats.

use crate::money::{Currency, Money};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Locale {
    #[default]
    EnUs,
    DaDk,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::EnUs, Locale::DaDk];

    pub fn tag(self) -> &'static str {
        match self {
            Locale::EnUs => "en-US",
            Locale::DaDk => "da-DK",
        }
    }

    /// The two-letter language, for `<html lang>`.
    pub fn language(self) -> &'static str {
        match self {
            Locale::EnUs => "en",
            Locale::DaDk => "da",
        }
    }

    /// Matches a language tag loosely: `da`, `da-dk`, `da_DK`, `en-GB` → English.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "da" => Some(Locale::DaDk),
            "en" => Some(Locale::EnUs),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(u32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map(parse_quality)
                .unwrap_or(1000);
            if quality == 0 {
                continue;
            }
            if let Some(locale) = Locale::from_tag(tag) {
                if best.is_none_or(|(q, _)| quality > q) {
                    best = Some((quality, locale));
                }
            }
        }
        best.map(|(_, locale)| locale)
    }

    /// Money in this locale's convention: `1.234,56 kr.` in Danish, `DKK 1,234.56` or `$1,234.56` in English.
    pub fn format_money(self, money: Money) -> String {
        let (whole, fraction) = money.split_units();
        let (group, decimal) = match self {
            Locale::EnUs => (',', '.'),
            Locale::DaDk => ('.', ','),
        };
        let mut number = group_thousands(whole, group);
        if let Some(fraction) = fraction {
            number.push(decimal);
            number.push_str(&fraction);
        }
        let sign = if money.is_negative() { "-" } else { "" };
        let currency = money.currency();
        match self {
            Locale::DaDk => match currency {
                Currency::DKK => format!("{sign}{number} kr."),
                other => format!("{sign}{number} {other}"),
            },
            Locale::EnUs => match english_symbol(currency) {
                Some(symbol) => format!("{sign}{symbol}{number}"),
                None => format!("{sign}{currency} {number}"),
            },
        }
    }

    /// A calendar date: `12.03.2026` in Danish, `Mar 12, 2026` in English.
    pub fn format_date(self, date: NaiveDate) -> String {
        match self {
            Locale::DaDk => date.format("%d.%m.%Y").to_string(),
            Locale::EnUs => format!(
                "{} {}, {}",
                ENGLISH_MONTHS[date.month0() as usize],
                date.day(),
                date.year()
            ),
        }
    }
}

const ENGLISH_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn english_symbol(currency: Currency) -> Option<&'static str> {
    match currency {
        Currency::USD => Some("$"),
        Currency::EUR => Some("€"),
        Currency::GBP => Some("£"),
        Currency::JPY => Some("¥"),
        Currency::DKK | Currency::SEK | Currency::NOK => None,
    }
}

fn parse_quality(text: &str) -> u32 {
    // q-values have at most three decimals; compare them as thousandths.
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole: u32 = match whole {
        "1" => 1000,
        "0" => 0,
        _ => return 0,
    };
    let fraction: String = fraction.chars().chain("000".chars()).take(3).collect();
    whole
        + fraction
            .parse::<u32>()
            .unwrap_or(0)
            .min(1000 - whole.min(1000))
}

fn group_thousands(value: u64, separator: char) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(ch);
    }
    out
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unsupported language {0:?}")]
pub struct UnsupportedLocale(String);

impl FromStr for Locale {
    type Err = UnsupportedLocale;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Locale::from_tag(s).ok_or_else(|| UnsupportedLocale(s.chars().take(16).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dkk(minor: i64) -> Money {
        Money::from_minor(minor, Currency::DKK)
    }

    #[test]
    fn danish_money_format() {
        assert_eq!(Locale::DaDk.format_money(dkk(123_456)), "1.234,56 kr.");
        assert_eq!(Locale::DaDk.format_money(dkk(5)), "0,05 kr.");
        assert_eq!(
            Locale::DaDk.format_money(dkk(-123_456_789)),
            "-1.234.567,89 kr."
        );
        assert_eq!(
            Locale::DaDk.format_money(Money::from_minor(123_456, Currency::USD)),
            "1.234,56 USD"
        );
    }

    #[test]
    fn english_money_format() {
        assert_eq!(Locale::EnUs.format_money(dkk(123_456)), "DKK 1,234.56");
        assert_eq!(
            Locale::EnUs.format_money(Money::from_minor(123_456, Currency::USD)),
            "$1,234.56"
        );
        assert_eq!(
            Locale::EnUs.format_money(Money::from_minor(1_500, Currency::JPY)),
            "¥1,500"
        );
        assert_eq!(
            Locale::EnUs.format_money(Money::from_minor(100_000, Currency::USD)),
            "$1,000.00"
        );
    }

    #[test]
    fn date_formats() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 12).unwrap();
        assert_eq!(Locale::DaDk.format_date(date), "12.03.2026");
        assert_eq!(Locale::EnUs.format_date(date), "Mar 12, 2026");
    }

    #[test]
    fn accept_language_honours_quality() {
        assert_eq!(
            Locale::from_accept_language("da-DK,da;q=0.9,en;q=0.8"),
            Some(Locale::DaDk)
        );
        assert_eq!(
            Locale::from_accept_language("en-GB;q=0.9, da;q=0.95"),
            Some(Locale::DaDk)
        );
        assert_eq!(
            Locale::from_accept_language("fr-FR, en;q=0.5"),
            Some(Locale::EnUs)
        );
        assert_eq!(Locale::from_accept_language("fr-FR, de"), None);
        assert_eq!(Locale::from_accept_language("da;q=0"), None);
        assert_eq!(Locale::from_accept_language(""), None);
    }
}
