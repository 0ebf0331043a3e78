//! Answering a query: analyzing it per language (typo corrections, compound parts), searching
//! both languages' fields, ranking, and applying the confidence threshold.

use super::learned::Learned;
use super::scoring::SharedIdf;
use super::{Recommendation, Recommender, LANGUAGES, MAYBE_COUNT};
use crate::error::HelpError;
use crate::fuzzy::{Vocabulary, MIN_FUZZY_LEN};
use crate::lang::{detect_language, DANISH_STOP_WORDS, ENGLISH_STOP_WORDS};
use faktura_domain::Locale;
use std::collections::{HashMap, HashSet};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

/// A corrected word scores this much of an exact one.
const TYPO_WEIGHT: f32 = 0.7;
/// A word's expansion (see `expand.rs`) scores this much of the word itself.
pub(super) const EXPANSION_WEIGHT: f32 = 0.4;
/// Once the best hit is confident, others are listed if their confidence reaches this share of
/// the threshold and their score this share of the best score.
const FOLLOWER_CONFIDENCE: f32 = 0.5;
const FOLLOWER_SCORE: f32 = 0.2;
/// A word split into two indexed words (Danish compounds: `kreditkort` → `kredit` + `kort`)
/// counts this much per part.
pub(super) const COMPOUND_WEIGHT: f32 = 0.8;
/// Compound parts are at least this many characters.
const MIN_COMPOUND_PART: usize = 3;
/// Hits scored for confidence and re-ranked, at least.
const MIN_CANDIDATES: usize = 40;
/// Longer problem texts are cut here; the first words carry the topic.
pub(super) const MAX_QUERY_CHARS: usize = 2000;
const MAX_QUERY_TERMS: usize = 48;

/// A query's ranked candidate pool: `(score, address, entry)` best first, each hit's confidence,
/// and the language the query was taken to be in.
struct Ranked {
    hits: Vec<(f32, DocAddress, usize)>,
    confidences: Vec<f32>,
    query_locale: Option<Locale>,
}

