//! Scoring: the confidence that a hit fits the query, and BM25 statistics shared across a
//! language's fields.

use super::query::{QueryWord, WordKind, COMPOUND_WEIGHT, EXPANSION_WEIGHT};
use super::Recommender;
use crate::error::HelpError;
use faktura_domain::Locale;
use std::collections::HashMap;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Term};

/// A corrected word counts this much towards confidence: a correction is a guess.
const TYPO_CREDIT: f32 = 0.6;
/// Unknown query words count this much of a rare word against confidence: a problem
/// description has words no article uses, and they should not sink a good match. All unknown
/// words together weigh at most as much as the known ones.
const UNKNOWN_WEIGHT: f32 = 0.5;
/// A word of the question's language that the other language does not know counts this much
/// of a rare word against that language's articles (fair cross-language confidence).
const FOREIGN_WEIGHT: f32 = 0.25;
/// In the other language, an expansion is a translation and gets this much credit (instead of
/// [`EXPANSION_WEIGHT`]) with fair cross-language confidence.
const TRANSLATION_CREDIT: f32 = 0.8;

impl Recommender {
    /// Confidence of each ranked hit: the idf-weighted share of the query's words (in the
    /// article's language) that the article contains.
    pub(super) fn confidences(
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
                    .map(|w| {
                        let share = if w.foreign {
                            FOREIGN_WEIGHT
                        } else {
                            UNKNOWN_WEIGHT
                        };
                        share * w.weight()
                    })
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
                            .chain(language_fields.partial())
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
                    let (own, expanded) = found.split_at(word.expanded_from.min(found.len()));
                    for (i, m) in matched.iter_mut().enumerate() {
                        let credit = match word.kind {
                            WordKind::Exact => own.first().map_or(0.0, |f| f[i]),
                            // Any one correction will do; it is still a guess.
                            WordKind::Corrected => {
                                TYPO_CREDIT * own.iter().map(|f| f[i]).fold(0.0, f32::max)
                            }
                            // A compound needs all its parts.
                            WordKind::Compound => {
                                COMPOUND_WEIGHT * own.iter().map(|f| f[i]).sum::<f32>()
                                    / own.len().max(1) as f32
                            }
                            WordKind::Expanded | WordKind::Unknown => 0.0,
                        };
                        // Any one expansion will do, for part of the credit.
                        let expansion_credit = if word.translated {
                            TRANSLATION_CREDIT
                        } else {
                            EXPANSION_WEIGHT
                        };
                        let via_expansion =
                            expansion_credit * expanded.iter().map(|f| f[i]).fold(0.0, f32::max);
                        *m += credit.max(via_expansion) * word.weight();
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
pub(super) struct SharedIdf<'a> {
    pub(super) recommender: &'a Recommender,
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
            .find(|(_, f)| {
                f.content().contains(&term.field())
                    || f.partial().iter().any(|(p, _)| *p == term.field())
            })
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
