//! Loading folders and built-in articles: tolerant parsing, reasons for every skipped file.

mod common;

use faktura_domain::Locale;
use faktura_help::{check_dir, ArticleSource, HelpLibrary};

#[test]
fn fixture_folder_loads_with_reasons_for_skips() {
    let dir = common::fixtures();
    let (library, report) = HelpLibrary::load(false, std::slice::from_ref(&dir));

    let mut paths: Vec<String> = library.articles().iter().map(|a| a.path()).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "da-DK/betal-en-faktura.md",
            "da-DK/oversat-forkert.md",
            "en-US/card-declined.md",
            "en-US/crlf-export.md",
            "en-US/pay-an-invoice.md",
        ]
    );
    assert_eq!(report.read, 5);
    assert!(report.index_error.is_none());
    // The empty file is skipped, and says why; notes.txt is not markdown and is ignored.
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert!(report.skipped[0].0.ends_with("en-US/empty.md"));
    assert!(!report.skipped[0].1.is_empty());
    // Only the machine-translated file has warnings.
    assert_eq!(report.with_warnings, 1);
}

#[test]
fn awkward_fixture_fields() {
    let dir = common::fixtures();
    let (library, _) = HelpLibrary::load(false, std::slice::from_ref(&dir));

    let broken = library
        .article(Locale::DaDk, "oversat-forkert")
        .expect("loaded");
    assert_eq!(broken.title, "Kortet blev afvist");
    assert_eq!(broken.ms_custom, ["9257", "9003349"]);
    assert_eq!(broken.ms_date.as_deref(), Some("04/8/2021"));
    assert!(broken.warnings.iter().any(|w| w.contains("not valid YAML")));

    // BOM, `---` with trailing spaces, empty ms.date and ms.custom.
    let bom = library
        .article(Locale::DaDk, "betal-en-faktura")
        .expect("loaded");
    assert_eq!(bom.title, "Betal en faktura");
    assert_eq!(bom.ms_date, None);
    assert!(bom.ms_custom.is_empty());
    assert!(bom.warnings.is_empty(), "{:?}", bom.warnings);

    // A bare number in ms.custom.
    let declined = library
        .article(Locale::EnUs, "card-declined")
        .expect("loaded");
    assert_eq!(declined.ms_custom, ["7"]);
    assert_eq!(
        declined
            .headings
            .iter()
            .map(|h| h.id.as_str())
            .collect::<Vec<_>>(),
        ["card-declined", "what-to-check"]
    );

    let crlf = library
        .article(Locale::EnUs, "crlf-export")
        .expect("loaded");
    assert!(!crlf.body_markdown.contains('\r'));
    assert_eq!(crlf.title, "Windows line ends");

    let pay = library
        .article(Locale::EnUs, "pay-an-invoice")
        .expect("loaded");
    assert_eq!(
        pay.source,
        ArticleSource::Dir {
            dir: dir.clone(),
            relative_path: "en-US/pay-an-invoice.md".into()
        }
    );
    assert_eq!(
        pay.description.as_deref(),
        Some("Pay an open or overdue invoice with a saved card.")
    );
}

#[test]
fn check_dir_reports_every_markdown_file() {
    let results = check_dir(&common::fixtures());
    assert_eq!(results.len(), 6);
    let warnings_of = |name: &str| {
        results
            .iter()
            .find(|(p, _)| p.ends_with(name))
            .map(|(_, w)| w.clone())
            .unwrap_or_else(|| panic!("{name} not checked"))
    };
    assert!(warnings_of("empty.md")[0].starts_with("skipped:"));
    assert!(!warnings_of("oversat-forkert.md").is_empty());
    assert!(warnings_of("pay-an-invoice.md").is_empty());
}

#[test]
fn builtin_articles_all_load_cleanly() {
    let (library, report) = HelpLibrary::load(true, &[]);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    for article in library.articles() {
        assert!(matches!(article.source, ArticleSource::Builtin(_)));
        assert_eq!(article.path(), format!("builtin:{}", article.slug));
        assert!(!article.title.is_empty());
    }
    // The shipped folder is embedded as a whole: one article per .md file.
    let on_disk = ["en-US", "da-DK"]
        .iter()
        .filter_map(|l| std::fs::read_dir(common::articles().join(l)).ok())
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .count();
    assert_eq!(report.read, on_disk);
}

#[test]
fn a_folder_overrides_a_builtin_article_with_the_same_slug() {
    let (builtin, _) = HelpLibrary::load(true, &[]);
    let Some(first) = builtin.articles().first() else {
        eprintln!("skipping: no built-in articles yet");
        return;
    };
    let dir = std::env::temp_dir().join(format!("faktura-help-override-{}", std::process::id()));
    let locale_dir = dir.join(first.locale.tag());
    std::fs::create_dir_all(&locale_dir).expect("temp dir");
    std::fs::write(
        locale_dir.join(format!("{}.md", first.slug)),
        "---\ntitle: Our own version\n---\nCustom text.\n",
    )
    .expect("write");
    let (library, report) = HelpLibrary::load(true, std::slice::from_ref(&dir));
    let article = library.article(first.locale, &first.slug).expect("present");
    assert_eq!(article.title, "Our own version");
    assert!(report.skipped.iter().any(|(p, reason)| p.to_string_lossy()
        == format!("builtin:{}", first.slug)
        && reason.contains("replaced by")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shipped_articles_pass_the_check() {
    // What `faktura help check articles` reports: valid front matter, titles that match their
    // headings, links that resolve. README.md is not an article and is reported as skipped.
    let results = check_dir(&common::articles());
    let problems: Vec<_> = results
        .iter()
        .filter(|(path, warnings)| !warnings.is_empty() && !path.ends_with("README.md"))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}
