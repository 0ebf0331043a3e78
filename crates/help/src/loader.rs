//! Loading articles from the binary and from folders. One bad file never stops a load, and no
//! file is dropped without a reason in the [`LoadReport`].

use crate::article::{locale_folder, Article, ArticleSource};
use crate::markdown;
use crate::render::article_link;
use faktura_domain::Locale;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/builtin_articles.rs"));

/// What a load did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Articles read and indexed.
    pub read: usize,
    /// How many of those carry warnings (see [`Article::warnings`]).
    pub with_warnings: usize,
    /// Files not loaded, with the reason. Built-in articles appear as `builtin:<slug>`.
    pub skipped: Vec<(PathBuf, String)>,
    /// Set when the search index could not be built; the library then recommends nothing.
    pub index_error: Option<String>,
}

/// Folder names that are documentation for the folder, not articles.
const NOT_ARTICLES: &[&str] = &["readme", "changelog", "contributing", "license", "licence"];

/// The articles compiled into the binary.
pub(crate) fn builtin_articles(report: &mut LoadReport) -> Vec<Article> {
    let mut articles = Vec::new();
    for &(folder, file_name, bytes) in BUILTIN_ARTICLES {
        let slug = file_name.strip_suffix(".md").unwrap_or(file_name);
        let label = PathBuf::from(format!("builtin:{slug}"));
        let Ok(text) = std::str::from_utf8(bytes) else {
            report.skipped.push((label, "not UTF-8 text".to_string()));
            continue;
        };
        match Article::parse(
            text,
            slug,
            ArticleSource::Builtin(slug.to_string()),
            locale_folder(folder),
        ) {
            Ok(article) => articles.push(article),
            Err(reason) => report.skipped.push((label, reason)),
        }
    }
    articles
}

/// Every `.md` file under `dir` (recursively, sorted, hidden entries and symlinked folders
/// skipped), as paths relative to `dir`.
pub(crate) fn markdown_files(dir: &Path, problems: &mut Vec<(PathBuf, String)>) -> Vec<PathBuf> {
    let mut found = Vec::new();
    walk(dir, Path::new(""), &mut found, problems);
    found.sort();
    found
}

fn walk(
    root: &Path,
    relative: &Path,
    found: &mut Vec<PathBuf>,
    problems: &mut Vec<(PathBuf, String)>,
) {
    let here = root.join(relative);
    let entries = match fs::read_dir(&here) {
        Ok(entries) => entries,
        Err(err) => {
            problems.push((here, format!("cannot read folder: {err}")));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                problems.push((here.clone(), format!("cannot list folder: {err}")));
                continue;
            }
        };
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let rel = relative.join(&name);
        // file_type() does not follow symlinks: linked folders are skipped (no cycles),
        // linked files are read.
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => walk(root, &rel, found, problems),
            Ok(_) if is_markdown(&rel) => found.push(rel),
            Ok(_) => {}
            Err(err) => problems.push((root.join(&rel), format!("cannot inspect: {err}"))),
        }
    }
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("md"))
}

/// Reads one file under `dir`; `Err` holds the skip reason.
pub(crate) fn read_article(dir: &Path, relative: &Path) -> Result<Article, String> {
    let stem = relative
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if NOT_ARTICLES.contains(&stem.as_str()) {
        return Err(format!(
            "{}.md documents the folder; it is not an article",
            relative
                .file_stem()
                .map(|s| s.to_string_lossy())
                .unwrap_or_default()
        ));
    }
    let path = dir.join(relative);
    let bytes = fs::read(&path).map_err(|err| format!("cannot read: {err}"))?;
    let text = String::from_utf8(bytes).map_err(|err| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            err.utf8_error().valid_up_to()
        )
    })?;
    Article::parse_file(dir, relative, &text)
}

/// Loads built-in articles and folders into one list. An article in a later source replaces one
/// with the same locale and slug from an earlier source (a folder can override a built-in
/// article); the replaced one is reported as skipped.
pub(crate) fn load_all(builtin: bool, dirs: &[PathBuf]) -> (Vec<Article>, LoadReport) {
    let mut report = LoadReport::default();
    let mut articles: Vec<Article> = Vec::new();
    let mut by_key: HashMap<(Locale, String), usize> = HashMap::new();

    let mut add = |article: Article, articles: &mut Vec<Article>, report: &mut LoadReport| {
        let key = (article.locale, article.slug.clone());
        match by_key.get(&key) {
            Some(&index) => {
                let old = std::mem::replace(&mut articles[index], article);
                let reason = format!(
                    "replaced by {} (same locale {} and slug {})",
                    articles[index].path(),
                    old.locale,
                    old.slug
                );
                report.skipped.push((label(&old.source), reason));
            }
            None => {
                by_key.insert(key, articles.len());
                articles.push(article);
            }
        }
    };

    if builtin {
        for article in builtin_articles(&mut report) {
            add(article, &mut articles, &mut report);
        }
    }
    for dir in dirs {
        let mut problems = Vec::new();
        for relative in markdown_files(dir, &mut problems) {
            match read_article(dir, &relative) {
                Ok(article) => add(article, &mut articles, &mut report),
                Err(reason) => report.skipped.push((dir.join(&relative), reason)),
            }
        }
        report.skipped.extend(problems);
    }
    report.read = articles.len();
    report.with_warnings = articles.iter().filter(|a| !a.warnings.is_empty()).count();
    (articles, report)
}

fn label(source: &ArticleSource) -> PathBuf {
    source
        .file()
        .unwrap_or_else(|| PathBuf::from(source.path()))
}

