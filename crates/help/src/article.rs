//! One help article: its front matter read tolerantly, its headings and its body.

use crate::frontmatter::{self, FrontMatter};
use crate::lang::detect_language;
use crate::markdown::{self, collapse_whitespace, Heading};
use faktura_domain::Locale;
use std::path::{Path, PathBuf};

/// Where an article came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ArticleSource {
    /// Compiled into the binary from the workspace's `articles/` folder; holds the slug.
    Builtin(String),
    /// Read from a folder given at run time.
    Dir {
        dir: PathBuf,
        relative_path: PathBuf,
    },
}

impl ArticleSource {
    /// `builtin:<slug>`, or the path relative to its folder with `/` separators
    /// (e.g. `da-DK/pay-invoice-in-azure-portal.md`). This is the `path` of a recommendation.
    pub fn path(&self) -> String {
        match self {
            ArticleSource::Builtin(slug) => format!("builtin:{slug}"),
            ArticleSource::Dir { relative_path, .. } => relative_path
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        }
    }

    /// The file on disk, for folder articles.
    pub fn file(&self) -> Option<PathBuf> {
        match self {
            ArticleSource::Builtin(_) => None,
            ArticleSource::Dir { dir, relative_path } => Some(dir.join(relative_path)),
        }
    }
}

/// A parsed help article.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// The file stem: `pay-invoice-in-azure-portal`.
    pub slug: String,
    pub locale: Locale,
    /// Front-matter `title`, else the first `#` heading.
    pub title: String,
    pub description: Option<String>,
    /// `ms.date` as written (`12/17/2020`); `None` when absent or empty.
    pub ms_date: Option<String>,
    /// `ms.custom`, whether written as a list, a bare number or a comma-separated string.
    pub ms_custom: Vec<String>,
    pub headings: Vec<Heading>,
    /// The markdown after the front matter, with BOM removed and line ends normalized to `\n`.
    pub body_markdown: String,
    pub source: ArticleSource,
    /// Everything that was odd about the file but did not stop it from being read.
    pub warnings: Vec<String>,
}

impl Article {
    /// Parses an article. `folder_locale` is the locale implied by the folder the file sits in,
    /// used when the front matter has no `ms.contentlocale`.
    ///
    /// Errors with a reason when the file has neither a usable front matter nor any body text:
    /// such a file is skipped, and the reason is reported.
    pub fn parse(
        raw: &str,
        slug: &str,
        source: ArticleSource,
        folder_locale: Option<Locale>,
    ) -> Result<Article, String> {
        let mut warnings = Vec::new();
        let text = frontmatter::normalize_text(raw);
        let (front, body) = frontmatter::split(&text, &mut warnings);
        let fm = match &front {
            Some(front) => frontmatter::parse(front, &mut warnings),
            None => {
                warnings.push("no front matter".to_string());
                FrontMatter::default()
            }
        };
        let extracted = markdown::extract(&body);

        let fm_title = front_title(&fm, &mut warnings);
        let first_h1 = extracted
            .headings
            .iter()
            .find(|h| h.level == 1)
            .map(|h| h.text.clone())
            .filter(|t| !t.is_empty());
        let has_body = !extracted.blocks.is_empty() || !extracted.headings.is_empty();

        if fm_title.is_none() && !has_body {
            return Err(if front.is_some() {
                "front matter has no title and the body has no text".to_string()
            } else {
                "no front matter and no body text".to_string()
            });
        }
        if !has_body {
            warnings.push("the body is empty".to_string());
        }

        let title = match (&fm_title, &first_h1) {
            (Some(title), Some(heading)) => {
                if comparable(title) != comparable(heading) {
                    warnings.push(format!(
                        "title {title:?} differs from the first heading {heading:?}"
                    ));
                }
                title.clone()
            }
            (Some(title), None) => title.clone(),
            (None, Some(heading)) => {
                // Without any front matter, that warning has been given already.
                if front.is_some() {
                    warnings.push("no title in the front matter; using the first # heading".into());
                }
                heading.clone()
            }
            (None, None) => {
                warnings.push("no title and no # heading; using the file name".into());
                humanize(slug)
            }
        };

        let locale = pick_locale(&fm, folder_locale, &title, &extracted.blocks, &mut warnings);

        if !slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            warnings.push(format!(
                "file name {slug:?} has characters other than a-z, 0-9, - and _; links to it need escaping"
            ));
        }

