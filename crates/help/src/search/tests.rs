use super::index::{block_key, boilerplate_blocks};
use super::*;
use crate::article::{Article, ArticleSource};
use crate::markdown;

fn article(locale: Locale, slug: &str, markdown: &str) -> Article {
    Article::parse(
        markdown,
        slug,
        ArticleSource::Builtin(slug.to_string()),
        Some(locale),
    )
    .unwrap()
}

fn library() -> Vec<Article> {
    vec![
        article(Locale::DaDk, "betal-faktura", "---\ntitle: Betal en faktura\n---\n# Betal en faktura\n\nÅbn **Fakturaer**, vælg den forfaldne faktura og klik på **Betal nu**.\n\nKontakt support, hvis du har spørgsmål.\n"),
        article(Locale::DaDk, "afvist-kort", "---\ntitle: Kortet blev afvist\n---\n# Kortet blev afvist\n\nHvis dit kreditkort afvises, så kontrollér udløbsdatoen.\n\nKontakt support, hvis du har spørgsmål.\n"),
        article(Locale::DaDk, "skift-sprog", "---\ntitle: Skift sprog\n---\n# Skift sprog\n\nVælg dansk eller engelsk under **Indstillinger**.\n\nKontakt support, hvis du har spørgsmål.\n"),
        article(Locale::EnUs, "pay-invoice", "---\ntitle: Pay an invoice\n---\n# Pay an invoice\n\nOpen **Invoices**, pick the overdue invoice and select **Pay now**.\n"),
        article(Locale::EnUs, "declined-card", "---\ntitle: Your card was declined\n---\n# Your card was declined\n\nIf your credit card is declined, check its expiry date.\n"),
    ]
}

fn slugs(recommendations: &[Recommendation]) -> Vec<&str> {
    recommendations
        .iter()
        .map(|r| r.article.slug.as_str())
        .collect()
}

#[test]
fn finds_by_stem_and_prefers_query_language() {
    let recommender = Recommender::build(&library(), SearchConfig::tuned()).unwrap();
    let results = recommender.recommend("Hvordan betaler jeg min forfaldne faktura?", None, 3);
    assert_eq!(slugs(&results)[0], "betal-faktura");
    let results = recommender.recommend("how do I pay an overdue invoice", None, 3);
    assert_eq!(slugs(&results)[0], "pay-invoice");
    let results = recommender.recommend("card declined", Some(Locale::DaDk), 3);
    assert!(results.iter().all(|r| r.score > 0.0));
}

#[test]
fn tolerates_typos() {
    let recommender = Recommender::build(&library(), SearchConfig::tuned()).unwrap();
    let results = recommender.recommend("fakutra", None, 3);
    assert_eq!(slugs(&results).first(), Some(&"betal-faktura"));
    let results = recommender.recommend("declnied card", None, 3);
    assert_eq!(slugs(&results).first(), Some(&"declined-card"));
    // The plain baseline has no typo tolerance.
    let plain = Recommender::build(&library(), SearchConfig::plain()).unwrap();
    assert!(plain.recommend("fakutra", None, 3).is_empty());
}

#[test]
fn gibberish_finds_nothing() {
    let recommender = Recommender::build(&library(), SearchConfig::tuned()).unwrap();
    for query in ["xyzzy plugh", "asdf qwerty", "", "   ", "?!", "the and of"] {
        assert!(
            recommender.recommend(query, None, 5).is_empty(),
            "{query:?}"
        );
    }
}

#[test]
fn boilerplate_is_detected_across_three_articles() {
    let extracted: Vec<_> = library()
        .iter()
        .map(|a| markdown::extract(&a.body_markdown))
        .collect();
    let boilerplate = boilerplate_blocks(&extracted, 3);
    assert!(boilerplate.contains(&block_key("Kontakt support, hvis du har spørgsmål.")));
    assert_eq!(boilerplate.len(), 1);
    // Boilerplate alone does not make an article fit: at most it is a "maybe".
    let recommender = Recommender::build(&library(), SearchConfig::tuned()).unwrap();
    let results = recommender.recommend("kontakt support spørgsmål", None, 3);
    assert!(results.iter().all(|r| r.maybe), "{results:?}");
    let strict = Recommender::build(&library(), without_maybe()).unwrap();
    let results = strict.recommend("kontakt support spørgsmål", None, 3);
    assert!(results.is_empty(), "{results:?}");
}

