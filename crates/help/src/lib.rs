//! Help articles for Faktura's help pane (issue 5): reading them, finding the ones that fit a
//! problem description, and rendering them to safe HTML.
//!
//! ```no_run
//! use faktura_help::HelpLibrary;
//! use faktura_domain::Locale;
//!
//! let (library, report) = HelpLibrary::load(true, &[]);
//! for (path, reason) in &report.skipped {
//!     eprintln!("skipped {}: {reason}", path.display());
//! }
//! for hit in library.recommend("Hvordan betaler jeg min faktura?", None, 5) {
//!     let article = library.article(hit.locale, &hit.article.slug);
//!     let html = article.map(|a| library.render(a, "/help/articles"));
//!     println!("{} ({}) {:?}", hit.title, hit.score, html.map(|h| h.len()));
//! }
//! ```
//!
//! Articles come from the binary (the workspace's `articles/<locale>/*.md`, embedded at compile
//! time) and from folders given at run time. The front matter is read tolerantly (see
//! [`Article::parse`]); a file that cannot be used is skipped with a reason in the
//! [`LoadReport`], never silently.

mod article;
pub mod bench;
mod error;
mod frontmatter;
mod fuzzy;
mod lang;
mod loader;
mod markdown;
mod render;
mod search;

pub use article::{Article, ArticleSource};
pub use error::HelpError;
pub use lang::detect_language;
pub use loader::{check_dir, LoadReport};
pub use markdown::Heading;
pub use render::{render, render_with, ArticleLink};
pub use search::{
    ArticleRef, Learned, Recommendation, Recommender, SearchConfig, Signals, COMPOUND_PARTS_BOOST,
    LEARNED_MAX, LEARNED_STEP, OPENED_WEIGHT,
};

use faktura_domain::Locale;
use std::collections::HashMap;
use std::path::PathBuf;

/// The loaded articles and their search index. Immutable after loading; share it behind an `Arc`.
#[derive(Debug)]
pub struct HelpLibrary {
    articles: Vec<Article>,
    by_key: HashMap<(Locale, String), usize>,
    recommender: Option<Recommender>,
}

impl HelpLibrary {
    /// Loads the built-in articles (if `builtin`) and every `.md` file under each of `dirs`, and
    /// indexes them with [`SearchConfig::tuned`]. Never fails: unusable files are listed in the
    /// report. An article from a later source replaces one with the same locale and slug.
    pub fn load(builtin: bool, dirs: &[PathBuf]) -> (HelpLibrary, LoadReport) {
        HelpLibrary::load_with(builtin, dirs, SearchConfig::tuned())
    }

    /// [`HelpLibrary::load`] with another search configuration (e.g. [`SearchConfig::plain`]).
    pub fn load_with(
        builtin: bool,
        dirs: &[PathBuf],
        config: SearchConfig,
    ) -> (HelpLibrary, LoadReport) {
        let (articles, report) = loader::load_all(builtin, dirs);
        HelpLibrary::from_articles(articles, report, config)
    }

    /// A library over articles parsed elsewhere (tests, benchmarks).
    pub fn from_articles(
        articles: Vec<Article>,
        mut report: LoadReport,
        config: SearchConfig,
    ) -> (HelpLibrary, LoadReport) {
        // An in-memory index only fails on a bug; the pane then recommends nothing but
        // articles can still be opened.
        let recommender = match Recommender::build(&articles, config) {
            Ok(recommender) => Some(recommender),
            Err(err) => {
                report.index_error = Some(err.to_string());
                None
            }
        };
        let by_key = articles
            .iter()
            .enumerate()
            .map(|(i, a)| ((a.locale, a.slug.clone()), i))
            .collect();
        (
            HelpLibrary {
                articles,
                by_key,
                recommender,
            },
            report,
        )
    }

    /// Articles that fit a problem description, best first (see [`Recommender::recommend`]).
    /// Empty when nothing fits confidently.
    pub fn recommend(
        &self,
        text: &str,
        locale: Option<Locale>,
        limit: usize,
    ) -> Vec<Recommendation> {
        self.recommender
            .as_ref()
            .map(|r| r.recommend(text, locale, limit))
            .unwrap_or_default()
    }

    /// [`HelpLibrary::recommend`] with the learned adjustments of the question's cluster (see
    /// [`Recommender::recommend_learned`]).
    pub fn recommend_learned(
        &self,
        text: &str,
        locale: Option<Locale>,
        limit: usize,
        learned: &Learned,
    ) -> Vec<Recommendation> {
        self.recommender
            .as_ref()
            .map(|r| r.recommend_learned(text, locale, limit, learned))
            .unwrap_or_default()
    }

    /// The query cluster a question's learned adjustments are kept under (see
    /// [`Recommender::query_cluster`]); `None` for a question with no searchable word.
    pub fn query_cluster(&self, text: &str, locale: Option<Locale>) -> Option<String> {
        self.recommender.as_ref()?.query_cluster(text, locale)
    }

    /// The article with this locale and slug.
    pub fn article(&self, locale: Locale, slug: &str) -> Option<&Article> {
        self.by_key
            .get(&(locale, slug.to_string()))
            .map(|&i| &self.articles[i])
    }

    /// `recommended` with each article replaced by its version in `reader`'s language where
    /// one exists (the same slug in that language's folder), so that the help pane answers in
    /// the reader's UI language whenever it can; an article that comes twice that way (both
    /// languages were recommended) is kept once, in its first place. A replaced article is no
    /// longer "in the other language".
    pub fn in_reader_language(
        &self,
        recommended: Vec<Recommendation>,
        reader: Locale,
    ) -> Vec<Recommendation> {
        let mut seen = std::collections::HashSet::new();
        let mut answer = Vec::with_capacity(recommended.len());
        for rec in recommended {
            let rec = match self.article(reader, &rec.article.slug) {
                Some(translated) if rec.locale != reader => Recommendation {
                    article: ArticleRef {
                        locale: reader,
                        slug: translated.slug.clone(),
                    },
                    path: translated.path(),
                    title: translated.title.clone(),
                    locale: reader,
                    cross_language: false,
                    ..rec
                },
                _ => rec,
            };
            if seen.insert((rec.locale, rec.article.slug.clone())) {
                answer.push(rec);
            }
        }
        answer
    }

    /// All articles, in load order.
    pub fn articles(&self) -> &[Article] {
        &self.articles
    }

    /// Sanitized HTML of an article; links to other articles point to `{link_base}/{locale}/{slug}`.
    pub fn render(&self, article: &Article, link_base: &str) -> String {
        render(article, link_base)
    }

    /// The search index; `None` only if it could not be built (see [`LoadReport::index_error`]).
    pub fn recommender(&self) -> Option<&Recommender> {
        self.recommender.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<HelpLibrary>();
        shareable::<Recommender>();
    }
}
