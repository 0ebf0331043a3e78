//! Building the index: the schema with per-language fields, the analyzers, boilerplate
//! detection and the vocabularies used for typo tolerance.

use super::decompound;
use super::expand::Expansions;
use super::{ArticleRef, Entry, LanguageFields, Recommender, SearchConfig, LANGUAGES};
use crate::article::{comparable, Article};
use crate::error::HelpError;
use crate::fuzzy::Vocabulary;
use crate::lang::{DANISH_STOP_WORDS, ENGLISH_STOP_WORDS};
use crate::markdown;
use faktura_domain::Locale;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, ReloadPolicy, TantivyDocument};

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
                        .add_text_field(&format!("boilerplate_{lang}"), options.clone()),
                    keywords: schema_builder
                        .add_text_field(&format!("keywords_{lang}"), options.clone()),
                    parts: schema_builder.add_text_field(&format!("parts_{lang}"), options),
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

        let splitter = config
            .compound_parts_boost
            .map(|_| decompound::Splitter::new(articles, &extracted));

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
            if let Some(splitter) = splitter.as_ref().filter(|_| article.locale == Locale::DaDk) {
                let text = [article.title.as_str(), &headings.join("\n"), &body];
                doc.add_text(language_fields.parts, splitter.parts_of(&text));
            }
            doc.add_text(language_fields.body, body);
            doc.add_text(language_fields.boilerplate, boiler);
            if config.keywords_boost.is_some() {
                doc.add_text(language_fields.keywords, slug_words(&article.slug));
            }
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
                    .chain(language_fields.partial().map(|(f, _)| f))
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

        let mut expansions = HashMap::new();
        if config.query_expansion {
            for locale in LANGUAGES {
                if let (Some(analyzer), Some(vocabulary)) =
                    (analyzers.get(&locale), vocabularies.get(&locale))
                {
                    let table = Expansions::new(locale, analyzer, |term| {
                        vocabulary.doc_freq(term).is_some()
                    });
                    expansions.insert(locale, table);
                }
            }
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
                title_terms: analyzers
                    .get(&a.locale)
                    .map(|analyzer| analyze(analyzer, &a.title))
                    .unwrap_or_default(),
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
            expansions,
            doc_entries,
            entries,
        })
    }
}

/// The distinct terms of `text` after analysis.
pub(super) fn analyze(analyzer: &TextAnalyzer, text: &str) -> Vec<String> {
    let mut analyzer = analyzer.clone();
    let mut stream = analyzer.token_stream(text);
    let mut terms: Vec<String> = Vec::new();
    while stream.advance() {
        let term = &stream.token().text;
        if term.chars().any(char::is_alphabetic) && !terms.contains(term) {
            terms.push(term.clone());
        }
    }
    terms
}

/// The words of a slug: `payment-was-declined-2` → `payment was declined`. Numbers that only tell
/// near-duplicate files apart are left out.
pub(super) fn slug_words(slug: &str) -> String {
    slug.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect::<Vec<_>>()
        .join(" ")
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
pub(super) fn block_key(block: &str) -> u64 {
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
pub(super) fn boilerplate_blocks(
    extracted: &[markdown::Extracted],
    min_articles: usize,
) -> HashSet<u64> {
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