#[test]
fn empty_index_recommends_nothing() {
    let recommender = Recommender::empty(SearchConfig::tuned()).unwrap();
    assert!(recommender.recommend("faktura", None, 5).is_empty());
}

#[test]
fn recommendation_json_shape() {
    let recommendation = Recommendation {
        article: ArticleRef {
            locale: Locale::DaDk,
            slug: "x".into(),
        },
        path: "builtin:x".into(),
        title: "X".into(),
        locale: Locale::DaDk,
        score: 1.234_567,
        confidence: 0.9,
        cross_language: true,
        maybe: false,
    };
    let json = serde_json::to_value(&recommendation).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"path": "builtin:x", "title": "X", "locale": "da-DK", "score": 1.235})
    );
    let maybe = Recommendation {
        maybe: true,
        ..recommendation
    };
    assert_eq!(
        serde_json::to_value(&maybe).unwrap()["maybe"],
        serde_json::json!(true)
    );
}

fn without_maybe() -> SearchConfig {
    SearchConfig {
        maybe_min_confidence: None,
        ..SearchConfig::tuned()
    }
}

#[test]
fn below_the_threshold_the_best_two_are_maybe() {
    // Each of three articles has one of the question's three words: none fits confidently.
    let query = "faktura sprog kortet";
    let strict = Recommender::build(&library(), without_maybe()).unwrap();
    assert!(strict.recommend(query, None, 5).is_empty());

    let recommender = Recommender::build(&library(), SearchConfig::tuned()).unwrap();
    let results = recommender.recommend(query, None, 5);
    assert_eq!(results.len(), MAYBE_COUNT, "{results:?}");
    assert!(results.iter().all(|r| r.maybe), "{results:?}");
    let floor = SearchConfig::tuned().maybe_min_confidence.unwrap();
    let threshold = SearchConfig::tuned().min_confidence;
    assert!(
        results[0].confidence >= floor && results[0].confidence < threshold,
        "{results:?}"
    );
    for slug in slugs(&results) {
        assert!(
            ["betal-faktura", "skift-sprog", "afvist-kort"].contains(&slug),
            "{slug}"
        );
    }
    // A confident answer is not a "maybe".
    let sure = recommender.recommend("Hvordan betaler jeg min forfaldne faktura?", None, 5);
    assert!(
        !sure.is_empty() && sure.iter().all(|r| !r.maybe),
        "{sure:?}"
    );
    // Gibberish is not even a "maybe".
    assert!(recommender.recommend("xyzzy plugh", None, 5).is_empty());
    // A limit of one shows one guess.
    assert_eq!(recommender.recommend(query, None, 1).len(), 1);
}

#[test]
fn slug_words_find_an_article_in_the_other_language() {
    // The Danish article's title and body share no word with the English question; its file
    // name does.
    let articles = vec![
        article(Locale::DaDk, "payment-was-declined", "---\ntitle: Betalingen blev afvist\n---\n# Betalingen blev afvist\n\nKontrollér oplysningerne på dit kreditkort.\n"),
        article(Locale::DaDk, "skift-sprog", "---\ntitle: Skift sprog\n---\n# Skift sprog\n\nVælg dansk eller engelsk under **Indstillinger**.\n"),
    ];
    let with = Recommender::build(&articles, SearchConfig::tuned()).unwrap();
    let found = with.recommend("payment declined", Some(Locale::EnUs), 3);
    assert_eq!(slugs(&found).first(), Some(&"payment-was-declined"));
    assert!(found[0].cross_language);
    let without = Recommender::build(
        &articles,
        SearchConfig {
            keywords_boost: None,
            fair_cross_language: false,
            ..without_maybe()
        },
    )
    .unwrap();
    assert!(without
        .recommend("payment declined", Some(Locale::EnUs), 3)
        .is_empty());
    // Fair cross-language confidence alone finds it too: "declined" expands to "afvist", a
    // translation, which counts nearly as much as the word itself in the other language.
    let translated = Recommender::build(
        &articles,
        SearchConfig {
            keywords_boost: None,
            ..without_maybe()
        },
    )
    .unwrap();
    let found = translated.recommend("payment declined", Some(Locale::EnUs), 3);
    assert_eq!(slugs(&found).first(), Some(&"payment-was-declined"));
    assert_eq!(
        index::slug_words("canceling-office-365-subscription-2"),
        "canceling office subscription"
    );
}

