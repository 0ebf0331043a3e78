//! Paying part of an invoice: when it is allowed, its minimum, and amounts as people type them.
//!
//! The flow we follow pays invoices in full; pay-as-you-go accounts may pay part of an invoice
//! after a failed attempt on it. An operator may allow it for any other account that pays by
//! card. The invoice keeps its status with the amount due reduced and turns Paid when nothing is
//! due; the store refuses anything above what is due when the payment starts and when it lands.

use crate::locale::Locale;
use crate::model::AgreementType;
use crate::money::{Currency, Money};

/// Why an amount cannot be paid on its own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartialAmountError {
    #[error("the amount is not a number in {0}")]
    Malformed(Currency),
    #[error("the amount must be in the invoice's currency {0}")]
    WrongCurrency(Currency),
    #[error("the amount must be at least {minimum}")]
    BelowMinimum { minimum: Money },
    #[error("the amount must be at most the amount due, {due}")]
    AboveAmountDue { due: Money },
}

/// May part of an invoice be paid? Pay-as-you-go after a failed attempt on it (the rule we
/// follow), or any card-paying account the operator allowed it for. Enterprise agreements pay
/// by wire transfer and never here.
pub fn partial_payment_allowed(
    agreement: AgreementType,
    operator_allows: bool,
    failed_attempts: usize,
) -> bool {
    match agreement {
        AgreementType::EnterpriseAgreement => false,
        AgreementType::MicrosoftOnlineServicesProgram => operator_allows || failed_attempts > 0,
        AgreementType::MicrosoftCustomerAgreement | AgreementType::MicrosoftPartnerAgreement => {
            operator_allows
        }
    }
}

/// The smallest part payment in a currency, in whole units of it: 50 for the Nordic crowns,
/// 10 for euro, dollar and pound, 1,000 yen. Never more than what is due.
pub fn partial_minimum(due: Money) -> Money {
    let whole_units = match due.currency() {
        Currency::DKK | Currency::SEK | Currency::NOK => 50,
        Currency::EUR | Currency::USD | Currency::GBP => 10,
        Currency::JPY => 1_000,
    };
    let minimum = Money::from_minor(
        whole_units * due.currency().minor_per_major(),
        due.currency(),
    );
    if minimum.minor() > due.minor() {
        due
    } else {
        minimum
    }
}

/// Is "pay another amount" worth offering: something is due above the minimum.
pub fn partial_payment_possible(due: Money) -> bool {
    due.minor() > partial_minimum(due).minor()
}

/// Checks an amount to pay now against what is due: same currency, at least the minimum, at
/// most the amount due.
pub fn check_partial_amount(amount: Money, due: Money) -> Result<(), PartialAmountError> {
    if amount.currency() != due.currency() {
        return Err(PartialAmountError::WrongCurrency(due.currency()));
    }
    let minimum = partial_minimum(due);
    if amount.minor() < minimum.minor() {
        return Err(PartialAmountError::BelowMinimum { minimum });
    }
    if amount.minor() > due.minor() {
        return Err(PartialAmountError::AboveAmountDue { due });
    }
    Ok(())
}

