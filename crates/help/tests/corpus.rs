//! The shared corpus of real (awkward) articles.

mod common;

use faktura_domain::Locale;
use faktura_help::{render, HelpLibrary};

#[test]
fn danish_question_finds_the_azure_portal_article_first() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let (library, _) = HelpLibrary::load(false, &[corpus]);
    let results = library.recommend(
        "Hvordan betaler jeg min forfaldne faktura i portalen?",
        None,
        5,
    );
    assert_eq!(
        results.first().map(|r| r.path.as_str()),
        Some("da-DK/pay-invoice-in-azure-portal.md"),
        "{results:#?}"
    );
    assert_eq!(results[0].locale, Locale::DaDk);
    // And with the locale given.
    let results = library.recommend(
        "Hvordan betaler jeg min forfaldne faktura i portalen?",
        Some(Locale::DaDk),
        5,
    );
    assert_eq!(results[0].path, "da-DK/pay-invoice-in-azure-portal.md");
}

#[test]
fn every_real_article_is_read() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let (library, report) = HelpLibrary::load(false, std::slice::from_ref(&corpus));
    assert_eq!(report.read, 7, "{report:?}");
    // README.md documents the folder and is skipped with a reason.
    assert_eq!(report.skipped.len(), 1);
    assert!(report.skipped[0].0.ends_with("README.md"));

    // Machine translation broke this front matter: line reader, title from `titel`.
    let broken = library
        .article(Locale::DaDk, "troubleshoot-presence-issues-outlook")
        .expect("read despite invalid YAML");
    assert_eq!(
        broken.title,
        "Fejlfinding af tilstedeværelsesproblemer i Outlook"
    );
    assert_eq!(broken.ms_custom, ["9257", "9003349"]);
    assert!(broken.warnings.iter().any(|w| w.contains("not valid YAML")));

    // UTF-8 BOM and `---` with trailing spaces; the title disagrees with the body's heading.
    let denmark = library
        .article(Locale::EnUs, "support-denmark")
        .expect("read");
    assert_eq!(denmark.title, "Support information for Denmark");
    assert!(denmark.warnings.iter().any(|w| w.contains("differs")));

    let pay = library
        .article(Locale::DaDk, "pay-invoice-in-azure-portal")
        .expect("read");
    assert_eq!(pay.ms_custom, ["9004164", "7284"]);
    assert_eq!(pay.ms_date.as_deref(), Some("12/17/2020"));
    assert_eq!(
        pay.headings[0].id,
        "pay-invoice-in-azure-portal---recommended-steps"
    );
    assert!(pay.title.starts_with("Betalings faktura i Azure Portal"));

    let declined = library
        .article(Locale::DaDk, "declined-credit-card")
        .expect("read");
    assert_eq!(declined.ms_date, None, "ms.date: '' is no date");
}

#[test]
fn real_articles_render_cleanly() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let (library, _) = HelpLibrary::load(false, &[corpus]);
    let change = library
        .article(Locale::EnUs, "change-payment-method")
        .expect("read");
    let html = render(change, "/help/articles");
    assert!(!html.contains(":::"));
    assert!(html.contains("class=\"callout callout-important\""));
    assert!(html.contains("class=\"callout callout-tip\""));
    assert!(html.contains(
        "href=\"/help/articles/en-US/add-update-or-remove-credit-card-or-bank-account\""
    ));
    assert!(html.contains(
        "href=\"https://go.microsoft.com/fwlink/p/?linkid=842054\" target=\"_blank\" rel=\"noopener noreferrer\""
    ));

    let pay = library
        .article(Locale::DaDk, "pay-invoice-in-azure-portal")
        .expect("read");
    let html = library.render(pay, "/help/articles");
    assert!(
        html.contains("<h1 id=\"pay-invoice-in-azure-portal---recommended-steps\">"),
        "{html}"
    );
}

#[test]
fn gibberish_finds_nothing_in_the_real_corpus_and_builtin_articles() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let (library, _) = HelpLibrary::load(true, &[corpus]);
    for query in [
        "xyzzy plugh",
        "asdf qwerty",
        "qwertyuiop",
        "lorem ipsum dolor sit amet",
        "banana smoothie recipe",
    ] {
        let results = library.recommend(query, None, 5);
        assert!(results.is_empty(), "{query:?} → {results:?}");
    }
}