        Ok(Article {
            slug: slug.to_string(),
            locale,
            title,
            description: fm.text("description").or_else(|| fm.text("beskrivelse")),
            ms_date: fm.text("ms.date"),
            ms_custom: fm.list("ms.custom"),
            headings: extracted.headings,
            body_markdown: body,
            source,
            warnings,
        })
    }

    /// Reads an article from `dir/relative_path`. The locale folder is the nearest parent folder
    /// named like a language tag (`da-DK`, `en-US`, `da`).
    pub fn parse_file(dir: &Path, relative_path: &Path, raw: &str) -> Result<Article, String> {
        let slug = relative_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder_locale = relative_path
            .parent()
            .into_iter()
            .flat_map(Path::ancestors)
            .filter_map(|p| p.file_name())
            .find_map(|name| locale_folder(&name.to_string_lossy()));
        Article::parse(
            raw,
            &slug,
            ArticleSource::Dir {
                dir: dir.to_path_buf(),
                relative_path: relative_path.to_path_buf(),
            },
            folder_locale,
        )
    }

    /// `builtin:<slug>` or the path relative to the folder the article came from.
    pub fn path(&self) -> String {
        self.source.path()
    }
}

/// A folder name that is a language tag: `da-DK`, `en-us`, `da`, `en_GB`.
pub(crate) fn locale_folder(name: &str) -> Option<Locale> {
    let mut parts = name.split(['-', '_']);
    let language = parts.next()?;
    let region = parts.next();
    let shaped = language.len() == 2
        && language.chars().all(|c| c.is_ascii_alphabetic())
        && region.is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()))
        && parts.next().is_none();
    if shaped {
        Locale::from_tag(name)
    } else {
        None
    }
}

fn front_title(fm: &FrontMatter, warnings: &mut Vec<String>) -> Option<String> {
    if let Some(title) = fm.text("title") {
        return Some(title);
    }
    // Machine translation translates keys too: Danish `titel` for `title`.
    let translated = fm.text("titel");
    if translated.is_some() {
        warnings.push("front matter key `titel` read as `title`".to_string());
    }
    translated
}

fn pick_locale(
    fm: &FrontMatter,
    folder_locale: Option<Locale>,
    title: &str,
    blocks: &[markdown::Block],
    warnings: &mut Vec<String>,
) -> Locale {
    let declared = fm.text("ms.contentlocale");
    if let Some(tag) = &declared {
        match Locale::from_tag(tag) {
            Some(locale) => {
                if let Some(folder) = folder_locale.filter(|f| *f != locale) {
                    warnings.push(format!(
                        "ms.contentlocale {tag} disagrees with the {folder} folder; using {locale}"
                    ));
                }
                return locale;
            }
            None => warnings.push(format!("unsupported ms.contentlocale {tag:?}")),
        }
    }
    if let Some(locale) = folder_locale {
        return locale;
    }
    let sample: String = std::iter::once(title)
        .chain(blocks.iter().map(|b| b.text.as_str()))
        .collect::<Vec<_>>()
        .join(" ");
    match detect_language(&sample) {
        Some(locale) => {
            warnings.push(format!(
                "no ms.contentlocale and no locale folder; detected {locale} from the text"
            ));
            locale
        }
        None => {
            warnings.push("language unknown; assuming en-US".to_string());
            Locale::EnUs
        }
    }
}

/// Titles compared loosely: case, spacing and punctuation aside.
pub(crate) fn comparable(text: &str) -> String {
    collapse_whitespace(
        &text
            .chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    c.to_lowercase().next().unwrap_or(c)
                } else {
                    ' '
                }
            })
            .collect::<String>(),
    )
}

