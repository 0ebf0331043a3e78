//! The recommender: a tantivy index over the articles with Danish and English analysis,
//! typo tolerance, field weights, boilerplate demotion and a confidence threshold.
//!
//! Each language has its own fields (`title_da`, `body_en`, …) because tantivy picks the analyzer
//! per field. An article is indexed into its own language's fields; a query is analyzed once per
//! language and searched in both, so an English word in a Danish question still finds English
//! articles, while articles in the query's language are preferred.

mod config;
mod decompound;
mod expand;
mod index;
mod learned;
mod query;
mod scoring;
#[cfg(test)]
mod tests;

pub use config::{SearchConfig, COMPOUND_PARTS_BOOST, MAYBE_COUNT};
pub use learned::{Learned, Signals, LEARNED_MAX, LEARNED_STEP, OPENED_WEIGHT};

use crate::error::HelpError;
use crate::fuzzy::Vocabulary;
use faktura_domain::Locale;
use serde::{Serialize, Serializer};
use std::collections::HashMap;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{IndexReader, Searcher};

/// Which article a recommendation points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArticleRef {
    pub locale: Locale,
    pub slug: String,
}

/// One recommended article. Serializes as `{"path", "title", "locale", "score"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    #[serde(skip)]
    pub article: ArticleRef,
    /// `builtin:<slug>`, or the path relative to the folder the article was loaded from.
    pub path: String,
    pub title: String,
    #[serde(serialize_with = "serialize_locale")]
    pub locale: Locale,
    /// Ranking score (BM25 with field weights, halved for the other language): higher is better.
    #[serde(serialize_with = "serialize_score")]
    pub score: f32,
    /// Share of the query's meaningful words that this article contains, weighted by how rare
    /// each word is; typo corrections and boilerplate matches count partly.
    #[serde(skip)]
    pub confidence: f32,
    /// The article is not in the query's language: shown because no article in that language
    /// fits (see [`SearchConfig::cross_language_fallback`]), or ranked below those that do. The
    /// help pane can say "only available in English".
    #[serde(skip)]
    pub cross_language: bool,
    /// Nothing fits confidently; this is one of the best [`MAYBE_COUNT`] guesses (see
    /// [`SearchConfig::maybe_min_confidence`]). The help pane offers it next to the support
    /// request. Serialized as `"maybe": true` only when set.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub maybe: bool,
}

fn serialize_locale<S: Serializer>(locale: &Locale, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(locale.tag())
}

fn serialize_score<S: Serializer>(score: &f32, serializer: S) -> Result<S::Ok, S::Error> {
    // Three decimals are plenty for ordering and keep the JSON readable.
    serializer.serialize_f64((f64::from(*score) * 1000.0).round() / 1000.0)
}

const LANGUAGES: [Locale; 2] = [Locale::EnUs, Locale::DaDk];
/// A word found only in boilerplate counts this much towards confidence.
const BOILERPLATE_CREDIT: f32 = 0.3;
/// A word found only as part of an article's compound counts this much towards confidence.
const COMPOUND_PART_CREDIT: f32 = 0.5;

#[derive(Debug, Clone, Copy)]
struct LanguageFields {
    title: Field,
    headings: Field,
    body: Field,
    boilerplate: Field,
    /// Slug words (document expansion, see [`SearchConfig::keywords_boost`]).
    keywords: Field,
    /// Parts of the article's compound words (see [`SearchConfig::compound_parts_boost`]).
    parts: Field,
}

impl LanguageFields {
    fn weighted(&self, config: &SearchConfig) -> Vec<(Field, f32)> {
        let mut fields = vec![
            (self.title, config.title_boost),
            (self.headings, config.headings_boost),
            (self.body, 1.0),
            (self.boilerplate, config.boilerplate_boost),
        ];
        if let Some(boost) = config.keywords_boost {
            fields.push((self.keywords, boost));
        }
        if let Some(boost) = config.compound_parts_boost {
            fields.push((self.parts, boost));
        }
        fields
    }

    /// Fields that count partly towards confidence, with their credit.
    fn partial(&self) -> [(Field, f32); 2] {
        [
            (self.boilerplate, BOILERPLATE_CREDIT),
            (self.parts, COMPOUND_PART_CREDIT),
        ]
    }

    /// Fields that count fully towards confidence.
    fn content(&self) -> [Field; 4] {
        [self.title, self.headings, self.body, self.keywords]
    }
}

/// What the recommender keeps of each article.
#[derive(Debug, Clone)]
struct Entry {
    article: ArticleRef,
    path: String,
    title: String,
    /// The title's terms as the article's language analyzes them (for title re-ranking).
    title_terms: Vec<String>,
}

/// A search index over a set of articles. Cheap to share between threads.
pub struct Recommender {
    config: SearchConfig,
    searcher: Searcher,
    // Kept so the searcher's segments stay valid for the recommender's lifetime.
    _reader: IndexReader,
    fields: HashMap<Locale, LanguageFields>,
    analyzers: HashMap<Locale, TextAnalyzer>,
    vocabularies: HashMap<Locale, Vocabulary>,
    /// Query expansion per language (empty when [`SearchConfig::query_expansion`] is off).
    expansions: HashMap<Locale, expand::Expansions>,
    /// `[segment][doc]` → index into `entries`.
    doc_entries: Vec<Vec<u32>>,
    entries: Vec<Entry>,
    num_docs: u64,
}

impl std::fmt::Debug for Recommender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recommender")
            .field("config", &self.config)
            .field("articles", &self.entries.len())
            .finish()
    }
}

impl Recommender {
    /// An index with no articles: recommends nothing.
    pub fn empty(config: SearchConfig) -> Result<Recommender, HelpError> {
        Recommender::build(&[], config)
    }

    pub fn config(&self) -> &SearchConfig {
        &self.config
    }

    /// Articles that fit a problem description, best first, at most `limit`. `locale` is the
    /// reader's language if known; otherwise it is guessed from the text. Articles in that
    /// language are preferred. When no article fits confidently, returns at most
    /// [`MAYBE_COUNT`] guesses marked [`Recommendation::maybe`], or nothing if even the best
    /// is below [`SearchConfig::maybe_min_confidence`].
    pub fn recommend(
        &self,
        problem_text: &str,
        locale: Option<Locale>,
        limit: usize,
    ) -> Vec<Recommendation> {
        // The index is in memory and immutable, so a search error would be a bug; recommending
        // nothing is the safe answer for the help pane.
        self.try_recommend_with(problem_text, locale, limit, &Learned::new())
            .unwrap_or_default()
    }
}
