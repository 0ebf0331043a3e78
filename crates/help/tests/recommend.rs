//! Recommendations over the fixture articles.

mod common;

use faktura_domain::Locale;
use faktura_help::{HelpLibrary, SearchConfig};

fn library(config: SearchConfig) -> HelpLibrary {
    HelpLibrary::load_with(false, &[common::fixtures()], config).0
}

#[test]
fn finds_by_meaning_in_both_languages() {
    let library = library(SearchConfig::tuned());
    let results = library.recommend("how do I pay an overdue invoice", None, 3);
    assert_eq!(results[0].path, "en-US/pay-an-invoice.md");
    let results = library.recommend("hvordan betaler jeg en forfalden faktura", None, 3);
    assert_eq!(results[0].path, "da-DK/betal-en-faktura.md");
    let results = library.recommend("the bank refused my card", Some(Locale::EnUs), 3);
    assert_eq!(results[0].path, "en-US/card-declined.md");
}

#[test]
fn prefers_the_reader_language() {
    let library = library(SearchConfig::tuned());
    // "faktura" alone exists only in Danish articles; with English asked for, the Danish
    // article may still come, but an English one that fits comes first.
    let results = library.recommend("pay faktura", Some(Locale::EnUs), 5);
    assert_eq!(results[0].locale, Locale::EnUs);
    let results = library.recommend("kortet afvist", Some(Locale::DaDk), 5);
    assert_eq!(results[0].locale, Locale::DaDk);
}

#[test]
fn typo_tolerant_only_when_tuned() {
    let tuned = library(SearchConfig::tuned());
    let results = tuned.recommend("fakutra", None, 3);
    assert_eq!(
        results.first().map(|r| r.path.as_str()),
        Some("da-DK/betal-en-faktura.md")
    );
    let results = tuned.recommend("invocie", None, 3);
    assert_eq!(
        results.first().map(|r| r.path.as_str()),
        Some("en-US/pay-an-invoice.md")
    );
    let plain = library(SearchConfig::plain());
    assert!(plain.recommend("fakutra", None, 3).is_empty());
}

#[test]
fn gibberish_and_empty_input_find_nothing() {
    let library = library(SearchConfig::tuned());
    for query in [
        "xyzzy plugh",
        "asdf qwerty",
        "",
        "  \n",
        "!!!",
        "12345",
        "the of and",
    ] {
        assert!(library.recommend(query, None, 5).is_empty(), "{query:?}");
    }
    assert!(library.recommend("invoice", None, 0).is_empty());
}

#[test]
fn limit_and_order() {
    let library = library(SearchConfig::tuned());
    let results = library.recommend("invoice card payment bank", Some(Locale::EnUs), 1);
    assert_eq!(results.len(), 1);
    let results = library.recommend("invoice card payment bank", Some(Locale::EnUs), 10);
    assert!(results.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn long_problem_descriptions_still_work() {
    let library = library(SearchConfig::tuned());
    let text =
        "Hello, yesterday afternoon our accountant tried to pay the overdue invoice for March \
                with the company card, but nothing happened after she selected the button. "
            .repeat(30);
    let results = library.recommend(&text, None, 3);
    assert_eq!(results[0].path, "en-US/pay-an-invoice.md");
}

#[test]
fn recommendations_serialize_to_the_documented_json() {
    let library = library(SearchConfig::tuned());
    let results = library.recommend("pay an overdue invoice", None, 1);
    let json = serde_json::to_value(&results).expect("serializable");
    let first = &json[0];
    assert_eq!(first["path"], "en-US/pay-an-invoice.md");
    assert_eq!(first["title"], "Pay an invoice");
    assert_eq!(first["locale"], "en-US");
    assert!(first["score"].as_f64().is_some_and(|s| s > 0.0));
    assert_eq!(first.as_object().map(|o| o.len()), Some(4));
}

#[test]
fn builtin_recommendations_point_at_builtin_paths() {
    let (library, _) = HelpLibrary::load(true, &[]);
    if library.articles().is_empty() {
        eprintln!("skipping: no built-in articles yet");
        return;
    }
    let results = library.recommend("Hvordan betaler jeg min faktura?", Some(Locale::DaDk), 3);
    assert!(!results.is_empty());
    assert!(results[0].path.starts_with("builtin:"));
    assert!(library
        .article(results[0].locale, &results[0].article.slug)
        .is_some());
}
