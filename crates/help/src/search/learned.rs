//! Learning from use: what customers answered to "Was this helpful?" and which article they
//! opened after a search move that article up or down, for the same kind of question, in this
//! deployment only.
//!
//! Questions are grouped by their **cluster key**: the distinct terms of the question as its
//! language analyzes them (stop words gone, stemmed, accents folded), sorted, with the language
//! in front: "Hvordan betaler jeg min faktura?" and "faktura betale" are both `da: betal faktur`.
//!
//! Each customer counts once per cluster and article (their last answer). The adjustment of an
//! article is bounded and can be explained in one line: `net = helpful − not helpful + opened / 2`
//! customers, and the article's ranking score is multiplied by `1 + clamp(STEP × net, −MAX, +MAX)`.
//! The confidence (and so the "nothing fits" threshold) is left alone: use can reorder answers,
//! it cannot make an unrelated article an answer.

use super::index::analyze;
use super::query::{truncate_chars, MAX_QUERY_CHARS};
use super::{Recommendation, Recommender, LANGUAGES};
use crate::lang::detect_language;
use faktura_domain::Locale;
use std::collections::HashMap;

/// Change of the score per customer of net approval.
pub const LEARNED_STEP: f32 = 0.15;
/// The largest boost or penalty: ±60 % of the score.
pub const LEARNED_MAX: f32 = 0.6;
/// An opened article counts this much of a "helpful" answer.
pub const OPENED_WEIGHT: f32 = 0.5;
/// Cluster keys are cut at this many terms and characters.
const MAX_CLUSTER_TERMS: usize = 24;
const MAX_CLUSTER_CHARS: usize = 300;

/// What this deployment's customers said about one article for one query cluster: how many
/// answered helpful, not helpful, and opened it from the results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Signals {
    pub helpful: u32,
    pub unhelpful: u32,
    pub opened: u32,
}

impl Signals {
    /// Net approval: helpful − not helpful + opened × [`OPENED_WEIGHT`].
    pub fn net(&self) -> f32 {
        self.helpful as f32 - self.unhelpful as f32 + OPENED_WEIGHT * self.opened as f32
    }

    /// The bounded adjustment, e.g. `0.3` for +30 %: `clamp(LEARNED_STEP × net, ±LEARNED_MAX)`.
    pub fn adjustment(&self) -> f32 {
        (LEARNED_STEP * self.net()).clamp(-LEARNED_MAX, LEARNED_MAX)
    }

    /// The adjustment in whole percent, for operators (`+30`, `-15`, `0`).
    pub fn percent(&self) -> i32 {
        (self.adjustment() * 100.0).round() as i32
    }
}

/// Learned adjustments of one cluster: article path (as in [`Recommendation::path`]) → signals.
pub type Learned = HashMap<String, Signals>;

impl Recommender {
    /// The cluster key of a question (see the module docs), or `None` when it has no term the
    /// analysis keeps. `locale` as for [`Recommender::recommend`]: the reader's language if
    /// known, else guessed from the text.
    pub fn query_cluster(&self, text: &str, locale: Option<Locale>) -> Option<String> {
        let text = truncate_chars(text, MAX_QUERY_CHARS);
        let language = locale
            .or_else(|| detect_language(text))
            .or_else(|| {
                let words: HashMap<Locale, _> = LANGUAGES
                    .iter()
                    .map(|&l| (l, self.query_words(l, text)))
                    .collect();
                self.locale_from_vocabulary(&words)
            })
            .unwrap_or(Locale::EnUs);
        let analyzer = self.analyzers.get(&language)?;
        let mut terms = analyze(analyzer, text);
        terms.sort();
        terms.dedup();
        terms.truncate(MAX_CLUSTER_TERMS);
        if terms.is_empty() {
            return None;
        }
        let mut key = format!("{}:", language.language());
        for term in terms {
            if key.len() + term.len() + 1 > MAX_CLUSTER_CHARS {
                break;
            }
            key.push(' ');
            key.push_str(&term);
        }
        Some(key)
    }

    /// [`Recommender::recommend`] with this deployment's learned adjustments for the question's
    /// cluster applied to the ranking (see the module docs).
    pub fn recommend_learned(
        &self,
        problem_text: &str,
        locale: Option<Locale>,
        limit: usize,
        learned: &Learned,
    ) -> Vec<Recommendation> {
        self.try_recommend_with(problem_text, locale, limit, learned)
            .unwrap_or_default()
    }

    /// Score factors of the ranked entries: `1 + adjustment` for those with signals.
    pub(super) fn learned_factors(&self, entries: &[usize], learned: &Learned) -> Vec<f32> {
        entries
            .iter()
            .map(|&entry| {
                learned
                    .get(&self.entries[entry].path)
                    .map_or(1.0, |s| 1.0 + s.adjustment())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjustment_is_bounded_and_explainable() {
        let none = Signals::default();
        assert_eq!(none.adjustment(), 0.0);
        let two_helpful = Signals {
            helpful: 2,
            ..Signals::default()
        };
        assert!((two_helpful.adjustment() - 0.3).abs() < 1e-6);
        assert_eq!(two_helpful.percent(), 30);
        let opened = Signals {
            opened: 2,
            ..Signals::default()
        };
        assert_eq!(opened.percent(), 15);
        let many = Signals {
            helpful: 100,
            ..Signals::default()
        };
        assert_eq!(many.percent(), 60);
        let rejected = Signals {
            unhelpful: 100,
            helpful: 1,
            opened: 1,
        };
        assert_eq!(rejected.percent(), -60);
        let mixed = Signals {
            helpful: 1,
            unhelpful: 1,
            opened: 0,
        };
        assert_eq!(mixed.percent(), 0);
    }
}