/// An amount as a person types it in their locale: `1.234,56` or `1234,56` in Danish,
/// `1,234.56` or `1234.56` in English; spaces, a currency code or symbol and `kr.` around it
/// are ignored. Group separators must sit between groups of three digits.
pub fn parse_typed_amount(
    text: &str,
    locale: Locale,
    currency: Currency,
) -> Result<Money, PartialAmountError> {
    let malformed = || PartialAmountError::Malformed(currency);
    let (group, decimal) = match locale {
        Locale::EnUs => (',', '.'),
        Locale::DaDk => ('.', ','),
    };
    let mut number = text.trim().to_string();
    for affix in [currency.code(), "kr.", "kr", "$", "€", "£", "¥"] {
        number = number.replace(affix, "");
    }
    let number: String = number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let (whole, fraction) = match number.split_once(decimal) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (number.as_str(), None),
    };
    let groups: Vec<&str> = whole.split(group).collect();
    let grouped_well = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_well {
        return Err(malformed());
    }
    let plain = match fraction {
        Some(fraction) => format!("{}.{fraction}", groups.concat()),
        None => groups.concat(),
    };
    match Money::parse_decimal(&plain, currency) {
        Ok(money) if !money.is_negative() => Ok(money),
        _ => Err(malformed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dkk(minor: i64) -> Money {
        Money::from_minor(minor, Currency::DKK)
    }

    #[test]
    fn pay_as_you_go_may_pay_part_only_after_a_failed_attempt() {
        use AgreementType::*;
        assert!(!partial_payment_allowed(
            MicrosoftOnlineServicesProgram,
            false,
            0
        ));
        assert!(partial_payment_allowed(
            MicrosoftOnlineServicesProgram,
            false,
            1
        ));
        assert!(!partial_payment_allowed(
            MicrosoftCustomerAgreement,
            false,
            3
        ));
        assert!(partial_payment_allowed(MicrosoftCustomerAgreement, true, 0));
        assert!(partial_payment_allowed(MicrosoftPartnerAgreement, true, 0));
        assert!(!partial_payment_allowed(EnterpriseAgreement, true, 5));
    }

    #[test]
    fn the_minimum_is_per_currency_and_never_above_the_amount_due() {
        assert_eq!(partial_minimum(dkk(1_000_000)), dkk(5_000));
        assert_eq!(partial_minimum(dkk(3_000)), dkk(3_000));
        assert_eq!(
            partial_minimum(Money::from_minor(99_999, Currency::USD)).minor(),
            1_000
        );
        assert_eq!(
            partial_minimum(Money::from_minor(50_000, Currency::JPY)).minor(),
            1_000
        );
        assert!(partial_payment_possible(dkk(5_001)));
        assert!(!partial_payment_possible(dkk(5_000)));
    }

    #[test]
    fn amounts_between_the_minimum_and_the_amount_due_are_accepted() {
        let due = dkk(100_000);
        assert_eq!(check_partial_amount(dkk(5_000), due), Ok(()));
        assert_eq!(check_partial_amount(due, due), Ok(()));
        assert_eq!(
            check_partial_amount(dkk(4_999), due),
            Err(PartialAmountError::BelowMinimum {
                minimum: dkk(5_000)
            })
        );
        assert_eq!(
            check_partial_amount(dkk(100_001), due),
            Err(PartialAmountError::AboveAmountDue { due })
        );
        assert_eq!(
            check_partial_amount(Money::from_minor(5_000, Currency::EUR), due),
            Err(PartialAmountError::WrongCurrency(Currency::DKK))
        );
        // Below the minimum, only the whole rest is payable.
        assert_eq!(check_partial_amount(dkk(3_000), dkk(3_000)), Ok(()));
        assert!(check_partial_amount(dkk(2_999), dkk(3_000)).is_err());
    }

    #[test]
    fn typed_amounts_follow_the_locale() {
        let da = |t| parse_typed_amount(t, Locale::DaDk, Currency::DKK).map(|m| m.minor());
        let en = |t| parse_typed_amount(t, Locale::EnUs, Currency::USD).map(|m| m.minor());
        assert_eq!(da("1.234,56"), Ok(123_456));
        assert_eq!(da("1234,5"), Ok(123_450));
        assert_eq!(da(" 500 kr."), Ok(50_000));
        assert_eq!(da("1.500"), Ok(150_000));
        assert_eq!(da("12.345.678,00 DKK"), Ok(1_234_567_800));
        assert_eq!(en("1,234.56"), Ok(123_456));
        assert_eq!(en("$1234.5"), Ok(123_450));
        assert_eq!(en("USD 20"), Ok(2_000));
        for bad in [
            "", "abc", "kr.", "1,2,3", "12.34.56", "-5", "1.23,4", "1,234",
        ] {
            assert!(da(bad).is_err(), "da-DK {bad:?}");
        }
        assert!(en("1,23").is_err(), "a misplaced group separator");
        assert!(en("1.234,56").is_err());
        assert!(en("-5").is_err());
        assert!(en("").is_err());
        assert!(parse_typed_amount("1.5", Locale::EnUs, Currency::JPY).is_err());
    }
}
