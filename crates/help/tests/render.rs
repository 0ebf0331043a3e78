//! Rendering fixture articles to sanitized HTML.

mod common;

use faktura_domain::Locale;
use faktura_help::{render, render_with, HelpLibrary};

fn library() -> HelpLibrary {
    HelpLibrary::load(false, &[common::fixtures()]).0
}

#[test]
fn callouts_anchors_and_links() {
    let library = library();
    let article = library
        .article(Locale::EnUs, "pay-an-invoice")
        .expect("fixture");
    let html = library.render(article, "/help/articles/");
    assert!(
        html.contains("<h1 id=\"pay-an-invoice\">Pay an invoice</h1>"),
        "{html}"
    );
    assert!(
        html.contains("<div class=\"callout callout-note\"><p class=\"callout-title\">Note</p>")
    );
    assert!(
        html.contains(
            "<a href=\"/help/articles/en-US/card-declined#what-to-check\">Card declined</a>"
        ),
        "{html}"
    );
    assert!(html.contains("<strong>Pay now</strong>"));
}

#[test]
fn scripts_in_articles_are_removed() {
    let library = library();
    let article = library
        .article(Locale::EnUs, "card-declined")
        .expect("fixture");
    let html = render(article, "/help/articles");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("alert("), "{html}");
    assert!(html.contains("<h2 id=\"what-to-check\">What to check</h2>"));
}

#[test]
fn custom_link_resolver() {
    let library = library();
    let article = library
        .article(Locale::EnUs, "pay-an-invoice")
        .expect("fixture");
    let html = render_with(article, &|link| {
        format!("/kb?slug={}&lang={}", link.slug, link.locale.tag())
    });
    assert!(
        html.contains("href=\"/kb?slug=card-declined&amp;lang=en-US\""),
        "{html}"
    );
}
