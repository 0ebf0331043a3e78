//! The recommender: a tantivy index over the articles with Danish and English analysis,
//! typo tolerance, field weights, boilerplate demotion and a confidence threshold.
//!
//! Each language has its own fields (`title_da`, `body_en`, …) because tantivy picks the analyzer
//! per field. An article is indexed into its own language's fields; a query is analyzed once per
//! language and searched in both, so an English word in a Danish question still finds English
//! articles, while articles in the query's language are preferred.

use crate::article::{comparable, Article};
use crate::error::HelpError;
use crate::fuzzy::{Vocabulary, MIN_FUZZY_LEN};
use crate::lang::{detect_language, DANISH_STOP_WORDS, ENGLISH_STOP_WORDS};
use crate::markdown;
use faktura_domain::Locale;
use serde::{Serialize, Serializer};
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use tantivy::collector::TopDocs;
use tantivy::query::{Bm25StatisticsProvider, BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term,
};

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
    /// [`Recommendation::confidence`]) reaches this; once one does, hits under half of it are
    /// still left out.
    pub min_confidence: f32,
    /// Score factor for articles not in the query's language.
    pub other_locale_factor: f32,
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
            // Calibrated on the labelled query sets and off-topic/gibberish queries with
            // `examples/help_bench.rs`: every labelled query's best hit reaches 0.42, while
            // "reset my password" or "banana smoothie recipe" stay below 0.38.
            min_confidence: 0.4,
            other_locale_factor: 0.5,
        }
    }

    /// The baseline: same index and threshold, but plain lowercase words, no typo tolerance,
    /// no field weights and no boilerplate demotion.
    pub fn plain() -> SearchConfig {
        SearchConfig {
            language_analysis: false,
            typo_tolerance: false,
            shared_idf: false,
            title_boost: 1.0,
            headings_boost: 1.0,
            boilerplate_boost: 1.0,
            boilerplate_min_articles: None,
            ..SearchConfig::tuned()
        }
    }
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig::tuned()
    }
}

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
}

fn serialize_locale<S: Serializer>(locale: &Locale, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(locale.tag())
}

fn serialize_score<S: Serializer>(score: &f32, serializer: S) -> Result<S::Ok, S::Error> {
    // Three decimals are plenty for ordering and keep the JSON readable.
    serializer.serialize_f64((f64::from(*score) * 1000.0).round() / 1000.0)
}

/// Field weights of the tuned configuration.
const TITLE_BOOST: f32 = 2.0;
const HEADINGS_BOOST: f32 = 1.5;
const BOILERPLATE_BOOST: f32 = 0.2;
/// A corrected word scores this much of an exact one.
const TYPO_WEIGHT: f32 = 0.7;
/// ... and counts this much towards confidence: a correction is a guess.
const TYPO_CREDIT: f32 = 0.6;
/// A word found only in boilerplate counts this much towards confidence.
const BOILERPLATE_CREDIT: f32 = 0.3;
/// Unknown query words count this much of a rare word against confidence: a problem
/// description has words no article uses, and they should not sink a good match. All unknown
/// words together weigh at most as much as the known ones.
const UNKNOWN_WEIGHT: f32 = 0.5;
/// Once the best hit is confident, others are listed if their confidence reaches this share of
/// the threshold and their score this share of the best score.
const FOLLOWER_CONFIDENCE: f32 = 0.5;
const FOLLOWER_SCORE: f32 = 0.2;
/// A word split into two indexed words (Danish compounds: `kreditkort` → `kredit` + `kort`)
/// counts this much per part.
const COMPOUND_WEIGHT: f32 = 0.8;
/// Compound parts are at least this many characters.
const MIN_COMPOUND_PART: usize = 3;
/// Longer problem texts are cut here; the first words carry the topic.
const MAX_QUERY_CHARS: usize = 2000;
const MAX_QUERY_TERMS: usize = 48;

const LANGUAGES: [Locale; 2] = [Locale::EnUs, Locale::DaDk];