fn humanize(slug: &str) -> String {
    let words = slug.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Untitled".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_source(rel: &str) -> ArticleSource {
        ArticleSource::Dir {
            dir: PathBuf::from("/x"),
            relative_path: PathBuf::from(rel),
        }
    }

    #[test]
    fn paths() {
        assert_eq!(ArticleSource::Builtin("a".into()).path(), "builtin:a");
        assert_eq!(dir_source("da-DK/a.md").path(), "da-DK/a.md");
    }

    #[test]
    fn full_front_matter() {
        let raw = "\u{feff}---  \r\ntitle: Pay an invoice\r\ndescription: How to pay.\r\nms.date: 12/17/2020\r\nms.custom:\r\n- \"1\"\r\n- \"2\"\r\nms.contentlocale: en-US\r\nunknown.key: whatever\r\n---\r\n# Pay an invoice\r\n\r\nOpen **Invoices**.\r\n";
        let article = Article::parse(raw, "pay", dir_source("pay.md"), None).unwrap();
        assert_eq!(article.title, "Pay an invoice");
        assert_eq!(article.description.as_deref(), Some("How to pay."));
        assert_eq!(article.ms_date.as_deref(), Some("12/17/2020"));
        assert_eq!(article.ms_custom, vec!["1", "2"]);
        assert_eq!(article.locale, Locale::EnUs);
        assert_eq!(article.headings.len(), 1);
        assert!(!article.body_markdown.contains('\r'));
        assert!(article.warnings.is_empty(), "{:?}", article.warnings);
    }

    #[test]
    fn title_falls_back_to_heading_without_anchor() {
        let raw = "---\nms.date: ''\n---\n# <a name=\"x\"></a>Betal en faktura\n\nTekst.\n";
        let article =
            Article::parse(raw, "x", dir_source("da-DK/x.md"), Some(Locale::DaDk)).unwrap();
        assert_eq!(article.title, "Betal en faktura");
        assert_eq!(article.locale, Locale::DaDk);
        assert_eq!(article.ms_date, None);
        assert!(article
            .warnings
            .iter()
            .any(|w| w.contains("first # heading")));
    }

    #[test]
    fn title_disagreeing_with_heading_is_a_warning() {
        let raw = "---\ntitle: Support information for Denmark\n---\n# Contact support for Denmark\n\nCall us.\n";
        let article =
            Article::parse(raw, "s", dir_source("en-US/s.md"), Some(Locale::EnUs)).unwrap();
        assert_eq!(article.title, "Support information for Denmark");
        assert!(article.warnings.iter().any(|w| w.contains("differs")));
    }

    #[test]
    fn locale_order_front_matter_then_folder_then_detection() {
        let raw = "---\ntitle: T\nms.contentlocale: da-DK\n---\nThe text.\n";
        let article =
            Article::parse(raw, "t", dir_source("en-US/t.md"), Some(Locale::EnUs)).unwrap();
        assert_eq!(article.locale, Locale::DaDk);
        assert!(article.warnings.iter().any(|w| w.contains("disagrees")));

        let raw = "---\ntitle: Betaling\n---\nSådan betaler du din faktura, og det er nemt.\n";
        let article = Article::parse(raw, "t", dir_source("t.md"), None).unwrap();
        assert_eq!(article.locale, Locale::DaDk);
        assert!(article.warnings.iter().any(|w| w.contains("detected")));
    }

    #[test]
    fn nothing_usable_is_an_error() {
        assert!(Article::parse("", "e", dir_source("e.md"), None).is_err());
        assert!(Article::parse("---\nms.date: 1\n---\n\n", "e", dir_source("e.md"), None).is_err());
        assert!(Article::parse("   \n\n", "e", dir_source("e.md"), None).is_err());
        // A title alone is enough, with a warning.
        let article =
            Article::parse("---\ntitle: T\n---\n", "e", dir_source("e.md"), None).unwrap();
        assert!(article.warnings.iter().any(|w| w.contains("empty")));
    }

    #[test]
    fn locale_folders() {
        assert_eq!(locale_folder("da-DK"), Some(Locale::DaDk));
        assert_eq!(locale_folder("en_us"), Some(Locale::EnUs));
        assert_eq!(locale_folder("da"), Some(Locale::DaDk));
        assert_eq!(locale_folder("de-DE"), None);
        assert_eq!(locale_folder("danish"), None);
        assert_eq!(locale_folder("en-US-x"), None);
    }

    #[test]
    fn parse_file_finds_locale_folder_anywhere_above() {
        let article = Article::parse_file(
            Path::new("/d"),
            Path::new("da-DK/billing/x.md"),
            "# Titel\n\nTekst her.\n",
        )
        .unwrap();
        assert_eq!(article.locale, Locale::DaDk);
        assert_eq!(article.slug, "x");
        assert_eq!(article.path(), "da-DK/billing/x.md");
    }
}
