//! Typo tolerance: finds indexed terms one edit away from a query term (insert, delete, substitute,
//! or swap two neighbours), with a symmetric-delete table built once at index time.
//!
//! Looking terms up here and then querying them as ordinary terms keeps BM25 scoring for typo
//! matches; tantivy's own fuzzy query scores every match the same.

use std::collections::HashMap;

/// Shortest query term (in characters) that is corrected: shorter words have too many neighbours.
pub(crate) const MIN_FUZZY_LEN: usize = 4;
/// Below this length only swapped neighbours are corrected (`fkat` → `fakt`): one changed letter
/// turns a short word into another real word too often (`test` → `tekst`, `klok` → `klik`).
const MIN_ANY_EDIT_LEN: usize = 5;
/// At most this many corrections per query term, most frequent first.
const MAX_CANDIDATES: usize = 3;

#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    /// Indexed term → number of articles containing it (in any field of the language).
    terms: HashMap<String, u32>,
    /// Term with one character deleted → indexes into `words`.
    deletes: HashMap<String, Vec<u32>>,
    words: Vec<String>,
}

impl Vocabulary {
    pub fn new(terms: HashMap<String, u32>, with_deletes: bool) -> Vocabulary {
        let mut words: Vec<String> = terms.keys().cloned().collect();
        words.sort();
        let mut deletes: HashMap<String, Vec<u32>> = HashMap::new();
        if with_deletes {
            for (index, word) in words.iter().enumerate() {
                if word.chars().count() < MIN_FUZZY_LEN - 1 {
                    continue;
                }
                for deleted in one_deletes(word) {
                    let entry = deletes.entry(deleted).or_default();
                    // A word like "aab" yields the same delete twice.
                    if entry.last() != Some(&(index as u32)) {
                        entry.push(index as u32);
                    }
                }
            }
        }
        Vocabulary {
            terms,
            deletes,
            words,
        }
    }

    pub fn doc_freq(&self, term: &str) -> Option<u32> {
        self.terms.get(term).copied()
    }

    /// Indexed terms at edit distance 1 (adjacent swaps count as one edit), most frequent first.
    pub fn corrections(&self, term: &str) -> Vec<String> {
        if term.chars().count() < MIN_FUZZY_LEN || self.deletes.is_empty() {
            return Vec::new();
        }
        // The query has an extra character: one of its deletes is a word. A character is
        // substituted or swapped: a delete of the query is a delete of a word. The query misses
        // a character: the query is a delete of a word.
        let deletes = one_deletes(term);
        let mut candidates: Vec<&str> = Vec::new();
        for deleted in &deletes {
            if let Some((word, _)) = self.terms.get_key_value(deleted.as_str()) {
                candidates.push(word);
            }
        }
        for key in deletes.iter().map(String::as_str).chain([term]) {
            for &index in self.deletes.get(key).into_iter().flatten() {
                candidates.push(&self.words[index as usize]);
            }
        }
        let short = term.chars().count() < MIN_ANY_EDIT_LEN;
        let mut found: Vec<&str> = Vec::new();
        for candidate in candidates {
            let close = if short {
                is_swap(term, candidate)
            } else {
                within_one_edit(term, candidate)
            };
            if candidate != term && !found.contains(&candidate) && close {
                found.push(candidate);
            }
        }
        let mut ranked: Vec<(u32, &str)> = found
            .into_iter()
            .map(|w| (self.terms.get(w).copied().unwrap_or(0), w))
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        ranked
            .into_iter()
            .take(MAX_CANDIDATES)
            .map(|(_, w)| w.to_string())
            .collect()
    }
}

fn one_deletes(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len())
        .map(|skip| {
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| *c)
                .collect()
        })
        .collect()
}

/// Same letters with exactly two neighbours swapped.
fn is_swap(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() != b.len() {
        return false;
    }
    let differing: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    matches!(differing[..], [i, j] if j == i + 1 && a[i] == b[j] && a[j] == b[i])
}

/// Optimal-string-alignment distance ≤ 1, without computing the full matrix.
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (a_rest, b_rest) = (&a[prefix..], &b[prefix..]);
    match (a_rest.len(), b_rest.len()) {
        (0, 0) => true,
        (x, y) if x == y => {
            a_rest[1..] == b_rest[1..]
                || (x >= 2
                    && a_rest[0] == b_rest[1]
                    && a_rest[1] == b_rest[0]
                    && a_rest[2..] == b_rest[2..])
        }
        (x, y) if x == y + 1 => a_rest[1..] == *b_rest,
        (x, y) if y == x + 1 => *a_rest == b_rest[1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(words: &[(&str, u32)]) -> Vocabulary {
        Vocabulary::new(
            words.iter().map(|(w, n)| (w.to_string(), *n)).collect(),
            true,
        )
    }

    #[test]
    fn edit_distance_one() {
        assert!(within_one_edit("faktur", "faktur"));
        assert!(within_one_edit("fakutr", "faktur"));
        assert!(within_one_edit("faktr", "faktur"));
        assert!(within_one_edit("fakturr", "faktur"));
        assert!(within_one_edit("faktor", "faktur"));
        assert!(!within_one_edit("fktr", "faktur"));
        assert!(!within_one_edit("abdc", "bacd"));
        assert!(within_one_edit("ø", "o"));
    }

    #[test]
    fn finds_swaps_insertions_deletions_and_substitutions() {
        let vocab = vocabulary(&[("faktur", 5), ("betal", 3), ("kort", 2)]);
        assert_eq!(vocab.corrections("fakutr"), vec!["faktur"]);
        assert_eq!(vocab.corrections("faktuur"), vec!["faktur"]);
        assert_eq!(vocab.corrections("fktur"), vec!["faktur"]);
        assert_eq!(vocab.corrections("faktor"), vec!["faktur"]);
        assert_eq!(vocab.corrections("bteal"), vec!["betal"]);
        // Too short to correct, or too far.
        assert!(vocab.corrections("krt").is_empty());
        // Four letters: only a swap is corrected.
        assert_eq!(vocab.corrections("korr"), Vec::<String>::new());
        assert_eq!(vocab.corrections("kotr"), vec!["kort"]);
        assert!(vocab.corrections("xyzzy").is_empty());
        // An exact word is not its own correction.
        assert!(vocab.corrections("faktur").is_empty());
    }

    #[test]
    fn most_frequent_corrections_first() {
        let vocab = vocabulary(&[
            ("cards", 1),
            ("cares", 9),
            ("carts", 4),
            ("carss", 2),
            ("carbs", 1),
        ]);
        assert_eq!(vocab.corrections("carxs"), vec!["cares", "carts", "carss"]);
    }
}