#[derive(Debug, Clone, Copy)]
struct LanguageFields {
    title: Field,
    headings: Field,
    body: Field,
    boilerplate: Field,
}

impl LanguageFields {
    fn weighted(&self, config: &SearchConfig) -> [(Field, f32); 4] {
        [
            (self.title, config.title_boost),
            (self.headings, config.headings_boost),
            (self.body, 1.0),
            (self.boilerplate, config.boilerplate_boost),
        ]
    }

    /// Fields that count fully towards confidence.
    fn content(&self) -> [Field; 3] {
        [self.title, self.headings, self.body]
    }
}

/// What the recommender keeps of each article.
#[derive(Debug, Clone)]
struct Entry {
    article: ArticleRef,
    path: String,
    title: String,
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

/// A query word after analysis in one language, with the indexed terms it is searched as.
#[derive(Debug)]
struct QueryWord {
    /// `(indexed term, weight)`: the word itself (1.0), its typo corrections or compound parts.
    terms: Vec<(String, f32)>,
    /// Rarity of the word: BM25's idf of its most specific term, or of an unseen word.
    idf: f32,
    known: bool,
    kind: WordKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordKind {
    Exact,
    Corrected,
    Compound,
    Unknown,
}

impl QueryWord {
    /// Weight in the confidence share: every word counts, rarer words more.
    fn weight(&self) -> f32 {
        1.0 + self.idf
    }
}

impl Recommender {
    /// Builds the index. Only fails if tantivy does, which for an in-memory index means a bug.
    pub fn build(articles: &[Article], config: SearchConfig) -> Result<Recommender, HelpError> {
        let mut schema_builder = Schema::builder();
        let mut fields = HashMap::new();
        for locale in LANGUAGES {
            let tokenizer = analyzer_name(locale, &config);
            let options = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqs),
            );
            let lang = locale.language();
            fields.insert(
                locale,
                LanguageFields {
                    title: schema_builder.add_text_field(&format!("title_{lang}"), options.clone()),
                    headings: schema_builder
                        .add_text_field(&format!("headings_{lang}"), options.clone()),
                    body: schema_builder.add_text_field(&format!("body_{lang}"), options.clone()),
                    boilerplate: schema_builder
                        .add_text_field(&format!("boilerplate_{lang}"), options),
                },
            );
        }
        let ord_field = schema_builder.add_u64_field("ord", FAST);
        let index = Index::create_in_ram(schema_builder.build());

        let mut analyzers = HashMap::new();
        for locale in LANGUAGES {
            let analyzer = build_analyzer(locale, &config);
            index
                .tokenizers()
                .register(analyzer_name(locale, &config), analyzer.clone());
            analyzers.insert(locale, analyzer);
        }

        let extracted: Vec<markdown::Extracted> = articles
            .iter()
            .map(|a| markdown::extract(&a.body_markdown))
            .collect();
        let boilerplate = config
            .boilerplate_min_articles
            .map(|min| boilerplate_blocks(&extracted, min))
            .unwrap_or_default();

        // Below a few hundred articles a second indexing thread only adds a segment to search.
        let threads = if articles.len() > 500 {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
        } else {
            1
        };
        let mut writer =
            index.writer_with_num_threads::<TantivyDocument>(threads, threads * 40_000_000)?;
        for (ord, (article, parts)) in articles.iter().zip(&extracted).enumerate() {
            let language_fields = fields
                .get(&article.locale)
                .copied()
                .ok_or_else(|| tantivy::TantivyError::InvalidArgument("locale".into()))?;
            let mut doc = TantivyDocument::default();
            doc.add_text(language_fields.title, &article.title);
            // The first heading usually repeats the title, which has its own field.
            let title_key = comparable(&article.title);
            let headings: Vec<&str> = parts
                .headings
                .iter()
                .filter(|h| comparable(&h.text) != title_key)
                .map(|h| h.text.as_str())
                .collect();
            doc.add_text(language_fields.headings, headings.join("\n"));
            let mut body = String::new();
            let mut boiler = String::new();
            if let Some(description) = &article.description {
                body.push_str(description);
                body.push('\n');
            }
            for block in &parts.blocks {
                // "See also" lists name other articles; boilerplate is shared by many. Both are
                // searchable, but count little.
                let demoted = config.boilerplate_min_articles.is_some()
                    && (block.link_only || boilerplate.contains(&block_key(&block.text)));
                let target = if demoted { &mut boiler } else { &mut body };
                target.push_str(&block.text);
                target.push('\n');
            }
            doc.add_text(language_fields.body, body);
            doc.add_text(language_fields.boilerplate, boiler);
            doc.add_u64(ord_field, ord as u64);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        // One segment: every query then walks each posting list once.
        let segments = index.searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
        }
        writer.wait_merging_threads()?;

        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();

