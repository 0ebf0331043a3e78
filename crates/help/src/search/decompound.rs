//! Danish compounds on the article side (document expansion): `faktureringsadresse` is also
//! indexed as `fakturering adresse`, so a question that says "adressen på fakturaen" finds the
//! article that only ever writes the compound. The query side splits unknown compounds already
//! (`query.rs`); this is the other direction: known compounds whose parts the question uses.
//!
//! A word is split in two where both parts are words of the Danish articles themselves (each
//! found in at least [`MIN_PART_ARTICLES`] articles), allowing the linking letters `s` and `e`
//! (`betaling|s|kort`). The longest head (right part) that works wins.

use crate::article::Article;
use crate::markdown::Extracted;
use faktura_domain::Locale;
use std::collections::{HashMap, HashSet};

/// A part must be a word of at least this many Danish articles.
const MIN_PART_ARTICLES: u32 = 2;
/// The first part is at least this many characters, the head at least [`MIN_HEAD`].
const MIN_MODIFIER: usize = 3;
const MIN_HEAD: usize = 4;

pub(super) struct Splitter {
    /// Lowercase words of the Danish articles → in how many articles.
    words: HashMap<String, u32>,
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= MIN_MODIFIER && w.chars().all(char::is_alphabetic))
        .map(str::to_lowercase)
}

impl Splitter {
    pub(super) fn new(articles: &[Article], extracted: &[Extracted]) -> Splitter {
        let mut counts: HashMap<String, u32> = HashMap::new();
        for (article, parts) in articles.iter().zip(extracted) {
            if article.locale != Locale::DaDk {
                continue;
            }
            let mut seen: HashSet<String> = HashSet::new();
            let texts = std::iter::once(article.title.as_str())
                .chain(article.description.as_deref())
                .chain(parts.headings.iter().map(|h| h.text.as_str()))
                .chain(parts.blocks.iter().map(|b| b.text.as_str()));
            for text in texts {
                seen.extend(words(text));
            }
            for word in seen {
                *counts.entry(word).or_insert(0) += 1;
            }
        }
        counts.retain(|_, n| *n >= MIN_PART_ARTICLES);
        Splitter { words: counts }
    }

    fn known(&self, word: &str) -> bool {
        self.words.contains_key(word)
    }

    /// The two parts of a compound, if it is one.
    pub(super) fn split(&self, word: &str) -> Option<(String, String)> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < MIN_MODIFIER + MIN_HEAD {
            return None;
        }
        for at in MIN_MODIFIER..=chars.len() - MIN_HEAD {
            let head: String = chars[at..].iter().collect();
            if !self.known(&head) {
                continue;
            }
            let modifier: String = chars[..at].iter().collect();
            let linked = ["s", "e"]
                .iter()
                .filter_map(|link| modifier.strip_suffix(link))
                .filter(|m| m.chars().count() >= MIN_MODIFIER);
            if let Some(found) = std::iter::once(modifier.as_str())
                .chain(linked)
                .find(|m| self.known(m))
            {
                return Some((found.to_string(), head));
            }
        }
        None
    }

    /// The parts of every compound in `texts`, each distinct word once, space-separated.
    pub(super) fn parts_of(&self, texts: &[&str]) -> String {
        let mut seen: HashSet<String> = HashSet::new();
        let mut out = String::new();
        for text in texts {
            for word in words(text) {
                if !seen.insert(word.clone()) {
                    continue;
                }
                if let Some((modifier, head)) = self.split(&word) {
                    out.push_str(&modifier);
                    out.push(' ');
                    out.push_str(&head);
                    out.push('\n');
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn splitter(words: &[&str]) -> Splitter {
        Splitter {
            words: words.iter().map(|w| (w.to_string(), 2)).collect(),
        }
    }

    #[test]
    fn splits_with_and_without_linking_letters() {
        let s = splitter(&["fakturering", "adresse", "betaling", "kort", "kredit"]);
        assert_eq!(
            s.split("faktureringsadresse"),
            Some(("fakturering".into(), "adresse".into()))
        );
        assert_eq!(
            s.split("betalingskort"),
            Some(("betaling".into(), "kort".into()))
        );
        assert_eq!(
            s.split("kreditkort"),
            Some(("kredit".into(), "kort".into()))
        );
        assert_eq!(
            s.split("adresse"),
            None,
            "a known word alone is no compound"
        );
        assert_eq!(s.split("kortet"), None);
        assert_eq!(
            s.parts_of(&["Skift faktureringsadressen? Nej: faktureringsadresse"]),
            "fakturering adresse\n"
        );
    }
}
