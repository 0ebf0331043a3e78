//! Words in the bundles: no Danish sentence ends in a double full stop after an amount
//! ("15.138,24 kr.."), and Due and Past due are clearly different words in Danish.

use faktura_domain::{Currency, Locale, Money};
use faktura_web::i18n::{message_ids, sources, I18n, Tr};

/// The variables that carry formatted amounts in the bundles.
const AMOUNT_VARIABLES: [&str; 6] = ["amount", "total", "limit", "due", "minimum", "paid"];

#[test]
fn no_danish_amount_is_followed_by_a_second_full_stop() {
    let i18n = I18n::load().expect("the bundles load");
    let da = Tr::new(i18n, Locale::DaDk);
    let amount = Locale::DaDk.format_money(Money::from_minor(1_513_824, Currency::DKK));
    assert_eq!(amount, "15.138,24 kr.");
    let mut doubled = Vec::new();
    for source in sources(Locale::DaDk) {
        for id in message_ids(source) {
            let mut pairs: Vec<(&str, String)> = AMOUNT_VARIABLES
                .iter()
                .map(|v| (*v, amount.clone()))
                .collect();
            for other in [
                "n", "count", "number", "account", "profile", "due", "reason", "card",
            ] {
                pairs.push((other, "X".to_owned()));
            }
            let text = da.tn(&id, &pairs);
            if text.contains("kr..") {
                doubled.push(format!("{id}: {text}"));
            }
        }
    }
    assert!(
        doubled.is_empty(),
        "double full stops:\n{}",
        doubled.join("\n")
    );
}

#[test]
fn due_and_past_due_are_different_words() {
    let i18n = I18n::load().expect("the bundles load");
    let da = Tr::new(i18n.clone(), Locale::DaDk);
    assert_eq!(da.t("status-Due"), "Forfalder");
    assert_eq!(da.t("status-OverDue"), "Overskredet");
    let en = Tr::new(i18n, Locale::EnUs);
    assert_eq!(en.t("amount-paid"), "Amount paid");
    assert_eq!(da.t("amount-paid"), "Betalt beløb");
}