        let mut doc_entries = Vec::new();
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("ord")?;
            let entries_here: Vec<u32> = (0..segment.max_doc())
                .map(|doc| column.first(doc).unwrap_or(0) as u32)
                .collect();
            doc_entries.push(entries_here);
        }

        let mut vocabularies = HashMap::new();
        for locale in LANGUAGES {
            let language_fields = fields[&locale];
            let mut terms: HashMap<String, u32> = HashMap::new();
            for segment in searcher.segment_readers() {
                for field in language_fields
                    .content()
                    .into_iter()
                    .chain([language_fields.boilerplate])
                {
                    let inverted = segment.inverted_index(field)?;
                    let mut stream = inverted.terms().stream()?;
                    while stream.advance() {
                        if let Ok(word) = std::str::from_utf8(stream.key()) {
                            let doc_freq = stream.value().doc_freq;
                            let entry = terms.entry(word.to_string()).or_insert(0);
                            *entry = (*entry).max(doc_freq);
                        }
                    }
                }
            }
            vocabularies.insert(locale, Vocabulary::new(terms, config.typo_tolerance));
        }

        let entries = articles
            .iter()
            .map(|a| Entry {
                article: ArticleRef {
                    locale: a.locale,
                    slug: a.slug.clone(),
                },
                path: a.path(),
                title: a.title.clone(),
            })
            .collect();