#[test]
fn coverage_reranking_prefers_the_article_that_answers_all_of_the_question() {
    // One article repeats "faktura" many times; the other has every word of the question once.
    let articles = vec![
        article(Locale::DaDk, "fakturaer", "---\ntitle: Fakturaer\n---\n# Fakturaer\n\nFaktura, faktura, faktura: alt om din faktura og dine fakturaer.\n"),
        article(Locale::DaDk, "adresse", "---\ntitle: Ret adressen\n---\n# Ret adressen\n\nSådan retter du adressen, der står på din faktura.\n"),
    ];
    let query = "ret adressen på fakturaen";
    let reranked = Recommender::build(&articles, SearchConfig::tuned()).unwrap();
    assert_eq!(slugs(&reranked.recommend(query, None, 2))[0], "adresse");
}

#[test]
fn foreign_words_count_less_against_the_other_language() {
    // A Danish question whose answer exists only in English: Danish words English does not
    // know ("vi", "sidder") must not sink the English article's confidence.
    let articles = vec![
        article(Locale::EnUs, "pay-germany", "---\ntitle: Payment information for Germany\n---\n# Payment information for Germany\n\nPay by electronic funds transfer to the bank account below; use the IBAN shown.\n"),
        article(Locale::DaDk, "skift-sprog", "---\ntitle: Skift sprog\n---\n# Skift sprog\n\nVi sidder klar: vælg dansk eller engelsk under **Indstillinger**.\n"),
    ];
    let query = "IBAN til overførsel, vi sidder i Tyskland";
    let confidence = |config: SearchConfig| {
        let recommender = Recommender::build(&articles, config).unwrap();
        recommender
            .recommend(query, Some(Locale::DaDk), 3)
            .into_iter()
            .find(|r| r.article.slug == "pay-germany")
            .map_or(0.0, |r| r.confidence)
    };
    let open = SearchConfig {
        min_confidence: 0.0,
        maybe_min_confidence: None,
        ..SearchConfig::tuned()
    };
    let fair = confidence(open.clone());
    let unfair = confidence(SearchConfig {
        fair_cross_language: false,
        ..open
    });
    assert!(fair > unfair + 0.1, "fair {fair} vs {unfair}");
    let found = Recommender::build(&articles, SearchConfig::tuned())
        .unwrap()
        .recommend(query, Some(Locale::DaDk), 3);
    assert_eq!(slugs(&found).first(), Some(&"pay-germany"));
    assert!(found[0].cross_language);
}

