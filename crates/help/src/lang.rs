//! Telling Danish from English, and the stop-word lists both the analyzers and the detector use.

use faktura_domain::Locale;

/// Snowball's Danish stop words plus question words that carry no topic ("hvordan", "kan").
pub(crate) const DANISH_STOP_WORDS: &[&str] = &[
    "ad", "af", "alle", "alt", "anden", "at", "blev", "blive", "bliver", "da", "de", "dem", "den",
    "denne", "der", "deres", "det", "dette", "dig", "din", "dine", "disse", "dit", "dog", "du",
    "efter", "eller", "en", "end", "er", "et", "for", "fra", "ham", "han", "hans", "har", "havde",
    "have", "hende", "hendes", "her", "hos", "hun", "hvad", "hvis", "hvor", "i", "ikke", "ind",
    "jeg", "jer", "jo", "kunne", "man", "mange", "med", "meget", "men", "mig", "min", "mine",
    "mit", "mod", "ned", "noget", "nogle", "nu", "når", "og", "også", "om", "op", "os", "over",
    "på", "selv", "sig", "sin", "sine", "sit", "skal", "skulle", "som", "sådan", "thi", "til",
    "ud", "under", "var", "vi", "vil", "ville", "vor", "være", "været",
    // Question and filler words of problem descriptions.
    "hvordan", "hvorfor", "hvornår", "hvilken", "hvilke", "hvilket", "kan", "gør", "gøre", "får",
    "få", "vores", "mere", "bare", "lige", "så", "hej", "tak", "venligst",
];

/// Lucene's English stop words plus question and filler words of problem descriptions.
pub(crate) const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with", // Question and filler words.
    "i", "me", "my", "we", "our", "you", "your", "how", "what", "why", "when", "where", "which",
    "who", "do", "does", "did", "can", "could", "would", "should", "have", "has", "had", "am",
    "been", "from", "about", "so", "just", "its", "please", "hi", "hello", "thanks", "get", "got",
    "want", "need", "some", "any",
    // Contractions, with and without the apostrophe (the tokenizer splits "don't" into "don", "t").
    "don", "dont", "doesn", "doesnt", "didn", "didnt", "isn", "isnt", "aren", "arent", "wasn",
    "wasnt", "can't", "cant", "couldn", "couldnt", "won", "wont", "haven", "havent", "hasn",
    "hasnt", "im", "ive", "it's", "s", "t", "m", "ve", "re", "ll", "d",
];

/// Common Danish words that are not stop words but rarely occur in English text.
const DANISH_MARKERS: &[&str] = &[
    "hvordan",
    "hvorfor",
    "jeg",
    "min",
    "mit",
    "mine",
    "ikke",
    "og",
    "er",
    "det",
    "til",
    "af",
    "på",
    "med",
    "kan",
    "skal",
    "betaler",
    "betale",
    "faktura",
    "fakturaen",
    "kort",
    "kortet",
];

const ENGLISH_MARKERS: &[&str] = &[
    "the", "how", "what", "why", "is", "are", "my", "i", "and", "to", "of", "can", "do", "does",
    "pay", "invoice", "card", "with", "it", "not",
];

/// Guesses whether `text` is Danish or English. `None` when there is no evidence either way
/// (a single product name, an empty string): callers then fall back to other evidence.
pub fn detect_language(text: &str) -> Option<Locale> {
    let mut danish = 0usize;
    let mut english = 0usize;
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let lower = word.to_lowercase();
        // æ, ø and å are decisive: English never uses them.
        if lower.contains(['æ', 'ø', 'å']) {
            danish += 2;
        }
        if DANISH_MARKERS.contains(&lower.as_str()) || DANISH_STOP_WORDS.contains(&lower.as_str()) {
            danish += 1;
        }
        if ENGLISH_MARKERS.contains(&lower.as_str()) || ENGLISH_STOP_WORDS.contains(&lower.as_str())
        {
            english += 1;
        }
    }
    match danish.cmp(&english) {
        std::cmp::Ordering::Greater => Some(Locale::DaDk),
        std::cmp::Ordering::Less => Some(Locale::EnUs),
        std::cmp::Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_danish_questions() {
        assert_eq!(
            detect_language("Hvordan betaler jeg min forfaldne faktura i portalen?"),
            Some(Locale::DaDk)
        );
        assert_eq!(detect_language("kortet blev afvist"), Some(Locale::DaDk));
        assert_eq!(detect_language("Ændre betalingsmåde"), Some(Locale::DaDk));
    }

    #[test]
    fn detects_english_questions() {
        assert_eq!(
            detect_language("How do I pay my overdue invoice?"),
            Some(Locale::EnUs)
        );
        assert_eq!(detect_language("my card was declined"), Some(Locale::EnUs));
    }

    #[test]
    fn no_evidence_is_none() {
        assert_eq!(detect_language(""), None);
        assert_eq!(detect_language("xyzzy plugh"), None);
        assert_eq!(detect_language("Azure"), None);
    }
}