        Ok(Recommender {
            num_docs: searcher.num_docs(),
            config,
            searcher,
            _reader: reader,
            fields,
            analyzers,
            vocabularies,
            doc_entries,
            entries,
        })
    }

    /// An index with no articles: recommends nothing.
    pub fn empty(config: SearchConfig) -> Result<Recommender, HelpError> {
        Recommender::build(&[], config)
    }

    pub fn config(&self) -> &SearchConfig {
        &self.config
    }

    /// Articles that fit a problem description, best first, at most `limit`. `locale` is the
    /// reader's language if known; otherwise it is guessed from the text. Articles in that
    /// language are preferred. Returns nothing when no article fits confidently.
    pub fn recommend(
        &self,
        problem_text: &str,
        locale: Option<Locale>,
        limit: usize,
    ) -> Vec<Recommendation> {
        // The index is in memory and immutable, so a search error would be a bug; recommending
        // nothing is the safe answer for the help pane.
        self.try_recommend(problem_text, locale, limit)
            .unwrap_or_default()
    }

    fn try_recommend(
        &self,
        problem_text: &str,
        locale: Option<Locale>,
        limit: usize,
    ) -> Result<Vec<Recommendation>, HelpError> {
        if limit == 0 || self.entries.is_empty() {
            return Ok(Vec::new());
        }
        let text = truncate_chars(problem_text, MAX_QUERY_CHARS);
        let words: HashMap<Locale, Vec<QueryWord>> = LANGUAGES
            .iter()
            .map(|&l| (l, self.query_words(l, text)))
            .collect();
        let query_locale = locale
            .or_else(|| detect_language(text))
            .or_else(|| self.locale_from_vocabulary(&words));

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
            return Ok(Vec::new());
        }
        let query = BooleanQuery::new(clauses);
        let candidates = (limit * 4).max(20);
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

        let confidences = self.confidences(&ranked, &words)?;
        // The threshold decides whether anything fits at all; the ranking itself stays BM25's.
        // Once something fits, weaker hits may follow it if they are not far behind.
        let best = confidences.iter().copied().fold(0.0f32, f32::max);
        if best < self.config.min_confidence {
            return Ok(Vec::new());
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
            .map(|((score, _, entry), confidence)| {
                let entry = &self.entries[entry];
                Recommendation {
                    article: entry.article.clone(),
                    path: entry.path.clone(),
                    title: entry.title.clone(),
                    locale: entry.article.locale,
                    score,
                    confidence,
                }
            })
            .collect())
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
    fn query_words(&self, language: Locale, text: &str) -> Vec<QueryWord> {
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
        while stream.advance() {
            let token = stream.token().text.clone();
            if words.len() >= MAX_QUERY_TERMS || !seen.insert(token.clone()) {
                continue;
            }
            // Digits alone (amounts, years) say little about which article fits.
            if !token.chars().any(char::is_alphabetic) {
                continue;
            }
            let word = if let Some(doc_freq) = vocabulary.doc_freq(&token) {
                QueryWord {
                    terms: vec![(token, 1.0)],
                    idf: self.idf(doc_freq),
                    known: true,
                    kind: WordKind::Exact,
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
                    }
                } else {
                    QueryWord {
                        terms: Vec::new(),
                        idf: self.idf(0),
                        known: false,
                        kind: WordKind::Unknown,
                    }
                }
            };
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
    fn locale_from_vocabulary(&self, words: &HashMap<Locale, Vec<QueryWord>>) -> Option<Locale> {
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

    /// Confidence of each ranked hit: the idf-weighted share of the query's words (in the
    /// article's language) that the article contains.
    fn confidences(
        &self,
        ranked: &[(f32, DocAddress, usize)],
        words: &HashMap<Locale, Vec<QueryWord>>,
    ) -> Result<Vec<f32>, HelpError> {
        let mut result = vec![0.0; ranked.len()];
        // Postings are read once per segment and term; candidate docs are visited in order.
        let mut by_segment: HashMap<u32, Vec<(u32, usize)>> = HashMap::new();
        for (position, (_, address, _)) in ranked.iter().enumerate() {
            by_segment
                .entry(address.segment_ord)
                .or_default()
                .push((address.doc_id, position));
        }
        for (segment_ord, mut docs) in by_segment {
            docs.sort_unstable();
            let segment = self.searcher.segment_reader(segment_ord);
            for (&language, language_words) in words {
                let language_fields = self.fields[&language];
                let known: f32 = language_words
                    .iter()
                    .filter(|w| w.known)
                    .map(|w| w.weight())
                    .sum();
                let unknown: f32 = language_words
                    .iter()
                    .filter(|w| !w.known)
                    .map(|w| UNKNOWN_WEIGHT * w.weight())
                    .sum();
                let total = known + unknown.min(known);
                if known <= 0.0 {
                    continue;
                }
                let mut matched = vec![0.0f32; docs.len()];
                for word in language_words.iter().filter(|w| w.known) {
                    // Per term: the best field it occurs in, for each candidate.
                    let mut found = vec![vec![0.0f32; docs.len()]; word.terms.len()];
                    for (t, (term_text, _)) in word.terms.iter().enumerate() {
                        for (field, field_credit) in language_fields
                            .content()
                            .into_iter()
                            .map(|f| (f, 1.0))
                            .chain([(language_fields.boilerplate, BOILERPLATE_CREDIT)])
                        {
                            let inverted = segment.inverted_index(field)?;
                            let term = Term::from_field_text(field, term_text);
                            let Some(mut postings) =
                                inverted.read_postings(&term, IndexRecordOption::Basic)?
                            else {
                                continue;
                            };
                            for (i, &(doc, _)) in docs.iter().enumerate() {
                                let current = postings.doc();
                                let contains =
                                    current == doc || (current < doc && postings.seek(doc) == doc);
                                if contains {
                                    found[t][i] = found[t][i].max(field_credit);
                                }
                            }
                        }
                    }
                    for (i, m) in matched.iter_mut().enumerate() {
                        let credit = match word.kind {
                            WordKind::Exact => found[0][i],
                            // Any one correction will do; it is still a guess.
                            WordKind::Corrected => {
                                TYPO_CREDIT * found.iter().map(|f| f[i]).fold(0.0, f32::max)
                            }
                            // A compound needs all its parts.
                            WordKind::Compound => {
                                COMPOUND_WEIGHT * found.iter().map(|f| f[i]).sum::<f32>()
                                    / found.len().max(1) as f32
                            }
                            WordKind::Unknown => 0.0,
                        };
                        *m += credit * word.weight();
                    }
                }
                for (i, &(_, position)) in docs.iter().enumerate() {
                    let entry = ranked[position].2;
                    if self.entries[entry].article.locale == language {
                        result[position] = (matched[i] / total).min(1.0);
                    }
                }
            }
        }
        Ok(result)
    }
}

/// BM25 statistics where a term's document frequency is its frequency over all of a language's
/// fields, so every field scores a word by the same rarity.
struct SharedIdf<'a> {
    recommender: &'a Recommender,
}