/// A query word after analysis in one language, with the indexed terms it is searched as.
#[derive(Debug)]
pub(super) struct QueryWord {
    /// `(indexed term, weight)`: the word itself (1.0), its typo corrections or compound parts.
    pub(super) terms: Vec<(String, f32)>,
    /// Rarity of the word: BM25's idf of its most specific term, or of an unseen word.
    pub(super) idf: f32,
    pub(super) known: bool,
    pub(super) kind: WordKind,
    /// `terms[expanded_from..]` come from query expansion, not from the word itself.
    pub(super) expanded_from: usize,
    /// The word as typed, lowercased.
    pub(super) typed: String,
    /// Searched in the other language than the question's, and unknown there but known in the
    /// question's own: a word of the question's language, not a missing topic (see
    /// [`SearchConfig::fair_cross_language`](super::SearchConfig)).
    pub(super) foreign: bool,
    /// Searched in the other language: expansions are translations there.
    pub(super) translated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WordKind {
    Exact,
    Corrected,
    Compound,
    /// Not in the index itself; found only through its expansion.
    Expanded,
    Unknown,
}

impl QueryWord {
    /// Weight in the confidence share: every word counts, rarer words more.
    pub(super) fn weight(&self) -> f32 {
        1.0 + self.idf
    }
}

impl Recommender {
    /// The candidate pool of a query, ranked (BM25, language factor, cross-language fallback,
    /// re-ranking, learned adjustments), with each hit's confidence; before the threshold.
    fn rank(
        &self,
        problem_text: &str,
        locale: Option<Locale>,
        limit: usize,
        learned: &Learned,
    ) -> Result<Option<Ranked>, HelpError> {
        if limit == 0 || self.entries.is_empty() {
            return Ok(None);
        }
        let text = truncate_chars(problem_text, MAX_QUERY_CHARS);
        let words: HashMap<Locale, Vec<QueryWord>> = LANGUAGES
            .iter()
            .map(|&l| (l, self.query_words(l, text)))
            .collect();
        let mut words = words;
        let query_locale = locale
            .or_else(|| detect_language(text))
            .or_else(|| self.locale_from_vocabulary(&words));
        if let Some(query_locale) = query_locale.filter(|_| self.config.fair_cross_language) {
            mark_foreign_words(query_locale, &mut words);
        }

        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (&language, language_words) in &words {
            let language_fields = self.fields[&language];
            for word in language_words {
                for (term_text, weight) in &word.terms {
                    for (field, boost) in language_fields.weighted(&self.config) {
                        let term = Term::from_field_text(field, term_text);
                        let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
                        clauses.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(query), boost * weight)),
                        ));
                    }
                }
            }
        }
        if clauses.is_empty() {
            return Ok(None);
        }
        let query = BooleanQuery::new(clauses);
        // Re-ranking and the cross-language fallback look at the same pool whatever the limit.
        let candidates = (limit * 4).max(MIN_CANDIDATES);
        let collector = TopDocs::with_limit(candidates).order_by_score();
        let hits = if self.config.shared_idf {
            let statistics = SharedIdf { recommender: self };
            self.searcher
                .search_with_statistics_provider(&query, &collector, &statistics)?
        } else {
            self.searcher.search(&query, &collector)?
        };

        let mut ranked: Vec<(f32, DocAddress, usize)> = hits
            .into_iter()
            .filter_map(|(score, address)| {
                let entry = *self
                    .doc_entries
                    .get(address.segment_ord as usize)?
                    .get(address.doc_id as usize)? as usize;
                let article_locale = self.entries.get(entry)?.article.locale;
                let factor = match query_locale {
                    Some(q) if q != article_locale => self.config.other_locale_factor,
                    _ => 1.0,
                };
                Some((score * factor, address, entry))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));

        let mut confidences = self.confidences(&ranked, &words)?;
        if let Some(query_locale) = query_locale.filter(|_| self.config.cross_language_fallback) {
            self.fall_back_across_languages(query_locale, &mut ranked, &mut confidences);
        }
        if self.config.coverage_rerank > 0.0
            || self.config.title_rerank > 0.0
            || self.config.scope_penalty < 1.0
        {
            let typed = typed_words(text);
            let factors: Vec<f32> = ranked
                .iter()
                .zip(&confidences)
                .map(|((_, _, entry), confidence)| {
                    let entry = &self.entries[*entry];
                    let title = self.title_share(entry, &words);
                    let scope = if out_of_scope(&entry.article.slug, &typed) {
                        self.config.scope_penalty
                    } else {
                        1.0
                    };
                    (1.0 + self.config.coverage_rerank * confidence)
                        * (1.0 + self.config.title_rerank * title)
                        * scope
                })
                .collect();
            rerank(&factors, &mut ranked, &mut confidences);
        }
        // What this deployment's customers said about answers to this kind of question.
        if !learned.is_empty() {
            let entries: Vec<usize> = ranked.iter().map(|r| r.2).collect();
            let factors = self.learned_factors(&entries, learned);
            rerank(&factors, &mut ranked, &mut confidences);
        }
        Ok(Some(Ranked {
            hits: ranked,
            confidences,
            query_locale,
        }))
    }

    /// Every candidate of the pool as ranked before the threshold, with its confidence (for
    /// the benchmark's rank dumps and fusion experiments).
    #[doc(hidden)]
    pub fn candidates(&self, problem_text: &str, locale: Option<Locale>) -> Vec<Recommendation> {
        let Ok(Some(ranked)) = self.rank(problem_text, locale, 1, &Learned::new()) else {
            return Vec::new();
        };
        let query_locale = ranked.query_locale;
        ranked
            .hits
            .into_iter()
            .zip(ranked.confidences)
            .map(|(hit, confidence)| self.recommendation(hit, confidence, false, query_locale))
            .collect()
    }

    fn recommendation(
        &self,
        (score, _, entry): (f32, DocAddress, usize),
        confidence: f32,
        maybe: bool,
        query_locale: Option<Locale>,
    ) -> Recommendation {
        let entry = &self.entries[entry];
        Recommendation {
            article: entry.article.clone(),
            path: entry.path.clone(),
            title: entry.title.clone(),
            locale: entry.article.locale,
            score,
            confidence,
            cross_language: query_locale.is_some_and(|q| q != entry.article.locale),
            maybe,
        }
    }

    pub(super) fn try_recommend_with(
        &self,
        problem_text: &str,
        locale: Option<Locale>,
        limit: usize,
        learned: &Learned,
    ) -> Result<Vec<Recommendation>, HelpError> {
        let Some(Ranked {
            hits: ranked,
            confidences,
            query_locale,
        }) = self.rank(problem_text, locale, limit, learned)?
        else {
            return Ok(Vec::new());
        };
        let recommendation =
            |hit, confidence, maybe| self.recommendation(hit, confidence, maybe, query_locale);
        // The threshold decides whether anything fits at all. Once something fits, weaker hits
        // may follow it if they are not far behind. When nothing fits, the best two may still
        // be offered as "maybe", unless even they share next to nothing with the question.
        let best = confidences.iter().copied().fold(0.0f32, f32::max);
        if best < self.config.min_confidence {
            let Some(floor) = self.config.maybe_min_confidence else {
                return Ok(Vec::new());
            };
            if best < floor {
                return Ok(Vec::new());
            }
            return Ok(ranked
                .into_iter()
                .zip(confidences)
                .filter(|(_, confidence)| *confidence >= floor * FOLLOWER_CONFIDENCE)
                .take(limit.min(MAYBE_COUNT))
                .map(|(hit, confidence)| recommendation(hit, confidence, true))
                .collect());
        }
        let top_score = ranked.first().map_or(0.0, |r| r.0);
        Ok(ranked
            .into_iter()
            .zip(confidences)
            .filter(|((score, _, _), confidence)| {
                *confidence >= self.config.min_confidence * FOLLOWER_CONFIDENCE
                    && *score >= top_score * FOLLOWER_SCORE
            })
            .take(limit)
            .map(|(hit, confidence)| recommendation(hit, confidence, false))
            .collect())
    }

    /// Share of the entry's title terms that the query has (in the entry's language), counting
    /// every term a query word is searched as.
    fn title_share(&self, entry: &super::Entry, words: &HashMap<Locale, Vec<QueryWord>>) -> f32 {
        if entry.title_terms.is_empty() {
            return 0.0;
        }
        let Some(language_words) = words.get(&entry.article.locale) else {
            return 0.0;
        };
        let found = entry
            .title_terms
            .iter()
            .filter(|t| {
                language_words
                    .iter()
                    .any(|w| w.terms.iter().any(|(term, _)| term == *t))
            })
            .count();
        found as f32 / entry.title_terms.len() as f32
    }

    /// When no hit in the query's language reaches the threshold but one in the other language
    /// does, the other language's hits lose their score penalty and the ranking is redone, so
    /// the article that fits comes first.
    fn fall_back_across_languages(
        &self,
        query_locale: Locale,
        ranked: &mut Vec<(f32, DocAddress, usize)>,
        confidences: &mut Vec<f32>,
    ) {
        let best = |same: bool| {
            ranked
                .iter()
                .zip(confidences.iter())
                .filter(|((_, _, entry), _)| {
                    (self.entries[*entry].article.locale == query_locale) == same
                })
                .map(|(_, &c)| c)
                .fold(0.0f32, f32::max)
        };
        let threshold = self.config.min_confidence;
        let (same, other) = (best(true), best(false));
        // The other language's article must fit, and fit clearly better than the best in the
        // reader's language (which may reach the threshold on one common word).
        let clearly_better = self
            .config
            .cross_language_margin
            .is_some_and(|margin| other >= same + margin);
        if other < threshold || (same >= threshold && !clearly_better) {
            return;
        }
        let factor = self.config.other_locale_factor.max(f32::EPSILON);
        let mut both: Vec<((f32, DocAddress, usize), f32)> =
            ranked.drain(..).zip(confidences.drain(..)).collect();
        for ((score, _, entry), _) in &mut both {
            if self.entries[*entry].article.locale != query_locale {
                *score /= factor;
            }
        }
        both.sort_by(|a, b| b.0 .0.total_cmp(&a.0 .0).then(a.0 .2.cmp(&b.0 .2)));
        for (hit, confidence) in both {
            ranked.push(hit);
            confidences.push(confidence);
        }
    }

    /// The query as the index sees it, per language: `word(idf)` or `~correction(idf)` or
    /// `?unknown`. For tuning and bug reports.
    #[doc(hidden)]
    pub fn describe_query(&self, text: &str) -> String {
        let mut out = String::new();
        for language in LANGUAGES {
            out.push_str(language.tag());
            out.push(':');
            for word in self.query_words(language, text) {
                out.push(' ');
                if !word.known {
                    out.push('?');
                }
                let terms: Vec<String> = word
                    .terms
                    .iter()
                    .map(|(t, w)| if *w < 1.0 { format!("~{t}") } else { t.clone() })
                    .collect();
                out.push_str(&format!("{}({:.1})", terms.join("|"), word.idf));
            }
            out.push('\n');
        }
        out
    }

    /// Analyzes the query in one language: each distinct word, its corrections, its rarity.
    pub(super) fn query_words(&self, language: Locale, text: &str) -> Vec<QueryWord> {
        let Some(analyzer) = self.analyzers.get(&language) else {
            return Vec::new();
        };
        let Some(vocabulary) = self.vocabularies.get(&language) else {
            return Vec::new();
        };
        let mut analyzer = analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        let mut seen = HashSet::new();
        let mut words = Vec::new();
        let expansions = self.expansions.get(&language);
        while stream.advance() {
            let token = stream.token().text.clone();
            let typed = text
                .get(stream.token().offset_from..stream.token().offset_to)
                .unwrap_or("")
                .to_lowercase();
            if words.len() >= MAX_QUERY_TERMS || !seen.insert(token.clone()) {
                continue;
            }
            // Digits alone (amounts, years) say little about which article fits.
            if !token.chars().any(char::is_alphabetic) {
                continue;
            }
            let mut word = if let Some(doc_freq) = vocabulary.doc_freq(&token) {
                QueryWord {
                    terms: vec![(token, 1.0)],
                    idf: self.idf(doc_freq),
                    known: true,
                    kind: WordKind::Exact,
                    expanded_from: 0,
                    typed: typed.clone(),
                    foreign: false,
                    translated: false,
                }
            } else {
                let corrections =
                    if self.config.typo_tolerance && token.chars().count() >= MIN_FUZZY_LEN {
                        vocabulary.corrections(&token)
                    } else {
                        Vec::new()
                    };
                let parts = if corrections.is_empty() {
                    self.compound_parts(&token, vocabulary)
                } else {
                    Vec::new()
                };
                if !corrections.is_empty() {
                    let rarest = corrections
                        .iter()
                        .filter_map(|c| vocabulary.doc_freq(c))
                        .min()
                        .unwrap_or(0);
                    QueryWord {
                        terms: corrections.into_iter().map(|c| (c, TYPO_WEIGHT)).collect(),
                        idf: self.idf(rarest),
                        known: true,
                        kind: WordKind::Corrected,
                        expanded_from: 0,
                        typed: typed.clone(),
                        foreign: false,
                        translated: false,
                    }
                } else if !parts.is_empty() {
                    let rarest = parts
                        .iter()
                        .filter_map(|c| vocabulary.doc_freq(c))
                        .min()
                        .unwrap_or(0);
                    QueryWord {
                        terms: parts.into_iter().map(|c| (c, COMPOUND_WEIGHT)).collect(),
                        idf: self.idf(rarest),
                        known: true,
                        kind: WordKind::Compound,
                        expanded_from: 0,
                        typed: typed.clone(),
                        foreign: false,
                        translated: false,
                    }
                } else {
                    QueryWord {
                        terms: Vec::new(),
                        idf: self.idf(0),
                        known: false,
                        kind: WordKind::Unknown,
                        expanded_from: 0,
                        typed: typed.clone(),
                        foreign: false,
                        translated: false,
                    }
                }
            };
            word.expanded_from = word.terms.len();
            let extra: Vec<String> = expansions
                .map(|e| e.for_word(&typed))
                .unwrap_or_default()
                .into_iter()
                .filter(|t| !word.terms.iter().any(|(own, _)| own == t))
                .collect();
            if !extra.is_empty() {
                if !word.known {
                    let rarest = extra
                        .iter()
                        .filter_map(|t| vocabulary.doc_freq(t))
                        .min()
                        .unwrap_or(0);
                    word.idf = self.idf(rarest);
                    word.known = true;
                    word.kind = WordKind::Expanded;
                }
                word.terms
                    .extend(extra.into_iter().map(|t| (t, EXPANSION_WEIGHT)));
            }
            words.push(word);
        }
        words
    }

    /// Splits an unknown compound into two indexed words, longest first part first, allowing
    /// Danish linking letters (`betalings|kort`). Only with language analysis: the plain baseline
    /// matches whole words.
    fn compound_parts(&self, token: &str, vocabulary: &Vocabulary) -> Vec<String> {
        if !self.config.language_analysis {
            return Vec::new();
        }
        let chars: Vec<char> = token.chars().collect();
        if chars.len() < 2 * MIN_COMPOUND_PART + 1 {
            return Vec::new();
        }
        for split in (MIN_COMPOUND_PART..=chars.len() - MIN_COMPOUND_PART).rev() {
            let left: String = chars[..split].iter().collect();
            let right: String = chars[split..].iter().collect();
            if vocabulary.doc_freq(&right).is_none() {
                continue;
            }
            let linked = ["s", "e"]
                .iter()
                .filter_map(|link| left.strip_suffix(link))
                .filter(|l| l.chars().count() >= MIN_COMPOUND_PART);
            if let Some(left) = std::iter::once(left.as_str())
                .chain(linked)
                .find(|l| vocabulary.doc_freq(l).is_some())
            {
                return vec![left.to_string(), right];
            }
        }
        Vec::new()
    }

    /// When the text itself gives no hint, the language whose articles know more of its words.
    pub(super) fn locale_from_vocabulary(
        &self,
        words: &HashMap<Locale, Vec<QueryWord>>,
    ) -> Option<Locale> {
        let exact = |l: Locale| {
            words.get(&l).map_or(0, |ws| {
                ws.iter()
                    .filter(|w| w.known && w.terms.iter().all(|t| t.1 >= 1.0))
                    .count()
            })
        };
        let (english, danish) = (exact(Locale::EnUs), exact(Locale::DaDk));
        match english.cmp(&danish) {
            std::cmp::Ordering::Greater => Some(Locale::EnUs),
            std::cmp::Ordering::Less => Some(Locale::DaDk),
            std::cmp::Ordering::Equal => None,
        }
    }

    fn idf(&self, doc_freq: u32) -> f32 {
        let n = self.num_docs.max(1) as f32;
        let df = doc_freq as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }
}

