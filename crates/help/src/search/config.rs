//! How the recommender analyzes and weighs text.

/// How the recommender analyzes and weighs text. [`SearchConfig::tuned`] is what Faktura uses;
/// [`SearchConfig::plain`] is the baseline the quality benchmark compares it with.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchConfig {
    /// Language analyzers (stop words, snowball stemming, accent folding) instead of plain
    /// lowercase words.
    pub language_analysis: bool,
    /// Correct query words that are not in the index to indexed words one edit away.
    pub typo_tolerance: bool,
    /// Judge a word's rarity over whole articles, not per field. Per field, a common word like
    /// "invoice" is rare among titles, and a title match on it would outweigh a rare body word.
    pub shared_idf: bool,
    /// Score weight of a title match; body text weighs 1.
    pub title_boost: f32,
    /// Score weight of a heading match.
    pub headings_boost: f32,
    /// Score weight of a match in boilerplate or "see also" links.
    pub boilerplate_boost: f32,
    /// A paragraph found in at least this many articles is boilerplate and counts little.
    /// `None` indexes every paragraph as body text.
    pub boilerplate_min_articles: Option<usize>,
    /// Nothing is recommended unless some hit's confidence (0–1, see
    /// [`Recommendation::confidence`](super::Recommendation::confidence)) reaches this; once one
    /// does, hits under half of it are still left out.
    pub min_confidence: f32,
    /// Score factor for articles not in the query's language.
    pub other_locale_factor: f32,
    /// Also search each query word as the words of a small billing table (`regning` → `faktura`,
    /// `flyttet` → `adresse`, Danish country names → English ones); see `search/expand.rs`.
    pub query_expansion: bool,
    /// When no article in the query's language is confident but one in the other language is,
    /// rank the other language's articles without [`SearchConfig::other_locale_factor`], so the
    /// answer comes first (marked [`Recommendation::cross_language`](super::Recommendation)).
    pub cross_language_fallback: bool,
}

impl SearchConfig {
    /// Faktura's configuration.
    pub fn tuned() -> SearchConfig {
        SearchConfig {
            language_analysis: true,
            typo_tolerance: true,
            shared_idf: true,
            title_boost: TITLE_BOOST,
            headings_boost: HEADINGS_BOOST,
            boilerplate_boost: BOILERPLATE_BOOST,
            boilerplate_min_articles: Some(3),
            // Calibrated on the labelled query sets (the large set's train split only) and
            // off-topic/gibberish queries with `examples/help_bench.rs`: "reset my password"
            // reaches 0.37 against the built-in articles, so 0.38 keeps it out while answering
            // more real questions than the earlier 0.4.
            min_confidence: 0.38,
            other_locale_factor: 0.5,
            query_expansion: true,
            cross_language_fallback: true,
        }
    }

    /// The baseline: same index and threshold, but plain lowercase words, no typo tolerance,
    /// no field weights, no boilerplate demotion, no query expansion and no cross-language
    /// fallback.
    pub fn plain() -> SearchConfig {
        SearchConfig {
            language_analysis: false,
            typo_tolerance: false,
            shared_idf: false,
            title_boost: 1.0,
            headings_boost: 1.0,
            boilerplate_boost: 1.0,
            boilerplate_min_articles: None,
            query_expansion: false,
            cross_language_fallback: false,
            ..SearchConfig::tuned()
        }
    }
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig::tuned()
    }
}

/// Field weights of the tuned configuration.
const TITLE_BOOST: f32 = 2.0;
const HEADINGS_BOOST: f32 = 1.5;
const BOILERPLATE_BOOST: f32 = 0.2;