impl Bm25StatisticsProvider for SharedIdf<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.recommender.searcher.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.recommender.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let language = self
            .recommender
            .fields
            .iter()
            .find(|(_, f)| f.content().contains(&term.field()) || f.boilerplate == term.field())
            .map(|(l, _)| *l);
        let shared = language
            .and_then(|l| self.recommender.vocabularies.get(&l))
            .zip(term.value().as_str())
            .and_then(|(vocabulary, text)| vocabulary.doc_freq(text));
        match shared {
            Some(doc_freq) => Ok(u64::from(doc_freq)),
            None => self.recommender.searcher.doc_freq(term),
        }
    }
}

fn analyzer_name(locale: Locale, config: &SearchConfig) -> &'static str {
    match (config.language_analysis, locale) {
        (false, _) => "faktura_plain",
        (true, Locale::DaDk) => "faktura_da",
        (true, Locale::EnUs) => "faktura_en",
    }
}

/// Danish or English analysis: words, lowercased, stop words removed, stemmed, then accents
/// folded so `losning` finds `løsning`. Stop words and stemming run before folding because both
/// expect the real spelling. The plain analyzer only splits and lowercases.
fn build_analyzer(locale: Locale, config: &SearchConfig) -> TextAnalyzer {
    if !config.language_analysis {
        return TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build();
    }
    let (stop_words, language) = match locale {
        Locale::DaDk => (DANISH_STOP_WORDS, Language::Danish),
        Locale::EnUs => (ENGLISH_STOP_WORDS, Language::English),
    };
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(
            stop_words.iter().map(|w| w.to_string()),
        ))
        .filter(Stemmer::new(language))
        .filter(AsciiFoldingFilter)
        .build()
}

/// Identity of a paragraph for boilerplate detection: its words, lowercased.
fn block_key(block: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    for word in block
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        word.to_lowercase().hash(&mut hasher);
    }
    hasher.finish()
}

/// Paragraphs that occur in at least `min_articles` different articles.
fn boilerplate_blocks(extracted: &[markdown::Extracted], min_articles: usize) -> HashSet<u64> {
    let mut counts: HashMap<u64, (usize, usize)> = HashMap::new();
    for (article, parts) in extracted.iter().enumerate() {
        for block in &parts.blocks {
            let (count, last) = counts
                .entry(block_key(&block.text))
                .or_insert((0, usize::MAX));
            // Count each article once even if it repeats the paragraph.
            if *last != article {
                *count += 1;
                *last = article;
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, (count, _))| *count >= min_articles.max(2))
        .map(|(key, _)| key)
        .collect()
}

fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::ArticleSource;

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
        };
        let json = serde_json::to_value(&recommendation).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"path": "builtin:x", "title": "X", "locale": "da-DK", "score": 1.235})
        );
    }
}