/// Products and editions that make an article a variant for one setting (Azure, an MCA, the
/// legacy web direct portal, Teams, a Mac …), as its slug names them.
const SCOPE_MARKERS: &[&str] = &[
    "azure",
    "mca",
    "legacy",
    "wd",
    "modern",
    "teams",
    "bing",
    "sharepoint",
    "onedrive",
    "yammer",
    "intune",
    "visio",
    "dynamics",
    "exchange",
    "mac",
    "mscommerce",
    "shared",
];

/// The question's words, lowercased.
fn typed_words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether the article's slug names a product or edition (see [`SCOPE_MARKERS`]) that the
/// question does not mention: a variant for another setting than the one asked about.
fn out_of_scope(slug: &str, typed: &HashSet<String>) -> bool {
    slug.split('-')
        .any(|w| SCOPE_MARKERS.contains(&w) && !typed.iter().any(|t| t.starts_with(w)))
}

/// Fair confidence across languages: in the other language's analysis of the question, the
/// question language's stop words are dropped, words that only the question's language knows
/// are marked foreign (they count less against the other language's articles), and
/// expansions are marked as translations.
fn mark_foreign_words(query_locale: Locale, words: &mut HashMap<Locale, Vec<QueryWord>>) {
    let own_known: HashSet<String> = words
        .get(&query_locale)
        .map(|ws| {
            ws.iter()
                .filter(|w| w.known && w.kind != WordKind::Expanded)
                .map(|w| w.typed.clone())
                .collect()
        })
        .unwrap_or_default();
    let stop_words = match query_locale {
        Locale::DaDk => DANISH_STOP_WORDS,
        Locale::EnUs => ENGLISH_STOP_WORDS,
    };
    for (&language, language_words) in words.iter_mut() {
        if language == query_locale {
            continue;
        }
        language_words.retain(|w| w.known || !stop_words.contains(&w.typed.as_str()));
        for word in language_words.iter_mut() {
            word.translated = true;
            word.foreign = !word.known && own_known.contains(&word.typed);
        }
    }
}

/// Multiplies each hit's score by its factor and sorts again (ties keep the article order).
fn rerank(factors: &[f32], ranked: &mut Vec<(f32, DocAddress, usize)>, confidences: &mut Vec<f32>) {
    let mut both: Vec<((f32, DocAddress, usize), f32)> =
        ranked.drain(..).zip(confidences.drain(..)).collect();
    for (((score, _, _), _), factor) in both.iter_mut().zip(factors) {
        *score *= factor;
    }
    both.sort_by(|a, b| b.0 .0.total_cmp(&a.0 .0).then(a.0 .2.cmp(&b.0 .2)));
    for (hit, confidence) in both {
        ranked.push(hit);
        confidences.push(confidence);
    }
}

pub(super) fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}
