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
    // Boilerplate alone does not make an article fit.
    let recommender = Recommender::build(&library(), SearchConfig::tuned()).unwrap();
    let results = recommender.recommend("kontakt support spørgsmål", None, 3);
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
    };
    let json = serde_json::to_value(&recommendation).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"path": "builtin:x", "title": "X", "locale": "da-DK", "score": 1.235})
    );
}