/// Checks every `.md` file under `dir` as `faktura help check DIR` does: one entry per file
/// (full path), with its warnings; a file that would be skipped gets `skipped: <reason>`.
/// Beyond what loading reports, it flags two articles with the same locale and slug and links to
/// `.md` articles that are not in the folder. An empty list of warnings means the file is fine.
/// A folder that cannot be read yields one entry for the folder.
pub fn check_dir(dir: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let mut problems = Vec::new();
    let files = markdown_files(dir, &mut problems);
    let mut results: Vec<(PathBuf, Vec<String>)> = Vec::new();
    let mut articles: Vec<(usize, Article)> = Vec::new();
    let mut seen: HashMap<(Locale, String), PathBuf> = HashMap::new();
    for relative in files {
        let path = dir.join(&relative);
        match read_article(dir, &relative) {
            Ok(article) => {
                let mut warnings = article.warnings.clone();
                let key = (article.locale, article.slug.clone());
                if let Some(first) = seen.get(&key) {
                    warnings.push(format!(
                        "same locale and slug as {}; only one of them is served",
                        first.display()
                    ));
                } else {
                    seen.insert(key, path.clone());
                }
                articles.push((results.len(), article));
                results.push((path, warnings));
            }
            Err(reason) => results.push((path, vec![format!("skipped: {reason}")])),
        }
    }
    for (index, article) in &articles {
        for destination in markdown::link_destinations(&article.body_markdown) {
            if let Some(link) = article_link(&destination, article.locale) {
                if !seen.contains_key(&(link.locale, link.slug.clone())) {
                    results[*index].1.push(format!(
                        "link to {destination} points to no article in this folder ({}/{})",
                        link.locale, link.slug
                    ));
                }
            }
        }
    }
    results.extend(
        problems
            .into_iter()
            .map(|(path, reason)| (path, vec![reason])),
    );
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("faktura-help-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write(path: &Path, bytes: &[u8]) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::File::create(path).unwrap().write_all(bytes).unwrap();
    }

    #[test]
    fn bad_files_are_skipped_with_reasons_and_good_ones_read() {
        let dir = temp_dir("load");
        write(
            &dir.join("en-US/good.md"),
            b"---\ntitle: Good\n---\nSome text.\n",
        );
        write(&dir.join("en-US/empty.md"), b"");
        write(&dir.join("en-US/binary.md"), &[0xff, 0xfe, 0x00, 0x41]);
        write(&dir.join("en-US/notes.txt"), b"not markdown");
        write(&dir.join("README.md"), b"# About this folder\n");
        write(&dir.join(".hidden/x.md"), b"# Hidden\n\ntext\n");
        write(
            &dir.join("da-DK/broken.md"),
            b"---\ntitel: \"Brudt\" ms.author: x\n---\nTekst.\n",
        );

        let (articles, report) = load_all(false, std::slice::from_ref(&dir));
        let mut paths: Vec<String> = articles.iter().map(Article::path).collect();
        paths.sort();
        assert_eq!(paths, ["da-DK/broken.md", "en-US/good.md"]);
        assert_eq!(report.read, 2);
        assert_eq!(report.with_warnings, 1);
        let mut skipped: Vec<String> = report
            .skipped
            .iter()
            .map(|(p, _)| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        skipped.sort();
        assert_eq!(skipped, ["README.md", "en-US/binary.md", "en-US/empty.md"]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn later_sources_replace_earlier_ones_and_say_so() {
        let first = temp_dir("first");
        let second = temp_dir("second");
        write(&first.join("en-US/a.md"), b"# A one\n\ntext\n");
        write(&second.join("en-US/a.md"), b"# A two\n\ntext\n");
        let (articles, report) = load_all(false, &[first.clone(), second.clone()]);
        assert_eq!(articles.len(), 1);
        assert_eq!(articles[0].title, "A two");
        assert_eq!(report.skipped.len(), 1);
        assert!(report.skipped[0].1.contains("replaced by"));
        let _ = fs::remove_dir_all(&first);
        let _ = fs::remove_dir_all(&second);
    }

    #[test]
    fn check_dir_lists_every_file() {
        let dir = temp_dir("check");
        write(
            &dir.join("en-US/good.md"),
            b"---\ntitle: Good\n---\n# Good\n\nSee [other](other.md) and [web](https://x.test/a.md).\n",
        );
        write(
            &dir.join("en-US/other.md"),
            b"# Other\n\nSee [gone](../da-DK/gone.md#x).\n",
        );
        write(&dir.join("en-US/bad.md"), b"---\n---\n\n");
        let results = check_dir(&dir);
        assert_eq!(results.len(), 3);
        let other = results
            .iter()
            .find(|(p, _)| p.ends_with("other.md"))
            .unwrap();
        let dangling: Vec<&String> = other
            .1
            .iter()
            .filter(|w| w.contains("points to no article"))
            .collect();
        assert_eq!(dangling.len(), 1, "{:?}", other.1);
        assert!(dangling[0].contains("da-DK/gone"));
        let bad = results.iter().find(|(p, _)| p.ends_with("bad.md")).unwrap();
        assert!(bad.1[0].starts_with("skipped:"));
        let good = results
            .iter()
            .find(|(p, _)| p.ends_with("good.md"))
            .unwrap();
        assert!(good.1.is_empty(), "{:?}", good.1);
        let missing = check_dir(&dir.join("nope"));
        assert_eq!(missing.len(), 1);
        let _ = fs::remove_dir_all(&dir);
    }
}