#[test]
fn scope_reranking_demotes_variants_for_a_product_not_asked_about() {
    let articles = vec![
        article(Locale::DaDk, "update-payment-method-in-azure", "---\ntitle: Opdater betalingsmetoden\n---\n# Opdater betalingsmetoden\n\nSådan opdaterer du kreditkortet, når kortet er fornyet.\n"),
        article(Locale::DaDk, "update-payment-details", "---\ntitle: Opdater betalingsoplysninger\n---\n# Opdater betalingsoplysninger\n\nSådan opdaterer du kreditkortet, når kortet er fornyet.\n"),
    ];
    let with = Recommender::build(&articles, SearchConfig::tuned()).unwrap();
    let without = Recommender::build(
        &articles,
        SearchConfig {
            scope_penalty: 1.0,
            ..SearchConfig::tuned()
        },
    )
    .unwrap();
    let score = |r: &Recommender, query: &str, slug: &str| {
        r.recommend(query, None, 2)
            .into_iter()
            .find(|h| h.article.slug == slug)
            .map_or(0.0, |h| h.score)
    };
    let ratio = |query: &str, slug: &str| score(&with, query, slug) / score(&without, query, slug);
    let general = "kortet er fornyet, opdater kreditkortet";
    let named = "kortet er fornyet, opdater kreditkortet i azure";
    assert!((ratio(general, "update-payment-method-in-azure") - 0.7).abs() < 0.01);
    assert!((ratio(general, "update-payment-details") - 1.0).abs() < 0.01);
    // Named in the question, the variant is in scope.
    assert!((ratio(named, "update-payment-method-in-azure") - 1.0).abs() < 0.01);
}

#[test]
fn compound_parts_let_a_part_find_the_compound() {
    // Only the compound "faktureringsadresse" is in the article; the question says "adresse".
    let articles = vec![
        article(Locale::DaDk, "billing-address", "---\ntitle: Skift faktureringsadresse\n---\n# Skift faktureringsadresse\n\nÆndr faktureringsadressen under **Indstillinger**.\n"),
        article(Locale::DaDk, "address-book", "---\ntitle: Adressebog\n---\n# Adressebog\n\nDin adresse, dine kontakter og din fakturering.\n"),
        article(Locale::DaDk, "invoices", "---\ntitle: Fakturering\n---\n# Fakturering\n\nOm fakturering og din adresse.\n"),
    ];
    let with = Recommender::build(
        &articles,
        SearchConfig {
            compound_parts_boost: Some(COMPOUND_PARTS_BOOST),
            ..SearchConfig::tuned()
        },
    )
    .unwrap();
    let without = Recommender::build(&articles, SearchConfig::tuned()).unwrap();
    let score = |r: &Recommender| {
        r.recommend("skift adresse", None, 3)
            .into_iter()
            .find(|h| h.article.slug == "billing-address")
            .map_or(0.0, |h| h.score)
    };
    assert!(
        score(&with) > score(&without),
        "{} vs {}",
        score(&with),
        score(&without)
    );
}

#[test]
fn learned_adjustments_reorder_and_are_bounded() {
    let recommender = Recommender::build(&library(), SearchConfig::tuned()).unwrap();
    let query = "kreditkort afvist faktura";
    let before = recommender.recommend(query, None, 3);
    assert!(before.len() >= 2, "{before:?}");
    let (first, second) = (before[0].path.clone(), before[1].path.clone());
    let mut learned = Learned::new();
    learned.insert(
        second.clone(),
        Signals {
            helpful: 3,
            ..Signals::default()
        },
    );
    learned.insert(
        first.clone(),
        Signals {
            unhelpful: 3,
            ..Signals::default()
        },
    );
    let after = recommender.recommend_learned(query, None, 3, &learned);
    assert_eq!(after[0].path, second, "{after:?}");
    assert_eq!(
        after[0].confidence, before[1].confidence,
        "learning reorders, it does not change confidence"
    );
    // An article that does not fit is not brought in by learning.
    let mut unrelated = Learned::new();
    unrelated.insert(
        "builtin:skift-sprog".into(),
        Signals {
            helpful: 100,
            ..Signals::default()
        },
    );
    let after = recommender.recommend_learned(query, None, 3, &unrelated);
    assert!(
        after.iter().all(|r| r.article.slug != "skift-sprog"),
        "{after:?}"
    );
    // The cluster key ignores word order, stop words and inflection.
    assert_eq!(
        recommender.query_cluster("Hvordan betaler jeg min faktura?", None),
        recommender.query_cluster("faktura betale", Some(Locale::DaDk))
    );
    assert_eq!(recommender.query_cluster("?! og i", None), None);
}
